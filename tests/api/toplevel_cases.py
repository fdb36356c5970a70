"""Cases compared with TensorFlow for TF1's top-level leftovers: GradientTape in a graph
(watch, stop_recording, persistent, output_gradients, unconnected gradients, jacobian,
batch_jacobian, nested tapes), grad_pass_through, recompute_grad, guarantee_const,
ConditionalAccumulator (staleness, MEAN and SUM, the step it advances) and
PriorityQueue. Each builds its outputs from `tf` (graphc, or TensorFlow's compat.v1: the
same code for both) and placeholders fed INPUTS; runs are ordered by control
dependencies, so one Session.run gives every output.

tests/fixtures/tf/make_toplevel_fixtures.py stores TensorFlow's outputs
(tests/fixtures/tf/toplevel.npz); tests/api/test_toplevel.py runs them in graphc on both
backends.
"""
from __future__ import annotations

import numpy as np

INPUTS = {
    "x": np.array([0.5, -1.25, 2.0], np.float32),
    "b": np.array([[0.3, -0.7, 1.1], [2.0, 0.25, -1.5]], np.float64),
}


def placeholders(tf) -> dict:
    return {"x": tf.placeholder(tf.float32, [3], name="x"),
            "b": tf.placeholder(tf.float64, [None, 3], name="b")}


def _tape_cases(tf, x, b, out: dict) -> None:
    c = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.sin(x) * x * c)
        with tape.stop_recording():
            frozen = x * 3.0
        w = tf.reduce_sum(frozen * x)
        u = tf.tanh(x) * c
        tape.watch(b)
        rows = tf.matmul(b, tf.constant(np.arange(6.0).reshape(3, 2))) * tf.reduce_sum(b, 1,
                                                                                       keepdims=True)
    gx, gc = tape.gradient(y, [x, c], unconnected_gradients="zero")
    out["tape_grad"], out["tape_unwatched_zero"] = gx, gc
    out["tape_stop_recording"] = tape.gradient(w, x)
    out["tape_output_gradients"] = tape.gradient(u, x, output_gradients=tf.constant(
        [1.0, -2.0, 0.5]))
    out["tape_list_target"] = tape.gradient([y, w], x)
    out["tape_jacobian"] = tape.jacobian(u, x)
    out["tape_batch_jacobian"] = tape.batch_jacobian(rows, b)

    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            z = tf.reduce_sum(x * x * x)
        dz = inner.gradient(z, x)
    out["tape_second_order"] = outer.gradient(dz, x)


def _helper_cases(tf, x, out: dict) -> None:
    rounded = tf.grad_pass_through(tf.round)(x * 2.0)
    out["grad_pass_through_value"] = rounded
    out["grad_pass_through_grad"] = tf.gradients(tf.reduce_sum(rounded * x), x)[0]

    def f(t):
        return tf.sin(t) * t + tf.exp(t * 0.5)

    r = tf.recompute_grad(f)(x)
    out["recompute_grad_value"] = r
    out["recompute_grad_grad"] = tf.gradients(r, x, grad_ys=tf.constant([1.0, 0.5, -1.0]))[0]
    out["guarantee_const"] = tf.guarantee_const(x) * 2.0


def _accumulator_cases(tf, out: dict) -> None:
    acc = tf.ConditionalAccumulator(tf.float32, shape=[2], name="acc")
    g1 = acc.apply_grad(tf.constant([1.0, 2.0]), local_step=0)
    with tf.control_dependencies([g1]):
        g2 = acc.apply_grad(tf.constant([4.0, -6.0]), local_step=0)
    with tf.control_dependencies([g2]):
        n_before = tf.identity(acc.num_accumulated())
    with tf.control_dependencies([n_before]):
        mean = acc.take_grad(2)   # the step becomes 1
    with tf.control_dependencies([mean]):
        stale = acc.apply_grad(tf.constant([100.0, 100.0]), local_step=0)
    with tf.control_dependencies([stale]):
        fresh = acc.apply_grad(tf.constant([3.0, 5.0]), local_step=1)
    with tf.control_dependencies([fresh]):
        n_after = tf.identity(acc.num_accumulated())
    with tf.control_dependencies([n_after]):
        jump = acc.set_global_step(7)
    with tf.control_dependencies([jump]):
        old = acc.apply_grad(tf.constant([50.0, 50.0]), local_step=6)
    with tf.control_dependencies([old]):
        now = acc.apply_grad(tf.constant([1.0, 1.0]), local_step=9)
    with tf.control_dependencies([now]):
        second = acc.take_grad(2)
    out["acc_count_before"], out["acc_mean"] = n_before, mean
    out["acc_count_after"], out["acc_second"] = n_after, second

    total = tf.ConditionalAccumulator(tf.float64, name="sum_acc", reduction_type="SUM")
    h1 = total.apply_grad(tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64))
    with tf.control_dependencies([h1]):
        h2 = total.apply_grad(tf.constant([[0.5, 0.5], [0.5, -4.0]], tf.float64),
                              local_step=3)
    with tf.control_dependencies([h2]):
        out["acc_sum"] = total.take_grad(2)


def _priority_queue_cases(tf, out: dict) -> None:
    q = tf.PriorityQueue(10, [tf.string, tf.float32], shapes=[[], [2]])
    fill = q.enqueue_many([tf.constant([5, -1, 3, 8], tf.int64),
                           tf.constant([b"five", b"minus one", b"three", b"eight"]),
                           tf.constant(np.arange(8, dtype=np.float32).reshape(4, 2))])
    with tf.control_dependencies([fill]):
        one = q.enqueue([tf.constant(0, tf.int64), tf.constant(b"zero"),
                         tf.constant([9.0, 9.0])])
    with tf.control_dependencies([one]):
        p, s, v = q.dequeue_many(3)
    with tf.control_dependencies([p, s, v]):
        size = q.size()
    with tf.control_dependencies([size]):
        p1, s1, v1 = q.dequeue()
    out["pq_priorities"], out["pq_strings"], out["pq_values"] = p, s, v
    out["pq_size"], out["pq_next"], out["pq_next_string"] = size, p1, s1
    out["pq_next_value"] = v1


def cases(tf, p: dict) -> dict:
    """name -> output tensor."""
    out: dict = {}
    _tape_cases(tf, p["x"], p["b"], out)
    _helper_cases(tf, p["x"], out)
    _accumulator_cases(tf, out)
    _priority_queue_cases(tf, out)
    return out
