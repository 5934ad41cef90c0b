"""Evidence commands: ``facts``, ``entities``, ``relations``, ``timeline``, ``audit``, ``export``.

Thin adapters over :mod:`hkfactor.evidence`: they load (``--data DIR`` or the built-in
evidence), filter, and print a Rich table (``--lang zh|en``), CSV or JSON.
"""

from __future__ import annotations

import enum
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from hkfactor.cli._common import DataOpt, FormatOpt, Lang, LangOpt, OutFormat, app, console, emit_csv
from hkfactor.errors import InputError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from hkfactor.evidence import Evidence

__all__ = [
    "audit_command",
    "entities_command",
    "export_command",
    "facts_command",
    "relations_command",
    "sql_command",
    "timeline_command",
]



class ExportFormat(enum.StrEnum):
    """File format of ``hkfactor export``."""

    csv = "csv"
    json = "json"
    parquet = "parquet"
    xlsx = "xlsx"


def _load(data: Path | None) -> Evidence:
    from hkfactor.evidence import load

    return load(data)




def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == Lang.zh else en


def _pick(row: Any, base: str, lang: Lang) -> str:
    first, second = (f"{base}_zh", f"{base}_en") if lang == Lang.zh else (f"{base}_en", f"{base}_zh")
    return str(row[first] or row[second])


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in df.to_dict(orient="records"):
        out.append({str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
    return out


def _emit(df: pd.DataFrame, fmt: OutFormat, table: Table | None) -> None:
    if fmt == OutFormat.json:
        sys.stdout.write(json.dumps(_records(df), ensure_ascii=False, indent=2) + "\n")
    elif fmt == OutFormat.csv:
        emit_csv(df)
    elif table is not None:
        console.print(table)


def _mk_table(title: str, headers: list[str]) -> Table:
    t = Table(title=title, show_lines=False, header_style="bold")
    for h in headers:
        t.add_column(h, overflow="fold")
    return t


# ---------------------------------------------------------------------- facts


@app.command("facts")
def facts_command(
    channel: Annotated[list[str] | None, typer.Option(
        "--channel", help="channel code or name, e.g. finance, 金融, trade; repeat or comma-separate / 渠道")] = None,
    year: Annotated[int | None, typer.Option("--year", help="claims whose period covers this year / 年份")] = None,
    geo: Annotated[list[str] | None, typer.Option(
        "--geo", help="geography code (any case) or name, e.g. SZ, HK, QH, 深圳市 / 地区")] = None,
    status: Annotated[list[str] | None, typer.Option(
        "--status", help="audit status: conflicts, inconsistent, corroborated, consistent, unverified / 核查状态")] = None,
    search: Annotated[str | None, typer.Option("--search", help="text in measure, locator or note / 关键词")] = None,
    fmt: FormatOpt = OutFormat.table,
    lang: LangOpt = Lang.zh,
    data: DataOpt = None,
) -> None:
    """List the paper's quantitative claims with their audit status.

    列出论文中的定量论断及其核查状态。
    """
    from hkfactor.evidence.vocab import label, qualified_quantity

    ev = _load(data)
    df = ev.facts(channel=channel, year=year, geography=geo, status=status, text=search)
    table = None
    if fmt == OutFormat.table:
        table = _mk_table(
            _t(lang, f"论文定量论断（{len(df)} 条）", f"Claims of the paper ({len(df)})"),
            [_t(lang, "编号", "id"), _t(lang, "渠道", "channel"), _t(lang, "地区", "geo"),
             _t(lang, "指标", "measure"), _t(lang, "原文", "printed"), _t(lang, "规范值", "value"),
             _t(lang, "时间", "period"), _t(lang, "状态", "status")],
        )
        for _, r in df.iterrows():
            period = "–".join(dict.fromkeys(x for x in (r["period_start"], r["period_end"]) if x))
            table.add_row(r["id"], label("channel", r["channel"], lang), r["geography"], _pick(r, "measure", lang),
                          r["printed_value"] + r["printed_unit"],
                          qualified_quantity(r["value"], r["unit"], r["qualifier"], lang=lang),
                          period, label("status", r["status"], lang))
    _emit(df, fmt, table)


# ---------------------------------------------------------------------- entities & relations


@app.command("entities")
def entities_command(
    type_: Annotated[list[str] | None, typer.Option(
        "--type", help="entity type code or name, e.g. university, firm, 企业 / 类型")] = None,
    side: Annotated[list[str] | None, typer.Option(
        "--side", help="HK, SZ, WORLD, MAINLAND, CROSS (any case) or 香港, 深圳… / 归属")] = None,
    channel: Annotated[list[str] | None, typer.Option("--channel", help="channel code or name / 渠道")] = None,
    search: Annotated[str | None, typer.Option("--search", help="text in the names / 关键词")] = None,
    fmt: FormatOpt = OutFormat.table,
    lang: LangOpt = Lang.zh,
    data: DataOpt = None,
) -> None:
    """List the actors of the innovation chain (universities, firms, platforms, people…).

    列出创新链中的主体（高校、企业、平台、人物等）。
    """
    from hkfactor.evidence.vocab import label

    df = _load(data).find_entities(type=type_, side=side, channel=channel, text=search)
    table = None
    if fmt == OutFormat.table:
        table = _mk_table(_t(lang, f"创新链主体（{len(df)} 个）", f"Actors ({len(df)})"),
                          [_t(lang, "编号", "id"), _t(lang, "类型", "type"), _t(lang, "名称", "name"),
                           _t(lang, "归属", "side"), _t(lang, "渠道", "channel"), _t(lang, "成立", "founded")])
        for _, r in df.iterrows():
            table.add_row(r["id"], label("entity_type", r["type"], lang), _pick(r, "name", lang),
                          label("side", r["side"], lang), label("channel", r["channel"], lang), r["founded"])
    _emit(df, fmt, table)


@app.command("relations")
def relations_command(
    entity: Annotated[list[str] | None, typer.Option(
        "--entity", help="relations of this entity: id or Chinese/English name, e.g. E-DJI, 大疆 / 主体编号或名称")] = None,
    predicate: Annotated[list[str] | None, typer.Option(
        "--predicate", help="e.g. founded, invested_in, 创立 / 关系")] = None,
    fmt: FormatOpt = OutFormat.table,
    lang: LangOpt = Lang.zh,
    data: DataOpt = None,
) -> None:
    """List the typed relations between actors (who founded, financed, hosted whom).

    列出主体之间的关系（创立、投资、孵化等）。
    """
    from hkfactor.evidence.vocab import label

    ev = _load(data)
    df = ev.find_relations(entity=entity, predicate=predicate)
    table = None
    if fmt == OutFormat.table:
        names = {e.id: (e.name_zh or e.name_en) if lang == Lang.zh else (e.name_en or e.name_zh)
                 for e in ev.records.entities}
        table = _mk_table(_t(lang, f"主体关系（{len(df)} 条）", f"Relations ({len(df)})"),
                          [_t(lang, "编号", "id"), _t(lang, "主体", "subject"), _t(lang, "关系", "predicate"),
                           _t(lang, "客体", "object"), _t(lang, "时间", "when"), _t(lang, "数额", "amount")])
        for _, r in df.iterrows():
            when = "–".join(x for x in (r["start"], r["end"]) if x)
            table.add_row(r["id"], names.get(r["subject"], r["subject"]), label("predicate", r["predicate"], lang),
                          names.get(r["object"], r["object"]), when, (r["value"] + r["unit"]) if r["value"] else "")
    _emit(df, fmt, table)


@app.command("timeline")
def timeline_command(
    channel: Annotated[list[str] | None, typer.Option("--channel", help="channel code or name / 渠道")] = None,
    start: Annotated[int | None, typer.Option("--from", help="first year / 起始年")] = None,
    end: Annotated[int | None, typer.Option("--to", help="last year / 截止年")] = None,
    fmt: FormatOpt = OutFormat.table,
    lang: LangOpt = Lang.zh,
    data: DataOpt = None,
) -> None:
    """Show the dated chronology of the Hong Kong factor.

    按时间顺序列出香港因素相关事件。
    """
    from hkfactor.evidence.vocab import label

    df = _load(data).timeline(channel=channel, start=start, end=end)
    table = None
    if fmt == OutFormat.table:
        table = _mk_table(_t(lang, f"大事年表（{len(df)} 项）", f"Timeline ({len(df)})"),
                          [_t(lang, "时间", "date"), _t(lang, "事件", "event"), _t(lang, "渠道", "channel"),
                           _t(lang, "编号", "id")])
        for _, r in df.iterrows():
            table.add_row(r["date"].replace("/", "–"), _pick(r, "label", lang), label("channel", r["channel"], lang),
                          r["id"])
    _emit(df, fmt, table)


# ---------------------------------------------------------------------- audit


@app.command("audit")
def audit_command(
    out: Annotated[Path | None, typer.Option(
        "--out", help="folder for audit.html (the page is bilingual, zh and en) and audit.csv / "
        "输出目录（audit.html 为中英双语页面，另有 audit.csv）", file_okay=False)] = None,
    status: Annotated[list[str] | None, typer.Option("--status", help="only claims with this status / 状态")] = None,
    fmt: FormatOpt = OutFormat.table,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the terminal table and messages (the audit.html "
                                       "page is bilingual) / 终端输出语言（audit.html 为双语）")] = Lang.zh,
    data: DataOpt = None,
) -> None:
    """Audit the paper's claims: recompute its arithmetic, compare with independent sources.

    The terminal table follows --lang; audit.html (with --out) is one bilingual page whatever --lang is.

    核查论文论断：重算其中的算术，并与独立来源比对。终端表格随 --lang；audit.html 始终为中英双语。
    """
    from hkfactor.evidence.audit import BASES, CHECK_CLASSES, STATUSES
    from hkfactor.evidence.vocab import label, match_codes

    wanted = match_codes("status", status, valid=STATUSES) if status else None
    ev = _load(data)
    res = ev.audit_
    if out is not None:
        from hkfactor.report.audit import write_audit

        write_audit(ev, out, res)
    df = res.claims if not status else res.claims[res.claims["status"].isin(wanted or ())].reset_index(drop=True)
    if fmt != OutFormat.table:
        _emit(df, fmt, None)
        return
    summ = res.summary()
    head = _mk_table(
        _t(lang, "核查结果汇总（按决定状态的核对类别分列）", "Audit summary (split by the class of the deciding check)"),
        [_t(lang, "状态", "status"), _t(lang, "论断数", "claims"),
         *(_t(lang, f"依据：{label('check_class', b, 'zh')}", f"basis: {label('check_class', b, 'en')}")
           for b in BASES)],
    )
    for _, r in summ.iterrows():
        head.add_row(label("status", r["status"], lang), str(r["n"]), *(str(r[f"n_{b}"]) for b in BASES))
    head.add_row(_t(lang, "合计", "total"), str(int(summ["n"].sum())), *(str(int(summ[f"n_{b}"].sum())) for b in BASES))
    console.print(head)
    cs = res.check_summary()
    by_class = _mk_table(_t(lang, "核对项按类别", "Checks by class"),
                         [_t(lang, "类别", "class"), *(label("status", s, lang) for s in STATUSES), _t(lang, "合计", "total")])
    for c in CHECK_CLASSES:
        by_class.add_row(label("check_class", c, lang), *(str(cs.loc[c, s]) for s in STATUSES), str(cs.loc[c, "total"]))
    console.print(by_class)
    shown = df[df["status"] != "unverified"] if not status else df
    table = _mk_table(
        _t(lang, f"已核查的论断（{len(shown)} 条；未核查的用 --status unverified 查看）",
           f"Checked claims ({len(shown)}; see unchecked ones with --status unverified)"),
        [_t(lang, "编号", "id"), _t(lang, "原文", "printed"), _t(lang, "指标", "measure"), _t(lang, "状态", "status"),
         _t(lang, "说明", "detail")],
    )
    for _, r in shown.iterrows():
        table.add_row(r["claim_id"], r["printed"], _pick(r, "measure", lang), label("status", r["status"], lang),
                      _pick(r, "detail", lang))
    console.print(table)
    if out is not None:
        console.print(_t(lang, f"已写出 {out / 'audit.html'} 与 {out / 'audit.csv'}",
                         f"wrote {out / 'audit.html'} and {out / 'audit.csv'}"), highlight=False)


# ---------------------------------------------------------------------- sql


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="SQL over claims, sources, entities, relations, events, observations, "
                                         "corroborations, derivations, geographies, claim_sources, audit_claims, "
                                         "audit_derivations, audit_corroborations / SQL 查询")],
    fmt: FormatOpt = OutFormat.table,
    lang: LangOpt = Lang.zh,
    data: DataOpt = None,
) -> None:
    """Query the evidence with SQL (DuckDB, in memory; nothing is written).

    用 SQL 查询证据库（DuckDB 内存数据库，不写文件）。
    """
    df = _load(data).sql(query)
    table = None
    if fmt == OutFormat.table:
        table = _mk_table(_t(lang, f"查询结果（{len(df)} 行）", f"Result ({len(df)} rows)"), [str(c) for c in df.columns])
        for row in df.itertuples(index=False):
            table.add_row(*("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in row))
    _emit(df, fmt, table)


# ---------------------------------------------------------------------- export


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="output folder (csv, parquet) or file (json, xlsx) / 输出路径")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv, json, parquet or xlsx / 格式")] = ExportFormat.csv,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the terminal messages; the files are the same "
                                       "for zh and en (labels are bilingual) / 终端提示语言（文件内容与语言无关）")] = Lang.zh,
    data: DataOpt = None,
) -> None:
    """Export every evidence table (with normalised values) and the audit.

    csv: a folder in the same layout as the built-in evidence (claims.csv, sources/*.csv,
    observations/*.csv, …; same columns, UTF-8 without BOM), so `hkfactor facts --data
    <folder>` reads it back; beside them, for Excel (UTF-8 with BOM): claims_normalised.csv,
    observations_normalised.csv, relations_normalised.csv (normalised values, audit status,
    file and row of origin) and audit_claims.csv, audit_derivations.csv,
    audit_corroborations.csv. parquet: one file per table (with normalised values) plus
    audit.parquet. json, xlsx: one file, one table (sheet) each plus the audit. Column names
    and labels are as in the data (bilingual where the data is); --lang sets the terminal
    messages only.

    导出全部证据表（含规范化数值）及核查结果。csv：目录结构与内置证据相同（可用 --data 读回），另附供 Excel
    打开的规范化数值与核查结果文件（带 BOM）；parquet 每表一个文件；json/xlsx 写入单个文件。
    文件内容与 --lang 无关（数据本身中英双语），--lang 只决定终端提示的语言。
    """
    from hkfactor.evidence import TABLE_NAMES
    from hkfactor.io import atomic_path, atomic_write, write_csv, write_excel, write_folder_atomically

    folder = fmt in (ExportFormat.csv, ExportFormat.parquet)
    if folder and out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), None, None, f"--format {fmt.value} writes a folder, but this is an "
                                  "existing file; give a folder path (new or existing)")], title="invalid --out")
    if not folder and out.is_dir():
        raise InputError([Problem(str(out), None, None, f"--format {fmt.value} writes one file, but this is a "
                                  f"folder; give a file path such as {out / ('evidence.' + fmt.value)}")],
                         title="invalid --out")
    ev = _load(data)
    try:
        if fmt == ExportFormat.csv:
            # The folder is replaced as one unit: a reader (or a killed run) sees the old export or the new one.
            with write_folder_atomically(out) as stage:
                written = ev.save(stage)
                extras = {"claims_normalised": ev.facts(), "observations_normalised": ev.observations,
                          "relations_normalised": ev.relations, "audit_claims": ev.audit_.claims,
                          "audit_derivations": ev.audit_.derivations, "audit_corroborations": ev.audit_.corroborations}
                for n, df in extras.items():
                    write_csv(df, stage / f"{n}.csv", encoding="utf-8-sig", float_format="%.10g")
            n_files = len(written) + len(extras)
        else:
            tables = {n: ev.table(n) for n in TABLE_NAMES}
            tables["audit"] = ev.audit_.claims
            n_files = len(tables)
            if fmt == ExportFormat.parquet:
                _need("pyarrow", "parquet")
                with write_folder_atomically(out) as stage:
                    for n, df in tables.items():
                        with atomic_path(stage / f"{n}.parquet") as tmp:
                            df.to_parquet(tmp, index=False)
            elif fmt == ExportFormat.json:
                with atomic_write(out) as fh:
                    fh.write(json.dumps({n: _records(df) for n, df in tables.items()}, ensure_ascii=False, indent=1)
                             + "\n")
            else:
                _need("openpyxl", "xlsx")
                write_excel(tables, out)
    except OSError as exc:
        raise InputError([Problem(str(exc.filename or out), None, None, f"cannot write: {exc.strerror or exc}")],
                         title="cannot write the export") from None
    console.print(_t(lang, f"已导出 {n_files} 个{'文件' if fmt == ExportFormat.csv else '表'}到 {out}",
                     f"exported {n_files} {'files' if fmt == ExportFormat.csv else 'tables'} to {out}"),
                  highlight=False)


def _need(module: str, fmt: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise InputError([Problem(fmt, None, None, f"writing {fmt} needs the optional package {module}; "
                                  "install hkfactor[all]")], title="missing optional package")
