"""Contract samples for the candidate samplers (random: dtype and shape checked, both
backends draw the same Philox numbers) and CTC (float64 CTCLoss samples feed the
central-difference gradient tests)."""
import numpy as np

from graphc.ir.ops import candidate_sampling_ops as S, core_ops, ctc_ops  # noqa: F401
from graphc.ir.ops._base import apply

R = np.random.RandomState(13)


def _classes(batch=3, num_true=2, top=20):
    t = core_ops.placeholder("int64", [batch, num_true])
    return t, {t: R.randint(0, top, (batch, num_true)).astype(np.int64)}


def _sampler(fn, unique, **kw):
    def build():
        t, feed = _classes()
        return list(fn(t, 2, 5, unique, 20, seed=3, **kw)), feed
    build.__name__ = f"{fn.__name__}_{'unique' if unique else 'with_replacement'}"
    return build


def _all(unique):
    def build():
        t, feed = _classes()
        return list(S.all_candidate_sampler(t, 2, 4, unique, seed=1)), feed
    build.__name__ = f"all_{unique}"
    return build


def _hits(num_true):
    def build():
        t, feed = _classes(2, num_true, 4)
        s = core_ops.placeholder("int64", [5])
        feed[s] = np.int64([0, 1, 2, 3, 9])
        return list(S.compute_accidental_hits(t, s, num_true)), feed
    build.__name__ = f"hits_{num_true}"
    return build


_UNIGRAMS = [5.0, 1, 0, 3, 2, 9, 1, 1, 4, 2, 2, 1, 7, 1, 3, 1, 1, 2, 6, 1]


def _ctc(dtype, merge, collapse):
    def build():
        x = core_ops.placeholder(dtype, [4, 2, 3])
        idx = core_ops.constant(np.int64([[0, 0], [0, 1], [1, 0]]))
        vals = core_ops.constant(np.int32([1, 1, 0]) if merge else np.int32([0, 1, 1]))
        seq = core_ops.constant(np.int32([4, 3]))
        out = apply("CTCLoss", (x, idx, vals, seq), {
            "preprocess_collapse_repeated": collapse, "ctc_merge_repeated": merge,
            "ignore_longer_outputs_than_inputs": False})
        return out[0], {x: R.randn(4, 2, 3).astype(dtype)}  # (no second derivative)
    build.__name__ = f"ctc_{dtype}_merge{merge}_collapse{collapse}"
    return build


def _decoder(op_type, **attrs):
    def build():
        x = core_ops.placeholder("float32", [5, 2, 4])
        seq = core_ops.constant(np.int32([5, 3]))
        return list(apply(op_type, (x, seq), attrs)), {x: R.randn(5, 2, 4).astype("float32")}
    build.__name__ = f"{op_type}_{'_'.join(f'{k}{v}' for k, v in attrs.items())}"
    return build


SAMPLES = {
    "UniformCandidateSampler": [_sampler(S.uniform_candidate_sampler, True),
                                _sampler(S.uniform_candidate_sampler, False)],
    "LogUniformCandidateSampler": [_sampler(S.log_uniform_candidate_sampler, True),
                                   _sampler(S.log_uniform_candidate_sampler, False)],
    "FixedUnigramCandidateSampler": [
        _sampler(S.fixed_unigram_candidate_sampler, True, unigrams=_UNIGRAMS),
        _sampler(S.fixed_unigram_candidate_sampler, False, unigrams=_UNIGRAMS[2:],
                 num_reserved_ids=2, distortion=0.75)],
    "AllCandidateSampler": [_all(True), _all(False)],
    "LearnedUnigramCandidateSampler": [_sampler(S.learned_unigram_candidate_sampler, True),
                                       _sampler(S.learned_unigram_candidate_sampler, False)],
    "ComputeAccidentalHits": [_hits(1), _hits(2)],
    "CTCLoss": [_ctc("float64", True, False), _ctc("float32", False, False),
                _ctc("float64", True, True)],
    "CTCGreedyDecoder": [_decoder("CTCGreedyDecoder", merge_repeated=True),
                         _decoder("CTCGreedyDecoder", merge_repeated=False)],
    "CTCBeamSearchDecoder": [_decoder("CTCBeamSearchDecoder", beam_width=4, top_paths=2,
                                      merge_repeated=True),
                             _decoder("CTCBeamSearchDecoder", beam_width=3, top_paths=1,
                                      merge_repeated=False)],
}
