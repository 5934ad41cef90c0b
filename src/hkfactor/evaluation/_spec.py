"""What an evaluation reads: the framework (two subsystems) and the panel of sourced values.

These are the evaluation's own small, frozen views of its inputs. The built-in framework
and panel, and a user's own YAML and CSV/Excel files, are all turned into these before any
computation, so the pipeline has exactly one input shape to trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "CELL_COLUMNS",
    "LINKS",
    "QUALIFIERS",
    "SOURCE_COLUMNS",
    "ChannelSpec",
    "EvalFramework",
    "EvalPanel",
    "IndicatorSpec",
]

#: Columns of :attr:`EvalPanel.cells` (one row per series × year value).
CELL_COLUMNS = ("series", "year", "value", "grade", "source_id", "observation_id", "locator", "note", "qualifier")
#: What a panel cell's ``qualifier`` means when its value is used as a point value:
#: ``(zh, en, mark)``; an empty or ``exact`` qualifier is a point value already.
QUALIFIERS: dict[str, tuple[str, str, str]] = {
    "about": ("约数，按点值使用", "approximate figure used as a point value", "≈"),
    "over": ("下限（“超过”），按点值使用", "lower bound ('over') used as a point value", "≥"),
    "at_least": ("下限（“至少”），按点值使用", "lower bound ('at least') used as a point value", "≥"),
    "lower_bound_share": ("份额下限，按点值使用", "lower bound of a share used as a point value", "≥"),
    "under": ("上限（“不足”），按点值使用", "upper bound ('under') used as a point value", "≤"),
}
#: How an indicator relates the two cities (framework field ``link``).
LINKS = ("bilateral", "partner", "focal", "context", "unspecified")
#: Columns of :attr:`EvalPanel.sources`.
SOURCE_COLUMNS = ("id", "title_zh", "title_en", "publisher", "url", "grade")


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: a panel series placed in a channel of a subsystem.

    ``direction`` is ``+1`` when more is better (benefit) and ``-1`` when less is better (cost).
    ``link`` says what the indicator measures about the two cities (construct validity):
    ``bilateral`` (a flow or tie between partner and focal city: trade between them, the
    partner's investment in the focal city, cross-boundary trips …), ``partner`` (the partner
    city itself, e.g. its R&D), ``focal`` (the focal city's own openness, e.g. its exports),
    ``context``, or ``unspecified`` (the framework does not say).
    """

    series: str
    name_zh: str
    name_en: str
    direction: int = 1
    unit: str = ""
    section: str = ""
    link: str = "unspecified"


@dataclass(frozen=True)
class ChannelSpec:
    """A channel (e.g. finance) and its indicators."""

    id: str
    name_zh: str
    name_en: str
    indicators: tuple[IndicatorSpec, ...]
    section: str = ""


@dataclass(frozen=True)
class EvalFramework:
    """Two subsystems: the partner's channels (Hong Kong factor) and the focal city's innovation.

    Attributes
    ----------
    partner : ChannelSpec-tuple
        ``channels`` — the partner city's channels (the "Hong Kong factor" subsystem).
    innovation : ChannelSpec
        The focal city's innovation subsystem (one group of indicators).
    """

    id: str
    name_zh: str
    name_en: str
    channels: tuple[ChannelSpec, ...]
    innovation: ChannelSpec
    partner_zh: str = "香港"
    partner_en: str = "Hong Kong"
    focal_zh: str = "深圳"
    focal_en: str = "Shenzhen"
    source: str = ""

    def indicators(self) -> list[tuple[str, str, IndicatorSpec]]:
        """Every indicator as ``(subsystem, channel_id, spec)``; subsystem is ``"hk"`` or ``"sz"``."""
        out: list[tuple[str, str, IndicatorSpec]] = []
        for ch in self.channels:
            out += [("hk", ch.id, ind) for ind in ch.indicators]
        out += [("sz", self.innovation.id, ind) for ind in self.innovation.indicators]
        return out

    def channel(self, channel_id: str) -> ChannelSpec:
        """The channel (or the innovation group) with this id."""
        for ch in (*self.channels, self.innovation):
            if ch.id == channel_id:
                return ch
        raise KeyError(channel_id)


@dataclass(frozen=True)
class EvalPanel:
    """Sourced values, one row per series × year, plus the sources they come from.

    Attributes
    ----------
    cells : DataFrame
        Columns :data:`CELL_COLUMNS`; ``year`` int, ``value`` float; one row per (series, year).
        ``qualifier`` (optional column; see :data:`QUALIFIERS`) marks approximate figures and
        one-sided bounds (about / over / at_least / under …).
    sources : DataFrame
        Columns :data:`SOURCE_COLUMNS`; one row per source id used in ``cells``.
    label : str
        Where the panel came from (file name or "built-in"), for the report.
    breaks : DataFrame, optional
        Declared breaks in series: ``id, series, year, description_zh, description_en``
        (the series is not comparable across ``year``); the evaluation flags them.
    input_decisions : tuple of (kind, subject, zh, en)
        What the reader decided about the input (cells holding a missing-value marker, percent
        values converted); :func:`~hkfactor.evaluation.evaluate` records them first among its
        decisions.
    """

    cells: pd.DataFrame
    sources: pd.DataFrame
    label: str = "built-in"
    breaks: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    input_decisions: tuple[tuple[str, str, str, str], ...] = ()

    def wide(self) -> pd.DataFrame:
        """Years × series table of values (NaN where missing)."""
        if self.cells.empty:
            return pd.DataFrame(dtype=float)
        w = self.cells.pivot(index="year", columns="series", values="value").sort_index()
        w.index = w.index.astype(int)
        return w.astype(float)
