"""TF1's gradient registry: tf.RegisterGradient, tf.NotDifferentiable and
Graph.gradient_override_map (issue 15 item 5: the map existed and did nothing).

Expected values are TensorFlow 1's: the straight-through estimator through
sign(round(x)) with both overridden to Identity gives d sum(4 y)/dx = [4, 4, 4].
Registered names are process-wide (as in TF1), so every test registers its own.
"""
import itertools
import os

import numpy as np
import pytest

import graphc as tf
from graphc.ir.printer import format_graph
from graphc.passes.manager import PassManager
from graphc.passes.lower import lower
from graphc.passes.prune import build_program

X = np.float32([0.3, -1.7, 2.2])
_names = itertools.count()


def _name(stem: str) -> str:
    return f"{stem}_{os.getpid()}_{next(_names)}"


def _run(fetches, feed):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_straight_through_sign_of_round_gives_the_upstream_gradient():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        with g.gradient_override_map({"Round": "Identity", "Sign": "Identity"}):
            y = tf.sign(tf.round(x))
        (dx,) = tf.gradients(tf.reduce_sum(4 * y), x)
        plain = tf.sign(tf.round(x))  # outside the map: TF1's Round passes no gradient
        assert tf.gradients(tf.reduce_sum(4 * plain), x) == [None]
        got_y, got_dx = _run([y, dx], {x: X})
    np.testing.assert_array_equal(got_y, [0, -1, 1])
    np.testing.assert_array_equal(got_dx, [4, 4, 4])
    assert y.op.get_attr("_gradient_op_type") == "Identity"
    assert y.op.node_def["attr"]["_gradient_op_type"] == "Identity"
    assert plain.op.gradient_op_type is None


def test_a_registered_clipped_gradient_replaces_identitys():
    name = _name("ClipGrad")

    @tf.RegisterGradient(name)
    def _clipped(op, grad):
        assert op.type == "Identity" and op.name.startswith("clipped")
        assert len(op.inputs) == 1 and len(op.outputs) == 1
        return tf.clip_by_value(grad, -0.5, 0.5)

    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        with g.gradient_override_map({"Identity": name}):
            y = tf.identity(x, name="clipped")
        c = tf.constant([1.0, -2.0, 0.3])
        (dx,) = tf.gradients(tf.reduce_sum(y * c), x)
        np.testing.assert_allclose(_run(dx, {x: X}), [0.5, -0.5, 0.3], rtol=1e-6)


def test_registered_gradient_of_a_two_input_op_sees_attrs_and_returns_one_per_input():
    name = _name("MatMulHalf")
    seen = {}

    @tf.RegisterGradient(name)
    def _half(op, grad):
        seen["transpose_b"] = op.get_attr("transpose_b")
        a, b = op.inputs
        return [0.5 * tf.matmul(grad, b, transpose_b=not op.get_attr("transpose_b")), None]

    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [2, 3])
        b = tf.placeholder(tf.float32, [3, 4])
        with g.gradient_override_map({"MatMul": name}):
            y = tf.matmul(a, b)
        da, db = tf.gradients(tf.reduce_sum(y), [a, b])
        assert db is None  # the function gave None for b: no gradient reaches it
        va, vb = np.ones((2, 3), np.float32), np.arange(12, dtype=np.float32).reshape(3, 4)
        np.testing.assert_allclose(_run(da, {a: va, b: vb}),
                                   0.5 * np.ones((2, 4)) @ vb.T, rtol=1e-6)
    assert seen == {"transpose_b": False}


def test_nested_maps_add_to_and_restore_the_outer_map():
    outer, inner = _name("TimesTwo"), _name("TimesThree")
    tf.RegisterGradient(outer)(lambda op, grad: 2.0 * grad)
    tf.RegisterGradient(inner)(lambda op, grad: 3.0 * grad)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        with g.gradient_override_map({"Identity": outer}):
            a = tf.identity(x)
            with g.gradient_override_map({"Identity": inner, "Sign": "Identity"}):
                b = tf.identity(x)
                s = tf.sign(x)
            c = tf.identity(x)
            s_outer = tf.sign(x)
        d = tf.identity(x)
        assert [t.op.gradient_op_type for t in (a, b, s, c, s_outer, d)] == [
            outer, inner, "Identity", outer, None, None]
        grads = [tf.gradients(tf.reduce_sum(t), x)[0] for t in (a, b, s, c, d)]
        got = _run(grads, {x: X})
    for value, want in zip(got, [2.0, 3.0, 1.0, 2.0, 1.0]):
        np.testing.assert_allclose(value, [want] * 3)


def test_an_unknown_override_name_is_an_error_naming_the_op_and_the_name():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        with g.gradient_override_map({"Round": "NoSuchGradientAnywhere"}):
            y = tf.round(x, name="rounded")
        with pytest.raises(LookupError) as info:
            tf.gradients(tf.reduce_sum(y), x)
    message = str(info.value)
    assert "NoSuchGradientAnywhere" in message and "'rounded'" in message
    assert "Round" in message and __file__ in message  # and the user's line


def test_override_to_a_built_in_type_without_a_rule_or_to_non_differentiable():
    stop = _name("Stop")
    tf.NotDifferentiable(stop)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        with g.gradient_override_map({"Square": stop}):
            y = tf.square(x)
        with g.gradient_override_map({"Square": "ArgMax"}):  # ArgMax: non-differentiable
            z = tf.square(x)
        assert tf.gradients(tf.reduce_sum(y), x) == [None]
        assert tf.gradients(tf.reduce_sum(z), x) == [None]
        (both,) = tf.gradients(tf.reduce_sum(y + tf.square(x)), x)
        np.testing.assert_allclose(_run(both, {x: X}), 2 * X, rtol=1e-6)


def test_registration_errors_follow_tf1():
    name = _name("Twice")
    tf.RegisterGradient(name)(lambda op, grad: grad)
    with pytest.raises(KeyError, match="Registering two gradient with name"):
        tf.RegisterGradient(name)(lambda op, grad: grad)
    with pytest.raises(KeyError, match="'Round'"):
        tf.RegisterGradient("Round")(lambda op, grad: grad)  # a built-in rule exists
    with pytest.raises(KeyError):
        tf.no_gradient("Identity")
    with pytest.raises(TypeError):
        tf.RegisterGradient(3)
    g = tf.Graph()
    with pytest.raises(TypeError, match="mapping strings to strings"):
        with g.gradient_override_map({"Round": 1}):
            pass


def test_a_function_returning_the_wrong_number_of_gradients_is_named():
    name = _name("TooMany")
    tf.RegisterGradient(name)(lambda op, grad: [grad, grad])
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        with g.gradient_override_map({"Neg": name}):
            y = tf.negative(x)
        with pytest.raises(ValueError, match=f"Num gradients 2 generated by the gradient "
                                             f"'{name}'.*do not match num inputs 1"):
            tf.gradients(tf.reduce_sum(y), x)


def test_the_override_survives_the_pass_pipeline_and_graph_files(tmp_path):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        with g.gradient_override_map({"Round": "Identity", "Sign": "Identity"}):
            y = tf.sign(tf.round(x), name="y")
        plan = lower(build_program([y], [], [x]), [((3,), tf.float32)])
        optimized = PassManager(disabled=["fuse"], verify=True).run(plan)
        kinds = {op.type: op.gradient_op_type for op in optimized.graph.get_operations()}
        assert kinds["Round"] == "Identity" and kinds["Sign"] == "Identity"
        assert "_gradient_op_type='Identity'" in format_graph(optimized.graph)
        path = tf.train.write_graph(g, str(tmp_path), "straight.graphc", as_text=False)
    loaded = tf.Graph()
    with loaded.as_default():
        tf.import_graph_def(g.as_graph_def(), name="")
        xl = loaded.get_tensor_by_name("x:0")
        yl = loaded.get_tensor_by_name("y:0")
        assert yl.op.get_attr("_gradient_op_type") == "Identity"
        (dx,) = tf.gradients(tf.reduce_sum(4 * yl), xl)
        np.testing.assert_array_equal(_run(dx, {xl: X}), [4, 4, 4])
    from graphc.ir.serialize import read_graph_file
    from_file = tf.Graph()
    with from_file.as_default():
        tf.import_graph_def(read_graph_file(path), name="")
        xf, yf = (from_file.get_tensor_by_name(n) for n in ("x:0", "y:0"))
        (dx,) = tf.gradients(tf.reduce_sum(4 * yf), xf)
        np.testing.assert_array_equal(_run(dx, {xf: X}), [4, 4, 4])


def test_ops_inside_a_cond_branch_under_the_map_use_the_override():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        p = tf.placeholder(tf.bool, [])
        with g.gradient_override_map({"Round": "Identity"}):
            y = tf.cond(p, lambda: tf.round(x) * 3.0, lambda: tf.round(x))
        (dx,) = tf.gradients(tf.reduce_sum(y), x)
        got = [_run(dx, {x: X, p: v}) for v in (True, False)]
    np.testing.assert_array_equal(got[0], [3, 3, 3])
    np.testing.assert_array_equal(got[1], [1, 1, 1])
