"""The graph viewer (`graphc.viz`): the scope tree and its layered order, and the HTML
page in headless Chromium -- its first view of a 3,000-op training graph shows the
top-level scopes as labelled boxes inside the window, opening a scope lays out its
inside, and a search finds ops inside closed scopes. Browser tests skip without
Chromium (.ci/run installs it)."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess

import pytest

import graphc as tf
from graphc import viz
from graphc.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MLP = os.path.join(ROOT, "examples", "mlp.py") + ":build"
WINDOW = (1280, 800)


def training_graph(steps: int = 20, layers: int = 2) -> tf.Graph:
    """A stacked LSTM classifier with its gradients and Adam: about 3,000 ops."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, steps * 8], name="x")
        y = tf.placeholder(tf.int64, [None], name="y")
        rows = tf.unstack(tf.reshape(x, [-1, steps, 8]), axis=1)
        cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(32)
                                            for _ in range(layers)])
        outputs, _ = tf.nn.static_rnn(cell, rows, dtype=tf.float32)
        logits = tf.layers.dense(outputs[-1], 10, name="classifier")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits), name="loss")
        tf.train.AdamOptimizer(0.01).minimize(loss)
    return g


def test_tree_groups_scopes_and_series_and_orders_layers():
    g = training_graph(steps=4, layers=1)
    tree = viz.layout(g, "t")["tree"]
    items = tree["items"]
    top = {it["label"]: it for it in items if it["p"] == 0}
    for name in ("rnn", "classifier", "gradients", "Adam"):
        assert top[name]["k"] == "scope", name
    assert top["gradients"]["c"] == "grad" and top["Adam"]["c"] == "train"
    assert top["classifier"]["c"] == "model"
    # The zero state lives in the rnn scope, as TF1 names it.
    assert any(it["id"].startswith("rnn/MultiRNNCellZeroState/") for it in items)
    # Every op is in the tree once; every scope's rows hold each child once.
    ops = [it for it in items if it["k"] == "op"]
    assert len(ops) == len(g.get_operations())
    for i, it in enumerate(items):
        if "rows" in it:
            kids = sorted(j for row in it["rows"] for j in row)
            assert kids == sorted(j for j, c in enumerate(items) if c["p"] == i)
            assert it["n"] == sum(items[j].get("n", 1) for j in kids)
    # Series: `Const`, `Const_1`, ... of one type in one scope form a group.
    series = [it for it in items if it["k"] == "series"]
    assert series and all(it["n"] >= viz.SERIES_MIN for it in series)
    # Layers at the top level: a unit's inputs sit in rows above it.
    row_of = {j: r for r, row in enumerate(items[0]["rows"]) for j in row}
    assert row_of[_index(items, "rnn")] < row_of[_index(items, "gradients")] \
        < row_of[_index(items, "Adam")]


def _index(items, label):
    return next(i for i, it in enumerate(items) if it["p"] == 0 and it["label"] == label)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (.ci/run installs it)")


def _browse(html_path: str, fragment: str = "", screenshot: str = "") -> str:
    """The page's DOM after its script ran (and a screenshot when asked)."""
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             f"--user-data-dir={os.path.dirname(html_path)}/profile",
             f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=10000"]
    url = f"file://{html_path}" + (f"#{fragment}" if fragment else "")
    if screenshot:
        subprocess.run(flags + [f"--screenshot={screenshot}", url], capture_output=True,
                       timeout=120)
    out = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True,
                         timeout=120)
    return out.stdout


def _body(dom: str, name: str) -> str:
    m = re.search(rf'<body[^>]* data-{name}="([^"]*)"', dom)
    assert m, f"data-{name} missing from the page's body"
    return html.unescape(m.group(1))


def _overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and \
        a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


@pytest.mark.timeout(300)
def test_first_view_of_a_training_graph_shows_top_level_boxes(tmp_path):
    g = training_graph()
    assert len(g.get_operations()) >= 3000
    path = str(tmp_path / "train.html")
    with open(path, "w") as f:
        f.write(viz.to_html(viz.layout(g, "lstm training")))
    shot = str(tmp_path / "first.png")
    dom = _browse(path, screenshot=shot)
    assert _body(dom, "ready") == "1"
    shown = json.loads(_body(dom, "view"))
    labels = {s["label"] for s in shown}
    # The model's parts are boxes of top-level scopes, all inside the window, at a size
    # one can read, none on top of another.
    for name in ("rnn", "classifier", "gradients", "Adam"):
        assert name in labels, f"{name} not in the first view: {sorted(labels)}"
    boxes = [s for s in shown if s["kind"] == "scope"]
    assert all(s["top"] for s in shown), [s["id"] for s in shown if not s["top"]]
    assert len(boxes) >= 4
    for s in shown:
        assert 0 <= s["x"] and s["x"] + s["w"] <= WINDOW[0] and s["y"] + s["h"] <= WINDOW[1]
    assert float(_body(dom, "zoom")) >= 0.8
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            assert not _overlap(a, b), (a["id"], b["id"])
    assert os.path.getsize(shot) > 10_000  # the screenshot was taken and is not blank


@pytest.mark.timeout(300)
def test_opening_a_scope_lays_out_its_inside(tmp_path):
    g = training_graph(steps=8, layers=1)
    path = str(tmp_path / "train.html")
    with open(path, "w") as f:
        f.write(viz.to_html(viz.layout(g, "lstm training")))
    dom = _browse(path, "open=classifier")
    shown = json.loads(_body(dom, "view"))
    inside = [s for s in shown if s["id"].startswith("classifier/")]
    assert inside, f"nothing of classifier shown: {[s['id'] for s in shown]}"
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            assert not _overlap(a, b), (a["id"], b["id"])


@pytest.mark.timeout(200)
def test_search_opens_the_scopes_holding_matches(tmp_path):
    path = str(tmp_path / "mlp.html")
    assert main(["viz", MLP, "-o", path]) == 0
    dom = _browse(path, "q=MatMul")
    assert _body(dom, "ready") == "1" and _body(dom, "hits") == "9"
    assert dom.count('class="n op hit"') == 9


@pytest.mark.timeout(300)
def test_a_5000_op_graph_opens_on_readable_boxes(tmp_path):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 8], name="x")
        h = x
        for layer in range(250):
            with tf.name_scope(f"block{layer}"):
                for _ in range(4):
                    h = tf.tanh(h * 1.01 + 0.5)
        assert len(g.get_operations()) >= 5000
    path = str(tmp_path / "big.html")
    with open(path, "w") as f:
        f.write(viz.to_html(viz.layout(g, "big")))
    dom = _browse(path)
    shown = json.loads(_body(dom, "view"))
    assert sum(s["kind"] == "scope" and s["top"] for s in shown) >= 5
    print(f"5,000-op page ready in {_body(dom, 'ms')} ms (Chromium, headless)")
    dom = _browse(path, "q=block137/Tanh_2")
    assert _body(dom, "hits") == "1"
