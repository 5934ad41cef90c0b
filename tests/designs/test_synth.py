"""Synthetic control on SYNTHETIC factor panels (see ``_synthetic.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from hkfactor.errors import SpecError
from hkfactor.evaluation.designs import Shock, synthetic_control

from ._synthetic import make_factor_panel

pytest.importorskip("pysyncon")

DONORS = [f"SYND{j:02d}" for j in range(15)]
KW = {"treated": "SYNT", "donors": DONORS, "unit": "city", "time": "year", "shocks": ()}


def test_recovers_the_effect_and_ranks_first_among_placebos() -> None:
    df = make_factor_panel(beta=1.0, seed=1)
    res = synthetic_control(df, "v", event_time=2016, **KW)
    assert abs(res.estimate.effect - 1.0) < 0.1
    post = res.path_frame().loc[2016:, "gap"]
    assert np.all(np.abs(post - 1.0) < 0.2)
    # weights on the simplex (with two factors, other mixes than the true one fit as well)
    w = dict(res.weights)
    assert sum(w.values()) == pytest.approx(1.0, abs=1e-6) and min(w.values()) >= -1e-9
    assert list(w) == sorted(w, key=lambda k: -w[k])
    # placebo in space: the treated ratio is the largest of 16, p = 1/16, the smallest possible
    assert len(res.placebo_space) == 15
    assert res.estimate.p_value == pytest.approx(1 / 16)
    assert np.isnan(res.estimate.se) and np.isnan(res.estimate.ci_low)
    assert res.rmspe_pre < 0.1 < res.rmspe_post and res.ratio > 10
    # placebo in time: fake dates inside the pre-period show no comparable effect
    assert res.placebo_time and all(abs(r.att) < 0.2 for r in res.placebo_time)
    assert all(r.event_time < 2016 for r in res.placebo_time)
    s = res.sample
    assert (s.n_pre, s.n_post, s.n_units, s.n_treated_units) == (11, 8, 16, 1)
    frame = res.placebo_frame()
    assert list(frame["kind"].unique()) == ["treated", "space", "time"]


def test_null_effect_is_not_significant() -> None:
    df = make_factor_panel(beta=0.0, seed=2)
    res = synthetic_control(df, "v", event_time=2016, **KW)
    assert abs(res.estimate.effect) < 0.1 and res.estimate.p_value > 0.05


def test_warnings_few_pre_periods_few_donors_hull_and_shocks() -> None:
    df = make_factor_panel(beta=1.0, seed=3)
    df.loc[df["city"] == "SYNT", "v"] += 100.0  # far above every donor: no convex mix reaches it
    shocks = (Shock("this", "V1", "", "", 2008), Shock("inside", "V2", "", "", 2010), Shock("u", "", "", "", None))
    res = synthetic_control(df, "v", event_time=2008, **{**KW, "donors": DONORS[:3], "shocks": shocks},
                            shock_id="this")
    got = {w.code for w in res.warnings}
    assert {"few_pre_periods", "few_donors", "treated_outside_hull", "poor_pre_fit", "overlapping_shock",
            "undated_shock"} <= got
    few = next(w for w in res.warnings if w.code == "few_pre_periods")
    assert (few.value, few.threshold) == (3.0, 5.0)
    late = synthetic_control(df, "v", event_time=2022, **KW)
    assert "few_post_periods" in {w.code for w in late.warnings}


def test_donors_with_gaps_are_dropped_and_named() -> None:
    df = make_factor_panel(seed=4)
    df = df[~((df["city"] == "SYND05") & (df["year"] == 2010))]
    res = synthetic_control(df, "v", event_time=2016, **KW)
    assert "SYND05" not in res.donors and len(res.donors) == 14
    drop = next(w for w in res.warnings if w.code == "donor_dropped")
    assert drop.items == ("SYND05",)


def test_bad_specifications_raise() -> None:
    df = make_factor_panel(seed=5)
    with pytest.raises(SpecError, match="not in the panel"):
        synthetic_control(df, "v", event_time=2016, **{**KW, "treated": "nowhere"})
    with pytest.raises(SpecError, match="no pre-event"):
        synthetic_control(df, "v", event_time=2000, **KW)
    with pytest.raises(SpecError, match="at least 2 donors"):
        synthetic_control(df, "v", event_time=2016, **{**KW, "donors": ["SYND00"]})
