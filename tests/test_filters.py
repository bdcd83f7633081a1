import pytest

from pipeline.report.filters import fmt_number, fmt_percent, fmt_quantity, fmt_ratio
from pipeline.units import Q_


@pytest.mark.parametrize(("x", "expected"), [
    (1208656.08, "1,208,656"), (153.0, "153.0"), (137.88, "137.9"), (4963.68, "4,964"), (57.4, "57.40"),
    (0.0, "0"), (None, "–"), (float("nan"), "–"), (-2500.4, "-2,500"), (0.000123, "0.0001230"),
])
def test_fmt_number(x, expected):
    assert fmt_number(x) == expected


@pytest.mark.parametrize(("q", "unit", "expected"), [
    (Q_(153e6, "W"), "MW", "153.0 MW"),
    (Q_(4963.68, "m**3/day"), "US_liquid_gallon / day", "1,311,266 US gal/day"),
    (Q_(495222.6, "t CO2e"), "t CO2e", "495,223 t CO2e"),
    (None, "MW", "–"),
])
def test_fmt_quantity(q, unit, expected):
    assert fmt_quantity(q, unit) == expected


@pytest.mark.parametrize(("x", "expected"), [(0.25, "25.0 %"), (0.0004, "< 0.1 %"), (0, "0 %"), (1, "100.0 %")])
def test_fmt_percent(x, expected):
    assert fmt_percent(x) == expected


def test_fmt_ratio():
    assert fmt_ratio(1.234) == "1.23×"
