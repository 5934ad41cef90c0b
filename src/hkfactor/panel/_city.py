"""The city panel: city series (``geography = *`` in ``series.csv``) resolved per city and year.

A *city series* is one row of ``series.csv`` whose ``geography`` is ``*``: one definition
(e.g. ``city_invention_grants``) observed in many cities, each observation naming its city in
its own ``geography`` column (``GZ``, ``BJ``, …; see ``geographies.csv``). The resolution rule
and the provenance are those of :func:`hkfactor.panel.resolve`, applied to each city's
observations separately — a city is just another panel, so nothing of the rule is repeated
here.

* :func:`resolve_cities` → :class:`CityPanel` (long cells, a city × year × series wide view,
  the excluded observations and the per-city :class:`~hkfactor.panel.Panel`);
* :func:`city_coverage` — share of city-years filled, and filled at grade A or B, per series
  or per city;
* :func:`city_distances` — great-circle (haversine) distance of every city to a reference
  city (Hong Kong by default) from a coordinates table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from hkfactor._io import read_table
from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.panel._adapter import DATA_DIR
from hkfactor.panel._resolve import CELL_COLUMNS, EXCLUDED_COLUMNS, Panel, ResolutionRule, resolve

__all__ = [
    "CITY_CELL_COLUMNS",
    "COORDINATE_COLUMNS",
    "EARTH_RADIUS_KM",
    "CityPanel",
    "city_coverage",
    "city_distances",
    "city_series_codes",
    "haversine_km",
    "read_city_coordinates",
    "resolve_cities",
]

#: ``geography`` value of a series defined once for many cities (series.csv).
CITY_WILDCARD = "*"
#: Columns of :attr:`CityPanel.cells`.
CITY_CELL_COLUMNS: tuple[str, ...] = ("geography", "series", "year", *[c for c in CELL_COLUMNS
                                                                       if c not in ("series", "period")])
#: Columns of a city coordinates file (``evidence/data/city_coordinates*.csv``).
COORDINATE_COLUMNS: tuple[str, ...] = ("geography", "lat", "lon", "source_url", "locator", "note")
#: Mean Earth radius (IUGG), km — the radius of the haversine distance.
EARTH_RADIUS_KM = 6371.0088


def city_series_codes(series: pd.DataFrame) -> list[str]:
    """Codes of the city series: rows of ``series.csv`` whose ``geography`` is ``*``.

    >>> import pandas as pd
    >>> city_series_codes(pd.DataFrame({"code": ["sz_gdp", "city_gdp"], "geography": ["SZ", "*"]}))
    ['city_gdp']
    """
    if series.empty or "geography" not in series.columns:
        return []
    geo = series["geography"].fillna("").astype(str).str.strip()
    return sorted(series.loc[geo == CITY_WILDCARD, "code"].astype(str))


@dataclass(frozen=True)
class CityPanel:
    """City series resolved per (series, city, year), each cell with its provenance.

    Attributes
    ----------
    cells : DataFrame
        Long table, one row per filled (geography, series, year): ``value`` (canonical unit),
        ``unit``, ``qualifier``, the winning ``observation_id``, its ``grade``, ``vintage`` and
        ``source_id``, the ``reason`` it won, the ``losers`` (``;``-joined ids),
        ``n_candidates`` and the declared ``breaks`` in force. ``year`` is an int.
    excluded : DataFrame
        Observations kept out and why (``geography``, ``observation_id``, ``series``,
        ``period``, ``reason``), including observations of a city series whose geography is
        missing or not a city of ``cities``.
    panels : Mapping[str, Panel]
        The per-city panels :func:`hkfactor.panel.resolve` returned (full provenance API).
    series : tuple of str
        The city series codes considered.
    rule : ResolutionRule
    """

    cells: pd.DataFrame
    excluded: pd.DataFrame
    panels: Mapping[str, Panel]
    series: tuple[str, ...]
    rule: ResolutionRule = field(default_factory=ResolutionRule)

    @property
    def cities(self) -> tuple[str, ...]:
        """Geographies with at least one resolved cell, sorted."""
        return tuple(sorted(set(self.cells["geography"])))

    def long(self) -> pd.DataFrame:
        """The long table (a copy of :attr:`cells`)."""
        return self.cells.copy()

    def wide(self, values: str = "value") -> pd.DataFrame:
        """City × year rows, one column per series (NaN / ``""`` where missing; nothing filled in).

        Parameters
        ----------
        values : str
            Which cell field to spread: ``"value"`` (default), ``"grade"``,
            ``"observation_id"``, ``"source_id"``, …

        Returns
        -------
        DataFrame
            Index ``(geography, year)``; columns: the city series in :attr:`series` order.
        """
        if values not in self.cells.columns:
            raise SpecError(f"unknown cell field {values!r}; valid: {', '.join(self.cells.columns)}")
        if self.cells.empty:
            idx = pd.MultiIndex.from_arrays([[], []], names=["geography", "year"])
            return pd.DataFrame(index=idx, columns=list(self.series))
        table = self.cells.pivot(index=["geography", "year"], columns="series", values=values)
        table = table.reindex(columns=list(self.series)).sort_index()
        table.columns.name = None
        if values != "value":
            table = table.astype(object).where(table.notna(), "")
        return table

    def provenance(self, geography: str, series: str, year: int) -> dict[str, Any]:
        """The provenance record of one cell (raises ``KeyError`` if it is empty)."""
        c = self.cells
        hit = c[(c["geography"] == geography) & (c["series"] == series) & (c["year"] == int(year))]
        if hit.empty:
            raise KeyError(f"no value for series {series!r} in {geography!r}, {year}")
        return dict(hit.iloc[0])


def _problems_for(rows: pd.DataFrame, field_: str, message: str) -> list[Problem]:
    out = []
    for _, r in rows.iterrows():
        file = str(r["file"]) if "file" in rows.columns and str(r.get("file", "")) else "observations"
        row = int(r["row"]) if "row" in rows.columns and pd.notna(r.get("row")) else None
        out.append(Problem(file, row, field_, message.format(**{k: r[k] for k in rows.columns})))
    return out


def resolve_cities(
    observations: pd.DataFrame,
    *,
    series: pd.DataFrame,
    cities: Iterable[str] | None = None,
    rule: ResolutionRule | None = None,
    sources: pd.DataFrame | None = None,
    breaks: pd.DataFrame | None = None,
) -> CityPanel:
    """Resolve every city series for every city by the panel's resolution rule.

    Each city's observations of the city series go through :func:`hkfactor.panel.resolve`
    on their own (grade, then exactness, then vintage, then declared preference; annual
    periods only by default), so a cell's provenance is exactly that of the city panel.

    Parameters
    ----------
    observations : DataFrame
        As from :func:`hkfactor.panel.read_observations` (needs ``geography`` besides the
        columns :func:`~hkfactor.panel.resolve` needs). Observations of other series are ignored.
    series : DataFrame
        ``series.csv`` (as from :func:`hkfactor.panel.read_series`); the city series are the
        rows with ``geography`` ``*``.
    cities : iterable of str, optional
        Geographies admitted as cities; an observation of a city series in another
        geography is excluded (with the reason). Default: every geography present.
    rule, sources, breaks
        As in :func:`hkfactor.panel.resolve` (breaks of a city series apply in every city).

    Returns
    -------
    CityPanel

    Raises
    ------
    InputError
        An observation of a city series with an empty geography or the wildcard ``*``
        (file, row and id named); duplicate observation ids.

    Examples
    --------
    >>> import pandas as pd
    >>> ser = pd.DataFrame({"code": ["city_gdp"], "geography": ["*"], "unit": ["CNY"]})
    >>> obs = pd.DataFrame({"id": ["SYNTH-1", "SYNTH-2", "SYNTH-3"], "series": ["city_gdp"] * 3,
    ...     "geography": ["GZ", "GZ", "FS"], "period": ["2020"] * 3, "value": [1.0, 2.0, 3.0],
    ...     "unit": ["CNY"] * 3, "grade": ["B", "A", "A"], "vintage": ["2021"] * 3,
    ...     "source_id": ["s1", "s2", "s3"], "printed_value": ["1", "2", "3"]})
    >>> cp = resolve_cities(obs, series=ser)
    >>> cp.wide()["city_gdp"].to_dict()
    {('FS', 2020): 3.0, ('GZ', 2020): 2.0}
    >>> cp.provenance("GZ", "city_gdp", 2020)["losers"]
    'SYNTH-1'
    """
    rule = rule or ResolutionRule()
    codes = city_series_codes(series)
    if "geography" not in observations.columns:
        raise SpecError("observations lack column geography")
    if "id" in observations.columns and observations["id"].duplicated().any():
        dups = observations.loc[observations["id"].duplicated(), "id"].astype(str).tolist()
        raise SpecError(f"duplicate observation id(s): {', '.join(dups[:5])}")
    obs = observations[observations["series"].isin(codes)].copy()
    obs["geography"] = obs["geography"].fillna("").astype(str).str.strip()
    bad = obs[obs["geography"].isin(["", CITY_WILDCARD])]
    if len(bad):
        raise InputError(
            _problems_for(bad, "geography",
                          "observation {id} of city series {series} must name its city (a geographies.csv id), "
                          "not an empty or '*' geography"),
            title="city observations without a city")
    admitted = None if cities is None else set(cities)
    excluded: list[pd.DataFrame] = []
    if admitted is not None:
        out = obs[~obs["geography"].isin(admitted)]
        if len(out):
            excluded.append(pd.DataFrame({
                "geography": out["geography"], "observation_id": out["id"], "series": out["series"],
                "period": out["period"],
                "reason": [f"geography {g} is not a city of this panel" for g in out["geography"]],
            }))
        obs = obs[obs["geography"].isin(admitted)]
    ser = series[series["code"].isin(codes)]
    panels: dict[str, Panel] = {}
    cells: list[pd.DataFrame] = []
    for geo, grp in obs.groupby("geography", sort=True):
        p = resolve(grp.reset_index(drop=True), rule=rule, sources=sources, series=ser, breaks=breaks)
        panels[str(geo)] = p
        c = p.cells.copy()
        c.insert(0, "geography", str(geo))
        cells.append(c)
        if len(p.excluded):
            excluded.append(p.excluded.assign(geography=str(geo)))
    if cells:
        long = pd.concat(cells, ignore_index=True)
    else:
        long = pd.DataFrame(columns=["geography", *CELL_COLUMNS])
    # Only annual periods become years; a non-annual period (rule.annual_only=False) stays out of
    # the year-indexed city panel and is listed as excluded.
    annual = long["period"].astype(str).str.fullmatch(r"\d{4}")
    if (~annual).any():
        na = long[~annual]
        excluded.append(pd.DataFrame({
            "geography": na["geography"], "observation_id": na["observation_id"], "series": na["series"],
            "period": na["period"], "reason": [f"period {p} is not a calendar year" for p in na["period"]],
        }))
        long = long[annual]
    long = long.rename(columns={"period": "year"})
    long["year"] = long["year"].astype(int)
    long["value"] = long["value"].astype(float)
    long = long[list(CITY_CELL_COLUMNS)].sort_values(["geography", "series", "year"]).reset_index(drop=True)
    exc_cols = ["geography", *EXCLUDED_COLUMNS]
    exc = (pd.concat([e[exc_cols] for e in excluded], ignore_index=True) if excluded
           else pd.DataFrame(columns=exc_cols))
    return CityPanel(cells=long, excluded=exc, panels=panels, series=tuple(codes), rule=rule)


def city_coverage(
    panel: CityPanel,
    *,
    by: Literal["series", "geography"] = "series",
    years: Sequence[int] = tuple(range(2005, 2024)),
    cities: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of city-years filled, and filled at grade A or B, per series or per city.

    Parameters
    ----------
    panel : CityPanel
    by : {"series", "geography"}
        ``"series"``: one row per city series, the denominator is cities × years;
        ``"geography"``: one row per city, the denominator is series × years.
    years : sequence of int
        The years that count (default 2005–2023).
    cities : sequence of str, optional
        The cities that count (default: those with any cell). A city without any value counts
        as empty, so pass the full list of the design's cities to see gaps.

    Returns
    -------
    DataFrame
        Index ``series`` or ``geography``; columns ``cells`` (denominator), ``filled``,
        ``filled_ab`` (grade A or B), ``share_filled``, ``share_ab`` (in [0, 1]), and
        ``A``, ``B``, ``C`` counts.

    Examples
    --------
    >>> import pandas as pd
    >>> ser = pd.DataFrame({"code": ["city_gdp"], "geography": ["*"], "unit": ["CNY"]})
    >>> obs = pd.DataFrame({"id": ["SYNTH-1", "SYNTH-2"], "series": ["city_gdp"] * 2,
    ...     "geography": ["GZ", "FS"], "period": ["2020", "2021"], "value": [1.0, 2.0],
    ...     "unit": ["CNY"] * 2, "grade": ["A", "C"], "vintage": ["2021"] * 2,
    ...     "source_id": ["s1", "s2"], "printed_value": ["1", "2"]})
    >>> cov = city_coverage(resolve_cities(obs, series=ser), years=[2020, 2021])
    >>> cov.loc["city_gdp", ["cells", "filled", "filled_ab"]].tolist()
    [4, 2, 1]
    """
    if by not in ("series", "geography"):
        raise SpecError(f"by must be 'series' or 'geography', got {by!r}")
    yrs = [int(y) for y in years]
    if not yrs:
        raise SpecError("years is empty")
    city_list = list(cities) if cities is not None else list(panel.cities)
    c = panel.cells[panel.cells["year"].isin(yrs) & panel.cells["geography"].isin(city_list)]
    keys = list(panel.series) if by == "series" else city_list
    other = len(city_list) if by == "series" else len(panel.series)
    denom = other * len(yrs)
    grade = c["grade"].fillna("").astype(str)
    rows = []
    for k in keys:
        sel = c[by] == k
        g = grade[sel]
        a, b, cc = int((g == "A").sum()), int((g == "B").sum()), int((g == "C").sum())
        filled = int(sel.sum())
        rows.append({by: k, "cells": denom, "filled": filled, "filled_ab": a + b,
                     "share_filled": filled / denom if denom else np.nan,
                     "share_ab": (a + b) / denom if denom else np.nan, "A": a, "B": b, "C": cc})
    cols = [by, "cells", "filled", "filled_ab", "share_filled", "share_ab", "A", "B", "C"]
    return pd.DataFrame(rows, columns=cols).set_index(by)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any, *, radius_km: float = EARTH_RADIUS_KM) -> Any:
    r"""Great-circle distance in km between points given in decimal degrees (broadcasting).

    :math:`d = 2R\arcsin\sqrt{\sin^2(\Delta\varphi/2) + \cos\varphi_1\cos\varphi_2\sin^2(\Delta\lambda/2)}`
    on a sphere of radius :math:`R` (default the IUGG mean Earth radius, 6371.0088 km). The
    spherical model is within about 0.5 % of the ellipsoidal distance. NaN propagates.

    >>> round(float(haversine_km(0.0, 0.0, 0.0, 1.0)), 3)     # one degree of the equator
    111.195
    """
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * radius_km * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def read_city_coordinates(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate city coordinates (``geography, lat, lon, source_url, locator, note``).

    Parameters
    ----------
    path : path, optional
        A CSV file, or a folder whose ``city_coordinates*.csv`` files are read together
        (default: the built-in evidence folder).

    Raises
    ------
    InputError
        No file; a missing column; a latitude outside [-90, 90] or longitude outside
        [-180, 180]; an unreadable number; a duplicate geography; a row without a source —
        every problem at once, with file and row.
    """
    p = Path(path) if path is not None else DATA_DIR
    files = sorted(p.glob("city_coordinates*.csv")) if p.is_dir() else [p]
    files = [f for f in files if f.exists()]
    if not files:
        raise InputError([Problem(str(p), None, None, "no city coordinates file (city_coordinates*.csv)")],
                         title="city coordinates missing")
    frames = []
    problems: list[Problem] = []
    for f in files:
        df = read_table(f, dtype=str)
        missing = [c for c in COORDINATE_COLUMNS[:3] if c not in df.columns]
        problems += [Problem(f.name, 1, c, "required column missing") for c in missing]
        if missing:
            continue
        for c in COORDINATE_COLUMNS:
            if c not in df.columns:
                df[c] = ""
        df = df[list(COORDINATE_COLUMNS)].apply(lambda s: s.str.strip())
        df["file"], df["row"] = f.name, range(2, len(df) + 2)
        frames.append(df)
    if problems:
        raise InputError(problems, title="invalid city coordinates")
    df = pd.concat(frames, ignore_index=True)
    return validate_coordinates(df)


def validate_coordinates(df: pd.DataFrame) -> pd.DataFrame:
    """Check a coordinates frame (see :func:`read_city_coordinates`); return it with float lat/lon."""
    problems: list[Problem] = []
    missing = [c for c in ("geography", "lat", "lon") if c not in df.columns]
    if missing:
        raise InputError([Problem("coordinates", None, c, "required column missing") for c in missing],
                         title="invalid city coordinates")
    out = df.copy()
    if "file" not in out.columns:
        out["file"] = "coordinates"
    if "row" not in out.columns:
        out["row"] = range(2, len(out) + 2)
    for c in ("source_url", "locator", "note"):
        if c not in out.columns:
            out[c] = ""
    lat = pd.to_numeric(out["lat"], errors="coerce")
    lon = pd.to_numeric(out["lon"], errors="coerce")
    for name, s, lim in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        for i in np.flatnonzero(~(s.abs() <= lim).to_numpy()):
            problems.append(Problem(str(out["file"].iloc[i]), int(out["row"].iloc[i]), name,
                                    f"expected a number in [-{lim:g}, {lim:g}], got {out[name].iloc[i]!r}"))
    for i in np.flatnonzero(out["geography"].astype(str).duplicated().to_numpy()):
        problems.append(Problem(str(out["file"].iloc[i]), int(out["row"].iloc[i]), "geography",
                                f"duplicate geography {out['geography'].iloc[i]!r}"))
    no_src = out["source_url"].fillna("").astype(str).str.strip() == ""
    for i in np.flatnonzero(no_src.to_numpy()):
        problems.append(Problem(str(out["file"].iloc[i]), int(out["row"].iloc[i]), "source_url",
                                "every coordinate needs its source"))
    if problems:
        raise InputError(problems, title="invalid city coordinates")
    out["lat"], out["lon"] = lat.astype(float), lon.astype(float)
    return out.reset_index(drop=True)


def city_distances(
    coordinates: pd.DataFrame | str | Path | None = None,
    *,
    reference: str = "HK",
) -> pd.DataFrame:
    """Great-circle distance (km) of every geography in a coordinates table to ``reference``.

    Parameters
    ----------
    coordinates : DataFrame, path or None
        A frame with ``geography, lat, lon, source_url`` (validated as
        :func:`read_city_coordinates` does), a CSV file or folder, or ``None`` for the
        built-in ``evidence/data/city_coordinates*.csv``.
    reference : str
        Geography to measure from (default ``"HK"``); it must be in the table.

    Returns
    -------
    DataFrame
        Index ``geography``; columns ``lat``, ``lon``, ``distance_km`` (0 for the reference),
        ``source_url``, ``locator``.

    Examples
    --------
    >>> import pandas as pd
    >>> synthetic = pd.DataFrame({"geography": ["HK", "X"], "lat": [0.0, 0.0], "lon": [0.0, 1.0],
    ...                           "source_url": ["SYNTHETIC", "SYNTHETIC"]})
    >>> city_distances(synthetic)["distance_km"].round(1).to_dict()
    {'HK': 0.0, 'X': 111.2}
    """
    if isinstance(coordinates, pd.DataFrame):
        df = validate_coordinates(coordinates)
    else:
        df = read_city_coordinates(coordinates)
    ref = df[df["geography"] == reference]
    if ref.empty:
        raise InputError([Problem(str(df["file"].iloc[0]) if len(df) else "coordinates", None, "geography",
                                  f"the reference geography {reference!r} has no coordinates")],
                         title="city coordinates")
    d = haversine_km(float(ref["lat"].iloc[0]), float(ref["lon"].iloc[0]), df["lat"].to_numpy(),
                     df["lon"].to_numpy())
    out = df[["geography", "lat", "lon", "source_url", "locator"]].copy()
    out.insert(3, "distance_km", np.asarray(d, dtype=float))
    return out.set_index("geography")
