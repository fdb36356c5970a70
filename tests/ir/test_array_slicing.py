"""Indexing: getitem/StridedSlice (TF1 masks), Slice, GatherV2, GatherNd, BooleanMask."""
import numpy as np
import pytest

from graphc.ir import get_opdef
from graphc.ir.errors import InvalidArgumentError
from graphc.ir.ops import array_ops as A
from graphc.ir.ops import slicing_ops as S
from graphc.ir.ops._base import dim_from_scalar, const_value
from tests.helpers import run
from graphc.ir.ops.core_ops import constant, placeholder

R = np.random.RandomState(7)
V = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)


KEYS = [
    0, -1, 1, (0, 1), (1, -1, 2), slice(None), slice(1, None), slice(None, -1),
    slice(None, None, -1), slice(None, None, 2), slice(10, -10, -1), slice(-10, 10),
    (slice(None), 2), (Ellipsis, 1), (Ellipsis, slice(None, None, -2)), (1, Ellipsis, 0),
    (None,), (None, 1, None), (slice(None), None, slice(1, 3)), (Ellipsis, None),
    (0, slice(2, 0, -1), slice(3, None, -2)), (slice(5, 1),), (slice(1, 1),),
    (slice(None), slice(None), slice(None, None, 3)), (-2, -3, -4),
]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_getitem_matches_numpy(key):
    x = placeholder("float32", [2, 3, 4])
    y = x[key]
    want = V[key]
    assert y.op.type == "StridedSlice"
    assert y.shape.as_tuple() == want.shape, f"static shape {y.shape} for {key!r}"
    got = run(y, {x: V})
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_getitem_with_unknown_dims_runs_and_stays_compatible(key):
    x = placeholder("float32", [None, 3, None])
    y = x[key]
    got = run(y, {x: V})
    np.testing.assert_array_equal(got, V[key])
    assert y.shape.is_compatible_with(got.shape)


def test_getitem_masks_like_tf1():
    x = placeholder("float32", [2, 3, 4])
    op = x[1:, ..., None, ::2, 0].op
    assert op.attrs == {"begin_mask": 8, "end_mask": 1 | 8, "ellipsis_mask": 2,
                        "new_axis_mask": 4, "shrink_axis_mask": 16}
    assert [list(const_value(t)) for t in op.inputs[1:]] == [[1, 0, 0, 0, 0],
                                                             [0, 0, 0, 0, 1],
                                                             [1, 1, 1, 2, 1]]
    assert x[1:, ..., None, ::2, 0].shape.as_tuple() == V[1:, ..., None, ::2, 0].shape


def test_getitem_unknown_rank_input():
    x = placeholder("float32", None)
    y = x[1:, 0]
    assert y.shape.ndims is None
    np.testing.assert_array_equal(run(y, {x: V}), V[1:, 0])


def test_getitem_tensor_index_and_bounds():
    x = placeholder("float32", [None, 3, 4])
    i = placeholder("int32", [])
    j = placeholder("int64", [])
    y = x[i, 1:]
    assert y.shape.as_tuple() == (2, 4)
    np.testing.assert_array_equal(run(y, {x: V, i: 1}), V[1, 1:])
    z = x[:, j:]
    assert z.op.inputs[1].dtype.name == "int64"  # int64 index: all of begin/end/strides
    np.testing.assert_array_equal(run(x[:, :, j:], {x: V, j: 2}), V[:, :, 2:])
    np.testing.assert_array_equal(run(x[-1, i], {x: V, i: -2}), V[-1, -2])


def test_getitem_tensor_valued_slice_bounds():
    x = placeholder("float32", [None, 4])
    n = A.shape(x)[0]
    y = x[:n, 1:3]
    assert y.shape.as_tuple() == (None, 2)
    np.testing.assert_array_equal(run(y, {x: V[0]}), V[0][:, 1:3])


def test_getitem_shape_dims_are_known_statically():
    x = placeholder("float32", [None, 3, 4])
    s = A.shape(x)
    assert dim_from_scalar(s[1]) == 3 and dim_from_scalar(s[-1]) == 4
    assert dim_from_scalar(s[0]) is None
    assert s[0].shape.as_tuple() == ()
    assert run(s[0], {x: V}) == 2


def test_getitem_out_of_range_constant_is_a_build_error():
    x = placeholder("float32", [None, 3])
    with pytest.raises(ValueError, match="slice index 3 of dimension 1 out of bounds"):
        x[:, 3]
    with pytest.raises(ValueError, match="slice index -1 of dimension 1 out of bounds"):
        x[:, -4]
    with pytest.raises(ValueError, match="Index out of range using input dim 2"):
        x[0, 0, 0]


def test_getitem_out_of_range_at_run_time():
    x = placeholder("float32", [None])
    y = x[5]
    with pytest.raises(InvalidArgumentError, match=r"slice index 5 of dimension 0 out of "
                                                   r"bounds\."):
        run(y, {x: np.zeros(3, np.float32)})
    i = placeholder("int32", [])
    z = constant(np.zeros(3, np.float32))[i]
    with pytest.raises(InvalidArgumentError, match="slice index -1 of dimension 0"):
        run(z, {i: -4})


def test_getitem_bad_keys():
    x = placeholder("float32", [None, 3])
    with pytest.raises(TypeError, match="Only integers, slices"):
        x[0.5]
    with pytest.raises(TypeError, match="Only integers, slices"):
        x[placeholder("float32", [])]
    with pytest.raises(TypeError, match="Only integers, slices"):
        x[placeholder("int32", [2])]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        x[..., ...]
    with pytest.raises(ValueError, match="strides\\[0\\] must be non-zero"):
        x[::0]


def test_strided_slice_builder_masks():
    x = constant(V)
    y = S.strided_slice(x, [0, 1], [0, 3], [1, 1], begin_mask=1, end_mask=1)
    np.testing.assert_array_equal(run(y), V[:, 1:3])
    y = S.strided_slice(x, [1, 0], [2, 0], shrink_axis_mask=1, end_mask=2)
    assert y.shape.as_tuple() == (3, 4)
    np.testing.assert_array_equal(run(y), V[1])
    y = S.strided_slice(x, [0, 0], [0, 0], [1, 1], ellipsis_mask=1, new_axis_mask=2)
    assert y.shape.as_tuple() == (2, 3, 4, 1)
    b = placeholder("int32", [2])
    y = S.strided_slice(x, b, [2, 3])
    assert y.shape.as_tuple() == (None, None, 4)
    np.testing.assert_array_equal(run(y, {b: [1, 1]}), V[1:2, 1:3])


def test_strided_slice_compute_rejects_bad_specs():
    ss = get_opdef("StridedSlice").compute
    masks = dict(begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                 shrink_axis_mask=0)
    with pytest.raises(InvalidArgumentError, match="equal size"):
        ss(V, np.int32([0, 0]), np.int32([1]), np.int32([1]), **masks)
    with pytest.raises(InvalidArgumentError, match="only stride 1 allowed"):
        ss(V, np.int32([0]), np.int32([1]), np.int32([-1]), **dict(masks, shrink_axis_mask=1))


# ------------------------------------------------------------------ Slice
def test_slice():
    x = placeholder("float32", [None, 3, 4])
    y = S.slice(x, [0, 1, 1], [-1, 2, 2])
    assert y.op.type == "Slice" and y.shape.as_tuple() == (None, 2, 2)
    np.testing.assert_array_equal(run(y, {x: V}), V[:, 1:3, 1:3])
    b = placeholder("int32", [3])
    y = S.slice(x, b, [1, -1, 2])
    assert y.shape.as_tuple() == (1, None, 2)
    np.testing.assert_array_equal(run(y, {x: V, b: [1, 2, 0]}), V[1:2, 2:, 0:2])
    with pytest.raises(ValueError, match=r"Expected size\[1\] in \[0, 2\], but got 3"):
        S.slice(x, [0, 1, 0], [1, 3, 1])
    with pytest.raises(ValueError, match="size 3"):
        S.slice(x, [0, 0], [1, 1])
    with pytest.raises(InvalidArgumentError, match=r"Expected begin\[1\] in \[0, 3\], but "
                                                   r"got 4"):
        run(S.slice(x, b, [1, 1, 1]), {x: V, b: [0, 4, 0]})
    with pytest.raises(InvalidArgumentError, match=r"Expected size\[0\] in \[0, 1\], but "
                                                   r"got 2"):
        run(S.slice(x, b, [2, 1, 1]), {x: V, b: [1, 0, 0]})


# ------------------------------------------------------------------ gather, gather_nd
def test_gather():
    params = placeholder("float32", [None, 3, 4])
    i = S.gather(params, [[2, 0], [1, 1]], axis=2)
    assert i.op.type == "GatherV2" and i.shape.as_tuple() == (None, 3, 2, 2)
    np.testing.assert_array_equal(run(i, {params: V}), np.take(V, [[2, 0], [1, 1]], axis=2))
    j = S.gather(params, placeholder("int64", [None], name="idx"), axis=-2)
    assert j.shape.as_tuple() == (None, None, 4)
    assert S.gather(constant(np.arange(5)), 3).shape.as_tuple() == ()
    with pytest.raises(TypeError, match="indices"):
        S.gather(params, placeholder("float32", [2]))


def test_gather_out_of_range_is_an_error_not_a_wrap():
    p = constant(np.arange(5, dtype=np.float32))
    idx = placeholder("int32", [None])
    g = S.gather(p, idx)
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = 7 is not in \[0, 5\)"):
        run(g, {idx: [0, 7, 1]})
    with pytest.raises(InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 5\)"):
        run(g, {idx: [-1]})
    m = placeholder("int32", [2, 2])
    with pytest.raises(InvalidArgumentError, match=r"indices\[1,0\] = 5 is not in"):
        run(S.gather(p, m), {m: [[0, 1], [5, 0]]})


def test_gather_nd():
    p = placeholder("float32", [None, 3, 4])
    g = S.gather_nd(p, [[0, 1], [1, 2]])
    assert g.shape.as_tuple() == (2, 4)
    np.testing.assert_array_equal(run(g, {p: V}), np.stack([V[0, 1], V[1, 2]]))
    h = S.gather_nd(p, [[[1, 0, 3]]])
    assert h.shape.as_tuple() == (1, 1)
    assert run(h, {p: V})[0, 0] == V[1, 0, 3]
    bad = S.gather_nd(p, [[0, 0], [0, 3]])
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = \[0, 3\] does not index "
                                                   r"into param shape \[2,3,4\]"):
        run(bad, {p: V})


# ------------------------------------------------------------------ boolean_mask
def test_boolean_mask():
    x = placeholder("float32", [None, 3, 4])
    m = placeholder("bool", [None, 3])
    y = S.boolean_mask(x, m)
    assert y.shape.as_tuple() == (None, 4)
    mv = R.rand(2, 3) > 0.5
    np.testing.assert_array_equal(run(y, {x: V, m: mv}), V[mv])
    z = S.boolean_mask(x, [True, False, True, True], axis=2)
    assert z.shape.as_tuple() == (None, 3, 3)
    np.testing.assert_array_equal(run(z, {x: V}), V[:, :, [0, 2, 3]])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        S.boolean_mask(x, True)
    with pytest.raises(ValueError, match="Number of mask dimensions must be specified"):
        S.boolean_mask(x, placeholder("bool", None))
    with pytest.raises(ValueError, match="incompatible"):
        S.boolean_mask(x, placeholder("bool", [None, 4]))
    m2 = placeholder("bool", [None, None])
    with pytest.raises(InvalidArgumentError, match="incompatible"):
        run(S.boolean_mask(x, m2), {x: V, m2: np.ones((2, 2), bool)})
