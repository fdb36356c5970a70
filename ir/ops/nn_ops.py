"""Neural-network ops: activations, softmax, bias_add, cross-entropies, l2_loss, dropout.

Each is an op of its own (not a composition) so passes can recognise, fuse and simplify
it and so its gradient is a short, stable rule. The `tf.nn` namespace is graphc/nn.py.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape, broadcast_shapes
from ._base import (apply, check_dtype, const_value, convert_to_tensor,
                    defop, deprecated_argument, normalize_axis)
from . import math_ops as M
from . import reduce_ops as R
from . import matmul_ops as MM
from . import generator_ops as G
from .random_ops import random_uniform
from ..context import get_default_graph
from .core_ops import stop_gradient
from .tile_pad_ops import broadcast_to
from .generator_ops import one_hot, range as range_of
from .reduce_ops import reduce_prod
from .array_ops import concat, expand_dims, reshape, shape as shape_of, transpose

__all__: list = []

FLOATS = dt.FLOATS
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _c(t, value):
    return np.asarray(value, t.dtype.np)


# ------------------------------------------------------------------ activations
def _act(op_type, compute, vjp, default_name=None):
    def infer(op):
        check_dtype(op, op.inputs[0], FLOATS)
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(x, **attrs):
        with np.errstate(over="ignore"):
            return np.asarray(compute(x, **attrs), dtype=x.dtype)

    defop(op_type, infer, kernel, vjp, elementwise=True, family="nn")

    def builder(features, name: Optional[str] = None):
        return apply(op_type, (convert_to_tensor(features),), name=name or default_name or op_type)

    return builder


def _mask_grad(cond):
    def rule(op, grads):
        x, y, g = op.inputs[0], op.outputs[0], grads[0]
        return [M.where_v2(cond(x, y), g, G.zeros_like(g))]
    return rule


# (on the output, as TF1's ReluGrad: y > 0 exactly where x > 0, and a plan that keeps the
# output for the next layer need not keep the input too)
relu = _act("Relu", lambda x: np.maximum(x, 0), _mask_grad(lambda x, y: M.greater(y, _c(y, 0))))
relu6 = _act("Relu6", lambda x: np.clip(x, 0, 6),
             _mask_grad(lambda x, y: M.logical_and(M.greater(x, _c(x, 0)),
                                                   M.less(x, _c(x, 6)))))


def _elu_vjp(op, grads):
    x, y, g = op.inputs[0], op.outputs[0], grads[0]
    return [M.where_v2(M.greater(x, _c(x, 0)), g, M.multiply(g, M.add(y, _c(x, 1))))]


elu = _act("Elu", lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), _elu_vjp)


def _selu_vjp(op, grads):
    x, y, g = op.inputs[0], op.outputs[0], grads[0]
    return [M.where_v2(M.greater(x, _c(x, 0)), M.multiply(g, _c(x, SELU_SCALE)),
                       M.multiply(g, M.add(y, _c(x, SELU_SCALE * SELU_ALPHA))))]


selu = _act("Selu", lambda x: SELU_SCALE * np.where(
    x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))), _selu_vjp)


def _leaky_vjp(op, grads):
    x, g = op.inputs[0], grads[0]
    return [M.where_v2(M.greater(x, _c(x, 0)), g, M.multiply(g, _c(x, op.attrs["alpha"])))]


_act("LeakyRelu", lambda x, alpha: np.where(x > 0, x, x * x.dtype.type(alpha)), _leaky_vjp)


def leaky_relu(features, alpha=0.2, name: Optional[str] = None):
    return apply("LeakyRelu", (convert_to_tensor(features),), {"alpha": float(alpha)},
                 name=name or "LeakyRelu")


softplus = _act("Softplus", lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0),
                lambda op, grads: [M.multiply(grads[0], M.sigmoid(op.inputs[0]))])
softsign = _act("Softsign", lambda x: x / (1 + np.abs(x)),
                lambda op, grads: [M.truediv(grads[0], M.square(
                    M.add(M.abs(op.inputs[0]), _c(op.inputs[0], 1))))])


# ------------------------------------------------------------------ softmax
def _softmax_np(x, axis):
    z = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax_np(x, axis):
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _softmax_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, FLOATS)
    if x.shape.ndims == 0:
        raise ValueError(f"softmax needs a tensor of rank >= 1, '{x.name}' is a scalar")
    if x.shape.ndims is not None:
        normalize_axis(op.attrs["axis"], x.shape.ndims, f"{op.type} op '{op.name}'")
    return [(x.dtype, x.shape)]


def _softmax_compute(x, *, axis):
    if x.size == 0:
        return x.copy()
    return np.asarray(_softmax_np(x, axis), dtype=x.dtype)


def _log_softmax_compute(x, *, axis):
    if x.size == 0:
        return x.copy()
    return np.asarray(_log_softmax_np(x, axis), dtype=x.dtype)


def _sum_along(t, axis: int):
    """reduce_sum(t, axis, keepdims=True), also for a negative axis of a tensor whose rank
    is known only at run time (reductions take static axes): t as [outer, n, inner]."""
    if axis >= 0 or t.shape.ndims is not None:
        return R.reduce_sum(t, axis=axis, keepdims=True)
    shape = shape_of(t)
    before = shape[:axis]
    after = shape[axis + 1:] if axis < -1 else np.zeros(0, np.int32)
    summed = R.reduce_sum(reshape(t, [reduce_prod(before), shape[axis], reduce_prod(after)]),
                          axis=1, keepdims=True)
    return reshape(summed, concat([before, np.int32([1]), after], 0))


def _softmax_vjp(op, grads):
    y, g = op.outputs[0], grads[0]
    s = _sum_along(M.multiply(g, y), op.attrs["axis"])
    return [M.multiply(M.subtract(g, s), y)]


def _log_softmax_vjp(op, grads):
    y, g = op.outputs[0], grads[0]
    return [M.subtract(g, M.multiply(_sum_along(g, op.attrs["axis"]), M.exp(y)))]


defop("Softmax", _softmax_infer, _softmax_compute, _softmax_vjp, family="nn")
defop("LogSoftmax", _softmax_infer, _log_softmax_compute, _log_softmax_vjp, family="nn")


def _softmax_builder(op_type, default_name):
    def builder(logits, axis=None, name: Optional[str] = None, dim=None):
        axis = deprecated_argument("axis", axis, "dim", dim)
        axis = -1 if axis is None else axis
        x = convert_to_tensor(logits)
        if x.shape.ndims is not None:
            axis = normalize_axis(int(axis), x.shape.ndims, default_name)
        return apply(op_type, (x,), {"axis": int(axis)}, name=name or default_name)
    return builder


softmax = _softmax_builder("Softmax", "Softmax")
log_softmax = _softmax_builder("LogSoftmax", "LogSoftmax")


# ------------------------------------------------------------------ bias_add
def _bias_axis(op) -> int:
    return 1 if op.attrs["data_format"].startswith("NC") else -1


def _bias_add_infer(op):
    value, bias = op.inputs
    if value.dtype is not bias.dtype:
        raise TypeError(f"BiasAdd: value '{value.name}' is {value.dtype.name} but bias "
                        f"'{bias.name}' is {bias.dtype.name}")
    check_dtype(op, value, dt.NUMERIC)
    bias.shape.with_rank(1)
    if value.shape.ndims is not None and value.shape.ndims < 2:
        raise ValueError(f"BiasAdd: value '{value.name}' must be at least rank 2, got shape "
                         f"{value.shape}")
    axis = _bias_axis(op)
    channels = value.shape[axis] if value.shape.ndims is not None else None
    if channels is not None and not channels.is_compatible_with(bias.shape[0]):
        raise ValueError(f"Dimensions must be equal, but are {channels} and {bias.shape[0]} "
                         f"for BiasAdd of '{value.name}' (shape {value.shape}) and bias "
                         f"'{bias.name}' (shape {bias.shape})")
    return [(value.dtype, value.shape)]


def _bias_add_compute(value, bias, *, data_format):
    axis = 1 if data_format.startswith("NC") else value.ndim - 1
    if value.shape[axis] != bias.shape[0]:
        raise InvalidArgumentError(None, None, f"Must provide as many biases as the channel "
                                   f"dimension of the input tensor: {list(bias.shape)} vs. "
                                   f"{list(value.shape)}")
    shape = [1] * value.ndim
    shape[axis] = bias.shape[0]
    return np.asarray(value + bias.reshape(shape), dtype=value.dtype)


def _bias_add_vjp(op, grads):
    value = op.inputs[0]
    g = grads[0]
    rank = value.shape.ndims
    channels_first = op.attrs["data_format"].startswith("NC")
    if rank is None:  # known at run time only: the channels as one axis of a 2-D/3-D view
        bias = op.inputs[1]
        channels = bias.shape[0].value
        channels = shape_of(bias)[0] if channels is None else channels
        if channels_first:
            view = reshape(g, [shape_of(g)[0], channels, -1])
            return [g, R.reduce_sum(view, axis=[0, 2])]
        return [g, R.reduce_sum(reshape(g, [-1, channels]), axis=[0])]
    axis = 1 if channels_first else rank - 1
    return [g, R.reduce_sum(g, axis=[a for a in range(rank) if a != axis])]


defop("BiasAdd", _bias_add_infer, _bias_add_compute, _bias_add_vjp, family="nn")


def bias_add(value, bias, data_format: Optional[str] = None, name: Optional[str] = None):
    """Add a 1-D bias along the channel dimension (last, or 1 for NC* formats)."""
    value = convert_to_tensor(value)
    bias = convert_to_tensor(bias, dtype=value.dtype)
    fmt = data_format or "NHWC"
    return apply("BiasAdd", (value, bias), {"data_format": fmt}, name=name or "BiasAdd")


# ------------------------------------------------------------------ l2_loss
def _l2_infer(op):
    check_dtype(op, op.inputs[0], FLOATS)
    return [(op.inputs[0].dtype, TensorShape([]))]


defop("L2Loss", _l2_infer,
      lambda t: np.asarray(np.sum(np.square(t)) / 2, dtype=t.dtype),
      lambda op, grads: [M.multiply(op.inputs[0], grads[0])], family="nn")


def l2_loss(t, name: Optional[str] = None):
    """sum(t ** 2) / 2."""
    return apply("L2Loss", (convert_to_tensor(t),), name=name or "L2Loss")


# ------------------------------------------------------------------ cross-entropies
def _logits_and_labels(op):
    """Float logits and labels of the same dtype (shared by the dense cross-entropies)."""
    logits, labels = op.inputs
    check_dtype(op, logits, FLOATS, "logits")
    if labels.dtype is not logits.dtype:
        raise TypeError(f"labels '{labels.name}' ({labels.dtype.name}) and logits "
                        f"'{logits.name}' ({logits.dtype.name}) must have the same dtype")
    return logits, labels


def _xent_infer(op):
    logits, labels = _logits_and_labels(op)
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must be broadcastable: logits_size="
                         f"{logits.shape} labels_size={labels.shape} ('{logits.name}' vs "
                         f"'{labels.name}')")
    shape = logits.shape.merge_with(labels.shape).with_rank(2)
    return [(logits.dtype, shape[:1]), (logits.dtype, shape)]


def _xent_compute(logits, labels):
    if logits.shape != labels.shape:
        raise InvalidArgumentError(None, None, f"logits and labels must be same size: "
                                   f"logits_size={list(logits.shape)} labels_size="
                                   f"{list(labels.shape)}")
    log_p = _log_softmax_np(logits, 1)
    loss = -np.sum(labels * log_p, axis=1)
    return (np.asarray(loss, logits.dtype),
            np.asarray(np.exp(log_p) - labels, logits.dtype))


def _xent_vjp(op, grads):
    logits, labels = op.inputs
    g_loss, g_back = grads
    g = _expand_last(g_loss)
    soft = softmax(logits)
    g_logits = M.multiply(g, M.subtract(soft, labels))
    g_labels = M.multiply(g, M.negative(log_softmax(logits)))
    if _used(g_back):
        g_logits = M.add(g_logits, _backprop_term(g_back, soft))
        g_labels = M.subtract(g_labels, g_back)
    return [g_logits, g_labels]


def _used(grad) -> bool:
    """Whether a gradient reached the second (backprop) output at all."""
    return grad is not None and grad.op.type != "ZerosLike"


def _backprop_term(g_back, soft):
    """Gradient through the backprop output, softmax(logits) - labels, to the logits."""
    s = R.reduce_sum(M.multiply(g_back, soft), axis=1, keepdims=True)
    return M.multiply(M.subtract(g_back, s), soft)


def _expand_last(t):
    return expand_dims(t, -1)


defop("SoftmaxCrossEntropyWithLogits", _xent_infer, _xent_compute, _xent_vjp, family="nn")


def _sparse_xent_infer(op):
    logits, labels = op.inputs
    check_dtype(op, logits, FLOATS, "logits")
    check_dtype(op, labels, (dt.int32, dt.int64), "labels")
    logits.shape.with_rank(2)
    labels.shape.with_rank(1)
    if logits.shape.ndims == 2 and labels.shape.ndims == 1 and not logits.shape[0]\
            .is_compatible_with(labels.shape[0]):
        raise ValueError(f"logits and labels must have the same first dimension, got logits "
                         f"shape {logits.shape} and labels shape {labels.shape}")
    batch = logits.shape[:1].merge_with(labels.shape) if logits.shape.ndims is not None \
        else labels.shape
    classes = logits.shape[1].value if logits.shape.ndims is not None else None
    return [(logits.dtype, batch), (logits.dtype, batch.concatenate([classes]))]


def _sparse_xent_compute(logits, labels):
    n, k = logits.shape
    if labels.shape[0] != n:
        raise InvalidArgumentError(None, None, f"logits and labels must have the same first "
                                   f"dimension, got logits shape {list(logits.shape)} and "
                                   f"labels shape {list(labels.shape)}")
    bad = (labels < 0) | (labels >= k)
    if np.any(bad):
        first = int(labels[bad][0])
        values = " ".join(str(int(v)) for v in labels)
        raise InvalidArgumentError(None, None, f"Received a label value of {first} which is "
                                   f"outside the valid range of [0, {k}).  Label values: "
                                   f"{values}")
    log_p = _log_softmax_np(logits, 1) if logits.size else logits
    loss = -log_p[np.arange(n), labels] if n else np.zeros(0, logits.dtype)
    back = np.exp(log_p)
    back[np.arange(n), labels] -= 1
    return np.asarray(loss, logits.dtype), np.asarray(back, logits.dtype)


def _sparse_xent_vjp(op, grads):
    logits, labels = op.inputs
    g_loss, g_back = grads
    soft = softmax(logits)
    depth = logits.shape[1].value
    if depth is None:  # the classes are counted at run time: compare labels with a range
        classes = M.cast(range_of(shape_of(logits)[1]), labels.dtype)
        hot = M.cast(M.equal(expand_dims(labels, 1), classes), logits.dtype)
    else:
        hot = one_hot(labels, depth, dtype=logits.dtype)
    g_logits = M.multiply(_expand_last(g_loss), M.subtract(soft, hot))
    if _used(g_back):
        g_logits = M.add(g_logits, _backprop_term(g_back, soft))
    return [g_logits, None]


defop("SparseSoftmaxCrossEntropyWithLogits", _sparse_xent_infer, _sparse_xent_compute,
      _sparse_xent_vjp, family="nn")


def _sig_xent_infer(op):
    logits, labels = _logits_and_labels(op)
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                         f"{labels.shape}) for '{logits.name}' and '{labels.name}'")
    return [(logits.dtype, logits.shape.merge_with(labels.shape))]


def _sig_xent_compute(logits, labels):
    if logits.shape != labels.shape:
        raise InvalidArgumentError(None, None, f"logits and labels must have the same shape "
                                   f"({list(logits.shape)} vs {list(labels.shape)})")
    x, z = logits, labels
    return np.asarray(np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x))), x.dtype)


def _sig_xent_vjp(op, grads):
    logits, labels = op.inputs
    g = grads[0]
    return [M.multiply(g, M.subtract(M.sigmoid(logits), labels)),
            M.multiply(g, M.negative(logits))]


defop("SigmoidCrossEntropyWithLogits", _sig_xent_infer, _sig_xent_compute, _sig_xent_vjp,
      elementwise=True, family="nn")


def _named_only(fn_name: str, sentinel, labels, logits) -> None:
    """TF1 cross-entropies take labels= and logits= by keyword, both required."""
    if sentinel is not None:
        raise ValueError(f"Only call `{fn_name}` with named arguments (labels=..., "
                         "logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError(f"`{fn_name}` needs both labels= and logits=.")


def _labels_as_logits(labels, logits):
    """TF1's softmax cross-entropy labels: cast to the logits' dtype (integer one-hot
    labels are accepted) and broadcast against the logits' shape."""
    labels = convert_to_tensor(labels, dtype_hint=logits.dtype, name="labels")
    if labels.dtype is not logits.dtype:
        labels = M.cast(labels, logits.dtype)
    ls, gs = labels.shape, logits.shape
    if ls.is_compatible_with(gs):
        return labels
    if ls.ndims is not None and gs.ndims is not None and ls.ndims != gs.ndims and \
            ls.ndims and ls[-1].is_compatible_with(gs[-1]) and _outer_size(ls) != 1:
        # TF flattens the labels' outer dims as it does the logits' ([-1, classes] each),
        # so [1, n, c] labels (`labels=[y]`, hunkim's lab-06-2) serve [n, c] logits
        return reshape(labels, shape_of(logits))
    both = broadcast_shapes(ls, gs)
    if both is None or not both.is_compatible_with(gs):
        raise ValueError(f"softmax_cross_entropy_with_logits: labels of shape {ls} do not "
                         f"broadcast to the logits' shape {gs}")
    return broadcast_to(labels, shape_of(logits))


def _outer_size(shape: TensorShape) -> Optional[int]:
    """The product of all but the last dim (None when one is unknown)."""
    dims = shape.as_tuple()[:-1]
    return None if any(d is None for d in dims) else int(np.prod(dims, dtype=np.int64))


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name: Optional[str] = None,
                                         dim=None):
    """Per-example softmax cross-entropy; gradients flow to both logits and labels (TF
    1.15's signature: labels and logits by position too; `dim` is `axis`'s old name)."""
    _named_only("softmax_cross_entropy_with_logits_v2", None, labels, logits)
    axis = deprecated_argument("axis", axis, "dim", dim)
    axis = -1 if axis is None else axis
    logits_t = convert_to_tensor(logits)
    labels_t = _labels_as_logits(labels, logits_t)
    rank = logits_t.shape.ndims
    if rank is None:
        raise ValueError("softmax cross-entropy needs logits of known rank")
    axis = normalize_axis(int(axis), rank, "softmax_cross_entropy_with_logits")
    if axis != rank - 1:
        perm = [i for i in range(rank) if i != axis] + [axis]
        logits_t, labels_t = transpose(logits_t, perm), transpose(labels_t, perm)
    if rank != 2:
        batch_shape = shape_of(logits_t)[:-1]
        classes = logits_t.shape[-1].value or -1
        flat_logits = reshape(logits_t, [-1, classes])
        flat_labels = reshape(labels_t, [-1, classes])
        loss = apply("SoftmaxCrossEntropyWithLogits", (flat_logits, flat_labels))[0]
        return reshape(loss, batch_shape, name=name)
    loss, _ = apply("SoftmaxCrossEntropyWithLogits", (logits_t, labels_t),
                    name=name or "softmax_cross_entropy_with_logits")
    return loss


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name: Optional[str] = None, axis=None):
    """TF1's v1: like v2, but no gradient flows into labels."""
    _named_only("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    labels = stop_gradient(labels)
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits,
                                                axis=dim if axis is None else axis, name=name)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name: Optional[str] = None):
    """Per-example cross-entropy with integer class labels."""
    _named_only("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    logits_t = convert_to_tensor(logits)
    labels_t = convert_to_tensor(labels, dtype_hint=dt.int32)
    lr, br = logits_t.shape.ndims, labels_t.shape.ndims
    if lr is not None and br is not None and br != lr - 1:
        raise ValueError(f"Rank mismatch: Rank of labels (received {br}) should equal rank of "
                         f"logits minus 1 (received {lr}).")
    if lr != 2:  # flattened to [examples, classes] (TF1: also when the rank is unknown)
        classes = logits_t.shape[-1].value if lr is not None else None
        classes = shape_of(logits_t)[-1] if classes is None else classes
        loss = apply("SparseSoftmaxCrossEntropyWithLogits",
                     (reshape(logits_t, [-1, classes]), reshape(labels_t, [-1])))[0]
        return reshape(loss, shape_of(labels_t), name=name)
    loss, _ = apply("SparseSoftmaxCrossEntropyWithLogits", (logits_t, labels_t),
                    name=name or "SparseSoftmaxCrossEntropyWithLogits")
    return loss


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                      name: Optional[str] = None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)), elementwise."""
    _named_only("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    logits_t = convert_to_tensor(logits)
    labels_t = convert_to_tensor(labels, dtype=logits_t.dtype)
    return apply("SigmoidCrossEntropyWithLogits", (logits_t, labels_t),
                 name=name or "logistic_loss")


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None,
                                       name: Optional[str] = None, targets=None):
    """TF1: (1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + max(-x, 0))."""
    labels = targets if labels is None else labels
    x = convert_to_tensor(logits)
    z = convert_to_tensor(labels, dtype=x.dtype)
    q = convert_to_tensor(pos_weight, dtype=x.dtype)
    one = _c(x, 1)
    log_weight = M.add(one, M.multiply(M.subtract(q, one), z))
    tail = M.add(M.log1p(M.exp(M.negative(M.abs(x)))), M.maximum(M.negative(x), _c(x, 0)))
    return M.add(M.multiply(M.subtract(one, z), x), M.multiply(log_weight, tail),
                 name=name or "logistic_loss")


# ------------------------------------------------------------------ composed helpers
def l2_normalize(x, axis=None, epsilon=1e-12, name: Optional[str] = None, dim=None):
    """x / sqrt(max(sum(x**2, axis), epsilon))."""
    axis = deprecated_argument("axis", axis, "dim", dim)
    x = convert_to_tensor(x)
    square_sum = R.reduce_sum(M.square(x), axis, keepdims=True)
    inv = M.rsqrt(M.maximum(square_sum, _c(x, epsilon)))
    return M.multiply(x, inv, name=name or "l2_normalize")


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name: Optional[str] = None,
            rate=None):
    """TF1 dropout: x / keep_prob * floor(keep_prob + uniform[0, 1))."""
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both keep_prob and rate")
    if keep_prob is None and rate is None:
        raise ValueError("You must provide a keep_prob or a rate")
    graph = get_default_graph()
    with graph.name_scope(name or "dropout"):
        x = convert_to_tensor(x)
        if not x.dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be "
                             f"scaled. Got a {x.dtype.name} tensor instead.")
        if rate is not None:
            rate_t = convert_to_tensor(rate, dtype=x.dtype, name="rate")
            keep = M.subtract(_c(x, 1), rate_t)
        else:
            keep = convert_to_tensor(keep_prob, dtype=x.dtype, name="keep_prob")
        if not keep.shape.is_compatible_with(TensorShape([])):
            raise ValueError(f"keep_prob must be a scalar, got '{keep.name}' of shape "
                             f"{keep.shape}")
        value = const_value(keep)
        if value is not None:
            if not 0 < float(value) <= 1:
                raise ValueError(f"keep_prob must be a scalar tensor or a float in the range "
                                 f"(0, 1], got {float(value)}")
            if float(value) == 1:
                return x
        shape = noise_shape if noise_shape is not None else (
            x.shape.as_list() if x.shape.is_fully_defined() else shape_of(x))
        noise = random_uniform(shape, dtype=x.dtype, seed=seed)
        binary = M.floor(M.add(keep, noise))
        out = M.multiply(M.truediv(x, keep), binary)
        out.set_shape(x.shape)  # as TF1: a keep_prob placeholder of unknown shape is a scalar
        return out


def xw_plus_b(x, weights, biases, name: Optional[str] = None):
    """matmul(x, weights) + biases."""
    return bias_add(MM.matmul(x, weights), biases, name=name or "xw_plus_b")


def relu_layer(x, weights, biases, name: Optional[str] = None):
    return relu(xw_plus_b(x, weights, biases), name=name or "relu_layer")


__all__ = []  # the tf.nn namespace is graphc/nn.py

from ..naming import name_builders  # noqa: E402

name_builders(globals())  # the factories' builders take their public names
