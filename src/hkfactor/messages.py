"""Messages as data: one catalogue of zh / en texts, rendered at the edge.

The core never builds prose. A decision it takes or a problem it finds is a typed record — a
:class:`Message` with a catalogue ``code``, the ``subject`` it is about and its ``params`` — and a
face (CLI, report, web) renders it in the reader's language with :func:`render`. Tests assert on
codes and parameters, not on wording.

Modules add their texts to :data:`CATALOGUE` explicitly with :func:`register` at import time (no
discovery); a code registered twice with different texts is an error, so two modules cannot
silently disagree about what a code means.

Examples
--------
>>> register({"demo.dropped": ("dropped {n} rows of {file}", "删除了 {file} 的 {n} 行")})
>>> m = Message("demo.dropped", "data.csv", {"n": 3, "file": "data.csv"})
>>> m.render("en")
'dropped 3 rows of data.csv'
>>> m.render("zh")
'删除了 data.csv 的 3 行'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["CATALOGUE", "LANGS", "Lang", "Message", "register", "render"]

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = ("en", "zh")

#: code → (English template, Chinese template); ``str.format`` placeholders name the params
CATALOGUE: dict[str, tuple[str, str]] = {}

_FORMATTER = string.Formatter()


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in _FORMATTER.parse(template) if f}


def register(entries: Mapping[str, tuple[str, str]]) -> None:
    """Add ``code → (en, zh)`` templates to the catalogue.

    Both templates must name the same placeholders. Re-registering a code with the same texts is
    a no-op (modules may be re-imported); with other texts it raises ``ValueError``.
    """
    for code, pair in entries.items():
        en, zh = pair
        if _fields(en) != _fields(zh):
            raise ValueError(f"message {code!r}: en and zh templates name different fields")
        old = CATALOGUE.get(code)
        if old is not None and old != (en, zh):
            raise ValueError(f"message {code!r} registered twice with different texts")
        CATALOGUE[code] = (en, zh)


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fmt(v: Any, lang: str) -> Any:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        sep = "、" if lang == "zh" else ", "
        return sep.join(str(_fmt(x, lang)) for x in v)
    if isinstance(v, Message):
        return v.render(lang)
    if isinstance(v, dict) and set(v) == {"en", "zh"}:
        return v[lang]
    return v


def render(code: str, params: Mapping[str, Any] | None = None, lang: str = "en") -> str:
    """The text of ``code`` in ``lang`` (``"en"`` or ``"zh"``) with ``params`` filled in.

    A parameter that is a ``{"en": …, "zh": …}`` mapping is taken in the language asked for; a
    list is joined; a float is shown with four significant digits. An unknown code renders as the
    code and its parameters, so nothing is ever lost.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    pair = CATALOGUE.get(code)
    values = _Lenient({k: _fmt(v, lang) for k, v in (params or {}).items()})
    if pair is None:
        inner = ", ".join(f"{k}={v}" for k, v in values.items())
        return f"{code}({inner})" if inner else code
    return _FORMATTER.vformat(pair[0] if lang == "en" else pair[1], (), values)


@dataclass(frozen=True)
class Message:
    """One decision, note or problem as data.

    Parameters
    ----------
    code : str
        Catalogue key, e.g. ``"span.chosen"``; its family (before the first dot) is its kind.
    subject : str
        What it is about: an indicator, a unit, a file, a year range (``""`` when global).
    params : Mapping[str, Any]
        The values the texts name; plain JSON-able values.
    """

    code: str
    subject: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def kind(self) -> str:
        """The code's family: ``"span"`` for ``"span.chosen"``."""
        return self.code.split(".", 1)[0]

    def render(self, lang: str = "en") -> str:
        """The text in ``lang``."""
        return render(self.code, self.params, lang)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form: code, kind, subject, params."""
        return {"code": self.code, "kind": self.kind, "subject": self.subject, "params": dict(self.params)}

    def __reduce__(self) -> tuple[Any, ...]:  # MappingProxyType does not pickle
        return (Message, (self.code, self.subject, dict(self.params)))
