"""The evaluation core on the SYNTHETIC example city pair and on small synthetic panels."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError
from hkfactor.evaluation import (
    EvalFramework,
    EvalPanel,
    EvaluationRecipe,
    Group,
    IndicatorSpec,
    evaluate,
    read_data,
    read_framework,
)

from . import _oracle

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HK, SZ = "partner_factor", "innovation"


@pytest.fixture(scope="module")
def synthetic():
    fw = read_framework(EXAMPLES / "synthetic_pair.yaml")
    panel = read_data(EXAMPLES / "synthetic_pair.csv", fw)
    return fw, panel, evaluate(panel, fw)


def _codes(ev) -> set[tuple[str, str]]:
    return {(d.code, d.subject) for d in ev.decisions}


def _groups(ev, sub: str = HK) -> pd.DataFrame:
    return ev.indices.scores[list(ev.prepared.groups_used[sub])]


def _obstacle_by_group(ev, sub: str = HK) -> pd.DataFrame:
    og = ev.obstacles.groups
    return og[og["subsystem"] == sub].pivot(index="year", columns="group", values="obstacle")


def test_thin_data_decisions_are_recorded(synthetic) -> None:
    _fw, _panel, ev = synthetic
    codes = _codes(ev)
    p = ev.prepared
    # 2010 has only one innovation value: the evaluated span starts in 2011.
    assert ev.years == list(range(2011, 2021))
    assert ("span.chosen", "2011–2020") in codes
    # a_platforms has one observation: dropped, and with it the whole platforms group.
    assert any(c == "drop.few_observations" and "a_platforms" in s for c, s in codes)
    assert ("group.dropped", "platforms") in codes
    assert "platforms" not in p.groups_used[HK]
    # trade has a single indicator: kept but flagged.
    assert ("group.single", "trade") in codes
    # a_copubs has no 2014 value: interpolated, flagged cell by cell, between its neighbours.
    assert ("fill.interpolated", "a_copubs") in codes
    assert p.filled.loc[2014, "a_copubs"] == "interpolated" and int((p.filled != "").to_numpy().sum()) == 2
    mid = (p.values.loc[2013, "a_copubs"] + p.values.loc[2015, "a_copubs"]) / 2
    assert p.values.loc[2014, "a_copubs"] == pytest.approx(mid)
    cov = p.coverage.set_index(["series", "year"])
    assert cov.loc[("a_copubs", 2014), "status"] == "interpolated"
    # a_students ends in 2019: 2020 is carried, labelled as such, never called interpolation.
    assert ("fill.carried", "a_students") in codes
    assert p.filled.loc[2020, "a_students"] == "carried"
    assert p.values.loc[2020, "a_students"] == p.values.loc[2019, "a_students"]
    assert cov.loc[("a_students", 2020), "status"] == "carried"
    carry = next(d for d in ev.decisions if d.code == "fill.carried")
    assert "carried forward from 2019" in carry.render("en") and "not interpolated" in carry.render("en")
    assert "2019" in carry.render("zh")
    assert not any(d.code == "fill.interpolated" and d.subject == "a_students" for d in ev.decisions)
    cp = ev.coupling.table.set_index("year")
    assert cp.loc[2020, "n_carried"] == 1 and cp.loc[2014, "n_interpolated"] == 1 and cp.loc[2015, "n_carried"] == 0
    assert cov.loc[("a_platforms", 2020), "status"] == "observed"
    assert not bool(cov.loc[("a_platforms", 2020), "in_analysis"])
    # every decision renders in both languages, from the catalogue (never the bare code)
    for d in ev.decisions:
        for lang in ("zh", "en"):
            text = d.render(lang)
            assert text and not text.startswith(d.code), d.code


def test_pooled_normalisation_and_weights(synthetic) -> None:
    _fw, _panel, ev = synthetic
    z = ev.indices.normalised
    assert np.allclose(z.min(), 0.0) and np.allclose(z.max(), 1.0)
    # b_energy is a cost indicator: its lowest value (last year) normalises to 1
    assert z.loc[2020, "b_energy"] == pytest.approx(1.0)
    w = ev.indices.weights
    for sub in (HK, SZ):
        assert w.loc[w["subsystem"] == sub, "weight"].sum() == pytest.approx(1.0)
    assert np.allclose(_obstacle_by_group(ev).sum(axis=1), 1.0)


def test_matches_independent_recomputation(synthetic) -> None:
    _fw, _panel, ev = synthetic
    ref = _oracle.recompute(ev.tables())
    cp = ev.coupling.table
    for key, col in (("U_hk", f"U_{HK}"), ("U_sz", f"U_{SZ}"), ("C", "C"), ("T", "T"), ("D", "D")):
        np.testing.assert_allclose(cp[col].to_numpy(), ref[key], rtol=1e-9, atol=1e-12)
    grades = dict(zip(ev.attribution.grey["group"], ev.attribution.grey["grade"], strict=True))
    for ch, g in ref["grey"].items():  # type: ignore[union-attr]
        assert grades[ch] == pytest.approx(g, rel=1e-9)
    np.testing.assert_allclose(_groups(ev)[ref["channels"]].to_numpy(), ref["channel_index"], rtol=1e-9)


def test_bands_and_relative_development(synthetic) -> None:
    _fw, _panel, ev = synthetic
    for r in ev.coupling.table.itertuples():
        assert r.band == min(int(r.D * 10), 9) + 1
        expected = "lagging" if r.ratio <= 0.9 else ("synchronous" if r.ratio <= 1.1 else "leading")
        assert r.relative_en == expected


def test_robustness_brackets_the_nominal_run(synthetic) -> None:
    _fw, _panel, ev = synthetic
    rb = ev.robustness
    s = rb.summary
    assert (s["n_variants"] == 12).all()
    assert (s["min"] <= s["nominal"] + 1e-12).all() and (s["nominal"] <= s["max"] + 1e-12).all()
    nominal = rb.runs.query("normalisation == 'minmax' and weighting == 'entropy' and aggregation == 'arithmetic'")
    np.testing.assert_allclose(nominal["value"].to_numpy(), ev.coupling.table["D"].to_numpy())
    gr = rb.group_ranks
    assert ((gr["rank_min"] <= gr["rank"]) & (gr["rank"] <= gr["rank_max"])).all()


def test_recipe_choices_change_results_and_are_recorded(synthetic) -> None:
    fw, panel, ev = synthetic
    ev2 = evaluate(panel, fw, recipe=EvaluationRecipe(weighting="equal", robustness=False))
    assert ev2.recipe.weighting == "equal"
    w = ev2.indices.weights
    assert np.allclose(w.loc[w["subsystem"] == SZ, "weight"], 1 / 3)
    assert not np.allclose(ev2.coupling.table["D"], ev.coupling.table["D"])
    assert ev2.robustness is None
    # the what-if path gives the same as a fresh evaluation with the changed recipe
    ev3 = ev.what_if(weighting="equal", robustness=False)
    pd.testing.assert_frame_equal(ev3.coupling.table, ev2.coupling.table)


def test_impute_none_drops_gappy_indicators(synthetic) -> None:
    fw, panel, _ev = synthetic
    ev = evaluate(panel, fw, recipe=EvaluationRecipe(impute="none", robustness=False))
    assert "a_copubs" not in ev.prepared.values.columns
    assert not (ev.prepared.filled != "").to_numpy().any()
    assert any(d.code == "drop.gaps" and "a_copubs" in d.subject for d in ev.decisions)


@pytest.mark.parametrize(
    ("field", "value"),
    [("weighting", "ahp"), ("normalisation", "zscore"), ("alpha", 1.5), ("rho", 0.0), ("impute", "spline"),
     ("grey_preprocessing", "log"), ("entropy_shift", -1.0), ("mc_replications", 0)],
)
def test_bad_recipe_is_an_input_error_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InputError, match=field) as info:
        EvaluationRecipe(**{field: value})  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert problem.code in {"recipe.bad_choice", "recipe.out_of_range"} and problem.field == field
    assert field in problem.render("zh")


def _tiny(values: dict[str, dict[int, float]], breaks: pd.DataFrame | None = None):
    """A SYNTHETIC two-subsystem framework and panel built from ``{series: {year: value}}``."""
    ind = {s: IndicatorSpec(s, s, s) for s in values}
    fw = EvalFramework(
        "tiny", "合成", "synthetic",
        subsystems=(Group(HK, "因素", "factor", groups=(Group("c1", "渠道1", "c1", (ind["h1"], ind["h2"])),),
                          role="partner"),
                    Group(SZ, "创新", "innovation", (ind["s1"],), role="focal")),
        partner=("甲", "A"), focal=("乙", "B"),
    )
    rows = [{"series": s, "year": y, "value": v, "grade": "A", "source_id": "S-X", "observation_id": f"{s}-{y}",
             "locator": "", "note": ""} for s, d in values.items() for y, v in d.items()]
    src = pd.DataFrame([{"id": "S-X", "title_zh": "合成", "title_en": "synthetic", "publisher": "", "url": "", "grade": "A"}])
    return fw, EvalPanel(pd.DataFrame(rows), src, label="tiny.csv", breaks=breaks)


def test_too_little_data_is_an_input_error() -> None:
    fw, panel = _tiny({"h1": {2000: 1, 2001: 2}, "h2": {2000: 1, 2001: 3}, "s1": {2000: 5, 2001: 6}})
    with pytest.raises(InputError, match=r"tiny\.csv.*3 or more consecutive years") as info:
        evaluate(panel, fw)
    assert info.value.problems[0].code == "prepare.too_little"
    assert "连续 3 年" in info.value.problems[0].render("zh")


def test_declared_break_inside_the_span_is_flagged() -> None:
    years = range(2000, 2006)
    fw, panel = _tiny(
        {"h1": {y: float(y - 1990) for y in years}, "h2": {y: float((y - 1998) ** 2) for y in years},
         "s1": {y: float(3 * y - 5990) for y in years}},
        breaks=pd.DataFrame([{"id": "B-1", "series": "h1", "year": 2003, "description_zh": "口径变化",
                              "description_en": "definition change"}]),
    )
    ev = evaluate(panel, fw)
    flags = [d for d in ev.decisions if d.code == "break.flagged"]
    assert len(flags) == 1 and flags[0].subject == "h1"
    assert "2003" in flags[0].render("en") and "B-1" in flags[0].render("zh") and "口径变化" in flags[0].render("zh")


def test_missing_year_is_never_zero() -> None:
    years = range(2000, 2008)
    vals = {"h1": {y: float(y - 1990) for y in years}, "h2": {y: float(y - 1980) for y in years if y != 2003},
            "s1": {y: float(y - 1995) for y in years}}
    fw, panel = _tiny(vals)
    ev = evaluate(panel, fw)
    assert ev.prepared.values.loc[2003, "h2"] == pytest.approx(23.0)  # interpolated between 22 and 24, not 0
    assert ev.prepared.filled.loc[2003, "h2"] == "interpolated"


def test_engine_index_reproduces_the_subsystem_indices(synthetic) -> None:
    _fw, _panel, ev = synthetic
    scores = ev.index_.scores().set_index("uCode")
    np.testing.assert_allclose(scores[HK].to_numpy(), ev.coupling.table[f"U_{HK}"].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(scores[SZ].to_numpy(), ev.coupling.table[f"U_{SZ}"].to_numpy(), rtol=1e-10)
    assert list(scores.index) == [str(y) for y in ev.years]
    # the engine's effective weights are the evaluation's weights
    eff = ev.index_.effective_weights().set_index("iCode")["EffWeight"] if "EffWeight" in \
        ev.index_.effective_weights().columns else None
    if eff is not None:
        w = ev.indices.weights.set_index("series")["weight"]
        for s in w.index:
            assert eff[s] == pytest.approx(0.5 * w[s], rel=1e-9)


def test_monte_carlo_through_the_robustness_engine(synthetic) -> None:
    fw, panel, ev = synthetic
    s = ev.robustness.summary
    assert ((s["q05"] <= s["median_mc"]) & (s["median_mc"] <= s["q95"])).all()
    assert ((s["q05"] >= 0) & (s["q95"] <= 1)).all()
    assert any(d.code == "method.monte_carlo" and "seed 20240501" in d.render("en") for d in ev.decisions)
    # fixed seed: the same numbers every time; another seed: different draws
    again = evaluate(panel, fw, recipe=EvaluationRecipe(mc_replications=500))
    pd.testing.assert_frame_equal(again.robustness.summary, s)
    other = evaluate(panel, fw, recipe=EvaluationRecipe(seed=7))
    assert not np.allclose(other.robustness.summary["q95"], s["q95"])
    # without noise on the weights only the normalisation varies: every quantile of D is either
    # the nominal D (min-max) or D with percentile ranks and the nominal weights (recomputed here)
    from scipy.stats import rankdata

    flat = evaluate(panel, fw, recipe=EvaluationRecipe(weight_noise=0.0))
    w = flat.indices.weights
    dirs = {i.series: i.direction for _s, _g, i in fw.indicators()}
    u = {}
    for sub in (HK, SZ):
        rows = w[w["subsystem"] == sub]
        x = flat.prepared.values[rows["series"]].to_numpy() * np.array([dirs[c] for c in rows["series"]])
        z = (rankdata(x, method="min", axis=0) - 1) / (len(x) - 1)
        u[sub] = z @ rows["weight"].to_numpy()
    _c, _t, d_rank = _oracle.coupling(u[HK], u[SZ])
    fs = flat.robustness.summary
    for q in ("q05", "median_mc", "q95"):
        got = fs[q].to_numpy()
        assert np.all(np.isclose(got, fs["nominal"]) | np.isclose(got, d_rank)), q


def test_every_decision_family_appears_on_the_synthetic_example(synthetic) -> None:
    _fw, _panel, ev = synthetic
    codes = {d.code for d in ev.decisions}
    assert {"fill.interpolated", "fill.carried", "approximate.used", "construct.bilateral", "caveat.coupling",
            "method.geometric", "method.grey_settings", "method.leave_one_out", "method.grid",
            "method.monte_carlo", "input.shape"} <= codes
    over = next(d for d in ev.decisions if d.code == "approximate.used" and d.subject == "over")
    assert "a_listings 2016" in over.render("en") and "lower bound" in over.render("en") and "下限" in over.render("zh")
    cp = ev.coupling.table.set_index("year")
    assert cp.loc[2016, "n_approximate"] == 1 and cp.loc[2013, "n_approximate"] == 1


def test_year_span_decision_states_the_rule_and_its_circularity(synthetic) -> None:
    _fw, _panel, ev = synthetic
    d = next(d for d in ev.decisions if d.code == "span.chosen")
    assert "circular" in d.render("en") and "kept indicators" in d.render("en") and "循环" in d.render("zh")


def test_interpolation_uses_observations_outside_the_span() -> None:
    years = range(2001, 2007)
    vals = {"h1": {y: float(y - 1990) for y in years},
            "h2": {2000: 10.0, **{y: float(y - 1990) for y in years if y != 2001}},
            "s1": {y: float(y - 1995) for y in years}}
    fw, panel = _tiny(vals)
    ev = evaluate(panel, fw)
    assert ev.years == list(years)
    assert ev.prepared.filled.loc[2001, "h2"] == "interpolated"
    assert ev.prepared.values.loc[2001, "h2"] == pytest.approx(11.0)
    imp = next(d for d in ev.decisions if d.code == "fill.interpolated" and d.subject == "h2")
    assert "2001 (2000–2002)" in imp.render("en") and "outside the evaluated years (2000)" in imp.render("en")
    assert not any(d.code == "fill.carried" for d in ev.decisions)


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric"])
def test_geometric_variants_have_no_floor_at_zero_and_say_so(synthetic, aggregation: str) -> None:
    fw, panel, _ev = synthetic
    ev = evaluate(panel, fw, recipe=EvaluationRecipe(aggregation=aggregation, mc_replications=20))
    runs = ev.robustness.runs
    geo = runs[runs["aggregation"] == "geometric"]
    assert (ev.indices.normalised.to_numpy() == 0).any()
    assert (geo[f"U_{HK}"] > 0).all() and (geo[f"U_{SZ}"] > 0).all()
    dec = [d for d in ev.decisions if d.code == "method.geometric"]
    assert len(dec) == 1 and "[0.01, 1]" in dec[0].render("en") and "[0.01, 1]" in dec[0].render("zh")
    if aggregation == "geometric":
        w = ev.indices.weights
        rows = w[w["subsystem"] == HK]
        z = 0.01 + 0.99 * ev.indices.normalised[rows["series"]].to_numpy()
        ww = rows["weight"].to_numpy()
        np.testing.assert_allclose(ev.coupling.table[f"U_{HK}"], np.exp(np.log(z) @ (ww / ww.sum())), rtol=1e-9)


def test_geometric_is_not_disclosed_when_never_computed(synthetic) -> None:
    fw, panel, _ev = synthetic
    ev = evaluate(panel, fw, recipe=EvaluationRecipe(robustness=False))
    assert not any(d.code == "method.geometric" for d in ev.decisions)


def test_wang2021_coupling_and_caveat(synthetic) -> None:
    _fw, _panel, ev = synthetic
    cp = ev.coupling.table
    u1, u2 = cp[f"U_{HK}"].to_numpy(), cp[f"U_{SZ}"].to_numpy()
    lo, hi = np.minimum(u1, u2), np.maximum(u1, u2)
    with np.errstate(invalid="ignore", divide="ignore"):
        c_w = np.sqrt((1 - np.abs(u1 - u2)) * np.where(hi > 0, lo / hi, 0.0))
    np.testing.assert_allclose(cp["C_wang2021"], c_w, atol=1e-12)
    np.testing.assert_allclose(cp["D_wang2021"], np.sqrt(c_w * cp["T"]), atol=1e-12)
    cav = next(d for d in ev.decisions if d.code == "caveat.coupling")
    k = int((cp["C"] >= 0.99).sum())
    assert f"in {k} of {len(cp)} rows" in cav.render("en")
    if k > len(cp) / 2:
        assert "D restates the average level T" in cav.render("en")


def test_grey_settings_and_detrended_check(synthetic) -> None:
    _fw, _panel, ev = synthetic
    at = ev.attribution
    gs = at.settings
    assert set(gs["preprocessing"]) == {"mean", "minmax", "initial"} and set(gs["rho"]) == {0.3, 0.5, 0.7}
    assert gs.loc[gs["preprocessing"] == "initial", "grade"].isna().all()
    assert any(d.code == "method.grey_settings" and "undefined" in d.render("en") for d in ev.decisions)
    nominal = gs[(gs["preprocessing"] == "mean") & (gs["rho"] == 0.5)].set_index("group")["grade"]
    np.testing.assert_allclose(nominal[at.grey["group"]].to_numpy(), at.grey["grade"].to_numpy())
    gr = ev.robustness.group_ranks.set_index("group")
    assert (gr["settings_rank_min"] <= gr["rank"]).all() and (gr["rank"] <= gr["settings_rank_max"]).all()
    sc = ev.indices.scores
    for ch in at.grey["group"]:
        dc = np.corrcoef(np.diff(sc[ch]), np.diff(sc[SZ]))[0, 1]
        assert at.grey.set_index("group").loc[ch, "diff_corr"] == pytest.approx(dc)
    # the coefficients table averages to the grades
    coef = at.coefficients[list(at.groups)].mean()
    np.testing.assert_allclose(coef.to_numpy(), at.grey.set_index("group").loc[list(at.groups), "grade"], rtol=1e-12)


def test_leave_one_indicator_out(synthetic) -> None:
    fw, panel, ev = synthetic
    loo = ev.robustness.loo
    assert list(loo["series"]) == list(ev.prepared.used)

    def drop(g: Group) -> Group:
        return replace(g, indicators=tuple(i for i in g.indicators if i.series != "a_fdi"),
                       groups=tuple(drop(c) for c in g.groups))

    fw2 = replace(fw, subsystems=tuple(drop(s) for s in fw.subsystems))
    ev2 = evaluate(panel, fw2, recipe=EvaluationRecipe(robustness=False))
    runs = ev.robustness.loo_runs
    d_loo = runs[runs["series"] == "a_fdi"]["value"].to_numpy()
    np.testing.assert_allclose(d_loo, ev2.coupling.table["D"].to_numpy(), rtol=1e-10)
    row = loo.set_index("series").loc["a_fdi"]
    assert row["max_abs_change"] == pytest.approx(np.max(np.abs(d_loo - ev.coupling.table["D"].to_numpy())))
    assert loo.set_index("series").loc["a_reexport", "note"] == "group dropped"


def test_no_bilateral_indicator_is_said_prominently(synthetic) -> None:
    fw, panel, _ev = synthetic
    relabel = {"a_fdi": "focal", "a_listings": "focal", "a_copubs": "partner", "a_students": "partner"}

    def rel(g: Group) -> Group:
        return replace(g, indicators=tuple(replace(i, link=relabel.get(i.series, i.link)) for i in g.indicators),
                       groups=tuple(rel(c) for c in g.groups))

    fw2 = replace(fw, subsystems=tuple(rel(s) for s in fw.subsystems))
    ev = evaluate(panel, fw2, recipe=EvaluationRecipe(robustness=False))
    d = next(d for d in ev.decisions if d.kind == "construct")
    assert d.code == "construct.no_bilateral"
    assert "not a bilateral link" in d.render("en") and "a_platforms" in d.render("en")
    assert "不是两城之间的联系" in d.render("zh")
    assert set(ev.indicator_table()["link"]) >= {"focal", "partner", "bilateral"}


def test_undeclared_links_are_said_to_be_undeclared() -> None:
    years = range(2000, 2006)
    fw, panel = _tiny({"h1": {y: float(y - 1990) for y in years}, "h2": {y: float((y - 1998) ** 2) for y in years},
                       "s1": {y: float(3 * y - 5990) for y in years}})
    ev = evaluate(panel, fw, recipe=EvaluationRecipe(robustness=False))
    (d,) = [d for d in ev.decisions if d.kind == "construct"]
    assert d.code == "construct.unspecified" and "cannot be told" in d.render("en")
    assert not any(d.kind == "approximate" for d in ev.decisions) and ev.coupling.table["n_approximate"].sum() == 0


def test_general_framework_has_no_partner_wording() -> None:
    years = range(2000, 2006)
    fw, panel = _tiny({"h1": {y: float(y - 1990) for y in years}, "h2": {y: float((y - 1998) ** 2) for y in years},
                       "s1": {y: float(3 * y - 5990) for y in years}})
    fw = replace(fw, partner=None, focal=None)
    ev = evaluate(panel, fw, recipe=EvaluationRecipe(robustness=False))
    assert not any(d.kind == "construct" for d in ev.decisions)
    text = " ".join(d.render("en") + d.render("zh") for d in ev.decisions)
    assert "Hong Kong" not in text and "香港" not in text


def test_interpolation_across_a_declared_break_says_so() -> None:
    years = range(2000, 2008)
    vals = {"h1": {y: float(y - 1990) for y in years}, "h2": {y: float(y - 1980) for y in years if y != 2003},
            "s1": {y: float(y - 1995) for y in years}}
    brk = pd.DataFrame([{"id": "B-2", "series": "h2", "year": 2004, "description_zh": "口径变化",
                         "description_en": "definition change"}])
    fw, panel = _tiny(vals, breaks=brk)
    ev = evaluate(panel, fw, recipe=EvaluationRecipe(robustness=False))
    imp = next(d for d in ev.decisions if d.code == "fill.interpolated" and d.subject == "h2")
    assert "bridges a declared break (2004)" in imp.render("en") and "口径变化（2004 年）" in imp.render("zh")
