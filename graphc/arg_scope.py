"""`tf.contrib.framework.arg_scope` and `add_arg_scope`: default keyword arguments for
the functions decorated with `add_arg_scope` (graphc's contrib.layers functions), set for
a block of code, as TF1's (slim's) do.

`with arg_scope([fully_connected, conv2d], activation_fn=None):` makes those functions'
calls inside the block default to activation_fn=None; keywords given in a call win; nested
scopes add to (and override) the outer one; `arg_scope(scope_dict)` re-enters a scope
captured with `with arg_scope(...) as sc`.
"""
from __future__ import annotations

import contextlib
import functools

_ARG_STACK: list = [{}]
_DECORATED: set = set()


def _key(func) -> str:
    return getattr(func, "_key_op", f"{func.__module__}.{func.__qualname__}")


def current_arg_scope() -> dict:
    """The innermost scope: function key -> default keyword arguments."""
    return _ARG_STACK[-1]


def has_arg_scope(func) -> bool:
    return _key(func) in _DECORATED


def add_arg_scope(func):
    """Decorator: `func`'s calls take their defaults from the current arg_scope."""
    key = _key(func)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        scope = current_arg_scope()
        if key in scope:
            kwargs = {**scope[key], **kwargs}
        return func(*args, **kwargs)
    func_with_args._key_op = key
    _DECORATED.add(key)
    return func_with_args


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Sets default keyword arguments of the functions listed for the block."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, "
                             "kwargs must be empty.")
        scope = dict(list_ops_or_scope)
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope "
                            "(i.e. dict)")
        scope = dict(current_arg_scope())
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError(f"{getattr(op, '__name__', op)} is not decorated with "
                                 "@add_arg_scope")
            key = _key(op)
            scope[key] = {**scope.get(key, {}), **kwargs}
    _ARG_STACK.append(scope)
    try:
        yield scope
    finally:
        _ARG_STACK.pop()


def arg_scoped_arguments(func) -> list:
    """The keyword arguments arg_scope can set for `func` (its parameters)."""
    import inspect
    return list(inspect.signature(func).parameters)
