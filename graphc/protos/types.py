"""tensorflow/core/framework/types.proto (`DataType`) and full_type.proto (`FullTypeDef`,
which NodeDef and OpDef carry), and the mapping between graphc dtypes and DataType."""
from __future__ import annotations

from ..ir import dtypes as dt
from ._schema import INT64, STRING, enum, enum_type, enum_wrapper, field, message, \
    message_class, msg, proto_file, repeated

_DTYPES = (("DT_INVALID", 0), ("DT_FLOAT", 1), ("DT_DOUBLE", 2), ("DT_INT32", 3),
           ("DT_UINT8", 4), ("DT_INT16", 5), ("DT_INT8", 6), ("DT_STRING", 7),
           ("DT_COMPLEX64", 8), ("DT_INT64", 9), ("DT_BOOL", 10), ("DT_QINT8", 11),
           ("DT_QUINT8", 12), ("DT_QINT32", 13), ("DT_BFLOAT16", 14), ("DT_QINT16", 15),
           ("DT_QUINT16", 16), ("DT_UINT16", 17), ("DT_COMPLEX128", 18), ("DT_HALF", 19),
           ("DT_RESOURCE", 20), ("DT_VARIANT", 21), ("DT_UINT32", 22), ("DT_UINT64", 23),
           ("DT_FLOAT8_E5M2", 24), ("DT_FLOAT8_E4M3FN", 25), ("DT_FLOAT8_E4M3FNUZ", 26),
           ("DT_FLOAT8_E4M3B11FNUZ", 27), ("DT_FLOAT8_E5M2FNUZ", 28), ("DT_INT4", 29),
           ("DT_UINT4", 30), ("DT_INT2", 31), ("DT_UINT2", 32), ("DT_FLOAT4_E2M1FN", 33))
# Every type above has a reference twin at +100 (DT_FLOAT_REF = 101: a VariableV2 output).
_REFS = tuple((f"{name}_REF", number + 100) for name, number in _DTYPES[1:])

proto_file("tensorflow/core/framework/types.proto",
           enum("DataType", *_DTYPES, *_REFS),
           message("SerializedDType", field(1, "datatype", enum_type("DataType"))))

_FULL_TYPES = (("TFT_UNSET", 0), ("TFT_VAR", 1), ("TFT_ANY", 2), ("TFT_PRODUCT", 3),
               ("TFT_NAMED", 4), ("TFT_FOR_EACH", 20), ("TFT_CALLABLE", 100),
               ("TFT_TENSOR", 1000), ("TFT_ARRAY", 1001), ("TFT_OPTIONAL", 1002),
               ("TFT_LITERAL", 1003), ("TFT_ENCODED", 1004),
               ("TFT_SHAPE_TENSOR", 1005), ("TFT_BOOL", 200), ("TFT_UINT8", 201),
               ("TFT_UINT16", 202), ("TFT_UINT32", 203), ("TFT_UINT64", 204),
               ("TFT_INT8", 205), ("TFT_INT16", 206), ("TFT_INT32", 207), ("TFT_INT64", 208),
               ("TFT_HALF", 209), ("TFT_FLOAT", 210), ("TFT_DOUBLE", 211),
               ("TFT_BFLOAT16", 215), ("TFT_COMPLEX64", 212), ("TFT_COMPLEX128", 213),
               ("TFT_STRING", 214), ("TFT_DATASET", 10102), ("TFT_RAGGED", 10103),
               ("TFT_ITERATOR", 10104),
               ("TFT_MUTEX_LOCK", 10202), ("TFT_LEGACY_VARIANT", 10203))

proto_file("tensorflow/core/framework/full_type.proto",
           enum("FullTypeId", *_FULL_TYPES),
           message("FullTypeDef",
                   field(1, "type_id", enum_type("FullTypeId")),
                   repeated(2, "args", msg("FullTypeDef")),
                   field(3, "s", STRING, oneof="attr"),
                   field(4, "i", INT64, oneof="attr")))

DataType = enum_wrapper("DataType")
FullTypeId = enum_wrapper("FullTypeId")
FullTypeDef = message_class("FullTypeDef")

# graphc dtype name <-> DataType number (TensorFlow's names: "float32" is DT_FLOAT).
DATATYPES = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
            "string": 7, "complex64": 8, "int64": 9, "bool": 10, "complex128": 18,
            "float16": 19, "resource": 20}
_BY_NUMBER = {n: name for name, n in DATATYPES.items()}


def as_datatype_enum(dtype) -> int:
    """The DataType number of a graphc dtype (or anything `tf.as_dtype` takes)."""
    d = dt.as_dtype(dtype)
    return DATATYPES[d.name]


def as_graphc_dtype(number: int, where: str = "") -> dt.DType:
    """The graphc dtype of a DataType number; `_REF` types map to their base type (graphc
    variables are buffers, not references). A type graphc lacks raises, naming it."""
    base = number - 100 if number > 100 else number
    name = _BY_NUMBER.get(base)
    if name is None:
        label = DataType.Name(number) if number in DataType.values() else str(number)
        raise TypeError(f"{where}{' ' if where else ''}has TensorFlow type {label}, which "
                        "graphc does not support (supported: "
                        + ", ".join(DataType.Name(n) for n in sorted(_BY_NUMBER)) + ")")
    return dt.as_dtype(name)
