"""`tf.nn.nce_loss` and `tf.nn.sampled_softmax_loss`: TF1's compositions over a candidate
sampler (log-uniform by default), embedding lookups of the true and sampled classes'
weights and biases, and a sigmoid (NCE) or softmax cross-entropy over
[true logits, sampled logits], each logit minus the log of its expected count."""
from __future__ import annotations

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import candidate_sampling_ops as S, math_ops as M
from .ir.ops import matmul_ops as MM
from .ir.ops import reduce_ops as R
from .ir.ops import generator_ops as G
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_ops import concat, expand_dims, reshape, shape as shape_of, stack
from .ir.ops.core_ops import stop_gradient
from .ir.ops.slicing_ops import gather


def _rows(params, ids):
    """embedding_lookup over one tensor or the concatenation of a list of shards ('div'
    order), which is what both of TF1's partition strategies give for whole shards."""
    if isinstance(params, (list, tuple)):
        params = params[0] if len(params) == 1 else concat(list(params), 0)
    return gather(params, ids)


def _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes,
                            num_true, sampled_values, remove_accidental_hits, seed):
    """TF1's _compute_sampled_logits with subtract_log_q=True: (logits, labels) of shape
    [batch, num_true + num_sampled]."""
    if isinstance(weights, (list, tuple)) and len(weights) > 1:
        raise NotImplementedError("graphc's sampled losses take one weights tensor (a list of "
                                  "several partitions is not supported)")
    labels = convert_to_tensor(labels, dtype_hint=dt.int64, name="labels")
    if labels.dtype is not dt.int64:
        labels = M.cast(labels, dt.int64)
    inputs = convert_to_tensor(inputs, name="inputs")
    labels_flat = reshape(labels, [-1])
    if sampled_values is None:
        sampled_values = S.log_uniform_candidate_sampler(labels, num_true, num_sampled, True,
                                                         num_classes, seed=seed)
    sampled, true_expected, sampled_expected = (stop_gradient(s) for s in sampled_values)
    sampled = M.cast(sampled, dt.int64)
    n_true = shape_of(labels_flat)[0]
    all_ids = concat([labels_flat, sampled], 0)
    all_w = _rows(weights, all_ids)
    all_b = _rows(biases, all_ids)
    from .ir.ops.slicing_ops import slice as slice_
    true_w = slice_(all_w, [0, 0], stack([n_true, -1]))
    sampled_w = slice_(all_w, stack([n_true, 0]), [-1, -1])
    sampled_logits = MM.matmul(inputs, sampled_w, transpose_b=True)
    true_b = slice_(all_b, [0], stack([n_true]))
    sampled_b = slice_(all_b, stack([n_true]), [-1])
    dim = shape_of(true_w)[1:2]
    dots = M.multiply(expand_dims(inputs, 1), reshape(true_w, concat([[-1, num_true], dim], 0)))
    true_logits = reshape(R.reduce_sum(reshape(dots, concat([[-1], dim], 0)), 1),
                          [-1, num_true])
    true_logits = M.add(true_logits, reshape(true_b, [-1, num_true]))
    sampled_logits = M.add(sampled_logits, sampled_b)
    if remove_accidental_hits:
        from .ir.ops.array_grads import scatter_nd
        rows, ids, hit_weights = S.compute_accidental_hits(labels, sampled, num_true)
        where = concat([reshape(rows, [-1, 1]), reshape(M.cast(ids, dt.int32), [-1, 1])], 1)
        logits_shape = concat([shape_of(labels)[:1], [int(num_sampled)]], 0)
        sampled_logits = M.add(sampled_logits, scatter_nd(
            where, M.cast(hit_weights, sampled_logits.dtype), logits_shape))
    true_logits = M.subtract(true_logits, M.log(M.cast(true_expected, true_logits.dtype)))
    sampled_logits = M.subtract(sampled_logits,
                                M.log(M.cast(sampled_expected, sampled_logits.dtype)))
    out_logits = concat([true_logits, sampled_logits], 1)
    out_labels = concat([M.divide(G.ones_like(true_logits),
                                  M.cast(num_true, true_logits.dtype)),
                         G.zeros_like(sampled_logits)], 1)
    return out_logits, out_labels


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
             sampled_values=None, remove_accidental_hits=False, partition_strategy="mod",
             name="nce_loss"):
    """TF1 `tf.nn.nce_loss`: per example, the sum over true and sampled classes of the
    sigmoid cross-entropy of their logits (labels 1 / num_true and 0)."""
    from .ir.ops.nn_ops import sigmoid_cross_entropy_with_logits
    with get_default_graph().name_scope(name or "nce_loss"):
        logits, labels = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled,
                                                 num_classes, num_true, sampled_values,
                                                 remove_accidental_hits, None)
        losses = sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                   name="sampled_losses")
        return R.reduce_sum(losses, 1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes,
                         num_true=1, sampled_values=None, remove_accidental_hits=True,
                         partition_strategy="mod", name="sampled_softmax_loss", seed=None):
    """TF1 `tf.nn.sampled_softmax_loss`: per example, the softmax cross-entropy over the
    true and sampled classes' logits (accidental hits removed by default)."""
    from .ir.ops.nn_ops import softmax_cross_entropy_with_logits_v2
    with get_default_graph().name_scope(name or "sampled_softmax_loss"):
        logits, labels = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled,
                                                 num_classes, num_true, sampled_values,
                                                 remove_accidental_hits, seed)
        return softmax_cross_entropy_with_logits_v2(labels=stop_gradient(labels),
                                                    logits=logits)
