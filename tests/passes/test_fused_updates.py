"""Fused groups ending in variable updates (passes/fuse.py): an optimizer's m, v and var
updates in one kernel, with the results of the unfused graph and of numpy's reference,
and every reader of a variable seeing what it saw unfused."""
import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops.fused_ops import updates
from graphc.passes.lower import lower
from graphc.passes.manager import PassManager
from graphc.passes.prune import build_program

R = np.random.RandomState(0)
X = R.randn(16, 6).astype(np.float32)
Y = R.randn(16, 3).astype(np.float32)
W0 = R.randn(6, 3).astype(np.float32)
B0 = R.randn(3).astype(np.float32)
STEPS = 4


def _session(fused: bool, backend=None):
    off = [] if fused else ["fuse"]
    config = tf.ConfigProto(graph_options=tf.GraphOptions(disabled_passes=off))
    return tf.Session(config=config, backend=backend)


def _train(make_optimizer, fused: bool, lr_feed=None, backend=None):
    """Variables after STEPS steps of a linear least-squares model, and the losses."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 6])
        y = tf.placeholder(tf.float32, [None, 3])
        w = tf.Variable(W0, name="w")
        b = tf.Variable(B0, name="b")
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        lr = tf.placeholder(tf.float32, []) if lr_feed is not None else None
        train = make_optimizer(lr).minimize(loss)
        feed = {x: X, y: Y}
        if lr is not None:
            feed[lr] = np.float32(lr_feed)
        with _session(fused, backend) as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([train, loss], feed)[1] for _ in range(STEPS)]
            return sess.run([w, b]), losses


def _grads(w, b):
    err = X @ w + b - Y
    scale = 2.0 / err.size
    return [(X.T @ err * scale).astype(np.float32), (err.sum(0) * scale).astype(np.float32)]


def _reference(update, slots: int, init=0.0):
    """numpy's STEPS steps: `update(t, var, g, *slots) -> (var, *slots)`."""
    params = [W0.astype(np.float64), B0.astype(np.float64)]
    state = [[np.full(p.shape, init) for _ in range(slots)] for p in params]
    for t in range(1, STEPS + 1):
        grads = _grads(*params)
        for i, g in enumerate(grads):
            params[i], *state[i] = update(t, params[i], g.astype(np.float64), *state[i])
    return params


def _adam(t, var, g, m, v, lr=0.05, b1=0.9, b2=0.999, eps=1e-8):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    return var - lr_t * m / (np.sqrt(v) + eps), m, v


def _momentum(nesterov):
    def update(t, var, g, acc, lr=0.05, mu=0.9):
        acc = mu * acc + g
        return var - lr * (g + mu * acc if nesterov else acc), acc
    return update


def _rmsprop(centered):
    def update(t, var, g, ms, mom, mg, lr=0.05, rho=0.9, mu=0.5, eps=1e-10):
        ms = rho * ms + (1 - rho) * g * g
        mg = rho * mg + (1 - rho) * g
        denom = ms - mg * mg if centered else ms
        mom = mu * mom + lr * g / np.sqrt(denom + eps)
        return var - mom, ms, mom, mg
    return update


def _adagrad(t, var, g, acc, lr=0.05):
    acc = acc + g * g
    return var - lr * g / np.sqrt(acc), acc


CASES = {
    "adam": (lambda lr: tf.train.AdamOptimizer(0.05), _adam, 2, 0.0),
    "momentum": (lambda lr: tf.train.MomentumOptimizer(0.05, 0.9), _momentum(False), 1, 0.0),
    "nesterov": (lambda lr: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
                 _momentum(True), 1, 0.0),
    "rmsprop": (lambda lr: tf.train.RMSPropOptimizer(0.05, 0.9, momentum=0.5),
                _rmsprop(False), 3, None),
    "rmsprop_centered": (lambda lr: tf.train.RMSPropOptimizer(0.05, 0.9, momentum=0.5,
                                                              centered=True),
                         _rmsprop(True), 3, None),
    "adagrad": (lambda lr: tf.train.AdagradOptimizer(0.05), _adagrad, 1, 0.1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_optimizer_fused_equals_unfused_and_numpy(name):
    make, update, slots, init = CASES[name]
    (w, b), losses = _train(make, fused=True)
    (w0, b0), losses0 = _train(make, fused=False)
    # The same ops on the same values: the fused kernel rounds as the unfused ones do.
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(b, b0)
    np.testing.assert_array_equal(losses, losses0)
    if init is None:  # RMSProp: ms starts at 1, the rest at 0
        def update_from_ones(t, var, g, ms, mom, mg, _u=update):
            return _u(t, var, g, ms + (t == 1), mom, mg)
        ref = _reference(update_from_ones, slots)
    else:
        ref = _reference(update, slots, init)
    np.testing.assert_allclose(w, ref[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b, ref[1], rtol=1e-4, atol=1e-5)


def test_learning_rate_fed_as_a_placeholder():
    def make(lr):
        return tf.train.AdamOptimizer(lr)
    (w, b), _ = _train(make, fused=True, lr_feed=0.05)
    (w0, b0), _ = _train(make, fused=False, lr_feed=0.05)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(b, b0)
    ref = _reference(_adam, 2)
    np.testing.assert_allclose(w, ref[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b, ref[1], rtol=1e-4, atol=1e-5)


def _update_groups(fetches, targets=()):
    program = build_program(list(fetches), list(targets), [])
    plan = lower(program, [])
    out = PassManager(verify=True).run(plan)
    return [op for op in out.graph.get_operations() if updates(op)]


def test_adam_update_of_a_variable_is_one_group_and_one_llvm_kernel():
    with tf.Graph().as_default():
        w = tf.Variable(R.randn(64, 32).astype(np.float32), name="w")
        loss = tf.reduce_sum(tf.square(w))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        groups = _update_groups([], [train])
        # (the beta powers' scalar updates, ordered after it, are groups of their own)
        groups = [g for g in groups if any(u.inputs[0].shape.as_tuple() == (64, 32)
                                           for u in updates(g))]
        assert len(groups) == 1
        assert sorted(u.type for u in updates(groups[0])) == ["Assign", "Assign", "AssignSub"]
        with tf.Session(backend="llvm") as sess:
            sess.run(tf.global_variables_initializer())
            profile = sess.profile(train, runs=1)
        shaped = [r for r in profile.rows if r.type in ("Assign", "AssignSub") or
                  any(m in ("Assign", "AssignSub") for m in r.members)]
        # one kernel writes m, v and w; the beta powers' scalar updates are their own
        # (each a fused Mul and Assign)
        big = [r for r in shaped if r.members and "update_w" in r.op]
        assert len(shaped) == 3 and all(r.members for r in shaped), shaped
        assert len(big) == 1, [(r.type, r.op, r.members) for r in shaped]
        assert sorted(m for m in big[0].members if m.startswith("Assign")) == \
            ["Assign", "Assign", "AssignSub"]


def _both(build, steps=2):
    """`build()` -> (fetches, init ops); the fetched values of `steps` runs, fused
    and unfused."""
    results = []
    for fused in (True, False):
        with tf.Graph().as_default():
            fetches = build()
            with _session(fused) as sess:
                sess.run(tf.global_variables_initializer())
                results.append([sess.run(fetches) for _ in range(steps)])
    return results


def _assert_same(a, b):
    for ra, rb in zip(a, b):
        for x, y in zip(ra, rb):
            np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-6)


def test_variable_written_twice_in_a_run_is_not_fused():
    def build():
        v = tf.Variable(np.arange(4, dtype=np.float32), name="v")
        a = tf.assign_add(v, v * 2.0 + 1.0)
        b = tf.assign_sub(v, tf.ones([4]) * 3.0)
        assert not _update_groups([a, b])
        return [a, b, v.read_value()]
    fused, plain = _both(build)
    _assert_same(fused, plain)


def test_fetching_the_updates_value_gives_the_new_value():
    def build():
        v = tf.Variable(np.arange(4, dtype=np.float32), name="v")
        w = tf.Variable(np.ones(4, np.float32), name="w")
        a = tf.assign(v, v * 0.5 + 1.0)
        c = tf.assign_sub(w, a * 2.0)
        assert len(_update_groups([a, c])) == 1
        return [a, c, a * 3.0]
    fused, plain = _both(build)
    _assert_same(fused, plain)
    v1 = np.arange(4) * 0.5 + 1.0
    np.testing.assert_allclose(fused[0][0], v1)
    np.testing.assert_allclose(fused[0][1], 1.0 - 2 * v1)
    np.testing.assert_allclose(fused[0][2], 3 * v1)


def test_gradient_that_is_another_updated_variable():
    def build():
        u = tf.Variable(np.full(5, 2.0, np.float32), name="u")
        w = tf.Variable(np.arange(5, dtype=np.float32), name="w")
        opt = tf.train.MomentumOptimizer(0.1, 0.9)
        train = opt.apply_gradients([(u.read_value() * 1.0, w), (w.read_value(), u)])
        with tf.control_dependencies([train]):
            after = [u.read_value(), w.read_value()]
        return after
    fused, plain = _both(build, steps=3)
    _assert_same(fused, plain)
    # numpy: both gradients read the values from before the step
    u, w = np.full(5, 2.0), np.arange(5.0)
    au, aw = np.zeros(5), np.zeros(5)
    for _ in range(3):
        gw, gu = u.copy(), w.copy()
        aw, au = 0.9 * aw + gw, 0.9 * au + gu
        w, u = w - 0.1 * aw, u - 0.1 * au
    np.testing.assert_allclose(fused[-1][0], u, rtol=1e-5)
    np.testing.assert_allclose(fused[-1][1], w, rtol=1e-5)


def test_reader_that_depends_on_the_group_sees_what_it_saw_unfused():
    def build():
        m = tf.Variable(np.ones(4, np.float32), name="m")
        w = tf.Variable(np.arange(4, dtype=np.float32), name="w")
        m_t = tf.assign(m, m * 0.5 + 1.0)
        up = tf.assign_sub(w, m_t * 0.1)
        with tf.control_dependencies([m_t]):
            probe = w.read_value()  # after m's update, not ordered after w's: the old w
        # fusing m's update with w's would run this read after both
        assert not [u for g in _update_groups([up, probe]) for u in updates(g)
                    if u.inputs[0].op.name == "w"]
        assert len(_update_groups([up])) == 1
        return [up, probe]
    fused, plain = _both(build)
    _assert_same(fused, plain)
    np.testing.assert_allclose(fused[0][1], np.arange(4.0))


def test_read_after_write_inside_a_chain():
    def build():
        v = tf.Variable(np.arange(4, dtype=np.float32), name="v")
        u = tf.Variable(np.zeros(4, np.float32), name="u")
        a = tf.assign(v, v + 1.0)
        with tf.control_dependencies([a]):
            fresh = v.read_value()  # ordered after the write: the new value
        b = tf.assign(u, a + fresh)
        return [b, u.read_value()]
    fused, plain = _both(build)
    _assert_same(fused, plain)
    np.testing.assert_allclose(fused[0][0], 2 * (np.arange(4) + 1.0))


def test_control_dependencies_around_the_train_op():
    def build():
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
        step = tf.Variable(0, name="step")
        loss = tf.reduce_sum(tf.square(w - 1.0))
        inc = tf.assign_add(step, 1)
        with tf.control_dependencies([inc]):
            train = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.control_dependencies([train]):
            after = w.read_value()
        before = w.read_value() * 1.0
        return [train, after, before, loss, step.read_value()]
    fused, plain = _both(build, steps=3)
    for ra, rb in zip(fused, plain):
        for x, y in zip(ra[1:], rb[1:]):
            np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-6)
    assert not np.allclose(fused[0][1], fused[0][2])  # after differs from before


EMB = R.randn(10, 4).astype(np.float32)


def test_sparse_gradient_of_an_embedding_stays_correct():
    def build():
        emb = tf.Variable(EMB, name="emb")
        ids = tf.constant([1, 3, 3, 7])
        loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(emb, ids)))
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.control_dependencies([train]):
            after = emb.read_value()
        return [after]
    fused, plain = _both(build, steps=3)
    _assert_same(fused, plain)
    np.testing.assert_array_equal(fused[0][0][0], fused[-1][0][0])  # untouched row


def test_initializer_assign_fuses_and_initializes():
    values = []
    for fused in (True, False):
        with tf.Graph().as_default():
            v = tf.Variable(tf.random_uniform([3, 4], seed=1) * 2.0 + 1.0, name="v")
            assert len(_update_groups([], [v.initializer])) == 1
            with _session(fused) as sess:
                sess.run(v.initializer)
                values.append(sess.run(v))
    np.testing.assert_array_equal(values[0], values[1])
    assert ((values[0] >= 1.0) & (values[0] < 3.0)).all()


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_update_whose_value_fails_leaves_the_variable_unwritten(backend, fused):
    # an integer division by zero in the kernel computing an update's value fails the
    # run before the variable is written (the llvm kernel raised its flag mid-loop, after
    # writing every element: found by review); the write ordered before it stays
    with tf.Graph().as_default():
        v = tf.Variable(np.arange(8, dtype=np.int32) + 10, name="v")
        w = tf.Variable(np.ones(8, np.int64), name="w")
        m = tf.Variable(np.zeros(8, np.int32), name="m")
        d = tf.placeholder(tf.int32, [8])
        mt = tf.assign(m, m * 2 + 3)
        add = tf.assign_add(v, (mt + 7) // d)
        put = tf.assign(w, tf.cast(tf.truncatemod(mt, d), tf.int64) + 1)
        with _session(fused, backend) as sess:
            sess.run(tf.global_variables_initializer())
            for op in (add, put):
                with pytest.raises(tf.errors.InvalidArgumentError, match="division by zero"):
                    sess.run(op, {d: np.array([1, 2, 3, 4, 0, 1, 1, 1], np.int32)})
            np.testing.assert_array_equal(sess.run(v), np.arange(8) + 10)
            np.testing.assert_array_equal(sess.run(w), np.ones(8))
            np.testing.assert_array_equal(sess.run(m), [9] * 8)  # (3, then 2 * 3 + 3)
            d_ok = np.array([1, 2, 3, 4, 5, 1, 1, 1], np.int32)
            np.testing.assert_array_equal(sess.run(add, {d: d_ok}),
                                          np.arange(8) + 10 + (21 + 7) // d_ok)


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_fetched_variables_of_two_shapes_written_in_the_run(backend, fused):
    # each fetched variable that the run writes is copied before the writes with its own
    # strides (the llvm copies all took the last fetched variable's: a [4] variable copied
    # with a [3, 2]'s strides read and wrote past its buffers, garbage and a heap
    # corruption; found by review)
    with tf.Graph().as_default():
        v = tf.Variable(np.arange(4, dtype=np.float32), name="v")
        m = tf.Variable(np.zeros(4, np.float32), name="m")
        e = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="e")
        mt = tf.assign(m, m * 0.5 + 1.0)
        up = tf.assign_sub(v, mt * 0.1)
        sc = tf.scatter_add(e, [1, 1], tf.ones([2, 2]))
        with _session(fused, backend) as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(3):
                old_v, old_e = sess.run([v, e])
                got = sess.run([up, sc, v, e])
                np.testing.assert_allclose(got[0], old_v - (2 - 0.5 ** step) * 0.1,
                                           rtol=1e-6)
                np.testing.assert_array_equal(got[1], old_e + [[0, 0], [2, 2], [0, 0]])
                np.testing.assert_array_equal(got[2], old_v)
                np.testing.assert_array_equal(got[3], old_e)


def _batch_norm_training(with_control_deps: bool, fused: bool, backend: str):
    """A dense + batch-norm + dense regression trained 3 steps with Adam, the moving
    averages' updates run before the step (the batch-norm idiom: control dependencies)
    or beside it (tf.group); (losses, variables after, the plan's node count)."""
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 6])
        y = tf.placeholder(tf.float32, [None, 3])
        h = tf.layers.dense(x, 8, kernel_initializer=tf.constant_initializer(
            np.tile(W0, (1, 3))[:, :8] * 0.3))
        h = tf.nn.relu(tf.layers.batch_normalization(h, training=True))
        out = tf.layers.dense(h, 3, kernel_initializer=tf.constant_initializer(0.1))
        loss = tf.reduce_mean(tf.square(out - y))
        opt = tf.train.AdamOptimizer(0.05)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        if with_control_deps:
            with tf.control_dependencies(update_ops):
                train = opt.minimize(loss)
        else:
            train = tf.group(opt.minimize(loss), *update_ops)
        with _session(fused, backend) as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, train], {x: X, y: Y})[0] for _ in range(3)]
            variables = sess.run(tf.global_variables())
            plans = {id(p.executable): p.executable for p in sess._plans.values()
                     if hasattr(p, "executable")}
            kernels = max(len(e.plan.nodes) for e in plans.values())
    return losses, variables, kernels


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_updates_under_control_dependencies_on_update_ops_still_fuse(backend):
    """`with tf.control_dependencies(update_ops): train = opt.minimize(loss)` gave every
    gradient and optimizer op a control input, which kept them all out of fusion (a
    dense + batch-norm + dense model on llvm: 167 kernels, against 51 with tf.group); the control inputs now sink off pure ops to the
    updates (passes/sink_controls.py) and a Fused node runs after its members' control
    inputs: the same values as unfused and as tf.group, in no more kernels than tf.group."""
    cd_losses, cd_vars, cd_kernels = _batch_norm_training(True, True, backend)
    plain_losses, plain_vars, plain_kernels = _batch_norm_training(True, False, backend)
    group_losses, group_vars, group_kernels = _batch_norm_training(False, True, backend)
    np.testing.assert_allclose(cd_losses, plain_losses, rtol=1e-5)
    np.testing.assert_allclose(cd_losses, group_losses, rtol=1e-5)
    for a, b, c in zip(cd_vars, plain_vars, group_vars):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)
    assert cd_kernels <= group_kernels < plain_kernels, (cd_kernels, group_kernels,
                                                         plain_kernels)


def test_sunk_control_inputs_still_order_the_updates_after_the_update_ops():
    """A variable read under the control dependencies keeps its order and sees the
    updated value; a pure op's order moves to the update that uses it."""
    def build():
        counter = tf.Variable(0.0, name="counter")
        w = tf.Variable(np.ones((2, 3), np.float32), name="w")
        bump = tf.assign_add(counter, 1.0)
        with tf.control_dependencies([bump]):
            seen = counter.read_value() * 1.0  # (a read: ordered after bump)
            doubled = tf.constant(2.0) * 3.0   # (pure: its order moves to its users)
            train = tf.assign_sub(w, w * 0.1 * doubled)
        return [seen, train]
    fused, plain = _both(build, steps=3)
    _assert_same(fused, plain)
    assert [float(r[0]) for r in fused] == [1.0, 2.0, 3.0]
