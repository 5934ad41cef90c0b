"""The built-in data the web face shows, loaded once and kept read-only.

Everything here is computed from the public API the first time it is asked for (under a lock,
so concurrent first requests load it once) and cached for the life of the server: the evidence
and its audit, the chain graph with its stage layout and measures, the resolved panel with its
coverage, and the download files.
"""

from __future__ import annotations

import io
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hkfactor.io import neutralise_frame

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from hkfactor.evidence import Evidence
    from hkfactor.evidence.audit import AuditResult
    from hkfactor.panel import Panel

__all__ = ["Store"]


class Store:
    """Lazily loaded, cached built-in data (one per application).

    Examples
    --------
    >>> from hkfactor.web._state import Store
    >>> Store().graph.number_of_nodes() > 50            # doctest: +SKIP
    True
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def _once(self, name: str, build: Any) -> Any:
        """The cached value ``name``, built by ``build()`` the first time (thread-safe)."""
        cache = self.__dict__.setdefault("_cache", {})
        if name in cache:
            return cache[name]
        with self._lock:
            if name not in cache:
                cache[name] = build()
            return cache[name]

    def warm(self) -> None:
        """Load everything the pages need (called once when the server starts)."""
        for name in ("evidence", "audit", "claims", "graph", "layout", "panel", "coverage", "coverage_summary",
                     "series_meta"):
            getattr(self, name)
        self.measures("side")

    # ------------------------------------------------------------------ evidence
    @property
    def evidence(self) -> Evidence:
        from hkfactor.evidence import load

        return self._once("evidence", load)

    @property
    def audit(self) -> AuditResult:
        return self._once("audit", lambda: self.evidence.audit_)

    @property
    def claims(self) -> pd.DataFrame:
        """All claims with their status, audit detail and checks (claim order)."""

        def build() -> pd.DataFrame:
            df = self.evidence.facts()
            a = self.audit.claims.set_index("claim_id")[["detail_zh", "detail_en", "checks"]]
            return df.join(a, on="id")

        return self._once("claims", build)

    @property
    def sources(self) -> dict[str, Any]:
        """Source records by id."""
        return self._once("sources", lambda: {s.id: s for s in self.evidence.records.sources})

    @property
    def geographies(self) -> dict[str, Any]:
        return self._once("geographies", lambda: {g.id: g for g in self.evidence.records.geographies})

    # ------------------------------------------------------------------ chain
    @property
    def graph(self) -> nx.MultiDiGraph:
        from hkfactor.chain import from_evidence

        return self._once("graph", lambda: from_evidence(self.evidence))

    @property
    def layout(self) -> Any:
        from hkfactor.chain import chain_layout

        return self._once("layout", lambda: chain_layout(self.graph, per_column=8))

    def measures(self, by: str) -> pd.DataFrame:
        """Degree, betweenness and brokerage (groups ``by``), labels in English; cached per grouping."""
        from hkfactor.chain import measures

        return self._once(f"measures:{by}", lambda: measures(self.graph, by=by, lang="en"))

    # ------------------------------------------------------------------ panel
    @property
    def panel(self) -> Panel:
        from hkfactor.panel import build

        return self._once("panel", build)

    @property
    def coverage(self) -> pd.DataFrame:
        from hkfactor.panel import coverage

        def build() -> pd.DataFrame:
            # hkfactor.panel.coverage fills all-missing year columns (float) with "" and pandas warns
            # about it; the table it returns is right, so the warning is silenced here only.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*not supported as a fill value.*")
                return coverage(self.panel)

        return self._once("coverage", build)

    @property
    def coverage_summary(self) -> pd.DataFrame:
        from hkfactor.panel import coverage_summary

        return self._once("coverage_summary", lambda: coverage_summary(self.panel))

    @property
    def series_meta(self) -> dict[str, dict[str, Any]]:
        """Series definitions by code (empty fields as ``""``)."""

        def build() -> dict[str, dict[str, Any]]:
            s = self.panel.series
            out: dict[str, dict[str, Any]] = {}
            for rec in s.to_dict("records"):
                out[str(rec["code"])] = {str(k): ("" if _missing(v) else v) for k, v in rec.items()}
            for code in sorted(set(self.panel.cells["series"]) - set(out)):
                out[code] = {"code": code}
            return out

        return self._once("series_meta", build)

    # ------------------------------------------------------------------ downloads
    def download_frame(self, what: str) -> pd.DataFrame:
        """The table behind a download: ``panel``, ``observations`` or ``coverage``."""
        p = self.panel
        if what == "panel":
            return p.cells.copy()
        if what == "observations":
            return p.observations.drop(columns=[c for c in ("file", "row") if c in p.observations.columns])
        return self.coverage.reset_index()

    def download(self, what: str, fmt: str) -> bytes:
        """Bytes of a download (cached): CSV is UTF-8 with a byte-order mark so that Excel reads Chinese."""

        def build() -> bytes:
            if what == "datapackage":
                return self._datapackage_zip()
            df = neutralise_frame(self.download_frame(what), index=False)  # no cell becomes a formula
            if fmt == "csv":
                return ("\ufeff" + df.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")
            buf = io.BytesIO()
            with pd.ExcelWriter(buf, engine="openpyxl") as xw:
                df.to_excel(xw, index=False, sheet_name=what[:31])
            return buf.getvalue()

        return self._once(f"download:{what}:{fmt}", build)

    def _datapackage_zip(self) -> bytes:
        with tempfile.TemporaryDirectory(prefix="hkfactor-web-dp-") as tmp:
            self.panel.to_datapackage(Path(tmp) / "datapackage")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted((Path(tmp) / "datapackage").rglob("*")):
                    if f.is_file():
                        zf.write(f, f"hkfactor-panel/{f.relative_to(Path(tmp) / 'datapackage').as_posix()}")
            return buf.getvalue()


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)
