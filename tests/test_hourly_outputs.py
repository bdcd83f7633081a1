"""The hourly run's two extra outputs: heat maps (hour of day x month) and hourly.csv (issue 12).

Expected values come from the shipped data files (the TVA 2023 mix, the technology factors) and from hand
arithmetic, never from the functions under test.  The Colossus hourly scenario is computed once per module.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import compute
from pipeline.report.hourly_model import heatmaps, hour_month_means, hourly_csv_text
from pipeline.report.model import report_context
from pipeline.report.render import render_html
from pipeline.results import HourlyResult, Results
from pipeline.units import Q_

DATA = Path(__file__).resolve().parents[1] / "pipeline" / "data"
DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
INTENSITY = "grid_intensity [g CO2e/kWh]"
WATER = "water_onsite [m ** 3]"


@pytest.fixture(scope="module")
def result() -> Results:
    return compute("inputs/colossus-hourly.yaml", draws=0, keep_hours=True)


@pytest.fixture(scope="module")
def hourly(result: Results) -> HourlyResult:
    h = result.hourly_of(0)
    assert h is not None and h.hours is not None
    return h


@pytest.fixture(scope="module")
def tva_intensity(result: Results) -> pd.DataFrame:
    """The TVA 2023 hourly intensity on the scenario's basis, straight from the data files: each hour's shares
    (tva-2023.csv) times the technologies' direct emission factors (technologies.csv)."""
    assert result.scenarios[0].carbon_basis == "direct"
    mix = pd.read_csv(DATA / "hourly" / "tva-2023.csv")
    tech = pd.read_csv(DATA / "technologies.csv")
    factors = tech[tech["parameter"] == "co2e_intensity_direct"].set_index("id")
    assert set(factors["unit"]) == {"g CO2e / kWh"}
    fuels = [c for c in mix.columns if c != "hour"]
    g = mix[fuels].to_numpy() @ factors.loc[fuels, "value"].to_numpy(dtype=float)
    return pd.DataFrame({"hour": mix["hour"], "g": g})


# --------------------------------------------------------------------------- heat maps


def test_intensity_heat_map_is_24_by_12_and_its_days_weighted_mean_is_the_annual_mean(
        hourly: HourlyResult, tva_intensity: pd.DataFrame) -> None:
    annual = tva_intensity["g"].mean()
    # hand check of the data: TVA 2023 is about half nuclear and hydro, a fifth gas, a sixth coal
    assert 150 < annual < 300
    for offset in (0, -6):
        m = hour_month_means(hourly, INTENSITY, offset)
        assert m is not None and m.shape == (24, 12)
        # each cell is a mean over the days of its month: weighting the months by their days gives the year's mean
        assert float((m.mean(axis=0) * DAYS).sum() / 365) == pytest.approx(annual, rel=1e-9)


def test_intensity_cells_are_the_means_of_the_hours_on_the_utc_and_the_local_clock(
        hourly: HourlyResult, tva_intensity: pd.DataFrame) -> None:
    t = tva_intensity
    utc = hour_month_means(hourly, INTENSITY, 0)
    local = hour_month_means(hourly, INTENSITY, -6)
    assert utc is not None and local is not None
    # 00:00 UTC in January: the 31 values of "2023-01-DDT00:00Z"
    jan_00 = t[t["hour"].str.match(r"2023-01-\d\dT00:00Z")]["g"]
    assert len(jan_00) == 31 and utc[0, 0] == pytest.approx(jan_00.mean(), rel=1e-12)
    # 18:00 local standard time (UTC-6) on the 31 days of January is 00:00 UTC from 2 January to 1 February
    shifted = t[t["hour"].str.match(r"2023-01-(0[2-9]|[12]\d|3[01])T00:00Z|2023-02-01T00:00Z")]["g"]
    assert len(shifted) == 31 and local[18, 0] == pytest.approx(shifted.mean(), rel=1e-12)
    # 18:00 local on 31 December 2023 is 00:00 UTC on 1 January 2024, outside the profile: the year wraps, and the
    # first UTC hours of 2023 (18:00-23:00 local on 31 December 2022) stand in for the last December evening
    dec_18 = t[t["hour"].str.match(r"2023-12-(0[2-9]|[12]\d|3[01])T00:00Z|2023-01-01T00:00Z")]["g"]
    assert len(dec_18) == 31 and local[18, 11] == pytest.approx(dec_18.mean(), rel=1e-12)


def test_memphis_water_is_higher_in_july_than_in_january(hourly: HourlyResult) -> None:
    m = hour_month_means(hourly, WATER, -6)
    assert m is not None and m.shape == (24, 12)
    assert m[:, 6].mean() > m[:, 0].mean()  # wet bulb about 23 degC in July against 2 degC in January
    assert (m[:, 6] > m[:, 0]).all()  # hour by hour too


def test_heat_maps_have_alt_text_with_numbers_and_label_the_local_clock(hourly: HourlyResult,
                                                                        result: Results) -> None:
    page = heatmaps(result, 0)
    assert page is not None and "local standard time (UTC−6)" in page["intro"]
    carbon, water = page["charts"]
    assert (carbon["id"], water["id"]) == ("hourly-heatmap-carbon", "hourly-heatmap-water")
    for c in (carbon, water):
        assert re.search(r"\d", c["alt"]) and "highest at" in c["alt"] and "lowest at" in c["alt"]
        assert c["data_uri"].startswith("data:image/svg+xml;base64,")
        for month in ("Jan", "Jul", "Dec"):
            assert f">{month}<" in c["svg"]
        assert "local standard time (UTC−6)" in c["svg"]
    assert "g CO₂e/kWh" in carbon["svg"] and "m³/h" in water["svg"]
    # the water peaks in July, the hottest and most humid month of the Memphis typical year
    assert re.search(r"highest at \d\d:00 local standard time \(UTC−6\) in July", water["alt"])
    # the mean of all hours in the carbon alt text: the TVA 2023 mean intensity, to 3 significant figures
    mean = float(np.mean(hourly.hours[INTENSITY]))  # type: ignore[index]
    assert f"mean of all hours is {float(f'{mean:.3g}'):g} g CO₂e/kWh" in carbon["alt"]


def test_no_heat_maps_and_no_csv_without_kept_hours(result: Results) -> None:
    h = result.hourly_of(0)
    assert h is not None
    without = replace(result, hourly=[replace(h, hours=None)])
    assert heatmaps(without, 0) is None and hourly_csv_text(without, 0) is None
    annual = replace(result, hourly=[None])
    assert heatmaps(annual, 0) is None and hourly_csv_text(annual, 0) is None


# --------------------------------------------------------------------------- hourly.csv


def _read(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def test_hourly_csv_has_8760_rows_and_the_headers_with_units(result: Results) -> None:
    text = hourly_csv_text(result, 0)
    assert text is not None
    header, rows = _read(text)
    assert len(rows) == 8760
    assert header == ["time (UTC)", "facility_power [MW]", "it_energy [MWh]", "energy [MWh]",
                      "grid_intensity [g CO2e / kWh]", "grid_cfe_share []", "cfe_share []", "pue []",
                      "wue [L / kWh]", "water_onsite [m³]", "water_total [m³]", "co2e_location_based [t CO2e]"]
    for h in header[1:]:  # every unit is one pint reads back
        unit = re.fullmatch(r".+ \[(.*)\]", h)
        assert unit is not None
        Q_(1.0, unit.group(1) or "")
    assert (rows[0][0], rows[1][0], rows[-1][0]) == ("2023-01-01T00:00Z", "2023-01-01T01:00Z", "2023-12-31T23:00Z")
    assert {r[7] for r in rows} == {"1.2"}  # the scenario's PUE in every hour (a flat PUE)


def test_hourly_csv_sums_are_the_scenarios_totals(result: Results) -> None:
    text = hourly_csv_text(result, 0)
    assert text is not None
    frame = pd.read_csv(io.StringIO(text))
    # the CO2e column is location-based CO2e: Scope 1 (no on-site combustion here, 0) + Scope 2 location-based
    scope1 = result.metric("co2e_scope1", 0)
    scope2 = result.metric("co2e_scope2_location_based", 0)
    assert scope1 is not None and scope2 is not None and scope1.m_as("t CO2e") == 0
    total = scope1.m_as("t CO2e") + scope2.m_as("t CO2e")
    assert math.fsum(frame["co2e_location_based [t CO2e]"]) == pytest.approx(total, rel=1e-6)
    water = result.metric("water_onsite", 0)
    assert water is not None
    assert math.fsum(frame["water_onsite [m³]"]) == pytest.approx(water.m_as("m**3"), rel=1e-6)


def test_a_leap_year_profile_gives_8784_rows_and_full_cells() -> None:
    """A synthetic 2024 (leap) year whose value is the UTC hour of day: the matrix rows are then the hours."""
    hours = pd.date_range("2024-01-01", periods=8784, freq="h")
    h = HourlyResult(None, None, None, None, {}, {}, {"hour": hours.strftime("%Y-%m-%dT%H:00Z").to_numpy(),
                                                      "facility_power [MW]": hours.hour.to_numpy(dtype=float)})

    class _One:
        def hourly_of(self, i: int = 0) -> HourlyResult:
            return h

    m = hour_month_means(h, "facility_power [MW]", 0)
    assert m is not None and (m == np.arange(24)[:, None]).all()
    local = hour_month_means(h, "facility_power [MW]", -6)  # 00:00 local is 06:00 UTC
    assert local is not None and (local == ((np.arange(24) + 6) % 24)[:, None]).all()
    text = hourly_csv_text(_One(), 0)  # type: ignore[arg-type]
    assert text is not None
    header, rows = _read(text)
    assert header == ["time (UTC)", "facility_power [MW]"] and len(rows) == 8784
    assert rows[59 * 24][0] == "2024-02-29T00:00Z"


# --------------------------------------------------------------------------- the report


def test_report_has_the_heat_map_page_and_the_csv_link(result: Results) -> None:
    ctx = report_context(result, 0)
    html = render_html(ctx)
    section = re.search(r'<div class="heatmaps" id="hourly-heatmaps".*?</div>\s*</section>', html, re.S)
    assert section is not None
    text = section.group(0)
    assert text.count('role="img" aria-label="') == 2 and 'id="chart-hourly-heatmap-water"' in text
    assert re.search(r'aria-label="The grid&#39;s carbon intensity \(direct basis\) is highest at \d\d:00', text)
    assert '<a href="hourly.csv" download>hourly.csv</a> (8,760 rows' in html
    pdf = render_html(ctx, mode="pdf")  # the PDF's HTML (not the PDF): images with the alt text, no link
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="[^"]*\d[^"]*"', pdf)) >= 2
    assert 'href="hourly.csv"' not in pdf


def test_the_report_bundle_holds_hourly_csv_and_its_manifest_lists_it(result: Results, tmp_path: Path) -> None:
    import json

    from pipeline.report.render import write_report

    paths = write_report(result, 0, tmp_path, ("html",))
    rows = paths["hourly.csv"].read_text().splitlines()
    assert len(rows) == 1 + 8760 and rows[1].startswith("2023-01-01T00:00Z,")
    assert "hourly.csv" in json.loads(paths["manifest"].read_text())["files"]
    assert 'href="hourly.csv"' in paths["html"].read_text()  # the download link points at the file written


def test_an_annual_report_bundle_has_no_hourly_csv(tmp_path: Path) -> None:
    from pipeline.report.render import write_report

    paths = write_report(compute("inputs/colossus.yaml", draws=0, keep_hours=True), 0, tmp_path, ("html",))
    assert "hourly.csv" not in paths and not list(tmp_path.rglob("hourly.csv"))


def test_market_based_row_says_the_supplier_rate_ignores_the_hours(result: Results) -> None:
    """Colossus hourly buys from TVA at its published annual rate: market-based Scope 2 (275 kt) sits above the
    hourly location-based figure (214 kt); the section says why, with the rate = market CO2e / grid energy."""
    from pipeline.report.hourly_model import hourly_context

    rows = {r["measure"]: r for r in hourly_context(result, 0)["rows"]}
    market = rows["Scope 2, market-based"]
    rate = result.metric("co2e_scope2_market_based", 0).m_as("g CO2e") / result.metric("grid_energy", 0).m_as("kWh")
    assert f"{rate:.0f} g CO₂e/kWh" in market["text"] and "sits above" in market["text"]
    assert market["hourly"] == market["annual"]
    no_supplier = compute(scenario_without_supplier(), draws=0)
    assert "Scope 2, market-based" not in {r["measure"] for r in hourly_context(no_supplier, 0)["rows"]}


def scenario_without_supplier():
    import yaml

    from pipeline.api import parse_scenario

    doc = yaml.safe_load(Path("inputs/colossus-hourly.yaml").read_text())
    del doc["supply"]["supplier"]
    doc["sources"].pop("supply.supplier", None)
    return parse_scenario(doc)
