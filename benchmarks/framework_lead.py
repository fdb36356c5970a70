"""Issue 21's same-run lead over TensorFlow, JAX and PyTorch: the six figures, every
installed framework, one run, interleaved rounds (rounds.py: a loaded machine slows all
runners alike; the median round is the figure).

  chain      tanh(x*a+b)*sigmoid(x)+0.5*x*x on 4M float32: graphc-llvm's time against
             numpy's one-thread copy of the same array (target: >= 80% of its bandwidth)
  mlp-train  MLP 784-256-256-10, batch 100, Adam step (target: >= 1.2x the best framework)
  mlp-infer  its forward pass (target: >= 1.2x the best framework)
             (--mlp-batches 64,100,256: one pair of figures per batch; --pool-variants adds
             graphc-llvm runners with the thread pool's back-off off (graphc-static) and on
             one thread (graphc-1thread), measured in the same rounds; their tables add
             each runner's CPU time per call, all its process's threads, and the cores'
             worth it held: on a loaded machine the median is CPU over that share)
  softmax    row softmax of [4096, 1000] float32 (target: >= 1.2x PyTorch)
  convnet    the classic TF1 convnet's Adam step, batch 128 (target: >= 1.2x TensorFlow)
  tiny       a scalar GradientDescent step: graphc's Session.run against JAX's jitted call
             of the same step (target: <= 0.4x JAX's time)

The ratio column is the framework's time over graphc-llvm's (above 1: graphc is faster);
for the chain it is the copy's time over graphc-llvm's (the share of copy bandwidth), for
the tiny step graphc-llvm Session.run's time over JAX's.

Run: python benchmarks/framework_lead.py [--only chain,mlp,softmax,convnet,tiny]
     [--rounds 7] [--round-time 0.3] [--no-frameworks] [--mlp-batches 100]
     [--pool-variants]
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import convnet  # noqa: E402
import llvm_backend as L  # noqa: E402
import numpy as np  # noqa: E402
from rounds import interleaved  # noqa: E402

from graphc.cli import table  # noqa: E402

warnings.simplefilter("ignore")
FRAMEWORKS = ("tensorflow", "jax", "pytorch")


def convnet_runners(fw, batch: int) -> dict:
    rng = np.random.RandomState(0)
    xs = rng.rand(batch, 28, 28, 1).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.randint(0, 10, batch)]
    runners = {"graphc-llvm": convnet.graphc_step("llvm", xs, ys)}
    if "jax" in fw:
        runners["jax"] = convnet.jax_step(fw["jax"], xs, ys)
    if "torch" in fw:
        runners["pytorch"] = convnet.torch_step(fw["torch"], xs, ys)
    if "tensorflow" in fw:
        runners["tensorflow"] = convnet.tf_step(fw["tensorflow"], xs, ys)
    return runners


def pool_variants(runners: dict) -> dict:
    """graphc-llvm's runner again with the pool changed around each call: splitting every
    large kernel (no back-off) and one thread (threadpool.py). The pool is the process's,
    so each call sets it and puts it back."""
    from graphc.backends.llvm.target import host
    pool = host().pool
    fn = runners["graphc-llvm"]

    def static():
        pool.adaptive = False
        try:
            return fn()
        finally:
            pool.adaptive = True

    def one_thread():
        with pool.threads_for_now(1):
            return fn()
    return {"graphc-llvm": fn, "graphc-static": static, "graphc-1thread": one_thread,
            **{k: v for k, v in runners.items() if k != "graphc-llvm"}}


def figure(title, results, target, kind, against=None, cpu=None):
    """Print one workload's table and its target line; returns (title, ratio, met).
    `cpu` (rounds.interleaved's) adds each runner's CPU time per call and the cores'
    worth its process held: on a loaded machine, what its median is made of."""
    base = results["graphc-llvm"][0]
    rows = []
    for name, (median, best) in results.items():
        rows.append([name, f"{median * 1e3:.3f}", f"{best * 1e3:.3f}",
                     "" if name == "graphc-llvm" else f"{median / base:.2f}x"]
                    + ([f"{cpu[name][0] * 1e3:.3f}", f"{cpu[name][1]:.2f}"] if cpu else []))
    print(f"\n{title}")
    print(table(["", "median ms", "best ms", "vs graphc-llvm"]
                + (["CPU ms", "cores"] if cpu else []), rows))
    if kind == "bandwidth":
        ratio = results["copy (bandwidth)"][0] / base
        line = f"{ratio * 100:.0f}% of one-thread copy bandwidth (target >= {target:.0%})"
        return title, line, ratio >= target
    if kind == "overhead":
        if "jax" not in results:
            return title, "JAX not installed: not measured", False
        ratio = results["graphc-llvm Session.run"][0] / results["jax"][0]
        return title, f"Session.run at {ratio:.2f}x JAX's call (target <= {target}x)", \
            ratio <= target
    names = [n for n in results if n in (against or FRAMEWORKS)]
    if not names:
        return title, "no framework installed: not measured", False
    best = min(names, key=lambda n: results[n][0])
    ratio = results[best][0] / base
    line = f"{ratio:.2f}x {best} (target >= {target}x)"
    variants = [f"{n} {results[best][0] / results[n][0]:.2f}x" for n in results
                if n.startswith("graphc-") and n != "graphc-llvm"]
    return title, line + (f"; {', '.join(variants)}" if variants else ""), ratio >= target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="chain,mlp,softmax,convnet,tiny")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--round-time", type=float, default=0.3)
    parser.add_argument("--batch", type=int, default=128, help="the convnet's batch")
    parser.add_argument("--no-frameworks", action="store_true")
    parser.add_argument("--mlp-batches", default="100")
    parser.add_argument("--pool-variants", action="store_true")
    args = parser.parse_args()
    want = args.only.split(",")
    fw = L.frameworks(not args.no_frameworks)
    print(f"frameworks found: {', '.join(fw) or 'none'}; machine: {L.machine()}; "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{args.rounds} interleaved rounds of ~{args.round_time}s per runner; "
          "figures are median rounds")
    measure = lambda runners: interleaved(runners, args.rounds, args.round_time)  # noqa: E731
    lines = []
    for name in want:
        L.progress(name)
        if name == "chain":
            lines.append(figure("chain: tanh(x*a+b)*sigmoid(x)+0.5*x*x, 4M float32",
                                measure(L.chain_runners(fw, 4 << 20, reference=False)),
                                0.8, "bandwidth"))
        elif name == "mlp":
            for batch in [int(b) for b in args.mlp_batches.split(",")]:
                train, infer = L.mlp_runners(fw, reference=False, batch=batch)
                if args.pool_variants:
                    train, infer = pool_variants(train), pool_variants(infer)
                for what, runners in (("train", train), ("infer", infer)):
                    cpu: dict = {}
                    results = interleaved(runners, args.rounds, args.round_time, cpu=cpu)
                    lines.append(figure(
                        f"mlp-{what} b{batch}: 784-256-256-10, batch {batch}"
                        + (", Adam" if what == "train" else ", forward"), results, 1.2,
                        "lead", cpu=cpu))
        elif name == "softmax":
            lines.append(figure("softmax: rows of [4096, 1000] float32",
                                measure(L.softmax_runners(fw, (4096, 1000),
                                                          reference=False)),
                                1.2, "lead", against=("pytorch",)))
        elif name == "convnet":
            lines.append(figure(f"convnet: classic TF1 convnet, Adam step, batch {args.batch}",
                                measure(convnet_runners(fw, args.batch)), 1.2, "lead",
                                against=("tensorflow",)))
        elif name == "tiny":
            runners = L.tiny_runners(fw, reference=False)
            lines.append(figure("tiny: scalar GradientDescent step", measure(runners), 0.4,
                                "overhead"))
        else:
            parser.error(f"unknown workload {name!r}")
    print(f"\nsummary (load average {os.getloadavg()[0]:.1f} at the end)")
    for title, line, met in lines:
        print(f"  {'met ' if met else 'SHORT'}  {title.split(':')[0]:10s} {line}")


if __name__ == "__main__":
    main()
