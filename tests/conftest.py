"""Shared fixtures: every test starts with a fresh default graph (no leaked TF1 state)."""
import pytest

import graphc


@pytest.fixture(autouse=True)
def fresh_default_graph():
    graphc.reset_default_graph()
    yield
    graphc.reset_default_graph()
