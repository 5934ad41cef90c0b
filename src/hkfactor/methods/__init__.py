"""The evaluation methods of the Chinese regional-studies literature, as plain functions.

Every function takes a NumPy array (rows = units or alternatives, columns = indicators,
optional leading batch axes) or a DataFrame, and returns arrays or labelled pandas
objects. Options are keyword-only; each docstring states the formula, variants, defaults,
missing-value policy and source paper. See ``docs/methods.md``.

* Weights: :func:`entropy_weights` (熵值法), :func:`critic_weights` (CRITIC).
* Ranking: :func:`topsis`, :func:`grey_relational` (灰色关联分析).
* Coordination: :func:`coupling_degree`, :func:`coupling_coordination` (耦合协调度),
  :func:`coordination_band`, :func:`relative_development`.
* Diagnosis: :func:`obstacle_degree` (障碍度).
* Step: :func:`standardise` (direction-aware min-max, 极差标准化).
"""

from __future__ import annotations

from hkfactor.methods._coupling import (
    COORDINATION_BANDS,
    CouplingResult,
    RelativeDevelopment,
    coordination_band,
    coupling_coordination,
    coupling_degree,
    relative_development,
)
from hkfactor.methods._critic import critic_weights
from hkfactor.methods._entropy import ENTROPY_VARIANTS, entropy_weights
from hkfactor.methods._grey import GreyResult, grey_relational
from hkfactor.methods._obstacle import ObstacleResult, obstacle_degree
from hkfactor.methods._standardise import standardise
from hkfactor.methods._topsis import TopsisResult, topsis

__all__ = [
    "COORDINATION_BANDS",
    "ENTROPY_VARIANTS",
    "CouplingResult",
    "GreyResult",
    "ObstacleResult",
    "RelativeDevelopment",
    "TopsisResult",
    "coordination_band",
    "coupling_coordination",
    "coupling_degree",
    "critic_weights",
    "entropy_weights",
    "grey_relational",
    "obstacle_degree",
    "relative_development",
    "standardise",
    "topsis",
]
