"""COINr's ASEM example as a BatchModel built from the engine's kernels.

Starts from COINr's *Screened* dataset (``dset_Screened.csv``: denominated, group-mean
imputed, screened), so only the stages the four uncertain inputs touch are rebuilt here:
treat (``winmax``) → normalise → aggregate. Used by the tests and by
``benchmarks/bench_uncertainty.py`` until the engine's ``Index`` builds ASEM end to end.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.engine.framework import Framework
from hkfactor.engine.kernels import normalise, treat
from hkfactor.engine.tree import aggregate_tree
from hkfactor.robustness import Alternative, UncertainInput, WeightNoise

REF = Path(__file__).resolve().parents[1] / "engine" / "reference" / "coinr-asem"  # COINr 1.1.14 outputs (copied from its ASEM run)

#: COINr anchor's normalisation alternatives: n_minmax(1, 100) and n_zscore(10, 2)
NORM_ALTS = (Alternative("minmax", {"l_u": (1, 100)}), Alternative("zscore", {"m_sd": (10, 2)}))


def asem_spec() -> list[UncertainInput | WeightNoise]:
    """The four uncertain inputs of ``coinr_anchor.R`` (``SA_specs``)."""
    return [
        UncertainInput.integers("treat", "winmax", 1, 5, name="Winmax"),
        UncertainInput("normalise", None, values=NORM_ALTS, name="Normalisation"),
        WeightNoise(levels=(2, 3), factor=0.25, name="Weights"),
        UncertainInput("aggregate", None, values=("amean", "gmean"), name="Aggregation"),
    ]


class AsemModel:
    """Nominal recipe (methods_used.csv): winmax 5, minmax(0, 100), arithmetic mean."""

    aggregation_step = "aggregate"

    def __init__(self, ref: Path = REF) -> None:
        meta = pd.read_csv(ref / "meta_Ind.csv")
        self.framework = Framework.from_frame(meta)
        self.plan = self.framework.plan
        data = pd.read_csv(ref / "dset_Screened.csv")
        self.units = tuple(data["uCode"])
        self.x = data[list(self.plan.indicators)].to_numpy(dtype=float)
        self.weights = np.asarray(self.plan.nominal_weights, dtype=float)
        self.directions = np.array([self.framework[c].direction for c in self.plan.indicators], dtype=float)

    @staticmethod
    def _edit(changes: Sequence[tuple[str, str | None, Any]]) -> tuple[int, Alternative, Alternative]:
        winmax, norm, agg = 5, Alternative("minmax", {"l_u": (0, 100)}), Alternative("amean")
        for step, param, value in changes:
            if step == "treat" and param == "winmax":
                winmax = int(value)
            elif step == "normalise" and param is None:
                norm = value
            elif step == "aggregate" and param is None:
                agg = value
            else:
                raise ValueError(f"ASEM model cannot vary {step}.{param}")
        return winmax, norm, agg

    def normalised(self, changes: Sequence[tuple[str, str | None, Any]]) -> np.ndarray:
        winmax, norm, _ = self._edit(changes)
        xt = treat(self.x, winmax=winmax).x
        return normalise(xt, norm.method, directions=self.directions, **dict(norm.params))

    def aggregate(self, x: np.ndarray, factors: np.ndarray, changes: Sequence[tuple[str, str | None, Any]]) -> np.ndarray:
        _, _, agg = self._edit(changes)
        return aggregate_tree(x, self.plan, self.weights * factors, methods=agg.method, params=dict(agg.params))
