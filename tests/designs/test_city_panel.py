"""The city panel on SYNTHETIC observations (ids ``SYNTH-…``); the built-in files only smoke-tested."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.panel import (
    DATA_DIR,
    build_cities,
    city_coverage,
    city_distances,
    city_series_codes,
    haversine_km,
    read_city_coordinates,
    read_series,
    resolve,
    resolve_cities,
)

SERIES = pd.DataFrame({
    "code": ["city_gdp", "city_pct_applications", "sz_gdp"],
    "geography": ["*", "*", "SZ"],
    "unit": ["CNY", "count", "CNY"],
    "channel": ["context", "innovation_output", "context"],
})


def obs_frame(rows: list[tuple]) -> pd.DataFrame:
    """SYNTHETIC observations: (id, series, geography, period, value, grade, vintage, source_id[, qualifier])."""
    recs = []
    for r in rows:
        oid, ser, geo, per, val, grade, vint, src, *q = r
        unit = "count" if "pct" in ser else "CNY"
        recs.append({"id": oid, "series": ser, "geography": geo, "period": per, "value": val, "unit": unit,
                     "grade": grade, "vintage": vint, "source_id": src, "printed_value": str(val),
                     "qualifier": q[0] if q else None, "derived_from": "", "file": "synthetic.csv",
                     "row": len(recs) + 2})
    return pd.DataFrame(recs)


OBS = obs_frame([
    # the same series and year in two cities: no collision (resolved per city)
    ("SYNTH-GZ-1", "city_gdp", "GZ", "2020", 100.0, "B", "2021", "S-SYN-1"),
    ("SYNTH-GZ-2", "city_gdp", "GZ", "2020", 101.0, "A", "2021", "S-SYN-2"),   # grade A wins
    ("SYNTH-GZ-3", "city_gdp", "GZ", "2021", 110.0, "A", "2022", "S-SYN-2"),
    ("SYNTH-GZ-4", "city_gdp", "GZ", "2021", 111.0, "A", "2023", "S-SYN-3"),   # newer vintage wins
    ("SYNTH-FS-1", "city_gdp", "FS", "2020", 50.0, "C", "2021", "S-SYN-4"),
    ("SYNTH-FS-2", "city_pct_applications", "FS", "2020", 7.0, "A", "2021", "S-SYN-4", "over"),
    ("SYNTH-FS-3", "city_pct_applications", "FS", "2020-01/2020-06", 3.0, "A", "2020", "S-SYN-4"),  # partial year
    ("SYNTH-BJ-1", "city_pct_applications", "BJ", "2021", 9.0, "A", "2022", "S-SYN-5"),
    ("SYNTH-SZ-1", "sz_gdp", "SZ", "2020", 999.0, "A", "2021", "S-SYN-6"),   # not a city series: ignored
])


def test_city_series_are_the_wildcard_rows() -> None:
    assert city_series_codes(SERIES) == ["city_gdp", "city_pct_applications"]
    real = read_series()
    assert set(city_series_codes(real)) == set(real.loc[real["geography"] == "*", "code"])


def test_each_city_is_resolved_by_the_panel_rule() -> None:
    cp = resolve_cities(OBS, series=SERIES)
    assert cp.cities == ("BJ", "FS", "GZ")
    assert cp.series == ("city_gdp", "city_pct_applications")
    got = {(r.geography, r.series, r.year): (r.value, r.observation_id, r.grade) for r in cp.cells.itertuples()}
    assert got == {
        ("BJ", "city_pct_applications", 2021): (9.0, "SYNTH-BJ-1", "A"),
        ("FS", "city_gdp", 2020): (50.0, "SYNTH-FS-1", "C"),
        ("FS", "city_pct_applications", 2020): (7.0, "SYNTH-FS-2", "A"),
        ("GZ", "city_gdp", 2020): (101.0, "SYNTH-GZ-2", "A"),
        ("GZ", "city_gdp", 2021): (111.0, "SYNTH-GZ-4", "A"),
    }
    # the provenance is exactly what hkfactor.panel.resolve records for that city alone
    alone = resolve(OBS[OBS["geography"] == "GZ"].reset_index(drop=True), series=SERIES)
    for year in ("2020", "2021"):
        mine = cp.provenance("GZ", "city_gdp", int(year))
        ref = alone.provenance("city_gdp", year)
        for k in ("observation_id", "reason", "losers", "n_candidates", "grade", "vintage", "source_id"):
            assert mine[k] == ref[k]
    assert cp.provenance("GZ", "city_gdp", 2020)["losers"] == "SYNTH-GZ-1"
    assert "grade A beats B" in cp.provenance("GZ", "city_gdp", 2020)["reason"]
    assert cp.provenance("FS", "city_pct_applications", 2020)["qualifier"] == "over"
    assert cp.panels["GZ"].provenance("city_gdp", "2021")["observation_id"] == "SYNTH-GZ-4"
    excl = cp.excluded.set_index("observation_id")
    assert excl.loc["SYNTH-FS-3", "geography"] == "FS" and "partial-year" in excl.loc["SYNTH-FS-3", "reason"]
    with pytest.raises(KeyError):
        cp.provenance("BJ", "city_gdp", 2020)


def test_wide_views() -> None:
    cp = resolve_cities(OBS, series=SERIES)
    w = cp.wide()
    assert list(w.columns) == ["city_gdp", "city_pct_applications"]
    assert w.index.names == ["geography", "year"] and len(w) == 4
    assert w.loc[("GZ", 2021), "city_gdp"] == 111.0 and math.isnan(w.loc[("GZ", 2021), "city_pct_applications"])
    g = cp.wide("grade")
    assert g.loc[("FS", 2020)].tolist() == ["C", "A"] and g.loc[("BJ", 2021), "city_gdp"] == ""
    with pytest.raises(SpecError, match="unknown cell field"):
        cp.wide("colour")
    # a design-ready long frame
    long = w.reset_index()
    assert {"geography", "year", "city_gdp"} <= set(long.columns)


def test_coverage_counts_city_years() -> None:
    cp = resolve_cities(OBS, series=SERIES)
    cov = city_coverage(cp, years=[2020, 2021], cities=["GZ", "FS", "BJ", "SZ"])
    gdp = cov.loc["city_gdp"]
    assert (gdp["cells"], gdp["filled"], gdp["filled_ab"], gdp["A"], gdp["C"]) == (8, 3, 2, 2, 1)
    assert gdp["share_filled"] == pytest.approx(3 / 8) and gdp["share_ab"] == pytest.approx(2 / 8)
    by_city = city_coverage(cp, by="geography", years=[2020, 2021], cities=["GZ", "FS", "BJ", "SZ"])
    assert by_city.loc["GZ", "filled"] == 2 and by_city.loc["GZ", "cells"] == 4
    assert by_city.loc["SZ", "filled"] == 0  # a city without data counts as empty
    assert (by_city["share_ab"] <= by_city["share_filled"]).all()
    # default window 2005–2023 and the cities present
    d = city_coverage(cp)
    assert d.loc["city_gdp", "cells"] == 3 * 19
    with pytest.raises(SpecError):
        city_coverage(cp, by="channel")  # type: ignore[arg-type]


def test_cities_filter_and_bad_geographies() -> None:
    cp = resolve_cities(OBS, series=SERIES, cities=["GZ", "FS"])
    assert cp.cities == ("FS", "GZ")
    assert "not a city of this panel" in cp.excluded.set_index("observation_id").loc["SYNTH-BJ-1", "reason"]
    bad = obs_frame([("SYNTH-X-1", "city_gdp", "", "2020", 1.0, "A", "2021", "S"),
                     ("SYNTH-X-2", "city_gdp", "*", "2020", 1.0, "A", "2021", "S")])
    with pytest.raises(InputError) as exc:
        resolve_cities(bad, series=SERIES)
    assert [(p.file, p.row, p.field) for p in exc.value.problems] == [
        ("synthetic.csv", 2, "geography"), ("synthetic.csv", 3, "geography")]
    empty = resolve_cities(OBS.iloc[:0], series=SERIES)
    assert empty.cells.empty and empty.wide().empty


def test_builds_on_the_builtin_files() -> None:
    """Whatever city observations the evidence base holds now, they resolve to known cities."""
    cp = build_cities()
    geos = set(pd.read_csv(DATA_DIR / "geographies.csv", dtype=str)["id"])
    assert set(cp.cells["geography"]) <= geos
    assert set(cp.cells["series"]) <= set(cp.series)
    assert cp.cells["year"].between(1949, 2100).all()


SYNTHETIC_COORDS = pd.DataFrame({  # SYNTHETIC coordinates (round numbers, not real places)
    "geography": ["HK", "AA", "BB", "CC"],
    "lat": [0.0, 0.0, 90.0, 0.0],
    "lon": [0.0, 1.0, 0.0, 180.0],
    "source_url": ["SYNTHETIC"] * 4,
    "locator": [""] * 4,
    "note": ["synthetic test fixture"] * 4,
})


def test_haversine_distances() -> None:
    d = city_distances(SYNTHETIC_COORDS)["distance_km"]
    r = 6371.0088
    assert d["HK"] == 0.0
    assert d["AA"] == pytest.approx(2 * math.pi * r / 360, rel=1e-12)  # one degree of the equator
    assert d["BB"] == pytest.approx(math.pi * r / 2, rel=1e-12)        # to the pole
    assert d["CC"] == pytest.approx(math.pi * r, rel=1e-12)            # antipode
    rng = np.random.default_rng(0)
    la, lo, la2, lo2 = rng.uniform(-80, 80, 4 * 50).reshape(4, 50)
    assert np.allclose(haversine_km(la, lo, la2, lo2), haversine_km(la2, lo2, la, lo))
    from_aa = city_distances(SYNTHETIC_COORDS, reference="AA")["distance_km"]
    assert from_aa["HK"] == pytest.approx(d["AA"])


def test_coordinates_are_validated(tmp_path: Path) -> None:
    bad = SYNTHETIC_COORDS.copy()
    bad.loc[1, "lat"] = 95.0
    bad.loc[2, "source_url"] = ""
    with pytest.raises(InputError) as exc:
        city_distances(bad)
    assert {(p.row, p.field) for p in exc.value.problems} == {(3, "lat"), (4, "source_url")}
    with pytest.raises(InputError, match="reference geography 'GZ'"):
        city_distances(SYNTHETIC_COORDS, reference="GZ")
    f = tmp_path / "city_coordinates_synthetic.csv"
    SYNTHETIC_COORDS.to_csv(f, index=False)
    assert read_city_coordinates(tmp_path)["geography"].tolist() == ["HK", "AA", "BB", "CC"]
    assert city_distances(f).loc["AA", "distance_km"] == pytest.approx(111.195, abs=1e-3)
    with pytest.raises(InputError, match="no city coordinates"):
        read_city_coordinates(tmp_path / "empty")


def test_builtin_coordinates_when_present() -> None:
    if not list(DATA_DIR.glob("city_coordinates*.csv")):
        with pytest.raises(InputError, match="no city coordinates"):
            city_distances()
    else:
        d = city_distances()
        assert d.loc["HK", "distance_km"] == 0.0 and (d["distance_km"] >= 0).all()
