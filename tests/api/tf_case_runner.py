"""Running a module of TensorFlow comparison cases (signal_cases.py, surface_io_cases.py:
INPUTS, placeholders(tf), cases(tf, p) -> {name: tensor}) in graphc or in TensorFlow's
compat.v1, and the fixture files the TensorFlow side writes (tests/fixtures/tf/*.npz)."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest


def run_cases(tf, module, **session_kwargs):
    """(the outputs' tensors, their values) of module.cases, fed module.INPUTS."""
    with tf.Graph().as_default():
        p = module.placeholders(tf)
        outs = module.cases(tf, p)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with tf.Session(**session_kwargs) as sess:
                return outs, sess.run(outs, {p[k]: v for k, v in module.INPUTS.items()})


def load_fixture(path: str, script: str) -> dict:
    """The arrays of a fixture file; the test skips when it is missing."""
    if not os.path.exists(path):
        pytest.skip(f"{os.path.relpath(path)} is missing ({script})")
    with np.load(path, allow_pickle=False) as data:
        return dict(data)


def write_fixture(tf, module, path: str) -> None:
    """Run module's cases in TensorFlow (graph mode) and store the outputs at `path`."""
    tf1 = tf.compat.v1
    tf1.disable_v2_behavior()
    _, values = run_cases(tf1, module)
    np.savez_compressed(path, **{k: np.asarray(v) for k, v in values.items()})
    print(f"wrote {path}: {len(values)} outputs (TensorFlow {tf.__version__})")
