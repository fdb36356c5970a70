"""Strings to records and files: DecodeCSV, EncodeBase64/DecodeBase64 (web-safe, as TF1),
ReadFile, WriteFile and MatchingFiles (TF1's names and semantics).

DecodeCSV parses each record of a string tensor into one tensor per column default (each
of the records' shape): a column's type is its default's (float32, float64, int32, int64,
string); an empty field (or one equal to na_value) takes the default, and a column whose
default is empty is required. Quoted fields follow RFC 4180 ("" inside quotes is a
quote) when use_quote_delim. ReadFile, WriteFile and MatchingFiles touch the file system,
so they are impure. All are non-differentiable numpy kernels on both backends.
"""
from __future__ import annotations

import base64
import binascii
import glob
import os
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError, NotFoundError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop
from .string_ops import FAMILY, elementwise, strings_in

__all__ = ["decode_csv", "encode_base64", "decode_base64", "read_file", "write_file",
           "matching_files"]

_CSV_TYPES = (dt.float32, dt.float64, dt.int32, dt.int64, dt.string)


# ------------------------------------------------------------------ DecodeCSV
def _csv_infer(op):
    records = op.inputs[0]
    check_dtype(op, records, (dt.string,), "records")
    outs = []
    for d in op.inputs[1:]:
        check_dtype(op, d, _CSV_TYPES, "record_defaults")
        if d.shape.ndims not in (None, 0, 1) or d.shape.ndims == 1 and \
                d.shape[0].value not in (None, 0, 1):
            raise ValueError(f"a record default must be a scalar or have at most one "
                             f"element, got shape {d.shape} ('{d.name}')")
        outs.append((d.dtype, records.shape))
    return outs


def _fields(record: bytes, delim: bytes, quotes: bool, i: int) -> list:
    """The fields of one record, with RFC 4180 quoting when `quotes`."""
    if not quotes:
        return record.split(delim)
    fields, field, j, n = [], bytearray(), 0, len(record)
    while j <= n:
        if j < n and record[j:j + 1] == b'"' and not field:
            j += 1
            while True:
                k = record.find(b'"', j)
                if k < 0:
                    raise InvalidArgumentError(None, None, f"Quoted field has to end with "
                                               f"quote followed by delim or end in record "
                                               f"{i}: {record!r}")
                field += record[j:k]
                if record[k + 1:k + 2] == b'"':
                    field += b'"'
                    j = k + 2
                    continue
                j = k + 1
                break
            if j < n and record[j:j + 1] != delim:
                raise InvalidArgumentError(None, None, f"Quote inside a field must be "
                                           f"followed by the delimiter in record {i}: "
                                           f"{record!r}")
        k = record.find(delim, j) if j < n else -1
        if k < 0:
            field += record[j:]
            fields.append(bytes(field))
            break
        field += record[j:k]
        fields.append(bytes(field))
        field, j = bytearray(), k + 1
        if j == n:
            fields.append(b"")
            break
    return fields


def _parse(field: bytes, d: dt.DType, col: int, rec: int):
    if d is dt.string:
        return field
    try:
        if b"_" in field:  # (Python's int and float take 1_000; TF's parsers do not)
            raise ValueError
        if d.is_integer:
            v = int(field)
            info = np.iinfo(d.np)
            if not info.min <= v <= info.max:
                raise ValueError
            return v
        return float(field)
    except ValueError:
        raise InvalidArgumentError(None, None, f"Field {col} in record {rec} is not a valid "
                                   f"{d.name}: {field.decode('utf-8', 'replace')}") from None


def _csv_compute(records, *defaults, field_delim, use_quote_delim, na_value, select_cols):
    kinds = [dt.from_numpy(d) if d.dtype != object else dt.string for d in defaults]
    outs = [np.empty(records.shape, object if k is dt.string else k.np) for k in kinds]
    delim = field_delim.encode()
    na = na_value.encode()
    for i, idx in enumerate(np.ndindex(records.shape)):
        fields = _fields(records[idx], delim, use_quote_delim, i)
        if select_cols:
            if len(fields) <= max(select_cols):
                raise InvalidArgumentError(None, None, f"Expect {max(select_cols) + 1} "
                                           f"fields but have {len(fields)} in record {i}")
            fields = [fields[c] for c in select_cols]
        if len(fields) != len(defaults):
            raise InvalidArgumentError(None, None, f"Expect {len(defaults)} fields but have "
                                       f"{len(fields)} in record {i}")
        for c, (f, d, k) in enumerate(zip(fields, defaults, kinds)):
            if f == b"" or na and f == na:
                if d.size == 0:
                    raise InvalidArgumentError(None, None, f"Field {c} is required but "
                                               f"missing in record {i}!")
                outs[c][idx] = d.reshape(-1)[0]
            else:
                outs[c][idx] = _parse(f, k, c, i)
    return tuple(outs) if len(outs) > 1 else outs[0]


defop("DecodeCSV", _csv_infer, _csv_compute, NON_DIFFERENTIABLE, family=FAMILY)


def decode_csv(records, record_defaults, field_delim: str = ",", use_quote_delim: bool = True,
               name: Optional[str] = None, na_value: str = "", select_cols=None):
    """TF1 `tf.io.decode_csv`: a list of tensors, one per column of `record_defaults`,
    each of `records`' shape."""
    if len(field_delim) != 1:
        raise ValueError(f"field_delim must be one character, got {field_delim!r}")
    defaults = []
    for i, d in enumerate(record_defaults):
        t = d if hasattr(d, "_as_tensor") else convert_to_tensor(
            np.asarray(d, dtype=object) if _is_text(d) else d, name=f"record_default_{i}")
        if t.dtype not in _CSV_TYPES:
            raise TypeError(f"record_defaults[{i}] has dtype {t.dtype.name}; use float32, "
                            "float64, int32, int64 or string")
        defaults.append(t)
    cols = None if select_cols is None else [int(c) for c in select_cols]
    if cols is not None and (sorted(set(cols)) != cols or len(cols) != len(defaults)):
        raise ValueError("select_cols must be increasing, one per record default")
    out = apply("DecodeCSV", [strings_in(records, "records")] + defaults,
                {"field_delim": field_delim, "use_quote_delim": bool(use_quote_delim),
                 "na_value": na_value, "select_cols": cols}, name=name or "DecodeCSV")
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _is_text(value) -> bool:
    flat = value if isinstance(value, (list, tuple)) else [value]
    return any(isinstance(v, (str, bytes)) for v in flat)


# ------------------------------------------------------------------ base64
def _encode_compute(x, *, pad):
    def encode(s):
        out = base64.urlsafe_b64encode(s)
        return out if pad else out.rstrip(b"=")
    return elementwise(encode, x)


def _decode_compute(x):
    def decode(s):
        try:
            return base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))
        except (binascii.Error, ValueError):
            raise InvalidArgumentError(None, None, f"Invalid character found in base64: "
                                       f"{s[:40]!r}") from None
    return elementwise(decode, x)


def _same_strings(op):
    check_dtype(op, op.inputs[0], (dt.string,), "input")
    return [(dt.string, op.inputs[0].shape)]


defop("EncodeBase64", _same_strings, _encode_compute, NON_DIFFERENTIABLE, family=FAMILY)
defop("DecodeBase64", _same_strings, _decode_compute, NON_DIFFERENTIABLE, family=FAMILY)


def encode_base64(input, pad: bool = False, name: Optional[str] = None):
    """TF1 `tf.io.encode_base64`: web-safe base64 ('-' and '_'), '=' padding only with
    pad=True."""
    return apply("EncodeBase64", (strings_in(input, "input"),), {"pad": bool(pad)},
                 name=name or "EncodeBase64")


def decode_base64(input, name: Optional[str] = None):
    """TF1 `tf.io.decode_base64`: the bytes of web-safe base64 strings (padding
    optional)."""
    return apply("DecodeBase64", (strings_in(input, "input"),), name=name or "DecodeBase64")


# ------------------------------------------------------------------ files
def _scalar(op, t, what):
    check_dtype(op, t, (dt.string,), what)
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"{what} '{t.name}' must be a scalar, got shape {t.shape}")


def _read_infer(op):
    _scalar(op, op.inputs[0], "filename")
    return [(dt.string, TensorShape([]))]


def _read_compute(filename):
    path = os.fsdecode(filename[()])
    try:
        with open(path, "rb") as f:
            return np.asarray(f.read(), dtype=object)
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None


def _write_infer(op):
    _scalar(op, op.inputs[0], "filename")
    _scalar(op, op.inputs[1], "contents")
    return []


def _write_compute(filename, contents):
    path = os.fsdecode(filename[()])
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "wb") as f:
        f.write(contents[()])
    return ()


defop("ReadFile", _read_infer, _read_compute, NON_DIFFERENTIABLE, pure=False, family=FAMILY)
defop("WriteFile", _write_infer, _write_compute, NON_DIFFERENTIABLE, pure=False,
      family=FAMILY)


def read_file(filename, name: Optional[str] = None):
    """TF1 `tf.io.read_file`: the whole file's bytes as a scalar string."""
    return apply("ReadFile", (strings_in(filename, "filename"),), name=name or "ReadFile")


def write_file(filename, contents, name: Optional[str] = None):
    """TF1 `tf.io.write_file`: an op writing `contents` to `filename` (folders made)."""
    return apply("WriteFile", (strings_in(filename, "filename"), strings_in(contents,
                                                                            "contents")),
                 name=name or "WriteFile")


def _matching_infer(op):
    check_dtype(op, op.inputs[0], (dt.string,), "pattern")
    if op.inputs[0].shape.ndims not in (None, 0, 1):
        raise ValueError(f"pattern must be a scalar or a vector, got {op.inputs[0].shape}")
    return [(dt.string, TensorShape([None]))]


def _matching_compute(pattern):
    names = sorted({os.fsencode(p) for pat in np.asarray(pattern, object).reshape(-1)
                    for p in glob.glob(os.fsdecode(pat))})
    out = np.empty(len(names), object)
    out[:] = names
    return out


defop("MatchingFiles", _matching_infer, _matching_compute, NON_DIFFERENTIABLE, pure=False,
      family=FAMILY)


def matching_files(pattern, name: Optional[str] = None):
    """TF1 `tf.io.matching_files`: the sorted file names matching the glob pattern(s)."""
    return apply("MatchingFiles", (strings_in(pattern, "pattern"),),
                 name=name or "MatchingFiles")
