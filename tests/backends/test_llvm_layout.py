"""The llvm backend's modules form stages in data-flow order: no import cycle among them
(imports inside functions count), each says in its opening comment what it is, and none
runs past about 600 lines without saying why (in words that say "600 lines")."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import graphc.backends.llvm as llvm_pkg

PACKAGE = Path(llvm_pkg.__file__).parent
PREFIX = "graphc.backends.llvm"


def _modules() -> dict:
    return {p.stem: p for p in sorted(PACKAGE.glob("*.py"))}


def _imports(path: Path) -> set:
    """Names of the package's modules that `path` imports, anywhere in the file."""
    found = set()
    modules = _modules()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                base = node.module
            elif node.module and node.module.startswith(PREFIX + "."):
                base = node.module[len(PREFIX) + 1:]
            else:
                continue
            if base is None:  # from . import a, b
                found.update(a.name for a in node.names if a.name in modules)
            else:
                found.add(base.split(".")[0])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(PREFIX + "."):
                    found.add(a.name[len(PREFIX) + 1:].split(".")[0])
    return found


def test_no_import_cycle_inside_the_llvm_backend():
    graph = nx.DiGraph()
    for name, path in _modules().items():
        graph.add_node(name)
        for dep in _imports(path):
            if dep != name:
                graph.add_edge(name, dep)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles among backends/llvm modules: {cycles}"


def test_every_llvm_module_says_what_it_is_and_stays_small():
    for name, path in _modules().items():
        text = path.read_text()
        doc = ast.get_docstring(ast.parse(text))
        assert doc, f"backends/llvm/{name}.py has no opening comment"
        lines = text.count("\n")
        assert lines <= 620 or "600 lines" in doc, (
            f"backends/llvm/{name}.py has {lines} lines and its opening comment gives no "
            "reason")


def test_the_package_comment_lists_every_stage_module():
    doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text()))
    missing = [n for n in _modules() if n != "__init__" and f"{n}.py" not in doc]
    assert not missing, f"backends/llvm/__init__.py does not list {missing}"
