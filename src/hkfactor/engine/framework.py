"""The indicator framework: a tree of any depth (index → sub-indices → … → indicators).

A :class:`Framework` is an immutable, validated set of :class:`Element` records. It knows
the order of aggregation (children before parents), the lineage of every indicator and the
nominal weights, and reads COINr's ``iMeta`` table as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.errors import InputError, Problem, SpecError

__all__ = ["AggregationPlan", "Element", "Framework"]

_META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
_EXPECTED = {
    "Direction": "1 (higher is better) or -1 (lower is better)",
    "Weight": "a finite number >= 0",
    "Level": "a whole number (1 = indicator)",
    "Target": "a finite number or a blank cell",
    "GoalLower": "a finite number or a blank cell",
    "GoalUpper": "a finite number or a blank cell",
}


@dataclass(frozen=True)
class Element:
    """One node of the framework.

    Parameters
    ----------
    code : str
        Unique code (COINr ``iCode``).
    parent : str or None
        Code of the parent; ``None`` only for the root (the index).
    name : str
        Human-readable name (``iName``); defaults to the code.
    kind : {"Indicator", "Aggregate"}
        Leaves are indicators; everything above is an aggregate.
    level : int or None
        1 for indicators, parent = child level + 1 (COINr convention). Filled in if None.
    direction : {1, -1}
        -1 means lower raw values are better.
    weight : float
        Nominal weight relative to the siblings.
    unit : str
        Unit of measurement (for display).
    target : float or None
        Target value in raw units (``dist2targ`` normalisation).
    denominator : str or None
        Name of the denominator column the indicator is divided by.
    goalposts : tuple(lower, upper) or None
        Goalposts in raw units (``goalposts`` normalisation).
    """

    code: str
    parent: str | None
    name: str = ""
    kind: str = "Indicator"
    level: int | None = None
    direction: int = 1
    weight: float = 1.0
    unit: str = ""
    target: float | None = None
    denominator: str | None = None
    goalposts: tuple[float, float] | None = None


@dataclass(frozen=True)
class AggregationPlan:
    """Array-level description of the tree for the kernels (and the robustness engine).

    Attributes
    ----------
    indicators : tuple[str, ...]
        Indicator codes: column ``j`` of the normalised array is ``indicators[j]``.
    aggregates : tuple[str, ...]
        Aggregate codes in computation order (children before parents).
    columns : tuple[str, ...]
        ``indicators + aggregates``: the column order of the aggregated array.
    children : tuple[np.ndarray, ...]
        For aggregate ``a`` (position ``i`` in ``aggregates``), positions in ``columns`` of its
        children.
    levels : tuple[int, ...]
        Level of each aggregate.
    nominal_weights : np.ndarray, shape (len(columns),)
        Nominal weight of every column (root included, weight 1).
    """

    indicators: tuple[str, ...]
    aggregates: tuple[str, ...]
    columns: tuple[str, ...]
    children: tuple[np.ndarray, ...]
    levels: tuple[int, ...]
    nominal_weights: np.ndarray = field(repr=False)

    def position(self, code: str) -> int:
        """Column position of ``code`` (SpecError listing valid codes if unknown)."""
        try:
            return self.columns.index(code)
        except ValueError:
            raise SpecError(f"unknown element {code!r}; valid: {', '.join(self.columns)}") from None


def _num(v: Any) -> float | None:
    """A metadata cell as a number; ``None`` for a blank cell.

    Raises ``ValueError`` for a cell that is present but not a finite number (text, ``inf``,
    ``nan`` typed out, a boolean): such a cell is never silently replaced by a default.
    """
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool | np.bool_):
        raise ValueError(f"{v!r} is not a number")
    if isinstance(v, float | np.floating) and math.isnan(v):
        return None
    if isinstance(v, str):
        t = v.strip().replace("\u2212", "-")  # a typographic minus from a word processor
        if not t:
            return None
        try:
            f = float(t)
        except ValueError:
            raise ValueError(f"{v!r} is not a number") from None
    else:
        try:
            f = float(v)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{v!r} is not a number") from None
    if not math.isfinite(f):
        raise ValueError(f"{v!r} is not a finite number")
    return f


def _str(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


def _finite(v: Any) -> bool:
    try:
        return not isinstance(v, bool) and math.isfinite(float(v))
    except (TypeError, ValueError, OverflowError):
        return False


def _check_weight(code: str, w: Any) -> float:
    if not _finite(w) or float(w) < 0:
        raise SpecError(f"element {code!r}: Weight must be a finite number >= 0, got {w!r}")
    return float(w)


def _check_sibling_weights(elements: Iterable[Element], weights: Mapping[str, float]) -> None:
    """SpecError if every child of some aggregate has weight 0 (its score would be undefined)."""
    kids: dict[str, list[str]] = {}
    for e in elements:
        if e.parent is not None:
            kids.setdefault(e.parent, []).append(e.code)
    for p, ks in kids.items():
        if all(float(weights.get(k, 1.0)) == 0.0 for k in ks):
            raise SpecError(
                f"every child of {p!r} ({', '.join(ks)}) has weight 0; at least one weight must be positive"
            )


class Framework:
    """A validated indicator tree.

    Parameters
    ----------
    elements : iterable of Element
    require_weight_sums : bool, keyword-only
        If True, the weights of each group of siblings must sum to 1 (± 1e-9); otherwise
        weights are relative and rescaled within each group (COINr).
    level_names : sequence of str, optional
        Names of levels 1..L (e.g. ``("Indicator", "Pillar", "Sub-index", "Index")``).

    Raises
    ------
    SpecError
        Duplicate codes, unknown parent, cycles, orphans (a second root), aggregates without
        children, directions other than ±1, negative/non-finite weights, levels inconsistent
        with the tree, weights not summing to 1 when required — naming the element.

    Examples
    --------
    >>> fw = Framework([
    ...     Element("HK", None, name="Hong Kong factor"),
    ...     Element("Finance", "HK", weight=2),
    ...     Element("Research", "HK"),
    ...     Element("loans", "Finance", unit="CNY bn"),
    ...     Element("copubs", "Research", unit="papers"),
    ...     Element("cost", "Research", direction=-1),
    ... ])
    >>> fw.n_levels, fw.indicators
    (3, ('loans', 'copubs', 'cost'))
    >>> round(fw.effective_weights()["loans"], 4)
    0.6667
    >>> Framework([Element("I", None), Element("a", "I"), Element("a", "I")])
    Traceback (most recent call last):
    ...
    hkfactor.errors.SpecError: duplicate element code 'a'
    """

    def __init__(
        self,
        elements: Iterable[Element],
        *,
        require_weight_sums: bool = False,
        level_names: Sequence[str] | None = None,
    ) -> None:
        els = list(elements)
        self._validate(els, require_weight_sums)
        heights = self._heights(els)
        fixed = []
        for e in els:
            h = heights[e.code]
            if e.level is not None and int(e.level) != h:
                raise SpecError(
                    f"element {e.code!r} has Level {e.level} but its position in the tree implies level {h} "
                    "(indicators are level 1, a parent is one above its highest child)"
                )
            kind = "Indicator" if h == 1 else "Aggregate"
            fixed.append(
                Element(
                    code=e.code,
                    parent=e.parent,
                    name=e.name or e.code,
                    kind=kind,
                    level=h,
                    direction=int(e.direction),
                    weight=float(e.weight),
                    unit=e.unit,
                    target=e.target,
                    denominator=e.denominator,
                    goalposts=e.goalposts,
                )
            )
        self.elements: tuple[Element, ...] = tuple(fixed)
        self._by_code = {e.code: e for e in self.elements}
        self.n_levels: int = max(e.level or 1 for e in self.elements)
        self.level_names: tuple[str, ...] = (
            tuple(level_names) if level_names else tuple(f"Level{i}" for i in range(1, self.n_levels + 1))
        )
        self.require_weight_sums = require_weight_sums
        self._plan: AggregationPlan | None = None
        self._root = next(e.code for e in self.elements if e.parent is None)
        self._indicators = tuple(e.code for e in self.elements if e.kind == "Indicator")
        self._aggregates = tuple(e.code for e in self.elements if e.kind == "Aggregate")

    # ------------------------------------------------------------------ validation
    @staticmethod
    def _validate(els: list[Element], require_weight_sums: bool) -> None:
        seen: set[str] = set()
        for e in els:
            if not isinstance(e.code, str) or not e.code:
                raise SpecError(f"element code must be a non-empty string, got {e.code!r}")
            if e.code in seen:
                raise SpecError(f"duplicate element code {e.code!r}")
            seen.add(e.code)
        codes = {e.code for e in els}
        roots = [e.code for e in els if e.parent is None]
        for e in els:
            if e.parent is not None and e.parent not in codes:
                raise SpecError(f"element {e.code!r} has unknown parent {e.parent!r}")
            if e.parent == e.code:
                raise SpecError(f"element {e.code!r} is its own parent (cycle)")
            if isinstance(e.direction, bool) or e.direction not in (1, -1):
                raise SpecError(f"element {e.code!r}: Direction must be 1 or -1, got {e.direction!r}")
            _check_weight(e.code, e.weight)
            checks = [("Target", e.target), *(("goalposts", g) for g in (e.goalposts or ()))]
            for what, v in checks:
                if v is not None and not _finite(v):
                    raise SpecError(f"element {e.code!r}: {what} must be a finite number, got {v!r}")
        if not els:
            raise SpecError("the framework has no elements")
        # cycles: walk up from every node
        parent = {e.code: e.parent for e in els}
        for e in els:
            path = [e.code]
            p = e.parent
            while p is not None:
                if p in path:
                    cyc = " -> ".join([*path[path.index(p) :], p])
                    raise SpecError(f"cycle in the framework: {cyc}")
                path.append(p)
                p = parent[p]
        if len(roots) != 1:
            raise SpecError(
                "the framework must have exactly one root (the index); elements without a parent: "
                + ", ".join(roots)
                + (" — all but one are orphans: give them a Parent" if len(roots) > 1 else "")
            )
        has_child = {e.parent for e in els if e.parent is not None}
        for e in els:
            if e.kind == "Aggregate" and e.code not in has_child:
                raise SpecError(f"aggregate {e.code!r} has no children")
        _check_sibling_weights(els, {e.code: float(e.weight) for e in els})
        if require_weight_sums:
            sums: dict[str, float] = {}
            for e in els:
                if e.parent is not None:
                    sums[e.parent] = sums.get(e.parent, 0.0) + float(e.weight)
            for p, s in sums.items():
                if abs(s - 1.0) > 1e-9:
                    raise SpecError(f"weights of the children of {p!r} sum to {s:.6g}; expected 1")

    @staticmethod
    def _heights(els: list[Element]) -> dict[str, int]:
        kids: dict[str, list[str]] = {}
        for e in els:
            if e.parent is not None:
                kids.setdefault(e.parent, []).append(e.code)
        memo: dict[str, int] = {}

        def h(c: str) -> int:
            if c not in memo:
                memo[c] = 1 + max((h(k) for k in kids.get(c, [])), default=0)
            return memo[c]

        return {e.code: h(e.code) for e in els}

    # ------------------------------------------------------------------ queries
    def __getitem__(self, code: str) -> Element:
        try:
            return self._by_code[code]
        except KeyError:
            raise SpecError(f"unknown element {code!r}; valid: {', '.join(self._by_code)}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Framework) and self.elements == other.elements

    def __hash__(self) -> int:
        return hash(self.elements)

    def __repr__(self) -> str:
        return f"Framework({len(self.indicators)} indicators, {self.n_levels} levels, root={self.root!r})"

    @property
    def root(self) -> str:
        """Code of the top element (the index)."""
        return self._root

    @property
    def indicators(self) -> tuple[str, ...]:
        """Indicator codes in declaration order."""
        return self._indicators

    @property
    def aggregates(self) -> tuple[str, ...]:
        """Aggregate codes in declaration order."""
        return self._aggregates

    def children(self, code: str) -> tuple[str, ...]:
        """Codes of the direct children of ``code`` (declaration order)."""
        self[code]
        return tuple(e.code for e in self.elements if e.parent == code)

    def codes_at(self, level: int) -> tuple[str, ...]:
        """Codes of the elements at ``level`` (1 = indicators)."""
        return tuple(e.code for e in self.elements if e.level == level)

    def lineage(self, code: str) -> tuple[str, ...]:
        """``(code, parent, grandparent, …, root)``."""
        out = [code]
        p = self[code].parent
        while p is not None:
            out.append(p)
            p = self._by_code[p].parent
        return tuple(out)

    def descendants(self, code: str) -> tuple[str, ...]:
        """Indicator codes under ``code`` (itself if an indicator)."""
        if self[code].kind == "Indicator":
            return (code,)
        return tuple(i for i in self.indicators if code in self.lineage(i))

    def lineage_table(self) -> pd.DataFrame:
        """One row per indicator with its ancestor at every level (COINr ``coin$Meta$Lineage``).

        Columns are the level names; rows sorted from the top level down in the R locale's
        collation (case-insensitive first), as COINr. In an unbalanced tree, a level that an
        indicator's lineage skips is left empty (None).
        """
        rows = []
        for ind in self.indicators:
            byl = {self._by_code[c].level: c for c in self.lineage(ind)}
            rows.append([byl.get(lev) for lev in range(1, self.n_levels + 1)])
        key = [tuple(((v or "").casefold(), v or "") for v in reversed(r)) for r in rows]
        order = sorted(range(len(rows)), key=lambda i: key[i])
        return pd.DataFrame([rows[i] for i in order], columns=list(self.level_names))

    @property
    def plan(self) -> AggregationPlan:
        """The :class:`AggregationPlan` (cached)."""
        if self._plan is None:
            inds = self.indicators
            aggs = tuple(sorted(self.aggregates, key=lambda c: (self._by_code[c].level or 0, self.aggregates.index(c))))
            cols = inds + aggs
            pos = {c: i for i, c in enumerate(cols)}
            kids = tuple(np.array([pos[k] for k in self.children(a)], dtype=np.int64) for a in aggs)
            w = np.array([self._by_code[c].weight for c in cols], dtype=np.float64)
            self._plan = AggregationPlan(
                indicators=inds,
                aggregates=aggs,
                columns=cols,
                children=kids,
                levels=tuple(int(self._by_code[a].level or 0) for a in aggs),
                nominal_weights=w,
            )
        return self._plan

    def weights(self) -> dict[str, float]:
        """Nominal weights ``{code: weight}`` (root excluded)."""
        return {e.code: e.weight for e in self.elements if e.parent is not None}

    def effective_weights(self, weights: Mapping[str, float] | None = None) -> dict[str, float]:
        """Weight of every element in the index: product of sibling-normalised weights up the tree.

        COINr ``get_eff_weights``. ``weights`` overrides the nominal ones.
        """
        w = dict(self.weights())
        if weights:
            w.update(self.check_weights(weights))
        sums: dict[str, float] = {}
        for e in self.elements:
            if e.parent is not None:
                sums[e.parent] = sums.get(e.parent, 0.0) + w[e.code]
        out: dict[str, float] = {}
        for e in self.elements:
            eff = 1.0
            for c in self.lineage(e.code)[:-1]:
                p = self._by_code[c].parent
                assert p is not None
                eff *= w[c] / sums[p] if sums[p] else float("nan")
            out[e.code] = eff
        return out

    def check_weights(self, weights: Mapping[str, Any]) -> dict[str, float]:
        """Validate a partial weight set against this tree; return it as floats.

        Every code must be an element, every weight a finite number >= 0, and no aggregate may
        end up with all its children at weight 0 (:class:`SpecError` naming the element).
        """
        out: dict[str, float] = {}
        for k, v in weights.items():
            self[k]
            out[k] = _check_weight(k, v)
        _check_sibling_weights(self.elements, {**self.weights(), **out})
        return out

    # ------------------------------------------------------------------ I/O
    def to_frame(self) -> pd.DataFrame:
        """The framework as a COINr-style ``iMeta`` table (Level, iCode, iName, Direction, …)."""
        rows = []
        for e in self.elements:
            rows.append(
                {
                    "Level": e.level,
                    "iCode": e.code,
                    "iName": e.name,
                    "Direction": e.direction,
                    "Weight": e.weight,
                    "Unit": e.unit,
                    "Target": e.target,
                    "Denominator": e.denominator,
                    "Parent": e.parent,
                    "Type": e.kind,
                    "GoalLower": e.goalposts[0] if e.goalposts else None,
                    "GoalUpper": e.goalposts[1] if e.goalposts else None,
                }
            )
        return pd.DataFrame(rows)

    @classmethod
    def from_frame(
        cls,
        meta: pd.DataFrame,
        *,
        file: str = "iMeta",
        require_weight_sums: bool = False,
        level_names: Sequence[str] | None = None,
    ) -> Framework:
        """Read a COINr ``iMeta``-style table.

        Columns: ``iCode`` (required), ``Parent``, ``Level``, ``iName``, ``Direction``,
        ``Weight``, ``Unit``, ``Target``, ``Denominator``, ``Type``, optional ``GoalLower``/
        ``GoalUpper``. Rows of Type ``Group``, ``Denominator`` and ``Other`` describe data
        columns, not framework elements, and are skipped here. Every bad row is reported at once
        (:class:`~hkfactor.errors.InputError`).
        """
        problems: list[Problem] = []
        if "iCode" not in meta.columns:
            hint = (" (this looks like the data table iData, with uCode: were the metadata and data files "
                    "swapped? Index.from_files takes (meta, data); Index.from_coinr takes (iData, iMeta))"
                    if "uCode" in meta.columns else "")
            raise InputError([Problem(file, None, "iCode", "required column is missing" + hint)])
        els: list[Element] = []
        for i, row in enumerate(meta.to_dict("records")):
            r = i + 2
            code = _str(row.get("iCode"))
            typ = _str(row.get("Type")) or "Indicator"
            if typ not in _META_TYPES:
                problems.append(Problem(file, r, "Type", f"unknown Type {typ!r}; expected one of {', '.join(_META_TYPES)}"))
                continue
            if typ in ("Group", "Denominator", "Other"):
                continue
            if code is None:
                problems.append(Problem(file, r, "iCode", "missing code"))
                continue
            vals: dict[str, float | None] = {}
            bad = False
            for col in ("Direction", "Weight", "Level", "Target", "GoalLower", "GoalUpper"):
                try:
                    vals[col] = _num(row.get(col))
                except ValueError as exc:
                    problems.append(Problem(file, r, col, f"{exc}; expected " + _EXPECTED[col]))
                    bad = True
            if bad:
                continue
            direction = vals["Direction"]
            if direction is None:
                if "Direction" in meta.columns and typ == "Indicator":
                    problems.append(Problem(file, r, "Direction", "missing; expected " + _EXPECTED["Direction"]))
                    continue
                direction = 1.0
            if direction not in (1.0, -1.0):
                problems.append(Problem(file, r, "Direction", f"must be 1 or -1, got {row.get('Direction')!r}"))
            weight = vals["Weight"]
            if weight is None:
                if "Weight" in meta.columns and _str(row.get("Parent")) is not None:
                    problems.append(Problem(file, r, "Weight", "missing; expected " + _EXPECTED["Weight"]))
                    continue
                weight = 1.0
            if weight < 0:
                problems.append(Problem(file, r, "Weight", f"must be >= 0, got {weight}"))
            level = vals["Level"]
            if level is not None and (not float(level).is_integer() or level < 1):
                problems.append(Problem(file, r, "Level", f"must be a whole number >= 1, got {row.get('Level')!r}"))
                continue
            gl, gu = vals["GoalLower"], vals["GoalUpper"]
            if (gl is None) != (gu is None):
                problems.append(Problem(file, r, "GoalLower" if gl is None else "GoalUpper",
                                        "give both GoalLower and GoalUpper, or neither"))
            elif gl is not None and gl == gu:
                problems.append(Problem(file, r, "GoalUpper", f"GoalLower and GoalUpper are equal ({gl:g}); they must differ"))
            els.append(
                Element(
                    code=code,
                    parent=_str(row.get("Parent")),
                    name=_str(row.get("iName")) or code,
                    kind=typ,
                    level=int(level) if level is not None else None,
                    direction=int(direction),
                    weight=float(weight),
                    unit=_str(row.get("Unit")) or "",
                    target=vals["Target"],
                    denominator=_str(row.get("Denominator")),
                    goalposts=(gl, gu) if gl is not None and gu is not None else None,
                )
            )
        if problems:
            raise InputError(problems, title=f"invalid framework table {file}")
        if not els:
            raise InputError([Problem(file, None, "iCode", "no Indicator or Aggregate rows: the framework is empty")],
                             title=f"invalid framework table {file}")
        try:
            return cls(els, require_weight_sums=require_weight_sums, level_names=level_names)
        except SpecError as exc:
            if type(exc) is not SpecError:
                raise
            raise SpecError(f"{file}: {exc}") from None

    def with_weights(self, weights: Mapping[str, float]) -> Framework:
        """A copy with some nominal weights replaced."""
        for k in weights:
            self[k]
            _check_weight(k, weights[k])
        els = [
            Element(**{**e.__dict__, "weight": float(weights[e.code])}) if e.code in weights else e
            for e in self.elements
        ]
        return Framework(els, require_weight_sums=self.require_weight_sums, level_names=self.level_names)

    def without(self, code: str) -> Framework:
        """A copy with ``code`` and everything under it removed (for leave-one-out analysis)."""
        drop = {code} | set(self.descendants(code))
        drop |= {a for a in self.aggregates if any(c == code for c in self.lineage(a))}
        if self.root in drop:
            raise SpecError(f"cannot remove the root {code!r}")
        els = [e for e in self.elements if e.code not in drop]
        # parents left without children are removed too (repeat until stable)
        while True:
            parents = {e.parent for e in els}
            orphan_aggs = [e.code for e in els if e.kind == "Aggregate" and e.code not in parents]
            if not orphan_aggs:
                break
            els = [e for e in els if e.code not in orphan_aggs]
        return Framework(
            [Element(**{**e.__dict__, "level": None}) for e in els],
            require_weight_sums=False,
            level_names=self.level_names,
        )
