"""The window arithmetic of convolution and pooling, for any number of spatial dims.

One `Geometry` class serves every windowed op: Conv2D and Conv3D, the depthwise
convolutions, MaxPool/AvgPool in 2-D and 3-D, ExtractImagePatches, the fused
convolutions, and the llvm backend's convolution lowering. Beside it are what those op
families share, written once for any rank (the rank is the input's minus two, batch
and channels, or given where only an op's attrs are known):

- TF1's attr lists ([1, h, w, 1] in NHWC, [1, d, h, w, 1] in NDHWC) and their checks;
- im2col (`patches`: the padded input's windows as [N, *out, *kernel, C]) and its
  adjoint `col2im`, so a convolution is one matmul and its gradients are matmuls plus
  a scatter;
- the shape inference and numpy semantics of the convolutions and their two backprop
  ops, of max and average pooling and their gradients, and their VJP rules (TF1's: the
  backprop ops are convolutions again, so second derivatives work).

conv_ops (2-D) and conv3d_ops (3-D) register these under TF1's op names.
"""
from __future__ import annotations

import functools
import itertools
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value, const_value_as_shape
from .array_ops import shape as shape_op

FLOATS = dt.FLOATS
LAYOUTS = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
_SPATIAL_NAMES = {1: "w", 2: "h, w", 3: "d, h, w"}


# ---------------------------------------------------------------- geometry
def out_size(size: Optional[int], k: int, stride: int, dilation: int, padding: str):
    """Output length and (pad before, pad after) along one spatial dim, as TF1."""
    if size is None:
        return None, None
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        n = (size - eff + stride) // stride if size >= eff else 0
        return max(n, 0), (0, 0)
    n = -(-size // stride)
    total = max((n - 1) * stride + eff - size, 0)
    return n, (total // 2, total - total // 2)


def spatial(values, what: str, op_name: str, rank: int) -> tuple:
    """The spatial entries of TF1's attr list [1, *spatial, 1] (batch and channel entries
    must be 1); the 2-D ops also take the short form [h, w], as TF1's."""
    v = [int(x) for x in values]
    if rank == 2 and len(v) == 2:
        return tuple(v)
    if len(v) != rank + 2 or v[0] != 1 or v[-1] != 1:
        raise ValueError(f"{op_name}: {what} must be [1, {_SPATIAL_NAMES[rank]}, 1] "
                         f"({LAYOUTS[rank]}), got {v}")
    return tuple(v[1:-1])


class Geometry:
    """The window arithmetic of one convolution or pooling op, one entry per spatial dim:
    kernel `k`, stride `s`, dilation `d`, output size `out` (None where the input's size
    is unknown) and (pad before, pad after) `pads`."""

    def __init__(self, in_sp, k_sp, strides, dilations, padding: str) -> None:
        self.k, self.s, self.d = tuple(k_sp), tuple(strides), tuple(dilations)
        self.padding = padding
        sizes = [out_size(n, k, s, d, padding) for n, k, s, d in
                 zip(in_sp, self.k, self.s, self.d)]
        self.out = tuple(o for o, _ in sizes)
        self.pads = tuple(p for _, p in sizes)

    @property
    def rank(self) -> int:
        return len(self.k)

    def windows(self):
        """(kernel offset, the slices of the padded input it reads)."""
        for idx in itertools.product(*(range(k) for k in self.k)):
            yield idx, tuple(slice(i * d, i * d + s * (o - 1) + 1, s) for i, d, s, o in
                             zip(idx, self.d, self.s, self.out))


def geometry(attrs, in_sp, k_sp, op_name: str = "conv") -> Geometry:
    """A convolution's geometry from its attrs (strides, dilations, padding)."""
    rank = len(k_sp)
    return Geometry(in_sp, k_sp, spatial(attrs["strides"], "strides", op_name, rank),
                    spatial(attrs.get("dilations", [1] * (rank + 2)), "dilations", op_name,
                            rank), attrs["padding"])


def pool_geometry(attrs, in_sp, op_name: str = "pool") -> Geometry:
    """A pooling op's geometry from its attrs (ksize, strides, padding; no dilation)."""
    rank = len(in_sp)
    return Geometry(in_sp, spatial(attrs["ksize"], "ksize", op_name, rank),
                    spatial(attrs["strides"], "strides", op_name, rank), (1,) * rank,
                    attrs["padding"])


def patches(x: np.ndarray, g: Geometry, fill=0.0) -> np.ndarray:
    """[N, *out, *kernel, C] windows of the padded input (im2col before the reshape)."""
    xp = np.pad(x, [(0, 0), *g.pads, (0, 0)], constant_values=fill)
    out = np.empty((x.shape[0], *g.out, *g.k, x.shape[-1]), dtype=x.dtype)
    every = (slice(None),) * g.rank
    for idx, sl in g.windows():
        out[(slice(None),) + every + idx] = xp[(slice(None),) + sl]
    return out


def col2im(cols: np.ndarray, shape, g: Geometry) -> np.ndarray:
    """The adjoint of `patches`: sum [N, *out, *kernel, C] windows back into `shape`."""
    padded = [shape[0]] + [n + sum(p) for n, p in zip(shape[1:-1], g.pads)] + [shape[-1]]
    xp = np.zeros(padded, dtype=cols.dtype)
    every = (slice(None),) * g.rank
    for idx, sl in g.windows():
        xp[(slice(None),) + sl] += cols[(slice(None),) + every + idx]
    return xp[(slice(None),) + tuple(slice(p[0], p[0] + n) for n, p in
                                     zip(shape[1:-1], g.pads))]


# ---------------------------------------------------------------- checks
def check_attrs(op, rank: int, keys=("strides", "dilations", "ksize")) -> None:
    """Padding, data format and the attr lists of a windowed op, at graph construction."""
    a = op.attrs
    if a["padding"] not in ("SAME", "VALID"):
        raise ValueError(f"{op.type} op '{op.name}': padding must be 'SAME' or 'VALID', got "
                         f"{a['padding']!r}")
    layout = LAYOUTS[rank]
    if a.get("data_format", layout) != layout:
        raise ValueError(f"{op.type} op '{op.name}': only data_format='{layout}' is "
                         "supported (as TF1 on the CPU)")
    for key in keys:
        if key in a:
            if any(v < 1 for v in a[key]):
                raise ValueError(f"{op.type} op '{op.name}': {key} must be positive, got "
                                 f"{a[key]}")
            spatial(a[key], key, f"{op.type} op '{op.name}'", rank)


def dims(op, t, rank: int, what: str) -> tuple:
    """The dims of an op's input of rank `rank` + 2 (all None when its rank is unknown)."""
    d = t.shape.as_tuple()
    if d is not None and len(d) != rank + 2:
        raise ValueError(f"{op.type} op '{op.name}': {what} '{t.name}' must be rank "
                         f"{rank + 2}, got shape {t.shape}")
    return d if d is not None else (None,) * (rank + 2)


def sizes(value, what: str, rank: int) -> tuple:
    """A run-time shape input (input_sizes, filter_sizes, orig_input_shape), checked."""
    v = np.asarray(value).reshape(-1)
    if v.size != rank + 2 or np.any(v < 0):
        raise InvalidArgumentError(None, None, f"{what} must be a {rank + 2}-element vector "
                                   f"of non-negative sizes, got {list(v)}")
    return tuple(int(d) for d in v)


def check_out(dy_shape, n, g: Geometry, depth) -> None:
    want = (n, *g.out, depth)
    if tuple(dy_shape) != want:
        raise InvalidArgumentError(None, None, f"out_backprop has shape {list(dy_shape)}, but "
                                   f"the convolution's output is {list(want)}")


def sized_infer(op, sizes_t, value, rank: int, attrs: bool = True):
    """[(value's dtype, the shape `sizes_t` holds when known)] for the gradient ops whose
    output shape is an input (input_sizes, filter_sizes, orig_input_shape)."""
    if attrs:
        check_attrs(op, rank)
    check_dtype(op, value, FLOATS)
    shape = const_value(sizes_t)
    d = None if shape is None else [int(v) for v in np.asarray(shape).reshape(-1)]
    if d is None and sizes_t.shape.as_tuple() == (rank + 2,):  # partly known (TF1's refiner)
        d = const_value_as_shape(sizes_t).as_tuple()
    if d is not None and len(d) != rank + 2:
        raise ValueError(f"{op.type} op '{op.name}': '{sizes_t.name}' must hold {rank + 2} "
                         "sizes")
    return [(value.dtype, TensorShape(d if d is not None else [None] * (rank + 2)))]


def _check_depth(x_shape, f_shape) -> None:
    if x_shape[-1] != f_shape[-2]:
        raise InvalidArgumentError(None, None, f"input depth must be evenly divisible by "
                                   f"filter depth: {x_shape[-1]} vs {f_shape[-2]}")


# ---------------------------------------------------------------- convolutions
def _conv_infer(op, rank: int, depthwise: bool):
    x, f = op.inputs
    check_attrs(op, rank)
    check_dtype(op, x, FLOATS)
    if f.dtype is not x.dtype:
        raise TypeError(f"{op.type} op '{op.name}': input is {x.dtype.name} but filter "
                        f"'{f.name}' is {f.dtype.name}")
    xd, fd = dims(op, x, rank, "input"), dims(op, f, rank, "filter")
    c, fc, m = xd[-1], fd[-2], fd[-1]
    if c is not None and fc is not None and c != fc:
        raise ValueError(f"{op.type} op '{op.name}': input depth {c} of '{x.name}' does not "
                         f"match the filter's in_channels {fc} ('{f.name}', shape {f.shape})")
    out = (None,) * rank
    if None not in fd[:rank]:
        out = geometry(op.attrs, xd[1:-1], fd[:rank], op.name).out
        if 0 in out and op.attrs["padding"] == "VALID":
            raise ValueError(f"{op.type} op '{op.name}': the filter "
                             f"{'x'.join(map(str, fd[:rank]))} (dilated) is larger than the "
                             f"input {'x'.join(map(str, xd[1:-1]))} with VALID padding")
    depth = (None if c is None or m is None else c * m) if depthwise else m
    return [(x.dtype, TensorShape([xd[0], *out, depth]))]


def conv_infer(rank: int, depthwise: bool = False):
    """The shape inference of a convolution of `rank` spatial dims (depthwise: C*M
    output channels)."""
    return functools.partial(_conv_infer, rank=rank, depthwise=depthwise)


def backprop_input_infer(rank: int):
    return lambda op: sized_infer(op, op.inputs[0], op.inputs[1], rank)


def backprop_filter_infer(rank: int):
    return lambda op: sized_infer(op, op.inputs[1], op.inputs[0], rank)


def conv_compute(x, f, **attrs):
    """A convolution as im2col and one matmul: [N, *spatial, C] * [*kernel, C, M]."""
    _check_depth(x.shape, f.shape)
    rank = x.ndim - 2
    g = geometry(attrs, x.shape[1:-1], f.shape[:rank])
    cols = patches(x, g).reshape(-1, int(np.prod(f.shape[:-1])))
    out = cols @ f.reshape(-1, f.shape[-1])
    return out.reshape((x.shape[0], *g.out, f.shape[-1])).astype(x.dtype, copy=False)


def conv_backprop_input(sizes_v, f, dy, **attrs):
    rank = f.ndim - 2
    shape = sizes(sizes_v, "input_sizes", rank)
    g = geometry(attrs, shape[1:-1], f.shape[:rank])
    check_out(dy.shape, shape[0], g, f.shape[-1])
    cols = dy.reshape(-1, f.shape[-1]) @ f.reshape(-1, f.shape[-1]).T
    cols = cols.reshape((shape[0], *g.out, *f.shape[:-1]))
    return col2im(cols, shape, g).astype(f.dtype, copy=False)


def conv_backprop_filter(x, sizes_v, dy, **attrs):
    rank = x.ndim - 2
    shape = sizes(sizes_v, "filter_sizes", rank)
    g = geometry(attrs, x.shape[1:-1], shape[:rank])
    check_out(dy.shape, x.shape[0], g, shape[-1])
    cols = patches(x, g).reshape(-1, int(np.prod(shape[:-1])))
    return (cols.T @ dy.reshape(-1, shape[-1])).reshape(shape).astype(x.dtype, copy=False)


def shape_of(t):
    return shape_op(t, out_type=dt.int32)


def vjp_rules(forward: str, backprop_input: str, backprop_filter: str) -> tuple:
    """The VJP rules of a convolution op type and its two backprop op types (TF1's: the
    backprop ops are convolutions again, so second derivatives work)."""
    def forward_vjp(op, grads):
        x, f = op.inputs
        return [apply(backprop_input, (shape_of(x), f, grads[0]), op.attrs),
                apply(backprop_filter, (x, shape_of(f), grads[0]), op.attrs)]

    def input_vjp(op, grads):
        sizes_t, f, dy = op.inputs
        return [None, apply(backprop_filter, (grads[0], shape_of(f), dy), op.attrs),
                apply(forward, (grads[0], f), op.attrs)]

    def filter_vjp(op, grads):
        x, sizes_t, dy = op.inputs
        return [apply(backprop_input, (shape_of(x), grads[0], dy), op.attrs), None,
                apply(forward, (x, grads[0]), op.attrs)]
    return forward_vjp, input_vjp, filter_vjp


def conv_attrs(strides, padding, dilations, data_format, rank: int) -> dict:
    """A convolution builder's attrs, TF1's defaults filled in."""
    return {"strides": [int(s) for s in strides], "padding": str(padding),
            "dilations": [int(d) for d in (dilations or [1] * (rank + 2))],
            "data_format": data_format or LAYOUTS[rank]}


def filter_arg(fn: str, filter, filters):  # noqa: A002 - TF1's names
    """TF1's `filter`, or its TF2 spelling `filters`: exactly one."""
    if (filter is None) == (filters is None):
        raise ValueError(f"{fn} takes filter (or its alias filters), exactly one of them")
    return filter if filters is None else filters


def required(fn: str, **given) -> None:
    for param, value in given.items():
        if value is None:
            raise TypeError(f"{fn}() missing required argument: '{param}'")


# ---------------------------------------------------------------- pooling
def _pool_infer(op, rank: int):
    x = op.inputs[0]
    check_attrs(op, rank)
    check_dtype(op, x, FLOATS)
    xd = dims(op, x, rank, "input")
    g = pool_geometry(op.attrs, xd[1:-1], op.name)
    return [(x.dtype, TensorShape([xd[0], *g.out, xd[-1]]))]


def pool_infer(rank: int):
    """The shape inference of MaxPool/AvgPool over `rank` spatial dims."""
    return functools.partial(_pool_infer, rank=rank)


def _kernel_axes(g: Geometry) -> tuple:
    """The kernel axes of `patches`' [N, *out, *kernel, C]."""
    return tuple(range(1 + g.rank, 1 + 2 * g.rank))


def max_pool(x, **attrs):
    g = pool_geometry(attrs, x.shape[1:-1])
    return patches(x, g, fill=-np.inf).max(axis=_kernel_axes(g)).astype(x.dtype, copy=False)


def _counts(shape, g: Geometry, dtype) -> np.ndarray:
    """[1, *out, 1]: how many in-bounds elements each window holds (TF1's average)."""
    ones = np.ones((1, *shape[1:-1], 1), dtype)
    return patches(ones, g).sum(axis=_kernel_axes(g))


def avg_pool(x, **attrs):
    g = pool_geometry(attrs, x.shape[1:-1])
    total = patches(x, g).sum(axis=_kernel_axes(g))
    return (total / _counts(x.shape, g, x.dtype)).astype(x.dtype, copy=False)


def max_pool_grad(x, y, dy, **attrs):
    """dy routed to the first maximum of each window."""
    g = pool_geometry(attrs, x.shape[1:-1])
    p = patches(x, g, fill=-np.inf)                   # [N, *out, *kernel, C]
    lead, c = p.shape[:1 + g.rank], p.shape[-1]
    flat = np.moveaxis(p, -1, 1 + g.rank).reshape(lead + (c, -1))
    onehot = np.zeros_like(flat)
    np.put_along_axis(onehot, flat.argmax(axis=-1)[..., None], 1, axis=-1)
    cols = np.moveaxis((onehot * dy[..., None]).reshape(lead + (c,) + g.k), 1 + g.rank, -1)
    return col2im(cols, x.shape, g).astype(x.dtype, copy=False)


def avg_pool_grad(sizes_v, dy, **attrs):
    rank = dy.ndim - 2
    shape = sizes(sizes_v, "orig_input_shape", rank)
    g = pool_geometry(attrs, shape[1:-1])
    share = dy / _counts(shape, g, dy.dtype)
    spread = share[(slice(None),) * (1 + rank) + (None,) * rank]
    cols = np.broadcast_to(spread, (shape[0], *g.out, *g.k, shape[-1]))
    return col2im(np.ascontiguousarray(cols), shape, g).astype(dy.dtype, copy=False)


def max_pool_grad_infer(op):
    check_dtype(op, op.inputs[0], FLOATS)
    return [(op.inputs[0].dtype, op.inputs[0].shape)]


def avg_pool_grad_infer(rank: int):
    return lambda op: sized_infer(op, op.inputs[0], op.inputs[1], rank)


def pool_vjp_rules(max_pool_type: str, max_grad_type: str, avg_pool_type: str,
                   avg_grad_type: str) -> tuple:
    """The VJP rules of max pooling, average pooling and average pooling's gradient (TF1's;
    max pooling's gradient is not differentiable)."""
    def max_vjp(op, grads):
        return [apply(max_grad_type, (op.inputs[0], op.outputs[0], grads[0]), op.attrs)]

    def avg_vjp(op, grads):
        return [apply(avg_grad_type, (shape_of(op.inputs[0]), grads[0]), op.attrs)]

    def avg_grad_vjp(op, grads):
        return [None, apply(avg_pool_type, (grads[0],), op.attrs)]
    return max_vjp, avg_vjp, avg_grad_vjp


def pool_attrs(ksize, strides, padding, data_format, rank: int) -> dict:
    return {"ksize": [int(k) for k in ksize], "strides": [int(s) for s in strides],
            "padding": str(padding), "data_format": data_format or LAYOUTS[rank]}
