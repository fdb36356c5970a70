"""The graph family: attr_value.proto, node_def.proto, op_def.proto, function.proto,
versions.proto, graph_debug_info.proto and graph.proto (`AttrValue`, `NameAttrList`,
`NodeDef`, `OpDef`, `OpList`, `FunctionDef`, `FunctionDefLibrary`, `VersionDef`,
`GraphDebugInfo`, `GraphDef`)."""
from __future__ import annotations

from . import tensor as _tensor  # noqa: F401  (registers the tensor family first)
from ._schema import BOOL, BYTES, FIXED64, FLOAT, INT32, INT64, STRING, UINT32, enum_type, \
    field, map_field, message, message_class, msg, proto_file, repeated

_FW = "tensorflow/core/framework/"
_ATTR, _NODE, _OP, _FUNC, _VERSIONS = (_FW + f for f in (
    "attr_value.proto", "node_def.proto", "op_def.proto", "function.proto", "versions.proto"))

proto_file(_ATTR,
           message("AttrValue",
                   message("ListValue",
                           repeated(2, "s", BYTES),
                           repeated(3, "i", INT64),
                           repeated(4, "f", FLOAT),
                           repeated(5, "b", BOOL),
                           repeated(6, "type", enum_type("DataType")),
                           repeated(7, "shape", msg("TensorShapeProto")),
                           repeated(8, "tensor", msg("TensorProto")),
                           repeated(9, "func", msg("NameAttrList"))),
                   field(2, "s", BYTES, oneof="value"),
                   field(3, "i", INT64, oneof="value"),
                   field(4, "f", FLOAT, oneof="value"),
                   field(5, "b", BOOL, oneof="value"),
                   field(6, "type", enum_type("DataType"), oneof="value"),
                   field(7, "shape", msg("TensorShapeProto"), oneof="value"),
                   field(8, "tensor", msg("TensorProto"), oneof="value"),
                   field(1, "list", msg("AttrValue.ListValue"), oneof="value"),
                   field(10, "func", msg("NameAttrList"), oneof="value"),
                   field(9, "placeholder", STRING, oneof="value")),
           message("NameAttrList",
                   field(1, "name", STRING),
                   map_field(2, "attr", STRING, msg("AttrValue"))),
           deps=(_FW + "tensor.proto", _FW + "tensor_shape.proto", _FW + "types.proto"))

proto_file(_NODE,
           message("NodeDef",
                   field(1, "name", STRING),
                   field(2, "op", STRING),
                   repeated(3, "input", STRING),
                   field(4, "device", STRING),
                   map_field(5, "attr", STRING, msg("AttrValue")),
                   message("ExperimentalDebugInfo",
                           repeated(1, "original_node_names", STRING),
                           repeated(2, "original_func_names", STRING)),
                   field(6, "experimental_debug_info", msg("NodeDef.ExperimentalDebugInfo")),
                   field(7, "experimental_type", msg("FullTypeDef"))),
           deps=(_ATTR, _FW + "full_type.proto"))

proto_file(_OP,
           message("OpDef",
                   field(1, "name", STRING),
                   message("ArgDef",
                           field(1, "name", STRING),
                           field(2, "description", STRING),
                           field(3, "type", enum_type("DataType")),
                           field(4, "type_attr", STRING),
                           field(5, "number_attr", STRING),
                           field(6, "type_list_attr", STRING),
                           repeated(7, "handle_data",
                                    msg("ResourceHandleProto.DtypeAndShape")),
                           field(16, "is_ref", BOOL),
                           field(17, "experimental_full_type", msg("FullTypeDef"))),
                   repeated(2, "input_arg", msg("OpDef.ArgDef")),
                   repeated(3, "output_arg", msg("OpDef.ArgDef")),
                   repeated(20, "control_output", STRING),
                   message("AttrDef",
                           field(1, "name", STRING),
                           field(2, "type", STRING),
                           field(3, "default_value", msg("AttrValue")),
                           field(4, "description", STRING),
                           field(5, "has_minimum", BOOL),
                           field(6, "minimum", INT64),
                           field(7, "allowed_values", msg("AttrValue"))),
                   repeated(4, "attr", msg("OpDef.AttrDef")),
                   field(8, "deprecation", msg("OpDeprecation")),
                   field(5, "summary", STRING),
                   field(6, "description", STRING),
                   field(18, "is_commutative", BOOL),
                   field(16, "is_aggregate", BOOL),
                   field(17, "is_stateful", BOOL),
                   field(19, "allows_uninitialized_input", BOOL),
                   field(21, "is_distributed_communication", BOOL)),
           message("OpDeprecation",
                   field(1, "version", INT32),
                   field(2, "explanation", STRING)),
           message("OpList", repeated(1, "op", msg("OpDef"))),
           deps=(_ATTR, _FW + "full_type.proto", _FW + "resource_handle.proto",
                 _FW + "types.proto"))

proto_file(_FUNC,
           message("FunctionDefLibrary",
                   repeated(1, "function", msg("FunctionDef")),
                   repeated(2, "gradient", msg("GradientDef")),
                   repeated(3, "registered_gradients", msg("RegisteredGradient"))),
           message("FunctionDef",
                   field(1, "signature", msg("OpDef")),
                   map_field(5, "attr", STRING, msg("AttrValue")),
                   message("ArgAttrs", map_field(1, "attr", STRING, msg("AttrValue"))),
                   map_field(7, "arg_attr", UINT32, msg("FunctionDef.ArgAttrs")),
                   map_field(8, "resource_arg_unique_id", UINT32, UINT32),
                   repeated(3, "node_def", msg("NodeDef")),
                   map_field(4, "ret", STRING, STRING),
                   map_field(6, "control_ret", STRING, STRING),
                   reserved=(2,)),
           message("GradientDef",
                   field(1, "function_name", STRING),
                   field(2, "gradient_func", STRING)),
           message("RegisteredGradient",
                   field(1, "gradient_func", STRING),
                   field(2, "registered_op_type", STRING)),
           deps=(_ATTR, _NODE, _OP))

proto_file(_VERSIONS,
           message("VersionDef",
                   field(1, "producer", INT32),
                   field(2, "min_consumer", INT32),
                   repeated(3, "bad_consumers", INT32)))

proto_file(_FW + "graph_debug_info.proto",
           message("GraphDebugInfo",
                   message("FileLineCol",
                           field(1, "file_index", INT32),
                           field(2, "line", INT32),
                           field(3, "col", INT32),
                           field(4, "func", STRING),
                           field(5, "code", STRING)),
                   message("StackTrace",
                           repeated(1, "file_line_cols", msg("GraphDebugInfo.FileLineCol")),
                           repeated(2, "frame_id", FIXED64)),
                   repeated(1, "files", STRING),
                   map_field(4, "frames_by_id", FIXED64, msg("GraphDebugInfo.FileLineCol")),
                   map_field(6, "traces_by_id", FIXED64, msg("GraphDebugInfo.StackTrace")),
                   map_field(2, "traces", STRING, msg("GraphDebugInfo.StackTrace")),
                   map_field(5, "name_to_trace_id", STRING, FIXED64)))

proto_file(_FW + "graph.proto",
           message("GraphDef",
                   repeated(1, "node", msg("NodeDef")),
                   field(4, "versions", msg("VersionDef")),
                   field(3, "version", INT32),
                   field(2, "library", msg("FunctionDefLibrary")),
                   field(5, "debug_info", msg("GraphDebugInfo"))),
           deps=(_FUNC, _FW + "graph_debug_info.proto", _NODE, _VERSIONS))

AttrValue = message_class("AttrValue")
NameAttrList = message_class("NameAttrList")
NodeDef = message_class("NodeDef")
OpDef = message_class("OpDef")
OpDeprecation = message_class("OpDeprecation")
OpList = message_class("OpList")
FunctionDef = message_class("FunctionDef")
FunctionDefLibrary = message_class("FunctionDefLibrary")
GradientDef = message_class("GradientDef")
RegisteredGradient = message_class("RegisteredGradient")
VersionDef = message_class("VersionDef")
GraphDebugInfo = message_class("GraphDebugInfo")
GraphDef = message_class("GraphDef")
