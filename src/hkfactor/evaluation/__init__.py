"""The evaluation the paper never did: how strongly the partner city's channels and the focal
city's innovation move together, which channels matter, and how robust that is.

Example
-------
>>> from hkfactor.evaluation import evaluate, read_data, read_framework
>>> fw = read_framework("docs/examples/synthetic_pair.yaml")      # doctest: +SKIP
>>> ev = evaluate(read_data("docs/examples/synthetic_pair.csv", fw), fw)  # doctest: +SKIP
>>> ev.coupling[["year", "D", "band_en"]]                            # doctest: +SKIP
"""

from __future__ import annotations

from hkfactor.evaluation._model import Decision, Evaluation, Recipe
from hkfactor.evaluation._pipeline import evaluate
from hkfactor.evaluation._spec import ChannelSpec, EvalFramework, EvalPanel, IndicatorSpec
from hkfactor.evaluation._userdata import framework_from_dict, read_data, read_framework

__all__ = [
    "ChannelSpec",
    "Decision",
    "EvalFramework",
    "EvalPanel",
    "Evaluation",
    "IndicatorSpec",
    "Recipe",
    "evaluate",
    "framework_from_dict",
    "read_data",
    "read_framework",
]
