"""hkfactor — the Hong Kong factor in Shenzhen's innovation, made measurable.

The top level re-exports a handful of names; everything else lives in its subpackage:

* :mod:`hkfactor.evidence` — the paper's claims, actors, relations and timeline as data.
* :mod:`hkfactor.engine` — the composite-index engine (:class:`~hkfactor.engine.Index`).
* :mod:`hkfactor.methods` — the regional-studies methods as plain functions.

and :func:`read_table` (with its :class:`Table`) and :func:`detect_layout` (with its
:class:`Layout`): the one reader of users' CSV/Excel tables (``docs/reading-data.md``).
"""

from __future__ import annotations

from hkfactor._table import Layout, Table, detect_layout, read_table
from hkfactor.errors import HKFactorError, InputError, SpecError

__all__ = [
    "HKFactorError",
    "InputError",
    "Layout",
    "SpecError",
    "Table",
    "__version__",
    "detect_layout",
    "read_table",
]
__version__ = "0.1.0"
