"""Property tests of Evidence.facts / timeline filters on the SYNTHETIC folder."""

from __future__ import annotations

import atexit
import dataclasses
import functools
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence._synthetic import write_evidence
from hkfactor.evidence import Evidence, load
from hkfactor.evidence._schema import ENUMS
from hkfactor.evidence.audit import STATUSES


@functools.cache
def _ev() -> Evidence:
    d = Path(tempfile.mkdtemp(prefix="hkfactor-syn-"))
    atexit.register(shutil.rmtree, d, True)
    return load(write_evidence(d))


@given(st.sets(st.sampled_from(ENUMS["channel"])), st.sets(st.sampled_from(STATUSES)))
def test_channel_and_status_filters_are_set_filters(channels: set[str], statuses: set[str]) -> None:
    ev = _ev()
    got = ev.facts(channel=sorted(channels), status=sorted(statuses))["id"].tolist()
    st_of = dict(zip(ev.audit_.claims["claim_id"], ev.audit_.claims["status"], strict=True))
    want = [c.id for c in ev.records.claims if c.channel in channels and st_of[c.id] in statuses]
    assert got == want


@given(st.integers(min_value=1900, max_value=2100))
def test_year_filter_is_period_overlap(year: int) -> None:
    ev = _ev()
    got = set(ev.facts(year=year)["id"])
    for c in ev.records.claims:
        a, b = c.period_start[:4], c.period_end[:4]
        covered = bool(a or b) and int(a or b) <= year <= int(b or a)
        assert (c.id in got) == covered


@given(st.integers(min_value=1970, max_value=2030), st.integers(min_value=0, max_value=30))
def test_timeline_window(start: int, span: int) -> None:
    tl = _ev().timeline(start=start, end=start + span)
    assert ((tl["year_end"] >= start) & (tl["year_start"] <= start + span)).all()
    assert tl["date"].tolist() == sorted(tl["date"].tolist())


def test_records_are_frozen() -> None:
    c = _ev().records.claims[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.value = 1.0  # type: ignore[misc]
