"""Shared CLI pieces: the Typer app, the language option, output formats, error printing."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.text import Text

from hkfactor.errors import HKFactorError, InputError
from hkfactor.io import neutralise_frame

__all__ = [
    "DataOpt",
    "FormatOpt",
    "Lang",
    "LangOpt",
    "OutFormat",
    "app",
    "argv_lang",
    "console",
    "emit_csv",
    "err_console",
    "fail",
]

app = typer.Typer(
    name="hkfactor",
    help="hkfactor: the Hong Kong factor in Shenzhen's innovation — evidence, evaluation, chain.\n\n"
    "hkfactor：深圳创新城市建设中的香港因素 —— 证据、评价与创新链。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Piped or redirected output is not cut at 80 columns: tables keep their full width.
try:
    _PIPE_WIDTH = max(20, int(os.environ.get("COLUMNS", "200")))
except ValueError:
    _PIPE_WIDTH = 200
# markup=False: user text (labels, notes, file names, error messages) is printed as it is —
# "[bold]" or "[/]" in a claim is never read as Rich markup. Emphasis goes through style= or
# rich.text.Text, never through markup in an f-string.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else _PIPE_WIDTH, markup=False)
err_console = Console(stderr=True, soft_wrap=True, markup=False)


def emit_csv(df: pd.DataFrame) -> None:
    """Write ``df`` to standard output as CSV with every text cell formula-safe
    (:func:`hkfactor._io.neutralise_cell`): redirected into a file and opened in Excel, no cell
    runs as a formula."""
    sys.stdout.write(neutralise_frame(df, index=False, strip_control=False).to_csv(index=False, lineterminator="\n"))


def _print_version(value: bool) -> None:
    if value:
        from hkfactor import __version__

        console.print(f"hkfactor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version and exit / 显示版本"),
    ] = False,
) -> None:
    """hkfactor: the Hong Kong factor in Shenzhen's innovation / 深圳创新城市建设中的香港因素."""


class Lang(enum.StrEnum):
    """Language of everything a person reads."""

    zh = "zh"
    en = "en"


class OutFormat(enum.StrEnum):
    """Output format of a listing."""

    table = "table"
    csv = "csv"
    json = "json"


LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the output: zh or en / 输出语言")]
FormatOpt = Annotated[OutFormat, typer.Option("--format", help="table, csv or json / 输出格式")]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="An evidence folder laid out like the built-in one (default: built-in) / "
                 "证据目录（缺省为内置证据）", file_okay=False),
]


def argv_lang(argv: list[str] | None = None) -> str:
    """The ``--lang`` of the command line (``zh`` when absent), for messages printed before or
    after a command runs (errors)."""
    args = sys.argv[1:] if argv is None else argv
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args) and args[i + 1] in ("zh", "en"):
            return args[i + 1]
        if a in ("--lang=zh", "--lang=en"):
            return a.split("=", 1)[1]
    return "zh"


def fail(exc: HKFactorError, lang: str = "zh") -> None:
    """Print a domain error for a person, in ``lang``, and exit with status 2 (never a traceback).

    Problems that carry a message-catalogue code are rendered in the language asked for; the
    others keep their English text (file, row and column are language-neutral).
    """
    head = Text("错误" if lang == "zh" else "error", style="bold red")
    if isinstance(exc, InputError):
        count = f"{len(exc.problems)} 个问题" if lang == "zh" else f"{len(exc.problems)} problem(s)"
        err_console.print(head + Text(f": {exc.title_in(lang)} — {count}"), highlight=False)
        for p in exc.problems:
            err_console.print(Text(f"  • {p.render(lang)}"), highlight=False)
    else:
        err_console.print(head + Text(f": {exc}"), highlight=False)
    sys.exit(2)
