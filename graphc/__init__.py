"""graphc: a define-then-run (TF1-style) graph compiler. `import graphc as tf`.

This package is the TF1 facade: it gives the builders of `graphc.ir` their TF1 names and
re-exports the Session, variables, initializers and TF1's surrounding surface.
"""
import os as _os
import sys as _sys

# A source checkout on PYTHONPATH (its layers beside this folder, not inside it): its own
# ir/, passes/ and backends/ are graphc.ir, graphc.passes and graphc.backends, found before
# any editable install of another checkout (whose finder maps them to that checkout).
_root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if not _os.path.isdir(_os.path.join(_os.path.dirname(__file__), "ir")) and all(
        _os.path.isfile(_os.path.join(_root, _f))
        for _f in ("pyproject.toml", "ir/__init__.py", "passes/__init__.py",
                   "backends/__init__.py")):
    __path__.append(_root)

from .ir import site as _site  # noqa: E402

for _d in ("", "../ir", "../passes", "../backends"):
    _p = _os.path.normpath(_os.path.join(_os.path.dirname(__file__), _d))
    if _os.path.isdir(_p):
        _site.register_internal_dir(_p)

from ._version import __version__  # noqa: E402
VERSION = __version__
GIT_VERSION = __version__

from .ir import dtypes as _dtypes_module  # noqa: E402
from .ir import errors  # noqa: E402,F401
from .ir.dtypes import (DType, as_dtype, float16, float32, float64, int8, int16,  # noqa: E402,F401
                        int32, int64, uint8, string, complex64, complex128)
from .ir.dtypes import bool_ as bool  # noqa: E402,F401  (tf.bool)
from .ir.graph import Graph, Operation, Tensor  # noqa: E402,F401
from .ir.shapes import Dimension, TensorShape  # noqa: E402,F401
from .ir.registry import NON_DIFFERENTIABLE as _ND  # noqa: E402,F401
from .ir.ops._base import convert_to_tensor  # noqa: E402,F401
from .ir.ops.core_ops import (constant, group, identity, no_op, placeholder,  # noqa: E402,F401
                              placeholder_with_default, stop_gradient)
from .ir.ops.core_ops import tuple_ as tuple  # noqa: E402,F401
from .ir.ops.state_ops import assign, assign_add, assign_sub  # noqa: E402,F401
from .ir.ops.math_ops import *  # noqa: E402,F401,F403
from .ir.ops.reduce_ops import *  # noqa: E402,F401,F403
from .ir.ops.matmul_ops import *  # noqa: E402,F401,F403
from .ir.ops.array_ops import *  # noqa: E402,F401,F403
from .ir.ops.split_ops import split  # noqa: E402,F401
from .ir.ops.tile_pad_ops import *  # noqa: E402,F401,F403
from .ir.ops.slicing_ops import *  # noqa: E402,F401,F403
from .ir.ops.generator_ops import *  # noqa: E402,F401,F403
from .ir.ops.random_ops import *  # noqa: E402,F401,F403
from .ir.ops.array_grads import scatter_nd, unsorted_segment_sum  # noqa: E402,F401
from .ir.ops.scatter_ops import tensor_scatter_nd_max, tensor_scatter_nd_min  # noqa: E402,F401
from .ir.ops.scatter_state_ops import *  # noqa: E402,F401,F403  (scatters into variables)
from .ir.ops._base import register_tensor_conversion_function  # noqa: E402,F401
from .ir.ops.space_ops import (batch_to_space, batch_to_space_nd,  # noqa: E402,F401
                               depth_to_space, extract_image_patches, space_to_batch,
                               space_to_batch_nd, space_to_depth)
from .api import (add_to_collection, add_to_collections, colocate_with,  # noqa: E402,F401
                  container, control_dependencies, device, disable_eager_execution,
                  disable_v2_behavior, enable_eager_execution, executing_eagerly,
                  get_collection, get_collection_ref, get_default_graph,
                  get_default_session, import_graph_def, name_scope,
                  reset_default_graph)
from .ir.serialize import GraphFileError  # noqa: E402,F401
from .protos import (AttrValue, GraphDef, MetaGraphDef, NodeDef,  # noqa: E402,F401
                     TensorProto, TensorShapeProto, make_ndarray, make_tensor_proto)
from .session import InteractiveSession, Session  # noqa: E402,F401
from .indexed_slices import (IndexedSlices, IndexedSlicesValue,  # noqa: E402,F401
                             convert_to_tensor_or_indexed_slices)
from .variables import (GraphKeys, Variable, all_variables,  # noqa: E402,F401
                        global_variables, global_variables_initializer,
                        initialize_all_variables, initialize_local_variables,
                        initialize_variables, is_variable_initialized, local_variables,
                        local_variables_initializer, model_variables,
                        moving_average_variables, trainable_variables,
                        variables_initializer)
from .variable_scope import (AUTO_REUSE, VariableScope, get_variable,  # noqa: E402,F401
                             get_variable_scope, variable_op_scope, variable_scope)
from .init_ops import (constant_initializer, glorot_normal_initializer,  # noqa: E402,F401
                       glorot_uniform_initializer, identity_initializer, initializers,
                       ones_initializer, orthogonal_initializer, random_normal_initializer,
                       random_uniform_initializer, truncated_normal_initializer,
                       uniform_unit_scaling_initializer, variance_scaling_initializer,
                       zeros_initializer)
from .partitioned_variables import (fixed_size_partitioner,  # noqa: E402,F401
                                    min_max_variable_partitioner,
                                    variable_axis_size_partitioner)
from .variable_scope import create_partitioned_variables  # noqa: E402,F401
from .framework_names import *  # noqa: E402,F401,F403  (graph-level names and switches)
from .config import (ConfigProto, GPUOptions, GraphOptions, OptimizerOptions,  # noqa: E402,F401
                     RunMetadata, RunOptions)
from . import app, layers, logging, nn, random, summary  # noqa: E402,F401
from . import image  # noqa: E402,F401
from .image import random_crop  # noqa: E402,F401
from .summary import Summary  # noqa: E402,F401
from .graphdef import graph_util  # noqa: E402,F401
from . import graphdef as _graphdef  # noqa: E402,F401  (Graph.as_graph_def writes TF's GraphDef)
from .graphdef.functional_export import (control_flow_v2_enabled,  # noqa: E402,F401
                                         disable_control_flow_v2, enable_control_flow_v2)
from . import compat, losses, train  # noqa: E402,F401
from . import saved_model  # noqa: E402,F401
from . import metrics  # noqa: E402,F401
from . import test_util as test  # noqa: E402,F401  (tf.test)
from . import sysconfig  # noqa: E402,F401
from .sysconfig import compiler_version as _compiler_version  # noqa: E402
from .template import make_template  # noqa: E402,F401
from .custom_gradient import custom_gradient, hessians  # noqa: E402,F401
from .ir.ops.identity_n_ops import identity_n  # noqa: E402,F401
from .lookup import tables_initializer  # noqa: E402,F401
from .lookup import tables_initializer as initialize_all_tables  # noqa: E402,F401
from . import lookup as _lookup  # noqa: E402
from .train.input import (FixedLengthRecordReader, IdentityReader,  # noqa: E402,F401
                          TextLineReader, TFRecordReader, WholeFileReader)
from .clip_ops import (clip_by_average_norm, clip_by_global_norm, clip_by_norm,  # noqa: E402,F401
                       global_norm)
from .contrib import contrib  # noqa: E402,F401
from .passes.gradients import gradients  # noqa: E402,F401
from .control_flow import (case, cond, foldl, foldr, map_fn, scan,  # noqa: E402,F401
                           while_loop)
from .tensor_array import TensorArray  # noqa: E402,F401
from .rnn_cell import reverse_sequence  # noqa: E402,F401
from .ir.ops.control_flow_ops import assert_ as Assert  # noqa: E402,F401
from . import debugging  # noqa: E402,F401
from .debugging import (Print, add_check_numerics_ops, assert_equal,  # noqa: E402,F401
                        assert_greater, assert_greater_equal, assert_less, assert_less_equal,
                        assert_negative, assert_non_negative, assert_non_positive,
                        assert_none_equal, assert_positive, assert_rank, assert_type,
                        check_numerics, verify_tensor_all_finite)
from .debugging import print_ as print  # noqa: E402,F401,A001  (tf.print)
from . import nest  # noqa: E402,F401
from . import profiler, python  # noqa: E402,F401  (tf.profiler; graphc.python.client.timeline)
from .python.client import timeline as _timeline  # noqa: E402,F401
from . import data  # noqa: E402,F401
from .tfrecord import python_io  # noqa: E402,F401
from .parsing import (FixedLenFeature, FixedLenSequenceFeature, SparseFeature,  # noqa: E402,F401
                      SparseTensor, SparseTensorValue, VarLenFeature, decode_raw, io,
                      parse_example,
                      parse_single_example, parse_single_sequence_example)
from .ir.naming import rename as _rename  # noqa: E402

_rename(tuple, "tuple")  # the builders' public names (their ir names end in "_")
_rename(Assert, "Assert")

newaxis = None
COMPILER_VERSION = _compiler_version()
flags = app.flags  # tf.flags (graphc/flags.py; the module is graphc.flags)
compat.v1 = _sys.modules[__name__]
from .ir.registry import NotDifferentiable, RegisterGradient, no_gradient  # noqa: E402,F401
from . import gfile  # noqa: E402,F401
io.gfile = gfile.io_gfile
from .queues import (FIFOQueue, PaddingFIFOQueue, QueueBase,  # noqa: E402,F401
                     RandomShuffleQueue)
io.PaddingFIFOQueue, io.RandomShuffleQueue, io.QueueBase = (PaddingFIFOQueue,
                                                            RandomShuffleQueue, QueueBase)
from .namespaces import (arg_max, arg_min, dimension_at_index, dimension_value,  # noqa: E402,F401
                         get_local_variable, is_tensor, linalg, manip, math,
                         matrix_transpose, reverse_v2)
from .math_ext import *  # noqa: E402,F401,F403
from .namespaces import TF1Namespace as _NS  # noqa: E402
from .sparse_functions import *  # noqa: E402,F401,F403  (TF1's top-level sparse_* names)
from .sparse_functions import SPARSE as _SPARSE  # noqa: E402
sparse = _NS("sparse", _SPARSE)
from .string_functions import *  # noqa: E402,F401,F403  (TF1's top-level string names)
from .string_functions import STRINGS as _STRINGS  # noqa: E402
strings = _NS("strings", _STRINGS)
from .ragged import RAGGED as _RAGGED, RaggedTensor  # noqa: E402,F401
from .ir.ops.string_hash_ops import fingerprint  # noqa: E402,F401
from .ragged_extra import RAGGED as _RAGGED_EXTRA, TOP_LEVEL as _RAGGED_TOP  # noqa: E402
ragged = _NS("ragged", {**_RAGGED, **_RAGGED_EXTRA})
globals().update(_RAGGED_TOP)  # TF1's raw ops ragged_fill_empty_rows(_grad)
from .unicode_strings import STRINGS_RAGGED as _STRINGS_RAGGED  # noqa: E402
for _name, _f in _STRINGS_RAGGED.items():
    setattr(strings, _name, _f)  # (graphc/unicode_strings.py)
from .script_ops import numpy_function, py_func, py_function  # noqa: E402,F401
from .ir.ops.string_io_ops import (decode_base64, decode_csv, encode_base64,  # noqa: E402,F401
                                   matching_files, read_file, write_file)
for _f in (decode_base64, decode_csv, encode_base64, matching_files, read_file, write_file):
    setattr(io, _f.__name__, _f)  # (tf.io has them too)
from .ir.ops.random_dist_ops import multinomial, random_gamma, random_poisson  # noqa: E402,F401
from .random import get_seed  # noqa: E402,F401
lookup = _NS("lookup", {n: getattr(_lookup, n) for n in (
    "KeyValueTensorInitializer", "StaticHashTable", "StaticVocabularyTable",
    "TextFileInitializer", "TextFileIndex")})
queue = _NS("queue", {"FIFOQueue": FIFOQueue, "PaddingFIFOQueue": PaddingFIFOQueue,
                     "RandomShuffleQueue": RandomShuffleQueue, "QueueBase": QueueBase})
version = _NS("version", {"VERSION": VERSION, "GIT_VERSION": GIT_VERSION,
                          "COMPILER_VERSION": COMPILER_VERSION})
from google.protobuf import text_format as _text_format  # noqa: E402
from .ir.graph import set_operation_printer as _set_operation_printer  # noqa: E402
_set_operation_printer(lambda op: _text_format.MessageToString(summary.node_def(op)))
from .sets import SETS as _SETS  # noqa: E402
sets = _NS("sets", _SETS)
from .metrics_at_k import AT_K as _AT_K  # noqa: E402
for _name, _f in _AT_K.items():
    setattr(metrics, _name, _f)  # (tf.metrics' *_at_k, graphc/metrics_at_k.py)
from .debugging_checks import *  # noqa: E402,F401,F403  (the rest of TF1's check_ops)
from .debugging_checks import CHECKS as _CHECKS  # noqa: E402
for _name, _f in {**_CHECKS, "is_non_decreasing": is_non_decreasing,  # noqa: F405
                  "is_strictly_increasing": is_strictly_increasing}.items():  # noqa: F405
    setattr(debugging, _name, _f)
from .nn_extra import NN as _NN_EXTRA, approx_top_k  # noqa: E402,F401
for _name, _f in _NN_EXTRA.items():
    setattr(nn, _name, _f)  # (graphc/nn_extra.py)
from .array_extra import (ensure_shape, histogram_fixed_width_bins,  # noqa: E402,F401
                          parallel_stack, realdiv, repeat, switch_case, timestamp,
                          unravel_index)
from .image_boxes import IMAGE_BOXES as _IMAGE_BOXES  # noqa: E402
for _name, _f in _IMAGE_BOXES.items():
    setattr(image, _name, _f)  # (graphc/image_boxes.py)
from .nn_pool import NN_POOL as _NN_POOL, required_space_to_batch_paddings  # noqa: E402,F401
for _name, _f in _NN_POOL.items():
    setattr(nn, _name, _f)  # (graphc/nn_pool.py)
for _name in ("approx_max_k", "approx_min_k"):
    setattr(math, _name, _NN_EXTRA[_name])
from . import linalg_extra as _linalg_extra  # noqa: E402
for _name, _f in _linalg_extra.LINALG.items():
    setattr(linalg, _name, _f)
from .linalg_extra import matrix_square_root  # noqa: E402,F401
from . import linear_operator as _lo, linear_operator_diag as _lod  # noqa: E402
from . import linear_operator_circulant as _loc, linear_operator_structured as _los  # noqa: E402
for _module in (_lo, _lod, _loc, _los):
    for _name in _module.__all__:
        setattr(linalg, _name, getattr(_module, _name))  # (the LinearOperator family)
from .math_ext import BITWISE as _BITWISE, SPECIAL as _SPECIAL  # noqa: E402
math.special = _NS("math.special", _SPECIAL)
bitwise = _NS("bitwise", _BITWISE)
from .ir.ops.complex_ops import *  # noqa: E402,F401,F403  (tf.complex, real, imag, conj, ...)
from .signal import SIGNAL as _SIGNAL, SPECTRAL as _SPECTRAL  # noqa: E402
from . import signal_nd as _signal_nd  # noqa: E402
signal = _NS("signal", {**_SIGNAL, **{n: getattr(_signal_nd, n) for n in _signal_nd.__all__}})
globals().update(_signal_nd.RAW)   # TF1's top-level raw ops tf.fftnd, ifftnd, rfftnd, irfftnd
spectral = _NS("spectral", _SPECTRAL)
from .ir.ops.spectral_ops import (fft, fft2d, fft3d, ifft, ifft2d, ifft3d)  # noqa: E402,F401
from .image_codecs import CODECS as _CODECS  # noqa: E402
for _f in _CODECS.values():
    setattr(io, _f.__name__, _f)  # (tf.io has the image file functions too)
from .resource_loader import RESOURCE_LOADER as _RESOURCE_LOADER  # noqa: E402
resource_loader = _NS("resource_loader", _RESOURCE_LOADER)
from .mixed_precision import MIXED_PRECISION as _MIXED_PRECISION  # noqa: E402
mixed_precision = _NS("mixed_precision", _MIXED_PRECISION)
from . import summary_extra as _summary_extra  # noqa: E402
for _name in _summary_extra.__all__:
    setattr(summary, _name, getattr(_summary_extra, _name))  # (the rest of tf.summary)
# tf.dtypes: the dtypes and TF1's functions there (TF1's module also holds cast & co.)
dtypes = _NS("dtypes", {**{n: getattr(_dtypes_module, n) for n in dir(_dtypes_module)
                           if not n.startswith("_")},
                        "cast": cast, "saturate_cast": saturate_cast,  # noqa: F405
                        "complex": complex, "as_string": as_string})  # noqa: F405
from . import config_devices as _config_devices  # noqa: E402
for _name in _config_devices.__all__[:-1]:
    setattr(config, _name, getattr(_config_devices, _name))  # (tf.config's devices & switches)
config.optimizer = _NS("config.optimizer", _config_devices.OPTIMIZER)
from . import debugging_switches as _debugging_switches  # noqa: E402
for _name in _debugging_switches.__all__:
    setattr(debugging, _name, getattr(_debugging_switches, _name))
get_logger = logging.get_logger
from .ir.ops.fake_quant_ops import *  # noqa: E402,F401,F403  (TF1's fake_quant_* ops)
from .edit_distance import edit_distance  # noqa: E402,F401
from .serialization import *  # noqa: E402,F401,F403  (serialize_tensor, parse_tensor, ...)
from .serialization import AUDIO as _AUDIO, IO as _IO_SERIALIZATION  # noqa: E402
audio = _NS("audio", _AUDIO)
for _name, _f in _IO_SERIALIZATION.items():
    setattr(io, _name, _f)  # (graphc/serialization.py)
sparse.mask = sparse_mask  # noqa: F405
io.match_filenames_once, io.write_graph = train.match_filenames_once, train.write_graph
graph_util.import_graph_def = import_graph_def  # noqa: F405
from .image_extra import IMAGE_EXTRA as _IMAGE_EXTRA  # noqa: E402
for _name, _f in _IMAGE_EXTRA.items():
    setattr(image, _name, _f)  # (graphc/image_extra.py)
from .conv_raw import *  # noqa: E402,F401,F403  (TF1's raw conv, conv2d_backprop_*_v2, ...)
from .accumulators import ConditionalAccumulator, ConditionalAccumulatorBase  # noqa: E402,F401
from .queues import PriorityQueue  # noqa: E402,F401
io.PriorityQueue = queue.PriorityQueue = PriorityQueue
from .gradient_tape import GradientTape  # noqa: E402,F401
from .gradient_utils import (grad_pass_through, is_symbolic_tensor,  # noqa: E402,F401
                             recompute_grad)
NoGradient = NotDifferentiable
OpError = errors.OpError
from .ir.ops.core_ops import guarantee_const  # noqa: E402,F401
from .variables import variable_creator_scope  # noqa: E402,F401
from .tf_function import function, wrap_function  # noqa: E402,F401
from .type_specs import (IndexedSlicesSpec, NoneTensorSpec, OptionalSpec,  # noqa: E402,F401
                         RaggedTensorSpec, SparseTensorSpec, TensorArraySpec,
                         type_spec_from_value)
from .control_flow import CriticalSection, vectorized_map  # noqa: E402,F401
from .session_handles import (delete_session_tensor, get_session_handle,  # noqa: E402,F401
                              get_session_tensor)
from .protos import NameAttrList, TensorInfo  # noqa: E402,F401
from .protos.event import SessionLog  # noqa: E402,F401
from .protos.summary import Event, HistogramProto, LogMessage, SummaryMetadata  # noqa: E402,F401
summary.Event = Event
