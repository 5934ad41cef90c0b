"""Benchmarks for the single-pair methods: would a straight line, or shuffled years, do as well?

With one city pair and years as the only units, a grey relational grade or a coupling
coordination degree D mostly measures how much two series share a trend. This module puts
two benchmarks beside every such statistic:

* **linear-trend pseudo-channels** — the reference's own straight line (least squares on
  the year), treated as one more channel, and for each candidate its own straight line;
* **permutation nulls** — the statistic with the reference's years shuffled (``n_perm``
  shuffles, all computed in one batched NumPy call of the method's function). Shuffling the
  years of a trending series destroys its trend, so any trending channel beats that naive
  null (``p_shuffle``); the null that decides (``p_perm``) keeps the reference's straight line
  and shuffles only its deviations from it (in the detrended and differenced variants the
  two nulls are the same).

A candidate is *associated* with the reference only if it beats both straight lines and the
``1 − alpha`` quantile of the trend-preserving null. The statistics come from
:func:`hkfactor.methods.grey_relational` and :func:`hkfactor.methods.coupling_coordination`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from hkfactor import methods as M
from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.evaluation.designs._results import BenchmarkRow, BenchmarkTable, DesignWarning

__all__ = ["TREND_NAME", "VARIANTS", "placebo_benchmarks"]

Arr = npt.NDArray[np.float64]

#: Name of the linear-trend pseudo-channel row.
TREND_NAME = "linear_trend"
#: The transformations every statistic is computed under.
VARIANTS: tuple[str, ...] = ("level", "detrended", "differenced")
_METHODS = ("grey", "coupling")
#: Fewer time points than this and the permutation null is coarse.
MIN_POINTS = 8


def _linear_fit(t: Arr, A: Arr) -> Arr:
    """Least-squares straight line of every column of ``A`` (n, k) on ``t`` (n,)."""
    X = np.column_stack([np.ones_like(t), t - t.mean()])
    beta, *_ = np.linalg.lstsq(X, A, rcond=None)
    return np.asarray(X @ beta, dtype=float)


def _transform(variant: str, t: Arr, A: Arr) -> Arr:
    if variant == "level":
        return A
    if variant == "detrended":
        return A - _linear_fit(t, A)
    return np.diff(A, axis=0)


def _degenerate(A: Arr, scale: Arr) -> npt.NDArray[np.bool_]:
    """Columns that are constant up to rounding (relative to the raw series' scale)."""
    spread = A.max(axis=0) - A.min(axis=0)
    return np.asarray(spread <= 1e-9 * np.maximum(scale, 1e-300), dtype=bool)


def _minmax(A: Arr) -> Arr:
    lo, hi = A.min(axis=-2, keepdims=True), A.max(axis=-2, keepdims=True)
    return np.asarray((A - lo) / np.where(hi > lo, hi - lo, 1.0), dtype=float)


def _statistic(method: str, ref: Arr, C: Arr, *, rho: float, preprocessing: str, coupling_variant: str) -> Arr:
    """Statistic of every column of ``C`` (n, k) or (B, n, k) against ``ref`` (B, n): shape (B, k)."""
    B = ref.shape[0]
    Cb = np.broadcast_to(C, (B, *C.shape[-2:])) if C.ndim == 2 else C
    if method == "grey":
        res = M.grey_relational(Cb, ref, series="columns", preprocessing=preprocessing,  # type: ignore[arg-type]
                                rho=rho)
        return np.asarray(res.grades, dtype=float)
    U = np.stack([np.broadcast_to(_minmax(ref[..., None]), Cb.shape), _minmax(Cb)], axis=-1)
    D = M.coupling_coordination(U, variant=coupling_variant).D  # type: ignore[arg-type]
    return np.asarray(D, dtype=float).mean(axis=-2)


def _as_inputs(reference: Any, candidates: Any) -> tuple[Arr, Arr, Arr, list[str]]:
    if isinstance(candidates, pd.Series):
        candidates = candidates.to_frame()
    if isinstance(candidates, pd.DataFrame):
        names = [str(c) for c in candidates.columns]
        index = candidates.index
        if isinstance(reference, pd.Series):
            if not reference.index.equals(index):
                if set(reference.index) != set(index):
                    raise SpecError("reference and candidates must cover the same time points")
                reference = reference.reindex(index)
        C = candidates.to_numpy(dtype=float, na_value=np.nan)
        try:
            t = np.asarray(index, dtype=float)
        except (TypeError, ValueError):
            t = np.arange(len(index), dtype=float)
    else:
        C = np.asarray(candidates, dtype=float)
        if C.ndim == 1:
            C = C[:, None]
        names = [f"x{j}" for j in range(C.shape[1])]
        t = np.arange(C.shape[0], dtype=float)
    r = np.asarray(reference, dtype=float).reshape(-1)
    if C.ndim != 2 or r.shape[0] != C.shape[0]:
        raise SpecError(f"reference has {r.shape[0]} points, candidates {C.shape[0] if C.ndim else 0}: "
                        "they must be the same time points")
    problems = []
    if not np.all(np.isfinite(r)):
        problems.append(Problem("reference", None, None, "missing or infinite values"))
    for j in np.flatnonzero(~np.isfinite(C).all(axis=0)):
        problems.append(Problem("candidates", None, names[j], "missing or infinite values"))
    if problems:
        raise InputError(problems, title="placebo benchmarks need complete series")
    if TREND_NAME in names:
        raise SpecError(f"a candidate may not be called {TREND_NAME!r} (the pseudo-channel's name)")
    return r, C, t, names


def placebo_benchmarks(
    reference: Any,
    candidates: Any,
    *,
    method: Literal["grey", "coupling"] = "grey",
    n_perm: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    variants: Sequence[str] = VARIANTS,
    rho: float = 0.5,
    preprocessing: Literal["mean", "initial", "minmax"] = "mean",
    coupling_variant: Literal["standard", "wang2021"] = "standard",
) -> BenchmarkTable:
    r"""Trend and permutation benchmarks beside each grey grade or coupling degree.

    For each variant (``level``: the series as given; ``detrended``: residuals of a
    least-squares line on the year; ``differenced``: first differences) and each candidate:

    * ``statistic`` — grey relational grade of the candidate against ``reference``
      (:func:`hkfactor.methods.grey_relational`, ``series="columns"``, computed jointly over
      the candidates and the pseudo-channel, as a straight line added as a fake channel
      would be), or the mean over the years of the coupling coordination degree D of the
      two series, each min–max rescaled to [0, 1]
      (:func:`hkfactor.methods.coupling_coordination`);
    * ``trend_statistic`` — the statistic of the pseudo-channel, the reference's own
      least-squares line (NaN where the transformation leaves it constant);
    * ``own_trend_statistic`` — the statistic the candidate's own least-squares line would
      get in its place;
    * ``null_quantile`` and ``p_perm`` — from ``n_perm`` surrogate references that keep the
      reference's least-squares line and shuffle its deviations from it (in levels; in the
      other variants, shuffles of the transformed reference), the candidates fixed;
    * ``p_shuffle`` — the naive null: the reference's years shuffled, trend and all.

    All surrogates are evaluated in one batched call per null. ``associated`` = beats both
    lines (strictly) and the ``1 − alpha`` quantile of the trend-preserving null. The
    pseudo-channel is never associated, and neither is a candidate that is itself a straight
    line (it ties with its own line in levels and is constant in the other variants).

    Parameters
    ----------
    reference : Series or array (n,)
        The target sequence (e.g. Shenzhen's innovation index by year).
    candidates : DataFrame (n × m), Series or array
        Channel sequences over the same time points (the index gives the years).
    method : {"grey", "coupling"}
    n_perm : int
        Shuffles of the reference (default 999; at least 19).
    seed : int
    alpha : float
        The null quantile used is ``1 − alpha`` (default 0.05).
    variants : sequence of {"level", "detrended", "differenced"}
    rho : float
        Grey distinguishing coefficient.
    preprocessing : {"mean", "initial", "minmax"}
        Grey preprocessing in the ``level`` variant (default ``"mean"``, the evaluation's);
        the detrended and differenced series have mean ≈ 0 and signs that change, so there
        ``"minmax"`` is used (recorded per row).
    coupling_variant : {"standard", "wang2021"}

    Returns
    -------
    BenchmarkTable
        One :class:`BenchmarkRow` per series × variant (the pseudo-channel included), with
        typed warnings (degenerate series, trend not applicable, few points).

    Examples
    --------
    A SYNTHETIC reference: a trend plus a cycle. ``echo`` follows the cycle; ``line`` is a
    straight line:

    >>> import numpy as np, pandas as pd
    >>> years = np.arange(2005, 2024)
    >>> ref = pd.Series(1 + 0.05 * (years - 2005) + 0.2 * np.sin(years), index=years)
    >>> cands = pd.DataFrame({"echo": 2 + 0.1 * (years - 2005) + 0.4 * np.sin(years),
    ...                       "line": 1 + 0.05 * (years - 2005)}, index=years)
    >>> tab = placebo_benchmarks(ref, cands, n_perm=199, seed=1)
    >>> tab.associated("level"), tab.associated("detrended")
    (('echo',), ('echo',))
    """
    if method not in _METHODS:
        raise SpecError(f"unknown method {method!r}; valid: {', '.join(_METHODS)}")
    bad = [v for v in variants if v not in VARIANTS]
    if bad or not variants:
        raise SpecError(f"unknown variant(s) {', '.join(bad) or '(none)'}; valid: {', '.join(VARIANTS)}")
    if n_perm < 19:
        raise SpecError(f"n_perm must be at least 19, got {n_perm}")
    if not (0 < alpha < 1):
        raise SpecError(f"alpha must lie in (0, 1), got {alpha!r}")
    r, C, t, names = _as_inputs(reference, candidates)
    n, m = C.shape
    if n < 4:
        raise SpecError(f"at least 4 time points are needed, got {n}")
    warns: list[DesignWarning] = []
    if n < MIN_POINTS:
        warns.append(DesignWarning("few_points", value=float(n), threshold=float(MIN_POINTS)))
    rng = np.random.default_rng(seed)
    line = _linear_fit(t, r[:, None])[:, 0]
    own = _linear_fit(t, C)
    # raw scale of every series, to tell "constant after the transformation" from small
    scale = np.abs(np.column_stack([r, C, line])).max(axis=0)
    rows: list[BenchmarkRow] = []
    for variant in variants:
        A = _transform(variant, t, np.column_stack([r, C, line, own]))
        ref_v, C_v, line_v, own_v = A[:, 0], A[:, 1:1 + m], A[:, 1 + m], A[:, 2 + m:]
        nv = A.shape[0]
        deg = _degenerate(A[:, : m + 2], scale)
        if deg[0]:
            warns.append(DesignWarning("degenerate_series", subject="reference", items=(variant,)))
            rows += [BenchmarkRow(s, variant, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, False, False, False,
                                  s == TREND_NAME, nv, "") for s in [*names, TREND_NAME]]
            continue
        cand_ok = ~deg[1:1 + m]
        trend_ok = not deg[1 + m]
        own_ok = ~_degenerate(own_v, scale[1:1 + m])
        for jd in np.flatnonzero(~cand_ok):
            warns.append(DesignWarning("degenerate_series", subject=names[jd], items=(variant,)))
        if not trend_ok:
            warns.append(DesignWarning("trend_not_applicable", subject=variant))
        pre = preprocessing if variant == "level" else "minmax"
        used = "minmax" if method == "coupling" else pre
        cols = [C_v[:, j] for j in np.flatnonzero(cand_ok)] + ([line_v] if trend_ok else [])
        S = np.column_stack(cols) if cols else np.empty((nv, 0))
        k = S.shape[1]
        stat_all = np.full(m + 1, np.nan)
        null_all = np.full((n_perm, m + 1), np.nan)
        shuffle_all = np.full((n_perm, m + 1), np.nan)
        own_stat = np.full(m, np.nan)
        if k:
            kw: dict[str, Any] = {"rho": rho, "preprocessing": pre, "coupling_variant": coupling_variant}
            obs = _statistic(method, ref_v[None, :], S, **kw)[0]
            perm = np.argsort(rng.random((n_perm, nv)), axis=1)
            slots = [*np.flatnonzero(cand_ok).tolist(), *([m] if trend_ok else [])]
            stat_all[slots] = obs
            shuffled = _statistic(method, ref_v[perm], S, **kw)
            shuffle_all[:, slots] = shuffled
            if variant == "level":  # keep the straight line, shuffle the deviations from it
                base = line_v
                null_all[:, slots] = _statistic(method, base + (ref_v - base)[perm], S, **kw)
            else:
                null_all[:, slots] = shuffled
            # each candidate's own straight line in its place (one batched call over candidates)
            ok_idx = np.flatnonzero(cand_ok & own_ok)
            if ok_idx.size:
                swap = np.broadcast_to(S, (ok_idx.size, *S.shape)).copy()
                pos = np.searchsorted(np.flatnonzero(cand_ok), ok_idx)
                swap[np.arange(ok_idx.size), :, pos] = own_v[:, ok_idx].T
                own_stat[ok_idx] = _statistic(method, np.broadcast_to(ref_v, (ok_idx.size, nv)), swap,
                                              **kw)[np.arange(ok_idx.size), pos]
        q = np.quantile(null_all, 1 - alpha, axis=0) if k else np.full(m + 1, np.nan)
        trend_stat = stat_all[m] if trend_ok else np.nan
        for j, s in enumerate([*names, TREND_NAME]):
            st = stat_all[j]
            is_bench = j == m
            if np.isfinite(st):
                p = float((1 + np.sum(null_all[:, j] >= st - 1e-12)) / (n_perm + 1))
                p_sh = float((1 + np.sum(shuffle_all[:, j] >= st - 1e-12)) / (n_perm + 1))
                lines = [x for x in (trend_stat, np.nan if is_bench else own_stat[j]) if np.isfinite(x)]
                beats_trend = (not is_bench) and all(st > x + 1e-12 for x in lines)
                beats_null = bool(st > q[j])
            else:
                p, p_sh, beats_trend, beats_null = np.nan, np.nan, False, False
            rows.append(BenchmarkRow(
                series=s, variant=variant, statistic=float(st), trend_statistic=float(trend_stat),
                own_trend_statistic=float(np.nan if is_bench else own_stat[j]),
                null_quantile=float(q[j]), p_perm=p, p_shuffle=p_sh, beats_trend=bool(beats_trend), beats_null=beats_null,
                associated=bool(beats_trend and beats_null and not is_bench), is_benchmark=is_bench,
                n_points=nv, preprocessing=used))
    return BenchmarkTable(method=method, rows=tuple(rows), n_perm=int(n_perm), seed=int(seed), alpha=float(alpha),
                          rho=float(rho) if method == "grey" else float("nan"), warnings=tuple(warns))
