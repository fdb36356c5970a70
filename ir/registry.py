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
  freeze_graphs  (op) -> {key: Plan}: the graphs the op holds, frozen into Plans of their
           own (ir/plan.py) for the Plan the op's node is frozen into, when backends run
           them inline, node by node (a Fused node's body); None: kept as they are (If's
           branches and While's cond and body are functions, compiled on their own)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from . import symbolic
from .dtypes import DType
from .shapes import TensorShape
from .site import current_site


class _NonDifferentiable:
    def __repr__(self) -> str:
        return "NON_DIFFERENTIABLE"


NON_DIFFERENTIABLE = _NonDifferentiable()


class NoGradient:
    """A VJP rule's entry for an input it has no gradient for (TF registers none): the
    gradient walk raises LookupError naming the op and `why` if that input lies on a path
    being differentiated, and passes over it otherwise (so the other inputs' gradients
    still flow)."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return f"NoGradient({self.why!r})"


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
    # A kernel that runs in two halves, so that other steps run while it is under way (a
    # collective's transfer): `start(*inputs, **attrs)` begins it and returns a pending
    # value, `finish(pending)` returns what `compute` would. The plan runs the op as soon
    # as its inputs exist (passes/prune.py); backends run `start` there and `finish` just
    # before the first step that reads an output. `compute` stays the whole kernel.
    start: Optional[Callable] = None
    finish: Optional[Callable] = None
    # Why the op runs through its numpy kernel on every backend by design ("" when a
    # backend may lower it natively); unless given, its family's reason (BY_DESIGN). The
    # llvm lowering runs such an op as a host step without a FallbackWarning, and the
    # README's list of numpy-kernel ops is generated from these flags.
    numpy_by_design: Optional[str] = None
    # How a Plan holds the graphs the op holds (see the module doc); None: as they are.
    freeze_graphs: Optional[Callable] = None

    def __post_init__(self) -> None:
        if self.numpy_by_design is None:
            self.numpy_by_design = BY_DESIGN.get(self.family, "")

    def run_infer(self, op) -> list[tuple[DType, TensorShape]]:
        """Run inference, re-raising failures with the op's name and the user's line."""
        try:
            if symbolic.COMPILING:  # (a plan with symbolic dims is being compiled)
                with symbolic.inferring():
                    out = self.infer(op)
            else:
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


_STRINGS = "strings (numpy object arrays; native code has no string type)"
# The families whose ops run through their numpy kernels by design, and why.
BY_DESIGN: dict[str, str] = {
    "control": "control flow and checks, driven from Python (the graphs an If holds are "
               "compiled natively on their own)",
    "tensor_array": "lists of arrays, which only Python holds",
    "dataset": "input pipelines and queues, which run in Python",
    "collective": "transfers to the other processes, through mpi4py",
    "sparse": "outputs whose sizes depend on the data",
    "python": "the user's Python function",
    "random": "Philox in numpy, so that the same seeds give the same numbers on both "
              "backends",
    "string": _STRINGS, "parsing": _STRINGS, "summary": _STRINGS,
}

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


# ---------------------------------------------------------------- TF1's gradient registry
# `tf.RegisterGradient("Name")` adds a gradient function under a name (TF1's signature:
# fn(op, *output_grads) -> one gradient per input); `gradient_override_map` makes ops use
# one by name. Like TF1's it is process-wide: a name is registered once. Built-in op types
# are names too: their VJP rules (an override to "Identity" uses Identity's gradient).
_GRADIENTS: dict[str, tuple] = {}   # name -> (fn or NON_DIFFERENTIABLE, where registered)


def register_gradient(name: str, fn, where: str = "") -> None:
    """Register `fn` (or NON_DIFFERENTIABLE) as the gradient called `name`."""
    if not isinstance(name, str):
        raise TypeError(f"the gradient's name must be a string, got {name!r}")
    opdef = _REGISTRY.get(name)
    if name in _GRADIENTS or opdef is not None and opdef.vjp is not None:
        before = _GRADIENTS[name][1] if name in _GRADIENTS else "graphc's op registry"
        raise KeyError(f"Registering two gradient with name '{name}'! (Previous "
                       f"registration was in {before})")
    _GRADIENTS[name] = (fn, where)


def lookup_gradient(name: str):
    """The gradient called `name`: ("tf1", fn(op, *grads)), ("vjp", vjp(op, grads)) for
    a built-in op type, or (kind, NON_DIFFERENTIABLE); None when nothing has that name."""
    if name in _GRADIENTS:
        return ("tf1", _GRADIENTS[name][0])
    opdef = _REGISTRY.get(name)
    if opdef is not None and opdef.vjp is not None:
        return ("vjp", opdef.vjp)
    return None


class RegisterGradient:
    """TF1 `tf.RegisterGradient(op_type)`: a decorator registering a gradient function
    `fn(op, *grads)` under `op_type`, for ops of that type without a rule of their own or
    for ops created under `Graph.gradient_override_map({type: op_type})`."""

    def __init__(self, op_type: str) -> None:
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f):
        site = current_site()
        register_gradient(self._op_type, f, site.describe() if site is not None else
                          getattr(f, "__qualname__", repr(f)))
        return f


def NotDifferentiable(op_type: str) -> None:  # noqa: N802 (TF1's name)
    """TF1 `tf.NotDifferentiable(op_type)`: ops of `op_type` (or overridden to it) pass no
    gradient to their inputs; tf.gradients treats them as the end of a path."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    site = current_site()
    register_gradient(op_type, NON_DIFFERENTIABLE, site.describe() if site else "")


no_gradient = NotDifferentiable
