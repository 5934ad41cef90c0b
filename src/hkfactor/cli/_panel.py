"""``hkfactor panel …``: the sourced Shenzhen–Hong Kong panel — coverage and the Frictionless data package."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hkfactor.cli._common import Lang, LangOpt, OutFormat, app, console

__all__ = ["panel_app"]

panel_app = typer.Typer(
    name="panel",
    help="The sourced Shenzhen–Hong Kong panel: coverage by series and year, and the data package.\n\n"
    "内置深港面板数据：按序列和年份的覆盖情况，以及 Frictionless 数据包。",
    no_args_is_help=True,
)
app.add_typer(panel_app, name="panel")

DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="An evidence folder (default: built-in) / 证据目录（缺省为内置）", file_okay=False),
]


@panel_app.command("coverage")
def coverage_command(
    grid: Annotated[bool, typer.Option("--grid", help="Series × years grid of grades / 序列×年份等级表")] = False,
    fmt: Annotated[OutFormat, typer.Option("--format", help="table, csv or json / 输出格式")] = OutFormat.table,
    data: DataOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Which series have values in which years, and of which source grade (A/B/C, d = derived).

    每个序列在哪些年份有数值，来源等级如何（A/B/C，d 为推算值）。
    """
    from hkfactor.panel import build, coverage, coverage_summary

    panel = build(data)
    df = (coverage(panel) if grid else coverage_summary(panel)).reset_index()
    if fmt == OutFormat.csv:
        sys.stdout.write(df.to_csv(index=False, lineterminator="\n"))
        return
    if fmt == OutFormat.json:
        sys.stdout.write(json.dumps(df.astype(object).where(df.notna(), None).to_dict(orient="records"),
                                    ensure_ascii=False, indent=2, default=str) + "\n")
        return
    zh = lang == Lang.zh
    title = ("面板覆盖（年度值；A/B/C 为来源等级，d 为推算）" if zh
             else "Panel coverage (annual values; A/B/C source grade, d derived)")
    table = Table(title=title, header_style="bold")
    for i, col in enumerate(df.columns):
        table.add_column(str(col), no_wrap=i == 0, overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


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
    from hkfactor.panel import build, read_sources

    panel = build(data)
    descriptor = panel.to_datapackage(out, sources=read_sources(data))
    console.print(f"{'已写出' if lang == Lang.zh else 'wrote'} {descriptor}", highlight=False)
