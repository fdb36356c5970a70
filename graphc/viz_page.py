"""The HTML graph viewer: one self-contained page (no network, no libraries).

`viz.to_html` fills in the title and the data: `items` (ops, scopes, series of ops, and the
graph itself), each with its parent's index; scopes carry their layer `rows` (the layered
order `viz` computed) and their op count, ops their width; `edges` join op items.

The page places boxes itself, bottom up from the rows, so the layout follows what is open:
a collapsed scope is a small box showing its name and op count, and every scope around it
is laid out again with that size. It opens with as much open as stays readable at the
window's size (a big graph: its top-level scopes as boxes, a graph of their own), and
edges whose ends fall into the same two visible boxes are drawn as one, labelled with
their count. Click a box to open it (its inside is laid out in place), a scope's title to
close it; drag pans, the wheel zooms, the search box finds ops by name or type (Enter: the
next; `#q=MatMul` in the URL searches on load). When ready, the page writes what the first
view shows into `body` (data-view: the labelled boxes inside the viewport) for tests.
"""

PAGE = r"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>graphc: __TITLE__</title>
<style>
 body{margin:0;font:12px Helvetica,Arial,sans-serif;overflow:hidden;background:#fbfcfe}
 #bar{position:fixed;top:0;left:0;right:0;height:36px;background:#24324d;color:#fff;
      display:flex;align-items:center;gap:12px;padding:0 12px;z-index:2;white-space:nowrap}
 #bar input{width:240px;padding:4px} #info{opacity:.85}
 .key{display:inline-block;width:11px;height:11px;border-radius:3px;margin:0 3px 0 8px;
      vertical-align:-1px;border:1px solid #fff8}
 svg{position:fixed;top:36px;left:0;width:100%;height:calc(100% - 36px);cursor:grab}
 .cl>rect{fill:#f3f6fb;stroke:#b4bdd0} .cl>text{font-size:11px;cursor:pointer;fill:#34405a}
 .cl.gr>rect{fill:none;stroke:none} .cl.gr>text{font-size:15px;font-weight:bold;cursor:default}
 .bx{cursor:pointer} .bx rect{stroke-width:1.4}
 .bx .t1{font:bold 13px Helvetica,Arial,sans-serif;fill:#1d2740}
 .bx .t2{font-size:11px;fill:#4a5570}
 .bx:hover rect{stroke-width:2.4}
 .n rect{stroke-width:1} .n text{font-size:11px;pointer-events:none;fill:#1d2740}
 .hit rect{fill:#ffe066 !important;stroke:#c92a2a !important;stroke-width:2.5}
 .model rect{fill:#dbe7fb;stroke:#5b7fc4} .grad rect{fill:#ece3f5;stroke:#9a7cc0}
 .train rect{fill:#fde7cf;stroke:#d08a3c} .var rect{fill:#ddf1e2;stroke:#4f9a64}
 .series rect{fill:#eceff4;stroke:#8f98a8} .op rect{fill:#eef3fb;stroke:#6b84b5}
 .input rect{fill:#fff3bf;stroke:#c9a227} .fused rect{fill:#ffd8a8;stroke:#d9822b}
 .e{fill:none;stroke:#8a8f99} .e.k{stroke-dasharray:4 3}
 .l{font-size:9px;fill:#5d6475} .l.b{font-size:10px;font-weight:bold;fill:#47506a}
</style></head><body>
<div id="bar"><b>graphc</b><span>__TITLE__</span>
<input id="q" placeholder="search name or op type (Enter: next)">
<span><span class="key" style="background:#dbe7fb"></span>model<span class="key"
 style="background:#ddf1e2"></span>variables<span class="key" style="background:#ece3f5">
</span>gradients<span class="key" style="background:#fde7cf"></span>optimizer<span
 class="key" style="background:#fff3bf"></span>inputs</span>
<span id="info"></span></div>
<svg id="svg"><defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"
 markerHeight="7" markerUnits="userSpaceOnUse" orient="auto">
 <path d="M0,0L10,5L0,10z" fill="#8a8f99"/></marker></defs>
<g id="view"></g></svg>
<script>
const T0 = performance.now();
const G = __DATA__;
const NS = "http://www.w3.org/2000/svg";
const view = document.getElementById("view"), svg = document.getElementById("svg");
const info = document.getElementById("info");
const I = G.items, E = G.edges, N = I.length;
const NODE_H = 26, GAP_X = 18, GAP_Y = 34, BOX_GAP_Y = 40, PAD = 12, TITLE_H = 22,
      BOX_H = 44, READABLE = 0.85;
const N_OPS = I.filter(it => it.k === "op").length;
const kids = I.map(it => it.rows ? it.rows.flat() : []);
const W = new Float64Array(N), H = new Float64Array(N), X = new Float64Array(N),
      Y = new Float64Array(N), RX = new Float64Array(N), RY = new Float64Array(N);
const closed = new Uint8Array(N);
const canvas = document.createElement("canvas").getContext("2d");
function textW(s, font) { canvas.font = font; return canvas.measureText(s).width; }
function fixed(i) { return I[i].k === "graph" || I[i].k === "root"; }
function isOpen(i) { return fixed(i) || !closed[i]; }
function second(i) {
  const it = I[i];
  return it.k === "series" ? `${it.n} \u00d7 ${it.t}` : `${it.n.toLocaleString("en")} ops`;
}
const boxW = new Float64Array(N).fill(-1);
function closedW(i) {
  if (boxW[i] < 0) boxW[i] = Math.max(90, 28 + Math.max(
    textW(I[i].label, "bold 13px Helvetica,Arial,sans-serif"),
    textW(second(i), "11px Helvetica,Arial,sans-serif")));
  return boxW[i];
}
// Sizes bottom up: a closed scope is a box; an open one is its rows, laid out again.
function measure(i) {
  const it = I[i];
  if (it.k === "op") { W[i] = it.w; H[i] = NODE_H; return; }
  if (!isOpen(i)) { W[i] = closedW(i); H[i] = BOX_H; return; }
  const root = it.k === "root", inset = root ? 0 : PAD;
  const gapX = root ? 90 : GAP_X;
  let y = root ? 0 : TITLE_H + PAD, width = 0, gap = 0;
  const placed = [];
  for (const row of it.rows) {
    let rw = 0, rh = 0, boxes = false;
    for (const c of row) {
      measure(c); rw += W[c]; rh = Math.max(rh, H[c]);
      boxes = boxes || I[c].k !== "op";
    }
    rw += gapX * (row.length - 1);
    placed.push([row, rw, y, rh]); width = Math.max(width, rw);
    gap = boxes ? BOX_GAP_Y : GAP_Y; y += rh + gap;
  }
  for (const [row, rw, top, rh] of placed) {
    let x = (width - rw) / 2 + inset;
    for (const c of row) { RX[c] = x; RY[c] = top + (rh - H[c]) / 2; x += W[c] + gapX; }
  }
  const titleW = it.k === "graph" ? textW(it.label, "bold 15px Helvetica,Arial,sans-serif")
                                  : textW("\u25be " + it.label, "11px Helvetica,Arial,sans-serif");
  W[i] = Math.max(width + 2 * inset, titleW + 2 * PAD);
  H[i] = Math.max(y - gap + inset, TITLE_H + PAD);
}
function place(i, x, y) {
  X[i] = x; Y[i] = y;
  if (I[i].k !== "op" && isOpen(i)) for (const c of kids[i]) place(c, x + RX[c], y + RY[c]);
}
function relayout() { measure(0); place(0, 0, 0); }
// The visible box holding each op: its outermost closed ancestor, or itself.
const chain = I.map(() => null);
function ancestors(i) {
  if (chain[i]) return chain[i];
  const out = []; let p = I[i].p;
  while (p >= 0) { if (!fixed(p)) out.push(p); p = I[p].p; }
  return chain[i] = out.reverse();
}
function anchor(i) {
  for (const a of ancestors(i)) if (closed[a]) return a;
  return i;
}
function el(tag, attrs, parent) {
  const e = document.createElementNS(NS, tag);
  for (const a in attrs) e.setAttribute(a, attrs[a]);
  parent.appendChild(e); return e;
}
let tx = 20, ty = 20, k = 1;
function apply() { view.setAttribute("transform", `translate(${tx},${ty}) scale(${k})`); }
let drawn = [], hitSet = new Set();
function render() {
  view.textContent = "";
  const cl = el("g", {}, view), eg = el("g", {}, view), ng = el("g", {}, view);
  drawn = [];
  (function draw(i) {
    const it = I[i];
    if (it.k === "op") {
      const g = el("g", {class: "n " + it.c + (hitSet.has(i) ? " hit" : "")}, ng);
      el("title", {}, g).textContent = it.tip;
      el("rect", {x: X[i], y: Y[i], width: W[i], height: H[i], rx: 5}, g);
      el("text", {x: X[i] + 8, y: Y[i] + 17}, g).textContent = it.label;
      drawn.push([i, g]); return;
    }
    if (!isOpen(i)) {
      const g = el("g", {class: "bx " + (it.k === "series" ? "series" : it.c)}, ng);
      el("title", {}, g).textContent = `${it.id}\n${second(i)} (click to open)`;
      el("rect", {x: X[i], y: Y[i], width: W[i], height: H[i], rx: 9}, g);
      el("text", {class: "t1", x: X[i] + 14, y: Y[i] + 19}, g).textContent = it.label;
      el("text", {class: "t2", x: X[i] + 14, y: Y[i] + 35}, g).textContent = second(i);
      g.addEventListener("click", ev => { ev.stopPropagation(); toggle(i); });
      drawn.push([i, g]); return;
    }
    if (it.k !== "root") {
      const g = el("g", {class: "cl" + (it.k === "graph" ? " gr" : "")}, cl);
      el("rect", {x: X[i], y: Y[i], width: W[i], height: H[i], rx: 8}, g);
      const t = el("text", {x: X[i] + 8, y: Y[i] + 15}, g);
      t.textContent = it.k === "graph" ? it.label : "\u25be " + it.label;
      if (!fixed(i)) t.addEventListener("click", ev => { ev.stopPropagation(); toggle(i); });
    }
    for (const c of kids[i]) draw(c);
  })(0);
  // One edge per pair of visible boxes, carrying how many tensors it stands for.
  const bundles = new Map();
  for (const [s, t, label, ctrl] of E) {
    const a = anchor(s), b = anchor(t);
    if (a === b) continue;
    const key = a * N + b, got = bundles.get(key);
    if (got) { got.n++; got.ctrl = got.ctrl && ctrl; }
    else bundles.set(key, {a, b, n: 1, ctrl, label});
  }
  const labels = bundles.size <= 1500;
  for (const {a, b, n, ctrl, label} of bundles.values()) {
    let d, lx, ly;
    // Ports spread along the box's edge towards the other end, so bundles fan out.
    const ca = X[a] + W[a] / 2, cb = X[b] + W[b] / 2, y1 = Y[a] + H[a], y2 = Y[b];
    const x1 = ca + clamp((cb - ca) * 0.3, W[a] / 2 - 8);
    const x2 = cb + clamp((ca - cb) * 0.3, W[b] / 2 - 8);
    if (y2 > y1) {
      const my = (y1 + y2) / 2;
      d = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`; lx = (x1 + x2) / 2 + 4; ly = my;
    } else {  // an edge against the layer order goes round the right side
      const ax = X[a] + W[a], ay = Y[a] + H[a] / 2, bx = X[b] + W[b], by = Y[b] + H[b] / 2;
      const ox = Math.max(ax, bx) + 50;
      d = `M${ax},${ay} C${ox},${ay} ${ox},${by} ${bx},${by}`; lx = ox - 8; ly = (ay + by) / 2;
    }
    const width = Math.min(1 + Math.log2(n), 6);
    const p = el("path", {class: "e" + (ctrl ? " k" : ""), d, "stroke-width": width,
                          "marker-end": "url(#a)"}, eg);
    const text = n > 1 ? `${n} tensors` : label;
    if (text) {
      el("title", {}, p).textContent = text;
      const cls = "l" + (n > 1 ? " b" : "");
      if (labels) el("text", {class: cls, x: lx, y: ly}, eg).textContent = text;
    }
  }
  info.textContent = `${N_OPS.toLocaleString("en")} ops, ` +
                     `${drawn.length} boxes shown, ${bundles.size} edges`;
}
function clamp(v, r) { return Math.max(-r, Math.min(r, v)); }
function keepingPlace(i, change) {
  const sx = tx + X[i] * k, sy = ty + Y[i] * k;
  change(); relayout();
  tx = sx - X[i] * k; ty = sy - Y[i] * k; apply(); render();
}
function toggle(i) { keepingPlace(i, () => { closed[i] = closed[i] ? 0 : 1; }); }
function fitK() {
  const r = svg.getBoundingClientRect();
  return Math.min(1, ((r.width || 1200) - 40) / W[0], ((r.height || 800) - 40) / H[0]);
}
function fit() {  // all of it, or its top at a readable size
  const r = svg.getBoundingClientRect();
  k = Math.max(fitK(), READABLE);
  tx = Math.max(20, ((r.width || 1200) - W[0] * k) / 2); ty = 20; apply();
}
// The first view: everything closed, then the biggest boxes opened while it stays readable.
for (let i = 0; i < N; i++) if (I[i].k !== "op" && !fixed(i)) closed[i] = 1;
relayout();
for (let tries = 0; tries < 40; tries++) {
  let best = -1;
  for (let i = 0; i < N; i++) {
    if (closed[i] && ancestors(i).every(a => !closed[a]) && (best < 0 || I[i].n > I[best].n)) {
      best = i;
    }
  }
  if (best < 0) break;
  closed[best] = 0; relayout();
  if (fitK() < READABLE) { closed[best] = 1; relayout(); break; }
}
fit(); render();
let hits = [], hitAt = 0;
function search(q) {
  q = q.trim().toLowerCase(); hitSet = new Set(); hits = [];
  if (q) for (let i = 0; i < N; i++) {
    const it = I[i];
    if (it.k === "op" && (it.id.toLowerCase().includes(q) || it.t.toLowerCase().includes(q))) {
      hits.push(i); hitSet.add(i); for (const a of ancestors(i)) closed[a] = 0;
    }
  }
  relayout(); render(); hitAt = 0; if (hits.length) focus(hits[0]);
  info.textContent += ` | ${hits.length} match${hits.length === 1 ? "" : "es"}`;
  document.body.dataset.hits = hits.length;
}
function focus(i) {
  const r = svg.getBoundingClientRect(); k = Math.max(k, 1);
  tx = r.width / 2 - (X[i] + W[i] / 2) * k; ty = r.height / 2 - (Y[i] + H[i] / 2) * k; apply();
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
const o = /[#&]open=([^&]*)/.exec(location.hash);
if (o) {
  const want = decodeURIComponent(o[1]), i = I.findIndex(it => it.id === want && it.k !== "op");
  if (i >= 0) {
    for (const a of ancestors(i)) closed[a] = 0;
    closed[i] = 0; relayout(); fit(); render();
  }
}
const m = /[#&]q=([^&]*)/.exec(location.hash);
if (m) {
  q.value = decodeURIComponent(m[1]); q.dataset.last = q.value.toLowerCase(); search(q.value);
}
// What the first view shows, for tests: labelled boxes inside the viewport.
const vr = svg.getBoundingClientRect(), shown = [];
for (const [i, g] of drawn) {
  const r = g.querySelector("rect").getBoundingClientRect();
  if (r.left >= vr.left && r.top >= vr.top && r.right <= vr.right && r.bottom <= vr.bottom) {
    const p = I[i].p;
    shown.push({id: I[i].id, label: I[i].label, kind: I[i].k, top: p >= 0 && fixed(p),
                x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width),
                h: Math.round(r.height)});
  }
}
document.body.dataset.view = JSON.stringify(shown);
document.body.dataset.zoom = k.toFixed(3);
document.body.dataset.ms = Math.round(performance.now() - T0);
document.body.dataset.ready = "1";
</script></body></html>
"""
