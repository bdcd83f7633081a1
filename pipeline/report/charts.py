"""Static SVG charts for reports (matplotlib, text kept as text so it stays crisp and searchable).

Each function takes plain display values (already converted by the report model) and returns an
SVG string.  Ids inside each SVG are prefixed so several charts can live in one HTML page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

PALETTE = {"accelerators": "#1f5f8b", "hosts": "#5b9bd5", "overhead": "#a9c8e8", "grid": "#6c757d",
           "ppa": "#3a9d5d", "onsite": "#c0504d", "water_onsite": "#2b8cbe", "water_grid": "#7bccc4",
           "water_plant": "#bae4bc", "embodied": "#8064a2"}


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


def _svg(fig, prefix: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG is embedded
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}-\1"', svg)
    svg = re.sub(r'(<svg[^>]*?) width="[^"]+" height="[^"]+"', r'\1', svg, count=1)  # scale with the page
    return svg


def stacked_bars(prefix: str, title: str, rows: Sequence[str], segments: Sequence[tuple[str, str, Sequence[float]]],
                 unit: str, height: float = 1.9) -> str:
    """Horizontal stacked bars: one bar per row label, one segment per (name, colour key, values)."""
    fig, ax = _subplots((6.6, height))
    left = [0.0] * len(rows)
    total = [sum(seg[2][i] for seg in segments) for i in range(len(rows))]
    for name, colour, values in segments:
        bars = ax.barh(list(rows), list(values), left=left, color=PALETTE.get(colour, colour), label=name, height=0.55)
        for b, v, t in zip(bars, values, total, strict=True):
            if t > 0 and v / t > 0.12:
                ax.text(b.get_x() + b.get_width() / 2, b.get_y() + b.get_height() / 2, f"{v:,.0f}",
                        ha="center", va="center", color="white", fontsize=8)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_formatter(lambda x, _: f"{x:,.0f}"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.42), ncol=min(4, len(segments)), frameon=False, fontsize=8)
    return _svg(fig, prefix)


def bars(prefix: str, title: str, labels: Sequence[str], values: Sequence[float], unit: str,
         colour: str = "accelerators") -> str:
    """Simple horizontal bars with values printed at their ends."""
    fig, ax = _subplots((6.6, 0.5 + 0.38 * len(labels)))
    b = ax.barh(list(labels), list(values), color=PALETTE.get(colour, colour), height=0.6)
    ax.bar_label(b, labels=[f"{v:,.0f}" for v in values], padding=3, fontsize=8)
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.invert_yaxis()
    ax.set_xlim(0, max(values) * 1.18 if values and max(values) > 0 else 1)
    ax.xaxis.set_major_formatter(_formatter(lambda x, _: f"{x:,.0f}"))
    return _svg(fig, prefix)


def tornado(prefix: str, title: str, labels: Sequence[str], lows: Sequence[float], highs: Sequence[float],
            base: float, unit: str) -> str:
    """Tornado chart: for each input, a bar from the metric at the input's P5 to its P95."""
    fig, ax = _subplots((6.6, 0.6 + 0.34 * len(labels)))
    for k, (lo, hi) in enumerate(zip(lows, highs, strict=True)):
        ax.barh(k, lo - base, left=base, color=PALETTE["hosts"], height=0.6)
        ax.barh(k, hi - base, left=base, color=PALETTE["accelerators"], height=0.6)
    ax.axvline(base, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(labels)), list(labels))
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.xaxis.set_major_formatter(_formatter(lambda x, _: f"{x:,.0f}"))
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=PALETTE["hosts"], label="input at P5"),
                       Patch(color=PALETTE["accelerators"], label="input at P95")],
              loc="upper center", bbox_to_anchor=(0.5, -0.25 - 0.02 * len(labels)), ncol=2, frameon=False, fontsize=8)
    return _svg(fig, prefix)


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
        ax.barh(pos, list(values), height=height * 0.9, color=PALETTE.get(colour, colour), label=name,
                xerr=err if err.any() else None, error_kw={"ecolor": "#333333", "capsize": 2, "elinewidth": 0.8})
    ax.set_yticks(y, list(labels))
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.xaxis.set_major_formatter(_formatter(lambda x, _: f"{x:,.0f}"))
    if n > 1:
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    return _svg(fig, prefix)


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
    ax.xaxis.set_major_formatter(_formatter(lambda x, _: f"{x:,.0f}" if x >= 1 else f"{x:g}"))
    return _svg(fig, prefix)


def modelled_vs_reported(prefix: str, title: str, modelled: Sequence[float], reported: Sequence[float], unit: str,
                         tolerance: float) -> str:
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
    ax.set_xlabel(f"reported ({unit})")
    ax.set_ylabel(f"modelled peak ({unit})")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return _svg(fig, prefix)
