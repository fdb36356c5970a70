"""TensorFlow 2's functional control flow in GraphDefs (tests/fixtures/tf, written by real
TensorFlow): StatelessIf on an is_training placeholder and StatelessWhile, imported with
their FunctionDefLibrary as graphc's tf.cond / tf.while_loop and run on both backends,
equal to TensorFlow's outputs; function calls inlined (TF1's frames: test_frames_import)."""
from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

import graphc as tf

from .fixtures import load as _load

BACKENDS = ["numpy", "llvm"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_stateless_if_on_is_training_runs_both_branches(backend):
    gd, feeds, want = _load("cond_v2")
    assert "StatelessIf" in {n.op for n in gd.node} and len(gd.library.function) == 2
    with tf.Graph().as_default() as g:
        (out,) = tf.import_graph_def(gd, return_elements=["out:0"], name="")
        assert g.get_operation_by_name("mode").type == "If"
        with tf.Session(backend=backend) as sess:
            inference = sess.run(out, feeds)
            training = sess.run(out, dict(feeds, **{"is_training:0": True}))
    np.testing.assert_allclose(inference, want["out:0"], rtol=1e-5, atol=1e-6)
    # the training branch: h * 0.5 + mean(h), from the inference output's h = atanh(y + 1)
    h = np.arctanh(np.clip(want["out:0"] + 1.0, -1 + 1e-7, 1 - 1e-7)).astype(np.float64)
    relu_h = np.where(want["out:0"] + 1.0 > 0, h, 0.0)
    np.testing.assert_allclose(training, relu_h * 0.5 + relu_h.mean(), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_stateless_while_runs_until_its_condition_fails(backend):
    gd, feeds, want = _load("while_v2")
    with tf.Graph().as_default():
        steps, out = tf.import_graph_def(gd, return_elements=["steps:0", "out:0"], name="")
        with tf.Session(backend=backend) as sess:
            got_steps, got_out = sess.run([steps, out], feeds)
    assert got_steps == want["steps:0"]
    np.testing.assert_allclose(got_out, want["out:0"])


CALL = """
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "call" op: "PartitionedCall" input: "x" input: "x"
       attr { key: "f" value { func { name: "mul_add" } } } }
node { name: "direct" op: "mul_add" input: "call" input: "x" }
library { function {
  signature { name: "mul_add" input_arg { name: "a" type: DT_FLOAT }
              input_arg { name: "b" type: DT_FLOAT } output_arg { name: "out" type: DT_FLOAT } }
  node_def { name: "m" op: "Mul" input: "a" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
  node_def { name: "s" op: "AddV2" input: "m:z:0" input: "b"
             attr { key: "T" value { type: DT_FLOAT } } }
  ret { key: "out" value: "s:z:0" } } }
"""


def test_function_calls_are_inlined():
    gd = text_format.Parse(CALL, tf.GraphDef())
    call, direct = tf.import_graph_def(gd, return_elements=["call:0", "direct:0"], name="")
    with tf.Session() as sess:
        got = sess.run([call, direct], {"x:0": 3.0})
    assert got == [12.0, 12.0 * 3.0 + 3.0]
