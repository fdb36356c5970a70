"""TensorFlow 1's dataflow control flow (Switch / Merge / Enter / Exit / NextIteration /
LoopCond frames, written by real TensorFlow into tests/fixtures/tf) imported as graphc's
If and While nodes and run on both backends, equal to TensorFlow's outputs: tf.cond on
is_training, a counting while loop, a dynamic_rnn LSTM with TensorArrays, nested loops
with a cond in a body and a loop in a branch; TF2's TensorLists in a While; and the
errors for frames graphc cannot functionalize."""
from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

import graphc as tf

from .fixtures import load as _load
from graphc.graphdef import GraphDefImportError

BACKENDS = ["numpy", "llvm"]


def _ops(gd) -> set:
    return {n.op for n in gd.node}


def _run(gd, feeds, fetches, backend, name=""):
    with tf.Graph().as_default() as g:
        tensors = tf.import_graph_def(gd, return_elements=fetches, name=name)
        with tf.Session(backend=backend) as sess:
            return g, sess.run(tensors, feeds)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cond_v1_on_is_training_is_an_if(backend):
    gd, feeds, want = _load("cond_v1")
    assert {"Switch", "Merge"} <= _ops(gd) and not gd.library.function
    g, (inference,) = _run(gd, feeds, ["out:0"], backend)
    assert g.get_operation_by_name("mode").type == "If"
    np.testing.assert_allclose(inference, want["out:0"], rtol=1e-5, atol=1e-6)
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(gd, return_elements=["out:0"], name="")
        with tf.Session(backend=backend) as sess:
            training = sess.run(out, dict(feeds, **{"is_training:0": True}))
    # the training branch: h * 0.5 + mean(h), with h = relu(x W + b) recovered from the
    # inference branch's tanh(h) - 1
    h = np.arctanh(np.clip(want["out:0"] + 1.0, -1 + 1e-7, 1 - 1e-7)).astype(np.float64)
    np.testing.assert_allclose(training, h * 0.5 + h.mean(), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_while_v1_frame_is_a_while(backend):
    gd, feeds, want = _load("while_v1")
    assert {"Enter", "Exit", "NextIteration", "LoopCond"} <= _ops(gd)
    feeds = {"imp/" + k: v for k, v in feeds.items()}
    g, (steps, out) = _run(gd, feeds, ["steps:0", "grow/Exit_1:0"], backend, name="imp")
    assert g.get_operation_by_name("imp/grow").type == "While"
    assert steps == want["steps:0"]
    np.testing.assert_array_equal(out, want["out:0"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_dynamic_rnn_v1_with_tensor_arrays(backend):
    gd, feeds, want = _load("dynamic_rnn_v1")
    assert {"TensorArrayV3", "TensorArrayScatterV3", "TensorArrayReadV3",
            "TensorArrayWriteV3", "TensorArrayGatherV3", "Assert"} <= _ops(gd)
    _, got = _run(gd, feeds, list(want), backend)
    for key, value in zip(want, got):
        np.testing.assert_allclose(value, want[key], rtol=1e-5, atol=1e-6, err_msg=key)
    # the Assert on sequence_length's shape is an op the loop's inputs wait for
    with tf.Graph().as_default() as g:
        tf.import_graph_def(gd, name="")
        check = g.get_operation_by_name("rnn/CheckSeqLen")
        assert [c.type for c in check.control_inputs] == ["Assert"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_nested_loops_and_conds(backend):
    gd, feeds, want = _load("nested_v1")
    _, got = _run(gd, feeds, list(want), backend)
    for key, value in zip(want, got):
        np.testing.assert_allclose(value, want[key], rtol=1e-5, err_msg=key)
    # the other branch of 'pick': the outer loop's final value minus one
    _, (other,) = _run(gd, dict(feeds, **{"flag:0": False}), ["out:0"], backend)
    np.testing.assert_allclose(other, want["history:0"][-1] - 1.0, rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tensor_lists_in_a_tf2_while(backend):
    gd, feeds, want = _load("dynamic_rnn_v2")
    assert {"TensorListReserve", "TensorListFromTensor", "TensorListStack"} <= _ops(gd)
    _, got = _run(gd, feeds, list(want), backend)
    for key, value in zip(want, got):
        np.testing.assert_allclose(value, want[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_input_map_feeds_a_frame():
    gd, feeds, want = _load("while_v1")
    with tf.Graph().as_default():
        x = tf.constant(feeds["x:0"])
        (out,) = tf.import_graph_def(gd, input_map={"x:0": x}, return_elements=["out:0"])
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(out), want["out:0"])


def test_a_node_inside_a_frame_is_not_an_output():
    gd, _, _ = _load("while_v1")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="grow/Identity"):
            tf.import_graph_def(gd, return_elements=["grow/Identity:0"])


LONE_SWITCH = """
node { name: "p" op: "Placeholder" attr { key: "dtype" value { type: DT_BOOL } } }
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "s" op: "Switch" input: "x" input: "p" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "y" op: "Neg" input: "s:1" attr { key: "T" value { type: DT_FLOAT } } }
"""


def test_a_switch_without_merge_is_refused_naming_it():
    gd = text_format.Parse(LONE_SWITCH, tf.GraphDef())
    with tf.Graph().as_default():
        with pytest.raises(GraphDefImportError, match="'s' \\(Switch\\) is TF1 control flow "
                                                      "outside any tf.cond"):
            tf.import_graph_def(gd)


def test_merges_on_different_predicates_are_refused():
    gd, _, _ = _load("cond_v1")
    for n in gd.node:  # the false branch's Switch now tests another predicate
        if n.name == "mode/Tanh/Switch":
            n.input[1] = "is_training/input"
    with tf.Graph().as_default():
        with pytest.raises(GraphDefImportError, match="different predicates"):
            tf.import_graph_def(gd)


# ---------------------------------------------------------------- made by TensorFlow now
def _pass_through(T, t1, x):
    p = t1.placeholder_with_default(False, [], name="p")
    a, b = T.cond(p, lambda: (x, x * 2.0),
                  lambda: (x + 1.0, T.constant(np.ones((2, 3), np.float32))))
    return a + b


def _case(T, t1, x):
    k = t1.placeholder_with_default(2, [], name="k")
    return T.case([(T.equal(k, 0), lambda: x * 0.0), (T.equal(k, 1), lambda: x + 1.0)],
                  default=lambda: x * 3.0)


def _cond_and_array_in_a_counted_loop(T, t1, x):
    ta = T.TensorArray(T.float32, size=0, dynamic_size=True)

    def body(i, acc, ta):
        acc = T.cond(T.reduce_sum(acc) > 0.0, lambda: acc - 0.5, lambda: acc + 0.25)
        return i + 1, acc, ta.write(i, acc)
    _, acc, ta = T.while_loop(lambda i, a, t: i < 5, body, (T.constant(0), x, ta),
                              maximum_iterations=4)
    return acc + T.reduce_sum(ta.stack(), 0)


def _growing_loop_variable(T, t1, x):
    _, y = T.while_loop(lambda i, y: i < 3,
                        lambda i, y: (i + 1, T.concat([y, y[:1]], 0)), [T.constant(0), x],
                        shape_invariants=[T.TensorShape([]), T.TensorShape([None, 3])])
    return T.reduce_sum(y, 0, keepdims=True) * T.ones_like(x)


def _map_fn(T, t1, x):
    return T.map_fn(lambda r: r * 2.0, x)


@pytest.mark.parametrize("build", [_pass_through, _case, _cond_and_array_in_a_counted_loop,
                                   _growing_loop_variable, _map_fn],
                         ids=lambda f: f.__name__.strip("_"))
def test_tf1_control_flow_graphs_tensorflow_builds_now(build):
    """Unfrozen `as_graph_def()`s of TF1 control flow TensorFlow builds in this test:
    a branch returning a switched value as is, tf.case, a cond and a TensorArray in a
    loop with maximum_iterations, a loop variable that grows, map_fn."""
    T = pytest.importorskip("tensorflow")
    t1 = T.compat.v1
    x_value = np.random.RandomState(0).randn(2, 3).astype(np.float32)
    was_v2 = t1.control_flow_v2_enabled()
    t1.disable_control_flow_v2()
    try:
        graph = T.Graph()
        with graph.as_default():
            x = t1.placeholder(T.float32, [None, 3], name="x")
            T.identity(build(T, t1, x), name="out")
            with t1.Session(graph=graph) as sess:
                want = sess.run("out:0", {"x:0": x_value})
            data = graph.as_graph_def().SerializeToString()
    finally:
        if was_v2:
            t1.enable_control_flow_v2()
    gd = tf.GraphDef()
    gd.ParseFromString(data)
    assert "Merge" in _ops(gd)
    _, (got,) = _run(gd, {"x:0": x_value}, ["out:0"], "numpy")
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("swap", [False, True])
def test_merge_value_index_is_the_input_taken(swap):
    """A Merge's second output is the index of the input it forwarded (TF1: the taken
    branch), whichever order its inputs come in."""
    gd, feeds, want = _load("cond_v1")
    if swap:
        (merge,) = [n for n in gd.node if n.name == "mode/Merge"]
        merge.input[0], merge.input[1] = merge.input[1], merge.input[0]
    with tf.Graph().as_default():
        out, index = tf.import_graph_def(gd, return_elements=["out:0", "mode/Merge:1"],
                                         name="")
        assert index.dtype == tf.int32
        with tf.Session() as sess:
            for training in (False, True):
                got_out, got = sess.run([out, index],
                                        dict(feeds, **{"is_training:0": training}))
                true_side = 0 if swap else 1  # tf.cond's Merge takes (false, true)
                assert got == (true_side if training else 1 - true_side)
            np.testing.assert_allclose(sess.run(out, feeds), want["out:0"], rtol=1e-5,
                                       atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tensor_list_push_back_and_pop_back(backend):
    """EmptyTensorList pushed onto in a TF2 StatelessWhile, popped once after it, stacked
    and measured (tensor_list_push_pop, written by make_list_fixtures.py)."""
    gd, feeds, want = _load("tensor_list_push_pop")
    ops = _ops(gd) | {n.op for f in gd.library.function for n in f.node_def}
    assert {"EmptyTensorList", "TensorListPushBack", "TensorListPopBack"} <= ops
    _, (out, length) = _run(gd, feeds, ["out:0", "length:0"], backend)
    np.testing.assert_allclose(out, want["out:0"], rtol=1e-6)
    assert length == want["length:0"] == 3


def test_tensor_list_pops_graphc_cannot_follow_are_refused():
    gd, _, _ = _load("tensor_list_push_pop")
    (pop,) = [n for n in gd.node if n.op == "TensorListPopBack"]
    push = gd.node.add(name="push_after_pop", op="TensorListPushBack",
                       input=[pop.name, "x"])
    push.attr["element_dtype"].type = 1
    with tf.Graph().as_default():
        with pytest.raises(GraphDefImportError, match="push after a TensorListPopBack"):
            tf.import_graph_def(gd, name="")
