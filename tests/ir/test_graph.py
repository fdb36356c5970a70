import re

import numpy as np
import pytest

import graphc as tf
from graphc.ir.printer import format_graph
from graphc.ir.verify import VerificationError, to_networkx, verify


def test_unique_names_and_name_scopes():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0, name="c")
        b = tf.constant(2.0, name="c")
        with tf.name_scope("layer"):
            c = tf.constant(3.0, name="c")
            with tf.name_scope("inner") as scope:
                d = tf.constant(4.0)
        with tf.name_scope("layer"):
            e = tf.constant(5.0)
    assert [a.name, b.name, c.name, d.name, e.name] == [
        "c:0", "c_1:0", "layer/c:0", "layer/inner/Const:0", "layer_1/Const:0"]
    assert scope == "layer/inner/"
    assert g.get_tensor_by_name("layer/c:0") is c
    assert g.get_operation_by_name("c_1") is b.op


def test_lookup_errors_are_clear():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0, name="x")
    with pytest.raises(KeyError, match="does not exist"):
        g.get_tensor_by_name("y:0")
    with pytest.raises(ValueError, match="looks like an Operation name"):
        g.get_tensor_by_name("x")
    with pytest.raises(KeyError, match="only has 1 outputs"):
        g.get_tensor_by_name("x:3")


def test_control_dependencies_and_collections():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
        with tf.control_dependencies([a]):
            b = tf.constant(2.0)
            with tf.control_dependencies(None):
                c = tf.constant(3.0)
        tf.add_to_collection("things", b)
    assert b.op.control_inputs == (a.op,)
    assert c.op.control_inputs == ()
    assert g.get_collection("things") == [b]
    assert g.get_collection("absent") == []


def test_creation_site_is_the_users_line():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])  # this line
    assert x.op.site.filename == __file__
    assert x.op.site.line.endswith("# this line")


def test_other_graph_inputs_rejected():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(2.0)
        with pytest.raises(ValueError, match="same graph"):
            g2.create_op("Add", [a, b])


def test_finalize_blocks_new_ops():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0)
        g.finalize()
        with pytest.raises(RuntimeError, match="finalized"):
            tf.constant(2.0)


def test_printer_shows_types_attrs_and_sites():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.exp(x, name="y")
        with tf.control_dependencies([y]):
            tf.no_op(name="after")
    text = format_graph(g)
    assert "%x = Placeholder() {shape=(?, 3)} : f32[?,3]" in text
    assert "%y = Exp(%x) : f32[?,3]" in text
    assert re.search(r"%after = NoOp\(\) : \(\)  \^y", text)
    assert "test_graph.py:" in text


def test_verifier_accepts_built_graphs_and_reports_broken_ones():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        y = tf.exp(x)
    assert verify(g) == []
    y._shape = tf.TensorShape([5])  # corrupt a fact the verifier re-derives
    with pytest.raises(VerificationError, match="inference gives"):
        verify(g)
    nxg = to_networkx(g)
    assert list(nxg.edges()) == [("x", y.op.name)]


def test_symbolic_tensor_refuses_bool_and_iteration():
    x = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="symbolic"):
        bool(x)
    with pytest.raises(TypeError, match="not iterable"):
        iter(x)
    with pytest.raises(TypeError, match="numpy"):
        np.asarray(x)


def test_tensors_operations_and_variables_hash_and_compare_by_identity():
    """TF1 graph mode: `==` is identity, not an elementwise op; object's own C slots."""
    x = tf.constant([1.0, 2.0])
    y = tf.constant([1.0, 2.0])
    v = tf.Variable(1.0)
    for cls in (type(x), type(x.op), type(v)):
        assert cls.__hash__ is object.__hash__ and cls.__eq__ is object.__eq__
    assert x == x and x != y and not (x == y) and x.op != y.op and v == v and v != x
    assert {x: 1, y: 2}[y] == 2 and x in [None, "Const:0", y, x] and y not in [x]
    # comparisons with values that are not tensors are False, never an error (as TF1)
    assert not (x == tf.float32) and not (tf.float32 == x) and not (x == x.shape)
    assert not (x == tf.Dimension(2)) and not (tf.Dimension(2) == x) and x != tf.Dimension(2)
    assert not (x == np.float32(1.0)) and not (x == np.ones(2)) and not (x == "Const:0")
