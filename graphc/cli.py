"""The `graphc` command (also `python -m graphc`): dump, viz, run and bench graphs.

FILE is a graph file (`.graphc`, or TensorFlow's `.pb` / `.pbtxt` GraphDef, as
`tf.train.write_graph` writes them), a `.meta` file (its checkpoint beside it restored), a
SavedModel directory (the "serve" meta graph, its variables restored, its serving
signature's outputs the default fetches) or `script.py:function`, a
function that builds the graph and returns its fetches (a tensor, or a list or dict of
them), so a program's graph can be inspected without saving it first.

Feeds: `--feed x=data.npy` (an array from a file), `--feed x=100x784` or `x=100,784`
(random values of that shape; `x=` for a scalar), `--feed x=0.5` (a value). Fetches:
`--fetch loss` (a key of the function's dict, an op or a tensor name).
Exit status: 0 on success, 1 when the graph cannot be loaded or run, 2 on bad usage.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
import warnings
from typing import Optional

import numpy as np


class UsageError(Exception):
    """Bad arguments: reported with the usage line, exit status 2."""


class CommandError(Exception):
    """The graph cannot be loaded or run: a one-line message, exit status 1."""


# ---------------------------------------------------------------- loading
class Loaded:
    """A graph, the fetches FILE names (if any), and the feeds given on the command line."""

    def __init__(self, graph, fetches: dict, source: str, restore=None) -> None:
        self.graph = graph
        self.fetches = fetches      # label -> Tensor | Operation
        self.source = source
        self.restore = restore      # restore(sess): variables from the file's checkpoint


def _load_tensorflow_files(path: str, graph) -> Optional[Loaded]:
    """A SavedModel directory or a `.meta` file, else None."""
    from .saved_model.loader import import_saved_model, maybe_saved_model_directory, \
        select_meta_graph
    from .train.saver import import_meta_graph
    if os.path.isdir(path) and maybe_saved_model_directory(path):
        export_dir, meta = select_meta_graph(path, None)
        restore = import_saved_model(graph, export_dir, meta)
        sigs = meta.signature_def
        sig = sigs.get("serving_default") or (sigs[sorted(sigs)[0]] if sigs else None)
        fetches = {key: graph.get_tensor_by_name(info.name)
                   for key, info in (sig.outputs.items() if sig else ())}
        return Loaded(graph, fetches, path, restore)
    if path.endswith(".meta"):
        with graph.as_default():
            saver = import_meta_graph(path)
        prefix = path[:-len(".meta")]

        def restore(sess) -> None:
            import graphc as tf
            if saver is not None and tf.train.checkpoint_exists(prefix):
                saver.restore(sess, prefix)
        return Loaded(graph, {}, path, restore)
    return None


def load(spec: str) -> Loaded:
    import graphc as tf
    from .ir.serialize import GraphFileError, import_graph_def, read_graph_file
    path, func = spec.rsplit(":", 1) if ".py:" in spec else (spec, "")
    if path.endswith(".py") and not func:
        raise UsageError(f"{spec}: name the function that builds the graph: "
                         f"{spec}:function")
    graph = tf.Graph()
    if not func:
        if not os.path.exists(path):
            raise CommandError(f"{path}: no such file")
        from .graphdef.files import GraphDefFileError, is_graphc_file, read_graph_def
        try:
            found = _load_tensorflow_files(path, graph)
            if found is not None:
                return found
            if is_graphc_file(path):
                import_graph_def(read_graph_file(path), graph)
            else:
                with graph.as_default():
                    tf.import_graph_def(read_graph_def(path), name="")
        except (GraphFileError, GraphDefFileError, ValueError, OSError, RuntimeError,
                tf.errors.OpError) as exc:
            raise CommandError(str(exc)) from None
        return Loaded(graph, {}, path)
    if not os.path.exists(path):
        raise CommandError(f"{path}: no such file")
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    try:
        name = f"_graphc_cli_{os.path.splitext(os.path.basename(path))[0]}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        with graph.as_default():
            module_spec.loader.exec_module(module)
            fn = getattr(module, func, None)
            if not callable(fn):
                raise CommandError(f"{path} has no function {func!r}")
            result = fn()
    finally:
        sys.path.remove(folder)
    return Loaded(graph, _fetch_dict(result), spec)


def _fetch_dict(result) -> dict:
    from .ir.graph import Operation, TensorLike
    if result is None:
        return {}
    if isinstance(result, dict):
        items = result.items()
    elif isinstance(result, (list, tuple)):
        items = ((getattr(v, "name", str(i)), v) for i, v in enumerate(result))
    else:
        items = [(getattr(result, "name", "result"), result)]
    out = {}
    for key, value in items:
        if isinstance(value, TensorLike) and not isinstance(value, Operation):
            value = value._as_tensor()
        if value is not None:
            out[str(key)] = value
    return out


def resolve_fetches(loaded: Loaded, names: Optional[list]) -> dict:
    if not names:
        return dict(loaded.fetches)
    out = {}
    for name in names:
        if name in loaded.fetches:
            out[name] = loaded.fetches[name]
            continue
        try:
            out[name] = loaded.graph.as_graph_element(name)
        except (KeyError, ValueError, TypeError) as exc:
            raise UsageError(f"--fetch {name}: {exc}") from None
    return out


def parse_feeds(loaded: Loaded, specs: list, rng=None) -> dict:
    rng = rng or np.random.RandomState(0)
    feeds = {}
    for spec in specs or []:
        name, eq, value = spec.partition("=")
        if not eq or not name:
            raise UsageError(f"--feed {spec!r}: expected NAME=FILE.npy, NAME=SHAPE or "
                             "NAME=VALUE")
        try:
            t = loaded.graph.as_graph_element(name if ":" in name else name + ":0")
        except (KeyError, ValueError, TypeError) as exc:
            raise UsageError(f"--feed {name}: {exc}") from None
        feeds[t] = _feed_value(t, value)
    return feeds


def _feed_value(t, value: str):
    dtype = t.dtype.np
    if value.endswith((".npy", ".npz")):
        if not os.path.exists(value):
            raise UsageError(f"--feed {t.op.name}: no such file {value}")
        try:
            data = np.load(value, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise UsageError(f"--feed {t.op.name}: cannot read {value}: {exc}") from None
        if isinstance(data, np.lib.npyio.NpzFile):
            keys = list(data.keys())
            data = data[t.op.name] if t.op.name in keys else data[keys[0]]
        return data
    shape = _parse_shape(value)
    if shape is None and value.strip().isdigit() and t.shape.ndims == 1:
        shape = (int(value),)  # `labels=100` for a [?] placeholder: a shape, not a value
    if shape is None:
        try:
            return np.asarray(float(value) if "." in value or "e" in value.lower()
                              else int(value), dtype=dtype)
        except ValueError:
            raise UsageError(f"--feed {t.op.name}={value}: not a file, shape or "
                             "number") from None
    return random_value(t, shape)


def _parse_shape(text: str):
    text = text.strip().strip("[]()")
    if text == "":
        return ()
    if "x" not in text and "," not in text:
        return None
    parts = [p for p in text.replace("x", ",").split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        return None


def random_value(t, shape) -> np.ndarray:
    rng = np.random.RandomState(abs(hash(t.name)) % (1 << 31))
    dtype = np.dtype(t.dtype.np)
    if dtype.kind == "f":
        return rng.randn(*shape).astype(dtype)
    if dtype.kind in "iu":
        return np.zeros(shape, dtype)  # zeros are valid indices and labels
    if dtype.kind == "b":
        return np.zeros(shape, bool)
    raise UsageError(f"--feed {t.op.name}: give a file for {t.dtype.name} values")


def default_feeds(loaded: Loaded, fetches: dict, given: dict) -> dict:
    """Given feeds, plus random values for placeholders the fetches need: an unknown
    leading dim takes the batch of the given feeds (else 1), other unknown dims 1."""
    from .passes.prune import build_program
    from .ir.graph import Operation
    feeds = dict(given)
    batch = next((np.shape(v)[0] for t, v in given.items()
                  if t.shape.ndims and t.shape.as_tuple()[0] is None and np.ndim(v)), 1)
    tensors = [v for v in fetches.values() if not isinstance(v, Operation)]
    ops = [v for v in fetches.values() if isinstance(v, Operation)]
    while True:
        try:
            build_program(tensors, ops, list(feeds))
            return feeds
        except Exception as exc:  # noqa: BLE001 - an unfed placeholder: fill it in
            op = getattr(exc, "op", None)
            if op is None or op.type != "Placeholder":
                raise CommandError(str(exc).split("\n")[0]) from None
            t = op.outputs[0]
            dims = t.shape.as_tuple()
            if dims is None:
                raise UsageError(f"placeholder {op.name} has unknown rank: give --feed "
                                 f"{op.name}=SHAPE") from None
            shape = tuple((batch if i == 0 else 1) if d is None else d
                          for i, d in enumerate(dims))
            if None in dims:
                print(f"note: feeding {op.name} random values of shape {shape} (use "
                      f"--feed {op.name}=SHAPE or =FILE.npy)", file=sys.stderr)
            feeds[t] = random_value(t, shape)


# ---------------------------------------------------------------- the optimized graph
def optimized_graph(loaded: Loaded, fetches: dict, feeds: dict, until: Optional[str]):
    from .ir.graph import Operation
    from .passes.manager import PassManager
    from .passes.lower import lower
    from .passes.prune import build_program
    if not fetches:
        raise UsageError("--optimized and --after need fetches: give --fetch NAME, or a "
                         "FILE of the form script.py:function")
    feeds = default_feeds(loaded, fetches, feeds)
    tensors = [v for v in fetches.values() if not isinstance(v, Operation)]
    ops = [v for v in fetches.values() if isinstance(v, Operation)]
    order = list(feeds)
    program = build_program(tensors, ops, order)
    lowered = lower(program, [(np.shape(feeds[t]), t.dtype) for t in order])
    manager = PassManager()
    names = [n for n, _ in manager.pipeline]
    if until is not None and until not in names:
        raise UsageError(f"--after {until}: no such pass; the pipeline is {', '.join(names)}")
    return manager.run(lowered, until=until).graph, manager


# ---------------------------------------------------------------- commands
def cmd_dump(args) -> int:
    from .ir.printer import format_graph
    loaded = load(args.file)
    graph = loaded.graph
    title = loaded.source
    if args.optimized or args.after:
        fetches = resolve_fetches(loaded, args.fetch)
        graph, manager = optimized_graph(loaded, fetches, parse_feeds(loaded, args.feed),
                                         args.after)
        title = f"{loaded.source} after {args.after or 'the pipeline'}"
    if args.stats:
        counts: dict = {}
        for op in graph.get_operations():
            counts[op.type] = counts.get(op.type, 0) + 1
        print(f"{title}: {len(graph.get_operations())} ops, {len(counts)} kinds")
        print(table(["op type", "count"], [[k, v] for k, v in
                                           sorted(counts.items(), key=lambda kv: -kv[1])]))
        return 0
    print(format_graph(graph, with_sites=not args.no_sites, title=title))
    return 0


def cmd_viz(args) -> int:
    from . import viz
    loaded = load(args.file)
    out = args.output
    ext = os.path.splitext(out)[1].lower()
    if ext not in (".svg", ".dot", ".html", ".htm"):
        raise UsageError(f"-o {out}: the extension picks the format: .svg, .dot or .html")
    graphs = [(loaded.graph, f"{loaded.source}")]
    if args.optimized:
        fetches = resolve_fetches(loaded, args.fetch)
        opt, _ = optimized_graph(loaded, fetches, parse_feeds(loaded, args.feed), None)
        graphs = [(loaded.graph, "user graph"), (opt, "optimized plan")]
    if ext == ".dot":
        text = "".join(viz.to_dot(g, title) for g, title in graphs)
    else:
        layouts = [viz.layout(g, title) for g, title in graphs]
        data = layouts[0] if len(layouts) == 1 else viz.side_by_side(layouts)
        text = viz.to_svg(data) if ext == ".svg" else viz.to_html(data)
    folder = os.path.dirname(os.path.abspath(out))
    os.makedirs(folder, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    n = sum(len(g.get_operations()) for g, _ in graphs)
    print(f"wrote {out} ({n} ops)")
    return 0


def _session_for(loaded: Loaded, backend: Optional[str]):
    import graphc as tf
    sess = tf.Session(graph=loaded.graph, backend=backend)
    inits = initializers(loaded.graph)
    if inits:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sess.run(inits)
    if loaded.restore is not None:
        try:
            loaded.restore(sess)
        except Exception as exc:  # noqa: BLE001 - a damaged checkpoint: one message
            raise CommandError(f"{type(exc).__name__}: {exc}") from None
    return sess


def initializers(graph) -> list:
    """The variables' initializer ops (TF1's `<var>/Assign` layout)."""
    out = []
    for op in graph.get_operations():
        if op.type == "VariableV2":
            try:
                out.append(graph.get_operation_by_name(op.name + "/Assign"))
            except (KeyError, ValueError):
                pass
    return out


def _prepare(args, verb: str):
    """(loaded graph, fetches, feeds) for run and bench."""
    loaded = load(args.file)
    fetches = resolve_fetches(loaded, args.fetch)
    if not fetches:
        raise UsageError(f"nothing to {verb}: give --fetch NAME (or a script.py:function "
                         "FILE)")
    return loaded, fetches, default_feeds(loaded, fetches, parse_feeds(loaded, args.feed))


def cmd_run(args) -> int:
    from .ir.graph import Operation
    loaded, fetches, feeds = _prepare(args, "run")
    sess = _session_for(loaded, args.backend)
    labels = list(fetches)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = sess.run([fetches[k] for k in labels], feeds)
    except Exception as exc:  # noqa: BLE001 - report the run's error in one message
        raise CommandError(f"{type(exc).__name__}: {exc}") from None
    results = {k: v for k, v, in zip(labels, values)
               if not isinstance(fetches[k], Operation)}
    if args.output:
        if args.output.endswith(".npy") and len(results) == 1:
            np.save(args.output, np.asarray(next(iter(results.values()))))
        else:
            np.savez(args.output, **{k.replace("/", "_").replace(":", "_"): np.asarray(v)
                                     for k, v in results.items()})
        print(f"wrote {args.output} ({', '.join(results)})")
        return 0
    for k in labels:
        if isinstance(fetches[k], Operation):
            print(f"{k}: ran")
            continue
        v = np.asarray(results[k])
        text = np.array2string(v, threshold=60, edgeitems=3, precision=5,
                               suppress_small=True, separator=", ")
        print(f"{k}: {v.dtype}{list(v.shape)}")
        print("  " + text.replace("\n", "\n  "))
    return 0


def cmd_bench(args) -> int:
    loaded, fetches, feeds = _prepare(args, "benchmark")
    backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    from .backends_registry import AVAILABLE
    for b in backends:
        if b not in AVAILABLE:
            raise UsageError(f"--backend {b}: available backends are {', '.join(AVAILABLE)}")
    rows = []
    targets = list(fetches.values())
    for backend in backends:
        try:
            rows.append(_bench_one(loaded, backend, targets, feeds, args.runs))
        except (UsageError, CommandError):
            raise
        except Exception as exc:  # noqa: BLE001 - the graph's own error, in one message
            raise CommandError(f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    base = rows[0][2]
    print(f"{loaded.source}: {len(loaded.graph.get_operations())} ops, fetches "
          f"{', '.join(fetches)}, {args.runs} runs")
    print(table(["backend", "compile+first run", "median", "min", "max",
                 f"vs {rows[0][0]}"],
                [[b, _ms(f), _ms(m), _ms(lo), _ms(hi), f"{base / m:.2f}x"]
                 for b, f, m, lo, hi in rows]))
    return 0


def _bench_one(loaded, backend, targets, feeds, runs):
    """(backend, compile + first run, median, min, max), in seconds."""
    sess = _session_for(loaded, backend)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        sess.run(targets, feeds)
        first = time.perf_counter() - t0
        run = sess.make_callable(targets, list(feeds))
        values = list(feeds.values())
        run(*values)
        times = []
        bar = Progress(backend, runs)
        for i in range(runs):
            t0 = time.perf_counter()
            run(*values)
            times.append(time.perf_counter() - t0)
            bar.update(i + 1)
        bar.done()
    sess.close()
    return backend, first, statistics.median(times), min(times), max(times)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds < 1 else f"{seconds:.2f} s"


class Progress:
    """A progress bar on stderr when stderr is a terminal, shown once the runs have taken
    more than a second (in a pipe or a log it would only be noise)."""

    def __init__(self, label: str, total: int, stream=None) -> None:
        self.label, self.total = label, total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.shown = False

    def update(self, n: int) -> None:
        if not self.tty:
            return
        elapsed = time.perf_counter() - self.start
        if elapsed < 1.0:
            return
        self.shown = True
        width = 30
        filled = int(width * n / self.total)
        eta = elapsed / n * (self.total - n)
        self.stream.write(f"\r{self.label:8s} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{n}/{self.total}  {eta:5.1f}s left")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\n")


def table(header: list, rows: list) -> str:
    cells = [list(map(str, header))] + [list(map(str, r)) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for j, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths))))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    parser = argparse.ArgumentParser(
        prog="graphc", description="graphc: a TF1-style graph compiler. Inspect, run and "
        "benchmark graphs. FILE is a .graphc, .pb, .pbtxt or .meta file, a SavedModel "
        "directory or script.py:function.")
    parser.add_argument("--version", action="version", version=f"graphc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p, fetch_help="fetch NAME (op, tensor, or a key the function returns)"):
        p.add_argument("file", metavar="FILE",
                       help="a .graphc, .pb, .pbtxt or .meta file, a SavedModel directory "
                       "or script.py:function")
        p.add_argument("--feed", action="append", default=[], metavar="NAME=SPEC",
                       help="feed NAME from FILE.npy, a SHAPE such as 100x784, or a VALUE")
        p.add_argument("--fetch", action="append", default=[], metavar="NAME", help=fetch_help)

    p = sub.add_parser("dump", help="print the graph as text")
    common(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--optimized", action="store_true", help="after the pass pipeline")
    group.add_argument("--after", metavar="PASS", help="after the named pass")
    p.add_argument("--stats", action="store_true", help="count ops by kind")
    p.add_argument("--no-sites", action="store_true", help="omit creation sites")
    p.set_defaults(run=cmd_dump, parser=p)

    p = sub.add_parser("viz", help="draw the graph (SVG, DOT or interactive HTML)")
    common(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="out.svg, out.dot or out.html")
    p.add_argument("--optimized", action="store_true",
                   help="the user graph and the optimized plan side by side")
    p.set_defaults(run=cmd_viz, parser=p)

    p = sub.add_parser("run", help="run the graph and print or save the fetched values")
    common(p)
    p.add_argument("-o", "--output", metavar="OUT", help="save to OUT.npz (or OUT.npy)")
    p.add_argument("--backend", default=None, help="llvm or numpy (default: GRAPHC_BACKEND "
                   "or llvm)")
    p.set_defaults(run=cmd_run, parser=p)

    p = sub.add_parser("bench", help="time compile and runs on one or more backends")
    common(p)
    p.add_argument("--backend", default="numpy,llvm", help="comma-separated (numpy,llvm)")
    p.add_argument("--runs", type=int, default=50, help="timed runs per backend")
    p.set_defaults(run=cmd_bench, parser=p)
    return parser


def main(argv: Optional[list] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "runs", 1) < 1:
        parser.error("--runs must be at least 1")
    try:
        return args.run(args)
    except UsageError as exc:
        args.parser.error(str(exc))  # the subcommand's usage line, exit status 2
    except CommandError as exc:
        print(f"graphc: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
