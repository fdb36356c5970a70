"""The llvm backend's convolution and pooling kernels against the numpy interpreter, on
shapes large enough to take the threaded paths (blocked im2col split across threads with
per-thread scratch, direct loops for few input channels, channel tiles in pooling)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.ir.numerics import assert_close

R = np.random.RandomState(7)


def _both(build, feeds):
    """Run the fetches `build(placeholders)` makes on both backends; returns (llvm, numpy)
    and the llvm executables' module text (plus, as `_both.schedule`, their steps' kinds:
    "native" segments and "fallback" ops)."""
    results, text = [], ""
    for backend in ("llvm", "numpy"):
        g = tf.Graph()
        with g.as_default():
            phs = [tf.placeholder(tf.as_dtype(v.dtype), v.shape) for v in feeds]
            fetches = build(*phs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sess = tf.Session(graph=g, backend=backend)
                results.append(sess.run(fetches, dict(zip(phs, feeds))))
                if backend == "llvm":
                    plans = list(sess._plans.values())
                    text = "\n".join(getattr(p.executable, "module_text", "") for p in plans)
                    _both.schedule = [kind for p in plans for kind, _ in p.executable._schedule]
    return results[0], results[1], text


def _conv_and_grads(stride, padding, dilation=(1, 1)):
    def build(x, w, dy):
        y = tf.nn.conv2d(x, w, [1, *stride, 1], padding, dilations=[1, *dilation, 1])
        dx, dw = tf.gradients(y, [x, w], grad_ys=dy)
        return [y, dx, dw]
    return build


def _dy_like(x, w, stride, padding, dilation=(1, 1)):
    g = tf.Graph()
    with g.as_default():
        y = tf.nn.conv2d(tf.constant(x), tf.constant(w), [1, *stride, 1], padding,
                         dilations=[1, *dilation, 1])
        return R.randn(*y.shape.as_tuple()).astype(x.dtype)


@pytest.mark.parametrize("shape,kernel,stride,padding,dilation,threaded", [
    ((16, 14, 14, 32), (5, 5, 32, 64), (1, 1), "SAME", (1, 1), True),   # the convnet's
    ((6, 17, 15, 24), (3, 3, 24, 40), (2, 2), "VALID", (1, 1), False),  # odd sizes
    ((5, 13, 11, 16), (3, 2, 16, 20), (1, 2), "SAME", (2, 1), False),   # dilation
    ((32, 28, 28, 1), (5, 5, 1, 32), (1, 1), "SAME", (1, 1), True),     # direct
    ((9, 15, 13, 3), (3, 3, 3, 70), (2, 1), "SAME", (1, 2), False),     # direct, 70 out
    ((1, 9, 7, 5), (3, 3, 5, 70), (1, 1), "SAME", (1, 1), False),       # batch 1, 70 out
    ((3, 12, 13, 17), (4, 3, 17, 9), (1, 1), "VALID", (1, 1), False),   # even window
    ((2, 11, 10, 8), (3, 3, 8, 33), (1, 1), "SAME", (2, 3), False),     # dilated, stride 1
    ((4, 10, 9, 6), (2, 3, 6, 16), (2, 2), "SAME", (1, 1), False),      # even, strided
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("direct", [True, False], ids=["direct", "blas"])
def test_conv_and_its_gradients_match_numpy(shape, kernel, stride, padding, dilation,
                                            threaded, dtype, direct, monkeypatch):
    """Both ways of running a convolution of many input channels: register-blocked direct
    loops (forward, stride-1 input gradient as a forward conv of dy, tiled filter
    gradient; on AVX-512 hosts; Winograd for the 5x5 ones) and im2col/col2im blocks
    around BLAS (forced here)."""
    from graphc.backends.llvm import conv_lowering
    if not direct:
        monkeypatch.setattr(conv_lowering, "DIRECT_FILTER_BYTES", 0)
        monkeypatch.setattr(conv_lowering, "WINOGRAD", False)
    x = R.randn(*shape).astype(dtype)
    w = (R.randn(*kernel) * 0.1).astype(dtype)
    dy = _dy_like(x, w, stride, padding, dilation)
    got, want, text = _both(_conv_and_grads(stride, padding, dilation), [x, w, dy])
    for a, b, name in zip(got, want, ["conv", "input grad", "filter grad"]):
        assert_close(a, b, "conv", err_msg=name)
    from graphc.backends.llvm.target import host
    if threaded:
        assert ("graphc_parallel_for" in text) == (host().pool.threads > 1)
    wide = "+avx512f" in host().features.split(",")
    turned = direct and wide and stride == (1, 1) and kernel[2] > 4
    assert ("_flip" in text) == turned  # the input gradient as a forward convolution
    assert ("gemm64_" in text) == (not turned)  # (the input gradient's col2im, else none)


@pytest.mark.parametrize("window,channels", [((3, 3), (12, 20)),
                                             ((5, 5), (16, 24))])  # (Winograd's)
@pytest.mark.parametrize("direct", [True, False], ids=["direct", "blas"])
def test_conv_gradients_with_an_unknown_batch_match_numpy(window, channels, direct,
                                                          monkeypatch):
    """One plan for every batch size (the padded copies and thread splits sized at run
    time), batch 1 and the convnet's 128 among them."""
    from graphc.backends.llvm import conv_lowering
    if not direct:
        monkeypatch.setattr(conv_lowering, "DIRECT_FILTER_BYTES", 0)
        monkeypatch.setattr(conv_lowering, "WINOGRAD", False)
    c, m = channels
    w = (R.randn(*window, c, m) * 0.1).astype(np.float32)
    results = {}
    for backend in ("llvm", "numpy"):
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [None, 9, 8, c])
            dy = tf.placeholder(tf.float32, [None, 9, 8, m])
            y = tf.nn.conv2d(x, tf.constant(w), [1, 1, 1, 1], "SAME")
            fetches = [y] + tf.gradients(y, [x], grad_ys=dy) + \
                [tf.nn.conv2d_backprop_filter(x, list(w.shape), dy, [1, 1, 1, 1], "SAME")]
            sess = tf.Session(graph=g, backend=backend)
            rs = np.random.RandomState(3)
            results[backend] = [sess.run(fetches, {x: rs.randn(n, 9, 8, c).astype(np.float32),
                                                   dy: rs.randn(n, 9, 8, m).astype(np.float32)})
                                for n in (3, 1, 128)]
    for got, want in zip(results["llvm"], results["numpy"]):
        for a, b, name in zip(got, want, ["conv", "input grad", "filter grad"]):
            assert_close(a, b, "conv", err_msg=name)


def test_blas_thread_count_is_restored_after_a_threaded_conv():
    from graphc.backends.llvm.target import host
    control = host().blas_threads
    if not control.available:
        pytest.skip("this BLAS has no thread control")
    before = control._get()
    x = R.randn(8, 14, 14, 32).astype(np.float32)
    w = R.randn(5, 5, 32, 64).astype(np.float32)
    _both(lambda a, b: tf.nn.conv2d(a, b, [1, 1, 1, 1], "SAME"), [x, w])
    assert control._get() == before and control.depth == 0


@pytest.mark.parametrize("ksize,stride,padding", [((2, 2), (2, 2), "SAME"),   # exact tiling
                                                  ((3, 3), (2, 2), "SAME"),   # overlapping
                                                  ((2, 3), (3, 2), "VALID"),  # gaps
                                                  ((2, 2), (2, 2), "VALID")])  # odd sizes
@pytest.mark.parametrize("channels", [32, 300])                              # tiles of 256
def test_pools_and_their_gradients_match_numpy(ksize, stride, padding, channels):
    x = R.randn(12, 15, 14, channels).astype(np.float32)
    x[0, 0, 0, :5] = np.nan
    x[1, 2:4, 2:4, 0] = 1.0  # ties: the first maximum takes the gradient

    def build(x):
        k, s = [1, *ksize, 1], [1, *stride, 1]
        mp, ap = tf.nn.max_pool(x, k, s, padding), tf.nn.avg_pool(x, k, s, padding)
        loss = tf.reduce_sum(mp * tf.cos(mp)) + tf.reduce_sum(ap * ap)
        return [mp, ap] + tf.gradients(loss, [x])

    got, want, _ = _both(build, [x])
    for a, b, name in zip(got, want, ["max_pool", "avg_pool", "grad"]):
        assert_close(a, b, "conv", err_msg=name)


@pytest.mark.parametrize("ksize,size", [((2, 2), (14, 16)), ((3, 3), (15, 12)), ((1, 2), (5, 8)),
                                        ((4, 4), (16, 8)),     # 16 elements: the vector path
                                        ((5, 4), (10, 8))])    # 20: the general loops
@pytest.mark.parametrize("channels,dtype", [(32, np.float32), (19, np.float32),
                                            (300, np.float32), (12, np.float64)])
def test_exactly_tiling_pools_and_gradients_match_numpy_bit_for_bit(ksize, size, channels, dtype):
    """Windows that tile the input (stride = window, no padding) run the vector path
    (pool_kernels._exact): NaN lanes (the first NaN takes the gradient), ties (the first
    maximum takes it), windows all -inf, -0.0 gradients (dx +0.0, as numpy)."""
    x = R.randn(3, *size, channels).astype(dtype)
    x[0, 0, 0, :5] = np.nan
    x[0, :2, :2, 5] = [[1.0, np.nan], [np.nan, 2.0]]
    x[1, :ksize[0], :ksize[1], :4] = 1.0                   # ties
    x[2, :ksize[0], :ksize[1], 2:7] = -np.inf              # a window all -inf
    out = (3, size[0] // ksize[0], size[1] // ksize[1], channels)
    dy = R.randn(*out).astype(dtype)
    dy[0, 0, 0, 5:9] = -0.0

    def build(x, dy):
        k = [1, *ksize, 1]
        mp, ap = tf.nn.max_pool(x, k, k, "VALID"), tf.nn.avg_pool(x, k, k, "VALID")
        return [mp, ap, tf.gradients(mp, x, grad_ys=dy)[0]]

    got, want, _ = _both(build, [x, dy])
    assert "fallback" not in _both.schedule
    for a, b, name in zip(got, want, ["max_pool", "avg_pool", "grad"]):
        np.testing.assert_array_equal(a, b, err_msg=name)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b), err_msg=name)


@pytest.mark.parametrize("shape,kernel", [((4, 14, 14, 32), (5, 5, 32, 64)),   # Winograd
                                          ((4, 13, 11, 3), (3, 3, 3, 8))])     # direct
def test_a_conv_and_its_filter_gradient_share_the_padded_input(shape, kernel):
    """The forward convolution's zero-padded copy of x is read again by the filter
    gradient: one pad kernel, not two. A variable's copy is not shared (an assignment
    between them may change it)."""
    import re
    x = R.randn(*shape).astype(np.float32)
    w = (R.randn(*kernel) * 0.1).astype(np.float32)

    def build(x, w):
        y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        return [y] + tf.gradients(tf.reduce_sum(y * tf.sin(y)), [w])
    got, want, text = _both(build, [x, w])
    for a, b, name in zip(got, want, ["conv", "dw"]):
        assert_close(a, b, "conv", err_msg=name)
    assert len(re.findall(r"define internal i32 @\"?k\d+_pad\"?\(", text)) == 1

    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(x)
        y = tf.nn.conv2d(v, tf.constant(w), [1, 1, 1, 1], "SAME")
        dw = tf.gradients(tf.reduce_sum(y * tf.sin(y)), y)[0]
        fw = tf.nn.conv2d_backprop_filter(v, tf.constant(list(kernel)), dw, [1, 1, 1, 1],
                                          "SAME")
        sess = tf.Session(graph=g, backend="llvm")
        sess.run(tf.global_variables_initializer())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = sess.run(fw)
        text = next(reversed(sess._plans.values())).executable.module_text
    assert_close(got, want[1], "conv")
    assert len(re.findall(r"define internal i32 @\"?k\d+_pad\"?\(", text)) == 2


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmuls_split_across_threads_beside_a_conv_match_numpy(ta, tb):
    """In a plan with a threaded convolution BLAS runs single-threaded and graphc splits
    large matmuls by bands of rows (tall results) or columns (wide ones)."""
    x = R.randn(8, 14, 14, 32).astype(np.float32)
    w = R.randn(5, 5, 32, 64).astype(np.float32)
    tall = R.randn(*((70, 301) if ta else (301, 70))).astype(np.float32)
    wide = R.randn(*((203, 70) if tb else (70, 203))).astype(np.float32)
    batch = R.randn(3, 120, 70).astype(np.float32)

    def build(x, w, tall, wide, batch):
        return [tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"),
                tf.matmul(tall, wide, transpose_a=ta, transpose_b=tb),      # 301 x 203
                tf.matmul(wide, tall, transpose_a=not tb, transpose_b=not ta),  # 203 x 301
                tf.matmul(batch, tf.transpose(batch, [0, 2, 1]))]           # batched
    got, want, text = _both(build, [x, w, tall, wide, batch])
    for a, b in zip(got, want):
        assert_close(a, b, "matmul")


@pytest.mark.parametrize("shape,kernel,stride,padding,dilation", [
    ((16, 28, 28, 32), (3, 3, 32, 1), (1, 1), "SAME", (1, 1)),    # threaded filter sums
    ((4, 11, 13, 5), (3, 2, 5, 3), (2, 1), "VALID", (1, 1)),      # channel multiplier 3
    ((3, 12, 10, 6), (3, 3, 6, 2), (1, 1), "SAME", (2, 2)),       # dilation
    ((2, 9, 9, 4), (2, 2, 4, 1), (2, 2), "SAME", (1, 1)),         # disjoint windows
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_depthwise_conv_and_its_gradients_run_natively_and_match_numpy(
        shape, kernel, stride, padding, dilation, dtype):
    x = R.randn(*shape).astype(dtype)
    w = (R.randn(*kernel) * 0.3).astype(dtype)

    def build(x, w):
        y = tf.nn.depthwise_conv2d(x, w, [1, *stride, 1], padding,
                                   dilations=[1, *dilation, 1])
        return [y] + tf.gradients(tf.reduce_sum(y * tf.sin(y)), [x, w])
    got, want, _ = _both(build, [x, w])
    assert "fallback" not in _both.schedule
    for a, b, name in zip(got, want, ["depthwise", "input grad", "filter grad"]):
        assert_close(a, b, "conv", err_msg=name)


@pytest.mark.parametrize("channels", [1, 16])  # direct and blocked convolutions
def test_bias_and_activation_folded_into_the_conv_match_numpy(channels):
    """A fused elementwise node reading a conv's output (bias add, relu; the pre-activation
    kept for the gradient) runs on each block of the output inside the conv kernel."""
    x = R.randn(8, 14, 14, channels).astype(np.float32)
    w = (R.randn(3, 3, channels, 24) * 0.3).astype(np.float32)
    bias = R.randn(24).astype(np.float32)
    other = R.randn(8, 14, 14, 24).astype(np.float32)

    def build(x, w, bias, other):
        z = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME") + bias
        h = tf.nn.relu(z) * 0.5 + other * tf.reshape(bias, [1, 1, 1, 24])
        return [h] + tf.gradients(tf.reduce_sum(h * h), [x, w, bias])

    got, want, _ = _both(build, [x, w, bias, other])
    for a, b, name in zip(got, want, ["h", "dx", "dw", "dbias"]):
        assert_close(a, b, "conv", err_msg=name)
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(tf.float32, v.shape) for v in (x, w, bias, other)]
        fetch = build(*phs)[0]
        sess = tf.Session(graph=g, backend="llvm")
        sess.run(fetch, dict(zip(phs, (x, w, bias, other))))
        exe = next(reversed(sess._plans.values())).executable
    assert exe._lowering.epilogues, "the bias add and relu were not folded into the conv"


@pytest.mark.parametrize("size,pool_padding", [(14, "SAME"), (15, "VALID"), (15, "SAME")])
def test_relu_gradient_folded_into_an_exactly_tiling_max_pool_gradient(size, pool_padding):
    """relu -> 2x2/2 max-pool's gradient: on even sizes (windows tiling the input) the
    relu gradient runs inside the pool gradient's kernel, on each output row's input rows
    once written; elsewhere as its own kernel; equal to numpy either way."""
    x = R.randn(6, size, size, 3).astype(np.float32)
    w = (R.randn(3, 3, 3, 8) * 0.3).astype(np.float32)
    bias = R.randn(8).astype(np.float32) * 0.1

    def build(x, w, bias):
        h = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME") + bias)
        p = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], pool_padding)
        return tf.gradients(tf.reduce_sum(p * tf.sin(p)), [x, w, bias])
    results, folded = [], None
    for backend in ("llvm", "numpy"):
        g = tf.Graph()
        with g.as_default():
            phs = [tf.placeholder(tf.float32, v.shape) for v in (x, w, bias)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sess = tf.Session(graph=g, backend=backend)
                results.append(sess.run(build(*phs), dict(zip(phs, (x, w, bias)))))
            if backend == "llvm":
                exe = next(reversed(sess._plans.values())).executable
                folded = any(t.op.type == "MaxPoolGrad" for t in exe._lowering.epilogues)
    for a, b, name in zip(*results, ["dx", "dw", "dbias"]):
        assert_close(a, b, "conv", err_msg=name)
    assert folded == (size % 2 == 0)


def test_gradients_with_a_mismatched_dy_raise_tf1_errors_and_never_reach_native_code():
    """Shape inference sizes these gradient ops by their size inputs, so a dy of the
    wrong shape is only caught at run time: by the numpy kernel, never by a native read
    out of bounds."""
    from graphc.ir.ops._base import apply
    from graphc.ir.ops.conv_ops import conv2d_backprop_filter, conv2d_backprop_input
    x = tf.constant(np.ones((2, 8, 8, 3), np.float32))
    f = tf.constant(np.ones((3, 3, 3, 4), np.float32))
    dw = tf.constant(np.ones((3, 3, 3, 2), np.float32))
    dy = tf.constant(np.ones((2, 5, 5, 4), np.float32))  # the conv's output is 8x8
    dyd = tf.constant(np.ones((2, 5, 5, 6), np.float32))
    dyp = tf.constant(np.ones((2, 3, 3, 3), np.float32))  # the pool's output is 4x4
    conv = {"strides": [1, 1, 1, 1], "padding": "SAME", "dilations": [1, 1, 1, 1],
            "data_format": "NHWC"}
    pool = {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME",
            "data_format": "NHWC"}
    bad = [conv2d_backprop_input([2, 8, 8, 3], f, dy, [1, 1, 1, 1], "SAME"),
           conv2d_backprop_filter(x, [3, 3, 3, 4], dy, [1, 1, 1, 1], "SAME"),
           apply("DepthwiseConv2dNativeBackpropInput", (tf.constant([2, 8, 8, 3]), dw, dyd),
                 conv),
           apply("DepthwiseConv2dNativeBackpropFilter", (x, tf.constant([3, 3, 3, 2]), dyd),
                 conv),
           apply("MaxPoolGrad", (x, tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
                                 dyp), pool),
           apply("AvgPoolGrad", (tf.constant([2, 8, 8, 3]), dyp), pool)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t in bad:
            with tf.Session(backend="llvm") as sess, pytest.raises(tf.errors.OpError):
                sess.run(t)
