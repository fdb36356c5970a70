"""Session configuration protos TF1 code builds (`ConfigProto`, `GPUOptions`, ...).

Accepted so programs run unchanged; graphc runs on the CPU and ignores placement,
GPU memory and threading options. `graph_options.rewrite_options` is likewise ignored;
pass disabling goes through graphc's own pass manager.
"""
from __future__ import annotations


class _Options:
    """An attribute bag with defaults, like a protobuf message."""

    _defaults: dict = {}

    def __init__(self, **kwargs) -> None:
        for key, value in self._defaults.items():
            setattr(self, key, value() if callable(value) else value)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"

    def CopyFrom(self, other) -> None:
        vars(self).update(vars(other))


class GPUOptions(_Options):
    _defaults = {"allow_growth": False, "per_process_gpu_memory_fraction": 0.0,
                 "visible_device_list": ""}


class OptimizerOptions(_Options):
    L1, L0, DEFAULT = 0, -1, 0
    ON_1, OFF = 1, -1
    _defaults = {"do_common_subexpression_elimination": True, "do_constant_folding": True,
                 "opt_level": 0, "global_jit_level": 0}


class GraphOptions(_Options):
    """`disabled_passes` (graphc's own) names passes of the pipeline to skip."""

    _defaults = {"optimizer_options": OptimizerOptions, "enable_bfloat16_sendrecv": False,
                 "infer_shapes": False, "place_pruned_graph": False, "disabled_passes": list}


class ConfigProto(_Options):
    _defaults = {"allow_soft_placement": False, "log_device_placement": False,
                 "gpu_options": GPUOptions, "graph_options": GraphOptions,
                 "intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
                 "device_count": dict, "operation_timeout_in_ms": 0}


class RunOptions(_Options):
    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3
    _defaults = {"trace_level": 0, "timeout_in_ms": 0, "report_tensor_allocations_upon_oom":
                 False}


class RunMetadata(_Options):
    _defaults = {"step_stats": None, "cost_graph": None, "partition_graphs": list}
