"""An LSTM classifier over variable-length sequences with tf.nn.dynamic_rnn (one While loop,
trained by backpropagation through time through the loop's gradient).

Each sequence is a noisy sine wave of one of three frequencies, 6 to 24 steps long, padded
to 24 steps with loud noise. `sequence_length` makes the LSTM stop at each row's length,
so its final state (the state at that length) sees the signal and never the padding.

Run: python examples/dynamic_rnn_classifier.py [--epochs N] [--cell lstm|gru]
                                               [--backend llvm|numpy] [--max-loss L]
Inspect: graphc dump examples/dynamic_rnn_classifier.py:build --stats
"""
import argparse

import numpy as np

import graphc as tf

MAX_STEPS, CLASSES = 24, 3
FREQUENCIES = (0.25, 0.6, 1.1)


def make_data(n: int, seed: int) -> tuple:
    """(sequences [n, MAX_STEPS, 1], lengths [n], labels [n])."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, CLASSES, n)
    lengths = rng.randint(6, MAX_STEPS + 1, n)
    t = np.arange(MAX_STEPS)
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    waves = np.sin(np.array(FREQUENCIES)[labels][:, None] * t + phase)
    waves += 0.1 * rng.randn(n, MAX_STEPS)
    padding = t[None, :] >= lengths[:, None]
    waves[padding] = 3.0 * rng.randn(int(padding.sum()))
    return waves[..., None].astype(np.float32), lengths.astype(np.int32), labels


def build(units: int = 32, cell: str = "lstm", learning_rate: float = 0.005) -> dict:
    """The model's graph; returns its fetches."""
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, MAX_STEPS, 1], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    y = tf.placeholder(tf.int64, [None], name="y")
    rnn = (tf.nn.rnn_cell.BasicLSTMCell(units) if cell == "lstm"
           else tf.nn.rnn_cell.GRUCell(units))
    _, state = tf.nn.dynamic_rnn(rnn, x, sequence_length=lengths, dtype=tf.float32)
    last = state.h if cell == "lstm" else state
    logits = tf.layers.dense(last, CLASSES, name="classifier")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    return {"train": train_op, "loss": loss, "accuracy": accuracy}


def main(epochs: int = 6, batch_size: int = 32, cell: str = "lstm",
         backend=None) -> tuple:
    xs, ls, ys = make_data(1536, seed=0)
    tx, tl, ty = make_data(512, seed=1)
    model = build(cell=cell)
    graph = tf.get_default_graph()
    x, lengths, y = (graph.get_tensor_by_name(n) for n in ("x:0", "lengths:0", "y:0"))
    with tf.Session(backend=backend) as sess:
        print(f"backend: {sess.backend}")
        sess.run(tf.global_variables_initializer())
        for epoch in range(epochs):
            losses = []
            for i in range(0, len(xs), batch_size):
                part = slice(i, i + batch_size)
                _, loss = sess.run([model["train"], model["loss"]],
                                   {x: xs[part], lengths: ls[part], y: ys[part]})
                losses.append(loss)
            print(f"epoch {epoch:3d}  loss {np.mean(losses):.4f}")
        loss, acc = sess.run([model["loss"], model["accuracy"]],
                             {x: tx, lengths: tl, y: ty})
    print(f"test loss {loss:.4f} (chance: {np.log(CLASSES):.4f})  test accuracy {acc:.4f}")
    return float(loss), float(acc)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    parser.add_argument("--backend", choices=["llvm", "numpy"], default=None)
    parser.add_argument("--max-loss", type=float, default=None,
                        help="exit with status 1 if the test loss ends above this")
    args = parser.parse_args()
    final_loss, _ = main(args.epochs, cell=args.cell, backend=args.backend)
    if args.max_loss is not None and final_loss > args.max_loss:
        raise SystemExit(f"test loss {final_loss:.4f} is above {args.max_loss}")
