"""tf.debugging: check_numerics, the asserts, tf.Print and tf.print, on both backends:
TF1's messages, static checks raising when the graph is built, run-time checks naming the
op and the user's line, and effects that are never folded, merged or pruned away."""
from __future__ import annotations

import io

import numpy as np
import pytest

import graphc as tf

BACKENDS = ["numpy", "llvm"]
LINE = "test_debugging.py"


def _session(backend):
    return tf.Session(backend=backend)


@pytest.fixture(autouse=True)
def _quiet_fallbacks():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("backend", BACKENDS)
def test_check_numerics_passes_values_and_names_the_op_message_and_line(backend):
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.debugging.check_numerics(tf.log(x), "log of x")
    z = tf.check_numerics(x * 2.0, "doubled", name="doubled_check")
    with _session(backend) as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, np.e]}), [0.0, 1.0], rtol=1e-6)
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: [1.0, 0.0]})
        text = str(info.value)
        assert "log of x : Tensor had Inf values" in text
        assert "CheckNumerics" in text and LINE in text and "check_numerics(tf.log(x)" in text
        with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had NaN values"):
            sess.run(y, {x: [-1.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Inf and NaN"):
            sess.run(z, {x: [np.inf, np.nan]})
        assert info.value.op.name == "CheckNumerics"


@pytest.mark.parametrize("backend", BACKENDS)
def test_checks_on_constants_are_not_folded_away(backend):
    bad = tf.check_numerics(tf.constant([1.0, np.nan]), "constant")
    with tf.control_dependencies([bad]):
        out = tf.constant(3.0) + 1.0
    with _session(backend) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="constant : Tensor had NaN"):
            sess.run(out)  # reached through a control dependency only


@pytest.mark.parametrize("backend", BACKENDS)
def test_assert_all_finite_and_add_check_numerics_ops(backend):
    x = tf.placeholder(tf.float32, [None], name="x")
    safe = tf.debugging.assert_all_finite(x * 3.0, "tripled")
    assert tf.verify_tensor_all_finite is tf.debugging.assert_all_finite
    with tf.Graph().as_default() as g:
        a = tf.placeholder(tf.float32, [2], name="a")
        h = tf.sqrt(a, name="root")
        loss = tf.reduce_sum(h * 2.0, name="loss")
        checks = tf.add_check_numerics_ops()
    with _session(backend) as sess:
        np.testing.assert_allclose(sess.run(safe, {x: [1.0, 2.0]}), [3.0, 6.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="tripled : Tensor had Inf"):
            sess.run(safe, {x: [np.inf]})
    with tf.Session(graph=g, backend=backend) as sess:
        sess.run([checks, loss], {a: [1.0, 4.0]})
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run([checks, loss], {a: [1.0, -4.0]})
        # The first op (in graph order) whose value is bad is the one reported.
        assert "root:0 : Tensor had NaN values" in str(info.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_binary_asserts_fail_at_run_time_with_tf1_messages(backend):
    x = tf.placeholder(tf.int32, [None], name="x")
    y = tf.placeholder(tf.int32, [None], name="y")
    checks = {"eq": tf.debugging.assert_equal(x, y, message="must match"),
              "lt": tf.assert_less(x, y), "pos": tf.assert_positive(x),
              "nonneg": tf.assert_non_negative(x, summarize=2)}
    with _session(backend) as sess:
        sess.run([checks["eq"], checks["pos"], checks["nonneg"]], {x: [1, 2], y: [1, 2]})
        sess.run(checks["lt"], {x: [1, 2], y: [2, 3]})
        cases = [("eq", {x: [1, 2], y: [1, 5]},
                  "[must match] [Condition x == y did not hold element-wise:] "
                  "[x (x:0) = ] [1 2] [y (y:0) = ] [1 5]"),
                 ("lt", {x: [1, 2], y: [2, 2]}, "[Condition x < y did not hold element-wise:]"),
                 ("pos", {x: [0, 2]}, "[Condition x > 0 did not hold element-wise:] "
                  "[x (x:0) = ] [0 2]"),
                 ("nonneg", {x: [-1, 2, 3]}, "[x (x:0) = ] [-1 2...]")]
        for key, feed, want in cases:
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(checks[key], feed)
            assert want in str(info.value), (key, str(info.value))
            assert LINE in str(info.value)


def test_asserts_on_known_values_shapes_and_dtypes_fail_when_built():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x < y"):
        tf.assert_less(tf.constant(2.0), 1.0)
    with pytest.raises(ValueError, match="must have rank 2.  Received rank 1"):
        tf.assert_rank(tf.zeros([3]), 2)
    with pytest.raises(TypeError, match="must be of type <dtype: 'int32'>"):
        tf.assert_type(tf.zeros([3]), tf.int32)
    assert tf.assert_type(tf.zeros([3]), tf.float32).type == "NoOp"
    assert tf.assert_rank(tf.zeros([3, 1]), 2).type == "NoOp"
    x = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="dimension 1 must have size 4"):
        tf.debugging.assert_shapes([(x, ("N", 4))])
    with pytest.raises(ValueError, match="must have rank 3"):
        tf.debugging.assert_shapes([(x, ("N", "Q", "R"))])
    with pytest.raises(ValueError, match="size 3.  Received size 5"):
        tf.debugging.assert_shapes([(x, ("N", "Q")), (tf.zeros([2, 5]), (".", "Q"))])


@pytest.mark.parametrize("backend", BACKENDS)
def test_assert_shapes_and_rank_check_unknown_dims_at_run_time(backend):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 2], name="y")
    s = tf.placeholder(tf.float32, name="s")
    shapes = tf.debugging.assert_shapes({x: ("N", "Q"), y: ("N", 2), tf.zeros([7, 3]):
                                         ("*", "Q"), tf.constant(1.0): ()})
    rank = tf.assert_rank(s, 1)
    with _session(backend) as sess:
        sess.run(shapes, {x: np.zeros((4, 3)), y: np.zeros((4, 2))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="dimension 0"):
            sess.run(shapes, {x: np.zeros((4, 3)), y: np.zeros((5, 2))})
        sess.run(rank, {s: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank"):
            sess.run(rank, {s: [[1.0]]})


@pytest.mark.parametrize("backend", BACKENDS)
def test_tf_print_passes_the_value_and_writes_tf1s_format(backend, capfd):
    x = tf.placeholder(tf.float32, [None], name="x")
    m = tf.reshape(tf.range(12), [3, 4])
    y = tf.Print(x * 2.0, [x, m], message="x and m: ", summarize=5) + 1.0
    once = tf.Print(x, [tf.constant(True), tf.constant("s")], first_n=1)
    twin = tf.Print(x, [x])   # the same Print twice: both print (never merged)
    twin2 = tf.Print(x, [x])
    with _session(backend) as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.5]}), [3.0, 6.0])
        for _ in range(3):
            sess.run(once, {x: [1.0]})
        sess.run([twin, twin2], {x: [0.1]})
    err = capfd.readouterr().err
    assert "x and m: [1 2.5][[0 1 2 3][4...]...]\n" in err
    assert err.count("[1][s]\n") == 1                # first_n=1
    assert err.count("[0.1]\n") == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_tf_print_writes_to_a_stream_in_tf_print_format(backend, capfd, tmp_path):
    x = tf.placeholder(tf.float32, [None], name="x")
    buf = io.StringIO()
    op = tf.print("x =", x, {"grid": tf.reshape(tf.range(12), [3, 4])}, output_stream=buf,
                  summarize=2)
    with tf.control_dependencies([op]):
        y = tf.identity(x)
    path = tmp_path / "out.txt"
    to_file = tf.print(tf.constant("plain"), output_stream=f"file://{path}")
    default = tf.print(tf.constant([True, False]), tf.constant(["a", "b"]), sep="|", end="!\n")
    with _session(backend) as sess:
        np.testing.assert_array_equal(sess.run(y, {x: np.arange(6, dtype=np.float32)}),
                                      np.arange(6))
        sess.run([to_file, default])
    assert buf.getvalue() == ("x = [0 1 ... 4 5] {'grid': [[0 1 2 3]\n [4 5 6 7]\n"
                              " [8 9 10 11]]}\n")
    assert path.read_text() == "plain\n"
    assert capfd.readouterr().err.endswith('[True False]|["a" "b"]!\n')


def test_print_formats_match_tensorflow():
    from graphc.ir.ops.debug_ops import summarize_v1, summarize_v2
    assert summarize_v1(np.float32([1 / 3, 0.1, 2.0]), 3) == "0.333333343 0.1 2"
    assert summarize_v1(np.float64([1 / 3]), 3) == "0.33333333333333331"
    assert summarize_v1(np.int32(7), 3) == "7"
    assert summarize_v1(np.arange(8).reshape(2, 2, 2), 3) == "[[0 1][2...]]..."
    assert summarize_v1(np.arange(4), -1) == "0 1 2 3"
    assert summarize_v2(np.arange(10), 3) == "[0 1 2 ... 7 8 9]"
    assert summarize_v2(np.arange(8).reshape(2, 2, 2), 3) == \
        "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"
    assert summarize_v2(np.float32(np.nan), 3) == "nan"


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradients_pass_through_check_numerics_and_print(backend):
    x = tf.placeholder(tf.float64, [3], name="x")
    y = tf.reduce_sum(tf.Print(tf.check_numerics(x * x, "square"), [x]) * 3.0)
    (g,) = tf.gradients(y, [x])
    with _session(backend) as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 2.0, -1.0]}), [6.0, 12.0, -6.0])
    grad_check = [op for op in g.graph.get_operations()
                  if op.type == "CheckNumerics" and "gradient" in op.attrs["message"]]
    assert grad_check, "the gradient of check_numerics checks the gradient (TF1)"
