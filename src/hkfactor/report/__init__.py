"""Reports: self-contained, deterministic, bilingual HTML pages (a face: the core never imports it).

* :mod:`hkfactor.report.audit` — the audit of the paper's claims (``hkfactor audit --out DIR``).
* :mod:`hkfactor.report.evaluation` — the evaluation report (``hkfactor evaluate``).

Submodules are imported explicitly by their users; importing :mod:`hkfactor.report` is cheap.
"""

from __future__ import annotations

__all__: list[str] = []
