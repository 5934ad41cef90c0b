"""Domain errors.

Every error a user can cause is an :class:`HKFactorError`. Input validation collects
*all* problems it finds into :class:`Problem` records and raises one
:class:`InputError`, so a user sees every broken row at once (file, row, field, what
was expected). The CLI prints these and exits with status 2; it never shows a traceback
for them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hkfactor.messages import render

__all__ = [
    "TITLES_ZH",
    "HKFactorError",
    "InputError",
    "MethodNotFoundError",
    "Problem",
    "SpecError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    Parameters
    ----------
    file : str
        The file (or logical table) the problem is in.
    row : int | None
        1-based data row number as a spreadsheet user would count it (header is row 1),
        or ``None`` when the problem is not tied to a row.
    field : str | None
        Column or field name.
    message : str
        What is wrong and what was expected (English). May be left empty when ``code`` is given:
        it is then rendered from the message catalogue.
    code : str
        Optional :mod:`hkfactor.messages` catalogue code, so the problem renders in zh and en
        and tests can assert on it; ``""`` for a problem that has only its English text.
    params : Mapping[str, Any]
        The values the catalogue texts name.
    line : int or None
        1-based line number in a text file (YAML, JSON), when the problem is tied to a line
        rather than a table row (give it by keyword).
    """

    file: str
    row: int | None
    field: str | None
    message: str = ""
    code: str = ""
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)
    line: int | None = None

    def __post_init__(self) -> None:
        if not self.message and self.code:
            object.__setattr__(self, "message", render(self.code, self.params, "en"))

    def render(self, lang: str = "en") -> str:
        """The problem with its place, in ``lang`` (``"en"`` or ``"zh"``)."""
        text = render(self.code, self.params, lang) if self.code else self.message
        # in a YAML or JSON file the field is a path (subsystems[0].indicators[5]), not a column
        path = self.file.lower().endswith((".yaml", ".yml", ".json"))
        if lang == "zh":
            where = self.file
            if self.line is not None:
                where += f"，第 {self.line} 行（文本行）"
            if self.row is not None:
                where += f"，第 {self.row} 行"
            if self.field:
                where += f"，位置 {self.field}" if path else f"，列“{self.field}”"
            return f"{where}：{text}"
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", at {self.field}" if path else f", column '{self.field}'"
        return f"{where}: {text}"

    def __str__(self) -> str:
        return self.render("en")


#: Chinese headers of the errors users meet most (the English title is the key; others stay English).
TITLES_ZH: dict[str, str] = {
    "invalid input": "输入有误", "invalid data": "数据有误", "invalid framework": "指标框架有误",
    "invalid recipe": "方案有误", "invalid recipe file": "方案文件有误", "cannot read table": "无法读取表格",
    "too little data to evaluate": "数据太少，无法评价", "nothing to evaluate": "没有可评价的数据",
    "invalid --out": "--out 有误", "invalid --sheet": "--sheet 有误", "invalid --recipe": "--recipe 有误",
    "missing --framework": "缺少 --framework", "missing --data": "缺少 --data",
    "cannot replay the recipe": "无法按方案重现", "output folder not replaced": "未替换输出目录",
    "unsafe output path": "输出路径不安全", "output name collision": "输出名称冲突", "invalid YAML": "YAML 有误",
    "invalid text file": "文本文件有误", "invalid evidence": "证据文件有误", "invalid filter": "筛选条件有误",
    "invalid city coordinates": "城市坐标有误", "cannot start the server": "无法启动服务",
}


class HKFactorError(Exception):
    """Base class of every error hkfactor raises on purpose."""


class InputError(HKFactorError):
    """One or more problems in user-supplied data or files.

    Attributes
    ----------
    problems : tuple[Problem, ...]
        Every problem found, in file/row order.
    """

    def __init__(self, problems: Iterable[Problem], *, title: str = "invalid input") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.title = title
        lines = [f"{title}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (:data:`TITLES_ZH` for Chinese; the English title otherwise)."""
        return TITLES_ZH.get(self.title, self.title) if lang == "zh" else self.title

    def render(self, lang: str = "en") -> str:
        """Every problem, one per line, in ``lang``; the header counts them."""
        n = len(self.problems)
        head = f"{self.title_in(lang)}：{n} 个问题" if lang == "zh" else f"{self.title}: {n} problem(s)"
        return "\n".join([head, *(f"  - {p.render(lang)}" for p in self.problems)])


class SpecError(HKFactorError):
    """A specification (framework, recipe, parameters) is invalid.

    The message names the element (indicator, unit, step) and what was expected.
    """


class MethodNotFoundError(SpecError, KeyError):
    """A method name is not in a registry; the message lists the valid names."""

    def __init__(self, registry: str, name: str, valid: Sequence[str]) -> None:
        self.registry = registry
        self.name = name
        self.valid = tuple(valid)
        msg = f"unknown {registry} method {name!r}; valid: {', '.join(sorted(self.valid))}"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])
