"""Yearly Shenzhen land-boundary passenger traffic from ImmD's daily open-data file.

The Immigration Department publishes ``statistics_on_daily_passenger_traffic.csv`` on its open-data
portal (DATA.GOV.HK, from 1 January 2021): one row per day × control point × direction with the
columns ``Date`` (DD-MM-YYYY), ``Control Point``, ``Arrival / Departure``, ``Hong Kong Residents``,
``Mainland Visitors``, ``Other Visitors``, ``Total``. The figures count passengers only; drivers of
cross-boundary vehicles are not in them (the Annual Report's "Land" row includes drivers, e.g. 2021:
7.1 million there against about 1.0 million here).

This script sums ``Total`` (arrivals + departures) over the Shenzhen-facing land control points for
every *complete* calendar year in a local copy of the file and prints observation rows for the
series ``szhk_land_travellers`` (``observations/panel_bilateral_datasets.csv`` layout); each row is
derived (``derived_from`` = the dataset's source id, no locator: no single row of the file holds the sum). It reads a
file you already have; it downloads nothing. The file itself is never committed.

Usage::

    python scripts/data/immd_daily_passengers.py PATH/statistics_on_daily_passenger_traffic.csv \
        --source-id S-P-BDS-IMMD-DAILY --vintage 2026-03

Example (synthetic two-row file; a year needs every day to be reported)::

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = p.write_text("Date,Control Point,Arrival / Departure,Hong Kong Residents,Mainland Visitors,"
    ...                  "Other Visitors,Total,\\n01-01-2021,Lo Wu,Arrival,1,1,0,2,\\n", encoding="utf-8")
    >>> yearly_totals(p)[2021]["days"]
    1
"""

from __future__ import annotations

import argparse
import calendar
import csv
import sys
from collections import defaultdict
from pathlib import Path

__all__ = ["SHENZHEN_LAND_POINTS", "observation_rows", "yearly_totals"]

#: ImmD control points on the Hong Kong–Shenzhen land boundary (HZMB and the West Kowloon
#: high-speed rail station are left out: the first faces Zhuhai/Macao, the second serves the
#: whole Mainland rail network).
SHENZHEN_LAND_POINTS = (
    "Lo Wu", "Lok Ma Chau Spur Line", "Lok Ma Chau", "Man Kam To", "Sha Tau Kok",
    "Shenzhen Bay", "Heung Yuen Wai",
)

_COLUMNS = ("Date", "Control Point", "Arrival / Departure", "Hong Kong Residents",
            "Mainland Visitors", "Other Visitors", "Total")


def yearly_totals(path: str | Path) -> dict[int, dict[str, int]]:
    """Sum the file's columns over the Shenzhen land control points, per calendar year.

    Returns ``{year: {"total", "hk_residents", "mainland_visitors", "other_visitors", "days"}}``
    where ``days`` is the number of distinct dates reported for that year (all control points).
    A missing column raises ``ValueError`` naming it.
    """
    acc: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    dates: dict[int, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        for n, row in enumerate(reader, start=2):
            date = (row["Date"] or "").strip()
            if not date:
                continue
            try:
                year = int(date[-4:])
            except ValueError:
                raise ValueError(f"{path}: row {n}, column Date: expected DD-MM-YYYY, got {date!r}") from None
            dates[year].add(date)
            if row["Control Point"].strip() not in SHENZHEN_LAND_POINTS:
                continue
            a = acc[year]
            for key, col in (("total", "Total"), ("hk_residents", "Hong Kong Residents"),
                             ("mainland_visitors", "Mainland Visitors"), ("other_visitors", "Other Visitors")):
                a[key] += int(row[col] or 0)
    return {y: {**acc[y], "days": len(dates[y])} for y in sorted(dates)}


def observation_rows(totals: dict[int, dict[str, int]], *, source_id: str, vintage: str) -> list[list[str]]:
    """Rows for ``observations/*.csv``, complete years only (every day of the year reported)."""
    rows = []
    points = ", ".join(SHENZHEN_LAND_POINTS)
    for year, t in totals.items():
        if t["days"] != (366 if calendar.isleap(year) else 365):
            continue
        rows.append([
            f"O-P-SZHK_LAND_TRAVELLERS-SZHK-{year}-G1", "szhk_land_travellers", "SZHK", str(year),
            f"{t['total']:,}".replace(",", " "), "人次", source_id, "", "A", vintage,
            source_id,
            (f"Derived by scripts/data/immd_daily_passengers.py: sum of Total (Arrival + Departure) over "
             f"the {t['days']} days of {year} at {points}. Passengers cleared at the Shenzhen land "
             f"control points, both directions, drivers of cross-boundary vehicles excluded; of which "
             f"Hong Kong residents {t['hk_residents']:,}, Mainland visitors {t['mainland_visitors']:,}, "
             f"other visitors {t['other_visitors']:,}."),
        ])
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", help="local copy of statistics_on_daily_passenger_traffic.csv")
    ap.add_argument("--source-id", default="S-P-BDS-IMMD-DAILY")
    ap.add_argument("--vintage", default="")
    args = ap.parse_args(argv)
    try:
        totals = yearly_totals(args.path)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    w = csv.writer(sys.stdout, lineterminator="\n")
    for row in observation_rows(totals, source_id=args.source_id, vintage=args.vintage):
        w.writerow(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
