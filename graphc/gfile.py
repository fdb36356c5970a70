"""`tf.gfile` (TF1's names) and `tf.io.gfile` (TF 1.13+'s): files on the local file system
with TensorFlow's errors (`tf.errors.NotFoundError`, `AlreadyExistsError`) where Python
would raise OSError. The TF1 names are thin wrappers over the `tf.io.gfile` functions,
with TF1's parameter names. Only local paths: a URL scheme (gs://, hdfs://) is refused.
"""
from __future__ import annotations

import errno
import glob as _glob
import os
import shutil
from types import SimpleNamespace

from .ir.errors import AlreadyExistsError, NotFoundError, OpError, UnknownError

__all__ = ["GFile", "FastGFile", "Open", "Exists", "IsDirectory", "Glob", "ListDirectory",
           "MakeDirs", "MkDir", "Remove", "DeleteRecursively", "Copy", "Rename", "Stat",
           "Walk"]


def _local(path) -> str:
    path = os.fspath(path)
    path = path.decode() if isinstance(path, bytes) else path
    if "://" in path and not path.startswith("file://"):
        raise UnknownError(None, None, f"gfile: file system scheme of '{path}' is not "
                                       "implemented (graphc reads local files only)")
    return path[len("file://"):] if path.startswith("file://") else path


def _tf_error(err: OSError, path: str) -> OpError:
    kind = {errno.ENOENT: NotFoundError, errno.EEXIST: AlreadyExistsError}.get(
        err.errno, UnknownError)
    return kind(None, None, f"{path}; {err.strerror or err}")


def _os_call(fn, path: str, *args, **kwargs):
    """fn(path, ...) with TensorFlow's errors for an OSError."""
    try:
        return fn(path, *args, **kwargs)
    except OSError as e:
        raise _tf_error(e, path) from None


class GFile:
    """TF1 `tf.gfile.GFile(name, mode='r')`: a file object (read, write, readline,
    readlines, iteration, seek, tell, size, flush, close; a context manager). Text modes
    read and write str, 'b' modes bytes, as TensorFlow's."""

    def __init__(self, name, mode: str = "r"):
        self.name = _local(name)
        self.mode = mode
        self._f = _os_call(open, self.name, mode)

    def read(self, n: int = -1):
        return self._f.read(n)

    def readline(self):
        return self._f.readline()

    def readlines(self) -> list:
        return self._f.readlines()

    def write(self, data) -> None:
        if "b" in self.mode and isinstance(data, str):
            data = data.encode()
        elif "b" not in self.mode and isinstance(data, bytes):
            data = data.decode()
        self._f.write(data)

    def seek(self, offset: int = None, whence: int = 0, position: int = None):
        return self._f.seek(position if offset is None else offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def size(self) -> int:
        self._f.flush()
        return os.path.getsize(self.name)

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        self._f.close()

    @property
    def closed(self) -> bool:
        return self._f.closed

    def __iter__(self):
        return iter(self._f)

    def __next__(self):
        return next(self._f)

    def __enter__(self) -> "GFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def exists(path) -> bool:
    return os.path.exists(_local(path))


def isdir(path) -> bool:
    return os.path.isdir(_local(path))


def glob(pattern) -> list:
    """The paths matching `pattern` (sorted)."""
    return sorted(_glob.glob(_local(pattern)))


def listdir(path) -> list:
    """The entries of directory `path` (names, not paths; sorted)."""
    path = _local(path)
    if not os.path.isdir(path):
        raise NotFoundError(None, None, f"Could not find directory {path}")
    return sorted(os.listdir(path))


def makedirs(path) -> None:
    """Create `path` and its missing parents (an existing directory is fine)."""
    _os_call(os.makedirs, _local(path), exist_ok=True)


def mkdir(path) -> None:
    """Create directory `path` (its parent must exist; AlreadyExistsError if it does)."""
    _os_call(os.mkdir, _local(path))


def remove(path) -> None:
    _os_call(os.remove, _local(path))


def rmtree(path) -> None:
    path = _local(path)
    if not os.path.exists(path):
        raise NotFoundError(None, None, f"{path}; No such file or directory")
    shutil.rmtree(path)


def _move(fn, src, dst, overwrite: bool) -> None:
    """fn(src, dst) refusing an existing `dst` unless `overwrite` (TensorFlow's)."""
    src, dst = _local(src), _local(dst)
    if not overwrite and os.path.exists(dst):
        raise AlreadyExistsError(None, None, f"file already exists: {dst}")
    _os_call(fn, src, dst)


def copy(src, dst, overwrite: bool = False) -> None:
    _move(shutil.copyfile, src, dst, overwrite)


def rename(src, dst, overwrite: bool = False) -> None:
    _move(os.replace, src, dst, overwrite)


def stat(path):
    """TF's FileStatistics: length, mtime_nsec, is_directory."""
    path = _local(path)
    st = _os_call(os.stat, path)
    return SimpleNamespace(length=st.st_size, mtime_nsec=st.st_mtime_ns,
                           is_directory=os.path.isdir(path))


def walk(top, topdown: bool = True, onerror=None):
    """(dirname, subdirectory names, file names) for `top` and each directory below it;
    nothing when `top` does not exist (TF)."""
    top = _local(top)
    for dirname, subdirs, files in os.walk(top, topdown=topdown, onerror=onerror):
        yield dirname, sorted(subdirs), sorted(files)


def join(path, *paths) -> str:
    return os.path.join(path, *paths)


# TF1's tf.gfile names and parameters over the functions above.
def Exists(filename) -> bool:
    return exists(filename)


def IsDirectory(dirname) -> bool:
    return isdir(dirname)


def Glob(filename) -> list:
    return glob(filename)


def ListDirectory(dirname) -> list:
    return listdir(dirname)


def MakeDirs(dirname) -> None:
    makedirs(dirname)


def MkDir(dirname) -> None:
    mkdir(dirname)


def Remove(filename) -> None:
    remove(filename)


def DeleteRecursively(dirname) -> None:
    rmtree(dirname)


def Copy(oldpath, newpath, overwrite: bool = False) -> None:
    copy(oldpath, newpath, overwrite)


def Rename(oldname, newname, overwrite: bool = False) -> None:
    rename(oldname, newname, overwrite)


def Stat(filename):
    return stat(filename)


def Walk(top, in_order: bool = True):
    return walk(top, topdown=in_order)


Open = FastGFile = GFile


def get_registered_schemes() -> list:
    """TF `tf.io.gfile.get_registered_schemes`: the URL schemes graphc's file functions
    take: the local file system, with no scheme or file://."""
    return ["", "file"]

# `tf.gfile` is this module; `tf.io.gfile` holds the TF 1.13+ names.
io_gfile = SimpleNamespace(
    GFile=GFile, exists=exists, isdir=isdir, glob=glob, listdir=listdir, makedirs=makedirs,
    mkdir=mkdir, remove=remove, rmtree=rmtree, copy=copy, rename=rename, stat=stat,
    walk=walk, join=join, get_registered_schemes=get_registered_schemes)
