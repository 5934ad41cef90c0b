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
        decisions.append(Decision(
            "drop_year", f"{kept_years[0]}–{kept_years[-1]}",
            f"评价时段为 {kept_years[0]}–{kept_years[-1]} 年（数据年份 {all_years[0]}–{all_years[-1]}）："
            f"这是在每一年、每个子系统都有至少{r.min_year_coverage:.0%}的指标有观测值的连续年份中，观测值最多的一段；"
            "其余年份不参与评价。",
            f"Evaluated years: {kept_years[0]}–{kept_years[-1]} (data span {all_years[0]}–{all_years[-1]}): of the "
            f"runs of consecutive years in which every year has at least {r.min_year_coverage:.0%} of each "
            "subsystem's indicators observed, this one holds the most observations; other years are left out.",
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
    gg = _ops.grey_grades(u_sz, channel_index.to_numpy(), rho=r.rho, preprocessing=r.grey_preprocessing)
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

    # Monte Carlo through the robustness engine: normalisation × noise on the weights.
    index_ = _engine_index(values, hk_used, sz_used, direction, w_all, r)
    mc = _monte_carlo(index_, r, decisions) if r.robustness and index_ is not None else None
    if mc is not None:
        robustness = robustness.merge(mc, on="year", how="left")

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
        index_=index_,
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
    """Weighted arithmetic (``amean``) or geometric (``gmean`` of ``max(z, floor)``) mean, engine kernels."""
    if method == "arithmetic":
        return kernels.aggregate(z, w, "amean")
    return kernels.aggregate(np.maximum(z, floor), w, "gmean")


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
