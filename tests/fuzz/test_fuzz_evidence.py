"""Fuzz the evidence folder loader (:func:`hkfactor.evidence.load`) with damaged SYNTHETIC folders.

A small synthetic evidence folder (tests/evidence/_synthetic.py; made-up values) is damaged:
a cell replaced by text that has broken readers (formulas, control characters, huge numbers,
quotes), a header column dropped / repeated / renamed, a file re-encoded, truncated, emptied,
replaced by a folder, or removed. Oracle for a folder that loads: every non-blank data row of
every file became a record (none silently dropped), and save → load gives the same records.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence._synthetic import SYNTHETIC, write_evidence
from fuzz._harness import run_case
from hkfactor.evidence import load

FILES = sorted(SYNTHETIC)
CELLS = ["", "=1+1", "'=1+1", "+SUM(A1)", "@x", "-", "--", "\t x", "a\x00b", "a\x1fb", "\u202e", "1e999", "-0",
         "NaN", "inf", "9" * 400, '"', "a,b", "x\ny", "C001", "S-PAPER", "SZ", "2020-02-30", "2018-13", "1997",
         "year", "as_of", "亿元", "％", "１２", "12,5", " 600 ", "600", "2/3", ";", "S-PAPER;;S-REF-1", "x" * 5000]


@st.composite
def damaged_folders(draw: st.DrawFn) -> dict[str, Any]:
    rel = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "cell", "drop_col", "dup_col", "rename_col", "gbk", "bom",
                                 "truncate", "empty", "folder", "remove", "extra_cols", "quote"]))
    return {"rel": rel, "kind": kind, "cell": draw(st.sampled_from(CELLS) | st.text(max_size=8)),
            "row": draw(st.integers(0, 10)), "col": draw(st.integers(0, 30)), "cut": draw(st.floats(0, 1))}


def _apply(root: Path, case: dict[str, Any]) -> None:
    p = root / case["rel"]
    text = p.read_text(encoding="utf-8")
    recs = list(csv.reader(io.StringIO(text, newline="")))
    head, rows = recs[0], recs[1:]
    kind = case["kind"]
    if kind == "cell" and rows:
        r = rows[case["row"] % len(rows)]
        r[case["col"] % len(r)] = case["cell"]
    elif kind == "drop_col":
        k = case["col"] % len(head)
        head.pop(k)
        for r in rows:
            r.pop(k)
    elif kind == "dup_col":
        k = case["col"] % len(head)
        head.append(head[k])
        for r in rows:
            r.append(r[k])
    elif kind == "rename_col":
        head[case["col"] % len(head)] = case["cell"]
    elif kind == "extra_cols" and rows:
        rows[case["row"] % len(rows)] += ["x", "y"]
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows([head, *rows])
    out = buf.getvalue()
    if kind == "quote":
        k = int(case["cut"] * len(out))
        out = out[:k] + '"' + out[k:]
    raw = out.encode("utf-8")
    if kind == "gbk":
        raw = out.encode("gb18030")
    elif kind == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif kind == "truncate":
        raw = raw[: int(case["cut"] * len(raw))]
    elif kind == "empty":
        raw = b""
    if kind == "folder":
        p.unlink()
        p.mkdir()
    elif kind == "remove":
        p.unlink()
    else:
        p.write_bytes(raw)


def _data_rows(root: Path) -> int:
    n = 0
    for p in (q for q in root.rglob("*.csv") if q.is_file()):
        recs = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"), newline="")))
        n += sum(1 for r in recs[1:] if any(c.strip() for c in r))
    return n


def _check(root: Path, tmp: Path):  # type: ignore[no-untyped-def]
    def check(ev: Any) -> str | None:
        recs = ev.records
        n = sum(len(getattr(recs, t)) for t in ("sources", "geographies", "claims", "entities", "relations", "events",
                                                "observations", "corroborations", "derivations"))
        want = _data_rows(root)
        if n != want:
            return f"{want} data rows in the files but {n} records loaded"
        again = load(_save(ev, tmp / "saved"))
        if again.records != recs:
            return "save → load changed the records"
        return None

    return check


def _save(ev: Any, out: Path) -> Path:
    ev.save(out)
    return out


@settings(settings.get_profile("fuzz"), max_examples=100)
@given(case=damaged_folders())
def test_fuzz_evidence_folder(case: dict[str, Any], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("ev")
    root = write_evidence(tmp / "evidence")
    _apply(root, case)
    run_case(f"evidence folder ({case['kind']})", lambda: load(root),
             places=[case["rel"], str(root), case["rel"].split("/")[0]],
             check=_check(root, tmp), describe=repr(case)[:300])
    shutil.rmtree(tmp, ignore_errors=True)
