"""The panel reads observations and sources through the validating evidence loader (one path)."""

from __future__ import annotations

from hkfactor.evidence import load
from hkfactor.panel import build, read_observations, read_sources


def test_observations_are_the_loaders_records() -> None:
    ev = load()
    obs = read_observations().set_index("id")
    assert len(obs) == len(ev.records.observations)
    for o in ev.records.observations[:50]:
        row = obs.loc[o.id]
        assert row["unit"] == o.unit and row["file"] == o.file.split("/")[-1]
        assert (row["value"] == o.value) or (row["value"] != row["value"] and o.value != o.value)


def test_panel_carries_its_sources() -> None:
    panel = build()
    assert set(panel.observations["source_id"]) <= set(panel.sources["id"])
    assert list(panel.sources["id"]) == list(read_sources()["id"])
