"""Write a resolved panel as a Frictionless Data Package (``datapackage.json`` + CSV files).

Resources: ``observations`` (every input figure as printed, with its normalised value),
``panel`` (the resolved series × year values), ``provenance`` (for every cell the winner, the
reason and the losers; and every excluded observation with why), ``series``, ``breaks`` and
``sources``. Each resource carries a Table Schema (field names, types, descriptions, primary
and foreign keys) so ``frictionless validate`` can check it offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from hkfactor._io import atomic_write, check_inside, write_csv
from hkfactor.errors import InputError, Problem
from hkfactor.panel._resolve import Panel

__all__ = ["to_datapackage"]

_DESCR = {
    "id": "Stable identifier", "series": "Series code (series.csv)", "period": "YYYY, YYYY-MM or a range a/b",
    "value": "Value in the canonical unit", "unit": "Canonical unit (hkfactor.units)",
    "grade": "A official table/agency release; B media/government quoting official figures; C secondary",
    "vintage": "Publication date of the source", "source_id": "Source record id",
    "observation_id": "Observation id", "reason": "Why this observation won (or was excluded)",
    "losers": "Competing observations that lost (;-separated)", "locator": "Verbatim snippet (<=30 chars)",
}

_INT_FIELDS = {"n_candidates", "direction", "row"}
_NUM_FIELDS = {"value"}


def _schema(df: pd.DataFrame, *, primary: list[str] | None = None,
            foreign: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    fields = []
    for c in df.columns:
        t = "integer" if c in _INT_FIELDS else "number" if c in _NUM_FIELDS else "string"
        f: dict[str, Any] = {"name": c, "type": t}
        if c in _DESCR:
            f["description"] = _DESCR[c]
        fields.append(f)
    out: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if primary:
        out["primaryKey"] = primary
    if foreign:
        out["foreignKeys"] = foreign
    return out


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    write_csv(df, path, encoding="utf-8")


def to_datapackage(panel: Panel, out_dir: str | Path, *, sources: pd.DataFrame | None = None,
                   name: str = "hkfactor-shenzhen-hk-panel") -> Path:
    """Write ``panel`` as a Frictionless Data Package in ``out_dir``; return the descriptor path.

    Parameters
    ----------
    panel : Panel
    out_dir : path
        Created if absent; existing files of the same names are replaced.
    sources : DataFrame, optional
        Source records (``sources/*.csv``) to include as the ``sources`` resource and as the
        package's ``sources`` list (default: ``panel.sources``).
    name : str
        Package name (lower case, ``-``/``_``/``.`` allowed).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if sources is None and not panel.sources.empty:
        sources = panel.sources
    obs_cols = ["id", "series", "geography", "period", "printed_value", "printed_unit", "value", "unit",
                "qualifier", "source_id", "locator", "grade", "vintage", "derived_from", "note"]
    obs = panel.observations.reindex(columns=obs_cols).fillna("")
    obs["value"] = panel.observations["value"]
    cells = panel.cells.copy()
    prov = pd.concat([
        cells.assign(status="won")[["series", "period", "status", "observation_id", "reason", "losers"]],
        panel.excluded.assign(status="excluded", losers="")[["series", "period", "status", "observation_id",
                                                               "reason", "losers"]],
    ], ignore_index=True)
    ser = panel.series.drop(columns=[c for c in ("file", "row") if c in panel.series.columns])
    brk = panel.breaks.drop(columns=[c for c in ("file", "row") if c in panel.breaks.columns])
    src = (sources.drop(columns=[c for c in ("file", "row") if c in sources.columns])
           if sources is not None else pd.DataFrame(columns=["id", "title_en", "url", "grade"]))
    resources = [
        ("observations", obs, ["id"], None, "Every figure as printed in its source, with its normalised value."),
        ("panel", cells.drop(columns=["losers"]), ["series", "period"], None,
         "One resolved value per series and year (annual only unless the rule says otherwise)."),
        ("provenance", prov, None,
         [{"fields": "observation_id", "reference": {"resource": "observations", "fields": "id"}}],
         "Why each cell holds its value (winner, reason, losers) and why observations were excluded."),
        ("series", ser, ["code"] if "code" in ser.columns and len(ser) else None, None, "Series definitions."),
        ("breaks", brk, ["id"] if "id" in brk.columns and len(brk) else None, None, "Declared series breaks."),
        ("sources", src, ["id"] if len(src) else None, None, "Documents every observation rests on."),
    ]
    # every target checked before anything is replaced: no folder in the way, no link out of out_dir
    targets = {rname: check_inside(out, f"{rname}.csv") for rname, *_ in resources}
    check_inside(out, "datapackage.json")
    in_the_way = [t for t in [*targets.values(), out / "datapackage.json"] if t.is_dir()]
    if in_the_way:
        raise InputError([Problem(str(t), None, None, "a folder of this name is in the way of a file of the data "
                                  "package; remove or rename it") for t in in_the_way], title="output name collision")
    descr_resources = []
    for rname, df, pk, fk, desc in resources:
        path = targets[rname]
        _write_csv(df, path)
        descr_resources.append({
            "name": rname, "path": path.name, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "description": desc,
            "schema": _schema(df, primary=pk, foreign=fk),
        })
    pkg_sources = [
        {"title": str(r.get("title_en") or r.get("title_zh") or r["id"]), "path": str(r.get("url") or "")}
        for _, r in src.iterrows() if str(r.get("url") or "").startswith("http")
    ]
    descriptor = {
        "profile": "tabular-data-package",
        "name": name,
        "title": "Shenzhen–Hong Kong innovation panel (hkfactor)",
        "description": ("Yearly series per channel of the Hong Kong factor in Shenzhen's innovation, each value "
                        "traceable to a stored source. Resolution rule: " + json.dumps(panel.rule.to_dict())),
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "sources": pkg_sources,
        "resources": descr_resources,
    }
    target = out / "datapackage.json"
    with atomic_write(target) as fh:
        json.dump(descriptor, fh, ensure_ascii=False, indent=2)
    return target
