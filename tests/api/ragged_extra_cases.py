"""Cases compared with TensorFlow for tf.ragged.stack, boolean_mask, cross, cross_hashed,
stack_dynamic_partitions and the raw ops
ragged_fill_empty_rows(_grad); a RaggedTensor result is compared by its flat values and
nested row splits (`<name>_v`, `<name>_s0`, ...). TF's fixture:
tests/fixtures/tf/ragged_extra.npz, made by tests/fixtures/tf/make_ragged_extra_fixtures.py.
"""
from __future__ import annotations

import numpy as np

from .ragged_strings_cases import _put  # (a RaggedTensor as its parts)

INPUTS = {
    "d": np.arange(12, dtype=np.float32).reshape(4, 3),
    "p": np.array([2, 0, 2, 1, 0], np.int32),
    "rowids": np.array([0, 0, 2, 5], np.int64),
    "vals": np.array([1.5, -2.0, 3.0, 4.0], np.float32),
}


def placeholders(tf) -> dict:
    return {"d": tf.placeholder(tf.float32, [4, 3], name="d"),
            "p": tf.placeholder(tf.int32, [None], name="p"),
            "rowids": tf.placeholder(tf.int64, [None], name="rowids"),
            "vals": tf.placeholder(tf.float32, [None], name="vals")}


def cases(tf, p: dict) -> dict:
    rg, out = tf.ragged, {}
    a = rg.constant([[1.0, 2.0], [], [3.0, 4.0, 5.0]])
    b = rg.constant([[6.0], [7.0, 8.0], []])
    c = tf.RaggedTensor.from_row_splits(p["d"][:, 0], [0, 1, 1, 4])
    _put(out, "stack0", rg.stack([a, b]))
    _put(out, "stack0_dense", rg.stack([a, p["d"][:2, :2]]))
    _put(out, "stack1", rg.stack([a, b, c], axis=1))
    _put(out, "mask_rows", rg.boolean_mask(a, tf.constant([True, False, True])))
    _put(out, "mask_elements", rg.boolean_mask(a, rg.constant([[False, True], [],
                                                               [True, False, True]])))
    _put(out, "mask_dense2", rg.boolean_mask(p["d"], p["d"] > 4.0))
    _put(out, "mask_dense1", rg.boolean_mask(p["d"], tf.constant([True, False, False, True])))
    data = tf.constant([b"a", b"b", b"c", b"d", b"e"])
    for name, r in (("partitions", rg.stack_dynamic_partitions(data, p["p"], 4)),
                    ("partitions_2d", rg.stack_dynamic_partitions(
                        tf.reshape(tf.range(10.0), [5, 2]), p["p"], 3))):
        # (TF's splits take the partitions' int32; graphc's RaggedTensor keeps int64)
        out[name + "_v"], out[name + "_s0"] = r.values, tf.cast(r.row_splits, tf.int64)
    words = rg.constant([[b"a", b"b"], [b"c"]])
    ids_ = tf.constant([[1], [2]], tf.int64)
    other = rg.constant([[b"x", b"y"], []])
    _put(out, "cross", rg.cross([words, ids_, other]))
    _put(out, "cross_two", rg.cross([words, ids_]))
    _put(out, "cross_hashed", rg.cross_hashed([words, ids_]))
    _put(out, "cross_hashed_buckets", rg.cross_hashed([words, other], num_buckets=10,
                                                       hash_key=7))
    ids, vals, empty, reverse = tf.ragged_fill_empty_rows(p["rowids"], p["vals"], 7, -1.0)
    out["fill_ids"], out["fill_vals"] = ids, vals
    out["fill_empty"], out["fill_reverse"] = empty, reverse
    d_vals, d_default = tf.ragged_fill_empty_rows_grad(reverse, tf.range(1.0, 10.0))
    out["fill_grad_values"], out["fill_grad_default"] = d_vals, d_default
    out["fill_grad_through"] = tf.gradients(tf.reduce_sum(vals * vals), p["vals"])[0]
    return out
