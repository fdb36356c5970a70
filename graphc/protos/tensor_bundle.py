"""tensorflow/core/protobuf/tensor_bundle.proto: the records of a V2 checkpoint's `.index`
table (`BundleHeaderProto` under the empty key, one `BundleEntryProto` per tensor)."""
from __future__ import annotations

from . import graph as _graph  # noqa: F401  (registers versions.proto and the tensor family)
from ._schema import FIXED32, INT32, INT64, enum, enum_type, field, message, message_class, \
    msg, proto_file, repeated

_FW = "tensorflow/core/framework/"

proto_file("tensorflow/core/protobuf/tensor_bundle.proto",
           message("BundleHeaderProto",
                   field(1, "num_shards", INT32),
                   enum("Endianness", ("LITTLE", 0), ("BIG", 1)),
                   field(2, "endianness", enum_type("BundleHeaderProto.Endianness")),
                   field(3, "version", msg("VersionDef"))),
           message("BundleEntryProto",
                   field(1, "dtype", enum_type("DataType")),
                   field(2, "shape", msg("TensorShapeProto")),
                   field(3, "shard_id", INT32),
                   field(4, "offset", INT64),
                   field(5, "size", INT64),
                   field(6, "crc32c", FIXED32),
                   repeated(7, "slices", msg("TensorSliceProto"))),
           deps=(_FW + "tensor_shape.proto", _FW + "tensor_slice.proto", _FW + "types.proto",
                 _FW + "versions.proto"))

BundleHeaderProto = message_class("BundleHeaderProto")
BundleEntryProto = message_class("BundleEntryProto")
