"""tf.random.Generator, Algorithm, create_rng_state and the global generator, in graph mode.

A Generator holds its state in a non-trainable int64 variable of shape [3] (TF's Philox
state: counter low word, counter high word, key), created in the default graph and
initialized with the other variables (`tf.global_variables_initializer()`, or
`sess.run(gen.state.initializer)`). Each sampling call adds ops that advance the counter
by one (an AssignAdd) and draw from graphc's stateless ops with the advanced state as
their seed ([key, counter], folded to Philox's 32-bit key words), so every run of such an
op draws new numbers, runs are reproducible from the seed (`from_seed`) on both backends,
and two Generators with one seed give one sequence. The bits are not TF's: TF advances
the counter by the numbers drawn and uses them as Philox counters; only Philox exists
(THREEFRY is refused). `split(n)` makes n Generators whose keys derive from this one's
stream; `get_global_generator()` is one Generator per graph, from a nondeterministic seed
unless `set_global_generator` replaced it.
"""
from __future__ import annotations

import enum
import secrets
import weakref
from typing import Optional

import numpy as np

from .ir import dtypes as _dt
from .ir.context import get_default_graph
from .ir.ops import random_dist_ops as _dist
from .ir.ops import random_stateless_ops as _stateless
from .ir.ops.array_ops import stack
from .ir import philox
from .ir.ops.bitwise_ops import bitwise_xor, right_shift
from .variables import Variable

__all__ = ["Algorithm", "Generator", "create_rng_state", "get_global_generator",
           "set_global_generator"]

_STATE_SIZE = 3
_MASK64 = (1 << 64) - 1


class Algorithm(enum.Enum):
    """TF's RNG algorithms (graphc implements PHILOX; AUTO_SELECT means it)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _alg(alg) -> Algorithm:
    if alg is None:
        return Algorithm.PHILOX
    if isinstance(alg, Algorithm):
        found = alg
    elif isinstance(alg, str):
        try:
            found = Algorithm[alg.upper()]
        except KeyError:
            raise ValueError(f"unknown RNG algorithm {alg!r}") from None
    else:
        try:
            found = Algorithm(int(alg))
        except ValueError:
            raise ValueError(f"unknown RNG algorithm {alg!r}") from None
    if found is Algorithm.THREEFRY:
        raise ValueError("graphc's random numbers are Philox's: Algorithm.THREEFRY is not "
                         "supported")
    return Algorithm.PHILOX


def create_rng_state(seed, alg) -> np.ndarray:
    """TF `tf.random.create_rng_state(seed, alg)`: the int64 [3] Philox state of a seed
    (an int split into 64-bit words, low first, or a list of words, zero-padded)."""
    _alg(alg)
    if isinstance(seed, (int, np.integer)):
        words, seed = [], int(seed)
        for _ in range(_STATE_SIZE):
            words.append(seed & _MASK64)
            seed >>= 64
        seed = words
    arr = np.asarray(seed, dtype=object).reshape(-1)[:_STATE_SIZE]
    words = [int(w) & _MASK64 for w in arr] + [0] * (_STATE_SIZE - arr.size)
    return np.array(words, dtype=np.uint64).view(np.int64)


class Generator:
    """TF `tf.random.Generator` in graph mode (see the module comment)."""

    def __init__(self, copy_from=None, state=None, alg=None) -> None:
        self._splits = 0
        self._last = None     # the latest counter step (see skip)
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("copy_from excludes state and alg")
            initial, self._alg = copy_from._initial, copy_from._alg
        else:
            if state is None:
                raise ValueError("Generator needs copy_from or state (or use from_seed, "
                                 "from_state, from_non_deterministic_state)")
            self._alg = _alg(alg)
            initial = np.asarray(state, np.int64).reshape(-1)
            if initial.shape != (_STATE_SIZE,):
                raise ValueError(f"a Philox state has {_STATE_SIZE} int64 words, got shape "
                                 f"{list(initial.shape)}")
        self._initial = initial
        self._state = Variable(initial, trainable=False, dtype=_dt.int64,
                               name="StatefulRNG_state")

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_state(cls, state, alg) -> "Generator":
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None) -> "Generator":
        return cls(state=create_rng_state(seed, _alg(alg)), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        return cls.from_seed(secrets.randbits(64 * _STATE_SIZE), alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg) -> "Generator":
        counter = list(np.asarray(counter, np.int64).reshape(-1))
        return cls(state=counter[:2] + [0] * (2 - len(counter[:2])) + [int(key)], alg=alg)

    # ---------------------------------------------------------------- state
    @property
    def state(self) -> Variable:
        return self._state

    @property
    def algorithm(self) -> int:
        return self._alg.value

    @property
    def key(self):
        return self._state.value()[2]

    def reset(self, state):
        return self._state.assign(np.asarray(state, np.int64).reshape(_STATE_SIZE))

    def reset_from_seed(self, seed):
        return self.reset(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter):
        counter = list(np.asarray(counter, np.int64).reshape(-1))
        return self.reset(counter[:2] + [0] * (2 - len(counter[:2])) + [int(key)])

    def skip(self, delta):
        """Advance the counter by `delta` (an op; its value is the new state). Each step
        runs after the Generator's previous one (a control dependency), so the calls of
        one run take the counter's values in the order they were made, on every backend."""
        graph = get_default_graph()
        last = self._last if self._last is not None and self._last.graph is graph else None
        with graph.control_dependencies([last] if last is not None else []):
            step = self._state.assign_add(np.array([int(delta), 0, 0], np.int64))
        self._last = step.op
        return step

    def _seed(self):
        """A [2] seed from the state after one counter step (an op per call): the key's
        and the counter's 64 bits folded to the 32 of Philox's key words."""
        state = self.skip(1)

        def fold(word):
            return bitwise_xor(word, right_shift(word, np.int64(32)))
        return stack([fold(state[2]), bitwise_xor(fold(state[0]), state[1])])

    # ---------------------------------------------------------------- samplers
    def normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None):
        return _dist.stateless_random_normal(shape, self._seed(), mean, stddev, dtype,
                                             name=name or "stateful_normal")

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None):
        return _dist.stateless_truncated_normal(shape, self._seed(), mean, stddev, dtype,
                                                name=name or "stateful_truncated_normal")

    def uniform(self, shape, minval=0, maxval=None, dtype=_dt.float32, name=None):
        return _dist.stateless_random_uniform(shape, self._seed(), minval, maxval, dtype,
                                              name=name or "stateful_uniform")

    def uniform_full_int(self, shape, dtype=_dt.int64, name=None):
        """Integers over dtype's whole range (int32 or int64: graphc has no uint64, TF's
        default)."""
        return _stateless.stateless_random_uniform_full_int(
            shape, self._seed(), dtype, name=name or "stateful_uniform_full_int")

    def binomial(self, shape, counts, probs, dtype=_dt.int32, name=None):
        return _stateless.stateless_binomial(shape, self._seed(), counts, probs, dtype,
                                             name=name or "stateful_binomial")

    def make_seeds(self, count=1):
        """A [2, count] int64 tensor of seeds for the stateless ops."""
        return self.uniform_full_int([2, count], _dt.int64, name="make_seeds")

    def split(self, count=1) -> list:
        """`count` new Generators with independent keys: Philox words of this one's
        initial state and the number of earlier splits (fixed when the graph is built;
        copy_from and split take the initial state, not the current one)."""
        key = self._initial.view(np.uint64)
        gens = []
        for _ in range(count):
            self._splits += 1
            words = philox.random_words(6, int(key[2]) ^ int(key[0]), int(key[2] >> 32),
                                        self._splits).astype(np.uint64)
            state = (words[0::2] << np.uint64(32)) | words[1::2]
            gens.append(Generator(state=state.view(np.int64), alg=self._alg))
        return gens


_GLOBAL: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def get_global_generator() -> Generator:
    """TF `tf.random.get_global_generator()`: the default graph's Generator (created on
    first use from a nondeterministic state)."""
    graph = get_default_graph().outermost
    gen: Optional[Generator] = _GLOBAL.get(graph)
    if gen is None:
        with graph.as_default():
            gen = Generator.from_non_deterministic_state()
        _GLOBAL[graph] = gen
    return gen


def set_global_generator(generator: Generator) -> None:
    """TF `tf.random.set_global_generator(generator)`: the default graph's Generator."""
    if not isinstance(generator, Generator):
        raise TypeError(f"set_global_generator needs a tf.random.Generator, got "
                        f"{type(generator).__name__}")
    _GLOBAL[get_default_graph().outermost] = generator
