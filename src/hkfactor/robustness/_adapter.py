"""Adapter: the engine's :class:`~hkfactor.engine.Index` as a :class:`BatchModel`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hkfactor.engine import STAGES, Index, Recipe, Step, aggregate_tree
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


def _split_plan(
    plan: AggregationPlan, noisy: NDArray[np.bool_]
) -> tuple[AggregationPlan, list[int], list[int], list[int]] | None:
    """The part of ``plan`` whose values depend on the perturbed weights ``noisy`` (per column).

    Returns ``(sub_plan, frontier, aggregates, sub_columns)``: the unstable aggregates (a
    perturbed weight among their descendants' siblings), as a plan whose "indicators" are
    the stable columns they read (``frontier``); ``sub_columns`` maps the sub-plan's columns
    to ``plan.columns``. ``None`` if nothing depends on the noise.
    """
    ni = len(plan.indicators)
    dep = np.zeros(len(plan.columns), dtype=bool)
    for k, kids in enumerate(plan.children):
        dep[ni + k] = bool(np.any(noisy[kids] | dep[kids]))
    aggs = [k for k in range(len(plan.aggregates)) if dep[ni + k]]
    if not aggs:
        return None
    frontier = sorted({int(c) for k in aggs for c in plan.children[k] if not dep[c]})
    cols = frontier + [ni + k for k in aggs]
    pos = {c: i for i, c in enumerate(cols)}
    sub = AggregationPlan(
        indicators=tuple(plan.columns[c] for c in frontier),
        aggregates=tuple(plan.aggregates[k] for k in aggs),
        columns=tuple(plan.columns[c] for c in cols),
        children=tuple(np.array([pos[int(c)] for c in plan.children[k]], dtype=np.int64) for k in aggs),
        levels=tuple(plan.levels[k] for k in aggs),
        nominal_weights=np.asarray(plan.nominal_weights)[cols],
    )
    return sub, frontier, aggs, cols


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
        self._tails: dict[int, Index] = {}

    def _tail(self, first: int) -> Index:
        """An unbuilt Index whose data is the stage table before recipe step ``first``.

        Steps before the first edited one give the same tables in every replication, so the
        replay starts from their output (with the unit data's other columns: groups,
        denominators, names) instead of from ``Raw``.
        """
        if first not in self._tails:
            idx = self.index
            steps = [s for s in idx.recipe if s.step != _AGG]
            base = "Raw" if first == 0 else STAGES[steps[first - 1].step]
            table = idx.stage(base)
            ids = idx.id_columns
            aux = [c for c in idx.data_.columns if c not in table.columns]
            data = table.merge(idx.data_[[*ids, *aux]], on=ids, how="left") if aux else table
            extra = {k: v for k, v in idx.weight_sets.items() if k != "Original"}
            self._tails[first] = Index(
                idx.framework,
                data,
                Recipe(steps[first:]),
                unit=idx.unit_col,
                time=idx.time_col,
                name=idx.name_col or "uName",
                groups=idx.groups,
                weights=extra,
                build=False,
            )
        return self._tails[first]

    def normalised(self, changes: Sequence[tuple[str, str | None, Any]]) -> NDArray[np.float64]:
        idx = self.index
        steps = [s.step for s in idx.recipe if s.step != _AGG]
        if changes:
            edited = _edit(idx.recipe, changes).replace(_AGG, None)
            first = min(steps.index(c[0]) for c in changes)
            built = self._tail(first).with_recipe(Recipe(list(edited)[first:]))
        else:
            built = idx
        last = STAGES[steps[-1]] if steps else "Raw"
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
        """``aggregate_tree`` for a batch; parts of the tree the noise cannot reach run once.

        Aggregates with no perturbed weight below them (e.g. pillars when only pillar and
        sub-index weights are noisy) are computed once with the nominal weights; the rest is
        one ``aggregate_tree`` call on the sub-tree above them with a replications axis.
        """
        step = _edit(self.index.recipe, changes).get(_AGG)
        spec = self.index.aggregation_spec(step)
        w0 = spec.pop("weights")
        f = np.asarray(factors, dtype=float)
        if f.ndim == 1:
            f = f[None]
        noisy = np.ptp(f, axis=0) > 0 if f.shape[0] > 1 else np.zeros(f.shape[1], dtype=bool)
        split = _split_plan(self.plan, noisy)
        if split is None:
            out = aggregate_tree(x, self.plan, w0 * f[0], **spec)
            return np.broadcast_to(out, (f.shape[0], *out.shape[-2:]))
        sub, frontier, aggs, cols = split
        base = aggregate_tree(x, self.plan, w0 * f[0], **spec)  # stable columns (one pass)
        sub_spec: dict[str, Any] = {
            k: [v[a] for a in aggs] if isinstance(v, list) else v for k, v in spec.items()
        }
        y = aggregate_tree(base[..., frontier], sub, (w0 * f)[:, cols], **sub_spec)
        out = np.broadcast_to(base, (f.shape[0], *base.shape[-2:])).copy()
        out[..., cols[len(frontier) :]] = y[..., len(frontier) :]
        return out


def model_of(index: Any) -> IndexModel:
    """Wrap an :class:`Index` (SpecError for anything else)."""
    return IndexModel(index)
