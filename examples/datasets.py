"""Data for the examples: scikit-learn's handwritten digits (offline) or MNIST files.

`load_digits()` returns 8x8 digit images (1,797 samples shipped with scikit-learn), scaled
to [0, 1] and split into train and test sets. `load_mnist(directory)` reads the four MNIST
IDX files (optionally gzipped) for users who have them on disk; nothing is downloaded.
"""
from __future__ import annotations

import gzip
import os
import struct

import numpy as np


class DataSet:
    """Images (N, features) float32 and labels (N,) int64, with shuffled mini-batches."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, seed: int = 0) -> None:
        self.images = images.astype(np.float32)
        self.labels = labels.astype(np.int64)
        self._rng = np.random.RandomState(seed)
        self._order = self._rng.permutation(len(self.images))
        self._pos = 0

    @property
    def num_examples(self) -> int:
        return len(self.images)

    def one_hot_labels(self, classes: int = 10) -> np.ndarray:
        return np.eye(classes, dtype=np.float32)[self.labels]

    def next_batch(self, batch_size: int):
        if self._pos + batch_size > len(self._order):
            self._order = self._rng.permutation(len(self.images))
            self._pos = 0
        idx = self._order[self._pos:self._pos + batch_size]
        self._pos += batch_size
        return self.images[idx], self.labels[idx]


def load_digits(test_fraction: float = 0.2, seed: int = 0):
    """(train, test) DataSets of scikit-learn's 8x8 digits, features in [0, 1]."""
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise SystemExit("This example needs scikit-learn: pip install -e '.[examples]'") \
            from exc
    digits = sk_load_digits()
    images = digits.data.astype(np.float32) / 16.0
    labels = digits.target
    order = np.random.RandomState(seed).permutation(len(images))
    cut = int(len(images) * (1 - test_fraction))
    train, test = order[:cut], order[cut:]
    return DataSet(images[train], labels[train], seed), DataSet(images[test], labels[test],
                                                                seed + 1)


def _open(path: str):
    if os.path.exists(path):
        return open(path, "rb")
    if os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz", "rb")
    raise FileNotFoundError(f"{path}[.gz] not found")


def read_idx(path: str) -> np.ndarray:
    """An IDX file (MNIST's format): magic, dims, then big-endian data."""
    with _open(path) as f:
        zero, dtype_code, ndim = struct.unpack(">HBB", f.read(4))
        if zero != 0 or dtype_code != 0x08:
            raise ValueError(f"{path} is not an unsigned-byte IDX file")
        shape = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
        data = np.frombuffer(f.read(), dtype=np.uint8)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {int(np.prod(shape))} values, found {data.size}")
    return data.reshape(shape)


def load_mnist(directory: str, seed: int = 0):
    """(train, test) DataSets from the MNIST IDX files in `directory` (28x28 -> 784)."""
    def images(name):
        return read_idx(os.path.join(directory, name)).reshape(-1, 784) / 255.0

    def labels(name):
        return read_idx(os.path.join(directory, name))

    return (DataSet(images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"), seed),
            DataSet(images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"),
                    seed + 1))


def load(mnist_dir: str | None = None, seed: int = 0):
    """MNIST from `mnist_dir` when given, else the offline digits."""
    return load_mnist(mnist_dir, seed) if mnist_dir else load_digits(seed=seed)
