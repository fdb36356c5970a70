"""A multilayer perceptron trained with Adam and softmax cross-entropy (classic TF1).

Run: python examples/mlp.py [--epochs N] [--mnist DIR] [--save PATH]
Inspect: graphc dump examples/mlp.py:build --stats   (and viz, run, bench)
"""
import argparse

import numpy as np

import graphc as tf
from datasets import load


def dense(x, units, name, activation=None):
    with tf.variable_scope(name):
        w = tf.get_variable("weights", [x.get_shape()[1].value, units],
                            initializer=tf.glorot_uniform_initializer(seed=1))
        b = tf.get_variable("biases", [units], initializer=tf.zeros_initializer())
        out = tf.matmul(x, w) + b
        return activation(out) if activation else out


def build(features: int = 64, hidden: int = 128) -> dict:
    """The model's graph; returns its fetches (what `graphc dump/viz/run/bench` use)."""
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, features], name="x")
    y = tf.placeholder(tf.float32, [None, 10], name="labels")
    keep_prob = tf.placeholder_with_default(1.0, [], name="keep_prob")
    h1 = tf.nn.dropout(dense(x, hidden, "hidden1", tf.nn.relu), keep_prob)
    h2 = dense(h1, hidden, "hidden2", tf.nn.relu)
    logits = dense(h2, 10, "softmax_linear")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss, global_step=global_step)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)),
                                      tf.float32))
    return {"train": train_op, "loss": loss, "logits": logits, "accuracy": accuracy,
            "global_step": global_step}


def main(epochs: int = 40, batch_size: int = 32, hidden: int = 128, mnist_dir=None,
         save_path=None) -> float:
    train, test = load(mnist_dir)
    model = build(train.images.shape[1], hidden)
    train_op, loss, accuracy = model["train"], model["loss"], model["accuracy"]
    global_step = model["global_step"]
    graph = tf.get_default_graph()
    x, y = graph.get_tensor_by_name("x:0"), graph.get_tensor_by_name("labels:0")
    keep_prob = graph.get_tensor_by_name("keep_prob:0")
    saver = tf.train.Saver()

    test_labels = test.one_hot_labels()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        steps = train.num_examples // batch_size
        for epoch in range(epochs):
            losses = []
            for _ in range(steps):
                bx, by = train.next_batch(batch_size)
                _, loss_value = sess.run([train_op, loss], feed_dict={
                    x: bx, y: np.eye(10, dtype=np.float32)[by], keep_prob: 0.9})
                losses.append(loss_value)
            if epoch % 10 == 0 or epoch == epochs - 1:
                acc = sess.run(accuracy, feed_dict={x: test.images, y: test_labels})
                print(f"epoch {epoch:3d}  loss {np.mean(losses):.4f}  test accuracy {acc:.4f}")
        acc = sess.run(accuracy, feed_dict={x: test.images, y: test_labels})
        if save_path:
            print("saved", saver.save(sess, save_path, global_step=global_step))
    print(f"test accuracy: {acc:.4f}")
    return float(acc)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--mnist", default=None, help="directory with the MNIST IDX files")
    parser.add_argument("--require-accuracy", type=float, default=None,
                        help="exit with status 1 if test accuracy ends below this")
    parser.add_argument("--save", default=None, help="checkpoint path prefix")
    args = parser.parse_args()
    accuracy = main(args.epochs, mnist_dir=args.mnist, save_path=args.save)
    if args.require_accuracy is not None and accuracy < args.require_accuracy:
        raise SystemExit(f"test accuracy {accuracy:.4f} is below {args.require_accuracy}")
