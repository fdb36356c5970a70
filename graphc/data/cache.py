"""`Dataset.cache(filename="")` with TF1's semantics, in memory or on disk.

In memory (no file name): the first complete pass over the input is recorded and later
passes of the same iterator (after a repeat) read the record; a pass stopped early
records nothing, and a re-initialised iterator starts over from the input.

On disk: the first complete pass also writes every element to `<filename>.data-00000-
of-00001` (TFRecord framing, one serialized TensorProto per component) and then, as the
last step, `<filename>.index` (JSON: a version, the components' dtypes and shapes, the
element count), each written to a temporary name and renamed, so a cache is either
complete or absent. From then on every pass, of this iterator or any later one (another
Session, another process), reads the files and not the input, as TF's does; a pass
stopped early leaves no cache behind. The files are graphc's own (TF writes a tensor
bundle under the same names): a cache whose index does not match the dataset's element
structure, or is not graphc's, is an error naming the file. Unlike TF, two iterators
writing one cache at once do not fail: the last complete write wins, and they write the
same elements.
"""
from __future__ import annotations

import json
import os

import numpy as np

from ..ir import dtypes as dt
from ..ir.errors import DataLossError, InvalidArgumentError
from ..ir.graph import Tensor, TensorLike
from ..ir.shapes import TensorShape
from ..ir.site import where
from ..protos.tensor import TensorProto
from ..protos.tensor_util import make_ndarray, make_tensor_proto
from ..tfrecord import TFRecordWriter, open_records
from . import structure as S
from .base import DatasetNode

VERSION = 1
DATA_SUFFIX = ".data-00000-of-00001"
INDEX_SUFFIX = ".index"


class CacheDataset(DatasetNode):
    """TF1 `dataset.cache(filename)` (see the module doc)."""

    def __init__(self, input_ds: DatasetNode, filename) -> None:
        self._file = None
        tensors = ()
        if isinstance(filename, (TensorLike, Tensor)) or filename:
            self._file = S.to_tensors(filename, "cache")
            if not isinstance(self._file, Tensor) or self._file.dtype is not dt.string or \
                    self._file.shape.ndims not in (None, 0):
                raise TypeError(f"cache: filename must be a string scalar{where()}")
            tensors = (self._file,)
        super().__init__(inputs=(input_ds,), tensors=tensors)
        self._structure = input_ds._structure

    def _elements(self, env):
        if self._file is None:
            return self._in_memory(env)
        name = np.asarray(env.values[self._file], dtype=object).reshape(()).item()
        name = name.decode() if isinstance(name, bytes) else str(name)
        if not name:  # an empty name fed at run time: in memory (TF)
            return self._in_memory(env)
        if os.path.exists(name + INDEX_SUFFIX):
            return self._read(name)
        return self._write(env, name)

    def _in_memory(self, env):
        cached = env.state.get(id(self))
        if cached is not None:
            yield from cached
            return
        record = []
        for element in self._inputs[0]._elements(env):
            record.append(element)
            yield element
        env.state[id(self)] = record

    # ------------------------------------------------------------------ on disk
    def _specs(self) -> list:
        return S.flatten(self._structure)

    def _write(self, env, name: str):
        specs = self._specs()
        directory = os.path.dirname(os.path.abspath(name))
        if not os.path.isdir(directory):
            raise InvalidArgumentError(None, None, f"cache: the directory of {name!r} does "
                                       "not exist")
        tmp = f"{name}{DATA_SUFFIX}.tmp-{os.getpid()}-{id(self):x}"
        count = 0
        complete = False
        writer = TFRecordWriter(tmp)
        try:
            for element in self._inputs[0]._elements(env):
                for value, spec in zip(element, specs):
                    writer.write(make_tensor_proto(np.asarray(value),
                                                   dtype=spec.dtype).SerializeToString())
                count += 1
                yield element
            complete = True
        finally:
            writer.close()
            if complete:
                os.replace(tmp, name + DATA_SUFFIX)
                index = {"format": "graphc dataset cache", "version": VERSION,
                         "count": count,
                         "components": [[s.dtype.name, _shape_json(s.shape)] for s in specs]}
                _write_json(name + INDEX_SUFFIX, index)
            else:  # stopped early (or failed): nothing is cached
                os.remove(tmp)

    def _read(self, name: str):
        specs = self._specs()
        index = _read_index(name, specs)
        k = len(specs)
        element, n = [], 0
        for record in open_records(name + DATA_SUFFIX):
            proto = TensorProto.FromString(record)
            element.append(make_ndarray(proto) if specs[len(element)].dtype is not dt.string
                           else np.asarray(make_ndarray(proto), dtype=object))
            if len(element) == k:
                n += 1
                yield tuple(element)
                element = []
        if element or n != index["count"]:
            raise DataLossError(None, None, f"cache file {name}{DATA_SUFFIX} holds {n} whole "
                                f"elements, its index says {index['count']}")


def _shape_json(shape: TensorShape):
    return None if shape.ndims is None else list(shape.as_tuple())


def _write_json(path: str, value) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def _read_index(name: str, specs: list) -> dict:
    path = name + INDEX_SUFFIX
    try:
        with open(path) as f:
            index = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DataLossError(None, None, f"{path} is not a graphc dataset cache (TensorFlow's "
                            "cache files are tensor bundles, which graphc does not read "
                            "back): delete it or cache under another name") from None
    if not isinstance(index, dict) or index.get("format") != "graphc dataset cache":
        raise DataLossError(None, None, f"{path} is not a graphc dataset cache")
    if index.get("version") != VERSION:
        raise DataLossError(None, None, f"{path}: cache version {index.get('version')}, "
                            f"this graphc reads version {VERSION}")
    expected = [[s.dtype.name, _shape_json(s.shape)] for s in specs]
    if index.get("components") != expected:
        raise InvalidArgumentError(
            None, None, f"the cache {name} was written for elements "
            f"{index.get('components')} (dtype, shape per component), but this dataset's "
            f"elements are {expected}: delete the cache files or cache under another name")
    return index
