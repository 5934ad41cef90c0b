"""The super-connector test on sourced Hong Kong / Mainland / world trade flows.

Figures: Census and Statistics Department (C&SD) tables reproduced in the Hong Kong
Yearbook (2002, 2005, 2010, 2011 editions, Appendix Table 13) and C&SD's 2004 outward-
processing release; the Mainland's 2004 totals from MOFCOM as quoted by FreightWaves. Every
value was checked against the stored copy of its source (see ``sources/chain.csv``).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hkfactor.chain import ROLES, read_trade_observations, super_connector, trade_network
from hkfactor.errors import InputError

DATA = Path(__file__).resolve().parents[2] / "src" / "hkfactor" / "evidence" / "data"
YEARS = (1997, 2000, 2001, 2002, 2004, 2005, 2006, 2009, 2010, 2011)


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return read_trade_observations()


def test_observations_are_sourced_and_located(obs: pd.DataFrame) -> None:
    sources = pd.read_csv(DATA / "sources" / "chain.csv", dtype=str, keep_default_na=False).set_index("id")
    assert obs["id"].is_unique
    for r in obs.itertuples():
        assert r.source_id in sources.index, r.id
        assert 0 < len(r.locator) <= 30, r.id
        assert r.printed_value in r.locator, r.id  # the snippet shows the number
        # official C&SD tables are A on an official site, B when read on a mirror (hkintexts);
        # the Mainland series are media reports of MOFCOM figures (B)
        mirror = "hkintexts" in sources.loc[r.source_id, "url"]
        assert r.grade == ("B" if r.series.startswith("cn_") or mirror else "A"), r.id
    # Spot values as printed (HK$ billion unless noted).
    v = obs.set_index("id")["printed_value"]
    assert v["O-HK-IMP-ML-HK-1997"] == "608.4" and v["O-HK-RX-ML-HK-2011"] == "1,716.7"
    assert v["O-HK-RX-MLORIG-HK-2004"] == "863,924"  # HKD million


def test_2004_network_is_built_from_the_observations(obs: pd.DataFrame) -> None:
    g = trade_network(obs, 2004, direct_ties=False)
    assert sorted(g.edges) == [("HK", "MAINLAND"), ("HK", "WORLD"), ("MAINLAND", "HK"), ("WORLD", "HK")]
    assert g.edges["MAINLAND", "HK"]["weight"] == pytest.approx(918.3e9)
    assert g.edges["HK", "MAINLAND"]["weight"] == pytest.approx((37.9 + 850.6) * 1e9)
    assert g.edges["WORLD", "HK"]["weight"] == pytest.approx((2111.1 - 918.3) * 1e9)
    assert g.edges["WORLD", "HK"]["derived"] is True
    full = trade_network(obs, 2004)
    assert full.has_edge("MAINLAND", "WORLD") and full.edges["MAINLAND", "WORLD"]["unit"] == "USD"


def test_hong_kong_brokerage_2004_pinned(obs: pd.DataFrame) -> None:
    sc = super_connector(obs, 2004)
    # On the flows Hong Kong records, every tie touches Hong Kong: it brokers both ordered
    # Mainland–world pairs, as liaison (three different groups); nothing else.
    assert {r: sc.recorded[r]["observed"] for r in ROLES} == {
        "w_I": 0.0, "w_O": 0.0, "b_IO": 0.0, "b_OI": 0.0, "b_O": 2.0, "t": 2.0}
    d = Fraction(4, 6)
    assert sc.recorded["b_O"]["expected"] == pytest.approx(float(2 * d**2 * (1 - d)), abs=1e-15)
    assert sc.recorded["b_O"]["z"] == pytest.approx(3.3911649915626336, rel=1e-12)
    # Once the Mainland's own trade with the world is recorded, the graph is complete
    # (density 1): no open two-path is left and binary brokerage cannot see Hong Kong.
    assert sc.with_direct_ties is not None
    assert all(sc.with_direct_ties[r]["observed"] == 0.0 for r in ROLES)
    assert np.isnan(sc.with_direct_ties["b_O"]["z"])
    # The weighted evidence that remains: 94% of imports from the Mainland go out again as
    # re-exports of Mainland origin (HK$863.9 bn vs HK$919.1 bn, same C&SD release).
    assert sc.mainland_origin_pass_through == pytest.approx(863_924 / 919_056, rel=1e-12)
    assert sc.entrepot_share == pytest.approx(1893.1 / (1893.1 + 126.0), rel=1e-12)


def test_brokerage_on_trade_networks_matches_r() -> None:
    stored = json.loads((Path(__file__).parent / "reference" / "brokerage_r.json").read_text(encoding="utf-8"))
    inputs = {c["name"]: c for c in json.loads((Path(__file__).parent / "reference" / "brokerage_inputs.json").read_text(encoding="utf-8"))}
    case = inputs["trade_2004_recorded"]
    hk = case["nodes"].index("HK")
    assert stored["cases"]["trade_2004_recorded"]["raw_nli"][hk] == [0, 0, 0, 0, 2, 2]


def test_hong_kong_became_ever_more_an_entrepot(obs: pd.DataFrame) -> None:
    shares = [super_connector(obs, y).entrepot_share for y in YEARS]
    assert shares == sorted(shares)  # rises in every observed year
    assert shares[0] == pytest.approx(1244.5 / (1244.5 + 211.4), rel=1e-12)   # 1997: 85.5%
    assert shares[-1] == pytest.approx(3271.6 / (3271.6 + 65.7), rel=1e-12)   # 2011: 98.0%
    ml = {y: super_connector(obs, y).mainland_share_of_reexports for y in (1997, 2011)}
    assert ml[1997] == pytest.approx(443.9 / 1244.5) and ml[2011] == pytest.approx(1716.7 / 3271.6)
    for y in YEARS:
        assert super_connector(obs, y).recorded["b_O"]["observed"] == 2.0


def test_missing_year_is_a_domain_error(obs: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no observation of hk_imp_mainland for 1999"):
        trade_network(obs, 1999)


def test_series_table_covers_every_observed_year(obs: pd.DataFrame) -> None:
    from hkfactor.chain import super_connector_table

    t = super_connector_table(obs)
    assert tuple(t["year"]) == YEARS
    assert (t["liaison_recorded"] == 2.0).all()
    assert t.loc[t["year"] == 2004, "liaison_with_direct_ties"].item() == 0.0
    assert t.loc[t["year"] != 2004, "liaison_with_direct_ties"].isna().all()
    assert t["entrepot_share"].is_monotonic_increasing
