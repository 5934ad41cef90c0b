"""``hkfactor panel …``: the sourced Shenzhen–Hong Kong panel — coverage and the Frictionless data package."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from hkfactor.cli._common import DataOpt, FormatOpt, Lang, LangOpt, OutFormat, app, console, emit_csv

__all__ = ["panel_app"]

panel_app = typer.Typer(
    name="panel",
    help="The sourced Shenzhen–Hong Kong panel: coverage by series and year, and the data package.\n\n"
    "内置深港面板数据：按序列和年份的覆盖情况，以及 Frictionless 数据包。",
    no_args_is_help=True,
)
app.add_typer(panel_app, name="panel")



@panel_app.command("coverage")
def coverage_command(
    grid: Annotated[bool, typer.Option("--grid", help="Series × years grid of grades / 序列×年份等级表")] = False,
    fmt: FormatOpt = OutFormat.table,
    data: DataOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Which series have values in which years, and of which source grade (A/B/C, d = derived).

    With --grid the terminal table is compact: one column a year (headed by its last two
    digits), one letter a cell, series grouped by channel; csv and json keep full years.

    每个序列在哪些年份有数值，来源等级如何（A/B/C，d 为推算值）。--grid 在终端中以紧凑表格显示：
    每列一年（表头为年份后两位），按渠道分组。
    """
    from hkfactor.panel import build, coverage, coverage_summary

    panel = build(data)
    df = (coverage(panel) if grid else coverage_summary(panel)).reset_index()
    if fmt == OutFormat.csv:
        emit_csv(df)
        return
    if fmt == OutFormat.json:
        sys.stdout.write(json.dumps(df.astype(object).where(df.notna(), None).to_dict(orient="records"),
                                    ensure_ascii=False, indent=2, default=str) + "\n")
        return
    console.print(_grid_table(df, lang) if grid else _summary_table(df, lang))


_SUMMARY_HEADERS = {"series": ("序列", "series"), "channel": ("渠道", "channel"), "first": ("起", "first"),
                    "last": ("止", "last"), "years": ("年数", "years"), "derived": ("推算", "derived"),
                    "excluded": ("剔除", "excluded")}


def _channel(code: str, lang: Lang) -> str:
    from hkfactor.evidence.vocab import label

    return label("channel", code, lang.value) if code else ("（未归类）" if lang == Lang.zh else "(no channel)")


def _summary_table(df: pd.DataFrame, lang: Lang) -> Table:
    zh = lang == Lang.zh
    title = ("面板覆盖（年度值；A/B/C 为来源等级，推算为推算值个数，剔除为未采用的观测数）" if zh
             else "Panel coverage (annual values; A/B/C source grade, derived values, excluded observations)")
    table = Table(title=title, header_style="bold")
    for col in df.columns:
        head = _SUMMARY_HEADERS.get(str(col), (str(col), str(col)))[0 if zh else 1]
        numeric = col in {"years", "A", "B", "C", "derived", "excluded"}
        table.add_column(head, no_wrap=col in {"series", "first", "last"}, justify="right" if numeric else "left",
                         overflow="fold")
    for rec in df.to_dict(orient="records"):
        cells = []
        for col in df.columns:
            v = rec[col]
            cells.append(_channel(str(v), lang) if col == "channel" else ("" if v is None else str(v)))
        table.add_row(*cells)
    return table


def _grid_table(df: pd.DataFrame, lang: Lang) -> Table:
    """Series × years in a terminal: two-digit year columns, one letter a cell, rows grouped by channel."""
    from hkfactor.evidence import ENUMS

    zh = lang == Lang.zh
    years = [c for c in df.columns if str(c).isdigit()]
    span = f"{years[0]}–{years[-1]}" if years else ""
    title = (f"面板覆盖 {span}（列为年份后两位；A/B/C 来源等级，d 推算，· 缺失）" if zh
             else f"Panel coverage {span} (columns: last two digits of the year; A/B/C source grade, d derived, "
             "· missing)")
    table = Table(title=title, header_style="bold", box=None, padding=(0, 1, 0, 0), show_edge=False)
    table.add_column("序列" if zh else "series", no_wrap=True)
    for y in years:
        table.add_column(str(y)[-2:], no_wrap=True, min_width=2, justify="center")
    has_channel = "channel" in df.columns
    order = {c: i for i, c in enumerate(ENUMS["channel"])}
    groups = (sorted(df.groupby("channel", sort=False), key=lambda kv: order.get(str(kv[0]), len(order)))
              if has_channel else [("", df)])
    for code, part in groups:
        if has_channel:
            table.add_row(Text(_channel(str(code), lang), style="bold"), *[""] * len(years))
        for rec in part.to_dict(orient="records"):
            table.add_row(f" {rec['series']}", *[str(rec[y]) or "·" for y in years])
    return table


@panel_app.command("datapackage")
def datapackage_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder / 输出目录")] = Path("out/datapackage"),
    data: DataOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Write the resolved panel, every observation, per-cell provenance, series, breaks and sources as a
    Frictionless Data Package (datapackage.json + CSV).

    把面板、全部观测值、每个单元格的取值依据、序列定义、口径变化与来源写成 Frictionless 数据包。
    """
    from hkfactor.panel import build

    panel = build(data)
    descriptor = panel.to_datapackage(out)
    console.print(f"{'已写出' if lang == Lang.zh else 'wrote'} {descriptor}", highlight=False)
