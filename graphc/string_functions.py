"""TF1's string functions: `tf.strings.*` and the top-level names (`tf.as_string`,
`tf.string_split`, `tf.string_join`, `tf.string_to_number`, `tf.substr`, ...), over the
string ops of graphc.ir.ops.string_ops, string_split_ops and string_hash_ops. Splits
return SparseTensors, as TF1's `result_type="SparseTensor"` (RaggedTensor is refused).
"""
from __future__ import annotations

from typing import Optional

from .ir.ops.string_hash_ops import hash_bucket_op
from .ir.ops.string_ops import (as_string, reduce_join, regex_full_match, regex_replace,
                                string_format, string_join, string_length, string_lower,
                                string_strip, string_to_number, string_upper, substr,
                                unsorted_segment_join)
from .ir.ops.string_split_ops import string_split_op, string_split_v2_op
from .sparse_tensor import SparseTensor

__all__ = ["as_string", "reduce_join", "regex_full_match", "regex_replace", "string_join",
           "string_split", "string_strip", "string_to_hash_bucket",
           "string_to_hash_bucket_fast", "string_to_hash_bucket_strong", "string_to_number",
           "substr"]


def _sparse_result(result_type: str, outputs) -> SparseTensor:
    if result_type != "SparseTensor":
        raise NotImplementedError(f"result_type={result_type!r} is not supported by graphc "
                                  "(RaggedTensor does not exist here); use 'SparseTensor'")
    return SparseTensor(*outputs)


def string_split(source, sep=None, skip_empty: bool = True, delimiter=None,
                 result_type: str = "SparseTensor", name: Optional[str] = None):
    """TF1 `tf.string_split`: a SparseTensor [len(source), most pieces] of the pieces of
    each string, split at every character of `sep` (default ' '; each byte when '')."""
    if sep is None:
        sep = delimiter
    if sep is None:
        sep = " "
    if result_type not in ("SparseTensor", "RaggedTensor"):
        raise ValueError(f"result_type must be 'SparseTensor' or 'RaggedTensor', got "
                         f"{result_type!r}")
    return _sparse_result(result_type, string_split_op(source, sep, skip_empty, name))


def split(input=None, sep=None, maxsplit: int = -1, result_type: str = "SparseTensor",
          source=None, name: Optional[str] = None):
    """TF1 `tf.strings.split`: Python's bytes.split of each string of a vector (at `sep`,
    or at runs of whitespace when sep is None), as a SparseTensor."""
    value = source if input is None else input
    if value is None:
        raise ValueError("tf.strings.split needs input (or source)")
    return _sparse_result(result_type, string_split_v2_op(value, "" if sep is None else sep,
                                                          maxsplit, name))


def string_to_hash_bucket_fast(input, num_buckets, name: Optional[str] = None):
    """TF1 `tf.strings.to_hash_bucket_fast`: FarmHash Fingerprint64(s) % num_buckets, the
    same buckets as TensorFlow's."""
    return hash_bucket_op("fast", input, num_buckets, name=name)


def string_to_hash_bucket_strong(input, num_buckets, key, name: Optional[str] = None):
    """TF1 `tf.strings.to_hash_bucket_strong`: SipHash-2-4 keyed by `key` (two ints) %
    num_buckets, as TensorFlow's."""
    return hash_bucket_op("strong", input, num_buckets, key=key, name=name)


def string_to_hash_bucket(string_tensor=None, num_buckets=None, name: Optional[str] = None,
                          input=None):
    """TF1 `tf.strings.to_hash_bucket`: TensorFlow's legacy Hash64 % num_buckets."""
    value = input if string_tensor is None else string_tensor
    if num_buckets is None:
        raise ValueError("string_to_hash_bucket needs num_buckets")
    return hash_bucket_op("legacy", value, num_buckets, name=name)


STRINGS = {
    "as_string": as_string, "format": string_format, "join": string_join,
    "length": string_length, "lower": string_lower, "upper": string_upper,
    "reduce_join": reduce_join, "regex_full_match": regex_full_match,
    "regex_replace": regex_replace, "split": split, "strip": string_strip, "substr": substr,
    "to_hash_bucket": string_to_hash_bucket, "to_hash_bucket_fast": string_to_hash_bucket_fast,
    "to_hash_bucket_strong": string_to_hash_bucket_strong, "to_number": string_to_number,
    "unsorted_segment_join": unsorted_segment_join,
}
