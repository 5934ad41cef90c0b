"""CRITIC weights (CRiteria Importance Through Intercriteria Correlation)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.methods._common import (
    Directions,
    FloatArray,
    as_matrix,
    check_finite,
    minmax_core,
    parse_directions,
    wrap_columns,
)

__all__ = ["critic_weights"]

Correlation = Literal["pearson", "spearman"]


def _rank(x: FloatArray) -> FloatArray:
    """Average ranks along axis -2 (ties share the mean rank), batched."""
    from hkfactor.methods._common import ranks

    return ranks(x, axis=-2, ties="average")


def critic_core(z: FloatArray, *, correlation: str) -> FloatArray:
    """Return information amounts ``C`` (..., m) of a finite matrix ``z`` (..., n, m)."""
    sd = z.std(axis=-2, ddof=1)
    constant = (z.max(axis=-2) == z.min(axis=-2))
    sd = np.where(constant, 0.0, sd)
    r_in = _rank(z) if correlation == "spearman" else z
    centred = r_in - r_in.mean(axis=-2, keepdims=True)
    norm = np.sqrt((centred**2).sum(axis=-2))
    ok = ~constant & (norm > 0)
    unit = centred / np.where(ok, norm, 1.0)[..., None, :]
    unit = np.where(ok[..., None, :], unit, 0.0)
    r = np.einsum("...ij,...ik->...jk", unit, unit)
    r = np.clip(r, -1.0, 1.0)
    # A constant column takes no part in the conflict sums (it has no correlation).
    pair_ok = ok[..., :, None] & ok[..., None, :]
    conflict = np.where(pair_ok, 1.0 - r, 0.0).sum(axis=-1)
    # Perfect correlation leaves rounding noise (~1e-16) that must not decide the weights.
    conflict = np.where(conflict < 1e-12, 0.0, conflict)
    return sd * conflict


def critic_weights(
    X: Any,
    *,
    directions: Directions = None,
    correlation: Correlation = "pearson",
    normalise: bool = True,
    details: bool = False,
) -> Any:
    r"""CRITIC weights of the columns of ``X`` (Diakoulaki, Mavrotas & Papayannakis 1995).

    Formula:

    1. with ``normalise=True`` each column is mapped to [0, 1] by its direction,
       :math:`z_{ij} = (x_{ij} - x_j^{\text{worst}})/(x_j^{\text{best}} - x_j^{\text{worst}})`
       (paper eqs. 2–3); with ``normalise=False`` the raw column is used, its sign flipped
       for a negative (cost) indicator;
    2. contrast :math:`\sigma_j` = standard deviation of column :math:`j`;
    3. conflict :math:`\sum_k (1 - r_{jk})` with :math:`r_{jk}` the Pearson correlation of
       columns :math:`j, k` (``correlation="spearman"``: Pearson on average ranks);
    4. information :math:`C_j = \sigma_j \sum_k (1 - r_{jk})`, weight
       :math:`w_j = C_j / \sum_k C_k`.

    Parameters
    ----------
    X : array_like of shape (..., n, m), or DataFrame
        ``n >= 2`` alternatives by ``m`` criteria; leading axes are batches.
    directions : sequence or mapping, optional
        1 / -1 per column. ``None`` means no direction handling (all treated as positive),
        which is what pymcdm does. Direction matters: reversing a column flips the sign of
        its correlations and so changes the conflict term.
    correlation : {"pearson", "spearman"}, default "pearson"
    normalise : bool, default True
        Min-max normalise first, as in the paper. ``False`` uses raw standard deviations,
        which depend on the units.
    details : bool, default False
        Return the intermediate quantities a paper reports instead: a DataFrame (2-D input
        only) with one row per column and the columns ``sd`` (contrast :math:`\sigma_j`),
        ``conflict`` (:math:`\sum_k (1 - r_{jk})`), ``C`` (information) and ``w`` (weight).

    Returns
    -------
    ndarray of shape (..., m), or Series indexed by the DataFrame's columns; with
    ``details=True`` a DataFrame ``sd, conflict, C, w``.

    Raises
    ------
    InputError
        NaN or infinite values (per column, named); no column varies.
    SpecError
        Unknown ``correlation``; fewer than 2 rows.

    Notes
    -----
    Whether :math:`\sigma` uses ``n`` or ``n - 1`` does not change the weights (it cancels).
    A constant column has :math:`\sigma_j = 0`, so weight 0, and has no correlation: it is
    left out of the other columns' conflict sums, so the remaining weights equal those
    computed without it. With ``normalise=True`` the weights are invariant to a positive
    affine change of units of any column.

    References
    ----------
    Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in
    multiple criteria problems: the CRITIC method. *Computers & Operations Research*
    22(7): 763–770.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 3.0, 2.0], [2.0, 1.0, 2.5], [3.0, 2.0, 4.0], [4.0, 5.0, 3.0]])
    >>> critic_weights(X).round(4)
    array([0.2186, 0.4114, 0.3699])
    """
    if correlation not in ("pearson", "spearman"):
        raise SpecError(f"unknown correlation {correlation!r}; valid: pearson, spearman")
    arr, labels = as_matrix(X)
    check_finite(arr, labels, what="CRITIC weighting")
    if arr.shape[-2] < 2:
        raise SpecError(f"CRITIC needs at least 2 rows, got shape {arr.shape}")
    dirs = parse_directions(directions, arr.shape[-1], labels)
    z = minmax_core(arr, dirs, constant_value=0.0) if normalise else arr * dirs
    c = critic_core(z, correlation=correlation)
    total = c.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise InputError(
            [Problem("X", None, None, "C_j is 0 for every column (no column varies, or the varying ones are perfectly correlated), so CRITIC weights are undefined")],
            title="X: constant data",
        )
    if details:
        import pandas as pd

        if arr.ndim != 2:
            raise SpecError("details=True needs a 2-D matrix")
        sd = z.std(axis=-2, ddof=1)
        sd = np.where(z.max(axis=-2) == z.min(axis=-2), 0.0, sd)
        conflict = np.divide(c, sd, out=np.zeros_like(c), where=sd > 0)
        idx = list(labels.columns) if labels.columns is not None else list(range(arr.shape[-1]))
        return pd.DataFrame({"sd": sd, "conflict": conflict, "C": c, "w": c / total[..., 0]}, index=idx)
    return wrap_columns(c / total, labels, "weight")
