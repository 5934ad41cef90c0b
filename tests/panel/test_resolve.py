"""The resolution rule on SYNTHETIC observations (labelled SYNTH-…), then on the real panel."""

from __future__ import annotations

import pandas as pd
import pytest

from hkfactor.errors import SpecError
from hkfactor.panel import ResolutionRule, classify_period, resolve

from .conftest import synth


def winner(panel, series="synth_x", period="2020"):
    return panel.provenance(series, period)


def test_grade_beats_vintage():
    obs = synth([{"grade": "B", "vintage": "2024", "printed_value": "2"},
                 {"grade": "A", "vintage": "2019", "printed_value": "1"}])
    cell = winner(resolve(obs))
    assert cell["observation_id"] == "SYNTH-O1"
    assert cell["reason"].startswith("grade A beats B")
    assert cell["losers"] == "SYNTH-O0"


def test_newer_vintage_beats_preference():
    obs = synth([{"vintage": "2020-01", "source_id": "SYNTH-S1"}, {"vintage": "2021-06", "source_id": "SYNTH-S2"}])
    cell = winner(resolve(obs, rule=ResolutionRule(prefer=("SYNTH-S1",))))
    assert cell["observation_id"] == "SYNTH-O1"
    assert "newer vintage 2021-06" in cell["reason"]


def test_exact_value_beats_a_newer_bound_of_the_same_grade():
    # e.g. R&D intensity 2021: ">5%" (newer) must not displace 5.46% (older, exact)
    obs = synth([{"vintage": "2023", "printed_value": "5", "qualifier": "over"},
                 {"vintage": "2022", "printed_value": "5.46"}])
    cell = winner(resolve(obs))
    assert cell["observation_id"] == "SYNTH-O1" and cell["qualifier"] == ""
    assert cell["reason"].startswith("same grade A; exact value 5.46 beats the over value 5")
    assert winner(resolve(obs, rule=ResolutionRule(exact_first=False)))["observation_id"] == "SYNTH-O0"


def test_grade_still_beats_exactness():
    obs = synth([{"grade": "B", "printed_value": "5.46"}, {"grade": "A", "printed_value": "5", "qualifier": "about"}])
    assert winner(resolve(obs))["observation_id"] == "SYNTH-O1"


def test_older_vintage_rule():
    obs = synth([{"vintage": "2020-01"}, {"vintage": "2021-06"}])
    cell = winner(resolve(obs, rule=ResolutionRule(newer_vintage_wins=False)))
    assert cell["observation_id"] == "SYNTH-O0"


def test_declared_preference_decides_between_equals():
    obs = synth([{"source_id": "SYNTH-S1"}, {"source_id": "SYNTH-S2"}])
    assert winner(resolve(obs))["observation_id"] == "SYNTH-O0"  # default: tie broken by precision, then id
    cell = winner(resolve(obs, rule=ResolutionRule(prefer=("SYNTH-S2",))))
    assert cell["observation_id"] == "SYNTH-O1"
    assert "declared preference for SYNTH-S2" in cell["reason"]
    by_obs = winner(resolve(obs, rule=ResolutionRule(prefer=("SYNTH-O1",))))
    assert by_obs["observation_id"] == "SYNTH-O1"


def test_precision_then_id_as_last_resorts():
    obs = synth([{"printed_value": "151"}, {"printed_value": "151.08"}])
    cell = winner(resolve(obs))
    assert cell["observation_id"] == "SYNTH-O1" and "more precise" in cell["reason"]
    tie = winner(resolve(synth([{}, {}])))
    assert tie["observation_id"] == "SYNTH-O0" and "broken by observation id" in tie["reason"]


def test_every_cell_has_provenance_and_losers_are_kept():
    obs = synth([
        {"period": "2019"}, {"period": "2020", "grade": "C"}, {"period": "2020", "grade": "B"},
        {"period": "2020", "grade": "A"}, {"series": "synth_y", "period": "2020"},
    ])
    p = resolve(obs)
    assert len(p.cells) == 3
    assert p.cells["reason"].str.len().gt(0).all()
    assert p.cells["observation_id"].notna().all()
    c = winner(p)
    assert c["n_candidates"] == 3 and set(c["losers"].split(";")) == {"SYNTH-O1", "SYNTH-O2"}
    assert len(p.observations) == len(obs)  # nothing dropped from the record
    assert winner(p, "synth_x", "2019")["reason"] == "only candidate"


def test_partial_year_and_dated_values_are_excluded_with_a_reason():
    obs = synth([{"period": "2014-01/2014-11"}, {"period": "2016-06"}, {"period": "1979/2002"},
                 {"period": "2015-01/2015-12"}])
    p = resolve(obs)
    reasons = dict(zip(p.excluded["observation_id"], p.excluded["reason"], strict=True))
    assert "partial-year" in reasons["SYNTH-O0"]
    assert "dated value" in reasons["SYNTH-O1"]
    assert "multi-year" in reasons["SYNTH-O2"]
    assert list(p.cells["period"]) == ["2015"]  # a whole calendar year written as a range is annual
    loose = resolve(obs, rule=ResolutionRule(annual_only=False))
    assert "2014-01/2014-11" in set(loose.cells["period"])


def test_derived_can_be_excluded():
    obs = synth([{"derived_from": "SYNTH-O9", "grade": ""}])
    assert resolve(obs, rule=ResolutionRule(include_derived=False)).cells.empty


def test_empty_grade_takes_the_source_grade():
    obs = synth([{"grade": "", "source_id": "SYNTH-SA"}, {"grade": "B", "source_id": "SYNTH-SB"}])
    src = pd.DataFrame({"id": ["SYNTH-SA", "SYNTH-SB"], "grade": ["A", "B"]})
    assert winner(resolve(obs, sources=src))["observation_id"] == "SYNTH-O0"


def test_breaks_are_carried_on_the_cells():
    obs = synth([{"period": "2017"}, {"period": "2018"}, {"period": "2019"}])
    brk = pd.DataFrame({"id": ["SYNTH-B1"], "series": ["synth_x"], "from_period": ["2018"]})
    p = resolve(obs, breaks=brk)
    assert p.provenance("synth_x", "2017")["breaks"] == ""
    assert p.provenance("synth_x", "2019")["breaks"] == "SYNTH-B1"
    assert list(p.breaks_of("synth_x")["id"]) == ["SYNTH-B1"]


def test_observations_in_another_unit_are_excluded_with_a_reason():
    obs = synth([{"unit": "count", "grade": "B"}, {"unit": "CNY", "grade": "A"}])
    p = resolve(obs)  # no declared unit: the best-ranked observation's unit (CNY) rules
    assert winner(p)["observation_id"] == "SYNTH-O1"
    assert "differs from the series unit 'CNY'" in p.excluded.set_index("observation_id").loc["SYNTH-O0", "reason"]
    declared = pd.DataFrame({"code": ["synth_x"], "unit": ["count"]})
    q = resolve(obs, series=declared)  # the declared unit rules
    assert winner(q)["observation_id"] == "SYNTH-O0"


def test_bad_input_is_reported():
    with pytest.raises(SpecError, match="duplicate observation id"):
        resolve(pd.concat([synth([{}]), synth([{}])]))
    with pytest.raises(SpecError, match="lack column"):
        resolve(pd.DataFrame({"id": ["x"]}))


@pytest.mark.parametrize("period,kind", [("2016", "annual"), ("2014-01/2014-11", "partial_year"),
                                         ("2016-06", "dated"), ("1979/2002", "multi_year"), ("abc", "invalid")])
def test_classify_period(period, kind):
    assert classify_period(period) == kind


def test_real_panel_resolves_known_conflicts(panel):
    # HK GERD 2018: C&SD table (A, revised) beats the Xinhua first vintage (B)
    cell = panel.provenance("hk_gerd", "2018")
    assert cell["grade"] == "A" and cell["value"] == pytest.approx(24_478.4e6)
    assert "grade A beats B" in cell["reason"]
    assert "B-P-007" in cell["breaks"]
    # Shenzhen R&D intensity 2024: official 6.67% (B) beats the aggregator's 5.81% (C)
    assert panel.provenance("sz_rd_intensity", "2024")["value"] == pytest.approx(0.0667)
    # GII rank: 2025 first, break after the cluster merger
    assert panel.provenance("gii_cluster_rank", "2025")["value"] == 1
    assert "B-P-002" in panel.provenance("gii_cluster_rank", "2022")["breaks"]
    # partial years never enter
    assert not panel.cells["period"].str.contains("/").any()
    assert (panel.excluded["reason"].str.contains("partial-year")).any()


def test_wide_table_leaves_missing_years_missing(panel):
    w = panel.wide()
    assert pd.isna(w.loc["2014", "hk_gerd"])  # C&SD values start in 2015: nothing is filled in
    assert w["hk_gerd"].notna().sum() == len(panel.cells[panel.cells["series"] == "hk_gerd"])
