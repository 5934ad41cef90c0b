"""The result of an evaluation: the stage results, every table a paper reports, the recipe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.evaluation._analysis import Attribution, Coupling, Obstacles, Robustness, row_keys
from hkfactor.evaluation._framework import EvalFramework
from hkfactor.evaluation._identify import Identification
from hkfactor.evaluation._indices import Indices
from hkfactor.evaluation._prepare import Prepared
from hkfactor.evaluation._recipe import EvaluationRecipe
from hkfactor.evaluation._spec import EvalPanel
from hkfactor.messages import Message, render

__all__ = ["TABLES", "Evaluation"]

#: Every table :meth:`Evaluation.tables` can return: key → (Chinese, English) title. The
#: Excel workbook names its sheets from these (short enough for Excel's 31 characters).
TABLES: dict[str, tuple[str, str]] = {
    "indicators": ("指标", "Indicators"),
    "coverage": ("数据覆盖", "Coverage"),
    "raw": ("原始数据", "Raw data"),
    "filled": ("填补标记", "Filled cells"),
    "normalised": ("标准化矩阵", "Standardised"),
    "weights": ("权重", "Weights"),
    "scores": ("得分与排名", "Scores and ranks"),
    "topsis": ("TOPSIS距离", "TOPSIS distances"),
    "coupling": ("耦合协调", "Coupling"),
    "grey": ("灰色关联度", "Grey grades"),
    "grey_coefficients": ("灰色关联系数", "Grey coefficients"),
    "grey_settings": ("灰色关联设置", "Grey settings"),
    "obstacles": ("指标障碍度", "Obstacles by indicator"),
    "obstacle_groups": ("分组障碍度", "Obstacles by group"),
    "robustness": ("稳健性", "Robustness"),
    "robustness_runs": ("方法组合", "Method grid"),
    "group_ranks": ("排序稳健性", "Rank robustness"),
    "loo": ("逐一剔除", "Leave one out"),
    "loo_runs": ("逐一剔除明细", "Leave-one-out runs"),
    "identification": ("识别设计", "Designs"),
    "benchmarks": ("安慰剂基准", "Placebo benchmarks"),
    "decisions": ("方法决策", "Decisions"),
    "sources": ("来源", "Sources"),
    "cells": ("数据单元", "Data cells"),
}


@dataclass(frozen=True)
class Evaluation:
    """Everything one evaluation produced.

    Attributes
    ----------
    framework, panel, recipe
        The inputs and the choices.
    prepared : Prepared
        Span, indicators, filled values, coverage (stage 1).
    indices : Indices
        The engine index, normalised matrix, weights, scores (stage 2).
    coupling : Coupling or None
        Two or more subsystems (stage 3).
    attribution : Attribution or None
        Time series with two or more subsystems (stage 4).
    obstacles : Obstacles
    robustness : Robustness or None
    identification : Identification or None
        What the design supports: the headline sentence, every design tried, the single-pair
        placebo benchmarks (stage 6; with robustness on and two or more subsystems).
    decisions : tuple of Message
        Every adaptation, in order; render with ``Message.render(lang)``.
    """

    framework: EvalFramework
    panel: EvalPanel
    recipe: EvaluationRecipe
    prepared: Prepared
    indices: Indices
    coupling: Coupling | None
    attribution: Attribution | None
    obstacles: Obstacles
    robustness: Robustness | None
    identification: Identification | None
    decisions: tuple[Message, ...]

    # ------------------------------------------------------------------ conveniences
    @property
    def shape(self) -> str:
        """``time_series``, ``cross_section`` or ``panel``."""
        return self.prepared.shape

    @property
    def years(self) -> list[int]:
        """The evaluated years."""
        return list(self.prepared.years)

    @property
    def index_(self) -> Any:
        """The engine :class:`~hkfactor.engine.Index` of the nominal run (what-if, compare, export)."""
        return self.indices.index

    def headline(self) -> pd.DataFrame:
        """Per row: the headline (D, or the single subsystem's score), its band or rank, and its
        robustness range (grid min–max and Monte Carlo 5–95 %) where computed."""
        keys = row_keys(self.indices.scores.index, self.shape)
        if self.coupling is not None:
            out = keys.assign(value=self.coupling.table["D"].to_numpy(), band_zh=self.coupling.table["band_zh"],
                              band_en=self.coupling.table["band_en"])
        else:
            sub = self.framework.subsystems[0].id
            v = self.indices.scores[sub].to_numpy()
            out = keys.assign(value=v, rank=pd.Series(v).rank(ascending=False, method="min").astype(int).to_numpy())
        if self.robustness is not None:
            s = self.robustness.summary
            for c in ("min", "max", "q05", "q95", "rank_min", "rank_max"):
                if c in s.columns:
                    out[c] = s[c].to_numpy()
        return out

    def what_if(self, **changes: Any) -> Evaluation:
        """Re-evaluate with some recipe choices changed (e.g. ``weighting="critic"``).

        The inputs are reused; pass ``robustness=False`` for a fast re-evaluation (a web page).
        """
        from hkfactor.evaluation._pipeline import evaluate

        recipe = self.recipe.replace(**changes)
        # span, indicators and filled cells depend only on these: otherwise the prepared data are reused
        same = all(getattr(recipe, k) == getattr(self.recipe, k)
                   for k in ("min_year_coverage", "min_indicator_coverage", "impute"))
        return evaluate(self.panel, self.framework, recipe=recipe, prepared=self.prepared if same else None)

    # ------------------------------------------------------------------ tables
    def indicator_table(self) -> pd.DataFrame:
        """One row per framework indicator: placement, labels, direction, link, coverage, status,
        reason (zh, en) and weights."""
        fw, p = self.framework, self.prepared
        w = self.indices.weights.set_index("series")
        rows = []
        for sub, grp, ind in fw.indicators():
            s = ind.series
            status = "used" if s in p.used else "dropped"
            code, params = p.reasons.get(s, ("", {}))
            f = p.filled[s] if s in p.filled.columns else pd.Series(dtype=object)
            n_obs, n_rows = p.observed_counts.get(s, (0, 0))
            rows.append({
                "series": s, "subsystem": sub, "group": grp, "name_zh": ind.name_zh, "name_en": ind.name_en,
                "direction": ind.direction, "unit": ind.unit, "link": ind.link, "section": ind.section,
                "n_observed": n_obs, "n_rows": n_rows,
                "n_interpolated": int((f == "interpolated").sum()), "n_carried": int((f == "carried").sum()),
                "n_imputed": int((f == "imputed").sum()),
                "n_approximate": int((p.qualifier[s] != "").sum()) if s in p.qualifier.columns else 0,
                "status": status,
                "reason_zh": render(code, params, "zh") if code else "",
                "reason_en": render(code, params, "en") if code else "",
                "weight": float(w.loc[s, "weight"]) if s in w.index else np.nan,  # type: ignore[arg-type]
                "group_weight": float(w.loc[s, "group_weight"]) if s in w.index else np.nan,  # type: ignore[arg-type]
            })
        return pd.DataFrame(rows)

    def _wide(self, df: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([row_keys(df.index, self.shape), df.reset_index(drop=True)], axis=1)

    def scores_table(self) -> pd.DataFrame:
        """Rows × groups and subsystems, with the rank of every column (cross-sections and panels
        rank units; a time series ranks years)."""
        sc = self.indices.scores
        out = self._wide(sc)
        for c in sc.columns:
            out[f"rank_{c}"] = sc[c].rank(ascending=False, method="min").to_numpy()
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, by the keys of :data:`TABLES` (tables a run did not produce are left out)."""
        p, ind = self.prepared, self.indices
        t: dict[str, pd.DataFrame] = {
            "indicators": self.indicator_table(),
            "coverage": p.coverage,
            "raw": self._wide(p.values),
            "filled": self._wide(p.filled),
            "normalised": self._wide(ind.normalised),
            "weights": ind.weights,
            "scores": self.scores_table(),
        }
        if not ind.topsis.empty:
            t["topsis"] = ind.topsis
        if self.coupling is not None:
            t["coupling"] = self.coupling.table
        if self.attribution is not None:
            t["grey"] = self.attribution.grey
            t["grey_coefficients"] = self.attribution.coefficients
            t["grey_settings"] = self.attribution.settings
        t["obstacles"] = self.obstacles.indicators
        t["obstacle_groups"] = self.obstacles.groups
        if self.robustness is not None:
            t["robustness"] = self.robustness.summary
            t["robustness_runs"] = self.robustness.runs
            if not self.robustness.group_ranks.empty:
                t["group_ranks"] = self.robustness.group_ranks
            t["loo"] = self.robustness.loo
            t["loo_runs"] = self.robustness.loo_runs
        if self.identification is not None:
            if self.identification.runs:
                t["identification"] = self.identification.table()
            if not self.identification.benchmarks.empty:
                t["benchmarks"] = self.identification.benchmarks
        t["decisions"] = pd.DataFrame(
            [{"code": d.code, "kind": d.kind, "subject": d.subject, "zh": d.render("zh"), "en": d.render("en")}
             for d in self.decisions], columns=["code", "kind", "subject", "zh", "en"])
        t["sources"] = self.panel.sources
        t["cells"] = self.panel.cells
        return t
