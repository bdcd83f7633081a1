"""The one number formatter of reports (``fmt_sig`` and its siblings), with expectations written by hand."""

import pytest

from pipeline.report.filters import (
    fmt_count,
    fmt_delta_pct,
    fmt_delta_q,
    fmt_percent,
    fmt_q,
    fmt_q_range,
    fmt_ratio,
    fmt_sig,
    fmt_usd,
)
from pipeline.units import Q_


@pytest.mark.parametrize(("x", "expected"), [
    (1208656.08, "1,210,000"), (153.0, "153"), (137.88, "138"), (4963.68, "4,960"), (57.4, "57.4"), (5.556, "5.56"),
    (0.000123, "0.000123"), (0.0, "0"), (None, "–"), (float("nan"), "–"), (float("inf"), "–"), (-2500.4, "-2,500"),
    (999.7, "1,000"), (0.9996, "1.00"),
])
def test_fmt_sig_rounds_to_three_significant_figures(x, expected):
    assert fmt_sig(x) == expected


@pytest.mark.parametrize(("x", "sig", "expected"), [(1.2, 3, "1.2"), (1.0, 3, "1"), (0.4512, 2, "0.45"), (12.34, 2, "12")])
def test_fmt_sig_strips_trailing_zeros_on_request(x, sig, expected):
    assert fmt_sig(x, sig, strip=True) == expected


@pytest.mark.parametrize(("q", "unit", "expected"), [
    (Q_(153e6, "W"), "MW", "153 MW"),
    (Q_(0.4, "MW"), "MW", "0.400 MW"),  # the canonical unit for small values, not 400 kW
    (Q_(4963.68, "m**3/day"), "US_liquid_gallon / day", "1.31 million US gal/day"),
    (Q_(495222.6, "t CO2e"), "t CO2e", "495 kt CO₂e"),
    (Q_(2.2e6, "MWh"), "MWh", "2.20 TWh"),
    (Q_(1.746e6, "m**3"), "m ** 3", "1.75 million m³"),
    (Q_(31.9, "t"), "t", "31.9 t"),
    (Q_(78.93, "t"), "short_ton", "87.0 short tons"),
    (Q_(1.8, "L/kWh"), "L / kWh", "1.80 L/kWh"),
    (None, "MW", "–"),
])
def test_fmt_q_scales_the_unit_and_keeps_three_figures(q, unit, expected):
    assert fmt_q(q, unit) == expected


def test_fmt_q_without_scaling_keeps_the_unit():
    assert fmt_q(Q_(1214574.3, "MWh"), "MWh", scale=False) == "1,210,000 MWh"


def test_ranges_share_the_central_value_s_unit():
    assert fmt_q_range(Q_(1101352, "MWh"), Q_(1348930, "MWh"), Q_(1214574, "MWh"), "MWh") == "1.10–1.35 TWh"
    assert fmt_q_range(Q_(900, "MWh"), Q_(1100, "MWh"), Q_(1000, "MWh"), "MWh") == "0.900–1.10 GWh"  # as 1.00 GWh
    assert fmt_q_range(Q_(1, "MW"), Q_(1, "MW"), Q_(1, "MW"), "MW") == ""  # no spread, no range
    assert fmt_q_range(Q_(9.1e6, "USD"), Q_(2.2e7, "USD"), Q_(1.48e7, "USD"), "USD") == "$9.10–22.0 million"


def test_money_counts_and_deltas():
    assert fmt_usd(Q_(15133287.8, "USD")) == "$15.1 million"
    assert fmt_usd(Q_(18_748_537, "USD"), dollar_year="2023") == "$18.7 million (2023 dollars)"
    assert fmt_usd(Q_(950, "USD")) == "$950"
    assert fmt_count(113353.2) == "113,000" and fmt_count(1.93) == "1.9" and fmt_count(2_450_000) == "2.45 million"
    assert fmt_delta_q(Q_(-12300, "MWh"), "MWh") == "▼ −12.3 GWh" and fmt_delta_q(Q_(0, "MW"), "MW") == "= 0"
    assert fmt_delta_pct(0.0042) == "+0.42 %"


@pytest.mark.parametrize(("x", "expected"), [(0.25, "25.0 %"), (0.0004, "< 0.1 %"), (0, "0 %"), (1, "100.0 %")])
def test_fmt_percent(x, expected):
    assert fmt_percent(x) == expected


def test_fmt_ratio():
    assert fmt_ratio(1.234) == "1.23×"


def test_typesetting_markup_leaves_data_uris_alone():
    from pipeline.report.filters import typeset_markup

    chart = "data:image/svg+xml;base64,PHN2Zz4+CO2/SO2+AAAA"  # base64 can hold "+CO2/" by chance
    html = f'<p>t CO2e</p><img src="{chart}" alt="CO2e by source"><div style="background:url({chart})">SO2</div>'
    out = typeset_markup(html)
    assert out.count(chart) == 2
    assert "t CO₂e" in out and 'alt="CO₂e by source"' in out and ">SO₂</div>" in out
