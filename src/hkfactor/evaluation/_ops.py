"""The evaluation's narrow view of the methods it uses.

Each function here has the signature the pipeline needs and delegates to
:mod:`hkfactor.methods` (the one home of the formulas). Until that module is present the
interim implementations below are used; they follow the same published formulas and are
removed as soon as the real ones land.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "coordination_band",
    "coupling",
    "grey_grades",
    "minmax_pooled",
    "obstacle",
    "weights",
]

Arr = npt.NDArray[np.float64]

# Ten-level coordination classification used across the coupling-coordination literature
# (e.g. Liao 1999; Wang et al. 2021): [lower bound, zh, en].
_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.0, "极度失调", "extreme imbalance"),
    (0.1, "严重失调", "serious imbalance"),
    (0.2, "中度失调", "moderate imbalance"),
    (0.3, "轻度失调", "mild imbalance"),
    (0.4, "濒临失调", "on the verge of imbalance"),
    (0.5, "勉强协调", "barely coordinated"),
    (0.6, "初级协调", "primary coordination"),
    (0.7, "中级协调", "intermediate coordination"),
    (0.8, "良好协调", "good coordination"),
    (0.9, "优质协调", "quality coordination"),
)


def band_edges() -> list[tuple[float, float, str, str]]:
    """``(lower, upper, zh, en)`` of every coordination band, lowest first."""
    out = []
    for i, (lo, zh, en) in enumerate(_BANDS):
        hi = _BANDS[i + 1][0] if i + 1 < len(_BANDS) else 1.0
        out.append((lo, hi, zh, en))
    return out


def coordination_band(d: float) -> tuple[int, str, str]:
    """Band level (1–10), Chinese and English name of a coupling coordination degree ``d``."""
    if not np.isfinite(d):
        return 0, "无数据", "no data"
    level = 0
    for i, (lo, _zh, _en) in enumerate(_BANDS):
        if d >= lo - 1e-12:
            level = i
    return level + 1, _BANDS[level][1], _BANDS[level][2]


def minmax_pooled(x: Arr, direction: Arr) -> Arr:
    """Min–max normalise each column over all rows (years pooled) into [0, 1].

    Benefit columns (``direction`` +1): ``(x - min) / (max - min)``; cost columns (-1):
    ``(max - x) / (max - min)``. A constant column becomes 0.5 (it carries no information);
    NaN stays NaN.
    """
    lo = np.nanmin(x, axis=0)
    hi = np.nanmax(x, axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    z = np.where(direction > 0, (x - lo) / safe, (hi - x) / safe)
    return np.where(span > 0, z, 0.5)


def weights(z: Arr, method: str) -> Arr:
    """Indicator weights from a normalised years × indicators matrix (no NaN).

    ``entropy`` (Shannon entropy method), ``critic`` (Diakoulaki et al. 1995) or ``equal``.
    """
    m = z.shape[1]
    if m == 1:
        return np.ones(1)
    if method == "equal":
        return np.full(m, 1.0 / m)
    if method == "entropy":
        try:
            from hkfactor.methods import entropy_weights  # type: ignore[attr-defined]
        except ImportError:
            return _entropy(z)
        return np.asarray(entropy_weights(z), dtype=float)
    if method == "critic":
        try:
            from hkfactor.methods import critic_weights  # type: ignore[attr-defined]
        except ImportError:
            return _critic(z)
        return np.asarray(critic_weights(z), dtype=float)
    raise ValueError(method)


def _entropy(z: Arr) -> Arr:
    n = z.shape[0]
    col = z.sum(axis=0)
    p = np.divide(z, col, out=np.full_like(z, 1.0 / n), where=col > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    d = 1.0 - e
    if d.sum() <= 0:
        return np.full(z.shape[1], 1.0 / z.shape[1])
    return np.asarray(d / d.sum(), dtype=float)


def _critic(z: Arr) -> Arr:
    sd = z.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.corrcoef(z, rowvar=False)
    r = np.nan_to_num(r, nan=0.0)
    c = sd * (1.0 - r).sum(axis=0)
    if c.sum() <= 0:
        return np.full(z.shape[1], 1.0 / z.shape[1])
    return np.asarray(c / c.sum(), dtype=float)


def coupling(u1: Arr, u2: Arr, *, alpha: float = 0.5) -> tuple[Arr, Arr, Arr]:
    """Coupling degree C, comprehensive index T and coordination degree D of two subsystems.

    ``C = 2·sqrt(U1·U2) / (U1 + U2)``, ``T = α·U1 + (1-α)·U2``, ``D = sqrt(C·T)``. When
    ``U1 + U2 = 0`` C is 0 (no development in either subsystem).
    """
    s = u1 + u2
    c = np.divide(2.0 * np.sqrt(u1 * u2), s, out=np.zeros_like(s), where=s > 0)
    t = alpha * u1 + (1.0 - alpha) * u2
    return c, t, np.sqrt(c * t)


def grey_grades(reference: Arr, comparisons: Arr, *, rho: float = 0.5) -> Arr:
    """Grey relational grade of each comparison column against the reference sequence.

    Sequences are first made dimensionless by dividing by their mean; the coefficient is
    ``(Δmin + ρΔmax) / (Δ + ρΔmax)`` with global Δmin/Δmax (Deng 1982); the grade is the
    mean coefficient over years.
    """
    def mean_scale(a: Arr) -> Arr:
        mu = np.mean(a, axis=0)
        return np.divide(a, mu, out=np.ones_like(a), where=np.abs(mu) > 0)

    ref = mean_scale(reference[:, None])
    cmp_ = mean_scale(comparisons)
    delta = np.abs(cmp_ - ref)
    dmin, dmax = delta.min(), delta.max()
    if dmax == 0:
        return np.ones(comparisons.shape[1])
    coef = (dmin + rho * dmax) / (delta + rho * dmax)
    return np.asarray(coef.mean(axis=0), dtype=float)


def obstacle(z: Arr, w: Arr) -> Arr:
    """Obstacle degree of each indicator in each year (rows sum to 1).

    ``O_ij = w_j (1 - z_ij) / Σ_j w_j (1 - z_ij)``; a year with no deviation at all is 0.
    """
    dev = w[None, :] * (1.0 - z)
    tot = dev.sum(axis=1, keepdims=True)
    return np.divide(dev, tot, out=np.zeros_like(dev), where=tot > 0)
