"""Aggregation over a whole framework tree, batch-ready.

:func:`aggregate_tree` is the kernel the :class:`~hkfactor.engine.Index` uses for its
``aggregate`` step, and the one the robustness engine calls on batches of replications:
``x`` may be ``(..., n_units, n_indicators)`` and ``weights`` ``(..., n_columns)`` with the
same or broadcastable leading axes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hkfactor.engine._numeric import FloatArray, ValueDomainError, as_float
from hkfactor.engine.framework import AggregationPlan
from hkfactor.engine.kernels import AGGREGATORS, WEIGHTERS
from hkfactor.errors import SpecError

__all__ = ["aggregate_tree", "effective_weights_array"]


def aggregate_tree(
    x: ArrayLike,
    plan: AggregationPlan,
    weights: ArrayLike | None = None,
    *,
    methods: str | Sequence[str] = "amean",
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    weighting: str | Sequence[str] = "manual",
    weighting_params: Mapping[str, Any] | None = None,
    dat_thresh: float | Sequence[float | None] | None = None,
    return_weights: bool = False,
) -> Any:
    """Aggregate indicator columns up the tree, children before parents.

    Parameters
    ----------
    x : array_like, shape (..., n_units, len(plan.indicators))
        Normalised indicators, columns in ``plan.indicators`` order.
    plan : AggregationPlan
        From ``Framework.plan``.
    weights : array_like, shape (len(plan.columns),) or (..., len(plan.columns)), optional
        Relative weight of every column (rescaled within each group over available children).
        Default ``plan.nominal_weights``.
    methods : str or sequence of str (one per aggregate in ``plan.aggregates``)
        ``AGGREGATORS`` keys.
    params : mapping or sequence of mappings (one per aggregate)
        Extra aggregator parameters (e.g. ``{"p": 2}`` for ``genmean``).
    weighting : str or sequence of str
        ``WEIGHTERS`` key per aggregate; ``"manual"`` uses ``weights``.
    dat_thresh : float or sequence (one per aggregate), optional
        Minimum share of available children; below it the aggregate is NaN (COINr).

    return_weights : bool
        Also return the weights actually used: ``weights`` with the entries of every aggregate
        whose ``weighting`` is data-driven (entropy, CRITIC, PCA …) replaced by the weights
        computed from its children, shape ``(..., len(plan.columns))``.

    Returns
    -------
    ndarray, shape (..., n_units, len(plan.columns))
        Indicators followed by aggregates, in ``plan.columns`` order; with ``return_weights``
        a tuple ``(values, weights_used)``.

    Raises
    ------
    ValueDomainError
        An aggregator refused a value (positions refer to the returned column space).
    """
    a = as_float(x)
    ni, na = len(plan.indicators), len(plan.aggregates)
    if a.shape[-1] != ni:
        raise SpecError(f"x has {a.shape[-1]} columns; the framework has {ni} indicators")
    w = plan.nominal_weights if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape[-1] != len(plan.columns):
        raise SpecError(f"weights must have one value per column ({len(plan.columns)}), got {w.shape[-1]}")
    meths = [methods] * na if isinstance(methods, str) else list(methods)
    wmeths = [weighting] * na if isinstance(weighting, str) else list(weighting)
    pars: list[Mapping[str, Any]]
    if params is None:
        pars = [{}] * na
    elif isinstance(params, Mapping):
        pars = [params] * na
    else:
        pars = list(params)
    th = list(dat_thresh) if isinstance(dat_thresh, Sequence) else [dat_thresh] * na
    if not (len(meths) == len(wmeths) == len(pars) == len(th) == na):
        raise SpecError(f"methods/params/weighting/dat_thresh need one entry per aggregate ({na})")
    lead = np.broadcast_shapes(a.shape[:-2], w.shape[:-1])
    out = np.empty((*lead, a.shape[-2], ni + na), dtype=np.float64)
    out[..., :ni] = a
    if all(m == "amean" for m in meths) and all(m == "manual" for m in wmeths) and all(t is None for t in th):
        _amean_by_level(out, plan, w, ni, a)
        return (out, np.array(w, dtype=np.float64)) if return_weights else out
    w_used = np.array(np.broadcast_to(w, (*np.broadcast_shapes(a.shape[:-2], w.shape[:-1]), w.shape[-1])),
                      dtype=np.float64)
    for k in range(na):
        kids = plan.children[k]
        xk = out[..., kids]
        wk = w[..., kids]
        if wmeths[k] != "manual":
            wk = WEIGHTERS[wmeths[k]](xk, wk, **(weighting_params or {}))
            w_used[..., kids] = wk
        try:
            y = AGGREGATORS[meths[k]](xk, np.asarray(wk, dtype=np.float64), **pars[k])
        except ValueDomainError as exc:
            pos = [(*p[:-1], int(kids[p[-1]])) for p in exc.positions]
            raise ValueDomainError(str(exc), pos) from None
        if th[k] is not None:
            avail = (~np.isnan(xk)).mean(axis=-1)
            y = np.where(avail < float(th[k]), np.nan, y)  # type: ignore[arg-type]
        out[..., ni + k] = y
    return (out, w_used) if return_weights else out


def _amean_by_level(out: FloatArray, plan: AggregationPlan, w: FloatArray, ni: int,
                    a: FloatArray | None = None) -> None:
    """Weighted arithmetic means of a whole level as two matrix products (NaN-aware).

    ``y = (x⁰ W) / (1[x present] W)`` where ``x⁰`` has NaN → 0 and ``W`` holds each
    aggregate's child weights; identical to :func:`kernels.a_amean` per group.

    ``a`` is the indicator array as given: a level whose children are all indicators reads
    it rather than ``out``, so weights that vary over replications with one shared ``x``
    (Monte Carlo) broadcast in the product instead of copying ``x`` once per replication.
    """
    ncol = len(plan.columns)
    for lev in sorted(set(plan.levels)):
        ks = [k for k, lv in enumerate(plan.levels) if lv == lev]
        kids = np.concatenate([plan.children[k] for k in ks])
        wm = np.zeros((*w.shape[:-1], ncol, len(ks)))
        for col, k in enumerate(ks):
            wm[..., plan.children[k], col] = w[..., plan.children[k]]
        lo, hi = int(kids.min()), int(kids.max()) + 1
        xs = a[..., lo:hi] if a is not None and hi <= ni else out[..., lo:hi]
        ok = ~np.isnan(xs)
        wsub = wm[..., lo:hi, :]
        num = np.where(ok, xs, 0.0) @ wsub
        den = ok.astype(np.float64) @ wsub
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(den == 0, np.nan, num / np.where(den == 0, 1.0, den))
        out[..., [ni + k for k in ks]] = y


def effective_weights_array(plan: AggregationPlan, weights: ArrayLike | None = None) -> FloatArray:
    """Effective weight of every column: the product of sibling-normalised weights up the tree.

    Shapes: ``weights (..., n_columns)`` → ``(..., n_columns)``; the root gets 1.
    """
    w = plan.nominal_weights if weights is None else np.asarray(weights, dtype=np.float64)
    ncol = len(plan.columns)
    ni = len(plan.indicators)
    parent = np.full(ncol, -1, dtype=np.int64)
    for k, kids in enumerate(plan.children):
        parent[kids] = ni + k
    rel = np.ones(w.shape, dtype=np.float64)
    for kids in plan.children:
        s = w[..., kids].sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel[..., kids] = w[..., kids] / s
    eff = rel.copy()
    # walk upwards: aggregates are ordered children-before-parents, so go from the root down
    for c in range(ncol - 1, -1, -1):
        p = parent[c]
        if p >= 0:
            eff[..., c] = rel[..., c] * eff[..., p]
    return eff
