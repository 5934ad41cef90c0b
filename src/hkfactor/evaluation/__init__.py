"""The evaluation: composite indices, coupling coordination, trend similarity, obstacle degree
and robustness for any framework — a time series, a cross-section or a panel — built on
:mod:`hkfactor.engine`.

Example
-------
>>> from hkfactor.evaluation import evaluate, read_data, read_framework
>>> fw = read_framework("docs/examples/synthetic_pair.yaml")             # doctest: +SKIP
>>> ev = evaluate(read_data("docs/examples/synthetic_pair.csv", fw), fw)  # doctest: +SKIP
>>> ev.coupling.table[["year", "D", "band_en"]]                          # doctest: +SKIP
"""

from __future__ import annotations

from hkfactor.evaluation._analysis import Attribution, Coupling, Obstacles, Robustness, row_keys
from hkfactor.evaluation._builtin import FRAMEWORK_FILE, builtin_framework, builtin_panel
from hkfactor.evaluation._framework import (
    LINKS,
    EvalFramework,
    Group,
    IndicatorSpec,
    framework_from_dict,
    read_framework,
)
from hkfactor.evaluation._identify import (
    CityData,
    CityDesigns,
    DesignRun,
    Identification,
    PendingCityDesigns,
    builtin_city_data,
    design_name,
    run_city_designs,
)
from hkfactor.evaluation._indices import Indices
from hkfactor.evaluation._pipeline import evaluate
from hkfactor.evaluation._prepare import MARK_CARRIED, MARK_IMPUTED, MARK_INTERPOLATED, Prepared
from hkfactor.evaluation._recipe import (
    AGGREGATIONS,
    IMPUTATIONS,
    NORMALISATIONS,
    RECIPE_VERSION,
    WEIGHTINGS,
    EvaluationRecipe,
    Inputs,
    file_digest,
)
from hkfactor.evaluation._result import TABLES, Evaluation
from hkfactor.evaluation._spec import QUALIFIERS, EvalPanel
from hkfactor.evaluation._userdata import MISSING_MARKERS, DataError, read_data

__all__ = [
    "AGGREGATIONS",
    "FRAMEWORK_FILE",
    "IMPUTATIONS",
    "LINKS",
    "MARK_CARRIED",
    "MARK_IMPUTED",
    "MARK_INTERPOLATED",
    "MISSING_MARKERS",
    "NORMALISATIONS",
    "QUALIFIERS",
    "RECIPE_VERSION",
    "TABLES",
    "WEIGHTINGS",
    "Attribution",
    "CityData",
    "CityDesigns",
    "Coupling",
    "DataError",
    "DesignRun",
    "EvalFramework",
    "EvalPanel",
    "Evaluation",
    "EvaluationRecipe",
    "Group",
    "Identification",
    "IndicatorSpec",
    "Indices",
    "Inputs",
    "Obstacles",
    "PendingCityDesigns",
    "Prepared",
    "Robustness",
    "builtin_city_data",
    "builtin_framework",
    "builtin_panel",
    "design_name",
    "evaluate",
    "file_digest",
    "framework_from_dict",
    "read_data",
    "read_framework",
    "row_keys",
    "run_city_designs",
]
