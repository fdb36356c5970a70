"""TensorFlow GraphDefs in and out without TensorFlow: hand-written `.pbtxt` graphs in
TensorFlow's own op vocabulary imported and run (control inputs, `name:k` outputs,
`input_map`, `return_elements`, name scopes), the errors for what graphc cannot import,
and graphc graphs written with `as_graph_def` / `write_graph` and read back."""
from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

import graphc as tf
from graphc.graphdef import GraphDefImportError, exportable_op_types, importable_op_types

BACKENDS = ["numpy", "llvm"]

SPLIT_GRAPH = r"""
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } } } } }
node { name: "axis" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
       attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 1 } } } }
node { name: "split" op: "Split" input: "axis" input: "x"
       attr { key: "T" value { type: DT_FLOAT } } attr { key: "num_split" value { i: 2 } } }
node { name: "scale" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } }
              tensor_content: "\000\000\000@\000\000@@" } } } }
node { name: "init" op: "NoOp" }
node { name: "mul" op: "Mul" input: "split:1" input: "scale" input: "^init"
       attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "_output_shapes"
              value { list { shape { dim { size: -1 } dim { size: 2 } } } } } }
node { name: "ri" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
       attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 1 } }
              int_val: 1 } } } }
node { name: "out" op: "Sum" input: "mul" input: "ri" device: "/device:CPU:0"
       attr { key: "T" value { type: DT_FLOAT } } attr { key: "Tidx" value { type: DT_INT32 } }
       attr { key: "keep_dims" value { b: false } }
       attr { key: "_class" value { list { s: "loc:@mul" } } } }
node { name: "first" op: "AddV2" input: "split" input: "split:0"
       attr { key: "T" value { type: DT_FLOAT } } }
versions { producer: 1087 }
"""


def _graph_def(text: str) -> tf.GraphDef:
    return text_format.Parse(text, tf.GraphDef())


@pytest.mark.parametrize("backend", BACKENDS)
def test_import_runs_tensorflow_ops_with_outputs_controls_and_scopes(backend):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    out, first, split = tf.import_graph_def(_graph_def(SPLIT_GRAPH),
                                            return_elements=["out:0", "first:0", "split"])
    assert out.name == "import/out:0" and split.name == "import/split"
    graph = tf.get_default_graph()
    assert list(graph.get_operation_by_name("import/mul").control_inputs) == [
        graph.get_operation_by_name("import/init")]
    assert out.shape.as_list() == [None]
    with tf.Session(backend=backend) as sess:
        got_out, got_first = sess.run([out, first], {"import/x:0": x})
    np.testing.assert_allclose(got_out, (x[:, 2:] * [2.0, 3.0]).sum(axis=1))
    np.testing.assert_allclose(got_first, x[:, :2] * 2)


def test_input_map_replaces_inputs_and_names_must_exist():
    feed = tf.constant(np.ones((2, 4), np.float32), name="feed")
    (out,) = tf.import_graph_def(_graph_def(SPLIT_GRAPH), input_map={"x:0": feed},
                                 return_elements=["out:0"], name="net")
    assert out.name == "net/out:0"
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(out), [5.0, 5.0])
    with pytest.raises(ValueError, match=r"not found in graph_def: \[nope:0\]"):
        tf.import_graph_def(_graph_def(SPLIT_GRAPH), input_map={"nope:0": feed})
    with pytest.raises(ValueError, match="Requested return_element 'out:3' not found"):
        tf.import_graph_def(_graph_def(SPLIT_GRAPH), return_elements=["out:3"])


def test_missing_op_types_are_listed_at_once():
    gd = _graph_def(SPLIT_GRAPH)
    for name, op in (("save/SaveV2", "SaveV2"), ("save/RestoreV2", "RestoreV2"),
                     ("fancy", "Bucketize"), ("fancy2", "Bucketize")):
        gd.node.add(name=name, op=op)
    with pytest.raises(GraphDefImportError) as info:
        tf.import_graph_def(gd)
    message = str(info.value)
    assert "3 TensorFlow op types have no graphc equivalent" in message
    assert "Bucketize: nodes 'fancy', 'fancy2'" in message
    assert "RestoreV2: node 'save/RestoreV2'" in message and "SaveV2: node 'save/SaveV2'" in \
        message
    assert tf.get_default_graph().get_operations() == []  # nothing was built


def test_unsupported_attributes_and_inputs_name_the_node():
    gd = _graph_def(SPLIT_GRAPH.replace('input: "ri"', 'input: "x:0"').replace(
        'name: "out" op: "Sum" input: "mul"', 'name: "out" op: "Sum" input: "mul"'))
    gd.node[-2].input[1] = "ri_dynamic"
    gd.node.add(name="ri_dynamic", op="Placeholder").attr["dtype"].type = 3
    with pytest.raises(GraphDefImportError, match=r"node 'out' \(Sum\): graphc needs input 1 "
                       r"\(reduction_indices\) to be a constant.*'import/ri_dynamic' "
                       r"\(Placeholder\)"):
        tf.import_graph_def(gd)
    nchw = _graph_def(SPLIT_GRAPH)
    node = nchw.node.add(name="pool", op="MaxPool", input=["x"])
    node.attr["data_format"].s = b"NCHW"
    with pytest.raises(GraphDefImportError, match=r"'pool' \(MaxPool\): data_format 'NCHW'"):
        tf.import_graph_def(nchw)
    dangling = _graph_def(SPLIT_GRAPH)
    dangling.node.add(name="bad", op="Identity", input=["ghost:0"])
    with pytest.raises(GraphDefImportError, match="input 'ghost:0' names no node"):
        tf.import_graph_def(dangling)
    wrong = _graph_def(SPLIT_GRAPH)
    wrong.node.add(name="bad", op="Identity", input=["split:2"])
    with pytest.raises(GraphDefImportError, match="asks for output 2 of 'split', which has 2"):
        tf.import_graph_def(wrong)


def test_nodes_in_any_order_import_and_cycles_are_refused():
    gd = _graph_def(SPLIT_GRAPH)
    shuffled = tf.GraphDef()
    shuffled.node.extend(reversed(gd.node))
    (out,) = tf.import_graph_def(shuffled, return_elements=["out:0"], name="")
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(out, {"x:0": np.ones((1, 4), np.float32)}), [5.0])
    loop = _graph_def("""
      node { name: "a" op: "Identity" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
      node { name: "b" op: "Identity" input: "a" attr { key: "T" value { type: DT_FLOAT } } }""")
    with pytest.raises(GraphDefImportError, match="cycle"):
        tf.import_graph_def(loop)


def _model():
    x = tf.placeholder(tf.float32, [None, 6, 6, 2], name="x")
    rng = np.random.RandomState(0)
    c = tf.nn.conv2d(x, rng.randn(3, 3, 2, 4).astype(np.float32), [1, 1, 1, 1], "SAME")
    c = tf.nn.relu(tf.nn.bias_add(c, rng.randn(4).astype(np.float32)))
    d = tf.nn.depthwise_conv2d(tf.pad(c, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT"),
                               rng.randn(3, 3, 4, 1).astype(np.float32), [1, 1, 1, 1],
                               "VALID")
    p = tf.nn.avg_pool(tf.nn.leaky_relu(d, 0.1), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    flat = tf.reshape(p, [-1, 3 * 3 * 4])
    h = tf.nn.softmax(tf.matmul(flat, rng.randn(36, 5).astype(np.float32)))
    parts = tf.split(h, [2, 3], axis=1)
    mixed = tf.concat([tf.reverse(parts[1], [1]), tf.sqrt(parts[0] + 1.0)], axis=1)
    stacked = tf.stack([mixed, tf.transpose(tf.transpose(mixed))], axis=1)
    picked = tf.gather(tf.reduce_max(stacked, axis=1), [0, 0, 1], axis=1)
    labels = tf.one_hot(tf.argmax(h, axis=1), 5, on_value=2.0, off_value=-1.0)
    padded = tf.pad(picked, [[0, 0], [1, 0]], constant_values=3.0)
    scale = tf.cast(tf.shape(x)[0], tf.float32)
    out = tf.identity(tf.concat([padded, labels * scale, tf.expand_dims(
        tf.reduce_sum(tf.squeeze(tf.expand_dims(h, 0), [0]), 1), -1)], axis=1), name="out")
    return x, out


@pytest.mark.parametrize("as_text", [True, False])
def test_as_graph_def_writes_what_import_reads(tmp_path, as_text):
    x, out = _model()
    xv = np.random.RandomState(1).randn(3, 6, 6, 2).astype(np.float32)
    with tf.Session() as sess:
        want = sess.run(out, {x: xv})
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "model.pb", as_text)
    raw = open(path, "rb").read()
    assert raw.startswith(b"node {") == as_text
    gd = tf.train.read_graph(path)
    assert isinstance(gd, tf.GraphDef)
    assert gd == tf.get_default_graph().as_graph_def()
    ops = {n.op for n in gd.node}
    assert {"Conv2D", "DepthwiseConv2dNative", "MirrorPad", "PadV2", "OneHot", "SplitV",
            "ConcatV2", "GatherV2", "Max", "AddV2"} <= ops
    with tf.Graph().as_default():
        (y,) = tf.import_graph_def(gd, return_elements=["out:0"], name="")
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(y, {"x:0": xv}), want, rtol=1e-5, atol=1e-6)


def test_as_graph_def_adds_shapes_and_keeps_control_inputs():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    with tf.control_dependencies([tf.no_op(name="first")]):
        y = tf.identity(x, name="y")
    gd = tf.get_default_graph().as_graph_def(add_shapes=True)
    node = {n.name: n for n in gd.node}["y"]
    assert list(node.input) == ["x", "^first"]
    assert [d.size for d in node.attr["_output_shapes"].list.shape[0].dim] == [-1, 2]
    assert node.attr["T"].type == 1  # DT_FLOAT
    assert y.op.name == "y"


def test_export_names_every_op_without_a_tensorflow_counterpart():
    x = tf.placeholder(tf.float32, [None], name="x")
    tf.boolean_mask(x, x > 0, name="mask")
    tf.sequence_mask([1, 2], 3, name="seq")
    with pytest.raises(ValueError, match=r"no TensorFlow counterpart:\n  BooleanMask: "
                       r"'mask'.*\n  SequenceMask"):
        tf.get_default_graph().as_graph_def()


def test_write_graph_keeps_graphc_files_for_the_graphc_extension(tmp_path):
    x = tf.placeholder(tf.float32, [2], name="x")
    tf.multiply(x, 3.0, name="y")
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "g.graphc")
    assert open(path, "rb").read(2) == b"PK"
    assert not isinstance(tf.train.read_graph(path), tf.GraphDef)


def test_bad_graph_files_are_named(tmp_path):
    bad = tmp_path / "junk.pb"
    bad.write_bytes(b"\xff\xff\xff not a graph")
    with pytest.raises(ValueError, match="junk.pb: not a binary GraphDef"):
        tf.train.read_graph(str(bad))


def test_coverage_tables():
    imported = importable_op_types()
    assert len(imported) >= 140  # the README reports the exact count
    for op in ("AddV2", "FusedBatchNormV3", "Relu6", "DepthwiseConv2dNative", "Pad", "Mean",
               "Squeeze", "StridedSlice", "Shape", "Pack", "ConcatV2", "Identity", "NoOp",
               "VariableV2", "Assign"):
        assert op in imported
    assert "SumToShape" in exportable_op_types()


def test_dynamic_stitch_round_trips_and_runs_in_tensorflow():
    """DynamicStitch (in TensorFlow's gradient of a reduction over some axes) both ways."""
    feeds = {"x:0": np.arange(4, dtype=np.float32)}
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None], name="x")
        tf.identity(tf.dynamic_stitch([[0, 2], [1, 3]], [x[:2], x[2:4] * 2.0]), name="out")
        gd = g.as_graph_def()
    stitch = [n for n in gd.node if n.op == "DynamicStitch"]
    assert stitch and stitch[0].attr["N"].i == 2
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(gd, return_elements=["out:0"], name="")
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(out, feeds), [0.0, 4.0, 1.0, 6.0])
    pytest.importorskip("tensorflow")
    from .tensorflow_run import run_in_tensorflow
    (theirs,) = run_in_tensorflow(gd.SerializeToString(), ["out:0"], feeds)
    np.testing.assert_array_equal(theirs, [0.0, 4.0, 1.0, 6.0])
