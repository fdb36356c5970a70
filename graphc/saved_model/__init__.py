"""TF1 `tf.saved_model`: SavedModel directories written by `builder.SavedModelBuilder` and
`simple_save`, read by `loader.load`, with `tag_constants`, `signature_constants`,
`signature_def_utils` and `utils` (TensorInfo)."""
from . import builder, loader  # noqa: F401  (tf.saved_model.builder / .loader: the modules)
from . import constants as _constants_module
from .builder import SavedModelBuilder, simple_save  # noqa: F401
from .constants import constants, signature_constants, tag_constants  # noqa: F401
from .loader import load, maybe_saved_model_directory  # noqa: F401
from .signature_def_utils import (build_signature_def, build_tensor_info,  # noqa: F401
                                  classification_signature_def, get_tensor_from_tensor_info,
                                  is_valid_signature, predict_signature_def,
                                  regression_signature_def, signature_def_utils, utils)

Builder = SavedModelBuilder
contains_saved_model = maybe_saved_model_directory

# TF1's top-level names of tf.saved_model (tf.saved_model.SERVING, ...)
SERVING, TRAINING, EVAL, GPU, TPU = (tag_constants.SERVING, tag_constants.TRAINING,
                                     tag_constants.EVAL, tag_constants.GPU, tag_constants.TPU)
for _key, _value in vars(signature_constants).items():
    globals()[_key] = _value
for _key in ("ASSETS_DIRECTORY", "ASSETS_KEY", "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY",
             "SAVED_MODEL_FILENAME_PB", "SAVED_MODEL_FILENAME_PBTXT",
             "SAVED_MODEL_SCHEMA_VERSION", "VARIABLES_DIRECTORY", "VARIABLES_FILENAME"):
    globals()[_key] = getattr(_constants_module, _key)
