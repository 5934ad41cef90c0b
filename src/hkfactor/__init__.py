"""hkfactor — the Hong Kong factor in Shenzhen's innovation, made measurable.

The top level re-exports a handful of names; everything else lives in its subpackage:

* :mod:`hkfactor.evidence` — the paper's claims, actors, relations and timeline as data.
* :mod:`hkfactor.engine` — the composite-index engine (:class:`~hkfactor.engine.Index`).
* :mod:`hkfactor.methods` — the regional-studies methods as plain functions.
"""

from __future__ import annotations

from hkfactor.errors import HKFactorError, InputError, SpecError

__all__ = ["HKFactorError", "InputError", "SpecError", "__version__"]
__version__ = "0.1.0"
