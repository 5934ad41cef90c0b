"""Synthetic control for one treated city (pysyncon), with placebos in space and in time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.errors import SpecError
from hkfactor.evaluation.designs._common import library, library_context, prepare, version
from hkfactor.evaluation.designs._results import (
    DesignWarning,
    Estimate,
    GapPoint,
    PlaceboRun,
    Sample,
    SyntheticControlResult,
)
from hkfactor.evaluation.designs._shocks import Shock, dated_shocks, overlapping_shocks

__all__ = ["synthetic_control"]

#: Fewer pre-event periods than this and the fit says little (Abadie 2021, sec. 4).
MIN_PRE = 5
#: Fewer post-event periods than this and the ATT rests on one or two years.
MIN_POST = 3
#: Fewer donors than this and the placebo-in-space p-value cannot go below 1/(J+1) ≈ 0.17.
MIN_DONORS = 5
#: Pre-period RMSPE above this share of the treated unit's pre-period SD is a poor fit.
POOR_FIT = 0.5


def _fit(sc_mod: Any, wide: pd.DataFrame, treated: str, donors: list[str], pre: list[int]) -> np.ndarray:
    """Donor weights of one synthetic control: the pre-period outcomes are the predictors.

    Calls pysyncon's ``Synth.fit`` with ``X0``/``X1`` = the pre-period outcome path and a
    fixed identity ``V`` (every pre-period year weighs the same), so the weights minimise the
    pre-period squared gap over the unit simplex.
    """
    X0 = wide.loc[pre, donors]
    X1 = wide.loc[pre, treated]
    synth = sc_mod.Synth()
    with library_context():
        synth.fit(X0=X0, X1=X1, Z0=X0, Z1=X1, custom_V=np.ones(len(pre)))
    return np.asarray(synth.W, dtype=float)


def _run(sc_mod: Any, wide: pd.DataFrame, treated: str, donors: list[str], pre: list[int],
         post: list[int]) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    """Weights, gap path over ``pre + post``, ATT (mean post gap), pre and post RMSPE."""
    w = _fit(sc_mod, wide, treated, donors, pre)
    periods = pre + post
    synth = wide.loc[periods, donors].to_numpy() @ w
    gap = wide.loc[periods, treated].to_numpy() - synth
    g_pre, g_post = gap[: len(pre)], gap[len(pre):]
    rm_pre = float(np.sqrt(np.mean(g_pre**2)))
    rm_post = float(np.sqrt(np.mean(g_post**2))) if len(g_post) else float("nan")
    att = float(np.mean(g_post)) if len(g_post) else float("nan")
    return w, gap, att, rm_pre, rm_post


def _ratio(post: float, pre: float) -> float:
    if pre > 0:
        return post / pre
    return float("inf") if post > 0 else float("nan")


def synthetic_control(
    panel: pd.DataFrame,
    outcome: str,
    *,
    treated: object,
    donors: Sequence[object],
    unit: str,
    time: str,
    event_time: int,
    log_outcome: bool = False,
    placebo_times: Sequence[int] | None = None,
    min_placebo_pre: int = 3,
    shocks: Sequence[Shock] | None = None,
    shock_id: str | None = None,
) -> SyntheticControlResult:
    r"""Synthetic control (Abadie, Diamond & Hainmueller 2010) with placebo inference.

    The synthetic unit is the convex combination of ``donors`` (weights ≥ 0, summing to 1)
    closest to the treated unit's outcome in every pre-event period, fitted by pysyncon
    (``Synth`` with the pre-period outcomes as predictors and equal predictor weights). The
    gap (treated − synthetic) after ``event_time`` estimates the effect.

    Inference is by placebos, not by a sampling model:

    * **in space** — each donor in turn is the "treated" unit with the other donors as its
      pool; the p-value is the rank of the treated unit's post/pre RMSPE ratio among all of
      them, :math:`(1 + \#\{j : r_j \ge r_{treated}\}) / (J + 1)` (Abadie et al. 2010, sec. 3);
    * **in time** — the event is moved to earlier, fake dates with data up to the real event
      only; a real effect should not show at a fake date.

    Parameters
    ----------
    panel : DataFrame
        Long form, one row per unit and period.
    outcome : str
    treated : unit label
    donors : sequence of unit labels
        Candidate donor pool (the treated unit is removed if listed). A donor with a missing
        value in the study period is dropped (``donor_dropped`` warning).
    unit, time : str
    event_time : int
        First treated period.
    log_outcome : bool
    placebo_times : sequence of int, optional
        Fake event dates (default: every pre-event period leaving at least
        ``min_placebo_pre`` periods before it).
    min_placebo_pre : int
    shocks : sequence of Shock, optional
        Dated shocks to check for overlap with the study period (default: the registry dated
        from ``events.csv``); ``()`` to skip.
    shock_id : str, optional
        The registered shock this event is (excluded from the overlap check).

    Returns
    -------
    SyntheticControlResult
        ATT path, donor weights, RMSPE pre/post, placebo runs, p-values and typed warnings:
        fewer than 5 pre-periods, fewer than 5 donors, a treated unit outside the donors'
        range (no convex combination reaches it), a poor pre-period fit, another dated shock
        inside the study period.

    Raises
    ------
    SpecError
        The treated unit is missing or has a gap in the study period; no pre- or post-event
        period; fewer than 2 usable donors.

    Examples
    --------
    A SYNTHETIC panel: 8 donors, the treated unit an equal mix of donors 0 and 1 plus 1.0
    from 2016:

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> years = np.arange(2008, 2020)
    >>> paths = {f"d{j}": 1 + 0.1 * j * (years - 2008) + rng.normal(0, 0.05, years.size) for j in range(8)}
    >>> paths["T"] = 0.5 * (paths["d0"] + paths["d1"]) + 1.0 * (years >= 2016)
    >>> df = pd.DataFrame([{"city": k, "year": y, "v": v} for k, p in paths.items() for y, v in zip(years, p)])
    >>> res = synthetic_control(df, "v", treated="T", donors=[f"d{j}" for j in range(8)], unit="city",
    ...                         time="year", event_time=2016, shocks=())
    >>> round(res.estimate.effect, 1), res.estimate.p_value
    (1.0, 0.1111111111111111)
    """
    if not isinstance(event_time, (int, np.integer)):
        raise SpecError(f"event_time must be an integer period, got {event_time!r}")
    prep = prepare(panel, outcome=outcome, unit=unit, time=time, log_outcome=log_outcome, what="panel")
    df = prep.data
    tr = str(treated)
    pool = [str(d) for d in dict.fromkeys(donors) if str(d) != tr]
    wide = df.pivot(index="_t", columns="_u", values="_y").sort_index()
    if tr not in wide.columns:
        raise SpecError(f"treated unit {tr!r} is not in the panel")
    periods = [int(t) for t in wide.index[wide[tr].notna()]]
    first, last = min(periods), max(periods)
    study = [t for t in wide.index if first <= t <= last]
    if wide.loc[study, tr].isna().any():
        gaps = [str(t) for t in study if pd.isna(wide.loc[t, tr])]
        raise SpecError(f"treated unit {tr!r} has no value in period(s) {', '.join(gaps)}")
    pre = [int(t) for t in study if t < event_time]
    post = [int(t) for t in study if t >= event_time]
    if not pre or not post:
        raise SpecError(f"event_time {event_time} leaves no pre-event or no post-event period "
                        f"(the treated unit is observed {first}–{last})")
    warns: list[DesignWarning] = list(w for w in prep.warnings if w.code != "unbalanced_panel")
    absent = [d for d in pool if d not in wide.columns]
    incomplete = [d for d in pool if d in wide.columns and wide.loc[study, d].isna().any()]
    if absent or incomplete:
        warns.append(DesignWarning("donor_dropped", items=tuple(absent + incomplete)))
    usable = [d for d in pool if d not in absent and d not in incomplete]
    if len(usable) < 2:
        raise SpecError(f"synthetic control needs at least 2 donors with complete data, got {len(usable)}")
    if len(pre) < MIN_PRE:
        warns.append(DesignWarning("few_pre_periods", value=float(len(pre)), threshold=float(MIN_PRE)))
    if len(post) < MIN_POST:
        warns.append(DesignWarning("few_post_periods", value=float(len(post)), threshold=float(MIN_POST)))
    if len(usable) < MIN_DONORS:
        warns.append(DesignWarning("few_donors", value=float(len(usable)), threshold=float(MIN_DONORS)))
    pre_means = wide.loc[pre, usable].mean()
    t_mean = float(wide.loc[pre, tr].mean())
    if t_mean > pre_means.max() or t_mean < pre_means.min():
        warns.append(DesignWarning("treated_outside_hull", subject=tr, value=t_mean,
                                   threshold=float(pre_means.max() if t_mean > pre_means.max() else pre_means.min())))
    shock_pool = dated_shocks() if shocks is None else shocks
    warns += overlapping_shocks(int(event_time), (first, last), shock_pool, exclude=shock_id)

    sc_mod = library("pysyncon")
    w, gap, att, rm_pre, rm_post = _run(sc_mod, wide, tr, usable, pre, post)
    ratio = _ratio(rm_post, rm_pre)
    sd_pre = float(np.std(wide.loc[pre, tr].to_numpy(), ddof=1)) if len(pre) > 1 else float("nan")
    if sd_pre > 0 and rm_pre / sd_pre > POOR_FIT:
        warns.append(DesignWarning("poor_pre_fit", subject=tr, value=rm_pre / sd_pre, threshold=POOR_FIT))

    space = []
    for d in usable:
        others = [o for o in usable if o != d]
        _, _, a, rp, rq = _run(sc_mod, wide, d, others, pre, post)
        space.append(PlaceboRun(d, int(event_time), a, rp, rq, _ratio(rq, rp)))
    p_space = (1 + sum(r.ratio >= ratio for r in space)) / (len(space) + 1)

    fakes = (list(placebo_times) if placebo_times is not None
             else [t for t in pre if len([p for p in pre if p < t]) >= min_placebo_pre])
    time_runs = []
    for ft in fakes:
        fpre = [p for p in pre if p < ft]
        fpost = [p for p in pre if p >= ft]
        if len(fpre) < 2 or not fpost:
            continue
        _, _, a, rp, rq = _run(sc_mod, wide, tr, usable, fpre, fpost)
        time_runs.append(PlaceboRun(tr, int(ft), a, rp, rq, _ratio(rq, rp)))
    p_time = ((1 + sum(r.ratio >= ratio for r in time_runs)) / (len(time_runs) + 1)) if time_runs else float("nan")

    order = np.argsort(-w, kind="stable")
    weights = tuple((usable[i], float(w[i])) for i in order)
    y_tr = wide.loc[pre + post, tr].to_numpy(dtype=float)
    path = tuple(GapPoint(int(t), float(y), float(y - g), float(g))
                 for t, y, g in zip(pre + post, y_tr, gap, strict=True))
    est = Estimate(effect=att, se=float("nan"), ci_low=float("nan"), ci_high=float("nan"), p_value=p_space,
                   ci_level=float("nan"), inference="placebo-in-space rank of the post/pre RMSPE ratio")
    sample = Sample(
        n_obs=len(study) * (1 + len(usable)), n_clusters=1 + len(usable), n_units=1 + len(usable),
        n_periods=len(study), n_treated_units=1, n_treated_obs=len(post), n_pre=len(pre), n_post=len(post),
        n_dropped=prep.n_dropped, first_period=first, last_period=last,
    )
    return SyntheticControlResult(
        method="synthetic_control", outcome=outcome, treated=tr, log_outcome=log_outcome,
        event_time=int(event_time), donors=tuple(usable), weights=weights, path=path, estimate=est,
        rmspe_pre=rm_pre, rmspe_post=rm_post, ratio=ratio, placebo_space=tuple(space),
        placebo_time=tuple(time_runs), p_value_time=p_time, sample=sample, warnings=tuple(warns),
        library=version("pysyncon"),
    )
