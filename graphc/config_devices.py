"""`tf.config`'s devices, placement and function switches, and `tf.config.optimizer`, with
what they mean in graphc.

graphc runs every op on the host CPU: there is one physical device,
`/physical_device:CPU:0`, and no GPU (listing GPUs gives []). The CPU can be split into
logical devices as TF allows (`set_logical_device_configuration`); they are listed, and
device strings naming them are accepted by `tf.device`, but placement is a no-op: all of
them are the one CPU. Hiding the CPU is refused (nothing could run). Unlike TF, nothing
is fixed by a runtime's initialization, so these may be changed at any time.

Soft placement: graphc ignores device annotations, so every placement is soft; the switch
is kept and returned. graphc is define-then-run only: `functions_run_eagerly()` is False
and `run_functions_eagerly(True)` is refused.

`tf.config.optimizer.set_experimental_options` is honoured by the Sessions made after it:
TF's grappler options map onto graphc's passes (passes/manager.py) — `constant_folding`
onto fold_constants, `arithmetic_optimization` onto simplify,
`common_subgraph_elimination` onto cse, `remapping` onto
fuse and fuse_conv, `disable_meta_optimizer` onto all of these — and `False` skips them
(as `ConfigProto.graph_options.disabled_passes`). The other options are kept and
returned, as TF returns them. `set_jit` is kept and returned: graphc has no XLA; its llvm
backend compiles every plan whatever the switch says (GRAPHC_BACKEND chooses backends).
"""
from __future__ import annotations

import collections
from typing import Optional

__all__ = ["PhysicalDevice", "LogicalDevice", "LogicalDeviceConfiguration",
           "list_physical_devices", "list_logical_devices", "get_visible_devices",
           "set_visible_devices", "get_logical_device_configuration",
           "set_logical_device_configuration", "get_soft_device_placement",
           "set_soft_device_placement", "functions_run_eagerly", "run_functions_eagerly",
           "experimental_functions_run_eagerly", "experimental_run_functions_eagerly",
           "OPTIMIZER"]

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])


class LogicalDeviceConfiguration(collections.namedtuple(
        "LogicalDeviceConfiguration",
        ["memory_limit", "experimental_priority", "experimental_device_ordinal"])):
    """TF's configuration of one logical device (graphc keeps it; the CPU is shared)."""

    def __new__(cls, memory_limit=None, experimental_priority=None,
                experimental_device_ordinal=None):
        return super().__new__(cls, memory_limit, experimental_priority,
                               experimental_device_ordinal)


CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_state = {"logical": None, "soft_placement": True, "jit": "",
          "options": {}}


def _of_type(devices: list, device_type: Optional[str]) -> list:
    return [d for d in devices if device_type is None or d.device_type == device_type]


def list_physical_devices(device_type: Optional[str] = None) -> list:
    """TF's physical devices of `device_type` ("CPU", "GPU", ...; None for all)."""
    return _of_type([CPU], device_type)


def get_visible_devices(device_type: Optional[str] = None) -> list:
    return _of_type([CPU], device_type)  # (the CPU, always: see set_visible_devices)


def set_visible_devices(devices, device_type: Optional[str] = None) -> None:
    """The physical devices graphc may use: the CPU, which cannot be hidden."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    for d in devices:
        if d not in list_physical_devices():
            raise ValueError(f"Unrecognized device: {d!r}")
    if CPU not in devices and device_type in (None, "CPU"):
        raise ValueError("graphc runs every op on the CPU: it cannot be made invisible")


def get_logical_device_configuration(device: PhysicalDevice) -> Optional[list]:
    _check_device(device)
    return None if _state["logical"] is None else list(_state["logical"])


def set_logical_device_configuration(device: PhysicalDevice, logical_devices) -> None:
    """Split the CPU into logical devices `/device:CPU:0`, `/device:CPU:1`, ... (device
    strings naming them are accepted; they all run on the one CPU); None undoes it."""
    _check_device(device)
    if logical_devices is None:
        _state["logical"] = None
        return
    logical_devices = list(logical_devices)
    if not logical_devices or not all(isinstance(c, LogicalDeviceConfiguration)
                                      for c in logical_devices):
        raise ValueError("logical_devices must be a non-empty list of "
                         "tf.config.LogicalDeviceConfiguration")
    _state["logical"] = logical_devices


def _check_device(device) -> None:
    if device not in list_physical_devices():
        raise ValueError(f"Unrecognized device: {device!r}")


def list_logical_devices(device_type: Optional[str] = None) -> list:
    count = len(_state["logical"] or [None])
    return _of_type([LogicalDevice(f"/device:CPU:{i}", "CPU") for i in range(count)],
                    device_type)


def get_soft_device_placement() -> bool:
    return _state["soft_placement"]


def set_soft_device_placement(enabled: bool) -> None:
    """Kept and returned: graphc ignores device annotations, so placement is soft."""
    _state["soft_placement"] = bool(enabled)


def functions_run_eagerly() -> bool:
    return False


def run_functions_eagerly(run_eagerly: bool) -> None:
    """graphc has no eager mode: False is accepted, True refused."""
    if run_eagerly:
        raise NotImplementedError("graphc is a define-then-run graph compiler: functions "
                                  "cannot run eagerly")


experimental_functions_run_eagerly = functions_run_eagerly
experimental_run_functions_eagerly = run_functions_eagerly

# TF's grappler options (RewriterConfig) that name graphc passes: False skips them.
_OPTION_PASSES = {"constant_folding": ("fold_constants",),
                  "arithmetic_optimization": ("simplify",),
                  "common_subgraph_elimination": ("cse",),
                  "remapping": ("fuse", "fuse_conv"),
                  "disable_meta_optimizer": ("fold_constants", "simplify", "cse", "fuse",
                                             "fuse_conv")}
_OPTIONS = ("layout_optimizer", "constant_folding", "shape_optimization", "remapping",
            "arithmetic_optimization", "dependency_optimization", "loop_optimization",
            "function_optimization", "debug_stripper", "disable_model_pruning",
            "scoped_allocator_optimization", "pin_to_host_optimization",
            "implementation_selector", "auto_mixed_precision", "disable_meta_optimizer",
            "min_graph_nodes", "auto_parallel", "common_subgraph_elimination")


def get_experimental_options() -> dict:
    """The options set, with TF's two defaults."""
    return {**_state["options"], "disable_model_pruning": _state["options"].get(
        "disable_model_pruning", False), "disable_meta_optimizer": _state["options"].get(
            "disable_meta_optimizer", False)}


def set_experimental_options(options: dict) -> None:
    """TF's grappler options; those naming graphc passes apply to later Sessions."""
    unknown = set(options) - set(_OPTIONS)
    if unknown:
        raise ValueError(f"Unknown optimizer option(s) {sorted(unknown)}; TF's are "
                         f"{', '.join(_OPTIONS)}")
    _state["options"].update(options)


def disabled_passes() -> tuple:
    """The graphc passes the options set so far turn off (read by each new Session)."""
    off = []
    for option, passes in _OPTION_PASSES.items():
        turned_off = option == "disable_meta_optimizer"  # (its True turns passes off)
        if _state["options"].get(option) is turned_off:
            off.extend(p for p in passes if p not in off)
    return tuple(off)


def get_jit() -> str:
    return _state["jit"]


def set_jit(enabled) -> None:
    """Kept and returned as TF's ("autoclustering" for True); see the module doc."""
    if enabled not in (True, False, "autoclustering", ""):
        raise ValueError(f"set_jit takes True, False or 'autoclustering', got {enabled!r}")
    _state["jit"] = "autoclustering" if enabled in (True, "autoclustering") else ""


OPTIMIZER = {"get_jit": get_jit, "set_jit": set_jit,
             "get_experimental_options": get_experimental_options,
             "set_experimental_options": set_experimental_options}
