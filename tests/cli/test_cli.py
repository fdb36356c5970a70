"""The `graphc` command: dump, viz, run and bench on the examples' graphs, graph files,
and short usage errors with conventional exit codes."""
from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import graphc as tf
from graphc.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MLP = os.path.join(ROOT, "examples", "mlp.py") + ":build"
LOGREG = os.path.join(ROOT, "examples", "logistic_regression.py") + ":build"


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_dump_prints_text_stats_and_optimized_forms(capsys):
    code, out, _ = _run(capsys, "dump", LOGREG)
    assert code == 0 and "%MatMul = MatMul(%x, %W/read)" in out and "logistic_regression.py:" in out
    code, out, _ = _run(capsys, "dump", MLP, "--stats")
    assert code == 0 and "ops," in out and "op type" in out and "MatMul" in out
    code, out, err = _run(capsys, "dump", MLP, "--optimized", "--fetch", "train",
                          "--feed", "x=32x64", "--feed", "labels=32x10", "--no-sites")
    assert code == 0 and "= Fused(" in out and "after the pipeline" in out
    code, out, _ = _run(capsys, "dump", MLP, "--after", "simplify", "--fetch", "loss")
    assert code == 0 and "after simplify" in out and "Fused" not in out


def test_viz_writes_svg_dot_and_html(tmp_path, capsys):
    for ext in ("svg", "dot", "html"):
        out = tmp_path / f"g.{ext}"
        code, text, _ = _run(capsys, "viz", MLP, "-o", str(out), "--optimized",
                             "--fetch", "train")
        assert code == 0 and out.exists() and "wrote" in text
    svg = ET.parse(tmp_path / "g.svg").getroot()
    assert svg.tag.endswith("svg") and "f32[" in (tmp_path / "g.svg").read_text()
    assert "optimized plan" in (tmp_path / "g.svg").read_text()
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith("digraph") and "subgraph \"cluster_hidden1\"" in dot
    assert "#ffd8a8" in dot  # fused kernels marked
    html = (tmp_path / "g.html").read_text()
    assert "const G = " in html and "Fused" in html


def test_run_prints_and_saves_results(tmp_path, capsys):
    xv = np.random.RandomState(0).rand(3, 64).astype(np.float32)
    np.save(tmp_path / "x.npy", xv)
    code, out, _ = _run(capsys, "run", LOGREG, "--feed", f"x={tmp_path / 'x.npy'}",
                        "--fetch", "logits", "--backend", "numpy")
    assert code == 0 and "logits: float32[3, 10]" in out
    code, out, _ = _run(capsys, "run", MLP, "--feed", f"x={tmp_path / 'x.npy'}",
                        "--fetch", "logits", "--fetch", "loss", "-o", str(tmp_path / "r.npz"))
    assert code == 0
    saved = np.load(tmp_path / "r.npz")
    assert saved["logits"].shape == (3, 10) and saved["loss"].shape == ()


def test_bench_times_both_backends(capsys):
    code, out, _ = _run(capsys, "bench", LOGREG, "--fetch", "train", "--feed", "x=16x64",
                        "--feed", "y=16", "--runs", "5")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("numpy") for line in lines)
    assert any(line.startswith("llvm") and line.rstrip().endswith("x") for line in lines)
    assert "median" in out and "min" in out and "compile+first run" in out


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_bench_progress_bar_is_drawn_only_on_a_terminal():
    from graphc.cli import Progress
    for tty in (False, True):
        stream = _Stream(tty)
        bar = Progress("llvm", 10, stream)
        bar.start -= 5.0          # as if the runs had taken five seconds
        for n in range(1, 11):
            bar.update(n)
        bar.done()
        if tty:
            assert "\rllvm" in stream.text and "10/10" in stream.text
            assert stream.text.endswith("\n")
        else:
            assert stream.text == "", "no progress bar in a pipe or a log"


def test_graph_files_work_as_FILE(tmp_path, capsys):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    tf.reduce_sum(tf.square(x), name="total")
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "g.graphc")
    code, out, _ = _run(capsys, "run", path, "--feed", "x=1.5", "--fetch", "total")
    assert code == 1  # a scalar fed for [?, 2]: one error line, exit status 1
    np.save(tmp_path / "x.npy", np.float32([[1, 2], [3, 4]]))
    code, out, _ = _run(capsys, "run", path, "--feed", f"x={tmp_path / 'x.npy'}",
                        "--fetch", "total:0")
    assert code == 0 and "30." in out
    code, out, _ = _run(capsys, "dump", path)
    assert code == 0 and "%total = Sum(" in out


@pytest.mark.parametrize("argv,code,message", [
    (["run", "missing.graphc", "--fetch", "y"], 1, "no such file"),
    (["run", MLP, "--feed", "x"], 2, "expected NAME=FILE.npy"),
    (["run", MLP, "--fetch", "nope"], 2, "--fetch nope"),
    (["dump", MLP, "--after", "nonsense", "--fetch", "loss"], 2, "no such pass"),
    (["viz", MLP, "-o", "out.png"], 2, "the extension picks the format"),
    (["run", MLP.rsplit(":", 1)[0]], 2, "name the function"),
    (["bench", MLP, "--fetch", "loss", "--backend", "tpu"], 2, "available backends"),
    (["frobnicate"], 2, "invalid choice"),
])
def test_bad_arguments_get_short_errors_and_exit_codes(argv, code, message, capsys):
    try:
        got = main(argv)
    except SystemExit as exc:
        got = exc.code
    err = capsys.readouterr().err
    assert got == code and message in err
    assert "Traceback" not in err


def test_python_dash_m_and_version():
    out = subprocess.run([sys.executable, "-m", "graphc", "--version"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("graphc ")

