"""tf.strings' ragged functions, as TF1 composes them (ops: ir/ops/ragged_string_ops.py):

- unicode_decode(_with_offsets), unicode_split(_with_offsets), bytes_split: a scalar
  gives a 1-D tensor, a tensor of rank k a RaggedTensor of k + 1 dims (its leading k
  dims uniform); unicode_split encodes each decoded code point alone, so an invalid
  sequence becomes the replacement character's encoding;
- unicode_encode: the innermost dim of code points becomes one string (a dense input
  gives a dense result, a RaggedTensor of several ragged dims a RaggedTensor);
- unicode_transcode: decode then encode, the input's shape kept;
- ngrams: TF's StringNGrams over the innermost dim (dense in, dense out).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import array_ops as A
from .ir.ops._base import convert_to_tensor
from .ir.ops.generator_ops import range as range_op
from .ir.ops.math_ops import multiply
from .ir.ops.ragged_string_ops import (check_encoding, string_ngrams_op, unicode_decode_op,
                                       unicode_encode_op)
from .ir.ops.reduce_ops import reduce_prod
from .ir.ops.string_ops import strings_in
from .ir.ops.string_split_ops import string_split_op
from .ragged import RaggedTensor


def _flat_strings(input, fn: str):  # noqa: A002 - TF1's name
    """(a vector of the strings, the input tensor, its rank)."""
    x = strings_in(input, "input")
    if x.shape.ndims is None:
        raise ValueError(f"{fn}: the rank of {x.name!r} must be known")
    return A.reshape(x, [-1]), x, x.shape.ndims


def _uniform_splits(count, width):
    """Row splits of `count` rows of `width` values (ints or int64 scalars)."""
    if isinstance(count, int) and isinstance(width, int):
        return np.arange(count + 1, dtype=np.int64) * width
    return multiply(range_op(count + np.int64(1), dtype=dt.int64), width)


def _regular(values, x, rank: int):
    """values (a RaggedTensor over the flattened strings) with x's leading dims restored:
    a scalar's row as a tensor, rank 1 as is, higher ranks as uniform ragged dims."""
    if rank == 0:
        return values.values
    known = x.shape.as_list() if x.shape.is_fully_defined() else None
    shape = A.shape(x, out_type=dt.int64)
    for axis in range(rank - 1, 0, -1):
        if known is not None:
            values = RaggedTensor.from_row_splits(values, _uniform_splits(int(np.prod(known[:axis])),
                                                          known[axis]))
        else:
            values = RaggedTensor.from_row_splits(values, _uniform_splits(
                A.reshape(reduce_prod(shape[:axis]), []), shape[axis]))
    return values


def _decoded(input, input_encoding, errors, replacement_char,  # noqa: A002
             replace_control_characters, with_offsets, fn):
    flat, x, rank = _flat_strings(input, fn)
    parts = unicode_decode_op(flat, input_encoding, errors, replacement_char,
                              replace_control_characters, with_offsets)
    points = _regular(RaggedTensor.from_row_splits(parts[1], parts[0]), x, rank)
    if not with_offsets:
        return points
    return points, _regular(RaggedTensor.from_row_splits(parts[2], parts[0]), x, rank)


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   replace_control_characters=False, name: Optional[str] = None):
    """TF1 `tf.strings.unicode_decode`: the code points of each string (int32)."""
    with get_default_graph().name_scope(name or "UnicodeDecode"):
        return _decoded(input, input_encoding, errors, replacement_char,
                        replace_control_characters, False, "unicode_decode")


def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=65533, replace_control_characters=False,
                                name: Optional[str] = None):
    """TF1 `tf.strings.unicode_decode_with_offsets`: (code points, the byte offset where
    each starts)."""
    with get_default_graph().name_scope(name or "UnicodeDecodeWithOffsets"):
        return _decoded(input, input_encoding, errors, replacement_char,
                        replace_control_characters, True, "unicode_decode_with_offsets")


def _encode_rows(rt, output_encoding, errors, replacement_char):
    """The strings of a RaggedTensor's innermost rows (ragged above them)."""
    if isinstance(rt.values, RaggedTensor):
        return rt.with_values(_encode_rows(rt.values, output_encoding, errors,
                                           replacement_char))
    return unicode_encode_op(rt.values, rt.row_splits, output_encoding, errors,
                             replacement_char)


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   name: Optional[str] = None):
    """TF1 `tf.strings.unicode_encode`: each innermost row of int32 code points (a
    tensor or a RaggedTensor) as one string."""
    with get_default_graph().name_scope(name or "UnicodeEncode"):
        if isinstance(input, RaggedTensor):
            return _encode_rows(input, output_encoding, errors, replacement_char)
        x = convert_to_tensor(input, dtype=dt.int32, name="input")
        if x.shape.ndims is None or x.shape.ndims == 0:
            raise ValueError(f"unicode_encode: input must have a known rank >= 1, got shape "
                             f"{x.shape}")
        shape = A.shape(x, out_type=dt.int64)
        splits = _uniform_splits(A.reshape(reduce_prod(shape[:-1]), []), shape[-1])
        out = unicode_encode_op(A.reshape(x, [-1]), splits, output_encoding, errors,
                                replacement_char)
        return A.reshape(out, shape[:-1])


def _split(input, input_encoding, errors, replacement_char, with_offsets, fn):  # noqa: A002
    flat, x, rank = _flat_strings(input, fn)
    parts = unicode_decode_op(flat, input_encoding, errors, replacement_char, False,
                              with_offsets)
    n = A.shape(parts[1], out_type=dt.int64)[0]
    chars = unicode_encode_op(parts[1], range_op(n + np.int64(1), dtype=dt.int64),
                              input_encoding, errors, replacement_char)
    pieces = _regular(RaggedTensor.from_row_splits(chars, parts[0]), x, rank)
    if not with_offsets:
        return pieces
    return pieces, _regular(RaggedTensor.from_row_splits(parts[2], parts[0]), x, rank)


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                  name: Optional[str] = None):
    """TF1 `tf.strings.unicode_split`: each string's characters, each as a string."""
    with get_default_graph().name_scope(name or "UnicodeSplit"):
        return _split(input, input_encoding, errors, replacement_char, False,
                      "unicode_split")


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=65533, name: Optional[str] = None):
    """TF1 `tf.strings.unicode_split_with_offsets`: (characters, their byte offsets)."""
    with get_default_graph().name_scope(name or "UnicodeSplitWithOffsets"):
        return _split(input, input_encoding, errors, replacement_char, True,
                      "unicode_split_with_offsets")


def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa: A002
                      replacement_char=65533, replace_control_characters=False,
                      name: Optional[str] = None):
    """TF1 `tf.strings.unicode_transcode`: each string re-encoded, the shape kept."""
    check_encoding(output_encoding, errors)
    with get_default_graph().name_scope(name or "UnicodeTranscode"):
        flat, x, _ = _flat_strings(input, "unicode_transcode")
        splits, points = unicode_decode_op(flat, input_encoding, errors, replacement_char,
                                           replace_control_characters, False)
        out = unicode_encode_op(points, splits, output_encoding, errors, replacement_char)
        return A.reshape(out, A.shape(x))


def bytes_split(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.strings.bytes_split`: each string's bytes, each as a string."""
    with get_default_graph().name_scope(name or "StringsByteSplit"):
        flat, x, rank = _flat_strings(input, "bytes_split")
        indices, values, shape = string_split_op(flat, "", skip_empty=False)
        rows = RaggedTensor.from_value_rowids(values, indices[:, 0], shape[0])
        return _regular(rows, x, rank)


def _pads(pad_values):
    if pad_values is None:
        return "", ""
    if isinstance(pad_values, (list, tuple)):
        if len(pad_values) != 2 or not all(isinstance(v, (str, bytes)) for v in pad_values):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        return pad_values[0], pad_values[1]
    if not isinstance(pad_values, (str, bytes)):
        raise TypeError("pad_values must be a string, tuple of strings, or None.")
    return pad_values, pad_values


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name: Optional[str] = None):
    """TF1 `tf.strings.ngrams`: the n-grams of the innermost dim of a string tensor or
    RaggedTensor, joined by `separator` (padded with pad_values when given)."""
    left, right = _pads(pad_values)
    if padding_width is not None and padding_width < 1:
        raise ValueError("padding_width must be greater than 0.")
    if padding_width is not None and pad_values is None:
        raise ValueError("pad_values must be provided if padding_width is set.")
    widths = list(ngram_width) if isinstance(ngram_width, (list, tuple)) else [ngram_width]
    if any(w < 1 for w in widths):
        raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
    pad = 0 if pad_values is None else (-1 if padding_width is None else padding_width)
    with get_default_graph().name_scope(name or "StringNGrams"):
        if isinstance(data, RaggedTensor):
            if isinstance(data.values, RaggedTensor):
                return data.with_values(ngrams(data.values, ngram_width, separator,
                                               pad_values, padding_width,
                                               preserve_short_sequences))
            values, splits = string_ngrams_op(data.values, data.row_splits, separator,
                                              widths, left, right, pad,
                                              preserve_short_sequences)
            return RaggedTensor.from_row_splits(values, splits)
        x = strings_in(data, "data")
        rank = x.shape.ndims
        if rank is None:
            raise ValueError("Rank of data must be known.")
        if rank == 0:
            raise ValueError("Data must have rank>0")
        shape = A.shape(x, out_type=dt.int64)
        rows = A.reshape(reduce_prod(shape[:-1]), [])
        values, _ = string_ngrams_op(A.reshape(x, [-1]), _uniform_splits(rows, shape[-1]),
                                     separator, widths, left, right, pad,
                                     preserve_short_sequences)
        return values if rank == 1 else A.reshape(values, A.concat(
            [shape[:-1], np.int64([-1])], 0))


STRINGS_RAGGED = {f.__name__: f for f in (
    unicode_decode, unicode_decode_with_offsets, unicode_encode, unicode_split,
    unicode_split_with_offsets, unicode_transcode, bytes_split, ngrams)}
