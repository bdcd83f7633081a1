"""Horizontal bar charts written as SVG directly: stacked bars, simple bars, tornado and ranked (grouped) bars.

The reports' bar charts are a title, a legend, labelled rows of rectangles and an x axis.  Written here, with the
text measured in DejaVu Sans's own advance widths (the font file matplotlib ships, read with fontTools, which
WeasyPrint imports anyway), they need no matplotlib: a report's PDF process no longer imports it (0.57 s) nor draws
four figures with it (60-130 ms each, on the report's critical path), and WeasyPrint lays out SVGs of about 60
plain elements instead of 200-260 nested, style-attributed ones.  The other charts (histogram, scatter, heat map,
timeline, hourly) stay matplotlib's (:mod:`pipeline.report.charts`).

Each chart function takes the chart's id first, as :mod:`pipeline.report.charts`' functions do (these SVGs need
none: they have no ids).  Coordinates are points (1/72 in): the charts are :data:`WIDTH` wide and as tall as their rows need, text in
DejaVu Sans at 9 pt (axes), 8 pt (legends, values) and 10 pt bold (titles), the sizes of the matplotlib charts
before them.  User text (labels, titles, units) is escaped.  The SVGs have no ids (hatches are drawn as lines), so
that any number of them live in one HTML page.  Same arguments, same bytes.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

#: Chart width in points: the matplotlib charts' width after their tight crop, so text keeps its size on the page
#: (the PDF shows charts at 82 % of the text column, about this wide).
WIDTH = 414.0
FONT = "DejaVu Sans"
INK = "#1d2430"
AXIS = "#555555"
WHISKER = "#333333"
#: Row labels longer than this wrap onto further lines (the plot keeps its width and the text its size).
WRAP = 36
LINE = 10.8  # the line pitch of 9 pt labels

#: Colours ordered by lightness within each chart (dark, mid, light), so that a greyscale print keeps segments
#: apart; the segments that sit side by side in one chart also get distinct hatches (``HATCH``).
PALETTE = {"accelerators": "#1f4e79", "hosts": "#5b9bd5", "overhead": "#c6dbef", "grid": "#3d4450",
           "ppa": "#a8dcb4", "onsite": "#c0504d", "water_onsite": "#08519c", "water_grid": "#6baed6",
           "water_plant": "#c6dbef", "embodied": "#8064a2", "market": "#9ecae1"}
HATCH = {"grid": "", "ppa": "//", "onsite": "xx", "overhead": "\\\\", "hosts": "", "accelerators": "",
         "water_onsite": "", "water_grid": "//", "water_plant": "\\\\", "market": "//"}
#: The spacing of each hatch's lines along x (in points) and their directions: +1 rising (/), -1 falling (\\).
_HATCHES = {"//": (6.0, (1,)), "\\\\": (3.0, (-1,)), "xx": (6.0, (1, -1))}


def hatch_path(x: float, y: float, w: float, h: float, hatch: str) -> str:
    """The path data of ``hatch`` over the rectangle (x, y, w, h): diagonal segments clipped to it, on one grid for
    the whole chart (so neighbouring bars' lines meet); drawn as lines, not as a tiled pattern, which viewers
    render with faint seams between the tiles."""
    step, directions = _HATCHES.get(hatch, _HATCHES["//"])
    out = []
    for d in directions:
        if d > 0:  # x + y = c
            for k in range(math.ceil((x + y) / step), math.floor((x + w + y + h) / step) + 1):
                c = k * step
                xa, xb = max(x, c - y - h), min(x + w, c - y)
                if xb > xa:
                    out.append(f"M{_f(xa)} {_f(c - xa)}L{_f(xb)} {_f(c - xb)}")
        else:  # x - y = c
            for k in range(math.ceil((x - y - h) / step), math.floor((x + w - y) / step) + 1):
                c = k * step
                xa, xb = max(x, c + y), min(x + w, c + y + h)
                if xb > xa:
                    out.append(f"M{_f(xa)} {_f(xa - c)}L{_f(xb)} {_f(xb - c)}")
    return "".join(out)


def ink(colour: str) -> str:
    """Dark or white text, whichever reads on a fill of ``colour`` (relative luminance)."""
    c = colour.lstrip("#")
    if len(c) != 6:
        return INK
    r, g, b = (int(c[k:k + 2], 16) / 255 for k in (0, 2, 4))
    return INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def num(x: float) -> str:
    """A bar label with at most 3 significant figures."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else "–"
    r = float(f"{x:.3g}")
    return f"{r:,.{max(0, 2 - math.floor(math.log10(abs(r))))}f}"


def tick(x: float, _pos: object = None) -> str:
    """An axis tick: as few decimals as the tick itself needs (0, 20, 40 ... 120; 0.5, 1, 1.5), thousands
    separated; ticks are round numbers already, so no rounding to significant figures (which printed 20.0 beside
    100)."""
    r = float(f"{x:.6g}")
    return f"{r:,.0f}" if r.is_integer() else f"{r:,.6f}".rstrip("0")


@functools.cache
def _advances(bold: bool) -> tuple[dict[int, int], float, int]:
    """DejaVu Sans's (or its bold's) advance width of each character, its units per em, and a fallback width for
    characters it lacks (its zero's): read once per process from matplotlib's copy of the font."""
    from fontTools.ttLib import TTFont

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError("matplotlib is not installed: its copy of DejaVu Sans measures the charts' text")
    path = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    font = TTFont(path, lazy=True)
    hmtx = font["hmtx"].metrics
    widths = {code: hmtx[glyph][0] for code, glyph in font.getBestCmap().items()}
    return widths, float(font["head"].unitsPerEm), widths[ord("0")]


def warm() -> None:
    """Read the fonts' widths now (e.g. in the PDF worker while it waits), not when the first chart is drawn."""
    _advances(False)
    _advances(True)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in points of one line of ``text`` set in DejaVu Sans at ``size`` points (kerning left out)."""
    widths, upm, fallback = _advances(bold)
    return sum(widths.get(ord(ch), fallback) for ch in text) * size / upm


def ticks(lo: float, hi: float, length: float, intervals: int = 9) -> list[float]:
    """Round tick values in [lo, hi] for an axis ``length`` points long: steps of 1, 2, 2.5 or 5 times a power of
    ten, at most one per 30 points and at most ``intervals`` + 1 ticks (matplotlib's ``MaxNLocator`` rule)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    intervals = max(2, min(intervals, int(length // 30)))
    raw = (hi - lo) / intervals
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9)
    return [round(k * step, 12) for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def _f(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _lines(label: str) -> list[str]:
    """A row label as the lines it is set in: shortened past 60 characters, filled to lines of :data:`WRAP`
    characters at spaces, and inside a longer word after its commas, semicolons or slashes
    (``mix:coal=0.2,gas=0.3,`` | ``nuclear=0.4,hydro=0.1``), never inside a number or a name."""
    label = textwrap.shorten(label, 60, placeholder="…") if len(label) > 60 else label
    lines = [""]
    for k, word in enumerate(label.split()):
        parts = re.findall(r"[^,;/]+[,;/]*|[,;/]+", word) if len(word) > WRAP else [word]
        for j, part in enumerate(parts):
            glue = " " if k and not j and lines[-1] else ""
            if lines[-1] and len(lines[-1]) + len(glue) + len(part) > WRAP:
                lines.append(part)
            else:
                lines[-1] += glue + part
    return lines if lines[0] else [label]


class _Chart:
    """One chart being written: its elements and, once laid out, the plot's geometry."""

    def __init__(self) -> None:
        self.body: list[str] = []
        self.left = self.right = self.top = self.bottom = 0.0
        self.lo, self.hi = 0.0, 1.0
        self.frame = ""  # the spines and tick marks, drawn over the bars
        self.pad = 0.0  # points between the spine and the axis's lowest value (room for a negative bar's number)

    def box(self, x: float, y: float, w: float, h: float, colour: str, hatch: str = "", edge: str = "") -> None:
        """A rectangle of ``colour`` (outlined in ``edge``), under white ``hatch`` lines if any."""
        self.rect(x, y, w, h, colour, edge)
        if hatch and w > 0 and h > 0:
            self.path(hatch_path(x, y, w, h, hatch), "white")

    def text(self, x: float, y: float, text: str, size: float = 9, anchor: str = "start", bold: bool = False,
             colour: str = INK) -> None:
        attrs = f'x="{_f(x)}" y="{_f(y)}" font-size="{_f(size)}"'
        attrs += ' font-weight="bold"' if bold else ""
        attrs += f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += f' fill="{colour}"' if colour != INK else ""
        self.body.append(f"<text {attrs}>{escape(text)}</text>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str = "") -> None:
        """A plain rectangle (``box`` for a bar)."""
        edge = f' stroke="{stroke}" stroke-width="0.6"' if stroke else ""
        self.body.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" fill="{fill}"{edge}/>')

    def path(self, d: str, colour: str, width: float = 0.8) -> None:
        self.body.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{_f(width)}"/>')

    def x(self, value: float) -> float:
        """The horizontal position of ``value`` in the plot (``lo`` at ``pad`` points right of the spine)."""
        start = self.left + self.pad
        return start + (value - self.lo) / (self.hi - self.lo) * (self.right - start)

    def head(self, title: str, legend: Sequence[tuple[str, str, str]], rows: Sequence[list[str]]) -> float:
        """The title, then the legend's (name, colour, hatch) items in as many rows as they need, both from the
        plot's left edge (as matplotlib's charts have them) or further left if the title would not fit; returns the
        y where the plot can start."""
        start = max(0.0, min(_plot_left(rows), WIDTH - text_width(title, 10, bold=True)))
        self.text(start, 11, title, size=10, bold=True)
        legend = [(_fit(name, 8, WIDTH - 18), colour, hatch) for name, colour, hatch in legend]
        widest = max((18 + text_width(name, 8) for name, _, _ in legend), default=0.0)
        start = max(0.0, min(start, WIDTH - widest))  # and the legend's widest item fits on a row
        y, x = 15.0, start
        if legend:
            for name, colour, hatch in legend:
                item = 18 + text_width(name, 8)
                if x > start and x + item > WIDTH:
                    x, y = start, y + 12
                self.box(x, y + 1.5, 14, 7, colour, hatch)
                self.text(x + 18, y + 8.5, name, size=8)
                x += item + 12
            y += 12
        return y + 5

    def axes(self, top: float, rows: Sequence[list[str]], pitch: float, lo: float, hi: float,
             pad: float = 0.0) -> list[float]:
        """Lay out the plot below ``top``: one row of ``pitch`` points per label (their lines wrapped), x from
        ``lo`` (``pad`` points right of the left spine) to ``hi``; draws the row labels, spines, ticks and their
        labels; returns the rows' centres."""
        self.lo, self.hi = (lo, hi) if hi > lo else (lo, lo + 1.0)
        self.pad = pad
        self.left = _plot_left(rows)
        values: list[float] = []
        for most in range(9, 1, -1):  # fewer ticks until their labels are a word space apart
            values = ticks(self.lo, self.hi, WIDTH - 2 - self.left - pad, most)
            widths = [text_width(tick(v), 9) for v in values]
            self.right = WIDTH - 2 - (widths[-1] / 2 if widths else 0.0)  # room for the last label
            if len(values) < 2 or self.x(values[1]) - self.x(values[0]) >= max(widths) + 9:
                break
        self.top, self.bottom = top, top + pitch * len(rows)
        centres = [top + pitch * (k + 0.5) for k in range(len(rows))]
        for cy, lines in zip(centres, rows, strict=True):
            for j, line in enumerate(lines):
                self.text(self.left - 7, cy + (j - (len(lines) - 1) / 2) * LINE + 3.2, line, anchor="end")
        marks = [f"M{_f(self.left - 3.5)} {_f(cy)}H{_f(self.left)}" for cy in centres]
        marks += [f"M{_f(self.x(v))} {_f(self.bottom)}V{_f(self.bottom + 3.5)}" for v in values]
        self.frame = f"M{_f(self.left)} {_f(self.top)}V{_f(self.bottom)}H{_f(self.right)}" + "".join(marks)
        for v in values:
            self.text(self.x(v), self.bottom + 14, tick(v), anchor="middle")
        return centres

    def zero_line(self) -> None:
        """The line at 0 when the axis starts below it (bars run both ways from there)."""
        if self.lo < 0 < self.hi:
            self.path(f"M{_f(self.x(0))} {_f(self.top)}V{_f(self.bottom)}", AXIS)

    def svg(self, unit: str) -> str:
        """The whole SVG, with ``unit`` under the x axis."""
        self.text((self.left + self.right) / 2, self.bottom + 27, unit, anchor="middle")
        height = self.bottom + 31
        if self.frame:
            self.path(self.frame, AXIS)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(WIDTH)} {_f(height)}" '
                f'font-family="{FONT}" fill="{INK}">' + "".join(self.body) + "</svg>")


def _fit(text: str, size: float, width: float) -> str:
    """``text``, cut short with "…" if it is wider than ``width`` points at ``size``."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _plot_left(rows: Sequence[list[str]]) -> float:
    """Where the plot starts: right of its row labels (9 pt, right-aligned 7 points before the spine)."""
    return 2 + max((text_width(line, 9) for lines in rows for line in lines), default=0.0) + 7


def _span(values: Sequence[float], size: float) -> tuple[float, float, float]:
    """The x range of bars from 0 to ``values`` and the padding left of it: 0 (or the lowest value) to the
    largest plus 18 %, room for the numbers printed beyond the bars' ends; a negative bar's number, at ``size``
    points, gets its room as padding left of the lowest value."""
    lo, hi = min(min(values, default=0.0), 0.0), max(max(values, default=0.0), 0.0) * 1.18
    pad = text_width(num(lo), size) + 6 if lo < 0 else 0.0
    return (lo, hi, pad) if hi > lo else (0.0, 1.0, 0.0)


def _finite(values: Sequence[float]) -> list[float]:
    return [float(v) if v is not None and math.isfinite(v) else 0.0 for v in values]


def stacked_bars(prefix: str, title: str, rows: Sequence[str], segments: Sequence[tuple[str, str, Sequence[float]]],
                 unit: str) -> str:
    """Horizontal stacked bars: one bar per row label, one segment per (name, colour key, values); a segment that
    is zero in every row is left out, legend included; a segment wider than an eighth of its bar is labelled."""
    segments = [(name, key, _finite(values)) for name, key, values in segments]
    total = [sum(seg[2][i] for seg in segments) for i in range(len(rows))]
    segments = [seg for seg in segments if any(segment for segment in seg[2])]
    c = _Chart()
    labels = [_lines(r) for r in rows]
    top = c.head(title, [(name, PALETTE.get(key, key), HATCH.get(key, "")) for name, key, _ in segments], labels)
    pitch = 34 + LINE * (max((len(lines) for lines in labels), default=1) - 1)
    peak = max(total, default=0.0)
    centres = c.axes(top, labels, pitch, 0.0, peak * 1.05 if peak > 0 else 1.0)
    thick = 0.6 * pitch if len(rows) > 1 else 20.0
    left = [0.0] * len(rows)
    for _, key, values in segments:
        colour, hatch = PALETTE.get(key, key), HATCH.get(key, "")
        for i, (cy, v) in enumerate(zip(centres, values, strict=True)):
            if v <= 0:
                continue
            x0, x1 = c.x(left[i]), c.x(left[i] + v)
            c.box(x0, cy - thick / 2, x1 - x0, thick, colour, hatch, edge="white")
            if total[i] > 0 and v / total[i] > 0.12:
                label, mid = num(v), (x0 + x1) / 2
                if hatch:  # on a hatched segment the number sits on a plain patch of its colour
                    w = text_width(label, 8)
                    c.rect(mid - w / 2 - 1.5, cy - 5.5, w + 3, 10, colour)
                c.text(mid, cy + 2.9, label, size=8, anchor="middle", colour=ink(colour))
            left[i] += v
    return c.svg(unit)


def bars(prefix: str, title: str, labels: Sequence[str], values: Sequence[float], unit: str,
         colour: str = "accelerators") -> str:
    """Simple horizontal bars with their values printed at their ends; long names wrap onto further lines."""
    values = _finite(values)
    c = _Chart()
    lines = [_lines(lb) for lb in labels]
    top = c.head(title, [], lines)
    pitch = 24 + LINE * (max((len(ls) for ls in lines), default=1) - 1)
    centres = c.axes(top, lines, pitch, *_span(values, 8))
    fill = PALETTE.get(colour, colour)
    for cy, v in zip(centres, values, strict=True):
        x0, x1 = sorted((c.x(0), c.x(v)))
        c.rect(x0, cy - 0.3 * pitch, x1 - x0, 0.6 * pitch, fill)
        c.text(c.x(v) + (3 if v >= 0 else -3), cy + 2.9, num(v), size=8, anchor="start" if v >= 0 else "end")
    c.zero_line()
    return c.svg(unit)


def tornado(prefix: str, title: str, labels: Sequence[str], lows: Sequence[float], highs: Sequence[float],
            base: float, unit: str) -> str:
    """Tornado chart: for each input, a bar from the metric at the input's P5 (hatched) to its P95 (plain),
    either side of the metric at central inputs (the vertical line)."""
    lows, highs = _finite(lows), _finite(highs)
    c = _Chart()
    p5, p95 = (PALETTE["hosts"], "//"), (PALETTE["accelerators"], "")
    lines = [_lines(lb) for lb in labels]
    top = c.head(title, [("input at its P5", *p5), ("input at its P95", *p95)], lines)
    pitch = 24 + LINE * (max((len(ls) for ls in lines), default=1) - 1)
    lo, hi = min([base, *lows, *highs]), max([base, *lows, *highs])
    margin = (hi - lo) * 0.05 if hi > lo else max(abs(base) * 0.05, 1.0)
    centres = c.axes(top, lines, pitch, lo - margin, hi + margin)
    thick = min(0.6 * pitch, 15.0)
    for cy, low, high in zip(centres, lows, highs, strict=True):
        for value, (colour, hatch), edge in ((low, p5, "white"), (high, p95, "")):
            x0, x1 = sorted((c.x(base), c.x(value)))
            if x1 > x0:
                c.box(x0, cy - thick / 2, x1 - x0, thick, colour, hatch, edge)
    c.path(f"M{_f(c.x(base))} {_f(c.top)}V{_f(c.bottom)}", WHISKER)
    return c.svg(unit)


def grouped_bars(prefix: str, title: str, labels: Sequence[str],
                 series: Sequence[tuple[str, str, Sequence[float], Sequence[float], Sequence[float]]], unit: str) -> str:
    """Horizontal grouped bars, one group per label and one bar per series (name, colour key, values, lows,
    highs), each with its P5-P95 error bar and its value printed right of the bar's end or its P95 cap."""
    series = [(name, key, _finite(v), _finite(lo), _finite(hi)) for name, key, v, lo, hi in series]
    n = max(len(series), 1)
    c = _Chart()
    lines = [_lines(lb) for lb in labels]
    top = c.head(title, [(name, PALETTE.get(key, key), HATCH.get(key, "")) for name, key, *_ in series]
                 if len(series) > 1 else [], lines)
    pitch = max(23.0 * n, 24 + LINE * (max((len(ls) for ls in lines), default=1) - 1))
    centres = c.axes(top, lines, pitch, *_span([x for _, _, values, lows, highs in series
                                                for x in (*values, *lows, *highs)], 7))
    slot = 0.8 * pitch / n
    whiskers = []
    for k, (_, key, values, lows, highs) in enumerate(series):
        colour, hatch = PALETTE.get(key, key), HATCH.get(key, "")
        for cy, v, low, high in zip(centres, values, lows, highs, strict=True):
            y = cy - 0.4 * pitch + slot * (k + 0.5)
            x0, x1 = sorted((c.x(0), c.x(v)))
            c.box(x0, y - 0.45 * slot, x1 - x0, 0.9 * slot, colour, hatch, edge="white")
            low, high = min(low, v), max(high, v)
            if high > low:
                a, b = c.x(low), c.x(high)
                whiskers.append(f"M{_f(a)} {_f(y)}H{_f(b)}M{_f(a)} {_f(y - 2)}V{_f(y + 2)}M{_f(b)} {_f(y - 2)}"
                                f"V{_f(y + 2)}")
            if v >= 0:
                c.text(c.x(high) + 4, y + 2.5, num(v), size=7)
            else:  # left of a negative bar's end or its P5 cap
                c.text(c.x(low) - 4, y + 2.5, num(v), size=7, anchor="end")
    if whiskers:
        c.path("".join(whiskers), WHISKER)
    c.zero_line()
    return c.svg(unit)
