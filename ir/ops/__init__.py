"""Op definitions and builders, one module per family. Importing registers them all.

The order below is the layering: a module imports only modules listed before it, and
never inside a function; a name is imported from the module that defines it (families
do not re-export each other). A family's gradient rules that build ops of a family
listed after it live in a `*_grads` module listed after both (`math_grads`,
`array_grads`), attached with `registry.set_vjp`. A new family goes after what it
imports. tests/test_architecture.py checks all of this.
"""
# helpers that define no op: the strided-slice spec, shape arithmetic; the builders' base
from . import _slice_spec, _shape_arithmetic, _base  # noqa: F401
# Const, Placeholder, Identity; variables
from . import core_ops, state_ops  # noqa: F401
# arrays, broadcasting, elementwise math and cast, generators, math's remaining gradients
from . import array_ops, split_ops, tile_pad_ops, grad_ops, math_ops, generator_ops, math_grads  # noqa: F401
# reductions; matmul, add_n, cumsum; indexing; the array family's gradients; scatters
# (into tensors, then into variables)
from . import reduce_ops, matmul_ops, slicing_ops, array_grads, scatter_ops  # noqa: F401
from . import scatter_state_ops  # noqa: F401
# families built on those
from . import random_ops, nn_ops, norm_ops, conv_geometry, conv_ops, conv3d_ops, space_ops  # noqa: F401
from . import morphology_ops, index_ops, fractional_pool_ops  # noqa: F401
from . import debug_ops, control_flow_ops, tensor_array_ops, stack_ops, dataset_ops  # noqa: F401
from . import parsing_ops, summary_ops, collective_ops, fused_ops, identity_n_ops  # noqa: F401
from . import special_ops, trig_ops, segment_ops, sort_ops, sequence_ops  # noqa: F401
from . import partition_ops, diag_ops, linalg_ops, eig_ops, einsum_ops  # noqa: F401
from . import matfunc_ops  # noqa: F401
from . import vector_ops, math_compositions, image_ops  # noqa: F401
from . import candidate_sampling_ops, ctc_ops, png_ops, nms_ops, nms_padded_ops  # noqa: F401
from . import box_image_ops, distorted_box_ops, glimpse_ops  # noqa: F401
from . import fused_conv_ops  # noqa: F401
from . import queue_ops  # noqa: F401
from . import sparse_ops, sparse_combine_ops, edit_distance_ops  # noqa: F401
from . import accumulator_ops  # noqa: F401
from . import critical_section_ops  # noqa: F401
from . import session_tensor_ops  # noqa: F401
from . import string_ops, string_split_ops, string_hash_ops, ragged_string_ops  # noqa: F401
from . import ragged_cross_ops  # noqa: F401
from . import py_func_ops  # noqa: F401
from . import random_dist_ops  # noqa: F401
from . import string_io_ops  # noqa: F401
from . import beam_search_ops  # noqa: F401
from . import set_ops  # noqa: F401
from . import bessel_ops  # noqa: F401
from . import special_inverse_ops, special_integral_ops, bitwise_ops  # noqa: F401
from . import random_stateless_ops  # noqa: F401
from . import complex_ops  # noqa: F401
from . import spectral_ops  # noqa: F401
from . import image_codec_ops  # noqa: F401
from . import fake_quant_ops  # noqa: F401
from . import serialization_ops, sparse_feature_ops  # noqa: F401
