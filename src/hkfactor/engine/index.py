"""The :class:`Index`: one object holding a whole evaluation.

An Index keeps the framework, the unit data, named stage tables (``Raw``, ``Denominated``,
``Imputed``, ``Screened``, ``Treated``, ``Normalised``, ``Aggregated``) and the
:class:`~hkfactor.engine.recipe.Recipe` that produced them. :meth:`Index.build` replays the
recipe; :meth:`Index.what_if` returns a rebuilt copy with some steps changed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.engine._data import load_table, long_to_wide, validate_wide
from hkfactor.engine._numeric import ValueDomainError
from hkfactor.engine.framework import Framework
from hkfactor.engine.kernels import (
    ImputeContext,
    impute,
    normalise,
    rank_desc,
    screen_units,
    treat,
)
from hkfactor.engine.kernels import denominate as _denominate
from hkfactor.engine.recipe import Recipe, Step
from hkfactor.engine.tree import aggregate_tree, effective_weights_array
from hkfactor.errors import HKFactorError, SpecError

__all__ = ["Index", "StageArrays"]

RAW = "Raw"


@dataclass(frozen=True)
class StageArrays:
    """A stage table as arrays (for the robustness engine).

    Attributes
    ----------
    units : tuple[str, ...]
        Unit code of every row.
    times : np.ndarray or None
        Year of every row (panels and time series).
    columns : tuple[str, ...]
        Column codes.
    values : np.ndarray, shape (n_rows, n_columns)
    """

    units: tuple[str, ...]
    times: np.ndarray | None
    columns: tuple[str, ...]
    values: np.ndarray


class _LazyTables(Mapping[str, pd.DataFrame]):
    """Stage tables kept as arrays and turned into DataFrames on first access (cached)."""

    def __init__(self) -> None:
        self._make: dict[str, Callable[[], pd.DataFrame]] = {}
        self._cache: dict[str, pd.DataFrame] = {}

    def put(self, name: str, make: Callable[[], pd.DataFrame]) -> None:
        self._make[name] = make
        self._cache.pop(name, None)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = self._make[name]()
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._make)

    def __len__(self) -> int:
        return len(self._make)

    def __repr__(self) -> str:
        return f"<stage tables {list(self._make)}>"


class Index:
    """A composite index: framework + data + recipe + stage tables.

    Parameters
    ----------
    framework : Framework
    data : DataFrame
        Wide unit data: a unit-code column, optionally a year column, indicator columns named by
        the framework's codes, plus any group and denominator columns.
    recipe : Recipe or list of Step, optional
        Steps to run on :meth:`build`. Default: none (only ``Raw``).
    unit : str, keyword-only
        Unit-code column (default ``"uCode"``).
    time : str, optional, keyword-only
        Year column: makes the data a time series (one unit) or a panel. Duplicate
        unit-years are an :class:`~hkfactor.errors.InputError` naming them.
    name : str, keyword-only
        Optional unit-name column (default ``"uName"``, used if present).
    groups : sequence of str, optional, keyword-only
        Grouping columns (for group imputation and group ranks). Default: every
        non-numeric column other than unit, name and time.
    weights : mapping name → {code: weight}, optional, keyword-only
        Extra named weight sets; ``"Original"`` is always the framework's.
    build : bool, keyword-only
        Build immediately (default True).
    file : str, keyword-only
        Name of the data source used in error messages (default ``"data"``).

    Examples
    --------
    >>> from hkfactor.engine import Element, Framework, Recipe, Step
    >>> fw = Framework([Element("I", None), Element("a", "I"), Element("b", "I", direction=-1)])
    >>> data = pd.DataFrame({"uCode": ["X", "Y", "Z"], "a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]})
    >>> idx = Index(fw, data, Recipe([Step("normalise", "minmax"), Step("aggregate", "amean")]))
    >>> idx.scores()["I"].tolist()
    [0.0, 75.0, 75.0]
    """

    def __init__(
        self,
        framework: Framework,
        data: pd.DataFrame,
        recipe: Recipe | Sequence[Step] | None = None,
        *,
        unit: str = "uCode",
        time: str | None = None,
        name: str = "uName",
        groups: Sequence[str] | None = None,
        weights: Mapping[str, Mapping[str, float]] | None = None,
        build: bool = True,
        file: str = "data",
    ) -> None:
        if not isinstance(framework, Framework):
            raise SpecError("framework must be a hkfactor.engine.Framework")
        denoms = sorted({e.denominator for e in framework.elements if e.denominator})
        self.framework = framework
        self.unit_col = unit
        self.time_col = time
        self.data_ = validate_wide(
            data, unit=unit, time=time, indicators=framework.indicators, extra_numeric=denoms, file=file
        )
        self.name_col = name if name in self.data_.columns else None
        skip = {unit, name, *([time] if time else []), *framework.indicators, *denoms}
        if groups is None:
            groups = [
                c for c in self.data_.columns if c not in skip and not pd.api.types.is_numeric_dtype(self.data_[c])
            ]
        for g in groups:
            if g not in self.data_.columns:
                raise SpecError(f"group column {g!r} is not in the data")
        self.groups: tuple[str, ...] = tuple(groups)
        self.recipe = recipe if isinstance(recipe, Recipe) else Recipe(recipe or ())
        self.weight_sets: dict[str, dict[str, float]] = {"Original": framework.weights()}
        for k, v in (weights or {}).items():
            self.add_weights(k, v)
        self._units = self.data_[unit].to_numpy()
        self._times = self.data_[time].to_numpy(np.float64) if time else None
        self._raw = self.data_[list(framework.indicators)].to_numpy(np.float64)
        self._colcache: dict[str, np.ndarray] = {}
        self.stages_: _LazyTables = _LazyTables()
        self.flags_: _LazyTables = _LazyTables()
        self.details_: _LazyTables = _LazyTables()
        self.arrays_: dict[str, tuple[np.ndarray, tuple[str, ...], np.ndarray]] = {}
        self.weights_used_: dict[str, float] = {}
        if build:
            self.build()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_coinr(
        cls,
        idata: pd.DataFrame | str | Path,
        imeta: pd.DataFrame | str | Path,
        recipe: Recipe | Sequence[Step] | None = None,
        *,
        level_names: Sequence[str] | None = None,
        build: bool = True,
    ) -> Index:
        """Build from COINr's ``iData`` and ``iMeta`` tables as they are.

        ``iMeta`` rows of Type ``Group`` name the grouping columns of ``iData``; rows of Type
        ``Denominator`` the denominator columns; ``Other`` columns are kept but unused. A
        ``Time`` column in ``iData`` with more than one distinct value per unit makes it a panel.
        """
        idf, ifile = load_table(idata, text_columns=("uCode", "uName"))
        mdf, mfile = load_table(imeta)
        fw = Framework.from_frame(mdf, file=mfile, level_names=level_names)
        groups: list[str] = []
        if "Type" in mdf.columns:
            groups = [str(c) for c in mdf.loc[mdf["Type"] == "Group", "iCode"]]
        time = None
        if "Time" in idf.columns and "uCode" in idf.columns and not idf["uCode"].is_unique:
            time = "Time"
        return cls(fw, idf, recipe, unit="uCode", time=time, groups=groups, build=build, file=ifile)

    @classmethod
    def from_long(
        cls,
        framework: Framework,
        data: pd.DataFrame | str | Path,
        recipe: Recipe | Sequence[Step] | None = None,
        *,
        unit: str = "uCode",
        indicator: str = "iCode",
        value: str = "Value",
        time: str | None = None,
        units_table: pd.DataFrame | None = None,
        build: bool = True,
    ) -> Index:
        """Build from long data (one row per unit[, year] and indicator).

        ``units_table`` (one row per unit: names, groups, denominators) is merged on ``unit``.
        """
        df, file = load_table(data)
        wide = long_to_wide(df, unit=unit, indicator=indicator, value=value, time=time, file=file)
        if units_table is not None:
            wide = wide.merge(units_table, on=unit, how="left")
        return cls(framework, wide, recipe, unit=unit, time=time, build=build, file=file)

    @classmethod
    def from_files(
        cls,
        meta: str | Path | pd.DataFrame,
        data: str | Path | pd.DataFrame,
        recipe: Recipe | Sequence[Step] | str | Path | None = None,
        *,
        time: str | None = None,
        build: bool = True,
    ) -> Index:
        """Framework and wide data from CSV (any encoding), Excel or Parquet files.

        ``recipe`` may be a path to a ``.json`` or ``.yaml`` recipe file.
        """
        if isinstance(recipe, str | Path):
            recipe = Recipe.from_file(recipe)
        idx = cls.from_coinr(data, meta, recipe, build=False)
        if time is not None and idx.time_col != time:
            idx = cls(idx.framework, idx.data_, idx.recipe, time=time, groups=idx.groups, build=False)
        if build:
            idx.build()
        return idx

    # ------------------------------------------------------------------ basics
    def __repr__(self) -> str:
        kind = "panel" if self.is_panel else "cross-section"
        return (
            f"Index({len(self.framework.indicators)} indicators, {len(self.data_)} rows, {kind}, "
            f"stages={list(self.stages_)}, recipe={self.recipe!r})"
        )

    @property
    def is_panel(self) -> bool:
        """True when the data have a year column."""
        return self.time_col is not None

    @property
    def id_columns(self) -> list[str]:
        """Columns identifying a row: unit code (and year)."""
        return [self.unit_col, *([self.time_col] if self.time_col else [])]

    def add_weights(self, name: str, weights: Mapping[str, float]) -> None:
        """Register a named weight set (codes not given keep their original weight)."""
        self.weight_sets[name] = {**self.framework.weights(), **self.framework.check_weights(weights)}

    def stage(self, name: str) -> pd.DataFrame:
        """A stage table by name (SpecError listing the available ones)."""
        try:
            return self.stages_[name]
        except KeyError:
            raise SpecError(f"no stage table {name!r}; available: {', '.join(self.stages_)}") from None

    def stage_arrays(self, name: str) -> StageArrays:
        """A stage table as :class:`StageArrays` (for batch replays)."""
        if name not in self.arrays_:
            self.stage(name)
        rows, cols, x = self.arrays_[name]
        return StageArrays(
            units=tuple(self._units[rows]),
            times=self._times[rows] if self._times is not None else None,
            columns=cols,
            values=x.copy(),
        )

    def _clone(self, *, recipe: Recipe | None = None, framework: Framework | None = None) -> Index:
        new = copy.copy(self)
        new.recipe = recipe if recipe is not None else self.recipe
        if framework is not None:
            new.framework = framework
            new.weight_sets = {k: {c: w for c, w in v.items() if c in framework} for k, v in self.weight_sets.items()}
            new.weight_sets["Original"] = framework.weights()
        else:
            new.weight_sets = copy.deepcopy(self.weight_sets)
        if framework is not None:
            new._raw = self.data_[list(framework.indicators)].to_numpy(np.float64)
        new.stages_, new.flags_, new.details_ = _LazyTables(), _LazyTables(), _LazyTables()
        new.arrays_, new.weights_used_ = {}, {}
        return new

    # ------------------------------------------------------------------ build
    def build(self) -> Index:
        """Replay the recipe from ``Raw``; returns ``self`` (stage tables replaced)."""
        inds = tuple(self.framework.indicators)
        x = self._raw
        rows = np.arange(len(self._units))
        self.stages_, self.flags_, self.details_ = _LazyTables(), _LazyTables(), _LazyTables()
        self.arrays_ = {}
        self._put(RAW, rows, inds, x)
        runners = {
            "denominate": self._run_denominate,
            "impute": self._run_impute,
            "screen": self._run_screen,
            "treat": self._run_treat,
            "normalise": self._run_normalise,
            "aggregate": self._run_aggregate,
        }
        for st in self.recipe:
            try:
                x, rows = runners[st.step](st, x, rows)
            except SpecError as exc:
                if type(exc) is not SpecError or str(exc).startswith(("recipe step", st.step)):
                    raise
                raise SpecError(f"recipe step {st.step!r} ({st.method}): {exc}") from None
            except HKFactorError:
                raise
            except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, np.linalg.LinAlgError) as exc:
                # A parameter the recipe boundary could not type-check (a shape, a value a
                # method refuses): one clean error naming the step, never a traceback.
                raise SpecError(
                    f"recipe step {st.step!r} (method {st.method!r}) cannot run with parameters "
                    f"{dict(st.params)}: {type(exc).__name__}: {exc}"
                ) from None
            if st.step != "aggregate":
                self._put(st.stage, rows, inds, x)
        return self

    def _put(self, name: str, rows: np.ndarray, cols: tuple[str, ...], x: np.ndarray) -> None:
        self.arrays_[name] = (rows, cols, x)
        self.stages_.put(name, lambda: self._table(rows, cols, x))

    def _table(self, rows: np.ndarray, cols: Sequence[str], x: np.ndarray) -> pd.DataFrame:
        df = pd.DataFrame(x, columns=list(cols))
        return pd.concat([self._ids(rows), df], axis=1)

    def _column(self, name: str) -> np.ndarray:
        if name not in self._colcache:
            self._colcache[name] = self.data_[name].to_numpy()
        return self._colcache[name]

    def _named_domain_error(self, exc: ValueDomainError, rows: np.ndarray, cols: Sequence[str], x: np.ndarray) -> SpecError:
        parts = []
        for p in exc.positions[:5]:
            r, c = p[-2], p[-1]
            unit = self._units[rows[r]]
            parts.append(f"indicator {cols[c]!r}, unit {unit!r} (value {x[r, c]:.6g})")
        return SpecError(f"{exc} — offending: " + "; ".join(parts))

    # each runner: (step, x, rows) -> (x, rows)
    def _run_denominate(self, st: Step, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        fw = self.framework
        over = dict(st.params.get("denominators") or {})
        d = np.full(x.shape, np.nan)
        for j, code in enumerate(fw.indicators):
            col = over.get(code, fw[code].denominator)
            if col:
                if col not in self.data_.columns:
                    raise SpecError(f"indicator {code!r}: denominator column {col!r} is not in the data")
                d[:, j] = self._column(col).astype(np.float64)[rows]
        return _denominate(x, d, scale=st.params.get("scale", 1.0)), rows

    def _impute_ctx(self, st: Step, rows: np.ndarray) -> ImputeContext:
        groups = units = times = None
        gcol = st.params.get("group")
        if gcol is not None:
            if gcol not in self.data_.columns:
                raise SpecError(f"impute: group column {gcol!r} is not in the data; groups: {', '.join(self.groups)}")
            key = f"__codes__{gcol}"
            if key not in self._colcache:
                self._colcache[key] = np.asarray(pd.factorize(self.data_[gcol], use_na_sentinel=True)[0], dtype=np.int64)
            groups = self._colcache[key][rows]
        if self.time_col and self._times is not None:
            ucodes, _ = pd.factorize(self._units[rows])
            units = np.asarray(ucodes, dtype=np.int64)
            times = self._times[rows]
        return ImputeContext(groups=groups, units=units, times=times)

    def _indicator_specs(self, st: Step) -> dict[str, Mapping[str, Any]]:
        """Resolve ``st.by`` for every indicator: its own key, else its closest ancestor's.

        Keys may be indicator codes or aggregate codes (a whole pillar or sub-index).
        """
        fw = self.framework
        for key in st.by:
            if key not in fw:
                raise SpecError(f"{st.step}: exception key {key!r} is not an element of the framework")
        out: dict[str, Mapping[str, Any]] = {}
        if not st.by:
            return out
        for code in fw.indicators:
            for anc in fw.lineage(code):
                if anc in st.by:
                    out[code] = st.by[anc]
                    break
        return out

    def _run_impute(self, st: Step, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inds = self.framework.indicators
        ctx = self._impute_ctx(st, rows)
        kw = {k: v for k, v in st.params.items() if k == "max_gap"}
        y, flags = impute(x, st.method, ctx=ctx, **kw)
        for code, spec in self._indicator_specs(st).items():
            j = self._col(code, inds, "impute")
            m = spec.get("method", st.method)
            if m == "none":
                y[:, j] = x[:, j]
            else:
                p = {**kw, **{k: v for k, v in spec.get("params", {}).items() if k == "max_gap"}}
                yj, _ = impute(x, m, ctx=ctx, **p)
                y[:, j] = yj[:, j]
        flags = np.isnan(x) & ~np.isnan(y)
        self.flags_.put("Imputed", lambda: self._table(rows, inds, flags))
        return y, rows

    def _ids(self, rows: np.ndarray) -> pd.DataFrame:
        return self.data_[self.id_columns].iloc[rows].reset_index(drop=True)

    @staticmethod
    def _col(code: str, cols: Sequence[str], step: str) -> int:
        try:
            return list(cols).index(code)
        except ValueError:
            raise SpecError(f"{step}: {code!r} is not an indicator; valid: {', '.join(cols)}") from None

    def _run_screen(self, st: Step, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = st.params
        dat = p.get("dat_thresh", 0.9) if st.method in ("availability", "availability_and_nonzero") else None
        nz = p.get("nonzero_thresh", 0.9) if st.method in ("nonzero", "availability_and_nonzero") else None
        keep = screen_units(x, dat_thresh=dat, nonzero_thresh=nz)
        units = self._units[rows]
        for u in p.get("force_keep", []) or []:
            keep |= units == u
        for u in p.get("force_drop", []) or []:
            keep &= units != u
        removed = units[~keep]
        if not keep.any():
            raise SpecError(f"screen ({st.method}): every unit was screened out ({len(units)} units, thresholds "
                            f"{ {k: v for k, v in p.items() if k.endswith('thresh')} or 'default 0.9'}); lower "
                            "dat_thresh/nonzero_thresh or use force_keep")
        self.details_.put("Screened", lambda: pd.DataFrame({"removed": removed}))
        return x[keep], rows[keep]

    def _run_treat(self, st: Step, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inds = self.framework.indicators
        if st.method == "none":
            return x, rows
        base = dict(st.params)
        groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
        if not st.by:
            groups["all"] = (base, list(range(len(inds))))
        else:
            specs = self._indicator_specs(st)
            for j, code in enumerate(inds):
                spec = specs.get(code)
                if spec is not None and spec.get("method") == "none":
                    continue
                par = base if spec is None else {**base, **dict(spec.get("params", {}))}
                key = repr(sorted(par.items()))
                groups.setdefault(key, (par, []))[1].append(j)
        out = x.copy()
        flags = np.zeros(x.shape, dtype=np.int8)
        results = []
        for par, cols in groups.values():
            r = treat(x[:, cols], **par)
            out[:, cols] = r.x
            flags[:, cols] = r.flags
            results.append((cols, r))

        def details() -> pd.DataFrame:
            det_rows: list[dict[str, Any]] = []
            for cols, r in results:
                for k, j in enumerate(cols):
                    failed = not r.pass0[k]
                    det_rows.append(
                        {
                            "iCode": inds[j],
                            "Pass0": bool(r.pass0[k]),
                            "Skew0": float(r.skew0[k]),
                            "Kurt0": float(r.kurt0[k]),
                            "nwin": int(r.nwin[k]) if failed else np.nan,
                            "Pass1": bool(r.pass1[k]) if failed else None,
                            "Skew1": float(r.skew1[k]),
                            "Kurt1": float(r.kurt1[k]),
                            "Transformed": bool(r.transformed[k]),
                            "Pass2": bool(r.pass2[k]) if r.transformed[k] else None,
                            "Skew2": float(r.skew2[k]) if r.transformed[k] else np.nan,
                            "Kurt2": float(r.kurt2[k]) if r.transformed[k] else np.nan,
                        }
                    )
            order = {c: i for i, c in enumerate(inds)}
            det_rows.sort(key=lambda d: order[d["iCode"]])
            return pd.DataFrame(det_rows)

        self.details_.put("Treated", details)
        self.flags_.put("Treated", lambda: self._table(rows, inds, flags))
        return out, rows

    def _norm_params(self, method: str, params: Mapping[str, Any], cols: Sequence[str], rows: np.ndarray) -> dict[str, Any]:
        fw = self.framework
        p = {k: v for k, v in params.items() if k != "per_year"}
        dirs = np.array([fw[c].direction for c in cols], dtype=np.float64)
        if method == "dist2targ" and "targ" not in p:
            t = np.array([np.nan if fw[c].target is None else fw[c].target for c in cols], dtype=np.float64)
            missing = [c for c, v in zip(cols, t, strict=True) if np.isnan(v)]
            if missing:
                raise SpecError(f"dist2targ normalisation: no Target for indicator(s) {', '.join(missing)}")
            p["targ"] = t * dirs
        if method == "goalposts" and "gposts" not in p:
            missing = [c for c in cols if fw[c].goalposts is None]
            if missing:
                raise SpecError(f"goalposts normalisation: no goalposts for indicator(s) {', '.join(missing)}")
            lo = np.array([fw[c].goalposts[0] for c in cols]) * dirs  # type: ignore[index]
            hi = np.array([fw[c].goalposts[1] for c in cols]) * dirs  # type: ignore[index]
            scale = float(p.pop("scale", 1.0))
            p["gposts"] = np.stack([np.minimum(lo, hi), np.maximum(lo, hi), np.full(len(cols), scale)])
        if method == "dist2ref" and isinstance(p.get("iref"), str):
            units = list(self._units[rows])
            if p["iref"] not in units:
                raise SpecError(f"dist2ref: reference unit {p['iref']!r} is not among the units")
            p["iref"] = units.index(p["iref"])
        return p

    def _run_normalise(self, st: Step, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inds = list(self.framework.indicators)
        groups: dict[str, tuple[str, dict[str, Any]]] = {}
        specs = self._indicator_specs(st)
        for code in inds:
            spec = specs.get(code)
            if spec is None:
                groups[code] = (st.method, dict(st.params))
            else:
                m = str(spec.get("method", st.method))
                default = st.params if m == st.method else {}
                groups[code] = (m, {**({k: v for k, v in default.items() if k != "per_year"}), **dict(spec.get("params", {}))})
        per_year = bool(st.params.get("per_year", False))
        if per_year and not self.time_col:
            raise SpecError("normalise per_year=True needs panel data (a year column)")
        years = self._times[rows] if per_year and self._times is not None else None
        out = np.empty_like(x)
        seen: dict[str, list[int]] = {}
        if not st.by:
            seen["all"] = list(range(len(inds)))
        for j, c in enumerate(inds if st.by else ()):
            seen.setdefault(repr((groups[c][0], sorted(groups[c][1].items()))), []).append(j)
        for js in seen.values():
            method, params = groups[inds[js[0]]]
            cols = [inds[j] for j in js]
            dirs = np.array([self.framework[c].direction for c in cols], dtype=np.float64)
            if years is None:
                p = self._norm_params(method, params, cols, rows)
                try:
                    out[:, js] = normalise(x[:, js], method, directions=dirs, **p)
                except ValueDomainError as exc:
                    raise self._named_domain_error(exc, rows, cols, x[:, js]) from None
            else:
                for yv in np.unique(years):
                    sel = years == yv
                    p = self._norm_params(method, params, cols, rows[sel])
                    try:
                        out[np.ix_(sel, js)] = normalise(x[np.ix_(sel, js)], method, directions=dirs, **p)
                    except ValueDomainError as exc:
                        raise self._named_domain_error(exc, rows[sel], cols, x[np.ix_(sel, js)]) from None
        return out, rows

    def _resolve_weights(self, spec: Any) -> dict[str, float]:
        if spec is None:
            return dict(self.weight_sets["Original"])
        if isinstance(spec, str):
            if spec not in self.weight_sets:
                raise SpecError(f"no weight set {spec!r}; available: {', '.join(self.weight_sets)}")
            return dict(self.weight_sets[spec])
        if isinstance(spec, Mapping):
            return {**self.weight_sets["Original"], **self.framework.check_weights(spec)}
        raise SpecError("aggregate 'weights' must be a weight-set name or a mapping code → weight")

    def aggregation_spec(self, step: Step | None = None) -> dict[str, Any]:
        """Per-aggregate settings of an aggregate step, as :func:`aggregate_tree` arguments.

        Returns a dict with ``weights`` (array over ``plan.columns``), ``methods``, ``params``,
        ``weighting``, ``weighting_params`` and ``dat_thresh`` — what the robustness engine needs
        to replay aggregation on a batch.
        """
        st = step or self.recipe.get("aggregate")
        if st is None:
            raise SpecError("the recipe has no aggregate step")
        fw = self.framework
        plan = fw.plan
        w = self._resolve_weights(st.params.get("weights"))
        warr = np.array([w.get(c, 1.0) for c in plan.columns], dtype=np.float64)
        base_params = {k: v for k, v in st.params.items() if k not in ("weights", "weighting", "weighting_params", "dat_thresh")}
        methods, params, wmeth, thr = [], [], [], []
        for a, lev in zip(plan.aggregates, plan.levels, strict=True):
            spec: Mapping[str, Any] = st.by.get(a) or st.by.get(f"level:{lev}") or {}
            sp = dict(spec.get("params", {}))
            methods.append(str(spec.get("method", st.method)))
            wmeth.append(str(sp.pop("weighting", st.params.get("weighting", "manual"))))
            thr.append(sp.pop("dat_thresh", st.params.get("dat_thresh")))
            params.append({**(base_params if "method" not in spec else {}), **sp})
        for key in st.by:
            if key not in plan.aggregates and not (key.startswith("level:") and key[6:].isdigit()):
                raise SpecError(f"aggregate: exception key {key!r} is neither an aggregate code nor 'level:N'")
        return {
            "weights": warr,
            "methods": methods,
            "params": params,
            "weighting": wmeth,
            "weighting_params": dict(st.params.get("weighting_params") or {}),
            "dat_thresh": thr,
        }

    def _run_aggregate(self, st: Step, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        plan = self.framework.plan
        spec = self.aggregation_spec(st)
        try:
            y, w_used = aggregate_tree(x, plan, **spec, return_weights=True)
        except ValueDomainError as exc:
            full = np.concatenate([x, np.full((x.shape[0], len(plan.aggregates)), np.nan)], axis=1)
            raise self._named_domain_error(exc, rows, plan.columns, full) from None
        # the weights in effect: data-driven weighting (entropy, CRITIC …) replaces the manual ones
        self.weights_used_ = dict(zip(plan.columns, np.asarray(w_used, dtype=float).tolist(), strict=True))
        self._put("Aggregated", rows, plan.columns, y)
        return y[:, : len(plan.indicators)], rows

    # ------------------------------------------------------------------ variants
    def with_recipe(self, recipe: Recipe | Sequence[Step]) -> Index:
        """A rebuilt copy with another recipe."""
        r = recipe if isinstance(recipe, Recipe) else Recipe(recipe)
        return self._clone(recipe=r).build()

    def what_if(self, *, weights: str | Mapping[str, float] | None = None, **steps: Any) -> Index:
        """A rebuilt copy with some steps changed; the original is untouched.

        Parameters
        ----------
        weights : str or mapping, optional
            Weight set name or ``{code: weight}`` for the aggregate step.
        **steps
            ``step_name=Step(...)`` replaces a step; ``step_name={"method": m, "params": {...}}``
            changes it (a new method starts from the given params; params alone are merged);
            ``step_name=None`` removes it.

        Examples
        --------
        >>> # alt = idx.what_if(normalise={"method": "zscore", "params": {"m_sd": [10, 2]}})
        """
        r = self.recipe
        for name, change in steps.items():
            if name not in ("denominate", "impute", "screen", "treat", "normalise", "aggregate"):
                raise SpecError(f"what_if: unknown step {name!r}")
            cur = r.get(name)
            if change is None:
                r = r.replace(name, None)
            elif isinstance(change, Step):
                r = r.replace(name, change)
            elif isinstance(change, Mapping):
                if cur is None:
                    if "method" not in change:
                        raise SpecError(f"what_if: the recipe has no {name!r} step; give its 'method' to add one")
                    r = r.replace(name, Step(name, str(change["method"]), dict(change.get("params", {})), dict(change.get("by", {}))))
                else:
                    new = cur.replace(method=change.get("method"), params=change.get("params"))
                    if "by" in change:
                        new = Step(new.step, new.method, new.params, dict(change["by"]))
                    r = r.replace(name, new)
            else:
                raise SpecError(f"what_if: change for {name!r} must be a Step, a dict or None")
        if weights is not None:
            cur = r.get("aggregate")
            if cur is None:
                raise SpecError("what_if: weights given but the recipe has no aggregate step")
            r = r.replace("aggregate", cur.replace(params={"weights": weights if isinstance(weights, str) else dict(weights)}))
        return self._clone(recipe=r).build()

    def without(self, code: str) -> Index:
        """A rebuilt copy with element ``code`` (and all below it) removed from the framework."""
        return self._clone(framework=self.framework.without(code)).build()

    # ------------------------------------------------------------------ results
    def scores(self, level: int | None = None, *, stage: str = "Aggregated") -> pd.DataFrame:
        """Scores at one level (or all levels) from ``stage``."""
        df = self.stage(stage)
        if level is None:
            return df
        cols = [c for c in self.framework.codes_at(level) if c in df.columns]
        return df[[*self.id_columns, *cols]]

    def ranks(self, level: int | None = None, *, stage: str = "Aggregated", by_group: str | None = None) -> pd.DataFrame:
        """Ranks (1 = best, ties share the best rank — COINr ``rank_df``) of every column.

        ``by_group`` ranks within the groups of that column; panels are ranked within each year.
        """
        df = self.scores(level, stage=stage)
        cols = [c for c in df.columns if c not in self.id_columns]
        vals = df[cols].to_numpy(np.float64)
        keys: list[np.ndarray] = []
        if self.time_col:
            keys.append(df[self.time_col].to_numpy())
        if by_group is not None:
            if by_group not in self.data_.columns:
                raise SpecError(f"no group column {by_group!r}; groups: {', '.join(self.groups)}")
            g = self.data_.set_index(self.id_columns)[by_group]
            keys.append(g.loc[pd.MultiIndex.from_frame(df[self.id_columns]) if self.time_col else df[self.unit_col]].to_numpy())
        out = np.full_like(vals, np.nan)
        if not keys:
            out = rank_desc(vals, axis=0)
        else:
            key = pd.MultiIndex.from_arrays(keys) if len(keys) > 1 else pd.Index(keys[0])
            codes, _ = pd.factorize(key)
            for k in np.unique(codes):
                sel = codes == k
                out[sel] = rank_desc(vals[sel], axis=0)
        return pd.concat([df[self.id_columns].reset_index(drop=True), pd.DataFrame(out, columns=cols)], axis=1)

    def _code_ranks(self, code: str) -> pd.Series:
        """Ranks of one column of ``Aggregated`` (within each year for panels), indexed by row id."""
        rows, cols, y = self.arrays_["Aggregated"] if "Aggregated" in self.arrays_ else self._no_agg()
        v = y[:, list(cols).index(code)]
        if self._times is None:
            r = rank_desc(v, axis=0)
            return pd.Series(r, index=pd.Index(self._units[rows]), name=code)
        t = self._times[rows]
        r = np.full_like(v, np.nan)
        for yr in np.unique(t):
            sel = t == yr
            r[sel] = rank_desc(v[sel], axis=0)
        return pd.Series(r, index=pd.MultiIndex.from_arrays([self._units[rows], t]), name=code)

    def _no_agg(self) -> Any:
        raise SpecError("no Aggregated stage: the recipe has no aggregate step")

    def results(self, *, tab: str = "full", use: str = "scores", nround: int | None = 2) -> pd.DataFrame:
        """A results table like COINr ``get_results``: sorted by the index, highest level first.

        ``tab="full"`` (all columns) or ``"aggs"`` (aggregates only); ``use="scores"`` adds a
        ``Rank`` column, ``use="ranks"`` gives ranks.
        """
        if tab not in ("full", "aggs") or use not in ("scores", "ranks"):
            raise SpecError("results: tab must be 'full' or 'aggs' and use 'scores' or 'ranks'")
        fw = self.framework
        agg_cols = [c for lev in range(fw.n_levels, 1, -1) for c in fw.codes_at(lev)]
        # COINr sorts the lineage table in the R locale's collation (case-insensitive first)
        ind_cols = sorted(fw.indicators, key=lambda c: tuple((x.casefold(), x) for x in reversed(fw.lineage(c))))
        cols = agg_cols + (ind_cols if tab == "full" else [])
        sc = self.stage("Aggregated")
        rk = self.ranks()
        src = sc if use == "scores" else rk
        out = src[[*self.id_columns, *cols]].copy()
        root_rank = rk[fw.root].to_numpy()
        if use == "scores":
            out.insert(len(self.id_columns), "Rank", root_rank)
            if nround is not None:
                out[cols] = out[cols].round(nround)
        order = np.lexsort((root_rank,) + ((sc[self.time_col].to_numpy(),) if self.time_col else ()))
        return out.iloc[order].reset_index(drop=True)

    def effective_weights(self) -> pd.DataFrame:
        """``iCode, Level, Weight, EffWeight`` for every element, root included (COINr ``get_eff_weights``)."""
        plan = self.framework.plan
        w = np.array([self.weights_used_.get(c, plan.nominal_weights[i]) for i, c in enumerate(plan.columns)])
        eff = effective_weights_array(plan, w)
        rows = [
            {"iCode": c, "Level": self.framework[c].level, "Weight": w[i], "EffWeight": eff[i]}
            for i, c in enumerate(plan.columns)
        ]
        return pd.DataFrame(rows)

    def strengths_weaknesses(self, unit: str, *, n: int = 5, year: float | None = None) -> pd.DataFrame:
        """The ``n`` indicators where ``unit`` ranks best and worst (ranks of normalised scores).

        Returns columns ``kind`` (``strength``/``weakness``), ``iCode``, ``iName``, ``Rank``,
        ``Value`` (raw).
        """
        rk = self.ranks(1)
        sel = rk[self.unit_col] == unit
        if self.time_col and year is not None:
            sel &= rk[self.time_col] == year
        if not sel.any():
            raise SpecError(f"unit {unit!r} not found in the results")
        i = int(np.flatnonzero(sel.to_numpy())[-1])
        inds = list(self.framework.indicators)
        r = rk.iloc[i][inds].astype(float)
        raw = self.stage(RAW).set_index(self.id_columns)
        key = tuple(rk.iloc[i][self.id_columns]) if self.time_col else rk.iloc[i][self.unit_col]
        vals = raw.loc[key, inds]
        order = r.sort_values(kind="mergesort")
        out = []
        for kind, codes in (("strength", order.index[:n]), ("weakness", order.index[::-1][:n])):
            for c in codes:
                out.append({"kind": kind, "iCode": c, "iName": self.framework[c].name, "Rank": r[c], "Value": vals[c]})
        return pd.DataFrame(out)

    def unit_summary(self, unit: str, *, year: float | None = None) -> pd.DataFrame:
        """Scores and ranks of one unit at every aggregate level (COINr ``get_unit_summary``).

        Columns ``iCode, iName, Level, Score, Rank``, highest level first.
        """
        sc, rk = self.stage("Aggregated"), self.ranks()
        sel = (sc[self.unit_col] == unit).to_numpy()
        if self.time_col and year is not None:
            sel &= (sc[self.time_col] == year).to_numpy()
        if not sel.any():
            raise SpecError(f"unit {unit!r} not found in the results")
        i = int(np.flatnonzero(sel)[-1])
        fw = self.framework
        codes = [c for lev in range(fw.n_levels, 1, -1) for c in fw.codes_at(lev)]
        return pd.DataFrame(
            {
                "iCode": codes,
                "iName": [fw[c].name for c in codes],
                "Level": [fw[c].level for c in codes],
                "Score": [float(sc[c].iloc[i]) for c in codes],
                "Rank": [float(rk[c].iloc[i]) for c in codes],
            }
        )

    def compare(self, other: Index, *, code: str | None = None) -> pd.DataFrame:
        """Rank changes of ``code`` (default the index) from ``self`` to ``other``.

        Columns ``uCode, rank_self, rank_other, Diff (= self - other), AbsDiff``, sorted by
        ``AbsDiff`` descending (COINr ``compare_coins``).
        """
        code = code or self.framework.root
        a = self.ranks()[[*self.id_columns, code]].rename(columns={code: "rank_self"})
        b = other.ranks()[[*other.id_columns, code]].rename(columns={code: "rank_other"})
        m = a.merge(b, on=self.id_columns, how="outer")
        m["Diff"] = m["rank_self"] - m["rank_other"]
        m["AbsDiff"] = m["Diff"].abs()
        return m.sort_values("AbsDiff", ascending=False, kind="mergesort").reset_index(drop=True)


    # ------------------------------------------------------------------ export
    def export(self, path: str | Path) -> Path:
        """Write the evaluation for Excel/SPSS/R users; returns the path written.

        ``*.xlsx``: one workbook with sheets ``Results``, ``Ranks``, every stage table,
        ``Weights`` (effective), ``Framework`` (COINr iMeta layout) and ``Recipe`` (JSON).
        Any other path: a folder of UTF-8-with-BOM CSV files of the same tables (Excel opens
        them with Chinese text intact) plus ``recipe.json``, written as one unit
        (:func:`hkfactor._io.write_folder_atomically`: an existing folder is replaced only if it
        is empty, an earlier export or holds only files of this one). Every text cell, header
        and label is formula-safe (:func:`hkfactor._io.neutralise_cell`).
        """
        from hkfactor._io import atomic_write, write_csv, write_excel, write_folder_atomically

        tables: dict[str, pd.DataFrame] = {}
        if "Aggregated" in self.stages_:
            tables["Results"] = self.results(nround=None)
            tables["Ranks"] = self.ranks()
            tables["Weights"] = self.effective_weights()
        for name in self.stages_:
            tables[name] = self.stages_[name]
        tables["Framework"] = self.framework.to_frame()
        p = Path(path)
        if p.suffix.lower() == ".xlsx":
            tables["Recipe"] = pd.DataFrame({"recipe": self.recipe.to_json().splitlines()})
            write_excel(tables, p)
            return p
        with write_folder_atomically(p) as stage:
            for name, df in tables.items():
                write_csv(df, stage / f"{name}.csv", encoding="utf-8-sig")
            with atomic_write(stage / "recipe.json") as fh:
                fh.write(self.recipe.to_json())
        return p

    # ------------------------------------------------------------------ analyses
    def stats(self, stage: str = "Raw", *, level: int = 1, **kw: Any) -> pd.DataFrame:
        """Statistics and flags of the level-``level`` columns of a stage (COINr ``get_stats``).

        Keyword options (``t_skew``, ``t_kurt``, ``t_avail``, ``t_zero``, ``t_unq``, ``nsignif``)
        go to :func:`~hkfactor.engine.analysis.indicator_stats`.
        """
        from hkfactor.engine.analysis import indicator_stats

        return indicator_stats(_level_frame(self, stage, level), **kw)


    def correlations(
        self,
        stage: str = "Aggregated",
        levels: tuple[int, int] = (1, 1),
        *,
        method: str = "pearson",
        pval: float = 0.05,
        withparent: bool = False,
        within: str | None = None,
        long: bool = True,
    ) -> pd.DataFrame:
        """Correlations between the elements of two levels (COINr ``get_corr``).

        The higher level gives the rows (``Var1``), as COINr. Insignificant correlations
        (p > ``pval``) are blank. ``withparent`` keeps only each element's correlation with its
        own ancestor at the other level. ``long=False`` returns the matrix.
        """
        from hkfactor.engine.analysis import correlations, lengthen

        hi, lo = max(levels), min(levels)
        a = _level_frame(self, stage, hi, within)
        b = _level_frame(self, stage, lo, within)
        mat = correlations(a, b, method=method, pval=pval)
        if not long:
            return mat
        out = lengthen(mat)
        if withparent and hi != lo:
            fw = self.framework
            keep = [v1 in fw.lineage(v2) for v1, v2 in zip(out["Var1"], out["Var2"], strict=True)]
            out = out[keep].reset_index(drop=True)
        return out


    def corr_flags(
        self,
        stage: str = "Normalised",
        *,
        cor_thresh: float = 0.9,
        thresh_type: str = "high",
        method: str = "pearson",
        grouplev: int = 2,
    ) -> pd.DataFrame:
        """Indicator pairs in the same level-``grouplev`` group correlated above (or below) a threshold.

        COINr ``get_corr_flags``: columns ``Group, Ind1, Ind2, Corr``.
        """
        from hkfactor.engine.analysis import correlations

        if thresh_type not in ("high", "low"):
            raise SpecError("thresh_type must be 'high' or 'low'")
        x = _level_frame(self, stage, 1)
        mat = correlations(x, method=method, pval=0)
        fw = self.framework
        grp = {c: fw.lineage(c)[grouplev - 1] for c in x.columns}
        rows = []
        cols = list(x.columns)
        m = mat.to_numpy(np.float64)
        for i, c1 in enumerate(cols):
            for j in range(i + 1, len(cols)):
                c2 = cols[j]
                if grp[c1] != grp[c2]:
                    continue
                r = float(m[i, j])
                if np.isnan(r):
                    continue
                if (thresh_type == "high" and r > cor_thresh) or (thresh_type == "low" and r < cor_thresh):
                    rows.append({"Group": grp[c1], "Ind1": c1, "Ind2": c2, "Corr": r})
        return pd.DataFrame(rows, columns=["Group", "Ind1", "Ind2", "Corr"])


    def cronbach(self, stage: str = "Normalised", *, within: str | None = None, level: int = 1) -> float:
        """Cronbach's alpha of the level-``level`` elements under ``within`` (COINr ``get_cronbach``)."""
        from hkfactor.engine.analysis import cronbach_alpha

        return cronbach_alpha(_level_frame(self, stage, level, within))


    def pca(self, stage: str = "Aggregated", *, level: int = 1, within: str | None = None) -> Any:
        """PCA of the level-``level`` elements (COINr ``get_PCA``, ``by_groups = FALSE``).

        Returns a :class:`~hkfactor.engine.analysis.PCAResult`; ``.loadings["PC1"]`` are the weights
        COINr writes (they can be negative — see ``WEIGHTERS["pca_nonneg"]`` for the alternative).
        """
        from hkfactor.engine.analysis import principal_components

        return principal_components(_level_frame(self, stage, level, within))


    def pca_weights(
        self,
        level: int,
        *,
        stage: str = "Aggregated",
        by_groups: bool = False,
        nonneg: bool = False,
        name: str = "PCA",
    ) -> dict[str, float]:
        """Weights of the level-``level`` elements from the first principal component.

        As COINr ``get_PCA(out2 = "coin")``: the raw PC1 loadings become the weights of that
        level (they can be negative); other levels keep their original weights. With
        ``by_groups`` one PCA is run per parent group, otherwise one over the whole level.
        ``nonneg=True`` uses squared loadings (non-negative, sum 1 within each PCA). The set is
        stored as ``weight_sets[name]`` (use it with ``what_if(weights=name)``) and returned.
        """
        from hkfactor.engine.analysis import principal_components

        fw = self.framework
        groups: Sequence[str | None] = [None]
        if by_groups:
            groups = [*sorted({str(fw[c].parent) for c in fw.codes_at(level) if fw[c].parent is not None})]
        w = dict(self.weight_sets["Original"])
        for g in groups:
            frame = _level_frame(self, stage, level)
            if g is not None:
                frame = frame[[c for c in frame.columns if fw[c].parent == g]]
            v = principal_components(frame).loadings["PC1"]
            if nonneg:
                v = v * v / float((v * v).sum())
            w.update({str(c): float(x) for c, x in v.items()})
        self.weight_sets[name] = w
        return w

    def optimise_weights(
        self, level: int, *, name: str = "CorrOpt", max_iter: int = 500, tol: float = 1e-8
    ) -> dict[str, float]:
        """Weights of the level-``level`` elements that equalise their correlation with the index.

        In the spirit of COINr ``get_opt_weights(optcrit = 1)``: the aggregation is replayed on
        the normalised data with a fixed-point update ``w_i ← w_i · mean(r) / r_i`` (``r_i`` the
        Pearson correlation of element ``i`` with the index over units) until the correlations
        agree to ``tol``. Other weights stay as in the aggregate step. Stored as
        ``weight_sets[name]`` and returned. Raises SpecError if an element is uncorrelated or
        negatively correlated with the index (no positive solution).
        """
        st = self.recipe.get("aggregate")
        if st is None or "Normalised" not in self.arrays_:
            raise SpecError("optimise_weights needs normalise and aggregate steps in the recipe")
        plan = self.framework.plan
        spec = self.aggregation_spec(st)
        w = spec.pop("weights").copy()
        _, _, xn = self.arrays_["Normalised"]
        pos = [plan.position(c) for c in self.framework.codes_at(level)]
        if not pos or level >= self.framework.n_levels:
            raise SpecError(f"optimise_weights: no elements to weight at level {level}")
        root = plan.position(self.framework.root)

        def corr(y: np.ndarray) -> np.ndarray:
            ok = ~np.isnan(y[:, pos]).any(axis=1) & ~np.isnan(y[:, root])
            z = y[ok][:, [*pos, root]]
            c = np.corrcoef(z, rowvar=False)
            return np.asarray(c[-1, :-1], dtype=np.float64)

        for _ in range(max_iter):
            r = corr(aggregate_tree(xn, plan, w, **spec))
            if np.any(~np.isfinite(r)) or np.any(r <= 0):
                bad = [plan.columns[p] for p, v in zip(pos, r, strict=True) if not (np.isfinite(v) and v > 0)]
                raise SpecError(f"optimise_weights: {', '.join(bad)} not positively correlated with the index")
            if np.max(np.abs(r - r.mean())) < tol:
                break
            w[pos] = w[pos] * (r.mean() / r)
            w[pos] = w[pos] / w[pos].sum() * len(pos)
        out = dict(self.weight_sets["Original"])
        out.update({plan.columns[p]: float(w[p]) for p in pos})
        self.weight_sets[name] = out
        return out

    def obstacles(self, *, level: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Obstacle degree (障碍度) of every indicator for every unit, and its sum per group.

        Via :func:`hkfactor.methods.obstacle_degree`: deviation ``1 - x'`` of the normalised,
        direction-adjusted indicators rescaled to [0, 1], times the indicators' effective
        weights, as shares per unit. Groups are the level-``level`` ancestors. Returns
        ``(degrees, by_group)``, both with the id columns first.
        """
        from hkfactor.methods import obstacle_degree

        if "Normalised" not in self.arrays_:
            raise SpecError("obstacles need a normalise step in the recipe")
        rows, cols, xn = self.arrays_["Normalised"]
        eff = self.effective_weights().set_index("iCode")["EffWeight"]
        w = eff.loc[list(cols)].to_numpy(np.float64)
        groups = [self.framework.lineage(c)[level - 1] if level - 1 < len(self.framework.lineage(c)) else c for c in cols]
        res = obstacle_degree(xn, w, groups=groups, normalise=True)
        ids = self._ids(rows)
        degrees = pd.concat([ids, pd.DataFrame(np.asarray(res.degrees), columns=list(cols))], axis=1)
        by_group = pd.concat([ids, pd.DataFrame(np.asarray(res.by_group), columns=[str(g) for g in res.groups])], axis=1)
        return degrees, by_group

    def remove_elements(self, level: int, *, code: str | None = None) -> pd.DataFrame:
        """Leave-one-out: remove each element of ``level`` in turn, rebuild, and report the mean
        absolute rank change of ``code`` (default the index) over units (COINr ``remove_elements``).

        Returns ``removed, MeanAbsRankDiff`` with a first row ``Nominal`` (0).
        """
        code = code or self.framework.root
        base = self._code_ranks(code)
        rows = [{"removed": "Nominal", "MeanAbsRankDiff": 0.0}]
        for el in self.framework.codes_at(level):
            r = self.without(el)._code_ranks(code)
            d = (base - r.reindex(base.index)).abs()
            rows.append({"removed": el, "MeanAbsRankDiff": float(np.nanmean(d.to_numpy(np.float64)))})
        return pd.DataFrame(rows)


def compare_many(indices: Mapping[str, Index], *, code: str | None = None) -> pd.DataFrame:
    """Ranks of ``code`` in several indices side by side (COINr ``compare_coins_multi``)."""
    out: pd.DataFrame | None = None
    for name, idx in indices.items():
        c = code or idx.framework.root
        r = idx.ranks()[[*idx.id_columns, c]].rename(columns={c: name})
        out = r if out is None else out.merge(r, on=idx.id_columns, how="outer")
    if out is None:
        raise SpecError("compare_many needs at least one index")
    return out


def _level_frame(idx: Index, stage: str, level: int, within: str | None = None) -> pd.DataFrame:
    df = idx.stage(stage)
    fw = idx.framework
    codes = list(fw.codes_at(level))
    if within is not None:
        fw[within]
        codes = [c for c in codes if within in fw.lineage(c)]
    missing = [c for c in codes if c not in df.columns]
    if missing:
        raise SpecError(f"stage {stage!r} has no column(s) {', '.join(missing)} (level {level}); use 'Aggregated'")
    if not codes:
        raise SpecError(f"no elements at level {level}" + (f" under {within!r}" if within else ""))
    return df.set_index(idx.id_columns)[codes]
