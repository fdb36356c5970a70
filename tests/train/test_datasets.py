"""The examples' data loaders: MNIST IDX files (plain and gzipped) and the digits split."""
import gzip
import os
import struct
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
import datasets  # noqa: E402


def _write_idx(path, array, compress=False):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim,
                                                                     *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if compress:
        with gzip.open(path + ".gz", "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def test_mnist_idx_files_load(tmp_path):
    rng = np.random.RandomState(0)
    train_x = rng.randint(0, 256, (6, 28, 28))
    test_x = rng.randint(0, 256, (3, 28, 28))
    _write_idx(str(tmp_path / "train-images-idx3-ubyte"), train_x)
    _write_idx(str(tmp_path / "train-labels-idx1-ubyte"), np.arange(6) % 10, compress=True)
    _write_idx(str(tmp_path / "t10k-images-idx3-ubyte"), test_x, compress=True)
    _write_idx(str(tmp_path / "t10k-labels-idx1-ubyte"), np.array([7, 8, 9]))
    train, test = datasets.load_mnist(str(tmp_path))
    assert train.images.shape == (6, 784) and test.images.shape == (3, 784)
    np.testing.assert_allclose(train.images[0], train_x[0].reshape(-1) / 255.0, rtol=1e-6)
    assert list(test.labels) == [7, 8, 9]
    bx, by = train.next_batch(4)
    assert bx.shape == (4, 784) and by.shape == (4,)


def test_bad_idx_is_rejected(tmp_path):
    path = str(tmp_path / "bad")
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x0D, 1) + struct.pack(">I", 4) + b"\0" * 16)
    with pytest.raises(ValueError, match="unsigned-byte"):
        datasets.read_idx(path)


def test_digits_split_is_deterministic():
    pytest.importorskip("sklearn")
    a_train, a_test = datasets.load_digits()
    b_train, b_test = datasets.load_digits()
    np.testing.assert_array_equal(a_test.labels, b_test.labels)
    assert a_train.images.max() <= 1.0 and a_train.num_examples + a_test.num_examples == 1797
