"""Contract samples for the complex ops (ir/ops/complex_ops.py). Samples feeding float64
parts build their complex input with Complex, so the registry's gradient tests check
TF1's complex convention through Complex's and Real's/Imag's rules; complex outputs are
checked by tests/api/test_complex.py's central differences."""
import numpy as np

from graphc.ir.ops import complex_ops as C, core_ops, math_ops as M

ph = core_ops.placeholder
R = np.random.RandomState(31)


def _parts(shape):
    x, y = ph("float64", list(shape)), ph("float64", list(shape))
    return x, y, {x: R.randn(*shape), y: R.randn(*shape)}


def _complex_broadcast():
    x, y = ph("float64", [2, 3]), ph("float64", [3])
    return C.complex(x, y), {x: R.randn(2, 3), y: R.randn(3)}


def _complex_f32():
    x, y = ph("float32", [None]), ph("float32", [None])
    return C.complex(x, y), {x: np.float32([1, -2, 0.5]), y: np.float32([0, 3, -1])}


def _unary_f64(op_type, builder):
    def build():
        x, y, feeds = _parts((2, 3))
        return builder(C.complex(x, y)), feeds
    build.__name__ = f"{op_type}_of_complex128"
    return build


def _unary_c64(op_type, builder):
    def build():
        z = ph("complex64", [None, 2])
        return builder(z), {z: np.complex64([[1 + 2j, -3j], [0, -1.5 + 0.5j]])}
    build.__name__ = f"{op_type}_of_complex64_fed"
    return build


def _conj_real():
    x, y, feeds = _parts((3,))
    return C.real(C.conj(C.complex(x, y))), feeds


SAMPLES = {
    "Complex": [_complex_broadcast, _complex_f32],
    "Real": [_unary_f64("Real", C.real), _unary_c64("Real", C.real)],
    "Imag": [_unary_f64("Imag", C.imag), _unary_c64("Imag", C.imag)],
    "Angle": [_unary_f64("Angle", C.angle), _unary_c64("Angle", C.angle)],
    "ComplexAbs": [_unary_f64("ComplexAbs", M.abs), _unary_c64("ComplexAbs", M.abs)],
    "Conj": [_unary_c64("Conj", C.conj), _conj_real],
}
