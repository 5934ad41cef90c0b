"""Small deterministic SVG charts for the reports: no plotting library, no fonts to embed.

Every label is written twice, as ``<text class="zh">`` and ``<text class="en">``, so the report's
language switch shows one of them; a standalone file carries a ``<style>`` that shows the
language it was written for. Axes are fitted to the data (no offsets such as ``1e10``) and
ticks are round numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["PALETTE", "Chart", "bars", "heatmap", "lines", "nice_ticks", "standalone"]

PALETTE = ("#1f5fa8", "#c8553d", "#2a9d8f", "#8d6cab", "#e9a23b", "#5c6b73", "#b5446e", "#3d8b37",
           "#9c6644", "#4a7fb0")
_FONT = "'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif"


@dataclass(frozen=True)
class Chart:
    """An SVG chart: ``svg`` (markup for inline use), titles in both languages, a file stem."""

    name: str
    title_zh: str
    title_en: str
    svg: str


def _t(x: float, y: float, zh: str, en: str, *, anchor: str = "middle", size: int = 11, cls: str = "",
       rotate: bool = False, weight: str = "normal") -> str:
    rot = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
    common = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}"{rot}'
    if zh == en:
        return f'<text {common} class="{cls}">{escape(en)}</text>'
    return (f'<text {common} class="zh {cls}">{escape(zh)}</text>'
            f'<text {common} class="en {cls}">{escape(en)}</text>')


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks: list[float] = []
    v = start
    while v <= hi + step * 0.5 and len(ticks) < 20:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _fmt_tick(v: float) -> str:
    if v == int(v) and abs(v) < 1e6:
        return f"{int(v):,}"
    return f"{v:.3g}"


def _svg(width: int, height: int, body: str, desc: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="{escape(desc)}" font-family="{_FONT}" class="chart">{body}</svg>')


def lines(
    name: str,
    x: Sequence[float],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    title: tuple[str, str],
    y_label: tuple[str, str] = ("", ""),
    band: tuple[Sequence[float], Sequence[float]] | None = None,
    band_label: tuple[str, str] = ("", ""),
    marks: Sequence[str] = (),
    y_range: tuple[float, float] | None = None,
    width: int = 720,
    height: int = 320,
) -> Chart:
    """Line chart of ``series`` (``(zh, en, values)``) over ``x`` (years), with an optional shaded
    ``band`` (low, high) around the first series and a mark (``*``, ``†``) above some x."""
    left, right, top, bottom = 56, 150, 34, 40
    pw, ph = width - left - right, height - top - bottom
    vals = [v for _z, _e, ys in series for v in ys if v is not None and math.isfinite(v)]
    if band is not None:
        vals += [v for arr in band for v in arr if math.isfinite(v)]
    lo, hi = y_range if y_range is not None else (min(vals, default=0.0), max(vals, default=1.0))
    ticks = nice_ticks(lo, hi)
    lo, hi = min(ticks[0], lo), max(ticks[-1], hi)
    x0, x1 = (min(x), max(x)) if len(x) > 1 else (x[0] - 1, x[0] + 1)

    def px(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def py(v: float) -> float:
        return top + ph - (v - lo) / ((hi - lo) or 1.0) * ph

    out = [_t(width / 2, 18, title[0], title[1], size=13, weight="bold")]
    for tv in ticks:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(tv):.1f}" y2="{py(tv):.1f}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{left - 6}" y="{py(tv) + 4:.1f}" text-anchor="end" font-size="10">{_fmt_tick(tv)}</text>')
    step = max(1, math.ceil(len(x) / 12))
    for i, xv in enumerate(x):
        if i % step == 0 or i == len(x) - 1:
            out.append(f'<text x="{px(xv):.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="10">'
                       f'{int(xv) if float(xv).is_integer() else xv}</text>')
        if i < len(marks) and marks[i]:
            out.append(f'<text x="{px(xv):.1f}" y="{top + 10}" text-anchor="middle" font-size="11" '
                       f'fill="#a33">{escape(marks[i])}</text>')
    if y_label[0] or y_label[1]:
        out.append(_t(14, top + ph / 2, y_label[0], y_label[1], rotate=True, size=10))
    if band is not None:
        pts = [f"{px(xv):.1f},{py(v):.1f}" for xv, v in zip(x, band[1], strict=True) if math.isfinite(v)]
        pts += [f"{px(xv):.1f},{py(v):.1f}" for xv, v in reversed(list(zip(x, band[0], strict=True))) if math.isfinite(v)]
        out.append(f'<polygon points="{" ".join(pts)}" fill="{PALETTE[0]}" fill-opacity="0.15" stroke="none"/>')
    ly = top + 8
    for k, (zh, en, ys) in enumerate(series):
        col = PALETTE[k % len(PALETTE)]
        pts = [f"{px(xv):.1f},{py(v):.1f}" for xv, v in zip(x, ys, strict=True) if v is not None and math.isfinite(v)]
        dash = ' stroke-dasharray="5 3"' if k >= len(PALETTE) else ""
        out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{col}" stroke-width="2"{dash}/>')
        for p in pts:
            cx, cy = p.split(",")
            out.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{col}"/>')
        out.append(f'<line x1="{left + pw + 10}" x2="{left + pw + 26}" y1="{ly}" y2="{ly}" stroke="{col}" '
                   'stroke-width="2"/>')
        out.append(_t(left + pw + 30, ly + 4, zh, en, anchor="start", size=10))
        ly += 16
    if band is not None:
        out.append(f'<rect x="{left + pw + 10}" y="{ly - 6}" width="16" height="10" fill="{PALETTE[0]}" '
                   'fill-opacity="0.15"/>')
        out.append(_t(left + pw + 30, ly + 4, band_label[0], band_label[1], anchor="start", size=10))
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#999"/>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#999"/>')
    return Chart(name, title[0], title[1], _svg(width, height, "".join(out), title[1]))


def bars(
    name: str,
    labels: Sequence[tuple[str, str]],
    values: Sequence[float],
    *,
    title: tuple[str, str],
    lo: Sequence[float] | None = None,
    hi: Sequence[float] | None = None,
    ref: tuple[float, str, str] | None = None,
    x_range: tuple[float, float] | None = None,
    width: int = 720,
) -> Chart:
    """Horizontal bars (largest first as given), with optional whiskers ``lo``–``hi`` and a vertical
    reference line ``ref = (value, zh, en)`` (e.g. a trend benchmark)."""
    n = len(values)
    left, right, top, bottom = 170, 60, 34, 30
    row = 22
    height = top + bottom + row * max(n, 1)
    pw = width - left - right
    allv = [v for v in values if math.isfinite(v)] + [v for a in (lo or []) for v in [a] if math.isfinite(v)]
    allv += [v for v in (hi or []) if math.isfinite(v)] + ([ref[0]] if ref else [])
    a, b = x_range if x_range is not None else (min(0.0, min(allv, default=0.0)), max(allv, default=1.0))
    ticks = nice_ticks(a, b)
    a, b = min(ticks[0], a), max(ticks[-1], b)

    def px(v: float) -> float:
        return left + (v - a) / ((b - a) or 1.0) * pw

    out = [_t(width / 2, 18, title[0], title[1], size=13, weight="bold")]
    for tv in ticks:
        out.append(f'<line x1="{px(tv):.1f}" x2="{px(tv):.1f}" y1="{top}" y2="{height - bottom}" stroke="#eee"/>')
        out.append(f'<text x="{px(tv):.1f}" y="{height - bottom + 14}" text-anchor="middle" font-size="10">'
                   f'{_fmt_tick(tv)}</text>')
    for i, ((zh, en), v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        out.append(_t(left - 6, y + 15, zh, en, anchor="end", size=10))
        if math.isfinite(v):
            x0 = px(max(a, 0.0))
            out.append(f'<rect x="{min(x0, px(v)):.1f}" y="{y + 4}" width="{abs(px(v) - x0):.1f}" height="14" '
                       f'fill="{PALETTE[0]}" fill-opacity="0.8"/>')
            out.append(f'<text x="{px(v) + 4:.1f}" y="{y + 15}" font-size="9" fill="#333">{v:.3f}</text>')
        if lo is not None and hi is not None and math.isfinite(lo[i]) and math.isfinite(hi[i]):
            out.append(f'<line x1="{px(lo[i]):.1f}" x2="{px(hi[i]):.1f}" y1="{y + 11}" y2="{y + 11}" '
                       'stroke="#222" stroke-width="1.5"/>')
    if ref is not None:
        out.append(f'<line x1="{px(ref[0]):.1f}" x2="{px(ref[0]):.1f}" y1="{top - 4}" y2="{height - bottom}" '
                   'stroke="#c8553d" stroke-dasharray="4 3" stroke-width="1.5"/>')
        out.append(_t(px(ref[0]), top - 6, ref[1], ref[2], size=9, cls="ref"))
    return Chart(name, title[0], title[1], _svg(width, height, "".join(out), title[1]))


def heatmap(
    name: str,
    rows: Sequence[tuple[str, str]],
    cols: Sequence[str],
    cells: Sequence[Sequence[str]],
    colours: dict[str, str],
    legend: Sequence[tuple[str, str, str]],
    *,
    title: tuple[str, str],
    width: int = 720,
) -> Chart:
    """Rows × columns of categorical cells (``cells[i][j]`` a key of ``colours``), with a legend
    ``(key, zh, en)``."""
    left, top, bottom = 210, 40, 40
    cw = max(6.0, min(28.0, (width - left - 20) / max(len(cols), 1)))
    ch = 16
    height = int(top + bottom + ch * len(rows))
    out = [_t(width / 2, 18, title[0], title[1], size=13, weight="bold")]
    step = max(1, math.ceil(len(cols) * 28 / (width - left)))
    for j, c in enumerate(cols):
        if j % step == 0:
            out.append(f'<text x="{left + j * cw + cw / 2:.1f}" y="{top - 6}" text-anchor="middle" font-size="9">'
                       f'{escape(str(c))}</text>')
    for i, (zh, en) in enumerate(rows):
        y = top + i * ch
        out.append(_t(left - 4, y + 12, zh, en, anchor="end", size=9))
        for j, key in enumerate(cells[i]):
            out.append(f'<rect x="{left + j * cw:.1f}" y="{y}" width="{cw - 1:.1f}" height="{ch - 1}" '
                       f'fill="{colours.get(key, "#fff")}"><title>{escape(str(cols[j]))}: {escape(key)}</title></rect>')
    x = left
    for key, zh, en in legend:
        out.append(f'<rect x="{x}" y="{height - 22}" width="12" height="12" fill="{colours[key]}"/>')
        out.append(_t(x + 16, height - 12, zh, en, anchor="start", size=9))
        x += 16 + 6 * max(len(en), 2 * len(zh)) + 12
    return Chart(name, title[0], title[1], _svg(width, height, "".join(out), title[1]))


def standalone(chart: Chart, lang: str) -> str:
    """The chart as a file: XML header and a style showing ``lang`` only."""
    hide = "en" if lang == "zh" else "zh"
    svg = chart.svg.replace('class="chart">', f'class="chart"><style>.{hide}{{display:none}}</style>', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"
