"""`tf.contrib.layers`' layer functions: fully_connected, conv2d, flatten, dropout,
batch_norm, layer_norm, embed_sequence, with TF1 contrib's scopes and names (`fully_connected/weights`,
`Conv/biases`, `BatchNorm/moving_mean`, `LayerNorm/gamma`, `EmbedSequence/embeddings`).

Their variables are model variables (GLOBAL_VARIABLES and MODEL_VARIABLES, plus
`variables_collections`); `outputs_collections` receive the output. contrib's defaults
differ from tf.layers': a ReLU activation for fully_connected and conv2d, 'SAME' padding,
batch_norm in training mode with decay 0.999 and no gamma. Each takes its defaults from
`tf.contrib.framework.arg_scope` (graphc/arg_scope.py).
"""
from __future__ import annotations

import numpy as np

from . import init_ops
from .ir import context as _context
from .ir.ops import core_ops, nn_ops
from .ir.ops import matmul_ops as MM
from .ir.ops._base import convert_to_tensor
from .arg_scope import add_arg_scope
from .ir.ops.array_ops import reshape
from .variable_scope import get_variable, variable_scope
from .variables import GraphKeys


_ZEROS = init_ops.zeros_initializer()  # contrib's default biases (None: no biases)


def _model_variable(name, shape, dtype, initializer, regularizer, trainable,
                    variables_collections):
    """get_variable into MODEL_VARIABLES and `variables_collections` (contrib's
    model_variable); a regularizer loss joins REGULARIZATION_LOSSES."""
    graph = _context.get_default_graph()
    collections = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    if isinstance(variables_collections, dict):
        collections += list(variables_collections.get(name, ()))
    elif variables_collections:
        collections += list(variables_collections)
    before = set(map(id, graph.get_collection(GraphKeys.GLOBAL_VARIABLES)))
    var = get_variable(name, shape, dtype=dtype, initializer=initializer, trainable=trainable,
                       collections=list(dict.fromkeys(collections)))
    if regularizer is not None and id(var) not in before:
        with graph.name_scope(f"{name}/Regularizer"):
            loss = regularizer(var)
        if loss is not None:
            graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


def _finish(out, normalizer_fn, normalizer_params, activation_fn, outputs_collections):
    if normalizer_fn is not None:
        out = normalizer_fn(out, **(normalizer_params or {}))
    if activation_fn is not None:
        out = activation_fn(out)
    if outputs_collections:
        _context.get_default_graph().add_to_collections(outputs_collections, out)
    return out


def _bias(out, units, dtype, normalizer_fn, biases_initializer, biases_regularizer, trainable,
          variables_collections):
    if normalizer_fn is not None or biases_initializer is None:
        return out
    biases = _model_variable("biases", [units], dtype, biases_initializer, biases_regularizer,
                             trainable, variables_collections)
    return nn_ops.bias_add(out, biases)


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=nn_ops.relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=None, weights_regularizer=None,
                    biases_initializer=_ZEROS, biases_regularizer=None,
                    reuse=None, variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """activation_fn(inputs @ weights + biases) over the last axis (contrib's)."""
    x = convert_to_tensor(inputs)
    dims = x.shape.as_tuple()
    if dims is None or dims[-1] is None:
        raise ValueError(f"fully_connected needs the last dimension of '{x.name}' defined, "
                         f"got shape {x.shape}")
    with variable_scope(scope, default_name="fully_connected", reuse=reuse):
        weights = _model_variable("weights", [dims[-1], num_outputs], x.dtype,
                                  weights_initializer or init_ops.glorot_uniform_initializer(),
                                  weights_regularizer, trainable, variables_collections)
        flat = x if len(dims) == 2 else reshape(x, [-1, dims[-1]])
        out = MM.matmul(flat, weights)
        out = _bias(out, num_outputs, x.dtype, normalizer_fn, biases_initializer,
                    biases_regularizer, trainable, variables_collections)
        if len(dims) != 2:
            from .ir.ops.array_ops import concat, shape as shape_of
            from .ir.ops.slicing_ops import strided_slice
            lead = strided_slice(shape_of(x), [0], [len(dims) - 1], [1])
            out = reshape(out, concat([lead, [num_outputs]], 0))
            out.set_shape(list(dims[:-1]) + [num_outputs])
        return _finish(out, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections)


def _pair(value, what):
    if isinstance(value, int):
        return value, value
    v = tuple(int(x) for x in value)
    if len(v) != 2:
        raise ValueError(f"{what} must be an int or a pair, got {value}")
    return v


@add_arg_scope
def conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
           rate=1, activation_fn=nn_ops.relu, normalizer_fn=None, normalizer_params=None,
           weights_initializer=None, weights_regularizer=None,
           biases_initializer=_ZEROS, biases_regularizer=None,
           reuse=None, variables_collections=None, outputs_collections=None, trainable=True,
           scope=None):
    """contrib's 2-D convolution (NHWC): scope `Conv`, variables `weights`, `biases`."""
    from .ir.ops import conv_ops
    if data_format not in (None, "NHWC"):
        raise ValueError("graphc's contrib.layers.conv2d supports data_format='NHWC' only")
    x = convert_to_tensor(inputs)
    dims = x.shape.as_tuple()
    if dims is None or len(dims) != 4 or dims[-1] is None:
        raise ValueError(f"conv2d needs a 4-D input with known channels; '{x.name}' has "
                         f"shape {x.shape}")
    (kh, kw), (sh, sw), (dh, dw) = (_pair(kernel_size, "kernel_size"), _pair(stride, "stride"),
                                    _pair(rate, "rate"))
    with variable_scope(scope, default_name="Conv", reuse=reuse):
        weights = _model_variable("weights", [kh, kw, dims[-1], num_outputs], x.dtype,
                                  weights_initializer or init_ops.glorot_uniform_initializer(),
                                  weights_regularizer, trainable, variables_collections)
        out = conv_ops.conv2d(x, weights, [1, sh, sw, 1], str(padding).upper(),
                              dilations=[1, dh, dw, 1])
        out = _bias(out, num_outputs, x.dtype, normalizer_fn, biases_initializer,
                    biases_regularizer, trainable, variables_collections)
        return _finish(out, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """[batch, d1, ...] -> [batch, d1 * ...] under the scope `Flatten`."""
    x = convert_to_tensor(inputs)
    dims = x.shape.as_tuple()
    if dims is None or len(dims) < 2 or any(d is None for d in dims[1:]):
        raise ValueError(f"Inputs must have a least 2 dimensions and known non-batch dims; "
                         f"'{x.name}' has shape {x.shape}")
    with _context.get_default_graph().name_scope(scope or "Flatten"):
        out = reshape(x, [-1, int(np.prod(dims[1:]))])
    return _finish(out, None, None, None, outputs_collections)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
            outputs_collections=None, scope=None, seed=None):
    """contrib's dropout: keeps `keep_prob` of the inputs (scaled by 1 / keep_prob) while
    `is_training` (a bool or a boolean tensor), under the scope `Dropout`."""
    from .layers_core import Dropout
    with variable_scope(scope, default_name="Dropout") as sc:
        out = Dropout(1 - keep_prob, noise_shape, seed, _scope=sc)(inputs, training=is_training)
    return _finish(out, None, None, None, outputs_collections)


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001,
               activation_fn=None, param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format="NHWC",
               zero_debias_moving_mean=False, scope=None, renorm=False, renorm_clipping=None,
               renorm_decay=0.99, adjustment=None):
    """contrib's batch normalisation over the last axis (scope `BatchNorm`): training mode
    by default; `updates_collections=None` runs the moving-average updates with the output."""
    from .layers_core import BatchNormalization
    if batch_weights is not None or zero_debias_moving_mean or data_format != "NHWC":
        raise NotImplementedError("batch_norm: batch_weights, zero_debias_moving_mean and "
                                  "NCHW are not supported by graphc")
    inits, regs = dict(param_initializers or {}), dict(param_regularizers or {})
    graph = _context.get_default_graph()
    with variable_scope(scope, default_name="BatchNorm", reuse=reuse) as sc:
        layer = BatchNormalization(
            axis=-1, momentum=decay, epsilon=epsilon, center=center, scale=scale,
            beta_initializer=inits.get("beta"), gamma_initializer=inits.get("gamma"),
            moving_mean_initializer=inits.get("moving_mean"),
            moving_variance_initializer=inits.get("moving_variance"),
            beta_regularizer=regs.get("beta"), gamma_regularizer=regs.get("gamma"),
            renorm=renorm, renorm_clipping=renorm_clipping, renorm_momentum=renorm_decay,
            fused=fused, trainable=trainable, adjustment=adjustment, _scope=sc, _reuse=reuse)
        out = layer(inputs, training=is_training)
        for v in layer.variables:
            graph.add_to_collection(GraphKeys.MODEL_VARIABLES, v)
            if variables_collections:
                graph.add_to_collections(variables_collections, v)
        if layer.updates and updates_collections != GraphKeys.UPDATE_OPS:
            ref = graph.get_collection_ref(GraphKeys.UPDATE_OPS)
            ref[:] = [u for u in ref if all(u is not x for x in layer.updates)]
            if updates_collections is None:
                with graph.control_dependencies(layer.updates):
                    out = core_ops.identity(out)
            else:
                for update in layer.updates:
                    graph.add_to_collection(updates_collections, update)
        return _finish(out, None, None, activation_fn, outputs_collections)


@add_arg_scope
def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """Normalises over the axes from `begin_norm_axis` on (variance epsilon 1e-12, as TF1),
    with `beta` and `gamma` over the axes from `begin_params_axis` (scope `LayerNorm`)."""
    from .ir.ops import norm_ops
    x = convert_to_tensor(inputs)
    dims = x.shape.as_tuple()
    if dims is None:
        raise ValueError(f"layer_norm: the rank of '{x.name}' must be known")
    rank = len(dims)
    norm_axis = begin_norm_axis % rank if begin_norm_axis < 0 else begin_norm_axis
    params_axis = begin_params_axis % rank if begin_params_axis < 0 else begin_params_axis
    if norm_axis >= rank or params_axis >= rank:
        raise ValueError(f"begin_norm_axis ({begin_norm_axis}) and begin_params_axis "
                         f"({begin_params_axis}) must be < rank(inputs) ({rank})")
    params_shape = list(dims[params_axis:])
    if any(d is None for d in params_shape):
        raise ValueError(f"layer_norm: the dims from begin_params_axis of '{x.name}' must be "
                         f"defined, got shape {x.shape}")
    with variable_scope(scope, default_name="LayerNorm", reuse=reuse):
        beta = _model_variable("beta", params_shape, x.dtype, init_ops.zeros_initializer(),
                               None, trainable, variables_collections) if center else None
        gamma = _model_variable("gamma", params_shape, x.dtype, init_ops.ones_initializer(),
                                None, trainable, variables_collections) if scale else None
        mean, variance = norm_ops.moments(x, list(range(norm_axis, rank)), keep_dims=True)
        out = norm_ops.batch_normalization(x, mean, variance, beta, gamma, 1e-12)
        return _finish(out, None, None, activation_fn, outputs_collections)


@add_arg_scope
def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None,
                   regularizer=None, trainable=True, scope=None, reuse=None):
    """Embeddings of `ids` from a [vocab_size, embed_dim] table `EmbedSequence/embeddings`."""
    from .nn import embedding_lookup
    if vocab_size is None or embed_dim is None:
        raise ValueError("Must specify vocab size and embedding dimension")
    with variable_scope(scope, default_name="EmbedSequence", reuse=reuse):
        table = _model_variable("embeddings", [vocab_size, embed_dim], None, initializer,
                                regularizer, trainable, None)
        return embedding_lookup(table, ids)
