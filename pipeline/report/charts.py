"""Static SVG charts for reports (matplotlib, text kept as text so it stays crisp and searchable).

Each function takes plain display values (already converted by the report model) and returns an
SVG string.  Ids inside each SVG are prefixed so several charts can live in one HTML page.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import functools
import io
import math
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any, ParamSpec

_P = ParamSpec("_P")

#: Where charts are drawn: None here and now; else a ``submit(fn, *args)`` returning a Future (the report's PDF
#: process, which has matplotlib imported while this one computes: :class:`pipeline.report.pdf.PdfWorker`).
_DRAWER: contextvars.ContextVar[Callable[..., Future[str]] | None] = contextvars.ContextVar("chart_drawer",
                                                                                              default=None)


@contextlib.contextmanager
def drawn_by(submit: Callable[..., Future[str]] | None) -> Iterator[None]:
    """Within the block, the chart functions return a Future of their SVG, drawn by ``submit`` (None: here)."""
    token = _DRAWER.set(submit)
    try:
        yield
    finally:
        _DRAWER.reset(token)


def _draw(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Draw chart ``name`` (in whichever process runs this): the function under :func:`_deferrable`."""
    return getattr(sys.modules[__name__], name).__wrapped__(*args, **kwargs)


def _deferrable(fn: Callable[_P, str]) -> Callable[_P, str | Future[str]]:
    """A chart function that draws at once, or, inside :func:`drawn_by`, hands its plain arguments (lists,
    numbers, text) to the drawer and returns the Future of its SVG: the same function draws it either way."""
    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> str | Future[str]:
        submit = _DRAWER.get()
        return fn(*args, **kwargs) if submit is None else submit(_draw, fn.__name__, args, kwargs)
    return wrapper


def warm() -> None:
    """Import what drawing needs (matplotlib's Figure and SVG backend), e.g. in a worker while it waits."""
    _rc()
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401

#: Colours ordered by lightness within each chart (dark, mid, light), so that a greyscale print keeps segments
#: apart; the segments that sit side by side in one chart also get distinct hatches (``HATCH``).
PALETTE = {"accelerators": "#1f4e79", "hosts": "#5b9bd5", "overhead": "#c6dbef", "grid": "#3d4450",
           "ppa": "#a8dcb4", "onsite": "#c0504d", "water_onsite": "#08519c", "water_grid": "#6baed6",
           "water_plant": "#c6dbef", "embodied": "#8064a2", "market": "#9ecae1"}
HATCH = {"grid": "", "ppa": "//", "onsite": "xx", "overhead": "\\\\", "hosts": "", "accelerators": "",
         "water_onsite": "", "water_grid": "//", "water_plant": "\\\\", "market": "//"}


def _ink(colour: str) -> str:
    """Dark or white text, whichever reads on a fill of ``colour`` (relative luminance)."""
    c = colour.lstrip("#")
    if len(c) != 6:
        return "#1d2430"
    r, g, b = (int(c[k:k + 2], 16) / 255 for k in (0, 2, 4))
    return "#1d2430" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def _num(x: float) -> str:
    """A tick or bar label with at most 3 significant figures."""
    if x == 0:
        return "0"
    r = float(f"{x:.3g}")
    return f"{r:,.{max(0, 2 - math.floor(math.log10(abs(r))))}f}"


def _tick(x: float, _pos: object = None) -> str:
    """An axis tick: as few decimals as the tick itself needs (0, 20, 40 ... 120; 0.5, 1, 1.5), thousands
    separated; ticks are round numbers already, so no rounding to significant figures (which printed 20.0 beside
    100)."""
    r = float(f"{x:.6g}")
    return f"{r:,.0f}" if r.is_integer() else f"{r:,.6f}".rstrip("0")


def _rc() -> None:
    """matplotlib's settings for every chart. pyplot is never imported: building a Figure directly saves its
    import (~0.3 s a process) and its figure manager; ``savefig(format="svg")`` picks the SVG canvas."""
    import matplotlib

    matplotlib.rcParams.update({
        "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9,
        "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#555555",
        "axes.titlesize": 10, "axes.titleweight": "bold", "axes.titlelocation": "left",
        "svg.hashsalt": "clusterprint",  # deterministic ids
        "text.parse_math": False,  # user text ('Cost $5', '$\\frac{a}{$') is drawn literally, never as mathtext
        "text.usetex": False,
    })


def _subplots(figsize: tuple[float, float]):
    """A figure with one axes (what ``subplots(figsize=...)`` gives), without pyplot."""
    from matplotlib.figure import Figure

    _rc()
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _formatter(fmt):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(fmt)


def figure_record(fig, chart_id: str, title: str, caption: str) -> dict[str, str]:
    """A drawn figure as the report's chart record: id, title, inline SVG, its data URI and caption."""
    svg = _svg(fig, chart_id)
    return {"id": chart_id, "title": title, "svg": svg, "caption": caption,
            "data_uri": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()}


def _svg(fig, prefix: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})  # no timestamp: same chart, same bytes
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG is embedded
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}-\1"', svg)
    svg = re.sub(r'(<svg[^>]*?) width="[^"]+" height="[^"]+"', r'\1', svg, count=1)  # scale with the page
    return svg


@_deferrable
def stacked_bars(prefix: str, title: str, rows: Sequence[str], segments: Sequence[tuple[str, str, Sequence[float]]],
                 unit: str, height: float = 1.9) -> str:
    """Horizontal stacked bars: one bar per row label, one segment per (name, colour key, values)."""
    fig, ax = _subplots((6.6, height))
    left = [0.0] * len(rows)
    total = [sum(seg[2][i] for seg in segments) for i in range(len(rows))]
    segments = [seg for seg in segments if any(v for v in seg[2])]  # the legend lists only what is present
    for name, colour, values in segments:
        fill = PALETTE.get(colour, colour)
        bars = ax.barh(list(rows), list(values), left=left, color=fill, label=name, height=0.55,
                       hatch=HATCH.get(colour, ""), edgecolor="white", linewidth=0.6)
        for b, v, t in zip(bars, values, total, strict=True):
            if t > 0 and v / t > 0.12:
                ax.text(b.get_x() + b.get_width() / 2, b.get_y() + b.get_height() / 2, _num(v),
                        ha="center", va="center", color=_ink(fill), fontsize=8,
                        bbox={"facecolor": fill, "edgecolor": "none", "pad": 1} if HATCH.get(colour) else None)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel(unit)
    ax.invert_yaxis()
    ax.set_xlim(0, max(total) * 1.05 if total and max(total) > 0 else 1)
    ax.xaxis.set_major_formatter(_formatter(_tick))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncol=min(4, len(segments)), frameon=False, fontsize=8,
              borderaxespad=0)
    ax.set_title(title, pad=18)
    return _svg(fig, prefix)


@_deferrable
def bars(prefix: str, title: str, labels: Sequence[str], values: Sequence[float], unit: str,
         colour: str = "accelerators") -> str:
    """Simple horizontal bars with values printed at their ends."""
    import textwrap

    # long names wrap onto two lines, so that the plot keeps its width and the text its size on the page
    labels = [textwrap.shorten(lb, 60, placeholder="…") if len(lb) > 60 else lb for lb in labels]
    wrapped = ["\n".join(textwrap.wrap(lb, 30)) or lb for lb in labels]
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    fig, ax = _subplots((6.6, 0.5 + (0.38 if lines == 1 else 0.5) * len(labels)))
    b = ax.barh(list(range(len(labels))), list(values), color=PALETTE.get(colour, colour), height=0.6)
    ax.set_yticks(range(len(labels)), wrapped)
    ax.bar_label(b, labels=[_num(v) for v in values], padding=3, fontsize=8)
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.invert_yaxis()
    ax.set_xlim(0, max(values) * 1.18 if values and max(values) > 0 else 1)
    ax.xaxis.set_major_formatter(_formatter(_tick))
    return _svg(fig, prefix)


@_deferrable
def tornado(prefix: str, title: str, labels: Sequence[str], lows: Sequence[float], highs: Sequence[float],
            base: float, unit: str) -> str:
    """Tornado chart: for each input, a bar from the metric at the input's P5 to its P95."""
    fig, ax = _subplots((6.6, 0.6 + 0.34 * len(labels)))
    for k, (lo, hi) in enumerate(zip(lows, highs, strict=True)):
        ax.barh(k, lo - base, left=base, color=PALETTE["hosts"], height=0.6, hatch="//", edgecolor="white",
                linewidth=0.6)
        ax.barh(k, hi - base, left=base, color=PALETTE["accelerators"], height=0.6)
    ax.axvline(base, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(labels)), list(labels))
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title(title, pad=18)
    ax.xaxis.set_major_formatter(_formatter(_tick))
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(facecolor=PALETTE["hosts"], hatch="//", edgecolor="white", label="input at its P5"),
                       Patch(facecolor=PALETTE["accelerators"], label="input at its P95")],
              loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, fontsize=8, borderaxespad=0)
    return _svg(fig, prefix)


@_deferrable
def grouped_bars(prefix: str, title: str, labels: Sequence[str],
                 series: Sequence[tuple[str, str, Sequence[float], Sequence[float], Sequence[float]]], unit: str) -> str:
    """Horizontal grouped bars, one group per label, with P5-P95 error bars.

    ``series`` items are (name, colour key, values, lows, highs).
    """
    import numpy as np

    n = len(series)
    height = 0.8 / max(n, 1)
    fig, ax = _subplots((6.6, 0.7 + 0.32 * len(labels) * max(n, 1)))
    y = np.arange(len(labels))
    for k, (name, colour, values, lows, highs) in enumerate(series):
        pos = y - 0.4 + height * (k + 0.5)
        err = np.array([[max(v - lo, 0.0) for v, lo in zip(values, lows, strict=True)],
                        [max(hi - v, 0.0) for v, hi in zip(values, highs, strict=True)]])
        bars = ax.barh(pos, list(values), height=height * 0.9, color=PALETTE.get(colour, colour), label=name,
                       hatch=HATCH.get(colour, ""), edgecolor="white", linewidth=0.6,
                       xerr=err if err.any() else None, error_kw={"ecolor": "#333333", "capsize": 2, "elinewidth": 0.8})
        top = [max(v, h) for v, h in zip(values, highs, strict=True)]
        for b, v, t in zip(bars, values, top, strict=True):
            # beside the end of the error bar, clear of its cap: an offset in points (a leading space collapses in
            # SVG text, which put the number on the cap)
            ax.annotate(_num(v), (t, b.get_y() + b.get_height() / 2), xytext=(4, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=7, color="#1d2430")
    ax.set_yticks(y, list(labels))
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title(title, pad=18 if n > 1 else 6)
    peak = max((max(max(v, h) for v, h in zip(sr[2], sr[4], strict=True)) for sr in series if len(sr[2])), default=0)
    ax.set_xlim(0, peak * 1.18 if peak > 0 else 1)
    ax.xaxis.set_major_formatter(_formatter(_tick))
    if n > 1:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=n, frameon=False, fontsize=8, borderaxespad=0)
    return _svg(fig, prefix)


def _label_points(fig, ax, points: Sequence[tuple[float, float, str]], every: Sequence[tuple[float, float]]) -> list:
    """Label scatter points without overlaps: each label beside its point (to the left in the right half of the
    axes, so none runs off the plot), moved down in steps until it clears the labels already placed and the
    points; a thin line joins a moved label to its point."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    renderer = FigureCanvasAgg(fig).get_renderer()
    to_px = ax.transData.transform
    box = ax.get_window_extent(renderer)
    dots = [to_px((x, y)) for x, y, _ in points]
    all_dots = [tuple(to_px(xy)) for xy in every]
    placed: list = []
    for (x, y, label), (px, py) in sorted(zip(points, dots, strict=True), key=lambda t: -t[1][1]):
        left = px > box.x0 + box.width * 0.55
        text = ax.annotate(label if len(label) <= 30 else label[:29] + "…", (x, y), textcoords="offset points",
                           xytext=(-4 if left else 4, 0), ha="right" if left else "left", va="center", fontsize=6.5,
                           color="#1d2430")
        step = 0.0
        for step in [0.0] + [sign * 7.0 * k for k in range(1, 20) for sign in (-1, 1)]:  # nearest free place
            text.set_position((-4 if left else 4, step))
            text.update_positions(renderer)  # an annotation places its text when drawn: place it now
            bb = Text.get_window_extent(text, renderer).expanded(1.0, 1.1)
            hits = any(bb.overlaps(o) for o in placed) or any(
                bb.x0 - 4 < dx < bb.x1 + 4 and bb.y0 - 4 < dy < bb.y1 + 4 for dx, dy in all_dots
                if abs(dx - px) + abs(dy - py) > 0.5)
            if not hits and bb.y0 >= box.y0 and bb.y1 <= box.y1:
                break
        if step:  # moved: the same label again, with a leader line to its point
            text.remove()
            text = ax.annotate(text.get_text(), (x, y), textcoords="offset points", xytext=(-4 if left else 4, step),
                               ha="right" if left else "left", va="center", fontsize=6.5, color="#1d2430",
                               arrowprops={"arrowstyle": "-", "color": "#8a8f98", "linewidth": 0.5, "shrinkA": 0,
                                           "shrinkB": 2})
        text.update_positions(renderer)
        placed.append(Text.get_window_extent(text, renderer))  # the words only, not the leader line
    return placed  # the labels' boxes in display pixels


@_deferrable
def histogram(prefix: str, title: str, values: Sequence[float], unit: str, log: bool = True) -> str:
    """Distribution of positive values on logarithmic bins."""
    import numpy as np

    v = np.asarray([x for x in values if x and x > 0], dtype=float)
    fig, ax = _subplots((6.6, 2.4))
    if len(v):
        bins = np.logspace(np.log10(v.min()), np.log10(v.max()) + 1e-9, 16) if log and v.min() < v.max() else 15
        ax.hist(v, bins=bins, color=PALETTE["accelerators"], edgecolor="white")
        if log:
            ax.set_xscale("log")
    ax.set_xlabel(unit)
    ax.set_ylabel("clusters")
    ax.set_title(title)
    ax.xaxis.set_major_formatter(_formatter(lambda x, _: _num(x) if x >= 1 else f"{x:g}"))
    return _svg(fig, prefix)


@_deferrable
def modelled_vs_reported(prefix: str, title: str, modelled: Sequence[float], reported: Sequence[float], unit: str,
                         tolerance: float, names: Sequence[str] = ()) -> str:
    """Log-log scatter of modelled against reported values, with the 1:1 line and a ±``tolerance`` band."""
    import numpy as np

    m, r = np.asarray(modelled, dtype=float), np.asarray(reported, dtype=float)
    fig, ax = _subplots((4.6, 4.0))
    lo, hi = max(min(m.min(), r.min()) / 1.5, 1e-3), max(m.max(), r.max()) * 1.5
    line = np.array([lo, hi])
    ax.fill_between(line, line * (1 - tolerance), line * (1 + tolerance), color="#dff2e3", label=f"±{tolerance:.0%}")
    ax.plot(line, line, color="#333333", linewidth=0.8, label="1 : 1")
    ax.scatter(r, m, s=18, color=PALETTE["accelerators"], zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    if names:  # label the outliers (outside the band), so they can be identified
        _label_points(fig, ax, [(x, yv, label) for x, yv, label in zip(r, m, names, strict=True)
                                if x > 0 and yv > 0 and abs(x / yv - 1) > tolerance],
                      [(x, yv) for x, yv in zip(r, m, strict=True) if x > 0 and yv > 0])
    ax.xaxis.set_major_formatter(_formatter(_tick))
    ax.yaxis.set_major_formatter(_formatter(_tick))
    ax.set_xlabel(f"reported ({unit})")
    ax.set_ylabel(f"modelled peak ({unit})")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return _svg(fig, prefix)


def heatmap(chart_id: str, title: str, values: Sequence[Sequence[float]], unit: str, columns: Sequence[str],
            row_label: str, caption: str, alt: str, cmap: str = "cividis") -> dict[str, str]:
    """A heat map of hour of day (24 rows, 00:00 at the top) by ``columns`` (e.g. the months), with a colour bar
    in ``unit``; the highest and lowest cells are outlined.  Returns the chart record of :func:`figure_record`
    with ``alt``, the sentence that says in words (and numbers) what the chart shows.

    ``cmap`` is a sequential colour map whose lightness changes monotonically with the value (cividis, viridis;
    Blues, YlOrBr: darker is more), so the order of the cells survives a greyscale print and the common
    colour-vision deficiencies.
    """
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    v = np.asarray(values, dtype=float)
    rows = v.shape[0]
    fig, ax = _subplots((6.6, 3.3))
    colours = colormaps[cmap]
    r0, g0, b0, _ = colours(0.0)
    if 0.2126 * r0 + 0.7152 * g0 + 0.0722 * b0 > 0.9:  # a map that starts at white (Blues, YlOrBr): the palest
        colours = ListedColormap(colours(np.linspace(0.15, 1.0, 256)))  # cells would vanish into the page
    finite = v[np.isfinite(v)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    mesh = ax.pcolormesh(np.arange(v.shape[1] + 1), np.arange(rows + 1), v, cmap=colours, vmin=lo,
                         vmax=hi if hi > lo else lo + 1, edgecolors="white", linewidth=0.3)
    ax.set_ylim(rows, 0)  # 00:00 at the top: the day is read downwards
    ax.set_xticks(np.arange(v.shape[1]) + 0.5, list(columns))
    ticks = range(0, rows, 3)
    ax.set_yticks([t + 0.5 for t in ticks], [f"{t:02d}:00" for t in ticks])
    ax.tick_params(labelsize=8, length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_ylabel(row_label, fontsize=8)
    if finite.size and hi > lo:
        for target in (hi, lo):  # outline the extreme cells, dark on a light cell and white on a dark one
            r, c = (int(k[0]) for k in np.nonzero(v == target))
            fill = colours((target - lo) / (hi - lo))
            ink = "#1d2430" if 0.2126 * fill[0] + 0.7152 * fill[1] + 0.0722 * fill[2] > 0.45 else "white"
            ax.add_patch(Rectangle((c, r), 1, 1, fill=False, edgecolor=ink, linewidth=1.4))
    bar = fig.colorbar(mesh, ax=ax, fraction=0.05, pad=0.02, aspect=18)
    bar.set_label(unit, fontsize=8)
    bar.ax.tick_params(labelsize=8)
    bar.ax.yaxis.set_major_formatter(_formatter(lambda x, _: _num(x)))
    bar.outline.set_visible(False)
    if bar.solids is not None:  # matplotlib rasterises a colour bar of 50+ steps: an embedded bitmap, blurred when
        bar.solids.set_rasterized(False)  # scaled, which PDF/A forbids (/Interpolate); vector quads instead
    ax.set_title(title)
    return {**figure_record(fig, chart_id, title, caption), "alt": alt}
