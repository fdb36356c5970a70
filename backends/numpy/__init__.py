"""The numpy reference interpreter: a flat precomputed schedule over OpDef semantics."""
from .executor import NumpyExecutable, compile_plan  # noqa: F401
