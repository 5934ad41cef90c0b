"""The ONE place where the web face calls the evaluation (:mod:`hkfactor.evaluation`).

Everything the Evaluation page and the Workbench need goes through this module, written
against the public API only (``from hkfactor.evaluation import …``, :func:`hkfactor.read_table`,
:func:`hkfactor.detect_layout`, :func:`hkfactor.report.evaluation.write_report`). The pages and
the JSON API consume the plain, JSON-able dicts it returns:

* :func:`builtin_page` — the built-in evaluation: the identification headline, the robustness
  band of D, the placebo benchmarks, the designs, indicators and decisions (computed once);
* :func:`builtin_variant` — the method-dependent results (indices, coupling, trend similarity,
  ranks) for a changed recipe, via :meth:`Evaluation.what_if` with ``robustness=False``,
  cached per recipe (bounded);
* :func:`inspect_table`, :func:`mapping_framework`, :func:`read_upload`, :func:`evaluate_upload`
  and :func:`result_view` — the workbench: read a user's file, build a framework from a
  column mapping, evaluate, and show every table.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.errors import HKFactorError, InputError, Problem
from hkfactor.messages import Message, render
from hkfactor.web._i18n import tr

__all__ = [
    "COVERAGES",
    "Inspection",
    "builtin_evaluation",
    "builtin_page",
    "builtin_series",
    "builtin_variant",
    "default_recipe",
    "evaluate_upload",
    "inspect_table",
    "mapping_framework",
    "problem_rows",
    "read_upload",
    "result_view",
    "table_json",
]

#: ``min_year_coverage`` values the evaluation page offers (the span search is re-run).
COVERAGES: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
#: Most recipes whose what-if result is kept (each is a few hundred kB).
MAX_VARIANTS = 64
#: Most rows of one table sent to a page (the downloads hold every row).
MAX_TABLE_ROWS = 400


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _cell(v: Any) -> Any:
    """A table cell as JSON: numbers as numbers (NaN → None), everything else as text."""
    if v is None:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return _num(v)
    if isinstance(v, Message):
        return v.render("en")
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def table_json(df: pd.DataFrame, *, max_rows: int = MAX_TABLE_ROWS) -> dict[str, Any]:
    """A DataFrame as ``{"columns", "numeric", "rows", "total"}`` (at most ``max_rows`` rows)."""
    cols = [str(c) for c in df.columns]
    numeric = [bool(pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]))
               for c in df.columns]
    rows = [[_cell(v) for v in rec] for rec in df.head(max_rows).itertuples(index=False, name=None)]
    return {"columns": cols, "numeric": numeric, "rows": rows, "total": len(df)}


def _names(fw: Any, lang: str) -> dict[str, str]:
    """Subsystem and group id → label in ``lang``."""
    out = {"INDEX": "综合指数" if lang == "zh" else "Overall index"}
    for s in fw.subsystems:
        for g in s.walk():
            out[g.id] = g.name(lang)
    return out


def _row_labels(ev: Any) -> list[str]:
    """A label per evaluated row: the year, the unit, or ``unit year``."""
    idx = ev.indices.scores.index
    if ev.shape == "time_series":
        return [str(y) for y in ev.years]
    if ev.shape == "cross_section":
        return [str(k[0] if isinstance(k, tuple) else k) for k in idx]
    return [" ".join(str(x) for x in (k if isinstance(k, tuple) else (k,))) for k in idx]


# ---------------------------------------------------------------------- method-dependent results


def variant_view(ev: Any, lang: str) -> dict[str, Any]:
    """What changes with the methods: indices, coupling, trend similarity and ranks, in ``lang``."""
    zh = lang == "zh"
    names = _names(ev.framework, lang)
    rows = _row_labels(ev)
    sc = ev.indices.scores
    subs = [s.id for s in ev.framework.subsystems]
    groups = [c for c in sc.columns if c not in subs and c != "INDEX"]
    order = [*subs, *groups]
    indices = {
        "rows": rows,
        "columns": [{"id": c, "label": names.get(c, c), "subsystem": c in subs} for c in order],
        "values": [[_num(sc[c].iloc[i]) for c in order] for i in range(len(sc))],
        "ranks": [[int(r) if (r := _num(sc[c].rank(ascending=False, method="min").iloc[i])) is not None else None
                   for c in order] for i in range(len(sc))],
    }
    coupling = None
    if ev.coupling is not None:
        t = ev.coupling.table
        coupling = {
            "subsystems": [{"id": s, "label": names.get(s, s)} for s in ev.coupling.subsystems],
            "rows": [{"row": rows[i],
                      "U": [_num(t[f"U_{s}"].iloc[i]) for s in ev.coupling.subsystems],
                      "C": _num(t["C"].iloc[i]), "T": _num(t["T"].iloc[i]), "D": _num(t["D"].iloc[i]),
                      "band": str(t["band_zh" if zh else "band_en"].iloc[i]),
                      "relative": str(t["relative_zh" if zh else "relative_en"].iloc[i])
                      if "relative_en" in t.columns else ""}
                     for i in range(len(t))],
        }
    grey = None
    if ev.attribution is not None:
        g = ev.attribution.grey.sort_values("rank")
        grey = {"reference": names.get(ev.attribution.reference, ev.attribution.reference),
                "rows": [{"group": str(r["group"]), "label": names.get(str(r["group"]), str(r["group"])),
                          "grade": _num(r["grade"]), "rank": int(r["rank"]), "diff_corr": _num(r.get("diff_corr"))}
                         for r in g.to_dict("records")]}
    head = ev.headline()
    ranking = None
    if "rank" in head.columns:  # one subsystem: its score ranks the rows (units, or years)
        ranking = sorted(({"row": rows[i], "value": _num(head["value"].iloc[i]), "rank": int(head["rank"].iloc[i])}
                          for i in range(len(head))), key=lambda r: (r["rank"], r["row"]))
    charts: dict[str, dict[str, Any]] = {"indices": {"kind": "line" if ev.shape == "time_series" else "bar", "x": rows,
                          "series": [{"name": names.get(c, c), "data": [_num(v) for v in sc[c]]} for c in subs],
                          "ymax": 1, "title": "子系统指数" if zh else "Subsystem indices"}}
    if coupling is not None:
        charts["coupling"] = {"kind": "line", "x": rows, "ymax": 1, "title": "耦合协调度 D" if zh else "Coupling coordination D",
                              "series": [{"name": k, "data": [r[k] for r in coupling["rows"]]} for k in ("D", "C", "T")]}
    if grey is not None:
        charts["grey"] = {"kind": "bar", "x": [r["label"] for r in grey["rows"]], "ymax": 1,
                          "title": ("灰色关联度（对照 {0}）" if zh else "Grey grade against {0}").format(grey["reference"]),
                          "series": [{"name": "灰色关联度" if zh else "grade", "data": [r["grade"] for r in grey["rows"]]}]}
    if ranking is not None:
        charts["ranking"] = {"kind": "bar", "x": [r["row"] for r in ranking], "ymax": 1,
                             "title": "综合得分（按排名）" if zh else "Scores by rank",
                             "series": [{"name": names.get(subs[0], subs[0]), "data": [r["value"] for r in ranking]}]}
    r = ev.recipe
    display = _display(ev.shape, indices, coupling, grey, ranking, lang)
    return {"ok": True, "display": display, "recipe": {"normalisation": r.normalisation, "weighting": r.weighting,
                                   "aggregation": r.aggregation, "min_year_coverage": r.min_year_coverage},
            "shape": ev.shape, "rows": rows, "indices": indices, "coupling": coupling, "grey": grey,
            "ranking": ranking, "charts": charts,
            "weights": [{"series": str(w["series"]), "group": names.get(str(w["group"]), str(w["group"])),
                         "weight": _num(w["weight"])} for w in ev.indices.weights.to_dict("records")]}


def _f(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _display(shape: str, indices: dict[str, Any], coupling: dict[str, Any] | None, grey: dict[str, Any] | None,
             ranking: list[dict[str, Any]] | None, lang: str) -> dict[str, dict[str, Any]]:
    """The method-dependent tables as shown (headers and formatted cells in ``lang``): the page
    renders them and its script replaces them with the same structure from the JSON API."""
    row_head = tr({"time_series": "common.year", "cross_section": "evaluation.unit"}.get(shape, "evaluation.row"), lang)
    out: dict[str, dict[str, Any]] = {}
    if ranking is None or len(indices["columns"]) > 1:  # one score only: the ranking table shows it
        out["indices"] = {"headers": [row_head, *[c["label"] for c in indices["columns"]]],
                          "numeric": [False, *[True] * len(indices["columns"])],
                          "strong": [False, *[c["subsystem"] for c in indices["columns"]]],
                          "rows": [[r, *[_f(v) for v in vals]] for r, vals in zip(indices["rows"], indices["values"],
                                                                                     strict=True)]}
    if coupling is not None:
        rel = any(r["relative"] for r in coupling["rows"])
        heads = [row_head, *[f"U · {s['label']}" for s in coupling["subsystems"]], "C", "T", "D",
                 tr("evaluation.band", lang), *([tr("evaluation.relative", lang)] if rel else [])]
        n_u = len(coupling["subsystems"])
        out["coupling"] = {"headers": heads, "numeric": [False, *[True] * (n_u + 3), False, *([False] if rel else [])],
                           "strong": [False, *[False] * (n_u + 2), True, False, *([False] if rel else [])],
                           "rows": [[r["row"], *[_f(u) for u in r["U"]], _f(r["C"]), _f(r["T"]), _f(r["D"]), r["band"],
                                     *([r["relative"]] if rel else [])] for r in coupling["rows"]]}
    if grey is not None:
        out["grey"] = {"headers": [tr("evaluation.rank", lang), tr("evaluation.group", lang), tr("m.grey", lang),
                                   "一阶差分相关" if lang == "zh" else "Correlation of differences"],
                       "numeric": [True, False, True, True], "strong": [True, False, False, False],
                       "rows": [[str(r["rank"]), r["label"], _f(r["grade"]), _f(r["diff_corr"])] for r in grey["rows"]]}
    if ranking is not None:
        out["ranking"] = {"headers": [tr("evaluation.rank", lang), row_head, tr("evaluation.score", lang)],
                          "numeric": [True, False, True], "strong": [True, False, False],
                          "rows": [[str(r["rank"]), r["row"], _f(r["value"], 4)] for r in ranking]}
    return out


# ---------------------------------------------------------------------- the built-in evaluation

_BUILTIN: dict[str, Any] = {}
_BUILTIN_LOCK = threading.Lock()
_VARIANTS: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_VARIANTS_LOCK = threading.Lock()
#: one re-evaluation at a time: they are CPU-bound NumPy/pandas work, and several at once in the
#: server's thread pool only contend for the interpreter (4 at once took ~0.8 s each instead of
#: queueing at ~0.1 s each); a second request for the same recipe waits and finds it cached
_COMPUTE_LOCK = threading.Lock()


def builtin_evaluation() -> Any:
    """The built-in evaluation (sourced panel, shipped framework, city panel; robustness on),
    computed once per process. Raises :class:`HKFactorError` when it cannot run."""
    from hkfactor.evaluation import builtin_city_data, builtin_framework, builtin_panel, evaluate

    with _BUILTIN_LOCK:
        if "ev" not in _BUILTIN:
            if "error" in _BUILTIN:
                raise _BUILTIN["error"]
            try:
                _BUILTIN["ev"] = evaluate(builtin_panel(), builtin_framework(), city=builtin_city_data())
            except HKFactorError as exc:
                _BUILTIN["error"] = exc
                raise
        return _BUILTIN["ev"]


def builtin_series() -> set[str]:
    """The series codes of the built-in framework."""
    from hkfactor.evaluation import builtin_framework

    if "series" not in _BUILTIN:
        _BUILTIN["series"] = {ind.series for _s, _g, ind in builtin_framework().indicators()}
    return set(_BUILTIN["series"])


def builtin_variant(lang: str, *, normalisation: str = "minmax", weighting: str = "entropy",
                    aggregation: str = "arithmetic", min_year_coverage: float = 0.5) -> dict[str, Any]:
    """The method-dependent results of the built-in evaluation for one recipe (cached, bounded).

    Returns :func:`variant_view` or ``{"ok": False, "problems": [...]}`` when the recipe leaves
    too little data (e.g. a strict coverage rule).
    """
    key = (normalisation, weighting, aggregation, float(min_year_coverage))
    with _VARIANTS_LOCK:
        hit = _VARIANTS.get(key)
        if hit is not None:
            _VARIANTS.move_to_end(key)
    if hit is None:
        with _COMPUTE_LOCK:
            with _VARIANTS_LOCK:
                hit = _VARIANTS.get(key)
            if hit is None:
                base = builtin_evaluation()
                try:
                    hit = base.what_if(robustness=False, normalisation=normalisation, weighting=weighting,
                                       aggregation=aggregation, min_year_coverage=float(min_year_coverage))
                except InputError as exc:
                    hit = exc
                with _VARIANTS_LOCK:
                    _VARIANTS[key] = hit
                    while len(_VARIANTS) > MAX_VARIANTS:
                        _VARIANTS.popitem(last=False)
    if isinstance(hit, InputError):
        return {"ok": False, "recipe": dict(zip(("normalisation", "weighting", "aggregation", "min_year_coverage"),
                                                key, strict=True)),
                "problems": [problem_text(p, lang) for p in hit.problems]}
    return variant_view(hit, lang)


def _band(ev: Any, lang: str) -> list[dict[str, Any]]:
    head = ev.headline()
    rows = _row_labels(ev)
    zh = lang == "zh"
    out = []
    for i in range(len(head)):
        h = head.iloc[i]
        out.append({"row": rows[i], "value": _num(h["value"]), "q05": _num(h.get("q05")), "q95": _num(h.get("q95")),
                    "min": _num(h.get("min")), "max": _num(h.get("max")),
                    "band": str(h.get("band_zh" if zh else "band_en", "") or "")})
    return out


def _benchmarks(ev: Any, lang: str) -> dict[str, Any] | None:
    ident = ev.identification
    if ident is None or ident.benchmarks.empty:
        return None
    names = _names(ev.framework, lang)
    b = ident.benchmarks
    rows = []
    for r in b[~b["is_benchmark"].astype(bool)].to_dict("records"):
        rows.append({"method": str(r["method"]), "series": str(r["series"]),
                     "label": names.get(str(r["series"]), str(r["series"])), "variant": str(r["variant"]),
                     "statistic": _num(r["statistic"]), "trend": _num(r["trend_statistic"]),
                     "p_perm": _num(r["p_perm"]), "beats_trend": bool(r["beats_trend"]),
                     "beats_null": bool(r["beats_null"]), "associated": bool(r["associated"])})
    level = [r for r in rows if r["variant"] == "level"]
    summary = next((d.render(lang) for d in ident.decisions if d.code == "identify.benchmarks"), "")
    return {"summary": summary, "rows": rows,
            "beat_trend": [r["label"] for r in level if r["beats_trend"]],
            "associated": [names.get(g, g) for g in ident.associated],
            "level_groups": len(level)}


def _designs(ev: Any, lang: str) -> dict[str, Any] | None:
    from hkfactor.evaluation import design_name

    ident = ev.identification
    if ident is None or not ident.runs:
        return None
    t = ident.table()
    est, skipped = [], []
    for r in t.to_dict("records"):
        name = design_name(str(r["design"]))[lang]
        if r["status"] == "estimated":
            est.append({"design": name, "outcome": str(r["outcome"]), "shock": str(r["shock"]),
                        "treatment": str(r["treatment"]), "effect": _num(r["effect"]), "ci_low": _num(r["ci_low"]),
                        "ci_high": _num(r["ci_high"]), "p": _num(r["p_value"]), "n_clusters": int(r["n_clusters"]),
                        "n_obs": int(r["n_obs"]),
                        "warnings": " ".join(dict.fromkeys(str(r["warnings"]).split()))})
        else:
            skipped.append({"design": name, "outcome": str(r["outcome"]), "shock": str(r["shock"]),
                            "reason": str(r["reason_zh" if lang == "zh" else "reason_en"])})
    return {"estimated": est, "not_estimable": skipped}


def builtin_page(lang: str) -> dict[str, Any]:
    """The Evaluation page's data for the built-in evaluation, in ``lang``.

    Returns ``{"ok": True, …}`` or ``{"ok": False, "reason": str}`` when it cannot run.
    """
    try:
        ev = builtin_evaluation()
    except HKFactorError as exc:
        return {"ok": False, "reason": exc.render(lang) if isinstance(exc, InputError) else str(exc)}
    key = f"page:{lang}"
    if key in _BUILTIN:
        return dict(_BUILTIN[key])
    fw = ev.framework
    ind = ev.indicator_table()
    zh = lang == "zh"
    band = _band(ev, lang)
    page = {
        "ok": True,
        "title": fw.name(lang),
        "shape": ev.shape,
        "years": [int(y) for y in ev.years],
        "headline": ev.identification.headline.render(lang) if ev.identification is not None else "",
        "robustness": {"rows": band, "chart": {
            "kind": "line", "x": [b["row"] for b in band], "ymax": 1,
            "title": "D 的稳健性区间" if zh else "Robustness band of D",
            "series": [{"name": "D", "data": [b["value"] for b in band]},
                       {"name": "MC 5%", "data": [b["q05"] for b in band], "dashed": True},
                       {"name": "MC 95%", "data": [b["q95"] for b in band], "dashed": True},
                       {"name": "网格最小" if zh else "grid min", "data": [b["min"] for b in band], "dotted": True},
                       {"name": "网格最大" if zh else "grid max", "data": [b["max"] for b in band], "dotted": True}]}},
        "benchmarks": _benchmarks(ev, lang),
        "designs": _designs(ev, lang),
        "indicators_used": int((ind["status"] == "used").sum()),
        "indicators_all": len(ind),
        "indicators": [{"series": str(r["series"]), "name": str(r["name_zh" if zh else "name_en"]),
                        "group": _names(fw, lang).get(str(r["group"]), str(r["group"])), "status": str(r["status"]),
                        "reason": str(r["reason_zh" if zh else "reason_en"] or ""), "weight": _num(r["weight"])}
                       for r in ind.to_dict("records")],
        "decisions": [{"kind": d.kind, "subject": d.subject, "text": d.render(lang)} for d in ev.decisions],
        "variant": builtin_variant(lang),
    }
    _BUILTIN[key] = page
    return dict(page)


# ---------------------------------------------------------------------- problems in a language


def problem_text(p: Problem, lang: str) -> str:
    """A problem with its place, in ``lang``."""
    return p.render(lang)


def problem_rows(problems: Sequence[Problem], lang: str, *, shown: Mapping[str, str] | None = None
                 ) -> list[dict[str, Any]]:
    """Problems as rows (file, row, column, message in ``lang``); ``shown`` maps a stored path's
    prefix to what the user calls it (a temporary folder never shows)."""
    def clean(text: str) -> str:
        for k, v in (shown or {}).items():
            text = text.replace(k, v)
        return text

    out = []
    for p in problems:
        msg = render(p.code, p.params, lang) if p.code else p.message
        rows = getattr(p, "rows", ())
        out.append({"file": clean(str(p.file or "")), "row": p.row, "rows": list(rows) if rows else None,
                    "column": p.field, "message": clean(msg), "text": clean(p.render(lang))})
    return out


# ---------------------------------------------------------------------- the workbench


@dataclass
class Inspection:
    """What the reader found in an upload: the table, its layout, problems and decisions."""

    table: Any = None
    layout: Any = None
    problems: list[Problem] = field(default_factory=list)
    decisions: list[Message] = field(default_factory=list)
    #: indicator candidates for the mapping form: name, unit, numeric share
    candidates: list[dict[str, Any]] = field(default_factory=list)
    #: the data names series of the built-in framework (then it is read against it)
    builtin: bool = False


def inspect_table(path: Path, *, sheet: str | int | None = None) -> Inspection:
    """Read an upload with :func:`hkfactor.read_table` and :func:`hkfactor.detect_layout`."""
    from hkfactor import detect_layout, read_table

    out = Inspection()
    try:
        t = read_table(path, sheet=sheet)
    except InputError as exc:
        out.problems = list(exc.problems)
        return out
    out.table = t
    out.decisions = list(t.decisions)
    frame = t.frame
    names = {str(c) for c in frame.columns}
    for c in frame.columns:
        if frame[c].dtype == object:
            names |= {str(v).strip() for v in frame[c].dropna().head(2000)}
    out.builtin = bool(names & builtin_series())
    try:
        lay = detect_layout(t)
    except InputError as exc:
        if not out.builtin:
            out.problems = list(exc.problems)
        return out
    out.layout = lay
    out.decisions += list(lay.decisions)
    out.candidates = _candidates(t, lay)
    return out


def _candidates(t: Any, lay: Any) -> list[dict[str, Any]]:
    """The indicators a mapping can use: the indicator columns, or the indicator column's values."""
    frame = t.frame
    if lay.kind == "wide_indicators":
        out = []
        for c in lay.indicators:
            col = frame[c]
            numeric = float(pd.to_numeric(col, errors="coerce").notna().mean()) if len(col) else 0.0
            out.append({"name": str(c), "unit": str(t.units.get(c, "")), "numeric": numeric})
        return out
    if lay.indicator is not None:
        vals = [str(v).strip() for v in frame[lay.indicator].dropna().unique()]
        return [{"name": v, "unit": "", "numeric": 1.0} for v in vals[:200] if v]
    return []


def default_recipe(shape: str) -> dict[str, str]:
    """Default methods for a study shape: entropy-TOPSIS for a cross-section, else entropy-arithmetic."""
    return {"normalisation": "minmax", "weighting": "entropy",
            "aggregation": "topsis" if shape == "cross_section" else "arithmetic"}


def mapping_framework(indicators: Sequence[tuple[str, str, str]], *, name: str = "", file: str = "framework.yaml"
                      ) -> tuple[dict[str, Any], Any]:
    """A one-subsystem framework from a column mapping ``[(series, direction "+"/"-", unit)]``.

    Returns the YAML document (for download) and the validated framework.
    """
    from hkfactor.evaluation import framework_from_dict

    label = name.strip() or "综合指数 / Composite index"
    zh, _, en = label.partition(" / ")
    doc = {"id": "workbench", "name_zh": zh.strip() or label, "name_en": (en or zh).strip() or label,
           "subsystems": [{"id": "composite", "name_zh": zh.strip() or label, "name_en": (en or zh).strip() or label,
                           "indicators": [{"series": s, "name_zh": s, "name_en": s, "direction": d,
                                           **({"unit": u} if u else {})} for s, d, u in indicators]}]}
    return doc, framework_from_dict(doc, file=file)


def read_upload(data: Path, fw: Any, *, sheet: str | int | None = None, inspection: Inspection | None = None,
                work: Path | None = None) -> Any:
    """Read an upload against a framework with :func:`hkfactor.evaluation.read_data`.

    When the file's own layout is one :func:`read_data` does not name (e.g. a unit column whose
    header is not a known unit word) but :func:`detect_layout` understood it, the table is
    rewritten in the long layout (``unit_id, year, series, value, locator`` — the locator names
    the original cell) into ``work`` and read from there.
    """
    from hkfactor.evaluation import read_data

    try:
        return read_data(data, fw, sheet=sheet)
    except InputError as exc:
        header_level = all(p.row is None or (inspection is not None and inspection.table is not None
                                             and p.row <= inspection.table.header_row) for p in exc.problems)
        if not header_level or inspection is None or inspection.layout is None or work is None:
            raise
        long = _long_copy(inspection, fw, data.name)
        if long is None:
            raise
        q = work / f"{data.stem}.long.csv"
        long.to_csv(q, index=False, encoding="utf-8")
        try:
            return read_data(q, fw)
        except InputError:
            raise exc from None


def _long_copy(ins: Inspection, fw: Any, name: str) -> pd.DataFrame | None:
    t, lay = ins.table, ins.layout
    series = {ind.series for _s, _g, ind in fw.indicators()}
    frame = t.frame
    recs = []
    for i in range(len(frame)):
        row = frame.iloc[i]
        unit = str(row[lay.unit]).strip() if lay.unit else ""
        year = row[lay.period] if lay.period else None
        if lay.kind == "wide_indicators":
            for c in lay.indicators:
                if c in series:
                    recs.append({"unit_id": unit, "year": year, "series": c, "value": row[c],
                                 "locator": f"{name} {t.cell(i, c)}"})
        elif lay.kind == "long" and lay.indicator and lay.value:
            s = str(row[lay.indicator]).strip()
            if s in series:
                recs.append({"unit_id": unit, "year": year, "series": s, "value": row[lay.value],
                             "locator": f"{name} {t.cell(i, lay.value)}"})
        else:
            return None
    if not recs:
        return None
    df = pd.DataFrame(recs)
    if not lay.unit:
        df = df.drop(columns="unit_id")
    if not lay.period:
        df = df.drop(columns="year")
    return df


def evaluate_upload(panel: Any, fw: Any, recipe: Any) -> Any:
    """Evaluate an upload (robustness as the recipe says; no city panel: the user's own data)."""
    from hkfactor.evaluation import evaluate

    return evaluate(panel, fw, recipe=recipe)


def result_view(ev: Any, lang: str) -> dict[str, Any]:
    """Everything the workbench shows of an evaluation: the headline table, the method-dependent
    view with its charts, and every table of :meth:`Evaluation.tables` with its title in ``lang``."""
    from hkfactor.evaluation import TABLES

    zh = lang == "zh"
    tables = []
    for key, df in ev.tables().items():
        zh_t, en_t = TABLES.get(key, (key, key))
        tables.append({"key": key, "title": zh_t if zh else en_t, "title_zh": zh_t, "title_en": en_t,
                       **table_json(df)})
    return {
        "shape": ev.shape,
        "title": ev.framework.name(lang),
        "headline": ev.identification.headline.render(lang) if ev.identification is not None else "",
        "band": _band(ev, lang),
        "variant": variant_view(ev, lang),
        "recipe": ev.recipe.to_dict(),
        "decisions": [{"kind": d.kind, "subject": d.subject, "text": d.render(lang)} for d in ev.decisions],
        "tables": tables,
    }
