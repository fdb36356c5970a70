"""Cases compared with TensorFlow for tf.strings' ragged functions, tf.ragged and
tf.fingerprint: each
builds its outputs from `tf` (graphc, or TensorFlow's compat.v1: the same code for both)
and placeholders fed INPUTS; a RaggedTensor result is compared by its flat values and
nested row splits (`<name>_v`, `<name>_s0`, ...).

tests/fixtures/tf/make_ragged_strings_fixtures.py stores TensorFlow's outputs
(tests/fixtures/tf/ragged_strings.npz); tests/api/test_ragged_strings_tf.py runs them in
graphc on both backends.
"""
from __future__ import annotations

import numpy as np

INPUTS = {
    "text": np.array([s.encode() if isinstance(s, str) else s for s in (
        "héllo", "", "a\x01b", "日本語", b"ab\xffcd\xe2\x82", b"\xf0\x9f\x98\x80x")], object),
    "words": np.array([[b"the", b"quick", b"brown", b"fox"], [b"a", b"b", b"c", b"d"]],
                      object),
}


def placeholders(tf) -> dict:
    return {"text": tf.placeholder(tf.string, [6], name="text"),
            "words": tf.placeholder(tf.string, [2, None], name="words")}


def _put(out: dict, name: str, result) -> None:
    if hasattr(result, "flat_values"):
        out[name + "_v"] = result.flat_values
        for i, splits in enumerate(result.nested_row_splits):
            out[f"{name}_s{i}"] = splits
    else:
        out[name] = result


def cases(tf, p: dict) -> dict:
    """name -> output tensor."""
    s, rg, out = tf.strings, tf.ragged, {}
    x, words = p["text"], p["words"]
    _put(out, "decode", s.unicode_decode(x, "UTF-8"))
    _put(out, "decode_ignore", s.unicode_decode(x, "UTF-8", errors="ignore"))
    _put(out, "decode_controls", s.unicode_decode(x, "UTF-8", replacement_char=63,
                                                  replace_control_characters=True))
    _put(out, "decode_2d", s.unicode_decode(tf.reshape(x, [2, 3]), "UTF-8"))
    _put(out, "decode_scalar", s.unicode_decode(x[3], "UTF-8"))
    points, offsets = s.unicode_decode_with_offsets(x, "UTF-8")
    _put(out, "decode_offsets", offsets)
    _put(out, "split", s.unicode_split(x, "UTF-8"))
    pieces, offsets = s.unicode_split_with_offsets(tf.reshape(x, [3, 2]), "UTF-8")
    _put(out, "split_offsets_pieces", pieces)
    _put(out, "split_offsets", offsets)
    _put(out, "bytes", s.bytes_split(x))
    _put(out, "bytes_2d", s.bytes_split(tf.reshape(x, [3, 2])))
    _put(out, "encode_ragged", s.unicode_encode(
        rg.constant([[104, 105], [0x65E5, 0xD800, 0x110000], []], dtype=tf.int32), "UTF-8"))
    out["encode_dense"] = s.unicode_encode(tf.constant([[72, 105], [9731, 33]]), "UTF-16-BE")
    out["encode_vector"] = s.unicode_encode(tf.constant([72, 105, 128512]), "UTF-32-BE")
    out["encode_ignore"] = s.unicode_encode(tf.constant([[72, -1, 105]]), "UTF-8",
                                            errors="ignore")
    out["transcode_16"] = s.unicode_transcode(tf.reshape(x, [2, 3]), "UTF-8", "UTF-16-BE")
    out["transcode_round_trip"] = s.unicode_transcode(
        s.unicode_transcode(x, "UTF-8", "UTF-32-BE"), "UTF-32-BE", "UTF-8")
    out["transcode_controls"] = s.unicode_transcode(x, "UTF-8", "UTF-8", replacement_char=42,
                                                    replace_control_characters=True)
    out["ngrams_2"] = s.ngrams(words, 2)
    out["ngrams_padded"] = s.ngrams(words, [1, 3], pad_values=("<s>", "</s>"),
                                    padding_width=1)
    out["ngrams_full_pad"] = s.ngrams(words, 3, separator="+", pad_values="#")
    out["ngrams_vector"] = s.ngrams(words[0], 3, separator="_")
    _put(out, "ngrams_short", s.ngrams(rg.constant([["a", "b"], ["c"], []]), 3,
                                       preserve_short_sequences=True, pad_values="#",
                                       padding_width=1))
    _put(out, "ngrams_nested", s.ngrams(rg.constant([[["a", "b", "c"]], [["d"], []]]), 2))
    _put(out, "range", rg.range([0, 5, 3], [3, 5, 10], [1, 1, 3]))
    _put(out, "range_limits", rg.range(tf.constant([2, 0, 4])))
    out["segment_ids"] = rg.row_splits_to_segment_ids([0, 2, 2, 5])
    out["row_splits"] = rg.segment_ids_to_row_splits([0, 0, 2, 2, 2], num_segments=4)
    c = rg.constant([[1.0, 2.0], [], [3.0]])
    out["to_tensor"] = c.to_tensor()
    out["to_tensor_nested"] = rg.constant([[[1, 2], [3]], [], [[4, 5, 6]]]).to_tensor(-1)
    _put(out, "map_flat_values", rg.map_flat_values(tf.multiply, c, 2.0))
    out["mapped_to_tensor"] = rg.map_flat_values(lambda v: v * 2.0, c).to_tensor(9.0)
    out["row_lengths"] = c.row_lengths()
    out["value_rowids"] = c.value_rowids()
    out["nrows"] = c.nrows()
    _put(out, "from_value_rowids", tf.RaggedTensor.from_value_rowids(
        tf.constant([1, 2, 3, 4]), [0, 0, 2, 3], nrows=5))
    _put(out, "from_row_lengths", tf.RaggedTensor.from_row_lengths(
        tf.constant(["a", "b", "c"]), [1, 0, 2]))
    out["fingerprint_strings"] = tf.fingerprint(x)
    out["fingerprint_rows"] = tf.fingerprint(words)
    out["fingerprint_numbers"] = tf.fingerprint(tf.reshape(tf.range(12), [3, 4]))
    return out
