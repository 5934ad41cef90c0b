"""Analyses of an index: indicator statistics, correlations, Cronbach's alpha, PCA, removal.

Functions take DataFrames (rows = units, columns = indicators or aggregates); the
:class:`~hkfactor.engine.Index` methods of the same names pick the stage and level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as st

from hkfactor.engine._numeric import nan_kurt, nan_skew
from hkfactor.errors import SpecError

__all__ = [
    "PCAResult",
    "correlations",
    "cronbach_alpha",
    "indicator_stats",
    "lengthen",
    "principal_components",
    "signif",
]


def signif(x: np.ndarray | pd.Series | float, digits: int) -> np.ndarray:
    """Round to ``digits`` significant figures (R's ``signif``); NaN and 0 are kept."""
    a = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where((a == 0) | ~np.isfinite(a), 0, np.floor(np.log10(np.abs(np.where(a == 0, 1, a)))))
    dec = digits - 1 - mag
    factor = 10.0**dec
    return np.asarray(np.where(np.isfinite(a), np.round(a * factor) / factor, a), dtype=np.float64)


def indicator_stats(
    df: pd.DataFrame,
    *,
    t_skew: float = 2.0,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unq: float = 0.5,
    nsignif: int | None = None,
) -> pd.DataFrame:
    """Statistics and flags per column, as COINr ``get_stats``.

    Columns: ``Min, Max, Mean, Median, Std`` (n-1), ``Skew, Kurt`` (Excel/e1071 type 2),
    ``N.Avail, N.NonZero, N.Unique, N.Same`` (size of the largest group of equal values),
    ``Frc.*`` (over available values; ``Frc.Avail`` over rows), and flags:
    ``Flag.Avail`` LOW if ``Frc.Avail < t_avail``; ``Flag.NonZero`` LOW if non-zeros / rows
    ``< t_zero``; ``Flag.Unique`` LOW if uniques / rows ``< t_unq``; ``Flag.SkewKurt`` OUT if
    ``|skew| > t_skew`` AND ``kurt > t_kurt``. ``nsignif`` rounds numbers (COINr default 3).
    """
    x = df.to_numpy(np.float64)
    n = x.shape[0]
    ok = ~np.isnan(x)
    n_avail = ok.sum(axis=0)
    sk, kt = nan_skew(x), nan_kurt(x)
    nz = (ok & (x != 0)).sum(axis=0)
    nunq = np.array([len(np.unique(c[~np.isnan(c)])) for c in x.T])
    nsame = np.array([np.unique(c[~np.isnan(c)], return_counts=True)[1].max(initial=0) for c in x.T])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "iCode": list(df.columns),
                "Min": np.nanmin(np.where(ok, x, np.inf), axis=0),
                "Max": np.nanmax(np.where(ok, x, -np.inf), axis=0),
                "Mean": np.nansum(x, axis=0) / n_avail,
                "Median": [np.median(c[~np.isnan(c)]) if (~np.isnan(c)).any() else np.nan for c in x.T],
                "Std": [np.std(c[~np.isnan(c)], ddof=1) if (~np.isnan(c)).sum() > 1 else np.nan for c in x.T],
                "Skew": sk,
                "Kurt": kt,
                "N.Avail": n_avail,
                "N.NonZero": nz,
                "N.Unique": nunq,
                "N.Same": nsame,
                "Frc.Avail": n_avail / n,
                "Frc.NonZero": nz / n_avail,
                "Frc.Unique": nunq / n_avail,
                "Frc.Same": nsame / n_avail,
            }
        )
    out["Flag.Avail"] = np.where(out["Frc.Avail"] >= t_avail, "ok", "LOW")
    out["Flag.NonZero"] = np.where(nz / n >= t_zero, "ok", "LOW")
    out["Flag.Unique"] = np.where(nunq / n >= t_unq, "ok", "LOW")
    out["Flag.SkewKurt"] = np.where((np.abs(sk) > t_skew) & (kt > t_kurt), "OUT", "ok")
    if nsignif is not None:
        for c in [c for c in out.columns if c != "iCode" and not c.startswith("Flag.")]:
            out[c] = signif(out[c].to_numpy(np.float64), nsignif)
    return out


def _pairwise(x: np.ndarray, y: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Correlation and two-sided p-value of every column pair, pairwise-complete."""
    r = np.full((x.shape[1], y.shape[1]), np.nan)
    p = np.full_like(r, np.nan)
    for i in range(x.shape[1]):
        for j in range(y.shape[1]):
            ok = ~(np.isnan(x[:, i]) | np.isnan(y[:, j]))
            a, b = x[ok, i], y[ok, j]
            if ok.sum() < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
                continue
            if method == "pearson":
                r[i, j] = np.corrcoef(a, b)[0, 1]
                rr = min(abs(r[i, j]), 1.0)
                df = ok.sum() - 2
                t = rr * np.sqrt(df / max(1.0 - rr * rr, 1e-300))
                p[i, j] = 2 * st.t.sf(t, df)
            elif method == "spearman":
                res = st.spearmanr(a, b)
                r[i, j], p[i, j] = float(res.statistic), float(res.pvalue)
            elif method == "kendall":
                res = st.kendalltau(a, b)
                r[i, j], p[i, j] = float(res.statistic), float(res.pvalue)
            else:
                raise SpecError(f"unknown correlation method {method!r}; valid: kendall, pearson, spearman")
    return r, p


def correlations(
    df1: pd.DataFrame,
    df2: pd.DataFrame | None = None,
    *,
    method: str = "pearson",
    pval: float = 0.05,
) -> pd.DataFrame:
    """Correlation matrix of the columns of ``df1`` (rows) with those of ``df2`` (columns).

    Pairwise-complete observations (R ``use = "pairwise.complete.obs"``). Correlations whose
    two-sided p-value exceeds ``pval`` are blanked (NaN), as COINr ``get_corr``; ``pval=0``
    keeps all. Pearson p-values use Student's t with n-2 degrees of freedom (exact, as R's
    ``cor.test``); Spearman and Kendall use scipy's asymptotic tests (R uses exact tests for
    small n without ties — a documented difference).
    """
    d2 = df1 if df2 is None else df2
    r, p = _pairwise(df1.to_numpy(np.float64), d2.to_numpy(np.float64), method)
    if pval > 0:
        r = np.where(p > pval, np.nan, r)
    return pd.DataFrame(r, index=df1.columns, columns=d2.columns)


def lengthen(mat: pd.DataFrame) -> pd.DataFrame:
    """Wide matrix → long ``Var1, Var2, Correlation`` (rows vary fastest, as COINr)."""
    v1 = np.tile(np.asarray(mat.index), mat.shape[1])
    v2 = np.repeat(np.asarray(mat.columns), mat.shape[0])
    return pd.DataFrame({"Var1": v1, "Var2": v2, "Correlation": mat.to_numpy().T.ravel()})


def cronbach_alpha(df: pd.DataFrame) -> float:
    """Cronbach's alpha ``k/(k-1) (1 - sum var_i / var(sum))`` on complete rows (COINr ``get_cronbach``)."""
    x = df.to_numpy(np.float64)
    x = x[~np.isnan(x).any(axis=1)]
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        raise SpecError("Cronbach's alpha needs at least 2 columns and 2 complete rows")
    c = np.cov(x, rowvar=False)
    return float(k / (k - 1) * (1 - np.trace(c) / c.sum()))


@dataclass(frozen=True)
class PCAResult:
    """Principal components of standardised, complete-case data (R ``prcomp(scale. = TRUE)``).

    Attributes
    ----------
    loadings : DataFrame (columns × components)
        Rotation matrix; the sign of each component is fixed so its loadings sum to >= 0.
    sdev : ndarray
        Standard deviations of the components.
    explained : ndarray
        Share of variance of each component.
    scores : DataFrame (complete rows × components)
    """

    loadings: pd.DataFrame
    sdev: np.ndarray
    explained: np.ndarray
    scores: pd.DataFrame


def principal_components(df: pd.DataFrame) -> PCAResult:
    """PCA of the columns of ``df`` (centred and scaled, complete rows), as COINr ``get_PCA``."""
    ok = ~df.isna().any(axis=1)
    x = df.loc[ok].to_numpy(np.float64)
    if x.shape[0] < 2:
        raise SpecError("PCA needs at least two complete rows")
    sd = x.std(axis=0, ddof=1)
    z = (x - x.mean(axis=0)) / np.where(sd == 0, 1.0, sd)
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    sign = np.where(vt.sum(axis=1) >= 0, 1.0, -1.0)
    v = (vt * sign[:, None]).T
    names = [f"PC{i + 1}" for i in range(v.shape[1])]
    sdev = s / np.sqrt(x.shape[0] - 1)
    return PCAResult(
        loadings=pd.DataFrame(v, index=df.columns, columns=names),
        sdev=sdev,
        explained=sdev**2 / (sdev**2).sum(),
        scores=pd.DataFrame(z @ v, index=df.index[ok], columns=names),
    )
