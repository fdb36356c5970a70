"""`tf.contrib.seq2seq.sequence_loss` and the recurrent extras of `tf.contrib.rnn`
(`stack_bidirectional_dynamic_rnn`) and `tf.nn.rnn_cell.DeviceWrapper`.

sequence_loss is TF1's weighted cross-entropy of [batch, time, classes] logits against
[batch, time] targets, averaged or summed over the time steps and the batch as its flags
say (a division by zero weight gives 0).
"""
from __future__ import annotations

from .ir import context as _context
from .ir.ops import array_ops as A, math_ops as M, nn_ops
from .ir.ops import reduce_ops as R
from .ir.ops import generator_ops as G
from .ir.ops._base import convert_to_tensor
from .losses import _safe_div
from .rnn_cell import RNNCell


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, sum_over_timesteps=False, sum_over_batch=False,
                  softmax_loss_function=None, name=None):
    """The weighted cross-entropy of a batch of sequences (see the module docstring)."""
    logits, targets = convert_to_tensor(logits), convert_to_tensor(targets)
    weights = convert_to_tensor(weights, dtype_hint=logits.dtype)
    if logits.shape.ndims != 3:
        raise ValueError("Logits must be a [batch_size x sequence_length x logits] tensor")
    if targets.shape.ndims != 2:
        raise ValueError("Targets must be a [batch_size x sequence_length] tensor")
    if weights.shape.ndims != 2:
        raise ValueError("Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to "
                         "True at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at "
                         "same time.")
    if weights.dtype is not logits.dtype:
        weights = M.cast(weights, logits.dtype)
    with _context.get_default_graph().name_scope(name or "sequence_loss"):
        classes = logits.shape.as_tuple()[-1]
        flat_logits = A.reshape(logits, [-1, classes if classes is not None else -1])
        flat_targets = A.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=flat_targets,
                                                                      logits=flat_logits)
        else:
            crossent = softmax_loss_function(labels=flat_targets, logits=flat_logits)
        crossent = M.multiply(crossent, A.reshape(weights, [-1]))

        def count(axis=None):
            nonzero = M.cast(M.not_equal(weights, G.zeros_like(weights)), logits.dtype)
            return R.reduce_sum(nonzero, axis=axis)
        if average_across_timesteps and average_across_batch:
            return _safe_div(R.reduce_sum(crossent), R.reduce_sum(weights))
        if sum_over_timesteps and sum_over_batch:
            return _safe_div(R.reduce_sum(crossent), count())
        crossent = A.reshape(crossent, A.shape(targets))
        crossent.set_shape(targets.shape)
        if average_across_timesteps or average_across_batch:
            axis = [0] if average_across_batch else [1]
            return _safe_div(R.reduce_sum(crossent, axis=axis), R.reduce_sum(weights, axis=axis))
        if sum_over_timesteps or sum_over_batch:
            axis = [0] if sum_over_batch else [1]
            return _safe_div(R.reduce_sum(crossent, axis=axis), count(axis))
        return crossent


class DeviceWrapper(RNNCell):
    """TF1 `tf.nn.rnn_cell.DeviceWrapper`: the cell, run on `device` (graphc runs on the
    CPU, so placement is accepted and ignored, as `tf.device`)."""

    def __init__(self, cell, device) -> None:
        super().__init__()
        self._cell, self._device = cell, device

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        return self._cell(inputs, state, scope=scope)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                                    initial_states_bw=None, dtype=None,
                                    sequence_length=None, parallel_iterations=None,
                                    time_major=False, scope=None, swap_memory=False):
    """Layers of bidirectional_dynamic_rnn, each fed the concatenated outputs of the one
    below (scope `stack_bidirectional_rnn/cell_<i>`): (outputs, states_fw, states_bw)."""
    from .rnn_cell import bidirectional_dynamic_rnn
    from .variable_scope import variable_scope
    if not cells_fw or not cells_bw:
        raise ValueError("Must specify at least one fw and one bw cell")
    if len(cells_fw) != len(cells_bw):
        raise ValueError("Forward and Backward cells must have the same depth.")
    for states, what in ((initial_states_fw, "fw"), (initial_states_bw, "bw")):
        if states is not None and len(states) != len(cells_fw):
            raise ValueError(f"initial_states_{what} must be a list with one state per cell")
    states_fw, states_bw = [], []
    layer = inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with variable_scope(f"cell_{i}"):
                (out_fw, out_bw), (s_fw, s_bw) = bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, layer,
                    initial_state_fw=None if initial_states_fw is None else
                    initial_states_fw[i],
                    initial_state_bw=None if initial_states_bw is None else
                    initial_states_bw[i],
                    sequence_length=sequence_length, parallel_iterations=parallel_iterations,
                    dtype=dtype, swap_memory=swap_memory, time_major=time_major)
                layer = A.concat([out_fw, out_bw], 2)
            states_fw.append(s_fw)
            states_bw.append(s_bw)
    return layer, tuple(states_fw), tuple(states_bw)


