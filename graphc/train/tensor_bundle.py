"""TensorFlow's V2 checkpoint format (a "tensor bundle"), the format `tf.train.Saver` writes
by default, so TensorFlow restores graphc's checkpoints and graphc restores TensorFlow's.

`<prefix>.index` is a sorted string table (`sstable.py`): under the empty key a
`BundleHeaderProto` (number of data shards, endianness, format version), under each
tensor's name a `BundleEntryProto` (dtype, shape, shard, offset and size in the shard,
masked CRC-32C of the bytes). `<prefix>.data-0000k-of-0000n` hold the tensors' raw bytes
(little-endian, C order), one after the other; a string tensor is its elements' lengths
as varints, a masked CRC-32C of the lengths, then the elements' bytes (the entry's CRC
covers the lengths as 32-bit integers, that checksum and the bytes). graphc writes one
shard, or one per group of tensors a sharded Saver asks for; it reads any number. Refused
with an error naming the file and the tensor: sliced (partitioned) variables, tensors
graphc has no dtype for, big-endian bundles, and anything whose sizes, offsets or
checksums do not add up.
"""
from __future__ import annotations

import numpy as np
from google.protobuf import message as _message

from .. import protos
from ..ir import dtypes as _dt
from ..ir import fileio
from ..ir.crc32c import crc32c, mask, unmask
from ..ir.errors import DataLossError, NotFoundError, UnimplementedError
from . import sstable
from .checkpoint_format import FORMATS, LIMITS, CheckpointFormat, TensorMeta

VERSION = 1        # kTensorBundleVersion: the producer version graphc writes
_HEADER_KEY = b""
_NUMERIC = {d.name for d in _dt.ALL_DTYPES if d.kind not in ("string", "resource")}
_READABLE = _NUMERIC | {"string"}


def _fail_for(path: str, error=DataLossError):
    def fail(message: str):
        return error(None, None, f"Checkpoint file {path}: {message}")
    return fail


def shard_name(prefix: str, shard: int, num_shards: int) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


class TensorBundleFormat(CheckpointFormat):
    """TensorFlow's V2 checkpoint: an SSTable index of BundleEntryProtos and raw data."""

    name = "tensorflow-v2-checkpoint"

    def files(self, prefix: str) -> list:
        shards = 1
        try:  # a sharded checkpoint's data files: as many as its header says
            shards = self._index(prefix)[0].num_shards
        except (DataLossError, UnimplementedError, NotFoundError, OSError):
            pass
        return [prefix + ".index"] + [shard_name(prefix, k, shards) for k in range(shards)]

    def claims(self, prefix: str) -> bool:
        path = prefix + ".index"
        f, size = fileio.open_regular(path, _fail_for(path), LIMITS["index_bytes"])
        with f:
            f.seek(max(0, size - 8))
            return sstable.has_footer(f.read(8))

    # ------------------------------------------------------------------ writing
    def write(self, prefix: str, tensors: dict, shards=None) -> None:
        """Write {name: array}; `shards` (a list of lists of names, each name once) puts
        each group in a data file of its own, as TensorFlow's sharded Saver does per
        device."""
        groups = [sorted(tensors)] if shards is None else [sorted(g) for g in shards]
        if sorted(n for g in groups for n in g) != sorted(tensors) or not groups:
            raise ValueError("the shards must hold every tensor once")
        items, data = [], []
        for shard, names in enumerate(groups):
            chunks, offset = [], 0
            for name in names:
                gdtype, raw, crc = _encode(name, tensors[name])
                entry = protos.BundleEntryProto(
                    dtype=protos.as_datatype_enum(gdtype), shard_id=shard, offset=offset,
                    size=len(raw), crc32c=mask(crc),
                    shape=protos.shape_to_proto(list(np.shape(tensors[name]))))
                items.append((name.encode("utf-8"), entry.SerializeToString(deterministic=True)))
                chunks.append(raw)
                offset += len(raw)
            data.append(chunks)
        header = protos.BundleHeaderProto(num_shards=len(groups), endianness=0)
        header.version.producer = VERSION
        table = sstable.build_table([(_HEADER_KEY, header.SerializeToString())] + sorted(items))

        for shard, chunks in enumerate(data):
            def write_data(f, chunks=chunks):
                for raw in chunks:
                    f.write(raw)
            fileio.atomic_write(shard_name(prefix, shard, len(groups)), write_data)
        fileio.atomic_write(prefix + ".index", lambda f: f.write(table))

    # ------------------------------------------------------------------ reading
    def _index(self, prefix: str) -> tuple:
        """(header, {name: BundleEntryProto}) of the index, every entry validated."""
        path = prefix + ".index"
        fail = _fail_for(path)
        rows = sstable.read_table(fileio.read_file(path, fail, LIMITS["index_bytes"]), fail)
        if not rows or rows[0][0] != _HEADER_KEY:
            raise fail("the index has no header entry (the empty key)")
        if len(rows) > LIMITS["tensors"] + 1:
            raise fail(f"more than {LIMITS['tensors']} tensors")
        header = _parse(protos.BundleHeaderProto, rows[0][1], fail, "the header entry")
        if header.endianness != 0:
            raise fail("the bundle is big-endian; graphc reads little-endian bundles")
        if not 0 < header.num_shards <= 1 << 16:
            raise fail(f"the header declares {header.num_shards} data shards")
        if header.version.min_consumer > VERSION:
            raise fail(f"the bundle needs a reader of version {header.version.min_consumer} "
                       f"or newer; graphc reads version {VERSION}")
        entries = {}
        for key, value in rows[1:]:
            try:
                name = key.decode("utf-8")
            except UnicodeDecodeError:
                raise fail(f"tensor name {key[:80]!r} is not UTF-8") from None
            entry = _parse(protos.BundleEntryProto, value, fail, f"the entry of {name!r}")
            _check_entry(name, entry, header.num_shards, fail,
                         _fail_for(path, UnimplementedError))
            entries[name] = entry
        return header, entries

    def read_index(self, prefix: str) -> dict:
        return {name: TensorMeta(protos.as_graphc_dtype(e.dtype), [d.size for d in e.shape.dim])
                for name, e in self._index(prefix)[1].items()}

    def read_tensors(self, prefix: str, names=None) -> dict:
        header, entries = self._index(prefix)
        names = list(entries) if names is None else list(names)
        by_shard: dict = {}
        for name in names:
            by_shard.setdefault(entries[name].shard_id, []).append(name)
        out = {}
        for shard, shard_names in sorted(by_shard.items()):
            path = shard_name(prefix, shard, header.num_shards)
            fail = _fail_for(path)
            f, size = fileio.open_regular(path, fail, LIMITS["data_bytes"])
            with f:
                for name in shard_names:
                    out[name] = _read_tensor(f, size, name, entries[name], fail)
        return out


def _parse(cls, raw: bytes, fail, what: str):
    try:
        return cls.FromString(raw)
    except (_message.DecodeError, RuntimeError, ValueError) as exc:
        raise fail(f"{what} is not a {cls.DESCRIPTOR.name}: {exc}") from None


def _check_entry(name: str, entry, num_shards: int, fail, refuse) -> None:
    """Raise `fail` (DataLossError) for a damaged entry, `refuse` (UnimplementedError) for
    a sound one graphc does not read."""
    label = f"tensor {name[:200]!r}"
    if entry.slices:
        raise refuse(f"{label} is saved in {len(entry.slices)} slices (a partitioned "
                   "variable); graphc reads whole tensors only")
    try:
        gdtype = protos.as_graphc_dtype(entry.dtype, label)
    except TypeError as exc:
        raise refuse(str(exc)) from None
    if gdtype.name not in _READABLE:
        raise refuse(f"{label} has dtype {gdtype.name}; graphc reads numeric, bool and "
                     "string tensors")
    if entry.shape.unknown_rank:
        raise fail(f"{label} has a shape of unknown rank")
    dims = [d.size for d in entry.shape.dim]
    try:
        fileio.check_dims(dims)
    except ValueError as exc:
        raise fail(f"{label}: {exc}") from None
    if not 0 <= entry.shard_id < num_shards:
        raise fail(f"{label} is in shard {entry.shard_id} of {num_shards}")
    count = int(np.prod(dims, dtype=np.int64))
    if gdtype is _dt.string:  # at least a byte of length per element and the checksum
        if entry.size < count + 4 or entry.offset < 0:
            raise fail(f"{label}: {count} strings need at least {count + 4} bytes; the index "
                       f"says {entry.size} at offset {entry.offset}")
        return
    want = count * np.dtype(gdtype.np).itemsize
    if entry.size != want or entry.offset < 0:
        raise fail(f"{label} of shape {dims} and dtype {gdtype.name} needs {want} bytes; "
                   f"the index says {entry.size} at offset {entry.offset}")


def _read_tensor(f, file_size: int, name: str, entry, fail) -> np.ndarray:
    label = f"tensor {name[:200]!r}"
    if entry.offset + entry.size > file_size:
        raise fail(f"{label} at offset {entry.offset} of {entry.size} bytes lies beyond the "
                   f"file's {file_size} bytes (the file is truncated or corrupted)")
    f.seek(entry.offset)
    raw = f.read(entry.size)
    if len(raw) != entry.size:
        raise fail(f"{label}: the file ended while it was read")
    gdtype = protos.as_graphc_dtype(entry.dtype)
    dims = [d.size for d in entry.shape.dim]
    if gdtype is _dt.string:  # (its CRC covers the lengths as integers, not as varints)
        out = _decode_strings(raw, dims, label, fail)
        if _string_crc(list(out.reshape(-1))) != unmask(entry.crc32c):
            raise fail(f"{label}: checksum does not match (the data is corrupted)")
        return out
    if crc32c(raw) != unmask(entry.crc32c):
        raise fail(f"{label}: checksum does not match (the data is corrupted)")
    if gdtype is _dt.bool_:
        return (np.frombuffer(raw, np.uint8) != 0).reshape(dims)
    arr = np.frombuffer(raw, np.dtype(gdtype.np).newbyteorder("<")).astype(gdtype.np)
    return arr.reshape(dims)


# ---------------------------------------------------------------- tensor bytes
def _encode(name: str, value) -> tuple:
    """(graphc dtype, the bytes in the data file, their CRC-32C as the entry keeps it)."""
    value = np.asarray(value)
    if value.dtype.kind in "OSU":
        flat = [_as_bytes(name, v) for v in value.reshape(-1)]
        lengths = b"".join(_varint(len(v)) for v in flat)
        checksum = int(mask(_lengths_crc([len(v) for v in flat]))).to_bytes(4, "little")
        return _dt.string, lengths + checksum + b"".join(flat), _string_crc(flat)
    if value.dtype.kind not in "biufc" or _dt.from_numpy(value).name not in _NUMERIC:
        raise TypeError(f"Cannot checkpoint {name!r}: dtype {value.dtype} is not a "
                        "numeric, bool or string graphc dtype")
    raw = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<")).tobytes()
    return _dt.from_numpy(value), raw, crc32c(raw)


def _as_bytes(name: str, v) -> bytes:
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    raise TypeError(f"Cannot checkpoint {name!r}: a string tensor holds {type(v).__name__} "
                    f"{v!r:.40}")


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _lengths_crc(lengths: list) -> int:
    """The CRC of string lengths as TensorFlow takes it: 32-bit little-endian integers
    (64-bit for a string of 4 GiB or more)."""
    crc = 0
    for n in lengths:
        crc = crc32c(n.to_bytes(4 if n <= 0xFFFFFFFF else 8, "little"), crc)
    return crc


def _string_crc(flat: list) -> int:
    """A string tensor's entry CRC: its lengths, their masked checksum, its bytes."""
    crc = _lengths_crc([len(v) for v in flat])
    crc = crc32c(int(mask(crc)).to_bytes(4, "little"), crc)
    for v in flat:
        crc = crc32c(v, crc)
    return crc


def _decode_strings(raw: bytes, dims: list, label: str, fail) -> np.ndarray:
    count = int(np.prod(dims, dtype=np.int64))
    lengths, pos = [], 0
    for _ in range(count):
        n, shift = 0, 0
        while True:
            if pos >= len(raw) or shift > 63:
                raise fail(f"{label}: the string lengths are cut short or malformed")
            byte = raw[pos]
            pos += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        lengths.append(n)
    if pos + 4 > len(raw):
        raise fail(f"{label}: the string lengths' checksum is missing")
    if unmask(int.from_bytes(raw[pos:pos + 4], "little")) != _lengths_crc(lengths):
        raise fail(f"{label}: the string lengths' checksum does not match (corrupted)")
    pos += 4
    if pos + sum(lengths) != len(raw):
        raise fail(f"{label}: the strings' {sum(lengths)} bytes do not fill the entry's "
                   f"{len(raw) - pos} bytes")
    out = np.empty(count, dtype=object)
    for i, n in enumerate(lengths):
        out[i] = raw[pos:pos + n]
        pos += n
    return out.reshape(dims)


TENSOR_BUNDLE = TensorBundleFormat()
FORMATS.insert(0, TENSOR_BUNDLE)  # read first: its claim is one look at the file's footer
