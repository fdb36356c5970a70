"""tf-keras models TensorFlow 2 froze (tests/fixtures/tf/make_keras_fixtures.py): a
Transformer encoder block in the two forms tf-keras writes (Einsum attention, exact GELU
through Erfc, LayerNormalization as Mean/Rsqrt or as an NCHW FusedBatchNormV3) and an
LSTM (its loop lowered to TF1 frames over TensorLists), imported and run by graphc on both
backends, equal to TensorFlow's outputs saved beside them."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc import protos

from .fixtures import HERE, arrays

NAMES = ["keras_transformer", "keras_transformer_fused_ln", "keras_lstm"]


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
@pytest.mark.parametrize("name", NAMES)
def test_frozen_keras_models_match_tensorflow(name, backend):
    feeds, want = arrays(name)
    with tf.Graph().as_default():
        gd = tf.train.read_graph(os.path.join(HERE, f"{name}.pb"))
        fetches = tf.import_graph_def(gd, return_elements=list(want), name="")
        with tf.Session(backend=backend) as sess:
            got = sess.run(fetches, feeds)
    for key, value in zip(want, got):
        np.testing.assert_allclose(value, want[key], rtol=1e-5, atol=1e-5, err_msg=key)


def test_fixtures_have_the_ops_tf_keras_writes():
    ops = {name: {n.op for n in tf.train.read_graph(os.path.join(HERE, f"{name}.pb")).node}
           for name in NAMES}
    assert {"Einsum", "Erfc", "Rsqrt", "SquaredDifference"} <= ops["keras_transformer"]
    fused = [n for n in tf.train.read_graph(os.path.join(
        HERE, "keras_transformer_fused_ln.pb")).node if n.op == "FusedBatchNormV3"]
    assert fused and all(n.attr["data_format"].s == b"NCHW" for n in fused)
    lstm = tf.train.read_graph(os.path.join(HERE, "keras_lstm.pb")).node
    assert {"Enter", "TensorListFromTensor", "TensorListGetItem", "TensorListSetItem"} <= \
        {n.op for n in lstm}
    unused = [n for n in lstm if n.name.startswith("unused_control_flow_input")]
    assert any(n.attr["dtype"].type == protos.DataType.DT_VARIANT for n in unused)


def test_fused_batch_norm_nchw_matches_nhwc():
    """An NCHW FusedBatchNormV3 (inference, with statistics) computes what the NHWC one
    computes on the transposed input."""
    rng = np.random.RandomState(0)
    x = rng.randn(2, 3, 4, 5).astype(np.float32)
    scale, offset = rng.rand(3).astype(np.float32) + 0.5, rng.randn(3).astype(np.float32)
    mean, var = rng.randn(3).astype(np.float32), rng.rand(3).astype(np.float32) + 0.5
    gd = tf.GraphDef()
    for name, value in (("x", x), ("scale", scale), ("offset", offset), ("mean", mean),
                        ("var", var)):
        node = gd.node.add(name=name, op="Const")
        node.attr["dtype"].type = 1
        node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value))
    bn = gd.node.add(name="bn", op="FusedBatchNormV3",
                     input=["x", "scale", "offset", "mean", "var"])
    bn.attr["T"].type = bn.attr["U"].type = 1
    bn.attr["data_format"].s = b"NCHW"
    bn.attr["epsilon"].f = 1e-3
    bn.attr["is_training"].b = False
    with tf.Graph().as_default():
        y, = tf.import_graph_def(gd, return_elements=["bn:0"], name="")
        with tf.Session() as sess:
            got = sess.run(y)
    c = (1, 3, 1, 1)
    want = (x - mean.reshape(c)) / np.sqrt(var.reshape(c) + 1e-3) * scale.reshape(c) + \
        offset.reshape(c)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_fused_batch_norm_other_formats_are_refused():
    gd = tf.GraphDef()
    x = gd.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = 1
    bn = gd.node.add(name="bn", op="FusedBatchNormV3", input=["x"] * 5)
    bn.attr["T"].type = 1
    bn.attr["data_format"].s = b"NCDHW"
    with tf.Graph().as_default():
        with pytest.raises(Exception, match="bn.*NCDHW"):
            tf.import_graph_def(gd, name="")


def test_unused_variant_placeholder_is_dropped_and_a_used_one_refused():
    gd = tf.GraphDef()
    v = gd.node.add(name="unused_control_flow_input", op="Placeholder")
    v.attr["dtype"].type = protos.DataType.DT_VARIANT
    c = gd.node.add(name="c", op="Const")
    c.attr["dtype"].type = 1
    c.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(np.float32(2.0)))
    with tf.Graph().as_default():
        y, = tf.import_graph_def(gd, return_elements=["c:0"], name="")
        with tf.Session() as sess:
            assert sess.run(y) == 2.0
    gd.node.add(name="user", op="Identity", input=["unused_control_flow_input"])
    with tf.Graph().as_default():
        with pytest.raises(Exception, match="unused_control_flow_input.*DT_VARIANT"):
            tf.import_graph_def(gd, name="")
