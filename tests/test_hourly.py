"""Hourly runs (resolution: hourly): flat equals annual, weather-driven WUE, 24/7 CFE share, clear errors.

Expected values are derived by hand from the inputs and the cited formulas, never read back from the code.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from pipeline import compute, profiles
from pipeline.cli import main
from pipeline.errors import ScenarioError
from pipeline.metrics import METRICS
from pipeline.schema import Scenario

BASE = {
    "name": "Hourly test",
    "fleet": [{"accelerator": "h100-sxm", "count": 1000, "power": "700 W", "idle_power": "70 W", "host_power": "350 W"}],
    "utilization": 0.8, "period": "8760 h", "pue": 1.2, "wue": "1.8 L/kWh",
    "supply": {"grid": "us-srtv"},
}


def scenario(**over: object) -> Scenario:
    doc = json.loads(json.dumps(BASE)) | over
    return Scenario.model_validate(doc)


def test_flat_hourly_run_equals_the_annual_run() -> None:
    """No hourly profile, no cooling model: every hour is the annual average, so the sums are the annual totals."""
    r = compute([scenario(), scenario(resolution="hourly")], draws=0)
    # hand: (70 + 0.8 x 630 + 350) W x 1000 = 924 kW IT; x 8760 h = 8,094.24 MWh; x 1.2 = 9,713.088 MWh
    assert r.metric("it_energy", 1).m_as("MWh") == pytest.approx(8094.24, rel=1e-12)
    assert r.metric("energy", 1).m_as("MWh") == pytest.approx(9713.088, rel=1e-12)
    for spec in METRICS:
        a, h = r.metric(spec.name, 0), r.metric(spec.name, 1)
        assert (a is None) == (h is None), spec.name
        if a is not None and h is not None:
            assert h.m_as(spec.unit) == pytest.approx(a.m_as(spec.unit), rel=1e-9, abs=1e-12), spec.name
    assert r.hourly_of(0) is None and r.hourly_of(1) is not None


def test_a_year_of_8766_h_is_spread_over_the_8760_hours() -> None:
    r = compute([scenario(period="1 year"), scenario(period="1 year", resolution="hourly")], draws=0)
    assert r.metric("energy", 1).m_as("MWh") == pytest.approx(r.metric("energy", 0).m_as("MWh"), rel=1e-9)


@pytest.fixture
def flat_profile(monkeypatch: pytest.MonkeyPatch) -> str:
    """A grid profile with the same mix every hour: 40 % nuclear, 60 % gas."""
    pid = "flat-test-nuclear-gas"
    frame = pd.DataFrame({"nuclear": np.full(8760, 0.4), "gas": np.full(8760, 0.6)})
    real_ids, real_profile = profiles.profile_ids, profiles.grid_profile
    monkeypatch.setattr(profiles, "profile_ids", lambda: [*real_ids(), pid])
    monkeypatch.setattr(profiles, "grid_profile", lambda p: frame if p == pid else real_profile(p))
    return pid


def test_a_flat_hourly_mix_equals_the_annual_mix(flat_profile: str) -> None:
    mix = {"nuclear": 0.4, "gas": 0.6}
    annual = scenario(supply={"mix": mix})
    hourly = scenario(supply={"mix": mix, "hourly": flat_profile}, resolution="hourly")
    r = compute([annual, hourly], draws=0)
    # hand, lifecycle basis (IPCC AR5 medians): 0.4 x 12 + 0.6 x 490 = 298.8 g CO2e/kWh on 9,713.088 MWh
    assert r.metric("co2e_grid", 1).m_as("t CO2e") == pytest.approx(9713.088 * 0.2988, rel=1e-9)
    # water (Macknick 2012): 0.4 x 672 + 0.6 x 205 gal/MWh = 391.8 gal/MWh
    assert r.metric("water_offsite", 1).m_as("m**3") == pytest.approx(9713.088 * 391.8 * 3.785411784e-3,
                                                                            rel=1e-9)
    for name in ("co2e_location_based", "co2e_market_based", "water_total", "energy", "facility_power"):
        assert r.metric(name, 1).m_as(r.metric(name, 0).units) == pytest.approx(r.metric(name, 0).magnitude,
                                                                                 rel=1e-9), name
    h = r.hourly_of(1)
    assert h is not None
    assert h.metric("grid_intensity_min").m_as("g CO2e/kWh") == pytest.approx(298.8)
    assert h.metric("grid_intensity_max").m_as("g CO2e/kWh") == pytest.approx(298.8)
    assert h.metric("cfe_share").m_as("") == pytest.approx(0.4)  # nuclear is carbon-free, gas is not


def test_annual_totals_are_the_sums_of_the_hours_and_months() -> None:
    s = scenario(resolution="hourly", supply={"grid": "us-srtv", "hourly": "tva-2023"},
                 cooling={"type": "evaporative-tower", "climate": "memphis-tmy3"})
    r = compute(s, draws=0, keep_hours=True)
    h = r.hourly_of(0)
    assert h is not None and h.hours is not None and len(h.hours["hour"]) == 8760
    for col, name, unit in (("energy [MWh]", "energy", "MWh"), ("water_onsite [m ** 3]", "water_onsite", "m**3"),
                            ("water_total [m ** 3]", "water_total", "m**3"),
                            ("co2e_location_based [t CO2e]", "co2e_location_based", "t CO2e")):
        total = r.metric(name, 0).m_as(unit)
        assert math.fsum(h.hours[col]) == pytest.approx(total, rel=1e-9), col
        assert math.fsum(h.monthly[col]) == pytest.approx(total, rel=1e-9), col
    assert h.hours["hour"][0] == "2023-01-01T00:00Z"


def test_memphis_wue_is_higher_in_july_than_in_january() -> None:
    s = scenario(resolution="hourly", cooling={"type": "evaporative-tower", "climate": "memphis-tmy3"})
    h = compute(s, draws=0).hourly_of(0)
    assert h is not None
    jan, jul = h.monthly["wue [L/kWh]"][0], h.monthly["wue [L/kWh]"][6]

    def wue(t_c: float) -> float:  # Li et al. 2023 cubic in degF
        t = t_c * 9 / 5 + 32
        return 6e-5 * t**3 - 0.01 * t**2 + 0.61 * t - 10.4

    # hand: the TMY3 mean wet bulbs (Stull 2011 from the dry bulb and dew point) are about 1.8 degC in January and
    # 23.0 degC in July: the cubic gives about 1.3 and 4.2 L/kWh there
    assert jul > jan
    assert jan == pytest.approx(wue(1.8), abs=0.3)
    assert jul == pytest.approx(wue(23.0), abs=0.3)


def test_dry_coolers_use_no_water_on_site() -> None:
    s = scenario(resolution="hourly", cooling={"type": "dry"})
    r = compute(s, draws=0)
    assert r.metric("water_onsite", 0).m_as("m**3") == 0


def test_cfe_share_for_tva_lies_strictly_between_0_and_1() -> None:
    flat = scenario(resolution="hourly", supply={"grid": "us-srtv", "hourly": "tva-2023"})
    solar = scenario(resolution="hourly", supply={"grid": "us-srtv", "hourly": "tva-2023",
                                                   "ppa": {"share": 0.5, "profile": "erco-2021-solar"}})
    r = compute([flat, solar], draws=0)
    h0, h1 = r.hourly_of(0), r.hourly_of(1)
    assert h0 is not None and h1 is not None
    cfe = h0.metric("cfe_share").m_as("")
    # TVA 2023 (EIA-930): nuclear about 45 %, hydro about 9 %: a carbon-free share near one half
    assert 0.4 < cfe < 0.7
    # a flat load and no contracts: hourly and annual matching agree
    assert cfe == pytest.approx(h0.metric("cfe_share_annual").m_as(""), rel=1e-12)
    # a solar contract for half the grid energy: annual matching counts all of it, hourly matching loses the night
    # (the solar hours' excess over the load is not carried to other hours)
    hourly, annual = h1.metric("cfe_share").m_as(""), h1.metric("cfe_share_annual").m_as("")
    assert 0 < hourly < annual < 1
    # annual view by hand: 0.5 from the contract + the grid's mean CFE share on the other half
    assert annual == pytest.approx(0.5 + 0.5 * cfe, rel=1e-9)


@pytest.mark.parametrize(("over", "path", "words"), [
    ({"resolution": "hourly", "supply": {"grid": "us-srtv", "hourly": "tva-2032"}}, "supply.hourly",
     "did you mean 'tva-2023'"),
    ({"resolution": "hourly", "cooling": {"type": "evaporative-tower", "climate": "memphis"}}, "cooling.climate",
     "did you mean 'memphis-tmy3'"),
    ({"resolution": "hourly", "cooling": {"type": "evaporative", "climate": "memphis-tmy3"}}, "cooling.type",
     "did you mean 'evaporative-tower'"),
    ({"resolution": "hourli"}, "resolution", "did you mean 'hourly'"),
    ({"supply": {"grid": "us-srtv", "hourly": "tva-2023"}}, "supply.hourly", "hourly runs only"),
    ({"resolution": "hourly", "cooling": {"type": "evaporative-tower"}}, "cooling.climate", "required"),
    ({"resolution": "hourly", "supply": {"grid": "us-srtv", "hourly": "tva-2023", "grid_intensity": "400 g/kWh"}},
     "supply.hourly", "not both"),
])
def test_bad_hourly_inputs_give_one_clear_error(over: dict, path: str, words: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        compute(scenario(**over), draws=0)
    problems = exc.value.problems
    assert len(problems) == 1, problems
    assert problems[0].path == path and words in str(problems[0]), problems[0]


def test_compute_json_has_the_hourly_section(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "h.yaml"
    doc = BASE | {"resolution": "hourly", "supply": {"grid": "us-srtv", "hourly": "tva-2023"},
                  "cooling": {"type": "evaporative-tower", "climate": "memphis-tmy3"}}
    path.write_text(json.dumps(doc))
    assert main(["compute", str(path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["scenarios"][0]
    assert len(d["hourly"]["monthly"]) == 12 and "hourly" not in d["hourly"]
    total = d["metrics"]["energy"]["value"]
    assert math.fsum(m["energy [MWh]"] for m in d["hourly"]["monthly"]) == pytest.approx(total, rel=1e-9)
    assert 0 < d["hourly"]["metrics"]["cfe_share"]["value"] < 1
    assert main(["compute", str(path), "--json", "--hours"]) == 0
    d = json.loads(capsys.readouterr().out)["scenarios"][0]
    assert len(d["hourly"]["hourly"]["hour"]) == 8760


def test_an_hourly_scenario_beside_a_timeline_keeps_its_own_results():
    """A timeline folds its phases' rows into one scenario, so table rows and scenarios differ in number: the
    hourly scenario after it must land on its own scenario, with the same totals as when computed alone."""
    both = compute(["inputs/colossus-timeline.yaml", "inputs/colossus-hourly.yaml"], draws=0)
    timeline, hourly = (compute([f], draws=0) for f in ("inputs/colossus-timeline.yaml", "inputs/colossus-hourly.yaml"))
    assert both.hourly_of(0) is None and both.hourly_of(1) is not None
    for name in ("energy", "co2e_location_based", "water_onsite"):
        assert both.metric(name, 0) == timeline.metric(name, 0)
        assert both.metric(name, 1) == hourly.metric(name, 0)
