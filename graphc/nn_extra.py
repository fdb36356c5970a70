"""The rest of `tf.nn` that project code uses, as TF1's compositions of graphc's ops:
crelu, swish/silu, log_poisson_loss, sufficient_statistics, normalize_moments,
weighted_moments, compute_average_loss and scale_regularization_loss (one replica),
collapse_repeated (CTC labels), the depthwise_conv2d_native family under its TF1 names,
and approx_max_k / approx_min_k / approx_top_k, which return the exact top k (sorted;
recall 1 meets any recall_target, as TF's CPU kernel, which sorts).
"""
from __future__ import annotations

import math

import numpy as np

from .api import name_scope
from .ir import dtypes as dt
from .ir.ops import array_ops as A, math_ops as M, nn_ops
from .ir.ops import generator_ops as G
from .ir.ops import reduce_ops as R
from .ir.ops import slicing_ops as S
from .ir.ops.generator_ops import sequence_mask
from .ir.ops.slicing_ops import boolean_mask
from .ir.ops._base import apply, convert_to_tensor, deprecated_argument, static_int_list
from .ir.ops.array_grads import scatter_nd
from .ir.ops.conv_geometry import conv_attrs
from .ir.ops.sort_ops import top_k

__all__ = ["crelu", "swish", "silu", "log_poisson_loss", "sufficient_statistics",
           "normalize_moments", "weighted_moments", "compute_average_loss",
           "scale_regularization_loss", "collapse_repeated", "depthwise_conv2d_native",
           "depthwise_conv2d_native_backprop_input", "depthwise_conv2d_native_backprop_filter",
           "approx_max_k", "approx_min_k", "approx_top_k"]


def crelu(features, name=None, axis=-1):
    """TF1 `tf.nn.crelu`: [relu(x), relu(-x)] concatenated along `axis`."""
    with name_scope(name, "CRelu", [features]):
        x = convert_to_tensor(features, name="features")
        return A.concat([nn_ops.relu(x), nn_ops.relu(M.negative(x))], axis)


def swish(features, beta=1.0):
    """TF1 `tf.nn.swish` (also `silu`): x * sigmoid(beta * x)."""
    x = convert_to_tensor(features, name="features")
    with name_scope(None, "swish", [x]):
        scaled = x if beta == 1.0 else M.multiply(x, convert_to_tensor(beta, dtype=x.dtype))
        return M.multiply(x, M.sigmoid(scaled))


silu = swish


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """TF1 `tf.nn.log_poisson_loss`: exp(log_input) - log_input * targets, plus the
    Stirling term targets log targets - targets + 0.5 log(2 pi targets) for targets > 1
    when `compute_full_loss`."""
    with name_scope(name, "log_poisson_loss", [log_input, targets]):
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets", dtype=log_input.dtype)
        if not log_input.shape.is_compatible_with(targets.shape):
            raise ValueError(f"log_input and targets must have the same shape "
                             f"({log_input.shape} vs {targets.shape})")
        result = M.subtract(M.exp(log_input), M.multiply(log_input, targets))
        if compute_full_loss:
            np_dtype = targets.dtype.np
            stirling = M.add(M.subtract(M.multiply(targets, M.log(targets)), targets),
                             M.multiply(np.asarray(0.5, np_dtype), M.log(M.multiply(
                                 np.asarray(2 * math.pi, np_dtype), targets))))
            zeros = G.zeros_like(targets)
            small = M.logical_and(M.greater_equal(targets, zeros),
                                  M.less_equal(targets, G.ones_like(targets)))
            result = M.add(result, M.where_v2(small, zeros, stirling))
        return result


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """TF1 `tf.nn.sufficient_statistics`: (count, sum of x - shift, sum of (x - shift)^2,
    shift) over `axes`; the count is a constant when the graph knows those dims."""
    keep = bool(deprecated_argument("keepdims", keepdims, "keep_dims", keep_dims))
    axes = static_int_list(axes, "axes")
    with name_scope(name, "sufficient_statistics", [x, shift]):
        x = convert_to_tensor(x, name="x")
        dims = x.shape.as_tuple()
        if dims is not None and all(dims[d] is not None for d in axes):
            counts = convert_to_tensor(np.asarray(np.prod([dims[d] for d in axes]),
                                                  x.dtype.np))
        else:
            counts = R.reduce_prod(S.gather(M.cast(A.shape(x), x.dtype), axes), name="count")
        if shift is not None:
            shift = convert_to_tensor(shift, name="shift", dtype=x.dtype)
            m_ss, v_ss = M.subtract(x, shift), M.squared_difference(x, shift)
        else:
            m_ss, v_ss = x, M.square(x)
        m_ss = R.reduce_sum(m_ss, axes, keepdims=keep, name="mean_ss")
        v_ss = R.reduce_sum(v_ss, axes, keepdims=keep, name="var_ss")
    return counts, m_ss, v_ss, shift


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """TF1 `tf.nn.normalize_moments`: (mean, variance) from sufficient statistics."""
    with name_scope(name, "normalize", [counts, mean_ss, variance_ss, shift]):
        mean_ss = convert_to_tensor(mean_ss, name="mean_ss")
        divisor = M.reciprocal(convert_to_tensor(counts, dtype=mean_ss.dtype), name="divisor")
        shifted_mean = M.multiply(mean_ss, divisor)
        mean = shifted_mean if shift is None else M.add(
            shifted_mean, convert_to_tensor(shift, dtype=mean_ss.dtype), name="mean")
        variance = M.subtract(M.multiply(convert_to_tensor(variance_ss, dtype=mean_ss.dtype),
                                         divisor), M.square(shifted_mean), name="variance")
        return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """TF1 `tf.nn.weighted_moments`: the frequency-weighted mean and variance over
    `axes` (two passes; float16 computed in float32)."""
    keep = bool(deprecated_argument("keepdims", keepdims, "keep_dims", keep_dims))
    axes = static_int_list(axes, "axes")
    with name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        half = x.dtype is dt.float16
        if half:
            x = M.cast(x, dt.float32)
        if weights.dtype is not x.dtype:
            weights = M.cast(weights, x.dtype)
        weighted_sum = R.reduce_sum(M.multiply(weights, x), axes, keepdims=True,
                                    name="weighted_input_sum")
        total = R.reduce_sum(M.add(weights, G.zeros_like(x)), axes, keepdims=True,
                             name="sum_of_weights")
        divisor = M.reciprocal(total, name="inv_weight_sum")
        mean = M.multiply(weighted_sum, divisor)
        distsq = R.reduce_sum(M.multiply(weights, M.squared_difference(x, mean)), axes,
                              keepdims=True, name="weighted_distsq")
        variance = M.multiply(distsq, divisor)
        if not keep:
            mean, variance = A.squeeze(mean, axes), A.squeeze(variance, axes)
        if half:
            mean, variance = M.cast(mean, dt.float16), M.cast(variance, dt.float16)
        return mean, variance


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """TF's `tf.nn.compute_average_loss`: sum(per_example_loss * sample_weight) /
    global_batch_size (the batch size, one replica, when not given)."""
    loss = convert_to_tensor(per_example_loss, name="per_example_loss")
    if loss.shape.ndims == 0:
        raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor "
                         f"with at least rank 1, received: {loss.name}")
    dtype = loss.dtype
    if sample_weight is not None:
        loss = M.multiply(loss, M.cast(convert_to_tensor(sample_weight), dtype))
    if global_batch_size is None:
        global_batch_size = A.shape(loss)[0]
    else:
        size = convert_to_tensor(global_batch_size)
        if size.shape.ndims not in (None, 0):
            raise ValueError("global_batch_size must be scalar.")
        if not size.dtype.is_integer:
            raise TypeError("global_batch_size must be an integer.")
        if isinstance(global_batch_size, (int, np.integer)) and global_batch_size <= 0:
            raise ValueError("global_batch_size must be positive.")
        global_batch_size = size
    return M.divide(R.reduce_sum(loss), M.cast(global_batch_size, dtype))


def scale_regularization_loss(regularization_loss):
    """TF's `tf.nn.scale_regularization_loss`: the loss summed, over one replica."""
    return R.reduce_sum(convert_to_tensor(regularization_loss, name="regularization_loss"))


def collapse_repeated(labels, seq_length, name=None):
    """TF1 `tf.nn.collapse_repeated`: each row's runs of one label merged into one, within
    its `seq_length`; returns (collapsed [batch, new max length], new lengths)."""
    with name_scope(name, "collapse_repeated_labels", [labels, seq_length]):
        labels = convert_to_tensor(labels, name="labels")
        seq_length = convert_to_tensor(seq_length, name="seq_length")
        first = G.ones_like(labels[:, :1])
        mask = A.concat([M.cast(first, dt.bool_), M.not_equal(labels[:, 1:], labels[:, :-1])],
                        axis=1)
        mask = M.logical_and(mask, sequence_mask(seq_length, maxlen=A.shape(labels)[1]))
        new_len = R.reduce_sum(M.cast(mask, dt.int32), axis=1)
        new_max = R.reduce_max(new_len)
        flat_keep = A.reshape(sequence_mask(new_len, maxlen=new_max), [-1])
        idx = G.range(A.shape(flat_keep)[0])
        flat = scatter_nd(A.expand_dims(boolean_mask(idx, flat_keep), 1),
                          boolean_mask(A.reshape(labels, [-1]), A.reshape(mask, [-1])),
                          A.shape(flat_keep))
        out = A.reshape(flat, A.stack([A.shape(labels)[0], new_max]))
        return out, M.cast(new_len, seq_length.dtype)


# ------------------------------------------------------------------ depthwise, TF1's names
def _depthwise(op_type, inputs, strides, padding, data_format, dilations, name):
    return apply(op_type, inputs, conv_attrs(strides, padding, dilations, data_format, 2),
                 name=name or op_type)


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=[1, 1, 1, 1], name=None):  # noqa: B006 (TF1's default)
    """TF1 `tf.nn.depthwise_conv2d_native`: the DepthwiseConv2dNative op."""
    x = convert_to_tensor(input, name="input")
    f = convert_to_tensor(filter, name="filter", dtype=x.dtype)
    return _depthwise("DepthwiseConv2dNative", (x, f), strides, padding, data_format,
                      dilations, name)


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop,  # noqa: A002
                                           strides, padding, data_format="NHWC",
                                           dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """TF1 `tf.nn.depthwise_conv2d_native_backprop_input` (also
    `depthwise_conv2d_backprop_input`): the gradient with respect to the input."""
    f = convert_to_tensor(filter, name="filter")
    inputs = (convert_to_tensor(input_sizes, name="input_sizes", dtype=dt.int32), f,
              convert_to_tensor(out_backprop, name="out_backprop", dtype=f.dtype))
    return _depthwise("DepthwiseConv2dNativeBackpropInput", inputs, strides, padding,
                      data_format, dilations, name)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop,  # noqa: A002
                                            strides, padding, data_format="NHWC",
                                            dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """TF1 `tf.nn.depthwise_conv2d_native_backprop_filter` (also
    `depthwise_conv2d_backprop_filter`): the gradient with respect to the filter."""
    x = convert_to_tensor(input, name="input")
    inputs = (x, convert_to_tensor(filter_sizes, name="filter_sizes", dtype=dt.int32),
              convert_to_tensor(out_backprop, name="out_backprop", dtype=x.dtype))
    return _depthwise("DepthwiseConv2dNativeBackpropFilter", inputs, strides, padding,
                      data_format, dilations, name)


# ------------------------------------------------------------------ approximate top k
def approx_top_k(input, k, reduction_dimension=-1, recall_target=0.95,  # noqa: A002
                 is_max_k=True, reduction_input_size_override=-1, aggregate_to_topk=True,
                 name=None):
    """TF `tf.approx_top_k`: (values, int32 indices) of the k largest (smallest unless
    `is_max_k`) entries along `reduction_dimension`, exact and sorted."""
    if not 0.0 < recall_target <= 1.0:
        raise ValueError(f"recall_target must be in (0, 1], got {recall_target}")
    if not aggregate_to_topk:
        raise NotImplementedError("approx_top_k(aggregate_to_topk=False) is not supported "
                                  "by graphc")
    with name_scope(name, "ApproxTopK", [input]):
        x = convert_to_tensor(input, name="input")
        rank = x.shape.ndims
        if rank is None:
            raise ValueError(f"approx_top_k: the rank of {x.name!r} must be known")
        axis = reduction_dimension % rank
        perm = list(range(rank))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        moved = x if axis == rank - 1 else A.transpose(x, perm)
        values, indices = top_k(moved if is_max_k else M.negative(moved), k)
        if not is_max_k:
            values = M.negative(values)
        if axis != rank - 1:
            values, indices = A.transpose(values, perm), A.transpose(indices, perm)
        return values, indices


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """TF `tf.math.approx_max_k`: approx_top_k's k largest."""
    return approx_top_k(operand, k, reduction_dimension, recall_target, True,
                        reduction_input_size_override, aggregate_to_topk, name)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """TF `tf.math.approx_min_k`: approx_top_k's k smallest."""
    return approx_top_k(operand, k, reduction_dimension, recall_target, False,
                        reduction_input_size_override, aggregate_to_topk, name)


NN = {f.__name__: f for f in (crelu, swish, log_poisson_loss, sufficient_statistics,
                              normalize_moments, weighted_moments, compute_average_loss,
                              scale_regularization_loss, collapse_repeated,
                              depthwise_conv2d_native, depthwise_conv2d_native_backprop_input,
                              depthwise_conv2d_native_backprop_filter, approx_max_k,
                              approx_min_k)}
NN.update(silu=swish, depthwise_conv2d_backprop_input=depthwise_conv2d_native_backprop_input,
          depthwise_conv2d_backprop_filter=depthwise_conv2d_native_backprop_filter)
