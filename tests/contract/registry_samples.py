"""Collects every family's SAMPLES: op type -> sample builders (see samples/*.py).

A sample is a zero-argument function called inside a fresh default graph. It builds the
op under test and returns (outputs, feed_dict) or (outputs, feed_dict, setup_ops):
outputs are Tensors (or Operations) to fetch, setup_ops run once before (initializers).
"""
from __future__ import annotations

import importlib
import pkgutil

from . import samples as _samples_pkg


def all_samples() -> dict:
    merged: dict = {}
    for info in pkgutil.iter_modules(_samples_pkg.__path__):
        module = importlib.import_module(f"{_samples_pkg.__name__}.{info.name}")
        for op_type, builders in getattr(module, "SAMPLES", {}).items():
            merged.setdefault(op_type, []).extend(builders)
    return merged


def sample_cases() -> list:
    """(id, op_type, builder) for pytest parametrization."""
    cases = []
    for op_type, builders in sorted(all_samples().items()):
        for i, build in enumerate(builders):
            cases.append((f"{op_type}-{i}-{getattr(build, '__name__', 'sample')}", op_type,
                          build))
    return cases
