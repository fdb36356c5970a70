"""ExponentialMovingAverage, SyncReplicasOptimizer's one-process meaning and the learning-rate
schedules, against TF1's formulas in numpy."""
import math

import numpy as np
import pytest

import graphc as tf


def test_exponential_moving_average_follows_tf1():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.array([1.0, 2.0]), name="w")
        b = tf.Variable(np.float64(5.0), name="b")
        step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        ema = tf.train.ExponentialMovingAverage(0.9, num_updates=step)
        update_w = tf.assign(w, w * 2.0)
        with tf.control_dependencies([update_w]):
            train = tf.group(ema.apply([w, b]), tf.assign_add(step, 1))
        assert ema.average(w).op.name == "w/ExponentialMovingAverage"
        assert ema.average_name(b) == "b/ExponentialMovingAverage"
        assert tf.moving_average_variables() == [w, b]
        assert ema.average(w) not in tf.trainable_variables()
        restore = ema.variables_to_restore()
        assert restore["w/ExponentialMovingAverage"] is w and restore["step"] is step
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(ema.average(w)), [1.0, 2.0])
            avg, value = np.array([1.0, 2.0]), np.array([1.0, 2.0])
            for n in range(3):
                sess.run(train)
                value = value * 2
                decay = min(0.9, (1.0 + n) / (10.0 + n))
                avg = avg - (1 - decay) * (avg - value)
                np.testing.assert_allclose(sess.run(ema.average(w)), avg, rtol=1e-6)
            assert sess.run(ema.average(b)) == pytest.approx(5.0)


def test_ema_zero_debias_of_a_tensor():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [2])
        value = tf.identity(x)
        ema = tf.train.ExponentialMovingAverage(0.5, zero_debias=True)
        up = ema.apply([value])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            biased = np.zeros(2)
            for t, v in enumerate([[1.0, 2.0], [3.0, 5.0]], 1):
                sess.run(up, {x: v})
                biased = biased - 0.5 * (biased - np.array(v))
                np.testing.assert_allclose(sess.run(ema.average(value)),
                                           biased / (1 - 0.5 ** t))


def test_ema_refuses_integer_variables():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="must be half, float, or double"):
            tf.train.ExponentialMovingAverage(0.9).apply([tf.Variable(1)])


def _sync_run(n, steps):
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.array([1.0, -2.0]))
        x = tf.placeholder(tf.float64, [2])
        step = tf.train.get_or_create_global_step()
        opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.5), n)
        train = opt.minimize(tf.reduce_sum(w * x), global_step=step)
        hook = opt.make_session_run_hook(is_chief=True)
        out = []
        with tf.train.MonitoredTrainingSession(hooks=[hook]) as sess:
            for i in range(steps):
                sess.run(train, {x: [float(i + 1), 1.0]})
                out.append(sess.run([w, step]))
        return out


def test_sync_replicas_with_one_replica_applies_every_step():
    out = _sync_run(1, 2)
    np.testing.assert_allclose(out[0][0], [0.5, -2.5])
    np.testing.assert_allclose(out[1][0], [-0.5, -3.0])
    assert [s for _, s in out] == [1, 2]


def test_sync_replicas_applies_the_mean_of_replicas_to_aggregate_gradients():
    out = _sync_run(2, 4)
    np.testing.assert_allclose(out[0][0], [1.0, -2.0])       # one gradient waiting
    np.testing.assert_allclose(out[1][0], [1.0 - 0.5 * 1.5, -2.5])   # mean of [1, 1], [2, 1]
    np.testing.assert_allclose(out[3][0], [0.25 - 0.5 * 3.5, -3.0])  # mean of [3,1], [4,1]
    assert [s for _, s in out] == [0, 1, 1, 2]


def test_sync_replicas_hook_needs_apply_gradients_first():
    with tf.Graph().as_default():
        opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.5), 1)
        with pytest.raises(ValueError, match="apply_gradient should be called"):
            opt.make_session_run_hook(True).begin()


def _schedule_values(build, steps):
    g = tf.Graph()
    with g.as_default():
        step = tf.placeholder(tf.int64, [])
        lr = build(step)
        with tf.Session() as sess:
            return [float(sess.run(lr, {step: s})) for s in steps]


STEPS = [0, 1, 5, 10, 15, 27, 40]


def _sgdr(s, first=10, t_mul=2.0, m_mul=0.5, alpha=0.1):
    fraction = s / first
    i = math.floor(math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul))
    done = (1 - t_mul ** i) / (1 - t_mul)
    fraction = (fraction - done) / t_mul ** i
    return (1 - alpha) * m_mul ** i * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha


SCHEDULES = {
    "natural_exp": (lambda s: tf.train.natural_exp_decay(0.1, s, 10, 0.5),
                    lambda s: 0.1 * math.exp(-0.5 * s / 10)),
    "natural_exp_staircase": (lambda s: tf.train.natural_exp_decay(0.1, s, 10, 0.5, True),
                              lambda s: 0.1 * math.exp(-0.5 * (s // 10))),
    "inverse_time": (lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5),
                     lambda s: 0.1 / (1 + 0.5 * s / 10)),
    "polynomial": (lambda s: tf.train.polynomial_decay(0.1, s, 20, 0.01, power=2.0),
                   lambda s: (0.1 - 0.01) * (1 - min(s, 20) / 20) ** 2 + 0.01),
    "polynomial_cycle": (lambda s: tf.train.polynomial_decay(0.1, s, 10, 0.01, cycle=True),
                         lambda s: (0.1 - 0.01) * (1 - s / (10 * max(1, math.ceil(s / 10))))
                         + 0.01),
    "cosine": (lambda s: tf.train.cosine_decay(0.1, s, 20, alpha=0.2),
               lambda s: 0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * min(s, 20) / 20)) + 0.2)),
    "cosine_restarts": (lambda s: tf.train.cosine_decay_restarts(1.0, s, 10, m_mul=0.5,
                                                                  alpha=0.1), _sgdr),
    "cosine_restarts_t1": (lambda s: tf.train.cosine_decay_restarts(1.0, s, 10, t_mul=1.0),
                           lambda s: 0.5 * (1 + math.cos(math.pi * (s / 10 % 1)))),
    "linear_cosine": (lambda s: tf.train.linear_cosine_decay(0.1, s, 20, num_periods=2),
                      lambda s: 0.1 * (((20 - min(s, 20)) / 20) * 0.5 * (
                          1 + math.cos(math.pi * 2 * 2 * min(s, 20) / 20)) + 0.001)),
    "exponential_staircase": (lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5, True),
                              lambda s: 0.1 * 0.5 ** (s // 10)),
    "piecewise_constant_decay": (lambda s: tf.train.piecewise_constant_decay(
        s, [5, 15], [1.0, 0.5, 0.1]), lambda s: 1.0 if s <= 5 else 0.5 if s <= 15 else 0.1),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedules_follow_tf1s_formulas(name):
    build, formula = SCHEDULES[name]
    np.testing.assert_allclose(_schedule_values(build, STEPS), [formula(s) for s in STEPS],
                               rtol=2e-6, atol=1e-7)


def test_noisy_linear_cosine_decay_is_the_linear_cosine_plus_noise():
    values = _schedule_values(lambda s: tf.train.noisy_linear_cosine_decay(
        1.0, s, 10, initial_variance=0.0), [0, 5, 20])
    np.testing.assert_allclose(values, [1.001, 0.5 * 0.5 * (1 + math.cos(math.pi * 0.5))
                                        + 0.001, 0.001], rtol=1e-6)
    with pytest.raises(ValueError, match="global_step is required"):
        tf.train.cosine_decay(0.1, None, 10)
