"""Contract samples for the resize kernels (float32 outputs, as TF1: their gradients are
checked in tests/api/test_image.py; float64 inputs still feed the registry's check that
every differentiable op has a gradient sample)."""
import numpy as np

from graphc.ir.ops import core_ops, image_ops as I
from graphc.ir.ops._base import apply

R = np.random.RandomState(9)


def _resize(kind, shape, size, dtype="float32", **flags):
    def build():
        x = core_ops.placeholder(dtype, list(shape))
        value = (R.rand(*shape) * 100).astype(dtype)
        return I.resize(kind, x, size, **flags), {x: value}
    build.__name__ = f"{kind}_{'_'.join(flags) or 'legacy'}_{dtype}"
    return build


def _grad(kind, g_shape, other, dtype="float32", **flags):
    def build():
        g_dtype = dtype if kind == "ResizeNearestNeighborGrad" else "float32"
        g = core_ops.placeholder(g_dtype, list(g_shape))
        feed = {g: R.randn(*g_shape).astype(g_dtype)}
        attrs = {"align_corners": flags.get("align_corners", False),
                 "half_pixel_centers": flags.get("half_pixel_centers", False)}
        if kind == "ResizeNearestNeighborGrad":
            return apply(kind, (g, core_ops.constant(np.int32(other))), attrs), feed
        img = core_ops.placeholder(dtype, list(other))
        feed[img] = R.rand(*other).astype(dtype)
        return apply(kind, (g, img), attrs), feed
    build.__name__ = f"{kind}_{'_'.join(flags) or 'legacy'}_{dtype}"
    return build


SAMPLES = {
    "ResizeBilinear": [_resize("ResizeBilinear", (2, 3, 4, 2), [5, 3]),
                       _resize("ResizeBilinear", (1, 4, 4, 1), [2, 7], "uint8",
                               align_corners=True),
                       _resize("ResizeBilinear", (1, 3, 3, 2), [6, 2], "float64",
                               half_pixel_centers=True)],
    "ResizeNearestNeighbor": [_resize("ResizeNearestNeighbor", (2, 3, 4, 2), [5, 3]),
                              _resize("ResizeNearestNeighbor", (1, 4, 4, 1), [2, 7], "int32",
                                      half_pixel_centers=True),
                              _resize("ResizeNearestNeighbor", (1, 3, 3, 1), [4, 4], "float64",
                                      align_corners=True)],
    "ResizeBicubic": [_resize("ResizeBicubic", (2, 3, 4, 2), [5, 6]),
                      _resize("ResizeBicubic", (1, 5, 4, 1), [3, 7], "float64",
                              half_pixel_centers=True)],
    "ResizeArea": [_resize("ResizeArea", (2, 4, 6, 2), [3, 4]),
                   _resize("ResizeArea", (1, 3, 3, 1), [5, 2], "uint8", align_corners=True)],
    "ResizeBilinearGrad": [_grad("ResizeBilinearGrad", (2, 5, 3, 2), (2, 3, 4, 2)),
                           _grad("ResizeBilinearGrad", (1, 2, 2, 1), (1, 3, 5, 1), "float64",
                                 half_pixel_centers=True)],
    "ResizeNearestNeighborGrad": [
        _grad("ResizeNearestNeighborGrad", (2, 5, 3, 2), (3, 4)),
        _grad("ResizeNearestNeighborGrad", (1, 2, 6, 1), (4, 3), "float64",
              align_corners=True)],
    "ResizeBicubicGrad": [_grad("ResizeBicubicGrad", (2, 5, 3, 2), (2, 3, 4, 2)),
                          _grad("ResizeBicubicGrad", (1, 2, 2, 1), (1, 3, 5, 1), "float64",
                                align_corners=True)],
}
