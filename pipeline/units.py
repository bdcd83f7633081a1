"""The one pint unit registry of clusterprint.

Every Quantity in the pipeline comes from :data:`ureg`; quantities from different registries
cannot be combined (pint docs, "Using Pint in your projects").  The registry extends pint's
defaults with ``pipeline/units.txt``: ``CO2e`` is a dimension of its own, ``MMBtu`` is 10^6 Btu.

Spelling rules (see README glossary): ``t`` is the metric tonne (never ``ton``, the US short
ton); ``gal`` is pint's US liquid gallon and reports spell it "US gal"; never ``kt`` (a knot).
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pint

__all__ = ["DIMENSIONS", "EXAMPLES", "NUMBER", "Q_", "UNIT", "check", "dimension_name", "dimension_of",
           "parse_quantity", "split_quantity", "unit_problem", "unit_text", "ureg"]


class _Registry(pint.UnitRegistry):
    """pint's registry, parsing each unit text once and keeping each multiplicative conversion factor.

    pint re-parses unit text (``Q_(x, "MWh")``, ``q.to("t CO2e")``, ``q.m_as("L/kWh")``) on every call: its own
    cache answers only texts that are a defined name ("MWh" and "t CO2e" are not), and a parse costs 50-100 us,
    more than the arithmetic on 10^4 floats.  A conversion re-checks both sides for offset units (degC) on every
    call before using its cached factor.  The parsed container and the factor between two unit containers never
    change once the definitions are loaded, and clusterprint defines no contexts, so both are kept from
    :meth:`freeze` on.  Offset units, contexts and impossible conversions take pint's own path.
    """

    _parsed: dict[tuple[str, bool | None, bool | None], pint.util.UnitsContainer] | None = None
    _factors: dict[tuple[pint.util.UnitsContainer, pint.util.UnitsContainer], Any] | None = None

    def freeze(self) -> None:
        """Keep every unit text's parse and every multiplicative conversion factor from now on (call once all
        definitions are loaded)."""
        self._parsed = {}
        # the factors use pint's private helpers (pint 0.24-0.25): where they are missing, pint's own path is kept
        known = all(hasattr(self, a) for a in ("_active_ctx", "_validate_and_extract", "_get_conversion_factor"))
        self._factors = {} if known else None

    def parse_units_as_container(self, input_string: str, as_delta: bool | None = None,
                                 case_sensitive: bool | None = None) -> pint.util.UnitsContainer:
        parsed = self._parsed
        if parsed is None:
            return super().parse_units_as_container(input_string, as_delta, case_sensitive)
        key = (input_string, as_delta, case_sensitive)
        found = parsed.get(key)
        if found is None:
            found = parsed[key] = super().parse_units_as_container(input_string, as_delta, case_sensitive)
        return found

    def _convert(self, value: Any, src: pint.util.UnitsContainer, dst: pint.util.UnitsContainer,  # type: ignore[override]
                 inplace: bool = False, **ctx_kwargs: Any) -> Any:  # the signature of the next in line, pint's contexts
        factors = self._factors
        factor = factors.get((src, dst)) if factors is not None else None
        if factor is None:
            if (factors is None or ctx_kwargs or self._active_ctx or self._validate_and_extract(src)
                    or self._validate_and_extract(dst)):
                return super()._convert(value, src, dst, inplace, **ctx_kwargs)
            factor = self._get_conversion_factor(src, dst)
            if isinstance(factor, pint.DimensionalityError):
                raise factor
            factors[(src, dst)] = factor
        if inplace:
            value *= factor
            return value
        return value * factor


_registry = _Registry(cache_folder=":auto:", autoconvert_offset_to_baseunit=True)
_registry.load_definitions(str(Path(__file__).with_name("units.txt")))
_registry.formatter.default_format = "~P"
_registry.freeze()
ureg: pint.UnitRegistry = _registry
Q_ = ureg.Quantity
# Quantities unpickled in another process (batch report workers get their inputs pickled) are rebuilt in the
# application registry: make it this one, as pint's docs advise for a project registry ("Pickling and
# unpickling"), or they would not combine with this registry's quantities.
pint.set_application_registry(ureg)

F = TypeVar("F", bound=Callable[..., Any])


def check(*dimensions: str | None) -> Callable[[F], F]:
    """Decorator: raise :class:`pint.DimensionalityError` unless each argument has its dimension (``None``: not
    checked); what ``ureg.check`` does, without its cost.

    ``ureg.check`` wraps every argument in a new Quantity (``ureg.Quantity(q)`` copies the array) and parses the
    dimension text again; here the expected dimensionalities are parsed once and each argument's
    ``dimensionality`` (which pint caches per unit) is compared, nothing is copied.  A bare number or array is
    dimensionless, as in pint.  The wrapped function's ``dimensions`` holds the expected dimensionalities.

    >>> @check("[power]", "[]")
    ... def facility(it: pint.Quantity, pue: pint.Quantity) -> pint.Quantity:
    ...     return it * pue
    >>> facility(Q_(2.0, "MW"), 1.5).m_as("MW")
    3.0
    >>> facility(Q_(2.0, "MWh"), 1.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    pint.errors.DimensionalityError: Cannot convert from '2.0 MWh' ([mass] * [length] ** 2 / [time] ** 2) to ...
    """
    expected = tuple(None if d is None else ureg.get_dimensionality(d) for d in dimensions)

    def decorator(func: F) -> F:
        sig = inspect.signature(func)
        if len(expected) != len(sig.parameters):
            raise TypeError(f"{func.__name__} takes {len(sig.parameters)} parameters, but {len(expected)} "
                            "dimensions were given")
        checked = tuple((i, name, dim) for i, (name, dim) in enumerate(zip(sig.parameters, expected, strict=True))
                        if dim is not None)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if kwargs:
                bound = sig.bind(*args, **kwargs)
                bound.apply_defaults()
                values = tuple(bound.arguments.values())
            else:
                values = args
            for i, _, dim in checked:
                if i >= len(values):
                    continue  # a missing argument: the call below raises pint's TypeError
                value = values[i]
                got = value.dimensionality if isinstance(value, pint.Quantity) else ureg.Quantity(value).dimensionality
                if got != dim:
                    raise pint.DimensionalityError(value, "a quantity of", str(got), str(dim))
            return func(*args, **kwargs)

        wrapper.dimensions = expected  # type: ignore[attr-defined]  # what each argument is checked against
        return wrapper  # type: ignore[return-value]

    return decorator

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
    "mass": ureg.kg.dimensionality,
    "energy_rate": (ureg.MWh / ureg.day).dimensionality,
    "money": ureg.USD.dimensionality,
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
                f"a bare number has no unit; give a {dimension.replace('_', ' ')} with its unit, e.g. "
                f"'{EXAMPLES[dimension]}'"
            )
        return Q_(float(text), "dimensionless")
    if not isinstance(text, str):
        raise ValueError(f"expected text like '{EXAMPLES[dimension]}', got {type(text).__name__}")
    number, unit = split_quantity(text, EXAMPLES[dimension])
    q = Q_(number, "dimensionless") if not unit else _quantity(number, unit, text, EXAMPLES[dimension])
    if dimension == "carbon_intensity" and q.dimensionality == _PER_ENERGY_MASS:
        q = q * ureg.CO2e  # '429 g/kWh' reads as g CO2e/kWh (the contract's example)
    if q.dimensionality != expected:
        raise ValueError(
            f"{text!r} is a {dimension_name(q.dimensionality)}, expected a {dimension.replace('_', ' ')} "
            f"(e.g. '{EXAMPLES[dimension]}')"
        )
    return q


#: One number: optional sign, digits with an optional decimal point, an exponent of at most 3 digits.
NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d{1,3})?"
_NAME = r"[A-Za-zµμ_][A-Za-z0-9_]*"
_FACTOR = rf"{_NAME}(?:\s*(?:\*\*|\^)\s*-?[1-4])?"
#: A unit expression: names joined by '/', '*', '·' or spaces, each with an optional small integer power.
UNIT = rf"{_FACTOR}(?:\s*(?:/|\*|·|\s)\s*{_FACTOR})*"
_QUANTITY = re.compile(rf"\s*(?P<number>{NUMBER})\s*(?P<unit>{UNIT})?\s*")
_UNIT_ONLY = re.compile(rf"\s*{UNIT}\s*")
_SEPARATOR = re.compile(r"\d[,;]\d|\d\s+\d")
_SEPARATORS = "thousands separators, decimal commas and spaces between digits are not accepted (write 1500 or 1.5)"


def split_quantity(text: str, example: str = "700 W") -> tuple[float, str]:
    """Split ``"1.5e3 kW"`` into a finite number and a unit text, strictly, before pint sees it.

    Thousands separators, decimal commas, operators other than ``/`` and ``*``, powers beyond 4 and
    anything else are refused with a message (pint would read ``1,2`` as 12 and ``1 2`` as 2).

    >>> split_quantity("1.5e3 kW"), split_quantity("0.8")
    ((1500.0, 'kW'), (0.8, ''))
    >>> split_quantity("1,500 W")
    Traceback (most recent call last):
    ValueError: cannot read '1,500 W': thousands separators, decimal commas and spaces between digits are not accepted (write 1500 or 1.5)
    """
    m = _QUANTITY.fullmatch(text)
    if m is None:
        if re.match(r"\s*[-+]?(?:nan|inf(?:inity)?)\b", text, re.IGNORECASE):
            raise ValueError("must be a finite number")
        if _SEPARATOR.search(text):
            raise ValueError(f"cannot read {text!r}: {_SEPARATORS}")
        raise ValueError(f"cannot read {text!r}: write one number, then a unit made of names, '/', '*' and "
                         f"powers up to 4, such as '{example}'")
    number = float(m["number"])
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number; {text!r} is too large")
    return number, (m["unit"] or "").replace("·", "*").replace("^", "**")


def unit_problem(unit: str) -> str | None:
    """Why a unit text is not accepted (see :func:`split_quantity`), or None when it is well formed."""
    if _UNIT_ONLY.fullmatch(unit):
        return None
    if re.search(r"^[,;]\d|^\d", unit.strip()):
        return _SEPARATORS
    return "a unit is made of names, '/', '*' and powers up to 4"


def _quantity(number: float, unit: str, text: str, example: str) -> pint.Quantity:
    try:
        return Q_(number, unit)
    except Exception as exc:  # noqa: BLE001 - any pint failure on a well-formed unit is an unknown name
        raise ValueError(f"cannot read {text!r} as a quantity ({exc}); write it like '{example}'") from None


EXAMPLES = {
    "power": "700 W",
    "time": "1 year",
    "energy": "3.3 GWh",
    "volume": "1e6 L",
    "volume_rate": "1000000 gal/day",
    "water_intensity": "1.0 L/kWh",
    "carbon_intensity": "429 g CO2e/kWh",
    "carbon_mass": "164 kg CO2e",
    "mass": "87 short_ton",
    "energy_rate": "3600 MWh/day",
    "money": "20e6 USD",
    "dimensionless": "0.8",
}
_PER_ENERGY_MASS = (ureg.g / ureg.kWh).dimensionality


def dimension_of(unit: str) -> str:
    """The :data:`DIMENSIONS` key of a unit: ``dimension_of("MW") == "power"``.

    >>> dimension_of("t CO2e"), dimension_of("m ** 3 / day")
    ('carbon_mass', 'volume_rate')
    """
    return _name_of(ureg.Unit(unit).dimensionality)


def dimension_name(dim: pint.util.UnitsContainer) -> str:
    """A dimensionality in words: ``volume``, ``carbon intensity``, ``quantity of dimension ...``."""
    return _name_of(dim).replace("_", " ")


def _name_of(dim: pint.util.UnitsContainer) -> str:
    for name, d in DIMENSIONS.items():
        if d == dim:
            return name
    return f"quantity of dimension {dim}"


_UNIT_WORDS = {"l": "L", "a": "year", "d": "day", "h": "h", "gal": "US gal", "US_liquid_gallon": "US gal", "metric_ton": "t",
               "ton": "short ton"}  # pint abbreviates the short ton (2,000 lb) as 'ton': spell it out


def unit_text(units: Any) -> str:
    """A readable unit label: ``CO2e * kg`` -> ``kg CO2e``, ``a`` -> ``year``, ``gal`` -> ``US gal``.

    >>> unit_text(ureg.Quantity(1, "kg CO2e / MWh").units), unit_text(ureg.year), unit_text(ureg.dimensionless)
    ('kg CO2e / MWh', 'year', '')
    >>> unit_text(ureg.Unit("USD / short_ton")), unit_text(ureg.Unit("kg CO2e / kg"))
    ('USD / short ton', 'kg CO2e / kg')
    """
    u = ureg.Unit(units) if isinstance(units, str) else units
    if u.dimensionless and str(u) in ("dimensionless", ""):
        return ""
    text = f"{u:~D}"
    if text == "CO2e":  # a GWP: kg CO2e per kg of the gas (pint cancels the kilograms)
        return "kg CO2e / kg"
    co2e = "CO2e * " in text or text.startswith("CO2e")
    text = text.replace("CO2e * ", "").replace(" * CO2e", "")
    words = [_UNIT_WORDS.get(w, w) for w in text.split(" ")]
    text = " ".join(words).replace(" * ", " ").replace(" ** ", "^")
    if co2e:
        head, _, tail = text.partition(" / ")
        text = f"{head} CO2e" + (f" / {tail}" if tail else "")
    return text
