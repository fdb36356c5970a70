"""TFRecord files (`tf.python_io` / `tf.io`): TFRecordWriter, tf_record_iterator and the
compression options, in TensorFlow's format (the framing of ir/proto.py, which event
files share; GZIP and ZLIB streams as zlib writes them).
"""
from __future__ import annotations

import gzip
import zlib
from types import SimpleNamespace

from .ir.errors import DataLossError, NotFoundError
from .ir.proto import RecordError, read_records, record


class TFRecordCompressionType:
    NONE = 0
    ZLIB = 1
    GZIP = 2


_NAMES = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
          TFRecordCompressionType.GZIP: "GZIP"}


class TFRecordOptions:
    """Compression of a TFRecord file: "" / "ZLIB" / "GZIP" (or TFRecordCompressionType);
    `compression_level` for the writer (zlib's levels, default 6 as TensorFlow)."""

    compression_type_map = {v: k for k, v in _NAMES.items()}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None) -> None:
        self.compression_type = compression_type
        self.compression_level = compression_level

    @classmethod
    def get_compression_type_string(cls, options) -> str:
        if options is None:
            return ""
        kind = options.compression_type if isinstance(options, TFRecordOptions) else options
        return compression_name(kind)


def compression_name(kind) -> str:
    """"", "ZLIB" or "GZIP" from None, a name, a TFRecordCompressionType or options."""
    if isinstance(kind, TFRecordOptions):
        kind = kind.compression_type
    if kind is None:
        return ""
    if isinstance(kind, bytes):
        kind = kind.decode()
    if isinstance(kind, str):
        if kind.upper() not in ("", "ZLIB", "GZIP"):
            raise ValueError(f"Unsupported compression type {kind!r}: use '', 'ZLIB' or "
                             "'GZIP'")
        return kind.upper()
    if kind not in _NAMES:
        raise ValueError(f"Unsupported compression type {kind!r}")
    return _NAMES[kind]


class TFRecordWriter:
    """Writes records (bytes) to a TFRecord file, optionally GZIP or ZLIB compressed."""

    def __init__(self, path: str, options=None) -> None:
        self._path = str(path)
        kind = compression_name(options)
        level = getattr(options, "compression_level", None)
        level = 6 if level is None or level < 0 else level
        self._file = open(self._path, "wb")
        if kind == "GZIP":
            self._zip = zlib.compressobj(level, zlib.DEFLATED, 31)   # gzip wrapper
        elif kind == "ZLIB":
            self._zip = zlib.compressobj(level, zlib.DEFLATED, 15)
        else:
            self._zip = None
        self._closed = False

    def write(self, record_bytes) -> None:
        if self._closed:
            raise RuntimeError(f"TFRecordWriter for {self._path} is closed")
        if isinstance(record_bytes, str):
            record_bytes = record_bytes.encode()
        framed = record(bytes(record_bytes))
        self._file.write(self._zip.compress(framed) if self._zip else framed)

    def flush(self) -> None:
        if self._zip is not None:
            self._file.write(self._zip.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self) -> None:
        if not self._closed:
            if self._zip is not None:
                self._file.write(self._zip.flush())
            self._file.close()
            self._closed = True

    def __enter__(self) -> "TFRecordWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Inflater:
    """read(n) over a zlib or gzip stream (gzip members may be concatenated)."""

    def __init__(self, f, wbits: int) -> None:
        self._f, self._wbits = f, wbits
        self._z = zlib.decompressobj(wbits)
        self._buf = b""

    def read(self, n: int) -> bytes:
        while len(self._buf) < n:
            if self._z.eof:
                rest = self._z.unused_data
                self._z = zlib.decompressobj(self._wbits)
                if rest:
                    self._buf += self._z.decompress(rest)
                    continue
            chunk = self._f.read(1 << 16)
            if not chunk:
                self._buf += self._z.flush()
                break
            self._buf += self._z.decompress(chunk)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out


def open_records(path: str, compression=None):
    """The records of the TFRecord file `path`, read lazily; TF1's errors (NotFoundError
    for a missing file, DataLossError naming the file for a damaged one)."""
    path = path.decode() if isinstance(path, bytes) else str(path)
    kind = compression_name(compression)
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    with f:
        reader = f if not kind else _Inflater(f, 31 if kind == "GZIP" else 15)
        try:
            yield from read_records(reader.read)
        except (RecordError, zlib.error, gzip.BadGzipFile, EOFError) as exc:
            raise DataLossError(None, None, f"{path}: {exc}") from None


def tf_record_iterator(path: str, options=None):
    """TF1 `tf.python_io.tf_record_iterator`: each record of the file, as bytes."""
    return open_records(path, options)


python_io = SimpleNamespace(TFRecordWriter=TFRecordWriter, TFRecordOptions=TFRecordOptions,
                            TFRecordCompressionType=TFRecordCompressionType,
                            tf_record_iterator=tf_record_iterator)
