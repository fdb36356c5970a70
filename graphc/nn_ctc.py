"""`tf.nn.ctc_loss`, `ctc_greedy_decoder` and `ctc_beam_search_decoder` over the CTC ops
(graphc.ir.ops.ctc_ops): labels and decoded paths are SparseTensors, as in TF1."""
from __future__ import annotations

from .ir import dtypes as dt
from .ir.ops import math_ops as M
from .ir.ops._base import apply, convert_to_tensor
from .sparse_tensor import SparseTensor, SparseTensorValue


def _seq_len(sequence_length):
    t = convert_to_tensor(sequence_length, dtype_hint=dt.int32, name="sequence_length")
    return t if t.dtype is dt.int32 else M.cast(t, dt.int32)


def ctc_loss(labels, inputs=None, sequence_length=None, preprocess_collapse_repeated=False,
             ctc_merge_repeated=True, ignore_longer_outputs_than_inputs=False,
             time_major=True, logits=None):
    """TF1 `tf.nn.ctc_loss`: -log p(labels | inputs) per batch entry; labels is an int32
    SparseTensor, inputs [max_time, batch, classes] logits ([batch, max_time, classes]
    with time_major=False), the last class the blank."""
    if isinstance(labels, SparseTensorValue):   # graphc's SparseTensor of arrays
        labels = SparseTensor(*(convert_to_tensor(v) for v in labels))
    if not isinstance(labels, SparseTensor):
        raise TypeError("Expected labels (first argument) to be a SparseTensor")
    if (inputs is None) == (logits is None):
        raise ValueError("ctc_loss takes inputs (or its alias logits), exactly one of them")
    if sequence_length is None:
        raise TypeError("ctc_loss() missing required argument: 'sequence_length'")
    x = convert_to_tensor(inputs if logits is None else logits, name="inputs")
    if not time_major:
        from .ir.ops.array_ops import transpose
        x = transpose(x, [1, 0, 2])
    values = labels.values if labels.values.dtype is dt.int32 else M.cast(labels.values,
                                                                          dt.int32)
    loss, _ = apply("CTCLoss", (x, labels.indices, values, _seq_len(sequence_length)),
                    {"preprocess_collapse_repeated": bool(preprocess_collapse_repeated),
                     "ctc_merge_repeated": bool(ctc_merge_repeated),
                     "ignore_longer_outputs_than_inputs":
                         bool(ignore_longer_outputs_than_inputs)}, name="CTCLoss")
    return loss


def _move_blank(x, blank_index):
    """TF's blank_index: move class `blank_index` to the end (CTC's blank)."""
    from .ir.ops.array_ops import concat
    classes = x.shape.as_tuple()[-1] if x.shape.ndims else None
    if classes is None:
        raise ValueError("ctc_greedy_decoder(blank_index=...) needs a known number of classes")
    b = blank_index % classes
    return concat([x[:, :, :b], x[:, :, b + 1:], x[:, :, b:b + 1]], 2), b


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """TF1 `tf.nn.ctc_greedy_decoder`: ([SparseTensor of the best path], -(sum of the
    chosen logits) [batch, 1])."""
    x = convert_to_tensor(inputs, name="inputs")
    shift = None
    if blank_index is not None:
        x, shift = _move_blank(x, blank_index)
    idx, vals, shape, score = apply("CTCGreedyDecoder", (x, _seq_len(sequence_length)),
                                    {"merge_repeated": bool(merge_repeated)},
                                    name="CTCGreedyDecoder")
    if shift is not None:
        vals = M.where(M.greater_equal(vals, shift), M.add(vals, 1), vals)
    return [SparseTensor(idx, vals, shape)], score


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1,
                            merge_repeated=True):
    """TF1 `tf.nn.ctc_beam_search_decoder`: (top_paths SparseTensors, log probabilities
    [batch, top_paths])."""
    x = convert_to_tensor(inputs, name="inputs")
    outs = apply("CTCBeamSearchDecoder", (x, _seq_len(sequence_length)),
                 {"beam_width": int(beam_width), "top_paths": int(top_paths),
                  "merge_repeated": bool(merge_repeated)}, name="CTCBeamSearchDecoder")
    k = int(top_paths)
    decoded = [SparseTensor(outs[i], outs[k + i], outs[2 * k + i]) for i in range(k)]
    return decoded, outs[3 * k]


def ctc_beam_search_decoder_v2(inputs, sequence_length, beam_width=100, top_paths=1):
    """TF1 `tf.nn.ctc_beam_search_decoder_v2`: merge_repeated=False."""
    return ctc_beam_search_decoder(inputs, sequence_length, beam_width, top_paths,
                                   merge_repeated=False)


