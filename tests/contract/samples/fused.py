"""Contract samples for the Fused op (normally made by the fusion pass, built here by hand)."""
import numpy as np

from graphc.ir.graph import DerivedGraph
from graphc.ir.ops import core_ops, math_ops
from graphc.ir.ops.fused_ops import make_fused
from graphc.ir.context import get_default_graph

ph = core_ops.placeholder
R = np.random.RandomState(0)


def _body(build):
    body = DerivedGraph()
    with body.as_default():
        outputs = build()
    return body, outputs


def _broadcast_chain():
    x = ph("float32", [4, 3])
    b = ph("float32", [3])

    def build():
        px, pb = ph("float32", [4, 3], name="x"), ph("float32", [3], name="b")
        return [math_ops.tanh(px * pb + 1.0)]
    body, outs = _body(build)
    y = make_fused(get_default_graph(), "fused", [x, b], body, outs).outputs[0]
    return y, {x: R.randn(4, 3).astype(np.float32), b: R.randn(3).astype(np.float32)}


def _two_outputs_mixed_dtypes():
    x = ph("float64", [5])

    def build():
        px = ph("float64", [5], name="x")
        s = math_ops.square(px)
        return [s, math_ops.greater(s, 0.5)]
    body, outs = _body(build)
    fused = make_fused(get_default_graph(), "fused", [x], body, outs)
    return list(fused.outputs), {x: R.randn(5)}


SAMPLES = {"Fused": [_broadcast_chain, _two_outputs_mixed_dtypes]}
