"""``hkfactor evaluate``: the main job — evaluate, then write the report, tables and figures."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hkfactor.cli._common import Lang, LangOpt, app, console, err_console
from hkfactor.errors import InputError, Problem

if TYPE_CHECKING:
    from hkfactor.evaluation import EvalFramework

__all__ = ["evaluate_command"]

_STAGES = {
    "load": ("读取数据", "reading data"),
    "coverage": ("数据覆盖", "coverage"),
    "imputation": ("插补", "imputation"),
    "indices": ("综合指数", "indices"),
    "coupling": ("耦合协调", "coupling coordination"),
    "attribution": ("趋势相似度与障碍度", "trend similarity and obstacles"),
    "robustness": ("稳健性", "robustness"),
    "tables": ("结果表", "tables"),
    "figures": ("绘图", "figures"),
    "report": ("报告", "report"),
}


@app.command("evaluate")
def evaluate_command(
    data: Annotated[Path | None, typer.Option(
        "--data", help="Your own data (CSV in UTF-8 or GBK, or Excel; long or wide). Default: the built-in "
        "Shenzhen–Hong Kong panel. / 自己的数据（CSV 或 Excel）；缺省为内置数据。")] = None,
    framework: Annotated[Path | None, typer.Option(
        "--framework", help="Framework YAML (same format as the built-in one). Default: the built-in "
        "Shenzhen–Hong Kong framework. / 指标框架 YAML。")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder / 输出目录")] = Path("out/evaluate"),
    lang: LangOpt = Lang.zh,
    sheet: Annotated[str | None, typer.Option(
        "--sheet", help="Excel only: sheet name, or number counting from 1 as Excel does (default: the first "
        "sheet) / Excel 工作表名称或序号（从 1 开始）")] = None,
) -> None:
    """Evaluate the Hong Kong factor in Shenzhen's innovation and write a bilingual report.

    评价香港因素对深圳创新的作用：综合指数、耦合协调度、灰色关联、障碍度与稳健性，输出双语报告。
    """
    from hkfactor.evaluation import evaluate, read_data, read_framework
    from hkfactor.evaluation._builtin import builtin_framework, builtin_panel
    from hkfactor.evaluation._userdata import DataError
    from hkfactor.report.evaluation import write_report

    _check_out(out)
    if sheet is not None and data is None:
        raise InputError([Problem("--sheet", None, None, "--sheet picks a sheet of your Excel file: it needs "
                                  "--data FILE.xlsx")], title="invalid --sheet")

    zh = lang == Lang.zh
    t0 = time.perf_counter()
    parts = ["hkfactor evaluate"]
    if data is not None:
        parts.append(f"--data {data.name}")
    if framework is not None:
        parts.append(f"--framework {framework.name}")
    parts.append(f"--out {out}")
    parts.append(f"--lang {lang.value}")
    command = " ".join(parts)

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("…", total=None)

        def say(stage: str) -> None:
            zh_s, en_s = _STAGES.get(stage, (stage, stage))
            bar.update(task, description=zh_s if zh else en_s)

        say("load")
        fw = read_framework(framework) if framework is not None else builtin_framework()
        if data is not None:
            try:
                panel = read_data(data, fw, sheet=sheet)
            except DataError as exc:
                if framework is None and exc.unknown_series:
                    raise _needs_framework(data, fw, exc.unknown_series) from None
                raise
        elif framework is not None:
            raise InputError([Problem(str(framework), None, None,
                                      "a custom framework needs your own data: add --data FILE")],
                             title="missing --data")
        else:
            panel = builtin_panel()
        ev = evaluate(panel, fw, progress=say)
        files = write_report(ev, out, lang=lang.value, command=command, progress=say)

    elapsed = time.perf_counter() - t0
    last = ev.coupling.iloc[-1]
    band = last["band_zh"] if zh else last["band_en"]
    n_ch, n_ch_all = len(ev.channel_index.columns), len(fw.channels)
    construct = next((d for d in ev.decisions if d.kind == "construct" and d.subject != "bilateral"), None)
    if construct is not None:
        console.print(construct.zh if zh else construct.en, style="bold", highlight=False)
    if zh:
        console.print(f"评价年份 {ev.years[0]}–{ev.years[-1]}，使用渠道 {n_ch}/{n_ch_all}，使用指标 "
                      f"{int((ev.indicators['status'] == 'used').sum())}"
                      f"/{len(ev.indicators)}，方法调整 {len(ev.decisions)} 项")
        console.print(f"{int(last['year'])} 年耦合协调度 D = {last['D']:.3f}（{band}）")
        console.print(f"报告：{files.html}（表格 {files.html.parent / 'tables'}，图 {files.html.parent / 'figures'}）"
                      f"，用时 {elapsed:.1f} 秒", highlight=False)
    else:
        console.print(f"Years {ev.years[0]}–{ev.years[-1]}, {n_ch} of {n_ch_all} channels, indicators used "
                      f"{int((ev.indicators['status'] == 'used').sum())}/{len(ev.indicators)}, "
                      f"{len(ev.decisions)} decision(s)")
        console.print(f"Coupling coordination D in {int(last['year'])} = {last['D']:.3f} ({band})")
        console.print(f"Report: {files.html} (tables in {files.html.parent / 'tables'}, figures in "
                      f"{files.html.parent / 'figures'}), {elapsed:.1f} s", highlight=False)


def _check_out(out: Path) -> None:
    """``--out`` must be a folder (or not exist yet): say so before any work starts."""
    for p in (out, *out.parents):
        if p.exists():
            if not p.is_dir():
                what = "--out" if p == out else f"--out {out}: its parent folder {p}"
                raise InputError([Problem(str(p), None, None, f"{what} is an existing file, not a folder; "
                                          "give a folder to write the report into (it is created if missing)")],
                                 title="invalid --out")
            return


def _needs_framework(data: Path, fw: EvalFramework, unknown: Sequence[str]) -> InputError:
    """One clear error for own data read against the built-in framework."""
    series = sorted(ind.series for _s, _c, ind in fw.indicators())
    shown = ", ".join(unknown[:8]) + (f" … ({len(unknown)} in all)" if len(unknown) > 8 else "")
    return InputError([Problem(str(data), None, None,
                               f"your own data needs --framework FILE (the built-in framework's series are: "
                               f"{', '.join(series)}); your data has series the built-in framework does not know: "
                               f"{shown}. Copy docs/examples/synthetic_pair.yaml (or the built-in "
                               "src/hkfactor/frameworks/shenzhen_hk.yaml) and list your series in it")],
                      title="missing --framework")
