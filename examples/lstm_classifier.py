"""An LSTM sequence classifier (tf.nn.static_rnn, unrolled): each 8x8 digit is read as a
sequence of 8 rows of 8 pixels, the last output classifies it.

Run: python examples/lstm_classifier.py [--epochs N] [--cell lstm|gru] [--max-loss L]
Inspect: graphc dump examples/lstm_classifier.py:build --stats
"""
import argparse

import numpy as np

import graphc as tf
from datasets import load

STEPS, FEATURES = 8, 8


def build(units: int = 64, cell: str = "lstm", learning_rate: float = 0.01) -> dict:
    """The model's graph; returns its fetches."""
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, STEPS * FEATURES], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    rows = tf.unstack(tf.reshape(x, [-1, STEPS, FEATURES]), axis=1)  # 8 x [batch, 8]
    rnn = (tf.nn.rnn_cell.BasicLSTMCell(units) if cell == "lstm"
           else tf.nn.rnn_cell.GRUCell(units))
    outputs, _ = tf.nn.static_rnn(rnn, rows, dtype=tf.float32)
    logits = tf.layers.dense(outputs[-1], 10, name="classifier")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    return {"train": train_op, "loss": loss, "logits": logits, "accuracy": accuracy}


def main(epochs: int = 10, batch_size: int = 64, cell: str = "lstm") -> tuple:
    train, test = load()
    model = build(cell=cell)
    graph = tf.get_default_graph()
    x, y = graph.get_tensor_by_name("x:0"), graph.get_tensor_by_name("y:0")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        steps = train.num_examples // batch_size
        for epoch in range(epochs):
            losses = [sess.run([model["train"], model["loss"]],
                               {x: bx, y: by})[1] for bx, by in
                      (train.next_batch(batch_size) for _ in range(steps))]
            if epoch % 3 == 0 or epoch == epochs - 1:
                print(f"epoch {epoch:3d}  loss {np.mean(losses):.4f}")
        loss, acc = sess.run([model["loss"], model["accuracy"]],
                             {x: test.images, y: test.labels})
    print(f"test loss {loss:.4f} (chance: {np.log(10):.4f})  test accuracy {acc:.4f}")
    return float(loss), float(acc)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    parser.add_argument("--max-loss", type=float, default=None,
                        help="exit with status 1 if the test loss ends above this")
    args = parser.parse_args()
    final_loss, _ = main(args.epochs, cell=args.cell)
    if args.max_loss is not None and final_loss > args.max_loss:
        raise SystemExit(f"test loss {final_loss:.4f} is above {args.max_loss}")
