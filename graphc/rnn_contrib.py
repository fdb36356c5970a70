"""The cells and wrappers `tf.contrib.rnn` adds to `tf.nn.rnn_cell`, with TF1's math and
variable names: AttentionCellWrapper (attention over a window of the last `attn_length`
outputs, kept in the state), EmbeddingWrapper, InputProjectionWrapper,
OutputProjectionWrapper, HighwayWrapper, and the static stack of bidirectional layers
(`stack_bidirectional_rnn`) with contrib's helpers `transpose_batch_time` and
`best_effort_input_batch_size`.

Every cell that is a layer in TF1 (all but HighwayWrapper, which calls its cell in the
caller's scope) makes its variables in a scope of its own named after its class
(`attention_cell_wrapper/kernel`, `.../attention/attn_w`, ...), so TF1 checkpoints of
these models map one to one.
"""
from __future__ import annotations

import math

import numpy as np

from . import init_ops, nest
from .ir.ops import array_ops as A, math_ops as M, nn_ops
from .ir.ops import matmul_ops as MM
from .ir.ops import reduce_ops as R
from .ir.ops import slicing_ops as S
from .ir.ops._base import convert_to_tensor
from .ir.ops.split_ops import split
from .rnn_cell import RNNCell, _linear, static_bidirectional_rnn
from .variable_scope import get_variable, get_variable_scope, variable_scope


def _width(t, what: str) -> int:
    width = t.shape.as_tuple()[-1] if t.shape.ndims else None
    if width is None:
        raise ValueError(f"{what}: the last dimension of {t.name!r} must be known, got "
                         f"shape {t.shape}")
    return width


def _flat_size(size) -> int:
    return sum(nest.flatten(size))


class AttentionCellWrapper(RNNCell):
    """TF1 `tf.contrib.rnn.AttentionCellWrapper` (Long short-term memory with attention,
    arXiv:1601.06733): before each step the input is projected together with the last
    attention read; after it, the new cell state queries the last `attn_length` outputs
    kept in the state, and the output is a projection of the cell's output and that
    read, appended to the window. The state is (cell state, attention [batch,
    attn_size], window [batch, attn_length * attn_size]), or their concatenation when
    `state_is_tuple` is False."""

    _default_name = "attention_cell_wrapper"

    def __init__(self, cell, attn_length, attn_size=None, attn_vec_size=None,
                 input_size=None, state_is_tuple=True, reuse=None) -> None:
        super().__init__(_reuse=reuse)
        if not isinstance(cell, RNNCell):
            raise TypeError(f"The parameter cell is not RNNCell: {cell!r}")
        if attn_length <= 0:
            raise ValueError(f"attn_length should be greater than zero, got {attn_length}")
        if not state_is_tuple and isinstance(cell.state_size, tuple):
            raise ValueError(f"Cell returns tuple of states, but the flag state_is_tuple is "
                             f"not set. State size is: {cell.state_size}")
        self._cell = cell
        self._attn_length = int(attn_length)
        self._attn_size = int(attn_size if attn_size is not None else cell.output_size)
        self._attn_vec_size = int(attn_vec_size if attn_vec_size is not None
                                  else self._attn_size)
        self._input_size = input_size
        self._tuple = state_is_tuple

    @property
    def state_size(self):
        size = (self._cell.state_size, self._attn_size, self._attn_size * self._attn_length)
        return size if self._tuple else sum(size)

    output_size = property(lambda self: self._attn_size)

    def _split(self, state):
        if self._tuple:
            return state
        cell_size = self._cell.state_size
        return split(state, [cell_size, self._attn_size,
                               self._attn_size * self._attn_length], axis=1)

    def build_step(self, inputs, state):
        cell_state, attns, window = self._split(state)
        window = A.reshape(window, [-1, self._attn_length, self._attn_size])
        input_size = self._input_size if self._input_size is not None else \
            _width(inputs, "AttentionCellWrapper")
        inputs = _linear([inputs, attns], input_size, 0.0)
        cell_output, new_cell_state = self._cell(inputs, cell_state)
        query = A.concat(nest.flatten(new_cell_state), 1) if self._tuple else new_cell_state
        new_attns, rest = self._attention(query, window)
        with variable_scope("attn_output_projection"):
            output = _linear([cell_output, new_attns], self._attn_size, 0.0)
        new_window = A.reshape(A.concat([rest, A.expand_dims(output, 1)], 1),
                               [-1, self._attn_length * self._attn_size])
        new_state = (new_cell_state, new_attns, new_window)
        return output, (new_state if self._tuple else A.concat(list(new_state), 1))

    def _attention(self, query, window):
        """v . tanh(W h_i + U query) over the window's entries h_i, softmaxed; returns
        the weighted sum of the window and the window without its oldest entry."""
        with variable_scope("attention"):
            w = get_variable("attn_w", [1, 1, self._attn_size, self._attn_vec_size],
                             dtype=window.dtype)
            v = get_variable("attn_v", [self._attn_vec_size], dtype=window.dtype)
            # TF1 reads the window through a 1x1 conv2d; a matmul is the same product
            hidden = MM.matmul(A.reshape(window, [-1, self._attn_size]),
                               A.reshape(w, [self._attn_size, self._attn_vec_size]))
            hidden = A.reshape(hidden, [-1, self._attn_length, self._attn_vec_size])
            y = A.expand_dims(_linear([query], self._attn_vec_size, 0.0), 1)
            scores = R.reduce_sum(M.multiply(v, M.tanh(M.add(hidden, y))), [2])
            weights = nn_ops.softmax(scores)
            read = R.reduce_sum(M.multiply(A.expand_dims(weights, 2), window), [1])
            rest = S.slice(window, [0, 1, 0], [-1, -1, -1])
            return read, rest


class _Wrapper(RNNCell):
    """A wrapper with a scope of its own that delegates sizes and zero state."""

    def __init__(self, cell, reuse=None) -> None:
        super().__init__(_reuse=reuse)
        if not isinstance(cell, RNNCell):
            raise TypeError(f"The parameter cell is not RNNCell: {cell!r}")
        self._cell = cell

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def zero_state(self, batch_size, dtype):
        from .api import name_scope
        with name_scope(f"{type(self).__name__}ZeroState"):
            return self._cell.zero_state(batch_size, dtype)


class EmbeddingWrapper(_Wrapper):
    """TF1 `EmbeddingWrapper`: integer inputs looked up in an `embedding`
    [embedding_classes, embedding_size] (initialised uniformly in +-sqrt(3) unless an
    initializer is given or the scope has one) before the cell."""

    _default_name = "embedding_wrapper"

    def __init__(self, cell, embedding_classes, embedding_size, initializer=None,
                 reuse=None) -> None:
        super().__init__(cell, reuse)
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError(f"Both embedding_classes and embedding_size must be > 0: "
                             f"{embedding_classes}, {embedding_size}.")
        self._classes, self._size = int(embedding_classes), int(embedding_size)
        self._initializer = initializer

    def build_step(self, inputs, state):
        from .nn import embedding_lookup
        initializer = self._initializer or get_variable_scope().initializer or \
            init_ops.random_uniform_initializer(-math.sqrt(3), math.sqrt(3))
        dtype = nest.flatten(state)[0].dtype
        embedding = get_variable("embedding", [self._classes, self._size], dtype=dtype,
                                 initializer=initializer)
        return self._cell(embedding_lookup(embedding, A.reshape(inputs, [-1])), state)


class InputProjectionWrapper(_Wrapper):
    """TF1 `InputProjectionWrapper`: inputs projected to `num_proj` (kernel and bias,
    optional activation) before the cell."""

    _default_name = "input_projection_wrapper"

    def __init__(self, cell, num_proj, activation=None, input_size=None,
                 reuse=None) -> None:
        super().__init__(cell, reuse)
        self._num_proj, self._activation = int(num_proj), activation

    def build_step(self, inputs, state):
        projected = _linear([inputs], self._num_proj, 0.0)
        if self._activation is not None:
            projected = self._activation(projected)
        return self._cell(projected, state)


class OutputProjectionWrapper(_Wrapper):
    """TF1 `OutputProjectionWrapper`: the cell's output projected to `output_size`
    (kernel and bias, optional activation)."""

    _default_name = "output_projection_wrapper"

    def __init__(self, cell, output_size, activation=None, reuse=None) -> None:
        super().__init__(cell, reuse)
        if output_size < 1:
            raise ValueError(f"Parameter output_size must be > 0: {output_size}.")
        self._output_size, self._activation = int(output_size), activation

    output_size = property(lambda self: self._output_size)

    def build_step(self, inputs, state):
        output, new_state = self._cell(inputs, state)
        projected = _linear([output], self._output_size, 0.0)
        if self._activation is not None:
            projected = self._activation(projected)
        return projected, new_state


class HighwayWrapper(RNNCell):
    """TF1 `HighwayWrapper`: out' = x * carry + out * transform with carry =
    sigmoid(x W_c + b_c) (b_c starts at `carry_bias_init`) and transform = 1 - carry, or
    a gate of its own (`transform_w`, bias -carry_bias_init) when the gates are not
    coupled. Like TF1's it has no scope of its own: `carry_w` lives beside the cell's
    scope."""

    def __init__(self, cell, couple_carry_transform_gates=True, carry_bias_init=1.0) -> None:
        super().__init__()
        self._cell = cell
        self._couple = couple_carry_transform_gates
        self._carry_bias_init = float(carry_bias_init)

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def _gate(self, x, width, name_w, name_b, bias):
        w = get_variable(name_w, [width, width], dtype=x.dtype)
        b = get_variable(name_b, [width], dtype=x.dtype,
                         initializer=init_ops.constant_initializer(bias))
        return M.sigmoid(nn_ops.xw_plus_b(x, w, b))

    def _highway(self, x, out):
        if x.shape.ndims != 2:
            raise ValueError(f"HighwayWrapper: inputs must be rank 2, got shape {x.shape}")
        if not x.shape.is_compatible_with(out.shape):
            raise ValueError(f"HighwayWrapper: the cell's output shape {out.shape} must "
                             f"match its input's {x.shape}")
        width = _width(x, "HighwayWrapper")
        carry = self._gate(x, width, "carry_w", "carry_b", self._carry_bias_init)
        transform = M.subtract(np.asarray(1, x.dtype.np), carry) if self._couple else \
            self._gate(x, width, "transform_w", "transform_b", -self._carry_bias_init)
        return M.add(M.multiply(x, carry), M.multiply(out, transform))

    def __call__(self, inputs, state, scope=None):
        outputs, new_state = self._cell(inputs, state, scope=scope)
        return nest.map_structure(self._highway, inputs, outputs), new_state


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                            initial_states_bw=None, dtype=None, sequence_length=None,
                            scope=None):
    """TF1 `tf.contrib.rnn.stack_bidirectional_rnn`: layers of static_bidirectional_rnn
    (scopes `stack_bidirectional_rnn/cell_<i>/fw|bw`), each fed the one below's
    concatenated outputs; returns (outputs, states_fw, states_bw)."""
    if not cells_fw:
        raise ValueError("Must specify at least one fw cell for BidirectionalRNN.")
    if not cells_bw:
        raise ValueError("Must specify at least one bw cell for BidirectionalRNN.")
    if not isinstance(cells_fw, list):
        raise ValueError("cells_fw must be a list of RNNCells (one per layer).")
    if not isinstance(cells_bw, list):
        raise ValueError("cells_bw must be a list of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise ValueError("Forward and Backward cells must have the same depth.")
    for states, what in ((initial_states_fw, "fw"), (initial_states_bw, "bw")):
        if states is not None and (not isinstance(states, list) or
                                   len(states) != len(cells_fw)):
            raise ValueError(f"initial_states_{what} must be a list of state tensors (one "
                             "per layer).")
    states_fw, states_bw = [], []
    layer = list(inputs)
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with variable_scope(f"cell_{i}") as cell_scope:
                layer, s_fw, s_bw = static_bidirectional_rnn(
                    cell_fw, cell_bw, layer,
                    initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                    initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                    sequence_length=sequence_length, dtype=dtype, scope=cell_scope)
            states_fw.append(s_fw)
            states_bw.append(s_bw)
    return layer, tuple(states_fw), tuple(states_bw)


def transpose_batch_time(x):
    """TF1's `rnn._transpose_batch_time`: swaps the first two axes of a tensor of rank
    >= 2 (a rank below 2 is returned as it is)."""
    x = convert_to_tensor(x, name="x")
    rank = x.shape.ndims
    if rank is None:
        raise ValueError(f"transpose_batch_time: the rank of {x.name!r} must be known")
    if rank < 2:
        return x
    return A.transpose(x, [1, 0] + list(range(2, rank)))


def best_effort_input_batch_size(flat_input):
    """TF1's `rnn._best_effort_input_batch_size`: the first static batch size of the
    [time, batch, ...] tensors of `flat_input`, else the first one's dynamic one."""
    if not flat_input:
        raise ValueError("best_effort_input_batch_size needs at least one input")
    for t in flat_input:
        t = convert_to_tensor(t)
        if t.shape.ndims is None:
            continue
        if t.shape.ndims < 2:
            raise ValueError(f"Expected input tensor {t.name!r} to have rank at least 2")
        batch = t.shape.as_tuple()[1]
        if batch is not None:
            return batch
    return A.shape(convert_to_tensor(flat_input[0]))[1]


# what graphc/contrib.py puts under tf.contrib.rnn
CONTRIB_RNN = ("AttentionCellWrapper", "EmbeddingWrapper", "InputProjectionWrapper",
               "OutputProjectionWrapper", "HighwayWrapper", "stack_bidirectional_rnn",
               "transpose_batch_time", "best_effort_input_batch_size")
