"""TF1 training graphs TensorFlow wrote (tests/fixtures/tf/train, made by
make_training_fixtures.py) import and train in graphc: the `.meta` of an MLP, a convnet,
a convnet with batch normalisation in training (FusedBatchNormGradV3, moving averages),
an MLP of the other activations, the MLP over resource variables (VarHandleOp,
ReadVariableOp, AssignVariableOp, ResourceApply*) and an embedding over reference and
resource variables (sparse updates: Unique, Scatter*, SparseApply*), with one train op
per optimizer (gradient descent, momentum, Nesterov, RMSProp and its centered form,
Adagrad, Adadelta, Adam), and a tf.cond on the batch whose gradient runs through a second
cond, in TF2's functional form (the forward If's optional results read by the gradient
If) and TF1's frames (the gradient's Switch and Merges in the forward cond's context), and
a dynamic_rnn LSTM in TF1's frames whose gradient loop pops the forward loop's values from
StackV2s (StackPushV2 / StackPopV2, ControlTrigger, ConcatOffset, InvertPermutation).
The checkpoint TensorFlow saved before any step is restored and the same batches fed;
after the steps every variable (weights, slots, beta powers, moving averages, the global
step) equals TensorFlow's, and the loss before each step too. The expected values are
stored in the fixture: the comparison runs without TensorFlow, on both backends. On llvm
the models of NATIVE_ON_LLVM run no op through a numpy kernel but those the registry
runs so by design."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc import protos

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tf", "train")
BACKENDS = ["numpy", "llvm"]


def _npz(name: str, kind: str) -> dict:
    with np.load(os.path.join(FIXTURES, f"{name}.{kind}.npz")) as f:
        return dict(f)


def _train_ops(name: str) -> list:
    meta = protos.MetaGraphDef.FromString(
        open(os.path.join(FIXTURES, name, "model.ckpt-0.meta"), "rb").read())
    return list(meta.collection_def["train_op"].node_list.value)


MODELS = ("mlp", "convnet", "convnet_bn", "activations", "resource_mlp", "embedding",
          "resource_embedding", "cond_v2", "cond_v1", "rnn_v1")
CASES = [(m, op) for m in MODELS for op in _train_ops(m)]
# Models whose steps run natively on llvm but for the ops the registry runs through numpy
# by design (the Ifs, driven from Python; their branches compile natively): the conds'
# gradients read the untaken branch's stand-ins, which the plan gives the computing
# branch's run-time shape (passes/lower.py, refined_if_shapes).
# convnet_bn's Mean gradient reshapes to a DynamicStitch of the batch's shape and ones,
# which the plan folds to [b0, 1, 1, 8] (ir/ops/_base.py, partial_value) and writes
# natively. (The embeddings' sparse updates have sizes that depend on the ids, Unique's;
# rnn_v1's TensorArrays and stacks hold values of shapes the plan does not know.)
NATIVE_ON_LLVM = {"mlp", "convnet", "convnet_bn", "activations", "resource_mlp", "cond_v2",
                  "cond_v1"}


def _numpy_fallbacks(sess) -> list:
    """The ops a plan of `sess`, or a graph its Ifs and loops ran, runs through their numpy
    kernels without the registry's reason (numpy_by_design), on llvm: what a
    FallbackWarning reports (once per op type and process, so a test cannot rely on it)."""
    exes = [getattr(p, "executable", None) for p in sess._plans.values()] + \
        [hit[1] for hit in sess._functions._plans.values() if isinstance(hit, tuple)]
    ops = {step.op for exe in exes if exe is not None
           for kind, step in getattr(exe, "_schedule", ())
           if kind == "fallback" and step.driver is None and not step.op.opdef.numpy_by_design}
    return sorted(ops, key=lambda op: (op.type, op.name))


def _names(ops) -> list:
    return [(op.type, op.name) for op in ops]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("model,train_op", CASES)
def test_tensorflow_training_graph_trains_to_tensorflows_weights(model, train_op, backend):
    batches, expected = _npz(model, "batches"), _npz(model, "expected")
    steps = len(expected[f"{train_op}|loss"])
    prefix = os.path.join(FIXTURES, model, "model.ckpt-0")
    g = tf.Graph()
    with g.as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        variables = tf.global_variables()
        trainable = {v.op.name for v in tf.trainable_variables()}
        train = g.get_operation_by_name(train_op)
        assert train in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    initial = {v.op.name: tf.train.load_variable(prefix, v.op.name) for v in variables}
    with tf.Session(graph=g, backend=backend) as sess:
        saver.restore(sess, prefix)
        losses = []
        for k in range(steps):
            feed = {"x:0": batches[f"{k}/x:0"], "labels:0": batches[f"{k}/labels:0"]}
            losses.append(sess.run("loss:0", feed))
            sess.run(train, feed)
        values = dict(zip([v.op.name for v in variables], sess.run(variables)))
        fallbacks = _numpy_fallbacks(sess) if backend == "llvm" else []
    np.testing.assert_allclose(losses, expected[f"{train_op}|loss"], rtol=1e-5, atol=1e-6)
    if model in NATIVE_ON_LLVM:
        assert fallbacks == [], f"{train_op}: through numpy kernels on llvm: {_names(fallbacks)}"
    if model == "rnn_v1":
        # TF1's dynamic_rnn keeps its sequences in TensorArrays and its gradient's forward
        # values in stacks: lists of arrays only Python holds (numpy_by_design), whose
        # reads, gathers and pops have shapes the plan does not know (TF's element shape
        # [?, 4]; the pushes' [?, 8]; a popped shape vector's values), and the llvm
        # backend reads every run-time dim from the feeds before a run. What falls back
        # is what reads those values: ops with a native lowering, on an unknown shape.
        from graphc.backends.llvm.lowering import TABLE
        unknown = [op for op in fallbacks if op.type not in TABLE or all(
            t.shape.is_fully_defined() for t in list(op.inputs) + list(op.outputs))]
        assert unknown == [], f"{train_op}: fell back on known shapes: {_names(unknown)}"
    moved = {k.split("|", 1)[1] for k in expected if k.startswith(train_op + "|")} - {"loss"}
    assert trainable <= moved  # every weight was trained (and the optimizer's slots)
    for name, value in values.items():
        # what TensorFlow's steps changed, to its values; the rest (other optimizers'
        # slots) as restored
        want = expected[f"{train_op}|{name}"] if name in moved else initial[name]
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-5,
                                   err_msg=f"{train_op}: variable {name}")


def test_a_conds_optional_result_read_outside_its_gradient_is_refused_by_name():
    meta = protos.MetaGraphDef.FromString(
        open(os.path.join(FIXTURES, "cond_v2", "model.ckpt-0.meta"), "rb").read())
    node = meta.graph_def.node.add()
    node.name, node.op = "peek", "Shape"
    node.input.append("cond:1")  # a DT_VARIANT result: the branches' optionals
    g = tf.Graph()
    with g.as_default(), pytest.raises(ValueError, match="'peek' \\(Shape\\): reads a cond's "
                                                         "optional result"):
        tf.train.import_meta_graph(meta)
