"""Uncertainty / sensitivity analysis on a SYNTHETIC index (tests/robustness/synthetic.py)."""

from __future__ import annotations

import numpy as np
import pytest

from hkfactor.engine.kernels import rank_desc as engine_rank_desc
from hkfactor.errors import SpecError
from hkfactor.robustness import (
    Alternative,
    UncertainInput,
    WeightNoise,
    rank_desc,
    sensitivity,
    uncertainty,
)

from .synthetic import SyntheticModel

NORM_ALTS = (Alternative("minmax", {"l_u": (1, 100)}), Alternative("zscore", {"m_sd": (10, 2)}))


def spec4() -> list:
    """The four inputs of COINr's ASEM anchor run."""
    return [
        UncertainInput.integers("treat", "winmax", 1, 5, name="Winmax"),
        UncertainInput("normalise", None, values=NORM_ALTS, name="Normalisation"),
        WeightNoise(levels=(2, 3), factor=0.25),
        UncertainInput("aggregate", None, values=("amean", "gmean"), name="Aggregation"),
    ]


def _naive(model: SyntheticModel, res) -> np.ndarray:
    """Reference: one full rebuild per replication, no batching, no caching."""
    plan = model.plan
    lev = np.array([1] * len(plan.indicators) + list(plan.levels))
    noisy = np.flatnonzero(np.isin(lev, (2, 3)))
    out = np.empty_like(res.scores)
    for r in range(res.n):
        u = res.design[r]
        wm = 1 + int(np.floor(u[0] * 5))
        norm = NORM_ALTS[int(np.floor(u[1] * 2))]
        w = model.weights.copy()
        w[noisy] = w[noisy] + (2 * u[2 : 2 + noisy.size] - 1) * 0.25 * w[noisy]  # COINr get_noisy_weights
        agg = ("amean", "gmean")[int(np.floor(u[-1] * 2))]
        x = model.normalised([("treat", "winmax", wm), ("normalise", None, norm)])
        out[r] = model.aggregate(x, w / model.weights, [("aggregate", None, Alternative(agg))])[..., -1]
    return out


def test_batched_uncertainty_equals_one_rebuild_per_replication() -> None:
    model = SyntheticModel()
    res = uncertainty(model, spec4(), n=60, seed=3)
    np.testing.assert_allclose(res.scores, _naive(SyntheticModel(), res), rtol=1e-12, atol=1e-12)
    assert model.calls <= 11  # 10 combinations + nominal, not 60 rebuilds
    assert res.design.shape == (60, 3 + 6)  # 3 discrete + 6 noisy weights (4 pillars, 2 sub-indices)


def test_ranks_and_stats_consistent() -> None:
    res = uncertainty(SyntheticModel(), spec4(), n=200, seed=1)
    np.testing.assert_array_equal(res.ranks, rank_desc(res.scores))
    np.testing.assert_array_equal(res.ranks, engine_rank_desc(res.scores))
    assert np.all(res.rank_stats["q5"] <= res.rank_stats["median"])
    assert np.all(res.rank_stats["median"] <= res.rank_stats["q95"])
    tab = res.rank_table()
    assert list(tab.columns) == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    assert len(tab) == 30 and res.n_failed == 0
    mars = np.abs(res.ranks - res.nominal_ranks).mean(axis=1)
    np.testing.assert_allclose(res.mean_abs_rank_shift, mars)


def test_same_seed_same_result_and_workers_agree() -> None:
    a = uncertainty(SyntheticModel(), spec4(), n=100, seed=9)
    b = uncertainty(SyntheticModel(), spec4(), n=100, seed=9, workers=2)
    np.testing.assert_array_equal(a.scores, b.scores)


def test_zero_noise_reproduces_nominal() -> None:
    res = uncertainty(SyntheticModel(), [WeightNoise(factor=0.0), UncertainInput("treat", "winmax", values=(5,))], n=20, seed=0)
    np.testing.assert_allclose(res.scores, np.broadcast_to(res.nominal_scores, res.scores.shape))
    np.testing.assert_array_equal(res.rank_stats["median"], res.nominal_ranks)


def test_weight_noise_stays_within_band() -> None:
    """COINr get_noisy_weights: w + (2u - 1) phi w, so within +/- phi of nominal."""
    from hkfactor.robustness import noisy_weights

    u = np.random.default_rng(0).random((1000, 3))
    w = np.array([1.0, 2.0, 0.5])
    out = noisy_weights(w, u, 0.25)
    assert np.all(out >= 0.75 * w) and np.all(out <= 1.25 * w)
    np.testing.assert_allclose(noisy_weights(w, np.full(3, 0.5), 0.25), w)


def test_progress_callback_reports_every_combination() -> None:
    seen: list[tuple[int, int]] = []
    uncertainty(SyntheticModel(), spec4(), n=50, seed=0, progress=lambda d, t: seen.append((d, t)))
    # 10 rebuilds (5 winmax x 2 normalisations) + up to 20 aggregations (x 2 methods)
    assert seen and seen[-1][0] == seen[-1][1] == len(seen) and 10 < len(seen) <= 30
    assert [d for d, _ in seen] == list(range(1, len(seen) + 1))


def test_geometric_mean_on_nonpositive_data_marks_runs_failed() -> None:
    model = SyntheticModel(normalisation=Alternative("minmax", {"l_u": (0, 100)}))
    spec = [UncertainInput("aggregate", None, values=("amean", "gmean")), WeightNoise()]
    res = uncertainty(model, spec, n=100, seed=2)
    gm = res.choices[:, 0] == 1
    assert res.n_failed == gm.sum() > 0
    assert np.all(np.isnan(res.scores[gm])) and not np.any(np.isnan(res.scores[~gm]))
    with pytest.raises(SpecError, match="failed"):
        sensitivity(model, spec, n=16, n_boot=0)


def test_sensitivity_inert_input_gets_zero_and_s1_below_st() -> None:
    spec = [
        *spec4(),
        UncertainInput("treat", "skew_thresh_unused", values=(1, 2, 3), name="Inert"),
    ]

    class Model(SyntheticModel):
        def normalised(self, changes):  # the inert input is ignored by the model
            return super().normalised([c for c in changes if c[1] != "skew_thresh_unused"])

    res = sensitivity(Model(), spec, n=256, n_boot=200, seed=5)
    s = res.indices
    assert s.names == ("Winmax", "Normalisation", "Weights", "Aggregation", "Inert")
    assert s.s1[-1] == pytest.approx(0.0, abs=1e-12) and s.st[-1] == pytest.approx(0.0, abs=1e-12)
    assert np.all(s.s1 >= -0.03) and np.all(s.s1 <= s.st + 0.03)
    assert np.all(s.st_lo <= s.st) and np.all(s.st <= s.st_hi)
    tab = res.table()
    assert list(tab.columns) == ["Variable", "Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"]
    assert res.runs.n == 256 * 7 and res.uncertainty.n == 512


def test_sensitivity_vector_target_per_unit() -> None:
    res = sensitivity(SyntheticModel(), spec4(), n=64, target="scores", n_boot=20, seed=1)
    assert res.indices.s1.shape == (4, 30)
    one = sensitivity(SyntheticModel(), spec4(), n=64, target="score", unit="U07", n_boot=20, seed=1)
    np.testing.assert_allclose(one.indices.st, res.indices.st[:, 7])
    tab = res.table()
    assert len(tab) == 4 * 30 and list(tab.columns[:3]) == ["uCode", "Variable", "Si"]
    row = tab[(tab["uCode"] == "U07") & (tab["Variable"] == "Aggregation")]
    assert float(row["STi"].iloc[0]) == pytest.approx(float(one.indices.st[3]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": "nope"}, "unknown target"),
        ({"target": "score"}, "needs unit"),
        ({"target": "rank", "unit": "ZZZ"}, "unknown unit"),
        ({"column": "Nope"}, "unknown element"),
        ({"n": 100}, "power of 2"),
    ],
)
def test_sensitivity_errors(kwargs: dict, match: str) -> None:
    kw = {"n": 16, "n_boot": 0, **kwargs}
    with pytest.raises(SpecError, match=match):
        sensitivity(SyntheticModel(), spec4(), **kw)


def test_spec_errors() -> None:
    with pytest.raises(SpecError, match="distinct labels"):
        uncertainty(SyntheticModel(), [WeightNoise(), WeightNoise()], n=5)
    with pytest.raises(SpecError, match="no weights at levels"):
        uncertainty(SyntheticModel(), [WeightNoise(levels=(7,))], n=5)
    with pytest.raises(SpecError, match="at least two"):
        sensitivity(SyntheticModel(), [WeightNoise()], n=16)
    with pytest.raises(SpecError, match="exactly one"):
        UncertainInput("treat", "winmax")
    with pytest.raises(SpecError):
        WeightNoise(factor=1.5)
    with pytest.raises(SpecError):
        uncertainty(SyntheticModel(), [], n=5)


def test_continuous_input_falls_back_to_one_rebuild_each() -> None:
    spec = [UncertainInput("normalise", "l_u_low", bounds=(0.0, 1.0)), WeightNoise()]

    class M(SyntheticModel):
        def normalised(self, changes):
            lo = dict((p, v) for _, p, v in changes).get("l_u_low", 1.0)
            x = super().normalised([])
            return x + lo

    m = M()
    res = uncertainty(m, spec, n=15, seed=0)
    assert m.calls == 16 and res.n_failed == 0
    assert np.all((res.choices[:, 0] >= 0) & (res.choices[:, 0] < 1))


def test_weight_noise_only() -> None:
    res = uncertainty(SyntheticModel(), [WeightNoise()], n=50, seed=0)
    assert res.scores.shape == (50, 30) and res.n_failed == 0
    assert np.isnan(res.choices).all()  # no discrete/continuous choice recorded
    assert np.ptp(res.scores, axis=0).max() > 0
