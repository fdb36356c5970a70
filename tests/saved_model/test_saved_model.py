"""SavedModel directories (`tf.saved_model`): TensorFlow's (tests/fixtures/tf/saved_model,
made by tests/fixtures/tf/make_checkpoint_fixtures.py) load in graphc and their signatures
give TensorFlow's outputs on both backends; graphc's (simple_save, SavedModelBuilder) load
back in graphc and, where TensorFlow is installed, in TensorFlow."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc import protos

HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tf")
BACKENDS = ["numpy", "llvm"]


def _npz(name: str, kind: str) -> dict:
    with np.load(os.path.join(HERE, "ckpt", f"{name}.{kind}.npz")) as f:
        return dict(f)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, input_key", [("mlp", "x"), ("convnet_bn", "images")])
def test_tensorflow_saved_models_run_their_signatures_in_graphc(name, input_key, backend):
    feeds, want = _npz(name, "inputs"), _npz(name, "outputs")
    with tf.Graph().as_default() as g, tf.Session(backend=backend) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING],
                                          os.path.join(HERE, "saved_model", name))
        sig = meta.signature_def[tf.saved_model.signature_constants.
                                 DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        assert sig.method_name == tf.saved_model.signature_constants.PREDICT_METHOD_NAME
        assert sorted(sig.outputs) == ["logits", "probs"]
        x = tf.saved_model.utils.get_tensor_from_tensor_info(sig.inputs[input_key])
        assert x.op.type == "Placeholder" and x.graph is g
        got = sess.run({k: v.name for k, v in sig.outputs.items()}, {x: feeds["x:0"]})
        assert sess.run(tf.train.get_global_step()) == 3
    for key, info in sig.outputs.items():
        np.testing.assert_allclose(got[key], want[info.name], rtol=1e-5, atol=1e-6,
                                   err_msg=key)


def _model():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        h = tf.layers.dense(x, 6, activation=tf.nn.tanh, name="hidden")
        logits = tf.layers.dense(h, 3, name="logits")
        probs = tf.nn.softmax(logits, name="probs")
        init = tf.global_variables_initializer()
    return g, x, logits, probs, init


X = np.random.RandomState(3).randn(5, 4).astype(np.float32)


def _simple_saved(directory) -> tuple:
    g, x, logits, probs, init = _model()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        want = sess.run(probs, {x: X})
        tf.saved_model.simple_save(sess, str(directory), inputs={"x": x},
                                   outputs={"probs": probs, "logits": logits})
    return want


def test_simple_save_writes_a_saved_model_graphc_loads(tmp_path):
    export = tmp_path / "model"
    want = _simple_saved(export)
    assert sorted(os.listdir(export)) == ["saved_model.pb", "variables"]
    assert sorted(os.listdir(export / "variables")) == [
        "variables.data-00000-of-00001", "variables.index"]
    saved = protos.SavedModel.FromString((export / "saved_model.pb").read_bytes())
    assert saved.saved_model_schema_version == 1
    (meta,) = saved.meta_graphs
    assert list(meta.meta_info_def.tags) == ["serve"]
    info = meta.signature_def["serving_default"].inputs["x"]
    assert info.name == "x:0" and info.dtype == protos.DataType.Value("DT_FLOAT")
    assert [d.size for d in info.tensor_shape.dim] == [-1, 4]
    assert tf.saved_model.loader.maybe_saved_model_directory(str(export))
    with tf.Graph().as_default(), tf.Session() as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], str(export))
        sig = meta.signature_def["serving_default"]
        np.testing.assert_allclose(sess.run(sig.outputs["probs"].name,
                                            {sig.inputs["x"].name: X}), want, rtol=1e-6)
    with tf.Graph().as_default(), tf.Session() as sess, pytest.raises(
            RuntimeError, match=r"tags \['train'\] could not be found.*\[\['serve'\]\]"):
        tf.saved_model.loader.load(sess, ["train"], str(export))
    with pytest.raises(AssertionError, match="already exists, and isn't empty"):
        tf.saved_model.builder.SavedModelBuilder(str(export))


def test_builder_with_two_meta_graphs_a_main_op_and_text(tmp_path):
    g, x, logits, probs, init = _model()
    with g.as_default():
        counter = tf.Variable(0, name="loads", collections=[tf.GraphKeys.LOCAL_VARIABLES])
        main_op = tf.group(tf.local_variables_initializer(), name="main_op")
        set7 = counter.assign(7, name="set7")
    export = str(tmp_path / "built")
    builder = tf.saved_model.builder.SavedModelBuilder(export)
    with pytest.raises(AssertionError, match="add_meta_graph_and_variables"):
        builder.add_meta_graph(["eval"])
    with tf.Session(graph=g) as sess:
        sess.run(init)
        want = sess.run(logits, {x: X})
        sig = tf.saved_model.signature_def_utils.predict_signature_def(
            inputs={"x": x}, outputs={"logits": logits})
        builder.add_meta_graph_and_variables(
            sess, [tf.saved_model.SERVING], signature_def_map={"predict": sig},
            main_op=main_op)
        with g.as_default():
            builder.add_meta_graph([tf.saved_model.TRAINING], main_op=set7.op)
        with pytest.raises(AssertionError, match="already been saved"):
            builder.add_meta_graph_and_variables(sess, ["x"])
    path = builder.save(as_text=True)
    assert path == os.path.join(export, "saved_model.pbtxt").encode()
    with tf.Graph().as_default(), tf.Session() as sess:
        meta = tf.saved_model.loader.load(sess, {"serve"}, export)
        np.testing.assert_allclose(sess.run(meta.signature_def["predict"].outputs[
            "logits"].name, {"x:0": X}), want, rtol=1e-6)
        assert sess.run("loads:0") == 0  # the main op ran (initialized the local variable)
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.saved_model.loader.load(sess, ["train"], export)
        assert sess.run("loads:0") == 7  # this meta graph's own main op ran


def test_signature_helpers():
    g, x, logits, probs, init = _model()
    with g.as_default():
        labels = tf.placeholder(tf.string, [None], name="labels")
    info = tf.saved_model.utils.build_tensor_info(probs)
    assert info.name == "probs:0" and [d.size for d in info.tensor_shape.dim] == [-1, 3]
    cls = tf.saved_model.signature_def_utils.classification_signature_def(x, labels, probs)
    assert cls.method_name == "tensorflow/serving/classify"
    assert sorted(cls.outputs) == ["classes", "scores"]
    assert tf.saved_model.signature_def_utils.is_valid_signature(cls)
    reg = tf.saved_model.signature_def_utils.regression_signature_def(x, logits)
    assert reg.inputs["inputs"].name == "x:0" and reg.outputs["outputs"].name == \
        "logits/BiasAdd:0"
    with pytest.raises(ValueError, match="Prediction inputs cannot be None or empty"):
        tf.saved_model.signature_def_utils.predict_signature_def({}, {"y": probs})
    with pytest.raises(OSError, match="SavedModel file does not exist at"):
        tf.saved_model.loader.load(None, ["serve"], "/nonexistent/model")


def test_tensorflow_loads_graphc_saved_models(tmp_path):
    tfm = pytest.importorskip("tensorflow")
    tf1 = tfm.compat.v1
    export = tmp_path / "model"
    want = _simple_saved(export)
    graph = tfm.Graph()
    with graph.as_default(), tf1.Session(graph=graph) as sess:
        meta = tf1.saved_model.loader.load(sess, ["serve"], str(export))
        sig = meta.signature_def["serving_default"]
        got = sess.run(sig.outputs["probs"].name, {sig.inputs["x"].name: X})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
