"""`tf.debugging` (and TF1's top-level aliases): assertions, numeric checks, printing.

The asserts follow TF1's check_ops: what is known when the graph is built is checked
then (values of constants, static shapes and dtypes), raising at once; the rest becomes an
`Assert` op whose failure names the assert and your line, with TF1's message
("Condition x == y did not hold element-wise: ...") and the first `summarize` values.
An assert returns an op: run it, or put it in `tf.control_dependencies`.
`check_numerics`, `tf.Print` and `tf.print` are ops of `graphc.ir.ops.debug_ops`.
"""
from __future__ import annotations

import sys
from typing import Optional

import numpy as np

from .api import control_dependencies, name_scope
from .ir import context as _context
from .ir import dtypes as dt
from .ir.errors import InvalidArgumentError
from .ir.graph import TensorLike
from .ir.ops import debug_ops as _ops
from .ir.ops import math_ops as M
from .ir.ops import reduce_ops as R
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.array_ops import rank as _rank, shape as _shape
from .ir.ops.control_flow_ops import assert_ as Assert
from .ir.ops.core_ops import group, identity, no_op

check_numerics = _ops.check_numerics
is_finite, is_inf, is_nan = M.is_finite, M.is_inf, M.is_nan


def _static_message(data) -> str:
    parts = []
    for d in data:
        if isinstance(d, TensorLike):
            v = const_value(d._as_tensor())
            parts.append(d._as_tensor().name if v is None else str(v))
        else:
            parts.append(str(d))
    return "\n".join(parts)


def _binary_assert(sym: str, opname: str, test, static_test, x, y, data, summarize,
                   message, name):
    with name_scope(name, opname, [x, y]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        if data is None:
            data = [f"Condition x {sym} y did not hold element-wise:",
                    f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        if message is not None:
            data = [message] + list(data)
        xs, ys = const_value(x), const_value(y)
        if xs is not None and ys is not None and not np.all(static_test(xs, ys)):
            raise InvalidArgumentError(None, None, _static_message(data))
        return Assert(R.reduce_all(test(x, y)), data, summarize=summarize)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """TF1 `tf.assert_equal`: an op failing the run unless x == y element-wise."""
    if x is y:
        return no_op(name=name)
    return _binary_assert("==", "assert_equal", M.equal, np.equal, x, y, data, summarize,
                          message, name)


def _binary(sym: str, opname: str, test, static_test):
    def check(x, y, data=None, summarize=None, message=None, name=None):
        return _binary_assert(sym, opname, test, static_test, x, y, data, summarize,
                              message, name)
    check.__name__ = check.__qualname__ = opname
    check.__doc__ = f"TF1 `tf.{opname}`: an op failing the run unless x {sym} y element-wise."
    return check


assert_none_equal = _binary("!=", "assert_none_equal", M.not_equal, np.not_equal)
assert_less = _binary("<", "assert_less", M.less, np.less)
assert_less_equal = _binary("<=", "assert_less_equal", M.less_equal, np.less_equal)
assert_greater = _binary(">", "assert_greater", M.greater, np.greater)
assert_greater_equal = _binary(">=", "assert_greater_equal", M.greater_equal,
                               np.greater_equal)


def _sign_assert(opname: str, sym: str, compare, x, data, summarize, message, name):
    with name_scope(name, opname, [x]):
        x = convert_to_tensor(x, name="x")
        if data is None:
            data = [f"Condition x {sym} 0 did not hold element-wise:", f"x ({x.name}) = ", x]
            if message:
                data = [message] + data
        zero = convert_to_tensor(0, dtype=x.dtype)
        return compare(zero, x, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """TF1 `tf.assert_positive`: x > 0 element-wise."""
    return _sign_assert("assert_positive", ">", assert_less, x, data, summarize, message, name)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """TF1 `tf.assert_non_negative`: x >= 0 element-wise."""
    return _sign_assert("assert_non_negative", ">=", assert_less_equal, x, data, summarize,
                        message, name)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    return _sign_assert("assert_negative", "<", lambda zero, x, **kw: assert_less(x, zero, **kw),
                        x, data, summarize, message, name)


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    return _sign_assert("assert_non_positive", "<=",
                        lambda zero, x, **kw: assert_less_equal(x, zero, **kw),
                        x, data, summarize, message, name)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """TF1 `tf.assert_rank`: a static rank is checked now (ValueError), an unknown one
    by an Assert on `tf.rank(x)`."""
    with name_scope(name, "assert_rank", [x]):
        x = convert_to_tensor(x, name="x")
        want = int(rank)
        if x.shape.ndims is not None:
            if x.shape.ndims != want:
                raise ValueError(f"{message + '.  ' if message else ''}Tensor {x.name} must "
                                 f"have rank {want}.  Received rank {x.shape.ndims}, shape "
                                 f"{x.shape}")
            return no_op()
        if data is None:
            data = [message or "", f"Tensor {x.name} must have rank", want,
                    "Received shape: ", _shape(x)]
        return Assert(M.equal(_rank(x), want), data, summarize=summarize)


def assert_type(tensor, tf_type, message=None, name=None):
    """TF1 `tf.assert_type`: a static check (TypeError); returns a no-op."""
    with name_scope(name, "assert_type", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        want = dt.as_dtype(tf_type)
        if tensor.dtype != want:
            raise TypeError(f"{message or ''}  {tensor.name} must be of type {want}; got "
                            f"{tensor.dtype.name}")
        return no_op(name="statically_determined_correct_type")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """TF1 `tf.debugging.assert_shapes`: every (tensor, shape) pair holds, where a shape
    entry is an int (that size), None or '.' (any size), or a symbol (one size wherever it
    appears); a leading '*' or `...` lets any number of outer dims come first; a scalar and
    an empty shape both count as [1]. Known sizes are checked now (ValueError), unknown
    ones by Assert ops."""
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    with name_scope(name, "assert_shapes", [t for t, _ in pairs]):
        message = (message + ".  ") if message else ""
        checks, sizes = [], {}   # symbol -> (static int or None, tensor of its size, where)
        for raw, spec in pairs:
            x = convert_to_tensor(raw)
            spec = list(spec)
            inner = bool(spec) and (spec[0] is Ellipsis or spec[0] == "*")
            if inner:
                spec = spec[1:]
            dims = x.shape.as_tuple()
            dims = None if dims is None else (dims if dims else (1,))
            spec = spec if spec or inner else [1]
            if dims is not None:
                if (len(dims) < len(spec)) if inner else (len(dims) != len(spec)):
                    raise ValueError(f"{message}Specified by tensor {x.name} dimension "
                                     f"{len(spec)}.  Tensor {x.name} must have rank "
                                     f"{'at least ' if inner else ''}{len(spec)}.  Received "
                                     f"rank {len(dims)}, shape {x.shape}")
            else:
                rank_ok = M.greater_equal if inner else M.equal
                checks.append(Assert(rank_ok(_rank(x), len(spec)),
                                     [f"{message}Tensor {x.name} must have rank "
                                      f"{'at least ' if inner else ''}{len(spec)}."]))
            full = _shape(x) if x.shape.ndims else None
            for j, entry in enumerate(spec):
                axis = (len(dims) - len(spec) + j) if dims is not None else j - len(spec)
                known = dims[axis] if dims is not None else None
                if entry is None or entry == ".":
                    continue
                if isinstance(entry, (int, np.integer)) and not isinstance(entry, bool):
                    want_static, want_tensor, where = int(entry), None, "explicit"
                else:
                    if entry not in sizes:
                        size_t = full[axis] if full is not None else None
                        sizes[entry] = (known, size_t, f"{x.name} dimension {axis}")
                        continue
                    want_static, want_tensor, where = sizes[entry]
                    if want_static is None and known is not None:
                        sizes[entry] = (known, want_tensor, f"{x.name} dimension {axis}")
                if known is not None and want_static is not None:
                    if known != want_static:
                        by = "explicitly" if where == "explicit" else f"by tensor {where}"
                        raise ValueError(f"{message}Specified {by}.  "
                                         f"Tensor {x.name} dimension {axis} must have size "
                                         f"{want_static}.  Received size {known}, shape "
                                         f"{x.shape}")
                    continue
                if full is None:
                    continue  # a scalar has nothing to check at run time
                want = want_static if want_static is not None else want_tensor
                if want is None:
                    continue
                got = full[axis]
                checks.append(Assert(M.equal(got, want),
                                     data if data is not None else
                                     [f"{message}Tensor {x.name} dimension {axis} must have "
                                      f"the size of {where}:", want, "received", got],
                                     summarize=summarize))
        return group(*checks) if checks else no_op()


def assert_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """TF1 `tf.verify_tensor_all_finite`: `t`, after a CheckNumerics of it."""
    t = x if x is not None else t
    msg = message if message is not None else msg
    with name_scope(name, "VerifyFinite", [t]):
        t = convert_to_tensor(t, name="x")
        check = _ops.check_numerics(t, message=msg or "")
        with control_dependencies([check]):
            return identity(t)


verify_tensor_all_finite = assert_all_finite


def add_check_numerics_ops():
    """TF1 `tf.add_check_numerics_ops()`: a CheckNumerics on every float output of the
    default graph, chained in graph order so the first bad value is the one reported;
    returns their group."""
    graph = _context.get_default_graph()
    check = None
    for op in list(graph.get_operations()):
        for out in op.outputs:
            if out.dtype in dt.FLOATS and op.type not in ("CheckNumerics",):
                deps = [check] if check is not None else []
                with control_dependencies(deps):
                    check = _ops.check_numerics(
                        out, message=f"{op.name}:{out.value_index}",
                        name=f"{op.name}/CheckNumerics" if out.value_index == 0 else
                        f"{op.name}/CheckNumerics_{out.value_index}")
    return group(check) if check is not None else no_op()


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """TF1 `tf.Print`: `input_`, after writing `message` and each of `data` to stderr
    (TF1's format, the first `summarize` values of each; the first `first_n` runs)."""
    return _ops.print_v1(input_, data, message, first_n, summarize, name)


def _template(value, tensors: list) -> list:
    """Pieces of tf.print's text for one argument: tensors become placeholders; lists,
    tuples and dicts keep their Python layout around them."""
    if isinstance(value, TensorLike):
        tensors.append(value._as_tensor())
        return [("t", len(tensors) - 1)]
    if isinstance(value, (list, tuple)):
        pieces = [("s", "[" if isinstance(value, list) else "(")]
        for i, v in enumerate(value):
            if i:
                pieces.append(("s", ", "))
            pieces += _template(v, tensors)
        return pieces + [("s", "]" if isinstance(value, list) else ")")]
    if isinstance(value, dict):
        pieces = [("s", "{")]
        for i, (k, v) in enumerate(value.items()):
            pieces.append(("s", (", " if i else "") + repr(k) + ": "))
            pieces += _template(v, tensors)
        return pieces + [("s", "}")]
    return [("s", str(value))]


def print_(*inputs, output_stream=None, summarize: Optional[int] = 3, sep: str = " ",
           end: str = "\n", name: Optional[str] = None):
    """`tf.print`: an op writing `inputs` (tensors in a numpy-like format, the first and
    last `summarize` entries of each dim; None or -1 for all) joined by `sep` to
    `output_stream` (sys.stderr by default, sys.stdout, 'file://PATH' or any object with
    `write`). Run it, or make something depend on it."""
    tensors: list = []
    pieces: list = []
    single_string = len(inputs) == 1 and isinstance(inputs[0], TensorLike) and \
        inputs[0]._as_tensor().dtype.is_string and inputs[0]._as_tensor().shape.ndims == 0
    for i, value in enumerate(inputs):
        if i:
            pieces.append(("s", sep))
        if single_string:  # a lone string scalar prints as it is, unquoted (TF)
            tensors.append(value._as_tensor())
            pieces.append(("r", 0))
        else:
            pieces += _template(value, tensors)
    stream = _ops.stream_attr(sys.stderr if output_stream is None else output_stream)
    n = -1 if summarize is None or summarize < 0 else int(summarize)
    return _ops.print_v2(_merge(pieces), tensors, stream, n, end, name=name)


def _merge(pieces: list) -> tuple:
    """Adjacent text pieces joined into one."""
    out: list = []
    for kind, value in pieces:
        if kind == "s" and out and out[-1][0] == "s":
            out[-1] = ("s", out[-1][1] + value)
        else:
            out.append((kind, value))
    return tuple(out)
