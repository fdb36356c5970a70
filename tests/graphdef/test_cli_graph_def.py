"""The `graphc` command takes TensorFlow's `.pb` and `.pbtxt` GraphDefs wherever it takes
a `.graphc` file."""
from __future__ import annotations

import os

import numpy as np
import pytest

from graphc import cli

HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tf")


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("filename", ["mlp.pb", "convnet_bn.pbtxt"])
def test_dump_and_run_take_tensorflow_graph_defs(tmp_path, capsys, filename):
    path = os.path.join(HERE, filename)
    code, out, _ = _run(capsys, "dump", path)
    assert code == 0 and ("= Conv2D(" in out or "= MatMul(" in out)
    name = filename.split(".")[0]
    with np.load(os.path.join(HERE, f"{name}.inputs.npz")) as f:
        feeds = dict(f)
    with np.load(os.path.join(HERE, f"{name}.outputs.npz")) as f:
        want = dict(f)
    args = []
    for key, value in feeds.items():
        np.save(tmp_path / "in.npy", value)
        args += ["--feed", f"{key.split(':')[0]}={tmp_path / 'in.npy'}"]
    fetch = list(want)[0]
    code, out, err = _run(capsys, "run", path, *args, "--fetch", fetch)
    assert code == 0, err
    first = float(np.asarray(want[fetch]).reshape(-1)[0])
    assert f"{first:.5f}" in out, (first, out)  # the CLI prints 5 decimals


def test_a_bad_graph_def_file_is_one_error_line(tmp_path, capsys):
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\xff\xfe not a graph")
    code, _, err = _run(capsys, "dump", str(bad))
    assert code == 1 and "bad.pb: not a binary GraphDef" in err
