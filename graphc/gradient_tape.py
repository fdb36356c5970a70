"""TF's `tf.GradientTape` with its graph-mode (TF1) meaning.

In a graph, a tape records the ops built while it is active (outside its
`stop_recording()` blocks): the ids of those ops in their graph. `tape.gradient(target,
sources)` builds the gradient ops with `tf.gradients`, through recorded ops only: a
tensor a recorded op reads from an op the tape did not record is a constant to it
(`stop_gradients`) unless it was watched (`tape.watch`) or is a trainable variable the
recorded ops read (`watch_accessed_variables=True`). A source the tape does not watch
gets None (or zeros with `unconnected_gradients='zero'`), as TF's. A tape that is not
`persistent` computes one set of gradients (or one jacobian).

`jacobian` and `batch_jacobian` build one gradient per element of the target (per
element of one batch row for batch_jacobian), so they need the target's size (the size
of its non-batch dims) known when the graph is built.
"""
from __future__ import annotations

import contextlib
from typing import Optional

import numpy as np

from . import nest
from .ir import context as _context
from .ir.graph import Tensor, TensorLike
from .ir.ops import array_ops, generator_ops
from .ir.ops._base import convert_to_tensor
from .ir.site import where
from .passes.gradients import gradients
from .variables import GraphKeys, Variable

__all__ = ["GradientTape"]


def _tensor(x) -> Tensor:
    return x._as_tensor() if isinstance(x, TensorLike) else convert_to_tensor(x)


def _source(x) -> Tensor:
    """The tensor tf.gradients differentiates with respect to for source `x`."""
    return x._variable_tensor() if isinstance(x, Variable) else _tensor(x)


class GradientTape:
    """`tf.GradientTape(persistent=False, watch_accessed_variables=True)` (see module)."""

    def __init__(self, persistent: bool = False,
                 watch_accessed_variables: bool = True) -> None:
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._graph = None
        self._windows: list = []      # [start, end) op ids recorded; end None: open
        self._watched: list = []      # tensors and variables, in watch order
        self._used = False
        self._recording = False

    # ------------------------------------------------------------ recording
    def __enter__(self) -> "GradientTape":
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to "
                             "re-enter an already-active tape.")
        graph = _context.get_default_graph()
        if self._graph is not None and graph is not self._graph:
            raise ValueError("a GradientTape records the ops of one graph; this tape "
                             f"recorded another's{where()}")
        self._graph = graph
        self._start()
        return self

    def __exit__(self, *exc) -> None:
        if self._recording:
            self._stop()

    def _start(self) -> None:
        self._windows.append([len(self._graph.get_operations()), None])
        self._recording = True

    def _stop(self) -> None:
        self._windows[-1][1] = len(self._graph.get_operations())
        self._recording = False

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops built inside are not recorded (the tape must be recording)."""
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        self._stop()
        try:
            yield
        finally:
            self._start()

    def reset(self) -> None:
        """Forget everything recorded and watched (recording goes on if it was on)."""
        recording = self._recording
        self._windows, self._watched, self._used = [], [], False
        if recording:
            self._start()

    def watch(self, tensor) -> None:
        """Differentiate with respect to `tensor` (a tensor, a variable, or a nest)."""
        for t in nest.flatten(tensor):
            if not isinstance(t, (TensorLike, Tensor)):
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, "
                                 "not tf.Tensor or tf.Variable")
            t = t if isinstance(t, Variable) else _tensor(t)
            if not any(t is w for w in self._watched):
                self._watched.append(t)

    def _recorded_ops(self) -> list:
        if self._graph is None:
            return []
        ops = self._graph.get_operations()
        out = []
        for start, end in self._windows:
            out.extend(ops[start:len(ops) if end is None else end])
        return out

    def _accessed_variables(self, recorded) -> list:
        if not self._watch_accessed or self._graph is None:
            return []
        by_tensor = {}
        for v in self._graph.get_collection(GraphKeys.TRAINABLE_VARIABLES):
            by_tensor[id(v._as_tensor())] = by_tensor[id(v._variable_tensor())] = v
        found = []
        for op in recorded:
            for t in op.inputs:
                v = by_tensor.get(id(t))
                if v is not None and not any(v is f for f in found):
                    found.append(v)
        return found

    def watched_variables(self) -> tuple:
        """The variables watched, explicitly or by being read while recording."""
        explicit = [w for w in self._watched if isinstance(w, Variable)]
        accessed = self._accessed_variables(self._recorded_ops())
        return tuple(explicit + [v for v in accessed if not any(v is e for e in explicit)])

    # ------------------------------------------------------------ gradients
    def _use(self, what: str) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(f"A non-persistent GradientTape can only be used to compute "
                               f"one set of gradients (or jacobians); {what} was called "
                               "again")
        self._used = True

    def _gradients(self, targets: list, output_gradients: list, sources: list,
                   unconnected: str) -> list:
        """tf.gradients of `targets` with respect to `sources` through the ops recorded."""
        recorded = self._recorded_ops()
        recorded_ids = {id(op) for op in recorded}
        variables = [w for w in self._watched if isinstance(w, Variable)] + \
            self._accessed_variables(recorded)
        watched = {id(w) for w in self._watched if not isinstance(w, Variable)}
        for v in variables:
            watched.update((id(v._as_tensor()), id(v._variable_tensor())))
        stops, seen = [], set()
        for op in recorded:
            for t in op.inputs:
                if id(t.op) not in recorded_ids and id(t) not in watched and \
                        id(t) not in seen:
                    seen.add(id(t))
                    stops.append(t)
        kept = [(y, g) for y, g in zip(targets, output_gradients)
                if id(y.op) in recorded_ids or id(y) in watched]
        active = [s if id(s) in watched else None for s in sources]
        live = [s for s in active if s is not None]
        if kept and live:
            ys, gys = zip(*kept)
            got = iter(gradients(list(ys), live, grad_ys=list(gys), stop_gradients=stops,
                                 unconnected_gradients=unconnected))
        else:
            got = iter([])
        out = []
        for s, a in zip(sources, active):
            g = next(got, None) if a is not None else None
            if g is None and unconnected == "zero":
                g = generator_ops.zeros_like(s)
            out.append(g)
        return out

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """The gradients of `target` (a tensor or a nest; their sum) with respect to
        `sources` (a nest of tensors and variables), in the structure of `sources`."""
        self._use("gradient")
        if self._graph is None:
            raise ValueError("GradientTape.gradient: the tape recorded nothing; use it as "
                             f"`with tf.GradientTape() as tape:`{where()}")
        unconnected = str(getattr(unconnected_gradients, "value",
                                  unconnected_gradients)).lower()
        if unconnected not in ("none", "zero"):
            raise ValueError(f"Unknown value for unconnected_gradients: "
                             f"{unconnected_gradients!r}")
        targets = [_tensor(t) for t in nest.flatten(target)]
        if output_gradients is None:
            grads = [None] * len(targets)
        else:
            grads = [None if g is None else _tensor(g) for g in nest.flatten(output_gradients)]
            if len(grads) != len(targets):
                raise ValueError(f"GradientTape.gradient: {len(grads)} output_gradients "
                                 f"for {len(targets)} targets")
        flat_sources = nest.flatten(sources)
        with self._graph.as_default():
            out = self._gradients(targets, grads, [_source(s) for s in flat_sources],
                                  unconnected)
        return nest.pack_sequence_as(sources, out)

    def jacobian(self, target, sources, unconnected_gradients="none",
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target / d source for each source: shape target.shape + source.shape."""
        self._use("jacobian")
        y = _tensor(target)
        if not y.shape.is_fully_defined():
            raise ValueError(f"GradientTape.jacobian in a graph needs the target's shape "
                             f"known, got {y.shape} ({y.name}){where()}")
        flat = nest.flatten(sources)
        src = [_source(s) for s in flat]
        n, shape = y.shape.num_elements(), list(y.shape.as_tuple())
        with self._graph.as_default(), self._graph.name_scope("jacobian"):
            rows = [self._one_hot_gradients(y, np.eye(max(n, 1), dtype=y.dtype.np)[i]
                                            .reshape(shape), src, unconnected_gradients)
                    for i in range(n)]
            out = []
            for j in range(len(src)):
                col = [r[j] for r in rows]
                if not col or any(c is None for c in col):
                    out.append(None)  # (unconnected: with 'zero' every row has zeros)
                    continue
                stacked = array_ops.stack(col)
                out.append(array_ops.reshape(stacked, shape + _dims(stacked)[1:]))
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients="none",
                       parallel_iterations=None, experimental_use_pfor=True):
        """d target[i] / d source[i] for each batch row i: shape [batch] +
        target.shape[1:] + source.shape[1:] (rows assumed independent, as TF's)."""
        self._use("batch_jacobian")
        y = _tensor(target)
        rest = y.shape.as_tuple()[1:] if y.shape.ndims else None
        if rest is None or any(d is None for d in rest) or y.shape.ndims < 1:
            raise ValueError(f"GradientTape.batch_jacobian in a graph needs the target's "
                             f"non-batch dims known, got {y.shape} ({y.name}){where()}")
        x = _source(source)
        m = int(np.prod(rest, dtype=np.int64))
        with self._graph.as_default(), self._graph.name_scope("batch_jacobian"):
            cols = []
            for i in range(m):
                mask = np.eye(max(m, 1), dtype=y.dtype.np)[i].reshape((1,) + tuple(rest))
                (g,) = self._one_hot_gradients(y, mask, [x], unconnected_gradients,
                                               broadcast=True)
                if g is None:
                    return None
                cols.append(g)
            stacked = array_ops.stack(cols, axis=1)  # [batch, m, source dims...]
            batch = array_ops.shape(x)[:1]
            return array_ops.reshape(stacked, array_ops.concat(
                [batch, convert_to_tensor(np.array(rest, np.int32)),
                 array_ops.shape(x)[1:]], 0))

    def _one_hot_gradients(self, y, mask, sources, unconnected, broadcast=False):
        dy = convert_to_tensor(mask, dtype=y.dtype)
        if broadcast:  # the batch dim comes from the target at run time
            dy = generator_ops.zeros_like(y) + dy
        return self._gradients([y], [dy], sources, str(getattr(
            unconnected, "value", unconnected)).lower())

    def __repr__(self) -> str:
        return (f"<GradientTape persistent={self._persistent} "
                f"recording={self._recording}>")


def _dims(t: Tensor) -> list:
    return [-1 if d is None else d for d in t.shape.as_tuple()]
