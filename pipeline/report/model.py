"""Results -> report view-model: display strings, tables and charts, no templates involved.

The report layer reads :class:`pipeline.results.Results`; it never runs the chain.  All unit
conversions and the plain-language equivalents are computed here, with pint, from the factors
in ``equivalences.csv`` (which then appear in the report's sources).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pint

from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.report import charts
from pipeline.report.filters import fmt_money, fmt_number, fmt_percent, fmt_quantity, fmt_ratio
from pipeline.report.timeline_model import timeline_context
from pipeline.results import METRIC_BY_NAME, METRICS, Results
from pipeline.units import unit_text, ureg

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
    ("t", "Metric tonne, 1,000 kg (not the US short ton)."),
    ("US gal", "US liquid gallon, 3.785411784 L."),
    ("m³", "Cubic metre, 1,000 L."),
    ("MW, MWh", "Megawatt (power), megawatt-hour (energy): 1 MW for 1 hour."),
)


@dataclass(frozen=True)
class Chart:
    """One chart: an SVG string, its data-URI form for the PDF, and a caption."""

    id: str
    title: str
    svg: str
    caption: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _m(result: Results, name: str, i: int) -> pint.Quantity | None:
    return result.metric(name, i)


def _val(q: pint.Quantity | None, unit: str) -> float:
    return 0.0 if q is None else float(q.m_as(unit))


def _equivalent(q: pint.Quantity | None, factor_id: str, template: str, used: list[ref.Factor]) -> str:
    """A plain-language equivalent: how many of a reference thing ``q`` amounts to."""
    if q is None:
        return ""
    f = ref.equivalence(factor_id)
    used.append(f)
    amount = f.quantity
    if (q / amount).check("[time]"):  # an annual rate (kWh/year, t/year): compare with one year of it
        amount = amount * ureg.Quantity(1, "year")
    n = float((q / amount).to("").magnitude)
    return template.format(n=fmt_number(n, 3))


def _range(result: Results, name: str, i: int, unit: str) -> str:
    """``"P5–P95: a – b"`` when the metric was drawn with uncertainty, else ``""``."""
    lo, hi = result.metric(name, i, "low"), result.metric(name, i, "high")
    if not result.draws or lo is None or hi is None or lo == hi:
        return ""
    if unit == "USD":
        year = f" ({ref.dollar_year()} dollars)"
        return f"P5–P95 {fmt_money(lo, ref.dollar_year()).replace(year, '')} – {fmt_money(hi, ref.dollar_year())}"
    return f"P5–P95 {fmt_quantity(lo, unit)} – {fmt_quantity(hi, unit)}"


def headline(result: Results, i: int, used: list[ref.Factor]) -> list[dict[str, str]]:
    """Headline figures with units, alternative units and plain-language equivalents."""
    rows = _headline(result, i, used)
    for row in rows:
        row["range"] = _range(result, row["metric"], i, row.pop("unit"))
    return rows


def _headline(result: Results, i: int, used: list[ref.Factor]) -> list[dict[str, str]]:
    g = lambda name: _m(result, name, i)  # noqa: E731
    rows: list[dict[str, str]] = []
    if g("facility_power_peak") is not None:
        rows.append({"metric": "facility_power_peak", "label": "Peak facility power", "unit": "MW",
                     "value": fmt_quantity(g("facility_power_peak"), "MW"),
                     "alt": f"mean {fmt_quantity(g('facility_power'), 'MW')}",
                     "equivalent": "all accelerators at full load, host servers and cooling overhead"})
    if g("energy") is not None:
        year_use = _equivalent(g("energy"), "home_electricity",
                               "as much electricity as {n} average US homes use in a year", used)
        rows.append({"metric": "energy", "label": "Facility energy", "unit": "MWh",
                     "value": fmt_quantity(g("energy"), "MWh"),
                     "alt": (f"{fmt_quantity(g('energy_per_day'), 'MWh / day')}" if g("energy_per_day") else ""),
                     "equivalent": year_use})
    for where, label in (("onsite", "Water on site (cooling)"), ("offsite", "Water off site (generating the electricity)")):
        rows.append(_water_row(result, i, where, label, used))
    rows.append({"metric": "co2e_location_based", "label": "CO2e, location-based", "unit": "t CO2e",
                 "value": fmt_quantity(g("co2e_location_based"), "t CO2e"),
                 "alt": f"Scope 1 + 2; on-site combustion (Scope 1) {fmt_quantity(g('co2e_onsite'), 't CO2e')}",
                 "equivalent": _equivalent(g("co2e_location_based"), "passenger_car",
                                           "as much as {n} passenger cars emit in a year", used)})
    rows.append({"metric": "co2e_market_based", "label": "CO2e, market-based", "unit": "t CO2e",
                 "value": fmt_quantity(g("co2e_market_based"), "t CO2e"),
                 "alt": (f"Scope 1 + 2; PPA-matched {fmt_percent(_val(g('ppa_energy'), 'MWh') / _val(g('grid_energy'), 'MWh'))}"
                         f" of grid energy, the rest at "
                         + (f"the supplier's rate ({result.scenarios[i].supplier})" if result.scenarios[i].supplier
                            else "the grid average (no supplier factor given)"))
                 if _val(g("grid_energy"), "MWh") > 0 else "no grid energy",
                 "equivalent": _equivalent(g("co2e_market_based"), "passenger_car",
                                           "as much as {n} passenger cars emit in a year", used)})
    card = _air_card(result, i)
    if card:
        rows.append(card)
    if g("co2e_embodied") is not None:
        rows.append({"metric": "co2e_embodied", "label": "CO2e embodied in hardware", "unit": "t CO2e",
                     "value": fmt_quantity(g("co2e_embodied"), "t CO2e"),
                     "alt": "share of manufacturing emissions for the period", "equivalent": ""})
    return rows


_POLLUTANTS = (("nox_onsite", "NOx", "on site"), ("co_onsite", "CO", "on site"), ("voc_onsite", "VOC", "on site"),
               ("pm25_onsite", "PM2.5", "on site"), ("so2_onsite", "SO2", "on site"),
               ("hcho_onsite", "Formaldehyde", "on site"), ("nox_grid", "NOx", "grid plants"),
               ("so2_grid", "SO2", "grid plants"))


def _both_tons(q: pint.Quantity) -> str:
    return f"{fmt_quantity(q, 't', 3)} ({fmt_quantity(q, 'short_ton', 3)})"


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
                     "range": (f"{fmt_quantity(lo, 't', 3)} – {fmt_quantity(hi, 't', 3)}"
                               if result.draws and lo is not None and hi is not None and lo != hi else "")})
    year = ref.dollar_year()
    health = []
    for name, label in (("health_damages", "Health damages, total"), ("health_damages_onsite", "on-site combustion"),
                        ("health_damages_grid", "grid power plants")):
        q = g(name)
        if q is None or (name.endswith("onsite") and not onsite) or (name.endswith("grid") and not grid):
            continue
        lo, hi = result.metric(name, i, "low"), result.metric(name, i, "high")
        health.append({"metric": name, "label": label, "value": fmt_money(q, year),
                       "range": (f"{fmt_money(lo, year)} – {fmt_money(hi, year)}".replace(f" ({year} dollars)", "", 1)
                                 if result.draws and lo is not None and hi is not None and lo != hi else "")})
    deaths = g("premature_deaths")
    facts = result.assumptions(i)
    sets = sorted({f.name.split(".")[1] for f in facts if f.name.startswith("health.") and f.status != "missing"})
    gaps = [f.source for f in facts if f.status == "missing" and (f.name.startswith("health.")
                                                                     or f.name.startswith("grid.") and "_rate" in f.name)]
    controls = next((f for f in facts if f.name == "supply.onsite.controls"), None)
    return {
        "show": onsite or grid,
        "pollutants": rows,
        "health": health,
        "deaths": "" if deaths is None else fmt_number(float(deaths.m_as("")), 2),
        "deaths_range": _deaths_range(result, i),
        "dollar_year": year,
        "sets": sets,
        "gaps": gaps,
        "controls": (controls.note or "") if controls else "",
        "controls_assumed": bool(controls and controls.status == "assumed"),
    }


def _deaths_range(result: Results, i: int) -> str:
    lo, hi = result.metric("premature_deaths", i, "low"), result.metric("premature_deaths", i, "high")
    if not result.draws or lo is None or hi is None:
        return ""
    return f"{fmt_number(float(lo.m_as('')), 2)} – {fmt_number(float(hi.m_as('')), 2)}"


def _air_card(result: Results, i: int) -> dict[str, str] | None:
    air = air_context(result, i)
    if not air["show"]:
        return None
    g = lambda name: _m(result, name, i)  # noqa: E731
    parts = []
    if g("nox_onsite") is not None and _val(g("onsite_energy"), "MWh") > 0:
        parts.append(f"NOx on site {fmt_quantity(g('nox_onsite'), 't', 3)} ({air['controls'] or 'controls n/a'})")
    if g("nox_grid") is not None and _val(g("grid_energy"), "MWh") > 0:
        parts.append(f"from grid plants {fmt_quantity(g('nox_grid'), 't', 3)}")
    if air["deaths"]:
        parts.append(f"about {air['deaths']} premature deaths")
    total = g("health_damages")
    return {"metric": "health_damages" if total is not None else "nox_onsite", "label": "Air pollution and health",
            "unit": "USD" if total is not None else "t",
            "value": fmt_money(total, air["dollar_year"]) if total is not None else fmt_quantity(g("nox_onsite"), "t"),
            "alt": "; ".join(parts), "equivalent": ""}


def _water_row(result: Results, i: int, where: str, label: str, used: list[ref.Factor]) -> dict[str, str]:
    """A headline card for on-site or off-site water: per day in US gallons where a period exists."""
    total, per_day = result.metric(f"water_{where}", i), result.metric(f"water_{where}_per_day", i)
    pools = _equivalent(total, "olympic_pool", "{n} Olympic swimming pools in total", used)
    if per_day is None:
        return {"metric": f"water_{where}", "unit": "m ** 3", "label": label, "value": fmt_quantity(total, "m ** 3"),
                "alt": fmt_quantity(total, "L"), "equivalent": pools}
    return {"metric": f"water_{where}_per_day", "unit": "US_liquid_gallon / day", "label": label,
            "value": fmt_quantity(per_day, "US_liquid_gallon / day"),
            "alt": f"{fmt_quantity(per_day, 'L / day')}; {fmt_quantity(total, 'm ** 3')} in total", "equivalent": pools}


def build_charts(result: Results, i: int) -> list[Chart]:
    """The report's charts for scenario ``i``."""
    g = lambda name: _m(result, name, i)  # noqa: E731
    out: list[Chart] = []
    if g("it_power") is not None:
        acc, host = _val(g("it_power_accelerators"), "MW"), _val(g("it_power_hosts"), "MW")
        over, over_peak = _val(g("facility_overhead_power"), "MW"), _val(g("facility_overhead_power_peak"), "MW")
        peak_acc = _val(g("it_power_accelerators_peak"), "MW")
        out.append(Chart("power", "Where the power goes", charts.stacked_bars(
            "power", "Where the power goes", ["Mean", "Peak"],
            [("Accelerators", "accelerators", [acc, peak_acc]), ("Host servers", "hosts", [host, host]),
             ("Facility overhead (PUE)", "overhead", [over, over_peak])], "MW"),
            "Facility power split into accelerator boards, host servers and facility overhead (cooling, power "
            "distribution), at mean utilization and at full load."))
    ppa_e, on_e = _val(g("ppa_energy"), "GWh"), _val(g("onsite_energy"), "GWh")
    co2_grid, co2_on = _val(g("co2e_grid"), "kilotonne CO2e"), _val(g("co2e_onsite"), "kilotonne CO2e")
    co2_mkt_grid = _val(g("co2e_market_based_grid"), "kilotonne CO2e")
    unmatched = _val(g("grid_energy_unmatched"), "GWh")
    out.append(Chart("energy", "Energy by supply source", charts.stacked_bars(
        "energy", "Energy by supply source", ["Energy"],
        [("Grid, unmatched", "grid", [unmatched]), ("Grid, PPA-matched", "ppa", [ppa_e]),
         ("On-site generation", "onsite", [on_e])], "GWh", height=1.45),
        "Facility energy by where it comes from: the grid (with the share matched by renewable purchases) "
        "and on-site generation."))
    out.append(Chart("co2e", "CO2e by source", charts.stacked_bars(
        "co2e", "CO2e by source", ["Location-based", "Market-based"],
        [("Grid electricity", "grid", [co2_grid, co2_mkt_grid]), ("On-site combustion", "onsite", [co2_on, co2_on])],
        "thousand t CO2e", height=1.8),
        "CO2e of the electricity under the GHG Protocol's location-based and market-based methods."))
    out.append(Chart("water", "Water on site and off site", charts.stacked_bars(
        "water", "Water consumed", ["Water"],
        [("On site (cooling)", "water_onsite", [_val(g("water_onsite"), "m ** 3") / 1000]),
         ("Off site, grid generation", "water_grid", [_val(g("water_offsite_grid"), "m ** 3") / 1000]),
         ("Off site, on-site plant", "water_plant", [_val(g("water_offsite_onsite_plant"), "m ** 3") / 1000])],
        "thousand m³", height=1.45),
        "Water consumed on site for cooling and off site to generate the electricity, over the period."))
    if result.draws and result.uncertain[i]:
        for metric, unit, label, scale in (("co2e_location_based", "t CO2e", "thousand t CO2e", 1e-3),
                                           ("water_total", "m ** 3", "thousand m³", 1e-3)):
            rows = [r for r in result.sensitivity(i, metric) if r[1] != r[2]][:8]
            if not rows:
                continue
            base = _val(result.metric(metric, i, "central"), unit) * scale
            title = f"What drives {METRIC_BY_NAME[metric].label}"
            out.append(Chart(f"tornado-{metric}", title, charts.tornado(
                f"tornado-{metric}", title, [_input_label(n) for n, _, _ in rows],
                [float(lo.m_as(unit)) * scale for _, lo, _ in rows], [float(hi.m_as(unit)) * scale for _, _, hi in rows],
                base, label),
                "Each uncertain input moved to its 5th and 95th percentile with the others at their central values "
                "(one at a time); the widest bars matter most."))
    groups = result.groups_of(i)
    if len(groups) > 1:
        labels = [grp.label for grp in result.scenarios[i].groups]
        energies = [float(result.groups["it_energy"][k].m_as("GWh")) for k in groups]
        out.append(Chart("groups", "IT energy by accelerator group", charts.bars(
            "groups", "IT energy by accelerator group", labels, energies, "GWh"),
            "IT energy of each accelerator group of the fleet."))
    return out


def _input_label(name: str) -> str:
    """A readable name for an uncertain input path or reference factor."""
    return name.replace("default.", "").replace("supply.", "").replace("_", " ")


def uncertainty_rows(result: Results, i: int) -> list[dict[str, str]]:
    """The distributions that were drawn, for the report's uncertainty table."""
    rows = []
    for u in result.uncertain[i]:
        unit = unit_text(u.dist.unit) if u.dist.unit else ""
        rows.append({"name": u.name, "dist": u.dist.kind, "low": f"{u.dist.low:,.6g}", "mode": f"{u.dist.central:,.6g}",
                     "high": f"{u.dist.high:,.6g}", "unit": unit, "source": u.source})
    return rows


def fmt_duration(q: pint.Quantity) -> str:
    """A duration in the largest whole-looking unit: ``8766 h`` -> ``1 year``, ``720 h`` -> ``30 day``.

    >>> from pipeline.units import Q_
    >>> fmt_duration(Q_(8766, "h")), fmt_duration(Q_(720, "h")), fmt_duration(Q_(36, "h"))
    ('1 year', '30 day', '36 h')
    """
    for unit, label in (("year", "year"), ("day", "day")):
        x = float(q.m_as(unit))
        if x >= 1 and abs(x - round(x)) < 1e-9:
            return f"{x:,.6g} {label}"
    return f"{float(q.m_as('h')):,.6g} h"


def input_display(s: Any) -> dict[str, str]:
    """The scenario's main inputs for display, with their ranges where they were drawn."""
    ranged = s.ranges

    def with_range(path: str, text: str, fmt: Any) -> str:
        d = ranged.get(path)
        return text if d is None else f"{text} ({fmt(d.low)}–{fmt(d.high)}, {d.kind})"

    def pct(x: float) -> str:
        return fmt_percent(x)

    def plain(x: float) -> str:
        return f"{x:,.4g}"

    grid = s.grid or ("generation mix" if s.mix else "explicit intensities")
    return {
        "utilization": with_range("utilization", fmt_percent(s.utilization), pct),
        "pue": with_range("pue", fmt_number(s.pue), plain),
        "wue": with_range("wue", fmt_quantity(s.wue, "L / kWh"), plain),
        "grid": grid,
        "onsite": (with_range("supply.onsite.share", f"{fmt_percent(s.onsite_share)} {s.onsite_technology}", pct)
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
            "count": (f"{count:,.0f}" if count.is_integer() else fmt_number(count, 6)) if count == count else "–",
            "hours": fmt_quantity(result.groups["accelerator_time"][k], "h"),
            "full_power": fmt_quantity(grp.full_power, "W"), "idle_power": fmt_quantity(grp.idle_power, "W"),
            "host_power": fmt_quantity(grp.host_power, "W"),
            "it_power": fmt_quantity(None if count != count else result.groups["it_power"][k], "MW"),
            "it_energy": fmt_quantity(result.groups["it_energy"][k], "MWh"),
        })
    return rows


def _limit_sentence(c: Any) -> str:
    """A cap and the model's estimate in words a lay reader cannot misread."""
    what = METRIC_BY_NAME[c.metric].label.split(" from ")[0]
    unit = unit_text(c.claimed.units)
    cap = f"{float(c.claimed.magnitude):,g} {unit}{'s' if unit == 'short ton' else ''}"
    cap += f" ({fmt_quantity(c.claimed, 't', 3)})" if c.claimed.check("[mass]") else ""
    est = fmt_quantity(c.modelled, "t", 3) if c.modelled is not None else "not modelled"
    if c.low is not None and c.high is not None and c.low != c.high:
        est += f", 90 % range {fmt_quantity(c.low, 't', 3)} – {fmt_quantity(c.high, 't', 3)}"
    verdict = {"under the limit": "below the cap, even at the top of the range",
               "over the limit": "above the cap, even at the bottom of the range",
               "may exceed the limit": "the cap falls inside the range, so the plant may exceed it",
               }.get(c.verdict, c.verdict)
    return f"Cap: {what} {cap} a year. Model estimate: {est}: {verdict}."


def claim_rows(result: Results, i: int) -> list[dict[str, str]]:
    rows = []
    for c in result.claims(i):
        unit = METRIC_BY_NAME[c.metric].unit
        claimed_unit = f"{c.claimed.units:~D}".replace("ton", "short_ton") if c.claimed.check("[mass]") and \
            f"{c.claimed.units:~D}" == "ton" else f"{c.claimed.units:~D}"
        rows.append({
            "kind": c.kind, "sentence": _limit_sentence(c) if c.kind == "limit" else "",
            "metric": METRIC_BY_NAME[c.metric].label,
            "claimed": fmt_quantity(c.claimed, claimed_unit) + (" (limit)" if c.kind == "limit" else ""),
            "modelled": fmt_quantity(c.modelled, claimed_unit) if c.modelled is not None else "not modelled",
            "modelled_canonical": fmt_quantity(c.modelled, unit),
            "range": (f"{fmt_quantity(c.low, claimed_unit)} – {fmt_quantity(c.high, claimed_unit)}"
                      if result.draws and c.low is not None and c.high is not None and c.low != c.high else ""),
            "ratio": fmt_ratio(c.ratio), "verdict": c.verdict, "verdict_class": c.verdict.replace(" ", "-"),
            "tolerance": fmt_percent(c.tolerance), "source": c.source, "note": c.note,
        })
    return rows


def assumption_rows(facts: list[ref.Factor]) -> list[dict[str, str]]:
    rows = []
    for f in facts:
        rec = f.record()
        value = "no data" if rec["value"] is None else f"{rec['value']:,.6g}"
        rng = f" ({rec['low']:,.6g}–{rec['high']:,.6g})" if "low" in rec else ""
        rows.append({"name": f.name, "value": value + rng, "unit": rec["unit"], "source": f.source,
                     "file": f.file, "year": f.year, "edition": f.edition, "licence": f.licence,
                     "status": f.status, "note": f.note})
    return rows


def result_rows(result: Results, i: int) -> list[dict[str, str]]:
    """Every metric of the scenario with its value (the same numbers as results.json)."""
    rows = []
    for spec in METRICS:
        q = result.metric(spec.name, i)
        if q is not None:
            lo, hi = result.metric(spec.name, i, "low"), result.metric(spec.name, i, "high")
            rows.append({"name": spec.name, "label": spec.label, "value": fmt_quantity(q, spec.unit),
                         "low": fmt_quantity(lo, spec.unit), "high": fmt_quantity(hi, spec.unit),
                         "description": spec.description})
    return rows


def report_context(result: Results, i: int = 0, generated: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the report template shows, as display strings (no arithmetic left for templates)."""
    s = result.scenarios[i]
    when = generated or dt.datetime.now(dt.UTC)
    used: list[ref.Factor] = []
    heads = headline(result, i, used)
    facts = list(result.assumptions(i)) + [f for f in dict.fromkeys(used)]
    period = "given in accelerator-hours" if s.period is None else fmt_duration(s.period)
    return {
        "title": s.name,
        "location": s.location,
        "description": s.description,
        "period": period,
        "date": when.strftime("%Y-%m-%d"),
        "version": __version__,
        "by_hours": s.by_hours,
        "headline": heads,
        "charts": build_charts(result, i),
        "groups": group_rows(result, i),
        "claims": claim_rows(result, i),
        "air": air_context(result, i),
        "results": result_rows(result, i),
        "draws": f"{result.draws:,}" if result.draws else "",
        "seed": result.seed,
        "uncertainty": uncertainty_rows(result, i) if result.draws else [],
        "method": [{"stage": a, "formula": b, "text": c} for a, b, c in METHOD],
        "assumptions": assumption_rows(facts),
        "editions": sorted(ref.data_editions().items()),
        "glossary": [{"term": a, "meaning": b} for a, b in GLOSSARY],
        "inputs": input_display(s),
        "file": s.file,
        "timeline": timeline_context(result, i),
    }
