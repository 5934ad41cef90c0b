"""Every message code the source uses is in the catalogue, with an English and a Chinese text."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import hkfactor
from hkfactor.messages import CATALOGUE, render

SRC = Path(hkfactor.__file__).resolve().parent
#: how the source names a code: Message("x.y", …), Problem(…, code="x.y") and a reason ("x.y", {params})
USES = re.compile(r'Message\(\s*"([a-z_]+\.[a-z_]+)"|code="([a-z_]+\.[a-z_]+)"|\(\s*"([a-z_]+\.[a-z_]+)",\s*\{')
CJK = re.compile(r"[\u4e00-\u9fff]")
FILE_SUFFIXES = {"json", "csv", "yaml", "yml", "html", "xlsx", "svg", "md", "py", "txt"}


def _import_everything() -> None:
    """Import every module of hkfactor: modules register their texts at import time."""
    for mod in pkgutil.walk_packages([str(SRC)], prefix="hkfactor."):
        if mod.name.endswith("__main__"):
            continue
        importlib.import_module(mod.name)


def _sources() -> dict[Path, str]:
    # messages.py itself is left out: its docstring example registers a demo code of its own
    return {p: p.read_text(encoding="utf-8") for p in sorted(SRC.rglob("*.py")) if p.name != "messages.py"}


def _used() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    texts = _sources()
    for p, text in texts.items():
        for m in USES.finditer(text):
            out.setdefault(m.group(1) or m.group(2) or m.group(3), []).append(p.relative_to(SRC).as_posix())
    # the same families also pass codes as plain literals to helpers (bad("…"), add("…"), ("reason.x", {…}))
    families = {c.split(".")[0] for c in out}
    literal = re.compile(r'"((?:' + "|".join(sorted(families)) + r')\.[a-z_]+)"')
    for p, text in texts.items():
        for m in literal.finditer(text):
            if m.group(1).rsplit(".", 1)[1] not in FILE_SUFFIXES:  # "recipe.json" is a file name
                out.setdefault(m.group(1), []).append(p.relative_to(SRC).as_posix())
    return out


def test_every_code_used_is_registered_in_both_languages() -> None:
    _import_everything()
    used = _used()
    assert len(used) >= 40, sorted(used)  # the grep finds the codes (a guard against a broken pattern)
    missing = {c: files for c, files in used.items() if c not in CATALOGUE}
    assert not missing, missing
    for code in used:
        en, zh = CATALOGUE[code]
        assert en.strip() and zh.strip(), code
        assert CJK.search(zh), (code, zh)  # the Chinese text is Chinese
        assert render(code, {}, "en") != code and render(code, {}, "zh") != code


@pytest.mark.parametrize("kind", ["constant", "gaps"])
def test_codes_built_from_a_kind_are_registered(kind: str) -> None:
    """_prepare builds drop.<kind> and reason.<kind> from the reason of a removal."""
    _import_everything()
    assert f"drop.{kind}" in CATALOGUE and f"reason.{kind}" in CATALOGUE


def test_catalogue_entries_name_the_same_fields_in_both_languages() -> None:
    import string

    _import_everything()
    fmt = string.Formatter()
    for code, (en, zh) in CATALOGUE.items():
        fields_en = {f for _t, f, _s, _c in fmt.parse(en) if f}
        fields_zh = {f for _t, f, _s, _c in fmt.parse(zh) if f}
        assert fields_en == fields_zh, code
