"""Engine-independent numpy kernels for Vensim functions.

Some are what the numpy backend calls (``invert_matrix``, the RANDOM distributions), some
define what the compiled code must compute and test it (``pink_noise_step``: the lowering in
``simsys/compile/stateful.py``), the rest wait for the compiler to lower their function.

Every kernel takes arrays with a leading batch (scenario) axis and returns one, so any
backend can call it once per step for the whole batch. Each is tested against PySD's own
implementation (tests/functions/), or against scipy.stats where PySD has none (the RANDOM
distributions).
"""
from .allocation import allocate_available, allocate_by_priority
from .distributions import (random_beta, random_binomial, random_gamma,
                            random_negative_binomial, random_poisson, random_triangular,
                            random_weibull)
from .lookup_density import random_lookup
from .vectors import (invert_matrix, vector_rank, vector_reorder, vector_select,
                      vector_sort_order)
from .noise import pink_noise_init, pink_noise_step
from .series import data_at_time, lookup_hold

__all__ = ["allocate_available", "allocate_by_priority", "invert_matrix", "vector_rank", "vector_reorder", "vector_select",
           "vector_sort_order", "data_at_time", "lookup_hold", "pink_noise_init",
           "pink_noise_step", "random_triangular", "random_weibull", "random_poisson",
           "random_binomial", "random_negative_binomial", "random_gamma", "random_beta",
           "random_lookup"]
