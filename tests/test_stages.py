"""Stage values against hand-derived numbers (the arithmetic is in each test)."""

import numpy as np
import pint
import pytest

from pipeline.stages import air, carbon, energy, power, water
from pipeline.stages.aggregate import scenario_total
from pipeline.stages.mix import mix_intensity
from pipeline.units import Q_


def test_accelerator_power_linear_model():
    # 70 W + 0.8 * (700 W - 70 W) = 70 + 504 = 574 W
    assert power.accelerator_power(Q_(700, "W"), Q_(70, "W"), Q_(0.8, "")).m_as("W") == pytest.approx(574)


def test_it_power_and_peak_for_colossus_phase1_by_hand():
    count = Q_(100_000, "")
    acc = power.accelerator_power(Q_(700, "W"), Q_(70, "W"), Q_(0.8, ""))
    per = power.server_power_per_accelerator(acc, Q_(575, "W"))  # 574 + 575 = 1149 W
    assert power.it_power(count, per).m_as("MW") == pytest.approx(114.9)  # 1e5 * 1149 W
    peak = power.it_power_peak(count, Q_(700, "W"), Q_(575, "W"))  # 1e5 * 1275 W = 127.5 MW
    assert peak.m_as("MW") == pytest.approx(127.5)
    assert power.facility_power(peak, Q_(1.2, "")).m_as("MW") == pytest.approx(153.0)  # 127.5 * 1.2


def test_energy_water_and_carbon_chain_by_hand():
    # 10 MW IT for 24 h = 240 MWh IT; PUE 1.25 -> 300 MWh facility
    it_e = energy.it_energy(Q_(10, "MW"), Q_(24, "h"))
    assert it_e.m_as("MWh") == pytest.approx(240)
    fac = energy.facility_energy(it_e, Q_(1.25, ""))
    assert fac.m_as("MWh") == pytest.approx(300)
    # 30 % on site: 90 MWh on site, 210 MWh from the grid; half the grid energy matched by PPA
    on, grid = energy.onsite_energy(fac, Q_(0.3, "")), energy.grid_energy(fac, Q_(0.3, ""))
    assert (on.m_as("MWh"), grid.m_as("MWh")) == pytest.approx((90, 210))
    ppa = energy.ppa_energy(grid, Q_(0.5, ""))
    assert ppa.m_as("MWh") == pytest.approx(105)
    # WUE applies to IT energy: 240,000 kWh * 1.8 L/kWh = 432,000 L = 432 m3
    assert water.water_onsite(it_e, Q_(1.8, "L/kWh")).m_as("m**3") == pytest.approx(432)
    # off site: 210,000 kWh * 3 L/kWh = 630 m3
    assert water.water_generation(grid, Q_(3, "L/kWh")).m_as("m**3") == pytest.approx(630)
    # CO2e: grid 210 MWh * 400 kg/MWh = 84 t; on site 90 MWh * 557.7 kg/MWh = 50.193 t
    co2_grid = carbon.co2e_from_energy(grid, Q_(400, "g CO2e/kWh"))
    co2_on = carbon.co2e_from_energy(on, Q_(557.7, "g CO2e/kWh"))
    assert co2_grid.m_as("t CO2e") == pytest.approx(84)
    assert carbon.co2e_location_based(co2_grid, co2_on).m_as("t CO2e") == pytest.approx(134.193)
    # market: (210 - 105) MWh * 400 kg/MWh + 105 MWh * 0 + 50.193 t = 42 + 50.193 t
    mb_grid = carbon.co2e_market_based_grid(grid, Q_(400, "g CO2e/kWh"), ppa, Q_(0, "g CO2e/kWh"))
    assert mb_grid.m_as("t CO2e") == pytest.approx(42)
    mb = carbon.co2e_market_based(mb_grid, co2_on)
    assert mb.m_as("t CO2e") == pytest.approx(92.193)


def test_combustion_intensity_from_heat_rate():
    # 10,500 Btu/kWh = 0.0105 MMBtu/kWh; CO2 53.06 kg/MMBtu -> 0.55713 kg/kWh
    # CH4 1 g * 28 + N2O 0.1 g * 265 = 54.5 g CO2e/MMBtu -> 0.572 g/kWh; total 557.70 g/kWh
    ci = carbon.combustion_intensity(Q_(10500, "Btu/kWh"), Q_(53.06, "kg CO2e/MMBtu"), Q_(1.0, "g/MMBtu"),
                                     Q_(0.1, "g/MMBtu"), Q_(28, "kg CO2e/kg"), Q_(265, "kg CO2e/kg"))
    assert ci.m_as("g CO2e/kWh") == pytest.approx(0.0105 * (53060 + 54.5), rel=1e-9)
    # NOx: 0.0105 MMBtu/kWh * 0.32 lb/MMBtu * 453.59237 g/lb = 1.5240 g/kWh, so 1.5240 t per GWh
    nox = air.pollutant_from_fuel(Q_(1, "GWh"), Q_(10500, "Btu/kWh"), Q_(0.32, "lb/MMBtu"))
    assert nox.m_as("t") == pytest.approx(0.0105 * 0.32 * 453.59237)


def test_air_pollutants_and_health_damages_by_hand():
    # grid: 1,000 MWh at SRTV's 0.384 lb NOx/MWh = 384 lb = 0.17418 t
    assert air.pollutant_from_grid(Q_(1000, "MWh"), Q_(0.384, "lb/MWh")).m_as("t") == pytest.approx(
        384 * 0.45359237 / 1000)
    # damages: 10 short tons of NOx at 6,000 USD/short ton + 1 short ton of SO2 at 40,000 + 2 of PM2.5 at 140,000
    # = 60,000 + 40,000 + 280,000 = 380,000 USD (tonnes given as short tons x 0.90718474)
    st = 0.90718474
    d = air.health_damages(Q_(10 * st, "t"), Q_(1 * st, "t"), Q_(2 * st, "t"), Q_(6000, "USD/short_ton"),
                           Q_(40000, "USD/short_ton"), Q_(140000, "USD/short_ton"))
    assert d.m_as("USD") == pytest.approx(380_000)
    deaths = air.premature_deaths(Q_(100, "t"), Q_(10, "t"), Q_(1, "t"), Q_(0.001, "1/t"), Q_(0.01, "1/t"),
                                  Q_(0.1, "1/t"))
    assert deaths.m_as("") == pytest.approx(0.1 + 0.1 + 0.1)
    with pytest.raises(pint.DimensionalityError):  # money is its own dimension: never mixed with mass
        air.health_damages(Q_(1, "t"), Q_(1, "t"), Q_(1, "t"), Q_(1, "kg/t"), Q_(1, "USD/t"), Q_(1, "USD/t"))


def test_embodied_amortised_over_lifetime():
    # 1,000 accelerators for 1 year of a 4-year life, 164 + 712.5 kg each: 1000 * 876.5 / 4 kg = 219.125 t
    t = energy.accelerator_time(Q_(1000, ""), Q_(1, "year"), Q_(np.nan, "h"))
    e = carbon.co2e_embodied(t, Q_(876.5, "kg CO2e"), Q_(4, "year"))
    assert e.m_as("t CO2e") == pytest.approx(219.125)


def test_accelerator_time_uses_hours_where_count_missing():
    t = energy.accelerator_time(Q_(np.array([10.0, np.nan]), ""), Q_(np.array([2.0, 2.0]), "h"),
                                Q_(np.array([np.nan, 7.0]), "h"))
    assert t.m_as("h").tolist() == [20.0, 7.0]


def test_per_day_rate():
    assert energy.per_day(Q_(3650, "MWh"), Q_(365, "day")).m_as("MWh/day") == pytest.approx(10)


def test_scenario_total_sums_groups_and_keeps_nan():
    q = Q_(np.array([1.0, 2.0, 3.0, np.nan]), "MW")
    tot = scenario_total(q, np.array([0, 0, 1, 2]), 3)
    assert tot.units == Q_(1, "MW").units
    assert tot.m_as("MW")[:2].tolist() == [3.0, 3.0]
    assert np.isnan(tot.m_as("MW")[2])


def test_mix_intensity_of_a_single_technology_is_that_technology():
    assert mix_intensity(Q_([1.0], ""), [Q_(12, "g CO2e/kWh")]).m_as("g CO2e/kWh") == pytest.approx(12)


@pytest.mark.parametrize(("func", "args"), [
    (power.accelerator_power, (Q_(700, "Wh"), Q_(70, "W"), Q_(0.5, ""))),
    (power.facility_power, (Q_(1, "MWh"), Q_(1.2, ""))),
    (water.water_onsite, (Q_(1, "MWh"), Q_(1.8, "L"))),
    (carbon.co2e_from_energy, (Q_(1, "MWh"), Q_(400, "g/kWh"))),
])
def test_stages_reject_wrong_dimensions(func, args):
    from pint import DimensionalityError

    with pytest.raises((DimensionalityError, ValueError)):
        func(*args)


def _checked_stages() -> list:
    from pipeline.stages import cfe, cooling

    return [f for mod in (air, carbon, cfe, cooling, energy, power, water) for f in vars(mod).values()
            if callable(f) and getattr(f, "__module__", "") == mod.__name__ and hasattr(f, "dimensions")]


#: A unit of each base dimension, to build an argument of any expected dimensionality.
_BASE = {"[length]": "m", "[mass]": "kg", "[time]": "s", "[temperature]": "K", "[currency]": "USD",
         "[carbon_dioxide_equivalent]": "CO2e"}


def _argument(dim: object, name: str) -> object:
    if dim is None:  # not checked: the cooling models' coefficients a3..a0, or any quantity
        return (6e-5, -0.01, 0.61, -10.4) if name == "coefficients" else Q_(np.full(2, 3.0), "MWh")
    unit = " * ".join(f"{_BASE[d]} ** {p}" for d, p in dict(dim).items()) or ""  # type: ignore[call-overload]
    return Q_(np.full(2, 3.0), unit)


def test_every_stage_with_dimensions_is_found() -> None:
    names = {f.__name__ for f in _checked_stages()}
    assert {"accelerator_power", "facility_power", "water_onsite", "co2e_from_energy", "pollutant_from_fuel",
            "health_damages", "cfe_energy", "wue_evaporative_tower", "per_day"} <= names
    assert len(names) >= 30


@pytest.mark.parametrize("func", _checked_stages(), ids=lambda f: f.__name__)
def test_every_checked_argument_of_every_stage_rejects_a_wrong_dimension(func) -> None:
    """Each stage runs with arguments of the declared dimensions, and raises when any one of them is a speed."""
    import inspect

    from pint import DimensionalityError

    names = list(inspect.signature(func).parameters)
    good = [_argument(d, n) for d, n in zip(func.dimensions, names, strict=True)]
    func(*good)
    checked = [i for i, d in enumerate(func.dimensions) if d is not None]
    assert checked, func.__name__
    for i in checked:
        bad = list(good)
        bad[i] = Q_(np.full(2, 3.0), "m/s")
        with pytest.raises(DimensionalityError):
            func(*bad)


def test_a_stage_called_by_keyword_is_checked_too() -> None:
    from pint import DimensionalityError

    assert power.facility_power(it_power=Q_(1, "MW"), pue=Q_(1.2, "")).m_as("MW") == pytest.approx(1.2)
    with pytest.raises(DimensionalityError):
        power.facility_power(it_power=Q_(1, "MWh"), pue=Q_(1.2, ""))
    with pytest.raises(DimensionalityError):
        power.facility_power(Q_(1, "MW"), pue=Q_(1.2, "W"))
