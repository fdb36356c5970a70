"""Every Python package folder is installed: pyproject lists it under the graphc namespace."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP = {"graphc": "graphc", "ir": "graphc.ir", "passes": "graphc.passes",
       "backends": "graphc.backends"}


def test_every_package_folder_is_listed_in_pyproject():
    text = open(os.path.join(ROOT, "pyproject.toml")).read()
    listed = set(re.findall(r'"(graphc(?:\.[a-z_]+)*)"', text))
    expected = set()
    for folder, namespace in TOP.items():
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, folder)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            if "__init__.py" in filenames:
                rel = os.path.relpath(dirpath, os.path.join(ROOT, folder))
                expected.add(namespace if rel == "." else
                             namespace + "." + rel.replace(os.sep, "."))
    missing = sorted(expected - listed)
    assert not missing, f"packages missing from pyproject.toml [tool.setuptools] packages: " \
                        f"{missing}"


def test_a_checkout_on_the_path_imports_its_own_layers(tmp_path):
    """`PYTHONPATH=<checkout> python` of a venv whose editable install maps graphc.ir,
    graphc.passes and graphc.backends to another checkout (its finder comes after the
    path's) runs this checkout's layers, not a mix of the two."""
    import subprocess
    import sys
    import textwrap
    for layer in ("ir", "passes", "backends"):
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "__init__.py").write_text("raise ImportError('the other checkout')\n")
    script = textwrap.dedent(f"""
        import importlib.util, sys
        class OtherCheckout:  # what setuptools' editable finder does for the other one
            @classmethod
            def find_spec(cls, name, path=None, target=None):
                layer = name.split(".")[1] if name.count(".") == 1 else None
                if name.startswith("graphc.") and layer in ("ir", "passes", "backends"):
                    return importlib.util.spec_from_file_location(
                        name, {str(tmp_path)!r} + "/" + layer + "/__init__.py",
                        submodule_search_locations=[{str(tmp_path)!r} + "/" + layer])
                return None
        from importlib.machinery import PathFinder  # (right after the path's finder)
        sys.meta_path.insert(sys.meta_path.index(PathFinder) + 1, OtherCheckout)
        sys.path.insert(0, {ROOT!r})
        import graphc, graphc.ir, graphc.passes, graphc.backends
        print(graphc.ir.__file__, graphc.passes.__file__, graphc.backends.__file__)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert all(f.startswith(ROOT + os.sep) for f in out.stdout.split()), out.stdout
