"""The tensor family: tensor_shape.proto, resource_handle.proto, tensor_slice.proto and
tensor.proto (`TensorShapeProto`, `ResourceHandleProto`, `TensorSliceProto`,
`TensorProto`, `VariantTensorDataProto`)."""
from __future__ import annotations

from . import types as _types  # noqa: F401  (registers types.proto first)
from ._schema import BOOL, BYTES, DOUBLE, FLOAT, INT32, INT64, STRING, UINT32, UINT64, \
    enum_type, field, message, message_class, msg, proto_file, repeated

_TYPES = "tensorflow/core/framework/types.proto"
_SHAPE = "tensorflow/core/framework/tensor_shape.proto"
_HANDLE = "tensorflow/core/framework/resource_handle.proto"

proto_file(_SHAPE,
           message("TensorShapeProto",
                   message("Dim", field(1, "size", INT64), field(2, "name", STRING)),
                   repeated(2, "dim", msg("TensorShapeProto.Dim")),
                   field(3, "unknown_rank", BOOL)))

proto_file(_HANDLE,
           message("ResourceHandleProto",
                   field(1, "device", STRING),
                   field(2, "container", STRING),
                   field(3, "name", STRING),
                   field(4, "hash_code", UINT64),
                   field(5, "maybe_type_name", STRING),
                   message("DtypeAndShape",
                           field(1, "dtype", enum_type("DataType")),
                           field(2, "shape", msg("TensorShapeProto"))),
                   repeated(6, "dtypes_and_shapes", msg("ResourceHandleProto.DtypeAndShape")),
                   reserved=(7,)),
           deps=(_SHAPE, _TYPES))

proto_file("tensorflow/core/framework/tensor_slice.proto",
           message("TensorSliceProto",
                   message("Extent",
                           field(1, "start", INT64),
                           field(2, "length", INT64, oneof="has_length_hack")),
                   repeated(1, "extent", msg("TensorSliceProto.Extent"))))

proto_file("tensorflow/core/framework/tensor.proto",
           message("TensorProto",
                   field(1, "dtype", enum_type("DataType")),
                   field(2, "tensor_shape", msg("TensorShapeProto")),
                   field(3, "version_number", INT32),
                   field(4, "tensor_content", BYTES),
                   repeated(13, "half_val", INT32),
                   repeated(5, "float_val", FLOAT),
                   repeated(6, "double_val", DOUBLE),
                   repeated(7, "int_val", INT32),
                   repeated(8, "string_val", BYTES),
                   repeated(9, "scomplex_val", FLOAT),
                   repeated(10, "int64_val", INT64),
                   repeated(11, "bool_val", BOOL),
                   repeated(12, "dcomplex_val", DOUBLE),
                   repeated(14, "resource_handle_val", msg("ResourceHandleProto")),
                   repeated(15, "variant_val", msg("VariantTensorDataProto")),
                   repeated(16, "uint32_val", UINT32),
                   repeated(17, "uint64_val", UINT64),
                   field(18, "float8_val", BYTES)),
           message("VariantTensorDataProto",
                   field(1, "type_name", STRING),
                   field(2, "metadata", BYTES),
                   repeated(3, "tensors", msg("TensorProto"))),
           deps=(_HANDLE, _SHAPE, _TYPES))

TensorShapeProto = message_class("TensorShapeProto")
ResourceHandleProto = message_class("ResourceHandleProto")
TensorSliceProto = message_class("TensorSliceProto")
TensorProto = message_class("TensorProto")
VariantTensorDataProto = message_class("VariantTensorDataProto")
