"""What an evaluation reads: the sourced values (:class:`EvalPanel`).

The built-in panel and a user's own CSV/Excel file are both turned into an ``EvalPanel``
before any computation, so the pipeline has exactly one input shape to trust. A panel holds
one value per unit × series × year: one unit and many years is a **time series** (years are
the units of the evaluation), many units in one year a **cross-section**, many units and many
years a **panel**.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hkfactor.messages import Message

__all__ = ["CELL_COLUMNS", "QUALIFIERS", "SHAPES", "SOURCE_COLUMNS", "EvalPanel"]

#: Columns of :attr:`EvalPanel.cells` (one row per series × year value).
CELL_COLUMNS = ("unit", "series", "year", "value", "grade", "source_id", "observation_id", "locator", "note", "qualifier")
#: What a panel cell's ``qualifier`` means when its value is used as a point value:
#: ``(zh, en, mark)``; an empty or ``exact`` qualifier is a point value already.
QUALIFIERS: dict[str, tuple[str, str, str]] = {
    "about": ("约数，按点值使用", "approximate figure used as a point value", "≈"),
    "over": ("下限（“超过”），按点值使用", "lower bound ('over') used as a point value", "≥"),
    "at_least": ("下限（“至少”），按点值使用", "lower bound ('at least') used as a point value", "≥"),
    "lower_bound_share": ("份额下限，按点值使用", "lower bound of a share used as a point value", "≥"),
    "under": ("上限（“不足”），按点值使用", "upper bound ('under') used as a point value", "≤"),
}
#: The three study shapes.
SHAPES = ("time_series", "cross_section", "panel")
#: Columns of :attr:`EvalPanel.sources`.
SOURCE_COLUMNS = ("id", "title_zh", "title_en", "publisher", "url", "grade")


@dataclass(frozen=True)
class EvalPanel:
    """Sourced values, one row per unit × series × year, plus the sources they come from.

    Attributes
    ----------
    cells : DataFrame
        Columns :data:`CELL_COLUMNS`; ``unit`` str, ``year`` int (``0`` when the data have no
        year: a cross-section), ``value`` float; one row per (unit, series, year).
        ``qualifier`` marks approximate figures and one-sided bounds (see :data:`QUALIFIERS`).
    sources : DataFrame
        Columns :data:`SOURCE_COLUMNS`; one row per source id used in ``cells``.
    label : str
        Where the panel came from (file name or "built-in"), for the report.
    breaks : DataFrame, optional
        Declared breaks in series: ``id, series, year, description_zh, description_en``
        (the series is not comparable across ``year``); the evaluation flags them.
    input_decisions : tuple of Message
        What the reader decided about the input (missing-value markers, percent values,
        encoding, header row); the evaluation records them first among its decisions.
    """

    cells: pd.DataFrame
    sources: pd.DataFrame
    label: str = "built-in"
    breaks: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    input_decisions: tuple[Message, ...] = ()

    def __post_init__(self) -> None:
        c = self.cells
        if "unit" not in c.columns:
            c = c.assign(unit="")
        c = c.reindex(columns=list(CELL_COLUMNS))
        text = [k for k in CELL_COLUMNS if k not in ("year", "value")]
        c[text] = c[text].astype(object).where(c[text].notna(), "")
        object.__setattr__(self, "cells", c)

    @property
    def units(self) -> list[str]:
        """Distinct units, in first-seen order."""
        return list(dict.fromkeys(self.cells["unit"].astype(str)))

    @property
    def years(self) -> list[int]:
        """Distinct years, ascending (``[0]`` for a cross-section without years)."""
        return sorted({int(y) for y in self.cells["year"]})

    @property
    def shape(self) -> str:
        """``"time_series"`` (one unit), ``"cross_section"`` (one year) or ``"panel"``."""
        if len(self.units) <= 1:
            return "time_series"
        return "cross_section" if len(self.years) <= 1 else "panel"

    def wide(self) -> pd.DataFrame:
        """Rows × series table of values (NaN where missing).

        Rows are years (int) for a time series, units (str) for a cross-section, and
        ``(unit, year)`` pairs (a MultiIndex) for a panel.
        """
        c = self.cells
        if c.empty:
            return pd.DataFrame(dtype=float)
        shape = self.shape
        if shape == "time_series":
            w = c.pivot(index="year", columns="series", values="value").sort_index()
            w.index = w.index.astype(int)
        elif shape == "cross_section":
            w = c.pivot(index="unit", columns="series", values="value").reindex(self.units)
        else:
            w = c.pivot_table(index=["unit", "year"], columns="series", values="value", aggfunc="first")
            w = w.reindex(pd.MultiIndex.from_product([self.units, self.years], names=["unit", "year"]))
        w.columns.name = None
        return w.astype(float)
