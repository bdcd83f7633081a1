"""Display formatting for reports: numbers, quantities, percentages, ratios.

Registered as Jinja filters by :mod:`pipeline.report.render`; templates never do arithmetic.
"""

from __future__ import annotations

import math

import pint

#: How units are written in reports (pint unit string -> display label).
UNIT_LABELS = {
    "MW": "MW", "kW": "kW", "W": "W", "MWh": "MWh", "GWh": "GWh", "MWh / day": "MWh/day",
    "m ** 3": "m³", "m ** 3 / day": "m³/day", "L": "L", "L / day": "L/day",
    "US_liquid_gallon": "US gal", "US_liquid_gallon / day": "US gal/day",
    "t CO2e": "t CO2e", "t": "t", "g CO2e / kWh": "g CO2e/kWh", "L / kWh": "L/kWh",
    "short_ton": "short tons", "USD": "US dollars",
}


def fmt_number(x: float | None, digits: int = 4) -> str:
    """A number for reading: thousands separators, about ``digits`` significant figures.

    >>> fmt_number(1208656.08), fmt_number(153.0), fmt_number(0.0123), fmt_number(0), fmt_number(None)
    ('1,208,656', '153.0', '0.01230', '0', '–')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    if magnitude >= digits - 1:
        return f"{x:,.0f}"
    decimals = digits - 1 - magnitude
    return f"{x:,.{decimals}f}"


def fmt_quantity(q: pint.Quantity | None, unit: str, digits: int = 4) -> str:
    """A Quantity converted to ``unit`` and written with its label, e.g. ``"153.0 MW"``.

    >>> from pipeline.units import Q_
    >>> fmt_quantity(Q_(1e6, "US_gallon/day"), "m ** 3 / day")
    '3,785 m³/day'
    """
    if q is None:
        return "–"
    return f"{fmt_number(float(q.m_as(unit)), digits)} {UNIT_LABELS.get(unit, unit)}"


def fmt_money(q: pint.Quantity | None, dollar_year: str) -> str:
    """Money in plain words, scaled: ``"$18.7 million (2023 dollars)"``.

    >>> from pipeline.units import Q_
    >>> fmt_money(Q_(18_748_537, "USD"), "2023"), fmt_money(Q_(2.5e9, "USD"), "2023"), fmt_money(Q_(950, "USD"), "2023")
    ('$18.7 million (2023 dollars)', '$2.5 billion (2023 dollars)', '$950 (2023 dollars)')
    """
    if q is None:
        return "–"
    x = float(q.m_as("USD"))
    for scale, word in ((1e9, " billion"), (1e6, " million"), (1e3, " thousand")):
        if abs(x) >= scale:
            return f"${x / scale:.3g}{word} ({dollar_year} dollars)"
    return f"${x:,.0f} ({dollar_year} dollars)"


def fmt_percent(x: float | None) -> str:
    """A share as a percentage; tiny non-zero shares are shown as ``< 0.1 %``.

    >>> fmt_percent(0.4512), fmt_percent(0.0004), fmt_percent(0.0)
    ('45.1 %', '< 0.1 %', '0 %')
    """
    if x is None or math.isnan(x):
        return "–"
    if x == 0:
        return "0 %"
    if abs(x) < 0.001:
        return "< 0.1 %"
    return f"{x * 100:.1f} %"


def fmt_ratio(x: float | None) -> str:
    """A ratio such as claimed / modelled: ``0.98×``.

    >>> fmt_ratio(0.98039), fmt_ratio(None)
    ('0.98×', '–')
    """
    if x is None or math.isnan(x):
        return "–"
    return f"{x:.2f}×"


FILTERS = {"number": fmt_number, "quantity": fmt_quantity, "percent": fmt_percent, "ratio": fmt_ratio}
