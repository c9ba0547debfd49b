"""A small SVG writer for report charts: line charts, histograms, prediction grids.

Reports are self-contained and must open from disk without a network, so charts are inline
SVG built here rather than images from a plotting library. Every label is escaped; numbers are
formatted with a fixed precision so that the same data always gives the same bytes (golden
tests depend on it). Margins are generous on every side so that titles and tick labels are
never clipped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from markupsafe import Markup, escape

#: colours of the series, colour-blind friendly (Okabe-Ito)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: two classes of a decision boundary: light fills, with the points drawn darker on top
CLASS_FILL = ("#cfe3f5", "#f8d9c4", "#d3eedf", "#f0d7e6")
CLASS_MARK = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")

MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 24, 40, 52


def _n(x: float) -> str:
    """A coordinate: one decimal (a tenth of a pixel is plenty), no trailing '.0', no '-0'."""
    s = f"{x:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


def tick_label(x: float) -> str:
    """A short, stable label for an axis value."""
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-3:
        return f"{x:.1e}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")
    return f"{x:.4g}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (about `count` of them)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    t = first
    while t <= hi + step * 1e-9 and len(ticks) < 50:
        ticks.append(round(t, 12))
        t += step
    return ticks


@dataclass
class Frame:
    """The plot area inside an SVG of `width` × `height`, mapping data to pixels."""

    width: int
    height: int
    x_lo: float
    x_hi: float
    y_lo: float
    y_hi: float

    @property
    def left(self) -> float:
        return MARGIN_LEFT

    @property
    def right(self) -> float:
        return self.width - MARGIN_RIGHT

    @property
    def top(self) -> float:
        return MARGIN_TOP

    @property
    def bottom(self) -> float:
        return self.height - MARGIN_BOTTOM

    def x(self, v: float) -> float:
        span = (self.x_hi - self.x_lo) or 1.0
        return self.left + (v - self.x_lo) / span * (self.right - self.left)

    def y(self, v: float) -> float:
        span = (self.y_hi - self.y_lo) or 1.0
        return self.bottom - (v - self.y_lo) / span * (self.bottom - self.top)


def _open(width: int, height: int, title: str, css_class: str) -> list[str]:
    # role=img + <title>: screen readers announce the chart by its title
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css_class)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
            f"<title>{escape(title)}</title>",
            f'<text class="chart-title" x="{_n(width / 2)}" y="22" text-anchor="middle">{escape(title)}</text>']


def _axes(f: Frame, xticks: Sequence[float], yticks: Sequence[float], x_label: str, y_label: str,
          y_fmt=tick_label) -> list[str]:
    out = [f'<g class="axes" stroke="#8a93a6" stroke-width="1">',
           f'<line x1="{_n(f.left)}" y1="{_n(f.bottom)}" x2="{_n(f.right)}" y2="{_n(f.bottom)}"/>',
           f'<line x1="{_n(f.left)}" y1="{_n(f.top)}" x2="{_n(f.left)}" y2="{_n(f.bottom)}"/>', "</g>",
           '<g class="ticks" font-size="11" fill="#4a5266">']
    for t in xticks:
        out.append(f'<text x="{_n(f.x(t))}" y="{_n(f.bottom + 16)}" text-anchor="middle">{escape(tick_label(t))}</text>')
    for t in yticks:
        out.append(f'<text x="{_n(f.left - 6)}" y="{_n(f.y(t) + 4)}" text-anchor="end">{escape(y_fmt(t))}</text>')
        out.append(f'<line x1="{_n(f.left)}" y1="{_n(f.y(t))}" x2="{_n(f.right)}" y2="{_n(f.y(t))}" '
                   'stroke="#e3e6ee" stroke-width="1"/>')
    out.append("</g>")
    if x_label:
        out.append(f'<text class="axis-label" x="{_n((f.left + f.right) / 2)}" y="{_n(f.height - 12)}" '
                   f'text-anchor="middle" font-size="12">{escape(x_label)}</text>')
    if y_label:
        cy = (f.top + f.bottom) / 2
        out.append(f'<text class="axis-label" x="14" y="{_n(cy)}" text-anchor="middle" font-size="12" '
                   f'transform="rotate(-90 14 {_n(cy)})">{escape(y_label)}</text>')
    return out


def _finite(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]


def line_chart(series: dict[str, Sequence[float]], title: str, x_label: str = "", y_label: str = "",
               log_y: bool = False, width: int = 420, height: int = 260) -> Markup:
    """Lines through y-values at x = 0, 1, 2, ... (one per series), with a legend.

    Non-finite values (a diverging loss) break the line instead of breaking the chart; with
    `log_y` non-positive values are dropped as well.
    """
    def tr(v: float) -> float | None:
        if not isinstance(v, (int, float)) or not math.isfinite(v):
            return None
        if log_y:
            return math.log10(v) if v > 0 else None
        return float(v)

    transformed = {name: [tr(v) for v in vals] for name, vals in series.items()}
    ys = [v for vals in transformed.values() for v in vals if v is not None]
    n = max((len(v) for v in transformed.values()), default=0)
    out = _open(width, height, title, "line-chart")
    if not ys or n == 0:
        out.append(f'<text x="{_n(width / 2)}" y="{_n(height / 2)}" text-anchor="middle" fill="#5a6275">no data</text>')
        return Markup("\n".join(out + ["</svg>"]))
    y_lo, y_hi = min(ys), max(ys)
    if y_hi == y_lo:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    pad = (y_hi - y_lo) * 0.05
    f = Frame(width, height, 0, max(1, n - 1), y_lo - pad, y_hi + pad)
    xt = [t for t in nice_ticks(0, max(1, n - 1), 5) if float(t).is_integer()]
    if log_y:
        yt = [float(e) for e in range(math.ceil(f.y_lo), math.floor(f.y_hi) + 1)] or [round(y_lo, 2)]
        out += _axes(f, xt, yt, x_label, y_label, y_fmt=lambda t: tick_label(10 ** t))
    else:
        out += _axes(f, xt, nice_ticks(f.y_lo, f.y_hi, 4), x_label, y_label)
    for i, (name, vals) in enumerate(transformed.items()):
        colour = PALETTE[i % len(PALETTE)]
        dash = "" if i == 0 else ' stroke-dasharray="6 3"'
        segments: list[list[str]] = [[]]
        for j, v in enumerate(vals):
            if v is None:
                segments.append([])
            else:
                segments[-1].append(f"{_n(f.x(j))},{_n(f.y(v))}")
        for seg in segments:
            if len(seg) == 1:
                x, y = seg[0].split(",")
                out.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>')
            elif seg:
                out.append(f'<polyline class="series" data-series="{escape(name)}" fill="none" stroke="{colour}" '
                           f'stroke-width="2"{dash} points="{" ".join(seg)}"/>')
        # legend, top right inside the plot area
        ly = f.top + 6 + 16 * i
        out.append(f'<line x1="{_n(f.right - 110)}" y1="{_n(ly)}" x2="{_n(f.right - 90)}" y2="{_n(ly)}" '
                   f'stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{_n(f.right - 86)}" y="{_n(ly + 4)}" font-size="11">{escape(name)}</text>')
    return Markup("\n".join(out + ["</svg>"]))


def histogram(values: Sequence[float], title: str, lo: float, hi: float, bins: int = 10,
              x_label: str = "", y_label: str = "students", width: int = 480, height: int = 260) -> Markup:
    """Counts of `values` in `bins` equal bins over [lo, hi] (the last bin includes `hi`)."""
    vals = _finite(values)
    if hi <= lo:
        hi = lo + 1
    counts = [0] * bins
    for v in vals:
        k = int((v - lo) / (hi - lo) * bins)
        counts[min(bins - 1, max(0, k))] += 1
    top = max(counts, default=0) or 1
    f = Frame(width, height, lo, hi, 0, top * 1.1)
    out = _open(width, height, title, "histogram")
    yt = [t for t in nice_ticks(0, top, 4) if float(t).is_integer()]
    edges = [lo + (hi - lo) * k / bins for k in range(bins + 1)]
    step = max(1, bins // 5)
    out += _axes(f, edges[::step] if edges[-1] in edges[::step] else edges[::step] + [edges[-1]], yt,
                 x_label, y_label)
    for k, c in enumerate(counts):
        x0, x1 = f.x(edges[k]) + 1, f.x(edges[k + 1]) - 1
        y0 = f.y(c)
        out.append(f'<rect class="bar" x="{_n(x0)}" y="{_n(y0)}" width="{_n(max(0.0, x1 - x0))}" '
                   f'height="{_n(f.bottom - y0)}" fill="{PALETTE[0]}" data-count="{c}">'
                   f"<title>{escape(tick_label(edges[k]))}–{escape(tick_label(edges[k + 1]))}: {c}</title></rect>")
        if c:
            out.append(f'<text x="{_n((x0 + x1) / 2)}" y="{_n(y0 - 4)}" text-anchor="middle" font-size="10" '
                       f'fill="#333a48">{c}</text>')
    return Markup("\n".join(out + ["</svg>"]))


def prediction_grid(grid: Sequence[Sequence[int]], title: str, x_range: Sequence[float],
                    y_range: Sequence[float], points: Sequence[Sequence[float]] = (),
                    x_label: str = "x₁", y_label: str = "x₂", size: int = 300) -> Markup:
    """A decision boundary: cell (row r, column c) of `grid` is the predicted class at
    x = x_range interpolated over columns, y = y_range over rows (row 0 at the bottom),
    with the data `points` ([x, y, class]) drawn on top."""
    rows = len(grid)
    cols = max((len(r) for r in grid), default=0)
    width = size + MARGIN_LEFT + MARGIN_RIGHT
    height = size + MARGIN_TOP + MARGIN_BOTTOM
    f = Frame(width, height, float(x_range[0]), float(x_range[1]), float(y_range[0]), float(y_range[1]))
    out = _open(width, height, title, "decision-boundary")
    if rows and cols:
        cw = (f.right - f.left) / cols
        ch = (f.bottom - f.top) / rows
        out.append('<g class="cells" shape-rendering="crispEdges">')
        for r, row in enumerate(grid):
            c = 0
            while c < len(row):  # one rectangle per run of equal cells keeps pages small
                run = 1
                while c + run < len(row) and row[c + run] == row[c]:
                    run += 1
                cls = row[c]
                k = int(cls) if isinstance(cls, (int, float)) and math.isfinite(cls) else -1
                fill = CLASS_FILL[k % len(CLASS_FILL)] if k >= 0 else "#ffffff"
                out.append(f'<rect x="{_n(f.left + c * cw)}" y="{_n(f.bottom - (r + 1) * ch)}" '
                           f'width="{_n(run * cw + 0.5)}" height="{_n(ch + 0.5)}" fill="{fill}"/>')
                c += run
        out.append("</g>")
    out += _axes(f, nice_ticks(f.x_lo, f.x_hi, 4), nice_ticks(f.y_lo, f.y_hi, 4), x_label, y_label)
    out.append('<g class="points" stroke="#ffffff" stroke-width="0.8">')
    for p in points:
        if len(p) < 3 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in p[:3]):
            continue
        x, y, k = float(p[0]), float(p[1]), int(p[2])
        if not (f.x_lo <= x <= f.x_hi and f.y_lo <= y <= f.y_hi):
            continue
        out.append(f'<circle cx="{_n(f.x(x))}" cy="{_n(f.y(y))}" r="3.5" fill="{CLASS_MARK[k % len(CLASS_MARK)]}"/>')
    out.append("</g>")
    return Markup("\n".join(out + ["</svg>"]))
