"""A dense layer's bias add and activation folded into the matmul kernel on the llvm
backend (conv_lowering.fold_epilogue on a 2-D MatMul; kernels.emit_matmul applies the
body to each band right after its BLAS call): values against numpy and the numpy
backend, for bands of rows and of columns, transposes, symbolic batches, a body with a
second output (the pre-activation the gradient keeps), and matmuls it must not fold."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.ir.numerics import assert_close

R = np.random.RandomState(11)


def _run(backend, build, feeds, shapes=None):
    """(results of build(placeholders...), the llvm executable or None)."""
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(tf.as_dtype(v.dtype), s if shapes else v.shape)
               for v, s in zip(feeds, shapes or feeds)]
        fetches = build(*phs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sess = tf.Session(graph=g, backend=backend)
            out = sess.run(fetches, dict(zip(phs, feeds)))
    exe = next(reversed(sess._plans.values())).executable if backend == "llvm" else None
    return out, exe


def _dense(x, w, bias, ta, tb):
    return tf.nn.relu(tf.matmul(x, w, transpose_a=ta, transpose_b=tb) + bias)


@pytest.mark.parametrize("rows,cols", [(301, 70), (70, 203), (3, 5)])  # row/column bands
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_and_relu_folded_into_the_matmul_match_numpy(rows, cols, ta, tb, dtype):
    x = R.randn(*((90, rows) if ta else (rows, 90))).astype(dtype)
    w = R.randn(*((cols, 90) if tb else (90, cols))).astype(dtype)
    bias = R.randn(cols).astype(dtype)

    def build(x, w, bias):
        return _dense(x, w, bias, ta, tb) * 2.0  # the matmul's output feeds one chain only

    want = np.maximum((x.T if ta else x) @ (w.T if tb else w) + bias, 0) * 2
    got, exe = _run("llvm", build, [x, w, bias])
    ref, _ = _run("numpy", build, [x, w, bias])
    assert_close(got, want, "matmul")
    assert_close(got, ref, "matmul")
    assert exe._lowering.epilogues, "the bias add and relu were not folded into the matmul"


def test_a_body_with_a_second_output_and_2d_operands_matches_numpy():
    """The pre-activation kept for relu's gradient is the body's second output; a
    residual [rows, cols] operand is read with 2-D strides; the gradients flow through."""
    x = R.randn(64, 120).astype(np.float32)
    w = (R.randn(120, 96) * 0.2).astype(np.float32)
    bias = R.randn(96).astype(np.float32)
    other = R.randn(64, 96).astype(np.float32)

    def build(x, w, bias, other):
        z = tf.matmul(x, w) + bias + 0.5 * other
        h = tf.nn.relu(z)
        return [h, z] + tf.gradients(tf.reduce_sum(h * h), [x, w, bias])

    got, exe = _run("llvm", build, [x, w, bias, other])
    ref, _ = _run("numpy", build, [x, w, bias, other])
    z = x @ w + bias + 0.5 * other
    assert_close(got[0], np.maximum(z, 0), "matmul")
    assert_close(got[1], z, "matmul")
    for a, b, name in zip(got, ref, ["h", "z", "dx", "dw", "dbias"]):
        assert_close(a, b, "matmul", err_msg=name)
    assert exe._lowering.epilogues


@pytest.mark.parametrize("batch", [1, 17, 64, 100])
def test_symbolic_batch_dense_layers_match_numpy(batch):
    """An MLP on a [None, 784] placeholder: one plan serves every batch; both folded
    layers agree with numpy at each size."""
    rng = np.random.RandomState(batch)
    x = rng.rand(batch, 784).astype(np.float32)
    w1 = (rng.randn(784, 256) * 0.05).astype(np.float32)
    w2 = (rng.randn(256, 10) * 0.05).astype(np.float32)
    b1 = rng.randn(256).astype(np.float32)

    def build(x, w1, b1, w2):
        return tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2)

    shapes = [[None, 784], w1.shape, b1.shape, w2.shape]
    got, exe = _run("llvm", build, [x, w1, b1, w2], shapes)
    ref, _ = _run("numpy", build, [x, w1, b1, w2], shapes)
    assert_close(got, np.maximum(x @ w1 + b1, 0) @ w2, "matmul")
    assert_close(got, ref, "matmul")
    assert exe._lowering.epilogues


def test_not_folded_when_the_matmul_output_has_other_readers():
    """A matmul output that is fetched (or read by a second node) keeps its own buffer:
    the body runs as its own loop and both values are right."""
    x = R.randn(40, 30).astype(np.float32)
    w = R.randn(30, 50).astype(np.float32)
    bias = R.randn(50).astype(np.float32)

    def build(x, w, bias):
        y = tf.matmul(x, w)
        return [y, tf.nn.relu(y + bias)]

    got, exe = _run("llvm", build, [x, w, bias])
    assert_close(got[0], x @ w, "matmul")
    assert_close(got[1], np.maximum(x @ w + bias, 0), "matmul")
    assert not exe._lowering.epilogues


def test_adam_steps_on_dense_layers_match_numpy():
    """Adam's m and v updates both read a weight's gradient (a matmul output): the later
    one must not fold and overwrite the gradient the earlier one's kernel still reads."""
    def train(backend):
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(3)
            x = tf.placeholder(tf.float32, [None, 20])
            y = tf.placeholder(tf.int64, [None])
            logits = tf.layers.dense(tf.layers.dense(x, 16, tf.nn.relu), 10)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=logits))
            step = tf.train.AdamOptimizer(0.01).minimize(loss)
            sess = tf.Session(graph=g, backend=backend)
            sess.run(tf.global_variables_initializer())
        rs = np.random.RandomState(0)
        for n in (64, 17):
            sess.run(step, {x: rs.rand(n, 20).astype(np.float32), y: rs.randint(0, 10, n)})
        return sess.variable_values()

    got, want = train("llvm"), train("numpy")
    for name, value in want.items():
        np.testing.assert_allclose(got[name], value, rtol=1e-4, atol=1e-6, err_msg=name)
