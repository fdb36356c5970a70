"""TF1's fractional pooling (Graham 2014): max or average pooling of NHWC images over
regions whose sizes vary between k and k+1 (k = floor(input / output)), so the output is
floor(input / pooling_ratio) for a fractional ratio.

FractionalMaxPool / FractionalAvgPool  (value [N, H, W, C]) -> (output, row_pooling_sequence
        [out_rows + 1], col_pooling_sequence [out_cols + 1]), int64 boundaries with 0 first
        and the input size last. Region i spans [seq[i], seq[i+1]) (one more row or column
        with overlapping, clamped to the input). The sequences follow TF's
        fractional_pool_common.cc: random (k and k+1 sizes shuffled) or pseudo-random
        (ceil(alpha * (i + u)) - 1 for one uniform u); the same for every image and channel.
        Seeds: deterministic=False needs seed = seed2 = 0 and draws new regions each run;
        deterministic=True keeps one set of regions (seeds drawn once when both are 0).
        The draws come from graphc's Philox stream, so the regions follow TF's rules but
        not TF's exact numbers.
FractionalMaxPoolGrad  (orig_input, orig_output, out_backprop, row_seq, col_seq) -> the
        gradient for the input: each dy to the first maximum of its region (row-major).
FractionalAvgPoolGrad  (orig_input_tensor_shape, out_backprop, row_seq, col_seq) -> dy
        divided evenly over each region.

The pooling ops' VJPs are the gradient ops (the sequences are not differentiable); those
have no gradient of their own, as in TF. All run through their numpy kernels on both
backends (random regions).
"""
from __future__ import annotations

import secrets
from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import philox
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value_as_shape, convert_to_tensor, defop
from .array_ops import shape

FLOATS = (dt.float32, dt.float64, dt.int32, dt.int64)


# ---------------------------------------------------------------- pooling sequences
class _Stream:
    """Philox words taken in order (TF's generator->ReserveSamples32)."""

    def __init__(self, seed: int, seed2: int, call: int) -> None:
        self.seed, self.seed2, self.call, self.used = seed, seed2, call, 0

    def words(self, n: int) -> np.ndarray:
        w = philox.random_words(self.used + n, self.seed, self.seed2, self.call)[self.used:]
        self.used += n
        return w

    def uniform_f64(self) -> float:
        """The next two words as a float64 uniform in [0, 1) (at an even offset)."""
        assert self.used % 2 == 0
        self.used += 2
        return float(philox.uniform(self.used // 2, np.float64, self.seed, self.seed2,
                                    self.call)[-1])


def _random_sequence(n_in: int, n_out: int, stream: _Stream) -> np.ndarray:
    """k+1 for input % output of the regions, k for the rest, shuffled (std::shuffle with
    word mod n draws, as TF's RandomShuffle)."""
    k, extra = divmod(n_in, n_out)
    diff = np.full(n_out, k, np.int64)
    diff[:extra] = k + 1
    words = stream.words(n_out)
    for i in range(n_out - 1, 0, -1):   # RandomShuffle: swap i with uniform(i + 1)
        j = int(words[i]) % (i + 1)
        diff[i], diff[j] = diff[j], diff[i]
    return np.concatenate([[0], np.cumsum(diff)])


def _pseudo_random_sequence(n_in: int, n_out: int, stream: _Stream) -> np.ndarray:
    alpha = n_in / n_out
    k = n_in // n_out
    max_u = min((k + 2) / alpha - 1, (n_in + 1 - k) / alpha - (n_out - 1))
    u = stream.uniform_f64() * max_u
    seq = np.array([0] + [int(np.ceil(alpha * (i + u)) - 1) for i in range(1, n_out)]
                   + [n_in], np.int64)
    return seq


def pooling_sequence(n_in: int, n_out: int, pseudo_random: bool, stream) -> np.ndarray:
    if n_out <= 0:
        raise InvalidArgumentError(None, None, f"the pooling ratio makes an empty output "
                                   f"from an input of size {n_in}")
    make = _pseudo_random_sequence if pseudo_random else _random_sequence
    return make(n_in, n_out, stream)


def _regions(seq: np.ndarray, n_in: int, overlapping: bool) -> list:
    """[start, end) of each region."""
    return [(int(seq[i]), min(int(seq[i + 1]) + (1 if overlapping else 0), n_in))
            for i in range(len(seq) - 1)]


def pool_regions(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, overlapping: bool,
                 kind: str) -> np.ndarray:
    """Max ("max") or mean ("avg") of x [N, H, W, C] over the regions of the sequences."""
    rr, cc = _regions(rows, x.shape[1], overlapping), _regions(cols, x.shape[2], overlapping)
    out = np.empty((x.shape[0], len(rr), len(cc), x.shape[3]), x.dtype)
    for i, (r0, r1) in enumerate(rr):
        for j, (c0, c1) in enumerate(cc):
            window = x[:, r0:r1, c0:c1, :]
            out[:, i, j] = window.max(axis=(1, 2)) if kind == "max" else (
                window.sum(axis=(1, 2)) / ((r1 - r0) * (c1 - c0))).astype(x.dtype)
    return out


# ---------------------------------------------------------------- forward ops
def _out_size(size: int, ratio: float) -> int:
    return int(np.floor(size / ratio))


def _pool_compute(kind):
    def compute(ctx, x, *, pooling_ratio, pseudo_random, overlapping, deterministic, seed,
                seed2):
        if x.ndim != 4:
            raise InvalidArgumentError(None, None, f"value must be 4-dimensional, got shape "
                                       f"{list(x.shape)}")
        if not deterministic:
            seed, seed2 = secrets.randbelow(2**31), secrets.randbelow(2**31)
        stream = _Stream(seed, seed2, 0 if deterministic else ctx.next_random_call())
        outs = [_out_size(x.shape[a], pooling_ratio[a]) for a in (1, 2)]
        rows = pooling_sequence(x.shape[1], outs[0], pseudo_random, stream)
        cols = pooling_sequence(x.shape[2], outs[1], pseudo_random, stream)
        return pool_regions(x, rows, cols, overlapping, kind), rows, cols
    return compute


def _pool_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, FLOATS, "value")
    ratio = op.attrs["pooling_ratio"]
    if len(ratio) != 4 or ratio[0] != 1.0 or ratio[3] != 1.0 or min(ratio) < 1.0:
        raise ValueError(f"pooling_ratio must be [1.0, row ratio, col ratio, 1.0] with "
                         f"ratios >= 1 (pooling over the batch and channels is not "
                         f"supported), got {list(ratio)}")
    if not op.attrs["deterministic"] and (op.attrs["seed"], op.attrs["seed2"]) != (0, 0):
        raise ValueError("Both seed and seed2 should be 0 if deterministic is false.")
    dims = x.shape.as_tuple()
    if dims is not None and len(dims) != 4:
        raise ValueError(f"value '{x.name}' must be 4-D [batch, rows, cols, channels], got "
                         f"shape {x.shape}")
    dims = dims or (None,) * 4
    out = [None if d is None else _out_size(d, r) for d, r in zip(dims[1:3], ratio[1:3])]
    if any(o is not None and o <= 0 for o in out):
        raise ValueError(f"pooling_ratio {list(ratio)} leaves no output from shape {x.shape}")
    seqs = [TensorShape([None if o is None else o + 1]) for o in out]
    return [(x.dtype, TensorShape([dims[0], *out, dims[3]])), (dt.int64, seqs[0]),
            (dt.int64, seqs[1])]


def _max_vjp(op, grads):
    x = op.inputs[0]
    y, rows, cols = op.outputs
    return [apply("FractionalMaxPoolGrad", (x, y, grads[0], rows, cols),
                  {"overlapping": op.attrs["overlapping"]})]


def _avg_vjp(op, grads):
    _, rows, cols = op.outputs
    return [apply("FractionalAvgPoolGrad", (shape(op.inputs[0], out_type=dt.int64), grads[0],
                                            rows, cols),
                  {"overlapping": op.attrs["overlapping"]})]


defop("FractionalMaxPool", _pool_infer, _pool_compute("max"), _max_vjp, pure=False,
      needs_context=True, family="random")
defop("FractionalAvgPool", _pool_infer, _pool_compute("avg"), _avg_vjp, pure=False,
      needs_context=True, family="random")


# ---------------------------------------------------------------- gradient ops
def _check_sequences(rows, cols, shape) -> None:
    for seq, size, what in ((rows, shape[1], "row"), (cols, shape[2], "col")):
        if seq.ndim != 1 or seq.size < 2 or seq[0] != 0 or seq[-1] != size or \
                np.any(np.diff(seq) <= 0):
            raise InvalidArgumentError(None, None, f"{what}_pooling_sequence must rise "
                                       f"from 0 to the input's {size}, got {seq.tolist()}")


def _max_grad(x, y, dy, rows, cols, *, overlapping):
    _check_sequences(rows, cols, x.shape)
    dx = np.zeros_like(x, dtype=dy.dtype)
    rr, cc = _regions(rows, x.shape[1], overlapping), _regions(cols, x.shape[2], overlapping)
    n_idx, c_idx = np.arange(x.shape[0])[:, None], np.arange(x.shape[3])[None, :]
    for i, (r0, r1) in enumerate(rr):
        for j, (c0, c1) in enumerate(cc):
            window = x[:, r0:r1, c0:c1, :]
            w = window.shape[2]
            k = np.moveaxis(window, 3, 1).reshape(x.shape[0], x.shape[3], -1).argmax(-1)
            np.add.at(dx, (n_idx, r0 + k // w, c0 + k % w, c_idx), dy[:, i, j])
    return dx


def _avg_grad(orig_shape, dy, rows, cols, *, overlapping):
    dims = [int(s) for s in orig_shape]
    _check_sequences(rows, cols, dims)
    dx = np.zeros(dims, dy.dtype)
    rr, cc = _regions(rows, dims[1], overlapping), _regions(cols, dims[2], overlapping)
    for i, (r0, r1) in enumerate(rr):
        for j, (c0, c1) in enumerate(cc):
            dx[:, r0:r1, c0:c1, :] += (dy[:, i, j] / ((r1 - r0) * (c1 - c0)))[:, None, None]
    return dx


def _max_grad_infer(op):
    x, y, dy, rows, cols = op.inputs
    check_dtype(op, x, FLOATS, "orig_input")
    for t, what in ((y, "orig_output"), (dy, "out_backprop")):
        if t.dtype is not x.dtype:
            raise TypeError(f"{what} '{t.name}' is {t.dtype.name}, orig_input is "
                            f"{x.dtype.name}")
    for t, what in ((rows, "row_pooling_sequence"), (cols, "col_pooling_sequence")):
        check_dtype(op, t, (dt.int64,), what)
    return [(x.dtype, x.shape)]


def _avg_grad_infer(op):
    orig_shape, dy, rows, cols = op.inputs
    check_dtype(op, orig_shape, (dt.int64,), "orig_input_tensor_shape")
    check_dtype(op, dy, (dt.float32, dt.float64), "out_backprop")
    for t, what in ((rows, "row_pooling_sequence"), (cols, "col_pooling_sequence")):
        check_dtype(op, t, (dt.int64,), what)
    return [(dy.dtype, const_value_as_shape(orig_shape))]


defop("FractionalMaxPoolGrad", _max_grad_infer, _max_grad, NON_DIFFERENTIABLE, family="conv")
defop("FractionalAvgPoolGrad", _avg_grad_infer, _avg_grad, NON_DIFFERENTIABLE, family="conv")


# ---------------------------------------------------------------- builders
def _fractional(op_type, value, pooling_ratio, pseudo_random, overlapping, deterministic,
                seed, seed2, name):
    x = convert_to_tensor(value, name="value")
    ratio = [float(r) for r in pooling_ratio]
    seed, seed2 = int(seed or 0), int(seed2 or 0)
    if deterministic and (seed, seed2) == (0, 0):   # TF: seeds forced once, fixed after
        seed, seed2 = secrets.randbelow(2**31) + 1, secrets.randbelow(2**31)
    return apply(op_type, (x,), {"pooling_ratio": ratio, "pseudo_random": bool(pseudo_random),
                                 "overlapping": bool(overlapping),
                                 "deterministic": bool(deterministic), "seed": seed,
                                 "seed2": seed2}, name=name or op_type)


def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
                        deterministic=False, seed=0, seed2=0, name: Optional[str] = None):
    """TF1 `tf.nn.fractional_max_pool`: (output, row_pooling_sequence,
    col_pooling_sequence), max pooling over regions of fractional average size
    pooling_ratio = [1.0, rows, cols, 1.0]."""
    return _fractional("FractionalMaxPool", value, pooling_ratio, pseudo_random,
                       overlapping, deterministic, seed, seed2, name)


def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
                        deterministic=False, seed=0, seed2=0, name: Optional[str] = None):
    """TF1 `tf.nn.fractional_avg_pool`: as fractional_max_pool, with the regions' means."""
    return _fractional("FractionalAvgPool", value, pooling_ratio, pseudo_random,
                       overlapping, deterministic, seed, seed2, name)
