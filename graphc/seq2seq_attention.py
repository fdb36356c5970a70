"""`tf.contrib.seq2seq`'s attention: BahdanauAttention, LuongAttention, AttentionWrapper
and AttentionWrapperState, with TF1's scores, masks and variable names.

A mechanism projects the memory once (`memory_layer`, no bias) into keys; called with a
query it scores every memory position (Luong: query . key, optionally scaled by
`attention_g`; Bahdanau: v . tanh(keys + query_layer(query)), optionally weight-normalised),
masks the positions past `memory_sequence_length` and normalises with softmax. The wrapper
feeds [inputs, previous attention] to its cell, attends with the cell's output and emits
the attention (`attention_layer(concat(output, context))` when attention_layer_size is
given, else the context).
"""
from __future__ import annotations

import collections

import numpy as np

from . import init_ops
from .ir import dtypes as _dt
from .ir.ops import array_ops as A, math_ops as M, nn_ops
from .ir.ops import generator_ops as G
from .ir.ops import reduce_ops as R
from .ir.ops import matmul_ops as MM
from .ir.ops._base import convert_to_tensor
from .layers_core import Dense
from .rnn_cell import RNNCell
from .variable_scope import get_variable, variable_scope


def _memory_mask(memory, memory_sequence_length):
    """[batch, time] bool of the valid memory positions (None: all)."""
    if memory_sequence_length is None:
        return None
    from .ir.ops.generator_ops import sequence_mask
    return sequence_mask(memory_sequence_length, A.shape(memory)[1])


class _BaseAttention:
    """Keys, values and masking shared by the two mechanisms."""

    def __init__(self, num_units, memory, memory_sequence_length, probability_fn,
                 score_mask_value, dtype, name) -> None:
        memory = convert_to_tensor(memory, name="memory")
        if memory.shape.ndims != 3:
            raise ValueError(f"memory must be [batch, time, depth], got shape {memory.shape}")
        self._num_units, self._name = int(num_units), name
        self._dtype = _dt.as_dtype(dtype) if dtype is not None else memory.dtype
        self._mask = _memory_mask(memory, memory_sequence_length)
        if self._mask is not None:
            memory = M.multiply(memory, A.expand_dims(M.cast(self._mask, memory.dtype), 2))
        self._values = memory
        self._probability_fn = probability_fn or nn_ops.softmax
        self._score_mask_value = (-np.inf if score_mask_value is None else score_mask_value)
        from .ir.context import get_default_graph
        # TF1: a name scope for the ops, the layer's variables at `memory_layer/kernel`
        with get_default_graph().name_scope(name):
            self.memory_layer = Dense(num_units, name="memory_layer", use_bias=False,
                                      dtype=self._dtype)
            self._keys = self.memory_layer(memory)

    @property
    def values(self):
        return self._values

    @property
    def keys(self):
        return self._keys

    @property
    def alignments_size(self):
        return A.shape(self._values)[1] if self._values.shape.as_tuple()[1] is None else \
            self._values.shape.as_tuple()[1]

    @property
    def state_size(self):
        return self.alignments_size

    def initial_alignments(self, batch_size, dtype):
        from .ir.ops.generator_ops import zeros
        return zeros(A.stack([batch_size, A.shape(self._values)[1]]), dtype=dtype)

    def initial_state(self, batch_size, dtype):
        return self.initial_alignments(batch_size, dtype)

    def _alignments(self, score, state):
        if self._mask is not None:
            fill = G.fill(A.shape(score), np.asarray(self._score_mask_value, score.dtype.np))
            score = M.where_v2(self._mask, score, fill)
        return self._probability_fn(score) if self._probability_fn is nn_ops.softmax else \
            self._probability_fn(score, state)


class LuongAttention(_BaseAttention):
    """Multiplicative attention: score = query . key (times `attention_g` if `scale`)."""

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 custom_key_value_fn=None, name="LuongAttention") -> None:
        if custom_key_value_fn is not None:
            raise NotImplementedError("LuongAttention(custom_key_value_fn=...) is not "
                                      "supported by graphc")
        super().__init__(num_units, memory, memory_sequence_length,
                         None if probability_fn is None else
                         (lambda s, _state: probability_fn(s)), score_mask_value, dtype, name)
        self._scale = scale

    def __call__(self, query, state):
        with variable_scope(None, default_name="luong_attention"):
            query = convert_to_tensor(query)
            if query.shape.as_tuple()[-1] != self._num_units:
                raise ValueError(f"Incompatible or unknown inner dimensions between query and "
                                 f"keys. Query ({query.name}) has units: "
                                 f"{query.shape.as_tuple()[-1]}. Keys have units: "
                                 f"{self._num_units}. Perhaps you need to set num_units to the "
                                 "keys' dimension?")
            score = A.squeeze(MM.matmul(A.expand_dims(query, 1), self._keys, transpose_b=True),
                              [1])
            if self._scale:
                g = get_variable("attention_g", [], dtype=score.dtype,
                                 initializer=init_ops.ones_initializer())
                score = M.multiply(g, score)
            alignments = self._alignments(score, state)
            return alignments, alignments


class BahdanauAttention(_BaseAttention):
    """Additive attention: score = v . tanh(keys + query_layer(query)) (weight-normalised
    with `normalize`)."""

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 custom_key_value_fn=None, name="BahdanauAttention") -> None:
        if custom_key_value_fn is not None:
            raise NotImplementedError("BahdanauAttention(custom_key_value_fn=...) is not "
                                      "supported by graphc")
        super().__init__(num_units, memory, memory_sequence_length,
                         None if probability_fn is None else
                         (lambda s, _state: probability_fn(s)), score_mask_value, dtype, name)
        self._normalize = normalize
        self.query_layer = Dense(num_units, name="query_layer", use_bias=False,
                                 dtype=self._dtype)

    def __call__(self, query, state):
        with variable_scope(None, default_name="bahdanau_attention"):
            processed = A.expand_dims(self.query_layer(query), 1)            # [B, 1, U]
            dtype = processed.dtype
            v = get_variable("attention_v", [self._num_units], dtype=dtype)
            hidden = M.add(self._keys, processed)
            if self._normalize:
                g = get_variable("attention_g", [], dtype=dtype, initializer=(
                    init_ops.constant_initializer(float(np.sqrt(1.0 / self._num_units)))))
                b = get_variable("attention_b", [self._num_units], dtype=dtype,
                                 initializer=init_ops.zeros_initializer())
                v = M.multiply(M.multiply(g, v), M.rsqrt(R.reduce_sum(M.square(v))))
                hidden = M.add(hidden, b)
            score = R.reduce_sum(M.multiply(v, M.tanh(hidden)), [2])
            alignments = self._alignments(score, state)
            return alignments, alignments


class AttentionWrapperState(collections.namedtuple(
        "AttentionWrapperState", ("cell_state", "attention", "time", "alignments",
                                  "alignment_history", "attention_state"))):
    """The wrapper's state: the cell's, the last attention, the step, the alignments."""

    def clone(self, **kwargs):
        return self._replace(**kwargs)


class AttentionWrapper(RNNCell):
    """A cell with attention over a memory (one mechanism)."""

    _default_name = "attention_wrapper"

    def __init__(self, cell, attention_mechanism, attention_layer_size=None,
                 alignment_history=False, cell_input_fn=None, output_attention=True,
                 initial_cell_state=None, name=None, attention_layer=None,
                 attention_fn=None) -> None:
        super().__init__(name=name)
        if isinstance(attention_mechanism, (list, tuple)):
            raise NotImplementedError("AttentionWrapper with several attention mechanisms is "
                                      "not supported by graphc")
        if alignment_history or attention_fn is not None:
            raise NotImplementedError("AttentionWrapper(alignment_history=True, attention_fn) "
                                      "is not supported by graphc")
        if attention_layer_size is not None and attention_layer is not None:
            raise ValueError("Only one of attention_layer_size and attention_layer should "
                             "be set")
        self._cell, self._mechanism = cell, attention_mechanism
        self._cell_input_fn = cell_input_fn or (lambda inputs, attention: A.concat(
            [inputs, attention], -1))
        self._output_attention = output_attention
        self._initial_cell_state = initial_cell_state
        self._attention_layer = attention_layer or (
            Dense(attention_layer_size, name="attention_layer", use_bias=False)
            if attention_layer_size is not None else None)
        memory_depth = attention_mechanism.values.shape.as_tuple()[-1]
        self._attention_size = (self._attention_layer.units if self._attention_layer
                                is not None else memory_depth)

    @property
    def output_size(self):
        return self._attention_size if self._output_attention else self._cell.output_size

    @property
    def state_size(self):
        return AttentionWrapperState(cell_state=self._cell.state_size,
                                     attention=self._attention_size, time=(),
                                     alignments=self._mechanism.alignments_size,
                                     alignment_history=(),
                                     attention_state=self._mechanism.state_size)

    def zero_state(self, batch_size, dtype):
        from .ir.ops.generator_ops import zeros
        cell_state = self._initial_cell_state if self._initial_cell_state is not None else \
            self._cell.zero_state(batch_size, dtype)
        return AttentionWrapperState(
            cell_state=cell_state, attention=zeros([batch_size, self._attention_size],
                                                   dtype=dtype),
            time=convert_to_tensor(np.int32(0)),
            alignments=self._mechanism.initial_alignments(batch_size, dtype),
            alignment_history=(),
            attention_state=self._mechanism.initial_state(batch_size, dtype))

    def build_step(self, inputs, state):
        if not isinstance(state, AttentionWrapperState):
            raise TypeError(f"Expected state to be instance of AttentionWrapperState. "
                            f"Received type {type(state)} instead.")
        cell_output, cell_state = self._cell(self._cell_input_fn(inputs, state.attention),
                                             state.cell_state)
        alignments, next_attention_state = self._mechanism(cell_output,
                                                           state=state.attention_state)
        context = A.squeeze(MM.matmul(A.expand_dims(alignments, 1), self._mechanism.values),
                            [1])
        attention = context if self._attention_layer is None else self._attention_layer(
            A.concat([cell_output, context], 1))
        next_state = AttentionWrapperState(
            time=M.add(state.time, np.int32(1)), cell_state=cell_state, attention=attention,
            attention_state=next_attention_state, alignments=alignments,
            alignment_history=())
        return (attention if self._output_attention else cell_output), next_state
