"""Contract samples for the array family (array_ops, slicing_ops, generator_ops)."""
import numpy as np

from graphc.ir.ops import array_ops as A
from graphc.ir.ops import split_ops as SP
from graphc.ir.ops import generator_ops as G
from graphc.ir.ops import slicing_ops as S
from graphc.ir.ops import tile_pad_ops as T
from graphc.ir.ops.core_ops import placeholder as ph

R = np.random.RandomState(0)


def f32(*shape):
    return R.randn(*shape).astype(np.float32)


def f64(*shape):
    return R.randn(*shape)


# ------------------------------------------------------------------ Shape, Size, Rank
def _shape_partial():
    x = ph("float32", [None, 3])
    return A.shape(x), {x: f32(4, 3)}


def _shape_unknown_rank_int64():
    x = ph("float64", None)
    return A.shape(x, out_type="int64"), {x: f64(2, 3, 4)}


def _size_partial():
    x = ph("float32", [None, 3])
    return A.size(x), {x: f32(5, 3)}


def _size_unknown_rank():
    x = ph("int32", None)
    return A.size(x, out_type="int64"), {x: np.arange(6, dtype=np.int32).reshape(3, 2)}


def _rank_unknown():
    x = ph("float32", None)
    return A.rank(x), {x: f32(2, 2, 2)}


def _rank_scalar_fed():
    x = ph("float64", None)
    return A.rank(x), {x: np.float64(1.5)}


# ------------------------------------------------------------------ Reshape and friends
def _reshape_shape_of():
    x = ph("float32", [None, 3, 4])
    return A.reshape(x, [A.shape(x)[0], -1]), {x: f32(2, 3, 4)}


def _reshape_unknown_rank():
    x = ph("float64", None)
    return A.reshape(x, [-1]), {x: f64(2, 5)}


def _reshape_runtime_shape():
    x = ph("int32", [6])
    s = ph("int32", [2])
    return A.reshape(x, s), {x: np.arange(6, dtype=np.int32), s: np.int32([3, 2])}


def _transpose_default():
    x = ph("float32", [None, 3, 4])
    return A.transpose(x), {x: f32(2, 3, 4)}


def _transpose_default_float64():
    x = ph("float64", [None, 3])
    return A.transpose(x), {x: f64(2, 3)}


def _transpose_perm_unknown_rank():
    x = ph("float64", None)
    return A.transpose(x, [1, 0, 2]), {x: f64(2, 3, 4)}


def _expand_dims_neg():
    x = ph("float32", [None, 3])
    return A.expand_dims(x, -1), {x: f32(2, 3)}


def _expand_dims_unknown_rank():
    x = ph("int64", None)
    return A.expand_dims(x, 0), {x: np.arange(3, dtype=np.int64)}


def _expand_dims_f64():
    x = ph("float64", [None, 3])
    return A.expand_dims(x, 1), {x: f64(2, 3)}


def _pad_f64():
    x = ph("float64", [None, 2])
    return T.pad(x, [[1, 2], [0, 1]]), {x: f64(3, 2)}


def _squeeze_axis():
    x = ph("float32", [None, 1, 3])
    return A.squeeze(x, [1]), {x: f32(4, 1, 3)}


def _squeeze_all_unknown_rank():
    x = ph("float64", None)
    return A.squeeze(x), {x: f64(1, 2, 1)}


# ------------------------------------------------------------------ ConcatV2, Pack, Unpack
def _concat_partial():
    x = ph("float32", [None, 3])
    y = ph("float32", [2, None])
    return A.concat([x, y], 0), {x: f32(1, 3), y: f32(2, 3)}


def _concat_unknown_rank():
    x = ph("float64", None)
    y = ph("float64", [2, 2])
    return A.concat([x, y], -1), {x: f64(2, 1), y: f64(2, 2)}


def _stack_mixed():
    x = ph("int32", [])
    return A.stack([x, 3, 4]), {x: np.int32(7)}


def _stack_axis1():
    x = ph("float32", [None, 3])
    return A.stack([x, x, x], axis=1), {x: f32(2, 3)}


def _stack_unknown_rank():
    x = ph("float64", None)
    return A.stack([x, x], axis=-1), {x: f64(2, 2)}


def _unstack_axis1():
    x = ph("float32", [None, 3])
    return A.unstack(x, axis=1), {x: f32(2, 3)}


def _unstack_unknown_rank():
    x = ph("float64", None)
    return A.unstack(x, num=2), {x: f64(2, 3)}


def _split_even():
    x = ph("float32", [None, 4])
    return SP.split(x, 2, axis=1), {x: f32(3, 4)}


def _split_unknown_rank():
    x = ph("float64", None)
    return SP.split(x, 3), {x: f64(6, 2)}


def _split_v_sizes():
    x = ph("float32", [None, 6])
    return SP.split(x, [1, -1, 2], axis=1), {x: f32(2, 6)}


def _split_v_unknown_dim():
    x = ph("float64", [None])
    return SP.split(x, [2, 3]), {x: f64(5)}


# ------------------------------------------------------------------ Tile, Pad, Reverse, BroadcastTo
def _tile_static():
    x = ph("float32", [None, 3])
    return T.tile(x, [2, 1]), {x: f32(2, 3)}


def _tile_runtime_multiples():
    x = ph("float64", None)
    m = ph("int32", [2])
    return T.tile(x, m), {x: f64(2, 2), m: np.int32([1, 3])}


def _pad_constant():
    x = ph("float32", [None, 3])
    return T.pad(x, [[1, 0], [2, 2]], constant_values=1.5), {x: f32(2, 3)}


def _pad_unknown_rank():
    x = ph("int32", None)
    return T.pad(x, [[0, 1]]), {x: np.arange(4, dtype=np.int32)}


def _mirror_pad_reflect():
    x = ph("float32", [None, 3])
    return T.pad(x, [[1, 1], [2, 2]], mode="reflect"), {x: f32(3, 3)}


def _mirror_pad_symmetric():
    x = ph("float64", None)
    return T.pad(x, [[2, 3]], mode="SYMMETRIC"), {x: f64(3)}


def _reverse_axes():
    x = ph("float32", [None, 3, 2])
    return T.reverse(x, [0, -1]), {x: f32(2, 3, 2)}


def _reverse_unknown_rank():
    x = ph("float64", None)
    return T.reverse(x, [1]), {x: f64(2, 3)}


def _broadcast_to_static():
    x = ph("float32", [None])
    return T.broadcast_to(x, [2, 3]), {x: f32(3)}


def _broadcast_to_shape_of():
    x = ph("float64", [None, 1])
    y = ph("float64", [None, 4])
    return T.broadcast_to(x, A.shape(y)), {x: f64(2, 1), y: f64(2, 4)}


# ------------------------------------------------------------------ slicing
def _getitem_mixed():
    x = ph("float32", [None, 4, 5])
    return x[:, 1, ::-2], {x: f32(3, 4, 5)}


def _getitem_ellipsis_newaxis():
    x = ph("float64", [None, 3])
    return x[..., None, -1], {x: f64(2, 3)}


def _getitem_tensor_index():
    x = ph("float32", [None, 3])
    i = ph("int32", [])
    return x[i, 1:], {x: f32(4, 3), i: np.int32(2)}


def _strided_slice_unknown_rank():
    x = ph("int64", None)
    return S.strided_slice(x, [1], [-1], [1]), {x: np.arange(6, dtype=np.int64)}


def _slice_static():
    x = ph("float32", [None, 4])
    return S.slice(x, [1, 1], [-1, 2]), {x: f32(3, 4)}


def _slice_runtime_begin():
    x = ph("float64", None)
    b = ph("int32", [2])
    return S.slice(x, b, [1, -1]), {x: f64(3, 4), b: np.int32([1, 2])}


def _gather_axis1():
    x = ph("float32", [None, 5])
    return S.gather(x, [[0, 4], [2, 2]], axis=1), {x: f32(2, 5)}


def _gather_int64_unknown_rank():
    x = ph("float64", None)
    i = ph("int64", [None])
    return S.gather(x, i), {x: f64(4, 2), i: np.int64([3, 0, 3])}


def _gather_nd_rows():
    x = ph("float32", [None, 3])
    return S.gather_nd(x, [[0, 1], [1, 2]]), {x: f32(2, 3)}


def _gather_nd_slices():
    x = ph("float64", None)
    return S.gather_nd(x, [[1], [0]]), {x: f64(2, 3)}


def _boolean_mask_rows():
    x = ph("float32", [None, 3])
    m = ph("bool", [None])
    return S.boolean_mask(x, m), {x: f32(4, 3), m: np.array([True, False, True, True])}


def _boolean_mask_axis1():
    x = ph("float64", None)
    m = ph("bool", [2, 3])
    return S.boolean_mask(x, m, axis=1), {x: f64(4, 2, 3), m: R.rand(2, 3) > 0.5}


# ------------------------------------------------------------------ generators
def _fill_runtime_dims():
    d = ph("int32", [2])
    return G.fill(d, 2.5), {d: np.int32([2, 3])}


def _zeros_shape_of():
    x = ph("float64", [None, 3])
    return G.zeros([A.shape(x)[0], 2], "float64"), {x: f64(4, 3)}


def _ones_tensor_shape():
    s = ph("int32", [None])
    return G.ones(s, "int32"), {s: np.int32([2, 2])}


def _zeros_like_partial():
    x = ph("float32", [None, 3])
    return G.zeros_like(x), {x: f32(2, 3)}


def _zeros_like_unknown_rank():
    x = ph("int64", None)
    return G.zeros_like(x, optimize=False), {x: np.arange(4, dtype=np.int64)}


def _ones_like_partial():
    x = ph("float64", [None, 2])
    return G.ones_like(x), {x: f64(3, 2)}


def _ones_like_unknown_rank():
    x = ph("bool", None)
    return G.ones_like(x), {x: np.array([True, False])}


def _one_hot_default():
    i = ph("int32", [None])
    return G.one_hot(i, 4), {i: np.int32([0, 3, -1, 7])}


def _one_hot_axis0_float64():
    i = ph("int64", None)
    return G.one_hot(i, 3, on_value=2.0, off_value=-1.0, axis=0, dtype="float64"), \
        {i: np.int64([[1, 2], [0, 5]])}


def _range_runtime_limit():
    n = ph("int32", [])
    return G.range(n), {n: np.int32(5)}


def _range_float_delta():
    s = ph("float64", [])
    return G.range(s, 2.0, 0.25), {s: np.float64(0.5)}


def _range_of_a_dim():  # (a run-time dim's length: lowered natively on llvm)
    x = ph("float32", [None, 2])
    return G.range(A.shape(x)[0], 0, -1), {x: f32(5, 2)}


def _sequence_mask_maxlen():
    lengths = ph("int32", [None])
    return G.sequence_mask(lengths, 5), {lengths: np.int32([1, 0, 5])}


def _sequence_mask_float():
    lengths = ph("int64", None)
    return G.sequence_mask(lengths, dtype="float32"), {lengths: np.int64([[2, 3], [1, 0]])}


SAMPLES = {
    "Shape": [_shape_partial, _shape_unknown_rank_int64],
    "Size": [_size_partial, _size_unknown_rank],
    "Rank": [_rank_unknown, _rank_scalar_fed],
    "Reshape": [_reshape_shape_of, _reshape_unknown_rank, _reshape_runtime_shape],
    "Transpose": [_transpose_default, _transpose_default_float64,
                  _transpose_perm_unknown_rank],
    "ExpandDims": [_expand_dims_neg, _expand_dims_unknown_rank, _expand_dims_f64],
    "Squeeze": [_squeeze_axis, _squeeze_all_unknown_rank],
    "ConcatV2": [_concat_partial, _concat_unknown_rank],
    "Pack": [_stack_mixed, _stack_axis1, _stack_unknown_rank],
    "Unpack": [_unstack_axis1, _unstack_unknown_rank],
    "Split": [_split_even, _split_unknown_rank],
    "SplitV": [_split_v_sizes, _split_v_unknown_dim],
    "Tile": [_tile_static, _tile_runtime_multiples],
    "Pad": [_pad_constant, _pad_unknown_rank, _pad_f64],
    "MirrorPad": [_mirror_pad_reflect, _mirror_pad_symmetric],
    "ReverseV2": [_reverse_axes, _reverse_unknown_rank],
    "BroadcastTo": [_broadcast_to_static, _broadcast_to_shape_of],
    "StridedSlice": [_getitem_mixed, _getitem_ellipsis_newaxis, _getitem_tensor_index,
                     _strided_slice_unknown_rank],
    "Slice": [_slice_static, _slice_runtime_begin],
    "GatherV2": [_gather_axis1, _gather_int64_unknown_rank],
    "GatherNd": [_gather_nd_rows, _gather_nd_slices],
    "BooleanMask": [_boolean_mask_rows, _boolean_mask_axis1],
    "Fill": [_fill_runtime_dims, _zeros_shape_of, _ones_tensor_shape],
    "ZerosLike": [_zeros_like_partial, _zeros_like_unknown_rank],
    "OnesLike": [_ones_like_partial, _ones_like_unknown_rank],
    "OneHot": [_one_hot_default, _one_hot_axis0_float64],
    "Range": [_range_runtime_limit, _range_float_delta, _range_of_a_dim],
    "SequenceMask": [_sequence_mask_maxlen, _sequence_mask_float],
}
