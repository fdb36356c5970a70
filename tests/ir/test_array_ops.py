"""Shape and layout ops: values against numpy, static shapes and errors as in TF1."""
import numpy as np
import pytest

from graphc.ir import get_opdef
from graphc.ir.errors import InvalidArgumentError
from graphc.ir.ops import array_ops as A
from graphc.ir.ops import split_ops as SP
from graphc.ir.ops import tile_pad_ops as T
from graphc.ir.ops._base import const_value, const_value_as_shape
from tests.helpers import run
from graphc.ir.ops.core_ops import constant, placeholder

R = np.random.RandomState(42)


def shape_of(t):
    return t.shape.as_tuple()


# ------------------------------------------------------------------ shape, size, rank
def test_shape_size_rank_fold_to_constants_when_static():
    x = constant(np.zeros((2, 3), np.float32))
    assert A.shape(x).op.type == "Const"
    assert list(run(A.shape(x))) == [2, 3]
    assert run(A.size(x)) == 6 and run(A.rank(x)) == 2
    assert A.shape(x, out_type="int64").dtype.name == "int64"


def test_shape_size_rank_ops_at_run_time():
    x = placeholder("float32", [None, 3])
    s, n, r = A.shape(x), A.size(x), A.rank(placeholder("float32", None, name="u"))
    assert (s.op.type, n.op.type, r.op.type) == ("Shape", "Size", "Rank")
    assert shape_of(s) == (2,) and shape_of(n) == ()
    u = r.op.inputs[0]
    out = run([s, n, r], {x: np.zeros((4, 3), np.float32), u: np.zeros((1, 2, 3))})
    assert list(out[0]) == [4, 3] and out[1] == 12 and out[2] == 3
    assert out[0].dtype == np.int32 and out[1].dtype == np.int32


def test_shape_of_partial_shape_is_partially_known():
    x = placeholder("float32", [None, 3, 4])
    s = A.shape(x)
    assert const_value(s) is None
    assert const_value_as_shape(s).as_tuple() == (None, 3, 4)
    assert const_value_as_shape(s[1:]).as_tuple() == (3, 4)
    assert const_value(s[2]) is None  # a scalar dim is not a constant...
    from graphc.ir.ops._base import dim_from_scalar
    assert dim_from_scalar(s[2]) == 4  # ...but shape inference sees it
    assert dim_from_scalar(s[0]) is None
    assert const_value_as_shape(A.stack([s[0], s[-1], 7])).as_tuple() == (None, 4, 7)


# ------------------------------------------------------------------ reshape
def test_reshape_values_and_inferred_dim():
    v = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x = placeholder("float32", [None, 3, 4])
    r = A.reshape(x, [-1, 12])
    assert shape_of(r) == (None, 12)
    np.testing.assert_array_equal(run(r, {x: v}), v.reshape(-1, 12))


def test_reshape_with_shape_of_batch_infers_the_rest():
    x = placeholder("float32", [None, 3, 4])
    r = A.reshape(x, [A.shape(x)[0], -1])
    assert shape_of(r) == (None, 12)
    r2 = A.reshape(x, A.stack([A.shape(x)[0], 2, -1]))
    assert shape_of(r2) == (None, 2, 6)
    v = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(run(r2, {x: v}), v.reshape(2, 2, 6))


def test_reshape_static_and_runtime_errors():
    x = constant(np.zeros((2, 3), np.float32), name="x")
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape "
                                         r"\[4\].*'x:0' has shape \(2, 3\)"):
        A.reshape(x, [4])
    with pytest.raises(ValueError, match="not a multiple"):
        A.reshape(x, [4, -1])
    with pytest.raises(ValueError, match="only one dimension"):
        A.reshape(x, [-1, -1])
    p = placeholder("float32", [None])
    r = A.reshape(p, [2, -1])
    # The plan is specialised to the fed shape, so the mismatch is found before any
    # kernel runs, and reported as TF1's run-time error class.
    with pytest.raises(InvalidArgumentError, match="Cannot reshape a tensor with 5 elements "
                                                   r"to shape \[2, -1\]"):
        run(r, {p: np.zeros(5, np.float32)})
    r = A.reshape(p, [4])
    with pytest.raises(InvalidArgumentError, match=r"Cannot reshape a tensor with 5 elements "
                                                   r"to shape \[4\]"):
        run(r, {p: np.zeros(5, np.float32)})
    from graphc.ir.registry import get_opdef
    with pytest.raises(InvalidArgumentError, match="Input to reshape is a tensor with 5 "
                                                   "values, but the requested shape "
                                                   "requires a multiple of 2"):
        get_opdef("Reshape").compute(np.zeros(5, np.float32), np.int32([2, -1]))


def test_reshape_scalar_and_unknown_rank():
    x = placeholder("float32", None)
    assert shape_of(A.reshape(x, [2, -1])) == (2, None)
    assert shape_of(A.reshape(constant(np.float32([7.0])), [])) == ()
    assert run(A.reshape(constant(np.float32([7.0])), [])) == 7.0


# ------------------------------------------------------------------ transpose, expand, squeeze
def test_transpose():
    v = R.randn(2, 3, 4).astype(np.float32)
    x = placeholder("float32", [None, 3, 4])
    t1, t2 = A.transpose(x), A.transpose(x, [0, 2, 1])
    assert shape_of(t1) == (4, 3, None) and shape_of(t2) == (None, 4, 3)
    a, b = run([t1, t2], {x: v})
    np.testing.assert_array_equal(a, v.T)
    np.testing.assert_array_equal(b, v.transpose(0, 2, 1))
    with pytest.raises(ValueError, match="not a permutation"):
        A.transpose(x, [0, 0, 1])
    with pytest.raises(ValueError, match="has 2 entries but 'Placeholder:0' has rank 3"):
        A.transpose(x, [1, 0])
    u = placeholder("float64", None)
    assert A.transpose(u).shape.ndims is None
    np.testing.assert_array_equal(run(A.transpose(u), {u: v.astype(np.float64)}), v.T)


def test_expand_dims_and_squeeze():
    x = placeholder("float32", [None, 3])
    assert shape_of(A.expand_dims(x, 0)) == (1, None, 3)
    assert shape_of(A.expand_dims(x, -1)) == (None, 3, 1)
    assert shape_of(A.expand_dims(x, dim=1)) == (None, 1, 3)
    with pytest.raises(ValueError, match="Tried to expand dim index 3"):
        A.expand_dims(x, 3)
    with pytest.raises(ValueError, match="Must specify an axis"):
        A.expand_dims(x)
    y = placeholder("float32", [1, None, 1, 2])
    assert shape_of(A.squeeze(y, [0, 2])) == (None, 2)
    assert shape_of(A.squeeze(y, squeeze_dims=[-2])) == (1, None, 2)
    assert A.squeeze(y).shape.ndims is None  # the unknown dim may be 1
    assert shape_of(A.squeeze(constant(np.zeros((1, 3, 1))))) == (3,)
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[3\], expected a dimension "
                                         r"of 1, got 2"):
        A.squeeze(y, [3])
    v = np.zeros((1, 5, 1, 2), np.float32)
    assert run(A.squeeze(y), {y: v}).shape == (5, 2)
    s = A.squeeze(y, [1])
    with pytest.raises(InvalidArgumentError, match=r"Can not squeeze dim\[1\], expected a "
                                                   r"dimension of 1, got 5"):
        run(s, {y: v})


# ------------------------------------------------------------------ concat, stack, unstack
def test_concat():
    a = placeholder("float32", [None, 3], name="a")
    b = placeholder("float32", [2, None], name="b")
    c = A.concat([a, b], 0)
    assert c.op.type == "ConcatV2" and shape_of(c) == (None, 3)
    assert shape_of(A.concat([b, b], -1)) == (2, None)
    va, vb = R.randn(1, 3).astype(np.float32), R.randn(2, 3).astype(np.float32)
    np.testing.assert_array_equal(run(c, {a: va, b: vb}), np.concatenate([va, vb]))
    d = placeholder("float32", [4, 5], name="d")
    with pytest.raises(ValueError, match=r"Dimension 1 in both shapes must be equal, but "
                                         r"are 3 and 5.*'a:0'.*'d:0'"):
        A.concat([a, d], 0)
    with pytest.raises(ValueError, match="rank"):
        A.concat([a, placeholder("float32", [3])], 0)
    with pytest.raises(TypeError, match="same dtype"):
        A.concat([a, placeholder("float64", [1, 3])], 0)
    assert A.concat([a], 1).op.type == "Identity"
    assert shape_of(A.concat([constant([[1, 2]]), [[3, 4]]], 1)) == (1, 4)


# Plans are specialised to the fed shapes, so shape mismatches that TF1 finds inside a
# kernel are found while the plan is built, before anything runs, with the same error
# class (InvalidArgumentError) and a message naming the op, the tensors and the shapes.


def test_concat_runtime_mismatch():
    a = placeholder("float32", [None, None])
    c = A.concat([a, a[:, 1:]], 0)
    with pytest.raises(InvalidArgumentError, match=r"Dimension 1 in both shapes must be equal, "
                                                   r"but are 3 and 2"):
        run(c, {a: np.zeros((2, 3), np.float32)})


def test_stack_and_unstack():
    x = placeholder("int32", [])
    s = A.stack([x, 3, 4])
    assert s.op.type == "Pack" and s.dtype.name == "int32" and shape_of(s) == (3,)
    assert list(run(s, {x: 9})) == [9, 3, 4]
    assert A.stack([1, 2]).op.type == "Const"
    m = placeholder("float32", [None, 3])
    assert shape_of(A.stack([m, m], axis=1)) == (None, 2, 3)
    assert shape_of(A.stack([m, m], axis=-1)) == (None, 3, 2)
    with pytest.raises(ValueError, match=r"Shapes of all inputs must match"):
        A.stack([m, placeholder("float32", [None, 4])])
    with pytest.raises(ValueError, match=r"axis = 3 not in \[-3, 3\)"):
        A.stack([m, m], axis=3)
    parts = A.unstack(m, axis=1)
    assert len(parts) == 3 and all(shape_of(p) == (None,) for p in parts)
    v = R.randn(2, 3).astype(np.float32)
    for got, want in zip(run(parts, {m: v}), v.T):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="Cannot infer num"):
        A.unstack(m)
    one = A.unstack(placeholder("float32", [1, 2]))
    assert len(one) == 1 and shape_of(one[0]) == (2,)
    u = A.unstack(m, num=2)
    with pytest.raises(InvalidArgumentError, match="is 3, but unstack was asked for num=2 values"):
        run(u, {m: np.zeros((3, 3), np.float32)})


# ------------------------------------------------------------------ split
def test_split_even_and_sizes():
    x = placeholder("float32", [None, 6])
    parts = SP.split(x, 3, axis=1)
    assert [shape_of(p) for p in parts] == [(None, 2)] * 3
    v = R.randn(2, 6).astype(np.float32)
    for got, want in zip(run(parts, {x: v}), np.split(v, 3, axis=1)):
        np.testing.assert_array_equal(got, want)
    sizes = SP.split(x, [1, -1, 2], axis=1)
    assert sizes[0].op.type == "SplitV"
    assert [shape_of(p) for p in sizes] == [(None, 1), (None, 3), (None, 2)]
    for got, want in zip(run(sizes, {x: v}), np.split(v, [1, 4], axis=1)):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="evenly divisible by 4 but is 6"):
        SP.split(x, 4, axis=1)
    with pytest.raises(ValueError, match="Got: 5"):
        SP.split(x, [2, 3], axis=1)
    with pytest.raises(ValueError, match="at most one -1"):
        SP.split(x, [-1, -1], axis=1)
    y = placeholder("float32", [None])
    s = SP.split(y, 2)
    with pytest.raises(InvalidArgumentError, match=r"Dimension size must be evenly divisible "
                                                   r"by 2 but is 5"):
        run(s, {y: np.zeros(5, np.float32)})
    single = SP.split(y, 1)
    assert len(single) == 1
    np.testing.assert_array_equal(run(single[0], {y: np.ones(3, np.float32)}), np.ones(3))


# ------------------------------------------------------------------ tile, pad, reverse, broadcast
def test_tile():
    x = placeholder("float32", [None, 3])
    t = T.tile(x, [2, 3])
    assert shape_of(t) == (None, 9)
    v = R.randn(2, 3).astype(np.float32)
    np.testing.assert_array_equal(run(t, {x: v}), np.tile(v, [2, 3]))
    m = placeholder("int32", [2])
    assert shape_of(T.tile(x, m)) == (None, None)
    assert shape_of(T.tile(x, A.stack([A.shape(x)[0], 2]))) == (None, 6)
    with pytest.raises(ValueError, match="multiples"):
        T.tile(x, [1, 2, 3])


def test_tile_runtime_error():
    u = placeholder("float32", None)
    m = placeholder("int32", [None])
    with pytest.raises(InvalidArgumentError, match=r"multiples '.*' has 3 entries but '.*' "
                                                   r"has shape \(2, 2\)"):
        run(T.tile(u, m), {u: np.zeros((2, 2), np.float32), m: np.int32([1, 2, 3])})


def test_pad_modes():
    v = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = placeholder("float32", [None, 3])
    c = T.pad(x, [[1, 0], [0, 2]], constant_values=-1)
    r = T.pad(x, [[1, 1], [2, 2]], mode="reflect")
    s = T.pad(x, [[2, 2], [1, 0]], mode="Symmetric")
    assert (c.op.type, r.op.type) == ("Pad", "MirrorPad")
    assert shape_of(c) == (None, 5) and shape_of(r) == (None, 7)
    a, b, d = run([c, r, s], {x: v})
    np.testing.assert_array_equal(a, np.pad(v, [[1, 0], [0, 2]], constant_values=-1))
    np.testing.assert_array_equal(b, np.pad(v, [[1, 1], [2, 2]], mode="reflect"))
    np.testing.assert_array_equal(d, np.pad(v, [[2, 2], [1, 0]], mode="symmetric"))
    with pytest.raises(ValueError, match="no greater than the dimension size"):
        T.pad(x, [[0, 0], [3, 0]], mode="REFLECT")
    with pytest.raises(ValueError, match="rank of inputs"):
        T.pad(x, [[0, 0]])
    with pytest.raises(ValueError, match="Unknown padding mode"):
        T.pad(x, [[0, 0], [0, 0]], mode="wrap")
    with pytest.raises(InvalidArgumentError, match="no greater than the dimension size"):
        run(r, {x: np.zeros((1, 3), np.float32)})


def test_reverse():
    v = R.randn(2, 3, 4).astype(np.float32)
    x = placeholder("float32", [None, 3, 4])
    r = T.reverse(x, [0, -1])
    assert shape_of(r) == (None, 3, 4)
    np.testing.assert_array_equal(run(r, {x: v}), v[::-1, :, ::-1])
    with pytest.raises(ValueError, match="more than once"):
        T.reverse(x, [1, -2])
    with pytest.raises(ValueError, match="out of valid range"):
        T.reverse(x, [3])


def test_broadcast_to():
    x = placeholder("float32", [None, 1])
    b = T.broadcast_to(x, [2, 4])
    assert shape_of(b) == (2, 4)
    v = np.float32([[1], [2]])
    np.testing.assert_array_equal(run(b, {x: v}), np.broadcast_to(v, (2, 4)))
    y = placeholder("float32", [None, 4])
    assert shape_of(T.broadcast_to(x, A.shape(y))) == (None, 4)
    z = placeholder("float32", [3])
    assert shape_of(T.broadcast_to(z, A.stack([A.shape(y)[0], -1]))) == (None, 3)
    with pytest.raises(ValueError, match="Incompatible shapes"):
        T.broadcast_to(z, [2, 4])
    with pytest.raises(InvalidArgumentError, match=r"Incompatible shapes: cannot broadcast "
                                                   r"'.*' of shape \(3, 1\) to \(2, 4\)"):
        run(b, {x: np.zeros((3, 1), np.float32)})


def test_const_value_sees_through_array_ops():
    s = A.reshape(A.concat([[2], [3]], 0), [2])
    assert list(const_value(s)) == [2, 3]
    assert shape_of(A.reshape(placeholder("float32", [6]), s)) == (2, 3)
    assert const_value(T.tile([1, 2], [2])).tolist() == [1, 2, 1, 2]


def test_compute_does_not_mutate_inputs():
    v = np.arange(6, dtype=np.float32).reshape(2, 3)
    keep = v.copy()
    get_opdef("Pad").compute(v, paddings=((1, 1), (0, 0)), constant_values=0.0)
    get_opdef("ReverseV2").compute(v, axis=(0,))
    get_opdef("Transpose").compute(v, perm=None)
    np.testing.assert_array_equal(v, keep)


def test_size_of_zero_dim_is_zero_statically():
    x = placeholder("float32", [None, 0])
    assert A.size(x).op.type == "Const" and run(A.size(x)) == 0


def test_family_builders_are_exposed_from_their_own_modules():
    """`tf.<name>` is the builder of the module that defines it; array_ops does not
    re-export its siblings' builders (callers import from the defining module)."""
    import importlib
    import graphc as tf
    for module, names in {"array_ops": ("reshape",),
                          "slicing_ops": ("slice", "strided_slice", "gather", "boolean_mask"),
                          "tile_pad_ops": ("tile", "pad", "broadcast_to", "reverse"),
                          "generator_ops": ("fill", "zeros", "ones_like", "one_hot", "range",
                                            "sequence_mask", "meshgrid")}.items():
        mod = importlib.import_module(f"graphc.ir.ops.{module}")
        for name in names:
            assert getattr(tf, name) is getattr(mod, name), name
            assert getattr(tf, name).__module__ == mod.__name__, name
    assert tf.newaxis is None
    assert not hasattr(tf, "getitem")
    for name in ("tile", "gather", "fill", "no_such_builder"):
        assert not hasattr(A, name), name


def test_deprecated_argument_names_are_tf1s():
    """`dim`, `keep_dims`, `reduction_indices`, `dimension`, `squeeze_dims`: TF1's old
    names work alone and are refused together with the new ones (one helper, _base)."""
    import graphc as tf
    x = tf.constant(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    assert A.expand_dims(x, dim=0).shape.as_list() == [1, 2, 3]
    assert tf.reduce_sum(x, reduction_indices=[1], keep_dims=True).shape.as_list() == [2, 1]
    assert tf.argmax(x, dimension=1).shape.as_list() == [2]
    assert A.squeeze(A.expand_dims(x, 0), squeeze_dims=[0]).shape.as_list() == [2, 3]
    assert tf.nn.softmax(x, dim=0).op.attrs["axis"] == 0
    for call, old, new in ((lambda: A.expand_dims(x, 0, dim=0), "dim", "axis"),
                           (lambda: tf.reduce_sum(x, 1, reduction_indices=1),
                            "reduction_indices", "axis"),
                           (lambda: tf.reduce_mean(x, keepdims=True, keep_dims=True),
                            "keep_dims", "keepdims"),
                           (lambda: tf.argmax(x, 1, dimension=1), "dimension", "axis"),
                           (lambda: tf.nn.softmax(x, 0, dim=0), "dim", "axis"),
                           (lambda: tf.losses.cosine_distance(x, x, axis=1, dim=1),
                            "dim", "axis")):
        with pytest.raises(ValueError, match=f"Cannot specify both '{old}' and '{new}'"):
            call()
