"""graphc's llvm backend against graphc-numpy, plain numpy, the machine's copy bandwidth,
and TensorFlow 1 (tf.compat.v1 graphs), JAX (jit) and PyTorch (eager) when installed.

Every figure in the table is measured in this one run, on this machine:
  chain     y = tanh(x*a + b) * sigmoid(x) + 0.5*x*x on 4M float32 (a, b fed)
  tiny      scalar linear regression, one GradientDescent step per run (make_callable)
  mlp-train MLP 784-256-256-10, batch 100, Adam, softmax cross-entropy: one step
  mlp-infer the same MLP's forward pass
  softmax   row softmax of [4096, 1000] float32
  matmul    1024x1024x1024 float32
  compile   building the MLP training plan: cold (empty cache) and from the disk cache in
            a new process

TensorFlow runs last in each workload: its thread pools keep spinning after a run and
would slow whatever is measured next.

Run: python benchmarks/llvm_backend.py [--quick] [--only chain,tiny,...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

import graphc as tf

warnings.simplefilter("ignore")


def timeit(fn, min_time=0.3, repeats=5) -> float:
    """Median seconds per call over `repeats` batches of at least `min_time` each."""
    fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    n = max(1, int(min_time / repeats / one))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def machine() -> str:
    """The CPU this run measured: its model, cores, LLVM's name and widest vectors."""
    import llvmlite.binding as llvm
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), model)
    except OSError:
        pass
    features = llvm.get_host_cpu_features()
    vectors = ("AVX-512" if features.get("avx512f") else "AVX2" if features.get("avx2")
               else "SSE/NEON")
    return (f"{model}, {os.cpu_count()} cores, LLVM CPU {llvm.get_host_cpu_name()}, "
            f"widest vectors {vectors}")


def progress(name: str) -> None:
    print(f"  measuring {name} ...", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- frameworks (optional)
def _try(module):
    try:
        return __import__(module)
    except Exception:  # noqa: BLE001 - not installed, or broken: skip that column
        return None


def frameworks(enabled: bool) -> dict:
    if not enabled:
        return {}
    found = {}
    tfm = _try("tensorflow")
    if tfm is not None:
        found["tensorflow"] = tfm
    jax = _try("jax")
    if jax is not None:
        found["jax"] = jax
    torch = _try("torch")
    if torch is not None:
        found["torch"] = torch
    return found


# ---------------------------------------------------------------- workloads
def chain_runners(fw, n: int, reference: bool = True) -> dict:
    """name -> a call computing the chain on 4M (n) float32; "copy (bandwidth)" copies the
    input into a preallocated array (numpy's one-thread copy: the bandwidth figure)."""
    rng = np.random.RandomState(0)
    xv = rng.randn(n).astype(np.float32)
    runners = {}
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [n])
        a = tf.placeholder(tf.float32, [])
        b = tf.placeholder(tf.float32, [])
        y = tf.tanh(x * a + b) * tf.sigmoid(x) + 0.5 * x * x
    for backend in ("llvm", "numpy") if reference else ("llvm",):
        run = tf.Session(graph=g, backend=backend).make_callable(y, [x, a, b])
        runners["graphc-" + backend] = lambda run=run: run(xv, 2.0, 0.5)
    if reference:
        runners["numpy"] = lambda: np.tanh(xv * np.float32(2) + np.float32(.5)) / (
            1 + np.exp(-xv)) + np.float32(.5) * xv * xv
    dst = np.empty_like(xv)
    runners["copy (bandwidth)"] = lambda: np.copyto(dst, xv)
    if "jax" in fw:
        jax, jnp = fw["jax"], fw["jax"].numpy
        f = jax.jit(lambda x, a, b: jnp.tanh(x * a + b) * jax.nn.sigmoid(x) + 0.5 * x * x)
        xj = jax.device_put(xv)
        runners["jax"] = lambda: f(xj, 2.0, 0.5).block_until_ready()
    if "torch" in fw:
        torch = fw["torch"]
        xt = torch.from_numpy(xv)
        runners["pytorch"] = lambda: torch.tanh(xt * 2.0 + 0.5) * torch.sigmoid(xt) + \
            0.5 * xt * xt
    if "tensorflow" in fw:
        t1 = fw["tensorflow"].compat.v1
        g = t1.Graph()
        with g.as_default():
            x = t1.placeholder(t1.float32, xv.shape)
            y = t1.tanh(x * 2.0 + 0.5) * t1.sigmoid(x) + 0.5 * x * x
            s = t1.Session(graph=g)
        runners["tensorflow"] = lambda: s.run(y, {x: xv})
    return runners


def measure(runners: dict) -> dict:
    return {name: timeit(fn) for name, fn in runners.items()}


def chain(fw, quick):
    return measure(chain_runners(fw, (1 << 20) if quick else 4 * 1024 * 1024))


def tiny_runners(fw, reference: bool = True) -> dict:
    """name -> one scalar GradientDescent step (graphc's Session.run and make_callable,
    JAX's jitted call of the same step, numpy by hand)."""
    runners = {}
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [])
        y = tf.placeholder(tf.float32, [])
        w = tf.Variable(0.0)
        b = tf.Variable(0.0)
        loss = tf.square(w * x + b - y)
        train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        init = tf.global_variables_initializer()
    for backend in ("llvm", "numpy") if reference else ("llvm",):
        sess = tf.Session(graph=g, backend=backend)
        sess.run(init)
        step = sess.make_callable(train, [x, y])
        runners["graphc-" + backend] = lambda step=step: step(1.0, 3.0)
        if backend == "llvm":
            runners["graphc-llvm Session.run"] = lambda sess=sess: sess.run(
                train, {x: 1., y: 3.})
    if reference:
        state = [np.float32(0), np.float32(0)]

        def plain():
            err = state[0] * np.float32(1) + state[1] - np.float32(3)
            state[0] = state[0] - np.float32(0.02) * err
            state[1] = state[1] - np.float32(0.02) * err
        runners["numpy"] = plain
    if "jax" in fw:
        jax, jnp = fw["jax"], fw["jax"].numpy

        def sgd(params, x, y):
            grads = jax.grad(lambda p: jnp.square(p[0] * x + p[1] - y))(params)
            return tuple(p - 0.01 * g_ for p, g_ in zip(params, grads))
        jstep = jax.jit(sgd)
        params = [(jnp.float32(0), jnp.float32(0))]

        def call():
            params[0] = jstep(params[0], 1.0, 3.0)
            jax.block_until_ready(params[0])
        runners["jax"] = call
    return runners


def tiny(fw, quick):
    return measure(tiny_runners(fw))


def _mlp_data(batch=100):
    rng = np.random.RandomState(0)
    xs = rng.rand(batch, 784).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.randint(0, 10, batch)]
    sizes = [(784, 256), (256, 256), (256, 10)]
    ws = [(rng.randn(a, b) * np.sqrt(2 / a)).astype(np.float32) for a, b in sizes]
    return xs, ys, ws


def _mlp_graph(ws):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y = tf.placeholder(tf.float32, [None, 10])
        h = x
        params = []
        for i, w0 in enumerate(ws):
            w = tf.Variable(w0)
            bias = tf.Variable(np.zeros(w0.shape[1], np.float32))
            params += [w, bias]
            h = tf.matmul(h, w) + bias
            if i < len(ws) - 1:
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
        train = tf.train.AdamOptimizer(1e-3).minimize(loss)
        init = tf.global_variables_initializer()
    return g, x, y, h, loss, train, init


class NumpyMLP:
    """The same MLP step written by hand in numpy (forward, backward, Adam)."""

    def __init__(self, ws):
        self.params = []
        for w in ws:
            self.params += [w.copy(), np.zeros(w.shape[1], np.float32)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, x):
        hs = [x]
        h = x
        for i in range(0, len(self.params), 2):
            h = h @ self.params[i] + self.params[i + 1]
            if i < len(self.params) - 2:
                h = np.maximum(h, 0)
            hs.append(h)
        return hs

    def step(self, x, y, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        hs = self.forward(x)
        z = hs[-1]
        e = np.exp(z - z.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
        g = (p - y) / x.shape[0]
        grads = [None] * len(self.params)
        for li in range(len(self.params) // 2 - 1, -1, -1):
            grads[2 * li] = hs[li].T @ g
            grads[2 * li + 1] = g.sum(0)
            if li:
                g = (g @ self.params[2 * li].T) * (hs[li] > 0)
        self.t += 1
        lr_t = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for p_, g_, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g_
            v *= b2
            v += (1 - b2) * g_ * g_
            p_ -= lr_t * m / (np.sqrt(v) + eps)


def mlp_runners(fw, reference: bool = True, batch: int = 100) -> tuple:
    """({name: one training step}, {name: one forward pass}) of the MLP at `batch`."""
    xs, ys, ws = _mlp_data(batch)
    train, infer = {}, {}
    g, x, y, logits, loss, train_op, init = _mlp_graph(ws)
    for backend in ("llvm", "numpy") if reference else ("llvm",):
        sess = tf.Session(graph=g, backend=backend)
        sess.run(init)
        step = sess.make_callable(train_op, [x, y])
        forward = sess.make_callable(logits, [x])
        train["graphc-" + backend] = lambda step=step: step(xs, ys)
        infer["graphc-" + backend] = lambda forward=forward: forward(xs)
    if reference:
        ref = NumpyMLP(ws)
        train["numpy"] = lambda: ref.step(xs, ys)
        infer["numpy"] = lambda: ref.forward(xs)
    if "torch" in fw:
        _torch_mlp(fw["torch"], train, infer, xs, ys, ws)
    if "jax" in fw:
        _jax_mlp(fw["jax"], train, infer, xs, ys, ws)
    if "tensorflow" in fw:
        _tf_mlp(fw["tensorflow"], train, infer, xs, ys, ws)
    return train, infer


def mlp(fw, quick):
    train, infer = mlp_runners(fw)
    return measure(train), measure(infer)


def _torch_mlp(torch, train, infer, xs, ys, ws):
    layers = []
    for i, w0 in enumerate(ws):
        lin = torch.nn.Linear(*w0.shape)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w0.T))
        layers.append(lin)
        if i < len(ws) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    xt, yt = torch.from_numpy(xs), torch.from_numpy(ys.argmax(1))

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xt), yt).backward()
        opt.step()

    def forward():
        with torch.no_grad():
            return model(xt)
    train["pytorch"] = step
    infer["pytorch"] = forward


def _jax_mlp(jax, train, infer, xs, ys, ws):
    jnp = jax.numpy
    params = [(jnp.asarray(w0), jnp.zeros(w0.shape[1])) for w0 in ws]

    def forward(params, x):
        for i, (w, b) in enumerate(params):
            x = x @ w + b
            if i < len(params) - 1:
                x = jax.nn.relu(x)
        return x

    def loss_fn(params, x, y):
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(forward(params, x)), 1))

    def adam(params, m, v, t, x, y):
        grads = jax.grad(loss_fn)(params, x, y)
        flat_p, tree = jax.tree_util.tree_flatten(params)
        flat_g = jax.tree_util.tree_leaves(grads)
        new_p, new_m, new_v = [], [], []
        for p_, g_, m_, v_ in zip(flat_p, flat_g, m, v):
            m_ = 0.9 * m_ + 0.1 * g_
            v_ = 0.999 * v_ + 0.001 * g_ * g_
            lr_t = 1e-3 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            new_p.append(p_ - lr_t * m_ / (jnp.sqrt(v_) + 1e-8))
            new_m.append(m_)
            new_v.append(v_)
        return jax.tree_util.tree_unflatten(tree, new_p), new_m, new_v
    step = jax.jit(adam)
    fwd = jax.jit(forward)
    leaves = jax.tree_util.tree_leaves(params)
    state = [params, [jnp.zeros_like(p) for p in leaves],
             [jnp.zeros_like(p) for p in leaves]]
    xj, yj = jnp.asarray(xs), jnp.asarray(ys)

    def run():
        state[0], state[1], state[2] = step(state[0], state[1], state[2], 1.0, xj, yj)
        jax.block_until_ready(state[0])
    train["jax"] = run
    infer["jax"] = lambda: fwd(state[0], xj).block_until_ready()


def _tf_mlp(tfm, train, infer, xs, ys, ws):
    t1 = tfm.compat.v1
    t1.disable_eager_execution()
    g = t1.Graph()
    with g.as_default():
        x = t1.placeholder(t1.float32, [None, 784])
        y = t1.placeholder(t1.float32, [None, 10])
        h = x
        for i, w0 in enumerate(ws):
            h = t1.matmul(h, t1.Variable(w0)) + t1.Variable(np.zeros(w0.shape[1], np.float32))
            if i < len(ws) - 1:
                h = t1.nn.relu(h)
        loss = t1.reduce_mean(t1.nn.softmax_cross_entropy_with_logits_v2(labels=y,
                                                                        logits=h))
        train_op = t1.train.AdamOptimizer(1e-3).minimize(loss)
        s = t1.Session(graph=g)
        s.run(t1.global_variables_initializer())
    train["tensorflow"] = lambda: s.run(train_op, {x: xs, y: ys})
    infer["tensorflow"] = lambda: s.run(h, {x: xs})


def softmax_runners(fw, shape, reference: bool = True) -> dict:
    """name -> row softmax of a [4096, 1000] (shape) float32 array."""
    xv = np.random.RandomState(0).randn(*shape).astype(np.float32)
    runners = {}
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape)
        y = tf.nn.softmax(x)
    for backend in ("llvm", "numpy") if reference else ("llvm",):
        run = tf.Session(graph=g, backend=backend).make_callable(y, [x])
        runners["graphc-" + backend] = lambda run=run: run(xv)

    def plain():
        e = np.exp(xv - xv.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)
    if reference:
        runners["numpy"] = plain
    if "jax" in fw:
        f = fw["jax"].jit(fw["jax"].nn.softmax)
        xj = fw["jax"].device_put(xv)
        runners["jax"] = lambda: f(xj).block_until_ready()
    if "torch" in fw:
        xt = fw["torch"].from_numpy(xv)
        runners["pytorch"] = lambda: fw["torch"].softmax(xt, 1)
    if "tensorflow" in fw:
        t1 = fw["tensorflow"].compat.v1
        g2 = t1.Graph()
        with g2.as_default():
            xp = t1.placeholder(t1.float32, shape)
            ys = t1.nn.softmax(xp)
            s = t1.Session(graph=g2)
        runners["tensorflow"] = lambda: s.run(ys, {xp: xv})
    return runners


def softmax(fw, quick):
    return measure(softmax_runners(fw, (1024, 1000) if quick else (4096, 1000)))


def matmul(fw, quick):
    n = 512 if quick else 1024
    rng = np.random.RandomState(0)
    av, bv = rng.randn(n, n).astype(np.float32), rng.randn(n, n).astype(np.float32)
    rows = {}
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [n, n])
        b = tf.placeholder(tf.float32, [n, n])
        c = tf.matmul(a, b)
    for backend in ("llvm", "numpy"):
        run = tf.Session(graph=g, backend=backend).make_callable(c, [a, b])
        rows["graphc-" + backend] = timeit(lambda: run(av, bv))
    rows["numpy"] = timeit(lambda: av @ bv)
    if "torch" in fw:
        at, bt = fw["torch"].from_numpy(av), fw["torch"].from_numpy(bv)
        rows["pytorch"] = timeit(lambda: at @ bt)
    if "jax" in fw:
        f = fw["jax"].jit(lambda x, y: x @ y)
        aj, bj = fw["jax"].device_put(av), fw["jax"].device_put(bv)
        rows["jax"] = timeit(lambda: f(aj, bj).block_until_ready())
    return rows, 2.0 * n ** 3


_COMPILE_SCRIPT = r"""
import sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {bench!r})
import numpy as np, graphc as tf
from llvm_backend import _mlp_data, _mlp_graph
from graphc.backends.llvm import cache
xs, ys, ws = _mlp_data()
g, x, y, logits, loss, train, init = _mlp_graph(ws)
sess = tf.Session(graph=g, backend="llvm")
sess.run(init)
import graphc.backends.llvm.pipeline as E
t0 = time.perf_counter()
sess.run(train, {{x: xs, y: ys}})
first = time.perf_counter() - t0
t0 = time.perf_counter()
for _ in range(5):
    sess.run(train, {{x: xs, y: ys}})
steady = (time.perf_counter() - t0) / 5
print(first - steady, E.LAST_COMPILE["jit"], cache.stats["compiled"], cache.stats["disk_hits"])
"""


def compile_times(fw, quick):
    """(cold plan build, cold JIT, disk plan build, disk JIT) for the MLP training plan,
    each measured in a fresh process."""
    folder = tempfile.mkdtemp(prefix="graphc-bench-cache-")
    env = dict(os.environ, GRAPHC_CACHE_DIR=folder)
    script = _COMPILE_SCRIPT.format(bench=os.path.dirname(os.path.abspath(__file__)))
    out = []
    for _ in range(2):
        r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        total, jit, compiled, hits = r.stdout.split()
        out.append((float(total), float(jit), int(compiled), int(hits)))
    return out


# ---------------------------------------------------------------- report
def table(title, rows, unit, scale, extra=None):
    print(f"\n{title}")
    base = rows.get("graphc-llvm")
    for name, seconds in rows.items():
        value = seconds * scale
        ratio = "" if base is None or name == "graphc-llvm" else f"{seconds / base:8.2f}x"
        note = extra(name, seconds) if extra else ""
        print(f"  {name:26s} {value:12.2f} {unit:6s} {ratio:>10s}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (CI smoke run)")
    parser.add_argument("--only", default="chain,tiny,mlp,softmax,matmul,compile")
    parser.add_argument("--no-frameworks", action="store_true")
    args = parser.parse_args()
    want = set(args.only.split(","))
    fw = frameworks(not args.no_frameworks)
    print(f"graphc llvm backend benchmark; frameworks found: {', '.join(fw) or 'none'}")
    print(f"machine: {machine()}")
    print("ratio column: how many times longer than graphc-llvm (higher is better for us)")
    if "chain" in want:
        progress("fused chain")
        rows = chain(fw, args.quick)
        copy = rows["copy (bandwidth)"]
        table("chain: tanh(x*a+b)*sigmoid(x)+0.5*x*x, 4M float32", rows, "ms", 1e3,
              lambda n, s: f"{copy / s * 100:5.1f}% of copy bandwidth")
    if "tiny" in want:
        progress("tiny graph")
        table("tiny: scalar GD step per run", tiny(fw, args.quick), "us", 1e6)
    if "mlp" in want:
        progress("MLP")
        train_rows, infer_rows = mlp(fw, args.quick)
        table("mlp-train: 784-256-256-10, batch 100, Adam (steps/s)", train_rows, "ms", 1e3,
              lambda n, s: f"{1 / s:8.0f} steps/s")
        table("mlp-infer: batch 100", infer_rows, "ms", 1e3)
    if "softmax" in want:
        progress("softmax")
        table("softmax: rows of [4096, 1000] float32", softmax(fw, args.quick), "ms", 1e3)
    if "matmul" in want:
        progress("matmul")
        rows, flops = matmul(fw, args.quick)
        table("matmul: 1024^3 float32", rows, "ms", 1e3,
              lambda n, s: f"{flops / s / 1e9:7.1f} GFLOP/s")
    if "compile" in want:
        progress("compile (two fresh processes)")
        (cold, cold_jit, _, _), (disk, disk_jit, compiled, hits) = compile_times(fw,
                                                                               args.quick)
        print("\ncompile: MLP training plan (passes + lowering + JIT), fresh processes")
        print(f"  cold cache                 {cold * 1e3:10.1f} ms  (LLVM codegen "
              f"{cold_jit * 1e3:.1f} ms)")
        print(f"  from disk cache            {disk * 1e3:10.1f} ms  (load "
              f"{disk_jit * 1e3:.1f} ms; compiled={compiled}, disk hits={hits})")


if __name__ == "__main__":
    main()
