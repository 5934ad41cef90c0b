"""Identification designs that can tell a Hong Kong effect from the calendar.

With one city pair and years as units, every trending channel "explains" Shenzhen's
innovation. These designs use a panel of cities (see :func:`hkfactor.panel.resolve_cities`)
or put honest benchmarks beside the single-pair statistics:

* :func:`twfe` — two-way fixed effects, cluster-robust and wild cluster bootstrap inference
  (pyfixest);
* :func:`event_study` — leads and lags around one dated shock, with a pre-trend test
  (pyfixest);
* :func:`synthetic_control` — one treated city against a weighted donor pool, with placebos
  in space and in time (pysyncon);
* :func:`placebo_benchmarks` — linear-trend pseudo-channels and a shuffled-years null beside
  every grey relational grade or coupling coordination degree (hkfactor.methods);
* :data:`SHOCKS`, :func:`dated_shocks`, :func:`get_shock` — the registered shocks, dated from
  ``events.csv``.

Every design returns a frozen result record with ``method``, ``estimate``
(:class:`Estimate`), ``sample`` (:class:`Sample`) and typed ``warnings``
(:class:`DesignWarning`, codes in :data:`WARNING_CODES`); no sentence is written here.
pyfixest, wildboottest and pysyncon are the ``designs`` extra
(``pip install 'hkfactor[designs]'``); they are imported when a design runs.
See ``docs/designs.md``.
"""

from __future__ import annotations

from hkfactor.evaluation.designs._common import MissingDependencyError, load_libraries
from hkfactor.evaluation.designs._event import event_study
from hkfactor.evaluation.designs._placebo import TREND_NAME, VARIANTS, placebo_benchmarks
from hkfactor.evaluation.designs._results import (
    WARNING_CODES,
    BenchmarkRow,
    BenchmarkTable,
    DesignWarning,
    Estimate,
    EventCoefficient,
    EventStudyResult,
    GapPoint,
    PlaceboRun,
    Sample,
    SyntheticControlResult,
    TwfeResult,
)
from hkfactor.evaluation.designs._shocks import (
    SHOCKS,
    Shock,
    ShockSpec,
    dated_shocks,
    get_shock,
    overlapping_shocks,
)
from hkfactor.evaluation.designs._synth import synthetic_control
from hkfactor.evaluation.designs._twfe import twfe

__all__ = [
    "SHOCKS",
    "TREND_NAME",
    "VARIANTS",
    "WARNING_CODES",
    "BenchmarkRow",
    "BenchmarkTable",
    "DesignWarning",
    "Estimate",
    "EventCoefficient",
    "EventStudyResult",
    "GapPoint",
    "MissingDependencyError",
    "PlaceboRun",
    "Sample",
    "Shock",
    "ShockSpec",
    "SyntheticControlResult",
    "TwfeResult",
    "dated_shocks",
    "event_study",
    "get_shock",
    "load_libraries",
    "overlapping_shocks",
    "placebo_benchmarks",
    "synthetic_control",
    "twfe",
]
