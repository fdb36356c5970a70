"""A Keras-applications MobileNetV2 (alpha 0.35, 96x96, random weights) frozen by
TensorFlow (tests/fixtures/tf/mobilenet_v2.pb, made by make_mobilenet.py there) imports
and runs on both backends at batch 1 and 32, equal to TensorFlow's outputs within float32
tolerance; where TensorFlow is installed, TensorFlow runs graphc's export of it."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import graphc as tf

from .fixtures import HERE
from .tensorflow_run import run_in_tensorflow

sys.path.insert(0, HERE)
import make_mobilenet as M  # noqa: E402  (the fixture's inputs, fetch names, batches)

# 52 layers of float32 convolutions summed in another order than TensorFlow's
TOLERANCE = dict(rtol=1e-4, atol=1e-4)
OPS = {"Conv2D", "DepthwiseConv2dNative", "FusedBatchNormV3", "Relu6", "Pad", "Mean",
       "AddV2", "MatMul", "BiasAdd", "Softmax"}


def _graph_def():
    return tf.train.read_graph(os.path.join(HERE, "mobilenet_v2.pb"))


def _want():
    with np.load(os.path.join(HERE, "mobilenet_v2.outputs.npz")) as f:
        return dict(f)


def test_mobilenet_uses_the_ops_tensorflow_writes():
    gd = _graph_def()
    assert OPS <= {n.op for n in gd.node}
    assert sum(n.op == "DepthwiseConv2dNative" for n in gd.node) == 17


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_mobilenet_matches_tensorflow(backend, monkeypatch):
    """On llvm also: one plan for both batch sizes, every op native, and depthwise
    convolutions computed in one kernel with the pointwise one reading them."""
    pairs = []
    if backend == "llvm":
        from graphc.backends.llvm import cache
        from graphc.backends.llvm import fused_conv_kernels as FK
        emit = FK.emit_depthwise_pointwise
        monkeypatch.setattr(FK, "emit_depthwise_pointwise",
                            lambda *a: pairs.append(1) or emit(*a))
    want = _want()
    built = []
    with tf.Graph().as_default():
        fetches = tf.import_graph_def(_graph_def(), return_elements=M.FETCHES, name="")
        with tf.Session(backend=backend) as sess:
            for batch in M.BATCHES:
                before = cache.stats["modules"] if backend == "llvm" else 0
                got = sess.run(fetches, {M.INPUT: M.inputs(batch)})
                built.append(cache.stats["modules"] - before if backend == "llvm" else 0)
                for key, value in zip(M.FETCHES, got):
                    np.testing.assert_allclose(value, want[f"{key}@{batch}"], **TOLERANCE,
                                               err_msg=f"{key} at batch {batch}")
            if backend == "llvm":
                steps = [s for p in sess._plans.values() for s in p.executable._lowering.steps]
                assert not [s.op.type for s in steps if not s.native]
                assert built[0] >= 1 and built[1:] == [0] * (len(built) - 1), built
                assert pairs, "no depthwise and pointwise pair became one kernel"
    logits = want["logits:0@32"]
    assert logits.std(axis=0).min() > 0.05  # the fixture's outputs depend on the image


def test_tensorflow_runs_graphcs_export_of_mobilenet():
    pytest.importorskip("tensorflow")
    want = _want()
    with tf.Graph().as_default() as g:
        tf.import_graph_def(_graph_def(), name="")
        data = g.as_graph_def().SerializeToString()
    got = run_in_tensorflow(data, M.FETCHES, {M.INPUT: M.inputs(1)})
    for key, value in zip(M.FETCHES, got):
        np.testing.assert_allclose(value, want[f"{key}@1"], **TOLERANCE)


def test_every_convolution_of_mobilenet_fuses():
    # the fixture stores float16 filters: their casts to float32 are constants (counted in
    # elements, not bytes), so every batch norm folds and all 52 convolutions fuse
    from graphc.passes.manager import PassManager
    from graphc.passes.lower import lower
    from graphc.passes.prune import build_program
    with tf.Graph().as_default():
        logits = tf.import_graph_def(_graph_def(), return_elements=["logits:0"], name="")[0]
        image = tf.get_default_graph().get_tensor_by_name(M.INPUT)
        program = build_program([logits], [], [image])
        plan = PassManager().run(lower(program, [(M.inputs(1).shape, image.dtype)]))
    types = [op.type for op in plan.graph.get_operations()]
    assert types.count("_FusedConv2D") == 35 and types.count("_FusedDepthwiseConv2dNative") \
        == 17, sorted(set(types))
    # the batch norms folded into the filters (no scale or shift left), the residual adds,
    # paddings and Relu6s into the convolutions
    assert not {"Cast", "Conv2D", "DepthwiseConv2dNative", "Relu6", "Pad", "FusedBatchNormV3",
                "Mul", "Add", "AddV2"} & set(types), sorted(set(types))
