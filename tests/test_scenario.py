"""Scenario validation: each bad input gives one clear message naming the field path."""

import math

import pytest

from pipeline import ScenarioError, compute, load_scenario, parse_scenario
from tests.conftest import scenario_dict


def _problems(data):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, file="bad.yaml")
    return exc.value.problems


def test_valid_scenario_parses():
    s = parse_scenario(scenario_dict())
    assert s.fleet[0].count == 1000 and s.pue == 1.5
    assert s.wue.m_as("L/kWh") == 2


@pytest.mark.parametrize(("override", "path", "fragment"), [
    ({"fleet": [{"accelerator": "h100-sxn", "count": 10}]}, "fleet[0].accelerator", "did you mean 'h100-sxm'"),
    ({"utilisation": 0.5}, "utilisation", "did you mean 'utilization'"),
    ({"pue": 0.8}, "pue", ">= 1"),
    ({"utilization": 1.5}, "utilization", "<= 1"),
    ({"utilization": float("nan")}, "utilization", "finite"),
    ({"wue": "150 gal"}, "wue", "is a volume"),
    ({"wue": "-1 L/kWh"}, "wue", "negative"),
    ({"period": "3 kg"}, "period", "expected a time"),
    ({"fleet": [{"accelerator": "h100-sxm", "count": 10, "power": "150 gal"}]}, "fleet[0].power", "expected a power"),
    ({"fleet": [{"accelerator": "h100-sxm", "count": -5}]}, "fleet[0].count", "must not be negative"),
    ({"fleet": [{"accelerator": "h100-sxm"}]}, "fleet[0]", "exactly one of 'count' or 'accelerator_hours'"),
    ({"fleet": [{"accelerator": "h100-sxm", "count": 1, "idle_power": "800 W", "power": "700 W"}]},
     "fleet[0].idle_power", "above the full-load power"),
    ({"supply": {"grid": "us_srtv"}}, "supply.grid", "did you mean 'us-srtv'"),
    ({"supply": {"grid": "SRTV"}}, "supply.grid", "did you mean 'us-srtv'"),
    ({"supply": {"grid": "us-srtv", "onsite": {"technology": "gas-turbine", "share": 0.5}}},
     "supply.onsite.technology", "did you mean"),
    ({"supply": {"grid": "us-srtv", "onsite": {"technology": "gas-turbine-simple-cycle", "share": 1.2}}},
     "supply.onsite.share", "<= 1"),
    ({"supply": {"grid": "us-srtv", "ppa": {"share": -0.1}}}, "supply.ppa.share", "must not be negative"),
    ({"supply": {"grid_intensity": "400 g/kWh"}}, "supply.grid", "missing grid_water_intensity"),
    ({"supply": {"grid": "us-srtv", "grid_intensity": "400 L/kWh"}}, "supply.grid_intensity", "carbon intensity"),
    ({"claims": [{"metric": "facility_power_pk", "value": "150 MW", "source": "x"}]}, "claims[0].metric",
     "did you mean 'facility_power_peak'"),
    ({"claims": [{"metric": "facility_power_peak", "value": "150 gal", "source": "x"}]}, "claims[0].value",
     "expected a power"),
])
def test_bad_fields_name_path_and_allowed(override, path, fragment):
    problems = _problems(scenario_dict(**override))
    assert len(problems) == 1, problems
    p = problems[0]
    assert p.path == path
    assert p.file == "bad.yaml"
    assert fragment in str(p)


@pytest.mark.parametrize("missing", ["name", "fleet", "utilization", "pue", "wue", "supply"])
def test_missing_required_fields(missing):
    data = scenario_dict()
    del data[missing]
    problems = _problems(data)
    assert any(p.path == missing and "missing required field" in p.message for p in problems)


def test_period_required_for_counts():
    data = scenario_dict()
    del data["period"]
    assert [p.path for p in _problems(data)] == ["period"]


def test_unknown_grid_lists_valid_ids():
    msg = str(_problems(scenario_dict(supply={"grid": "atlantis"}))[0])
    assert "us-srtv" in msg and "allowed:" in msg


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    p = tmp_path / "broken.yaml"
    p.write_text("name: x\nfleet: [\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert "broken.yaml" in str(exc.value) and "YAML syntax error" in str(exc.value) and "line" in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read file"):
        load_scenario(tmp_path / "nope.yaml")


def test_grid_intensity_without_co2e_is_read_as_co2e():
    s = parse_scenario(scenario_dict(supply={"grid_intensity": "429 g/kWh", "grid_water_intensity": "3.14 L/kWh"}))
    assert s.supply.grid_intensity.m_as("g CO2e/kWh") == 429


def test_accelerator_hours_scenario_has_no_power_metrics():
    data = scenario_dict(fleet=[{"accelerator": "a100-sxm4", "accelerator_hours": "1082990 h"}])
    del data["period"]
    r = compute(parse_scenario(data))
    out = r.scenario_dict(0)
    assert "it_power" not in out["metrics"] and "facility_power_peak" not in out["metrics"]
    assert "energy_per_day" not in out["metrics"]  # no period given
    assert out["metrics"]["it_energy"]["value"] > 0
    assert "accelerator-hours" in out["notes"][0]


def test_missing_embodied_data_makes_metric_absent_and_says_why():
    data = scenario_dict(fleet=[{"accelerator": "tpu-v4", "count": 10}])
    r = compute(parse_scenario(data))
    assert r.metric("co2e_embodied") is None
    assert math.isnan(r.metrics["co2e_embodied"].magnitude[0])
    missing = [a for a in r.assumptions() if a.status == "missing"]
    assert missing and "not reported" in missing[0].source


def test_onsite_only_needs_no_grid():
    data = scenario_dict(supply={"onsite": {"technology": "gas-turbine-simple-cycle", "share": 1.0}})
    r = compute(parse_scenario(data))
    assert r.metric("grid_energy").magnitude == 0
    assert r.metric("co2e_onsite").magnitude == pytest.approx(r.metric("co2e_location_based").magnitude)
