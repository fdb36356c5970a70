"""Shared set-up: tests run in debug mode (the verifier runs between passes and the
executor checks every node's output against its inferred dtype and shape), and every test
starts with a fresh default graph (no leaked TF1 state)."""
import os

import pytest

os.environ.setdefault("GRAPHC_DEBUG", "1")

import graphc


@pytest.fixture(autouse=True)
def fresh_default_graph():
    graphc.reset_default_graph()
    yield
    graphc.reset_default_graph()
