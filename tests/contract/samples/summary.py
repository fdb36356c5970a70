"""Contract samples for summary ops (serialized Summary protocol buffers)."""
import numpy as np

from graphc.ir.ops import core_ops, summary_ops

ph = core_ops.placeholder
R = np.random.RandomState(0)


def _scalar_f32():
    x = ph("float32", [])
    return summary_ops.scalar_summary("loss", x), {x: np.float32(1.5)}


def _scalar_int_shape1():
    x = ph("int32", [1])
    return summary_ops.scalar_summary("steps", x), {x: np.int32([7])}


def _histogram():
    x = ph("float32", [None, 3])
    return summary_ops.histogram_summary("w", x), {x: R.randn(4, 3).astype(np.float32)}


def _histogram_empty_and_ints():
    x = ph("int64", [None])
    return summary_ops.histogram_summary("ids", x), {x: np.zeros(0, np.int64)}


def _merge():
    x = ph("float32", [])
    a = summary_ops.scalar_summary("a", x)
    b = summary_ops.histogram_summary("b", x * 2.0)
    return summary_ops.merge_summary([a, b]), {x: np.float32(3.0)}


def _merge_one():
    x = ph("float64", [])
    return summary_ops.merge_summary([summary_ops.scalar_summary("a", x)]), {x: 2.0}


SAMPLES = {"ScalarSummary": [_scalar_f32, _scalar_int_shape1],
           "HistogramSummary": [_histogram, _histogram_empty_and_ints],
           "MergeSummary": [_merge, _merge_one]}
