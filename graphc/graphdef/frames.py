"""TensorFlow 1's dataflow control flow in a GraphDef, found and grouped for import as
graphc's functional nodes (what TensorFlow's own functionalize pass does for XLA).

TF1 builds `tf.while_loop` as a frame: each loop variable enters through an `Enter`, meets
its next value in a `Merge`, is tested by the `LoopCond` and split by a `Switch` into the
body (output 1, through an `Identity`) and the `Exit` (output 0); the body's result goes
back to the Merge through a `NextIteration`. Loop invariants enter through `Enter` nodes
with `is_constant`. `tf.cond` is a `Switch` per value the branches read (output 0 feeds
the false branch, output 1 the true one) and a `Merge` per result.

`split(nodes)` returns the import units of one namespace (a GraphDef's nodes, or the nodes
of one loop body or branch being imported): each plain node stands for itself; each
outermost frame becomes one `Loop` (its cond and body node lists, the loop variables);
each group of Merges joining the branches of one tf.cond becomes one `Cond` (its two
branches' node lists, the Switches they start from). Loops and conds nested inside stay
among their unit's nodes and are found again when that body or branch is imported. The
nodes a unit swallows (the frame's machinery, a branch's insides) are `hidden`: a
reference to one from outside is an error saying where it went.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .. import protos

ENTER = {"Enter", "RefEnter"}
EXIT = {"Exit", "RefExit"}
NEXT = {"NextIteration", "RefNextIteration"}
MERGE = {"Merge", "RefMerge"}
SWITCH = {"Switch", "RefSwitch"}
LOOP_COND = {"LoopCond"}
FRAME_OPS = ENTER | EXIT | NEXT | MERGE | SWITCH | LOOP_COND
ROOT = ""


class FrameError(ValueError):
    """TF1 control flow graphc cannot turn into a functional node."""


def parse_ref(ref: str) -> tuple[str, int, bool]:
    """("node", output index, is_control) of an input string "node:k" / "node" / "^node"."""
    if ref.startswith("^"):
        return ref[1:], -1, True
    name, sep, index = ref.rpartition(":")
    if sep and index.isdigit():
        return name, int(index), False
    return ref, 0, False


def _src(ref: str) -> str:
    return parse_ref(ref)[0]


@dataclass
class LoopVar:
    enter: protos.NodeDef       # the Enter taking the initial value
    merge: str                  # the Merge joining it with the next iteration's value
    switch: str                 # the Switch splitting it into body (1) and Exit (0)
    next_ref: str               # the body's new value (the NextIteration's input)
    exit: Optional[str]         # the Exit (None: the final value is not used)
    next_controls: list = field(default_factory=list)  # the NextIteration's ^inputs


@dataclass
class Loop:
    """One outermost TF1 while frame, imported as one While node."""
    name: str
    vars: list
    pred_ref: str               # the loop condition (the LoopCond's input)
    invariants: dict            # Enter name (is_constant) -> the outer value's ref
    cond_nodes: list            # the nodes computing the condition from the Merges
    body_nodes: list            # the nodes computing the next values from the Switches
    nodes: list                 # every node of the frame
    refs: list = field(default_factory=list)      # what the unit reads from outside
    provides: list = field(default_factory=list)  # the Exits


@dataclass
class Cond:
    """The Merges of one TF1 tf.cond, imported as one If node."""
    name: str
    pred_ref: str
    merges: list                # Merge names, in node order
    outputs: dict               # branch (0 false, 1 true) -> the ref each Merge takes
    branch_nodes: dict          # branch -> the nodes computed in it
    switches: dict              # branch -> {Switch name: the switched value's ref}
    nodes: list                 # every node of both branches and the Switches
    refs: list = field(default_factory=list)
    provides: list = field(default_factory=list)
    true_input: dict = field(default_factory=dict)  # Merge -> which input is the true side
    # refs of branch nodes later units read (a TF1 gradient cond reads the forward cond's
    # intermediates): "name:k" -> the branch (0 false, 1 true) computing it
    exports: dict = field(default_factory=dict)


def has_control_flow(nodes) -> bool:
    return any(n.op in FRAME_OPS for n in nodes)


def unit_io(unit) -> tuple[list, list]:
    """(names a unit provides, input refs it reads)."""
    if isinstance(unit, protos.NodeDef):
        return [unit.name], list(unit.input)
    return unit.provides, unit.refs


def split(nodes: list) -> tuple[list, dict]:
    """The import units of `nodes` and {hidden node name: where it went}."""
    if not has_control_flow(nodes):
        return nodes, {}
    nodes = _switch_controls(nodes)
    by_name = {n.name: n for n in nodes}
    units, hidden = _loops(nodes, by_name)
    units, hidden_c = _conds(units, by_name)
    hidden.update(hidden_c)
    return units, hidden


def _switch_controls(nodes: list) -> list:
    """`nodes` with a control input on a Switch read as control inputs on what the Switch
    reads. TF1's `tf.tuple` of a cond gradient's Switch makes a NoOp wait for the Switch
    (and the Switch's users wait for the NoOp); a Switch's control output is never dead,
    so that is waiting for its inputs, and graphc keeps no Switch to wait for. (A loop's
    Switches are bound to the loop variables, and a wait for them dropped.)"""
    by_name = {n.name: n for n in nodes}
    switches = {n.name: n for n in nodes if n.op in SWITCH and not (  # (a loop's: bound)
        len(n.input) > 1 and getattr(by_name.get(_src(n.input[1])), "op", "") in LOOP_COND)}
    out = []
    for n in nodes:
        if not any(r.startswith("^") and r[1:] in switches for r in n.input):
            out.append(n)
            continue
        refs: list = []
        for r in n.input:
            new = ["^" + _src(x) for x in switches[r[1:]].input] if r.startswith("^") and \
                r[1:] in switches else [r]
            refs.extend(x for x in new if x not in refs)
        copy = protos.NodeDef()
        copy.CopyFrom(n)
        del copy.input[:]
        copy.input.extend(refs)
        out.append(copy)
    return out


def _external_refs(members: list, names: set) -> list:
    out, seen = [], set()
    for n in members:
        for ref in n.input:
            if _src(ref) not in names and ref not in seen:
                seen.add(ref)
                out.append(ref)
    return out


# ------------------------------------------------------------------ while frames
def _topological(nodes: list, by_name: dict) -> list:
    """`nodes` in dependency order, back edges (NextIteration into Merge) left out."""
    waiting, users = {}, {}
    for n in nodes:
        deps = {_src(r) for r in n.input if _src(r) in by_name and not (
            n.op in MERGE and by_name[_src(r)].op in NEXT)}
        waiting[n.name] = len(deps)
        for d in deps:
            users.setdefault(d, []).append(n.name)
    ready = [n.name for n in reversed(nodes) if waiting[n.name] == 0]
    out = []
    while ready:
        name = ready.pop()
        out.append(by_name[name])
        for u in users.get(name, ()):
            waiting[u] -= 1
            if waiting[u] == 0:
                ready.append(u)
    if len(out) != len(nodes):
        stuck = sorted(n for n, w in waiting.items() if w > 0)[:8]
        raise FrameError(f"the GraphDef has a cycle that is not a TF1 while loop (a "
                         f"NextIteration into a Merge): graphc cannot order nodes {stuck}")
    return out


def _frames(nodes: list, by_name: dict) -> tuple[dict, dict]:
    """({node: the frame it runs in}, {frame: its parent frame})."""
    ctx: dict = {}
    parent: dict = {ROOT: None}

    def depth(f):
        d = 0
        while f != ROOT:
            f, d = parent[f], d + 1
        return d

    def out_frame(name):
        f = ctx[name]
        return parent[f] if by_name[name].op in EXIT else f

    for n in _topological(nodes, by_name):
        srcs = [_src(r) for r in n.input if _src(r) in by_name and not (
            n.op in MERGE and by_name[_src(r)].op in NEXT)]
        if n.op in ENTER:
            frame = n.attr["frame_name"].s.decode()
            data = [_src(r) for r in n.input if not r.startswith("^")]
            outer = out_frame(data[0]) if data and data[0] in by_name else ROOT
            if parent.setdefault(frame, outer) != outer:
                raise FrameError(f"TensorFlow node '{n.name}' (Enter): frame '{frame}' is "
                                 "entered from two different frames")
            ctx[n.name] = frame
            continue
        found = {out_frame(s) for s in srcs} - {ROOT}
        if not found:
            ctx[n.name] = ROOT
            continue
        deepest = max(found, key=depth)
        for f in found:
            g = deepest
            while g not in (f, ROOT):
                g = parent[g]
            if g != f:
                raise FrameError(f"TensorFlow node '{n.name}' ({n.op}) reads from two "
                                 f"unrelated while frames, '{f}' and '{deepest}'")
        ctx[n.name] = deepest
    return ctx, parent


def _closure(start_refs, members: dict, stop: set) -> list:
    """The member nodes `start_refs` depend on, through any input, not past `stop`."""
    seen: set = set()
    stack = [_src(r) for r in start_refs]
    while stack:
        name = stack.pop()
        if name in seen or name in stop or name not in members:
            continue
        seen.add(name)
        stack.extend(_src(r) for r in members[name].input)
    return [n for n in members.values() if n.name in seen]


def _loops(nodes: list, by_name: dict) -> tuple[list, dict]:
    ctx, parent = _frames(nodes, by_name)

    def top(f):
        while parent[f] != ROOT:
            f = parent[f]
        return f

    groups: dict = {}
    for n in nodes:
        if ctx[n.name] != ROOT:
            groups.setdefault(top(ctx[n.name]), []).append(n)
    loops = {frame: _loop(frame, members, ctx) for frame, members in groups.items()}
    units, hidden, placed = [], {}, set()
    for n in nodes:
        frame = ctx[n.name]
        if frame == ROOT:
            units.append(n)
            continue
        loop = loops[top(frame)]
        if n.name not in loop.provides:
            hidden[n.name] = f"inside the while loop '{loop.name}' (fetch its Exit nodes)"
        if loop.name not in placed:
            placed.add(loop.name)
            units.append(loop)
    return units, hidden


def _loop(frame: str, members: list, ctx: dict) -> Loop:
    name = frame[:-len("/while_context")] if frame.endswith("/while_context") else frame
    where = f"while loop '{name}'"
    mine = [n for n in members if ctx[n.name] == frame]
    by_name = {n.name: n for n in members}
    consumers: dict = {}
    for n in mine:
        for ref in n.input:
            consumers.setdefault(_src(ref), []).append(n)

    def only(candidates, what):
        if len(candidates) != 1:
            raise FrameError(f"{where}: expected one {what}, found {len(candidates)}")
        return candidates[0]

    loop_cond = only([n for n in mine if n.op in LOOP_COND], "LoopCond")
    invariants, loop_vars = {}, []
    for e in mine:
        if e.op not in ENTER:
            continue
        if e.attr["is_constant"].b:
            invariants[e.name] = e.input[0]
            continue
        merge = only([c for c in consumers.get(e.name, ()) if c.op in MERGE],
                     f"Merge after Enter '{e.name}'")
        nexts = [r for r in merge.input if _src(r) in by_name and
                 by_name[_src(r)].op in NEXT]
        nxt = by_name[_src(only(nexts, f"NextIteration into Merge '{merge.name}'"))]
        switch = only([c for c in consumers.get(merge.name, ()) if c.op in SWITCH],
                      f"Switch after Merge '{merge.name}'")
        exits = [c.name for c in consumers.get(switch.name, ()) if c.op in EXIT]
        loop_vars.append(LoopVar(e, merge.name, switch.name, nxt.input[0],
                                 exits[0] if exits else None,
                                 [r for r in nxt.input if r.startswith("^")]))
    if not loop_vars:
        raise FrameError(f"{where}: no loop variable (an Enter that is not is_constant)")
    members_by_name = {n.name: n for n in members}
    boundary = set(invariants) | {v.merge for v in loop_vars}
    cond_nodes = _closure([loop_cond.input[0]], members_by_name, boundary)
    # (what a NextIteration waits for runs in every iteration too: TF1's gradient makes
    # its stack pushes control inputs of the forward counter's next value)
    body_nodes = _closure([v.next_ref for v in loop_vars] +
                          [r for v in loop_vars for r in v.next_controls], members_by_name,
                          boundary | {v.switch for v in loop_vars})
    provides = [v.exit for v in loop_vars if v.exit]
    return Loop(name, loop_vars, loop_cond.input[0], invariants, cond_nodes, body_nodes,
                members, _external_refs(members, set(members_by_name)), provides)


# ------------------------------------------------------------------ tf.cond
class _Groups:
    """Union-find over names."""

    def __init__(self, names) -> None:
        self.parent = {n: n for n in names}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def _conds(units: list, by_name: dict) -> tuple[list, dict]:
    """Group the Switches and Merges among `units` (frames already made loops) into Conds."""
    consumers: dict = {}   # provided name -> [(unit, ref)]
    for u in units:
        for ref in unit_io(u)[1]:
            consumers.setdefault(_src(ref), []).append((u, ref))
    switches = [u for u in units if isinstance(u, protos.NodeDef) and u.op in SWITCH]
    if not switches:
        return units, {}

    def reach(switch: protos.NodeDef, k: int):
        """What output k of `switch` flows into: (member units, Merges at its depth)."""
        members, merges, seen = [], [], set()
        stack = [(u, 0) for u, ref in consumers.get(switch.name, ())
                 if not ref.startswith("^") and parse_ref(ref)[1] == k]
        while stack:
            u, depth = stack.pop()
            if id(u) in seen:
                continue
            op = u.op if isinstance(u, protos.NodeDef) else None
            if op in MERGE and depth == 0:
                if u.name not in merges:
                    merges.append(u.name)
                continue
            seen.add(id(u))
            members.append(u)
            depth += 1 if op in SWITCH else -1 if op in MERGE else 0
            for name in unit_io(u)[0]:
                stack.extend((c, depth) for c, _ in consumers.get(name, ()))
        return members, merges

    flows = {(s.name, k): reach(s, k) for s in switches for k in (0, 1)}
    nested = {id(m) for members, _ in flows.values() for m in members}
    top = [s for s in switches if id(s) not in nested]
    # Switches flowing into one Merge are one cond (union-find over Switch names)
    groups = _Groups(s.name for s in top)
    group, find = groups.parent, groups.find
    first_by_merge: dict = {}
    for s in top:
        for k in (0, 1):
            for m in flows[(s.name, k)][1]:
                groups.union(s.name, first_by_merge.setdefault(m, s.name))
    conds, hidden, swallowed = {}, {}, set()
    for s in top:
        if not flows[(s.name, 0)][1] and not flows[(s.name, 1)][1]:
            pivots = flows[(s.name, 0)][0] + flows[(s.name, 1)][0]
            if all(isinstance(u, protos.NodeDef) and u.op == "Identity" and
                   not consumers.get(u.name) for u in pivots):
                # a cond's pivot Switch (its switch_t / switch_f) nothing waits for: as
                # TensorFlow, which never runs it for a fetch
                for u in [s] + pivots:
                    swallowed.add(id(u))
                    hidden[u.name] = "an unused TF1 cond pivot"
            continue  # reaches no Merge: left a plain Switch (refused on import)
        conds.setdefault(find(s.name), []).append(s)
    made: dict = {}   # a group's root Switch -> its Conds, in dependency order
    position = {n: i for i, n in enumerate(by_name)}
    claimed: set = set()  # ids of the units a cond of a lower level computes
    for root, group_switches in conds.items():
        made[root] = []
        for level_switches, merges in _levels(group_switches, flows, by_name):
            cond = _cond(level_switches, flows, by_name, position, merges, claimed)
            made[root].append(cond)
            for u in cond.nodes:
                swallowed.add(id(u))
                if u not in level_switches:
                    claimed.add(id(u))
                for name in unit_io(u)[0]:
                    hidden.setdefault(name, f"inside the tf.cond '{cond.name}' (fetch its "
                                            "Merge nodes)")
        if len(made[root]) > 1:
            _place_leftovers(made[root], group_switches, flows, swallowed, hidden)
    _exports([c for cs in made.values() for c in cs], units, swallowed)
    out, placed = [], set()
    for u in units:
        if isinstance(u, protos.NodeDef) and u.op in SWITCH and u.name in group and \
                find(u.name) in made:
            root = find(u.name)
            if root not in placed:
                placed.add(root)
                out.extend(made[root])
        elif isinstance(u, protos.NodeDef) and u.op in MERGE and u.name in first_by_merge:
            continue  # provided by its Cond
        elif id(u) not in swallowed:
            out.append(u)
    for c in (c for cs in made.values() for c in cs):
        for name in c.merges + [parse_ref(r)[0] for r in c.exports]:
            hidden.pop(name, None)
    return out, hidden


def _ancestors(refs, by_name: dict) -> set:
    """The names of the nodes `refs` depend on, through any input."""
    seen: set = set()
    stack = [_src(r) for r in refs]
    while stack:
        name = stack.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        stack.extend(_src(r) for r in by_name[name].input)
    return seen


def _levels(switches: list, flows: dict, by_name: dict) -> list:
    """The Switches whose flows share Merges, split into the conds they are: [(Switches,
    Merges)] in dependency order. TF1 builds a cond's gradient in the cond's own context:
    the gradient's Switch (of the incoming gradient) and its Merges (of each branch's
    gradient with the other side's zeros) join the forward Switches' flows, so one
    grouping would make the forward cond and its gradient one cond reading its own
    result. A Switch reading (through anything) a Merge of the group is of a level above
    that Merge's; a Merge is of the highest level of the Switches reaching it; each
    level's Switches sharing Merges are one cond, with the lower levels' Switches that
    reach its Merges (their values, switched again)."""
    merges_of = {s.name: set(flows[(s.name, 0)][1]) | set(flows[(s.name, 1)][1])
                 for s in switches}
    every = set().union(*merges_of.values())
    reads = {s.name: _ancestors(s.input, by_name) & every for s in switches}
    if not any(reads.values()):
        return [(switches, None)]
    level = {s.name: 0 for s in switches}
    for _ in range(len(switches) + 1):
        merge_level = {m: max(level[s] for s in level if m in merges_of[s]) for m in every}
        new = {s: 1 + max((merge_level[m] for m in reads[s]), default=-1) for s in level}
        if new == level:
            break
        level = new
    else:
        raise FrameError(f"the TF1 conds of Switch '{switches[0].name}' read their own "
                         "results: graphc cannot order them")
    out = []
    for lv in sorted(set(level.values())):
        mine = [s for s in switches if level[s.name] == lv]
        groups = _Groups(s.name for s in mine)
        find = groups.find
        owner: dict = {}
        for s in mine:
            for m in merges_of[s.name]:
                if merge_level[m] == lv:
                    groups.union(s.name, owner.setdefault(m, s.name))
        for root in dict.fromkeys(find(s.name) for s in mine):
            merges = {m for m, s in owner.items() if find(s) == root}
            if not merges:  # its Merges are all of higher levels: a Switch of theirs
                continue
            part = [s for s in switches if level[s.name] <= lv and merges_of[s.name] & merges
                    and (level[s.name] < lv or find(s.name) == root)]
            out.append((part, merges))
    return out


def _place_leftovers(conds: list, switches: list, flows: dict, swallowed: set,
                     hidden: dict) -> None:
    """The Switches' flow units no level's Merges read (TensorFlow's gradient leaves a
    `Shape` of a forward value no one uses) go to the highest-level cond switching the
    same value: they run in that branch, as in TensorFlow, whose forward and gradient
    conds are one context."""
    added: dict = {}
    for s in switches:
        for k in (0, 1):
            for u in flows[(s.name, k)][0]:
                if id(u) in swallowed:
                    continue
                cond = next(c for c in reversed(conds) if s.name in c.switches[k])
                swallowed.add(id(u))
                added.setdefault(id(cond), (cond, {0: [], 1: []}))[1][k].append(u)
                for name in unit_io(u)[0]:
                    hidden[name] = f"inside the tf.cond '{cond.name}' (fetch its Merge nodes)"
    for cond, extra in added.values():
        for k in (0, 1):
            cond.branch_nodes[k].extend(_expand(extra[k]))
            cond.nodes.extend(extra[k])
        inside = {n for u in cond.nodes for n in _names(u)}
        refs = _external_refs(_expand(extra[0] + extra[1]), inside | set(cond.switches[0]))
        cond.refs.extend(r for r in refs if r not in cond.refs)


def _exports(conds: list, units: list, swallowed: set) -> None:
    """Record in each cond the refs of its branch nodes that other units read."""
    inner = {}
    for c in conds:
        for k in (0, 1):
            for n in c.branch_nodes[k]:
                inner.setdefault(n.name, (c, k))
    merges = {m for c in conds for m in c.merges}  # provided by their Conds
    readers = [u for u in units if id(u) not in swallowed and not (
        isinstance(u, protos.NodeDef) and u.name in merges)] + conds
    for u in readers:
        for ref in unit_io(u)[1]:
            name, index, control = parse_ref(ref)
            if control or name not in inner or inner[name][0] is u:
                continue
            c, k = inner[name]
            key = f"{name}:{index}"
            if key not in c.exports:
                c.exports[key] = k
                if name not in c.provides:
                    c.provides.append(name)


def _canonical(ref: str, by_name: dict) -> str:
    """A predicate's ref through the Identity nodes TF1 puts before Switches (pred_id)."""
    while _src(ref) in by_name and by_name[_src(ref)].op in ("Identity", "Snapshot") and \
            not ref.startswith("^"):
        ref = by_name[_src(ref)].input[0]
    name, index, _ = parse_ref(ref)
    return f"{name}:{index}"


def _cond(switches: list, flows: dict, by_name: dict, position: dict,
          only: Optional[set] = None, claimed: frozenset = frozenset()) -> Cond:
    """The Cond of `switches`' flows into their Merges (`only` those, when the group is
    a cond and its gradient), without the units of lower-level conds (`claimed`)."""
    preds = {_canonical(s.input[1], by_name) for s in switches}
    merges = []
    for s in switches:
        for k in (0, 1):
            merges.extend(m for m in flows[(s.name, k)][1] if m not in merges and (
                only is None or m in only))
    merges.sort(key=position.__getitem__)
    name = merges[0].rpartition("/")[0] or merges[0]
    where = f"tf.cond '{name}'"
    if len(preds) != 1:
        raise FrameError(f"{where}: its Merges join values switched on different "
                         f"predicates {sorted(preds)}")
    members = {k: [] for k in (0, 1)}
    for k in (0, 1):
        ids = set()
        for s in switches:
            for u in flows[(s.name, k)][0]:
                if id(u) not in ids and id(u) not in claimed:
                    ids.add(id(u))
                    members[k].append(u)
        if only is not None:  # the flows go on into other levels' Merges: keep what
            # this cond's Merges read
            by_member = {n: u for u in members[k] for n in unit_io(u)[0]}
            needed = _ancestors([r for m in merges for r in by_name[m].input], {
                n: (u if isinstance(u, protos.NodeDef) else _Unit(u)) for n, u in
                by_member.items()})
            members[k] = [u for u in members[k] if set(unit_io(u)[0]) & needed]
    switched = {k: {s.name: s.input[0] for s in switches} for k in (0, 1)}
    names = {k: {n for u in members[k] for n in unit_io(u)[0]} for k in (0, 1)}
    outputs = {0: [], 1: []}
    true_input = {}
    for m in merges:
        node = by_name[m]
        data = [r for r in node.input if not r.startswith("^")]
        if len(data) != 2:
            raise FrameError(f"{where}: Merge '{m}' joins {len(data)} values, expected 2")
        sides = []
        for ref in data:
            src, index, _ = parse_ref(ref)
            side = [k for k in (0, 1) if src in names[k] or (src in switched[k] and
                                                            index == k)]
            if len(side) != 1:
                raise FrameError(f"{where}: Merge '{m}' input '{ref}' is in "
                                 f"{'both' if side else 'neither'} of its branches")
            sides.append(side[0])
        if sorted(sides) != [0, 1]:
            raise FrameError(f"{where}: both inputs of Merge '{m}' come from one branch")
        for ref, side in zip(data, sides):
            outputs[side].append(ref)
        true_input[m] = sides.index(1)
    branch_nodes = {k: _expand(members[k]) for k in (0, 1)}
    every = members[0] + members[1] + list(switches)
    inside = {n for u in every for n in _names(u)}
    refs = _external_refs(_expand(members[0] + members[1]), inside | set(switched[0]))
    for s in switches:
        refs.extend(r for r in s.input if r not in refs)
    pred_ref = switches[0].input[1]
    return Cond(name, pred_ref, merges, outputs, branch_nodes, switched, every, refs,
                list(merges), true_input)


class _Unit:
    """A Loop unit read as a node whose inputs are the unit's refs (for `_ancestors`)."""

    def __init__(self, unit) -> None:
        self.input = unit.refs


def _names(unit) -> list:
    return [n.name for n in _expand([unit])]


def _expand(units: list) -> list:
    """The NodeDefs of units (a Loop's members)."""
    out = []
    for u in units:
        out.extend([u] if isinstance(u, protos.NodeDef) else u.nodes)
    return out
