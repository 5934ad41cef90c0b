"""What the design supports (issue 11): placebo benchmarks for one pair, city designs, headline.

All panels here are SYNTHETIC (labelled): city panels with a known effect, a null panel, and the
synthetic example pair with a straight line added as a fake channel.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hkfactor.evaluation import (
    CityData,
    EvalPanel,
    Group,
    IndicatorSpec,
    evaluate,
    read_data,
    read_framework,
)
from hkfactor.evaluation._identify import GBA_CITIES

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HK, SZ = "partner_factor", "innovation"


@pytest.fixture(scope="module")
def pair():
    fw = read_framework(EXAMPLES / "synthetic_pair.yaml")
    return fw, read_data(EXAMPLES / "synthetic_pair.csv", fw)


def _with_trend_channel(fw, panel):
    """The synthetic pair plus a channel that is a straight line over the years (SYNTHETIC)."""
    trend = IndicatorSpec("z_trend", "直线", "straight line", 1, "", "", "bilateral")
    subs = tuple(replace(s, groups=(*s.groups, Group("trend", "趋势", "trend", (trend,)))) if s.id == HK else s
                 for s in fw.subsystems)
    years = sorted({int(y) for y in panel.cells["year"]})
    extra = pd.DataFrame({"unit": "", "series": "z_trend", "year": years, "value": [float(y - 2000) for y in years],
                          "grade": "", "source_id": "U-FILE", "observation_id": [f"z@{y}" for y in years],
                          "locator": "synthetic", "note": "", "qualifier": ""})
    return replace(fw, subsystems=subs), EvalPanel(pd.concat([panel.cells, extra], ignore_index=True), panel.sources,
                                                   label=panel.label)


def test_a_straight_line_channel_is_never_called_associated(pair, tmp_path) -> None:
    fw, panel = _with_trend_channel(*pair)
    ev = evaluate(panel, fw)
    grey = ev.attribution.grey.set_index("group")
    # the straight line is among the most "similar" channels by grey grade …
    assert grey.loc["trend", "rank"] <= 2
    # … but the benchmarks say it does not beat a straight line, and the headline does not use it
    b = ev.identification.benchmarks
    row = b[(b["method"] == "grey") & (b["series"] == "trend") & (b["variant"] == "level")].iloc[0]
    assert not row["beats_trend"] and not row["associated"]
    assert "trend" not in ev.identification.associated
    assert ev.identification.headline.code == "identify.not_supported"
    # and the report says so next to it, in both languages
    from hkfactor.report.evaluation import write_report

    html = write_report(ev, tmp_path / "r").html.read_text(encoding="utf-8")
    assert "does not beat the benchmarks" in html and "未胜过基准" in html
    assert "not evidence of Hong Kong" in html


def _city_panel(effect: float, seed: int, n_gba: int = 9, n_out: int = 12) -> CityData:
    """SYNTHETIC city panel: log outcome = city + year effects + effect × GBA × after 2017 + noise."""
    rng = np.random.default_rng(seed)
    cities = list(GBA_CITIES[:n_gba]) + [f"D{k}" for k in range(n_out)]
    years = range(2005, 2024)
    a = rng.normal(8, 1, len(cities))
    b = np.cumsum(rng.normal(0.08, 0.03, len(years)))
    rows = []
    for i, c in enumerate(cities):
        for t, y in enumerate(years):
            treat = float(c in GBA_CITIES and y >= 2017)
            rows.append({"unit": c, "year": y, "series": "city_invention_grants", "grade": "A",
                         "value": float(np.exp(a[i] + b[t] + effect * treat + rng.normal(0, 0.05)))})
    return CityData(values=pd.DataFrame(rows), distance_km={}, shocks={"qianhai": 2010, "loop_mou": 2017},
                    label="SYNTHETIC city panel")


@pytest.mark.parametrize(("effect", "seed"), [(0.3, 1), (0.0, 2)])
def test_city_designs_recover_a_known_effect_and_find_nothing_on_a_null_panel(pair, effect: float, seed: int) -> None:
    fw, panel = pair
    ev = evaluate(panel, fw, city=_city_panel(effect, seed))
    ident = ev.identification
    runs = ident.table()
    twfe = runs[(runs["design"] == "twfe") & (runs["shock"] == "loop_mou")].iloc[0]
    assert twfe["status"] == "estimated"
    assert twfe["ci_low"] <= effect <= twfe["ci_high"]
    if effect == 0.0:
        assert twfe["p_value"] > 0.05
    else:
        assert twfe["p_value"] < 0.05 and twfe["effect"] == pytest.approx(effect, abs=0.1)
    assert ident.headline.code == "identify.estimated"
    en, zh = ident.headline.render("en"), ident.headline.render("zh")
    assert "two-way fixed effects" in en and f"{twfe['effect']:.3f}" in en and "CI" in en and "置信区间" in zh
    # the synthetic control for Shenzhen ran too (complete donors, 12 pre-years before 2017)
    sc = runs[(runs["design"] == "synthetic_control") & (runs["shock"] == "loop_mou")].iloc[0]
    assert sc["status"] == "estimated"


def test_a_thin_city_panel_is_not_estimated_and_says_why(pair) -> None:
    fw, panel = pair
    city = _city_panel(0.3, 3, n_gba=9, n_out=2)  # only two cities outside the GBA
    ev = evaluate(panel, fw, city=city)
    runs = ev.identification.table()
    twfe = runs[(runs["design"] == "twfe") & (runs["shock"] == "loop_mou")].iloc[0]
    assert twfe["status"] == "not_estimable" and "2 outside" in twfe["reason_en"] and "区外 2 个" in twfe["reason_zh"]
    assert ev.identification.headline.code == "identify.not_supported"


def test_a_panel_study_gets_a_within_unit_association() -> None:
    """SYNTHETIC panel of 12 units × 10 years: the reference subsystem moves with the other one
    beyond unit and year effects, and the headline estimates that association."""
    rng = np.random.default_rng(5)
    units, years = [f"U{k}" for k in range(12)], range(2010, 2020)
    rows = []
    for u in units:
        base = rng.normal(0, 1)
        for y in years:
            x = base + 0.1 * (y - 2010) + rng.normal(0, 0.5)
            rows += [{"unit": u, "series": "x1", "year": y, "value": x},
                     {"unit": u, "series": "x2", "year": y, "value": x + rng.normal(0, 0.3)},
                     {"unit": u, "series": "y1", "year": y, "value": 2 * x + rng.normal(0, 0.3)},
                     {"unit": u, "series": "y2", "year": y, "value": 2 * x + rng.normal(0, 0.3)}]
    ind = {s: IndicatorSpec(s, s, s) for s in ("x1", "x2", "y1", "y2")}
    from hkfactor.evaluation import EvalFramework

    fw = EvalFramework("p", "合成面板", "synthetic panel", (Group("X", "甲", "X", (ind["x1"], ind["x2"])),
                                                          Group("Y", "乙", "Y", (ind["y1"], ind["y2"]))))
    src = pd.DataFrame([{"id": "S", "title_zh": "合成", "title_en": "synthetic", "publisher": "", "url": "", "grade": ""}])
    panel = EvalPanel(pd.DataFrame(rows).assign(source_id="S"), src, label="synthetic panel")
    ev = evaluate(panel, fw)
    assert ev.shape == "panel"
    ident = ev.identification
    assert ident.headline.code == "identify.panel_estimated"
    run = ident.runs[0]
    assert run.result.estimate.effect > 0 and run.result.estimate.ci_low > 0
    assert "Hong Kong" not in ident.headline.render("en") and "香港" not in ident.headline.render("zh")
