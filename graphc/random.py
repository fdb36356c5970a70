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
from .ir.context import get_default_graph  # noqa: E402
from .ir.ops.random_ops import get_seed as _seeds  # noqa: E402
from .ir.ops.random_dist_ops import (categorical, multinomial,  # noqa: E402,F401
                                     random_gamma as gamma, random_poisson as poisson,
                                     stateless_categorical, stateless_multinomial,
                                     stateless_random_normal as stateless_normal,
                                     stateless_random_uniform as stateless_uniform,
                                     stateless_truncated_normal)


def get_seed(op_seed):
    """TF1 `tf.random.get_seed`: the (graph seed, op seed) pair an op with `op_seed` uses;
    (None, None) when neither the graph nor the op has a seed."""
    if get_default_graph().seed is None and op_seed is None:
        return None, None
    return _seeds(op_seed)


from .ir.ops.random_stateless_ops import (fold_in, split, stateless_binomial,  # noqa: E402,F401
                                          stateless_gamma,
                                          stateless_parameterized_truncated_normal,
                                          stateless_poisson)
from .random_generator import (Algorithm, Generator, create_rng_state,  # noqa: E402,F401
                               get_global_generator, set_global_generator)
