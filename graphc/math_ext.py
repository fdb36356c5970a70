"""TF1's names for graphc's special-function, segment, linear-algebra and index ops.

The builders live in graphc.ir (special_ops, ...); this module gives them their TF1 paths:
the top level (its `__all__`), and the members `tf.math`, `tf.linalg` and
`tf.manip` take from MATH, LINALG and MANIP (graphc/namespaces.py); graphc/nn.py imports
top_k and in_top_k.
"""
from __future__ import annotations

from .ir.ops.special_ops import (digamma, div_no_nan, divide_no_nan, erfc, lgamma,
                                 multiply_no_nan, polygamma, xdivy, xlog1py, xlogy, zeta)
from .ir.ops.trig_ops import acos, acosh, asin, asinh, atan, atan2, atanh, cosh, sinh
from .ir.ops.math_compositions import (argsort, confusion_matrix, cumulative_logsumexp,
                                       is_non_decreasing, is_strictly_increasing, lbeta,
                                       log_sigmoid, polyval, reciprocal_no_nan, reduce_std,
                                       reduce_variance, sort, zero_fraction)
from .ir.ops.partition_ops import (broadcast_dynamic_shape, broadcast_static_shape,
                                   dynamic_partition, dynamic_stitch, invert_permutation,
                                   setdiff1d, shape_n)
from .ir.ops.diag_ops import (adjoint, diag, diag_part, eye, matrix_band_part, matrix_diag,
                              matrix_diag_part, matrix_set_diag, trace)
from .ir.ops.linalg_ops import (cholesky, cholesky_solve, logdet, matrix_determinant,
                                matrix_inverse, matrix_solve, matrix_triangular_solve, qr,
                                slogdet, svd)
from .ir.ops.eig_ops import matrix_solve_ls, pinv, self_adjoint_eig, self_adjoint_eigvals
from .ir.ops.einsum_ops import einsum, tensordot
from .ir.ops.slicing_ops import batch_gather
from .ir.ops.scatter_ops import (tensor_scatter_add, tensor_scatter_nd_add,
                                 tensor_scatter_nd_sub, tensor_scatter_nd_update,
                                 tensor_scatter_sub, tensor_scatter_update)
from .ir.ops.vector_ops import cross, matvec, norm, normalize, reduce_euclidean_norm
from .ir.ops.segment_ops import (bincount, segment_max, segment_mean, segment_min,
                                 segment_prod, segment_sum, sparse_segment_mean,
                                 sparse_segment_sqrt_n, sparse_segment_sum, unique,
                                 unique_with_counts, unsorted_segment_max,
                                 unsorted_segment_mean, unsorted_segment_min,
                                 unsorted_segment_prod, unsorted_segment_sqrt_n,
                                 unsorted_segment_sum)
from .ir.ops.sequence_ops import bitcast, cumprod, lin_space, linspace, roll
from .ir.ops.sort_ops import histogram_fixed_width, in_top_k, searchsorted, top_k

_SEGMENTS = {f.__name__: f for f in (
    segment_max, segment_mean, segment_min, segment_prod, segment_sum, unsorted_segment_max,
    unsorted_segment_mean, unsorted_segment_min, unsorted_segment_prod,
    unsorted_segment_sqrt_n, unsorted_segment_sum)}

__all__ = ["digamma", "div_no_nan", "erfc", "lgamma", "polygamma", "zeta", *_SEGMENTS,
           "sparse_segment_mean", "sparse_segment_sqrt_n", "sparse_segment_sum", "unique",
           "unique_with_counts", "bincount", "bitcast", "cumprod", "lin_space", "linspace",
           "roll", "histogram_fixed_width", "searchsorted", "matrix_band_part", "diag",
           "diag_part", "matrix_diag", "matrix_diag_part", "matrix_set_diag", "trace", "eye",
           "matrix_inverse", "matrix_determinant", "cholesky", "cholesky_solve",
           "matrix_solve", "matrix_triangular_solve", "qr", "svd", "tensor_scatter_nd_update",
           "tensor_scatter_nd_add", "tensor_scatter_nd_sub", "tensor_scatter_update",
           "tensor_scatter_add", "tensor_scatter_sub", "batch_gather", "einsum", "tensordot",
           "norm", "cross", "self_adjoint_eig", "self_adjoint_eigvals", "matrix_solve_ls",
           "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cosh", "sinh",
           "argsort", "sort", "confusion_matrix", "is_non_decreasing", "is_strictly_increasing",
           "lbeta", "log_sigmoid", "broadcast_dynamic_shape", "broadcast_static_shape",
           "dynamic_partition", "dynamic_stitch", "invert_permutation",
           "setdiff1d", "shape_n"]

_TRIG = {f.__name__: f for f in (acos, acosh, asin, asinh, atan, atan2, atanh, cosh, sinh)}

MATH = {"digamma": digamma, "divide_no_nan": divide_no_nan, "erfc": erfc, "lgamma": lgamma,
        "polygamma": polygamma, "xdivy": xdivy, "xlogy": xlogy, "zeta": zeta, **_SEGMENTS,
        "bincount": bincount, "cumprod": cumprod, "in_top_k": in_top_k, "top_k": top_k,
        "reduce_euclidean_norm": reduce_euclidean_norm, **_TRIG, "argsort": argsort,
        "confusion_matrix": confusion_matrix, "cumulative_logsumexp": cumulative_logsumexp,
        "invert_permutation": invert_permutation, "is_non_decreasing": is_non_decreasing,
        "is_strictly_increasing": is_strictly_increasing, "lbeta": lbeta,
        "log_sigmoid": log_sigmoid, "multiply_no_nan": multiply_no_nan, "polyval": polyval,
        "reciprocal_no_nan": reciprocal_no_nan, "reduce_std": reduce_std,
        "reduce_variance": reduce_variance, "xlog1py": xlog1py, "zero_fraction": zero_fraction}
LINALG = {"adjoint": adjoint, "band_part": matrix_band_part, "cholesky": cholesky,
          "cholesky_solve": cholesky_solve, "det": matrix_determinant, "diag": matrix_diag,
          "diag_part": matrix_diag_part, "eye": eye, "inv": matrix_inverse, "logdet": logdet,
          "qr": qr, "set_diag": matrix_set_diag, "slogdet": slogdet, "solve": matrix_solve,
          "svd": svd, "tensor_diag": diag, "tensor_diag_part": diag_part, "trace": trace,
          "triangular_solve": matrix_triangular_solve, "cross": cross, "einsum": einsum,
          "matvec": matvec, "norm": norm, "normalize": normalize, "tensordot": tensordot,
          "eigh": self_adjoint_eig, "eigvalsh": self_adjoint_eigvals, "lstsq": matrix_solve_ls,
          "pinv": pinv}
MANIP = {"roll": roll}

from .ir.ops.bessel_ops import (bessel_i0, bessel_i0e, bessel_i1, bessel_i1e,  # noqa: E402
                                bessel_k0, bessel_k0e, bessel_k1, bessel_k1e)

from .ir.ops.special_inverse_ops import (betainc, erfcinv, erfinv, igamma, igammac,  # noqa: E402
                                         ndtri, nextafter)
from .ir.ops.special_integral_ops import (bessel_j0, bessel_j1, bessel_y0,  # noqa: E402
                                          bessel_y1, dawsn, expint, fresnel_cos, fresnel_sin,
                                          spence)
from .ir.ops import bitwise_ops as _bitwise  # noqa: E402

SPECIAL = {f.__name__: f for f in (bessel_i0, bessel_i0e, bessel_i1, bessel_i1e, bessel_k0,
                                   bessel_k0e, bessel_k1, bessel_k1e, bessel_j0, bessel_j1,
                                   bessel_y0, bessel_y1, dawsn, expint, fresnel_cos,
                                   fresnel_sin, spence)}
MATH.update({n: SPECIAL[n] for n in ("bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e")})
MATH.update({f.__name__: f for f in (betainc, erfcinv, erfinv, igamma, igammac, ndtri,
                                     nextafter)})
__all__ += ["betainc", "igamma", "igammac"]
BITWISE = {name: getattr(_bitwise, name) for name in _bitwise.__all__}
