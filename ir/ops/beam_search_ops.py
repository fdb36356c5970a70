"""GatherTree: the beams of a beam search read back from each step's ids and parents
(TF1's `tf.contrib.seq2seq.gather_tree`, the last step of BeamSearchDecoder).

step_ids and parent_ids are [max_time, batch, beam]; for each (batch, beam) the kernel
starts at step min(max_time, max_sequence_lengths[batch]) - 1 and walks the parent
pointers back to step 0, writing the ids of the path it follows; every other entry is
`end_token`, and so is everything after a beam's first `end_token` (a trajectory that
goes on after its end). A parent outside [0, beam) is TF1's InvalidArgumentError
"Saw invalid parent id" (TF's CPU kernel checks `parent > beam_width`; graphc also refuses
`parent == beam_width`, which TF would read out of bounds). int32 only, as TF1's kernel;
not differentiable (ids).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop

__all__ = ["gather_tree"]


def _with_rank(op, t, rank: int, what: str) -> TensorShape:
    if t.shape.ndims not in (None, rank):
        raise ValueError(f"{what} '{t.name}' must be rank {rank}, got shape {t.shape}")
    return t.shape if t.shape.ndims is not None else TensorShape([None] * rank)


def _gather_tree_infer(op):
    step_ids, parent_ids, lengths, end_token = op.inputs
    for t, what in ((step_ids, "step_ids"), (parent_ids, "parent_ids"),
                    (end_token, "end_token")):
        check_dtype(op, t, (dt.int32,), what)
    check_dtype(op, lengths, (dt.int32,), "max_sequence_lengths")
    steps = _with_rank(op, step_ids, 3, "step_ids")
    parents = _with_rank(op, parent_ids, 3, "parent_ids")
    lens = _with_rank(op, lengths, 1, "max_sequence_lengths")
    _with_rank(op, end_token, 0, "end_token")
    if not steps.is_compatible_with(parents):
        raise ValueError(f"step_ids '{step_ids.name}' {steps} and parent_ids "
                         f"'{parent_ids.name}' {parents} must have the same shape")
    shape = steps.merge_with(parents)
    batch = shape.dims[1]
    if not batch.is_compatible_with(lens.dims[0]):
        raise ValueError(f"batch size dimensions step_ids.shape[1] ({batch}) and "
                         f"max_sequence_lengths.shape[0] ({lens.dims[0]}) must match")
    dims = list(shape.dims)
    dims[1] = batch.merge_with(lens.dims[0])
    return [(dt.int32, TensorShape(dims))]


def _gather_tree_compute(step_ids, parent_ids, max_sequence_lengths, end_token):
    if step_ids.ndim != 3:
        raise InvalidArgumentError(None, None, f"step_ids must be a 3-tensor, saw shape: "
                                   f"{list(step_ids.shape)}")
    if step_ids.shape != parent_ids.shape:
        raise InvalidArgumentError(None, None, f"step_ids.shape must match "
                                   f"parent_ids.shape.  but shapes are: "
                                   f"{list(step_ids.shape)} and {list(parent_ids.shape)}")
    if max_sequence_lengths.shape != (step_ids.shape[1],):
        raise InvalidArgumentError(None, None, f"batch size dimensions step_ids.shape[1] "
                                   f"and max_seqeuence_lengths.shape[0] must match.  but "
                                   f"shapes are: {list(step_ids.shape)} and "
                                   f"{list(max_sequence_lengths.shape)}")
    max_time, batch, beam_width = step_ids.shape
    end = int(end_token)
    beams = np.full(step_ids.shape, end, np.int32)
    for b in range(batch):
        length = min(max_time, int(max_sequence_lengths[b]))
        if length <= 0:
            continue
        for k in range(beam_width):
            beams[length - 1, b, k] = step_ids[length - 1, b, k]
            parent = int(parent_ids[length - 1, b, k])
            for level in range(length - 2, -1, -1):
                if not 0 <= parent < beam_width:
                    raise InvalidArgumentError(None, None, f"Saw invalid parent id {parent} "
                                               f"at (batch, time, beam) == ({b}, {level}, "
                                               f"{k})")
                beams[level, b, k] = step_ids[level, b, parent]
                parent = int(parent_ids[level, b, parent])
            ended = np.flatnonzero(beams[:length, b, k] == end)
            if ended.size:
                beams[ended[0] + 1:length, b, k] = end
    return beams


defop("GatherTree", _gather_tree_infer, _gather_tree_compute, NON_DIFFERENTIABLE,
      family="array")


def gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token,
                name: Optional[str] = None):
    """TF1 `tf.contrib.seq2seq.gather_tree`: the full beams, [max_time, batch, beam],
    from the ids and parent beams of each step (see the module docstring)."""
    step_ids = convert_to_tensor(step_ids, name="step_ids", dtype_hint=dt.int32)
    parent_ids = convert_to_tensor(parent_ids, name="parent_ids", dtype_hint=dt.int32)
    lengths = convert_to_tensor(max_sequence_lengths, name="max_sequence_lengths",
                                dtype_hint=dt.int32)
    end_token = convert_to_tensor(end_token, name="end_token", dtype_hint=dt.int32)
    return apply("GatherTree", (step_ids, parent_ids, lengths, end_token),
                 name=name or "GatherTree")
