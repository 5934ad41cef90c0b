"""Shared plumbing of the designs: input checks, library loading, narrow warning filters."""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pandas as pd

from hkfactor.errors import HKFactorError, InputError, Problem, SpecError
from hkfactor.evaluation.designs._results import DesignWarning

__all__ = ["MissingDependencyError", "Prepared", "feols", "library", "library_context", "load_libraries", "prepare"]

#: The modules the designs use, in the order they are first needed.
LIBRARIES = ("pyfixest", "pyfixest.estimation.api", "scipy.stats", "wildboottest.wildboottest", "pysyncon")

#: Convergence tolerance of the fixed-effects demeaning (see :func:`feols`).
FIXEF_TOL = 1e-13

#: Fewer clusters than this and cluster-robust inference is flagged (Cameron & Miller 2015).
MIN_CLUSTERS = 10


class MissingDependencyError(HKFactorError):
    """An optional library a design needs is not installed (``pip install hkfactor[designs]``)."""


def library(name: str) -> ModuleType:
    """Import an optional library or raise :class:`MissingDependencyError` naming the extra."""
    try:
        with library_context():
            return importlib.import_module(name)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{name} is needed for this design; install it with: pip install 'hkfactor[designs]' ({exc})"
        ) from None


def load_libraries() -> None:
    """Import every library the designs use (pyfixest, wildboottest, pysyncon) now rather than at
    the first design — e.g. in a second process while the first one evaluates.

    Raises
    ------
    MissingDependencyError
        When one is not installed.
    """
    for name in LIBRARIES:
        library(name)


def version(dist: str) -> str:
    """``"<dist> <version>"`` of an installed distribution."""
    try:
        return f"{dist} {importlib.metadata.version(dist)}"
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - guarded by library()
        return dist


@contextlib.contextmanager
def library_context() -> Iterator[None]:
    """Run a design library's call with BLAS on one thread and without its own pandas warnings.

    *One BLAS thread*: a least-squares fit summed by two threads differs in the last digits from
    one summed by one, and a forked worker process (``hkfactor evaluate`` runs the city designs in
    one) has a single thread while the main process has several; pinned to one (threadpoolctl),
    an estimate is the same to the last digit whichever process computes it. The designs' matrices
    are small, so nothing is lost in speed.

    *Quiet*: the warnings the design libraries raise about their own pandas usage.

    pyfixest 0.60 calls ``DataFrame.reset_index(inplace=True)`` and similar, which pandas 3.1
    deprecates (``Pandas4Warning``); that is the library's business, not the user's, and under
    ``filterwarnings = error`` it would abort every fit. Only that category, only from
    pyfixest/pysyncon/wildboottest/formulaic modules, is ignored; every other warning passes.
    """
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - a dependency of the designs extra
            pass
        else:
            stack.enter_context(threadpool_limits(limits=1, user_api="blas"))
        p4 = getattr(pd.errors, "Pandas4Warning", None)
        for mod in (r"pyfixest(\..*)?", r"pysyncon(\..*)?", r"wildboottest(\..*)?", r"formulaic(\..*)?"):
            if p4 is not None:
                warnings.filterwarnings("ignore", category=p4, module=mod)
            warnings.filterwarnings("ignore", category=FutureWarning, module=mod)
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=mod)
        # pyfixest drops units observed once (singleton fixed effects) and says so; the sample
        # counts of the result (n_obs, n_dropped) already report it
        warnings.filterwarnings("ignore", message=r".*singleton fixed effect", category=UserWarning)
        yield


@dataclass(frozen=True)
class Prepared:
    """A validated, cleaned copy of a long panel with safe internal column names.

    ``data`` has ``_y`` (outcome, logged if asked), ``_u`` (unit label as str), ``_g`` (int
    cluster code), ``_t`` (int period) and the other columns asked for under ``_x0``, ``_x1``….
    """

    data: pd.DataFrame
    names: dict[str, str]  # internal -> user column
    n_dropped: int
    warnings: tuple[DesignWarning, ...]


def prepare(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    others: Sequence[str] = (),
    cluster: str | None = None,
    log_outcome: bool = False,
    what: str = "panel",
) -> Prepared:
    """Check the columns, one row per unit-period, numeric values; drop (and count) missing rows.

    Raises
    ------
    SpecError
        A column is absent (all absent ones named).
    InputError
        Duplicate unit-period rows (the rows named), a non-numeric outcome / regressor, a
        non-integer time.
    """
    if not isinstance(panel, pd.DataFrame):
        raise SpecError(f"{what} must be a pandas DataFrame in long form (one row per unit and period)")
    cluster = cluster or unit
    need = [outcome, unit, time, *others, cluster]
    missing = sorted({c for c in need if c not in panel.columns})
    if missing:
        raise SpecError(f"{what} lacks column(s) {', '.join(missing)}; it has {', '.join(map(str, panel.columns))}")
    df = panel.reset_index(drop=True)
    problems: list[Problem] = []
    dup = df.duplicated([unit, time], keep=False)
    for i in np.flatnonzero(dup.to_numpy())[:20]:
        problems.append(Problem(what, int(i) + 2, f"{unit}/{time}",
                                f"duplicate unit-period ({df[unit].iloc[i]!r}, {df[time].iloc[i]!r})"))
    num_cols = [outcome, *others]
    for c in dict.fromkeys(num_cols):
        s = df[c]
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            conv = pd.to_numeric(s, errors="coerce")
            bad = conv.isna() & s.notna()
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                problems.append(Problem(what, i + 2, c, f"expected a number, got {s.iloc[i]!r}"))
    t = pd.to_numeric(df[time], errors="coerce")
    bad_t = t.notna() & (t != np.round(t))
    if bad_t.any() or (t.isna() & df[time].notna()).any():
        i = int(np.flatnonzero((bad_t | (t.isna() & df[time].notna())).to_numpy())[0])
        problems.append(Problem(what, i + 2, time, f"expected an integer period (a year), got {df[time].iloc[i]!r}"))
    if problems:
        raise InputError(problems, title=f"{what}: invalid design input")
    out = pd.DataFrame({
        "_y": pd.to_numeric(df[outcome], errors="coerce").astype(float),
        "_u": df[unit].astype(str).where(df[unit].notna(), None),
        "_t": t,
        "_c": df[cluster].astype(str).where(df[cluster].notna(), None),
    })
    names = {"_y": outcome, "_u": unit, "_t": time, "_c": cluster}
    for k, c in enumerate(others):
        out[f"_x{k}"] = pd.to_numeric(df[c], errors="coerce").astype(float)
        names[f"_x{k}"] = c
    warns: list[DesignWarning] = []
    keep = out.notna().all(axis=1) & np.isfinite(out["_y"])
    n_missing = int((~keep).sum())
    if n_missing:
        warns.append(DesignWarning("dropped_missing", value=float(n_missing)))
    out = out[keep]
    n_nonpos = 0
    if log_outcome:
        pos = out["_y"] > 0
        n_nonpos = int((~pos).sum())
        if n_nonpos:
            warns.append(DesignWarning("dropped_nonpositive", subject=outcome, value=float(n_nonpos)))
        out = out[pos].copy()
        out["_y"] = np.log(out["_y"])
    out["_t"] = out["_t"].astype(int)
    out["_g"] = pd.factorize(out["_c"], sort=True)[0].astype(np.int64)
    out = out.sort_values(["_u", "_t"]).reset_index(drop=True)
    n_units, n_periods = out["_u"].nunique(), out["_t"].nunique()
    if n_units and n_periods and len(out) < n_units * n_periods:
        warns.append(DesignWarning("unbalanced_panel", value=len(out) / (n_units * n_periods)))
    return Prepared(out, names, n_missing + n_nonpos, tuple(warns))


def feols(pf: ModuleType, formula: str, data: pd.DataFrame, *, what: str) -> object:
    """``pyfixest.feols`` with CRV1 by ``_g``; a fully collinear design becomes a :class:`SpecError`.

    The fixed effects are projected out to :data:`FIXEF_TOL` rather than pyfixest's default
    1e-6: at that tolerance the result depends on the order the effects are swept in, which
    follows Python's string hashing, so two runs of the same command differed in the 8th digit of
    a standard error (and of the wild-bootstrap interval built on it).
    """
    try:
        with library_context():
            return pf.feols(formula, data=data, vcov={"CRV1": "_g"}, demeaner=pf.MapDemeaner(fixef_tol=FIXEF_TOL))
    except ValueError as exc:
        if "collinear" in str(exc):
            raise SpecError(f"{what} is absorbed by the unit and period fixed effects "
                            "(it does not vary within units and within periods)") from None
        raise


def cluster_warnings(n_clusters: int, n_treated_clusters: int | None = None, *,
                     subject: str = "") -> list[DesignWarning]:
    """Warnings for few clusters / few treated clusters; raise below two clusters."""
    if n_clusters < 2:
        raise SpecError(f"cluster-robust inference needs at least 2 clusters, got {n_clusters}")
    out = []
    if n_clusters < MIN_CLUSTERS:
        out.append(DesignWarning("few_clusters", subject=subject, value=float(n_clusters),
                                 threshold=float(MIN_CLUSTERS)))
    if n_treated_clusters is not None:
        if n_treated_clusters == 1:
            out.append(DesignWarning("single_treated_unit", subject=subject, value=1.0))
        elif n_treated_clusters < 5:
            out.append(DesignWarning("few_treated_clusters", subject=subject, value=float(n_treated_clusters),
                                     threshold=5.0))
    return out


def check_level(ci_level: float) -> None:
    if not (0 < ci_level < 1):
        raise SpecError(f"ci_level must lie in (0, 1), got {ci_level!r}")
