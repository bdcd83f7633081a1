"""Scenario files: parse, validate, and resolve against the reference data.

A scenario file is YAML (read with ``yaml.safe_load``) whose field names are a public contract
(see README, "Scenario files").  :func:`load_scenario` returns a frozen :class:`Scenario`;
:func:`resolve` turns it into the Quantities the stages need plus the list of every factor
used (:class:`pipeline.reference.Factor`).  Problems are collected and raised together as a
:class:`ScenarioError` whose lines name the file, the field path, the bad value and what is
allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pint
import yaml

from pipeline import reference as ref
from pipeline.uncertainty import DISTRIBUTIONS, Dist, Uncertain
from pipeline.units import Q_, parse_quantity, ureg

# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what was given, and what is allowed."""

    file: str
    path: str
    message: str
    value: Any = None
    allowed: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        got = "" if self.value is None else f" (got {self.value!r})"
        allowed = f"; allowed: {self.allowed}" if self.allowed else ""
        return f"{where}: {self.message}{got}{allowed}"


class ScenarioError(ValueError):
    """Raised with every :class:`Problem` found in one input."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --------------------------------------------------------------------------- the scenario


@dataclass(frozen=True)
class FleetGroup:
    """One accelerator group of a fleet (``fleet[i]`` in the file)."""

    accelerator: str
    count: float | None = None
    accelerator_hours: pint.Quantity | None = None  # [h]
    power: pint.Quantity | None = None  # full-load power per accelerator [W]
    idle_power: pint.Quantity | None = None  # [W]
    host_power: pint.Quantity | None = None  # non-accelerator server power per accelerator [W]
    embodied: pint.Quantity | None = None  # embodied CO2e per accelerator [kg CO2e]
    label: str = ""


@dataclass(frozen=True)
class Supply:
    """Where the electricity comes from (``supply:``)."""

    grid: str | None = None
    grid_intensity: pint.Quantity | None = None  # [g CO2e/kWh]
    grid_water_intensity: pint.Quantity | None = None  # [L/kWh]
    onsite_technology: str | None = None
    onsite_share: float = 0.0  # share of facility energy generated on site
    ppa_share: float = 0.0  # share of grid energy matched by renewable purchases
    ppa_intensity: pint.Quantity | None = None  # [g CO2e/kWh]
    mix: tuple[tuple[str, float], ...] = ()  # a grid defined by its generation mix: (technology, share)


@dataclass(frozen=True)
class Claim:
    """A published figure to check the model against (``claims[i]``)."""

    metric: str
    value: pint.Quantity
    source: str
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario; quantities carry units, ids are not yet resolved."""

    name: str
    fleet: tuple[FleetGroup, ...]
    utilization: float
    pue: float
    wue: pint.Quantity  # [L/kWh of IT energy]
    supply: Supply
    period: pint.Quantity | None = None  # [time]
    location: str = ""
    lifetime: pint.Quantity | None = None  # hardware lifetime for embodied carbon [time]
    gwp_metric: str = "AR5GWP100"
    claims: tuple[Claim, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (field path, citation) pairs from `sources:`
    uncertain: tuple[tuple[str, Dist], ...] = ()  # (field path, distribution) of ranged inputs
    description: str = ""
    file: str = "<scenario>"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def by_hours(self) -> bool:
        """True when any group is given in accelerator-hours (power figures are then absent)."""
        return any(g.count is None for g in self.fleet)


# --------------------------------------------------------------------------- schema

#: Claimable metrics and their dimensions (names of the compute JSON contract).
METRIC_DIMENSIONS: dict[str, str] = {
    "it_power": "power",
    "it_power_peak": "power",
    "facility_power": "power",
    "facility_power_peak": "power",
    "it_energy": "energy",
    "energy": "energy",
    "grid_energy": "energy",
    "onsite_energy": "energy",
    "energy_per_day": "energy_rate",
    "water_onsite": "volume",
    "water_offsite": "volume",
    "water_total": "volume",
    "water_onsite_per_day": "volume_rate",
    "co2e_location_based": "carbon_mass",
    "co2e_market_based": "carbon_mass",
    "co2e_onsite": "carbon_mass",
    "co2e_embodied": "carbon_mass",
    "nox_onsite": "mass",
}

TOP_KEYS = {"name", "location", "description", "fleet", "utilization", "period", "pue", "wue",
            "supply", "claims", "sources", "lifetime", "gwp_metric", "variants"}
#: Fields a variant (``variants[i]``, used by ``clusterprint compare``) may override.
VARIANT_KEYS = {"name", "description", "supply", "pue", "wue", "utilization", "fleet", "period", "lifetime",
                "gwp_metric", "sources"}
GROUP_KEYS = {"accelerator", "count", "accelerator_hours", "power", "idle_power", "host_power",
              "embodied", "label"}
SUPPLY_KEYS = {"grid", "mix", "grid_intensity", "grid_water_intensity", "onsite", "ppa"}
ONSITE_KEYS = {"technology", "share"}
PPA_KEYS = {"share", "intensity"}
CLAIM_KEYS = {"metric", "value", "source", "note"}
REQUIRED_TOP = ("name", "fleet", "utilization", "pue", "wue", "supply")


class _Checker:
    """Collects problems while reading one mapping (internal)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.uncertain: dict[str, Dist] = {}

    def distribution(self, data: dict[str, Any], key: str, path: str, one: Any, unit: str) -> float | None:
        """Read ``{low, high}`` or ``{dist, low, mode, high}``; return the central value, record the Dist.

        ``one(mapping, key, path)`` parses a single bound the way the plain field is parsed and
        returns a magnitude in ``unit`` (or None after recording a problem).
        """
        spec = data[key]
        where = _join(path, key)
        allowed = {"dist", "low", "mode", "high"}
        for k in spec:
            if k not in allowed:
                self.add(_join(where, str(k)), "unknown field", None, "dist, low, mode, high")
        kind = str(spec.get("dist", "triangular" if "mode" in spec else "uniform"))
        if kind not in DISTRIBUTIONS:
            self.add(_join(where, "dist"), "unknown distribution", kind, ", ".join(DISTRIBUTIONS))
            return None
        needed = ("low", "mode", "high") if kind == "triangular" else ("low", "high")
        missing = [k for k in needed if k not in spec]
        if missing:
            self.add(where, f"a {kind} distribution needs {', '.join(needed)} (missing {', '.join(missing)})", spec)
            return None
        bounds = {k: one(spec, k, where) for k in needed}
        if any(v is None for v in bounds.values()):
            return None
        lo, hi = bounds["low"], bounds["high"]
        mode = bounds.get("mode")
        if not (lo <= (mode if mode is not None else lo) <= hi) or lo > hi:
            self.add(where, "needs low <= mode <= high", spec)
            return None
        d = Dist(kind, lo, hi, unit, mode)
        self.uncertain[_join(path, key)] = d
        return d.central

    def add(self, path: str, message: str, value: Any = None, allowed: str = "") -> None:
        self.problems.append(Problem(self.file, path, message, value, allowed))

    def keys(self, data: Any, allowed: set[str], path: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.add(path or "(top level)", "expected a mapping of fields", type(data).__name__,
                     ", ".join(sorted(allowed)))
            return {}
        for k in data:
            if k not in allowed:
                hint = ref.nearest(str(k), sorted(allowed))
                msg = "unknown field" + (f"; did you mean {hint!r}?" if hint else "")
                self.add(_join(path, str(k)), msg, None, ", ".join(sorted(allowed)))
        return data

    def quantity(self, data: dict[str, Any], key: str, path: str, dimension: str) -> pint.Quantity | None:
        if key not in data or data[key] is None:
            return None
        if isinstance(data[key], dict):
            first = next((v for k, v in data[key].items() if k in ("low", "mode", "high")), None)
            unit = f"{ureg.Quantity(first).units:D}" if isinstance(first, str) and _parses(first) else ""

            def one(m: dict[str, Any], k: str, p: str) -> float | None:
                q = self.quantity(m, k, p, dimension)
                return None if q is None else float(q.m_as(unit))

            central = self.distribution(data, key, path, one, unit)
            return None if central is None else Q_(central, unit)
        try:
            q = parse_quantity(data[key], dimension)
        except ValueError as exc:
            self.add(_join(path, key), str(exc), data[key])
            return None
        if not _finite(q.magnitude):
            self.add(_join(path, key), "must be a finite number", data[key])
            return None
        if q.magnitude < 0:
            self.add(_join(path, key), "must not be negative", data[key])
            return None
        return q

    def number(self, data: dict[str, Any], key: str, path: str, lo: float = 0.0, hi: float = math.inf,
               lo_open: bool = False) -> float | None:
        if key not in data or data[key] is None:
            return None
        v = data[key]
        if isinstance(v, dict):
            return self.distribution(data, key, path, lambda m, k, p: self.number(m, k, p, lo, hi, lo_open), "")
        if isinstance(v, str):
            try:
                v = float(ureg.Quantity(v).m_as(""))
            except Exception:  # noqa: BLE001 - any parse failure is reported below
                self.add(_join(path, key), "expected a plain number", data[key])
                return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.add(_join(path, key), "expected a plain number", data[key])
            return None
        if not _finite(v):
            self.add(_join(path, key), "must be a finite number", data[key])
            return None
        bad_lo = v <= lo if lo_open else v < lo
        if bad_lo or v > hi:
            lo_s = f"> {lo:g}" if lo_open else f">= {lo:g}"
            hi_s = "" if hi == math.inf else f" and <= {hi:g}"
            self.add(_join(path, key), "out of range", data[key], f"{lo_s}{hi_s}")
            return None
        return float(v)

    def text(self, data: dict[str, Any], key: str, path: str) -> str | None:
        if key not in data or data[key] is None:
            return None
        if not isinstance(data[key], (str, int, float)) or isinstance(data[key], bool):
            self.add(_join(path, key), "expected text", data[key])
            return None
        return str(data[key])


def _parses(text: str) -> bool:
    try:
        return isinstance(ureg.Quantity(text), pint.Quantity)
    except Exception:  # noqa: BLE001 - the bound itself is validated and reported later
        return False


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- parsing


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Raises
    ------
    ScenarioError
        For a missing or unreadable file, YAML syntax errors, or any invalid field.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read file: {exc.strerror}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(str(path), where, f"YAML syntax error: {problem}")]) from None
    return parse_scenario(data, file=str(path))


def parse_scenario(data: Any, file: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping (as loaded from YAML) into a :class:`Scenario`."""
    c = _Checker(file)
    top = c.keys(data, TOP_KEYS, "")
    if not top and not c.problems:
        c.add("", "the scenario is empty", None, ", ".join(sorted(TOP_KEYS)))
    for k in REQUIRED_TOP:
        if top and top.get(k) is None:
            c.add(k, "missing required field", None, _REQUIRED_HINT[k])

    name = c.text(top, "name", "") or ""
    location = c.text(top, "location", "") or ""
    description = c.text(top, "description", "") or ""
    utilization = c.number(top, "utilization", "", 0.0, 1.0)
    pue = c.number(top, "pue", "", 1.0, math.inf)
    wue = c.quantity(top, "wue", "", "water_intensity")
    period = c.quantity(top, "period", "", "time")
    if period is not None and period.magnitude == 0:
        c.add("period", "must be longer than zero", top["period"])
        period = None
    lifetime = c.quantity(top, "lifetime", "", "time")
    gwp_metric = c.text(top, "gwp_metric", "") or "AR5GWP100"

    fleet = _parse_fleet(c, top.get("fleet"))
    if any(g.count is not None for g in fleet) and period is None and "period" not in top:
        c.add("period", "required when a fleet group is given by count", None, "a duration such as '1 year'")
    supply = _parse_supply(c, top.get("supply"))
    claims = _parse_claims(c, top.get("claims"))
    sources = _parse_sources(c, top.get("sources"))

    if c.problems:
        raise ScenarioError(c.problems)
    assert utilization is not None and pue is not None and wue is not None
    return Scenario(
        name=name, location=location, description=description, fleet=tuple(fleet),
        utilization=utilization, pue=pue, wue=wue, supply=supply, period=period,
        lifetime=lifetime, gwp_metric=gwp_metric, claims=tuple(claims), sources=tuple(sources),
        uncertain=tuple(c.uncertain.items()),
        file=file, raw=data if isinstance(data, dict) else {},
    )


_REQUIRED_HINT = {
    "name": "text, e.g. 'xAI Colossus, Memphis'",
    "fleet": "a list of groups, e.g. [{accelerator: h100-sxm, count: 100000}]",
    "utilization": "a number from 0 to 1",
    "pue": "a number >= 1, e.g. 1.2",
    "wue": "water per IT energy, e.g. '1.8 L/kWh'",
    "supply": "a mapping with 'grid' (an id from pipeline/data/grids.csv) or both intensity overrides",
}


def _parse_fleet(c: _Checker, data: Any) -> list[FleetGroup]:
    if data is None:
        return []
    if not isinstance(data, list) or not data:
        c.add("fleet", "expected a non-empty list of accelerator groups", data)
        return []
    groups = []
    valid_acc = ref.ids("accelerators")
    for i, item in enumerate(data):
        path = _join("fleet", i)
        g = c.keys(item, GROUP_KEYS, path)
        if not g:
            continue
        acc = c.text(g, "accelerator", path)
        if acc is None:
            c.add(_join(path, "accelerator"), "missing required field", None, ", ".join(valid_acc))
        elif acc not in valid_acc:
            hint = ref.nearest(acc, valid_acc)
            c.add(_join(path, "accelerator"), "unknown accelerator" + (f"; did you mean {hint!r}?" if hint else ""),
                  acc, ", ".join(valid_acc))
        count = c.number(g, "count", path, 0.0, math.inf, lo_open=True)
        hours = c.quantity(g, "accelerator_hours", path, "time")
        if ("count" in g) == ("accelerator_hours" in g):
            c.add(path, "give exactly one of 'count' or 'accelerator_hours'", None,
                  "count: 100000  or  accelerator_hours: '3.3e6 h'")
        groups.append(FleetGroup(
            accelerator=acc or "", count=count, accelerator_hours=hours,
            power=c.quantity(g, "power", path, "power"),
            idle_power=c.quantity(g, "idle_power", path, "power"),
            host_power=c.quantity(g, "host_power", path, "power"),
            embodied=c.quantity(g, "embodied", path, "carbon_mass"),
            label=c.text(g, "label", path) or "",
        ))
        p, idle = groups[-1].power, groups[-1].idle_power
        if p is not None and idle is not None and idle > p:
            c.add(_join(path, "idle_power"), "is above the full-load power", g["idle_power"],
                  f"at most power ({g['power']})")
    return groups


def _intensity(c: _Checker, data: dict[str, Any], key: str, path: str) -> pint.Quantity | None:
    """A carbon intensity; 'g/kWh' without CO2e is read as g CO2e/kWh (the contract's example)."""
    if key not in data or data[key] is None:
        return None
    raw = data[key]
    if isinstance(raw, dict):
        def one(m: dict[str, Any], k: str, p: str) -> float | None:
            q = _intensity(c, m, k, p)
            return None if q is None else float(q.m_as("g CO2e / kWh"))

        central = c.distribution(data, key, path, one, "g CO2e / kWh")
        return None if central is None else Q_(central, "g CO2e / kWh")
    allowed = "a carbon intensity such as '429 g CO2e/kWh' (or '429 g/kWh', read as CO2e)"
    try:
        q = ureg.Quantity(raw) if isinstance(raw, str) else None
    except Exception:  # noqa: BLE001 - reported below
        q = None
    if isinstance(q, pint.Quantity) and q.dimensionality == (ureg.g / ureg.kWh).dimensionality:
        q = q * ureg.CO2e
    if not isinstance(q, pint.Quantity) or q.dimensionality != (ureg.g * ureg.CO2e / ureg.kWh).dimensionality:
        c.add(_join(path, key), "expected a carbon intensity", raw, allowed)
        return None
    if not _finite(q.magnitude) or q.magnitude < 0:
        c.add(_join(path, key), "must be a finite, non-negative number", raw)
        return None
    return q


def _parse_supply(c: _Checker, data: Any) -> Supply:
    if data is None:
        return Supply()
    s = c.keys(data, SUPPLY_KEYS, "supply")
    grid = c.text(s, "grid", "supply")
    if grid is not None and grid not in ref.ids("grids"):
        valid = ref.ids("grids")
        hint = ref.nearest(grid, valid)
        c.add("supply.grid", "unknown grid" + (f"; did you mean {hint!r}?" if hint else ""), grid, ", ".join(valid))
    mix: list[tuple[str, float]] = []
    if s.get("mix") is not None:
        if grid is not None:
            c.add("supply.mix", "give either 'grid' or 'mix', not both", None)
        m = s["mix"]
        valid = ref.ids("technologies")
        if not isinstance(m, dict) or not m:
            c.add("supply.mix", "expected a mapping of technology -> share", m, "e.g. {nuclear: 0.4, gas: 0.6}")
        else:
            for tech in m:
                if str(tech) not in valid:
                    hint = ref.nearest(str(tech), valid)
                    c.add(f"supply.mix.{tech}", "unknown technology" + (f"; did you mean {hint!r}?" if hint else ""),
                          tech, ", ".join(valid))
                    continue
                share = c.number(m, tech, "supply.mix", 0.0, 1.0)
                if share is not None:
                    mix.append((str(tech), share))
            total = sum(sh for _, sh in mix)
            if mix and len(mix) == len(m) and abs(total - 1) > 1e-6:
                c.add("supply.mix", f"shares sum to {total:g}; they must sum to 1", m)
    gi = _intensity(c, s, "grid_intensity", "supply")
    gw = c.quantity(s, "grid_water_intensity", "supply", "water_intensity")
    onsite_tech, onsite_share = None, 0.0
    if s.get("onsite") is not None:
        o = c.keys(s["onsite"], ONSITE_KEYS, "supply.onsite")
        onsite_tech = c.text(o, "technology", "supply.onsite")
        valid = ref.ids("onsite")
        if onsite_tech is None and o:
            c.add("supply.onsite.technology", "missing required field", None, ", ".join(valid))
        elif onsite_tech is not None and onsite_tech not in valid:
            hint = ref.nearest(onsite_tech, valid)
            c.add("supply.onsite.technology", "unknown on-site technology" + (f"; did you mean {hint!r}?" if hint else ""),
                  onsite_tech, ", ".join(valid))
        onsite_share = c.number(o, "share", "supply.onsite", 0.0, 1.0) or 0.0
        if o and "share" not in o:
            c.add("supply.onsite.share", "missing required field", None, "a number from 0 to 1")
    ppa_share, ppa_int = 0.0, None
    if s.get("ppa") is not None:
        pp = c.keys(s["ppa"], PPA_KEYS, "supply.ppa")
        ppa_share = c.number(pp, "share", "supply.ppa", 0.0, 1.0) or 0.0
        ppa_int = _intensity(c, pp, "intensity", "supply.ppa")
    if s and grid is None and not mix and onsite_share < 1.0 and (gi is None or gw is None):
        missing = [k for k, v in (("grid_intensity", gi), ("grid_water_intensity", gw)) if v is None]
        c.add("supply.grid", "required unless both grid_intensity and grid_water_intensity are given "
              f"(missing {', '.join(missing)})", None, "an id from pipeline/data/grids.csv, e.g. us-srtv")
    return Supply(grid=grid, grid_intensity=gi, grid_water_intensity=gw, onsite_technology=onsite_tech,
                  onsite_share=onsite_share, ppa_share=ppa_share, ppa_intensity=ppa_int, mix=tuple(mix))


def _parse_claims(c: _Checker, data: Any) -> list[Claim]:
    if data is None:
        return []
    if not isinstance(data, list):
        c.add("claims", "expected a list of {metric, value, source}", data)
        return []
    claims = []
    for i, item in enumerate(data):
        path = _join("claims", i)
        d = c.keys(item, CLAIM_KEYS, path)
        if not d:
            continue
        metric = c.text(d, "metric", path)
        if metric not in METRIC_DIMENSIONS:
            hint = ref.nearest(str(metric), list(METRIC_DIMENSIONS))
            c.add(_join(path, "metric"), "unknown metric" + (f"; did you mean {hint!r}?" if hint else ""),
                  metric, ", ".join(METRIC_DIMENSIONS))
            continue
        dim = METRIC_DIMENSIONS[metric]
        value = _claim_value(c, d, path, dim)
        source = c.text(d, "source", path)
        if source is None:
            c.add(_join(path, "source"), "missing required field", None, "where the figure was published")
        if value is not None and source is not None:
            claims.append(Claim(metric=metric, value=value, source=source, note=c.text(d, "note", path) or ""))
    return claims


def _claim_value(c: _Checker, d: dict[str, Any], path: str, dim: str) -> pint.Quantity | None:
    if dim in ("energy_rate", "mass"):
        want = {"energy_rate": ureg.MWh / ureg.day, "mass": ureg.t}[dim]
        try:
            q = ureg.Quantity(str(d.get("value")))
            if not isinstance(q, pint.Quantity) or q.dimensionality != want.dimensionality:
                raise ValueError
            return q
        except Exception:  # noqa: BLE001
            c.add(_join(path, "value"), f"expected a quantity like '1 {want.units:~}'", d.get("value"))
            return None
    if dim == "carbon_mass" and isinstance(d.get("value"), str) and "CO2" not in d["value"]:
        c.add(_join(path, "value"), "CO2e figures need the CO2e unit", d["value"], "e.g. '500000 t CO2e'")
        return None
    if d.get("value") is None:
        c.add(_join(path, "value"), "missing required field", None, f"a {dim} quantity")
        return None
    return c.quantity(d, "value", path, dim)


def _parse_sources(c: _Checker, data: Any) -> list[tuple[str, str]]:
    if data is None:
        return []
    if not isinstance(data, dict):
        c.add("sources", "expected a mapping of field path -> citation", data)
        return []
    return [(str(k), str(v)) for k, v in data.items()]


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class ResolvedGroup:
    """Quantities of one group after defaults from the reference data are applied."""

    accelerator: str
    label: str
    count: pint.Quantity  # NaN when given in accelerator-hours
    accelerator_hours: pint.Quantity  # NaN when given by count
    full_power: pint.Quantity
    idle_power: pint.Quantity
    host_power: pint.Quantity
    embodied: pint.Quantity  # per accelerator incl. host share; NaN when no data


@dataclass(frozen=True)
class ResolvedScenario:
    """Everything the stages need for one scenario, and every factor used."""

    scenario: Scenario
    groups: tuple[ResolvedGroup, ...]
    period: pint.Quantity  # NaN when absent
    grid_intensity: pint.Quantity
    grid_water_intensity: pint.Quantity
    onsite_intensity: pint.Quantity
    onsite_water_intensity: pint.Quantity
    onsite_nox: pint.Quantity
    ppa_intensity: pint.Quantity
    lifetime: pint.Quantity
    assumptions: tuple[ref.Factor, ...]
    uncertain: tuple[Uncertain, ...] = ()


#: Scenario paths that may be ranges, and the stage-input array each one sets.
UNCERTAIN_FIELDS: dict[str, tuple[str, str]] = {
    "utilization": ("utilization", "set"), "pue": ("pue", "set"), "wue": ("wue", "set"), "period": ("period", "set"),
    "lifetime": ("lifetime", "set"), "supply.grid_intensity": ("grid_intensity", "set"),
    "supply.grid_water_intensity": ("grid_water_intensity", "set"), "supply.onsite.share": ("onsite_share", "set"),
    "supply.ppa.share": ("ppa_share", "set"), "supply.ppa.intensity": ("ppa_intensity", "set"),
}
GROUP_UNCERTAIN_FIELDS: dict[str, tuple[str, str]] = {
    "count": ("count", "set"), "accelerator_hours": ("accelerator_hours", "set"), "power": ("full_power", "set"),
    "idle_power": ("idle_power", "set"), "host_power": ("host_power", "set"), "embodied": ("embodied", "add"),
}


def _user_uncertain(scenario: Scenario, problems: list[Problem]) -> list[Uncertain]:
    """The scenario's ranged inputs as :class:`Uncertain` items (unsupported paths are problems)."""
    out = []
    cited = dict(scenario.sources)
    for path, dist in scenario.uncertain:
        head, _, field = path.partition("].")
        if path in UNCERTAIN_FIELDS:
            target, how = UNCERTAIN_FIELDS[path]
            targets: tuple[tuple[str, int | None], ...] = ((target, None),)
        elif path.startswith("fleet[") and field in GROUP_UNCERTAIN_FIELDS:
            target, how = GROUP_UNCERTAIN_FIELDS[field]
            targets = ((target, int(head[len("fleet["):])),)
        else:
            problems.append(Problem(scenario.file, path, "a range is not supported for this field", None,
                                    ", ".join([*UNCERTAIN_FIELDS, *(f"fleet[i].{k}" for k in GROUP_UNCERTAIN_FIELDS)])))
            continue
        out.append(Uncertain(path, dist, targets, how, source=cited.get(path, "scenario input")))
    return out


def _ranged(f: ref.Factor, targets: tuple[tuple[str, int | None], ...], how: str = "set", weight: float = 1.0) -> list[Uncertain]:
    """A reference factor's published range as a triangular distribution around its value (if it has one)."""
    if f.low is None or f.high is None:
        return []
    unit = f"{f.quantity.units:D}"
    lo, mid, hi = float(f.low.m_as(unit)), float(f.quantity.m_as(unit)), float(f.high.m_as(unit))
    if not lo <= mid <= hi or lo == hi:
        return []
    return [Uncertain(f.name, Dist("triangular", lo, hi, unit, mode=mid), targets, how, weight, f.source)]


def _user(name: str, q: pint.Quantity | float, scenario: Scenario, key: str) -> ref.Factor:
    cited = dict(scenario.sources)
    quantity = q if isinstance(q, pint.Quantity) else Q_(q, "")
    return ref.Factor(name=name, quantity=quantity, source=cited.get(key, "scenario input"),
                      file=Path(scenario.file).name, status="input")


def resolve(scenario: Scenario) -> ResolvedScenario:
    """Apply reference-data defaults to a scenario and record every factor used.

    Raises
    ------
    ScenarioError
        When a factor the scenario needs does not exist (e.g. a grid without a water intensity
        and no override): never a silent fallback.
    """
    facts: list[ref.Factor] = []
    problems: list[Problem] = []
    uncertain: list[Uncertain] = _user_uncertain(scenario, problems)
    nan = float("nan")

    facts += [
        _user("utilization", scenario.utilization, scenario, "utilization"),
        _user("pue", scenario.pue, scenario, "pue"),
        _user("wue", scenario.wue, scenario, "wue"),
    ]
    if scenario.period is not None:
        facts.append(_user("period", scenario.period, scenario, "period"))

    server_embodied = ref.default("server_embodied")
    per_server = ref.default("accelerators_per_server")
    host_embodied = server_embodied.quantity / per_server.quantity
    used_host_embodied = False

    groups = []
    for i, g in enumerate(scenario.fleet):
        data = ref.factors("accelerators", "accelerator", g.accelerator)
        path = f"fleet[{i}]"

        full = _pick(g.power, data, "tdp", f"{path}.power", scenario, facts, problems)
        idle = _pick(g.idle_power, data, "idle_power", f"{path}.idle_power", scenario, facts, problems)
        host = _pick(g.host_power, data, "host_power", f"{path}.host_power", scenario, facts, problems)
        for param, target, given in (("tdp", "full_power", g.power), ("idle_power", "idle_power", g.idle_power),
                                     ("host_power", "host_power", g.host_power)):
            if given is None and param in data:
                uncertain += _ranged(data[param], ((target, i),))
        if g.embodied is not None:
            facts.append(_user(f"{path}.embodied", g.embodied, scenario, f"{path}.embodied"))
            emb = g.embodied + host_embodied
            used_host_embodied = True
        elif "embodied" in data:
            facts.append(data["embodied"])
            uncertain += _ranged(data["embodied"], (("embodied", i),), "add")
            emb = data["embodied"].quantity + host_embodied
            used_host_embodied = True
        else:
            emb = Q_(nan, "kg CO2e")
            facts.append(ref.Factor(name=f"accelerator.{g.accelerator}.embodied", quantity=Q_(nan, "kg CO2e"),
                                    source="no published embodied carbon for this accelerator: co2e_embodied is "
                                    "not reported for this scenario", file="accelerators.csv", status="missing"))
        if full.magnitude == full.magnitude and idle > full:
            problems.append(Problem(scenario.file, f"{path}.idle_power", "idle power is above full-load power",
                                    f"{idle:~}", f"at most {full:~}"))
        groups.append(ResolvedGroup(
            accelerator=g.accelerator, label=g.label or _accelerator_name(g.accelerator),
            count=Q_(g.count if g.count is not None else nan, ""),
            accelerator_hours=g.accelerator_hours if g.accelerator_hours is not None else Q_(nan, "h"),
            full_power=full, idle_power=idle, host_power=host, embodied=emb,
        ))
    if used_host_embodied:
        facts += [server_embodied, per_server]

    lifetime_f = (_user("lifetime", scenario.lifetime, scenario, "lifetime") if scenario.lifetime is not None
                  else ref.default("hardware_lifetime"))
    facts.append(lifetime_f)
    if scenario.lifetime is None:
        uncertain += _ranged(lifetime_f, (("lifetime", None),))

    s = scenario.supply
    grid_rows = ref.factors("grids", "grid", s.grid) if s.grid else {}
    if s.mix:
        techs, shares = [t for t, _ in s.mix], [sh for _, sh in s.mix]
        for parameter, key in (("co2e_intensity", "co2e_intensity"), ("water_consumption", "water_intensity")):
            derived, tech_facts = mix_factor(techs, shares, parameter, f"supply.mix.{key}", "scenario supply.mix",
                                             "technologies.csv")
            facts.extend(tech_facts)
            grid_rows[key] = derived
            target = "grid_intensity" if key == "co2e_intensity" else "grid_water_intensity"
            for f, sh in zip(tech_facts, shares, strict=True):
                uncertain += _ranged(f, ((target, None),), "add", sh)
    needs_grid = s.onsite_share < 1.0
    # carbon intensity of grid electricity
    if s.grid_intensity is not None:
        facts.append(_user("supply.grid_intensity", s.grid_intensity, scenario, "supply.grid_intensity"))
        gi = s.grid_intensity
    elif "co2e_intensity" in grid_rows:
        facts.append(grid_rows["co2e_intensity"])
        if not s.mix:
            uncertain += _ranged(grid_rows["co2e_intensity"], (("grid_intensity", None),))
        gi = grid_rows["co2e_intensity"].quantity
    elif needs_grid:
        problems.append(Problem(scenario.file, "supply.grid_intensity",
                                f"grid {s.grid!r} has no CO2e intensity in grids.csv; give supply.grid_intensity"))
        gi = Q_(nan, "g CO2e/kWh")
    else:
        gi = Q_(nan, "g CO2e/kWh")
    # water intensity of grid electricity
    if s.grid_water_intensity is not None:
        facts.append(_user("supply.grid_water_intensity", s.grid_water_intensity, scenario, "supply.grid_water_intensity"))
        gw = s.grid_water_intensity
    elif "water_intensity" in grid_rows:
        facts.append(grid_rows["water_intensity"])
        if not s.mix:
            uncertain += _ranged(grid_rows["water_intensity"], (("grid_water_intensity", None),))
        gw = grid_rows["water_intensity"].quantity
    elif s.grid and not ref.grid_mix(s.grid).empty:
        mix_water, mix_facts = mix_water_intensity(s.grid)
        facts += mix_facts + [mix_water]
        for tech, share in zip(mix_facts, ref.grid_mix(s.grid)["share"], strict=True):
            uncertain += _ranged(tech, (("grid_water_intensity", None),), "add", float(share))
        gw = mix_water.quantity
    elif needs_grid:
        problems.append(Problem(scenario.file, "supply.grid_water_intensity",
                                f"grid {s.grid!r} has no water intensity or generation mix in the data; "
                                "give supply.grid_water_intensity (e.g. '3.14 L/kWh', US average)"))
        gw = Q_(nan, "L/kWh")
    else:
        gw = Q_(nan, "L/kWh")
    if not needs_grid:
        gi, gw = Q_(0.0, "g CO2e/kWh"), Q_(0.0, "L/kWh")  # no grid energy: factors unused

    # on-site generation
    if s.onsite_technology and s.onsite_share > 0:
        oi, ow, onox, ofacts = onsite_factors(s.onsite_technology, scenario.gwp_metric)
        facts += ofacts
        uncertain += _ranged(ofacts[0], (("onsite_intensity", None), ("onsite_nox", None)), "scale")
        facts.append(_user("supply.onsite.share", s.onsite_share, scenario, "supply.onsite.share"))
    else:
        oi, ow, onox = Q_(0.0, "g CO2e/kWh"), Q_(0.0, "L/kWh"), Q_(0.0, "g/kWh")

    # renewable purchases
    if s.ppa_share > 0:
        facts.append(_user("supply.ppa.share", s.ppa_share, scenario, "supply.ppa.share"))
        if s.ppa_intensity is not None:
            facts.append(_user("supply.ppa.intensity", s.ppa_intensity, scenario, "supply.ppa.intensity"))
            pi = s.ppa_intensity
        else:
            f = ref.default("ppa_intensity")
            facts.append(f)
            pi = f.quantity
        facts.append(ref.Factor(
            name="market_based.residual_intensity", quantity=gi,
            source="no residual-mix factor is shipped: unmatched grid energy is counted at the grid-average "
            "(location-based) intensity, which tends to understate market-based CO2e (GHG Protocol Scope 2 "
            "Guidance 2015, section 6.11, prefers a residual mix)", file="method", status="assumed"))
    else:
        pi = Q_(0.0, "g CO2e/kWh")

    if problems:
        raise ScenarioError(problems)
    return ResolvedScenario(
        scenario=scenario, groups=tuple(groups),
        period=scenario.period if scenario.period is not None else Q_(nan, "year"),
        grid_intensity=gi.to("g CO2e/kWh"), grid_water_intensity=gw.to("L/kWh"),
        onsite_intensity=oi.to("g CO2e/kWh"), onsite_water_intensity=ow.to("L/kWh"), onsite_nox=onox.to("g/kWh"),
        ppa_intensity=pi.to("g CO2e/kWh"), lifetime=lifetime_f.quantity,
        assumptions=tuple(_dedupe(facts)), uncertain=tuple(uncertain),
    )


def _pick(user: pint.Quantity | None, data: dict[str, ref.Factor], param: str, path: str, scenario: Scenario,
          facts: list[ref.Factor], problems: list[Problem]) -> pint.Quantity:
    """The user's value if given, else the accelerator's reference value; records which."""
    if user is not None:
        facts.append(_user(path, user, scenario, path))
        return user
    if param not in data:
        problems.append(Problem(scenario.file, path, f"no {param} for this accelerator in accelerators.csv; "
                                "give it in the scenario"))
        return Q_(float("nan"), "W")
    facts.append(data[param])
    return data[param].quantity


def _accelerator_name(id_: str) -> str:
    df = ref.table("accelerators")
    names = df.loc[df["id"] == id_, "name"]
    return str(names.iloc[0]) if len(names) else id_


def _dedupe(facts: list[ref.Factor]) -> list[ref.Factor]:
    seen: dict[str, ref.Factor] = {}
    for f in facts:
        seen.setdefault(f.name, f)
    return list(seen.values())


def mix_factor(technologies: list[str], shares: list[float], parameter: str, name: str, origin: str,
               file: str, year: str = "") -> tuple[ref.Factor, list[ref.Factor]]:
    """A grid intensity from a generation mix: ``sum(share_i * factor_i)`` of one technology parameter.

    ``parameter`` is ``co2e_intensity`` (lifecycle, IPCC AR5 medians) or ``water_consumption``.
    Returns the derived factor and the technology factors it used.  Raises UnknownIdError or
    ScenarioError when a technology or its factor is missing.
    """
    from pipeline.stages.mix import mix_intensity  # stage function; no data access there

    techs = []
    for t in technologies:
        rows = ref.factors("technologies", "technology", t)
        if parameter not in rows:
            raise ScenarioError([Problem("technologies.csv", t, f"no {parameter} factor for technology {t!r}",
                                         None, "use technologies that have one (clusterprint data technologies)")])
        techs.append(rows[parameter])
    value = mix_intensity(Q_(shares, ""), [f.quantity for f in techs])
    value = value.to("L/kWh") if parameter == "water_consumption" else value.to("g CO2e/kWh")
    desc = ", ".join(f"{t} {sh:.0%}" for t, sh in zip(technologies, shares, strict=True))
    basis = "" if parameter == "water_consumption" else "; lifecycle basis, IPCC AR5 medians"
    derived = ref.Factor(name=name, quantity=value, file=file, year=year, status="calc",
                         source=f"derived: generation mix ({desc}; {origin}) x technology {parameter}{basis}")
    return derived, techs


def mix_water_intensity(grid: str) -> tuple[ref.Factor, list[ref.Factor]]:
    """Water intensity of a grid from its shipped generation mix [L/kWh], and the factors used."""
    mix = ref.grid_mix(grid)
    origin = "; ".join(sorted(set(mix["source"].astype(str))))
    return mix_factor(list(mix["technology"]), [float(x) for x in mix["share"]], "water_consumption",
                      f"grid.{grid}.water_intensity", origin, "grid_mixes.csv + technologies.csv", str(mix["year"].iloc[0]))


def onsite_factors(technology: str, gwp_metric: str) -> tuple[pint.Quantity, pint.Quantity, pint.Quantity, list[ref.Factor]]:
    """CO2e, water and NOx per kWh of an on-site plant, and the factors used."""
    from pipeline.stages.carbon import combustion_intensity, pollutant_per_energy

    plant = ref.factors("onsite", "on-site technology", technology)
    df = ref.table("onsite")
    fuel_id = str(df.loc[df["id"] == technology, "fuel"].iloc[0])
    fuel = ref.factors("fuels", "fuel", fuel_id)
    g_ch4, g_n2o = ref.gwp("CH4", gwp_metric), ref.gwp("N2O", gwp_metric)
    heat_rate = plant["heat_rate"]
    intensity = combustion_intensity(heat_rate.quantity, fuel["co2_per_heat"].quantity, fuel["ch4_per_heat"].quantity,
                                     fuel["n2o_per_heat"].quantity, g_ch4.quantity, g_n2o.quantity)
    facts = [heat_rate, fuel["co2_per_heat"], fuel["ch4_per_heat"], fuel["n2o_per_heat"], g_ch4, g_n2o]
    if "water_consumption" not in plant:
        raise ScenarioError([Problem("onsite.csv", technology, "no water_consumption factor for this technology")])
    facts.append(plant["water_consumption"])
    nox = Q_(0.0, "g/kWh")
    if "nox_per_heat" in fuel:
        nox = pollutant_per_energy(heat_rate.quantity, fuel["nox_per_heat"].quantity)
        facts.append(fuel["nox_per_heat"])
    return intensity, plant["water_consumption"].quantity, nox, facts


# --------------------------------------------------------------------------- arrays for the stages


@dataclass(frozen=True)
class GroupArrays:
    """Per-group inputs of a batch, one array element per accelerator group."""

    scenario: Any  # np.ndarray[int]: index of the scenario each group belongs to
    count: pint.Quantity  # [] NaN where given in accelerator-hours
    accelerator_hours: pint.Quantity  # [h] NaN where given by count
    full_power: pint.Quantity  # [W]
    idle_power: pint.Quantity  # [W]
    host_power: pint.Quantity  # [W]
    embodied: pint.Quantity  # [kg CO2e] per accelerator incl. host share


@dataclass(frozen=True)
class ScenarioArrays:
    """Per-scenario inputs of a batch, one array element per scenario."""

    utilization: pint.Quantity  # []
    period: pint.Quantity  # [h], NaN where absent
    pue: pint.Quantity  # []
    wue: pint.Quantity  # [L/kWh]
    grid_intensity: pint.Quantity  # [g CO2e/kWh]
    grid_water_intensity: pint.Quantity  # [L/kWh]
    onsite_share: pint.Quantity  # []
    onsite_intensity: pint.Quantity  # [g CO2e/kWh]
    onsite_water_intensity: pint.Quantity  # [L/kWh]
    onsite_nox: pint.Quantity  # [g/kWh]
    ppa_share: pint.Quantity  # []
    ppa_intensity: pint.Quantity  # [g CO2e/kWh]
    lifetime: pint.Quantity  # [h]

    def __len__(self) -> int:
        return len(self.pue.magnitude)


def to_arrays(resolved: list[ResolvedScenario]) -> tuple[ScenarioArrays, GroupArrays]:
    """Stack resolved scenarios into the column arrays the stages take (no arithmetic)."""
    import numpy as np

    def col(values: list[Any], unit: str) -> pint.Quantity:
        return Q_(np.array([v.m_as(unit) if isinstance(v, pint.Quantity) else float(v) for v in values],
                           dtype=float), unit)

    rs = resolved
    groups = [(i, g) for i, r in enumerate(rs) for g in r.groups]
    sa = ScenarioArrays(
        utilization=col([r.scenario.utilization for r in rs], ""),
        period=col([r.period for r in rs], "h"),
        pue=col([r.scenario.pue for r in rs], ""),
        wue=col([r.scenario.wue for r in rs], "L/kWh"),
        grid_intensity=col([r.grid_intensity for r in rs], "g CO2e/kWh"),
        grid_water_intensity=col([r.grid_water_intensity for r in rs], "L/kWh"),
        onsite_share=col([r.scenario.supply.onsite_share for r in rs], ""),
        onsite_intensity=col([r.onsite_intensity for r in rs], "g CO2e/kWh"),
        onsite_water_intensity=col([r.onsite_water_intensity for r in rs], "L/kWh"),
        onsite_nox=col([r.onsite_nox for r in rs], "g/kWh"),
        ppa_share=col([r.scenario.supply.ppa_share for r in rs], ""),
        ppa_intensity=col([r.ppa_intensity for r in rs], "g CO2e/kWh"),
        lifetime=col([r.lifetime for r in rs], "h"),
    )
    ga = GroupArrays(
        scenario=np.array([i for i, _ in groups], dtype=np.intp),
        count=col([g.count for _, g in groups], ""),
        accelerator_hours=col([g.accelerator_hours for _, g in groups], "h"),
        full_power=col([g.full_power for _, g in groups], "W"),
        idle_power=col([g.idle_power for _, g in groups], "W"),
        host_power=col([g.host_power for _, g in groups], "W"),
        embodied=col([g.embodied for _, g in groups], "kg CO2e"),
    )
    return sa, ga
