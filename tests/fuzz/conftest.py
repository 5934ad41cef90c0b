"""Print the fuzz tally (input class × outcome) at the end of the session."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from fuzz._harness import OUTCOMES, TALLY

# Bounded: the whole fuzz suite must finish in well under a minute on a busy 2-core machine.
settings.register_profile(
    "fuzz",
    deadline=None,  # the harness has its own per-example time limit (a hang is a failure)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    database=None,
)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY:
        return
    lines = ["| input class | " + " | ".join(OUTCOMES) + " |", "|---" * (len(OUTCOMES) + 1) + "|"]
    total = {o: 0 for o in OUTCOMES}
    for cls in sorted(TALLY):
        c = TALLY[cls]
        lines.append(f"| {cls} | " + " | ".join(str(c[o]) for o in OUTCOMES) + " |")
        for o in OUTCOMES:
            total[o] += c[o]
    lines.append("| **total** | " + " | ".join(str(total[o]) for o in OUTCOMES) + " |")
    terminalreporter.write_sep("=", "fuzz tally")
    for line in lines:
        terminalreporter.write_line(line)
    out = os.environ.get("HKFACTOR_FUZZ_TALLY")
    if out:
        Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
