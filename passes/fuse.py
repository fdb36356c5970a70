"""Fusion: groups of elementwise and broadcast ops become one Fused node holding them.

Groups grow from consumers to producers (XLA's producer-into-consumer order): the graph's
ops are visited in reverse topological order, and a fusible op joins the group of one of
its consumers when its output has that group's shape (the group's iteration domain) and
no path leaves it through an op outside the group and comes back into the group. That
last test keeps the fused graph free of cycles. Paths count in the fused graph, where
entering a group at one member leaves it at every member: two groups that are each
convex in the graph still make a cycle when each reaches the other through outside ops
(an LSTM gradient: sigmoid(i) * tanh(j) differentiated, each factor's group feeding
the other's through a SumToShape). So the test is two bitset lookups over groups:
`downstream[u]`, the groups reachable from op `u` by the graph's edges (fixed once `u` is
visited, since its consumers' groups are), closed under `reach[g]`, the groups the fused
node of `g` reaches, which is kept transitively closed and current as groups grow. The
pass stays linear in practice (a 100k-node graph fuses in about a second).

A producer whose every consumer sits in the group can always join: nothing leaves it
except into the group. One used elsewhere as well (fetched, or read by a matmul) joins
when that is still convex, and becomes one of the Fused node's outputs.

A float reduction (Sum, Mean, Max, Min, Prod) starts a group of its own whose domain is
its input's shape: the elementwise chain feeding only it joins, and the backends
compute the reduced values on the fly instead of storing them (`mean(square(p - y))` is
one loop). Such a group returns the reduction alone.

A group may also hold UPDATES (Assign, AssignAdd, AssignSub) of variables of its domain's
shape, each the only write of its variable in the run: an optimizer's `m`, `v` and `var`
updates become one loop that reads g, m, v and var once and writes them once (the update
reads its variable in the body, through a VariableV2 copy of its own). An update output's
readers see the new value, as TF1's ref does. What keeps this what the unfused run computes
(`_unsafe_updates`; a group that fails loses its updates and grouping runs again): inside
the group a variable written by it is read only by ops its update depends on (the loop
reads every operand before it writes), and no variable written elsewhere is read; outside,
no reader of a written variable comes to depend on the group unless it already depended
on the update itself (it would see the new value where it saw the old one). The Fused
node runs as a writer (passes/prune.py: after the readers that are ready).

Fused nodes keep provenance: every body op records the op it copies, and the Fused
node records all of them, so a run-time error names the user's op and line.
"""
from __future__ import annotations

import heapq

from graphc.ir.graph import DerivedGraph, Operation
from graphc.ir.ops.fused_ops import BROADCAST_OPS, TRAILING_REDUCTIONS, UPDATES, make_fused, \
    variables_written
from .lower import Lowered, copy_op, exact_or_unique


def fusible(op: Operation) -> bool:
    d = op.opdef
    if not ((d.elementwise or op.type in BROADCAST_OPS) and d.pure and not d.needs_context):
        return False
    if len(op.outputs) != 1 or op.subgraphs:
        return False
    t = op.outputs[0]
    return t.shape.is_fully_defined() and not t.dtype.is_string and all(
        not i.dtype.is_string and i.shape.is_fully_defined() for i in op.inputs)


def fusible_update(op: Operation, writers: dict) -> bool:
    """An Assign/AssignAdd/AssignSub that may join a group: the only write of its variable
    in the run (`writers`: variable name -> number of ops writing it), of the variable's
    full static shape, not locked (its control inputs order the group: see `fuse`)."""
    if op.type not in UPDATES or op.attrs.get("use_locking") or \
            not op.attrs.get("validate_shape", True):
        return False
    ref, value = op.inputs
    if ref.op.type != "VariableV2" or writers.get(ref.op.name) != 1:
        return False
    shape = ref.shape
    return shape.is_fully_defined() and value.shape.is_fully_defined() and \
        value.shape.as_tuple() == shape.as_tuple() == op.outputs[0].shape.as_tuple() and \
        not ref.dtype.is_string and not ref.dtype.is_complex


def may_end_group(op: Operation) -> bool:
    """A float reduction over a static shape: it may end (root) a group."""
    if op.type not in TRAILING_REDUCTIONS:
        return False
    x = op.inputs[0]
    return x.dtype.is_floating and x.shape.is_fully_defined() and \
        op.outputs[0].shape.is_fully_defined()


def find_groups(lowered: Lowered, banned=frozenset()) -> list[list[Operation]]:
    """Groups of two or more ops to fuse, each in topological order (the updates in
    `banned` stay out of them)."""
    ops = lowered.graph.get_operations()
    consumers = _consumers(ops)
    writers = _writers(ops)
    fetched = {t.op for t in lowered.fetches} | set(lowered.targets)

    group: dict[Operation, int] = {}
    domain: list = []          # group id -> output shape of its members
    members: list = []         # group id -> ops, consumers first
    rooted: list = []          # group id -> ends in a reduction (its only output)
    downstream: dict = {}      # op -> bitset of groups reachable from its outputs
    reach: list = []           # group id -> bitset of groups its fused node reaches

    def closure(bits: int) -> int:
        """`bits` with every group reachable from them in the fused graph."""
        todo, covered = bits, 0
        while todo:  # highest id first: the newest groups tend to reach the older ones
            g = todo.bit_length() - 1
            todo &= ~(1 << g)
            if not covered >> g & 1:
                covered |= reach[g]
                todo &= ~covered
        return bits | covered

    def exits(op, g) -> int:
        """Groups reached from `op` through its consumers outside group `g`."""
        out = 0
        for v in consumers[op]:
            h = group.get(v)
            if h != g:
                out |= downstream[v] | (0 if h is None else 1 << h)
        return out

    def new_group(op, shape, is_rooted: bool) -> int:
        g = len(domain)
        domain.append(shape)
        members.append([])
        rooted.append(is_rooted)
        reach.append(closure(exits(op, None)))  # nothing visited reaches `op` yet
        return g

    def join(op, g) -> None:
        gained = closure(exits(op, g))
        if gained & ~reach[g]:  # g and every group reaching g now reach `gained` too
            bit = 1 << g
            for a in range(len(reach)):
                if a == g or reach[a] & bit:
                    reach[a] |= gained

    for op in reversed(ops):
        users = consumers[op]
        down = 0
        for u in users:
            down |= downstream[u]
            if u in group:
                down |= 1 << group[u]
        downstream[op] = down
        if may_end_group(op):
            group[op] = new_group(op, op.inputs[0].shape.as_tuple(), True)
            members[group[op]].append(op)
            continue
        update = op not in banned and fusible_update(op, writers)
        if not update and not fusible(op):
            continue
        shape = op.outputs[0].shape.as_tuple()
        chosen = None
        for u in users:
            g = group.get(u)
            if g is None or domain[g] != shape or g == chosen:
                continue
            if rooted[g] and (update or op in fetched or any(group.get(v) != g for v in users)):
                continue  # a reduction's group returns only the reduction
            if not closure(exits(op, g)) >> g & 1:
                chosen = g
                join(op, g)
                break
        if chosen is None:
            chosen = new_group(op, shape, False)
        group[op] = chosen
        members[chosen].append(op)
    return [list(reversed(m)) for m in members if len(m) > 1 and _worth_fusing(m)]


def _consumers(ops) -> dict:
    consumers: dict = {op: [] for op in ops}
    for op in ops:
        for t in op.inputs:
            consumers[t.op].append(op)
        for c in op.control_inputs:
            consumers[c].append(op)
    return consumers


def _writers(ops) -> dict:
    """Variable name -> how many ops of `ops` write it."""
    count: dict = {}
    for op in ops:
        for name in variables_written(op):
            count[name] = count.get(name, 0) + 1
    return count


def _unsafe_updates(ops, groups, units, unit_of, order, consumers) -> set:
    """The updates of every group that could show a reader another value than the
    unfused run would (see the module's opening comment)."""
    written: dict = {}  # variable name -> (its group's index, its update)
    for k, g in enumerate(groups):
        for op in g:
            if op.type in UPDATES:
                written[op.inputs[0].op.name] = (k, op)
    if not written:
        return set()
    elsewhere = set(_writers(ops)) - set(written)
    bad: set = set()
    for k, g in enumerate(groups):
        ups = [op for op in g if op.type in UPDATES]
        if not ups:
            continue
        inside = set(g)
        before = {}  # update -> the members it depends on, itself included
        for w in ups:
            seen, todo = {w}, [w]
            while todo:
                for t in todo.pop().inputs:
                    if t.op in inside and t.op not in seen:
                        seen.add(t.op)
                        todo.append(t.op)
            before[w] = seen
        for x in g:
            for i, t in enumerate(x.inputs):
                if t.op.type != "VariableV2" or (i == 0 and x.type in UPDATES):
                    continue
                name = t.op.name
                if name in elsewhere or name in written and (
                        written[name][0] != k or x not in before[written[name][1]]):
                    bad.add(k)
    # Outside readers: does a reader's unit depend on the group, and the reader itself
    # on the update? (Bitsets: groups that write, by unit; updates, by op.)
    writes_unit = {k for _, (k, _) in written.items()}
    preds: list = [set() for _ in units]
    for op in ops:
        u = unit_of[op]
        preds[u].update(unit_of[p] for p in [t.op for t in op.inputs] + list(op.control_inputs)
                        if unit_of[p] != u)
    after_unit = [0] * len(units)
    for u in order:
        bits = 0
        for p in preds[u]:
            bits |= after_unit[p] | (1 << p if p in writes_unit else 0)
        after_unit[u] = bits
    update_bit = {w: 1 << j for j, (_, w) in enumerate(written.values())}
    after_op: dict = {}
    for op in ops:
        bits = 0
        for p in [t.op for t in op.inputs] + list(op.control_inputs):
            bits |= after_op[p] | update_bit.get(p, 0)
        after_op[op] = bits
    for v in ops:
        if v.type != "VariableV2" or v.name not in written:
            continue
        k, w = written[v.name]
        for r in consumers[v]:
            if unit_of[r] != k and after_unit[unit_of[r]] >> k & 1 and \
                    not after_op[r] & update_bit[w]:
                bad.add(k)
    return {op for k in bad for op in groups[k] if op.type in UPDATES}


def _worth_fusing(group: list) -> bool:
    work = [op for op in group if op.type not in ("Identity", "StopGradient")]
    return len(work) > 1 and not (len(work) == 2 and may_end_group(work[-1]) and
                                  work[0].type == "Cast")


def fuse(lowered: Lowered) -> Lowered:
    """Replace each group found by `find_groups` with one Fused node."""
    ops = lowered.graph.get_operations()
    consumers = _consumers(ops)
    banned: set = set()
    while True:
        groups = find_groups(lowered, banned)
        if not groups:
            return lowered
        units, unit_of = _units(ops, groups)
        order = _unit_order(ops, units, unit_of)
        unsafe = _unsafe_updates(ops, groups, units, unit_of, order, consumers)
        if not unsafe:
            break
        banned |= unsafe
    escapes = set(lowered.fetches) | {t for op in lowered.targets for t in op.outputs}

    graph = DerivedGraph()
    tensors: dict = {}
    new_ops: dict = {}
    for u in order:
        unit = units[u]
        if u >= len(groups):
            op = unit[0]
            controls = [new_ops[c] for c in op.control_inputs]
            new = copy_op(graph, op, [tensors[t] for t in op.inputs], controls)
            for t, nt in zip(op.outputs, new.outputs):
                # A shape its inputs' partial values gave (a Tile by the FloorDiv of shape
                # vectors TF's Mean_grad makes) still holds when those inputs come from a
                # fused node, which partial_value does not see into.
                if t.shape != nt.shape and t.shape.is_compatible_with(nt.shape):
                    nt.set_shape(t.shape)
            new_ops[op] = new
            tensors.update(zip(op.outputs, new.outputs))
            continue
        outs = [op.outputs[0] for op in unit if op.outputs[0] in escapes or any(
            unit_of[c] != u for c in consumers[op])]
        _emit_group(graph, unit, outs, tensors, new_ops)
    return Lowered(graph, tuple(tensors[t] for t in lowered.feeds),
                tuple(tensors[t] for t in lowered.fetches),
                tuple(new_ops[o] for o in lowered.targets))


def _units(ops, groups) -> tuple:
    """(units, unit_of): the groups, then every other op as a unit of its own."""
    unit_of: dict = {}
    units: list = []
    for g in groups:
        for op in g:
            unit_of[op] = len(units)
        units.append(g)
    for op in ops:
        if op not in unit_of:
            unit_of[op] = len(units)
            units.append([op])
    return units, unit_of


def _unit_order(ops, units, unit_of) -> list[int]:
    """Topological order of the condensed graph, earliest original position first."""
    first = [min(op.id for op in unit) for unit in units]
    deps: list = [set() for _ in units]
    users: list = [[] for _ in units]
    for op in ops:
        u = unit_of[op]
        for p in [t.op for t in op.inputs] + list(op.control_inputs):
            pu = unit_of[p]
            if pu != u and pu not in deps[u]:
                deps[u].add(pu)
                users[pu].append(u)
    indegree = [len(d) for d in deps]
    heap = [(first[u], u) for u in range(len(units)) if indegree[u] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, u = heapq.heappop(heap)
        order.append(u)
        for v in users[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                heapq.heappush(heap, (first[v], v))
    if len(order) != len(units):
        raise AssertionError("fusion produced a cycle: a group is not convex")
    return order


def _emit_group(graph, group, outs, tensors, new_ops) -> None:
    body = DerivedGraph()
    inside = set(group)
    params: dict = {}
    outer_inputs = []
    local: dict = {}
    targets: dict = {}  # an update's variable -> its VariableV2 copy in the body (first:
    for op in group:    # a copy keeps the variable's name, which the state is keyed by)
        if op.type in UPDATES and op.inputs[0] not in targets:
            targets[op.inputs[0]] = copy_op(body, op.inputs[0].op, (), ()).outputs[0]
    for op in group:
        for i, t in enumerate(op.inputs):
            if t.op in inside or t in params or i == 0 and op.type in UPDATES:
                continue
            p = body.create_op("Placeholder", (), {"dtype": t.dtype, "shape": t.shape},
                               name=exact_or_unique(body, t.op.name), site=t.op.site,
                               original=(t.op,))
            params[t] = p.outputs[0]
            outer_inputs.append(tensors[t])
    for op in group:
        inputs = [targets[t] if i == 0 and op.type in UPDATES else
                  local[t] if t.op in inside else params[t] for i, t in enumerate(op.inputs)]
        new = body.create_op(op.type, inputs, op.attrs, name=exact_or_unique(body, op.name),
                             site=op.site, original=(op,))
        local.update(zip(op.outputs, new.outputs))
    # The members' control inputs from outside order the whole Fused node (inside, the
    # body runs in topological order; a read that must see a member's update was refused
    # by _unsafe_updates).
    controls = list(dict.fromkeys(new_ops[c] for op in group for c in op.control_inputs
                                  if c not in inside))
    last = group[-1]
    fused = make_fused(graph, exact_or_unique(graph, last.name + "/fused"), outer_inputs,
                       body, [local[t] for t in outs], site=last.site, original=tuple(group),
                       control_inputs=controls)
    for t, nt in zip(outs, fused.outputs):
        tensors[t] = nt
    for op in group:
        new_ops[op] = fused
