"""Result types, plain data: metrics as pint Quantities, the inputs as resolved, provenance, claim checks.

Everything a report shows is here already computed: sensitivities, derived metrics, factors.  The
report layer reads these objects and never runs the chain.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pint

from pipeline import reference as ref
from pipeline.distributions import Dist, UncertainInput
from pipeline.metrics import HOURLY_METRIC_BY_NAME, HOURLY_METRICS, METRIC_BY_NAME, METRICS, MetricSpec
from pipeline.units import unit_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["METRICS", "METRIC_BY_NAME", "ClaimCheck", "GroupInfo", "HourlyResult", "MetricSpec", "PhaseResult", "Results",
           "ScenarioInfo", "check_claim", "BatchResult"]
Which = Literal["value", "low", "high", "central"]
Swing = tuple[str, pint.Quantity, pint.Quantity]


@dataclass(frozen=True)
class GroupInfo:
    """One accelerator group as resolved: what the fleet table of a report shows."""

    accelerator: str
    label: str
    count: float  # NaN when given in accelerator-hours
    full_power: pint.Quantity
    idle_power: pint.Quantity
    host_power: pint.Quantity


@dataclass(frozen=True)
class ScenarioInfo:
    """One scenario's inputs as given and resolved (display data for reports and JSON)."""

    name: str
    location: str
    description: str
    file: str
    period: pint.Quantity | None
    utilization: float
    pue: float
    wue: pint.Quantity
    grid: str | None
    mix: tuple[tuple[str, float], ...] | None
    onsite_technology: str | None
    supplier: str | None
    onsite_share: float
    carbon_basis: str | None  # "direct" or "lifecycle"; None where the grid intensity is the user's own
    ppa_share: float
    groups: tuple[GroupInfo, ...]
    claims: tuple[Any, ...] = ()
    ranges: dict[str, Dist] = field(default_factory=dict)  # field path -> distribution of ranged inputs
    document: dict[str, Any] = field(default_factory=dict)  # the input as given

    @property
    def by_hours(self) -> bool:
        """True when any group is given in accelerator-hours (power figures are then absent)."""
        return any(g.count != g.count for g in self.groups)





def output_unit(unit: str) -> str:
    """A unit as written in JSON and CSV outputs: readable, and still parsed by pint (``m ** 3 / day`` -> ``m³ / day``).

    >>> output_unit("m ** 3"), output_unit("m ** 3 / day"), output_unit("t CO2e"), output_unit("MWh / day"), output_unit("")
    ('m³', 'm³ / day', 't CO2e', 'MWh / day', '')
    >>> output_unit("liter / kilowatt_hour"), output_unit("US_liquid_gallon / megawatt_hour")
    ('L / kWh', 'US gal / MWh')
    """
    if not unit:
        return ""
    return unit_text(unit).replace("^2", "²").replace("^3", "³")


def metric_column(name: str, unit: str, which: str = "") -> str:
    """The CSV column of a metric: ``water_onsite [m³]``; ``which`` (``P5``, ``P95``) goes before the unit.

    >>> metric_column("water_onsite", "m ** 3"), metric_column("energy", "MWh", "P95")
    ('water_onsite [m³]', 'energy P95 [MWh]')
    """
    return f"{name}{' ' + which if which else ''} [{output_unit(unit)}]"


def _metric_records(get: Any) -> dict[str, dict[str, Any]]:
    """``{name: {"value", "unit", "low", "high"}}`` of every metric that applies (``get(name, which)``)."""
    metrics = {}
    for spec in METRICS:
        q = get(spec.name, "value")
        if q is not None:
            lo, hi = get(spec.name, "low"), get(spec.name, "high")
            metrics[spec.name] = {"value": float(q.magnitude), "unit": output_unit(spec.unit),
                                  "low": float(lo.magnitude) if lo is not None else float(q.magnitude),
                                  "high": float(hi.magnitude) if hi is not None else float(q.magnitude)}
    return metrics


@dataclass(frozen=True)
class PhaseResult:
    """One dated phase of a timeline: its dates (``end`` exclusive), inputs as resolved and metrics.

    ``metrics`` (P50 with draws), ``low``/``high`` (P5/P95) and ``central`` map metric -> a scalar Quantity
    in the metric's output unit (NaN where it does not apply).  Without draws, the phases' energies, water,
    CO2e, pollutants and damages add up exactly to the scenario's; with draws each phase's percentiles are
    its own (percentiles do not add up).
    """

    name: str
    start: dt.date
    end: dt.date
    info: ScenarioInfo
    metrics: dict[str, pint.Quantity]
    low: dict[str, pint.Quantity]
    high: dict[str, pint.Quantity]
    central: dict[str, pint.Quantity]

    @property
    def days(self) -> int:
        """Length of the phase in days (``end - start``)."""
        return (self.end - self.start).days

    def metric(self, name: str, which: Which = "value") -> pint.Quantity | None:
        """The phase's value of a metric in its output unit, or None when it does not apply."""
        source = {"value": self.metrics, "low": self.low, "high": self.high, "central": self.central}[which]
        if name not in source:
            return None
        q = source[name].to(METRIC_BY_NAME[name].unit)
        return None if math.isnan(q.magnitude) else q

    def record(self) -> dict[str, Any]:
        """The phase in the ``--json`` contract: name, dates, days and metrics."""
        return {"name": self.name, "start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days,
                "metrics": _metric_records(self.metric)}


@dataclass(frozen=True)
class HourlyResult:
    """What an hourly run adds to a scenario (``resolution: hourly``): its hourly-only metrics, monthly sums and,
    when kept, the hours themselves.

    ``metrics`` maps a name of :data:`pipeline.metrics.HOURLY_METRICS` -> a scalar Quantity (NaN: does not
    apply, e.g. ``cfe_share`` without an hourly grid profile); with draws it is the P50 over the draws and
    ``low``/``high`` the P5/P95 (empty without draws: the range is the value).  ``monthly`` maps a column name
    (``energy [MWh]`` ...) -> 12 values, months of the UTC hours; ``hours`` the same for 8,760 hours (``hour`` =
    UTC start), or None; both are at the central values of ranged inputs.
    """

    profile: str | None
    climate: str | None
    cooling: str | None
    ppa_profile: str | None
    metrics: dict[str, pint.Quantity]
    monthly: dict[str, np.ndarray]
    hours: dict[str, np.ndarray] | None = None
    notes: tuple[str, ...] = ()
    low: dict[str, pint.Quantity] = field(default_factory=dict)
    high: dict[str, pint.Quantity] = field(default_factory=dict)

    def metric(self, name: str, which: Literal["value", "low", "high"] = "value") -> pint.Quantity | None:
        """An hourly metric in its output unit (``which``: the value, P50 with draws; ``low``/``high``, P5/P95),
        or None when it does not apply."""
        source = self.metrics if which == "value" else self.low if which == "low" else self.high
        q = source.get(name, self.metrics.get(name))
        if q is None:
            return None
        q = q.to(HOURLY_METRIC_BY_NAME[name].unit)
        return None if math.isnan(q.magnitude) else q

    def record(self, with_hours: bool = False) -> dict[str, Any]:
        """The ``"hourly"`` object of ``--json``: inputs, metrics (value, P5 ``low``, P95 ``high``), monthly sums
        (and the hours with ``with_hours``)."""
        metrics = {}
        for spec in HOURLY_METRICS:
            q = self.metric(spec.name)
            if q is not None:
                lo, hi = self.metric(spec.name, "low"), self.metric(spec.name, "high")
                metrics[spec.name] = {"value": float(q.magnitude), "unit": spec.unit,
                                      "low": float(lo.magnitude) if lo is not None else float(q.magnitude),
                                      "high": float(hi.magnitude) if hi is not None else float(q.magnitude)}
        out: dict[str, Any] = {"resolution": "hourly", "hours": len(next(iter(self.hours.values())))
                               if self.hours else 8760,
                               "profile": self.profile, "climate": self.climate, "cooling": self.cooling,
                               "ppa_profile": self.ppa_profile, "metrics": metrics,
                               "monthly": [{"month": m + 1, **{k: _json_float(v[m]) for k, v in self.monthly.items()}}
                                           for m in range(12)]}
        if self.notes:
            out["notes"] = list(self.notes)
        if with_hours and self.hours is not None:
            out["hourly"] = {k: [_json_float(x) for x in v] if np.asarray(v).dtype.kind == "f" else list(map(str, v))
                             for k, v in self.hours.items()}
        return out


def _json_float(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) else v


@dataclass(frozen=True)
class ClaimCheck:
    """A published claim beside the modelled value."""

    metric: str
    claimed: pint.Quantity
    modelled: pint.Quantity | None
    source: str
    note: str
    ratio: float | None  # claimed / modelled
    tolerance: float
    verdict: str  # "consistent", "within modelled range", "above model", "below model", "not modelled";
    # for a limit: "under the limit", "may exceed the limit", "over the limit"
    low: pint.Quantity | None = None  # P5 of the modelled value, with draws
    high: pint.Quantity | None = None  # P95
    kind: str = "estimate"  # "estimate" (someone's figure for the same quantity) or "limit" (a cap)

    def record(self) -> dict[str, Any]:
        unit = METRIC_BY_NAME[self.metric].unit if self.metric in METRIC_BY_NAME else f"{self.claimed.units:~D}"
        return {
            "metric": self.metric,
            "claimed": float(self.claimed.m_as(unit)),
            "modelled": None if self.modelled is None else float(self.modelled.m_as(unit)),
            "unit": unit,
            "ratio": self.ratio,
            "tolerance": self.tolerance,
            "modelled_low": None if self.low is None else float(self.low.m_as(unit)),
            "modelled_high": None if self.high is None else float(self.high.m_as(unit)),
            "verdict": self.verdict,
            "kind": self.kind,
            "claimed_as": f"{self.claimed.magnitude:g} {unit_text(self.claimed.units)}".strip(),
            "source": self.source,
            **({"note": self.note} if self.note else {}),
        }


def check_claim(claimed: pint.Quantity, modelled: pint.Quantity | None, tolerance: float) -> tuple[float | None, str]:
    """Ratio claimed/modelled and a verdict within a relative tolerance band.

    >>> from pipeline.units import Q_
    >>> check_claim(Q_(150, "MW"), Q_(153, "MW"), 0.25)[1]
    'consistent'
    >>> check_claim(Q_(300, "MW"), Q_(153, "MW"), 0.25)[1]
    'above model'
    """
    if modelled is None:
        return None, "not modelled"
    if modelled.magnitude == 0:  # no ratio; equal only when the claim is zero too
        return None, "consistent" if claimed.magnitude == 0 else "above model"
    ratio = float((claimed / modelled).m_as(""))
    if ratio > 1 + tolerance:
        return ratio, "above model"
    if ratio < 1 - tolerance:
        return ratio, "below model"
    return ratio, "consistent"


def check_limit(limit: pint.Quantity, modelled: pint.Quantity | None, low: pint.Quantity | None,
                high: pint.Quantity | None) -> str:
    """Verdict of a modelled quantity against a cap it must stay under (e.g. a permit's annual limit).

    ``low``/``high`` are the modelled P5/P95 (the central value twice without draws): under the cap when even
    the P95 is, over it when even the P5 is above, else it may exceed it.

    >>> from pipeline.units import Q_
    >>> check_limit(Q_(87, "short_ton"), Q_(40, "t"), Q_(30, "t"), Q_(55, "t"))
    'under the limit'
    >>> check_limit(Q_(87, "short_ton"), Q_(1600, "t"), Q_(1200, "t"), Q_(2100, "t"))
    'over the limit'
    >>> check_limit(Q_(87, "short_ton"), Q_(70, "t"), Q_(50, "t"), Q_(100, "t"))
    'may exceed the limit'
    """
    if modelled is None or low is None or high is None:
        return "not modelled"
    if high <= limit:
        return "under the limit"
    if low > limit:
        return "over the limit"
    return "may exceed the limit"


@dataclass(frozen=True)
class BatchResult:
    """Results of a batch: one row per computed cluster, one row per problem, and the computed inputs."""

    results: pd.DataFrame
    errors: pd.DataFrame
    source: str = "<dataset>"
    table: Any = None  # pipeline.inputs.InputTable of the computed clusters, in results order
    phased: tuple[str, ...] = ()  # clusters computed as several dated phases (their table row is the first phase)


@dataclass(frozen=True)
class Results:
    """Results of a batch of scenarios, as plain data.

    Attributes
    ----------
    scenarios : list of ScenarioInfo
        The inputs as given and resolved.
    metrics : dict of str -> Quantity
        One array per metric, one element per scenario (units as computed; see ``METRICS``
        for the output units).  NaN marks a metric that does not apply (absent in JSON).
        With draws, the P50; ``low``/``high`` are P5/P95 and ``central`` the deterministic run.
    groups : dict of str -> Quantity
        Per accelerator group breakdown; ``group_scenario`` gives each group's scenario index.
    factors, uncertain, swings : lists, one element per scenario
        Every factor used; the inputs drawn; one-at-a-time sensitivities (metric -> swings).
    """

    scenarios: list[ScenarioInfo]
    metrics: dict[str, pint.Quantity]
    groups: dict[str, pint.Quantity]
    group_scenario: np.ndarray
    low: dict[str, pint.Quantity]
    high: dict[str, pint.Quantity]
    central: dict[str, pint.Quantity]
    factors: list[list[ref.Factor]]
    uncertain: list[list[UncertainInput]]
    swings: list[dict[str, list[Swing]]]
    draws: int = 0
    seed: int = 0
    phases: list[list[PhaseResult]] = field(default_factory=list)  # per scenario; [] without a timeline
    hourly: list[HourlyResult | None] = field(default_factory=list)  # per scenario; None for an annual run

    def __len__(self) -> int:
        return len(self.scenarios)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def metric(self, name: str, i: int = 0, which: Which = "value") -> pint.Quantity | None:
        """One scenario's value of a metric in its output unit, or None when it does not apply.

        ``which`` is ``"value"`` (P50 with draws), ``"low"`` (P5), ``"high"`` (P95) or ``"central"``
        (the deterministic run at central inputs).
        """
        source = {"value": self.metrics, "low": self.low, "high": self.high, "central": self.central}[which]
        q = source[name][i].to(METRIC_BY_NAME[name].unit)
        return None if math.isnan(q.magnitude) else q

    def hourly_of(self, i: int = 0) -> HourlyResult | None:
        """What the hourly run of scenario ``i`` adds (None for an annual run)."""
        return self.hourly[i] if i < len(self.hourly) else None

    def phases_of(self, i: int = 0) -> list[PhaseResult]:
        """The dated phases of scenario ``i`` (empty without a timeline)."""
        return self.phases[i] if i < len(self.phases) else []

    def groups_of(self, i: int) -> np.ndarray:
        """Positions of scenario ``i``'s groups in :attr:`groups`."""
        return np.flatnonzero(self.group_scenario == i)

    def sensitivity(self, i: int, metric: str) -> list[Swing]:
        """Tornado data: each uncertain input of scenario ``i`` at its P5 and P95, the others central."""
        unit = METRIC_BY_NAME[metric].unit
        return [(n, lo.to(unit), hi.to(unit)) for n, lo, hi in self.swings[i].get(metric, [])]

    def assumptions(self, i: int = 0) -> list[ref.Factor]:
        """Every factor used by scenario ``i`` (value, unit, source, file, edition, licence)."""
        facts = list(self.factors[i])
        if self.scenarios[i].claims:
            facts.append(ref.default("claim_tolerance"))
        return facts

    def claims(self, i: int = 0) -> list[ClaimCheck]:
        """The scenario's published claims beside the modelled values."""
        tol = float(ref.default("claim_tolerance").quantity.m_as(""))
        out = []
        for c in self.scenarios[i].claims:
            modelled = self.metric(c.metric, i) if c.metric in self.metrics else None
            ratio, verdict = check_claim(c.value, modelled, tol)
            lo, hi = self.metric(c.metric, i, "low"), self.metric(c.metric, i, "high")
            ranged = self.draws and modelled is not None and lo is not None and hi is not None and lo != hi
            kind = getattr(c, "kind", "estimate")
            if kind == "limit":
                verdict = check_limit(c.value, modelled, lo if ranged else modelled, hi if ranged else modelled)
            elif ranged:
                verdict = ("above model" if c.value > hi else "below model" if c.value < lo
                           else "within modelled range")
            out.append(ClaimCheck(c.metric, c.value, modelled, c.source, c.note, ratio, tol, verdict, lo, hi, kind))
        return out

    def scenario_dict(self, i: int, with_hours: bool = False) -> dict[str, Any]:
        """One scenario in the ``--json`` contract shape (with ``phases`` when it has a timeline)."""
        metrics = _metric_records(lambda name, which: self.metric(name, i, which))
        s = self.scenarios[i]
        out: dict[str, Any] = {
            "name": s.name,
            "location": s.location,
            "file": s.file,
            "carbon_basis": s.carbon_basis or "as given (the scenario's own grid intensity)",
            "metrics": metrics,
            "assumptions": [f.record() for f in self.assumptions(i)],
            "uncertainty": {"draws": self.draws, "seed": self.seed, "percentiles": [5, 50, 95],
                            "inputs": [{"name": u.name, "dist": u.dist.kind, "low": u.dist.low,
                                        "mode": u.dist.central, "high": u.dist.high,
                                        "unit": output_unit(u.dist.unit) if u.dist.unit else "",
                                        "source": u.source} for u in self.uncertain[i]] if self.draws else []},
        }
        if s.by_hours:
            out["notes"] = ["The fleet is given in accelerator-hours, so power figures are not defined: "
                            "energy, water and CO2e follow from the hours alone."]
        if s.claims:
            out["claims"] = [c.record() for c in self.claims(i)]
        if self.phases_of(i):
            out["phases"] = [p.record() for p in self.phases_of(i)]
        hourly = self.hourly_of(i)
        if hourly is not None:
            out["hourly"] = hourly.record(with_hours)
        return out

    def to_dict(self, with_hours: bool = False) -> dict[str, Any]:
        """All scenarios in the ``--json`` contract: ``{"scenarios": [...]}`` (``with_hours``: an hourly run's
        8,760 hours too)."""
        return {"scenarios": [self.scenario_dict(i, with_hours) for i in range(len(self))]}

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario, a column per metric named ``metric [unit]`` (``water_onsite [m³]``; NaN = absent)."""
        import pandas as pd

        data: dict[str, Any] = {"name": self.names}
        for spec in METRICS:
            data[metric_column(spec.name, spec.unit)] = self.metrics[spec.name].m_as(spec.unit)
        return pd.DataFrame(data)
