"""The ONE place where the web face calls the evaluation.

Everything the Evaluation page and the Workbench need from :mod:`hkfactor.evaluation` goes
through the three functions below, written against the public API of today
(``from hkfactor.evaluation import …``). When the evaluation is rebuilt on the engine, only
this module needs repointing; the pages consume the plain dicts it returns:

* :func:`builtin_headline` — headline tables of the built-in evaluation;
* :func:`check_upload` — read a user's file against a framework and report every problem;
* :func:`headline` — the same headline for any evaluation result.

The built-in inputs are rebuilt here from public names (the shipped framework YAML through
:func:`hkfactor.evaluation.read_framework`; the sourced panel through :func:`hkfactor.panel.build`
turned into an :class:`hkfactor.evaluation.EvalPanel`) because the evaluation exposes no public
``builtin_*`` function yet.
"""

from __future__ import annotations

import math
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from hkfactor.errors import HKFactorError, InputError

__all__ = ["builtin_headline", "check_upload", "headline"]

_YEAR = re.compile(r"^\d{4}$")
_CELL_COLUMNS = ("series", "year", "value", "grade", "source_id", "observation_id", "locator", "note", "qualifier")
_SOURCE_COLUMNS = ("id", "title_zh", "title_en", "publisher", "url", "grade")


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _framework_file() -> Path:
    return Path(str(resources.files("hkfactor") / "frameworks" / "shenzhen_hk.yaml"))


def _builtin_framework() -> Any:
    from hkfactor.evaluation import read_framework

    return read_framework(_framework_file())


def _builtin_panel() -> Any:
    """The sourced panel as the evaluation reads it (calendar years only; reason and losers as the note)."""
    from hkfactor.evaluation import EvalPanel
    from hkfactor.panel import build

    panel = build()
    c = panel.cells[panel.cells["period"].astype(str).str.fullmatch(_YEAR.pattern)]
    obs = panel.observations.set_index("id")
    locator = obs["locator"].fillna("").astype(str).to_dict() if "locator" in obs else {}
    notes = [f"{r}; other candidates: {lo}" if str(lo).strip() else str(r)
             for r, lo in zip(c["reason"].fillna(""), c["losers"].fillna(""), strict=True)]
    cells = pd.DataFrame({
        "series": c["series"].astype(str).to_numpy(), "year": c["period"].astype(int).to_numpy(),
        "value": c["value"].astype(float).to_numpy(), "grade": c["grade"].fillna("").astype(str).to_numpy(),
        "source_id": c["source_id"].fillna("").astype(str).to_numpy(),
        "observation_id": c["observation_id"].astype(str).to_numpy(),
        "locator": [locator.get(o, "") for o in c["observation_id"].astype(str)], "note": notes,
        "qualifier": c["qualifier"].fillna("").astype(str).to_numpy() if "qualifier" in c else "",
    }, columns=list(_CELL_COLUMNS)).sort_values(["series", "year"], ignore_index=True)
    src = panel.sources
    sources = pd.DataFrame({k: (src[k].fillna("").astype(str) if k in src else "") for k in _SOURCE_COLUMNS})
    br = panel.breaks
    breaks = None
    if not br.empty:
        breaks = pd.DataFrame({
            "id": br["id"].astype(str), "series": br["series"].astype(str),
            "year": pd.to_numeric(br["from_period"].astype(str).str[:4], errors="coerce"),
            "description_zh": br["description_zh"].fillna("").astype(str),
            "description_en": br["description_en"].fillna("").astype(str),
        }).dropna(subset=["year"])
    return EvalPanel(cells=cells, sources=sources, label="built-in (hkfactor.panel)", breaks=breaks)


def headline(ev: Any, lang: str) -> dict[str, Any]:
    """Headline tables of an :class:`hkfactor.evaluation.Evaluation` as plain data in ``lang``."""
    zh = lang == "zh"
    fw = ev.framework
    names = {ch.id: (ch.name_zh if zh else ch.name_en) for ch in fw.channels}
    ind = ev.indicators
    used = int((ind["status"] == "used").sum())
    coupling = [
        {"year": int(r["year"]), "U_hk": _num(r["U_hk"]), "U_sz": _num(r["U_sz"]), "C": _num(r["C"]),
         "T": _num(r["T"]), "D": _num(r["D"]), "band": str(r["band_zh"] if zh else r["band_en"]),
         "relative": str(r.get("relative_zh" if zh else "relative_en", ""))}
        for r in ev.coupling.to_dict("records")
    ]
    grey = [
        {"channel": str(r["channel"]), "channel_label": names.get(str(r["channel"]), str(r["channel"])),
         "grade": _num(r["grade"]), "rank": int(r["rank"]) if _num(r["rank"]) is not None else None}
        for r in ev.grey.sort_values("rank").to_dict("records")
    ]
    indicators = [
        {"series": str(r["series"]), "name": str(r["name_zh"] if zh else r["name_en"]),
         "channel_label": str(r["channel_zh"] if zh else r["channel_en"]), "status": str(r["status"]),
         "reason": str(r.get("reason_zh" if zh else "reason_en", "") or ""), "weight": _num(r.get("weight"))}
        for r in ind.to_dict("records")
    ]
    return {
        "title": fw.name_zh if zh else fw.name_en,
        "years": [int(y) for y in ev.years],
        "channels": len(ev.channel_index.columns),
        "channels_all": len(fw.channels),
        "indicators_used": used,
        "indicators_all": len(ind),
        "coupling": coupling,
        "grey": grey,
        "indicators": indicators,
        "decisions": [{"kind": d.kind, "subject": d.subject, "text": d.zh if zh else d.en} for d in ev.decisions],
    }


_BUILTIN: dict[str, Any] = {}
_BUILTIN_LOCK = threading.Lock()


def builtin_headline(lang: str) -> dict[str, Any]:
    """Headline of the built-in evaluation (computed once per process, then reused).

    Returns ``{"ok": True, ...headline}`` or ``{"ok": False, "reason": str}`` when the
    evaluation cannot run (the page then says so instead of failing).
    """
    from hkfactor.evaluation import evaluate

    with _BUILTIN_LOCK:
        if "ev" not in _BUILTIN:
            try:
                _BUILTIN["ev"] = evaluate(_builtin_panel(), _builtin_framework())
            except HKFactorError as exc:
                return {"ok": False, "reason": str(exc)}
    return {"ok": True, **headline(_BUILTIN["ev"], lang)}


def check_upload(data: Path, *, framework: Path | None = None, sheet: str | int | None = None,
                 evaluate_if_clean: bool = True) -> dict[str, Any]:
    """Read an uploaded table against a framework and report what was found, in both languages.

    Parameters
    ----------
    data : Path
        The uploaded CSV (UTF-8 or GBK) or Excel file, as saved by the workbench.
    framework : Path, optional
        An uploaded framework YAML (default: the built-in framework).
    sheet : str or int, optional
        Excel sheet name or number from 1.
    evaluate_if_clean : bool
        When the data reads without a problem, also run the evaluation and return its headline.

    Returns
    -------
    dict
        ``problems`` (file, row, column, message — the reader's messages are English),
        ``title``, ``decisions`` (kind, subject, zh, en), ``summary`` (series, cells, first,
        last), ``evaluation`` (``{"zh": headline, "en": headline}`` or ``None``) and
        ``evaluation_error``.
    """
    from hkfactor.evaluation import evaluate, read_data, read_framework

    out: dict[str, Any] = {"problems": [], "title": "", "decisions": [], "summary": None, "evaluation": None,
                           "evaluation_error": None}
    try:
        fw = read_framework(framework) if framework is not None else _builtin_framework()
        panel = read_data(data, fw, sheet=sheet)
    except InputError as exc:
        out["title"] = exc.title
        out["problems"] = [{"file": Path(p.file).name if p.file else "", "row": p.row, "column": p.field,
                            "message": p.message} for p in exc.problems]
        return out
    except HKFactorError as exc:
        out["problems"] = [{"file": data.name, "row": None, "column": None, "message": str(exc)}]
        return out
    cells = panel.cells
    years = sorted(int(y) for y in cells["year"].unique()) if len(cells) else []
    out["summary"] = {"series": int(cells["series"].nunique()), "cells": len(cells),
                      "first": years[0] if years else None, "last": years[-1] if years else None}
    out["decisions"] = [{"kind": k, "subject": s, "zh": z, "en": e} for k, s, z, e in panel.input_decisions]
    if evaluate_if_clean:
        try:
            ev = evaluate(panel, fw)
            out["evaluation"] = {lg: headline(ev, lg) for lg in ("zh", "en")}
        except HKFactorError as exc:
            out["evaluation_error"] = str(exc)
    return out
