"""A SYNTHETIC index for the robustness tests (random data, not ASEM), built on the engine's
kernels directly so the analysis can be checked before and apart from the Index class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hkfactor.engine.framework import Element, Framework
from hkfactor.engine.kernels import normalise, treat
from hkfactor.engine.tree import aggregate_tree
from hkfactor.robustness import Alternative


def synthetic_framework() -> Framework:
    """12 indicators → 4 pillars → 2 sub-indices → index (4 levels, like ASEM)."""
    els = [Element("Index", None)]
    els += [Element(f"S{s}", "Index", kind="Aggregate") for s in (1, 2)]
    els += [Element(f"P{p}", f"S{1 + p // 2}", kind="Aggregate", weight=1.0 + 0.5 * p) for p in range(4)]
    els += [Element(f"x{i}", f"P{i // 3}", direction=-1 if i == 5 else 1) for i in range(12)]
    return Framework(els)


class SyntheticModel:
    """BatchModel over synthetic data: treat(winmax) → normalise → aggregate_tree."""

    aggregation_step = "aggregate"

    def __init__(self, n_units: int = 30, seed: int = 0, *, normalisation: Alternative | None = None) -> None:
        rng = np.random.default_rng(seed)
        self.framework = synthetic_framework()
        self.plan = self.framework.plan
        raw = rng.lognormal(mean=1.0, sigma=1.0, size=(n_units, len(self.plan.indicators)))
        raw[:, :6] = rng.normal(50, 10, size=(n_units, 6))
        self.raw = raw
        self.units = tuple(f"U{i:02d}" for i in range(n_units))
        self.weights = np.asarray(self.plan.nominal_weights, dtype=float)
        self.directions = np.array([self.framework[c].direction for c in self.plan.indicators])
        self.recipe: dict[str, Any] = {
            "treat": {"winmax": 5},
            "normalise": normalisation or Alternative("minmax", {"l_u": (1, 100)}),
            "aggregate": Alternative("amean"),
        }
        self.calls = 0

    def _edited(self, changes: Sequence[tuple[str, str | None, Any]]) -> dict[str, Any]:
        rec = {"treat": dict(self.recipe["treat"]), "normalise": self.recipe["normalise"], "aggregate": self.recipe["aggregate"]}
        for step, param, value in changes:
            if param is None:
                rec[step] = value
            elif step == "treat":
                rec["treat"][param] = value
            else:
                alt = rec[step]
                rec[step] = Alternative(alt.method, {**alt.params, param: value})
        return rec

    def normalised(self, changes: Sequence[tuple[str, str | None, Any]]) -> np.ndarray:
        self.calls += 1
        rec = self._edited(changes)
        x = treat(self.raw, winmax=rec["treat"]["winmax"]).x
        alt = rec["normalise"]
        return normalise(x, alt.method, directions=self.directions, **dict(alt.params))

    def aggregate(self, x: np.ndarray, factors: np.ndarray, changes: Sequence[tuple[str, str | None, Any]]) -> np.ndarray:
        alt = self._edited(changes)["aggregate"]
        return aggregate_tree(x, self.plan, self.weights * factors, methods=alt.method, params=dict(alt.params))
