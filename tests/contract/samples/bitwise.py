"""Contract samples for tf.bitwise (ir/ops/bitwise_ops.py): broadcasting, clamped shifts,
the signed and unsigned dtypes."""
import numpy as np

from graphc.ir.ops import bitwise_ops as bw, core_ops

ph = core_ops.placeholder


def _binary(builder):
    def broadcast():
        x = ph("int32", [None, 3])
        y = ph("int32", [3])
        return builder(x, y), {x: np.int32([[5, -9, 1 << 30], [0, 7, -1]]),
                               y: np.int32([1, 3, 40])}

    def small():
        x = ph("uint8", None)
        y = np.uint8(3 if builder in (bw.left_shift, bw.right_shift) else 0x5A)
        return builder(x, y), {x: np.uint8([0, 1, 200, 255])}
    broadcast.__name__ = f"{builder.__name__}_broadcast"
    small.__name__ = f"{builder.__name__}_uint8"
    return [broadcast, small]


def _invert64():
    x = ph("int64", [None])
    return bw.invert(x), {x: np.int64([0, -1, 2 ** 62])}


def _invert8():
    x = ph("uint8", [2, 2])
    return bw.invert(x), {x: np.uint8([[0, 1], [128, 255]])}


SAMPLES = {"BitwiseAnd": _binary(bw.bitwise_and), "BitwiseOr": _binary(bw.bitwise_or),
           "BitwiseXor": _binary(bw.bitwise_xor), "LeftShift": _binary(bw.left_shift),
           "RightShift": _binary(bw.right_shift), "Invert": [_invert64, _invert8]}
