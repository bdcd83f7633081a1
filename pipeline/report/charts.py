"""Static SVG charts for reports, text kept as text so it stays crisp and searchable.

Each function takes plain display values (already converted by the report model) and returns an
SVG string.  Ids inside each SVG are prefixed so several charts can live in one HTML page.  The bar charts
(stacked, simple, tornado, ranked) are written directly as SVG (:mod:`pipeline.report.barchart`); the histogram,
the scatter and the heat map are matplotlib's.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import functools
import io
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any, ParamSpec

from pipeline.report import barchart
from pipeline.report.barchart import HATCH as HATCH  # re-exported: the matplotlib charts of hourly_model use it
from pipeline.report.barchart import PALETTE, num, tick

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
                 unit: str) -> str:
    """Horizontal stacked bars: one bar per row label, one segment per (name, colour key, values)."""
    return barchart.stacked_bars(prefix, title, rows, segments, unit)


@_deferrable
def bars(prefix: str, title: str, labels: Sequence[str], values: Sequence[float], unit: str,
         colour: str = "accelerators") -> str:
    """Simple horizontal bars with values printed at their ends."""
    return barchart.bars(prefix, title, labels, values, unit, colour)


@_deferrable
def tornado(prefix: str, title: str, labels: Sequence[str], lows: Sequence[float], highs: Sequence[float],
            base: float, unit: str) -> str:
    """Tornado chart: for each input, a bar from the metric at the input's P5 to its P95."""
    return barchart.tornado(prefix, title, labels, lows, highs, base, unit)


@_deferrable
def grouped_bars(prefix: str, title: str, labels: Sequence[str],
                 series: Sequence[tuple[str, str, Sequence[float], Sequence[float], Sequence[float]]], unit: str) -> str:
    """Horizontal grouped bars, one group per label, with P5-P95 error bars.

    ``series`` items are (name, colour key, values, lows, highs).
    """
    return barchart.grouped_bars(prefix, title, labels, series, unit)


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
    ax.xaxis.set_major_formatter(_formatter(lambda x, _: num(x) if x >= 1 else f"{x:g}"))
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
    ax.xaxis.set_major_formatter(_formatter(tick))
    ax.yaxis.set_major_formatter(_formatter(tick))
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
    bar.ax.yaxis.set_major_formatter(_formatter(lambda x, _: num(x)))
    bar.outline.set_visible(False)
    if bar.solids is not None:  # matplotlib rasterises a colour bar of 50+ steps: an embedded bitmap, blurred when
        bar.solids.set_rasterized(False)  # scaled, which PDF/A forbids (/Interpolate); vector quads instead
    ax.set_title(title)
    return {**figure_record(fig, chart_id, title, caption), "alt": alt}
