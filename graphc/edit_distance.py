"""TF1 `tf.edit_distance` over the EditDistance op (graphc.ir.ops.edit_distance_ops)."""
from __future__ import annotations

from .ir.ops.edit_distance_ops import edit_distance_op
from .sparse_tensor import SparseTensor, SparseTensorValue, as_sparse


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """TF1 `tf.edit_distance`: the Levenshtein distance between the sequences (the last
    axis) of two SparseTensors, float32 of rank R-1; `normalize` divides by the length of
    the truth sequence."""
    for value, what in ((hypothesis, "Hypothesis"), (truth, "Truth")):
        if not isinstance(value, (SparseTensor, SparseTensorValue)):
            raise TypeError(f"{what} must be a SparseTensor.")
    h, t = as_sparse(hypothesis, "hypothesis"), as_sparse(truth, "truth")
    return edit_distance_op((h.indices, h.values, h.dense_shape),
                            (t.indices, t.values, t.dense_shape), normalize, name=name)
