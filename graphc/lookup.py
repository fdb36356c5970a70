"""TF1's lookup tables: `tf.lookup` (StaticHashTable, StaticVocabularyTable,
KeyValueTensorInitializer, TextFileInitializer, TextFileIndex), `tf.contrib.lookup`
(HashTable, IdTableWithHashBuckets, index_table_from_tensor,
index_to_string_table_from_tensor) and `tf.tables_initializer`; every table derives from
LookupTable (its name and dtypes).

A table's keys and values are the initializer's tensors (fixed, as a StaticHashTable's);
its state is a flag outside every variable collection (a Saver does not save it, as TF1's
tables) that its initializer sets; the initializer joins the TABLE_INITIALIZERS
collection, which `tf.tables_initializer()` (and MonitoredTrainingSession's scaffold) runs.
A lookup before that fails with FailedPreconditionError, as TF1's "Table not initialized".
`lookup(keys)` compares each key with the table's keys (ordinary ops, so it runs on both
backends; strings through the numpy kernels) and gives the default value where none
matches. A TextFileInitializer reads its file when it is made (TF1's reads it when the
table is initialized; graphc's tables hold constant keys and values), with TF1's columns
and checks.
"""
from __future__ import annotations

import numpy as np

from .ir import context as _context
from .ir import dtypes as _dt
from .ir.ops import array_ops as A, core_ops, math_ops as M
from .ir.ops import matmul_ops as MM
from .ir.ops import generator_ops as G
from .ir.ops import reduce_ops as R
from .ir.errors import InvalidArgumentError, NotFoundError
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.slicing_ops import gather
from .ir.ops.string_hash_ops import hash_bucket_op
from .ir.ops.string_ops import as_string
from .variables import GraphKeys, Variable


class TableInitializer:
    """What a table starts with: its keys and values, two 1-D tensors of one length."""

    _keys = _values = None

    @property
    def key_dtype(self):
        return self._keys.dtype

    @property
    def value_dtype(self):
        return self._values.dtype


class KeyValueTensorInitializer(TableInitializer):
    """The keys and values a table starts with, given as tensors."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None) -> None:
        self._name = name or "key_value_init"
        self._keys = convert_to_tensor(keys, dtype=key_dtype, name="keys")
        self._values = convert_to_tensor(values, dtype=value_dtype, name="values")
        if self._keys.shape.ndims not in (None, 1) or self._values.shape.ndims not in (None, 1):
            raise ValueError(f"KeyValueTensorInitializer needs 1-D keys and values, got "
                             f"shapes {self._keys.shape} and {self._values.shape}")
        n, m = self._keys.shape.as_tuple()[0], self._values.shape.as_tuple()[0]
        if n is not None and m is not None and n != m:
            raise ValueError(f"KeyValueTensorInitializer: {n} keys but {m} values")


class LookupTable:
    """What every table has: its name, key and value dtypes (TF1's LookupInterface)."""

    def __init__(self, name: str, key_dtype, value_dtype) -> None:
        self._name, self._key_dtype, self._value_dtype = name, key_dtype, value_dtype

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_dtype(self):
        return self._key_dtype

    @property
    def value_dtype(self):
        return self._value_dtype

    @property
    def initializer(self):
        raise NotImplementedError  # (each table's)

    @property
    def init(self):
        return self.initializer


class StaticHashTable(LookupTable):
    """A table of keys to values fixed at initialisation (TF1 HashTable)."""

    def __init__(self, initializer, default_value, name=None,
                 experimental_is_anonymous=False) -> None:
        if not isinstance(initializer, TableInitializer):
            raise TypeError(f"the table's initializer must be a KeyValueTensorInitializer or "
                            f"TextFileInitializer, got {initializer!r}")
        graph = _context.get_default_graph()
        with graph.name_scope(name or "hash_table") as scope:
            super().__init__(scope[:-1], initializer.key_dtype, initializer.value_dtype)
            self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype,
                                                    name="default_value")
            if self._default_value.shape.ndims not in (None, 0):
                raise ValueError(f"the default value must be a scalar, got shape "
                                 f"{self._default_value.shape}")
            self._keys, self._values = initializer._keys, initializer._values
            # the table's state is whether it was initialised: a lookup reads this flag,
            # so one before tables_initializer fails as TF1's "Table not initialized"
            self._initialized = Variable(True, trainable=False, collections=[],
                                         name="initialized")
            self._init_op = core_ops.group(self._initialized.initializer, name="table_init")
        graph.add_to_collection(GraphKeys.TABLE_INITIALIZERS, self._init_op)

    @property
    def default_value(self):
        return self._default_value

    @property
    def initializer(self):
        return self._init_op

    def size(self, name=None):
        """The number of entries (an int64 scalar)."""
        with _context.get_default_graph().name_scope(name or f"{self._name}_Size"):
            with _context.get_default_graph().control_dependencies(
                    [self._initialized._as_tensor()]):
                return M.cast(A.size(self._keys), _dt.int64)

    def lookup(self, keys, name=None):
        """The value of each key (any shape), the default where the table has none."""
        keys = convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
        with _context.get_default_graph().name_scope(name or f"{self._name}_Lookup"):
            table_keys = A.reshape(self._keys, [1, -1])
            match = M.equal(A.reshape(keys, [-1, 1]), table_keys)            # [n, size]
            found = M.logical_and(R.reduce_any(match, axis=1), self._initialized._as_tensor())
            index = R.argmax(M.cast(match, _dt.int32), 1)
            values = gather(self._values, index)
            out = M.where_v2(found, values, G.fill(A.shape(found), self._default_value))
            out = A.reshape(out, A.shape(keys))
            out.set_shape(keys.shape)
            return out


class HashTable(StaticHashTable):
    """TF1 `tf.contrib.lookup.HashTable` (`shared_name` is accepted and ignored: one
    process shares nothing)."""

    def __init__(self, initializer, default_value, shared_name=None, name=None) -> None:
        super().__init__(initializer, default_value, name=name)


def tables_initializer(name="init_all_tables"):
    """The op running every table initializer of the graph (a no-op when there is none)."""
    inits = _context.get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
    return core_ops.group(*inits, name=name) if inits else core_ops.no_op(name=name)


def _vocabulary(vocabulary_list, dtype):
    vocab = convert_to_tensor(vocabulary_list, dtype=dtype, name="vocabulary_list")
    if vocab.shape.ndims != 1:
        raise ValueError(f"vocabulary_list must be 1-D, got shape {vocab.shape}")
    return vocab


def _indices(vocab):
    """0, 1, ..., len(vocab) - 1 as int64."""
    return MM.cumsum(G.fill(A.shape(vocab), np.int64(1)), exclusive=True)


def index_table_from_tensor(vocabulary_list, num_oov_buckets=0, default_value=-1,
                            hasher_spec=None, dtype=_dt.string, name=None):
    """A table mapping each element of `vocabulary_list` to its index (int64), unknown
    keys to `default_value`."""
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got "
                         f"{num_oov_buckets}.")
    if hasher_spec is not None:
        raise NotImplementedError("index_table_from_tensor(hasher_spec=...): graphc hashes "
                                  "out-of-vocabulary keys with TF's default, the fast "
                                  "Fingerprint64 hash")
    graph = _context.get_default_graph()
    with graph.name_scope(name or "string_to_index"):
        vocab = _vocabulary(vocabulary_list, _dt.as_dtype(dtype))
        ids = _indices(vocab)
        init = KeyValueTensorInitializer(vocab, ids)
        table = HashTable(init, np.int64(default_value), name="hash_table")
        return IdTableWithHashBuckets(table, num_oov_buckets) if num_oov_buckets else table


class IdTableWithHashBuckets(LookupTable):
    """TF1 `tf.contrib.lookup.IdTableWithHashBuckets`: the table's id for a key it has,
    else size + Fingerprint64(key) % num_oov_buckets (keys of other dtypes hashed as
    their tf.as_string), the same buckets as TensorFlow's."""

    def __init__(self, table, num_oov_buckets, hasher_spec=None, name=None,
                 key_dtype=None) -> None:
        if hasher_spec is not None:
            raise NotImplementedError("IdTableWithHashBuckets(hasher_spec=...): only TF's "
                                      "default fast hash is supported")
        if int(num_oov_buckets) < 0:
            raise ValueError(f"oov_buckets must be >= 0, got {num_oov_buckets}")
        self._table, self._num_oov_buckets = table, int(num_oov_buckets)
        super().__init__(name or (table.name if table is not None else "hash_bucket"),
                         table.key_dtype if table is not None else _dt.as_dtype(
                             key_dtype or _dt.string), _dt.int64)

    @property
    def initializer(self):
        return self._table.initializer if self._table is not None else core_ops.no_op()

    def size(self, name=None):
        """The table's size plus the number of buckets (int64)."""
        base = self._table.size(name) if self._table is not None else np.int64(0)
        return M.add(base, np.int64(self._num_oov_buckets))

    def lookup(self, keys, name=None):
        """Ids for `keys`: the table's, else a hash bucket after them."""
        keys = convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
        with _context.get_default_graph().name_scope(name or f"{self._name}_Lookup"):
            text = keys if keys.dtype.is_string else as_string(keys)
            buckets = hash_bucket_op("fast", text, self._num_oov_buckets, name="hash_bucket")
            if self._table is None:
                return buckets
            ids = self._table.lookup(keys)
            buckets = M.add(buckets, self._table.size())
            return M.where_v2(M.not_equal(ids, self._table.default_value), ids, buckets)


class StaticVocabularyTable(IdTableWithHashBuckets):
    """TF's `tf.lookup.StaticVocabularyTable(initializer, num_oov_buckets)`: the
    initializer's int64 id of a key it has, else size + Fingerprint64(key) %
    num_oov_buckets (TF's buckets)."""

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None,
                 experimental_is_anonymous=False) -> None:
        if int(num_oov_buckets) <= 0:
            raise ValueError("`num_oov_buckets` must be > 0; use StaticHashTable.")
        if initializer.value_dtype is not _dt.int64:
            raise TypeError(f"Invalid `value_dtype`, expected int64 but got "
                            f"{initializer.value_dtype.name}.")
        if lookup_key_dtype is not None and _dt.as_dtype(lookup_key_dtype) is not \
                initializer.key_dtype:
            raise TypeError(f"Invalid `key_dtype`, expected {initializer.key_dtype.name} but "
                            f"got {_dt.as_dtype(lookup_key_dtype).name}.")
        table = StaticHashTable(initializer, np.int64(-1), name=name or "hash_table")
        super().__init__(table, num_oov_buckets, name=table.name)


class TextFileIndex:
    """The columns a TextFileInitializer can also take: the whole line, or its number."""

    WHOLE_LINE = -2
    LINE_NUMBER = -1


class TextFileInitializer(TableInitializer):
    """TF1 `tf.lookup.TextFileInitializer`: keys and values from the columns of a text
    file (one entry per line, columns split by `delimiter`; key_index / value_index a
    column, TextFileIndex.WHOLE_LINE or LINE_NUMBER, which counts from
    value_index_offset). Read when made (see the module doc); `vocab_size` reads that
    many lines and refuses a shorter file, as TF1's."""

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index,
                 vocab_size=None, delimiter="\t", name=None, value_index_offset=0) -> None:
        path = filename
        if not isinstance(path, (str, bytes)):
            value = const_value(convert_to_tensor(filename)) if not isinstance(
                filename, np.ndarray) else filename
            if value is None or np.ndim(value) != 0:
                raise ValueError("TextFileInitializer needs a file name known when the graph "
                                 f"is built (a string or a constant), got {filename!r}")
            path = value.item() if hasattr(value, "item") else value
        path = path.decode() if isinstance(path, bytes) else path
        key_dtype, value_dtype = _dt.as_dtype(key_dtype), _dt.as_dtype(value_dtype)
        for what, index, dtype in (("key", key_index, key_dtype),
                                   ("value", value_index, value_dtype)):
            if index < TextFileIndex.WHOLE_LINE:
                raise ValueError(f"Invalid {what} index {index}.")
            if index == TextFileIndex.LINE_NUMBER and dtype not in (_dt.int32, _dt.int64):
                raise ValueError(f"Signature mismatch. {what.capitalize()}s must be integer "
                                 f"to be a line number, got {dtype.name}.")
            if index == TextFileIndex.WHOLE_LINE and not dtype.is_string and \
                    dtype not in (_dt.int32, _dt.int64, _dt.float32, _dt.float64):
                raise ValueError(f"Signature mismatch. {what.capitalize()}s must be string "
                                 f"or numeric to be a whole line, got {dtype.name}.")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"Invalid vocab_size {vocab_size}.")
        self._name = name or "text_file_init"
        self.filename, self.vocab_size = path, vocab_size
        self.key_index, self.value_index = key_index, value_index
        lines = _text_lines(path, vocab_size)
        keys = _column(lines, key_index, key_dtype, delimiter, 0, path)
        values = _column(lines, value_index, value_dtype, delimiter, value_index_offset, path)
        self._keys = core_ops.constant(keys, dtype=key_dtype, name="keys")
        self._values = core_ops.constant(values, dtype=value_dtype, name="values")


def _text_lines(path: str, vocab_size) -> list:
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as exc:
        raise NotFoundError(None, None, f"{path}; {exc.strerror}") from None
    if lines and lines[-1] == b"":
        lines.pop()  # (the newline ending the last line)
    lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]
    if vocab_size is not None:
        if len(lines) < vocab_size:
            raise InvalidArgumentError(None, None, f"Invalid vocab_size in {path}: expected "
                                       f"{vocab_size} but got {len(lines)}")
        lines = lines[:vocab_size]
    return lines


def _column(lines: list, index: int, dtype, delimiter: str, offset: int, path: str):
    if index == TextFileIndex.LINE_NUMBER:
        return np.arange(offset, offset + len(lines), dtype=dtype.np)
    if index == TextFileIndex.WHOLE_LINE:
        fields = lines
    else:
        sep = delimiter.encode() if isinstance(delimiter, str) else delimiter
        fields = []
        for number, line in enumerate(lines):
            columns = line.split(sep) if sep else line.split()
            if index >= len(columns):
                raise InvalidArgumentError(
                    None, None, f"Invalid number of columns in {path} line {number} "
                    f"({line.decode(errors='replace')}) : expected {index + 1} got "
                    f"{len(columns)}")
            fields.append(columns[index])
    if dtype.is_string:
        return np.array(fields, dtype=object)
    try:
        return np.array([dtype.np.type(f.decode()) if dtype.is_integer else float(f)
                         for f in fields], dtype=dtype.np)
    except ValueError as exc:
        raise InvalidArgumentError(None, None, f"{path}: a {dtype.name} field does not "
                                   f"parse: {exc}") from None


def index_to_string_table_from_tensor(vocabulary_list, default_value="UNK", name=None):
    """A table mapping each index (int64) to its element of `vocabulary_list`, other
    indices to `default_value`."""
    graph = _context.get_default_graph()
    with graph.name_scope(name or "index_to_string"):
        vocab = _vocabulary(vocabulary_list, _dt.string)
        ids = _indices(vocab)
        return HashTable(KeyValueTensorInitializer(ids, vocab), default_value,
                         name="hash_table")
