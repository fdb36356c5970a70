"""TF1 `tf.saved_model.utils` and `tf.saved_model.signature_def_utils`: TensorInfo and
SignatureDef messages for a model's inputs and outputs."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Optional

from .. import protos
from ..ir import context as _context
from ..ir.graph import Tensor, TensorLike
from .constants import signature_constants as _sig


def build_tensor_info(tensor) -> protos.TensorInfo:
    """TF1 `tf.saved_model.utils.build_tensor_info`: name, dtype and shape of `tensor`."""
    if isinstance(tensor, TensorLike):
        tensor = tensor._as_tensor()
    if not isinstance(tensor, Tensor):
        raise TypeError(f"build_tensor_info needs a Tensor, got {type(tensor).__name__}")
    return protos.TensorInfo(name=tensor.name, dtype=protos.as_datatype_enum(tensor.dtype),
                             tensor_shape=protos.shape_to_proto(tensor.shape))


def get_tensor_from_tensor_info(tensor_info: protos.TensorInfo, graph=None,
                                import_scope: Optional[str] = None) -> Tensor:
    """TF1 `tf.saved_model.utils.get_tensor_from_tensor_info`."""
    if tensor_info.WhichOneof("encoding") != "name":
        raise ValueError(f"graphc reads dense TensorInfos only; this one is "
                         f"{tensor_info.WhichOneof('encoding')}")
    graph = graph or _context.get_default_graph()
    name = f"{import_scope}/{tensor_info.name}" if import_scope else tensor_info.name
    return graph.get_tensor_by_name(name)


def build_signature_def(inputs: Optional[dict] = None, outputs: Optional[dict] = None,
                        method_name: Optional[str] = None) -> protos.SignatureDef:
    sig = protos.SignatureDef(method_name=method_name or "")
    for key, info in (inputs or {}).items():
        sig.inputs[key].CopyFrom(info)
    for key, info in (outputs or {}).items():
        sig.outputs[key].CopyFrom(info)
    return sig


def _infos(tensors: dict, what: str) -> dict:
    if not isinstance(tensors, dict) or not tensors:
        raise ValueError(f"{what} cannot be None or empty.")
    return {key: build_tensor_info(t) for key, t in tensors.items()}


def predict_signature_def(inputs: dict, outputs: dict) -> protos.SignatureDef:
    """TF1 `predict_signature_def`: {name: tensor} inputs and outputs, the predict method."""
    return build_signature_def(_infos(inputs, "Prediction inputs"),
                               _infos(outputs, "Prediction outputs"),
                               _sig.PREDICT_METHOD_NAME)


def regression_signature_def(examples, predictions) -> protos.SignatureDef:
    return build_signature_def({_sig.REGRESS_INPUTS: build_tensor_info(examples)},
                               {_sig.REGRESS_OUTPUTS: build_tensor_info(predictions)},
                               _sig.REGRESS_METHOD_NAME)


def classification_signature_def(examples, classes=None, scores=None) -> protos.SignatureDef:
    if classes is None and scores is None:
        raise ValueError("Classification classes and scores cannot both be None.")
    outputs = {}
    if classes is not None:
        outputs[_sig.CLASSIFY_OUTPUT_CLASSES] = build_tensor_info(classes)
    if scores is not None:
        outputs[_sig.CLASSIFY_OUTPUT_SCORES] = build_tensor_info(scores)
    return build_signature_def({_sig.CLASSIFY_INPUTS: build_tensor_info(examples)}, outputs,
                               _sig.CLASSIFY_METHOD_NAME)


def is_valid_signature(signature_def) -> bool:
    if not isinstance(signature_def, protos.SignatureDef):
        return False
    return bool(signature_def.method_name) and bool(signature_def.outputs)


utils = SimpleNamespace(build_tensor_info=build_tensor_info,
                        get_tensor_from_tensor_info=get_tensor_from_tensor_info)
signature_def_utils = SimpleNamespace(
    build_signature_def=build_signature_def, predict_signature_def=predict_signature_def,
    regression_signature_def=regression_signature_def,
    classification_signature_def=classification_signature_def,
    is_valid_signature=is_valid_signature)
