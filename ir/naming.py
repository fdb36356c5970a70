"""Public names for functions that factories make (op builders, error constructors)."""
from __future__ import annotations

import sys
import types


def rename(fn: types.FunctionType, name: str, qualname: str | None = None) -> types.FunctionType:
    """Give `fn` the public name `name`: `__name__`, `__qualname__` and its code's names,
    which are what Python's TypeError for a bad argument reports (`reduce_sum() got an
    unexpected keyword argument`, not `_reduction.<locals>.builder()`)."""
    qualname = qualname or name
    fn.__name__, fn.__qualname__ = name, qualname
    changes = {"co_name": name}
    if sys.version_info >= (3, 11):
        changes["co_qualname"] = qualname
    fn.__code__ = fn.__code__.replace(**changes)
    return fn


def name_builders(namespace: dict) -> None:
    """Name each function a factory made (`reduce_sum = _reduction("Sum", ...)`) after the
    public module variable it is bound to first."""
    for name, value in list(namespace.items()):
        if not name.startswith("_") and isinstance(value, types.FunctionType) and \
                "<locals>" in value.__qualname__:
            rename(value, name)
