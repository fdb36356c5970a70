"""Contract samples for the string ops (ir/ops/string_ops.py, string_split_ops.py,
string_hash_ops.py): string placeholders fed object arrays of bytes."""
import numpy as np

from graphc.ir.ops import core_ops, string_hash_ops as H, string_ops as S
from graphc.ir.ops import string_split_ops as P

ph = core_ops.placeholder
WORDS = np.array([[b"Hello", b" tf  "], [b"caf\xc3\xa9", b""]], dtype=object)
LINES = np.array([b"a b  c", b"", b"one,two,,three"], dtype=object)


def _strings(shape=(2, 2), value=WORDS):
    x = ph("string", list(shape))
    return x, {x: value}


def _both(fn, **kw):
    def matrix():
        x, feed = _strings()
        return fn(x, **kw), feed

    def vector():
        x, feed = _strings([None], LINES)
        return fn(x, **kw), feed
    matrix.__name__ = f"{fn.__name__}_matrix"
    vector.__name__ = f"{fn.__name__}_vector"
    return [matrix, vector]


def _length_chars():
    x, feed = _strings()
    return S.string_length(x, unit="UTF8_CHAR"), feed


def _substr():
    x, feed = _strings()
    return S.substr(x, 0, 3), feed


def _substr_tensors():
    x = ph("string", [3])
    pos = ph("int32", [3])
    return S.substr(x, pos, np.int32([2, 1, 5])), {
        x: np.array([b"abcdef", b"xy", b"hello"], object), pos: np.int32([1, -2, 0])}


def _join():
    x, feed = _strings()
    return S.string_join([x, "!", x], separator="-"), feed


def _join_scalars():
    return S.string_join(["a", "b", "c"]), {}


def _regex_replace():
    x, feed = _strings([None], LINES)
    return S.regex_replace(x, r"(\w+)", r"<\1>"), feed


def _regex_replace_first():
    x, feed = _strings()
    return S.regex_replace(x, "l", "L", replace_global=False), feed


def _full_match():
    x, feed = _strings([None], LINES)
    return S.regex_full_match(x, r"[a-z ]*"), feed


def _full_match_matrix():
    x, feed = _strings()
    return S.regex_full_match(x, r"\s*\w+\s*"), feed


def _to_number(out_type):
    def sample():
        x = ph("string", [None])
        return S.string_to_number(x, out_type=out_type), {
            x: np.array([b"12", b" -7 ", b"3"] if "int" in out_type else
                        [b"1.5", b"-2e3", b"inf"], object)}
    sample.__name__ = f"to_number_{out_type}"
    return sample


def _as_string_floats():
    x = ph("float32", [3])
    return S.as_string(x, precision=3, width=9, fill="0"), {x: np.float32([1.25, -3, 1e-4])}


def _as_string_ints():
    x = ph("int64", [2, 2])
    return S.as_string(x, width=4), {x: np.int64([[1, -20], [300, 4000]])}


def _reduce_join():
    x, feed = _strings()
    return S.reduce_join(x, axis=1, separator="|"), feed


def _reduce_join_all_keep():
    x, feed = _strings()
    return S.reduce_join(x, keep_dims=True), feed


def _segment_join():
    x, feed = _strings([None], LINES)
    return S.unsorted_segment_join(x, np.int32([1, 0, 1]), 3, separator="+"), feed


def _segment_join_matrix():
    x, feed = _strings()
    return S.unsorted_segment_join(x, np.int64([0, 0]), np.int64(1)), feed


def _format():
    y = ph("float64", [2, 3])
    return S.string_format("y: {}", [y]), {y: np.arange(6.0).reshape(2, 3)}


def _format_two():
    x, feed = _strings()
    n = ph("int32", [7])
    return S.string_format("{} and {}", [x, n], summarize=2), {**feed, n: np.arange(7,
                                                                                    dtype="int32")}


def _split(skip_empty):
    def sample():
        x, feed = _strings([None], LINES)
        return list(P.string_split_op(x, " ,", skip_empty)), feed
    sample.__name__ = f"split_skip_{skip_empty}"
    return sample


def _split_bytes():
    x, feed = _strings([None], LINES)
    return list(P.string_split_op(x, "")), feed


def _split_v2(sep, maxsplit=-1):
    def sample():
        x, feed = _strings([None], LINES)
        return list(P.string_split_v2_op(x, sep, maxsplit)), feed
    sample.__name__ = f"split_v2_{sep or 'whitespace'}"
    return sample


def _hash(kind, **kw):
    def sample():
        x, feed = _strings()
        return H.hash_bucket_op(kind, x, 10, **kw), feed

    def many():
        x = ph("string", [None])
        return H.hash_bucket_op(kind, x, 1 << 40, **kw), {
            x: np.array([b"x" * n for n in (0, 5, 17, 40, 65, 200)], object)}
    sample.__name__, many.__name__ = f"hash_{kind}", f"hash_{kind}_lengths"
    return [sample, many]


SAMPLES = {
    "StringLength": _both(S.string_length) + [_length_chars],
    "Substr": [_substr, _substr_tensors],
    "StringUpper": _both(S.string_upper) + _both(S.string_upper, encoding="utf-8")[:1],
    "StringLower": _both(S.string_lower),
    "StringStrip": _both(S.string_strip),
    "StringJoin": [_join, _join_scalars],
    "RegexReplace": [_regex_replace, _regex_replace_first],
    "RegexFullMatch": [_full_match, _full_match_matrix],
    "StringToNumber": [_to_number(t) for t in ("float32", "float64", "int32", "int64")],
    "AsString": [_as_string_floats, _as_string_ints],
    "ReduceJoin": [_reduce_join, _reduce_join_all_keep],
    "UnsortedSegmentJoin": [_segment_join, _segment_join_matrix],
    "StringFormat": [_format, _format_two],
    "StringSplit": [_split(True), _split(False), _split_bytes],
    "StringSplitV2": [_split_v2(""), _split_v2(","), _split_v2(",", 1)],
    "StringToHashBucketFast": _hash("fast"),
    "StringToHashBucketStrong": _hash("strong", key=[7, 11]),
    "StringToHashBucket": _hash("legacy"),
}
