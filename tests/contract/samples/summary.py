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


def _image_float():
    x = ph("float32", [None, 3, 4, 3])
    return summary_ops.image_summary("pics", x, 2), {x: R.randn(3, 3, 4, 3).astype(np.float32)}


def _image_uint8_grey():
    x = ph("uint8", [1, 2, 2, 1])
    return summary_ops.image_summary("g", x, 1), {x: np.uint8([[[[0], [9]], [[200], [255]]]])}


def _audio():
    x = ph("float32", [None, 20])
    return summary_ops.audio_summary("a", x, 8000.0), {x: R.uniform(-1, 1, (2, 20)).astype(
        np.float32)}


def _audio_stereo_one():
    x = ph("float32", [1, 12, 2])
    rate = ph("float32", [])
    return summary_ops.audio_summary("s", x, rate, max_outputs=1), {
        x: R.uniform(-1, 1, (1, 12, 2)).astype(np.float32), rate: np.float32(44100)}


def _tensor_text():
    x = ph("string", [2])
    return summary_ops.tensor_summary("t", x, "text"), {x: np.array([b"a", b"b"], object)}


def _tensor_int():
    x = ph("int64", [None, 2])
    return summary_ops.tensor_summary("n", x, description="ids"), {x: np.int64([[1, 2]])}


SAMPLES.update({"ImageSummary": [_image_float, _image_uint8_grey],
                "AudioSummaryV2": [_audio, _audio_stereo_one],
                "TensorSummaryV2": [_tensor_text, _tensor_int]})
