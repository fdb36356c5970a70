"""The inference convolution fusion (passes/fuse_conv.py): padding, bias, residual add and
Relu/Relu6 fold into _FusedConv2D / _FusedDepthwiseConv2dNative, and the fused graph
computes what the unfused one does, on both backends, against a numpy reference written
here (odd sizes, stride 2, SAME/VALID, channel counts that are and are not whole vectors).
"""
import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.ir.numerics import assert_close
from graphc.passes.manager import PassManager
from graphc.passes.lower import lower
from graphc.passes.prune import build_program

R = np.random.RandomState(11)
UNFUSED = tf.ConfigProto(graph_options=tf.GraphOptions(disabled_passes=["fuse_conv"]))


def _types(fetch, x, value, feeds=()):
    feeds = [(x, value)] + list(feeds)
    program = build_program([fetch], [], [t for t, _ in feeds])
    plan = PassManager().run(lower(program, [(v.shape, t.dtype) for t, v in feeds]))
    return sorted(op.type for op in plan.graph.get_operations() if op.type != "Const")


def _reference_conv(x, w, stride, pads, depthwise):
    """Direct loops over the zero-padded input (no graphc code)."""
    xp = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw = w.shape[:2]
    oh = (xp.shape[1] - kh) // stride + 1
    ow = (xp.shape[2] - kw) // stride + 1
    out = []
    for i in range(oh):
        row = []
        for j in range(ow):
            win = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            if depthwise:
                row.append(np.einsum("nijc,ijcm->ncm", win, w).reshape(x.shape[0], -1))
            else:
                row.append(np.einsum("nijc,ijcm->nm", win, w))
        out.append(np.stack(row, 1))
    return np.stack(out, 1)


def _same_pads(size, k, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def _case(depthwise, shape, k, stride, padding, explicit, channels, ops):
    """(build(x) -> y, numpy reference(x, addend)) for one fused chain."""
    c = shape[3]
    w = (R.randn(k, k, c, 1) if depthwise else R.randn(k, k, c, channels)).astype(np.float32)
    depth = c if depthwise else channels
    bias = R.randn(depth).astype(np.float32)

    def build(x, addend):
        h = tf.pad(x, [[0, 0], explicit[0], explicit[1], [0, 0]]) if explicit else x
        conv = tf.nn.depthwise_conv2d if depthwise else tf.nn.conv2d
        y = conv(h, tf.constant(w), [1, stride, stride, 1], padding)
        if "BiasAdd" in ops:
            y = tf.nn.bias_add(y, bias) if "Add" not in ops else y + tf.constant(bias)
        if "Add" in ops:
            y = addend + y
        if "Relu6" in ops:
            y = tf.nn.relu6(y)
        if "Relu" in ops:
            y = tf.nn.relu(y)
        return y

    def reference(xv, addend):
        pre = explicit or ((0, 0), (0, 0))
        hp = np.pad(xv, ((0, 0), pre[0], pre[1], (0, 0)))
        pads = ((0, 0), (0, 0)) if padding == "VALID" else (
            _same_pads(hp.shape[1], k, stride), _same_pads(hp.shape[2], k, stride))
        y = _reference_conv(hp, w, stride, pads, depthwise)
        if "BiasAdd" in ops:
            y = y + bias
        if "Add" in ops:
            y = y + addend
        if "Relu6" in ops:
            y = np.clip(y, 0, 6)
        if "Relu" in ops:
            y = np.maximum(y, 0)
        return y
    return build, reference


CASES = [  # depthwise, input, kernel, stride, padding, explicit pads, out channels, ops
    (False, (2, 9, 7, 5), 3, 2, "VALID", ((0, 1), (0, 1)), 13, ("BiasAdd", "Relu6")),
    (False, (1, 8, 8, 16), 1, 1, "SAME", None, 24, ("BiasAdd", "Relu6")),      # pointwise
    (False, (3, 7, 5, 12), 1, 1, "VALID", None, 9, ("BiasAdd", "Add")),        # residual
    (False, (2, 11, 10, 3), 3, 2, "SAME", None, 16, ("BiasAdd", "Relu")),      # direct
    (False, (1, 6, 9, 8), 3, 1, "SAME", ((1, 0), (2, 1)), 8, ("BiasAdd",)),   # pad + SAME
    (False, (5, 20, 21, 72), 1, 1, "SAME", None, 64, ("BiasAdd", "Add", "Relu6")),  # BLAS
    (True, (2, 9, 9, 48), 3, 2, "VALID", ((0, 1), (0, 1)), None, ("BiasAdd", "Relu6")),
    (True, (1, 7, 6, 13), 3, 1, "SAME", None, None, ("BiasAdd", "Relu6")),     # tail
    (True, (2, 8, 7, 19), 3, 2, "SAME", None, None, ("BiasAdd", "Add", "Relu")),
    (True, (1, 5, 5, 8), 5, 1, "VALID", ((2, 2), (2, 2)), None, ("Relu6",)),
    (True, (3, 12, 5, 24), 3, 1, "VALID", None, None, ("BiasAdd",)),
]


@pytest.mark.parametrize("backend", ["llvm", "numpy"])
@pytest.mark.parametrize("case", CASES, ids=[f"{'dw' if c[0] else 'conv'}{c[2]}s{c[3]}"
                                             f"{c[4]}{'pad' if c[5] else ''}{len(c[7])}"
                                             for c in CASES])
def test_fused_chain_equals_unfused_and_reference(case, backend):
    depthwise, shape, k, stride, padding, explicit, channels, ops = case
    build, reference = _case(*case)
    xv = R.randn(*shape).astype(np.float32) * 2
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape)
        probe = build(x, tf.zeros([1]))  # (the output's shape, for the residual)
        addend = tf.placeholder(tf.float32, probe.shape.as_list())
        y = build(x, addend)
        av = R.randn(*probe.shape.as_list()).astype(np.float32)
        fused_kind = "_FusedDepthwiseConv2dNative" if depthwise else "_FusedConv2D"
        assert _types(y, x, xv, [(addend, av)]).count(fused_kind) == 1
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (no numpy fallback on llvm)
            fused = tf.Session(graph=g, backend=backend).run(y, {x: xv, addend: av})
        unfused = tf.Session(graph=g, backend=backend, config=UNFUSED).run(
            y, {x: xv, addend: av})
    assert_close(fused, unfused, "conv")
    np.testing.assert_allclose(fused, reference(xv, av), rtol=2e-5, atol=2e-4)


def test_the_chain_fuses_whole():
    x = tf.placeholder(tf.float32, [1, 8, 8, 4])
    y = tf.nn.relu6(tf.nn.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]),
                                 tf.ones([3, 3, 4, 8]), [1, 1, 1, 1], "VALID") +
                    tf.constant(np.arange(8, dtype=np.float32)))
    assert _types(y, x, np.zeros((1, 8, 8, 4), np.float32)) == ["Placeholder", "_FusedConv2D"]


def test_what_is_read_twice_or_trained_stays_apart():
    x = tf.placeholder(tf.float32, [1, 6, 6, 2])
    xv = np.ones((1, 6, 6, 2), np.float32)
    w = tf.constant(R.randn(3, 3, 2, 4).astype(np.float32))
    conv = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    both = tf.nn.relu(conv) + conv  # the convolution is read twice
    assert _types(both, x, xv) == ["Conv2D", "Fused", "Placeholder"]
    v = tf.Variable(tf.ones([3, 3, 2, 4]))  # a trained filter: left to the generic fusion
    trained = tf.nn.relu(tf.nn.conv2d(x, v, [1, 1, 1, 1], "SAME") + 1.0)
    assert "_FusedConv2D" not in _types(trained, x, xv)
    after = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")) + tf.constant(
        np.ones(4, np.float32))  # a bias after the activation is not TF's order
    assert _types(after, x, xv) == ["Add", "Placeholder", "_FusedConv2D"]
    reflect = tf.nn.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT"), w,
                           [1, 1, 1, 1], "VALID")
    assert "MirrorPad" in _types(reflect, x, xv)


def test_an_unknown_batch_runs_the_fused_kernels_at_every_size():
    """An inverted residual block of MobileNetV2 on a symbolic batch (llvm: one plan)."""
    c, e = 16, 96
    g = tf.Graph()
    with g.as_default():
        w1 = tf.constant(R.randn(1, 1, c, e).astype(np.float32) / 4)
        wd = tf.constant(R.randn(3, 3, e, 1).astype(np.float32) / 3)
        w2 = tf.constant(R.randn(1, 1, e, c).astype(np.float32) / 8)
        b1, bd, b2 = (tf.constant(R.randn(n).astype(np.float32)) for n in (e, e, c))
        x = tf.placeholder(tf.float32, [None, 11, 9, c])
        h = tf.nn.relu6(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME") + b1)
        h = tf.pad(h, [[0, 0], [0, 1], [0, 1], [0, 0]])
        h = tf.nn.relu6(tf.nn.depthwise_conv2d(h, wd, [1, 2, 2, 1], "VALID") + bd)
        y = tf.nn.conv2d(h, w2, [1, 1, 1, 1], "SAME") + b2
        y = y + tf.nn.conv2d(x[:, 1:10:2, 1:9:2, :], tf.ones([1, 1, c, c]), [1, 1, 1, 1], "SAME")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fast = tf.Session(graph=g, backend="llvm")
            slow = tf.Session(graph=g, backend="numpy", config=UNFUSED)
            for batch in (1, 5, 2):
                xv = R.randn(batch, 11, 9, c).astype(np.float32)
                assert_close(fast.run(y, {x: xv}), slow.run(y, {x: xv}), "conv")


@pytest.mark.parametrize("shape,stride,padding,pads,out,residual", [
    ((2, 9, 7, 13), 2, "SAME", None, 10, False),            # channel tails, odd sizes
    ((3, 10, 10, 24), 2, "VALID", ((0, 1), (0, 1)), 24, True),
    ((1, 6, 5, 8), 1, "SAME", None, 3, False),              # fewer than 4 pixels left over
    ((8, 16, 16, 32), 1, "SAME", None, 16, True),           # split across threads
])
def test_depthwise_then_pointwise_equal_the_unfused_graph(shape, stride, padding, pads, out,
                                                          residual, monkeypatch):
    """The llvm backend computes a depthwise convolution and the pointwise one reading it
    row by row in one kernel; numpy runs the unfused graph."""
    from graphc.backends.llvm import fused_conv_kernels as FK
    made = []
    emit = FK.emit_depthwise_pointwise
    monkeypatch.setattr(FK, "emit_depthwise_pointwise", lambda *a: made.append(1) or emit(*a))
    c = shape[3]
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape)
        h = tf.pad(x, [[0, 0], *pads, [0, 0]]) if pads else x
        h = tf.nn.depthwise_conv2d(h, tf.constant(R.randn(3, 3, c, 1).astype(np.float32)),
                                   [1, stride, stride, 1], padding)
        h = tf.nn.relu6(h + tf.constant(R.randn(c).astype(np.float32)))
        y = tf.nn.conv2d(h, tf.constant(R.randn(1, 1, c, out).astype(np.float32)),
                         [1, 1, 1, 1], "SAME") + tf.constant(R.randn(out).astype(np.float32))
        feeds = {x: R.randn(*shape).astype(np.float32)}
        if residual:
            r = tf.placeholder(tf.float32, y.shape.as_list())
            feeds[r] = R.randn(*y.shape.as_list()).astype(np.float32)
            y = y + r
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fast = tf.Session(graph=g, backend="llvm").run(y, feeds)
        slow = tf.Session(graph=g, backend="numpy", config=UNFUSED).run(y, feeds)
    assert made, "the pair did not become one kernel"
    assert_close(fast, slow, "conv")
