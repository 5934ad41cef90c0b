"""Figures of an evaluation, drawn with matplotlib and saved as deterministic SVG and PNG.

Every figure carries bilingual labels (中文 / English) in Noto Sans CJK, so one file serves
both languages. SVG output is byte-for-byte reproducible: a fixed ``svg.hashsalt``, no date
in the metadata, glyphs as paths (no font needed to view it). PNG carries no software tag.

A missing CJK font is an error, not a silent fallback to boxes: install ``fonts-noto-cjk``
(``scripts/install-system-deps.sh``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hkfactor._io import atomic_path, atomic_write
from hkfactor.errors import HKFactorError
from hkfactor.evaluation import Evaluation

__all__ = ["FIGURES", "Figure", "render_figures"]

#: Source-grade colours (A official, B media quoting official, C secondary, P paper, '' user/ungraded).
GRADE_COLOURS = {"A": "#1b7837", "B": "#2166ac", "C": "#e08214", "P": "#8c510a", "": "#6a6a6a"}
STATUS_COLOURS = {"missing": "#f0f0f0", "interpolated": "#f4a6b7", "carried": "#a77cc7"}
CHANNEL_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
_FONT_FAMILY = "Noto Sans CJK SC"

#: The figures, in report order: file stem → (title zh, title en).
FIGURES: dict[str, tuple[str, str]] = {
    "series": ("各指标时间序列（按来源等级着色）", "Each series over time, coloured by source grade"),
    "coverage": ("数据覆盖（指标 × 年份，按来源等级）", "Coverage: series × years, by source grade"),
    "channels": ("各渠道指数", "Channel profile: channel indices over time"),
    "coupling": ("耦合协调度 D 与协调等级", "Coupling coordination D against the coordination bands"),
    "attribution": ("趋势相似度（灰色关联度）与障碍度", "Trend similarity (grey relational grade) and obstacle degree"),
    "uncertainty": ("不确定性：不同方法组合下的 D", "Uncertainty: D over every recipe variant"),
}


@dataclass(frozen=True)
class Figure:
    """One rendered figure: its stem, inline SVG text, and the written files."""

    name: str
    title_zh: str
    title_en: str
    svg: str
    svg_path: Path | None
    png_path: Path | None


def _setup() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = next((p for p in _FONT_FILES if Path(p).exists()), None)
    if path is None:
        found = [f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name]
        if not found:
            raise HKFactorError(
                "Noto Sans CJK font not found (needed for Chinese labels); install the Debian package "
                "fonts-noto-cjk (scripts/install-system-deps.sh)"
            )
    else:
        font_manager.fontManager.addfont(path)
    plt.rcdefaults()
    plt.rcParams.update({
        "font.family": [_FONT_FAMILY, "Noto Sans CJK JP", "DejaVu Sans"],
        "font.size": 8.5,
        "axes.unicode_minus": False,
        "svg.hashsalt": "hkfactor",
        "svg.fonttype": "path",
        "path.simplify": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100,
    })
    return plt


def _bi(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def _label(ev: Evaluation, series: str) -> tuple[str, str, str]:
    row = ev.indicators.loc[ev.indicators["series"] == series].iloc[0]
    return str(row["name_zh"]), str(row["name_en"]), str(row["unit"])


def _fig_series(plt: Any, ev: Evaluation) -> Any:
    """Small multiples on a fixed grid (no tight_layout: it is slow with many axes)."""
    from matplotlib.ticker import MaxNLocator

    inds = ev.indicators
    cells = ev.panel.cells
    have = set(cells["series"])
    series = [s for s in inds["series"] if s in have]
    n = max(len(series), 1)
    ncol = 4
    nrow = int(np.ceil(n / ncol))
    cell_h, legend_h, width = 1.55, 0.55, 10.0
    height = cell_h * nrow + legend_h
    fig = plt.figure(figsize=(width, height))
    y0, y1 = int(cells["year"].min()), int(cells["year"].max())
    k0, k1 = min(ev.years), max(ev.years)
    for k, s in enumerate(series):
        row, col = divmod(k, ncol)
        left = (0.055 + col * 0.2425)
        bottom = (height - (row + 1) * cell_h + 0.22) / height
        ax = fig.add_axes((left, bottom, 0.185, (cell_h - 0.62) / height))
        ax.axvspan(k0 - 0.5, k1 + 0.5, color="#fff2cc", lw=0, zorder=0)
        d = cells[cells["series"] == s].sort_values("year")
        ax.plot(d["year"], d["value"], color="#999999", lw=0.7, zorder=1)
        ax.scatter(d["year"], d["value"], s=9, zorder=2,
                   c=[GRADE_COLOURS.get(str(g), GRADE_COLOURS[""]) for g in d["grade"]])
        if s in ev.filled.columns:
            for label, colour, marker in (("interpolated", "#b2182b", "o"), ("carried", "#7a0177", "D")):
                imp = ev.filled.index[ev.filled[s] == label]
                if len(imp):
                    ax.scatter(imp, ev.values.loc[imp, s], s=14, marker=marker, facecolors="none",
                               edgecolors=colour, zorder=3)
        zh, en, unit = _label(ev, s)
        used = inds.loc[inds["series"] == s, "status"].iloc[0] == "used"
        head = f"{zh}{'' if used else ' ✕'}"
        tail = f"{en[:38]}{'…' if len(en) > 38 else ''}" + (f" ({unit})" if unit else "")
        ax.set_title(f"{head}\n{tail}", fontsize=6.5, pad=2, color="black" if used else "#888888")
        ax.tick_params(labelsize=6, length=2, pad=1)
        ax.set_xlim(y0 - 0.5, y1 + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(4))
    handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=(g or "—")) for g, c in GRADE_COLOURS.items()]
    handles.append(plt.Line2D([], [], marker="o", ls="", mfc="none", mec="#b2182b", label="插值 interpolated *"))
    handles.append(plt.Line2D([], [], marker="D", ls="", mfc="none", mec="#7a0177", label="平推 carried †"))
    handles.append(plt.Rectangle((0, 0), 1, 1, color="#fff2cc", label="评价年份 years evaluated"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, frameon=False,
               title="来源等级 / source grade (✕ = 未使用 not used)", title_fontsize=7)
    return fig


def _fig_coverage(plt: Any, ev: Evaluation) -> Any:
    from matplotlib.colors import ListedColormap

    cov = ev.coverage
    series = list(dict.fromkeys(cov["series"]))
    years = sorted(cov["year"].unique())
    keys = ["missing", "interpolated", "carried", "A", "B", "C", "P", ""]
    code = {k: i for i, k in enumerate(keys)}
    mat = np.zeros((len(series), len(years)))
    for rec in cov.itertuples(index=False):
        key = rec.grade if rec.status == "observed" else rec.status
        mat[series.index(rec.series), years.index(rec.year)] = code.get(str(key), code[""])
    colours = [STATUS_COLOURS["missing"], STATUS_COLOURS["interpolated"], STATUS_COLOURS["carried"],
               *[GRADE_COLOURS[g] for g in keys[3:]]]
    fig, ax = plt.subplots(figsize=(10, 0.26 * len(series) + 1.5))
    ax.imshow(mat, cmap=ListedColormap(colours), vmin=-0.5, vmax=len(keys) - 0.5, aspect="auto",
              interpolation="nearest")
    ax.set_yticks(range(len(series)), series, fontsize=7)
    ax.set_xticks(range(len(years)), [str(y) for y in years], fontsize=7, rotation=90)
    for j, y in enumerate(years):
        if y not in ev.years:
            ax.axvspan(j - 0.5, j + 0.5, color="white", alpha=0.6, lw=0)
    used = set(ev.indicators.loc[ev.indicators["status"] == "used", "series"])
    for i, s in enumerate(series):
        if s not in used:
            ax.axhspan(i - 0.5, i + 0.5, color="white", alpha=0.6, lw=0)
    labels = ["缺失 missing", "插值 interpolated", "平推 carried", "A", "B", "C", "P", "未分级 ungraded"]
    handles = [plt.Rectangle((0, 0), 1, 1, color=c, label=lab) for c, lab in zip(colours, labels, strict=True)]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, frameon=False)
    ax.set_title("淡色 = 未进入评价 / faded = not in the analysis", fontsize=7.5)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def _chan_name(ev: Evaluation, cid: str) -> str:
    ch = ev.framework.channel(cid)
    return _bi(ch.name_zh, ch.name_en)


def _fig_channels(plt: Any, ev: Evaluation) -> Any:
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for k, cid in enumerate(ev.channel_index.columns):
        ax.plot(ev.channel_index.index, ev.channel_index[cid], marker="o", ms=3,
                color=CHANNEL_COLOURS[k % len(CHANNEL_COLOURS)], label=_chan_name(ev, cid))
    ax.plot(ev.coupling["year"], ev.coupling["U_sz"], color="black", ls="--", lw=1.4,
            label=_bi(f"{ev.framework.focal_zh}创新指数", f"{ev.framework.focal_en} innovation index"))
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("指数 / index (0–1)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def _fig_coupling(plt: Any, ev: Evaluation) -> Any:
    from hkfactor.evaluation._ops import band_edges

    cp = ev.coupling
    fig, ax = plt.subplots(figsize=(8, 4.2))
    greys = np.linspace(0.97, 0.82, 10)
    for k, (lo, hi, zh, en) in enumerate(band_edges()):
        ax.axhspan(lo, hi, color=str(round(float(greys[k]), 3)), lw=0, zorder=0)
        ax.text(1.005, (lo + hi) / 2, f"{zh} {en}", transform=ax.get_yaxis_transform(), fontsize=6,
                va="center", color="#555555")
    ax.plot(cp["year"], cp["U_hk"], color="#d62728", marker="s", ms=3, lw=1,
            label=_bi(f"{ev.framework.partner_zh}因素指数 U₁", f"{ev.framework.partner_en} factor index U₁"))
    ax.plot(cp["year"], cp["U_sz"], color="#1f77b4", marker="^", ms=3, lw=1,
            label=_bi(f"{ev.framework.focal_zh}创新指数 U₂", f"{ev.framework.focal_en} innovation index U₂"))
    ax.plot(cp["year"], cp["D"], color="black", marker="o", ms=4, lw=2, label="耦合协调度 D / coordination D")
    if "D_wang2021" in cp:
        ax.plot(cp["year"], cp["D_wang2021"], color="#555555", marker="o", ms=3, mfc="white", ls="--", lw=1.2,
                label="D（王淑佳等 2021 修正 C）/ D with Wang et al. (2021) C")
    ax.set_ylim(0, 1)
    ax.set_xlim(cp["year"].min() - 0.5, cp["year"].max() + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    fig.tight_layout(rect=(0, 0, 0.82, 1))
    return fig


def _fig_attribution(plt: Any, ev: Evaluation) -> Any:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [1, 1.5]})
    g = ev.grey.sort_values("grade")
    cols = {cid: CHANNEL_COLOURS[k % len(CHANNEL_COLOURS)] for k, cid in enumerate(ev.channel_index.columns)}
    a1.barh([_chan_name(ev, c) for c in g["channel"]], g["grade"], color=[cols[c] for c in g["channel"]])
    for y, v in enumerate(g["grade"]):
        a1.text(v + 0.01, y, f"{v:.3f}", va="center", fontsize=7)
    a1.set_xlim(0, 1.1)
    a1.set_title("趋势相似度（灰色关联度）\ntrend similarity (grey relational grade)", fontsize=8)
    ob = ev.obstacle
    bottom = np.zeros(len(ob))
    for cid in ob.columns:
        a2.bar(ob.index, ob[cid], bottom=bottom, color=cols[cid], label=_chan_name(ev, cid), width=0.8)
        bottom += ob[cid].to_numpy()
    carried_hk = ev.coupling.set_index("year")["n_carried_hk"] if "n_carried_hk" in ev.coupling else None
    for y, tot in zip(ob.index, bottom, strict=True):
        if carried_hk is not None and int(carried_hk.get(int(y), 0)) > 0:
            a2.text(y, 1.01, "†", ha="center", va="bottom", fontsize=10, color="#7a0177")
        if tot <= 0:  # every indicator at its best value: no obstacle at all
            a2.text(y, 0.5, "无障碍 none", rotation=90, ha="center", va="center", fontsize=6.5, color="#555555")
    a2.set_ylim(0, 1.08)
    a2.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    a2.set_title("障碍度（各年合计为1；† 输入含平推值，不作结论）\nobstacle degree (sums to 1 per year; † carried inputs, not a finding)",
                 fontsize=8)
    a2.xaxis.get_major_locator().set_params(integer=True)
    a2.legend(fontsize=6.5, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def _fig_uncertainty(plt: Any, ev: Evaluation) -> Any:
    rb = ev.robustness
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, key, lab in ((a1, "D", "耦合协调度 D / coordination D"),
                         (a2, "U_hk", _bi(f"{ev.framework.partner_zh}因素指数", f"{ev.framework.partner_en} factor index"))):
        ax.fill_between(rb["year"], rb[f"{key}_min"], rb[f"{key}_max"], color="#bdbdbd", alpha=0.7,
                        lw=0, label="最小–最大 / min–max")
        ax.plot(rb["year"], rb[f"{key}_median"], color="#636363", ls="--", lw=1, label="中位数 / median")
        if f"{key}_mc_q05" in rb:
            ax.plot(rb["year"], rb[f"{key}_mc_q05"], color="#2166ac", ls=":", lw=1.1,
                    label="蒙特卡洛 5%–95% / Monte Carlo 5–95 %")
            ax.plot(rb["year"], rb[f"{key}_mc_q95"], color="#2166ac", ls=":", lw=1.1)
        ax.plot(rb["year"], rb[key], color="black", marker="o", ms=3, lw=1.6, label="基准方案 / nominal")
        ax.set_ylim(0, 1)
        ax.set_title(lab, fontsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=6.5, frameon=False, loc="upper left")
    n = int(rb["n_variants"].iloc[0]) if len(rb) else 0
    fig.suptitle(f"{n} 种方法组合 / {n} recipe variants (normalisation × weighting × aggregation)", fontsize=8)
    fig.tight_layout()
    return fig


_DRAW = {
    "series": _fig_series,
    "coverage": _fig_coverage,
    "channels": _fig_channels,
    "coupling": _fig_coupling,
    "attribution": _fig_attribution,
    "uncertainty": _fig_uncertainty,
}

_SVG_HEAD = re.compile(r"^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*", re.S)


def _prefix_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and every reference to one) so several SVGs can share one page."""
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', svg)
    return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)


def render_figures(ev: Evaluation, out_dir: str | Path | None = None, *, dpi: int = 200) -> list[Figure]:
    """Draw every figure of :data:`FIGURES`; write ``<stem>.svg``/``.png`` into ``out_dir`` if given.

    Returns the figures with their SVG text (without XML prolog, ready to inline in HTML).
    Ids inside each SVG are prefixed with the figure name so several can share one page.
    """
    plt = _setup()
    out = Path(out_dir) if out_dir is not None else None
    figs: list[Figure] = []
    for name, (zh, en) in FIGURES.items():
        fig = _DRAW[name](plt, ev)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        svg = buf.getvalue()
        svg_path = png_path = None
        if out is not None:
            svg_path = out / f"{name}.svg"
            png_path = out / f"{name}.png"
            with atomic_write(svg_path) as fh:
                fh.write(svg)
            with atomic_path(png_path) as tmp:
                fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})
        plt.close(fig)
        inline = _prefix_ids(_SVG_HEAD.sub("", svg), name)
        figs.append(Figure(name, zh, en, inline, svg_path, png_path))
    return figs
