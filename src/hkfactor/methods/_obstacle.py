"""Obstacle degree model (障碍度模型)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.methods._common import (
    Directions,
    as_matrix,
    minmax_core,
    parse_directions,
    parse_weights,
)

__all__ = ["ObstacleResult", "obstacle_degree"]


@dataclass(frozen=True)
class ObstacleResult:
    """What :func:`obstacle_degree` returns.

    Attributes
    ----------
    degrees : ndarray (..., n, m) or DataFrame
        Obstacle degree :math:`O_{ij}` of indicator ``j`` for unit ``i``; each row sums to 1
        (or is all 0 for a unit at the best value on every indicator).
    by_group : ndarray (..., n, g) or DataFrame, or None
        :math:`U_{ig} = \\sum_{j \\in g} O_{ij}` per dimension ``g`` (in order of first
        appearance in ``groups``); ``None`` without ``groups``.
    groups : tuple
        The group labels, in the order of ``by_group``'s columns (empty without groups).
    """

    degrees: Any
    by_group: Any
    groups: tuple[Hashable, ...]


def obstacle_degree(
    X: Any,
    weights: Any,
    *,
    groups: Sequence[Hashable] | Mapping[Hashable, Hashable] | None = None,
    group_weights: Any = None,
    directions: Directions = None,
    normalise: bool = True,
) -> ObstacleResult:
    r"""Obstacle degree of each indicator for each unit (障碍度模型).

    Formula:

    * factor contribution :math:`F_j = w_j` (indicator weight), or
      :math:`F_j = w_j W_{g(j)}` with ``group_weights`` (weight of the indicator's dimension);
    * deviation :math:`I_{ij} = 1 - x'_{ij}` with :math:`x'` the direction-aware min-max
      standardised value (``normalise=True``) or ``X`` itself (``normalise=False``; then
      ``X`` must already lie in [0, 1]);
    * obstacle degree :math:`O_{ij} = F_j I_{ij} / \sum_j F_j I_{ij}`;
    * per dimension :math:`U_{ig} = \sum_{j \in g} O_{ij}`.

    Parameters
    ----------
    X : array_like of shape (..., n, m), or DataFrame
        Raw indicators (``normalise=True``) or standardised values in [0, 1].
    weights : array_like (m,) or (..., m), Series or mapping
        Indicator weights :math:`w_j` (e.g. entropy weights), non-negative. They are used as
        given (not rescaled); only their ratios matter to :math:`O`.
    groups : sequence of m labels, or mapping {column: dimension}, optional
        The dimension (准则层) of each indicator.
    group_weights : mapping {dimension: weight} or sequence in order of first appearance, optional
        :math:`W_g`; needs ``groups``.
    directions : sequence or mapping, optional
        1 / -1 per column, for the standardisation.
    normalise : bool, default True

    Returns
    -------
    ObstacleResult

    Notes
    -----
    Missing values propagate: min-max ignores NaN when finding a column's range, and a unit
    with a NaN indicator gets NaN obstacle degrees in its whole row (the shares are
    undefined), other units unaffected. A constant column standardises to 1 (no deviation,
    no obstacle). A unit with no deviation at all (:math:`\sum_j F_j I_{ij} = 0`) gets 0 for
    every indicator, without warnings.

    References
    ----------
    The model as used throughout Chinese sustainability, urbanisation and resilience
    evaluation (障碍因子诊断); no single originating paper is claimed here. The per-dimension
    sum :math:`U_{ig}` is the usual 准则层障碍度.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.2, 1.0], [1.0, 0.0], [0.6, 0.5]])
    >>> obstacle_degree(X, [0.5, 0.5], normalise=False).degrees.round(4)
    array([[1.    , 0.    ],
           [0.    , 1.    ],
           [0.4444, 0.5556]])
    """
    arr, labels = as_matrix(X)
    if np.any(np.isinf(arr)):
        raise InputError([Problem("X", None, None, "infinite values")])
    m = arr.shape[-1]
    w = parse_weights(weights, m, labels, normalise=False)
    dirs = parse_directions(directions, m, labels)
    if normalise:
        z = minmax_core(arr, dirs, constant_value=1.0)
    else:
        if directions is not None:
            raise SpecError("directions are only used when normalise=True")
        if np.any((arr < 0) | (arr > 1)):
            raise InputError([Problem("X", None, None, "normalise=False needs standardised values in [0, 1]")])
        z = arr

    group_of: list[Hashable] | None = None
    if groups is not None:
        if isinstance(groups, Mapping):
            if labels.columns is None:
                raise SpecError("groups given as a mapping need a DataFrame input")
            missing = [c for c in labels.columns if c not in groups]
            if missing:
                raise SpecError(f"groups lack column(s) {missing!r}")
            group_of = [groups[c] for c in labels.columns]
        else:
            group_of = list(groups)
            if len(group_of) != m:
                raise SpecError(f"groups has {len(group_of)} entries for {m} columns")
    names: tuple[Hashable, ...] = tuple(dict.fromkeys(group_of)) if group_of is not None else ()

    factor = w
    if group_weights is not None:
        if group_of is None:
            raise SpecError("group_weights need groups")
        if isinstance(group_weights, Mapping | pd.Series):
            gmap: Any = group_weights
            gw = {g: float(gmap[g]) for g in names if g in gmap}
            if len(gw) != len(names):
                raise SpecError(f"group_weights lack dimension(s) {[g for g in names if g not in gw]!r}")
        else:
            seq = [float(v) for v in group_weights]
            if len(seq) != len(names):
                raise SpecError(f"group_weights has {len(seq)} entries for {len(names)} dimensions")
            gw = dict(zip(names, seq, strict=True))
        if any(not np.isfinite(v) or v < 0 for v in gw.values()):
            raise SpecError("group_weights must be finite and non-negative")
        factor = w * np.array([gw[g] for g in group_of])

    contrib = factor[..., None, :] * (1.0 - z)
    total = contrib.sum(axis=-1, keepdims=True)
    o = np.where(total > 0, contrib / np.where(total > 0, total, 1.0), 0.0)
    o = np.where(np.isnan(total), np.nan, o)

    by_group = None
    if group_of is not None:
        member = np.array([[g == name for name in names] for g in group_of], dtype=np.float64)  # (m, g)
        by_group = o @ member
    if labels.is_frame and o.ndim == 2:
        deg_df = pd.DataFrame(o, index=labels.index, columns=labels.columns)
        grp_df = (
            pd.DataFrame(by_group, index=labels.index, columns=pd.Index(list(names)))
            if by_group is not None
            else None
        )
        return ObstacleResult(degrees=deg_df, by_group=grp_df, groups=names)
    return ObstacleResult(degrees=o, by_group=by_group, groups=names)
