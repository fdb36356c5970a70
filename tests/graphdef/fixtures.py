"""The TensorFlow-written fixtures of tests/fixtures/tf (made by make_fixtures.py there)."""
from __future__ import annotations

import os

import numpy as np

import graphc as tf

HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tf")


def arrays(name: str):
    """(the fed arrays, TensorFlow's outputs) of fixture NAME, keyed by tensor name."""
    with np.load(os.path.join(HERE, f"{name}.inputs.npz")) as f:
        feeds = dict(f)
    with np.load(os.path.join(HERE, f"{name}.outputs.npz")) as f:
        outputs = dict(f)
    return feeds, outputs


def load(name: str):
    """(the GraphDef of NAME.pb, the fed arrays, TensorFlow's outputs), keyed by tensor name."""
    return (tf.train.read_graph(os.path.join(HERE, f"{name}.pb")),) + arrays(name)
