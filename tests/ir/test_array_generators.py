"""Value generators: fill, zeros/ones(_like), one_hot, range, sequence_mask, meshgrid."""
import numpy as np
import pytest

from graphc.ir.errors import InvalidArgumentError
from graphc.ir.ops import array_ops as A
from graphc.ir.ops import generator_ops as G
from graphc.ir.ops._base import const_value
from tests.helpers import run
from graphc.ir.ops.core_ops import constant, placeholder


def test_fill():
    d = placeholder("int32", [2])
    f = G.fill(d, 1.5)
    assert f.op.type == "Fill" and f.dtype.name == "float32"
    assert f.shape.as_tuple() == (None, None)
    np.testing.assert_array_equal(run(f, {d: [2, 3]}), np.full((2, 3), 1.5, np.float32))
    assert G.fill([2, 3], np.int64(4)).shape.as_tuple() == (2, 3)
    with pytest.raises(ValueError, match="must be a scalar"):
        G.fill([2], [1, 2])
    with pytest.raises(InvalidArgumentError, match=r"dims\[1\] = -1 must be nonnegative"):
        run(f, {d: [2, -1]})


def test_zeros_ones_static_are_constants_dynamic_are_fill():
    z = G.zeros([2, 3])
    assert z.op.type == "Const" and z.dtype.name == "float32" and z.op.name == "zeros"
    o = G.ones((2,), "int64")
    np.testing.assert_array_equal(run(o), np.ones(2, np.int64))
    big = G.zeros([100, 100], "float64")
    assert big.op.type == "Fill" and big.shape.as_tuple() == (100, 100)
    assert run(big).sum() == 0.0
    x = placeholder("float32", [None, 3])
    zz = G.zeros([A.shape(x)[0], 5])
    assert zz.op.type == "Fill" and zz.shape.as_tuple() == (None, 5)
    assert run(zz, {x: np.zeros((4, 3), np.float32)}).shape == (4, 5)
    oo = G.ones(A.shape(x), "int32")
    assert oo.shape.as_tuple() == (None, 3)
    np.testing.assert_array_equal(run(oo, {x: np.zeros((2, 3), np.float32)}),
                                  np.ones((2, 3), np.int32))
    assert G.zeros([]).shape.as_tuple() == ()


def test_zeros_like_ones_like():
    x = placeholder("float32", [None, 3])
    z, o = G.zeros_like(x), G.ones_like(x)
    assert (z.op.type, o.op.type) == ("ZerosLike", "OnesLike")
    assert z.shape.as_tuple() == (None, 3) and o.dtype.name == "float32"
    v = np.arange(6, dtype=np.float32).reshape(2, 3)
    a, b = run([z, o], {x: v})
    np.testing.assert_array_equal(a, np.zeros_like(v))
    np.testing.assert_array_equal(b, np.ones_like(v))
    c = constant(np.zeros((2, 2), np.int32))
    assert G.zeros_like(c).op.type == "Const"
    assert G.zeros_like(c, optimize=False).op.type == "ZerosLike"
    i = G.ones_like(x, dtype="int64")
    assert i.dtype.name == "int64" and i.shape.as_tuple() == (None, 3)
    np.testing.assert_array_equal(run(i, {x: v}), np.ones((2, 3), np.int64))
    u = placeholder("bool", None)
    assert G.zeros_like(u).shape.ndims is None
    np.testing.assert_array_equal(run(G.zeros_like(u), {u: [True, True]}), [False, False])


def test_one_hot():
    i = placeholder("int32", [None])
    h = G.one_hot(i, 4)
    assert h.dtype.name == "float32" and h.shape.as_tuple() == (None, 4)
    out = run(h, {i: [0, 3, -1, 7]})
    want = np.zeros((4, 4), np.float32)
    want[0, 0] = want[1, 3] = 1
    np.testing.assert_array_equal(out, want)  # out-of-range indices give all-off rows
    j = placeholder("int64", [2, 2])
    h0 = G.one_hot(j, 3, on_value=5, off_value=-1, axis=0)
    assert h0.dtype.name == "int32" and h0.shape.as_tuple() == (3, 2, 2)
    v = np.int64([[0, 2], [1, 1]])
    want = np.where(np.arange(3)[:, None, None] == v[None], 5, -1)
    np.testing.assert_array_equal(run(h0, {j: v}), want)
    assert G.one_hot(i, 2, on_value=1.0, dtype="float64").dtype.name == "float64"
    assert G.one_hot(i, 2, dtype="bool").dtype.name == "bool"
    with pytest.raises(TypeError, match="does not match dtype"):
        G.one_hot(i, 2, on_value=np.float64(1), off_value=np.float32(0))
    with pytest.raises(TypeError, match="does not match dtype parameter"):
        G.one_hot(i, 2, on_value=np.float64(1), dtype="float32")
    with pytest.raises(ValueError, match="depth must be non-negative"):
        G.one_hot(i, -1)
    with pytest.raises(ValueError, match="axis"):
        G.one_hot(i, 2, axis=3)


def test_range_dtype_inference_and_values():
    r = G.range(5)
    assert r.dtype.name == "int32" and r.shape.as_tuple() == (5,)
    np.testing.assert_array_equal(run(r), np.arange(5))
    f = G.range(1, 2.0, 0.25)
    assert f.dtype.name == "float32" and f.shape.as_tuple() == (4,)
    np.testing.assert_allclose(run(f), np.arange(1, 2, 0.25, dtype=np.float32))
    d = G.range(10, 0, -3, dtype="int64")
    assert d.dtype.name == "int64"
    np.testing.assert_array_equal(run(d), [10, 7, 4, 1])
    n = placeholder("int32", [])
    dyn = G.range(n)
    assert dyn.op.type == "Range" and dyn.shape.as_tuple() == (None,)
    np.testing.assert_array_equal(run(dyn, {n: 3}), [0, 1, 2])
    assert list(const_value(G.range(2, 8, 2))) == [2, 4, 6]
    with pytest.raises(ValueError, match="Requires delta != 0"):
        G.range(0, 5, 0)
    with pytest.raises(ValueError, match="Requires start <= limit when delta > 0: 5/1"):
        G.range(5, 1)
    with pytest.raises(InvalidArgumentError, match="Requires start >= limit when delta < 0"):
        run(G.range(0, n, -1), {n: 3})


def test_sequence_mask():
    lengths = placeholder("int32", [None])
    m = G.sequence_mask(lengths, 4)
    assert m.dtype.name == "bool" and m.shape.as_tuple() == (None, 4)
    np.testing.assert_array_equal(run(m, {lengths: [1, 0, 3]}),
                                  np.arange(4) < np.array([1, 0, 3])[:, None])
    n = G.sequence_mask(lengths, dtype="float32")
    assert n.shape.as_tuple() == (None, None)
    out = run(n, {lengths: [2, 1]})
    np.testing.assert_array_equal(out, np.float32([[1, 1], [1, 0]]))
    assert G.sequence_mask([1, 3]).shape.as_tuple() == (2, 3)
    with pytest.raises(ValueError, match="maxlen must be scalar"):
        G.sequence_mask(lengths, [2, 3])


def test_meshgrid():
    x = constant(np.float32([1, 2, 3]))
    y = placeholder("float32", [None])
    X, Y = G.meshgrid(x, y)
    assert X.shape.as_tuple() == (None, 3) and Y.shape.as_tuple() == (None, 3)
    yv = np.float32([10, 20])
    a, b = run([X, Y], {y: yv})
    wa, wb = np.meshgrid([1, 2, 3], yv)
    np.testing.assert_array_equal(a, wa)
    np.testing.assert_array_equal(b, wb)
    mi, mj = G.meshgrid(x, y, indexing="ij")
    a, b = run([mi, mj], {y: yv})
    wa, wb = np.meshgrid([1, 2, 3], yv, indexing="ij")
    np.testing.assert_array_equal(a, wa)
    np.testing.assert_array_equal(b, wb)
