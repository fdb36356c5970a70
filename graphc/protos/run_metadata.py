"""The run-tracing family: allocation_description.proto, tensor_description.proto,
step_stats.proto, the RunOptions/RunMetadata part of config.proto and tfprof_output.proto
(`StepStats`, `DeviceStepStats`, `NodeExecStats`, `NodeOutput`, `RunOptions`,
`RunMetadata`, `GraphNodeProto`, `MultiGraphNodeProto`).

Two fields are not described: `RunMetadata.cost_graph` (2, a CostGraphDef graphc has no
cost model for) and `DebugOptions.debug_tensor_watch_opts` (4, tfdbg's watches). The
runtime keeps them as unknown fields, so a TensorFlow message parses and serializes back
byte for byte.
"""
from __future__ import annotations

from . import graph as _graph  # noqa: F401  (registers GraphDef and the tensor family)
from ._schema import BOOL, DOUBLE, INT32, INT64, STRING, UINT32, UINT64, enum, \
    enum_type, field, map_field, message, message_class, msg, proto_file, repeated

_FW = "tensorflow/core/framework/"
_ALLOC = _FW + "allocation_description.proto"
_DESC = _FW + "tensor_description.proto"
_STEP = _FW + "step_stats.proto"

proto_file(_ALLOC,
           message("AllocationDescription",
                   field(1, "requested_bytes", INT64),
                   field(2, "allocated_bytes", INT64),
                   field(3, "allocator_name", STRING),
                   field(4, "allocation_id", INT64),
                   field(5, "has_single_reference", BOOL),
                   field(6, "ptr", UINT64)))

proto_file(_DESC,
           message("TensorDescription",
                   field(1, "dtype", enum_type("DataType")),
                   field(2, "shape", msg("TensorShapeProto")),
                   field(4, "allocation_description", msg("AllocationDescription"))),
           deps=(_FW + "types.proto", _FW + "tensor_shape.proto", _ALLOC))

proto_file(_STEP,
           message("AllocationRecord",
                   field(1, "alloc_micros", INT64),
                   field(2, "alloc_bytes", INT64)),
           message("AllocatorMemoryUsed",
                   field(1, "allocator_name", STRING),
                   field(2, "total_bytes", INT64),
                   field(3, "peak_bytes", INT64),
                   field(4, "live_bytes", INT64),
                   repeated(6, "allocation_records", msg("AllocationRecord")),
                   field(5, "allocator_bytes_in_use", INT64)),
           message("NodeOutput",
                   field(1, "slot", INT32),
                   field(3, "tensor_description", msg("TensorDescription"))),
           message("MemoryStats",
                   field(1, "temp_memory_size", INT64),
                   field(3, "persistent_memory_size", INT64),
                   repeated(5, "persistent_tensor_alloc_ids", INT64),
                   field(2, "device_temp_memory_size", INT64),
                   field(4, "device_persistent_memory_size", INT64),
                   repeated(6, "device_persistent_tensor_alloc_ids", INT64)),
           message("NodeExecStats",
                   field(1, "node_name", STRING),
                   field(2, "all_start_micros", INT64),
                   field(3, "op_start_rel_micros", INT64),
                   field(4, "op_end_rel_micros", INT64),
                   field(5, "all_end_rel_micros", INT64),
                   repeated(6, "memory", msg("AllocatorMemoryUsed")),
                   repeated(7, "output", msg("NodeOutput")),
                   field(8, "timeline_label", STRING),
                   field(9, "scheduled_micros", INT64),
                   field(10, "thread_id", UINT32),
                   repeated(11, "referenced_tensor", msg("AllocationDescription")),
                   field(12, "memory_stats", msg("MemoryStats")),
                   field(13, "all_start_nanos", INT64),
                   field(14, "op_start_rel_nanos", INT64),
                   field(15, "op_end_rel_nanos", INT64),
                   field(16, "all_end_rel_nanos", INT64),
                   field(17, "scheduled_nanos", INT64)),
           message("DeviceStepStats",
                   field(1, "device", STRING),
                   repeated(2, "node_stats", msg("NodeExecStats")),
                   map_field(3, "thread_names", UINT32, STRING)),
           message("StepStats",
                   repeated(1, "dev_stats", msg("DeviceStepStats"))),
           deps=(_ALLOC, _DESC))

# config.proto's messages of one run (ConfigProto and its family are graphc/config.py's
# keyword bags: the Session reads their fields, nobody serializes them).
proto_file("tensorflow/core/protobuf/run_options.proto",
           message("DebugOptions",
                   field(10, "global_step", INT64),
                   field(11, "reset_disk_byte_usage", BOOL)),
           message("RunOptions",
                   enum("TraceLevel", ("NO_TRACE", 0), ("SOFTWARE_TRACE", 1),
                        ("HARDWARE_TRACE", 2), ("FULL_TRACE", 3)),
                   field(1, "trace_level", enum_type("RunOptions.TraceLevel")),
                   field(2, "timeout_in_ms", INT64),
                   field(3, "inter_op_thread_pool", INT32),
                   field(5, "output_partition_graphs", BOOL),
                   field(6, "debug_options", msg("DebugOptions")),
                   field(7, "report_tensor_allocations_upon_oom", BOOL),
                   message("Experimental",
                           field(1, "collective_graph_key", INT64),
                           field(2, "use_run_handler_pool", BOOL)),
                   field(8, "experimental", msg("RunOptions.Experimental")),
                   reserved=(4,)),
           message("SessionMetadata",
                   field(1, "name", STRING),
                   field(2, "version", INT64)),
           message("RunMetadata",
                   field(1, "step_stats", msg("StepStats")),
                   repeated(3, "partition_graphs", msg("GraphDef")),
                   message("FunctionGraphs",
                           repeated(1, "partition_graphs", msg("GraphDef")),
                           field(2, "pre_optimization_graph", msg("GraphDef")),
                           field(3, "post_optimization_graph", msg("GraphDef"))),
                   repeated(4, "function_graphs", msg("RunMetadata.FunctionGraphs")),
                   field(5, "session_metadata", msg("SessionMetadata"))),
           deps=(_STEP, _FW + "graph.proto"))

_TFPROF = "tfprof."
proto_file("tensorflow/core/profiler/tfprof_output.proto",
           message("TFProfTensorProto",
                   field(1, "dtype", enum_type("DataType")),
                   repeated(2, "value_double", DOUBLE),
                   repeated(3, "value_int64", INT64),
                   repeated(4, "value_str", STRING)),
           message("GraphNodeProto",
                   field(1, "name", STRING),
                   field(15, "tensor_value", msg(_TFPROF + "TFProfTensorProto")),
                   field(21, "run_count", INT64),
                   field(2, "exec_micros", INT64),
                   field(17, "accelerator_exec_micros", INT64),
                   field(18, "cpu_exec_micros", INT64),
                   field(3, "requested_bytes", INT64),
                   field(24, "peak_bytes", INT64),
                   field(25, "residual_bytes", INT64),
                   field(26, "output_bytes", INT64),
                   field(4, "parameters", INT64),
                   field(13, "float_ops", INT64),
                   repeated(10, "devices", STRING),
                   field(23, "total_definition_count", INT64),
                   field(22, "total_run_count", INT64),
                   field(6, "total_exec_micros", INT64),
                   field(19, "total_accelerator_exec_micros", INT64),
                   field(20, "total_cpu_exec_micros", INT64),
                   field(7, "total_requested_bytes", INT64),
                   field(27, "total_peak_bytes", INT64),
                   field(28, "total_residual_bytes", INT64),
                   field(29, "total_output_bytes", INT64),
                   field(8, "total_parameters", INT64),
                   field(14, "total_float_ops", INT64),
                   repeated(11, "shapes", msg("TensorShapeProto")),
                   map_field(16, "input_shapes", INT32, msg("TensorShapeProto")),
                   repeated(12, "children", msg(_TFPROF + "GraphNodeProto"))),
           message("MultiGraphNodeProto",
                   field(1, "name", STRING),
                   field(2, "exec_micros", INT64),
                   field(12, "accelerator_exec_micros", INT64),
                   field(13, "cpu_exec_micros", INT64),
                   field(3, "requested_bytes", INT64),
                   field(16, "peak_bytes", INT64),
                   field(17, "residual_bytes", INT64),
                   field(18, "output_bytes", INT64),
                   field(4, "parameters", INT64),
                   field(5, "float_ops", INT64),
                   field(6, "total_exec_micros", INT64),
                   field(14, "total_accelerator_exec_micros", INT64),
                   field(15, "total_cpu_exec_micros", INT64),
                   field(7, "total_requested_bytes", INT64),
                   field(19, "total_peak_bytes", INT64),
                   field(20, "total_residual_bytes", INT64),
                   field(21, "total_output_bytes", INT64),
                   field(8, "total_parameters", INT64),
                   field(9, "total_float_ops", INT64),
                   repeated(10, "graph_nodes", msg(_TFPROF + "GraphNodeProto")),
                   repeated(11, "children", msg(_TFPROF + "MultiGraphNodeProto"))),
           message("AdviceProto",
                   message("Checker",
                           repeated(2, "reports", STRING)),
                   map_field(1, "checkers", STRING, msg(_TFPROF + "AdviceProto.Checker"))),
           deps=(_FW + "tensor_shape.proto", _FW + "types.proto"),
           package="tensorflow.tfprof")

AllocationDescription = message_class("AllocationDescription")
TensorDescription = message_class("TensorDescription")
NodeOutput = message_class("NodeOutput")
NodeExecStats = message_class("NodeExecStats")
DeviceStepStats = message_class("DeviceStepStats")
StepStats = message_class("StepStats")
DebugOptions = message_class("DebugOptions")
RunOptions = message_class("RunOptions")
RunMetadata = message_class("RunMetadata")
GraphNodeProto = message_class(_TFPROF + "GraphNodeProto")
MultiGraphNodeProto = message_class(_TFPROF + "MultiGraphNodeProto")
AdviceProto = message_class(_TFPROF + "AdviceProto")
