"""Scenarios side by side: supply variants of one scenario, with deltas against a baseline.

Variants come from ``--supply`` ids (named supply scenarios in ``pipeline/data/supply/*.yaml``, or
``mix:TECH=SHARE,...``) or from the scenario file's ``variants:`` list.  All variants run as one
batch through the same chain; the first is the baseline.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pint
import yaml

from pipeline import reference as ref
from pipeline.chain import compute
from pipeline.results import METRICS, Results
from pipeline.scenario import VARIANT_KEYS, Problem, Scenario, ScenarioError, load_scenario, parse_scenario

SUPPLY_DIR = ref.DATA_DIR / "supply"

#: Metrics compared in reports (all metrics are in the JSON and CSV).
COMPARED = ("facility_power", "facility_power_peak", "energy", "grid_energy", "onsite_energy", "water_onsite",
            "water_offsite", "water_total", "co2e_location_based", "co2e_market_based", "co2e_onsite")


@dataclass(frozen=True)
class Variant:
    """One column of a comparison."""

    name: str
    description: str
    supply: dict[str, Any]
    scenario: Scenario


def named_supplies() -> dict[str, dict[str, Any]]:
    """The shipped named supply scenarios, by id (file name without ``.yaml``)."""
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SUPPLY_DIR.glob("*.yaml"))}


def _mix(spec: str, where: str) -> dict[str, Any]:
    shares: dict[str, Any] = {}
    for part in spec.split(","):
        tech, sep, share = part.partition("=")
        if not sep:
            raise ScenarioError([Problem(where, "--supply", f"cannot read {part!r} in mix:{spec}", None,
                                         "mix:TECH=SHARE,... e.g. mix:coal=0.5,gas=0.5")])
        try:
            shares[tech.strip()] = float(share)
        except ValueError:
            raise ScenarioError([Problem(where, f"--supply mix:{tech}", "share is not a number", share)]) from None
    return shares


def supply_variant(base: Scenario, supply_id: str) -> Variant:
    """A variant of ``base`` with its supply replaced by a named supply scenario or a mix."""
    raw = {k: v for k, v in copy.deepcopy(base.raw).items() if k not in ("variants",)}
    if supply_id.startswith("mix:"):
        spec = supply_id[4:]
        supply: dict[str, Any] = {"mix": _mix(spec, base.file)}
        name, description = supply_id, f"A grid defined by its generation mix ({spec}); lifecycle basis."
    else:
        named = named_supplies()
        if supply_id not in named:
            hint = ref.nearest(supply_id, list(named))
            raise ScenarioError([Problem("--supply", "", "unknown supply scenario" + (f"; did you mean {hint!r}?" if hint else ""),
                                         supply_id, ", ".join([*named, "mix:TECH=SHARE,..."]))])
        spec_file = named[supply_id]
        supply = copy.deepcopy(spec_file["supply"])
        if supply.get("grid") == "inherit":
            grid = (base.raw.get("supply") or {}).get("grid")
            if not grid:
                raise ScenarioError([Problem(base.file, "supply.grid", f"supply scenario {supply_id!r} uses the "
                                             "scenario's own grid, but the scenario names none", None,
                                             "an id from pipeline/data/grids.csv")])
            supply["grid"] = grid
        name, description = spec_file["name"], spec_file.get("description", "")
    raw["supply"] = supply
    raw["name"] = name
    return Variant(name, description, supply, parse_scenario(raw, file=base.file))


def file_variants(base: Scenario) -> list[Variant]:
    """The variants listed in the scenario file (``variants:``), validated like scenario files."""
    listed = base.raw.get("variants")
    if not isinstance(listed, list) or not listed:
        raise ScenarioError([Problem(base.file, "variants", "no variants to compare: give --supply ids or a "
                                     "'variants:' list in the file", listed)])
    out, problems = [], []
    for i, v in enumerate(listed):
        where = f"variants[{i}]"
        if not isinstance(v, dict) or "name" not in v:
            problems.append(Problem(base.file, where, "expected a mapping with a 'name'", v))
            continue
        bad = [k for k in v if k not in VARIANT_KEYS]
        for k in bad:
            hint = ref.nearest(str(k), sorted(VARIANT_KEYS))
            problems.append(Problem(base.file, f"{where}.{k}", "unknown field" + (f"; did you mean {hint!r}?" if hint else ""),
                                    None, ", ".join(sorted(VARIANT_KEYS))))
        if bad:
            continue
        raw = {k: val for k, val in copy.deepcopy(base.raw).items() if k != "variants"}
        raw.update(copy.deepcopy(v))
        raw.pop("description", None)
        try:
            scenario = parse_scenario(raw, file=base.file)
        except ScenarioError as exc:
            problems += [Problem(p.file, f"{where}.{p.path}" if p.path else where, p.message, p.value, p.allowed)
                         for p in exc.problems]
            continue
        out.append(Variant(str(v["name"]), str(v.get("description", "")), raw.get("supply") or {}, scenario))
    if problems:
        raise ScenarioError(problems)
    return out


@dataclass(frozen=True)
class Comparison:
    """Variants computed as one batch; the first is the baseline."""

    base: Scenario
    variants: list[Variant]
    result: Results

    def value(self, metric: str, k: int, which: str = "value") -> pint.Quantity | None:
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
                metrics[spec.name] = {"value": float(q.magnitude), "unit": spec.unit,
                                      "low": float(lo.magnitude) if lo is not None else float(q.magnitude),
                                      "high": float(hi.magnitude) if hi is not None else float(q.magnitude),
                                      "delta": None if d is None else float(d.magnitude),
                                      "delta_pct": None if rel is None else rel * 100}
            variants.append({"name": v.name, "baseline": k == 0, "description": v.description,
                             "supply": v.supply, "metrics": metrics,
                             "assumptions": [f.record() for f in self.result.assumptions(k)]})
        return {"scenario": self.base.name, "file": self.base.file, "draws": self.result.draws, "seed": self.result.seed,
                "variants": variants}

    def to_frame(self) -> pd.DataFrame:
        """One row per metric; per variant its value, P5, P95, delta and delta % against the baseline."""
        rows = []
        for spec in METRICS:
            row: dict[str, Any] = {"metric": spec.name, "unit": spec.unit}
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


def compare(path: str | Path, supplies: list[str] | tuple[str, ...] = (), draws: int | None = None,
            seed: int = 0) -> Comparison:
    """Compare supply variants of the scenario at ``path`` (``supplies`` ids, else the file's variants)."""
    base = load_scenario(path)
    variants = [supply_variant(base, s) for s in supplies] if supplies else file_variants(base)
    result = compute([v.scenario for v in variants], draws=draws, seed=seed)
    return Comparison(base, variants, result)
