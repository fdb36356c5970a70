"""`tf.image.ssim` and `tf.image.sobel_edges`: TF1's compositions of depthwise
convolutions (a Gaussian window for SSIM's local statistics, the two Sobel kernels over a
reflect-padded image), so they lower natively and have gradients."""
from __future__ import annotations

import numpy as np

from .image_color import convert_image_dtype
from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import conv_ops as C, math_ops as M
from .ir.ops import reduce_ops as R
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_ops import concat, reshape, shape as shape_of


def _gaussian(size: int, sigma: float) -> np.ndarray:
    """TF1's _fspecial_gauss: the normalised 2-D Gaussian window [size, size, 1, 1]."""
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = -0.5 * coords ** 2 / sigma ** 2
    g = g[None, :] + g[:, None]
    g = np.exp(g - g.max())
    return (g / g.sum()).reshape(size, size, 1, 1)


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):
    """TF1 `tf.image.ssim`: the mean over height, width and channels of luminance x
    contrast-structure, from statistics over Gaussian windows (VALID) of the last three
    axes [..., height, width, channels]; images are compared as float32."""
    with get_default_graph().name_scope("SSIM"):
        raw = convert_to_tensor(img1, name="img1")
        a = convert_image_dtype(raw, dt.float32)
        b = convert_image_dtype(convert_to_tensor(img2, name="img2"), dt.float32)
        dims = a.shape.as_tuple()
        if dims is None or len(dims) < 3 or dims[-1] is None:
            raise ValueError(f"ssim needs images [..., height, width, channels] with known "
                             f"channels; got shape {a.shape}")
        for d in dims[-3:-1]:
            if d is not None and d < filter_size:
                raise ValueError(f"ssim: the images ({a.shape}) are smaller than the filter "
                                 f"size {filter_size}")
        # TF1: max_val in the images' dtype, converted as they are (255 for uint8 is 1.0)
        mv = convert_image_dtype(M.cast(convert_to_tensor(max_val, dtype_hint=raw.dtype),
                                        raw.dtype), dt.float32)
        window = np.tile(_gaussian(int(filter_size), float(filter_sigma)),
                         [1, 1, dims[-1], 1]).astype(np.float32)

        def reducer(x):
            s = shape_of(x)
            flat = reshape(x, concat([[-1], s[-3:]], 0))
            y = C.depthwise_conv2d(flat, window, [1, 1, 1, 1], "VALID")
            return reshape(y, concat([s[:-3], shape_of(y)[1:]], 0))
        c1 = M.square(M.multiply(mv, float(k1)))
        c2 = M.square(M.multiply(mv, float(k2)))
        mean_a, mean_b = reducer(a), reducer(b)
        num0 = M.multiply(M.multiply(mean_a, mean_b), 2.0)
        den0 = M.add(M.square(mean_a), M.square(mean_b))
        luminance = M.divide(M.add(num0, c1), M.add(den0, c1))
        num1 = M.multiply(reducer(M.multiply(a, b)), 2.0)
        den1 = reducer(M.add(M.square(a), M.square(b)))
        cs = M.divide(M.add(M.subtract(num1, num0), c2), M.add(M.subtract(den1, den0), c2))
        index_map = M.multiply(luminance, cs)
        if return_index_map:
            return R.reduce_mean(index_map, [-1])
        return R.reduce_mean(R.reduce_mean(index_map, [-3, -2]), [-1])


def sobel_edges(image):
    """TF1 `tf.image.sobel_edges`: [batch, h, w, d, 2], the vertical (dy) and horizontal
    (dx) Sobel responses of each channel over the reflect-padded image."""
    from .ir.ops.tile_pad_ops import pad
    x = convert_to_tensor(image, name="image")
    dims = x.shape.as_tuple()
    if dims is None or len(dims) != 4 or dims[-1] is None:
        raise ValueError(f"sobel_edges needs a 4-D image [batch, h, w, d] with known depth; "
                         f"got shape {x.shape}")
    kernels = np.float64([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
                          [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]).transpose(1, 2, 0)[:, :, None]
    filters = np.tile(kernels, [1, 1, dims[-1], 1]).astype(x.dtype.np)
    padded = pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    out = C.depthwise_conv2d(padded, filters, [1, 1, 1, 1], "VALID")
    s = shape_of(x)
    return reshape(out, concat([s, [2]], 0)) if None in dims else \
        reshape(out, list(dims) + [2])

