"""The report's "Hour by hour" section (pipeline/report/hourly_model.py, templates/_hourly.html.j2).

Expected sentences and figures are derived by hand from the stub's numbers, never read back from the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from pipeline import compute
from pipeline.report.hourly_model import hourly_context
from pipeline.report.model import report_context
from pipeline.report.render import render_html
from pipeline.results import HourlyResult
from pipeline.units import Q_


@dataclass
class _Scenario:
    pue: float = 1.2
    wue: Any = field(default_factory=lambda: Q_(1.8, "L/kWh"))
    ppa_share: float = 0.5
    carbon_basis: str | None = "direct"
    supplier: str | None = None


class _Results:
    """The three things the view-model reads of Results: hourly_of, scenarios, metric."""

    def __init__(self, hourly: HourlyResult | None, metrics: dict[str, Any]) -> None:
        self.scenarios = [_Scenario()]
        self._hourly, self._metrics = hourly, metrics

    def hourly_of(self, i: int = 0) -> HourlyResult | None:
        return self._hourly

    def metric(self, name: str, i: int = 0, which: str = "value") -> Any:
        return self._metrics.get(name)


def _stub() -> _Results:
    wue = np.array([1.0, 1.1, 2.0, 2.5, 3.0, 3.5, 4.5, 4.0, 3.0, 2.0, 1.5, 1.2])  # July highest, January lowest
    h = HourlyResult("tva-2023", "memphis-tmy3", "evaporative-tower", "ciso-2021-solar",
                     {"cfe_share": Q_(0.40, ""), "cfe_share_annual": Q_(0.52, ""), "pue_effective": Q_(1.2, ""),
                      "wue_effective": Q_(2.5, "L/kWh"), "water_onsite_peak_day": Q_(300.0, "m**3/day"),
                      "co2e_scope2_location_based_annual": Q_(400.0, "t CO2e"),
                      "grid_intensity_min": Q_(100.0, "g CO2e/kWh"), "grid_intensity_mean": Q_(250.0, "g CO2e/kWh"),
                      "grid_intensity_max": Q_(400.0, "g CO2e/kWh")},
                     {"wue [L/kWh]": wue, "co2e_location_based [t CO2e]": np.full(12, 30.0),
                      "water_onsite [m ** 3]": np.linspace(1000.0, 2100.0, 12)},
                     None, ("hourly runs are deterministic",))
    return _Results(h, {"grid_energy": Q_(1000.0, "MWh"), "co2e_scope2_location_based": Q_(360.0, "t CO2e"),
                        "water_onsite_per_day": Q_(200.0, "m**3/day")})


def _rows() -> dict[str, dict[str, str]]:
    ctx = hourly_context(_stub())  # type: ignore[arg-type]
    assert ctx["show"]
    return {r["measure"]: r for r in ctx["rows"]}


def test_cfe_hourly_beside_annual_matching_names_the_gap() -> None:
    r = _rows()["Carbon-free energy (24/7 CFE score)"]
    assert (r["hourly"], r["annual"]) == ("40 %", "52 %")
    # 52 % - 40 % = 12 points of carbon-free energy in hours the site cannot use; a PPA is named (share 0.5)
    assert "12 percentage points" in r["text"] and "contracted generation" in r["text"]


def test_pue_wue_and_worst_day_against_the_annual_view() -> None:
    rows = _rows()
    pue = rows["PUE, effective"]
    assert (pue["hourly"], pue["annual"]) == ("1.20", "1.20") and "agree" in pue["text"]
    wue = rows["WUE, effective (on site)"]
    assert (wue["hourly"], wue["annual"]) == ("2.50 L/kWh", "1.80 L/kWh")
    assert "1.00 L/kWh in January to 4.50 in July" in wue["text"]
    day = rows["On-site water, worst day"]
    assert day["hourly"] == "300 m³/day" and day["annual"].startswith("200 m³/day")
    # 300 / 200 = 1.5x the mean day; 300 m³ = 300 / 0.003785411784 US gal = 79,252 US gal
    assert "1.5× the mean day" in day["text"] and "79,300 US gal/day" in day["text"]


def test_scope2_at_hourly_and_annual_factors_and_the_intensity_range() -> None:
    rows = _rows()
    s2 = rows["Scope 2, location-based"]
    assert (s2["hourly"], s2["annual"]) == ("360 t CO₂e", "400 t CO₂e")
    # annual factor = 400 t / 1,000 MWh = 400 g/kWh; 360 / 400 - 1 = -10 %
    assert "(400 g CO₂e/kWh)" in s2["text"] and "10 % lower" in s2["text"]
    gi = rows["Grid intensity, lowest / mean / highest hour"]
    assert gi["hourly"] == "100 / 250 / 400 g CO₂e/kWh" and gi["annual"] == "400 g CO₂e/kWh"
    assert "4.0× as much" in gi["text"] and "direct basis" in gi["text"]


def test_monthly_chart_names_every_month_and_both_series() -> None:
    chart = hourly_context(_stub())["chart"]  # type: ignore[arg-type]
    for month in ("Jan", "Jun", "Dec"):
        assert f">{month}<" in chart["svg"]
    assert "CO₂e, location-based" in chart["svg"] and "On-site water" in chart["svg"]
    assert chart["data_uri"].startswith("data:image/svg+xml;base64,")


def test_an_annual_run_has_no_hourly_section() -> None:
    assert hourly_context(_Results(None, {})) == {"show": False}  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def colossus_html() -> str:
    return render_html(report_context(compute("inputs/colossus-hourly.yaml", draws=0)))


def test_the_colossus_hourly_report_shows_the_section(colossus_html: str) -> None:
    section = re.search(r'<section id="hourly">(.*?)</section>', colossus_html, re.S)
    assert section is not None
    text = section.group(1)
    assert "TVA 2023 hourly generation mix" in text and "Memphis" in text
    # a flat load and no contract: hourly and annual matching are the same score by construction
    assert "gives the same" in text
    assert 'id="chart-hourly-monthly"' in text and "<colgroup>" in text
    assert '<section id="hourly">' not in render_html(report_context(compute("inputs/colossus.yaml", draws=0)))


def test_the_hours_come_after_the_contents_and_the_brief_says_why_co2e_differs(colossus_html: str) -> None:
    """Contents open page 2 in every report: the hourly section follows them and is listed; its notes name the
    weather, not its id; page 1 says that the hourly CO2e is not the annual figure (here 46 % lower)."""
    toc = colossus_html.index('<nav class="toc"')
    assert toc < colossus_html.index('<section id="hourly">')
    assert 'href="#hourly"' in colossus_html[toc:colossus_html.index("</nav>", toc)]
    section = re.search(r'<section id="hourly">(.*?)</section>', colossus_html, re.S)
    assert section is not None
    assert "memphis-tmy3" not in section.group(1) and "(its hourly generation mix)" not in section.group(1)
    brief = colossus_html[colossus_html.index('<section id="brief">'):toc]
    assert re.search(r"CO₂e is computed hour by hour .* \d+\u00a0% lower than the 398 kt CO₂e", brief)
