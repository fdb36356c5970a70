"""Contract samples for TF1's fake quantization (ir/ops/fake_quant_ops.py): float32 only,
as TF. Their VJPs are straight-through estimators, not derivatives, so they have no
float64 gradient samples; tests/api/test_nn_image_tf.py compares them with TensorFlow."""
import numpy as np

from graphc.ir.ops import core_ops, fake_quant_ops as Q

R = np.random.RandomState(47)
ph = core_ops.placeholder


def _x(shape):
    x = ph("float32", list(shape))
    return x, (R.randn(*shape) * 4).astype(np.float32)


def _args(shape, gradient=False, **kw):
    def build():
        x, xv = _x(shape)
        if not gradient:
            return Q.fake_quant_with_min_max_args(x, **kw), {x: xv}
        g, gv = _x(shape)
        return Q.fake_quant_with_min_max_args_gradient(g, x, **kw), {x: xv, g: gv}
    build.__name__ = f"args_{'grad_' if gradient else ''}{'_'.join(map(str, shape))}"
    return build


def _vars(shape, per_channel=False, gradient=False, **kw):
    def build():
        x, xv = _x(shape)
        d = [shape[-1]] if per_channel else []
        lo, hi = ph("float32", d), ph("float32", d)
        feed = {x: xv, lo: -R.uniform(0, 3, d).astype(np.float32),
                hi: R.uniform(0.5, 5, d).astype(np.float32)}
        fn = (Q.fake_quant_with_min_max_vars_per_channel if per_channel else
              Q.fake_quant_with_min_max_vars)
        if not gradient:
            return fn(x, lo, hi, **kw), feed
        g, gv = _x(shape)
        feed[g] = gv
        fn = (Q.fake_quant_with_min_max_vars_per_channel_gradient if per_channel else
              Q.fake_quant_with_min_max_vars_gradient)
        return list(fn(g, x, lo, hi, **kw)), feed
    build.__name__ = f"vars_{'channel_' if per_channel else ''}{'_'.join(map(str, shape))}"
    return build


SAMPLES = {
    "FakeQuantWithMinMaxArgs": [_args((3, 4)), _args((2, 2, 5), min=-1.5, max=2.0,
                                                     num_bits=4, narrow_range=True)],
    "FakeQuantWithMinMaxArgsGradient": [_args((3, 4), True),
                                        _args((7,), True, min=0.5, max=1.0, num_bits=3)],
    "FakeQuantWithMinMaxVars": [_vars((3, 4)), _vars((2, 3, 2), num_bits=5,
                                                     narrow_range=True)],
    "FakeQuantWithMinMaxVarsGradient": [_vars((3, 4), gradient=True),
                                        _vars((6,), gradient=True, num_bits=16)],
    "FakeQuantWithMinMaxVarsPerChannel": [_vars((3, 4), True), _vars((2, 2, 3), True,
                                                                     num_bits=7)],
    "FakeQuantWithMinMaxVarsPerChannelGradient": [
        _vars((3, 4), True, True), _vars((5,), True, True, narrow_range=True)],
}
