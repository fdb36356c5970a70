"""The string ops whose results are ragged (values plus int64 row splits), TF1's kernels:

UnicodeDecodeWithOffsets / UnicodeDecode  (strings [n]; input_encoding UTF-8, UTF-16-BE
        or UTF-32-BE, errors strict | replace | ignore, replacement_char,
        replace_control_characters) -> (row_splits [n + 1], int32 code points, and the
        byte offset where each starts): an invalid sequence (UTF-8: its maximal subpart,
        as ICU and Python) is an error, one replacement_char, or nothing; with
        replace_control_characters the C0 controls become replacement_char too.
UnicodeEncode  (int32 code points, row_splits; output_encoding, errors, replacement_char)
        -> one string per row; a code point that is no scalar value (a surrogate, above
        U+10FFFF, negative) is an error, replacement_char or dropped.
StringNGrams   (strings, row_splits; separator, ngram_widths, left_pad, right_pad,
        pad_width, preserve_short_sequences) -> (ngrams, row_splits): TF's
        string_ngrams_op.cc (pad_width -1 pads width - 1 on each side).
RaggedRange    (starts, limits, deltas: scalars or vectors) -> (row_splits, values): one
        range per row.

Strings live in Python, so these run as numpy kernels on both backends; none is
differentiable, as in TF1.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, convert_to_tensor, defop

ENCODINGS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}
ERRORS = ("strict", "replace", "ignore")


def check_encoding(encoding: str, errors: str) -> None:
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {sorted(ENCODINGS)}, got {encoding!r}")
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {list(ERRORS)}, got {errors!r}")


# ---------------------------------------------------------------- decoding
def _utf8_sequence(s: bytes, i: int):
    """(code point, length) of the UTF-8 sequence at i, or (None, length of the maximal
    subpart of an ill-formed sequence, at least 1)."""
    b0 = s[i]
    if b0 < 0x80:
        return b0, 1
    if 0xC2 <= b0 <= 0xDF:
        need, lo, hi, cp = 1, 0x80, 0xBF, b0 & 0x1F
    elif 0xE0 <= b0 <= 0xEF:
        need, cp = 2, b0 & 0x0F
        lo, hi = (0xA0, 0xBF) if b0 == 0xE0 else (0x80, 0x9F) if b0 == 0xED else (0x80, 0xBF)
    elif 0xF0 <= b0 <= 0xF4:
        need, cp = 3, b0 & 0x07
        lo, hi = (0x90, 0xBF) if b0 == 0xF0 else (0x80, 0x8F) if b0 == 0xF4 else (0x80, 0xBF)
    else:
        return None, 1
    for k in range(need):
        j = i + 1 + k
        if j >= len(s) or not (lo if k == 0 else 0x80) <= s[j] <= (hi if k == 0 else 0xBF):
            return None, 1 + k
        cp = (cp << 6) | (s[j] & 0x3F)
    return cp, need + 1


def _wide_sequence(s: bytes, i: int, width: int):
    """(code point, length) in UTF-16-BE / UTF-32-BE, or (None, length) when ill-formed."""
    if i + width > len(s):
        return None, len(s) - i
    unit = int.from_bytes(s[i:i + width], "big")
    if width == 4:
        return (unit, 4) if unit <= 0x10FFFF and not 0xD800 <= unit <= 0xDFFF else (None, 4)
    if 0xD800 <= unit <= 0xDBFF:
        if i + 4 <= len(s):
            low = int.from_bytes(s[i + 2:i + 4], "big")
            if 0xDC00 <= low <= 0xDFFF:
                return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), 4
        return None, 2
    return (None, 2) if 0xDC00 <= unit <= 0xDFFF else (unit, 2)


def decode_one(s: bytes, encoding: str, errors: str, replacement: int, controls: bool):
    """(code points, byte offsets) of one string."""
    step = {"UTF-8": _utf8_sequence,
            "UTF-16-BE": lambda t, i: _wide_sequence(t, i, 2),
            "UTF-32-BE": lambda t, i: _wide_sequence(t, i, 4)}[encoding]
    points, offsets, i = [], [], 0
    while i < len(s):
        cp, n = step(s, i)
        if cp is None:
            if errors == "strict":
                raise InvalidArgumentError(None, None, f"Invalid formatting on input string "
                                           f"{s!r} at byte {i} ({encoding})")
            if errors == "replace":
                points.append(replacement)
                offsets.append(i)
        else:
            points.append(replacement if controls and cp < 0x20 else cp)
            offsets.append(i)
        i += n
    return points, offsets


def _decode(x, *, input_encoding, errors, replacement_char, replace_control_characters):
    flat = np.asarray(x, dtype=object).reshape(-1)
    splits, points, offsets = [0], [], []
    for s in flat:
        p, o = decode_one(s, input_encoding, errors, int(replacement_char),
                          bool(replace_control_characters))
        points += p
        offsets += o
        splits.append(len(points))
    return (np.asarray(splits, np.int64), np.asarray(points, np.int32),
            np.asarray(offsets, np.int64))


def _decode_infer(with_offsets: bool):
    def infer(op):
        check_dtype(op, op.inputs[0], (dt.string,), "input")
        check_encoding(op.attrs["input_encoding"], op.attrs["errors"])
        n = op.inputs[0].shape.num_elements()
        out = [(dt.int64, TensorShape([None if n is None else n + 1])),
               (dt.int32, TensorShape([None]))]
        return out + [(dt.int64, TensorShape([None]))] if with_offsets else out
    return infer


defop("UnicodeDecodeWithOffsets", _decode_infer(True), _decode, NON_DIFFERENTIABLE,
      family="string")
defop("UnicodeDecode", _decode_infer(False), lambda x, **a: _decode(x, **a)[:2],
      NON_DIFFERENTIABLE, family="string")


def unicode_decode_op(strings, input_encoding: str, errors: str, replacement_char: int,
                      replace_control_characters: bool, with_offsets: bool, name=None):
    """(row_splits, code points[, offsets]) of a vector of strings."""
    check_encoding(input_encoding, errors)
    return apply("UnicodeDecodeWithOffsets" if with_offsets else "UnicodeDecode", (strings,),
                 {"input_encoding": input_encoding, "errors": errors,
                  "replacement_char": int(replacement_char),
                  "replace_control_characters": bool(replace_control_characters)},
                 name=name or "UnicodeDecode")


# ---------------------------------------------------------------- encoding
def encode_one(points, encoding: str, errors: str, replacement: int) -> bytes:
    chars = []
    for cp in points:
        cp = int(cp)
        if cp < 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            if errors == "strict":
                raise InvalidArgumentError(None, None, f"code point {cp} is not a valid "
                                           f"Unicode scalar value")
            if errors == "ignore":
                continue
            cp = replacement
        chars.append(chr(cp))
    return "".join(chars).encode(ENCODINGS[encoding])


def _encode(values, splits, *, output_encoding, errors, replacement_char):
    splits = np.asarray(splits).reshape(-1)
    if splits.size == 0 or splits[0] != 0 or np.any(np.diff(splits) < 0) or \
            splits[-1] != values.size:
        raise InvalidArgumentError(None, None, f"input_splits must start at 0, not decrease "
                                   f"and end at {values.size}, got {splits.tolist()}")
    out = np.empty(splits.size - 1, object)
    for r in range(splits.size - 1):
        out[r] = encode_one(values[splits[r]:splits[r + 1]], output_encoding, errors,
                            int(replacement_char))
    return out


def _encode_infer(op):
    values, splits = op.inputs
    check_dtype(op, values, (dt.int32,), "input_values")
    check_dtype(op, splits, (dt.int32, dt.int64), "input_splits")
    check_encoding(op.attrs["output_encoding"], op.attrs["errors"])
    n = splits.shape.num_elements()
    return [(dt.string, TensorShape([None if n is None else n - 1]))]


defop("UnicodeEncode", _encode_infer, _encode, NON_DIFFERENTIABLE, family="string")


def unicode_encode_op(values, splits, output_encoding: str, errors: str,
                      replacement_char: int, name=None):
    check_encoding(output_encoding, errors)
    return apply("UnicodeEncode", (convert_to_tensor(values, dtype=dt.int32),
                                   convert_to_tensor(splits, dtype=dt.int64)),
                 {"output_encoding": output_encoding, "errors": errors,
                  "replacement_char": int(replacement_char)}, name=name or "UnicodeEncode")


# ---------------------------------------------------------------- n-grams
def _ngrams(data, splits, *, separator, ngram_widths, left_pad, right_pad, pad_width,
            preserve_short_sequences):
    splits = np.asarray(splits).reshape(-1)
    if splits.size == 0 or splits[0] != 0 or np.any(np.diff(splits) < 0) or \
            splits[-1] > data.size:
        raise InvalidArgumentError(None, None, f"Invalid split values: {splits.tolist()}")
    sep, lpad, rpad = (v.encode() if isinstance(v, str) else v for v in
                       (separator, left_pad, right_pad))

    def pad_of(width):
        return min(pad_width if pad_width >= 0 else width - 1, width - 1)

    def count(length, width):
        return max(0, length + 2 * pad_of(width) - width + 1)

    def grams(tokens, width, n, pad):
        out = []
        for g in range(n):
            left = max(0, pad - g)
            right = max(0, pad - (n - (g + 1)))
            start = 0 if left > 0 else g - pad
            out.append(sep.join([lpad] * left + list(tokens[start:start + width - left - right])
                                + [rpad] * right))
        return out

    result, out_splits = [], [0]
    for r in range(splits.size - 1):
        tokens = data[splits[r]:splits[r + 1]]
        row = []
        for width in ngram_widths:
            row += grams(tokens, width, count(len(tokens), width), pad_of(width))
        if preserve_short_sequences and not row and len(tokens):
            width = len(tokens) + 2 * pad_width
            row = grams(tokens, width, 1, min(pad_width, width - 1))
        result += row
        out_splits.append(len(result))
    values = np.empty(len(result), object)
    values[:] = result
    return values, np.asarray(out_splits, np.int64)


def _ngrams_infer(op):
    data, splits = op.inputs
    check_dtype(op, data, (dt.string,), "data")
    check_dtype(op, splits, (dt.int32, dt.int64), "data_splits")
    return [(dt.string, TensorShape([None])), (splits.dtype, splits.shape)]


defop("StringNGrams", _ngrams_infer, _ngrams, NON_DIFFERENTIABLE, family="string")


def string_ngrams_op(data, splits, separator: str, ngram_widths, left_pad: str,
                     right_pad: str, pad_width: int, preserve_short_sequences: bool,
                     name: Optional[str] = None):
    return apply("StringNGrams", (data, splits), {
        "separator": separator, "ngram_widths": [int(w) for w in ngram_widths],
        "left_pad": left_pad, "right_pad": right_pad, "pad_width": int(pad_width),
        "preserve_short_sequences": bool(preserve_short_sequences)},
        name=name or "StringNGrams")


# ---------------------------------------------------------------- RaggedRange
def _ragged_range(starts, limits, deltas):
    starts, limits, deltas = np.broadcast_arrays(np.atleast_1d(starts), np.atleast_1d(limits),
                                                 np.atleast_1d(deltas))
    if np.any(deltas == 0):
        raise InvalidArgumentError(None, None, "Requires delta != 0")
    rows = [np.arange(s, lim, d, dtype=starts.dtype) for s, lim, d in
            zip(starts, limits, deltas)]
    splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return splits, (np.concatenate(rows) if rows else np.zeros(0, starts.dtype)).astype(
        starts.dtype)


def _ragged_range_infer(op):
    starts, limits, deltas = op.inputs
    for t, what in ((starts, "starts"), (limits, "limits"), (deltas, "deltas")):
        check_dtype(op, t, (dt.int32, dt.int64, dt.float32, dt.float64), what)
        if t.dtype is not starts.dtype:
            raise TypeError(f"{what} '{t.name}' is {t.dtype.name}, starts are "
                            f"{starts.dtype.name}")
        if t.shape.ndims not in (None, 0, 1):
            raise ValueError(f"{what} '{t.name}' must be a scalar or vector, got {t.shape}")
    sizes = [t.shape.as_tuple()[0] for t in op.inputs if t.shape.ndims == 1]
    n = sizes[0] if sizes and None not in sizes else (1 if not sizes and all(
        t.shape.ndims == 0 for t in op.inputs) else None)
    return [(dt.int64, TensorShape([None if n is None else n + 1])),
            (starts.dtype, TensorShape([None]))]


defop("RaggedRange", _ragged_range_infer, _ragged_range, NON_DIFFERENTIABLE,
      family="sparse")


def ragged_range_op(starts, limits, deltas, name: Optional[str] = None):
    s = convert_to_tensor(starts, name="starts")
    return apply("RaggedRange", (s, convert_to_tensor(limits, dtype=s.dtype, name="limits"),
                                 convert_to_tensor(deltas, dtype=s.dtype, name="deltas")),
                 name=name or "RaggedRange")
