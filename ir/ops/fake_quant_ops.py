"""TF1's fake quantization (quantization-aware training): float32 in, float32 out, values
snapped to the 2^num_bits levels of a [min, max] range nudged so that 0.0 is a level.

Nudging (TF's fake_quant_ops_functor.h): quant levels [qmin, qmax] = [narrow_range, 2^bits
- 1], scale = (max - min) / (qmax - qmin), zero point = qmin - min / scale clamped to
[qmin, qmax] and rounded half away from zero; nudged_min = (qmin - zp) * scale,
nudged_max = (qmax - zp) * scale. The output is
    floor((clamp(x, nudged_min, nudged_max) - nudged_min) / scale + 0.5) * scale + nudged_min
all in float32 as TF computes it.

FakeQuantWithMinMaxArgs              min, max are attributes
FakeQuantWithMinMaxVars              min, max are float32 scalar tensors
FakeQuantWithMinMaxVarsPerChannel    min, max are [d] tensors over the last axis (size d)
(min = max = 0 gives 0, and passes the whole gradient to the inputs, as TF.)

Their VJPs are TF's straight-through estimator: the incoming gradient passes where
nudged_min <= x <= nudged_max, and for the Vars ops the gradient below (above) the range
sums into min (max). Each is an op of its own (`*Gradient`, TF1's public
`fake_quant_*_gradient`), with no gradient of its own as in TF. All run through their
numpy kernels on both backends (listed in the README).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, convert_to_tensor, defop

F32 = np.float32


def _levels(num_bits: int, narrow_range: bool):
    return F32(1 if narrow_range else 0), F32((1 << num_bits) - 1)


def _nudge(lo, hi, num_bits: int, narrow_range: bool):
    """(nudged_min, nudged_max, scale) as float32 arrays (broadcast over channels)."""
    qmin, qmax = _levels(num_bits, narrow_range)
    lo, hi = np.asarray(lo, F32), np.asarray(hi, F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = ((hi - lo) / (qmax - qmin)).astype(F32)
        zp_from_min = (qmin - lo / scale).astype(F32)
    zp = np.where(zp_from_min < qmin, qmin, np.where(
        zp_from_min > qmax, qmax, np.sign(zp_from_min) * np.floor(np.abs(zp_from_min)
                                                                    + F32(0.5)))).astype(F32)
    return ((qmin - zp) * scale).astype(F32), ((qmax - zp) * scale).astype(F32), scale


def _quantize(x, lo, hi, num_bits, narrow_range):
    nmin, nmax, scale = _nudge(lo, hi, num_bits, narrow_range)
    inv = (F32(1.0) / scale).astype(F32)
    clamped = np.maximum(np.minimum(x, nmax), nmin)
    q = np.floor((clamped - nmin) * inv + F32(0.5)) * scale + nmin
    return q.astype(F32)


def _between(x, lo, hi, num_bits, narrow_range):
    nmin, nmax, _ = _nudge(lo, hi, num_bits, narrow_range)
    return (x >= nmin) & (x <= nmax), x < nmin, x > nmax


def _check_bits(op) -> None:
    bits = op.attrs["num_bits"]
    if not 2 <= bits <= 16:
        raise ValueError(f"num_bits must be between 2 and 16, inclusive, got {bits}")


def _check_vars(lo, hi) -> None:
    if np.any(lo > hi):
        raise InvalidArgumentError(None, None, f"min must be <= max, got min {lo.tolist()} "
                                   f"and max {hi.tolist()}")


# ---------------------------------------------------------------- Args
def _args(x, *, min, max, num_bits, narrow_range):  # noqa: A002
    return _quantize(x, min, max, num_bits, narrow_range)


def _args_gradient(g, x, *, min, max, num_bits, narrow_range):  # noqa: A002
    inside, _, _ = _between(x, min, max, num_bits, narrow_range)
    return (g * inside).astype(F32)


def _args_infer(op):
    _check_bits(op)
    if not op.attrs["min"] < op.attrs["max"]:
        raise ValueError(f"min has to be smaller than max, was: {op.attrs['min']} >= "
                         f"{op.attrs['max']}")
    for t, what in zip(op.inputs, ("gradients", "inputs")[-len(op.inputs):]):
        check_dtype(op, t, (dt.float32,), what)
    if len(op.inputs) == 2:
        _same_shape(op, op.inputs[0], op.inputs[1])
    return [(dt.float32, op.inputs[-1].shape)]


def _same_shape(op, g, x) -> None:
    if not g.shape.is_compatible_with(x.shape):
        raise ValueError(f"gradients '{g.name}' has shape {g.shape}, inputs '{x.name}' "
                         f"has shape {x.shape}: they must be the same")


def _args_vjp(op, grads):
    return [apply("FakeQuantWithMinMaxArgsGradient", (grads[0], op.inputs[0]), op.attrs)]


defop("FakeQuantWithMinMaxArgs", _args_infer, _args, _args_vjp, family="quantize")
defop("FakeQuantWithMinMaxArgsGradient", _args_infer, _args_gradient, NON_DIFFERENTIABLE,
      family="quantize")


# ---------------------------------------------------------------- Vars (scalar or per channel)
def _vars(x, lo, hi, *, num_bits, narrow_range):
    _check_vars(lo, hi)
    with np.errstate(divide="ignore", invalid="ignore"):   # (min = max = 0: no range)
        q = _quantize(x, lo, hi, num_bits, narrow_range)
    return np.where((lo == 0) & (hi == 0), F32(0), q).astype(F32)


def _vars_gradient(g, x, lo, hi, *, num_bits, narrow_range):
    _check_vars(lo, hi)
    axes = tuple(range(x.ndim - lo.ndim))   # all (scalar) or all but the channel axis
    empty = (lo == 0) & (hi == 0)           # TF passes the gradient through, to x only
    with np.errstate(invalid="ignore"):
        inside, below, above = _between(x, lo, hi, num_bits, narrow_range)
    return ((g * (inside | empty)).astype(F32),
            np.asarray((g * (below & ~empty)).sum(axis=axes, dtype=F32)),
            np.asarray((g * (above & ~empty)).sum(axis=axes, dtype=F32)))


def _channels(op, x, lo, hi, per_channel: bool):
    """Check min and max: scalars, or [d] with d the size of x's last axis."""
    for t, what in ((x, "inputs"), (lo, "min"), (hi, "max")):
        check_dtype(op, t, (dt.float32,), what)
    want = 1 if per_channel else 0
    for t, what in ((lo, "min"), (hi, "max")):
        if t.shape.ndims is not None and t.shape.ndims != want:
            raise ValueError(f"{what} '{t.name}' must be "
                             f"{'a vector [d]' if per_channel else 'a scalar'}, got shape "
                             f"{t.shape}")
    if per_channel:
        d = TensorShape(None).merge_with(lo.shape).merge_with(hi.shape) \
            if lo.shape.is_compatible_with(hi.shape) else None
        if d is None:
            raise ValueError(f"min {lo.shape} and max {hi.shape} must have the same shape")
        last = x.shape.as_tuple()[-1] if x.shape.ndims else None
        if x.shape.ndims == 0:
            raise ValueError(f"inputs '{x.name}' must have rank >= 1, got a scalar")
        n = d.as_tuple()[0] if d.ndims else None
        if None not in (last, n) and last != n:
            raise ValueError(f"min and max have {n} channels, the last axis of inputs "
                             f"'{x.name}' has {last}")
        return TensorShape([last if last is not None else n])
    return TensorShape([])


def _vars_infer(op):
    _check_bits(op)
    x, lo, hi = op.inputs
    _channels(op, x, lo, hi, op.type.endswith("PerChannel"))
    return [(dt.float32, x.shape)]


def _vars_gradient_infer(op):
    _check_bits(op)
    g, x, lo, hi = op.inputs
    check_dtype(op, g, (dt.float32,), "gradients")
    _same_shape(op, g, x)
    channels = _channels(op, x, lo, hi, op.type.endswith("PerChannelGradient"))
    return [(dt.float32, x.shape), (dt.float32, channels), (dt.float32, channels)]


def _vars_vjp(op, grads):
    x, lo, hi = op.inputs
    return list(apply(op.type + "Gradient", (grads[0], x, lo, hi), op.attrs))


for _name in ("FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVarsPerChannel"):
    defop(_name, _vars_infer, _vars, _vars_vjp, family="quantize")
    defop(_name + "Gradient", _vars_gradient_infer, _vars_gradient, NON_DIFFERENTIABLE,
          family="quantize")

# The ops whose VJP is a straight-through estimator, not the derivative of the forward
# function (piecewise constant): gradient checks compare them with TensorFlow instead.
STRAIGHT_THROUGH = ("FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVars",
                    "FakeQuantWithMinMaxVarsPerChannel")


# ---------------------------------------------------------------- builders
def _attrs(num_bits, narrow_range, **extra) -> dict:
    return {**extra, "num_bits": int(num_bits), "narrow_range": bool(narrow_range)}


def _f32(*named):
    return [convert_to_tensor(v, dtype_hint=dt.float32, name=n) for v, n in named]


def fake_quant_with_min_max_args(inputs, min=-6, max=6, num_bits=8,  # noqa: A002
                                 narrow_range=False, name: Optional[str] = None):
    """TF1 `tf.fake_quant_with_min_max_args`: `inputs` quantized to the nudged [min, max]
    range with 2^num_bits levels (1 less with narrow_range) and back to float32."""
    (x,) = _f32((inputs, "inputs"))
    return apply("FakeQuantWithMinMaxArgs", (x,), _attrs(num_bits, narrow_range,
                 min=float(min), max=float(max)), name=name or "FakeQuantWithMinMaxArgs")


def fake_quant_with_min_max_args_gradient(gradients, inputs, min=-6, max=6,  # noqa: A002
                                          num_bits=8, narrow_range=False,
                                          name: Optional[str] = None):
    """TF1 `tf.fake_quant_with_min_max_args_gradient`: `gradients` where the inputs lie
    in the nudged range, 0 elsewhere."""
    g, x = _f32((gradients, "gradients"), (inputs, "inputs"))
    return apply("FakeQuantWithMinMaxArgsGradient", (g, x), _attrs(
        num_bits, narrow_range, min=float(min), max=float(max)),
        name=name or "FakeQuantWithMinMaxArgsGradient")


def fake_quant_with_min_max_vars(inputs, min, max, num_bits=8,  # noqa: A002
                                 narrow_range=False, name: Optional[str] = None):
    """TF1 `tf.fake_quant_with_min_max_vars`: as `fake_quant_with_min_max_args` with min
    and max float32 scalar tensors (usually variables), which get gradients too."""
    x, lo, hi = _f32((inputs, "inputs"), (min, "min"), (max, "max"))
    return apply("FakeQuantWithMinMaxVars", (x, lo, hi), _attrs(num_bits, narrow_range),
                 name=name or "FakeQuantWithMinMaxVars")


def fake_quant_with_min_max_vars_gradient(gradients, inputs, min, max,  # noqa: A002
                                          num_bits=8, narrow_range=False,
                                          name: Optional[str] = None):
    """TF1 `tf.fake_quant_with_min_max_vars_gradient`: (backprops w.r.t. inputs, w.r.t.
    min, w.r.t. max)."""
    g, x, lo, hi = _f32((gradients, "gradients"), (inputs, "inputs"), (min, "min"),
                        (max, "max"))
    return apply("FakeQuantWithMinMaxVarsGradient", (g, x, lo, hi),
                 _attrs(num_bits, narrow_range),
                 name=name or "FakeQuantWithMinMaxVarsGradient")


def fake_quant_with_min_max_vars_per_channel(inputs, min, max, num_bits=8,  # noqa: A002
                                             narrow_range=False,
                                             name: Optional[str] = None):
    """TF1 `tf.fake_quant_with_min_max_vars_per_channel`: min and max [d] over the last
    axis of `inputs` (size d)."""
    x, lo, hi = _f32((inputs, "inputs"), (min, "min"), (max, "max"))
    return apply("FakeQuantWithMinMaxVarsPerChannel", (x, lo, hi),
                 _attrs(num_bits, narrow_range),
                 name=name or "FakeQuantWithMinMaxVarsPerChannel")


def fake_quant_with_min_max_vars_per_channel_gradient(gradients, inputs, min,  # noqa: A002
                                                      max, num_bits=8,  # noqa: A002
                                                      narrow_range=False,
                                                      name: Optional[str] = None):
    """TF1 `tf.fake_quant_with_min_max_vars_per_channel_gradient`: (backprops w.r.t.
    inputs, w.r.t. min [d], w.r.t. max [d])."""
    g, x, lo, hi = _f32((gradients, "gradients"), (inputs, "inputs"), (min, "min"),
                        (max, "max"))
    return apply("FakeQuantWithMinMaxVarsPerChannelGradient", (g, x, lo, hi),
                 _attrs(num_bits, narrow_range),
                 name=name or "FakeQuantWithMinMaxVarsPerChannelGradient")


__all__ = [n for n in dir() if n.startswith("fake_quant_")]
