"""Robustness of a composite index: uncertainty and variance-based sensitivity analysis.

Uncertainty analysis (UA) perturbs an index's recipe (alternative methods, parameters,
noisy weights), rebuilds it for many replications and summarises each unit's rank
(COINr ``get_sensitivity(SA_type = "UA")``). Sensitivity analysis (SA) apportions the
variance of a target (default: the mean absolute rank shift of the index) to each
uncertain input with first-order and total Sobol' indices on a quasi-random design.

Replications are an array axis: the deterministic early stages are built once per
unique combination of discrete choices, weights noise and aggregation run for all
replications at once.
"""

from hkfactor.robustness._analysis import (
    BatchModel,
    Change,
    SensitivityResult,
    UncertaintyResult,
    sensitivity,
    uncertainty,
)
from hkfactor.robustness._design import (
    Alternative,
    UncertainInput,
    WeightNoise,
    noisy_weights,
    sobol_design,
    uniform_design,
)
from hkfactor.robustness._estimators import SobolIndices, sobol_indices, split_saltelli
from hkfactor.robustness._ranks import mean_abs_rank_shift, rank_desc, rank_stats

__all__ = [
    "Alternative",
    "BatchModel",
    "Change",
    "SensitivityResult",
    "SobolIndices",
    "UncertainInput",
    "UncertaintyResult",
    "WeightNoise",
    "mean_abs_rank_shift",
    "noisy_weights",
    "rank_desc",
    "rank_stats",
    "sensitivity",
    "sobol_design",
    "sobol_indices",
    "split_saltelli",
    "uncertainty",
    "uniform_design",
]
