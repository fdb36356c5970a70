"""The llvm backend's JIT float32 GEMM (backends/llvm/gemm.py): the function itself,
compiled for this host whatever its vector width (LLVM splits 512-bit vectors on a
narrower CPU), against numpy for every layout, odd and empty shapes, leading dims wider
than the matrix, row and column tails, NaN and infinity; then matmuls through a Session,
which use it where `gemm.handles` says so: symbolic batches (batch 1 included), bands
split across the pool, batch matmuls, gradients."""
from __future__ import annotations

import ctypes
import warnings

import numpy as np
import pytest
from llvmlite import ir

import graphc as tf
from graphc.backends.llvm import gemm
from graphc.backends.llvm.target import host
from graphc.ir.numerics import assert_close

R = np.random.RandomState(5)
LAYOUTS = [(False, False), (True, False), (False, True), (True, True)]


@pytest.fixture(scope="module")
def sgemm():
    """{(trans_a, trans_b): ctypes function (M, N, K, A, lda, B, ldb, C, ldc)}."""
    h = host()
    module = ir.Module("test_gemm")
    module.triple = h.triple
    for ta, tb in LAYOUTS:
        inner = gemm.gemm_function(module, ta, tb)
        outer = ir.Function(module, gemm.GEMM_TYPE, name=f"test_sgemm_{int(ta)}{int(tb)}")
        b = ir.IRBuilder(outer.append_basic_block())
        b.call(inner, list(outer.args))
        b.ret_void()
    compiled = h.parse(str(module))
    h.optimize(compiled)
    engine = h.engine(compiled)
    i64, p = ctypes.c_int64, ctypes.c_void_p
    proto = ctypes.CFUNCTYPE(None, i64, i64, i64, p, i64, p, i64, p, i64, p)
    fns = {lay: proto(engine.get_function_address(f"test_sgemm_{int(lay[0])}{int(lay[1])}"))
           for lay in LAYOUTS}
    fns["engine"] = engine  # (kept alive with the functions)
    return fns


SCRATCH = np.zeros(gemm.SCRATCH_FLOATS, np.float32)  # (the panel one call packs into)


def _call(fn, a, b, ta, tb, pad=(0, 0, 0)):
    """op(a) @ op(b) by `fn`, each operand stored (transposed when asked) inside a wider
    array (`pad` extra columns of A, B and C: leading dims past the matrix)."""
    m, k = a.shape
    n = b.shape[1]
    sa = a.T if ta else a
    sb = b.T if tb else b
    wa = np.full((sa.shape[0], sa.shape[1] + pad[0]), np.nan, np.float32)
    wb = np.full((sb.shape[0], sb.shape[1] + pad[1]), np.nan, np.float32)
    wa[:, :sa.shape[1]] = sa
    wb[:, :sb.shape[1]] = sb
    c = np.full((m, n + pad[2]), 7.0, np.float32)
    fn(m, n, k, wa.ctypes.data, wa.shape[1], wb.ctypes.data, wb.shape[1], c.ctypes.data,
       c.shape[1], SCRATCH.ctypes.data)
    assert (c[:, n:] == 7.0).all(), "the GEMM wrote past C's columns"
    return c[:, :n]


# (m, k, n): row, column and K tails; K past one block (gemm.KC) and not a multiple of
# it; N past one packed block (gemm.NC); M = 1, K = 1; M from gemm.PACK_MIN_M (B packed)
SHAPES = [(1, 1, 1), (3, 5, 7), (8, 16, 32), (9, 0, 5), (13, 7, 16), (5, 3, 33),
          (17, 33, 49), (15, 64, 31), (100, 784, 10), (100, 256, 256), (2, 300, 65),
          (1, 700, 300), (70, 1, 45), (37, 523, 290), (11, 257, 513), (260, 300, 45),
          (263, 40, 300)]


@pytest.mark.parametrize("ta,tb", LAYOUTS)
@pytest.mark.parametrize("m,k,n", SHAPES)
def test_the_gemm_matches_numpy(sgemm, m, k, n, ta, tb):
    a = R.randn(m, k).astype(np.float32)
    b = R.randn(k, n).astype(np.float32)
    got = _call(sgemm[ta, tb], a, b, ta, tb)
    assert_close(got, a @ b, "matmul")


@pytest.mark.parametrize("ta,tb", LAYOUTS)
def test_leading_dims_past_the_matrix_are_not_read_or_written(sgemm, ta, tb):
    a = R.randn(11, 21).astype(np.float32)
    b = R.randn(21, 37).astype(np.float32)
    got = _call(sgemm[ta, tb], a, b, ta, tb, pad=(3, 5, 2))  # (the padding is NaN)
    assert_close(got, a @ b, "matmul")


@pytest.mark.parametrize("ta,tb", LAYOUTS)
def test_nan_and_infinity_propagate_as_numpy(sgemm, ta, tb):
    a = R.randn(9, 6).astype(np.float32)
    b = R.randn(6, 19).astype(np.float32)
    a[2, 3] = np.nan
    a[5, 1] = np.inf
    b[4, 18] = -np.inf
    with np.errstate(invalid="ignore"):
        want = a @ b
    got = _call(sgemm[ta, tb], a, b, ta, tb)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    assert_close(got[finite], want[finite], "matmul")


def _session(build, feeds, shapes):
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(tf.as_dtype(v.dtype), s) for v, s in zip(feeds, shapes)]
        fetches = build(*phs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sess = tf.Session(graph=g, backend="llvm")
    return sess, phs, fetches


def test_matmuls_use_it_where_it_handles_them():
    x = R.randn(10, 20).astype(np.float32)
    w = R.randn(20, 30).astype(np.float32)
    sess, (px, pw), y = _session(tf.matmul, [x, w], [x.shape, w.shape])
    assert_close(sess.run(y, {px: x, pw: w}), x @ w, "matmul")
    lowering = next(reversed(sess._plans.values())).executable._lowering
    uses_blas = not gemm.handles(host(), tf.float32, False, False, 10, 30, 20)
    assert lowering.blas_single == (uses_blas and host().blas_threads.available)


@pytest.mark.parametrize("ta,tb", LAYOUTS)
def test_a_symbolic_batch_matches_numpy_at_every_size(ta, tb):
    """One plan for [None, 784] @ [784, 256] (the MLP's first layer), run at batch 1,
    odd batches and batches the pool splits into bands of rows."""
    w = (R.randn(*((256, 300) if tb else (300, 256))) * 0.1).astype(np.float32)
    if ta:
        def build(x, w):
            return tf.matmul(x, w, transpose_a=True, transpose_b=tb)
        xshape = [300, None]
    else:
        def build(x, w):
            return tf.matmul(x, w, transpose_b=tb)
        xshape = [None, 300]
    sess, (px, pw), y = _session(build, [np.zeros((1, 1), np.float32), w],
                                 [xshape, w.shape])
    for batch in (100, 1, 7, 257):  # (compiled at 100: B^T then takes the JIT GEMM too)
        x = R.randn(*((300, batch) if ta else (batch, 300))).astype(np.float32)
        got = sess.run(y, {px: x, pw: w})
        assert_close(got, (x.T if ta else x) @ (w.T if tb else w), "matmul",
                     err_msg=f"batch {batch}")


@pytest.mark.parametrize("tb", [False, True])  # (B^T splits by columns: gemm.py packs it)
@pytest.mark.parametrize("m,n", [(1000, 40), (40, 1000), (333, 333), (1000, 17)])
def test_matmuls_split_across_the_pool_by_rows_and_columns_match_numpy(m, n, tb):
    a = R.randn(m, 200).astype(np.float32)
    b = R.randn(*((n, 200) if tb else (200, n))).astype(np.float32)
    sess, (pa, pb), y = _session(lambda a, b: tf.matmul(a, b, transpose_b=tb), [a, b],
                                 [a.shape, b.shape])
    for _ in range(3):  # (the pool's back-off may run some calls inline)
        assert_close(sess.run(y, {pa: a, pb: b}), a @ (b.T if tb else b), "matmul")


def test_batch_matmuls_and_gradients_match_numpy():
    a = R.randn(3, 1, 9, 17).astype(np.float32)
    b = R.randn(4, 17, 6).astype(np.float32)

    def build(a, b):
        c = tf.matmul(a, b)
        return [c] + tf.gradients(tf.reduce_sum(c * c), [a, b])
    sess, (pa, pb), ys = _session(build, [a, b], [a.shape, b.shape])
    got = sess.run(ys, {pa: a, pb: b})
    c = a @ b
    assert_close(got[0], c, "matmul")
    assert_close(got[1], (2 * c @ np.swapaxes(b, -1, -2)).sum(axis=1, keepdims=True),
                 "matmul")
    assert_close(got[2], (np.swapaxes(a, -1, -2) @ (2 * c)).sum(axis=0), "matmul")


@pytest.mark.parametrize("tb", [False, True])
def test_batch_matmuls_over_several_k_and_n_blocks_match_numpy(tb):
    a = R.randn(2, 1, 70, gemm.KC + 44).astype(np.float32)
    b = R.randn(3, *((gemm.NC + 34, gemm.KC + 44) if tb else (gemm.KC + 44, gemm.NC + 34)))
    b = b.astype(np.float32)
    sess, (pa, pb), y = _session(lambda a, b: tf.matmul(a, b, transpose_b=tb), [a, b],
                                 [a.shape, b.shape])
    assert_close(sess.run(y, {pa: a, pb: b}), a @ (np.swapaxes(b, -1, -2) if tb else b),
                 "matmul")


def test_float64_and_a_short_transposed_b_keep_the_blas():
    assert not gemm.handles(host(), tf.float64, False, False, 100, 30, 10)
    if host().blas is not None:  # (without it the GEMM takes every float32 matmul)
        assert not gemm.handles(host(), tf.float32, False, True, gemm.min_packed_rows(30) - 1,
                                30, 10)
    a = R.randn(5, 1027).astype(np.float32)
    b = R.randn(7, 1027).astype(np.float32)
    sess, (pa, pb), y = _session(lambda a, b: tf.matmul(a, b, transpose_b=True), [a, b],
                                 [a.shape, b.shape])
    assert_close(sess.run(y, {pa: a, pb: b}), a @ b.T, "matmul")


@pytest.mark.parametrize("ta,tb", LAYOUTS)
def test_a_long_k_and_wide_n_split_across_the_pool_match_numpy(ta, tb):
    """K over several blocks and N over several packed blocks, rows from PACK_MIN_M (B
    packed too), the pool's bands each packing into their own scratch panel."""
    m, k, n = gemm.PACK_MIN_M + 5, 2 * gemm.KC + 37, gemm.NC + 45
    a = R.randn(*((k, m) if ta else (m, k))).astype(np.float32)
    b = R.randn(*((n, k) if tb else (k, n))).astype(np.float32)
    sess, (pa, pb), y = _session(
        lambda a, b: tf.matmul(a, b, transpose_a=ta, transpose_b=tb), [a, b],
        [a.shape, b.shape])
    want = (a.T if ta else a) @ (b.T if tb else b)
    for _ in range(3):  # (the pool's back-off may run some calls inline)
        assert_close(sess.run(y, {pa: a, pb: b}), want, "matmul")


def test_a_transposed_b_with_a_symbolic_batch_picks_the_gemm_by_rows_at_run_time():
    """B^T packs a panel per call, which a few rows do not repay: a symbolic M compiles
    both calls and takes the BLAS's below min_packed_rows (batch 1: an LSTM step)."""
    w = R.randn(40, 128).astype(np.float32)
    sess, (px, pw), y = _session(lambda x, w: tf.matmul(x, w, transpose_b=True),
                                 [np.zeros((1, 128), np.float32), w], [[None, 128], w.shape])
    rows = gemm.min_packed_rows(40)
    for batch in (1, rows - 1, rows, 300):
        x = R.randn(batch, 128).astype(np.float32)
        assert_close(sess.run(y, {px: x, pw: w}), x @ w.T, "matmul", err_msg=f"batch {batch}")
    if host().blas is not None and "+avx512f" in host().features.split(","):
        lowering = next(reversed(sess._plans.values())).executable._lowering
        assert lowering.blas_single == host().blas_threads.available  # (both calls)


def test_a_run_on_a_thread_with_a_small_stack_packs_into_the_runtime_s_scratch():
    """threading.stack_size's least (32 KiB): the GEMM's packed panels live in the
    workspace, not on the caller's stack (a stack array of K * 32 floats overflowed it)."""
    import threading
    a = R.randn(100, 1000).astype(np.float32)
    b = R.randn(40, 1000).astype(np.float32)
    sess, (pa, pb), y = _session(lambda a, b: tf.matmul(a, b, transpose_b=True),
                                 [a, b], [[None, 1000], b.shape])
    sess.run(y, {pa: a[:70], pb: b})  # (compiled here: LLVM wants a larger stack)
    got = {}
    old = threading.stack_size(32 * 1024)
    try:
        t = threading.Thread(target=lambda: got.update(y=sess.run(y, {pa: a, pb: b})))
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    assert_close(got["y"], a @ b.T, "matmul")


@pytest.mark.parametrize("ta,tb", LAYOUTS)
def test_float32_matmuls_on_the_blas_path_match_numpy(monkeypatch, ta, tb):
    """The path every float32 matmul takes on a host without AVX-512 (the BLAS's sgemm),
    which this suite's AVX-512 hosts would otherwise leave unrun: a symbolic batch, a
    fused bias and relu, and the gradients, at odd sizes."""
    from graphc.backends.llvm import lowering_rules
    monkeypatch.setattr(lowering_rules, "gemm_handles", lambda *args: False)
    w = (R.randn(*((29, 31) if tb else (31, 29))) * 0.1).astype(np.float32)
    bias = R.randn(29).astype(np.float32)

    def build(x, w):
        y = tf.nn.relu(tf.matmul(x, w, transpose_a=ta, transpose_b=tb) + bias)
        return [y] + tf.gradients(tf.reduce_sum(y * y), [x, w])
    xshape = [31, None] if ta else [None, 31]
    sess, (px, pw), ys = _session(build, [np.zeros((1, 1), np.float32), w], [xshape, w.shape])
    for batch in (13, 1, 70):
        x = R.randn(*((31, batch) if ta else (batch, 31))).astype(np.float32)
        y, gx, gw = sess.run(ys, {px: x, pw: w})
        xa, wb = (x.T if ta else x), (w.T if tb else w)
        want = np.maximum(xa @ wb + bias, 0)
        assert_close(y, want, "matmul", err_msg=f"batch {batch}")
        g = 2 * want
        assert_close(gx, (g @ wb.T).T if ta else g @ wb.T, "matmul", err_msg=f"batch {batch}")
        assert_close(gw, (xa.T @ g).T if tb else xa.T @ g, "matmul", err_msg=f"batch {batch}")
    lowering = next(reversed(sess._plans.values())).executable._lowering
    assert lowering.blas_single == host().blas_threads.available
