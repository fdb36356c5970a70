"""tensorflow/core/example/feature.proto and example.proto: tf.train.Example,
SequenceExample, Features, Feature, FeatureList(s), BytesList, FloatList, Int64List.

The same messages as TensorFlow's (proto3: repeated numbers packed), so the bytes graphc
writes into TFRecord files parse in TensorFlow and back; graphc's parsing ops
(ir/ops/parsing_ops.py) read this wire format directly.
"""
from __future__ import annotations

from ._schema import BYTES, FLOAT, INT64, STRING, field, map_field, message, \
    message_class, msg, proto_file, repeated

proto_file("tensorflow/core/example/feature.proto",
           message("BytesList", repeated(1, "value", BYTES)),
           message("FloatList", repeated(1, "value", FLOAT)),
           message("Int64List", repeated(1, "value", INT64)),
           message("Feature",
                   field(1, "bytes_list", msg("BytesList"), oneof="kind"),
                   field(2, "float_list", msg("FloatList"), oneof="kind"),
                   field(3, "int64_list", msg("Int64List"), oneof="kind")),
           message("Features", map_field(1, "feature", STRING, msg("Feature"))),
           message("FeatureList", repeated(1, "feature", msg("Feature"))),
           message("FeatureLists", map_field(1, "feature_list", STRING, msg("FeatureList"))))

proto_file("tensorflow/core/example/example.proto",
           message("Example", field(1, "features", msg("Features"))),
           message("SequenceExample", field(1, "context", msg("Features")),
                   field(2, "feature_lists", msg("FeatureLists"))),
           deps=("tensorflow/core/example/feature.proto",))

BytesList = message_class("BytesList")
FloatList = message_class("FloatList")
Int64List = message_class("Int64List")
Feature = message_class("Feature")
Features = message_class("Features")
FeatureList = message_class("FeatureList")
FeatureLists = message_class("FeatureLists")
Example = message_class("Example")
SequenceExample = message_class("SequenceExample")
