"""Pictures of graphs: DOT, SVG and a self-contained interactive HTML page.

Layout is hierarchical, as TensorBoard's graph tab: every name scope is a cluster laid
out on its own (its ops and sub-scopes in layers by longest path, ordered within a layer
by the barycentre of their neighbours), then placed as one box in its parent's layout,
so scopes stay compact. Edges carry dtype and shape (`f32[?,784]`); control edges are
dashed; fused kernels (the optimizer's `Fused` nodes) are drawn in orange with the ops
they hold. The HTML view pans (drag), zooms (wheel), searches by name or op type
(`#q=MatMul` in the URL searches on load), and collapses a scope when its title is
clicked; a graph of 5,000 nodes opens with its top-level scopes collapsed.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

from .ir.printer import type_str

NODE_H = 26
CHAR_W = 6.6
GAP_X = 18
GAP_Y = 34
PAD = 12
TITLE_H = 20


@dataclass
class Box:
    """A node (op) or a cluster (scope) with a position relative to its parent."""
    key: str
    label: str
    kind: str                    # "op" | "scope"
    op: object = None
    children: list = field(default_factory=list)
    w: float = 0.0
    h: float = 0.0
    x: float = 0.0               # absolute, after `place`
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


def _tree(ops, scope_of: dict) -> Box:
    root = Box("", "", "scope")
    scopes = {"": root}

    def scope_box(path: str) -> Box:
        if path in scopes:
            return scopes[path]
        parent = scope_box(_scope_of(path))
        box = Box(path, path.rsplit("/", 1)[-1], "scope")
        parent.children.append(box)
        scopes[path] = box
        return box

    for op in ops:
        parent = scope_box(scope_of[op.name])
        label = f"{op.name.rsplit('/', 1)[-1]}: {op.type}"
        if op.type == "Fused":
            inner = _members(op.subgraphs["body"])
            label = f"Fused ({len(inner)} ops): " + ", ".join(m.type for m in inner[:4]) + \
                (", ..." if len(inner) > 4 else "")
        elif op.subgraphs:  # control flow: name each held graph with its size
            label += " [" + ", ".join(f"{k}: {len(_members(g))} ops"
                                      for k, g in op.subgraphs.items()) + "]"
        parent.children.append(Box(op.name, label, "op", op))
    return root


def _unit_of(op_name: str, scope: str) -> str:
    """The child of `scope` (an op name or a sub-scope path) that holds `op_name`."""
    if op_name == scope:
        return op_name  # the op a scope is named after
    rest = op_name[len(scope) + 1:] if scope else op_name
    head = rest.split("/", 1)[0]
    return f"{scope}/{head}" if scope else head


def _layout(box: Box, edges_by_scope: dict) -> None:
    if box.kind == "op":
        box.w = max(60.0, len(box.label) * CHAR_W + 16)
        box.h = NODE_H
        return
    for child in box.children:
        _layout(child, edges_by_scope)
    units = {c.key: c for c in box.children}
    order = {c.key: i for i, c in enumerate(box.children)}
    preds: dict = {k: set() for k in units}
    succs: dict = {k: set() for k in units}
    for a, b in edges_by_scope.get(box.key, ()):
        if a in units and b in units and a != b and order[a] < order[b]:
            preds[b].add(a)
            succs[a].add(b)
    layer: dict = {}
    for key in sorted(units, key=order.get):
        layer[key] = max((layer[p] + 1 for p in preds[key]), default=0)
    rows: dict = {}
    for key in sorted(units, key=order.get):
        rows.setdefault(layer[key], []).append(key)
    pos = {}
    for r in rows.values():
        for i, k in enumerate(r):
            pos[k] = i
    levels = sorted(rows)
    for sweep in range(4):  # barycentre ordering, down then up
        seq = levels if sweep % 2 == 0 else levels[::-1]
        for lv in seq:
            nbrs = preds if sweep % 2 == 0 else succs
            keyed = []
            for k in rows[lv]:
                ns = [pos[n] for n in nbrs[k]]
                keyed.append((sum(ns) / len(ns) if ns else pos[k], pos[k], k))
            rows[lv] = [k for _, _, k in sorted(keyed)]
            for i, k in enumerate(rows[lv]):
                pos[k] = i
    y = TITLE_H + PAD if box.key else 0.0
    width = 0.0
    placed = []
    for lv in levels:
        row = [units[k] for k in rows[lv]]
        row_w = sum(c.w for c in row) + GAP_X * (len(row) - 1)
        row_h = max(c.h for c in row)
        placed.append((row, row_w, y, row_h))
        width = max(width, row_w)
        y += row_h + GAP_Y
    for row, row_w, top, row_h in placed:
        x = (width - row_w) / 2 + (PAD if box.key else 0.0)
        for c in row:
            c.rel = (x, top + (row_h - c.h) / 2)
            x += c.w + GAP_X
    box.w = width + (2 * PAD if box.key else 0.0)
    box.w = max(box.w, len(box.label) * CHAR_W + 2 * PAD)
    box.h = y - GAP_Y + (PAD if box.key else 0.0)


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


def layout(graph, title: str = "") -> dict:
    """Positions of every op and scope of `graph`, and its edges, as plain data."""
    ops = graph.get_operations()
    scope_of = _scopes_of(ops)
    root = _tree(ops, scope_of)
    edges_by_scope: dict = {}
    edges = []
    for op in ops:
        for t in op.inputs:
            edges.append((t.op.name, op.name, type_str(t.dtype, t.shape), False))
        for c in op.control_inputs:
            edges.append((c.name, op.name, "", True))
    for a, b, _, _ in edges:
        sa, sb = scope_of[a].split("/"), scope_of[b].split("/")
        common = []
        for x, y in zip(sa, sb):
            if x != y or not x:
                break
            common.append(x)
        scope = "/".join(common)
        edges_by_scope.setdefault(scope, []).append((_unit_of(a, scope), _unit_of(b, scope)))
    _layout(root, edges_by_scope)
    nodes, clusters = [], []
    _place(root, 0.0, 0.0, nodes, clusters)
    return {"title": title, "width": root.w, "height": root.h,
            "nodes": [{"id": n.key, "label": n.label, "type": n.op.type,
                       "x": round(n.x, 1), "y": round(n.y, 1), "w": round(n.w, 1),
                       "h": n.h, "fused": n.op.type == "Fused",
                       "scope": scope_of[n.key],
                       "title": _tooltip(n.op)} for n in nodes],
            "clusters": [{"id": c.key, "label": c.label, "x": round(c.x, 1),
                          "y": round(c.y, 1), "w": round(c.w, 1), "h": round(c.h, 1),
                          "depth": d} for c, d in clusters],
            "edges": [{"s": a, "t": b, "label": lab, "ctrl": ctrl}
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
    return out


# ---------------------------------------------------------------- DOT
def to_dot(graph, title: str = "graph") -> str:
    lines = [f'digraph "{_dot_escape(title)}" {{', "  rankdir=TB; compound=true;",
             '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", '
             'fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8, color="#777777"];']
    ops = graph.get_operations()
    tree = _tree(ops, _scopes_of(ops))
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
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return _PAGE.replace("__TITLE__", html.escape(data["title"] or "graph")).replace(
        "__DATA__", payload)


_PAGE = r"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>graphc: __TITLE__</title>
<style>
 body{margin:0;font:12px Helvetica,Arial,sans-serif;overflow:hidden}
 #bar{position:fixed;top:0;left:0;right:0;height:34px;background:#24324d;color:#fff;
      display:flex;align-items:center;gap:10px;padding:0 10px;z-index:2}
 #bar input{width:260px;padding:4px} #info{opacity:.85}
 svg{position:fixed;top:34px;left:0;width:100%;height:calc(100% - 34px);cursor:grab}
 .c rect{fill:#f6f8fc;stroke:#aab4c8} .c.collapsed rect{fill:#dfe6f3}
 .c text{font-size:11px;cursor:pointer;fill:#34405a}
 .n rect{fill:#eef3fb;stroke:#6b84b5} .n.f rect{fill:#ffd8a8;stroke:#d9822b}
 .n text{font-size:11px;pointer-events:none} .n.hit rect{fill:#ffe066;stroke:#c92a2a;stroke-width:2}
 .e{fill:none;stroke:#8a8f99} .e.k{stroke-dasharray:4 3} .hidden{display:none}
 .h{font-size:14px;font-weight:bold} .l{font-size:8px;fill:#667}
</style></head><body>
<div id="bar"><b>graphc</b><span>__TITLE__</span>
<input id="q" placeholder="search name or op type (Enter: next)">
<span id="info"></span></div>
<svg id="svg"><g id="view"></g></svg>
<script>
const G = __DATA__;
const NS = "http://www.w3.org/2000/svg";
const view = document.getElementById("view"), svg = document.getElementById("svg");
const info = document.getElementById("info");
let tx = 20, ty = 20, k = 1;
function el(tag, attrs, parent) {
  const e = document.createElementNS(NS, tag);
  for (const a in attrs) e.setAttribute(a, attrs[a]);
  (parent || view).appendChild(e); return e;
}
function apply() { view.setAttribute("transform", `translate(${tx},${ty}) scale(${k})`); }
const byId = {}, clusters = {}, collapsed = new Set();
for (const h of (G.headings || [])) {
  el("text", {x: h.x, y: 12, class: "h"}).textContent = h.label;
}
const order = G.clusters.slice().sort((a, b) => a.depth - b.depth);
for (const c of order) {
  const g = el("g", {class: "c"}); g.dataset.id = c.id;
  el("rect", {x: c.x, y: c.y, width: c.w, height: c.h, rx: 8}, g);
  const t = el("text", {x: c.x + 8, y: c.y + 14}, g); t.textContent = c.label;
  t.addEventListener("click", ev => { ev.stopPropagation(); toggle(c.id); });
  clusters[c.id] = {c, g};
}
const edgeLayer = el("g", {});
const labels = G.edges.length <= 2000;  // dtype and shape on every edge, when readable
for (const n of G.nodes) {
  const g = el("g", {class: "n" + (n.fused ? " f" : "")}); g.dataset.id = n.id;
  el("title", {}, g).textContent = n.title;
  el("rect", {x: n.x, y: n.y, width: n.w, height: n.h, rx: 5}, g);
  const t = el("text", {x: n.x + 8, y: n.y + 17}, g); t.textContent = n.label;
  byId[n.id] = {n, g};
}
function anchor(id) {
  // A node inside a collapsed scope is drawn as that scope's box.
  const n = byId[id].n; let s = n.scope, best = null;
  while (s) {
    if (collapsed.has(s)) best = s;
    const i = s.lastIndexOf("/"); s = i < 0 ? "" : s.slice(0, i);
  }
  if (!best) return n;
  return clusters[best].c;
}
function drawEdges() {
  edgeLayer.innerHTML = "";
  for (const e of G.edges) {
    if (!byId[e.s] || !byId[e.t]) continue;
    const a = anchor(e.s), b = anchor(e.t);
    if (a === b) continue;
    const x1 = a.x + a.w / 2, y1 = a.y + (a.collapsedH || a.h);
    const x2 = b.x + b.w / 2, y2 = b.y, my = (y1 + y2) / 2;
    const d = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`;
    const p = el("path", {class: "e" + (e.ctrl ? " k" : ""), d}, edgeLayer);
    if (e.label) {
      el("title", {}, p).textContent = e.label;
      if (labels) {
        el("text", {class: "l", x: (x1 + x2) / 2 + 3, y: my}, edgeLayer).textContent = e.label;
      }
    }
  }
}
function inside(scope, id) { return scope === id || scope.startsWith(id + "/"); }
function refresh() {
  for (const id in byId) {
    const {n, g} = byId[id]; let hidden = false;
    for (const c of collapsed) if (inside(n.scope, c)) { hidden = true; break; }
    g.classList.toggle("hidden", hidden);
  }
  for (const id in clusters) {
    const {c, g} = clusters[id]; let hidden = false;
    for (const o of collapsed) if (o !== id && inside(id, o)) { hidden = true; break; }
    g.classList.toggle("hidden", hidden);
    g.classList.toggle("collapsed", collapsed.has(id));
    const r = g.querySelector("rect");
    c.collapsedH = collapsed.has(id) ? 24 : null;
    r.setAttribute("height", collapsed.has(id) ? 24 : c.h);
  }
  drawEdges();
  info.textContent =
    `${G.nodes.length} ops, ${G.clusters.length} scopes, ${collapsed.size} collapsed`;
}
function toggle(id) { collapsed.has(id) ? collapsed.delete(id) : collapsed.add(id); refresh(); }
let hits = [], hitAt = 0;
function search(q) {
  q = q.trim().toLowerCase();
  for (const id in byId) byId[id].g.classList.remove("hit");
  hits = q ? G.nodes.filter(n => n.id.toLowerCase().includes(q) || n.type.toLowerCase() === q
                                  || n.type.toLowerCase().includes(q)) : [];
  for (const n of hits) {
    byId[n.id].g.classList.add("hit");
    for (const c of [...collapsed]) if (inside(n.scope, c)) collapsed.delete(c);
  }
  refresh(); hitAt = 0; if (hits.length) focus(hits[0]);
  info.textContent += ` | ${hits.length} match${hits.length === 1 ? "" : "es"}`;
  document.body.dataset.hits = hits.length;
}
function focus(n) {
  const r = svg.getBoundingClientRect(); k = Math.max(k, 1);
  tx = r.width / 2 - (n.x + n.w / 2) * k; ty = r.height / 2 - (n.y + n.h / 2) * k; apply();
}
const q = document.getElementById("q");
q.addEventListener("keydown", ev => {
  if (ev.key !== "Enter") return;
  if (hits.length && q.value.trim().toLowerCase() === (q.dataset.last || "")) {
    hitAt = (hitAt + 1) % hits.length; focus(hits[hitAt]);
  } else { q.dataset.last = q.value.trim().toLowerCase(); search(q.value); }
});
let drag = null;
svg.addEventListener("mousedown", ev => { drag = [ev.clientX - tx, ev.clientY - ty]; });
window.addEventListener("mouseup", () => drag = null);
window.addEventListener("mousemove", ev => {
  if (drag) { tx = ev.clientX - drag[0]; ty = ev.clientY - drag[1]; apply(); }
});
svg.addEventListener("wheel", ev => {
  ev.preventDefault(); const f = Math.exp(-ev.deltaY * 0.0015);
  const r = svg.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
  tx = mx - (mx - tx) * f; ty = my - (my - ty) * f; k *= f; apply();
}, {passive: false});
// Big graphs open with their top-level scopes collapsed.
if (G.nodes.length > 1500) for (const c of G.clusters) if (c.depth === 0) collapsed.add(c.id);
const r0 = svg.getBoundingClientRect();
k = Math.min(1, (r0.width || 1200) / (G.width + 40), (r0.height || 800) / (G.height + 40)); apply();
refresh();
const m = /[#&]q=([^&]*)/.exec(location.hash);
if (m) {
  q.value = decodeURIComponent(m[1]); q.dataset.last = q.value.toLowerCase(); search(q.value);
}
document.body.dataset.ready = "1";
</script></body></html>
"""
