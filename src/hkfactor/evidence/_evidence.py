"""The :class:`Evidence` object: typed records, DataFrames, filters and SQL over them."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hkfactor.errors import SpecError
from hkfactor.evidence._loader import DATA_DIR, LoadedRecords, load_records
from hkfactor.evidence.model import (
    Claim,
    ClaimSeries,
    Corroboration,
    Derivation,
    Entity,
    Event,
    Geography,
    Observation,
    Relation,
    Source,
)

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from hkfactor.evidence.audit import AuditResult

__all__ = ["TABLE_NAMES", "Evidence", "Records", "load"]

#: names of the tables :meth:`Evidence.table` and :meth:`Evidence.connect` expose
TABLE_NAMES = (
    "sources",
    "geographies",
    "claims",
    "entities",
    "relations",
    "events",
    "observations",
    "corroborations",
    "claim_series",
    "derivations",
)

_RECORD_TYPES: dict[str, type] = {
    "sources": Source,
    "geographies": Geography,
    "claims": Claim,
    "entities": Entity,
    "relations": Relation,
    "events": Event,
    "observations": Observation,
    "corroborations": Corroboration,
    "claim_series": ClaimSeries,
    "derivations": Derivation,
}


@dataclass(frozen=True)
class Records:
    """The typed records of an evidence base, one tuple per table, in file and row order."""

    sources: tuple[Source, ...] = ()
    geographies: tuple[Geography, ...] = ()
    claims: tuple[Claim, ...] = ()
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    events: tuple[Event, ...] = ()
    observations: tuple[Observation, ...] = ()
    corroborations: tuple[Corroboration, ...] = ()
    claim_series: tuple[ClaimSeries, ...] = ()
    derivations: tuple[Derivation, ...] = ()


def _frame(records: Sequence[Any], cls: type) -> pd.DataFrame:
    cols = [f.name for f in dataclasses.fields(cls)]
    # records hold scalars and tuples of str only (no nested dataclasses), so a shallow read
    # equals dataclasses.asdict at a fraction of its cost
    rows = [[";".join(v) if isinstance(v, tuple) else v for v in map(rec.__getattribute__, cols)]
            for rec in records]
    df = pd.DataFrame(rows, columns=cols)
    for f in dataclasses.fields(cls):
        if f.type in {"float", "float | None"}:
            df[f.name] = pd.to_numeric(df[f.name]).astype("float64")
        elif f.type == "int":
            df[f.name] = df[f.name].astype("int64")
        else:
            df[f.name] = df[f.name].astype(object).where(df[f.name].notna(), None).astype("str")
    return df


def _year_range(start: str, end: str) -> tuple[int, int] | None:
    a = int(start[:4]) if start else None
    b = int(end[:4]) if end else None
    if a is None and b is None:
        return None
    return (a if a is not None else b, b if b is not None else a)  # type: ignore[return-value]


class Evidence:
    """A validated evidence base.

    Build it with :func:`load`. Typed records are in :attr:`records`; each table is also a
    :class:`pandas.DataFrame` attribute (``claims``, ``sources``, ``entities``, ``relations``,
    ``events``, ``observations``, ``corroborations``, ``claim_series``, ``derivations``,
    ``geographies``) whose
    id lists are ``;``-joined strings. ``claims`` and ``observations`` carry the normalised
    ``value`` and canonical ``unit``.

    Examples
    --------
    >>> from hkfactor.evidence import load
    >>> ev = load()
    >>> ev.facts(geography="QH", text="2/3")[["printed_value", "value", "status"]].to_dict("records")
    [{'printed_value': '2/3', 'value': 0.6666666666666666, 'status': 'conflicts'}]
    >>> ev.sql("select count(*) as n from claims where unit = 'CNY' and value >= 1e11")["n"].iloc[0] > 0
    np.True_
    """

    def __init__(self, records: Records, *, root: Path | None = None, files: Iterable[str] = ()) -> None:
        self.records = records
        self.root = root
        self.files = tuple(files)

    # ------------------------------------------------------------------ tables
    def table(self, name: str) -> pd.DataFrame:
        """The DataFrame of one table (a fresh copy)."""
        if name not in TABLE_NAMES:
            raise SpecError(f"unknown evidence table {name!r}; valid: {', '.join(TABLE_NAMES)}")
        return self._frames[name].copy()

    @functools.cached_property
    def _frames(self) -> dict[str, pd.DataFrame]:
        return {n: _frame(getattr(self.records, n), _RECORD_TYPES[n]) for n in TABLE_NAMES}

    @property
    def sources(self) -> pd.DataFrame:
        return self.table("sources")

    @property
    def geographies(self) -> pd.DataFrame:
        return self.table("geographies")

    @property
    def claims(self) -> pd.DataFrame:
        return self.table("claims")

    @property
    def entities(self) -> pd.DataFrame:
        return self.table("entities")

    @property
    def relations(self) -> pd.DataFrame:
        return self.table("relations")

    @property
    def events(self) -> pd.DataFrame:
        return self.table("events")

    @property
    def observations(self) -> pd.DataFrame:
        return self.table("observations")

    @property
    def corroborations(self) -> pd.DataFrame:
        return self.table("corroborations")

    @property
    def claim_series(self) -> pd.DataFrame:
        return self.table("claim_series")

    @property
    def derivations(self) -> pd.DataFrame:
        return self.table("derivations")

    # ------------------------------------------------------------------ lookups
    @functools.cached_property
    def _by_id(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n in TABLE_NAMES:
            for rec in getattr(self.records, n):
                out[rec.id] = rec
        return out

    def get(self, record_id: str) -> Any:
        """The record with this id (any table); :class:`SpecError` if there is none."""
        try:
            return self._by_id[record_id]
        except KeyError:
            raise SpecError(f"no evidence record with id {record_id!r}") from None

    def source(self, source_id: str) -> Source:
        """The source with this id."""
        rec = self.get(source_id)
        if not isinstance(rec, Source):
            raise SpecError(f"{source_id!r} is not a source id")
        return rec

    # ------------------------------------------------------------------ audit & facts
    @functools.cached_property
    def audit_(self) -> AuditResult:
        """The audit of this evidence (computed once, see :func:`hkfactor.evidence.audit.audit`)."""
        from hkfactor.evidence.audit import audit

        return audit(self)

    # ------------------------------------------------------------------ filter vocabularies
    def _channels(self, given: str | Sequence[str]) -> set[str]:
        from hkfactor.evidence._schema import ENUMS
        from hkfactor.evidence.vocab import match_codes

        return set(match_codes("channel", given, valid=ENUMS["channel"]))

    def resolve_entity(self, name: str) -> str:
        """The entity id for an id or a Chinese/English name (as ``hkfactor chain path`` reads them).

        Raises
        ------
        InputError
            No entity, or more than one, matches; the message lists candidates.

        Examples
        --------
        >>> from hkfactor.evidence import load
        >>> load().resolve_entity("大疆")
        'E-DJI'
        """
        from hkfactor.evidence.vocab import resolve_name

        return resolve_name(((e.id, e.name_zh, e.name_en) for e in self.records.entities), name,
                            where="entities", what="entity")

    def facts(
        self,
        *,
        channel: str | Sequence[str] | None = None,
        year: int | None = None,
        geography: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        text: str | None = None,
    ) -> pd.DataFrame:
        """The claims, filtered, with their audit ``status``.

        Parameters
        ----------
        channel, geography, status : str or sequence of str, optional
            Keep claims whose value is one of these. Each value is a code in any case
            (``"trade"``, ``"sz"``, ``"conflicts"``) or its Chinese or English label
            (``"贸易"``, ``"深圳市"``, ``"与独立来源冲突"``); strings may be comma-separated
            lists. An empty sequence keeps nothing.
        year : int, optional
            Keep claims whose period covers this year (``period_start``..``period_end``; a
            claim with one date covers that year; ``undated`` claims never match).
        text : str, optional
            Case-insensitive substring of the id, measure (zh/en), printed value, locator or note.

        Returns
        -------
        pandas.DataFrame
            The ``claims`` columns plus ``status``, in claim order.

        Raises
        ------
        SpecError
            For a channel, geography or status that cannot exist; the message lists the
            valid values.
        """
        from hkfactor.evidence.audit import STATUSES
        from hkfactor.evidence.vocab import match_codes, match_values

        channels = self._channels(channel) if channel is not None else None
        geos = None
        if geography is not None:
            names = {g.id: [g.name_zh, g.name_en] for g in self.records.geographies}
            for c in self.records.claims:  # a folder without geographies.csv still filters by code
                names.setdefault(c.geography, [])
            geos = set(match_values(geography, names, what="geography"))
        statuses = set(match_codes("status", status, valid=STATUSES)) if status is not None else None
        df = self.claims
        st = self.audit_.claims.set_index("claim_id")["status"]
        df["status"] = df["id"].map(st).fillna("unverified").astype("str")

        keep = pd.Series(True, index=df.index)
        if channels is not None:
            keep &= df["channel"].isin(channels)
        if geos is not None:
            keep &= df["geography"].isin(geos)
        if statuses is not None:
            keep &= df["status"].isin(statuses)
        if year is not None:
            spans = [_year_range(a, b) for a, b in zip(df["period_start"], df["period_end"], strict=True)]
            keep &= pd.Series([s is not None and s[0] <= year <= s[1] for s in spans], index=df.index, dtype=bool)
        if text:
            t = text.casefold()
            hay = (df["id"] + "\n" + df["measure_zh"] + "\n" + df["measure_en"] + "\n" + df["printed_value"] + "\n"
                   + df["locator"] + "\n" + df["note"]).str.casefold()
            keep &= hay.str.contains(t, regex=False)
        return df[keep].reset_index(drop=True)

    def timeline(
        self, *, channel: str | Sequence[str] | None = None, start: int | None = None, end: int | None = None
    ) -> pd.DataFrame:
        """The events in date order, with ``year_start``/``year_end`` of their date or span.

        Parameters
        ----------
        channel : str or sequence of str, optional
            Keep events of these channels (codes in any case, or Chinese/English labels;
            comma-separated lists accepted).
        start, end : int, optional
            Keep events that overlap the years ``start``..``end``.

        Raises
        ------
        SpecError
            For an unknown channel, or ``start`` after ``end``.
        """
        channels = self._channels(channel) if channel is not None else None
        if start is not None and end is not None and start > end:
            raise SpecError(f"the first year ({start}, --from) is after the last year ({end}, --to)")
        df = self.events
        if df.empty:
            df["year_start"] = pd.Series(dtype="int64")
            df["year_end"] = pd.Series(dtype="int64")
            return df
        a, _, b = df["date"].str.partition("/").T.values
        df["year_start"] = pd.Series(a).str[:4].astype("int64").to_numpy()
        df["year_end"] = pd.Series([y or x for x, y in zip(a, b, strict=True)]).str[:4].astype("int64").to_numpy()
        keep = pd.Series(True, index=df.index)
        if channels is not None:
            keep &= df["channel"].isin(channels)
        if start is not None:
            keep &= df["year_end"] >= start
        if end is not None:
            keep &= df["year_start"] <= end
        df = df[keep].copy()
        df["_key"] = df["date"].str.split("/").str[0]
        return df.sort_values(["_key", "id"], kind="stable").drop(columns="_key").reset_index(drop=True)

    def find_entities(
        self,
        *,
        type: str | Sequence[str] | None = None,  # the column's name (shadows the builtin here only)
        side: str | Sequence[str] | None = None,
        channel: str | Sequence[str] | None = None,
        text: str | None = None,
    ) -> pd.DataFrame:
        """The entities (actors), filtered.

        Parameters
        ----------
        type, side, channel : str or sequence of str, optional
            Keep entities whose value is one of these: codes in any case (``"firm"``,
            ``"hk"``) or Chinese/English labels (``"企业"``, ``"香港"``); strings may be
            comma-separated lists.
        text : str, optional
            Case-insensitive substring of the id or a name.

        Raises
        ------
        SpecError
            For a type, side or channel that cannot exist; the message lists the valid values.

        Examples
        --------
        >>> from hkfactor.evidence import load
        >>> load().find_entities(side="hk", type="高校")["id"].head(2).tolist()
        ['E-HKUST', 'E-HKBU']
        """
        from hkfactor.evidence._schema import ENUMS
        from hkfactor.evidence.vocab import match_codes

        types = set(match_codes("entity_type", type, valid=ENUMS["entity_type"], what="entity type")) \
            if type is not None else None
        sides = set(match_codes("side", side, valid=ENUMS["side"])) if side is not None else None
        channels = self._channels(channel) if channel is not None else None
        df = self.entities
        keep = pd.Series(True, index=df.index)
        if types is not None:
            keep &= df["type"].isin(types)
        if sides is not None:
            keep &= df["side"].isin(sides)
        if channels is not None:
            keep &= df["channel"].isin(channels)
        if text:
            hay = (df["id"] + "\n" + df["name_zh"] + "\n" + df["name_en"]).str.casefold()
            keep &= hay.str.contains(text.casefold(), regex=False)
        return df[keep].reset_index(drop=True)

    def find_relations(
        self, *, entity: str | Sequence[str] | None = None, predicate: str | Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The relations, filtered.

        Parameters
        ----------
        entity : str or sequence of str, optional
            Keep relations whose subject or object is one of these entities, each an id or a
            Chinese/English name (see :meth:`resolve_entity`); comma-separated lists accepted.
        predicate : str or sequence of str, optional
            Keep relations with these predicates (codes in any case, or Chinese/English labels).

        Raises
        ------
        InputError
            For an entity that matches no id or name, or more than one.
        SpecError
            For a predicate that cannot exist; the message lists the valid ones.

        Examples
        --------
        >>> from hkfactor.evidence import load
        >>> ev = load()
        >>> ev.find_relations(entity="大疆").equals(ev.find_relations(entity="E-DJI"))
        True
        """
        from hkfactor.evidence._schema import ENUMS
        from hkfactor.evidence.vocab import match_codes, split_values

        ids = {self.resolve_entity(x) for x in split_values(entity)} if entity is not None else None
        preds = set(match_codes("predicate", predicate, valid=ENUMS["predicate"])) if predicate is not None else None
        df = self.relations
        keep = pd.Series(True, index=df.index)
        if ids is not None:
            keep &= df["subject"].isin(ids) | df["object"].isin(ids)
        if preds is not None:
            keep &= df["predicate"].isin(preds)
        return df[keep].reset_index(drop=True)

    # ------------------------------------------------------------------ writing
    def save(self, folder: str | Path) -> list[Path]:
        """Write the evidence as a folder that :func:`load` reads back: the same layout as the built-in one.

        Every file the evidence was read from is written again under its own relative name
        (``claims.csv``, ``sources/paper.csv``, ``observations/panel_trade.csv``, …) with
        exactly the columns of its file kind (no normalised values, no ``file``/``row``),
        in UTF-8 without a byte-order mark, LF line ends, rows in their original order. A
        table read from no file gets a header-only file when it is a single file. The
        panel's ``series.csv`` and ``breaks.csv`` (and the city-centre tables ``city_coordinates*.csv``)
        are copied when the source folder has them. Text cells are formula-safe
        (:func:`hkfactor._io.neutralise_cell`; the loader undoes it, so a round trip is exact).

        The folder is written as one unit (:func:`hkfactor._io.write_folder_atomically`):
        readers see the old folder or the new one, never a mixture. An existing folder is
        replaced only when it is empty, was written by hkfactor, or holds only files of the
        new output; a folder with other files is an :class:`~hkfactor.errors.InputError`
        (nothing is touched).

        Returns
        -------
        list of Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> from hkfactor.evidence import load
        >>> ev = load()
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = ev.save(d)
        ...     load(d).records == ev.records
        True
        """
        import shutil

        from hkfactor._io import write_csv, write_folder_atomically
        from hkfactor.evidence._schema import TABLES

        out = Path(folder)
        written: list[Path] = []
        rels: list[str] = []
        with write_folder_atomically(out) as stage:
            for spec in TABLES:
                df = self._frames[spec.name]
                cols = list(spec.column_names)
                files = list(dict.fromkeys(df["file"])) if len(df) else []
                if not files and not spec.many:
                    files = [spec.path]
                for rel in files:
                    part = df[df["file"] == rel][cols] if len(df) else pd.DataFrame(columns=cols)
                    write_csv(part, stage / rel, encoding="utf-8", float_format="%.10g")
                    rels.append(rel)
            if self.root is not None:
                extras = ["series.csv", "breaks.csv", *sorted(p.name for p in self.root.glob("city_coordinates*.csv"))]
                for extra in extras:
                    src = self.root / extra
                    if src.is_file():
                        shutil.copyfile(src, stage / extra)
                        rels.append(extra)
        written = [out / r for r in rels]
        return written

    # ------------------------------------------------------------------ SQL
    def connect(self) -> duckdb.DuckDBPyConnection:
        """A new in-memory DuckDB database holding every table.

        Tables: the ten evidence tables (:data:`TABLE_NAMES`), ``claim_sources``
        (``claim_id``, ``source_id``: one row per cited source) and the audit's
        ``audit_claims``, ``audit_derivations`` and ``audit_corroborations``. Nothing is written
        to disk; the CSV files remain the single source of truth.
        """
        import duckdb

        links = pd.DataFrame(
            [(c.id, s) for c in self.records.claims for s in c.source_ids], columns=["claim_id", "source_id"]
        ).astype("str")
        tables = {**self._frames, "claim_sources": links, "audit_claims": self.audit_.claims,
                  "audit_derivations": self.audit_.derivations, "audit_corroborations": self.audit_.corroborations}
        con = duckdb.connect(":memory:")
        for name, df in tables.items():
            con.register("_df", df)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _df')
            con.unregister("_df")
        return con

    def sql(self, query: str) -> pd.DataFrame:
        """Run a SQL query over the tables (see :meth:`connect`) and return a DataFrame.

        The query runs in a fresh in-memory database with DuckDB's external access switched
        off: it can read and reshape the tables but cannot read or write files (``COPY``,
        ``read_csv``, ``ATTACH`` are refused). A statement that returns no rows (``CREATE``,
        ``DROP`` on the in-memory copy) gives an empty DataFrame.

        Raises
        ------
        SpecError
            When DuckDB rejects the query (the message is DuckDB's).
        """
        import duckdb

        con = self.connect()
        con.execute("SET enable_external_access = false")
        try:
            rel = con.sql(query)
            return pd.DataFrame() if rel is None else rel.df()
        except duckdb.Error as exc:
            raise SpecError(f"SQL query failed: {exc}") from None
        finally:
            con.close()

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={len(getattr(self.records, n))}" for n in TABLE_NAMES)
        return f"Evidence({counts})"


def load(path: str | Path | None = None) -> Evidence:
    """Load and validate an evidence folder.

    Parameters
    ----------
    path : str or Path, optional
        A folder laid out like the built-in one (``claims.csv``, ``sources/*.csv``,
        ``observations/*.csv``, …; absent files are empty tables). Default: the evidence
        shipped with hkfactor.

    Returns
    -------
    Evidence

    Raises
    ------
    InputError
        Listing *every* problem found: file, 1-based spreadsheet row, column, what was expected.
    """
    root = Path(path) if path is not None else DATA_DIR
    key = _signature(root)
    hit = _LOADED.get(key) if key is not None else None
    if hit is not None:
        return hit
    loaded: LoadedRecords = load_records(root)
    recs = Records(**{n: tuple(getattr(loaded, n)) for n in TABLE_NAMES})
    ev = Evidence(recs, root=root, files=loaded.files)
    if key is not None:
        while len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = ev
    return ev


#: Evidence already loaded in this process, by folder and the size and modification time of every
#: file in it: an Evidence is immutable (tuples of frozen records; tables are handed out as
#: copies), so the panel, the city panel and the dated shocks of one evaluation share one load.
_LOADED: dict[tuple[object, ...], Evidence] = {}
_LOADED_MAX = 4


def _signature(root: Path) -> tuple[object, ...] | None:
    """A key that changes when any file under ``root`` is added, removed or rewritten."""
    try:
        files = sorted(p for p in root.rglob("*") if p.is_file())
        return (str(root.resolve()), *((str(p), st.st_size, st.st_mtime_ns, st.st_ino)
                                       for p in files for st in (p.stat(),)))
    except OSError:
        return None
