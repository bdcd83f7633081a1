"""Validation against published figures: load cases, run them, render the report.

A case is one YAML file in ``validation/`` with ``case`` (id), ``citation``, ``method_notes``,
``scenario`` (an ordinary scenario mapping built from the publication's inputs) and
``expected``: a list of ``{metric, value, tolerance, reason}``.  The scenario does all the
modelling; this module only runs the pipeline and compares its output with the published
numbers (relative error = (clusterprint - published) / published).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import Field, ValidationError

from pipeline.api import compute, parse_scenario, read_yaml
from pipeline.errors import Problem, ScenarioError
from pipeline.metrics import METRIC_BY_NAME
from pipeline.schema import Figure, Scenario, Strict, problems_of

__all__ = ["Case", "Expected", "load_cases", "run_cases", "validation_markdown"]

#: Columns of the frame returned by :func:`run_cases`, in order.
COLUMNS = ["case", "metric", "published", "clusterprint", "unit", "relative_error", "tolerance", "passed",
           "reason", "citation", "method_notes"]


class Expected(Figure):
    """One published figure: metric name, value with unit, relative tolerance and why."""

    tolerance: Annotated[float, Field(ge=0, lt=1)]
    reason: str = ""


class CaseFile(Strict):
    """A case file as written: the publication, its method, a scenario and the figures it published."""

    case: str
    citation: str
    method_notes: str
    scenario: dict[str, Any]
    expected: Annotated[list[Expected], Field(min_length=1)]


@dataclass(frozen=True)
class Case:
    """One validation case, as read from ``validation/<case>.yaml``."""

    case: str
    citation: str
    method_notes: str
    scenario: Scenario
    expected: tuple[Expected, ...]
    file: str


def load_cases(folder: str | Path = "validation") -> list[Case]:
    """Read every ``*.yaml`` case in a folder, sorted by file name.

    Parameters
    ----------
    folder : str or Path
        Folder of case files (default ``validation``, relative to the working directory).

    Returns
    -------
    list of Case

    Raises
    ------
    pipeline.errors.ScenarioError
        For a missing or empty folder, a file without the required fields, an unknown metric, a value
        whose unit does not fit the metric, or an invalid ``scenario`` mapping (at ``scenario.<path>``).

    Examples
    --------
    >>> cases = load_cases("validation")
    >>> len(cases) >= 8
    True
    """
    paths = sorted(Path(folder).glob("*.yaml"))
    if not paths:
        raise ScenarioError([Problem(str(folder), "", "no validation cases (*.yaml) in this folder")])
    cases, problems = [], []
    for path in paths:
        data = read_yaml(path)
        try:
            case = CaseFile.model_validate(data)
            scenario = parse_scenario(case.scenario, file=str(path))
        except ValidationError as exc:
            problems += problems_of(exc, str(path), data)
            continue
        except ScenarioError as exc:
            problems += [replace(p, path=f"scenario.{p.path}" if p.path else "scenario") for p in exc.problems]
            continue
        cases.append(Case(case=case.case, citation=" ".join(case.citation.split()),
                          method_notes=" ".join(case.method_notes.split()), scenario=scenario,
                          expected=tuple(case.expected), file=str(path)))
    if problems:
        raise ScenarioError(problems)
    return cases


def _relative_error(ours: float, published: float) -> float:
    if published == 0:
        return 0.0 if ours == 0 else math.inf
    return (ours - published) / abs(published)


def run_cases(cases: list[Case]) -> pd.DataFrame:
    """Compute every case in one batch and compare with the published figures.

    Parameters
    ----------
    cases : list of Case

    Returns
    -------
    pandas.DataFrame
        One row per expected figure with columns ``case, metric, published, clusterprint,
        unit, relative_error, tolerance, passed, reason, citation, method_notes``.
        ``relative_error`` is signed, (clusterprint - published) / published; ``passed`` is
        ``abs(relative_error) <= tolerance``.  A metric the model does not produce gives NaN
        and fails.
    """
    results = compute([c.scenario for c in cases]) if cases else None
    rows = []
    for i, c in enumerate(cases):
        for e in c.expected:
            unit = METRIC_BY_NAME[e.metric].unit
            published = float(e.value.m_as(unit))
            q = results.metric(e.metric, i) if results is not None else None
            ours = math.nan if q is None else float(q.m_as(unit))
            rel = math.nan if q is None else _relative_error(ours, published)
            rows.append({
                "case": c.case, "metric": e.metric, "published": published, "clusterprint": ours, "unit": unit,
                "relative_error": rel, "tolerance": e.tolerance, "passed": bool(abs(rel) <= e.tolerance),
                "reason": " ".join(e.reason.split()), "citation": c.citation, "method_notes": c.method_notes,
            })
    return pd.DataFrame(rows, columns=COLUMNS)


def _num(x: float) -> str:
    if math.isnan(x):
        return "–"
    return f"{x:,.6g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.3g}"


def _pct(x: float) -> str:
    if math.isnan(x) or math.isinf(x):
        return "–" if math.isnan(x) else "∞"
    return f"{round(100 * x, 3) + 0.0:+.3f} %"  # + 0.0 turns -0.0 into 0.0


def validation_markdown(df: pd.DataFrame) -> str:
    """Render ``docs/validation.md``: a results table, then each case's citation and method.

    Parameters
    ----------
    df : pandas.DataFrame
        As returned by :func:`run_cases`.

    Returns
    -------
    str
        Markdown text.
    """
    n_pass = int(df["passed"].sum())
    lines = [
        "# Validation against published figures",
        "",
        "Generated by `pipeline.validate` from the case files in `validation/` (do not edit by hand).",
        "Each case rebuilds a publication's own inputs as a clusterprint scenario and compares the",
        "pipeline's output with the published figure. Relative error = (clusterprint − published) / published.",
        "",
        f"**{df['case'].nunique()} cases, {len(df)} figures, {n_pass} within tolerance, "
        f"{len(df) - n_pass} outside.**",
        "",
        "| case | metric | published | clusterprint | unit | relative error | tolerance | within |",
        "|---|---|---:|---:|---|---:|---:|:---:|",
    ]
    for r in df.itertuples(index=False):
        lines.append(f"| {r.case} | `{r.metric}` | {_num(r.published)} | {_num(r.clusterprint)} | {r.unit} | "
                     f"{_pct(r.relative_error)} | {100 * r.tolerance:g} % | {'yes' if r.passed else '**no**'} |")
    lines += ["", "## Cases", ""]
    for case, g in df.groupby("case", sort=False):
        first = g.iloc[0]
        lines += [f"### {case}", "", f"**Source.** {first['citation']}", "", f"**Method.** {first['method_notes']}", ""]
        reasons = [(m, t, why) for m, t, why in zip(g["metric"], g["tolerance"], g["reason"], strict=True) if why]
        if reasons:
            lines += ["**Tolerances.**", ""]
            lines += [f"- `{m}` ({100 * t:g} %): {why}" for m, t, why in reasons]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
