"""`tf.data.experimental` (TF 1.13+; `tf.contrib.data` before): the fused
transformations TF1 programs apply with `dataset.apply(...)`, as compositions of the
ordinary ones (same elements and order)."""
from __future__ import annotations

from typing import Optional

from .dataset import AUTOTUNE  # noqa: F401  (tf.data.experimental.AUTOTUNE)
from .iterator import get_output_classes, get_output_shapes, get_output_types  # noqa: F401


def shuffle_and_repeat(buffer_size, count=None, seed: Optional[int] = None):
    """shuffle (a new order per epoch) then repeat `count` times."""
    return lambda ds: ds.shuffle(buffer_size, seed=seed).repeat(count)


def map_and_batch(map_func, batch_size, num_parallel_batches=None,
                  drop_remainder: bool = False, num_parallel_calls=None):
    """map then batch."""
    return lambda ds: ds.map(map_func, num_parallel_calls).batch(batch_size, drop_remainder)


def parallel_interleave(map_func, cycle_length, block_length: int = 1, sloppy: bool = False,
                        buffer_output_elements=None, prefetch_input_elements=None):
    """interleave in TF's deterministic order (`sloppy` only allows another order)."""
    return lambda ds: ds.interleave(map_func, cycle_length, block_length)


def unbatch():
    return lambda ds: ds.unbatch()

