"""graphc.protos: TensorFlow's message schemas on the protobuf runtime. Wire bytes are
checked with graphc's independent wire decoder (`graphc.ir.proto.decode`), text with
`google.protobuf.text_format`, and, where TensorFlow is installed, field by field against
TensorFlow's own descriptors."""
from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

import graphc as tf
from graphc import protos
from graphc.ir import proto as wire

NODE_PBTXT = """
node {
  name: "x"
  op: "Placeholder"
  attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 3 } } } }
}
node {
  name: "y"
  op: "Relu"
  input: "x"
  input: "^init"
  device: "/device:CPU:0"
  attr { key: "T" value { type: DT_FLOAT } }
  attr { key: "_output_shapes" value { list { shape { dim { size: -1 } dim { size: 3 } } } } }
}
versions { producer: 1087 min_consumer: 12 }
"""


def test_tf_names_are_the_protobuf_messages():
    for name in ("GraphDef", "NodeDef", "AttrValue", "TensorProto", "TensorShapeProto",
                 "MetaGraphDef"):
        cls = getattr(tf, name)
        assert cls is getattr(protos, name) and getattr(tf.compat.v1, name) is cls
        assert cls.DESCRIPTOR.full_name == f"tensorflow.{name}"
    assert tf.GraphDef.DESCRIPTOR.file.name == "tensorflow/core/framework/graph.proto"


def test_graph_def_wire_bytes_have_tensorflow_field_numbers():
    gd = tf.GraphDef()
    node = gd.node.add(name="y", op="Relu")
    node.input.extend(["x:1", "^c"])
    node.attr["T"].type = protos.DataType.Value("DT_FLOAT")
    gd.versions.producer = 27
    fields = wire.decode(gd.SerializeToString())
    assert sorted(fields) == [1, 4]                    # node = 1, versions = 4
    assert wire.decode(fields[4][0]) == {1: [27]}      # VersionDef.producer = 1
    n = wire.decode(fields[1][0])
    assert n[1] == [b"y"] and n[2] == [b"Relu"] and n[3] == [b"x:1", b"^c"]
    entry = wire.decode(n[5][0])                       # map<string, AttrValue> attr = 5
    assert entry[1] == [b"T"] and wire.decode(entry[2][0]) == {6: [1]}  # type = 6, DT_FLOAT


def test_round_trip_through_bytes_and_text():
    gd = text_format.Parse(NODE_PBTXT, tf.GraphDef())
    assert [n.name for n in gd.node] == ["x", "y"]
    assert gd.node[0].attr["shape"].shape.dim[0].size == -1
    assert list(gd.node[1].input) == ["x", "^init"]
    assert gd.node[1].attr["_output_shapes"].list.shape[0].dim[1].size == 3
    back = tf.GraphDef()
    back.ParseFromString(gd.SerializeToString())
    assert back == gd
    again = tf.GraphDef()
    text_format.Merge(text_format.MessageToString(back), again)
    assert again == gd and again.versions.min_consumer == 12
    assert 'op: "Relu"' in text_format.MessageToString(gd)
    assert gd.node[1].attr["T"].WhichOneof("value") == "type"


def test_unknown_fields_survive_a_round_trip():
    # A field this schema leaves out (MetaGraphDef.object_graph_def = 7) is kept as bytes.
    meta = tf.MetaGraphDef()
    meta.graph_def.node.add(name="a", op="NoOp")
    data = meta.SerializeToString() + wire.field(7, "bytes", b"\x0a\x00")
    parsed = tf.MetaGraphDef.FromString(data)
    assert parsed.graph_def.node[0].op == "NoOp"
    assert parsed.SerializeToString() == data


def test_meta_graph_collections_signatures_and_any():
    meta = tf.MetaGraphDef()
    meta.meta_info_def.tags.append("serve")
    meta.collection_def["variables"].bytes_list.value.append(b"\n\x03w:0")
    meta.collection_def["train_op"].node_list.value.append("train")
    sig = meta.signature_def["serving_default"]
    sig.inputs["x"].name = "x:0"
    sig.inputs["x"].dtype = protos.DataType.Value("DT_FLOAT")
    sig.method_name = "tensorflow/serving/predict"
    meta.saver_def.version = protos.SaverDef.V2
    meta.meta_info_def.any_info.Pack(protos.SaverDef(max_to_keep=5))
    parsed = tf.MetaGraphDef.FromString(meta.SerializeToString())
    assert parsed == meta
    assert parsed.meta_info_def.any_info.type_url == "type.googleapis.com/tensorflow.SaverDef"
    unpacked = protos.SaverDef()
    assert parsed.meta_info_def.any_info.Unpack(unpacked) and unpacked.max_to_keep == 5
    assert parsed.collection_def["train_op"].WhichOneof("kind") == "node_list"
    saved = protos.SavedModel(saved_model_schema_version=1, meta_graphs=[meta])
    assert protos.SavedModel.FromString(saved.SerializeToString()).meta_graphs[0] == meta


def test_bundle_entry_crc_is_fixed32():
    entry = protos.BundleEntryProto(dtype=1, shard_id=0, offset=8, size=16, crc32c=0xDEADBEEF)
    entry.shape.dim.add(size=4)
    data = entry.SerializeToString()
    assert b"\x35" + (0xDEADBEEF).to_bytes(4, "little") in data   # field 6, wire type 5


# ---------------------------------------------------------------- tensor_util
@pytest.mark.parametrize("value, kwargs, text", [
    (3, {}, "dtype: DT_INT32 tensor_shape { } int_val: 3"),
    (3.0, {}, "dtype: DT_FLOAT tensor_shape { } float_val: 3"),
    (2**40, {}, "dtype: DT_INT64 tensor_shape { } int64_val: 1099511627776"),
    ([1, 2], {}, r'dtype: DT_INT32 tensor_shape { dim { size: 2 } } '
                 r'tensor_content: "\001\000\000\000\002\000\000\000"'),
    (np.array([True, False]), {},
     "dtype: DT_BOOL tensor_shape { dim { size: 2 } } bool_val: true bool_val: false"),
    (1.0, {"shape": [2, 3]},
     "dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 3 } } float_val: 1"),
    ([1.0, 2.0], {"shape": [4]},
     "dtype: DT_FLOAT tensor_shape { dim { size: 4 } } float_val: 1 float_val: 2"),
    (np.float16(1), {}, "dtype: DT_HALF tensor_shape { } half_val: 15360"),
    (["a", "b"], {},
     'dtype: DT_STRING tensor_shape { dim { size: 2 } } string_val: "a" string_val: "b"'),
    (7, {"dtype": tf.int64}, "dtype: DT_INT64 tensor_shape { } int64_val: 7"),
    (np.zeros((0, 3), np.float32), {},
     "dtype: DT_FLOAT tensor_shape { dim { } dim { size: 3 } }"),
])
def test_make_tensor_proto_encodes_as_tensorflow(value, kwargs, text):
    want = text_format.Parse(text, tf.TensorProto())
    got = tf.make_tensor_proto(value, **kwargs)
    assert got == want, f"expected {want}, got {got}"


def test_make_tensor_proto_errors_name_the_shapes():
    with pytest.raises(ValueError, match="Too many elements provided. Takes at most 2, but got 3"):
        tf.make_tensor_proto([1, 2, 3], shape=[2])
    with pytest.raises(TypeError, match=r"Expected Tensor's shape: \(3,\), but got \(2,\)"):
        tf.make_tensor_proto([1, 2], shape=[3], verify_shape=True)
    with pytest.raises(TypeError, match="Expected int32"):
        tf.make_tensor_proto([1.5], dtype=tf.int32)
    with pytest.raises(TypeError, match=r"Expected Tensor's shape"):
        tf.make_tensor_proto([1, 2], shape=[4], allow_broadcast=True)


@pytest.mark.parametrize("array", [
    np.arange(12, dtype=np.float32).reshape(3, 4), np.arange(-3, 3, dtype=np.int64),
    np.array([[1.5, -2.0]], np.float64), np.array([1, 200], np.uint8),
    np.array([-7, 7], np.int8), np.array([[0.5, 1e4]], np.float16),
    np.array([True, False, True]), np.float32(2.5), np.int32(-4),
])
def test_make_ndarray_inverts_make_tensor_proto(array):
    back = tf.make_ndarray(tf.TensorProto.FromString(
        tf.make_tensor_proto(array).SerializeToString()))
    assert back.dtype == array.dtype and back.shape == np.shape(array)
    np.testing.assert_array_equal(back, array)


def test_make_ndarray_broadcasts_and_pads_with_the_last_value():
    np.testing.assert_array_equal(tf.make_ndarray(tf.make_tensor_proto(1.0, shape=[2, 2])),
                                  np.ones((2, 2), np.float32))
    np.testing.assert_array_equal(tf.make_ndarray(tf.make_tensor_proto([1.0, 2.0], shape=[4])),
                                  np.array([1, 2, 2, 2], np.float32))
    strings = tf.make_ndarray(tf.make_tensor_proto(["a"], shape=[3]))
    assert strings.tolist() == [b"a", b"a", b"a"]
    empty = tf.make_ndarray(text_format.Parse("dtype: DT_INT32 tensor_shape { dim { size: 2 } }",
                                              tf.TensorProto()))
    np.testing.assert_array_equal(empty, np.zeros(2, np.int32))


def test_make_ndarray_refuses_bad_content_and_unsupported_types():
    bad = tf.make_tensor_proto(np.arange(4, dtype=np.float32))
    bad.tensor_content = bad.tensor_content[:-1]
    with pytest.raises(ValueError, match="needs 16 bytes of tensor_content, has 15"):
        tf.make_ndarray(bad)
    with pytest.raises(TypeError, match="DT_BFLOAT16, which graphc does not support"):
        tf.make_ndarray(tf.TensorProto(dtype=protos.DataType.Value("DT_BFLOAT16")))
    odd = tf.TensorProto(dtype=protos.DataType.Value("DT_COMPLEX64"), scomplex_val=[1.0])
    odd.tensor_shape.dim.add(size=1)
    with pytest.raises(ValueError, match="odd number"):
        tf.make_ndarray(odd)


def test_shape_protos():
    assert protos.shape_from_proto(protos.shape_to_proto([None, 3])).as_list() == [None, 3]
    assert protos.shape_to_proto(tf.TensorShape(None)).unknown_rank
    assert protos.shape_from_proto(protos.shape_to_proto([])).as_list() == []


# ---------------------------------------------------------------- against TensorFlow
_FILES = [f"tensorflow/core/framework/{n}.proto" for n in (
    "types", "full_type", "tensor_shape", "resource_handle", "tensor_slice", "tensor",
    "attr_value", "node_def", "op_def", "function", "versions", "graph_debug_info", "graph",
    "variable")
] + [f"tensorflow/core/protobuf/{n}.proto" for n in (
    "saver", "meta_graph", "saved_model", "tensor_bundle")]
# TensorFlow 2's object-graph fields, deliberately left out (kept as unknown fields).
_LEFT_OUT = {("tensorflow.MetaGraphDef", "object_graph_def"),
             ("tensorflow.TensorInfo", "composite_tensor")}


def _walk(d):
    yield d
    for n in d.nested_types:
        yield from _walk(n)


def _describe(f):
    ref = f.message_type or f.enum_type
    return (f.number, f.type, f.is_repeated, ref.full_name if ref else None,
            f.containing_oneof.name if f.containing_oneof else None)


def _tf_pool():
    pytest.importorskip("tensorflow")
    from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2, \
        tensor_bundle_pb2  # noqa: F401
    from tensorflow.core.framework import variable_pb2  # noqa: F401
    from google.protobuf import descriptor_pool
    return descriptor_pool.Default()


def test_schemas_match_tensorflows_descriptors():
    theirs_pool = _tf_pool()
    from graphc.protos._schema import POOL
    for path in _FILES:
        mine, theirs = POOL.FindFileByName(path), theirs_pool.FindFileByName(path)
        assert set(mine.message_types_by_name) == set(theirs.message_types_by_name), path
        for e in mine.enum_types_by_name.values():
            assert {v.name: v.number for v in e.values} == {
                v.name: v.number for v in theirs.enum_types_by_name[e.name].values}, e.name
        for top in mine.message_types_by_name.values():
            for d in _walk(top):
                t = theirs_pool.FindMessageTypeByName(d.full_name)
                assert d.GetOptions().map_entry == t.GetOptions().map_entry, d.full_name
                for e in d.enum_types:
                    assert {v.name: v.number for v in e.values} == {
                        v.name: v.number for v in t.enum_types_by_name[e.name].values}
                ours = {f.name: _describe(f) for f in d.fields}
                want = {f.name: _describe(f) for f in t.fields
                        if (d.full_name, f.name) not in _LEFT_OUT}
                assert ours == want, d.full_name


def test_make_tensor_proto_bytes_equal_tensorflows():
    tf_real = pytest.importorskip("tensorflow")
    cases = [(np.array([True, False]), {}), (3, {}), (3.0, {}), ([1, 2], {}), (2**40, {}),
             (1.0, {"shape": [2, 3]}), ([1.0, 2.0], {"shape": [4]}), (np.float16([1, 2]), {}),
             (np.float16(1), {}), (b"ab", {}), (["a", "b"], {}),
             ([[1, 2], [3, 4]], {"dtype": "float64"}), (7, {"dtype": "int64"}),
             (np.zeros((0, 3), np.float32), {}), (np.arange(6, dtype=np.int8).reshape(2, 3), {}),
             ([True], {"shape": [3]}), (np.array([[b"x", b"yz"]]), {}),
             (np.uint8([1, 2, 3]), {"dtype": "int32"})]
    for value, kwargs in cases:
        want = tf_real.make_tensor_proto(value, **kwargs).SerializeToString()
        assert tf.make_tensor_proto(value, **kwargs).SerializeToString() == want, (value, kwargs)
        got = tf.make_ndarray(tf.TensorProto.FromString(want))
        ref = tf_real.make_ndarray(tf_real.make_tensor_proto(value, **kwargs))
        assert got.shape == ref.shape and got.tolist() == ref.tolist(), (value, kwargs)
