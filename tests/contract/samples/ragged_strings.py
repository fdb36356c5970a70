"""Contract samples for the ragged string ops and RaggedRange (ir/ops/ragged_string_ops.py)
and Fingerprint (string_hash_ops.py): strings and integers, numpy kernels on both backends."""
import numpy as np

from graphc.ir.ops import core_ops, ragged_string_ops as S, string_hash_ops as H

ph = core_ops.placeholder
_TEXT = np.array(["héllo".encode(), b"", b"a\x01b", b"ab\xffc", "日本".encode()], object)


def _decode(encoding, errors, with_offsets, data=_TEXT):
    def build():
        x = ph("string", [None])
        return list(S.unicode_decode_op(x, encoding, errors, 65533, errors == "ignore",
                                        with_offsets)), {x: data}
    build.__name__ = f"{encoding}_{errors}_{'offsets' if with_offsets else 'points'}"
    return build


def _encode(encoding, errors, points, splits):
    def build():
        v, s = ph("int32", [None]), ph("int64", [None])
        return S.unicode_encode_op(v, s, encoding, errors, 65533), {
            v: np.int32(points), s: np.int64(splits)}
    build.__name__ = f"{encoding}_{errors}"
    return build


def _ngrams(widths, pad_width, preserve=False):
    def build():
        d, s = ph("string", [None]), ph("int64", [None])
        return list(S.string_ngrams_op(d, s, " ", widths, "<", ">", pad_width, preserve)), {
            d: np.array([b"a", b"b", b"c", b"d", b"e"], object), s: np.int64([0, 3, 3, 5])}
    build.__name__ = f"ngrams_{'_'.join(map(str, widths))}_pad{pad_width}"
    return build


def _range(starts, limits, deltas, dtype="int32"):
    def build():
        a, b, c = (ph(dtype, list(np.shape(v))) for v in (starts, limits, deltas))
        return list(S.ragged_range_op(a, b, c)), {
            a: np.asarray(starts, dtype), b: np.asarray(limits, dtype),
            c: np.asarray(deltas, dtype)}
    build.__name__ = f"range_{dtype}_{np.ndim(starts)}d"
    return build


def _fingerprint(data, dtype):
    def build():
        x = ph(dtype, [None] * np.ndim(data))
        return H.fingerprint(x), {x: np.asarray(data, object if dtype == "string" else dtype)}
    build.__name__ = f"fingerprint_{dtype}_{np.ndim(data)}d"
    return build


_UTF16 = np.array(["hé".encode("utf-16-be"), b"\xd8\x00"], object)
SAMPLES = {
    "UnicodeDecode": [_decode("UTF-8", "replace", False), _decode("UTF-8", "ignore", False),
                      _decode("UTF-16-BE", "replace", False, _UTF16)],
    "UnicodeDecodeWithOffsets": [_decode("UTF-8", "replace", True),
                                 _decode("UTF-32-BE", "ignore", True,
                                         np.array(["ab".encode("utf-32-be")], object))],
    "UnicodeEncode": [_encode("UTF-8", "replace", [104, 0xD800, 26085], [0, 2, 2, 3]),
                      _encode("UTF-16-BE", "ignore", [128512, -5, 65], [0, 3])],
    "StringNGrams": [_ngrams([2], 0), _ngrams([1, 3], 1), _ngrams([4], 0, True)],
    "Fingerprint": [_fingerprint(_TEXT, "string"), _fingerprint([[b"a", b"b"], [b"", b"c"]],
                                                                "string"),
                    _fingerprint(np.arange(6).reshape(2, 3), "int32")],
    "RaggedRange": [_range([0, 5, 2], [3, 5, 9], [1, 2, 3]),
                    _range(1.0, [2.5, 4.0], 0.5, "float32")],
}
