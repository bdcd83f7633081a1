"""Validation against published figures: load cases, run them, render the report.

A case is one YAML file in ``validation/`` with ``case`` (id), ``citation``, ``method_notes``,
``scenario`` (an ordinary scenario mapping built from the publication's inputs) and
``expected``: a list of ``{metric, value, tolerance, reason}``.  The scenario does all the
modelling; this module only runs the pipeline and compares its output with the published
numbers (relative error = (clusterprint - published) / published).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pint
import yaml

from pipeline.api import compute, parse_scenario
from pipeline.metrics import METRIC_BY_NAME
from pipeline.schema import Scenario
from pipeline.units import ureg

__all__ = ["Case", "Expected", "load_cases", "run_cases", "validation_markdown"]

CASE_KEYS = {"case", "citation", "method_notes", "scenario", "expected"}
EXPECTED_KEYS = {"metric", "value", "tolerance", "reason"}

#: Columns of the frame returned by :func:`run_cases`, in order.
COLUMNS = ["case", "metric", "published", "clusterprint", "unit", "relative_error", "tolerance", "passed",
           "reason", "citation", "method_notes"]


@dataclass(frozen=True)
class Expected:
    """One published figure: metric name, value with unit, relative tolerance and why."""

    metric: str
    value: pint.Quantity
    tolerance: float
    reason: str = ""


@dataclass(frozen=True)
class Case:
    """One validation case, as read from ``validation/<case>.yaml``."""

    case: str
    citation: str
    method_notes: str
    scenario: Scenario
    expected: tuple[Expected, ...]
    file: str


def _expected(item: Any, where: str) -> Expected:
    if not isinstance(item, dict) or set(item) - EXPECTED_KEYS or not {"metric", "value", "tolerance"} <= set(item):
        raise ValueError(f"{where}: expected {{metric, value, tolerance[, reason]}}, got {item!r}")
    metric = str(item["metric"])
    if metric not in METRIC_BY_NAME:
        raise ValueError(f"{where}: unknown metric {metric!r}; allowed: {', '.join(METRIC_BY_NAME)}")
    try:
        value: Any = ureg.Quantity(str(item["value"]))
        value.to(METRIC_BY_NAME[metric].unit)
    except (pint.errors.PintError, ValueError, AttributeError) as exc:
        raise ValueError(f"{where}: value {item['value']!r} is not a quantity in "
                         f"{METRIC_BY_NAME[metric].unit} ({exc})") from None
    tol = item["tolerance"]
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < 1:
        raise ValueError(f"{where}: tolerance must be a relative number in [0, 1), got {tol!r}")
    return Expected(metric=metric, value=value, tolerance=float(tol), reason=str(item.get("reason") or "").strip())


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
    ValueError
        For a file without the required fields, an unknown metric, or a value whose unit does
        not fit the metric.
    pipeline.errors.ScenarioError
        For an invalid ``scenario`` mapping.

    Examples
    --------
    >>> cases = load_cases("validation")
    >>> len(cases) >= 8
    True
    """
    cases = []
    for path in sorted(Path(folder).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or set(data) != CASE_KEYS:
            got = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"{path}: expected exactly the fields {sorted(CASE_KEYS)}, got {got}")
        if not isinstance(data["expected"], list) or not data["expected"]:
            raise ValueError(f"{path}: expected: needs a non-empty list")
        cases.append(Case(
            case=str(data["case"]),
            citation=" ".join(str(data["citation"]).split()),
            method_notes=" ".join(str(data["method_notes"]).split()),
            scenario=parse_scenario(data["scenario"], file=str(path)),
            expected=tuple(_expected(e, f"{path}: expected[{i}]") for i, e in enumerate(data["expected"])),
            file=str(path),
        ))
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
                "reason": e.reason, "citation": c.citation, "method_notes": c.method_notes,
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
