"""graphc's version, below every module that reports it (the package, .meta files, the
CLI)."""
__version__ = "0.1.0"
