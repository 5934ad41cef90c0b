"""Coupling coordination degree model (耦合协调度模型), its bands and relative development."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.methods._common import FloatArray

__all__ = [
    "COORDINATION_BANDS",
    "CouplingResult",
    "RelativeDevelopment",
    "coordination_band",
    "coupling_coordination",
    "coupling_degree",
    "relative_development",
]

CouplingVariant = Literal["standard", "wang2021", "unscaled"]
_VARIANTS = ("standard", "wang2021", "unscaled")


@dataclass(frozen=True)
class Band:
    """One coordination band ``[lower, upper)`` (the last one closed) and its labels."""

    lower: float
    upper: float
    zh: str
    en: str


#: The ten equal-width bands of the coordination degree D used across the literature.
COORDINATION_BANDS: tuple[Band, ...] = (
    Band(0.0, 0.1, "极度失调", "extreme imbalance"),
    Band(0.1, 0.2, "严重失调", "serious imbalance"),
    Band(0.2, 0.3, "中度失调", "moderate imbalance"),
    Band(0.3, 0.4, "轻度失调", "mild imbalance"),
    Band(0.4, 0.5, "濒临失调", "on the verge of imbalance"),
    Band(0.5, 0.6, "勉强协调", "barely coordinated"),
    Band(0.6, 0.7, "初级协调", "primary coordination"),
    Band(0.7, 0.8, "中级协调", "intermediate coordination"),
    Band(0.8, 0.9, "良好协调", "good coordination"),
    Band(0.9, 1.0, "优质协调", "quality coordination"),
)


@dataclass(frozen=True)
class CouplingResult:
    """What :func:`coupling_coordination` returns; each field has shape ``(...)``.

    Attributes
    ----------
    C : coupling degree (耦合度).
    T : comprehensive development index (综合协调指数) :math:`T = \\sum_i \\alpha_i U_i`.
    D : coupling coordination degree (耦合协调度) :math:`D = \\sqrt{C T}`.
    """

    C: Any
    T: Any
    D: Any


@dataclass(frozen=True)
class RelativeDevelopment:
    """What :func:`relative_development` returns.

    Attributes
    ----------
    ratio : :math:`E = U_2 / U_1` (NaN where both are 0 or either is NaN; inf where only
        :math:`U_1 = 0`).
    label : "lagging" / "synchronous" / "leading" (or 滞后型 / 同步型 / 超前型), describing
        subsystem 2 relative to subsystem 1; ``None`` where the ratio is NaN.
    """

    ratio: Any
    label: Any


def _as_u(U: Any, check: bool = True) -> tuple[FloatArray, pd.Index | None]:
    if isinstance(U, pd.DataFrame):
        arr = U.to_numpy(dtype=np.float64, na_value=np.nan)
        index = U.index
    else:
        try:
            arr = np.asarray(U, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError([Problem("U", None, None, f"not a numeric array: {exc}")]) from None
        index = None
    if arr.ndim < 1 or arr.shape[-1] < 2:
        raise SpecError(f"U needs at least 2 subsystems on its last axis, got shape {arr.shape}")
    if np.any(np.isinf(arr)) or np.any(arr < 0):
        raise InputError([Problem("U", None, None, "subsystem indices must be finite and >= 0")])
    if check and np.any(arr > 1.0 + 1e-12):
        flat = np.argwhere(arr > 1.0 + 1e-12)
        first = tuple(int(i) for i in flat[0])
        row = str(index[first[0]]) if index is not None and arr.ndim == 2 else None
        raise InputError([Problem(
            "U", None, row,
            f"{len(flat)} subsystem index value(s) above 1 (first at position {first}: {arr[first]:.6g}); "
            "the coupling model is defined for U in [0, 1] — rescale (e.g. divide a 0–100 score by 100) "
            "or pass check=False to accept values above 1",
        )])
    return arr, index


def _coupling_core(u: FloatArray, variant: str, exponent: float | None) -> FloatArray:
    n = u.shape[-1]
    with np.errstate(all="ignore"):
        if variant == "wang2021":
            if np.any(u > 1):
                raise InputError(
                    [Problem("U", None, None, "variant='wang2021' needs subsystem indices in [0, 1]")]
                )
            i, j = np.triu_indices(n, k=1)
            spread = np.abs(u[..., i] - u[..., j]).sum(axis=-1) / (n * (n - 1) / 2)
            umax = u.max(axis=-1)
            rel = u / np.where(umax > 0, umax, 1.0)[..., None]
            ratio = np.where(umax > 0, np.prod(rel, axis=-1), 0.0)
            c = np.sqrt((1.0 - spread) * ratio ** (1.0 / (n - 1)))
        else:
            s = u.sum(axis=-1)
            safe = np.where(s > 0, s, 1.0)[..., None]
            # Product of ratios rather than ratio of products: no underflow for tiny U.
            denom = safe / n if variant == "standard" else safe
            base = np.prod(u / denom, axis=-1)
            k = 1.0 / n if exponent is None else exponent
            c = np.where(s > 0, base**k, 0.0)
    if variant != "unscaled":
        # Bounded by 1 mathematically (AM-GM; ratios <= 1); drop rounding overshoot of 2e-16.
        c = np.minimum(c, 1.0)
    return np.where(np.isnan(u).any(axis=-1), np.nan, c)


def coupling_degree(
    U: Any, *, variant: CouplingVariant = "standard", exponent: float | None = None, check: bool = True
) -> Any:
    r"""Coupling degree C of ``n >= 2`` subsystems (耦合度).

    Variants
    --------
    ``"standard"`` (default)
        :math:`C = n\,[\prod_i U_i / (\sum_i U_i)^n]^{1/n}
        = [\prod_i U_i / ((\sum_i U_i)/n)^n]^{1/n}`, the ratio of geometric to arithmetic
        mean, in [0, 1]. For two subsystems this is both
        :math:`C = 2\sqrt{U_1U_2}/(U_1+U_2)` and the square-root form
        :math:`C = [U_1U_2/((U_1+U_2)/2)^2]^{1/2}` — the same number. ``exponent=k``
        replaces the power :math:`1/n` by :math:`k` (the "adjustment coefficient" form
        :math:`C = \{U_1U_2/[(U_1+U_2)/2]^2\}^k`, e.g. :math:`k = 2`, of 廖重斌 1999).
    ``"wang2021"``
        The corrected C of 王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷 (2021), 国内耦合协调度模型的误区及修正,
        自然资源学报 36(3): 793–810, which spreads C over [0, 1]:
        :math:`C = \sqrt{\left[1 - \frac{\sum_{i>j} \sqrt{(U_i-U_j)^2}}{\sum_{m=1}^{n-1} m}\right]
        \left(\prod_i \frac{U_i}{\max_i U_i}\right)^{1/(n-1)}}`. Needs :math:`U_i \in [0, 1]`.
        The first factor is one minus the mean absolute pairwise gap; the product runs
        over the ratios :math:`U_i/\max U` (the largest contributes 1, so the power makes
        it the geometric mean of the other :math:`n-1` ratios). For two subsystems
        :math:`C = \sqrt{(1-|U_1-U_2|)\,\min(U_1,U_2)/\max(U_1,U_2)}`. This reading is
        the one consistent with the paper's Table 8 (see the tests); reading the product
        as :math:`\prod_i U_i / \max U` cannot reproduce that table.
    ``"unscaled"``
        :math:`C = [\prod_i U_i / (\sum_i U_i)^n]^{1/n}` without the factor ``n`` — the
        erroneous form that Wang et al. (2021) found in many papers; its maximum is
        :math:`1/n`, not 1. Offered only to reproduce such papers.

    Parameters
    ----------
    U : array_like of shape (..., n), or DataFrame
        Subsystem development indices (综合发展指数), non-negative; last axis = subsystems.
    variant : {"standard", "wang2021", "unscaled"}
    exponent : float, optional
        Power for ``"standard"``/``"unscaled"``; default :math:`1/n`.
    check : bool, default True
        Refuse U above 1 (:class:`InputError`): the model is defined on [0, 1] and a 0–100
        score passed by mistake would silently give wrong T and D. ``check=False`` accepts
        them (C itself is scale-free for ``"standard"``).

    Returns
    -------
    ndarray of shape (...), or Series indexed by the DataFrame's rows.

    Notes
    -----
    NaN in any subsystem gives NaN for that unit (propagated). Where every :math:`U_i = 0`
    (and, for ``"wang2021"``, wherever :math:`\max U = 0`) C is set to 0, without warnings.
    Negative or infinite U raise :class:`InputError`.

    Examples
    --------
    >>> coupling_degree([0.3, 0.6]).round(4)
    np.float64(0.9428)
    >>> coupling_degree([0.3, 0.6], variant="wang2021").round(4)
    np.float64(0.5916)
    """
    if variant not in _VARIANTS:
        raise SpecError(f"unknown coupling variant {variant!r}; valid: {', '.join(_VARIANTS)}")
    if exponent is not None and (variant == "wang2021" or not np.isfinite(exponent) or exponent <= 0):
        raise SpecError("exponent must be a positive number and is not used by variant='wang2021'")
    u, index = _as_u(U, check)
    c = _coupling_core(u, variant, exponent)
    if index is not None:
        return pd.Series(c, index=index, name="C")
    return c


def coupling_coordination(
    U: Any,
    *,
    weights: Any = None,
    variant: CouplingVariant = "standard",
    exponent: float | None = None,
    check: bool = True,
) -> CouplingResult:
    r"""Coupling coordination degree :math:`D = \sqrt{C \cdot T}` (耦合协调度).

    :math:`C` is :func:`coupling_degree` (with ``variant``/``exponent``);
    :math:`T = \sum_i \alpha_i U_i` with :math:`\sum_i \alpha_i = 1` (default equal weights
    :math:`\alpha_i = 1/n`; for two subsystems papers often write
    :math:`T = \alpha U_1 + \beta U_2`, :math:`\alpha = \beta = 0.5`).

    Parameters
    ----------
    U : array_like of shape (..., n), or DataFrame
        Subsystem indices, ideally in [0, 1]; last axis = subsystems.
    weights : sequence of n non-negative floats, optional
        :math:`\alpha_i`; rescaled to sum to 1.
    variant, exponent, check
        As in :func:`coupling_degree` (``check=True`` refuses U above 1).

    Returns
    -------
    CouplingResult
        ``C``, ``T``, ``D`` of shape (...), or Series over the DataFrame's rows.

    Notes
    -----
    For :math:`U \in [0, 1]` every variant gives :math:`C, T, D \in [0, 1]`. NaN propagates
    to C, T and D of that unit. Classify D with :func:`coordination_band`.

    References
    ----------
    廖重斌 (1999), 环境与经济协调发展的定量评判及其分类体系——以珠江三角洲城市群为例,
    热带地理 19(2): 171–177; 王淑佳 et al. (2021), 自然资源学报 36(3): 793–810.

    Examples
    --------
    >>> res = coupling_coordination([0.3, 0.6])
    >>> float(res.D.round(4))
    0.6514
    """
    u, index = _as_u(U, check)
    n = u.shape[-1]
    if weights is None:
        alpha = np.full(n, 1.0 / n)
    else:
        alpha = np.asarray(weights, dtype=np.float64)
        if alpha.shape != (n,) or not np.all(np.isfinite(alpha)) or np.any(alpha < 0) or alpha.sum() <= 0:
            raise SpecError(f"weights must be {n} non-negative numbers with a positive sum, got {weights!r}")
        alpha = alpha / alpha.sum()
    if variant not in _VARIANTS:
        raise SpecError(f"unknown coupling variant {variant!r}; valid: {', '.join(_VARIANTS)}")
    if exponent is not None and (variant == "wang2021" or not np.isfinite(exponent) or exponent <= 0):
        raise SpecError("exponent must be a positive number and is not used by variant='wang2021'")
    c = _coupling_core(u, variant, exponent)
    t = (u * alpha).sum(axis=-1)
    d = np.sqrt(c * t)
    if index is not None:
        return CouplingResult(
            C=pd.Series(c, index=index, name="C"),
            T=pd.Series(t, index=index, name="T"),
            D=pd.Series(d, index=index, name="D"),
        )
    return CouplingResult(C=c, T=t, D=d)


def coordination_band(
    D: Any, *, lang: Literal["zh", "en"] = "zh", closed: Literal["left", "right"] = "left"
) -> Any:
    """Name the coordination band of each degree ``D`` (十级协调等级).

    Ten equal-width bands: [0, 0.1) 极度失调 extreme imbalance, [0.1, 0.2) 严重失调 serious
    imbalance, [0.2, 0.3) 中度失调 moderate imbalance, [0.3, 0.4) 轻度失调 mild imbalance,
    [0.4, 0.5) 濒临失调 on the verge of imbalance, [0.5, 0.6) 勉强协调 barely coordinated,
    [0.6, 0.7) 初级协调 primary coordination, [0.7, 0.8) 中级协调 intermediate coordination,
    [0.8, 0.9) 良好协调 good coordination, [0.9, 1.0] 优质协调 quality coordination
    (廖重斌 1999 and most later papers). With ``closed="left"`` (default) each band
    includes its lower edge, [0.5, 0.6); with ``closed="right"`` its upper edge,
    (0.5, 0.6], as in e.g. 田深圳 et al. (2021), 地理学报 76(4), Table 1. Either way 0 is in
    the first band and 1 in the last.

    Parameters
    ----------
    D : float, array_like or Series
        Degrees in [0, 1].
    lang : {"zh", "en"}, default "zh"
    closed : {"left", "right"}, default "left"
        Which edge of each band belongs to it.

    Returns
    -------
    str, ndarray of object (same shape), or Series (same index). NaN gives ``None``.

    Raises
    ------
    InputError
        A value outside [0, 1].

    Examples
    --------
    >>> coordination_band(0.65)
    '初级协调'
    >>> coordination_band([0.05, 1.0], lang="en").tolist()
    ['extreme imbalance', 'quality coordination']
    """
    if lang not in ("zh", "en"):
        raise SpecError(f"lang must be 'zh' or 'en', got {lang!r}")
    if closed not in ("left", "right"):
        raise SpecError(f"closed must be 'left' or 'right', got {closed!r}")
    index = D.index if isinstance(D, pd.Series) else None
    d = np.asarray(D, dtype=np.float64)
    finite = ~np.isnan(d)
    if np.any(finite & ((d < 0) | (d > 1))):
        raise InputError([Problem("D", None, None, "coordination degrees must lie in [0, 1]")])
    # Round 10*D to 12 decimals so that e.g. 0.3 (10*0.3 == 2.9999999999999996) lands in [0.3, 0.4).
    tenths = np.round(np.where(finite, d, 0.0) * 10, 12)
    idx = np.floor(tenths) if closed == "left" else np.ceil(tenths) - 1
    idx = np.clip(idx.astype(np.int64), 0, 9)
    names = np.array([getattr(b, lang) for b in COORDINATION_BANDS], dtype=object)
    out = np.asarray(names[idx], dtype=object).reshape(d.shape)
    out[~finite] = None
    if index is not None:
        return pd.Series(out, index=index, name="band", dtype=object)
    if out.ndim == 0:
        return out.item()
    return out


_REL_LABELS = {
    "en": ("lagging", "synchronous", "leading"),
    "zh": ("滞后型", "同步型", "超前型"),
}


def relative_development(
    U1: Any,
    U2: Any,
    *,
    bounds: tuple[float, float] = (0.9, 1.1),
    lang: Literal["zh", "en"] = "zh",
) -> RelativeDevelopment:
    r"""Relative development degree :math:`E = U_2 / U_1` (相对发展度) and its type.

    With ``bounds = (a, b)``: :math:`E \le a` — subsystem 2 lags subsystem 1 (滞后型);
    :math:`a < E \le b` — synchronous (同步型); :math:`E > b` — subsystem 2 leads (超前型).
    Papers use ``(0.9, 1.1)`` (default) or ``(0.8, 1.2)``.

    Parameters
    ----------
    U1, U2 : float, array_like or Series (broadcastable)
        Non-negative development indices.
    bounds : (float, float), default (0.9, 1.1)
    lang : {"zh", "en"}, default "zh" (as :func:`coordination_band`)

    Returns
    -------
    RelativeDevelopment
        ``ratio`` and ``label`` (ndarray of object, or Series for Series input). NaN in
        either input, or :math:`U_1 = U_2 = 0`, gives ratio NaN and label ``None``;
        :math:`U_1 = 0 < U_2` gives ratio inf (leading). No division warnings.

    References
    ----------
    e.g. 王淑佳 et al. (2021), 自然资源学报 36(3): 793–810, sec. on 相对发展度.

    Examples
    --------
    >>> relative_development([0.5, 0.5, 0.5], [0.3, 0.5, 0.7], lang="en").label.tolist()
    ['lagging', 'synchronous', 'leading']
    >>> relative_development(0.5, 0.3).label
    '滞后型'
    """
    if lang not in _REL_LABELS:
        raise SpecError(f"lang must be 'zh' or 'en', got {lang!r}")
    a, b = (float(v) for v in bounds)
    if not (0 < a <= b):
        raise SpecError(f"bounds must satisfy 0 < low <= high, got {bounds!r}")
    index = U2.index if isinstance(U2, pd.Series) else (U1.index if isinstance(U1, pd.Series) else None)
    u1 = np.asarray(U1, dtype=np.float64)
    u2 = np.asarray(U2, dtype=np.float64)
    if np.any(u1 < 0) or np.any(u2 < 0) or np.any(np.isinf(u1)) or np.any(np.isinf(u2)):
        raise InputError([Problem("U", None, None, "development indices must be finite and >= 0")])
    u1, u2 = np.broadcast_arrays(u1, u2)
    both_zero = (u1 == 0) & (u2 == 0)
    ratio = np.where(u1 > 0, u2 / np.where(u1 > 0, u1, 1.0), np.inf)
    ratio = np.where(both_zero | np.isnan(u1) | np.isnan(u2), np.nan, ratio)
    lag, sync, lead = _REL_LABELS[lang]
    label = np.asarray(np.where(ratio <= a, lag, np.where(ratio <= b, sync, lead)), dtype=object).reshape(ratio.shape)
    label[np.isnan(ratio)] = None
    if index is not None:
        return RelativeDevelopment(
            ratio=pd.Series(ratio, index=index, name="E"), label=pd.Series(label, index=index, name="type", dtype=object)
        )
    if ratio.ndim == 0:
        return RelativeDevelopment(ratio=float(ratio), label=label.item())
    return RelativeDevelopment(ratio=ratio, label=label)
