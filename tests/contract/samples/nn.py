"""Contract samples for the nn family."""
import numpy as np

from graphc.ir.ops import core_ops, nn_ops as nn

ph = core_ops.placeholder
R = np.random.RandomState(7)


def act(builder, **kw):
    def a():
        x = ph("float64", [None, 3])
        v = R.uniform(-3, 3, (2, 3))
        v[np.abs(v) < 0.05] = 0.3  # keep away from kinks for central differences
        return builder(x, **kw), {x: v}

    def b():
        x = ph("float32", None)
        return builder(x, **kw), {x: R.uniform(-8, 8, (5,)).astype(np.float32)}
    a.__name__ = f"{builder.__name__}_f64"
    b.__name__ = f"{builder.__name__}_f32_unknown_rank"
    return [a, b]


def _softmax(builder):
    def a():
        x = ph("float64", [None, 4])
        return builder(x), {x: R.randn(3, 4)}

    def b():
        x = ph("float64", [3, 2])
        return builder(x, axis=0), {x: R.randn(3, 2)}

    def c():
        x = ph("float32", [2, 3])
        return builder(x), {x: R.randn(2, 3).astype(np.float32) * 50}
    return [a, b, c]


def _bias_add():
    x = ph("float64", [None, 3])
    b = ph("float64", [3])
    return nn.bias_add(x, b), {x: R.randn(2, 3), b: R.randn(3)}


def _bias_add_nchw():
    x = ph("float64", [2, 3, 2, 2])
    b = ph("float64", [3])
    return nn.bias_add(x, b, data_format="NCHW"), {x: R.randn(2, 3, 2, 2), b: R.randn(3)}


def _l2():
    x = ph("float64", [None, 2])
    return nn.l2_loss(x), {x: R.randn(3, 2)}


def _l2_f32():
    x = ph("float32", None)
    return nn.l2_loss(x), {x: R.randn(4).astype(np.float32)}


def _xent():
    x = ph("float64", [None, 4])
    y = ph("float64", [None, 4])
    lab = R.rand(3, 4)
    return nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x), {
        x: R.randn(3, 4), y: lab / lab.sum(1, keepdims=True)}


def _xent_axis0():
    x = ph("float64", [3, 2])
    y = ph("float64", [3, 2])
    return nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x, dim=0), {
        x: R.randn(3, 2), y: np.eye(3)[:, :2]}


def _xent_both_outputs():
    from graphc.ir.ops._base import apply
    x = ph("float64", [2, 3])
    y = ph("float64", [2, 3])
    return list(apply("SoftmaxCrossEntropyWithLogits", (x, y))), {
        x: R.randn(2, 3), y: np.eye(3)[:2]}


def _sparse_xent():
    x = ph("float64", [None, 5])
    y = ph("int32", [None])
    return nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x), {
        x: R.randn(3, 5), y: np.int32([0, 4, 2])}


def _sparse_xent_3d():
    x = ph("float64", [2, 2, 3])
    y = ph("int64", [2, 2])
    return nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x), {
        x: R.randn(2, 2, 3), y: np.int64([[0, 1], [2, 2]])}


def _sig_xent():
    x = ph("float64", [None, 3])
    z = ph("float64", [None, 3])
    return nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), {
        x: R.randn(2, 3) * 3, z: R.rand(2, 3)}


def _sig_xent_f32():
    x = ph("float32", [4])
    return nn.sigmoid_cross_entropy_with_logits(labels=np.float32([0, 1, 1, 0]), logits=x), {
        x: np.float32([-100, -1, 0.5, 40])}


SAMPLES = {
    "Relu": act(nn.relu), "Relu6": act(nn.relu6), "Elu": act(nn.elu), "Selu": act(nn.selu),
    "LeakyRelu": [lambda: (lambda x: (nn.leaky_relu(x, 0.1), {x: R.randn(2, 3) + 0.05}))(
        ph("float64", [None, 3])), lambda: (lambda x: (nn.leaky_relu(x), {
            x: R.randn(4).astype(np.float32)}))(ph("float32", None))],
    "Softplus": act(nn.softplus), "Softsign": act(nn.softsign),
    "Softmax": _softmax(nn.softmax), "LogSoftmax": _softmax(nn.log_softmax),
    "BiasAdd": [_bias_add, _bias_add_nchw],
    "L2Loss": [_l2, _l2_f32],
    "SoftmaxCrossEntropyWithLogits": [_xent, _xent_axis0, _xent_both_outputs],
    "SparseSoftmaxCrossEntropyWithLogits": [_sparse_xent, _sparse_xent_3d],
    "SigmoidCrossEntropyWithLogits": [_sig_xent, _sig_xent_f32],
}
