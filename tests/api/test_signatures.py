"""The public API's signatures, the class test for issue 15 item 13.

Every public callable reachable from `import graphc as tf` (functions and classes, in the
top level and every TF1 namespace graphc has) must
  (a) name itself by its public name (`__name__`, `__qualname__`, and the name a bad
      keyword's TypeError gives) and take no **kwargs unless TF1's does, so a misspelt
      keyword is an error naming the function, never silently ignored;
  (b) accept TF1's parameters in TF1's order, with TF1's defaults, wherever TF1
      (`tensorflow.compat.v1`, tests/data/tf1_signatures.json, made by
      tests/data/make_tf1_signatures.py) has the same path.
"""
from __future__ import annotations

import inspect
import json
import os
import types

import numpy as np
import pytest

import graphc as tf

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data", "tf1_signatures.json")
with open(DATA) as _f:
    TF1 = json.load(_f)
TF1_SIGNATURES: dict = TF1["signatures"]
TF1_NAMES: dict = TF1["names"]  # path -> the object's own __name__ where it differs

# Namespaces graphc has that TF1 does not (tf.contrib was removed from the TF1 API that
# tensorflow.compat.v1 keeps).
GRAPHC_ONLY_NAMESPACES = {"contrib", "contrib.layers"}
# graphc's own package layers and internal modules: attributes of `graphc` because Python
# binds a package's submodules, not part of the TF1 API (graphc/config.py holds the
# top-level ConfigProto family, not TF1's device-configuration `tf.config`).
NOT_NAMESPACES = {"ir", "passes", "backends", "compat", "config"}
# Deliberate differences from TF1's signature, each with its reason.
DIFFERENT = {
    "DType": "TF1 builds a DType from its enum; graphc's are made once, in ir/dtypes.py",
    "dtypes.DType": "as DType",
    **{f"nn.{f}": "TF 1.x keeps `_sentinel` first, so labels and logits are passed by name "
                  "and never swapped; tensorflow.compat.v1 dropped it"
       for f in ("softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
                 "sigmoid_cross_entropy_with_logits")},
    "data.Iterator": "made by a Dataset or Iterator.from_structure, never by users (TF1's "
                     "takes the iterator resource)",
}


def _is_namespace(value) -> bool:
    if isinstance(value, types.ModuleType):
        return value.__name__.startswith("graphc")
    return (not callable(value) and not isinstance(value, (int, float, str, bytes, tuple))
            and type(value).__module__.startswith("graphc")
            and type(value).__name__.endswith(("Namespace", "Contrib", "Layers")))


def _public_names(namespace) -> list:
    if isinstance(namespace, types.ModuleType):
        names = getattr(namespace, "__all__", None) or dir(namespace)
    else:
        names = set(dir(namespace)) | set(dir(type(namespace)))
    return sorted(n for n in names if not n.startswith("_"))


def _defined_in_graphc(value) -> bool:
    module = getattr(value, "__module__", None) or ""
    return module.startswith("graphc")


def _exported(namespace, name: str, value, path: str) -> bool:
    """A module's public names are those TF1 has there, those in its __all__ and those it
    defines itself; anything else it merely imports for its own use."""
    if not isinstance(namespace, types.ModuleType) or namespace is tf:
        return True
    return (path in TF1_SIGNATURES or name in (getattr(namespace, "__all__", None) or ())
            or getattr(value, "__module__", None) == namespace.__name__)


def public_api() -> dict:
    """path -> callable, for every public function and class of graphc's TF1 surface."""
    tf1_namespaces = set(TF1["namespaces"]) | GRAPHC_ONLY_NAMESPACES
    found: dict = {}
    todo = [("", tf)]
    while todo:
        path, namespace = todo.pop()
        for name in _public_names(namespace):
            try:
                value = getattr(namespace, name)
            except AttributeError:
                continue
            full = f"{path}.{name}" if path else name
            if _is_namespace(value):
                if full in tf1_namespaces and full not in NOT_NAMESPACES:
                    todo.append((full, value))
            elif callable(value) and _defined_in_graphc(value) and \
                    not isinstance(value, tf.DType) and _exported(namespace, name, value, full):
                found[full] = value
    return found


API = public_api()
PATHS = sorted(API)
BY_OBJECT: dict = {}  # id -> the names it may call itself: its public names and TF1's
for _path, _value in API.items():
    BY_OBJECT.setdefault(id(_value), set()).update(
        {_path.rsplit(".", 1)[-1]} | ({TF1_NAMES[_path]} if _path in TF1_NAMES else set()))


def _inherits_init(value) -> bool:
    """A class whose constructor is a builtin's (an exception's, object's)."""
    return inspect.isclass(value) and not isinstance(value.__init__, types.FunctionType)


def _target(value):
    """The function whose signature users call: a class's constructor, else itself."""
    return value.__init__ if inspect.isclass(value) else value


def _params(value) -> list:
    params = list(inspect.signature(_target(value)).parameters.values())
    if inspect.isclass(value) and params and params[0].name == "self":
        params = params[1:]
    return params


def _tf1_has_kwargs(path: str) -> bool:
    return any(p.startswith("**") for p in TF1_SIGNATURES.get(path, ()))


def test_the_walk_finds_the_api():
    for path in ("reduce_sum", "nn.relu", "nn.rnn_cell.BasicLSTMCell", "train.AdamOptimizer",
                 "layers.dense", "losses.softmax_cross_entropy", "Session", "get_variable"):
        assert path in API, f"{path} not found by the public-API walk"
    assert "session.BaseSession" not in API and not any(p.startswith("ir.") for p in API)


@pytest.mark.parametrize("path", PATHS)
def test_public_name_and_no_hidden_kwargs(path):
    value = API[path]
    names = BY_OBJECT[id(value)]
    assert value.__name__ in names, \
        f"tf.{path}.__name__ is {value.__name__!r}, expected one of {sorted(names)}"
    assert value.__qualname__ in names, \
        f"tf.{path}.__qualname__ is {value.__qualname__!r}, expected one of {sorted(names)}"
    kinds = set() if _inherits_init(value) else {p.kind for p in _params(value)}
    if inspect.Parameter.VAR_KEYWORD in kinds and not _tf1_has_kwargs(path):
        pytest.fail(f"tf.{path}{inspect.signature(_target(value))} takes **kwargs (TF1's "
                    "does not): a misspelt keyword would be ignored")


@pytest.mark.parametrize("path", [p for p in PATHS if not _tf1_has_kwargs(p)])
def test_a_misspelt_keyword_names_the_public_function(path):
    value = API[path]
    if _inherits_init(value):
        pytest.skip("a builtin's constructor (an exception's) takes no keywords")
    if inspect.Parameter.VAR_KEYWORD in {p.kind for p in _params(value)}:
        pytest.skip("takes **kwargs (reported by test_public_name_and_no_hidden_kwargs)")
    with pytest.raises(TypeError) as info:
        value(axsi_misspelt=1)
    text = str(info.value)
    names = set(BY_OBJECT[id(value)])
    if inspect.isclass(value):  # an inherited constructor names a public base class
        names |= {c.__name__ for c in value.__mro__ if id(c) in BY_OBJECT}
    assert "unexpected keyword argument 'axsi_misspelt'" in text, text
    assert any(text.startswith((f"{n}()", f"{n}.__init__()")) for n in names), \
        f"tf.{path}: the error names {text.split('(')[0]!r}, not the public name: {text}"


def _tf1_order(path: str) -> tuple:
    """TF1's (positional parameters, keyword-only parameters, defaults, *args?)."""
    positional, keyword, defaults, star = [], [], {}, False
    kw_only = False
    for p in TF1_SIGNATURES[path]:
        if p == "*" or p.startswith("*") and not p.startswith("**"):
            kw_only, star = True, star or p != "*"
            continue
        if p.startswith("**"):
            continue
        name, eq, default = p.partition("=")
        (keyword if kw_only else positional).append(name)
        if eq:
            defaults[name] = default
    return positional, keyword, defaults, star


_LITERAL_DEFAULTS = {"None", "True", "False"}


def _comparable(default: str) -> bool:
    """Defaults compared by repr: None, booleans, numbers and strings."""
    if default in _LITERAL_DEFAULTS or default[:1] in "'\"":
        return True
    try:
        float(default)
        return True
    except ValueError:
        return False


def signature_mismatch(path: str):
    """None when graphc's `path` accepts TF1's parameters, else what differs."""
    if TF1_SIGNATURES[path] == ["*args", "**kwargs"]:
        return None  # TF1's is opaque (a protocol-buffer message, a wrapped constructor)
    positional, keyword, defaults, star = _tf1_order(path)
    params = _params(API[path])
    ours = [p.name for p in params
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    kinds = {p.kind for p in params}
    by_name = {p.name: p for p in params}
    problems = []
    if ours[:len(positional)] != positional:
        problems.append(f"positional parameters {ours} do not start with TF1's {positional}")
    missing = [n for n in keyword if n not in by_name]
    if missing and inspect.Parameter.VAR_KEYWORD not in kinds:
        problems.append(f"keyword-only parameters {missing} missing")
    if star and inspect.Parameter.VAR_POSITIONAL not in kinds:
        problems.append("no *args where TF1 has them")
    for name, default in defaults.items():
        p = by_name.get(name)
        if p is None or not _comparable(default):
            continue
        if p.default is p.empty:
            problems.append(f"{name} has no default (TF1: {default})")
        elif repr(p.default) != default and not (
                _comparable(repr(p.default)) and _same_number(repr(p.default), default)):
            problems.append(f"{name}={p.default!r} (TF1: {name}={default})")
    return "; ".join(problems) or None


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b) and a not in _LITERAL_DEFAULTS and b not in _LITERAL_DEFAULTS
    except ValueError:
        return False


SHARED = [p for p in PATHS if p in TF1_SIGNATURES]


def test_signature_coverage_is_reported(capsys):
    graphc_funcs = len(PATHS)
    matching = sum(signature_mismatch(p) is None for p in SHARED if p not in DIFFERENT)
    with capsys.disabled():
        print(f"\n[signatures] graphc public callables: {graphc_funcs}; TF1 (compat.v1) "
              f"callables: {len(TF1_SIGNATURES)}; graphc has {len(SHARED)} of them "
              f"({100 * len(SHARED) / len(TF1_SIGNATURES):.0f}%), {matching} with TF1's "
              f"parameters, {len(DIFFERENT)} different on purpose, {len(PENDING)} pending; "
              f"graphc-only: {graphc_funcs - len(SHARED)}")
    assert len(SHARED) > 300


# Mismatches found by this test and not fixed yet (the list may only shrink).
PENDING: set = set()


@pytest.mark.parametrize("path", SHARED)
def test_tf1_parameters_in_tf1_order(path):
    if path in DIFFERENT:
        pytest.skip(DIFFERENT[path])
    problem = signature_mismatch(path)
    if path in PENDING:
        assert problem is not None, f"tf.{path} matches TF1 now: remove it from PENDING"
        pytest.xfail(f"tf.{path}: {problem}")
    assert problem is None, f"tf.{path}: {problem}\n  graphc: " \
        f"{inspect.signature(_target(API[path]))}\n  TF1:    ({', '.join(TF1_SIGNATURES[path])})"


def test_the_issue_examples():
    x = tf.constant([[1.0, -2.0]])
    with pytest.raises(TypeError, match=r"^reduce_sum\(\) got an unexpected keyword argument "
                                        r"'axsi'"):
        tf.reduce_sum(x, axsi=1)
    for fn in (tf.nn.relu, tf.nn.elu, tf.nn.relu6, tf.nn.selu, tf.nn.softplus, tf.nn.softsign):
        with pytest.raises(TypeError, match=rf"^{fn.__name__}\(\) got an unexpected keyword"):
            fn(x, nmae="act")


def _run(t):
    with tf.Session() as sess:
        return sess.run(t)


def test_changed_signatures_keep_tf1_semantics():
    rng = np.random.RandomState(0)
    x = rng.rand(1, 5, 5, 2).astype(np.float32)
    w = rng.rand(3, 3, 2, 4).astype(np.float32)
    # TF1 order: use_cudnn_on_gpu is 5th, data_format 6th; `filters` is TF2's `filter`
    a = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", True, "NHWC")
    b = tf.nn.conv2d(x, filters=w, strides=[1, 1, 1, 1], padding="SAME")
    t = tf.nn.conv2d_transpose(input=a, filters=w, output_shape=[1, 5, 5, 2],
                               strides=[1, 1, 1, 1])
    va, vb, vt = _run([a, b, t])
    np.testing.assert_array_equal(va, vb)
    assert vt.shape == (1, 5, 5, 2)
    with pytest.raises(ValueError, match="filter .or its alias filters., exactly one"):
        tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", filters=w)
    p = np.arange(6.0).reshape(3, 2)
    g, c, s, z = _run([tf.gather(p, [2, 0], axis=None), tf.count_nonzero(input=[0, 3, 0, 1]),
                       tf.shape(p), tf.nn.softmax_cross_entropy_with_logits_v2(
                           np.eye(2), np.zeros((2, 2)))])
    np.testing.assert_array_equal(g, p[[2, 0]])
    assert c == 2 and s.dtype == np.int32
    np.testing.assert_allclose(z, [np.log(2), np.log(2)])


def test_tf2_era_parameters_are_refused_unless_default():
    with pytest.raises(NotImplementedError, match=r"matmul\(output_type=tf.int32\) is not "
                                                  r"supported by graphc"):
        tf.matmul([[1.0]], [[1.0]], output_type=tf.int32)
    assert _run(tf.gather([[1.0, 2.0]], [[1]], batch_dims=1)).tolist() == [[2.0]]  # TF1's
    with pytest.raises(NotImplementedError, match="use_own_namescope_for_non_slot_vars"):
        tf.train.AdamOptimizer(use_own_namescope_for_non_slot_vars=True)
    with pytest.raises(TypeError, match=r"BasicRNNCell.__init__\(\) got an unexpected keyword "
                                        r"argument 'resue'"):
        tf.nn.rnn_cell.BasicRNNCell(4, resue=True)
    assert _run(tf.matmul([[2.0]], [[3.0]], grad_a=True)) == 6.0  # a hint, ignored


OPTION_MESSAGES = [p for p in TF1["messages"] if p in API and hasattr(API[p], "_ignored")]


@pytest.mark.parametrize("path", OPTION_MESSAGES)
def test_option_messages_have_tf1_fields_and_refuse_others(path):
    # graphc/config.py's ConfigProto family: TF1's protocol-buffer messages take keyword
    # fields only, and a misspelt one is an error (it was silently stored and ignored).
    cls = API[path]
    fields = set(cls._defaults) | set(cls._ignored)
    missing = sorted(set(TF1["messages"][path]) - fields)
    assert not missing, f"tf.{path} lacks TF1's fields {missing}"
    with pytest.raises(ValueError, match=f'Protocol message {cls.__name__} has no "axsi" field'):
        cls(axsi=1)
    message = cls()
    with pytest.raises(ValueError, match='has no "axsi" field'):
        message.axsi = 1


def test_option_messages_are_all_checked():
    assert {"ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions"} <= set(
        OPTION_MESSAGES)


# TF1's messages graphc has as protocol buffers, with the fields they leave undescribed
# (kept as unknown fields: graphc/protos/run_metadata.py says why).
PROTO_MESSAGES = {"RunOptions": set(), "RunMetadata": {"cost_graph"},
                  "profiler.GraphNodeProto": set(), "profiler.MultiGraphNodeProto": set()}


@pytest.mark.parametrize("path", sorted(PROTO_MESSAGES))
def test_protocol_buffer_messages_have_tf1_fields(path):
    cls = tf
    for part in path.split("."):
        cls = getattr(cls, part)
    fields = set(cls.DESCRIPTOR.fields_by_name)
    missing = sorted(set(TF1["messages"][path]) - fields - PROTO_MESSAGES[path])
    assert not missing, f"tf.{path} lacks TF1's fields {missing}"
    with pytest.raises(ValueError, match="axsi"):
        cls(axsi=1)
