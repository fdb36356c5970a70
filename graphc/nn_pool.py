"""TF1's remaining tf.nn pooling and morphology functions, compositions as TF1's:

- `pool`: N-d max/average pooling with dilation, through `with_space_to_batch` (TF1's
  nn_ops.pool: a dilated window is an undilated one on the space-to-batch rearranged
  input), 1-D as 2-D on a height-1 image;
- `with_space_to_batch` and `required_space_to_batch_paddings` (TF1's array_ops);
- `erosion2d`: -dilation2d(-x, the kernel reflected), TF1's definition;
- `batch_norm_with_global_normalization`: TF1's deprecated batch norm over given moments;
- `max_pool_with_argmax` and `dilation2d`, the ops (ir/ops/morphology_ops.py).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import array_ops as A, math_ops as M
from .ir.ops._base import const_value, convert_to_tensor, deprecated_argument
from .ir.ops.conv_ops import avg_pool, max_pool
from .ir.ops.conv3d_ops import avg_pool3d, max_pool3d
from .ir.ops.morphology_ops import dilation2d, max_pool_with_argmax
from .ir.ops.norm_ops import batch_normalization
from .ir.ops.slicing_ops import strided_slice
from .ir.ops.space_ops import batch_to_space_nd, space_to_batch_nd
from .ir.ops.tile_pad_ops import reverse


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None,
                                     name: Optional[str] = None):
    """TF1 `tf.required_space_to_batch_paddings`: (paddings, crops), int32 [n, 2] tensors,
    that make each padded dim of `input_shape` a multiple of `block_shape` (base_paddings
    first, the extra at the end)."""
    paddings, crops = _paddings_and_crops(input_shape, block_shape, base_paddings, name)
    if isinstance(paddings, np.ndarray):
        return (convert_to_tensor(paddings, name="paddings"),
                convert_to_tensor(crops, name="crops"))
    return paddings, crops


def _paddings_and_crops(input_shape, block_shape, base_paddings, name):
    """required_space_to_batch_paddings' results: numpy int32 arrays when every argument
    is known when the graph is built, tensors otherwise."""
    given = [input_shape, block_shape, base_paddings]
    known = [v if not hasattr(v, "_as_tensor") else const_value(v._as_tensor())
             for v in given]
    if all(k is not None for k in known[:2]) and (base_paddings is None or
                                                  known[2] is not None):
        shape_v = np.asarray(known[0], np.int64).reshape(-1)
        block = np.asarray(known[1], np.int64).reshape(-1)
        base = np.zeros((block.size, 2), np.int64) if base_paddings is None else \
            np.asarray(known[2], np.int64).reshape(-1, 2)
        full = shape_v + base[:, 0] + base[:, 1]
        extra = (block - full % block) % block
        return (np.stack([base[:, 0], base[:, 1] + extra], 1).astype(np.int32),
                np.stack([np.zeros_like(extra), extra], 1).astype(np.int32))
    with get_default_graph().name_scope(name or "required_space_to_batch_paddings"):
        shape_t = convert_to_tensor(input_shape, dtype_hint=dt.int32, name="input_shape")
        block = M.cast(convert_to_tensor(block_shape, dtype_hint=dt.int32,
                                         name="block_shape"), shape_t.dtype)
        base = M.cast(convert_to_tensor(np.zeros((len(known[1]) if known[1] is not None
                                                  else 0, 2), np.int32)
                                        if base_paddings is None else base_paddings,
                                        dtype_hint=dt.int32, name="base_paddings"),
                      shape_t.dtype)
        start = strided_slice(base, [0, 0], [0, 1], [1, 1], begin_mask=1, end_mask=1,
                              shrink_axis_mask=2)
        end = strided_slice(base, [0, 1], [0, 2], [1, 1], begin_mask=1, end_mask=1,
                            shrink_axis_mask=2)
        full = M.add(M.add(shape_t, start), end)
        extra = M.floormod(M.subtract(block, M.floormod(full, block)), block)
        return (A.stack([start, M.add(end, extra)], axis=1, name="paddings"),
                A.stack([M.multiply(extra, 0), extra], axis=1, name="crops"))


def _ints(value, n: int, what: str) -> list:
    v = [int(x) for x in np.asarray(value).reshape(-1)]
    if len(v) == 1:
        v = v * n
    if len(v) != n:
        raise ValueError(f"{what} must have {n} entries, got {v}")
    return v


def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None,  # noqa: A002
                        spatial_dims=None, data_format=None):
    """TF1 `tf.nn.with_space_to_batch`: `op(converted_input, num_spatial_dims, padding)`
    run on the input rearranged by space_to_batch_nd with block `dilation_rate`, and the
    result rearranged back; `op` itself with the input as given when the rate is all 1."""
    x = convert_to_tensor(input, name="input")
    rate = const_value(convert_to_tensor(dilation_rate, dtype_hint=dt.int32))
    if rate is None:
        raise ValueError("with_space_to_batch: dilation_rate must be known when the graph "
                         "is built")
    rate = np.asarray(rate, np.int64).reshape(-1)
    n = rate.size
    if np.any(rate < 1):
        raise ValueError(f"dilation_rate must be positive, got {list(rate)}")
    starts_nc = data_format is not None and data_format.startswith("NC")
    dims = list(spatial_dims) if spatial_dims is not None else \
        list(range(2, n + 2) if starts_nc else range(1, n + 1))
    if dims != sorted(dims) or len(dims) != n or dims[0] < 1:
        raise ValueError(f"spatial_dims must be {n} increasing dims after the batch, got "
                         f"{dims}")
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    if np.all(rate == 1):
        return op(x, n, padding)
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError("filter_shape must be specified for SAME padding")
        f = np.asarray(_ints(filter_shape, n, "filter_shape"), np.int64)
        extra = (f - 1) * rate
        base = np.stack([extra // 2, extra - extra // 2], 1)
    else:
        base = np.zeros((n, 2), np.int64)
    known = x.shape.as_tuple()
    if known is not None and all(known[d] is not None for d in dims):
        in_shape = np.asarray([known[d] for d in dims], np.int64)
    else:
        in_shape = A.stack([A.shape(x)[d] for d in dims])
    paddings, crops = _paddings_and_crops(in_shape, rate, base, None)
    # block dims run from the first spatial dim to the last; others get block 1, no pads
    first, last = dims[0], dims[-1]
    block = np.ones(last - first + 1, np.int64)
    block[np.asarray(dims) - first] = rate
    if isinstance(paddings, np.ndarray):
        full_p = np.zeros((block.size, 2), np.int32)
        full_c = np.zeros((block.size, 2), np.int32)
        full_p[np.asarray(dims) - first], full_c[np.asarray(dims) - first] = paddings, crops
        paddings, crops = full_p, full_c
    elif block.size != n:
        raise NotImplementedError("with_space_to_batch: non-adjacent spatial_dims need "
                                  "the input's spatial sizes known when the graph is built")
    converted = space_to_batch_nd(x, block.astype(np.int32), paddings)
    result = op(converted, n, "VALID")
    return batch_to_space_nd(result, block.astype(np.int32), crops)


def pool(input, window_shape, pooling_type, padding, dilation_rate=None,  # noqa: A002
         strides=None, name: Optional[str] = None, data_format=None, dilations=None):
    """TF1 `tf.nn.pool`: max ("MAX") or average ("AVG") pooling over 1 to 3 spatial dims,
    with strides or a dilation rate (not both above 1, and dilation with 'VALID' padding
    only, as TF1)."""
    dilation_rate = deprecated_argument("dilations", dilations, "dilation_rate",
                                        dilation_rate)
    window = [int(w) for w in window_shape]
    n = len(window)
    if not 1 <= n <= 3:
        raise ValueError(f"It is required that 1 <= num_spatial_dims <= 3, got {n}")
    if data_format is not None and data_format.startswith("NC"):
        raise ValueError(f"pool supports channels-last data formats only, got "
                         f"{data_format!r}")
    x = convert_to_tensor(input, name="input")
    if x.shape.ndims is not None and x.shape.ndims != n + 2:
        raise ValueError(f"pool: input must be rank {n + 2} for a {n}-d window, got shape "
                         f"{x.shape}")
    strides = [1] * n if strides is None else _ints(strides, n, "strides")
    rate = [1] * n if dilation_rate is None else _ints(dilation_rate, n, "dilation_rate")
    if any(s < 1 for s in strides) or any(r < 1 for r in rate):
        raise ValueError(f"strides {strides} and dilation_rate {rate} must be positive")
    if any(s > 1 for s in strides) and any(r > 1 for r in rate):
        raise ValueError(f"strides > 1 not supported in conjunction with dilation_rate > 1 "
                         f"(got strides {strides}, dilation_rate {rate})")
    if padding == "SAME" and any(r > 1 for r in rate):
        raise ValueError(f"pooling with 'SAME' padding is not implemented for "
                         f"`dilation_rate` > 1. Received: padding={padding} and "
                         f"dilation_rate={rate}")
    kinds = {"MAX": {1: max_pool, 2: max_pool, 3: max_pool3d},
             "AVG": {1: avg_pool, 2: avg_pool, 3: avg_pool3d}}
    if pooling_type not in kinds:
        raise ValueError(f"Invalid pooling_type: {pooling_type!r} (expected 'MAX' or 'AVG')")
    fn = kinds[pooling_type][n]
    with get_default_graph().name_scope(name or f"{pooling_type.lower()}_pool"):
        if n == 1:  # as 2-D on [N, 1, W, C]
            def one_d(converted, _, pad):
                out = fn(A.expand_dims(converted, 1), [1, 1, window[0], 1],
                         [1, 1, strides[0], 1], pad)
                return A.squeeze(out, [1])
            return with_space_to_batch(x, rate, padding, one_d, filter_shape=window)
        return with_space_to_batch(
            x, rate, padding, lambda converted, _, pad: fn(converted, [1, *window, 1],
                                                           [1, *strides, 1], pad),
            filter_shape=window)


def erosion2d(value, kernel, strides, rates, padding, name: Optional[str] = None):
    """TF1 `tf.nn.erosion2d`: grayscale erosion, -dilation2d(-value, kernel reflected)."""
    with get_default_graph().name_scope(name or "erosion2d"):
        x = convert_to_tensor(value, name="value")
        k = convert_to_tensor(kernel, dtype=x.dtype, name="kernel")
        return M.negative(dilation2d(M.negative(x), reverse(k, [0, 1]), strides, rates,
                                     padding))


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None,
                                         variance_epsilon=None,
                                         scale_after_normalization=None,
                                         name: Optional[str] = None, input=None,  # noqa: A002
                                         mean=None, variance=None):
    """TF1 `tf.nn.batch_norm_with_global_normalization`: batch_normalization with the
    given mean and variance, scaled by gamma only if scale_after_normalization."""
    t = deprecated_argument("input", input, "t", t)
    m = deprecated_argument("mean", mean, "m", m)
    v = deprecated_argument("variance", variance, "v", v)
    for what, value in (("t", t), ("m", m), ("v", v), ("beta", beta), ("gamma", gamma),
                        ("variance_epsilon", variance_epsilon),
                        ("scale_after_normalization", scale_after_normalization)):
        if value is None:
            raise TypeError(f"batch_norm_with_global_normalization() missing required "
                            f"argument: '{what}'")
    return batch_normalization(t, m, v, beta, gamma if scale_after_normalization else None,
                               variance_epsilon, name=name or "batchnorm")


NN_POOL = {f.__name__: f for f in (pool, with_space_to_batch, erosion2d,
                                   batch_norm_with_global_normalization,
                                   max_pool_with_argmax, dilation2d)}
