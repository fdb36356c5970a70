"""Nested structures (TF's `tf.nest`): lists, tuples, namedtuples and dicts of leaves.

Dicts are walked in sorted key order, as in TensorFlow; anything else is a leaf.
"""
from __future__ import annotations


def is_nested(seq) -> bool:
    return isinstance(seq, (list, tuple, dict))


def _children(x) -> list:
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure, expand_composites: bool = False) -> list:
    if not is_nested(structure):
        return [structure]
    out = []
    for c in _children(structure):
        out.extend(flatten(c))
    return out


def _rebuild(template, parts: list):
    if isinstance(template, dict):
        return type(template)(zip(sorted(template), parts))
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*parts)
    return type(template)(parts)


def pack_sequence_as(structure, flat_sequence, expand_composites: bool = False):
    flat = list(flat_sequence)
    if len(flat) != len(flatten(structure)):
        raise ValueError(f"Structure had {len(flatten(structure))} elements, but "
                         f"flat_sequence had {len(flat)} elements.")
    it = iter(flat)

    def build(s):
        if not is_nested(s):
            return next(it)
        return _rebuild(s, [build(c) for c in _children(s)])
    return build(structure)


def map_structure(func, *structures):
    if not structures:
        raise ValueError("map_structure needs at least one structure")
    for s in structures[1:]:
        assert_same_structure(structures[0], s)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])


def _shape_of(x) -> object:
    if not is_nested(x):
        return "leaf"
    kind = "dict" if isinstance(x, dict) else (type(x).__name__ if hasattr(x, "_fields")
                                                else "sequence")
    keys = tuple(sorted(x)) if isinstance(x, dict) else len(x)
    return (kind, keys, tuple(_shape_of(c) for c in _children(x)))


def assert_same_structure(nest1, nest2, check_types: bool = True,
                          expand_composites: bool = False) -> None:
    if _shape_of(nest1) != _shape_of(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {_describe(nest1)}\n\nSecond structure: "
                         f"{_describe(nest2)}")


def _describe(x) -> str:
    return repr(map_structure(lambda v: getattr(v, "name", type(v).__name__), x))
