"""``evaluate``: coverage → indices → coupling coordination → attribution → robustness."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.engine import kernels
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
        ("grey_preprocessing", r.grey_preprocessing, ("mean", "initial", "minmax")),
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
    if r.mc_replications < 1:
        raise SpecError(f"recipe: mc_replications={r.mc_replications} must be at least 1")
    if not 0.0 <= r.weight_noise < 1.0:
        raise SpecError(f"recipe: weight_noise={r.weight_noise} must lie in [0, 1)")
    if not 0.0 <= r.entropy_shift < 1.0:
        raise SpecError(f"recipe: entropy_shift={r.entropy_shift} must lie in [0, 1)")
    if not r.grey_rhos or not all(0.0 < x <= 1.0 for x in r.grey_rhos):
        raise SpecError(f"recipe: grey_rhos={r.grey_rhos} must be values in (0, 1]")
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
    decisions: list[Decision] = [Decision(*d) for d in panel.input_decisions]

    say("coverage")
    spec = framework.indicators()
    series_all = [ind.series for _sub, _ch, ind in spec]
    wide = panel.wide().reindex(columns=series_all)
    if wide.empty:
        raise InputError([Problem(panel.label, None, None, "no values for any indicator of the framework")],
                         title="nothing to evaluate")
    bad_cells = [(s, y, v) for s in wide.columns for y, v in wide[s].items()
                 if pd.notna(v) and not np.isfinite(float(v))]
    if bad_cells:
        raise InputError([Problem(panel.label, None, s, f"{y}: value {v!r} is not a finite number")
                          for s, y, v in bad_cells], title="invalid data")
    sub_of = {ind.series: sub for sub, _ch, ind in spec}
    chan_of = {ind.series: ch for _sub, ch, ind in spec}
    observed = wide.notna()
    reasons: dict[str, tuple[str, str]] = {}

    # (1) indicators with fewer than two observations cannot be normalised.
    usable = [s for s in series_all if observed[s].sum() >= 2]
    few = [s for s in series_all if s not in usable]
    for s in few:
        n = int(observed[s].sum())
        reasons[s] = (f"仅有{n}个年度观测值（至少需要2个）", f"only {n} yearly observation(s) (2 needed)")
    if few:
        listed = ", ".join(f"{s} ({int(observed[s].sum())})" for s in few)
        decisions.append(Decision(
            "drop_indicator", ", ".join(few),
            f"{len(few)} 个指标删除：年度观测值少于2个，无法标准化 —— {listed}。",
            f"{len(few)} indicator(s) dropped: fewer than 2 yearly observations, nothing to normalise — {listed}.",
        ))

    # (2)–(4) choose the span of consecutive years and the indicators covered well enough in it.
    kept_years, used, removed = _trim(wide, observed, usable, sub_of, r)
    if len(kept_years) < 3:
        raise InputError([Problem(panel.label, None, None,
                                  "no span of 3 or more consecutive years has, in every year, at least "
                                  f"{r.min_year_coverage:.0%} of each subsystem's indicators observed (indicators "
                                  f"kept when observed in at least {r.min_indicator_coverage:.0%} of the span)")],
                         title="too little data to evaluate")
    all_years = [int(y) for y in wide.index]
    if kept_years != all_years:
        yc, ic = f"{r.min_year_coverage:.0%}", f"{r.min_indicator_coverage:.0%}"
        decisions.append(Decision(
            "drop_year", f"{kept_years[0]}–{kept_years[-1]}",
            f"评价时段为 {kept_years[0]}–{kept_years[-1]} 年（数据年份 {all_years[0]}–{all_years[-1]}），其余年份不参与评价。"
            f"规则：对每一段至少3个连续年份，先保留在该段内至少{ic}的年份有观测值且取值有变化的指标；若该段每一年、"
            f"每个子系统都有至少{yc}的保留指标有观测值，该段即合格；合格各段中取观测值最多的一段（同数取年份多、再取较近的）。"
            "时段与指标是一同选出的——指标按时段保留，时段又按保留的指标判定——规则因此带有循环性：换一段年份，保留的指标也会不同。",
            f"Evaluated years: {kept_years[0]}–{kept_years[-1]} (data span {all_years[0]}–{all_years[-1]}); other "
            f"years are left out. Rule: for every run of at least 3 consecutive years, the indicators observed in at "
            f"least {ic} of the run's years (and not constant in it) are kept; the run qualifies when in every year "
            f"each subsystem has at least {yc} of those kept indicators observed; of the qualifying runs the one with "
            "the most observed cells wins (ties: more years, then the most recent). Span and indicators are chosen "
            "together — indicators are kept for a span and the span is judged on the kept indicators — so the rule "
            "is circular: a different span would keep different indicators.",
        ))
    groups: dict[str, list[str]] = {}
    for kind, subj, share in removed:
        if kind == "indicator":
            reasons[subj] = (f"评价时段内仅{share:.0%}的年份有数据", f"observed in only {share:.0%} of the evaluated years")
            groups.setdefault("indicator", []).append(f"{subj} ({share:.0%})")
        elif kind == "constant":
            reasons[subj] = ("评价时段内取值不变", "constant over the evaluated years")
            groups.setdefault("constant", []).append(subj)
        elif kind == "gaps":
            reasons[subj] = ("有缺失且不插补", "has gaps and imputation is off")
            groups.setdefault("gaps", []).append(subj)
    if "indicator" in groups:
        g = ", ".join(groups["indicator"])
        decisions.append(Decision(
            "drop_indicator", g,
            f"{len(groups['indicator'])} 个指标删除：评价时段内有数据的年份不足{r.min_indicator_coverage:.0%} —— {g}。",
            f"{len(groups['indicator'])} indicator(s) dropped: observed in fewer than "
            f"{r.min_indicator_coverage:.0%} of the evaluated years — {g}.",
        ))
    if "constant" in groups:
        g = ", ".join(groups["constant"])
        decisions.append(Decision("drop_indicator", g, f"指标删除：评价时段内取值不变，不含信息 —— {g}。",
                                  f"Indicator(s) dropped: constant over the evaluated years, no information — {g}."))
    if "gaps" in groups:
        g = ", ".join(groups["gaps"])
        decisions.append(Decision("drop_indicator", g, f"指标删除：有缺失值且未启用插补 —— {g}。",
                                  f"Indicator(s) dropped: gaps and imputation is off — {g}."))
    if panel.breaks is not None and not panel.breaks.empty:
        for br in panel.breaks.to_dict("records"):
            yb = int(br["year"])
            if br["series"] in used and kept_years[0] < yb <= kept_years[-1]:
                decisions.append(Decision(
                    "break", str(br["series"]),
                    f"指标 {br['series']} 在 {yb} 年有已声明的统计口径变化（{br['id']}：{br['description_zh']}），"
                    "前后数值不完全可比；未作调整，仅标记。",
                    f"Indicator {br['series']} has a declared break in {yb} ({br['id']}: {br['description_en']}); "
                    "values before and after are not strictly comparable — flagged, not adjusted.",
                ))
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
    values, filled, fill_from = _fill(wide, used, kept_years)
    imputed = filled != ""
    decisions += _fill_decisions(filled, fill_from, kept_years, panel.breaks)
    qualifier = _qualifiers(panel, used, kept_years)
    decisions += _approximate_decisions(qualifier)

    direction = {ind.series: ind.direction for _s, _c, ind in spec}

    # Nominal run.
    say("indices")
    nominal = _run(values, hk_used, sz_used, direction, r.normalisation, r.weighting, r.aggregation, r)
    for key in nominal["fallback"]:
        sub_zh, sub_en = ("香港因素", "partner factor") if key == "u_hk" else ("创新", "innovation")
        decisions.append(Decision(
            "method", f"weights {key}",
            f"{sub_zh}子系统的{_ZH_W[r.weighting]}权重在此数据上无定义（指标完全相关或无变化），改用等权。",
            f"{r.weighting} weights are undefined for the {sub_en} subsystem on these data (columns perfectly "
            "correlated or constant); equal weights used instead.",
        ))
    decisions.append(Decision(
        "method", "recipe",
        f"方法：{_ZH_NORM[r.normalisation]}（各年合并标准化），{_ZH_W[r.weighting]}赋权，{_ZH_AGG[r.aggregation]}聚合。",
        f"Method: {r.normalisation} normalisation pooled over the years, {r.weighting} weights, "
        f"{r.aggregation} aggregation.",
    ))
    if r.aggregation == "geometric" or r.robustness:
        where_zh = "名义方案" if r.aggregation == "geometric" else "稳健性检验中的几何平均组合"
        where_en = "the nominal run" if r.aggregation == "geometric" else "the geometric variants of the robustness grid"
        decisions.append(Decision(
            "method", "geometric",
            f"几何平均（{where_zh}）：极差与秩标准化都会产生0，而0会使几何平均整体为0；因此聚合前把标准化值线性映射到"
            f"[{r.geo_floor:g}, 1]（z′ = {r.geo_floor:g} + {1 - r.geo_floor:g}·z，即极差标准化到 [{r.geo_floor:g}, 1]），"
            "不截断、不设下限；权重仍按 [0, 1] 上的标准化值计算。",
            f"Geometric mean ({where_en}): min–max and rank normalisation both give zeros, and a zero annihilates a "
            f"geometric mean; so before aggregating, the normalised values are mapped linearly onto "
            f"[{r.geo_floor:g}, 1] (z′ = {r.geo_floor:g} + {1 - r.geo_floor:g}·z, i.e. min–max to "
            f"[{r.geo_floor:g}, 1]) — a zero-free normalisation, nothing clipped or floored; weights are still "
            "computed on the values in [0, 1].",
        ))
    decisions += _construct_decisions(framework, hk_used, chan_of)

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
    c_w, _t_w, d_w = _ops.coupling(u_hk, u_sz, alpha=r.alpha, variant="wang2021")
    hk_mask = np.array([s in hk_used for s in used])
    carried = (filled == "carried").to_numpy()
    interp = (filled == "interpolated").to_numpy()
    bands = [_ops.coordination_band(float(x)) for x in d]
    ratio, rel_zh, rel_en = _ops.relative(u_hk, u_sz)
    coupling = pd.DataFrame({
        "year": values.index.astype(int),
        "U_hk": u_hk, "U_sz": u_sz, "C": c, "T": t, "D": d,
        "band": [b[0] for b in bands], "band_zh": [b[1] for b in bands], "band_en": [b[2] for b in bands],
        "ratio": ratio, "relative_zh": rel_zh, "relative_en": rel_en,
        "C_wang2021": c_w, "D_wang2021": d_w,
        "n_interpolated": interp.sum(axis=1), "n_carried": carried.sum(axis=1),
        "n_interpolated_hk": interp[:, hk_mask].sum(axis=1), "n_carried_hk": carried[:, hk_mask].sum(axis=1),
        "n_approximate": (qualifier.reindex(index=values.index, columns=used).fillna("") != "").to_numpy().sum(axis=1),
    })
    decisions += _coupling_decisions(coupling)

    # Attribution: grey relational grades and obstacle degree.
    say("attribution")
    gg = _ops.grey_grades(u_sz, channel_index.to_numpy(), rho=r.rho, preprocessing=r.grey_preprocessing)
    grey = pd.DataFrame({"channel": channels_used, "grade": gg})
    grey["rank"] = grey["grade"].rank(ascending=False, method="min").astype(int)
    grey["diff_corr"] = [_diff_corr(channel_index[ch].to_numpy(), u_sz) for ch in channels_used]
    grey_settings = _grey_settings(u_sz, channel_index, channels_used, r, decisions)
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
    fallbacks: list[str] = []
    for norm, wt, agg in variants:
        res = _run(values, hk_used, sz_used, direction, norm, wt, agg, r)
        fallbacks += [f"{norm}/{wt}/{agg} ({'U_hk' if k == 'u_hk' else 'U_sz'})" for k in res["fallback"]]
        _c, _t, dd = _ops.coupling(res["u_hk"], res["u_sz"], alpha=r.alpha)
        runs.append(pd.DataFrame({"normalisation": norm, "weighting": wt, "aggregation": agg,
                                  "year": values.index.astype(int), "U_hk": res["u_hk"],
                                  "U_sz": res["u_sz"], "D": dd}))
        ci = np.column_stack([
            _aggregate(res["z"][[s for s in hk_used if chan_of[s] == cid]].to_numpy(),
                       _renorm([res["w"][s] for s in hk_used if chan_of[s] == cid]), agg, r.geo_floor)
            for cid in channels_used
        ])
        gv = _ops.grey_grades(res["u_sz"], ci, rho=r.rho, preprocessing=r.grey_preprocessing)
        rk = pd.Series(gv).rank(ascending=False, method="min").astype(int).tolist()
        for ch_id, k in zip(channels_used, rk, strict=True):
            ranks[ch_id].append(int(k))
    runs_df = pd.concat(runs, ignore_index=True)
    if r.robustness and fallbacks:
        listed = ", ".join(dict.fromkeys(fallbacks))
        decisions.append(Decision(
            "method", "robustness",
            f"稳健性检验中，以下方法组合的权重无定义（指标完全相关或无变化），改用等权：{listed}。",
            f"In the robustness runs these variants have undefined weights (columns perfectly correlated or "
            f"constant) and use equal weights instead: {listed}.",
        ))
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

    robustness["D_wang2021"] = d_w
    loo, loo_runs = _leave_one_out(values, hk_used, sz_used, channels_used, chan_of, direction, d, r)
    if r.robustness and not loo.empty:
        top = loo.sort_values(["D_max_abs_change", "series"], ascending=[False, True]).iloc[0]
        n_rc = int(loo["rank_changed"].sum())
        decisions.append(Decision(
            "method", "leave one out",
            f"逐一剔除指标（{len(loo)} 次）：D 的最大变化为 {top['D_max_abs_change']:.3f}（剔除 {top['series']}，"
            f"{int(top['D_change_year'])} 年）；{n_rc} 次剔除改变了渠道灰色关联度的排序。",
            f"Leave one indicator out ({len(loo)} runs): the largest change of D is {top['D_max_abs_change']:.3f} "
            f"(without {top['series']}, {int(top['D_change_year'])}); {n_rc} of the runs change the order of the "
            "channels' grey grades.",
        ))
    gs = grey_settings.dropna(subset=["rank"]).groupby("channel")
    grey_rob["settings_rank_min"] = grey_rob["channel"].map(gs["rank"].min())
    grey_rob["settings_rank_max"] = grey_rob["channel"].map(gs["rank"].max())
    grey_rob["settings_grade_min"] = grey_rob["channel"].map(gs["grade"].min())
    grey_rob["settings_grade_max"] = grey_rob["channel"].map(gs["grade"].max())
    loo_ranks: dict[str, list[int]] = {ch: [] for ch in channels_used}
    for ranking in loo["ranks"].astype(str):
        for part in ranking.split():
            ch_name, _sep, rank_txt = part.rpartition(":")
            if ch_name in loo_ranks:
                loo_ranks[ch_name].append(int(rank_txt))
    grey_rob["loo_rank_min"] = [min(loo_ranks[ch], default=np.nan) for ch in channels_used]
    grey_rob["loo_rank_max"] = [max(loo_ranks[ch], default=np.nan) for ch in channels_used]

    # Monte Carlo through the robustness engine: normalisation × noise on the weights.
    index_ = _engine_index(values, hk_used, sz_used, direction, w_all, r)
    mc = _monte_carlo(index_, r, decisions) if r.robustness and index_ is not None else None
    if mc is not None:
        robustness = robustness.merge(mc, on="year", how="left")

    # Coverage and indicator tables.
    say("tables")
    coverage = _coverage_table(panel, framework, wide, kept_years, used, filled)
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
            "link": ind.link,
            "section": ind.section or chs.section,
            "n_observed": int(observed[s].sum()), "n_observed_kept": int(o_obs[s].sum()),
            "n_imputed": int(imputed[s].sum()) if s in used else 0,
            "n_carried": int((filled[s] == "carried").sum()) if s in used else 0,
            "n_approximate": int((qualifier[s] != "").sum()) if s in used and s in qualifier else 0,
            "status": status, "reason_zh": rz, "reason_en": ren,
            "weight": w_all.get(s, np.nan), "channel_weight": chan_w.get(s, np.nan) if sub == "hk" else np.nan,
        })
    indicators = pd.DataFrame(ind_rows)

    return Evaluation(
        framework=framework, panel=panel, recipe=r, years=kept_years, coverage=coverage,
        indicators=indicators, values=values, imputed=imputed, normalised=z, channel_index=channel_index,
        coupling=coupling, grey=grey, obstacle=obstacle, obstacle_indicators=obstacle_ind,
        robustness=robustness, robustness_runs=runs_df, grey_robustness=grey_rob, decisions=decisions,
        index_=index_, filled=filled, grey_settings=grey_settings, loo=loo, loo_runs=loo_runs,
    )


def _monte_carlo(index: Any, r: Recipe, decisions: list[Decision]) -> pd.DataFrame | None:
    """Uncertainty of U_hk, U_sz and D by :func:`hkfactor.robustness.uncertainty`.

    Uncertain inputs: the normalisation (min–max or percentile rank, equiprobable) and
    ±``weight_noise`` relative noise on every indicator weight (COINr ``get_noisy_weights``);
    ``mc_replications`` draws with a fixed ``seed`` (so the report is reproducible). Both
    subsystems are analysed with the same design, so each replication gives one D.
    Returns per year the 5 %, 50 % and 95 % quantiles of D and U_hk.
    """
    from hkfactor.robustness import Alternative, UncertainInput, WeightNoise, uncertainty

    spec: list[UncertainInput | WeightNoise] = [
        UncertainInput("normalise", None, (Alternative("minmax", {"l_u": [0.0, 1.0]}), Alternative("prank", {})),
                       name="normalisation"),
        WeightNoise(levels=(1,), factor=r.weight_noise, name="weights"),
    ]
    res_hk = uncertainty(index, spec, n=r.mc_replications, seed=r.seed, column="HK")
    res_sz = uncertainty(index, spec, n=r.mc_replications, seed=r.seed, column="SZ")
    u_hk, u_sz = res_hk.scores, res_sz.scores
    ok = np.isfinite(u_hk).all(axis=1) & np.isfinite(u_sz).all(axis=1)
    n_failed = int((~ok).sum())
    _c, _t, d = _ops.coupling(u_hk[ok].ravel(), u_sz[ok].ravel(), alpha=r.alpha)
    d = d.reshape(-1, u_hk.shape[1])
    decisions.append(Decision(
        "method", "monte carlo",
        f"蒙特卡洛稳健性（hkfactor.robustness）：标准化方法（极差或百分位秩）随机选取，各指标权重上下浮动±{r.weight_noise:.0%}，"
        f"共 {r.mc_replications} 次（随机种子 {r.seed}）" + (f"，其中 {n_failed} 次失败已剔除" if n_failed else "") + "。",
        f"Monte Carlo robustness (hkfactor.robustness): normalisation drawn from min–max or percentile rank, "
        f"every indicator weight moved by up to ±{r.weight_noise:.0%}, {r.mc_replications} replications "
        f"(seed {r.seed})" + (f"; {n_failed} failed and are left out" if n_failed else "") + ".",
    ))
    if not ok.any():
        return None
    years = [int(u) for u in res_hk.units]
    q = np.quantile(d, [0.05, 0.5, 0.95], axis=0)
    qu = np.quantile(u_hk[ok], [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame({"year": years, "D_mc_q05": q[0], "D_mc_median": q[1], "D_mc_q95": q[2],
                         "U_hk_mc_q05": qu[0], "U_hk_mc_median": qu[1], "U_hk_mc_q95": qu[2],
                         "mc_replications": int(ok.sum())})


def _engine_index(values: pd.DataFrame, hk: list[str], sz: list[str], direction: dict[str, int],
                  w: dict[str, float], r: Recipe) -> Any:
    """The nominal run as a :class:`hkfactor.engine.Index` (years as units), for what-if analysis.

    Framework ``INDEX → {HK, SZ} → indicators``; recipe: the pooled normalisation and the
    aggregation with the subsystem weights found above (as manual weights). Its ``HK`` and
    ``SZ`` scores equal ``U_hk`` and ``U_sz`` of the arithmetic recipe. ``None`` for a
    geometric recipe (the engine's geometric mean needs strictly positive values).
    """
    from hkfactor.engine import Element, Framework, Index, Step
    from hkfactor.engine import Recipe as EngineRecipe

    if r.aggregation != "arithmetic":
        return None
    els = [Element("INDEX", None, name="Index"), Element("HK", "INDEX", name="Hong Kong factor"),
           Element("SZ", "INDEX", name="Innovation")]
    els += [Element(s, "HK", direction=direction[s], weight=w[s]) for s in hk]
    els += [Element(s, "SZ", direction=direction[s], weight=w[s]) for s in sz]
    data = values[hk + sz].copy()
    data.insert(0, "uCode", [str(int(y)) for y in data.index])
    norm = Step("normalise", "minmax", {"l_u": [0.0, 1.0]}) if r.normalisation == "minmax" else Step(
        "normalise", "prank", {})
    return Index(Framework(els), data.reset_index(drop=True), EngineRecipe([norm, Step("aggregate", "amean", {})]),
                 file="evaluation")


_ZH_NORM = {"minmax": "极差标准化", "rank": "秩标准化"}
_ZH_W = {"entropy": "熵权法", "critic": "CRITIC法", "equal": "等权"}
_ZH_AGG = {"arithmetic": "加权算术平均", "geometric": "加权几何平均"}


def _select(x: np.ndarray, o: np.ndarray, is_hk: np.ndarray, r: Recipe) -> tuple[np.ndarray, np.ndarray, bool]:
    """For one span (rows of ``x``/``o``): kept-indicator mask, reason codes, and whether it qualifies.

    Reason codes per indicator: 0 kept, 1 low coverage, 2 constant, 3 gaps without imputation.
    """
    share = o.mean(axis=0)
    nobs = o.sum(axis=0)
    with np.errstate(all="ignore"):
        hi = np.where(o, x, -np.inf).max(axis=0)
        lo = np.where(o, x, np.inf).min(axis=0)
    reason = np.zeros(x.shape[1], dtype=int)
    reason[share < r.min_indicator_coverage] = 1
    reason[(reason == 0) & ((nobs < 2) | (hi - lo <= 0))] = 2
    if r.impute == "none":
        reason[(reason == 0) & (nobs < o.shape[0])] = 3
    keep = reason == 0
    ok = True
    for mask in (is_hk, ~is_hk):
        sel = keep & mask
        if not sel.any() or bool((o[:, sel].mean(axis=1) < r.min_year_coverage).any()):
            ok = False
    return keep, reason, ok


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
    if not usable:
        return [], [], []
    years_all = np.array([int(y) for y in wide.index])
    x = wide[usable].to_numpy(dtype=float)
    o = observed[usable].to_numpy(dtype=bool)
    is_hk = np.array([sub_of[s] == "hk" for s in usable])
    best: tuple[tuple[int, int, int], int, int] | None = None
    n = len(years_all)
    for a in range(n):
        for b in range(a + 2, n):
            if years_all[b] - years_all[a] != b - a:
                break  # a year without any data breaks the run of consecutive years
            keep, _reason, ok = _select(x[a:b + 1], o[a:b + 1], is_hk, r)
            if not ok:
                continue
            score = (int(o[a:b + 1][:, keep].sum()), b - a + 1, int(years_all[b]))
            if best is None or score > best[0]:
                best = (score, a, b)
    if best is None:
        return [], [], []
    _score, a, b = best
    keep, reason, _ok = _select(x[a:b + 1], o[a:b + 1], is_hk, r)
    share = o[a:b + 1].mean(axis=0)
    kinds = {1: "indicator", 2: "constant", 3: "gaps"}
    removed = [(kinds[int(reason[j])], s, float(share[j]) if reason[j] == 1 else float("nan"))
               for j, s in enumerate(usable) if reason[j]]
    return [int(y) for y in years_all[a:b + 1]], [s for j, s in enumerate(usable) if keep[j]], removed


def _mode(values: list[int]) -> int:
    """Most frequent value; the smallest on a tie."""
    return min(set(values), key=lambda k: (-values.count(k), k))


def _renorm(w: list[float]) -> np.ndarray:
    a = np.asarray(w, dtype=float)
    return a / a.sum() if a.sum() > 0 else np.full(len(a), 1.0 / len(a))


def _normalise(x: np.ndarray, direction: np.ndarray, method: str) -> np.ndarray:
    """Pooled normalisation over the years with the engine's kernels, into [0, 1].

    ``minmax``: COINr ``n_minmax`` with ``l_u = (0, 1)``; ``rank``: percentile rank
    (``prank``). Cost indicators are reversed first (the engine multiplies by the direction).
    """
    if method == "minmax":
        return kernels.normalise(x, "minmax", directions=direction, l_u=(0.0, 1.0))
    return kernels.normalise(x, "prank", directions=direction)


def _aggregate(z: np.ndarray, w: np.ndarray, method: str, floor: float) -> np.ndarray:
    """Weighted arithmetic (``amean``) or geometric (``gmean``) mean, engine kernels.

    For the geometric mean the values in [0, 1] are first mapped linearly onto
    ``[floor, 1]`` (``floor + (1 - floor)·z``): a zero-free normalisation, nothing clipped.
    """
    if method == "arithmetic":
        return kernels.aggregate(z, w, "amean")
    return kernels.aggregate(floor + (1.0 - floor) * z, w, "gmean")


def _run(values: pd.DataFrame, hk: list[str], sz: list[str], direction: dict[str, int],
         norm: str, weighting: str, agg: str, r: Recipe) -> dict:
    """One replay of normalise → weight → aggregate for both subsystems."""
    cols = hk + sz
    x = values[cols].to_numpy(dtype=float)
    dirs = np.array([direction[s] for s in cols], dtype=float)
    z = pd.DataFrame(_normalise(x, dirs, norm), index=values.index, columns=cols)
    w: dict[str, float] = {}
    out: dict = {"z": z, "w": w, "fallback": []}
    for key, group in (("u_hk", hk), ("u_sz", sz)):
        zz = z[group].to_numpy()
        try:
            ww = _ops.weights(zz, weighting, entropy_shift=r.entropy_shift)
        except InputError:
            # e.g. CRITIC on perfectly correlated columns: the weights are undefined
            ww = np.full(len(group), 1.0 / len(group))
            out["fallback"].append(key)
        w.update({s: float(v) for s, v in zip(group, ww, strict=True)})
        out[key] = _aggregate(zz, ww, agg, r.geo_floor)
    return out


def _coverage_table(panel: EvalPanel, fw: EvalFramework, wide: pd.DataFrame, kept: list[int],
                    used: list[str], filled: pd.DataFrame) -> pd.DataFrame:
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
            elif s in used and y in kept and filled.loc[y, s]:
                status = str(filled.loc[y, s])
            else:
                status = "missing"
            rows.append({"series": s, "subsystem": sub, "channel": ch, "year": y, "status": status,
                         "grade": grade, "source_id": src, "observation_id": obs,
                         "in_analysis": bool(s in used and y in kept)})
    return pd.DataFrame(rows)


#: Report marks of filled cells: interpolated and carried.
MARK_INTERPOLATED = "*"
MARK_CARRIED = "†"


def _fill(wide: pd.DataFrame, used: list[str], kept: list[int]) -> tuple[
        pd.DataFrame, pd.DataFrame, dict[tuple[str, int], tuple[int, ...]]]:
    """Fill the gaps of the used series inside the kept years, openly.

    Linear interpolation (in the year) runs on each series' *full* observed history, so an
    observation outside the evaluated years still brackets a gap inside them; the kept years
    are cut afterwards. A year before the series' first or after its last observation cannot
    be interpolated: it carries the nearest observed value and is labelled ``carried``.

    Returns the values, the fill labels (``""``, ``"interpolated"``, ``"carried"``) and, per
    filled cell, the observed years it comes from (two for interpolation, one for a carry).
    """
    full = wide[used].astype(float)
    span = full.loc[kept]
    filled = pd.DataFrame("", index=span.index, columns=used)
    info: dict[tuple[str, int], tuple[int, ...]] = {}
    if not span.isna().to_numpy().any():
        return span.copy(), filled, info
    values = full.interpolate(method="index", limit_area="inside").loc[kept].copy()
    years_full = np.array([int(y) for y in full.index])
    x_full = full.to_numpy(dtype=float)
    x_span = span.to_numpy(dtype=float)
    x_out = values.to_numpy(dtype=float, copy=True)
    labels = filled.to_numpy(dtype=object, copy=True)
    for j, s in enumerate(used):
        obs = ~np.isnan(x_full[:, j])
        obs_years = years_full[obs]
        for i, y in enumerate(kept):
            if not np.isnan(x_span[i, j]):
                continue
            before, after = obs_years[obs_years < y], obs_years[obs_years > y]
            if len(before) and len(after):
                labels[i, j] = "interpolated"
                info[(s, y)] = (int(before[-1]), int(after[0]))
            else:
                src = int(before[-1]) if len(before) else int(after[0])
                x_out[i, j] = x_full[years_full == src, j][0]
                labels[i, j] = "carried"
                info[(s, y)] = (src,)
    values = pd.DataFrame(x_out, index=span.index, columns=used)
    filled = pd.DataFrame(labels, index=span.index, columns=used)
    return values, filled, info


def _fill_decisions(filled: pd.DataFrame, info: dict[tuple[str, int], tuple[int, ...]],
                    kept: list[int], breaks: pd.DataFrame | None = None) -> list[Decision]:
    """One ``impute`` decision per interpolated series and one ``carry`` decision per carried series.

    An interpolation that bridges a declared break of its series (observed years on both
    sides of the break year) says so.
    """
    out: list[Decision] = []
    lo, hi = kept[0], kept[-1]
    break_years: dict[str, list[int]] = {}
    if breaks is not None and not breaks.empty:
        for ser, yb in zip(breaks["series"].astype(str), breaks["year"], strict=True):
            break_years.setdefault(ser, []).append(int(yb))
    for s in filled.columns:
        cells = [(int(y), info[(s, int(y))]) for y in filled.index if filled.loc[y, s] == "interpolated"]
        if cells:
            listed = ", ".join(f"{y} ({a}–{b})" for y, (a, b) in cells)
            outside = sorted({v for _y, ab in cells for v in ab if v < lo or v > hi})
            o_zh = f"；其中用到评价时段以外的观测值（{_fmt_years(outside)} 年）" if outside else ""
            o_en = f"; this uses observations outside the evaluated years ({_fmt_years(outside)})" if outside else ""
            bridged = sorted({yb for _y, (a, b) in cells for yb in break_years.get(str(s), []) if a < yb <= b})
            if bridged:
                o_zh += f"；插值跨越了已声明的口径变化（{_fmt_years(bridged)} 年），前后数值不完全可比"
                o_en += f"; the interpolation bridges a declared break ({_fmt_years(bridged)}), values on either side are not strictly comparable"
            out.append(Decision(
                "impute", s,
                f"指标 {s} 在 {listed} 年缺失：按该指标全部观测值在前后两个观测年份之间线性插值（括号内为所用的观测年份）{o_zh}，"
                f"表中以 {MARK_INTERPOLATED} 标记。",
                f"Indicator {s} missing in {listed}: filled by linear interpolation between the observed years in "
                f"brackets, on the series' full history{o_en}; marked {MARK_INTERPOLATED}.",
            ))
        carried = [(int(y), info[(s, int(y))][0]) for y in filled.index if filled.loc[y, s] == "carried"]
        if carried:
            fwd = [(y, a) for y, a in carried if a < y]
            back = [(y, a) for y, a in carried if a > y]
            zh_parts, en_parts = [], []
            if fwd:
                src = fwd[0][1]
                zh_parts.append(f"{_fmt_years([y for y, _a in fwd])} 年沿用 {src} 年（最后一个观测值）的数值")
                en_parts.append(f"{_fmt_years([y for y, _a in fwd])} carried forward from {src} (its last observation)")
            if back:
                src = back[0][1]
                zh_parts.append(f"{_fmt_years([y for y, _a in back])} 年沿用 {src} 年（第一个观测值）的数值")
                en_parts.append(f"{_fmt_years([y for y, _a in back])} carried back from {src} (its first observation)")
            out.append(Decision(
                "carry", s,
                f"指标 {s}：{'；'.join(zh_parts)}——这是平推，不是插值（该年份在序列的观测范围之外，无法插值），"
                f"在该年份上该指标不变化；表中以 {MARK_CARRIED} 标记。",
                f"Indicator {s}: {'; '.join(en_parts)} — a flat carry, not interpolated (the year lies outside the "
                f"series' observed range, so there is nothing to interpolate between) and the indicator cannot change "
                f"there; marked {MARK_CARRIED}.",
            ))
    return out


def _qualifiers(panel: EvalPanel, used: list[str], kept: list[int]) -> pd.DataFrame:
    """Years × used series: the qualifier of each observed cell (``""`` for a point value)."""
    out = pd.DataFrame("", index=pd.Index(kept, name="year"), columns=used)
    cells = panel.cells
    if "qualifier" not in cells.columns or cells.empty:
        return out
    q = cells["qualifier"].fillna("").astype(str).str.strip().str.lower()
    sel = cells[(q != "") & (q != "exact") & cells["series"].isin(used) & cells["year"].isin(kept)]
    for series, year, qual in zip(sel["series"].astype(str), sel["year"].astype(int),
                                  sel["qualifier"].astype(str), strict=True):
        out.at[int(year), series] = qual.strip().lower()
    return out


def _approximate_decisions(qual: pd.DataFrame) -> list[Decision]:
    """One ``approximate`` decision per kind of qualifier among the cells used."""
    from hkfactor.evaluation._spec import QUALIFIERS

    groups: dict[str, list[str]] = {}
    for s in qual.columns:
        for y in qual.index:
            q = str(qual.loc[y, s])
            if q:
                groups.setdefault(q, []).append(f"{s} {int(y)}")
    out = []
    for q in sorted(groups):
        zh, en, mark = QUALIFIERS.get(q, (f"限定词“{q}”，按点值使用", f"qualifier '{q}', used as a point value", "~"))
        listed = ", ".join(groups[q])
        out.append(Decision(
            "approximate", q,
            f"{len(groups[q])} 个数值在来源中带限定词“{q}”：{zh}（表中标记 {mark}）—— {listed}。",
            f"{len(groups[q])} value(s) qualified '{q}' in the source: {en} (marked {mark}) — {listed}.",
        ))
    return out


def _construct_decisions(fw: EvalFramework, hk_used: list[str], chan_of: dict[str, str]) -> list[Decision]:
    """What the partner index measures, from the indicators' ``link`` (construct validity)."""
    links = {ind.series: ind.link for ch in fw.channels for ind in ch.indicators}
    if all(v == "unspecified" for v in links.values()):
        return [Decision(
            "construct", "link unspecified",
            f"框架未说明{fw.partner_zh}因素各指标的关联类型（link：bilateral 双边联系 / partner 伙伴城市自身 / focal 本市开放 / "
            f"context 背景），因此无法判断{fw.partner_zh}因素指数衡量的是两城之间的联系，还是{fw.focal_zh}自身的开放程度加上"
            f"{fw.partner_zh}自身的实力。",
            f"The framework does not say how the {fw.partner_en} factor's indicators relate the two cities (link: "
            f"bilateral / partner / focal / context), so it cannot be told whether the {fw.partner_en} factor index "
            f"measures a tie between the two cities or {fw.focal_en}'s own openness plus {fw.partner_en}'s own capacity.",
        )]
    used_links = {s: links[s] for s in hk_used}
    bilateral = [s for s, v in used_links.items() if v == "bilateral"]
    if bilateral:
        return [Decision(
            "construct", "bilateral",
            f"{fw.partner_zh}因素指数包含 {len(bilateral)} 个双边联系指标（bilateral）：{', '.join(bilateral)}。",
            f"The {fw.partner_en} factor index includes {len(bilateral)} bilateral indicator(s): {', '.join(bilateral)}.",
        )]
    dropped = [s for s, v in links.items() if v == "bilateral"]
    d_zh = f"（框架中的双边指标 {', '.join(dropped)} 因数据不足未被使用）" if dropped else "（框架中没有双边指标）"
    d_en = (f" (the framework's bilateral indicators {', '.join(dropped)} did not survive the coverage rules)"
            if dropped else " (the framework has none)")
    kinds = ", ".join(f"{s} ({v})" for s, v in used_links.items())
    return [Decision(
        "construct", "no bilateral",
        f"重要：参与评价的{fw.partner_zh}因素指标中没有任何双边联系指标{d_zh}。因此{fw.partner_zh}因素指数衡量的是"
        f"{fw.focal_zh}自身的开放程度加上{fw.partner_zh}自身的实力，而不是两城之间的联系 —— {kinds}。",
        f"Important: none of the {fw.partner_en} factor indicators used is a bilateral link{d_en}. The "
        f"{fw.partner_en} factor index therefore measures {fw.focal_en}'s own openness plus {fw.partner_en}'s own "
        f"capacity, not a bilateral link between the two cities — {kinds}.",
    )]


#: C at or above this is "≈ 1" in the coupling caveat.
C_NEAR_ONE = 0.99


def _coupling_decisions(cp: pd.DataFrame) -> list[Decision]:
    """How close C stays to 1, and what D and the bands then mean (a ``caveat``)."""
    c = cp["C"].to_numpy(dtype=float)
    n, k = len(c), int((c >= C_NEAR_ONE).sum())
    base_zh = f"耦合度 C 在 {np.nanmin(c):.3f}–{np.nanmax(c):.3f} 之间，{n} 年中有 {k} 年 C ≥ {C_NEAR_ONE}。"
    base_en = f"The coupling degree C ranges from {np.nanmin(c):.3f} to {np.nanmax(c):.3f}; C ≥ {C_NEAR_ONE} in {k} of {n} years."
    if k > n / 2:
        zh = (base_zh + ("C 始终约等于1" if k == n else "C 在大多数年份约等于1") + "，所以 D 只是复述平均水平 T；协调等级的名称反映的是各年在评价时段内的相对位置"
              "（各年合并的极差标准化使首年接近0、末年接近1），不能与截面研究的等级相比。")
        en = (base_en + (" C ≈ 1 throughout" if k == n else " C ≈ 1 in most years") + ", so D restates the average level T; band names reflect each year's "
              "position within the evaluated span (pooled min–max puts the first year near 0 and the last near 1) "
              "and are not comparable with cross-sectional studies.")
    else:
        zh = base_zh + "协调等级的名称反映的是各年在评价时段内的相对位置（各年合并标准化），不能与截面研究的等级相比。"
        en = (base_en + " Band names reflect each year's position within the evaluated span (pooled normalisation) "
              "and are not comparable with cross-sectional studies.")
    d_s, d_w = cp["D"].to_numpy(dtype=float), cp["D_wang2021"].to_numpy(dtype=float)
    gap = float(np.nanmax(np.abs(d_s - d_w))) if n else float("nan")
    zh += f"作为稳健性检验，另按王淑佳等（2021）修正的耦合度计算 D（两者最大差 {gap:.3f}）。"
    en += f" As a robustness check D is also computed with Wang et al. (2021)'s adjusted C (largest difference {gap:.3f})."
    return [Decision("caveat", "coupling", zh, en)]


def _diff_corr(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation of the first differences (NaN when either is constant or too short)."""
    dx, dy = np.diff(np.asarray(x, dtype=float)), np.diff(np.asarray(y, dtype=float))
    if len(dx) < 2 or np.std(dx) == 0 or np.std(dy) == 0:
        return float("nan")
    return float(np.corrcoef(dx, dy)[0, 1])


GREY_PREPROCESSINGS = ("mean", "minmax", "initial")


def _grey_settings(u_sz: np.ndarray, channel_index: pd.DataFrame, channels: list[str], r: Recipe,
                   decisions: list[Decision]) -> pd.DataFrame:
    """Grey grades of the nominal channel indices under every preprocessing × ρ."""
    rows = []
    undefined: list[str] = []
    ci = channel_index[channels].to_numpy()
    for pre in GREY_PREPROCESSINGS:
        for rho in r.grey_rhos:
            try:
                g = _ops.grey_grades(u_sz, ci, rho=rho, preprocessing=pre)
            except InputError:
                g = np.full(len(channels), np.nan)
                if pre not in undefined:
                    undefined.append(pre)
            rk = pd.Series(g).rank(ascending=False, method="min")
            rows += [{"preprocessing": pre, "rho": rho, "channel": ch, "grade": float(gv), "rank": rv}
                     for ch, gv, rv in zip(channels, g, rk, strict=True)]
    n_ok = len(GREY_PREPROCESSINGS) * len(r.grey_rhos) - len(undefined) * len(r.grey_rhos)
    zh = (f"灰色关联度的稳健性：预处理（均值化、极差化、初值化）× 分辨系数 ρ（{', '.join(f'{x:g}' for x in r.grey_rhos)}），"
          f"共 {n_ok} 种有效设置，报告各渠道排序范围。")
    en = (f"Robustness of the grey grades: preprocessing (mean, min–max, initial value) × ρ "
          f"({', '.join(f'{x:g}' for x in r.grey_rhos)}), {n_ok} valid settings; the rank range of each channel "
          "is reported.")
    if "initial" in undefined:
        zh += "初值化在此数据上无定义（合并极差标准化后某渠道指数首年为0，无法相除），未纳入。"
        en += (" Initial-value preprocessing is undefined on these data (after pooled min–max a channel index is 0 "
               "in the first year, and it divides by that) and is left out.")
    decisions.append(Decision("method", "grey settings", zh, en))
    return pd.DataFrame(rows, columns=["preprocessing", "rho", "channel", "grade", "rank"])


def _leave_one_out(values: pd.DataFrame, hk: list[str], sz: list[str], channels: list[str],
                   chan_of: dict[str, str], direction: dict[str, int], d_nominal: np.ndarray,
                   r: Recipe) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop each used indicator in turn and re-run the nominal recipe.

    Returns one row per dropped indicator (largest absolute change of D, the year of it,
    the channel ranks of the grey grades — ranked among the channels left — and whether
    their order changed) and the D series of every run.
    """
    cols = ["series", "subsystem", "channel", "D_max_abs_change", "D_change_year", "ranks", "rank_changed", "note"]
    if not r.robustness:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["series", "year", "D"])
    years = values.index.astype(int)
    rows: list[dict[str, Any]] = []
    runs: list[pd.DataFrame] = []
    for s in [*hk, *sz]:
        hk2, sz2 = [x for x in hk if x != s], [x for x in sz if x != s]
        sub = "hk" if s in hk else "sz"
        if not hk2 or not sz2:
            rows.append({"series": s, "subsystem": sub, "channel": chan_of[s], "D_max_abs_change": np.nan,
                         "D_change_year": np.nan, "ranks": "", "rank_changed": False,
                         "note": "only indicator of its subsystem"})
            continue
        res = _run(values, hk2, sz2, direction, r.normalisation, r.weighting, r.aggregation, r)
        _c, _t, dd = _ops.coupling(res["u_hk"], res["u_sz"], alpha=r.alpha)
        runs.append(pd.DataFrame({"series": s, "year": years, "D": dd}))
        diff = np.abs(dd - d_nominal)
        j = int(np.nanargmax(diff))
        left = [ch for ch in channels if any(chan_of[x] == ch for x in hk2)]
        ci = np.column_stack([
            _aggregate(res["z"][[x for x in hk2 if chan_of[x] == ch]].to_numpy(),
                       _renorm([res["w"][x] for x in hk2 if chan_of[x] == ch]), r.aggregation, r.geo_floor)
            for ch in left
        ])
        gv = _ops.grey_grades(res["u_sz"], ci, rho=r.rho, preprocessing=r.grey_preprocessing)
        rk = pd.Series(gv).rank(ascending=False, method="min").astype(int).tolist()
        order = [ch for _g, ch in sorted(zip(-gv, left, strict=True))]
        rows.append({"series": s, "subsystem": sub, "channel": chan_of[s], "D_max_abs_change": float(diff[j]),
                     "D_change_year": int(years[j]),
                     "ranks": " ".join(f"{ch}:{k}" for ch, k in zip(left, rk, strict=True)),
                     "rank_changed": False, "note": "" if len(left) == len(channels) else "channel dropped",
                     "_order": order})
    nominal_order: list[str] | None = None
    if runs:
        nominal_res = _run(values, hk, sz, direction, r.normalisation, r.weighting, r.aggregation, r)
        ci0 = np.column_stack([
            _aggregate(nominal_res["z"][[x for x in hk if chan_of[x] == ch]].to_numpy(),
                       _renorm([nominal_res["w"][x] for x in hk if chan_of[x] == ch]), r.aggregation, r.geo_floor)
            for ch in channels
        ])
        g0 = _ops.grey_grades(nominal_res["u_sz"], ci0, rho=r.rho, preprocessing=r.grey_preprocessing)
        nominal_order = [ch for _g, ch in sorted(zip(-g0, channels, strict=True))]
    for row in rows:
        order = row.pop("_order", None)
        if order is not None and nominal_order is not None:
            row["rank_changed"] = order != [ch for ch in nominal_order if ch in order]
    loo = pd.DataFrame(rows, columns=cols)
    loo_runs = pd.concat(runs, ignore_index=True) if runs else pd.DataFrame(columns=["series", "year", "D"])
    return loo, loo_runs
