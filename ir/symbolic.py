"""Symbolic dims: the sizes a plan leaves to run time (DESIGN.md, "Decisions": Shapes).

A dim the user's graph leaves unknown (the batch of a `placeholder([None, 784])`) enters a
plan as a `Sym`, a polynomial over named symbols with integer coefficients ("b0", 784*b0,
b0*b1), so inference, the passes and the backend's emitters carry `b0 * 784` where they
would have carried 50176, and a kernel reads b0 at run time. A Sym supports what shape
arithmetic needs (+, -, *, exact // and %), compares equal to an equal polynomial, and
refuses everything whose answer depends on the value: `<`, `int()`, `bool()`, numpy
indices, and, inside ops' shape inference, `== 3` (is this the broadcast dim? the one
squeezed?). That refusal (SymbolicDimError, deliberately no ValueError/TypeError, so shape
checks do not swallow it) is how a plan finds out that some op cannot take a run-time
extent; the Session then compiles that plan per shape instead (correct, just slower).
Outside inference (the passes' and emitters' structural shape comparisons) a Sym is
unequal to every int: a symbolic dim is "any size", and code that only asks "is this
the same shape" stays right for every size. Broadcasting a dim against 1 is decided by
`shapes.broadcast_shapes` (it holds for every size).

`hint` is a nominal size the plan's heuristics assume (how many threads a kernel splits
across; the Session's NOMINAL_SIZE), never used for a result. `floors` are what a plan
knows of its symbols' smallest sizes (1 unless said: a fed 0 makes no symbol; 2 for a
plan compiled for every size but 1, when an op asks whether a dim is 1, as squeeze()
does): inside inference a question those bounds answer for every size (is b0 == 0? is
b0 > 1 when b0 >= 2?) is answered, and SymbolicDimError.floor says which floor would
have answered one that was not.
"""
from __future__ import annotations

import threading
from typing import Mapping, Optional, Union


class SymbolicDimError(Exception):
    """An operation needs the value of a dim that is known only at run time. `floor`: a
    smallest size of the symbols that would have answered the question (or 0);
    `symbols`: the symbols whose values it needs (the dims a plan can specialise, keeping
    the others symbolic: graphc/symbolic_plans.py)."""

    def __init__(self, message: str, floor: int = 0, symbols=()) -> None:
        super().__init__(message)
        self.floor = floor
        self.symbols = frozenset(symbols)


def symbols_of(*dims) -> frozenset:
    """The symbols the dims (ints, Syms, None) hold."""
    return frozenset(n for d in dims if isinstance(d, Sym) for n in d.symbols)


_local = threading.local()
COMPILING: list = []  # one entry per active `compiling` (any thread): inference checks it


class compiling:
    """Around the lowering of a plan and its passes: ops' shape inference, which runs
    inside `inferring`, must not decide anything about a symbolic dim's value."""

    def __enter__(self) -> None:
        COMPILING.append(self)

    def __exit__(self, *exc) -> None:
        COMPILING.remove(self)


class inferring:
    """Inside an op's shape inference (ir/registry.py, while a plan is compiling)."""

    def __enter__(self) -> None:
        self.previous = getattr(_local, "inferring", False)
        _local.inferring = True

    def __exit__(self, *exc) -> None:
        _local.inferring = self.previous


Dim = Union[int, "Sym"]


class Sym:
    """sum(coef * prod(symbols)) over monomials; immutable, hashable."""

    __slots__ = ("terms", "hint", "floors", "_hash")

    def __init__(self, terms: Mapping, hint: int, floors: Mapping = ()) -> None:
        self.terms = dict(terms)  # monomial (sorted tuple of names) -> int coefficient
        self.hint = hint
        self.floors = dict(floors)  # symbol -> its smallest size (1 when absent)
        self._hash = hash(frozenset(self.terms.items()))

    @staticmethod
    def symbol(name: str, hint: int, floor: int = 1) -> "Sym":
        return Sym({(name,): 1}, hint, {name: floor} if floor != 1 else ())

    def smallest(self) -> Optional[int]:
        """The smallest value for any sizes within the floors (None with a negative
        coefficient)."""
        if not self._nonnegative():
            return None
        total = 0
        for mono, coef in self.terms.items():
            for name in mono:
                coef *= self.floors.get(name, 1)
            total += coef
        return total

    @property
    def symbols(self) -> set:
        return {n for mono in self.terms for n in mono}

    def evaluate(self, env: Mapping) -> int:
        total = 0
        for mono, coef in self.terms.items():
            for name in mono:
                coef *= env[name]
            total += coef
        return total

    # -- arithmetic ----------------------------------------------------------------------
    def __add__(self, other):
        if not isinstance(other, (int, Sym)) or isinstance(other, bool):
            return NotImplemented
        terms = dict(self.terms)
        for mono, coef in _terms(other).items():
            terms[mono] = terms.get(mono, 0) + coef
        return _make(terms, self.hint + _hint(other), _floors(self, other))

    __radd__ = __add__

    def __neg__(self):
        return _make({m: -c for m, c in self.terms.items()}, -self.hint, self.floors)

    def __sub__(self, other):
        if not isinstance(other, (int, Sym)):
            return NotImplemented
        return self + (-other)

    def __rsub__(self, other):
        if not isinstance(other, int):
            return NotImplemented
        return (-self) + other

    def __mul__(self, other):
        if not isinstance(other, (int, Sym)) or isinstance(other, bool):
            return NotImplemented
        terms: dict = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in _terms(other).items():
                mono = tuple(sorted(m1 + m2))
                terms[mono] = terms.get(mono, 0) + c1 * c2
        return _make(terms, self.hint * _hint(other), _floors(self, other))

    __rmul__ = __mul__

    def __floordiv__(self, other):
        quotient = _divide(self, other)
        if quotient is None:
            raise SymbolicDimError(f"{self} // {other} is not exact for every size",
                                   symbols=symbols_of(self, other))
        return quotient

    def __rfloordiv__(self, other):
        raise SymbolicDimError(f"{other} // {self} depends on the run-time size",
                               symbols=symbols_of(self))

    def __mod__(self, other):
        if _divide(self, other) is None:
            raise SymbolicDimError(f"{self} % {other} depends on the run-time size",
                                   symbols=symbols_of(self, other))
        return 0

    def __truediv__(self, other):
        raise SymbolicDimError(f"{self} / {other} depends on the run-time size",
                               symbols=symbols_of(self, other))

    __rtruediv__ = __truediv__

    # -- comparisons -----------------------------------------------------------------------
    def __eq__(self, other):
        if isinstance(other, Sym):
            return self.terms == other.terms
        if isinstance(other, int) and not isinstance(other, bool):
            if getattr(_local, "inferring", False):  # (see the module doc)
                low = self.smallest()
                if low is not None and other < low:
                    return False
                raise SymbolicDimError(f"whether {self} == {other} depends on the run-time "
                                       "size", _floor_above(self, other), self.symbols)
            return False
        return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return self._hash

    def _nonnegative(self) -> bool:
        return all(c >= 0 for c in self.terms.values())

    def __lt__(self, other):
        low = self.smallest()
        if isinstance(other, int) and low is not None and other <= low:
            return False  # (sizes are at least their floors)
        raise SymbolicDimError(f"{self} < {other} depends on the run-time size",
                               _floor_above(self, other - 1) if isinstance(other, int) else 0,
                               symbols_of(self, other))

    def __ge__(self, other):
        return not self.__lt__(other)

    def __gt__(self, other):
        low = self.smallest()
        if isinstance(other, int) and low is not None and other < low:
            return True
        raise SymbolicDimError(f"{self} > {other} depends on the run-time size",
                               _floor_above(self, other) if isinstance(other, int) else 0,
                               symbols_of(self, other))

    def __le__(self, other):
        return not self.__gt__(other)

    def __bool__(self):
        raise SymbolicDimError(f"whether {self} is zero depends on the run-time size",
                               symbols=self.symbols)

    def __int__(self):
        raise SymbolicDimError(f"the dim {self} is known only at run time",
                               symbols=self.symbols)

    __index__ = __float__ = __int__

    def __str__(self) -> str:
        # Never a valid LLVM constant: a Sym baked into IR fails to parse (and the plan
        # falls back to per-shape compilation) instead of computing with a wrong size.
        parts = []
        for mono, coef in sorted(self.terms.items()):
            names = "*".join(mono)
            parts.append(names if coef == 1 and names else
                         f"{coef}*{names}" if names else str(coef))
        return "?" + "+".join(parts)

    __repr__ = __str__

    def __format__(self, spec) -> str:
        return str(self)


def _terms(x) -> dict:
    return x.terms if isinstance(x, Sym) else ({(): x} if x else {})


def _hint(x) -> int:
    return x.hint if isinstance(x, Sym) else x


def _floors(a: "Sym", b) -> dict:
    if not isinstance(b, Sym) or not b.floors:
        return a.floors
    return {**a.floors, **b.floors}


def _floor_above(x: "Sym", n: int) -> int:
    """The floor of x's symbols that would make every value of the one-symbol `x` exceed
    n (for SymbolicDimError.floor), or 0."""
    if len(x.terms) != 1 or not x._nonnegative() or not isinstance(n, int) or n < 1:
        return 0
    (mono, coef), = x.terms.items()
    if len(mono) != 1 or coef < 1:
        return 0
    return n // coef + 1 if n // coef + 1 <= 2 else 0  # (only "every size but 1" is tried)


def _make(terms: dict, hint: int, floors: Mapping = ()):
    terms = {m: c for m, c in terms.items() if c}
    if not terms:
        return 0
    if list(terms) == [()]:
        return terms[()]
    names = {n for mono in terms for n in mono}
    return Sym(terms, hint, {n: f for n, f in dict(floors).items() if n in names})


def _divide(num: Sym, den):
    """num / den when exact as polynomials (den an int or a one-term Sym), else None."""
    if isinstance(den, bool) or not isinstance(den, (int, Sym)) or \
            isinstance(den, int) and den == 0:
        return None
    if isinstance(den, int):
        if any(c % den for c in num.terms.values()):
            return None
        return _make({m: c // den for m, c in num.terms.items()}, num.hint // den,
                     num.floors)
    if len(den.terms) != 1:
        return None
    (dmono, dcoef), = den.terms.items()
    terms = {}
    for mono, coef in num.terms.items():
        rest = list(mono)
        for name in dmono:
            if name not in rest:
                return None
            rest.remove(name)
        if coef % dcoef:
            return None
        terms[tuple(rest)] = coef // dcoef
    return _make(terms, num.hint // max(den.hint, 1), num.floors)


def is_symbolic(x) -> bool:
    return isinstance(x, Sym)


def has_symbolic(dims) -> bool:
    """Some dim of the tuple `dims` (None: unknown rank) is symbolic."""
    return dims is not None and any(isinstance(d, Sym) for d in dims)


def evaluate(x, env: Mapping) -> int:
    return x.evaluate(env) if isinstance(x, Sym) else x


def evaluate_shape(dims, env: Mapping) -> tuple:
    return tuple(d.evaluate(env) if isinstance(d, Sym) else d for d in dims)


def hint_of(x) -> int:
    """The compile-time size of `x` (for heuristics only)."""
    return x.hint if isinstance(x, Sym) else x


def product(dims) -> Dim:
    """The product of `dims` (ints or Syms; 1 for none)."""
    n = 1
    for d in dims:
        n = n * d
    return n
