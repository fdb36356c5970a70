"""TF1's EditDistance: the Levenshtein distance between the sequences of two sparse tensors.

EditDistance  (hypothesis indices, values, shape, truth indices, values, shape) -> float32
              distances of rank R-1, shape max(hypothesis_shape, truth_shape)[:-1]: each
              sequence is the values along the last axis at one index of the first R-1
              axes. normalize divides by the truth's length; a hypothesis with no truth
              gives inf (its length without normalize), a truth with no hypothesis 1.0
              (its length), neither 0, as TF's kernel.

Its output's shape comes from the shapes' values, so it runs through its numpy kernel on
both backends (family "sparse"); like TF's it is not differentiable.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, defop
from .sparse_ops import check_bounds, check_sparse, row_order, static_rank


def levenshtein(a, b) -> int:
    """The edit distance (insertions, deletions, substitutions of cost 1) of sequences."""
    row = np.arange(len(b) + 1)
    for i, x in enumerate(a, 1):
        prev, row = row, np.empty_like(row)
        row[0] = i
        for j, y in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x != y))
    return int(row[-1])


def _sequences(indices, values, shape, what: str) -> dict:
    check_bounds(indices, shape, f"{what}_indices")
    order = row_order(indices)
    groups: dict = {}
    for k in order:
        groups.setdefault(tuple(int(i) for i in indices[k, :-1]), []).append(values[k])
    return groups


def _edit_distance(h_idx, h_val, h_shape, t_idx, t_val, t_shape, *, normalize):
    if h_shape.size != t_shape.size:
        raise InvalidArgumentError(None, None, f"hypothesis_shape and truth_shape must have "
                                   f"the same rank, got {h_shape.tolist()} and "
                                   f"{t_shape.tolist()}")
    if h_shape.size < 2:
        raise InvalidArgumentError(None, None, f"the sparse tensors must have rank >= 2, got "
                                   f"shape {h_shape.tolist()}")
    hyp = _sequences(h_idx, h_val, h_shape, "hypothesis")
    truth = _sequences(t_idx, t_val, t_shape, "truth")
    out = np.zeros(np.maximum(h_shape, t_shape)[:-1], np.float32)
    for loc in set(hyp) | set(truth):
        h, t = hyp.get(loc), truth.get(loc)
        if t is None:
            out[loc] = np.inf if normalize else len(h)
        elif h is None:
            out[loc] = 1.0 if normalize else len(t)
        else:
            d = levenshtein(h, t)
            out[loc] = d / len(t) if normalize else d
    return out


def _edit_distance_infer(op):
    check_sparse(op, 0, "hypothesis")
    check_sparse(op, 3, "truth")
    hyp, truth = op.inputs[1], op.inputs[4]
    if hyp.dtype is not truth.dtype:
        raise TypeError(f"hypothesis values '{hyp.name}' are {hyp.dtype.name} but truth "
                        f"values '{truth.name}' are {truth.dtype.name}")
    ranks = {r for r in (static_rank(op.inputs[0], op.inputs[2]),
                         static_rank(op.inputs[3], op.inputs[5])) if r is not None}
    if len(ranks) > 1:
        raise ValueError(f"hypothesis and truth must have the same rank, got {sorted(ranks)}")
    if not ranks:
        return [(dt.float32, TensorShape(None))]
    rank = ranks.pop()
    if rank < 2:
        raise ValueError(f"hypothesis and truth must have rank at least 2, got rank {rank}")
    return [(dt.float32, TensorShape([None] * (rank - 1)))]


defop("EditDistance", _edit_distance_infer, _edit_distance, NON_DIFFERENTIABLE,
      family="sparse")


def edit_distance_op(hypothesis: tuple, truth: tuple, normalize: bool = True,
                     name: Optional[str] = None):
    """The EditDistance op over (indices, values, dense_shape) tensors of two sparse
    tensors."""
    return apply("EditDistance", (*hypothesis, *truth), {"normalize": bool(normalize)},
                 name=name or "EditDistance")
