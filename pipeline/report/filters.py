"""Display formatting for reports: numbers, quantities, money, percentages, ratios (one formatter, ``fmt_sig``).

Registered as Jinja filters by :mod:`pipeline.report.render`; templates never do arithmetic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pint

#: How units are written in reports (pint unit string -> display label).
UNIT_LABELS: dict[str, str] = {
    "MW": "MW", "kW": "kW", "W": "W", "MWh": "MWh", "GWh": "GWh", "MWh / day": "MWh/day",
    "m ** 3": "m³", "m ** 3 / day": "m³/day", "L": "L", "L / day": "L/day",
    "US_liquid_gallon": "US gal", "US_liquid_gallon / day": "US gal/day",
    "t CO2e": "t CO2e", "t": "t", "g CO2e / kWh": "g CO2e/kWh", "L / kWh": "L/kWh",
    "short_ton": "short tons", "USD": "US dollars",
}


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
    """A ratio such as claimed / modelled: ``0.98×``; two decimals below 10, three significant figures above
    (``12.3×``, not ``12.33×``).

    >>> fmt_ratio(0.98039), fmt_ratio(None), fmt_ratio(12.3345), fmt_ratio(140.2)
    ('0.98×', '–', '12.3×', '140×')
    """
    if x is None or math.isnan(x):
        return "–"
    return f"{x:.2f}×" if abs(x) < 10 else f"{fmt_sig(x, 3)}×"


FILTERS: dict[str, Callable[..., str]] = {"percent": fmt_percent, "ratio": fmt_ratio}


# ---- the one display formatter of reports and the terminal (issue 13) ----------------------------------
#
# Every number a report or ``clusterprint compute`` prints goes through ``fmt_sig`` / ``fmt_q`` below (or their
# siblings for ranges, money, counts and deltas): 3 significant figures, units scaled so that the number stays short.

#: Unit ladders: for a canonical unit, the display steps (pint unit, multiplier, label), smallest first.
#: ``multiplier`` lets a step say "million US gal" while pint converts to gallons.
LADDERS: dict[str, tuple[tuple[str, float, str], ...]] = {
    "W": (("W", 1, "W"), ("kW", 1, "kW"), ("MW", 1, "MW"), ("GW", 1, "GW")),
    "MWh": (("kWh", 1, "kWh"), ("MWh", 1, "MWh"), ("GWh", 1, "GWh"), ("TWh", 1, "TWh")),
    "MWh / day": (("kWh / day", 1, "kWh/day"), ("MWh / day", 1, "MWh/day"), ("GWh / day", 1, "GWh/day")),
    "t CO2e": (("kg CO2e", 1, "kg CO₂e"), ("t CO2e", 1, "t CO₂e"), ("kilotonne CO2e", 1, "kt CO₂e"),
               ("megatonne CO2e", 1, "Mt CO₂e")),
    "t": (("kg", 1, "kg"), ("t", 1, "t"), ("kilotonne", 1, "kt"), ("megatonne", 1, "Mt")),
    "m ** 3": (("L", 1, "L"), ("m ** 3", 1, "m³"), ("m ** 3", 1e6, "million m³"), ("m ** 3", 1e9, "billion m³")),
    "m ** 3 / day": (("L / day", 1, "L/day"), ("m ** 3 / day", 1, "m³/day"),
                     ("m ** 3 / day", 1e6, "million m³/day")),
    "US_liquid_gallon": (("US_liquid_gallon", 1, "US gal"), ("US_liquid_gallon", 1e6, "million US gal"),
                         ("US_liquid_gallon", 1e9, "billion US gal")),
    "US_liquid_gallon / day": (("US_liquid_gallon / day", 1, "US gal/day"),
                               ("US_liquid_gallon / day", 1e6, "million US gal/day")),
    "h": (("h", 1, "h"), ("h", 1e6, "million h")),
}
LADDERS["MW"] = LADDERS["kW"] = LADDERS["W"]
LADDERS["GWh"] = LADDERS["kWh"] = LADDERS["MWh"]
LADDERS["kilotonne CO2e"] = LADDERS["t CO2e"]

#: Labels of units that are not scaled (rates, intensities).
LABELS = {**UNIT_LABELS, "t CO2e": "t CO₂e", "g CO2e / kWh": "g CO₂e/kWh", "kg CO2e": "kg CO₂e",
          "t / day": "t/day", "": ""}


def fmt_sig(x: float | None, sig: int = 3, strip: bool = False) -> str:
    """A number rounded to ``sig`` significant figures, with thousands separators.

    >>> [fmt_sig(v) for v in (1214574.3, 156.49, 57.4, 5.556, 0.01234, 0, None, -2500.4, 999.7)]
    ['1,210,000', '156', '57.4', '5.56', '0.0123', '0', '–', '-2,500', '1,000']
    >>> fmt_sig(1.2, strip=True), fmt_sig(1.2)
    ('1.2', '1.20')
    """
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if x == 0:
        return "0"
    rounded = float(f"{x:.{sig}g}")
    magnitude = math.floor(math.log10(abs(rounded)))
    decimals = max(sig - 1 - magnitude, 0)
    text = f"{rounded:,.{decimals}f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _step(value_base: float, ladder: tuple[tuple[str, float, str], ...], magnitudes: list[float]) -> int:
    """The index of the largest step of ``ladder`` in which ``value_base`` is at least 1."""
    best = 0
    for k, mag in enumerate(magnitudes):
        if abs(value_base) / mag >= 1 - 1e-12:
            best = k
    return best


def scale_of(q: pint.Quantity, unit: str) -> tuple[str, float, str]:
    """The display step (pint unit, multiplier, label) of ``q``, a quantity of the dimension of ``unit``."""
    ladder = LADDERS.get(unit)
    if ladder is None:
        return unit, 1.0, LABELS.get(unit, unit)
    base = float(q.m_as(ladder[0][0])) / ladder[0][1]
    mags = [float(q.__class__(1, u).m_as(ladder[0][0])) * m / ladder[0][1] for u, m, _ in ladder]
    # prefer the canonical unit's own step for small values (0.4 MW, not 400 kW) unless it is far below 1
    k = _step(base, ladder, mags)
    canon = next((j for j, (u, m, _) in enumerate(ladder) if u == unit and m == 1), 0)
    if base == 0 or (k < canon and abs(base) / mags[canon] >= 0.01):
        k = canon
    return ladder[k]


def fmt_q(q: pint.Quantity | None, unit: str, sig: int = 3, scale: bool = True) -> str:
    """A quantity for reading: ``sig`` significant figures in a scaled unit (``"1.21 TWh"``, ``"498 kt CO₂e"``).

    ``unit`` is the quantity's canonical unit (e.g. a metric's unit); ``scale=False`` keeps it.

    >>> from pipeline.units import Q_
    >>> fmt_q(Q_(1214574.3, "MWh"), "MWh"), fmt_q(Q_(497647.5, "t CO2e"), "t CO2e"), fmt_q(Q_(156.49, "MW"), "MW")
    ('1.21 TWh', '498 kt CO₂e', '156 MW')
    >>> fmt_q(Q_(1263367.7, "US_liquid_gallon/day"), "US_liquid_gallon / day"), fmt_q(Q_(0, "t"), "t")
    ('1.26 million US gal/day', '0 t')
    >>> fmt_q(Q_(1214574.3, "MWh"), "MWh", scale=False)
    '1,210,000 MWh'
    """
    if q is None:
        return "–"
    if unit == "USD":
        return fmt_usd(q)
    u, mult, label = scale_of(q, unit) if scale else (unit, 1.0, LABELS.get(unit, unit))
    return f"{fmt_sig(float(q.m_as(u)) / mult, sig)} {label}".strip()


def fmt_q_range(lo: pint.Quantity | None, hi: pint.Quantity | None, like: pint.Quantity | None, unit: str,
                sig: int = 3, scale: bool = True) -> str:
    """A P5–P95 range in the display unit of ``like`` (the central value): ``"1.10–1.35 TWh"``; ``""`` if none.

    >>> from pipeline.units import Q_
    >>> fmt_q_range(Q_(1101352, "MWh"), Q_(1348930, "MWh"), Q_(1214574, "MWh"), "MWh")
    '1.10–1.35 TWh'
    """
    if lo is None or hi is None or like is None or lo == hi:
        return ""
    if unit == "USD":
        u, mult, label = scale_usd(like)
        return f"${fmt_sig(float(lo.m_as('USD')) / mult, sig)}–{fmt_sig(float(hi.m_as('USD')) / mult, sig)}{label}"
    u, mult, label = scale_of(like, unit) if scale else (unit, 1.0, LABELS.get(unit, unit))
    return f"{fmt_sig(float(lo.m_as(u)) / mult, sig)}–{fmt_sig(float(hi.m_as(u)) / mult, sig)} {label}".strip()


def scale_usd(q: pint.Quantity) -> tuple[str, float, str]:
    x = abs(float(q.m_as("USD")))
    for scale, word in ((1e9, " billion"), (1e6, " million"), (1e3, " thousand")):
        if x >= scale:
            return "USD", scale, word
    return "USD", 1.0, ""


def fmt_usd(q: pint.Quantity | None, sig: int = 3, dollar_year: str = "") -> str:
    """US dollars, scaled and rounded: ``"$15.1 million"``; with ``dollar_year``, ``"$15.1 million (2023 dollars)"``.

    >>> from pipeline.units import Q_
    >>> fmt_usd(Q_(15133287.8, "USD")), fmt_usd(Q_(950, "USD")), fmt_usd(Q_(2.5e9, "USD"), dollar_year="2023")
    ('$15.1 million', '$950', '$2.50 billion (2023 dollars)')
    """
    if q is None:
        return "–"
    _, mult, word = scale_usd(q)
    return f"${fmt_sig(float(q.m_as('USD')) / mult, sig)}{word}" + (f" ({dollar_year} dollars)" if dollar_year else "")


def fmt_count(x: float | None, sig: int = 3) -> str:
    """A count of things (homes, cars, pools), rounded: ``"113,000"``, ``"1.9"``.

    >>> fmt_count(113353.2), fmt_count(1.93), fmt_count(2_450_000)
    ('113,000', '1.9', '2.45 million')
    """
    if x is None or not math.isfinite(x):
        return "–"
    if abs(x) >= 1e6:
        return f"{fmt_sig(x / 1e6, sig, strip=True)} million"
    return fmt_sig(x, 2 if abs(x) < 10 else sig, strip=abs(x) < 10)


def fmt_delta_q(d: pint.Quantity | None, unit: str) -> str:
    """A signed change with an arrow that survives greyscale: ``"▲ +183 kt CO₂e"``, ``"▼ −12.3 GWh"``, ``"= 0"``.

    >>> from pipeline.units import Q_
    >>> fmt_delta_q(Q_(183000, "t CO2e"), "t CO2e"), fmt_delta_q(Q_(-12300, "MWh"), "MWh"), fmt_delta_q(Q_(0, "MW"), "MW")
    ('▲ +183 kt CO₂e', '▼ −12.3 GWh', '= 0')
    """
    if d is None:
        return "–"
    x = float(d.magnitude)
    if x == 0:
        return "= 0"
    text = fmt_q(d if x > 0 else d * -1, unit)
    return f"▲ +{text}" if x > 0 else f"▼ −{text}"


def fmt_delta_pct(rel: float | None) -> str:
    """A signed relative change: ``"+36 %"``, ``"−89 %"``, ``"+0.4 %"``.

    >>> fmt_delta_pct(0.3612), fmt_delta_pct(-0.889), fmt_delta_pct(0.0042), fmt_delta_pct(None)
    ('+36 %', '−89 %', '+0.42 %', '')
    """
    if rel is None or not math.isfinite(rel):
        return ""
    if rel == 0:
        return "0 %"
    text = fmt_sig(abs(rel) * 100, 2, strip=True)
    return f"+{text} %" if rel > 0 else f"−{text} %"


def typeset(text: str) -> str:
    """Chemical formulas written correctly for HTML and PDF: CO₂e, CO₂, SO₂, NOₓ stays NOx (readable).

    >>> typeset("t CO2e and CO2 and SO2, not co2e_location_based")
    't CO₂e and CO₂ and SO₂, not co2e_location_based'
    """
    return _CHEM.sub(lambda m: {"CO2e": "CO₂e", "CO2": "CO₂", "SO2": "SO₂", "CH4": "CH₄", "N2O": "N₂O"}[m.group(0)],
                     text)


_CHEM = re.compile(r"(?<![\w.-])(CO2e|CO2|SO2|CH4|N2O)(?![\w])")
#: A data: URI in markup (an attribute value or url(...)): base64 text, which may hold "+CO2/" by chance.
_DATA_URI = re.compile(r"""(data:[^"'\s)]*)""")


#: A number and the per cent sign after it ("80 %", "+36 %"): one word for line breaking.
_PERCENT = re.compile(r"(?<=\d) %")


def typeset_markup(html: str) -> str:
    """:func:`typeset` over a page's markup, leaving ``data:`` URIs (base64 charts) byte for byte as they are; a
    number and its per cent sign are joined by a no-break space, so that no line (nor a table header: "Gas turbines
    (100 %)") starts with a lone "%".

    >>> typeset_markup("<p>80 % of CO2</p>")
    '<p>80\u00a0% of CO₂</p>'
    """
    parts = _DATA_URI.split(html)
    return "".join(part if k % 2 else _PERCENT.sub("\u00a0%", typeset(part)) for k, part in enumerate(parts))
FILTERS.update({"sig": fmt_sig, "q": fmt_q, "typeset": typeset})
