"""Variable updates compared with TensorFlow: scatters into variables, count_up_to,
Variable's scatter methods and tensor_scatter_nd_max/min. Each case builds from `tf`
(graphc, or TensorFlow's compat.v1 in graph mode: the same code for both) a list of
variables and a list of update tensors; the runner initializes the variables, runs every
update `RUNS` times in order, then reads the variables.

tests/fixtures/tf/make_state_fixtures.py runs them in TensorFlow and stores the results
(tests/fixtures/tf/state.json); tests/api/test_scatter_state.py runs them in graphc.
"""
from __future__ import annotations

import numpy as np

RUNS = 2
M43 = np.arange(12, dtype=np.float32).reshape(4, 3) - 5
I22 = np.int32([[8, -7], [5, 3]])


def _rows(tf, fn, dtype=np.float32, indices=(1, 3, 1), scalar=False, locking=None):
    def build():
        v = tf.Variable(M43.astype(dtype), name="v")
        updates = dtype(2) if scalar else (np.arange(len(indices) * 3).reshape(-1, 3) -
                                           2).astype(dtype)
        kwargs = {} if locking is None else {"use_locking": locking}
        return [v], [getattr(tf, fn)(v, np.int64(indices), updates, **kwargs)]
    return build


def _int_div(tf):
    v = tf.Variable(I22, name="v")
    return [v], [tf.scatter_div(v, [0, 0, 1], np.int32([[3, 2], [1, -2], [-2, 2]]))]


def _int_min_max(tf):
    v = tf.Variable(I22, name="v")
    return [v], [tf.scatter_min(v, [1], [[6, 1]]), tf.scatter_max(v, [0, 0], [[0, 9], [2, 0]])]


def _nd(tf, fn, indices, updates):
    def build():
        v = tf.Variable(M43, name="v")
        return [v], [getattr(tf, fn)(v, np.int32(indices), np.float32(updates))]
    return build


def _batch(tf, indices, var_shape):
    def build():
        v = tf.Variable(np.zeros(var_shape, np.float32), name="v")
        idx = np.int32(indices)
        updates = np.arange(idx.size * int(np.prod(var_shape[idx.ndim:])),
                            dtype=np.float32).reshape(idx.shape + tuple(var_shape[idx.ndim:]))
        return [v], [tf.batch_scatter_update(v, idx, updates + 1)]
    return build


def _count(tf):
    v = tf.Variable(np.int64(3), name="counter")
    return [v], [tf.count_up_to(v, 5)]


def _count_limit(tf):
    v = tf.Variable(0, name="counter")
    return [v], [tf.count_up_to(v, 1)]


def _methods(tf):
    v = tf.Variable(M43, name="v")
    w = tf.Variable(M43, name="w")
    c = tf.Variable(0, name="c")
    delta = tf.IndexedSlices(tf.constant(np.float32([[1, 2, 3], [4, 5, 6]])),
                             tf.constant([2, 0]))
    return [v, w, c], [v.scatter_add(delta), v.scatter_mul(delta), v.scatter_max(delta),
                       w.scatter_update(delta), w.scatter_nd_sub([[0, 1]], [7.0]),
                       c.count_up_to(10)]


def _out_of_range(tf):
    v = tf.Variable(M43, name="v")
    return [v], [tf.scatter_add(v, [1, 4], np.ones((2, 3), np.float32))]


def _nd_out_of_range(tf):
    v = tf.Variable(M43, name="v")
    return [v], [tf.scatter_nd_update(v, [[0, 3]], [1.0])]


def _tensor_min_max(tf):
    t = tf.constant(np.float64([[1, 5, 2], [3, 2, 0]]))
    u = tf.constant(np.float64([4, 4, 0, 1]))
    idx = [[0, 0], [1, 0], [0, 0], [1, 2]]
    hi = tf.tensor_scatter_nd_max(t, idx, u)
    lo = tf.tensor_scatter_nd_min(t, idx, u)
    rows = tf.tensor_scatter_nd_max(t, [[1], [1]], tf.constant(np.float64([[0, 9, 0],
                                                                          [3, 3, 3]])))
    w = np.float64([[1, 2, 3], [4, 5, 6]])
    grads = tf.gradients(tf.reduce_sum(hi * w) + tf.reduce_sum(lo * w * 2), [t, u]) + \
        tf.gradients(tf.reduce_sum(rows * w), [t])
    return [], [hi, lo, rows] + grads


CASES = {
    "scatter_update": lambda tf: _rows(tf, "scatter_update")(),
    "scatter_update_scalar": lambda tf: _rows(tf, "scatter_update", scalar=True)(),
    "scatter_update_unlocked": lambda tf: _rows(tf, "scatter_update", locking=False)(),
    "scatter_add": lambda tf: _rows(tf, "scatter_add")(),
    "scatter_add_scalar_f64": lambda tf: _rows(tf, "scatter_add", np.float64, scalar=True)(),
    "scatter_sub": lambda tf: _rows(tf, "scatter_sub", indices=(0, 0, 2))(),
    "scatter_mul": lambda tf: _rows(tf, "scatter_mul")(),
    "scatter_div": lambda tf: _rows(tf, "scatter_div", np.float64, indices=(2, 0))(),
    "scatter_min": lambda tf: _rows(tf, "scatter_min")(),
    "scatter_max": lambda tf: _rows(tf, "scatter_max", indices=(3, 3))(),
    "scatter_add_int": lambda tf: _rows(tf, "scatter_add", np.int32)(),
    "scatter_div_int": _int_div,
    "scatter_min_max_int": _int_min_max,
    "scatter_nd_update_rows": lambda tf: _nd(tf, "scatter_nd_update", [[2], [0]],
                                             [[1, 2, 3], [4, 5, 6]])(),
    "scatter_nd_update_elements": lambda tf: _nd(tf, "scatter_nd_update",
                                                 [[0, 1], [3, 2], [0, 1]], [7, 8, 9])(),
    "scatter_nd_add": lambda tf: _nd(tf, "scatter_nd_add", [[0, 1], [3, 2], [0, 1]],
                                     [7, 8, 9])(),
    "scatter_nd_sub_rows": lambda tf: _nd(tf, "scatter_nd_sub", [[1], [1]],
                                          [[1, 1, 1], [2, 2, 2]])(),
    "batch_scatter_update_2d": lambda tf: _batch(tf, [[2, 0], [1, 1]], (2, 3, 2))(),
    "batch_scatter_update_3d": lambda tf: _batch(tf, [[[0], [2]], [[1], [1]]], (2, 2, 3))(),
    "batch_scatter_update_1d": lambda tf: _batch(tf, [3, 0], (4, 2))(),
    "count_up_to": _count,
    "count_up_to_limit": _count_limit,
    "variable_methods": _methods,
    "scatter_out_of_range": _out_of_range,
    "scatter_nd_out_of_range": _nd_out_of_range,
    "tensor_scatter_nd_min_max": _tensor_min_max,
}


def run(tf, session, name: str) -> dict:
    """Build case `name` in the default graph and run it in `session`: each update's
    outputs over RUNS runs, the variables' final values (or the error's class name)."""
    variables, updates = CASES[name](tf)
    return run_by_name(session.run, {"init": tf.global_variables_initializer(),
                                     "updates": updates, "reads": variables},
                       tf.errors.OpError)


def run_by_name(session_run, names: dict, op_error) -> dict:
    """Run `names["init"]`, then each of `names["updates"]` RUNS times in order, then
    read `names["reads"]` (ops and tensors or their names): the updates' outputs, the
    reads' values and the class name of an `op_error` raised by an update."""
    session_run(names["init"])
    result = {"updates": []}
    try:
        for _ in range(RUNS):
            result["updates"].append([np.asarray(session_run(u)).tolist()
                                      for u in names["updates"]])
    except op_error as exc:
        result["error"] = type(exc).__name__
    result["variables"] = [np.asarray(session_run(v)).tolist() for v in names["reads"]]
    return result
