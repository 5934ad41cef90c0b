"""The recipe: an ordered, serialisable list of ``Step(step, method, params, by)``.

Rebuilding an :class:`~hkfactor.engine.Index` replays its recipe; uncertainty and sensitivity
analysis perturb the recipe and rebuild. Nothing is introspected from call stacks: what is
in the recipe is exactly what runs.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from hkfactor.engine.kernels import AGGREGATORS, IMPUTERS, NORMALISERS, TRANSFORMS, WEIGHTERS
from hkfactor.errors import MethodNotFoundError, SpecError

__all__ = ["STAGES", "STEPS", "Recipe", "Step"]

#: step name → name of the stage table it writes
STAGES: dict[str, str] = {
    "denominate": "Denominated",
    "impute": "Imputed",
    "screen": "Screened",
    "treat": "Treated",
    "normalise": "Normalised",
    "aggregate": "Aggregated",
}
STEPS: tuple[str, ...] = tuple(STAGES)

_SCREEN_METHODS = ("availability", "nonzero", "availability_and_nonzero")
_DENOM_METHODS = ("divide",)
_TREAT_METHODS = ("skew_kurt", "none")

_KNOWN_PARAMS: dict[str, set[str]] = {
    "denominate": {"scale", "denominators"},
    "impute": {"group", "max_gap"},
    "screen": {"dat_thresh", "nonzero_thresh", "force_keep", "force_drop"},
    "treat": {"winmax", "skew_thresh", "kurt_thresh", "f2", "f2_params", "combine_treat", "force_win"},
    "normalise": {"per_year"},
    "aggregate": {"weights", "weighting", "weighting_params", "dat_thresh"},
}


def _check_method(step: str, method: str) -> None:
    reg: Any
    if step == "normalise":
        reg = NORMALISERS
    elif step == "aggregate":
        reg = AGGREGATORS
    elif step == "impute":
        reg = IMPUTERS
    else:
        valid = {"screen": _SCREEN_METHODS, "denominate": _DENOM_METHODS, "treat": _TREAT_METHODS}[step]
        if method not in valid:
            raise MethodNotFoundError(step, method, valid)
        return
    reg[method]


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if hasattr(v, "tolist"):
        return v.tolist()
    return v


@dataclass(frozen=True)
class Step:
    """One step of a recipe.

    Parameters
    ----------
    step : str
        One of :data:`STEPS`: ``denominate``, ``impute``, ``screen``, ``treat``, ``normalise``,
        ``aggregate``.
    method : str
        Method name in that step's registry (``NORMALISERS``, ``AGGREGATORS``, ``IMPUTERS``) or
        ``divide`` / ``availability`` / ``nonzero`` / ``availability_and_nonzero`` /
        ``skew_kurt`` / ``none``.
    params : mapping
        Method parameters (JSON-serialisable).
    by : mapping
        Exceptions: ``{code_or_selector: {"method": ..., "params": {...}}}``. Keys are an
        indicator or aggregate code (normalise, treat, impute: an aggregate code covers every
        indicator below it, the closest key wins), or an aggregate code or ``"level:N"``
        (aggregate). Same method: params are merged into the step's; another method: its own
        params only. ``{"method": "none"}`` switches a step off for that element.

    Examples
    --------
    >>> Step("normalise", "minmax", {"l_u": [0, 100]}).to_dict()
    {'step': 'normalise', 'method': 'minmax', 'params': {'l_u': [0, 100]}, 'by': {}}
    """

    step: str
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    by: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.step not in STAGES:
            raise MethodNotFoundError("recipe step", self.step, STEPS)
        _check_method(self.step, self.method)
        object.__setattr__(self, "params", _jsonable(dict(self.params)))
        object.__setattr__(self, "by", _jsonable(dict(self.by)))
        unknown = set(self.params) - _KNOWN_PARAMS[self.step] - self._method_params()
        if unknown:
            raise SpecError(
                f"step {self.step!r} method {self.method!r}: unknown parameter(s) {', '.join(sorted(unknown))}"
            )
        if self.step == "aggregate" and "weighting" in self.params:
            WEIGHTERS[str(self.params["weighting"])]
        if self.step == "treat" and "f2" in self.params:
            TRANSFORMS[str(self.params["f2"])]
        for key, spec in self.by.items():
            if not isinstance(spec, Mapping) or not set(spec) <= {"method", "params"}:
                raise SpecError(f"step {self.step!r}: exception for {key!r} must be {{'method': ..., 'params': {{...}}}}")
            if "method" in spec and not (self.step == "treat" and spec["method"] == "none"):
                if spec["method"] != "none":
                    _check_method(self.step, str(spec["method"]))

    def _method_params(self) -> set[str]:
        import inspect

        reg: Any = {"normalise": NORMALISERS, "aggregate": AGGREGATORS, "impute": IMPUTERS}.get(self.step)
        if reg is None:
            return set()
        sig = inspect.signature(reg[self.method])
        return {p.name for p in sig.parameters.values() if p.kind == p.KEYWORD_ONLY}

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    @property
    def stage(self) -> str:
        """Name of the stage table this step writes."""
        return STAGES[self.step]

    def replace(self, *, method: str | None = None, params: Mapping[str, Any] | None = None, merge: bool = True) -> Step:
        """A modified copy. A new ``method`` starts from empty params unless ``params`` given;
        otherwise ``params`` are merged into the existing ones (``merge=False`` replaces)."""
        if method is not None and method != self.method:
            return Step(self.step, method, dict(params or {}), self.by)
        new = {**self.params, **(params or {})} if merge else dict(params or {})
        return Step(self.step, self.method, new, self.by)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON/YAML ready)."""
        return {"step": self.step, "method": self.method, "params": copy.deepcopy(dict(self.params)), "by": copy.deepcopy(dict(self.by))}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Step:
        """Inverse of :meth:`to_dict`."""
        if "step" not in d or "method" not in d:
            raise SpecError(f"recipe step needs 'step' and 'method', got keys {sorted(d)}")
        return cls(str(d["step"]), str(d["method"]), dict(d.get("params") or {}), dict(d.get("by") or {}))


class Recipe:
    """An ordered tuple of :class:`Step`; each step name at most once, in pipeline order.

    Examples
    --------
    >>> r = Recipe([Step("normalise", "minmax"), Step("aggregate", "amean")])
    >>> Recipe.from_json(r.to_json()) == r
    True
    """

    def __init__(self, steps: Iterable[Step] = ()) -> None:
        st = tuple(steps)
        names = [s.step for s in st]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise SpecError(f"recipe has step(s) {', '.join(dup)} more than once")
        order = [STEPS.index(n) for n in names]
        if order != sorted(order):
            raise SpecError(f"recipe steps must follow the pipeline order {' → '.join(STEPS)}; got {' → '.join(names)}")
        self.steps: tuple[Step, ...] = st

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Recipe) and self.steps == other.steps

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def __repr__(self) -> str:
        return "Recipe(" + ", ".join(f"{s.step}:{s.method}" for s in self.steps) + ")"

    def __contains__(self, step: object) -> bool:
        return any(s.step == step for s in self.steps)

    def get(self, step: str) -> Step | None:
        """The step called ``step`` or None."""
        return next((s for s in self.steps if s.step == step), None)

    def replace(self, step: str, new: Step | None) -> Recipe:
        """A copy with ``step`` replaced by ``new`` (inserted in pipeline order if absent; removed if None)."""
        kept = [s for s in self.steps if s.step != step]
        if new is not None:
            if new.step != step:
                raise SpecError(f"replacement for step {step!r} is a {new.step!r} step")
            kept.append(new)
        kept.sort(key=lambda s: STEPS.index(s.step))
        return Recipe(kept)

    def to_dict(self) -> dict[str, Any]:
        """``{"version": 1, "steps": [...]}``."""
        return {"version": 1, "steps": [s.to_dict() for s in self.steps]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | list[Any]) -> Recipe:
        """Inverse of :meth:`to_dict` (a bare list of steps is accepted too)."""
        steps = d if isinstance(d, list) else d.get("steps", [])
        if not isinstance(steps, list):
            raise SpecError("recipe 'steps' must be a list")
        return cls(Step.from_dict(s) for s in steps)

    def to_json(self) -> str:
        """JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        """Parse JSON text."""
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise SpecError(f"recipe is not valid JSON: {exc}") from None

    def to_yaml(self) -> str:
        """YAML text."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_yaml(cls, text: str) -> Recipe:
        """Parse YAML text."""
        try:
            return cls.from_dict(yaml.safe_load(text))
        except yaml.YAMLError as exc:
            raise SpecError(f"recipe is not valid YAML: {exc}") from None

