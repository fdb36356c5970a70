"""`tf.data` (TF1): datasets built in the graph, iterated by iterators whose state lives
in each Session. See base.py (what a dataset is), dataset.py (the public Dataset and its
sources), transformations.py and cache.py, iterator.py."""
from .dataset import AUTOTUNE, Dataset, DatasetV1  # noqa: F401
from .readers import FixedLengthRecordDataset, TextLineDataset, TFRecordDataset  # noqa: F401
from .iterator import (Iterator, get_output_classes, get_output_shapes,  # noqa: F401
                       get_output_types, make_initializable_iterator,
                       make_one_shot_iterator)
from . import experimental  # noqa: F401,E402
from .options import DatasetSpec, NumpyIterator, Options, ThreadingOptions  # noqa: F401,E402
