"""Contract samples for PyFunc, PyFuncStateless and EagerPyFunc (ir/ops/py_func_ops.py)."""
import numpy as np

from graphc.ir.ops import core_ops
from graphc.ir.ops.py_func_ops import py_func_op

ph = core_ops.placeholder


def _sample(kind):
    def one_output():
        x = ph("float64", [None, 3])
        return py_func_op(kind, lambda a: np.sin(a) * 2, [x], "float64"), {
            x: np.arange(6.0).reshape(2, 3)}

    def two_outputs():
        x = ph("int32", [4])
        s = ph("string", [])
        outs = py_func_op(kind, lambda a, b: (a[::-1].copy(), np.array([b + b"!"], object)),
                          [x, s], ["int32", "string"])
        return outs, {x: np.int32([1, 2, 3, 4]), s: b"hi"}
    one_output.__name__, two_outputs.__name__ = f"{kind}_one", f"{kind}_two"
    return [one_output, two_outputs]


SAMPLES = {kind: _sample(kind) for kind in ("PyFunc", "PyFuncStateless", "EagerPyFunc")}
