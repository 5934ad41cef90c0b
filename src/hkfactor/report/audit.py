"""The audit page: one self-contained bilingual HTML file (inline CSS, no script, no external asset).

``render_audit_html(evidence)`` returns the page as a string; ``write_audit(evidence, out_dir)``
writes ``audit.html`` and ``audit.csv`` atomically. Rendering is deterministic: claims, checks
and sources in file order, fixed float formats, ids derived from record ids, no timestamp — two
renders of the same evidence are byte-identical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from hkfactor import __version__
from hkfactor.evidence import ENUMS, Evidence
from hkfactor.evidence.audit import BASES, CHECK_CLASSES, STATUSES, AuditResult
from hkfactor.evidence.vocab import label, qualified_quantity
from hkfactor.io import atomic_write, write_csv

__all__ = ["AuditFiles", "render_audit_html", "write_audit"]

_TEMPLATES = Path(__file__).parent / "templates"
@dataclass(frozen=True)
class AuditFiles:
    """Paths written by :func:`write_audit`."""

    html: Path
    csv: Path


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def _fmt(x: float, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}g}"


def _pct(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x * 100:+.2f}%"


def _link(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else ""


def _context(ev: Evidence, res: AuditResult) -> dict[str, Any]:
    sources = {s.id: s for s in ev.records.sources}
    claims = {c.id: c for c in ev.records.claims}
    summ = res.summary()
    summary = [
        {"status": r["status"], "zh": label("status", r["status"], "zh"), "en": label("status", r["status"], "en"),
         "n": int(r["n"]), "by_basis": [int(r[f"n_{b}"]) for b in BASES]}
        for r in summ.to_dict(orient="records")
    ]
    bases = [{"code": b, "zh": label("check_class", b, "zh"), "en": label("check_class", b, "en"),
              "n": int(summ[f"n_{b}"].sum())} for b in BASES]
    cs = res.check_summary()[[*STATUSES, "total"]].astype("int64").to_dict(orient="index")
    check_classes = [
        {"code": c, "zh": label("check_class", c, "zh"), "en": label("check_class", c, "en"),
         "counts": [int(cs[c][s]) for s in STATUSES], "total": int(cs[c]["total"])}
        for c in CHECK_CLASSES
    ]
    bych = res.by_channel()
    channels = [
        {"code": ch, "zh": label("channel", ch, "zh"), "en": label("channel", ch, "en"),
         "counts": [int(bych.loc[ch, s]) for s in STATUSES], "total": int(bych.loc[ch, "total"])}
        for ch in bych.index
    ]
    cited: list[str] = []
    rows = []
    for r in res.claims.to_dict(orient="records"):
        c = claims[r["claim_id"]]
        srcs = []
        for sid in c.source_ids:
            s = sources.get(sid)
            if sid not in cited:
                cited.append(sid)
            srcs.append({"id": sid, "title": (s.title_zh or s.title_en) if s else sid,
                         "url": _link(s.url) if s else "", "label": s.ref_label if s else ""})
        period = "–".join(dict.fromkeys(x for x in (c.period_start, c.period_end) if x)) or "—"
        rows.append({
            "id": c.id, "section": c.section, "channel_zh": label("channel", c.channel, "zh"),
            "channel_en": label("channel", c.channel, "en"), "geography": c.geography,
            "measure_zh": c.measure_zh, "measure_en": c.measure_en, "printed": c.printed,
            "value_zh": qualified_quantity(c.value, c.unit, c.qualifier or "", lang="zh"),
            "value_en": qualified_quantity(c.value, c.unit, c.qualifier or "", lang="en"),
            "period": period, "status": r["status"], "status_zh": label("status", r["status"], "zh"),
            "status_en": label("status", r["status"], "en"), "basis": r["basis"],
            "basis_zh": label("check_class", r["basis"], "zh"), "basis_en": label("check_class", r["basis"], "en"),
            "kind": c.kind, "detail_zh": r["detail_zh"], "detail_en": r["detail_en"],
            "locator": c.locator, "citation": c.citation, "sources": srcs,
        })
    derivations = [
        {**d, "claimed_s": _fmt(d["claimed"], 6), "computed_s": _fmt(d["computed"], 6),
         "diff_s": _fmt(d["abs_diff"], 4), "rel_s": _pct(d["rel_diff"]), "tol_s": _fmt(d["tolerance"], 4),
         "status_zh": label("status", d["status"], "zh"), "status_en": label("status", d["status"], "en"),
         "class_zh": label("check_class", d["check_class"], "zh"),
         "class_en": label("check_class", d["check_class"], "en")}
        for d in res.derivations.to_dict(orient="records")
    ]
    corroborations = []
    for k in res.corroborations.to_dict(orient="records"):
        if k["source_id"] and k["source_id"] not in cited:
            cited.append(k["source_id"])
        corroborations.append({
            **k, "claimed_s": _fmt(k["claimed"], 6), "observed_s": _fmt(k["observed"], 6),
            "rel_s": _pct(k["rel_diff"]), "tol_s": _fmt(k["tolerance"], 4),
            "status_zh": label("status", k["status"], "zh"), "status_en": label("status", k["status"], "en"),
            "class_zh": label("check_class", k["check_class"], "zh"),
            "class_en": label("check_class", k["check_class"], "en"),
            "comparison_zh": label("comparison", k["comparison"], "zh"),
            "comparison_en": label("comparison", k["comparison"], "en"),
            "automatic": k["origin"] == "claim_series.csv",
            "observation": _observation(ev, k["observation_id"]),
        })
    order = {s.id: i for i, s in enumerate(ev.records.sources)}
    source_rows = [
        {"id": sid, "title_zh": sources[sid].title_zh, "title_en": sources[sid].title_en,
         "publisher": sources[sid].publisher, "url": sources[sid].url, "href": _link(sources[sid].url),
         "date": sources[sid].date, "grade": sources[sid].grade, "label": sources[sid].ref_label}
        for sid in sorted((s for s in cited if s in sources), key=lambda s: order[s])
    ]
    return {
        "version": __version__, "summary": summary, "total": sum(s["n"] for s in summary), "bases": bases,
        "check_classes": check_classes, "n_superlative": sum(1 for c in rows if c["kind"] == "superlative"),
        "n_automatic": sum(1 for k in corroborations if k["automatic"]),
        "statuses": [{"code": s, "zh": label("status", s, "zh"), "en": label("status", s, "en")} for s in STATUSES],
        "channels": channels, "claims": rows, "derivations": derivations, "corroborations": corroborations,
        "sources": source_rows, "n_channels": len(ENUMS["channel"]),
    }


def _observation(ev: Evidence, oid: str) -> dict[str, str]:
    if not oid:
        return {"id": "", "printed": "", "period": "", "locator": ""}
    o = ev.get(oid)
    return {"id": o.id, "printed": f"{o.printed_value}{o.printed_unit}", "period": o.period, "locator": o.locator}


def render_audit_html(evidence: Evidence, result: AuditResult | None = None) -> str:
    """Render the audit page.

    Parameters
    ----------
    evidence : Evidence
        The loaded evidence.
    result : AuditResult, optional
        Its audit (default: ``evidence.audit_``).

    Returns
    -------
    str
        A complete HTML document (UTF-8), identical for identical input.
    """
    res = evidence.audit_ if result is None else result
    return _env().get_template("audit.html.j2").render(**_context(evidence, res))


def write_audit(evidence: Evidence, out_dir: str | Path, result: AuditResult | None = None) -> AuditFiles:
    """Write ``audit.html`` and ``audit.csv`` (UTF-8 with BOM, for Excel) into ``out_dir`` atomically."""
    res = evidence.audit_ if result is None else result
    out = Path(out_dir)
    html = render_audit_html(evidence, res)
    with atomic_write(out / "audit.html") as fh:
        fh.write(html)
    write_csv(res.claims, out / "audit.csv", encoding="utf-8-sig", float_format="%.10g")
    return AuditFiles(out / "audit.html", out / "audit.csv")
