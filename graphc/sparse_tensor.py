"""TF1's SparseTensor and SparseTensorValue, sparse placeholders and feeding them.

A SparseTensor is a namedtuple of its three tensors (int64 indices [N, rank], values [N],
int64 dense_shape [rank]), so `sess.run` fetches it as a structure: rebuilt from the
fetched arrays it becomes a SparseTensorValue, as TF1 returns. A feed_dict key that is a
SparseTensor takes a SparseTensorValue or an (indices, values, dense_shape) tuple, which
`expand_sparse_feeds` turns into the feeds of its three tensors.
"""
from __future__ import annotations

import collections
import inspect
from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.context import default_session
from .ir.graph import TensorLike
from .ir.ops._base import const_value_as_shape, convert_to_tensor
from .ir.ops.core_ops import placeholder, placeholder_with_default
from .ir.ops.sparse_ops import sparse_dense_cwise_op
from .ir.shapes import TensorShape

__all__ = ["SparseTensor", "SparseTensorValue", "sparse_placeholder",
           "convert_to_tensor_or_sparse_tensor"]


class SparseTensorValue(collections.namedtuple("SparseTensorValue",
                                               ["indices", "values", "dense_shape"])):
    """What running a SparseTensor returns: its three arrays."""


class SparseTensor(collections.namedtuple("SparseTensor",
                                          ["indices", "values", "dense_shape"])):
    """TF1 `tf.SparseTensor`: int64 indices [n, rank], values [n], dense_shape [rank].

    A namedtuple of its three tensors, so `sess.run` fetches it as a structure; rebuilt
    from the fetched arrays it becomes a SparseTensorValue, as TF1 returns."""

    def __new__(cls, *args, **kwargs):
        # a namedtuple is made in __new__; __init__ holds TF1's parameters, and calling it
        # first gives Python's own error for a wrong call, naming SparseTensor.__init__
        SparseTensor.__init__(None, *args, **kwargs)
        parts = tuple(_SPARSE_PARAMS.bind(None, *args, **kwargs).arguments.values())[1:]
        indices, values, dense_shape = parts
        if all(isinstance(p, np.ndarray) for p in parts):
            return SparseTensorValue(*parts)  # a fetched value (graphc/fetch.py rebuilds)
        return super().__new__(cls, convert_to_tensor(indices, dtype=dt.int64),
                               values if isinstance(values, TensorLike) else
                               convert_to_tensor(values),
                               convert_to_tensor(dense_shape, dtype=dt.int64))

    def __init__(self, indices, values, dense_shape) -> None:
        """TF1's parameters; the tuple's fields are set by __new__."""

    @classmethod
    def from_value(cls, sparse_tensor_value):
        """A SparseTensor of constants holding a SparseTensorValue (TF1)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        v = sparse_tensor_value
        return cls(convert_to_tensor(np.asarray(v.indices, np.int64)),
                   convert_to_tensor(v.values),
                   convert_to_tensor(np.asarray(v.dense_shape, np.int64)))

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def op(self):
        """The op producing the values (TF1)."""
        return self.values.op

    @property
    def graph(self):
        return self.values.graph

    @property
    def shape(self) -> TensorShape:
        """The static dense shape: what the graph knows of dense_shape's value."""
        default = self.__dict__.get("_dense_shape_default")
        return default if default is not None else const_value_as_shape(self.dense_shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    def eval(self, feed_dict=None, session=None):
        """Run the SparseTensor in `session` (or the default one): a SparseTensorValue."""
        return default_session(session, self.values).run(self, feed_dict)

    def __mul__(self, other):
        """sparse * dense at the sparse entries (TF1's SparseDenseCwiseMul)."""
        return self._cwise("Mul", other)

    def __truediv__(self, other):
        return self._cwise("Div", other)

    __div__ = __truediv__

    def _cwise(self, kind, other):
        if isinstance(other, SparseTensor):
            raise TypeError(f"SparseTensor {kind.lower()} takes a dense operand, not another "
                            "SparseTensor")
        dense = convert_to_tensor(other, dtype=self.values.dtype)
        values = sparse_dense_cwise_op(kind, self.indices, self.values, self.dense_shape, dense)
        return SparseTensor(self.indices, values, self.dense_shape)

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self.indices!r}, values={self.values!r}, "
                f"dense_shape={self.dense_shape!r})")


_SPARSE_PARAMS = inspect.signature(SparseTensor.__init__)


def as_sparse(value, what: str = "sp_input") -> SparseTensor:
    """A SparseTensor from a SparseTensor or a SparseTensorValue (made constants)."""
    if isinstance(value, SparseTensor):
        return value
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    raise TypeError(f"Input {what} must be a SparseTensor, got {type(value).__name__} "
                    f"{value!r}")


def sparse_placeholder(dtype, shape=None, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse_placeholder`: a SparseTensor of placeholders `name/indices`,
    `name/values` and `name/shape` (a placeholder_with_default of `shape` when given, so
    the dense shape is known and can still be fed). Feed it a SparseTensorValue or an
    (indices, values, dense_shape) tuple."""
    dtype = dt.as_dtype(dtype)
    sub = (lambda s: f"{name}/{s}") if name is not None else (lambda s: None)
    if shape is None:
        rank, default = None, None
        dense_shape = placeholder(dt.int64, [None], name=sub("shape"))
    elif isinstance(shape, TensorLike):
        t = shape._as_tensor()
        rank = t.shape[0].value if t.shape.ndims == 1 else None
        default = const_value_as_shape(t)
        dense_shape = placeholder_with_default(t, t.shape, name=sub("shape"))
    else:
        dims = [None if d is None or d == -1 else int(getattr(d, "value", d)) for d in shape]
        rank, default = len(dims), TensorShape(dims)
        given = convert_to_tensor(np.array([-1 if d is None else d for d in dims], np.int64),
                                  name=sub("shape_default"))
        dense_shape = placeholder_with_default(given, [rank], name=sub("shape"))
    result = SparseTensor(placeholder(dt.int64, [None, rank], name=sub("indices")),
                          placeholder(dtype, [None], name=sub("values")), dense_shape)
    result.__dict__["_dense_shape_default"] = default
    return result


def convert_to_tensor_or_sparse_tensor(value, dtype=None, name: Optional[str] = None):
    """TF1: a SparseTensor(Value) as a SparseTensor, anything else as a Tensor."""
    if isinstance(value, (SparseTensor, SparseTensorValue)):
        sp = as_sparse(value)
        if dtype is not None and sp.dtype is not dt.as_dtype(dtype):
            raise ValueError(f"Sparse dtype: requested = {dt.as_dtype(dtype).name}, actual = "
                             f"{sp.dtype.name}")
        return sp
    return convert_to_tensor(value, dtype=dtype, name=name)


def has_sparse_keys(feed_dict) -> bool:
    return SparseTensor in map(type, feed_dict)  # (types compare by identity)


def expand_sparse_feeds(feed_dict) -> dict:
    """The feed_dict with each SparseTensor key replaced by its three tensors' feeds."""
    out = {}
    for key, value in feed_dict.items():
        if type(key) is not SparseTensor:
            out[key] = value
            continue
        if isinstance(value, SparseTensor):
            raise TypeError(f"The value fed to a SparseTensor must be a SparseTensorValue or "
                            f"an (indices, values, dense_shape) tuple, not a SparseTensor "
                            f"({key.values.name})")
        if not isinstance(value, (tuple, list)) or len(value) != 3:
            raise TypeError(f"The value fed to the SparseTensor with values "
                            f"{key.values.name} must be a SparseTensorValue or an (indices, "
                            f"values, dense_shape) tuple, got {type(value).__name__}")
        indices, values, dense_shape = value
        out[key.indices] = indices
        out[key.values] = values
        out[key.dense_shape] = dense_shape
    return out

