"""One carbon basis per scenario and per comparison: direct (stack) or lifecycle, published or derived from the
grid's generation mix.  Expected values by hand from eGRID2023 and IPCC AR5 (Annex III) factors."""

import json

import pytest

from pipeline import compute
from pipeline.api import parse_scenario
from pipeline.cli import main
from pipeline.compare import compare
from pipeline.errors import ScenarioError

LB_G = 453.59237
# eGRID2023 SRTV resource mix, % (EPA Power Profiler): coal, oil, gas, nuclear, hydro, biomass, solar
SRTV = {"coal": 28.2, "oil": 0.1, "gas": 29.8, "nuclear": 32.8, "hydro": 7.6, "biomass": 0.7, "solar": 0.8}
LIFECYCLE = {"coal": 820, "oil": 650, "gas": 490, "nuclear": 12, "hydro": 24, "biomass": 230, "solar": 48}
DIRECT = {"coal": 760, "oil": 406, "gas": 370, "nuclear": 0, "hydro": 0, "biomass": 0, "solar": 0}


def _doc(**changes):
    return {"name": "basis", "fleet": [{"accelerator": "h100-sxm", "count": 1000, "power": "1000 W",
                                        "idle_power": "0 W", "host_power": "0 W"}],
            "utilization": 1, "period": "1000 h", "pue": 1, "wue": "0 L/kWh", "supply": {"grid": "us-srtv"},
            **changes}  # 1 MW for 1,000 h: 1,000 MWh


def _intensity(r):  # g CO2e/kWh from 1,000 MWh
    return r.metric("co2e_location_based").m_as("t CO2e") / 1000 * 1000


def test_egrid_grid_defaults_to_its_published_direct_rate():
    r = compute(parse_scenario(_doc()), draws=0)
    assert r.scenarios[0].carbon_basis == "direct"
    assert _intensity(r) == pytest.approx(903.3 * LB_G / 1000)  # 409.7 g/kWh


def test_lifecycle_basis_is_derived_from_the_egrid_mix():
    r = compute(parse_scenario(_doc(carbon_basis="lifecycle")), draws=0)
    expected = sum(SRTV[t] * LIFECYCLE[t] for t in SRTV) / 100  # 385.66 g/kWh
    assert r.scenarios[0].carbon_basis == "lifecycle"
    assert _intensity(r) == pytest.approx(expected, rel=1e-4)
    factor = next(f for f in r.assumptions(0) if f.name == "grid.us-srtv.co2e_intensity")
    assert factor.status == "calc" and "lifecycle basis" in factor.source  # marked as derived


def test_direct_basis_of_a_scenario_mix():
    doc = _doc(carbon_basis="direct", supply={"mix": {"nuclear": 0.4, "gas": 0.6}})
    r = compute(parse_scenario(doc), draws=0)
    assert _intensity(r) == pytest.approx(0.6 * 370)
    r = compute(parse_scenario(_doc(supply={"mix": {"nuclear": 0.4, "gas": 0.6}})), draws=0)
    assert r.scenarios[0].carbon_basis == "lifecycle" and _intensity(r) == pytest.approx(0.4 * 12 + 0.6 * 490)


def test_a_country_published_on_lifecycle_gets_a_derived_direct_factor():
    # France, 2021 generation (OWID / Ember, TWh): gas 33.3, coal 5.8, oil 9.9 of 548.7 in all; direct factors
    # gas 370, coal 760, oil 406 g/kWh, the rest 0
    r = compute(parse_scenario(_doc(carbon_basis="direct", supply={"grid": "fr"})), draws=0)
    total = 9.1 + 5.8 + 33.3 + 59.5 + 379.2 + 9.9 + 0.6 + 14.7 + 36.6
    assert _intensity(r) == pytest.approx((33.3 * 370 + 5.8 * 760 + 9.9 * 406) / total, rel=1e-3)  # 37.8
    assert r.scenarios[0].carbon_basis == "direct"
    with pytest.raises(ScenarioError, match="carbon_basis"):
        parse_scenario(_doc(carbon_basis="stack"))


def test_every_egrid_subregion_now_has_a_water_factor_from_its_mix():
    # RFCW had no water factor before: eGRID2023 mix x Macknick 2012 (gal/MWh); other = oil proxy 826
    rfcw = {"coal": (25, 687), "oil": (0.3, 826), "gas": (37.8, 205), "nuclear": (28.4, 672), "hydro": (1, 4491),
            "biomass": (0.3, 553), "wind": (5.5, 0), "solar": (0.8, 1), "other": (0.8, 826)}
    total = sum(s for s, _ in rfcw.values())  # 99.9 %: EPA's rounded shares, renormalised
    ewif = sum(s * w for s, w in rfcw.values()) / total
    r = compute(parse_scenario(_doc(supply={"grid": "us-rfcw"})), draws=0)
    assert r.metric("water_offsite").m_as("m**3") == pytest.approx(1000 * ewif * 3.785411784 / 1000, rel=1e-4)


def test_json_states_the_basis(root, capsys):
    assert main(["compute", str(root / "inputs/colossus.yaml"), "--json", "--draws", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["scenarios"][0]["carbon_basis"] == "direct"


def test_a_comparison_uses_one_basis_for_every_variant(root):
    c = compare(root / "inputs/colossus-variants.yaml", draws=0, basis="lifecycle")
    bases = {v["carbon_basis"] for v in c.to_dict()["variants"]}
    assert bases == {"lifecycle"}
    # SRTV vs France: the baseline is direct (eGRID), France publishes a lifecycle factor (Ember), so France is put on
    # the direct basis from its generation mix rather than mixing bases
    c = compare(root / "inputs/colossus.yaml", supplies=["grid", "france"], draws=0)
    assert {v["carbon_basis"] for v in c.to_dict()["variants"]} == {"direct"}
    c = compare(root / "inputs/colossus.yaml", supplies=["grid", "france"], draws=0, basis="lifecycle")
    assert {v["carbon_basis"] for v in c.to_dict()["variants"]} == {"lifecycle"}


def test_hydro_evaporation_can_be_excluded_and_the_default_is_printed():
    # SRTV eGRID2023 mix x Macknick 2012 (gal/MWh); hydro 7.6 % x 4,491 = 341.3 gal/MWh of the 821.3 total
    allocated = (28.2 * 687 + 0.1 * 826 + 29.8 * 205 + 32.8 * 672 + 7.6 * 4491 + 0.7 * 553 + 0.8 * 1) / 100
    excluded = allocated - 7.6 * 4491 / 100  # hydro still generates, it is only not charged water
    gal_l = 3.785411784
    r = compute(parse_scenario(_doc()), draws=0)
    assert r.metric("water_offsite").m_as("m**3") == pytest.approx(1000 * allocated * gal_l / 1000, rel=1e-4)
    rule = next(f for f in r.assumptions(0) if f.name == "supply.hydro_evaporation")
    assert rule.status == "assumed" and "Macknick" in rule.source
    r = compute(parse_scenario(_doc(supply={"grid": "us-srtv", "hydro_evaporation": "excluded"})), draws=0)
    assert r.metric("water_offsite").m_as("m**3") == pytest.approx(1000 * excluded * gal_l / 1000, rel=1e-4)
    # a published single water factor (France, WRI) cannot be split: one clear error
    with pytest.raises(ScenarioError, match="supply.hydro_evaporation"):
        parse_scenario(_doc(supply={"grid": "fr", "hydro_evaporation": "excluded"}))


def test_the_report_states_its_carbon_basis(root):
    from pipeline.report.model import report_context

    assert report_context(compute(root / "inputs/colossus.yaml", draws=0))["carbon_basis"].startswith("direct")
    r = compute(parse_scenario(_doc(carbon_basis="lifecycle")), draws=0)
    assert report_context(r)["carbon_basis"].startswith("lifecycle")
