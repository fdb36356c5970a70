"""TF1 `tf.saved_model.loader.load`: a SavedModel directory (TensorFlow's or graphc's) into
a session -- the meta graph of the asked tag set imported into `sess.graph`, the variables
restored from `variables/`, the main (init) op run with the asset paths fed."""
from __future__ import annotations

import os
from typing import Optional

from .. import protos
from ..train.meta_graph import read_message
from ..train.saver import import_meta_graph
from . import constants as C


def _saved_model_path(export_dir: str) -> Optional[str]:
    for name in (C.SAVED_MODEL_FILENAME_PB, C.SAVED_MODEL_FILENAME_PBTXT):
        path = os.path.join(export_dir, name)
        if os.path.isfile(path):
            return path
    return None


def maybe_saved_model_directory(export_dir) -> bool:
    """Whether `export_dir` holds a saved_model.pb or saved_model.pbtxt."""
    return _saved_model_path(os.fspath(export_dir)) is not None


def read_saved_model(export_dir: str) -> protos.SavedModel:
    path = _saved_model_path(export_dir)
    if path is None:
        raise OSError(f"SavedModel file does not exist at: {export_dir}{os.sep}"
                      f"{{{C.SAVED_MODEL_FILENAME_PBTXT}|{C.SAVED_MODEL_FILENAME_PB}}}")
    return read_message(path, protos.SavedModel)


def _main_op_name(meta: protos.MetaGraphDef) -> Optional[str]:
    if C.INIT_OP_SIGNATURE_KEY in meta.signature_def:
        outputs = meta.signature_def[C.INIT_OP_SIGNATURE_KEY].outputs
        if C.INIT_OP_SIGNATURE_KEY in outputs:
            return outputs[C.INIT_OP_SIGNATURE_KEY].name
    for key in (C.MAIN_OP_KEY, C.LEGACY_INIT_OP_KEY):
        col = meta.collection_def.get(key)
        if col is not None and col.node_list.value:
            return col.node_list.value[0]
    return None


def select_meta_graph(export_dir, tags) -> tuple:
    """(export_dir as a str, the MetaGraphDef tagged `tags`) of the SavedModel at
    `export_dir`; tags None: "serve" if there, else the first meta graph's."""
    export_dir = os.fspath(export_dir)
    export_dir = export_dir.decode() if isinstance(export_dir, bytes) else export_dir
    saved = read_saved_model(export_dir)
    if tags is None:
        tags = [C.SERVING_TAG] if any(C.SERVING_TAG in m.meta_info_def.tags
                                      for m in saved.meta_graphs) or not saved.meta_graphs \
            else list(saved.meta_graphs[0].meta_info_def.tags)
    wanted = {tags} if isinstance(tags, str) else set(tags)
    found = [m for m in saved.meta_graphs if set(m.meta_info_def.tags) == wanted]
    if not found:
        available = [sorted(m.meta_info_def.tags) for m in saved.meta_graphs]
        raise RuntimeError(f"MetaGraphDef associated with tags {sorted(wanted)!r} could not "
                           f"be found in SavedModel {export_dir}. Available tag sets: "
                           f"{available}")
    return export_dir, found[0]


def import_saved_model(graph, export_dir: str, meta, import_scope: Optional[str] = None):
    """Import `meta` (a meta graph of the SavedModel at `export_dir`) into `graph`; returns
    `restore(sess)`, which loads the variables and runs the main (init) op."""
    def scoped(name: str) -> str:
        return f"{import_scope}/{name}" if import_scope else name

    with graph.as_default():
        saver = import_meta_graph(meta, import_scope=import_scope)
    prefix = os.path.join(export_dir, C.VARIABLES_DIRECTORY, C.VARIABLES_FILENAME)
    main_op = _main_op_name(meta)

    def restore(sess) -> None:
        if saver is not None and os.path.exists(prefix + ".index"):
            saver.restore(sess, prefix)
        if main_op is not None:
            feeds = {graph.get_tensor_by_name(scoped(a.tensor_info.name)):
                     os.path.join(export_dir, C.ASSETS_DIRECTORY, a.filename).encode()
                     for a in meta.asset_file_def}
            sess.run(graph.as_graph_element(scoped(main_op)), feeds)
    return restore


def load(sess, tags, export_dir, import_scope: Optional[str] = None, **saver_kwargs):
    """Load the meta graph tagged `tags` of the SavedModel at `export_dir` into `sess`;
    returns its MetaGraphDef (for the signatures)."""
    export_dir, meta = select_meta_graph(export_dir, tags)
    restore = import_saved_model(sess.graph, export_dir, meta, import_scope)
    with sess.graph.as_default():
        restore(sess)
    return meta
