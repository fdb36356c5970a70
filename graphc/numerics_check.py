"""The numerics checks of a run (GRAPHC_CHECK_NUMERICS=1 or `ConfigProto(check_numerics=
True)`): every float result of every op is checked as the op finishes, and the first NaN
or Inf raises TF1's InvalidArgumentError naming the op that produced it, its inputs'
ranges, and the user's line that created it.

A Fused kernel of the llvm backend computes its members in one loop nest and keeps their
intermediate results in registers, where nothing can look at them: a checked run
re-executes its body member by member with their numpy kernels on the kernel's own
inputs, and the first member whose result is not finite is the one named (the body's ops
keep the user's op and line as provenance), also when a later member hides it (tanh of
-inf is -1). The numpy backend runs fused members one by one and checks each directly.
A checked run therefore costs about a numpy run of the fused parts on top of the native
one.

The ops of loop and cond bodies (While, If) are checked one by one as well, on every
iteration (graphc/functions.py runs their graphs observed within a checked run): a NaN
made inside a dynamic_rnn or while_loop body names the body's op and line.

With the checks off a run never comes here (graphc/run_metadata.py).
"""
from __future__ import annotations

import numpy as np

from .ir.errors import InvalidArgumentError, OpError
from .ir.ops.fused_ops import body_inputs, members as fused_members, replay


class NumericsCheck:
    """An observer of run_observed that raises at the first non-finite float result."""

    wants_inputs = True

    def __call__(self, op, start, end, inputs, outputs, fused) -> None:
        if op.type == "Fused" and inputs is not None:  # llvm: one kernel, replayed
            member, values = _first_bad_member(op, inputs)
            if member is not None:
                _raise(member, *values, fused=op)
        for t, v in zip(op.outputs, outputs):
            if _bad(v):
                _raise(op, t, v, inputs, fused=fused)

    inner = __call__  # an op of a loop or cond body, checked the same way


def check_feeds(tensors, values) -> None:
    """Fed float values are results too (TF1's add_check_numerics_ops checks
    placeholders): a NaN or an Inf in one names its placeholder."""
    for t, v in zip(tensors, values):
        if _bad(v):
            _raise(t.op, t, v, [], what="was fed")


def _bad(v) -> bool:
    return isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size > 0 and \
        not np.isfinite(v).all()


def _first_bad_member(op, inputs: list):
    """Replay `op`'s body on `inputs` with the numpy kernels: (the first member with a
    non-finite result, (its output, that value, its input values)), or (None, None)."""
    values = dict(zip(body_inputs(op), inputs))
    for m in fused_members(op):
        args = [values.get(t) for t in m.inputs]
        try:
            with np.errstate(all="ignore"):
                r = replay(m, args, lambda name: None)
        except (OpError, ValueError, TypeError, ArithmeticError):
            return None, None
        results = (r,) if len(m.outputs) == 1 else tuple(r)
        for t, v in zip(m.outputs, results):
            v = np.asarray(v)
            values[t] = v
            if _bad(v):
                return m, (t, v, args)
    return None, None


def _what(v: np.ndarray) -> str:
    nan, inf = bool(np.isnan(v).any()), bool(np.isinf(v).any())
    return "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"


def describe_range(v) -> str:
    """'float32 (4, 3) in [-1.5, 2]' (with the count of NaN/Inf entries if any)."""
    if not isinstance(v, np.ndarray) or v.dtype.kind not in "fiub" or v.size == 0:
        return type(v).__name__ if not isinstance(v, np.ndarray) else \
            f"{v.dtype} {v.shape}"
    text = f"{v.dtype} {v.shape}"
    finite = v[np.isfinite(v)] if v.dtype.kind == "f" else v.ravel()
    if finite.size:
        text += f" in [{finite.min():.6g}, {finite.max():.6g}]"
    if v.dtype.kind == "f":
        nan, pinf, ninf = (int(np.isnan(v).sum()), int(np.isposinf(v).sum()),
                           int(np.isneginf(v).sum()))
        extra = [f"{n} {name}" for n, name in ((nan, "NaN"), (pinf, "+Inf"), (ninf, "-Inf"))
                 if n]
        if extra:
            text += " with " + ", ".join(extra)
    return text


def _raise(op, t, v, inputs, fused=None, what: str = "produced") -> None:
    user = op.user_op()
    lines = [f"{user.type} op '{user.name}' {what} {_what(v)} values in {t.name} "
             f"({describe_range(v)}) : Tensor had {_what(v)} values"]
    outer = dict(zip(body_inputs(fused), fused.inputs)) if fused is not None else {}
    for i, (x, value) in enumerate(zip(op.inputs, inputs or ())):
        lines.append(f"  input {i} ({outer.get(x, x).name}): {describe_range(value)}")
    if any(_bad(value) for value in inputs or ()):
        lines.append("  (an input was not finite already: it came in through a feed or a "
                     "variable)")
    if fused is not None:
        members = [m.type for m in fused_members(fused)]
        lines.append(f"  inside the fused kernel '{fused.name}' ({' -> '.join(members)})")
    lines.append("  (checked because of GRAPHC_CHECK_NUMERICS=1 or "
                 "ConfigProto(check_numerics=True))")
    raise InvalidArgumentError(None, user, "\n".join(lines))
