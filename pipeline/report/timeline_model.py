"""Results -> the report's "Dated phases" view-model (``templates/_timeline.html.j2``): a per-phase table and a
chart of mean facility power over the dates, stacked by supply.  Reads :class:`~pipeline.results.Results` only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pint

from pipeline.report import charts
from pipeline.report.filters import fmt_percent, fmt_sig
from pipeline.results import PhaseResult, Results

__all__ = ["timeline_context"]

#: (key, metric, display unit) of the table's number columns.
COLUMNS = (("power", "facility_power", "MW"), ("energy", "energy", "GWh"),
           ("co2e", "co2e_location_based", "kilotonne CO2e"), ("water", "water_total", "thousand_m3"),
           ("nox", "nox_onsite", "t"))


#: NOx controls as the table writes them (the scenario's ids: ``scr``, ``dln`` ...).
_CONTROLS = {"scr": "SCR", "dln": "dry low-NOx", "water-steam-injection": "water-steam injection"}


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def _fmt(q: pint.Quantity | None, unit: str) -> str:
    if q is None:
        return "–"
    if unit == "thousand_m3":
        return fmt_sig(float(q.m_as("m ** 3")) / 1000)
    return fmt_sig(float(q.m_as(unit)))  # the column heading gives the unit


def _supply(p: PhaseResult) -> str:
    """The phase's supply in words: the grid and the on-site share with its NOx controls."""
    doc = p.info.document.get("supply", {}) if isinstance(p.info.document, dict) else {}
    onsite = doc.get("onsite") or {}
    grid = "grid" if p.info.grid or p.info.mix or doc.get("grid_intensity") else ""
    if not p.info.onsite_share:
        return grid or "–"
    tech = "gas turbines" if "gas-turbine" in str(p.info.onsite_technology) else (p.info.onsite_technology or "on site")
    controls = onsite.get("controls")
    controls = _CONTROLS.get(str(controls), controls)
    share = f"{fmt_percent(p.info.onsite_share)} {tech}" + (f" ({controls})" if controls else "")
    return f"{grid} + {share}" if grid else share


def _fleet(p: PhaseResult) -> str:
    counts = [g.count for g in p.info.groups]
    if any(c != c for c in counts):
        return "accelerator-hours"
    return f"{sum(counts):,.0f}"


def _chart(phases: list[PhaseResult]) -> dict[str, str] | None:
    """Mean facility power of each phase over its dates, stacked: grid (not matched), PPA-matched, on site."""
    if any(p.metric("facility_power") is None for p in phases):
        return None
    from matplotlib.dates import DateFormatter, date2num

    fig, ax = charts._subplots((6.6, 2.0))
    bottom = [0.0] * len(phases)
    starts = [date2num(p.start) for p in phases]
    widths = [p.days for p in phases]
    drawn: list[tuple[str, list[float]]] = []
    for label, key, metric in (("Grid, unmatched", "grid", "grid_energy_unmatched"),
                               ("Grid, PPA-matched", "ppa", "ppa_energy"), ("On-site generation", "onsite", "onsite_energy")):
        values = []
        for p in phases:
            q = p.metric(metric)
            values.append(0.0 if q is None else float(q.m_as("MWh")) / (24 * p.days))
        if not any(values):
            continue
        drawn.append((label, values))
        ax.bar(starts, values, width=widths, bottom=bottom, align="edge", label=label, color=charts.PALETTE[key],
               hatch=charts.HATCH.get(key, ""), edgecolor="white", linewidth=0.6)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for n, (x, w, top) in enumerate(zip(starts, widths, bottom, strict=True), start=1):
        ax.text(x + w / 2, top, str(n), ha="center", va="bottom", fontsize=8)
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    ax.set_ylabel("MW (mean)")
    ax.set_ylim(0, max(bottom) * 1.15 if max(bottom) > 0 else 1)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncol=3, frameon=False, fontsize=8, borderaxespad=0)
    ax.set_title("Mean facility power by phase and supply", pad=18)
    record = charts.figure_record(fig, "timeline", "Mean facility power by phase and supply",
                                  "Each bar spans a phase's dates; its height is the phase's mean facility power "
                                  "(energy / hours), split by where the energy came from. Numbers are the phases of the "
                                  "table above.")
    return {**record, "alt": _chart_alt(phases, drawn)}


def _chart_alt(phases: list[PhaseResult], drawn: list[tuple[str, list[float]]]) -> str:
    """The chart in a sentence, from the values it draws: each phase's dates, mean facility power and its
    non-zero parts by supply."""
    bars = []
    for k, p in enumerate(phases):
        parts = [(label, values[k]) for label, values in drawn if values[k]]
        total = fmt_sig(sum(v for _, v in parts), strip=True)
        words = f"all {parts[0][0]}" if len(parts) == 1 else ", ".join(f"{lb} {fmt_sig(v, strip=True)}" for lb, v in parts)
        bars.append(f"{k + 1}. {p.name}, {_day(p.start)} to {_day(p.end - dt.timedelta(days=1))}: {total} MW"
                    + (f" ({words})" if parts else ""))
    return "Bar chart over time, mean facility power by phase and supply, in MW: " + "; ".join(bars) + "."


def timeline_context(result: Results, i: int = 0) -> dict[str, Any]:
    """The "Dated phases" section: ``show`` is false for a scenario without a timeline."""
    phases = result.phases_of(i)
    if not phases:
        return {"show": False}
    rows = []
    for n, p in enumerate(phases, start=1):
        rows.append({"n": n, "name": p.name, "description": p.info.description,
                     "dates": f"{_day(p.start)} – {_day(p.end - dt.timedelta(days=1))}", "days": f"{p.days:,}",
                     "fleet": _fleet(p), "supply": _supply(p),
                     **{key: _fmt(p.metric(metric), unit) for key, metric, unit in COLUMNS}})
    total = {"dates": f"{_day(phases[0].start)} – {_day(phases[-1].end - dt.timedelta(days=1))}",
             "days": f"{sum(p.days for p in phases):,}",
             **{key: _fmt(result.metric(metric, i), unit) for key, metric, unit in COLUMNS}}
    return {"show": True, "rows": rows, "total": total, "chart": _chart(phases), "draws": bool(result.draws)}
