"""``hkfactor chain …``: query, measure, export and draw the innovation-chain graph.

Thin adapters over :mod:`hkfactor.chain`. The graph is the built-in evidence (or
``--data DIR``, loaded and validated by :func:`hkfactor.evidence.load`).
"""

from __future__ import annotations

import enum
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hkfactor.cli._common import DataOpt, FormatOpt, Lang, LangOpt, OutFormat, app, console, emit_csv
from hkfactor.errors import HKFactorError

__all__ = ["chain_app"]

chain_app = typer.Typer(
    name="chain",
    help="The innovation chain and actor network: paths with sources, slices, brokerage, export, "
    "drawing.\n\n创新链与行动者网络：带出处的路径、切片、中介角色、导出与绘图。",
    no_args_is_help=True,
)
app.add_typer(chain_app, name="chain")

YearOpt = Annotated[int | None, typer.Option("--year", help="Graph as attested up to this year / 截至某年")]
ChannelOpt = Annotated[str | None, typer.Option(
    "--channel", help="Channel code or name, e.g. finance, 金融 (comma-separate several) / 渠道")]
StageOpt = Annotated[str | None, typer.Option("--stage", help="upstream, midstream or downstream (上游/中游/下游) / 链环节")]
SideOpt = Annotated[str | None, typer.Option("--side", help="HK, SZ, CROSS, MAINLAND or WORLD (any case), or 香港… / 所属一方")]


class GraphFormat(enum.StrEnum):
    """File format of ``hkfactor chain export``."""

    graphml = "graphml"
    gexf = "gexf"
    cyjs = "cyjs"


def _chain() -> Any:
    """The :mod:`hkfactor.chain` module, or a clear error if its optional packages are missing."""
    try:
        from hkfactor import chain
    except ImportError as exc:  # networkx is the `graph` extra
        raise HKFactorError(
            f"`hkfactor chain` needs an optional package ({exc.name}); install it with "
            "`pip install 'hkfactor[graph,plots]'`"
        ) from None
    return chain


def _graph(data: Path | None) -> Any:
    chain = _chain()
    if data is None:
        return chain.default_graph()
    from hkfactor.evidence import load

    return chain.from_evidence(load(data))


def _slice(
    g: Any, *, year: int | None, channel: str | None, stage: str | None, side: str | None, undated: str = "drop"
) -> Any:
    if year is None and channel is None and stage is None and side is None:
        return g
    return _chain().subgraph(g, channel=channel, stage=stage, side=side, year=year, undated=undated)


def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == Lang.zh else en


def _lab(vocab: str, code: str, lang: Lang) -> str:
    """The label of a code for a table cell (the code itself in en when it has no label)."""
    from hkfactor.evidence.vocab import label

    return label(vocab, code, lang.value) if code else ""


#: which evidence vocabulary labels each --by grouping of `chain measures`
_GROUP_VOCAB = {"side": "side", "stage": "chain_stage", "channel": "channel", "type": "entity_type"}
_GROUP_ZH = {"side": "归属一方", "stage": "链环节", "channel": "渠道", "type": "主体类型"}


def _num(x: float) -> str:
    return "NaN" if math.isnan(x) else ("inf" if math.isinf(x) else f"{x:.3f}")


@chain_app.command("path")
def path_command(
    a: Annotated[str, typer.Argument(help="From: an entity id or name / 起点")],
    b: Annotated[str, typer.Argument(help="To: an entity id or name / 终点")],
    via: Annotated[list[str] | None, typer.Option("--via", help="Pass through (repeatable) / 途经")] = None,
    directed: Annotated[bool, typer.Option("--directed", help="Follow relations only forwards / 仅按方向")] = False,
    lang: LangOpt = Lang.zh,
    fmt: FormatOpt = OutFormat.table,
    data: DataOpt = None,
) -> None:
    """How does A reach B? Every hop with its relation, sources and locator. / A 如何连到 B？"""
    from hkfactor.chain import PREDICATE_LABELS, path

    g = _graph(data)
    p = path(g, a, b, via=via or (), directed=directed)
    key = "label_zh" if lang == Lang.zh else "label_en"
    rows = [
        {
            "step": i,
            "subject": h.subject,
            "subject_label": g.nodes[h.subject][key],
            "predicate": h.predicate,
            "predicate_label": PREDICATE_LABELS.get(h.predicate, {}).get(lang.value, h.predicate),
            "object": h.object,
            "object_label": g.nodes[h.object][key],
            "relation": h.relation,
            "direction": "forward" if h.forward else "backward",
            "source_ids": ";".join(h.source_ids),
            "locator": h.locator,
        }
        for i, h in enumerate(p.hops, start=1)
    ]
    if fmt == OutFormat.json:
        sys.stdout.write(json.dumps({"nodes": list(p.nodes), "hops": rows}, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == OutFormat.csv:
        import pandas as pd

        emit_csv(pd.DataFrame(rows))
        return
    t = Table(title=_t(lang, f"路径：{g.nodes[p.nodes[0]][key]} → {g.nodes[p.nodes[-1]][key]}",
                       f"Path: {g.nodes[p.nodes[0]][key]} → {g.nodes[p.nodes[-1]][key]}"))
    for col in (_t(lang, "步", "step"), _t(lang, "主体", "subject"), _t(lang, "关系", "relation"),
                _t(lang, "客体", "object"), _t(lang, "出处", "sources"), _t(lang, "原文", "locator")):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r["step"]), str(r["subject_label"]), f"{r['predicate_label']} ({r['relation']})",
                  str(r["object_label"]), str(r["source_ids"]), str(r["locator"]))
    console.print(t)


@chain_app.command("subgraph")
def subgraph_command(
    channel: ChannelOpt = None,
    stage: StageOpt = None,
    side: SideOpt = None,
    year: YearOpt = None,
    keep_undated: Annotated[
        bool, typer.Option("--keep-undated", help="With --year, keep elements the evidence does not date / 保留无日期者")
    ] = False,
    lang: LangOpt = Lang.zh,
    fmt: FormatOpt = OutFormat.table,
    data: DataOpt = None,
) -> None:
    """List the nodes of a slice (channel, stage, side, year). / 按渠道、环节、一方或年份切片"""
    g = _slice(_graph(data), year=year, channel=channel, stage=stage, side=side,
               undated="keep" if keep_undated else "drop")
    key = "label_zh" if lang == Lang.zh else "label_en"
    rows = [
        {"id": n, "label": d[key], "type": d["type"], "side": d["side"], "channel": d["channel"],
         "stage": d["stage"], "since": d["since"], "degree": g.degree(n)}
        for n, d in sorted(g.nodes(data=True))
    ]
    if fmt == OutFormat.json:
        payload = {"nodes": rows, "n_nodes": g.number_of_nodes(), "n_edges": g.number_of_edges()}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == OutFormat.csv:
        import pandas as pd

        emit_csv(pd.DataFrame(rows))
        return
    t = Table(title=_t(lang, f"子图：{g.number_of_nodes()} 个节点，{g.number_of_edges()} 条关系",
                       f"Subgraph: {g.number_of_nodes()} nodes, {g.number_of_edges()} relations"))
    for col in (_t(lang, "编号", "id"), _t(lang, "名称", "name"), _t(lang, "类型", "type"), _t(lang, "归属", "side"),
                _t(lang, "渠道", "channel"), _t(lang, "环节", "stage"), _t(lang, "始于", "since")):
        t.add_column(col)
    for r in rows:
        t.add_row(r["id"], str(r["label"]), _lab("entity_type", r["type"], lang), _lab("side", r["side"], lang),
                  _lab("channel", r["channel"], lang), _lab("chain_stage", r["stage"], lang),
                  "" if r["since"] == -1 else str(r["since"]))
    console.print(t)


@chain_app.command("neighbours")
def neighbours_command(
    node: Annotated[str, typer.Argument(help="An entity id or name / 节点")],
    radius: Annotated[int, typer.Option("--radius", help="Hops, either direction / 步数")] = 1,
    lang: LangOpt = Lang.zh,
    fmt: FormatOpt = OutFormat.table,
    data: DataOpt = None,
) -> None:
    """The relations around one actor, each with its sources. / 某一行动者周围的关系及出处"""
    chain = _chain()
    g = _graph(data)
    h = chain.neighbourhood(g, node, radius=radius)
    key = "label_zh" if lang == Lang.zh else "label_en"
    rows = [
        {"relation": k, "subject": u, "subject_label": g.nodes[u][key], "predicate": d["predicate"],
         "predicate_label": chain.PREDICATE_LABELS.get(d["predicate"], {}).get(lang.value, d["predicate"]),
         "object": v, "object_label": g.nodes[v][key], "start": d["start"], "source_ids": d["source_ids"],
         "locator": d["locator"]}
        for u, v, k, d in sorted(h.edges(keys=True, data=True), key=lambda e: e[2])
    ]
    if fmt == OutFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == OutFormat.csv:
        import pandas as pd

        emit_csv(pd.DataFrame(rows))
        return
    t = Table(title=_t(lang, f"邻域（{radius} 步）：{len(h)} 个节点，{len(rows)} 条关系",
                       f"Neighbourhood (radius {radius}): {len(h)} nodes, {len(rows)} relations"))
    for col in (_t(lang, "主体", "subject"), _t(lang, "关系", "relation"), _t(lang, "客体", "object"),
                _t(lang, "出处", "sources"), _t(lang, "原文", "locator")):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r["subject_label"]), f"{r['predicate_label']} ({r['relation']})", str(r["object_label"]),
                  str(r["source_ids"]), str(r["locator"]))
    console.print(t)


@chain_app.command("measures")
def measures_command(
    by: Annotated[str, typer.Option(
        "--by", help="Grouping for brokerage: side, stage, channel or type / 中介角色分组依据")] = "side",
    top: Annotated[int, typer.Option("--top", help="Rows to show in the table (0 = all) / 显示行数")] = 20,
    channel: ChannelOpt = None,
    stage: StageOpt = None,
    year: YearOpt = None,
    lang: LangOpt = Lang.zh,
    fmt: FormatOpt = OutFormat.table,
    data: DataOpt = None,
) -> None:
    """Degree, betweenness and Gould–Fernandez brokerage (observed, expected, z). / 度、介数与中介角色"""
    from hkfactor.chain import ROLE_LABELS, ROLES, measures

    g = _slice(_graph(data), year=year, channel=channel, stage=stage, side=None)
    df = measures(g, by=by, lang=lang.value)
    by = by.strip().casefold()
    if fmt == OutFormat.json:
        recs = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
                for r in df.to_dict(orient="records")]
        sys.stdout.write(json.dumps(recs, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == OutFormat.csv:
        emit_csv(df)
        return
    shown = df if top == 0 else df.head(top)
    t = Table(title=_t(lang, f"网络指标（中介角色按{_GROUP_ZH[by]}分组；z = (观测−期望)/标准差）",
                       f"Network measures (brokerage groups: {by}; z = (observed − expected)/sd)"))
    t.add_column(_t(lang, "编号", "id"))
    t.add_column(_t(lang, "名称", "name"))
    t.add_column(_t(lang, "组", "group"))
    t.add_column(_t(lang, "入度", "in"), justify="right")
    t.add_column(_t(lang, "出度", "out"), justify="right")
    t.add_column(_t(lang, "介数", "betweenness"), justify="right")
    for role in ROLES:
        t.add_column(f"{ROLE_LABELS[role][lang.value]}\n{role} (z)", justify="right")
    for r in shown.to_dict(orient="records"):
        cells = [f"{r[role]:.0f} ({_num(r[role + '_z'])})" for role in ROLES]
        group = "—" if r["group"] == "-" else _lab(_GROUP_VOCAB[by], str(r["group"]), lang)
        t.add_row(r["id"], str(r["label"]), group, str(r["in_degree"]), str(r["out_degree"]),
                  f"{r['betweenness']:.4f}", *cells)
    console.print(t)


@chain_app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="File to write / 输出文件", dir_okay=False)],
    fmt: Annotated[GraphFormat, typer.Option("--format", help="graphml, gexf or cyjs / 图格式")] = GraphFormat.graphml,
    channel: ChannelOpt = None,
    stage: StageOpt = None,
    year: YearOpt = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the 'label' attribute and the terminal messages; "
                                       "label_zh and label_en are always both written / 'label' 属性与终端提示的语言")] = Lang.zh,
    data: DataOpt = None,
) -> None:
    """Write the graph for Gephi (GEXF/GraphML), Cytoscape (cyjs) or R (GraphML).

    Nodes carry label_zh and label_en; --lang picks which one fills the generic 'label'
    attribute (what Gephi and Cytoscape show) and the language of the terminal messages.

    导出图：节点同时带有 label_zh 与 label_en，--lang 决定通用 label 属性及终端提示的语言。
    """
    from hkfactor.chain import write_graph

    g = _slice(_graph(data), year=year, channel=channel, stage=stage, side=None)
    p = write_graph(g, out, fmt=fmt.value, lang=lang.value)
    console.print(_t(lang, f"已写出 {p}（{g.number_of_nodes()} 个节点，{g.number_of_edges()} 条关系）",
                     f"wrote {p} ({g.number_of_nodes()} nodes, {g.number_of_edges()} relations)"))


@chain_app.command("draw")
def draw_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for chain.png and chain.svg / 输出目录", file_okay=False)],
    channel: ChannelOpt = None,
    stage: StageOpt = None,
    year: YearOpt = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the terminal messages; the picture's labels are "
                                       "bilingual whatever --lang is / 终端提示语言（图中标签为中英双语）")] = Lang.zh,
    data: DataOpt = None,
) -> None:
    """Draw the chain by stage (columns) and side (rows). Labels are bilingual; --lang sets the terminal messages.

    按环节与一方绘制创新链；图中标签为中英双语，--lang 只决定终端提示的语言。
    """
    from hkfactor.chain import draw_chain

    g = _slice(_graph(data), year=year, channel=channel, stage=stage, side=None)
    written = draw_chain(g, out)
    for fmt in sorted(written):
        console.print(_t(lang, f"已写出 {written[fmt]}", f"wrote {written[fmt]}"))


@chain_app.command("super-connector")
def super_connector_command(
    year: Annotated[int | None, typer.Option("--year", help="One year in detail (default: every year) / 年份")] = None,
    lang: LangOpt = Lang.zh,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """Hong Kong's brokerage on sourced HK / Mainland / world trade flows. / 香港作为“超级联络人”的检验"""
    from dataclasses import asdict

    from hkfactor.chain import (
        ROLE_LABELS,
        ROLES,
        read_trade_observations,
        super_connector,
        super_connector_table,
    )

    obs = read_trade_observations()
    if year is None:
        df = super_connector_table(obs)
        if fmt == OutFormat.csv:
            emit_csv(df)
            return
        if fmt == OutFormat.json:
            recs = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
                    for r in df.to_dict(orient="records")]
            sys.stdout.write(json.dumps(recs, ensure_ascii=False, indent=2) + "\n")
            return
        t = Table(title=_t(lang, "香港：转口港与中介角色（港府统计处数据）", "Hong Kong as entrepôt and broker (C&SD data)"))
        for col in (_t(lang, "年份", "year"), _t(lang, "转口/出口", "re-exports / exports"),
                    _t(lang, "内地占转口", "Mainland share of re-exports"),
                    _t(lang, "联络人（仅港方统计）", "liaison (HK-recorded)"),
                    _t(lang, "联络人（含直接贸易）", "liaison (with direct ties)")):
            t.add_column(col, justify="right")
        for r in df.to_dict(orient="records"):
            direct = r["liaison_with_direct_ties"]
            t.add_row(str(r["year"]), f"{r['entrepot_share']:.1%}", f"{r['mainland_share_of_reexports']:.1%}",
                      f"{r['liaison_recorded']:.0f}", "—" if math.isnan(direct) else f"{direct:.0f}")
        console.print(t)
        return
    sc = super_connector(obs, year)
    if fmt != OutFormat.table:
        def clean(x: Any) -> Any:
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            return None if isinstance(x, float) and not math.isfinite(x) else x

        sys.stdout.write(json.dumps(clean(asdict(sc)), ensure_ascii=False, indent=2) + "\n")
        return
    t = Table(title=_t(lang, f"{year} 年香港的中介角色（港、内地、世界三组）", f"Hong Kong's brokerage roles, {year}"))
    t.add_column(_t(lang, "角色", "role"))
    t.add_column(_t(lang, "仅香港统计的流量", "flows recorded by HK"), justify="right")
    t.add_column(_t(lang, "加入内地与世界直接贸易", "with Mainland–world direct trade"), justify="right")
    for role in ROLES:
        rec = sc.recorded[role]
        dt = sc.with_direct_ties[role] if sc.with_direct_ties else None
        t.add_row(f"{ROLE_LABELS[role][lang.value]} ({role})",
                  f"{rec['observed']:.0f} (z {_num(rec['z'])})",
                  "—" if dt is None else f"{dt['observed']:.0f} (z {_num(dt['z'])})")
    console.print(t)
    console.print(_t(lang, f"转口占出口比重 {sc.entrepot_share:.1%}；内地占转口比重 {sc.mainland_share_of_reexports:.1%}",
                     f"re-exports / all exports {sc.entrepot_share:.1%}; Mainland share of re-exports "
                     f"{sc.mainland_share_of_reexports:.1%}"))
