"""The op table shared by import and export: one `Spec` per TensorFlow op type that maps
onto one graphc op, read in both directions.

A Spec lists TensorFlow's inputs in order: `X` is a tensor graphc takes as an input too,
`VARIADIC` a list of such tensors (TensorFlow's `N`), and `In(attr, kind)` a constant input
that graphc keeps as the attribute `attr` (reduction axes, permutations, paddings). `attrs`
copies attributes ((tensorflow name, graphc name, kind)); `types` names TensorFlow's type
attributes and the input whose dtype they carry ("out" for the output's); `fixed` are
graphc attributes that have no TensorFlow counterpart (Softmax's axis is always -1 there).
Ops that need more than this (Const, FusedBatchNorm, Div, ...) have functions of their own
in `importer.py` and `exporter.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..ir import dtypes as dt
from .attrs import AXES, AXIS, BOOL, DTYPE, FLOAT, INT, INT_LIST, INTS, PAIRS, SHAPE, STR

X = "x"
VARIADIC = "*"
TENSOR_SCATTERS = ("TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub",
                   "TensorScatterMin", "TensorScatterMax")
VARIABLE_SCATTERS = ("ScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv",
                     "ScatterMin", "ScatterMax", "ScatterNdUpdate", "ScatterNdAdd",
                     "ScatterNdSub")


@dataclass(frozen=True)
class In:
    """A constant TensorFlow input kept by graphc as attribute `attr`."""
    attr: str
    kind: str
    tf_name: str                        # TensorFlow's input name (names the exported Const)
    type_attr: Optional[str] = None     # TensorFlow's attr for its dtype ("Tidx")
    dtype: Optional[dt.DType] = dt.int32  # exported dtype; None: the dtype of input 0


@dataclass(frozen=True)
class Spec:
    tf: str
    graphc: str
    inputs: tuple = (X,)
    attrs: tuple = ()
    types: tuple = (("T", 0),)
    fixed: tuple = ()                   # (graphc attr, value)
    count: Optional[str] = None         # TensorFlow's attr holding len(VARIADIC) ("N")
    outputs_attr: Optional[str] = None  # TensorFlow's attr holding the number of outputs
    export: bool = True                 # False: an alias, graphc exports the canonical type
    tf_defaults: dict = field(default_factory=dict)  # extra TensorFlow attrs written on export


def _unary(*names: str) -> list:
    return [Spec(n, n) for n in names]


def _binary(*names: str) -> list:
    return [Spec(n, n, (X, X)) for n in names]



_KEEP = (("keep_dims", "keep_dims", BOOL),)
_CONV = (("strides", "strides", INTS), ("padding", "padding", STR),
         ("dilations", "dilations", INTS), ("data_format", "data_format", STR))
_POOL = (("ksize", "ksize", INTS), ("strides", "strides", INTS), ("padding", "padding", STR),
         ("data_format", "data_format", STR))
_SEEDS = (("seed", "seed", INT), ("seed2", "seed2", INT))

SPECS: list = [
    *_unary("Abs", "Ceil", "Cos", "Elu", "Erf", "Erfc", "Exp", "Expm1", "Floor", "IsFinite", "IsInf",
            "IsNan", "Log", "Log1p", "Neg", "Reciprocal", "Relu", "Relu6", "Rint", "Round",
            "Rsqrt", "Selu", "Sigmoid", "Sign", "Sin", "Softplus", "Softsign", "Sqrt",
            "Square", "Tan", "Tanh", "OnesLike", "ZerosLike", "StopGradient", "Identity",
            "L2Loss"),
    Spec("LogicalNot", "LogicalNot", types=()),
    Spec("Inv", "Reciprocal", export=False),
    Spec("Snapshot", "Identity", export=False),
    Spec("AddV2", "Add", (X, X)),
    Spec("Add", "Add", (X, X), export=False),
    *_binary("Sub", "Mul", "RealDiv", "DivNoNan", "Maximum", "Minimum", "Pow", "FloorDiv",
             "FloorMod", "TruncateDiv", "TruncateMod", "SquaredDifference", "Less", "LessEqual",
             "Greater", "GreaterEqual"),
    Spec("Equal", "Equal", (X, X), tf_defaults={"incompatible_shape_error": True}),
    Spec("NotEqual", "NotEqual", (X, X), tf_defaults={"incompatible_shape_error": True}),
    Spec("LogicalAnd", "LogicalAnd", (X, X), types=()),
    Spec("LogicalOr", "LogicalOr", (X, X), types=()),
    Spec("AddN", "AddN", (VARIADIC,), count="N"),
    Spec("LeakyRelu", "LeakyRelu", attrs=(("alpha", "alpha", FLOAT),)),
    Spec("BiasAdd", "BiasAdd", (X, X), attrs=(("data_format", "data_format", STR),)),
    Spec("BiasAddV1", "BiasAdd", (X, X), fixed=(("data_format", "NHWC"),), export=False),
    Spec("MatMul", "MatMul", (X, X), attrs=(("transpose_a", "transpose_a", BOOL),
                                           ("transpose_b", "transpose_b", BOOL))),
    Spec("BatchMatMulV2", "BatchMatMulV2", (X, X), attrs=(("adj_x", "adj_x", BOOL),
                                                         ("adj_y", "adj_y", BOOL))),
    Spec("BatchMatMul", "BatchMatMulV2", (X, X), attrs=(("adj_x", "adj_x", BOOL),
                                                       ("adj_y", "adj_y", BOOL)), export=False),
    Spec("Select", "Select", (X, X, X), types=(("T", 1),)),
    Spec("SelectV2", "SelectV2", (X, X, X), types=(("T", 1),)),
    Spec("Where", "Where", types=(("T", 0),)),
    Spec("Cast", "Cast", attrs=(("DstT", "DstT", DTYPE),), types=(("SrcT", 0),),
         tf_defaults={"Truncate": False}),
    Spec("NoOp", "NoOp", (), types=()),
    Spec("Reshape", "Reshape", (X, X), types=(("T", 0), ("Tshape", 1))),
    Spec("Shape", "Shape", attrs=(("out_type", "out_type", DTYPE),)),
    Spec("Size", "Size", attrs=(("out_type", "out_type", DTYPE),)),
    Spec("Rank", "Rank"),
    Spec("Fill", "Fill", (X, X), types=(("T", 1), ("index_type", 0))),
    Spec("Range", "Range", (X, X, X), types=(("Tidx", 0),)),
    Spec("Tile", "Tile", (X, X), types=(("T", 0), ("Tmultiples", 1))),
    Spec("BroadcastTo", "BroadcastTo", (X, X), types=(("T", 0), ("Tidx", 1))),
    Spec("InvertPermutation", "InvertPermutation"),
    Spec("ConcatOffset", "ConcatOffset", (X, VARIADIC), types=(("shape_type", 1),),
         count="N"),
    Spec("Slice", "Slice", (X, X, X), types=(("T", 0), ("Index", 1))),
    Spec("StridedSlice", "StridedSlice", (X, X, X, X),
         attrs=tuple((m, m, INT) for m in ("begin_mask", "end_mask", "ellipsis_mask",
                                            "new_axis_mask", "shrink_axis_mask")),
         types=(("T", 0), ("Index", 1))),
    Spec("StridedSliceGrad", "StridedSliceGrad", (X, X, X, X, X),
         attrs=tuple((m, m, INT) for m in ("begin_mask", "end_mask", "ellipsis_mask",
                                            "new_axis_mask", "shrink_axis_mask")),
         types=(("T", 4), ("Index", 0))),
    Spec("Pack", "Pack", (VARIADIC,), attrs=(("axis", "axis", INT),), count="N"),
    Spec("Unpack", "Unpack", attrs=(("num", "num", INT), ("axis", "axis", INT))),
    Spec("ConcatV2", "ConcatV2", (VARIADIC, In("axis", AXIS, "axis", "Tidx")), count="N"),
    Spec("ExpandDims", "ExpandDims", (X, In("axis", AXIS, "dim", "Tdim"))),
    Spec("Squeeze", "Squeeze", attrs=(("squeeze_dims", "squeeze_dims", INTS),)),
    Spec("Transpose", "Transpose", (X, In("perm", INT_LIST, "perm", "Tperm")),
         fixed=(("conjugate", False),)),
    Spec("MirrorPad", "MirrorPad", (X, In("paddings", PAIRS, "paddings", "Tpaddings")),
         attrs=(("mode", "mode", STR),)),
    Spec("ReverseV2", "ReverseV2", (X, In("axis", AXES, "axis", "Tidx"))),
    Spec("Split", "Split", (In("axis", AXIS, "split_dim"), X),
         attrs=(("num_split", "num_split", INT),), types=(("T", 1),)),
    Spec("SplitV", "SplitV", (X, In("size_splits", INT_LIST, "size_splits", "Tlen"),
                              In("axis", AXIS, "split_dim")),
         outputs_attr="num_split"),
    Spec("GatherV2", "GatherV2", (X, X, In("axis", AXIS, "axis", "Taxis")),
         types=(("Tparams", 0), ("Tindices", 1)), tf_defaults={"batch_dims": 0}),
    Spec("GatherNd", "GatherNd", (X, X), types=(("Tparams", 0), ("Tindices", 1))),
    Spec("ScatterNd", "ScatterNd", (X, X, X), types=(("T", 1), ("Tindices", 0))),
    *[Spec(n, n, (X, X, X), types=(("T", 0), ("Tindices", 1))) for n in TENSOR_SCATTERS],
    # scatters into a variable (ir/ops/scatter_state_ops.py; their Resource* forms are
    # sparse_training.py's)
    *[Spec(n, n, (X, X, X), attrs=(("use_locking", "use_locking", BOOL),),
           types=(("T", 0), ("Tindices", 1))) for n in VARIABLE_SCATTERS],
    Spec("UnsortedSegmentSum", "UnsortedSegmentSum", (X, X, X),
         types=(("T", 0), ("Tindices", 1), ("Tnumsegments", 2)), fixed=(("axis", 0),)),
    Spec("Unique", "Unique", attrs=(("out_idx", "out_idx", DTYPE),)),
    Spec("Cumsum", "Cumsum", (X, In("axis", AXIS, "axis", "Tidx")),
         attrs=(("exclusive", "exclusive", BOOL), ("reverse", "reverse", BOOL))),
    *[Spec(n, n, (X, In("axis", AXES, "reduction_indices", "Tidx")), attrs=_KEEP)
      for n in ("Sum", "Mean", "Max", "Min", "Prod")],
    *[Spec(n, n, (X, In("axis", AXES, "reduction_indices", "Tidx")), attrs=_KEEP, types=())
      for n in ("All", "Any")],
    *[Spec(n, n, (X, In("axis", AXIS, "dimension", "Tidx")),
           attrs=(("output_type", "output_type", DTYPE),)) for n in ("ArgMax", "ArgMin")],
    Spec("Softmax", "Softmax", fixed=(("axis", -1),)),
    Spec("LogSoftmax", "LogSoftmax", fixed=(("axis", -1),)),
    Spec("SoftmaxCrossEntropyWithLogits", "SoftmaxCrossEntropyWithLogits", (X, X)),
    Spec("SparseSoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits", (X, X),
         types=(("T", 0), ("Tlabels", 1))),
    Spec("Conv2D", "Conv2D", (X, X), attrs=_CONV,
         tf_defaults={"use_cudnn_on_gpu": True, "explicit_paddings": []}),
    Spec("DepthwiseConv2dNative", "DepthwiseConv2dNative", (X, X), attrs=_CONV,
         tf_defaults={"explicit_paddings": []}),
    Spec("Conv2DBackpropInput", "Conv2DBackpropInput", (X, X, X), attrs=_CONV,
         types=(("T", 1),), tf_defaults={"use_cudnn_on_gpu": True, "explicit_paddings": []}),
    Spec("Conv2DBackpropFilter", "Conv2DBackpropFilter", (X, X, X), attrs=_CONV,
         tf_defaults={"use_cudnn_on_gpu": True, "explicit_paddings": []}),
    Spec("DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropInput", (X, X, X),
         attrs=_CONV, types=(("T", 1),), tf_defaults={"explicit_paddings": []}),
    Spec("DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropFilter",
         (X, X, X), attrs=_CONV, tf_defaults={"explicit_paddings": []}),
    Spec("MaxPool", "MaxPool", attrs=_POOL),
    Spec("AvgPool", "AvgPool", attrs=_POOL),
    Spec("MaxPoolGrad", "MaxPoolGrad", (X, X, X), attrs=_POOL),
    Spec("AvgPoolGrad", "AvgPoolGrad", (X, X), attrs=_POOL, types=(("T", 1),)),
    Spec("VariableV2", "VariableV2", (), attrs=(("shape", "shape", SHAPE),
                                                ("dtype", "dtype", DTYPE)), types=(),
         tf_defaults={"container": "", "shared_name": ""}),
    Spec("Assign", "Assign", (X, X), attrs=(("validate_shape", "validate_shape", BOOL),
                                            ("use_locking", "use_locking", BOOL))),
    Spec("AssignAdd", "AssignAdd", (X, X), attrs=(("use_locking", "use_locking", BOOL),)),
    Spec("AssignSub", "AssignSub", (X, X), attrs=(("use_locking", "use_locking", BOOL),)),
    Spec("IsVariableInitialized", "IsVariableInitialized", types=(("dtype", 0),)),
    Spec("PlaceholderWithDefault", "PlaceholderWithDefault",
         attrs=(("shape", "shape", SHAPE),), types=(("dtype", 0),)),
    *[Spec(n, n, attrs=(("dtype", "dtype", DTYPE),) + _SEEDS)
      for n in ("RandomStandardNormal", "RandomUniform", "TruncatedNormal")],
    Spec("RandomUniformInt", "RandomUniformInt", (X, X, X), attrs=_SEEDS,
         types=(("T", 0), ("Tout", 1))),
    Spec("RandomShuffle", "RandomShuffle", attrs=_SEEDS),
    # TF1's TensorArrays (imported by arrays.py, which also reads element shapes back)
    Spec("TensorArrayV3", "TensorArrayV3", attrs=(
        ("dtype", "dtype", DTYPE), ("element_shape", "element_shape", SHAPE),
        ("dynamic_size", "dynamic_size", BOOL), ("clear_after_read", "clear_after_read", BOOL),
        ("identical_element_shapes", "identical_element_shapes", BOOL),
        ("tensor_array_name", "tensor_array_name", STR)), types=()),
    Spec("TensorArrayReadV3", "TensorArrayReadV3", (X, X, X),
         attrs=(("dtype", "dtype", DTYPE),), types=()),
    Spec("TensorArrayGatherV3", "TensorArrayGatherV3", (X, X, X),
         attrs=(("dtype", "dtype", DTYPE), ("element_shape", "element_shape", SHAPE)),
         types=()),
    Spec("TensorArrayWriteV3", "TensorArrayWriteV3", (X, X, X, X), types=(("T", 2),)),
    Spec("TensorArrayScatterV3", "TensorArrayScatterV3", (X, X, X, X), types=(("T", 2),)),
    Spec("TensorArraySplitV3", "TensorArraySplitV3", (X, X, X, X), types=(("T", 1),)),
    Spec("TensorArraySizeV3", "TensorArraySizeV3", (X, X), types=()),
    Spec("TensorArrayGradV3", "TensorArrayGradV3", (X, X), attrs=(("source", "source", STR),),
         types=()),
    Spec("TensorArrayCloseV3", "TensorArrayCloseV3", types=()),
    # complex numbers (ir/ops/complex_ops.py)
    Spec("Complex", "Complex", (X, X), attrs=(("Tout", "Tout", DTYPE),)),
    *[Spec(n, n, attrs=(("Tout", "Tout", DTYPE),)) for n in ("Real", "Imag", "Angle",
                                                           "ComplexAbs")],
    Spec("Conj", "Conj"),
    # FFTs (ir/ops/spectral_ops.py)
    *[Spec(f"{k}FFT{r}", f"{k}FFT{r}", types=(("Tcomplex", 0),))
      for k in ("", "I") for r in ("", "2D", "3D")],
    *[Spec(f"RFFT{r}", f"RFFT{r}", (X, X), attrs=(("Tcomplex", "Tcomplex", DTYPE),),
           types=(("Treal", 0),)) for r in ("", "2D", "3D")],
    *[Spec(f"IRFFT{r}", f"IRFFT{r}", (X, X), attrs=(("Treal", "Treal", DTYPE),),
           types=(("Tcomplex", 0),)) for r in ("", "2D", "3D")],
]


BY_TF: dict = {s.tf: s for s in SPECS}
BY_GRAPHC: dict = {s.graphc: s for s in SPECS if s.export}
