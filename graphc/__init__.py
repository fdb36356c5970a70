"""graphc: a TF1-style define-then-run graph compiler. `import graphc as tf`."""
import os as _os

from .ir import site as _site

for _d in ("", "../ir", "../passes", "../backends"):
    _p = _os.path.normpath(_os.path.join(_os.path.dirname(__file__), _d))
    if _os.path.isdir(_p):
        _site.register_internal_dir(_p)

__version__ = "0.1.0"
