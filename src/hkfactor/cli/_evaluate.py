"""``hkfactor evaluate``: the main job — evaluate, then write the report, tables and figures."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hkfactor.cli._common import Lang, LangOpt, app, console, err_console
from hkfactor.errors import InputError, Problem

if TYPE_CHECKING:
    from hkfactor.evaluation import (
        CityData,
        CityDesigns,
        EvalFramework,
        EvalPanel,
        Evaluation,
        EvaluationRecipe,
        PendingCityDesigns,
    )

__all__ = ["evaluate_command"]

_STAGES = {
    "load": ("读取数据", "reading data"),
    "coverage": ("数据覆盖", "coverage"),
    "indices": ("综合指数", "indices"),
    "coupling": ("耦合协调", "coupling coordination"),
    "attribution": ("趋势相似度与障碍度", "trend similarity and obstacles"),
    "robustness": ("稳健性", "robustness"),
    "identification": ("识别设计", "designs"),
    "tables": ("结果表", "tables"),
    "figures": ("绘图", "figures"),
    "report": ("报告", "report"),
}


#: What a recipe input is, in both languages (the ``what`` of the recipe.input_* problems).
_WHAT = {"data": {"en": "data", "zh": "数据"}, "framework": {"en": "framework", "zh": "框架"},
         "builtin": {"en": "built-in data", "zh": "内置数据"}}


def _panel_digest(panel: EvalPanel) -> str:
    return hashlib.sha256(panel.cells.to_csv(index=False).encode("utf-8")).hexdigest()


@app.command("evaluate")
def evaluate_command(
    data: Annotated[Path | None, typer.Option(
        "--data", help="Your own data (CSV in UTF-8 or GBK, or Excel): a time series, a cross-section (one row per "
        "city/region/firm) or a panel. Default: the built-in Shenzhen–Hong Kong panel. / 自己的数据（CSV 或 Excel）："
        "时间序列、截面或面板；缺省为内置数据。")] = None,
    framework: Annotated[Path | None, typer.Option(
        "--framework", help="Framework YAML: subsystems, groups and indicators (see docs/evaluate.md). Default: "
        "the built-in Shenzhen–Hong Kong framework. / 指标框架 YAML。")] = None,
    recipe: Annotated[Path | None, typer.Option(
        "--recipe", help="Replay a run exactly from its recipe.json (the data and framework it names are checked "
        "by their SHA-256). / 按 recipe.json 精确重现一次评价。")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder / 输出目录")] = Path("out/evaluate"),
    lang: LangOpt = Lang.zh,
    sheet: Annotated[str | None, typer.Option(
        "--sheet", help="Excel only: sheet name, or number counting from 1 as Excel does (default: the first "
        "sheet) / Excel 工作表名称或序号（从 1 开始）")] = None,
    header_row: Annotated[int | None, typer.Option(
        "--header-row", help="The spreadsheet row that holds the column names (counting from 1), when the detected "
        "one is wrong (title rows above it are skipped) / 表头所在行（从 1 开始）")] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="CSV only: the file's encoding (e.g. gbk, utf-8, big5) when detection refuses it / "
        "CSV 文件的编码")] = None,
    normalisation: Annotated[str | None, typer.Option(
        "--normalisation", help="minmax or rank (default minmax) / 标准化方法")] = None,
    weighting: Annotated[str | None, typer.Option(
        "--weighting", help="entropy, critic, equal or manual (framework weights); default entropy / 赋权方法")] = None,
    aggregation: Annotated[str | None, typer.Option(
        "--aggregation", help="arithmetic, geometric, topsis or grey (default arithmetic) / 聚合方法")] = None,
    robustness: Annotated[bool | None, typer.Option(
        "--robustness/--no-robustness", help="Run the method grid, Monte Carlo and leave-one-out (default: yes) / "
        "是否做稳健性检验")] = None,
) -> None:
    """Evaluate a framework on sourced data and write a bilingual report (built-in: the Hong Kong factor).

    评价：综合指数、耦合协调度、趋势相似度（灰色关联）、障碍度与稳健性，输出中英双语报告与全部中间表。
    """
    # the built-in run: the city designs (and the libraries they load) start in a second process now
    pending = _start_city_designs() if data is None and framework is None and recipe is None \
        and robustness is not False else None
    try:
        from hkfactor.evaluation import (
            DataError,
            EvaluationRecipe,
            Inputs,
            builtin_city_data,
            builtin_framework,
            builtin_panel,
            evaluate,
            file_digest,
            read_data,
            read_framework,
        )
        from hkfactor.report.evaluation import write_report

        _check_out(out)
        if sheet is not None and data is None and recipe is None:
            raise InputError([Problem("--sheet", None, None, "--sheet picks a sheet of your Excel file: it needs "
                                      "--data FILE.xlsx")], title="invalid --sheet")
        if sheet is not None and data is not None and data.suffix.lower() not in {".xlsx", ".xlsm", ".xls"}:
            raise InputError([Problem(str(data), None, None, "--sheet applies only to Excel workbooks (.xlsx); this file "
                                      "is read as text (CSV), which has no sheets — leave --sheet out")],
                             title="invalid --sheet")
        if recipe is not None and (data is not None or framework is not None):
            raise InputError([Problem("--recipe", None, None, "--recipe replays the data and framework it names; "
                                      "leave out --data and --framework (or run without --recipe)")],
                             title="invalid --recipe")
        zh = lang == Lang.zh
        t0 = time.perf_counter()
        base = EvaluationRecipe.read(recipe) if recipe is not None else EvaluationRecipe()
        changes = {k: v for k, v in (("normalisation", normalisation), ("weighting", weighting),
                                     ("aggregation", aggregation), ("robustness", robustness)) if v is not None}
        r = base.replace(**changes) if changes else base
        extra: dict[str, Path] = {}

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:
            task = bar.add_task("…", total=None)

            def say(stage: str) -> None:
                zh_s, en_s = _STAGES.get(stage, (stage, stage))
                bar.update(task, description=zh_s if zh else en_s)

            say("load")
            if recipe is not None:
                data, framework, sheet = _replay_inputs(recipe, r)
                header_row, encoding = r.inputs.header_row or None, r.inputs.encoding or None
            fw = read_framework(framework) if framework is not None else builtin_framework()
            if data is not None:
                try:
                    panel = read_data(data, fw, sheet=sheet, header_row=header_row, encoding=encoding)
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
            panel_of_cities = builtin_city_data() if data is None else None
            city: CityData | CityDesigns | PendingCityDesigns | None = panel_of_cities
            if pending is not None:
                pending.send(panel_of_cities)  # the designs run in the other process while this one evaluates
                city = pending
            if data is not None:
                extra[f"inputs/{data.name}"] = data
                inputs = Inputs(data=f"inputs/{data.name}", data_sha256=file_digest(data), sheet=sheet or "",
                                header_row=header_row or 0, encoding=encoding or "")
            else:
                inputs = Inputs(data="builtin", data_sha256=_panel_digest(panel))
            if framework is not None:
                extra[f"inputs/{framework.name}"] = framework
                inputs = dataclasses.replace(inputs, framework=f"inputs/{framework.name}",
                                             framework_sha256=file_digest(framework))
            r = r.replace(inputs=inputs)
            ev = evaluate(panel, fw, recipe=r, progress=say, city=city)
            command = _command(data, framework, sheet, out, lang.value,
                               {**({"header-row": header_row} if header_row else {}),
                                **({"encoding": encoding} if encoding else {}), **changes})
            files = write_report(ev, out, lang=lang.value, command=command, progress=say, extra_files=extra)

        _summary(ev, files.html, time.perf_counter() - t0, zh)
    finally:
        if pending is not None:
            pending.close()


def _start_city_designs() -> _CityDesignsProcess | None:
    """Run the built-in city designs in a forked second process while this one evaluates.

    Loading pyfixest, pysyncon and the city panel and running the designs takes about as long as
    everything else the command does, and a second core is idle meanwhile. Only on Linux with two
    or more usable CPUs (``fork``); ``HKFACTOR_PARALLEL=0`` turns it off. The result is the same
    either way (:func:`hkfactor.evaluation.run_city_designs`).

    Not when this process has already loaded the estimation libraries (a test session, a notebook
    that runs ``main()``): their native thread pools (pyfixest's Rust demeaning, numba) do not
    survive ``fork`` and the child would wait on them for ever. Then the designs run here.
    """
    import multiprocessing
    import os
    import sys

    if os.environ.get("HKFACTOR_PARALLEL", "1").strip() == "0" or sys.platform != "linux":
        return None
    if any(name in sys.modules for name in _NATIVE_POOLS):
        return None
    try:
        if len(os.sched_getaffinity(0)) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        # what both processes need is imported once, before the fork: this one needs it next anyway
        import matplotlib.figure  # noqa: F401 - the report's figures; pyfixest loads it too

        import hkfactor.evaluation  # noqa: F401
        return _CityDesignsProcess()
    except (OSError, ValueError):
        return None


# libraries whose native thread pools do not survive fork(); once loaded here, no second process
_NATIVE_POOLS = ("pyfixest", "numba", "pysyncon")


class _CityDesignsProcess:
    """The city designs in a forked process: it loads the estimation libraries at once, waits for
    the city panel this process builds (:meth:`send`), runs the designs and sends them back;
    :meth:`result` waits for them (and falls back to running them here if the other process
    failed)."""

    # the designs take a few seconds; a child silent for this long is stuck, and the designs run here
    timeout: float = 300.0

    def __init__(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(target=_city_designs_child, args=(child,), daemon=True, name="hkfactor-designs")
        with warnings.catch_warnings():
            # Python ≥ 3.12 warns about fork() beside native threads (BLAS's); the worker only computes
            warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
            self._proc.start()
        child.close()
        self._city: CityData | None = None

    def send(self, city: CityData | None) -> None:
        """Hand the city panel (a :class:`~hkfactor.evaluation.CityData`, or ``None``) to the other process."""
        self._city = city
        try:
            self._conn.send(city)
        except (OSError, ValueError):
            pass  # it died: result() runs the designs here

    def result(self) -> CityData | CityDesigns | None:
        try:
            ok, payload = self._conn.recv() if self._conn.poll(self.timeout) else (False, None)
        except (EOFError, OSError):
            ok, payload = False, None
        finally:
            self.close()
        return payload if ok else self._city  # a CityData: evaluate() runs the designs itself

    def close(self) -> None:
        self._conn.close()
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(timeout=10)


def _city_designs_child(conn: object) -> None:
    """In the second process: load the libraries, wait for the city panel, run the designs, send them."""
    send, recv = getattr(conn, "send"), getattr(conn, "recv")  # noqa: B009 - a multiprocessing Connection
    try:
        from hkfactor.evaluation import EvaluationRecipe, run_city_designs
        from hkfactor.evaluation.designs import load_libraries

        load_libraries()
        city = recv()
        send((True, None if city is None else run_city_designs(city, seed=EvaluationRecipe().seed)))
    except BaseException:
        with contextlib.suppress(Exception):
            send((False, None))
    finally:
        getattr(conn, "close")()  # noqa: B009


def _command(data: Path | None, framework: Path | None, sheet: str | None, out: Path, lang: str,
             changes: dict[str, object]) -> str:
    parts = ["hkfactor evaluate"]
    if data is not None:
        parts.append(f"--data {data.name}")
    if framework is not None:
        parts.append(f"--framework {framework.name}")
    if sheet:
        parts.append(f"--sheet {sheet}")
    for k, v in changes.items():
        parts.append(f"--{'' if v else 'no-'}robustness" if k == "robustness" else f"--{k} {v}")
    parts += [f"--out {out}", f"--lang {lang}"]
    return " ".join(parts)


def _replay_inputs(recipe_path: Path, r: EvaluationRecipe) -> tuple[Path | None, Path | None, str | None]:
    """The data and framework a recipe names, checked by their SHA-256."""
    from hkfactor.evaluation import builtin_panel, file_digest

    base = recipe_path.resolve().parent
    problems: list[Problem] = []
    paths: list[Path | None] = []
    for what, ref, digest in (("data", r.inputs.data, r.inputs.data_sha256),
                              ("framework", r.inputs.framework, r.inputs.framework_sha256)):
        if ref == "builtin":
            paths.append(None)
            if what == "data" and digest and _panel_digest(builtin_panel()) != digest:
                problems.append(Problem(str(recipe_path), None, "inputs.data", code="recipe.input_changed",
                                        params={"what": _WHAT["builtin"], "found": _panel_digest(builtin_panel())[:12],
                                                "expected": digest[:12]}))
            continue
        p = Path(ref) if Path(ref).is_absolute() else base / ref
        if not p.is_file():
            problems.append(Problem(str(recipe_path), None, f"inputs.{what}", code="recipe.input_missing",
                                    params={"what": _WHAT[what], "path": str(p)}))
            paths.append(None)
            continue
        found = file_digest(p)
        if digest and found != digest:
            problems.append(Problem(str(recipe_path), None, f"inputs.{what}", code="recipe.input_changed",
                                    params={"what": _WHAT[what], "found": found[:12], "expected": digest[:12]}))
        paths.append(p)
    if problems:
        raise InputError(problems, title="cannot replay the recipe")
    return paths[0], paths[1], r.inputs.sheet or None


def _summary(ev: Evaluation, html: Path, elapsed: float, zh: bool) -> None:
    if ev.identification is not None:
        console.print(ev.identification.headline.render("zh" if zh else "en"), style="bold", markup=False,
                      highlight=False)
    for d in ev.decisions:
        if d.code == "construct.no_bilateral":
            console.print(d.render("zh" if zh else "en"), style="bold", markup=False, highlight=False)
    used, total = len(ev.prepared.used), len(ev.framework.indicators())
    shape = {"time_series": ("时间序列", "time series"), "cross_section": ("截面", "cross-section"),
             "panel": ("面板", "panel")}[ev.shape]
    span = f"{ev.years[0]}–{ev.years[-1]}" if ev.years and ev.years[0] else ""
    h = ev.headline()
    if zh:
        console.print(f"{shape[0]}{'，年份 ' + span if span else ''}，{len(ev.panel.units)} 个单元，使用指标 {used}/{total}，"
                      f"方法决策 {len(ev.decisions)} 项", markup=False, highlight=False)
    else:
        console.print(f"{shape[1]}{', years ' + span if span else ''}, {len(ev.panel.units)} unit(s), indicators used "
                      f"{used}/{total}, {len(ev.decisions)} decision(s)", markup=False, highlight=False)
    if ev.coupling is not None and ev.shape == "time_series":
        last = h.iloc[-1]
        rng = ""
        if "q05" in h.columns:
            rng = (f"（蒙特卡洛 5–95%：{last['q05']:.3f}–{last['q95']:.3f}）" if zh
                   else f" (Monte Carlo 5–95 %: {last['q05']:.3f}–{last['q95']:.3f})")
        console.print(f"{int(last['year'])} 年耦合协调度 D = {last['value']:.3f}（{last['band_zh']}）{rng}" if zh else
                      f"Coupling coordination D in {int(last['year'])} = {last['value']:.3f} ({last['band_en']}){rng}",
                      markup=False, highlight=False)
    else:
        top = h.sort_values("value", ascending=False).head(3)
        label = [" ".join(str(r[c]) for c in ("unit", "year") if c in top.columns) for _i, r in top.iterrows()]
        what = "D" if ev.coupling is not None else ("得分" if zh else "score")
        listed = ", ".join(f"{lb} {v:.3f}" for lb, v in zip(label, top["value"], strict=True))
        console.print(f"{what} 前三：{listed}" if zh else f"top {what}: {listed}", markup=False, highlight=False)
    console.print(f"报告：{html}（表格 {html.parent / 'tables'}），用时 {elapsed:.1f} 秒" if zh else
                  f"Report: {html} (tables in {html.parent / 'tables'}), {elapsed:.1f} s", markup=False, highlight=False)


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
                               f"{shown}. Copy docs/examples/synthetic_pair.yaml (or docs/examples/cities.yaml for a "
                               "cross-section) and list your series in it")],
                      title="missing --framework")
