"""Data-parallel scaling of graphc.distributed on this machine, and what it predicts for
a cluster. One run:

- steps/s of an MLP training step (DistributedOptimizer over Adam, per-worker batch fixed)
  at 1 and 2 processes, each pinned to one core with one BLAS thread, and the scaling
  efficiency (steps/s at 2 over steps/s at 1: weak scaling, so 1.0 is perfect); at 2
  processes twice: with each gradient bucket's allreduce started after its last gradient
  and waited for at the update (the default), and with GRAPHC_MPI_OVERLAP=0 (each
  allreduce whole, after the backward pass);
- bytes each worker moves per step (the gradients it allreduces);
- allreduce time per MB, measured here between the 2 processes;
- a model of the efficiency on N machines: a step is its compute time (measured at 1
  process) plus a ring allreduce of the step's bytes, 2 (N-1)/N * bytes / bandwidth +
  2 (N-1) * latency, not overlapped with the backward pass (so a lower bound), for
  10 and 25 Gbit/s and 8 to 64 workers.

Run: python benchmarks/distributed.py [--hidden 512] [--steps 60] [--latency-us 30]
         [--fusion-threshold BYTES]   (HOROVOD_FUSION_THRESHOLD; 64 MB, one bucket, default)
The machine's load average is printed before and after: the local numbers mean little on
a machine other jobs keep busy.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def worker(args) -> None:
    """One process of the job: pin to a core, time the training step and an allreduce."""
    import numpy as np
    import graphc as tf
    import graphc.distributed as hvd
    from graphc.ir.ops import collective_ops

    hvd.init()
    rank, size = hvd.rank(), hvd.size()
    rng = np.random.RandomState(rank)
    x = tf.placeholder(tf.float32, [None, 64])
    y = tf.placeholder(tf.int64, [None])
    h = tf.layers.dense(x, args.hidden, tf.nn.relu)
    h = tf.layers.dense(h, args.hidden, tf.nn.relu)
    logits = tf.layers.dense(h, 10)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train = hvd.DistributedOptimizer(tf.train.AdamOptimizer(1e-3)).minimize(loss)
    bx = rng.randn(args.batch, 64).astype(np.float32)
    by = rng.randint(0, 10, args.batch)
    comm = collective_ops.communicator()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(hvd.broadcast_global_variables(0))
        for _ in range(5):
            sess.run(train, {x: bx, y: by})
        moved = getattr(comm, "bytes_moved", 0)
        if hasattr(comm, "barrier"):
            comm.barrier()
        start = time.perf_counter()
        for _ in range(args.steps):
            sess.run(train, {x: bx, y: by})
        seconds = time.perf_counter() - start
        per_step = (getattr(comm, "bytes_moved", 0) - moved) / args.steps
    n_params = sum(int(np.prod(v.shape.as_list())) for v in tf.trainable_variables())
    buckets = sum(op.type == "HorovodAllreduce" for op in tf.get_default_graph().get_operations())
    result = {"steps_per_s": args.steps / seconds, "bytes_per_step": per_step,
              "param_bytes": 4 * n_params, "buckets": buckets}
    if size > 1:  # allreduce time per MB: 4 MB of float32, repeated
        buf = np.ones(1 << 20, np.float32)
        comm.allreduce([buf], "sum", "none", ("bench",))
        comm.barrier()
        start = time.perf_counter()
        for _ in range(20):
            comm.allreduce([buf], "sum", "none", ("bench",))
        result["allreduce_s_per_mb"] = (time.perf_counter() - start) / 20 / (buf.nbytes / 1e6)
    if rank == 0:
        with open(args.out, "w") as f:
            json.dump(result, f)


def launch(n: int, args, overlap: bool = True) -> dict:
    out = tempfile.mktemp(suffix=".json")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", GRAPHC_MPI_OVERLAP="1" if overlap else "0")
    if args.fusion_threshold is not None:
        env["HOROVOD_FUSION_THRESHOLD"] = str(args.fusion_threshold)
    cmd = [sys.executable, "-m", "graphc.distributed.run", "-np", str(n), __file__,
           "--worker", "--out", out, "--hidden", str(args.hidden), "--batch",
           str(args.batch), "--steps", str(args.steps)]
    subprocess.run(cmd, check=True, env=env, timeout=600, stdout=subprocess.DEVNULL)
    with open(out) as f:
        result = json.load(f)
    os.unlink(out)
    return result


def predict(compute_s: float, nbytes: float, workers: int, gbit: float,
            latency_s: float) -> float:
    """Efficiency of a step at `workers` machines: compute / (compute + ring allreduce)."""
    bandwidth = gbit * 1e9 / 8
    comm = 2 * (workers - 1) / workers * nbytes / bandwidth + 2 * (workers - 1) * latency_s
    return compute_s / (compute_s + comm)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--batch", type=int, default=64, help="per worker")
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--latency-us", type=float, default=30.0,
                   help="per-message network latency for the cluster model")
    p.add_argument("--fusion-threshold", type=int, default=None,
                   help="bytes per gradient bucket (HOROVOD_FUSION_THRESHOLD)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        cpus = sorted(os.sched_getaffinity(0))
        rank = int(os.environ.get("PMI_RANK", os.environ.get("OMPI_COMM_WORLD_RANK", "0")))
        os.sched_setaffinity(0, {cpus[rank % len(cpus)]})   # one core each
        worker(args)
        return
    load_before = os.getloadavg()
    one, blocking, two = launch(1, args), launch(2, args, overlap=False), launch(2, args)
    load_after = os.getloadavg()
    eff = two["steps_per_s"] / one["steps_per_s"]
    mb = two["bytes_per_step"] / 1e6
    print(f"model: MLP 64-{args.hidden}-{args.hidden}-10, Adam, batch {args.batch} per "
          f"worker, {two['param_bytes'] / 1e6:.2f} MB of float32 parameters, "
          f"{two['buckets']} gradient bucket(s)")
    print("load average (1, 5, 15 min) before: " + ", ".join(f"{x:.1f}" for x in load_before)
          + "   after: " + ", ".join(f"{x:.1f}" for x in load_after)
          + f"   on {os.cpu_count()} cores")
    print(f"steps/s   1 process: {one['steps_per_s']:.1f}   2 processes: "
          f"{two['steps_per_s']:.1f}   scaling efficiency: {eff:.2f}")
    print(f"          2 processes, each allreduce whole after the backward pass "
          f"(GRAPHC_MPI_OVERLAP=0): {blocking['steps_per_s']:.1f}   scaling efficiency: "
          f"{blocking['steps_per_s'] / one['steps_per_s']:.2f}")
    print(f"bytes allreduced per step per worker: {two['bytes_per_step']:.0f} ({mb:.2f} MB)")
    print(f"allreduce time per MB here (2 processes): "
          f"{two['allreduce_s_per_mb'] * 1e3:.3f} ms")
    compute = 1.0 / one["steps_per_s"]
    print(f"predicted efficiency (compute {compute * 1e3:.2f} ms/step, ring allreduce of "
          f"{mb:.2f} MB, latency {args.latency_us:g} us, no overlap):")
    print("workers  " + "  ".join(f"{g:>4g} Gbit/s" for g in (10, 25)))
    for n in (8, 16, 32, 64):
        cells = [predict(compute, two["bytes_per_step"], n, g, args.latency_us * 1e-6)
                 for g in (10, 25)]
        print(f"{n:7d}  " + "  ".join(f"{c:11.2f}" for c in cells))


if __name__ == "__main__":
    main()
