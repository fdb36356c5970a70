"""`tf.nn`: activations, softmax, cross-entropies, dropout, bias_add, embedding lookup."""
from .ir.ops.math_ops import sigmoid, tanh  # noqa: F401
from .ir.ops.conv_ops import (avg_pool, conv2d, conv2d_backprop_filter,  # noqa: F401
                              conv2d_backprop_input, conv2d_transpose, depthwise_conv2d,
                              max_pool)
from .ir.ops.fractional_pool_ops import fractional_avg_pool, fractional_max_pool  # noqa: F401
from .ir.ops.conv3d_ops import (avg_pool3d, conv3d, conv3d_backprop_filter,  # noqa: F401
                                conv3d_backprop_filter_v2, conv3d_transpose, max_pool3d)
from .nn_conv import (atrous_conv2d, atrous_conv2d_transpose, avg_pool1d,  # noqa: F401
                      avg_pool2d, avg_pool_v2, conv1d, conv1d_transpose, conv_transpose,
                      convolution, max_pool1d, max_pool2d, max_pool_v2, separable_conv2d)
from .ir.ops.candidate_sampling_ops import (all_candidate_sampler,  # noqa: F401
                                            compute_accidental_hits,
                                            fixed_unigram_candidate_sampler,
                                            learned_unigram_candidate_sampler,
                                            log_uniform_candidate_sampler,
                                            uniform_candidate_sampler)
from .nn_sampled import nce_loss, sampled_softmax_loss  # noqa: F401
from .partitioned_variables import PartitionedVariable, sharded_lookup
from .nn_ctc import (ctc_beam_search_decoder, ctc_beam_search_decoder_v2,  # noqa: F401
                     ctc_greedy_decoder, ctc_loss, ctc_loss_v2, ctc_unique_labels)
from .ir.ops.space_ops import depth_to_space, space_to_batch, space_to_depth  # noqa: F401
from .ir.ops.norm_ops import (batch_normalization, fused_batch_norm,  # noqa: F401
                              local_response_normalization, moments)
from .ir.ops.nn_ops import (bias_add, dropout, elu, l2_loss, l2_normalize,  # noqa: F401
                            leaky_relu, log_softmax, relu, relu6, relu_layer, selu,
                            sigmoid_cross_entropy_with_logits, softmax,
                            softmax_cross_entropy_with_logits,
                            softmax_cross_entropy_with_logits_v2, softplus, softsign,
                            sparse_softmax_cross_entropy_with_logits,
                            weighted_cross_entropy_with_logits, xw_plus_b)

lrn = local_response_normalization


def embedding_lookup(params, ids, partition_strategy: str = "mod", name=None,
                     validate_indices=True, max_norm=None):
    """Rows of `params` selected by `ids`: a tensor, or shards of one (a list, or a
    PartitionedVariable) by TF1's `partition_strategy` (graphc/partitioned_variables.py)."""
    from .ir.ops.slicing_ops import gather
    if isinstance(params, PartitionedVariable):
        params = list(params)
    if max_norm is not None:
        raise NotImplementedError("embedding_lookup(max_norm=...) is not supported")
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("Need at least one param")
        if len(params) > 1:
            return sharded_lookup(list(params), ids, partition_strategy, name)
        params = params[0]
    return gather(params, ids, name=name or "embedding_lookup")


class _RNNCellNamespace:
    """`tf.nn.rnn_cell`."""

    def __init__(self) -> None:
        from . import rnn_cell as m
        for name in ("RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell",
                     "MultiRNNCell", "LSTMStateTuple", "DropoutWrapper", "ResidualWrapper"):
            setattr(self, name, getattr(m, name))
        from .seq2seq import DeviceWrapper
        self.DeviceWrapper = DeviceWrapper


rnn_cell = _RNNCellNamespace()


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """TF1 `tf.nn.dynamic_rnn` (graphc/rnn_cell.py)."""
    from .rnn_cell import dynamic_rnn as _dynamic_rnn
    return _dynamic_rnn(cell, inputs, sequence_length, initial_state, dtype,
                        time_major=time_major, scope=scope)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """TF1 `tf.nn.bidirectional_dynamic_rnn` (graphc/rnn_cell.py)."""
    from .rnn_cell import bidirectional_dynamic_rnn as _bidi
    return _bidi(cell_fw, cell_bw, inputs, sequence_length, initial_state_fw,
                 initial_state_bw, dtype, time_major=time_major, scope=scope)


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None,
               scope=None):
    from .rnn_cell import static_rnn as _static_rnn
    return _static_rnn(cell, inputs, initial_state, dtype, sequence_length, scope)


from .rnn_cell import static_bidirectional_rnn  # noqa: E402,F401
from .raw_rnn import raw_rnn, static_state_saving_rnn  # noqa: E402,F401
from .math_ext import in_top_k, top_k, zero_fraction  # noqa: E402,F401  (graphc/math_ext)
from .sparse_embedding import embedding_lookup_sparse, safe_embedding_lookup_sparse  # noqa: E402,F401,E501
