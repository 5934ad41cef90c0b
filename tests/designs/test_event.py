"""Event study on SYNTHETIC panels (see ``_synthetic.py``)."""

from __future__ import annotations

import pandas as pd
import pytest

from hkfactor.errors import SpecError
from hkfactor.evaluation.designs import Shock, event_study

from ._synthetic import make_panel

pytest.importorskip("pyfixest")

BETA = 0.3
KW = {"unit": "city", "time": "year", "event_time": 2014, "window": (-4, 4), "shocks": ()}


def treated(df: pd.DataFrame) -> list[str]:
    return sorted(df.loc[df["treated"], "city"].unique())


def test_lags_recover_the_effect_and_leads_are_flat(panel_effect: pd.DataFrame) -> None:
    res = event_study(panel_effect, "y", treated_units=treated(panel_effect), **KW)
    rel = [c.rel_time for c in res.coefficients]
    assert rel == [-4, -3, -2, 0, 1, 2, 3, 4] and res.reference == -1
    for c in res.coefficients:
        truth = BETA if c.rel_time >= 0 else 0.0
        if not c.binned:
            assert c.ci_low <= truth <= c.ci_high, c
    assert res.estimate.covers(BETA) and not res.estimate.covers(0.0)
    assert res.pretrend_df == 3 and res.pretrend_p > 0.05
    assert res.sample.n_treated_units == 10 and res.sample.n_clusters == 25
    assert (res.sample.n_pre, res.sample.n_post) == (9, 10)
    assert {w.code for w in res.warnings} == {"binned_endpoints"}
    assert res.to_frame().shape == (8, 7)


def test_null_panel_finds_nothing(panel_null: pd.DataFrame) -> None:
    res = event_study(panel_null, "y", treated_units=treated(panel_null), **KW)
    assert res.estimate.covers(0.0) and res.estimate.p_value > 0.05


def test_a_pretrend_is_caught() -> None:
    df = make_panel(beta=0.0, pretrend=0.08, seed=4)
    res = event_study(df, "y", treated_units=treated(df), **KW)
    assert res.pretrend_p < 0.01


def test_overlapping_and_undated_shocks_are_flagged(panel_effect: pd.DataFrame) -> None:
    shocks = (Shock("this", "V1", "", "", 2014), Shock("near", "V2", "", "", 2016),
              Shock("far", "V3", "", "", 2003), Shock("undated", "", "", "", None))
    res = event_study(panel_effect, "y", treated_units=treated(panel_effect),
                      **{**KW, "shocks": shocks}, shock_id="this")
    got = {(w.code, w.subject) for w in res.warnings}
    assert ("overlapping_shock", "near") in got and ("undated_shock", "undated") in got
    assert not any(s in ("this", "far") for _, s in got)


def test_bad_specifications_raise(panel_effect: pd.DataFrame) -> None:
    with pytest.raises(SpecError, match="window"):
        event_study(panel_effect, "y", treated_units=treated(panel_effect), **{**KW, "window": (0, 3)})
    with pytest.raises(SpecError, match="none of the treated"):
        event_study(panel_effect, "y", treated_units=["nowhere"], **KW)
    with pytest.raises(SpecError, match="never-treated"):
        event_study(panel_effect, "y", treated_units=sorted(panel_effect["city"].unique()), **KW)
