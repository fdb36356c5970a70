"""`tf.nn.rnn_cell` and `tf.nn.static_rnn`: recurrent cells as graph builders.

Cells follow TF1's math, gate order and variable names (`rnn/basic_lstm_cell/kernel`,
`.../bias`, `rnn/gru_cell/gates/kernel`, `rnn/multi_rnn_cell/cell_0/...`), create their
variables with `get_variable` on the first call and reuse them on every later call, so
`static_rnn` unrolls one set of weights over time and gradients flow through time.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Optional

import numpy as np

from . import init_ops
from .ir.ops import math_ops as M
from .ir.ops import matmul_ops as MM
from .ir.ops import generator_ops as G
from .ir.ops._base import convert_to_tensor, only_default
from .ir.ops.array_ops import concat, expand_dims
from .ir.ops.split_ops import split
from .variable_scope import get_variable, variable_scope


class LSTMStateTuple(namedtuple("LSTMStateTuple", ("c", "h"))):
    """(c, h): the LSTM's cell state and output (TF1)."""

    __slots__ = ()

    @property
    def dtype(self):
        return self.c.dtype


class RNNCell:
    """Base class: subclasses define `state_size`, `output_size` and `build_step`."""

    _default_name = "rnn_cell"

    def __init__(self, trainable: bool = True, name: Optional[str] = None, dtype=None,
                 **kwargs) -> None:
        """TF1's constructor (a Keras layer's): `_reuse` is the reuse of the subclasses'
        `reuse` argument; other layer keywords are refused by name."""
        unknown = sorted(set(kwargs) - {"_reuse"})
        if unknown:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                            f"argument {unknown[0]!r}")
        only_default(type(self).__name__, trainable=(trainable, True))
        self._name = name
        self._reuse = kwargs.get("_reuse")
        self._scope = None      # the variable scope, fixed by the first call

    @property
    def state_size(self):
        raise NotImplementedError

    @property
    def output_size(self):
        raise NotImplementedError

    def zero_state(self, batch_size, dtype):
        from .api import name_scope
        from .ir.ops.generator_ops import zeros

        def zeros_for(size):
            if isinstance(size, tuple):
                return type(size)(*[zeros_for(s) for s in size]) if hasattr(size, "_fields") \
                    else tuple(zeros_for(s) for s in size)
            return zeros([batch_size, size], dtype=dtype)
        with name_scope(f"{type(self).__name__}ZeroState"):  # TF1's op names
            return zeros_for(self.state_size)

    def __call__(self, inputs, state, scope=None):
        if self._scope is None:
            with variable_scope(scope or self._name, default_name=self._default_name,
                                reuse=self._reuse) as vs:
                self._scope = vs  # later calls re-enter it and reuse its variables
                return self.build_step(convert_to_tensor(inputs), state)
        with variable_scope(self._scope, reuse=True):
            return self.build_step(convert_to_tensor(inputs), state)

    def build_step(self, inputs, state):
        raise NotImplementedError


def _linear(args, size: int, bias_init, name_kernel="kernel", name_bias="bias",
            kernel_initializer=None):
    x = concat(list(args), 1) if len(args) > 1 else args[0]
    width = x.shape.as_tuple()[1]
    if width is None:
        raise ValueError(f"RNN cells need inputs with a known last dimension, got {x.shape}")
    kernel = get_variable(name_kernel, [width, size], dtype=x.dtype,
                          initializer=kernel_initializer)
    bias = get_variable(name_bias, [size], dtype=x.dtype,
                        initializer=init_ops.constant_initializer(bias_init))
    return M.add(MM.matmul(x, kernel), bias)


class BasicRNNCell(RNNCell):
    """h' = activation(W [x, h] + b)."""

    _default_name = "basic_rnn_cell"

    def __init__(self, num_units: int, activation=None, reuse=None, name=None,
                 dtype=None) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._units = num_units
        self._activation = activation or M.tanh

    state_size = property(lambda self: self._units)
    output_size = property(lambda self: self._units)

    def build_step(self, inputs, state):
        h = self._activation(_linear([inputs, state], self._units, 0.0))
        return h, h


class BasicLSTMCell(RNNCell):
    """TF1's BasicLSTMCell: gates i, j, f, o from one matmul; forget_bias added to f."""

    _default_name = "basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation=None, reuse=None, name=None, dtype=None) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._units = num_units
        self._forget_bias = float(forget_bias)
        self._tuple = state_is_tuple
        self._activation = activation or M.tanh

    @property
    def state_size(self):
        return LSTMStateTuple(self._units, self._units) if self._tuple else 2 * self._units

    output_size = property(lambda self: self._units)

    def _split_state(self, state):
        if self._tuple:
            return state
        return split(state, 2, axis=1)

    def build_step(self, inputs, state):
        c, h = self._split_state(state)
        gates = _linear([inputs, h], 4 * self._units, 0.0)
        i, j, f, o = split(gates, 4, axis=1)
        new_c = M.add(M.multiply(c, M.sigmoid(M.add(f, self._forget_bias))),
                      M.multiply(M.sigmoid(i), self._activation(j)))
        new_h = M.multiply(self._activation(new_c), M.sigmoid(o))
        new_state = LSTMStateTuple(new_c, new_h) if self._tuple else concat([new_c, new_h], 1)
        return new_h, new_state


class LSTMCell(BasicLSTMCell):
    """TF1's LSTMCell: BasicLSTMCell plus peepholes, cell clipping and a projection."""

    _default_name = "lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip=None,
                 initializer=None, num_proj: Optional[int] = None, proj_clip=None,
                 num_unit_shards=None, num_proj_shards=None, forget_bias: float = 1.0,
                 state_is_tuple: bool = True, activation=None, reuse=None, name=None,
                 dtype=None) -> None:
        only_default("LSTMCell", num_unit_shards=(num_unit_shards, None),
                     num_proj_shards=(num_proj_shards, None))
        super().__init__(num_units, forget_bias, state_is_tuple, activation, reuse, name,
                         dtype)
        self._peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip

    @property
    def state_size(self):
        h = self._num_proj or self._units
        return LSTMStateTuple(self._units, h) if self._tuple else self._units + h

    output_size = property(lambda self: self._num_proj or self._units)

    def _split_state(self, state):
        if self._tuple:
            return state
        return split(state, [self._units, self._num_proj or self._units], axis=1)

    def build_step(self, inputs, state):
        c, h = self._split_state(state)
        gates = _linear([inputs, h], 4 * self._units, 0.0,
                        kernel_initializer=self._initializer)
        i, j, f, o = split(gates, 4, axis=1)
        f = M.add(f, self._forget_bias)
        if self._peepholes:
            dtype = inputs.dtype
            w_f = get_variable("w_f_diag", [self._units], dtype=dtype)
            w_i = get_variable("w_i_diag", [self._units], dtype=dtype)
            w_o = get_variable("w_o_diag", [self._units], dtype=dtype)
            f, i = M.add(f, M.multiply(w_f, c)), M.add(i, M.multiply(w_i, c))
        new_c = M.add(M.multiply(c, M.sigmoid(f)), M.multiply(M.sigmoid(i),
                                                              self._activation(j)))
        if self._cell_clip is not None:
            new_c = M.minimum(M.maximum(new_c, -float(self._cell_clip)), float(self._cell_clip))
        if self._peepholes:
            o = M.add(o, M.multiply(w_o, new_c))
        new_h = M.multiply(self._activation(new_c), M.sigmoid(o))
        if self._num_proj is not None:
            with variable_scope("projection"):
                proj = get_variable("kernel", [self._units, self._num_proj], dtype=new_h.dtype,
                                    initializer=self._initializer)
            new_h = MM.matmul(new_h, proj)
            if self._proj_clip is not None:
                new_h = M.minimum(M.maximum(new_h, -float(self._proj_clip)),
                                  float(self._proj_clip))
        new_state = LSTMStateTuple(new_c, new_h) if self._tuple else concat([new_c, new_h], 1)
        return new_h, new_state


class GRUCell(RNNCell):
    """TF1's GRUCell: r, u gates (bias initialised to 1), candidate from [x, r * h]."""

    _default_name = "gru_cell"

    def __init__(self, num_units: int, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._units = num_units
        self._activation = activation or M.tanh
        self._kernel_initializer = kernel_initializer

    state_size = property(lambda self: self._units)
    output_size = property(lambda self: self._units)

    def build_step(self, inputs, state):
        with variable_scope("gates"):
            gates = M.sigmoid(_linear([inputs, state], 2 * self._units, 1.0,
                                      kernel_initializer=self._kernel_initializer))
        r, u = split(gates, 2, axis=1)
        with variable_scope("candidate"):
            c = self._activation(_linear([inputs, M.multiply(r, state)], self._units, 0.0,
                                         kernel_initializer=self._kernel_initializer))
        new_h = M.add(M.multiply(u, state), M.multiply(M.subtract(1.0, u), c))
        return new_h, new_h


class MultiRNNCell(RNNCell):
    """Cells stacked: cell k's output is cell k+1's input (scopes cell_0, cell_1, ...)."""

    _default_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple: bool = True) -> None:
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if len({id(c) for c in cells}) != len(cells):
            raise ValueError("MultiRNNCell was given the same cell object twice; create one "
                             "cell per layer ([cell() for _ in range(n)]).")
        self._cells = list(cells)
        self._tuple = state_is_tuple

    @property
    def state_size(self):
        return tuple(c.state_size for c in self._cells)

    output_size = property(lambda self: self._cells[-1].output_size)

    def zero_state(self, batch_size, dtype):
        from .api import name_scope
        with name_scope(f"{type(self).__name__}ZeroState"):  # TF1's op names
            return tuple(c.zero_state(batch_size, dtype) for c in self._cells)

    def build_step(self, inputs, state):
        x, states = inputs, []
        for k, cell in enumerate(self._cells):
            with variable_scope(f"cell_{k}"):
                x, s = cell(x, state[k])
            states.append(s)
        return x, tuple(states)


class DropoutWrapper(RNNCell):
    """TF1 `DropoutWrapper`: dropout on the cell's inputs, outputs and new state (for an
    LSTM, its h only, as TF1's default state filter). Keep probabilities may be tensors
    (a fed placeholder); a Python 1.0 adds no op. Inside dynamic_rnn every step draws a
    new mask; variational (per-sequence) masks are not supported."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent: bool = False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None) -> None:
        super().__init__()
        if variational_recurrent:
            raise NotImplementedError("DropoutWrapper(variational_recurrent=True) is not "
                                      "supported by graphc")
        for what, p in (("input", input_keep_prob), ("output", output_keep_prob),
                        ("state", state_keep_prob)):
            if isinstance(p, (int, float)) and not 0.0 < p <= 1.0:
                raise ValueError(f"Parameter {what}_keep_prob must be between 0 and 1: {p}")
        self._cell = cell
        self._keep = (input_keep_prob, output_keep_prob, state_keep_prob)
        self._seed = seed

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def _drop(self, x, keep, salt: int):
        from .ir.ops.nn_ops import dropout
        if isinstance(keep, (int, float)) and keep == 1.0:
            return x
        seed = None if self._seed is None else self._seed + salt
        return dropout(x, keep_prob=keep, seed=seed)

    def __call__(self, inputs, state, scope=None):
        keep_in, keep_out, keep_state = self._keep
        out, new_state = self._cell(self._drop(convert_to_tensor(inputs), keep_in, 0), state,
                                    scope)
        if isinstance(new_state, LSTMStateTuple):
            new_state = LSTMStateTuple(new_state.c, self._drop(new_state.h, keep_state, 1))
        elif not isinstance(new_state, tuple):
            new_state = self._drop(new_state, keep_state, 1)
        return self._drop(out, keep_out, 2), new_state


class ResidualWrapper(RNNCell):
    """TF1 `ResidualWrapper`: the cell's output plus its input."""

    def __init__(self, cell, residual_fn=None) -> None:
        super().__init__()
        self._cell = cell
        self._fn = residual_fn

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        x = convert_to_tensor(inputs)
        out, new_state = self._cell(x, state, scope)
        return (self._fn(x, out) if self._fn is not None else M.add(x, out)), new_state


def _select_state(keep, new, old):
    """where(keep, new, old) over nested states (sequence_length masking)."""
    if isinstance(new, tuple):
        parts = [_select_state(keep, n, o) for n, o in zip(new, old)]
        return type(new)(*parts) if hasattr(new, "_fields") else tuple(parts)
    return M.where_v2(keep, new, old)


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None,
               scope=None):
    """TF1 `tf.nn.static_rnn`: the cell unrolled over the list `inputs` ([batch, depth]
    each); returns (outputs, final state). With `sequence_length`, outputs past a row's
    length are zeros and its state stops changing (TF1)."""
    inputs = [convert_to_tensor(x) for x in inputs]
    if not inputs:
        raise ValueError("static_rnn needs at least one input")
    if initial_state is None and dtype is None:
        raise ValueError("If no initial_state is provided, dtype must be specified")
    outputs = []
    with variable_scope(scope or "rnn"):  # the zero state too, as TF1 names it
        state = initial_state
        if initial_state is None:
            from .ir.ops.array_ops import shape as shape_of
            batch = inputs[0].shape.as_tuple()[0]
            state = cell.zero_state(batch if batch is not None else shape_of(inputs[0])[0],
                                    dtype)
        lengths = None
        if sequence_length is not None:
            lengths = convert_to_tensor(sequence_length)
        for t, x in enumerate(inputs):
            out, new_state = cell(x, state)
            if lengths is not None:
                keep = expand_dims(M.greater(lengths, np.asarray(t, lengths.dtype.np)), 1)
                out = M.where_v2(keep, out, G.zeros_like(out))
                new_state = _select_state(keep, new_state, state)
            outputs.append(out)
            state = new_state
    return outputs, state


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
                             initial_state_bw=None, dtype=None, sequence_length=None,
                             scope=None):
    """TF1 `tf.nn.static_bidirectional_rnn`: static_rnn forwards (scope `fw`) and over the
    inputs reversed within each row's length (scope `bw`); returns (outputs, state_fw,
    state_bw), each output the forward and re-reversed backward outputs concatenated."""
    from .ir.ops.array_ops import stack, unstack
    if not inputs:
        raise ValueError("static_bidirectional_rnn: inputs must not be empty")

    def flip(seq):
        if sequence_length is None:
            return list(reversed(seq))
        return unstack(reverse_sequence(stack(seq), sequence_length, seq_axis=0,
                                        batch_axis=1), num=len(seq))

    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            out_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                          sequence_length, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            out_bw, state_bw = static_rnn(cell_bw, flip(list(inputs)), initial_state_bw,
                                          dtype, sequence_length, scope=bw_scope)
    outputs = [concat([f, b], 1) for f, b in zip(out_fw, flip(out_bw))]
    return outputs, state_fw, state_bw


def _zero_state_for(cell, inputs, initial_state, dtype, batch_axis: int):
    if initial_state is not None:
        return initial_state
    if dtype is None:
        raise ValueError("If there is no initial_state, you must give a dtype.")
    from .ir.ops.array_ops import shape as shape_of
    batch = inputs.shape.as_tuple()[batch_axis] if inputs.shape.ndims else None
    return cell.zero_state(batch if batch is not None else shape_of(inputs)[batch_axis], dtype)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory: bool = False, time_major: bool = False,
                scope=None):
    """TF1 `tf.nn.dynamic_rnn`: the cell run over time in one While loop.

    `inputs` is [batch, time, depth] ([time, batch, depth] with `time_major`). Returns
    (outputs, final state); outputs past a row's `sequence_length` are zeros and its
    state stops changing there (TF1). Gradients flow back through time through the
    loop's gradient (the forward loop stacks what the backward loop reads)."""
    from . import control_flow as cf
    from .ir import dtypes as dt
    from .ir.ops import core_ops
    from .ir.ops.array_ops import shape as shape_of, transpose
    x = convert_to_tensor(inputs)
    if x.shape.ndims is not None and x.shape.ndims < 3:
        raise ValueError(f"dynamic_rnn: inputs must be at least rank 3 ([batch, time, "
                         f"depth]), got {x.name} of shape {x.shape}")
    rank = x.shape.ndims or 3
    perm = [1, 0] + list(range(2, rank))
    with variable_scope(scope or "rnn"):
        state = _zero_state_for(cell, x, initial_state, dtype, 1 if time_major else 0)
        xt = x if time_major else transpose(x, perm)
        steps_static = xt.shape.as_tuple()[0] if xt.shape.ndims else None
        steps = core_ops.constant(steps_static, dt.int32) if steps_static is not None \
            else shape_of(xt)[0]
        lengths = None if sequence_length is None else M.cast(
            convert_to_tensor(sequence_length), dt.int32)

        def body(t, state):
            out, new_state = cell(cf._slices([xt], [xt])[0], state)
            if lengths is not None:
                keep = expand_dims(M.less(t, lengths), 1)
                out = M.where_v2(keep, out, G.zeros_like(out))
                new_state = _select_state(keep, new_state, state)
            return (t + 1, new_state), out

        (_, final), (stacked,) = cf._while(
            lambda t, _: t < steps, body, (core_ops.constant(0, dt.int32), state), None,
            "while", None, accumulate=True)
        if steps_static is not None:
            stacked.set_shape([steps_static] + list(stacked.shape.as_tuple())[1:])
        outputs = stacked if time_major else transpose(stacked, perm)
    return outputs, final


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None,
                     seq_dim=None, batch_dim=None):
    """TF1 `tf.reverse_sequence`: reverse the first seq_lengths[b] entries of each row."""
    from .ir import dtypes as dt
    from .ir.ops.array_ops import shape as shape_of, stack, transpose
    from .ir.ops.generator_ops import range as range_op
    from .ir.ops.slicing_ops import gather_nd
    x = convert_to_tensor(input)
    seq_axis = seq_axis if seq_axis is not None else seq_dim
    batch_axis = batch_axis if batch_axis is not None else (batch_dim or 0)
    if seq_axis is None:
        raise ValueError("reverse_sequence needs seq_axis")
    rank = x.shape.ndims
    if rank is None:
        raise ValueError("reverse_sequence needs an input of known rank")
    others = [d for d in range(rank) if d not in (batch_axis, seq_axis)]
    perm = [batch_axis, seq_axis] + others
    inverse = list(np.argsort(perm))
    xb = transpose(x, perm)  # [batch, time, ...]
    lengths = M.cast(convert_to_tensor(seq_lengths), dt.int32)
    steps = shape_of(xb)[1]
    t = expand_dims(range_op(steps), 0)                       # [1, T]
    lens = expand_dims(lengths, 1)                            # [B, 1]
    src = M.where_v2(M.less(t, lens), M.subtract(M.subtract(lens, 1), t), t + 0 * lens)
    rows = M.add(expand_dims(range_op(shape_of(xb)[0]), 1), 0 * src)
    out = gather_nd(xb, stack([rows, src], axis=2), name=name)
    return transpose(out, inverse)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory: bool = False,
                              time_major: bool = False, scope=None):
    """TF1 `tf.nn.bidirectional_dynamic_rnn`: ((out_fw, out_bw), (state_fw, state_bw));
    the backward cell reads each row reversed within its length (reverse_sequence)."""
    from .ir.ops.tile_pad_ops import reverse
    x = convert_to_tensor(inputs)
    seq_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def flip(t):
        if sequence_length is None:
            return reverse(t, [seq_axis])
        return reverse_sequence(t, sequence_length, seq_axis=seq_axis, batch_axis=batch_axis)

    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            out_fw, state_fw = dynamic_rnn(cell_fw, x, sequence_length, initial_state_fw,
                                           dtype, time_major=time_major, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            out_bw, state_bw = dynamic_rnn(cell_bw, flip(x), sequence_length,
                                           initial_state_bw, dtype, time_major=time_major,
                                           scope=bw_scope)
    return (out_fw, flip(out_bw)), (state_fw, state_bw)
