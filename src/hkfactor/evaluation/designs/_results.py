"""Typed results of the identification designs: plain frozen records, no prose.

Every design returns a record with the same four parts, so a report can treat them alike:

* ``method`` — a short machine name (``"twfe"``, ``"event_study"``, ``"synthetic_control"``);
* ``estimate`` — an :class:`Estimate` (effect, SE, CI, p and how the inference was done);
* ``sample`` — a :class:`Sample` (observations, clusters, treated units, periods, drops);
* ``warnings`` — :class:`DesignWarning` records, each a ``code`` from :data:`WARNING_CODES`
  with the numbers behind it; the faces turn codes into bilingual sentences.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import pandas as pd

__all__ = [
    "WARNING_CODES",
    "BenchmarkRow",
    "BenchmarkTable",
    "DesignWarning",
    "Estimate",
    "EventCoefficient",
    "EventStudyResult",
    "GapPoint",
    "PlaceboRun",
    "Sample",
    "SyntheticControlResult",
    "TwfeResult",
    "WarningCode",
]

WarningCode = Literal[
    "few_clusters",
    "few_treated_clusters",
    "single_treated_unit",
    "webb_weights",
    "full_enumeration",
    "dropped_missing",
    "dropped_nonpositive",
    "unbalanced_panel",
    "few_pre_periods",
    "few_post_periods",
    "few_donors",
    "donor_dropped",
    "overlapping_shock",
    "undated_shock",
    "treated_outside_hull",
    "poor_pre_fit",
    "binned_endpoints",
    "no_pretrend_test",
    "degenerate_series",
    "trend_not_applicable",
    "few_points",
]

#: Every warning code and what it means (documentation for the faces, English only; the
#: faces own the bilingual wording).
WARNING_CODES: dict[str, str] = {
    "few_clusters": "fewer clusters than `threshold`; cluster-robust SEs are unreliable (value = clusters)",
    "few_treated_clusters": "fewer treated clusters than `threshold`; the wild bootstrap under-rejects or over-rejects",
    "single_treated_unit": "only one treated unit: regression SEs say little; use the synthetic control",
    "webb_weights": "few clusters: Webb six-point weights used instead of Rademacher",
    "full_enumeration": "2^G is below the number of replications: every sign pattern was enumerated",
    "dropped_missing": "rows dropped for a missing outcome, treatment, control, unit or time (value = rows)",
    "dropped_nonpositive": "rows dropped because log(outcome) needs outcome > 0 (value = rows)",
    "unbalanced_panel": "not every unit is observed in every period (value = share of unit-periods present)",
    "few_pre_periods": "fewer pre-event periods than `threshold`",
    "few_post_periods": "fewer post-event periods than `threshold`",
    "few_donors": "fewer donor units than `threshold`",
    "donor_dropped": "donors dropped for missing outcome values in the study period (items = donors)",
    "overlapping_shock": "another dated shock falls inside the study window (subject = shock id, value = year)",
    "undated_shock": "a registered shock has no dated event in events.csv (subject = shock id)",
    "treated_outside_hull": "the treated unit's pre-period mean lies outside the donors' range: no convex "
                            "combination can match it",
    "poor_pre_fit": "pre-period RMSPE above `threshold` × the treated unit's pre-period SD (value = ratio)",
    "binned_endpoints": "event times beyond the window are binned into its end points (items = bins)",
    "no_pretrend_test": "no lead besides the reference period: the pre-trend test is not possible",
    "degenerate_series": "a series is constant after the transformation: no statistic (subject = series)",
    "trend_not_applicable": "the linear-trend benchmark is constant after the transformation (subject = variant)",
    "few_points": "fewer time points than `threshold`",
}


@dataclass(frozen=True)
class DesignWarning:
    """One typed caveat of a design.

    Attributes
    ----------
    code : str
        One of :data:`WARNING_CODES`.
    subject : str
        What it is about (a unit, a shock id, a series, a variant), or ``""``.
    value : float
        The number that triggered it (NaN if none).
    threshold : float
        The threshold it was compared with (NaN if none).
    items : tuple of str
        Items concerned (dropped donors, binned event times, …).
    """

    code: WarningCode
    subject: str = ""
    value: float = math.nan
    threshold: float = math.nan
    items: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As plain data."""
        d = asdict(self)
        d["items"] = list(self.items)
        return d


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its inference.

    Attributes
    ----------
    effect : float
    se : float
        Standard error (NaN where the design has none, e.g. synthetic control).
    ci_low, ci_high : float
        Confidence interval at ``ci_level`` (NaN where not defined).
    p_value : float
        Two-sided p-value for "no effect".
    ci_level : float
    inference : str
        How SE / CI / p were obtained (e.g. ``"CRV1(unit), t(G-1)"``,
        ``"wild cluster bootstrap WCR11 rademacher (p), WCU11 percentile-t (CI)"``,
        ``"placebo-in-space rank of post/pre RMSPE ratio"``).
    """

    effect: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    ci_level: float
    inference: str

    def covers(self, x: float) -> bool:
        """Whether ``x`` lies in the confidence interval (False where it is NaN)."""
        return bool(self.ci_low <= x <= self.ci_high)


@dataclass(frozen=True)
class Sample:
    """The effective sample of a design.

    Attributes
    ----------
    n_obs : int
        Unit-period observations used.
    n_clusters : int
        Clusters (regression designs) or units (synthetic control: treated + donors).
    n_units, n_periods : int
    n_treated_units : int
    n_treated_obs : int
        Treated unit-periods (treatment = 1, or post-event periods of treated units).
    n_pre, n_post : int
        Periods before / from the event (0 where there is no single event date).
    n_dropped : int
        Rows dropped before estimation (missing values, non-positive outcome under log).
    first_period, last_period : int
    """

    n_obs: int
    n_clusters: int
    n_units: int
    n_periods: int
    n_treated_units: int
    n_treated_obs: int
    n_pre: int = 0
    n_post: int = 0
    n_dropped: int = 0
    first_period: int = 0
    last_period: int = 0


@dataclass(frozen=True)
class TwfeResult:
    """What :func:`twfe` returns.

    Attributes
    ----------
    method : str
        ``"twfe"``.
    outcome, treatment : str
    log_outcome : bool
        The outcome entered as ``log(outcome)``: ``effect`` is in log points.
    controls : tuple of str
    cluster : str
    estimate : Estimate
        Analytic cluster-robust inference (CRV1, t with G−1 degrees of freedom).
    bootstrap : Estimate
        Wild cluster bootstrap: p-value with the null imposed (WCR), CI percentile-t without
        (WCU); ``se`` is the bootstrap's own CRV1 SE.
    boot_reps : int
    boot_weights : str
    seed : int
    sample : Sample
    warnings : tuple of DesignWarning
    library : str
        ``"pyfixest <version>"``.
    """

    method: str
    outcome: str
    treatment: str
    log_outcome: bool
    controls: tuple[str, ...]
    cluster: str
    estimate: Estimate
    bootstrap: Estimate
    boot_reps: int
    boot_weights: str
    seed: int
    sample: Sample
    warnings: tuple[DesignWarning, ...]
    library: str


@dataclass(frozen=True)
class EventCoefficient:
    """One lead/lag of an event study: ``rel_time`` periods from the event (−1 is the reference)."""

    rel_time: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    binned: bool = False


@dataclass(frozen=True)
class EventStudyResult:
    """What :func:`event_study` returns.

    Attributes
    ----------
    method : str
        ``"event_study"``.
    outcome : str
    log_outcome : bool
    event_time : int
    window : tuple of int
        ``(first, last)`` relative period; end points bin everything beyond them.
    reference : int
        The omitted relative period (coefficient 0 by construction).
    coefficients : tuple of EventCoefficient
        Leads and lags, reference excluded, in relative-time order.
    estimate : Estimate
        Average of the post-event coefficients (rel_time 0 … last), CRV1, t(G−1).
    pretrend_stat, pretrend_p : float
        Joint Wald (F) test that every lead (rel_time ≤ −2) is zero; NaN without leads.
    pretrend_df : int
        Number of leads tested.
    treated_units : tuple of str
    sample : Sample
    warnings : tuple of DesignWarning
    library : str
    """

    method: str
    outcome: str
    log_outcome: bool
    event_time: int
    window: tuple[int, int]
    reference: int
    coefficients: tuple[EventCoefficient, ...]
    estimate: Estimate
    pretrend_stat: float
    pretrend_p: float
    pretrend_df: int
    treated_units: tuple[str, ...]
    sample: Sample
    warnings: tuple[DesignWarning, ...]
    library: str

    def to_frame(self) -> pd.DataFrame:
        """The leads and lags as a table (one row per relative period)."""
        return pd.DataFrame([asdict(c) for c in self.coefficients])


@dataclass(frozen=True)
class GapPoint:
    """Treated, synthetic and gap (treated − synthetic) in one period."""

    time: int
    treated: float
    synthetic: float
    gap: float


@dataclass(frozen=True)
class PlaceboRun:
    """One placebo fit: a donor as treated (in space) or a fake event date (in time)."""

    unit: str
    event_time: int
    att: float
    rmspe_pre: float
    rmspe_post: float
    ratio: float


@dataclass(frozen=True)
class SyntheticControlResult:
    """What :func:`synthetic_control` returns.

    Attributes
    ----------
    method : str
        ``"synthetic_control"``.
    outcome, treated : str
    log_outcome : bool
    event_time : int
        First treated period.
    donors : tuple of str
        Donors used (after dropping those with missing values).
    weights : tuple of (str, float)
        Donor weights (non-negative, sum 1), largest first.
    path : tuple of GapPoint
        Every period of the study.
    estimate : Estimate
        ``effect`` = ATT (mean post-event gap); ``p_value`` = placebo-in-space rank p of the
        post/pre RMSPE ratio; SE and CI are NaN (no sampling model).
    rmspe_pre, rmspe_post, ratio : float
        Root mean squared gap before / from the event, and post/pre.
    placebo_space : tuple of PlaceboRun
        Every donor as the treated unit (the other donors as its pool).
    placebo_time : tuple of PlaceboRun
        The treated unit with fake event dates inside the pre-period (data up to the real event).
    p_value_time : float
        Share of fake dates (and the real one) whose ratio is at least the real ratio.
    sample : Sample
    warnings : tuple of DesignWarning
    library : str
    """

    method: str
    outcome: str
    treated: str
    log_outcome: bool
    event_time: int
    donors: tuple[str, ...]
    weights: tuple[tuple[str, float], ...]
    path: tuple[GapPoint, ...]
    estimate: Estimate
    rmspe_pre: float
    rmspe_post: float
    ratio: float
    placebo_space: tuple[PlaceboRun, ...]
    placebo_time: tuple[PlaceboRun, ...]
    p_value_time: float
    sample: Sample
    warnings: tuple[DesignWarning, ...]
    library: str

    def path_frame(self) -> pd.DataFrame:
        """The treated / synthetic / gap path as a table indexed by time."""
        return pd.DataFrame([asdict(p) for p in self.path]).set_index("time")

    def placebo_frame(self) -> pd.DataFrame:
        """The treated fit and every placebo run as one table (``kind``: treated/space/time)."""
        rows = [{"kind": "treated", "unit": self.treated, "event_time": self.event_time,
                 "att": self.estimate.effect, "rmspe_pre": self.rmspe_pre, "rmspe_post": self.rmspe_post,
                 "ratio": self.ratio}]
        rows += [{"kind": "space", **asdict(r)} for r in self.placebo_space]
        rows += [{"kind": "time", **asdict(r)} for r in self.placebo_time]
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class BenchmarkRow:
    """One series × variant of :func:`placebo_benchmarks`.

    Attributes
    ----------
    series : str
        Candidate name, or :data:`TREND_NAME` for the linear-trend pseudo-channel.
    variant : str
        ``"level"``, ``"detrended"`` or ``"differenced"``.
    statistic : float
        Grey relational grade or mean coupling coordination degree D (NaN if degenerate).
    trend_statistic : float
        The same statistic of the linear-trend pseudo-channel — the reference's own
        least-squares line, as one more channel (NaN where the variant leaves it constant).
    own_trend_statistic : float
        The statistic the candidate's own least-squares line would get in its place (NaN for
        the pseudo-channel and where the variant leaves the line constant).
    null_quantile : float
        The ``1 − alpha`` quantile of the trend-preserving permutation null (the reference's
        straight line plus its shuffled deviations; in the detrended and differenced
        variants, the shuffled transformed reference).
    p_perm : float
        Its p-value ``(1 + #{null ≥ observed}) / (1 + n_perm)``.
    p_shuffle : float
        The same for the naive null, the reference's years shuffled trend and all (equal to
        ``p_perm`` outside the level variant).
    beats_trend, beats_null : bool
        ``statistic`` strictly above both ``trend_statistic`` and ``own_trend_statistic``
        (those that apply) / strictly above ``null_quantile``.
    associated : bool
        ``beats_trend and beats_null`` (never for the pseudo-channel itself).
    is_benchmark : bool
        The row is the linear-trend pseudo-channel.
    n_points : int
        Time points the statistic used.
    preprocessing : str
        Scaling used (grey: ``mean``/``initial``/``minmax``; coupling: ``minmax``).
    """

    series: str
    variant: str
    statistic: float
    trend_statistic: float
    own_trend_statistic: float
    null_quantile: float
    p_perm: float
    p_shuffle: float
    beats_trend: bool
    beats_null: bool
    associated: bool
    is_benchmark: bool
    n_points: int
    preprocessing: str


@dataclass(frozen=True)
class BenchmarkTable:
    """What :func:`placebo_benchmarks` returns.

    Attributes
    ----------
    method : str
        ``"grey"`` or ``"coupling"``.
    rows : tuple of BenchmarkRow
        Every candidate and the pseudo-channel, in every variant.
    n_perm : int
    seed : int
    alpha : float
    rho : float
        Grey distinguishing coefficient (NaN for coupling).
    warnings : tuple of DesignWarning
    """

    method: str
    rows: tuple[BenchmarkRow, ...]
    n_perm: int
    seed: int
    alpha: float
    rho: float
    warnings: tuple[DesignWarning, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per series × variant."""
        return pd.DataFrame([asdict(r) for r in self.rows])

    def associated(self, variant: str = "level") -> tuple[str, ...]:
        """Candidates called associated in one variant."""
        return tuple(r.series for r in self.rows if r.variant == variant and r.associated)
