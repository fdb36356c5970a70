"""Write tests/data/tf1_signatures.json: the signature of every public function and class
of TensorFlow's TF1 API (`tensorflow.compat.v1`), by namespace path.

    pip install tensorflow-cpu tf-keras     # in a virtualenv of your own, never a graphc dependency
    python tests/data/make_tf1_signatures.py

The file maps a path under `tf` ("nn.relu", "train.AdamOptimizer") to its parameters in
order, each a string: "name" (no default), "name=<repr of the default>", "*args",
"**kwargs", with "*" before keyword-only parameters (a class lists its constructor's,
without self). "namespaces" lists the module paths walked; "names" gives an object's own
`__name__` where it is not the path's last part (tf.zeros_initializer is class Zeros);
"messages" lists the fields of each protocol-buffer message class (tf.ConfigProto).
tests/api/test_signatures.py checks graphc's public API against it. graphc itself never
imports tensorflow.
"""
from __future__ import annotations

import inspect
import json
import os
import sys
import types

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf1_signatures.json")
SKIP_NAMESPACES = {"compat", "experimental", "keras", "estimator", "lite", "tpu", "distribute",
                   "xla", "mlir", "autograph", "tools", "raw_ops", "feature_column",
                   "saved_model", "distributions", "sysconfig", "version", "test", "quantization",
                   "tpu_experimental", "__internal__", "__operators__"}


def _default(value) -> str:
    text = repr(value)
    if isinstance(value, types.FunctionType):
        text = value.__qualname__
    if " at 0x" in text:  # object reprs with addresses: keep the file stable across runs
        text = text.split(" at 0x")[0] + ">"
    return text


def describe(fn) -> list | None:
    """Parameters as strings, or None when Python cannot tell (builtins, protos)."""
    try:
        sig = inspect.signature(fn.__init__ if inspect.isclass(fn) else fn)
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())
    if inspect.isclass(fn) and params and params[0].name == "self":
        params = params[1:]
    out, kw_only = [], False
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            out.append("*" + p.name)
            kw_only = True
        elif p.kind is p.VAR_KEYWORD:
            out.append("**" + p.name)
        else:
            if p.kind is p.KEYWORD_ONLY and not kw_only:
                out.append("*")
                kw_only = True
            out.append(p.name if p.default is p.empty else f"{p.name}={_default(p.default)}")
    return out


def walk(module, path: str, seen: set, namespaces: list, table: dict, names: dict,
         messages: dict) -> None:
    if id(module) in seen:
        return
    seen.add(id(module))
    namespaces.append(path)
    for name in sorted(dir(module)):
        if name.startswith("_"):
            continue
        try:
            value = getattr(module, name)
        except Exception:  # lazy loaders of optional parts
            continue
        full = f"{path}.{name}" if path else name
        if isinstance(value, types.ModuleType):
            module_name = getattr(value, "__name__", "")
            if name not in SKIP_NAMESPACES and module_name.startswith(
                    ("tensorflow", "tf_keras")) and ".python.util" not in module_name:
                walk(value, full, seen, namespaces, table, names, messages)
        elif callable(value):
            descriptor = getattr(value, "DESCRIPTOR", None)
            if inspect.isclass(value) and hasattr(descriptor, "fields"):
                messages[full] = [f.name for f in descriptor.fields]
            sig = describe(value)
            if sig is not None:
                table[full] = sig
                own = getattr(value, "__name__", name)
                if own != name and isinstance(own, str):
                    names[full] = own


def main() -> int:
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.layers via tf-keras
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    v1 = tf.compat.v1
    table: dict = {}
    names: dict = {}
    messages: dict = {}
    namespaces: list = []
    walk(v1, "", set(), namespaces, table, names, messages)
    doc = {"tensorflow": tf.__version__, "source": "tensorflow.compat.v1",
           "namespaces": sorted(namespaces), "signatures": dict(sorted(table.items())),
           "names": dict(sorted(names.items())), "messages": dict(sorted(messages.items()))}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=0, sort_keys=False)
        f.write("\n")
    print(f"{len(table)} signatures in {len(namespaces)} namespaces -> {OUT} "
          f"({os.path.getsize(OUT) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
