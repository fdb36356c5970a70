"""Contract samples for max pooling with argmax and Dilation2D (ir/ops/morphology_ops.py);
the float64 ones feed the gradient checks (values are distinct, so maxima are unique)."""
import numpy as np

from graphc.ir.ops import core_ops, morphology_ops as M
from graphc.ir.ops._base import apply

R = np.random.RandomState(41)
ph = core_ops.placeholder


def _argmax(shape, ksize, strides, padding, dtype="float64", **flags):
    def build():
        x = ph(dtype, list(shape))
        return list(M.max_pool_with_argmax(x, ksize, strides, padding, **flags)), {
            x: R.permutation(int(np.prod(shape))).reshape(shape).astype(dtype) / 7}
    build.__name__ = f"{padding}_{'_'.join(flags) or 'plain'}_{dtype}"
    return build


def _dilation(shape, f_shape, strides, rates, padding, op_type="Dilation2D",
              dtype="float64"):
    def build():
        x, f = ph(dtype, list(shape)), ph(dtype, list(f_shape))
        feed = {x: R.randn(*shape).astype(dtype), f: R.randn(*f_shape).astype(dtype)}
        attrs = {"strides": strides, "rates": rates, "padding": padding}
        if op_type == "Dilation2D":
            return M.dilation2d(x, f, strides, rates, padding), feed
        out = M.dilation2d(x, f, strides, rates, padding)
        dy = ph(dtype, out.shape.as_list())
        feed[dy] = R.randn(*out.shape.as_list()).astype(dtype)
        return apply(op_type, (x, f, dy), attrs), feed
    build.__name__ = f"{op_type}_{padding}_{dtype}"
    return build


SAMPLES = {
    "MaxPoolWithArgmax": [
        _argmax((1, 4, 5, 2), [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
        _argmax((2, 3, 4, 1), [1, 2, 3, 1], [1, 1, 1, 1], "VALID",
                include_batch_in_index=True),
        _argmax((2, 5, 4, 3), [1, 3, 3, 1], [1, 2, 1, 1], "SAME", "float32",
                Targmax="int32")],
    "Dilation2D": [_dilation((1, 4, 5, 2), (2, 2, 2), [1, 1, 1, 1], [1, 1, 1, 1], "SAME"),
                   _dilation((2, 5, 4, 1), (2, 3, 1), [1, 2, 1, 1], [1, 1, 2, 1], "VALID"),
                   _dilation((1, 6, 6, 3), (3, 3, 3), [1, 2, 2, 1], [1, 2, 2, 1], "SAME",
                             dtype="float32")],
    "Dilation2DBackpropInput": [
        _dilation((1, 4, 5, 2), (2, 2, 2), [1, 1, 1, 1], [1, 1, 1, 1], "SAME",
                  "Dilation2DBackpropInput"),
        _dilation((2, 5, 4, 1), (2, 3, 1), [1, 2, 1, 1], [1, 1, 2, 1], "VALID",
                  "Dilation2DBackpropInput", "float32")],
    "Dilation2DBackpropFilter": [
        _dilation((1, 4, 5, 2), (2, 2, 2), [1, 1, 1, 1], [1, 1, 1, 1], "SAME",
                  "Dilation2DBackpropFilter"),
        _dilation((2, 5, 4, 1), (2, 3, 1), [1, 2, 1, 1], [1, 1, 2, 1], "VALID",
                  "Dilation2DBackpropFilter", "float32")],
}
