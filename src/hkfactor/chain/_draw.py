"""A static picture of the chain: columns by stage, rows by side, bilingual labels.

The layout is computed, not simulated (no random seed): nodes sit in a grid cell
``(side, stage)`` in id order, wrapping into sub-columns of at most ``per_column`` nodes.
SVG output is deterministic (fixed ``svg.hashsalt``, no date in the metadata, text kept as
text so labels are searchable); a CJK font (Noto Sans CJK) is required.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from hkfactor._io import atomic_path
from hkfactor._plot import PLAIN_TEXT_RC, plain_label
from hkfactor.chain._graph import SIDES, STAGES
from hkfactor.errors import HKFactorError, InputError, Problem

__all__ = ["SIDE_LABELS", "STAGE_LABELS", "ChainLayout", "MissingFontError", "chain_layout", "draw_chain", "find_cjk_font"]

STAGE_LABELS: dict[str, tuple[str, str]] = {
    "upstream": ("上游", "upstream"),
    "midstream": ("中游", "midstream"),
    "downstream": ("下游", "downstream"),
    "": ("背景", "context"),
}
SIDE_LABELS: dict[str, tuple[str, str]] = {
    "HK": ("香港", "Hong Kong"),
    "CROSS": ("深港共建", "joint SZ–HK"),
    "SZ": ("深圳", "Shenzhen"),
    "MAINLAND": ("内地", "Mainland"),
    "WORLD": ("世界", "world"),
    "": ("其他", "other"),
}
_TYPE_COLOURS: dict[str, str] = {
    "university": "#1f77b4", "institute": "#17becf", "platform": "#2ca02c", "programme": "#98df8a",
    "firm": "#d62728", "person": "#9467bd", "fund": "#8c564b", "market": "#ff7f0e", "industry": "#e377c2",
    "material": "#bcbd22", "place": "#7f7f7f", "government": "#393b79",
}
_TYPE_LABELS: dict[str, str] = {
    "university": "高校", "institute": "研究机构", "platform": "平台", "programme": "计划/机制", "firm": "企业",
    "person": "人物", "fund": "资本", "market": "市场", "industry": "产业", "material": "材料", "place": "地点",
    "government": "政府",
}
_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC")


class MissingFontError(HKFactorError):
    """No CJK font is installed, so Chinese labels cannot be drawn."""


def find_cjk_font() -> str:
    """The family name of an installed Noto Sans CJK (or Source Han Sans) font.

    Raises
    ------
    MissingFontError
        With the package to install (Debian/Ubuntu ``fonts-noto-cjk``).
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for fam in _CJK_FAMILIES:
        if fam in names:
            return fam
    raise MissingFontError(
        "no CJK font found for the Chinese labels (looked for: "
        + ", ".join(_CJK_FAMILIES)
        + "); install Noto Sans CJK, e.g. `apt-get install fonts-noto-cjk`, then remove matplotlib's font cache"
    )


@dataclass(frozen=True)
class ChainLayout:
    """Node positions (inches from the top-left, y downwards) and the grid they sit in."""

    positions: dict[str, tuple[float, float]]
    columns: tuple[str, ...]
    rows: tuple[str, ...]
    column_x: dict[str, float]
    row_y: dict[str, float]
    width: float
    height: float


def chain_layout(g: nx.MultiDiGraph, *, per_column: int = 10, dx: float = 2.3, dy: float = 0.42) -> ChainLayout:
    """Deterministic grid layout: columns = stages (+ context), rows = sides.

    Parameters
    ----------
    g : MultiDiGraph
        The chain graph (nodes need ``side`` and ``stage``).
    per_column : int, default 10
        Nodes stacked in one sub-column of a cell before wrapping.
    dx, dy : float
        Sub-column width and node spacing, inches.
    """
    columns = tuple(s for s in (*STAGES, "") if any(d["stage"] == s for _, d in g.nodes(data=True)))
    known = set(SIDES)
    rows = tuple(s for s in (*SIDES, "") if any((d["side"] if d["side"] in known else "") == s for _, d in g.nodes(data=True)))
    cells: dict[tuple[str, str], list[str]] = {}
    for n in sorted(g.nodes, key=lambda x: (g.nodes[x]["type"], x)):
        d = g.nodes[n]
        side = d["side"] if d["side"] in known else ""
        cells.setdefault((side, d["stage"] if d["stage"] in STAGES else ""), []).append(n)
    ncols = {c: max([-(-len(cells.get((r, c), [])) // per_column) for r in rows] + [1]) for c in columns}
    nrows = {r: min(per_column, max([len(cells.get((r, c), [])) for c in columns] + [1])) for r in rows}
    left, top = 1.4, 1.5
    column_x: dict[str, float] = {}
    x = left
    for c in columns:
        column_x[c] = x
        x += ncols[c] * dx + 0.3
    row_y: dict[str, float] = {}
    y = top
    for r in rows:
        row_y[r] = y
        y += nrows[r] * dy + 0.35
    pos: dict[str, tuple[float, float]] = {}
    for (r, c), members in cells.items():
        for i, n in enumerate(members):
            sub, k = divmod(i, per_column)
            pos[n] = (round(column_x[c] + sub * dx + 0.15, 4), round(row_y[r] + k * dy + dy / 2, 4))
    return ChainLayout(pos, columns, rows, column_x, row_y, round(x + dx, 4), round(y + 0.3, 4))


def draw_chain(
    g: nx.MultiDiGraph,
    out_dir: str | Path,
    *,
    stem: str = "chain",
    formats: tuple[str, ...] = ("png", "svg"),
    dpi: int = 110,
) -> dict[str, Path]:
    """Draw the chain by stage and side with bilingual (zh/en) labels.

    Parameters
    ----------
    g : MultiDiGraph
        The chain graph (or a subgraph / time slice of it).
    out_dir : str or Path
        Folder to write ``<stem>.png`` and ``<stem>.svg`` into (created if absent).
    formats : tuple of str
        Any of ``png``, ``svg``.
    dpi : int
        PNG resolution.

    Returns
    -------
    dict
        Format → written path.

    Raises
    ------
    MissingFontError
        If no CJK font is installed.
    InputError
        If the graph has no nodes (an empty picture would say nothing).
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    bad = [f for f in formats if f not in ("png", "svg")]
    if bad:
        raise HKFactorError(f"unsupported picture format(s) {bad}; valid: png, svg")
    if g.number_of_nodes() == 0:
        raise InputError([Problem("chain graph", None, None, "the slice has no nodes, so there is nothing to draw "
                                  "(is the year before the first dated relation, or the filters too narrow?)")],
                         title="empty chain")
    family = find_cjk_font()
    lay = chain_layout(g)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([Problem(str(out), None, None, f"cannot create the folder: {exc.strerror or exc}")]) from None
    rc: dict[str, Any] = {
        "font.family": [family, "DejaVu Sans"],
        "svg.hashsalt": "hkfactor-chain",
        "svg.fonttype": "none",
        "path.simplify": False,
        "axes.unicode_minus": False,
        **PLAIN_TEXT_RC,  # labels are source text: "HK$ … HK$" is never mathtext
    }
    written: dict[str, Path] = {}
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]  # stubs want a Literal key type
        fig = Figure(figsize=(lay.width, lay.height))  # no pyplot: no global state, no backend switch
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0, lay.width)
        ax.set_ylim(lay.height, 0)
        ax.set_axis_off()
        ax.text(0.2, 0.35, "深圳创新链中的香港因素 · The Hong Kong factor in Shenzhen's innovation chain",
                fontsize=13, weight="bold", va="center", gid="title")
        for c in lay.columns:
            zh, en = STAGE_LABELS[c]
            ax.text(lay.column_x[c], lay.row_y[lay.rows[0]] - 0.2, f"{zh} {en}", fontsize=10, weight="bold", va="center", gid=f"stage-{c or 'context'}")
        for r in lay.rows:
            zh, en = SIDE_LABELS[r]
            ax.text(0.15, lay.row_y[r] + 0.2, f"{zh}\n{en}", fontsize=9, weight="bold", va="top", gid=f"side-{r or 'other'}")
            ax.axhline(lay.row_y[r] - 0.1, color="#dddddd", lw=0.6, zorder=0)
        for u, v, k in sorted(g.edges(keys=True), key=lambda e: e[2]):
            (x0, y0), (x1, y1) = lay.positions[u], lay.positions[v]
            ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=5, lw=0.35,
                                         color="#9a9a9a", alpha=0.6, shrinkA=3, shrinkB=3,
                                         connectionstyle="arc3,rad=0.08", zorder=1, gid=f"edge-{k}"))
        for n in sorted(g.nodes):
            d = g.nodes[n]
            x, y = lay.positions[n]
            ax.plot([x], [y], marker="o", ms=4.5, color=_TYPE_COLOURS.get(d["type"], "#444444"), zorder=3, gid=f"node-{n}")
            ax.text(x + 0.08, y, plain_label(f"{d['label_zh']}\n{d['label_en']}"), fontsize=5.2, va="center", ha="left",
                    linespacing=1.05, zorder=4, gid=f"label-{n}", clip_on=False)
        from matplotlib.lines import Line2D

        present = sorted({d["type"] for _, d in g.nodes(data=True)})
        handles = [Line2D([], [], marker="o", ls="", ms=5, color=_TYPE_COLOURS.get(t, "#444444"),
                          label=f"{_TYPE_LABELS.get(t, t)} {t}") for t in present]
        if handles:
            ax.legend(handles=handles, loc="upper right", fontsize=7, frameon=False, ncols=min(4, len(handles)),
                      title="类型 node type", title_fontsize=7)
        for fmt in formats:
            target = out / f"{stem}.{fmt}"
            with atomic_path(target) as tmp:
                if fmt == "svg":
                    fig.savefig(tmp, format="svg", metadata={"Date": None})
                else:
                    fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})
            written[fmt] = target
    return written
