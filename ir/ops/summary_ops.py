"""Summary ops: their value is a serialized `Summary` protocol buffer (a string scalar),
exactly what TF1's summary ops return, so `sess.run(merged)` feeds
`FileWriter.add_summary` and TensorBoard reads the result.

ScalarSummary(value) {tag}       one Summary.Value with simple_value
HistogramSummary(values) {tag}   one Summary.Value with a HistogramProto (TF1's bucket
                                 edges: 1e-12 * 1.1^k on both sides of zero)
MergeSummary(s1, s2, ...)        the union: Summary has only a repeated field, so the
                                 serialized messages concatenate
ImageSummary(images) {tag, max_images}
                                 up to max_images Summary.Values with a PNG each
                                 (`tag/image/i`; `tag/image` when max_images is 1); float
                                 images are scaled to uint8 one image at a time as TF1 does
AudioSummaryV2(audio, sample_rate) {tag, max_outputs}
                                 up to max_outputs 16-bit PCM WAV clips (`tag/audio/i`)
TensorSummaryV2(tensor) {tag, plugin_name, display_name, description}
                                 the tensor itself as a TensorProto, with SummaryMetadata
                                 (`tf.summary.text` is one with plugin_name "text")
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import proto
from ..media import encode_png, encode_wav
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ..tensor_proto import TF_TYPES, encode as tensor_proto  # noqa: F401  (graphc/summary.py)
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop

_NUMERIC = dt.FLOATS + (dt.int8, dt.int16, dt.int32, dt.int64, dt.uint8, dt.bool_)


def _scalar_bytes(tag: str, value: float) -> bytes:
    return proto.message((1, "bytes", proto.message((1, "bytes", tag),
                                                     (2, "float", value))))


def _scalar_infer(op):
    check_dtype(op, op.inputs[0], _NUMERIC)
    shape = op.inputs[0].shape
    if shape.ndims is not None and shape.num_elements() not in (None, 1):
        raise ValueError(f"tags and values not the same shape: a scalar summary needs one "
                         f"value, '{op.inputs[0].name}' has shape {shape}")
    return [(dt.string, TensorShape([]))]


def _scalar_compute(value, *, tag):
    if value.size != 1:
        raise InvalidArgumentError(None, None, f"tags and values not the same shape: [] != "
                                   f"{list(value.shape)} (tag '{tag}')")
    return np.array(_scalar_bytes(tag, float(value.reshape(-1)[0])), dtype=object)


def _default_edges() -> np.ndarray:
    positive = []
    v = 1e-12
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    positive.append(np.finfo(np.float64).max)
    pos = np.array(positive)
    return np.concatenate([-pos[::-1], [0.0], pos])


EDGES = _default_edges()


def histogram_bytes(tag: str, values: np.ndarray) -> bytes:
    """A Summary with one HistogramProto over TF1's default buckets (empty ones dropped
    at both ends)."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if v.size and not np.all(np.isfinite(v)):
        raise InvalidArgumentError(None, None, f"Nan in summary histogram for: {tag}")
    if v.size == 0:
        limits, counts = [np.finfo(np.float64).max], [0.0]
        lo = hi = 0.0
    else:
        idx = np.searchsorted(EDGES, v, side="left")  # bucket i covers (edge[i-1], edge[i]]
        counts_all = np.bincount(idx, minlength=len(EDGES)).astype(np.float64)
        first, last = int(idx.min()), int(idx.max())
        limits, counts = EDGES[first:last + 1], counts_all[first:last + 1]
        lo, hi = float(v.min()), float(v.max())
    histo = proto.message((1, "double", lo), (2, "double", hi), (3, "double", float(v.size)),
                          (4, "double", float(v.sum())),
                          (5, "double", float(np.dot(v, v))),
                          (6, "packed_double", list(limits)), (7, "packed_double", list(counts)))
    return proto.message((1, "bytes", proto.message((1, "bytes", tag), (5, "bytes", histo))))


def _histogram_infer(op):
    check_dtype(op, op.inputs[0], _NUMERIC)
    return [(dt.string, TensorShape([]))]


def _histogram_compute(values, *, tag):
    return np.array(histogram_bytes(tag, values), dtype=object)


def _merge_infer(op):
    for t in op.inputs:
        if not t.dtype.is_string:
            raise TypeError(f"MergeSummary inputs must be serialized summaries (strings); "
                            f"'{t.name}' is {t.dtype.name}")
    return [(dt.string, TensorShape([]))]


def _merge_compute(*summaries):
    parts = []
    for s in summaries:
        for item in np.asarray(s, dtype=object).reshape(-1):
            parts.append(item if isinstance(item, bytes) else bytes(item))
    return np.array(b"".join(parts), dtype=object)


_IMAGE_DTYPES = (dt.uint8, dt.float16, dt.float32, dt.float64)
_BAD_COLOR = np.array([255, 0, 0, 255], np.uint8)   # TF1's default for NaN/Inf pixels


def _value(tag: str, number: int, body: bytes, metadata: Optional[bytes] = None) -> bytes:
    """One Summary.Value field (tag, and `body` as field `number`), framed in a Summary."""
    return proto.field(1, "bytes", proto.message((1, "bytes", tag), (9, "bytes", metadata),
                                                 (number, "bytes", body)))


def _image_infer(op):
    check_dtype(op, op.inputs[0], _IMAGE_DTYPES)
    dims = op.inputs[0].shape.as_tuple()
    if dims is not None and (len(dims) != 4 or dims[3] not in (None, 1, 3, 4)):
        raise ValueError(f"Tensor must be 4-D with last dim 1, 3, or 4, not "
                         f"{op.inputs[0].shape} ('{op.inputs[0].name}')")
    if op.attrs["max_images"] < 1:
        raise ValueError(f"max_outputs must be at least 1, got {op.attrs['max_images']}")
    return [(dt.string, TensorShape([]))]


def to_uint8_image(image: np.ndarray) -> np.ndarray:
    """TF1's ImageSummary normalisation of one [height, width, channels] image: uint8 is
    kept; floats all >= 0 are scaled so the largest is 255, otherwise scaled by 127 over
    the largest magnitude around 128 (over the finite pixels); a pixel with a NaN or Inf
    channel becomes red."""
    if image.dtype == np.uint8:
        return image
    finite = np.all(np.isfinite(image), axis=-1)
    good = image[finite]
    lo = float(good.min()) if good.size else np.inf
    hi = float(good.max()) if good.size else -np.inf
    if lo < 0:
        top = max(abs(lo), abs(hi))
        scale, offset = (0.0 if top < 1e-6 else 127.0 / top), 128.0
    else:
        scale, offset = (0.0 if hi < 1e-6 else 255.0 / hi), 0.0
    with np.errstate(invalid="ignore"):
        out = (image * image.dtype.type(scale) + image.dtype.type(offset))
    out = np.where(finite[..., None], out, 0).astype(np.uint8)
    out[~finite] = _BAD_COLOR[:image.shape[-1]]
    return out


def _image_compute(images, *, tag, max_images):
    if images.ndim != 4 or images.shape[3] not in (1, 3, 4):
        raise InvalidArgumentError(None, None, f"Tensor must be 4-D with last dim 1, 3, or 4, "
                                   f"not {list(images.shape)} (tag '{tag}')")
    parts = []
    for i in range(min(images.shape[0], max_images)):
        pixels = to_uint8_image(images[i])
        height, width, channels = pixels.shape
        image = proto.message((1, "varint", height), (2, "varint", width),
                              (3, "varint", channels), (4, "bytes", encode_png(pixels)))
        parts.append(_value(f"{tag}/image" if max_images == 1 else f"{tag}/image/{i}",
                            4, image))
    return np.array(b"".join(parts), dtype=object)


def _audio_infer(op):
    check_dtype(op, op.inputs[0], (dt.float32,))
    check_dtype(op, op.inputs[1], (dt.float32,))
    ndims = op.inputs[0].shape.ndims
    if ndims is not None and ndims not in (2, 3):
        raise ValueError(f"Tensor must be 3-D or 2-D, got: {op.inputs[0].shape} "
                         f"('{op.inputs[0].name}')")
    if op.inputs[1].shape.ndims not in (None, 0):
        raise ValueError(f"sample_rate must be a scalar, got {op.inputs[1].shape}")
    if op.attrs["max_outputs"] < 1:
        raise ValueError(f"max_outputs must be at least 1, got {op.attrs['max_outputs']}")
    return [(dt.string, TensorShape([]))]


def _audio_compute(audio, sample_rate, *, tag, max_outputs):
    rate = float(sample_rate)
    if audio.ndim not in (2, 3):
        raise InvalidArgumentError(None, None, f"Tensor must be 3-D or 2-D, got: "
                                   f"{list(audio.shape)} (tag '{tag}')")
    if not rate > 0:
        raise InvalidArgumentError(None, None, f"sample_rate must be > 0, got {rate} "
                                   f"(tag '{tag}')")
    clips = audio if audio.ndim == 3 else audio[:, :, None]
    parts = []
    for i in range(min(clips.shape[0], max_outputs)):
        frames, channels = clips.shape[1], clips.shape[2]
        body = proto.message((1, "float", rate), (2, "varint", channels),
                             (3, "varint", frames),
                             (4, "bytes", encode_wav(clips[i], int(rate))),
                             (5, "bytes", "audio/wav"))
        parts.append(_value(f"{tag}/audio" if max_outputs == 1 else f"{tag}/audio/{i}",
                            6, body))
    return np.array(b"".join(parts), dtype=object)


def _tensor_summary_infer(op):
    if op.inputs[0].dtype.name not in TF_TYPES or op.inputs[0].dtype.name == "resource":
        raise TypeError(f"a tensor summary cannot hold {op.inputs[0].dtype.name} "
                        f"('{op.inputs[0].name}')")
    return [(dt.string, TensorShape([]))]


def _tensor_summary_compute(value, *, tag, plugin_name, display_name, description):
    plugin = proto.message((1, "bytes", plugin_name)) if plugin_name else None
    metadata = proto.message((1, "bytes", plugin), (2, "bytes", display_name or None),
                             (3, "bytes", description or None))
    value = np.asarray(value)
    body = tensor_proto(value, dt.string if value.dtype == object else dt.as_dtype(value.dtype))
    return np.array(_value(tag, 8, body, metadata), dtype=object)


defop("ScalarSummary", _scalar_infer, _scalar_compute, NON_DIFFERENTIABLE, family="summary")
defop("HistogramSummary", _histogram_infer, _histogram_compute, NON_DIFFERENTIABLE,
      family="summary")
defop("MergeSummary", _merge_infer, _merge_compute, NON_DIFFERENTIABLE, family="summary")
defop("ImageSummary", _image_infer, _image_compute, NON_DIFFERENTIABLE, family="summary")
defop("AudioSummaryV2", _audio_infer, _audio_compute, NON_DIFFERENTIABLE, family="summary")
defop("TensorSummaryV2", _tensor_summary_infer, _tensor_summary_compute, NON_DIFFERENTIABLE,
      family="summary")


def scalar_summary(tag: str, value, name: Optional[str] = None):
    return apply("ScalarSummary", (convert_to_tensor(value),), {"tag": tag},
                 name=name or "ScalarSummary")


def histogram_summary(tag: str, values, name: Optional[str] = None):
    return apply("HistogramSummary", (convert_to_tensor(values),), {"tag": tag},
                 name=name or "HistogramSummary")


def merge_summary(inputs, name: Optional[str] = None):
    tensors = [convert_to_tensor(t) for t in inputs]
    return apply("MergeSummary", tensors, name=name or "Merge/MergeSummary")


def image_summary(tag: str, images, max_images: int = 3, name: Optional[str] = None):
    return apply("ImageSummary", (convert_to_tensor(images),),
                 {"tag": tag, "max_images": int(max_images)}, name=name or "ImageSummary")


def audio_summary(tag: str, audio, sample_rate, max_outputs: int = 3,
                  name: Optional[str] = None):
    rate = convert_to_tensor(sample_rate, dtype=dt.float32)
    return apply("AudioSummaryV2", (convert_to_tensor(audio), rate),
                 {"tag": tag, "max_outputs": int(max_outputs)},
                 name=name or "AudioSummaryV2")


def tensor_summary(tag: str, tensor, plugin_name: str = "", display_name: str = "",
                   description: str = "", name: Optional[str] = None):
    t = convert_to_tensor(tensor)
    return apply("TensorSummaryV2", (t,),
                 {"tag": tag, "plugin_name": plugin_name, "display_name": display_name,
                  "description": description},
                 name=name or "TensorSummaryV2")
