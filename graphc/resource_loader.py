"""TF1's `tf.resource_loader`: paths of data files beside the calling script, and files
under graphc's package root (where TensorFlow reads its own package's)."""
from __future__ import annotations

import inspect
import os

_ROOT = os.path.dirname(os.path.abspath(__file__))  # (the graphc package)


def _caller_dir(depth: int = 2) -> str:
    frame = inspect.stack()[depth]
    return os.path.dirname(os.path.abspath(frame.filename))


def get_data_files_path() -> str:
    """TF1 `tf.resource_loader.get_data_files_path`: the directory of the calling file."""
    return _caller_dir()


def get_root_dir_with_all_resources() -> str:
    """TF1 `tf.resource_loader.get_root_dir_with_all_resources`: outside Bazel's runfiles,
    as TF: the calling file's directory."""
    return _caller_dir()


def get_path_to_datafile(path: str) -> str:
    """TF1 `tf.resource_loader.get_path_to_datafile`: `path` relative to the calling
    file's directory."""
    return os.path.join(_caller_dir(), path)


def load_resource(path: str) -> bytes:
    """TF1 `tf.resource_loader.load_resource`: the bytes of a file under the package root
    (TensorFlow's own tree there, graphc's here); IOError when it is missing."""
    with open(os.path.join(_ROOT, path), "rb") as f:
        return f.read()


def readahead_file_path(path: str, readahead: str = "128M") -> str:
    """TF1 `tf.resource_loader.readahead_file_path`: the path unchanged (TF: no readahead
    for local files)."""
    return path


RESOURCE_LOADER = {f.__name__: f for f in (
    get_data_files_path, get_root_dir_with_all_resources, get_path_to_datafile, load_resource,
    readahead_file_path)}
