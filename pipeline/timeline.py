"""Dated phases (``timeline:``): a scenario as a sequence of phases, computed as one batch and totalled.

* :func:`merge`: a scenario's document with whole top-level fields replaced by an override (a
  variant of ``clusterprint compare`` or a phase of a timeline: one rule for both).
* :func:`expand`: scenarios -> the rows the engine computes (one per phase; a scenario without a
  timeline is one row), with the timeline's rules checked (one problem per root cause, at
  ``timeline[i].<field>``).
* :func:`aggregate` / :func:`percentiles`: phase metrics -> timeline totals.  Energies, water, CO2e,
  pollutants, damages and deaths add up; mean powers and per-day figures are time-weighted means
  (weights = days); peak powers are the maximum.  With Monte Carlo draws the totals are formed
  draw by draw (phases share the draws of inputs with the same name: common random numbers), and
  P5/P50/P95 are taken of the totals.

Dates: ``start`` is the first day of a phase, ``end`` the first day after it (exclusive), so a phase
lasts ``end - start`` days of 24 h and the next phase starts on the previous one's ``end``.  Phases
must be in date order and contiguous: no overlaps, no gaps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pint
from pydantic import BaseModel, ValidationError

from pipeline.chain import compute_arrays
from pipeline.errors import Problem, ScenarioError
from pipeline.inputs import Component, GroupArrays, InputTable, ProblemTable, ScenarioArrays
from pipeline.metrics import METRIC_BY_NAME
from pipeline.montecarlo import MAX_CELLS, P_HIGH, P_LOW, _apply, draw_source
from pipeline.schema import Phase, Scenario, problems_of
from pipeline.units import Q_

__all__ = ["Plan", "aggregate", "aggregation", "document", "expand", "fold", "merge", "percentiles", "problems"]

Metrics = dict[str, pint.Quantity]

#: Dimensions of metrics that are totals over time (they add up across phases).
_EXTENSIVE = ("[energy]", "[volume]", "[mass]", "[mass] * [carbon_dioxide_equivalent]", "[currency]")
#: Dimensionless metrics that are counts over the period (they add up too).
_COUNTS = frozenset({"premature_deaths"})


def document(base: Scenario, exclude: Iterable[str] = ("variants",)) -> dict[str, Any]:
    """A validated scenario as a fresh mapping, as a YAML file would give it (overrides are merged into it)."""
    return base.model_dump(mode="json", exclude_none=True, exclude=set(exclude))


def merge(base: Scenario, override: BaseModel, exclude: Iterable[str] = (), base_exclude: Iterable[str] = ("variants",)
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The base scenario's document with each top-level field that ``override`` sets replaced whole.

    Returns (merged document, the override's fields).  The semantics of ``variants:`` and of
    ``timeline:`` phases alike: ``supply: {...}`` in an override replaces the whole supply section.
    """
    over = override.model_dump(mode="json", exclude_unset=True, exclude=set(exclude))
    return document(base, base_exclude) | over, over


def _top(path: str) -> str:
    """The top-level field of a field path: ``supply.onsite.share`` -> ``supply``, ``fleet[1].count`` -> ``fleet``."""
    return path.split(".", 1)[0].split("[", 1)[0]


@dataclass(frozen=True)
class Plan:
    """The rows the engine computes for a list of scenarios, and how they fold back into the scenarios.

    Rows of one scenario are contiguous and in date order.  ``scenario[k]`` is the input scenario of
    row ``k``; ``phase[k]`` its position in the timeline (-1 without a timeline); ``days[k]`` its
    length in days (NaN without a timeline); ``weight[k]`` its share of its scenario's days (1.0 for a
    scenario of one row); ``overridden[k]`` the top-level fields the phase sets.
    """

    models: list[Scenario]
    rows: list[Scenario]
    scenario: np.ndarray
    phase: np.ndarray
    days: np.ndarray
    weight: np.ndarray
    overridden: list[frozenset[str]]

    @property
    def timed(self) -> bool:
        """True when any scenario has a timeline."""
        return bool((self.phase >= 0).any())

    def rows_of(self, u: int) -> np.ndarray:
        """Positions of scenario ``u``'s rows."""
        return np.flatnonzero(self.scenario == u)


def _phase_rows(model: Scenario, u: int) -> tuple[list[Scenario], list[frozenset[str]], list[Problem]]:
    file, timeline = model.file, model.timeline or []
    problems: list[Problem] = []
    if model.period is not None:
        problems.append(Problem(file, "period", "a scenario with a timeline takes its period from the phase dates; "
                                "remove 'period' (or the timeline)"))
    if not timeline:
        problems.append(Problem(file, "timeline", "expected a non-empty list of phases", None,
                                "[{name: ..., start: YYYY-MM-DD, end: YYYY-MM-DD, ...overrides}]"))
    seen: dict[str, int] = {}
    for i, ph in enumerate(timeline):
        if ph.name in seen:
            problems.append(Problem(file, f"timeline[{i}].name", f"the phase name is already used by "
                                    f"timeline[{seen[ph.name]}]; phase names must be unique", ph.name))
        seen.setdefault(ph.name, i)
        if i:
            prev = timeline[i - 1]
            if ph.start < prev.end:
                problems.append(Problem(file, f"timeline[{i}].start", f"starts before the previous phase "
                                        f"({prev.name!r}) ends on {prev.end.isoformat()}: phases must be in date order "
                                        "and may not overlap (end is exclusive: the next phase starts on the previous "
                                        "one's end date)", ph.start.isoformat()))
            elif ph.start > prev.end:
                problems.append(Problem(file, f"timeline[{i}].start", f"leaves a gap of {(ph.start - prev.end).days} "
                                        f"day(s) after the previous phase ({prev.name!r}) ends on "
                                        f"{prev.end.isoformat()}: phases must be contiguous (end is exclusive, so the "
                                        "next phase starts on the previous one's end date; model a pause as a phase "
                                        "of its own)", ph.start.isoformat()))
    if problems:
        return [], [], problems
    rows, overridden = [], []
    for i, ph in enumerate(timeline):
        doc, over = merge(model, ph, exclude=("name", "start", "end", "sources"),
                          base_exclude=("variants", "timeline", "claims"))
        keys = frozenset(over) | ({"sources"} if ph.sources else frozenset())
        doc["name"] = ph.name
        doc["period"] = f"{(ph.end - ph.start).days} day"
        # the base's citations of fields this phase does not replace, then the phase's own
        doc["sources"] = {k: v for k, v in model.sources.items() if _top(k) not in keys} | dict(ph.sources)
        try:
            row = Scenario.model_validate(doc)
        except ValidationError as exc:
            problems += [_at(p, i, keys) for p in problems_of(exc, file, doc)]
            continue
        row._file = file
        rows.append(row)
        overridden.append(keys)
    return rows, overridden, problems


def _at(p: Problem, phase: int, keys: frozenset[str]) -> Problem:
    """A problem of a phase row at its path in the file: ``timeline[i].<path>`` when the phase set the field,
    else the top-level path (the root cause is the scenario's default, reported once)."""
    if phase >= 0 and _top(p.path) in keys:
        return Problem(p.file, f"timeline[{phase}].{p.path}", p.message, p.value, p.allowed)
    return p


def expand(models: list[Scenario]) -> Plan:
    """The rows to compute: each phase of a timeline, or the scenario itself.

    Raises
    ------
    ScenarioError
        Every problem of every timeline: dates, order, names, and the phases' own overrides.
    """
    rows: list[Scenario] = []
    scenario: list[int] = []
    phase: list[int] = []
    days: list[float] = []
    weight: list[float] = []
    overridden: list[frozenset[str]] = []
    problems: list[Problem] = []
    for u, m in enumerate(models):
        if m.timeline is None:
            rows.append(m)
            scenario.append(u)
            phase.append(-1)
            days.append(np.nan)
            weight.append(1.0)
            overridden.append(frozenset())
            continue
        got, keys, bad = _phase_rows(m, u)
        problems += bad
        d = [float((ph.end - ph.start).days) for ph in (m.timeline or [])]
        total = sum(d)
        rows += got
        scenario += [u] * len(got)
        phase += list(range(len(got)))
        days += d[:len(got)]
        weight += [x / total for x in d[:len(got)]]
        overridden += keys
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return Plan(models, rows, np.asarray(scenario, dtype=np.intp), np.asarray(phase, dtype=np.intp),
                np.asarray(days, dtype=float), np.asarray(weight, dtype=float), overridden)


def problems(plan: Plan, table: InputTable, found: ProblemTable) -> list[Problem]:
    """The resolution's problems of the rows, at their paths in the scenario files (``timeline[i].supply.grid``
    for a field the phase sets; a default of the top level is reported once, at its own path)."""
    out = []
    positions, owners = table.groups["position"].to_numpy(), table.groups["cluster"].to_numpy()
    for row in found.frame().itertuples(index=False):
        k = int(owners[row.index]) if row.group else int(row.index)
        path = (f"fleet[{positions[row.index]}]" + (f".{row.path}" if row.path else "")) if row.group else row.path
        p = Problem(plan.models[plan.scenario[k]].file, str(path), str(row.message), None, str(row.allowed))
        out.append(_at(p, int(plan.phase[k]), plan.overridden[k]))
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- aggregation


def aggregation(name: str, q: pint.Quantity) -> str | None:
    """How metric ``name`` folds over phases: ``"sum"``, ``"mean"`` (time-weighted), ``"max"``, or None (no total).

    >>> aggregation("energy", Q_(1, "MWh")), aggregation("facility_power", Q_(1, "MW"))
    ('sum', 'mean')
    >>> aggregation("facility_power_peak", Q_(1, "MW")), aggregation("water_onsite_per_day", Q_(1, "m**3/day"))
    ('max', 'mean')
    >>> aggregation("premature_deaths", Q_(1, "")), aggregation("pue_effective", Q_(1, ""))
    ('sum', None)
    """
    if name in _COUNTS:
        return "sum"
    if any(q.check(d) for d in _EXTENSIVE):
        return "sum"
    if any((q * Q_(1, "day")).check(d) for d in _EXTENSIVE):  # a rate: power, per day
        return "max" if name.endswith("_peak") else "mean"
    return None


def _reduce(values: np.ndarray, weights: np.ndarray, how: str | None) -> np.ndarray:
    """Fold rows (axis 0) in order: a sum is ``((v0 + v1) + v2) + ...``, as Python's ``sum`` adds."""
    if len(values) == 1:  # one phase: its own value, whatever the metric
        return np.asarray(values[0]).copy()
    if how is None:
        return np.full(values.shape[1:], np.nan)
    out = values[0] * weights[0] if how == "mean" else values[0].copy()
    for k in range(1, len(values)):
        if how == "sum":
            out = out + values[k]
        elif how == "mean":
            out = out + values[k] * weights[k]
        else:
            out = np.maximum(out, values[k])
    return np.asarray(out)


def _unit(name: str, q: pint.Quantity) -> str:
    spec = METRIC_BY_NAME.get(name)
    return spec.unit if spec else str(q.units)


def aggregate(metrics: Metrics, plan: Plan, output_units: bool = True) -> Metrics:
    """Row metrics -> one value per scenario (arrays over rows, or rows x draws).

    With ``output_units`` each metric is first converted to its output unit (so that the phase values
    printed add up exactly to the printed total); otherwise it is folded in the unit it comes in.
    """
    return fold(metrics, plan.scenario, plan.weight, len(plan.models), output_units)


def fold(metrics: Metrics, scenario: np.ndarray, weight: np.ndarray, n: int, output_units: bool = True) -> Metrics:
    """The fold behind :func:`aggregate`, on bare arrays: row ``k`` belongs to unit ``scenario[k]`` (of ``n``)
    with share ``weight[k]`` of its unit's days.  Batch datasets with ``start``/``end`` columns fold here too."""
    out = {}
    scenario = np.asarray(scenario, dtype=np.intp)
    order = np.argsort(scenario, kind="stable")  # each unit's rows, in their order
    bounds = np.searchsorted(scenario[order], np.arange(n + 1))
    single = np.diff(bounds) == 1  # a unit of one row is its own value: taken at once (10^6 clusters in a batch)
    multi = np.flatnonzero(~single)
    for name, q in metrics.items():
        unit = _unit(name, q) if output_units else str(q.units)
        v = np.asarray(q.m_as(unit), dtype=float)
        how = aggregation(name, q)
        folded = np.empty((n, *v.shape[1:]))
        folded[single] = v[order[bounds[:-1][single]]]
        for u in multi:
            r = order[bounds[u]:bounds[u + 1]]
            folded[u] = _reduce(v[r], weight[r], how)
        out[name] = Q_(folded, unit)
    return out


def aggregate_swings(swings: list[dict[str, list[tuple[str, pint.Quantity, pint.Quantity]]]],
                     central: Metrics, rows: np.ndarray, weights: np.ndarray
                     ) -> dict[str, list[tuple[str, pint.Quantity, pint.Quantity]]]:
    """One-at-a-time swings of a timeline: each input at its P5 (P95) in every phase that draws it, the other
    phases at their central values, folded like the metrics; widest first."""
    names = list(dict.fromkeys(n for k in rows for rows_ in swings[k].values() for n, _, _ in rows_))
    if not names:
        return {}
    out = {}
    for metric, q in central.items():
        unit = _unit(metric, q)
        how = aggregation(metric, q)
        mid = np.asarray(q.m_as(unit), dtype=float)[rows]
        table = [{n: (lo.m_as(unit), hi.m_as(unit)) for n, lo, hi in swings[k].get(metric, [])} for k in rows]
        result = []
        for name in names:
            lo = np.array([t[name][0] if name in t else m for t, m in zip(table, mid, strict=True)])
            hi = np.array([t[name][1] if name in t else m for t, m in zip(table, mid, strict=True)])
            result.append((name, Q_(float(_reduce(lo, weights, how)), unit), Q_(float(_reduce(hi, weights, how)), unit)))
        out[metric] = sorted(result, key=lambda r: -abs(float((r[2] - r[1]).magnitude)))
    return out


def percentiles(sa: ScenarioArrays, ga: GroupArrays, components: tuple[Component, ...], draws: int, seed: int,
                plan: Plan, max_cells: int = MAX_CELLS) -> tuple[tuple[Metrics, Metrics, Metrics],
                                                               tuple[Metrics, Metrics, Metrics]]:
    """P5, P50, P95 of every metric per row (phase) and per scenario (timeline totals formed draw by draw).

    The draws are those of :func:`pipeline.montecarlo.percentiles` (one uniform stream per input name and
    seed), so a phase's percentiles equal those of the same inputs computed alone.
    """
    drawn = draw_source(components, seed, draws)
    per_chunk = max(1, max_cells // max(draws, 1))
    row_parts: list[list[Metrics]] = [[], [], []]
    unit_parts: list[list[Metrics]] = [[], [], []]
    u, n = 0, len(plan.models)
    while u < n:  # chunks of whole scenarios, so that a timeline's phases are drawn together
        first = u
        count = len(plan.rows_of(u))
        u += 1
        while u < n and count + len(plan.rows_of(u)) <= per_chunk:
            count += len(plan.rows_of(u))
            u += 1
        rows = np.flatnonzero((plan.scenario >= first) & (plan.scenario < u))
        metrics, _ = compute_arrays(*_apply(sa, ga, rows, draws, components, drawn))
        sub = Plan(plan.models[first:u], [], plan.scenario[rows] - first, plan.phase[rows], plan.days[rows],
                   plan.weight[rows], [])
        matrices = {k: Q_(np.asarray(q.magnitude, dtype=float).reshape(len(rows), draws), q.units)
                    for k, q in metrics.items()}
        for parts, source in ((row_parts, matrices), (unit_parts, aggregate(matrices, sub, output_units=False))):
            lo, mid, hi = {}, {}, {}
            for k, q in source.items():
                with np.errstate(invalid="ignore"):
                    p = np.percentile(q.magnitude, [P_LOW, 50.0, P_HIGH], axis=1)
                lo[k], mid[k], hi[k] = (Q_(x, q.units) for x in p)
            for j, m in enumerate((lo, mid, hi)):
                parts[j].append(m)

    def joined(parts: list[Metrics]) -> Metrics:
        return {k: Q_(np.concatenate([p[k].magnitude for p in parts]), v.units) for k, v in parts[0].items()}

    rows_out = tuple(joined(p) for p in row_parts)
    units_out = tuple(joined(p) for p in unit_parts)
    return (rows_out[0], rows_out[1], rows_out[2]), (units_out[0], units_out[1], units_out[2])


def phase_of(plan: Plan, k: int) -> Phase | None:
    """The phase model of row ``k`` (None for a scenario without a timeline)."""
    p = int(plan.phase[k])
    timeline = plan.models[plan.scenario[k]].timeline
    return timeline[p] if p >= 0 and timeline else None
