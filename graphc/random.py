"""`tf.random`: the random ops under their TF 1.13+ names."""
from .ir.ops.random_ops import (random_normal as normal, random_shuffle as shuffle,  # noqa: F401
                                random_uniform as uniform, set_random_seed,
                                truncated_normal)

set_seed = set_random_seed
from .ir.ops.candidate_sampling_ops import (all_candidate_sampler,  # noqa: E402,F401
                                            fixed_unigram_candidate_sampler,
                                            learned_unigram_candidate_sampler,
                                            log_uniform_candidate_sampler,
                                            uniform_candidate_sampler)
