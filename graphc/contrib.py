"""The parts of `tf.contrib` that TF1 models use most: contrib.layers (initializers,
regularizers and the layer functions of graphc/contrib_layers.py), contrib.lookup,
contrib.framework, contrib.rnn and contrib.seq2seq (graphc/seq2seq*.py).

Anything else under `tf.contrib` is refused with an AttributeError that says so.
"""
from __future__ import annotations

import numpy as np

from . import init_ops
from .ir.ops import math_ops as M, nn_ops
from .ir.ops import reduce_ops as R


def l2_regularizer(scale, scope=None):
    """scale * l2_loss(weights) (tf.contrib.layers.l2_regularizer)."""
    if scale < 0:
        raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")
    if scale == 0:
        return lambda weights: None
    return lambda weights: M.multiply(nn_ops.l2_loss(weights),
                                      np.asarray(scale, weights.dtype.as_numpy_dtype))


def l1_regularizer(scale, scope=None):
    if scale < 0:
        raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")
    if scale == 0:
        return lambda weights: None
    return lambda weights: M.multiply(R.reduce_sum(M.abs(weights)),
                                      np.asarray(scale, weights.dtype.as_numpy_dtype))


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=init_ops._dt.float32):
    """tf.contrib.layers.variance_scaling_initializer (factor/mode in capitals)."""
    return init_ops.VarianceScaling(factor, mode.lower(),
                                    "uniform" if uniform else "truncated_normal", seed, dtype)


class _Layers:
    from .contrib_layers import (batch_norm, conv2d, dropout, embed_sequence, flatten,
                                 fully_connected, layer_norm)
    batch_norm, conv2d, embed_sequence = (staticmethod(batch_norm), staticmethod(conv2d),
                                          staticmethod(embed_sequence))
    dropout = staticmethod(dropout)
    flatten, fully_connected, layer_norm = (staticmethod(flatten),
                                            staticmethod(fully_connected),
                                            staticmethod(layer_norm))
    convolution2d = conv2d
    xavier_initializer = staticmethod(init_ops.xavier_initializer)
    xavier_initializer_conv2d = staticmethod(init_ops.xavier_initializer)
    variance_scaling_initializer = staticmethod(variance_scaling_initializer)
    l2_regularizer = staticmethod(l2_regularizer)
    l1_regularizer = staticmethod(l1_regularizer)

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.layers.{name} is not available in graphc")


class _Lookup:
    """`tf.contrib.lookup` (graphc/lookup.py)."""

    def __init__(self) -> None:
        from . import lookup
        for name in ("HashTable", "KeyValueTensorInitializer", "index_table_from_tensor",
                     "index_to_string_table_from_tensor", "IdTableWithHashBuckets"):
            setattr(self, name, getattr(lookup, name))

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.lookup.{name} is not available in graphc")


def get_variables(scope=None, suffix=None, collection="variables") -> list:
    """tf.contrib.framework.get_variables: the variables of `collection` under `scope`
    (a name or a VariableScope) whose names end in `suffix`."""
    from .ir.context import get_default_graph
    if scope is not None and not isinstance(scope, str):
        scope = scope.name
    found = get_default_graph().get_collection(collection, scope)
    if suffix is not None:
        found = [v for v in found if v.op.name.endswith(suffix)]
    return found


def get_variables_by_name(given_name, scope=None) -> list:
    """The variables whose last name component is `given_name`."""
    return [v for v in get_variables(scope) if v.op.name.split("/")[-1] == given_name]


class _Framework:
    """`tf.contrib.framework`: variable and global-step helpers."""

    def __init__(self) -> None:
        from .train import schedules
        self.get_or_create_global_step = schedules.get_or_create_global_step
        self.get_global_step = schedules.get_global_step
        self.create_global_step = schedules.create_global_step

    get_variables = staticmethod(get_variables)
    get_variables_by_name = staticmethod(get_variables_by_name)
    from .arg_scope import (add_arg_scope, arg_scope, arg_scoped_arguments,
                            current_arg_scope, has_arg_scope)
    add_arg_scope, arg_scope = staticmethod(add_arg_scope), staticmethod(arg_scope)
    arg_scoped_arguments = staticmethod(arg_scoped_arguments)
    current_arg_scope, has_arg_scope = (staticmethod(current_arg_scope),
                                        staticmethod(has_arg_scope))

    @staticmethod
    def get_model_variables(scope=None, suffix=None):
        return get_variables(scope, suffix, "model_variables")

    @staticmethod
    def get_local_variables(scope=None, suffix=None):
        return get_variables(scope, suffix, "local_variables")

    @staticmethod
    def get_trainable_variables(scope=None, suffix=None):
        return get_variables(scope, suffix, "trainable_variables")

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.framework.{name} is not available in graphc")


class _Seq2seq:
    """`tf.contrib.seq2seq` (graphc/seq2seq*.py)."""

    def __init__(self) -> None:
        from . import seq2seq, seq2seq_attention, seq2seq_decode
        self.sequence_loss = seq2seq.sequence_loss
        for name in ("TrainingHelper", "GreedyEmbeddingHelper", "BasicDecoder",
                     "BasicDecoderOutput", "dynamic_decode"):
            setattr(self, name, getattr(seq2seq_decode, name))
        for name in ("BahdanauAttention", "LuongAttention", "AttentionWrapper",
                     "AttentionWrapperState"):
            setattr(self, name, getattr(seq2seq_attention, name))
        from . import seq2seq_beam
        for name in seq2seq_beam.__all__:
            setattr(self, name, getattr(seq2seq_beam, name))

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.seq2seq.{name} is not available in graphc")


class _Rnn:
    """`tf.contrib.rnn`: the cells of tf.nn.rnn_cell, static_rnn and the bidirectional
    stacks."""

    def __init__(self) -> None:
        from . import rnn_cell, seq2seq
        for name in ("RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell",
                     "MultiRNNCell", "LSTMStateTuple", "DropoutWrapper", "ResidualWrapper",
                     "static_rnn", "static_bidirectional_rnn"):
            setattr(self, name, getattr(rnn_cell, name))
        self.DeviceWrapper = seq2seq.DeviceWrapper
        self.stack_bidirectional_dynamic_rnn = seq2seq.stack_bidirectional_dynamic_rnn
        from . import rnn_contrib
        for name in rnn_contrib.CONTRIB_RNN:
            setattr(self, name, getattr(rnn_contrib, name))
        from . import rnn_contrib_blocks
        for name in rnn_contrib_blocks.CONTRIB_RNN_BLOCKS:
            setattr(self, name, getattr(rnn_contrib_blocks, name))

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.rnn.{name} is not available in graphc")


class _Contrib:
    layers = _Layers()
    lookup = _Lookup()
    framework = _Framework()
    seq2seq = _Seq2seq()
    rnn = _Rnn()

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.{name} is not available in graphc (tf.contrib was "
                             "removed after TF1; graphc provides contrib.layers' initializers "
                             "and layers, contrib.lookup, framework, rnn and seq2seq only)")


contrib = _Contrib()
