"""File datasets: TFRecordDataset (graphc/tfrecord.py's reader), TextLineDataset and
FixedLengthRecordDataset; `read_file_bytes` and `fixed_length_records` are shared with
the queue readers of graphc/train/input.py.

`buffer_size` (TF1's read buffer) and `name` (TF2's name for the dataset's op; graphc's
datasets are no graph ops) change nothing a program sees and are accepted as hints."""
from __future__ import annotations

import numpy as np

from ..ir import dtypes as dt
from ..ir.errors import DataLossError, InvalidArgumentError, NotFoundError
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
        yield from read_file_bytes(name, self._compression).splitlines()


def read_file_bytes(name, compression: str = "") -> bytes:
    """A whole file's bytes, inflated when compression is 'ZLIB' or 'GZIP'."""
    import gzip
    import zlib
    name = name.decode() if isinstance(name, bytes) else str(name)
    try:
        with open(name, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{name}; No such file or directory") from None
    try:
        if compression == "GZIP":
            return gzip.decompress(data)
        if compression == "ZLIB":
            return zlib.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataLossError(None, None, f"{name}: not {compression} data ({exc})") from None
    return data


def fixed_length_records(data: bytes, record_bytes: int, header_bytes: int = 0,
                         footer_bytes: int = 0, hop_bytes: int = 0):
    """The records of a fixed-length record file's bytes: `record_bytes` long, starting
    after the header and every `hop_bytes` (0: `record_bytes`), each ending by the
    footer; bytes too few for another record are left (TF1's FixedLengthRecordReader)."""
    hop = hop_bytes or record_bytes
    limit = len(data) - footer_bytes
    start = header_bytes
    while start + record_bytes <= limit:
        yield data[start:start + record_bytes]
        start += hop


class FixedLengthRecordDataset(_FileDataset):
    """TF1 `tf.data.FixedLengthRecordDataset`: the `record_bytes`-long records of each
    file between its header and footer; a file whose body is no whole number of records
    is an InvalidArgumentError (a compressed one: DataLossError after its whole records),
    as TF's."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None,
                 name=None) -> None:
        sizes = {"record_bytes": record_bytes, "header_bytes": header_bytes or 0,
                 "footer_bytes": footer_bytes or 0}
        for what, n in sizes.items():
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or \
                    n < (1 if what == "record_bytes" else 0):
                raise ValueError(f"FixedLengthRecordDataset: {what} must be an int "
                                 f"{'> 0' if what == 'record_bytes' else '>= 0'}, got "
                                 f"{n!r}{where()}")
        self._sizes = {k: int(v) for k, v in sizes.items()}
        super().__init__(filenames, compression_type)

    def _read(self, name):
        data = read_file_bytes(name, self._compression)
        record, header, footer = (self._sizes[k] for k in ("record_bytes", "header_bytes",
                                                           "footer_bytes"))
        body = len(data) - header - footer
        if body % record or body < 0:
            label = name.decode() if isinstance(name, bytes) else str(name)
            text = (f"Excluding the header ({header} bytes) and footer ({footer} bytes), "
                    f"input file \"{label}\" has body length {max(body, 0)} bytes, which "
                    f"is not an exact multiple of the record length ({record} bytes).")
            if not self._compression:
                raise InvalidArgumentError(None, None, text)
            yield from fixed_length_records(data, record, header, footer)
            raise DataLossError(None, None, text)
        yield from fixed_length_records(data, record, header, footer)
