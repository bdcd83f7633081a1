"""Every unit string used in the data, the inputs and the contract parses to the expected dimension."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.results import METRICS
from pipeline.units import DIMENSIONS, Q_, dimension_of, ureg

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "pipeline" / "data"

CO2E_PER_ENERGY = (ureg.g * ureg.CO2e / ureg.kWh).dimensionality
DIMS = {
    ("accelerators", "tdp"): ureg.W, ("accelerators", "idle_power"): ureg.W,
    ("accelerators", "host_power"): ureg.W, ("accelerators", "embodied"): ureg.kg * ureg.CO2e,
    ("accelerators", "host_power_nameplate"): ureg.W,
    ("grids", "co2e_intensity"): ureg.g * ureg.CO2e / ureg.kWh, ("grids", "water_intensity"): ureg.L / ureg.kWh,
    ("technologies", "co2e_intensity"): ureg.g * ureg.CO2e / ureg.kWh,
    ("technologies", "co2e_intensity_direct"): ureg.g * ureg.CO2e / ureg.kWh,
    ("technologies", "water_consumption"): ureg.L / ureg.kWh,
    ("onsite", "heat_rate"): ureg.dimensionless, ("onsite", "water_consumption"): ureg.L / ureg.kWh,
    ("fuels", "co2_per_heat"): ureg.kg * ureg.CO2e / ureg.MMBtu, ("fuels", "ch4_per_heat"): ureg.g / ureg.MMBtu,
    ("fuels", "n2o_per_heat"): ureg.g / ureg.MMBtu,
    ("fuels", "upstream_ch4_per_heat"): ureg.g / ureg.MMBtu,
    ("cooling", "wue"): ureg.L / ureg.kWh, ("cooling", "pue"): ureg.dimensionless,
    ("grids", "nox_rate"): ureg.g / ureg.kWh, ("grids", "so2_rate"): ureg.g / ureg.kWh,
    **{("combustion", f"{k}_per_heat"): ureg.g / ureg.MMBtu for k in ("nox", "co", "voc", "pm25", "so2", "hcho")},
    **{("health", f"damage_per_{k}"): ureg.USD / ureg.t for k in ("nox", "so2", "pm25")},
    **{("health", f"deaths_per_{k}"): 1 / ureg.t for k in ("nox", "so2", "pm25")},
    ("cpi", "cpi_2010"): ureg.dimensionless,
}


def _rows():
    for (table, param), unit in DIMS.items():
        df = pd.read_csv(DATA / f"{table}.csv")
        for _, r in df[df["parameter"] == param].iterrows():
            yield pytest.param(r["unit"], r["value"], unit, id=f"{table}-{r.iloc[0]}-{param}")


@pytest.mark.parametrize(("unit", "value", "expected"), list(_rows()))
def test_data_units_have_expected_dimension(unit, value, expected):
    q = Q_(float(value), unit if isinstance(unit, str) else "dimensionless")
    assert q.dimensionality == expected.dimensionality


def test_every_data_parameter_is_covered():
    for table in ("accelerators", "grids", "technologies", "onsite", "fuels", "cooling", "combustion", "health"):
        params = set(pd.read_csv(DATA / f"{table}.csv")["parameter"])
        assert params <= {p for (t, p) in DIMS if t == table}, f"{table}.csv has a parameter with no expected dimension"


@pytest.mark.parametrize("table", ["defaults", "equivalences", "gwp"])
def test_other_tables_units_parse(table):
    df = pd.read_csv(DATA / f"{table}.csv")
    for u in df["unit"].fillna("dimensionless"):
        Q_(1.0, u)


@pytest.mark.parametrize("spec", METRICS, ids=lambda s: s.name)
def test_metric_units_parse_and_have_a_claimable_dimension(spec):
    # claims are checked against a metric's dimension, so every metric unit must map to one
    unit = ureg.Quantity(1, spec.unit)
    assert unit.dimensionality == DIMENSIONS[dimension_of(spec.unit)]


def test_co2e_is_its_own_dimension():
    from pint import DimensionalityError

    assert (Q_(409.7, "kg CO2e/MWh") * Q_(1, "GWh")).m_as("t CO2e") == pytest.approx(409.7)
    with pytest.raises(DimensionalityError):
        Q_(1, "t CO2e") + Q_(1, "t")


@pytest.mark.parametrize(("text", "to", "value"), [
    ("1 US_gallon", "L", 3.785411784),  # US liquid gallon
    ("1 gal", "L", 3.785411784),
    ("1 t", "kg", 1000.0),  # metric tonne, not the short ton
    ("1 MMBtu", "kWh", 293.07107017222),
    ("1 lb CO2e / MWh", "g CO2e / kWh", 0.45359237),
])
def test_conversions(text, to, value):
    assert ureg.Quantity(text).m_as(to) == pytest.approx(value)


QUANTITY_FIELDS = {"value", "period", "wue", "power", "idle_power", "host_power", "accelerator_hours",
                   "grid_intensity", "grid_water_intensity", "intensity", "lifetime", "embodied"}


def _quantity_strings(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "sources":
                continue
            if k in QUANTITY_FIELDS and isinstance(v, str):
                yield v
            else:
                yield from _quantity_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _quantity_strings(v)


@pytest.mark.parametrize("path", sorted((ROOT / "inputs").glob("*.yaml")), ids=lambda p: p.name)
def test_input_quantity_strings_parse(path):
    for text in _quantity_strings(yaml.safe_load(path.read_text())):
        q = ureg.Quantity(text)
        assert isinstance(q, ureg.Quantity)
        assert not q.unitless, text


def test_check_compares_dimensions_without_copying_the_arguments() -> None:
    import numpy as np
    from pint import DimensionalityError

    from pipeline.units import check

    @check("[energy]", "[]", None)
    def same(energy, share, anything):
        return energy, share, anything

    e, s = Q_(np.arange(3.0), "MWh"), Q_(np.ones(3), "")
    got = same(e, s, "not checked")
    assert got[0] is e and got[1] is s  # the very objects: nothing wrapped or copied
    assert same(Q_(1.0, "GJ"), 0.5, None)[1] == 0.5  # another energy unit; a bare number is dimensionless
    for bad in ((Q_(1.0, "MW"), s, None), (e, Q_(1.0, "m"), None), (e, s), ()):
        with pytest.raises((DimensionalityError, TypeError)):
            same(*bad)
    with pytest.raises(TypeError, match="takes 3 parameters, but 2"):
        check("[energy]", "[]")(lambda a, b, c: a)


def test_unit_text_is_parsed_once_and_parses_as_pint_does() -> None:
    import pint

    fresh = pint.UnitRegistry()
    fresh.load_definitions(str(ROOT / "pipeline" / "units.txt"))
    for text in ("MWh", "t CO2e", "g CO2e / kWh", "m ** 3 / day", "L/kWh", "", "USD/t", "degC"):
        first = ureg.parse_units_as_container(text)
        assert ureg.parse_units_as_container(text) is first  # kept
        assert dict(first) == dict(fresh.parse_units_as_container(text)), text
    assert Q_(1, "t CO2e").to("kg CO2e").magnitude == pytest.approx(1000)
    assert Q_(2.0, "MWh").m_as("kWh") == pytest.approx(2000)


@pytest.mark.parametrize(("value", "src", "dst"), [
    (2.5, "MWh", "kWh"), (1.0, "t CO2e", "kg CO2e"), (3.0, "g CO2e / kWh * MWh", "t CO2e"), (1e6, "gal/day", "m**3/day"),
    (20.0, "degC", "degF"), (20.0, "degC", "K"), (300.0, "K", "degC"), (0.8, "", "percent"),
])
def test_conversions_equal_a_fresh_registrys_twice(value, src, dst):
    """Conversion factors are kept after the first use; offset units (degC) still take pint's own path."""
    import pint

    fresh = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    fresh.load_definitions(str(ROOT / "pipeline" / "units.txt"))
    expected = fresh.Quantity(value, src).m_as(dst)
    for _ in range(2):
        assert Q_(value, src).m_as(dst) == pytest.approx(expected, rel=1e-12)


def test_an_impossible_conversion_still_raises_every_time():
    from pint import DimensionalityError

    for _ in range(2):
        with pytest.raises(DimensionalityError):
            Q_(1.0, "MWh").to("t CO2e")
        with pytest.raises(DimensionalityError):
            Q_(1.0, "t").to("t CO2e")


def test_a_quantity_unpickled_combines_with_the_registrys_own():
    """Batch report workers receive their inputs pickled (claims hold quantities): an unpickled quantity must
    belong to the one registry, or adding it to a fresh one fails ("different registries")."""
    import pickle

    from pipeline.schema import Claim
    from pipeline.units import Q_

    claim = pickle.loads(pickle.dumps(Claim(metric="facility_power_peak", value="150 MW", source="x")))
    assert (claim.value + Q_(10, "MW")).m_as("MW") == 160
    assert claim.value > Q_(0.1, "GW")
