"""Hourly runs (``resolution: hourly``): the stage chain over the 8,760 hours of a year, vectorised.

A scenario with ``resolution: hourly`` becomes 8,760 rows of one batch (hours x scenarios, chunked to
:data:`pipeline.montecarlo.MAX_CELLS` rows), each hour standing for ``period / 8,760`` of the period (a
period of 8,760 h makes each row one hour; ``1 year`` = 8,766 h stretches them by 0.07 %).  Inputs that vary
by hour:

* **grid carbon and water intensity** from an hourly generation-mix profile (``supply.hourly``):
  ``sum_i share_{h,i} x factor_i`` with the technology factors of ``technologies.csv`` on the scenario's
  carbon basis (``co2e_intensity_direct`` or ``co2e_intensity``) and ``water_consumption``; the
  market-based factor of uncovered grid energy follows the hourly intensity where it is the grid average;
* **on-site WUE** from the site's weather through a cooling model (``cooling: {type, climate}``);
* the load is flat (the scenario's utilization every hour), PUE the scenario's.

The scenario's metrics are then the sums over hours of energies, water, CO2e, pollutants and damages, the
time means of powers and per-day rates, the maxima of peaks (:func:`pipeline.timeline.aggregation`), so an
hourly run with flat profiles equals the annual run.  :class:`~pipeline.results.HourlyResult` adds the
24/7 carbon-free-energy share (:func:`pipeline.stages.cfe.cfe_energy`), effective PUE and WUE, the worst
day's water, the hourly grid intensity's range and monthly sums.

Without draws an hourly run takes ranged inputs at their central values.  With draws (``compute(...,
draws=N)``; ``compute`` draws nothing by default when every scenario is hourly), scenarios with ranged inputs
get P5/P50/P95 from a Monte Carlo over hours x draws (:func:`percentiles`): a draw is one possible world, its
inputs held for the whole year and run over all 8,760 hours, in chunks of at most
:data:`pipeline.montecarlo.MAX_CELLS` rows so that memory stays bounded.  The draws are the annual Monte
Carlo's (same seed, same streams); drawn technology factors of a generation mix move each hour's intensity by
that hour's shares.  The hourly-only metrics (CFE shares, effective PUE and WUE, the worst day's water ...)
get their P5/P95 from the same draws; monthly sums and kept hours stay at the central values.  Cost: one
scenario's 1,000 draws are 8.76 million rows of the chain, about 5 s of one core and ~1 GB at the peak
whatever the number of draws (``bench/RESULTS.md``).
"""

from __future__ import annotations

from dataclasses import fields, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pint

from pipeline import profiles
from pipeline import reference as ref
from pipeline.chain import compute_arrays
from pipeline.errors import did_you_mean
from pipeline.inputs import GroupArrays, InputTable, ProblemTable, ScenarioArrays, take_arrays
from pipeline.metrics import HOURLY_METRIC_BY_NAME, METRIC_BY_NAME
from pipeline.montecarlo import MAX_CELLS, P_HIGH, P_LOW, draw_chunks, draw_source, drawn_scenarios
from pipeline.resolve import BASIS_PARAMETER, Resolution
from pipeline.results import HourlyResult, Results
from pipeline.stages import cfe, cooling
from pipeline.timeline import aggregation
from pipeline.units import Q_

__all__ = ["apply", "check", "hourly_mask", "percentiles", "run", "uncertain_rows", "wue_hours"]

Metrics = dict[str, pint.Quantity]

H = profiles.HOURS
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: First hour of each month in a non-leap year (UTC).
MONTH_STARTS = np.concatenate([[0], np.cumsum(_DAYS)[:-1]]) * 24
#: Cooling models that need a climate (the dry cooler evaporates nothing whatever the weather).
_WEATHER_DRIVEN = ("evaporative-tower", "adiabatic")


def _obj(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    s = frame[col]
    return s.astype(object).where(s.notna(), None)


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    return frame[col].to_numpy(dtype=float, na_value=np.nan) if col in frame else np.full(len(frame), np.nan)


def hourly_mask(table: InputTable) -> np.ndarray:
    """Where a cluster asks for an hourly run."""
    return (_obj(table.clusters, "resolution") == "hourly").to_numpy(dtype=bool)


def check(table: InputTable, p: ProblemTable, batch: bool = False, timed: np.ndarray | None = None) -> None:
    """The rules of the hourly fields, column-wise: known ids (with "did you mean"), hourly-only fields on an
    annual run, a climate for a weather-driven cooling model, no profile beside an explicit grid intensity."""
    c = table.clusters
    known: dict[str, np.ndarray] = {}
    for path, valid, what in (("resolution", list(profiles.RESOLUTIONS), "resolution"),
                              ("supply.hourly", profiles.profile_ids(), "hourly grid profile"),
                              ("supply.ppa.profile", profiles.shape_ids(), "generation shape"),
                              ("cooling.type", profiles.cooling_types(), "cooling type"),
                              ("cooling.climate", profiles.climate_ids(), "climate")):
        v = _obj(c, path)
        present = v.notna().to_numpy()
        ok = v.isin(valid).to_numpy() & present
        bad = present & ~ok & ~p.has(path)
        if bad.any():
            msgs = {x: did_you_mean(what, str(x), valid) + f" (got {x!r})" for x in pd.unique(v[bad])}
            p.add(bad, path, v.map(msgs).to_numpy(dtype=object), allowed=", ".join(valid))
        known[path] = ok
    hourly = hourly_mask(table)
    if batch:
        p.add(hourly, "resolution", "hourly runs are computed from scenario files (clusterprint compute); batch "
              "datasets run annual (got 'hourly')", allowed="annual")
    if timed is not None:
        p.add(hourly & timed, "resolution", "an hourly run cannot have a timeline yet: give either timeline: or "
              "resolution: hourly (got 'hourly')", allowed="annual")
    for path in ("supply.hourly", "supply.ppa.profile", "cooling.type", "cooling.climate"):
        p.add(known[path] & ~hourly, path, "applies to hourly runs only; add resolution: hourly",
              allowed="resolution: hourly")
    kind = _obj(c, "cooling.type")
    needs = kind.isin(list(_WEATHER_DRIVEN)).to_numpy() & hourly
    p.add(needs & _obj(c, "cooling.climate").isna().to_numpy(), "cooling.climate", lambda pos: [
        f"required for cooling type {kind.iloc[k]!r} (its WUE follows the weather)" for k in pos],
        allowed=", ".join(profiles.climate_ids()))
    p.add(known["cooling.climate"] & kind.isna().to_numpy() & hourly, "cooling.type",
          "missing required field when cooling.climate is given", allowed=", ".join(profiles.cooling_types()))
    for other in ("supply.grid_intensity", "supply.grid_water_intensity"):
        both = known["supply.hourly"] & ~np.isnan(_num(c, other))
        p.add(both, "supply.hourly", f"give either supply.hourly (the grid's hourly mix) or {other}, not both")
    no_ppa = known["supply.ppa.profile"] & ~(np.nan_to_num(_num(c, "supply.ppa.share")) > 0)
    p.add(no_ppa, "supply.ppa.profile", "needs supply.ppa.share > 0 (the share of grid energy the contract matches "
          "over the year)")


# --------------------------------------------------------------------------- hourly inputs (cached per id)


@cache
def _technology_factors(techs: tuple[str, ...], parameter: str, unit: str) -> pint.Quantity:
    values = [ref.factors("technologies", "technology", t)[parameter].quantity.m_as(unit) for t in techs]
    return Q_(np.asarray(values, dtype=float), unit)


@cache
def profile_intensity(pid: str, parameter: str) -> np.ndarray:
    """Hourly intensity of a grid profile for a technology parameter (``co2e_intensity_direct`` or
    ``co2e_intensity`` in g CO2e/kWh, ``water_consumption`` in L/kWh)."""
    shares = profiles.grid_profile(pid)
    unit = "L/kWh" if parameter == "water_consumption" else "g CO2e/kWh"
    factors = _technology_factors(tuple(shares.columns), parameter, unit)
    return np.asarray(cfe.hourly_intensity(Q_(shares.to_numpy(), ""), factors).m_as(unit))


@cache
def profile_cfe(pid: str) -> np.ndarray:
    """Hourly carbon-free share of a grid profile (technologies of :data:`pipeline.profiles.CARBON_FREE`)."""
    shares = profiles.grid_profile(pid)
    return shares[[t for t in shares.columns if t in profiles.CARBON_FREE]].to_numpy().sum(axis=1)


@cache
def wue_hours(kind: str, cid: str | None) -> np.ndarray:
    """Hourly on-site WUE [L/kWh] of a cooling model in a climate (8,760 UTC hours)."""
    params = profiles.cooling_parameters(kind)
    if kind == "dry":
        return np.full(H, params["wue"])
    assert cid is not None
    w = profiles.climate(cid)
    tower = profiles.cooling_parameters("evaporative-tower")
    coeffs = (tower["wue_a3"], tower["wue_a2"], tower["wue_a1"], tower["wue_a0"])
    wet = Q_(w["wet_bulb_c"].to_numpy(dtype=float), "degC")
    if kind == "evaporative-tower":
        q = cooling.wue_evaporative_tower(wet, coeffs, Q_(tower["wue_floor"], "L/kWh"))
    else:
        q = cooling.wue_adiabatic(Q_(w["dry_bulb_c"].to_numpy(dtype=float), "degC"), wet,
                                  Q_(params["switch_dry_bulb"], "degC"), coeffs, Q_(params["wue_floor"], "L/kWh"),
                                  Q_(tower["wue_floor"], "L/kWh"))
    return np.asarray(q.m_as("L/kWh"))


def _text(frame: pd.DataFrame, path: str, rows: np.ndarray) -> list[str | None]:
    """The text values of column ``path`` at ``rows`` (None where missing), read as one array."""
    if path not in frame:
        return [None] * len(rows)
    return [v if isinstance(v, str) else None for v in frame[path].to_numpy(dtype=object)[rows]]


def _settings(res: Resolution, rows: np.ndarray) -> list[dict[str, Any]]:
    """The hourly inputs of scenarios ``rows``: profile, climate and cooling ids, PPA shape, carbon basis, and
    whether the market-based factor is the grid average (read column by column, not row by row)."""
    c = res.table.clusters
    basis = ([b if b in BASIS_PARAMETER else None for b in np.asarray(res.basis, dtype=object)[rows]]
             if res.basis is not None else [None] * len(rows))
    origin = res.origin.get("residual_intensity", np.array([]))
    average = (np.asarray(origin)[rows] == "grid-average") if len(origin) else np.zeros(len(rows), dtype=bool)
    return [{"profile": p, "climate": cl, "cooling": co, "ppa_profile": pp, "basis": b, "grid_average": bool(a)}
            for p, cl, co, pp, b, a in zip(_text(c, "supply.hourly", rows), _text(c, "cooling.climate", rows),
                                           _text(c, "cooling.type", rows), _text(c, "supply.ppa.profile", rows),
                                           basis, average, strict=True)]


#: The scenario inputs that an hourly run gives hour by hour, and the unit they are handled in.
_BY_HOUR = {"wue": "L/kWh", "grid_intensity": "g CO2e/kWh", "grid_water_intensity": "L/kWh",
            "residual_intensity": "g CO2e/kWh"}


# --------------------------------------------------------------------------- the run


def run(res: Resolution, rows: np.ndarray, keep_hours: bool = False, max_cells: int = MAX_CELLS
        ) -> tuple[dict[str, pint.Quantity], list[HourlyResult]]:
    """Scenarios ``rows`` of a resolved table, hour by hour, at the central value of ranged inputs.

    Returns (metric -> one value per row in the metric's output unit, the hourly results of each row).
    """
    rows = np.asarray(rows, dtype=np.intp)
    per = max(1, max_cells // H)
    settings = _settings(res, rows)
    totals: dict[str, list[np.ndarray]] = {}
    infos: list[HourlyResult] = []
    for start in range(0, len(rows), per):
        ch, chunk_settings = rows[start:start + per], settings[start:start + per]
        sa, ga = take_arrays(res.sa, res.ga, ch)
        part, hours, inputs, cfe_grid = _year(sa, ga, chunk_settings)
        for name, v in part.items():
            totals.setdefault(name, []).append(v)
        with np.errstate(invalid="ignore", divide="ignore"):
            metrics, clean = _hourly_metrics(sa, chunk_settings, hours, inputs, cfe_grid)
            infos += _hourly_results(chunk_settings, metrics, hours, inputs, cfe_grid, clean, keep_hours)
        del sa, ga, part, hours, inputs, cfe_grid, metrics, clean  # free this chunk before building the next
    return {name: Q_(v[0] if len(v) == 1 else np.concatenate(v), METRIC_BY_NAME[name].unit)
            for name, v in totals.items()}, infos


def _year(sa: ScenarioArrays, ga: GroupArrays, settings: list[dict[str, Any]],
          shifts: dict[str, dict[str, np.ndarray]] | None = None
          ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """Scenarios ``sa``, ``ga`` (``settings`` alike) over the 8,760 hours of a year, through the stage chain.

    ``shifts`` (drawn worlds): technology parameter -> technology -> how far each scenario's draw moves that
    technology's factor from its median (in the profile's unit); an hourly grid profile's intensities are then
    those of the drawn factors, ``sum_i share_{h,i} x (factor_i + shift_i)``.  A market-based factor that is the
    grid average stays at the median factors, as in the annual draws (where it keeps the central grid average).

    Returns (metric -> its total over the hours per scenario, metric -> scenarios x hours, both in the metric's
    output unit; the inputs given by hour as scenarios x hours in :data:`_BY_HOUR` units; the grid's hourly
    carbon-free share, NaN without a profile).
    """
    k = len(settings)
    flat = {name: _magnitude(getattr(sa, name), unit) for name, unit in _BY_HOUR.items()}
    hourly = {name: np.repeat(v[:, None], H, axis=1) for name, v in flat.items()}
    cfe_grid = np.full((k, H), np.nan)
    uses_grid = _magnitude(sa.onsite_share, "") < 1
    for j, s in enumerate(settings):
        if s["cooling"]:
            hourly["wue"][j] = wue_hours(s["cooling"], s["climate"])
        if s["profile"] and flat["grid_intensity"][j] == flat["grid_intensity"][j]:
            parameter = BASIS_PARAMETER[s["basis"] or "lifecycle"]
            for name, param in (("grid_intensity", parameter), ("grid_water_intensity", "water_consumption")):
                v = profile_intensity(s["profile"], param)
                if shifts and shifts.get(param):
                    v = v + _profile_shift(s["profile"], param, shifts[param], j)
                hourly[name][j] = v * uses_grid[j]
            if s["grid_average"]:  # the market-based factor is the hour's grid average, drawn factors included
                hourly["residual_intensity"][j] = hourly["grid_intensity"][j]
            cfe_grid[j] = profile_cfe(s["profile"])
    period = np.repeat(_magnitude(sa.period, "h") / H, H)
    sa_h, ga_h = _hours_of(sa, ga, period=Q_(period, "h"),
                           **{name: Q_(v.ravel(), _BY_HOUR[name]) for name, v in hourly.items()})
    metrics, _ = compute_arrays(sa_h, ga_h)
    totals: dict[str, np.ndarray] = {}
    hours: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, q in metrics.items():
            units = q.units
            m = np.asarray(q.magnitude if units == _unit(METRIC_BY_NAME[name].unit)
                           else q.m_as(METRIC_BY_NAME[name].unit), dtype=float).reshape(k, H)
            how = _how(name, units)
            totals[name] = (np.sum(m, axis=1) if how == "sum" else np.mean(m, axis=1) if how == "mean"
                            else np.max(m, axis=1) if how == "max" else np.full(k, np.nan))
            hours[name] = m
    return totals, hours, hourly, cfe_grid


def _profile_shift(pid: str, parameter: str, by_tech: dict[str, np.ndarray], j: int) -> np.ndarray:
    """How much scenario ``j``'s drawn technology factors move a profile's hourly intensity:
    ``sum_i share_{h,i} x shift_i`` (technologies the profile does not have contribute nothing)."""
    techs, shares = _profile_shares(pid)
    shift = np.array([by_tech[t][j] if t in by_tech else 0.0 for t in techs])
    unit = "L/kWh" if parameter == "water_consumption" else "g CO2e/kWh"
    return np.asarray(cfe.hourly_intensity(Q_(shares, ""), Q_(shift, unit)).m_as(unit))


@cache
def _profile_shares(pid: str) -> tuple[tuple[str, ...], np.ndarray]:
    shares = profiles.grid_profile(pid)
    return tuple(shares.columns), shares.to_numpy()


@cache
def _how(name: str, units: pint.Unit) -> str | None:
    """How a metric folds over the hours (:func:`pipeline.timeline.aggregation`), once per metric and unit."""
    return aggregation(name, Q_(1.0, units))


def _hours_of(sa: ScenarioArrays, ga: GroupArrays, **hourly: pint.Quantity) -> tuple[ScenarioArrays, GroupArrays]:
    """Scenarios ``sa`` (with their groups ``ga``) as ``len(sa) x 8,760`` rows (scenario-major), the inputs in
    ``hourly`` given hour by hour.

    What :func:`pipeline.inputs.take_arrays` gives for ``np.repeat(arange(len(sa)), 8760)``, built by repeating
    each scenario's values (``np.repeat``: a third of the time of indexing with an 8,760-fold index) and not at all
    for the fields given in ``hourly``; each group's accelerator-hours are spread evenly over the hours.
    """
    rows = {f.name: hourly[f.name] if f.name in hourly else _repeat(getattr(sa, f.name))
            for f in fields(ScenarioArrays)}
    groups = {f.name: _repeat(getattr(ga, f.name)) for f in fields(GroupArrays)
              if f.name not in ("scenario", "accelerator_hours")}
    groups["accelerator_hours"] = _repeat(ga.accelerator_hours, spread=True)
    scenario = (ga.scenario[:, None] * H + np.arange(H)).ravel().astype(np.intp)  # group g, hour h -> row s*H + h
    return ScenarioArrays(**rows), GroupArrays(scenario=scenario, **groups)


def _repeat(q: pint.Quantity, spread: bool = False) -> pint.Quantity:
    """Each element of ``q`` over the hours (with ``spread``, an amount spread evenly over them)."""
    return Q_(np.repeat(q.magnitude / H if spread else q.magnitude, H), q.units)


@cache
def _unit(text: str) -> Any:
    return Q_(1.0, text).units


def _magnitude(q: pint.Quantity, unit: str) -> np.ndarray:
    """``q`` in ``unit`` as a bare array, without a copy when it is in that unit already."""
    return np.asarray(q.magnitude if q.units == _unit(unit) else q.m_as(unit), dtype=float)


def _hourly_metrics(sa: ScenarioArrays, settings: list[dict[str, Any]], hours: dict[str, np.ndarray],
                    inputs: dict[str, np.ndarray], cfe_grid: np.ndarray) -> tuple[dict[str, pint.Quantity], np.ndarray]:
    """The metrics only an hourly run has (:data:`pipeline.metrics.HOURLY_METRICS`), one value per scenario of
    ``sa``, from its hours (scenarios x hours, from :func:`_year`); and the carbon-free energy of each hour."""
    it, fac, grid, ppa = (hours[n] for n in ("it_energy", "energy", "grid_energy", "ppa_energy"))
    w_on = hours["water_onsite"]
    dt = _magnitude(sa.period, "h") / H  # hours each row stands for
    grid_year = grid.sum(axis=1)
    shaped = [j for j, s in enumerate(settings) if s["ppa_profile"]]
    if shaped:
        ppa = ppa.copy()
        share = _magnitude(sa.ppa_share, "")
        shapes = np.stack([profiles.shape(settings[j]["ppa_profile"]) for j in shaped])
        ppa[shaped] = (share[shaped] * grid_year[shaped])[:, None] * shapes
    clean = np.asarray(cfe.cfe_energy(Q_(grid, "MWh"), Q_(ppa, "MWh"), Q_(cfe_grid, "")).m_as("MWh"))
    ppa_year = np.minimum(ppa.sum(axis=1), grid_year)
    fac_year, it_year = fac.sum(axis=1), it.sum(axis=1)
    cfe_mean = cfe_grid.mean(axis=1)
    gi = inputs["grid_intensity"]
    daily = w_on.reshape(len(settings), 365, 24).sum(axis=2) / dt[:, None]  # m3 per day (24 rows of dt hours each)
    return {
        "cfe_share": Q_(clean.sum(axis=1) / fac_year, ""),
        "cfe_share_annual": Q_((ppa_year + cfe_mean * (grid_year - ppa_year)) / fac_year, ""),
        "pue_effective": Q_(fac_year / it_year, ""),
        "wue_effective": Q_(w_on.sum(axis=1) / it_year, "m**3/MWh"),
        "water_onsite_peak_day": Q_(daily.max(axis=1), "m**3/day"),
        "grid_intensity_min": Q_(gi.min(axis=1), "g CO2e/kWh"),
        "grid_intensity_mean": Q_(gi.mean(axis=1), "g CO2e/kWh"),
        "grid_intensity_max": Q_(gi.max(axis=1), "g CO2e/kWh"),
        "grid_cfe_share_mean": Q_(cfe_mean, ""),
        "co2e_scope2_location_based_annual": (Q_(grid_year, "MWh") * sa.grid_intensity).to("t CO2e"),
    }, clean


@cache
def _monthly_wet_bulb(cid: str) -> np.ndarray:
    return np.add.reduceat(profiles.climate(cid)["wet_bulb_c"].to_numpy(), MONTH_STARTS) / (np.asarray(_DAYS) * 24)


@cache
def _hour_labels(year: int) -> np.ndarray:
    return pd.date_range(f"{year}-01-01", periods=H, freq="h").strftime("%Y-%m-%dT%H:00Z").to_numpy()


def _hourly_results(settings: list[dict[str, Any]], metrics: dict[str, pint.Quantity], hours: dict[str, np.ndarray],
                    inputs: dict[str, np.ndarray], cfe_grid: np.ndarray, clean: np.ndarray, keep_hours: bool
                    ) -> list[HourlyResult]:
    """The hourly results of a chunk of scenarios: their hourly metrics, monthly sums (and hours), computed on
    (scenarios x hours)."""
    it, fac, grid = (hours[n] for n in ("it_energy", "energy", "grid_energy"))
    w_on, w_tot, co2 = hours["water_onsite"], hours["water_total"], hours["co2e_location_based"]
    gi = inputs["grid_intensity"]

    def month(v: np.ndarray) -> np.ndarray:
        return np.add.reduceat(v, MONTH_STARTS, axis=1)

    hours_in_month = np.asarray(_DAYS) * 24
    monthly = {"energy [MWh]": month(fac), "it_energy [MWh]": month(it), "grid_energy [MWh]": month(grid),
               "water_onsite [m ** 3]": month(w_on), "water_total [m ** 3]": month(w_tot),
               "co2e_location_based [t CO2e]": month(co2), "cfe_energy [MWh]": month(clean)}
    monthly["cfe_share"] = monthly["cfe_energy [MWh]"] / monthly["energy [MWh]"]
    monthly["wue [L/kWh]"] = monthly["water_onsite [m ** 3]"] / monthly["it_energy [MWh]"]
    monthly["grid_intensity [g CO2e/kWh]"] = month(gi) / hours_in_month
    out = []
    for j, s in enumerate(settings):
        notes = [_CENTRAL_NOTE]
        if s["climate"] and s["profile"]:
            notes.append(f"the typical-year weather ({s['climate']}) is paired with the "
                         f"{profiles.year_of(s['profile'])} grid hours by UTC month, day and hour")
        if not s["profile"]:
            notes.append("no hourly grid profile (supply.hourly): the grid intensity is flat and the CFE shares are "
                         "not reported")
        wet = _monthly_wet_bulb(s["climate"]) if s["climate"] else np.full(12, np.nan)
        kept = None
        if keep_hours:
            year = profiles.year_of(s["profile"]) if s["profile"] else 2023
            kept = {"hour": _hour_labels(year),
                    "facility_power [MW]": hours["facility_power"][j], "it_energy [MWh]": it[j], "energy [MWh]": fac[j],
                    "grid_intensity [g CO2e/kWh]": gi[j], "grid_cfe_share": cfe_grid[j],
                    "cfe_share": clean[j] / fac[j], "pue": fac[j] / it[j], "wue [L/kWh]": inputs["wue"][j],
                    "water_onsite [m ** 3]": w_on[j], "water_total [m ** 3]": w_tot[j],
                    "co2e_location_based [t CO2e]": co2[j]}
        out.append(HourlyResult(s["profile"], s["climate"], s["cooling"], s["ppa_profile"],
                                {name: q[j] for name, q in metrics.items()},
                                {**{name: v[j] for name, v in monthly.items()}, "wet_bulb [degC]": wet}, kept,
                                tuple(notes)))
    return out


# --------------------------------------------------------------------------- Monte Carlo over the hours

#: The note of an hourly run without draws.
_CENTRAL_NOTE = ("no draws over the hours: ranged inputs are taken at their central values (--draws N, or "
                 "compute(..., draws=N), gives P5-P95 from N draws of the whole year)")


def uncertain_rows(res: Resolution, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` have an uncertain input (a :class:`~pipeline.inputs.Component` of theirs or of their
    groups): only those are drawn; the others' draws would all be the central run."""
    owns = np.zeros(len(res.sa), dtype=bool)
    for comp in res.components:
        owns[res.ga.scenario[comp.index] if comp.group else comp.index] = True
    return owns[np.asarray(rows, dtype=np.intp)]


def percentiles(res: Resolution, rows: np.ndarray, draws: int, seed: int, max_cells: int = MAX_CELLS
                ) -> tuple[tuple[Metrics, Metrics, Metrics], tuple[Metrics, Metrics, Metrics]]:
    """P5, P50 and P95 of scenarios ``rows`` over ``draws`` seeded draws, each draw run over the 8,760 hours.

    A draw is one possible world: every ranged input takes one value for the whole year (the draws of
    :func:`pipeline.montecarlo.percentiles`, same seed, same streams: an hourly run with flat profiles has the
    annual run's percentiles), and the year's hours then vary only through the profiles.  Hours x draws x
    scenarios are evaluated in chunks of at most ``max_cells`` rows (:func:`pipeline.montecarlo.draw_chunks`:
    ``max_cells // 8,760`` scenario-years a chunk, 114 at the default), so memory is bounded whatever the draws;
    what is kept between chunks is one value per metric per draw of the scenarios being drawn.

    Returns ((P5, P50, P95) of the metrics in their output units, (P5, P50, P95) of the hourly-only metrics of
    :data:`pipeline.metrics.HOURLY_METRICS`), one element per row.
    """
    rows = np.asarray(rows, dtype=np.intp)
    drawn = draw_source(res.components, seed, draws)
    settings = _settings(res, rows)
    found: list[dict[str, list[np.ndarray]]] = [{}, {}, {}]
    buffer: dict[str, np.ndarray] = {}
    for pos, first, end in draw_chunks(len(rows), draws, H, max_cells):
        k = end - first
        sa, ga = drawn_scenarios(res.sa, res.ga, rows[pos], first, end, res.components, drawn)
        chunk_settings = [settings[p] for p in pos for _ in range(k)]  # scenario-major, as drawn_scenarios
        shifts = _technology_shifts(res, rows[pos], first, end, drawn)
        totals, hours, inputs, cfe_grid = _year(sa, ga, chunk_settings, shifts)
        with np.errstate(invalid="ignore", divide="ignore"):
            extra, _ = _hourly_metrics(sa, chunk_settings, hours, inputs, cfe_grid)
        values = {**totals, **{_HOURLY_KEY + name: _magnitude(q, HOURLY_METRIC_BY_NAME[name].unit)
                               for name, q in extra.items()}}
        if first == 0:
            buffer = {name: np.empty((len(pos), draws)) for name in values}
        for name, v in values.items():
            buffer[name][:, first:end] = v.reshape(len(pos), k)
        if end == draws:  # these scenarios have all their draws
            for name, m in buffer.items():
                with np.errstate(invalid="ignore"):
                    p = np.percentile(m, [P_LOW, 50.0, P_HIGH], axis=1)
                for j in range(3):
                    found[j].setdefault(name, []).append(p[j])
        del sa, ga, totals, hours, inputs, cfe_grid, extra, values  # free this chunk before building the next
    out = [{name: Q_(np.concatenate(v), METRIC_BY_NAME[name].unit) for name, v in f.items() if name in METRIC_BY_NAME}
           for f in found]
    extra_out = [{name[len(_HOURLY_KEY):]: Q_(np.concatenate(v), HOURLY_METRIC_BY_NAME[name[len(_HOURLY_KEY):]].unit)
                  for name, v in f.items() if name.startswith(_HOURLY_KEY)} for f in found]
    return (out[0], out[1], out[2]), (extra_out[0], extra_out[1], extra_out[2])


def _technology_shifts(res: Resolution, rows: np.ndarray, first: int, end: int, drawn: Any
                       ) -> dict[str, dict[str, np.ndarray]]:
    """For draws ``first`` .. ``end - 1`` of scenarios ``rows`` (scenario-major, as
    :func:`pipeline.montecarlo.drawn_scenarios` lays them): technology parameter -> technology -> each drawn
    world's factor minus its median, in the unit of the hourly profiles (:func:`profile_intensity`).

    These are the draws of the ``technology.<id>.<parameter>`` inputs (a generation mix's published ranges),
    which move the annual mix intensity by share x (draw - median); over the hours they move each hour's
    intensity by that hour's share instead.
    """
    k = end - first
    slot = np.full(len(res.sa), -1, dtype=np.intp)
    slot[rows] = np.arange(len(rows))
    out: dict[str, dict[str, np.ndarray]] = {}
    for comp in res.components:
        if comp.group or comp.how != "add" or comp.target not in ("grid_intensity", "grid_water_intensity"):
            continue
        sel = np.flatnonzero(slot[comp.index] >= 0)
        if not len(sel):
            continue
        unit = "L/kWh" if comp.target == "grid_water_intensity" else "g CO2e/kWh"
        delta = Q_(drawn(comp, sel, k)[:, first:end] - comp.mode[sel][:, None], comp.unit).m_as(unit)
        for e, name in enumerate(comp.name[sel]):
            kind, tech, parameter = (str(name).split(".") + ["", ""])[:3]
            if kind != "technology":
                continue
            col = out.setdefault(parameter, {}).setdefault(tech, np.zeros(len(rows) * k))
            at = slot[comp.index[sel[e]]] * k
            col[at:at + k] += np.nan_to_num(delta[e])
    return out


_HOURLY_KEY = "hourly:"  # prefix of the hourly-only metrics among the drawn values (names could coincide)


def apply(results: Results, res: Resolution, mask: np.ndarray, keep_hours: bool = False,
          scenario_of: np.ndarray | None = None, draws: int | None = None) -> Results:
    """``results`` with the scenarios in ``mask`` computed hour by hour, and ``Results.hourly`` holding the rest.

    ``mask`` is over the rows of ``res.table``; ``scenario_of[k]`` is the scenario of ``results`` that row ``k``
    became (:attr:`pipeline.timeline.Plan.scenario` when a timeline in the same batch folded several rows into
    one scenario; default: row ``k`` is scenario ``k``).  Hourly rows are never timeline phases.  ``draws``
    (default ``results.draws``) is the number of draws over the hours: :func:`pipeline.api.compute` asks for none
    unless told, since each draw is a year of hours (1,000 draws of one scenario: seconds and ~1 GB).

    Without draws (``results.draws == 0``) their metrics (value, P5, P95 and central alike) are the hourly
    totals at the central values of ranged inputs.  With draws, each scenario with an uncertain input is drawn
    over the hours (:func:`percentiles`, ``results.draws`` draws seeded by ``results.seed``): the value is the
    P50, ``low``/``high`` the P5/P95, ``central`` the central run, and its hourly-only metrics get P5/P95 too;
    the monthly sums (and kept hours) stay at the central values.  One-at-a-time sensitivities (``swings``) are
    not computed over the hours: they are left empty for hourly scenarios.
    """
    rows = np.flatnonzero(mask)
    target = rows if scenario_of is None else np.asarray(scenario_of)[rows]  # each row's scenario in ``results``
    totals, infos = run(res, rows, keep_hours)
    value, low, high = totals, totals, totals
    draws = results.draws if draws is None else draws
    drawn = rows[uncertain_rows(res, rows)] if draws > 0 else rows[:0]
    if len(drawn):
        (lo, mid, hi), (h_lo, h_mid, h_hi) = percentiles(res, drawn, draws, results.seed)
        at = np.searchsorted(rows, drawn)
        value, low, high = (_replaced(totals, at, q) for q in (mid, lo, hi))
        note = (f"P5, P50 and P95 over {draws:,} draws (seed {results.seed}): each draw holds every ranged "
                "input at one value for the whole year; the monthly sums and hours are at the central values")
        for j, a in enumerate(at):
            h = infos[a]
            infos[a] = replace(h, metrics={n: q[j] for n, q in h_mid.items()}, low={n: q[j] for n, q in h_lo.items()},
                               high={n: q[j] for n, q in h_hi.items()},
                               notes=tuple(note if x == _CENTRAL_NOTE else x for x in h.notes))
    elif draws > 0:
        for a in range(len(infos)):
            infos[a] = replace(infos[a], notes=tuple(
                "no uncertain input: every draw is the central run" if x == _CENTRAL_NOTE else x
                for x in infos[a].notes))

    def merged(metrics: Metrics, hourly_values: Metrics) -> Metrics:
        out = {}
        for name, q in metrics.items():
            unit = METRIC_BY_NAME[name].unit
            v = np.array(q.m_as(unit), dtype=float)
            v[target] = hourly_values[name].m_as(unit)
            out[name] = Q_(v, unit)
        return out

    hourly: list[HourlyResult | None] = [None] * len(results)
    swings = list(results.swings)
    uncertain = list(results.uncertain)
    ranged = set(drawn.tolist())
    for j, (k, i) in enumerate(zip(rows, target, strict=True)):
        hourly[i] = infos[j]
        swings[i] = {}
        if k not in ranged:  # no draws over the hours: no range to attribute
            uncertain[i] = []
    return replace(results, metrics=merged(results.metrics, value), low=merged(results.low, low),
                   high=merged(results.high, high), central=merged(results.central, totals), hourly=hourly,
                   swings=swings, uncertain=uncertain)


def _replaced(totals: Metrics, at: np.ndarray, drawn: Metrics) -> Metrics:
    """``totals`` with the elements at ``at`` taken from ``drawn`` (same metrics, same units)."""
    out = {}
    for name, q in totals.items():
        v = np.array(q.magnitude, dtype=float)
        v[at] = drawn[name].m_as(q.units)
        out[name] = Q_(v, q.units)
    return out
