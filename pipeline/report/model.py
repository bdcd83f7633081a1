"""Results -> report view-model: display strings, tables and charts, no templates involved.

The report layer reads :class:`pipeline.results.Results`; it never runs the chain.  All unit
conversions and the plain-language equivalents are computed here, with pint, from the factors
in ``equivalences.csv`` (which then appear in the report's sources).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pint

from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.report import charts
from pipeline.report.filters import (
    fmt_count,
    fmt_percent,
    fmt_q,
    fmt_q_range,
    fmt_ratio,
    fmt_sig,
    fmt_usd,
    typeset,
)
from pipeline.report.hourly_model import hourly_context
from pipeline.report.timeline_model import timeline_context
from pipeline.results import METRIC_BY_NAME, METRICS, Results
from pipeline.units import unit_text, ureg

#: How each carbon basis is printed (``carbon_basis`` of the scenario).
CARBON_BASIS_TEXT = {"direct": "direct basis", "lifecycle": "lifecycle basis"}

#: The method, stage by stage: (stage, formula in symbols, explanation).  The report's method
#: section and docs/methodology.md are both generated from this list.
METHOD: tuple[tuple[str, str, str], ...] = (
    ("Accelerator power", "P_acc = P_idle + u · (P_full − P_idle)",
     "Mean board power of one accelerator at mean utilization u, linear between idle and full load "
     "(the model of e-footprint and Cloud Carbon Footprint). P_full defaults to the TDP."),
    ("IT power", "P_IT = Σ_groups n · (P_acc + P_host);  P_IT,peak = Σ n · (P_full + P_host,nameplate)",
     "Host power (CPUs, memory, network cards, fans, power-supply losses per accelerator) runs whenever "
     "the servers run and is not scaled by utilization (no measured idle server power was found). For HGX/DGX "
     "H100 and H200 it is calibrated to measured nodes: 8.4 kW at full load (Latif et al. 2025), so 350 W per "
     "GPU; the peak keeps the nameplate share (10.2 kW rating), what a utility must provision. Network switches "
     "and storage outside the servers are not included: no cited per-accelerator figure was found."),
    ("Facility power", "P_fac = P_IT · PUE",
     "PUE is The Green Grid's ratio of facility to IT energy; the peak assumes the same ratio at peak."),
    ("Energy", "E_IT = P_IT · t  (or accelerator-hours · (P_acc + P_host));  E = E_IT · PUE",
     "Over the scenario's period t. A fleet given in accelerator-hours has energy but no power figures."),
    ("Supply split", "E_onsite = s_onsite · E;  E_grid = E − E_onsite;  E_PPA = s_PPA · E_grid",
     "On-site generation (e.g. gas turbines) covers a share of facility energy; renewable purchases "
     "match a share of grid energy contractually, without changing the electricity drawn."),
    ("Water on site", "W_onsite = WUE · E_IT",
     "Cooling water consumed on site. WUE is per kWh of IT energy (The Green Grid), not facility energy."),
    ("Water off site", "W_offsite = E_grid · EWIF_grid + E_onsite · EWIF_plant",
     "Water consumed generating the electricity (Li et al. 2023); purchases do not change it."),
    ("CO2e, location-based", "C_loc = E_grid · CI_grid + C_onsite",
     "Scope 1 + Scope 2 location-based (GHG Protocol Scope 2 Guidance): the grid-average factor for "
     "electricity drawn, plus on-site combustion (Scope 1, reported on its own as co2e_scope1)."),
    ("CO2e, market-based", "C_mkt = (E_grid − E_PPA) · CI_residual + E_PPA · CI_PPA + C_onsite",
     "Scope 1 + Scope 2 market-based, by the Scope 2 hierarchy: contracted energy at its instrument's "
     "factor (0 for renewables), the rest at the supplier's published rate (supply.supplier), else at the "
     "grid average with a printed warning (no residual mix is shipped)."),
    ("On-site combustion", "C_onsite = E_onsite · HR · (EF_CO2 + GWP_CH4 · EF_CH4 + GWP_N2O · EF_N2O)",
     "Heat rate HR times the fuel's emission factors per unit of heat (EPA 40 CFR 98), CH4 and N2O "
     "weighted by their global warming potentials."),
    ("Upstream fuel methane", "C_up = E_onsite · HR · m_CH4,upstream · GWP_CH4",
     "Methane leaked producing and moving the gas burnt on site (GHG Protocol Scope 3 category 3), from the US "
     "supply-chain leak rate of Alvarez et al. 2018 (2.3 %, range 0.9-3.6 %); shown beside Scope 1, not added "
     "to the Scope 1 + 2 totals; upstream CO2 is not included."),
    ("Embodied carbon", "C_emb = Σ accelerator-time / lifetime · (C_acc + C_server / n_server)",
     "Manufacturing emissions of accelerators and their share of the host server, amortised linearly "
     "over the hardware lifetime."),
    ("Air pollutants on site", "m_p = E_onsite · HR · EF_p(controls)",
     "NOx, CO, VOC, PM2.5, SO2 and formaldehyde from the fuel burnt on site, with US EPA AP-42 §3.1 factors per "
     "unit of heat input; NOx and CO depend on the NOx control (uncontrolled, water-steam injection, dry low-NOx, "
     "or dry low-NOx plus SCR at 2 ppm)."),
    ("Air pollutants from the grid", "m_p = E_grid · r_p,grid",
     "NOx and SO2 at the grid's eGRID annual output emission rates (all generation, not the marginal plant); "
     "eGRID has no PM2.5 rate, so the grid's direct PM2.5 is not counted."),
    ("Health damages", "D = Σ_p m_p · d_p;  deaths = Σ_p m_p · δ_p",
     "Damage and premature deaths per tonne of NOx, SO2 and PM2.5 (reduced-form, population averages; no "
     "dispersion model): EPA benefit-per-ton for US power plants by default, EASIUR at a site where shipped; "
     "money in one dollar year through the consumer price index."),
)

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Accelerator", "A GPU or TPU; power figures are per accelerator board."),
    ("TDP", "Thermal design power: the maximum board power the vendor specifies [W]."),
    ("Utilization (u)", "Mean load of the accelerators over the period, 0 to 1."),
    ("IT power / energy", "Power drawn by servers (accelerators and hosts) [MW, MWh]."),
    ("PUE", "Power usage effectiveness: facility energy / IT energy (The Green Grid)."),
    ("WUE", "Water usage effectiveness: site water consumed / IT energy [L/kWh] (The Green Grid)."),
    ("EWIF", "Energy water intensity factor: water consumed per kWh generated [L/kWh]."),
    ("Water consumption", "Water evaporated or otherwise not returned; withdrawal (larger) is not counted."),
    ("CO2e", "Carbon dioxide equivalent: greenhouse gases weighted by their 100-year global warming potential."),
    ("Location-based", "Scope 2 method using the average emission factor of the grid where electricity is drawn."),
    ("Market-based", "Scope 2 method using the factors of contracted electricity (PPAs, certificates)."),
    ("PPA", "Power purchase agreement: a contract to buy (usually renewable) electricity or its certificates."),
    ("Direct vs lifecycle", "Direct factors count stack emissions only (eGRID); lifecycle factors add "
     "construction, fuel supply and decommissioning (IPCC AR5, Ember)."),
    ("Scope 1, Scope 2", "GHG Protocol scopes: Scope 1 is what the site burns itself (on-site turbines), Scope 2 the "
     "emissions of the electricity it buys."),
    ("Embodied carbon", "Emissions of manufacturing the hardware, spread over its lifetime."),
    ("GWP", "Global warming potential: the warming of 1 kg of a gas over 100 years, relative to 1 kg of CO2."),
    ("eGRID", "US EPA's Emissions & Generation Resource Integrated Database: emission rates of US grid regions "
     "(subregions such as SRTV, Tennessee Valley)."),
    ("Heat rate", "Fuel heat burnt per kWh generated [Btu/kWh]; lower is more efficient."),
    ("Simple-cycle gas turbine", "A gas turbine without a steam stage: quick to start, less efficient than a "
     "combined-cycle plant."),
    ("NOx, SO2, PM2.5", "Nitrogen oxides, sulphur dioxide and fine particles: local air pollutants that harm health."),
    ("SCR", "Selective catalytic reduction: exhaust treatment that removes most of the NOx."),
    ("P50, P5–P95, 90 % range", "Median and 5th–95th percentiles of the Monte Carlo draws: 90 % of the draws fall "
     "inside the range."),
    ("Monte Carlo", "Running the model many times with uncertain inputs drawn at random from their ranges."),
    ("Load factor", "Mean power divided by peak power."),
    ("t", "Metric tonne, 1,000 kg (not the US short ton)."),
    ("US gal", "US liquid gallon, 3.785411784 L."),
    ("m³", "Cubic metre, 1,000 L."),
    ("MW, MWh", "Megawatt (power), megawatt-hour (energy): 1 MW for 1 hour."),
)


@dataclass(frozen=True)
class Chart:
    """One chart: an SVG string, its data-URI form for the PDF, a caption, and ``alt``: the chart in one
    sentence with its numbers (the PDF's alternative text, what a screen reader says instead of the image),
    written from the same values the chart draws.  ``drawing`` is the SVG, or the Future of it while another
    process draws it (:func:`pipeline.report.charts.drawn_by`); ``svg`` waits for it."""

    id: str
    title: str
    drawing: str | Future[str]
    caption: str
    alt: str

    @property
    def svg(self) -> str:
        return self.drawing.result() if isinstance(self.drawing, Future) else self.drawing

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _n(x: float) -> str:
    """A chart's number in its alt text: three significant figures, as the chart labels it."""
    return fmt_sig(x, 3, strip=True)


def bars_alt(title: str, unit: str, labels: Sequence[str], values: Sequence[float]) -> str:
    """Alt text of a bar chart: every bar's label and value.

    >>> bars_alt("IT energy by group", "GWh", ["A", "B"], [512.04, 3.0])
    'Bar chart, IT energy by group, in GWh: A 512; B 3.'
    """
    return f"Bar chart, {title}, in {unit}: " + "; ".join(f"{lb} {_n(v)}" for lb, v in zip(labels, values, strict=True)) + "."


def stacked_alt(title: str, unit: str, rows: Sequence[str], segments: Sequence[tuple[str, Sequence[float]]]) -> str:
    """Alt text of a stacked bar chart: each bar's total, then its non-zero parts.

    >>> stacked_alt("Power", "MW", ["Mean", "Peak"], [("boards", [70, 100]), ("hosts", [20, 0])])
    'Stacked bar chart, Power, in MW: Mean 90 (boards 70, hosts 20); Peak 100 (all boards).'
    """
    bars = []
    for k, row in enumerate(rows):
        total = sum(values[k] for _, values in segments)
        parts = [(name, values[k]) for name, values in segments if values[k]]
        words = f"all {parts[0][0]}" if len(parts) == 1 else ", ".join(f"{name} {_n(v)}" for name, v in parts)
        bars.append(f"{row} {_n(total)}" + (f" ({words})" if parts else ""))
    return f"Stacked bar chart, {title}, in {unit}: " + "; ".join(bars) + "."


def ranged_alt(title: str, unit: str, labels: Sequence[str],
               series: Sequence[tuple[str, Sequence[float], Sequence[float], Sequence[float]]]) -> str:
    """Alt text of (grouped) bars with P5-P95 error bars: each label's value per series, with its 90 % range when
    there is one.  ``series`` items are (name, values, lows, highs); one series is not named.

    >>> ranged_alt("CO2e", "kt", ["a", "b"], [("", [1.0, 2.0], [0.5, 2.0], [1.5, 2.0])])
    'Bar chart, CO2e, in kt: a 1 (90 % range 0.5 to 1.5); b 2.'
    """
    def one(value: float, lo: float, hi: float) -> str:
        return _n(value) + (f" (90 % range {_n(lo)} to {_n(hi)})" if (lo, hi) != (value, value) else "")

    rows = []
    for k, label in enumerate(labels):
        cells = [(f"{name} " if name else "") + one(values[k], lows[k], highs[k]) for name, values, lows, highs in series]
        rows.append(f"{label} {', '.join(cells)}")
    kind = "Grouped bar chart" if len(series) > 1 else "Bar chart"
    return f"{kind}, {title}, in {unit}: " + "; ".join(rows) + "."


def tornado_alt(title: str, unit: str, base: float, labels: Sequence[str], lows: Sequence[float],
                highs: Sequence[float]) -> str:
    """Alt text of a tornado chart: the central value, then what each input at its P5 and its P95 gives.

    >>> tornado_alt("What drives CO2e", "kt", 398.2, ["PUE"], [378.0], [446.1])
    'Tornado chart, What drives CO2e, in kt: 398 with every input at its central value; one input at its P5 and then its P95, the others central: PUE 378 and 446.'
    """
    rows = "; ".join(f"{lb} {_n(lo)} and {_n(hi)}" for lb, lo, hi in zip(labels, lows, highs, strict=True))
    return (f"Tornado chart, {title}, in {unit}: {_n(base)} with every input at its central value; one input at its "
            f"P5 and then its P95, the others central: {rows}.")


def drawn(result: Results, i: int) -> int:
    """The Monte Carlo draws behind scenario ``i``'s figures: 0 when it was not drawn (no uncertain input, or an
    hourly scenario beside annual ones, drawn over the hours only when draws are asked for), so its report never
    says "medians of 10,000 draws" of central values."""
    return result.draws if result.draws and result.uncertain[i] else 0


def _m(result: Results, name: str, i: int) -> pint.Quantity | None:
    return result.metric(name, i)


def _val(q: pint.Quantity | None, unit: str) -> float:
    return 0.0 if q is None else float(q.m_as(unit))


_POLLUTANTS = (("nox_onsite", "NOx", "on site"), ("co_onsite", "CO", "on site"), ("voc_onsite", "VOC", "on site"),
               ("pm25_onsite", "PM2.5", "on site"), ("so2_onsite", "SO2", "on site"),
               ("hcho_onsite", "Formaldehyde", "on site"), ("nox_grid", "NOx", "grid plants"),
               ("so2_grid", "SO2", "grid plants"))


def _both_tons(q: pint.Quantity) -> str:
    return f"{fmt_q(q, 't')} ({fmt_q(q, 'short_ton')})"


def air_context(result: Results, i: int) -> dict[str, Any]:
    """The "Air and health" section: pollutants on site and from the grid, health damages, and where the damage
    factors come from.  ``show`` is true when on-site combustion or grid pollutants are modelled."""
    g = lambda name: _m(result, name, i)  # noqa: E731
    onsite = _val(g("onsite_energy"), "MWh") > 0
    grid = g("nox_grid") is not None and _val(g("grid_energy"), "MWh") > 0
    rows = []
    for name, label, where in _POLLUTANTS:
        q = g(name)
        if q is None or (where == "on site" and not onsite) or (where == "grid plants" and not grid):
            continue
        lo, hi = result.metric(name, i, "low"), result.metric(name, i, "high")
        rows.append({"metric": name, "label": label, "where": where, "value": _both_tons(q),
                     "range": fmt_q_range(lo, hi, q, "t") if drawn(result, i) else ""})
    year = ref.dollar_year()
    health = []
    for name, label in (("health_damages", "Health damages, total"), ("health_damages_onsite", "On-site combustion"),
                        ("health_damages_grid", "Grid power plants")):
        q = g(name)
        if q is None or (name.endswith("onsite") and not onsite) or (name.endswith("grid") and not grid):
            continue
        lo, hi = result.metric(name, i, "low"), result.metric(name, i, "high")
        health.append({"metric": name, "label": label, "value": fmt_usd(q),
                       "range": fmt_q_range(lo, hi, q, "USD") if drawn(result, i) else ""})
    if len(health) == 2 and health[0]["metric"] == "health_damages":  # one source: its row would repeat the total
        health = [{**health[0], "label": f"Health damages, total (all from {_lower_first(health[1]['label'])})"}]
    deaths = g("premature_deaths")
    facts = result.assumptions(i)
    sets = [_ref_name("health", k) for k in sorted({f.name.split(".")[1] for f in facts
                                                     if f.name.startswith("health.") and f.status != "missing"})]
    gaps = [f.source[:1].upper() + f.source[1:].rstrip(".") + "." for f in facts
            if f.status == "missing" and (f.name.startswith("health.") or f.name.startswith("grid.") and "_rate" in f.name)]
    controls = next((f for f in facts if f.name == "supply.onsite.controls"), None)
    labels = []  # one control per plant; a timeline has one per phase: "uncontrolled (phase A, B); with SCR (C)"
    for f in facts:
        if f.name != "supply.onsite.controls" or not f.note:
            continue
        phase, _, control = f.note.rpartition(";")
        control = _CONTROLS.get(control.strip(), control.strip())
        labels.append((control, phase.strip().removeprefix("phase ").strip()))
    by_control: dict[str, list[str]] = {}
    for control, phase in labels:
        by_control.setdefault(control, [])
        if phase:
            by_control[control].append(phase)
    controls_label = "; ".join(f"{c} ({', '.join(ph)})" if ph and len(by_control) > 1 else c
                               for c, ph in by_control.items())
    # the page-1 card's short form: "uncontrolled in 3 phases, with SCR in 1" (the phases are named in the section)
    controls_short = ", ".join(f"{c} in {len(ph)}" + (" phases" if k == 0 and len(ph) > 1 else " phase" if k == 0 else "")
                               for k, (c, ph) in enumerate(by_control.items())) \
        if len(by_control) > 1 and all(by_control.values()) else controls_label
    return {
        "show": onsite or grid,
        "onsite": onsite,
        "grid": grid,
        "controls_label": controls_label,
        "controls_short": controls_short,
        "controls_by_phase": len(by_control) > 1,
        "pollutants": rows,
        "health": health,
        "deaths": "" if deaths is None else fmt_sig(float(deaths.m_as("")), 2, strip=True),
        "deaths_range": _deaths_range(result, i),
        "dollar_year": year,
        "sets": sets,
        "gaps": gaps,
        "controls": (controls.note or "") if controls else "",
        "controls_assumed": bool(controls and controls.status == "assumed"),
    }


def _deaths_range(result: Results, i: int) -> str:
    lo, hi = result.metric("premature_deaths", i, "low"), result.metric("premature_deaths", i, "high")
    if not drawn(result, i) or lo is None or hi is None:
        return ""
    return f"{fmt_sig(float(lo.m_as('')), 2, strip=True)}–{fmt_sig(float(hi.m_as('')), 2, strip=True)}"


def power_split(result: Results, i: int) -> dict[str, dict[str, float]]:
    """Facility power in MW at mean load and at peak, split into accelerator boards, host servers and facility
    overhead; the parts add up to the facility power (at central inputs exactly; with draws, each part is its own
    P50).  Hosts at peak draw their nameplate share (what a utility provisions), not their running power, so the
    peak's host part is the peak IT power less the boards.  Empty without power figures (accelerator-hours)."""
    g = lambda name: _m(result, name, i)  # noqa: E731
    if g("it_power") is None:
        return {}
    acc, host = _val(g("it_power_accelerators"), "MW"), _val(g("it_power_hosts"), "MW")
    peak_acc = _val(g("it_power_accelerators_peak"), "MW")
    peak_host = max(_val(g("it_power_peak"), "MW") - peak_acc, 0.0) if g("it_power_peak") is not None else host
    return {"mean": {"accelerators": acc, "hosts": host, "overhead": _val(g("facility_overhead_power"), "MW")},
            "peak": {"accelerators": peak_acc, "hosts": peak_host,
                     "overhead": _val(g("facility_overhead_power_peak"), "MW")}}


def build_charts(result: Results, i: int) -> list[Chart]:
    """The report's charts for scenario ``i``, each with its alt text from the values it draws."""
    g = lambda name: _m(result, name, i)  # noqa: E731
    out: list[Chart] = []
    split = power_split(result, i)
    if split:
        mean, peak = split["mean"], split["peak"]
        segments = [("Accelerators", "accelerators", [mean["accelerators"], peak["accelerators"]]),
                    ("Host servers", "hosts", [mean["hosts"], peak["hosts"]]),
                    ("Facility overhead (PUE)", "overhead", [mean["overhead"], peak["overhead"]])]
        out.append(Chart("power", "Where the power goes", charts.stacked_bars(
            "power", "Where the power goes", ["Mean", "Peak"], segments, "MW"),
            "Facility power split into accelerator boards, host servers and facility overhead (cooling, power "
            "distribution), at mean utilization and at full load (host servers at their nameplate share, what a "
            "utility provisions).",
            stacked_alt("where the power goes", "MW", ["mean", "peak"], [(name, values) for name, _, values in segments])))
    co2_grid, co2_on = _val(g("co2e_grid"), "kilotonne CO2e"), _val(g("co2e_onsite"), "kilotonne CO2e")
    co2_mkt_grid = _val(g("co2e_market_based_grid"), "kilotonne CO2e")
    if co2_on or abs(co2_grid - co2_mkt_grid) > 1e-6 * max(co2_grid, 1):  # two bars that differ
        bars = ["Location-based", "Market-based"]
        segments = [("Grid electricity (Scope 2)", "grid", [co2_grid, co2_mkt_grid]),
                    ("On-site combustion (Scope 1)", "onsite", [co2_on, co2_on])]
        out.append(Chart("co2e", "CO₂e by source", charts.stacked_bars(
            "co2e", "CO₂e by source, Scope 1 + 2", bars, segments, "kt CO₂e (thousand tonnes)", ),
            "CO₂e under the GHG Protocol's location-based and market-based methods: grid electricity (Scope 2) and "
            "fuel burnt on site (Scope 1).",
            stacked_alt("CO₂e by source, Scope 1 + 2", "kt CO₂e (thousand tonnes)", bars,
                        [(name, values) for name, _, values in segments])))
    if result.draws and result.uncertain[i]:
        for metric, unit, label, scale in (("co2e_location_based", "t CO2e", "kt CO₂e (thousand tonnes)", 1e-3),
                                           ("water_total", "m ** 3", "thousand m³", 1e-3)):
            rows = [r for r in result.sensitivity(i, metric) if r[1] != r[2]][:8]
            if not rows:
                continue
            base = _val(result.metric(metric, i, "central"), unit) * scale
            title = {"co2e_location_based": "What drives CO₂e (Scope 1 + 2, location-based)",
                     "water_total": "What drives total water use (on and off site)"}[metric]
            names = [input_label(result, i, n) for n, _, _ in rows]
            lows = [float(lo.m_as(unit)) * scale for _, lo, _ in rows]
            highs = [float(hi.m_as(unit)) * scale for _, _, hi in rows]
            out.append(Chart(f"tornado-{metric}", title, charts.tornado(
                f"tornado-{metric}", title, names, lows, highs, base, label),
                "Each uncertain input moved to its 5th and 95th percentile with the others at their central values "
                "(one at a time); the widest bars matter most. A bar for the P5 on the right means the quantity "
                "falls as the input rises (more on-site generation, for example, means less off-site water).",
                tornado_alt(title, label, base, names, lows, highs)))
    groups = result.groups_of(i)
    if len(groups) > 1:
        labels = [grp.label for grp in result.scenarios[i].groups]
        energies = [float(result.groups["it_energy"][k].m_as("GWh")) for k in groups]
        out.append(Chart("groups", "IT energy by accelerator group", charts.bars(
            "groups", "IT energy by accelerator group", labels, energies, "GWh (central inputs)"),
            "IT energy of each accelerator group of the fleet.",
            bars_alt("IT energy by accelerator group", "GWh (central inputs)", labels, energies)))
    return out


def chart_notes(result: Results, i: int) -> list[str]:
    """What single-bar charts used to show, as sentences: the energy by source and the water split."""
    g = lambda name: _m(result, name, i)  # noqa: E731
    notes = []
    energy = g("energy")
    if energy is not None:
        grid, ppa, on = g("grid_energy"), g("ppa_energy"), g("onsite_energy")
        parts = []
        if grid is not None and _val(grid, "MWh") > 0:
            share = _val(grid, "MWh") / max(_val(energy, "MWh"), 1e-12)
            text = f"{fmt_q(grid, 'MWh')} ({fmt_sig(share * 100, 2, strip=True)} %) from the grid"
            if ppa is not None and _val(ppa, "MWh") > 0:
                text += f", of which {fmt_q(ppa, 'MWh')} matched by renewable purchases (PPAs)"
            parts.append(text)
        if on is not None and _val(on, "MWh") > 0:
            share = _val(on, "MWh") / max(_val(energy, "MWh"), 1e-12)
            parts.append(f"{fmt_q(on, 'MWh')} ({fmt_sig(share * 100, 2, strip=True)} %) generated on site")
        if parts:
            notes.append(f"Electricity by source: {fmt_q(energy, 'MWh')} in all, " + "; ".join(parts) + ".")
    w_on, w_grid, w_plant, w_tot = g("water_onsite"), g("water_offsite"), g("water_onsite_plant"), \
        g("water_total")
    if w_tot is not None:
        parts = [f"{fmt_q(w_on, 'm ** 3')} on site for cooling"]
        if w_grid is not None and _val(w_grid, "m ** 3") > 0:
            parts.append(f"{fmt_q(w_grid, 'm ** 3')} at the grid's power plants")
        if w_plant is not None and _val(w_plant, "m ** 3") > 0:
            parts.append(f"{fmt_q(w_plant, 'm ** 3')} on site for the plant's generation")
        notes.append(f"Water consumed over the period: {fmt_q(w_tot, 'm ** 3')} in all, " + ", ".join(parts) + ".")
    loc, mkt, on_c = g("co2e_location_based"), g("co2e_market_based"), g("co2e_onsite")
    if loc is not None and mkt is not None and _val(on_c, "t CO2e") == 0 and \
            abs(_val(loc, "t CO2e") - _val(mkt, "t CO2e")) <= 1e-6 * max(_val(loc, "t CO2e"), 1):
        notes.append(f"CO₂e is the same under both Scope 2 methods ({fmt_q(loc, 't CO2e')}): nothing is burnt on site "
                     "and no contracts or supplier rate change the market-based figure.")
    return notes


def uncertainty_rows(result: Results, i: int) -> list[dict[str, str]]:
    """The distributions that were drawn, for the report's uncertainty table."""
    rows = []
    for u in result.uncertain[i]:
        unit = unit_text(u.dist.unit) if u.dist.unit else ""
        scale = 1.0
        if unit == "h" and u.dist.central >= 48:  # durations in the unit people think in: 4 years, 90 days
            unit, scale = ("years", 8766.0) if u.dist.central >= 0.9 * 8766 else ("days", 24.0)
        label = input_label(result, i, u.name)
        phase = _PHASE.search(u.source or "")
        if phase:  # a timeline draws one input per phase: say which
            label += f" ({phase.group(1)})"
        rows.append({"name": u.name, "label": label, "dist": u.dist.kind,
                     "low": fmt_sig(u.dist.low / scale, 3, strip=True),
                     "mode": fmt_sig(u.dist.central / scale, 3, strip=True),
                     "high": fmt_sig(u.dist.high / scale, 3, strip=True), "unit": typeset(unit), "source": u.source})
    return rows


_PHASE = re.compile(r"\(phase ([^()]+)\)\s*$")


def fmt_duration(q: pint.Quantity) -> str:
    """A duration in the largest whole-looking unit: ``8766 h`` -> ``1 year``, ``720 h`` -> ``30 days``.

    >>> from pipeline.units import Q_
    >>> fmt_duration(Q_(8766, "h")), fmt_duration(Q_(720, "h")), fmt_duration(Q_(36, "h")), fmt_duration(Q_(24, "h"))
    ('1 year', '30 days', '36 h', '1 day')
    """
    for unit, label in (("year", "year"), ("day", "day")):
        x = float(q.m_as(unit))
        if x >= 1 and abs(x - round(x)) < 1e-9:
            return f"{fmt_sig(x, 6, strip=True)} {label}{'' if round(x) == 1 else 's'}"
    return f"{fmt_sig(float(q.m_as('h')), 6, strip=True)} h"


def input_display(s: Any) -> dict[str, str]:
    """The scenario's main inputs for display, with their ranges where they were drawn."""
    ranged = s.ranges

    def with_range(path: str, text: str, fmt: Any) -> str:
        d = ranged.get(path)
        return text if d is None else f"{text} ({fmt(d.low)}–{fmt(d.high)}, {d.kind})"

    def pct(x: float) -> str:
        return fmt_percent(x)

    def plain(x: float) -> str:
        return fmt_sig(x, 3, strip=True)

    grid = s.grid or ("generation mix" if s.mix else "explicit intensities")
    return {
        "utilization": with_range("utilization", fmt_percent(s.utilization), pct),
        "pue": with_range("pue", fmt_sig(s.pue, 3, strip=True), plain),
        "wue": with_range("wue", fmt_q(s.wue, "L / kWh", scale=False), plain),
        "grid": grid,
        "onsite": (with_range("supply.onsite.share",
                              f"{fmt_percent(s.onsite_share)} {_ref_name('onsite', s.onsite_technology)}", pct)
                   if s.onsite_share else "none"),
        "ppa": with_range("supply.ppa.share", fmt_percent(s.ppa_share), pct) if s.ppa_share else "none",
    }


def group_rows(result: Results, i: int) -> list[dict[str, str]]:
    """The fleet table: one row per accelerator group."""
    rows = []
    for grp, k in zip(result.scenarios[i].groups, result.groups_of(i), strict=True):
        count = grp.count
        rows.append({
            "label": grp.label, "accelerator": grp.accelerator,
            "count": (f"{count:,.0f}" if count.is_integer() else fmt_sig(count)) if count == count else "–",
            "name": _ref_name("accelerators", grp.accelerator),
            "hours": fmt_sig(float(result.groups["accelerator_time"][k].m_as("h")) / 1e6),
            "full_power": fmt_sig(float(grp.full_power.m_as("W")), 3, strip=True),
            "idle_power": fmt_sig(float(grp.idle_power.m_as("W")), 3, strip=True),
            "host_power": fmt_sig(float(grp.host_power.m_as("W")), 3, strip=True),
            "it_power": "–" if count != count else fmt_sig(float(result.groups["it_power"][k].m_as("MW"))),
            "it_energy": fmt_sig(float(result.groups["it_energy"][k].m_as("GWh"))),
        })
    return rows


def _limit_sentence(c: Any) -> str:
    """A cap and the model's estimate in words a lay reader cannot misread."""
    what = METRIC_BY_NAME[c.metric].label.split(" from ")[0]
    unit = unit_text(c.claimed.units)
    cap = f"{float(c.claimed.magnitude):,g} {unit}{'s' if unit == 'short ton' else ''}"
    cap += f" ({fmt_q(c.claimed, 't')})" if c.claimed.check("[mass]") else ""
    est = fmt_q(c.modelled, "t") if c.modelled is not None else "not modelled"
    rng = fmt_q_range(c.low, c.high, c.modelled, "t")
    if rng:
        est += f", 90 % range {rng}"
    verdict = {"under the limit": "below the cap, even at the top of the range",
               "over the limit": "above the cap, even at the bottom of the range",
               "may exceed the limit": "the cap falls inside the range, so the plant may exceed it",
               }.get(c.verdict, c.verdict)
    return f"Cap: {what} {cap} a year. Model estimate: {est}: {verdict}."


def claim_rows(result: Results, i: int) -> list[dict[str, str]]:
    rows = []
    for c in result.claims(i):
        unit = METRIC_BY_NAME[c.metric].unit
        names = " ".join(name for name, _ in c.claimed.unit_items())
        shown = ("short_ton" if c.claimed.check("[mass]") and "ton" in names.split() else
                 "t" if c.claimed.check("[mass]") else _claim_unit(c))
        rows.append({
            "kind": c.kind, "sentence": claim_sentence(c, drawn(result, i)),
            "metric": typeset(METRIC_BY_NAME[c.metric].label),
            "claimed": _sig_strip(c.claimed, shown) + (" (limit)" if c.kind == "limit" else ""),
            "modelled": fmt_q(c.modelled, shown) if c.modelled is not None else "not modelled",
            "modelled_canonical": fmt_q(c.modelled, unit),
            "range": fmt_q_range(c.low, c.high, c.modelled, shown) if drawn(result, i) else "",
            "ratio": fmt_ratio(c.ratio), "verdict": c.verdict, "verdict_class": c.verdict.replace(" ", "-"),
            "tolerance": fmt_percent(c.tolerance), "source": c.source, "note": c.note,
        })
    return rows


def assumption_rows(facts: list[ref.Factor]) -> list[dict[str, Any]]:
    """The assumptions table: one row per factor with its value, unit and provenance.  ``ref`` (the source's number
    in the reference list), ``licence_shown`` and ``note_n`` are filled in by :func:`references` and
    :func:`factor_notes`, which move long, repeated text out of the rows."""
    rows = []
    for f in facts:
        rec = f.record()
        value = "no data" if rec["value"] is None else fmt_sig(rec["value"], 4, strip=True)
        setting = str(f.note or "").rpartition(";")[2].strip()
        if rec["value"] is None and f.status != "missing" and setting and len(setting.split()) <= 2:
            value = _CONTROLS.get(setting, setting)  # a switch, not a number: its setting (NOx control, hydro water)
        rng = f" ({fmt_sig(rec['low'], 3, strip=True)}–{fmt_sig(rec['high'], 3, strip=True)})" if "low" in rec else ""
        unit_label = typeset(str(rec["unit"]).replace("m^3", "m³").replace("m ** 3", "m³"))
        if unit_label.count("CO₂e") == 2:  # a GWP: kg CO2e per kg of the gas
            unit_label = "kg CO₂e per kg of the gas"
        rows.append({"name": f.name, "value": value + rng, "unit": unit_label, "source": f.source, "ref": 0,
                     "file": f.file, "year": f.year, "edition": f.edition, "licence": f.licence,
                     "licence_shown": f.licence, "status": f.status, "note": f.note, "note_n": 0, "used_by": ""})
    return rows


def factor_notes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number every distinct ``note`` of the assumption rows (in order of first use), set each row's ``note_n`` and
    return the notes, so that a note shared by several factors is printed once, after the table."""
    numbers: dict[str, int] = {}
    for row in rows:
        note = str(row.get("note") or "").strip()
        row["note_n"] = numbers.setdefault(note, len(numbers) + 1) if note else 0
    return [{"n": n, "text": typeset(note)} for note, n in numbers.items()]


def result_rows(result: Results, i: int) -> list[dict[str, Any]]:
    """Every metric of the scenario with its value (the same numbers as results.json)."""
    rows = []
    for spec in METRICS:
        q = result.metric(spec.name, i)
        if q is not None:
            lo, hi = result.metric(spec.name, i, "low"), result.metric(spec.name, i, "high")
            rows.append({"name": spec.name, "label": typeset(spec.label), "value": fmt_q(q, spec.unit),
                         "range": fmt_q_range(lo, hi, q, spec.unit) if drawn(result, i) else "",
                         "zero": float(q.magnitude) == 0 and (lo is None or float(lo.magnitude) == 0)
                         and (hi is None or float(hi.magnitude) == 0),
                         "description": typeset(spec.description)})
    return rows


_URL = re.compile(r"https?://[^\s,;]+[^\s,;.)]")


def linkify(text: str) -> list[dict[str, str]]:
    """A citation split into text and link segments, so that templates can make its URLs clickable (escaped).

    >>> linkify("US EIA, FAQ 97, https://www.eia.gov/tools/faqs/faq.php?id=97.")
    [{'text': 'US EIA, FAQ 97, ', 'url': ''}, {'text': 'https://www.eia.gov/tools/faqs/faq.php?id=97', 'url': 'https://www.eia.gov/tools/faqs/faq.php?id=97'}, {'text': '.', 'url': ''}]
    """
    out, pos = [], 0
    for m in _URL.finditer(text):
        if m.start() > pos:
            out.append({"text": text[pos:m.start()], "url": ""})
        out.append({"text": m.group(0), "url": m.group(0)})
        pos = m.end()
    if pos < len(text):
        out.append({"text": text[pos:], "url": ""})
    return out


def references(*row_lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number every distinct ``source`` of the rows (in order of first use), set each row's ``ref`` to its number
    and return the numbered reference list (each entry's text split into link segments).

    A factor row's licence moves to its reference when every factor citing that source has the same licence
    (``licence_shown`` becomes ``""``); otherwise each row keeps its own."""
    numbers: dict[str, int] = {}
    licences: dict[str, set[str]] = {}
    for rows in row_lists:
        for row in rows:
            src = str(row.get("source") or "").strip()
            if not src:
                row["ref"] = 0
                continue
            row["ref"] = numbers.setdefault(src, len(numbers) + 1)
            if "licence" in row:
                licences.setdefault(src, set()).add(str(row["licence"] or ""))
    one = {src: next(iter(lic)) for src, lic in licences.items() if len(lic) == 1 and next(iter(lic))}
    for rows in row_lists:
        for row in rows:
            if "licence" in row and str(row.get("source") or "").strip() in one:
                row["licence_shown"] = ""
    return [{"n": n, "parts": linkify(src), "licence": one.get(src, "")} for src, n in numbers.items()]


def downloads(result: Results, i: int) -> list[dict[str, str]]:
    """The files written beside report.html, for its download links."""
    s = result.scenarios[i]
    scen = Path(s.file).name if Path(s.file).suffix.lower() in (".yaml", ".yml") else "scenario.json"
    return [{"label": "PDF report", "href": "report.pdf"},
            {"label": "Results, CSV" + (" (P50, P5, P95)" if drawn(result, i) else ""), "href": "results.csv"},
            {"label": "Results, JSON", "href": "results.json"},
            {"label": "Scenario, " + ("YAML" if scen.endswith((".yaml", ".yml")) else "JSON"), "href": scen}]


def report_context(result: Results, i: int = 0, generated: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the report template shows, as display strings (no arithmetic left for templates)."""
    s = result.scenarios[i]
    when = generated or dt.datetime.now(dt.UTC)
    used: list[ref.Factor] = []
    air = air_context(result, i)
    page1 = brief(result, i, used, air)
    facts = list(result.assumptions(i)) + [f for f in dict.fromkeys(used)]
    period = "given in accelerator-hours" if s.period is None else fmt_duration(s.period)
    claims = claim_rows(result, i)
    assumptions = assumption_rows(facts)
    uncertainty = uncertainty_rows(result, i) if drawn(result, i) else []
    refs = references(claims, uncertainty, assumptions)
    notes = factor_notes(assumptions)
    results = result_rows(result, i)
    all_charts = build_charts(result, i)
    return {
        "title": s.name,
        "location": s.location,
        "description": s.description,
        "period": period,
        "date": when.strftime("%Y-%m-%d"),
        "version": __version__,
        "by_hours": s.by_hours,
        "brief": page1,
        "headline": page1["cards"],  # the page-1 cards (one list of headline figures)
        "charts": [c for c in all_charts if not c.id.startswith("tornado")],
        "tornados": [c for c in all_charts if c.id.startswith("tornado")],
        "chart_notes": chart_notes(result, i),
        "groups": group_rows(result, i),
        "claims": claims,
        "air": air,
        "results": [r for r in results if not r["zero"]],
        "zero_results": [r for r in results if r["zero"]],
        "draws": f"{result.draws:,}" if drawn(result, i) else "",
        "seed": result.seed,
        "uncertainty": uncertainty,
        "method": [{"stage": typeset(a), "formula": b, "text": typeset(c)} for a, b, c in METHOD],
        "assumptions": assumptions,
        "factor_notes": notes,
        "references": refs,
        "editions": sorted(ref.data_editions().items()),
        "glossary": [{"term": typeset(a), "meaning": typeset(b)} for a, b in GLOSSARY],
        "inputs": input_display(s),
        "grid_name": _ref_name("grids", s.grid) if s.grid else input_display(s)["grid"],
        "carbon_basis": CARBON_BASIS_TEXT.get(s.carbon_basis or "", "intensity as given"),
        "file": s.file,
        "downloads": downloads(result, i),
        "timeline": timeline_context(result, i),
        "hourly": hourly_context(result, i),
    }


# ---- page 1: the brief (issue 13) --------------------------------------------------------------------------

#: Readable names of uncertain inputs and reference factors (tornado labels, caveats, the uncertainty table).
INPUT_NAMES = {
    "utilization": "Utilization (mean load)", "pue": "PUE (cooling and power overhead)",
    "wue": "WUE (cooling water per kWh)", "period": "Run length (period)", "lifetime": "Hardware lifetime",
    "supply.onsite.share": "Share of energy made on site", "supply.ppa.share": "Share matched by PPAs",
    "supply.ppa.intensity": "PPA emission factor", "supply.grid_intensity": "Grid emission factor",
    "supply.grid_water_intensity": "Grid water intensity", "default.hardware_lifetime": "Hardware lifetime",
    "market_based.residual_intensity": "Residual-mix emission factor (market-based)",
    "default.cooling_cycles": "Cycles of concentration (cooling towers)",
}
_PARTS = {"heat_rate": "heat rate", "water_consumption": "water use of generation", "nox_per_heat": "NOx factor",
          "upstream_ch4_per_heat": "upstream methane leak", "damage_per_nox": "damage per t NOx",
          "damage_per_so2": "damage per t SO2", "damage_per_pm25": "damage per t PM2.5",
          "deaths_per_nox": "deaths per t NOx", "deaths_per_so2": "deaths per t SO2",
          "deaths_per_pm25": "deaths per t PM2.5", "count": "count", "power": "full power",
          "idle_power": "idle power", "host_power": "host power", "embodied": "embodied carbon",
          "accelerator_hours": "accelerator-hours", "co2e_intensity": "emission factor"}


def input_name(path: str) -> str:
    """A human name for an uncertain input or factor path.

    >>> input_name("pue"), input_name("onsite.gas-turbine-simple-cycle.heat_rate"), input_name("fleet[0].count")
    ('PUE (cooling and power overhead)', 'Gas turbine simple cycle: heat rate', 'Fleet group 1: count')
    """
    if path in INPUT_NAMES:
        return INPUT_NAMES[path]
    head, _, last = path.rpartition(".")
    part = _PARTS.get(last, last.replace("_", " "))
    if path.startswith("fleet["):
        k = int(path[6:path.index("]")]) + 1
        return f"Fleet group {k}: {part}"
    what = head.split(".")[-1] if head else ""
    what = what.replace("gas-turbine/", "gas turbine, ").replace("-", " ").replace("_", " ").strip()
    what = " ".join(_WORDS.get(w.rstrip(","), w.rstrip(",")) + ("," if w.endswith(",") else "") for w in what.split())
    return f"{what[:1].upper()}{what[1:]}: {part}" if what else part[:1].upper() + part[1:]


def input_label(result: Results, i: int, path: str) -> str:
    """:func:`input_name`, with an accelerator group's own label for a fleet input (``fleet[0].count`` ->
    ``"H100 (Grok-2): accelerator count"``).  A timeline lists every phase's groups, so its group is the one whose
    count is the input's central value, when that picks a single label."""
    m = re.fullmatch(r"fleet\[(\d+)\]\.(\w+)", path)
    if m:
        groups, k = result.scenarios[i].groups, int(m.group(1))
        part = "accelerator count" if m.group(2) == "count" else _PARTS.get(m.group(2), m.group(2).replace("_", " "))
        if result.phases_of(i):
            u = next((u for u in result.uncertain[i] if u.name == path), None)
            labels = {g.label for g in groups if u is not None and g.count == u.dist.central}
            label = labels.pop() if len(labels) == 1 else ""
        else:
            label = groups[k].label if k < len(groups) else ""
        if label:
            return f"{label}: {part}"
    return input_name(path)


#: Words of factor ids written as people write them (EASIUR sets, NOx controls, eGRID names).
_WORDS = {"easiur": "EASIUR", "memphis": "Memphis", "ground": "ground level", "stack150": "150 m stacks",
          "scr": "SCR", "dln": "dry low-NOx", "egu": "power plants", "us": "US", "uncontrolled": "uncontrolled"}


def _ref_name(table: str, id_: str | None) -> str:
    """The readable name of an id in a reference table (accelerators, grids), or the id itself."""
    if not id_:
        return ""
    try:
        df = ref.table(table)
        rows = df[df["id"] == id_]
        return str(rows.iloc[0]["name"]) if len(rows) else id_
    except Exception:  # noqa: BLE001 - a display nicety only
        return id_


def _short_source(text: str) -> str:
    """Who said it and when, for a sentence: the citation's first clause, or, where that clause is the figure itself
    (``"150 MW MLGW/TVA grid (TVA board, 7 Nov 2024) + ... (Greater Memphis Chamber via Tom's Hardware, 2025)"``),
    the publisher of its last parenthesis.

    >>> _short_source("MLGW CEO to Memphis City Council, June 2024 (WREG; Commercial Appeal): up to 150 MW")
    'MLGW CEO to Memphis City Council, June 2024'
    >>> _short_source("150 MW grid (TVA board, 7 Nov 2024) + 150 MW batteries (Greater Memphis Chamber, 2025)")
    'Greater Memphis Chamber, 2025'
    >>> _short_source("300 MW at peak"), _short_source("")
    ('A published figure', 'A published figure')
    """
    first = text
    for sep in (" (", ": ", "; "):
        if sep in first:
            first = first.split(sep)[0]
    first = first.strip().rstrip(",")
    if first and not first[0].isdigit():
        return first
    groups = re.findall(r"\(([^()]*[A-Za-z][^()]*)\)", text)
    publisher = groups[-1].split(";")[0].strip() if groups else ""
    return publisher or "A published figure"


def _claim_unit(c: Any) -> str:
    """The unit a claim is best read in: US gallons when it was published in gallons, else the metric's unit."""
    unit = METRIC_BY_NAME[c.metric].unit
    claimed = " ".join(name for name, _ in c.claimed.unit_items())
    if "gallon" in claimed:
        return "US_liquid_gallon / day" if "day" in claimed else "US_liquid_gallon"
    return unit


def _sig_strip(q: pint.Quantity, unit: str) -> str:
    """A published figure as published: ``1 million US gal/day``, ``150 MW`` (no added zeros)."""
    from pipeline.report.filters import fmt_sig, scale_of

    u, mult, label = scale_of(q, unit)
    return f"{fmt_sig(float(q.m_as(u)) / mult, 3, strip=True)} {label}"


def claim_sentence(c: Any, draws: int) -> str:
    """A claim verdict in words: who said what, and how it compares with the model."""
    if c.kind == "limit":
        return _limit_sentence(c)
    unit = _claim_unit(c)
    what = _lower_first(typeset(METRIC_BY_NAME[c.metric].label))
    who = _short_source(c.source) or "A published figure"
    claimed = _sig_strip(c.claimed, unit)
    if c.modelled is None:
        return f"{who}: {what} {claimed}. Not modelled for this scenario."
    model = fmt_q(c.modelled, unit)
    rng = fmt_q_range(c.low, c.high, c.modelled, unit) if draws else ""
    model_text = f"the model gives {model}" + (f" (90 % range {rng})" if rng else "")
    ratio = c.ratio or 0.0
    verdict = {
        "within modelled range": "inside the modelled range",
        "consistent": f"consistent with the model (within ±{c.tolerance:.0%})",
        "above model": f"higher than the model: the claim is {fmt_sig(ratio, 2, strip=True)}× the modelled value",
        "below model": (f"lower than the model: the claim is {fmt_sig(1 / ratio, 2, strip=True)}× lower"
                        if ratio else "lower than the model"),
    }.get(c.verdict, c.verdict)
    return f"{who}: {what} {claimed}, {verdict}; {model_text}."


def _count_of(s: Any) -> float | None:
    counts = [g.count for g in s.groups]
    return None if any(c != c for c in counts) else float(sum(counts))


def brief(result: Results, i: int, used: list[ref.Factor], air: dict[str, Any]) -> dict[str, Any]:
    """Page 1: plain sentences, 4-5 headline cards (value, 90 % range, equivalence, per-GPU), claim verdicts as
    sentences, the air-quality card and the biggest caveat. Every number has at most 3 significant figures."""
    s = result.scenarios[i]
    g = lambda name: _m(result, name, i)  # noqa: E731
    n = n_peak = _count_of(s)
    fleet_note = ""
    phases = result.phases_of(i)
    counts = [_count_of(p.info) for p in phases]
    if phases and all(c is not None for c in counts):
        # a timeline lists every phase's groups: the accelerators installed at once are one phase's, so the peak is
        # per accelerator of the largest phase and totals per accelerator of the fleet averaged over the days
        n_peak = max(c or 0.0 for c in counts)
        n = sum((c or 0.0) * p.days for c, p in zip(counts, phases, strict=True)) / max(sum(p.days for p in phases), 1)
        fleet_note = f" (fleet averaged over the phases: {fmt_count(n)})"
    draws = drawn(result, i)

    def rng(name: str, unit: str) -> str:
        return fmt_q_range(g_low(name), g_high(name), g(name), unit) if draws else ""

    def g_low(name: str) -> pint.Quantity | None:
        return result.metric(name, i, "low")

    def g_high(name: str) -> pint.Quantity | None:
        return result.metric(name, i, "high")

    def per_gpu(q: pint.Quantity | None, unit: str, tail: str, at_peak: bool = False) -> str:
        count = n_peak if at_peak else n
        if q is None or not count:
            return ""
        return f"{fmt_q(q / count, unit)} per accelerator{tail}{'' if at_peak else fleet_note}"

    def equiv(q: pint.Quantity | None, factor_id: str, template: str) -> str:
        if q is None:
            return ""
        f = ref.equivalence(factor_id)
        used.append(f)
        amount = f.quantity
        if (q / amount).check("[time]"):
            amount = amount * ureg.Quantity(1, "year")
        return template.format(n=fmt_count(float((q / amount).to("").magnitude)))

    cards: list[dict[str, str]] = []
    peak, mean = g("facility_power_peak"), g("facility_power")
    if peak is not None and mean is not None:
        lf = float((mean / peak).to("").magnitude) if peak.magnitude else 0.0
        cards.append({"metric": "facility_power_peak", "label": "Peak facility power", "value": fmt_q(peak, "MW"),
                      "range": rng("facility_power_peak", "MW"),
                      "sub": f"mean {fmt_q(mean, 'MW')}; load factor {fmt_sig(lf * 100, 2, strip=True)} %",
                      # one equivalence per card and none twice: the homes are the energy card's (over a year
                      # the mean draw of N homes and N homes' annual use are the same number)
                      "equivalent": "",
                      "per_gpu": per_gpu(peak.to("kW"), "kW", " at peak, with its host server and cooling",
                                         at_peak=True)})
    energy = g("energy")
    if energy is not None:
        period = "" if s.period is None else f" over {fmt_duration(s.period)}"
        cards.append({"metric": "energy", "label": f"Electricity{period}", "value": fmt_q(energy, "MWh"),
                      "range": rng("energy", "MWh"),
                      "sub": f"{fmt_q(g('energy_per_day'), 'MWh / day')}" if g("energy_per_day") is not None else "",
                      "equivalent": equiv(energy, "home_electricity",
                                          "≈ what {n} US homes use in a year"),
                      "per_gpu": per_gpu(energy, "MWh", "")})
    w_day, w_total = g("water_onsite_per_day"), g("water_onsite")
    if w_day is not None:
        gal = _daily_water_unit(s)
        off = g("water_offsite_per_day")
        pool = ref.equivalence("olympic_pool")
        used.append(pool)
        pools = float((w_day * ureg.Quantity(1, "day") / pool.quantity).to("").magnitude)
        cards.append({"metric": "water_onsite_per_day", "label": "Cooling water on site, per day",
                      "value": fmt_q(w_day, gal), "range": rng("water_onsite_per_day", gal),
                      "sub": (f"plus {fmt_q(off, gal)} off site, generating the electricity" if off is not None
                              else ""),
                      "equivalent": f"≈ {fmt_count(pools)} Olympic pools a day",
                      # a GPU's share of a day's water: litres, not 0.0674 m³
                      "per_gpu": per_gpu(w_day, "L / day" if gal == "m ** 3 / day" else gal, "")})
    elif w_total is not None:
        cards.append({"metric": "water_onsite", "label": "Cooling water on site", "value": fmt_q(w_total, "m ** 3"),
                      "range": rng("water_onsite", "m ** 3"), "sub": "",
                      "equivalent": equiv(w_total, "olympic_pool", "≈ {n} Olympic pools"),
                      "per_gpu": per_gpu(w_total, "m ** 3", "")})
    loc, mkt, emb = g("co2e_location_based"), g("co2e_market_based"), g("co2e_embodied")
    if loc is not None:
        same = mkt is not None and abs(float((mkt - loc).m_as("t CO2e"))) < 0.005 * max(float(loc.m_as("t CO2e")), 1)
        subs = []
        if mkt is not None:
            subs.append("market-based the same (no contracts or supplier rate)" if same
                        else f"market-based {fmt_q(mkt, 't CO2e')}")
        if emb is not None:
            subs.append(f"plus {fmt_q(emb, 't CO2e')} embodied in the hardware")
        else:
            missing = [grp.label for grp in s.groups if grp.accelerator]  # which group lacks embodied data
            subs.append("embodied carbon not counted: no manufacturing figure for "
                        + ", ".join(dict.fromkeys(_ref_name("accelerators", grp.accelerator) for grp in s.groups))
                        if missing else "embodied carbon not counted")
        cards.append({"metric": "co2e_location_based", "label": "CO₂e, Scope 1 + 2 (location-based)",
                      "value": fmt_q(loc, "t CO2e"), "range": rng("co2e_location_based", "t CO2e"),
                      "sub": "; ".join(subs),
                      "equivalent": equiv(loc, "passenger_car", "≈ what {n} passenger cars emit in a year"),
                      "per_gpu": per_gpu(loc, "t CO2e", "")})
    air_card = None
    if air["show"]:
        total = g("health_damages")
        parts = []
        if g("nox_onsite") is not None and _val(g("onsite_energy"), "MWh") > 0:
            parts.append(f"NOx on site {fmt_q(g('nox_onsite'), 't')} ({air['controls_short'] or 'controls not stated'}"
                         f"{', assumed' if air['controls_assumed'] else ''})")
        if g("nox_grid") is not None and _val(g("grid_energy"), "MWh") > 0:
            parts.append(f"NOx at the grid's plants {fmt_q(g('nox_grid'), 't')}")
        if air["deaths"]:
            parts.append(f"about {air['deaths']} premature death{'' if air['deaths'] == '1' else 's'} (statistical)")
        air_card = {"metric": "health_damages" if total is not None else "nox_onsite",
                    "label": "Air pollution and health",
                    "value": (fmt_usd(total) + f" of health damages ({air['dollar_year']} dollars)"
                              if total is not None else fmt_q(g("nox_onsite"), "t") + " NOx"),
                    "range": rng("health_damages", "USD") if total is not None else "",
                    "sub": "; ".join(parts), "equivalent": "",
                    "per_gpu": per_gpu(total, "USD", "") if total is not None else ""}
        cards.append(air_card)

    # sentences
    where = s.location.split(" (")[0].strip() if s.location else ""
    if where.lower().startswith(("not disclosed", "undisclosed", "unknown", "n/a", "not known")):
        where = ""  # "in not disclosed" is no place
    fleet = ", ".join(f"{fmt_count(grp.count)} {_ref_name('accelerators', grp.accelerator)}"
                      if grp.count == grp.count else _ref_name("accelerators", grp.accelerator) for grp in s.groups)
    if phases:  # the groups of every phase: say how many run at once, not their sum over the phases
        names = ", ".join(dict.fromkeys(_ref_name("accelerators", grp.accelerator) for grp in s.groups))
        fleet = (f"up to {fmt_count(n_peak)} accelerators ({names})" if n_peak else names) + \
            f" in {len(phases)} dated phases"
    supply = _supply_words(s)
    period = "its accelerator-hours" if s.period is None else fmt_duration(s.period)
    what = (f"{s.name}: {fleet}{' in ' + where if where else ''}, modelled over {period} at "
            f"{fmt_sig(s.utilization * 100, 2, strip=True)} % mean utilization and PUE "
            f"{fmt_sig(s.pue, 3, strip=True)}, supplied by {supply}.")
    amounts = []
    if mean is not None and peak is not None:
        amounts.append(f"draws about {fmt_q(mean, 'MW')} on average ({fmt_q(peak, 'MW')} at peak)")
    if energy is not None:
        amounts.append(f"uses {fmt_q(energy, 'MWh')} of electricity")
    if w_day is not None:
        amounts.append(f"evaporates about {fmt_q(w_day, _daily_water_unit(s))} of cooling water")
    if loc is not None:
        amounts.append(f"emits {fmt_q(loc, 't CO2e')} (Scope 1 + 2, location-based)")
    how_much = ("It " + ", ".join(amounts[:-1]) + (" and " if len(amounts) > 1 else "") + amounts[-1] + "."
                if amounts else "")
    if draws:
        how_much += " Figures are medians of the Monte Carlo draws, with their 90 % range."
    claims = result.claims(i)
    verdicts = [{"text": claim_sentence(c, draws), "cls": c.verdict.replace(" ", "-"), "verdict": c.verdict}
                for c in claims if c.kind != "limit"]
    limits = [c for c in claims if c.kind == "limit"]
    if len(limits) <= 2:
        verdicts += [{"text": claim_sentence(c, draws), "cls": c.verdict.replace(" ", "-"), "verdict": c.verdict}
                     for c in limits]
    else:  # one sentence per verdict, the caps side by side (the claims section has each in full)
        words = {"under the limit": "below its cap even at the top of the modelled range",
                 "over the limit": "above its cap even at the bottom of the modelled range",
                 "may exceed the limit": "with its cap inside the modelled range"}
        for verdict in dict.fromkeys(c.verdict for c in limits):
            group = [c for c in limits if c.verdict == verdict]
            items = ", ".join(f"{METRIC_BY_NAME[c.metric].label.split(' from ')[0]} "
                              f"{fmt_q(c.modelled, 't') if c.modelled is not None else 'not modelled'} "
                              f"(cap {fmt_q(c.claimed, 't')})" for c in group)
            who = _short_source(group[0].source)
            verdicts.append({"text": f"{who}, permit caps a year: {items}; each {words.get(verdict, verdict)}.",
                             "cls": verdict.replace(" ", "-"), "verdict": verdict})
    if claims:
        inside = sum(c.verdict in ("within modelled range", "consistent", "under the limit") for c in claims)
        n, n_lim = len(claims), sum(c.kind == "limit" for c in claims)
        n_fig = n - n_lim
        checked = " and ".join(x for x in (f"{n_fig} published figure{'s' if n_fig > 1 else ''}" if n_fig else "",
                                           f"{n_lim} limit{'s' if n_lim > 1 else ''}" if n_lim else "") if x)
        agree = "agree with the model" if not n_lim else "are met" if not n_fig else "agree with the model or are met"
        if inside == n:
            outcome = ("it is met" if n_lim else "it agrees with the model") if n == 1 else f"all {agree}"
        else:
            outcome = f"{inside} of {n} {agree}"
        against = f"Checked against {checked}: {outcome}."
    else:
        against = "No published figures were given to check the model against."
    return {"sentences": [what, how_much, against], "cards": cards, "verdicts": verdicts,
            "caveats": _caveats(result, i, air), "air_card": air_card}


def _daily_water_unit(s: Any) -> str:
    """Page 1's unit of daily water: US gallons where US utilities and reporters use them (a US grid region),
    cubic metres elsewhere (Norway's reader gets m³/day, not gallons)."""
    return "US_liquid_gallon / day" if str(s.grid or "").startswith("us") else "m ** 3 / day"


def _supply_words(s: Any) -> str:
    grid = _ref_name("grids", s.grid) if s.grid else ("a grid defined by its generation mix" if s.mix
                                                        else "a grid at explicit factors")
    parts = []
    if s.onsite_share:
        tech = _lower_first(_ref_name("onsite", s.onsite_technology)) if s.onsite_technology else "generation"
        parts.append(f"{fmt_sig(s.onsite_share * 100, 2, strip=True)} % on-site {tech}")
    grid_share = 1 - s.onsite_share
    if grid_share > 0:
        if s.grid and "grid" not in grid.lower():  # "the World grid", not "the World"
            grid += " grid"
        parts.append(("" if not s.onsite_share else f"{fmt_sig(grid_share * 100, 2, strip=True)} % ") + f"the {grid}"
                     + ("" if s.onsite_share else " alone"))
    if s.ppa_share:
        parts.append(f"{fmt_sig(s.ppa_share * 100, 2, strip=True)} % of grid energy matched by PPAs")
    return ", ".join(parts)


def _caveats(result: Results, i: int, air: dict[str, Any]) -> list[str]:
    """The biggest caveats, in order: what the supply leaves out, the widest uncertainty, assumed controls."""
    s = result.scenarios[i]
    out = []
    h = result.hourly_of(i)
    hourly, annual = result.metric("co2e_scope2_location_based", i), h.metric(
        "co2e_scope2_location_based_annual") if h is not None else None
    if hourly is not None and annual is not None and float(annual.m_as("t CO2e")) > 0:
        rel = float(hourly.m_as("t CO2e")) / float(annual.m_as("t CO2e")) - 1
        if abs(rel) >= 0.05:  # the headline CO2e is not the figure an annual report of the site gives
            out.append(f"CO₂e is computed hour by hour from the grid's hourly generation: its Scope 2 part, "
                       f"{fmt_q(hourly, 't CO2e')}, is {fmt_sig(abs(rel) * 100, 2, strip=True)} % "
                       f"{'lower' if rel < 0 else 'higher'} than the {fmt_q(annual, 't CO2e')} the grid's published "
                       "annual factor gives (Hour by hour explains the gap).")
    if not s.onsite_share:
        out.append("Only grid electricity is modelled: any on-site generation (such as gas turbines) and its "
                   "emissions are not included; clusterprint compare shows the site under other supplies.")
    if result.draws and result.uncertain[i]:
        swings = [r for r in result.sensitivity(i, "co2e_location_based") if r[1] != r[2]]
        if swings:
            name, lo, hi = swings[0]
            low, high = sorted((lo, hi), key=lambda q: float(q.m_as("t CO2e")))
            what = _lower_first(input_label(result, i, name))
            what = what if what[:1].isupper() else f"the {what}"  # "PUE (...)", "the run length (period)"
            out.append(f"The largest uncertainty is {what}: across its 90 % range, CO₂e moves "
                       f"from {fmt_q(low, 't CO2e')} to {fmt_q(high, 't CO2e')}.")
    if air.get("controls_assumed"):
        out.append("The NOx control of the on-site plant is assumed (none was stated): NOx can differ tenfold "
                   "between uncontrolled turbines and turbines with SCR.")
    if s.by_hours:
        out.append("The fleet is given in accelerator-hours, so no power figures are shown.")
    return out


_CONTROLS = {"scr": "with SCR", "uncontrolled": "uncontrolled", "dln": "dry low-NOx",
             "water-steam": "water-steam injection", "water-steam-injection": "water-steam injection"}


def _lower_first(text: str) -> str:
    """``"Facility power (peak)"`` -> ``"facility power (peak)"``; acronyms (PUE, CO₂e, NOx) stay as they are."""
    first = text.split(" ")[0]
    if len(first) > 1 and (first[1].isupper() or any(ch.isdigit() or ch == "₂" for ch in first)):
        return text
    return text[:1].lower() + text[1:]
