"""Print, per TF1 namespace, how many of TF1's public functions and classes graphc has.

    python tests/data/tf1_coverage.py [path/to/tf1_signatures.json]

The list is tests/data/tf1_signatures.json (tensorflow.compat.v1's public callables, made by
tests/data/make_tf1_signatures.py). A path counts when `tf.<path>` resolves in graphc; the
README's compatibility section quotes this script's output.
"""
from __future__ import annotations

import json
import os
import sys

import graphc as tf

DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf1_signatures.json")


def resolves(path: str) -> bool:
    obj = tf
    for part in path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return False
    return True


def coverage(signatures: dict) -> dict:
    """namespace -> (graphc has, TF1 has); the top level is ''."""
    counts: dict = {}
    for path in signatures:
        namespace = path.rpartition(".")[0]
        have, total = counts.get(namespace, (0, 0))
        counts[namespace] = (have + resolves(path), total + 1)
    return counts


def main(argv) -> None:
    with open(argv[1] if len(argv) > 1 else DEFAULT) as f:
        signatures = json.load(f)["signatures"]
    counts = coverage(signatures)
    have = sum(h for h, _ in counts.values())
    total = sum(t for _, t in counts.values())
    print(f"{'namespace':24} {'graphc':>6} {'TF1':>5}")
    for namespace in sorted(counts):
        h, t = counts[namespace]
        print(f"{'tf.' + namespace if namespace else 'tf (top level)':24} {h:6} {t:5}  "
              f"{100 * h / t:3.0f}%")
    print(f"{'all':24} {have:6} {total:5}  {100 * have / total:3.0f}%")


if __name__ == "__main__":
    main(sys.argv)
