"""tensorflow/core/framework/summary.proto and histogram.proto (`Summary` as a message,
`HistogramProto`, `SummaryMetadata`), tensorflow/core/util/event.proto (`Event`,
`LogMessage`, `SourceMetadata`) and tensorflow/core/protobuf/cluster.proto and
tensorflow_server.proto (`JobDef`, `ClusterDef`, `ServerDef`).

`tf.Summary` stays graphc's own builder (graphc/summary.py), which writes the bytes the
`Summary` message here reads: `tf.train.summary_iterator` yields `Event`s of these classes.
ServerDef leaves out default_session_config and cluster_device_filters (graphc's
ConfigProto is no protobuf message); their field numbers are reserved.
"""
from __future__ import annotations

from . import event as _event  # noqa: F401  (registers SessionLog, TaggedRunMetadata)
from . import tensor as _tensor  # noqa: F401  (registers TensorProto)
from ._schema import BYTES, DOUBLE, FLOAT, INT32, INT64, STRING, enum, enum_type, field, \
    map_field, message, message_class, msg, proto_file, repeated

_HISTOGRAM = "tensorflow/tsl/protobuf/histogram.proto"
_SUMMARY = "tensorflow/core/framework/summary.proto"
_CLUSTER = "tensorflow/core/protobuf/cluster.proto"

proto_file(_HISTOGRAM,
           message("HistogramProto",
                   field(1, "min", DOUBLE), field(2, "max", DOUBLE), field(3, "num", DOUBLE),
                   field(4, "sum", DOUBLE), field(5, "sum_squares", DOUBLE),
                   repeated(6, "bucket_limit", DOUBLE), repeated(7, "bucket", DOUBLE)))
proto_file(_SUMMARY,
           enum("DataClass", ("DATA_CLASS_UNKNOWN", 0), ("DATA_CLASS_SCALAR", 1),
                ("DATA_CLASS_TENSOR", 2), ("DATA_CLASS_BLOB_SEQUENCE", 3)),
           message("SummaryMetadata",
                   message("PluginData", field(1, "plugin_name", STRING),
                           field(2, "content", BYTES)),
                   field(1, "plugin_data", msg("SummaryMetadata.PluginData")),
                   field(2, "display_name", STRING),
                   field(3, "summary_description", STRING),
                   field(4, "data_class", enum_type("DataClass"))),
           message("Summary",
                   message("Image", field(1, "height", INT32), field(2, "width", INT32),
                           field(3, "colorspace", INT32),
                           field(4, "encoded_image_string", BYTES)),
                   message("Audio", field(1, "sample_rate", FLOAT),
                           field(2, "num_channels", INT64), field(3, "length_frames", INT64),
                           field(4, "encoded_audio_string", BYTES),
                           field(5, "content_type", STRING)),
                   message("Value",
                           field(7, "node_name", STRING), field(1, "tag", STRING),
                           field(9, "metadata", msg("SummaryMetadata")),
                           field(2, "simple_value", FLOAT, oneof="value"),
                           field(3, "obsolete_old_style_histogram", BYTES, oneof="value"),
                           field(4, "image", msg("Summary.Image"), oneof="value"),
                           field(5, "histo", msg("HistogramProto"), oneof="value"),
                           field(6, "audio", msg("Summary.Audio"), oneof="value"),
                           field(8, "tensor", msg("TensorProto"), oneof="value")),
                   repeated(1, "value", msg("Summary.Value"))),
           deps=(_HISTOGRAM, "tensorflow/core/framework/tensor.proto"))
proto_file("tensorflow/core/util/event.proto",
           message("LogMessage",
                   enum("Level", ("UNKNOWN", 0), ("DEBUGGING", 10), ("INFO", 20),
                        ("WARN", 30), ("ERROR", 40), ("FATAL", 50)),
                   field(1, "level", enum_type("LogMessage.Level")),
                   field(2, "message", STRING)),
           message("SourceMetadata", field(1, "writer", STRING)),
           message("Event",
                   field(1, "wall_time", DOUBLE), field(2, "step", INT64),
                   field(3, "file_version", STRING, oneof="what"),
                   field(4, "graph_def", BYTES, oneof="what"),
                   field(5, "summary", msg("Summary"), oneof="what"),
                   field(6, "log_message", msg("LogMessage"), oneof="what"),
                   field(7, "session_log", msg("SessionLog"), oneof="what"),
                   field(8, "tagged_run_metadata", msg("TaggedRunMetadata"), oneof="what"),
                   field(9, "meta_graph_def", BYTES, oneof="what"),
                   field(10, "source_metadata", msg("SourceMetadata"))),
           deps=(_SUMMARY, "tensorflow/core/util/event_messages.proto"))
proto_file(_CLUSTER,
           message("JobDef", field(1, "name", STRING),
                   map_field(2, "tasks", INT32, STRING)),
           message("ClusterDef", repeated(1, "job", msg("JobDef"))))
proto_file("tensorflow/core/protobuf/tensorflow_server.proto",
           message("ServerDef",
                   field(1, "cluster", msg("ClusterDef")), field(2, "job_name", STRING),
                   field(8, "replica", INT32), field(3, "task_index", INT32),
                   field(5, "protocol", STRING), field(6, "port", INT32),
                   reserved=(4, 7)),
           deps=(_CLUSTER,))

HistogramProto = message_class("HistogramProto")
SummaryMetadata = message_class("SummaryMetadata")
SummaryProto = message_class("Summary")
LogMessage = message_class("LogMessage")
SourceMetadata = message_class("SourceMetadata")
Event = message_class("Event")
JobDef = message_class("JobDef")
ClusterDef = message_class("ClusterDef")
ServerDef = message_class("ServerDef")
