"""Resolution, column-wise: user inputs plus reference data -> stage arrays, uncertainty, provenance.

One path for every input: a YAML scenario is an :class:`~pipeline.inputs.InputTable` of one
cluster, a batch dataset a table of many.  :func:`resolve` applies the rules that involve several
fields or the reference data (unknown ids with "did you mean", count or accelerator-hours, idle <=
full power, a grid or its overrides, ...), picks each input from the user or the reference data
(:func:`_choose`: value, origin, published range), and records a problem wherever a needed factor
is missing: never a silent fallback.  :func:`assumptions` turns one cluster's origins into the
cited factors a report prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pint

from pipeline import fields as fl
from pipeline import reference as ref
from pipeline.distributions import KINDS, TRIANGULAR, TWO_PIECE, UNIFORM, Dist, UncertainInput
from pipeline.errors import did_you_mean
from pipeline.inputs import POLLUTANTS, Component, GroupArrays, InputTable, ProblemTable, ScenarioArrays
from pipeline.stages.mix import mix_intensity
from pipeline.units import Q_

__all__ = ["Resolution", "assumptions", "mix_factor", "resolve", "uncertain_inputs"]

#: Default GWP metric when a scenario names none (IPCC AR5, as EPA's GHG inventory uses).
DEFAULT_GWP_METRIC = "AR5GWP100"
#: Stage-array targets of ranged user inputs: field path -> (array field, group level).
RANGE_TARGETS: dict[str, tuple[str, bool]] = {
    "utilization": ("utilization", False), "period": ("period", False), "pue": ("pue", False),
    "wue": ("wue", False), "cooling_cycles": ("cooling_cycles", False), "lifetime": ("lifetime", False), "supply.grid_intensity": ("grid_intensity", False),
    "supply.grid_water_intensity": ("grid_water_intensity", False), "supply.onsite.share": ("onsite_share", False),
    "supply.ppa.share": ("ppa_share", False), "supply.ppa.intensity": ("ppa_intensity", False),
    "count": ("count", True), "accelerator_hours": ("accelerator_hours", True), "power": ("full_power", True),
    "idle_power": ("idle_power", True), "host_power": ("host_power", True), "embodied": ("embodied", True),
}
_ACCELERATOR = (("tdp", "W"), ("idle_power", "W"), ("host_power", "W"), ("embodied", "kg CO2e"),
                ("host_power_nameplate", "W"))
_GRID = (("co2e_intensity", "g CO2e/kWh"), ("water_intensity", "L/kWh"))
_TECH = (("co2e_intensity", "g CO2e/kWh"), ("water_consumption", "L/kWh"), ("co2e_intensity_direct", "g CO2e/kWh"))
#: Carbon bases: the technology parameter that gives a mix's intensity on each basis, and the grids.csv ``basis``
#: values that count as each (a utility's system rate is a stack rate, so direct).
BASIS_PARAMETER = {"direct": "co2e_intensity_direct", "lifecycle": "co2e_intensity"}
_BASIS_OF = {"direct-generation": "direct", "system-rate": "direct", "lifecycle": "lifecycle"}
#: Whether hydropower's reservoir evaporation counts as water consumed by electricity (Macknick et al. 2012 and
#: Li et al. 2023 count it: ``allocated``, the default) or is left to the reservoir's other uses (``excluded``).
HYDRO_EVAPORATION = fl.HYDRO_RULES
_ONSITE = (("heat_rate", "Btu/kWh"), ("water_consumption", "L/kWh"))
_FUEL = (("co2_per_heat", "kg CO2e/MMBtu"), ("ch4_per_heat", "g/MMBtu"), ("n2o_per_heat", "g/MMBtu"),
         ("upstream_ch4_per_heat", "kg/MMBtu"))
_COMBUSTION = tuple((f"{k}_per_heat", "g/MMBtu") for k in POLLUTANTS)
_GRID_AIR = (("nox_rate", "g/kWh"), ("so2_rate", "g/kWh"))
#: Health-damage factors (health.csv): per tonne of the PM2.5 precursors, money and premature deaths.
_HEALTH = (*((f"damage_per_{k}", "USD/t") for k in ("nox", "so2", "pm25")),
           *((f"deaths_per_{k}", "1/t") for k in ("nox", "so2", "pm25")))


@dataclass(frozen=True)
class Resolution:
    """A resolved input table: stage arrays, uncertain components, where each input came from, problems.

    ``origin`` maps an array field to a code per cluster (or group): ``input``, ``reference``,
    ``mix`` (derived from the scenario's generation mix), ``grid-mix`` (from the grid's shipped mix),
    ``missing`` (no data: the metrics that need it are absent) or ``unused``.
    """

    table: InputTable
    sa: ScenarioArrays
    ga: GroupArrays
    components: tuple[Component, ...]
    origin: dict[str, np.ndarray]
    problems: ProblemTable
    basis: np.ndarray | None = None  # carbon basis per cluster ("direct", "lifecycle"; None: the user's intensity)


# --------------------------------------------------------------------------- helpers


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    return frame[col].to_numpy(dtype=float, na_value=np.nan) if col in frame else np.full(len(frame), np.nan)


def _obj(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    s = frame[col]
    return s if s.dtype == object else s.astype(object).where(s.notna(), None)


def _merge(ids: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """Reference columns for each row's id (NaN for unknown or absent ids), in row order; one lookup per
    distinct id."""
    codes, uniques = pd.factorize(ids.to_numpy(dtype=object), use_na_sentinel=True)
    rows = table.reindex(pd.Index(uniques, dtype=object)).to_numpy(dtype=float)
    rows = np.vstack([rows, np.full((1, table.shape[1]), np.nan)])  # the absent id (code -1) -> NaN
    return pd.DataFrame(rows[codes], columns=table.columns)


def _got(values: pd.Series | np.ndarray, prefix: str) -> object:
    arr = np.asarray(values, dtype=object)
    return lambda pos: [f"{prefix} (got {arr[p]!r})" for p in pos]


def _choose(given: np.ndarray, user: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The user's value where given, else the reference value; and the origin of each."""
    has = ~np.isnan(given) if given.dtype == float else given
    origin = np.where(has, "input", np.where(np.isnan(reference), "missing", "reference"))
    return np.where(has, user, reference), origin


def _component(target: str, group: bool, unit: str, index: np.ndarray, name: np.ndarray | str,
               low: np.ndarray, mode: np.ndarray, high: np.ndarray, kind: np.ndarray | int = TWO_PIECE,
               how: str = "set", weight: np.ndarray | float = 1.0, source: np.ndarray | str = "") -> Component:
    k = len(index)

    def col(v: Any, dtype: Any) -> np.ndarray:
        return np.asarray(v, dtype=dtype) if np.ndim(v) else np.full(k, v, dtype=dtype)

    return Component(target, group, "add" if how == "add" else "set", unit, np.asarray(index, dtype=np.intp),
                     col(name, object),
                     col(kind, np.int8), col(low, float), col(mode, float), col(high, float), col(weight, float),
                     col(source, object))


def _reference_ranges(target: str, group: bool, unit: str, used: np.ndarray, names: np.ndarray,
                      value: np.ndarray, low: np.ndarray, high: np.ndarray, sources: np.ndarray | str
                      ) -> list[Component]:
    """Published ranges (minimum, median, maximum) of the reference values actually used, drawn as two-piece
    uniform distributions so that the median stays the published one."""
    ok = used & ~np.isnan(low) & ~np.isnan(high) & (low <= value) & (value <= high) & (low < high)
    if not ok.any():
        return []
    idx = np.flatnonzero(ok)
    src = sources[idx] if np.ndim(sources) else sources
    return [_component(target, group, unit, idx, names[idx], low[idx], value[idx], high[idx], source=src)]


def _check_ids(values: pd.Series, valid: list[str], what: str, path: str, problems: ProblemTable,
               group: bool = False) -> np.ndarray:
    """Flag ids not in ``valid`` (one message per distinct bad id); returns where the id is known."""
    present = values.notna().to_numpy()
    known = values.isin(valid).to_numpy() & present
    bad = present & ~known
    if bad.any():
        msgs = {v: did_you_mean(what, str(v), valid) + f" (got {v!r})" for v in pd.unique(values[bad])}
        problems.add(bad, path, values.map(msgs).to_numpy(dtype=object), group=group, allowed=", ".join(valid))
    return known


# --------------------------------------------------------------------------- the rules


def _fleet_rules(t: InputTable, p: ProblemTable) -> None:
    g, c = t.groups, t.clusters
    count, hours = _num(g, "count"), _num(g, "accelerator_hours")
    has_count = ~np.isnan(count) | p.has("count", True)
    has_hours = ~np.isnan(hours) | p.has("accelerator_hours", True)
    p.add(has_count == has_hours, "", "give exactly one of 'count' or 'accelerator_hours'", group=True,
          allowed="count: 100000  or  accelerator_hours: '3.3e6 h'")
    by_count = np.bincount(g["cluster"].to_numpy(), weights=has_count, minlength=len(c)) > 0
    p.add(by_count & np.isnan(_num(c, "period")) & ~p.has("period"), "period",
          "required when a fleet group is given by count", allowed="a duration such as '1 year'")


def _required(t: InputTable, p: ProblemTable) -> None:
    for f in fl.FIELDS:
        if not f.required:
            continue
        frame = t.groups if f.level == "group" else t.clusters
        col = frame[f.path] if f.path in frame else pd.Series(None, index=frame.index, dtype=object)
        missing = col.isna().to_numpy() & ~p.has(f.path, f.level == "group")
        p.add(missing, f.path, "missing required field", group=f.level == "group",
              allowed=f.description + (f" (e.g. {f.example!r})" if f.example else ""))


def _accelerators(t: InputTable, p: ProblemTable) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray],
                                                            list[Component]]:
    g = t.groups
    acc = _obj(g, "accelerator")
    known = _check_ids(acc, ref.ids("accelerators"), "accelerator", "accelerator", p, group=True)
    data = _merge(acc, ref.wide("accelerators", _ACCELERATOR))
    values, origin, comps = {}, {}, []
    names = np.asarray("accelerator." + acc.fillna("?").astype(str), dtype=object)
    for path, target, param in (("power", "full_power", "tdp"), ("idle_power", "idle_power", "idle_power"),
                                ("host_power", "host_power", "host_power"), ("embodied", "embodied", "embodied")):
        user = _num(g, path)
        given = ~np.isnan(user) | p.has(path, True)
        reference = data[param].to_numpy(dtype=float)
        values[target], origin[target] = _choose(given, user, reference)
        comps += _reference_ranges(target, True, dict(_ACCELERATOR)[param], known & ~given, names + f".{param}",
                                   reference, data[f"{param}.low"].to_numpy(dtype=float),
                                   data[f"{param}.high"].to_numpy(dtype=float), "accelerators.csv")
        if param != "embodied":
            p.add(known & (origin[target] == "missing"), path,
                  f"no {param} for this accelerator in accelerators.csv; give it in the scenario", group=True)
    # the nameplate host share sets the peak only when the host power is the reference one (a user's host_power
    # describes their own server, peak included)
    host_given = ~np.isnan(_num(g, "host_power")) | p.has("host_power", True)
    values["host_power_nameplate"] = np.where(host_given, np.nan, data["host_power_nameplate"].to_numpy(dtype=float))
    origin["host_power_nameplate"] = np.where(np.isnan(values["host_power_nameplate"]), "unused", "reference")
    with np.errstate(invalid="ignore"):
        above = values["idle_power"] > values["full_power"]
    full = values["full_power"]
    p.add(above & ~p.has("idle_power", True), "idle_power", lambda pos: [
        f"is above the full-load power (idle {values['idle_power'][k]:g} W > full {full[k]:g} W)" for k in pos],
        group=True, allowed="at most the full-load power ('power', default the TDP)")
    return values, origin, comps


def _mix_rows(t: InputTable, p: ProblemTable) -> tuple[pd.Series, dict[tuple[tuple[str, float], ...], dict]]:
    """Validate each distinct generation mix; returns the column and, per valid mix, its intensities."""
    mix = _obj(t.clusters, "supply.mix")
    valid = ref.ids("technologies")
    out: dict[tuple[tuple[str, float], ...], dict] = {}
    for m in pd.unique(mix.dropna()):
        rows = (mix == m).to_numpy()
        unknown = [tech for tech, _ in m if tech not in valid]
        total = sum(share for _, share in m)
        if unknown:
            p.add(rows, "supply.mix", "; ".join(did_you_mean("technology", u, valid) + f" (got {u!r})"
                                                for u in unknown), allowed=", ".join(valid))
        elif abs(total - 1) > 1e-6:
            p.add(rows, "supply.mix", f"shares sum to {total:g}; they must sum to 1 (got {_mix_text(m)!r})")
        else:
            out[m] = {param: _mix_value([tech for tech, _ in m], [s for _, s in m], param) for param, _ in _TECH}
    return mix, out


def _mix_text(m: tuple[tuple[str, float], ...]) -> str:
    return ",".join(f"{tech}={share:g}" for tech, share in m)


def _mix_value(techs: list[str], shares: list[float], parameter: str) -> float:
    table = ref.wide("technologies", _TECH)
    factors = table.loc[techs, parameter].to_numpy(dtype=float)
    unit = dict(_TECH)[parameter]
    return float(mix_intensity(Q_(np.asarray(shares), ""), [Q_(f, unit) for f in factors]).m_as(unit))


def _mix_components(target: str, rows: np.ndarray, techs: list[str], shares: list[float], parameter: str
                    ) -> list[Component]:
    """Each technology's published range moves the mix intensity by share x (draw - median)."""
    table = ref.wide("technologies", _TECH)
    comps = []
    for tech, share in zip(techs, shares, strict=True):
        v, lo, hi = (float(table.loc[tech, k]) for k in (parameter, f"{parameter}.low", f"{parameter}.high"))
        if np.isnan(lo) or np.isnan(hi) or not lo <= v <= hi or lo == hi or share == 0:
            continue
        idx = np.flatnonzero(rows)
        comps.append(_component(target, False, dict(_TECH)[parameter], idx, f"technology.{tech}.{parameter}",
                                np.full(len(idx), lo), np.full(len(idx), v), np.full(len(idx), hi), how="add",
                                weight=share, source="technologies.csv"))
    return comps


def _supply_rules(t: InputTable, p: ProblemTable, share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = t.clusters
    grid, mix, tech = _obj(c, "supply.grid"), _obj(c, "supply.mix"), _obj(c, "supply.onsite.technology")
    known = _check_ids(grid, ref.ids("grids"), "grid", "supply.grid", p)
    p.add(grid.notna().to_numpy() & mix.notna().to_numpy(), "supply.mix", "give either 'grid' or 'mix', not both")
    has_tech = tech.notna().to_numpy()
    share_given = ~np.isnan(share) | p.has("supply.onsite.share")
    p.add(has_tech & ~share_given, "supply.onsite.share",
          "missing required field when supply.onsite.technology is given", allowed="a number from 0 to 1")
    p.add(~has_tech & (np.nan_to_num(share) > 0), "supply.onsite.technology",
          "missing required field when supply.onsite.share > 0", allowed=", ".join(ref.ids("onsite")))
    needs_grid = np.nan_to_num(share) < 1.0
    gi_given = ~np.isnan(_num(c, "supply.grid_intensity")) | p.has("supply.grid_intensity")
    gw_given = ~np.isnan(_num(c, "supply.grid_water_intensity")) | p.has("supply.grid_water_intensity")
    no_source = needs_grid & grid.isna().to_numpy() & mix.isna().to_numpy() & ~(gi_given & gw_given)
    p.add(no_source & ~p.has("supply.grid"), "supply.grid", lambda pos: [
        "required unless both grid_intensity and grid_water_intensity are given (missing "
        + ", ".join(k for k, v in (("grid_intensity", gi_given[i]), ("grid_water_intensity", gw_given[i])) if not v)
        + ")" for i in pos], allowed="an id from pipeline/data/grids.csv, e.g. us-srtv")
    return known, needs_grid


@cache
def _published_basis() -> dict[str, str]:
    """The carbon basis of each grid's published co2e_intensity (grids.csv ``basis``)."""
    g = ref.table("grids")
    rows = g[g["parameter"] == "co2e_intensity"]
    return {str(i): _BASIS_OF.get(str(b), str(b)) for i, b in zip(rows["id"], rows["basis"], strict=True)}


def carbon_basis(t: InputTable, p: ProblemTable | None = None) -> np.ndarray:
    """The carbon basis of each cluster: ``carbon_basis`` where given, else the basis its grid publishes, else
    lifecycle for a generation mix (IPCC lifecycle medians); None where the intensity is the user's own."""
    c = t.clusters
    given = _obj(c, "carbon_basis")
    if p is not None:
        _check_ids(given, list(BASIS_PARAMETER), "carbon basis", "carbon_basis", p)
    grid, mix = _obj(c, "supply.grid"), _obj(c, "supply.mix")
    default = grid.map(_published_basis()).astype(object)
    by_mix = pd.Series(np.where(mix.notna().to_numpy(), "lifecycle", ""), index=c.index).replace("", None)
    default = default.where(default.notna(), by_mix)
    ok = given.isin(list(BASIS_PARAMETER))
    out = given.where(ok, default).to_numpy(dtype=object).copy()
    out[pd.isna(out)] = None
    return out


def _grid(t: InputTable, p: ProblemTable, known: np.ndarray, needs_grid: np.ndarray
          ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[Component]]:
    c = t.clusters
    grid = _obj(c, "supply.grid")
    mix, mixes = _mix_rows(t, p)
    data = _merge(grid, ref.wide("grids", _GRID))
    names = np.asarray("grid." + grid.fillna("?").astype(str), dtype=object)
    values, origin, comps = {}, {}, []
    basis = carbon_basis(t, p)
    hydro_given = _obj(c, "supply.hydro_evaporation")
    _check_ids(hydro_given, list(HYDRO_EVAPORATION), "hydropower evaporation rule", "supply.hydro_evaporation", p)
    hydro = hydro_given.where(hydro_given.isin(list(HYDRO_EVAPORATION)), "allocated").to_numpy(dtype=object)
    for path, target, param, tech_param in (
            ("supply.grid_intensity", "grid_intensity", "co2e_intensity", "co2e_intensity"),
            ("supply.grid_water_intensity", "grid_water_intensity", "water_intensity", "water_consumption")):
        user = _num(c, path)
        given = ~np.isnan(user) | p.has(path)
        reference = data[param].to_numpy(dtype=float)
        if target == "grid_intensity":  # a grid published on another basis: derived from its mix below
            published = grid.map(_published_basis()).to_numpy(dtype=object)
            other = known & ~given & (published != basis) & pd.notna(basis)
            reference = np.where(other, np.nan, reference)
        value, org = _choose(given, user, reference)
        comps += _reference_ranges(target, False, dict(_GRID)[param], known & ~given & needs_grid,
                                   names + f".{param}", reference, data[f"{param}.low"].to_numpy(dtype=float),
                                   data[f"{param}.high"].to_numpy(dtype=float), "grids.csv")
        derived = [(m, (mix == m).to_numpy() & ~given, list(m), "mix") for m in mixes]
        lacking = known & ~given & np.isnan(reference)  # from the grid's shipped generation mix
        for gid in pd.unique(grid[lacking]):
            gm = ref.grid_mix(str(gid))
            if not gm.empty:
                pairs = list(zip(gm["technology"].astype(str), gm["share"].astype(float), strict=True))
                derived.append((gid, lacking & (grid == gid).to_numpy(), pairs, "grid-mix"))
        for _, rows, pairs, code in derived:
            techs, shares = [a for a, _ in pairs], [b for _, b in pairs]
            for b in (("direct", "lifecycle") if target == "grid_intensity" else ("allocated", "excluded")):
                on = rows & (basis == b) if target == "grid_intensity" else rows & (hydro == b)
                if not on.any():
                    continue
                tp = BASIS_PARAMETER[b] if target == "grid_intensity" else tech_param
                keep = [k for k, tech in enumerate(techs) if not (b == "excluded" and tech == "hydro")]
                t_, s_ = [techs[k] for k in keep], [shares[k] for k in keep]  # excluded hydro: no water counted
                value = np.where(on, _mix_value(t_, s_, tp) if t_ else 0.0, value)
                org = np.where(on, code, org)
                comps += _mix_components(target, on & needs_grid, t_, s_, tp)
        if target == "grid_water_intensity":  # a published factor cannot be split: excluding hydro needs a mix
            fixed = needs_grid & (hydro == "excluded") & (org == "reference") & ~p.has("supply.hydro_evaporation")
            p.add(fixed, "supply.hydro_evaporation", _got(grid, "this grid's water factor is published as one "
                  "number, so its hydropower share cannot be removed; give supply.grid_water_intensity or a mix"),
                  allowed="allocated")
        missing = needs_grid & np.isnan(value) & (known | mix.notna().to_numpy()) & ~p.has("supply.mix")
        if target == "grid_intensity":  # published on the other basis only, and no mix to derive this one
            wrong_basis = missing & known & (grid.map(_published_basis()).to_numpy(dtype=object) != basis)
            p.add(wrong_basis & ~p.has("carbon_basis"), "carbon_basis", lambda pos: [
                f"grid {grid.iloc[k]!r} publishes a {grid.map(_published_basis()).iloc[k]} intensity only and no "
                f"generation mix is shipped to derive a {basis[k]} one (got {basis[k]!r})" for k in pos],
                allowed=f"carbon_basis: {grid.map(_published_basis()).iloc[int(np.flatnonzero(wrong_basis)[0])]}"
                if wrong_basis.any() else "")
            missing &= ~wrong_basis
        what = "CO2e intensity in grids.csv" if target == "grid_intensity" else \
            "water intensity or generation mix in the data"
        p.add(missing, path, _got(grid, f"this grid has no {what}; give {path} (e.g. "
                                        f"'{fl.field(path).example}')"))
        values[target] = np.where(needs_grid, value, 0.0)
        origin[target] = np.where(needs_grid, org, "unused")
    return values, origin, comps


def _onsite(t: InputTable, p: ProblemTable, share: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray],
                                                                      list[Component]]:
    c = t.clusters
    tech = _obj(c, "supply.onsite.technology")
    known = _check_ids(tech, ref.ids("onsite"), "on-site technology", "supply.onsite.technology", p)
    gwp = _obj(c, "gwp_metric")
    gwp_known = _check_ids(gwp, ref.gwp_metrics(), "GWP metric", "gwp_metric", p)
    metric = gwp.where(gwp.notna(), DEFAULT_GWP_METRIC)
    used = known & (np.nan_to_num(share) > 0)
    if not used.any():  # no on-site generation anywhere: nothing to look up
        zero = np.zeros(len(c))
        values = {k: zero for k in ("onsite_heat_rate", "onsite_water_intensity",
                                     *(f"onsite_{k}" for k, _ in _FUEL + _COMBUSTION), "gwp_ch4", "gwp_n2o")}
        _check_ids(_obj(c, "supply.onsite.controls"), ref.control_ids(), "NOx control", "supply.onsite.controls", p)
        return values, {k: np.full(len(c), "unused") for k in values}, []
    plant = _merge(tech, ref.wide("onsite", _ONSITE))
    ids = ref.table("onsite").drop_duplicates("id").set_index("id")
    fuel = _merge(tech.map(ids["fuel"]), ref.wide("fuels", _FUEL))
    # a plant without a water row of its own takes its generation technology's (one number, one place)
    tech_water = _merge(tech.map(ids["technology"]), ref.wide("technologies", _TECH))["water_consumption"]
    plant["water_consumption"] = plant["water_consumption"].fillna(tech_water)
    p.add(used & np.isnan(plant["water_consumption"].to_numpy(dtype=float)), "supply.onsite.technology",
          _got(tech, "no water_consumption factor for this on-site technology in onsite.csv; choose another"))
    values = {"onsite_heat_rate": plant["heat_rate"].to_numpy(dtype=float),
              "onsite_water_intensity": plant["water_consumption"].to_numpy(dtype=float),
              **{f"onsite_{k}": fuel[k].to_numpy(dtype=float) for k, _ in _FUEL}}
    air, air_comps = _combustion(c, p, tech, ids, used)
    values = {k: np.where(used, np.nan_to_num(v), 0.0) for k, v in values.items()}
    for gas in ("ch4", "n2o"):
        per = {m: ref.gwp(gas.upper(), m).quantity.m_as("kg CO2e/kg") for m in pd.unique(metric[gwp_known | gwp.isna()])}
        values[f"gwp_{gas}"] = metric.map(per).to_numpy(dtype=float, na_value=np.nan)
    origin = {k: np.where(used, "reference", "unused") for k in values}
    values.update(air)
    origin.update({k: np.where(used, "reference", "unused") for k in air})
    names = np.asarray("onsite." + tech.fillna("?").astype(str) + ".heat_rate", dtype=object)
    comps = _reference_ranges("onsite_heat_rate", False, "Btu/kWh", used, names, values["onsite_heat_rate"],
                              plant["heat_rate.low"].to_numpy(dtype=float),
                              plant["heat_rate.high"].to_numpy(dtype=float), "onsite.csv")
    fuel_names = np.asarray("fuel." + tech.map(ids["fuel"]).fillna("?").astype(str) + ".upstream_ch4_per_heat",
                            dtype=object)
    comps += _reference_ranges("onsite_upstream_ch4_per_heat", False, "kg/MMBtu", used, fuel_names,
                               values["onsite_upstream_ch4_per_heat"],
                               fuel["upstream_ch4_per_heat.low"].to_numpy(dtype=float),
                               fuel["upstream_ch4_per_heat.high"].to_numpy(dtype=float), "fuels.csv")
    return values, origin, comps + air_comps


def _combustion(c: pd.DataFrame, p: ProblemTable, tech: pd.Series, ids: pd.DataFrame, used: np.ndarray
                ) -> tuple[dict[str, np.ndarray], list[Component]]:
    """Pollutants per unit of heat input of each cluster's on-site plant, at its NOx control level
    (``supply.onsite.controls``, default the technology's ``default_controls``): the control's own row
    of combustion.csv for NOx and CO, the prime mover's row for the rest."""
    given = _obj(c, "supply.onsite.controls")
    known = _check_ids(given, ref.control_ids(), "NOx control", "supply.onsite.controls", p)
    default = tech.map(ids["default_controls"]).astype(object)
    controls = given.astype(object).where(given.notna(), default).where(known | given.isna(), None)
    mover = tech.map(ids["prime_mover"]).astype(object)
    table = ref.wide("combustion", _COMBUSTION)
    specific = _merge(mover + "/" + controls, table)
    general = _merge(mover, table)
    values, comps = {}, []
    names = np.asarray("combustion." + (mover + "/" + controls).fillna("?").astype(str), dtype=object)
    for param, unit in _COMBUSTION:
        v = specific[param].fillna(general[param]).to_numpy(dtype=float)
        lacking = used & np.isnan(v) & controls.notna().to_numpy()
        p.add(lacking, "supply.onsite.controls", _got(controls, f"no {param} for this prime mover and NOx control in "
                                                                f"combustion.csv; choose another control"))
        values[f"onsite_{param}"] = np.where(used, np.nan_to_num(v), 0.0)
        comps += _reference_ranges(f"onsite_{param}", False, unit, used, names + f".{param}", v,
                                   specific[f"{param}.low"].to_numpy(dtype=float),
                                   specific[f"{param}.high"].to_numpy(dtype=float), "combustion.csv")
    return values, comps


def _air(t: InputTable, p: ProblemTable, needs_grid: np.ndarray, onsite_used: np.ndarray
         ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[Component]]:
    """Grid output emission rates of NOx and SO2 of the named grid (grids.csv; NaN, origin ``missing``, where it
    publishes none or the grid is given by its intensity or mix alone), and the health-damage factors of the
    on-site plant and of the grid's plants (health.csv, in the dollar year of cpi.csv)."""
    c = t.clusters
    grid = _obj(c, "supply.grid")
    data = _merge(grid, ref.wide("grids", _GRID_AIR))
    values, origin = {}, {}
    for param, _ in _GRID_AIR:
        rate = data[param].to_numpy(dtype=float)
        values[f"grid_{param}"] = np.where(needs_grid, rate, 0.0)
        origin[f"grid_{param}"] = np.where(needs_grid, np.where(np.isnan(rate), "missing", "reference"), "unused")
    sets = health_sets(t, p)
    table = ref.wide("health", _HEALTH)
    comps = []
    for where, used in (("onsite", onsite_used), ("grid", needs_grid)):
        chosen = sets[where]
        data = _merge(chosen, table)
        money = _merge(chosen, _health_money())["to_dollar_year"].to_numpy(dtype=float)
        names = np.asarray("health." + chosen.fillna("?").astype(str), dtype=object)
        for param, unit in _HEALTH:
            target = f"{param.replace('_per_', '_')}_{where}"
            scale = money if param.startswith("damage") else 1.0
            v = data[param].to_numpy(dtype=float) * scale
            values[target] = np.where(used, v, 0.0)
            origin[target] = np.where(used, np.where(np.isnan(v), "missing", "reference"), "unused")
            comps += _reference_ranges(target, False, unit, used, names + f".{param}", v,
                                       data[f"{param}.low"].to_numpy(dtype=float) * scale,
                                       data[f"{param}.high"].to_numpy(dtype=float) * scale, "health.csv")
    return values, origin, comps


@cache
def _health_money() -> pd.DataFrame:
    """Per health-factor set, the CPI ratio that takes its dollar year to the dollar year of cpi.csv."""
    h = ref.table("health").drop_duplicates("id").set_index("id")
    target = ref.cpi(ref.dollar_year()).quantity.m_as("")
    ratio = [target / ref.cpi(int(y)).quantity.m_as("") if pd.notna(y) else np.nan for y in h["dollar_year"]]
    return pd.DataFrame({"to_dollar_year": ratio}, index=h.index)


def health_sets(t: InputTable, p: ProblemTable | None = None) -> dict[str, pd.Series]:
    """The health-factor set of each cluster, on site and for the grid: the one given (``health.onsite``,
    ``health.grid``), else the set whose ``default_region`` is the grid's country (the grid id's prefix: ``us``
    for ``us-srtv``); None where neither exists."""
    c = t.clusters
    grid = _obj(c, "supply.grid")
    h = ref.table("health").drop_duplicates("id")
    by_region = dict(zip(h["default_region"].dropna().astype(str), h.loc[h["default_region"].notna(), "id"],
                         strict=True))
    region = grid.map(lambda g: str(g).split("-")[0] if isinstance(g, str) else None)
    default = region.map(by_region)
    out = {}
    for where in ("onsite", "grid"):
        given = _obj(c, f"health.{where}")
        if p is not None:
            _check_ids(given, ref.ids("health"), "health-factor set", f"health.{where}", p)
        known = given.isin(ref.ids("health"))
        out[where] = given.where(known, default).where(known | given.isna(), None)
    return out


def _defaults(t: InputTable, p: ProblemTable) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray],
                                                      list[Component]]:
    c = t.clusters
    n = len(c)
    life_default = ref.default("hardware_lifetime")
    user = _num(c, "lifetime")
    given = ~np.isnan(user) | p.has("lifetime")
    life = life_default.quantity.m_as("h")
    lifetime, life_origin = _choose(given, user, np.full(n, life))
    comps = []
    if life_default.low is not None and life_default.high is not None:
        comps += _reference_ranges("lifetime", False, "h", ~given, np.full(n, "default.hardware_lifetime", dtype=object),
                                   np.full(n, life), np.full(n, life_default.low.m_as("h")),
                                   np.full(n, life_default.high.m_as("h")), "defaults.csv")
    cyc_default = ref.default("cooling_cycles")
    cyc_user = _num(c, "cooling_cycles")
    cyc_given = ~np.isnan(cyc_user) | p.has("cooling_cycles")
    cycles, cyc_origin = _choose(cyc_given, cyc_user, np.full(n, cyc_default.quantity.m_as("")))
    if cyc_default.low is not None and cyc_default.high is not None:
        comps += _reference_ranges("cooling_cycles", False, "", ~cyc_given, np.full(n, "default.cooling_cycles",
                                   dtype=object), cycles, np.full(n, cyc_default.low.m_as("")),
                                   np.full(n, cyc_default.high.m_as("")), "defaults.csv")
    ppa_share = np.nan_to_num(_num(c, "supply.ppa.share"))
    ppa_user = _num(c, "supply.ppa.intensity")
    ppa_given = ~np.isnan(ppa_user) | p.has("supply.ppa.intensity")
    ppa, ppa_origin = _choose(ppa_given, ppa_user, np.full(n, ref.default("ppa_intensity").quantity.m_as("g CO2e/kWh")))
    values = {
        "lifetime": lifetime, "ppa_intensity": np.where(ppa_share > 0, ppa, 0.0), "cooling_cycles": cycles,
        "server_embodied": np.full(n, ref.default("server_embodied").quantity.m_as("kg CO2e")),
        "accelerators_per_server": np.full(n, ref.default("accelerators_per_server").quantity.m_as("")),
    }
    wue = _num(c, "wue")
    origin = {"lifetime": life_origin, "ppa_intensity": np.where(ppa_share > 0, ppa_origin, "unused"),
              "cooling_cycles": np.where(np.nan_to_num(wue) > 0, cyc_origin, "unused")}
    return values, origin, comps


def _market(t: InputTable, p: ProblemTable, grid_intensity: np.ndarray, needs_grid: np.ndarray
            ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The market-based factor of grid energy no contract covers, by the GHG Protocol Scope 2 hierarchy:
    the supplier's published rate when ``supply.supplier`` names one, else the grid average (printed as an
    assumption: no residual mix is shipped)."""
    supplier = _obj(t.clusters, "supply.supplier")
    known = _check_ids(supplier, ref.supplier_ids(), "supplier", "supply.supplier", p)
    rate = _merge(supplier, ref.wide("grids", _GRID))["co2e_intensity"].to_numpy(dtype=float)
    value = np.where(known, rate, grid_intensity)
    origin = np.where(~needs_grid, "unused", np.where(known, "supplier", "grid-average"))
    return {"residual_intensity": np.where(needs_grid, value, 0.0)}, {"residual_intensity": origin}


def _market_follows_grid(components: tuple[Component, ...], follows: np.ndarray) -> tuple[Component, ...]:
    """Where the market-based factor is the grid average (no supplier rate), a twin of every draw of the grid's
    intensity for it: the same stream names (common random numbers), so in each draw the market-based factor
    is the drawn grid average, as it is at the central values, rather than staying central."""
    out = []
    for c in components:
        if c.group or c.target != "grid_intensity":
            continue
        keep = follows[c.index]
        if keep.any():
            out.append(Component("residual_intensity", False, c.how, c.unit, c.index[keep], c.name[keep], c.kind[keep],
                                 c.low[keep], c.mode[keep], c.high[keep], c.weight[keep], c.source[keep]))
    return tuple(out)


def _user_ranges(t: InputTable) -> list[Component]:
    r = t.ranges
    comps = []
    for (_level, path), rows in r.groupby(["level", "path"], sort=False):
        target, group = RANGE_TARGETS[str(path)]
        idx = rows["index"].to_numpy(dtype=np.intp)
        if group:
            positions = t.groups["position"].to_numpy()[idx]
            names = np.asarray([f"fleet[{k}].{path}" for k in positions], dtype=object)
            clusters = t.groups["cluster"].to_numpy()[idx]
        else:
            names = np.full(len(idx), str(path), dtype=object)
            clusters = idx
        key = list(names)
        sources = t.clusters["sources"].to_numpy()[clusters] if "sources" in t.clusters else [{}] * len(idx)
        src = np.asarray([(s or {}).get(k, "scenario input") for s, k in zip(sources, key, strict=True)], dtype=object)
        unit = fl.field(str(path)).unit
        comps.append(_component(target, group, unit, idx, names, rows["low"].to_numpy(float),
                                rows["mode"].to_numpy(float), rows["high"].to_numpy(float),
                                np.where(rows["triangular"].to_numpy(bool), TRIANGULAR, UNIFORM), source=src))
    return comps


# --------------------------------------------------------------------------- resolve


def resolve(table: InputTable, problems: ProblemTable | None = None) -> Resolution:
    """Resolve every cluster of ``table`` column-wise.

    ``problems`` may carry what parsing already found (batch cells that did not read); rules then
    skip fields that already have a problem, so one root cause gives one message.  The caller
    decides what to do with the problems: a YAML scenario raises, a batch moves the cluster to
    ``errors.csv``.
    """
    c, g = table.clusters, table.groups
    p = problems if problems is not None else ProblemTable(len(c), len(g))
    _required(table, p)
    _fleet_rules(table, p)
    share = _num(c, "supply.onsite.share")
    grid_known, needs_grid = _supply_rules(table, p, share)
    acc, acc_origin, acc_comps = _accelerators(table, p)
    grid, grid_origin, grid_comps = _grid(table, p, grid_known, needs_grid)
    onsite, onsite_origin, onsite_comps = _onsite(table, p, share)
    dflt, dflt_origin, dflt_comps = _defaults(table, p)
    market, market_origin = _market(table, p, grid["grid_intensity"], needs_grid)
    air, air_origin, air_comps = _air(table, p, needs_grid, np.nan_to_num(share) > 0)

    def q(values: np.ndarray, unit: str) -> pint.Quantity:
        return Q_(np.asarray(values, dtype=float), unit)

    sa = ScenarioArrays(
        utilization=q(_num(c, "utilization"), ""), period=q(_num(c, "period"), "h"), pue=q(_num(c, "pue"), ""),
        wue=q(_num(c, "wue"), "L/kWh"), cooling_cycles=q(dflt["cooling_cycles"], ""), grid_intensity=q(grid["grid_intensity"], "g CO2e/kWh"),
        grid_water_intensity=q(grid["grid_water_intensity"], "L/kWh"), onsite_share=q(np.nan_to_num(share), ""),
        onsite_heat_rate=q(onsite["onsite_heat_rate"], "Btu/kWh"),
        onsite_co2_per_heat=q(onsite["onsite_co2_per_heat"], "kg CO2e/MMBtu"),
        onsite_ch4_per_heat=q(onsite["onsite_ch4_per_heat"], "g/MMBtu"),
        onsite_n2o_per_heat=q(onsite["onsite_n2o_per_heat"], "g/MMBtu"),
        **{f"onsite_{k}": q(onsite[f"onsite_{k}"], unit) for k, unit in _COMBUSTION},
        **{f"grid_{k}": q(air[f"grid_{k}"], unit) for k, unit in _GRID_AIR},
        **{f"{k.replace('_per_', '_')}_{w}": q(air[f"{k.replace('_per_', '_')}_{w}"], unit) for k, unit in _HEALTH
           for w in ("onsite", "grid")},
        onsite_upstream_ch4_per_heat=q(onsite["onsite_upstream_ch4_per_heat"], "kg/MMBtu"),
        onsite_water_intensity=q(onsite["onsite_water_intensity"], "L/kWh"),
        gwp_ch4=q(onsite["gwp_ch4"], "kg CO2e/kg"), gwp_n2o=q(onsite["gwp_n2o"], "kg CO2e/kg"),
        ppa_share=q(np.nan_to_num(_num(c, "supply.ppa.share")), ""), ppa_intensity=q(dflt["ppa_intensity"], "g CO2e/kWh"),
        residual_intensity=q(market["residual_intensity"], "g CO2e/kWh"),
        lifetime=q(dflt["lifetime"], "h"), server_embodied=q(dflt["server_embodied"], "kg CO2e"),
        accelerators_per_server=q(dflt["accelerators_per_server"], ""),
    )
    ga = GroupArrays(
        scenario=g["cluster"].to_numpy(dtype=np.intp), count=q(_num(g, "count"), ""),
        accelerator_hours=q(_num(g, "accelerator_hours"), "h"), full_power=q(acc["full_power"], "W"),
        idle_power=q(acc["idle_power"], "W"), host_power=q(acc["host_power"], "W"),
        host_power_nameplate=q(acc["host_power_nameplate"], "W"), embodied=q(acc["embodied"], "kg CO2e"),
    )
    components = tuple(_user_ranges(table) + acc_comps + grid_comps + onsite_comps + dflt_comps + air_comps)
    components += _market_follows_grid(components, market_origin["residual_intensity"] == "grid-average")
    origin = {**acc_origin, **grid_origin, **onsite_origin, **dflt_origin, **market_origin, **air_origin}
    basis = carbon_basis(table).copy()
    basis[origin["grid_intensity"] == "input"] = None
    return Resolution(table, sa, ga, components, origin, p, basis)


# --------------------------------------------------------------------------- provenance of one cluster


def mix_factor(pairs: list[tuple[str, float]], parameter: str, name: str, origin: str, file: str,
               year: str = "") -> tuple[ref.Factor, list[ref.Factor]]:
    """A mix-derived intensity as a cited factor, with the technology factors it used."""
    techs = [ref.factors("technologies", "technology", tech)[parameter] for tech, _ in pairs]
    value = _mix_value([tech for tech, _ in pairs], [s for _, s in pairs], parameter)
    unit = dict(_TECH)[parameter]
    desc = ", ".join(f"{tech} {share:.0%}" for tech, share in pairs)
    basis = {"water_consumption": "", "co2e_intensity": "; lifecycle basis, IPCC AR5 medians",
             "co2e_intensity_direct": "; direct basis, IPCC AR5 direct-emission medians"}[parameter]
    derived = ref.Factor(name=name, quantity=Q_(value, unit), file=file, year=year, status="calc",
                         source=f"derived: generation mix ({desc}; {origin}) x technology {parameter}{basis}")
    return derived, techs


def _input_factor(name: str, value: float, unit: str, cited: dict[str, str], file: str) -> ref.Factor:
    return ref.Factor(name=name, quantity=Q_(value, unit), source=cited.get(name, "scenario input"),
                      file=file, status="input")


def _supply_factors(res: Resolution, i: int, cited: dict[str, str], file: str) -> list[ref.Factor]:
    row = res.table.clusters.iloc[i]
    grid, mix = row.get("supply.grid"), row.get("supply.mix")
    out: list[ref.Factor] = []
    for target, path, param, tech_param in (
            ("grid_intensity", "supply.grid_intensity", "co2e_intensity", "co2e_intensity"),
            ("grid_water_intensity", "supply.grid_water_intensity", "water_intensity", "water_consumption")):
        code = res.origin[target][i]
        if target == "grid_intensity" and res.basis is not None and res.basis[i] in BASIS_PARAMETER:
            tech_param = BASIS_PARAMETER[str(res.basis[i])]
        if code == "input":
            out.append(_input_factor(path, float(row[path]), fl.field(path).unit, cited, file))
        elif code == "reference":
            out.append(ref.factor_by_name(f"grid.{grid}.{param}"))
        elif code == "mix":
            derived, techs = mix_factor(list(mix), tech_param, f"supply.mix.{param}", "scenario supply.mix",
                                        "technologies.csv")
            out += techs + [derived]
        elif code == "grid-mix":
            gm = ref.grid_mix(str(grid))
            pairs = list(zip(gm["technology"].astype(str), gm["share"].astype(float), strict=True))
            origin = "; ".join(sorted(set(gm["source"].astype(str))))
            rule = row.get("supply.hydro_evaporation") if isinstance(row.get("supply.hydro_evaporation"), str) \
                else "allocated"
            if target == "grid_water_intensity" and rule == "excluded":
                pairs = [(t, sh) for t, sh in pairs if t != "hydro"]
            derived, techs = mix_factor(pairs, tech_param, f"grid.{grid}.{param}", origin,
                                        "grid_mixes.csv + technologies.csv", str(gm["year"].iloc[0]))
            out += techs + [derived]
            if target == "grid_water_intensity" and "hydro" in set(gm["technology"].astype(str)):
                out.append(_hydro_rule(rule, isinstance(row.get("supply.hydro_evaporation"), str), cited, file))
    share = res.sa.onsite_share.magnitude[i]
    if share > 0:
        tech = row["supply.onsite.technology"]
        plant = ref.factors("onsite", "on-site technology", tech)
        ids = ref.table("onsite").drop_duplicates("id").set_index("id")
        fuel = ref.factors("fuels", "fuel", str(ids.loc[tech, "fuel"]))
        water = plant.get("water_consumption") or ref.factors("technologies", "technology",
                                                              str(ids.loc[tech, "technology"]))["water_consumption"]
        metric = row.get("gwp_metric") or DEFAULT_GWP_METRIC
        out += [plant["heat_rate"], fuel["co2_per_heat"], fuel["ch4_per_heat"], fuel["n2o_per_heat"],
                ref.gwp("CH4", metric), ref.gwp("N2O", metric), water]
        out.append(fuel["upstream_ch4_per_heat"])
        out += _combustion_factors(row, str(ids.loc[tech, "prime_mover"]), str(ids.loc[tech, "default_controls"]),
                                   cited, file)
        out.append(_input_factor("supply.onsite.share", float(share), "", cited, file))
    if res.sa.ppa_share.magnitude[i] > 0:
        out.append(_input_factor("supply.ppa.share", float(res.sa.ppa_share.magnitude[i]), "", cited, file))
        if res.origin["ppa_intensity"][i] == "input":
            out.append(_input_factor("supply.ppa.intensity", float(row["supply.ppa.intensity"]), "g CO2e/kWh",
                                     cited, file))
        else:
            out.append(ref.default("ppa_intensity"))
    if res.origin["grid_nox_rate"][i] != "unused":
        for param in ("nox_rate", "so2_rate"):
            if res.origin[f"grid_{param}"][i] == "reference":
                out.append(ref.factor_by_name(f"grid.{grid}.{param}"))
            else:
                out.append(ref.Factor(
                    name=f"grid.{param}", quantity=Q_(np.nan, "lb/MWh"), file="grids.csv", status="missing",
                    source=f"no published {param.split('_')[0].upper()} output rate for this grid (given by "
                    f"{'its id' if grid else 'its intensity or generation mix'}): "
                    f"{param.split('_')[0]}_grid and the grid part of the health damages are not reported"))
    out += _health_factors(res, i)
    code = res.origin["residual_intensity"][i]
    if code == "supplier":
        out.append(ref.factor_by_name(f"grid.{row['supply.supplier']}.co2e_intensity"))
    elif code == "grid-average":
        out.append(ref.Factor(
            name="market_based.residual_intensity", quantity=res.sa.grid_intensity[i],
            source="warning: no supplier factor (supply.supplier) and no residual mix are given, so grid energy "
            "that no contract covers is counted at the grid-average (location-based) intensity; GHG Protocol "
            "Scope 2 Guidance 2015, section 6.11, ranks supplier rates and then a residual mix first", file="method",
            status="assumed"))
    return out


def _combustion_factors(row: pd.Series, mover: str, default_controls: str, cited: dict[str, str], file: str
                        ) -> list[ref.Factor]:
    given = row.get("supply.onsite.controls")
    if isinstance(given, str):
        controls = _input_factor_text("supply.onsite.controls", given, cited, file)
    else:
        given = default_controls
        controls = ref.Factor(name="supply.onsite.controls", quantity=Q_(np.nan, ""), file="onsite.csv",
                              status="assumed", source=f"default for this technology: {given} (no NOx control "
                              "stated; give supply.onsite.controls)", note=given)
    specific = ref.factors("combustion", "prime mover and NOx control", f"{mover}/{given}")
    general = ref.factors("combustion", "prime mover", mover)
    return [controls, *[specific.get(k) or general[k] for k, _ in _COMBUSTION]]


def _health_factors(res: Resolution, i: int) -> list[ref.Factor]:
    """The health-damage factors cluster ``i`` used (or why there are none), and the CPI that converts them."""
    sets = health_sets(res.table)
    out: list[ref.Factor] = []
    years = set()
    for where, label in (("onsite", "on-site combustion"), ("grid", "the grid's plants")):
        if res.origin[f"damage_nox_{where}"][i] == "unused":
            continue
        chosen = sets[where].iloc[i]
        if (isinstance(chosen, str) and where == "grid"
                and all(res.origin[f"grid_{p}"][i] == "missing" for p in ("nox_rate", "so2_rate"))):
            continue  # a set is named, but no grid pollutant rate: no grid damages (the missing rates say so above)
        if not isinstance(chosen, str):
            out.append(ref.Factor(
                name=f"health.{where}", quantity=Q_(np.nan, "USD/t"), file="health.csv", status="missing",
                source=f"no health-damage factors for {label} at this location (no set for the grid's country in "
                f"health.csv; give health.{where}): health damages and premature deaths are not reported"))
            continue
        facts = ref.factors("health", "health-factor set", chosen)
        out += [facts[k] for k, _ in _HEALTH if k in facts]
        if not any(k.startswith("deaths") for k in facts):
            out.append(ref.Factor(
                name=f"health.{chosen}.deaths", quantity=Q_(np.nan, "1/t"), file="health.csv", status="missing",
                source=f"this set publishes no deaths per tonne ({label}): premature deaths are not reported"))
        years.add(str(ref.table("health").set_index("id").loc[[chosen], "dollar_year"].iloc[0]))
    if years:
        out += [ref.cpi(y) for y in sorted(years | {ref.dollar_year()})]
    return out


def _hydro_rule(rule: str, given: bool, cited: dict[str, str], file: str) -> ref.Factor:
    if given:
        return _input_factor_text("supply.hydro_evaporation", rule, cited, file)
    return ref.Factor(name="supply.hydro_evaporation", quantity=Q_(np.nan, ""), file="method", status="assumed",
                      note=rule, source="default: hydropower's reservoir evaporation is allocated to electricity, as "
                      "Macknick et al. 2012 (median 4,491 US gal/MWh) and Li et al. 2023 ('Making AI Less Thirsty') "
                      "count it; reservoirs also serve flood control, navigation and supply, so "
                      "supply.hydro_evaporation: excluded gives the lower bound")


def _input_factor_text(name: str, value: str, cited: dict[str, str], file: str) -> ref.Factor:
    return ref.Factor(name=name, quantity=Q_(np.nan, ""), source=cited.get(name, "scenario input"), file=file,
                      status="input", note=value)


def assumptions(res: Resolution, i: int) -> list[ref.Factor]:
    """Every factor cluster ``i`` used, in the order of the chain, each once, with its source."""
    row = res.table.clusters.iloc[i]
    cited = dict(row.get("sources") or {})
    file = Path(str(row.get("file") or "<scenario>")).name
    facts = [_input_factor(path, float(row[path]), fl.field(path).unit, cited, file)
             for path in ("utilization", "pue", "wue", "period") if not np.isnan(float(row[path]))]
    groups = np.flatnonzero(res.ga.scenario == i)
    any_embodied = False
    for k in groups:
        grp = res.table.groups.iloc[k]
        base = f"fleet[{grp['position']}]"
        for target, path, param in (("full_power", "power", "tdp"), ("idle_power", "idle_power", "idle_power"),
                                    ("host_power", "host_power", "host_power"), ("embodied", "embodied", "embodied")):
            code = res.origin[target][k]
            if code == "input":
                facts.append(_input_factor(f"{base}.{path}", float(grp[path]), fl.field(path).unit, cited, file))
            elif code == "reference":
                facts.append(ref.factor_by_name(f"accelerator.{grp['accelerator']}.{param}"))
            else:
                facts.append(ref.Factor(
                    name=f"accelerator.{grp['accelerator']}.{param}", quantity=Q_(np.nan, fl.field(path).unit),
                    source="no published embodied carbon for this accelerator: co2e_embodied is not reported for "
                    "this scenario", file="accelerators.csv", status="missing"))
            any_embodied |= target == "embodied" and code != "missing"
        if res.origin["host_power_nameplate"][k] == "reference":
            facts.append(ref.factor_by_name(f"accelerator.{grp['accelerator']}.host_power_nameplate"))
    if any_embodied:
        facts += [ref.default("server_embodied"), ref.default("accelerators_per_server")]
    facts.append(_input_factor("lifetime", float(row["lifetime"]), "h", cited, file)
                 if res.origin["lifetime"][i] == "input" else ref.default("hardware_lifetime"))
    if res.origin["cooling_cycles"][i] == "input":
        facts.append(_input_factor("cooling_cycles", float(row["cooling_cycles"]), "", cited, file))
    elif res.origin["cooling_cycles"][i] == "reference":
        facts.append(ref.default("cooling_cycles"))
    facts += _supply_factors(res, i, cited, file)
    seen: dict[str, ref.Factor] = {}
    for f in facts:
        seen.setdefault(f.name, f)
    accelerators = ", ".join(dict.fromkeys(str(res.table.groups.iloc[k]["accelerator"]) for k in groups))
    return _dataset_assumed(list(seen.values()), row, file, {"accelerator": accelerators})


#: How a value the dataset's ``assumed_fields`` column marks is cited.
DATASET_ASSUMED = "assumed by the dataset (its assumed_fields column), not reported for this cluster"


def _dataset_assumed(facts: list[ref.Factor], row: pd.Series, file: str, values: dict[str, str]) -> list[ref.Factor]:
    """Factors of inputs a dataset marks as assumed (``assumed_fields``): status ``assumed`` instead of ``input``;
    a marked choice with no factor of its own (``grid``, ``accelerator``) is listed as an assumed text input."""
    marked = row.get("assumed")
    if not isinstance(marked, tuple) or not marked:
        return facts
    out, done = [], set()
    for f in facts:
        path = re.sub(r"^fleet\[\d+\]\.", "", f.name)
        if f.status == "input" and path in marked:
            f = replace(f, status="assumed", source=DATASET_ASSUMED)
            done.add(path)
        out.append(f)
    for path in marked:
        if path not in done:
            value = values.get(path, row.get(path) if path in row else None)
            note = ", ".join(map(str, value)) if isinstance(value, tuple) else "" if value is None else str(value)
            out.append(ref.Factor(name=path, quantity=Q_(np.nan, ""), source=DATASET_ASSUMED, file=file,
                                  status="assumed", note=note))
    return out


def uncertain_inputs(res: Resolution, i: int) -> list[UncertainInput]:
    """The inputs of cluster ``i`` that are drawn in the Monte Carlo, each once."""
    out: dict[str, UncertainInput] = {}
    for comp in res.components:
        owner = res.ga.scenario[comp.index] if comp.group else comp.index
        for k in np.flatnonzero(owner == i):
            name = str(comp.name[k])
            dist = Dist(KINDS[int(comp.kind[k])],  # type: ignore[arg-type]
                        float(comp.low[k]), float(comp.high[k]), comp.unit, float(comp.mode[k]))
            out.setdefault(name, UncertainInput(name, dist, str(comp.source[k])))
    return list(out.values())
