"""Dated Hong Kong–Shenzhen policy shocks the designs can be centred on.

The registry names each shock once and points at its event in the evidence base
(``events.csv``); the *year* always comes from that file, never from this module. A shock
whose event is not (yet) in ``events.csv`` stays undated, and a design asked to use it says
so instead of guessing a date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hkfactor.errors import MethodNotFoundError, SpecError
from hkfactor.evaluation.designs._results import DesignWarning

__all__ = ["SHOCKS", "Shock", "ShockSpec", "dated_shocks", "get_shock", "overlapping_shocks"]


@dataclass(frozen=True)
class ShockSpec:
    """A registered shock: an id, its event in ``events.csv`` (``""`` if none yet) and labels."""

    id: str
    event_id: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Shock:
    """A shock with the date its event carries in ``events.csv``.

    Attributes
    ----------
    id, event_id, label_zh, label_en : str
    year : int or None
        First year of the event's date (``None`` when the event is missing).
    date : str
        The date as printed in ``events.csv`` (``""`` when missing).
    source_ids : tuple of str
        The event's sources.
    """

    id: str
    event_id: str
    label_zh: str
    label_en: str
    year: int | None
    date: str = ""
    source_ids: tuple[str, ...] = ()


#: The shocks the designs support, by id. Years are read from ``events.csv`` (see
#: :func:`dated_shocks`). CEPA and the Shenzhen–Hong Kong Stock Connect have no event row in the
#: evidence base yet (``event_id`` empty): they stay undated until one is added with its source.
SHOCKS: dict[str, ShockSpec] = {
    s.id: s
    for s in (
        ShockSpec("cepa", "V024", "内地与香港关于建立更紧密经贸关系的安排（CEPA）",
                  "Mainland and Hong Kong Closer Economic Partnership Arrangement (CEPA)"),
        ShockSpec("qianhai", "V011", "深港共建前海深港现代服务业合作区",
                  "Qianhai Shenzhen–Hong Kong Modern Service Industry Cooperation Zone"),
        ShockSpec("sz_hk_stock_connect", "V026", "深港通", "Shenzhen–Hong Kong Stock Connect"),
        ShockSpec("loop_mou", "V013", "河套合作备忘录：共建港深创新及科技园",
                  "Lok Ma Chau Loop MoU: Hong Kong–Shenzhen Innovation and Technology Park"),
    )
}


def dated_shocks(events: Iterable[object] | None = None, *, root: str | Path | None = None) -> tuple[Shock, ...]:
    """Every registered shock with its year from ``events.csv``.

    Parameters
    ----------
    events : iterable of hkfactor.evidence.Event, optional
        Event records (objects with ``id``, ``date``, ``source_ids``); default: those of the
        evidence folder ``root`` (the built-in one if ``None``).
    root : path, optional

    Returns
    -------
    tuple of Shock
        In registry order; ``year`` is ``None`` for a shock without an event.

    Examples
    --------
    >>> {s.id: s.year for s in dated_shocks()}["qianhai"]
    2010
    """
    if events is None:
        from hkfactor.evidence import load

        events = load(root).records.events
    by_id = {str(getattr(e, "id")): e for e in events}  # noqa: B009 - duck-typed records
    out = []
    for spec in SHOCKS.values():
        ev = by_id.get(spec.event_id) if spec.event_id else None
        if ev is None:
            out.append(Shock(spec.id, spec.event_id, spec.label_zh, spec.label_en, None))
            continue
        date = str(getattr(ev, "date"))  # noqa: B009
        year = int(date[:4]) if date[:4].isdigit() else None
        out.append(Shock(spec.id, spec.event_id, spec.label_zh, spec.label_en, year, date,
                         tuple(getattr(ev, "source_ids", ()))))
    return tuple(out)


def get_shock(shock_id: str, shocks: Sequence[Shock] | None = None) -> Shock:
    """One dated shock by id; an undated one raises :class:`SpecError` (its event is missing).

    >>> get_shock("loop_mou").year
    2017
    """
    pool = {s.id: s for s in (shocks if shocks is not None else dated_shocks())}
    if shock_id not in pool:
        raise MethodNotFoundError("shock", shock_id, list(pool))
    s = pool[shock_id]
    if s.year is None:
        raise SpecError(f"shock {shock_id!r} has no dated event in events.csv (event id "
                        f"{s.event_id or 'not assigned'}); add the event with its source first")
    return s


def overlapping_shocks(
    event_time: int,
    span: tuple[int, int],
    shocks: Sequence[Shock],
    *,
    exclude: str | None = None,
) -> list[DesignWarning]:
    """Typed warnings for the other shocks inside ``span`` (inclusive), and for undated ones.

    A shock dated in the event's own year other than ``exclude`` also counts: two shocks in one
    year cannot be told apart by any yearly design.

    >>> sh = (Shock("a", "V1", "", "", 2010), Shock("b", "V2", "", "", 2017), Shock("c", "", "", "", None))
    >>> [(w.code, w.subject) for w in overlapping_shocks(2016, (2012, 2020), sh)]
    [('overlapping_shock', 'b'), ('undated_shock', 'c')]
    """
    lo, hi = span
    out = []
    for s in shocks:
        if exclude is not None and s.id == exclude:
            continue
        if s.year is None:
            out.append(DesignWarning("undated_shock", subject=s.id))
        elif lo <= s.year <= hi:
            out.append(DesignWarning("overlapping_shock", subject=s.id, value=float(s.year),
                                     threshold=float(event_time)))
    return out
