"""Pictures of graphs: DOT, SVG and a self-contained interactive HTML page.

Layout is hierarchical, as TensorBoard's graph tab: every name scope is a cluster laid
out on its own, a layered (Sugiyama-style) layout of its units -- its ops and sub-scopes --
in layers by longest path (sources sink to just above their first consumer), ordered
within a layer by the barycentre of their neighbours; then the scope is placed as one box
in its parent's layout. Sibling ops of one type named as a series (`Const`, `Const_1`, ...)
form a group of their own, as TensorBoard's series. Edges carry dtype and shape
(`f32[?,784]`); control edges are dashed; fused kernels are drawn in orange.

The SVG is laid out here with every scope open. The HTML page gets the tree, each scope's
layer order and the ops' sizes, and places boxes itself (`viz_page.py`), so a collapsed
scope is a small box and its parent's layout is recomputed around it: a big graph opens on
its top-level scopes as a graph of their own, with the edges between two boxes bundled
into one that carries their count.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field

from .ir.printer import type_str
from .viz_page import PAGE

NODE_H = 26
CHAR_W = 6.6
GAP_X = 18
GAP_Y = 34
PAD = 12
TITLE_H = 20
SERIES_MIN = 3          # sibling ops `Const, Const_1, Const_2` and more form a series


@dataclass(eq=False)
class Box:
    """A node (op), a cluster (scope) or a series of ops, positioned in its parent."""
    key: str
    label: str
    kind: str                    # "op" | "scope" | "series"
    op: object = None
    parent: "Box | None" = None
    children: list = field(default_factory=list)
    rows: list = field(default_factory=list)     # layers of children, in order
    count: int = 0               # ops inside (scopes and series)
    w: float = 0.0
    h: float = 0.0
    x: float = 0.0               # absolute, after `_place`
    y: float = 0.0
    rel: tuple = (0.0, 0.0)


def _scope_of(name: str) -> str:
    return name.rsplit("/", 1)[0] if "/" in name else ""


def _scopes_of(ops) -> dict:
    """op name -> the scope it is drawn in: its name scope, or its own name when other
    ops live under it (a variable `w` with `w/read` and `w/Assign`, as TensorBoard)."""
    prefixes = set()
    for op in ops:
        parts = op.name.split("/")
        for i in range(1, len(parts)):
            prefixes.add("/".join(parts[:i]))
    return {op.name: op.name if op.name in prefixes else _scope_of(op.name) for op in ops}


def _op_label(op) -> str:
    short = op.name.rsplit("/", 1)[-1]
    label = short if _SERIES.match(short).group(1) == op.type else f"{short}: {op.type}"
    if op.type == "Fused":
        inner = _members(op.subgraphs["body"])
        label = f"Fused ({len(inner)} ops): " + ", ".join(m.type for m in inner[:4]) + \
            (", ..." if len(inner) > 4 else "")
    elif op.subgraphs:  # control flow: name each held graph with its size
        label += " [" + ", ".join(f"{k}: {len(_members(g))} ops"
                                  for k, g in op.subgraphs.items()) + "]"
    return label


def _tree(ops) -> tuple:
    """The scope tree of `ops`: (root box, op name -> its box)."""
    scope_of = _scopes_of(ops)
    root = Box("", "", "scope")
    scopes = {"": root}

    def scope_box(path: str) -> Box:
        if path in scopes:
            return scopes[path]
        parent = scope_box(_scope_of(path))
        box = Box(path, path.rsplit("/", 1)[-1], "scope", parent=parent)
        parent.children.append(box)
        scopes[path] = box
        return box

    leaves = {}
    for op in ops:
        parent = scope_box(scope_of[op.name])
        leaves[op.name] = Box(op.name, _op_label(op), "op", op, parent=parent)
        parent.children.append(leaves[op.name])
    _group_series(root)
    _count(root)
    return root, leaves


_SERIES = re.compile(r"^(.*?)(?:_\d+)?$")


def _group_series(box: Box) -> None:
    """Sibling ops of one type named `base`, `base_1`, `base_2`, ... become one group."""
    groups: dict = {}
    for c in box.children:
        if c.kind == "op":
            base = _SERIES.match(c.key.rsplit("/", 1)[-1]).group(1)
            groups.setdefault((base, c.op.type), []).append(c)
    series = {}
    for (base, op_type), members in groups.items():
        if len(members) >= SERIES_MIN:
            prefix = f"{box.key}/" if box.key else ""
            group = Box(f"{prefix}{base}[{op_type} x{len(members)}]", base, "series",
                        members[0].op, parent=box)
            for m in members:
                m.parent = group
                series[id(m)] = group
            group.children = members
    children = []
    for c in box.children:
        group = series.get(id(c))
        if group is None:
            children.append(c)
            if c.kind == "scope":
                _group_series(c)
        elif not group.children or group.children[0] is c:
            children.append(group)
    box.children = children


def _count(box: Box) -> int:
    box.count = 1 if box.kind == "op" else sum(_count(c) for c in box.children)
    return box.count


def _path(box: Box) -> list:
    out = []
    while box is not None:
        out.append(box)
        box = box.parent
    return out[::-1]


def _edges(ops, leaves: dict) -> tuple:
    """All edges (source op, target op, label, control), and per scope box the edges
    between its units: the children that hold the two ends."""
    edges = []
    for op in ops:
        for t in op.inputs:
            edges.append((t.op.name, op.name, type_str(t.dtype, t.shape), False))
        for c in op.control_inputs:
            edges.append((c.name, op.name, "", True))
    paths: dict = {}
    between: dict = {}
    for a, b, _, _ in edges:
        pa = paths.get(a) or paths.setdefault(a, _path(leaves[a]))
        pb = paths.get(b) or paths.setdefault(b, _path(leaves[b]))
        i = 0
        while pa[i + 1] is pb[i + 1]:
            i += 1
        between.setdefault(id(pa[i]), []).append((pa[i + 1], pb[i + 1]))
    return edges, between


def _order(box: Box, between: dict) -> None:
    """Layers of `box`'s children: longest path from the sources, then each source sinks
    to just above its first consumer; within a layer, barycentre sweeps."""
    if box.kind == "op":
        return
    for child in box.children:
        _order(child, between)
    order = {id(c): i for i, c in enumerate(box.children)}
    preds: dict = {i: set() for i in order.values()}
    succs: dict = {i: set() for i in order.values()}
    for a, b in between.get(id(box), ()):
        ia, ib = order[id(a)], order[id(b)]
        if ia < ib:  # creation order breaks cycles between scopes
            preds[ib].add(ia)
            succs[ia].add(ib)
    n = len(box.children)
    layer = [0] * n
    for i in range(n):
        layer[i] = max((layer[p] + 1 for p in preds[i]), default=0)
    for i in reversed(range(n)):
        if not preds[i] and succs[i]:
            layer[i] = min(layer[s] for s in succs[i]) - 1
    levels = sorted(set(layer))
    rows = {lv: [i for i in range(n) if layer[i] == lv] for lv in levels}
    pos = {}
    for r in rows.values():
        for j, i in enumerate(r):
            pos[i] = j
    for sweep in range(4):  # barycentre ordering, down then up
        nbrs = preds if sweep % 2 == 0 else succs
        for lv in (levels if sweep % 2 == 0 else levels[::-1]):
            keyed = []
            for i in rows[lv]:
                ns = [pos[m] for m in nbrs[i]]
                keyed.append((sum(ns) / len(ns) if ns else pos[i], pos[i], i))
            rows[lv] = [i for _, _, i in sorted(keyed)]
            for j, i in enumerate(rows[lv]):
                pos[i] = j
    box.rows = [[box.children[i] for i in rows[lv]] for lv in levels]


def _measure(box: Box) -> None:
    """Sizes with every scope open (the SVG's layout)."""
    if box.kind == "op":
        box.w = max(60.0, len(box.label) * CHAR_W + 16)
        box.h = NODE_H
        return
    for child in box.children:
        _measure(child)
    inset = PAD if box.key else 0.0
    y = TITLE_H + PAD if box.key else 0.0
    width = 0.0
    placed = []
    for row in box.rows:
        row_w = sum(c.w for c in row) + GAP_X * (len(row) - 1)
        row_h = max(c.h for c in row)
        placed.append((row, row_w, y, row_h))
        width = max(width, row_w)
        y += row_h + GAP_Y
    for row, row_w, top, row_h in placed:
        x = (width - row_w) / 2 + inset
        for c in row:
            c.rel = (x, top + (row_h - c.h) / 2)
            x += c.w + GAP_X
    box.w = max(width + 2 * inset, len(box.label) * CHAR_W + 2 * PAD)
    box.h = y - GAP_Y + inset


def _place(box: Box, x: float, y: float, out_nodes: list, out_clusters: list,
           depth: int = 0) -> None:
    box.x, box.y = x, y
    if box.kind == "op":
        out_nodes.append(box)
        return
    if box.key:
        out_clusters.append((box, depth))
    for c in box.children:
        _place(c, x + c.rel[0], y + c.rel[1], out_nodes, out_clusters,
               depth + (1 if box.key else 0))


def _category(box: Box) -> str:
    """What a box holds, for its colour: gradients, variables, the optimizer's update,
    the input pipeline, or the model."""
    if box.kind == "op":
        t = box.op.type
        return ("fused" if t == "Fused" else "input" if t == "Placeholder" else
                "var" if t in ("VariableV2", "VarHandleOp") else "op")
    if box.key.split("/", 1)[0] == "gradients" or box.key.split("/")[-1] == "gradients":
        return "grad"
    ops = [b.op for b in _leaves(box)]
    has_var = any(op.type in ("VariableV2", "VarHandleOp") for op in ops)
    if any(op.type.startswith(("Apply", "ResourceApply")) for op in ops) or not has_var and \
            any(op.type in ("AssignSub", "AssignAdd") for op in ops):
        return "train"
    if has_var and not any(op.type in _COMPUTE for op in ops):
        return "var"
    return "model"


_COMPUTE = {"MatMul", "BatchMatMul", "BatchMatMulV2", "Conv2D", "DepthwiseConv2dNative",
            "BiasAdd", "Fused"}


def _leaves(box: Box) -> list:
    if box.kind == "op":
        return [box]
    return [leaf for c in box.children for leaf in _leaves(c)]


def layout(graph, title: str = "") -> dict:
    """The picture of `graph` as plain data: every op and scope with its position (all
    scopes open), the edges, and the scope tree with its layer order (`tree`)."""
    ops = graph.get_operations()
    root, leaves = _tree(ops)
    edges, between = _edges(ops, leaves)
    _order(root, between)
    _measure(root)
    nodes, clusters = [], []
    _place(root, 0.0, 0.0, nodes, clusters)
    return {"title": title, "width": root.w, "height": root.h,
            "nodes": [{"id": n.key, "label": n.label, "type": n.op.type,
                       "x": round(n.x, 1), "y": round(n.y, 1), "w": round(n.w, 1),
                       "h": n.h, "fused": n.op.type == "Fused",
                       "scope": n.parent.key,
                       "title": _tooltip(n.op)} for n in nodes],
            "clusters": [{"id": c.key, "label": c.label, "x": round(c.x, 1),
                          "y": round(c.y, 1), "w": round(c.w, 1), "h": round(c.h, 1),
                          "depth": d} for c, d in clusters],
            "edges": [{"s": a, "t": b, "label": lab, "ctrl": ctrl}
                      for a, b, lab, ctrl in edges],
            "tree": _tree_data(root, title, edges)}


def _tree_data(root: Box, title: str, edges: list) -> dict:
    """The tree the HTML page lays out: items (ops, scopes, series) with parent index,
    size (ops), op count and layer rows (scopes), and edges between op items."""
    items: list = []
    index: dict = {}

    def visit(box: Box, parent: int) -> int:
        i = len(items)
        index[id(box)] = i
        item = {"id": box.key or title, "label": box.label or title, "p": parent,
                "k": box.kind, "c": _category(box) if box.key else "graph"}
        items.append(item)
        if box.kind == "op":
            item.update(w=round(box.w, 1), t=box.op.type, tip=_tooltip(box.op))
            return i
        item["n"] = box.count
        if box.kind == "series":
            item["t"] = box.op.type
        for c in box.children:
            visit(c, i)
        item["rows"] = [[index[id(c)] for c in row] for row in box.rows]
        return i

    visit(root, -1)
    items[0]["k"] = "graph"
    by_name = {it["id"]: i for i, it in enumerate(items) if it["k"] == "op"}
    return {"items": items,
            "edges": [[by_name[a], by_name[b], lab, 1 if ctrl else 0]
                      for a, b, lab, ctrl in edges]}


def _tooltip(op) -> str:
    outs = ", ".join(type_str(t.dtype, t.shape) for t in op.outputs) or "()"
    text = f"{op.name} = {op.type} -> {outs}"
    if op.site is not None:
        text += f"\n{op.site.short()}"
    for key, sub in op.subgraphs.items():
        if op.type != "Fused":
            text += f"\n{key}:"
        text += "\n" + "\n".join(f"  {m.type} {m.name}" for m in _members(sub))
    return text


def _members(graph) -> list:
    """A held graph's ops, without its parameter Placeholders."""
    return [m for m in graph.get_operations() if m.type != "Placeholder"]


def side_by_side(layouts: list) -> dict:
    """Several layouts next to each other (before/after optimization)."""
    out = {"title": " | ".join(lay["title"] for lay in layouts), "nodes": [], "clusters": [],
           "edges": [], "headings": []}
    x0 = 0.0
    height = 0.0
    for i, lay in enumerate(layouts):
        prefix = f"{i}:"
        out["headings"].append({"x": x0, "label": lay["title"]})
        for n in lay["nodes"]:
            out["nodes"].append(dict(n, id=prefix + n["id"], x=n["x"] + x0, y=n["y"] + 30,
                                     scope=prefix + n["scope"] if n["scope"] else ""))
        for c in lay["clusters"]:
            out["clusters"].append(dict(c, id=prefix + c["id"], x=c["x"] + x0,
                                        y=c["y"] + 30))
        for e in lay["edges"]:
            out["edges"].append(dict(e, s=prefix + e["s"], t=prefix + e["t"]))
        x0 += lay["width"] + 80
        height = max(height, lay["height"] + 30)
    out["width"], out["height"] = x0 - 80, height
    # One tree with each layout as a graph of its own, side by side in one row.
    items = [{"id": out["title"], "label": out["title"], "p": -1, "k": "root", "c": "graph",
              "n": 0, "rows": [[]]}]
    edges = []
    for lay in layouts:
        base = len(items)
        for it in lay["tree"]["items"]:
            moved = dict(it, p=it["p"] + base if it["p"] >= 0 else 0)
            if "rows" in it:
                moved["rows"] = [[j + base for j in row] for row in it["rows"]]
            items.append(moved)
        items[0]["rows"][0].append(base)
        items[0]["n"] += items[base]["n"]
        edges += [[s + base, t + base, lab, ctrl] for s, t, lab, ctrl in lay["tree"]["edges"]]
    out["tree"] = {"items": items, "edges": edges}
    return out


# ---------------------------------------------------------------- DOT
def to_dot(graph, title: str = "graph") -> str:
    lines = [f'digraph "{_dot_escape(title)}" {{', "  rankdir=TB; compound=true;",
             '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", '
             'fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8, color="#777777"];']
    ops = graph.get_operations()
    tree, _ = _tree(ops)
    ids = {op.name: f"n{i}" for i, op in enumerate(ops)}

    def emit(box: Box, indent: str) -> None:
        for child in box.children:
            if child.kind == "op":
                op = child.op
                style = ', fillcolor="#ffd8a8"' if op.type == "Fused" else ""
                lines.append(f'{indent}{ids[op.name]} [label="{_dot_escape(child.label)}", '
                             f'tooltip="{_dot_escape(_tooltip(op))}"{style}];')
            else:
                lines.append(f'{indent}subgraph "cluster_{_dot_escape(child.key)}" {{')
                lines.append(f'{indent}  label="{_dot_escape(child.label)}"; '
                             'style="rounded"; color="#aab4c8";')
                emit(child, indent + "  ")
                lines.append(f"{indent}}}")
    emit(tree, "  ")
    for op in ops:
        for t in op.inputs:
            lines.append(f'  {ids[t.op.name]} -> {ids[op.name]} '
                         f'[label="{_dot_escape(type_str(t.dtype, t.shape))}"];')
        for c in op.control_inputs:
            lines.append(f"  {ids[c.name]} -> {ids[op.name]} [style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


# ---------------------------------------------------------------- SVG
def to_svg(data: dict) -> str:
    w, h = data["width"] + 40, data["height"] + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
             f'viewBox="-20 -20 {w:.0f} {h:.0f}" font-family="Helvetica, Arial, sans-serif">',
             "<style>.c{fill:#f6f8fc;stroke:#aab4c8;rx:8}.n{fill:#eef3fb;stroke:#6b84b5}"
             ".f{fill:#ffd8a8;stroke:#d9822b}.e{fill:none;stroke:#8a8f99}"
             ".k{stroke-dasharray:4 3}.t{font-size:11px}.l{font-size:8px;fill:#667}"
             ".h{font-size:14px;font-weight:bold}</style>",
             '<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
             'markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#8a8f99"/>'
             "</marker></defs>"]
    for head in data.get("headings", []):
        parts.append(f'<text class="h" x="{head["x"]}" y="12">{html.escape(head["label"])}'
                     "</text>")
    for c in sorted(data["clusters"], key=lambda c: c["depth"]):
        parts.append(f'<g><rect class="c" x="{c["x"]}" y="{c["y"]}" width="{c["w"]}" '
                     f'height="{c["h"]}" rx="8"/><text class="t" x="{c["x"] + 8}" '
                     f'y="{c["y"] + 14}">{html.escape(c["label"])}</text></g>')
    where = {n["id"]: n for n in data["nodes"]}
    labels = len(data["edges"]) <= 400
    for e in data["edges"]:
        a, b = where.get(e["s"]), where.get(e["t"])
        if a is None or b is None:
            continue
        x1, y1 = a["x"] + a["w"] / 2, a["y"] + a["h"]
        x2, y2 = b["x"] + b["w"] / 2, b["y"]
        my = (y1 + y2) / 2
        cls = "e k" if e["ctrl"] else "e"
        parts.append(f'<path class="{cls}" d="M{x1:.1f},{y1:.1f} C{x1:.1f},{my:.1f} '
                     f'{x2:.1f},{my:.1f} {x2:.1f},{y2:.1f}" marker-end="url(#a)">'
                     f'<title>{html.escape(e["label"])}</title></path>')
        if labels and e["label"]:
            parts.append(f'<text class="l" x="{(x1 + x2) / 2 + 3:.1f}" y="{my:.1f}">'
                         f'{html.escape(e["label"])}</text>')
    for n in data["nodes"]:
        cls = "f" if n["fused"] else "n"
        parts.append(f'<g><title>{html.escape(n["title"])}</title><rect class="{cls}" '
                     f'x="{n["x"]}" y="{n["y"]}" width="{n["w"]}" height="{n["h"]}" rx="5"/>'
                     f'<text class="t" x="{n["x"] + 8}" y="{n["y"] + 17}">'
                     f'{html.escape(n["label"])}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- HTML
def to_html(data: dict) -> str:
    """A self-contained page: the tree and its edges as JSON, laid out by the page."""
    payload = json.dumps({"title": data["title"], **data["tree"]},
                         separators=(",", ":")).replace("</", "<\\/")
    return PAGE.replace("__TITLE__", html.escape(data["title"] or "graph")).replace(
        "__DATA__", payload)
