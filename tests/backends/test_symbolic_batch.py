"""Symbolic batch dims (ir/symbolic.py, DESIGN.md "Decisions": Shapes): on the llvm
backend one compiled plan, one native module, serves every batch size a placeholder's
unknown dim is fed; results equal the numpy reference at every size."""
import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm import available
InvalidArgumentError = tf.errors.InvalidArgumentError

pytestmark = pytest.mark.skipif(not available(), reason="llvmlite cannot target this CPU")

BATCHES = (64, 1, 17, 63, 100)


def _modules() -> int:
    from graphc.backends.llvm import cache
    return cache.stats["modules"]


def _mlp():
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 20], name="x")
        y = tf.placeholder(tf.int64, [None], name="y")
        h = tf.layers.dense(x, 16, tf.nn.relu)
        logits = tf.layers.dense(h, 10)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        stats = [tf.reduce_mean(x, axis=0), tf.reduce_sum(h), tf.reduce_max(logits, axis=0),
                 tf.nn.softmax(logits), tf.shape(h), tf.size(x)]
        init = tf.global_variables_initializer()
    feeds = lambda rs, n: {x: rs.rand(n, 20).astype(np.float32),  # noqa: E731
                           y: rs.randint(0, 10, n)}
    return g, init, [loss, train] + stats, feeds


def _convnet():
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(4)
        x = tf.placeholder(tf.float32, [None, 10, 10, 1], name="x")
        y = tf.placeholder(tf.float32, [None, 5], name="y")
        h = tf.layers.conv2d(x, 6, 3, padding="same", activation=tf.nn.relu)  # direct
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.conv2d(h, 8, 3, padding="same", activation=tf.nn.relu)  # im2col
        h = tf.nn.avg_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        logits = tf.layers.dense(tf.reshape(h, [-1, 2 * 2 * 8]), 5)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(
            labels=y, logits=logits))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        init = tf.global_variables_initializer()
    feeds = lambda rs, n: {x: rs.rand(n, 10, 10, 1).astype(np.float32),  # noqa: E731
                           y: np.eye(5, dtype=np.float32)[rs.randint(0, 5, n)]}
    return g, init, [loss, train], feeds


def _steps(build, backend, warm: int = 1):
    """Per batch size, the fetched values of one training step; the modules built for
    the steps after the first `warm` ones; and the variables at the end."""
    g, init, fetches, feeds = build()
    sess = tf.Session(graph=g, backend=backend)
    sess.run(init)
    rs = np.random.RandomState(0)
    results = [sess.run(fetches, feeds(rs, n)) for n in BATCHES[:warm]]
    before = _modules()
    results += [sess.run(fetches, feeds(rs, n)) for n in BATCHES[warm:]]
    return results, _modules() - before, sess.variable_values()


@pytest.mark.parametrize("build", [_mlp, _convnet], ids=["mlp", "convnet"])
def test_one_module_for_every_batch_size_equal_to_numpy(build):
    native, built, native_vars = _steps(build, "llvm")
    reference, _, reference_vars = _steps(build, "numpy")
    assert built == 0, f"{built} native modules built for batch sizes {BATCHES[1:]}"
    for n, got, want in zip(BATCHES, native, reference):
        for g_value, w_value in zip(got, want):
            if w_value is None:
                continue
            np.testing.assert_allclose(g_value, w_value, rtol=2e-5, atol=2e-6,
                                       err_msg=f"batch {n}")
    for name, value in reference_vars.items():
        np.testing.assert_allclose(native_vars[name], value, rtol=1e-4, atol=1e-5,
                                   err_msg=name)


def test_unknown_dims_fed_different_sizes_that_must_match_name_the_op():
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [None, 3], name="a")
        b = tf.placeholder(tf.float32, [None, 3], name="b")
        total = tf.add(a, b, name="total")
    sess = tf.Session(graph=g, backend="llvm")
    ones = lambda n: np.ones((n, 3), np.float32)  # noqa: E731
    np.testing.assert_array_equal(sess.run(total, {a: ones(4), b: ones(4)}), 2 * ones(4))
    np.testing.assert_array_equal(sess.run(total, {a: ones(7), b: ones(7)}), 2 * ones(7))
    with pytest.raises(InvalidArgumentError, match="total"):
        sess.run(total, {a: ones(4), b: ones(5)})
    # broadcasting one row against many is TF1's, and stays right
    np.testing.assert_array_equal(sess.run(total, {a: ones(1), b: ones(5)}), 2 * ones(5))
    with pytest.raises(ValueError, match="shape"):
        sess.run(total, {a: np.ones((4, 2), np.float32), b: ones(4)})


def test_an_empty_feed_with_a_symbolic_batch_runs():
    """A [None, 0] feed has no bytes at any batch, but its shape is the batch's: it is
    passed by address, not copied into a buffer of a shape known at compile time (which
    raised SymbolicDimError)."""
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [None, 0])
        b = tf.placeholder(tf.float32, [0, 5])
        product = tf.matmul(a, b) + 1.0
    sess = tf.Session(graph=g, backend="llvm")
    for n in (66, 3, 1):
        got = sess.run(product, {a: np.zeros((n, 0), np.float32), b: np.zeros((0, 5), np.float32)})
        np.testing.assert_array_equal(got, np.ones((n, 5), np.float32))


def test_squeezing_the_batch_compiles_once_for_every_size_but_one():
    """squeeze() of a [None, 3] input squeezes the unknown dim only when it is 1: the plan
    is compiled once for every size but 1 (its symbol's floor 2), and batch 1, whose
    result has another shape, gets a plan of its own."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        out = tf.squeeze(x) * 2.0
    sess = tf.Session(graph=g, backend="llvm")
    before = _modules()
    for n in (5, 1, 2, 17, 1, 100, 64, 63):
        value = np.arange(3 * n, dtype=np.float32).reshape(n, 3)
        got = sess.run(out, {x: value})
        assert got.shape == np.squeeze(value).shape
        np.testing.assert_array_equal(got, np.squeeze(value) * 2)
    assert _modules() - before == 2


def test_a_plan_an_op_cannot_size_at_run_time_compiles_per_shape():
    """A gradient summed from a constant of a static shape to the symbolic one (whether
    they match is known only at run time) compiles per shape, and is right."""
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float64, [None, 1])
        b = tf.placeholder(tf.float64, [None, 4])
        weights = np.arange(8.0).reshape(2, 4)
        grad = tf.gradients(tf.broadcast_to(a, tf.shape(b)), a, grad_ys=weights)[0]
    sess = tf.Session(graph=g, backend="llvm")
    before = _modules()
    np.testing.assert_array_equal(sess.run(grad, {a: np.ones((2, 1)), b: np.ones((2, 4))}),
                                  weights.sum(axis=1, keepdims=True))
    assert _modules() - before == 1
    with pytest.raises(InvalidArgumentError):
        sess.run(grad, {a: np.ones((3, 1)), b: np.ones((3, 4))})


def test_the_native_module_does_not_depend_on_the_first_batch_size():
    """(so a new process finds it in the disk cache, whatever batch it starts with)"""
    texts = []
    for first in (64, 3):
        g, init, fetches, feeds = _mlp()
        sess = tf.Session(graph=g, backend="llvm")
        sess.run(init)
        sess.run(fetches[:2], feeds(np.random.RandomState(0), first))
        texts.append({p.executable.module_text for p in sess._plans.values()})
    assert texts[0] == texts[1]


# ---------------------------------------------------------------- bounds (guard.py)
@pytest.fixture
def arena_check(monkeypatch):
    """Plans compiled while it is active lay out their arena with guards and check them
    after every native segment (GRAPHC_ARENA_CHECK=1)."""
    from graphc.backends.llvm import guard
    monkeypatch.setattr(guard, "ENABLED", True)
    return guard


def _executables(sess) -> list:
    """The session's compiled plans (each once: a symbolic one is kept under its key and
    under each concrete key it served)."""
    found = {id(p.executable): p.executable for p in sess._plans.values()
             if hasattr(p, "executable")}
    return list(found.values())


@pytest.mark.parametrize("build", [_mlp, _convnet], ids=["mlp", "convnet"])
def test_larger_batches_after_smaller_stay_inside_their_buffers(build, arena_check):
    """Every buffer sized at run time: a batch larger than any before (the workspace's
    arena grows), then smaller, then larger again, each equal to numpy, with the guards
    after every arena buffer and result intact after every native segment."""
    sizes = (1, 100, 17, 130, 3, 100)

    def steps(backend):
        g, init, fetches, feeds = build()
        sess = tf.Session(graph=g, backend=backend)
        sess.run(init)
        rs = np.random.RandomState(1)
        return sess, [sess.run(fetches, feeds(rs, n)) for n in sizes]

    sess, native = steps("llvm")
    _, reference = steps("numpy")
    assert all(exe._guards is not None for exe in _executables(sess))
    assert any(exe._symbols for exe in _executables(sess))
    for n, got, want in zip(sizes, native, reference):
        for g_value, w_value in zip(got, want):
            if w_value is not None:
                np.testing.assert_allclose(g_value, w_value, rtol=5e-5, atol=5e-6,
                                           err_msg=f"batch {n}")


def test_the_arena_check_names_a_kernel_writing_past_its_buffer(arena_check):
    """(the check itself: a buffer the guards believe smaller than the kernel writes)"""
    from graphc.backends.llvm.buffers import Buffer
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 6], name="x")
        h = tf.matmul(x, tf.ones([6, 8]), name="project")
        total = tf.reduce_sum(h, axis=1)
    sess = tf.Session(graph=g, backend="llvm")
    feed = {x: np.ones((4, 6), np.float32)}
    np.testing.assert_allclose(sess.run(total, feed), np.full(4, 48.0))
    exe, = [e for e in _executables(sess) if e._symbols]
    guards = exe._guards
    i = next(i for i, b in enumerate(guards.buffers) if b.op is not None and
             b.op.type == "MatMul")
    real = guards.buffers[i]
    smaller = Buffer("arena", real.dtype, real.shape[:-1] + (4,), op=real.op)
    smaller.offset, smaller.size_aligned = real.offset, real.size_aligned
    guards.buffers[i] = smaller
    with pytest.raises(tf.errors.InternalError, match="past the end .* MatMul op 'project'"):
        sess.run(total, {x: np.ones((9, 6), np.float32)})


def test_threads_running_different_batch_sizes_share_one_plan(arena_check):
    """Workspaces return to one pool whatever batch they last held: a run takes one
    sized for a smaller batch and must grow it (bounded: a hang fails, not a timing)."""
    import threading
    g, init, fetches, feeds = _mlp()
    sess = tf.Session(graph=g, backend="llvm")
    sess.run(init)
    probe = fetches[2:]  # the statistics (no variable update: results depend on the batch)
    rs = np.random.RandomState(2)
    inputs = {n: feeds(rs, n) for n in (1, 17, 64, 100, 130)}
    expected = {n: sess.run(probe, f) for n, f in inputs.items()}
    failures = []

    def worker(order):
        try:
            for _ in range(5):
                for n in order:
                    for got, want in zip(sess.run(probe, inputs[n]), expected[n]):
                        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
    threads = [threading.Thread(target=worker, args=(order,)) for order in
               ((1, 130, 17), (130, 1, 64), (100, 17, 1), (64, 100, 130))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a run did not finish"
    assert not failures, failures[0]


# ---------------------------------------------------------------- more ops, control flow
def _ops_graph(build_outputs, width=6):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, width], name="x")
        outs = build_outputs(x)
    return g, x, outs


OP_CASES = {
    "argmax": lambda x: [tf.argmax(x, 1), tf.argmin(x, 1), tf.argmax(x, 0),
                         tf.argmin(x, 0, output_type=tf.int32)],
    "strided_slice": lambda x: [x[:, 1:4] * 2.0, x[:, ::-2] + 1.0, x[:, 2], x[..., -1],
                                tf.gradients(tf.reduce_sum(tf.square(x[:, 1:5:2])), x)[0]],
    "slice_grads": lambda x: tf.gradients(
        [tf.reduce_sum(x[:, ::-2] * x[:, 1::2]), tf.reduce_sum(x[:, 3] ** 2),
         tf.reduce_sum(x[:, tf.newaxis, 1:] * 3.0),
         tf.reduce_sum(tf.reshape(x, [-1, 2, 3])[:, -1, ::2] ** 2),
         tf.reduce_sum(tf.slice(x, [0, 1], [-1, 3]) ** 2)], x) + [
        tf.gradients(tf.reduce_sum(tf.slice(x, [0, 2], [-1, 4]) ** 3), x)[0]],
    "tile": lambda x: [tf.tile(x, [1, 2]) * 1.5, tf.tile(x, [2, 1]) + 0.5,
                       tf.gradients(tf.reduce_sum(tf.tile(x, [3, 2]) ** 2), x)[0]],
    "pad": lambda x: [tf.pad(x, [[0, 0], [1, 2]]) * 2.0,
                      tf.pad(tf.reshape(x, [-1, 2, 3]), [[0, 0], [1, 0], [0, 2]],
                             constant_values=3.0),
                      tf.gradients(tf.reduce_sum(tf.pad(x, [[0, 0], [2, 1]]) ** 2), x)[0]],
    "split": lambda x: [a * 1.0 for a in tf.split(x, 3, axis=1)] +
                       [a + 1.0 for a in tf.split(x, [1, 5], axis=1)] +
                       [a - 1.0 for a in tf.unstack(tf.reshape(x, [-1, 3, 2]), axis=1)],
    "squeeze": lambda x: [tf.squeeze(tf.expand_dims(x, 1), 1) * 2.0,
                          tf.squeeze(x[:, :1], 1) + 1.0, tf.squeeze(x[:, :1], axis=[1])],
}


def _values(n: int, width: int = 6, seed: int = 0) -> np.ndarray:
    # distinct values (no ties for argmax), varying with n
    rs = np.random.RandomState(seed + n)
    return rs.permutation(n * width).reshape(n, width).astype(np.float32) / 7.0


@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_ops_serve_every_batch_size_from_one_module(case):
    g, x, outs = _ops_graph(OP_CASES[case])
    native = tf.Session(graph=g, backend="llvm")
    reference = tf.Session(graph=g, backend="numpy")
    built = []
    for n in (1, 17, 63, 64, 100):
        before = _modules()
        got = native.run(outs, {x: _values(n)})
        built.append(_modules() - before)
        want = reference.run(outs, {x: _values(n)})
        for k, (a, b) in enumerate(zip(got, want)):
            assert a.shape == b.shape and a.dtype == b.dtype, (case, n, k)
            np.testing.assert_allclose(a, b, rtol=1e-6, err_msg=f"{case} output {k} batch {n}")
    assert built[0] >= 1 and built[1:] == [0, 0, 0, 0], \
        f"{case}: modules built per batch size {built}"
    assert _numpy_steps(native) == [], f"{case}: ops run through numpy"


def _rnn():
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(5)
        x = tf.placeholder(tf.float32, [None, 7, 3], name="x")
        lengths = tf.placeholder(tf.int32, [None], name="lengths")
        y = tf.placeholder(tf.int64, [None], name="y")
        flip = tf.placeholder(tf.bool, [], name="flip")
        outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(8), x,
                                           sequence_length=lengths, dtype=tf.float32)
        logits = tf.layers.dense(state.h, 4)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        # a cond and a while_loop whose graphs hold the batch too
        flipped = tf.cond(flip, lambda: state.c * 2.0, lambda: -state.c)
        _, grown = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 1.5 + 1.0),
                                 [tf.constant(0), state.h])
        init = tf.global_variables_initializer()
    feeds = lambda rs, n: {x: rs.randn(n, 7, 3).astype(np.float32),  # noqa: E731
                           lengths: rs.randint(1, 8, n).astype(np.int32),
                           y: rs.randint(0, 4, n), flip: bool(n % 2)}
    return g, init, [loss, train, outputs, flipped, grown], feeds


def test_loop_and_cond_bodies_serve_every_batch_size_from_one_module():
    """dynamic_rnn's While (forward and gradient), a cond and a while_loop over the
    batch: their graphs compile once, symbolic, and the loops run natively. (The cond
    takes its other branch at odd batch sizes: BATCHES begins with 64 and 1.)"""
    from graphc.backends.llvm import native_while
    loops = native_while.STATS["loops"]
    native, built, native_vars = _steps(_rnn, "llvm", warm=2)
    assert native_while.STATS["loops"] > loops, "no loop ran in the native driver"
    reference, _, reference_vars = _steps(_rnn, "numpy")
    assert built == 0, f"{built} native modules built for batch sizes {BATCHES[2:]}"
    for n, got, want in zip(BATCHES, native, reference):
        for k, (g_value, w_value) in enumerate(zip(got, want)):
            if w_value is not None:
                np.testing.assert_allclose(g_value, w_value, rtol=1e-4, atol=1e-5,
                                           err_msg=f"batch {n} fetch {k}")
    for name, value in reference_vars.items():
        np.testing.assert_allclose(native_vars[name], value, rtol=1e-3, atol=1e-5,
                                   err_msg=name)


# ------------------------------------------------- broadcasting against a fixed dim > 1
def _pinned_graph():
    """Inputs of unknown width and length ([None, None], [None, None, 3]) meeting a bias
    of 6 and a [5, 3] table: those dims can only be 6 and 5 (or 1), the batch any size."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, None], name="x")
        s = tf.placeholder(tf.float32, [None, None, 3], name="s")
        bias = tf.constant(np.linspace(-1, 1, 6, dtype=np.float32))
        table = tf.constant(np.arange(15, dtype=np.float32).reshape(5, 3) / 10)
        h = tf.nn.relu(x * 2.0 + bias)
        weighted = tf.reduce_sum(s * table, axis=1)
        outs = [h, tf.reduce_sum(h, 1), weighted, tf.shape(weighted)]
        outs += tf.gradients(tf.reduce_sum(h * h) + tf.reduce_sum(weighted ** 2), [x, s])
    feeds = lambda n: {x: _values(n, 6), s: _values(n, 15, 1).reshape(n, 5, 3)}  # noqa: E731
    return g, outs, feeds


def test_dims_broadcast_against_a_fixed_size_are_pinned_and_the_batch_stays_symbolic():
    g, outs, feeds = _pinned_graph()
    native = tf.Session(graph=g, backend="llvm")
    reference = tf.Session(graph=g, backend="numpy")
    built = []
    for n in (64, 1, 17, 63, 100):
        before = _modules()
        got = native.run(outs, feeds(n))
        built.append(_modules() - before)
        for k, (a, b) in enumerate(zip(got, reference.run(outs, feeds(n)))):
            assert a.shape == b.shape and a.dtype == b.dtype, (n, k)
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6,
                                       err_msg=f"output {k} batch {n}")
    assert built[0] >= 1 and built[1:] == [0, 0, 0, 0], f"modules built per batch {built}"
    symbolic = [e for e in _executables(native) if e._symbols]
    assert symbolic and all(len(e._symbols) == 1 for e in symbolic)  # (the batch alone)
    # (the reductions' gradients reshape to shapes with the batch in them: native too)
    assert _numpy_steps(native) == []


def _numpy_steps(sess) -> list:
    """The ops of the session's plans that ran through their numpy kernels."""
    return sorted({s.op.type for e in _executables(sess) for s in e._lowering.steps
                   if not s.native})


def test_a_batch_broadcast_against_a_fixed_size_serves_one_and_that_size():
    """The batch of a [None, 3] input added to a [4, 3] constant can be 1 or 4 (TF1's
    static shape is [4, 3]): both right, another size an error naming the op."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        table = np.arange(12, dtype=np.float32).reshape(4, 3)
        total = tf.add(x, table, name="total")
    sess = tf.Session(graph=g, backend="llvm")
    for n in (4, 1, 4, 1):
        value = _values(n, 3)
        np.testing.assert_array_equal(sess.run(total, {x: value}), value + table)
    with pytest.raises((InvalidArgumentError, ValueError), match="total"):
        sess.run(total, {x: _values(5, 3)})


@pytest.mark.parametrize("batch", [None, 5], ids=["symbolic", "fixed"])
def test_what_dynamic_rnn_stacks_keeps_its_shape_in_plans(batch):
    """dynamic_rnn's outputs (the loop's stacked values, [time, batch, units] before the
    transpose) have the known time (the user graph's set_shape) and the batch (the body's
    shape under the loop's): the ops on them and their gradients run natively."""
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(6)
        x = tf.placeholder(tf.float32, [batch, 7, 3], name="x")
        outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(8), x, dtype=tf.float32)
        loss = tf.reduce_sum(tf.layers.dense(outputs, 2) ** 2)
        train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        init = tf.global_variables_initializer()
    assert outputs.shape.as_list() == [batch, 7, 8]
    sizes = (5,) if batch else (5, 1, 17)
    results = {}
    for backend in ("llvm", "numpy"):
        sess = tf.Session(graph=g, backend=backend)
        sess.run(init)
        rs = np.random.RandomState(3)
        results[backend] = [sess.run([loss, outputs], {x: rs.randn(n, 7, 3).astype(
            np.float32)}) + [sess.run(train, {x: np.ones((n, 7, 3), np.float32)})]
            for n in sizes]
        if backend == "llvm":  # (the initializers' random numbers come from numpy)
            assert [t for t in _numpy_steps(sess) if "Random" not in t] == ["While"]
    for n, got, want in zip(sizes, results["llvm"], results["numpy"]):
        for a, b in zip(got[:2], want[:2]):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=f"batch {n}")


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_broadcast_to_a_fed_shape_checks_the_value(backend):
    """A target shape fed at run time: inference takes its unknown dims from the input, so
    the run must check the fed value (a native copy to the inferred shape once ignored it
    and returned [3] for a broadcast of [3] to [5])."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        s = tf.placeholder(tf.int32, [1], name="s")
        y = tf.broadcast_to(x, s) * 2.0
    sess = tf.Session(graph=g, backend=backend)
    for n, target in ((3, [3]), (1, [4]), (2, [2]), (1, [1])):
        v = np.arange(n, dtype=np.float32)
        np.testing.assert_array_equal(sess.run(y, {x: v, s: target}),
                                      np.broadcast_to(v, target) * 2.0)
    with pytest.raises(InvalidArgumentError, match=r"Incompatible shapes: \[3\] vs. \[5\]"):
        sess.run(y, {x: np.ones(3, np.float32), s: [5]})


def test_a_range_over_the_batch_keeps_the_ops_after_it_native():
    """`tf.range(tf.shape(x)[0])` is as long as the batch: static_rnn's "last relevant
    output" (rows range(b) * steps + length - 1 of the stacked outputs) gathers, multiplies
    and reduces natively, one module for every batch size, as the numpy reference does;
    the ranges themselves run natively too."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 5, 3], name="x")
        lengths = tf.placeholder(tf.int32, [None], name="lengths")
        w = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4) / 10.0)
        rows = tf.range(0, tf.shape(x)[0]) * 5 + (lengths - 1)
        last = tf.gather(tf.reshape(x, [-1, 3]), rows)
        logits = tf.matmul(last, w)
        hits = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), 2), tf.float32))
        back = tf.range(tf.shape(x)[0], 0, -1)
    native = tf.Session(graph=g, backend="llvm")
    reference = tf.Session(graph=g, backend="numpy")
    built = []
    for n in (3, 1, 8):
        feed = {x: _values(n * 5, 3).reshape(n, 5, 3) - 1.0,
                lengths: np.arange(n, dtype=np.int32) % 5 + 1}
        before = _modules()
        got = native.run([rows, logits, hits, back], feed)
        built.append(_modules() - before)
        for a, b in zip(got, reference.run([rows, logits, hits, back], feed)):
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-6)
        np.testing.assert_array_equal(got[3], np.arange(n, 0, -1))
    assert built[1:] == [0, 0], f"modules built per batch size {built}"
    assert _numpy_steps(native) == []


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_ranges_native_where_the_plan_knows_their_length_through_numpy_elsewhere(backend):
    """Range lowers natively when its length is a run-time dim that cannot be negative
    (int32, int64, up and down); a length that can be negative (range(1, b): at b = 0
    TF1's error) or that depends on a fed value (range(n)) runs through numpy, with TF1's
    values and errors."""
    import warnings
    from graphc.backends.llvm.lowering import FallbackWarning
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        n = tf.placeholder(tf.int32, [], name="n")
        b = tf.shape(x)[0]
        native = [tf.range(b), tf.range(b, 0, -1), tf.range(tf.cast(b, tf.int64)),
                  tf.cast(tf.range(b), tf.float32) * 0.5]
        fallback = [tf.range(1, b), tf.range(n), tf.range(n, 2 * n, 3)]
    sess = tf.Session(graph=g, backend=backend)
    for rows in (0, 1, 4, 33):
        feed = {x: np.zeros((rows, 2), np.float32), n: rows}
        with warnings.catch_warnings():
            warnings.simplefilter("error", FallbackWarning)
            got = sess.run(native, feed)
        want = [np.arange(rows), np.arange(rows, 0, -1), np.arange(rows), np.arange(rows) * 0.5]
        for a, w, dtype in zip(got, want, ("int32", "int32", "int64", "float32")):
            assert a.dtype == dtype, (a.dtype, dtype)
            np.testing.assert_array_equal(a, w.astype(dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FallbackWarning)
            if rows == 0:
                with pytest.raises(InvalidArgumentError, match="Requires start <= limit"):
                    sess.run(fallback[0], feed)
            got = sess.run(fallback if rows else fallback[1:], feed)
        want = [np.arange(1, rows), np.arange(rows), np.arange(rows, 2 * rows, 3)]
        for a, w in zip(got, want if rows else want[1:]):
            np.testing.assert_array_equal(a, w.astype(np.int32))
    if backend == "llvm":
        assert _numpy_steps(sess) == ["Range"]  # (the fallback ones; the others warned not)


def _initialised(g, init) -> tuple:
    """(an llvm session, a numpy one) on `g`, each after running `init`."""
    native = tf.Session(graph=g, backend="llvm")
    reference = tf.Session(graph=g, backend="numpy")
    native.run(init)
    reference.run(init)
    return native, reference


def test_the_ops_after_a_cond_on_the_batch_run_natively():
    """A cond's results have the shapes its branches give them in the plan ([b0, 8] for a
    [None, 8] input, not [?, 8]): the matmul, softmax and mean after
    `tf.cond(training, ...)` (contrib's dropout and batch_norm on a training placeholder,
    hunkim's lab-10-7) run natively, one module for every batch size."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 8], name="x")
        training = tf.placeholder(tf.bool, [], name="training")
        h = tf.cond(training, lambda: x * 2.0, lambda: tf.nn.relu(x))
        h = tf.contrib.layers.batch_norm(h, is_training=training, updates_collections=None)
        w = tf.constant(np.arange(24, dtype=np.float32).reshape(8, 3) / 10.0)
        out = tf.reduce_mean(tf.nn.softmax(tf.matmul(h, w)), axis=0)
        init = tf.global_variables_initializer()
    assert h.shape.as_list() == [None, 8]
    native, reference = _initialised(g, init)
    built = []
    for n in (4, 1, 9):
        for flag in (True, False):
            feed = {x: _values(n, 8) - 3.0, training: flag}
            before = _modules()
            got = native.run(out, feed)
            built.append(_modules() - before)
            np.testing.assert_allclose(got, reference.run(out, feed), rtol=1e-5, atol=1e-6)
    assert built[2:] == [0, 0, 0, 0], f"modules built per run {built}"
    assert [t for t in _numpy_steps(native) if t != "If"] == [], _numpy_steps(native)


def test_a_cond_gradient_on_the_batch_runs_natively_on_either_side():
    """The gradient of a cond reads the intermediates of the branch that ran (the forward
    If's `exported` results); the other branch returns stand-ins for them. The plan gives
    the stand-ins the computing branch's run-time shape ([b0, 16], read from the If's
    inputs: passes/lower.py), so the gradient's results have known shapes and the ops
    after them (the backward matmuls, the bias and weight updates) run natively whichever
    side a step takes, one module for every batch size, equal to numpy."""
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(5)
        x = tf.placeholder(tf.float32, [None, 12], name="x")
        h = tf.layers.dense(x, 16, tf.nn.tanh)
        a = tf.Variable(np.linspace(-1, 1, 256, dtype=np.float32).reshape(16, 16))
        h = tf.cond(tf.reduce_sum(x) > 0.0, lambda: tf.nn.relu(tf.matmul(h, a)),
                    lambda: tf.sigmoid(h) * h)
        loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 3)))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        init = tf.global_variables_initializer()
    native, reference = _initialised(g, init)
    built = []
    for n in (4, 1, 9):
        for sign in (1.0, -1.0):
            feed = {x: sign * (_values(n, 12) + 1.0)}
            before = _modules()
            got = native.run([loss, train], feed)[0]
            built.append(_modules() - before)
            np.testing.assert_allclose(got, reference.run([loss, train], feed)[0], rtol=1e-5)
    for v in g.get_collection(tf.GraphKeys.GLOBAL_VARIABLES):
        np.testing.assert_allclose(native.run(v), reference.run(v), rtol=1e-5, atol=1e-6)
    assert built[2:] == [0, 0, 0, 0], f"modules built per run {built}"
    # (the If runs from Python, its branches natively; RandomUniform: the initializer's)
    assert [t for t in _numpy_steps(native) if t not in ("If", "RandomUniform")] == [], \
        _numpy_steps(native)


def _tf1_mean_grad(x, dy, axes, form):
    """TF's `Mean_grad` (math_grad.py) for reduce_mean(x, axes) from the ops TF emits:
    the kept shape stitch([range(rank), (axes + rank) % rank], [shape(x), ones]), dy
    reshaped to it and spread back over x's shape, by BroadcastTo (TF 1.14 and later, the
    convnet_bn fixture's) or Tile by shape // max(kept, 1) (earlier TF1), divided by the
    product of the reduced dims."""
    shape = tf.shape(x)
    rank = tf.constant(4)
    axes = tf.floormod(tf.add(tf.constant(axes, tf.int32), rank), rank)
    ones = tf.fill(tf.shape(axes), 1)
    kept = tf.dynamic_stitch([tf.range(0, rank, 1), axes], [shape, ones])
    grad = tf.reshape(dy, kept)
    if form == "broadcast":
        spread = tf.broadcast_to(grad, shape)
    else:
        spread = tf.tile(grad, tf.floordiv(shape, tf.maximum(kept, 1)))
    count = tf.reduce_prod(tf.gather(shape, axes, axis=0))
    return grad, spread / tf.cast(count, tf.float32)


@pytest.mark.parametrize("form", ["broadcast", "tile"])
@pytest.mark.parametrize("axes", [(1, 2), (0,), (0, 1, 2, 3), (-1,)])
def test_a_tf1_mean_gradient_over_a_symbolic_batch_folds_its_shapes_and_runs_natively(
        axes, form):
    """TF1's reduction gradients compute their shapes with DynamicStitch, FloorMod,
    Maximum and FloorDiv of shape vectors; partial_value (ir/ops/_base.py) folds them into
    shapes with the batch symbolic, so the Reshape, BroadcastTo and Tile get plan-known
    shapes and the stitch is written like Shape: one native plan for every batch size, no
    op through numpy, equal to numpy's mean gradient."""
    h, w, c = 3, 2, 4
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, h, w, c], name="x")
        dy = tf.reduce_mean(x * x + 1.0, axis=list(axes))  # (the reduced shape, from x)
        grad, dx = _tf1_mean_grad(x, dy, axes, form)
    kept = [1 if i in [a % 4 for a in axes] else d for i, d in enumerate([None, h, w, c])]
    assert grad.shape.as_list() == kept  # (the folding at build time: only the batch unknown)
    native = tf.Session(graph=g, backend="llvm")
    built = []
    for n in (5, 1, 8, 3):
        value = _values(n * h * w * c, 1).reshape(n, h, w, c)
        before = _modules()
        got = native.run(dx, {x: value})
        built.append(_modules() - before)
        reduced = tuple(a % 4 for a in axes)
        want = np.broadcast_to(np.mean(value * value + 1.0, axis=reduced, keepdims=True),
                               value.shape) / np.prod([value.shape[a] for a in reduced])
        assert got.shape == value.shape and got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert built[1:] == [0, 0, 0], f"modules built per batch size {built}"
    assert _numpy_steps(native) == []
