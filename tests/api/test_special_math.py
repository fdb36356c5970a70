"""Special functions and safe divisions (issue 20): values against scipy (TF1 computes
Eigen's versions of the same functions), TF1's special cases, dtype rules, TF1 paths,
gradients against central differences, and fusion into one native loop on llvm."""
import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm.lowering import FallbackWarning
from graphc.passes.manager import PassManager
from graphc.passes.lower import lower
from graphc.passes.prune import build_program

from ..helpers import central_difference

sp = pytest.importorskip("scipy.special")
BACKENDS = ["numpy", "llvm"]


def _run(fetches, feeds, backend):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        with tf.Session(backend=backend) as sess:
            return sess.run(fetches, feeds)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erfc_lgamma_digamma_match_scipy(backend, dtype):
    v = np.concatenate([np.linspace(-6.3, 12.0, 301), [1e-6, 0.5, 1.0, 2.0, 35.0, 170.0]])
    v = v.astype(dtype)
    x = tf.placeholder(dtype, [None])
    got = _run([tf.erfc(x), tf.lgamma(x), tf.digamma(x)], {x: v}, backend)
    wide = v.astype(np.float64)
    tol = dict(rtol=4e-7 if dtype == np.float32 else 1e-12, atol=1e-12)
    np.testing.assert_allclose(got[0], sp.erfc(wide).astype(dtype), **tol)
    np.testing.assert_allclose(got[1], sp.gammaln(wide).astype(dtype), **tol)
    regular = np.abs(sp.digamma(wide)) > 1e-3  # away from the roots
    np.testing.assert_allclose(got[2][regular], sp.digamma(wide)[regular].astype(dtype),
                               rtol=4e-7 if dtype == np.float32 else 1e-11)


@pytest.mark.parametrize("backend", BACKENDS)
def test_special_values_follow_tf1(backend):
    x = tf.placeholder(tf.float64, [None])
    v = np.array([0.0, -1.0, -2.0, np.inf, -np.inf, np.nan])
    lg, dg = _run([tf.lgamma(x), tf.digamma(x)], {x: v}, backend)
    np.testing.assert_array_equal(lg, [np.inf, np.inf, np.inf, np.inf, np.inf, np.nan])
    # Eigen's digamma: NaN at the poles (0 and the negative integers) and at -inf
    np.testing.assert_array_equal(dg, [np.nan, np.nan, np.nan, np.inf, np.nan, np.nan])


@pytest.mark.parametrize("backend", BACKENDS)
def test_xlogy_xdivy_div_no_nan_are_zero_where_tf1_says(backend):
    x = tf.placeholder(tf.float32, [None])
    y = tf.placeholder(tf.float32, [None])
    xv = np.float32([0, 0, 0, 2, 3, np.nan])
    yv = np.float32([0, np.nan, -1, 0, 4, 0])
    a, b, c = _run([tf.math.xlogy(x, y), tf.math.xdivy(x, y), tf.div_no_nan(x, y)],
                   {x: xv, y: yv}, backend)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(a, [0, 0, 0, -np.inf, 3 * np.log(np.float32(4)),
                                          np.nan])
        np.testing.assert_array_equal(b, [0, 0, 0, np.inf, 0.75, np.nan])
    np.testing.assert_array_equal(c, [0, np.nan, 0, 0, 0.75, 0])  # only y == 0 gives 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_polygamma_and_zeta_match_scipy(backend):
    x = tf.placeholder(tf.float64, [None])
    v = np.array([0.25, 1.0, 2.5, 7.0, 40.0, -0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)  # numpy kernels on llvm
        with tf.Session(backend=backend) as sess:
            p0, p1, p3, z = sess.run([tf.polygamma(0.0, x), tf.polygamma(1.0, x),
                                      tf.math.polygamma(3.0, x), tf.zeta(2.5, x)], {x: v})
    np.testing.assert_allclose(p0, sp.digamma(v), rtol=1e-12)
    np.testing.assert_allclose(p1, sp.polygamma(1, v), rtol=1e-12)
    np.testing.assert_allclose(p3, sp.polygamma(3, v), rtol=1e-12)
    np.testing.assert_allclose(z[:5], sp.zeta(2.5, v[:5]), rtol=1e-12)
    assert np.isnan(z[5])  # q^-x of a negative q with a non-integer x


def test_tf1_paths_dtype_rules_and_names():
    assert tf.math.divide_no_nan is tf.div_no_nan and tf.math.erfc is tf.erfc
    for name in ("lgamma", "digamma", "polygamma", "zeta", "xlogy", "xdivy"):
        assert callable(getattr(tf.math, name))
    x = tf.constant([1.0, 2.0])
    assert tf.div_no_nan(x, 2.0).op.name == "div_no_nan"
    assert tf.math.xlogy(x, x).op.type == "Xlogy" and tf.erfc(x).op.name == "Erfc"
    with pytest.raises(TypeError, match="Lgamma.*int32"):
        tf.lgamma(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="same dtype"):
        tf.math.xlogy(x, tf.constant([1.0], tf.float64))


@pytest.mark.parametrize("fn, grad", [
    (tf.erfc, lambda v: -2 / np.sqrt(np.pi) * np.exp(-v * v)),
    (tf.lgamma, sp.digamma),
    (tf.digamma, lambda v: sp.polygamma(1, v)),
])
def test_unary_gradients_are_tf1s(fn, grad):
    v = np.array([0.4, 1.3, 2.7, 6.0, -0.35])
    x = tf.placeholder(tf.float64, [None])
    y = fn(x)
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: v}), grad(v), rtol=1e-9)
        second = tf.gradients(g, [x])[0]  # second order: the rules use differentiable ops
        numeric = central_difference(lambda w: sess.run(g, {x: w}).sum(), v)
        np.testing.assert_allclose(sess.run(second, {x: v}), numeric, rtol=1e-5, atol=1e-8)


def test_binary_gradients_at_zero_are_tf1s():
    x = tf.placeholder(tf.float64, [3])
    y = tf.placeholder(tf.float64, [3])
    gx, gy = tf.gradients(tf.reduce_sum(tf.math.xlogy(x, y)), [x, y])
    hx, hy = tf.gradients(tf.reduce_sum(tf.div_no_nan(x, y)), [x, y])
    with tf.Session() as sess:
        a, b, c, d = sess.run([gx, gy, hx, hy], {x: [0.0, 2.0, 1.0], y: [3.0, 4.0, 0.0]})
    np.testing.assert_allclose(a, [0.0, np.log(4.0), -np.inf])  # TF1: 0 where x == 0
    np.testing.assert_allclose(b, [0.0, 0.5, np.inf])
    np.testing.assert_allclose(c, [1 / 3, 0.25, 0.0])
    np.testing.assert_allclose(d, [0.0, -2.0 / 16, 0.0])


def test_elementwise_specials_fuse_into_one_native_kernel():
    x = tf.placeholder(tf.float32, [256])
    y = tf.placeholder(tf.float32, [256])
    out = tf.digamma(x) * 2.0 + tf.math.xlogy(x, y) + tf.div_no_nan(x, y) - tf.erfc(x) \
        + tf.lgamma(x)
    feeds = [(x, np.linspace(0.1, 9, 256).astype(np.float32)),
             (y, np.linspace(-1, 1, 256).astype(np.float32))]
    program = build_program([out], [], [t for t, _ in feeds])
    plan = PassManager(verify=True).run(lower(program, [((256,), t.dtype) for t, _ in feeds]))
    fused = [op for op in plan.graph.get_operations() if op.type == "Fused"]
    assert len(fused) == 1
    body = {op.type for op in fused[0].subgraphs["body"].get_operations()}
    assert {"Digamma", "Xlogy", "DivNoNan", "Erfc", "Lgamma"} <= body
    want = _run(out, dict(feeds), "numpy")
    got = _run(out, dict(feeds), "llvm")  # a FallbackWarning would be an error
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reduce_logsumexp_l2_normalize_clip_by_norm_at_the_edges(backend):
    x = tf.placeholder(tf.float32, [None, 3])
    v = np.float32([[-np.inf, -np.inf, -np.inf], [np.inf, 1, 2], [1000, 1000, 999],
                    [0, 0, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        with tf.Session(backend=backend) as sess:
            lse, l2, clipped = sess.run([tf.reduce_logsumexp(x, axis=1),
                                         tf.nn.l2_normalize(x[2:], axis=1),
                                         tf.clip_by_norm(x[2:], 1.0, axes=[1])], {x: v})
    # TF1: the max is subtracted only where finite: all -inf gives -inf, an inf gives inf
    np.testing.assert_array_equal(lse[:2], [-np.inf, np.inf])
    np.testing.assert_allclose(lse[2:], [1000 + np.log(2 + np.exp(-1.0)), np.log(3.0)],
                               rtol=1e-6)
    row = v[2] / np.linalg.norm(v[2].astype(np.float64))
    np.testing.assert_allclose(l2, [row, [0, 0, 0]], rtol=1e-6)  # zero rows stay zero
    np.testing.assert_allclose(clipped, [row, [0, 0, 0]], rtol=1e-6)
