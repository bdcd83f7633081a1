"""Batch runs over a table of accelerator groups: one result row per cluster.

A dataset (CSV, Parquet or Excel) has one row per accelerator group; rows sharing ``name`` form
one cluster.  A column may carry any scalar scenario field, named by its YAML path
(``supply.onsite.share``) or a documented alias (``onsite_share``); other columns pass through.
A quantity carries its unit in the cell (``"700 W"``) or in the header (``power [W]``); a range is
``1.1..1.4`` (uniform) or ``1.1..1.2..1.4`` (triangular), unit after the numbers.

The table goes through the same engine as a YAML file (:func:`pipeline.api.run_table`): parsing
(:func:`pipeline.columns.from_dataset`), resolution, chain and draws, column-wise.  Every input
row ends up either in a result cluster or in the error table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import fields as fl
from pipeline.api import run_table
from pipeline.columns import ERROR_COLUMNS, dataset_errors, from_dataset
from pipeline.inputs import InputTable
from pipeline.io import csv_text, read_dataset, split_header_units, write_atomic
from pipeline.metrics import METRICS
from pipeline.results import BatchResult, metric_column
from pipeline.timeline import fold

__all__ = ["BatchResult", "read_dataset", "run_batch", "write_outputs"]

#: Columns after the metrics in results.csv: the grid factors each cluster was computed with.
FACTOR_COLUMNS = ["grid_intensity_used [g CO2e / kWh]", "grid_water_intensity_used [L / kWh]"]
#: Draws per cluster when a batch has ranges and no --draws is given.
BATCH_DRAWS = 1_000


def run_batch(df: pd.DataFrame, source: str = "<dataset>", draws: int | None = None, seed: int = 0) -> BatchResult:
    """Validate a table of accelerator groups and compute every metric per cluster.

    Parameters
    ----------
    df : DataFrame
        One row per accelerator group (see the module docstring); header units such as
        ``power [W]`` are accepted here too.
    source : str
        Where the table came from (kept on the result).
    draws : int, optional
        Monte Carlo draws per cluster; default 1,000 when any cell is a range, else 0.  With draws,
        ``metric [unit]`` is the P50 and ``metric P5 [unit]`` / ``metric P95 [unit]`` follow.
    seed : int
        Seed of the draws.

    Returns
    -------
    BatchResult
        ``results``: one row per valid cluster, ``name`` then ``metric [unit]`` columns (NaN where a
        metric does not apply), the grid factors used, then the input's extra columns from the
        cluster's first row.  ``errors``: ``row`` (file row, header = 1), ``name``, ``field``,
        ``message``; every row of a cluster that is not computed has at least one line.
    """
    df, _ = split_header_units(df)
    table, problems, unnamed = from_dataset(df, source)
    if draws is None:
        draws = BATCH_DRAWS if len(table.ranges) else 0
    run = run_table(table, draws, seed, problems)
    res = run.resolution
    shown = {f.path: c for c in df.columns if (f := fl.by_column(str(c))) is not None}
    errors = dataset_errors(table, res.problems, unnamed, shown)
    names = table.clusters["name"].to_numpy(dtype=object)
    bad = res.problems.bad_clusters(table.groups["cluster"].to_numpy())
    if "start" in table.clusters:  # dated phases: a name fails whole when any of its phases fails
        errors = _sibling_errors(table, bad, errors)
        bad = pd.Series(bad).groupby(names).transform("any").to_numpy(dtype=bool)
    good = np.flatnonzero(~bad)
    unit, first, weight = _units(table, good)
    n = len(first)
    data: dict[str, object] = {"name": names[good][first]}
    # one fold for every cluster: a cluster without dates is one phase of weight 1 (its own values)
    totals = {kind: fold({m.name: got[m.name][good] for m in METRICS}, unit, weight, n)
              for kind, got in (("", run.value), ("P5", run.low), ("P95", run.high)) if draws or not kind}
    for m in METRICS:
        for kind, folded in totals.items():
            data[metric_column(m.name, m.unit, kind)] = np.asarray(folded[m.name].m_as(m.unit), dtype=float)
    for col, q, u in ((FACTOR_COLUMNS[0], res.sa.grid_intensity, "g CO2e / kWh"),
                      (FACTOR_COLUMNS[1], res.sa.grid_water_intensity, "L / kWh")):
        v = pd.Series(np.asarray(q.m_as(u), dtype=float)[good]).groupby(unit)
        data[col] = np.where(v.nunique(dropna=False) == 1, v.first(), np.nan)  # NaN when a timeline's phases differ
    results = pd.DataFrame(data)
    extra = [c for c in df.columns if fl.by_column(str(c)) is None and str(c).strip().lower() not in ("start", "end")]
    if extra:
        named = df[df[shown["name"]].astype("string").str.strip().fillna("") != ""] if "name" in shown else df
        firsts = named.groupby(named[shown["name"]].astype("string").str.strip(), sort=False).head(1)
        by_name = firsts.set_index(firsts[shown["name"]].astype("string").str.strip())
        for c in extra:
            results[c] = by_name[c].reindex(results["name"]).to_numpy()
    phased = tuple(str(x) for x in names[good][first][np.bincount(unit, minlength=n) > 1])
    return BatchResult(results=results, errors=errors if len(errors) else pd.DataFrame(columns=ERROR_COLUMNS),
                       source=source, table=table.take(good[first]), phased=phased)


def _units(table: InputTable, good: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The computed clusters (table positions ``good``) folded into result rows: per position its result row
    (``unit``), per result row the position of its earliest phase (``first``), and per position its share of its
    result row's days (``weight``; 1.0 for a cluster without dates)."""
    c = table.clusters.iloc[good]
    names = c["name"].to_numpy(dtype=object)
    unit, _ = pd.factorize(pd.Series(names, dtype=object))
    if "start" not in c:
        return unit.astype(np.intp), np.arange(len(good)), np.ones(len(good))
    start = pd.to_datetime(c["start"], format="%Y-%m-%d").to_numpy()
    days = ((pd.to_datetime(c["end"], format="%Y-%m-%d").to_numpy() - start) / np.timedelta64(1, "D")).astype(float)
    total = pd.Series(days).groupby(unit).transform("sum").to_numpy()
    weight = np.where(np.isnan(days), 1.0, days / total)
    order = np.lexsort((start, unit))
    first = order[np.r_[True, unit[order][1:] != unit[order][:-1]]] if len(order) else order
    return unit.astype(np.intp), first, weight


def _sibling_errors(table: InputTable, bad: np.ndarray, errors: pd.DataFrame) -> pd.DataFrame:
    """A line for every row of a dated cluster whose other phase failed (its own phase computed fine)."""
    names = table.clusters["name"].to_numpy(dtype=object)
    bad_names = set(names[bad])
    g_cluster, g_row = table.groups["cluster"].to_numpy(), table.groups["row"].to_numpy()
    listed = set(errors["row"]) if len(errors) else set()
    quiet = np.array([names[c] in bad_names and not bad[c] and r not in listed
                      for c, r in zip(g_cluster, g_row, strict=True)], dtype=bool)
    if not quiet.any():
        return errors
    failing = {nm: ", ".join(str(r) for r in sorted(set(errors.loc[errors["name"] == nm, "row"])))
               for nm in bad_names}
    extra = pd.DataFrame({"row": g_row[quiet], "name": names[g_cluster[quiet]], "field": "(cluster)",
                          "message": [f"not computed: another phase of the cluster has errors in row(s) {failing[nm]}"
                                      for nm in names[g_cluster[quiet]]]}, columns=ERROR_COLUMNS)
    return pd.concat([errors, extra], ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)


def write_outputs(result: BatchResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.csv`` and ``errors.csv`` into ``out_dir`` atomically; returns their paths."""
    out = Path(out_dir)
    paths = {"results": out / "results.csv", "errors": out / "errors.csv"}
    write_atomic(paths["results"], csv_text(result.results))
    write_atomic(paths["errors"], csv_text(result.errors))
    return paths
