from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

REF = Path(__file__).resolve().parents[1] / "engine" / "reference" / "coinr-asem"  # COINr 1.1.14 outputs (copied from its ASEM run)


def read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a small CSV as arrays (strings; callers cast)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}
