"""einsum and tensordot, composed of transposes, reshapes, matmuls and reductions.

`einsum` parses the equation (explicit `->` or the implicit output: the labels used once,
sorted; `...` for leading dims), takes repeated labels of one operand as its diagonal,
sums labels no later operand or the output needs, then contracts the operands left to
right: each pair becomes one (batch) matmul of [batch, free, contracted] by [batch,
contracted, free] matrices, so the work lands on the matmul kernels and gradients come
from the ops used. Dims of the same label must agree, except the dims `...` stands for,
which broadcast as numpy's and TF's do: a dim of 1 known when the graph is built is
squeezed out of its operand, so its label is free in the others (a matmul by the
unbroadcast operand; the gradient's sum over the broadcast dim is the matmul's own); where
the graph leaves a shared `...` dim unknown, the operands are broadcast to the dims'
maximum at run time (BroadcastTo, whose gradient sums back to the operand's shape; dims
that do not broadcast fail there). `tensordot` is an einsum over the named axes.
"""
from __future__ import annotations

import string
from typing import Optional

import numpy as np

from ._base import convert_to_tensor, graph_of
from .array_ops import concat, reshape, shape, stack, transpose
from .diag_ops import matrix_diag_part
from .matmul_ops import matmul
from .reduce_ops import reduce_prod, reduce_sum
from .core_ops import identity
from .math_ops import maximum
from .tile_pad_ops import broadcast_to

__all__ = ["einsum", "tensordot"]


def _parse(equation: str, ranks: list) -> tuple:
    """(input label strings, output label string, the labels `...` stands for) with `...`
    expanded to fresh labels."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
        if "->" in out:
            raise ValueError(f"einsum: equation {equation!r} has more than one '->'")
    else:
        lhs, out = eq, None
    terms = lhs.split(",")
    if len(terms) != len(ranks):
        raise ValueError(f"einsum: equation {equation!r} names {len(terms)} operands, "
                         f"got {len(ranks)}")
    used = set(eq) - set(".,->")
    for ch in used:
        if ch not in string.ascii_letters:
            raise ValueError(f"einsum: invalid label {ch!r} in {equation!r}")
    fresh = [c for c in string.ascii_letters[::-1] if c not in used]
    ell_rank = 0
    for t, r in zip(terms, ranks):
        if "..." in t:
            if r is None:
                raise ValueError("einsum: an operand with '...' needs a known rank")
            ell_rank = max(ell_rank, r - (len(t) - 3))
    ell = "".join(fresh[:ell_rank])[::-1]
    expanded = []
    for t, r in zip(terms, ranks):
        if "..." in t:
            n = r - (len(t) - 3)
            t = t.replace("...", ell[ell_rank - n:] if n else "")
        if r is not None and len(t) != r:
            raise ValueError(f"einsum: operand term {t!r} has {len(t)} labels but the "
                             f"operand has rank {r}")
        expanded.append(t)
    if out is None:
        counts = {c: sum(t.count(c) for t in expanded) for c in set("".join(expanded))}
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    elif ell and "..." not in out:
        raise ValueError(f"einsum: the output of {equation!r} has no '...' for the "
                         f"{len(ell)} dim(s) '...' stands for in the inputs")
    else:
        out = out.replace("...", ell)
    for c in out:
        if not any(c in t for t in expanded):
            raise ValueError(f"einsum: output label {c!r} appears in no input of "
                             f"{equation!r}")
        if out.count(c) > 1:
            raise ValueError(f"einsum: output label {c!r} repeats in {equation!r}")
    return expanded, out, ell


def _static_dims(xs, terms, label: str) -> list:
    """(operand index, dim) of every operand with `label`; dim None where unknown."""
    return [(k, x.shape.as_list()[t.index(label)] if x.shape.ndims is not None else None)
            for k, (x, t) in enumerate(zip(xs, terms)) if label in t]


def _broadcast(xs, terms: list, ell: str, equation: str) -> tuple:
    """The operands and terms with `...`'s dims broadcast (module comment); a ValueError
    naming the equation and the shapes where dims the graph knows cannot agree."""
    def refuse(label):
        shapes = ", ".join(str(tuple(x.shape.as_list())) if x.shape.ndims is not None
                           else "<unknown>" for x in xs)
        where = "the dims '...' stands for" if label in ell else f"label {label!r}"
        raise ValueError(f"einsum: the operands of {equation!r} have shapes {shapes}, "
                         f"which disagree in {where}" +
                         (" (they do not broadcast)" if label in ell else ""))
    dynamic = False
    terms = list(terms)
    for c in sorted(set("".join(terms)), key="".join(terms).index):
        dims = _static_dims(xs, terms, c)
        known = {d for _, d in dims if d is not None}
        if c not in ell:
            if len(known) > 1:
                refuse(c)
            continue
        if len(known - {1}) > 1:
            refuse(c)
        if len(dims) > 1 and any(d is None for _, d in dims):
            dynamic = True
        elif len(known) == 2:  # {1, n}: squeeze the 1s
            for k, d in dims:
                if d == 1:
                    rest = terms[k].replace(c, "")
                    xs[k] = reshape(xs[k], _dims(xs[k], terms[k], rest))
                    terms[k] = rest
    if not dynamic:
        return xs, terms
    size = {}
    for c in ell:
        dims = [_dims(xs[k], terms[k], c) for k, _ in _static_dims(xs, terms, c)]
        size[c] = dims[0]
        for d in dims[1:]:
            size[c] = maximum(size[c], d)
    for k, t in enumerate(terms):
        if any(c in ell for c in t):
            target = [size[c] if c in ell else _dims(xs[k], t, c) for c in t]
            xs[k] = broadcast_to(xs[k], concat(target, 0))
    return xs, terms


def _take_diagonals(x, labels: str):
    """Repeated labels of one operand: its diagonal over them (once per repeat)."""
    while True:
        dup = next((c for c in labels if labels.count(c) > 1), None)
        if dup is None:
            return x, labels
        i = labels.index(dup)
        j = labels.index(dup, i + 1)
        rest = [k for k in range(len(labels)) if k not in (i, j)]
        x = matrix_diag_part(transpose(x, rest + [i, j]))
        labels = "".join(labels[k] for k in rest) + dup


def _sum_out(x, labels: str, keep: set):
    axes = [i for i, c in enumerate(labels) if c not in keep]
    if not axes:
        return x, labels
    return reduce_sum(x, axis=axes), "".join(c for c in labels if c in keep)


def _dims(x, labels: str, group: str):
    """The dims of `x` for the labels `group`, as a 1-D tensor (in the group's order)."""
    s = shape(x)
    return stack([s[labels.index(c)] for c in group]) if group else np.zeros(0, np.int32)


def _contract(a, la: str, b, lb: str, keep: set):
    """a (labels la) times b (labels lb) summed over the shared labels not in `keep`."""
    batch = "".join(c for c in la if c in lb and c in keep)
    summed = "".join(c for c in la if c in lb and c not in keep)
    free_a = "".join(c for c in la if c not in lb)
    free_b = "".join(c for c in lb if c not in la)
    a_t = transpose(a, [la.index(c) for c in batch + free_a + summed])
    b_t = transpose(b, [lb.index(c) for c in batch + summed + free_b])
    sizes = {c: _dims(a, la, c) for c in batch + free_a + summed}
    sizes.update({c: _dims(b, lb, c) for c in free_b})

    def prod(group):
        return reduce_prod(concat([sizes[c] for c in group], 0)) if group else np.int32(1)
    lead = [prod(batch)] if batch else []
    a_m = reshape(a_t, stack(lead + [prod(free_a), prod(summed)]))
    b_m = reshape(b_t, stack(lead + [prod(summed), prod(free_b)]))
    out = matmul(a_m, b_m)
    dims = [sizes[c] for c in batch + free_a + free_b]
    labels = batch + free_a + free_b
    return reshape(out, concat(dims, 0) if dims else np.zeros(0, np.int32)), labels


def einsum(equation, *inputs, **kwargs):
    """TF1 `tf.einsum(equation, *inputs)`: Einstein summation (`name=` accepted; see the
    module comment for what is supported)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"einsum() got an unexpected keyword argument {next(iter(kwargs))!r}")
    if not inputs:
        raise ValueError("einsum: at least one operand is required")
    g = graph_of(inputs)
    with g.as_default(), g.name_scope(name or "einsum") as scope:
        xs = [convert_to_tensor(x, name="x") for x in inputs]
        dtypes = {x.dtype for x in xs}
        if len(dtypes) > 1:
            raise TypeError(f"einsum: operands must have one dtype, got "
                            f"{sorted(d.name for d in dtypes)}")
        terms, out, ell = _parse(equation, [x.shape.ndims for x in xs])
        xs, terms = _broadcast(xs, terms, ell, equation)
        ops = []
        for k, (x, labels) in enumerate(zip(xs, terms)):
            x, labels = _take_diagonals(x, labels)
            later = set(out).union(*terms[:k], *terms[k + 1:])
            ops.append(_sum_out(x, labels, later))
        acc, labels = ops[0]
        for k, (x, lx) in enumerate(ops[1:], start=1):
            keep = set(out).union(*[t for _, t in ops[k + 1:]])
            acc, labels = _contract(acc, labels, x, lx, keep)
        acc, labels = _sum_out(acc, labels, set(out))
        perm = [labels.index(c) for c in out]
        if perm == list(range(len(perm))):
            return identity(acc, name=scope)
        return transpose(acc, perm, name=scope)


def tensordot(a, b, axes, name: Optional[str] = None):
    """TF1 `tf.tensordot`: the sum over the last `axes` axes of `a` and the first of `b`
    (an int), or over the axes listed for each (a pair of lists)."""
    g = graph_of((a, b))
    with g.as_default(), g.name_scope(name or "Tensordot") as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        ra, rb = a.shape.ndims, b.shape.ndims
        if ra is None or rb is None:
            raise ValueError("tensordot needs the ranks of both operands known when the "
                             "graph is built")
        if isinstance(axes, (int, np.integer)):
            if axes < 0:
                raise ValueError(f"'axes' must be at least 0, got {axes}")
            ax_a, ax_b = list(range(ra - axes, ra)), list(range(axes))
        else:
            ax_a, ax_b = axes
            ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
            ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
            if len(ax_a) != len(ax_b):
                raise ValueError(f"tensordot: axes {axes!r} name different numbers of axes")
        ax_a = [x % ra for x in ax_a]
        ax_b = [x % rb for x in ax_b]
        letters = iter(string.ascii_letters)
        la = [next(letters) for _ in range(ra)]
        lb = [next(letters) for _ in range(rb)]
        for i, j in zip(ax_a, ax_b):
            lb[j] = la[i]
        out = [c for k, c in enumerate(la) if k not in ax_a] + \
            [c for k, c in enumerate(lb) if k not in ax_b]
        return einsum(f"{''.join(la)},{''.join(lb)}->{''.join(out)}", a, b, name=scope)


from ..naming import name_builders  # noqa: E402

name_builders(globals())
