"""The MetaGraph family: saver.proto, meta_graph.proto and saved_model.proto (`SaverDef`,
`MetaGraphDef`, `CollectionDef`, `TensorInfo`, `SignatureDef`, `AssetFileDef`,
`SavedModel`).

Two fields of TensorFlow 2's object model are not described here: `MetaGraphDef.
object_graph_def` (7, a SavedObjectGraph) and `TensorInfo.composite_tensor` (5, a
TypeSpecProto). The runtime keeps them as unknown fields, so a parsed TensorFlow file
serializes back byte for byte; TF1 graphs, checkpoints and signatures do not use them.
"""
from __future__ import annotations

from google.protobuf import any_pb2

from . import graph as _graph  # noqa: F401  (registers the graph family first)
from ._schema import BOOL, BYTES, FLOAT, INT32, INT64, STRING, add_well_known, enum, \
    enum_type, field, map_field, message, message_class, msg, proto_file, repeated

_FW = "tensorflow/core/framework/"
_SAVER = "tensorflow/core/protobuf/saver.proto"
_META = "tensorflow/core/protobuf/meta_graph.proto"
_ANY = "google/protobuf/any.proto"

add_well_known(any_pb2.DESCRIPTOR)

proto_file(_SAVER,
           message("SaverDef",
                   field(1, "filename_tensor_name", STRING),
                   field(2, "save_tensor_name", STRING),
                   field(3, "restore_op_name", STRING),
                   field(4, "max_to_keep", INT32),
                   field(5, "sharded", BOOL),
                   field(6, "keep_checkpoint_every_n_hours", FLOAT),
                   enum("CheckpointFormatVersion", ("LEGACY", 0), ("V1", 1), ("V2", 2)),
                   field(7, "version", enum_type("SaverDef.CheckpointFormatVersion"))))

_ANY_REF = msg(".google.protobuf.Any")

proto_file(_META,
           message("MetaGraphDef",
                   message("MetaInfoDef",
                           field(1, "meta_graph_version", STRING),
                           field(2, "stripped_op_list", msg("OpList")),
                           field(3, "any_info", _ANY_REF),
                           repeated(4, "tags", STRING),
                           field(5, "tensorflow_version", STRING),
                           field(6, "tensorflow_git_version", STRING),
                           field(7, "stripped_default_attrs", BOOL),
                           map_field(8, "function_aliases", STRING, STRING)),
                   field(1, "meta_info_def", msg("MetaGraphDef.MetaInfoDef")),
                   field(2, "graph_def", msg("GraphDef")),
                   field(3, "saver_def", msg("SaverDef")),
                   map_field(4, "collection_def", STRING, msg("CollectionDef")),
                   map_field(5, "signature_def", STRING, msg("SignatureDef")),
                   repeated(6, "asset_file_def", msg("AssetFileDef"))),
           message("CollectionDef",
                   message("NodeList", repeated(1, "value", STRING)),
                   message("BytesList", repeated(1, "value", BYTES)),
                   message("Int64List", repeated(1, "value", INT64)),
                   message("FloatList", repeated(1, "value", FLOAT)),
                   message("AnyList", repeated(1, "value", _ANY_REF)),
                   field(1, "node_list", msg("CollectionDef.NodeList"), oneof="kind"),
                   field(2, "bytes_list", msg("CollectionDef.BytesList"), oneof="kind"),
                   field(3, "int64_list", msg("CollectionDef.Int64List"), oneof="kind"),
                   field(4, "float_list", msg("CollectionDef.FloatList"), oneof="kind"),
                   field(5, "any_list", msg("CollectionDef.AnyList"), oneof="kind")),
           message("TensorInfo",
                   message("CooSparse",
                           field(1, "values_tensor_name", STRING),
                           field(2, "indices_tensor_name", STRING),
                           field(3, "dense_shape_tensor_name", STRING)),
                   field(1, "name", STRING, oneof="encoding"),
                   field(4, "coo_sparse", msg("TensorInfo.CooSparse"), oneof="encoding"),
                   field(2, "dtype", enum_type("DataType")),
                   field(3, "tensor_shape", msg("TensorShapeProto"))),
           message("SignatureDef",
                   map_field(1, "inputs", STRING, msg("TensorInfo")),
                   map_field(2, "outputs", STRING, msg("TensorInfo")),
                   field(3, "method_name", STRING),
                   map_field(4, "defaults", STRING, msg("TensorProto"))),
           message("AssetFileDef",
                   field(1, "tensor_info", msg("TensorInfo")),
                   field(2, "filename", STRING)),
           deps=(_ANY, _FW + "graph.proto", _FW + "op_def.proto", _FW + "tensor.proto",
                 _FW + "tensor_shape.proto", _FW + "types.proto", _SAVER))

proto_file("tensorflow/core/protobuf/saved_model.proto",
           message("SavedModel",
                   field(1, "saved_model_schema_version", INT64),
                   repeated(2, "meta_graphs", msg("MetaGraphDef"))),
           deps=(_META,))

SaverDef = message_class("SaverDef")
MetaGraphDef = message_class("MetaGraphDef")
CollectionDef = message_class("CollectionDef")
TensorInfo = message_class("TensorInfo")
SignatureDef = message_class("SignatureDef")
AssetFileDef = message_class("AssetFileDef")
SavedModel = message_class("SavedModel")
