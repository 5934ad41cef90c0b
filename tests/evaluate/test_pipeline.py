"""The evaluation core on the SYNTHETIC example city pair and on small synthetic panels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.evaluation import (
    ChannelSpec,
    EvalFramework,
    EvalPanel,
    IndicatorSpec,
    Recipe,
    evaluate,
    read_data,
    read_framework,
)

from . import _oracle

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture(scope="module")
def synthetic():
    fw = read_framework(EXAMPLES / "synthetic_pair.yaml")
    panel = read_data(EXAMPLES / "synthetic_pair.csv", fw)
    return fw, panel, evaluate(panel, fw)


def test_thin_data_decisions_are_recorded(synthetic) -> None:
    _fw, _panel, ev = synthetic
    kinds = {(d.kind, d.subject) for d in ev.decisions}
    # 2010 has only one innovation value: the evaluated span starts in 2011.
    assert ev.years == list(range(2011, 2021))
    assert ("drop_year", "2011–2020") in kinds
    # a_platforms has one observation: dropped, and with it the whole platforms channel.
    assert ("drop_indicator", "a_platforms") in kinds
    assert ("drop_channel", "platforms") in kinds
    assert "platforms" not in ev.channel_index.columns
    # trade has a single indicator: kept but flagged.
    assert ("flag_channel", "trade") in kinds
    # a_copubs has no 2014 value: interpolated, flagged cell by cell, between its neighbours.
    assert ("impute", "a_copubs") in kinds
    assert ev.imputed.loc[2014, "a_copubs"] and int(ev.imputed.to_numpy().sum()) == 2
    assert ev.filled.loc[2014, "a_copubs"] == "interpolated"
    mid = (ev.values.loc[2013, "a_copubs"] + ev.values.loc[2015, "a_copubs"]) / 2
    assert ev.values.loc[2014, "a_copubs"] == pytest.approx(mid)
    cov = ev.coverage.set_index(["series", "year"])
    assert cov.loc[("a_copubs", 2014), "status"] == "interpolated"
    # a_students ends in 2019: 2020 is carried, labelled as such, never called interpolation.
    assert ("carry", "a_students") in kinds
    assert ev.filled.loc[2020, "a_students"] == "carried"
    assert ev.values.loc[2020, "a_students"] == ev.values.loc[2019, "a_students"]
    assert cov.loc[("a_students", 2020), "status"] == "carried"
    carry = next(d for d in ev.decisions if d.kind == "carry")
    assert "carried forward from 2019" in carry.en and "not interpolated" in carry.en and "2019" in carry.zh
    assert not any(d.kind == "impute" and d.subject == "a_students" for d in ev.decisions)
    cp = ev.coupling.set_index("year")
    assert cp.loc[2020, "n_carried"] == 1 and cp.loc[2014, "n_interpolated"] == 1 and cp.loc[2015, "n_carried"] == 0
    assert cov.loc[("a_platforms", 2020), "status"] == "observed"
    assert not bool(cov.loc[("a_platforms", 2020), "in_analysis"])
    # every decision carries both languages
    assert all(d.zh and d.en for d in ev.decisions)


def test_pooled_normalisation_and_weights(synthetic) -> None:
    _fw, _panel, ev = synthetic
    z = ev.normalised
    assert np.allclose(z.min(), 0.0) and np.allclose(z.max(), 1.0)
    # b_energy is a cost indicator: its lowest value (last year) normalises to 1
    assert z.loc[2020, "b_energy"] == pytest.approx(1.0)
    used = ev.indicators[ev.indicators["status"] == "used"]
    for sub in ("hk", "sz"):
        assert used.loc[used["subsystem"] == sub, "weight"].sum() == pytest.approx(1.0)
    assert np.allclose(ev.obstacle.sum(axis=1), 1.0)


def test_matches_independent_recomputation(synthetic) -> None:
    _fw, _panel, ev = synthetic
    ref = _oracle.recompute(ev.tables())
    cp = ev.coupling
    for key in ("U_hk", "U_sz", "C", "T", "D"):
        np.testing.assert_allclose(cp[key].to_numpy(), ref[key], rtol=1e-9, atol=1e-12)
    grades = dict(zip(ev.grey["channel"], ev.grey["grade"], strict=True))
    for ch, g in ref["grey"].items():  # type: ignore[union-attr]
        assert grades[ch] == pytest.approx(g, rel=1e-9)


def test_bands_and_relative_development(synthetic) -> None:
    _fw, _panel, ev = synthetic
    for r in ev.coupling.itertuples():
        assert r.band == min(int(r.D * 10), 9) + 1
        expected = "lagging" if r.ratio <= 0.9 else ("synchronous" if r.ratio <= 1.1 else "leading")
        assert r.relative_en == expected


def test_robustness_brackets_the_nominal_run(synthetic) -> None:
    _fw, _panel, ev = synthetic
    rb = ev.robustness
    assert (rb["n_variants"] == 12).all()
    assert (rb["D_min"] <= rb["D"] + 1e-12).all() and (rb["D"] <= rb["D_max"] + 1e-12).all()
    nominal = ev.robustness_runs.query("normalisation == 'minmax' and weighting == 'entropy' and aggregation == 'arithmetic'")
    np.testing.assert_allclose(nominal["D"].to_numpy(), ev.coupling["D"].to_numpy())
    gr = ev.grey_robustness
    assert ((gr["rank_min"] <= gr["rank"]) & (gr["rank"] <= gr["rank_max"])).all()


def test_recipe_choices_change_results_and_are_recorded(synthetic) -> None:
    fw, panel, ev = synthetic
    ev2 = evaluate(panel, fw, recipe=Recipe(weighting="equal", robustness=False))
    assert ev2.recipe.weighting == "equal"
    used = ev2.indicators[(ev2.indicators["status"] == "used") & (ev2.indicators["subsystem"] == "sz")]
    assert np.allclose(used["weight"], 1 / 3)
    assert not np.allclose(ev2.coupling["D"], ev.coupling["D"])
    assert (ev2.robustness["n_variants"] == 1).all()


def test_impute_none_drops_gappy_indicators(synthetic) -> None:
    fw, panel, _ev = synthetic
    ev = evaluate(panel, fw, recipe=Recipe(impute="none", robustness=False))
    assert "a_copubs" not in ev.values.columns
    assert not ev.imputed.to_numpy().any()
    assert any(d.kind == "drop_indicator" and "a_copubs" in d.subject for d in ev.decisions)


@pytest.mark.parametrize(
    ("field", "value"),
    [("weighting", "ahp"), ("normalisation", "zscore"), ("alpha", 1.5), ("rho", 0.0), ("impute", "mean"),
     ("grey_preprocessing", "log"), ("entropy_shift", -1.0)],
)
def test_bad_recipe_is_a_spec_error(synthetic, field: str, value: object) -> None:
    fw, panel, _ev = synthetic
    with pytest.raises(SpecError, match=field):
        evaluate(panel, fw, recipe=Recipe(**{field: value}))  # type: ignore[arg-type]


def _tiny(values: dict[str, dict[int, float]], breaks: pd.DataFrame | None = None):
    """A SYNTHETIC two-channel framework and panel built from ``{series: {year: value}}``."""
    ind = {s: IndicatorSpec(s, s, s) for s in values}
    fw = EvalFramework(
        "tiny", "合成", "synthetic",
        channels=(ChannelSpec("c1", "渠道1", "c1", (ind["h1"], ind["h2"])),),
        innovation=ChannelSpec("inn", "创新", "innovation", (ind["s1"],)),
    )
    rows = [{"series": s, "year": y, "value": v, "grade": "A", "source_id": "S-X", "observation_id": f"{s}-{y}",
             "locator": "", "note": ""} for s, d in values.items() for y, v in d.items()]
    src = pd.DataFrame([{"id": "S-X", "title_zh": "合成", "title_en": "synthetic", "publisher": "", "url": "", "grade": "A"}])
    return fw, EvalPanel(pd.DataFrame(rows), src, label="tiny.csv", breaks=breaks)


def test_too_little_data_is_an_input_error() -> None:
    fw, panel = _tiny({"h1": {2000: 1, 2001: 2}, "h2": {2000: 1, 2001: 3}, "s1": {2000: 5, 2001: 6}})
    with pytest.raises(InputError, match=r"tiny\.csv.*3 or more consecutive years"):
        evaluate(panel, fw)


def test_declared_break_inside_the_span_is_flagged() -> None:
    years = range(2000, 2006)
    fw, panel = _tiny(
        {"h1": {y: float(y - 1990) for y in years}, "h2": {y: float((y - 1998) ** 2) for y in years},
         "s1": {y: float(3 * y - 5990) for y in years}},
        breaks=pd.DataFrame([{"id": "B-1", "series": "h1", "year": 2003, "description_zh": "口径变化",
                              "description_en": "definition change"}]),
    )
    ev = evaluate(panel, fw)
    flags = [d for d in ev.decisions if d.kind == "break"]
    assert len(flags) == 1 and flags[0].subject == "h1" and "2003" in flags[0].en and "B-1" in flags[0].zh


def test_missing_year_is_never_zero() -> None:
    years = range(2000, 2008)
    vals = {"h1": {y: float(y - 1990) for y in years}, "h2": {y: float(y - 1980) for y in years if y != 2003},
            "s1": {y: float(y - 1995) for y in years}}
    fw, panel = _tiny(vals)
    ev = evaluate(panel, fw)
    assert ev.values.loc[2003, "h2"] == pytest.approx(23.0)  # interpolated between 22 and 24, not 0
    assert bool(ev.imputed.loc[2003, "h2"])


def test_engine_index_reproduces_the_subsystem_indices(synthetic) -> None:
    _fw, _panel, ev = synthetic
    scores = ev.index_.scores().set_index("uCode")
    np.testing.assert_allclose(scores["HK"].to_numpy(), ev.coupling["U_hk"].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(scores["SZ"].to_numpy(), ev.coupling["U_sz"].to_numpy(), rtol=1e-10)
    assert list(scores.index) == [str(y) for y in ev.years]


def test_monte_carlo_through_the_robustness_engine(synthetic) -> None:
    fw, panel, ev = synthetic
    rb = ev.robustness
    assert (rb["mc_replications"] == 500).all()
    assert ((rb["D_mc_q05"] <= rb["D_mc_median"]) & (rb["D_mc_median"] <= rb["D_mc_q95"])).all()
    assert ((rb["D_mc_q05"] >= 0) & (rb["D_mc_q95"] <= 1)).all()
    assert any(d.subject == "monte carlo" and "seed 20240501" in d.en for d in ev.decisions)
    # fixed seed: the same numbers every time; another seed: different draws
    again = evaluate(panel, fw, recipe=Recipe(mc_replications=500))
    pd.testing.assert_frame_equal(again.robustness, rb)
    other = evaluate(panel, fw, recipe=Recipe(seed=7))
    assert not np.allclose(other.robustness["D_mc_q95"], rb["D_mc_q95"])
    # without noise on the weights only the normalisation varies: every quantile of D is either
    # the nominal D (min-max) or D with percentile ranks and the nominal weights (recomputed here)
    from scipy.stats import rankdata

    flat = evaluate(panel, fw, recipe=Recipe(weight_noise=0.0))
    used = flat.indicators[flat.indicators["status"] == "used"]
    u = {}
    for sub in ("hk", "sz"):
        rows = used[used["subsystem"] == sub]
        x = flat.values[rows["series"]].to_numpy() * rows["direction"].to_numpy()
        z = (rankdata(x, method="min", axis=0) - 1) / (len(x) - 1)
        u[sub] = z @ rows["weight"].to_numpy()
    _c, _t, d_rank = _oracle.coupling(u["hk"], u["sz"])
    for q in ("D_mc_q05", "D_mc_median", "D_mc_q95"):
        got = flat.robustness[q].to_numpy()
        assert np.all(np.isclose(got, flat.robustness["D"]) | np.isclose(got, d_rank)), q


def test_every_new_decision_type_appears_on_the_synthetic_example(synthetic) -> None:
    _fw, _panel, ev = synthetic
    by_kind: dict[str, list] = {}
    for d in ev.decisions:
        by_kind.setdefault(d.kind, []).append(d)
        assert d.zh and d.en
    for kind in ("impute", "carry", "approximate", "construct", "caveat"):
        assert kind in by_kind, kind
    subjects = {(d.kind, d.subject) for d in ev.decisions}
    assert {("approximate", "over"), ("approximate", "about"), ("method", "geometric"), ("method", "grey settings"),
            ("method", "leave one out"), ("caveat", "coupling"), ("construct", "bilateral")} <= subjects
    over = next(d for d in ev.decisions if d.subject == "over")
    assert "a_listings 2016" in over.en and "lower bound" in over.en and "下限" in over.zh
    cp = ev.coupling.set_index("year")
    assert cp.loc[2016, "n_approximate"] == 1 and cp.loc[2013, "n_approximate"] == 1


def test_year_span_decision_states_the_rule_and_its_circularity(synthetic) -> None:
    _fw, _panel, ev = synthetic
    d = next(d for d in ev.decisions if d.kind == "drop_year")
    assert "circular" in d.en and "kept indicators" in d.en and "循环" in d.zh


def test_interpolation_uses_observations_outside_the_span() -> None:
    # h2 has no 2001 inside the span 2001–2006 but an observation in 2000, where s1 is missing:
    # 2001 is interpolated between 2000 and 2002, not carried back from 2002.
    years = range(2001, 2007)
    vals = {"h1": {y: float(y - 1990) for y in years},
            "h2": {2000: 10.0, **{y: float(y - 1990) for y in years if y != 2001}},
            "s1": {y: float(y - 1995) for y in years}}
    fw, panel = _tiny(vals)
    ev = evaluate(panel, fw)
    assert ev.years == list(years)
    assert ev.filled.loc[2001, "h2"] == "interpolated"
    assert ev.values.loc[2001, "h2"] == pytest.approx(11.0)
    imp = next(d for d in ev.decisions if d.kind == "impute" and d.subject == "h2")
    assert "2001 (2000–2002)" in imp.en and "outside the evaluated years (2000)" in imp.en
    assert not any(d.kind == "carry" for d in ev.decisions)


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric"])
def test_geometric_variants_have_no_floor_at_zero_and_say_so(synthetic, aggregation: str) -> None:
    fw, panel, _ev = synthetic
    ev = evaluate(panel, fw, recipe=Recipe(aggregation=aggregation, mc_replications=20))
    geo = ev.robustness_runs[ev.robustness_runs["aggregation"] == "geometric"]
    # the pooled min-max gives zeros; the geometric variants use values in [0.01, 1], so nothing is 0
    assert (ev.normalised.to_numpy() == 0).any()
    assert (geo["U_hk"] > 0).all() and (geo["U_sz"] > 0).all()
    # every geometric U is the weighted geometric mean of 0.01 + 0.99 z (recomputed here)
    dec = [d for d in ev.decisions if d.subject == "geometric"]
    assert len(dec) == 1 and "[0.01, 1]" in dec[0].en and "[0.01, 1]" in dec[0].zh
    if aggregation == "geometric":
        used = ev.indicators[ev.indicators["status"] == "used"]
        rows = used[used["subsystem"] == "hk"]
        z = 0.01 + 0.99 * ev.normalised[rows["series"]].to_numpy()
        w = rows["weight"].to_numpy()
        np.testing.assert_allclose(ev.coupling["U_hk"], np.exp(np.log(z) @ (w / w.sum())), rtol=1e-9)
        assert "nominal run" in dec[0].en


def test_geometric_is_not_disclosed_when_never_computed(synthetic) -> None:
    fw, panel, _ev = synthetic
    ev = evaluate(panel, fw, recipe=Recipe(robustness=False))
    assert not any(d.subject == "geometric" for d in ev.decisions)


def test_wang2021_coupling_and_caveat(synthetic) -> None:
    _fw, _panel, ev = synthetic
    cp = ev.coupling
    u1, u2 = cp["U_hk"].to_numpy(), cp["U_sz"].to_numpy()
    lo, hi = np.minimum(u1, u2), np.maximum(u1, u2)
    with np.errstate(invalid="ignore", divide="ignore"):
        c_w = np.sqrt((1 - np.abs(u1 - u2)) * np.where(hi > 0, lo / hi, 0.0))
    np.testing.assert_allclose(cp["C_wang2021"], c_w, atol=1e-12)
    np.testing.assert_allclose(cp["D_wang2021"], np.sqrt(c_w * cp["T"]), atol=1e-12)
    np.testing.assert_allclose(ev.robustness["D_wang2021"], cp["D_wang2021"])
    cav = next(d for d in ev.decisions if d.kind == "caveat" and d.subject == "coupling")
    k = int((cp["C"] >= 0.99).sum())
    assert f"in {k} of {len(cp)} years" in cav.en
    if k > len(cp) / 2:
        assert "D restates the average level T" in cav.en and "not comparable with cross-sectional" in cav.en


def test_grey_settings_and_detrended_check(synthetic) -> None:
    _fw, _panel, ev = synthetic
    gs = ev.grey_settings
    assert set(gs["preprocessing"]) == {"mean", "minmax", "initial"} and set(gs["rho"]) == {0.3, 0.5, 0.7}
    # pooled min-max puts a channel at 0 in the first year: initial-value preprocessing is undefined, said so
    assert gs.loc[gs["preprocessing"] == "initial", "grade"].isna().all()
    assert any(d.subject == "grey settings" and "undefined" in d.en for d in ev.decisions)
    nominal = gs[(gs["preprocessing"] == "mean") & (gs["rho"] == 0.5)].set_index("channel")["grade"]
    np.testing.assert_allclose(nominal[ev.grey["channel"]].to_numpy(), ev.grey["grade"].to_numpy())
    gr = ev.grey_robustness.set_index("channel")
    assert (gr["settings_rank_min"] <= gr["rank"]).all() and (gr["rank"] <= gr["settings_rank_max"]).all()
    for ch in ev.grey["channel"]:
        dc = np.corrcoef(np.diff(ev.channel_index[ch]), np.diff(ev.coupling["U_sz"]))[0, 1]
        assert ev.grey.set_index("channel").loc[ch, "diff_corr"] == pytest.approx(dc)


def test_leave_one_indicator_out(synthetic) -> None:
    fw, panel, ev = synthetic
    used = list(ev.indicators.loc[ev.indicators["status"] == "used", "series"])
    assert list(ev.loo["series"]) == used
    # recompute one run by hand: drop a_fdi from the framework and evaluate again
    from dataclasses import replace

    fin = fw.channel("finance")
    fw2 = replace(fw, channels=tuple(
        replace(ch, indicators=tuple(i for i in ch.indicators if i.series != "a_fdi")) if ch.id == "finance" else ch
        for ch in fw.channels))
    ev2 = evaluate(panel, fw2, recipe=Recipe(robustness=False))
    assert fin.indicators[0].series == "a_fdi"
    d_loo = ev.loo_runs[ev.loo_runs["series"] == "a_fdi"]["D"].to_numpy()
    np.testing.assert_allclose(d_loo, ev2.coupling["D"].to_numpy(), rtol=1e-10)
    row = ev.loo.set_index("series").loc["a_fdi"]
    assert row["D_max_abs_change"] == pytest.approx(np.max(np.abs(d_loo - ev.coupling["D"].to_numpy())))
    # the trade channel has one indicator: without it the channel is gone, and the note says so
    assert ev.loo.set_index("series").loc["a_reexport", "note"] == "channel dropped"


def test_no_bilateral_indicator_is_said_prominently(synthetic) -> None:
    from dataclasses import replace

    fw, panel, _ev = synthetic
    relabel = {"a_fdi": "focal", "a_listings": "focal", "a_copubs": "partner", "a_students": "partner"}
    fw2 = replace(fw, channels=tuple(
        replace(ch, indicators=tuple(replace(i, link=relabel.get(i.series, i.link)) for i in ch.indicators))
        for ch in fw.channels))
    ev = evaluate(panel, fw2, recipe=Recipe(robustness=False))
    d = next(d for d in ev.decisions if d.kind == "construct")
    assert d.subject == "no bilateral"
    assert "not a bilateral link" in d.en and "a_platforms" in d.en  # the dropped bilateral one is named
    assert "不是两城之间的联系" in d.zh
    assert set(ev.indicators["link"]) >= {"focal", "partner", "bilateral"}


def test_undeclared_links_are_said_to_be_undeclared() -> None:
    years = range(2000, 2006)
    fw, panel = _tiny({"h1": {y: float(y - 1990) for y in years}, "h2": {y: float((y - 1998) ** 2) for y in years},
                       "s1": {y: float(3 * y - 5990) for y in years}})
    ev = evaluate(panel, fw, recipe=Recipe(robustness=False))
    (d,) = [d for d in ev.decisions if d.kind == "construct"]
    assert d.subject == "link unspecified" and "cannot be told" in d.en
    assert set(ev.indicators["link"]) == {"unspecified"}
    # no qualifier column at all (a hand-built panel): no approximate decision, nothing marked
    assert not any(d.kind == "approximate" for d in ev.decisions) and ev.coupling["n_approximate"].sum() == 0


def test_interpolation_across_a_declared_break_says_so() -> None:
    years = range(2000, 2008)
    vals = {"h1": {y: float(y - 1990) for y in years}, "h2": {y: float(y - 1980) for y in years if y != 2003},
            "s1": {y: float(y - 1995) for y in years}}
    brk = pd.DataFrame([{"id": "B-2", "series": "h2", "year": 2004, "description_zh": "口径变化",
                         "description_en": "definition change"}])
    fw, panel = _tiny(vals, breaks=brk)
    ev = evaluate(panel, fw, recipe=Recipe(robustness=False))
    imp = next(d for d in ev.decisions if d.kind == "impute" and d.subject == "h2")
    assert "bridges a declared break (2004)" in imp.en and "口径变化（2004 年）" in imp.zh
