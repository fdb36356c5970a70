"""Session configuration protos TF1 code builds (`ConfigProto`, `GPUOptions`, ...).

Accepted so programs run unchanged; graphc runs on the CPU and ignores placement and
GPU memory options. `intra_op_parallelism_threads` sizes the llvm backend's thread pool
(backends/llvm/threadpool.py; 0 = one thread per core); `inter_op_parallelism_threads` is
accepted (one run is one native call: there are no ops to schedule across threads).
`tf.config.threading` sets and reads the same counts (graphc/config_threading.py).
`ConfigProto(check_numerics=True)` is graphc's own: every float result of a run is checked
for NaN and Inf (as GRAPHC_CHECK_NUMERICS=1; graphc/numerics_check.py).
`graph_options.rewrite_options` is likewise ignored; pass disabling goes through graphc's
own pass manager.
"""
from __future__ import annotations

from . import config_threading as threading  # tf.config.threading  # noqa: F401
from .protos import run_metadata as _run_metadata


class _Options:
    """An attribute bag with defaults, like a protobuf message: it has TF1's fields (the
    ones graphc reads get defaults; the rest, which it ignores, are None) and refuses any
    other name as protobuf does, so a misspelt option is an error, never ignored."""

    _defaults: dict = {}
    _ignored: tuple = ()  # TF1's other fields

    def __init__(self, **kwargs) -> None:
        for key, value in self._defaults.items():
            setattr(self, key, value() if callable(value) else value)
        for key in self._ignored:
            setattr(self, key, None)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def __setattr__(self, key: str, value) -> None:
        if key not in self._defaults and key not in self._ignored:
            raise ValueError(f'Protocol message {type(self).__name__} has no "{key}" field.')
        object.__setattr__(self, key, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"

    def CopyFrom(self, other) -> None:
        vars(self).update(vars(other))


class GPUOptions(_Options):
    _defaults = {"allow_growth": False, "per_process_gpu_memory_fraction": 0.0,
                 "visible_device_list": ""}
    _ignored = ("allocator_type", "deferred_deletion_bytes", "polling_active_delay_usecs",
                "polling_inactive_delay_msecs", "force_gpu_compatible", "experimental")


class OptimizerOptions(_Options):
    L1, L0, DEFAULT = 0, -1, 0
    ON_1, OFF = 1, -1
    _defaults = {"do_common_subexpression_elimination": True, "do_constant_folding": True,
                 "opt_level": 0, "global_jit_level": 0}
    _ignored = ("max_folded_constant_in_bytes", "do_function_inlining", "cpu_global_jit")


class GraphOptions(_Options):
    """`disabled_passes` (graphc's own) names passes of the pipeline to skip."""

    _defaults = {"optimizer_options": OptimizerOptions, "enable_bfloat16_sendrecv": False,
                 "infer_shapes": False, "place_pruned_graph": False, "disabled_passes": list}
    _ignored = ("enable_recv_scheduling", "build_cost_model", "build_cost_model_after",
                "timeline_step", "rewrite_options")


class ConfigProto(_Options):
    _defaults = {"allow_soft_placement": False, "log_device_placement": False,
                 "gpu_options": GPUOptions, "graph_options": GraphOptions,
                 "intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
                 "device_count": dict, "operation_timeout_in_ms": 0,
                 "check_numerics": False}
    _ignored = ("use_per_session_threads", "session_inter_op_thread_pool", "placement_period",
                "device_filters", "pluggable_device_options", "rpc_options", "cluster_def",
                "isolate_session_state", "share_cluster_devices_in_session", "experimental")


# RunOptions and RunMetadata are protocol buffers (graphc/protos/run_metadata.py): a run
# fills RunMetadata's step stats and partition graphs, which FileWriter.add_run_metadata
# serializes for TensorBoard and timeline.Timeline reads.
RunOptions = _run_metadata.RunOptions
RunMetadata = _run_metadata.RunMetadata
