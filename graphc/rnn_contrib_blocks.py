"""`tf.contrib.rnn`'s block and layer-normalised cells, with TF1's math and variable
names: LSTMBlockCell (the LSTMBlockCell kernel's math: gates i, j, f, o from one
matmul, optional peepholes w_i_diag/w_f_diag/w_o_diag and cell clipping; scope
`lstm_cell`), GRUBlockCell (GRUCell's math and its gates/ and candidate/ variables; scope
`gru_cell`), LSTMBlockFusedCell (the LSTMBlockCell over a whole time-major sequence, with
sequence lengths; scope `lstm_fused_cell`) and LayerNormBasicLSTMCell (layer norm of each
gate and of the new cell state, recurrent dropout of the candidate; scope
`layer_norm_basic_lstm_cell`, variables kernel and <gate>/gamma, <gate>/beta).

They build ordinary ops (graphc fuses them), so their gradients are the ops' own.
"""
from __future__ import annotations

from typing import Optional

from . import init_ops
from .contrib_layers import layer_norm
from .ir.ops import array_ops as A, math_ops as M, nn_ops
from .ir.ops import matmul_ops as MM
from .ir.context import get_default_graph
from .ir.ops._base import convert_to_tensor
from .ir.ops.split_ops import split
from .rnn_cell import GRUCell, LSTMCell, LSTMStateTuple, RNNCell, dynamic_rnn
from .variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["LSTMBlockCell", "GRUBlockCell", "LSTMBlockFusedCell", "LayerNormBasicLSTMCell",
           "CONTRIB_RNN_BLOCKS"]


class LSTMBlockCell(LSTMCell):
    """TF1 `tf.contrib.rnn.LSTMBlockCell(num_units, forget_bias=1.0, cell_clip=None,
    use_peephole=False)`: LSTMCell's math without projection (state an LSTMStateTuple)."""

    _default_name = "lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip=None,
                 use_peephole: bool = False, dtype=None, reuse=None,
                 name: str = "lstm_cell") -> None:
        super().__init__(num_units, use_peepholes=use_peephole,
                         cell_clip=None if cell_clip is None or cell_clip < 0 else cell_clip,
                         forget_bias=forget_bias, reuse=reuse, name=name, dtype=dtype)


class GRUBlockCell(GRUCell):
    """TF1 `tf.contrib.rnn.GRUBlockCell(num_units=None, cell_size=None)`: GRUCell's
    math and variables (`cell_size` is the deprecated name of num_units)."""

    _default_name = "gru_cell"

    def __init__(self, num_units: Optional[int] = None, reuse=None, name: str = "gru_cell",
                 cell_size: Optional[int] = None) -> None:
        if num_units is None:
            if cell_size is None:
                raise ValueError("GRUBlockCell: give num_units")
            num_units = cell_size
        super().__init__(int(num_units), reuse=reuse, name=name)


class LSTMBlockFusedCell:
    """TF1 `tf.contrib.rnn.LSTMBlockFusedCell(num_units, forget_bias=1.0,
    cell_clip=None, use_peephole=False)`: called on a time-major sequence
    [time, batch, input] it returns (outputs [time, batch, num_units], the final
    LSTMStateTuple); past a row's sequence length its outputs are zeros and its state
    stays the last one."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip=None,
                 use_peephole: bool = False, reuse=None, dtype=None,
                 name: str = "lstm_fused_cell") -> None:
        self._units = int(num_units)
        self._cell = LSTMBlockCell(num_units, forget_bias, cell_clip, use_peephole,
                                   name=name)
        self._name, self._reuse, self._dtype = name, reuse, dtype
        self._scope = None

    state_size = property(lambda self: LSTMStateTuple(self._units, self._units))
    output_size = property(lambda self: self._units)

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None,
                 scope=None):
        x = convert_to_tensor(inputs)
        if x.shape.ndims not in (None, 3):
            raise ValueError(f"LSTMBlockFusedCell takes time-major inputs [time, batch, "
                             f"input], got {x.shape} ({x.name})")
        dtype = dtype or self._dtype or x.dtype
        if self._scope is None:
            with variable_scope(scope or self._name, reuse=self._reuse) as vs:
                self._scope = vs
                return self._run(x, initial_state, dtype, sequence_length)
        with variable_scope(self._scope, reuse=True):
            return self._run(x, initial_state, dtype, sequence_length)

    def _run(self, x, initial_state, dtype, sequence_length):
        scope = get_variable_scope()
        # the cell's variables sit in this scope itself (`lstm_fused_cell/kernel`)
        self._cell._scope = scope
        width = x.shape.as_tuple()[2] if x.shape.ndims == 3 else None
        if width is None:
            raise ValueError("LSTMBlockFusedCell needs inputs with a known last dimension")
        get_variable("kernel", [width + self._units, 4 * self._units], dtype=x.dtype)
        get_variable("bias", [4 * self._units], dtype=x.dtype,
                     initializer=init_ops.zeros_initializer())
        if self._cell._peepholes:
            for n in ("w_i_diag", "w_f_diag", "w_o_diag"):
                get_variable(n, [self._units], dtype=x.dtype)
        with get_default_graph().name_scope("fused"):
            outputs, state = dynamic_rnn(self._cell, x, sequence_length=sequence_length,
                                         initial_state=initial_state, dtype=dtype,
                                         time_major=True, scope=scope)
        return outputs, state


class LayerNormBasicLSTMCell(RNNCell):
    """TF1 `tf.contrib.rnn.LayerNormBasicLSTMCell(num_units, forget_bias=1.0,
    input_size=None, activation=tanh, layer_norm=True, norm_gain=1.0, norm_shift=0.0,
    dropout_keep_prob=1.0, dropout_prob_seed=None)`."""

    _default_name = "layer_norm_basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, input_size=None,
                 activation=None, layer_norm: bool = True, norm_gain: float = 1.0,
                 norm_shift: float = 0.0, dropout_keep_prob=1.0, dropout_prob_seed=None,
                 reuse=None) -> None:
        super().__init__(_reuse=reuse)
        self._units = int(num_units)
        self._forget_bias = float(forget_bias)
        self._activation = activation or M.tanh
        self._layer_norm = bool(layer_norm)
        self._norm_gain, self._norm_shift = float(norm_gain), float(norm_shift)
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed

    state_size = property(lambda self: LSTMStateTuple(self._units, self._units))
    output_size = property(lambda self: self._units)

    def _norm(self, x, scope: str):
        shape = x.shape.as_list()[-1:]
        with variable_scope(scope):
            get_variable("gamma", shape, dtype=x.dtype,
                         initializer=init_ops.constant_initializer(self._norm_gain))
            get_variable("beta", shape, dtype=x.dtype,
                         initializer=init_ops.constant_initializer(self._norm_shift))
        return layer_norm(x, reuse=True, scope=scope)

    def build_step(self, inputs, state):
        c, h = state
        args = A.concat([inputs, h], 1)
        width = args.shape.as_tuple()[1]
        if width is None:
            raise ValueError(f"RNN cells need inputs with a known last dimension, got "
                             f"{inputs.shape}")
        out = MM.matmul(args, get_variable("kernel", [width, 4 * self._units],
                                           dtype=args.dtype))
        if not self._layer_norm:
            out = nn_ops.bias_add(out, get_variable("bias", [4 * self._units],
                                                    dtype=args.dtype))
        i, j, f, o = split(out, 4, axis=1)
        if self._layer_norm:
            i, j = self._norm(i, "input"), self._norm(j, "transform")
            f, o = self._norm(f, "forget"), self._norm(o, "output")
        g = self._activation(j)
        if not isinstance(self._keep_prob, float) or self._keep_prob < 1:
            g = nn_ops.dropout(g, self._keep_prob, seed=self._seed)
        new_c = M.add(M.multiply(c, M.sigmoid(M.add(f, self._forget_bias))),
                      M.multiply(M.sigmoid(i), g))
        if self._layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = M.multiply(self._activation(new_c), M.sigmoid(o))
        return new_h, LSTMStateTuple(new_c, new_h)


CONTRIB_RNN_BLOCKS = ("LSTMBlockCell", "GRUBlockCell", "LSTMBlockFusedCell",
                      "LayerNormBasicLSTMCell")
