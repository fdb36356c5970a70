"""User functions of a dataset (map, filter, flat_map, ...) traced into function graphs.

The function is called once, on placeholders standing for one element's components,
inside a FuncGraph (ir/func_graph.py), exactly as a tf.while_loop body is traced: outer
tensors it uses are captured (the dataset then reads them, so an initializable iterator
feeds them), variables keep their Session values. At run time the graph runs through
the Session's FunctionRunner: pruned, optimised by the pass pipeline and compiled by the
Session's backend (native code on llvm), one compiled plan per element signature.
"""
from __future__ import annotations

from typing import Callable

from ..ir.func_graph import FuncGraph
from ..ir.graph import Operation, TensorLike
from ..ir.ops import core_ops
from ..ir.ops._base import convert_to_tensor
from ..ir.site import where
from . import structure as S
from .base import DatasetNode


class DatasetFunction:
    """`fn` traced over elements of `input_structure` (a nest of Specs).

    After tracing: `output_structure` (a nest of Specs, or of the returned Datasets'
    for `returns_dataset`), `captured` (outer tensors the graph reads), and `run(args,
    env)` computing the flat outputs for one element's flat components."""

    def __init__(self, fn: Callable, input_structure, name: str, graph,
                 returns_dataset: bool = False) -> None:
        if not callable(fn):
            raise TypeError(f"{name}: expected a callable, got {fn!r}{where()}")
        self.name = name
        g = FuncGraph(name, graph, capture_hook=_read_variables_inside)
        flat_in = S.flatten(input_structure)
        params = [g.add_param(s.dtype, s.shape, f"arg{i}") for i, s in enumerate(flat_in)]
        nested = S.pack(input_structure, params)
        with g.as_default():
            result = fn(*nested) if type(nested) is tuple else fn(nested)
            if returns_dataset:
                if not isinstance(result, DatasetNode):
                    raise TypeError(f"{name}: the function must return a Dataset, got "
                                    f"{type(result).__name__}{where()}")
                self.dataset = result
                outputs = [g.capture(t) for t in result._captured]
            else:
                result = _lists_to_tuples(result)
                outputs = [self._output(g, v) for v in S.flatten(result)]
                self.output_structure = S.pack(result, [S.Spec(t.dtype, t.shape)
                                                        for t in outputs])
        self.graph = g
        self.params = tuple(p.op.name for p in g.inputs)
        self.outputs = tuple((t.op.name, t.value_index) for t in outputs)
        self.captured = g.captured_values()
        self.n_outputs = len(outputs)

    def _output(self, g, v):
        if v is None:
            raise TypeError(f"{self.name}: the function returned None as a component"
                            f"{where()}")
        if isinstance(v, Operation):
            raise TypeError(f"{self.name}: the function returned the op '{v.name}', not a "
                            f"tensor{where()}")
        t = v._as_tensor() if isinstance(v, TensorLike) else convert_to_tensor(v)
        if t.graph is not g:
            t = core_ops.identity(t)  # an outer tensor returned as is: captured
        return t

    def run(self, args, env) -> list:
        """The flat outputs for the flat components `args` (arrays)."""
        if not self.outputs:
            return []
        captured = [env.values[t] for t in self.captured]
        return env.runner.run_graph(self.graph, self.params, self.outputs,
                                    list(args) + captured)


def _read_variables_inside(g: FuncGraph, t):
    """A variable's value used in the function is read where the function runs (each
    element sees the variable's current value), not captured once at initialisation."""
    op = t.op
    if op.type == "Identity" and op.inputs and op.inputs[0].op.type == "VariableV2":
        with g.as_default(), g.control_dependencies(None):
            return core_ops.identity(g.capture(op.inputs[0]), name=op.name.split("/")[-1])
    return None


def _lists_to_tuples(result):
    """TF1 converts a returned list to a tuple of components (inner lists are values)."""
    return tuple(result) if isinstance(result, list) else result
