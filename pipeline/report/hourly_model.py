"""Results -> the report's "Hour by hour" view-model (``templates/_hourly.html.j2``): what an hourly run
(``resolution: hourly``) adds to the annual figures, as a short table with plain sentences, a chart of
CO2e and on-site water by month and, when the run kept its hours (``compute(..., keep_hours=True)``), heat maps
of the grid's carbon intensity and the on-site water by hour of day and month; and ``hourly.csv``, the hours
themselves (:func:`hourly_csv_text`).  Reads :class:`~pipeline.results.Results` only (and the names and UTC
offsets of the shipped profiles, climates and cooling models), never the engine.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pint

from pipeline import profiles
from pipeline.io import csv_text
from pipeline.report import charts
from pipeline.report.filters import fmt_q, fmt_sig, scale_of
from pipeline.results import HourlyResult, Results, ScenarioInfo, metric_column
from pipeline.units import Q_

__all__ = ["HOURLY_CSV", "MONTHS", "heatmaps", "hour_month_means", "hourly_context", "hourly_csv_text"]

#: The file of the hours beside report.html (written by the report writer from :func:`hourly_csv_text`).
HOURLY_CSV = "hourly.csv"

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")


def _value(q: pint.Quantity | None, unit: str) -> float | None:
    if q is None:
        return None
    v = float(q.m_as(unit))
    return None if math.isnan(v) else v


def _pct(x: float | None) -> str:
    """A share as a whole percentage (``55 %``): CFE scores are read to the percent."""
    return "–" if x is None else f"{x * 100:.0f} %"


def _name(kind: str, key: str | None) -> str:
    """A shipped profile's, climate's or cooling model's name, falling back on its id."""
    if not key:
        return ""
    try:
        if kind == "profile":
            return profiles.info(key)["name"]
        if kind == "climate":
            return profiles.climate_info(key)["name"].split(",")[0].split("(")[0].strip()
        return {"evaporative-tower": "evaporative cooling-tower", "adiabatic": "adiabatic dry-cooler",
                "dry": "dry-cooler"}.get(key, key)
    except (KeyError, OSError):
        return key


def _cfe_row(h: HourlyResult, s: ScenarioInfo) -> dict[str, str] | None:
    hourly, annual = _value(h.metric("cfe_share"), ""), _value(h.metric("cfe_share_annual"), "")
    if hourly is None or annual is None:
        return None
    who = "the grid's carbon-free generation in that hour" + (" and contracted generation (PPAs)" if s.ppa_share
                                                              else "")
    text = f"{_pct(hourly)} of the site's electricity is matched in the same hour by {who}. "
    gap = round((annual - hourly) * 100)
    if gap == 0:
        text += ("Annual matching, the view of certificates and market-based CO₂e, gives the same: with a flat load "
                 "and no time-shaped contract the two agree.")
    elif gap > 0:
        text += (f"Annual matching, the view of certificates and market-based CO₂e, claims {_pct(annual)}: "
                 f"{gap} percentage points of carbon-free energy arrive in hours when the site cannot use them.")
    else:
        text += f"Annual matching gives {_pct(annual)}, {-gap} percentage points less."
    return {"measure": "Carbon-free energy (24/7 CFE score)", "hourly": _pct(hourly), "annual": _pct(annual),
            "text": text}


def _pue_row(h: HourlyResult, s: ScenarioInfo) -> dict[str, str] | None:
    pue = _value(h.metric("pue_effective"), "")
    if pue is None:
        return None
    same = abs(pue - s.pue) < 0.005
    text = ("Facility energy over IT energy, summed over the hours. "
            + ("PUE is the scenario's in every hour (a weather-driven PUE is not modelled), so the two agree."
               if same else "It differs from the scenario's PUE because the load varies by hour."))
    return {"measure": "PUE, effective", "hourly": fmt_sig(pue), "annual": fmt_sig(s.pue), "text": text}


def _wue_row(h: HourlyResult, s: ScenarioInfo) -> dict[str, str] | None:
    wue = _value(h.metric("wue_effective"), "L / kWh")
    if wue is None:
        return None
    annual = float(s.wue.m_as("L / kWh"))
    text = "On-site water over IT energy, summed over the hours"
    monthly = np.asarray(h.monthly.get("wue [L/kWh]", np.full(12, np.nan)), dtype=float)
    if h.cooling and h.climate and np.isfinite(monthly).all():
        lo, hi = int(np.argmin(monthly)), int(np.argmax(monthly))
        text += (f", from the {_name('cooling', h.cooling)} model in {_name('climate', h.climate)} weather: "
                 f"{fmt_sig(monthly[lo])} L/kWh in {_MONTH_NAMES[lo]} to {fmt_sig(monthly[hi])} in {_MONTH_NAMES[hi]} "
                 f"(monthly means). The annual run takes a flat {fmt_sig(annual)} L/kWh.")
    else:
        text += "; without a weather-driven cooling model it is the scenario's WUE every hour."
    return {"measure": "WUE, effective (on site)", "hourly": f"{fmt_sig(wue)} L/kWh",
            "annual": f"{fmt_sig(annual)} L/kWh", "text": text}


def _water_row(h: HourlyResult, result: Results, i: int) -> dict[str, str] | None:
    peak = h.metric("water_onsite_peak_day")
    mean = result.metric("water_onsite_per_day", i)
    p = _value(peak, "m ** 3 / day")
    if p is None:
        return None
    m = _value(mean, "m ** 3 / day")
    text = (f"The worst UTC day's on-site water, {fmt_q(peak, 'US_liquid_gallon / day')}: what the water supply must "
            "deliver at the peak, not on average")
    text += (f", {fmt_sig(p / m, 2)}× the mean day." if m else ".")
    return {"measure": "On-site water, worst day", "hourly": fmt_q(peak, "m ** 3 / day"),
            "annual": f"{fmt_q(mean, 'm ** 3 / day')} (mean day)" if mean is not None else "–", "text": text}


def _annual_factor(h: HourlyResult, result: Results, i: int) -> float | None:
    """The grid's annual intensity the annual view uses [g CO2e/kWh]: Scope 2 at the annual factor / grid energy."""
    grid = _value(result.metric("grid_energy", i), "kWh")
    annual = _value(h.metric("co2e_scope2_location_based_annual"), "g CO2e")
    return annual / grid if grid and annual is not None else None


def _scope2_row(h: HourlyResult, result: Results, i: int) -> dict[str, str] | None:
    hourly, annual = result.metric("co2e_scope2_location_based", i), h.metric("co2e_scope2_location_based_annual")
    if hourly is None or annual is None:
        return None
    factor, mean = _annual_factor(h, result, i), _value(h.metric("grid_intensity_mean"), "g CO2e / kWh")
    text = "Grid electricity × the grid's intensity in each hour, against grid electricity × one annual factor"
    text += f" ({fmt_sig(factor)} g CO₂e/kWh)." if factor else "."
    if h.profile and factor and mean:
        rel = float(hourly.m_as("t CO2e")) / float(annual.m_as("t CO2e")) - 1
        text += (f" The hourly figure is {fmt_sig(abs(rel) * 100, 2)} % {'lower' if rel < 0 else 'higher'}. "
                 "Most of the gap comes from the data, not from timing: the hourly mix is the balancing authority's "
                 "EIA-930 generation with IPCC technology factors, the annual factor the grid's published one.")
    return {"measure": "Scope 2, location-based", "hourly": fmt_q(hourly, "t CO2e"),
            "annual": fmt_q(annual, "t CO2e"), "text": text}


def _market_row(h: HourlyResult, result: Results, i: int) -> dict[str, str] | None:
    """Market-based Scope 2 beside the hourly location-based figure, when a supplier's annual rate sets it: that
    rate applies to every hour, so the two are not on the same data (the reader would see market above location
    and ask why)."""
    s = result.scenarios[i]
    market, hourly = result.metric("co2e_scope2_market_based", i), result.metric("co2e_scope2_location_based", i)
    if not s.supplier or market is None or hourly is None or not h.profile:
        return None
    grid = _value(result.metric("grid_energy", i), "kWh")
    rate = (f" ({fmt_sig(float(market.m_as('g CO2e')) / grid)} g CO₂e/kWh of grid electricity not covered by a "
            "contract)") if grid else ""
    relation = "above" if market > hourly else "below"
    text = (f"The supplier's published annual rate{rate} applies to every hour: market-based CO₂e does not follow "
            f"the hourly mix, so it sits {relation} the hourly location-based figure for a reason of data, not of "
            "timing. Hour-matched contracts are what the carbon-free-energy row measures.")
    return {"measure": "Scope 2, market-based", "hourly": fmt_q(market, "t CO2e"), "annual": fmt_q(market, "t CO2e"),
            "text": text}


def _intensity_row(h: HourlyResult, result: Results, i: int) -> dict[str, str] | None:
    lo, mean, hi = (_value(h.metric(f"grid_intensity_{k}"), "g CO2e / kWh") for k in ("min", "mean", "max"))
    if lo is None or mean is None or hi is None or not h.profile:
        return None
    factor = _annual_factor(h, result, i)
    basis = result.scenarios[i].carbon_basis
    text = (f"The cleanest hour of {_name('profile', h.profile)} emits {fmt_sig(lo)} g CO₂e/kWh, the dirtiest "
            f"{fmt_sig(hi)}" + (f", {fmt_sig(hi / lo, 2)}× as much" if lo > 0 else "")
            + f"; the mean of the hours is {fmt_sig(mean)}" + (f" ({basis} basis)." if basis else "."))
    return {"measure": "Grid intensity, lowest / mean / highest hour",
            "hourly": f"{fmt_sig(lo)} / {fmt_sig(mean)} / {fmt_sig(hi)} g CO₂e/kWh",
            "annual": f"{fmt_sig(factor)} g CO₂e/kWh" if factor else "–", "text": text}


def monthly_chart(h: HourlyResult) -> dict[str, str] | None:
    """Location-based CO2e and on-site water by month (UTC), two panels sharing the months."""
    co2 = np.asarray(h.monthly.get("co2e_location_based [t CO2e]", []), dtype=float)
    water = np.asarray(h.monthly.get("water_onsite [m ** 3]", []), dtype=float)
    if len(co2) != 12 or len(water) != 12 or not (np.isfinite(co2).all() and np.isfinite(water).all()):
        return None
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    charts._rc()
    fig = Figure(figsize=(6.6, 3.3))
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = np.arange(12)
    panels = ((top, co2, "t CO2e", "grid", "CO₂e, location-based"),
              (bottom, water, "m ** 3", "water_onsite", "On-site water"))
    handles = []
    for ax, v, unit, key, label in panels:
        u, mult, shown = scale_of(Q_(float(v.max()), unit), unit)
        scaled = np.asarray(Q_(v, unit).m_as(u)) / mult
        ax.bar(x, scaled, width=0.7, color=charts.PALETTE[key], hatch=charts.HATCH.get(key, ""), edgecolor="white",
               linewidth=0.6)
        ax.set_ylabel(shown, fontsize=8)
        ax.set_ylim(0, float(scaled.max()) * 1.12 if scaled.max() > 0 else 1)
        ax.yaxis.set_major_formatter(charts._formatter(lambda y, _: fmt_sig(y, strip=True)))
        ax.tick_params(labelsize=8)
        handles.append(Patch(facecolor=charts.PALETTE[key], hatch=charts.HATCH.get(key, ""), edgecolor="white",
                             label=f"{label} ({shown})"))
    bottom.set_xticks(x, list(MONTHS))
    top.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=2, frameon=False, fontsize=8,
               borderaxespad=0)
    top.set_title("CO₂e and on-site water by month", pad=18)
    record = charts.figure_record(fig, "hourly-monthly", "CO₂e and on-site water by month",
                                  "Sums of the hours of each month (UTC). The load is flat, so the months differ by "
                                  "the grid's hourly mix (CO₂e) and by the weather through the cooling model (water).")
    return {**record, "alt": _monthly_alt(co2, water)}


def _monthly_alt(co2: np.ndarray, water: np.ndarray) -> str:
    """The monthly chart as a sentence with its numbers: each panel's highest and lowest month and every month."""
    parts = []
    for v, unit, what in ((co2, "t CO2e", "CO₂e, location-based"), (water, "m ** 3", "on-site water")):
        u, mult, shown = scale_of(Q_(float(v.max()), unit), unit)
        scaled = np.asarray(Q_(v, unit).m_as(u)) / mult
        hi, lo = int(np.argmax(scaled)), int(np.argmin(scaled))
        months = ", ".join(f"{m} {fmt_sig(x, strip=True)}" for m, x in zip(MONTHS, scaled, strict=True))
        parts.append(f"{what} in {shown}: highest in {MONTHS[hi]} ({fmt_sig(scaled[hi], strip=True)}), lowest in "
                     f"{MONTHS[lo]} ({fmt_sig(scaled[lo], strip=True)}); {months}")
    return "Bar charts by month. " + ". ".join(parts) + "."


# --------------------------------------------------------------------------- hour of day x month (heat maps)


def _utc_text(offset: int) -> str:
    """``UTC−6``, ``UTC+9``, ``UTC`` (a true minus sign)."""
    return "UTC" if offset == 0 else f"UTC{'+' if offset > 0 else '−'}{abs(offset)}"


def _clock(h: HourlyResult) -> tuple[int, str]:
    """The heat maps' clock: the site's standard-time offset from UTC [h] and its name.

    The hours are UTC; the site's weather file (``cooling.climate``) gives the local standard time's offset, so
    with a climate the hours are shown on the site's clock (standard time all year: daylight saving is not
    applied), and in UTC without one.
    """
    if h.climate:
        try:
            offset = float(profiles.climate_info(h.climate)["utc_offset_h"])
        except (KeyError, OSError, ValueError):
            offset = math.nan
        if math.isfinite(offset) and offset == int(offset) and offset != 0:
            return int(offset), f"local standard time ({_utc_text(int(offset))})"
    return 0, "UTC"


def hour_month_means(h: HourlyResult, column: str, utc_offset_h: int = 0, per: float = 1.0) -> np.ndarray | None:
    """A column of the kept hours as a 24 x 12 matrix: row = hour of day, column = month (January first), each cell
    the mean over the days of the month of that hour's value divided by ``per``; None without kept hours.

    The hours (UTC starts) are moved to the clock ``utc_offset_h`` hours from UTC before they are sorted into
    hours and months; the hours that then fall outside the profile's year wrap round to its other end (the year
    is read as a typical year), so every cell holds exactly one value per day of its month and the days-weighted
    mean of the cells is the mean of the hours.
    """
    if h.hours is None or column not in h.hours or "hour" not in h.hours:
        return None
    import pandas as pd

    t = pd.to_datetime(pd.Series(h.hours["hour"], dtype=str), format="%Y-%m-%dT%H:%MZ")
    t = t + pd.Timedelta(hours=utc_offset_h)
    cell = ((t.dt.month - 1) * 24 + t.dt.hour).to_numpy(dtype=np.intp)
    v = np.asarray(h.hours[column], dtype=float) / per
    sums = np.bincount(cell, weights=v, minlength=288)
    counts = np.bincount(cell, minlength=288)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((sums / counts).reshape(12, 24).T)


def _where(m: np.ndarray, pick: Any) -> tuple[int, int, float]:
    """(hour, month, value) of the cell ``pick`` (np.nanargmax or np.nanargmin) chooses."""
    hour, month = np.unravel_index(int(pick(m)), m.shape)
    return int(hour), int(month), float(m[hour, month])


def _extremes_sentence(what: str, m: np.ndarray, clock: str, unit: str, mean: float) -> str:
    """``<what> is highest at 18:00 <clock> in August (512 <unit>) and lowest at ...; the mean ... is ...``."""
    hh, hm, hv = _where(m, np.nanargmax)
    lh, lm, lv = _where(m, np.nanargmin)
    return (f"{what} is highest at {hh:02d}:00 {clock} in {_MONTH_NAMES[hm]} ({fmt_sig(hv)} {unit}) and lowest at "
            f"{lh:02d}:00 in {_MONTH_NAMES[lm]} ({fmt_sig(lv)} {unit}), as means over the days of the month; the "
            f"mean of all hours is {fmt_sig(mean)} {unit}.")


def _carbon_map(h: HourlyResult, s: ScenarioInfo, offset: int, clock: str) -> dict[str, str] | None:
    m = hour_month_means(h, "grid_intensity [g CO2e/kWh]", offset)
    if not h.profile or m is None or not np.isfinite(m).all() or np.ptp(m) == 0:
        return None
    mean = float(np.mean(h.hours["grid_intensity [g CO2e/kWh]"])) if h.hours else math.nan
    basis = f" ({s.carbon_basis} basis)" if s.carbon_basis else ""
    alt = _extremes_sentence(f"The grid's carbon intensity{basis}", m, clock, "g CO₂e/kWh", mean)
    source = profiles.info(h.profile).get("source", "")
    data = f"{_name('profile', h.profile)}" + (" (U.S. EIA Form EIA-930)" if "EIA-930" in source else "")
    caption = (f"Each cell: the grid's CO₂e intensity{basis} in that hour of the day, averaged over the days of the "
               f"month: the {data} times each technology's emission factor (technologies.csv; IPCC AR5 for most). "
               "It is the grid's average, whatever the site's own contracts. Hours in "
               f"{clock}; outlined: the highest and lowest cells.")
    return charts.heatmap("hourly-heatmap-carbon", "Grid carbon intensity by hour of day and month", m.tolist(),
                          "g CO₂e/kWh", MONTHS, f"hour of day, {clock}", caption, alt, cmap="YlOrBr")


def _water_map(h: HourlyResult, result: Results, i: int, offset: int, clock: str) -> dict[str, str] | None:
    col, s = "water_onsite [m ** 3]", result.scenarios[i]
    if not (h.cooling and h.climate) or h.hours is None or col not in h.hours:
        return None
    hours = len(h.hours[col])
    step = float(s.period.m_as("h")) / hours if s.period is not None else 1.0  # the hours each row stands for
    m = hour_month_means(h, col, offset, per=step)
    if m is None or not np.isfinite(m).all() or np.ptp(m) == 0:
        return None
    mean = float(np.sum(h.hours[col])) / (step * hours)
    alt = _extremes_sentence("On-site cooling water", m, clock, "m³ an hour", mean)
    peak = Q_(float(np.max(m)) * 24, "m ** 3 / day")
    source = profiles.climate_info(h.climate).get("source", "")
    weather = f"{_name('climate', h.climate)} typical-year weather" + (" (NREL TMY3)" if "TMY3" in source else "")
    caption = (f"Each cell: the water consumed (evaporated) on site by the {_name('cooling', h.cooling)} model in that "
               "hour of the day at the scenario's flat load, in m³ an hour, averaged over the days of the month; the "
               f"model follows the {weather}. The highest cell is a rate of {fmt_q(peak, 'US_liquid_gallon / day')} "
               f"({fmt_q(peak, 'm ** 3 / day')}).")
    withdrawn, consumed = (_value(result.metric(n, i), "m ** 3") for n in ("water_onsite_withdrawal", "water_onsite"))
    if withdrawn and consumed:
        caption += (f" What the site draws from its supply is more: {fmt_sig(withdrawn / consumed, 2)}× the consumption "
                    "over the year, the towers' blowdown included.")
    caption += f" Hours in {clock}; outlined: the highest and lowest cells."
    return charts.heatmap("hourly-heatmap-water", "On-site water by hour of day and month", m.tolist(), "m³/h",
                          MONTHS, f"hour of day, {clock}", caption, alt, cmap="Blues")


def heatmaps(result: Results, i: int = 0) -> dict[str, Any] | None:
    """The heat-map page of an hourly run that kept its hours: an intro and the charts that vary (the grid's
    carbon intensity with an hourly grid profile, the on-site water with a weather-driven cooling model)."""
    h = result.hourly_of(i)
    if h is None or h.hours is None:
        return None
    s = result.scenarios[i]
    offset, clock = _clock(h)
    maps = [c for c in (_carbon_map(h, s, offset, clock), _water_map(h, result, i, offset, clock)) if c is not None]
    if not maps:
        return None
    intro = ("When in the day and the year: each map is the typical day of each month, the hours of the day down "
             "and the months across, each cell the mean of that hour over the month's days. Darker cells are higher.")
    if offset:
        intro += (f" Hours are {clock}, the site's clock without daylight saving (under daylight saving the wall "
                  "clock reads one hour later).")
    return {"intro": intro, "charts": maps}


# --------------------------------------------------------------------------- hourly.csv

_KEY = re.compile(r"^(?P<name>[^\[\]]+?)(?:\s*\[(?P<unit>[^\[\]]*)\])?$")


def _sig6(v: np.ndarray) -> np.ndarray:
    """A column to 6 significant figures of its largest value (the same decimals down the column)."""
    top = float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 0.0
    return v if top == 0 else np.round(v, max(0, 5 - math.floor(math.log10(top))))


def hourly_csv_text(result: Results, i: int = 0) -> str | None:
    """``hourly.csv`` of scenario ``i``: one row per hour of the year (8,760; 8,784 for a leap-year profile) and
    the columns of the kept hours, headed ``name [unit]`` as in ``results.csv``: ``time (UTC)`` (the hour's start,
    ISO 8601), facility power, IT and facility energy, the grid's intensity (scenario's carbon basis) and
    carbon-free share, the site's hourly CFE share, PUE, WUE, on-site and total water, location-based CO2e
    (Scope 1 + Scope 2, location-based); values to 6 significant figures of each column's largest.

    None when the scenario is not an hourly run or its hours were not kept (``compute(..., keep_hours=True)``).
    """
    h = result.hourly_of(i)
    if h is None or h.hours is None:
        return None
    import pandas as pd

    columns: dict[str, Any] = {}
    for key, v in h.hours.items():
        if key == "hour":
            columns["time (UTC)"] = [str(x) for x in v]
            continue
        m = _KEY.match(key)
        name, unit = (m["name"], m["unit"] or "") if m else (key, "")
        columns[metric_column(name, unit.strip())] = _sig6(np.asarray(v, dtype=float))
    return csv_text(pd.DataFrame(columns))


def _named(h: HourlyResult, notes: Any) -> list[str]:
    """The engine's notes with the ids of the run's profiles and weather written as their names: "the typical-year
    weather (memphis-tmy3)" reads "the typical-year weather (Memphis International Airport)"."""
    ids = [(key, _name(kind, key)) for kind, key in (("climate", h.climate), ("profile", h.profile),
                                                    ("profile", h.ppa_profile)) if key]
    out = []
    for note in notes:
        for key, name in ids:
            if name and name != key:
                note = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", name, note)
        out.append(note)
    return out


def hourly_context(result: Results, i: int = 0) -> dict[str, Any]:
    """The "Hour by hour" section: ``show`` is false for an annual run."""
    h = result.hourly_of(i)
    if h is None:
        return {"show": False}
    s = result.scenarios[i]
    rows = [r for r in (_cfe_row(h, s), _pue_row(h, s), _wue_row(h, s), _water_row(h, result, i),
                        _scope2_row(h, result, i), _market_row(h, result, i), _intensity_row(h, result, i))
            if r is not None]
    inputs = []
    profile = _name("profile", h.profile)
    inputs.append(f"the grid's carbon and water intensity from the {profile}"
                  + ("" if "mix" in profile else " (its hourly generation mix)") if h.profile
                  else "a flat grid intensity (no hourly grid profile)")
    cooling = _name("cooling", h.cooling)
    article = "an" if cooling[:1] in "aeiou" else "a"
    inputs.append(f"on-site water from {article} {cooling} model in {_name('climate', h.climate)} typical-year weather"
                  if h.cooling and h.climate else f"on-site water from {article} {cooling} model" if h.cooling
                  else "a flat WUE")
    if h.ppa_profile:
        inputs.append(f"contracted generation shaped as {_name('profile', h.ppa_profile)}")
    intro = ("This scenario is computed hour by hour over the 8,760 hours of a year, with "
             + ", ".join(inputs[:-1]) + (" and " if len(inputs) > 1 else "") + inputs[-1]
             + ", and a flat load. The brief's figures are sums (or means) of the hours; the table sets what only an "
               "hourly run shows beside the annual view.")
    return {"show": True, "intro": intro, "rows": rows, "chart": monthly_chart(h), "notes": _named(h, h.notes),
            "heatmaps": heatmaps(result, i),
            "csv": {"href": HOURLY_CSV, "rows": f"{len(h.hours['hour']):,}"} if h.hours is not None else None}
