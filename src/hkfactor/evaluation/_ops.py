"""The evaluation's narrow view of the methods it uses.

Each function here has the signature the pipeline needs and delegates to
:mod:`hkfactor.methods`, the one home of the formulas; nothing is re-derived here.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from hkfactor import methods as M

__all__ = [
    "band_edges",
    "coordination_band",
    "coupling",
    "grey_grades",
    "obstacle",
    "relative",
    "weights",
]

Arr = npt.NDArray[np.float64]

#: Entropy variant and shift used for the entropy weights (the papers' recipe).
ENTROPY_VARIANT: Final = "shifted_minmax"
ENTROPY_SHIFT = 1e-4
#: Grey relational preprocessing of the time sequences (均值化, each divided by its mean).
GREY_PREPROCESSING: Final = "mean"


def band_edges() -> list[tuple[float, float, str, str]]:
    """``(lower, upper, zh, en)`` of every coordination band, lowest first."""
    return [(b.lower, b.upper, b.zh, b.en) for b in M.COORDINATION_BANDS]


def coordination_band(d: float) -> tuple[int, str, str]:
    """Band level (1–10), Chinese and English name of a coupling coordination degree ``d``."""
    if not np.isfinite(d):
        return 0, "无数据", "no data"
    zh = str(M.coordination_band(d, lang="zh"))
    level = next(i for i, b in enumerate(M.COORDINATION_BANDS) if b.zh == zh) + 1
    return level, zh, str(M.coordination_band(d, lang="en"))


def weights(z: Arr, method: str, *, entropy_shift: float = ENTROPY_SHIFT) -> Arr:
    """Indicator weights from a normalised years × indicators matrix (no NaN, directions applied).

    ``entropy`` (:func:`hkfactor.methods.entropy_weights`, shifted min–max variant),
    ``critic`` (:func:`hkfactor.methods.critic_weights`) or ``equal``.
    """
    m = z.shape[1]
    if m == 1:
        return np.ones(1)
    if method == "equal":
        return np.full(m, 1.0 / m)
    if method == "entropy":
        return np.asarray(M.entropy_weights(z, variant=ENTROPY_VARIANT, shift=entropy_shift), dtype=np.float64)
    if method == "critic":
        return np.asarray(M.critic_weights(z), dtype=float)
    raise ValueError(method)


def coupling(u1: Arr, u2: Arr, *, alpha: float = 0.5,
             variant: Literal["standard", "wang2021"] = "standard") -> tuple[Arr, Arr, Arr]:
    """Coupling degree C, comprehensive index T and coordination degree D of two subsystems.

    ``variant="wang2021"`` is the adjusted C of 王淑佳 et al. (2021),
    ``√[(1 − |U₁−U₂|)·min/max]`` for two subsystems.
    """
    res = M.coupling_coordination(np.column_stack([u1, u2]), weights=[alpha, 1.0 - alpha], variant=variant)
    return (np.asarray(res.C, dtype=float), np.asarray(res.T, dtype=float), np.asarray(res.D, dtype=float))


def relative(u1: Arr, u2: Arr) -> tuple[Arr, list[str], list[str]]:
    """Relative development ``U2/U1`` and its type (zh, en) — innovation relative to the partner factor."""
    zh = M.relative_development(u1, u2, lang="zh")
    en = M.relative_development(u1, u2, lang="en")
    return (np.asarray(zh.ratio, dtype=float),
            ["" if v is None else str(v) for v in zh.label],
            ["" if v is None else str(v) for v in en.label])


def grey_grades(reference: Arr, comparisons: Arr, *, rho: float = 0.5, preprocessing: str = GREY_PREPROCESSING) -> Arr:
    """Grey relational grade of each comparison column against the reference time sequence."""
    pre: Literal["minmax", "initial", "mean", "none"] = (
        "initial" if preprocessing == "initial" else "minmax" if preprocessing == "minmax" else "mean")
    res = M.grey_relational(comparisons, reference, series="columns", preprocessing=pre, rho=rho)
    return np.asarray(res.grades, dtype=float)


def obstacle(z: Arr, w: Arr) -> Arr:
    """Obstacle degree of each indicator in each year from standardised values (rows sum to 1)."""
    return np.asarray(M.obstacle_degree(z, w, normalise=False).degrees, dtype=float)
