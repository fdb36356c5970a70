"""tf.debugging's process-wide switches, with what they do in graphc.

`enable_check_numerics()` turns on graphc's numerics checks (graphc/numerics_check.py)
for every Session made after it, as GRAPHC_CHECK_NUMERICS=1 or `ConfigProto(
check_numerics=True)` would: the first NaN or Inf a run computes raises
InvalidArgumentError naming the op and the user's line that made it (TF's instruments
the ops built after the call; graphc checks the runs of the Sessions made after it).
`disable_check_numerics()` turns that off again for later Sessions.

`set_log_device_placement(True)` makes the Sessions created after it print, when they
compile a plan, where each op runs, in TF's format (`MatMul: (MatMul):
/job:localhost/replica:0/task:0/device:CPU:0`) — always the CPU — as
`ConfigProto(log_device_placement=True)` does.

Traceback filtering is kept and returned: graphc does not rewrite tracebacks; each of its
errors names the op and the user's line instead (ir/site.py).
"""
from __future__ import annotations

import sys

__all__ = ["enable_check_numerics", "disable_check_numerics", "get_log_device_placement",
           "set_log_device_placement", "enable_traceback_filtering",
           "disable_traceback_filtering", "is_traceback_filtering_enabled"]

_switches = {"check_numerics": False, "log_device_placement": False,
             "traceback_filtering": True}
CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


def enable_check_numerics(stack_height_limit: int = 30, path_length_limit: int = 50) -> None:
    """Check every float result of the runs of Sessions made from now on (the limits,
    TF's report sizes, are accepted: graphc names the op and its line)."""
    _switches["check_numerics"] = True


def disable_check_numerics() -> None:
    _switches["check_numerics"] = False


def check_numerics_enabled() -> bool:
    return _switches["check_numerics"]


def get_log_device_placement() -> bool:
    return _switches["log_device_placement"]


def set_log_device_placement(enabled: bool) -> None:
    _switches["log_device_placement"] = bool(enabled)


def log_placement(fetches: list, targets: list) -> None:
    """Print the device (the CPU) of each op a run needs, TF's log_device_placement."""
    seen, stack = {}, [t.op for t in fetches] + list(targets)
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen[op] = None
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    for op in sorted(seen, key=lambda o: o.id):
        print(f"{op.name}: ({op.type}): {CPU_DEVICE}", file=sys.stderr)


def enable_traceback_filtering() -> None:
    _switches["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    _switches["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    return _switches["traceback_filtering"]
