"""Session: validate feeds, find or compile a plan, run it, rebuild the fetch structure.

A plan is compiled once per (fetched elements, fed tensors, feed dtypes, feed shapes
with the dims the graph leaves unknown replaced by symbols, backend) and cached; a hit
goes straight to the executable. On the llvm backend those dims stay symbolic (ir/symbolic.py):
one plan, one native module, for every batch size. Unknown dims fed the same size share
a symbol, so the key says which of them are equal; a plan that cannot take some dim at
run time is compiled per shape instead (`_symbolic`). Everything that can be wrong with
a feed is checked here, before any kernel runs.
"""
from __future__ import annotations

import collections
import collections.abc
import os
import threading
from typing import Optional

import numpy as np

from . import backends_registry, config_devices, debugging_switches
from . import run_metadata as run_metadata_module
from . import symbolic_plans
from .compile import compile_plan
from .data.sources import find_sources
from .data.sources import pull as pull_sources
from .fetch import FetchMapper
from .functions import FunctionRunner
from .ir import context as _context
from .ir.graph import Graph, Operation, Tensor, TensorLike
from .ir.runtime import RuntimeState
from .passes.manager import PassManager
from .sparse_tensor import expand_sparse_feeds, has_sparse_keys

_MAX_PLANS = 256


class _CompiledPlan:
    """What the plan cache keeps per key: the executable compiled from the run's Plan
    (ir/plan.py; `executable.plan`), where each fetched element is among its results,
    the order it takes the feeds in, and its variants."""

    __slots__ = ("executable", "tensor_pos", "feed_order", "in_order", "variants")

    def __init__(self, executable, tensor_pos, feed_order) -> None:
        self.executable = executable
        self.tensor_pos = tensor_pos  # index in executable's fetch results per element
        self.feed_order = feed_order
        self.in_order = list(feed_order) == list(range(len(feed_order)))  # (as fed)
        self.variants: dict = {}  # its executables for traced, checked, profiled runs




_SPARSE_KEYS = object()  # _run_entry's answer for feed keys with a SparseTensor among them


class BaseSession:
    def __init__(self, target: str = "", graph: Optional[Graph] = None, config=None,
                 backend: Optional[str] = None) -> None:
        self._graph = graph if graph is not None else _context.get_default_graph()
        self._config = config
        self._backend = backends_registry.resolve(backend)
        backends_registry.configure_threads(self._backend, config)
        self._state = RuntimeState()
        # Runs the graphs held by If, While and dataset nodes; passed down with every plan
        self._functions = FunctionRunner(self._backend, self._state,
                                         self._disabled_passes_of(config),
                                         bool(os.environ.get("GRAPHC_DEBUG")))
        self._plans: "collections.OrderedDict" = collections.OrderedDict()
        self._run_cache: dict = {}
        self._lock = threading.RLock()
        self._closed = False
        self._default_ctx = None
        self._validate = bool(os.environ.get("GRAPHC_DEBUG"))
        self._disabled_passes = self._disabled_passes_of(config)
        self._check_numerics = os.environ.get("GRAPHC_CHECK_NUMERICS", "") not in ("", "0") \
            or bool(getattr(config, "check_numerics", False)) \
            or debugging_switches.check_numerics_enabled()  # (tf.debugging's switch)
        self._log_placement = debugging_switches.get_log_device_placement() or \
            bool(getattr(config, "log_device_placement", False))
        PassManager(disabled=self._disabled_passes)  # unknown pass names fail here, early

    @staticmethod
    def _disabled_passes_of(config) -> tuple:
        """The config's disabled passes and those tf.config.optimizer's options turn off."""
        disabled = getattr(getattr(config, "graph_options", None), "disabled_passes", ()) or ()
        return tuple(dict.fromkeys(tuple(disabled) + config_devices.disabled_passes()))

    # ------------------------------------------------------------------ TF1 surface
    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return ""

    @property
    def backend(self) -> str:
        return self._backend

    def close(self) -> None:
        self._closed = True
        self._state.close_resources()  # iterators: their prefetch threads stop
        self._plans.clear()
        self._run_cache.clear()

    def list_devices(self):
        return []

    def as_default(self):
        return _SessionContext(self, close_on_exit=False)

    def __enter__(self):
        self._default_ctx = _SessionContext(self, close_on_exit=False)
        self._default_ctx.__enter__()
        self._graph_ctx = self._graph.as_default()
        self._graph_ctx.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._graph_ctx.__exit__(*exc)
        self._default_ctx.__exit__(*exc)
        self.close()

    # ------------------------------------------------------------------ run
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Run the graph elements in `fetches` (any nesting), feeding `feed_dict`."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        entry = self._run_entry(fetches, feed_dict)
        if entry is _SPARSE_KEYS:  # a SparseTensor key feeds its three tensors
            feed_dict = expand_sparse_feeds(feed_dict)
            entry = self._run_entry(fetches, feed_dict)
        mapper, feed_tensors, keep, plans, specs = entry
        shapes = []  # the plan cache's key: each feed's (shape, dtype)
        feed_values = _feed_values(specs, feed_dict.values(), shapes) if specs else []
        sources = mapper.iterator_sources
        if keep is not None or sources is None or sources:
            if keep is not None:  # one tensor fed under two keys (x, "x:0"): the later wins
                feed_tensors = [feed_tensors[i] for i in keep]
                feed_values = [feed_values[i] for i in keep]
            sources = self._sources(mapper, feed_tensors)
            if sources:  # iterators' next elements become feeds (graphc/data/sources.py)
                feed_tensors, feed_values = pull_sources(sources, feed_tensors, feed_values)
            shapes = [(v.shape, v.dtype) for v in feed_values]
        shapes = tuple(shapes)
        plan = plans.get(shapes)
        if plan is None:
            plan = self._plan_for(mapper.elements, feed_tensors, feed_values)
            if len(plans) < 16:
                plans[shapes] = plan
        if options is None and not self._check_numerics:
            results = plan.executable.run(feed_values if plan.in_order else
                                          [feed_values[i] for i in plan.feed_order])
        else:  # traced or checked (graphc/run_metadata.py)
            results = run_metadata_module.run(
                self, plan, [feed_tensors[i] for i in plan.feed_order],
                [feed_values[i] for i in plan.feed_order], options, run_metadata)
        values = [None if p is None else _to_user(results[p]) for p in plan.tensor_pos]
        return mapper.build(values)

    def _run_entry(self, fetches, feed_dict):
        """(FetchMapper, fed tensors, positions of the distinct ones or None, plans by
        feed shapes, the feeds' checks) for this fetch structure and these feed keys, or
        _SPARSE_KEYS when a key is a SparseTensor; cached when both are hashable, so a
        training loop calling run(train_op, {x: ..., y: ...}) resolves names
        and structures once."""
        if feed_dict and type(feed_dict) is not dict and not isinstance(
                feed_dict, collections.abc.Mapping):  # ([] is none, as in TF1)
            raise TypeError(
                "feed_dict must be a dict mapping tensors (or their names) to values, got "
                f"{type(feed_dict).__name__} {_short(feed_dict)}. Write "
                "sess.run(fetches, feed_dict={x: value, ...}).")
        try:
            key = (tuple(fetches) if type(fetches) is list else fetches,
                   tuple(feed_dict) if feed_dict else ())
            entry = self._run_cache.get(key)
        except TypeError:  # unhashable: nested lists, dicts of lists, ...
            key, entry = None, None
        if entry is not None:
            return entry
        if feed_dict and has_sparse_keys(feed_dict):  # (run expands them, then asks again)
            if key is not None:
                self._run_cache[key] = _SPARSE_KEYS
            return _SPARSE_KEYS
        mapper = FetchMapper(fetches, self._graph)
        feed_tensors = [self._feed_key(k) for k in feed_dict] if feed_dict else []
        entry = (mapper, feed_tensors, _distinct_feeds(feed_tensors), {},
                 _feed_specs(feed_tensors))
        if key is not None:
            if len(self._run_cache) >= 256:
                self._run_cache.clear()
            self._run_cache[key] = entry
        return entry

    def partial_run_setup(self, fetches, feeds=None):
        """TF1: a handle for one step run in pieces (graphc/partial_run.py)."""
        from .partial_run import partial_run_setup
        return partial_run_setup(self, fetches, feeds)

    def partial_run(self, handle, fetches, feed_dict=None):
        """TF1: one piece of the step `handle` (graphc/partial_run.py)."""
        from .partial_run import partial_run
        return partial_run(self, handle, fetches, feed_dict)

    def make_callable(self, fetches, feed_list=None, accept_options: bool = False):
        """A function running `fetches` with positional feed values, skipping lookups."""
        mapper = FetchMapper(fetches, self._graph)
        feed_tensors = [self._feed_key(k) for k in (feed_list or [])]
        keep = _distinct_feeds(feed_tensors)
        sources = self._sources(mapper, feed_tensors if keep is None else
                                [feed_tensors[i] for i in keep])
        specs = _feed_specs(feed_tensors)
        lock = threading.Lock()
        cache: dict = {}

        def call(*args, **kwargs):
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if len(args) != len(feed_tensors):
                raise TypeError(f"The callable expects {len(feed_tensors)} feed values, got "
                                f"{len(args)}.")
            values = _feed_values(specs, args, [])
            tensors = feed_tensors
            if keep is not None:
                tensors, values = [tensors[i] for i in keep], [values[i] for i in keep]
            if sources:
                tensors, values = pull_sources(sources, tensors, values)
            key = tuple([(v.shape, v.dtype) for v in values])
            plan = cache.get(key)
            if plan is None:
                with lock:
                    plan = self._plan_for(mapper.elements, tensors, values)
                    cache[key] = plan
            if not kwargs and not self._check_numerics:
                results = plan.executable.run(values if plan.in_order else
                                              [values[i] for i in plan.feed_order])
            else:  # TF1's options= and run_metadata= (accept_options=True)
                results = run_metadata_module.run(
                    self, plan, [tensors[i] for i in plan.feed_order],
                    [values[i] for i in plan.feed_order], kwargs.get("options"),
                    kwargs.get("run_metadata"))
            return mapper.build([None if p is None else _to_user(results[p])
                                 for p in plan.tensor_pos])

        return call

    def _sources(self, mapper, feed_tensors) -> tuple:
        """The iterators' get_next ops this run pulls before its plan (cached on the
        mapper, which is one per fetch structure and feed keys)."""
        sources = mapper.iterator_sources
        if sources is None:
            sources = mapper.iterator_sources = find_sources(mapper.elements, feed_tensors,
                                                             self._state, self._functions)
        return sources

    # ------------------------------------------------------------------ feeds
    def _feed_key(self, key) -> Tensor:
        if isinstance(key, TensorLike) and not isinstance(key, Tensor):
            key = key._variable_tensor() if hasattr(key, "_variable_tensor") else \
                key._as_tensor()
        try:
            t = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, KeyError, ValueError) as exc:
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {exc}") from None
        if not isinstance(t, Tensor):
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {key!r}")
        if not self._graph.is_feedable(t):
            raise ValueError(f"Tensor {t.name} may not be fed.")
        return t

    # ------------------------------------------------------------------ plans
    def _plan_for(self, elements, feed_tensors, feed_values) -> _CompiledPlan:
        ids = (tuple(id(e) for e in elements), tuple(id(t) for t in feed_tensors))
        key = ids + (tuple((v.shape, v.dtype.str) for v in feed_values),)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        with self._lock:
            plan = self._plans.get(key)
            if plan is None:
                plan = self._symbolic(ids, elements, feed_tensors, feed_values) or \
                    self._compile(elements, feed_tensors, feed_values)
                self._remember(key, plan)
        return plan

    def _remember(self, key, plan) -> None:
        self._plans[key] = plan
        if len(self._plans) > _MAX_PLANS:
            self._plans.popitem(last=False)

    def _symbolic(self, ids, elements, feed_tensors, feed_values) -> Optional[_CompiledPlan]:
        """The plan for these feeds with their unknown dims symbolic (llvm only: the
        numpy interpreter has nothing to compile per shape), or None when it must be
        compiled per shape (graphc/symbolic_plans.py; remembered per key)."""
        if self._backend != "llvm" or not symbolic_plans.enabled():
            return None
        return symbolic_plans.symbolic_plan(
            lambda shapes: self._compile(elements, feed_tensors, feed_values, shapes),
            feed_tensors, feed_values, ids, self._plans, self._remember)

    def _compile(self, elements, feed_tensors, feed_values, shapes=None) -> _CompiledPlan:
        """Prune the user's graph, lower it into a graph specialised to the feed shapes, run
        the pass pipeline, which freezes it into the run's Plan, and compile that with
        the backend (graphc/compile.py)."""
        fetch_tensors = list(dict.fromkeys(e for e in elements if isinstance(e, Tensor)))
        targets = [e for e in elements if isinstance(e, Operation)]
        # Feeds in a canonical order so plans do not depend on dict order.
        order = sorted(range(len(feed_tensors)), key=lambda i: (feed_tensors[i].op.id,
                                                                 feed_tensors[i].value_index))
        ordered_feeds = [feed_tensors[i] for i in order]
        specs = [(feed_values[i].shape if shapes is None else shapes[i],
                  feed_tensors[i].dtype) for i in order]
        if self._log_placement:
            debugging_switches.log_placement(fetch_tensors, targets)
        self.last_pass_manager = PassManager(disabled=self._disabled_passes)
        executable = compile_plan(fetch_tensors, targets, ordered_feeds, specs,
                                  self.last_pass_manager, self._backend, self._state,
                                  self._functions, self._validate)
        pos = {t: i for i, t in enumerate(fetch_tensors)}
        tensor_pos = [pos[e] if isinstance(e, Tensor) else None for e in elements]
        return _CompiledPlan(executable, tensor_pos, order)

    # ------------------------------------------------------------------ graphc extras
    def profile(self, fetches, feed_dict=None, runs: int = 10):
        """graphc's kernel profile: run `fetches` `runs` times and return per-kernel rows,
        hottest first (graphc.profiler.KernelProfile; `print()` it for a table). On llvm
        the cycles each native kernel spent (as GRAPHC_PROFILE=1), on numpy each
        interpreted op's time."""
        from .profiler import KernelProfiling
        request = KernelProfiling(runs)
        self.run(fetches, feed_dict, options=request)
        return request.result

    def variable_values(self) -> dict:
        """Current values of all initialized variables, by variable name (copies)."""
        return {k: v.copy() for k, v in self._state.variables.items()}

    def _set_variable_value(self, name: str, value: np.ndarray) -> None:
        self._state.variables.set(name, value)


class Session(BaseSession):
    """TF1 `tf.Session`. `backend` ("llvm" or "numpy"; default: GRAPHC_BACKEND, else llvm
    where llvmlite works) is graphc's own addition."""

    def __init__(self, target: str = "", graph: Optional[Graph] = None, config=None,
                 backend: Optional[str] = None) -> None:
        super().__init__(target, graph, config, backend)


class InteractiveSession(BaseSession):
    """A Session that installs itself as the default session on creation (TF1)."""

    def __init__(self, target: str = "", graph: Optional[Graph] = None, config=None,
                 backend: Optional[str] = None) -> None:
        super().__init__(target, graph, config, backend)
        _context.push_session(self)
        self._graph_ctx = self._graph.as_default()
        self._graph_ctx.__enter__()

    def close(self) -> None:
        if not self._closed:
            _context.pop_session(self)
            try:
                self._graph_ctx.__exit__(None, None, None)
            except IndexError:
                pass
        super().close()


class _SessionContext:
    def __init__(self, session, close_on_exit: bool) -> None:
        self.session = session
        self.close_on_exit = close_on_exit

    def __enter__(self):
        _context.push_session(self.session)
        return self.session

    def __exit__(self, *exc) -> None:
        _context.pop_session(self.session)
        if self.close_on_exit:
            self.session.close()


def get_default_session():
    return _context.get_default_session()


# ---------------------------------------------------------------------- feed values
def _feed_value(t: Tensor, value) -> np.ndarray:
    """Convert a fed value with TF1's rules and check it against the tensor's shape."""
    return _feed_values(_feed_specs([t]), [value], [])[0]


def _feed_specs(tensors: list) -> list:
    """What `_feed_values` checks a feed of each tensor against, looked up once per run
    entry: (tensor, its numpy dtype when an array of it needs no conversion (None for
    strings), that dtype when a Python float needs none (None unless floating), its
    TensorShape and that as a tuple or None). A TensorShape is immutable and set_shape
    replaces the tensor's, so a run checks against the refined shape by identity."""
    return [(t, None if t.dtype.is_string else np.dtype(t.dtype.np),
             t.dtype.np if t.dtype.is_floating else None, t.shape, t.shape.as_tuple())
            for t in tensors]


def _feed_values(specs: list, values, shapes: list) -> list:
    """Each fed value converted with TF1's rules and checked against its tensor's shape;
    appends each one's (shape, dtype) to `shapes`."""
    out = []
    for (t, plain, floating, shape, static), value in zip(specs, values):
        if t.shape is not shape:  # refined by set_shape since the specs were made
            static = t.shape.as_tuple()
        kind = type(value)
        # (dtypes by identity: numpy's builtin ones are singletons, and None, a string
        # tensor's, would compare equal to float64)
        if kind is np.ndarray and value.dtype is plain:  # the usual feeds: nothing to do
            arr = value
        elif kind is float and floating is not None:
            arr = np.asarray(value, floating)
        else:
            arr = _converted_feed(t, value)
        if static is not None and arr.shape != static and (
                len(static) != arr.ndim or any(s is not None and s != a
                                               for s, a in zip(static, arr.shape))):
            site = t.op.site
            where = f"\n  The placeholder was created at {site.describe()}" if site else ""
            raise ValueError(
                f"Cannot feed value of shape {arr.shape} for Tensor '{t.name}', which has "
                f"shape '{t.shape}'{where}")
        out.append(arr)
        shapes.append((arr.shape, arr.dtype))
    return out


def _converted_feed(t: Tensor, value) -> np.ndarray:
    """A fed value other than an array of the tensor's dtype or a float, as TF1 takes it."""
    if isinstance(value, (TensorLike, Operation)):
        raise TypeError(
            f"The value of a feed cannot be a tf.Tensor object (feeding {t.name}). Acceptable "
            "feed values include Python scalars, strings, lists, numpy ndarrays. Run the "
            "tensor first, or feed its value.")
    dtype = t.dtype
    if dtype.is_string:
        arr = np.asarray(value, dtype=object)
        if arr.size:
            arr = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                               otypes=[object])(arr)
    else:
        if isinstance(value, int) and not isinstance(value, bool) and dtype.is_integer and \
                not np.iinfo(dtype.np).min <= value <= np.iinfo(dtype.np).max:
            raise TypeError(
                f"Type of feed value {value} with type {type(value)} is not compatible "
                f"with Tensor type {dtype.name} of '{t.name}'. Try explicitly setting the "
                "type of the feed tensor to a larger type (e.g. int64).")
        if isinstance(value, np.ndarray) and value.dtype == dtype.np:
            arr = value
        else:
            try:
                arr = np.asarray(value, dtype=dtype.np)
            except OverflowError:  # an int in a list beyond the dtype's range
                raise TypeError(
                    f"Type of feed value {_short(value)} is not compatible with Tensor type "
                    f"{dtype.name} of '{t.name}': a value is out of {dtype.name}'s range "
                    f"[{np.iinfo(dtype.np).min}, {np.iinfo(dtype.np).max}]. Try explicitly "
                    "setting the type of the feed tensor to a larger type (e.g. int64)."
                ) from None
            except (TypeError, ValueError) as exc:
                raise TypeError(f"Cannot feed value {_short(value)} to tensor '{t.name}' of "
                                f"dtype {dtype.name}: {exc}") from None
    return arr


def _distinct_feeds(tensors: list) -> Optional[list]:
    """Positions of the distinct tensors among `tensors`, each at its last occurrence
    (TF1 keeps the later value when two feed keys name one tensor), or None when no
    tensor repeats."""
    last = {t: i for i, t in enumerate(tensors)}
    if len(last) == len(tensors):
        return None
    return sorted(last.values())


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _to_user(value):
    """TF1 returns numpy scalars for 0-d results and bytes for scalar strings."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value
