"""The Index object: recipe replay, what-if, comparisons, panels, per-element choices, layers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkfactor.engine import (
    Element,
    Framework,
    Index,
    Recipe,
    Step,
    aggregate_tree,
    asem_recipe,
    frames,
    kernels,
)
from hkfactor.errors import SpecError


def test_recipe_round_trips() -> None:
    r = asem_recipe().replace("aggregate", Step("aggregate", "genmean", {"p": 0.5}, {"level:4": {"method": "gmean"}}))
    assert Recipe.from_json(r.to_json()) == r
    assert Recipe.from_yaml(r.to_yaml()) == r
    assert Recipe.from_dict(r.to_dict()) == r
    with pytest.raises(SpecError, match="more than once"):
        Recipe([Step("normalise", "minmax"), Step("normalise", "rank")])


def test_build_replays_and_what_if_copies(asem: Index) -> None:
    before = asem.scores().copy()
    rebuilt = Index(asem.framework, asem.data_, asem.recipe, groups=asem.groups)
    pd.testing.assert_frame_equal(rebuilt.scores(), before)
    alt = asem.what_if(weights={"Conn": 3})
    pd.testing.assert_frame_equal(asem.scores(), before)  # original untouched
    assert alt.recipe.get("aggregate").params["weights"] == {"Conn": 3.0}  # type: ignore[union-attr]
    ew = alt.effective_weights().set_index("iCode")["EffWeight"]
    assert ew["Conn"] == pytest.approx(0.75)
    cmp = asem.compare(alt)
    assert list(cmp.columns) == ["uCode", "rank_self", "rank_other", "Diff", "AbsDiff"]
    assert (cmp["AbsDiff"].diff().dropna() <= 0).all()
    no_treat = asem.what_if(treat=None)
    assert "Treated" not in no_treat.stages_


def test_replay_aggregation_on_a_batch(asem: Index) -> None:
    """What the robustness engine does: replay treat → normalise → aggregate on a batch."""
    sa = asem.stage_arrays("Screened")
    x = np.broadcast_to(sa.values, (3, *sa.values.shape))
    t = kernels.treat(x, winmax=5)
    d = np.array([asem.framework[c].direction for c in sa.columns])
    xn = kernels.normalise(t.x, "minmax", directions=d, l_u=(0, 100))
    spec = asem.aggregation_spec()
    y = aggregate_tree(xn, asem.framework.plan, np.broadcast_to(spec["weights"], (3, len(spec["weights"]))), methods=spec["methods"])
    want = asem.stage("Aggregated")[list(asem.framework.plan.columns)].to_numpy()
    for i in range(3):
        np.testing.assert_allclose(y[i], want, rtol=1e-12)


def test_three_layers_agree(asem: Index) -> None:
    inds = list(asem.framework.indicators)
    treated = asem.stage("Treated")[inds]
    dirs = {c: asem.framework[c].direction for c in inds}
    via_frame = frames.normalise_frame(treated, "minmax", directions=dirs, l_u=(0, 100))
    via_kernel = kernels.normalise(treated.to_numpy(), "minmax", directions=list(dirs.values()), l_u=(0, 100))
    via_index = asem.stage("Normalised")[inds]
    np.testing.assert_allclose(via_frame.to_numpy(), via_kernel)
    np.testing.assert_allclose(via_index.to_numpy(), via_kernel)
    screened = asem.stage("Screened")[inds]
    tf, details = frames.treat_frame(screened, winmax=5)
    np.testing.assert_allclose(tf.to_numpy(), asem.stage("Treated")[inds].to_numpy())
    np.testing.assert_allclose(tf.to_numpy(), kernels.treat(screened.to_numpy(), winmax=5).x)
    assert list(details.index) == inds
    kids = list(asem.framework.children("Physical"))
    norm = asem.stage("Normalised")[kids]
    a_frame = frames.aggregate_frame(norm)
    a_kernel = kernels.aggregate(norm.to_numpy(), None, "amean")
    np.testing.assert_allclose(a_frame.to_numpy(), a_kernel)
    np.testing.assert_allclose(asem.stage("Aggregated")["Physical"].to_numpy(), a_kernel)
    den = asem.stage("Denominated")[inds]
    groups = asem.data_["EurAsia_group"]
    imp, flags = frames.impute_frame(den, "group_mean", groups=groups)
    np.testing.assert_allclose(imp.to_numpy(), asem.stage("Imputed")[inds].to_numpy())
    np.testing.assert_array_equal(flags.to_numpy(), asem.flags_["Imputed"][inds].to_numpy())
    assert flags.to_numpy().sum() > 0


def test_group_ranks_and_strengths(asem: Index) -> None:
    g = asem.ranks(by_group="EurAsia_group")
    grp = asem.data_.set_index("uCode")["EurAsia_group"]
    for _, sub in g.groupby(grp.loc[g["uCode"]].to_numpy()):
        assert sorted(sub["Index"]) == list(range(1, len(sub) + 1))
    sw = asem.strengths_weaknesses("CHE", n=3)
    assert list(sw["kind"]) == ["strength"] * 3 + ["weakness"] * 3
    assert sw["Rank"].iloc[0] <= sw["Rank"].iloc[3]


def test_per_element_choices(asem: Index) -> None:
    alt = asem.what_if(
        normalise={"method": "minmax", "params": {"l_u": [0, 100]}, "by": {"LPI": {"method": "zscore", "params": {"m_sd": [50, 10]}}}},
        treat={"by": {"Flights": {"method": "none"}}},
        aggregate={"method": "amean", "by": {"level:4": {"method": "gmean"}, "Conn": {"params": {"weighting": "equal"}}}},
    )
    z = alt.stage("Normalised")["LPI"]
    assert z.mean() == pytest.approx(50) and z.std() == pytest.approx(10)
    pd.testing.assert_series_equal(alt.stage("Treated")["Flights"], asem.stage("Screened")["Flights"])
    agg = alt.stage("Aggregated")
    np.testing.assert_allclose(agg["Index"], np.sqrt(agg["Conn"] * agg["Sust"]))
    with pytest.raises(SpecError, match="neither an aggregate code nor 'level:N'"):
        asem.what_if(aggregate={"by": {"Nope": {"method": "gmean"}}})


@pytest.mark.parametrize("weighting", ["equal", "pca_nonneg", "entropy", "critic", "combined"])
def test_data_driven_weighting(asem: Index, weighting: str) -> None:
    alt = asem.what_if(aggregate={"params": {"weighting": weighting}})
    assert np.isfinite(alt.scores()["Index"]).all()


def test_coupling_at_the_top(asem: Index) -> None:
    from hkfactor.methods import coupling_coordination

    c = asem.what_if(aggregate={"by": {"level:4": {"method": "coupling"}}})
    agg = c.stage("Aggregated")
    want = coupling_coordination(agg[["Conn", "Sust"]].to_numpy() / 100).D * 100
    np.testing.assert_allclose(agg["Index"], want, rtol=1e-12)


def test_topsis_and_copeland_aggregation(asem: Index) -> None:
    t = asem.what_if(aggregate={"method": "topsis"})
    assert ((t.scores()["Index"] >= 0) & (t.scores()["Index"] <= 1)).all()
    c = asem.what_if(aggregate={"method": "copeland"})
    assert c.ranks()["Index"].min() == 1


# --------------------------------------------------------------------------- panels


def panel() -> tuple[Framework, pd.DataFrame]:
    fw = Framework([Element("I", None), Element("x", "I"), Element("y", "I", direction=-1)])
    df = pd.DataFrame(
        {
            "uCode": ["A"] * 4 + ["B"] * 4,
            "Year": [2018, 2019, 2020, 2021] * 2,
            "x": [1.0, np.nan, np.nan, 4.0, 2.0, np.nan, 6.0, np.nan],
            "y": [5.0, 4.0, 3.0, 2.0, 1.0, 1.5, 2.0, 2.5],
        }
    )
    return fw, df


def test_panel_linear_interpolation_and_locf() -> None:
    fw, df = panel()
    lin = Index(fw, df, [Step("impute", "linear")], time="Year").stage("Imputed")
    np.testing.assert_allclose(lin["x"].to_numpy()[:4], [1, 2, 3, 4])
    assert lin["x"].iloc[5] == pytest.approx(4.0) and np.isnan(lin["x"].iloc[7])  # trailing gap stays
    short = Index(fw, df, [Step("impute", "linear", {"max_gap": 1})], time="Year").stage("Imputed")
    assert np.isnan(short["x"].iloc[1]) and short["x"].iloc[5] == pytest.approx(4.0)
    locf = Index(fw, df, [Step("impute", "locf", {"max_gap": 1})], time="Year")
    lo = locf.stage("Imputed")["x"].to_numpy()
    assert lo[1] == 1.0 and np.isnan(lo[2]) and lo[7] == 6.0
    assert locf.flags_["Imputed"]["x"].sum() == 3


def test_panel_pooled_by_default_per_year_on_request() -> None:
    fw, df = panel()
    df = df.assign(x=[1.0, 2.0, 3.0, 4.0, 2.0, 1.0, 6.0, 3.0])
    pooled = Index(fw, df, [Step("normalise", "minmax"), Step("aggregate", "amean")], time="Year")
    n = pooled.stage("Normalised")
    assert n["x"].max() == 100 and (n.groupby("Year")["x"].max() < 100).any()
    per = Index(fw, df, [Step("normalise", "minmax", {"per_year": True}), Step("aggregate", "amean")], time="Year")
    assert (per.stage("Normalised").groupby("Year")["x"].max() == 100).all()
    r = pooled.ranks()
    assert set(r["Year"]) == {2018, 2019, 2020, 2021} and r["I"].max() == 2  # ranked within each year
    with pytest.raises(SpecError, match="per_year"):
        Index(fw, df.drop(columns="Year").drop_duplicates("uCode"), [Step("normalise", "minmax", {"per_year": True})])


def test_time_series_years_as_units() -> None:
    fw, df = panel()
    ts = df[df["uCode"] == "B"].assign(uCode=lambda d: d["Year"].astype(str)).drop(columns="Year")
    idx = Index(fw, ts, [Step("impute", "mean"), Step("normalise", "minmax"), Step("aggregate", "amean")])
    assert list(idx.scores()["uCode"]) == ["2018", "2019", "2020", "2021"]


def test_targets_and_goalposts_follow_direction() -> None:
    fw = Framework([Element("I", None), Element("x", "I", target=10, goalposts=(0, 10)), Element("y", "I", direction=-1, target=1, goalposts=(1, 5))])
    df = pd.DataFrame({"uCode": list("ABC"), "x": [0.0, 5.0, 10.0], "y": [5.0, 3.0, 1.0]})
    g = Index(fw, df, [Step("normalise", "goalposts")]).stage("Normalised")
    np.testing.assert_allclose(g["x"], [0, 0.5, 1])
    np.testing.assert_allclose(g["y"], [0, 0.5, 1])
    t = Index(fw, df, [Step("normalise", "dist2targ")]).stage("Normalised")
    np.testing.assert_allclose(t["x"], [0, 0.5, 1])
    np.testing.assert_allclose(t["y"], [0, 0.5, 1])


def test_recipe_from_coinr_log() -> None:
    """The ASEM coin$Log as ``jsonlite::write_json`` writes it (scalars boxed) → the ASEM recipe."""
    from hkfactor.engine.coinr import recipe_from_coinr_log

    log = {
        "can_regen": [True],
        "new_coin": {"level_names": ["Indicator", "Pillar", "Sub-index", "Index"]},
        "Denominate": {"dset": ["Raw"], "denoms": {}, "denomby": {}, "out2": ["coin"]},
        "Impute": {"dset": ["Denominated"], "f_i": ["i_mean_grp"], "impute_by": ["column"], "use_group": ["EurAsia_group"], "disable": [False]},
        "Screen": {"dset": ["Imputed"], "unit_screen": ["byNA"], "dat_thresh": [0.9], "nonzero_thresh": {}},
        "Treat": {"dset": ["Screened"], "global_specs": {"f1_para": {"winmax": [5]}}, "indiv_specs": {}, "combine_treat": [False]},
        "Normalise": {"dset": ["Treated"], "global_specs": {"f_n": ["n_minmax"], "f_n_para": [[0, 100]]}, "indiv_specs": {}},
        "Aggregate": {"dset": ["Normalised"], "f_ag": ["a_amean"], "w": {}, "f_ag_para": {}, "dat_thresh": {}},
    }
    assert recipe_from_coinr_log(log) == asem_recipe()
    alt = recipe_from_coinr_log({"Normalise": {"global_specs": {"f_n": "n_dist2ref", "f_n_para": {"iref": 3}}}, "Aggregate": {"f_ag": ["a_amean", "a_amean", "a_gmean"]}})
    assert alt.get("normalise").params == {"iref": 2}  # type: ignore[union-attr]
    assert alt.get("aggregate").by == {"level:4": {"method": "gmean"}}  # type: ignore[union-attr]
    with pytest.raises(SpecError, match="not translated: Plot"):
        recipe_from_coinr_log({"Plot": {}})
    with pytest.raises(SpecError, match=r"supported: .*n_minmax"):
        recipe_from_coinr_log({"Normalise": {"global_specs": {"f_n": "n_custom"}}})


def test_export_excel_and_csv(asem: Index, tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    x = asem.export(out / "asem.xlsx")
    sheets = pd.read_excel(x, sheet_name=None)
    assert {"Results", "Ranks", "Weights", "Raw", "Aggregated", "Framework", "Recipe"} <= set(sheets)
    np.testing.assert_allclose(sheets["Aggregated"]["Index"], asem.stage("Aggregated")["Index"])
    d = asem.export(out / "csv")
    assert (d / "Normalised.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert Recipe.from_json((d / "recipe.json").read_text(encoding="utf-8")) == asem.recipe


def test_change_of_units_leaves_the_index_unchanged(asem: Index) -> None:
    """Rescaling a denominated indicator, or shifting and rescaling a plain one (°C → °F style),
    changes nothing after min-max normalisation: every ASEM step is equivariant to it."""
    d = asem.data_.copy()
    assert asem.framework["Flights"].denominator and not asem.framework["LPI"].denominator
    d["Flights"] = d["Flights"] * 1000.0
    d["LPI"] = d["LPI"] * 1.8 + 32.0
    alt = Index(asem.framework, d, asem.recipe, groups=asem.groups)
    np.testing.assert_allclose(alt.stage("Normalised")[list(asem.framework.indicators)], asem.stage("Normalised")[list(asem.framework.indicators)], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(alt.scores()["Index"], asem.scores()["Index"], rtol=1e-12)


def test_flipping_direction_and_sign_is_neutral(asem: Index) -> None:
    fw = asem.framework
    els = [Element(**{**e.__dict__, "direction": -e.direction}) if e.code == "TBTs" else e for e in fw.elements]
    d = asem.data_.copy()
    d["TBTs"] = -d["TBTs"]
    alt = Index(Framework(els, level_names=fw.level_names), d, asem.recipe, groups=asem.groups)
    np.testing.assert_allclose(alt.scores()["Index"], asem.scores()["Index"], rtol=1e-12)


def test_screening_three_layers() -> None:
    fw = Framework([Element("I", None), Element("a", "I"), Element("b", "I"), Element("c", "I")])
    df = pd.DataFrame(
        {"uCode": list("PQRS"), "a": [1.0, np.nan, 0.0, 2.0], "b": [1.0, np.nan, 0.0, 3.0], "c": [2.0, 1.0, 0.0, 1.0]}
    )
    x = df[["a", "b", "c"]]
    keep = kernels.screen_units(x.to_numpy(), dat_thresh=0.6)
    assert keep.tolist() == [True, False, True, True]
    assert list(frames.screen_frame(x, dat_thresh=0.6).index) == [0, 2, 3]
    idx = Index(fw, df, [Step("screen", "availability", {"dat_thresh": 0.6})])
    assert list(idx.stage("Screened")["uCode"]) == ["P", "R", "S"]
    assert list(idx.details_["Screened"]["removed"]) == ["Q"]
    both = Index(fw, df, [Step("screen", "availability_and_nonzero", {"dat_thresh": 0.6, "nonzero_thresh": 0.5, "force_keep": ["Q"]})])
    assert list(both.stage("Screened")["uCode"]) == ["P", "Q", "S"]  # Q fails both tests but is forced in (COINr Force)
    forced = Index(fw, df, [Step("screen", "nonzero", {"nonzero_thresh": 0.5, "force_keep": ["R"], "force_drop": ["P"]})])
    assert list(forced.stage("Screened")["uCode"]) == ["R", "S"]  # Q: one non-zero of three


def test_denominate_three_layers() -> None:
    fw = Framework([Element("I", None), Element("gdp_total", "I", denominator="pop"), Element("share", "I")])
    df = pd.DataFrame({"uCode": list("AB"), "gdp_total": [10.0, 30.0], "share": [0.5, 0.2], "pop": [2.0, 0.0]})
    idx = Index(fw, df, [Step("denominate", "divide", {"scale": 1000})])
    d = idx.stage("Denominated")
    assert d["gdp_total"].iloc[0] == 5000 and np.isnan(d["gdp_total"].iloc[1])  # zero denominator → NaN
    np.testing.assert_array_equal(d["share"], df["share"])
    k = kernels.denominate(df[["gdp_total", "share"]].to_numpy(), np.array([[2.0, np.nan], [0.0, np.nan]]), scale=1000)
    np.testing.assert_array_equal(k, d[["gdp_total", "share"]].to_numpy())


def test_optimise_weights_equalises_correlations(asem: Index) -> None:
    w = asem.optimise_weights(3)
    alt = asem.what_if(weights="CorrOpt")
    c = alt.correlations("Aggregated", (3, 4), pval=0)["Correlation"].to_numpy()
    assert abs(c[0] - c[1]) < 1e-7
    assert w["Conn"] != w["Sust"]
    with pytest.raises(SpecError, match="SusEcFin not positively correlated"):
        asem.optimise_weights(2)


def test_what_if_errors_and_additions(asem: Index) -> None:
    with pytest.raises(SpecError, match="unknown step 'normalize'"):
        asem.what_if(normalize={"method": "rank"})
    short = asem.with_recipe([Step("normalise", "minmax"), Step("aggregate", "amean")])
    with pytest.raises(SpecError, match="no 'impute' step; give its 'method'"):
        short.what_if(impute={"params": {"group": "EurAsia_group"}})
    added = short.what_if(impute={"method": "group_mean", "params": {"group": "EurAsia_group"}})
    assert [s.step for s in added.recipe] == ["impute", "normalise", "aggregate"]
    merged = asem.what_if(treat={"params": {"winmax": 1}})
    assert merged.recipe.get("treat").params["f2"] == "log_ct"  # type: ignore[union-attr]
    assert merged.recipe.get("treat").params["winmax"] == 1  # type: ignore[union-attr]


def test_exceptions_by_group_apply_to_all_descendants(asem: Index) -> None:
    alt = asem.what_if(normalise={"by": {"Physical": {"method": "rank"}, "LPI": {"method": "minmax", "params": {"l_u": [0, 1]}}}})
    n = alt.stage("Normalised")
    for c in asem.framework.children("Physical"):
        if c == "LPI":  # the indicator's own key beats its pillar's
            assert n[c].max() == pytest.approx(1.0)
        else:
            assert 1 <= n[c].min() and n[c].max() <= 51  # ranks 1..51
    assert n["Goods"].max() == pytest.approx(100.0)
    with pytest.raises(SpecError, match="exception key 'Physics' is not an element"):
        asem.what_if(normalise={"by": {"Physics": {"method": "rank"}}})


def test_obstacles_and_grey(asem: Index) -> None:
    d, g = asem.obstacles(level=2)
    inds = list(asem.framework.indicators)
    np.testing.assert_allclose(d[inds].sum(axis=1), 1.0)
    np.testing.assert_allclose(g.drop(columns="uCode").sum(axis=1), 1.0)
    assert list(g.columns[1:]) == sorted(g.columns[1:], key=list(asem.framework.codes_at(2)).index)
    grey = asem.what_if(aggregate={"method": "grey"})
    assert ((grey.scores()["Index"] > 0) & (grey.scores()["Index"] <= 1)).all()


def test_unit_summary_matches_results(asem: Index) -> None:
    u = asem.unit_summary("NLD")
    assert list(u["iCode"][:3]) == ["Index", "Conn", "Sust"]
    res = asem.results(nround=None).set_index("uCode").loc["NLD"]
    np.testing.assert_allclose(u["Score"], res[list(u["iCode"])].to_numpy(float))
    assert u["Rank"].iloc[0] == 2


def test_data_driven_weighting_is_reported_as_used() -> None:
    """TOPSIS with entropy weighting: effective_weights() and the exported Weights sheet show the
    entropy weights the scores were computed with, not the manual (equal) ones (issue 8 bug)."""
    import numpy as np

    from hkfactor.engine import Element, Framework, Index, Recipe, Step
    from hkfactor.methods import entropy_weights

    rng = np.random.default_rng(8)  # SYNTHETIC 12 units × 8 indicators
    codes = [f"i{k}" for k in range(8)]
    fw = Framework([Element("I", None), *(Element(c, "I") for c in codes)])
    x = rng.uniform(1.0, 10.0, size=(12, 8)) ** np.linspace(1, 3, 8)
    data = pd.DataFrame(x, columns=codes).assign(uCode=[f"U{k}" for k in range(12)])
    idx = Index(fw, data, Recipe([Step("normalise", "minmax", {"l_u": [0.0, 1.0]}),
                                  Step("aggregate", "topsis", {"weighting": "entropy"})]))
    z = idx.stage_arrays("Normalised").values
    want = np.asarray(entropy_weights(z, variant="shifted_minmax"))
    eff = idx.effective_weights().set_index("iCode")
    np.testing.assert_allclose(eff.loc[codes, "Weight"].to_numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(eff.loc[codes, "EffWeight"].to_numpy(), want / want.sum(), rtol=1e-12)
    assert not np.allclose(want, 1 / 8)
