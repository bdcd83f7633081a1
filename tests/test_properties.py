"""Invariants of the stage chain, checked with hypothesis over random scenarios."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import compute, parse_scenario
from pipeline.units import Q_
from tests.conftest import scenario_dict

ACCELERATORS = ["h100-sxm", "a100-sxm4", "b200", "mi300x", "v100-sxm2"]

scenarios = st.fixed_dictionaries({
    "accelerator": st.sampled_from(ACCELERATORS),
    "count": st.integers(1, 200_000),
    "utilization": st.floats(0, 1),
    "pue": st.floats(1, 2),
    "wue": st.floats(0, 5),
    "intensity": st.floats(0, 1200),
    "water": st.floats(0, 10),
    "ppa": st.floats(0, 1),
    "onsite": st.floats(0, 1),
    "days": st.floats(0.1, 3650),
})


def _scenario(p, count=None, utilization=None):
    return parse_scenario(scenario_dict(
        fleet=[{"accelerator": p["accelerator"], "count": count if count is not None else p["count"]}],
        utilization=p["utilization"] if utilization is None else utilization,
        pue=p["pue"], wue=f"{p['wue']} L/kWh", period=f"{p['days']} day",
        supply={"grid_intensity": f"{p['intensity']} g CO2e/kWh", "grid_water_intensity": f"{p['water']} L/kWh",
                "ppa": {"share": p["ppa"]},
                "onsite": {"technology": "gas-turbine-simple-cycle", "share": p["onsite"]}},
    ))


@settings(max_examples=40, deadline=None)
@given(scenarios)
def test_doubling_the_fleet_doubles_power_energy_water_and_carbon(p):
    r = compute([_scenario(p), _scenario(p, count=2 * p["count"])])
    for name in ("it_power", "it_power_peak", "facility_power", "energy", "water_total", "co2e_location_based",
                 "co2e_market_based"):
        one, two = r.metric(name, 0).magnitude, r.metric(name, 1).magnitude
        assert two == pytest.approx(2 * one, rel=1e-9, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(scenarios)
def test_zero_utilization_gives_idle_plus_host_power(p):
    r = compute(_scenario(p, utilization=0.0))
    g = r.scenarios[0].groups[0]
    expected = (p["count"] * (g.idle_power + g.host_power)).m_as("MW")
    assert r.metric("it_power").magnitude == pytest.approx(expected)


@settings(max_examples=40, deadline=None)
@given(scenarios)
def test_clean_ppa_never_raises_market_above_location_based(p):
    r = compute(_scenario(p))
    assert r.metric("co2e_market_based").magnitude <= r.metric("co2e_location_based").magnitude * (1 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(scenarios)
def test_energy_splits_and_water_adds_up(p):
    r = compute(_scenario(p))
    m = {k: r.metric(k).magnitude for k in ("energy", "grid_energy", "onsite_energy", "water_total",
                                            "water_onsite", "water_offsite")}
    assert m["grid_energy"] + m["onsite_energy"] == pytest.approx(m["energy"])
    assert m["water_onsite"] + m["water_offsite"] == pytest.approx(m["water_total"])
    assert r.metric("facility_power_peak").magnitude >= r.metric("facility_power").magnitude * (1 - 1e-12)


@given(st.floats(1e-6, 1e9), st.sampled_from([("MWh", "GJ"), ("m**3", "US_gallon"), ("t CO2e", "lb CO2e"),
                                                 ("g CO2e/kWh", "lb CO2e/MWh"), ("L/kWh", "gal/MWh")]))
def test_conversions_round_trip(x, units):
    a, b = units
    assert Q_(x, a).to(b).to(a).magnitude == pytest.approx(x, rel=1e-12)


def test_batch_equals_singles():
    base = scenario_dict()
    other = scenario_dict(name="Other", pue=1.1, fleet=[{"accelerator": "b200", "count": 50},
                                                        {"accelerator": "a100-sxm4", "count": 70}])
    both = compute([parse_scenario(base), parse_scenario(other)])
    for i, data in enumerate((base, other)):
        single = compute(parse_scenario(data))
        for name, q in single.metrics.items():
            a, b = q.magnitude[0], both.metrics[name].magnitude[i]
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b), name
