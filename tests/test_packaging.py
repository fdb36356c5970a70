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
