"""TF1's namespaces and top-level aliases over graphc's functions (issue 20, first part).

`tf.math.reduce_sum` is `tf.reduce_sum`; the TF1 aliases with another signature
(`tf.arg_min(input, dimension)`, `tf.linalg.transpose` = matrix_transpose) give TF1's values.
"""
import numpy as np
import pytest

import graphc as tf


def _run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


@pytest.mark.parametrize("path, same", [
    ("math.reduce_sum", "reduce_sum"), ("math.log", "log"), ("math.argmin", "argmin"),
    ("math.softmax", "nn.softmax"), ("math.l2_normalize", "nn.l2_normalize"),
    ("math.unsorted_segment_sum", "unsorted_segment_sum"), ("linalg.matmul", "matmul"),
    ("linalg.global_norm", "global_norm"), ("manip.tile", "tile"), ("manip.reverse", "reverse"),
    ("manip.space_to_batch_nd", "space_to_batch_nd"),
    ("manip.batch_to_space_nd", "batch_to_space_nd"),
    ("random.normal", "random_normal"), ("random.uniform", "random_uniform"),
    ("random.shuffle", "random_shuffle"), ("initializers.zeros", "zeros_initializer"),
    ("io.TFRecordWriter", "python_io.TFRecordWriter"),
    ("compat.v1.math.reduce_mean", "reduce_mean"), ("compat.v1.linalg.matmul", "matmul"),
    ("compat.v1.arg_min", "arg_min"),
])
def test_a_namespace_name_is_the_same_function(path, same):
    def get(p):
        obj = tf
        for part in p.split("."):
            obj = getattr(obj, part)
        return obj
    assert get(path) is get(same)


def test_tf1_top_level_aliases_exist():
    for name in ("log", "div", "mod", "to_float", "to_int32", "to_int64", "to_double",
                 "random_normal", "random_uniform", "truncated_normal", "random_shuffle",
                 "arg_min", "arg_max", "reverse_v2", "matrix_transpose", "is_tensor",
                 "dimension_value", "dimension_at_index"):
        assert callable(getattr(tf, name)), name


def test_arg_min_and_arg_max_take_dimension():
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], np.float32)
    a, b, c = _run([tf.arg_min(x, 1), tf.arg_max(x, dimension=0),
                    tf.arg_max(x, 1, output_type=tf.int32)])
    np.testing.assert_array_equal(a, x.argmin(1))
    np.testing.assert_array_equal(b, x.argmax(0))
    np.testing.assert_array_equal(c, x.argmax(1))
    assert a.dtype == np.int64 and c.dtype == np.int32  # TF1's default output_type: int64
    with pytest.raises(TypeError, match="dimension"):
        tf.arg_min(x)  # TF1's dimension has no default


def test_linalg_transpose_is_matrix_transpose():
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    t = tf.linalg.transpose(x)
    assert t.shape.as_list() == [2, 4, 3] and t.op.name.startswith("matrix_transpose")
    np.testing.assert_array_equal(_run(t), np.swapaxes(x, -1, -2))
    np.testing.assert_array_equal(_run(tf.matrix_transpose(x[0])), x[0].T)
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.linalg.transpose([1.0, 2.0])
    with pytest.raises(ValueError, match="must be known"):
        tf.matrix_transpose(tf.placeholder(tf.float32))


def test_reverse_v2_and_math_names_compute_tf1_values():
    x = np.array([[1.0, -2.0, 3.0]], np.float32)
    r, s, lsm = _run([tf.reverse_v2(x, [1]), tf.math.reduce_sum(x, axis=1),
                      tf.math.log_softmax(x)])
    np.testing.assert_array_equal(r, x[:, ::-1])
    np.testing.assert_allclose(s, [2.0])
    np.testing.assert_allclose(lsm, x - np.log(np.exp(x).sum(1, keepdims=True)), rtol=1e-6)


def test_tensor_facts():
    x = tf.placeholder(tf.float32, [None, 3])
    assert tf.is_tensor(x) and tf.is_tensor(tf.Variable(1.0)) and not tf.is_tensor(np.ones(2))
    assert tf.dimension_value(x.shape[1]) == 3 and tf.dimension_value(x.shape[0]) is None
    assert tf.dimension_value(7) == 7
    assert tf.dimension_at_index(x.shape, 1).value == 3
    assert tf.dimension_at_index(tf.TensorShape(None), 4).value is None
