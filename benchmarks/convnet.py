"""The classic TF1 convnet's training step (conv 5x5x32 SAME, max-pool, conv 5x5x64, max-pool,
dense 1024, dropout, dense 10, Adam; batch 128 on 28x28x1), graphc-llvm against
graphc-numpy, the same step in plain numpy (im2col + matmul, written by hand), and
TensorFlow 1, JAX and PyTorch when installed; and the convolution forward alone against the
matmul-bound limit (its FLOPs at the machine's measured matmul GFLOP/s). One run.

Run: python benchmarks/convnet.py [--batch 128] [--quick]
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llvm_backend import frameworks, timeit  # noqa: E402

import graphc as tf  # noqa: E402
from graphc.cli import table  # noqa: E402

warnings.simplefilter("ignore")
SHAPES = [(5, 5, 1, 32), (32,), (5, 5, 32, 64), (64,), (7 * 7 * 64, 1024), (1024,),
          (1024, 10), (10,)]


def _params(seed=0):
    rng = np.random.RandomState(seed)
    return [(rng.randn(*s) * 0.05).astype(np.float32) if len(s) > 1 else
            np.zeros(s, np.float32) for s in SHAPES]


def graphc_step(backend, xs, ys):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 28, 28, 1])
        y = tf.placeholder(tf.float32, [None, 10])
        keep = tf.placeholder(tf.float32)
        p = [tf.Variable(v) for v in _params()]
        h = tf.nn.relu(tf.nn.conv2d(x, p[0], [1, 1, 1, 1], "SAME") + p[1])
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        h = tf.nn.relu(tf.nn.conv2d(h, p[2], [1, 1, 1, 1], "SAME") + p[3])
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        h = tf.reshape(h, [-1, 7 * 7 * 64])
        h = tf.nn.dropout(tf.nn.relu(tf.matmul(h, p[4]) + p[5]), keep)
        logits = tf.matmul(h, p[6]) + p[7]
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y,
                                                                         logits=logits))
        train = tf.train.AdamOptimizer(1e-4).minimize(loss)
        sess = tf.Session(graph=g, backend=backend)
        sess.run(tf.global_variables_initializer())
    step = sess.make_callable(train, [x, y, keep])
    return lambda: step(xs, ys, 0.5)


class NumpyConvNet:
    """The same step by hand: im2col convolutions as matmuls, max-pool by reshapes."""

    def __init__(self):
        self.p = _params()
        self.m = [np.zeros_like(v) for v in self.p]
        self.v = [np.zeros_like(v) for v in self.p]
        self.t = 0
        self.rng = np.random.RandomState(1)

    @staticmethod
    def _cols(x):
        n, h, w, c = x.shape
        xp = np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)))
        win = np.lib.stride_tricks.sliding_window_view(xp, (5, 5), axis=(1, 2))
        return win.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * w, 25 * c)

    @staticmethod
    def _col2im(cols, shape):
        n, h, w, c = shape
        cols = cols.reshape(n, h, w, 5, 5, c)
        out = np.zeros((n, h + 4, w + 4, c), cols.dtype)
        for i in range(5):
            for j in range(5):
                out[:, i:i + h, j:j + w] += cols[:, :, :, i, j]
        return out[:, 2:2 + h, 2:2 + w]

    @staticmethod
    def _pool(x):
        n, h, w, c = x.shape
        r = x.reshape(n, h // 2, 2, w // 2, 2, c)
        out = r.max(axis=(2, 4))
        mask = r == out[:, :, None, :, None]
        return out, mask

    def step(self, x, y, keep=0.5):
        p = self.p
        n = x.shape[0]
        c1 = self._cols(x)
        a1 = np.maximum((c1 @ p[0].reshape(25, 32)).reshape(n, 28, 28, 32) + p[1], 0)
        h1, m1 = self._pool(a1)
        c2 = self._cols(h1)
        a2 = np.maximum((c2 @ p[2].reshape(800, 64)).reshape(n, 14, 14, 64) + p[3], 0)
        h2, m2 = self._pool(a2)
        f = h2.reshape(n, -1)
        a3 = np.maximum(f @ p[4] + p[5], 0)
        drop = (self.rng.rand(*a3.shape) < keep) / np.float32(keep)
        d3 = a3 * drop
        z = d3 @ p[6] + p[7]
        e = np.exp(z - z.max(1, keepdims=True))
        g = (e / e.sum(1, keepdims=True) - y) / n
        grads = [None] * 8
        grads[6], grads[7] = d3.T @ g, g.sum(0)
        g3 = (g @ p[6].T) * drop * (a3 > 0)
        grads[4], grads[5] = f.T @ g3, g3.sum(0)
        gh2 = (g3 @ p[4].T).reshape(h2.shape)
        ga2 = (m2 * gh2[:, :, None, :, None]).reshape(a2.shape) * (a2 > 0)
        ga2f = ga2.reshape(-1, 64)
        grads[2], grads[3] = (c2.T @ ga2f).reshape(p[2].shape), ga2f.sum(0)
        gh1 = self._col2im(ga2f @ p[2].reshape(800, 64).T, h1.shape)
        ga1 = (m1 * gh1[:, :, None, :, None]).reshape(a1.shape) * (a1 > 0)
        ga1f = ga1.reshape(-1, 32)
        grads[0], grads[1] = (c1.T @ ga1f).reshape(p[0].shape), ga1f.sum(0)
        self.t += 1
        lr = 1e-4 * np.sqrt(1 - 0.999 ** self.t) / (1 - 0.9 ** self.t)
        for v, gr, m, s in zip(p, grads, self.m, self.v):
            m *= 0.9
            m += 0.1 * gr
            s *= 0.999
            s += 0.001 * gr * gr
            v -= np.float32(lr) * m / (np.sqrt(s) + 1e-8)


def torch_step(torch, xs, ys):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(7 * 7 * 64, 1024), nn.ReLU(),
                          nn.Dropout(0.5), nn.Linear(1024, 10))
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    xt = torch.from_numpy(np.ascontiguousarray(xs.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(ys.argmax(1))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(xt), yt).backward()
        opt.step()
    return step


def jax_step(jax, xs, ys):
    """The same step under jax.jit (NHWC convolutions, reduce_window pooling, Adam)."""
    jnp, lax = jax.numpy, jax.lax

    def conv(h, w, b):
        return jax.nn.relu(lax.conv_general_dilated(h, w, (1, 1), "SAME",
                                                    dimension_numbers=("NHWC", "HWIO",
                                                                       "NHWC")) + b)

    def pool(h):
        return lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "SAME")

    def loss_fn(p, x, y, key):
        h = pool(conv(pool(conv(x, p[0], p[1])), p[2], p[3])).reshape(x.shape[0], -1)
        h = jax.nn.relu(h @ p[4] + p[5])
        h = jnp.where(jax.random.bernoulli(key, 0.5, h.shape), h / 0.5, 0.0)
        logits = h @ p[6] + p[7]
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(logits), 1))

    def adam(p, m, v, t, x, y, key):
        g = jax.grad(loss_fn)(p, x, y, key)
        m = [0.9 * a + 0.1 * b for a, b in zip(m, g)]
        v = [0.999 * a + 0.001 * b * b for a, b in zip(v, g)]
        lr = 1e-4 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        return [a - lr * b / (jnp.sqrt(c) + 1e-8) for a, b, c in zip(p, m, v)], m, v
    step = jax.jit(adam)
    params = [jnp.asarray(v) for v in _params()]
    state = [params, [jnp.zeros_like(v) for v in params], [jnp.zeros_like(v) for v in params],
             jax.random.PRNGKey(0), 0]
    xj, yj = jnp.asarray(xs), jnp.asarray(ys)

    def run():
        state[3], key = jax.random.split(state[3])
        state[4] += 1
        state[0], state[1], state[2] = step(state[0], state[1], state[2], float(state[4]),
                                            xj, yj, key)
        jax.block_until_ready(state[0])
    return run


def tf_step(tfm, xs, ys):
    t1 = tfm.compat.v1
    t1.disable_eager_execution()
    g = t1.Graph()
    with g.as_default():
        x = t1.placeholder(t1.float32, [None, 28, 28, 1])
        y = t1.placeholder(t1.float32, [None, 10])
        keep = t1.placeholder(t1.float32)
        p = [t1.Variable(v) for v in _params()]
        h = t1.nn.relu(t1.nn.conv2d(x, p[0], [1, 1, 1, 1], "SAME") + p[1])
        h = t1.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        h = t1.nn.relu(t1.nn.conv2d(h, p[2], [1, 1, 1, 1], "SAME") + p[3])
        h = t1.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        h = t1.nn.dropout(t1.nn.relu(t1.matmul(t1.reshape(h, [-1, 3136]), p[4]) + p[5]),
                          keep_prob=keep)
        logits = t1.matmul(h, p[6]) + p[7]
        loss = t1.reduce_mean(t1.nn.softmax_cross_entropy_with_logits_v2(labels=y,
                                                                         logits=logits))
        train = t1.train.AdamOptimizer(1e-4).minimize(loss)
        sess = t1.Session(graph=g)
        sess.run(t1.global_variables_initializer())
    return lambda: sess.run(train, {x: xs, y: ys, keep: 0.5})


def conv_forward(batch):
    """Conv 5x5x32->64 SAME on [batch, 14, 14, 32]: graphc-llvm against the matmul bound."""
    rng = np.random.RandomState(0)
    xv = rng.randn(batch, 14, 14, 32).astype(np.float32)
    wv = (rng.randn(5, 5, 32, 64) * 0.05).astype(np.float32)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, xv.shape)
        y = tf.nn.conv2d(x, tf.constant(wv), [1, 1, 1, 1], "SAME")
        run = tf.Session(graph=g, backend="llvm").make_callable(y, [x])
    seconds = timeit(lambda: run(xv))
    flops = 2.0 * batch * 14 * 14 * 5 * 5 * 32 * 64
    a = rng.randn(2048, 2048).astype(np.float32)
    mm = timeit(lambda: a @ a)
    gflops = 2.0 * 2048 ** 3 / mm / 1e9
    return seconds, flops, gflops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--quick", action="store_true", help="batch 16 (a smoke run)")
    parser.add_argument("--no-frameworks", action="store_true")
    args = parser.parse_args()
    batch = 16 if args.quick else args.batch
    rng = np.random.RandomState(0)
    xs = rng.rand(batch, 28, 28, 1).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.randint(0, 10, batch)]
    fw = frameworks(not args.no_frameworks)
    rows = {}
    for backend in ("llvm", "numpy"):
        print(f"  measuring graphc-{backend} ...", file=sys.stderr, flush=True)
        rows["graphc-" + backend] = timeit(graphc_step(backend, xs, ys), min_time=2.0)
    ref = NumpyConvNet()
    print("  measuring plain numpy ...", file=sys.stderr, flush=True)
    rows["numpy (im2col + matmul)"] = timeit(lambda: ref.step(xs, ys), min_time=2.0)
    if "jax" in fw:
        rows["jax"] = timeit(jax_step(fw["jax"], xs, ys), min_time=2.0)
    if "torch" in fw:
        rows["pytorch"] = timeit(torch_step(fw["torch"], xs, ys), min_time=2.0)
    if "tensorflow" in fw:
        rows["tensorflow"] = timeit(tf_step(fw["tensorflow"], xs, ys), min_time=2.0)
    print(f"convnet training step, batch {batch} on 28x28x1 (Adam)")
    base = rows["graphc-llvm"]
    print(table(["", "ms/step", "steps/s", "vs graphc-llvm"],
                [[k, f"{v * 1e3:.1f}", f"{1 / v:.1f}", f"{v / base:.2f}x"]
                 for k, v in rows.items()]))
    seconds, flops, gflops = conv_forward(batch)
    bound = flops / (gflops * 1e9)
    print(f"\nconv 5x5, 32->64 channels, [{batch},14,14,32] SAME: {seconds * 1e3:.2f} ms, "
          f"{flops / seconds / 1e9:.1f} GFLOP/s; matmul bound {bound * 1e3:.2f} ms at "
          f"{gflops:.0f} GFLOP/s: {bound / seconds:.2f} of the bound")


if __name__ == "__main__":
    main()
