"""tf.data.Dataset (TF1 semantics): the public class, its sources (from_tensors,
from_tensor_slices, range, from_generator, zip, concatenate, list_files) and TF1's
methods. What a dataset is (DatasetNode: structure, inputs, captured tensors, the
`_elements` generator) is base.py's; the transformations (transformations.py, cache.py)
are DatasetNodes below this module, which each method wraps in a Dataset
(`_Transformed`); the iterators are in iterator.py.
"""
from __future__ import annotations

import glob as _glob
from typing import Callable, Optional

import numpy as np

from ..ir import dtypes as dt
from ..ir.errors import InvalidArgumentError
from ..ir.graph import Tensor
from ..ir.shapes import TensorShape
from ..ir.site import where
from . import cache as _C
from . import structure as S
from . import transformations as _T
from .base import AUTOTUNE, DatasetNode, Env, scalar_arg, static_scalar  # noqa: F401
from .iterator import make_initializable_iterator, make_one_shot_iterator

class Dataset(DatasetNode):
    """TF1 `tf.data.Dataset`: a DatasetNode with TF1's methods. Sources are subclasses;
    a transformation returns the transformation's node wrapped (_Transformed)."""

    def __init__(self, inputs=(), tensors=()) -> None:  # (errors name tf.data.Dataset)
        super().__init__(inputs, tensors)

    # ------------------------------------------------------------ sources
    @staticmethod
    def from_tensors(tensors) -> "Dataset":
        return TensorDataset(tensors)

    @staticmethod
    def from_tensor_slices(tensors) -> "Dataset":
        return TensorSliceDataset(tensors)

    @staticmethod
    def from_generator(generator: Callable, output_types, output_shapes=None,
                       args=None) -> "Dataset":
        return GeneratorDataset(generator, output_types, output_shapes, args)

    @staticmethod
    def range(*args, output_type=dt.int64) -> "Dataset":
        return RangeDataset(*args, output_type=output_type)

    @staticmethod
    def zip(datasets) -> "Dataset":
        return ZipDataset(datasets)

    @staticmethod
    def list_files(file_pattern, shuffle: Optional[bool] = None,
                   seed: Optional[int] = None) -> "Dataset":
        files = ListFilesDataset(file_pattern)
        if shuffle is None or shuffle:
            return files.shuffle(_ALL, seed=seed)
        return files

    # ------------------------------------------------------------ transformations
    def concatenate(self, dataset: "Dataset") -> "Dataset":
        return ConcatenateDataset(self, dataset)

    def map(self, map_func: Callable, num_parallel_calls=None) -> "Dataset":
        return _Transformed(_T.MapDataset(self, map_func, num_parallel_calls))

    def filter(self, predicate: Callable) -> "Dataset":
        return _Transformed(_T.FilterDataset(self, predicate))

    def flat_map(self, map_func: Callable) -> "Dataset":
        return _Transformed(_T.FlatMapDataset(self, map_func))

    def interleave(self, map_func: Callable, cycle_length=AUTOTUNE, block_length: int = 1,
                   num_parallel_calls=None) -> "Dataset":
        return _Transformed(_T.InterleaveDataset(self, map_func, cycle_length, block_length))

    def batch(self, batch_size, drop_remainder: bool = False) -> "Dataset":
        return _Transformed(_T.BatchDataset(self, batch_size, drop_remainder))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder: bool = False) -> "Dataset":
        return _Transformed(_T.PaddedBatchDataset(self, batch_size, padded_shapes,
                                                  padding_values, drop_remainder))

    def unbatch(self) -> "Dataset":
        return _Transformed(_T.UnbatchDataset(self))

    def shuffle(self, buffer_size, seed: Optional[int] = None,
                reshuffle_each_iteration: Optional[bool] = None) -> "Dataset":
        return _Transformed(_T.ShuffleDataset(self, buffer_size, seed,
                                              True if reshuffle_each_iteration is None else
                                              reshuffle_each_iteration))

    def repeat(self, count=None) -> "Dataset":
        return _Transformed(_T.RepeatDataset(self, count))

    def take(self, count) -> "Dataset":
        return _Transformed(_T.TakeDataset(self, count))

    def skip(self, count) -> "Dataset":
        return _Transformed(_T.SkipDataset(self, count))

    def shard(self, num_shards, index) -> "Dataset":
        return _Transformed(_T.ShardDataset(self, num_shards, index))

    def prefetch(self, buffer_size) -> "Dataset":
        return _Transformed(_T.PrefetchDataset(self, buffer_size))

    def cache(self, filename: str = "") -> "Dataset":
        return _Transformed(_C.CacheDataset(self, filename))

    def apply(self, transformation_func: Callable) -> "Dataset":
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError(f"`transformation_func` must return a Dataset, got "
                            f"{type(result).__name__}{where()}")
        return result

    # ------------------------------------------------------------ options and specs
    def with_options(self, options) -> "Dataset":
        """This dataset with `options` set (graphc/data/options.py: kept and merged;
        the pipeline runs in order, in the Session's thread, whatever they say)."""
        from .options import Options, dataset_options
        if not isinstance(options, Options):
            raise TypeError(f"with_options needs a tf.data.Options, got "
                            f"{type(options).__name__}{where()}")
        dataset_options(self).merge(options)  # (conflicting settings: ValueError now)
        return _WithOptions(self, options)

    def options(self):
        """The options set on this dataset and the datasets it reads, merged."""
        from .options import dataset_options
        return dataset_options(self)

    @property
    def element_spec(self):
        """The element structure as TensorSpecs."""
        from .options import element_spec
        return element_spec(self)

    def as_numpy_iterator(self):
        """The elements as numpy values (a tf.data.NumpyIterator, with a Session of its
        own)."""
        from .options import NumpyIterator
        return NumpyIterator(self)

    # ------------------------------------------------------------ iterators (TF1)
    def make_one_shot_iterator(self):
        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name: Optional[str] = None):
        return make_initializable_iterator(self, shared_name)


class _Transformed(Dataset):
    """The Dataset a transformation returns: its node (transformations.py, cache.py)
    computes the elements."""

    def __init__(self, node: DatasetNode) -> None:
        super().__init__(inputs=(node,))
        self._node = node
        self._structure = node._structure

    def _elements(self, env: Env):
        return self._node._elements(env)

    def __repr__(self) -> str:
        return f"<{type(self._node).__name__} shapes: {self.output_shapes}, types: " \
               f"{self.output_types}>"


class _WithOptions(Dataset):
    """`with_options`: the same elements, with options set."""

    def __init__(self, dataset: Dataset, options) -> None:
        super().__init__(inputs=(dataset,))
        self._structure = dataset._structure
        self._options_set = options

    def _elements(self, env: Env):
        return self._inputs[0]._elements(env)


DatasetV1 = Dataset
_ALL = 2**62  # a shuffle buffer holding every element (a full permutation)


# ---------------------------------------------------------------------- sources
class TensorDataset(Dataset):
    """`from_tensors`: one element, the given (nest of) tensors."""

    def __init__(self, tensors) -> None:
        self._nest = S.to_tensors(tensors, "from_tensors")
        flat = S.flatten(self._nest)
        super().__init__(tensors=flat)
        self._flat = flat
        self._structure = S.specs_of(self._nest)

    def _elements(self, env):
        yield tuple(env.values[t] for t in self._flat)


class TensorSliceDataset(Dataset):
    """`from_tensor_slices`: one element per row of the given tensors (equal lengths)."""

    def __init__(self, tensors) -> None:
        nest = S.to_tensors(tensors, "from_tensor_slices")
        flat = S.flatten(nest)
        for t in flat:
            if t.shape.ndims == 0:
                raise ValueError(f"from_tensor_slices: {t.name} is a scalar; every "
                                 f"component needs a first dimension to slice{where()}")
        rows = {t.shape[0].value for t in flat if t.shape.ndims is not None} - {None}
        if len(rows) > 1:
            raise ValueError(f"from_tensor_slices: dimension 0 differs between components "
                             f"({sorted(rows)}); all must have the same number of "
                             f"rows{where()}")
        super().__init__(tensors=flat)
        self._flat = flat
        self._structure = S.pack(nest, [S.Spec(t.dtype, _row_shape(t.shape)) for t in flat])

    def _elements(self, env):
        arrays = [np.ascontiguousarray(env.values[t]) if t.dtype is not dt.string else
                  np.asarray(env.values[t], dtype=object) for t in self._flat]
        n = arrays[0].shape[0]
        for t, a in zip(self._flat, arrays):
            if a.ndim == 0 or a.shape[0] != n:
                raise InvalidArgumentError(
                    None, None, f"from_tensor_slices: all components must have the same "
                    f"size in dimension 0; {self._flat[0].name} has {n} rows and {t.name} "
                    f"has shape {list(a.shape)}")
        for i in range(n):
            yield tuple(a[i, ...] for a in arrays)  # (0-d arrays, not scalars)


def _row_shape(shape: TensorShape) -> TensorShape:
    return TensorShape(None) if shape.ndims is None else TensorShape(shape.as_list()[1:])


class RangeDataset(Dataset):
    """`Dataset.range([start,] stop[, step])`: int64 scalars, as Python's range."""

    def __init__(self, *args, output_type=dt.int64) -> None:
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments, got {len(args)}"
                             f"{where()}")
        if len(args) == 1:
            args = (0, args[0], 1)
        elif len(args) == 2:
            args = (args[0], args[1], 1)
        self._args = [scalar_arg(a, dt.int64, "range argument") for a in args]
        step = static_scalar(self._args[2])
        if step == 0:
            raise InvalidArgumentError(None, None, "step must be a non-zero integer.")
        super().__init__(tensors=self._args)
        self._dtype = dt.as_dtype(output_type)
        self._structure = S.Spec(self._dtype, TensorShape([]))

    def _elements(self, env):
        start, stop, step = (env.scalar(t) for t in self._args)
        if step == 0:
            raise InvalidArgumentError(None, None, "step must be a non-zero integer.")
        for v in range(start, stop, step):
            yield (np.array(v, dtype=self._dtype.np),)


class GeneratorDataset(Dataset):
    """`from_generator`: the elements a Python generator yields, checked against the
    declared types and shapes; `generator(*args)` is called anew for every iteration."""

    def __init__(self, generator, output_types, output_shapes=None, args=None) -> None:
        if not callable(generator):
            raise TypeError(f"`generator` must be callable{where()}")
        self._generator = generator
        self._args = [S.to_tensors(a, "from_generator args") for a in (args or ())]
        self._structure = S.from_types_and_shapes(output_types, output_shapes)
        super().__init__(tensors=self._args)

    def _elements(self, env):
        specs = S.flatten(self._structure)
        args = [env.values[t] for t in self._args]
        args = [a[()] if isinstance(a, np.ndarray) and a.ndim == 0 else a for a in args]
        for value in self._generator(*args):
            flat = _flatten_value(self._structure, value)
            yield tuple(S.component_array(v, s, "`generator`") for v, s in zip(flat, specs))


def _flatten_value(structure, value) -> list:
    """A generator's element flattened as `structure` (tuples and lists alike)."""
    if isinstance(structure, dict):
        if not isinstance(value, dict) or set(value) != set(structure):
            raise TypeError(f"`generator` yielded an element {value!r} that does not match "
                            f"the expected structure {S.describe(structure)}")
        return [c for k in sorted(structure) for c in _flatten_value(structure[k],
                                                                     value[k])]
    if isinstance(structure, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(structure):
            raise TypeError(f"`generator` yielded an element {value!r} that does not match "
                            f"the expected structure {S.describe(structure)}")
        return [c for s, v in zip(structure, value) for c in _flatten_value(s, v)]
    return [value]


class ZipDataset(Dataset):
    """`Dataset.zip`: elements of several datasets side by side, as long as the shortest."""

    def __init__(self, datasets) -> None:
        flat = S.flatten(datasets)
        if not flat or not all(isinstance(d, Dataset) for d in flat):
            raise TypeError(f"Dataset.zip expects a (nested) tuple or dict of datasets, got "
                            f"{datasets!r}{where()}")
        super().__init__(inputs=flat)
        self._structure = S.pack(datasets, [d._structure for d in flat])

    def _elements(self, env):
        streams = [d._elements(env) for d in self._inputs]
        try:
            while True:
                element = ()
                for s in streams:
                    part = next(s, None)
                    if part is None:
                        return
                    element += part
                yield element
        finally:
            for s in streams:
                s.close()


class ConcatenateDataset(Dataset):
    """`a.concatenate(b)`: a's elements, then b's (same structure and dtypes)."""

    def __init__(self, first: Dataset, second: Dataset) -> None:
        S.assert_same(first._structure, second._structure, "concatenate")
        a, b = S.flatten(first._structure), S.flatten(second._structure)
        for x, y in zip(a, b):
            if x.dtype is not y.dtype:
                raise TypeError(f"concatenate: the datasets have different types "
                                f"{first.output_types} and {second.output_types}{where()}")
        super().__init__(inputs=(first, second))
        self._structure = S.pack(first._structure, [
            S.Spec(x.dtype, S.most_specific_compatible(x.shape, y.shape))
            for x, y in zip(a, b)])

    def _elements(self, env):
        for d in self._inputs:
            yield from d._elements(env)


class ListFilesDataset(Dataset):
    """The file names matching one or more glob patterns, sorted (before any shuffle)."""

    def __init__(self, file_pattern) -> None:
        self._pattern = S.to_tensors(file_pattern, "list_files")
        if not isinstance(self._pattern, Tensor) or self._pattern.dtype is not dt.string:
            raise TypeError(f"list_files: file_pattern must be a string or strings"
                            f"{where()}")
        super().__init__(tensors=[self._pattern])
        self._structure = S.Spec(dt.string, TensorShape([]))

    def _elements(self, env):
        patterns = np.asarray(env.values[self._pattern], dtype=object).reshape(-1)
        names = []
        for p in patterns:
            p = p.decode() if isinstance(p, bytes) else str(p)
            names.extend(sorted(_glob.glob(p)))
        if not names:
            raise InvalidArgumentError(None, None, "No files matched pattern: " + ", ".join(
                p.decode() if isinstance(p, bytes) else str(p) for p in patterns))
        for n in names:
            yield (np.array(n.encode(), dtype=object),)


