"""Contract samples for space/depth/batch rearrangements and image patches (small float64
ones feed the central-difference gradient tests)."""
import numpy as np

from graphc.ir.ops import core_ops, space_ops as S

R = np.random.RandomState(3)


def _case(fn, shape, dtype, *args, **kwargs):
    """A sample applying fn(x, *args, **kwargs) to a fed x of `shape`."""
    def build():
        x = core_ops.placeholder(dtype, list(shape))
        return fn(x, *args, **kwargs), {x: (R.randn(*shape) * 3).astype(dtype)}
    build.__name__ = f"{fn.__name__}_{'x'.join(map(str, shape))}_{dtype}"
    return build


SAMPLES = {
    "SpaceToDepth": [_case(S.space_to_depth, (1, 4, 2, 3), "float64", 2),
                     _case(S.space_to_depth, (2, 3, 6, 1), "int32", 3)],
    "DepthToSpace": [_case(S.depth_to_space, (1, 2, 1, 8), "float64", 2),
                     _case(S.depth_to_space, (2, 1, 2, 9), "float32", 3)],
    "SpaceToBatchND": [_case(S.space_to_batch_nd, (1, 3, 2, 2), "float64", [2, 2],
                             [[1, 0], [0, 0]]),
                       _case(S.space_to_batch, (2, 5, 3), "float32", [[0, 1]],
                             block_shape=[3])],
    "BatchToSpaceND": [_case(S.batch_to_space_nd, (4, 2, 1, 2), "float64", [2, 2],
                             [[1, 0], [0, 1]]),
                       _case(S.batch_to_space, (8, 1, 2, 3), "float32", [[0, 0], [1, 1]],
                             block_size=2)],
    "ExtractImagePatches": [
        _case(S.extract_image_patches, (1, 4, 3, 2), "float64", [1, 2, 2, 1], [1, 2, 1, 1],
              [1, 1, 1, 1], "SAME"),
        _case(S.extract_image_patches, (2, 6, 5, 3), "float32", [1, 2, 3, 1], [1, 1, 2, 1],
              [1, 2, 1, 1], "VALID"),
        _case(S.extract_image_patches, (1, 3, 3, 1), "int32", sizes=[1, 3, 3, 1],
              strides=[1, 1, 1, 1], rates=[1, 1, 1, 1], padding="SAME")],
}
