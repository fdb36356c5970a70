"""TF1's `tf.train.assert_global_step` and `GlobalStepWaiterHook` (a worker that starts
training once the global step has reached a value)."""
from __future__ import annotations

import time

from .. import logging as _logging
from ..ir.graph import Tensor
from ..variables import Variable
from .hooks import SessionRunHook
from .schedules import get_global_step

__all__ = ["assert_global_step", "GlobalStepWaiterHook"]


def assert_global_step(global_step_tensor) -> None:
    """TF1: refuse a global step that is not an integer scalar Variable or Tensor."""
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError(f'Existing "global_step" must be a Variable or Tensor: '
                        f"{global_step_tensor}.")
    if not global_step_tensor.dtype.is_integer:
        raise TypeError(f'Existing "global_step" does not have integer type: '
                        f"{global_step_tensor.dtype}")
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')


class GlobalStepWaiterHook(SessionRunHook):
    """TF1: the first run waits (polling every 0.5 s) until the global step reaches
    `wait_until_step`."""

    def __init__(self, wait_until_step: int) -> None:
        self._wait_until_step = wait_until_step

    def begin(self) -> None:
        self._worker_is_started = False
        self._global_step_tensor = get_global_step()
        if self._global_step_tensor is None:
            raise RuntimeError("Global step should be created to use _GlobalStepWaiterHook.")

    def before_run(self, run_context):
        if self._worker_is_started:
            return None
        if self._wait_until_step <= 0:
            self._worker_is_started = True
            return None
        _logging.info(f"Waiting for global step {self._wait_until_step} before starting "
                      "training.")
        last_logged = 0
        while True:
            step = run_context.session.run(self._global_step_tensor)
            if step >= self._wait_until_step:
                self._worker_is_started = True
                return None
            if step - last_logged > 1000:
                _logging.info(f"Waiting for global step {self._wait_until_step} before "
                              f"starting training. Current step is {step}.")
                last_logged = step
            time.sleep(0.5)
