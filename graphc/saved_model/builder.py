"""TF1 `tf.saved_model.builder.SavedModelBuilder` and `tf.saved_model.simple_save`.

A SavedModel directory is `saved_model.pb` (a SavedModel message: one MetaGraphDef per
tag set, each with its signatures) and `variables/variables.{index,data-00000-of-00001}`
(a V2 checkpoint of the variables, written once, shared by every meta graph); asset files
go to `assets/`. The meta graphs carry graphc Saver's nodes (`train/meta_graph.py`), so
TensorFlow's loader restores the variables; graphc's loader (`loader.py`) reads both.
"""
from __future__ import annotations

import os
import shutil
from typing import Optional

from .. import protos
from ..ir import context as _context
from ..ir import fileio
from ..ir.graph import Operation
from ..ir.ops._base import const_value
from ..train.meta_graph import export_with_saver
from ..train.saver import Saver
from ..variables import GraphKeys
from . import constants as C
from .constants import signature_constants, tag_constants
from .signature_def_utils import predict_signature_def


class SavedModelBuilder:
    """TF1 `SavedModelBuilder(export_dir)`: add meta graphs (the first with the variables),
    then `save()`."""

    def __init__(self, export_dir) -> None:
        export_dir = os.fspath(export_dir)
        if isinstance(export_dir, bytes):
            export_dir = export_dir.decode()
        if os.path.exists(export_dir):
            if os.listdir(export_dir):
                raise AssertionError(
                    "Export directory already exists, and isn't empty. Please choose a "
                    "different export directory, or delete all the contents of the specified "
                    f"directory: {export_dir}")
        else:
            os.makedirs(export_dir)
        self._export_dir = export_dir
        self._saved_model = protos.SavedModel(
            saved_model_schema_version=C.SAVED_MODEL_SCHEMA_VERSION)
        self._has_saved_variables = False

    def _meta_graph(self, graph, tags, signature_def_map, assets_collection, main_op,
                    train_op, saver) -> None:
        if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
            raise TypeError(f"tags must be a list of strings, got {tags!r}")
        for key, sig in (signature_def_map or {}).items():
            if not isinstance(sig, protos.SignatureDef):
                raise TypeError(f"signature_def_map[{key!r}] must be a SignatureDef, got "
                                f"{type(sig).__name__}")
            for info in list(sig.inputs.values()) + list(sig.outputs.values()):
                graph.get_tensor_by_name(info.name)  # (KeyError naming the tensor)
        meta = export_with_saver(None, saver, graph=graph)
        meta.meta_info_def.tags.extend(tags)
        for key, sig in (signature_def_map or {}).items():
            meta.signature_def[key].CopyFrom(sig)
        for key, op in ((C.MAIN_OP_KEY, main_op), (C.TRAIN_OP_KEY, train_op)):
            if op is not None:
                if not isinstance(op, Operation):
                    op = op.op
                meta.collection_def[key].node_list.value[:] = [op.name]
        for tensor in assets_collection or ():
            path = const_value(tensor)
            if path is None:
                raise ValueError(f"asset tensor {tensor.name} must be a constant file name")
            path = path.item().decode() if hasattr(path, "item") else str(path)
            assets = os.path.join(self._export_dir, C.ASSETS_DIRECTORY)
            os.makedirs(assets, exist_ok=True)
            shutil.copyfile(path, os.path.join(assets, os.path.basename(path)))
            asset = meta.asset_file_def.add(filename=os.path.basename(path))
            asset.tensor_info.name = tensor.name
        self._saved_model.meta_graphs.add().CopyFrom(meta)

    def add_meta_graph_and_variables(self, sess, tags, signature_def_map=None,
                                     assets_collection=None, legacy_init_op=None,
                                     clear_devices: bool = False, main_op=None,
                                     strip_default_attrs: bool = False, saver=None,
                                     init_op=None, train_op=None) -> None:
        """Save the session's variables and its graph as the first meta graph."""
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already "
                                 "been saved. Please invoke `add_meta_graph()` instead.")
        graph = sess.graph
        with graph.as_default():
            saver = saver or Saver(allow_empty=True, max_to_keep=0)
        directory = os.path.join(self._export_dir, C.VARIABLES_DIRECTORY)
        os.makedirs(directory, exist_ok=True)
        if saver._names:
            saver.save(sess, os.path.join(directory, C.VARIABLES_FILENAME),
                       write_meta_graph=False, write_state=False)
        self._meta_graph(graph, tags, signature_def_map, assets_collection,
                         main_op or legacy_init_op or init_op, train_op, saver)
        self._has_saved_variables = True

    def add_meta_graph(self, tags, signature_def_map=None, assets_collection=None,
                       legacy_init_op=None, clear_devices: bool = False, main_op=None,
                       strip_default_attrs: bool = False, saver=None, init_op=None,
                       train_op=None) -> None:
        """Another meta graph (of the default graph) over the variables already saved."""
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been "
                                 "saved yet. Please invoke `add_meta_graph_and_variables()` "
                                 "first.")
        graph = _context.get_default_graph()
        with graph.as_default():
            saver = saver or Saver(allow_empty=True, max_to_keep=0)
        self._meta_graph(graph, tags, signature_def_map, assets_collection,
                         main_op or legacy_init_op or init_op, train_op, saver)

    def save(self, as_text: bool = False) -> bytes:
        """Write saved_model.pb (or .pbtxt); returns its path, as bytes (TF1)."""
        from google.protobuf import text_format
        name = C.SAVED_MODEL_FILENAME_PBTXT if as_text else C.SAVED_MODEL_FILENAME_PB
        path = os.path.join(self._export_dir, name)
        data = text_format.MessageToString(self._saved_model).encode() if as_text else \
            self._saved_model.SerializeToString(deterministic=True)
        fileio.atomic_write(path, lambda f: f.write(data))
        return path.encode()


def simple_save(session, export_dir, inputs: dict, outputs: dict,
                legacy_init_op: Optional[Operation] = None) -> None:
    """TF1 `tf.saved_model.simple_save`: the session's graph and variables under the
    "serve" tag with a predict signature `serving_default` of `inputs` and `outputs`."""
    signature = {signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                 predict_signature_def(inputs, outputs)}
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(
        session, tags=[tag_constants.SERVING], signature_def_map=signature,
        assets_collection=session.graph.get_collection(GraphKeys.ASSET_FILEPATHS),
        main_op=legacy_init_op, clear_devices=True)
    builder.save()
