"""Session.run against TF1 semantics: fetch structures, feeds, defaults, caching."""
import collections

import numpy as np
import pytest

import graphc as tf


def test_fetch_structures_are_rebuilt():
    a = tf.constant(1.0)
    b = tf.constant([2, 3])
    op = tf.no_op()
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as sess:
        out = sess.run({"list": [a, b], "tuple": (a,), "pair": Pair(a, [b, op]),
                        "nested": {"deep": [(a, b)]}, "op": op})
    assert out["list"][0] == 1.0 and list(out["list"][1]) == [2, 3]
    assert isinstance(out["tuple"], tuple) and out["tuple"][0] == 1.0
    assert isinstance(out["pair"], Pair) and out["pair"].y[1] is None
    assert out["nested"]["deep"][0][0] == 1.0
    assert out["op"] is None


def test_fetch_by_name_duplicates_and_variables():
    x = tf.constant(3.0, name="three")
    v = tf.Variable(5.0, name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(["three:0", x, x, v, "v:0"]) == [3.0, 3.0, 3.0, 5.0, 5.0]
        assert sess.run("init" if False else v.initializer.name) is None


def test_bad_fetches_are_clear():
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Fetch argument None has invalid type"):
            sess.run(None)
        with pytest.raises(ValueError, match="cannot be interpreted as a Tensor"):
            sess.run("nope:0")
        with pytest.raises(TypeError, match="has invalid type"):
            sess.run(3)


def test_scalar_fetches_are_numpy_scalars_and_strings_bytes():
    with tf.Session() as sess:
        v = sess.run(tf.constant(2.5))
        assert isinstance(v, np.float32) and v == 2.5
        assert sess.run(tf.constant("Hello, TensorFlow!")) == b"Hello, TensorFlow!"
        arr = sess.run(tf.constant(["a", "bc"]))
        assert list(arr) == [b"a", b"bc"]


def test_feeding_values_with_tf1_dtype_rules():
    x = tf.placeholder(tf.float32, [None, 2])
    i = tf.placeholder(tf.int32, [])
    y = x * 2.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [[1, 2]]}), [[2, 4]])
        np.testing.assert_array_equal(sess.run(y, {x: np.float64([[1.5, 2]])}), [[3, 4]])
        assert sess.run(i + 1, {i: 41}) == 42
        with pytest.raises(TypeError, match="larger type"):
            sess.run(i, {i: 2**40})
        with pytest.raises(TypeError, match="cannot be a tf.Tensor"):
            sess.run(y, {x: tf.constant([[1.0, 2.0]])})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            sess.run(y, {"nope:0": 1})


def test_a_shape_set_after_the_first_run_is_checked_on_the_next():
    """set_shape refines a placeholder after runs have cached its feed checks: the next
    run and callable check against the refined shape (TF1 checks the shape it has)."""
    x = tf.placeholder(tf.float32, [None, 3])
    y = x * 2.0
    with tf.Session() as sess:
        step = sess.make_callable(y, [x])
        assert sess.run(y, {x: np.ones((5, 3), np.float32)}).shape == (5, 3)
        assert step(np.ones((5, 3), np.float32)).shape == (5, 3)
        x.set_shape([2, 3])
        for run in (lambda v: sess.run(y, {x: v}), step):
            with pytest.raises(ValueError, match="Cannot feed value of shape \\(5, 3\\)"):
                run(np.ones((5, 3), np.float32))
            assert run(np.ones((2, 3), np.float32)).shape == (2, 3)


def test_feeds_the_fast_path_skips_are_still_converted_and_checked():
    """Session.run and make_callable take an array of the placeholder's dtype (and a
    float for a float one) as it is; anything else is converted: a float64 array fed to a
    string placeholder (numpy's float64 equals the dtype None), other byte orders, ints
    for floats; and every feed's shape is checked, the fast ones too."""
    s = tf.placeholder(tf.string, [2])
    x = tf.placeholder(tf.float32, [2])
    d = tf.placeholder(tf.float64, [])
    with tf.Session() as sess:
        assert sess.run(s, {s: np.array([1.5, 2.0])}).dtype == object  # (not float64)
        assert list(sess.run(s, {s: np.array(["a", "bc"])})) == [b"a", b"bc"]
        swapped = np.array([1.0, 2.5], ">f4")
        got = sess.run(x * 2.0, {x: swapped})
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, [2.0, 5.0])
        assert sess.run(d, {d: 3}) == 3.0 and type(sess.run(d, {d: 0.5})) is np.float64
        step = sess.make_callable(x + 1.0, [x])
        np.testing.assert_array_equal(step(np.float32([1, 2])), [2, 3])
        np.testing.assert_array_equal(step([1, 2]), [2, 3])
        for run in (lambda v: sess.run(x, {x: v}), step):
            with pytest.raises(ValueError, match="Cannot feed value of shape \\(3,\\)"):
                run(np.zeros(3, np.float32))
        with pytest.raises(ValueError, match="Cannot feed value of shape \\(\\)"):
            sess.run(x, {x: 1.0})


def test_one_tensor_fed_under_two_keys_takes_the_later_value():
    # TF1 maps every feed key to its tensor and keeps the later value; both are checked.
    x = tf.placeholder(tf.float32, [2], name="x")
    y = x * 2.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1, 2], "x:0": [3, 4]}), [6, 8])
        np.testing.assert_array_equal(sess.run(y, {"x:0": [3, 4], x: [1, 2]}), [2, 4])
        with pytest.raises(ValueError, match=r"shape \(3,\) for Tensor 'x:0'"):
            sess.run(y, {x: [1, 2, 3], "x:0": [1, 2]})
        run = sess.make_callable(y, [x, "x:0"])
        np.testing.assert_array_equal(run([1, 1], [5, 5]), [10, 10])


@pytest.mark.parametrize("dtype", [tf.int8, tf.int32, tf.uint8, tf.int64])
def test_out_of_range_integer_in_a_list_feed_names_the_placeholder(dtype):
    big = 2**70 if dtype is tf.int64 else 2**40
    i = tf.placeholder(dtype, [None], name="counts")
    with tf.Session() as sess:
        with pytest.raises(TypeError) as info:
            sess.run(i, {i: [1, big]})
        assert sess.run(i, {i: [1, 2]}).dtype == dtype.as_numpy_dtype
    text = str(info.value)
    assert "'counts:0'" in text and dtype.name in text and str(big) in text, text


@pytest.mark.parametrize("bad", [[1.0], ([1.0],), "x:0", 3])
def test_feed_dict_that_is_not_a_dict_says_so(bad):
    x = tf.placeholder(tf.float32, [1], name="x")
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="feed_dict must be a dict mapping tensors"):
            sess.run(x, bad)
        np.testing.assert_array_equal(sess.run(x, collections.OrderedDict([(x, [1.0])])), [1])


def test_wrong_feed_shape_names_placeholder_shapes_and_line():
    x = tf.placeholder(tf.float32, [None, 2], name="inputs")  # placeholder line
    with tf.Session() as sess:
        with pytest.raises(ValueError) as info:
            sess.run(x, {x: np.zeros((3, 3))})
    text = str(info.value)
    assert "Cannot feed value of shape (3, 3) for Tensor 'inputs:0', which has shape " \
           "'(?, 2)'" in text
    assert "test_session.py" in text and "# placeholder line" in text


def test_unfed_placeholder_names_it():
    x = tf.placeholder(tf.float32, [None, 3], name="features")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"You must feed a value for placeholder tensor 'features' "
                                 r"with dtype float32 and shape \[\?,3\]"):
            sess.run(x * 2.0)


def test_feeding_an_intermediate_skips_its_producers():
    x = tf.placeholder(tf.float32, [2])
    h = tf.exp(x)
    y = h + 1.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {h: [1.0, 2.0]}), [2.0, 3.0])
        fed = np.float32([5.0, 6.0])
        out = sess.run(h, {h: fed})
        np.testing.assert_array_equal(out, fed)
        assert out is not fed


def test_placeholder_with_default():
    p = tf.placeholder_with_default(tf.constant([1.0, 2.0]), [None])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(p), [1, 2])
        np.testing.assert_array_equal(sess.run(p, {p: [7.0, 8.0, 9.0]}), [7, 8, 9])


def test_default_session_eval_and_run():
    x = tf.constant(4.0)
    v = tf.Variable(1.0)
    with pytest.raises(ValueError, match="no default session"):
        x.eval()
    sess = tf.Session()
    with sess.as_default():
        v.initializer.run()
        assert x.eval() == 4.0 and v.eval() == 1.0
        assert tf.get_default_session() is sess
    assert tf.get_default_session() is None
    with tf.Session() as s2:
        assert tf.get_default_session() is s2
        assert x.eval() == 4.0


def test_closed_session_and_interactive_session():
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(tf.constant(1))
    inter = tf.InteractiveSession()
    try:
        assert tf.constant(3).eval() == 3
    finally:
        inter.close()
    assert tf.get_default_session() is None


def test_make_callable_and_plan_cache():
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(x * x)
    with tf.Session() as sess:
        f = sess.make_callable(y, [x])
        assert f([1.0, 2.0]) == 5.0 and f(np.float32([3.0])) == 9.0
        sess.run(y, {x: [1.0]})
        n = len(sess._plans)
        for _ in range(5):
            sess.run(y, {x: [2.0]})
        assert len(sess._plans) == n  # same feed shape: the same plan
        with pytest.raises(TypeError, match="expects 1 feed values"):
            f()


def test_results_are_fresh_arrays():
    c = tf.constant([1.0, 2.0])
    v = tf.Variable([3.0, 4.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        out_c, out_v = sess.run([c, v])
        out_c[0] = 100.0
        out_v[0] = 100.0
        np.testing.assert_array_equal(sess.run(c), [1, 2])
        np.testing.assert_array_equal(sess.run(v), [3, 4])


def test_ops_run_once_per_run_even_when_fetched_twice():
    tf.set_random_seed(0)
    r = tf.random_uniform([3])
    with tf.Session() as sess:
        a, b = sess.run([r, r + 0.0])
    np.testing.assert_array_equal(a, b)


def test_config_and_backend_selection():
    cfg = tf.ConfigProto(allow_soft_placement=True, gpu_options=tf.GPUOptions(allow_growth=True))
    cfg.gpu_options.per_process_gpu_memory_fraction = 0.5
    with tf.Session(config=cfg) as sess:
        assert sess.run(tf.constant(1)) == 1
    with pytest.raises(ValueError, match="Unknown graphc backend 'tpu'"):
        tf.Session(backend="tpu")


def test_session_on_an_explicit_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(7)
    with tf.Session(graph=g) as sess:
        assert sess.run(c) == 7
        assert sess.graph is g
