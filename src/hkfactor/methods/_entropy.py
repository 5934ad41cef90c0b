"""Entropy weights (熵值法 / 熵权法)."""

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
from hkfactor.methods._standardise import _check_rescale

__all__ = ["ENTROPY_VARIANTS", "entropy_weights"]

EntropyVariant = Literal["shifted_minmax", "rescaled_minmax", "minmax", "raw"]
#: The recipes :func:`entropy_weights` knows, by name.
ENTROPY_VARIANTS: tuple[str, ...] = ("shifted_minmax", "rescaled_minmax", "minmax", "raw")


def _pool(arr: FloatArray, periods: int | None) -> FloatArray:
    if periods is None:
        return arr
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 1:
        raise SpecError(f"pooled_periods must be a positive integer, got {periods!r}")
    if arr.ndim >= 3:
        if arr.shape[-3] != periods:
            raise SpecError(
                f"pooled_periods={periods} but X has shape {arr.shape}; a panel cube must be (..., T, n, m)"
            )
        return arr.reshape((*arr.shape[:-3], arr.shape[-3] * arr.shape[-2], arr.shape[-1]))
    if arr.shape[-2] % periods:
        raise SpecError(
            f"pooled_periods={periods} does not divide the {arr.shape[-2]} stacked rows of X"
        )
    return arr


def entropy_core(
    arr: FloatArray,
    dirs: FloatArray,
    *,
    variant: str,
    shift: float,
    rescale: tuple[float, float] | None,
) -> tuple[FloatArray, FloatArray]:
    """Return ``(e, w)``, each of shape ``(..., m)``, for a finite array ``(..., n, m)``."""
    n = arr.shape[-2]
    if variant == "raw":
        if np.any(arr < 0):
            raise InputError(
                [Problem("X", None, None, "variant='raw' needs non-negative data (p = x / sum x)")],
                title="X: negative values",
            )
        z = arr
    else:
        z = minmax_core(arr, dirs)
        if variant == "shifted_minmax":
            z = z + shift
        elif variant == "rescaled_minmax":
            lo, hi = _check_rescale(rescale if rescale is not None else (0.002, 0.998))
            z = lo + (hi - lo) * z
    col_max = z.max(axis=-2, keepdims=True)
    col_min = z.min(axis=-2, keepdims=True)
    constant = (col_max == col_min)[..., 0, :]
    total = z.sum(axis=-2, keepdims=True)
    p = z / np.where(total > 0, total, 1.0)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=-2) / np.log(n)
    # A column without spread carries no information: e = 1 exactly (not 1 - 1e-16).
    e = np.where(constant, 1.0, np.minimum(e, 1.0))
    d = 1.0 - e
    dsum = d.sum(axis=-1, keepdims=True)
    if np.any(dsum <= 0):
        raise InputError(
            [Problem("X", None, None, "no column varies, so entropy weights are undefined")],
            title="X: constant data",
        )
    return e, d / dsum


def entropy_weights(
    X: Any,
    *,
    directions: Directions = None,
    variant: EntropyVariant = "shifted_minmax",
    shift: float = 1e-4,
    rescale: tuple[float, float] | None = None,
    pooled_periods: int | None = None,
    details: bool = False,
) -> Any:
    r"""Entropy weights of the columns of ``X`` (熵值法).

    Formula (with ``n`` rows):

    1. standardise per direction (not for ``variant="raw"``): positive
       :math:`z_{ij} = (x_{ij}-\min_i x_{ij})/(\max_i x_{ij}-\min_i x_{ij})`, negative
       :math:`z_{ij} = (\max_i x_{ij}-x_{ij})/(\max_i x_{ij}-\min_i x_{ij})`;
    2. make the values positive, by variant (see below);
    3. proportions :math:`p_{ij} = z_{ij} / \sum_i z_{ij}`;
    4. entropy :math:`e_j = -k \sum_i p_{ij} \ln p_{ij}` with :math:`k = 1/\ln n` and
       :math:`0 \ln 0 = 0`;
    5. divergence :math:`d_j = 1 - e_j`; weight :math:`w_j = d_j / \sum_j d_j`.

    Variants
    --------
    ``"shifted_minmax"`` (default)
        :math:`z + \text{shift}` with ``shift=1e-4`` — the recipe of most Chinese papers
        (e.g. 郭显光 1998 translation of the coordinates; 0.0001 or 0.01 in practice).
    ``"rescaled_minmax"``
        :math:`a + (b-a) z` with ``rescale=(a, b)``, default ``(0.002, 0.998)``; papers also
        use ``(0.01, 0.99)``.
    ``"minmax"``
        :math:`z` as is; the row at the worst value gets :math:`p = 0`, counted as
        :math:`0 \ln 0 = 0`.
    ``"raw"``
        no standardisation: :math:`p_{ij} = x_{ij}/\sum_i x_{ij}` on the raw, non-negative
        data, :math:`0 \ln 0 = 0`, ``directions`` ignored. This is what pymcdm
        (``pymcdm.weights.entropy_weights``, which also requires x > 0) and scikit-criteria
        (``skcriteria.preprocessing.weighters.entropy_weights``, via
        ``scipy.stats.entropy``) compute. It is *not* invariant to a change of units with
        an offset (°C vs °F) and ignores whether an indicator is positive or negative.

    Parameters
    ----------
    X : array_like of shape (..., n, m), or DataFrame
        ``n >= 2`` units by ``m`` indicators; leading axes are independent batches.
    directions : sequence or mapping, optional
        1 / -1 (or '+'/'-', 'benefit'/'cost') per column; ``None`` = all positive.
    variant : {"shifted_minmax", "rescaled_minmax", "minmax", "raw"}
    shift : float, default 1e-4
        Used by ``"shifted_minmax"`` only.
    rescale : (float, float), optional
        Used by ``"rescaled_minmax"`` only; default ``(0.002, 0.998)``.
    pooled_periods : int, optional
        Panel pooling (面板熵值法): the ``T`` periods of a panel are pooled, min-max is taken
        over all ``nT`` unit-years and :math:`k = 1/\ln(nT)`. ``X`` is either a 2-D stack of
        ``n*T`` rows (then the rows count is checked) or a cube ``(..., T, n, m)`` whose
        axis ``-3`` (length ``T``) is merged into the rows. Without it, a cube's periods are
        separate batches, each with its own weights.
    details : bool, default False
        Return the intermediate quantities a paper reports instead: a DataFrame (2-D input
        only) with one row per column and the columns ``e`` (entropy :math:`e_j`), ``d``
        (divergence :math:`d_j = 1 - e_j`) and ``w`` (weight).

    Returns
    -------
    ndarray of shape (..., m), or Series indexed by the DataFrame's columns; with
    ``details=True`` a DataFrame ``e, d, w``.

    Raises
    ------
    InputError
        NaN or infinite values (one problem per column, naming it): weights need complete
        data, so missing values are never silently dropped; negative data for ``"raw"``;
        no column varies.
    SpecError
        Unknown variant, bad ``rescale``/``pooled_periods``, fewer than 2 rows.

    Notes
    -----
    A constant column has :math:`e_j = 1` and gets weight exactly 0 in every variant.
    All min-max variants are invariant to a positive affine change of units of a column
    (:math:`x \to a x + b`, :math:`a > 0`); reversing a column and its direction together
    leaves the weights unchanged.

    References
    ----------
    Shannon (1948); for the weighting recipe, 郭显光 (1998), 改进的熵值法及其在经济效益评价
    中的应用, 系统工程理论与实践 18(12): 98-102; Zeleny (1982), *Multiple Criteria Decision
    Making*, McGraw-Hill. Panel form: 杨丽, 孙之淳 (2015), 基于熵值法的西部新型城镇化发展
    水平测评, 经济问题 (3): 115-119.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 5.0], [2.0, 5.5], [4.0, 6.0]])
    >>> entropy_weights(X).round(4)
    array([0.5372, 0.4628])
    >>> entropy_weights(X, variant="raw").round(4)
    array([0.9811, 0.0189])
    """
    if variant not in ENTROPY_VARIANTS:
        raise SpecError(f"unknown entropy variant {variant!r}; valid: {', '.join(ENTROPY_VARIANTS)}")
    if rescale is not None and variant != "rescaled_minmax":
        raise SpecError("rescale is only used by variant='rescaled_minmax'")
    if not np.isfinite(shift) or shift < 0:
        raise SpecError(f"shift must be finite and >= 0, got {shift!r}")
    arr, labels = as_matrix(X)
    check_finite(arr, labels, what="entropy weighting")
    arr = _pool(arr, pooled_periods)
    if arr.shape[-2] < 2:
        raise SpecError(f"entropy weights need at least 2 rows, got shape {arr.shape}")
    dirs = parse_directions(directions, arr.shape[-1], labels)
    e, w = entropy_core(arr, dirs, variant=variant, shift=float(shift), rescale=rescale)
    if details:
        import pandas as pd

        if arr.ndim != 2:
            raise SpecError("details=True needs a 2-D matrix")
        idx = list(labels.columns) if labels.columns is not None else list(range(arr.shape[-1]))
        return pd.DataFrame({"e": e, "d": 1.0 - e, "w": w}, index=idx)
    return wrap_columns(w, labels, "weight")
