"""The small messages of tensorflow/core/util/event.proto and framework/summary.proto that
TF1 exposes in `tf.summary` (`SessionLog`, `TaggedRunMetadata`, `SummaryDescription`).
`Event` and `Summary` stay graphc's own writers (graphc/summary.py), which write the same
bytes."""
from __future__ import annotations

from ._schema import BYTES, STRING, enum, enum_type, field, message, message_class, \
    proto_file

proto_file("tensorflow/core/util/event_messages.proto",
           message("SessionLog",
                   enum("SessionStatus", ("STATUS_UNSPECIFIED", 0), ("START", 1),
                        ("STOP", 2), ("CHECKPOINT", 3)),
                   field(1, "status", enum_type("SessionLog.SessionStatus")),
                   field(2, "checkpoint_path", STRING),
                   field(3, "msg", STRING)),
           message("TaggedRunMetadata",
                   field(1, "tag", STRING),
                   field(2, "run_metadata", BYTES)))
proto_file("tensorflow/core/framework/summary_description.proto",
           message("SummaryDescription", field(1, "type_hint", STRING)))

SessionLog = message_class("SessionLog")
TaggedRunMetadata = message_class("TaggedRunMetadata")
SummaryDescription = message_class("SummaryDescription")
