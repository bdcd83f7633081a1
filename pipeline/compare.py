"""Scenarios side by side: supply variants of one scenario, with deltas against a baseline.

Variants come from ``--supply`` ids (named supply scenarios in ``pipeline/data/supply/*.yaml``, or
``mix:TECH=SHARE,...``) or from the scenario file's ``variants:`` list.  All variants run as one
batch through the same chain; the first is the baseline.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline import reference as ref
from pipeline.api import compute, parse_scenario, read_yaml
from pipeline.comparison import Comparison, Variant
from pipeline.errors import Problem, ScenarioError, did_you_mean
from pipeline.fields import CARBON_BASES
from pipeline.schema import Scenario, problems_of
from pipeline.schema import Variant as VariantInput
from pipeline.timeline import document as _document
from pipeline.timeline import merge


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
    raw = _document(base)
    if supply_id.startswith("mix:"):
        spec = supply_id[4:]
        supply: dict[str, Any] = {"mix": _mix(spec, base.file)}
        name, description = supply_id, f"A grid defined by its generation mix ({spec}); lifecycle basis."
    else:
        named = ref.named_supplies()
        if supply_id not in named:
            raise ScenarioError([Problem("--supply", "", did_you_mean("supply scenario", supply_id, list(named)),
                                         supply_id, ", ".join([*named, "mix:TECH=SHARE,..."]))])
        spec_file = named[supply_id]
        supply = dict(spec_file["supply"])
        if supply.get("grid") == "inherit":
            grid = base.supply.grid
            if not grid:
                raise ScenarioError([Problem(base.file, "supply.grid", f"supply scenario {supply_id!r} uses the "
                                             "scenario's own grid, but the scenario names none", None,
                                             "an id from pipeline/data/grids.csv")])
            supply["grid"] = grid
        name, description = spec_file["name"], spec_file.get("description", "")
    raw["supply"] = supply
    raw["name"] = name
    return Variant(name, description, supply, parse_scenario(raw, file=base.file))


def file_variants(base: Scenario, listed: Any) -> list[Variant]:
    """The variants listed in the scenario file (``variants:``), each merged into the base and validated.

    Every problem of every variant is reported at once, at ``variants[i].<field path>``.
    """
    if not isinstance(listed, list) or not listed:
        raise ScenarioError([Problem(base.file, "variants", "no variants to compare: give --supply ids or a "
                                     "'variants:' list in the file", None)])
    out, problems = [], []
    for i, item in enumerate(listed):
        where = f"variants[{i}]"
        try:
            v: Any = VariantInput.model_validate(item)
            merged, override = merge(base, v, exclude=("description",))
            scenario = parse_scenario(merged, file=base.file)
        except ValidationError as exc:
            problems += [Problem(p.file, f"{where}.{p.path}" if p.path else where, p.message, p.value, p.allowed)
                         for p in problems_of(exc, base.file, item)]
            continue
        except ScenarioError as exc:
            problems += [Problem(p.file, f"{where}.{p.path}" if p.path else where, p.message, p.value, p.allowed)
                         for p in exc.problems]
            continue
        out.append(Variant(v.name, v.description or "", override.get("supply") or _document(base)["supply"],
                           scenario))
    if problems:
        raise ScenarioError(problems)
    return out


def compare(path: str | Path, supplies: list[str] | tuple[str, ...] = (), draws: int | None = None,
            seed: int = 0, basis: str | None = None) -> Comparison:
    """Compare supply variants of the scenario at ``path`` (``supplies`` ids, else the file's variants).

    Every variant is computed on one carbon basis: ``basis`` when given, else the baseline's (its own
    ``carbon_basis``, or the basis its grid publishes); a variant whose grid publishes the other basis gets
    a factor derived from its generation mix, or a clear error where no mix is shipped.
    """
    data = read_yaml(path)
    listed = data.get("variants") if isinstance(data, dict) else None
    base = parse_scenario({k: v for k, v in data.items() if k != "variants"} if isinstance(data, dict) else data,
                          file=str(path))
    variants = [supply_variant(base, s) for s in supplies] if supplies else file_variants(base, listed)
    asked = basis
    if basis is None:  # the baseline's basis, as resolved
        basis = compute([variants[0].scenario], draws=0).scenarios[0].carbon_basis
    if basis is not None:
        try:
            variants = [replace(v, scenario=_on_basis(v.scenario, basis)) for v in variants]
        except ScenarioError as exc:  # a variant's grid publishes only the other basis and has no mix
            if asked is not None or any(p.path != "carbon_basis" for p in exc.problems):
                raise
            other = next(b for b in CARBON_BASES if b != basis)
            variants = [replace(v, scenario=_on_basis(v.scenario, other)) for v in variants]
    result = compute([v.scenario for v in variants], draws=draws, seed=seed)
    return Comparison(base, variants, result)


def _on_basis(scenario: Scenario, basis: str) -> Scenario:
    """The scenario asked for on ``basis``, validated again (an unknown basis is the usual clear error)."""
    doc = _document(scenario)
    if (doc.get("supply") or {}).get("grid_intensity") is not None:  # the user's own intensity: its basis is theirs
        return scenario
    return parse_scenario({**doc, "carbon_basis": basis}, file=scenario.file)
