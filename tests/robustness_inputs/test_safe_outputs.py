"""Every CSV and Excel file written through hkfactor's writers is formula-safe; atomic writes hold.

Property tests (Hypothesis) over :func:`hkfactor._io.write_csv` / :func:`write_excel`, then the
real outputs: the engine export (CSV folder and workbook) and ``hkfactor export`` of the
evidence as a workbook, read back with openpyxl — no cell may be a formula.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hkfactor._io import (
    OUTPUT_MARKER,
    atomic_write,
    check_inside,
    clean_leftovers,
    neutralise_cell,
    restore_cell,
    write_csv,
    write_excel,
    write_folder_atomically,
)
from hkfactor.engine import Element, Framework, Index, Recipe, Step
from hkfactor.errors import InputError

TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
_TEXT = st.text(alphabet=st.sampled_from(list(TRIGGERS) + list("'aZ1.,\"| 中-()!\n\x01\x1f")), max_size=12)
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                 database=None)


def _formula_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def _starts_risky(s: str) -> bool:
    from hkfactor._io import _NUMBER_RE

    return bool(s) and s[0] in TRIGGERS and not (s[0] in "+-" and _NUMBER_RE.match(s))


@PROPS
@given(cells=st.lists(_TEXT, min_size=1, max_size=8), header=_TEXT, index=st.booleans())
def test_write_csv_is_formula_safe_and_lossless(cells: list[str], header: str, index: bool, tmp_path: Path) -> None:
    df = pd.DataFrame({header or "h": cells, "n": range(len(cells))}, index=[f"={i}" for i in range(len(cells))])
    p = write_csv(df, tmp_path / "t.csv", index=index)
    rows = list(csv.reader(io.StringIO(p.read_bytes().decode("utf-8"), newline="")))
    for row in rows:
        for cell in row:
            assert not _starts_risky(cell), cell
    back = [restore_cell(r[1 if index else 0]) for r in rows[1:]]
    assert back == cells
    assert restore_cell(rows[0][1 if index else 0]) == (header or "h")


@PROPS
@given(cells=st.lists(_TEXT, min_size=1, max_size=8), sheet=_TEXT)
def test_write_excel_has_no_formula_cell(cells: list[str], sheet: str, tmp_path: Path) -> None:
    df = pd.DataFrame({"=label": cells, "@x": [1.5] * len(cells)})
    p = write_excel({sheet or "s": df, "=SUM(A1)": df}, tmp_path / "t.xlsx", index=True)
    assert _formula_cells(p) == []
    ws = openpyxl.load_workbook(p).worksheets[0]
    got = [restore_cell(str(c.value or "")) for c in list(ws.columns)[1][1:]]
    want = [neutralise_cell(c) for c in cells]  # control characters removed for Excel, nothing else
    assert got == [restore_cell(w or "") for w in want]


def _labelled_index() -> Index:
    fw = Framework([
        Element("Idx", None, name="=HYPERLINK(\"http://evil.example\",\"click\")"),
        Element("A", "Idx", name="+cmd|' /C calc'!A0"),
        Element("a1", "A", name="@SUM(1+1)*cmd|' /C calc'!A0", unit="-2+3"),
        Element("a2", "A", name="\t=1+1", direction=-1),
    ])
    data = pd.DataFrame({"uCode": ["=U1", "U2", "-U3"], "uName": ["=1+1", "@me", "+x"],
                         "a1": [1.0, 2.0, 3.0], "a2": [3.0, 1.0, 2.0]})
    return Index(fw, data, Recipe([Step("normalise", "minmax"), Step("aggregate", "amean")]))


def test_engine_export_is_formula_safe(tmp_path: Path) -> None:
    idx = _labelled_index()
    assert _formula_cells(idx.export(tmp_path / "out.xlsx")) == []
    folder = idx.export(tmp_path / "out")
    for p in folder.glob("*.csv"):
        for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"), newline="")):
            assert not any(_starts_risky(c) for c in row), (p.name, row)


def test_evidence_export_xlsx_is_formula_safe(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from evidence._synthetic import SYNTHETIC, write_evidence

    data = {k: [dict(r) for r in v] for k, v in SYNTHETIC.items()}
    data["claims.csv"][0]["note"] = "=HYPERLINK(\"http://evil.example\")"
    data["sources/paper.csv"][0]["title_en"] = "@SUM(A1)"
    root = write_evidence(tmp_path / "ev", data)
    r = run_cli("export", "--format", "xlsx", "--out", str(tmp_path / "e.xlsx"), "--data", str(root), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert _formula_cells(tmp_path / "e.xlsx") == []
    r = run_cli("export", "--format", "csv", "--out", str(tmp_path / "e"), "--data", str(root), "--lang", "en")
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "e" / "claims.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    # the exported folder reads back exactly (the loader undoes the quote)
    from hkfactor.evidence import load

    assert load(tmp_path / "e").records.claims == load(root).records.claims


# ------------------------------------------------------------------ atomic writes


def test_folder_in_the_way_of_a_file_is_reported_before_writing(tmp_path: Path) -> None:
    (tmp_path / "report.html").mkdir()
    with pytest.raises(InputError, match="folder of this name is in the way"):
        with atomic_write(tmp_path / "report.html") as fh:
            fh.write("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_failed_write_leaves_nothing_and_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write("new")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_leftovers_of_dead_processes_are_cleaned(tmp_path: Path) -> None:
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (tmp_path / f".out.partial-{dead}-abcd").mkdir()
    (tmp_path / f".t.csv.{dead}.x1y2.tmp").write_text("", encoding="utf-8")
    (tmp_path / f".t.csv.{os.getpid()}.live.tmp").write_text("", encoding="utf-8")  # a live writer's: kept
    (tmp_path / "user.partial-1-ab").mkdir()  # not ours: kept
    removed = clean_leftovers(tmp_path)
    assert sorted(p.name for p in removed) == sorted([f".out.partial-{dead}-abcd", f".t.csv.{dead}.x1y2.tmp"])
    assert (tmp_path / "user.partial-1-ab").exists()


def test_folder_replaced_as_one_unit_and_failure_keeps_old(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with write_folder_atomically(out) as st_:
        (st_ / "a.csv").write_text("1", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with write_folder_atomically(out) as st_:
            (st_ / "b.csv").write_text("2", encoding="utf-8")
            raise RuntimeError("boom")
    assert sorted(p.name for p in out.iterdir()) == [OUTPUT_MARKER, "a.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with write_folder_atomically(out) as st_:
        (st_ / "b.csv").write_text("2", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == [OUTPUT_MARKER, "b.csv"]


def test_folder_with_foreign_files_is_not_replaced(tmp_path: Path) -> None:
    home = tmp_path / "my documents"
    home.mkdir()
    (home / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="did not write"):
        with write_folder_atomically(home) as st_:
            (st_ / "a.csv").write_text("1", encoding="utf-8")
    assert (home / "thesis.docx").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my documents"]


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "figures").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match="symbolic link"):
        check_inside(out, "figures/f.png")
    with pytest.raises(InputError, match="outside"):
        check_inside(out, "../x.csv")
    link = tmp_path / "link"
    link.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match="symbolic link"):
        with write_folder_atomically(link):
            pass
    assert list(elsewhere.iterdir()) == []


def test_export_csv_into_a_file_is_a_clean_error(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "x").write_text("", encoding="utf-8")
    r = run_cli("export", "--format", "csv", "--out", str(tmp_path / "x"), "--lang", "en")
    assert r.returncode == 2 and "Traceback" not in r.stderr
