"""The built-in panel data obey the evidence contract (docs/evidence-schema.md)."""

from __future__ import annotations

import re

import pandas as pd

from hkfactor.panel import classify_period, read_observations

GRADES = {"A", "B", "C"}
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def test_every_observation_has_an_existing_source(panel_files, sources):
    missing = sorted(set(panel_files["source_id"]) - set(sources["id"]))
    assert not missing, missing


def test_every_observation_has_grade_locator_and_vintage(panel_files):
    stated = panel_files[panel_files["derived_from"] == ""]
    assert stated["grade"].isin(GRADES).all(), stated.loc[~stated["grade"].isin(GRADES), "id"].tolist()
    assert (stated["locator"].str.len() > 0).all()
    assert (panel_files["locator"].str.len() <= 30).all(), panel_files.loc[panel_files["locator"].str.len() > 30, "id"]
    assert panel_files["vintage"].map(lambda v: bool(_DATE.fullmatch(v))).all(), (
        panel_files.loc[~panel_files["vintage"].map(lambda v: bool(_DATE.fullmatch(v))), "id"].tolist())


def test_derived_observations_say_what_they_are_derived_from(panel_files, all_observation_ids, sources):
    derived = panel_files[panel_files["derived_from"] != ""]
    assert len(derived) > 0
    # other observations, or a machine-readable `dataset` source aggregated by a script in scripts/data/
    datasets = set(sources.loc[sources["kind"] == "dataset", "id"])
    for ids in derived["derived_from"]:
        for i in ids.split(";"):
            assert i.strip() in all_observation_ids | datasets, i
    assert derived["note"].str.contains("Derived", case=False).all()


def test_ids_unique_prefixed_and_periods_readable(panel_files, all_observation_ids):
    assert not panel_files["id"].duplicated().any()
    assert panel_files["id"].str.startswith("O-P-").all()
    assert all(classify_period(p) != "invalid" for p in panel_files["period"])


def test_sources_have_grade_and_url(sources):
    ours = sources[sources["id"].str.startswith("S-P-")]
    assert len(ours) > 0 and not ours["id"].duplicated().any()
    assert ours["grade"].isin(GRADES).all()
    assert ours["url"].str.startswith("http").all()


def test_series_definitions_cover_the_data(panel_files, series):
    assert set(panel_files["series"]) == set(series["code"])
    assert set(series["channel"]) <= {"innovation_output", "finance", "research_talent", "manufacturing_chain",
                                      "trade", "platforms", "context"}
    assert series["direction"].isin([1, -1]).all()
    assert not series["code"].duplicated().any()


def test_breaks_refer_to_series_and_sources(breaks, series, sources):
    assert set(breaks["series"]) <= set(series["code"])
    assert set(breaks["source_id"]) <= set(sources["id"])
    assert (breaks["locator"].str.len().between(1, 30)).all()
    assert {"gii_cluster_rank", "hk_gerd"} <= set(breaks["series"])


def test_every_printed_value_normalises(panel_files):
    obs = read_observations()
    ours = obs[obs["id"].isin(panel_files["id"])]
    assert len(ours) == len(panel_files)
    assert ours["value"].notna().all()


def test_conflicting_observations_are_both_kept(panel_files):
    """e.g. Shenzhen–HK trade 1997 in two vintages; HK GERD 2018 in two vintages."""
    def vals(series: str, period: str) -> set[str]:
        sel = panel_files[(panel_files["series"] == series) & (panel_files["period"] == period)]
        return set(sel["printed_value"])

    assert vals("sz_hk_trade", "1997") == {"701.4", "70.17"}
    assert len(vals("hk_gerd", "2018")) == 2
    assert vals("sz_rd_intensity", "2024") == {"6.67", "5.81"}


def test_partial_year_rows_are_marked_in_the_period(panel_files):
    partial = panel_files[panel_files["note"].str.contains("Partial year", case=False)]
    assert len(partial) > 0
    assert all(classify_period(p) != "annual" for p in partial["period"])
    assert isinstance(partial, pd.DataFrame)


def test_annual_observations_are_in_the_declared_series_unit(series):
    obs = read_observations()
    obs = obs[obs["file"].str.startswith("panel_") & obs["period"].map(lambda p: classify_period(p) == "annual")]
    declared = dict(zip(series["code"], series["unit"], strict=True))
    bad = obs[obs["series"].map(declared) != obs["unit"]]
    assert bad.empty, bad[["id", "series", "unit"]].to_string()


def test_derived_shares_agree_with_their_components():
    """A share we derived (``derived_from`` = numerator;denominator) equals their ratio within rounding."""
    obs = read_observations().set_index("id")
    derived = obs[obs["file"].str.startswith("panel_") & (obs["unit"] == "share")
                  & (obs["derived_from"].fillna("").str.count(";") == 1)]
    assert len(derived) >= 4
    for oid, row in derived.iterrows():
        num_id, den_id = (s.strip() for s in row["derived_from"].split(";"))
        ratio = obs.loc[num_id, "value"] / obs.loc[den_id, "value"]
        assert abs(ratio - row["value"]) < 0.002, (oid, ratio, row["value"])


def test_hong_kong_side_channels_have_a_well_covered_indicator_2016_2024(panel):
    """Finance, manufacturing chain and trade each have one series with annual values in at least
    half of 2016–2024 (the evaluation keeps an indicator observed in at least 50% of its span)."""
    years = {str(y) for y in range(2016, 2025)}
    cells = panel.cells[panel.cells["period"].isin(years)]
    counts = cells.groupby("series")["period"].nunique()
    for code in ("sz_fdi_utilised", "sz_sei_va_share", "sz_total_trade"):
        assert counts.get(code, 0) >= 5, (code, counts.get(code, 0))
