"""Connectionist temporal classification, as TF1's CTC ops (the blank is the last class).

CTCLoss            (inputs [max_time, batch, classes] logits, labels as a SparseTensor's
                   indices and values, sequence_length [batch]) -> (loss [batch] = -log
                   p(labels | inputs), gradient [max_time, batch, classes] of the loss for
                   the logits); the forward-backward recursion in log space (Graves 2006,
                   TF1's ctc_loss_calculator: ctc_merge_repeated, preprocess_collapse_repeated,
                   ignore_longer_outputs_than_inputs)
CTCGreedyDecoder   the best class per step, repeats merged, blanks removed -> a SparseTensor
                   of int64 classes and -(sum of the chosen logits) per sequence
CTCBeamSearchDecoder  TF1's prefix beam search (log-sum-exp of the ways to reach a prefix)

CTCLoss' VJP scales its gradient output by the loss's incoming gradient (TF1's rule, which
refuses second derivatives); the decoders are non-differentiable. They run through their
numpy kernels on both backends (listed in the README).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, check_dtype, defop
from .math_ops import multiply
from .array_ops import reshape


def _log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def _lse(*values):
    return np.logaddexp.reduce(np.stack(values), axis=0)


def _batch_labels(indices, values, batch: int) -> list:
    rows = [[] for _ in range(batch)]
    order = np.lexsort((indices[:, 1], indices[:, 0])) if len(indices) else []
    for k in order:
        b = int(indices[k, 0])
        if not 0 <= b < batch:
            raise InvalidArgumentError(None, None, f"labels' batch index {b} is out of range "
                                       f"[0, {batch})")
        rows[b].append(int(values[k]))
    return rows


def _one_sequence(logp: np.ndarray, labels: list, blank: int, merge: bool):
    """(loss, gradient for the logits) of one sequence, logp [T, classes]."""
    t_len, classes = logp.shape
    ext = [blank]
    for c in labels:
        ext += [c, blank]
    s_len = len(ext)
    alpha = np.full((t_len, s_len), -np.inf)
    beta = np.full((t_len, s_len), -np.inf)
    alpha[0, 0] = logp[0, blank]
    if s_len > 1:
        alpha[0, 1] = logp[0, ext[1]]
    for t in range(1, t_len):
        for s in range(s_len):
            acc = [alpha[t - 1, s - 1]] if s > 0 else []
            if merge or ext[s] == blank:
                acc.append(alpha[t - 1, s])
            if s > 1 and ext[s] != blank and not (merge and ext[s] == ext[s - 2]):
                acc.append(alpha[t - 1, s - 2])
            if acc:
                alpha[t, s] = _lse(*acc) + logp[t, ext[s]]
    beta[-1, -1] = logp[-1, ext[-1]]
    if s_len > 1:
        beta[-1, -2] = logp[-1, ext[-2]]
    for t in range(t_len - 2, -1, -1):
        for s in range(s_len):
            acc = [beta[t + 1, s + 1]] if s + 1 < s_len else []
            if merge or ext[s] == blank:
                acc.append(beta[t + 1, s])
            if s + 2 < s_len and ext[s + 2] != blank and not (merge and ext[s] == ext[s + 2]):
                acc.append(beta[t + 1, s + 2])
            if acc:
                beta[t, s] = _lse(*acc) + logp[t, ext[s]]
    log_p = _lse(alpha[-1, -1], alpha[-1, -2]) if s_len > 1 else alpha[-1, -1]
    if not np.isfinite(log_p):
        return np.inf, np.zeros_like(logp)
    occupancy = np.full((t_len, classes), -np.inf)   # log sum of alpha * beta / y per class
    ab = alpha + beta
    for s, c in enumerate(ext):
        occupancy[:, c] = np.logaddexp(occupancy[:, c], ab[:, s] - logp[:, c])
    grad = np.exp(logp) - np.exp(occupancy - log_p)
    return -log_p, grad


def _collapse(labels: list) -> list:
    return [c for i, c in enumerate(labels) if i == 0 or c != labels[i - 1]]


def _ctc_loss(inputs, indices, values, seq_len, *, preprocess_collapse_repeated,
              ctc_merge_repeated, ignore_longer_outputs_than_inputs):
    if inputs.ndim != 3:
        raise InvalidArgumentError(None, None, f"inputs is not a 3-Tensor: {list(inputs.shape)}")
    t_max, batch, classes = inputs.shape
    if seq_len.shape != (batch,):
        raise InvalidArgumentError(None, None, f"len(sequence_length) != batch_size: "
                                   f"{seq_len.shape} vs {batch}")
    blank = classes - 1
    loss = np.zeros(batch, inputs.dtype)
    grad = np.zeros(inputs.shape, inputs.dtype)
    for b, labels in enumerate(_batch_labels(indices, values, batch)):
        n = int(seq_len[b])
        if not 0 <= n <= t_max:
            raise InvalidArgumentError(None, None, f"sequence_length({b}) <= {t_max}, got {n}")
        if any(not 0 <= c < blank for c in labels):
            raise InvalidArgumentError(None, None, f"Labels of batch {b} must be in "
                                       f"[0, {blank}) (the last class is the blank): {labels}")
        if preprocess_collapse_repeated:
            labels = _collapse(labels)
        repeats = sum(1 for i in range(1, len(labels)) if labels[i] == labels[i - 1])
        need = len(labels) + (repeats if ctc_merge_repeated else 0)
        if n < need or n == 0:
            if ignore_longer_outputs_than_inputs:
                continue
            raise InvalidArgumentError(None, None, f"Not enough time for target transition "
                                       f"sequence (required: {need}, available: {n}), batch {b}")
        logp = _log_softmax(inputs[:n, b].astype(np.float64))
        value, g = _one_sequence(logp, labels, blank, ctc_merge_repeated)
        loss[b] = value
        grad[:n, b] = g
    return loss, grad


def _time_major(op, inputs):
    """(dims, batch size) of time-major inputs [max_time, batch_size, num_classes]."""
    dims = inputs.shape.as_tuple()
    if dims is not None and len(dims) != 3:
        raise ValueError(f"{op.type} op '{op.name}': inputs '{inputs.name}' must be 3-D "
                         f"[max_time, batch_size, num_classes], got shape {inputs.shape}")
    return dims, (dims[1] if dims is not None else None)


def _ctc_infer(op):
    inputs, indices, values, seq_len = op.inputs
    check_dtype(op, inputs, (dt.float32, dt.float64), "inputs")
    check_dtype(op, indices, (dt.int64,), "labels_indices")
    check_dtype(op, values, (dt.int32,), "labels_values")
    check_dtype(op, seq_len, (dt.int32,), "sequence_length")
    dims, batch = _time_major(op, inputs)
    return [(inputs.dtype, TensorShape([batch])),
            (inputs.dtype, inputs.shape if dims is not None else TensorShape([None] * 3))]


def _ctc_vjp(op, grads):
    if grads[1] is not None:
        raise LookupError("Currently there is no way to take the second derivative of "
                          "ctc_loss due to the fused implementation's interaction with "
                          f"tf.gradients() (CTCLoss op '{op.name}')")
    if grads[0] is None:
        return [None] * 4
    return [multiply(op.outputs[1], reshape(grads[0], [1, -1, 1])), None, None, None]


defop("CTCLoss", _ctc_infer, _ctc_loss, _ctc_vjp, family="nn",
      sparse_grads=True)  # (an unused gradient output gets no zeros: its None says so)


# ---------------------------------------------------------------- decoders
def _decoder_infer(op):
    inputs, seq_len = op.inputs
    check_dtype(op, inputs, (dt.float32, dt.float64), "inputs")
    check_dtype(op, seq_len, (dt.int32,), "sequence_length")
    _, batch = _time_major(op, inputs)
    paths = op.attrs.get("top_paths", 1)
    sparse = []
    for _ in range(paths):
        sparse += [(dt.int64, TensorShape([None, 2]))]
    sparse += [(dt.int64, TensorShape([None]))] * paths + [(dt.int64, TensorShape([2]))] * paths
    return sparse + [(inputs.dtype, TensorShape([batch, paths]))]


def _check_lengths(inputs, seq_len):
    t_max, batch = inputs.shape[:2]
    if inputs.ndim != 3 or seq_len.shape != (batch,) or np.any(seq_len > t_max) or \
            np.any(seq_len < 0):
        raise InvalidArgumentError(None, None, f"sequence_length {list(seq_len)} must be "
                                   f"batch_size={batch} lengths <= max_time={t_max}")


def _sparse(paths: list, batch: int):
    """(indices, values, dense_shape) of one decoded path per batch entry."""
    idx = [[b, i] for b, p in enumerate(paths) for i in range(len(p))]
    vals = [c for p in paths for c in p]
    width = max((len(p) for p in paths), default=0)
    return (np.asarray(idx, np.int64).reshape(-1, 2), np.asarray(vals, np.int64),
            np.asarray([batch, width], np.int64))


def _greedy(inputs, seq_len, *, merge_repeated):
    _check_lengths(inputs, seq_len)
    batch, blank = inputs.shape[1], inputs.shape[2] - 1
    paths, scores = [], np.zeros((batch, 1), inputs.dtype)
    for b in range(batch):
        path, prev = [], -1
        for t in range(int(seq_len[b])):
            c = int(np.argmax(inputs[t, b]))
            scores[b, 0] -= inputs[t, b, c]
            if c != blank and not (merge_repeated and c == prev):
                path.append(c)
            prev = c
        paths.append(path)
    return (*_sparse(paths, batch), scores)


defop("CTCGreedyDecoder", _decoder_infer, _greedy, NON_DIFFERENTIABLE, family="nn")


def _beam(inputs, seq_len, *, beam_width, top_paths, merge_repeated):
    """Prefix beam search over log-softmax scores; each prefix keeps the log probability
    of ending in a blank and in its last label (TF1's CTCBeamSearchDecoder with the
    default scorer: a repeated label needs a blank between); merge_repeated merges
    repeats in the paths returned, as TF1's."""
    _check_lengths(inputs, seq_len)
    batch, classes = inputs.shape[1], inputs.shape[2]
    blank = classes - 1
    if top_paths > beam_width:
        raise InvalidArgumentError(None, None, f"top_paths ({top_paths}) must be <= "
                                   f"beam_width ({beam_width})")
    results = [[] for _ in range(top_paths)]
    scores = np.zeros((batch, top_paths), inputs.dtype)
    for b in range(batch):
        logp = _log_softmax(inputs[:int(seq_len[b]), b].astype(np.float64))
        beams = {(): (0.0, -np.inf)}   # prefix -> (log p ending in blank, in its label)
        for t in range(logp.shape[0]):
            nxt: dict = {}

            def add(prefix, pb, pl):
                ob, ol = nxt.get(prefix, (-np.inf, -np.inf))
                nxt[prefix] = (np.logaddexp(ob, pb), np.logaddexp(ol, pl))
            for prefix, (pb, pl) in beams.items():
                total = np.logaddexp(pb, pl)
                add(prefix, total + logp[t, blank], -np.inf)
                for c in range(classes - 1):
                    if prefix and prefix[-1] == c:
                        add(prefix, -np.inf, pl + logp[t, c])        # the label continues
                        add(prefix + (c,), -np.inf, pb + logp[t, c])  # a new one after blank
                    else:
                        add(prefix + (c,), -np.inf, total + logp[t, c])
            ranked = sorted(nxt.items(), key=lambda kv: -np.logaddexp(*kv[1]))
            beams = dict(ranked[:beam_width])
        ranked = sorted(beams.items(), key=lambda kv: -np.logaddexp(*kv[1]))
        for k in range(top_paths):
            prefix, (pb, pl) = ranked[k] if k < len(ranked) else ((), (-np.inf, -np.inf))
            path = list(prefix)
            if merge_repeated:  # TF1 merges repeats of the output path too
                path = _collapse(path)
            results[k].append(path)
            scores[b, k] = np.logaddexp(pb, pl)
    parts = [_sparse(paths, batch) for paths in results]
    return (*[p[0] for p in parts], *[p[1] for p in parts], *[p[2] for p in parts], scores)


defop("CTCBeamSearchDecoder", _decoder_infer, _beam, NON_DIFFERENTIABLE, family="nn")
