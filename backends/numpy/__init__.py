"""The numpy reference interpreter: a flat precomputed schedule over OpDef semantics."""
from .executor import NumpyExecutable, compile_program  # noqa: F401
