"""`import graphc.compat.v1 as tf`: the module is graphc itself (graphc is TF1)."""
import sys

import graphc as _graphc

sys.modules[__name__] = _graphc
