"""complex64/complex128 end to end: dtypes, tf.complex/real/imag/angle/conj/abs, the
elementwise math TF1 allows on complex tensors, casts, TF1's gradient convention
(dL/dx + i dL/dy), GraphDef and checkpoint round trips, on both backends."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import graphc as tf

BACKENDS = ["numpy", "llvm"]
R = np.random.RandomState(5)


def _run(fetches, feeds=None, backend="numpy"):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # complex tensors fall back without warnings
        with tf.Session(backend=backend) as sess:
            return sess.run(fetches, feeds)


def test_dtypes():
    assert tf.as_dtype(np.complex64) is tf.complex64
    assert tf.as_dtype("complex128") is tf.complex128 and tf.as_dtype(complex) is tf.complex128
    assert tf.complex64.is_complex and not tf.complex64.is_floating
    assert tf.complex64.real_dtype is tf.float32 and tf.complex128.real_dtype is tf.float64
    assert tf.float32.real_dtype is tf.float32
    assert tf.complex64.size == 8
    with pytest.raises(TypeError):
        tf.complex64.max  # noqa: B018 (TF1: no maximum of a complex type)


@pytest.mark.parametrize("backend", BACKENDS)
def test_parts_values(backend):
    z = tf.placeholder(tf.complex64, [None])
    v = np.complex64([1 + 2j, -3 - 4j, 0, -2])
    got = _run([tf.real(z), tf.imag(z), tf.angle(z), tf.abs(z), tf.conj(z)], {z: v}, backend)
    want = [v.real, v.imag, np.angle(v), np.abs(v), np.conj(v)]
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_real_inputs_as_tf1():
    x = tf.constant([-1.5, 0.0, 2.0])
    assert tf.real(x) is x and tf.conj(x) is x
    imag, angle = _run([tf.imag(x), tf.angle(x)])
    np.testing.assert_array_equal(imag, [0, 0, 0])
    np.testing.assert_allclose(angle, [np.pi, 0, 0])
    with pytest.raises(TypeError, match="numeric"):
        tf.conj(tf.constant("a"))
    with pytest.raises(TypeError, match="float32 or float64"):
        tf.complex(tf.constant([1]), tf.constant([2]))
    with pytest.raises(TypeError, match="float32"):
        tf.complex(tf.constant([1.0]), tf.constant([2.0], tf.float64))


@pytest.mark.parametrize("backend", BACKENDS)
def test_elementwise_math_and_casts(backend):
    v = np.complex128([1 + 2j, -0.5 + 0.25j, 3 - 1j])
    z = tf.placeholder(tf.complex128, [3])
    ops = {"exp": (tf.exp, np.exp), "log": (tf.log, np.log), "sqrt": (tf.sqrt, np.sqrt),
           "sin": (tf.sin, np.sin), "cos": (tf.cos, np.cos), "tanh": (tf.tanh, np.tanh),
           "square": (tf.square, np.square), "reciprocal": (tf.reciprocal, lambda a: 1 / a),
           "neg": (tf.negative, np.negative), "sign": (tf.sign, lambda a: a / np.abs(a)),
           "div": (lambda a: a / (a + 1), lambda a: a / (a + 1)),
           "sum": (tf.reduce_sum, np.sum), "mean": (tf.reduce_mean, np.mean),
           "matmul": (lambda a: tf.matmul(tf.reshape(a, [1, 3]), tf.reshape(a, [1, 3]),
                                          adjoint_b=True),
                      lambda a: a[None] @ np.conj(a)[:, None]),
           "transpose": (lambda a: tf.transpose(tf.reshape(a, [1, 3]), conjugate=True),
                         lambda a: np.conj(a)[:, None]),
           "to_float": (lambda a: tf.cast(a, tf.float32), lambda a: a.real.astype(np.float32)),
           "to_complex64": (tf.to_complex64, lambda a: a.astype(np.complex64))}
    got = _run({k: f(z) for k, (f, _) in ops.items()}, {z: v}, backend)
    for k, (_, f) in ops.items():
        np.testing.assert_allclose(got[k], f(v), rtol=1e-6, err_msg=k)
        assert got[k].dtype == np.asarray(f(v)).dtype, k
    assert _run(tf.to_complex128(tf.constant([1.0, 2.0]))).tolist() == [1 + 0j, 2 + 0j]


def _loss_and_grads(build, shape):
    x = tf.placeholder(tf.float64, shape)
    y = tf.placeholder(tf.float64, shape)
    out = build(tf.complex(x, y))
    w_re, w_im = R.uniform(0.5, 1.5, shape), R.uniform(0.5, 1.5, shape)
    loss = tf.reduce_sum(tf.real(out) * w_re + tf.imag(out) * w_im)
    return x, y, loss, tf.gradients(loss, [x, y])


CASES = {
    "mul_div": lambda z: z * tf.constant(np.complex128([1 + 2j, -1j, 3])) / (z + 2.0),
    "exp_log": lambda z: tf.exp(z) + tf.log(z),
    "sqrt_square": lambda z: tf.sqrt(z) * tf.square(z),
    "trig": lambda z: tf.sin(z) - tf.cos(z) * tf.tanh(z),
    "reciprocal_rsqrt": lambda z: tf.reciprocal(z) + tf.rsqrt(z),
    "conj": lambda z: tf.conj(z) * z * z,
    "abs_angle": lambda z: tf.cast(tf.abs(z) + tf.angle(z), tf.complex128),
    "matmul": lambda z: tf.reshape(tf.matmul(tf.reshape(z, [3, 1]), tf.reshape(z, [1, 3])),
                                   [9])[:3],
    "reduce": lambda z: z * tf.reduce_mean(z) + tf.reduce_sum(z * z),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_follow_tf1_convention(case):
    """The gradient with respect to the real and imaginary parts matches central
    differences: TF1's dL/dz = dL/dx + i dL/dy, through every rule on the path."""
    x, y, loss, (gx, gy) = _loss_and_grads(CASES[case], [3])
    base = {x: np.array([1.0, 2.0, -0.5]), y: np.array([0.3, -1.0, 2.0])}
    with tf.Session(backend="numpy") as sess:
        ax, ay = sess.run([gx, gy], base)
        for t, got in ((x, ax), (y, ay)):
            num = np.zeros(3)
            for i in range(3):
                e = np.eye(3)[i] * 1e-6
                num[i] = (sess.run(loss, {**base, t: base[t] + e}) -
                          sess.run(loss, {**base, t: base[t] - e})) / 2e-6
            np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-7, err_msg=case)
    with tf.Session(backend="llvm") as sess:
        bx, by = sess.run([gx, gy], base)
    np.testing.assert_allclose(bx, ax, rtol=1e-12)
    np.testing.assert_allclose(by, ay, rtol=1e-12)


def test_gradient_with_respect_to_a_complex_tensor():
    z = tf.placeholder(tf.complex64, [2])
    g, = tf.gradients(tf.square(z), [z], grad_ys=tf.constant(np.complex64([1, 1j])))
    v = np.complex64([1 + 1j, 2 - 1j])
    # TF1: grad * conj(2 z)
    np.testing.assert_allclose(_run(g, {z: v}), np.complex64([1, 1j]) * np.conj(2 * v))
    with pytest.raises(TypeError, match="grad_ys"):
        tf.gradients(tf.square(z), [z])


def test_graph_def_and_checkpoint_round_trip(tmp_path):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        c = tf.constant(np.complex64([1 + 2j, 3 - 1j]), name="c")
        z = tf.complex(x, x) * c
        outs = [tf.abs(z, name="r"), tf.angle(tf.conj(z), name="a"), tf.imag(z, name="i")]
        want = _run(outs, {x: [1, 2]})
    gd = g.as_graph_def()
    assert {"Complex", "ComplexAbs", "Conj", "Angle", "Imag"} <= {n.op for n in gd.node}
    const = next(n for n in gd.node if n.name == "c")
    assert const.attr["dtype"].type == 8  # DT_COMPLEX64
    parsed = tf.GraphDef()
    parsed.ParseFromString(gd.SerializeToString())
    with tf.Graph().as_default():
        tf.import_graph_def(parsed, name="")
        got = _run(["r:0", "a:0", "i:0"], {"x:0": [1, 2]})
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    proto = tf.make_tensor_proto(np.complex128(1 + 2j))
    assert proto.dtype == 18 and list(proto.dcomplex_val) == [1.0, 2.0]
    assert tf.make_ndarray(proto) == 1 + 2j

    values = {"v": np.complex128([1 + 2j, 3]), "w": np.complex64([[1j, -2]])}
    with tf.Graph().as_default():
        vs = [tf.Variable(val, name=n) for n, val in values.items()]
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        vs = [tf.Variable(np.zeros_like(val), name=n) for n, val in values.items()]
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, str(tmp_path / "m"))
            for v, val in zip(sess.run(vs), values.values()):
                assert v.dtype == val.dtype
                np.testing.assert_array_equal(v, val)


def test_graphc_file_round_trip(tmp_path):
    g = tf.Graph()
    with g.as_default():
        z = tf.placeholder(tf.complex128, [2], name="z")
        out = tf.identity(tf.exp(z) * tf.constant(np.complex128([1j, 2])), name="out")
    from graphc.ir.serialize import import_graph_def, read_graph_file, write_graph_file
    path = str(tmp_path / "g.graphc")
    write_graph_file(g, path)
    g2 = tf.Graph()
    import_graph_def(read_graph_file(path), g2)
    v = np.complex128([0.5j, 1])
    with g.as_default():
        want = _run(out, {z: v})
    with g2.as_default():
        got = _run("out:0", {"z:0": v})
    np.testing.assert_array_equal(got, want)
