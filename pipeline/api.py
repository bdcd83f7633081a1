"""The public API: read scenarios, compute them, one engine for YAML files, datasets and variants.

* :func:`load_scenario` / :func:`parse_scenario`: a YAML file or mapping, validated whole (the
  schema, then the column-wise rules of :mod:`pipeline.resolve`).
* :func:`compute`: scenarios -> :class:`~pipeline.results.Results` (with Monte Carlo draws when
  any input is ranged).
* :func:`run_table`: the engine itself, an :class:`~pipeline.inputs.InputTable` of any number of
  clusters -> resolution, chain, draws.  ``compute`` and the batch both call it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pint
import yaml
from pydantic import ValidationError

from pipeline import columns, hourly, resolve, timeline
from pipeline import reference as ref
from pipeline.chain import compute_arrays
from pipeline.distributions import Dist
from pipeline.errors import Problem, ScenarioError
from pipeline.fields import field
from pipeline.inputs import InputTable, ProblemTable
from pipeline.montecarlo import DEFAULT_DRAWS, percentiles, sensitivity
from pipeline.results import GroupInfo, PhaseResult, Results, ScenarioInfo
from pipeline.schema import Scenario, problems_of
from pipeline.units import Q_

__all__ = ["Run", "compute", "load_scenario", "parse_scenario", "read_yaml", "run_table"]


@dataclass(frozen=True)
class Run:
    """Metrics of a resolved table: value (P50 with draws), P5, P95, the central run, per-group values."""

    resolution: resolve.Resolution
    value: dict[str, pint.Quantity]
    low: dict[str, pint.Quantity]
    high: dict[str, pint.Quantity]
    central: dict[str, pint.Quantity]
    groups: dict[str, pint.Quantity]



class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.safe_load`` that refuses duplicate keys (instead of keeping the last one silently) and
    aliases (``*name``: a few lines of them expand to gigabytes, the "billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted in scenario files; "
                                              "write the value out", event.start_mark)
        return super().compose_node(parent, index)


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml(path: str | Path) -> Any:
    """A YAML file's data; a missing file or a syntax error is a :class:`ScenarioError` naming the line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise ScenarioError([Problem(str(path), "", "cannot read file: not UTF-8 text")]) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        line = text.count("\n", 0, exc.position) + 1
        raise ScenarioError([Problem(str(path), f"line {line}", f"YAML cannot contain the character "
                                     f"{ascii(chr(exc.character))}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(str(path), where, f"YAML syntax error: {problem}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(str(path), "", "nested too deeply to read (a YAML scenario is a few "
                                     "levels of mappings and lists)")]) from None


def _model(data: Any, file: str) -> Scenario:
    if data is None or data == {}:
        raise ScenarioError([Problem(file, "", "the scenario is empty", None, ", ".join(Scenario.model_fields))])
    try:
        model = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_of(exc, file, data)) from None
    model._file = file
    return model


def _checked(models: list[Scenario]) -> tuple[resolve.Resolution, timeline.Plan]:
    """Resolve the rows of ``models`` (a timeline's phases are rows of their own); raise every problem."""
    plan = timeline.expand(models)
    table = columns.from_scenarios(plan.rows, [m.file for m in plan.rows])
    res = resolve.resolve(table)
    hourly.check(table, res.problems, timed=plan.phase >= 0)
    if res.problems:
        raise ScenarioError(timeline.problems(plan, table, res.problems) if plan.timed
                            else columns.problems_for_scenarios(table, res.problems))
    return res, plan


def parse_scenario(data: Any, file: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping (as loaded from YAML): structure, then every rule and reference id.

    Raises
    ------
    ScenarioError
        With one line per problem: file, field path, bad value and what is allowed.
    """
    model = _model(data, file)
    _checked([model])
    return model


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (see :func:`parse_scenario`)."""
    return parse_scenario(read_yaml(path), file=str(path))


def compute(scenarios: Scenario | str | Path | Iterable[Scenario | str | Path], draws: int | None = None,
            seed: int = 0, keep_hours: bool = False) -> Results:
    """Compute every metric for one or many scenarios as one vectorised batch.

    A scenario with a ``timeline:`` is computed phase by phase in the same batch; its metrics are the
    totals over the timeline and ``Results.phases_of(i)`` holds each phase's own (see
    :mod:`pipeline.timeline`).

    Parameters
    ----------
    scenarios : Scenario, path, or an iterable of them
        Scenario objects or scenario YAML paths.
    draws : int, optional
        Monte Carlo draws per scenario.  Default: 10,000 when any scenario declares a range, else 0
        (deterministic); hourly scenarios (``resolution: hourly``) are drawn over the hours only when ``draws``
        is given (a draw is a whole year of hours).  With draws, each metric's value is the P50 and ``low``/``high`` the P5/P95;
        reference factors with published ranges join the draws.
    seed : int
        Seed of the draws (same seed, same numbers).
    keep_hours : bool
        Keep the 8,760 hours of ``resolution: hourly`` scenarios in ``Results.hourly_of(i).hours`` (their
        totals, monthly sums and hourly metrics are always there; see :mod:`pipeline.hourly`).

    Examples
    --------
    >>> r = compute("inputs/colossus.yaml", draws=0)  # central values of the ranged inputs
    >>> r.metric("facility_power_peak", 0).to("MW")  # doctest: +ELLIPSIS
    <Quantity(153..., 'megawatt')>
    """
    items = [scenarios] if isinstance(scenarios, (Scenario, str, Path)) else list(scenarios)
    models = [s if isinstance(s, Scenario) else _model(read_yaml(s), str(s)) for s in items]
    res, plan = _checked(models)
    by_hour = hourly.hourly_mask(res.table)
    # Hourly scenarios are drawn over the hours only when draws are asked for: a draw is a year of hours (1,000
    # draws of one scenario take seconds and ~1 GB), so the annual default would cost ~45 s a ranged scenario.
    hourly_draws = draws or 0
    if draws is None:
        draws = DEFAULT_DRAWS if len(res.table.ranges) and not by_hour.all() else 0
    out = timeline_results(res, plan, draws, seed) if plan.timed else results_of(res, draws, seed)
    return hourly.apply(out, res, by_hour, keep_hours, plan.scenario, hourly_draws) if by_hour.any() else out


def _draw(res: resolve.Resolution, draws: int, seed: int) -> Run:
    central, groups = compute_arrays(res.sa, res.ga)
    if draws > 0:
        low, value, high = percentiles(res.sa, res.ga, res.components, draws, seed)
    else:
        low = value = high = central
    _check_finite(res, (central, low, high))
    return Run(res, value, low, high, central, groups)


def _check_finite(res: resolve.Resolution, runs: tuple[dict[str, pint.Quantity], ...]) -> None:
    """An infinite metric (inputs too large or too small for floating point) is a problem of its cluster,
    never a number in the output.  NaN is not checked: it marks a metric that does not apply."""
    known = res.problems.bad_clusters(res.ga.scenario)  # already reported: one root cause, one message
    bad = np.zeros(len(res.table), dtype=bool)
    first: dict[int, str] = {}
    for metrics in runs:
        for name, q in metrics.items():
            inf = np.isinf(np.asarray(q.magnitude, dtype=float)) & ~known
            for k in np.flatnonzero(inf & ~bad):
                first.setdefault(int(k), name)
            bad |= inf
    if bad.any():
        res.problems.add(bad, "(result)", lambda pos: [
            f"{first[int(k)]} is infinite: an input is too large or too small for the arithmetic (check count, "
            "period, lifetime and the overrides)" for k in pos])


def run_table(table: InputTable, draws: int = 0, seed: int = 0, problems: ProblemTable | None = None) -> Run:
    """The engine: resolve a table of clusters, run the chain, and draw.

    With draws, ``value``/``low``/``high`` are the P50/P5/P95, else the central run; each maps
    metric -> Quantity array, one element per cluster.  Clusters with problems (``problems`` found
    while reading, plus the resolution's own) are computed as NaN; ``resolution.problems`` says
    which and why.
    """
    res = resolve.resolve(table, problems)
    hourly.check(table, res.problems, batch=True)
    return _draw(res, draws, seed)


def results_of(res: resolve.Resolution, draws: int, seed: int) -> Results:
    """Full :class:`Results` of a resolved table: metrics, draws, factors, sensitivities (small tables)."""
    run = _draw(res, draws, seed)
    if res.problems:
        raise ScenarioError(columns.problems_for_scenarios(res.table, res.problems))
    value, low, high, central, groups = run.value, run.low, run.high, run.central, run.groups
    n = len(res.table)
    uncertain = [resolve.uncertain_inputs(res, i) for i in range(n)]
    swings = [sensitivity(res.sa, res.ga, res.components, i, [u.name for u in uncertain[i]])
              if draws and uncertain[i] else {} for i in range(n)]
    return Results(scenarios=[_info(res, i) for i in range(n)], metrics=value, groups=groups,
                   group_scenario=res.ga.scenario, low=low, high=high, central=central,
                   factors=[resolve.assumptions(res, i) for i in range(n)], uncertain=uncertain, swings=swings,
                   draws=draws, seed=seed)


def timeline_results(res: resolve.Resolution, plan: timeline.Plan, draws: int, seed: int) -> Results:
    """:class:`Results` of scenarios of which some have a timeline: every phase is a row of one batch, folded
    into its scenario by :func:`pipeline.timeline.aggregate` (draw by draw with draws)."""
    central, groups = compute_arrays(res.sa, res.ga)
    if draws > 0:
        (row_low, row_value, row_high), (low, value, high) = timeline.percentiles(
            res.sa, res.ga, res.components, draws, seed, plan)
    else:
        row_low = row_value = row_high = central
    _check_finite(res, (central, row_low, row_high))
    if res.problems:
        raise ScenarioError(timeline.problems(plan, res.table, res.problems))
    total = timeline.aggregate(central, plan)
    if draws == 0:
        low = value = high = total
    n = len(res.table)
    infos = [_info(res, k) for k in range(n)]
    facts = [resolve.assumptions(res, k) for k in range(n)]
    uncertain = [resolve.uncertain_inputs(res, k) for k in range(n)]
    swings = [sensitivity(res.sa, res.ga, res.components, k, [u.name for u in uncertain[k]])
              if draws and uncertain[k] else {} for k in range(n)]
    out_infos: list[ScenarioInfo] = []
    out_facts: list[list[ref.Factor]] = []
    out_uncertain: list[list[Any]] = []
    out_swings: list[dict[str, Any]] = []
    out_phases: list[list[PhaseResult]] = []
    for u, model in enumerate(plan.models):
        rows = plan.rows_of(u)
        if plan.phase[rows[0]] < 0:  # no timeline: the row as computed
            k = int(rows[0])
            out_infos.append(infos[k])
            out_facts.append(facts[k])
            out_uncertain.append(uncertain[k])
            out_swings.append(swings[k])
            out_phases.append([])
            continue
        phases = [timeline.phase_of(plan, int(k)) for k in rows]
        labels = [p.name if p else "" for p in phases]
        out_infos.append(_timeline_info(model, [infos[k] for k in rows], labels, plan.weight[rows],
                                        {k: float(q.magnitude[u]) for k, q in total.items()}))
        out_facts.append(_merged([facts[k] for k in rows], labels, lambda f: json.dumps(f.record(), default=str),
                                 lambda f, note: replace(f, note=f"{note}{'; ' + f.note if f.note else ''}")))
        out_uncertain.append(_merged([uncertain[k] for k in rows], labels, repr,
                                     lambda x, note: replace(x, source=f"{x.source} ({note})")))
        out_swings.append(timeline.aggregate_swings(swings, central, rows, plan.weight[rows]))
        out_phases.append([_phase(p, infos[k], k, row_value, row_low, row_high, central)
                           for k, p in zip(rows, phases, strict=True) if p is not None])
    return Results(scenarios=out_infos, metrics=value, groups=groups, group_scenario=plan.scenario[res.ga.scenario],
                   low=low, high=high, central=total, factors=out_facts, uncertain=out_uncertain, swings=out_swings,
                   draws=draws, seed=seed, phases=out_phases)


def _phase(p: Any, info: ScenarioInfo, k: int, value: dict[str, pint.Quantity], low: dict[str, pint.Quantity],
           high: dict[str, pint.Quantity], central: dict[str, pint.Quantity]) -> PhaseResult:
    def at(metrics: dict[str, pint.Quantity]) -> dict[str, pint.Quantity]:
        return {name: q[k] for name, q in metrics.items()}
    return PhaseResult(p.name, p.start, p.end, info, at(value), at(low), at(high), at(central))


def _merged(lists: list[list[Any]], labels: list[str], key: Any, noted: Any) -> list[Any]:
    """Items (factors, uncertain inputs) of a timeline's phases, each once; an item whose value differs between
    phases is listed once per value, with the phases that use it in a note."""
    seen: dict[str, dict[str, tuple[Any, list[str]]]] = {}
    for items, label in zip(lists, labels, strict=True):
        for item in items:
            seen.setdefault(item.name, {}).setdefault(key(item), (item, []))[1].append(label)
    out = []
    for versions in seen.values():
        if len(versions) == 1:
            out.append(next(iter(versions.values()))[0])
        else:
            out += [noted(item, "phase " + ", ".join(where) if len(where) == 1 else "phases " + ", ".join(where))
                    for item, where in versions.values()]
    return out


def _timeline_info(model: Scenario, infos: list[ScenarioInfo], labels: list[str], weights: np.ndarray,
                   total: dict[str, float]) -> ScenarioInfo:
    """A timeline as one scenario: its own name and claims, the period of its dates, every phase's groups
    (labelled with the phase), and effective inputs: utilization time-weighted, PUE, WUE and supply shares as
    ratios of the totals (facility / IT energy, water on site / IT energy, on-site / facility energy, PPA /
    grid energy)."""
    last = infos[-1]
    it_e, e, grid_e = total["it_energy"], total["energy"], total["grid_energy"]

    def first(attr: str) -> Any:
        return next((getattr(i, attr) for i in infos if getattr(i, attr)), None)

    days = sum(float(i.period.m_as("day")) for i in infos if i.period is not None)
    return replace(
        last, name=str(model.name), location=str(model.location or ""), description=str(model.description or ""),
        file=model.file, period=Q_(days * 24, "h"),
        utilization=float(sum(w * i.utilization for w, i in zip(weights, infos, strict=True))),
        pue=e / it_e if it_e else last.pue, wue=Q_(total["water_onsite"] / it_e, "L/kWh") if it_e else last.wue,
        grid=first("grid"), mix=first("mix"), onsite_technology=first("onsite_technology"), supplier=first("supplier"),
        onsite_share=total["onsite_energy"] / e if e else 0.0, ppa_share=total["ppa_energy"] / grid_e if grid_e else 0.0,
        groups=tuple(replace(g, label=f"{g.label} ({label})") for i, label in zip(infos, labels, strict=True)
                     for g in i.groups),
        claims=tuple(model.claims), ranges={}, document=timeline.document(model))


def _info(res: resolve.Resolution, i: int) -> ScenarioInfo:
    row = res.table.clusters.iloc[i]
    g = res.ga
    table = res.table.groups
    groups = tuple(
        GroupInfo(accelerator=str(table["accelerator"].iloc[k]),
                  label=_text(table["label"].iloc[k]) or _accelerator_name(str(table["accelerator"].iloc[k])),
                  count=float(g.count.magnitude[k]), full_power=g.full_power[k], idle_power=g.idle_power[k],
                  host_power=g.host_power[k])
        for k in np.flatnonzero(g.scenario == i))
    ranges = {}
    r = res.table.ranges
    for rr in r[((r["level"] == "cluster") & (r["index"] == i))].itertuples(index=False):
        ranges[rr.path] = Dist("triangular" if rr.triangular else "uniform", rr.low, rr.high, field(rr.path).unit,
                               rr.mode)
    period = float(row["period"])
    return ScenarioInfo(
        name=_text(row["name"]), location=_text(row.get("location")), description=_text(row.get("description")),
        file=str(row.get("file") or "<scenario>"), period=None if np.isnan(period) else Q_(period, "h"),
        utilization=float(row["utilization"]), pue=float(row["pue"]), wue=Q_(float(row["wue"]), "L/kWh"),
        grid=_text(row.get("supply.grid")) or None,
        mix=row.get("supply.mix") if isinstance(row.get("supply.mix"), tuple) else None,
        onsite_technology=_text(row.get("supply.onsite.technology")) or None,
        supplier=_text(row.get("supply.supplier")) or None,
        carbon_basis=None if res.basis is None else res.basis[i],
        onsite_share=float(res.sa.onsite_share.magnitude[i]), ppa_share=float(res.sa.ppa_share.magnitude[i]),
        groups=groups, claims=tuple(row.get("claims") or ()), ranges=ranges, document=columns.document_of(res.table, i),
    )


def _text(v: Any) -> str:
    """Text of an input-table cell; '' for an absent one (None or NaN)."""
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def _accelerator_name(id_: str) -> str:
    df = ref.table("accelerators")
    names = df.loc[df["id"] == id_, "name"]
    return str(names.iloc[0]) if len(names) else id_
