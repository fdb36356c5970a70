"""`graphc.python.client`: TF1's `tensorflow.python.client` modules graphc provides."""
from . import timeline  # noqa: F401
