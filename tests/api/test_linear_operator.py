"""tf.linalg's LinearOperator family (graphc/linear_operator.py and
linear_operator_structured.py): every operator's methods against its dense matrix,
computed with numpy alone (tests/api/linear_operator_cases.py), on both backends;
gradients through the structured methods against central differences; hints and their
refusals as TF's; values against TensorFlow (tests/fixtures/tf/linear_operator.npz, made
by tests/fixtures/tf/make_linear_operator_fixtures.py)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from tests.api.linear_operator_cases import cases
from tests.helpers import central_difference, run_both

L = tf.linalg
with tf.Graph().as_default():          # (the names only: no graph kept alive)
    NAMES = sorted(cases(L, {"float64": tf.float64, "complex128": tf.complex128}))
X = np.random.RandomState(32)
FIXTURE = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf",
                       "linear_operator.npz")


def _both(fetches):
    numpy_result, llvm_result = run_both(fetches)
    for key in fetches:
        np.testing.assert_allclose(llvm_result[key], numpy_result[key], rtol=1e-12,
                                   atol=1e-12, err_msg=key)
    return numpy_result


def _arg(dense, rows, cols=2):
    x = X.randn(*dense.shape[:-2], rows, cols)
    return (x + 1j * X.randn(*x.shape)) if np.iscomplexobj(dense) else x


def _h(a):
    return np.conj(np.swapaxes(a, -1, -2))


def _fetches(op, dense):
    """The operator's methods to fetch, with what numpy says each must be."""
    m, n = dense.shape[-2:]
    x, xa, v = _arg(dense, n), _arg(dense, m), _arg(dense, n, 1)[..., 0]
    y = _arg(dense, m, n)
    got = {"to_dense": op.to_dense(), "shape_tensor": op.shape_tensor(),
           "matmul": op.matmul(x), "matmul_adjoint": op.matmul(xa, adjoint=True),
           "matmul_adjoint_arg": op.matmul(_h(x), adjoint_arg=True), "matvec": op.matvec(v),
           "add_to_tensor": op.add_to_tensor(y), "adjoint": op.adjoint().to_dense(),
           "H": op.H.to_dense(), "operator_product": (op @ x)}
    want = {"to_dense": dense, "shape_tensor": np.int32(dense.shape),
            "matmul": dense @ x, "matmul_adjoint": _h(dense) @ xa,
            "matmul_adjoint_arg": dense @ x, "matvec": (dense @ v[..., None])[..., 0],
            "add_to_tensor": dense + y, "adjoint": _h(dense), "H": _h(dense),
            "operator_product": dense @ x}
    if m == n:
        got.update(diag_part=op.diag_part(), trace=op.trace())
        want.update(diag_part=np.diagonal(dense, axis1=-2, axis2=-1),
                    trace=np.trace(dense, axis1=-2, axis2=-1))
    if m == n and op.is_non_singular is not False:
        got.update(solve=op.solve(x), solve_adjoint=op.solve(x, adjoint=True),
                   solvevec=op.solvevec(v), determinant=op.determinant(),
                   log_abs_determinant=op.log_abs_determinant(),
                   inverse=op.inverse().to_dense(), cond=op.cond())
        s = np.linalg.svd(dense, compute_uv=False)
        want.update(solve=np.linalg.solve(dense, x), solve_adjoint=np.linalg.solve(
            _h(dense), x), solvevec=np.linalg.solve(dense, v[..., None])[..., 0],
            determinant=np.linalg.det(dense), log_abs_determinant=np.linalg.slogdet(dense)[1],
            inverse=np.linalg.inv(dense), cond=s[..., 0] / s[..., -1])
    if op.is_self_adjoint:
        got["eigvals"] = op.eigvals()
        want["eigvals"] = np.linalg.eigvalsh(dense)
    if op.is_self_adjoint and op.is_positive_definite:
        got["cholesky"] = op.cholesky().to_dense()
        want["cholesky"] = np.linalg.cholesky(dense)
    return got, want


@pytest.mark.parametrize("name", NAMES)
def test_methods_against_the_dense_matrix(name):
    with tf.Graph().as_default():
        op, dense = cases(L, {"float64": tf.float64, "complex128": tf.complex128})[name]
        assert op.shape.as_tuple() == dense.shape
        assert op.batch_shape.as_tuple() == dense.shape[:-2]
        assert op.tensor_rank == dense.ndim
        assert op.domain_dimension.value == dense.shape[-1]
        assert op.range_dimension.value == dense.shape[-2]
        assert op.dtype.np == dense.dtype or (op.dtype.is_complex and
                                              np.iscomplexobj(dense))
        got, want = _fetches(op, dense)
        results = _both(got)
    for key, value in want.items():
        result = results[key]
        if key == "eigvals":
            result = np.sort(np.real(result), axis=-1)
        np.testing.assert_allclose(result, value, rtol=1e-9, atol=1e-9,
                                   err_msg=f"{name}.{key}")


RHS, RHS4, RHS6 = X.randn(3, 2), X.randn(4, 2), X.randn(6, 2)


def _grad_check(build, x0, weights):
    def loss(x):
        return tf.reduce_sum(build(x) * weights)

    def f(x):
        with tf.Graph().as_default():
            return tf.Session().run(loss(tf.constant(x)))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, x0.shape)
        grad = tf.gradients(loss(x), x)[0]
        numpy_grad, llvm_grad = run_both(grad, {x: x0})
    np.testing.assert_allclose(llvm_grad, numpy_grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(numpy_grad, central_difference(f, x0), rtol=1e-5, atol=1e-7)


def _real_circulant(kernel):
    spectrum = tf.signal.fft(tf.cast(kernel, tf.complex128))
    return L.LinearOperatorCirculant(spectrum, input_output_dtype=tf.float64)


GRADIENTS = {
    "diag_solve": (lambda d: L.LinearOperatorDiag(d).solve(RHS), X.randn(3) + 2,
                   X.randn(3, 2)),
    "diag_log_abs_det": (lambda d: L.LinearOperatorDiag(d).log_abs_determinant(),
                         X.randn(3) + 2, 1.0),
    "lower_triangular_solve": (lambda t: L.LinearOperatorLowerTriangular(t).solve(
        RHS, adjoint=True), X.randn(3, 3) + 3 * np.eye(3), X.randn(3, 2)),
    "full_spd_log_abs_det": (lambda m: L.LinearOperatorFullMatrix(
        tf.matmul(m, m, transpose_b=True) + 3 * np.eye(3), is_self_adjoint=True,
        is_positive_definite=True).log_abs_determinant(), X.randn(3, 3), 1.0),
    "circulant_matmul": (lambda k: _real_circulant(k).matmul(RHS4), X.randn(4),
                         X.randn(4, 2)),
    "circulant_solve": (lambda k: _real_circulant(k).solve(RHS4),
                        X.randn(4) + np.array([4.0, 0, 0, 0]), X.randn(4, 2)),
    "toeplitz_matmul": (lambda c: L.LinearOperatorToeplitz(c, tf.concat(
        [c[:1], np.float64([0.5, -1.0])], 0)).matmul(RHS), X.randn(3), X.randn(3, 2)),
    "kronecker_solve": (lambda a: L.LinearOperatorKronecker([
        L.LinearOperatorFullMatrix(a), L.LinearOperatorFullMatrix(np.eye(2) * 2 + 0.3)])
        .solve(RHS6), X.randn(3, 3) + 3 * np.eye(3), X.randn(6, 2)),
    "kronecker_log_abs_det": (lambda a: L.LinearOperatorKronecker([
        L.LinearOperatorFullMatrix(a), L.LinearOperatorFullMatrix(np.eye(2) * 2 + 0.3)])
        .log_abs_determinant(), X.randn(3, 3) + 3 * np.eye(3), 1.0),
    "low_rank_update_solve": (lambda u: L.LinearOperatorLowRankUpdate(
        L.LinearOperatorDiag(np.float64([1.0, 2.0, 3.0])), u, diag_update=[0.5, 2.0])
        .solve(RHS), X.randn(3, 2), X.randn(3, 2)),
    "low_rank_update_det": (lambda u: L.LinearOperatorLowRankUpdate(
        L.LinearOperatorDiag(np.float64([1.0, 2.0, 3.0]), is_positive_definite=True), u)
        .log_abs_determinant(), X.randn(3, 2), 1.0),
    "householder_matmul": (lambda v: L.LinearOperatorHouseholder(v).matmul(RHS),
                           X.randn(3), X.randn(3, 2)),
    "block_lower_triangular_solve": (lambda c: L.LinearOperatorBlockLowerTriangular(
        [[L.LinearOperatorFullMatrix(np.float64([[2.0, 0.3], [0.1, 1.5]]))],
         [L.LinearOperatorFullMatrix(c), L.LinearOperatorDiag(np.float64([1.7]))]])
        .solve(RHS), X.randn(1, 2), X.randn(3, 2)),
    "tridiag_solve": (lambda d: L.LinearOperatorTridiag(d).solve(RHS),
                      X.randn(3, 3) + np.array([[0.0], [4.0], [0.0]]), X.randn(3, 2)),
    "permutation_matmul": (lambda x: L.LinearOperatorPermutation([2, 0, 1], dtype=tf.float64)
                           .matmul(x, adjoint=True), X.randn(3, 2), X.randn(3, 2)),
    "scaled_identity_solve": (lambda m: L.LinearOperatorScaledIdentity(3, m[0]).solve(RHS),
                              np.float64([1.7]), X.randn(3, 2)),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients_against_central_differences(name):
    build, x0, weights = GRADIENTS[name]
    _grad_check(build, x0, weights)


def test_hints_as_tf():
    with tf.Graph().as_default():
        full = L.LinearOperatorFullMatrix(np.eye(2), is_positive_definite=True)
        assert full.is_non_singular and full.is_square and full.is_self_adjoint is None
        assert L.LinearOperatorDiag([1.0, 2.0]).is_self_adjoint       # real diagonal
        assert L.LinearOperatorIdentity(2).adjoint().inverse().cholesky().shape == (2, 2)
        diag = L.LinearOperatorDiag(np.float64([1.0, 2.0]))
        assert diag.adjoint() is diag and diag.H is diag
        assert isinstance(full.adjoint(), L.LinearOperatorAdjoint)
        assert isinstance(full.inverse(), L.LinearOperatorInversion)
        assert isinstance(full.matmul(diag), L.LinearOperatorComposition)
        assert full.matmul(L.LinearOperatorIdentity(2, dtype=tf.float64)) is full
        assert isinstance(full.solve(diag), L.LinearOperatorComposition)
        assert full.inverse().name == "LinearOperatorFullMatrix_inv"
        assert L.LinearOperatorComposition([full, diag]).name == \
            "LinearOperatorFullMatrix_o_LinearOperatorDiag"
        with pytest.raises(ValueError, match="always non-singular"):
            L.LinearOperatorFullMatrix(np.eye(2), is_positive_definite=True,
                                       is_non_singular=False)
        with pytest.raises(ValueError, match="always self adjoint"):
            L.LinearOperatorDiag([1.0], is_self_adjoint=False)
        with pytest.raises(ValueError, match="always singular"):
            L.LinearOperatorZeros(2, is_non_singular=True)
        with pytest.raises(ValueError, match="always self adjoint"):
            L.LinearOperatorHouseholder([1.0, 0.0], is_self_adjoint=False)
        with pytest.raises(ValueError, match="unique integers"):
            L.LinearOperatorPermutation([0, 0, 1])
        with pytest.raises(NotImplementedError, match="singular"):
            L.LinearOperatorZeros(2).solve(np.ones((2, 1), np.float32))
        with pytest.raises(ValueError, match="Cholesky"):
            L.LinearOperatorFullMatrix(np.eye(2)).cholesky()
        with pytest.raises(TypeError, match="dtype"):
            L.LinearOperatorFullMatrix(np.eye(2)).matmul(np.eye(2, dtype=np.float32))
        with pytest.raises(ValueError, match="not compatible"):
            L.LinearOperatorFullMatrix(np.eye(2)).matmul(np.eye(3))
        with pytest.raises(TypeError, match="same dtype"):
            L.LinearOperatorComposition([full, L.LinearOperatorDiag(np.float32([1, 2]))])
        with pytest.raises(NotImplementedError, match="self-adjoint"):
            L.LinearOperatorFullMatrix(np.eye(2)).eigvals()
        with L.LinearOperatorDiag([1.0]).name_scope as scope:
            assert scope.startswith("LinearOperatorDiag")


def test_assertions_run():
    with tf.Graph().as_default():
        good = [L.LinearOperatorFullMatrix(np.float64([[2, 1], [1, 2]]),
                                           is_self_adjoint=True).assert_positive_definite(),
                L.LinearOperatorFullMatrix(np.float64([[2, 1], [1, 2]])).assert_self_adjoint(),
                L.LinearOperatorFullMatrix(np.float64([[2, 1], [1, 2]])).assert_non_singular(),
                L.LinearOperatorDiag([1.0, 2.0]).assert_non_singular(),
                L.LinearOperatorCirculant(np.fft.fft([1.0, 2.0, 3.0]),
                                          input_output_dtype=tf.float64)
                .assert_hermitian_spectrum()]
        bad = [lambda: L.LinearOperatorFullMatrix(np.float64([[1, 2], [0, 1]]))
               .assert_self_adjoint(),
               lambda: L.LinearOperatorFullMatrix(np.float64([[1, 2], [2, 4]]))
               .assert_non_singular(),
               lambda: L.LinearOperatorDiag([1.0, 0.0]).assert_non_singular(),
               lambda: L.LinearOperatorFullMatrix(np.float64([[1, 0], [0, -1]]),
                                                  is_self_adjoint=True)
               .assert_positive_definite()]
        with tf.Session() as sess:
            sess.run(good)
            for build in bad:   # (raised when built where the values are constants, as TF)
                with pytest.raises(tf.errors.InvalidArgumentError):
                    sess.run(build())


@pytest.mark.skipif(not os.path.exists(FIXTURE), reason="no TensorFlow fixture")
def test_against_tensorflow():
    fixture = np.load(FIXTURE)
    names = sorted({k.split(":")[0] for k in fixture.files})
    assert len(names) >= 10
    with tf.Graph().as_default():
        ops = cases(L, {"float64": tf.float64, "complex128": tf.complex128})
        fetches = {}
        for name in names:
            op, dense = ops[name]
            for method in ("to_dense", "determinant", "log_abs_determinant", "trace",
                           "diag_part"):
                if f"{name}:{method}" in fixture.files:
                    fetches[f"{name}:{method}"] = getattr(op, method)()
            if f"{name}:matmul" in fixture.files:
                fetches[f"{name}:matmul"] = op.matmul(fixture[f"{name}:x"])
                fetches[f"{name}:solve"] = op.solve(fixture[f"{name}:x"])
        got = _both(fetches)
    for key, value in got.items():
        np.testing.assert_allclose(value, fixture[key], rtol=1e-9, atol=1e-10, err_msg=key)


def test_run_time_shapes_and_complex_adjoint():
    x = X.randn(2, 3, 3) + 3 * np.eye(3)
    d = X.randn(2, 3) + 3
    rhs = X.randn(3, 2)
    with tf.Graph().as_default():
        m = tf.placeholder(tf.float64, [None, 3, 3])
        v = tf.placeholder(tf.float64, [None, None])
        full, diag = L.LinearOperatorFullMatrix(m), L.LinearOperatorDiag(v)
        assert full.batch_shape.as_list() == [None] and diag.shape.as_list() == [None] * 3
        product = L.LinearOperatorComposition([full, diag])
        block = L.LinearOperatorBlockDiag([diag, L.LinearOperatorFullMatrix(np.eye(2))])
        fetches = {"solve": full.solve(rhs), "shape": product.shape_tensor(),
                   "det": product.determinant(), "diag": diag.to_dense(),
                   "block": block.to_dense(),
                   "adjoint": tf.linalg.adjoint(np.complex128([[1 + 2j, 3j], [1, 2]]))}
        got = run_both(fetches, {m: x, v: d})[0]
    np.testing.assert_allclose(got["solve"], np.linalg.solve(x, rhs), rtol=1e-10)
    np.testing.assert_array_equal(got["shape"], [2, 3, 3])
    np.testing.assert_allclose(got["det"], np.linalg.det(x) * np.prod(d, -1), rtol=1e-10)
    np.testing.assert_array_equal(got["block"][0][:3, :3], np.diag(d[0]))
    np.testing.assert_array_equal(got["block"][1][3:, 3:], np.eye(2))
    np.testing.assert_array_equal(got["adjoint"], [[1 - 2j, 1], [-3j, 2]])


def test_zeros_refuses_the_assertions_it_can_never_pass_as_tensorflow():
    """TF's LinearOperatorZeros raises InvalidArgumentError from assert_non_singular and
    assert_positive_definite (they can never hold)."""
    zeros = tf.linalg.LinearOperatorZeros(3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="always non-invertible"):
        zeros.assert_non_singular()
    with pytest.raises(tf.errors.InvalidArgumentError, match="always non-positive definite"):
        zeros.assert_positive_definite()
