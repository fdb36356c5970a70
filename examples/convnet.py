"""The classic TF1 convolutional network (conv 5x5x32 SAME, max-pool, conv 5x5x64, max-pool,
dense 1024, dropout, dense 10, Adam), unchanged TF1 code on the offline digits (8x8) or
MNIST (28x28, --mnist DIR).

Run: python examples/convnet.py [--epochs N] [--mnist DIR] [--require-accuracy A]
Inspect: graphc viz examples/convnet.py:build -o convnet.html
"""
import argparse
import math

import numpy as np

import graphc as tf
from datasets import load


def weight(shape):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1, seed=1))


def bias(shape):
    return tf.Variable(tf.constant(0.1, shape=shape))


def build(side: int = 8, learning_rate: float = 1e-3) -> dict:
    """The model's graph; returns its fetches (what `graphc dump/viz/run/bench` use)."""
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, side * side], name="x")
    y = tf.placeholder(tf.float32, [None, 10], name="labels")
    keep_prob = tf.placeholder(tf.float32, name="keep_prob")
    logits = network(tf.reshape(x, [-1, side, side, 1]), keep_prob)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return {"train": train_op, "loss": loss, "logits": logits, "accuracy": accuracy}


def network(image, keep_prob):
    """The logits of the convnet on a batch of [side, side, 1] images."""
    h = tf.nn.relu(tf.nn.conv2d(image, weight([5, 5, 1, 32]), [1, 1, 1, 1], "SAME")
                   + bias([32]))
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    h = tf.nn.relu(tf.nn.conv2d(h, weight([5, 5, 32, 64]), [1, 1, 1, 1], "SAME") + bias([64]))
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    flat_size = int(np.prod(h.shape.as_list()[1:]))
    h = tf.reshape(h, [-1, flat_size])
    h = tf.nn.relu(tf.matmul(h, weight([flat_size, 1024])) + bias([1024]))
    h = tf.nn.dropout(h, keep_prob)
    return tf.matmul(h, weight([1024, 10])) + bias([10])


def main(epochs: int = 15, batch_size: int = 50, mnist_dir=None) -> float:
    train, test = load(mnist_dir)
    side = int(math.isqrt(train.images.shape[1]))
    model = build(side)
    graph = tf.get_default_graph()
    x, y = graph.get_tensor_by_name("x:0"), graph.get_tensor_by_name("labels:0")
    keep_prob = graph.get_tensor_by_name("keep_prob:0")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        steps = train.num_examples // batch_size
        for epoch in range(epochs):
            losses = []
            for _ in range(steps):
                bx, by = train.next_batch(batch_size)
                _, loss_value = sess.run([model["train"], model["loss"]], feed_dict={
                    x: bx, y: np.eye(10, dtype=np.float32)[by], keep_prob: 0.5})
                losses.append(loss_value)
            if epoch % 5 == 0 or epoch == epochs - 1:
                acc = sess.run(model["accuracy"], feed_dict={
                    x: test.images, y: test.one_hot_labels(), keep_prob: 1.0})
                print(f"epoch {epoch:3d}  loss {np.mean(losses):.4f}  test accuracy {acc:.4f}")
        acc = sess.run(model["accuracy"], feed_dict={x: test.images,
                                                     y: test.one_hot_labels(), keep_prob: 1.0})
    print(f"test accuracy: {acc:.4f}")
    return float(acc)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--mnist", default=None, help="a folder with MNIST's IDX files")
    parser.add_argument("--require-accuracy", type=float, default=None)
    args = parser.parse_args()
    accuracy = main(args.epochs, args.batch_size, args.mnist)
    if args.require_accuracy is not None and accuracy < args.require_accuracy:
        raise SystemExit(f"accuracy {accuracy:.4f} is below {args.require_accuracy}")
