"""tf.cond, tf.case, tf.while_loop and the functional ops on both backends: TF1 semantics,
errors naming the user's line, and gradients against central differences in float64."""
import collections
import os

import numpy as np
import pytest

import graphc as tf
from graphc.ir.serialize import GraphDef

BACKENDS = ["numpy", "llvm"]
HERE = os.path.basename(__file__)


def _session(backend):
    return tf.Session(backend=backend)


def _numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f(x)
        flat[i] = old - eps
        down = f(x)
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return g


def _check_grad(sess, loss, x, value, feeds=None, rtol=1e-5, atol=1e-7):
    feeds = dict(feeds or {})
    (grad,) = sess.run(tf.gradients(loss, [x]), {**feeds, x: value})
    want = _numeric_grad(lambda v: float(sess.run(loss, {**feeds, x: v})), value.copy())
    np.testing.assert_allclose(grad, want, rtol=rtol, atol=atol)


# ------------------------------------------------------------------ cond
@pytest.mark.parametrize("backend", BACKENDS)
def test_only_the_taken_branch_runs(backend):
    with tf.Graph().as_default():
        v = tf.Variable(1.0)
        p = tf.placeholder(tf.bool, [])
        x = tf.placeholder(tf.float32, [])

        def failing():
            check = tf.Assert(x > 100.0, ["x is small:", x])
            with tf.control_dependencies([check]):
                return tf.identity(x)

        y = tf.cond(p, lambda: tf.assign(v, 5.0), lambda: v + 0.0)
        z = tf.cond(x > 0.0, lambda: x * 2.0, failing)
        with _session(backend) as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(y, {p: False}) == 1.0
            assert sess.run(v) == 1.0           # the assignment did not happen
            assert sess.run(y, {p: True}) == 5.0
            assert sess.run(v) == 5.0
            assert sess.run(z, {x: 3.0}) == 6.0   # the failing check did not run
            with pytest.raises(tf.errors.InvalidArgumentError, match="x is small"):
                sess.run(z, {x: -3.0})


@pytest.mark.parametrize("backend", BACKENDS)
def test_cond_nested_structures_captures_and_nesting(backend):
    Pair = collections.namedtuple("Pair", "a b")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3])
        p, q = tf.placeholder(tf.bool, []), tf.placeholder(tf.bool, [])
        w = tf.Variable(np.array([1.0, 2.0, 3.0]))
        out = tf.cond(p, lambda: {"s": Pair(x * w, tf.reduce_sum(x))},
                      lambda: {"s": Pair(tf.cond(q, lambda: x - w, lambda: x + w), x[0])})
        with _session(backend) as sess:
            sess.run(tf.global_variables_initializer())
            xv = np.array([0.5, -1.0, 2.0])
            r = sess.run(out, {x: xv, p: True, q: True})
            assert isinstance(r["s"], Pair)
            np.testing.assert_allclose(r["s"].a, xv * [1, 2, 3])
            assert r["s"].b == pytest.approx(xv.sum())
            r = sess.run(out, {x: xv, p: False, q: False})
            np.testing.assert_allclose(r["s"].a, xv + [1, 2, 3])
            assert r["s"].b == xv[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_case_with_default_and_exclusive(backend):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.int32, [])
        y = tf.case([(x < 0, lambda: tf.constant(-1)), (x > 10, lambda: tf.constant(1))],
                    default=lambda: tf.constant(0))
        z = tf.case([(x > 0, lambda: tf.constant(1)), (x > 5, lambda: tf.constant(2))],
                    default=lambda: tf.constant(0), exclusive=True)
        with _session(backend) as sess:
            assert [sess.run(y, {x: v}) for v in (-5, 5, 50)] == [-1, 0, 1]
            assert sess.run(z, {x: 3}) == 1
            with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive"):
                sess.run(z, {x: 7})


def test_cond_errors_name_the_users_line():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        p = tf.placeholder(tf.bool, [])
        with pytest.raises(ValueError, match=f"(?s)same nested structure.*{HERE}"):
            tf.cond(p, lambda: (x, x), lambda: x)
        with pytest.raises(TypeError, match=f"(?s)float32 but false_fn returns int32.*{HERE}"):
            tf.cond(p, lambda: x[0], lambda: tf.constant(1))
        with pytest.raises(TypeError, match=f"(?s)must be a bool tensor.*{HERE}"):
            tf.cond(x[0], lambda: x, lambda: x)
        with pytest.raises(ValueError, match=f"(?s)must be a scalar.*{HERE}"):
            tf.cond(x > 0, lambda: x, lambda: x)
        with pytest.raises(TypeError, match="Python bool"):
            tf.cond(True, lambda: x, lambda: x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cond_gradients_match_central_differences(backend):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3])
        p = tf.placeholder(tf.bool, [])
        w = tf.constant([0.3, -0.7, 1.1], tf.float64)
        y = tf.cond(p, lambda: tf.sin(x) * w + x * x, lambda: tf.exp(x * w) / (1.0 + x * x))
        loss = tf.reduce_sum(y * y)
        with _session(backend) as sess:
            for taken in (True, False):
                _check_grad(sess, loss, x, np.array([0.4, -0.2, 0.9]), {p: taken})


# ------------------------------------------------------------------ while_loop
@pytest.mark.parametrize("backend", BACKENDS)
def test_while_data_dependent_trip_count_and_structures(backend):
    State = collections.namedtuple("State", "n steps")
    with tf.Graph().as_default():
        start = tf.placeholder(tf.int32, [])

        def collatz(s):
            odd = tf.equal(s.n % 2, 1)
            return State(tf.where(odd, 3 * s.n + 1, s.n // 2), s.steps + 1)

        final = tf.while_loop(lambda s: s.n > 1, lambda s: (collatz(s),),
                              [State(start, tf.constant(0))])
        with _session(backend) as sess:
            for n, steps in ((1, 0), (6, 8), (27, 111)):
                r = sess.run(final, {start: n})
                assert isinstance(r, State) and r.n == 1 and r.steps == steps


@pytest.mark.parametrize("backend", BACKENDS)
def test_maximum_iterations_and_shape_invariants(backend):
    with tf.Graph().as_default():
        limit = tf.placeholder(tf.int32, [])
        i = tf.while_loop(lambda i: i < limit, lambda i: i + 1, [0], maximum_iterations=5)
        _, grown = tf.while_loop(
            lambda k, a: k < 4, lambda k, a: (k + 1, tf.concat([a, [tf.cast(k, tf.float32)]], 0)),
            [0, tf.zeros([0])], shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
        with _session(backend) as sess:
            assert sess.run(i, {limit: 3}) == 3
            assert sess.run(i, {limit: 30}) == 5
            np.testing.assert_array_equal(sess.run(grown), [0, 1, 2, 3])


def test_while_errors_name_the_users_line():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=f"(?s)shape_invariants.*{HERE}"):
            tf.while_loop(lambda a: tf.size(a) < 5, lambda a: tf.concat([a, [1.0]], 0),
                          [tf.zeros([1])])
        with pytest.raises(TypeError, match=f"(?s)enters the loop as int32.*{HERE}"):
            tf.while_loop(lambda a: a < 5, lambda a: tf.cast(a, tf.float32), [0])
        with pytest.raises(ValueError, match=f"(?s)structure of loop_vars.*{HERE}"):
            tf.while_loop(lambda a, b: a < 5, lambda a, b: a + 1, [0, 1])


@pytest.mark.parametrize("backend", BACKENDS)
def test_while_assigns_variables_and_nests_with_cond(backend):
    with tf.Graph().as_default():
        v = tf.Variable(0.0)
        x = tf.placeholder(tf.float32, [])

        def body(i):
            with tf.control_dependencies([tf.assign_add(v, 1.0)]):
                return i + tf.cond(tf.equal(i % 2, 0), lambda: tf.constant(1),
                                   lambda: tf.constant(2))

        n = tf.while_loop(lambda i: i < 10, body, [0])
        inner = tf.cond(x > 0, lambda: tf.while_loop(lambda a: a < x, lambda a: a * 2.0, [1.0]),
                        lambda: x)
        with _session(backend) as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(n) == 11          # 0 -> 1 -> 3 -> 5 -> 7 -> 9 -> 11
            assert sess.run(v) == 6.0         # one assignment per iteration
            assert sess.run(inner, {x: 5.0}) == 8.0
            assert sess.run(inner, {x: -1.0}) == -1.0



@pytest.mark.timeout(60)
@pytest.mark.parametrize("backend", BACKENDS)
def test_while_reads_a_variable_its_body_assigns_anew_each_iteration(backend):
    """TF1's loop reads the variable's ref every iteration: the body's doubling compounds,
    and a condition on the variable sees each new value (TF1 prints 3 8.0 7 128.0)."""
    with tf.Graph().as_default():
        v, w = tf.Variable(1.0), tf.Variable(1.0)

        def double(var):
            def body(i):
                with tf.control_dependencies([tf.assign(var, var * 2.0)]):
                    return i + 1
            return body

        loop = tf.while_loop(lambda i: i < 3, double(v), [tf.constant(0)])
        until = tf.while_loop(lambda i: w < 100.0, double(w), [tf.constant(0)])
        with _session(backend) as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(loop) == 3 and sess.run(v) == 8.0
            assert sess.run(until) == 7 and sess.run(w) == 128.0
        graph_def = GraphDef.from_graph(tf.get_default_graph())  # graphc's own document
    with tf.Graph().as_default() as copy:  # the graph file keeps the re-read
        tf.import_graph_def(graph_def, name="")
        with _session(backend) as sess:
            sess.run(copy.get_operation_by_name(w.initializer.name))
            assert sess.run(until.name) == 7 and sess.run(w.name) == 128.0

@pytest.mark.parametrize("backend", BACKENDS)
def test_while_gradients_match_central_differences(backend):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3])
        w = tf.constant([[0.5, -0.2, 0.1], [0.3, 0.4, -0.6], [-0.1, 0.2, 0.7]], tf.float64)

        def body(i, h):
            return i + 1, tf.tanh(tf.matmul(h[None, :], w)[0] + x)

        _, h = tf.while_loop(lambda i, h: i < 4, body, [0, x])
        # data-dependent trip count: double until the norm passes 5 (at most 6 times)
        _, z = tf.while_loop(lambda k, z: tf.reduce_sum(z * z) < 25.0,
                             lambda k, z: (k + 1, z * 1.5 + tf.sin(z)), [0, x],
                             maximum_iterations=6)
        with _session(backend) as sess:
            value = np.array([0.3, -0.5, 0.8])
            _check_grad(sess, tf.reduce_sum(h * h), x, value)
            _check_grad(sess, tf.reduce_sum(z), x, value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_functional_ops_and_their_gradients(backend):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [4, 3])
        m = tf.map_fn(lambda r: tf.reduce_sum(tf.sin(r)) * r, x)
        s = tf.scan(lambda a, r: a * 0.5 + r * r, x)
        s0 = tf.scan(lambda a, r: a + r, x, initializer=tf.ones([3], tf.float64), reverse=True)
        fl = tf.foldl(lambda a, r: a * r + 1.0, x)
        fr = tf.foldr(lambda a, r: a * r + 1.0, x)
        xv = np.random.RandomState(3).randn(4, 3)
        with _session(backend) as sess:
            mv, sv, s0v, flv, frv = sess.run([m, s, s0, fl, fr], {x: xv})
            np.testing.assert_allclose(mv, np.sin(xv).sum(1, keepdims=True) * xv)
            acc, want = xv[0], [xv[0]]
            for r in xv[1:]:
                acc = acc * 0.5 + r * r
                want.append(acc)
            np.testing.assert_allclose(sv, want)
            np.testing.assert_allclose(s0v, 1.0 + np.cumsum(xv[::-1], 0)[::-1])
            a = xv[0]
            for r in xv[1:]:
                a = a * r + 1.0
            np.testing.assert_allclose(flv, a)
            a = xv[-1]
            for r in xv[-2::-1]:
                a = a * r + 1.0
            np.testing.assert_allclose(frv, a)
            for out in (m, s, s0, fl, fr):
                _check_grad(sess, tf.reduce_sum(out * out), x, xv.copy())


# ------------------------------------------------------------------ recurrent
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_dynamic_rnn_gradients_match_central_differences(backend, kind):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3, 4, 2])
        cell = (tf.nn.rnn_cell.BasicLSTMCell(3) if kind == "lstm"
                else tf.nn.rnn_cell.GRUCell(3))
        out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=[4, 2, 3], dtype=tf.float64)
        last = state.h if kind == "lstm" else state
        loss = tf.reduce_sum(out * out) + tf.reduce_sum(last)
        kernel = [v for v in tf.trainable_variables() if "kernel" in v.name][0]
        with _session(backend) as sess:
            sess.run(tf.global_variables_initializer())
            xv = np.random.RandomState(5).randn(3, 4, 2)
            outv = sess.run(out, {x: xv})
            assert np.all(outv[1, 2:] == 0) and np.all(outv[2, 3:] == 0)  # past lengths
            _check_grad(sess, loss, x, xv)
            (gk,) = sess.run(tf.gradients(loss, [kernel]), {x: xv})
            k0 = sess.run(kernel)

            def loss_at(k):
                kernel.load(k, sess)
                return float(sess.run(loss, {x: xv}))
            np.testing.assert_allclose(gk, _numeric_grad(loss_at, k0.copy()), rtol=1e-5,
                                       atol=1e-7)


@pytest.mark.parametrize("backend", BACKENDS)
def test_bidirectional_dynamic_rnn_reads_each_row_backwards(backend):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 5, 1])
        lengths = [5, 3]
        (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(
            tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.BasicRNNCell(2), x,
            sequence_length=lengths, dtype=tf.float64)
        rev = tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)
        with _session(backend) as sess:
            sess.run(tf.global_variables_initializer())
            xv = np.arange(10.0).reshape(2, 5, 1) / 10
            rv, fv, bv = sess.run([rev, fw, bw], {x: xv})
            np.testing.assert_array_equal(rv[0, :, 0], xv[0, ::-1, 0])
            np.testing.assert_array_equal(rv[1, :, 0], [0.7, 0.6, 0.5, 0.8, 0.9])
            assert np.all(fv[1, 3:] == 0) and np.all(bv[1, 3:] == 0)
            _check_grad(sess, tf.reduce_sum(fw * bw), x, xv.copy())


def test_dynamic_rnn_matches_tensorflow():
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    tfm = pytest.importorskip("tensorflow")
    tf1 = tfm.compat.v1
    tf1.disable_eager_execution()
    xv = np.random.RandomState(0).randn(3, 5, 2)
    lengths = np.array([5, 2, 4])
    results = []
    for m in (tf, tf1):
        with m.Graph().as_default():
            x = m.placeholder(m.float64, [3, 5, 2])
            out, state = m.nn.dynamic_rnn(m.nn.rnn_cell.BasicLSTMCell(4), x,
                                          sequence_length=lengths, dtype=m.float64)
            loss = m.reduce_sum(out * out) + m.reduce_sum(state.h)
            variables = sorted(m.trainable_variables(), key=lambda v: v.name)
            grads = m.gradients(loss, [x] + variables)
            with m.Session() as sess:
                sess.run(m.global_variables_initializer())
                for v in variables:
                    rng = np.random.RandomState(len(v.name))
                    v.load(rng.randn(*v.shape.as_list()) * 0.5, sess)
                results.append(sess.run([out, state.c, grads], {x: xv}))
    (o1, c1, g1), (o2, c2, g2) = results
    np.testing.assert_allclose(o1, o2, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(c1, c2, rtol=1e-9, atol=1e-12)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_dropout_wrapper_inside_dynamic_rnn(backend):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [300, 5, 3])
        keep = tf.placeholder(tf.float32, [])
        inner = tf.nn.rnn_cell.BasicLSTMCell(4)
        cell = tf.nn.rnn_cell.DropoutWrapper(inner, output_keep_prob=keep)
        out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        plain, _ = tf.nn.dynamic_rnn(inner, x, dtype=tf.float32)  # the same weights
        grads = tf.gradients(tf.reduce_sum(out), [x])
        with _session(backend) as sess:
            sess.run(tf.global_variables_initializer())
            xv = np.random.RandomState(1).randn(300, 5, 3).astype(np.float32)
            full, ref = sess.run([out, plain], {x: xv, keep: 1.0})
            np.testing.assert_allclose(full, ref, rtol=1e-6)
            half, ref, (g,) = sess.run([out, plain, grads], {x: xv, keep: 0.5})
            dropped = half == 0
            assert 0.45 < dropped.mean() < 0.55       # a new mask per step and element
            np.testing.assert_allclose(half[~dropped], 2 * ref[~dropped], rtol=1e-5)
            assert np.isfinite(g).all() and np.abs(g).sum() > 0
