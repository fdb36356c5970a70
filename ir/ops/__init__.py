"""Op definitions and builders, one module per family. Importing registers them all."""
from . import _base, core_ops, state_ops, grad_ops  # noqa: F401
from . import math_ops, array_ops, nn_ops, random_ops  # noqa: F401
from . import array_grads  # noqa: F401  (attaches the array family's VJP rules)
from . import tile_pad_ops, slicing_ops, generator_ops, fused_ops, summary_ops  # noqa: F401
from . import math_grads  # noqa: F401
from . import conv_ops, control_flow_ops, tensor_array_ops, dataset_ops  # noqa: F401
from . import parsing_ops, collective_ops  # noqa: F401
from . import debug_ops  # noqa: F401
from . import special_ops, segment_ops, sort_ops, sequence_ops  # noqa: F401
from . import diag_ops, linalg_ops, scatter_ops, einsum_ops, vector_ops, eig_ops  # noqa: F401
from . import identity_n_ops  # noqa: F401
from . import trig_ops, math_compositions, partition_ops  # noqa: F401
from . import space_ops, conv3d_ops, image_ops  # noqa: F401
from . import fused_conv_ops  # noqa: F401
from . import candidate_sampling_ops, ctc_ops, png_ops, nms_ops  # noqa: F401
