"""TF1's error classes (`tf.errors.*`). They live in `ir`, the lowest layer that raises them.

Every error can carry the graph node it concerns; its message then ends with the place
in the user's program that created that node.
"""
from __future__ import annotations

import warnings

from .naming import rename

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """Base class of run-time errors (TF1 `tf.errors.OpError`)."""

    error_code = UNKNOWN

    def __init__(self, node_def=None, op=None, message: str = "", error_code=None,
                 *args) -> None:
        self.node_def = node_def
        self.op = op
        self._message = message
        if error_code is not None:
            self.error_code = error_code
        super().__init__(self._full_message())

    @property
    def message(self) -> str:
        return self._message

    def _full_message(self) -> str:
        msg = self._message
        if self.op is not None:
            site = getattr(self.op, "site", None)
            where = f"\n  {site.describe()}" if site is not None else ""
            msg = f"{msg}\n\t [[node {self.op.name} (op {self.op.type}){where}]]"
        return msg

    def __str__(self) -> str:
        return self._full_message()


def _make(name: str, code: int) -> type:
    def __init__(self, node_def=None, op=None, message: str = "", *args) -> None:
        OpError.__init__(self, node_def, op, message, code)

    rename(__init__, "__init__", f"{name}.__init__")
    return type(name, (OpError,), {"__init__": __init__, "error_code": code,
                                   "__doc__": f"TF1 `tf.errors.{name}`."})


CancelledError = _make("CancelledError", CANCELLED)
UnknownError = _make("UnknownError", UNKNOWN)
InvalidArgumentError = _make("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _make("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _make("NotFoundError", NOT_FOUND)
AlreadyExistsError = _make("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _make("PermissionDeniedError", PERMISSION_DENIED)
ResourceExhaustedError = _make("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _make("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _make("AbortedError", ABORTED)
OutOfRangeError = _make("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _make("UnimplementedError", UNIMPLEMENTED)
InternalError = _make("InternalError", INTERNAL)
UnavailableError = _make("UnavailableError", UNAVAILABLE)
DataLossError = _make("DataLossError", DATA_LOSS)
UnauthenticatedError = _make("UnauthenticatedError", UNAUTHENTICATED)


_BY_CODE = {cls.error_code: cls for cls in (
    CancelledError, UnknownError, InvalidArgumentError, DeadlineExceededError, NotFoundError,
    AlreadyExistsError, PermissionDeniedError, ResourceExhaustedError,
    FailedPreconditionError, AbortedError, OutOfRangeError, UnimplementedError,
    InternalError, UnavailableError, DataLossError, UnauthenticatedError)}


def exception_type_from_error_code(error_code: int) -> type:
    """TF1 `tf.errors.exception_type_from_error_code`: the class of a code (KeyError for
    a code that has none, as TF1's)."""
    return _BY_CODE[error_code]


def error_code_from_exception_type(cls) -> int:
    """TF1 `tf.errors.error_code_from_exception_type`: the code of an OpError class;
    UNKNOWN, with TF1's warning, for any other class."""
    for code, known in _BY_CODE.items():
        if cls is known:
            return code
    warnings.warn("Unknown class exception")
    return UNKNOWN


class Status:
    """The status `raise_exception_on_not_ok_status` yields: OK until code and message
    are set (by the code in the block, standing in for TF's C API calls)."""

    def __init__(self) -> None:
        self.code = OK
        self.message = ""


class raise_exception_on_not_ok_status:  # noqa: N801  (TF1's name)
    """TF1 `tf.errors.raise_exception_on_not_ok_status()`: a context manager yielding a
    Status; on leaving the block, a status that is not OK is raised as its OpError."""

    def __enter__(self) -> Status:
        self.status = Status()
        return self.status

    def __exit__(self, *exc) -> None:
        if exc[0] is None and self.status.code != OK:
            raise _BY_CODE.get(self.status.code, UnknownError)(None, None,
                                                               self.status.message)
