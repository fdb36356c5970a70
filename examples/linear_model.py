"""A linear model y = W x + b fitted with gradient descent written as graph ops.

The gradient of the mean squared error is spelled out with matmul and reductions and the
update is an ordinary assign_sub, so this runs on the core API alone.

Run: python examples/linear_model.py [--steps N]
"""
import argparse

import numpy as np

import graphc as tf


def main(steps: int = 300, learning_rate: float = 0.5, seed: int = 0) -> float:
    rng = np.random.RandomState(seed)
    true_w = np.array([[2.0], [-3.0], [0.5]], dtype=np.float32)
    true_b = np.float32(1.25)
    x_data = rng.rand(256, 3).astype(np.float32)
    y_data = x_data @ true_w + true_b + 0.01 * rng.randn(256, 1).astype(np.float32)

    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.placeholder(tf.float32, [None, 1], name="y")
        W = tf.Variable(tf.zeros([3, 1]), name="W")
        b = tf.Variable(0.0, name="b")
        pred = tf.matmul(x, W) + b
        err = pred - y
        loss = tf.reduce_mean(tf.square(err), name="loss")
        n = tf.cast(tf.shape(x)[0], tf.float32)
        grad_w = 2.0 * tf.matmul(x, err, transpose_a=True) / n
        grad_b = 2.0 * tf.reduce_mean(err)
        train = tf.group(W.assign_sub(learning_rate * grad_w),
                         b.assign_sub(learning_rate * grad_b))
        init = tf.global_variables_initializer()
        graph.finalize()  # nothing is added inside the loop

    with tf.Session(graph=graph) as sess:
        sess.run(init)
        for step in range(steps):
            _, loss_value = sess.run([train, loss], feed_dict={x: x_data, y: y_data})
            if step % 100 == 0:
                print(f"step {step:4d}  loss {loss_value:.6f}")
        w_value, b_value, final = sess.run([W, b, loss], feed_dict={x: x_data, y: y_data})
    print("W =", w_value.ravel(), "b =", float(b_value), "loss =", float(final))
    return float(final)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    main(args.steps)
