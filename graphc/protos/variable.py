"""tensorflow/core/framework/variable.proto: `VariableDef` (how a MetaGraphDef's variable
collections name a variable's ops) and `SaveSliceInfoDef`."""
from __future__ import annotations

from ._schema import BOOL, INT64, STRING, enum, enum_type, field, message, message_class, \
    msg, proto_file, repeated

proto_file("tensorflow/core/framework/variable.proto",
           enum("VariableSynchronization", ("VARIABLE_SYNCHRONIZATION_AUTO", 0),
                ("VARIABLE_SYNCHRONIZATION_NONE", 1), ("VARIABLE_SYNCHRONIZATION_ON_WRITE", 2),
                ("VARIABLE_SYNCHRONIZATION_ON_READ", 3)),
           enum("VariableAggregation", ("VARIABLE_AGGREGATION_NONE", 0),
                ("VARIABLE_AGGREGATION_SUM", 1), ("VARIABLE_AGGREGATION_MEAN", 2),
                ("VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA", 3)),
           message("VariableDef",
                   field(1, "variable_name", STRING),
                   field(6, "initial_value_name", STRING),
                   field(2, "initializer_name", STRING),
                   field(3, "snapshot_name", STRING),
                   field(4, "save_slice_info_def", msg("SaveSliceInfoDef")),
                   field(5, "is_resource", BOOL),
                   field(7, "trainable", BOOL),
                   field(8, "synchronization", enum_type("VariableSynchronization")),
                   field(9, "aggregation", enum_type("VariableAggregation"))),
           message("SaveSliceInfoDef",
                   field(1, "full_name", STRING),
                   repeated(2, "full_shape", INT64),
                   repeated(3, "var_offset", INT64),
                   repeated(4, "var_shape", INT64)))

VariableDef = message_class("VariableDef")
SaveSliceInfoDef = message_class("SaveSliceInfoDef")
