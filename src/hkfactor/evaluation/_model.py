"""The result of an evaluation: one object holding every table, the recipe and the decisions."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from hkfactor.evaluation._spec import EvalFramework, EvalPanel

__all__ = ["Decision", "Evaluation", "Recipe"]

NORMALISATIONS = ("minmax", "rank")
WEIGHTINGS = ("entropy", "critic", "equal")
AGGREGATIONS = ("arithmetic", "geometric")


@dataclass(frozen=True)
class Recipe:
    """Every choice an evaluation makes, as data (serialisable, replayable).

    Parameters
    ----------
    normalisation : {"minmax", "rank"}
        How each indicator is made comparable, pooled over all kept years (years are the
        units). ``minmax``: ``(x - min)/(max - min)`` (reversed for cost indicators).
    weighting : {"entropy", "critic", "equal"}
        Indicator weights within each subsystem; ``entropy`` is the papers' recipe.
    aggregation : {"arithmetic", "geometric"}
        Weighted arithmetic mean, or weighted geometric mean of the normalised values mapped
        linearly onto ``[geo_floor, 1]`` (``geo_floor + (1 - geo_floor)·z``), so that no value
        is zero; nothing is clipped.
    min_year_coverage : float
        A year is kept only when, in *each* subsystem, at least this share of the usable
        indicators is observed (not imputed) in it.
    min_indicator_coverage : float
        An indicator is kept only when it is observed in at least this share of kept years.
    impute : {"linear", "none"}
        Gaps left inside kept years: ``linear`` interpolates linearly on the indicator's full
        series (so observations outside the evaluated years are used) and then cuts the
        evaluated years; a year before the first or after the last observation of the series
        cannot be interpolated and carries the nearest observed value (recorded as *carried*,
        a separate decision). Every filled cell is flagged; ``none`` drops every indicator
        that still has a gap.
    alpha : float
        Weight of the partner (Hong Kong) subsystem in ``T = α·U_hk + (1-α)·U_sz``.
    rho : float
        Distinguishing coefficient of the grey relational analysis.
    geo_floor : float
        Lower end of the range ``[geo_floor, 1]`` onto which normalised values are mapped
        before a geometric mean (min–max and percentile rank both give zeros, and a zero would
        annihilate the product). Disclosed as a decision whenever a geometric mean is computed.
    entropy_shift : float
        Shift added to the min–max values before the entropy (郭显光 1998; the papers use
        0.0001); see :func:`hkfactor.methods.entropy_weights` (``variant="shifted_minmax"``).
    grey_preprocessing : {"mean", "initial", "minmax"}
        How each time sequence is made dimensionless before the grey relational analysis
        (均值化 by default).
    grey_rhos : tuple of float
        Distinguishing coefficients tried, with every preprocessing, in the robustness of the
        grey relational grades.
    robustness : bool
        Whether to run every combination of normalisation × weighting × aggregation, and the
        Monte Carlo analysis below.
    mc_replications, weight_noise, seed : int, float, int
        Monte Carlo uncertainty analysis through :func:`hkfactor.robustness.uncertainty`:
        replications, relative noise on every indicator weight (±25 %), random seed (fixed so
        the report is reproducible).
    """

    normalisation: str = "minmax"
    weighting: str = "entropy"
    aggregation: str = "arithmetic"
    min_year_coverage: float = 0.5
    min_indicator_coverage: float = 0.5
    impute: str = "linear"
    alpha: float = 0.5
    rho: float = 0.5
    geo_floor: float = 0.01
    entropy_shift: float = 1e-4
    grey_preprocessing: str = "mean"
    grey_rhos: tuple[float, ...] = (0.3, 0.5, 0.7)
    robustness: bool = True
    mc_replications: int = 500
    weight_noise: float = 0.25
    seed: int = 20240501

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=2)


@dataclass(frozen=True)
class Decision:
    """One openly recorded adaptation of the method to the data.

    ``kind`` is one of ``drop_indicator``, ``drop_year``, ``drop_channel``, ``flag_channel``,
    ``impute`` (linear interpolation), ``carry`` (a value carried forward or back from the
    nearest observation, not interpolated), ``approximate`` (approximate figures and one-sided
    bounds used as point values), ``break``, ``construct`` (what the partner index measures),
    ``caveat`` (how a result may be read), ``method`` and ``input`` (what the data reader
    decided: missing-value markers read as missing, percent values converted); ``subject`` names the indicator,
    year, channel or method.
    """

    kind: str
    subject: str
    zh: str
    en: str


@dataclass
class Evaluation:
    """Everything one evaluation produced, as DataFrames, with its recipe and decisions.

    Attributes
    ----------
    framework, panel, recipe
        The inputs and the choices.
    years : list of int
        Years kept for the analysis.
    coverage : DataFrame
        One row per (series, year) of the framework over all panel years: ``status``
        ``observed``/``imputed``/``missing``/``out_of_scope`` and the source ``grade``.
    indicators : DataFrame
        One row per framework indicator: subsystem, channel, labels, direction, unit,
        ``n_observed``, ``status`` (``used``/``dropped``), ``reason``, ``weight`` (within its
        subsystem) and ``channel_weight`` (within its channel).
    values : DataFrame
        Years × used series: the values entering the analysis (imputed cells included).
    imputed : DataFrame
        Years × used series: True where the value was filled (interpolated or carried).
    filled : DataFrame
        Years × used series: ``""`` (observed), ``"interpolated"`` or ``"carried"``.
    normalised : DataFrame
        Years × used series in [0, 1].
    channel_index : DataFrame
        Years × channels: each channel's index in [0, 1] (weighted mean of its indicators).
    coupling : DataFrame
        One row per year: ``U_hk``, ``U_sz``, ``C``, ``T``, ``D``, ``C_wang2021``,
        ``D_wang2021`` (王淑佳 et al. 2021 adjusted C), ``n_interpolated`` and ``n_carried``
        (filled cells among the year's inputs; ``*_hk`` the same for the partner subsystem),
        ``n_approximate`` (approximate or bound figures among them), ``band``, ``band_zh``,
        ``band_en``, ``ratio`` (U_sz/U_hk, relative development), ``relative_zh``/``relative_en``
        (innovation relative to the partner factor: lagging / synchronous / leading, bounds 0.9 and 1.1).
    grey : DataFrame
        One row per channel: ``grade`` against the innovation index, ``rank`` and
        ``diff_corr`` (correlation of the first differences of channel and innovation index,
        a detrended check).
    obstacle : DataFrame
        Years × channels: obstacle degree of each channel of the partner subsystem (rows sum to 1).
    obstacle_indicators : DataFrame
        Years × used partner series: indicator obstacle degrees.
    robustness : DataFrame
        One row per year: nominal D and its min, median and max over every recipe variant,
        and the same for ``U_hk``; with the Monte Carlo analysis also the 5 %, 50 % and 95 %
        quantiles ``D_mc_q05``, ``D_mc_median``, ``D_mc_q95`` (and ``U_hk_mc_*``).
    robustness_runs : DataFrame
        One row per variant × year: ``normalisation``, ``weighting``, ``aggregation``, ``year``,
        ``U_hk``, ``U_sz``, ``D``.
    grey_robustness : DataFrame
        One row per channel: nominal rank and the min/max rank of its grey grade over recipe
        variants (``rank_min``, ``rank_max``), over grey settings (preprocessing × ρ:
        ``settings_rank_min/max``, ``settings_grade_min/max``) and over leave-one-indicator-out
        runs (``loo_rank_min/max``).
    grey_settings : DataFrame
        One row per preprocessing × ρ × channel: ``grade`` and ``rank`` (NaN where the
        preprocessing is undefined, e.g. dividing by a first value of 0).
    loo : DataFrame
        Leave-one-indicator-out: one row per used indicator dropped in turn: the largest
        absolute change of D over the years (``D_max_abs_change``, ``D_change_year``), the
        channel ranks of the grey grades without it and whether any rank changed.
    loo_runs : DataFrame
        One row per dropped indicator × year: ``D`` without that indicator.
    decisions : list of Decision
    index_ : hkfactor.engine.Index or None
        The nominal run as an engine ``Index`` with years as units (``HK`` and ``SZ`` scores
        equal ``U_hk`` and ``U_sz``): use its ``what_if``/``compare`` for further analysis.
        ``None`` for a geometric recipe.
    """

    framework: EvalFramework
    panel: EvalPanel
    recipe: Recipe
    years: list[int]
    coverage: pd.DataFrame
    indicators: pd.DataFrame
    values: pd.DataFrame
    imputed: pd.DataFrame
    normalised: pd.DataFrame
    channel_index: pd.DataFrame
    coupling: pd.DataFrame
    grey: pd.DataFrame
    obstacle: pd.DataFrame
    obstacle_indicators: pd.DataFrame
    robustness: pd.DataFrame
    robustness_runs: pd.DataFrame
    grey_robustness: pd.DataFrame
    decisions: list[Decision] = field(default_factory=list)
    index_: Any = None
    filled: pd.DataFrame = field(default_factory=pd.DataFrame)
    grey_settings: pd.DataFrame = field(default_factory=pd.DataFrame)
    loo: pd.DataFrame = field(default_factory=pd.DataFrame)
    loo_runs: pd.DataFrame = field(default_factory=pd.DataFrame)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by file stem, as written beside the report."""
        idx = "year"
        return {
            "coverage": self.coverage,
            "indicators": self.indicators,
            "values": self.values.rename_axis(idx).reset_index(),
            "imputed": self.imputed.rename_axis(idx).reset_index(),
            "filled": self.filled.rename_axis(idx).reset_index(),
            "normalised": self.normalised.rename_axis(idx).reset_index(),
            "channel_index": self.channel_index.rename_axis(idx).reset_index(),
            "coupling": self.coupling,
            "grey": self.grey,
            "obstacle": self.obstacle.rename_axis(idx).reset_index(),
            "obstacle_indicators": self.obstacle_indicators.rename_axis(idx).reset_index(),
            "robustness": self.robustness,
            "robustness_runs": self.robustness_runs,
            "grey_robustness": self.grey_robustness,
            "grey_settings": self.grey_settings,
            "loo": self.loo,
            "loo_runs": self.loo_runs,
            "decisions": pd.DataFrame(
                [asdict(d) for d in self.decisions], columns=["kind", "subject", "zh", "en"]
            ),
            "sources": self.panel.sources,
            "cells": self.panel.cells,
        }
