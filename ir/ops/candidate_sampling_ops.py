"""Candidate samplers for sampled losses (nce_loss, sampled_softmax_loss), as TF1's.

UniformCandidateSampler        P(c) = 1 / range_max
LogUniformCandidateSampler     P(c) = log((c + 2) / (c + 1)) / log(range_max + 1) (Zipf)
FixedUnigramCandidateSampler   P(c) proportional to unigrams[c] ** distortion (reserved ids
                               first, then the shard's ids)
LearnedUnigramCandidateSampler P(c) proportional to 1 + the times c was a true class in the
                               Session's earlier runs of the op (TF1's: counts start at 1,
                               each run adds its true classes after sampling)
AllCandidateSampler            the classes 0 .. num_sampled - 1, each expected once
ComputeAccidentalHits          where a sampled candidate equals one of its row's true classes

Each sampler returns (sampled_candidates int64 [num_sampled], true_expected_count float32
[batch, num_true], sampled_expected_count float32 [num_sampled]). With `unique`, draws are
repeated until num_sampled distinct classes are found and the expected counts are TF1's
1 - (1 - p) ** tries; otherwise p * num_sampled. Draws come from the Philox generator
(`ir.philox`) keyed by the op's seeds, so both backends give the same candidates. The
samplers are random (impure) and, like TF1's, have no gradient.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import philox
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop
from .random_ops import get_seed
from .math_ops import cast


def _probabilities(kind: str, range_max: int, attrs) -> np.ndarray:
    c = np.arange(range_max, dtype=np.float64)
    if kind == "uniform":
        return np.full(range_max, 1.0 / range_max)
    if kind == "log_uniform":
        return (np.log(c + 2) - np.log(c + 1)) / np.log(range_max + 1)
    if kind == "all":
        return np.ones(range_max)
    weights = np.asarray(attrs["unigrams"], np.float64) ** attrs["distortion"]
    weights = np.concatenate([np.zeros(attrs["num_reserved_ids"]), weights])
    ids = np.arange(weights.size)
    weights = np.where(ids % attrs["num_shards"] == attrs["shard"], weights, 0.0)
    if weights.size != range_max:
        raise InvalidArgumentError(None, None, f"range_max {range_max} does not match the "
                                   f"{weights.size} reserved ids and unigrams")
    return weights / weights.sum()


def _draw(kind: str, u: np.ndarray, p: np.ndarray, range_max: int) -> np.ndarray:
    """Classes for uniform numbers u in [0, 1)."""
    if kind == "uniform":
        return np.minimum((u * range_max).astype(np.int64), range_max - 1)
    if kind == "log_uniform":  # TF1: exp(u * log(range_max + 1)) - 1, as an int
        return np.minimum((np.exp(u * np.log(range_max + 1)) - 1).astype(np.int64),
                          range_max - 1)
    return np.minimum(np.searchsorted(np.cumsum(p), u, side="right"), range_max - 1)


def _expected(p: np.ndarray, tries: int, num_sampled: int, unique: bool) -> np.ndarray:
    if unique and tries != num_sampled:
        return -np.expm1(tries * np.log1p(-np.minimum(p, 1 - 1e-16)))
    return p * num_sampled


def _sampler(kind: str):
    def compute(ctx, true_classes, *, num_true, num_sampled, unique, range_max, seed,
                seed2, **extra):
        if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
            raise InvalidArgumentError(None, None, f"true_classes must be a matrix with "
                                       f"num_true={num_true} columns, got shape "
                                       f"{list(true_classes.shape)}")
        if unique and num_sampled > range_max:
            raise InvalidArgumentError(None, None, f"Sampler's range is too small: "
                                       f"num_sampled {num_sampled} > range_max {range_max}")
        call = ctx.next_random_call()
        counts = None
        if kind == "learned":   # the Session's counts of this op's true classes so far
            counts = ctx.resource(f"learned_unigram:{ctx.op.name}",
                                  lambda: np.ones(range_max, np.float64))
            p = counts / counts.sum()
        else:
            p = _probabilities(kind, range_max, extra)
        if kind == "all":
            sampled = np.arange(num_sampled, dtype=np.int64)
            expected_true = np.ones(true_classes.shape, np.float32)
            return sampled, expected_true, np.ones(num_sampled, np.float32)
        found: list = []
        seen: set = set()
        tries, block = 0, 0
        while len(found) < num_sampled:
            u = philox.uniform(max(4 * num_sampled, 64), np.float64, seed, seed2,
                               call + (block << 40))
            block += 1
            for c in _draw(kind, u, p, range_max):
                if len(found) == num_sampled:
                    break
                tries += 1
                if unique and int(c) in seen:
                    continue
                seen.add(int(c))
                found.append(int(c))
            if block > 10_000:
                raise InvalidArgumentError(None, None, "the candidate sampler found too few "
                                           "distinct classes with non-zero probability")
        sampled = np.asarray(found, np.int64)
        idx = np.clip(true_classes.astype(np.int64), 0, range_max - 1)
        if counts is not None:
            expected = (_expected(p[idx], tries, num_sampled, unique).astype(np.float32),
                        _expected(p[sampled], tries, num_sampled, unique).astype(np.float32))
            np.add.at(counts, idx.reshape(-1), 1.0)
            return (sampled, *expected)
        return (sampled, _expected(p[idx], tries, num_sampled, unique).astype(np.float32),
                _expected(p[sampled], tries, num_sampled, unique).astype(np.float32))
    return compute


def _sampler_infer(op):
    t = op.inputs[0]
    check_dtype(op, t, (dt.int64,), "true_classes")
    dims = t.shape.as_tuple()
    n = op.attrs["num_sampled"]
    if dims is not None and (len(dims) != 2 or dims[1] not in (None, op.attrs["num_true"])):
        raise ValueError(f"{op.type} op '{op.name}': true_classes '{t.name}' must be "
                         f"[batch_size, num_true={op.attrs['num_true']}], got shape {t.shape}")
    batch = dims[0] if dims is not None else None
    return [(dt.int64, TensorShape([n])),
            (dt.float32, TensorShape([batch, op.attrs["num_true"]])),
            (dt.float32, TensorShape([n]))]


_KINDS = {"UniformCandidateSampler": "uniform", "LogUniformCandidateSampler": "log_uniform",
          "FixedUnigramCandidateSampler": "fixed", "AllCandidateSampler": "all",
          "LearnedUnigramCandidateSampler": "learned"}
for _op, _kind in _KINDS.items():
    defop(_op, _sampler_infer, _sampler(_kind), NON_DIFFERENTIABLE, pure=False,
          needs_context=True, family="random")


def _hits_infer(op):
    true_classes, sampled = op.inputs
    check_dtype(op, true_classes, (dt.int64,), "true_classes")
    check_dtype(op, sampled, (dt.int64,), "sampled_candidates")
    return [(dt.int32, TensorShape([None])), (dt.int64, TensorShape([None])),
            (dt.float32, TensorShape([None]))]


def _hits(true_classes, sampled, *, num_true):
    rows, cols = [], []
    for i, row in enumerate(true_classes):
        for j, s in enumerate(sampled):
            if s in row:
                rows.append(i)
                cols.append(j)
    return (np.asarray(rows, np.int32), np.asarray(cols, np.int64),
            np.full(len(rows), -np.finfo(np.float32).max, np.float32))


defop("ComputeAccidentalHits", _hits_infer, _hits, NON_DIFFERENTIABLE, family="array")


# ---------------------------------------------------------------- builders (TF1 names)
def _run_sampler(op_type: str, true_classes, num_true, num_sampled, unique, range_max, seed,
                 name, **extra):
    t = convert_to_tensor(true_classes, dtype_hint=dt.int64, name="true_classes")
    if t.dtype is not dt.int64:
        t = cast(t, dt.int64)
    s1, s2 = get_seed(seed)
    attrs = {"num_true": int(num_true), "num_sampled": int(num_sampled),
             "unique": bool(unique), "range_max": int(range_max), "seed": s1, "seed2": s2,
             **extra}
    return tuple(apply(op_type, (t,), attrs, name=name or op_type))


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                              seed=None, name: Optional[str] = None):
    """TF1 `tf.nn.uniform_candidate_sampler`."""
    return _run_sampler("UniformCandidateSampler", true_classes, num_true, num_sampled,
                        unique, range_max, seed, name)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name: Optional[str] = None):
    """TF1 `tf.nn.log_uniform_candidate_sampler` (Zipf: class ids sorted by frequency)."""
    return _run_sampler("LogUniformCandidateSampler", true_classes, num_true, num_sampled,
                        unique, range_max, seed, name)


def learned_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                      seed=None, name: Optional[str] = None):
    """TF1 `tf.nn.learned_unigram_candidate_sampler`: the classes' frequencies among the
    true classes this op has seen in the Session (each count starts at 1)."""
    return _run_sampler("LearnedUnigramCandidateSampler", true_classes, num_true,
                        num_sampled, unique, range_max, seed, name)


def _read_vocab(vocab_file: str) -> list:
    """Counts from the last comma-separated field of each line (TF1's vocab_file)."""
    with open(vocab_file) as f:
        return [float(line.rsplit(",", 1)[-1]) for line in f if line.strip()]


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                    vocab_file="", distortion=1.0, num_reserved_ids=0,
                                    num_shards=1, shard=0, unigrams=(), seed=None,
                                    name: Optional[str] = None):
    """TF1 `tf.nn.fixed_unigram_candidate_sampler`: counts from `unigrams` or `vocab_file`,
    raised to `distortion`, after `num_reserved_ids` ids of probability 0."""
    counts = list(unigrams) if not vocab_file else _read_vocab(vocab_file)
    if not counts:
        raise ValueError("fixed_unigram_candidate_sampler needs unigrams or a vocab_file")
    if len(counts) + int(num_reserved_ids) != int(range_max):
        raise ValueError(f"fixed_unigram_candidate_sampler: {len(counts)} unigrams and "
                         f"{num_reserved_ids} reserved ids do not make range_max {range_max}")
    if not 0 <= int(shard) < int(num_shards):
        raise ValueError(f"shard {shard} must be in [0, num_shards={num_shards})")
    return _run_sampler("FixedUnigramCandidateSampler", true_classes, num_true, num_sampled,
                        unique, range_max, seed, name, unigrams=[float(c) for c in counts],
                        distortion=float(distortion), num_reserved_ids=int(num_reserved_ids),
                        num_shards=int(num_shards), shard=int(shard))


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None,
                          name: Optional[str] = None):
    """TF1 `tf.nn.all_candidate_sampler`: the classes 0 .. num_sampled - 1."""
    return _run_sampler("AllCandidateSampler", true_classes, num_true, num_sampled, unique,
                        num_sampled, seed, name)


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None,
                            name: Optional[str] = None):
    """TF1 `tf.nn.compute_accidental_hits`: (row indices, candidate positions, weights
    of -FLT_MAX) for every sampled candidate equal to one of its row's true classes."""
    t = convert_to_tensor(true_classes, dtype=dt.int64, name="true_classes")
    s = convert_to_tensor(sampled_candidates, dtype=dt.int64, name="sampled_candidates")
    return tuple(apply("ComputeAccidentalHits", (t, s), {"num_true": int(num_true)},
                       name=name or "ComputeAccidentalHits"))
