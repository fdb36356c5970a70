"""Contract samples for 3-D convolution and pooling (small float64 ones feed the
central-difference gradient tests)."""
import numpy as np

from graphc.ir.ops import conv3d_ops as C
from graphc.ir.ops import core_ops
from graphc.ir.ops._base import apply

ph = core_ops.placeholder
R = np.random.RandomState(5)


def _feeds(*shapes, dtype="float64"):
    ts = [ph(dtype, list(s)) for s in shapes]
    return ts, {t: R.randn(*s).astype(dtype) for t, s in zip(ts, shapes)}


def _conv_same():
    (x, w), feed = _feeds((1, 3, 3, 2, 2), (2, 2, 1, 2, 2))
    return C.conv3d(x, w, [1, 1, 1, 1, 1], "SAME"), feed


def _conv_valid_strided_dilated_f32():
    (x, w), feed = _feeds((2, 5, 4, 4, 3), (2, 2, 2, 3, 4), dtype="float32")
    return C.conv3d(x, w, [1, 2, 1, 1, 1], "VALID", dilations=[1, 1, 2, 1, 1]), feed


def _transpose():
    (w, dy), feed = _feeds((2, 2, 2, 1, 2), (1, 2, 2, 1, 2))
    return C.conv3d_transpose(dy, w, [1, 3, 4, 2, 1], [1, 2, 2, 2, 1], "SAME"), feed


def _backprop_input_valid_f32():
    (w, dy), feed = _feeds((2, 1, 2, 2, 3), (2, 2, 3, 2, 3), dtype="float32")
    return C.conv3d_transpose(dy, w, [2, 3, 3, 3, 2], [1, 1, 1, 1, 1], "VALID"), feed


def _backprop_filter():
    (x, dy), feed = _feeds((1, 3, 2, 2, 2), (1, 3, 2, 2, 1))
    return C.conv3d_backprop_filter(x, [2, 1, 2, 2, 1], dy, [1, 1, 1, 1, 1], "SAME"), feed


def _backprop_filter_strided_f32():
    (x, dy), feed = _feeds((2, 4, 3, 3, 1), (2, 2, 2, 2, 2), dtype="float32")
    return C.conv3d_backprop_filter_v2(x, [2, 2, 2, 1, 2], dy, [1, 2, 1, 1, 1], "VALID"), feed


def _pool(op, shape, k, s, padding, dtype="float64"):
    def build():
        (x,), feed = _feeds(shape, dtype=dtype)
        if dtype == "float64":  # distinct values: the max is unique, the gradient defined
            feed[x] = np.random.RandomState(7).permutation(int(np.prod(shape))).reshape(
                shape) * 0.5
        return op(x, [1] + k + [1], [1] + s + [1], padding), feed
    build.__name__ = f"{op.__name__}_{padding}_{dtype}"
    return build


def _grad(op_type, orig, dy_shape, k, s, padding):
    def build():
        (dy,), feed = _feeds(dy_shape)
        attrs = {"ksize": [1] + k + [1], "strides": [1] + s + [1], "padding": padding,
                 "data_format": "NDHWC"}
        if op_type == "AvgPool3DGrad":
            return apply(op_type, (core_ops.constant(np.int32(orig)), dy), attrs), feed
        (x,), fx = _feeds(orig)
        y = apply("MaxPool3D", (x,), attrs)
        return apply(op_type, (x, y, dy), attrs), {**feed, **fx}
    build.__name__ = f"{op_type}_{padding}"
    return build


SAMPLES = {
    "Conv3D": [_conv_same, _conv_valid_strided_dilated_f32],
    "Conv3DBackpropInputV2": [_transpose, _backprop_input_valid_f32],
    "Conv3DBackpropFilterV2": [_backprop_filter, _backprop_filter_strided_f32],
    "MaxPool3D": [_pool(C.max_pool3d, (1, 3, 4, 2, 2), [2, 2, 2], [1, 2, 1], "SAME"),
                  _pool(C.max_pool3d, (2, 4, 4, 4, 1), [2, 2, 2], [2, 2, 2], "VALID",
                        "float32")],
    "AvgPool3D": [_pool(C.avg_pool3d, (1, 3, 3, 2, 2), [2, 2, 2], [1, 1, 2], "SAME"),
                  _pool(C.avg_pool3d, (2, 4, 4, 4, 1), [3, 2, 2], [1, 2, 2], "VALID",
                        "float32")],
    "MaxPool3DGrad": [_grad("MaxPool3DGrad", (1, 3, 3, 2, 1), (1, 2, 2, 1, 1), [2, 2, 2],
                            [2, 2, 2], "SAME"),
                      _grad("MaxPool3DGrad", (1, 4, 2, 2, 2), (1, 3, 1, 1, 2), [2, 2, 2],
                            [1, 1, 1], "VALID")],
    "AvgPool3DGrad": [_grad("AvgPool3DGrad", (1, 3, 3, 2, 1), (1, 2, 2, 1, 1), [2, 2, 2],
                            [2, 2, 2], "SAME"),
                      _grad("AvgPool3DGrad", (1, 4, 2, 2, 2), (1, 3, 1, 1, 2), [2, 2, 2],
                            [1, 1, 1], "VALID")],
}
