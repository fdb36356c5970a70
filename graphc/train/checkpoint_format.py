"""On-disk checkpoint formats behind `tf.train.Saver`: a small writer/reader interface and
graphc's own format.

A format names the files of a checkpoint `<prefix>` (its index first: the file whose
presence makes the checkpoint complete), writes {name: array} atomically with the index
last, tells whether the files at a prefix are its own, and reads the index (name ->
dtype and shape) and the tensors. The Saver writes with one format and reads with the
format that claims the files (`format_of`), so a second format can sit beside graphc's in
`FORMATS`.

graphc's format: `<prefix>.index` is JSON (format name, version, the data file's name,
per variable its dtype, shape and entry name); `<prefix>.data-00000-of-00001` is a zip of
stored (uncompressed) `.npy` entries. No pickle; every read is bounded by the sizes the
files declare and by `LIMITS` (`ir/fileio.py`, shared with graph files), so a damaged or
hostile checkpoint raises `DataLossError` naming the file and the entry, quickly.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from typing import NamedTuple

import numpy as np

from ..ir import dtypes as _dt
from ..ir import fileio
from ..ir.errors import DataLossError, NotFoundError

LIMITS = {
    "index_bytes": 256 << 20,   # about a million variables
    "data_bytes": 1 << 40,      # the data file (stored entries never expand beyond it)
    "tensors": 1_000_000,
}
_NUMERIC = {d.name: d for d in _dt.ALL_DTYPES if d.kind not in ("string", "resource")}


class TensorMeta(NamedTuple):
    """What a checkpoint's index says about one tensor."""
    dtype: _dt.DType
    shape: list


class CheckpointFormat:
    """The interface a checkpoint format implements for the Saver and the readers."""

    name = "?"

    def files(self, prefix: str) -> list:
        """The files of checkpoint `prefix`, the index (the commit point) first."""
        raise NotImplementedError

    def claims(self, prefix: str) -> bool:
        """Whether the index at `prefix` is in this format (read from its first bytes)."""
        raise NotImplementedError

    def write(self, prefix: str, tensors: dict) -> None:
        """Write {name: array} as checkpoint `prefix`: every file atomically, index last."""
        raise NotImplementedError

    def read_index(self, prefix: str) -> dict:
        """{name: TensorMeta} of checkpoint `prefix`."""
        raise NotImplementedError

    def read_tensors(self, prefix: str, names=None) -> dict:
        """{name: array} for `names` (default: all) from checkpoint `prefix`."""
        raise NotImplementedError


def _fail_for(path: str):
    def fail(message: str) -> DataLossError:
        return DataLossError(None, None, f"Checkpoint file {path}: {message}")
    return fail


class GraphcFormat(CheckpointFormat):
    """graphc's checkpoint: a JSON index and a zip of stored `.npy` entries."""

    name = "graphc-checkpoint"
    version = 1
    INDEX_SUFFIX = ".index"
    DATA_SUFFIX = ".data-00000-of-00001"

    def files(self, prefix: str) -> list:
        return [prefix + self.INDEX_SUFFIX, prefix + self.DATA_SUFFIX]

    def claims(self, prefix: str) -> bool:
        path = prefix + self.INDEX_SUFFIX
        f, _ = fileio.open_regular(path, _fail_for(path), LIMITS["index_bytes"])
        with f:
            return f.read(64).lstrip().startswith(b"{")

    def write(self, prefix: str, tensors: dict) -> None:
        entries, arrays = {}, {}
        for i, (name, value) in enumerate(sorted(tensors.items())):
            value = np.asarray(value)
            if not value.dtype.isnative:
                value = value.astype(value.dtype.newbyteorder("="))
            if value.dtype.kind not in "biufc" or _dt.from_numpy(value).name not in _NUMERIC:
                raise TypeError(f"Cannot checkpoint {name!r}: dtype {value.dtype} is not a "
                                "numeric or bool graphc dtype")
            arrays[name] = value
            entries[name] = {"dtype": _dt.from_numpy(value).name, "shape": list(value.shape),
                             "entry": f"t{i}.npy"}

        def write_data(f):
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
                for name, meta in entries.items():
                    buf = io.BytesIO()
                    np.save(buf, np.array(arrays[name], order="C"), allow_pickle=False)
                    z.writestr(meta["entry"], buf.getvalue())

        index = json.dumps({"format": self.name, "version": self.version,
                            "data": os.path.basename(prefix + self.DATA_SUFFIX),
                            "tensors": entries}, indent=1, sort_keys=True).encode()
        fileio.atomic_write(prefix + self.DATA_SUFFIX, write_data)
        fileio.atomic_write(prefix + self.INDEX_SUFFIX, lambda f: f.write(index))

    def read_index(self, prefix: str) -> dict:
        return {name: TensorMeta(_NUMERIC[m["dtype"]], m["shape"])
                for name, m in self._index(prefix).items()}

    def _index(self, prefix: str) -> dict:
        """The index's validated {name: {"dtype", "shape", "entry"}}."""
        path = prefix + self.INDEX_SUFFIX
        fail = _fail_for(path)
        index = fileio.parse_json(fileio.read_file(path, fail, LIMITS["index_bytes"]), fail,
                                  "the index")
        if not isinstance(index, dict) or index.get("format") != self.name:
            raise fail("not a graphc checkpoint index")
        if index.get("version") != self.version:
            raise fail(f"checkpoint version {str(index.get('version'))[:40]}; this graphc "
                       f"reads version {self.version}")
        tensors = index.get("tensors")
        if not isinstance(tensors, dict):
            raise fail("'tensors' must be an object")
        if len(tensors) > LIMITS["tensors"]:
            raise fail(f"more than {LIMITS['tensors']} tensors")
        used = set()
        for name, meta in tensors.items():
            label = f"entry for {name[:200]!r}"
            if not isinstance(meta, dict) or set(meta) != {"dtype", "shape", "entry"}:
                raise fail(f"{label} must hold exactly dtype, shape and entry")
            if not isinstance(meta["dtype"], str) or meta["dtype"] not in _NUMERIC:
                raise fail(f"{label}: dtype {str(meta['dtype'])[:40]!r} is not one graphc "
                           f"reads ({', '.join(_NUMERIC)})")
            try:
                fileio.check_dims(meta["shape"])
            except ValueError as exc:
                raise fail(f"{label}: {exc}") from None
            entry = meta["entry"]
            if not isinstance(entry, str) or not 0 < len(entry) <= 255:
                raise fail(f"{label}: 'entry' must be an entry name")
            if entry in used:
                raise fail(f"{label}: entry {entry} is used twice")
            used.add(entry)
        return tensors

    def read_tensors(self, prefix: str, names=None) -> dict:
        entries = self._index(prefix)
        names = list(entries) if names is None else list(names)
        path = prefix + self.DATA_SUFFIX
        fail = _fail_for(path)
        limits = {"file_bytes": LIMITS["data_bytes"], "entry_bytes": LIMITS["data_bytes"],
                  "total_bytes": LIMITS["data_bytes"], "compression_ratio": 1,
                  "expansion_floor": 0}
        out = {}
        with fileio.ZipArchive(path, fail, limits, methods=(zipfile.ZIP_STORED,),
                               kind="a graphc checkpoint's data (a zip)") as z:
            for name in names:
                meta = entries[name]
                arr = z.read_npy(meta["entry"])
                if list(arr.shape) != meta["shape"] or _dt.from_numpy(arr).name != \
                        meta["dtype"]:
                    raise fail(f"entry {meta['entry']} (tensor {name!r}) holds shape "
                               f"{arr.shape} of {_dt.from_numpy(arr).name}; its index says "
                               f"{tuple(meta['shape'])} of {meta['dtype']}")
                out[name] = arr
        return out


GRAPHC = GraphcFormat()
FORMATS: list = [GRAPHC]  # the formats checkpoints are read in; a Saver writes GRAPHC


def format_of(prefix: str) -> CheckpointFormat:
    """The format of the checkpoint at `prefix` (NotFoundError when there is none)."""
    indexes = [fmt.files(prefix)[0] for fmt in FORMATS]
    if not any(os.path.lexists(p) for p in indexes):
        raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed "
                            f"to find any matching files for {prefix} (no "
                            f"{' or '.join(sorted(set(indexes)))})")
    for fmt in FORMATS:
        if os.path.lexists(fmt.files(prefix)[0]) and fmt.claims(prefix):
            return fmt
    raise DataLossError(None, None, f"{' or '.join(sorted(set(indexes)))}: the checkpoint "
                        f"index is in no format graphc reads "
                        f"({', '.join(f.name for f in FORMATS)}): not a checkpoint index, "
                        "or a truncated one (TensorFlow's ends with its table's footer)")


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """Whether a complete checkpoint (its index) exists at `checkpoint_prefix`."""
    return any(os.path.exists(fmt.files(checkpoint_prefix)[0]) for fmt in FORMATS)
