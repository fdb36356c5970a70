"""TensorFlow's message schemas as graphc's own code on the `protobuf` runtime.

Each module describes one family of TensorFlow's `.proto` files with the small table
helper in `_schema` (no protoc, nothing generated): `types` (DataType, FullTypeDef),
`tensor` (TensorShapeProto, TensorProto, ...), `graph` (AttrValue, NodeDef, OpDef,
FunctionDef, GraphDef, ...), `meta_graph` (SaverDef, MetaGraphDef, SignatureDef,
SavedModel), `tensor_bundle` (the V2 checkpoint index), `variable` (VariableDef) and
`example` (tf.train.Example, SequenceExample and their features). The classes are real protobuf
messages: `ParseFromString`, `SerializeToString` and `google.protobuf.text_format` read
and write exactly TensorFlow's bytes and text.
"""
from .example import (BytesList, Example, Feature, FeatureList, FeatureLists,  # noqa: F401
                      Features, FloatList, Int64List, SequenceExample)
from .graph import (AttrValue, FunctionDef, FunctionDefLibrary, GradientDef,  # noqa: F401
                    GraphDebugInfo, GraphDef, NameAttrList, NodeDef, OpDef, OpDeprecation,
                    OpList, RegisteredGradient, VersionDef)
from .meta_graph import (AssetFileDef, CollectionDef, MetaGraphDef, SavedModel,  # noqa: F401
                         SaverDef, SignatureDef, TensorInfo)
from .tensor import (ResourceHandleProto, TensorProto, TensorShapeProto,  # noqa: F401
                     TensorSliceProto, VariantTensorDataProto)
from .tensor_bundle import BundleEntryProto, BundleHeaderProto  # noqa: F401
from .tensor_util import (make_ndarray, make_tensor_proto, shape_from_proto,  # noqa: F401
                          shape_to_proto)
from .variable import SaveSliceInfoDef, VariableDef  # noqa: F401
from .types import (DATATYPES, DataType, FullTypeDef, FullTypeId,  # noqa: F401
                    as_datatype_enum, as_graphc_dtype)
