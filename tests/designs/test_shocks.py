"""The shock registry is dated from the evidence base's events.csv, never from code."""

from __future__ import annotations

import pytest

from hkfactor.errors import MethodNotFoundError, SpecError
from hkfactor.evaluation.designs import SHOCKS, Shock, dated_shocks, get_shock, overlapping_shocks
from hkfactor.evidence import load


def test_years_come_from_events_csv() -> None:
    events = {e.id: e for e in load().records.events}
    for s in dated_shocks():
        assert s.id in SHOCKS
        if s.event_id and s.event_id in events:
            assert s.year == int(events[s.event_id].date[:4])
            assert s.source_ids == events[s.event_id].source_ids
        else:
            assert s.year is None
    by_id = {s.id: s for s in dated_shocks()}
    assert set(by_id) == {"cepa", "qianhai", "sz_hk_stock_connect", "loop_mou"}
    assert by_id["qianhai"].year == 2010 and by_id["loop_mou"].year == 2017


def test_an_undated_or_unknown_shock_is_refused() -> None:
    undated = (Shock("x", "", "", "", None),)
    with pytest.raises(SpecError, match="no dated event"):
        get_shock("x", undated)
    with pytest.raises(MethodNotFoundError, match="valid: x"):
        get_shock("y", undated)


def test_overlap_is_inclusive_and_skips_the_event_itself() -> None:
    sh = (Shock("a", "V", "", "", 2010), Shock("b", "V", "", "", 2012), Shock("c", "V", "", "", 2013))
    got = [w.subject for w in overlapping_shocks(2010, (2008, 2012), sh, exclude="a")]
    assert got == ["b"]
