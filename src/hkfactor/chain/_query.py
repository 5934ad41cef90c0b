"""Questions to the chain graph: paths with their sources, slices, neighbourhoods."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from hkfactor.chain._graph import PREDICATE_LABELS
from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.evidence.vocab import match_codes, resolve_name

__all__ = ["Hop", "Path", "as_of", "neighbourhood", "path", "resolve", "subgraph"]


@dataclass(frozen=True)
class Hop:
    """One step of a path: the relation that links two consecutive nodes.

    ``forward`` is True when the relation points along the path (``subject`` is the node
    the hop leaves from); a path may follow a relation backwards (e.g. ``HKUST ← member_of ←
    Li Zexiang``).
    """

    subject: str
    predicate: str
    object: str
    relation: str
    forward: bool
    source_ids: tuple[str, ...]
    locator: str
    start: str = ""
    value: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Path:
    """A path between two nodes with the evidence for each hop."""

    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]

    def cites_every_hop(self) -> bool:
        """True when every hop has at least one source id and a locator."""
        return all(h.source_ids and h.locator for h in self.hops)

    def describe(self, g: nx.MultiDiGraph, *, lang: str = "en") -> list[str]:
        """One line per hop: ``A —predicate→ B  [sources] «locator»`` (names in ``lang``)."""
        key = "label_zh" if lang == "zh" else "label_en"
        out = []
        for h in self.hops:
            a, b = g.nodes[h.subject][key], g.nodes[h.object][key]
            verb = PREDICATE_LABELS.get(h.predicate, {}).get(lang, h.predicate)
            arrow = f"{a} —{verb}→ {b}"
            out.append(f"{arrow}  [{'; '.join(h.source_ids)}] «{h.locator}»")
        return out


def resolve(g: nx.MultiDiGraph, name: str) -> str:
    """The node id for an id or a Chinese/English name (case-insensitive, exact match first).

    Raises
    ------
    InputError
        If nothing or more than one node matches; the message lists candidates.
    """
    return resolve_name(((n, d["label_zh"], d["label_en"]) for n, d in g.nodes(data=True)), name,
                        where="chain graph", what="node")


def _hop(g: nx.MultiDiGraph, u: str, v: str, *, directed: bool) -> Hop:
    fwd = g.get_edge_data(u, v) or {}
    back = {} if directed else (g.get_edge_data(v, u) or {})
    if fwd:
        key = sorted(fwd)[0]
        d, s, o, forward = fwd[key], u, v, True
    else:
        key = sorted(back)[0]
        d, s, o, forward = back[key], v, u, False
    return Hop(
        subject=s,
        predicate=d["predicate"],
        object=o,
        relation=d["relation"],
        forward=forward,
        source_ids=tuple(x for x in d["source_ids"].split(";") if x),
        locator=d["locator"],
        start=d["start"],
        value=d["value"],
        unit=d["unit"],
    )


def _bfs(g: nx.MultiDiGraph, s: str, t: str, *, directed: bool) -> list[str] | None:
    """Breadth-first shortest path; neighbours visited in id order (deterministic)."""
    if s == t:
        return [s]
    parent: dict[str, str] = {s: s}
    frontier = [s]
    while frontier:
        nxt: list[str] = []
        for u in frontier:
            near = set(g.successors(u)) if directed else set(g.successors(u)) | set(g.predecessors(u))
            for v in sorted(near):
                if v not in parent:
                    parent[v] = u
                    if v == t:
                        out = [t]
                        while out[-1] != s:
                            out.append(parent[out[-1]])
                        return out[::-1]
                    nxt.append(v)
        frontier = nxt
    return None


def path(
    g: nx.MultiDiGraph, a: str, b: str, *, via: Sequence[str] = (), directed: bool = False
) -> Path:
    """Shortest path from ``a`` to ``b``, each hop with the relation and its sources.

    Parameters
    ----------
    g : MultiDiGraph
        The chain graph.
    a, b : str
        Node ids or names (see :func:`resolve`).
    via : sequence of str, optional
        Waypoints the path must pass through, in order (each leg is a shortest path).
    directed : bool, default False
        Follow relations only in their direction. By default a relation can be walked either
        way (the hop records which): "how does HKUST reach DJI?" is answered through the
        professor who is a member of HKUST.

    Returns
    -------
    Path
        Ties between equally short paths are broken by visiting neighbours in id order, so
        the answer does not depend on hashing or file order.

    Raises
    ------
    InputError
        Unknown node, or no path.

    Examples
    --------
    >>> from hkfactor.chain import default_graph, path
    >>> g = default_graph()
    >>> path(g, "E-HKUST", "E-DJI").nodes
    ('E-HKUST', 'E-BLUE-BAY', 'E-DJI')
    >>> path(g, "HKUST", "DJI", via=["李泽湘"]).nodes
    ('E-HKUST', 'E-LI-ZEXIANG', 'E-WANG-TAO', 'E-DJI')
    """
    stops = [resolve(g, x) for x in (a, *via, b)]
    nodes: list[str] = [stops[0]]
    for s, t in itertools.pairwise(stops):
        leg = _bfs(g, s, t, directed=directed)
        if leg is None:
            raise InputError(
                [Problem("chain graph", None, None, f"no {'directed ' if directed else ''}path from {s} to {t}")],
                title="no path",
            )
        nodes.extend(leg[1:])
    hops = tuple(_hop(g, u, v, directed=directed) for u, v in itertools.pairwise(nodes))
    return Path(nodes=tuple(nodes), hops=hops)


def as_of(g: nx.MultiDiGraph, year: int, *, undated: Literal["drop", "keep"] = "drop") -> nx.MultiDiGraph:
    """The graph as attested up to ``year``.

    An edge is kept when its ``since`` year is ``<= year`` and it has not ended
    (``end`` empty or ``>= year``); a node is kept when its ``since`` is ``<= year`` or it is
    an endpoint of a kept edge. Undated elements (``since == -1``) are dropped, or kept with
    ``undated="keep"``. Returns a new graph (attributes copied).
    """
    if undated not in ("drop", "keep"):
        raise InputError([Problem("as_of", None, "undated", f"must be 'drop' or 'keep', got {undated!r}")])

    def ok(since: int) -> bool:
        return (since == -1 and undated == "keep") or (since != -1 and since <= year)

    out = nx.MultiDiGraph(**g.graph)
    for n, d in g.nodes(data=True):
        if ok(d["since"]):
            out.add_node(n, **d)
    for u, v, k, d in g.edges(keys=True, data=True):
        end = d["end"][:4]
        if ok(d["since"]) and not (end.isdigit() and int(end) < year):
            for n in (u, v):
                if n not in out:
                    out.add_node(n, **g.nodes[n])
            out.add_edge(u, v, key=k, **d)
    return out


def subgraph(
    g: nx.MultiDiGraph,
    *,
    channel: str | None = None,
    stage: str | None = None,
    side: str | None = None,
    year: int | None = None,
    undated: Literal["drop", "keep"] = "drop",
) -> nx.MultiDiGraph:
    """Nodes matching every given filter and the edges among them (a copy).

    ``year`` first applies :func:`as_of` (with ``undated``). A filter value is a code in any
    case (``"hk"``), or its Chinese or English label (``"香港"``, ``"金融"``, ``"上游"``), or a
    comma-separated list of them. Unknown values raise :class:`InputError` listing the values
    present in the graph.
    """
    base = as_of(g, year, undated=undated) if year is not None else g
    problems = []
    wanted: dict[str, set[str] | None] = {}
    for attr, vocab, want in (("channel", "channel", channel), ("stage", "chain_stage", stage), ("side", "side", side)):
        wanted[attr] = None
        if want is not None:
            present = sorted({d[attr] for _, d in g.nodes(data=True) if d[attr]})
            try:
                wanted[attr] = set(match_codes(vocab, want, valid=present, what=attr))
            except SpecError as exc:
                problems.append(Problem("subgraph", None, attr, str(exc)))
    if problems:
        raise InputError(problems, title="invalid filter")
    keep = [n for n, d in base.nodes(data=True) if all(w is None or d[a] in w for a, w in wanted.items())]
    return nx.MultiDiGraph(base.subgraph(keep))


def neighbourhood(g: nx.MultiDiGraph, node: str, *, radius: int = 1) -> nx.MultiDiGraph:
    """Nodes within ``radius`` hops of ``node`` (either direction) and the edges among them."""
    n = resolve(g, node)
    if radius < 0:
        raise InputError([Problem("neighbourhood", None, "radius", f"must be >= 0, got {radius}")])
    near = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), n, cutoff=radius)
    return nx.MultiDiGraph(g.subgraph([x for x in g if x in near]))
