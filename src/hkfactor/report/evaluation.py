"""The evaluation report: one self-contained bilingual HTML file, with its tables and figures.

``write_report(ev, out_dir)`` writes (into a temporary sibling folder first, moved into place
only when complete, ``report.html`` last)::

    out_dir/report.html               offline, self-contained (inline CSS and SVG, no script)
    out_dir/tables/*.csv              every table a paper reports (UTF-8 with BOM for Excel)
    out_dir/tables/evaluation.xlsx    the same tables, one sheet each, zh/en sheet names
    out_dir/figures/*.svg             the figures (deterministic SVG, one file per language)
    out_dir/recipe.json               the replayable recipe (``hkfactor evaluate --recipe``)

Results come first: the headline with its robustness band, then the results, then every
intermediate table (collapsible), then the appendix (decisions, sources, method). Rendering
is deterministic: fixed float formats and ids, no timestamps.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import numpy as np
import pandas as pd

from hkfactor import __version__
from hkfactor.errors import InputError, Problem
from hkfactor.evaluation import (
    MARK_CARRIED,
    MARK_IMPUTED,
    MARK_INTERPOLATED,
    QUALIFIERS,
    TABLES,
    Evaluation,
    design_name,
    row_keys,
)
from hkfactor.io import atomic_write, write_csv, write_excel, write_folder_atomically
from hkfactor.report import _svg

__all__ = ["ReportFiles", "render_html", "write_report", "write_tables"]

_TEMPLATES = Path(__file__).parent / "templates"
#: Above these sizes a table is cut in the page (the full one is in tables/*.csv), the coverage
#: heatmap is not drawn, and a table is left out of the workbook (its CSV has it all).
HTML_MAX_CELLS, HEATMAP_MAX_CELLS, XLSX_MAX_CELLS = 20_000, 6_000, 200_000
_SHAPES = {"time_series": ("时间序列（以年份为评价单元）", "time series (years are the units)"),
           "cross_section": ("截面数据（各单元同一时期）", "cross-section (units in one period)"),
           "panel": ("面板数据（单元 × 年份）", "panel (units × years)")}


@dataclass(frozen=True)
class ReportFiles:
    """Paths written by :func:`write_report`."""

    html: Path
    tables: tuple[Path, ...]
    excel: Path | None
    figures: tuple[Path, ...]
    recipe: Path


# ----------------------------------------------------------------------------- formatting
def fmt_index(v: Any) -> str:
    """Indices, grades, weights: three decimals; NaN as an em dash."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    return "—" if math.isnan(f) else f"{f:.3f}"


def fmt_value(v: Any, digits: int = 4) -> str:
    """A value as a person reads it: thousands separators, at most ``digits`` significant digits
    after the integer part for small numbers, never scientific notation below 1e15."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(f):
        return "—"
    if math.isinf(f):
        return "∞" if f > 0 else "−∞"
    a = abs(f)
    if a >= 1000:
        return f"{f:,.0f}"
    if a >= 100:
        return f"{f:,.1f}".rstrip("0").rstrip(".")
    if a >= 1:
        return f"{f:.{max(digits - 1, 0)}f}".rstrip("0").rstrip(".")
    return f"{f:.{digits}g}"


#: canonical unit of the built-in panel → (factor, zh label, en label) for display
_UNITS = {
    "CNY": (1e-8, "亿元", "100 m yuan"),
    "USD": (1e-8, "亿美元", "US$ 100 m"),
    "HKD": (1e-6, "百万港元", "HK$ m"),
    "share": (100.0, "%", "%"),
    "count": (1.0, "", ""),
    "trips_per_day": (1.0, "人次/日", "trips/day"),
}


def display_unit(unit: str) -> tuple[float, str, str]:
    """How to show values of ``unit``: multiply by the factor, label in zh and en."""
    if unit in _UNITS:
        return _UNITS[unit]
    return 1.0, unit, unit


def _num(v: Any) -> float:
    """A table cell as a float (cells are typed loosely by pandas-stubs)."""
    return float(v)


def _slug(s: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(s)).strip("-") or "x"


def _bi(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


# ----------------------------------------------------------------------------- table specs
@dataclass
class Table:
    """A table for the template: ``columns`` are ``(zh, en, numeric)``; cells are dicts with
    ``text`` and optional ``href``, ``title``, ``cls``, ``zh``/``en`` (bilingual text)."""

    id: str
    title: dict[str, str]
    columns: list[tuple[str, str, bool]]
    rows: list[list[dict[str, Any]]]
    note: dict[str, str] | None = None
    collapsed: bool = False
    row_ids: list[str] = field(default_factory=list)


def _c(text: Any, **kw: Any) -> dict[str, Any]:
    return {"text": "" if text is None else str(text), "href": "", "title": "", "cls": "", "zh": None, "en": None,
            **kw}


def _cb(zh: str, en: str, **kw: Any) -> dict[str, Any]:
    return _c("", zh=zh, en=en, **kw)


def _key_cols(ev: Evaluation) -> list[tuple[str, str, bool]]:
    if ev.shape == "time_series":
        return [("年份", "year", False)]
    if ev.shape == "cross_section":
        return [("单元", "unit", False)]
    return [("单元", "unit", False), ("年份", "year", False)]


def _key_cells(keys: pd.DataFrame, i: int) -> list[dict[str, Any]]:
    return [_c(keys.iloc[i][c]) for c in keys.columns]


def _row_id(keys: pd.DataFrame, i: int) -> str:
    return "-".join(_slug(keys.iloc[i][c]) for c in keys.columns)


class _Names:
    """Labels of series, groups and subsystems in both languages."""

    def __init__(self, ev: Evaluation) -> None:
        fw = ev.framework
        self.zh: dict[str, str] = {}
        self.en: dict[str, str] = {}
        for s in fw.subsystems:
            for g in s.walk():
                self.zh[g.id], self.en[g.id] = g.name_zh, g.name_en
        for _s, _g, ind in fw.indicators():
            self.zh[ind.series], self.en[ind.series] = ind.name_zh, ind.name_en
        self.unit = {ind.series: ind.unit for _s, _g, ind in fw.indicators()}

    def cell(self, code: str, **kw: Any) -> dict[str, Any]:
        return _cb(self.zh.get(code, code), self.en.get(code, code), title=code, **kw)

    def col(self, code: str, numeric: bool = True) -> tuple[str, str, bool]:
        return (self.zh.get(code, code), self.en.get(code, code), numeric)


# ----------------------------------------------------------------------------- context
def _headline(ev: Evaluation, names: _Names) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Cards of the summary and the one-sentence statements under them."""
    cards: list[dict[str, Any]] = []
    lines: list[dict[str, str]] = []
    h = ev.headline()
    rb = ev.robustness
    nominal_zh = "名义方案：{}、{}、{}".format(*(x for x in (
        {"minmax": "极差标准化", "rank": "秩标准化"}[ev.recipe.normalisation],
        {"entropy": "熵权", "critic": "CRITIC", "equal": "等权", "manual": "给定权重"}[ev.recipe.weighting],
        {"arithmetic": "算术平均", "geometric": "几何平均", "topsis": "TOPSIS", "grey": "灰色关联"}[ev.recipe.aggregation])))
    nominal_en = f"nominal: {ev.recipe.normalisation}, {ev.recipe.weighting} weights, {ev.recipe.aggregation}"
    keys = h.drop(columns=[c for c in h.columns if c not in ("unit", "year")])

    def band_text(i: int) -> tuple[str, str]:
        if rb is None:
            return "", ""
        parts_zh, parts_en = [], []
        if "q05" in h.columns and math.isfinite(float(h["q05"].iloc[i])):
            parts_zh.append(f"蒙特卡洛 5–95%：{fmt_index(h['q05'].iloc[i])}–{fmt_index(h['q95'].iloc[i])}")
            parts_en.append(f"Monte Carlo 5–95 %: {fmt_index(h['q05'].iloc[i])}–{fmt_index(h['q95'].iloc[i])}")
        parts_zh.append(f"{int(rb.summary['n_variants'].iloc[0])} 种方法组合：{fmt_index(h['min'].iloc[i])}–"
                        f"{fmt_index(h['max'].iloc[i])}")
        parts_en.append(f"{int(rb.summary['n_variants'].iloc[0])} method variants: {fmt_index(h['min'].iloc[i])}–"
                        f"{fmt_index(h['max'].iloc[i])}")
        return "；".join(parts_zh), "; ".join(parts_en)

    if ev.coupling is not None and ev.shape == "time_series":
        for i in (len(h) - 1, 0):
            bz, be = band_text(i)
            y = keys.iloc[i]["year"]
            cards.append({"label": _bi(f"耦合协调度 D（{y} 年）", f"Coupling coordination D ({y})"),
                          "value": fmt_index(h["value"].iloc[i]), "href": f"#cp-{_row_id(keys, i)}",
                          "sub": _bi(f"{h['band_zh'].iloc[i]}；{bz}（{nominal_zh}）",
                                     f"{h['band_en'].iloc[i]}; {be} ({nominal_en})")})
    else:
        order = np.argsort(-h["value"].to_numpy(dtype=float), kind="stable")
        what = _bi("耦合协调度 D", "coupling coordination D") if ev.coupling is not None else _bi(
            names.zh.get(ev.framework.subsystems[0].id, "得分") + "得分", names.en.get(ev.framework.subsystems[0].id,
                                                                                    "score") + " score")
        for rank, i in enumerate(order[:3], start=1):
            label = " ".join(str(keys.iloc[i][c]) for c in keys.columns)
            bz, be = band_text(int(i))
            rr = ""
            if "rank_min" in h.columns:
                rr = f"{int(h['rank_min'].iloc[i])}–{int(h['rank_max'].iloc[i])}"
            cards.append({"label": _bi(f"第 {rank} 名：{label}", f"#{rank}: {label}"),
                          "value": fmt_index(h["value"].iloc[i]), "href": f"#sc-{_row_id(keys, int(i))}",
                          "sub": _bi(f"{what['zh']}；排名范围 {rr}；{bz}", f"{what['en']}; rank range {rr}; {be}")})
    p = ev.prepared
    n_fill = int((p.filled != "").to_numpy().sum())
    cards.append({"label": _bi("使用的指标", "Indicators used"), "value": f"{len(p.used)} / {len(ev.framework.indicators())}",
                  "href": "#indicators",
                  "sub": _bi(f"填补 {n_fill} / {p.values.size} 个单元格", f"{n_fill} of {p.values.size} cells filled")})
    if ev.attribution is not None:
        g = ev.attribution.grey.sort_values(["rank", "group"]).iloc[0]
        gr = ev.robustness.group_ranks.set_index("group") if ev.robustness is not None else None
        rr_zh = rr_en = ""
        if gr is not None and g["group"] in gr.index:
            a, b = int(_num(gr.at[g["group"], "rank_min"])), int(_num(gr.at[g["group"], "rank_max"]))
            rr_zh, rr_en = f"；方法组合下排序 {a}–{b}", f"; rank {a}–{b} over method variants"
        cards.append({"label": _bi("时间路径最相似的分组（灰色关联度：相似，不是归因）",
                                   "Group whose time path is most similar (grey grade: similarity, not attribution)"),
                      "value": fmt_index(g["grade"]), "href": "#attribution",
                      "sub": _bi(names.zh.get(g["group"], g["group"]) + rr_zh, names.en.get(g["group"], g["group"]) + rr_en)})
    return cards, lines


def _value_table(ev: Evaluation, names: _Names) -> Table:
    """Raw matrix: every used value, linked to its source, marked when filled or approximate."""
    p = ev.prepared
    shown = _cut(p.values) if p.values.size > HTML_MAX_CELLS else p.values
    used = [c for c in p.used if c in shown.columns]
    cut = _cut_note(p.values.shape[0], p.values.shape[1], shown.shape[0], shown.shape[1], "raw")
    keys = _keys(shown.index, ev.shape)
    cells = ev.panel.cells
    cells = cells[cells["series"].astype(str).isin(used)]  # the shown columns' provenance only
    prov = {(str(u), str(s), int(y)): r for u, s, y, r in zip(
        cells["unit"], cells["series"], cells["year"], cells.to_dict("records"), strict=True)}
    single = ev.panel.units[0] if len(ev.panel.units) == 1 else ""
    y0 = ev.panel.years[0]
    units = {s: display_unit(names.unit.get(s, "")) for s in used}
    cols = _key_cols(ev) + [(f"{names.zh.get(s, s)}（{units[s][1]}）" if units[s][1] else names.zh.get(s, s),
                             f"{names.en.get(s, s)} ({units[s][2]})" if units[s][2] else names.en.get(s, s), True)
                            for s in used]
    rows = []
    values = p.values.loc[shown.index, used].to_numpy(dtype=object)  # cell by cell below: arrays, not .at
    filled = p.filled.loc[shown.index, used].to_numpy(dtype=object)
    for i, k in enumerate(shown.index):
        unit, year = ((single, int(k)) if ev.shape == "time_series" else (str(k), y0)
                      if ev.shape == "cross_section" else (str(k[0]), int(k[1])))
        row = _key_cells(keys, i)
        for j, s in enumerate(used):
            factor = units[s][0]
            v = _num(values[i, j]) * factor
            fill = str(filled[i, j])
            obs = prov.get((unit, s, year))
            if obs is not None and not fill:
                q = str(obs.get("qualifier") or "")
                mark = {"about": "≈", "over": "≥", "at_least": "≥", "lower_bound_share": "≥", "under": "≤"}.get(q, "")
                title = " · ".join(str(t) for t in (QUALIFIERS.get(q, ("", ""))[1] if q else "", obs["observation_id"],
                                                      obs["source_id"], f"grade {obs['grade']}" if obs["grade"] else "",
                                                      obs["locator"]) if str(t) and str(t) != "nan")
                row.append(_c(mark + fmt_value(v), href=f"#src-{_slug(obs['source_id'])}", title=title,
                              cls=f"g{_slug(obs['grade']) if obs['grade'] else 'U'}"))
            else:
                mk = {"interpolated": MARK_INTERPOLATED, "carried": MARK_CARRIED, "imputed": MARK_IMPUTED}.get(fill, "")
                row.append(_c(fmt_value(v, 3) + mk, href="#decisions", title=fill,
                              cls={"interpolated": "imp", "carried": "carr", "imputed": "imp"}.get(fill, "miss")))
        rows.append(row)
    legend = _bi(
                     f"颜色 = 来源等级（A 官方统计，B 引用官方数据的政府/主流媒体，C 二手资料）；{MARK_INTERPOLATED} 线性插值，"
                     f"{MARK_CARRIED} 平推（沿用最近观测值，非插值），{MARK_IMPUTED} 以其他单元均值填补；≈ 约数，≥ 下限，≤ 上限（均按点值使用）。",
                     f"Colour = source grade (A official statistics, B government or major media quoting official "
                     f"figures, C secondary); {MARK_INTERPOLATED} interpolated, {MARK_CARRIED} carried from the nearest "
                     f"observation (not interpolated), {MARK_IMPUTED} filled with the other units' mean; ≈ approximate, "
                     "≥ lower bound, ≤ upper bound (each used as a point value).")
    if cut is not None:
        legend = {k: legend[k] + " " + cut[k] for k in legend}
    return Table("raw", _bi("原始数据矩阵（每个数值链接到来源）", "Raw data matrix (every value links to its source)"),
                 cols, rows, note=legend, collapsed=True, row_ids=[f"val-{_row_id(keys, i)}" for i in range(len(rows))])


def _keys(index: pd.Index, shape: str) -> pd.DataFrame:
    return row_keys(index, shape)  # the same keys the result tables carry


def _cut_note(n_rows: int, n_cols: int, shown_rows: int, shown_cols: int, csv: str) -> dict[str, str] | None:
    if (shown_rows, shown_cols) == (n_rows, n_cols):
        return None
    return _bi(f"表格较大：此处显示前 {shown_rows} 行、前 {shown_cols} 列（共 {n_rows} 行、{n_cols} 列）；完整表格见 tables/{csv}.csv。",
               f"A large table: the first {shown_rows} rows and {shown_cols} columns are shown here (of {n_rows} × "
               f"{n_cols}); the whole table is in tables/{csv}.csv.")


def _cut(df: pd.DataFrame) -> pd.DataFrame:
    """At most :data:`HTML_MAX_CELLS` cells: the first columns, then the first rows."""
    cols = max(1, min(df.shape[1], HTML_MAX_CELLS // max(len(df), 1), 60))
    rows = max(1, min(len(df), HTML_MAX_CELLS // cols))
    return df.iloc[:rows, :cols]


def _matrix(ev: Evaluation, df: pd.DataFrame, tid: str, title: dict[str, str], names: _Names,
            *, collapsed: bool = True, ranks: bool = False, prefix: str = "", csv: str = "") -> Table:
    full_shape = df.shape
    df = _cut(df) if df.size > HTML_MAX_CELLS else df
    cut = _cut_note(full_shape[0], full_shape[1], df.shape[0], df.shape[1], csv or tid)
    keys = _keys(df.index, ev.shape)
    cols = _key_cols(ev) + [names.col(c) for c in df.columns]
    if ranks:
        cols += [(f"{names.zh.get(c, c)} 排名", f"{names.en.get(c, c)} rank", True) for c in df.columns]
        rk = df.rank(ascending=False, method="min")
    rows = []
    for i in range(len(df)):
        row = _key_cells(keys, i) + [_c(fmt_index(v)) for v in df.iloc[i]]
        if ranks:
            row += [_c(int(v) if math.isfinite(v) else "—") for v in rk.iloc[i]]
        rows.append(row)
    return Table(tid, title, cols, rows, note=cut, collapsed=collapsed,
                 row_ids=[f"{prefix}{_row_id(keys, i)}" for i in range(len(rows))] if prefix else [])


def _long_table(df: pd.DataFrame, tid: str, title: dict[str, str], columns: Sequence[tuple[str, str, str, str]],
                *, collapsed: bool = True, note: dict[str, str] | None = None) -> Table:
    """``columns``: (field, zh, en, kind) with kind ``text``, ``index``, ``int``, ``bi:<field_zh>,<field_en>``."""
    cols = [(zh, en, kind in ("index", "int")) for _f, zh, en, kind in columns]
    rows = []
    for rec in df.to_dict("records"):
        row = []
        for f, _zh, _en, kind in columns:
            v = rec.get(f)
            if kind == "index":
                row.append(_c(fmt_index(v)))
            elif kind == "int":
                row.append(_c("—" if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)))
            elif kind.startswith("bi:"):
                a, b = kind[3:].split(",")
                row.append(_cb(str(rec.get(a, "")), str(rec.get(b, "")), cls="t"))
            else:
                text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                row.append(_c(text, cls="t" if len(text) > 24 else ""))
        rows.append(row)
    return Table(tid, title, cols, rows, note=note, collapsed=collapsed)


def _identification_tables(ev: Evaluation, names: _Names) -> list[Table]:
    """The designs tried (effect, interval, sample, or why not) and the single-pair benchmarks."""
    ident = ev.identification
    out: list[Table] = []
    if ident is None:
        return out
    if ident.runs:
        t = ident.table()
        t = t.assign(design_zh=[design_name(d)["zh"] for d in t["design"]],
                     design_en=[design_name(d)["en"] for d in t["design"]],
                     ci=[f"{fmt_index(a)} – {fmt_index(b)}" if math.isfinite(a) else "—"
                         for a, b in zip(t["ci_low"], t["ci_high"], strict=True)])
        est, nope = t[t["status"] == "estimated"], t[t["status"] != "estimated"]
        if not est.empty:
            out.append(_long_table(est, "designs", _bi("识别设计：已估计的城市间比较", "Designs that compare cities: estimated"), [
                ("design", "设计", "design", "bi:design_zh,design_en"), ("outcome", "结果变量", "outcome", "text"),
                ("shock", "冲击", "shock", "text"), ("effect", "效应", "effect", "index"), ("ci", "置信区间", "interval", "text"),
                ("p_value", "p 值", "p", "index"), ("n_clusters", "城市数", "cities", "int"), ("n_obs", "观测数", "obs.", "int"),
                ("warnings", "注意", "caveats", "text")], collapsed=False, note=_bi(
                    "效应为对数结果变量的差异（约等于百分比变化/100）；事件研究一行的效应为冲击后各期系数的平均，其平行趋势检验见摘要与 tables/identification.csv。",
                    "Effects are differences in the log outcome (≈ percentage change / 100); an event-study row's effect is "
                    "the mean of its post-shock coefficients, and its pre-trend test is in the summary and "
                    "tables/identification.csv.")))
        if not nope.empty:
            out.append(_long_table(nope, "designs-not-estimable", _bi(f"无法估计的设计（{len(nope)} 个）及原因",
                                                                      f"Designs not estimable ({len(nope)}) and why"), [
                ("design", "设计", "design", "bi:design_zh,design_en"), ("outcome", "结果变量", "outcome", "text"),
                ("shock", "冲击", "shock", "text"), ("reason", "原因", "why", "bi:reason_zh,reason_en")],
                collapsed=not est.empty))
    b = ident.benchmarks
    if not b.empty:
        lv = b[b["variant"] == "level"].copy()
        lv["name_zh"] = [("直线（趋势基准）" if x else names.zh.get(sv, sv)) for sv, x in zip(lv["series"], lv["is_benchmark"], strict=True)]
        lv["name_en"] = [("straight line (trend benchmark)" if x else names.en.get(sv, sv)) for sv, x in zip(lv["series"], lv["is_benchmark"], strict=True)]
        lv["verdict_zh"] = ["—" if x else ("相关" if a else "未胜过基准") for a, x in zip(lv["associated"], lv["is_benchmark"], strict=True)]
        lv["verdict_en"] = ["—" if x else ("associated" if a else "does not beat the benchmarks") for a, x in zip(lv["associated"], lv["is_benchmark"], strict=True)]
        lv["method_zh"] = lv["method"].map({"grey": "灰色关联度", "coupling": "耦合协调度 D"})
        lv["method_en"] = lv["method"].map({"grey": "grey grade", "coupling": "coupling D"})
        out.append(_long_table(lv, "benchmarks", _bi("安慰剂基准：单对城市的结果能否胜过一条直线", "Placebo benchmarks: does a single-pair result beat a straight line?"), [
            ("method", "统计量", "statistic", "bi:method_zh,method_en"), ("series", "对象", "compared", "bi:name_zh,name_en"),
            ("statistic", "值", "value", "index"), ("trend_statistic", "直线的值", "straight line", "index"),
            ("p_perm", "置换 p（保留趋势）", "permutation p (trend kept)", "index"),
            ("verdict", "结论", "verdict", "bi:verdict_zh,verdict_en")], collapsed=False, note=_bi(
                "一条与参照指数同样上升的直线作为“伪渠道”；只有同时胜过该直线（及其自身的直线）与保留趋势的置换检验（p < 0.05）的分组才称为“相关”。"
                "去趋势与一阶差分的结果见 tables/benchmarks.csv。",
                "A straight line rising like the reference is added as a pseudo-channel; a group is called associated "
                "only if it beats that line (and its own straight line) and the trend-preserving permutation "
                "(p < 0.05). Detrended and first-difference variants are in tables/benchmarks.csv.")))
    return out


def _charts(ev: Evaluation, names: _Names) -> list[_svg.Chart]:
    out: list[_svg.Chart] = []
    sc = ev.indices.scores
    subs = [s.id for s in ev.framework.subsystems]
    rb = ev.robustness
    if ev.shape == "time_series":
        x = [int(y) for y in sc.index]
        series = [(names.zh[s], names.en[s], sc[s].tolist()) for s in subs]
        band = None
        marks = []
        f = ev.prepared.filled
        for y in sc.index:
            row = f.loc[y]
            marks.append((MARK_INTERPOLATED if (row == "interpolated").any() else "")
                         + (MARK_CARRIED if (row == "carried").any() else ""))
        if ev.coupling is not None:
            series.append(("耦合协调度 D", "coupling coordination D", ev.coupling.table["D"].tolist()))
            if rb is not None and "q05" in rb.summary.columns:
                band = (rb.summary["q05"].tolist(), rb.summary["q95"].tolist())
        out.append(_svg.lines("indices", x, series, title=("子系统指数与耦合协调度", "Subsystem indices and coupling coordination"),
                              band=band, band_label=("D 的蒙特卡洛 5–95% 区间", "D, Monte Carlo 5–95 %"), marks=marks,
                              y_range=(0.0, 1.0)))
        for s in ev.framework.subsystems:
            groups = [g for g in ev.prepared.groups_used.get(s.id, ()) if g in sc.columns]
            if len(groups) >= 2:
                out.append(_svg.lines(f"groups-{_slug(s.id)}", x, [(names.zh[g], names.en[g], sc[g].tolist())
                                                                   for g in groups],
                                      title=(f"{s.name_zh}：各分组指数", f"{s.name_en}: group indices"),
                                      marks=marks, y_range=(0.0, 1.0)))
    else:
        h = ev.headline()
        keys = h[[c for c in ("unit", "year") if c in h.columns]]
        if ev.shape == "cross_section":
            order = np.argsort(-h["value"].to_numpy(dtype=float), kind="stable")
            labels = [(str(keys.iloc[i]["unit"]), str(keys.iloc[i]["unit"])) for i in order]
            out.append(_svg.bars("scores", labels, [float(h["value"].iloc[i]) for i in order],
                                 title=(("耦合协调度 D" if ev.coupling is not None else "综合得分") + "（横线：方法组合范围）",
                                        ("Coupling coordination D" if ev.coupling is not None else "Composite score")
                                        + " (whiskers: range over method variants)"),
                                 lo=[float(h["min"].iloc[i]) for i in order] if "min" in h.columns else None,
                                 hi=[float(h["max"].iloc[i]) for i in order] if "max" in h.columns else None))
        else:
            years = sorted(set(int(y) for y in keys["year"]))
            series = []
            for u in dict.fromkeys(keys["unit"]):
                sel = h[h["unit"] == u].set_index("year")["value"]
                series.append((str(u), str(u), [float(sel.get(y, np.nan)) for y in years]))
            out.append(_svg.lines("scores", years, series, title=(
                "各单元的" + ("耦合协调度 D" if ev.coupling is not None else "综合得分"),
                ("Coupling coordination D" if ev.coupling is not None else "Composite score") + " by unit"),
                y_range=(0.0, 1.0)))
    if ev.attribution is not None:
        g = ev.attribution.grey.sort_values(["rank", "group"])
        out.append(_svg.bars("trend-similarity", [(names.zh.get(x, x), names.en.get(x, x)) for x in g["group"]],
                             g["grade"].tolist(), title=("趋势相似度（灰色关联度）", "Trend similarity (grey relational grade)"),
                             x_range=(0.0, 1.0)))
    cov = ev.prepared.coverage
    if not cov.empty and len(cov) <= HEATMAP_MAX_CELLS:
        cov = cov.assign(col=cov["year"].astype(str) if ev.shape == "time_series" else cov["unit"].astype(str)
                         if ev.shape == "cross_section" else cov["unit"].astype(str) + " " + cov["year"].astype(str))
        series_codes: list[str] = [str(x) for x in dict.fromkeys(cov["series"])]
        colnames = list(dict.fromkeys(cov["col"]))
        piv = {(s, c): (st, gr) for s, c, st, gr in zip(cov["series"], cov["col"], cov["status"], cov["grade"],
                                                       strict=True)}
        cells = [[("obs" + (piv[(s, c)][1] or "")) if piv.get((s, c), ("", ""))[0] == "observed"
                  else piv.get((s, c), ("missing", ""))[0] for c in colnames] for s in series_codes]
        colours = {"obsA": "#1b7837", "obsB": "#4393c3", "obsC": "#e08214", "obsP": "#8c510a", "obs": "#999999",
                   "interpolated": "#fddbc7", "carried": "#e7d4e8", "imputed": "#fddbc7", "missing": "#f4f4f4"}
        legend = [("obsA", "A 官方", "A official"), ("obsB", "B 引用官方", "B quoting official"),
                  ("obsC", "C 二手", "C secondary"), ("obs", "无等级", "no grade"),
                  ("interpolated", "插值/填补", "filled"), ("carried", "平推", "carried"), ("missing", "缺失", "missing")]
        out.append(_svg.heatmap("coverage", [(names.zh.get(s, s), names.en.get(s, s)) for s in series_codes], colnames,
                                cells,
                                colours, legend, title=("数据覆盖（按来源等级）", "Coverage by source grade")))
    return out


def _context(ev: Evaluation, charts: list[_svg.Chart], lang: str, command: str) -> dict[str, Any]:
    fw, ind = ev.framework, ev.indices
    names = _Names(ev)
    cards, _lines = _headline(ev, names)
    warnings = [d for d in ev.decisions if d.code == "construct.no_bilateral"]
    ident = ev.identification
    statement = ident.headline if ident is not None else None
    results: list[Table] = []
    subs = [s.id for s in fw.subsystems]
    score_cols = [c for c in ind.scores.columns if c != "INDEX"]
    results.append(_matrix(ev, ind.scores[score_cols], "scores", _bi("得分（0–1）与排名", "Scores (0–1) and ranks"),
                           names, collapsed=False, ranks=ev.shape != "time_series", prefix="sc-", csv="scores"))
    if ev.coupling is not None:
        t = ev.coupling.table
        keys = _keys(ind.scores.index, ev.shape)
        cols = _key_cols(ev) + [names.col(s) for s in subs] + [("C", "C", True), ("T", "T", True), ("D", "D", True),
                                                               ("协调等级", "band", False)]
        if "ratio" in t.columns:
            cols += [(f"{names.zh[subs[1]]}/{names.zh[subs[0]]}", f"{names.en[subs[1]]}/{names.en[subs[0]]}", True),
                     ("相对发展类型", "relative development", False)]
        cols += [("C（王淑佳等 2021）", "C (Wang et al. 2021)", True), ("D（王淑佳等 2021）", "D (Wang et al. 2021)", True)]
        rows = []
        for i, rec in enumerate(t.to_dict("records")):
            row = _key_cells(keys, i) + [_c(fmt_index(rec[f"U_{s}"])) for s in subs]
            row += [_c(fmt_index(rec["C"])), _c(fmt_index(rec["T"])), _c(fmt_index(rec["D"])),
                    _cb(f"{rec['band']} {rec['band_zh']}", f"{rec['band']} {rec['band_en']}")]
            if "ratio" in t.columns:
                row += [_c(fmt_index(rec["ratio"])), _cb(rec["relative_zh"], rec["relative_en"])]
            row += [_c(fmt_index(rec["C_wang2021"])), _c(fmt_index(rec["D_wang2021"]))]
            rows.append(row)
        results.append(Table("coupling", _bi("耦合协调度", "Coupling coordination"), cols, rows, note=_bi(
            "C = n·(∏U)^(1/n)/ΣU，T = Σα·U，D = √(C·T)。" + ev.coupling.decisions[0].render("zh"),
            "C = n·(∏U)^(1/n)/ΣU, T = Σα·U, D = √(C·T). " + ev.coupling.decisions[0].render("en")),
            row_ids=[f"cp-{_row_id(keys, i)}" for i in range(len(rows))]))
    if ev.attribution is not None:
        g = ev.attribution.grey.sort_values(["rank", "group"])
        gr = ev.robustness.group_ranks.set_index("group") if ev.robustness is not None else pd.DataFrame()

        def rng(gid: str, a: str, b: str) -> str:
            if gid not in gr.index or not math.isfinite(_num(gr.at[gid, a])):
                return "—"
            lo, hi = int(_num(gr.at[gid, a])), int(_num(gr.at[gid, b]))
            return f"{lo}" if lo == hi else f"{lo}–{hi}"

        rows = [[names.cell(r["group"]), _c(fmt_index(r["grade"])), _c(int(r["rank"])),
                 _c(rng(r["group"], "rank_min", "rank_max")), _c(rng(r["group"], "settings_rank_min", "settings_rank_max")),
                 _c(rng(r["group"], "loo_rank_min", "loo_rank_max")), _c(fmt_index(r["diff_corr"]))]
                for r in g.to_dict("records")]
        results.append(Table("attribution", _bi(f"趋势相似度：各分组与“{names.zh[fw.reference_id]}”的灰色关联度",
                                                f"Trend similarity: grey relational grade against '{names.en[fw.reference_id]}'"),
                             [("分组", "group", False), ("关联度", "grade", True), ("排序", "rank", True),
                              ("方法组合下排序", "rank over method variants", True),
                              ("灰色设置下排序", "rank over grey settings", True), ("逐一剔除指标下排序", "rank leaving one out", True),
                              ("一阶差分相关", "first-difference corr.", True)], rows,
                             note=_bi("灰色关联度只比较两条时间序列的形状是否相似；共同的时间趋势会让所有关联度都高。它不是归因，也不衡量影响大小；"
                                      "一阶差分相关去掉了共同趋势，作为对照。",
                                      "The grey grade compares only the shapes of two time series; a common trend makes every "
                                      "grade high. It is not attribution and does not measure effect size; the correlation of "
                                      "first differences removes the common trend, as a check.")))
    if ident is not None:
        results += _identification_tables(ev, names)
    for s in fw.subsystems:
        og = ev.obstacles.groups
        og = og[og["subsystem"] == s.id]
        if og.empty:
            continue
        level = "group" if og["group"].nunique() > 1 else "series"
        src = og if level == "group" else ev.obstacles.indicators[ev.obstacles.indicators["subsystem"] == s.id]
        kc = [c for c in ("unit", "year") if c in src.columns]
        piv = src.pivot_table(index=kc, columns=level, values="obstacle", aggfunc="first", sort=False)
        results.append(_matrix(ev, piv.set_axis(ind.scores.index) if len(piv) == len(ind.scores) else piv,
                               f"obstacles-{_slug(s.id)}",
                               _bi(f"障碍度：{s.name_zh}（各{'分组' if level == 'group' else '指标'}，每行合计为1）",
                                   f"Obstacle degree: {s.name_en} (by {'group' if level == 'group' else 'indicator'}, "
                                   "rows sum to 1)"), names, collapsed=ev.shape != "time_series",
                               csv="obstacle_groups" if level == "group" else "obstacles"))
    if ev.robustness is not None:
        sm = ev.robustness.summary
        rcols: list[tuple[str, str, str, str]] = [
            ("nominal", "名义值", "nominal", "index"), ("min", "方法组合最小", "grid min", "index"),
            ("median", "方法组合中位", "grid median", "index"), ("max", "方法组合最大", "grid max", "index")]
        if "q05" in sm.columns:
            rcols += [("q05", "蒙特卡洛 5%", "Monte Carlo 5 %", "index"), ("q95", "蒙特卡洛 95%", "Monte Carlo 95 %", "index")]
        if "rank_min" in sm.columns:
            rcols += [("rank", "排名", "rank", "int"), ("rank_min", "最好排名", "best rank", "int"),
                      ("rank_max", "最差排名", "worst rank", "int")]
        kcols: list[tuple[str, str, str, str]] = [(c, z, e, "text") for c, z, e, _n in [("year", "年份", "year", False), ("unit", "单元", "unit", False)]
                 if c in sm.columns]
        hl = ev.robustness.headline
        results.append(_long_table(sm, "robustness", _bi(
            f"稳健性：{'耦合协调度 D' if hl == 'D' else names.zh.get(hl, hl)}", f"Robustness: {'coupling coordination D' if hl == 'D' else names.en.get(hl, hl)}"),
            kcols + rcols, collapsed=False))
    intermediate: list[Table] = [_value_table(ev, names)]
    intermediate.append(_matrix(ev, ind.normalised, "normalised", _bi("标准化矩阵（0–1，已按方向调整）",
                                                                      "Standardised matrix (0–1, direction applied)"), names))
    w = ind.weights.assign(name_zh=[names.zh.get(s, s) for s in ind.weights["series"]],
                           name_en=[names.en.get(s, s) for s in ind.weights["series"]])
    wcols = [("series", "代码", "code", "text"), ("name", "指标", "indicator", "bi:name_zh,name_en"),
             ("subsystem", "子系统", "subsystem", "text"), ("group", "分组", "group", "text")]
    if "e" in w.columns:
        wcols += [("e", "信息熵 e", "entropy e", "index"), ("d", "差异系数 d", "divergence d", "index")]
    if "C" in w.columns:
        wcols += [("sd", "标准差 σ", "contrast σ", "index"), ("conflict", "冲突性", "conflict", "index"),
                  ("C", "信息量 C", "information C", "index")]
    wcols += [("weight", "权重 w", "weight w", "index"), ("group_weight", "分组内权重", "within group", "index")]
    intermediate.append(_long_table(w, "weights", _bi("权重（子系统内计算）", "Weights (computed within each subsystem)"), wcols,
                                    collapsed=False))
    if not ind.topsis.empty:
        intermediate.append(_long_table(ind.topsis, "topsis", _bi("TOPSIS：正负理想解距离与贴近度",
                                                                  "TOPSIS: distances to the ideal and anti-ideal, closeness"),
                                        [("code", "分组", "group", "text"), ("row", "行", "row", "text"),
                                         ("d_plus", "D⁺", "D⁺", "index"), ("d_minus", "D⁻", "D⁻", "index"),
                                         ("closeness", "贴近度", "closeness", "index")]))
    if ev.attribution is not None:
        coef = ev.attribution.coefficients.set_axis(ind.scores.index)
        intermediate.append(_matrix(ev, coef[list(ev.attribution.groups)], "grey-coefficients",
                                    _bi("灰色关联系数", "Grey relational coefficients"), names, csv="grey_coefficients"))
    if ev.robustness is not None and not ev.robustness.loo.empty:
        intermediate.append(_long_table(ev.robustness.loo, "loo", _bi("逐一剔除指标", "Leave one indicator out"), [
            ("series", "剔除的指标", "indicator left out", "text"), ("group", "分组", "group", "text"),
            ("max_abs_change", "最大变化", "largest change", "index"), ("change_row", "出现于", "at", "text"),
            ("ranks", "分组排序", "group ranks", "text"), ("note", "说明", "note", "text")]))
    it = ev.indicator_table()
    ind_table = _long_table(it, "indicators", _bi("指标", "Indicators"), [
        ("series", "代码", "code", "text"), ("name", "指标", "indicator", "bi:name_zh,name_en"),
        ("subsystem", "子系统", "subsystem", "text"), ("group", "分组", "group", "text"), ("unit", "单位", "unit", "text"),
        ("direction", "方向", "direction", "int"), ("link", "关联类型", "link", "text"),
        ("n_observed", "观测数", "observed", "int"), ("n_interpolated", "插值", "interpolated", "int"),
        ("n_carried", "平推", "carried", "int"), ("weight", "权重", "weight", "index"),
        ("status", "状态", "status", "text"), ("reason", "原因", "reason", "bi:reason_zh,reason_en")], collapsed=True)
    used_src = set(ev.panel.cells["source_id"].astype(str))
    src = ev.panel.sources[ev.panel.sources["id"].astype(str).isin(used_src)]
    decisions = [{"code": d.code, "kind": d.kind, "zh": d.render("zh"), "en": d.render("en")} for d in ev.decisions]
    r = ev.recipe
    return {
        "lang": lang, "fw": fw, "version": __version__, "command": command, "panel_label": ev.panel.label,
        "shape": _bi(*_SHAPES[ev.shape]), "span": (f"{ev.years[0]}–{ev.years[-1]}" if ev.years and ev.years[0] else ""),
        "n_units": len(ev.panel.units), "cards": cards, "warnings": warnings,
        "charts": {c.name: c for c in charts}, "results": results, "intermediate": intermediate,
        "ind_table": ind_table, "decisions": decisions, "sources": src.to_dict("records"),
        "slug": _slug, "recipe_json": r.to_json(), "time_series": ev.shape == "time_series",
        "is_pair": fw.partner is not None, "statement": statement,
        "has_coupling": ev.coupling is not None,
    }


def render_html(ev: Evaluation, charts: list[_svg.Chart], *, lang: str = "zh", command: str = "hkfactor evaluate") -> str:
    """Render the report page (a string); deterministic for a given evaluation."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    tpl = env.get_template("evaluation.html.j2")
    css = markupsafe.Markup((_TEMPLATES / "evaluation.css").read_text(encoding="utf-8"))
    svgs = {k: markupsafe.Markup(c.svg) for k, c in _context_charts(charts).items()}
    return tpl.render(css=css, svgs=svgs, **_context(ev, charts, lang, command))


def _context_charts(charts: list[_svg.Chart]) -> dict[str, _svg.Chart]:
    return {c.name: c for c in charts}


def sheet_name(key: str) -> str:
    """The workbook's sheet name of a table: ``中文 English`` cut to Excel's 31 characters."""
    zh, en = TABLES.get(key, (key, key))
    return re.sub(r"[\[\]:*?/\\]", " ", f"{zh} {en}")[:31]


def write_tables(ev: Evaluation, out_dir: str | Path, *, excel: bool = True) -> tuple[list[Path], Path | None]:
    """Write every table of :meth:`Evaluation.tables` as CSV (UTF-8 with BOM) and one Excel workbook."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    tables = ev.tables()
    for name, df in tables.items():
        paths.append(write_csv(df, out / f"{name}.csv", encoding="utf-8-sig", float_format="%.10g"))
    xlsx: Path | None = None
    if excel:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            return paths, None
        kept = {sheet_name(name): df for name, df in tables.items() if df.size <= XLSX_MAX_CELLS}
        left = [name for name, df in tables.items() if df.size > XLSX_MAX_CELLS]
        if left:
            kept["说明 Notes"] = pd.DataFrame({
                "table": left, "csv": [f"tables/{n}.csv" for n in left],
                "zh": [f"表格超过 {XLSX_MAX_CELLS} 个单元格，未写入工作簿；见 CSV 文件" for _n in left],
                "en": [f"more than {XLSX_MAX_CELLS} cells: not in the workbook; see the CSV file" for _n in left]})
        xlsx = write_excel(kept, out / "evaluation.xlsx")
    return paths, xlsx


def write_report(
    ev: Evaluation,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    command: str = "hkfactor evaluate",
    progress: Callable[[str], None] | None = None,
    extra_files: dict[str, Path] | None = None,
) -> ReportFiles:
    """Write the HTML report, its tables, figures and recipe into ``out_dir``, as one unit.

    Everything is written into a staging folder beside ``out_dir``
    (:func:`hkfactor.io.write_folder_atomically`), which then replaces ``out_dir`` whole: a reader
    (or a kill at any moment) sees the old report or the new one, complete, never a mixture. A
    folder holding files hkfactor did not write is not replaced (an :class:`InputError` says so).
    ``extra_files`` (name → path) are copied in too (the inputs of a saved project).
    """
    say = progress or (lambda _s: None)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), None, None, "the output path is an existing file, not a folder")],
                         title="invalid --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    with write_folder_atomically(out) as tmp:
        say("figures")
        charts = _charts(ev, _Names(ev))
        (tmp / "figures").mkdir()
        for c in charts:
            for lg in ("zh", "en"):
                with atomic_write(tmp / "figures" / f"{c.name}.{lg}.svg") as fh:
                    fh.write(_svg.standalone(c, lg))
        say("tables")
        tables, xlsx = write_tables(ev, tmp / "tables")
        with atomic_write(tmp / "recipe.json") as fh:
            fh.write(ev.recipe.to_json())
        for name, src in (extra_files or {}).items():
            dest = tmp / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        say("report")
        with atomic_write(tmp / "report.html") as fh:
            fh.write(render_html(ev, charts, lang=lang, command=command))
    figs = tuple(sorted((out / "figures").glob("*.svg")))
    return ReportFiles(out / "report.html", tuple(out / "tables" / q.name for q in tables),
                       out / "tables" / "evaluation.xlsx" if xlsx else None, figs, out / "recipe.json")
