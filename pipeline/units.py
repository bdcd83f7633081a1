"""The one pint unit registry of clusterprint.

Every Quantity in the pipeline comes from :data:`ureg`; quantities from different registries
cannot be combined (pint docs, "Using Pint in your projects").  The registry extends pint's
defaults with ``pipeline/units.txt``: ``CO2e`` is a dimension of its own, ``MMBtu`` is 10^6 Btu.

Spelling rules (see README glossary): ``t`` is the metric tonne (never ``ton``, the US short
ton); ``gal`` is pint's US liquid gallon and reports spell it "US gal"; never ``kt`` (a knot).
"""

from __future__ import annotations

from pathlib import Path

import pint

__all__ = ["Q_", "ureg", "parse_quantity", "unit_text", "DIMENSIONS"]

ureg = pint.UnitRegistry(cache_folder=":auto:", autoconvert_offset_to_baseunit=True)
ureg.load_definitions(str(Path(__file__).with_name("units.txt")))
ureg.formatter.default_format = "~P"
Q_ = ureg.Quantity

#: Dimensionalities that scenario fields and data columns are checked against.
DIMENSIONS: dict[str, pint.util.UnitsContainer] = {
    "power": ureg.W.dimensionality,
    "time": ureg.hour.dimensionality,
    "energy": ureg.kWh.dimensionality,
    "volume": ureg.L.dimensionality,
    "volume_rate": (ureg.L / ureg.day).dimensionality,
    "water_intensity": (ureg.L / ureg.kWh).dimensionality,
    "carbon_intensity": (ureg.g * ureg.CO2e / ureg.kWh).dimensionality,
    "carbon_mass": (ureg.kg * ureg.CO2e).dimensionality,
    "dimensionless": ureg.dimensionless.dimensionality,
}


def parse_quantity(text: str | float | int, dimension: str) -> pint.Quantity:
    """Parse ``"700 W"``-style text and check its dimension.

    Parameters
    ----------
    text : str or number
        A magnitude with units ("14.8 day", "1e6 gal/day").  Bare numbers are accepted only
        when ``dimension`` is ``"dimensionless"``.
    dimension : str
        A key of :data:`DIMENSIONS`.

    Raises
    ------
    ValueError
        With a message naming the expected dimension and an example, when the text does not
        parse or has the wrong dimension.

    Examples
    --------
    >>> parse_quantity("1.2 kW", "power").to("W")
    <Quantity(1200.0, 'watt')>
    """
    expected = DIMENSIONS[dimension]
    if isinstance(text, bool):
        raise ValueError(f"expected a {dimension} quantity, got a boolean")
    if isinstance(text, (int, float)):
        if dimension != "dimensionless":
            raise ValueError(
                f"a bare number has no unit; give a {dimension} with its unit, e.g. "
                f"'{_EXAMPLES[dimension]}'"
            )
        return Q_(float(text), "dimensionless")
    if not isinstance(text, str):
        raise ValueError(f"expected text like '{_EXAMPLES[dimension]}', got {type(text).__name__}")
    try:
        q = ureg.Quantity(text.strip())
    except (pint.errors.PintError, ValueError, TypeError, AttributeError, SyntaxError, KeyError) as exc:
        raise ValueError(
            f"cannot read {text!r} as a quantity ({exc}); write it like '{_EXAMPLES[dimension]}'"
        ) from None
    if not isinstance(q, pint.Quantity):  # a bare number in a string
        q = Q_(float(q), "dimensionless")
    if q.dimensionality != expected:
        raise ValueError(
            f"{text!r} is a {_name_of(q.dimensionality)}, expected a {dimension} "
            f"(e.g. '{_EXAMPLES[dimension]}')"
        )
    return q


_EXAMPLES = {
    "power": "700 W",
    "time": "1 year",
    "energy": "3.3 GWh",
    "volume": "1e6 L",
    "volume_rate": "1000000 gal/day",
    "water_intensity": "1.0 L/kWh",
    "carbon_intensity": "429 g CO2e/kWh",
    "carbon_mass": "164 kg CO2e",
    "dimensionless": "0.8",
}


def _name_of(dim: pint.util.UnitsContainer) -> str:
    for name, d in DIMENSIONS.items():
        if d == dim:
            return name
    return f"quantity of dimension {dim}"


_UNIT_WORDS = {"l": "L", "a": "year", "d": "day", "h": "h", "gal": "US gal", "US_liquid_gallon": "US gal", "metric_ton": "t"}


def unit_text(units: pint.Unit | str) -> str:
    """A readable unit label: ``CO2e * kg`` -> ``kg CO2e``, ``a`` -> ``year``, ``gal`` -> ``US gal``.

    >>> unit_text(ureg.Quantity(1, "kg CO2e / MWh").units), unit_text(ureg.year), unit_text(ureg.dimensionless)
    ('kg CO2e / MWh', 'year', '')
    """
    u = ureg.Unit(units) if isinstance(units, str) else units
    if u.dimensionless and str(u) in ("dimensionless", ""):
        return ""
    text = f"{u:~D}"
    co2e = "CO2e * " in text or text.startswith("CO2e")
    text = text.replace("CO2e * ", "").replace(" * CO2e", "")
    words = [_UNIT_WORDS.get(w, w) for w in text.split(" ")]
    text = " ".join(words).replace(" * ", " ").replace(" ** ", "^")
    if co2e:
        head, _, tail = text.partition(" / ")
        text = f"{head} CO2e" + (f" / {tail}" if tail else "")
    return text
