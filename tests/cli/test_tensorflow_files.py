"""The `graphc` command takes TensorFlow's `.meta` files (with the checkpoint beside them)
and SavedModel directories (the serving signature's outputs as default fetches) wherever
it takes a graph file; outputs equal TensorFlow's (tests/fixtures/tf/ckpt)."""
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


@pytest.mark.parametrize("target, fetch", [
    (os.path.join("saved_model", "convnet_bn"), None),
    (os.path.join("ckpt", "convnet_bn", "model.ckpt-3.meta"), "probs:0")])
def test_run_takes_meta_files_and_saved_models(tmp_path, capsys, target, fetch):
    with np.load(os.path.join(HERE, "ckpt", "convnet_bn.inputs.npz")) as f:
        np.save(tmp_path / "x.npy", f["x:0"])
    with np.load(os.path.join(HERE, "ckpt", "convnet_bn.outputs.npz")) as f:
        want = f["probs:0"]
    args = ["run", os.path.join(HERE, target), "--feed", f"x={tmp_path / 'x.npy'}",
            "--output", str(tmp_path / "out.npz")] + (["--fetch", fetch] if fetch else [])
    code, out, err = _run(capsys, *args)
    assert code == 0, err
    with np.load(tmp_path / "out.npz") as f:
        got = f["probs" if fetch is None else "probs_0"]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_dump_of_a_meta_file_and_a_broken_saved_model(tmp_path, capsys):
    code, out, _ = _run(capsys, "dump", os.path.join(HERE, "ckpt", "mlp", "model.ckpt-3.meta"))
    assert code == 0 and "= MatMul(" in out and "SaveV2" not in out
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "saved_model.pb").write_bytes(b"\xff\xfe junk")
    code, _, err = _run(capsys, "dump", str(tmp_path / "broken"))
    assert code == 1 and "saved_model.pb: not a SavedModel" in err
