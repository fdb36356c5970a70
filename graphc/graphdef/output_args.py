"""TensorFlow's output arguments per op type, written by
tests/fixtures/tf/make_output_args.py from TensorFlow's op registry (data).

A line of `_TABLE` is an op type and its output arguments in order: a name, with
":attr" for a list output whose length is the int attribute `attr`, ":*attr"
for one with the types of list attribute `attr`."""

_TABLE = """
Abs y
Add z
AddN sum
AddV2 z
All output
Any output
ApplyAdadelta out
ApplyAdagrad out
ApplyAdam out
ApplyCenteredRMSProp out
ApplyGradientDescent out
ApplyMomentum out
ApplyRMSProp out
ArgMax output
ArgMin output
Assert
Assign output_ref
AssignAdd output_ref
AssignAddVariableOp
AssignSub output_ref
AssignSubVariableOp
AssignVariableOp
AvgPool output
AvgPoolGrad output
BatchMatMul output
BatchMatMulV2 output
BatchMatMulV3 output
BiasAdd output
BiasAddGrad output
BiasAddV1 output
BroadcastGradientArgs r0 r1
BroadcastTo output
Cast y
Ceil y
Concat output
ConcatV2 output
Const output
Conv2D output
Conv2DBackpropFilter output
Conv2DBackpropInput output
Cos y
Cumsum out
DepthwiseConv2dNative output
DepthwiseConv2dNativeBackpropFilter output
DepthwiseConv2dNativeBackpropInput output
Div z
DivNoNan z
Elu activations
EluGrad backprops
EmptyTensorList handle
Enter output
Equal z
Erf y
Exit output
Exp y
ExpandDims output
Expm1 y
Fill output
Floor y
FloorDiv z
FloorMod z
FusedBatchNorm y batch_mean batch_variance reserve_space_1 reserve_space_2
FusedBatchNormV2 y batch_mean batch_variance reserve_space_1 reserve_space_2
FusedBatchNormV3 y batch_mean batch_variance reserve_space_1 reserve_space_2 reserve_space_3
Gather output
GatherNd output
GatherV2 output
Greater z
GreaterEqual z
Identity output
IdentityN output:*T
If output:*Tout
Inv y
InvGrad z
IsFinite y
IsInf y
IsNan y
IsVariableInitialized is_initialized
L2Loss output
LeakyRelu activations
LeakyReluGrad backprops
Less z
LessEqual z
Log y
Log1p y
LogSoftmax logsoftmax
LogicalAnd z
LogicalNot y
LogicalOr z
LoopCond output
MatMul product
Max output
MaxPool output
MaxPoolGrad output
Maximum z
Mean output
Merge output value_index
Min output
Minimum z
MirrorPad output
Mul z
Neg y
NextIteration output
NoOp
NotEqual z
OneHot output
OnesLike y
Pack output
Pad output
PadV2 output
PartitionedCall output:*Tout
Placeholder output
PlaceholderWithDefault output
Pow z
Prod output
RandomShuffle output
RandomStandardNormal output
RandomUniform output
RandomUniformInt output
Range output
Rank output
ReadVariableOp value
RealDiv z
Reciprocal y
ReciprocalGrad z
RefEnter output
RefExit output
RefMerge output value_index
RefNextIteration output
RefSwitch output_false output_true
Relu activations
Relu6 activations
Relu6Grad backprops
ReluGrad backprops
Reshape output
ResourceApplyAdadelta
ResourceApplyAdagrad
ResourceApplyAdam
ResourceApplyCenteredRMSProp
ResourceApplyGradientDescent
ResourceApplyMomentum
ResourceApplyRMSProp
ResourceGather output
ReverseV2 output
Rint y
Round y
Rsqrt y
RsqrtGrad z
ScatterNd output
Select output
SelectV2 output
Selu activations
Shape output
ShapeN output:N
Sigmoid y
SigmoidGrad z
Sign y
Sin y
Size output
Slice output
Snapshot output
Softmax softmax
SoftmaxCrossEntropyWithLogits loss backprop
Softplus activations
SoftplusGrad backprops
Softsign activations
SparseSoftmaxCrossEntropyWithLogits loss backprop
Split output:num_split
SplitV output:num_split
Sqrt y
SqrtGrad z
Square y
SquaredDifference z
Squeeze output
StatefulPartitionedCall output:*Tout
StatelessIf output:*Tout
StatelessWhile output:*T
StopGradient output
StridedSlice output
StridedSliceGrad output
Sub z
Sum output
Switch output_false output_true
Tan y
Tanh y
TanhGrad z
TensorArrayCloseV3
TensorArrayConcatV3 value lengths
TensorArrayGatherV3 value
TensorArrayGradV3 grad_handle flow_out
TensorArrayReadV3 value
TensorArrayScatterV3 flow_out
TensorArraySizeV3 size
TensorArraySplitV3 flow_out
TensorArrayV3 handle flow
TensorArrayWriteV3 flow_out
TensorListFromTensor output_handle
TensorListGetItem item
TensorListLength length
TensorListPopBack output_handle tensor
TensorListPushBack output_handle
TensorListReserve handle
TensorListSetItem output_handle
TensorListStack tensor
Tile output
Transpose y
TruncateDiv z
TruncateMod z
TruncatedNormal output
Unpack output:num
UnsortedSegmentSum output
VarHandleOp resource
VarIsInitializedOp is_initialized
VariableV2 ref
Where index
While output:*T
ZerosLike y
"""

OUTPUT_ARGS = {line.split()[0]: tuple((arg.partition(':')[0], arg.partition(':')[2])
                                      for arg in line.split()[1:])
               for line in _TABLE.strip().splitlines()}
