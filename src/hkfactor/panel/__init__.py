"""The sourced Shenzhen–Hong Kong panel: observations → resolved yearly series with provenance.

* :func:`read_observations`, :func:`read_series`, :func:`read_breaks`, :func:`read_sources`
  read the evidence files (``evidence/data/observations/*.csv``, ``series.csv``,
  ``breaks.csv``, ``sources/*.csv``).
* :func:`resolve` applies a :class:`ResolutionRule` (grade, then vintage, then a declared
  preference list) and records for every cell which observation won, why, and which lost.
* :func:`coverage` shows series × years with grades; :func:`to_datapackage` writes a
  Frictionless Data Package.
* :func:`build` does all of it on the built-in data.
* The city panel: :func:`resolve_cities` resolves the city series (``geography`` ``*`` in
  ``series.csv``) per city with the same rule (:class:`CityPanel`); :func:`city_coverage`,
  :func:`city_distances` (haversine distance to Hong Kong); :func:`build_cities` on the
  built-in data.

Examples
--------
>>> from hkfactor.panel import build, coverage
>>> panel = build()                                   # doctest: +SKIP
>>> coverage(panel).loc["hk_gerd"]                    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hkfactor.evidence import load
from hkfactor.panel._adapter import (
    DATA_DIR,
    observations_frame,
    read_breaks,
    read_observations,
    read_series,
    read_sources,
)
from hkfactor.panel._city import (
    CityPanel,
    city_coverage,
    city_distances,
    city_series_codes,
    haversine_km,
    read_city_coordinates,
    resolve_cities,
)
from hkfactor.panel._coverage import coverage, coverage_summary
from hkfactor.panel._package import to_datapackage
from hkfactor.panel._resolve import GRADE_ORDER, Panel, ResolutionRule, classify_period, resolve

__all__ = [
    "DATA_DIR",
    "GRADE_ORDER",
    "CityPanel",
    "Panel",
    "ResolutionRule",
    "build",
    "build_cities",
    "city_coverage",
    "city_distances",
    "city_series_codes",
    "classify_period",
    "coverage",
    "coverage_summary",
    "haversine_km",
    "read_breaks",
    "read_city_coordinates",
    "read_observations",
    "read_series",
    "read_sources",
    "resolve",
    "resolve_cities",
    "to_datapackage",
]


def build(root: str | Path | None = None, *, rule: ResolutionRule | None = None) -> Panel:
    """Load and validate the evidence folder once and resolve every series (see :func:`resolve`)."""
    ev = load(root)
    return resolve(observations_frame(ev), rule=rule, sources=ev.sources, series=read_series(root),
                   breaks=read_breaks(root))


def build_cities(
    root: str | Path | None = None,
    *,
    cities: Iterable[str] | None = None,
    rule: ResolutionRule | None = None,
) -> CityPanel:
    """Load and validate the evidence folder once and resolve the city series per city
    (see :func:`resolve_cities`)."""
    ev = load(root)
    return resolve_cities(observations_frame(ev), series=read_series(root), cities=cities, rule=rule,
                          sources=ev.sources, breaks=read_breaks(root))
