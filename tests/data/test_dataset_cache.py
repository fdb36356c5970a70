"""Dataset.cache(filename): TF1's semantics on disk. The first complete pass writes the
cache files, the second epoch and every later iterator (another Session, another
process) read them instead of the input; a pass stopped early leaves no cache; a cache
of another structure is refused naming the file; on both backends."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import graphc as tf


def _counting(calls, n=5):
    def gen():
        calls.append(1)
        for i in range(n):
            yield {"x": np.full([2], i, np.float32), "name": f"row{i}".encode()}
    return tf.data.Dataset.from_generator(gen, {"x": tf.float32, "name": tf.string},
                                          {"x": [2], "name": []})


def _all(nxt, sess):
    out = []
    while True:
        try:
            out.append(sess.run(nxt))
        except tf.errors.OutOfRangeError:
            return out


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_second_epoch_and_a_new_session_read_the_file(tmp_path, backend):
    calls = []
    path = str(tmp_path / "cache")
    ds = _counting(calls).map(lambda d: {"x": d["x"] * 2.0, "name": d["name"]}) \
        .cache(path).repeat(2)
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session(backend=backend) as sess:
        sess.run(it.initializer)
        got = _all(nxt, sess)
    assert len(calls) == 1  # the second epoch came from the file
    assert [float(g["x"][0]) for g in got] == [0.0, 2.0, 4.0, 6.0, 8.0] * 2
    assert [g["name"] for g in got] == [f"row{i}".encode() for i in range(5)] * 2
    assert os.path.exists(path + ".index") and os.path.exists(path + ".data-00000-of-00001")
    with tf.Session(backend=backend) as sess:  # a new Session: the file, not the input
        sess.run(it.initializer)
        again = _all(nxt, sess)
    assert len(calls) == 1
    np.testing.assert_array_equal([g["x"] for g in again], [g["x"] for g in got])


def test_a_pass_stopped_early_leaves_no_cache(tmp_path):
    calls = []
    path = str(tmp_path / "partial")
    it = _counting(calls).cache(path).make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        sess.run(it.initializer)
        sess.run(nxt)
        sess.run(nxt)
        sess.run(it.initializer)  # start over before the end: the partial pass is dropped
        assert not os.path.exists(path + ".index")
        assert len(_all(nxt, sess)) == 5
    assert len(calls) == 2 and os.path.exists(path + ".index")
    assert sorted(os.listdir(tmp_path)) == ["partial.data-00000-of-00001", "partial.index"]


def test_the_file_name_may_be_fed(tmp_path):
    name = tf.placeholder(tf.string, [])
    calls = []
    it = _counting(calls, 3).cache(name).make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        for _ in range(2):
            sess.run(it.initializer, {name: str(tmp_path / "fed")})
            assert len(_all(nxt, sess)) == 3
        sess.run(it.initializer, {name: ""})  # empty: in memory, from the input
        assert len(_all(nxt, sess)) == 3
    assert len(calls) == 2 and os.path.exists(str(tmp_path / "fed.index"))


def test_a_cache_of_another_structure_is_refused(tmp_path):
    path = str(tmp_path / "c")
    tf.reset_default_graph()
    nxt = tf.data.Dataset.range(4).cache(path).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [int(v) for v in _all(nxt, sess)] == [0, 1, 2, 3]
    nxt = tf.data.Dataset.range(4).map(lambda v: tf.cast(v, tf.float32)).cache(path) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="the cache .*/c was "
                           "written for elements"):
            sess.run(nxt)
    with open(path + ".index", "wb") as f:
        f.write(b"\x00\x01 a TensorFlow tensor bundle index")
    nxt = tf.data.Dataset.range(4).cache(path).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DataLossError, match="not a graphc dataset cache"):
            sess.run(nxt)


@pytest.mark.timeout(120)
def test_another_process_reads_the_cache_not_the_input(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        import graphc as tf
        calls = []
        def gen():
            calls.append(1)
            yield from range(int(sys.argv[1]))
        ds = tf.data.Dataset.from_generator(gen, tf.int64, []).cache({str(tmp_path / 'p')!r})
        nxt = ds.make_one_shot_iterator().get_next()
        out = []
        with tf.Session() as sess:
            try:
                while True:
                    out.append(int(sess.run(nxt)))
            except tf.errors.OutOfRangeError:
                pass
        print(len(calls), out)
    """)
    first = subprocess.run([sys.executable, "-c", script, "3"], capture_output=True,
                           text=True, timeout=100)
    assert first.stdout.strip() == "1 [0, 1, 2]", first.stderr
    second = subprocess.run([sys.executable, "-c", script, "7"], capture_output=True,
                            text=True, timeout=100)
    assert second.stdout.strip() == "0 [0, 1, 2]", second.stderr  # the file, as TF
