"""The import contracts in ``.importlinter`` cover every private module of the core.

``make lint`` runs import-linter; this test keeps its list of private modules complete, so a new
``_module.py`` in the core is forbidden to the faces without anyone having to remember it.
"""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACES = ("cli", "report", "web")


def _private_core_modules() -> set[str]:
    out = set()
    for p in (ROOT / "src" / "hkfactor").rglob("_*.py"):
        if p.name in ("__init__.py", "__main__.py"):
            continue
        parts = p.relative_to(ROOT / "src").with_suffix("").parts
        if parts[1] not in FACES:
            out.add(".".join(parts))
    return out


def test_every_private_core_module_is_forbidden_to_the_faces() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / ".importlinter", encoding="utf-8")
    listed = set(cfg["importlinter:contract:faces-import-public-names"]["forbidden_modules"].split())
    missing = sorted(_private_core_modules() - listed)
    assert not missing, f"add these to .importlinter (faces-import-public-names): {missing}"


def test_every_face_is_forbidden_to_the_core() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / ".importlinter", encoding="utf-8")
    forbidden = set(cfg["importlinter:contract:core-never-imports-a-face"]["forbidden_modules"].split())
    present = {f"hkfactor.{f}" for f in FACES if (ROOT / "src" / "hkfactor" / f).is_dir()}
    assert present <= forbidden
