"""TF1 `tf.nn.raw_rnn` and `tf.nn.static_state_saving_rnn`.

raw_rnn is the RNN whose every step the caller's `loop_fn` drives: it chooses each step's
input, the emitted output and when each batch row is finished, so decoders that feed back
their own samples are written with it. It runs as one While loop (as dynamic_rnn does),
the emitted outputs gathered in TensorArrays; rows already finished emit zeros and keep
their state, as in TF1.
"""
from __future__ import annotations

from . import nest
from .ir import dtypes as dt
from .ir.ops import generator_ops as G
from .ir.ops import math_ops as M
from .ir.ops.reduce_ops import reduce_all
from .ir.ops.core_ops import identity
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_ops import expand_dims, shape as shape_of
from .variable_scope import variable_scope


def _select_rows(finished, when_finished, otherwise):
    """Row b of `when_finished` where finished[b], else of `otherwise` (any rank >= 1)."""
    keep = finished
    for _ in range((otherwise.shape.ndims or 1) - 1):
        keep = expand_dims(keep, -1)
    return M.where_v2(keep, when_finished, otherwise)


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """TF1 `tf.nn.raw_rnn`: returns (emit_ta, final_state, final_loop_state).

    loop_fn(time, cell_output, cell_state, loop_state) -> (elements_finished, next_input,
    next_cell_state, emit_output, next_loop_state); at time 0 it is called with
    cell_output, cell_state and loop_state None and returns the initial state (and, as
    emit_output, the emit structure, or None for the cell's output_size)."""
    from . import control_flow as cf
    from .tensor_array import TensorArray
    if not callable(loop_fn):
        raise TypeError("raw_rnn: loop_fn must be a callable")
    with variable_scope(scope or "rnn"):
        time = convert_to_tensor(0, dtype=dt.int32)
        finished, first_input, state, emit_structure, loop_state = loop_fn(time, None, None,
                                                                           None)
        finished = convert_to_tensor(finished, dtype=dt.bool_)
        flat_input = nest.flatten(first_input)
        batch = shape_of(flat_input[0])[0]
        if emit_structure is not None:
            flat_emit = [convert_to_tensor(e) for e in nest.flatten(emit_structure)]
            emit_shapes = [e.shape.as_list()[1:] for e in flat_emit]
            emit_dtypes = [e.dtype for e in flat_emit]
            template = emit_structure
        else:
            template = cell.output_size
            emit_shapes = [[s] if isinstance(s, int) else list(s)
                           for s in nest.flatten(template)]
            emit_dtypes = [nest.flatten(state)[0].dtype] * len(emit_shapes)
        zeros = [G.zeros(_batched(batch, shp), dtype=d) for shp, d in zip(emit_shapes,
                                                                          emit_dtypes)]
        arrays = [TensorArray(d, size=0, dynamic_size=True, element_shape=[None] + shp)
                  for shp, d in zip(emit_shapes, emit_dtypes)]
        has_loop_state = loop_state is not None
        carried_loop_state = loop_state if has_loop_state else ()

        def body(t, done, inputs, arrays, state, loop_state):
            output, cell_state = cell(inputs, state)
            nest.assert_same_structure(state, cell_state)
            nest.assert_same_structure(cell.output_size, output)
            next_done, next_input, next_state, emit, next_loop_state = loop_fn(
                t + 1, output, cell_state, loop_state if has_loop_state else None)
            nest.assert_same_structure(state, next_state)
            nest.assert_same_structure(inputs, next_input)
            if has_loop_state:
                nest.assert_same_structure(loop_state, next_loop_state)
            else:
                next_loop_state = ()
            emit = output if emit is None else emit
            flat_emit = [_select_rows(done, z, convert_to_tensor(e))
                         for z, e in zip(zeros, nest.flatten(emit))]
            arrays = [a.write(t, e) for a, e in zip(arrays, flat_emit)]
            next_state = nest.pack_sequence_as(state, [
                _select_rows(done, old, convert_to_tensor(new))
                for old, new in zip(nest.flatten(state), nest.flatten(next_state))])
            done = M.logical_or(done, convert_to_tensor(next_done, dtype=dt.bool_))
            return t + 1, done, next_input, arrays, next_state, next_loop_state

        _, _, _, arrays, final_state, final_loop_state = cf.while_loop(
            lambda t, done, *_: M.logical_not(reduce_all(done)), body,
            [time, finished, first_input, arrays, state, carried_loop_state],
            parallel_iterations=parallel_iterations, swap_memory=swap_memory)
        emit_ta = nest.pack_sequence_as(template, arrays)
    return emit_ta, final_state, final_loop_state if has_loop_state else None


def _batched(batch, shape):
    from .ir.ops.array_ops import concat
    return concat([expand_dims(M.cast(batch, dt.int32), 0),
                   convert_to_tensor(list(shape), dtype=dt.int32)], 0)


def static_state_saving_rnn(cell, inputs, state_saver, state_name, sequence_length=None,
                            scope=None):
    """TF1 `tf.nn.static_state_saving_rnn`: static_rnn whose initial state comes from
    `state_saver.state(name)` and whose final state is saved with
    `state_saver.save_state(name, value)` before the outputs are returned (each output
    depends on the saves). `state_name` is a string, or a structure of names matching
    the cell's state."""
    from .api import control_dependencies
    from .rnn_cell import static_rnn
    names = nest.flatten(state_name)
    state_size = cell.state_size
    if nest.is_nested(state_name):
        nest.assert_same_structure(state_name, state_size)
    elif nest.is_nested(state_size):
        raise ValueError(f"static_state_saving_rnn: the cell's state is a structure "
                         f"({state_size!r}); state_name must be one of the same structure, "
                         f"got {state_name!r}")
    initial = nest.pack_sequence_as(state_name, [state_saver.state(n) for n in names]) \
        if nest.is_nested(state_name) else state_saver.state(state_name)
    outputs, state = static_rnn(cell, inputs, initial_state=initial,
                                sequence_length=sequence_length, scope=scope)
    saves = [state_saver.save_state(n, s) for n, s in zip(names, nest.flatten(state))]
    with control_dependencies(saves):
        last = identity(outputs[-1])
        flat_state = [identity(s) for s in nest.flatten(state)]
    outputs = list(outputs[:-1]) + [last]
    return outputs, nest.pack_sequence_as(state, flat_state)
