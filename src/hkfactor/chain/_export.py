"""Write the chain graph for Gephi (GEXF, GraphML), Cytoscape (JSON) and R (GraphML)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from hkfactor._io import atomic_path, atomic_write
from hkfactor._registry import Registry
from hkfactor.chain._graph import PREDICATE_LABELS
from hkfactor.errors import InputError, Problem

__all__ = ["EXPORTERS", "READERS", "read_graph", "write_graph"]

#: ``EXPORTERS[fmt](g, path)`` writes ``g``; one per format.
EXPORTERS: Registry = Registry("graph export")
#: ``READERS[fmt](path)`` reads a graph written by the exporter of the same name.
READERS: Registry = Registry("graph import")


def _for_export(g: nx.MultiDiGraph, lang: str) -> nx.MultiDiGraph:
    """A copy with a ``label`` on every node and edge (what Gephi and Cytoscape display)."""
    if lang not in ("zh", "en"):
        raise InputError([Problem("export", None, "lang", f"must be 'zh' or 'en', got {lang!r}")])
    h = nx.MultiDiGraph()
    h.graph.update({k: v for k, v in g.graph.items() if isinstance(v, str | int | float)})
    for n, d in g.nodes(data=True):
        h.add_node(n, **d, label=d[f"label_{lang}"])
    for u, v, k, d in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k, **d, label=PREDICATE_LABELS.get(d["predicate"], {}).get(lang, d["predicate"]))
    return h


@EXPORTERS.register("graphml")
def _write_graphml(g: nx.MultiDiGraph, path: Path) -> None:
    with atomic_path(path) as tmp:
        nx.write_graphml(g, tmp, encoding="utf-8", prettyprint=True, named_key_ids=True)


@EXPORTERS.register("gexf")
def _write_gexf(g: nx.MultiDiGraph, path: Path) -> None:
    h = g.copy()
    for _, _, k, d in h.edges(keys=True, data=True):
        d["id"] = k  # Gephi's edge id = the relation id (networkx would number them)
    with atomic_path(path) as tmp:
        nx.write_gexf(h, tmp, encoding="utf-8", prettyprint=True)


@EXPORTERS.register("cyjs")
def _write_cyjs(g: nx.MultiDiGraph, path: Path) -> None:
    data = nx.cytoscape_data(g)
    # Cytoscape wants a unique edge id; the relation id is one.
    for e in data["elements"]["edges"]:
        e["data"]["id"] = e["data"]["key"]
    with atomic_write(path) as fh:
        fh.write(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
        fh.write("\n")


@READERS.register("graphml")
def _read_graphml(path: Path) -> nx.MultiDiGraph:
    return nx.MultiDiGraph(nx.read_graphml(path, force_multigraph=True))


@READERS.register("gexf")
def _read_gexf(path: Path) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(nx.read_gexf(path))
    for _, _, d in g.edges(data=True):
        d.pop("id", None)  # the GEXF edge id is the key
    return g


@READERS.register("cyjs")
def _read_cyjs(path: Path) -> nx.MultiDiGraph:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for e in data["elements"]["edges"]:
        e["data"].pop("id", None)
    g = nx.MultiDiGraph(nx.cytoscape_graph(data))
    # cytoscape_graph copies its bookkeeping fields into the attributes; drop them again.
    for _, d in g.nodes(data=True):
        for k in ("id", "name", "value"):
            d.pop(k, None)
    for _, _, d in g.edges(data=True):
        for k in ("key", "source", "target"):
            d.pop(k, None)
    return g


def write_graph(g: nx.MultiDiGraph, path: str | Path, *, fmt: str, lang: str = "en") -> Path:
    """Write ``g`` atomically in format ``fmt`` (``graphml``, ``gexf`` or ``cyjs``).

    Every node gets ``label`` (its name in ``lang``) beside ``label_zh`` and ``label_en``;
    every edge gets ``label`` (its predicate, named in ``lang``). Node ids are the entity ids, edge keys/ids the
    relation ids, and all attributes are kept as typed (strings, ``since`` an int).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hkfactor.chain import default_graph, write_graph, read_graph
    >>> p = write_graph(default_graph(), pathlib.Path(tempfile.mkdtemp()) / "chain.graphml", fmt="graphml")
    >>> read_graph(p, fmt="graphml").number_of_edges() == default_graph().number_of_edges()
    True
    """
    writer: Callable[[nx.MultiDiGraph, Path], None] = EXPORTERS[fmt]
    out = Path(path)
    try:
        writer(_for_export(g, lang), out)
    except OSError as exc:
        raise InputError([Problem(str(out), None, None, f"cannot write: {exc.strerror or exc}")]) from None
    return out


def read_graph(path: str | Path, *, fmt: str) -> nx.MultiDiGraph:
    """Read a graph written by :func:`write_graph` back into a :class:`networkx.MultiDiGraph`."""
    p = Path(path)
    if not p.exists():
        raise InputError([Problem(str(p), None, None, "file not found")])
    reader: Callable[[Path], nx.MultiDiGraph] = READERS[fmt]
    return reader(p)
