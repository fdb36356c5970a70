"""tf.data transformations: values, order and static structure against TF1's semantics."""
import numpy as np
import pytest

import graphc as tf
from graphc.ir.shapes import TensorShape


def elements(ds, backend=None):
    """Every element of `ds` through a one-shot iterator, until OutOfRangeError."""
    nxt = ds.make_one_shot_iterator().get_next()
    out = []
    with tf.Session(backend=backend) as sess:
        while True:
            try:
                out.append(sess.run(nxt))
            except tf.errors.OutOfRangeError:
                return out


def ints(ds):
    return [int(v) for v in elements(ds)]


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_slices_map_batch_on_both_backends(backend):
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    y = np.arange(5, dtype=np.int64)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).map(
        lambda a, b: (tf.tanh(a * 2.0) + 1.0, b * 3)).batch(2)
    got = elements(ds, backend)
    assert [len(b[1]) for b in got] == [2, 2, 1]
    np.testing.assert_allclose(np.concatenate([b[0] for b in got]), np.tanh(x * 2) + 1,
                               rtol=1e-6)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in got]), y * 3)


def test_structure_after_batch_and_drop_remainder():
    ds = tf.data.Dataset.from_tensor_slices({"a": np.zeros((6, 3), np.float32),
                                             "b": np.zeros(6, np.int32)})
    assert ds.output_types == {"a": tf.float32, "b": tf.int32}
    assert ds.output_shapes == {"a": TensorShape([3]), "b": TensorShape([])}
    assert ds.batch(4).output_shapes["a"].as_list() == [None, 3]
    assert ds.batch(4, drop_remainder=True).output_shapes["a"].as_list() == [4, 3]
    assert tf.data.get_output_types(ds) == ds.output_types
    assert tf.data.get_output_shapes(ds.batch(2))["b"].as_list() == [None]
    assert ds.output_classes == {"a": tf.Tensor, "b": tf.Tensor}
    got = elements(ds.batch(4, drop_remainder=True))
    assert len(got) == 1 and got[0]["a"].shape == (4, 3)


def test_from_tensors_range_zip_concatenate():
    assert [v.tolist() for v in elements(tf.data.Dataset.from_tensors([1, 2, 3]))] == [
        [1, 2, 3]]
    assert ints(tf.data.Dataset.range(5)) == [0, 1, 2, 3, 4]
    assert ints(tf.data.Dataset.range(2, 11, 3)) == [2, 5, 8]
    assert ints(tf.data.Dataset.range(5, 0, -2)) == [5, 3, 1]
    assert tf.data.Dataset.range(3).output_types == tf.int64
    z = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(10, 20)))
    assert [tuple(map(int, e)) for e in elements(z)] == [(0, 10), (1, 11), (2, 12)]
    c = tf.data.Dataset.range(2).concatenate(tf.data.Dataset.range(7, 9))
    assert ints(c) == [0, 1, 7, 8]
    a = tf.data.Dataset.from_tensors(np.zeros((2, 3)))
    b = tf.data.Dataset.from_tensors(np.zeros((4, 3)))
    assert a.concatenate(b).output_shapes.as_list() == [None, 3]
    with pytest.raises(TypeError, match="different types"):
        tf.data.Dataset.range(2).concatenate(tf.data.Dataset.from_tensors(1.0))


def test_from_generator_types_shapes_and_errors():
    def gen():
        for i in range(3):
            yield i, [float(i)] * (i + 1)

    ds = tf.data.Dataset.from_generator(gen, (tf.int64, tf.float32),
                                        (tf.TensorShape([]), tf.TensorShape([None])))
    assert ds.output_shapes[1].as_list() == [None]
    got = elements(ds)
    assert [int(a) for a, _ in got] == [0, 1, 2]
    assert [b.tolist() for _, b in got] == [[0.0], [1.0, 1.0], [2.0, 2.0, 2.0]]
    assert got[0][1].dtype == np.float32

    bad = tf.data.Dataset.from_generator(lambda: iter([[1, 2], [1, 2, 3]]), tf.int32,
                                         tf.TensorShape([2]))
    nxt = bad.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(nxt).tolist() == [1, 2]
        with pytest.raises(ValueError, match="shape \\[3\\] where an element of shape"):
            sess.run(nxt)


def test_generator_called_again_per_repeat_and_args():
    calls = []

    def gen(n):
        calls.append(int(n))
        yield from range(int(n))

    ds = tf.data.Dataset.from_generator(gen, tf.int64, [], args=(3,)).repeat(2)
    assert ints(ds) == [0, 1, 2, 0, 1, 2]
    assert calls == [3, 3]


def test_filter_flat_map_interleave():
    ds = tf.data.Dataset.range(10).filter(lambda x: tf.equal(x % 3, 0))
    assert ints(ds) == [0, 3, 6, 9]
    with pytest.raises(ValueError, match="scalar boolean"):
        tf.data.Dataset.range(3).filter(lambda x: x)
    fm = tf.data.Dataset.range(1, 4).flat_map(
        lambda n: tf.data.Dataset.range(n).map(lambda v: v + 10 * n))
    assert ints(fm) == [10, 20, 21, 30, 31, 32]
    # TF's documented interleave example: cycle_length 2, block_length 4
    il = tf.data.Dataset.range(1, 6).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(6), cycle_length=2, block_length=4)
    assert ints(il) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3,
                        4, 4, 5, 5, 5, 5, 5, 5]


def test_flat_map_captures_an_outer_tensor():
    scale = tf.constant(100, tf.int64)
    ds = tf.data.Dataset.range(2).flat_map(
        lambda n: tf.data.Dataset.from_tensor_slices(tf.stack([n, n + 1])).map(
            lambda v: v * scale))
    assert ints(ds) == [0, 100, 100, 200]


def test_padded_batch_and_unbatch():
    ds = tf.data.Dataset.range(1, 5).map(lambda n: tf.fill(tf.reshape(n, [1]), n))
    pb = ds.padded_batch(2, padded_shapes=[None])
    assert pb.output_shapes.as_list() == [None, None]
    got = elements(pb)
    assert got[0].tolist() == [[1, 0], [2, 2]]
    assert got[1].tolist() == [[3, 3, 3, 0], [4, 4, 4, 4]]
    fixed = ds.padded_batch(2, padded_shapes=[5], padding_values=tf.constant(-1, tf.int64))
    assert fixed.output_shapes.as_list() == [None, 5]
    assert elements(fixed)[0].tolist() == [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]]
    small = ds.padded_batch(2, padded_shapes=[2])
    nxt = small.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(nxt)
        with pytest.raises(tf.errors.InvalidArgumentError, match="smaller size"):
            sess.run(nxt)
    ub = tf.data.Dataset.from_tensor_slices(np.arange(12).reshape(3, 2, 2)).unbatch()
    assert ub.output_shapes.as_list() == [2]
    assert [e.tolist() for e in elements(ub)] == np.arange(12).reshape(6, 2).tolist()


def test_batch_of_mismatched_shapes_is_an_error():
    ds = tf.data.Dataset.range(1, 3).map(lambda n: tf.fill(tf.reshape(n, [1]), n)).batch(2)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="Cannot batch tensors"):
        sess.run(nxt)


def test_repeat_take_skip_shard_apply():
    r = tf.data.Dataset.range(3)
    assert ints(r.repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert ints(r.repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert ints(r.skip(1)) == [1, 2]
    assert ints(r.skip(-1)) == []
    assert ints(r.take(-1)) == [0, 1, 2]
    assert ints(tf.data.Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    assert ints(r.apply(lambda d: d.map(lambda v: v * 2))) == [0, 2, 4]
    assert ints(tf.data.Dataset.range(0).repeat()) == []


def test_shuffle_is_a_permutation_per_epoch_and_seeded():
    ds = tf.data.Dataset.range(20).shuffle(20, seed=7).repeat(3)
    got = ints(ds)
    epochs = [got[i * 20:(i + 1) * 20] for i in range(3)]
    for e in epochs:
        assert sorted(e) == list(range(20))
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]  # reshuffled each epoch
    tf.reset_default_graph()
    assert ints(tf.data.Dataset.range(20).shuffle(20, seed=7).repeat(3)) == got
    tf.reset_default_graph()
    fixed = ints(tf.data.Dataset.range(20).shuffle(
        20, seed=7, reshuffle_each_iteration=False).repeat(2))
    assert fixed[:20] == fixed[20:] and sorted(fixed[:20]) == list(range(20))


def test_shuffle_buffer_semantics():
    # A buffer of 1 keeps the order; a buffer of k never emits element i before
    # position i - k + 1 (TF's fill-then-replace buffer).
    assert ints(tf.data.Dataset.range(10).shuffle(1, seed=3)) == list(range(10))
    got = ints(tf.data.Dataset.range(50).shuffle(4, seed=3))
    assert sorted(got) == list(range(50))
    for pos, v in enumerate(got):
        assert v <= pos + 3


def test_graph_seed_makes_shuffle_deterministic():
    tf.set_random_seed(5) if hasattr(tf, "set_random_seed") else None
    tf.get_default_graph().seed = 5
    a = ints(tf.data.Dataset.range(30).shuffle(30))
    tf.reset_default_graph()
    tf.get_default_graph().seed = 5
    assert ints(tf.data.Dataset.range(30).shuffle(30)) == a


def test_cache_and_prefetch():
    calls = []

    def gen():
        calls.append(1)
        yield from range(4)

    ds = tf.data.Dataset.from_generator(gen, tf.int64, []).cache().repeat(3).prefetch(2)
    assert ints(ds) == [0, 1, 2, 3] * 3
    assert len(calls) == 1


def test_prefetch_passes_errors_in_order():
    def gen():
        yield 1
        yield 2
        raise RuntimeError("generator broke")

    nxt = tf.data.Dataset.from_generator(gen, tf.int64, []).prefetch(4) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [sess.run(nxt), sess.run(nxt)] == [1, 2]
        with pytest.raises(RuntimeError, match="generator broke"):
            sess.run(nxt)


def test_list_files(tmp_path):
    for n in ("b.txt", "a.txt", "c.txt", "d.bin"):
        (tmp_path / n).write_text(n)
    pattern = str(tmp_path / "*.txt")
    got = [v.decode() for v in elements(tf.data.Dataset.list_files(pattern, shuffle=False))]
    assert got == [str(tmp_path / n) for n in ("a.txt", "b.txt", "c.txt")]
    shuffled = elements(tf.data.Dataset.list_files(pattern, seed=1))
    assert sorted(v.decode() for v in shuffled) == got
    nxt = tf.data.Dataset.list_files(str(tmp_path / "*.none")).make_one_shot_iterator() \
        .get_next()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="No files matched"):
        sess.run(nxt)


def test_map_with_dicts_strings_and_variables():
    v = tf.Variable(10.0)
    ds = tf.data.Dataset.from_tensor_slices({"x": np.array([1.0, 2.0], np.float32),
                                             "name": np.array([b"a", b"b"])})
    ds = ds.map(lambda d: {"y": d["x"] * v, "name": d["name"]})
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(nxt)
        assert first["y"] == 10.0 and first["name"] == b"a"
        sess.run(tf.assign(v, 100.0))
        assert sess.run(nxt)["y"] == 200.0  # the map reads the variable's current value


def test_map_single_component_and_python_results():
    ds = tf.data.Dataset.range(3).map(lambda x: (x, 7, [1.5, 2.5]))
    assert ds.output_types == (tf.int64, tf.int32, tf.float32)
    got = elements(ds)
    assert got[2][0] == 2 and got[2][1] == 7 and got[2][2].tolist() == [1.5, 2.5]


def test_dataset_structure_errors():
    with pytest.raises(ValueError, match="same number of rows"):
        tf.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="scalar"):
        tf.data.Dataset.from_tensor_slices(np.float32(1.0))
    with pytest.raises(TypeError, match="must return a Dataset"):
        tf.data.Dataset.range(3).flat_map(lambda x: x)
    with pytest.raises(RuntimeError, match="eager"):
        iter(tf.data.Dataset.range(3))


def test_experimental_fused_transformations():
    exp = tf.data.experimental
    ds = tf.data.Dataset.range(6).apply(exp.map_and_batch(lambda x: x * 2, 4))
    assert [v.tolist() for v in elements(ds)] == [[0, 2, 4, 6], [8, 10]]
    got = ints(tf.data.Dataset.range(5).apply(exp.shuffle_and_repeat(5, count=2, seed=3)))
    assert sorted(got[:5]) == sorted(got[5:]) == list(range(5))
    il = tf.data.Dataset.range(2).apply(exp.parallel_interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(2), cycle_length=2))
    assert ints(il) == [0, 1, 0, 1]
    assert exp.AUTOTUNE == tf.data.experimental.AUTOTUNE
