"""The op registry: one OpDef per op type, holding every facet of the op.

Facets (JAX's tables, kept on one record so a new op is one definition):
  infer    (op) -> [(DType, TensorShape), ...]   static dtype/shape of each output
  compute  numpy semantics: compute(*arrays, **attrs) -> array | tuple of arrays;
           with `needs_context`, compute(ctx, *arrays, **attrs) (state, randomness)
  vjp      gradient rule: vjp(op, grads) -> [Tensor | None per input], built from ops;
           or NON_DIFFERENTIABLE; None means "no rule yet" (an error on a gradient path)
  pure     no side effects and deterministic: may be folded, CSE'd, pruned freely
  elementwise  output element i depends only on input element i (after broadcasting)
  ref_inputs   inputs that name a variable to write, not a value to read (Assign's target)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from .dtypes import DType
from .shapes import TensorShape


class _NonDifferentiable:
    def __repr__(self) -> str:
        return "NON_DIFFERENTIABLE"


NON_DIFFERENTIABLE = _NonDifferentiable()


@dataclass(eq=False)
class OpDef:
    name: str
    infer: Callable
    compute: Optional[Callable] = None
    vjp: object = None
    pure: bool = True
    elementwise: bool = False
    needs_context: bool = False
    ref_inputs: tuple = ()
    writes_state: bool = False
    sparse_grads: bool = False
    default_name: Optional[str] = None
    doc: str = ""
    # Families used by contract tests and, later, lowering tables and fusion.
    family: str = "misc"

    def run_infer(self, op) -> list[tuple[DType, TensorShape]]:
        """Run inference, re-raising failures with the op's name and the user's line."""
        try:
            out = self.infer(op)
        except (ValueError, TypeError) as exc:
            where = f"\n  {op.site.describe()}" if op.site is not None else ""
            message = str(exc)
            if f"'{op.name}'" not in message:
                message = f"{self.name} op '{op.name}': {message}"
            raise type(exc)(message + where) from None
        return out

    @property
    def differentiable(self) -> bool:
        return self.vjp is not NON_DIFFERENTIABLE


_REGISTRY: dict[str, OpDef] = {}


def register(opdef: OpDef) -> OpDef:
    if opdef.name in _REGISTRY:
        raise ValueError(f"Op type {opdef.name!r} is registered twice")
    _REGISTRY[opdef.name] = opdef
    return opdef


def get_opdef(name: str) -> OpDef:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"No op type {name!r} is registered; known op types: "
                          + ", ".join(sorted(_REGISTRY))) from None


def all_opdefs() -> dict[str, OpDef]:
    return dict(_REGISTRY)


def set_vjp(op_type: str, rule) -> None:
    """Attach (or replace) the VJP rule of an op; TF1's `RegisterGradient` uses this."""
    get_opdef(op_type).vjp = rule
