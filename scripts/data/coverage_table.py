"""Coverage of the built-in data at grade A/B, 2005–2023 — the table the closing notes report.

Run:  python scripts/data/coverage_table.py   (from the repository root, package installed)

* Bilateral indicators of the built-in framework (``link: bilateral``), per channel: how many of
  their indicator-years 2005–2023 the resolved panel fills at grade A or B.
* The city panel: per ``city_*`` series, the share of city-years 2005–2023 filled, and filled at A/B.
"""

from __future__ import annotations

from importlib.resources import files

import pandas as pd
import yaml

from hkfactor.panel import build, build_cities, city_coverage

YEARS = [str(y) for y in range(2005, 2024)]


def bilateral_table() -> pd.DataFrame:
    fw = yaml.safe_load((files("hkfactor.frameworks") / "shenzhen_hk.yaml").read_text(encoding="utf-8"))
    cells = build().cells
    cells = cells[cells["period"].isin(YEARS)]
    rows = []
    for ch in fw["channels"]:
        codes = [i["series"] for i in ch["indicators"] if i.get("link") == "bilateral"]
        sel = cells[cells["series"].isin(codes)]
        ab = int(sel["grade"].isin(["A", "B"]).sum())
        denom = len(codes) * len(YEARS)
        rows.append({"channel": ch["id"], "indicators": len(codes), "filled": len(sel), "filled_ab": ab,
                     "cells": denom, "share_ab": ab / denom if denom else float("nan"),
                     "series": " ".join(codes)})
    out = pd.DataFrame(rows)
    tot = {"channel": "total", "indicators": out["indicators"].sum(), "filled": out["filled"].sum(),
           "filled_ab": out["filled_ab"].sum(), "cells": out["cells"].sum(), "series": ""}
    tot["share_ab"] = tot["filled_ab"] / tot["cells"]
    return pd.concat([out, pd.DataFrame([tot])], ignore_index=True)


def main() -> None:
    pd.set_option("display.width", 200, "display.max_colwidth", 80)
    print("Bilateral indicators, 2005–2023, grade A/B")
    print(bilateral_table().to_string(index=False, float_format=lambda v: f"{v:.0%}"))
    cp = build_cities()
    print("\nCity panel, 2005–2023")
    cov = city_coverage(cp, cities=list(cp.cities))
    print(f"cities: {len(cp.cities)}")
    print(cov.to_string(float_format=lambda v: f"{v:.0%}"))


if __name__ == "__main__":
    main()
