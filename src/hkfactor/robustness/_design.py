"""Uncertain inputs, their sample designs and the map from the unit hypercube to values."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hkfactor.errors import SpecError

__all__ = [
    "Alternative",
    "UncertainInput",
    "WeightNoise",
    "noisy_weights",
    "pick",
    "sobol_design",
    "uniform_design",
]


@dataclass(frozen=True)
class Alternative:
    """One whole alternative for a recipe step: a method name and its parameters.

    Example: ``Alternative("zscore", {"m_sd": (10, 2)})`` (COINr's
    ``list(f_n = "n_zscore", f_n_para = list(c(10, 2)))``).
    """

    method: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        if not self.params:
            return self.method
        inner = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.method}({inner})"


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain choice in the recipe.

    Parameters
    ----------
    step : str
        Name of the recipe step it changes (e.g. ``"Treat"``, ``"Normalise"``).
    param : str or None
        Parameter of that step to set (e.g. ``"winmax"``). ``None`` means each value is a
        whole :class:`Alternative` (method and parameters) or a method name.
    values : tuple
        Equiprobable discrete alternatives. A draw ``u ~ U[0, 1)`` picks
        ``values[floor(u * k)]`` (COINr ``sample_2_para(dist_type = "discrete")``).
    bounds : tuple of float, optional
        Instead of ``values``: a continuous uniform range ``(low, high)``; the value is
        ``low + u (high - low)`` (COINr ``dist_type = "continuous"``).
    name : str, optional
        Label in results; default ``"<step>.<param>"`` or the step name.

    Use :meth:`integers` for an integer parameter such as a winsorisation limit 1-5.
    """

    step: str
    param: str | None = None
    values: tuple[Any, ...] | None = None
    bounds: tuple[float, float] | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.values is None) == (self.bounds is None):
            raise SpecError(f"uncertain input on step {self.step!r}: give exactly one of values= or bounds=")
        if self.values is not None:
            vals = tuple(self.values)
            if len(vals) < 1:
                raise SpecError(f"uncertain input on step {self.step!r}: values is empty")
            object.__setattr__(self, "values", vals)
            if self.param is None:
                alts = tuple(v if isinstance(v, Alternative) else Alternative(str(v)) for v in vals)
                object.__setattr__(self, "values", alts)
        if self.bounds is not None:
            lo, hi = (float(b) for b in self.bounds)
            if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                raise SpecError(f"uncertain input on step {self.step!r}: bounds must be finite with high > low")
            if self.param is None:
                raise SpecError(f"uncertain input on step {self.step!r}: continuous bounds need a param")
            object.__setattr__(self, "bounds", (lo, hi))

    @classmethod
    def integers(cls, step: str, param: str, low: int, high: int, *, name: str | None = None) -> UncertainInput:
        """Equiprobable integers ``low, ..., high`` (inclusive)."""
        if high < low:
            raise SpecError(f"integers({low}, {high}): high < low")
        return cls(step, param, values=tuple(range(int(low), int(high) + 1)), name=name)

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return f"{self.step}.{self.param}" if self.param else self.step

    @property
    def discrete(self) -> bool:
        return self.values is not None

    def value_at(self, u: NDArray[np.float64]) -> NDArray[Any]:
        """Map draws ``u`` in [0, 1) to level indices (discrete) or values (continuous)."""
        if self.values is not None:
            return pick(u, len(self.values))
        assert self.bounds is not None  # invariant from __post_init__
        lo, hi = self.bounds
        return lo + np.asarray(u, dtype=float) * (hi - lo)


@dataclass(frozen=True)
class WeightNoise:
    r"""Uniform relative noise on the weights of some aggregation levels.

    COINr ``get_noisy_weights``: for every weight ``w`` at a listed level,

    .. math:: w' = w + (2u - 1)\,\phi\,w, \qquad u \sim U[0, 1],

    i.e. ``w`` moved by up to ``+/- phi`` of itself (``phi = 0.25`` for +/-25 %). COINr draws
    a pool of ``Nrep`` noisy weight sets and treats the pool as one discrete input; here
    every replication draws its own ``u`` per weight, and in a Sobol' analysis the weights
    of all listed levels form one *group* of factors (one index for "the weights").

    Parameters
    ----------
    levels : tuple of int
        Aggregation levels whose weights get noise, in COINr numbering (1 = indicators,
        2 = first aggregates, ...). Default ``(2, 3)``.
    factor : float or tuple of float
        ``phi`` per level (one value for all levels, or one per level). Default 0.25.
    name : str, default ``"Weights"``
    """

    levels: tuple[int, ...] = (2, 3)
    factor: float | tuple[float, ...] = 0.25
    name: str = "Weights"

    def __post_init__(self) -> None:
        levels = tuple(int(v) for v in self.levels)
        if not levels or len(set(levels)) != len(levels) or min(levels) < 1:
            raise SpecError(f"WeightNoise levels must be distinct integers >= 1, got {self.levels}")
        fac = self.factor if isinstance(self.factor, tuple) else (float(self.factor),) * len(levels)
        if len(fac) != len(levels) or any(not (0 <= f < 1) for f in fac):
            raise SpecError(f"WeightNoise factor must be in [0, 1) for each level, got {self.factor}")
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "factor", tuple(float(f) for f in fac))

    @property
    def label(self) -> str:
        return self.name

    def factors(self) -> dict[int, float]:
        assert isinstance(self.factor, tuple)
        return dict(zip(self.levels, self.factor, strict=True))


def pick(u: NDArray[np.float64] | float, k: int) -> NDArray[np.intp]:
    """Index of the equiprobable alternative drawn by ``u`` in [0, 1]: ``min(floor(u k), k - 1)``."""
    idx = np.floor(np.asarray(u, dtype=float) * k).astype(np.intp)
    return np.clip(idx, 0, k - 1)


def noisy_weights(w: NDArray[np.float64], u: NDArray[np.float64], phi: NDArray[np.float64] | float) -> NDArray[np.float64]:
    r"""COINr's weight noise ``w + (2u - 1) phi w``, broadcast over replications.

    Parameters
    ----------
    w : ndarray, shape (n_w,)
        Nominal weights.
    u : ndarray, shape (..., n_w)
        Draws in [0, 1].
    phi : float or ndarray, shape (n_w,)
        Relative noise (0 leaves a weight unchanged).

    Returns
    -------
    ndarray, shape (..., n_w)
    """
    w = np.asarray(w, dtype=float)
    return w + (2.0 * np.asarray(u, dtype=float) - 1.0) * np.asarray(phi, dtype=float) * w


def uniform_design(n: int, n_dims: int, *, seed: int | np.random.Generator | None = None) -> NDArray[np.float64]:
    """Plain Monte Carlo design: ``n`` rows of ``n_dims`` independent U[0, 1) draws (COINr UA)."""
    if n < 1:
        raise SpecError(f"n must be >= 1, got {n}")
    return np.random.default_rng(seed).random((n, n_dims))


def sobol_design(
    n: int, groups: Sequence[str], *, seed: int | np.random.Generator | None = None
) -> NDArray[np.float64]:
    """Saltelli design on a scrambled Sobol' sequence (SALib ``sample.sobol.sample``).

    Parameters
    ----------
    n : int
        Base sample size ``N``; must be a power of 2 (the balance properties of Sobol'
        points hold only then).
    groups : sequence of str, length n_dims
        Group name of each hypercube dimension; dimensions sharing a name move together
        in ``A_B^i`` (SALib ``problem["groups"]``). ``G`` distinct names.
    seed : int or Generator, optional
        Scrambling seed.

    Returns
    -------
    ndarray, shape (n (G + 2), n_dims)
        Rows interleaved per base point as ``A_j, A_B^1_j, ..., A_B^G_j, B_j``, in the order
        groups first appear in ``groups``; values in [0, 1).
    """
    if n < 2 or n & (n - 1):
        raise SpecError(f"Sobol' design needs N a power of 2 (>= 2), got {n}")
    try:
        from SALib.sample import sobol as _salib_sobol
    except ImportError as exc:  # pragma: no cover - SALib is in the 'sensitivity' extra
        raise SpecError("sensitivity analysis needs SALib: pip install 'hkfactor[sensitivity]'") from exc
    groups = list(groups)
    problem: dict[str, Any] = {
        "num_vars": len(groups),
        "names": [f"u{i}" for i in range(len(groups))],
        "bounds": [[0.0, 1.0]] * len(groups),
    }
    if len(set(groups)) < len(groups):
        problem["groups"] = groups
    x = _salib_sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    return np.asarray(x, dtype=float)
