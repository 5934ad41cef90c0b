"""Event study around one dated shock (pyfixest): leads, lags and a pre-trend test."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.errors import SpecError
from hkfactor.evaluation.designs._common import (
    check_level,
    cluster_warnings,
    feols,
    library,
    library_context,
    prepare,
    version,
)
from hkfactor.evaluation.designs._results import (
    DesignWarning,
    Estimate,
    EventCoefficient,
    EventStudyResult,
    Sample,
)
from hkfactor.evaluation.designs._shocks import Shock, dated_shocks, overlapping_shocks

__all__ = ["event_study"]


def _name(k: int) -> str:
    return f"_rel_m{-k}" if k < 0 else f"_rel_p{k}"


def event_study(
    panel: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    treated_units: Sequence[object],
    event_time: int,
    window: tuple[int, int] = (-4, 4),
    reference: int = -1,
    log_outcome: bool = False,
    ci_level: float = 0.95,
    shocks: Sequence[Shock] | None = None,
    shock_id: str | None = None,
    min_pre: int = 3,
) -> EventStudyResult:
    r"""Event study of a common event date: :math:`y_{it} = \sum_{k \ne -1} \beta_k 1[t - E = k] T_i + \alpha_i + \lambda_t + \varepsilon_{it}`.

    Estimated by pyfixest (``feols`` with unit and period fixed effects, SEs clustered by
    unit, CRV1, t with G−1 degrees of freedom). Treated units (``treated_units``) get one
    indicator per relative period ``k`` in ``window`` except ``reference``; periods beyond
    the window are binned into its end points; never-treated units identify the period
    effects. Every treated unit shares the one ``event_time``, so the staggered-adoption
    problems of TWFE event studies (Sun & Abraham 2021) do not arise.

    Parameters
    ----------
    panel : DataFrame
        Long form, one row per unit and period.
    outcome, unit, time : str
    treated_units : sequence
        Unit labels exposed to the event (compared as strings).
    event_time : int
        First exposed period (relative period 0).
    window : (int, int)
        First and last relative period shown (first < reference < 0 ≤ last).
    reference : int
        Omitted relative period (default −1).
    log_outcome : bool
    ci_level : float
    shocks : sequence of Shock, optional
        Dated shocks to check for overlap with the window (default: the registry dated from
        the built-in ``events.csv``, see :func:`dated_shocks`); ``()`` to skip.
    shock_id : str, optional
        The registered shock this event is (excluded from the overlap check).
    min_pre : int
        Fewer pre-event periods in the data than this raise a ``few_pre_periods`` warning.

    Returns
    -------
    EventStudyResult
        ``coefficients`` (leads/lags with CIs), ``estimate`` (mean of the post-event
        coefficients), the joint pre-trend F test (``pretrend_stat``, ``pretrend_p``), the
        effective ``sample`` and typed ``warnings``.

    Raises
    ------
    SpecError
        Bad window; no treated or no control unit; missing columns.

    Examples
    --------
    A SYNTHETIC panel (12 units × 10 years; units 0–5 gain 0.5 from 2015):

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> u, t = np.repeat(np.arange(12), 10), np.tile(np.arange(2010, 2020), 12)
    >>> y = 0.1 * u + 0.05 * (t - 2010) + 0.5 * ((u < 6) & (t >= 2015)) + rng.normal(0, 0.1, u.size)
    >>> res = event_study(pd.DataFrame({"city": u, "year": t, "y": y}), "y", unit="city", time="year",
    ...                   treated_units=range(6), event_time=2015, window=(-3, 3), shocks=())
    >>> [c.rel_time for c in res.coefficients]
    [-3, -2, 0, 1, 2, 3]
    >>> res.estimate.covers(0.5), res.pretrend_p > 0.05
    (True, True)
    """
    check_level(ci_level)
    lo, hi = (int(window[0]), int(window[1]))
    if not (lo <= reference < 0 <= hi):
        raise SpecError(f"window {window!r} must satisfy first <= reference ({reference}) < 0 <= last")
    prep = prepare(panel, outcome=outcome, unit=unit, time=time, log_outcome=log_outcome, what="panel")
    df = prep.data.copy()
    treated = {str(u) for u in treated_units}
    is_t = df["_u"].isin(treated).to_numpy()
    missing = sorted(treated - set(df["_u"]))
    if not is_t.any():
        raise SpecError(f"none of the treated units is in the panel (asked: {', '.join(sorted(treated))})")
    if is_t.all():
        raise SpecError("every unit is treated: the event study needs never-treated units as controls")
    rel_raw = df["_t"].to_numpy() - int(event_time)
    rel = np.clip(rel_raw, lo, hi)
    warns: list[DesignWarning] = list(prep.warnings)
    if missing:
        warns.append(DesignWarning("dropped_missing", subject="treated_units", value=float(len(missing)),
                                   items=tuple(missing)))
    binned = []
    if (is_t & (rel_raw < lo)).any():
        binned.append(f"<={lo}")
    if (is_t & (rel_raw > hi)).any():
        binned.append(f">={hi}")
    if binned:
        warns.append(DesignWarning("binned_endpoints", items=tuple(binned)))
    ks = [k for k in range(lo, hi + 1) if k != reference]
    present = []
    for k in ks:
        col = (is_t & (rel == k)).astype(float)
        if col.any():
            df[_name(k)] = col
            present.append(k)
    n_pre = len(set(df.loc[df["_t"] < event_time, "_t"]))
    n_post = len(set(df.loc[df["_t"] >= event_time, "_t"]))
    if n_pre < min_pre:
        warns.append(DesignWarning("few_pre_periods", value=float(n_pre), threshold=float(min_pre)))
    n_clusters = int(df["_g"].nunique())
    n_treated = int(df.loc[is_t, "_u"].nunique())
    warns += cluster_warnings(n_clusters, n_treated, subject=unit)
    pool = dated_shocks() if shocks is None else shocks
    first, last = int(df["_t"].min()), int(df["_t"].max())
    span = (max(first, event_time + lo), min(last, event_time + hi))
    warns += overlapping_shocks(event_time, span, pool, exclude=shock_id)

    pf = library("pyfixest")
    from scipy import stats  # loaded with pyfixest; not at import, so the designs package stays light

    names = [_name(k) for k in present]
    fit: Any = feols(pf, f"_y ~ {' + '.join(names)} | _u + _t", df, what="the event-time indicators")
    coef, se = fit.coef(), fit.se()
    kept = [k for k in present if _name(k) in coef.index]
    dfree = max(n_clusters - 1, 1)
    q = float(stats.t.ppf(0.5 + ci_level / 2, dfree))
    coefs = []
    for k in kept:
        b, s = float(coef[_name(k)]), float(se[_name(k)])
        p = float(2 * stats.t.sf(abs(b / s), dfree)) if s > 0 else float("nan")
        coefs.append(EventCoefficient(k, b, s, b - q * s, b + q * s, p, binned=(k in (lo, hi) and bool(binned))))
    # average post-event effect: a linear combination of the lag coefficients with pyfixest's vcov
    names_fit = list(coef.index)
    post = [_name(k) for k in kept if k >= 0]
    if post:
        w = np.array([1.0 / len(post) if n in post else 0.0 for n in names_fit])
        vc = np.asarray(fit._vcov, dtype=float)
        b_avg = float(w @ coef.to_numpy())
        s_avg = float(np.sqrt(max(w @ vc @ w, 0.0)))
        p_avg = float(2 * stats.t.sf(abs(b_avg / s_avg), dfree)) if s_avg > 0 else float("nan")
        avg = Estimate(b_avg, s_avg, b_avg - q * s_avg, b_avg + q * s_avg, p_avg, ci_level,
                       f"mean of lags 0..{hi}; CRV1({unit}), t(G-1)")
    else:
        avg = Estimate(*(float("nan"),) * 5, ci_level, "no post-event coefficient")
    leads = [_name(k) for k in kept if k < 0]
    if leads:
        R = np.zeros((len(leads), len(names_fit)))
        for i, n in enumerate(leads):
            R[i, names_fit.index(n)] = 1.0
        # pyfixest's Wald statistic W (its clustered vcov); pyfixest offers the F reference only
        # for the all-coefficients test, so F = W / m is referred to F(m, G - 1) here.
        with library_context():
            wt = fit.wald_test(R=R, distribution="chi2")
        pre_stat = float(wt["statistic"]) / len(leads)
        pre_p = float(stats.f.sf(pre_stat, len(leads), dfree))
    else:
        pre_stat = pre_p = float("nan")
        warns.append(DesignWarning("no_pretrend_test"))
    sample = Sample(
        n_obs=int(fit._N), n_clusters=n_clusters, n_units=int(df["_u"].nunique()),
        n_periods=int(df["_t"].nunique()), n_treated_units=n_treated,
        n_treated_obs=int((is_t & (rel_raw >= 0)).sum()), n_pre=n_pre, n_post=n_post,
        n_dropped=prep.n_dropped, first_period=first, last_period=last,
    )
    return EventStudyResult(
        method="event_study", outcome=outcome, log_outcome=log_outcome, event_time=int(event_time),
        window=(lo, hi), reference=reference, coefficients=tuple(coefs), estimate=avg,
        pretrend_stat=pre_stat, pretrend_p=pre_p, pretrend_df=len(leads),
        treated_units=tuple(sorted(treated & set(df["_u"]))), sample=sample, warnings=tuple(warns),
        library=version("pyfixest"),
    )
