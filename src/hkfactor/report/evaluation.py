"""The evaluation report: one self-contained bilingual HTML file, with its tables and figures.

``write_report(ev, out_dir)`` writes (everything into a temporary sibling folder first, moved into
place only when complete, ``report.html`` last)::

    out_dir/report.html          offline, self-contained (inline CSS and SVG, no script)
    out_dir/tables/*.csv         every result table (UTF-8 with BOM so Excel opens it right)
    out_dir/tables/evaluation.xlsx   the same tables, one sheet each
    out_dir/figures/*.svg|png    the figures (deterministic SVG)
    out_dir/recipe.json          the recipe and the decisions

The HTML holds both languages; a pure-CSS switch at the top shows 中文 or English, and
``lang`` chooses which one is shown first. Rendering is deterministic: fixed float formats,
fixed ids, no timestamps — two runs on the same input are byte-identical.

Every number links to where it comes from: each observed value to its row in the sources
table (with the locator as tooltip), each computed number to the input values of its year
or to its channel's indicators.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import markupsafe
import pandas as pd

from hkfactor import __version__
from hkfactor._io import atomic_path, atomic_write
from hkfactor.errors import InputError, Problem
from hkfactor.evaluation import Evaluation
from hkfactor.evaluation._pipeline import C_NEAR_ONE, MARK_CARRIED, MARK_INTERPOLATED
from hkfactor.evaluation._spec import QUALIFIERS
from hkfactor.report.figures import Figure, render_figures

__all__ = ["ReportFiles", "render_html", "write_report", "write_tables"]

_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ReportFiles:
    """Paths written by :func:`write_report`."""

    html: Path
    tables: tuple[Path, ...]
    excel: Path | None
    figures: tuple[Path, ...]
    recipe: Path


def _rows(df: pd.DataFrame) -> list[Any]:
    """Rows as attribute records (typed ``Any`` for the template code)."""
    return [SimpleNamespace(**{str(k): v for k, v in rec.items()}) for rec in df.to_dict("records")]


def _slug(s: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(s)).strip("-") or "x"


def fmt_index(v: Any) -> str:
    """Indices, grades, weights: three decimals; NaN as an em dash."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    return "—" if math.isnan(f) else f"{f:.3f}"


def fmt_value(v: Any) -> str:
    """An observed value as a person reads it: thousands separators, at most 4 significant decimals."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(f):
        return "—"
    if math.isinf(f):  # the readers reject these; never crash on them
        return "∞" if f > 0 else "−∞"
    if f == int(f) and abs(f) < 1e15:
        return f"{int(f):,}"
    a = abs(f)
    if a >= 100:
        return f"{f:,.1f}"
    if a >= 1:
        return f"{f:.3f}".rstrip("0").rstrip(".")
    return f"{f:.4g}"


def _context(ev: Evaluation, figs: list[Figure], lang: str, command: str) -> dict[str, Any]:
    fw = ev.framework
    cells = ev.panel.cells
    prov = {(str(r.series), int(r.year)): r for r in _rows(cells)}
    inds = ev.indicators
    used = inds[inds["status"] == "used"]

    def chan(cid: str) -> dict[str, str]:
        ch = fw.channel(cid)
        return {"id": cid, "slug": _slug(cid), "zh": ch.name_zh, "en": ch.name_en}

    # Values table: used series × kept years, each cell linked to its source.
    obs_years: dict[str, list[int]] = {
        str(k): sorted(int(y) for y in g) for k, g in cells.groupby("series")["year"]} if not cells.empty else {}
    value_rows = []
    for r in _rows(inds):
        s = str(r.series)
        row_cells = []
        for y in ev.years:
            p = prov.get((s, y))
            fill = str(ev.filled.loc[y, s]) if s in ev.filled.columns else ""
            if p is not None:
                qual = str(getattr(p, "qualifier", "") or "")
                qual = "" if qual in {"exact", "nan"} else qual
                q_zh, q_en, q_mark = QUALIFIERS.get(qual, ("", "", "")) if qual else ("", "", "")
                if qual and not q_mark:
                    q_zh, q_en, q_mark = (f"限定词 {qual}，按点值使用", f"qualifier {qual}, used as a point value", "~")
                row_cells.append({"text": q_mark + fmt_value(p.value), "href": f"#src-{_slug(p.source_id)}",
                                  "title": " · ".join(str(t) for t in (
                                      f"{q_en} / {q_zh}" if qual else "", p.observation_id, p.source_id,
                                      f"grade {p.grade}" if p.grade else "", p.locator, p.note)
                                      if str(t) and str(t) != "nan"),
                                  "cls": f"g{_slug(p.grade) if p.grade else 'U'}" + (" approx" if qual else "")})
            elif fill == "interpolated":
                yrs = obs_years.get(s, [])
                a_y = max((v for v in yrs if v < y), default=None)
                b_y = min((v for v in yrs if v > y), default=None)
                row_cells.append({"text": fmt_value(ev.values.loc[y, s]) + MARK_INTERPOLATED, "href": "#decisions",
                                  "title": f"interpolated between {a_y} and {b_y} / 在 {a_y} 与 {b_y} 年之间线性插值",
                                  "cls": "imp"})
            elif fill == "carried":
                yrs = obs_years.get(s, [])
                src_y = max((v for v in yrs if v < y), default=None) or min((v for v in yrs if v > y), default=None)
                row_cells.append({"text": fmt_value(ev.values.loc[y, s]) + MARK_CARRIED, "href": "#decisions",
                                  "title": f"carried from {src_y}, not interpolated / 沿用 {src_y} 年数值（平推，非插值）",
                                  "cls": "carr"})
            else:
                row_cells.append({"text": "", "href": "", "title": "", "cls": "miss"})
        value_rows.append({"series": s, "slug": _slug(s), "zh": r.name_zh, "en": r.name_en, "unit": r.unit,
                           "used": r.status == "used", "cells": row_cells})

    indicator_rows = [{
        "series": r.series, "slug": _slug(r.series), "subsystem": r.subsystem, "channel": chan(str(r.channel)),
        "zh": r.name_zh, "en": r.name_en, "unit": r.unit, "direction": "+" if int(r.direction) > 0 else "−",
        "section": r.section, "n": int(r.n_observed), "n_kept": int(r.n_observed_kept), "n_imp": int(r.n_imputed),
        "used": r.status == "used", "reason_zh": r.reason_zh, "reason_en": r.reason_en,
        "weight": fmt_index(r.weight), "cweight": fmt_index(r.channel_weight),
        "link": getattr(r, "link", "unspecified"), "n_carr": int(getattr(r, "n_carried", 0)),
        "n_approx": int(getattr(r, "n_approximate", 0)),
    } for r in _rows(inds)]

    def year_mark(n_int: int, n_car: int, n_apx: int = 0) -> dict[str, str]:
        mark = (MARK_INTERPOLATED if n_int else "") + (MARK_CARRIED if n_car else "")
        parts_en = [f"{n} {w}" for n, w in ((n_int, "interpolated"), (n_car, "carried"), (n_apx, "approximate/bound"))
                    if n]
        parts_zh = [f"{w} {n} 个" for n, w in ((n_int, "插值"), (n_car, "平推"), (n_apx, "约数/上下限")) if n]
        title = (f"inputs include {', '.join(parts_en)} cell(s) / 输入含{'，'.join(parts_zh)}" if parts_en else "")
        return {"mark": mark + ("≈" if n_apx else ""), "title": title}

    cp_df = ev.coupling
    coupling_rows = [{
        "year": int(r.year), "U_hk": fmt_index(r.U_hk), "U_sz": fmt_index(r.U_sz), "C": fmt_index(r.C),
        "T": fmt_index(r.T), "D": fmt_index(r.D), "band": int(r.band), "band_zh": r.band_zh, "band_en": r.band_en,
        "ratio": fmt_index(r.ratio), "rel_zh": r.relative_zh, "rel_en": r.relative_en,
        "C_w": fmt_index(r.C_wang2021), "D_w": fmt_index(r.D_wang2021),
        **year_mark(int(r.n_interpolated), int(r.n_carried), int(r.n_approximate)),
    } for r in _rows(cp_df)]
    hk_marks = {int(r.year): year_mark(int(r.n_interpolated_hk), int(r.n_carried_hk)) for r in _rows(cp_df)}
    hk_carried = {int(r.year): int(r.n_carried_hk) > 0 for r in _rows(cp_df)}

    chans = [chan(str(c)) for c in ev.channel_index.columns]
    channel_rows = [{"year": int(y), "vals": [fmt_index(ev.channel_index.loc[y, c["id"]]) for c in chans],
                     **hk_marks[int(y)]} for y in ev.channel_index.index]
    obstacle_rows = [{"year": int(y), "vals": [fmt_index(ev.obstacle.loc[y, c["id"]]) for c in chans],
                      "carried": hk_carried[int(y)], **hk_marks[int(y)]}
                     for y in ev.obstacle.index]
    carried_obstacle_years = [r["year"] for r in obstacle_rows if r["carried"]]
    gr = ev.grey.merge(ev.grey_robustness, on=["channel", "rank"])

    def rng(lo: Any, hi: Any) -> str:
        try:
            a_, b_ = int(lo), int(hi)
        except (TypeError, ValueError):
            return "—"
        return f"{a_}" if a_ == b_ else f"{a_}–{b_}"

    grey_rows = [{"channel": chan(str(r.channel)), "grade": fmt_index(r.grade), "rank": int(r.rank),
                  "rank_min": int(r.rank_min), "rank_max": int(r.rank_max),
                  "variants": rng(r.rank_min, r.rank_max),
                  "settings": rng(r.settings_rank_min, r.settings_rank_max),
                  "grade_range": f"{fmt_index(r.settings_grade_min)}–{fmt_index(r.settings_grade_max)}",
                  "loo": rng(r.loo_rank_min, r.loo_rank_max) if not pd.isna(r.loo_rank_min) else "—",
                  "diff_corr": fmt_index(r.diff_corr),
                  "n_ind": int((used["channel"] == r.channel).sum())}
                 for r in _rows(gr.sort_values(["rank", "channel"]))]
    rob_rows = [{"year": int(r.year), "D": fmt_index(r.D), "D_min": fmt_index(r.D_min),
                 "D_median": fmt_index(r.D_median), "D_max": fmt_index(r.D_max), "U": fmt_index(r.U_hk),
                 "U_min": fmt_index(r.U_hk_min), "U_max": fmt_index(r.U_hk_max),
                 "D_w": fmt_index(r.D_wang2021),
                 "D_mc": (f"{fmt_index(r.D_mc_q05)}–{fmt_index(r.D_mc_q95)}" if hasattr(r, "D_mc_q05") else "—")}
                for r in _rows(ev.robustness)]
    loo_rows = [{"series": str(r.series), "slug": _slug(r.series), "channel": chan(str(r.channel)),
                 "dD": fmt_index(r.D_max_abs_change),
                 "year": "" if pd.isna(r.D_change_year) else int(r.D_change_year),
                 "ranks": str(r.ranks), "changed": bool(r.rank_changed), "note": str(r.note)}
                for r in _rows(ev.loo)]
    loo_max = (ev.loo.sort_values(["D_max_abs_change", "series"], ascending=[False, True]).iloc[0]
               if not ev.loo.empty and ev.loo["D_max_abs_change"].notna().any() else None)
    c_vals = cp_df["C"].to_numpy(dtype=float)
    n_c1 = int((c_vals >= C_NEAR_ONE).sum())
    construct = next((d for d in ev.decisions if d.kind == "construct"), None)

    use_count = cells.groupby("source_id").size().to_dict() if not cells.empty else {}
    source_rows = [{"id": r.id, "slug": _slug(r.id), "title_zh": r.title_zh, "title_en": r.title_en,
                    "publisher": r.publisher, "url": r.url, "is_link": str(r.url).startswith(("http://", "https://")),
                    "grade": r.grade, "n": int(use_count.get(r.id, 0))}
                   for r in _rows(ev.panel.sources) if use_count.get(r.id, 0)]

    last = coupling_rows[-1]
    first = coupling_rows[0]
    top = grey_rows[0] if grey_rows else None
    n_cells = len(ev.years) * len(used)
    n_imp = int(ev.imputed.to_numpy().sum())
    grades = cells[cells["series"].isin(set(used["series"])) & cells["year"].isin(ev.years)]["grade"]
    grade_counts = {g or "—": int(n) for g, n in sorted(grades.value_counts().items())}
    return {
        "lang": lang, "fw": fw, "version": __version__, "command": command,
        "panel_label": ev.panel.label, "years": ev.years, "year_span": f"{ev.years[0]}–{ev.years[-1]}",
        "recipe": ev.recipe, "recipe_json": ev.recipe.to_json(),
        "decisions": ev.decisions, "figs": {f.name: f for f in figs},
        "indicator_rows": indicator_rows, "value_rows": value_rows, "coupling_rows": coupling_rows,
        "chans": chans, "channel_rows": channel_rows, "obstacle_rows": obstacle_rows,
        "grey_rows": grey_rows, "rob_rows": rob_rows, "source_rows": source_rows,
        "first": first, "last": last, "top": top,
        "n_used": len(used), "n_total": len(inds), "n_cells": n_cells, "n_imp": n_imp,
        "grade_counts": grade_counts, "n_variants": int(ev.robustness["n_variants"].iloc[0]),
        "n_carr": int((ev.filled == "carried").to_numpy().sum()) if not ev.filled.empty else 0,
        "n_interp": int((ev.filled == "interpolated").to_numpy().sum()) if not ev.filled.empty else 0,
        "n_chan_used": len(ev.channel_index.columns), "n_chan_total": len(fw.channels),
        "loo_rows": loo_rows, "loo_max": loo_max, "carried_obstacle_years": carried_obstacle_years,
        "c_min": fmt_index(float(c_vals.min())) if len(c_vals) else "—",
        "c_max": fmt_index(float(c_vals.max())) if len(c_vals) else "—",
        "n_c1": n_c1, "n_years": len(c_vals), "c_near_one": C_NEAR_ONE,
        "c_mostly_one": n_c1 > len(c_vals) / 2, "c_always_one": n_c1 == len(c_vals),
        "construct": construct, "no_bilateral": construct is not None and construct.subject != "bilateral",
        "mark_i": MARK_INTERPOLATED, "mark_c": MARK_CARRIED,
        "grey_rhos": ", ".join(f"{x:g}" for x in ev.recipe.grey_rhos),
    }


def render_html(ev: Evaluation, figs: list[Figure], *, lang: str = "zh", command: str = "hkfactor evaluate") -> str:
    """Render the report page (a string); deterministic for a given evaluation and figures."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    tpl = env.get_template("evaluation.html.j2")
    # The project's own stylesheet, inserted as is: escaping it would turn its quotes into &#34;
    # and browsers would drop the font declarations.
    css = markupsafe.Markup((_TEMPLATES / "evaluation.css").read_text(encoding="utf-8"))
    return tpl.render(css=css, **_context(ev, figs, lang, command))


def write_tables(ev: Evaluation, out_dir: str | Path, *, excel: bool = True) -> tuple[list[Path], Path | None]:
    """Write every table of :meth:`Evaluation.tables` as CSV (UTF-8 with BOM) and one Excel workbook."""
    out = Path(out_dir)
    paths: list[Path] = []
    tables = ev.tables()
    for name, df in tables.items():
        p = out / f"{name}.csv"
        with atomic_write(p, encoding="utf-8-sig") as fh:
            df.to_csv(fh, index=False, float_format="%.10g", lineterminator="\n")
        paths.append(p)
    xlsx: Path | None = None
    if excel:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            return paths, None
        xlsx = out / "evaluation.xlsx"
        with atomic_path(xlsx) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                for name, df in tables.items():
                    df.to_excel(xw, sheet_name=name[:31], index=False)
    return paths, xlsx


def write_report(
    ev: Evaluation,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    command: str = "hkfactor evaluate",
    progress: Callable[[str], None] | None = None,
) -> ReportFiles:
    """Write the HTML report, its tables, figures and recipe into ``out_dir``.

    Everything is first written into a temporary sibling folder (``.NAME.partial-*``); only when
    every file is complete are they moved into ``out_dir`` (``os.replace``, file by file, with
    ``report.html`` last). A failure on the way leaves ``out_dir`` as it was and removes the
    temporary folder: never a half-written report. Other files in ``out_dir`` are left alone.
    """
    say = progress or (lambda _s: None)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), None, None, "the output path is an existing file, not a folder")],
                         title="invalid --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        say("figures")
        figs = render_figures(ev, tmp / "figures")
        say("tables")
        tables, xlsx = write_tables(ev, tmp / "tables")
        with atomic_write(tmp / "recipe.json") as fh:
            json.dump({"recipe": ev.recipe.to_dict(), "years": ev.years, "framework": ev.framework.id,
                       "data": ev.panel.label, "decisions": [asdict(d) for d in ev.decisions]},
                      fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.write("\n")
        say("report")
        with atomic_write(tmp / "report.html") as fh:
            fh.write(render_html(ev, figs, lang=lang, command=command))
        written = sorted((q for q in tmp.rglob("*") if q.is_file()), key=lambda q: (q.name == "report.html", str(q)))
        out.mkdir(exist_ok=True)
        for q in written:
            dest = out / q.relative_to(tmp)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(q, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def moved(q: Path) -> Path:
        return out / q.relative_to(tmp)

    fig_paths = tuple(moved(q) for f in figs for q in (f.svg_path, f.png_path) if q is not None)
    return ReportFiles(out / "report.html", tuple(moved(q) for q in tables), moved(xlsx) if xlsx else None,
                       fig_paths, out / "recipe.json")
