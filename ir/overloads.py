"""Python operators on tensors (TF1's `Tensor.__add__` and friends).

Attached to `TensorLike`, so Tensors and Variables share them. Each operator calls the
same builder the API exposes; reflected operators keep operand order (`2 - x`).
"""
from __future__ import annotations

from .graph import TensorLike


def _binary(builder_name: str, module: str, reflected: bool = False):
    def method(self, other):
        from importlib import import_module
        builder = getattr(import_module(f"graphc.ir.ops.{module}"), builder_name)
        if reflected:
            return builder(other, self)
        return builder(self, other)

    method.__name__ = builder_name
    return method


def _unary(builder_name: str, module: str):
    def method(self):
        from importlib import import_module
        return getattr(import_module(f"graphc.ir.ops.{module}"), builder_name)(self)

    method.__name__ = builder_name
    return method


_BINARY = {
    "add": "add", "sub": "subtract", "mul": "multiply", "truediv": "truediv",
    "floordiv": "floordiv", "mod": "floormod", "pow": "pow", "matmul": "matmul",
    "and": "logical_and", "or": "logical_or", "xor": "logical_xor",
}

for _op, _builder in _BINARY.items():
    _module = "matmul_ops" if _builder == "matmul" else "math_ops"
    setattr(TensorLike, f"__{_op}__", _binary(_builder, _module))
    setattr(TensorLike, f"__r{_op}__", _binary(_builder, _module, reflected=True))

for _op, _builder in {"lt": "less", "le": "less_equal", "gt": "greater",
                      "ge": "greater_equal"}.items():
    setattr(TensorLike, f"__{_op}__", _binary(_builder, "math_ops"))

TensorLike.__neg__ = _unary("negative", "math_ops")
TensorLike.__abs__ = _unary("abs", "math_ops")
TensorLike.__invert__ = _unary("logical_not", "math_ops")
TensorLike.__pos__ = lambda self: self


def _getitem(self, key):
    from graphc.ir.ops.slicing_ops import slice_helper
    return slice_helper(self, key)


TensorLike.__getitem__ = _getitem
TensorLike.__div__ = TensorLike.__truediv__
TensorLike.__rdiv__ = TensorLike.__rtruediv__
