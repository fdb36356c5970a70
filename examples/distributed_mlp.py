"""The digits MLP trained data-parallel over MPI in the canonical Horovod pattern.

Run:  python -m graphc.distributed.run -np 2 examples/distributed_mlp.py [--epochs N]
(or:  mpirun -np 2 python examples/distributed_mlp.py). Each process trains on its shard
of the data; DistributedOptimizer averages the gradients with allreduce; the learning rate
is scaled by the number of workers; the variables are broadcast from rank 0 after
initialisation; only rank 0 writes checkpoints and summaries (TensorBoard event files of
the loss, both in --checkpoint-dir) and prints.
"""
import argparse
import os
import sys

import numpy as np

import graphc as tf
import graphc.distributed as hvd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datasets import DataSet, load  # noqa: E402


def dense(x, units, name, activation=None):
    with tf.variable_scope(name):
        w = tf.get_variable("weights", [x.get_shape()[1].value, units],
                            initializer=tf.glorot_uniform_initializer(seed=hvd.rank()))
        b = tf.get_variable("biases", [units], initializer=tf.zeros_initializer())
        out = tf.matmul(x, w) + b
        return activation(out) if activation else out


def main(epochs: int, batch_size: int, hidden: int, mnist_dir, checkpoint_dir) -> float:
    hvd.init()
    train, test = load(mnist_dir)
    # this worker's shard of the training set
    shard = DataSet(train.images[hvd.rank()::hvd.size()], train.labels[hvd.rank()::hvd.size()],
                    seed=hvd.rank())

    x = tf.placeholder(tf.float32, [None, train.images.shape[1]], name="x")
    y = tf.placeholder(tf.float32, [None, 10], name="labels")
    h1 = dense(x, hidden, "hidden1", tf.nn.relu)
    h2 = dense(h1, hidden, "hidden2", tf.nn.relu)
    logits = dense(h2, 10, "softmax_linear")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    global_step = tf.train.get_or_create_global_step()
    # Horovod: scale the learning rate by the number of workers, wrap the optimizer
    opt = hvd.DistributedOptimizer(tf.train.AdamOptimizer(1e-3 * hvd.size()))
    train_op = opt.minimize(loss, global_step=global_step)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)),
                                      tf.float32))
    # Horovod: every worker starts from rank 0's variables
    bcast = hvd.broadcast_global_variables(0)
    saver = tf.train.Saver() if hvd.rank() == 0 else None
    loss_summary = tf.summary.scalar("loss", loss)
    # Horovod: rank 0 alone writes summaries (and checkpoints)
    writer = tf.summary.FileWriter(checkpoint_dir) if hvd.rank() == 0 and checkpoint_dir \
        else None

    test_labels = test.one_hot_labels()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(bcast)
        steps = shard.num_examples // batch_size
        for epoch in range(epochs):
            losses = []
            for _ in range(steps):
                bx, by = shard.next_batch(batch_size)
                _, lv = sess.run([train_op, loss], {x: bx, y: np.eye(10, dtype=np.float32)[by]})
                losses.append(lv)
            if writer is not None:
                feed = {x: bx, y: np.eye(10, dtype=np.float32)[by]}
                writer.add_summary(sess.run(loss_summary, feed), epoch)
            if hvd.rank() == 0 and (epoch % 5 == 0 or epoch == epochs - 1):
                acc = sess.run(accuracy, {x: test.images, y: test_labels})
                print(f"epoch {epoch:3d}  loss {np.mean(losses):.4f}  test accuracy {acc:.4f}",
                      flush=True)
        acc = float(sess.run(accuracy, {x: test.images, y: test_labels}))
        # the workers' weights must agree: the allgather of each one's checksum
        check = sess.run(hvd.allgather(tf.reshape(
            tf.add_n([tf.reduce_sum(v) for v in tf.trainable_variables()]), [1])))
        if not np.all(check == check[0]):
            raise RuntimeError(f"the workers' weights differ: checksums {check}")
        if hvd.rank() == 0 and checkpoint_dir:   # Horovod: rank 0 alone checkpoints
            os.makedirs(checkpoint_dir, exist_ok=True)
            print("saved", saver.save(sess, os.path.join(checkpoint_dir, "model"),
                                      global_step=global_step))
    if writer is not None:
        writer.close()
    if hvd.rank() == 0:
        print(f"workers: {hvd.size()}  test accuracy: {acc:.4f}")
    return acc


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32, help="per worker")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--mnist", default=None, help="directory with the MNIST IDX files")
    parser.add_argument("--checkpoint-dir", default=None)
    parser.add_argument("--require-accuracy", type=float, default=None,
                        help="exit with status 1 if test accuracy ends below this")
    args = parser.parse_args()
    accuracy = main(args.epochs, args.batch_size, args.hidden, args.mnist, args.checkpoint_dir)
    if args.require_accuracy is not None and accuracy < args.require_accuracy:
        print(f"accuracy {accuracy:.4f} below {args.require_accuracy}")
        sys.exit(1)
