"""Rearranging space and depth or batch (NHWC, as TF1 on the CPU).

SpaceToDepth     [N, H, W, C] -> [N, H/b, W/b, b*b*C]: each b x b block into the depth,
                 depth index (row in block * b + column in block) * C + c
DepthToSpace     its inverse
SpaceToBatchND   pad the M spatial dims, then move each block offset into the batch:
                 [B, s1.., rest] -> [B * prod(block), (s1 + pads) / b1 .., rest], the
                 batch index (offset in block) * B + b
BatchToSpaceND   its inverse, cropping after
ExtractImagePatches  [N, H, W, C] -> [N, OH, OW, KH*KW*C]: each (dilated) window,
                 zero-padded as a convolution with SAME/VALID, depth index (i*KW + j)*C + c

All are pure data movement: the llvm backend lowers them as strided copies or table
gathers (backends/llvm/lowering_rules.lower_movement). Each VJP is the inverse movement;
ExtractImagePatches' is TF1's: the patches of the pixel numbers say where each patch
element came from, and an unsorted segment sum adds the gradient back there.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape, unknown_shape
from ._base import apply, const_value, convert_to_tensor, defop
from .conv_geometry import Geometry, check_attrs, patches, spatial
from .slicing_ops import strided_slice
from .generator_ops import range as range_
from .array_ops import reshape, shape as shape_of, stack, transpose
from .array_grads import unsorted_segment_sum
from . import math_ops as M

INDEX = (dt.int32, dt.int64)


def _err(op, message: str) -> ValueError:
    return ValueError(f"{op.type} op '{op.name}': {message}")


def _nhwc(op, x):
    dims = x.shape.as_tuple()
    if dims is not None and len(dims) != 4:
        raise _err(op, f"input '{x.name}' must be 4-D [batch, height, width, depth], got "
                       f"shape {x.shape}")
    return dims if dims is not None else (None,) * 4


def _check_format(op) -> None:
    if op.attrs.get("data_format", "NHWC") != "NHWC":
        raise _err(op, f"only data_format='NHWC' is supported (as TF1 on the CPU), got "
                       f"{op.attrs['data_format']!r}")
    if op.attrs["block_size"] < 2:
        raise _err(op, f"block_size must be at least 2, got {op.attrs['block_size']}")


def _div(d, b):
    return None if d is None else d // b


# ---------------------------------------------------------------- depth <-> space
def _space_to_depth_infer(op):
    x = op.inputs[0]
    _check_format(op)
    n, h, w, c = _nhwc(op, x)
    b = op.attrs["block_size"]
    for d, what in ((h, "height"), (w, "width")):
        if d is not None and d % b:
            raise _err(op, f"the {what} {d} of '{x.name}' is not divisible by block_size {b}")
    return [(x.dtype, TensorShape([n, _div(h, b), _div(w, b), None if c is None else c * b * b]))]


def _depth_to_space_infer(op):
    x = op.inputs[0]
    _check_format(op)
    n, h, w, c = _nhwc(op, x)
    b = op.attrs["block_size"]
    if c is not None and c % (b * b):
        raise _err(op, f"the depth {c} of '{x.name}' is not divisible by block_size * "
                       f"block_size = {b * b}")
    mul = (lambda d: None if d is None else d * b)
    return [(x.dtype, TensorShape([n, mul(h), mul(w), None if c is None else c // (b * b)]))]


def _space_to_depth(x, *, block_size, data_format="NHWC"):
    n, h, w, c = x.shape
    b = block_size
    if h % b or w % b:
        raise InvalidArgumentError(None, None, f"Image height {h} and width {w} must be "
                                   f"divisible by block_size {b}")
    y = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
    return np.ascontiguousarray(y.reshape(n, h // b, w // b, b * b * c))


def _depth_to_space(x, *, block_size, data_format="NHWC"):
    n, h, w, c = x.shape
    b = block_size
    if c % (b * b):
        raise InvalidArgumentError(None, None, f"Input depth dimension {c} should be "
                                   f"divisible by: {b * b}")
    y = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
    return np.ascontiguousarray(y.reshape(n, h * b, w * b, c // (b * b)))


defop("SpaceToDepth", _space_to_depth_infer, _space_to_depth,
      lambda op, grads: [apply("DepthToSpace", (grads[0],), op.attrs)], family="array")
defop("DepthToSpace", _depth_to_space_infer, _depth_to_space,
      lambda op, grads: [apply("SpaceToDepth", (grads[0],), op.attrs)], family="array")


def _block_attrs(fn: str, block_size, data_format) -> dict:
    if not isinstance(block_size, (int, np.integer)):
        raise TypeError(f"{fn}: block_size must be an int, got {block_size!r}")
    return {"block_size": int(block_size), "data_format": data_format or "NHWC"}


def space_to_depth(input, block_size, name: Optional[str] = None,
                   data_format: str = "NHWC"):  # noqa: A002 - TF1's names
    """TF1 `tf.space_to_depth` (also `tf.nn.space_to_depth`)."""
    return apply("SpaceToDepth", (convert_to_tensor(input),),
                 _block_attrs("space_to_depth", block_size, data_format),
                 name=name or "SpaceToDepth")


def depth_to_space(input, block_size, name: Optional[str] = None,
                   data_format: str = "NHWC"):  # noqa: A002 - TF1's names
    """TF1 `tf.depth_to_space` (also `tf.nn.depth_to_space`)."""
    return apply("DepthToSpace", (convert_to_tensor(input),),
                 _block_attrs("depth_to_space", block_size, data_format),
                 name=name or "DepthToSpace")


# ---------------------------------------------------------------- space <-> batch
def _block_values(op):
    """(block shape, pads [M, 2]) when known at build time, else None each."""
    x, block, pads = op.inputs
    for t, what in ((block, "block_shape"), (pads, "paddings/crops")):
        if t.dtype not in INDEX:
            raise TypeError(f"{op.type} op '{op.name}': {what} '{t.name}' must be int32 or "
                            f"int64, got {t.dtype.name}")
    bv, pv = const_value(block), const_value(pads)
    bv = None if bv is None else [int(v) for v in np.asarray(bv).reshape(-1)]
    if pv is not None:
        pv = np.asarray(pv)
        if bv is not None and pv.shape != (len(bv), 2):
            raise _err(op, f"paddings/crops must have shape [{len(bv)}, 2], got "
                           f"{list(pv.shape)}")
    if bv is not None and any(b < 1 for b in bv):
        raise _err(op, f"block_shape must be positive, got {bv}")
    if pv is not None and np.any(pv < 0):
        raise _err(op, f"paddings/crops must be non-negative, got {pv.tolist()}")
    return bv, pv


def _batch_infer(op, to_batch: bool):
    x = op.inputs[0]
    block, pads = _block_values(op)
    dims = x.shape.as_tuple()
    if block is None or dims is None:
        return [(x.dtype, unknown_shape(None if dims is None else len(dims)))]
    m = len(block)
    if len(dims) < m + 1:
        raise _err(op, f"input '{x.name}' (shape {x.shape}) needs rank >= {m + 1} for a "
                       f"block_shape of {m} dims")
    prod = int(np.prod(block))
    out = list(dims)
    batch = dims[0]
    if to_batch:
        out[0] = None if batch is None else batch * prod
    else:
        if batch is not None and batch % prod:
            raise _err(op, f"the batch {batch} of '{x.name}' is not divisible by the product "
                           f"of block_shape {prod}")
        out[0] = None if batch is None else batch // prod
    for i, b in enumerate(block):
        d = dims[1 + i]
        if d is None or pads is None:
            out[1 + i] = None
        elif to_batch:
            total = d + int(pads[i, 0]) + int(pads[i, 1])
            if total % b:
                raise _err(op, f"padded spatial dim {i} ({total}) is not divisible by "
                               f"block_shape[{i}] = {b}")
            out[1 + i] = total // b
        else:
            total = d * b - int(pads[i, 0]) - int(pads[i, 1])
            if total < 0:
                raise _err(op, f"crops {pads[i].tolist()} are larger than spatial dim {i} "
                               f"({d * b})")
            out[1 + i] = total
    return [(x.dtype, TensorShape(out))]


def _check_block(x, block, pads, what: str):
    block = [int(b) for b in np.asarray(block).reshape(-1)]
    pads = np.asarray(pads, np.int64).reshape(len(block), 2) if len(block) else \
        np.zeros((0, 2), np.int64)
    if x.ndim < len(block) + 1 or any(b < 1 for b in block) or np.any(pads < 0):
        raise InvalidArgumentError(None, None, f"input of shape {list(x.shape)} with "
                                   f"block_shape {block} and {what} {pads.tolist()} is invalid")
    return block, pads


def _space_to_batch(x, block, pads):
    block, pads = _check_block(x, block, pads, "paddings")
    m = len(block)
    width = [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)] * (x.ndim - 1 - m)
    xp = np.pad(x, width)
    spatial = xp.shape[1:1 + m]
    for i, (s, b) in enumerate(zip(spatial, block)):
        if s % b:
            raise InvalidArgumentError(None, None, f"padded_shape[{i}]={s} is not divisible "
                                       f"by block_shape[{i}]={b}")
    rest = xp.shape[1 + m:]
    split = [xp.shape[0]]
    for s, b in zip(spatial, block):
        split += [s // b, b]
    y = xp.reshape(split + list(rest))
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, y.ndim))
    y = y.transpose(perm)
    return np.ascontiguousarray(y.reshape([xp.shape[0] * int(np.prod(block))] +
                                          [s // b for s, b in zip(spatial, block)] + list(rest)))


def _batch_to_space(x, block, crops):
    block, crops = _check_block(x, block, crops, "crops")
    m = len(block)
    prod = int(np.prod(block))
    if x.shape[0] % prod:
        raise InvalidArgumentError(None, None, f"Input batch dimension ({x.shape[0]}) is not "
                                   f"divisible by product of block sizes ({prod})")
    batch = x.shape[0] // prod
    spatial, rest = x.shape[1:1 + m], x.shape[1 + m:]
    y = x.reshape(list(block) + [batch] + list(spatial) + list(rest))
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, y.ndim))
    y = y.transpose(perm).reshape([batch] + [s * b for s, b in zip(spatial, block)] +
                                  list(rest))
    index = [slice(None)]
    for i, (lo, hi) in enumerate(crops):
        full = y.shape[1 + i]
        if lo + hi > full:
            raise InvalidArgumentError(None, None, f"crops must be less than or equal to the "
                                       f"spatial size {full} of dim {i}, got {[lo, hi]}")
        index.append(slice(int(lo), full - int(hi)))
    return np.ascontiguousarray(y[tuple(index)])


defop("SpaceToBatchND", lambda op: _batch_infer(op, True), _space_to_batch,
      lambda op, grads: [apply("BatchToSpaceND", (grads[0], op.inputs[1], op.inputs[2])),
                         None, None], family="array")
defop("BatchToSpaceND", lambda op: _batch_infer(op, False), _batch_to_space,
      lambda op, grads: [apply("SpaceToBatchND", (grads[0], op.inputs[1], op.inputs[2])),
                         None, None], family="array")


def _index(value, what: str):
    v = convert_to_tensor(value, dtype_hint=dt.int32, name=what)
    return v


def space_to_batch_nd(input, block_shape, paddings, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.space_to_batch_nd`."""
    return apply("SpaceToBatchND", (convert_to_tensor(input), _index(block_shape, "block_shape"),
                                    _index(paddings, "paddings")),
                 name=name or "SpaceToBatchND")


def batch_to_space_nd(input, block_shape, crops, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.batch_to_space_nd`."""
    return apply("BatchToSpaceND", (convert_to_tensor(input), _index(block_shape, "block_shape"),
                                    _index(crops, "crops")), name=name or "BatchToSpaceND")


def _square_block(fn: str, block_size, block_shape):
    if block_shape is not None:
        if block_size is not None:
            raise ValueError(f"{fn}: give block_size or block_shape, not both")
        return block_shape
    if block_size is None:
        raise TypeError(f"{fn}() missing required argument: 'block_size'")
    return np.int64([block_size, block_size]) if isinstance(block_size, (int, np.integer)) \
        else block_size


def space_to_batch(input, paddings, block_size=None, name: Optional[str] = None,
                   block_shape=None):  # noqa: A002 - TF1's names
    """TF1 `tf.space_to_batch`: space_to_batch_nd over height and width with a square
    block."""
    return space_to_batch_nd(input, _square_block("space_to_batch", block_size, block_shape),
                             paddings, name=name or "SpaceToBatchND")


def batch_to_space(input, crops, block_size=None, name: Optional[str] = None,
                   block_shape=None):  # noqa: A002 - TF1's names
    """TF1 `tf.batch_to_space`: batch_to_space_nd over height and width with a square
    block."""
    return batch_to_space_nd(input, _square_block("batch_to_space", block_size, block_shape),
                             crops, name=name or "BatchToSpaceND")


# ---------------------------------------------------------------- image patches
def _patch_geometry(attrs, hw) -> Geometry:
    return Geometry(hw, *(spatial(attrs[key], key, "ExtractImagePatches", 2)
                          for key in ("ksizes", "strides", "rates")), attrs["padding"])


def _patches_infer(op):
    x = op.inputs[0]
    check_attrs(op, 2, keys=("strides",))
    if not (x.dtype.is_floating or x.dtype.is_integer):
        raise TypeError(f"ExtractImagePatches op '{op.name}' takes real numbers, got "
                        f"{x.dtype.name}")
    for key in ("ksizes", "rates"):
        if any(v < 1 for v in op.attrs[key]):
            raise _err(op, f"{key} must be positive, got {op.attrs[key]}")
    n, h, w, c = _nhwc(op, x)
    g = _patch_geometry(op.attrs, (h, w))
    depth = None if c is None else g.k[0] * g.k[1] * c
    return [(x.dtype, TensorShape([n, *g.out, depth]))]


def _extract_patches(x, *, ksizes, strides, rates, padding):
    g = _patch_geometry({"ksizes": ksizes, "strides": strides, "rates": rates,
                         "padding": padding}, x.shape[1:3])
    p = patches(x, g, fill=0)
    return np.ascontiguousarray(p.reshape(x.shape[0], *g.out, -1))


def _patches_vjp(op, grads):
    """TF1's rule: number the pixels 1..H*W (0 is the padding), take their patches, and
    sum each patch element's gradient into the pixel it came from."""
    x = op.inputs[0]
    g = grads[0]
    dims = shape_of(x)
    h, w, c = (strided_slice(dims, [i], [i + 1], [1], shrink_axis_mask=1) for i in (1, 2, 3))
    pixels = M.multiply(h, w)
    numbers = reshape(range_(1, M.add(pixels, 1)), stack([1, h, w, 1]))
    where = apply("ExtractImagePatches", (numbers,), op.attrs)   # [1, OH, OW, KH*KW]
    n = strided_slice(dims, [0], [1], [1], shrink_axis_mask=1)
    rows = transpose(reshape(g, stack([n, -1, c])), [1, 0, 2])     # [OH*OW*KH*KW, N, C]
    summed = unsorted_segment_sum(rows, reshape(where, [-1]), M.add(pixels, 1))
    pixels_grad = strided_slice(summed, [1], [0], [1], end_mask=1)  # drop the padding row
    return [transpose(reshape(pixels_grad, stack([h, w, n, c])), [2, 0, 1, 3])]


defop("ExtractImagePatches", _patches_infer, _extract_patches, _patches_vjp, family="array")


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None,
                          name: Optional[str] = None, sizes=None):
    """TF1 `tf.extract_image_patches` (`sizes` is TF2's spelling of `ksizes`)."""
    if (ksizes is None) == (sizes is None):
        raise ValueError("extract_image_patches takes ksizes (or its alias sizes), exactly "
                         "one of them")
    for what, value in (("strides", strides), ("rates", rates), ("padding", padding)):
        if value is None:
            raise TypeError(f"extract_image_patches() missing required argument: '{what}'")
    attrs = {"ksizes": [int(k) for k in (ksizes if sizes is None else sizes)],
             "strides": [int(s) for s in strides], "rates": [int(r) for r in rates],
             "padding": str(padding)}
    return apply("ExtractImagePatches", (convert_to_tensor(images),), attrs,
                 name=name or "ExtractImagePatches")


def extract_patches(images, sizes, strides, rates, padding, name: Optional[str] = None):
    """TF1 `tf.image.extract_patches`: extract_image_patches with TF2's names."""
    return extract_image_patches(images, sizes=sizes, strides=strides, rates=rates,
                                 padding=padding, name=name)
