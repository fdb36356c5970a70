"""Debugging ops: checks and printing that a run performs as effects.

CheckNumerics(x) {message}       x, after raising InvalidArgumentError when x holds a NaN
                                 or an Inf ("<message> : Tensor had NaN values", TF1)
Print(input, *data) {message, first_n, summarize}
                                 input; writes `message` and each data tensor in TF1's
                                 `tf.Print` format to stderr (the first `first_n` runs)
PrintV2(*inputs) {template, output_stream, summarize, end}
                                 no outputs; writes the template ("s": text, "t": a
                                 tensor in `tf.print`'s numpy-like format, "r": a string
                                 scalar as it is) to a stream

They are impure: never folded, merged or reordered, and kept while what they feed (or a
control dependency on them) is fetched. Both backends run their numpy kernels (the llvm
backend between native segments, as for Assert); CheckNumerics' gradient checks the
gradient too, Print's passes through to `input`.
"""
from __future__ import annotations

import sys
import threading
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop, \
    same_as_input


# ------------------------------------------------------------------ CheckNumerics
def _check_numerics_infer(op):
    check_dtype(op, op.inputs[0], dt.FLOATS)
    return same_as_input(op)


def _check_numerics_compute(x, *, message):
    nan, inf = bool(np.isnan(x).any()), bool(np.isinf(x).any())
    if nan or inf:
        what = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
        raise InvalidArgumentError(None, None, f"{message} : Tensor had {what} values")
    return x


def _check_numerics_vjp(op, grads):
    return [check_numerics(grads[0], "Not a number (NaN) or infinity (Inf) values detected "
                                     f"in gradient. {op.attrs['message']}")]


defop("CheckNumerics", _check_numerics_infer, _check_numerics_compute, _check_numerics_vjp,
      pure=False, family="control",
      doc="Raises InvalidArgumentError when its input holds a NaN or an Inf.")


def check_numerics(tensor, message: str, name: Optional[str] = None):
    return apply("CheckNumerics", (convert_to_tensor(tensor),), {"message": str(message)},
                 name=name or "CheckNumerics")


# ------------------------------------------------------------------ formatting
def _element(v, quote: bool) -> str:
    """One value as TensorFlow prints it: floats in the shortest of %.6g / %.9g (float32;
    %.15g / %.17g for float64) that reads back the same, ints in decimal, bools as 1/0
    (tf.Print) or True/False (tf.print), strings escaped (quoted in tf.print)."""
    if isinstance(v, (bytes, str)):
        text = v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else v
        text = text.encode("unicode_escape").decode("ascii")
        return f'"{text}"' if quote else text
    if isinstance(v, (np.bool_, bool)):
        return ("True" if v else "False") if quote else ("1" if v else "0")
    if isinstance(v, np.floating):
        if not np.isfinite(v):
            return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
        digits = (6, 9) if v.dtype.itemsize <= 4 else (15, 17)
        short = f"{float(v):.{digits[0]}g}"
        return short if v.dtype.type(short) == v else f"{float(v):.{digits[1]}g}"
    return str(v)


def summarize_v1(value: np.ndarray, summarize: int) -> str:
    """TF1's Tensor::SummarizeValue: the first `summarize` elements (all when negative),
    nested in brackets below the first dim, `...` when some are left out."""
    a = np.asarray(value)
    flat = a.reshape(-1)
    limit = flat.size if summarize < 0 else min(summarize, flat.size)
    if a.ndim == 0:
        return " ".join(_element(v, False) for v in flat[:limit]) + \
            ("..." if flat.size > limit else "")
    out: list = []
    index = [0]

    def dim(d: int) -> None:
        if index[0] >= limit:
            return
        if d == a.ndim - 1:
            for i in range(a.shape[d]):
                if index[0] >= limit:
                    if d != 0:
                        out.append("...")
                    return
                if i > 0:
                    out.append(" ")
                out.append(_element(flat[index[0]], False))
                index[0] += 1
            return
        for _ in range(a.shape[d]):
            opened = index[0] < limit
            if opened:
                out.append("[")
            dim(d + 1)
            if index[0] < limit or opened:
                out.append("]")

    dim(0)
    return "".join(out) + ("..." if flat.size > limit else "")


def summarize_v2(value: np.ndarray, summarize: int) -> str:
    """`tf.print`'s format: numpy-like brackets, the first and last `summarize` entries of
    every dim with `...` between (all when negative)."""
    a = np.asarray(value)
    if a.ndim == 0:
        return _element(a.reshape(-1)[0], True)
    ends = a.size if summarize < 0 else min(summarize, a.size)

    def dim(sub, d: int) -> str:
        if not isinstance(sub, np.ndarray):  # an element (of an object array: bytes)
            return _element(sub, True)
        if sub.ndim == 0:
            return _element(sub.reshape(-1)[0], True)
        gap = " " if sub.ndim == 1 else "\n" * (sub.ndim - 1) + " " * (d + 1)
        n = sub.shape[0]
        parts = [dim(sub[i], d + 1) for i in range(min(ends, n))]
        if n > 2 * ends:
            parts.append("...")
        parts += [dim(sub[i], d + 1) for i in range(max(ends, n - ends), n)]
        return "[" + gap.join(parts) + "]"

    return dim(a, 0)


# ------------------------------------------------------------------ Print (tf.Print)
def _print_infer(op):
    return same_as_input(op)


def _print_compute(ctx, x, *data, message, first_n, summarize):
    count = ctx.next_random_call()  # the op's per-Session run counter
    if first_n < 0 or count < first_n:
        text = message + "".join(f"[{summarize_v1(d, summarize)}]" for d in data)
        with _WRITE_LOCK:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()
    return x


def _print_vjp(op, grads):
    return [grads[0]] + [None] * (len(op.inputs) - 1)


defop("Print", _print_infer, _print_compute, _print_vjp, pure=False, needs_context=True,
      family="control", doc="Passes its input through and prints data tensors (tf.Print).")


def print_v1(input_, data, message: Optional[str] = None, first_n: Optional[int] = None,
             summarize: Optional[int] = None, name: Optional[str] = None):
    x = convert_to_tensor(input_)
    tensors = [convert_to_tensor(d) for d in (data or [])]
    return apply("Print", [x] + tensors,
                 {"message": message or "", "first_n": -1 if first_n is None else int(first_n),
                  "summarize": 3 if summarize is None else int(summarize)},
                 name=name or "Print")


# ------------------------------------------------------------------ PrintV2 (tf.print)
_WRITE_LOCK = threading.Lock()
_STREAMS: dict = {}  # "stream:<n>" -> a file-like object given to tf.print in this process


def stream_attr(stream) -> str:
    """The attr naming `output_stream`: stderr, stdout, file://PATH, or an object with
    `write` kept for this process."""
    if stream is None or stream is sys.stderr or stream == "stderr":
        return "stderr"
    if stream is sys.stdout or stream == "stdout":
        return "stdout"
    if isinstance(stream, str) and stream.startswith("file://"):
        return stream
    if hasattr(stream, "write"):
        key = f"stream:{id(stream)}"
        _STREAMS[key] = stream
        return key
    raise ValueError(f"tf.print: output_stream must be sys.stderr, sys.stdout, a "
                     f"'file://' path or an object with a write method, got {stream!r}")


def _write(stream: str, text: str) -> None:
    with _WRITE_LOCK:
        if stream.startswith("file://"):
            with open(stream[len("file://"):], "a", encoding="utf-8") as f:
                f.write(text)
            return
        out = sys.stdout if stream == "stdout" else _STREAMS.get(stream, sys.stderr)
        out.write(text)
        if hasattr(out, "flush"):
            out.flush()


def _print_v2_infer(op):
    return []


def _print_v2_compute(*inputs, template, output_stream, summarize, end):
    parts = [value if kind == "s" else _element(inputs[value].reshape(-1)[0], False)
             if kind == "r" else summarize_v2(inputs[value], summarize)
             for kind, value in template]
    _write(output_stream, "".join(parts) + end)


defop("PrintV2", _print_v2_infer, _print_v2_compute, NON_DIFFERENTIABLE, pure=False,
      family="control", doc="Writes its inputs, formatted, to a stream (tf.print).")


def print_v2(template: tuple, tensors: list, output_stream: str, summarize: int, end: str,
             name: Optional[str] = None):
    """A PrintV2 op: `template` holds ("s", text) and ("t", index into `tensors`) pieces."""
    return apply("PrintV2", [convert_to_tensor(t) for t in tensors],
                 {"template": tuple(template), "output_stream": output_stream,
                  "summarize": int(summarize), "end": end}, name=name or "PrintV2")
