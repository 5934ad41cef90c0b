"""Both ways of reading observations give the same normalised values."""

from __future__ import annotations

import pandas as pd
import pytest

from hkfactor.errors import InputError
from hkfactor.panel import read_observations


def test_evidence_loader_and_csv_reader_agree():
    csv = read_observations(via="csv")
    try:
        ev = read_observations(via="evidence")
    except InputError as exc:
        ours = [p for p in exc.problems if "panel_" in p.file or p.file.endswith("panel.csv")]
        assert not ours, [str(p) for p in ours]  # a problem in OUR files is a failure
        pytest.skip(f"evidence base has problems outside the panel files: {exc.problems[0]}")
    mine = csv[csv["file"].str.startswith("panel_")].set_index("id")
    other = ev.set_index("id").loc[mine.index]
    pd.testing.assert_series_equal(mine["value"], other["value"], check_names=False)
    assert (mine["unit"] == other["unit"]).all()


def test_unknown_reader_is_rejected():
    with pytest.raises(ValueError, match="via must be"):
        read_observations(via="nope")
