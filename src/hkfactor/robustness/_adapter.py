"""Adapter: the engine's :class:`~hkfactor.engine.Index` as a :class:`BatchModel`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hkfactor.engine import Index, Recipe, Step, aggregate_tree
from hkfactor.engine.framework import AggregationPlan
from hkfactor.errors import SpecError
from hkfactor.robustness._design import Alternative

__all__ = ["IndexModel", "model_of"]

_AGG = "aggregate"


def _edit(recipe: Recipe, changes: Sequence[tuple[str, str | None, Any]]) -> Recipe:
    """The recipe with ``changes`` applied (a whole alternative replaces method and params)."""
    for step, param, value in changes:
        cur = recipe.get(step)
        if cur is None:
            have = ", ".join(s.step for s in recipe)
            raise SpecError(f"uncertain input on step {step!r}, but the recipe has no such step (it has: {have})")
        if param is None:
            alt = value if isinstance(value, Alternative) else Alternative(str(value))
            new = Step(step, alt.method, dict(alt.params), cur.by)
        else:
            new = cur.replace(params={param: value})
        recipe = recipe.replace(step, new)
    return recipe


class IndexModel:
    """Replays an :class:`Index` for the analysis.

    ``normalised`` rebuilds the recipe without its aggregate step (with the edits) and
    returns the last stage table before aggregation, rows in the nominal unit order (a
    unit screened out by an edit gets ``NaN``). ``aggregate`` resolves the (edited)
    aggregate step with :meth:`Index.aggregation_spec` and calls the engine's batch-ready
    :func:`~hkfactor.engine.aggregate_tree` with every replication's weights.
    """

    aggregation_step = _AGG

    def __init__(self, index: Index) -> None:
        if not isinstance(index, Index):
            raise SpecError(f"expected a hkfactor.engine.Index, got {type(index).__name__}")
        if index.is_panel:
            raise SpecError("uncertainty/sensitivity analysis needs a cross-section: select one year first")
        if index.recipe.get(_AGG) is None:
            raise SpecError("the recipe has no aggregate step: nothing to analyse")
        self.index = index
        self.plan: AggregationPlan = index.framework.plan
        agg = index.stage("Aggregated")
        self.units: tuple[str, ...] = tuple(str(u) for u in agg[index.unit_col])

    def normalised(self, changes: Sequence[tuple[str, str | None, Any]]) -> NDArray[np.float64]:
        idx = self.index
        recipe = _edit(idx.recipe, changes).replace(_AGG, None)
        built = idx.with_recipe(recipe)
        last = list(built.stages_)[-1]
        sa = built.stage_arrays(last)
        cols = [sa.columns.index(c) for c in self.plan.indicators]
        x = sa.values[:, cols]
        if sa.units == self.units:
            return x
        out = np.full((len(self.units), len(cols)), np.nan)
        pos = {u: i for i, u in enumerate(sa.units)}
        for i, u in enumerate(self.units):
            if u in pos:
                out[i] = x[pos[u]]
        return out

    def aggregate(
        self, x: NDArray[np.float64], factors: NDArray[np.float64], changes: Sequence[tuple[str, str | None, Any]]
    ) -> NDArray[np.float64]:
        step = _edit(self.index.recipe, changes).get(_AGG)
        spec = self.index.aggregation_spec(step)
        weights = spec.pop("weights") * factors
        return aggregate_tree(x, self.plan, weights, **spec)


def model_of(index: Any) -> IndexModel:
    """Wrap an :class:`Index` (SpecError for anything else)."""
    return IndexModel(index)
