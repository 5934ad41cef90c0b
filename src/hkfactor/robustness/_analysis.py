"""Uncertainty and sensitivity analysis of an index, replications as array axes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hkfactor.engine.kernels import ValueDomainError
from hkfactor.errors import SpecError
from hkfactor.robustness._design import (
    UncertainInput,
    WeightNoise,
    noisy_weights,
    sobol_design,
    uniform_design,
)
from hkfactor.robustness._estimators import SobolIndices, sobol_indices, split_saltelli
from hkfactor.robustness._ranks import mean_abs_rank_shift, rank_desc, rank_stats

__all__ = [
    "BatchModel",
    "Change",
    "SensitivityResult",
    "UncertaintyResult",
    "sensitivity",
    "uncertainty",
]

Change = tuple[str, str | None, Any]
"""One edit of the recipe: ``(step, param, value)``; ``param None`` means ``value`` is an
:class:`~hkfactor.robustness.Alternative` replacing the step's method and parameters."""

Progress = Callable[[int, int], None]

TARGETS = ("mean_abs_rank_shift", "score", "rank", "scores", "ranks")


class PlanLike(Protocol):
    """What the analysis needs of :class:`hkfactor.engine.framework.AggregationPlan`."""

    @property
    def indicators(self) -> tuple[str, ...]: ...
    @property
    def aggregates(self) -> tuple[str, ...]: ...
    @property
    def columns(self) -> tuple[str, ...]: ...
    @property
    def levels(self) -> tuple[int, ...]: ...


@runtime_checkable
class BatchModel(Protocol):
    """What the analysis needs of an index; :class:`hkfactor.engine.Index` is adapted to it.

    ``normalised(changes)`` rebuilds the stages before aggregation with the recipe edited by
    ``changes`` (none of them on ``aggregation_step``) and returns the normalised indicators
    ``(n_units, n_indicators)``. ``aggregate(x, factors, changes)`` aggregates ``x`` up the
    framework with the aggregation step edited by ``changes``, for a batch of weight sets:
    the weights in effect times ``factors (r, n_columns)`` (1 where no noise), and returns
    ``(r, n_units, n_columns)`` (the engine's batch-ready ``aggregate_tree``).
    """

    @property
    def plan(self) -> PlanLike: ...
    @property
    def units(self) -> tuple[str, ...]: ...
    @property
    def aggregation_step(self) -> str: ...
    def normalised(self, changes: Sequence[Change]) -> NDArray[np.float64]: ...
    def aggregate(
        self, x: NDArray[np.float64], factors: NDArray[np.float64], changes: Sequence[Change]
    ) -> NDArray[np.float64]: ...


def _column_levels(plan: PlanLike) -> NDArray[np.int64]:
    """COINr level of every column of ``plan`` (1 for indicators)."""
    return np.array([1] * len(plan.indicators) + list(plan.levels), dtype=np.int64)


@dataclass(frozen=True)
class UncertaintyResult:
    """Scores and ranks of every unit over the replications of an uncertainty analysis.

    Attributes
    ----------
    inputs : tuple of str
        Labels of the uncertain inputs.
    units : tuple of str
        Unit codes (columns of ``scores``).
    column : str
        Framework element analysed (default the index).
    design : ndarray, shape (n_rep, n_dims)
        The unit-hypercube draws.
    choices : ndarray, shape (n_rep, n_inputs)
        Per replication and input: the index of the chosen alternative (discrete) or the
        value (continuous); ``NaN`` for weight noise (see ``design``).
    scores, ranks : ndarray, shape (n_rep, n_units)
        ``NaN`` rows for replications that failed (e.g. a geometric mean meeting values
        ``<= 0``), as COINr.
    nominal_scores, nominal_ranks : ndarray, shape (n_units,)
    rank_stats : dict of str to ndarray (n_units,)
        ``mean``, ``median``, ``q5``, ``q95`` of the ranks (COINr ``RankStats``).
    mean_abs_rank_shift : ndarray, shape (n_rep,)
        Mean over units of ``|rank - nominal rank|`` per replication.
    n_failed : int
    """

    inputs: tuple[str, ...]
    units: tuple[str, ...]
    column: str
    design: NDArray[np.float64] = field(repr=False)
    choices: NDArray[np.float64] = field(repr=False)
    scores: NDArray[np.float64] = field(repr=False)
    ranks: NDArray[np.float64] = field(repr=False)
    nominal_scores: NDArray[np.float64] = field(repr=False)
    nominal_ranks: NDArray[np.float64] = field(repr=False)
    rank_stats: Mapping[str, NDArray[np.float64]] = field(repr=False)
    mean_abs_rank_shift: NDArray[np.float64] = field(repr=False)
    n_failed: int = 0

    @property
    def n(self) -> int:
        """Number of replications."""
        return int(self.scores.shape[0])

    def rank_table(self) -> pd.DataFrame:
        """COINr's ``RankStats`` table: ``uCode, Nominal, Mean, Median, Q5, Q95`` (unit order)."""
        return pd.DataFrame(
            {
                "uCode": list(self.units),
                "Nominal": self.nominal_ranks,
                "Mean": self.rank_stats["mean"],
                "Median": self.rank_stats["median"],
                "Q5": self.rank_stats["q5"],
                "Q95": self.rank_stats["q95"],
            }
        )


@dataclass(frozen=True)
class SensitivityResult:
    """Sobol' indices of the uncertain inputs for a target, plus the underlying runs.

    Attributes
    ----------
    target : str
        What the indices apportion: ``"mean_abs_rank_shift"``, ``"score"``/``"rank"`` of
        ``unit``, or ``"scores"``/``"ranks"`` of every unit (indices get a units axis).
    unit : str or None
    indices : SobolIndices
    runs : UncertaintyResult
        All ``N (d + 2)`` replications of the Saltelli design.
    uncertainty : UncertaintyResult
        The ``2N`` independent rows (``A`` and ``B``) only, for rank statistics (as COINr).
    """

    target: str
    unit: str | None
    indices: SobolIndices
    runs: UncertaintyResult = field(repr=False)
    uncertainty: UncertaintyResult = field(repr=False)

    def table(self) -> pd.DataFrame:
        """COINr's ``Sensitivity`` table: ``Variable, Si, STi, Si_q5, Si_q95, STi_q5, STi_q95``.

        For a per-unit target (``"scores"``/``"ranks"``) the table is long, one row per unit
        and input, with a leading ``uCode`` column.
        """
        s = self.indices
        lo, hi = f"q{round(50 - 50 * s.conf_level):g}", f"q{round(50 + 50 * s.conf_level):g}"
        cols = {"Si": s.s1, "STi": s.st, f"Si_{lo}": s.s1_lo, f"Si_{hi}": s.s1_hi, f"STi_{lo}": s.st_lo, f"STi_{hi}": s.st_hi}
        if s.s1.ndim == 1:
            return pd.DataFrame({"Variable": list(s.names), **cols})
        n_units = s.s1.shape[1]
        return pd.DataFrame(
            {
                "uCode": np.tile(np.array(self.runs.units, dtype=object), len(s.names)),
                "Variable": np.repeat(np.array(s.names, dtype=object), n_units),
                **{k: v.ravel() for k, v in cols.items()},
            }
        )


# --------------------------------------------------------------------------- internals


@dataclass(frozen=True)
class _Layout:
    inputs: tuple[UncertainInput | WeightNoise, ...]
    labels: tuple[str, ...]
    groups: tuple[str, ...]  # group label of each hypercube dimension
    dims: tuple[NDArray[np.intp], ...]  # hypercube dimensions of each input
    noise_cols: NDArray[np.intp]  # framework columns that get weight noise
    noise_phi: NDArray[np.float64]


def _layout(model: BatchModel, spec: Sequence[UncertainInput | WeightNoise]) -> _Layout:
    inputs = tuple(spec)
    if not inputs:
        raise SpecError("no uncertain inputs given")
    labels = tuple(i.label for i in inputs)
    dup = sorted({lb for lb in labels if labels.count(lb) > 1})
    if dup:
        raise SpecError(f"uncertain inputs must have distinct labels; repeated: {', '.join(dup)}")
    plan = model.plan
    lev = _column_levels(plan)
    root = len(plan.columns) - 1
    groups: list[str] = []
    dims: list[NDArray[np.intp]] = []
    noise_cols: list[int] = []
    noise_phi: list[float] = []
    for inp, lb in zip(inputs, labels, strict=True):
        if isinstance(inp, WeightNoise):
            fac = inp.factors()
            cols = [c for c in range(len(plan.columns)) if c != root and int(lev[c]) in fac]
            if not cols:
                raise SpecError(
                    f"{lb}: no weights at levels {inp.levels}; the framework has levels 1..{int(lev.max())}"
                )
            clash = set(cols) & set(noise_cols)
            if clash:
                raise SpecError(f"{lb}: weights already perturbed by another WeightNoise")
            noise_cols += cols
            noise_phi += [fac[int(lev[c])] for c in cols]
            start = len(groups)
            groups += [lb] * len(cols)
            dims.append(np.arange(start, start + len(cols)))
        elif isinstance(inp, UncertainInput):
            dims.append(np.array([len(groups)]))
            groups.append(lb)
        else:
            raise SpecError(f"not an uncertain input: {inp!r}")
    return _Layout(
        inputs,
        labels,
        tuple(groups),
        tuple(dims),
        np.array(noise_cols, dtype=np.intp),
        np.array(noise_phi, dtype=float),
    )


def _column(model: BatchModel, column: str | None) -> int:
    cols = model.plan.columns
    if column is None:
        return len(cols) - 1
    if column not in cols:
        raise SpecError(f"unknown element {column!r}; valid: {', '.join(cols)}")
    return cols.index(column)


def _run(
    model: BatchModel,
    lay: _Layout,
    u: NDArray[np.float64],
    col: int,
    *,
    progress: Progress | None,
    workers: int,
) -> UncertaintyResult:
    """Evaluate the design ``u``: one rebuild per unique choice, batched aggregation."""
    n_rep = u.shape[0]
    agg_step = model.aggregation_step
    # per replication: discrete level index or continuous value of every UncertainInput
    choices = np.full((n_rep, len(lay.inputs)), np.nan)
    for k, (inp, d) in enumerate(zip(lay.inputs, lay.dims, strict=True)):
        if isinstance(inp, UncertainInput):
            choices[:, k] = inp.value_at(u[:, d[0]])
    # weight noise as factors on the weights in effect: w (1 + (2u - 1) phi) = COINr's w + (2u - 1) phi w
    factors = np.ones((n_rep, len(model.plan.columns)))
    if lay.noise_cols.size:
        noise_dims = np.concatenate([d for inp, d in zip(lay.inputs, lay.dims, strict=True) if isinstance(inp, WeightNoise)])
        factors[:, lay.noise_cols] = noisy_weights(np.ones(lay.noise_cols.size), u[:, noise_dims], lay.noise_phi)
    ui = [k for k, inp in enumerate(lay.inputs) if isinstance(inp, UncertainInput)]
    sig = np.nan_to_num(choices[:, ui], nan=-1.0)
    uniq, inverse = np.unique(sig, axis=0, return_inverse=True)
    inverse = inverse.ravel()

    def changes_of(row: NDArray[np.float64]) -> tuple[list[Change], list[Change]]:
        early: list[Change] = []
        late: list[Change] = []
        for v, k in zip(row, ui, strict=True):
            inp = lay.inputs[k]
            assert isinstance(inp, UncertainInput)
            val = inp.values[int(v)] if inp.values is not None else float(v)
            (late if inp.step == agg_step else early).append((inp.step, inp.param, val))
        return early, late

    cache: dict[tuple[Any, ...], NDArray[np.float64]] = {}

    def normalised(early: list[Change]) -> NDArray[np.float64]:
        key = tuple((s, p, repr(v)) for s, p, v in early)
        if key not in cache:
            cache[key] = np.asarray(model.normalised(early), dtype=float)
        return cache[key]

    scores = np.full((n_rep, len(model.units)), np.nan)
    failed = np.zeros(n_rep, dtype=bool)

    def do_group(g: int) -> None:
        rows = np.flatnonzero(inverse == g)
        early, late = changes_of(uniq[g])
        x = normalised(early)
        try:
            scores[rows] = model.aggregate(x, factors[rows], late)[..., col]
        except ValueDomainError:
            failed[rows] = True

    n_groups = uniq.shape[0]
    early_keys = {tuple((s, p, repr(v)) for s, p, v in changes_of(uniq[g])[0]): g for g in range(n_groups)}
    total = len(early_keys) + n_groups
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    # rebuild the deterministic stages once per unique key (serially: the cache is shared) ...
    for g in early_keys.values():
        normalised(changes_of(uniq[g])[0])
        tick()
    # ... then aggregate every combination for all its replications at once
    if workers > 1 and n_groups > 1:
        with ThreadPoolExecutor(max_workers=workers) as ex:
            for _ in ex.map(do_group, range(n_groups)):
                tick()
    else:
        for g in range(n_groups):
            do_group(g)
            tick()

    nominal = model.aggregate(normalised([]), np.ones((1, len(model.plan.columns))), [])[0, :, col]
    nominal_ranks = rank_desc(nominal)
    ranks = rank_desc(scores)
    return UncertaintyResult(
        inputs=lay.labels,
        units=tuple(model.units),
        column=model.plan.columns[col],
        design=u,
        choices=choices,
        scores=scores,
        ranks=ranks,
        nominal_scores=nominal,
        nominal_ranks=nominal_ranks,
        rank_stats=rank_stats(ranks),
        mean_abs_rank_shift=mean_abs_rank_shift(ranks, nominal_ranks),
        n_failed=int(failed.sum()),
    )


def _subset(res: UncertaintyResult, rows: NDArray[np.intp]) -> UncertaintyResult:
    ranks = res.ranks[rows]
    return UncertaintyResult(
        inputs=res.inputs,
        units=res.units,
        column=res.column,
        design=res.design[rows],
        choices=res.choices[rows],
        scores=res.scores[rows],
        ranks=ranks,
        nominal_scores=res.nominal_scores,
        nominal_ranks=res.nominal_ranks,
        rank_stats=rank_stats(ranks),
        mean_abs_rank_shift=res.mean_abs_rank_shift[rows],
        n_failed=int(np.all(np.isnan(res.scores[rows]), axis=1).sum()),
    )


def _as_model(index: Any) -> BatchModel:
    if isinstance(index, BatchModel):
        return index
    from hkfactor.robustness._adapter import model_of  # the engine's Index

    return model_of(index)


# --------------------------------------------------------------------------- public


def uncertainty(
    index: Any,
    spec: Sequence[UncertainInput | WeightNoise],
    *,
    n: int = 1000,
    seed: int | np.random.Generator | None = None,
    column: str | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> UncertaintyResult:
    """Uncertainty analysis: rebuild the index under ``n`` random draws of its uncertain inputs.

    Each replication draws every input independently and uniformly (plain Monte Carlo,
    as COINr ``get_sensitivity(SA_type = "UA")``): a discrete input picks one of its
    alternatives with equal probability, a continuous one a uniform value, and
    :class:`WeightNoise` moves each weight of its levels by ``(2u - 1) phi w``.

    Work is organised around the structure of the choices: the stages before aggregation
    are rebuilt once per unique combination of the discrete choices on those stages
    (e.g. 5 winsorisation limits x 2 normalisations = 10 datasets, whatever ``n``), and
    aggregation with every replication's own weights and method runs as one array
    operation per combination. Continuous inputs on early stages make every
    replication unique and fall back to one rebuild each.

    Parameters
    ----------
    index : Index or BatchModel
        The nominal index (its recipe is the nominal choice of every input).
    spec : sequence of UncertainInput or WeightNoise
        The uncertain inputs.
    n : int, default 1000
        Replications.
    seed : int or Generator, optional
    column : str, optional
        Framework element whose scores and ranks are analysed; default the index (root).
    progress : callable(done, total), optional
        Called after each rebuild of the early stages and each batched aggregation.
    workers : int, default 1
        Threads for the aggregation of the combinations (NumPy releases the GIL).

    Returns
    -------
    UncertaintyResult
        Scores and ranks ``(n, n_units)``, rank statistics per unit, mean absolute rank
        shift per replication.

    Examples
    --------
    >>> from hkfactor.robustness import UncertainInput, WeightNoise, uncertainty
    >>> spec = [UncertainInput.integers("Treat", "winmax", 1, 5),
    ...         UncertainInput("Aggregate", None, values=("amean", "gmean")),
    ...         WeightNoise(levels=(2, 3), factor=0.25)]
    >>> res = uncertainty(index, spec, n=10_000, seed=1)  # doctest: +SKIP
    >>> res.rank_table().head()  # doctest: +SKIP
    """
    if n < 1:
        raise SpecError(f"n must be >= 1, got {n}")
    model = _as_model(index)
    lay = _layout(model, spec)
    col = _column(model, column)
    u = uniform_design(n, len(lay.groups), seed=seed)
    return _run(model, lay, u, col, progress=progress, workers=workers)


def _target_values(res: UncertaintyResult, target: str, unit: str | None) -> NDArray[np.float64]:
    if target not in TARGETS:
        raise SpecError(f"unknown target {target!r}; valid: {', '.join(TARGETS)}")
    if target == "mean_abs_rank_shift":
        return res.mean_abs_rank_shift
    if target == "scores":
        return res.scores
    if target == "ranks":
        return res.ranks
    if unit is None:
        raise SpecError(f"target {target!r} needs unit=<unit code>")
    if unit not in res.units:
        raise SpecError(f"unknown unit {unit!r}; valid: {', '.join(res.units)}")
    j = res.units.index(unit)
    return res.scores[:, j] if target == "score" else res.ranks[:, j]


def sensitivity(
    index: Any,
    spec: Sequence[UncertainInput | WeightNoise],
    *,
    n: int = 1024,
    target: str = "mean_abs_rank_shift",
    unit: str | None = None,
    column: str | None = None,
    n_boot: int = 1000,
    conf_level: float = 0.90,
    seed: int | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> SensitivityResult:
    r"""Variance-based sensitivity analysis: first-order and total Sobol' index per input.

    Design: Saltelli's scheme on a scrambled Sobol' sequence (SALib
    ``sample.sobol.sample``, ``calc_second_order=False``), ``N (d + 2)`` replications for
    ``d`` inputs; :class:`WeightNoise` is one *group* of factors (all its weights move
    together between ``A`` and ``A_B^i``). Estimators (see :func:`sobol_indices`):
    Saltelli (2010) first order
    :math:`S_i = \frac{1}{N V}\sum_j f(B)_j (f(A_B^i)_j - f(A)_j)` and Jansen (1999) total
    :math:`S_{Ti} = \frac{1}{2 N V}\sum_j (f(A)_j - f(A_B^i)_j)^2`, with bootstrap percentile
    intervals.

    The replications are evaluated as in :func:`uncertainty` (one rebuild per unique
    discrete combination, batched aggregation).

    Parameters
    ----------
    index : Index or BatchModel
    spec : sequence of UncertainInput or WeightNoise
        At least two inputs.
    n : int, default 1024
        Base sample ``N``, a power of 2.
    target : str, default ``"mean_abs_rank_shift"``
        ``"mean_abs_rank_shift"`` (mean over units of ``|rank - nominal rank|``, COINr's
        target), ``"score"`` or ``"rank"`` of ``unit``, or ``"scores"``/``"ranks"`` of every
        unit at once.
    unit : str, optional
        Unit code for ``"score"``/``"rank"``.
    column : str, optional
        Framework element; default the index.
    n_boot : int, default 1000
    conf_level : float, default 0.90
        Bootstrap interval level (0.90 gives COINr's 5 % and 95 % quantiles).
    seed : int, optional
        Seeds the scrambling and the bootstrap.
    progress : callable(done, total), optional
    workers : int, default 1

    Returns
    -------
    SensitivityResult

    Raises
    ------
    SpecError
        Fewer than two inputs, ``N`` not a power of 2, unknown target or unit, or failed
        replications (a Sobol' estimate needs every run).

    References
    ----------
    Saltelli et al. (2010), Computer Physics Communications 181, 259-270.
    Jansen (1999), Computer Physics Communications 117, 35-43.
    Saisana, Saltelli, Tarantola (2005), J. R. Stat. Soc. A 168(2), 307-323 (uncertainty
    and sensitivity analysis of composite indicators; COINr ``get_sensitivity``).
    """
    if len(spec) < 2:
        raise SpecError("a sensitivity analysis needs at least two uncertain inputs; use uncertainty()")
    model = _as_model(index)
    lay = _layout(model, spec)
    col = _column(model, column)
    u = sobol_design(n, lay.groups, seed=seed)
    runs = _run(model, lay, u, col, progress=progress, workers=workers)
    if runs.n_failed:
        raise SpecError(
            f"{runs.n_failed} of {runs.n} replications failed (e.g. geometric mean of values <= 0); "
            "Sobol' indices need every run — change the alternatives"
        )
    y = _target_values(runs, target, unit)
    d = len(lay.inputs)
    ya, yb, yab = split_saltelli(y, d)
    idx = sobol_indices(ya, yb, yab, names=lay.labels, n_boot=n_boot, conf_level=conf_level, seed=seed)
    rows = np.arange(runs.n).reshape(n, d + 2)[:, [0, d + 1]].T.ravel()  # A rows then B rows
    return SensitivityResult(target=target, unit=unit, indices=idx, runs=runs, uncertainty=_subset(runs, rows))
