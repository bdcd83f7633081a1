"""A comparison of scenario variants, as plain data: values, deltas against the baseline, JSON and CSV.

Built by :func:`pipeline.compare.compare`; read by the comparison report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pint

from pipeline.metrics import METRICS
from pipeline.results import Results, Which, output_unit
from pipeline.schema import Scenario

__all__ = ["COMPARED", "Comparison", "Variant"]

#: Metrics compared in reports (all metrics are in the JSON and CSV).
COMPARED = ("facility_power", "facility_power_peak", "energy", "grid_energy", "onsite_energy", "water_onsite",
            "water_offsite", "water_total", "co2e_location_based", "co2e_market_based", "co2e_onsite", "nox_onsite",
            "nox_grid", "health_damages", "premature_deaths")


@dataclass(frozen=True)
class Variant:
    """One column of a comparison."""

    name: str
    description: str
    supply: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class Comparison:
    """Variants computed as one batch; the first is the baseline."""

    base: Scenario
    variants: list[Variant]
    result: Results

    def value(self, metric: str, k: int, which: Which = "value") -> pint.Quantity | None:
        return self.result.metric(metric, k, which)

    def delta(self, metric: str, k: int) -> tuple[pint.Quantity | None, float | None]:
        """Variant ``k`` minus the baseline, absolute and relative (None where undefined)."""
        a, b = self.value(metric, k), self.value(metric, 0)
        if a is None or b is None:
            return None, None
        d = a - b
        rel = None if b.magnitude == 0 else float((d / b).m_as(""))
        return d, rel

    def to_dict(self) -> dict[str, Any]:
        """The ``comparison.json`` contract."""
        variants = []
        for k, v in enumerate(self.variants):
            metrics = {}
            for spec in METRICS:
                q = self.value(spec.name, k)
                if q is None:
                    continue
                lo, hi = self.value(spec.name, k, "low"), self.value(spec.name, k, "high")
                d, rel = self.delta(spec.name, k)
                metrics[spec.name] = {"value": float(q.magnitude), "unit": output_unit(spec.unit),
                                      "low": float(lo.magnitude) if lo is not None else float(q.magnitude),
                                      "high": float(hi.magnitude) if hi is not None else float(q.magnitude),
                                      "delta": None if d is None else float(d.magnitude),
                                      "delta_pct": None if rel is None else rel * 100}
            variants.append({"name": v.name, "baseline": k == 0, "description": v.description,
                             "supply": v.supply, "carbon_basis": self.result.scenarios[k].carbon_basis,
                             "metrics": metrics,
                             "assumptions": [f.record() for f in self.result.assumptions(k)]})
        return {"scenario": self.base.name, "file": self.base.file, "draws": self.result.draws, "seed": self.result.seed,
                "variants": variants}

    def to_frame(self) -> pd.DataFrame:
        """One row per metric; per variant its value, P5, P95, delta and delta % against the baseline."""
        rows = []
        for spec in METRICS:
            row: dict[str, Any] = {"metric": spec.name, "unit": output_unit(spec.unit)}
            for k, v in enumerate(self.variants):
                q = self.value(spec.name, k)
                lo, hi = self.value(spec.name, k, "low"), self.value(spec.name, k, "high")
                d, rel = self.delta(spec.name, k)
                tag = f"{v.name} (baseline)" if k == 0 else v.name
                row[f"{tag} value"] = math.nan if q is None else float(q.magnitude)
                row[f"{tag} low"] = math.nan if lo is None else float(lo.magnitude)
                row[f"{tag} high"] = math.nan if hi is None else float(hi.magnitude)
                if k:
                    row[f"{tag} delta"] = math.nan if d is None else float(d.magnitude)
                    row[f"{tag} delta %"] = math.nan if rel is None else rel * 100
            rows.append(row)
        return pd.DataFrame(rows)

    def differing_assumptions(self) -> list[dict[str, Any]]:
        """Factors whose value differs between variants (or that only some variants use)."""
        per = [{f.name: f for f in self.result.assumptions(k)} for k in range(len(self.variants))]
        names = list(dict.fromkeys(n for d in per for n in d))
        out = []
        for n in names:
            vals = [d.get(n) for d in per]
            shown = [None if f is None else (float(f.quantity.magnitude), f"{f.quantity.units}") for f in vals]
            if len(set(shown)) > 1:
                out.append({"name": n, "factors": vals})
        return out


