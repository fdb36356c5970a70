"""The tf.sets and tf.metrics *_at_k cases compared with TensorFlow, and how each runs:
the same code builds them from `tf` (graphc, or TensorFlow's compat.v1 in graph mode).

tests/fixtures/tf/make_sets_metrics_fixtures.py runs them in TensorFlow and stores the
results (tests/fixtures/tf/sets_metrics.json); tests/api/test_sets.py and
test_metrics_at_k.py run them in graphc. An operand is {"dense": nested list, "dtype":
...} or {"sparse": [indices, values, dense_shape], "dtype": ...}; strings are stored as
str. A set case gives the result SparseTensor (or set_size's array); a metric case runs
its update op twice on the same batch, then reads the value (NaN as null).
"""
from __future__ import annotations

import math

import numpy as np


def dense(values, dtype="int64"):
    return {"dense": values, "dtype": dtype}


def sparse(indices, values, shape, dtype="int64"):
    return {"sparse": [indices, values, shape], "dtype": dtype}


A3 = dense([[[1, 2, 2, 9], [4, 4, 5, 6]], [[7, 1, 3, 3], [0, 0, 0, 0]]])
B3 = dense([[[2, 9, 11, 1], [5, 5, 5, 5]], [[8, 8, 3, 1], [1, 2, 0, 0]]])
SA = sparse([[0, 0, 0], [0, 0, 3], [0, 1, 1], [1, 0, 0], [1, 0, 2], [1, 1, 4]],
            [3, 1, 5, 7, 7, 2], [2, 2, 5])
SB = sparse([[0, 0, 1], [0, 1, 0], [0, 1, 2], [1, 1, 0], [1, 1, 1]],
            [1, 6, 5, 2, 9], [2, 2, 4])
STR_A = dense([["a", "b", "b"], ["z", "y", "a"]], "string")
STR_B = dense([["b", "c", "a"], ["q", "q", "q"]], "string")

SET_CASES = [
    {"name": f"{op}{'_bminusa' if kw else ''}_{ka}{kb}", "fn": op, "a": a, "b": b,
     "kwargs": kw}
    for op, kw in (("set_intersection", {}), ("set_union", {}), ("set_difference", {}),
                   ("set_difference", {"aminusb": False}))
    for ka, kb, a, b in (("d", "d", A3, B3), ("d", "s", A3, SB), ("s", "s", SA, SB),
                         ("s", "d", SA, B3))
] + [
    {"name": "set_union_strings", "fn": "set_union", "a": STR_A, "b": STR_B, "kwargs": {}},
    {"name": "set_difference_strings", "fn": "set_difference", "a": STR_A, "b": STR_B,
     "kwargs": {}},
    {"name": "set_size_sparse", "fn": "set_size", "a": SA, "kwargs": {}},
    {"name": "set_size_duplicates", "fn": "set_size",
     "a": sparse([[0, 0], [0, 1], [0, 2], [2, 0]], [4, 4, 1, 3], [3, 3]), "kwargs": {}},
]

PREDICTIONS = [[0.1, 0.9, 0.3, 0.6, 0.2], [0.5, 0.05, 0.2, 0.1, 0.8],
               [0.3, 0.1, 0.4, 0.35, 0.0], [0.2, 0.25, 0.2, 0.3, 0.4]]
LABELS_DENSE = dense([[1, 3], [0, -1], [4, 2], [2, 2]])
LABELS_ONE = dense([1, 4, 2, 0])
LABELS_SPARSE = sparse([[0, 0], [0, 1], [1, 0], [2, 0], [2, 1], [2, 2], [3, 0]],
                       [3, 2, 4, 0, 2, 3, 1], [4, 3])
WEIGHTS = [1.0, 0.5, 2.0, 0.0]

METRIC_CASES = []
for fn in ("precision_at_k", "recall_at_k", "sparse_precision_at_k"):
    for label_name, labels in (("dense", LABELS_DENSE), ("one", LABELS_ONE),
                               ("sparse", LABELS_SPARSE)):
        for k in (1, 2, 3):
            METRIC_CASES.append({"name": f"{fn}_{label_name}_k{k}", "fn": fn, "labels": labels,
                                 "predictions": PREDICTIONS, "k": k, "kwargs": {}})
        METRIC_CASES.append({"name": f"{fn}_{label_name}_class2", "fn": fn, "labels": labels,
                             "predictions": PREDICTIONS, "k": 2, "kwargs": {"class_id": 2}})
        METRIC_CASES.append({"name": f"{fn}_{label_name}_weighted", "fn": fn, "labels": labels,
                             "predictions": PREDICTIONS, "k": 2,
                             "kwargs": {"weights": WEIGHTS}})
METRIC_CASES.append({"name": "recall_at_k_class_never_seen", "fn": "recall_at_k",
                     "labels": LABELS_DENSE, "predictions": PREDICTIONS, "k": 1,
                     "kwargs": {"class_id": 1}})
for fn in ("average_precision_at_k", "sparse_average_precision_at_k"):
    for label_name, labels in (("dense", LABELS_DENSE), ("one", LABELS_ONE),
                               ("sparse", LABELS_SPARSE)):
        for k in (1, 2, 4):
            METRIC_CASES.append({"name": f"{fn}_{label_name}_k{k}", "fn": fn, "labels": labels,
                                 "predictions": PREDICTIONS, "k": k, "kwargs": {}})
        METRIC_CASES.append({"name": f"{fn}_{label_name}_weighted", "fn": fn, "labels": labels,
                             "predictions": PREDICTIONS, "k": 3,
                             "kwargs": {"weights": WEIGHTS}})
TOP_K_IDX = [[1, 3], [4, 0], [2, 3], [4, 3]]
for fn in ("precision_at_top_k", "recall_at_top_k"):
    for label_name, labels in (("dense", LABELS_DENSE), ("sparse", LABELS_SPARSE)):
        METRIC_CASES.append({"name": f"{fn}_{label_name}", "fn": fn, "labels": labels,
                             "predictions_idx": TOP_K_IDX, "kwargs": {}})
        METRIC_CASES.append({"name": f"{fn}_{label_name}_class3", "fn": fn, "labels": labels,
                             "predictions_idx": TOP_K_IDX, "kwargs": {"class_id": 3}})


def operand(tf, spec):
    if "dense" in spec:
        return tf.constant(spec["dense"], dtype=spec["dtype"])
    indices, values, shape = spec["sparse"]
    return tf.SparseTensor(np.int64(indices), tf.constant(values, spec["dtype"]),
                           np.int64(shape))


def plain(x):
    if hasattr(x, "dense_shape") and hasattr(x, "indices"):
        return {"indices": plain(x.indices), "values": plain(x.values),
                "dense_shape": plain(x.dense_shape)}
    x = np.asarray(x)
    if x.dtype.kind in "OS":
        return [v.decode() if isinstance(v, bytes) else plain(v) for v in x.tolist()] \
            if x.ndim else x.item().decode()
    out = x.tolist()
    return None if isinstance(out, float) and math.isnan(out) else out


def run_set(tf, case):
    with tf.Graph().as_default():
        a = operand(tf, case["a"])
        fn = getattr(tf.sets, case["fn"])
        out = fn(a, **case["kwargs"]) if "b" not in case else \
            fn(a, operand(tf, case["b"]), **case["kwargs"])
        with tf.Session() as sess:
            return plain(sess.run(out))


def run_metric(tf, case, inspect=None):
    """{"updates", "value", "variables"} of a metric case; `inspect(value)` is called
    inside its graph (the test's checks of collections and dtypes)."""
    with tf.Graph().as_default():
        labels = operand(tf, case["labels"])
        fn = getattr(tf.metrics, case["fn"])
        kwargs = dict(case["kwargs"])
        if "weights" in kwargs:
            kwargs["weights"] = tf.constant(kwargs["weights"], tf.float64)
        if "predictions_idx" in case:
            value, update = fn(labels, tf.constant(case["predictions_idx"], tf.int64),
                               **kwargs)
        else:
            value, update = fn(labels, tf.constant(case["predictions"], tf.float32),
                               case["k"], **kwargs)
        names = sorted(v.op.name for v in tf.local_variables())
        if inspect is not None:
            inspect(value)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            first = sess.run(update)
            second = sess.run(update)
            return {"updates": [plain(first), plain(second)], "value": plain(sess.run(value)),
                    "variables": names}
