"""Each optimizer's parameter trajectory matches the same update written in numpy."""
import numpy as np
import pytest

import graphc as tf

RNG = np.random.RandomState(0)
X = RNG.randn(8, 3)
Y = RNG.randn(8, 1)
W0 = RNG.randn(3, 1)
B0 = np.array([0.3])
STEPS = 6


def _grads(w, b):
    err = X @ w + b - Y
    return 2.0 / len(X) * X.T @ err, 2.0 / len(X) * err.sum(axis=0)


def _numpy_trajectory(update, state_init):
    w, b = W0.copy(), B0.copy()
    state = {"w": state_init(w), "b": state_init(b)}
    out = []
    for t in range(1, STEPS + 1):
        gw, gb = _grads(w, b)
        w = update(w, gw, state["w"], t)
        b = update(b, gb, state["b"], t)
        out.append((w.copy(), b.copy()))
    return out


def _graphc_trajectory(optimizer):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [None, 3])
        y = tf.placeholder(tf.float64, [None, 1])
        w = tf.Variable(W0)
        b = tf.Variable(B0)
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        train = optimizer().minimize(loss)
        init = tf.global_variables_initializer()
    out = []
    with tf.Session(graph=g) as sess:
        sess.run(init)
        for _ in range(STEPS):
            sess.run(train, {x: X, y: Y})
            out.append(tuple(sess.run([w, b])))
    return out


def _compare(ours, reference):
    for step, ((w, b), (rw, rb)) in enumerate(zip(ours, reference)):
        np.testing.assert_allclose(w, rw, rtol=1e-10, atol=1e-12, err_msg=f"W at step {step}")
        np.testing.assert_allclose(b, rb, rtol=1e-10, atol=1e-12, err_msg=f"b at step {step}")


def test_gradient_descent():
    def update(p, g, s, t):
        return p - 0.1 * g
    _compare(_graphc_trajectory(lambda: tf.train.GradientDescentOptimizer(0.1)),
             _numpy_trajectory(update, lambda p: None))


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov):
    def update(p, g, s, t):
        s[:] = 0.9 * s + g
        return p - (0.05 * g + 0.05 * 0.9 * s if nesterov else 0.05 * s)
    _compare(_graphc_trajectory(
        lambda: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=nesterov)),
        _numpy_trajectory(update, np.zeros_like))


def test_adam():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01

    def update(p, g, s, t):
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return p - lr_t * s["m"] / (np.sqrt(s["v"]) + eps)
    _compare(_graphc_trajectory(lambda: tf.train.AdamOptimizer(lr)),
             _numpy_trajectory(update, lambda p: {"m": np.zeros_like(p),
                                                  "v": np.zeros_like(p)}))


def test_adagrad():
    def update(p, g, s, t):
        s[:] = s + g * g
        return p - 0.1 * g / np.sqrt(s)
    _compare(_graphc_trajectory(lambda: tf.train.AdagradOptimizer(0.1)),
             _numpy_trajectory(update, lambda p: np.full_like(p, 0.1)))


@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop(centered):
    rho, mom, eps, lr = 0.9, 0.5, 1e-10, 0.01

    def update(p, g, s, t):
        s["ms"] = rho * s["ms"] + (1 - rho) * g * g
        denom = s["ms"]
        if centered:
            s["mg"] = rho * s["mg"] + (1 - rho) * g
            denom = s["ms"] - s["mg"] ** 2
        s["mom"] = mom * s["mom"] + lr * g / np.sqrt(denom + eps)
        return p - s["mom"]
    _compare(_graphc_trajectory(
        lambda: tf.train.RMSPropOptimizer(lr, momentum=mom, centered=centered)),
        _numpy_trajectory(update, lambda p: {"ms": np.ones_like(p), "mom": np.zeros_like(p),
                                             "mg": np.zeros_like(p)}))


def test_learning_rate_as_tensor_and_global_step():
    g = tf.Graph()
    with g.as_default():
        lr = tf.placeholder(tf.float64, [])
        w = tf.Variable(np.float64(1.0))
        step = tf.train.get_or_create_global_step()
        train = tf.train.GradientDescentOptimizer(lr).minimize(tf.square(w), global_step=step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {lr: 0.25})  # w -= 0.25 * 2w
            assert sess.run(w) == pytest.approx(0.5)
            sess.run(train, {lr: 0.5})
            assert sess.run(w) == pytest.approx(0.0)
            assert sess.run(step) == 2


def test_exponential_decay():
    g = tf.Graph()
    with g.as_default():
        step = tf.train.get_or_create_global_step()
        lr = tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=False)
        lr_stair = tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            step.load(15, sess)
            assert sess.run(lr) == pytest.approx(0.1 * 0.5 ** 1.5, rel=1e-6)
            assert sess.run(lr_stair) == pytest.approx(0.05, rel=1e-6)


def test_slot_names_follow_tf1():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.zeros(2), name="W")
        opt = tf.train.AdamOptimizer()
        opt.minimize(tf.reduce_sum(tf.square(w)))
        names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["W", "W/Adam", "W/Adam_1", "beta1_power", "beta2_power"]
    assert opt.get_slot(w, "m").op.name == "W/Adam"


def test_non_slot_variables_take_the_callers_name_scope_as_tf1():
    """TF1 makes beta1_power with tf.Variable under the current name scope (a checkpoint
    of `with tf.name_scope('Train'): minimize()` holds Train/beta1_power); slots are named
    by the variable's name, whatever the name scope."""
    g = tf.Graph()
    with g.as_default():
        with tf.variable_scope("model"):
            w = tf.get_variable("W", [2, 1])
        with tf.name_scope("Train"):
            tf.train.AdamOptimizer().minimize(tf.reduce_sum(w))
        names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["Train/beta1_power", "Train/beta2_power", "model/W", "model/W/Adam",
                     "model/W/Adam_1"]


def test_no_gradients_error_explains_each_variable():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        w = tf.Variable(np.ones((3, 2), np.float32), name="w")
        tf.Variable(np.ones(2, np.float32), name="unused")
        acc = tf.reduce_mean(tf.cast(tf.argmax(tf.matmul(x, w), 1), tf.float32))
        with pytest.raises(ValueError) as info:
            tf.train.GradientDescentOptimizer(0.1).minimize(acc)
    text = str(info.value)
    assert "No gradients provided for any variable" in text
    assert "w: every path to the loss passes through a non-differentiable op: ArgMax" in text
    assert "unused: no path of ops leads from it to the loss" in text
