"""The standardisation step the Chinese literature puts before entropy, CRITIC, GRA and obstacle degree."""

from __future__ import annotations

from typing import Any

import numpy as np

from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.methods._common import (
    Directions,
    FloatArray,
    as_matrix,
    minmax_core,
    parse_directions,
    wrap_frame,
)

__all__ = ["standardise"]


def _apply_shift_rescale(z: FloatArray, shift: float, rescale: tuple[float, float] | None) -> FloatArray:
    if rescale is not None:
        lo, hi = _check_rescale(rescale)
        z = lo + (hi - lo) * z
    if shift:
        z = z + shift
    return z


def _check_rescale(rescale: tuple[float, float]) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in rescale)
    except (TypeError, ValueError):
        raise SpecError(f"rescale must be a pair (low, high), got {rescale!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 <= lo < hi):
        raise SpecError(f"rescale must satisfy 0 <= low < high, got {rescale!r}")
    return lo, hi


def standardise(
    X: Any,
    *,
    directions: Directions = None,
    shift: float = 0.0,
    rescale: tuple[float, float] | None = None,
) -> Any:
    r"""Direction-aware min-max standardisation (极差标准化), column by column.

    For a positive (benefit, 正向) indicator :math:`x'_{ij} = (x_{ij}-\min_i x_{ij})/(\max_i x_{ij}-\min_i x_{ij})`;
    for a negative (cost, 负向) one :math:`x'_{ij} = (\max_i x_{ij}-x_{ij})/(\max_i x_{ij}-\min_i x_{ij})`.
    Optionally the result is then mapped linearly into ``rescale = (a, b)``
    (:math:`a + (b-a)x'`; papers use (0.002, 0.998) or (0.01, 0.99)), and/or a
    ``shift`` is added (papers add 0.0001 or 0.01 so that :math:`\ln` is defined).

    Parameters
    ----------
    X : array_like, shape (..., n, m), or DataFrame
        ``n`` units (rows) by ``m`` indicators (columns); leading axes are batches.
    directions : sequence of 1/-1 (or '+'/'-', 'benefit'/'cost'), or mapping, optional
        One per column; ``None`` means all positive. A mapping ``{column: direction}`` is
        allowed for a DataFrame; unlisted columns are positive.
    shift : float, default 0.0
        Added after min-max (and after ``rescale``).
    rescale : (float, float), optional
        Target interval ``(a, b)`` with ``0 <= a < b``.

    Returns
    -------
    ndarray of shape (..., n, m), or DataFrame with the input's labels.

    Notes
    -----
    Missing values: NaN is ignored when finding each column's min and max and stays NaN in
    the output (propagated, never raised). A constant column (max = min) has no spread to
    tell units apart; it is mapped to 1 (every unit at the best observed value) before
    ``rescale``/``shift``, without a division-by-zero warning.

    References
    ----------
    The recipe of the entropy-weight papers, e.g. 郭显光 (1998), 改进的熵值法及其在经济效益
    评价中的应用, 系统工程理论与实践 18(12): 98-102.

    Examples
    --------
    >>> import numpy as np
    >>> standardise(np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]]), directions=[1, -1])
    array([[0. , 1. ],
           [1. , 0. ],
           [0.5, 0.5]])
    """
    arr, labels = as_matrix(X)
    if np.isinf(arr).any():
        raise InputError([Problem("X", None, None, "infinite values cannot be standardised")])
    dirs = parse_directions(directions, arr.shape[-1], labels)
    if not np.isfinite(shift):
        raise SpecError(f"shift must be finite, got {shift!r}")
    z = _apply_shift_rescale(minmax_core(arr, dirs), float(shift), rescale)
    return wrap_frame(z, labels)
