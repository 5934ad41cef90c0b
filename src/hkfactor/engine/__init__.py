"""The composite-index engine.

Three layers that agree: pure NumPy kernels (:mod:`hkfactor.engine.kernels`,
:func:`aggregate_tree`), DataFrame wrappers (:mod:`hkfactor.engine.frames`) and the
:class:`Index` object that holds a whole evaluation and its :class:`Recipe`.
See ``docs/engine.md``.
"""

from __future__ import annotations

from hkfactor.engine import kernels
from hkfactor.engine.coinr import asem_recipe, recipe_from_coinr_log
from hkfactor.engine.framework import AggregationPlan, Element, Framework
from hkfactor.engine.index import Index, StageArrays, compare_many
from hkfactor.engine.kernels import (
    AGGREGATORS,
    IMPUTERS,
    NORMALISERS,
    TRANSFORMS,
    WEIGHTERS,
    aggregate,
    impute,
    normalise,
    treat,
    weigh,
)
from hkfactor.engine.recipe import STAGES, STEPS, Recipe, Step
from hkfactor.engine.tree import aggregate_tree, effective_weights_array

__all__ = [
    "AGGREGATORS",
    "IMPUTERS",
    "NORMALISERS",
    "STAGES",
    "STEPS",
    "TRANSFORMS",
    "WEIGHTERS",
    "AggregationPlan",
    "Element",
    "Framework",
    "Index",
    "Recipe",
    "StageArrays",
    "Step",
    "aggregate",
    "aggregate_tree",
    "asem_recipe",
    "compare_many",
    "effective_weights_array",
    "impute",
    "kernels",
    "normalise",
    "recipe_from_coinr_log",
    "treat",
    "weigh",
]
