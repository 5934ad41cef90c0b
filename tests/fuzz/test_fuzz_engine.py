"""Fuzz the engine readers: metadata (iMeta) and data (iData) files, recipe files, and a build.

Inputs are SYNTHETIC: a valid 5-indicator framework and 6-unit table, then damaged cell by
cell (text, ``inf``, blanks, booleans, formulas, typographic minus …) and as files (encodings,
truncation, duplicate headers). Oracles for a built index: every indicator's Direction and
Weight are exactly the numbers in the file (no default filled in for a present but unreadable
cell), every Raw value is exactly the number in its cell (blank → NaN), and no stage holds
±inf. A recipe that loads must round-trip and build to finite-or-NaN scores.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz._harness import run_case
from hkfactor.engine import Element, Framework, Index, Recipe
from hkfactor.engine import _data as engine_data

META_HEAD = ["iCode", "iName", "Parent", "Direction", "Weight", "Level", "Type"]
META = [
    ["a1", "synthetic a1", "A", "1", "1", "1", "Indicator"],
    ["a2", "synthetic a2", "A", "-1", "2", "1", "Indicator"],
    ["b1", "synthetic b1", "B", "1", "1", "1", "Indicator"],
    ["b2", "synthetic b2", "B", "1", "0.5", "1", "Indicator"],
    ["b3", "synthetic b3", "B", "-1", "1", "1", "Indicator"],
    ["A", "pillar A", "Idx", "1", "1", "2", "Aggregate"],
    ["B", "pillar B", "Idx", "1", "1", "2", "Aggregate"],
    ["Idx", "synthetic index", "", "1", "1", "3", "Aggregate"],
]
DATA_HEAD = ["uCode", "uName", "a1", "a2", "b1", "b2", "b3"]
DATA = [
    [f"U{i}", f"unit {i}", str(1 + i), str(10 - i), str(i * 1.5), str(3 + (i % 3)), str(100 + 7 * i)]
    for i in range(6)
]
INDICATORS = ["a1", "a2", "b1", "b2", "b3"]

#: cell values that have broken or fooled readers
CELLS = ["", " ", "NA", "nan", "NaN", "n/a", "inf", "-inf", "Infinity", "1e999", "-1e999", "abc", "1,5", "1.5.2",
         "TRUE", "FALSE", "=1+1", "+1", "-1", "−1", " -1 ", "0", "-0", "2", "0.5", "1e-300", "1e300", "0x10", "1_000",
         "１２", "None", "null", "'1", "1 2", "\t1", "3%", "benefit", "cost", "#N/A", "9" * 40]
BLANKS = {"", " ", "NA", "nan", "NaN", "n/a", "None", "null", "#N/A"}


def _csv_bytes(head: list[str], rows: list[list[str]], encoding: str) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows([head, *rows])
    text = buf.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding, errors="replace")


def _strict_float(cell: str) -> float | None:
    """The number a person means by a cell, or None for a blank (independent of the engine)."""
    s = cell.strip().replace("\u2212", "-")
    if s in BLANKS or s == "":
        return None
    return float(s)


@st.composite
def damaged_tables(draw: st.DrawFn, which: str) -> dict[str, Any]:
    head = list(META_HEAD if which == "meta" else DATA_HEAD)
    rows = [list(r) for r in (META if which == "meta" else DATA)]
    edits = []
    for _ in range(draw(st.integers(1, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(head) - 1))
        v = draw(st.sampled_from(CELLS) | st.text(max_size=6))
        rows[r][c] = v
        edits.append((r, head[c], v))
    structural = draw(st.sampled_from(["none", "none", "none", "drop_col", "dup_col", "extra_row", "short_row",
                                       "truncate", "empty", "header_only"]))
    if structural == "drop_col":
        k = draw(st.integers(0, len(head) - 1))
        head.pop(k)
        for row in rows:
            row.pop(k)
    elif structural == "dup_col":
        k = draw(st.integers(0, len(head) - 1))
        head.append(head[k])
        for row in rows:
            row.append(row[k])
    elif structural == "extra_row":
        rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
    elif structural == "short_row":
        rows[draw(st.integers(0, len(rows) - 1))] = rows[0][:2]
    elif structural == "header_only":
        rows = []
    enc = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "latin-1"]))
    raw = _csv_bytes(head, rows, enc)
    if structural == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif structural == "empty":
        raw = b""
    return {"head": head, "rows": rows, "raw": raw, "edits": edits, "structural": structural, "enc": enc}


def _check_index(meta: dict[str, Any] | None, data: dict[str, Any] | None):  # type: ignore[no-untyped-def]
    def check(idx: Index) -> str | None:
        fw = idx.framework
        if meta is not None and meta["structural"] in ("none", "extra_row"):
            head, rows = meta["head"], meta["rows"]
            for row in rows:
                rec = dict(zip(head, row, strict=False))
                code = rec.get("iCode", "").strip()
                if code not in fw or (rec.get("Type", "").strip() or "Indicator") != "Indicator":
                    continue
                for col, attr in (("Direction", "direction"), ("Weight", "weight")):
                    if col not in rec:
                        continue
                    try:
                        want = _strict_float(rec[col])
                    except ValueError:
                        return f"{code}: {col} cell {rec[col]!r} is not a number, yet the index was built"
                    if want is None:
                        return f"{code}: blank {col} cell {rec[col]!r} was silently replaced by {getattr(fw[code], attr)}"
                    if float(getattr(fw[code], attr)) != want:
                        return f"{code}: {col} cell {rec[col]!r} became {getattr(fw[code], attr)}"
        if data is not None and data["structural"] in ("none", "extra_row"):
            raw = idx.stage("Raw").set_index("uCode")
            for row in data["rows"]:
                rec = dict(zip(data["head"], row, strict=False))
                u = rec["uCode"].strip()
                for c in INDICATORS:
                    if c not in rec:
                        continue
                    try:
                        want = _strict_float(rec[c])
                    except ValueError:
                        return f"unit {u}, {c}: cell {rec[c]!r} is not a number, yet the index was built"
                    got = float(raw.at[u, c])
                    if want is None:
                        if not math.isnan(got):
                            return f"unit {u}, {c}: blank cell {rec[c]!r} became {got}"
                    elif not (got == want):
                        return f"unit {u}, {c}: cell {rec[c]!r} became {got}"
        for name in idx.stages_:
            vals = idx.stage(name)[[c for c in idx.stage(name).columns if c in fw]].to_numpy(np.float64)
            if np.isinf(vals).any():
                return f"stage {name} holds an infinite value"
        return None

    return check


RECIPE = Recipe.from_dict({"steps": [{"step": "normalise", "method": "minmax"}, {"step": "aggregate", "method": "amean"}]})


@pytest.fixture(params=["pandas", "arrow"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Fuzz both CSV paths of Index.from_files: pandas (small files) and pyarrow (large files)."""
    if request.param == "arrow":
        monkeypatch.setattr(engine_data, "_ARROW_MIN_BYTES", 0)
    return str(request.param)


@settings(settings.get_profile("fuzz"), max_examples=60)
@given(meta=damaged_tables("meta"))
def test_fuzz_metadata_file(meta: dict[str, Any], reader: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("m")
    (d / "meta.csv").write_bytes(meta["raw"])
    (d / "data.csv").write_bytes(_csv_bytes(DATA_HEAD, DATA, "utf-8"))
    run_case(f"engine metadata file ({reader})", lambda: Index.from_files(d / "meta.csv", d / "data.csv", RECIPE),
             places=["meta.csv", "data.csv", *INDICATORS, "A", "B", "Idx", "Direction", "Weight", "Level", "iCode"],
             check=_check_index(meta, None), describe=f"{meta['edits']} {meta['structural']} {meta['enc']}")


@settings(settings.get_profile("fuzz"), max_examples=60)
@given(data=damaged_tables("data"))
def test_fuzz_data_file(data: dict[str, Any], reader: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("d")
    (d / "meta.csv").write_bytes(_csv_bytes(META_HEAD, META, "utf-8"))
    (d / "data.csv").write_bytes(data["raw"])
    run_case(f"engine data file ({reader})", lambda: Index.from_files(d / "meta.csv", d / "data.csv", RECIPE),
             places=["data.csv", *INDICATORS, "uCode"],
             check=_check_index(None, data), describe=f"{data['edits']} {data['structural']} {data['enc']}")


# ------------------------------------------------------------------ recipes

_STEP = st.sampled_from(["denominate", "impute", "screen", "treat", "normalise", "aggregate", "normalize", "", "x"])
_METHOD = st.sampled_from(["minmax", "zscore", "vector", "sum", "fracmax", "dist2ref", "goalposts", "rank", "amean",
                           "gmean", "hmean", "genmean", "topsis", "coupling", "grey", "copeland", "mean", "linear",
                           "availability", "skew_kurt", "none", "divide", "MinMax", "", "nope"])
_PARAM = st.sampled_from(["l_u", "m_sd", "npara", "iref", "cap_max", "p", "variant", "scale", "rho", "weights",
                          "weighting", "dat_thresh", "winmax", "skew_thresh", "f2", "per_year", "max_gap", "group",
                          "force_keep", "normalisation", "bogus"])
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from(["", "a1", "U1", "minmax", "pca", "equal", "log_ct", "wang2021", "x", "1"]))
_VALUE = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["a1", "A", "level:2", "method", "params", "x"]), inner, max_size=2), max_leaves=6)


_VALID = {
    "denominate": ["divide"],
    "impute": ["mean", "median", "group_mean", "locf", "linear"],
    "screen": ["availability", "nonzero", "availability_and_nonzero"],
    "treat": ["skew_kurt", "none"],
    "normalise": ["minmax", "zscore", "scaled", "dist2max", "dist2ref", "dist2targ", "fracmax", "prank", "rank",
                  "borda", "goalposts", "vector", "sum", "none"],
    "aggregate": ["amean", "gmean", "hmean", "genmean", "copeland", "topsis", "coupling", "grey"],
}


@st.composite
def recipes(draw: st.DrawFn) -> tuple[str, bytes]:
    steps: list[Any] = []
    if draw(st.integers(0, 9)) < 6:  # plausible: valid steps in pipeline order, methods of that step
        for step, methods in _VALID.items():
            if draw(st.booleans()):
                s0: dict[str, Any] = {"step": step, "method": draw(st.sampled_from(methods))}
                if draw(st.booleans()):
                    s0["params"] = draw(st.dictionaries(_PARAM, _VALUE, max_size=2))
                steps.append(s0)
    for _ in range(draw(st.integers(0, 4)) if not steps else 0):
        s: dict[str, Any] = {"step": draw(_STEP), "method": draw(_METHOD)}
        if draw(st.booleans()):
            s["params"] = draw(st.dictionaries(_PARAM, _VALUE, max_size=3))
        if draw(st.integers(0, 4)) == 0:
            s["by"] = draw(st.dictionaries(st.sampled_from(["a1", "A", "zz", "level:2"]), _VALUE, max_size=2))
        if draw(st.integers(0, 8)) == 0:
            s = draw(_VALUE)
        steps.append(s)
    doc: Any = {"version": draw(st.sampled_from([1, 1, 1, 2, "1", None])), "steps": steps}
    if draw(st.integers(0, 6)) == 0:
        doc = draw(st.sampled_from([steps, None, "steps", 3, {"steps": "x"}, {"step": "normalise"}]))
    fmt = draw(st.sampled_from(["json", "yaml", "yml"]))
    if fmt == "json":
        raw = json.dumps(doc, allow_nan=True).encode()
    else:
        raw = yaml.safe_dump(doc, allow_unicode=True).encode()
    damage = draw(st.sampled_from(["none", "none", "none", "truncate", "gbk", "empty", "bom"]))
    if damage == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "gbk":
        raw = raw + "# 说明\n".encode("gb18030")
    elif damage == "empty":
        raw = b""
    elif damage == "bom":
        raw = b"\xef\xbb\xbf" + raw
    return fmt, raw


def _fw() -> Framework:
    return Framework([Element("Idx", None), Element("A", "Idx"), Element("B", "Idx"),
                      *(Element(c, "A" if c.startswith("a") else "B", direction=-1 if c in ("a2", "b3") else 1)
                        for c in INDICATORS)])


def _check_recipe_build(idx: Index) -> str | None:
    if Recipe.from_dict(idx.recipe.to_dict()) != idx.recipe:
        return "recipe does not round-trip"
    for name in idx.stages_:
        t = idx.stage(name)
        vals = t[[c for c in t.columns if c in idx.framework]].to_numpy(np.float64)
        if np.isinf(vals).any():
            return f"stage {name} holds an infinite value"
    return None


@settings(settings.get_profile("fuzz"), max_examples=150)
@given(case=recipes())
def test_fuzz_recipe_file_and_build(case: tuple[str, bytes], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    fmt, raw = case
    d = tmp_path_factory.mktemp("r")
    p = d / f"recipe.{fmt}"
    p.write_bytes(raw)
    data = pd.DataFrame([[float(v) if k >= 2 else v for k, v in enumerate(r)] for r in DATA], columns=DATA_HEAD)
    data["grp"] = ["g1", "g2"] * 3

    def go() -> Index:
        return Index(_fw(), data, Recipe.from_file(p), groups=["grp"])

    run_case(f"recipe file + build ({fmt})", go,
             places=[str(p), "recipe", "step", "normalise", "aggregate", "impute", "screen", "treat", "denominate",
                     *INDICATORS, "weight", "parameter", "method"],
             check=_check_recipe_build, describe=repr(raw[:300]))


def test_recipe_file_missing_folder_wrong_suffix(tmp_path: Path) -> None:
    for p in (tmp_path / "nope.yaml", tmp_path, tmp_path / "r.txt"):
        run_case("recipe file + build (missing, folder, suffix)", lambda p=p: Recipe.from_file(p), places=[str(p)])
