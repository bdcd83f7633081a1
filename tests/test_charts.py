"""Charts draw user text literally: '$' is a dollar sign, never the start of matplotlib mathtext."""

import pytest

from pipeline.report import charts


@pytest.mark.parametrize("label", ["$\\frac{a}{$ GPUs", "Cost $5 and $10", "$\\nosuchcommand$"])
def test_dollar_signs_in_labels_are_literal(label):
    svg = charts.bars("g", "IT energy by group", [label, "plain"], [1.0, 2.0], "GWh")
    assert label.replace("&", "&amp;").replace("<", "&lt;") in svg


def test_scatter_labels_never_overlap_each_other_or_other_points():
    """The batch summary's modelled-vs-reported outliers crowd near 1,000 MW: every label finds a free place."""
    fig, ax = charts._subplots((4.6, 4.0))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(3, 2000)
    ax.set_ylim(3, 2000)
    points = [(1000, 1480, "xAI Colossus 2 (550k GB200/GB300 plan)"), (1000, 1345, "Meta Prometheus"),
              (1200, 800, "OpenAI Stargate Abilene (full campus)"), (150, 306, "xAI Colossus 1 (phase 2)"),
              (200, 283, "Stargate UAE (first 200 MW)"), (11, 31, "JUPITER Booster (Jülich)"),
              (130, 76, "Tesla Cortex (Giga Texas)")]
    others = [(30, 32), (24, 28), (90, 90), (60, 75), (150, 153)]
    boxes = charts._label_points(fig, ax, points, [(x, y) for x, y, _ in points] + others)
    assert len(boxes) == len(points)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    frame = ax.get_window_extent(FigureCanvasAgg(fig).get_renderer())
    for (x, y, _), a in zip(points, boxes, strict=True):  # inside the plot and near its point
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1, a
        assert abs((a.y0 + a.y1) / 2 - ax.transData.transform((x, y))[1]) < 80, a
    for k, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[k + 1:]), k
        for x, y in others:
            px, py = ax.transData.transform((x, y))
            assert not a.contains(px, py), (k, x, y)


def test_long_bar_labels_wrap_instead_of_shrinking_the_plot():
    svg = charts.bars("g", "IT energy by accelerator group",
                      ["H200 (Expansion to 200k GPUs, unpermitted turbines)", "H100"], [1.0, 2.0], "GWh")
    assert "H200 (Expansion to 200k GPUs," in svg and "unpermitted turbines)" in svg


def test_ranked_bar_values_sit_clear_of_their_error_bars():
    """A value is printed right of its bar's P95 cap, not on it (a leading space collapses in SVG text)."""
    import re

    svg = charts.grouped_bars("t", "T", ["a", "b"], [("x", "grid", [10.0, 20.0], [8.0, 15.0], [12.0, 26.0])], "kt")
    caps = [(float(x), float(y)) for x, y in
            re.findall(r'<use xlink:href="#t-m\w+" x="([\d.]+)" y="([\d.]+)" style="[^"]*stroke: #333333', svg)]
    labels = [(float(x), float(y), text) for x, y, text in
              re.findall(r'font-size: 7px[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)</text>', svg)]
    assert len(labels) == 2 and caps
    for x, y, text in labels:
        assert not text.startswith(" "), text
        right_cap = max(cx for cx, cy in caps if abs(cy - y) < 5)
        assert x >= right_cap + 3, (text, x, right_cap)
