"""The layers of DESIGN.md, read off the source: the whole tree's module import graph.

The graph is built with networkx from every module's imports, at module level and
inside functions, with pyproject's package mapping (ir -> graphc.ir, passes ->
graphc.passes, backends -> graphc.backends). It checks the dependency rule (ir imports
only numpy, networkx and the standard library; passes and backends import ir and never
each other; nothing in them imports up into the facade), the op families' order
(ir/ops/__init__.py lists them bottom up: a module imports only modules listed before
it), that no import inside a function holds ir/ops together, that families do not
re-export each other's names, and that no new import cycle appears anywhere.
"""
from __future__ import annotations

import ast
import functools
import os
import re
import sys
import tomllib
from dataclasses import dataclass

import networkx as nx
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPS = "graphc.ir.ops"


def _package_dirs() -> dict[str, str]:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]["package-dir"]


@dataclass(frozen=True)
class Import:
    source: str       # the importing module
    target: str       # the module imported (a submodule when `from pkg import sub`)
    names: tuple      # the names taken from it (() for `import x`)
    line: int
    in_function: bool


def _modules() -> dict[str, tuple[str, bool]]:
    """module name -> (file, is a package's __init__), for every file under the mapping."""
    out = {}
    for package, folder in _package_dirs().items():
        base = os.path.join(ROOT, folder)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            if not os.path.exists(os.path.join(dirpath, "__init__.py")):
                dirnames[:] = []
                continue
            rel = os.path.relpath(dirpath, base)
            pkg = package if rel == "." else package + "." + rel.replace(os.sep, ".")
            for f in filenames:
                if f.endswith(".py"):
                    name = pkg if f == "__init__.py" else f"{pkg}.{f[:-3]}"
                    out[name] = (os.path.join(dirpath, f), f == "__init__.py")
    return out


MODULES = _modules()


@functools.cache
def _parse(module: str) -> ast.Module:
    return ast.parse(open(MODULES[module][0]).read())


def _imports(module: str) -> list[Import]:
    path, is_package = MODULES[module]
    here = module if is_package else module.rpartition(".")[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(module, a.name, (), child.lineno, in_function)
                             for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    parts = here.split(".")
                    base = ".".join(parts[:len(parts) - child.level + 1])
                    base = f"{base}.{child.module}" if child.module else base
                else:
                    base = child.module
                plain = []
                for a in child.names:
                    if f"{base}.{a.name}" in MODULES:  # `from pkg import submodule`
                        found.append(Import(module, f"{base}.{a.name}", (), child.lineno,
                                            in_function))
                    else:
                        plain.append(a.name)
                if plain or not child.names:
                    found.append(Import(module, base, tuple(plain), child.lineno, in_function))
            visit(child, in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(_parse(module), False)
    return found


IMPORTS = {m: _imports(m) for m in MODULES}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ("ir", "passes", "backends") else "graphc"


def _graph(in_functions: bool = True) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(MODULES)
    for module, imports in IMPORTS.items():
        for i in imports:
            if i.target in MODULES and i.target != module and (in_functions or not i.in_function):
                g.add_edge(module, i.target, line=i.line, in_function=i.in_function)
    return g


# ------------------------------------------------------------------ the dependency rule
THIRD_PARTY = {"ir": {"numpy", "networkx"}, "passes": {"numpy", "networkx"},
               "backends": {"numpy", "networkx", "llvmlite"}}
MAY_IMPORT = {"ir": {"ir"}, "passes": {"ir", "passes"}, "backends": {"ir", "backends"}}


def test_the_mapping_covers_the_four_folders():
    assert {m.split(".")[1] for m in MODULES if m.count(".")} >= {"ir", "passes", "backends"}
    assert f"{OPS}.math_ops" in MODULES and "graphc.passes.fold" in MODULES


@pytest.mark.parametrize("layer", sorted(THIRD_PARTY))
def test_layer_imports_only_what_design_allows(layer):
    bad = []
    for module, imports in IMPORTS.items():
        if _layer(module) != layer:
            continue
        for i in imports:
            top = i.target.split(".")[0]
            if top == "graphc":
                if _layer(i.target) not in MAY_IMPORT[layer]:
                    bad.append(f"{module}:{i.line} imports {i.target}"
                               f"{' (inside a function)' if i.in_function else ''}")
            elif top not in sys.stdlib_module_names and top not in THIRD_PARTY[layer]:
                bad.append(f"{module}:{i.line} imports the third-party {i.target}")
    assert not bad, f"{layer} may import {sorted(MAY_IMPORT[layer])} of graphc and " \
                    f"{sorted(THIRD_PARTY[layer])} (DESIGN.md); found:\n  " + "\n  ".join(bad)


# ------------------------------------------------------------------ ir/ops, bottom up
def _stated_order() -> list[str]:
    """The families in the order ir/ops/__init__.py imports them (bottom up)."""
    order = []
    for node in _parse(OPS).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None:
            order.extend(a.name for a in node.names)
    return order


def _ops_modules() -> list[str]:
    return sorted(m.rpartition(".")[2] for m in MODULES if m.startswith(OPS + "."))


def test_every_op_module_is_in_the_stated_order_once():
    order = _stated_order()
    assert sorted(order) == _ops_modules(), \
        f"ir/ops/__init__.py must import every module of ir/ops once, in layer order; " \
        f"missing {sorted(set(_ops_modules()) - set(order))}, " \
        f"repeated {sorted({m for m in order if order.count(m) > 1})}"


def test_op_modules_import_only_modules_below_them():
    order = _stated_order()
    position = {m: i for i, m in enumerate(order)}
    up = []
    for m in order:
        for i in IMPORTS[f"{OPS}.{m}"]:
            if i.target.startswith(OPS + "."):
                target = i.target.rpartition(".")[2]
                if position.get(target, len(order)) >= position[m]:
                    up.append(f"{m}:{i.line} imports {target}, listed at or after it")
    assert not up, "ir/ops/__init__.py lists the families bottom up; a module imports " \
                   "only modules listed before it:\n  " + "\n  ".join(up)
    g = _graph(in_functions=False).subgraph(f"{OPS}.{m}" for m in order)
    assert nx.is_directed_acyclic_graph(g), list(nx.simple_cycles(g))


def test_the_base_imports_no_op_family():
    helpers = (f"{OPS}._slice_spec", f"{OPS}._shape_arithmetic")  # (define no op)
    for base in ("_base", "_slice_spec", "_shape_arithmetic"):
        families = [i.target for i in IMPORTS[f"{OPS}.{base}"]
                    if i.target.startswith(OPS + ".") and i.target not in helpers]
        assert not families, f"ir/ops/{base}.py imports op families: {families}"


# Imports inside functions of ir/ops that stay, each with its reason. Empty: every op
# module's dependencies are at its top, where the order above checks them.
FUNCTION_LEVEL_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {}


def test_no_function_level_imports_in_ir_ops():
    found = sorted((i.source.rpartition(".")[2], i.target, i.line)
                   for m, imports in IMPORTS.items() if m.startswith(OPS)
                   for i in imports if i.in_function)
    extra = [f for f in found if (f[0], f[1]) not in FUNCTION_LEVEL_IMPORTS_ALLOWED]
    assert not extra, "imports inside functions of ir/ops (move them to the module's top, " \
                      "or the code above the modules it needs):\n  " + \
                      "\n  ".join(f"{m}:{line} imports {t}" for m, t, line in extra)


# Imports inside functions of ir outside ir/ops that stay, each with its reason.
IR_FUNCTION_LEVEL_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {
    ("graphc.ir.verify", "networkx"): "networkx loads when a graph is first verified",
}


def test_no_function_level_imports_in_ir():
    found = sorted((i.source, i.target, i.line) for m, imports in IMPORTS.items()
                   if m.startswith("graphc.ir") and not m.startswith(OPS)
                   for i in imports if i.in_function)
    extra = [f for f in found if (f[0], f[1]) not in IR_FUNCTION_LEVEL_IMPORTS_ALLOWED]
    assert not extra, "imports inside functions of ir (move them to the module's top):\n  " + \
                      "\n  ".join(f"{m}:{line} imports {t}" for m, t, line in extra)


def test_no_dynamic_imports_in_ir():
    dynamic = [f"{m}:{n.lineno}" for m in MODULES if m.startswith("graphc.ir")
               for n in ast.walk(_parse(m)) if isinstance(n, ast.Call) and (
                   getattr(n.func, "id", None) == "__import__" or
                   getattr(n.func, "attr", getattr(n.func, "id", None)) == "import_module")]
    assert not dynamic, f"__import__/import_module calls hide dependencies: {dynamic}"


def test_no_lazy_module_attributes_in_ir_ops():
    lazy = [m for m in MODULES if m.startswith(OPS) and any(
        isinstance(n, ast.FunctionDef) and n.name in ("__getattr__", "__dir__")
        for n in _parse(m).body)]
    assert not lazy, f"module-level __getattr__ (PEP 562) hides dependencies: {lazy}"


@functools.cache
def _defined(module: str) -> frozenset[str]:
    """Names a module defines at its top level (functions, classes, assignments)."""
    names = set()
    for n in _parse(module).body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            names.update(e.id for t in targets for e in ast.walk(t) if isinstance(e, ast.Name))
    if module == f"{OPS}._base":  # the op authors' kit re-exports ir's Tensor, Graph, ...
        names.update(_all_of(module))
    return frozenset(names)


def _all_of(module: str) -> list[str]:
    for n in _parse(module).body:
        if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__"
                                             for t in n.targets):
            return list(ast.literal_eval(n.value))
    return []


def test_op_families_do_not_re_export_each_other():
    """Callers anywhere in the tree take a name from the ir/ops module that defines it."""
    defined = {m: _defined(m) for m in MODULES if m.startswith(OPS + ".")}
    bad = []
    for module in MODULES:
        tree, aliases = _parse(module), {}
        for i in IMPORTS[module]:
            if i.target in defined:
                bad.extend(f"{module}:{i.line} takes {n} from {i.target}"
                           for n in i.names if n != "*" and n not in defined[i.target])
        for n in ast.walk(tree):  # `from graphc.ir.ops import math_ops as M` ... M.name
            if isinstance(n, ast.ImportFrom):
                for a in n.names:
                    target = next((i.target for i in IMPORTS[module] if i.line == n.lineno
                                   and i.target.endswith("." + a.name)), None)
                    if target in defined:
                        aliases[a.asname or a.name] = target
        for n in ast.walk(tree):
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and \
                    n.value.id in aliases and n.attr not in defined[aliases[n.value.id]]:
                bad.append(f"{module}:{n.lineno} uses {n.value.id}.{n.attr}, which "
                           f"{aliases[n.value.id]} does not define")
    assert not bad, "import each name from the module that defines it:\n  " + \
                    "\n  ".join(sorted(set(bad)))


# ------------------------------------------------------------------ cycles, tree-wide
# Import cycles that remain outside ir/ops (issue 16 item 4 removes them), imports inside
# functions counted. A cycle found must lie within one of these; none may grow or appear.
KNOWN_CYCLES = [
]


def test_no_new_import_cycles():
    new = [sorted(c) for c in nx.strongly_connected_components(_graph())
           if len(c) > 1 and not any(c <= known for known in KNOWN_CYCLES)]
    assert not new, "import cycles (imports inside functions count):\n  " + \
                    "\n  ".join(" <-> ".join(c) for c in new)


def test_ir_ops_is_free_of_cycles_even_counting_function_level_imports():
    g = _graph().subgraph(m for m in MODULES if m.startswith(OPS))
    assert nx.is_directed_acyclic_graph(g), list(nx.simple_cycles(g))[:5]


def test_module_docstrings_name_the_stated_order():
    text = open(MODULES[OPS][0]).read()
    assert re.search(r"imports only modules listed before it", text)


# ------------------------------------------------------------------ module size
MAX_LINES = 600
REASON = re.compile(r"over (about )?600 lines", re.I)


def test_long_modules_of_the_lower_layers_say_why():
    """No module in ir/, passes/, backends/ over about 600 lines without a reason in its
    opening comment (a docstring sentence "... over 600 lines because ...")."""
    long = []
    for module, (path, _) in sorted(MODULES.items()):
        if _layer(module) == "graphc":
            continue
        with open(path) as f:
            lines = sum(1 for _ in f)
        if lines > MAX_LINES and not REASON.search(ast.get_docstring(_parse(module)) or ""):
            long.append(f"{os.path.relpath(path, ROOT)}: {lines} lines")
    assert not long, f"modules over {MAX_LINES} lines: split them by concept, or say in " \
                     "the opening docstring why one is over 600 lines:\n  " + "\n  ".join(long)


# ------------------------------------------------------------------ private names
# Private names (one leading underscore) taken from another module of the tree: what
# remains, by (importing module, defining module) under graphc. A private name is its
# module's own; a helper others need gets a public name where it belongs (or moves to a
# shared module). None may be added to this list; remove entries as they are fixed.
KNOWN_PRIVATE_IMPORTS = {
    ("debugging_checks", "debugging"): {"_static_message"},
    ("graphdef.frames_export", "graphdef.exporter"): {"_Exporter"},
    ("graphdef.functional_export", "graphdef.exporter"): {"_Exporter"},
    ("graphdef.sparse_training", "graphdef.resources"): {"_handle"},
    ("ir.jpeg_encode", "ir.jpeg"): {"_AC_CHROMA", "_AC_LUMA", "_CB", "_CHROMA_Q", "_DC_CHROMA",
                                    "_DC_LUMA", "_LUMA_Q", "_ONE_HALF", "_P1", "_descale"},
    ("ir.ops.array_ops", "ir.ops._base"): {"_contains_tensor"},
    ("ir.ops.eig_ops", "ir.ops.linalg_ops"): {"_batched", "_check_square", "_lapack",
                                              "_unbatched"},
    ("ir.ops.generator_ops", "ir.ops._base"): {"_infer_python_dtype"},
    ("ir.ops.generator_ops", "ir.ops.array_ops"): {"_check_vector", "_shape_arg", "_shape_str",
                                                   "_static_axis"},
    ("ir.ops.image_codec_ops", "ir.ops.png_ops"): {"_convert"},
    ("ir.ops.matfunc_ops", "ir.ops.linalg_ops"): {"_batched", "_check_square", "_eye_like",
                                                  "_square", "_unbatched"},
    ("ir.ops.math_compositions", "ir.ops.array_ops"): {"_static_axis"},
    ("ir.ops.random_dist_ops", "ir.ops.random_ops"): {"_shape_tensor"},
    ("ir.ops.random_stateless_ops", "ir.ops.random_dist_ops"): {"_seed_pair", "_seed_tensor"},
    ("ir.ops.random_stateless_ops", "ir.ops.random_ops"): {"_shape_tensor"},
    ("ir.ops.random_stateless_ops", "ir.ops.special_inverse_ops"): {"_erfc", "_ndtri_np"},
    ("ir.ops.sequence_ops", "ir.ops.array_ops"): {"_static_axis"},
    ("ir.ops.slicing_ops", "ir.ops.array_ops"): {"_check_vector", "_shape_str", "_static_axis"},
    ("ir.ops.split_ops", "ir.ops.array_ops"): {"_static_axis"},
    ("ir.ops.tile_pad_ops", "ir.ops.array_ops"): {"_check_vector", "_shape_arg", "_shape_entries",
                                                  "_shape_str"},
    ("ir.ops.trig_ops", "ir.ops.special_ops"): {"_wide"},
    ("layers_conv3d", "layers_conv"): {"_Conv", "_Transposed", "_channels_last", "_padding",
                                       "_pooling_class", "_tuple"},
    ("metrics", "losses"): {"_safe_div"},
    ("metrics_thresholds", "losses"): {"_safe_div"},
    ("rnn_contrib", "rnn_cell"): {"_linear"},
    ("seq2seq", "losses"): {"_safe_div"},
    ("train.checkpoint_management", "train.saver"): {"_state_path", "_write_state"},
    ("train.checkpoint_utils", "train.saver"): {"_resolve"},
    ("train.checkpoint_utils", "variable_scope"): {"_state"},
    ("train.decay", "train.schedules"): {"_float", "_progress"},
    ("train.input", "data.iterator"): {"_new_iterator"},
    ("train.sstable", "ir.proto"): {"_read_varint"},
}


def _private_imports() -> set:
    return {(m.removeprefix("graphc."), i.target.removeprefix("graphc."), n)
            for m, imports in IMPORTS.items() for i in imports
            if i.target in MODULES and i.target != m
            for n in i.names if n.startswith("_") and not n.startswith("__")}


def test_no_new_private_cross_module_imports():
    known = {(m, t, n) for (m, t), names in KNOWN_PRIVATE_IMPORTS.items() for n in names}
    new = sorted(_private_imports() - known)
    assert not new, "private names imported from another module (give them a public " \
        "name in the module they belong to):\n  " + \
        "\n  ".join(f"{m} takes {n} from {t}" for m, t, n in new)
