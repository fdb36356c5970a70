"""Contract samples for graph-structure and state ops."""
import numpy as np

from graphc.ir.ops import core_ops, state_ops
from graphc.ir.ops.math_ops import add

ph = core_ops.placeholder
R = np.random.RandomState(0)


def _const():
    return core_ops.constant(R.randn(2, 3).astype(np.float32)), {}


def _const_str():
    return core_ops.constant(["a", "bc"]), {}


def _placeholder():
    x = ph("float32", [None, 3])
    return x, {x: R.randn(4, 3).astype(np.float32)}


def _placeholder_unknown_rank():
    x = ph("int32", None)
    return x, {x: np.arange(6, dtype=np.int32).reshape(2, 3)}


def _pwd_default():
    return core_ops.placeholder_with_default(np.float64([1.0, 2.0]), [None]), {}


def _pwd_fed():
    t = core_ops.placeholder_with_default(np.float32([1.0, 2.0]), [None])
    return t, {t: np.float32([3.0, 4.0, 5.0])}


def _identity():
    x = ph("float64", [None, 2])
    return core_ops.identity(x), {x: R.randn(3, 2)}


def _identity_bool():
    return core_ops.identity(core_ops.constant([True, False])), {}


def _stop_gradient():
    x = ph("float32", [2])
    return core_ops.stop_gradient(x), {x: np.float32([1, 2])}


def _stop_gradient_int():
    x = ph("int64", None)
    return core_ops.stop_gradient(x), {x: np.int64([[1, 2]])}


def _guarantee_const():
    x = ph("float64", [3])
    return core_ops.guarantee_const(x) * 2.0, {x: np.float64([1, -2, 3])}


def _guarantee_const_string():
    x = ph("string", None)
    return core_ops.guarantee_const(x), {x: np.array([[b"a", b"bc"]], object)}


def _assign_direct():
    v = state_ops.variable_op([2], "int64")
    return state_ops.assign(v, core_ops.constant(np.int64([7, 8]))), {}


def _noop():
    return [core_ops.no_op()], {}


def _group():
    x = ph("float32", [2])
    return [core_ops.group(core_ops.identity(x)), x], {x: np.float32([1, 2])}


def _variable():
    v = state_ops.variable_op([2, 2], "float32")
    init = state_ops.assign(v, core_ops.constant(np.ones((2, 2), np.float32)))
    return [v], {}, [init]


def _variable_int():
    v = state_ops.variable_op([3], "int32")
    init = state_ops.assign(v, core_ops.constant(np.int32([1, 2, 3])))
    return [add(v, 1)], {}, [init]


def _assign_add():
    v = state_ops.variable_op([2], "float64")
    init = state_ops.assign(v, core_ops.constant(np.float64([1, 2])))
    return [state_ops.assign_add(v, np.float64([10, 20]))], {}, [init]


def _assign_sub():
    v = state_ops.variable_op([], "float32")
    init = state_ops.assign(v, core_ops.constant(np.float32(5)))
    return [state_ops.assign_sub(v, np.float32(2))], {}, [init]


def _is_initialized():
    v = state_ops.variable_op([], "float32")
    return state_ops.is_variable_initialized(v), {}


def _is_initialized_after():
    v = state_ops.variable_op([], "float32")
    init = state_ops.assign(v, core_ops.constant(np.float32(5)))
    return [state_ops.is_variable_initialized(v)], {}, [init]


SAMPLES = {
    "Const": [_const, _const_str],
    "Placeholder": [_placeholder, _placeholder_unknown_rank],
    "PlaceholderWithDefault": [_pwd_default, _pwd_fed],
    "Identity": [_identity, _identity_bool],
    "StopGradient": [_stop_gradient, _stop_gradient_int],
    "GuaranteeConst": [_guarantee_const, _guarantee_const_string],
    "NoOp": [_noop, _group],
    "VariableV2": [_variable, _variable_int],
    "Assign": [_variable, _assign_direct],
    "AssignAdd": [_assign_add, _assign_add],
    "AssignSub": [_assign_sub, _assign_sub],
    "IsVariableInitialized": [_is_initialized, _is_initialized_after],
}
