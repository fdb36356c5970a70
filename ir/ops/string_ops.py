"""String ops (TF1's names and semantics) over numpy object arrays of bytes.

Elementwise: StringLength, Substr, StringLower/Upper, StringStrip, StringJoin (with scalar
broadcasting), RegexReplace, RegexFullMatch, StringToNumber, AsString; reductions:
ReduceJoin, UnsortedSegmentJoin; StringFormat (tf.print's format). Strings are bytes, as in
TF1 (a `str` fed or given becomes UTF-8). Regular expressions are Python's `re`, which
agrees with TF's RE2 on the common syntax (RE2 has no backreferences in patterns, Python
has; RE2's `\\0` in a rewrite is the whole match, translated here). None of these ops is
differentiable; the llvm backend runs them as numpy kernels (strings never lower).
"""
from __future__ import annotations

import functools
import re
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape, broadcast_shapes, unknown_shape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, const_value, convert_to_tensor, defop
from .debug_ops import summarize_v2

__all__ = ["string_length", "substr", "string_lower", "string_upper", "string_strip",
           "string_join", "regex_replace", "regex_full_match", "string_to_number",
           "as_string", "reduce_join", "unsorted_segment_join", "string_format", "elementwise",
           "strings_in"]

FAMILY = "string"


def strings_in(value, name: str):
    """A string tensor from a tensor, str, bytes or nested list of them."""
    if hasattr(value, "_as_tensor") and value._as_tensor().dtype is not dt.string:
        t = value._as_tensor()
        raise TypeError(f"Input '{name}' ('{t.name}') has type {t.dtype.name} that does not "
                        "match expected type of string")
    return convert_to_tensor(value, dtype=dt.string, name=name)


def elementwise(fn, x: np.ndarray, out=object) -> np.ndarray:
    """fn applied to every element of an object array, as an array of `out`."""
    result = np.frompyfunc(fn, 1, 1)(x) if x.size else np.zeros(x.shape, object)
    return np.asarray(result, dtype=object).astype(out) if out is not object else \
        np.asarray(result, dtype=object)


def _string_infer(out_dtype=dt.string):
    def infer(op):
        check_dtype(op, op.inputs[0], (dt.string,), "input")
        return [(out_dtype, op.inputs[0].shape)]
    return infer


def _decode(s: bytes) -> str:
    return s.decode("utf-8", errors="replace")


# ------------------------------------------------------------------ StringLength
def _length_compute(x, *, unit):
    if unit == "UTF8_CHAR":
        return elementwise(lambda s: len(_decode(s)), x, np.int32)
    return elementwise(len, x, np.int32)


defop("StringLength", _string_infer(dt.int32), _length_compute, NON_DIFFERENTIABLE,
      family=FAMILY)


def _unit(unit: str) -> str:
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    return unit


def string_length(input, name: Optional[str] = None, unit: str = "BYTE"):
    """TF1 `tf.strings.length`: the length of each string in bytes or UTF-8 characters."""
    return apply("StringLength", (strings_in(input, "input"),), {"unit": _unit(unit)},
                 name=name or "StringLength")


# ------------------------------------------------------------------ Substr
def _substr_infer(op):
    x, pos, length = op.inputs
    check_dtype(op, x, (dt.string,), "input")
    for t, what in ((pos, "pos"), (length, "len")):
        check_dtype(op, t, (dt.int32, dt.int64), what)
    if pos.dtype is not length.dtype:
        raise TypeError(f"pos '{pos.name}' is {pos.dtype.name} but len '{length.name}' is "
                        f"{length.dtype.name}")
    shape = broadcast_shapes(broadcast_shapes(x.shape, pos.shape), length.shape)
    if shape is None:
        raise ValueError(f"input {x.shape}, pos {pos.shape} and len {length.shape} must "
                         "have one shape or broadcast to it")
    return [(dt.string, shape)]


def _substr_compute(x, pos, length, *, unit):
    x, pos, length = np.broadcast_arrays(x, pos, length)
    out = np.empty(x.shape, object)
    for i in np.ndindex(x.shape):
        s = x[i] if unit == "BYTE" else _decode(x[i])
        p, n = int(pos[i]), int(length[i])
        if p > len(s) or p < -len(s):
            raise InvalidArgumentError(None, None, f"pos {p} out of range for string "
                                       f"b'{_decode(x[i])}' at index {list(i) or 0}")
        p = p if p >= 0 else len(s) + p
        piece = s[p:p + max(n, 0)]
        out[i] = piece if unit == "BYTE" else piece.encode("utf-8")
    return out


defop("Substr", _substr_infer, _substr_compute, NON_DIFFERENTIABLE, family=FAMILY)


def substr(input, pos, len, name: Optional[str] = None, unit: str = "BYTE"):  # noqa: A002
    """TF1 `tf.strings.substr`: input[pos:pos + len] of each string (a negative pos counts
    from the end; pos beyond the string is an error)."""
    x = strings_in(input, "input")
    p = convert_to_tensor(pos, dtype_hint=dt.int32, name="pos")
    n = convert_to_tensor(len, dtype=p.dtype, name="len")
    return apply("Substr", (x, p, n), {"unit": _unit(unit)}, name=name or "Substr")


# ------------------------------------------------------------------ case, strip
def _case_compute(upper: bool):
    def compute(x, *, encoding):
        if encoding:
            return elementwise(lambda s: (_decode(s).upper() if upper else
                                          _decode(s).lower()).encode("utf-8"), x)
        return elementwise(bytes.upper if upper else bytes.lower, x)  # ASCII only (TF1)
    return compute


defop("StringUpper", _string_infer(), _case_compute(True), NON_DIFFERENTIABLE, family=FAMILY)
defop("StringLower", _string_infer(), _case_compute(False), NON_DIFFERENTIABLE, family=FAMILY)


def _encoding(encoding: str) -> str:
    if encoding not in ("", "utf-8", "UTF-8"):
        raise ValueError(f"encoding must be '' (ASCII) or 'utf-8', got {encoding!r}")
    return encoding


def string_upper(input, encoding: str = "", name: Optional[str] = None):
    """TF1 `tf.strings.upper`: ASCII letters upper-cased ('utf-8': all letters)."""
    return apply("StringUpper", (strings_in(input, "input"),),
                 {"encoding": _encoding(encoding)}, name=name or "StringUpper")


def string_lower(input, encoding: str = "", name: Optional[str] = None):
    """TF1 `tf.strings.lower`: ASCII letters lower-cased ('utf-8': all letters)."""
    return apply("StringLower", (strings_in(input, "input"),),
                 {"encoding": _encoding(encoding)}, name=name or "StringLower")


defop("StringStrip", _string_infer(), lambda x: elementwise(bytes.strip, x),
      NON_DIFFERENTIABLE, family=FAMILY)


def string_strip(input, name: Optional[str] = None):
    """TF1 `tf.strings.strip`: leading and trailing whitespace removed."""
    return apply("StringStrip", (strings_in(input, "input"),), name=name or "StringStrip")


# ------------------------------------------------------------------ StringJoin
def _join_infer(op):
    shape = TensorShape([])
    for t in op.inputs:
        check_dtype(op, t, (dt.string,), "inputs")
        if t.shape.ndims == 0:
            continue
        if shape.ndims == 0:
            shape = t.shape
        elif not shape.is_compatible_with(t.shape):
            raise ValueError(f"inputs must be scalars or have one shape, got {shape} and "
                             f"{t.shape} ('{t.name}')")
        else:
            shape = shape.merge_with(t.shape)
    return [(dt.string, shape)]


def _join_compute(*inputs, separator):
    shapes = {a.shape for a in inputs if a.ndim}
    if len(shapes) > 1:
        raise InvalidArgumentError(None, None, f"Input shapes do not match: {sorted(shapes)}")
    arrays = np.broadcast_arrays(*inputs) if inputs else []
    sep = separator.encode("utf-8") if isinstance(separator, str) else separator
    out = np.empty(arrays[0].shape if arrays else (), object)
    for i in np.ndindex(out.shape):
        out[i] = sep.join(a[i] for a in arrays)
    return out


defop("StringJoin", _join_infer, _join_compute, NON_DIFFERENTIABLE, family=FAMILY)


def string_join(inputs, separator: str = "", name: Optional[str] = None):
    """TF1 `tf.strings.join`: the inputs (one shape, or scalars) joined elementwise."""
    ts = [strings_in(t, "inputs") for t in inputs]
    if not ts:
        raise ValueError("string_join needs at least one input")
    return apply("StringJoin", ts, {"separator": separator}, name=name or "StringJoin")


# ------------------------------------------------------------------ regular expressions
@functools.lru_cache(maxsize=256)
def _regex(pattern: bytes):
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InvalidArgumentError(None, None, f"Invalid pattern: {pattern!r}, error: "
                                   f"{exc}") from None


def _scalar_string(v: np.ndarray, what: str) -> bytes:
    if v.ndim != 0:
        raise InvalidArgumentError(None, None, f"{what} must be a scalar, got shape "
                                   f"{list(v.shape)}")
    return v[()]


def _regex_infer(op):
    check_dtype(op, op.inputs[0], (dt.string,), "input")
    for t in op.inputs[1:]:
        check_dtype(op, t, (dt.string,), "pattern")
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"'{t.name}' must be a scalar string, got shape {t.shape}")
    return [(dt.string if op.type == "RegexReplace" else dt.bool_, op.inputs[0].shape)]


def _replace_compute(x, pattern, rewrite, *, replace_global):
    rx = _regex(_scalar_string(pattern, "pattern"))
    template = re.sub(rb"\\0", rb"\\g<0>", _scalar_string(rewrite, "rewrite"))
    count = 0 if replace_global else 1
    return elementwise(lambda s: rx.sub(template, s, count=count), x)


def _full_match_compute(x, pattern):
    rx = _regex(_scalar_string(pattern, "pattern"))
    return elementwise(lambda s: rx.fullmatch(s) is not None, x, np.bool_)


defop("RegexReplace", _regex_infer, _replace_compute, NON_DIFFERENTIABLE, family=FAMILY)
defop("RegexFullMatch", _regex_infer, _full_match_compute, NON_DIFFERENTIABLE, family=FAMILY)


def regex_replace(input, pattern, rewrite, replace_global: bool = True,
                  name: Optional[str] = None):
    """TF1 `tf.strings.regex_replace`: matches of `pattern` replaced by `rewrite` (`\\1`
    is a group; all matches, or the first with replace_global=False)."""
    return apply("RegexReplace", (strings_in(input, "input"), strings_in(pattern, "pattern"),
                                  strings_in(rewrite, "rewrite")),
                 {"replace_global": bool(replace_global)}, name=name or "RegexReplace")


def regex_full_match(input, pattern, name: Optional[str] = None):
    """TF1 `tf.strings.regex_full_match`: whether each whole string matches `pattern`."""
    return apply("RegexFullMatch", (strings_in(input, "input"),
                                    strings_in(pattern, "pattern")),
                 name=name or "RegexFullMatch")


# ------------------------------------------------------------------ numbers
_NUMBER = re.compile(rb"\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf(inity)?|"
                     rb"nan)\s*", re.IGNORECASE)
_INTEGER = re.compile(rb"\s*[-+]?\d+\s*")


def _to_number_compute(x, *, out_type):
    d = dt.as_dtype(out_type)

    def parse(s):
        if not (_INTEGER if d.is_integer else _NUMBER).fullmatch(s):
            raise InvalidArgumentError(None, None, f"StringToNumberOp could not correctly "
                                       f"convert string: {_decode(s)}")
        if d.is_integer:
            v = int(s)
            info = np.iinfo(d.np)
            if not info.min <= v <= info.max:
                raise InvalidArgumentError(None, None, f"StringToNumberOp could not correctly"
                                           f" convert string: {_decode(s)}")
            return v
        return float(s)
    return elementwise(parse, x, d.np)


def _to_number_infer(op):
    check_dtype(op, op.inputs[0], (dt.string,), "string_tensor")
    return [(dt.as_dtype(op.attrs["out_type"]), op.inputs[0].shape)]


defop("StringToNumber", _to_number_infer, _to_number_compute, NON_DIFFERENTIABLE,
      family=FAMILY)


def string_to_number(string_tensor=None, out_type=dt.float32, name: Optional[str] = None,
                     input=None):
    """TF1 `tf.strings.to_number`: each string parsed as out_type (float32, float64,
    int32, int64); a string that is no such number is an InvalidArgumentError."""
    value = input if string_tensor is None else string_tensor
    d = dt.as_dtype(out_type)
    if d not in (dt.float32, dt.float64, dt.int32, dt.int64):
        raise TypeError(f"out_type must be float32, float64, int32 or int64, got {d.name}")
    return apply("StringToNumber", (strings_in(value, "string_tensor"),),
                 {"out_type": d.name}, name=name or "StringToNumber")


def _as_string_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, dt.NUMERIC + (dt.bool_,), "input")
    return [(dt.string, x.shape)]


def _as_string_compute(x, *, precision, scientific, shortest, width, fill):
    if x.dtype == np.bool_:
        return elementwise(lambda b: b"true" if b else b"false", x)
    spec = "%" + fill + (str(width) if width > -1 else "")
    if x.dtype.kind == "f":
        spec += (f".{precision}" if precision > -1 else "") + \
            ("e" if scientific else "g" if shortest else "f")
        return elementwise(lambda v: (spec % float(v)).encode(), x)
    return elementwise(lambda v: ((spec + "d") % int(v)).encode(), x)


def as_string(input, precision: int = -1, scientific: bool = False, shortest: bool = False,
              width: int = -1, fill: str = "", name: Optional[str] = None):
    """TF1 `tf.strings.as_string`: numbers and booleans as strings, printf-style (floats
    %f, or %e with scientific, %g with shortest; `width` padded with `fill`)."""
    x = convert_to_tensor(input, name="input")
    if len(fill) > 1 or fill and fill not in " +-0#":
        raise ValueError(f"Fill argument not supported: {fill!r} (one of ' ', '+', '-', '0', "
                         "'#')")
    if not x.dtype.is_floating and (precision > -1 or scientific or shortest):
        raise ValueError(f"precision, scientific and shortest are not supported for "
                         f"{x.dtype.name}")
    if scientific and shortest:
        raise ValueError("Cannot select both scientific and shortest notation")
    return apply("AsString", (x,), {"precision": int(precision), "scientific": bool(scientific),
                                    "shortest": bool(shortest), "width": int(width),
                                    "fill": fill}, name=name or "AsString")


defop("AsString", _as_string_infer, _as_string_compute, NON_DIFFERENTIABLE, family=FAMILY)


# ------------------------------------------------------------------ reductions
def _join_axes(axes, r: int) -> list:
    """The reduced axes in TF1's order: the first varies fastest in the joined strings;
    None is every axis from the last, which joins in row-major order."""
    if axes is None:
        return list(range(r - 1, -1, -1))
    out = []
    for a in axes:
        if not -r <= a < r:
            raise ValueError(f"Invalid reduction dimension {a} for input with {r} dimensions")
        if a % r in out:
            raise ValueError(f"Duplicate reduction dimension {a}")
        out.append(a % r)
    return out


def _reduce_join_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, (dt.string,), "inputs")
    r, keep = x.shape.ndims, op.attrs["keep_dims"]
    if r is None:
        return [(dt.string, unknown_shape())]
    ax = _join_axes(op.attrs["axes"], r)
    dims = x.shape.as_list()
    return [(dt.string, TensorShape([1 if i in ax else d for i, d in enumerate(dims)] if keep
                                    else [d for i, d in enumerate(dims) if i not in ax]))]


def _reduce_join_compute(x, *, axes, keep_dims, separator):
    r = x.ndim
    try:
        ax = _join_axes(axes, r)
    except ValueError as exc:
        raise InvalidArgumentError(None, None, str(exc)) from None
    rest = [i for i in range(r) if i not in ax]
    moved = np.transpose(x, rest + ax[::-1])  # the first reduced axis last: fastest
    lead = moved.shape[:len(rest)]
    flat = moved.reshape(lead + (int(np.prod([x.shape[a] for a in ax])),))
    sep = separator.encode("utf-8")
    out = np.empty(lead, object)
    for i in np.ndindex(lead):
        out[i] = sep.join(flat[i])
    if keep_dims:
        out = out.reshape([1 if i in ax else x.shape[i] for i in range(r)])
    return out


defop("ReduceJoin", _reduce_join_infer, _reduce_join_compute, NON_DIFFERENTIABLE,
      family=FAMILY)


def reduce_join(inputs, axis=None, keep_dims=None, separator: str = "",
                name: Optional[str] = None, reduction_indices=None, keepdims=None):
    """TF1 `tf.strings.reduce_join`: strings joined along `axis` (all axes when None), in
    row-major order."""
    if axis is None:
        axis = reduction_indices
    keep = bool(keepdims) if keepdims is not None else bool(keep_dims)
    if axis is not None:
        v = const_value(axis) if hasattr(axis, "_as_tensor") else np.asarray(axis)
        if v is None:
            raise ValueError("reduce_join needs its axis known when the graph is built")
        axis = [int(a) for a in np.asarray(v).reshape(-1)]
    return apply("ReduceJoin", (strings_in(inputs, "inputs"),),
                 {"axes": axis, "keep_dims": keep, "separator": separator},
                 name=name or "ReduceJoin")


def _segment_join_infer(op):
    x, ids, num = op.inputs
    check_dtype(op, x, (dt.string,), "inputs")
    check_dtype(op, ids, (dt.int32, dt.int64), "segment_ids")
    check_dtype(op, num, (dt.int32, dt.int64), "num_segments")
    v = const_value(num)
    k, dims = ids.shape.ndims, x.shape.as_tuple()
    if dims is None or k is None:
        return [(dt.string, unknown_shape())]
    return [(dt.string, TensorShape((None if v is None else int(v),) + tuple(dims[k:])))]


def _segment_join_compute(x, ids, num, *, separator):
    n = int(num)
    if x.shape[:ids.ndim] != ids.shape:
        raise InvalidArgumentError(None, None, f"segment_ids.shape {list(ids.shape)} must "
                                   f"be a prefix of inputs.shape {list(x.shape)}")
    flat_ids = ids.reshape(-1)
    rows = x.reshape((flat_ids.size,) + x.shape[ids.ndim:])
    bad = np.flatnonzero(flat_ids >= n)
    if bad.size:
        raise InvalidArgumentError(None, None, f"segment_ids[{int(bad[0])}] = "
                                   f"{int(flat_ids[bad[0]])} is out of range [0, {n})")
    sep = separator.encode("utf-8")
    out = np.empty((n,) + rows.shape[1:], object)
    for j in np.ndindex(rows.shape[1:]):
        for s in range(n):
            out[(s,) + j] = sep.join(rows[(i,) + j] for i in np.flatnonzero(flat_ids == s))
    return out


defop("UnsortedSegmentJoin", _segment_join_infer, _segment_join_compute, NON_DIFFERENTIABLE,
      family=FAMILY)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator: str = "",
                          name: Optional[str] = None):
    """TF1 `tf.strings.unsorted_segment_join`: the strings of each segment joined in order
    of appearance (empty segments: ''; negative ids are dropped)."""
    ids = convert_to_tensor(segment_ids, name="segment_ids")
    num = convert_to_tensor(num_segments, dtype_hint=ids.dtype, name="num_segments")
    return apply("UnsortedSegmentJoin", (strings_in(inputs, "inputs"), ids, num),
                 {"separator": separator}, name=name or "UnsortedSegmentJoin")


# ------------------------------------------------------------------ StringFormat
def _format_infer(op):
    return [(dt.string, TensorShape([]))]


def _format_compute(*inputs, template, placeholder, summarize):
    pieces = template.split(placeholder)
    text = pieces[0] + "".join(summarize_v2(v, summarize) + p
                               for v, p in zip(inputs, pieces[1:]))
    return np.asarray(text.encode("utf-8"), dtype=object)


defop("StringFormat", _format_infer, _format_compute, NON_DIFFERENTIABLE, family=FAMILY)


def string_format(template: str, inputs, placeholder: str = "{}", summarize: int = 3,
                  name: Optional[str] = None):
    """TF1 `tf.strings.format`: `template` with each `placeholder` replaced by a tensor in
    tf.print's format (the first and last `summarize` entries of each dim)."""
    ts = [convert_to_tensor(t) for t in (inputs if isinstance(inputs, (list, tuple))
                                         else [inputs])]
    if template.count(placeholder) != len(ts):
        raise ValueError(f"{template.count(placeholder)} placeholder(s) in template does not "
                         f"match the number of inputs {len(ts)}")
    return apply("StringFormat", ts, {"template": template, "placeholder": placeholder,
                                      "summarize": int(summarize)}, name=name or "StringFormat")
