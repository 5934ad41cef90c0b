"""Two-way fixed effects on SYNTHETIC panels with a known effect (see ``_synthetic.py``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.evaluation.designs import TwfeResult, twfe

from ._synthetic import make_panel

pytest.importorskip("pyfixest")
pytest.importorskip("wildboottest")

BETA = 0.3


def codes(res: TwfeResult) -> set[str]:
    return {w.code for w in res.warnings}


def test_recovers_the_effect_within_both_intervals(panel_effect: pd.DataFrame) -> None:
    res = twfe(panel_effect, "y", "d", unit="city", time="year", reps=199, seed=1)
    assert res.estimate.covers(BETA) and res.bootstrap.covers(BETA)
    assert abs(res.estimate.effect - BETA) < 3 * res.estimate.se
    assert res.estimate.p_value < 0.01 and res.bootstrap.p_value < 0.05
    assert not res.estimate.covers(0.0) and not res.bootstrap.covers(0.0)
    s = res.sample
    assert (s.n_obs, s.n_clusters, s.n_units, s.n_periods) == (25 * 19, 25, 25, 19)
    assert (s.n_treated_units, s.n_treated_obs) == (10, 10 * 10)
    assert res.boot_weights == "rademacher" and codes(res) == set()
    assert res.library.startswith("pyfixest ")
    # the bootstrap and the analytic CRV1 agree on the point estimate, not necessarily on the SE
    assert res.bootstrap.effect == res.estimate.effect
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.method = "other"  # type: ignore[misc]


def test_null_panel_finds_nothing(panel_null: pd.DataFrame) -> None:
    res = twfe(panel_null, "y", "d", unit="city", time="year", reps=199, seed=2)
    assert res.estimate.covers(0.0) and res.bootstrap.covers(0.0)
    assert res.estimate.p_value > 0.05 and res.bootstrap.p_value > 0.05


def test_is_reproducible_and_matches_a_dummy_variable_regression(panel_effect: pd.DataFrame) -> None:
    a = twfe(panel_effect, "y", "d", unit="city", time="year", reps=199, seed=5)
    b = twfe(panel_effect, "y", "d", unit="city", time="year", reps=199, seed=5)
    assert a == b
    # the point estimate equals OLS with unit and year dummies (NumPy least squares, an oracle)
    X = pd.get_dummies(panel_effect[["city", "year"]].astype(str), drop_first=True, dtype=float)
    X.insert(0, "d", panel_effect["d"])
    X.insert(0, "const", 1.0)
    beta, *_ = np.linalg.lstsq(X.to_numpy(), panel_effect["y"].to_numpy(), rcond=None)
    assert a.estimate.effect == pytest.approx(beta[1], abs=1e-8)


def test_few_clusters_and_a_single_treated_unit_are_flagged() -> None:
    small = make_panel(n_units=8, n_treated=1, seed=3)
    res = twfe(small, "y", "d", unit="city", time="year", reps=199)
    assert {"few_clusters", "single_treated_unit", "webb_weights"} <= codes(res)
    few = next(w for w in res.warnings if w.code == "few_clusters")
    assert (few.value, few.threshold) == (8.0, 10.0)
    assert res.boot_weights == "webb"


def test_log_outcome_drops_and_counts_nonpositive_rows(panel_effect: pd.DataFrame) -> None:
    df = panel_effect.assign(y=np.exp(panel_effect["y"]))
    df.loc[[0, 1], "y"] = 0.0
    df.loc[2, "y"] = np.nan
    res = twfe(df, "y", "d", unit="city", time="year", log_outcome=True, reps=199)
    assert res.sample.n_obs == len(df) - 3 and res.sample.n_dropped == 3
    got = {w.code: w.value for w in res.warnings}
    assert got["dropped_nonpositive"] == 2.0 and got["dropped_missing"] == 1.0
    assert res.estimate.covers(BETA)


def test_bad_input_is_a_domain_error(panel_effect: pd.DataFrame) -> None:
    with pytest.raises(SpecError, match="lacks column"):
        twfe(panel_effect, "y", "nope", unit="city", time="year")
    dup = pd.concat([panel_effect, panel_effect.iloc[:1]])
    with pytest.raises(InputError, match="duplicate unit-period"):
        twfe(dup, "y", "d", unit="city", time="year")
    with pytest.raises(InputError, match="expected a number"):
        twfe(panel_effect.assign(y=panel_effect["y"].astype(object).where(panel_effect.index != 4, "n/a")),
             "y", "d", unit="city", time="year")
    with pytest.raises(SpecError, match="absorbed"):
        twfe(panel_effect.assign(tr=panel_effect["treated"].astype(float)), "y", "tr", unit="city", time="year",
             reps=199)
    with pytest.raises(SpecError, match="reps"):
        twfe(panel_effect, "y", "d", unit="city", time="year", reps=10)
