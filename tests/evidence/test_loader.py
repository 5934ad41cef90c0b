"""The evidence loader: every record type, every kind of problem, all problems at once.

All folders here are SYNTHETIC (tests/evidence/_synthetic.py).
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence._synthetic import SYNTHETIC, write_evidence, write_table
from hkfactor.errors import InputError, SpecError
from hkfactor.evidence import TABLE_NAMES, Claim, Evidence, load
from hkfactor.evidence._schema import TABLES


def _data() -> dict[str, list[dict[str, str]]]:
    return copy.deepcopy(SYNTHETIC)


def _problems(root: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(InputError) as info:
        load(root)
    return [(p.file, p.row, p.field, p.message) for p in info.value.problems]


def test_synthetic_folder_loads_into_typed_records(syn_dir: Path) -> None:
    ev = load(syn_dir)
    assert isinstance(ev, Evidence)
    c = ev.records.claims[0]
    assert isinstance(c, Claim)
    assert (c.id, c.value, c.unit, c.source_ids) == ("C001", 6.0e10, "CNY", ("S-PAPER", "S-REF-1"))
    assert (c.file, c.row) == ("claims.csv", 2)
    assert ev.records.claims[3].value == pytest.approx(2 / 3)
    assert ev.records.relations[0].amount == pytest.approx(1.1e6)
    assert ev.records.relations[0].amount_unit == "USD"
    assert ev.records.corroborations[1].tolerance == 0.005  # default
    assert ev.records.derivations[0].tolerance == 0.0005
    assert sorted(ev.files) == sorted(SYNTHETIC)
    for name in TABLE_NAMES:
        df = getattr(ev, name)
        assert isinstance(df, pd.DataFrame)
        assert len(df) == len(getattr(ev.records, name))
    claims = ev.claims
    assert claims["value"].dtype == "float64"
    assert claims.loc[0, "source_ids"] == "S-PAPER;S-REF-1"
    assert ev.get("E-DJI").name_en == "DJI"
    with pytest.raises(SpecError, match="no evidence record"):
        ev.get("nope")


def test_absent_files_are_empty_tables(tmp_path: Path) -> None:
    data = {k: v for k, v in _data().items() if k.startswith("sources/")}
    ev = load(write_evidence(tmp_path, data))
    assert len(ev.records.sources) == 4
    for name in ("claims", "entities", "relations", "events", "observations", "corroborations", "derivations"):
        assert len(getattr(ev, name)) == 0
        assert list(getattr(ev, name).columns)  # the columns are there even when empty
    assert ev.audit_.summary()["n"].sum() == 0


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="evidence folder not found"):
        load(tmp_path / "nope")


def test_qualifier_from_the_printed_value_when_the_column_is_empty(tmp_path: Path) -> None:
    data = _data()
    data["claims.csv"][0].update(printed_value="逾600", locator="（逾600亿元）", qualifier="")
    ev = load(write_evidence(tmp_path, data))
    assert ev.records.claims[0].qualifier == "over"
    assert ev.records.claims[1].qualifier == "exact"


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    data = _data()
    write_evidence(tmp_path, data)
    cols = [c for c in TABLES[2].column_names if c not in {"note", "citation", "qualifier"}]
    write_table(tmp_path / "claims.csv", data["claims.csv"], cols)
    ev = load(tmp_path)
    assert ev.records.claims[0].qualifier == "exact"


# one entry per kind of problem: (file, row index, field, bad value, words expected in the message)
BREAKAGES: list[tuple[str, int, str, str, str]] = [
    ("claims.csv", 0, "channel", "banking", "unknown channel 'banking'"),
    ("claims.csv", 1, "section", "9", "unknown section '9'"),
    ("claims.csv", 2, "qualifier", "roughly", "unknown qualifier"),
    ("claims.csv", 3, "period_kind", "decade", "unknown period kind"),
    ("claims.csv", 4, "kind", "guessed", "unknown claim kind"),
    ("claims.csv", 5, "geography", "MARS", "unknown geography id 'MARS'"),
    ("claims.csv", 6, "period_start", "2018-13", "bad date '2018-13'"),
    ("claims.csv", 7, "locator", "这是一个远远超过三十个字符的定位文本用来测试长度限制七成是否被拒绝了吗", "at most 30"),
    ("claims.csv", 8, "source_ids", "S-PAPER;S-NOPE", "unknown source id(s) S-NOPE"),
    ("claims.csv", 0, "printed_value", "", "missing value"),
    ("claims.csv", 7, "qualifier", "over", "qualifier 'over' contradicts the printed value '近七成'"),
    ("claims.csv", 1, "printed_unit", "furlongs", "cannot read printed unit 'furlongs'"),
    ("claims.csv", 2, "locator", "年均增长", "does not contain the printed value"),
    ("claims.csv", 9, "id", "C001", "duplicate id 'C001'"),
    ("sources/paper.csv", 1, "grade", "Z", "unknown source grade 'Z'"),
    ("sources/paper.csv", 0, "kind", "blog", "unknown source kind"),
    ("sources/corroboration.csv", 0, "date", "19-07-2017", "bad date"),
    ("sources/paper.csv", 2, "id", "S-SYN-CUSTOMS", "duplicate id 'S-SYN-CUSTOMS'"),
    ("entities.csv", 0, "type", "robot", "unknown entity type 'robot'"),
    ("entities.csv", 1, "side", "MOON", "unknown side"),
    ("entities.csv", 0, "chain_stage", "top", "unknown chain stage"),
    ("relations.csv", 0, "predicate", "likes", "unknown predicate 'likes'"),
    ("relations.csv", 0, "object", "E-NOPE", "unknown entity id 'E-NOPE'"),
    ("relations.csv", 0, "subject", "E-GONE", "unknown entity id 'E-GONE'"),
    ("relations.csv", 0, "id", "C010", "duplicate id 'C010' (first used in claims.csv row 11)"),
    ("relations.csv", 0, "unit", "furlongs", "cannot read printed unit"),
    ("events.csv", 0, "date", "1994/1981", "bad date '1994/1981'"),
    ("events.csv", 0, "entity_ids", "E-DJI;E-NOPE", "unknown entity id(s) E-NOPE"),
    ("observations/corroboration.csv", 0, "source_id", "S-NOPE", "unknown source id 'S-NOPE'"),
    ("observations/corroboration.csv", 0, "printed_value", "lots", "cannot read printed value 'lots'"),
    ("observations/corroboration.csv", 2, "grade", "P", "unknown observation grade 'P'"),
    ("observations/corroboration.csv", 0, "locator", "", "a locator is required unless derived_from"),
    ("corroborations.csv", 0, "claim_id", "C999", "unknown claim id 'C999'"),
    ("corroborations.csv", 0, "observation_id", "O-NOPE", "unknown observation id 'O-NOPE'"),
    ("corroborations.csv", 0, "comparison", "same", "unknown comparison 'same'"),
    ("corroborations.csv", 0, "tolerance", "-1", "bad number '-1'"),
    ("corroborations.csv", 1, "declared_status", "", "needs a declared_status"),
    ("corroborations.csv", 0, "observation_id", "O-QHHKSHARE-QH-2016", "comparison 'equal' needs the same canonical unit"),
    ("derivations.csv", 0, "expression", "cagr(C001, C999, 21)", "unknown claim id(s) C999"),
    ("derivations.csv", 0, "expression", "__import__('os')", "unknown function"),
    ("derivations.csv", 0, "expression", "C001.real", "not allowed"),
    ("derivations.csv", 1, "expression", "C005 +", "does not parse"),
    ("derivations.csv", 1, "claim_id", "", "missing value"),
]


@pytest.mark.parametrize(("file", "idx", "field", "bad", "words"), BREAKAGES)
def test_each_problem_kind_is_reported_with_file_row_field(
    tmp_path: Path, file: str, idx: int, field: str, bad: str, words: str
) -> None:
    data = _data()
    data[file][idx][field] = bad
    probs = _problems(write_evidence(tmp_path, data))
    assert len(probs) == 1, probs
    f, row, fld, msg = probs[0]
    assert (f, row, fld) == (file, idx + 2, field)
    assert words in msg


def test_unknown_and_missing_columns(tmp_path: Path) -> None:
    data = _data()
    write_evidence(tmp_path, data)
    cols = [c for c in TABLES[2].column_names if c != "locator"] + ["page"]
    write_table(tmp_path / "claims.csv", data["claims.csv"], cols)
    probs = _problems(tmp_path)
    assert ("claims.csv", 1, "page") in [(f, r, c) for f, r, c, _ in probs]
    assert ("claims.csv", 1, "locator") in [(f, r, c) for f, r, c, _ in probs]
    assert any("unknown column 'page'" in m for *_, m in probs)
    assert any("missing column 'locator'" in m for *_, m in probs)
    assert len(probs) == 2  # the missing column is reported once, not on every row


def test_ragged_row(tmp_path: Path) -> None:
    write_evidence(tmp_path)
    p = tmp_path / "derivations.csv"
    p.write_text(p.read_text(encoding="utf-8") + "D003,C007,C005,0.5,note,extra\n", encoding="utf-8")
    probs = _problems(tmp_path)
    assert [(f, r) for f, r, *_ in probs] == [("derivations.csv", 4)]
    assert "6 cells" in probs[0][3]


@pytest.mark.parametrize(("encoding", "bom", "words"), [("gbk", False, "GBK"), ("utf-8", True, "byte-order mark")])
def test_gbk_and_bom_files_are_reported_with_advice(tmp_path: Path, encoding: str, bom: bool, words: str) -> None:
    data = _data()
    write_evidence(tmp_path, data)
    write_table(tmp_path / "claims.csv", data["claims.csv"], TABLES[2].column_names, encoding=encoding, bom=bom)
    probs = _problems(tmp_path)
    assert len(probs) == 1
    f, row, fld, msg = probs[0]
    assert (f, row, fld) == ("claims.csv", None, None)
    assert words in msg
    assert "UTF-8" in msg


def test_undecodable_file(tmp_path: Path) -> None:
    write_evidence(tmp_path)
    (tmp_path / "events.csv").write_bytes(b"id,date\n\xff\xfe\xfa,1999\n")
    probs = _problems(tmp_path)
    assert probs[0][0] == "events.csv"
    assert "not valid UTF-8 or GBK" in probs[0][3]


def test_problems_come_in_file_and_row_order(tmp_path: Path) -> None:
    data = _data()
    data["claims.csv"][5]["channel"] = "x"
    data["claims.csv"][1]["channel"] = "y"
    data["derivations.csv"][0]["expression"] = "C999"
    data["sources/paper.csv"][1]["grade"] = "Z"
    probs = _problems(write_evidence(tmp_path, data))
    assert [(f, r) for f, r, *_ in probs] == [
        ("sources/paper.csv", 3), ("claims.csv", 3), ("claims.csv", 7), ("derivations.csv", 2)]


# Hypothesis: k independent broken rows → exactly k problems, each naming file, row and field.
_INDEPENDENT = [b for b in BREAKAGES if b[2] != "id" and not (b[0] == "corroborations.csv" and b[2] == "observation_id")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_INDEPENDENT), unique_by=lambda b: (b[0], b[1]), max_size=8))
def test_k_broken_rows_give_k_problems(breaks: list[tuple[str, int, str, str, str]]) -> None:
    data = _data()
    for file, idx, field, bad, _ in breaks:
        data[file][idx][field] = bad
    with tempfile.TemporaryDirectory() as d:
        root = write_evidence(Path(d), data)
        if not breaks:
            load(root)
            return
        with pytest.raises(InputError) as info:
            load(root)
    got = sorted((p.file, p.row, p.field) for p in info.value.problems)
    want = sorted((f, i + 2, fld) for f, i, fld, _, _ in breaks)
    assert got == want
    assert all(p.file and p.row and p.field and p.message for p in info.value.problems)


def test_facts_filters(syn_dir: Path) -> None:
    ev = load(syn_dir)
    assert ev.facts(channel="trade")["id"].tolist() == ["C001", "C002", "C003"]
    assert ev.facts(year=1997)["id"].tolist() == ["C001", "C003"]  # C003 covers 1997–2018
    assert ev.facts(year=2017)["id"].tolist() == ["C003", "C008"]
    assert ev.facts(geography="QH")["id"].tolist() == ["C004"]
    assert ev.facts(status="conflicts")["id"].tolist() == ["C001", "C004"]
    assert ev.facts(text="maker")["id"].tolist() == ["C006"]
    assert ev.facts(text="前海")["id"].tolist() == ["C004"]
    assert ev.facts(channel=["trade", "finance"], status=["conflicts"])["id"].tolist() == ["C001", "C004"]
    assert "status" in ev.facts().columns


def test_sql_compiles_tables_in_memory(syn_dir: Path) -> None:
    ev = load(syn_dir)
    df = ev.sql("select channel, count(*) as n from claims group by channel order by channel")
    assert dict(zip(df["channel"], df["n"], strict=True)) == {
        "context": 1, "finance": 1, "platforms": 1, "research_talent": 4, "trade": 3}
    j = ev.sql("select c.id, s.grade from claims c join claim_sources cs on c.id = cs.claim_id "
               "join sources s on s.id = cs.source_id where c.id = 'C001' order by s.id")
    assert j["grade"].tolist() == ["P", "P"]
    assert ev.sql("select sum(value) v from claims where id in ('C005', 'C006')")["v"].iloc[0] == 365
    a = ev.sql("select a.claim_id from audit_claims a join claims c on c.id = a.claim_id "
               "where a.status = 'inconsistent'")
    assert a["claim_id"].tolist() == ["C007"]
    assert ev.sql("select count(*) n from audit_derivations")["n"].iloc[0] == 2
    with pytest.raises(SpecError, match="SQL query failed"):
        ev.sql("select * from nope")
    assert not list(syn_dir.glob("*.duckdb"))


def test_table_name_is_checked(syn_dir: Path) -> None:
    with pytest.raises(SpecError, match="valid: sources"):
        load(syn_dir).table("nope")


def test_every_table_has_a_row_builder_and_a_record_type() -> None:
    from hkfactor.evidence._evidence import _RECORD_TYPES
    from hkfactor.evidence._loader import _BUILDERS

    names = [t.name for t in TABLES]
    assert sorted(_BUILDERS) == sorted(names) == sorted(_RECORD_TYPES) == sorted(TABLE_NAMES)
