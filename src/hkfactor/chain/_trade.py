"""Hong Kong as a "super-connector": a Hong Kong / Mainland / world trade network.

Built only from sourced observations (``observations/hk_mainland_trade.csv``: Census and
Statistics Department tables via the Hong Kong Yearbook and a C&SD release; the Mainland's
own totals from MOFCOM as quoted by the trade press). The paper (§5) calls Hong Kong the
"international super-connector" (国际超级联络人); this module asks what Gould–Fernandez
brokerage says about that on the recorded flows, and reports the entrepôt share beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pandas as pd

from hkfactor._io import read_table
from hkfactor.chain._brokerage import ROLES, brokerage
from hkfactor.chain._graph import to_adjacency
from hkfactor.errors import InputError, Problem
from hkfactor.units import normalise

__all__ = [
    "TRADE_SERIES",
    "SuperConnector",
    "read_trade_observations",
    "super_connector",
    "super_connector_table",
    "trade_network",
]

#: Series codes used, with their meaning.
TRADE_SERIES: dict[str, str] = {
    "hk_imp_mainland": "Hong Kong imports from the Mainland",
    "hk_dx_mainland": "Hong Kong domestic exports to the Mainland",
    "hk_rx_mainland": "Hong Kong re-exports to the Mainland",
    "hk_imp_total": "Hong Kong imports, all origins",
    "hk_dx_total": "Hong Kong domestic exports, all destinations",
    "hk_rx_total": "Hong Kong re-exports, all destinations",
    "hk_rx_mainland_origin_world": "Hong Kong re-exports of Mainland origin to other places",
    "cn_exports_total": "Mainland exports, all destinations (Mainland statistics)",
    "cn_imports_total": "Mainland imports, all origins (Mainland statistics)",
}
_GROUPS = {"HK": "HK", "MAINLAND": "MAINLAND", "WORLD": "WORLD"}


def read_trade_observations(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``hk_mainland_trade.csv`` and add the normalised ``value`` and ``unit``.

    Parameters
    ----------
    path : str or Path, optional
        Default: the file shipped with hkfactor.
    """
    p = Path(path) if path is not None else (
        Path(__file__).resolve().parent.parent / "evidence" / "data" / "observations" / "hk_mainland_trade.csv"
    )
    df = read_table(p, dtype=str)
    values, units, problems = [], [], []
    for i, row in enumerate(df.to_dict("records"), start=2):
        try:
            q = normalise(row["printed_value"], row["printed_unit"])
        except Exception as exc:  # the units module raises its own domain error
            problems.append(Problem(str(p), i, "printed_value", str(exc)))
            values.append(float("nan"))
            units.append("")
            continue
        values.append(q.value)
        units.append(q.unit)
    if problems:
        raise InputError(problems, title="invalid trade observations")
    return df.assign(value=values, unit=units)


def _pick(obs: pd.DataFrame, series: str, year: int) -> tuple[float, str, str] | None:
    """First row (file order) of ``series`` for ``year``: (value, unit, id)."""
    rows = obs[(obs["series"] == series) & (obs["period"].astype(str) == str(year))]
    if rows.empty:
        return None
    r = rows.iloc[0]
    return float(r["value"]), str(r["unit"]), str(r["id"])


def trade_network(obs: pd.DataFrame, year: int, *, direct_ties: bool = True) -> nx.DiGraph:
    """Directed, weighted trade network of Hong Kong, the Mainland and the world.

    Edges (weight = value in the canonical unit, ``unit`` = currency, ``observations`` = the
    ids used, ``derived`` = whether it is a difference of two observations):

    * ``MAINLAND -> HK``: HK imports from the Mainland;
    * ``HK -> MAINLAND``: HK domestic exports + re-exports to the Mainland;
    * ``WORLD -> HK``: HK imports from all origins − from the Mainland (derived);
    * ``HK -> WORLD``: HK (domestic exports + re-exports) − those to the Mainland (derived);
    * ``MAINLAND -> WORLD`` and ``WORLD -> MAINLAND`` (when ``direct_ties`` and the
      Mainland's own export/import totals are observed for ``year``): the Mainland trades
      with the world directly (its totals include trade with HK; only the tie matters for
      brokerage, so its weight is the total as printed, in US$).

    Raises
    ------
    InputError
        If a Hong Kong series needed for ``year`` is missing (lists which).
    """
    need = ("hk_imp_mainland", "hk_dx_mainland", "hk_rx_mainland", "hk_imp_total", "hk_dx_total", "hk_rx_total")
    got = {s: _pick(obs, s, year) for s in (*need, "cn_exports_total", "cn_imports_total")}
    missing = [s for s in need if got[s] is None]
    if missing:
        raise InputError(
            [Problem("hk_mainland_trade.csv", None, "series", f"no observation of {s} for {year}") for s in missing],
            title=f"cannot build the {year} trade network",
        )
    v = {s: x for s, x in got.items() if x is not None}
    g = nx.DiGraph(year=year)
    for n in _GROUPS:
        g.add_node(n, group=_GROUPS[n])

    def edge(a: str, b: str, value: float, ids: list[str], *, unit: str = "HKD", derived: bool = False) -> None:
        g.add_edge(a, b, weight=value, unit=unit, observations=";".join(ids), derived=derived)

    edge("MAINLAND", "HK", v["hk_imp_mainland"][0], [v["hk_imp_mainland"][2]])
    edge("HK", "MAINLAND", v["hk_dx_mainland"][0] + v["hk_rx_mainland"][0], [v["hk_dx_mainland"][2], v["hk_rx_mainland"][2]])
    edge("WORLD", "HK", v["hk_imp_total"][0] - v["hk_imp_mainland"][0],
         [v["hk_imp_total"][2], v["hk_imp_mainland"][2]], derived=True)
    out_world = (v["hk_dx_total"][0] + v["hk_rx_total"][0]) - (v["hk_dx_mainland"][0] + v["hk_rx_mainland"][0])
    edge("HK", "WORLD", out_world,
         [v["hk_dx_total"][2], v["hk_rx_total"][2], v["hk_dx_mainland"][2], v["hk_rx_mainland"][2]], derived=True)
    if direct_ties:
        if "cn_exports_total" in v:
            x = v["cn_exports_total"]
            edge("MAINLAND", "WORLD", x[0], [x[2]], unit=x[1])
        if "cn_imports_total" in v:
            x = v["cn_imports_total"]
            edge("WORLD", "MAINLAND", x[0], [x[2]], unit=x[1])
    return g


@dataclass(frozen=True)
class SuperConnector:
    """What the trade data say about Hong Kong as a broker in one year.

    Attributes
    ----------
    year : int
    recorded : dict
        Hong Kong's brokerage (role → observed, expected, z) on the network of flows Hong
        Kong's own statistics record (every tie touches Hong Kong).
    with_direct_ties : dict or None
        The same once the Mainland's direct trade with the world is added (None when the
        Mainland totals are not observed for the year).
    entrepot_share : float
        Re-exports ÷ (re-exports + domestic exports): how much of what Hong Kong exports
        it did not make.
    mainland_share_of_reexports : float
        Re-exports to the Mainland ÷ all re-exports.
    mainland_origin_pass_through : float or None
        Re-exports of Mainland origin to other places ÷ imports from the Mainland (both
        HK$, same release; re-export values include Hong Kong's margin, so this can exceed
        what physically passes through). None when not observed.
    """

    year: int
    recorded: dict[str, dict[str, float]]
    with_direct_ties: dict[str, dict[str, float]] | None
    entrepot_share: float
    mainland_share_of_reexports: float
    mainland_origin_pass_through: float | None


def _hk_roles(g: nx.DiGraph) -> dict[str, dict[str, float]]:
    nodes, adj = to_adjacency(nx.MultiDiGraph(g))
    r = brokerage(adj, [g.nodes[n]["group"] for n in nodes], nodes=nodes)
    row = r.row("HK")
    return {role: {k: row[role][k] for k in ("observed", "expected", "z")} for role in ROLES}


def super_connector(obs: pd.DataFrame, year: int) -> SuperConnector:
    """Brokerage roles of Hong Kong and entrepôt shares for ``year`` (see :class:`SuperConnector`).

    Examples
    --------
    >>> from hkfactor.chain import read_trade_observations, super_connector
    >>> sc = super_connector(read_trade_observations(), 2004)
    >>> sc.recorded["b_O"]["observed"], sc.with_direct_ties["b_O"]["observed"]
    (2.0, 0.0)
    """
    recorded = _hk_roles(trade_network(obs, year, direct_ties=False))
    full = trade_network(obs, year, direct_ties=True)
    direct = _hk_roles(full) if full.has_edge("MAINLAND", "WORLD") or full.has_edge("WORLD", "MAINLAND") else None
    rx = _pick(obs, "hk_rx_total", year)
    dx = _pick(obs, "hk_dx_total", year)
    rxm = _pick(obs, "hk_rx_mainland", year)
    if rx is None or dx is None or rxm is None:  # pragma: no cover - trade_network checked them
        raise InputError([Problem("hk_mainland_trade.csv", None, "series", f"totals missing for {year}")])
    orig = _pick(obs, "hk_rx_mainland_origin_world", year)
    pass_through = None
    if orig is not None:
        # Use the imports figure from the same release as the re-exports of Mainland origin.
        src = obs.loc[obs["id"] == orig[2], "source_id"].iloc[0]
        imp = obs[(obs["series"] == "hk_imp_mainland") & (obs["period"].astype(str) == str(year))]
        same = imp[imp["source_id"] == src]
        base = same if len(same) else imp
        pass_through = orig[0] / float(base["value"].astype(float).iloc[0])
    return SuperConnector(
        year=year,
        recorded=recorded,
        with_direct_ties=direct,
        entrepot_share=rx[0] / (rx[0] + dx[0]),
        mainland_share_of_reexports=rxm[0] / rx[0],
        mainland_origin_pass_through=pass_through,
    )


def super_connector_table(obs: pd.DataFrame) -> pd.DataFrame:
    """:func:`super_connector` for every year with the Hong Kong series, one row a year.

    Columns: ``year``, ``entrepot_share``, ``mainland_share_of_reexports``,
    ``mainland_origin_pass_through`` (NaN where not observed), ``liaison_recorded`` and
    ``total_recorded`` (Hong Kong's brokerage on the flows Hong Kong records), and
    ``liaison_with_direct_ties`` (NaN where the Mainland's own totals are not observed).
    """
    need = ("hk_imp_mainland", "hk_dx_mainland", "hk_rx_mainland", "hk_imp_total", "hk_dx_total", "hk_rx_total")
    years = sorted(
        set.intersection(*(set(obs.loc[obs["series"] == s, "period"].astype(str)) for s in need))
    )
    rows = []
    for y in years:
        sc = super_connector(obs, int(y))
        rows.append(
            {
                "year": int(y),
                "entrepot_share": sc.entrepot_share,
                "mainland_share_of_reexports": sc.mainland_share_of_reexports,
                "mainland_origin_pass_through": (
                    float("nan") if sc.mainland_origin_pass_through is None else sc.mainland_origin_pass_through
                ),
                "liaison_recorded": sc.recorded["b_O"]["observed"],
                "total_recorded": sc.recorded["t"]["observed"],
                "liaison_with_direct_ties": (
                    float("nan") if sc.with_direct_ties is None else sc.with_direct_ties["b_O"]["observed"]
                ),
            }
        )
    return pd.DataFrame(rows)
