"""Scaled dot-product attention built from graphc ops: softmax(Q K^T / sqrt(d)) V over the
8 rows of each 8x8 digit (with learned position embeddings), pooled and classified.

Run: python examples/attention.py [--epochs N] [--max-loss L]
"""
import argparse

import numpy as np

import graphc as tf
from datasets import load

STEPS, FEATURES = 8, 8


def attention(q, k, v):
    """softmax(q k^T / sqrt(d)) v for [batch, steps, d] tensors (and the weights)."""
    d = q.shape.as_list()[-1]
    scores = tf.matmul(q, k, transpose_b=True) / np.sqrt(d).astype(np.float32)
    weights = tf.nn.softmax(scores)
    return tf.matmul(weights, v), weights


def build(d_model: int = 32, learning_rate: float = 0.005) -> dict:
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, STEPS * FEATURES], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    rows = tf.reshape(x, [-1, STEPS, FEATURES])
    position = tf.get_variable("position", [STEPS, d_model])
    h = tf.layers.dense(rows, d_model, name="embed") + position
    q = tf.layers.dense(h, d_model, name="query")
    k = tf.layers.dense(h, d_model, name="key")
    v = tf.layers.dense(h, d_model, name="value")
    context, weights = attention(q, k, v)
    pooled = tf.reduce_mean(tf.nn.relu(context + h), axis=1)
    logits = tf.layers.dense(pooled, 10, name="classifier")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    return {"train": train_op, "loss": loss, "accuracy": accuracy, "weights": weights}


def main(epochs: int = 15, batch_size: int = 64) -> tuple:
    train, test = load()
    model = build()
    graph = tf.get_default_graph()
    x, y = graph.get_tensor_by_name("x:0"), graph.get_tensor_by_name("y:0")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        steps = train.num_examples // batch_size
        for epoch in range(epochs):
            losses = [sess.run([model["train"], model["loss"]], {x: bx, y: by})[1]
                      for bx, by in (train.next_batch(batch_size) for _ in range(steps))]
            if epoch % 5 == 0 or epoch == epochs - 1:
                print(f"epoch {epoch:3d}  loss {np.mean(losses):.4f}")
        loss, acc, w = sess.run([model["loss"], model["accuracy"], model["weights"]],
                                {x: test.images, y: test.labels})
    print(f"test loss {loss:.4f} (chance: {np.log(10):.4f})  test accuracy {acc:.4f}  "
          f"attention rows sum to {w.sum(-1).mean():.3f}")
    return float(loss), float(acc)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--max-loss", type=float, default=None,
                        help="exit with status 1 if the test loss ends above this")
    args = parser.parse_args()
    final_loss, _ = main(args.epochs)
    if args.max_loss is not None and final_loss > args.max_loss:
        raise SystemExit(f"test loss {final_loss:.4f} is above {args.max_loss}")
