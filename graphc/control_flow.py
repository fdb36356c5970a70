"""TF1 control flow: tf.cond, tf.case, tf.while_loop, built as If and While nodes.

Each branch, loop condition and loop body is traced once into a function graph
(ir/func_graph.py); outer tensors it uses are captured as the node's inputs. See
ir/ops/control_flow_ops.py for what the nodes run, passes/control_flow_grad.py for their
gradients. Mistakes (branches returning different structures or dtypes, a loop
variable changing shape without a shape invariant, a non-boolean predicate) are errors
raised here, naming the op and the user's line.
"""
from __future__ import annotations

from typing import Callable, Optional

from . import nest
from .ir import context as _context
from .ir import dtypes as dt
from .ir.func_graph import FuncGraph
from .ir.graph import Operation, Tensor, TensorLike
from .ir.ops import core_ops
from .ir.ops import math_ops as M
from .ir.ops._base import convert_to_tensor
from .ir.ops.control_flow_ops import ELSE, THEN, if_node, while_node
from .ir.ops.critical_section_ops import critical_section_node
from .ir.shapes import as_shape, TensorShape
from .ir.site import where
from .tensor_array import TensorArray


_where = where  # the user's line, for build errors


def _as_pred(pred, what: str) -> Tensor:
    if isinstance(pred, bool):
        raise TypeError(f"{what}: pred must not be a Python bool; use a boolean tensor "
                        f"(tf.constant({pred})) or branch in Python{_where()}")
    p = convert_to_tensor(pred)
    if p.dtype is not dt.bool_:
        raise TypeError(f"{what}: pred must be a bool tensor, got {p.name} of dtype "
                        f"{p.dtype.name}{_where()}")
    if p.shape.ndims not in (None, 0):
        raise ValueError(f"{what}: pred must be a scalar, got {p.name} of shape "
                         f"{p.shape}{_where()}")
    return p


def _trace(name: str, fn: Callable, graph, params=()) -> tuple:
    """Call `fn` on new parameters inside a FuncGraph; return (graph, result, params)."""
    g = FuncGraph(name, graph)
    args = [g.add_param(d, s, n) for d, s, n in params]
    with g.as_default():
        result = fn(*args)
    return g, result, args


def _branch_outputs(g: FuncGraph, result, branch: str, op_name: str) -> tuple:
    """Flatten a branch's result into tensors of `g` (Operations become a control-only
    output, Python values constants)."""
    flat = nest.flatten(result)
    tensors = []
    with g.as_default():
        for v in flat:
            if v is None:
                raise TypeError(f"{op_name}: the {branch} branch returned None inside its "
                                f"result {nest._describe(result)}{_where()}")
            if isinstance(v, Operation):
                with g.control_dependencies([v]):
                    v = core_ops.constant(True, name="op_done")
            if isinstance(v, TensorArray):  # carried as its flow, as in a loop
                if v.handle.graph is g:
                    raise ValueError(f"{op_name}: the {branch} branch returns a TensorArray "
                                     "it created; create it before the cond and write to "
                                     f"it in the branches{_where()}")
                v = v.flow
            t = v._as_tensor() if isinstance(v, TensorLike) else convert_to_tensor(v)
            if t.graph is not g:
                t = core_ops.identity(t)  # an outer tensor returned as is: capture it
            tensors.append(t)
    return flat, tensors


def _exported(flat_then: list, flat_else: list) -> tuple:
    """The If's `exported` attr: ((i, the branch computing result i), ...) for the results
    one branch returns a stand-in for (`is_stand_in`: an imported cond's optional,
    graphc/graphdef/optionals.py), so that a plan can give the stand-in the computing
    branch's run-time shape (ir/ops/control_flow_ops.py)."""
    out = []
    for i, (a, b) in enumerate(zip(flat_then, flat_else)):
        if getattr(a, "is_stand_in", False) != getattr(b, "is_stand_in", False):
            out.append((i, ELSE if getattr(a, "is_stand_in", False) else THEN))
    return tuple(out)


def cond(pred, true_fn: Optional[Callable] = None, false_fn: Optional[Callable] = None,
         strict: bool = False, name: Optional[str] = None, fn1=None, fn2=None):
    """TF1 `tf.cond`: `true_fn()` if pred else `false_fn()`; only that branch runs."""
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError(f"cond: true_fn and false_fn must be callable{_where()}")
    graph = _context.get_default_graph()
    with graph.name_scope(name or "cond") as scope:
        p = _as_pred(pred, f"cond '{scope[:-1]}'")
        g_then, r_then, _ = _trace(scope + "true", true_fn, graph)
        g_else, r_else, _ = _trace(scope + "false", false_fn, graph)
        if not strict:
            r_then, r_else = _unpack_singleton(r_then), _unpack_singleton(r_else)
        try:
            nest.assert_same_structure(r_then, r_else)
        except ValueError as exc:
            raise ValueError(f"cond '{scope[:-1]}': true_fn and false_fn must return the "
                             f"same nested structure. {exc}{_where()}") from None
        flat_then, out_then = _branch_outputs(g_then, r_then, "true", scope[:-1])
        _, out_else = _branch_outputs(g_else, r_else, "false", scope[:-1])
        for i, (a, b) in enumerate(zip(out_then, out_else)):
            if a.dtype is not b.dtype:
                raise TypeError(f"cond '{scope[:-1]}': output {i} of true_fn is "
                                f"{a.dtype.name} but false_fn returns {b.dtype.name}; both "
                                f"branches must return the same dtypes{_where()}")
        g_then.outputs, g_else.outputs = out_then, out_else
        attrs = {"n_out": len(out_then)}
        exported = _exported(nest.flatten(r_then), nest.flatten(r_else))
        if exported:
            attrs["exported"] = exported
        op = if_node(graph, scope[:-1] + "/", p, {THEN: g_then, ELSE: g_else}, attrs)
    outputs = [op if isinstance(v, Operation) else v._with_flow(t)
               if isinstance(v, TensorArray) else t for v, t in zip(flat_then, op.outputs)]
    return nest.pack_sequence_as(r_then, outputs)


def _unpack_singleton(x):
    while isinstance(x, (list, tuple)) and not hasattr(x, "_fields") and len(x) == 1:
        x = x[0]
    return x


def case(pred_fn_pairs, default: Optional[Callable] = None, exclusive: bool = False,
         strict: bool = False, name: str = "case"):
    """TF1 `tf.case`: the fn of the first true predicate, else `default` (else the last
    pair's fn). Built as nested conds; with `exclusive`, more than one true predicate is
    an error at run time."""
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    pairs = list(pred_fn_pairs)
    if not pairs:
        raise ValueError(f"case: pred_fn_pairs must not be empty{_where()}")
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not callable(pair[1]):
            raise TypeError(f"case: each pair must be (predicate, callable){_where()}")
    if default is None:
        (_, default), pairs = pairs[-1], pairs[:-1]
    graph = _context.get_default_graph()
    with graph.name_scope(name):
        preds = [_as_pred(p, "case") for p, _ in pairs]
        if exclusive and len(preds) > 1:
            from .ir.ops.array_ops import stack
            from .ir.ops import reduce_ops
            count = reduce_ops.reduce_sum(M.cast(stack(preds), dt.int32))
            check = _assert_op(M.less_equal(count, 1),
                               "Input error: exclusive=True: more than 1 conditions "
                               "(" + ", ".join(p.name for p in preds) + ") evaluated as True")
            with graph.control_dependencies([check]):
                preds = [core_ops.identity(p) for p in preds]

        def chain(i):
            if i == len(pairs):
                return default()
            return cond(preds[i], pairs[i][1], lambda: chain(i + 1), strict=strict,
                        name=f"case_{i}")
        return chain(0)


def _assert_op(condition, message: str):
    from .ir.ops.control_flow_ops import assert_
    return assert_(condition, [message])


# ------------------------------------------------------------------ while_loop
def while_loop(cond: Callable, body: Callable, loop_vars, shape_invariants=None,
               parallel_iterations: int = 10, back_prop: bool = True,
               swap_memory: bool = False, name: Optional[str] = None,
               maximum_iterations=None, return_same_structure: bool = False):
    """TF1 `tf.while_loop`: repeat `body` while `cond` holds, as one While node."""
    if not callable(cond) or not callable(body):
        raise TypeError(f"while_loop: cond and body must be callable{_where()}")
    if loop_vars is None or (nest.is_nested(loop_vars) and not nest.flatten(loop_vars)):
        raise ValueError(f"while_loop: no loop variables provided{_where()}")
    outs, _ = _while(cond, body, loop_vars, shape_invariants, name or "while",
                     maximum_iterations)
    if not back_prop:
        outs = nest.map_structure(core_ops.stop_gradient, outs)
    if not return_same_structure and isinstance(loop_vars, (list, tuple)) and \
            len(loop_vars) == 1 and not hasattr(loop_vars, "_fields"):
        return outs[0]
    return outs


def _while(cond_fn, body_fn, loop_vars, shape_invariants, name, maximum_iterations,
           accumulate: bool = False):
    """Build a While node. With `accumulate`, `body_fn` returns (new loop vars, values
    to stack); the result is then (final loop vars, stacked values, in flat order)."""
    graph = _context.get_default_graph()
    with graph.name_scope(name) as scope:
        op_name = scope[:-1]
        # a TensorArray is carried as its flow (its handle is captured where it is used)
        arrays = [v if isinstance(v, TensorArray) else None for v in nest.flatten(loop_vars)]
        flat_vars = [v.flow if isinstance(v, TensorArray) else v._as_tensor()
                     if isinstance(v, TensorLike) else convert_to_tensor(v)
                     for v in nest.flatten(loop_vars)]
        if shape_invariants is None:
            shapes = [v.shape for v in flat_vars]
        else:
            try:
                nest.assert_same_structure(_shape_leaves(loop_vars),
                                           _shape_leaves(shape_invariants, True))
            except ValueError as exc:
                raise ValueError(f"while_loop '{op_name}': shape_invariants must have the "
                                 f"structure of loop_vars. {exc}{_where()}") from None
            shapes = [as_shape(s) if a is None else TensorShape([])
                      for a, s in zip(arrays, _flat_shapes(shape_invariants))]
        for v, s in zip(flat_vars, shapes):
            if not s.is_compatible_with(v.shape):
                raise ValueError(f"while_loop '{op_name}': the shape invariant {s} is not "
                                 f"compatible with loop variable {v.name} of shape "
                                 f"{v.shape}{_where()}")
        counted = maximum_iterations is not None
        if counted:
            limit = convert_to_tensor(maximum_iterations, dtype=dt.int32,
                                      name="maximum_iterations")
            flat_vars = [core_ops.constant(0, dt.int32, name="iteration")] + flat_vars
            shapes = [TensorShape([])] + shapes
        params = [(v.dtype, s, f"loop_var_{i}") for i, (v, s) in enumerate(zip(flat_vars,
                                                                                 shapes))]

        def user_vars(args):
            args = args[1:] if counted else args
            return nest.pack_sequence_as(loop_vars, [a if ta is None else ta._with_flow(a)
                                                     for ta, a in zip(arrays, args)])

        def cond_wrapper(*args):
            go = cond_fn(*_as_args(user_vars(args), loop_vars))
            go = _as_pred(go, f"while_loop '{op_name}': cond") if not isinstance(
                go, Tensor) or go.dtype is not dt.bool_ else go
            if counted:
                go = M.logical_and(M.less(args[0], limit), go)
            return go

        accumulated: list = []

        def body_wrapper(*args):
            result = body_fn(*_as_args(user_vars(args), loop_vars))
            if accumulate:
                result, extra = result
                accumulated.extend(nest.flatten(extra))
            if not nest.is_nested(loop_vars) or (isinstance(loop_vars, (list, tuple)) and
                                                 len(loop_vars) == 1 and
                                                 not nest.is_nested(result)):
                result = [result] if nest.is_nested(loop_vars) else result
            try:
                nest.assert_same_structure(loop_vars, result)
            except ValueError as exc:
                raise ValueError(f"while_loop '{op_name}': body must return the structure "
                                 f"of loop_vars. {exc}{_where()}") from None
            new = [r.flow if isinstance(r, TensorArray) else convert_to_tensor(r)
                   for r in nest.flatten(result)]
            if counted:
                new = [M.add(args[0], 1)] + new
            return new + [a._as_tensor() if isinstance(a, TensorLike) else convert_to_tensor(a)
                          for a in accumulated]

        g_cond, r_cond, _ = _trace(scope + "cond", cond_wrapper, graph, params)
        g_body, r_body, _ = _trace(scope + "body", body_wrapper, graph, params)
        with g_body.as_default():
            r_body = [t if t.graph is g_body else core_ops.identity(t) for t in r_body]
        with g_cond.as_default():
            r_cond = r_cond if r_cond.graph is g_cond else core_ops.identity(r_cond)
        n = len(flat_vars)
        for v, s, r in zip(flat_vars, shapes, r_body):
            if r.dtype is not v.dtype:
                raise TypeError(f"while_loop '{op_name}': loop variable {v.name} enters the "
                                f"loop as {v.dtype.name} but the body returns "
                                f"{r.dtype.name} for it{_where()}")
            if not s.is_compatible_with(r.shape) or (s.ndims is not None and
                                                     r.shape.ndims is None):
                raise ValueError(
                    f"while_loop '{op_name}': Input tensor '{v.name}' enters the loop with "
                    f"shape {v.shape}, but has shape {r.shape} after one iteration. To "
                    "allow the shape to vary across iterations, use the `shape_invariants` "
                    "argument of tf.while_loop to specify a less-specific shape."
                    + _where())
        g_cond.outputs, g_body.outputs = [r_cond], r_body
        op = while_node(graph, op_name + "/", flat_vars, shapes, g_cond, g_body)
    finals = list(op.outputs[1 if counted else 0:n])
    result = nest.pack_sequence_as(loop_vars, [t if ta is None else ta._with_flow(t)
                                               for ta, t in zip(arrays, finals)])
    if accumulate:
        return result, list(op.outputs[n + 1:])
    return result, op


def _as_args(structure, loop_vars) -> tuple:
    """TF1 calls cond/body with the loop variables as positional arguments."""
    if isinstance(loop_vars, (list, tuple)):
        return tuple(structure)
    return (structure,)


def _shape_leaves(structure, shapes: bool = False):
    """A structure's leaves, where a TensorShape (or a list of dims) is one leaf."""
    if shapes and _is_shape(structure):
        return "shape"
    if isinstance(structure, dict):
        return {k: _shape_leaves(v, shapes) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_shape_leaves(v, shapes) for v in structure]
    return "shape"


def _is_shape(x) -> bool:
    if isinstance(x, TensorShape) or x is None:
        return True
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x) \
        and not hasattr(x, "_fields")


def _flat_shapes(structure) -> list:
    if _is_shape(structure):
        return [structure]
    if isinstance(structure, dict):
        structure = [structure[k] for k in sorted(structure)]
    out = []
    for s in structure:
        out.extend(_flat_shapes(s))
    return out


# ------------------------------------------------------------------ functional ops
def _elems(elems, what: str):
    flat = [e._as_tensor() if isinstance(e, TensorLike) else convert_to_tensor(e)
            for e in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"{what}: elems must not be empty{_where()}")
    for e in flat:
        if e.shape.ndims == 0:
            raise ValueError(f"{what}: elements in elems must be 1+ dimensional, got "
                             f"{e.name} of shape {e.shape}{_where()}")
    return flat


def _length(flat: list):
    from .ir.ops.array_ops import shape as shape_of
    n = flat[0].shape.as_tuple()[0] if flat[0].shape.ndims else None
    return (core_ops.constant(n, dt.int32, name="n") if n is not None
            else shape_of(flat[0])[0]), n


def _item(flat: list, i, structure):
    from .ir.ops.slicing_ops import gather
    return nest.pack_sequence_as(structure, [gather(e, i) for e in flat])


def _slices(flat: list, structure):
    """Inside a loop body: this iteration's slices of `flat` (indexed by loop variable 0,
    read as views by the While node, see FuncGraph.sliced_capture)."""
    g = _context.get_default_graph()
    g.slice_counter = (0, 0)
    return nest.pack_sequence_as(structure, [g.sliced_capture(e) for e in flat])


def _stacked(values: list, n_static, structure):
    for v in values:
        if n_static is not None and v.shape.ndims is not None:
            v.set_shape([n_static] + list(v.shape.as_tuple())[1:])
    return nest.pack_sequence_as(structure, values)


def map_fn(fn: Callable, elems, dtype=None, parallel_iterations=None, back_prop: bool = True,
           swap_memory: bool = False, infer_shape: bool = True, name: Optional[str] = None,
           fn_output_signature=None):
    """TF1 `tf.map_fn`: `fn` on each slice of `elems` along axis 0, results stacked (their
    dtypes and structure are fn's own, so `dtype` / `fn_output_signature` need not say)."""
    graph = _context.get_default_graph()
    with graph.name_scope(name or "map"):
        flat = _elems(elems, "map_fn")
        n, n_static = _length(flat)
        structure: list = []

        def body(i):
            out = fn(_slices(flat, elems))
            structure.append(out)
            return i + 1, out

        _, stacks = _while(lambda i: i < n, body, [core_ops.constant(0, dt.int32)], None,
                           "while", None, accumulate=True)
    result = _stacked(stacks, n_static, structure[0])
    return result if back_prop else nest.map_structure(core_ops.stop_gradient, result)


def vectorized_map(fn: Callable, elems, fallback_to_while_loop: bool = True,
                   warn: bool = True):
    """TF's `tf.vectorized_map`: `fn` on each slice of `elems` along axis 0, results
    stacked, as map_fn (TF vectorizes with pfor; graphc runs the same loop it compiles for
    map_fn, whose values are the same)."""
    return map_fn(fn, elems, name="loop_body")


def scan(fn: Callable, elems, initializer=None, parallel_iterations=10,
         back_prop: bool = True, swap_memory: bool = False, infer_shape: bool = True,
         reverse: bool = False, name: Optional[str] = None):
    """TF1 `tf.scan`: the running `a = fn(a, x)` over the slices of `elems`, stacked."""
    from .ir.ops.array_ops import concat, expand_dims
    from .ir.ops.tile_pad_ops import reverse as reverse_op
    graph = _context.get_default_graph()
    with graph.name_scope(name or "scan"):
        flat = _elems(elems, "scan")
        if reverse:
            flat = [reverse_op(e, [0]) for e in flat]
        n, n_static = _length(flat)
        start = 0
        if initializer is None:
            init = _item(flat, core_ops.constant(0, dt.int32), elems)
            start = 1
        else:
            init = nest.map_structure(
                lambda v: v._as_tensor() if isinstance(v, TensorLike) else
                convert_to_tensor(v), initializer)

        def body(i, acc):
            new = fn(acc, _slices(flat, elems))
            try:
                nest.assert_same_structure(acc, new)
            except ValueError as exc:
                raise ValueError(f"scan: fn must return the structure of its accumulator. "
                                 f"{exc}{_where()}") from None
            return (i + 1, new), new

        (_, _), stacks = _while(lambda i, acc: i < n, body,
                                (core_ops.constant(start, dt.int32), init), None, "while",
                                None, accumulate=True)
        if start:
            stacks = [concat([expand_dims(v, 0), s], 0)
                      for v, s in zip(nest.flatten(init), stacks)]
        if reverse:
            stacks = [reverse_op(s, [0]) for s in stacks]
    result = _stacked(stacks, n_static, init)
    return result if back_prop else nest.map_structure(core_ops.stop_gradient, result)


def _fold(fn, elems, initializer, back_prop, name, reverse: bool):
    graph = _context.get_default_graph()
    what = "foldr" if reverse else "foldl"
    with graph.name_scope(name or what):
        from .ir.ops.tile_pad_ops import reverse as reverse_op
        flat = _elems(elems, what)
        if reverse:
            flat = [reverse_op(e, [0]) for e in flat]
        n, _ = _length(flat)
        start = 0
        if initializer is None:
            init = _item(flat, core_ops.constant(0, dt.int32), elems)
            start = 1
        else:
            init = initializer

        def body(i, acc):
            return i + 1, fn(acc, _slices(flat, elems))

        _, acc = while_loop(lambda i, acc: i < n, body,
                            (core_ops.constant(start, dt.int32), init), name="while",
                            back_prop=back_prop)
    return acc


def foldl(fn: Callable, elems, initializer=None, parallel_iterations: int = 10,
          back_prop: bool = True, swap_memory: bool = False, name: Optional[str] = None):
    """TF1 `tf.foldl`: `fn(...fn(fn(init, x0), x1)..., xn-1)`."""
    return _fold(fn, elems, initializer, back_prop, name, reverse=False)


def foldr(fn: Callable, elems, initializer=None, parallel_iterations: int = 10,
          back_prop: bool = True, swap_memory: bool = False, name: Optional[str] = None):
    """TF1 `tf.foldr`: folds from the last element to the first."""
    return _fold(fn, elems, initializer, back_prop, name, reverse=True)


class CriticalSection:
    """TF's `tf.CriticalSection(name=None, shared_name=None)`: `execute(fn)` builds fn's
    ops into a node that runs them holding the section's lock, so concurrent
    Session.run calls execute one section's bodies one at a time (their reads and
    updates of variables do not interleave). Sections with the same `shared_name` share
    the lock."""

    def __init__(self, name: Optional[str] = None, shared_name: Optional[str] = None,
                 critical_section_def=None, import_scope=None) -> None:
        if critical_section_def is not None:
            raise ValueError("CriticalSection(critical_section_def=...): graphc keeps no "
                             f"CriticalSectionDef protos; make the section anew{_where()}")
        graph = _context.get_default_graph()
        with graph.name_scope(name or "critical_section") as scope:
            self._name = scope[:-1]
        self._key = shared_name or self._name
        self._executing = False

    @property
    def name(self) -> str:
        return self._name

    def execute(self, fn: Callable, exclusive_resource_access: bool = True,
                name: Optional[str] = None):
        """fn()'s result, computed holding the lock (fn takes no arguments; it may read
        and assign variables)."""
        if self._executing:
            raise ValueError("Attempting to lock a CriticalSection in which we are already "
                             f"running. This is illegal and may cause deadlocks.{_where()}")
        graph = _context.get_default_graph()
        with graph.name_scope(name or "critical_section_execute") as scope:
            self._executing = True
            try:
                g, result, _ = _trace(scope + "body", fn, graph)
            finally:
                self._executing = False
            flat, outs = _branch_outputs(g, result, "body", scope[:-1])
            g.outputs = outs
            op = critical_section_node(graph, scope[:-1] + "/", self._key, g)
        if not flat:
            return op
        outputs = [op if isinstance(v, Operation) else v._with_flow(t)
                   if isinstance(v, TensorArray) else t for v, t in zip(flat, op.outputs)]
        return nest.pack_sequence_as(result, outputs)

    def __repr__(self) -> str:
        return f"<CriticalSection '{self._name}'>"
