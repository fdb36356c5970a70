"""Files that may be hostile, read with limits; files written atomically. One routine for
graph files (`ir/serialize.py`) and checkpoints (`graphc/train/checkpoint_format.py`).

Nothing is read or decompressed before its size is known and checked:

- only regular files are opened (a symlink to /dev/zero, a FIFO or a directory is refused
  before a byte is read), and a file larger than the caller's limit is refused;
- a zip's entries are checked from its central directory (compression method, encryption,
  declared sizes, compression ratio, total) before any is opened, and each entry is read
  in bounded chunks, never past its declared size;
- an `.npy` entry's header is parsed here, by a small strict parser (no `eval`, no
  tokenizer, no `np.load`), its dtype must be on an allow-list, and it must declare exactly
  the bytes the entry holds before the array is allocated;
- JSON is parsed from bounded text; nesting too deep for the parser is an error like any.

Failures go through a `fail(message) -> Exception` callable the caller supplies, so graph
files raise `GraphFileError` and checkpoints `DataLossError`, each naming its file; the
messages made here name the entry and what is wrong with it.
"""
from __future__ import annotations

import json
import os
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from typing import Callable

import numpy as np

from . import dtypes as dt

Fail = Callable[[str], Exception]

CHUNK = 1 << 20        # bytes per read
MAX_NPY_HEADER = 1 << 16  # version 1.0's largest header; graphc writes < 200 bytes
MAX_RANK = 64
MAX_DIM = 1 << 40

# The array dtypes graph files and checkpoints hold: graphc's numeric and bool dtypes in
# either byte order ('|' for single bytes). Anything else (objects, strings, records,
# datetimes, subarrays) is refused before numpy sees it.
NPY_DTYPES: dict[str, np.dtype] = {}
for _d in dt.ALL_DTYPES:
    if _d.kind not in ("string", "resource"):
        for _order in "<>":
            NPY_DTYPES[_d.np.newbyteorder(_order).str] = _d.np.newbyteorder(_order)
del _d, _order

# What zipfile can raise on a damaged or crafted archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
               NotImplementedError, RuntimeError, TypeError, struct.error, OverflowError,
               IndexError, KeyError)


# ---------------------------------------------------------------- writing
def _read_umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: done once, at import
    os.umask(mask)          # (a later call could race file creation on other threads)
    return mask


_UMASK = _read_umask()


def atomic_write(path: str, write: Callable) -> None:
    """Write `path` through `write(file)` into a temporary file beside it, flush it to
    disk and rename it into place: readers see the old file or the new one, never a part."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # as open() would make it (mkstemp gives 0600)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- plain files
def open_regular(path: str, fail: Fail, max_bytes: int):
    """(binary file object, size) for the regular file `path`, refusing anything else
    (directories, devices, FIFOs, sockets: a read from those may never end) and files
    larger than `max_bytes`."""
    try:
        # (O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) |
                     getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise fail(f"cannot open the file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise fail(f"not a regular file ({_kind(info.st_mode)}); refused")
        if info.st_size > max_bytes:
            raise fail(f"the file is {info.st_size} bytes, more than the limit of "
                       f"{max_bytes}")
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_file(path: str, fail: Fail, max_bytes: int) -> bytes:
    """The bytes of the regular file `path`, at most `max_bytes` of them."""
    f, size = open_regular(path, fail, max_bytes)
    with f:
        try:
            data = f.read(size + 1)
        except OSError as exc:
            raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > size:
        raise fail("the file grew while it was read")
    return data


def parse_json(raw: bytes, fail: Fail, what: str):
    """`raw` (UTF-8 JSON; NaN and Infinity refused) as Python values."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except RecursionError:
        raise fail(f"{what} nests too deeply") from None
    except ValueError as exc:  # (UnicodeDecodeError and JSONDecodeError are ValueErrors)
        raise fail(f"{what} cannot be read: {exc}") from None


def _no_constants(name):
    raise ValueError(f"{name} is not valid JSON")


def check_dims(dims, allow_unknown: bool = False) -> None:
    """Raise ValueError unless `dims` is a list of at most 64 dims in [0, 2^40) (or None
    where `allow_unknown`)."""
    if not isinstance(dims, list) or len(dims) > MAX_RANK:
        raise ValueError(f"a shape must be a list of at most {MAX_RANK} dims")
    for d in dims:
        if d is None and allow_unknown:
            continue
        if not isinstance(d, int) or isinstance(d, bool) or not 0 <= d < MAX_DIM:
            raise ValueError(f"bad dim {d!r}")


# ---------------------------------------------------------------- zip archives
def expansion_allowed(file_bytes: int, limits: dict) -> int:
    """How many bytes a zip of `file_bytes` may expand to: `compression_ratio` times its
    size, and at least `expansion_floor`. A writer that would exceed it stores its entries
    uncompressed instead, so every file graphc writes is one it reads; a crafted file of
    0.5 MB costs at most a few tens of MB before it is refused."""
    return max(limits["expansion_floor"], limits["compression_ratio"] * file_bytes)


class ZipArchive:
    """A zip file whose every entry was checked against `limits` before any is read.

    limits: "file_bytes" (the zip), "entry_bytes" (one entry, uncompressed), "total_bytes"
    (all entries), "compression_ratio" and "expansion_floor" (see `expansion_allowed`);
    `methods`: the compression methods allowed. Use as a context manager."""

    def __init__(self, path: str, fail: Fail, limits: dict,
                 methods=(zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED),
                 kind: str = "a zip archive") -> None:
        self.fail = fail
        self._file, size = open_regular(path, fail, limits["file_bytes"])
        try:
            self._zip = zipfile.ZipFile(self._file)
            infos = self._zip.infolist()
        except _ZIP_ERRORS as exc:
            self._file.close()
            raise fail(f"not {kind}: {exc}") from None
        self.entries: dict[str, zipfile.ZipInfo] = {}
        try:
            for info in infos:
                self._check_entry(info, size, limits, methods)
            total = sum(i.file_size for i in infos)
            if total > limits["total_bytes"]:
                raise fail(f"the entries hold {total} bytes uncompressed, more than the limit "
                           f"of {limits['total_bytes']}")
            stored = sum(i.compress_size for i in infos)
            if stored > size:
                raise fail(f"the entries declare {stored} bytes stored in a file of {size}: "
                           "they overlap (refused as a zip bomb)")
            if total > expansion_allowed(size, limits):
                raise fail(f"the entries expand to {total} bytes from a file of {size}, more "
                           f"than {limits['compression_ratio']}:1: refused as a zip bomb")
        except BaseException:
            self.close()
            raise

    def _check_entry(self, info, size: int, limits: dict, methods) -> None:
        name = info.filename
        if name in self.entries:
            raise self.fail(f"entry {name} appears twice")
        if info.compress_type not in methods:
            raise self.fail(f"entry {name} uses compression method {info.compress_type}; "
                            f"only {', '.join(_METHODS[m] for m in methods)} are read")
        if info.flag_bits & 0x1:
            raise self.fail(f"entry {name} is encrypted")
        if info.file_size > limits["entry_bytes"]:
            raise self.fail(f"entry {name} is {info.file_size} bytes uncompressed, more than "
                            f"the limit of {limits['entry_bytes']}")
        if info.compress_size > size or (info.compress_type == zipfile.ZIP_STORED and
                                         info.compress_size != info.file_size):
            raise self.fail(f"entry {name} declares {info.compress_size} bytes stored, which "
                            "the file does not hold")
        self.entries[name] = info

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    def __enter__(self) -> "ZipArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self.entries.get(name)
        if info is None:
            raise self.fail(f"entry {name} is missing")
        return info

    def read(self, name: str) -> bytes:
        """The bytes of entry `name` (its declared size, checked and CRC-verified)."""
        info = self._info(name)
        out = bytearray(info.file_size)
        with self._open(info) as f:
            self._read_into(f, memoryview(out), info)
        return bytes(out)

    def read_npy(self, name: str) -> np.ndarray:
        """The array of the `.npy` entry `name`, whose header must declare exactly the
        entry's size in one of `NPY_DTYPES`."""
        info = self._info(name)
        with self._open(info) as f:
            try:
                head = f.read(10)
                if len(head) < 10 or head[:6] != b"\x93NUMPY":
                    raise ValueError("not an .npy entry (no magic string)")
                major = head[6]
                if major == 1:
                    length, start = struct.unpack("<H", head[8:10])[0], 10
                elif major in (2, 3):
                    head += f.read(2)
                    length, start = struct.unpack("<I", head[8:12])[0], 12
                else:
                    raise ValueError(f"unsupported .npy version {major}.{head[7]}")
                if length > MAX_NPY_HEADER or start + length > info.file_size:
                    raise ValueError(f"the header declares {length} bytes")
                text = f.read(length)
                if len(text) != length:
                    raise ValueError("the header is truncated")
                dtype, fortran, shape = parse_npy_header(text.decode(
                    "utf-8" if major == 3 else "latin1"))
            except _ZIP_ERRORS as exc:
                raise self.fail(f"array entry {name} is invalid: {exc}") from None
            count = 1
            for d in shape:
                count *= d
            nbytes = count * dtype.itemsize
            if start + length + nbytes != info.file_size:
                raise self.fail(f"array entry {name}: its header declares shape {shape} of "
                                f"{dtype.str} ({nbytes} bytes) but the entry holds "
                                f"{info.file_size - start - length} bytes of data")
            arr = np.empty(count, dtype)
            self._read_into(f, memoryview(arr.view(np.uint8)), info)
        arr = arr.reshape(shape, order="F" if fortran else "C")
        if not dtype.isnative:
            arr = arr.astype(dtype.newbyteorder("="))
        return arr

    def _open(self, info):
        try:
            return self._zip.open(info)
        except _ZIP_ERRORS as exc:
            raise self.fail(f"entry {info.filename} cannot be opened: {exc}") from None

    def _read_into(self, f, out: memoryview, info) -> None:
        """Fill `out` from the entry stream `f`, which must end exactly there."""
        done = 0
        try:
            while done < len(out):
                chunk = f.read(min(CHUNK, len(out) - done))
                if not chunk:
                    raise EOFError(f"the data ends after {done} of {len(out)} bytes")
                out[done:done + len(chunk)] = chunk
                done += len(chunk)
            if f.read(1):  # (also makes zipfile verify the entry's CRC)
                raise ValueError("the entry holds more data than declared")
        except _ZIP_ERRORS as exc:
            raise self.fail(f"entry {info.filename} is corrupt: {exc}") from None


_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


# ---------------------------------------------------------------- .npy headers
# The header is a Python dict literal with three keys, as numpy writes it:
#   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }  + spaces + "\n"
_ITEM = re.compile(r"\s*'(descr|fortran_order|shape)'\s*:\s*(?:'([^'\\]{1,16})'|(True|False)|"
                   r"\(\s*((?:\d{1,20}\s*,\s*)*(?:\d{1,20}\s*)?)\))\s*(,?)")


def parse_npy_header(text: str) -> tuple[np.dtype, bool, tuple]:
    """(dtype, fortran_order, shape) of an .npy header; ValueError unless it is exactly a
    dict of 'descr' (on the allow-list), 'fortran_order' (bool) and 'shape' (tuple of
    ints, rank <= 64, dims < 2^40)."""
    body = text.rstrip(" \n\x00")
    if not (body.startswith("{") and body.endswith("}")):
        raise ValueError("the header is not a dict")
    pos, end, found = 1, len(body) - 1, {}
    while pos < end and body[pos:end].strip():
        m = _ITEM.match(body, pos, end)
        if m is None:
            raise ValueError(f"unreadable header near {body[pos:pos + 40]!r}")
        key, descr, flag, dims = m.group(1, 2, 3, 4)
        if key in found:
            raise ValueError(f"header key {key!r} appears twice")
        if key == "descr" and descr is not None:
            found[key] = descr
        elif key == "fortran_order" and flag is not None:
            found[key] = flag == "True"
        elif key == "shape" and dims is not None:
            found[key] = dims
        else:
            raise ValueError(f"header key {key!r} has a value of the wrong kind")
        pos = m.end()
        if not m.group(5) and body[pos:end].strip():
            raise ValueError("header items must be separated by commas")
    if len(found) != 3:
        missing = sorted({"descr", "fortran_order", "shape"} - set(found))
        raise ValueError(f"the header lacks {missing}")
    dtype = NPY_DTYPES.get(found["descr"])
    if dtype is None:
        raise ValueError(f"dtype {found['descr']!r} is not one graphc reads (allowed: numeric "
                         "and bool types)")
    shape = tuple(int(d) for d in found["shape"].replace(",", " ").split())
    if found["shape"].strip() and "," not in found["shape"]:
        raise ValueError("a shape of one dim needs a trailing comma")
    if len(shape) > MAX_RANK or any(d >= MAX_DIM for d in shape):
        raise ValueError(f"shape {shape[:8]} has too many or too large dims")
    return dtype, found["fortran_order"], shape
