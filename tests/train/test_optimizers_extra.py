"""TF1's remaining optimizers against their kernels' update rules written in numpy, and
sparse (embedding_lookup) gradients updating only the rows they name, as TF1's sparse
kernels do."""
import numpy as np
import pytest

import graphc as tf

from .test_optimizers import _compare, _graphc_trajectory, _numpy_trajectory


def _sign(x):
    return np.sign(x)


def test_adadelta():
    lr, rho, eps = 0.5, 0.9, 1e-6

    def update(p, g, s, t):
        s["a"] = rho * s["a"] + (1 - rho) * g * g
        upd = np.sqrt(s["u"] + eps) / np.sqrt(s["a"] + eps) * g
        s["u"] = rho * s["u"] + (1 - rho) * upd * upd
        return p - lr * upd
    _compare(_graphc_trajectory(lambda: tf.train.AdadeltaOptimizer(lr, rho, eps)),
             _numpy_trajectory(update, lambda p: {"a": np.zeros_like(p), "u": np.zeros_like(p)}))


def _ftrl_update(lr, power, l1, l2, shrink, beta=0.0):
    l2 = l2 + beta / (2 * lr)

    def update(p, g, s, t):
        gs = g + 2 * shrink * p
        new = s["a"] + g * g
        s["l"] = s["l"] + gs - (new ** -power - s["a"] ** -power) / lr * p
        quad = new ** -power / lr + 2 * l2
        s["a"] = new
        return np.where(np.abs(s["l"]) > l1, (_sign(s["l"]) * l1 - s["l"]) / quad, 0.0)
    return update


@pytest.mark.parametrize("power,l1,l2,shrink,beta", [(-0.5, 0.0, 0.0, 0.0, None),
                                                     (-0.5, 0.05, 0.1, 0.0, None),
                                                     (-0.3, 0.01, 0.2, 0.1, 0.5)])
def test_ftrl(power, l1, l2, shrink, beta):
    lr = 0.3
    _compare(_graphc_trajectory(lambda: tf.train.FtrlOptimizer(
        lr, learning_rate_power=power, l1_regularization_strength=l1,
        l2_regularization_strength=l2, l2_shrinkage_regularization_strength=shrink, beta=beta)),
        _numpy_trajectory(_ftrl_update(lr, power, l1, l2, shrink, beta or 0.0),
                          lambda p: {"a": np.full_like(p, 0.1), "l": np.zeros_like(p)}))


def _prox(p, lr, l1, l2):
    return _sign(p) * np.maximum(np.abs(p) - lr * l1, 0) / (1 + lr * l2)


@pytest.mark.parametrize("l1,l2", [(0.0, 0.0), (0.1, 0.3)])
def test_proximal_gradient_descent(l1, l2):
    def update(p, g, s, t):
        return _prox(p - 0.1 * g, 0.1, l1, l2)
    _compare(_graphc_trajectory(lambda: tf.train.ProximalGradientDescentOptimizer(
        0.1, l1_regularization_strength=l1, l2_regularization_strength=l2)),
        _numpy_trajectory(update, lambda p: None))


@pytest.mark.parametrize("l1,l2", [(0.0, 0.0), (0.05, 0.2)])
def test_proximal_adagrad(l1, l2):
    def update(p, g, s, t):
        s[:] = s + g * g
        lr_t = 0.2 / np.sqrt(s)
        return _prox(p - lr_t * g, lr_t, l1, l2)
    _compare(_graphc_trajectory(lambda: tf.train.ProximalAdagradOptimizer(
        0.2, l1_regularization_strength=l1, l2_regularization_strength=l2)),
        _numpy_trajectory(update, lambda p: np.full_like(p, 0.1)))


def test_adagrad_da_matches_tf1s_own_numbers():
    # TF1's adagrad_da_test: lr 3, global step 0, one step.
    g = tf.Graph()
    with g.as_default():
        step = tf.Variable(0, dtype=tf.int64)
        v0 = tf.Variable([1.0, 2.0], dtype=tf.float64)
        v1 = tf.Variable([4.0, 3.0], dtype=tf.float64)
        opt = tf.train.AdagradDAOptimizer(3.0, step)
        up = opt.apply_gradients(zip([tf.constant([0.1, 0.2], tf.float64),
                                      tf.constant([0.01, 0.02], tf.float64)], [v0, v1]),
                                 global_step=step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(up)
            a, b, s = sess.run([v0, v1, step])
    np.testing.assert_allclose(a, [-0.904534, -1.603567], rtol=1e-6)
    np.testing.assert_allclose(b, [-0.094821, -0.189358], rtol=1e-5)
    assert s == 1
    assert opt.get_slot_names() == ["gradient_accumulator", "gradient_squared_accumulator"]


@pytest.mark.parametrize("l1,l2", [(0.0, 0.0), (0.01, 0.1)])
def test_adagrad_da_trajectory(l1, l2):
    lr = 0.5
    X = np.random.RandomState(3).randn(4, 3)
    grads = [X[i] for i in range(4)]
    g = tf.Graph()
    with g.as_default():
        step = tf.train.get_or_create_global_step()
        v = tf.Variable(np.ones(3))
        gp = tf.placeholder(tf.float64, [3])
        up = tf.train.AdagradDAOptimizer(lr, step, l1_regularization_strength=l1,
                                         l2_regularization_strength=l2).apply_gradients(
            [(gp, v)], global_step=step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            ga, gg = np.zeros(3), np.full(3, 0.1)
            for t, grad in enumerate(grads, 1):
                sess.run(up, {gp: grad})
                ga, gg = ga + grad, gg + grad * grad
                want = lr * _sign(-ga) * np.maximum(np.abs(ga) - l1 * t, 0) / (
                    l2 * t * lr + np.sqrt(gg))
                np.testing.assert_allclose(sess.run(v), want, rtol=1e-12, err_msg=f"step {t}")


def test_slot_names_follow_tf1():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.zeros(2), name="W")
        loss = tf.reduce_sum(tf.square(w))
        for opt in (tf.train.AdadeltaOptimizer(), tf.train.FtrlOptimizer(0.1),
                    tf.train.ProximalAdagradOptimizer(0.1)):
            opt.minimize(loss)
        names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["W", "W/Adadelta", "W/Adadelta_1", "W/Ftrl", "W/Ftrl_1",
                     "W/ProximalAdagrad"]


def test_invalid_hyperparameters_are_refused_as_tf1():
    with pytest.raises(ValueError, match="learning_rate_power 0.5 needs to be negative"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength -1 needs to be positive"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1)
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0)


# ---------------------------------------------------------------- sparse gradients
IDS = [[1, 3, 1], [0, 1, 1]]      # per step: row 1 twice (summed), rows 2 and 4 never
COEF = np.arange(6.0).reshape(3, 2) + 1.0


def _sparse_run(make_opt, steps=2):
    g = tf.Graph()
    with g.as_default():
        table = tf.Variable(np.arange(10.0).reshape(5, 2) / 10.0 + 0.5)
        ids = tf.placeholder(tf.int32, [3])
        loss = tf.reduce_sum(tf.nn.embedding_lookup(table, ids) * COEF)
        opt = make_opt()
        train = opt.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(steps):
                sess.run(train, {ids: IDS[i]})
            return sess.run(table), opt, table


def _numpy_sparse(update, init):
    table = np.arange(10.0).reshape(5, 2) / 10.0 + 0.5
    state = init(table)
    for ids in IDS:
        grad = np.zeros_like(table)
        np.add.at(grad, ids, COEF)
        rows = sorted(set(ids))
        table[rows] = update(table[rows], grad[rows], {k: v[rows] for k, v in state.items()},
                             state, rows)
    return table


def _rows_update(step):
    """A per-row update that writes its state back to the rows it touched."""
    def update(p, g, s, full, rows):
        new = step(p, g, s)
        for k, v in s.items():
            full[k][rows] = v
        return new
    return update


def test_sparse_momentum_leaves_untouched_rows_and_their_slots():
    def step(p, g, s):
        s["m"] = 0.9 * s["m"] + g
        return p - 0.1 * s["m"]
    ours, opt, table = _sparse_run(lambda: tf.train.MomentumOptimizer(0.1, 0.9))
    want = _numpy_sparse(_rows_update(step), lambda t: {"m": np.zeros_like(t)})
    np.testing.assert_allclose(ours, want, rtol=1e-12)
    # row 3 was named at step 1 only: a dense update would have moved it again at step 2
    np.testing.assert_allclose(ours[3], 0.5 + np.array([0.6, 0.7]) - 0.1 * COEF[1])


@pytest.mark.parametrize("name", ["rmsprop", "adadelta", "ftrl", "proximal_adagrad",
                                  "proximal_gd"])
def test_sparse_updates_match_tf1s_sparse_kernels(name):
    makers = {
        "rmsprop": (lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5),
                    lambda t: {"ms": np.ones_like(t), "mom": np.zeros_like(t)}),
        "adadelta": (lambda: tf.train.AdadeltaOptimizer(1.0),
                     lambda t: {"a": np.zeros_like(t), "u": np.zeros_like(t)}),
        "ftrl": (lambda: tf.train.FtrlOptimizer(0.3, l1_regularization_strength=0.1),
                 lambda t: {"a": np.full_like(t, 0.1), "l": np.zeros_like(t)}),
        "proximal_adagrad": (lambda: tf.train.ProximalAdagradOptimizer(
            0.2, l1_regularization_strength=0.05), lambda t: {"a": np.full_like(t, 0.1)}),
        "proximal_gd": (lambda: tf.train.ProximalGradientDescentOptimizer(
            0.1, l2_regularization_strength=0.5), lambda t: {}),
    }

    def rmsprop(p, g, s):
        s["ms"] = 0.9 * s["ms"] + 0.1 * g * g
        s["mom"] = 0.5 * s["mom"] + 0.01 * g / np.sqrt(s["ms"] + 1e-10)
        return p - s["mom"]

    def adadelta(p, g, s):
        s["a"] = 0.95 * s["a"] + 0.05 * g * g
        upd = np.sqrt(s["u"] + 1e-8) / np.sqrt(s["a"] + 1e-8) * g
        s["u"] = 0.95 * s["u"] + 0.05 * upd * upd
        return p - upd

    ftrl_rule = _ftrl_update(0.3, -0.5, 0.1, 0.0, 0.0)

    def ftrl(p, g, s):
        return ftrl_rule(p, g, s, 0)

    def proximal_adagrad(p, g, s):
        s["a"] = s["a"] + g * g
        lr_t = 0.2 / np.sqrt(s["a"])
        return _prox(p - lr_t * g, lr_t, 0.05, 0.0)

    def proximal_gd(p, g, s):
        return _prox(p - 0.1 * g, 0.1, 0.0, 0.5)

    rules = {"rmsprop": rmsprop, "adadelta": adadelta, "ftrl": ftrl,
             "proximal_adagrad": proximal_adagrad, "proximal_gd": proximal_gd}
    make_opt, init = makers[name]
    ours, _, _ = _sparse_run(make_opt)
    want = _numpy_sparse(_rows_update(rules[name]), init)
    np.testing.assert_allclose(ours, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(ours[[2, 4]], want[[2, 4]])  # never named: unchanged


def test_sparse_adam_and_adagrad_agree_with_dense_as_in_tf1():
    # TF1's sparse Adam decays every row's moments (and moves every row); sparse Adagrad
    # with a zero gradient changes nothing: both equal the dense update.
    for make in (lambda: tf.train.AdamOptimizer(0.1), lambda: tf.train.AdagradOptimizer(0.1)):
        ours, _, _ = _sparse_run(make)
        g = tf.Graph()
        with g.as_default():
            table = tf.Variable(np.arange(10.0).reshape(5, 2) / 10.0 + 0.5)
            ids = tf.placeholder(tf.int32, [3])
            onehot = tf.one_hot(ids, 5, dtype=tf.float64)
            loss = tf.reduce_sum(tf.matmul(onehot, table) * COEF)
            train = make().minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for i in range(2):
                    sess.run(train, {ids: IDS[i]})
                dense = sess.run(table)
        np.testing.assert_allclose(ours, dense, rtol=1e-12)


def test_a_table_looked_up_twice_updates_the_union_of_rows():
    g = tf.Graph()
    with g.as_default():
        table = tf.Variable(np.ones((4, 1)))
        loss = tf.reduce_sum(tf.nn.embedding_lookup(table, [0])) + \
            tf.reduce_sum(tf.nn.embedding_lookup(table, [2]))
        opt = tf.train.MomentumOptimizer(1.0, 0.5)
        train = opt.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            np.testing.assert_allclose(sess.run(table)[:, 0], [0, 1, 0, 1])
            np.testing.assert_allclose(sess.run(opt.get_slot(table, "momentum"))[:, 0],
                                       [1, 0, 1, 0])


def test_a_table_looked_up_by_int32_and_int64_ids_updates_the_union_of_rows():
    g = tf.Graph()
    with g.as_default():
        table = tf.Variable(np.ones((5, 1)))
        loss = tf.reduce_sum(tf.nn.embedding_lookup(table, tf.constant([1, 3], tf.int32))) + \
            tf.reduce_sum(tf.nn.embedding_lookup(table, tf.constant([3], tf.int64)))
        train = tf.train.MomentumOptimizer(1.0, 0.5).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            np.testing.assert_allclose(sess.run(table)[:, 0], [1, 0, 1, -1, 1])


def test_clipped_sparse_gradients_stay_sparse():
    g = tf.Graph()
    with g.as_default():
        table = tf.Variable(np.ones((4, 2)))
        ids = tf.placeholder(tf.int32, [1])
        loss = tf.reduce_sum(tf.nn.embedding_lookup(table, ids) * 10.0)
        opt = tf.train.MomentumOptimizer(1.0, 0.5)
        grads, variables = zip(*opt.compute_gradients(loss))
        clipped, norm = tf.clip_by_global_norm(grads, 1.0)
        train = opt.apply_gradients(zip(clipped, variables))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {ids: [1]})
            sess.run(train, {ids: [2]})
            got = sess.run(table)
    step = 1.0 / np.sqrt(2)              # the clipped gradient of each element
    np.testing.assert_allclose(got[1], 1 - step)   # not named at step 2: momentum waits
    np.testing.assert_allclose(got[2], 1 - step)
    np.testing.assert_array_equal(got[[0, 3]], 1.0)


@pytest.mark.parametrize("clip", [False, True])
@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_sparse_gradient_descent_is_tf1s_scatter_sub_of_the_looked_up_rows(backend, clip):
    # TF1's GradientDescent._apply_sparse: var.scatter_sub(lr * values), every repeated
    # id subtracted; the [rows, dim] dense gradient is not built (unless clipping's norm
    # reads it), and on llvm the scatter runs natively (no numpy-kernel step in the plan)
    g = tf.Graph()
    with g.as_default():
        start = np.random.RandomState(0).randn(6, 3)
        table = tf.Variable(start)
        ids = tf.placeholder(tf.int32, [2, 2])
        looked = tf.nn.embedding_lookup(table, ids)
        loss = tf.reduce_sum(looked * COEF[0][0]) + \
            tf.reduce_sum(tf.nn.embedding_lookup(table, [5]) ** 2)  # a second lookup: AddN
        opt = tf.train.GradientDescentOptimizer(0.5)
        grads, variables = zip(*opt.compute_gradients(loss))
        clipped = tf.clip_by_global_norm(grads, 1.5)[0] if clip else grads  # (scalings)
        train = opt.apply_gradients(zip(clipped, variables))
        dense = tf.assign_sub(tf.Variable(start), 0.5 * clipped[0])
        assert "ScatterSub" in {op.type for op in g.get_operations()}
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            feed = {ids: [[1, 3], [1, 1]]}
            want = sess.run(dense, feed)
            sess.run(train, feed)
            got = sess.run(table)
            if backend == "llvm":
                plan = next(p for p in sess._plans.values()
                            if any(op.type == "ScatterSub" for op in p.executable.plan.nodes))
                assert [k for k, _ in plan.executable._schedule] == ["native"]
                types = {op.type for op in plan.executable.plan.nodes}
                assert clip or "UnsortedSegmentSum" not in types
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_array_equal(got[[0, 2, 4]], start[[0, 2, 4]])


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
@pytest.mark.parametrize("name", ["momentum", "adagrad", "rmsprop", "ftrl"])
def test_sparse_updates_cost_the_named_rows_at_every_batch_size(backend, name):
    # The row-wise path (optimizer._sparse_rows): repeated ids summed first, only the named
    # rows and their slots read and written, no tensor of the table's size but one integer
    # per row; one plan for every batch size, all native on llvm; the same table as the
    # numpy reference of TF1's sparse kernels
    makers = {"momentum": (lambda: tf.train.MomentumOptimizer(0.1, 0.9),
                           lambda p, g, s: (s.__setitem__("m", 0.9 * s["m"] + g),
                                            p - 0.1 * s["m"])[1],
                           lambda t: {"m": np.zeros_like(t)}),
              "adagrad": (lambda: tf.train.AdagradOptimizer(0.5),
                          lambda p, g, s: (s.__setitem__("a", s["a"] + g * g),
                                           p - 0.5 * g / np.sqrt(s["a"]))[1],
                          lambda t: {"a": np.full_like(t, 0.1)}),
              "rmsprop": (lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5),
                          lambda p, g, s: (s.__setitem__("ms", 0.9 * s["ms"] + 0.1 * g * g),
                                           s.__setitem__("mom", 0.5 * s["mom"] + 0.01 * g /
                                                         np.sqrt(s["ms"] + 1e-10)),
                                           p - s["mom"])[2],
                          lambda t: {"ms": np.ones_like(t), "mom": np.zeros_like(t)}),
              "ftrl": (lambda: tf.train.FtrlOptimizer(0.3, l1_regularization_strength=0.1),
                       lambda p, g, s: _ftrl_update(0.3, -0.5, 0.1, 0.0, 0.0)(p, g, s, 0),
                       lambda t: {"a": np.full_like(t, 0.1), "l": np.zeros_like(t)})}
    make_opt, rule, init = makers[name]
    rows, dim = 40, 3
    start = np.random.RandomState(0).randn(rows, dim)
    coef = np.random.RandomState(1).randn(dim)
    batches = [[3, 7, 3, 3, 11], [7], [0, 39, 7, 0], [5, 5, 5, 5, 5, 5, 2, 3]]
    g = tf.Graph()
    with g.as_default():
        table = tf.Variable(start)
        ids = tf.placeholder(tf.int32, [None])
        loss = tf.reduce_sum(tf.nn.embedding_lookup(table, ids) * coef)
        train = make_opt().minimize(loss)
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            for batch in batches:
                sess.run(train, {ids: batch})
            got = sess.run(table)
            plans = list({id(p): p for p in sess._plans.values() if any(
                op.type == "ScatterUpdate" for op in p.executable.plan.nodes)}.values())
            if backend == "llvm":  # (the numpy reference runs per shape)
                assert len(plans) == 1  # (every batch size: one symbolic plan)
                assert [k for k, _ in plans[0].executable._schedule] == ["native"]
            for op in plans[0].executable.plan.nodes:
                if op.type in ("VariableV2", "ScatterUpdate", "Identity"):  # (variables, reads)
                    continue
                for out in op.outputs:
                    dims = out.shape.as_tuple() or ()
                    assert not (len(dims) == 2 and dims[0] == rows), (op.type, dims)
    want, state = start.copy(), init(start)
    for batch in batches:
        grad = np.zeros_like(want)
        np.add.at(grad, batch, coef)
        named = sorted(set(batch))
        sub = {k: v[named] for k, v in state.items()}
        want[named] = rule(want[named], grad[named], sub)
        for k, v in sub.items():
            state[k][named] = v
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
