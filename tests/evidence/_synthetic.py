"""A small SYNTHETIC evidence folder for tests (not data: values are made up to exercise the code).

The two conflicts mirror the shape of the real ones (a 1997 trade value against a customs
figure; a Qianhai share against a registration count) but every number here is synthetic.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hkfactor.evidence._schema import TABLES

__all__ = ["SYNTHETIC", "write_evidence", "write_table"]

SYNTHETIC: dict[str, list[dict[str, str]]] = {
    "sources/paper.csv": [
        {"id": "S-PAPER", "kind": "paper", "title_zh": "合成论文", "title_en": "synthetic paper", "grade": "P",
         "note": "synthetic"},
        {"id": "S-REF-1", "kind": "reference", "ref_label": "[1]", "title_en": "synthetic reference",
         "grade": "P"},
        {"id": "S-REF-2", "kind": "reference", "ref_label": "[2]", "title_zh": "合成文献二", "grade": "P"},
    ],
    "sources/corroboration.csv": [
        {"id": "S-SYN-CUSTOMS", "kind": "web", "title_zh": "合成海关", "title_en": "Synthetic Customs",
         "publisher": "合成海关", "url": "https://example.org/customs", "date": "2017-07-19", "grade": "B"},
    ],
    "geographies.csv": [
        {"id": "SZ", "name_zh": "深圳", "name_en": "Shenzhen"},
        {"id": "HK", "name_zh": "香港", "name_en": "Hong Kong"},
        {"id": "SZHK", "name_zh": "深港", "name_en": "Shenzhen–Hong Kong"},
        {"id": "QH", "name_zh": "前海", "name_en": "Qianhai", "parent": "SZ"},
    ],
    "claims.csv": [
        {"id": "C001", "section": "5", "channel": "trade", "geography": "SZHK", "measure_zh": "深港进出口总额",
         "measure_en": "SZ–HK trade", "printed_value": "600", "printed_unit": "亿元", "qualifier": "exact",
         "period_kind": "year", "period_start": "1997", "period_end": "1997", "source_ids": "S-PAPER;S-REF-1",
         "locator": "自1997年（600亿元）", "kind": "stated"},
        {"id": "C002", "section": "5", "channel": "trade", "geography": "SZHK", "measure_zh": "深港进出口总额",
         "measure_en": "SZ–HK trade", "printed_value": "7 266", "printed_unit": "亿元", "qualifier": "exact",
         "period_kind": "year", "period_start": "2018", "period_end": "2018", "source_ids": "S-PAPER",
         "locator": "到2018年（7 266亿元）", "kind": "stated"},
        {"id": "C003", "section": "5", "channel": "trade", "geography": "SZHK", "measure_zh": "年均增长",
         "measure_en": "average annual growth", "printed_value": "12.6", "printed_unit": "%",
         "period_kind": "range", "period_start": "1997", "period_end": "2018", "source_ids": "S-PAPER",
         "locator": "年均增长12.6%", "kind": "derived"},
        {"id": "C004", "section": "2", "channel": "finance", "geography": "QH", "measure_zh": "港资企业占比",
         "measure_en": "HK-invested share of firms", "printed_value": "2/3", "printed_unit": "",
         "period_kind": "as_of", "period_end": "2018", "source_ids": "S-PAPER", "locator": "占前海企业总数的2/3",
         "kind": "stated"},
        {"id": "C005", "section": "3.2", "channel": "research_talent", "geography": "SZ", "measure_zh": "孵化器",
         "measure_en": "incubators", "printed_value": "130", "printed_unit": "家", "period_kind": "as_of",
         "period_end": "2018-12", "source_ids": "S-PAPER", "locator": "130家科技企业孵化器", "kind": "stated"},
        {"id": "C006", "section": "3.2", "channel": "research_talent", "geography": "SZ", "measure_zh": "众创空间",
         "measure_en": "maker spaces", "printed_value": "235", "printed_unit": "家", "period_kind": "as_of",
         "period_end": "2018-12", "source_ids": "S-PAPER", "locator": "235家众创空间", "kind": "stated"},
        {"id": "C007", "section": "3.2", "channel": "research_talent", "geography": "SZ", "measure_zh": "孵化载体",
         "measure_en": "incubation carriers", "printed_value": "366", "printed_unit": "家", "period_kind": "undated",
         "source_ids": "S-PAPER", "locator": "建立了366家孵化载体", "kind": "stated",
         "note": "synthetic: deliberately 1 off the sum"},
        {"id": "C008", "section": "3.2", "channel": "research_talent", "geography": "HK", "measure_zh": "赴深比例",
         "measure_en": "share going to Shenzhen", "printed_value": "近七成", "printed_unit": "", "qualifier": "about",
         "period_kind": "year", "period_start": "2017", "source_ids": "S-PAPER", "locator": "近七成目的地是深圳",
         "kind": "stated"},
        {"id": "C009", "section": "1", "channel": "context", "geography": "SZ", "measure_en": "years of development",
         "printed_value": "40", "printed_unit": "年", "period_kind": "undated", "source_ids": "S-PAPER",
         "locator": "经过40年的发展", "kind": "stated"},
        {"id": "C010", "section": "6", "channel": "platforms", "geography": "SZ", "measure_zh": "研究区",
         "measure_en": "research zones", "printed_value": "三", "printed_unit": "个", "period_kind": "year",
         "period_start": "2008", "source_ids": "S-PAPER", "locator": "提出建设三个研究区", "kind": "stated"},
    ],
    "entities.csv": [
        {"id": "E-HKUST", "type": "university", "name_zh": "香港科技大学", "name_en": "HKUST", "side": "HK",
         "channel": "research_talent", "source_ids": "S-PAPER", "locator": "港科大"},
        {"id": "E-DJI", "type": "firm", "name_zh": "大疆", "name_en": "DJI", "side": "SZ", "founded": "2006"},
    ],
    "relations.csv": [
        {"id": "R001", "subject": "E-DJI", "predicate": "incubated_in", "object": "E-HKUST", "start": "2006",
         "value": "110", "unit": "万美元", "source_ids": "S-PAPER", "locator": "均诞生于此"},
    ],
    "events.csv": [
        {"id": "V001", "date": "1981/1994", "label_zh": "三来一补", "label_en": "processing trade",
         "channel": "manufacturing_chain", "entity_ids": "E-DJI", "source_ids": "S-PAPER"},
    ],
    "observations/corroboration.csv": [
        {"id": "O-SZHKTRADE-SZHK-1997", "series": "sz_hk_trade", "geography": "SZHK", "period": "1997",
         "printed_value": "701.4", "printed_unit": "亿元", "source_id": "S-SYN-CUSTOMS",
         "locator": "1997年的701.4亿元人民币", "grade": "B", "vintage": "2017-07-19"},
        {"id": "O-QHHKSHARE-QH-2016", "series": "qh_hk_share", "geography": "QH", "period": "2016-06",
         "printed_value": "3.306", "printed_unit": "%", "source_id": "S-SYN-CUSTOMS",
         "derived_from": "3306/100000", "grade": "B"},
        {"id": "O-HKTRIPS-HK-2017", "series": "hk_trips_sz_share", "geography": "HK", "period": "2017",
         "printed_value": "68.4", "printed_unit": "%", "source_id": "S-SYN-CUSTOMS", "locator": "68.4%"},
    ],
    "corroborations.csv": [
        {"id": "K001", "claim_id": "C001", "observation_id": "O-SZHKTRADE-SZHK-1997", "comparison": "equal",
         "tolerance": "0.01"},
        {"id": "K002", "claim_id": "C004", "observation_id": "O-QHHKSHARE-QH-2016", "comparison": "scope_differs",
         "declared_status": "conflicts", "note": "synthetic: registration share far below 2/3"},
        {"id": "K003", "claim_id": "C008", "observation_id": "O-HKTRIPS-HK-2017", "comparison": "equal",
         "tolerance": "0.05"},
        {"id": "K004", "claim_id": "C009", "comparison": "declared", "declared_status": "consistent",
         "note": "synthetic: 1980–2020"},
    ],
    "derivations.csv": [
        {"id": "D001", "claim_id": "C003", "expression": "cagr(C001, C002, 21)", "tolerance": "0.0005"},
        {"id": "D002", "claim_id": "C007", "expression": "C005 + C006 + 0", "tolerance": "0.5"},
    ],
}


def _table_of(relpath: str) -> tuple[str, ...]:
    top = relpath.split("/")[0]
    for t in TABLES:
        if t.path == top or t.path == relpath:
            return t.column_names
    raise KeyError(relpath)


def write_table(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] | list[str],
                *, encoding: str = "utf-8", bom: bool = False) -> None:
    """Write rows as a CSV file with exactly these columns."""
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(encoding))


def write_evidence(root: Path, data: dict[str, list[dict[str, str]]] | None = None) -> Path:
    """Write a (synthetic) evidence folder; returns ``root``."""
    for rel, rows in (SYNTHETIC if data is None else data).items():
        write_table(root / rel, rows, _table_of(rel))
    return root
