"""Input validation: framework trees, data tables (wide/long, panel), COINr tables, files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hkfactor.engine import Element, Framework, Index, Recipe, Step, asem_recipe
from hkfactor.errors import InputError, SpecError

from ._engine_ref import REF


def tree(*extra: Element) -> list[Element]:
    return [
        Element("Idx", None),
        Element("A", "Idx"),
        Element("B", "Idx"),
        Element("a1", "A"),
        Element("a2", "A", direction=-1),
        Element("b1", "B", weight=2),
        *extra,
    ]


def test_framework_levels_and_plan() -> None:
    fw = Framework(tree())
    assert fw.root == "Idx" and fw.n_levels == 3
    assert fw.indicators == ("a1", "a2", "b1")
    assert fw.plan.aggregates == ("A", "B", "Idx")
    assert fw.lineage("a2") == ("a2", "A", "Idx")
    eff = fw.effective_weights()
    assert eff["a1"] == pytest.approx(0.25) and eff["b1"] == pytest.approx(0.5) and eff["Idx"] == 1


def test_framework_any_depth_and_unbalanced() -> None:
    els = [Element("I", None), Element("S", "I"), Element("P", "S"), Element("Q", "P"), Element("x", "Q"), Element("y", "I")]
    fw = Framework(els)
    assert fw.n_levels == 5
    assert fw["y"].level == 1 and fw["S"].level == 4


@pytest.mark.parametrize(
    "els,match",
    [
        (tree(Element("a1", "A")), "duplicate element code 'a1'"),
        (tree(Element("c1", "C")), "'c1' has unknown parent 'C'"),
        (tree(Element("Z", None)), "orphans"),
        ([Element("I", None), Element("A", "B"), Element("B", "A")], "cycle"),
        (tree(Element("c", "A", direction=2)), "'c': Direction must be 1 or -1"),
        (tree(Element("c", "A", weight=-1)), "'c': Weight"),
        ([Element("I", None), Element("a", "I", level=2)], "'a' has Level 2"),
    ],
)
def test_framework_errors_name_the_element(els: list[Element], match: str) -> None:
    with pytest.raises(SpecError, match=match):
        Framework(els)


def test_framework_weight_sums_when_required() -> None:
    with pytest.raises(SpecError, match="children of 'Idx' sum to 2"):
        Framework(tree(), require_weight_sums=True)
    ok = [Element("I", None), Element("a", "I", weight=0.4), Element("b", "I", weight=0.6)]
    Framework(ok, require_weight_sums=True)


def test_from_frame_reports_every_bad_row() -> None:
    meta = pd.DataFrame(
        {
            "iCode": ["I", "a", "b", None, "g"],
            "Parent": [None, "I", "I", "I", None],
            "Direction": [1, 3, 1, 1, None],
            "Weight": [1, 1, -2, 1, None],
            "Type": ["Aggregate", "Indicator", "Indicator", "Indicator", "Banana"],
        }
    )
    with pytest.raises(InputError) as e:
        Framework.from_frame(meta, file="meta.csv")
    rows = {(p.row, p.field) for p in e.value.problems}
    assert rows == {(3, "Direction"), (4, "Weight"), (5, "iCode"), (6, "Type")}


def data() -> pd.DataFrame:
    return pd.DataFrame({"uCode": ["U1", "U2", "U3", "U4"], "a1": [1.0, 2, 3, 4], "a2": [4.0, 3, 2, 1], "b1": [2.0, 2, 5, 1]})


def test_data_validation_reports_all_problems() -> None:
    df = data().astype({"a1": object})
    df.loc[1, "a1"] = "n/a?"
    df.loc[3, "uCode"] = "U1"
    df = df.drop(columns=["b1"])
    with pytest.raises(InputError) as e:
        Index(Framework(tree()), df)
    assert any(p.field == "b1" for p in e.value.problems)
    df["b1"] = 1.0
    with pytest.raises(InputError) as e:
        Index(Framework(tree()), df)
    msgs = [str(p) for p in e.value.problems]
    assert any("row 3" in m and "'a1'" in m and "not a number" in m for m in msgs)
    assert sum("duplicate unit" in m for m in msgs) == 2


def test_panel_duplicate_unit_years_named() -> None:
    df = pd.DataFrame({"uCode": ["U1", "U1", "U2"], "Year": [2020, 2020, 2020], "a1": [1.0, 2, 3], "a2": [1.0, 2, 3], "b1": [1.0, 2, 3]})
    with pytest.raises(InputError, match="duplicate unit-year: uCode='U1', Year=2020"):
        Index(Framework(tree()), df, time="Year")


def test_long_data_and_duplicates() -> None:
    long = data().melt(id_vars="uCode", var_name="iCode", value_name="Value")
    idx = Index.from_long(Framework(tree()), long, [Step("normalise", "minmax"), Step("aggregate", "amean")])
    wide = Index(Framework(tree()), data(), [Step("normalise", "minmax"), Step("aggregate", "amean")])
    pd.testing.assert_frame_equal(idx.scores(), wide.scores())
    with pytest.raises(InputError, match="duplicate entry"):
        Index.from_long(Framework(tree()), pd.concat([long, long.iloc[:1]]))


def test_from_coinr_tables_and_files(tmp_path: Path) -> None:
    idata = pd.read_csv(REF / "input_ASEM_iData.csv")
    imeta = pd.read_csv(REF / "input_ASEM_iMeta.csv")
    a = Index.from_coinr(idata, imeta, asem_recipe())
    assert a.groups == ("GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group")
    # GBK-encoded CSV with a Chinese unit name, and an Excel copy of the metadata
    gbk = idata.copy()
    gbk.loc[0, "uName"] = "奥地利"
    gbk.to_csv(tmp_path / "data.csv", index=False, encoding="gbk")
    imeta.to_excel(tmp_path / "meta.xlsx", index=False)
    (tmp_path / "recipe.yaml").write_text(asem_recipe().to_yaml(), encoding="utf-8")
    b = Index.from_files(tmp_path / "meta.xlsx", tmp_path / "data.csv", tmp_path / "recipe.yaml")
    assert b.data_.loc[0, "uName"] == "奥地利"
    pd.testing.assert_frame_equal(a.scores(), b.scores())
    idata.to_parquet(tmp_path / "data.parquet")
    (tmp_path / "recipe.json").write_text(asem_recipe().to_json(), encoding="utf-8")
    c = Index.from_files(tmp_path / "meta.xlsx", tmp_path / "data.parquet", tmp_path / "recipe.json")
    pd.testing.assert_frame_equal(a.scores(), c.scores())


def test_domain_error_names_indicator_and_unit() -> None:
    idx = Index(Framework(tree()), data(), [Step("normalise", "minmax"), Step("aggregate", "amean")])
    with pytest.raises(SpecError, match=r"geometric mean.*indicator '(a1|a2|b1)', unit 'U\d'"):
        idx.what_if(aggregate={"method": "gmean"})


def test_unknown_names_list_valid_ones() -> None:
    with pytest.raises(SpecError, match=r"valid: .*minmax"):
        Step("normalise", "min-max")
    with pytest.raises(SpecError, match=r"valid: .*aggregate"):
        Step("aggregation", "amean")
    with pytest.raises(SpecError, match="unknown parameter"):
        Step("normalise", "minmax", {"lu": [0, 1]})
    with pytest.raises(SpecError, match=r"valid: .*pca"):
        Step("aggregate", "amean", {"weighting": "pcaa"})
    with pytest.raises(SpecError, match="pipeline order"):
        Recipe([Step("aggregate", "amean"), Step("normalise", "minmax")])
    idx = Index(Framework(tree()), data(), [Step("normalise", "minmax"), Step("aggregate", "amean")])
    with pytest.raises(SpecError, match="no stage table 'Treated'; available: Raw, Normalised, Aggregated"):
        idx.stage("Treated")
    assert np.isfinite(idx.scores()["Idx"]).all()


def test_swapped_meta_and_data_files_get_a_hint() -> None:
    with pytest.raises(InputError, match="swapped"):
        Index.from_coinr(REF / "input_ASEM_iMeta.csv", REF / "input_ASEM_iData.csv", asem_recipe())
