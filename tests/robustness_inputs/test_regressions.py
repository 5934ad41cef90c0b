"""Regression tests: each input issue 9 found silently wrong, crashing or hanging, now clean.

Every input here is SYNTHETIC. Each test names the case it pins.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hkfactor._yaml import load_yaml
from hkfactor.engine import Element, Framework, Index, Recipe, Step, kernels
from hkfactor.engine import _data as engine_data
from hkfactor.errors import InputError, SpecError
from hkfactor.methods import coupling_coordination, coupling_degree

# ------------------------------------------------------------------ YAML


def test_repeated_direction_key_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "framework.yaml"
    p.write_text("indicators:\n  - code: loans\n    direction: 1\n    weight: 1\n    direction: -1\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_yaml(p)
    (prob,) = e.value.problems
    assert prob.file == str(p) and prob.line == 5 and "duplicate key 'direction'" in prob.message
    assert "first at line 3" in prob.message


def test_billion_laughs_is_refused_fast_and_small() -> None:
    levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"a{k}: &a{k} [" + ",".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 10)]
    text = "\n".join(levels) + "\n"
    assert len(text.encode()) < 3000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="anchors"):
        load_yaml(text, file="laughs.yaml")
    assert time.perf_counter() - t0 < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 300))])
def test_deep_nesting_never_raises_recursion_error(text: str) -> None:
    with pytest.raises(InputError, match="nested deeper"):
        load_yaml(text, file="deep.yaml")


def test_recipe_yaml_goes_through_the_strict_loader() -> None:
    with pytest.raises(InputError, match="duplicate key 'method'"):
        Recipe.from_yaml("steps:\n- step: normalise\n  method: minmax\n  method: zscore\n", file="r.yaml")


# ------------------------------------------------------------------ engine metadata and data


def _meta(**over: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "iCode": ["a", "b", "Idx"], "Parent": ["Idx", "Idx", None], "Direction": [1, -1, 1],
        "Weight": [1, 1, 1], "Type": ["Indicator", "Indicator", "Aggregate"],
    }
    base.update(over)
    return pd.DataFrame(base)


@pytest.mark.parametrize(("col", "cells", "field"), [
    ("Direction", ["benefit", -1, 1], "Direction"),
    ("Direction", [None, -1, 1], "Direction"),
    ("Direction", ["-1x", -1, 1], "Direction"),
    ("Weight", ["heavy", 1, 1], "Weight"),
    ("Weight", [float("inf"), 1, 1], "Weight"),
    ("Weight", [None, 1, 1], "Weight"),
    ("Weight", [-1, 1, 1], "Weight"),
])
def test_unreadable_direction_or_weight_is_an_error_not_a_default(col: str, cells: list[object], field: str) -> None:
    with pytest.raises(InputError) as e:
        Framework.from_frame(_meta(**{col: cells}), file="meta.csv")
    assert [(p.file, p.row, p.field) for p in e.value.problems] == [("meta.csv", 2, field)]


def test_typographic_minus_direction_is_read_as_minus_one() -> None:
    fw = Framework.from_frame(_meta(Direction=["\u22121", "1", "1"]), file="meta.csv")
    assert fw["a"].direction == -1


def test_all_zero_sibling_weights_are_refused() -> None:
    with pytest.raises(SpecError, match="every child of 'Idx'"):
        Framework.from_frame(_meta(Weight=[0, 0, 1]), file="meta.csv")
    fw = Framework.from_frame(_meta(), file="meta.csv")
    with pytest.raises(SpecError, match="every child of 'Idx'"):
        fw.with_weights({"a": 0, "b": 0})


def test_inf_in_data_is_named_not_turned_into_a_constant() -> None:
    fw = Framework([Element("I", None), Element("a", "I"), Element("b", "I")])
    data = pd.DataFrame({"uCode": ["X", "Y", "Z"], "a": [1.0, np.inf, 3.0], "b": ["1", "2", "-inf"]})
    with pytest.raises(InputError) as e:
        Index(fw, data, file="data.csv")
    assert {(p.row, p.field) for p in e.value.problems} == {(3, "a"), (4, "b")}


def test_nullable_and_boolean_columns() -> None:
    fw = Framework([Element("I", None), Element("a", "I"), Element("b", "I")])
    ok = pd.DataFrame({"uCode": ["X", "Y"], "a": pd.array([1, None], dtype="Int64"), "b": [1.0, 2.0]})
    assert np.isnan(Index(fw, ok).stage("Raw")["a"].iloc[1])
    bad = pd.DataFrame({"uCode": ["X", "Y"], "a": [True, False], "b": [1.0, 2.0]})
    with pytest.raises(InputError, match="true/false"):
        Index(fw, bad)


@pytest.mark.parametrize("x", [[["a"], ["b"]], [[1.0], [pd.NA]], np.zeros((0, 3)), [[True], [False]]])
def test_kernels_refuse_text_na_empty_and_booleans(x: object) -> None:
    with pytest.raises(SpecError):
        kernels.normalise(x, "minmax")


@pytest.mark.parametrize("method", ["vector", "sum", "fracmax"])
def test_zero_denominator_normalisers_raise_naming_the_indicator(method: str) -> None:
    fw = Framework([Element("I", None), Element("a", "I"), Element("zero", "I")])
    data = pd.DataFrame({"uCode": ["X", "Y", "Z"], "a": [1.0, 2.0, 3.0], "zero": [0.0, 0.0, 0.0]})
    with pytest.raises(SpecError, match="'zero'"):
        Index(fw, data, Recipe([Step("normalise", method), Step("aggregate", "amean")]))


def test_zscore_of_a_constant_column_is_the_target_mean_not_nan() -> None:
    y = kernels.normalise([[5.0], [5.0], [5.0]], "zscore", m_sd=(10, 2))
    assert y.ravel().tolist() == [10.0, 10.0, 10.0]


def test_coupling_refuses_u_above_one_unless_asked() -> None:
    with pytest.raises(InputError, match="above 1"):
        coupling_degree([30.0, 60.0])
    assert float(coupling_degree([30.0, 60.0], check=False)) == pytest.approx(float(coupling_degree([0.3, 0.6])))
    with pytest.raises(InputError, match="check=False"):
        coupling_coordination([[0.5, 1.2]])


# ------------------------------------------------------------------ recipe files


@pytest.mark.parametrize(("name", "raw", "match"), [
    ("missing.yaml", None, "file not found"),
    ("gbk.yaml", "steps: []  # 说明\n".encode("gb18030"), "not UTF-8"),
    ("empty.yaml", b"", "empty"),
    ("empty.json", b"", "not valid JSON"),
    ("list.yaml", b"- 1\n- 2\n", "recipe step 1"),
    ("scalar.json", b"3", "mapping"),
    ("nan.json", b'{"steps": [{"step": "normalise", "method": "minmax", "params": {"l_u": [0, NaN]}}]}', "NaN"),
    ("bad_param.yaml", b"steps:\n- {step: normalise, method: minmax, params: {l_u: abc}}\n", "l_u"),
    ("wrong.txt", b"steps: []\n", ".json, .yaml or .yml"),
])
def test_recipe_file_problems_are_clean_errors_naming_the_file(tmp_path: Path, name: str, raw: bytes | None,
                                                                match: str) -> None:
    p = tmp_path / name
    if raw is not None:
        p.write_bytes(raw)
    with pytest.raises((InputError, SpecError), match=match) as e:
        Recipe.from_file(p)
    assert name in str(e.value)


def test_recipe_parameter_of_the_wrong_type_is_named_at_the_boundary() -> None:
    with pytest.raises(SpecError, match="parameter 'p' must be a finite number"):
        Step("aggregate", "genmean", {"p": "two"})


# ------------------------------------------------------------------ large inputs: both CSV paths agree


def test_arrow_and_pandas_csv_paths_give_the_same_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = Path(__file__).resolve().parents[1] / "engine" / "reference" / "coinr-asem"
    recipe = Recipe([Step("normalise", "minmax"), Step("aggregate", "amean")])
    a = Index.from_files(ref / "input_ASEM_iMeta.csv", ref / "input_ASEM_iData.csv", recipe)
    monkeypatch.setattr(engine_data, "_ARROW_MIN_BYTES", 0)
    b = Index.from_files(ref / "input_ASEM_iMeta.csv", ref / "input_ASEM_iData.csv", recipe)
    pd.testing.assert_frame_equal(a.results(nround=None), b.results(nround=None), check_dtype=False)


def test_arrow_path_keeps_leading_zeros_and_refuses_duplicate_headers(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_data, "_ARROW_MIN_BYTES", 0)
    (tmp_path / "meta.csv").write_text("iCode,Parent,Type\na,I,Indicator\nI,,Aggregate\n", encoding="utf-8")
    (tmp_path / "data.csv").write_text("uCode,a\n007,1\n008,2\n", encoding="utf-8")
    idx = Index.from_files(tmp_path / "meta.csv", tmp_path / "data.csv", build=False)
    assert idx.data_["uCode"].tolist() == ["007", "008"]
    (tmp_path / "data.csv").write_text("uCode,a,a\n007,1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="more than once"):
        Index.from_files(tmp_path / "meta.csv", tmp_path / "data.csv", build=False)


# ------------------------------------------------------------------ terminal output


def test_cli_prints_user_text_without_rich_markup(capsys: pytest.CaptureFixture[str]) -> None:
    from hkfactor.cli._common import fail
    from hkfactor.errors import Problem

    with pytest.raises(SystemExit):
        fail(InputError([Problem("[bold]x.csv[/]", 2, "[red]col", "bad [/] value [link=http://e.x]y[/link]")],
                        title="[blink]t[/]"))
    err = capsys.readouterr().err
    assert "[bold]x.csv[/]" in err and "[/] value [link=http://e.x]y[/link]" in err and "[blink]t[/]" in err
