"""`tf.nn.ctc_loss`, `ctc_greedy_decoder` and `ctc_beam_search_decoder` over the CTC ops
(graphc.ir.ops.ctc_ops): labels and decoded paths are SparseTensors, as in TF1; and
`ctc_loss_v2` (TF2's ctc_loss: dense or sparse labels, any blank_index) and
`ctc_unique_labels` over them."""
from __future__ import annotations

import numpy as np

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




def _classes(x) -> int:
    classes = x.shape.as_tuple()[-1] if x.shape.ndims == 3 else None
    if classes is None:
        raise ValueError(f"ctc_loss_v2: logits '{x.name}' must be 3-D with a known number "
                         f"of classes, got shape {x.shape}")
    return classes


def _blank_last(x, labels, blank_index: int):
    """TF's ctc_loss_v2 relabelling: class `blank_index` moved to the end of the logits,
    labels above it shifted down by one."""
    from .ir.ops.array_ops import concat
    if blank_index == _classes(x) - 1:
        return x, labels
    b = blank_index
    x = concat([x[:, :, :b], x[:, :, b + 1:], x[:, :, b:b + 1]], 2)
    values = M.where(M.less(labels.values, b), labels.values, M.subtract(labels.values, 1))
    return x, SparseTensor(labels.indices, values, labels.dense_shape)


def _dense_labels(labels, label_length):
    """[batch, max_label_length] labels, the first label_length[b] of row b -> a
    SparseTensor."""
    from .ir.ops.array_ops import shape as shape_of
    from .ir.ops.generator_ops import sequence_mask
    from .ir.ops.slicing_ops import gather_nd
    labels = convert_to_tensor(labels, name="labels")
    if labels.shape.ndims not in (None, 2):
        raise ValueError(f"ctc_loss_v2: dense labels '{labels.name}' must be [batch, "
                         f"max_label_length], got shape {labels.shape}")
    size = shape_of(labels)
    mask = sequence_mask(convert_to_tensor(label_length, name="label_length"), size[1])
    indices = M.where(mask)
    return SparseTensor(indices, gather_nd(labels, indices), M.cast(size, dt.int64))


def ctc_loss_v2(labels, logits, label_length, logit_length, logits_time_major=True,
                unique=None, blank_index=None, name=None):
    """TF1 `tf.nn.ctc_loss_v2` (TF2's ctc_loss): -log p(labels | logits) per sequence,
    labels dense [batch, max_label_length] with label_length (blank_index defaults to 0)
    or a SparseTensor (blank_index required). `unique` (ctc_unique_labels of the labels)
    only speeds up TF's dense computation; the loss is the same without it."""
    from .ir.context import get_default_graph
    with get_default_graph().name_scope(name or "ctc_loss_dense"):
        x = convert_to_tensor(logits, name="logits")
        if isinstance(labels, (SparseTensor, SparseTensorValue)):
            if blank_index is None:
                raise ValueError("Argument `blank_index` must be provided when labels is a "
                                 "SparseTensor.")
            sparse = labels if isinstance(labels, SparseTensor) else SparseTensor(
                *(convert_to_tensor(v) for v in labels))
        else:
            blank_index = 0 if blank_index is None else blank_index
            sparse = _dense_labels(labels, label_length)
        classes = _classes(x)
        blank = blank_index + classes if blank_index < 0 else blank_index
        if not 0 <= blank < classes:
            raise ValueError(f"ctc_loss_v2: blank_index {blank_index} is out of range for "
                             f"{classes} classes")
        if not logits_time_major:
            from .ir.ops.array_ops import transpose
            x = transpose(x, [1, 0, 2])
        x, sparse = _blank_last(x, sparse, blank)
        return ctc_loss(sparse, x, logit_length, time_major=True)


def ctc_unique_labels(labels, name=None):
    """TF1 `tf.nn.ctc_unique_labels`: per row of labels [batch, max_label_length], its
    unique labels in order of appearance (int64, zero padded to max_label_length) and the
    index of each label among them (int32), as TF's map_fn over tf.unique."""
    from .control_flow import map_fn
    from .ir.context import get_default_graph
    from .ir.ops.array_ops import shape as shape_of
    from .ir.ops.segment_ops import unique
    from .ir.ops.array_ops import concat, stack
    from .ir.ops.generator_ops import fill

    def _unique(row):
        y, idx = unique(row)
        extra = M.subtract(shape_of(idx)[0], shape_of(y)[0])
        zeros = fill(stack([extra]), np.int64(0))   # (TF pads y to the row's length)
        return [concat([M.cast(y, dt.int64), zeros], 0), idx]

    with get_default_graph().name_scope(name or "ctc_unique_labels"):
        labels = convert_to_tensor(labels, name="labels")
        return map_fn(_unique, labels, dtype=[dt.int64, dt.int32])
