"""Domain errors.

Every error a user can cause is an :class:`HKFactorError`. Input validation collects
*all* problems it finds into :class:`Problem` records and raises one
:class:`InputError`, so a user sees every broken row at once (file, row, field, what
was expected). The CLI prints these and exits with status 2; it never shows a traceback
for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
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
        What is wrong and what was expected.
    line : int or None, keyword-only
        1-based line number in a text file (YAML, JSON), when the problem is tied to a line
        rather than a table row.
    """

    file: str
    row: int | None
    field: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", column '{self.field}'"
        return f"{where}: {self.message}"


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
