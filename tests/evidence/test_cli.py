"""The evidence commands, run as the real ``hkfactor`` command in a subprocess.

Most runs use the SYNTHETIC folder (tests/evidence/_synthetic.py) through ``--data``; the last
ones run on the built-in evidence.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evidence._synthetic import SYNTHETIC, write_evidence

pytestmark = pytest.mark.slow


def _ok(proc: Any) -> str:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return str(proc.stdout)


def test_facts_json_and_filters(run_cli: Any, syn_dir: Path) -> None:
    rows = json.loads(_ok(run_cli("facts", "--data", str(syn_dir), "--format", "json")))
    assert [r["id"] for r in rows] == [f"C{i:03d}" for i in range(1, 11)]
    assert rows[0]["value"] == 6.0e10 and rows[0]["unit"] == "CNY" and rows[0]["status"] == "conflicts"
    rows = json.loads(_ok(run_cli("facts", "--data", str(syn_dir), "--format", "json", "--channel", "trade",
                                  "--year", "1997")))
    assert [r["id"] for r in rows] == ["C001", "C003"]
    rows = json.loads(_ok(run_cli("facts", "--data", str(syn_dir), "--format", "json", "--status", "conflicts",
                                  "--geo", "QH")))
    assert [r["id"] for r in rows] == ["C004"]
    rows = json.loads(_ok(run_cli("facts", "--data", str(syn_dir), "--format", "json", "--search", "maker")))
    assert [r["id"] for r in rows] == ["C006"]


def test_facts_csv_parses(run_cli: Any, syn_dir: Path) -> None:
    df = pd.read_csv(io.StringIO(_ok(run_cli("facts", "--data", str(syn_dir), "--format", "csv"))), dtype=str)
    assert len(df) == 10
    assert {"id", "printed_value", "value", "unit", "status"} <= set(df.columns)


def test_facts_table_in_both_languages(run_cli: Any, syn_dir: Path) -> None:
    zh = _ok(run_cli("facts", "--data", str(syn_dir), "--lang", "zh", "--channel", "trade"))
    assert "论文定量论断" in zh and "贸易" in zh and "与独立来源冲突" in zh and "600亿元" in zh
    en = _ok(run_cli("facts", "--data", str(syn_dir), "--lang", "en", "--channel", "trade"))
    assert "Claims of the paper" in en and "CNY 60 bn" in en and "conflicts" in en
    assert "论文定量论断" not in en


def test_entities_relations_timeline(run_cli: Any, syn_dir: Path) -> None:
    ents = json.loads(_ok(run_cli("entities", "--data", str(syn_dir), "--format", "json", "--search", "dji")))
    assert [e["id"] for e in ents] == ["E-DJI"]
    zh = _ok(run_cli("entities", "--data", str(syn_dir), "--lang", "zh", "--type", "university"))
    assert "香港科技大学" in zh and "高校" in zh and "DJI" not in zh
    rels = json.loads(_ok(run_cli("relations", "--data", str(syn_dir), "--format", "json", "--entity", "E-HKUST")))
    assert [(r["subject"], r["predicate"], r["object"]) for r in rels] == [("E-DJI", "incubated_in", "E-HKUST")]
    assert rels[0]["amount"] == 1.1e6
    assert "孵化于" in _ok(run_cli("relations", "--data", str(syn_dir), "--lang", "zh"))
    tl = json.loads(_ok(run_cli("timeline", "--data", str(syn_dir), "--format", "json", "--from", "1990")))
    assert [(e["id"], e["year_start"], e["year_end"]) for e in tl] == [("V001", 1981, 1994)]
    assert tl == json.loads(_ok(run_cli("timeline", "--data", str(syn_dir), "--format", "json", "--to", "1981")))
    assert json.loads(_ok(run_cli("timeline", "--data", str(syn_dir), "--format", "json", "--from", "1995"))) == []
    assert "1981–1994" in _ok(run_cli("timeline", "--data", str(syn_dir), "--lang", "en"))


def test_audit_writes_html_and_csv(run_cli: Any, syn_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "audit"
    text = _ok(run_cli("audit", "--data", str(syn_dir), "--out", str(out), "--lang", "zh"))
    assert "核查结果汇总" in text and "与独立来源冲突" in text
    html = (out / "audit.html").read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in html and "C001" in html
    raw = (out / "audit.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens the Chinese text right
    df = pd.read_csv(out / "audit.csv", encoding="utf-8-sig", dtype=str)
    assert dict(zip(df["claim_id"], df["status"], strict=True))["C007"] == "inconsistent"
    assert sorted(p.name for p in out.iterdir()) == ["audit.csv", "audit.html"]  # no temporary files left
    en = _ok(run_cli("audit", "--data", str(syn_dir), "--lang", "en"))
    assert "Audit summary" in en and "arithmetic inconsistent" in en
    rows = json.loads(_ok(run_cli("audit", "--data", str(syn_dir), "--format", "json", "--status", "conflicts")))
    assert [r["claim_id"] for r in rows] == ["C001", "C004"]


def test_sql_command(run_cli: Any, syn_dir: Path) -> None:
    rows = json.loads(_ok(run_cli("sql", "select claim_id, status from audit_claims where status = 'conflicts' "
                                  "order by claim_id", "--data", str(syn_dir), "--format", "json")))
    assert rows == [{"claim_id": "C001", "status": "conflicts"}, {"claim_id": "C004", "status": "conflicts"}]
    assert "查询结果（1 行）" in _ok(run_cli("sql", "select count(*) n from claims", "--data", str(syn_dir)))
    proc = run_cli("sql", "select * from nope", "--data", str(syn_dir))
    assert proc.returncode == 2 and "SQL query failed" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_export_every_format(run_cli: Any, syn_dir: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / ("exp" if fmt in {"csv", "parquet"} else f"exp.{fmt}")
    _ok(run_cli("export", "--data", str(syn_dir), "--format", fmt, "--out", str(out)))
    if fmt == "csv":
        assert pd.read_csv(out / "claims.csv", encoding="utf-8").shape[0] == 10
        assert (out / "audit_claims.csv").is_file() and (out / "sources" / "paper.csv").is_file()
    elif fmt == "parquet":
        assert pd.read_parquet(out / "claims.parquet")["value"].iloc[0] == 6.0e10
    elif fmt == "json":
        d = json.loads(out.read_text(encoding="utf-8"))
        assert len(d["claims"]) == 10 and len(d["entities"]) == 2 and "audit" in d
    else:
        xl = pd.read_excel(out, sheet_name=None)
        assert {"claims", "sources", "audit"} <= set(xl)
        assert len(xl["claims"]) == 10


def test_broken_folder_exits_2_with_every_problem(run_cli: Any, tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    data["claims.csv"][0]["channel"] = "banking"
    data["relations.csv"][0]["object"] = "E-NOPE"
    root = write_evidence(tmp_path / "bad", data)
    proc = run_cli("facts", "--data", str(root), "--lang", "en")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "2 problem(s)" in proc.stderr
    assert "claims.csv, row 2, column 'channel': unknown channel 'banking'" in proc.stderr
    assert "relations.csv, row 2, column 'object': unknown entity id 'E-NOPE'" in proc.stderr


def test_gbk_folder_and_bad_options_exit_2(run_cli: Any, tmp_path: Path, syn_dir: Path) -> None:
    p = syn_dir / "events.csv"
    p.write_bytes(p.read_text(encoding="utf-8").encode("gbk"))
    proc = run_cli("timeline", "--data", str(syn_dir))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "events.csv" in proc.stderr and "GBK" in proc.stderr
    proc = run_cli("facts", "--channel", "banking")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "unknown channel 'banking'" in proc.stderr
    assert "finance (金融)" in proc.stderr
    proc = run_cli("audit", "--data", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "evidence folder not found" in proc.stderr


def test_builtin_audit_shows_the_known_conflicts(run_cli: Any, tmp_path: Path) -> None:
    _ok(run_cli("audit", "--out", str(tmp_path / "a")))
    html = (tmp_path / "a" / "audit.html").read_text(encoding="utf-8")
    assert "701.4" in html and "2/3" in html
    rows = json.loads(_ok(run_cli("facts", "--format", "json", "--status", "conflicts")))
    printed = {(r["printed_value"], r["printed_unit"]) for r in rows}
    assert ("600", "亿元") in printed and ("2/3", "") in printed


# ---------------------------------------------------------------------- QA walkthrough (filters, export, labels)


@pytest.mark.parametrize(("args", "says"), [
    (("entities", "--type", "foo"), "unknown entity type 'foo'; valid: university (高校)"),
    (("relations", "--predicate", "foo"), "unknown predicate 'foo'; valid: founded (创立)"),
    (("relations", "--entity", "Atlantis"), "no entity matches 'Atlantis'"),
    (("timeline", "--channel", "foo"), "unknown channel 'foo'; valid: finance (金融)"),
    (("facts", "--geo", "XX"), "unknown geography 'XX'; valid: WORLD (世界)"),
    (("facts", "--status", "conflict"), "unknown status 'conflict'; valid: conflicts"),
    (("audit", "--status", "conflict"), "unknown status 'conflict'; valid: conflicts"),
    (("timeline", "--from", "2020", "--to", "2000"), "the first year (2020, --from) is after the last year (2000"),
])
def test_a_filter_value_that_cannot_exist_is_an_error(run_cli: Any, args: tuple[str, ...], says: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert says in proc.stderr, proc.stderr


def _ids(run_cli: Any, *args: str, key: str = "id") -> list[str]:
    return [r[key] for r in json.loads(_ok(run_cli(*args, "--format", "json")))]


def test_filters_take_any_case_labels_names_and_lists(run_cli: Any) -> None:
    hk = _ids(run_cli, "entities", "--side", "HK")
    assert hk and _ids(run_cli, "entities", "--side", "hk") == hk == _ids(run_cli, "entities", "--side", "香港")
    firms = _ids(run_cli, "entities", "--type", "Firm")
    assert firms and firms == _ids(run_cli, "entities", "--type", "企业")
    dji = _ids(run_cli, "relations", "--entity", "E-DJI")
    assert dji and _ids(run_cli, "relations", "--entity", "大疆") == dji == _ids(run_cli, "relations", "--entity", "dji")
    assert _ids(run_cli, "relations", "--predicate", "创立") == _ids(run_cli, "relations", "--predicate", "FOUNDED")
    fin = _ids(run_cli, "timeline", "--channel", "finance")
    assert fin and _ids(run_cli, "timeline", "--channel", "金融") == fin
    sz = _ids(run_cli, "facts", "--geo", "SZ")
    assert sz and _ids(run_cli, "facts", "--geo", "sz") == sz == _ids(run_cli, "facts", "--geo", "深圳市")
    both = _ids(run_cli, "facts", "--channel", "finance,贸易")
    assert set(both) == set(_ids(run_cli, "facts", "--channel", "finance")) | set(_ids(run_cli, "facts", "--channel",
                                                                                         "trade"))


def test_printed_column_is_verbatim_and_a_top_20_bound_reads_as_a_rank(run_cli: Any) -> None:
    zh = _ok(run_cli("facts", "--search", "C010", "--lang", "zh"))
    en = _ok(run_cli("facts", "--search", "C010", "--lang", "en"))
    assert "不到前20" not in zh and "under 前20" not in en
    assert "│ 前20 " in zh and "│ 前20 " in en  # the printed column: printed_value + printed_unit, nothing more
    assert "前20名以内" in zh and "≤ #20" in en
    assert "前100名以内" in _ok(run_cli("facts", "--search", "C029"))


def test_audit_detail_has_the_note_in_both_languages_and_no_marker(run_cli: Any) -> None:
    rows = {r["claim_id"]: r for r in json.loads(_ok(run_cli("audit", "--format", "json")))}
    assert not any("REQUIRED CONFLICT" in r["detail_zh"] + r["detail_en"] for r in rows.values())
    assert "；注：Paper: 1997 SZ-HK trade 600 亿元" in rows["C084"]["detail_zh"]
    assert "; note: Paper: 1997 SZ-HK trade 600 亿元" in rows["C084"]["detail_en"]
    zh = _ok(run_cli("audit", "--status", "conflicts", "--lang", "zh"))
    assert "注：" in zh and "REQUIRED" not in zh


def test_csv_export_loads_back_with_data(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "exp"
    _ok(run_cli("export", "--format", "csv", "--out", str(out)))
    assert not (out / "claims.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    assert (out / "audit_claims.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # the extras: BOM for Excel
    from hkfactor.evidence import DATA_DIR

    shipped = sorted(p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*.csv"))
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.csv"))
    assert set(shipped) <= set(written)
    assert pd.read_csv(out / "claims.csv", nrows=0).columns.tolist() == \
        pd.read_csv(DATA_DIR / "claims.csv", nrows=0).columns.tolist()
    again = json.loads(_ok(run_cli("facts", "--data", str(out), "--format", "json")))
    orig = json.loads(_ok(run_cli("facts", "--format", "json")))
    strip = [{k: v for k, v in r.items() if k not in {"file", "row"}} for r in orig]
    assert [{k: v for k, v in r.items() if k not in {"file", "row"}} for r in again] == strip


def test_export_to_an_existing_file_or_folder_of_the_wrong_kind_is_a_message(run_cli: Any, tmp_path: Path) -> None:
    f = tmp_path / "taken.txt"
    f.write_text("x", encoding="utf-8")
    for fmt in ("csv", "parquet"):
        proc = run_cli("export", "--format", fmt, "--out", str(f))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and "existing file" in proc.stderr
    proc = run_cli("export", "--format", "json", "--out", str(tmp_path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "folder" in proc.stderr


def test_help_says_which_outputs_are_bilingual(run_cli: Any) -> None:
    assert "bilingual" in " ".join(_ok(run_cli("audit", "--help")).split())
    assert "bilingual" in " ".join(_ok(run_cli("export", "--help")).split())
