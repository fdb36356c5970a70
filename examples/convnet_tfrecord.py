"""The digits convnet (examples/convnet.py) trained from TFRecord files through tf.data
with tf.train.MonitoredTrainingSession, as a TF1 input pipeline does it: the data set is
written to TFRecord files (GZIP) as tf.train.Example records, read back by
TFRecordDataset, parsed with parse_single_example, shuffled, repeated and batched,
prefetched on a background thread; the training loop has no feed_dict and stops at the
end of the data (OutOfRangeError), saving checkpoints; a second graph restores the last
checkpoint and measures test accuracy on the test file.

Run: python examples/convnet_tfrecord.py [--epochs N] [--mnist DIR] [--require-accuracy A]
"""
import argparse
import math
import os
import tempfile

import numpy as np

import graphc as tf
from convnet import network
from datasets import load


def write_records(path: str, images: np.ndarray, labels: np.ndarray) -> None:
    """One tf.train.Example per image: its pixels (floats) and its label (an int)."""
    options = tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.GZIP)
    with tf.python_io.TFRecordWriter(path, options) as writer:
        for image, label in zip(images, labels):
            example = tf.train.Example(features=tf.train.Features(feature={
                "image": tf.train.Feature(float_list=tf.train.FloatList(value=image)),
                "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))}))
            writer.write(example.SerializeToString())


def dataset(path: str, side: int):
    features = {"image": tf.FixedLenFeature([side * side], tf.float32),
                "label": tf.FixedLenFeature([], tf.int64)}

    def parse(record):
        example = tf.parse_single_example(record, features)
        return tf.reshape(example["image"], [side, side, 1]), example["label"]
    return tf.data.TFRecordDataset(path, compression_type="GZIP").map(parse)


def model(images, labels, keep_prob):
    logits = network(images, keep_prob)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                        logits=logits))
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.int64))
    return loss, correct


def main(epochs: int = 8, batch_size: int = 50, mnist_dir=None, workdir=None) -> float:
    train, test = load(mnist_dir)
    side = int(math.isqrt(train.images.shape[1]))
    workdir = workdir or tempfile.mkdtemp(prefix="graphc-convnet-")
    train_file, test_file = (os.path.join(workdir, n) for n in ("train.tfrecord.gz",
                                                                 "test.tfrecord.gz"))
    write_records(train_file, train.images, train.labels)
    write_records(test_file, test.images, test.labels)
    checkpoint_dir = os.path.join(workdir, "checkpoints")

    with tf.Graph().as_default():
        tf.set_random_seed(0)
        data = dataset(train_file, side).shuffle(2000, seed=1).repeat(epochs) \
            .batch(batch_size).prefetch(2)
        images, labels = data.make_one_shot_iterator().get_next()
        loss, _ = model(images, labels, keep_prob=0.5)
        global_step = tf.train.get_or_create_global_step()
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss, global_step=global_step)
        logging = tf.train.LoggingTensorHook({"step": global_step, "loss": loss},
                                             every_n_iter=100)
        with tf.train.MonitoredTrainingSession(checkpoint_dir=checkpoint_dir,
                                               save_checkpoint_steps=100,
                                               log_step_count_steps=None,
                                               hooks=[logging]) as sess:
            while not sess.should_stop():
                _, loss_value, step = sess.run([train_op, loss, global_step])
        print(f"trained {step + 1} steps, last loss {loss_value:.4f}")

    with tf.Graph().as_default():  # evaluation: restore the last checkpoint
        tf.set_random_seed(0)
        images, labels = dataset(test_file, side).batch(500).make_one_shot_iterator() \
            .get_next()
        _, correct = model(images, labels, keep_prob=1.0)
        tf.train.get_or_create_global_step()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint(checkpoint_dir))
            total = 0
            while True:
                try:
                    total += sess.run(correct)
                except tf.errors.OutOfRangeError:
                    break
    accuracy = total / test.num_examples
    restored = tf.train.latest_checkpoint(checkpoint_dir)
    print(f"test accuracy: {accuracy:.4f} (restored from {restored})")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--mnist", default=None, help="a folder with MNIST's IDX files")
    parser.add_argument("--workdir", default=None, help="where the files go (default: temp)")
    parser.add_argument("--require-accuracy", type=float, default=None)
    args = parser.parse_args()
    accuracy = main(args.epochs, args.batch_size, args.mnist, args.workdir)
    if args.require_accuracy is not None and accuracy < args.require_accuracy:
        raise SystemExit(f"accuracy {accuracy:.4f} is below {args.require_accuracy}")
