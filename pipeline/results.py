"""Result types: metrics as pint Quantities, their provenance, and claim checks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pint

from pipeline import reference as ref

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.scenario import ResolvedScenario


@dataclass(frozen=True)
class MetricSpec:
    """A result metric: its stable name (JSON contract), output unit and plain label."""

    name: str
    unit: str
    label: str
    description: str


#: Every metric, in report order.  Names and units are the ``--json`` contract.
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("it_power", "MW", "IT power (mean)", "Accelerators at mean load plus host servers"),
    MetricSpec("it_power_peak", "MW", "IT power (peak)", "All accelerators at full load plus host servers"),
    MetricSpec("it_power_accelerators", "MW", "Accelerator power (mean)", "Accelerator boards at mean load"),
    MetricSpec("it_power_hosts", "MW", "Host server power", "CPUs, memory, NICs, fans, PSU losses"),
    MetricSpec("facility_power", "MW", "Facility power (mean)", "IT power x PUE"),
    MetricSpec("facility_power_peak", "MW", "Facility power (peak)", "Peak IT power x PUE"),
    MetricSpec("it_energy", "MWh", "IT energy", "IT power over the period"),
    MetricSpec("energy", "MWh", "Facility energy", "IT energy x PUE"),
    MetricSpec("grid_energy", "MWh", "Energy from the grid", "Facility energy not generated on site"),
    MetricSpec("onsite_energy", "MWh", "Energy generated on site", "e.g. gas turbines"),
    MetricSpec("ppa_energy", "MWh", "Grid energy matched by PPAs", "Contractual renewable purchases"),
    MetricSpec("energy_per_day", "MWh / day", "Facility energy per day", "Mean daily facility energy"),
    MetricSpec("water_onsite", "m ** 3", "Water on site (cooling)", "WUE x IT energy"),
    MetricSpec("water_offsite", "m ** 3", "Water off site (electricity)", "Energy x water intensity of generation"),
    MetricSpec("water_offsite_grid", "m ** 3", "Water for grid electricity", "Grid energy x grid water intensity"),
    MetricSpec("water_offsite_onsite_plant", "m ** 3", "Water for on-site generation", "On-site energy x plant water"),
    MetricSpec("water_total", "m ** 3", "Water, total", "On site plus off site"),
    MetricSpec("water_onsite_per_day", "m ** 3 / day", "Water on site per day", "Mean daily cooling water"),
    MetricSpec("water_offsite_per_day", "m ** 3 / day", "Water off site per day", "Mean daily generation water"),
    MetricSpec("co2e_location_based", "t CO2e", "CO2e, location-based", "Grid energy x grid intensity + on-site"),
    MetricSpec("co2e_market_based", "t CO2e", "CO2e, market-based", "After renewable purchases + on-site"),
    MetricSpec("co2e_grid", "t CO2e", "CO2e of grid electricity", "Location-based, grid part only"),
    MetricSpec("co2e_onsite", "t CO2e", "CO2e of on-site combustion", "Heat rate x fuel emission factors"),
    MetricSpec("co2e_embodied", "t CO2e", "CO2e embodied in hardware", "Manufacturing, amortised over lifetime"),
    MetricSpec("nox_onsite", "t", "NOx from on-site combustion", "Uncontrolled emission factor"),
)
METRIC_BY_NAME = {m.name: m for m in METRICS}


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
    verdict: str  # "consistent", "within modelled range", "above model", "below model", "not modelled"
    low: pint.Quantity | None = None  # P5 of the modelled value, with draws
    high: pint.Quantity | None = None  # P95

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
    ratio = float((claimed / modelled).m_as(""))
    if ratio > 1 + tolerance:
        return ratio, "above model"
    if ratio < 1 - tolerance:
        return ratio, "below model"
    return ratio, "consistent"


@dataclass(frozen=True)
class Results:
    """Results of a batch of scenarios.

    Attributes
    ----------
    resolved : list of ResolvedScenario
        The inputs as resolved, with every factor used.
    metrics : dict of str -> Quantity
        One array per metric, one element per scenario (units as computed; see ``METRICS``
        for the output units).  NaN marks a metric that does not apply (absent in JSON).
    groups : dict of str -> Quantity
        Per accelerator group breakdown; ``group_scenario`` gives each group's scenario index.
    """

    resolved: list[ResolvedScenario]
    metrics: dict[str, pint.Quantity]
    groups: dict[str, pint.Quantity]
    group_scenario: np.ndarray
    low: dict[str, pint.Quantity] | None = None  # P5 with draws, else the value
    high: dict[str, pint.Quantity] | None = None  # P95 with draws, else the value
    central: dict[str, pint.Quantity] | None = None  # the deterministic run at central inputs
    draws: int = 0
    seed: int = 0
    inputs: Any = None  # (ScenarioArrays, GroupArrays) of the deterministic run

    def __len__(self) -> int:
        return len(self.resolved)

    @property
    def names(self) -> list[str]:
        return [r.scenario.name for r in self.resolved]

    def metric(self, name: str, i: int = 0, which: str = "value") -> pint.Quantity | None:
        """One scenario's value of a metric in its output unit, or None when it does not apply.

        ``which`` is ``"value"`` (P50 with draws), ``"low"`` (P5), ``"high"`` (P95) or ``"central"``
        (the deterministic run at central inputs).
        """
        source = {"value": self.metrics, "low": self.low, "high": self.high, "central": self.central}[which]
        q = (source if source is not None else self.metrics)[name][i].to(METRIC_BY_NAME[name].unit)
        return None if math.isnan(q.magnitude) else q

    def sensitivity(self, i: int, metric: str) -> list[tuple[str, pint.Quantity, pint.Quantity]]:
        """Tornado data: each uncertain input of scenario ``i`` at its P5 and P95, the others central."""
        from pipeline.uncertainty import sensitivity

        sa, ga = self.inputs
        unit = METRIC_BY_NAME[metric].unit
        return [(n, lo.to(unit), hi.to(unit)) for n, lo, hi in sensitivity(sa, ga, i, self.resolved[i].uncertain, metric)]

    def assumptions(self, i: int = 0) -> list[ref.Factor]:
        """Every factor used by scenario ``i`` (value, unit, source, file, edition, licence)."""
        facts = list(self.resolved[i].assumptions)
        if self.resolved[i].scenario.claims:
            facts.append(ref.default("claim_tolerance"))
        return facts

    def claims(self, i: int = 0) -> list[ClaimCheck]:
        """The scenario's published claims beside the modelled values."""
        tol = float(ref.default("claim_tolerance").quantity.m_as(""))
        out = []
        for c in self.resolved[i].scenario.claims:
            modelled = self.metric(c.metric, i) if c.metric in self.metrics else None
            ratio, verdict = check_claim(c.value, modelled, tol)
            lo, hi = self.metric(c.metric, i, "low"), self.metric(c.metric, i, "high")
            if self.draws and modelled is not None and lo is not None and hi is not None and lo != hi:
                verdict = ("above model" if c.value > hi else "below model" if c.value < lo
                           else "within modelled range")
            out.append(ClaimCheck(c.metric, c.value, modelled, c.source, c.note, ratio, tol, verdict, lo, hi))
        return out

    def scenario_dict(self, i: int) -> dict[str, Any]:
        """One scenario in the ``--json`` contract shape."""
        metrics = {}
        for spec in METRICS:
            q = self.metric(spec.name, i)
            if q is not None:
                lo, hi = self.metric(spec.name, i, "low"), self.metric(spec.name, i, "high")
                metrics[spec.name] = {"value": float(q.magnitude), "unit": spec.unit,
                                      "low": float(lo.magnitude) if lo is not None else float(q.magnitude),
                                      "high": float(hi.magnitude) if hi is not None else float(q.magnitude)}
        r = self.resolved[i]
        out: dict[str, Any] = {
            "name": r.scenario.name,
            "location": r.scenario.location,
            "file": r.scenario.file,
            "metrics": metrics,
            "assumptions": [f.record() for f in self.assumptions(i)],
            "uncertainty": {"draws": self.draws, "seed": self.seed, "percentiles": [5, 50, 95],
                            "inputs": [{"name": u.name, "dist": u.dist.kind, "low": u.dist.low,
                                        "mode": u.dist.central, "high": u.dist.high, "unit": u.dist.unit,
                                        "source": u.source} for u in r.uncertain] if self.draws else []},
        }
        if r.scenario.by_hours:
            out["notes"] = ["The fleet is given in accelerator-hours, so power figures are not defined: "
                            "energy, water and CO2e follow from the hours alone."]
        if r.scenario.claims:
            out["claims"] = [c.record() for c in self.claims(i)]
        return out

    def to_dict(self) -> dict[str, Any]:
        """All scenarios in the ``--json`` contract: ``{"scenarios": [...]}``."""
        return {"scenarios": [self.scenario_dict(i) for i in range(len(self))]}

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario, a column per metric named ``metric [unit]`` (NaN = absent)."""
        import pandas as pd

        data: dict[str, Any] = {"name": self.names}
        for spec in METRICS:
            data[f"{spec.name} [{spec.unit}]"] = self.metrics[spec.name].m_as(spec.unit)
        return pd.DataFrame(data)
