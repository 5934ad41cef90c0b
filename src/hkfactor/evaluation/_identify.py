"""Stage 6 — what the design supports: placebo benchmarks for one pair over time, and designs
that identify on a panel of cities (two-way fixed effects, event study, synthetic control).

A single city pair over a decade cannot tell a partner city's role from the calendar: every
index trends. So the single-pair statistics are benchmarked against a linear trend and a
trend-preserving permutation (a group is *associated* only when it beats both), and the
headline comes from a design with cross-sectional variation when the data allow one. When they
do not, the headline says so in one sentence.

Every estimator is a well-kept library's (pyfixest, pysyncon) through
:mod:`hkfactor.evaluation.designs`; this module only assembles the data and the verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

import numpy as np
import pandas as pd

from hkfactor.errors import HKFactorError
from hkfactor.evaluation._framework import EvalFramework
from hkfactor.evaluation._indices import Indices
from hkfactor.evaluation._prepare import Prepared
from hkfactor.evaluation._recipe import EvaluationRecipe
from hkfactor.messages import Message, register

__all__ = ["CityData", "CityDesigns", "CityInput", "DesignRun", "Identification", "PendingCityDesigns",
           "identify", "run_city_designs"]

#: Innovation outcomes of the city panel, in order of preference.
CITY_OUTCOMES = ("city_invention_grants", "city_invention_applications", "city_patent_grants",
                 "city_patent_applications", "city_pct_applications", "city_rd_expenditure")
#: Mainland cities of the Greater Bay Area (the exposed group of the city designs).
GBA_CITIES = ("SZ", "GZ", "ZH", "FS", "HUIZ", "DG", "ZS", "JM", "ZQ")
#: Minimum clusters, pre and post years for a city design to be estimated.
MIN_CLUSTERS, MIN_TREATED, MIN_CONTROL, MIN_PRE, MIN_POST, MIN_DONORS = 10, 3, 5, 5, 2, 3

register({
    "identify.estimated": (
        "Estimated association of Hong Kong exposure with innovation: {effect} ({level} CI {lo} to {hi}; "
        "p = {p}) — {design} around {shock}, outcome: {outcome}, {n_clusters} cities, {n_obs} city-years (source grades {grades})"
        "{weak}{caveat}{pretrend}.",
        "香港关联与创新的估计关联：{effect}（{level} 置信区间 {lo} 至 {hi}；p = {p}）—— {design}（冲击：{shock}），结果变量 {outcome}，"
        "{n_clusters} 个城市、{n_obs} 个城市-年（来源等级 {grades}）{weak}{caveat}{pretrend}。"),
    "identify.not_credible": (
        "What the data support: no credible estimate of Hong Kong's role — the best available design ({design} "
        "around {shock}, outcome: {outcome}, {n_clusters} cities, {n_obs} city-years, source grades {grades}) gives "
        "{effect} ({level} CI {lo} to {hi}) but {why}. The coupling and trend-similarity results below describe "
        "co-movement over time; they are not evidence of Hong Kong's role.",
        "数据所能支持的结论：没有可信的香港作用估计 —— 现有最好的设计（{design}，冲击 {shock}，结果变量 {outcome}，{n_clusters} 个城市、"
        "{n_obs} 个城市-年，来源等级 {grades}）估计为 {effect}（{level} 置信区间 {lo} 至 {hi}），但{why}。下文的耦合协调与趋势相似度"
        "只描述各指标随时间的共同变化，不能作为香港作用的证据。"),
    "identify.why_pretrend": ("its event study rejects parallel pre-trends (p = {p})",
                              "其事件研究拒绝了平行趋势假设（p = {p}）"),
    "identify.pretrend": ("; event-study pre-trend test p = {p}{verdict}", "；事件研究的平行趋势检验 p = {p}{verdict}"),
    "identify.pretrend_fails": (" — parallel pre-trends are rejected, so this estimate is not credible evidence",
                                "—— 平行趋势被拒绝，该估计不能作为可信证据"),
    "identify.pretrend_missing": ("; no event-study pre-trend test was possible", "；无法做事件研究的平行趋势检验"),
    "identify.grades_weak": ("; most outcome values are grade C (secondary compilations)",
                             "；结果变量多数为 C 级（二手汇编）"),
    "identify.not_supported": (
        "What the data support: no estimate of Hong Kong's role — {reason}. The coupling and trend-similarity "
        "results below describe co-movement over time; they are not evidence of Hong Kong's role.",
        "数据所能支持的结论：无法估计香港的作用 —— {reason}。下文的耦合协调与趋势相似度只描述各指标随时间的共同变化，"
        "不能作为香港作用的证据。"),
    "identify.panel_estimated": (
        "Within-unit association of {x} with {y}, net of unit and year effects: {effect} ({level} CI {lo} to {hi}; "
        "p = {p}) — two-way fixed effects, {n_clusters} units, {n_obs} unit-years{caveat}.",
        "扣除单元与年份固定效应后，{x}与{y}的单元内关联：{effect}（{level} 置信区间 {lo} 至 {hi}；p = {p}）"
        "—— 双向固定效应，{n_clusters} 个单元、{n_obs} 个单元-年{caveat}。"),
    "identify.single_pair_only": ("the data are one city pair over time (no cross-section to compare with)",
                                  "数据只有一对城市的时间序列（没有可比较的截面）"),
    "identify.city_thin": (
        "the city panel is too thin for a design that compares cities: its best-covered innovation outcome "
        "({outcome}) has {n} city-years ({first}–{last}, {n_cities} cities), too few cities observed on both sides "
        "of the dated shocks ({shocks}) for fixed effects or a synthetic control (the designs table says which "
        "condition fails)",
        "城市面板数据太少，无法做城市间比较的设计：覆盖最好的创新结果变量（{outcome}）只有 {n} 个城市-年"
        "（{first}–{last} 年，{n_cities} 个城市），在已定日期的冲击（{shocks}）前后都有数据的城市太少，固定效应与合成控制都无法估计"
        "（哪个条件不满足见识别设计表）"),
    "identify.few_caveats": ("; caveats: {codes}", "；注意：{codes}"),
    "identify.benchmarks": (
        "Single-pair benchmarks: {n_assoc} of {n} groups beat both the linear-trend benchmark and the "
        "trend-preserving permutation in levels{listed}; a straight line scores {trend} ({method}).",
        "单对城市的基准检验：{n} 个分组中有 {n_assoc} 个在水平值上同时胜过线性趋势基准与保留趋势的置换检验{listed}；"
        "一条直线的得分为 {trend}（{method}）。"),
    "identify.benchmark_listed": (": {groups}", "，即：{groups}"),
    "design.not_estimable": ("{design} for {outcome}{shock}: not estimable — {detail}.",
                             "{design}（{outcome}{shock}）：无法估计 —— {detail}。"),
    "design.detail_clusters": ("{n} cities have the outcome before and after {year} ({n_treated} in the GBA, "
                               "{n_control} outside; {need} cities needed, at least {need_treated} in the GBA and "
                               "{need_control} outside)",
                               "{year} 年前后都有该结果变量数据的城市 {n} 个（大湾区 {n_treated} 个、区外 {n_control} 个；"
                               "至少需要 {need} 个，其中大湾区至少 {need_treated} 个、区外至少 {need_control} 个）"),
    "design.detail_pre": ("Shenzhen has {n_pre} outcome year(s) before {year} and {n_post} after ({pre} and {post} "
                          "needed) and {n_donors} donor(s) are complete over the window ({donors} needed)",
                          "深圳在 {year} 年前有 {n_pre} 年、之后有 {n_post} 年的结果变量数据（分别至少需要 {pre} 和 {post} 年），"
                          "窗口内数据完整的对照城市 {n_donors} 个（至少需要 {donors} 个）"),
    "design.detail_undated": ("the shock has no dated event in the evidence base", "该冲击在证据库中没有日期"),
    "design.detail_failed": ("the estimator refused: {error}", "估计失败：{error}"),
    "design.warning": ("{design}: {code}{subject}", "{design}：注意 {code}{subject}"),
})

_DESIGN_NAMES = {
    "twfe": {"en": "two-way fixed effects DiD (GBA cities × after the shock)", "zh": "双向固定效应双重差分（大湾区城市 × 冲击后）"},
    "event_study": {"en": "event study (GBA cities)", "zh": "事件研究（大湾区城市）"},
    "synthetic_control": {"en": "synthetic control for Shenzhen", "zh": "深圳的合成控制"},
    "panel_twfe": {"en": "two-way fixed effects", "zh": "双向固定效应"},
}


def design_name(key: str) -> dict[str, str]:
    """``{"en": …, "zh": …}`` name of a design."""
    return _DESIGN_NAMES.get(key, {"en": key, "zh": key})


@dataclass(frozen=True)
class CityData:
    """A city × year panel for the designs: ``values`` long (``unit, year, series, value, grade``),
    ``distance_km`` by city (to Hong Kong), and the dated shocks (``id`` → year)."""

    values: pd.DataFrame
    distance_km: dict[str, float]
    shocks: dict[str, int]
    label: str = "city panel"
    #: Reader-facing names of series and shocks, ``{code: {"en": …, "zh": …}}``; a code without
    #: one is shown as is.
    names: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class CityDesigns:
    """The city designs already run on a city panel (:func:`run_city_designs`) with ``seed``."""

    city: CityData
    runs: tuple[DesignRun, ...]
    seed: int


class PendingCityDesigns(Protocol):
    """A city-design run under way elsewhere (e.g. a ``concurrent.futures.Future``)."""

    def result(self) -> CityData | CityDesigns | None: ...


#: What :func:`evaluate` accepts as ``city``.
CityInput: TypeAlias = "CityData | CityDesigns | PendingCityDesigns | None"


def run_city_designs(city: CityData, *, seed: int = 0) -> CityDesigns:
    """Run every city design (two-way fixed effects, event study, synthetic control around each
    dated shock, for each innovation outcome with enough data) on ``city``.

    :func:`evaluate` runs them itself when given a :class:`CityData`; running them ahead (or in
    another process, as ``hkfactor evaluate`` does) and passing the result gives the same
    evaluation.
    """
    return CityDesigns(city=city, runs=tuple(_city_designs(city, seed)), seed=seed)


@dataclass(frozen=True)
class DesignRun:
    """One design tried: its result when estimated, else why not (``reasons``)."""

    design: str
    outcome: str
    treatment: str
    shock: str
    status: str  # "estimated" | "not_estimable"
    result: Any
    reasons: tuple[Message, ...]
    balance: int = 0  # years on the shorter side of the shock (pre or post): the headline prefers more

    def row(self) -> dict[str, Any]:
        """A table row: effect, interval, p, sample and warnings."""
        est = getattr(self.result, "estimate", None)
        smp = getattr(self.result, "sample", None)
        warns = getattr(self.result, "warnings", ())
        return {
            "design": self.design, "outcome": self.outcome, "treatment": self.treatment, "shock": self.shock,
            "status": self.status,
            "effect": getattr(est, "effect", math.nan), "ci_low": getattr(est, "ci_low", math.nan),
            "ci_high": getattr(est, "ci_high", math.nan), "p_value": getattr(est, "p_value", math.nan),
            "inference": getattr(est, "inference", ""),
            "n_obs": getattr(smp, "n_obs", 0), "n_clusters": getattr(smp, "n_clusters", 0),
            "n_treated_units": getattr(smp, "n_treated_units", 0),
            "warnings": " ".join(w.code for w in warns),
            "reason_en": " ".join(m.render("en") for m in self.reasons),
            "reason_zh": " ".join(m.render("zh") for m in self.reasons),
        }


@dataclass(frozen=True)
class Identification:
    """What the design supports.

    Attributes
    ----------
    headline : Message
        One sentence: the estimated association (effect, interval, design) or why there is none.
    runs : tuple of DesignRun
        Every design tried, estimated or not.
    benchmarks : DataFrame
        Single pair over time: the placebo benchmarks of every grey grade and coupling D
        (:func:`hkfactor.evaluation.designs.placebo_benchmarks`), one row per method ×
        candidate × variant, with ``associated``.
    associated : tuple of str
        Groups associated with the reference in levels (beat the trend and the permutation).
    """

    headline: Message
    runs: tuple[DesignRun, ...]
    benchmarks: pd.DataFrame
    associated: tuple[str, ...]
    decisions: tuple[Message, ...]

    def table(self) -> pd.DataFrame:
        """One row per design tried."""
        return pd.DataFrame([r.row() for r in self.runs])


def _fmt(x: float, digits: int = 3) -> str:
    return "—" if not math.isfinite(x) else f"{x:.{digits}f}"


def _benchmarks(prepared: Prepared, ind: Indices, fw: EvalFramework, r: EvaluationRecipe,
                groups: list[str]) -> tuple[pd.DataFrame, tuple[str, ...], list[Message]]:
    from hkfactor.evaluation.designs import placebo_benchmarks

    ref = ind.scores[fw.reference_id].to_numpy(dtype=float)
    subs = [s.id for s in fw.subsystems if s.id != fw.reference_id]
    frames, msgs = [], []
    associated: tuple[str, ...] = ()
    for method, cands in (("grey", groups), ("coupling", subs)):
        if not cands or len(ref) < 4:
            continue
        cand = pd.DataFrame({c: ind.scores[c].to_numpy(dtype=float) for c in cands})
        kw: dict[str, Any] = {"rho": r.rho, "preprocessing": r.grey_preprocessing} if method == "grey" else {}
        tab = placebo_benchmarks(ref, cand, method=method, n_perm=999, seed=r.seed, **kw)  # type: ignore[arg-type]
        df = tab.to_frame()
        frames.append(df.assign(method=method))
        lev = df[(df["variant"] == "level") & ~df["is_benchmark"]]
        if method == "grey":
            associated = tuple(lev.loc[lev["associated"], "series"].astype(str))
            trend = df[(df["variant"] == "level") & df["is_benchmark"]]["statistic"]
            msgs.append(Message("identify.benchmarks", "grey", {
                "n_assoc": len(associated), "n": len(lev),
                "listed": Message("identify.benchmark_listed", "", {"groups": ", ".join(associated)}) if associated else "",
                "trend": _fmt(float(trend.iloc[0])) if len(trend) else "—",
                "method": {"en": "grey relational grade", "zh": "灰色关联度"}}))
    bench = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return bench, associated, msgs


def _city_frame(city: CityData, outcome: str) -> pd.DataFrame:
    v = city.values
    sel = v[(v["series"] == outcome) & np.isfinite(v["value"].astype(float))]
    return sel[["unit", "year", "value"]].rename(columns={"value": "y"}).astype({"year": int})


def _not(design: str, outcome: str, shock: str, detail: Message) -> DesignRun:
    return DesignRun(design, outcome, "", shock, "not_estimable", None, (Message("design.not_estimable", design, {
        "design": design_name(design), "outcome": outcome,
        "shock": f", {shock}" if shock else "", "detail": detail}),))


def _city_designs(city: CityData, seed: int) -> list[DesignRun]:
    runs: list[DesignRun] = []
    counts = {o: len(_city_frame(city, o)) for o in CITY_OUTCOMES}
    outcomes = sorted((o for o in CITY_OUTCOMES if counts[o] >= 20), key=lambda o: (-counts[o], CITY_OUTCOMES.index(o)))
    for outcome in outcomes or [max(CITY_OUTCOMES, key=lambda o: counts[o])]:
        runs += _city_designs_for(city, outcome, seed)
    return runs


def _city_designs_for(city: CityData, outcome: str, seed: int) -> list[DesignRun]:
    from hkfactor.evaluation.designs import event_study, synthetic_control, twfe

    runs: list[DesignRun] = []
    df = _city_frame(city, outcome)
    yrs = sorted(set(df["year"]))
    for shock in sorted(city.shocks, key=lambda k: (city.shocks[k], k)):
        year = city.shocks.get(shock)
        if year is None:
            runs.append(_not("twfe", outcome, shock, Message("design.detail_undated", shock)))
            continue
        pre = df[df["year"] < year].groupby("unit").size()
        post = df[df["year"] >= year].groupby("unit").size()
        both = sorted(set(pre.index) & set(post.index))
        treated = [u for u in both if u in GBA_CITIES]
        control = [u for u in both if u not in GBA_CITIES]
        if len(both) < MIN_CLUSTERS or len(treated) < MIN_TREATED or len(control) < MIN_CONTROL:
            runs.append(_not("twfe", outcome, shock, Message("design.detail_clusters", shock, {
                "n": len(both), "n_treated": len(treated), "n_control": len(control), "need": MIN_CLUSTERS,
                "need_treated": MIN_TREATED, "need_control": MIN_CONTROL, "year": year})))
        else:
            d = df[df["unit"].isin(both)]
            d = d.assign(treat=(d["unit"].isin(GBA_CITIES) & (d["year"] >= year)).astype(float))
            try:
                res = twfe(d, "y", "treat", unit="unit", time="year", log_outcome=True, reps=999, seed=seed)
                runs.append(DesignRun("twfe", outcome, f"GBA × after {year}", shock, "estimated", res, (),
                                      min(sum(y < year for y in yrs), sum(y >= year for y in yrs))))
            except HKFactorError as exc:
                runs.append(_not("twfe", outcome, shock, Message("design.detail_failed", shock, {"error": str(exc)[:200]})))
            # its dynamic version: leads test parallel pre-trends, lags show the path
            try:
                es = event_study(d, "y", unit="unit", time="year", treated_units=treated, event_time=year,
                                 window=(-4, 4), log_outcome=True)
                runs.append(DesignRun("event_study", outcome, f"GBA, event {year}", shock, "estimated", es, ()))
            except HKFactorError as exc:
                runs.append(_not("event_study", outcome, shock,
                                 Message("design.detail_failed", shock, {"error": str(exc)[:200]})))
        sz = df[df["unit"] == "SZ"]
        n_pre, n_post = int((sz["year"] < year).sum()), int((sz["year"] >= year).sum())
        window = sorted(set(sz["year"]))
        donors = [u for u in df["unit"].unique() if u not in GBA_CITIES
                  and set(window) <= set(df.loc[df["unit"] == u, "year"])] if window else []
        if n_pre < MIN_PRE or n_post < MIN_POST or len(donors) < MIN_DONORS:
            runs.append(_not("synthetic_control", outcome, shock, Message("design.detail_pre", shock, {
                "n_pre": n_pre, "n_post": n_post, "pre": MIN_PRE, "post": MIN_POST, "n_donors": len(donors),
                "donors": MIN_DONORS, "year": year})))
            continue
        d = df[df["unit"].isin(["SZ", *donors]) & df["year"].isin(window)]
        try:
            sc = synthetic_control(d, "y", treated="SZ", donors=donors, unit="unit", time="year", event_time=year,
                                   log_outcome=True)
            runs.append(DesignRun("synthetic_control", outcome, "Shenzhen", shock, "estimated", sc, (), min(n_pre, n_post)))
        except HKFactorError as exc:
            runs.append(_not("synthetic_control", outcome, shock,
                             Message("design.detail_failed", shock, {"error": str(exc)[:200]})))
    return runs


def _panel_designs(prepared: Prepared, ind: Indices, fw: EvalFramework, r: EvaluationRecipe) -> list[DesignRun]:
    """A panel study: the reference subsystem's score on each other subsystem's, with unit and year
    fixed effects (the calendar and level differences removed), clustered by unit."""
    from hkfactor.evaluation.designs import twfe

    keys = ind.scores.index
    base = pd.DataFrame({"unit": keys.get_level_values("unit").astype(str),
                         "year": keys.get_level_values("year").astype(int)})
    runs = []
    y = fw.reference_id
    for s in fw.subsystems:
        if s.id == y:
            continue
        d = base.assign(y=ind.scores[y].to_numpy(dtype=float), x=ind.scores[s.id].to_numpy(dtype=float))
        try:
            res = twfe(d, "y", "x", unit="unit", time="year", reps=999, seed=r.seed)
            runs.append(DesignRun("panel_twfe", y, s.id, "", "estimated", res, ()))
        except HKFactorError as exc:
            runs.append(_not("panel_twfe", y, "", Message("design.detail_failed", s.id, {"error": str(exc)[:200]})))
    return runs


def _caveat(res: Any) -> Message | str:
    codes = [w.code for w in getattr(res, "warnings", ())]
    return Message("identify.few_caveats", "", {"codes": ", ".join(dict.fromkeys(codes))}) if codes else ""


def _estimate_params(run: DesignRun) -> dict[str, Any]:
    est, smp = run.result.estimate, run.result.sample
    return {"effect": _fmt(est.effect), "level": f"{est.ci_level:.0%}", "lo": _fmt(est.ci_low), "hi": _fmt(est.ci_high),
            "p": _fmt(est.p_value), "n_clusters": smp.n_clusters or smp.n_units, "n_obs": smp.n_obs,
            "caveat": _caveat(run.result)}


def identify(prepared: Prepared, ind: Indices, fw: EvalFramework, r: EvaluationRecipe, groups: list[str],
             city: CityInput = None) -> Identification | None:
    """Benchmarks and designs; ``None`` with a single subsystem (nothing to relate)."""
    if len(fw.subsystems) < 2:
        return None
    bench = pd.DataFrame()
    associated: tuple[str, ...] = ()
    decisions: list[Message] = []
    runs: list[DesignRun] = []
    if prepared.shape == "time_series":
        bench, associated, msgs = _benchmarks(prepared, ind, fw, r, groups)
        decisions += msgs
    if prepared.shape == "panel":
        runs += _panel_designs(prepared, ind, fw, r)
    if city is not None and not isinstance(city, CityData | CityDesigns):
        city = city.result()  # a pending run (the CLI starts the city designs in a second process)
    if isinstance(city, CityDesigns):
        done = city if city.seed == r.seed else run_city_designs(city.city, seed=r.seed)
        runs += done.runs
        city = done.city
    elif city is not None:
        runs += _city_designs(city, r.seed)
    estimated = [x for x in runs if x.status == "estimated"]
    order = {"panel_twfe": 0, "twfe": 1, "synthetic_control": 2, "event_study": 9}

    if estimated:
        # the shock with the most years on its shorter side (pre or post) makes the headline
        best = sorted(estimated, key=lambda x: (order.get(x.design, 9), -x.balance))[0]
        p = _estimate_params(best)
        if best.design == "panel_twfe":
            names = {g.id: g for g in fw.subsystems}
            head = Message("identify.panel_estimated", best.treatment, {
                **p, "x": {"en": names[best.treatment].name_en, "zh": names[best.treatment].name_zh},
                "y": {"en": names[best.outcome].name_en, "zh": names[best.outcome].name_zh}})
        else:
            grades = city.values[city.values["series"] == best.outcome]["grade"].fillna("").value_counts() \
                if city is not None else pd.Series(dtype=int)
            head = Message("identify.estimated", best.design, {
                **p, **_log_points(best.result.estimate),
                "design": design_name(best.design), "outcome": _name(city, best.outcome),
                "shock": _shock_name(city, best.shock),
                "grades": " ".join(f"{g or '—'} {n}" for g, n in sorted(grades.items())),
                "weak": Message("identify.grades_weak", "") if grades.get("C", 0) > grades.sum() / 2 else "",
                "pretrend": _pretrend(runs, best)})
            p_pre = _pretrend_p(runs, best)
            if math.isfinite(p_pre) and p_pre < PRETREND_ALPHA:
                head = Message("identify.not_credible", best.design, {
                    **head.params, "why": Message("identify.why_pretrend", "", {"p": _fmt(p_pre)})})
    else:
        if city is None and prepared.shape == "time_series":
            reason: Message = Message("identify.single_pair_only", "")
        else:
            reason = _thin_reason(city) if city is not None else Message("identify.single_pair_only", "")
        head = Message("identify.not_supported", "", {"reason": reason})
    return Identification(headline=head, runs=tuple(runs), benchmarks=bench, associated=associated,
                          decisions=tuple(decisions))


def _log_points(est: Any) -> dict[str, Any]:
    """City designs model log outcomes: say so, with the effect as a percentage change."""
    def pct(x: float) -> str:
        return f"{100 * math.expm1(x):+.0f} %"

    return {"effect": {"en": f"{_fmt(est.effect)} log points ({pct(est.effect)})",
                       "zh": f"{_fmt(est.effect)} 个对数点（约 {pct(est.effect)}）"},
            "lo": {"en": pct(est.ci_low), "zh": pct(est.ci_low)}, "hi": {"en": pct(est.ci_high), "zh": pct(est.ci_high)}}


def _name(city: CityData | None, code: str) -> dict[str, str] | str:
    return city.names.get(code, code) if city is not None else code


def _shock_name(city: CityData | None, shock: str) -> dict[str, str] | str:
    year = city.shocks.get(shock, "") if city is not None else ""
    label = _name(city, shock)
    if isinstance(label, dict):
        return {"en": f"{label['en']} ({year})", "zh": f"{label['zh']}（{year}）"} if year else label
    return f"{shock} {year}".strip()


#: Below this pre-trend p-value the event study rejects parallel pre-trends.
PRETREND_ALPHA = 0.10


def _pretrend_p(runs: list[DesignRun], best: DesignRun) -> float:
    es = next((x for x in runs if x.design == "event_study" and x.status == "estimated"
               and x.outcome == best.outcome and x.shock == best.shock), None)
    return float(getattr(es.result, "pretrend_p", math.nan)) if es is not None else math.nan


def _pretrend(runs: list[DesignRun], best: DesignRun) -> Message:
    p = _pretrend_p(runs, best)
    if not math.isfinite(p):
        return Message("identify.pretrend_missing", "")
    verdict = Message("identify.pretrend_fails", "") if p < PRETREND_ALPHA else ""
    return Message("identify.pretrend", "", {"p": _fmt(p), "verdict": verdict})


def _thin_reason(city: CityData) -> Message:
    counts = {o: _city_frame(city, o) for o in CITY_OUTCOMES}
    outcome = max(CITY_OUTCOMES, key=lambda o: (len(counts[o]), -CITY_OUTCOMES.index(o)))
    df = counts[outcome]
    return Message("identify.city_thin", outcome, {
        "outcome": outcome, "n": len(df), "first": int(df["year"].min()) if len(df) else "—",
        "last": int(df["year"].max()) if len(df) else "—", "n_cities": int(df["unit"].nunique()),
        "shocks": ", ".join(f"{k} {v}" for k, v in sorted(city.shocks.items(), key=lambda kv: kv[1]))})


def builtin_city_data() -> CityData | None:
    """The built-in city panel (hkfactor.panel.build_cities), distances to Hong Kong and dated shocks."""
    from hkfactor.evaluation.designs import dated_shocks
    from hkfactor.panel import build_cities, city_distances, read_series

    try:
        cp = build_cities()
    except HKFactorError:
        return None
    long = cp.long().drop(columns=["unit"], errors="ignore")
    values = long.rename(columns={"geography": "unit", "period": "year"})
    values = values[values["year"].astype(str).str.fullmatch(r"\d{4}")].astype({"year": int, "value": float})
    try:
        dist = {str(k): float(v) for k, v in city_distances()["distance_km"].items()}
    except HKFactorError:
        dist = {}
    dated = dated_shocks()
    shocks = {s.id: int(s.year) for s in dated if s.year is not None}
    names = {s.id: {"en": s.label_en, "zh": s.label_zh} for s in dated}
    ser = read_series()
    names |= {str(c): {"en": str(en), "zh": str(zh)}
              for c, en, zh in zip(ser["code"], ser["name_en"], ser["name_zh"], strict=True) if str(c) in CITY_OUTCOMES}
    return CityData(values=values[["unit", "year", "series", "value", "grade"]], distance_km=dist, shocks=shocks,
                    label="built-in city panel", names=names)
