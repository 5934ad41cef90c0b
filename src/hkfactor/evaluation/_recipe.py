"""Every choice an evaluation makes, as versioned, validated, replayable data.

:class:`EvaluationRecipe` is the evaluation's recipe (the engine has its own
:class:`hkfactor.engine.Recipe` of steps; the evaluation turns its recipe into one). It is
written beside every report as ``recipe.json`` and read back by
``hkfactor evaluate --recipe recipe.json``, which replays the run: the same inputs (checked by
their SHA-256) and the same methods give the same tables.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from hkfactor.errors import InputError, Problem
from hkfactor.messages import register

__all__ = [
    "AGGREGATIONS",
    "IMPUTATIONS",
    "NORMALISATIONS",
    "RECIPE_VERSION",
    "WEIGHTINGS",
    "EvaluationRecipe",
    "Inputs",
    "file_digest",
]

#: Current version of the recipe format; older versions are refused with advice.
RECIPE_VERSION = 2
#: Pooled normalisations (engine ``minmax`` onto [0, 1], percentile rank ``prank``).
NORMALISATIONS = ("minmax", "rank")
#: Indicator weights within each subsystem.
WEIGHTINGS = ("entropy", "critic", "equal", "manual")
#: How indicators are combined into group and subsystem scores.
AGGREGATIONS = ("arithmetic", "geometric", "topsis", "grey")
#: How gaps are filled: ``auto`` is ``linear`` along years (time series, panel) and ``mean``
#: across units (cross-section); ``none`` drops every indicator with a gap.
IMPUTATIONS = ("auto", "linear", "mean", "median", "none")
GREY_PREPROCESSINGS = ("mean", "minmax", "initial")

register({
    "recipe.bad_choice": ("recipe: {name}={value!r} is not one of {allowed}",
                          "方案：{name}={value!r} 不是 {allowed} 之一"),
    "recipe.out_of_range": ("recipe: {name}={value!r} must lie in {range}", "方案：{name}={value!r} 应在 {range} 之内"),
    "recipe.unknown_key": ("recipe: unknown key {key!r} (allowed: {allowed})", "方案：未知的键 {key!r}（允许：{allowed}）"),
    "recipe.bad_type": ("recipe: {name} must be {expected}, not {value!r}", "方案：{name} 应为{expected}，而不是 {value!r}"),
    "recipe.version": ("recipe version {found} is not supported (this hkfactor writes version {current}); "
                       "re-run the evaluation to write a new recipe",
                       "不支持方案版本 {found}（当前版本为 {current}）；请重新运行评价以生成新方案"),
    "recipe.not_json": ("not a recipe: {problem}", "不是有效的方案文件：{problem}"),
    "recipe.input_changed": ("the {what} file changed since the recipe was written (SHA-256 {found}, recipe "
                             "says {expected}); the replay would not be exact",
                             "{what}文件在方案写出后已改变（SHA-256 {found}，方案记录 {expected}），无法精确重现"),
    "recipe.input_missing": ("the {what} file {path!r} named by the recipe is not there",
                             "方案指向的{what}文件 {path!r} 不存在"),
})


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class Inputs:
    """Which data and framework a recipe was run on.

    ``data``/``framework`` are ``"builtin"`` or a path (relative paths are read relative to the
    recipe file); ``*_sha256`` pin their content. ``sheet``, ``header_row`` and ``encoding``
    are the reader's settings.
    """

    data: str = "builtin"
    framework: str = "builtin"
    data_sha256: str = ""
    framework_sha256: str = ""
    sheet: str = ""
    header_row: int = 0
    encoding: str = ""


@dataclass(frozen=True)
class EvaluationRecipe:
    """Every choice an evaluation makes.

    Parameters
    ----------
    normalisation : {"minmax", "rank"}
        How each indicator is made comparable, pooled over every row (years, units, or
        unit-years): min–max onto [0, 1] (reversed for cost indicators) or percentile rank.
    weighting : {"entropy", "critic", "equal", "manual"}
        Indicator weights, computed within each subsystem over all its indicators (the
        literature's recipe); ``manual`` takes the framework's ``weight`` fields. A group's
        weight is the sum of its indicators' weights.
    aggregation : {"arithmetic", "geometric", "topsis", "grey"}
        Group and subsystem scores: weighted arithmetic or geometric mean (the geometric mean
        on values mapped onto ``[geo_floor, 1]``), TOPSIS closeness or grey relational grade
        against the ideal, each over the group's children.
    min_year_coverage, min_indicator_coverage : float
        Time series and panels: a year is kept when each subsystem has at least this share of
        its kept indicators observed; an indicator is kept when observed in at least this
        share of the kept rows.
    impute : {"auto", "linear", "mean", "median", "none"}
        How gaps are filled (each filled cell is flagged and listed).
    alpha : float
        Two subsystems: weight of the first in ``T = α·U₁ + (1−α)·U₂`` (n subsystems: equal).
    rho, grey_preprocessing, grey_rhos
        Grey relational analysis: distinguishing coefficient, preprocessing of the sequences,
        coefficients tried in its robustness.
    geo_floor, entropy_shift
        Lower end of the range for the geometric mean; shift added before entropy (0.0001).
    robustness, mc_replications, weight_noise, seed
        Whether to run the method grid, leave-one-out and the Monte Carlo analysis; its size,
        the relative noise on the weights, the seed.
    inputs : Inputs
        The data and framework the run used.
    """

    normalisation: str = "minmax"
    weighting: str = "entropy"
    aggregation: str = "arithmetic"
    min_year_coverage: float = 0.5
    min_indicator_coverage: float = 0.5
    impute: str = "auto"
    alpha: float = 0.5
    rho: float = 0.5
    geo_floor: float = 0.01
    entropy_shift: float = 1e-4
    grey_preprocessing: str = "mean"
    grey_rhos: tuple[float, ...] = (0.3, 0.5, 0.7)
    robustness: bool = True
    mc_replications: int = 500
    weight_noise: float = 0.25
    seed: int = 20240501
    inputs: Inputs = field(default_factory=Inputs)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grey_rhos", tuple(float(x) for x in self.grey_rhos))
        problems = self.problems()
        if problems:
            raise InputError(problems, title="invalid recipe")

    def problems(self, file: str = "recipe") -> list[Problem]:
        """Every invalid choice, as problems with ``recipe.*`` codes."""
        out: list[Problem] = []

        def add(code: str, **params: Any) -> None:
            out.append(Problem(file, None, str(params.get("name", "")) or None, code=code, params=params))

        for name, allowed in (("normalisation", NORMALISATIONS), ("weighting", WEIGHTINGS),
                              ("aggregation", AGGREGATIONS), ("impute", IMPUTATIONS),
                              ("grey_preprocessing", GREY_PREPROCESSINGS)):
            v = getattr(self, name)
            if v not in allowed:
                add("recipe.bad_choice", name=name, value=v, allowed=", ".join(allowed))
        for name, lo, hi, lo_open, hi_open in (
            ("min_year_coverage", 0.0, 1.0, False, False), ("min_indicator_coverage", 0.0, 1.0, False, False),
            ("alpha", 0.0, 1.0, False, False), ("rho", 0.0, 1.0, True, False),
            ("geo_floor", 0.0, 1.0, True, True), ("entropy_shift", 0.0, 1.0, False, True),
            ("weight_noise", 0.0, 1.0, False, True),
        ):
            v = getattr(self, name)
            ok = isinstance(v, int | float) and not isinstance(v, bool) and (
                (lo < v if lo_open else lo <= v) and (v < hi if hi_open else v <= hi))
            if not ok:
                add("recipe.out_of_range", name=name, value=v,
                    range=f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}")
        if not isinstance(self.mc_replications, int) or isinstance(self.mc_replications, bool) \
                or not 1 <= self.mc_replications <= 100_000:
            add("recipe.out_of_range", name="mc_replications", value=self.mc_replications, range="[1, 100000]")
        if not self.grey_rhos or not all(0.0 < x <= 1.0 for x in self.grey_rhos):
            add("recipe.out_of_range", name="grey_rhos", value=list(self.grey_rhos), range="(0, 1]")
        if not isinstance(self.robustness, bool):
            add("recipe.bad_type", name="robustness", expected="true/false", value=self.robustness)
        return out

    def replace(self, **changes: Any) -> EvaluationRecipe:
        """A copy with some choices changed (validated)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, with the format ``version`` first."""
        d = asdict(self)
        d["grey_rhos"] = list(self.grey_rhos)
        return {"version": RECIPE_VERSION, **d}

    def to_json(self) -> str:
        """The recipe as JSON (sorted keys, so two equal recipes are equal text)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"

    @classmethod
    def from_dict(cls, d: Any, *, file: str = "recipe") -> EvaluationRecipe:
        """Validate a parsed recipe: unknown keys, wrong types and versions are problems."""
        if not isinstance(d, dict):
            raise InputError([Problem(file, None, None, code="recipe.not_json",
                                      params={"problem": "expected a JSON object"})], title="invalid recipe")
        version = d.get("version")
        if version != RECIPE_VERSION:
            raise InputError([Problem(file, None, "version", code="recipe.version",
                                      params={"found": version, "current": RECIPE_VERSION})], title="invalid recipe")
        names = {f.name: f for f in fields(cls)}
        problems: list[Problem] = []
        kw: dict[str, Any] = {}
        for k, v in d.items():
            if k == "version":
                continue
            if k not in names:
                problems.append(Problem(file, None, k, code="recipe.unknown_key",
                                        params={"key": k, "allowed": ", ".join(names)}))
                continue
            kw[k] = v
        if isinstance(kw.get("inputs"), dict):
            inp = kw["inputs"]
            allowed = {f.name for f in fields(Inputs)}
            extra = [k for k in inp if k not in allowed]
            problems += [Problem(file, None, f"inputs.{k}", code="recipe.unknown_key",
                                 params={"key": k, "allowed": ", ".join(sorted(allowed))}) for k in extra]
            kw["inputs"] = Inputs(**{k: v for k, v in inp.items() if k in allowed})
        elif "inputs" in kw:
            problems.append(Problem(file, None, "inputs", code="recipe.bad_type",
                                    params={"name": "inputs", "expected": "an object", "value": kw["inputs"]}))
            kw.pop("inputs")
        if isinstance(kw.get("grey_rhos"), list):
            kw["grey_rhos"] = tuple(kw["grey_rhos"])
        for k in ("normalisation", "weighting", "aggregation", "impute", "grey_preprocessing"):
            if k in kw and not isinstance(kw[k], str):
                problems.append(Problem(file, None, k, code="recipe.bad_type",
                                        params={"name": k, "expected": "a text", "value": kw[k]}))
                kw.pop(k)
        if problems:
            raise InputError(problems, title="invalid recipe")
        try:
            return cls(**kw)
        except InputError as exc:
            raise InputError([Problem(file, p.row, p.field, p.message, p.code, p.params) for p in exc.problems],
                             title="invalid recipe") from None
        except TypeError as exc:
            raise InputError([Problem(file, None, None, code="recipe.not_json", params={"problem": str(exc)})],
                             title="invalid recipe") from None

    @classmethod
    def read(cls, path: str | Path) -> EvaluationRecipe:
        """Read ``recipe.json`` (UTF-8), validated; every problem names the file."""
        p = Path(path)
        try:
            text = p.read_bytes().decode("utf-8")
            doc = json.loads(text)
        except FileNotFoundError:
            raise InputError([Problem(str(p), None, None, code="recipe.not_json",
                                      params={"problem": "file not found"})], title="invalid recipe") from None
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise InputError([Problem(str(p), getattr(exc, "lineno", None), None, code="recipe.not_json",
                                      params={"problem": str(exc)[:200]})], title="invalid recipe") from None
        except (IsADirectoryError, PermissionError) as exc:
            raise InputError([Problem(str(p), None, None, code="recipe.not_json",
                                      params={"problem": str(exc)})], title="invalid recipe") from None
        return cls.from_dict(doc, file=str(p))
