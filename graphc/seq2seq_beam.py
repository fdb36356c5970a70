"""`tf.contrib.seq2seq`'s beam search: BeamSearchDecoder, its state and outputs,
tile_batch and gather_tree (ir/ops/beam_search_ops.py), with TF1's semantics.

The decoder keeps `beam_width` hypotheses per batch row. At each step the cell runs on
all batch * beam_width of them; each hypothesis's log-probabilities are added to its
running log-probability (a finished one can only continue with `end_token`, at no cost
and no added length) and scored, divided by the length penalty ((5 + length) / 6) **
length_penalty_weight (arXiv:1609.08144) and, with a coverage penalty, plus its weight
times the sum of log(min(accumulated attention, 1)) over the memory for finished beams;
the best `beam_width` of beam_width * vocab continuations (top_k, ties to the lower
index) become the next beams, and their cell states are gathered from their parents. At
time 0 only beam 0 is alive (the others start at -inf), so the beams start distinct.
`dynamic_decode` calls `finalize`, which follows the parent pointers back with
gather_tree: predicted_ids [batch, time, beam] (time-major with output_time_major).

The encoder outputs and state the cell reads must be tiled to batch * beam_width rows
first: `tile_batch(t, beam_width)` repeats each row beam_width times, row by row, as
TF1's.
"""
from __future__ import annotations

import collections

import numpy as np

from . import nest
from .ir import dtypes as _dt
from .ir.context import get_default_graph
from .ir.ops import array_ops as A, math_ops as M, nn_ops
from .ir.ops import generator_ops as G
from .ir.ops import reduce_ops as R
from .ir.ops import slicing_ops as S
from .ir.ops import tile_pad_ops as T
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.beam_search_ops import gather_tree
from .ir.ops.sort_ops import top_k
from .ir.shapes import TensorShape
from .seq2seq_attention import AttentionWrapperState
from .tensor_array import TensorArray

__all__ = ["BeamSearchDecoder", "BeamSearchDecoderOutput", "BeamSearchDecoderState",
           "FinalBeamSearchDecoderOutput", "tile_batch", "gather_tree"]


class BeamSearchDecoderState(collections.namedtuple(
        "BeamSearchDecoderState", ("cell_state", "log_probs", "finished", "lengths",
                                   "accumulated_attention_probs"))):
    """The decoder's state: the cell's ([batch, beam, ...] each), the beams' running
    log-probabilities, finished flags and lengths (int64), and the attention they have
    accumulated (with a coverage penalty; else ())."""


class BeamSearchDecoderOutput(collections.namedtuple(
        "BeamSearchDecoderOutput", ("scores", "predicted_ids", "parent_ids"))):
    """One step: each beam's score, the id it chose and the beam it continues."""


class FinalBeamSearchDecoderOutput(collections.namedtuple(
        "FinalBeamDecoderOutput", ("predicted_ids", "beam_search_decoder_output"))):
    """dynamic_decode's outputs: the gathered beams and every step's raw outputs."""


def _tile_one(t, multiplier):
    t = convert_to_tensor(t, name="t")
    rank = t.shape.ndims
    if rank is None or rank < 1:
        raise ValueError("t must have statically known rank")
    shape = A.shape(t)
    tiling = [1] * (rank + 1)
    tiling[1] = multiplier
    tiled = T.tile(A.expand_dims(t, 1), tiling)
    tiled = A.reshape(tiled, A.concat([M.multiply(shape[:1], multiplier), shape[1:]], 0))
    batch = t.shape.as_tuple()[0]
    static_multiplier = multiplier if isinstance(multiplier, (int, np.integer)) else \
        const_value(multiplier)
    tiled.set_shape(TensorShape([batch * int(static_multiplier) if batch is not None and
                                 static_multiplier is not None else None])
                    .concatenate(t.shape[1:]))
    return tiled


def tile_batch(t, multiplier, name=None):
    """TF1 `tf.contrib.seq2seq.tile_batch`: every tensor of the structure `t` with each
    batch row repeated `multiplier` times in place ([a, b] -> [a, a, b, b] for 2)."""
    with get_default_graph().name_scope(name or "tile_batch"):
        return nest.map_structure(lambda x: _tile_one(x, multiplier), t)


def _gather_beams(indices, values, batch_size, range_size, rows=None):
    """TF1's `_tensor_gather_helper`: values[b, indices[b, k]], shaped [batch, beam]
    (`rows` None: `values` [batch, range, vocab] read flat, range_size = beam * vocab) or
    [batch, beam, ...] (`rows` = batch * beam: values [batch, beam, ...] read by row)."""
    offsets = A.expand_dims(M.multiply(G.range(batch_size), range_size), 1)
    flat = A.reshape(M.add(indices, offsets), [-1])
    flat_shape = [-1] if rows is None else A.stack([rows, -1])
    out = S.gather(A.reshape(values, flat_shape), flat)
    trailing = [] if rows is None else [A.shape(values)[2:]]
    out = A.reshape(out, A.concat([A.shape(indices)] + trailing, 0))
    static_batch = const_value(batch_size)
    static = TensorShape([None if static_batch is None else int(static_batch)]) \
        .concatenate(indices.shape[1:])
    out.set_shape(static if rows is None else static.concatenate(values.shape[2:]))
    return out


def _length_penalty(lengths, weight, dtype):
    weight = convert_to_tensor(weight, name="penalty_factor", dtype_hint=dtype)
    if weight.shape.ndims not in (None, 0):
        raise ValueError(f"length_penalty_weight must be a scalar, got shape {weight.shape}")
    static = const_value(weight)
    if static is not None and float(static) == 0.0:
        return None
    weight = M.cast(weight, dtype)
    five = np.asarray(5.0, dtype.np)
    return M.divide(M.pow(M.add(five, M.cast(lengths, dtype)), weight),
                    M.pow(np.asarray(6.0, dtype.np), weight))


def _attention_probs(cell_state, coverage_penalty_weight):
    """The alignments of an AttentionWrapperState cell state (TF1 reads them only there),
    for the coverage penalty; None without one."""
    if coverage_penalty_weight == 0.0:
        return None
    if not isinstance(cell_state, AttentionWrapperState):
        raise ValueError("accumulated_attention_probs can be None only if coverage penalty "
                         "is disabled (coverage_penalty_weight > 0 needs an AttentionWrapper "
                         "cell)")
    return cell_state.alignments


def _unless_scalar(fn, t, min_rank: int):
    """fn(t) for tensors of rank >= min_rank; TensorArrays and the rest pass (the
    AttentionWrapperState's time step)."""
    if isinstance(t, TensorArray):
        return t
    t = convert_to_tensor(t)
    return fn(t) if t.shape.ndims is not None and t.shape.ndims >= min_rank else t


class BeamSearchDecoder:
    """TF1 `tf.contrib.seq2seq.BeamSearchDecoder` (see the module docstring)."""

    def __init__(self, cell, embedding, start_tokens, end_token, initial_state, beam_width,
                 output_layer=None, length_penalty_weight=0.0, coverage_penalty_weight=0.0,
                 reorder_tensor_arrays=True) -> None:
        if not hasattr(cell, "state_size") or not callable(cell):
            raise TypeError(f"cell must be an RNNCell, received: {type(cell)}")
        if output_layer is not None and not callable(output_layer):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer)}")
        self._cell, self._output_layer = cell, output_layer
        self._reorder_tensor_arrays = reorder_tensor_arrays
        if callable(embedding):
            self._embedding_fn = embedding
        else:
            from .nn import embedding_lookup
            params = convert_to_tensor(embedding, name="embedding")
            self._embedding_fn = lambda ids: embedding_lookup(params, ids)
        self._start_tokens = convert_to_tensor(start_tokens, dtype=_dt.int32,
                                               name="start_tokens")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        self._end_token = convert_to_tensor(end_token, dtype=_dt.int32, name="end_token")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        if int(beam_width) < 1:
            raise ValueError(f"beam_width must be a positive integer, got {beam_width}")
        self._beam_width = int(beam_width)
        self._length_penalty_weight = length_penalty_weight
        coverage = convert_to_tensor(coverage_penalty_weight, name="coverage_penalty_weight")
        if coverage.shape.ndims != 0:
            raise ValueError(f"coverage_penalty_weight should be a scalar, but saw shape: "
                             f"{coverage.shape.ndims}")
        static_coverage = const_value(coverage)
        if static_coverage is None:
            raise ValueError("coverage_penalty_weight must be a Python number or a constant")
        self._coverage_penalty_weight = float(static_coverage)
        static_batch = self._start_tokens.shape.as_tuple()[0]
        self._batch_size = convert_to_tensor(np.int32(static_batch)) if static_batch \
            is not None else A.size(self._start_tokens)
        self._static_batch = static_batch
        self._initial_cell_state = nest.map_structure(self._maybe_split, initial_state)
        self._start_tokens = T.tile(A.expand_dims(self._start_tokens, 1),
                                    [1, self._beam_width])
        self._start_inputs = self._embedding_fn(self._start_tokens)
        self._finished = G.one_hot(G.zeros(A.stack([self._batch_size]), dtype=_dt.int32),
                                   depth=self._beam_width, on_value=False, off_value=True,
                                   dtype=_dt.bool_)

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def tracks_own_finished(self) -> bool:
        """The beams' finished flags are the decoder's own (they move with the beams)."""
        return True

    @property
    def output_size(self):
        return BeamSearchDecoderOutput(scores=TensorShape([self._beam_width]),
                                       predicted_ids=TensorShape([self._beam_width]),
                                       parent_ids=TensorShape([self._beam_width]))

    @property
    def output_dtype(self):
        dtype = nest.flatten(self._initial_cell_state)[0].dtype
        return BeamSearchDecoderOutput(scores=dtype, predicted_ids=_dt.int32,
                                       parent_ids=_dt.int32)

    # ---------------------------------------------------------- [batch * beam] <-> [batch, beam]
    def _split(self, t):
        t = convert_to_tensor(t)
        rows = t.shape.as_tuple()[0] if t.shape.ndims else None
        if rows is not None and self._static_batch is not None and \
                rows != self._static_batch * self._beam_width:
            raise ValueError(
                f"BeamSearchDecoder: a state tensor '{t.name}' has {rows} rows, expected "
                f"batch_size * beam_width = {self._static_batch} * {self._beam_width}; tile "
                "the encoder's outputs and state with tile_batch(t, beam_width)")
        rest = A.shape(t)[1:]
        out = A.reshape(t, A.concat([A.stack([self._batch_size, self._beam_width]), rest], 0))
        out.set_shape(TensorShape([self._static_batch, self._beam_width])
                      .concatenate(t.shape[1:]))
        return out

    def _maybe_split(self, t):
        return _unless_scalar(self._split, t, 1)

    def _merge(self, t):
        t = convert_to_tensor(t)
        out = A.reshape(t, A.concat([A.stack([M.multiply(self._batch_size, self._beam_width)]),
                                     A.shape(t)[2:]], 0))
        rows = None if self._static_batch is None else self._static_batch * self._beam_width
        out.set_shape(TensorShape([rows]).concatenate(t.shape[2:]))
        return out

    def _maybe_merge(self, t):
        return _unless_scalar(self._merge, t, 2)

    # ---------------------------------------------------------- the decoder's protocol
    def initialize(self, name=None):
        dtype = nest.flatten(self._initial_cell_state)[0].dtype
        batch = A.stack([self._batch_size])
        log_probs = G.one_hot(G.zeros(batch, dtype=_dt.int32), depth=self._beam_width,
                              on_value=np.asarray(0.0, dtype.np),
                              off_value=np.asarray(-np.inf, dtype.np), dtype=dtype)
        probs = _attention_probs(self._initial_cell_state, self._coverage_penalty_weight)
        state = BeamSearchDecoderState(
            cell_state=self._initial_cell_state, log_probs=log_probs,
            finished=self._finished,
            lengths=G.zeros(A.stack([self._batch_size, self._beam_width]), dtype=_dt.int64),
            accumulated_attention_probs=() if probs is None else probs)
        return self._finished, self._start_inputs, state

    def step(self, time, inputs, state, name=None):
        with get_default_graph().name_scope(name or "BeamSearchDecoderStep"):
            inputs = nest.map_structure(self._merge, inputs)
            cell_state = nest.map_structure(self._maybe_merge, state.cell_state)
            cell_outputs, next_cell_state = self._cell(inputs, cell_state)
            cell_outputs = nest.map_structure(self._split, cell_outputs)
            next_cell_state = nest.map_structure(self._maybe_split, next_cell_state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            output, next_state = self._search_step(cell_outputs, next_cell_state, state)
            finished = next_state.finished
            next_inputs = M.where_v2(R.reduce_all(finished), self._start_inputs,
                                     self._embedding_fn(output.predicted_ids))
        return output, next_state, next_inputs, finished

    def _search_step(self, logits, next_cell_state, beam_state):
        batch, beam, end = self._batch_size, self._beam_width, self._end_token
        dtype = logits.dtype
        finished_before = beam_state.finished
        not_finished = M.logical_not(finished_before)
        vocab_static = logits.shape.as_tuple()[-1] if logits.shape.ndims else None
        vocab = convert_to_tensor(np.int32(vocab_static)) if vocab_static is not None else \
            A.shape(logits)[-1]
        is_end = M.equal(G.range(vocab), end)                      # [vocab]
        step_log_probs = self._mask_finished(nn_ops.log_softmax(logits), finished_before,
                                             is_end)
        total = M.add(A.expand_dims(beam_state.log_probs, 2), step_log_probs)
        lengths_to_add = M.cast(M.logical_not(is_end), _dt.int64)
        lengths_to_add = M.multiply(lengths_to_add,
                                    A.expand_dims(M.cast(not_finished, _dt.int64), 2))
        new_lengths = M.add(lengths_to_add, A.expand_dims(beam_state.lengths, 2))
        accumulated = None
        probs = _attention_probs(next_cell_state, self._coverage_penalty_weight)
        if probs is not None:
            probs = M.multiply(probs, A.expand_dims(M.cast(not_finished, probs.dtype), 2))
            accumulated = M.add(beam_state.accumulated_attention_probs, probs)
        scores = self._scores(total, new_lengths, finished_before, accumulated, dtype)
        scores_flat = A.reshape(scores, A.stack([batch, -1]))
        next_scores, word_indices = top_k(scores_flat, k=beam)
        next_scores.set_shape([self._static_batch, beam])
        word_indices.set_shape([self._static_batch, beam])
        range_size = M.multiply(vocab, beam)
        next_log_probs = _gather_beams(word_indices, total, batch, range_size)
        next_word_ids = M.cast(M.floormod(word_indices, vocab), _dt.int32)
        next_beam_ids = M.cast(M.floordiv(word_indices, vocab), _dt.int32)
        parent_finished = _gather_beams(next_beam_ids, finished_before, batch, beam)
        next_finished = M.logical_or(parent_finished, M.equal(next_word_ids, end))
        next_lengths = M.add(_gather_beams(next_beam_ids, beam_state.lengths, batch, beam),
                             M.cast(M.logical_not(parent_finished), _dt.int64))
        rows = M.multiply(batch, beam)
        next_accumulated = () if accumulated is None else _gather_beams(
            next_beam_ids, accumulated, batch, beam, rows)

        def gather_state(t):
            if isinstance(t, TensorArray) or t.shape.ndims is None or t.shape.ndims < 2:
                return t
            return _gather_beams(next_beam_ids, t, batch, beam, rows)
        next_cell_state = nest.map_structure(gather_state, next_cell_state)
        next_state = BeamSearchDecoderState(
            cell_state=next_cell_state, log_probs=next_log_probs, finished=next_finished,
            lengths=next_lengths, accumulated_attention_probs=next_accumulated)
        return BeamSearchDecoderOutput(scores=next_scores, predicted_ids=next_word_ids,
                                       parent_ids=next_beam_ids), next_state

    def _mask_finished(self, log_probs, finished, is_end):
        """A finished beam continues with end_token only: 0 there, the dtype's lowest
        value elsewhere (TF1's _mask_probs)."""
        dtype = log_probs.dtype
        row = M.where_v2(is_end, np.asarray(0.0, dtype.np),
                         np.asarray(np.finfo(dtype.np).min, dtype.np))
        return M.where_v2(A.expand_dims(finished, 2), row, log_probs)

    def _scores(self, log_probs, lengths, finished, accumulated, dtype):
        penalty = _length_penalty(lengths, self._length_penalty_weight, dtype)
        scores = log_probs if penalty is None else M.divide(log_probs, penalty)
        if self._coverage_penalty_weight == 0.0:
            return scores
        ones = G.ones_like(accumulated)
        coverage = M.where_v2(M.equal(accumulated, G.zeros_like(accumulated)), ones,
                              accumulated)
        coverage = R.reduce_sum(M.log(M.minimum(coverage, ones)), [2])
        coverage = M.multiply(coverage, M.cast(finished, coverage.dtype))
        weighted = M.multiply(coverage, np.asarray(self._coverage_penalty_weight,
                                                   coverage.dtype.np))
        return M.add(scores, A.expand_dims(weighted, 2))

    def finalize(self, outputs, final_state, sequence_lengths):
        """The beams read back from the parent pointers (time-major outputs)."""
        del sequence_lengths
        max_lengths = M.cast(R.reduce_max(final_state.lengths, axis=1), _dt.int32)
        predicted_ids = gather_tree(outputs.predicted_ids, outputs.parent_ids,
                                    max_sequence_lengths=max_lengths,
                                    end_token=self._end_token)
        return FinalBeamSearchDecoderOutput(beam_search_decoder_output=outputs,
                                            predicted_ids=predicted_ids), final_state
