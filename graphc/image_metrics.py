"""`tf.image.ssim`, `ssim_multiscale` and `tf.image.sobel_edges`: TF1's compositions of depthwise
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


def _as_float_images(img1, img2, max_val, fn: str):
    """(img1, img2, max_val) as float32 (TF1: max_val in the images' dtype, converted as
    they are, so 255 for uint8 is 1.0), and the images' static dims."""
    raw = convert_to_tensor(img1, name="img1")
    a = convert_image_dtype(raw, dt.float32)
    b = convert_image_dtype(convert_to_tensor(img2, name="img2"), dt.float32)
    dims = a.shape.as_tuple()
    if dims is None or len(dims) < 3 or dims[-1] is None:
        raise ValueError(f"{fn} needs images [..., height, width, channels] with known "
                         f"channels; got shape {a.shape}")
    mv = convert_image_dtype(M.cast(convert_to_tensor(max_val, dtype_hint=raw.dtype),
                                    raw.dtype), dt.float32)
    return a, b, mv, dims


def _ssim_maps(a, b, mv, channels, filter_size, filter_sigma, k1, k2, fn="ssim"):
    """TF1's _ssim_helper over Gaussian windows (VALID) of the last three axes: the
    luminance and contrast-structure maps [..., h', w', channels]."""
    for d in a.shape.as_tuple()[-3:-1]:
        if d is not None and d < filter_size:
            raise ValueError(f"{fn}: the images ({a.shape}) are smaller than the filter "
                             f"size {filter_size}")
    window = np.tile(_gaussian(int(filter_size), float(filter_sigma)),
                     [1, 1, channels, 1]).astype(np.float32)

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
    return luminance, cs


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):
    """TF1 `tf.image.ssim`: the mean over height, width and channels of luminance x
    contrast-structure, from statistics over Gaussian windows (VALID) of the last three
    axes [..., height, width, channels]; images are compared as float32."""
    with get_default_graph().name_scope("SSIM"):
        a, b, mv, dims = _as_float_images(img1, img2, max_val, "ssim")
        luminance, cs = _ssim_maps(a, b, mv, dims[-1], filter_size, filter_sigma, k1, k2)
        index_map = M.multiply(luminance, cs)
        if return_index_map:
            return R.reduce_mean(index_map, [-1])
        return R.reduce_mean(R.reduce_mean(index_map, [-3, -2]), [-1])


_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11,
                    filter_sigma=1.5, k1=0.01, k2=0.03):
    """TF1 `tf.image.ssim_multiscale`: MS-SSIM, the product over len(power_factors)
    scales (each a 2x2 average pool of the last, odd sizes first padded SYMMETRIC) of
    relu(contrast-structure) ** factor, the last scale's relu(SSIM) instead, averaged over
    channels. Needs the images' height and width known when the graph is built."""
    from .ir.ops.array_ops import stack
    from .ir.ops.conv_ops import avg_pool
    from .ir.ops.nn_ops import relu
    from .ir.ops.tile_pad_ops import pad
    with get_default_graph().name_scope("MS-SSIM"):
        a, b, mv, dims = _as_float_images(img1, img2, max_val, "ssim_multiscale")
        if None in dims[-3:-1]:
            raise ValueError(f"ssim_multiscale needs images of known height and width; got "
                             f"shape {a.shape}")
        head = shape_of(a)[:-3]
        height, width, channels = dims[-3:]
        mcs = []
        for k in range(len(power_factors)):
            with get_default_graph().name_scope(f"Scale{k}"):
                if k > 0:
                    pads = [[0, 0], [0, height % 2], [0, width % 2], [0, 0]]
                    flat = [reshape(x, [-1, height, width, channels]) for x in (a, b)]
                    if height % 2 or width % 2:
                        flat = [pad(x, pads, mode="SYMMETRIC") for x in flat]
                    pooled = [avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID") for x in flat]
                    height, width = (height + 1) // 2, (width + 1) // 2
                    a, b = (reshape(x, concat([head, [height, width, channels]], 0))
                            for x in pooled)
                luminance, cs = _ssim_maps(a, b, mv, channels, filter_size, filter_sigma,
                                           k1, k2, "ssim_multiscale")
                ssim_per_channel = R.reduce_mean(M.multiply(luminance, cs), [-3, -2])
                mcs.append(relu(R.reduce_mean(cs, [-3, -2])))
        mcs.pop()
        values = stack(mcs + [relu(ssim_per_channel)], axis=-1)
        weights = np.asarray(power_factors, np.float32)
        return R.reduce_mean(R.reduce_prod(M.pow(values, weights), [-1]), [-1])


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

