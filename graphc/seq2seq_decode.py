"""`tf.contrib.seq2seq`'s decoding: TrainingHelper, GreedyEmbeddingHelper, BasicDecoder,
BasicDecoderOutput and dynamic_decode, with TF1's semantics.

dynamic_decode runs `decoder.step` in one `tf.while_loop` until every sequence has finished
(or `maximum_iterations`), writing each step's outputs to TensorArrays, then lets a
decoder with a `finalize` method rework them (BeamSearchDecoder's gather_tree); it returns
(final_outputs, final_state, final_sequence_lengths), the outputs batch-major unless
`output_time_major`. With `impute_finished`, finished sequences emit zeros and keep their
state, as TF1's.
"""
from __future__ import annotations

import collections

import numpy as np

from . import nest
from .ir import dtypes as _dt
from .ir.ops import array_ops as A, math_ops as M
from .ir.ops import reduce_ops as R
from .ir.ops import generator_ops as G
from .ir.ops._base import convert_to_tensor


def _rows(mask, x):
    """`mask` ([batch] bool, or [batch, beam] for a beam search) broadcast against x."""
    for _ in range((x.shape.ndims or 1) - (mask.shape.ndims or 1)):
        mask = A.expand_dims(mask, -1)
    return mask


def _where_rows(mask, a, b):
    return M.where_v2(_rows(mask, a), a, b)


class _Helper:
    """What the two helpers share: scalar int32 samples, the argmax of the outputs."""

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        from .ir.shapes import TensorShape
        return TensorShape([])

    @property
    def sample_ids_dtype(self):
        return _dt.int32

    def sample(self, time, outputs, state, name=None):
        return R.argmax(outputs, -1, output_type=_dt.int32)


class TrainingHelper(_Helper):
    """Feeds the ground-truth `inputs` ([batch, time, ...]) one step at a time (teacher
    forcing); a sequence finishes at its `sequence_length`; samples are argmaxes."""

    def __init__(self, inputs, sequence_length, time_major=False, name=None) -> None:
        inputs = convert_to_tensor(inputs, name="inputs")
        if not time_major:
            rank = inputs.shape.ndims
            inputs = A.transpose(inputs, [1, 0] + list(range(2, rank)))
        self._inputs = inputs                                    # [time, batch, ...]
        self._sequence_length = M.cast(convert_to_tensor(sequence_length), _dt.int32)
        if self._sequence_length.shape.ndims != 1:
            raise ValueError(f"Expected sequence_length to be a vector, but received shape: "
                             f"{self._sequence_length.shape}")
        self._zero_inputs = G.zeros_like(self._read(0))
        self._batch_size = A.size(self._sequence_length)

    def _read(self, time):
        """inputs[time] (the last step when `time` is past the end)."""
        from .ir.ops.slicing_ops import gather
        last = M.subtract(A.shape(self._inputs)[0], 1)
        return gather(self._inputs, M.minimum(convert_to_tensor(time, dtype=_dt.int32), last))

    def initialize(self, name=None):
        finished = M.equal(self._sequence_length, np.int32(0))
        all_finished = R.reduce_all(finished)
        first = M.where_v2(all_finished, self._zero_inputs, self._read(0))
        return finished, first

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        next_time = M.add(time, np.int32(1))
        finished = M.greater_equal(next_time, self._sequence_length)
        nxt = M.where_v2(R.reduce_all(finished), self._zero_inputs, self._read(next_time))
        return finished, nxt, state


class GreedyEmbeddingHelper(_Helper):
    """Feeds back the embedding of each step's argmax, from `start_tokens`; a sequence
    finishes when it emits `end_token`."""

    def __init__(self, embedding, start_tokens, end_token) -> None:
        if callable(embedding):
            self._embed = embedding
        else:
            from .nn import embedding_lookup
            params = convert_to_tensor(embedding)
            self._embed = lambda ids: embedding_lookup(params, ids)
        self._start_tokens = M.cast(convert_to_tensor(start_tokens), _dt.int32)
        self._end_token = M.cast(convert_to_tensor(end_token), _dt.int32)
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._batch_size = A.size(self._start_tokens)
        self._start_inputs = self._embed(self._start_tokens)

    def initialize(self, name=None):
        return M.cast(G.zeros_like(self._start_tokens), _dt.bool_), self._start_inputs

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        finished = M.equal(sample_ids, self._end_token)
        nxt = M.where_v2(R.reduce_all(finished), self._start_inputs, self._embed(sample_ids))
        return finished, nxt, state


class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput",
                                                ("rnn_output", "sample_id"))):
    """One step's outputs: the cell's (projected) output and the helper's sample."""


class BasicDecoder:
    """A cell (and optional output layer) driven by a helper."""

    def __init__(self, cell, helper, initial_state, output_layer=None) -> None:
        self._cell, self._helper = cell, helper
        self._initial_state, self._output_layer = initial_state, output_layer

    @property
    def batch_size(self):
        return self._helper.batch_size

    @property
    def tracks_own_finished(self) -> bool:
        return False

    @property
    def output_size(self):
        size = self._cell.output_size
        if self._output_layer is not None:
            size = self._output_layer.units
        return BasicDecoderOutput(rnn_output=size, sample_id=())

    def initialize(self, name=None):
        finished, first = self._helper.initialize()
        return finished, first, self._initial_state

    def step(self, time, inputs, state, name=None):
        outputs, cell_state = self._cell(inputs, state)
        if self._output_layer is not None:
            outputs = self._output_layer(outputs)
        sample_ids = self._helper.sample(time, outputs, cell_state)
        finished, next_inputs, next_state = self._helper.next_inputs(time, outputs, cell_state,
                                                                     sample_ids)
        return BasicDecoderOutput(outputs, sample_ids), next_state, next_inputs, finished


def dynamic_decode(decoder, output_time_major=False, impute_finished=False,
                   maximum_iterations=None, parallel_iterations=32, swap_memory=False,
                   scope=None):
    """Decodes until every sequence finishes (see the module docstring)."""
    from .control_flow import while_loop
    from .tensor_array import TensorArray
    from .variable_scope import variable_scope
    with variable_scope(scope, default_name="decoder"):
        finished0, inputs0, state0 = decoder.initialize()
        if maximum_iterations is not None:
            maximum_iterations = M.cast(convert_to_tensor(maximum_iterations), _dt.int32)
            finished0 = M.logical_or(finished0, M.greater_equal(np.int32(0),
                                                                maximum_iterations))
        lengths0 = M.cast(G.zeros_like(M.cast(finished0, _dt.int32)), _dt.int32)
        flat_state0 = nest.flatten(state0)

        # one step outside the loop (pruned away: nothing uses it) builds the cell's
        # variables and fixes the outputs' dtypes and shapes, which TF1 reads from
        # output_size/output_dtype; the loop repeats it from time 0
        outputs_probe, _, _, _ = decoder.step(np.int32(0), inputs0, state0)
        flat_probe = nest.flatten(outputs_probe)
        arrays0 = [TensorArray(t.dtype, size=0, dynamic_size=True,
                               element_shape=t.shape) for t in flat_probe]
        n_arr, n_state = len(arrays0), len(flat_state0)

        def cond(time, finished, lengths, inputs, *rest):
            return M.logical_not(R.reduce_all(finished))

        def body(time, finished, lengths, inputs, *rest):
            arrays, flat_state = list(rest[:n_arr]), list(rest[n_arr:n_arr + n_state])
            state = nest.pack_sequence_as(state0, flat_state)
            outputs, next_state, next_inputs, step_finished = decoder.step(time, inputs, state)
            next_finished = step_finished if decoder.tracks_own_finished else \
                M.logical_or(step_finished, finished)
            next_lengths = M.where_v2(M.logical_not(finished),
                                      G.fill(A.shape(lengths), M.add(time, np.int32(1))),
                                      lengths)
            if maximum_iterations is not None:
                next_finished = M.logical_or(next_finished, M.greater_equal(
                    M.add(time, np.int32(1)), maximum_iterations))
            flat_out = nest.flatten(outputs)
            if impute_finished:
                flat_out = [_where_rows(finished, G.zeros_like(o), o) for o in flat_out]
                flat_next = [_where_rows(finished, cur, new) for new, cur in
                             zip(nest.flatten(next_state), flat_state)]
            else:
                flat_next = nest.flatten(next_state)
            arrays = [ta.write(time, o) for ta, o in zip(arrays, flat_out)]
            return (M.add(time, np.int32(1)), next_finished, next_lengths, next_inputs,
                    *arrays, *flat_next)

        loop = while_loop(cond, body, (np.int32(0), finished0, lengths0, inputs0, *arrays0,
                                       *flat_state0),
                          parallel_iterations=parallel_iterations, swap_memory=swap_memory)
        _, _, lengths, _ = loop[:4]
        arrays, flat_state = loop[4:4 + n_arr], loop[4 + n_arr:]
        final_outputs = nest.pack_sequence_as(outputs_probe,
                                              [ta.stack() for ta in arrays])  # [time, batch..]
        final_state = nest.pack_sequence_as(state0, list(flat_state))
        if hasattr(decoder, "finalize"):  # (BeamSearchDecoder: gather_tree)
            final_outputs, final_state = decoder.finalize(final_outputs, final_state, lengths)
        if not output_time_major:
            final_outputs = nest.map_structure(
                lambda t: A.transpose(t, [1, 0] + list(range(2, t.shape.ndims))),
                final_outputs)
        return final_outputs, final_state, lengths
