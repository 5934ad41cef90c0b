"""The recipe: an ordered, serialisable list of ``Step(step, method, params, by)``.

Rebuilding an :class:`~hkfactor.engine.Index` replays its recipe; uncertainty and sensitivity
analysis perturb the recipe and rebuild. Nothing is introspected from call stacks: what is
in the recipe is exactly what runs.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hkfactor._yaml import load_yaml
from hkfactor.engine.kernels import AGGREGATORS, IMPUTERS, NORMALISERS, TRANSFORMS, WEIGHTERS
from hkfactor.errors import InputError, MethodNotFoundError, Problem, SpecError

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


#: kind of every step-level parameter (method parameters are read from the kernel signatures)
_STEP_PARAM_KINDS: dict[tuple[str, str], str] = {
    ("denominate", "scale"): "numbers",
    ("denominate", "denominators"): "map_text",
    ("impute", "group"): "text",
    ("impute", "max_gap"): "number_or_none",
    ("screen", "dat_thresh"): "fraction",
    ("screen", "nonzero_thresh"): "fraction",
    ("screen", "force_keep"): "list_text",
    ("screen", "force_drop"): "list_text",
    ("treat", "winmax"): "numbers",
    ("treat", "skew_thresh"): "number",
    ("treat", "kurt_thresh"): "number",
    ("treat", "f2"): "text",
    ("treat", "f2_params"): "map",
    ("treat", "combine_treat"): "bool",
    ("treat", "force_win"): "bool",
    ("normalise", "per_year"): "bool",
    ("aggregate", "weights"): "weights",
    ("aggregate", "weighting"): "text",
    ("aggregate", "weighting_params"): "map",
    ("aggregate", "dat_thresh"): "fraction_or_none",
}
_ANNOTATION_KINDS = {
    "ArrayLike": "numbers",
    "float": "number",
    "float | None": "number_or_none",
    "int": "int_or_text",  # dist2ref's iref: a position or a unit code
    "bool": "bool",
    "str": "text",
}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _is_numbers(v: Any, depth: int = 0) -> bool:
    if _is_number(v):
        return True
    return isinstance(v, list | tuple) and depth < 3 and len(v) > 0 and all(_is_numbers(x, depth + 1) for x in v)


def _kind_ok(kind: str, v: Any) -> bool:
    if kind == "numbers":
        return _is_numbers(v) or hasattr(v, "dtype")
    if kind == "number":
        return _is_number(v)
    if kind == "number_or_none":
        return v is None or _is_number(v)
    if kind == "fraction":
        return _is_number(v) and 0 <= v <= 1
    if kind == "fraction_or_none":
        return v is None or (_is_number(v) and 0 <= v <= 1)
    if kind == "int_or_text":
        return isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))
    if kind == "bool":
        return isinstance(v, bool)
    if kind == "text":
        return isinstance(v, str)
    if kind == "map":
        return isinstance(v, Mapping)
    if kind == "map_text":
        return isinstance(v, Mapping) and all(isinstance(x, str) for x in v.values())
    if kind == "list_text":
        return isinstance(v, list | tuple) and all(isinstance(x, str) for x in v)
    if kind == "weights":
        return isinstance(v, str) or (
            isinstance(v, Mapping) and all(_is_number(x) and x >= 0 for x in v.values())
        )
    return True


_KIND_WORDS = {
    "numbers": "a finite number or a list of finite numbers",
    "number": "a finite number",
    "number_or_none": "a finite number or null",
    "fraction": "a number from 0 to 1",
    "fraction_or_none": "a number from 0 to 1 or null",
    "int_or_text": "a whole number or a unit code",
    "bool": "true or false",
    "text": "text",
    "map": "a mapping",
    "map_text": "a mapping of codes to column names",
    "list_text": "a list of unit codes",
    "weights": "a weight-set name or a mapping code → weight (finite, >= 0)",
}


def _check_params(step: str, method: str, params: Mapping[str, Any], where: str) -> None:
    """Check the type of every known parameter (SpecError naming it and what is expected)."""
    import inspect

    reg: Any = {"normalise": NORMALISERS, "aggregate": AGGREGATORS, "impute": IMPUTERS}.get(step)
    kinds: dict[str, str] = {}
    if reg is not None and method in reg:
        for p in inspect.signature(reg[method]).parameters.values():
            if p.kind == p.KEYWORD_ONLY and str(p.annotation) in _ANNOTATION_KINDS:
                kinds[p.name] = _ANNOTATION_KINDS[str(p.annotation)]
    for k, v in params.items():
        kind = _STEP_PARAM_KINDS.get((step, k)) or kinds.get(k)
        if kind is not None and not _kind_ok(kind, v):
            raise SpecError(f"{where}: parameter {k!r} must be {_KIND_WORDS[kind]}, got {v!r}")


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


def _kind(v: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(type(v), type(v).__name__)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a recipe accepts")


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
        if not isinstance(self.step, str) or self.step not in STAGES:
            raise MethodNotFoundError("recipe step", str(self.step), STEPS)
        if not isinstance(self.method, str):
            raise SpecError(f"step {self.step!r}: method must be text, got {self.method!r}")
        for what, v in (("params", self.params), ("by", self.by)):
            if not isinstance(v, Mapping):
                raise SpecError(f"step {self.step!r}: {what} must be a mapping, got {_kind(v)}")
        _check_method(self.step, self.method)
        object.__setattr__(self, "params", _jsonable(dict(self.params)))
        object.__setattr__(self, "by", _jsonable(dict(self.by)))
        unknown = set(self.params) - _KNOWN_PARAMS[self.step] - self._method_params()
        if unknown:
            raise SpecError(
                f"step {self.step!r} method {self.method!r}: unknown parameter(s) {', '.join(sorted(unknown))}"
            )
        _check_params(self.step, self.method, self.params, f"step {self.step!r} method {self.method!r}")
        for key, spec in self.by.items():
            if isinstance(spec, Mapping) and isinstance(spec.get("params", {}), Mapping):
                m = spec.get("method", self.method)
                if isinstance(m, str):
                    _check_params(self.step, m, spec.get("params", {}), f"step {self.step!r} exception {key!r}")
        if self.step == "aggregate" and "weighting" in self.params:
            WEIGHTERS[str(self.params["weighting"])]
        if self.step == "treat" and "f2" in self.params:
            TRANSFORMS[str(self.params["f2"])]
        for key, spec in self.by.items():
            if (not isinstance(spec, Mapping) or not set(spec) <= {"method", "params"}
                    or not isinstance(spec.get("method", ""), str) or not isinstance(spec.get("params", {}), Mapping)):
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
        """Inverse of :meth:`to_dict`.

        Every part is checked for its shape (``step`` and ``method`` text, ``params`` and
        ``by`` mappings, no other keys); a wrong shape is a :class:`SpecError`.
        """
        if not isinstance(d, Mapping):
            raise SpecError(f"a recipe step must be a mapping with 'step' and 'method', got {_kind(d)}")
        if "step" not in d or "method" not in d:
            raise SpecError(f"recipe step needs 'step' and 'method', got keys {sorted(map(str, d))}")
        extra = set(d) - {"step", "method", "params", "by"}
        if extra:
            raise SpecError(f"recipe step {d['step']!r}: unknown key(s) {', '.join(sorted(map(str, extra)))}; "
                            "expected step, method, params, by")
        for k in ("step", "method"):
            if not isinstance(d[k], str):
                raise SpecError(f"recipe step: {k!r} must be text, got {_kind(d[k])} {d[k]!r}")
        params, by = d.get("params") or {}, d.get("by") or {}
        for k, v in (("params", params), ("by", by)):
            if not isinstance(v, Mapping):
                raise SpecError(f"recipe step {d['step']!r}: {k!r} must be a mapping, got {_kind(v)}")
        return cls(d["step"], d["method"], dict(params), dict(by))


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
        """Inverse of :meth:`to_dict` (a bare list of steps is accepted too).

        A recipe that is not a mapping with a ``steps`` list (or a list), an unknown
        ``version`` or key, or a step of the wrong shape is a :class:`SpecError` naming the step.
        """
        if isinstance(d, list):
            steps: Any = d
        elif isinstance(d, Mapping):
            extra = set(d) - {"version", "steps"}
            if extra:
                raise SpecError(f"recipe: unknown key(s) {', '.join(sorted(map(str, extra)))}; expected version, steps")
            if d.get("version", 1) != 1 or isinstance(d.get("version"), bool):
                raise SpecError(f"recipe version {d.get('version')!r} is not supported; expected 1")
            if "steps" not in d:
                raise SpecError("recipe has no 'steps' list")
            steps = d["steps"]
        else:
            raise SpecError(f"a recipe must be a mapping with a 'steps' list, got {_kind(d)}")
        if not isinstance(steps, list):
            raise SpecError(f"recipe 'steps' must be a list, got {_kind(steps)}")
        out = []
        for i, s in enumerate(steps, 1):
            try:
                out.append(Step.from_dict(s))
            except SpecError as exc:
                raise type(exc)(f"recipe step {i}: {exc}") if type(exc) is SpecError else exc from None
        return cls(out)

    def to_json(self) -> str:
        """JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        """Parse JSON text (``NaN``/``Infinity`` refused)."""
        try:
            return cls.from_dict(json.loads(text, parse_constant=_no_constant))
        except json.JSONDecodeError as exc:
            raise SpecError(f"recipe is not valid JSON: {exc}") from None
        except (ValueError, RecursionError) as exc:
            raise SpecError(f"recipe is not valid JSON: {exc}") from None

    def to_yaml(self) -> str:
        """YAML text."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_yaml(cls, text: str, *, file: str = "recipe") -> Recipe:
        """Parse YAML text strictly (:func:`hkfactor._yaml.load_yaml`: no duplicate keys,
        aliases or anchors); syntax problems are an :class:`~hkfactor.errors.InputError`
        naming ``file`` and the line."""
        return cls.from_dict(load_yaml(text, file=file))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Recipe:
        """Read a ``.json`` or ``.yaml``/``.yml`` recipe file.

        Raises
        ------
        InputError
            The file is missing, a folder, not UTF-8, empty or not valid JSON/YAML (naming the
            file and line).
        SpecError
            The content has the wrong shape (the message starts with the file name).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.yaml"
        >>> _ = p.write_text("steps:\\n- {step: normalise, method: minmax}\\n", encoding="utf-8")
        >>> Recipe.from_file(p)
        Recipe(normalise:minmax)
        """
        p = Path(path)
        name = str(p)
        suffix = p.suffix.lower()
        if suffix not in {".json", ".yaml", ".yml"}:
            raise InputError([Problem(name, None, None, f"a recipe file must end in .json, .yaml or .yml, not {suffix or '(none)'!r}")],
                             title="invalid recipe file")
        if suffix == ".json":
            try:
                raw = p.read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                raise InputError([Problem(name, None, None, "file not found")], title="invalid recipe file") from None
            except OSError as exc:
                raise InputError([Problem(name, None, None, f"cannot read file: {exc.strerror or exc}")],
                                 title="invalid recipe file") from None
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InputError([Problem(name, None, None, f"not UTF-8 text (undecodable byte at offset {exc.start})",
                                          line=raw[: exc.start].count(b"\n") + 1)], title="invalid recipe file") from None
            try:
                data = json.loads(text, parse_constant=_no_constant)
            except json.JSONDecodeError as exc:
                raise InputError([Problem(name, None, None, f"not valid JSON: {exc.msg}", line=exc.lineno)],
                                 title="invalid recipe file") from None
            except (ValueError, RecursionError) as exc:
                raise InputError([Problem(name, None, None, f"not valid JSON: {exc}")], title="invalid recipe file") from None
        else:
            data = load_yaml(p, file=name)
        if data is None or (isinstance(data, str) and not data.strip()):
            raise InputError([Problem(name, None, None, "the recipe file is empty; expected a 'steps' list")],
                             title="invalid recipe file")
        try:
            return cls.from_dict(data)
        except SpecError as exc:
            if type(exc) is SpecError:
                raise SpecError(f"{name}: {exc}") from None
            raise

