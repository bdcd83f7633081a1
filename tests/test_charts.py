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


def test_long_labels_wrap_at_spaces_or_after_commas_never_inside_a_number():
    from pipeline.report.barchart import _lines

    assert _lines("mix:coal=0.2,gas=0.3,nuclear=0.4,hydro=0.1") == ["mix:coal=0.2,gas=0.3,nuclear=0.4,", "hydro=0.1"]
    assert _lines("SRTV grid (as built, phase 1; baseline)") == ["SRTV grid (as built, phase 1;", "baseline)"]
    assert _lines("H100") == ["H100"] and _lines("") == [""]
    assert _lines("a" * 40) == ["a" * 40]  # one long name: on one line, the plot makes room


def _texts(svg: str, size: str) -> list[tuple[float, float, str]]:
    import re

    return [(float(x), float(y), text) for x, y, text in
            re.findall(rf'<text x="([\d.-]+)" y="([\d.-]+)" font-size="{size}"[^>]*>([^<]+)</text>', svg)]


def test_ranked_bar_values_sit_clear_of_their_error_bars():
    """A value is printed right of its bar's P95 cap, not on it (a leading space collapses in SVG text)."""
    import re

    svg = charts.grouped_bars("t", "T", ["a", "b"], [("x", "grid", [10.0, 20.0], [8.0, 15.0], [12.0, 26.0])], "kt")
    (whiskers,) = re.findall(r'<path d="([^"]+)" fill="none" stroke="#333333"', svg)
    caps = [(float(x), float(y0) + 2) for x, y0 in re.findall(r"M([\d.]+) ([\d.]+)V", whiskers)]
    labels = _texts(svg, "7")
    assert [text for _, _, text in labels] == ["10.0", "20.0"] and len(caps) == 4
    for x, y, text in labels:
        right_cap = max(cx for cx, cy in caps if abs(cy - y) < 5)
        assert x >= right_cap + 3, (text, x, right_cap)


def test_negative_bars_run_left_of_a_zero_line_with_their_numbers_beyond_their_ends():
    import re

    svg = charts.bars("b", "Net CO₂e", ["avoided", "emitted"], [-50.0, 100.0], "kt")
    (neg, pos) = [r for r in _rects(svg) if r[4] == charts.PALETTE["accelerators"]]
    assert neg[2] > 0 and pos[2] > 0  # widths are never negative
    zero = neg[0] + neg[2]
    assert abs(pos[0] - zero) < 0.02 and abs(neg[2] / pos[2] - 0.5) < 1e-3
    assert re.search(rf'<path d="M{zero:.2f}'.rstrip("0").rstrip("."), svg)  # the zero line
    (minus,) = [t for t in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end">(-50\.0)<', svg)]
    (spine,) = re.findall(r'<path d="M([\d.]+) [\d.]+V[\d.]+H', svg)
    from pipeline.report.barchart import text_width

    assert float(spine) < float(minus[0]) - text_width("-50.0", 8) and float(minus[0]) < neg[0]  # in the plot


def _rects(svg: str) -> list[tuple[float, float, float, float, str]]:
    import re

    return [(float(x), float(y), float(w), float(h), fill) for x, y, w, h, fill in
            re.findall(r'<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.-]+)" height="([\d.-]+)" fill="([^"]+)"', svg)]


def test_stacked_segments_are_as_long_as_their_values_and_labelled_with_them():
    svg = charts.stacked_bars("p", "Where the power goes", ["Mean", "Peak"],
                              [("Accelerators", "accelerators", [55.6, 70.0]), ("Hosts", "hosts", [35.0, 57.5]),
                               ("Never", "onsite", [0.0, 0.0])], "MW")
    bars = [r for r in _rects(svg) if r[3] > 10]  # not the legend's swatches
    acc = [r for r in bars if r[4] == charts.PALETTE["accelerators"]]
    hosts = [r for r in bars if r[4] == charts.PALETTE["hosts"]]
    assert len(acc) == len(hosts) == 2
    assert abs(acc[0][2] / hosts[0][2] - 55.6 / 35.0) < 1e-3 and abs(acc[1][2] / acc[0][2] - 70.0 / 55.6) < 1e-3
    assert abs(hosts[0][0] - (acc[0][0] + acc[0][2])) < 0.02  # the second segment starts where the first ends
    assert [t for *_, t in _texts(svg, "8")] == ["Accelerators", "Hosts", "55.6", "70.0", "35.0", "57.5"]
    assert "Never" not in svg  # a segment that is zero everywhere is left out, legend included


def test_ticks_are_round_steps_within_the_range():
    from pipeline.report.barchart import ticks

    assert ticks(355, 450, 330) == [360, 380, 400, 420, 440]  # 95 / 9 = 10.6: the next round step is 20
    assert ticks(0, 168, 370) == [0, 20, 40, 60, 80, 100, 120, 140, 160]
    assert ticks(0, 1, 300) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]  # 1 / 9 = 0.11: 0.2
    assert ticks(0, 4.2e6, 300) == [0, 5e5, 1e6, 1.5e6, 2e6, 2.5e6, 3e6, 3.5e6, 4e6]  # 4.2e6 / 9 = 4.7e5: 5e5
    assert ticks(0, 100, 70) == [0, 50, 100]  # a short axis: at most one tick per 30 points
    assert ticks(0, 1400, 300, intervals=4) == [0, 500, 1000]  # 1400 / 4 = 350: 500


def test_tick_labels_never_crowd():
    """On a plot narrowed by long row labels, 1,000 1,200 1,400 at 9 pt (25.8 points wide each) would stand 28
    points apart: the axis takes fewer ticks, a word space (9 points) at least between their labels."""
    import re

    svg = charts.bars("g", "IT energy by accelerator group", ["H100 (phase 1 + 50,000, liquid-cooled)", "H200"],
                      [1210.0, 405.0], "GWh")
    ticks = re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="9" text-anchor="middle">([\d,]+)<', svg)
    xs = [float(x) for x, _ in ticks]
    assert len(xs) >= 3 and min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 25.8 + 9, ticks


def test_text_is_measured_as_matplotlib_measures_it():
    """The bar charts place text with DejaVu Sans's advance widths; matplotlib (an independent text engine, with
    kerning) sets the same strings within 1 % (at 720 dpi: at 72 its hinting rounds each glyph to whole pixels)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    from pipeline.report.barchart import text_width

    renderer = RendererAgg(10, 10, 720)
    for text, bold in (("PUE (cooling and power overhead)", False), ("Location-based", False),
                       ("kt CO₂e (thousand tonnes)", False), ("What drives CO₂e (Scope 1 + 2)", True), ("4,400", False)):
        prop = FontProperties(family="DejaVu Sans", size=9, weight="bold" if bold else "normal")
        theirs = renderer.get_text_width_height_descent(text, prop, ismath=False)[0] / 10  # 720 dpi: points
        assert abs(text_width(text, 9, bold) / theirs - 1) < 0.01, (text, text_width(text, 9, bold), theirs)
    assert abs(text_width("00", 10) - 2 * 1303 / 2048 * 10) < 1e-9  # DejaVu Sans's digits: 1303 of 2048 units


def test_bar_charts_keep_every_label_inside_the_chart_and_escape_user_text():
    import re
    import xml.etree.ElementTree as ET

    from pipeline.report.barchart import WIDTH, text_width

    names = ["<script>alert(1)</script> & Co", "Stargate UAE (first 200 MW)", "x"]
    for svg in (charts.bars("b", "Largest <b>", names, [3.0, 1200.0, 0.5], "kt CO₂e"),
                charts.tornado("t", "Drivers", names, [1.0, 2.0, 3.0], [5.0, 6.0, 7.0], 4.0, "t"),
                charts.stacked_bars("s", "Split", names, [("A & B", "grid", [1, 2, 3]), ("C", "ppa", [3, 2, 1]),
                                                          ("A very long segment name for a legend: " * 3, "onsite",
                                                           [1, 1, 1])], "GWh"),
                charts.grouped_bars("g", "Ranked", names, [("a", "grid", [1, 2, 3], [0.5, 1, 2], [2, 3, 4]),
                                                           ("b", "market", [1, 1, 1], [1, 1, 1], [1, 1, 1])], "kt")):
        root = ET.fromstring(svg)  # well-formed XML: the user's markup is text
        assert "<script>" not in svg and "&lt;script&gt;" in svg
        height = float(root.get("viewBox").split()[3])
        for el in root.iter("{http://www.w3.org/2000/svg}text"):
            x, y, size = float(el.get("x")), float(el.get("y")), float(el.get("font-size"))
            w = text_width(el.text, size, el.get("font-weight") == "bold")
            start = {"end": x - w, "middle": x - w / 2}.get(el.get("text-anchor"), x)
            assert 0 <= start and start + w <= WIDTH + 0.01, (el.text, start, w)
            assert size * 0.75 <= y <= height, (el.text, y, height)
        assert not re.search(r'id="', svg)  # no ids: any number of charts in one page


def test_hatches_are_diagonal_lines_inside_their_bar():
    import re

    from pipeline.report.barchart import hatch_path

    for hatch, slope in (("//", -1), ("\\\\", 1)):
        d = hatch_path(10, 20, 50, 15, hatch)
        segments = re.findall(r"M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)", d)
        assert len(segments) >= 8
        for x0, y0, x1, y1 in (map(float, s) for s in segments):
            for x, y in ((x0, y0), (x1, y1)):
                assert 10 - 1e-9 <= x <= 60 + 1e-9 and 20 - 1e-9 <= y <= 35 + 1e-9
            assert abs((y1 - y0) - slope * (x1 - x0)) < 0.02  # 45 degrees, rising for // (y points down)
    assert len(re.findall("M", hatch_path(0, 0, 60, 12, "xx"))) > len(re.findall("M", hatch_path(0, 0, 60, 12, "//")))
