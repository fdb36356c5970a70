"""tf.strings and TF1's top-level string functions: values from TF's documented examples,
and the hash buckets TensorFlow computes."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops.string_hash_ops import fingerprint64, murmur_hash64, siphash24


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def strings(a) -> list:
    return [s for s in np.asarray(a, object).reshape(-1)]


def test_string_split_follows_the_documented_example():
    tf.reset_default_graph()
    st = run(tf.string_split(["hello world", "a b c"]))
    np.testing.assert_array_equal(st.indices, [[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]])
    assert strings(st.values) == [b"hello", b"world", b"a", b"b", b"c"]
    np.testing.assert_array_equal(st.dense_shape, [2, 3])
    kept = run(tf.string_split(["a,,b"], sep=",", skip_empty=False))
    assert strings(kept.values) == [b"a", b"", b"b"]
    chars = run(tf.string_split(["ab"], sep=""))
    assert strings(chars.values) == [b"a", b"b"]
    with pytest.raises(NotImplementedError, match="RaggedTensor"):
        tf.string_split(["a"], result_type="RaggedTensor")


def test_strings_split_is_pythons_split():
    tf.reset_default_graph()
    got = run([tf.strings.split(["1<>2<>3", "1,2,,3"], sep="<>"),
               tf.strings.split(["1,2,,3"], sep=","),
               tf.strings.split(["  a b   c "]),
               tf.strings.split(["a,b,c"], sep=",", maxsplit=1)])
    assert strings(got[0].values) == [b"1", b"2", b"3", b"1,2,,3"]
    assert strings(got[1].values) == [b"1", b"2", b"", b"3"]
    assert strings(got[2].values) == [b"a", b"b", b"c"]
    assert strings(got[3].values) == [b"a", b"b,c"]


def test_substr_follows_the_documented_examples():
    tf.reset_default_graph()
    words = [[b"ten", b"eleven", b"twelve"], [b"thirteen", b"fourteen", b"fifteen"],
             [b"sixteen", b"seventeen", b"eighteen"]]
    got = run([tf.strings.substr([b"Hello", b"World"], 1, 3),
               tf.substr(words, [[1, 2, 3]] * 3, [[2, 3, 4], [4, 3, 2], [5, 5, 5]]),
               tf.substr(words, [1, 2, 3], [2, 3, 4]),
               tf.strings.substr("caf\u00e9!", 3, 1, unit="UTF8_CHAR")])
    assert strings(got[0]) == [b"ell", b"orl"]
    assert strings(got[1]) == [b"en", b"eve", b"lve", b"hirt", b"urt", b"te", b"ixtee",
                               b"vente", b"hteen"]
    assert strings(got[2])[:3] == [b"en", b"eve", b"lve"]
    assert got[3] == "\u00e9".encode()
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        run(tf.strings.substr(["ab"], 5, 1))


def test_case_length_strip_join():
    tf.reset_default_graph()
    got = run([tf.strings.lower("CamelCase string and ALL CAPS"),
               tf.strings.upper("caf\u00e9", encoding="utf-8"),
               tf.strings.length(["Hello", "TensorFlow", "\U0001F642"]),
               tf.strings.length(["Hello", "TensorFlow", "\U0001F642"], unit="UTF8_CHAR"),
               tf.strings.strip([" hello ", " world"]),
               tf.strings.join(["abc", "def"]),
               tf.strings.join([["abc", "123"], ["def", "456"]], separator=" "),
               tf.string_join(["a", ["x", "y"]], separator="-")])
    assert got[0] == b"camelcase string and all caps"
    assert got[1] == "CAF\u00c9".encode()
    np.testing.assert_array_equal(got[2], [5, 10, 4])
    np.testing.assert_array_equal(got[3], [5, 10, 1])
    assert strings(got[4]) == [b"hello", b"world"]
    assert got[5] == b"abcdef"
    assert strings(got[6]) == [b"abc def", b"123 456"]
    assert strings(got[7]) == [b"a-x", b"a-y"]


def test_regular_expressions():
    tf.reset_default_graph()
    got = run([tf.strings.regex_replace("Text with tags.<br /><b>contains html</b>",
                                        "<[^>]+>", " "),
               tf.regex_replace(["ab ab"], "(a)(b)", r"\2\1", replace_global=False),
               tf.regex_replace(["ab"], "b", r"[\0]"),
               tf.strings.regex_full_match(["TF lib", "lib TF"], ".*lib$")])
    assert got[0] == b"Text with tags.  contains html "
    assert strings(got[1]) == [b"ba ab"]
    assert strings(got[2]) == [b"a[b]"]
    np.testing.assert_array_equal(got[3], [True, False])


def test_numbers_to_and_from_strings():
    tf.reset_default_graph()
    got = run([tf.strings.to_number("1.55"), tf.string_to_number("3", tf.int32),
               tf.as_string([3, 2]), tf.as_string(3.1415926, precision=2),
               tf.strings.as_string([1.5], scientific=True),
               tf.as_string([0.1], shortest=True), tf.as_string([True, False]),
               tf.as_string([7], width=3, fill="0")])
    assert got[0] == np.float32(1.55) and got[1] == 3
    assert strings(got[2]) == [b"3", b"2"] and got[3] == b"3.14"
    assert strings(got[4]) == [b"1.500000e+00"] and strings(got[5]) == [b"0.1"]
    assert strings(got[6]) == [b"true", b"false"] and strings(got[7]) == [b"007"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not correctly convert"):
        run(tf.strings.to_number(["1_0"]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not correctly convert"):
        run(tf.strings.to_number(["99999999999"], out_type=tf.int32))


def test_reduce_join_follows_the_documented_examples():
    tf.reset_default_graph()
    a = tf.constant([["a", "b"], ["c", "d"]])
    got = run([tf.reduce_join(a, 0), tf.reduce_join(a, 1), tf.reduce_join(a, -2),
               tf.reduce_join(a, 0, keep_dims=True), tf.reduce_join(a, 1, keep_dims=True),
               tf.reduce_join(a, 0, separator="."), tf.reduce_join(a, [0, 1]),
               tf.reduce_join(a, [1, 0]), tf.reduce_join(a, []), tf.reduce_join(a)])
    assert strings(got[0]) == [b"ac", b"bd"] and strings(got[1]) == [b"ab", b"cd"]
    assert strings(got[2]) == [b"ac", b"bd"]
    assert np.asarray(got[3]).shape == (1, 2) and np.asarray(got[4]).shape == (2, 1)
    assert strings(got[5]) == [b"a.c", b"b.d"]
    assert got[6] == b"acbd" and got[7] == b"abcd" and got[9] == b"abcd"
    assert strings(got[8]) == [b"a", b"b", b"c", b"d"]


def test_unsorted_segment_join_and_format():
    tf.reset_default_graph()
    got = run([tf.strings.unsorted_segment_join(["this", "is", "a", "test"], [0, 0, 0, 0], 1,
                                                separator=" "),
               tf.strings.unsorted_segment_join([["Y", "q", "c"], ["Y", "6", "6"],
                                                 ["p", "G", "a"]], [1, 0, 1], 2,
                                                separator=":"),
               tf.strings.format("tensor: {}, suffix", tf.range(3))])
    assert strings(got[0]) == [b"this is a test"]
    assert strings(got[1]) == [b"Y", b"6", b"6", b"Y:p", b"q:G", b"c:a"]
    assert got[2] == b"tensor: [0 1 2], suffix"


def test_hash_buckets_are_tensorflows():
    tf.reset_default_graph()
    words = ["Hello", "TensorFlow", "2.x"]
    got = run([tf.strings.to_hash_bucket_fast(words, 3),
               tf.string_to_hash_bucket_strong(["Hello", "TF"], 3, [1, 2]),
               tf.strings.to_hash_bucket(words, 3), tf.string_to_hash_bucket(words, 3)])
    np.testing.assert_array_equal(got[0], [0, 2, 2])   # TF's documented buckets
    np.testing.assert_array_equal(got[1], [2, 0])
    np.testing.assert_array_equal(got[2], [2, 0, 1])
    np.testing.assert_array_equal(got[3], [2, 0, 1])


@pytest.mark.parametrize("text,want", [
    ("", 0x9ae16a3b2f90404f), ("a", 0xb3454265b6df75e3), ("abcdefgh", 0xfee9d22990c82909),
    ("0123456789=012345", 0x46a7416ed4861e3b),
    ("I wouldn't marry him with a ten foot pole.", 0xa9961670ce2a46d9),
    ("For every action there is an equal and opposite government program.",
     0x55182f8859eca4ce),
    ("The fugacity of a constituent in a mixture of gases at a given temperature is "
     "proportional to its mole fraction.  Lewis-Randall Rule", 0x098eff6958c5e91a)])
def test_fingerprint64_matches_farmhash(text, want):
    """Published Fingerprint64 (farmhashna::Hash64) values, every length branch."""
    assert fingerprint64(text.encode()) == want


def test_siphash_and_murmur_reference_values():
    key = (0x0706050403020100, 0x0f0e0d0c0b0a0908)   # SipHash paper's key, message 0..14
    assert siphash24(key, bytes(range(15))) == 0xa129ca6149be45e5
    assert murmur_hash64(b"") != murmur_hash64(b"\0")


def test_string_placeholders_take_str_and_bytes():
    tf.reset_default_graph()
    x = tf.placeholder(tf.string, [None])
    n = tf.strings.length(x)
    np.testing.assert_array_equal(run(n, {x: ["ab", b"cde"]}), [2, 3])
    with pytest.raises(TypeError, match="string"):
        tf.strings.length(tf.constant([1.0]))
