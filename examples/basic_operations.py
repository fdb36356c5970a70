"""Basic operations, the classic TF1 first program, unchanged but for the import.

Run: python examples/basic_operations.py
"""
import numpy as np

import graphc as tf

# Constants: the ops are added to the default graph; nothing runs until Session.run.
hello = tf.constant("Hello, graphc!")
a = tf.constant(2)
b = tf.constant(3)

with tf.Session() as sess:
    print(sess.run(hello).decode())
    print("a=2, b=3")
    print("Addition with constants: %i" % sess.run(a + b))
    print("Multiplication with constants: %i" % sess.run(a * b))

# Placeholders: values are fed at run time.
x = tf.placeholder(tf.int16)
y = tf.placeholder(tf.int16)
add = tf.add(x, y)
mul = tf.multiply(x, y)

with tf.Session() as sess:
    print("Addition with variables: %i" % sess.run(add, feed_dict={x: 2, y: 3}))
    print("Multiplication with variables: %i" % sess.run(mul, feed_dict={x: 2, y: 3}))

# Matrix multiplication of a 1x2 and a 2x1 constant.
matrix1 = tf.constant([[3., 3.]])
matrix2 = tf.constant([[2.], [2.]])
product = tf.matmul(matrix1, matrix2)

with tf.Session() as sess:
    result = sess.run(product)
    print("Matrix product:", result)
    assert result.shape == (1, 1) and result[0, 0] == 12.0

# A few reductions and a fetch structure.
data = tf.placeholder(tf.float32, shape=[None, 3], name="data")
stats = {"sum": tf.reduce_sum(data, axis=0), "max": tf.reduce_max(data),
         "mean": tf.reduce_mean(data, axis=1, keepdims=True)}
with tf.Session() as sess:
    out = sess.run(stats, feed_dict={data: np.arange(6, dtype=np.float32).reshape(2, 3)})
    print("Reductions:", {k: v.tolist() if hasattr(v, "tolist") else v for k, v in out.items()})
