"""The rest of TF1's check_ops in `tf.debugging` (and at the top level): assert_integer,
assert_near, assert_proper_iterable, assert_rank_at_least, assert_rank_in,
assert_same_float_dtype, assert_scalar and is_numeric_tensor, with TF1's rules and
messages. As in graphc/debugging.py, what the graph knows (dtypes, static ranks, constant
values) is checked at once; the rest becomes an `Assert` op.
"""
from __future__ import annotations

import numpy as np

from .api import name_scope
from .debugging import _static_message
from .ir import dtypes as dt
from .ir.errors import InvalidArgumentError
from .ir.graph import TensorLike
from .ir.ops import math_ops as M
from .ir.ops import reduce_ops as R
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.array_ops import rank as _rank, shape as _shape
from .ir.ops.control_flow_ops import assert_ as Assert
from .ir.ops.core_ops import no_op

__all__ = ["assert_integer", "assert_near", "assert_proper_iterable", "assert_rank_at_least",
           "assert_rank_in", "assert_same_float_dtype", "assert_scalar", "is_numeric_tensor"]


def assert_integer(x, message=None, name=None):
    """TF1 `tf.debugging.assert_integer`: a static dtype check (TypeError); a no-op."""
    with name_scope(name, "assert_integer", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            raise TypeError(f"{message or ''}  Expected \"x\" to be integer type.  Found: "
                            f"{x.name} of dtype {x.dtype.name}")
        return no_op(name="statically_determined_was_integer")


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None,
                name=None):
    """TF1 `tf.debugging.assert_near`: |x - y| <= atol + rtol * |y| element-wise, the
    tolerances 10 * eps of the dtype unless given."""
    with name_scope(name, "assert_near", [x, y, rtol, atol]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        eps = np.finfo(x.dtype.np).eps if x.dtype.is_floating else 0
        rtol = convert_to_tensor(10 * eps if rtol is None else rtol, name="rtol",
                                 dtype=x.dtype)
        atol = convert_to_tensor(10 * eps if atol is None else atol, name="atol",
                                 dtype=x.dtype)
        if data is None:
            data = [message or "", "x and y not equal to tolerance rtol = ", rtol,
                    ", atol = ", atol, f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        tol = M.add(atol, M.multiply(rtol, M.abs(y)))
        diff = M.abs(M.subtract(x, y))
        values = [const_value(t) for t in (x, y, rtol, atol)]
        if all(v is not None for v in values):
            xs, ys, r, a = values
            if not np.all(np.abs(xs - ys) <= a + r * np.abs(ys)):
                raise InvalidArgumentError(None, None, _static_message(data))
        return Assert(R.reduce_all(M.less_equal(diff, tol)), data, summarize=summarize)


def assert_proper_iterable(values):
    """TF1 `tf.debugging.assert_proper_iterable`: `values` is an iterable that is not a
    tensor, an array or a string (TypeError otherwise)."""
    unintentional = (TensorLike, np.ndarray, np.generic, str, bytes)
    if isinstance(values, unintentional) or not hasattr(values, "__iter__"):
        raise TypeError(f"Expected argument \"values\" to be a \"proper\" iterable.  Found: "
                        f"{type(values)}")


def _rank_check(x, ok, what: str, want, data, summarize, message, name, opname, dynamic):
    with name_scope(name, opname, [x]):
        x = convert_to_tensor(x, name="x")
        if x.shape.ndims is not None:
            if not ok(x.shape.ndims):
                raise ValueError(f"{message + '.  ' if message else ''}Tensor {x.name} must "
                                 f"have rank {what}.  Received rank {x.shape.ndims}, shape "
                                 f"{x.shape}")
            return no_op(name="static_checks_determined_all_ok")
        if data is None:
            data = [message or "", f"Tensor {x.name} must have rank {what}", "Received shape: ",
                    _shape(x)]
        return Assert(dynamic(_rank(x)), data, summarize=summarize)


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """TF1 `tf.debugging.assert_rank_at_least`: rank(x) >= rank (static: ValueError)."""
    want = int(rank)
    return _rank_check(x, lambda r: r >= want, f"at least {want}", want, data, summarize,
                       message, name, "assert_rank_at_least",
                       lambda r: M.greater_equal(r, np.int32(want)))


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """TF1 `tf.debugging.assert_rank_in`: rank(x) is one of `ranks` (static: ValueError)."""
    wants = tuple(int(r) for r in ranks)

    def dynamic(r):
        hits = [M.equal(r, np.int32(w)) for w in wants]
        out = hits[0]
        for h in hits[1:]:
            out = M.logical_or(out, h)
        return out
    return _rank_check(x, lambda r: r in wants, f"in {wants}", wants, data, summarize,
                       message, name, "assert_rank_in", dynamic)


def assert_same_float_dtype(tensors=None, dtype=None):
    """TF1 `tf.debugging.assert_same_float_dtype`: every tensor (and `dtype`) is one
    floating dtype; returns it (float32 when nothing says)."""
    if tensors:
        found = None
        for t in tensors:
            if t is None:
                continue
            t_dtype = t.dtype
            if found is None:
                found = t_dtype
            elif t_dtype != found:
                raise ValueError(f"{t.name}, type={t_dtype.name} must be of the same type "
                                 f"({found.name}).")
        if found is not None:
            if dtype is not None and dt.as_dtype(dtype) != found:
                raise ValueError(f"{tensors}, type={found.name} must be of the same type "
                                 f"({dt.as_dtype(dtype).name}).")
            dtype = found
    if dtype is None:
        return dt.float32
    dtype = dt.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype.name}.")
    return dtype


def assert_scalar(tensor, name=None, message=None):
    """TF1 `tf.debugging.assert_scalar`: a static rank-0 check (ValueError); returns the
    tensor."""
    with name_scope(name, "assert_scalar", [tensor]):
        tensor = convert_to_tensor(tensor, name=None)
        if tensor.shape.ndims != 0:
            raise ValueError(f"{message + ' ' if message else ''}Expected scalar shape for "
                             f"{tensor.name}, saw shape: {tensor.shape}.")
        return tensor


def is_numeric_tensor(tensor) -> bool:
    """TF1 `tf.debugging.is_numeric_tensor`: a Tensor of a numeric (not bool or string)
    dtype."""
    return isinstance(tensor, TensorLike) and tensor.dtype in dt.NUMERIC


CHECKS = {f.__name__: f for f in (assert_integer, assert_near, assert_proper_iterable,
                                  assert_rank_at_least, assert_rank_in,
                                  assert_same_float_dtype, assert_scalar, is_numeric_tensor)}
