"""The public API: read scenarios, compute them, one engine for YAML files, datasets and variants.

* :func:`load_scenario` / :func:`parse_scenario`: a YAML file or mapping, validated whole (the
  schema, then the column-wise rules of :mod:`pipeline.resolve`).
* :func:`compute`: scenarios -> :class:`~pipeline.results.Results` (with Monte Carlo draws when
  any input is ranged).
* :func:`run_table`: the engine itself, an :class:`~pipeline.inputs.InputTable` of any number of
  clusters -> resolution, chain, draws.  ``compute`` and the batch both call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pint
import yaml
from pydantic import ValidationError

from pipeline import columns, resolve
from pipeline import reference as ref
from pipeline.chain import compute_arrays
from pipeline.distributions import Dist
from pipeline.errors import Problem, ScenarioError
from pipeline.fields import field
from pipeline.inputs import InputTable, ProblemTable
from pipeline.montecarlo import DEFAULT_DRAWS, percentiles, sensitivity
from pipeline.results import GroupInfo, Results, ScenarioInfo
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


def _checked(models: list[Scenario]) -> resolve.Resolution:
    table = columns.from_scenarios(models, [m.file for m in models])
    res = resolve.resolve(table)
    if res.problems:
        raise ScenarioError(columns.problems_for_scenarios(table, res.problems))
    return res


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
            seed: int = 0) -> Results:
    """Compute every metric for one or many scenarios as one vectorised batch.

    Parameters
    ----------
    scenarios : Scenario, path, or an iterable of them
        Scenario objects or scenario YAML paths.
    draws : int, optional
        Monte Carlo draws per scenario.  Default: 10,000 when any scenario declares a range, else 0
        (deterministic).  With draws, each metric's value is the P50 and ``low``/``high`` the P5/P95;
        reference factors with published ranges join the draws.
    seed : int
        Seed of the draws (same seed, same numbers).

    Examples
    --------
    >>> r = compute("inputs/colossus.yaml", draws=0)  # central values of the ranged inputs
    >>> r.metric("facility_power_peak", 0).to("MW")  # doctest: +ELLIPSIS
    <Quantity(153..., 'megawatt')>
    """
    items = [scenarios] if isinstance(scenarios, (Scenario, str, Path)) else list(scenarios)
    models = [s if isinstance(s, Scenario) else _model(read_yaml(s), str(s)) for s in items]
    res = _checked(models)
    if draws is None:
        draws = DEFAULT_DRAWS if len(res.table.ranges) else 0
    return results_of(res, draws, seed)


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
    return _draw(resolve.resolve(table, problems), draws, seed)


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
