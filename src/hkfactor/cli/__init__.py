"""The ``hkfactor`` command. Thin adapters over the public API, one module per command group.

Subcommand modules are imported explicitly below; each registers its commands on ``app``.
"""

from __future__ import annotations

from hkfactor.cli import (
    _chain,  # noqa: F401  (registers `hkfactor chain`)
    _evaluate,  # noqa: F401  (registers `hkfactor evaluate`)
    _evidence,  # noqa: F401  (registers facts, entities, relations, timeline, audit, export)
    _panel,  # noqa: F401  (registers `hkfactor panel`)
    _serve,  # noqa: F401  (registers `hkfactor serve`)
)
from hkfactor.cli._common import app, argv_lang, fail
from hkfactor.errors import HKFactorError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``hkfactor`` console script."""
    try:
        app()
    except HKFactorError as exc:
        fail(exc, argv_lang())
