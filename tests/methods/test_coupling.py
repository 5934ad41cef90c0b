"""Coupling coordination degree model, coordination bands and relative development."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.methods import (
    COORDINATION_BANDS,
    coordination_band,
    coupling_coordination,
    coupling_degree,
    relative_development,
)

# 王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷 (2021), 国内耦合协调度模型的误区及修正, 自然资源学报
# 36(3): 793-810, Table 8: eco-economic C of 13 Beijing-Tianjin-Hebei cities by the
# original model (first line of each year) and the modified model (second line),
# 2008-2014. The table prints C only, not U1, U2; see test_wang2021_table8_* below.
WANG_T8_ORIG = np.array(
    [
        [0.9989, 0.9935, 0.8868, 0.9073, 0.6821, 0.8328, 0.6816, 0.7789, 0.6871, 0.6101, 0.8017, 0.7867, 0.7191],
        [0.9984, 0.9997, 0.8912, 0.9079, 0.6790, 0.8114, 0.6839, 0.7786, 0.7180, 0.6377, 0.8018, 0.7587, 0.7396],
        [0.9999, 0.9920, 0.9071, 0.9224, 0.6957, 0.8309, 0.7044, 0.7992, 0.7556, 0.6212, 0.8277, 0.7707, 0.7109],
        [0.9939, 0.9848, 0.9373, 0.9468, 0.7446, 0.8488, 0.7437, 0.8114, 0.7806, 0.6469, 0.8601, 0.8162, 0.7560],
        [0.9992, 0.9913, 1.0000, 0.9276, 0.6720, 0.8527, 0.7674, 0.8211, 0.7859, 0.6561, 0.8749, 0.8133, 0.7577],
        [0.9858, 0.9280, 0.9867, 0.9866, 0.7442, 0.9215, 0.8259, 0.8680, 0.7819, 0.6619, 0.9183, 0.9025, 0.7773],
        [0.9942, 0.9488, 0.9834, 0.9815, 0.6713, 0.8995, 0.8283, 0.8917, 0.7556, 0.6955, 0.9270, 0.9064, 0.8257],
    ]
)
WANG_T8_MOD = np.array(
    [
        [0.9404, 0.8660, 0.5440, 0.5769, 0.3006, 0.4780, 0.3344, 0.4171, 0.3278, 0.2700, 0.4374, 0.4196, 0.3738],
        [0.9238, 0.9675, 0.5435, 0.5716, 0.2946, 0.4445, 0.3224, 0.4117, 0.3533, 0.2731, 0.4352, 0.3821, 0.3906],
        [0.9835, 0.8497, 0.5659, 0.5942, 0.3041, 0.4593, 0.3385, 0.4245, 0.3857, 0.2533, 0.4574, 0.3908, 0.3529],
        [0.8485, 0.7896, 0.6271, 0.6503, 0.3454, 0.4767, 0.3720, 0.4332, 0.4123, 0.2600, 0.4994, 0.4361, 0.3951],
        [0.9445, 0.8342, 0.9949, 0.5937, 0.2497, 0.4816, 0.3967, 0.4433, 0.4134, 0.2615, 0.5164, 0.4243, 0.3931],
        [0.7757, 0.5868, 0.8169, 0.8135, 0.3519, 0.6125, 0.4721, 0.5160, 0.4043, 0.2746, 0.6006, 0.5692, 0.4184],
        [0.8523, 0.6353, 0.7939, 0.7829, 0.2532, 0.5627, 0.4708, 0.5540, 0.3797, 0.3067, 0.6191, 0.5750, 0.4723],
    ]
)


def _recover_u(c_orig: float, c_mod: float) -> tuple[float, float]:
    """Invert the two published C values to (U_small, U_large) under our two formulas."""
    s = (1 - math.sqrt(1 - c_orig**2)) / c_orig  # C = 2 sqrt(r) / (1 + r), r = U_small/U_large
    r = s * s
    big = (1 - c_mod**2 / r) / (1 - r)  # C_mod^2 = (1 - |U1 - U2|) r
    return r * big, big


def test_wang2021_table8_is_reproduced_by_both_formulas() -> None:
    # For every city-year there is a pair (U1, U2) in [0, 1]^2 for which our "standard"
    # and "wang2021" coupling degrees reproduce BOTH printed values to 4 decimals. (The
    # pair is recovered by inverting the formulas; well-conditioned cells only: the
    # inversion is unstable when the original C rounds to 1.)
    checked = 0
    for c_o, c_m in zip(WANG_T8_ORIG.ravel(), WANG_T8_MOD.ravel(), strict=True):
        if c_o > 0.999:
            continue
        u_small, u_big = _recover_u(float(c_o), float(c_m))
        assert 0 < u_small <= u_big <= 1
        u = np.array([u_small, u_big])
        assert abs(coupling_degree(u) - c_o) < 5e-5
        assert abs(coupling_degree(u, variant="wang2021") - c_m) < 5e-5
        checked += 1
    assert checked >= 85


def test_wang2021_other_reading_cannot_reproduce_table8() -> None:
    # Reading the product as prod(U_i) / max(U) (= min U for two subsystems) would need
    # C_mod^2 = (1 - (1 - r) M) r M <= r / (4 (1 - r)) for the largest index M; Beijing
    # 2008 (C = 0.9989 / 0.9404) needs M > 1, impossible for indices in [0, 1].
    s = (1 - math.sqrt(1 - 0.9989**2)) / 0.9989
    r = s * s
    best = max((1 - (1 - r) * m) * r * m for m in np.linspace(0, 1, 10001))
    assert math.sqrt(best) < 0.9404 - 0.01


def test_two_subsystem_forms_agree() -> None:
    # 2 sqrt(U1 U2)/(U1 + U2) == [U1 U2 / ((U1 + U2)/2)^2]^(1/2) == n[prod/(sum)^n]^(1/n)
    rng = np.random.default_rng(2)
    u = rng.random((50, 2))
    a = 2 * np.sqrt(u[:, 0] * u[:, 1]) / u.sum(axis=1)
    b = np.sqrt(u[:, 0] * u[:, 1] / (u.sum(axis=1) / 2) ** 2)
    np.testing.assert_allclose(coupling_degree(u), a)
    np.testing.assert_allclose(coupling_degree(u, exponent=0.5), b)


def test_hand_derived_values() -> None:
    # Two subsystems U = (0.3, 0.6): C = 2 sqrt(0.18)/0.9; T = 0.45; D = sqrt(C T).
    res = coupling_coordination([0.3, 0.6])
    c = 2 * math.sqrt(0.18) / 0.9
    assert res.C == pytest.approx(c)
    assert res.T == pytest.approx(0.45)
    assert res.D == pytest.approx(math.sqrt(c * 0.45))
    # Weighted T (alpha = 0.4, 0.6).
    assert coupling_coordination([0.3, 0.6], weights=[2, 3]).T == pytest.approx(0.48)
    # Wang et al. (2021), two subsystems: sqrt((1 - 0.3) * 0.3/0.6).
    assert coupling_degree([0.3, 0.6], variant="wang2021") == pytest.approx(math.sqrt(0.7 * 0.5))
    # Three subsystems (0.2, 0.4, 0.8): standard C = 3 (0.064)^(1/3) / 1.4;
    # wang2021: gaps (0.2 + 0.6 + 0.4)/3 = 0.4, ratios 0.25 * 0.5 = 0.125, C = sqrt(0.6 * 0.125^(1/2)).
    u3 = [0.2, 0.4, 0.8]
    assert coupling_degree(u3) == pytest.approx(3 * 0.064 ** (1 / 3) / 1.4)
    assert coupling_degree(u3, variant="wang2021") == pytest.approx(math.sqrt(0.6 * math.sqrt(0.125)))
    # The "unscaled" form lacks the factor n: max 1/n at equal U.
    assert coupling_degree([0.5, 0.5, 0.5], variant="unscaled") == pytest.approx(1 / 3)
    # Adjustment-coefficient form with k = 2.
    assert coupling_degree([0.3, 0.6], exponent=2) == pytest.approx((0.18 / 0.45**2) ** 2)


def test_equal_subsystems_never_exceed_one() -> None:
    # Rounding can push the ratio of means a hair above 1 (2e-16); C is clipped so that
    # D stays a valid input to coordination_band.
    v = np.random.default_rng(0).random(20000)
    for k in (2, 3, 5):
        U = np.repeat(v[:, None], k, axis=1)
        res = coupling_coordination(U)
        assert res.C.max() <= 1.0 and res.D.max() <= 1.0
        coordination_band(res.D)
    assert coordination_band(coupling_coordination([1.0, 1.0, 1.0]).D) == "优质协调"


def test_edges_and_nan() -> None:
    u = np.array([[0.0, 0.0], [0.0, 0.5], [np.nan, 0.5], [1.0, 1.0]])
    res = coupling_coordination(u)
    np.testing.assert_allclose(res.C, [0.0, 0.0, np.nan, 1.0])
    np.testing.assert_allclose(res.D, [0.0, 0.0, np.nan, 1.0])
    w = coupling_degree(u, variant="wang2021")
    np.testing.assert_allclose(w, [0.0, 0.0, np.nan, 1.0])


def test_errors() -> None:
    with pytest.raises(InputError, match=">= 0"):
        coupling_degree([-0.1, 0.5])
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        coupling_degree([0.5, 1.5], variant="wang2021")
    with pytest.raises(SpecError, match="at least 2 subsystems"):
        coupling_degree([0.5])
    with pytest.raises(SpecError, match="valid: standard"):
        coupling_degree([0.1, 0.2], variant="nope")  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="exponent"):
        coupling_degree([0.1, 0.2], variant="wang2021", exponent=2)
    with pytest.raises(SpecError, match="weights"):
        coupling_coordination([0.1, 0.2], weights=[1, 2, 3])


def test_dataframe_layer() -> None:
    df = pd.DataFrame({"innovation": [0.3, 0.5], "hk_factor": [0.6, 0.5]}, index=["2019", "2020"])
    res = coupling_coordination(df)
    assert list(res.D.index) == ["2019", "2020"]
    np.testing.assert_allclose(res.D.to_numpy(), coupling_coordination(df.to_numpy()).D)


def test_bands() -> None:
    assert len(COORDINATION_BANDS) == 10
    d = [0.0, 0.0999, 0.1, 0.3, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert coordination_band(d).tolist() == [
        "极度失调", "极度失调", "严重失调", "轻度失调", "濒临失调", "勉强协调",
        "初级协调", "中级协调", "良好协调", "优质协调", "优质协调",
    ]
    assert coordination_band(0.95, lang="en") == "quality coordination"
    assert coordination_band(0.6, closed="right") == "勉强协调"
    assert coordination_band(0.0, closed="right") == "极度失调"
    assert coordination_band(np.nan) is None
    s = coordination_band(pd.Series([0.55, np.nan], index=["a", "b"]), lang="en")
    assert s.to_dict() == {"a": "barely coordinated", "b": None}
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        coordination_band(1.2)


def test_relative_development() -> None:
    res = relative_development([0.5, 0.5, 0.5, 0.5, 0.0, 0.0, np.nan], [0.45, 0.46, 0.55, 0.56, 0.2, 0.0, 0.1], lang="en")
    assert res.label.tolist() == ["lagging", "synchronous", "synchronous", "leading", "leading", None, None]
    np.testing.assert_allclose(res.ratio[:4], [0.9, 0.92, 1.1, 1.12])
    assert np.isinf(res.ratio[4]) and np.isnan(res.ratio[5])
    zh = relative_development(0.5, 0.3, lang="zh", bounds=(0.8, 1.2))
    assert zh.label == "滞后型" and zh.ratio == pytest.approx(0.6)
    with pytest.raises(SpecError, match="bounds"):
        relative_development(0.5, 0.3, bounds=(1.2, 0.8))
