"""File datasets: TFRecordDataset (graphc/tfrecord.py's reader) and TextLineDataset.

`buffer_size` (TF1's read buffer) and `name` (TF2's name for the dataset's op; graphc's
datasets are no graph ops) change nothing a program sees and are accepted as hints."""
from __future__ import annotations

import numpy as np

from ..ir import dtypes as dt
from ..ir.errors import NotFoundError
from ..ir.graph import Tensor
from ..ir.shapes import TensorShape
from ..ir.site import where
from ..tfrecord import compression_name, open_records
from . import structure as S
from .dataset import Dataset


class _FileDataset(Dataset):
    """The records of each file in turn; `filenames` a string, strings, a string
    tensor or a dataset of file names."""

    def __init__(self, filenames, compression_type=None) -> None:
        if isinstance(filenames, Dataset):
            spec = filenames._structure
            if not isinstance(spec, S.Spec) or spec.dtype is not dt.string or \
                    spec.shape.ndims not in (None, 0):
                raise TypeError(f"a dataset of file names must have scalar string elements, "
                                f"got {S.describe(spec)}{where()}")
            self._names, inputs, tensors = filenames, (filenames,), ()
        else:
            t = S.to_tensors(filenames, type(self).__name__)
            if not isinstance(t, Tensor) or t.dtype is not dt.string or \
                    t.shape.ndims not in (None, 0, 1):
                raise TypeError(f"`filenames` must be a string or a 1-D tensor of strings"
                                f"{where()}")
            self._names, inputs, tensors = t, (), (t,)
        self._compression = compression_name(compression_type)
        super().__init__(inputs=inputs, tensors=tensors)
        self._structure = S.Spec(dt.string, TensorShape([]))

    def _file_names(self, env):
        if isinstance(self._names, Dataset):
            for (name,) in self._names._elements(env):
                yield name.item() if isinstance(name, np.ndarray) else name
        else:
            yield from np.asarray(env.values[self._names], dtype=object).reshape(-1)

    def _elements(self, env):
        for name in self._file_names(env):
            for r in self._read(name):
                yield (np.array(r, dtype=object),)


class TFRecordDataset(_FileDataset):
    """TF1 `tf.data.TFRecordDataset(filenames, compression_type)`: each record, bytes."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None) -> None:
        super().__init__(filenames, compression_type)

    def _read(self, name):
        return open_records(name, self._compression)


class TextLineDataset(_FileDataset):
    """TF1 `tf.data.TextLineDataset`: each line of each file, without its line end."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None) -> None:
        super().__init__(filenames, compression_type)

    def _read(self, name):
        import gzip
        import zlib
        name = name.decode() if isinstance(name, bytes) else str(name)
        try:
            with open(name, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise NotFoundError(None, None, f"{name}; No such file or directory") from None
        if self._compression == "GZIP":
            data = gzip.decompress(data)
        elif self._compression == "ZLIB":
            data = zlib.decompress(data)
        for line in data.splitlines():
            yield line
