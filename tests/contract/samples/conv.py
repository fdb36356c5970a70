"""Contract samples for convolution and pooling (small float64 ones feed the
central-difference gradient tests)."""
import numpy as np

from graphc.ir.ops import conv_ops as C
from graphc.ir.ops.conv_geometry import conv_attrs, pool_attrs
from graphc.ir.ops import core_ops

ph = core_ops.placeholder
R = np.random.RandomState(0)


def _xw(x_shape, w_shape, dtype="float64"):
    x, w = ph(dtype, list(x_shape)), ph(dtype, list(w_shape))
    return x, w, {x: R.randn(*x_shape).astype(dtype), w: R.randn(*w_shape).astype(dtype)}


def _conv_same():
    x, w, feed = _xw((1, 4, 4, 2), (3, 3, 2, 2))
    return C.conv2d(x, w, [1, 1, 1, 1], "SAME"), feed


def _conv_valid_strided_dilated_f32():
    x, w, feed = _xw((2, 7, 6, 3), (2, 2, 3, 4), "float32")
    return C.conv2d(x, w, [1, 2, 1, 1], "VALID", dilations=[1, 1, 2, 1]), feed


def _conv_same_stride2():
    x, w, feed = _xw((1, 5, 4, 1), (2, 3, 1, 2))
    return C.conv2d(x, w, [1, 2, 2, 1], "SAME"), feed


def _backprop_input():
    w, dy = ph("float64", [3, 3, 2, 2]), ph("float64", [1, 2, 2, 2])
    return C.conv2d_backprop_input([1, 4, 4, 2], w, dy, [1, 2, 2, 1], "SAME"), {
        w: R.randn(3, 3, 2, 2), dy: R.randn(1, 2, 2, 2)}


def _conv_transpose_f32():
    w, v = ph("float32", [2, 2, 3, 2]), ph("float32", [2, 3, 3, 2])
    return C.conv2d_transpose(v, w, [2, 6, 6, 3], [1, 2, 2, 1], "SAME"), {
        w: R.randn(2, 2, 3, 2).astype("float32"), v: R.randn(2, 3, 3, 2).astype("float32")}


def _backprop_filter():
    x, dy = ph("float64", [1, 4, 4, 2]), ph("float64", [1, 4, 4, 2])
    return C.conv2d_backprop_filter(x, [3, 3, 2, 2], dy, [1, 1, 1, 1], "SAME"), {
        x: R.randn(1, 4, 4, 2), dy: R.randn(1, 4, 4, 2)}


def _backprop_filter_valid():
    x, dy = ph("float64", [2, 4, 3, 1]), ph("float64", [2, 3, 2, 2])
    return C.conv2d_backprop_filter(x, [2, 2, 1, 2], dy, [1, 1, 1, 1], "VALID"), {
        x: R.randn(2, 4, 3, 1), dy: R.randn(2, 3, 2, 2)}


def _depthwise():
    x, w, feed = _xw((1, 4, 4, 2), (2, 2, 2, 2))
    return C.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"), feed


def _depthwise_valid_strided_f32():
    x, w, feed = _xw((2, 6, 5, 3), (3, 2, 3, 1), "float32")
    return C.depthwise_conv2d(x, w, [1, 2, 2, 1], "VALID"), feed


def _dw_input():
    from graphc.ir.ops._base import apply
    w, dy = ph("float64", [2, 2, 2, 1]), ph("float64", [1, 3, 3, 2])
    return apply("DepthwiseConv2dNativeBackpropInput", (core_ops.constant(
        np.int32([1, 3, 3, 2])), w, dy), conv_attrs([1, 1, 1, 1], "SAME", None, None, 2)), {
        w: R.randn(2, 2, 2, 1), dy: R.randn(1, 3, 3, 2)}


def _dw_filter():
    from graphc.ir.ops._base import apply
    x, dy = ph("float64", [1, 3, 3, 2]), ph("float64", [1, 3, 3, 2])
    return apply("DepthwiseConv2dNativeBackpropFilter", (x, core_ops.constant(
        np.int32([2, 2, 2, 1])), dy), conv_attrs([1, 1, 1, 1], "SAME", None, None, 2)), {
        x: R.randn(1, 3, 3, 2), dy: R.randn(1, 3, 3, 2)}


def _pool(kind, shape, ksize, strides, padding, dtype="float64"):
    x = ph(dtype, list(shape))
    fn = C.max_pool if kind == "max" else C.avg_pool
    # distinct values: max pooling's gradient is not differentiable at ties
    value = R.permutation(np.prod(shape)).reshape(shape).astype(dtype) / 10.0
    return fn(x, ksize, strides, padding), {x: value}


def _max_same():
    return _pool("max", (1, 5, 5, 2), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")


def _max_valid_f32():
    return _pool("max", (2, 6, 5, 3), [1, 3, 2, 1], [1, 1, 2, 1], "VALID", "float32")


def _avg_same():
    return _pool("avg", (1, 5, 4, 2), [1, 3, 3, 1], [1, 2, 2, 1], "SAME")


def _avg_valid():
    return _pool("avg", (2, 4, 4, 1), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")


def _max_pool_grad():
    from graphc.ir.ops._base import apply
    x, dy = ph("float32", [1, 4, 4, 2]), ph("float32", [1, 2, 2, 2])
    y = C.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    return apply("MaxPoolGrad", (x, y, dy), y.op.attrs), {
        x: R.randn(1, 4, 4, 2).astype("float32"), dy: R.randn(1, 2, 2, 2).astype("float32")}


def _max_pool_grad_same():
    from graphc.ir.ops._base import apply
    x, dy = ph("float64", [1, 3, 3, 1]), ph("float64", [1, 2, 2, 1])
    y = C.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    return apply("MaxPoolGrad", (x, y, dy), y.op.attrs), {
        x: R.randn(1, 3, 3, 1), dy: R.randn(1, 2, 2, 1)}


def _avg_pool_grad(padding, shape, out):
    from graphc.ir.ops._base import apply
    dy = ph("float64", list(out))
    attrs = pool_attrs([1, 2, 2, 1], [1, 2, 2, 1], padding, "NHWC", 2)
    return apply("AvgPoolGrad", (core_ops.constant(np.int32(shape)), dy), attrs), {
        dy: R.randn(*out)}


SAMPLES = {
    "Conv2D": [_conv_same, _conv_valid_strided_dilated_f32, _conv_same_stride2],
    "Conv2DBackpropInput": [_backprop_input, _conv_transpose_f32],
    "Conv2DBackpropFilter": [_backprop_filter, _backprop_filter_valid],
    "DepthwiseConv2dNative": [_depthwise, _depthwise_valid_strided_f32],
    "DepthwiseConv2dNativeBackpropInput": [_dw_input, _dw_input],
    "DepthwiseConv2dNativeBackpropFilter": [_dw_filter, _dw_filter],
    "MaxPool": [_max_same, _max_valid_f32],
    "AvgPool": [_avg_same, _avg_valid],
    "MaxPoolGrad": [_max_pool_grad, _max_pool_grad_same],
    "AvgPoolGrad": [lambda: _avg_pool_grad("SAME", [1, 3, 3, 2], (1, 2, 2, 2)),
                    lambda: _avg_pool_grad("VALID", [2, 4, 4, 1], (2, 2, 2, 1))],
}
