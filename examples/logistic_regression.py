"""Logistic regression on handwritten digits, written as a classic TF1 program.

Run: python examples/logistic_regression.py [--epochs N] [--mnist DIR]
Inspect: graphc viz examples/logistic_regression.py:build -o logreg.html
"""
import argparse

import graphc as tf
from datasets import load


def build(features: int = 64, learning_rate: float = 0.5) -> dict:
    """The model's graph; returns its fetches (what `graphc dump/viz/run/bench` use)."""
    x = tf.placeholder(tf.float32, [None, features], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    W = tf.Variable(tf.zeros([features, 10]), name="W")
    b = tf.Variable(tf.zeros([10]), name="b")
    logits = tf.matmul(x, W) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)
    correct = tf.equal(tf.argmax(logits, 1), y)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return {"train": train_op, "loss": loss, "logits": logits, "accuracy": accuracy}


def main(epochs: int = 30, batch_size: int = 64, learning_rate: float = 0.5,
         mnist_dir=None) -> float:
    train, test = load(mnist_dir)
    model = build(train.images.shape[1], learning_rate)
    train_op, loss, accuracy = model["train"], model["loss"], model["accuracy"]
    graph = tf.get_default_graph()
    x, y = graph.get_tensor_by_name("x:0"), graph.get_tensor_by_name("y:0")

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        steps = train.num_examples // batch_size
        for epoch in range(epochs):
            total = 0.0
            for _ in range(steps):
                bx, by = train.next_batch(batch_size)
                _, loss_value = sess.run([train_op, loss], feed_dict={x: bx, y: by})
                total += loss_value
            if epoch % 10 == 0 or epoch == epochs - 1:
                print(f"epoch {epoch:3d}  loss {total / steps:.4f}")
        acc = sess.run(accuracy, feed_dict={x: test.images, y: test.labels})
    print(f"test accuracy: {acc:.4f}")
    return float(acc)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--mnist", default=None, help="directory with the MNIST IDX files")
    parser.add_argument("--require-accuracy", type=float, default=None,
                        help="exit with status 1 if test accuracy ends below this")
    args = parser.parse_args()
    accuracy = main(args.epochs, mnist_dir=args.mnist)
    if args.require_accuracy is not None and accuracy < args.require_accuracy:
        raise SystemExit(f"test accuracy {accuracy:.4f} is below {args.require_accuracy}")
