"""The service layer: one function per question, returning plain data (dicts, lists, str, numbers).

A page renders what a function returns; the JSON API returns the same value. Every function
takes the :class:`~hkfactor.web._state.Store`, the language and already-typed parameters, checks
the parameters' values against the vocabularies and raises
:class:`~hkfactor.web._errors.WebError` / :class:`~hkfactor.web._errors.ParamError` (a 4xx with
a bilingual message) for a value that cannot exist. Nothing here writes to the built-in data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from hkfactor.errors import InputError, SpecError
from hkfactor.evidence.audit import STATUSES
from hkfactor.evidence.vocab import LABELS, label, qualified_quantity
from hkfactor.units import CANONICAL_UNITS, format_quantity
from hkfactor.web._errors import ParamError, WebError

if TYPE_CHECKING:  # pragma: no cover
    from hkfactor.web._state import Store

__all__ = [
    "DOWNLOADS",
    "GROUPINGS",
    "MAX_VIA",
    "audit_summary",
    "brokerage",
    "chain_graph",
    "chain_node",
    "chain_options",
    "chain_path",
    "claim_detail",
    "claims",
    "coverage",
    "evidence_options",
    "overview",
    "series_detail",
    "series_list",
    "timeline",
]

#: downloads: name → formats
DOWNLOADS: dict[str, tuple[str, ...]] = {
    "panel": ("csv", "xlsx"),
    "observations": ("csv", "xlsx"),
    "coverage": ("csv", "xlsx"),
    "datapackage": ("zip",),
}
#: brokerage groupings offered (the chain's GROUPINGS)
GROUPINGS: tuple[str, ...] = ("side", "stage", "channel", "type")
#: most waypoints accepted by a path query
MAX_VIA = 5
#: Gould–Fernandez roles (as in hkfactor.chain.ROLES)
ROLES: tuple[str, ...] = ("w_I", "w_O", "b_IO", "b_OI", "b_O", "t")


# ---------------------------------------------------------------------- helpers


def _clean(v: Any) -> Any:
    """JSON-safe scalar: NaN/NaT → None, numpy → Python."""
    if v is None:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        try:
            return _clean(v.item())
        except (ValueError, AttributeError):
            return str(v)
    if v is pd.NaT:
        return None
    return v


def _s(v: Any) -> str:
    """A cell as text (missing → "")."""
    v = _clean(v)
    return "" if v is None else str(v)


def _pick(zh: Any, en: Any, lang: str) -> str:
    a, b = (_s(zh), _s(en)) if lang == "zh" else (_s(en), _s(zh))
    return a or b


def _ids(text: Any) -> list[str]:
    return [x.strip() for x in _s(text).split(";") if x.strip()]


def _check_choice(name: str, value: str | None, valid: Sequence[str]) -> str | None:
    if value is None or value == "":
        return None
    if value not in valid:
        raise ParamError(name, "error.choice", value=value, valid=", ".join(valid))
    return value


def _source_refs(store: Store, ids: Sequence[str], lang: str) -> list[dict[str, Any]]:
    out = []
    for sid in ids:
        s = store.sources.get(sid)
        if s is None:
            out.append({"id": sid, "title": sid, "url": None, "grade": "", "publisher": ""})
            continue
        url = s.url if s.url.startswith(("http://", "https://")) else None  # never a javascript: link
        out.append({"id": sid, "title": _pick(s.title_zh, s.title_en, lang) or sid, "url": url,
                    "grade": s.grade, "publisher": s.publisher})
    return out


def _geo_label(store: Store, code: str, lang: str) -> str:
    g = store.geographies.get(code)
    return _pick(g.name_zh, g.name_en, lang) if g is not None else code


def _unit_label(unit: str, lang: str) -> str:
    pair = CANONICAL_UNITS.get(unit)
    return unit if pair is None else (pair[0] if lang == "zh" else pair[1])


def _node_label(store: Store, node: str, lang: str) -> str:
    d = store.graph.nodes[node]
    return str(d["label_zh"] if lang == "zh" else d["label_en"])


# ---------------------------------------------------------------------- overview


def overview(store: Store, lang: str) -> dict[str, Any]:
    """Counts for the home page."""
    r = store.evidence.records
    return {
        "claims": len(r.claims), "entities": len(r.entities), "relations": len(r.relations),
        "events": len(r.events), "sources": len(r.sources), "observations": len(r.observations),
        "series": len(store.series_meta),
        "audit": [{"status": s, "label": label("status", s, lang), "n": n}
                  for s, n in zip(store.audit.summary()["status"], store.audit.summary()["n"], strict=True)],
    }


# ---------------------------------------------------------------------- evidence


def evidence_options(store: Store, lang: str) -> dict[str, Any]:
    """Values the claim filters accept (codes with labels in ``lang``)."""
    df = store.claims
    channels = [c for c in LABELS["channel"] if c in set(df["channel"])]
    geos = sorted(set(df["geography"]))
    years = [int(y[:4]) for y in list(df["period_start"]) + list(df["period_end"]) if str(y)[:4].isdigit()]
    return {
        "channels": [{"code": c, "label": label("channel", c, lang)} for c in channels],
        "geographies": [{"code": g, "label": _geo_label(store, g, lang)} for g in geos],
        "statuses": [{"code": s, "label": label("status", s, lang)} for s in STATUSES],
        "years": [min(years), max(years)] if years else [],
    }


def _claim_row(store: Store, r: Mapping[Any, Any], lang: str) -> dict[str, Any]:
    start, end = _s(r["period_start"]), _s(r["period_end"])
    return {
        "id": r["id"],
        "section": _s(r["section"]),
        "channel": r["channel"],
        "channel_label": label("channel", r["channel"], lang),
        "geography": r["geography"],
        "geography_label": _geo_label(store, r["geography"], lang),
        "measure": _pick(r["measure_zh"], r["measure_en"], lang),
        "printed": f"{_s(r['printed_value'])}{_s(r['printed_unit'])}",
        "normalised": qualified_quantity(r["value"], r["unit"], _s(r["qualifier"]), lang=lang),
        "value": _clean(r["value"]),
        "unit": _s(r["unit"]),
        "period": "–".join(dict.fromkeys(x for x in (start, end) if x)),
        "status": r["status"],
        "status_label": label("status", r["status"], lang),
        "detail": _pick(r.get("detail_zh"), r.get("detail_en"), lang),
        "checks": _ids(_s(r.get("checks")).replace(",", ";")),
        "locator": _s(r["locator"]),
        "note": _s(r["note"]),
        "sources": _source_refs(store, _ids(r["source_ids"]), lang),
    }


def claims(
    store: Store, lang: str, *, channel: str | None = None, year: int | None = None, geography: str | None = None,
    status: str | None = None, q: str | None = None, limit: int = 200, offset: int = 0,
) -> dict[str, Any]:
    """The paper's claims, filtered (codes, as :func:`evidence_options` lists them), one page of them."""
    opts = evidence_options(store, "en")
    _check_choice("channel", channel, [c["code"] for c in opts["channels"]])
    _check_choice("geography", geography, [g["code"] for g in opts["geographies"]])
    _check_choice("status", status, list(STATUSES))
    df = store.claims
    keep = pd.Series(True, index=df.index)
    if channel:
        keep &= df["channel"] == channel
    if geography:
        keep &= df["geography"] == geography
    if status:
        keep &= df["status"] == status
    if year is not None:
        a = df["period_start"].str[:4]
        b = df["period_end"].str[:4].where(df["period_end"].str[:4].str.isdigit(), a)
        ok = a.str.isdigit() & b.str.isdigit()
        keep &= ok & (a.where(ok, "0").astype(int) <= year) & (b.where(ok, "0").astype(int) >= year)
    if q:
        t = q.casefold()
        hay = (df["id"] + "\n" + df["measure_zh"] + "\n" + df["measure_en"] + "\n" + df["printed_value"] + "\n"
               + df["locator"] + "\n" + df["note"]).str.casefold()
        keep &= hay.str.contains(t, regex=False)
    hit = df[keep]
    page = hit.iloc[offset: offset + limit]
    return {
        "total": len(hit),
        "offset": offset,
        "limit": limit,
        "items": [_claim_row(store, r, lang) for r in page.to_dict("records")],
    }


def claim_detail(store: Store, lang: str, claim_id: str) -> dict[str, Any]:
    """One claim with its recomputations and corroborations."""
    df = store.claims
    hit = df[df["id"] == claim_id]
    if hit.empty:
        raise WebError(404, "error.unknown_claim", id=claim_id)
    row = _claim_row(store, hit.iloc[0].to_dict(), lang)
    a = store.audit
    der = a.derivations[a.derivations["claim_id"] == claim_id]
    cor = a.corroborations[a.corroborations["claim_id"] == claim_id]
    row["derivations"] = [_derivation_row(r, lang) for r in der.to_dict("records")]
    row["corroborations"] = [
        {"id": r["id"], "status": r["status"], "status_label": label("status", r["status"], lang),
         "comparison": _s(r["comparison"]), "observed": _clean(r["observed"]), "claimed": _clean(r["claimed"]),
         "detail": _pick(r["detail_zh"], r["detail_en"], lang),
         "source": _source_refs(store, _ids(r["source_id"]), lang)[0] if _s(r["source_id"]) else None}
        for r in cor.to_dict("records")
    ]
    return row


def _derivation_row(r: Mapping[Any, Any], lang: str) -> dict[str, Any]:
    unit = _s(r["unit"])
    return {
        "id": r["id"], "claim_id": r["claim_id"], "expression": _s(r["expression"]),
        "claimed": _clean(r["claimed"]), "computed": _clean(r["computed"]), "unit": unit,
        "claimed_text": format_quantity(r["claimed"], unit, lang=lang) if _clean(r["claimed"]) is not None else "—",
        "computed_text": format_quantity(r["computed"], unit, lang=lang) if _clean(r["computed"]) is not None else "—",
        "rel_diff": _clean(r["rel_diff"]), "status": r["status"], "status_label": label("status", r["status"], lang),
        "detail": _pick(r["detail_zh"], r["detail_en"], lang),
    }


def audit_summary(store: Store, lang: str) -> dict[str, Any]:
    """Counts by status, the channel × status table and every recomputation."""
    a = store.audit
    summ = a.summary()
    bc = a.by_channel()
    return {
        "total": int(summ["n"].sum()),
        "statuses": [{"status": s, "label": label("status", s, lang), "n": int(n)}
                     for s, n in zip(summ["status"], summ["n"], strict=True)],
        "by_channel": [
            {"channel": ch, "channel_label": label("channel", str(ch), lang),
             "counts": {s: int(bc.loc[ch, s]) for s in STATUSES}, "total": int(bc.loc[ch, "total"])}
            for ch in bc.index
        ],
        "derivations": [_derivation_row(r, lang) for r in a.derivations.to_dict("records")],
    }


def timeline(store: Store, lang: str, *, channel: str | None = None, start: int | None = None,
             end: int | None = None) -> dict[str, Any]:
    """The dated events, oldest first."""
    opts = evidence_options(store, "en")
    _check_choice("channel", channel, [c["code"] for c in opts["channels"]])
    if start is not None and end is not None and start > end:
        raise ParamError("start", "error.range", lo="1900", hi=str(end))
    df = store.evidence.timeline(channel=channel, start=start, end=end)
    names = store.graph.nodes
    return {
        "total": len(df),
        "items": [
            {"id": r["id"], "date": r["date"], "year_start": int(r["year_start"]), "year_end": int(r["year_end"]),
             "label": _pick(r["label_zh"], r["label_en"], lang), "channel": r["channel"],
             "channel_label": label("channel", r["channel"], lang),
             "entities": [{"id": e, "label": _node_label(store, e, lang) if e in names else e}
                          for e in _ids(r["entity_ids"])],
             "locator": _s(r["locator"]), "sources": _source_refs(store, _ids(r["source_ids"]), lang)}
            for r in df.to_dict("records")
        ],
    }


# ---------------------------------------------------------------------- chain


def chain_options(store: Store, lang: str) -> dict[str, Any]:
    """Values the graph filters accept and the year range of dated elements."""
    from hkfactor.chain import SIDES, STAGES

    g = store.graph
    present = {a: {d[a] for _, d in g.nodes(data=True) if d[a]} for a in ("channel", "stage", "side", "type")}
    years = [d["since"] for _, d in g.nodes(data=True) if d["since"] != -1]
    return {
        "channels": [{"code": c, "label": label("channel", c, lang)} for c in LABELS["channel"]
                     if c in present["channel"]],
        "stages": [{"code": s, "label": label("chain_stage", s, lang)} for s in STAGES if s in present["stage"]],
        "sides": [{"code": s, "label": label("side", s, lang)} for s in SIDES if s in present["side"]],
        "types": [{"code": t, "label": label("entity_type", t, lang)} for t in sorted(present["type"])],
        "groupings": [{"code": b, "label": _grouping_label(b, lang)} for b in GROUPINGS],
        "years": [min(years), max(years)] if years else [],
    }


def _grouping_label(by: str, lang: str) -> str:
    zh = {"side": "归属", "stage": "环节", "channel": "渠道", "type": "类型"}
    return zh[by] if lang == "zh" else by


def _node_row(store: Store, n: str, d: dict[str, Any], lang: str) -> dict[str, Any]:
    lay = store.layout
    x, y = lay.positions.get(n, (0.0, 0.0))
    return {
        "id": n, "label": d["label_zh"] if lang == "zh" else d["label_en"],
        "type": d["type"], "type_label": label("entity_type", d["type"], lang),
        "side": d["side"], "side_label": label("side", d["side"], lang),
        "stage": d["stage"], "stage_label": label("chain_stage", d["stage"], lang) if d["stage"] else "",
        "channel": d["channel"], "channel_label": label("channel", d["channel"], lang) if d["channel"] else "",
        "since": d["since"] if d["since"] != -1 else None,
        "x": round(x * 90, 1), "y": round(y * 90, 1),
    }


def _edge_row(u: str, v: str, d: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"id": d["relation"], "source": u, "target": v, "predicate": d["predicate"],
            "label": label("predicate", d["predicate"], lang), "since": d["since"] if d["since"] != -1 else None}


def chain_graph(store: Store, lang: str, *, channel: str | None = None, stage: str | None = None,
                side: str | None = None, year: int | None = None, undated: bool = True) -> dict[str, Any]:
    """The chain graph (nodes with stage-layout positions, edges), filtered."""
    from hkfactor.chain import subgraph

    opts = chain_options(store, "en")
    _check_choice("channel", channel, [c["code"] for c in opts["channels"]])
    _check_choice("stage", stage, [c["code"] for c in opts["stages"]])
    _check_choice("side", side, [c["code"] for c in opts["sides"]])
    g = store.graph
    if any(x for x in (channel, stage, side)) or year is not None:
        g = subgraph(g, channel=channel or None, stage=stage or None, side=side or None, year=year,
                     undated="keep" if undated else "drop")
    lay = store.layout
    return {
        "counts": {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()},
        "columns": [{"code": c, "label": label("chain_stage", c, lang) if c else ("背景" if lang == "zh" else "context"),
                     "x": round(lay.column_x[c] * 90, 1)} for c in lay.columns],
        "rows": [{"code": r, "label": label("side", r, lang) if r else "—", "y": round(lay.row_y[r] * 90, 1)}
                 for r in lay.rows],
        "nodes": [_node_row(store, n, d, lang) for n, d in sorted(g.nodes(data=True))],
        "edges": [_edge_row(u, v, d, lang) for u, v, d in sorted(g.edges(data=True), key=lambda e: e[2]["relation"])],
    }


def _resolve(store: Store, name: str) -> str:
    from hkfactor.chain import resolve

    try:
        return resolve(store.graph, name)
    except InputError as exc:
        text = " ".join(p.message for p in exc.problems)
        if "several" in text or "more than one" in text or "ambiguous" in text.lower():
            raise WebError(422, "error.ambiguous_node", name=name, candidates=text) from None
        raise WebError(404, "error.unknown_node", name=name) from None


def chain_node(store: Store, lang: str, node: str) -> dict[str, Any]:
    """One actor: attributes, sources, relations in both directions (with sources), events naming it."""
    n = _resolve(store, node)
    g = store.graph
    d = g.nodes[n]
    row = _node_row(store, n, d, lang)
    ent = store.evidence.get(n)
    row.update({
        "name_zh": d["label_zh"], "name_en": d["label_en"], "founded": d["founded"], "locator": d["locator"],
        "note": getattr(ent, "note", ""), "sources": _source_refs(store, _ids(d["source_ids"]), lang),
    })
    rels = []
    for u, v, e in sorted(list(g.out_edges(n, data=True)) + list(g.in_edges(n, data=True)),
                          key=lambda x: x[2]["relation"]):
        rels.append({
            "id": e["relation"], "direction": "out" if u == n else "in",
            "subject": u, "subject_label": _node_label(store, u, lang),
            "object": v, "object_label": _node_label(store, v, lang),
            "predicate": e["predicate"], "predicate_label": label("predicate", e["predicate"], lang),
            "start": e["start"], "end": e["end"], "value": e["value"], "unit": e["unit"],
            "locator": e["locator"], "note": e["note"],
            "sources": _source_refs(store, _ids(e["source_ids"]), lang),
        })
    row["relations"] = rels
    ev = store.evidence.events
    mask = ev["entity_ids"].str.split(";").apply(lambda ids: n in ids)
    row["events"] = [{"id": r["id"], "date": r["date"], "label": _pick(r["label_zh"], r["label_en"], lang)}
                     for r in ev[mask].to_dict("records")]
    return row


def chain_path(store: Store, lang: str, *, a: str, b: str, via: Sequence[str] = (),
               directed: bool = False) -> dict[str, Any]:
    """Shortest path between two actors (names or ids), optionally through waypoints; every hop sourced."""
    from hkfactor.chain import path

    via = [v for v in via if v.strip()]
    if len(via) > MAX_VIA:
        raise ParamError("via", "error.too_many_via", max=MAX_VIA)
    ids = [_resolve(store, x) for x in (a, *via, b)]
    try:
        p = path(store.graph, ids[0], ids[-1], via=ids[1:-1], directed=directed)
    except InputError:
        raise WebError(404, "error.no_path", a=_node_label(store, ids[0], lang),
                       b=_node_label(store, ids[-1], lang)) from None
    return {
        "nodes": [{"id": x, "label": _node_label(store, x, lang)} for x in p.nodes],
        "hops": [
            {"relation": h.relation, "subject": h.subject, "subject_label": _node_label(store, h.subject, lang),
             "object": h.object, "object_label": _node_label(store, h.object, lang), "predicate": h.predicate,
             "predicate_label": label("predicate", h.predicate, lang), "forward": h.forward, "start": h.start,
             "locator": h.locator, "sources": _source_refs(store, h.source_ids, lang)}
            for h in p.hops
        ],
        "cites_every_hop": p.cites_every_hop(),
    }


def brokerage(store: Store, lang: str, *, by: str = "side", limit: int = 20) -> dict[str, Any]:
    """Degree, betweenness and Gould–Fernandez brokerage per actor, most brokering first."""
    _check_choice("by", by, GROUPINGS)
    try:
        m = store.measures(by)
    except (InputError, SpecError) as exc:  # pragma: no cover - GROUPINGS are all valid
        raise WebError(422, "error.domain", message=str(exc)) from None
    rows = []
    for r in m.head(limit).to_dict("records"):
        rows.append({
            "id": r["id"], "label": _node_label(store, r["id"], lang), "group": _s(r["group"]),
            "group_label": _group_label(by, _s(r["group"]), lang),
            "in_degree": int(r["in_degree"]), "out_degree": int(r["out_degree"]),
            "betweenness": float(r["betweenness"]),
            "roles": {role: float(r[role]) for role in ROLES},
            "z": {role: _clean(float(r[f"{role}_z"])) for role in ROLES},
        })
    return {"by": by, "roles": list(ROLES), "total": len(m), "items": rows}


def _group_label(by: str, code: str, lang: str) -> str:
    vocab = {"side": "side", "stage": "chain_stage", "channel": "channel", "type": "entity_type"}[by]
    return label(vocab, code, lang) if code and code != "-" else "—"


# ---------------------------------------------------------------------- data


def series_list(store: Store, lang: str) -> dict[str, Any]:
    """Every panel series with its span, number of years and count by grade."""
    summ = store.coverage_summary
    meta = store.series_meta
    items = []
    for code, r in summ.iterrows():
        m = meta.get(str(code), {})
        items.append({
            "code": str(code), "name": _pick(m.get("name_zh"), m.get("name_en"), lang) or str(code),
            "channel": _s(r["channel"]), "channel_label": label("channel", _s(r["channel"]), lang),
            "geography": _s(m.get("geography")), "unit": _s(m.get("unit")),
            "unit_label": _unit_label(_s(m.get("unit")), lang),
            "first": _s(r["first"]), "last": _s(r["last"]), "years": int(r["years"]),
            "grades": {"A": int(r["A"]), "B": int(r["B"]), "C": int(r["C"]), "d": int(r["derived"])},
            "excluded": int(r["excluded"]),
        })
    return {"total": len(items), "items": items}


def _chart(cells: pd.DataFrame, unit: str) -> dict[str, Any]:
    """Periods and values of a series for a chart; annual series get every year of their span (gaps
    stay empty, so a missing year is never hidden by the axis)."""
    periods = [_s(x) for x in cells["period"]]
    values = [_clean(v) for v in cells["value"]]
    if periods and all(p.isdigit() and len(p) == 4 for p in periods):
        by = dict(zip(periods, values, strict=True))
        periods = [str(y) for y in range(int(min(periods)), int(max(periods)) + 1)]
        values = [by.get(p) for p in periods]
    return {"periods": periods, "values": values, "unit": unit}


def coverage(store: Store, lang: str) -> dict[str, Any]:
    """Series × years grid of the winning grade (``A``/``B``/``C``/``d``/``""``)."""
    cov = store.coverage
    years = [c for c in cov.columns if c != "channel"]
    meta = store.series_meta
    return {
        "years": [str(y) for y in years],
        "rows": [
            {"series": str(code), "name": _pick(meta.get(str(code), {}).get("name_zh"),
                                                 meta.get(str(code), {}).get("name_en"), lang) or str(code),
             "channel": _s(r.get("channel", "")), "cells": [_s(r[y]) for y in years]}
            for code, r in cov.iterrows()
        ],
    }


def series_detail(store: Store, lang: str, code: str) -> dict[str, Any]:
    """One series: definition, resolved values with the reason, every observation and its role, breaks."""
    meta = store.series_meta.get(code)
    if meta is None:
        raise WebError(404, "error.unknown_series", code=code)
    p = store.panel
    cells = p.cells[p.cells["series"] == code].sort_values("period")
    obs = p.observations[p.observations["series"] == code]
    won = set(cells["observation_id"])
    excl = p.excluded[p.excluded["series"] == code]
    excl_reason = dict(zip(excl["observation_id"], excl["reason"], strict=True))
    unit = _s(meta.get("unit")) or (str(cells["unit"].iloc[0]) if len(cells) else "")

    observations = []
    for r in obs.sort_values(["period", "vintage", "id"]).to_dict("records"):
        role = "won" if r["id"] in won else "excluded" if r["id"] in excl_reason else "lost"
        observations.append({
            "id": r["id"], "period": _s(r["period"]), "printed": f"{_s(r['printed_value'])}{_s(r['printed_unit'])}",
            "value": _clean(r["value"]), "value_text": qualified_quantity(r["value"], _s(r["unit"]), _s(r.get("qualifier")),
                                                                          lang=lang),
            "grade": _s(r["grade"]), "vintage": _s(r["vintage"]), "derived_from": _s(r["derived_from"]),
            "locator": _s(r["locator"]), "note": _s(r["note"]), "role": role,
            "excluded_reason": _s(excl_reason.get(r["id"])),
            "source": _source_refs(store, [_s(r["source_id"])], lang)[0] if _s(r["source_id"]) else None,
        })
    brk = p.breaks_of(code)
    return {
        "code": code,
        "name": _pick(meta.get("name_zh"), meta.get("name_en"), lang) or code,
        "channel": _s(meta.get("channel")), "channel_label": label("channel", _s(meta.get("channel")), lang),
        "geography": _s(meta.get("geography")), "geography_label": _geo_label(store, _s(meta.get("geography")), lang),
        "unit": unit, "unit_label": _unit_label(unit, lang), "definition": _s(meta.get("definition")), "note": _s(meta.get("note")),
        "direction": _clean(meta.get("direction")) if meta.get("direction", "") != "" else None,
        "cells": [
            {"period": _s(r["period"]), "value": _clean(r["value"]),
             "value_text": qualified_quantity(r["value"], _s(r["unit"]), _s(r.get("qualifier")), lang=lang),
             "grade": _s(r["grade"]), "observation_id": _s(r["observation_id"]), "vintage": _s(r["vintage"]),
             "reason": _s(r["reason"]), "losers": _ids(r["losers"]), "n_candidates": int(r["n_candidates"]),
             "breaks": _ids(r["breaks"]),
             "source": _source_refs(store, [_s(r["source_id"])], lang)[0] if _s(r["source_id"]) else None}
            for r in cells.to_dict("records")
        ],
        "observations": observations,
        "breaks": [{"id": _s(r["id"]), "from_period": _s(r["from_period"]),
                    "description": _pick(r.get("description_zh"), r.get("description_en"), lang)}
                   for r in brk.to_dict("records")],
        "chart": _chart(cells, unit),
    }
