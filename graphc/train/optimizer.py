"""TF1 optimizers. Updates are ordinary graph ops (reads, arithmetic, assignments), so
later passes can fuse a whole update into one kernel.

The base class follows TF1's protocol: `compute_gradients` -> [(grad, var)],
`apply_gradients` creates slots (non-trainable variables named `<var>/<Optimizer>`),
builds one update per variable, then `_finish` (e.g. Adam's beta powers) after all
updates, and increments `global_step` last.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..ir import context as _context
from ..ir import dtypes as _dt
from ..ir.graph import Tensor, TensorLike
from ..ir.ops import core_ops, math_ops, state_ops
from ..ir.ops import matmul_ops
from ..ir.ops import generator_ops
from ..ir.ops._base import convert_to_tensor, only_default
from ..ir.ops.array_grads import is_gather_gradient
from ..ir.ops.scatter_state_ops import scatter_sub, scatter_update
from ..passes.gradients import explain_disconnected, gradients
from ..variables import GraphKeys, Variable, trainable_variables


class Optimizer:
    """Base class of TF1 optimizers (`tf.train.Optimizer`)."""

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2

    def __init__(self, use_locking: bool, name: str,
                 use_own_namescope_for_non_slot_vars: bool = False) -> None:
        only_default(type(self).__name__, use_own_namescope_for_non_slot_vars=(
            use_own_namescope_for_non_slot_vars, False))
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict[Variable, Variable]] = {}
        self._non_slots: dict[str, Variable] = {}

    def get_name(self) -> str:
        return self._name

    # ------------------------------------------------------------------ TF1 protocol
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """compute_gradients + apply_gradients; errors list each disconnected variable."""
        grads_and_vars = self.compute_gradients(loss, var_list=var_list,
                                                gate_gradients=gate_gradients,
                                                grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            loss_t = loss._as_tensor() if isinstance(loss, TensorLike) else loss
            reasons = "\n".join(f"  {v.op.name}: {explain_disconnected([loss_t], v)}"
                                for _, v in grads_and_vars)
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do "
                f"not support gradients, between variables {[v.name for _, v in grads_and_vars]}"
                f" and loss {loss_t!r}.\n{reasons}")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None) -> list:
        if callable(loss) and not isinstance(loss, TensorLike):
            raise NotImplementedError("graphc optimizers take a loss tensor, not a callable")
        loss_t = loss._as_tensor() if isinstance(loss, TensorLike) else loss
        if not isinstance(loss_t, Tensor):
            raise TypeError(f"loss must be a Tensor, got {loss!r}")
        if not loss_t.dtype.is_floating:
            raise ValueError(f"Invalid type {loss_t.dtype.name} for {loss_t.name}, expected: "
                             "float16, float32, float64.")
        if var_list is None:
            var_list = trainable_variables() + _context.get_default_graph().get_collection(
                GraphKeys.TRAINABLE_RESOURCE_VARIABLES)
        else:
            var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = gradients(loss_t, var_list, grad_ys=None if grad_loss is None else [grad_loss])
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        grads_and_vars = [(g, v) for g, v in grads_and_vars]
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if not isinstance(v, Variable):
                raise TypeError(f"apply_gradients takes (gradient, Variable) pairs; got "
                                f"{v!r} as a variable")
            if g is not None:
                g = convert_to_tensor(g, dtype=v.dtype)
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: "
                             f"{[v.name for _, v in converted]}.")
        graph = _context.get_default_graph()
        with graph.control_dependencies(None):
            self._create_slots(var_list)
        with graph.name_scope(name or self._name) as scope:
            self._prepare()
            updates = []
            for g, v in converted:
                if g is None:
                    continue
                with graph.name_scope("update_" + v.op.name):
                    rows = _sparse_rows(g, v) if self._row_wise else None
                    updates.append(self._apply_dense(*rows) if rows is not None
                                   else self._apply_dense(g, v))
            if global_step is None:
                apply_op = self._finish(updates, scope[:-1] + "/")
            else:
                with graph.control_dependencies([self._finish(updates, "update")]):
                    step = global_step._variable_tensor() if hasattr(
                        global_step, "_variable_tensor") else global_step
                    apply_op = state_ops.assign_add(step, np.ones((), step.dtype.np),
                                                    name=scope[:-1] + "/").op
        graph.add_to_collection(GraphKeys.TRAIN_OP, apply_op)
        return apply_op

    # ------------------------------------------------------------------ for subclasses
    def _create_slots(self, var_list) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad: Tensor, var: Variable):
        raise NotImplementedError

    def _finish(self, update_ops, name_scope: str):
        return core_ops.group(*update_ops, name=name_scope)

    # Whether every write of `_apply_dense` goes through `_update`, so a sparse gradient
    # can take the row-wise path (`_sparse_rows`): TF1's sparse kernels of this optimizer
    # touch only the named rows.
    _row_wise = False

    def _update(self, ref, value) -> Tensor:
        """assign(ref, value); for the named rows of a variable (`_Rows`), a scatter of the
        rows' new values, which it returns (once the scatter has run)."""
        if isinstance(ref, _Rows):
            write = scatter_update(ref.variable, ref.ids, value, use_locking=self._use_locking)
            with _context.get_default_graph().control_dependencies([write.op]):
                return core_ops.identity(value)
        return state_ops.assign(ref, value, use_locking=self._use_locking)

    # ------------------------------------------------------------------ slots
    def _slot(self, var: Variable, slot_name: str, init_value, op_name: Optional[str] = None):
        """A zero- or value-initialized non-trainable variable `<var>/<op_name>`."""
        slots = self._slots.setdefault(slot_name, {})
        if var not in slots:
            graph = _context.get_default_graph()
            value = np.full(var.shape.as_list(), init_value, dtype=var.dtype.np)
            with graph.name_scope(None):
                slots[var] = Variable(value, trainable=False,
                                      _exact_name=graph.unique_name(
                                          f"{var.op.name}/{op_name or self._name}"))
        return slots[var]

    def get_slot(self, var, name: str):
        if isinstance(var, _Rows):  # (the same rows of the slot, inside a row-wise update)
            slot = self._slots.get(name, {}).get(var.variable)
            return None if slot is None else _Rows(slot, var.ids)
        return self._slots.get(name, {}).get(var)

    def get_slot_names(self) -> list[str]:
        return sorted(self._slots)

    def _non_slot(self, name: str, init_value, dtype):
        """A variable `name` under the caller's name scope, as TF1's tf.Variable-made
        non-slot variables (`with tf.name_scope('Train'): minimize()` gives
        Train/beta1_power; slots keep `<var>/<name>`, a variable scope's name)."""
        if name not in self._non_slots:
            graph = _context.get_default_graph()
            self._non_slots[name] = Variable(
                np.asarray(init_value, dtype=_dt.as_dtype(dtype).np), trainable=False,
                _exact_name=graph.unique_name(name))
        return self._non_slots[name]

    def variables(self) -> list:
        out = [v for slots in self._slots.values() for v in slots.values()]
        return out + list(self._non_slots.values())

    def _hyper(self, value, var: Variable, name: str) -> Tensor:
        """A hyperparameter (number or tensor) as a tensor of the variable's dtype."""
        if isinstance(value, TensorLike):
            t = value._as_tensor()
            return t if t.dtype is var.dtype else math_ops.cast(t, var.dtype)
        return core_ops.constant(np.asarray(value, dtype=var.dtype.np), name=name)


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad; an embedding_lookup's gradient as TF1's
    `_apply_sparse`: a scatter_sub of the looked-up rows (duplicates each subtracted)."""

    def __init__(self, learning_rate, use_locking: bool = False,
                 name: str = "GradientDescent") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._learning_rate, var, "learning_rate")
        slices = _sparse_slices(grad, var)
        if slices is not None:  # TF1's _apply_sparse: var.scatter_sub(lr * values)
            update = None
            for values, ids in slices:  # (duplicates each subtracted, as TF1's)
                with _context.get_default_graph().control_dependencies(
                        [update] if update is not None else []):
                    update = scatter_sub(var, ids, math_ops.multiply(lr, values),
                                         use_locking=self._use_locking).op
            return update
        return state_ops.assign_sub(var, math_ops.multiply(lr, grad),
                                    use_locking=self._use_locking).op


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (nesterov: lr * (grad +
    momentum * accum))."""

    _row_wise = True

    def __init__(self, learning_rate, momentum, use_locking: bool = False,
                 name: str = "Momentum", use_nesterov: bool = False) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "momentum", 0.0)

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._learning_rate, var, "learning_rate")
        mom = self._hyper(self._momentum, var, "momentum")
        accum = self.get_slot(var, "momentum")
        accum_t = self._update(accum, math_ops.add(math_ops.multiply(accum, mom), grad))
        if self._use_nesterov:
            step = math_ops.add(math_ops.multiply(grad, lr),
                                math_ops.multiply(math_ops.multiply(accum_t, mom), lr))
        else:
            step = math_ops.multiply(accum_t, lr)
        return self._update(var, math_ops.subtract(var, step)).op


class AdamOptimizer(Optimizer):
    """TF1 Adam: lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t);
    m = m + (g - m)(1 - beta1); v = v + (g^2 - v)(1 - beta2);
    var -= lr_t * m / (sqrt(v) + epsilon). beta powers are updated after all variables."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking: bool = False, name: str = "Adam",
                 use_own_namescope_for_non_slot_vars: bool = False) -> None:
        super().__init__(use_locking, name, use_own_namescope_for_non_slot_vars)
        self._lr, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon

    def _create_slots(self, var_list):
        first = min(var_list, key=lambda v: v.op.name)
        self._beta1_power = self._non_slot("beta1_power", self._beta1, first.dtype)
        self._beta2_power = self._non_slot("beta2_power", self._beta2, first.dtype)
        for v in var_list:
            self._slot(v, "m", 0.0, self._name)
            self._slot(v, "v", 0.0, self._name + "_1")

    def _apply_dense(self, grad, var):
        b1p = self._cast(self._beta1_power, var)
        b2p = self._cast(self._beta2_power, var)
        lr = self._hyper(self._lr, var, "learning_rate")
        b1 = self._hyper(self._beta1, var, "beta1")
        b2 = self._hyper(self._beta2, var, "beta2")
        eps = self._hyper(self._epsilon, var, "epsilon")
        one = np.ones((), var.dtype.np)
        lr_t = math_ops.multiply(lr, math_ops.truediv(math_ops.sqrt(math_ops.subtract(one, b2p)),
                                                      math_ops.subtract(one, b1p)))
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = state_ops.assign(m, math_ops.add(m, math_ops.multiply(
            math_ops.subtract(grad, m), math_ops.subtract(one, b1))))
        v_t = state_ops.assign(v, math_ops.add(v, math_ops.multiply(
            math_ops.subtract(math_ops.square(grad), v), math_ops.subtract(one, b2))))
        step = math_ops.truediv(math_ops.multiply(lr_t, m_t),
                                math_ops.add(math_ops.sqrt(v_t), eps))
        return state_ops.assign_sub(var, step, use_locking=self._use_locking).op

    def _cast(self, v: Variable, var: Variable):
        return v if v.dtype is var.dtype else math_ops.cast(v, var.dtype)

    def _finish(self, update_ops, name_scope):
        graph = _context.get_default_graph()
        with graph.control_dependencies(update_ops):
            b1 = np.asarray(self._beta1, self._beta1_power.dtype.np) if not isinstance(
                self._beta1, TensorLike) else self._beta1
            b2 = np.asarray(self._beta2, self._beta2_power.dtype.np) if not isinstance(
                self._beta2, TensorLike) else self._beta2
            up1 = state_ops.assign(self._beta1_power,
                                   math_ops.multiply(self._beta1_power, b1))
            up2 = state_ops.assign(self._beta2_power,
                                   math_ops.multiply(self._beta2_power, b2))
        return core_ops.group(*update_ops, up1, up2, name=name_scope)


class AdagradOptimizer(Optimizer):
    """accum += grad^2; var -= lr * grad / sqrt(accum)."""

    _row_wise = True

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name: str = "Adagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "accumulator", self._initial)

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._learning_rate, var, "learning_rate")
        acc = self.get_slot(var, "accumulator")
        acc_t = self._update(acc, math_ops.add(acc, math_ops.square(grad)))
        step = math_ops.truediv(math_ops.multiply(lr, grad), math_ops.sqrt(acc_t))
        return self._update(var, math_ops.subtract(var, step)).op


class RMSPropOptimizer(Optimizer):
    """TF1 RMSProp: ms = rho*ms + (1-rho)*g^2 (ms starts at 1);
    mom = momentum*mom + lr*g/sqrt(ms + eps) (centered: ms - mg^2); var -= mom."""

    _row_wise = True

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, name: str = "RMSProp") -> None:
        super().__init__(use_locking, name)
        self._learning_rate, self._decay = learning_rate, decay
        self._momentum, self._epsilon, self._centered = momentum, epsilon, centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "rms", 1.0, self._name)
            self._slot(v, "momentum", 0.0, self._name + "_1")
            if self._centered:
                self._slot(v, "mg", 0.0, self._name + "_2")

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._learning_rate, var, "learning_rate")
        rho = self._hyper(self._decay, var, "decay")
        mom_c = self._hyper(self._momentum, var, "momentum")
        eps = self._hyper(self._epsilon, var, "epsilon")
        one = np.ones((), var.dtype.np)
        ms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        ms_t = self._update(ms, math_ops.add(
            math_ops.multiply(rho, ms),
            math_ops.multiply(math_ops.subtract(one, rho), math_ops.square(grad))))
        denom = ms_t
        if self._centered:
            mg = self.get_slot(var, "mg")
            mg_t = self._update(mg, math_ops.add(
                math_ops.multiply(rho, mg), math_ops.multiply(math_ops.subtract(one, rho), grad)))
            denom = math_ops.subtract(ms_t, math_ops.square(mg_t))
        mom_t = self._update(mom, math_ops.add(
            math_ops.multiply(mom_c, mom),
            math_ops.truediv(math_ops.multiply(lr, grad), math_ops.sqrt(math_ops.add(denom, eps)))))
        return self._update(var, math_ops.subtract(var, mom_t)).op


def _unscaled(t: Tensor) -> tuple:
    """(`t` before scalings by a scalar (clip_by_global_norm's, a learning-rate factor),
    which keep TF1's IndexedSlices sparse; those scalings, outermost first, each as
    (op type, the scalar, whether the scalar is the first operand))."""
    scalings = []
    while t.op.type in ("Mul", "RealDiv", "Identity"):
        if t.op.type == "Identity":
            t = t.op.inputs[0]
            continue
        a, b = t.op.inputs
        if b.shape.ndims == 0:
            scalings.append((t.op.type, b, False))
            t = a
        elif a.shape.ndims == 0 and t.op.type == "Mul":
            scalings.append((t.op.type, a, True))
            t = b
        else:
            break
    return t, scalings


def _lookups(grad: Tensor, var: Variable):
    """The parts of a sparse gradient of `var` (see `_sparse_rows`): [(the part's
    UnsortedSegmentSum op, its scalings as `_unscaled` gives them)], or None."""
    found = []
    total, outer = _unscaled(grad)  # (a sum of lookups' gradients, clipped: scaled outside)
    for part in list(total.op.inputs) if total.op.type == "AddN" else [total]:
        t, scalings = _unscaled(part)
        if not (is_gather_gradient(t) and var.shape.ndims):
            return None
        found.append((t.op, outer + scalings))
    return found


def _sparse_slices(grad: Tensor, var: Variable):
    """A sparse gradient as TF1's IndexedSlices: [(values, ids)], one pair per lookup,
    its scalar scalings applied to the values (TF1 scales the slices' values); None for
    a gradient of another form."""
    lookups = _lookups(grad, var)
    if lookups is None:
        return None
    slices = []
    for op, scalings in lookups:
        values = op.inputs[0]
        for kind, scalar, first in reversed(scalings):
            values = math_ops.multiply(scalar, values) if first else \
                (math_ops.multiply if kind == "Mul" else math_ops.truediv)(values, scalar)
        slices.append((values, op.inputs[1]))
    return slices


class _Rows(TensorLike):
    """The rows of a variable that a sparse gradient names, one per id (repeats kept), as
    an `_apply_dense` sees its variable and slots on the row-wise path: reading it reads
    those rows (a gather), and `Optimizer._update` of it scatters their new values back.
    An id named twice computes the same new row twice (from the same old row and the
    same summed gradient row), so the scatter's repeated writes agree."""

    def __init__(self, variable: Variable, ids: Tensor) -> None:
        from ..ir.ops.slicing_ops import gather
        self.variable, self.ids = variable, ids
        self.value = gather(variable, ids)

    @property
    def dtype(self):
        return self.variable.dtype

    @property
    def shape(self):
        return self.value.shape

    @property
    def op(self):
        return self.variable.op

    def _as_tensor(self) -> Tensor:
        return self.value


def _sparse_rows(grad: Tensor, var: Variable):
    """(the summed gradient of each named row, `_Rows` of `var`) for a sparse gradient,
    or None for a dense one.

    TF1 hands an embedding_lookup's (a gather's) gradient to the optimizer as IndexedSlices
    and updates only the rows it names, repeated ids' slices summed first
    (`_apply_sparse_duplicate_indices`); graphc's gather VJP builds the dense equivalent,
    an UnsortedSegmentSum over axis 0, recognised here by its origin (a sum of such
    gradients, a table looked up twice, names the union of their rows). Here the slices
    are summed per id without anything of the table's size but one integer per row: each
    id's first position (an UnsortedSegmentMin of the positions over the table's rows)
    stands for the id, the slices are summed into those positions, and every position
    reads its id's sum back. All shapes follow the ids' count, so a batch of any size
    runs the same plan natively, and a step costs the named rows, not the table.
    """
    from ..ir.ops.array_grads import unsorted_segment_sum
    from ..ir.ops.array_ops import concat, reshape, shape
    from ..ir.ops.segment_ops import unsorted_segment_min
    from ..ir.ops.slicing_ops import gather
    slices = _sparse_slices(grad, var)
    dims = var.shape.as_list() if slices is not None else None
    if dims is None or None in dims:
        return None
    row_shape = [-1] + dims[1:]
    ids = [reshape(i, [-1]) for _, i in slices]
    if len({i.dtype for i in ids}) > 1:  # (lookups by int32 and int64 ids: one dtype)
        ids = [math_ops.cast(i, _dt.int64) for i in ids]
    values = [reshape(v, row_shape) for v, _ in slices]
    ids = ids[0] if len(ids) == 1 else concat(ids, 0)
    values = values[0] if len(values) == 1 else concat(values, 0)
    count = shape(ids, out_type=ids.dtype)[0]  # (a plan's symbolic batch stays symbolic)
    positions = matmul_ops.cumsum(generator_ops.ones_like(ids), exclusive=True)
    first = gather(unsorted_segment_min(positions, ids, dims[0]), ids)
    summed = gather(unsorted_segment_sum(values, first, count), first)
    return summed, _Rows(var, ids)
