"""Contract samples for GatherTree (ir/ops/beam_search_ops.py): TF1's worked example with
unknown dims, and a batch where one row's length is 0 and another's exceeds max_time."""
import numpy as np

from graphc.ir.ops import beam_search_ops as b, core_ops

ph = core_ops.placeholder


def _tf1_example():
    ids = ph("int32", [None, None, 3])
    parents = ph("int32", [None, 1, 3])
    step = np.int32([[[1, 2, 3]], [[4, 5, 6]], [[7, 8, 9]], [[-1, -1, -1]]])
    par = np.int32([[[0, 0, 0]], [[0, 1, 1]], [[2, 1, 2]], [[-1, -1, -1]]])
    return b.gather_tree(ids, parents, np.int32([3]), 10), {ids: step, parents: par}


def _lengths_zero_and_past_the_end():
    ids = ph("int32", [3, 3, 2])
    lengths = ph("int32", [3])
    rng = np.random.RandomState(0)
    return (b.gather_tree(ids, np.int32(rng.randint(0, 2, (3, 3, 2))), lengths, 1),
            {ids: np.int32(rng.randint(0, 4, (3, 3, 2))), lengths: np.int32([0, 2, 7])})


SAMPLES = {"GatherTree": [_tf1_example, _lengths_zero_and_past_the_end]}
