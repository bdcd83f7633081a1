"""Air pollutants and health damages against hand arithmetic from the published factors, and against SELC's and the
permit's own figures.  Expected values are written out from the sources, never read from the code under test."""

import pytest

from pipeline import compute
from pipeline.api import parse_scenario
from pipeline.errors import ScenarioError

LB_T = 0.45359237e-3  # tonnes per pound (exact)
SHORT_TON_T = 0.90718474  # tonnes per short ton (exact)
CPI = {2010: 218.056, 2015: 237.017, 2023: 304.702}  # BLS CPI-U annual averages

# A fleet whose power is known exactly: 1,000 boards at 1,000 W, no idle floor or host, full load, PUE 1,
# for 8,760 h: 8,760 MWh of facility energy.  Half is generated on site by a simple-cycle gas turbine.
BASE = {
    "name": "air test", "period": "8760 h", "utilization": 1, "pue": 1, "wue": "0 L/kWh",
    "fleet": [{"accelerator": "h100-sxm", "count": 1000, "power": "1000 W", "idle_power": "0 W",
               "host_power": "0 W"}],
    "supply": {"grid": "us-srtv", "onsite": {"technology": "gas-turbine-simple-cycle", "share": 0.5}},
}
ONSITE_MWH = GRID_MWH = 4380.0
HEAT_MMBTU = ONSITE_MWH * 1000 * 10_500 / 1e6  # 10,500 Btu/kWh (onsite.csv) -> 45,990 MMBtu


def _run(**changes):
    doc = {**BASE, **changes}
    return compute(parse_scenario(doc), draws=0)


def test_onsite_pollutants_are_heat_input_times_ap42_factors():
    r = _run()  # no controls given: the simple-cycle default, uncontrolled
    per_mmbtu = {"nox": 0.32, "co": 0.082, "voc": 0.0021, "pm25": 0.0066, "so2": 0.0034, "hcho": 0.00071}
    for pollutant, lb in per_mmbtu.items():
        assert r.metric(f"{pollutant}_onsite").m_as("t") == pytest.approx(HEAT_MMBTU * lb * LB_T, rel=1e-9), pollutant
    # the default is printed as an assumption, not applied silently
    controls = next(f for f in r.assumptions(0) if f.name == "supply.onsite.controls")
    assert controls.status == "assumed" and "uncontrolled" in controls.source


def test_scr_cuts_nox_by_more_than_an_order_of_magnitude():
    unc = _run()
    scr = _run(supply={**BASE["supply"], "onsite": {**BASE["supply"]["onsite"], "controls": "scr"}})
    dln = _run(supply={**BASE["supply"], "onsite": {**BASE["supply"]["onsite"], "controls": "dln"}})
    # 2 ppmvd at 15 % O2: 1.194e-7 lb/(dscf ppm) x 8,710 dscf/MMBtu x 20.9 / (20.9 - 15) x 2 = 0.00737 lb/MMBtu
    scr_factor = 1.194e-7 * 8710 * 20.9 / 5.9 * 2
    assert scr.metric("nox_onsite").m_as("t") == pytest.approx(HEAT_MMBTU * scr_factor * LB_T, rel=1e-3)
    assert dln.metric("nox_onsite").m_as("t") == pytest.approx(HEAT_MMBTU * 0.099 * LB_T)
    ratio = (unc.metric("nox_onsite") / scr.metric("nox_onsite")).m_as("")
    assert ratio > 10  # AP-42 uncontrolled 0.32 vs SCR 0.00737: 43x
    # CO is not reduced by SCR: lean-premix 0.015 lb/MMBtu for both dln and scr
    assert scr.metric("co_onsite").m_as("t") == pytest.approx(dln.metric("co_onsite").m_as("t"))
    # pollutants that do not depend on the NOx control stay put
    assert scr.metric("pm25_onsite").m_as("t") == pytest.approx(unc.metric("pm25_onsite").m_as("t"))


def test_grid_pollutants_use_egrid_output_rates():
    r = _run()
    # eGRID2023 rev2 SRTV: NOx 0.384, SO2 0.427 lb/MWh
    assert r.metric("nox_grid").m_as("t") == pytest.approx(GRID_MWH * 0.384 * LB_T)
    assert r.metric("so2_grid").m_as("t") == pytest.approx(GRID_MWH * 0.427 * LB_T)


def test_health_damages_with_epa_benefit_per_ton_in_2023_dollars():
    r = _run()  # us-srtv: the US default set, EPA EGU benefit-per-ton (2015 dollars per short ton)
    to_2023 = CPI[2023] / CPI[2015]
    per_t = {k: v / SHORT_TON_T * to_2023 for k, v in {"nox": 6000, "so2": 40000, "pm25": 140000}.items()}
    onsite = (HEAT_MMBTU * LB_T) * (0.32 * per_t["nox"] + 0.0034 * per_t["so2"] + 0.0066 * per_t["pm25"])
    grid = GRID_MWH * LB_T * (0.384 * per_t["nox"] + 0.427 * per_t["so2"])
    assert r.metric("health_damages_onsite").m_as("USD") == pytest.approx(onsite, rel=1e-6)
    assert r.metric("health_damages_grid").m_as("USD") == pytest.approx(grid, rel=1e-6)
    assert r.metric("health_damages").m_as("USD") == pytest.approx(onsite + grid, rel=1e-6)
    # EPA's table gives no deaths per ton: the metric is absent and the gap is printed
    assert r.metric("premature_deaths") is None
    assert any(f.status == "missing" and "deaths" in f.name for f in r.assumptions(0))


def test_premature_deaths_with_easiur_site_factors():
    r = _run(health={"onsite": "easiur-memphis-ground", "grid": "easiur-memphis-stack150"})
    # EASIUR at the site, deaths per tonne (damage / VSL 8.6 million 2010 dollars): ground NOx 0.00062, SO2 0.00231,
    # PM2.5 0.0139; 150 m NOx 0.000512, SO2 0.00236
    t = HEAT_MMBTU * LB_T
    onsite = t * (0.32 * 0.00062 + 0.0034 * 0.00231 + 0.0066 * 0.0139)
    grid = GRID_MWH * LB_T * (0.384 * 0.000512 + 0.427 * 0.00236)
    assert r.metric("premature_deaths").m_as("") == pytest.approx(onsite + grid, rel=1e-6)
    # damages in 2010 dollars -> 2023 dollars
    to_2023 = CPI[2023] / CPI[2010]
    assert r.metric("health_damages_onsite").m_as("USD") == pytest.approx(
        t * (0.32 * 6156 + 0.0034 * 22879 + 0.0066 * 137705) * to_2023, rel=1e-6)


def test_health_damages_and_deaths_carry_a_range():
    r = compute(parse_scenario({**BASE, "health": {"onsite": "easiur-memphis-ground", "grid": "easiur-memphis-stack150"},
                                "supply": {**BASE["supply"], "onsite": {**BASE["supply"]["onsite"], "controls": "scr"}}}),
                draws=2000)
    for m in ("health_damages", "premature_deaths"):
        lo, mid, hi = (r.metric(m, 0, w).m_as(r.metric(m).units) for w in ("low", "value", "high"))
        assert lo < mid < hi, m


def test_outside_the_us_no_damage_factor_is_assumed():
    r = _run(supply={"grid": "fr"})
    assert r.metric("health_damages") is None
    assert any(f.status == "missing" and f.name == "health.grid" for f in r.assumptions(0))


def test_unknown_control_and_health_set_are_clear_errors():
    doc = {**BASE, "supply": {**BASE["supply"], "onsite": {**BASE["supply"]["onsite"], "controls": "scrr"}}}
    with pytest.raises(ScenarioError) as e:
        parse_scenario(doc)
    assert "supply.onsite.controls" in str(e.value) and "scr" in str(e.value)
    with pytest.raises(ScenarioError) as e:
        parse_scenario({**BASE, "health": {"grid": "epa"}})
    assert "health.grid" in str(e.value)


def test_selc_estimate_for_35_turbines_at_2_ppm_is_reproduced():
    # SELC/NAACP letter (2025, as quoted by the press): 35 turbines with controls reaching 2 ppm "would emit about
    # 177 tons of NOx per year".  35 Titan 130 units at their 15.0 MWe rating (IAGT 2005) for a year, at our
    # 10,500 Btu/kWh: 35 x 15 MW x 8,760 h = 4,599,000 MWh generated on site.
    r = compute(parse_scenario({
        "name": "35 turbines at full output", "period": "8760 h", "utilization": 1, "pue": 1, "wue": "0 L/kWh",
        "fleet": [{"accelerator": "h100-sxm", "count": 525_000, "power": "1000 W", "idle_power": "0 W",
                   "host_power": "0 W"}],
        "supply": {"onsite": {"technology": "gas-turbine-simple-cycle", "share": 1, "controls": "scr"}},
    }), draws=0)
    assert r.metric("onsite_energy").m_as("MWh") == pytest.approx(4_599_000)
    assert r.metric("nox_onsite").m_as("short_ton") == pytest.approx(177, rel=0.02)


def test_permit_caps_are_short_tons_and_checked_as_limits(request):
    r = compute(request.config.rootpath / "inputs/colossus-phase2.yaml", draws=2000)
    caps = {c.metric: c for c in r.claims(0) if c.kind == "limit"}
    assert set(caps) == {"nox_onsite", "co_onsite", "voc_onsite", "pm25_onsite", "hcho_onsite"}
    nox = caps["nox_onsite"]
    assert nox.claimed.m_as("t") == pytest.approx(87 * SHORT_TON_T)  # 78.9 t, never printed as "87 t"
    assert nox.record()["claimed_as"] == "87 short ton"
    # the SCR estimate sits under the NOx cap; the verdict follows the modelled P95 against the cap
    assert nox.verdict == ("under the limit" if nox.high <= nox.claimed else "may exceed the limit")
    assert nox.high.m_as("t") < 87 * SHORT_TON_T


def test_report_model_has_an_air_section_and_plain_cap_sentences(request):
    from pipeline.report.model import report_context

    r = compute(request.config.rootpath / "inputs/colossus-phase2.yaml", draws=500)
    ctx = report_context(r)
    air = ctx["air"]
    assert air["show"] and air["controls"] == "scr" and not air["controls_assumed"]
    assert {p["metric"] for p in air["pollutants"]} == {"nox_onsite", "co_onsite", "voc_onsite", "pm25_onsite",
                                                         "so2_onsite", "hcho_onsite", "nox_grid", "so2_grid"}
    assert any(h["metric"] == "health_damages" for h in ctx["headline"])  # the page-1 card
    nox = next(c for c in ctx["claims"] if c["metric"].startswith("NOx"))
    assert nox["sentence"].startswith("Cap: NOx 87 short tons (78.9 t) a year.")
    assert "87 t" not in nox["claimed"] and "short tons" in nox["claimed"]


def test_report_model_has_no_air_section_without_combustion_or_grid_rates():
    from pipeline.report.model import report_context

    r = _run(supply={"grid_intensity": "400 g CO2e/kWh", "grid_water_intensity": "1 L/kWh"})
    assert not report_context(r)["air"]["show"]


def test_comparison_ranks_variants_by_health_damages(request):
    from pipeline.compare import compare
    from pipeline.report.compare_model import comparison_context

    ctx = comparison_context(compare(request.config.rootpath / "inputs/colossus-variants.yaml", draws=0))
    names = [r["name"] for r in ctx["health_rank"]]
    # uncontrolled turbines do more harm than the same turbines with SCR (43x less NOx, same PM2.5 and SO2)
    assert names.index("Gas turbines with SCR") < names.index("Gas turbines only")
    assert any(c.id == "cmp-health" for c in ctx["charts"])


def test_selc_estimate_for_the_unpermitted_period_against_uncontrolled_turbines(request):
    r = compute(request.config.rootpath / "inputs/colossus-unpermitted-2025.yaml", draws=2000)
    # central: 200,000 x (70 + 0.8 x 630 + 350) W x 1.2 PUE = 221.76 MW; x 8,766 h x 0.32 on site = 622,069 MWh;
    # x 10.5 MMBtu/MWh x 0.32 lb NOx/MMBtu (AP-42 uncontrolled) = 2.090e6 lb = 948 t
    onsite_mwh = 200_000 * (70 + 0.8 * 630 + 350) * 1.2 / 1e6 * 8766 * 0.32
    assert r.metric("nox_onsite", 0, "central").m_as("t") == pytest.approx(onsite_mwh * 10.5 * 0.32 * LB_T, rel=1e-6)
    verdicts = {round(c.claimed.m_as("short_ton")): c.verdict for c in r.claims(0)}
    assert verdicts[1200] in ("within modelled range", "consistent")  # SELC's low end sits in the modelled range
    assert verdicts[2100] == "above model"  # its high end covers 35 turbines as operated, beyond the cluster's need


def test_a_grid_without_pollutant_rates_lists_no_health_factors_for_it():
    """France has no published NOx/SO2 output rate in grids.csv: no grid damages are computed, so the report must
    not cite the Memphis EASIUR set that colossus.yaml names for its grid (it would read as used)."""
    from pipeline.compare import compare

    c = compare("inputs/colossus.yaml", ["grid", "france"], draws=0)
    names = [[f.name for f in c.result.assumptions(k)] for k in range(2)]
    assert any(n.startswith("health.easiur-memphis-stack150.") for n in names[0])
    assert not any(n.startswith("health.") for n in names[1])
    assert "grid.nox_rate" in names[1]  # the missing rate is what says why
    assert c.value("health_damages_grid", 1) is None
