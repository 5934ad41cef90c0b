"""The steps of a workbench session: check an upload, map its columns, evaluate, write the report.

A session (:class:`hkfactor.web._workbench.Session`) goes through:

1. :func:`check` — the upload is read with :func:`hkfactor.read_table` (title rows, unit rows,
   GBK …) and its layout detected; a saved ``recipe.json`` and a framework YAML, when uploaded,
   are read and checked against the data (SHA-256, as ``hkfactor evaluate --recipe`` does). With
   a framework (uploaded, or the built-in one when the data name its series) the data are read
   against it and evaluated at once.
2. :func:`apply_mapping` — without a framework, the person maps columns to one subsystem
   (direction per indicator) and the framework is built from that mapping.
3. :func:`run` — read the data against the framework (:func:`hkfactor.evaluation.read_data`) and
   evaluate with the chosen methods; the recipe records the inputs by name and SHA-256.
4. :func:`download` — the Excel workbook, the HTML report, ``recipe.json``, the framework YAML
   and the whole project as a ZIP, written by :func:`hkfactor.report.evaluation.write_report`
   into the session's folder (once per language and evaluation).

Every call into the evaluation goes through :mod:`hkfactor.web._evaluation` or the public
names imported here.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

from hkfactor.errors import HKFactorError, InputError, Problem
from hkfactor.web import _evaluation as E
from hkfactor.web._errors import WebError
from hkfactor.web._workbench import Session

__all__ = ["DOWNLOADS", "apply_mapping", "check", "download", "evaluate", "run", "view"]

#: name → media type of the files a session offers for download
DOWNLOADS: dict[str, str] = {
    "evaluation.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "report.html": "text/html; charset=utf-8",
    "recipe.json": "application/json",
    "framework.yaml": "application/x-yaml; charset=utf-8",
    "project.zip": "application/zip",
}
_WHAT = {"data": {"en": "data", "zh": "数据"}, "framework": {"en": "framework", "zh": "框架"}}


def _sheet(s: Session) -> str | int | None:
    return s.sheet if s.data_path.suffix == ".xlsx" else None


def check(s: Session) -> None:
    """Read an upload (and its framework and recipe); evaluate at once when a framework is known."""
    from hkfactor.evaluation import EvaluationRecipe, builtin_framework, file_digest, read_framework

    s.inspection = ins = E.inspect_table(s.data_path, sheet=_sheet(s))
    s.problems = []
    if ins.table is None:
        return
    recipe_file = s.recipe_path if s.recipe_path.exists() else None
    if recipe_file is not None:
        try:
            s.recipe = EvaluationRecipe.read(recipe_file)
        except InputError as exc:
            s.problems += exc.problems
    fw_file = s.framework_path if s.framework_path.exists() else None
    if fw_file is not None:
        try:
            s.framework, s.framework_source = read_framework(fw_file), "upload"
            s.framework_yaml = fw_file.read_text(encoding="utf-8", errors="replace")
        except InputError as exc:
            s.problems += exc.problems
    elif ins.builtin or (s.recipe is not None and s.recipe.inputs.framework == "builtin"
                         and s.recipe.inputs.data != "builtin"):
        s.framework, s.framework_source = builtin_framework(), "builtin"
    if s.recipe is not None:
        r = s.recipe
        name = s.recipe_name or "recipe.json"
        if r.inputs.framework != "builtin" and fw_file is None:
            s.problems.append(Problem(name, None, "inputs.framework", code="recipe.input_missing",
                                      params={"what": _WHAT["framework"], "path": r.inputs.framework}))
        checks = [("data", r.inputs.data_sha256, s.data_path)]
        if fw_file is not None and r.inputs.framework != "builtin":
            checks.append(("framework", r.inputs.framework_sha256, fw_file))
        for what, expected, path in checks:
            found = file_digest(path)
            if expected and found != expected:
                s.problems.append(Problem(name, None, f"inputs.{what}", code="recipe.input_changed",
                                          params={"what": _WHAT[what], "found": found[:12], "expected": expected[:12]}))
        if s.sheet is None and r.inputs.sheet:
            s.sheet = r.inputs.sheet
    if s.framework is not None and not s.problems:
        run(s)


def evaluate(s: Session, mapping: list[tuple[str, str, str]] | None, name: str, methods: dict[str, Any]) -> None:
    """Map columns (when ``mapping`` is given) and evaluate; one evaluation per session at a time."""
    with s.lock:
        if mapping is not None:
            apply_mapping(s, mapping, name, methods)
        else:
            run(s, methods)


def apply_mapping(s: Session, indicators: list[tuple[str, str, str]], name: str,
                  methods: dict[str, Any]) -> None:
    """Build a one-subsystem framework from the form's mapping and evaluate with ``methods``."""
    import yaml

    s.mapping, s.name = list(indicators), name
    s.problems = []
    if not indicators:
        raise WebError(422, "workbench.none_chosen")
    try:
        doc, fw = E.mapping_framework(indicators, name=name, file="framework.yaml")
    except InputError as exc:
        s.problems = list(exc.problems)
        s.evaluation = None
        return
    s.framework, s.framework_source = fw, "mapping"
    s.framework_yaml = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    s.framework_path.write_text(s.framework_yaml, encoding="utf-8")
    run(s, methods)


def run(s: Session, methods: dict[str, Any] | None = None) -> None:
    """Read the data against the session's framework and evaluate (methods over the recipe)."""
    from hkfactor.evaluation import EvaluationRecipe, Inputs, file_digest

    s.problems = []
    s.evaluation = s.panel = None
    _drop_reports(s)
    if s.framework is None:
        return
    try:
        panel = E.read_upload(s.data_path, s.framework, sheet=_sheet(s), inspection=s.inspection, work=s.folder)
    except InputError as exc:
        s.problems = list(exc.problems)
        return
    s.panel = panel
    base = s.recipe if s.recipe is not None else EvaluationRecipe().replace(**E.default_recipe(panel.shape))
    fw_in = s.framework_source in ("upload", "mapping")
    inputs = Inputs(data=f"inputs/{s.data_path.name}", data_sha256=file_digest(s.data_path),
                    framework="inputs/framework.yaml" if fw_in else "builtin",
                    framework_sha256=file_digest(s.framework_path) if fw_in else "",
                    sheet=str(s.sheet or "") if s.data_path.suffix == ".xlsx" else "")
    try:
        recipe = base.replace(**(methods or {}), inputs=inputs)
        s.evaluation = E.evaluate_upload(panel, s.framework, recipe)
        s.recipe = s.evaluation.recipe
    except InputError as exc:
        s.problems = list(exc.problems)
    except HKFactorError as exc:
        s.problems = [Problem(s.data_path.name, None, None, str(exc))]


def _drop_reports(s: Session) -> None:
    s.reports.clear()
    shutil.rmtree(s.folder / "reports", ignore_errors=True)


def _report(s: Session, lang: str) -> Path:
    """The report folder of the session's evaluation in ``lang`` (written once)."""
    from hkfactor.report.evaluation import write_report

    if s.evaluation is None:
        raise WebError(404, "workbench.no_result")
    with s.lock:
        out = s.reports.get(lang)
        if out is not None and (out / "report.html").exists():
            return out
        out = s.folder / "reports" / lang
        extra = {f"inputs/{s.data_path.name}": s.data_path}
        if s.framework_source in ("upload", "mapping") and s.framework_path.exists():
            extra["inputs/framework.yaml"] = s.framework_path
        command = (f"hkfactor evaluate --data inputs/{s.data_path.name}"
                   + (" --framework inputs/framework.yaml" if "inputs/framework.yaml" in extra else "")
                   + f" --normalisation {s.evaluation.recipe.normalisation} --weighting {s.evaluation.recipe.weighting}"
                   f" --aggregation {s.evaluation.recipe.aggregation} --lang {lang}")
        write_report(s.evaluation, out, lang=lang, command=command, extra_files=extra)
        s.reports[lang] = out
        return out


def download(s: Session, what: str, lang: str) -> tuple[bytes, str, str]:
    """``(bytes, media type, file name)`` of a session's download ``what`` (see :data:`DOWNLOADS`)."""
    if what not in DOWNLOADS:
        raise WebError(404, "error.not_found")
    if what == "framework.yaml":
        if not s.framework_yaml:
            raise WebError(404, "workbench.no_result")
        return s.framework_yaml.encode("utf-8"), DOWNLOADS[what], "framework.yaml"
    out = _report(s, lang)
    stem = s.data_path.stem
    if what == "evaluation.xlsx":
        return (out / "tables" / "evaluation.xlsx").read_bytes(), DOWNLOADS[what], f"{stem}-evaluation.xlsx"
    if what == "report.html":
        return (out / "report.html").read_bytes(), DOWNLOADS[what], f"{stem}-report.{lang}.html"
    if what == "recipe.json":
        return (out / "recipe.json").read_bytes(), DOWNLOADS[what], "recipe.json"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(out.rglob("*")):
            if f.is_file():
                zf.write(f, f"{stem}-project/{f.relative_to(out).as_posix()}")
    return buf.getvalue(), DOWNLOADS[what], f"{stem}-project.zip"


def view(s: Session, lang: str) -> dict[str, Any]:
    """Everything a page or the API shows of a session, in ``lang`` (plain JSON-able data)."""
    shown = s.shown()
    ins = s.inspection
    table = None
    problems = list(ins.problems) if ins is not None else []
    decisions = list(ins.decisions) if ins is not None else []
    if ins is not None and ins.table is not None:
        t, lay = ins.table, ins.layout
        table = {"rows": len(t.frame), "columns": [str(c) for c in t.frame.columns], "header_row": t.header_row,
                 "encoding": t.encoding, "sheet": t.sheet, "notes": list(t.notes),
                 "units": {str(k): str(v) for k, v in t.units.items() if v},
                 "kind": lay.kind if lay is not None else None, "study": lay.study if lay is not None else None,
                 "unit": lay.unit if lay is not None else None, "period": lay.period if lay is not None else None,
                 "preview": E.table_json(t.frame, max_rows=8)}
    chosen = {name: d for name, d, _u in s.mapping}
    candidates = [{**c, "direction": chosen.get(c["name"], "+" if not s.mapping else "0")}
                  for c in (ins.candidates if ins is not None else [])]
    shape = table["study"] if table else None
    methods = {k: getattr(s.recipe, k) for k in ("normalisation", "weighting", "aggregation")} if s.recipe else \
        E.default_recipe(shape or "")
    ev = s.evaluation
    summary = None
    if s.panel is not None:
        cells = s.panel.cells
        years = sorted(int(y) for y in cells["year"].unique() if int(y))
        summary = {"shape": s.panel.shape, "series": int(cells["series"].nunique()), "cells": len(cells),
                   "units": len(s.panel.units), "first": years[0] if years else None,
                   "last": years[-1] if years else None}
    return {
        "token": s.token, "filename": s.filename, "framework_name": s.framework_name, "recipe_name": s.recipe_name,
        "framework_source": s.framework_source, "table": table,
        "problems": E.problem_rows([*problems, *s.problems], lang, shown=shown),
        "decisions": [{"kind": d.kind, "subject": d.subject, "text": _clean(d.render(lang), shown)} for d in decisions],
        "candidates": candidates, "can_map": bool(candidates) and s.framework_source in ("", "mapping"),
        "name": s.name, "methods": methods, "summary": summary,
        "evaluation": E.result_view(ev, lang) if ev is not None else None,
        "downloads": list(DOWNLOADS) if ev is not None else [],
    }


def _clean(text: str, shown: dict[str, str]) -> str:
    for k, v in shown.items():
        text = text.replace(k, v)
    return text
