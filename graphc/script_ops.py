"""TF1's `tf.py_func`, `tf.numpy_function` and `tf.py_function`: a Python function run
inside the graph on its inputs' numpy arrays (graphc.ir.ops.py_func_ops)."""
from __future__ import annotations

from typing import Optional

from .ir.ops.py_func_ops import py_func_op

__all__ = ["py_func", "numpy_function", "py_function"]


def py_func(func, inp, Tout, stateful: bool = True, name: Optional[str] = None):
    """TF1 `tf.py_func`: func(*arrays) in the graph; returns a tensor of dtype Tout, or a
    list of tensors for a list of dtypes (shapes unknown: use set_shape). stateful=False
    lets equal calls be merged. Non-differentiable unless an op of it is created under
    `gradient_override_map({"PyFunc": name})` with `@tf.RegisterGradient(name)`."""
    return py_func_op("PyFunc" if stateful else "PyFuncStateless", func, inp, Tout, name)


def numpy_function(func=None, inp=None, Tout=None, stateful: bool = True,
                   name: Optional[str] = None):
    """TF1 `tf.numpy_function`: `tf.py_func` under its newer name."""
    if func is None or Tout is None:
        raise TypeError("numpy_function needs func and Tout")
    return py_func(func, inp, Tout, stateful=stateful, name=name)


def py_function(func=None, inp=None, Tout=None, name: Optional[str] = None):
    """TF1 `tf.py_function`: as py_func, the function getting arrays that also have TF2's
    `.numpy()` (graphc has no eager tensors)."""
    if func is None or Tout is None:
        raise TypeError("py_function needs func and Tout")
    return py_func_op("EagerPyFunc", func, inp, Tout, name)
