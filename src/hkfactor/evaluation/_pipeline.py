"""``evaluate``: coverage → indices → coupling coordination → attribution → robustness."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd

from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.evaluation import _ops
from hkfactor.evaluation._model import (
    AGGREGATIONS,
    NORMALISATIONS,
    WEIGHTINGS,
    Decision,
    Evaluation,
    Recipe,
)
from hkfactor.evaluation._spec import EvalFramework, EvalPanel

__all__ = ["evaluate"]

Progress = Callable[[str], None]


def _check_recipe(r: Recipe) -> None:
    checks: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("normalisation", r.normalisation, NORMALISATIONS),
        ("weighting", r.weighting, WEIGHTINGS),
        ("aggregation", r.aggregation, AGGREGATIONS),
        ("impute", r.impute, ("linear", "none")),
    )
    for name, val, allowed in checks:
        if val not in allowed:
            raise SpecError(f"recipe: {name}={val!r} is not one of {', '.join(allowed)}")
    bounds: tuple[tuple[str, float], ...] = (
        ("min_year_coverage", r.min_year_coverage),
        ("min_indicator_coverage", r.min_indicator_coverage),
        ("alpha", r.alpha),
    )
    for bname, bval in bounds:
        if not 0.0 <= bval <= 1.0:
            raise SpecError(f"recipe: {bname}={bval} must lie in [0, 1]")
    if not 0.0 < r.rho <= 1.0:
        raise SpecError(f"recipe: rho={r.rho} must lie in (0, 1]")
    if not 0.0 < r.geo_floor < 1.0:
        raise SpecError(f"recipe: geo_floor={r.geo_floor} must lie in (0, 1)")


def _fmt_years(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def evaluate(
    panel: EvalPanel,
    framework: EvalFramework,
    *,
    recipe: Recipe | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Evaluate the partner-city factor in the focal city's innovation.

    Years are the units. Each subsystem's indicators are normalised over all kept years
    together (pooled), weighted (entropy by default) and aggregated into a partner index
    ``U_hk`` (with one index per channel) and an innovation index ``U_sz``; then the coupling
    coordination ``C, T, D`` of the two, the grey relational grade of every channel against
    ``U_sz``, the obstacle degree of every channel, and the spread of D over every
    combination of normalisation × weighting × aggregation.

    Thin data is handled openly: indicators, years and channels are dropped or flagged and
    gaps imputed only as :class:`Recipe` says, each step recorded in ``decisions``.

    Parameters
    ----------
    panel : EvalPanel
        Sourced values (series × year).
    framework : EvalFramework
        Channels of the partner subsystem and the innovation subsystem.
    recipe : Recipe, optional
        Method choices; default :class:`Recipe()` (pooled min–max, entropy, arithmetic).
    progress : callable, optional
        Called with a short stage name as each stage starts (the CLI shows it).

    Returns
    -------
    Evaluation

    Raises
    ------
    InputError
        When too little data is left to evaluate (fewer than 3 years or an empty subsystem);
        the problems say what is missing.
    """
    r = recipe or Recipe()
    _check_recipe(r)
    say = progress or (lambda _s: None)
    decisions: list[Decision] = []

    say("coverage")
    spec = framework.indicators()
    series_all = [ind.series for _sub, _ch, ind in spec]
    wide = panel.wide().reindex(columns=series_all)
    if wide.empty:
        raise InputError([Problem(panel.label, None, None, "no values for any indicator of the framework")],
                         title="nothing to evaluate")
    sub_of = {ind.series: sub for sub, _ch, ind in spec}
    chan_of = {ind.series: ch for _sub, ch, ind in spec}
    observed = wide.notna()
    reasons: dict[str, tuple[str, str]] = {}

    # (1) indicators with fewer than two observations cannot be normalised.
    usable = [s for s in series_all if observed[s].sum() >= 2]
    for s in series_all:
        if s not in usable:
            n = int(observed[s].sum())
            reasons[s] = (f"仅有{n}个观测值（至少需要2个）", f"only {n} observation(s) (2 needed)")
            decisions.append(Decision("drop_indicator", s, f"指标 {s} 删除：仅有{n}个观测值。",
                                      f"Indicator {s} dropped: only {n} observation(s)."))

    # (2)–(4) trim years and indicators until the remaining table is covered well enough.
    kept_years, used, removed = _trim(wide, observed, usable, sub_of, r)
    drop_years = sorted(int(subj) for kind, subj, _sh in removed if kind == "year")
    if drop_years:
        decisions.append(Decision(
            "drop_year", _fmt_years(drop_years),
            f"年份 {_fmt_years(drop_years)} 不参与评价：在保留的指标中，至少一个子系统有数据的指标不足"
            f"{r.min_year_coverage:.0%}（逐步剔除覆盖最差的年份或指标，直至所有保留年份和指标都达到阈值）。",
            f"Years {_fmt_years(drop_years)} left out: in at least one subsystem fewer than "
            f"{r.min_year_coverage:.0%} of the kept indicators have data (the worst-covered year or indicator "
            "is removed one at a time until every kept year and indicator meets its threshold).",
        ))
    for kind, subj, share in removed:
        if kind == "indicator":
            reasons[subj] = (f"在保留年份中覆盖率仅{share:.0%}", f"observed in only {share:.0%} of the kept years")
            decisions.append(Decision("drop_indicator", subj,
                                      f"指标 {subj} 删除：在保留年份中仅{share:.0%}有数据（阈值{r.min_indicator_coverage:.0%}）。",
                                      f"Indicator {subj} dropped: observed in only {share:.0%} of the kept years "
                                      f"(threshold {r.min_indicator_coverage:.0%})."))
        elif kind == "constant":
            reasons[subj] = ("评价年份内取值不变", "constant over the kept years")
            decisions.append(Decision("drop_indicator", subj, f"指标 {subj} 删除：评价年份内取值不变，不含信息。",
                                      f"Indicator {subj} dropped: constant over the kept years, it carries no "
                                      "information."))
        elif kind == "gaps":
            reasons[subj] = ("有缺失且不插补", "has gaps and imputation is off")
            decisions.append(Decision("drop_indicator", subj, f"指标 {subj} 删除：有缺失值且未启用插补。",
                                      f"Indicator {subj} dropped: it has gaps and imputation is off."))
    if len(kept_years) < 3:
        raise InputError([Problem(panel.label, None, None,
                                  f"only {len(kept_years)} year(s) remain with at least {r.min_year_coverage:.0%} "
                                  "of the indicators observed in both subsystems; at least 3 are needed")],
                         title="too little data to evaluate")
    w_obs = wide.loc[kept_years]
    o_obs = observed.loc[kept_years]

    # (5) channels.
    channels_used: list[str] = []
    for ch in framework.channels:
        n = sum(1 for ind in ch.indicators if ind.series in used)
        if n == 0:
            decisions.append(Decision("drop_channel", ch.id,
                                      f"渠道「{ch.name_zh}」删除：没有可用指标。",
                                      f"Channel '{ch.name_en}' dropped: no usable indicator."))
        else:
            channels_used.append(ch.id)
            if n == 1:
                decisions.append(Decision("flag_channel", ch.id,
                                          f"渠道「{ch.name_zh}」仅有1个可用指标，其指数即该指标，解读须谨慎。",
                                          f"Channel '{ch.name_en}' has only 1 usable indicator; its index is that "
                                          "indicator alone — read with care."))
    hk_used = [s for s in used if sub_of[s] == "hk"]
    sz_used = [s for s in used if sub_of[s] == "sz"]
    problems = []
    if not hk_used:
        problems.append(Problem(panel.label, None, None, "no usable indicator in the partner (Hong Kong) subsystem"))
    if not sz_used:
        problems.append(Problem(panel.label, None, None, "no usable indicator in the innovation subsystem"))
    if problems:
        raise InputError(problems, title="too little data to evaluate")

    # (6) imputation, flagged cell by cell.
    say("imputation")
    values = w_obs[used].copy()
    imputed = values.isna()
    if imputed.to_numpy().any():
        values = values.interpolate(method="index", limit_area="inside").ffill().bfill()
        for s in used:
            yrs = [int(y) for y in imputed.index[imputed[s]]]
            if yrs:
                decisions.append(Decision("impute", s,
                                          f"指标 {s} 在 {_fmt_years(yrs)} 年缺失，已按相邻年份线性插值（端点取最近观测值）并标记。",
                                          f"Indicator {s} missing in {_fmt_years(yrs)}: filled by linear interpolation "
                                          "between observed years (nearest observed value at the ends), flagged."))

    direction = {ind.series: ind.direction for _s, _c, ind in spec}

    # Nominal run.
    say("indices")
    nominal = _run(values, hk_used, sz_used, direction, r.normalisation, r.weighting, r.aggregation, r)
    decisions.append(Decision(
        "method", "recipe",
        f"方法：{_ZH_NORM[r.normalisation]}（各年合并标准化），{_ZH_W[r.weighting]}赋权，{_ZH_AGG[r.aggregation]}聚合。",
        f"Method: {r.normalisation} normalisation pooled over the years, {r.weighting} weights, "
        f"{r.aggregation} aggregation.",
    ))

    # Channel indices (weighted mean of the channel's indicators with the subsystem weights).
    z = nominal["z"]
    w_all: dict[str, float] = nominal["w"]
    channel_index = pd.DataFrame(index=values.index)
    chan_w: dict[str, float] = {}
    for ch_id in channels_used:
        cols = [s for s in hk_used if chan_of[s] == ch_id]
        ww = np.array([w_all[s] for s in cols])
        if ww.sum() <= 0:
            ww = np.ones(len(cols))
        chan_w.update({s: float(wi / ww.sum()) for s, wi in zip(cols, ww, strict=True)})
        channel_index[ch_id] = _aggregate(z[cols].to_numpy(), ww / ww.sum(), r.aggregation, r.geo_floor)
    channel_index.index.name = "year"

    # Coupling coordination.
    say("coupling")
    u_hk = nominal["u_hk"]
    u_sz = nominal["u_sz"]
    c, t, d = _ops.coupling(u_hk, u_sz, alpha=r.alpha)
    bands = [_ops.coordination_band(float(x)) for x in d]
    ratio, rel_zh, rel_en = _ops.relative(u_hk, u_sz)
    coupling = pd.DataFrame({
        "year": values.index.astype(int),
        "U_hk": u_hk, "U_sz": u_sz, "C": c, "T": t, "D": d,
        "band": [b[0] for b in bands], "band_zh": [b[1] for b in bands], "band_en": [b[2] for b in bands],
        "ratio": ratio, "relative_zh": rel_zh, "relative_en": rel_en,
    })

    # Attribution: grey relational grades and obstacle degree.
    say("attribution")
    gg = _ops.grey_grades(u_sz, channel_index.to_numpy(), rho=r.rho)
    grey = pd.DataFrame({"channel": channels_used, "grade": gg})
    grey["rank"] = grey["grade"].rank(ascending=False, method="min").astype(int)
    w_hk = np.array([w_all[s] for s in hk_used])
    ob = _ops.obstacle(z[hk_used].to_numpy(), w_hk)
    obstacle_ind = pd.DataFrame(ob, index=values.index, columns=hk_used)
    obstacle = pd.DataFrame(index=values.index)
    for ch_id in channels_used:
        obstacle[ch_id] = obstacle_ind[[s for s in hk_used if chan_of[s] == ch_id]].sum(axis=1)

    # Robustness: every recipe variant.
    say("robustness")
    runs: list[pd.DataFrame] = []
    ranks: dict[str, list[int]] = {ch: [] for ch in channels_used}
    variants = list(itertools.product(NORMALISATIONS, WEIGHTINGS, AGGREGATIONS)) if r.robustness else [
        (r.normalisation, r.weighting, r.aggregation)]
    for norm, wt, agg in variants:
        res = _run(values, hk_used, sz_used, direction, norm, wt, agg, r)
        _c, _t, dd = _ops.coupling(res["u_hk"], res["u_sz"], alpha=r.alpha)
        runs.append(pd.DataFrame({"normalisation": norm, "weighting": wt, "aggregation": agg,
                                  "year": values.index.astype(int), "U_hk": res["u_hk"],
                                  "U_sz": res["u_sz"], "D": dd}))
        ci = np.column_stack([
            _aggregate(res["z"][[s for s in hk_used if chan_of[s] == cid]].to_numpy(),
                       _renorm([res["w"][s] for s in hk_used if chan_of[s] == cid]), agg, r.geo_floor)
            for cid in channels_used
        ])
        g = _ops.grey_grades(res["u_sz"], ci, rho=r.rho)
        rk = pd.Series(g).rank(ascending=False, method="min").astype(int).tolist()
        for ch_id, k in zip(channels_used, rk, strict=True):
            ranks[ch_id].append(int(k))
    runs_df = pd.concat(runs, ignore_index=True)
    agg_d = runs_df.groupby("year")["D"]
    agg_u = runs_df.groupby("year")["U_hk"]
    robustness = pd.DataFrame({
        "year": values.index.astype(int),
        "D": d,
        "D_min": agg_d.min().to_numpy(), "D_median": agg_d.median().to_numpy(), "D_max": agg_d.max().to_numpy(),
        "U_hk": u_hk,
        "U_hk_min": agg_u.min().to_numpy(), "U_hk_median": agg_u.median().to_numpy(),
        "U_hk_max": agg_u.max().to_numpy(),
    })
    robustness["n_variants"] = len(variants)
    grey_rob = pd.DataFrame({
        "channel": channels_used,
        "rank": grey["rank"].to_numpy(),
        "rank_min": [min(ranks[ch]) for ch in channels_used],
        "rank_max": [max(ranks[ch]) for ch in channels_used],
        "rank_mode": [_mode(ranks[ch_id]) for ch_id in channels_used],
    })

    # Coverage and indicator tables.
    say("tables")
    coverage = _coverage_table(panel, framework, wide, kept_years, used, imputed)
    ind_rows = []
    for sub, ch_id, ind in spec:
        s = ind.series
        chs = framework.channel(ch_id)
        status = "used" if s in used else "dropped"
        rz, ren = reasons.get(s, ("", ""))
        if s not in used and s in usable and not rz:
            rz, ren = ("渠道删除", "channel dropped")
        ind_rows.append({
            "series": s, "subsystem": sub, "channel": ch_id, "channel_zh": chs.name_zh, "channel_en": chs.name_en,
            "name_zh": ind.name_zh, "name_en": ind.name_en, "direction": ind.direction, "unit": ind.unit,
            "section": ind.section or chs.section,
            "n_observed": int(observed[s].sum()), "n_observed_kept": int(o_obs[s].sum()),
            "n_imputed": int(imputed[s].sum()) if s in used else 0,
            "status": status, "reason_zh": rz, "reason_en": ren,
            "weight": w_all.get(s, np.nan), "channel_weight": chan_w.get(s, np.nan) if sub == "hk" else np.nan,
        })
    indicators = pd.DataFrame(ind_rows)

    return Evaluation(
        framework=framework, panel=panel, recipe=r, years=kept_years, coverage=coverage,
        indicators=indicators, values=values, imputed=imputed, normalised=z, channel_index=channel_index,
        coupling=coupling, grey=grey, obstacle=obstacle, obstacle_indicators=obstacle_ind,
        robustness=robustness, robustness_runs=runs_df, grey_robustness=grey_rob, decisions=decisions,
    )


_ZH_NORM = {"minmax": "极差标准化", "rank": "秩标准化"}
_ZH_W = {"entropy": "熵权法", "critic": "CRITIC法", "equal": "等权"}
_ZH_AGG = {"arithmetic": "加权算术平均", "geometric": "加权几何平均"}


def _select(wide: pd.DataFrame, observed: pd.DataFrame, cols: list[str], sub_of: dict[str, str],
            r: Recipe) -> tuple[list[str], list[tuple[str, str, float]], bool]:
    """Indicators kept in a window and whether every year of the window is covered well enough."""
    o = observed[cols]
    removed: list[tuple[str, str, float]] = []
    inds = []
    for s in cols:
        share = float(o[s].mean())
        vals = wide[s].dropna()
        if share < r.min_indicator_coverage:
            removed.append(("indicator", s, share))
        elif len(vals) < 2 or float(vals.max() - vals.min()) == 0.0:
            removed.append(("constant", s, float("nan")))
        elif r.impute == "none" and not bool(o[s].all()):
            removed.append(("gaps", s, float("nan")))
        else:
            inds.append(s)
    ok = True
    for sub in ("hk", "sz"):
        sc = [s for s in inds if sub_of[s] == sub]
        if not sc or bool((o[sc].mean(axis=1) < r.min_year_coverage).any()):
            ok = False
    return inds, removed, ok


def _trim(wide: pd.DataFrame, observed: pd.DataFrame, usable: list[str], sub_of: dict[str, str],
          r: Recipe) -> tuple[list[int], list[str], list[tuple[str, str, float]]]:
    """Choose the span of consecutive years and the indicators the evaluation uses.

    For every span of at least 3 consecutive years, an indicator is kept when it is observed
    in at least ``min_indicator_coverage`` of the span's years and varies within the span;
    the span qualifies when, in every year, each subsystem has at least
    ``min_year_coverage`` of its kept indicators observed. The qualifying span with the most
    observed cells wins (ties: more years, then the most recent). Returns the years, the
    indicators and the removals ``(kind, subject, share)``. When no span qualifies, the
    years are empty.
    """
    years_all = [int(y) for y in wide.index]
    best: tuple[tuple[int, int, int], list[int], list[str], list[tuple[str, str, float]]] | None = None
    for a in range(len(years_all)):
        for b in range(a + 2, len(years_all)):
            span = years_all[a:b + 1]
            if span[-1] - span[0] != len(span) - 1:
                continue  # wide has a row for every year with data; a hole means no data at all
            inds, removed, ok = _select(wide.loc[span], observed.loc[span], usable, sub_of, r)
            if not ok:
                continue
            score = (int(observed.loc[span, inds].to_numpy().sum()), len(span), span[-1])
            if best is None or score > best[0]:
                best = (score, span, inds, removed)
    if best is None:
        return [], [], []
    return best[1], best[2], best[3]


def _mode(values: list[int]) -> int:
    """Most frequent value; the smallest on a tie."""
    return min(set(values), key=lambda k: (-values.count(k), k))


def _renorm(w: list[float]) -> np.ndarray:
    a = np.asarray(w, dtype=float)
    return a / a.sum() if a.sum() > 0 else np.full(len(a), 1.0 / len(a))


def _normalise(x: np.ndarray, direction: np.ndarray, method: str) -> np.ndarray:
    if method == "minmax":
        return _ops.minmax_pooled(x, direction)
    # rank: average ranks over the years scaled to [0, 1]; reversed for cost indicators.
    r = pd.DataFrame(x).rank(axis=0, method="average").to_numpy()
    n = x.shape[0]
    z = (r - 1.0) / (n - 1.0)
    return np.where(direction > 0, z, 1.0 - z)


def _aggregate(z: np.ndarray, w: np.ndarray, method: str, floor: float) -> np.ndarray:
    if method == "arithmetic":
        return np.asarray(z @ w, dtype=float)
    return np.asarray(np.exp(np.log(np.maximum(z, floor)) @ w), dtype=float)


def _run(values: pd.DataFrame, hk: list[str], sz: list[str], direction: dict[str, int],
         norm: str, weighting: str, agg: str, r: Recipe) -> dict:
    """One replay of normalise → weight → aggregate for both subsystems."""
    cols = hk + sz
    x = values[cols].to_numpy(dtype=float)
    dirs = np.array([direction[s] for s in cols], dtype=float)
    z = pd.DataFrame(_normalise(x, dirs, norm), index=values.index, columns=cols)
    w: dict[str, float] = {}
    out: dict = {"z": z, "w": w}
    for key, group in (("u_hk", hk), ("u_sz", sz)):
        zz = z[group].to_numpy()
        ww = _ops.weights(zz, weighting)
        w.update({s: float(v) for s, v in zip(group, ww, strict=True)})
        out[key] = _aggregate(zz, ww, agg, r.geo_floor)
    return out


def _coverage_table(panel: EvalPanel, fw: EvalFramework, wide: pd.DataFrame, kept: list[int],
                    used: list[str], imputed: pd.DataFrame) -> pd.DataFrame:
    prov: dict[tuple[str, int], tuple[str, str, str]] = {
        (str(a), int(b)): (str(c), str(d), str(e))
        for a, b, c, d, e in panel.cells[["series", "year", "grade", "source_id", "observation_id"]].itertuples(
            index=False)
    }
    rows = []
    for sub, ch, ind in fw.indicators():
        s = ind.series
        for y in wide.index:
            y = int(y)
            has = bool(wide[s].notna().get(y, False))
            grade = src = obs = ""
            if has:
                grade, src, obs = prov.get((s, y), ("", "", ""))
            if has:
                status = "observed"
            elif s in used and y in kept and bool(imputed.loc[y, s]):
                status = "imputed"
            else:
                status = "missing"
            rows.append({"series": s, "subsystem": sub, "channel": ch, "year": y, "status": status,
                         "grade": grade, "source_id": src, "observation_id": obs,
                         "in_analysis": bool(s in used and y in kept)})
    return pd.DataFrame(rows)
