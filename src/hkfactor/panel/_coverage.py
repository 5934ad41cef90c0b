"""Coverage of a resolved panel: which series have values in which years, at which grade."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hkfactor.panel._resolve import Panel, _years

__all__ = ["coverage", "coverage_summary"]


def coverage(panel: Panel, *, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Series × years table of the winning grade (``""`` where the year is missing).

    Parameters
    ----------
    panel : Panel
    years : sequence of int, optional
        Columns to show (default: every year from the first to the last annual value).

    Returns
    -------
    pandas.DataFrame
        Index ``series`` (with ``channel`` when series definitions are present), one column
        per year, cells ``A``/``B``/``C`` (the winning observation's grade; a derived value is
        shown as ``d``).
    """
    cols = _years(panel, years)
    cells = panel.cells[panel.cells["period"].isin(cols)]
    derived = set(panel.observations.loc[panel.observations["derived_from"].fillna("").astype(str) != "", "id"])
    marks = cells.assign(mark=[("d" if o in derived else g) for o, g in zip(cells["observation_id"], cells["grade"],
                                                                              strict=True)])
    table = marks.pivot(index="series", columns="period", values="mark").reindex(columns=cols).fillna("")
    all_series = sorted(set(panel.cells["series"]) | set(panel.series.get("code", pd.Series(dtype=str))))
    table = table.reindex(all_series).fillna("")
    table.columns.name = None
    if not panel.series.empty:
        ch = dict(zip(panel.series["code"], panel.series["channel"], strict=False))
        table.insert(0, "channel", [ch.get(s, "") for s in table.index])
    table.index.name = "series"
    return table


def coverage_summary(panel: Panel) -> pd.DataFrame:
    """Per series: first and last year, number of years filled, and the count by grade."""
    rows = []
    derived = set(panel.observations.loc[panel.observations["derived_from"].fillna("").astype(str) != "", "id"])
    codes = sorted(set(panel.cells["series"]) | set(panel.series.get("code", pd.Series(dtype=str))))
    ch = dict(zip(panel.series.get("code", []), panel.series.get("channel", []), strict=False))
    for s in codes:
        c = panel.cells[(panel.cells["series"] == s) & panel.cells["period"].str.fullmatch(r"\d{4}")]
        g = [("d" if o in derived else gr) for o, gr in zip(c["observation_id"], c["grade"], strict=True)]
        rows.append({
            "series": s, "channel": ch.get(s, ""), "first": c["period"].min() if len(c) else "",
            "last": c["period"].max() if len(c) else "", "years": len(c),
            "A": g.count("A"), "B": g.count("B"), "C": g.count("C"), "derived": g.count("d"),
            "excluded": int((panel.excluded["series"] == s).sum()),
        })
    return pd.DataFrame(rows).set_index("series")
