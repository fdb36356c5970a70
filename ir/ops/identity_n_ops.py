"""IdentityN: several tensors passed through one op (TF1's `identity_n`).

One op over many tensors is what `tf.custom_gradient` needs: a gradient override on it
receives the gradients of all its outputs at once and returns one per input, so a
user's gradient function can route the gradient of `y` to `x` (and to variables). Its own
VJP passes each output's gradient to its input.
"""
from __future__ import annotations

from typing import Optional

from ._base import apply, convert_to_tensor, defop


def _identity_n_infer(op):
    return [(t.dtype, t.shape) for t in op.inputs]


def _identity_n_compute(*xs):
    return xs[0] if len(xs) == 1 else tuple(xs)  # one output: an array, as every kernel


defop("IdentityN", _identity_n_infer, _identity_n_compute,
      lambda op, grads: list(grads), family="core")


def identity_n(input, name: Optional[str] = None) -> list:
    """TF1 `tf.identity_n`: the tensors of `input`, each passed through."""
    tensors = [convert_to_tensor(t) for t in input]
    if not tensors:
        raise ValueError("identity_n needs at least one tensor")
    out = apply("IdentityN", tensors, name=name or "IdentityN")
    return [out] if len(tensors) == 1 else list(out)
