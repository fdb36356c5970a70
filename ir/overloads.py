"""Python operators on tensors (TF1's `Tensor.__add__` and friends).

Attached to `TensorLike`, so Tensors and Variables share them. Each operator calls the
same builder the API exposes; reflected operators keep operand order (`2 - x`). This
module sits above ir/ops (ir/__init__.py imports it after the op families): the graph
module defines TensorLike without them, and no op family needs them at import time.
"""
from __future__ import annotations

from .graph import TensorLike
from .ops import math_ops
from .ops.matmul_ops import matmul
from .ops.slicing_ops import slice_helper


def _binary(builder, reflected: bool = False):
    def method(self, other):
        if reflected:
            return builder(other, self)
        return builder(self, other)

    method.__name__ = builder.__name__
    return method


def _unary(builder):
    def method(self):
        return builder(self)

    method.__name__ = builder.__name__
    return method


_BINARY = {
    "add": math_ops.add, "sub": math_ops.subtract, "mul": math_ops.multiply,
    "truediv": math_ops.truediv, "floordiv": math_ops.floordiv, "mod": math_ops.floormod,
    "pow": math_ops.pow, "matmul": matmul, "and": math_ops.logical_and,
    "or": math_ops.logical_or, "xor": math_ops.logical_xor,
}

for _op, _builder in _BINARY.items():
    setattr(TensorLike, f"__{_op}__", _binary(_builder))
    setattr(TensorLike, f"__r{_op}__", _binary(_builder, reflected=True))

for _op, _builder in {"lt": math_ops.less, "le": math_ops.less_equal,
                      "gt": math_ops.greater, "ge": math_ops.greater_equal}.items():
    setattr(TensorLike, f"__{_op}__", _binary(_builder))

TensorLike.__neg__ = _unary(math_ops.negative)
TensorLike.__abs__ = _unary(math_ops.abs)
TensorLike.__invert__ = _unary(math_ops.logical_not)
TensorLike.__pos__ = lambda self: self
TensorLike.__getitem__ = slice_helper
TensorLike.__div__ = TensorLike.__truediv__
TensorLike.__rdiv__ = TensorLike.__rtruediv__
