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
from pipeline.io import csv_text, read_dataset, split_header_units, write_atomic
from pipeline.metrics import METRICS
from pipeline.results import BatchResult, metric_column

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
    good = np.flatnonzero(~res.problems.bad_clusters(table.groups["cluster"].to_numpy()))
    data: dict[str, object] = {"name": table.clusters["name"].to_numpy(dtype=object)[good]}
    for m in METRICS:
        data[metric_column(m.name, m.unit)] = np.asarray(run.value[m.name].m_as(m.unit), dtype=float)[good]
        if draws:
            data[metric_column(m.name, m.unit, "P5")] = np.asarray(run.low[m.name].m_as(m.unit), dtype=float)[good]
            data[metric_column(m.name, m.unit, "P95")] = np.asarray(run.high[m.name].m_as(m.unit), dtype=float)[good]
    data[FACTOR_COLUMNS[0]] = res.sa.grid_intensity.m_as("g CO2e / kWh")[good]
    data[FACTOR_COLUMNS[1]] = res.sa.grid_water_intensity.m_as("L / kWh")[good]
    results = pd.DataFrame(data)
    extra = [c for c in df.columns if fl.by_column(str(c)) is None]
    if extra:
        named = df[df[shown["name"]].astype("string").str.strip().fillna("") != ""] if "name" in shown else df
        firsts = named.groupby(named[shown["name"]].astype("string").str.strip(), sort=False).head(1)
        by_name = firsts.set_index(firsts[shown["name"]].astype("string").str.strip())
        for c in extra:
            results[c] = by_name[c].reindex(results["name"]).to_numpy()
    return BatchResult(results=results, errors=errors if len(errors) else pd.DataFrame(columns=ERROR_COLUMNS),
                       source=source, table=table.take(good))


def write_outputs(result: BatchResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.csv`` and ``errors.csv`` into ``out_dir`` atomically; returns their paths."""
    out = Path(out_dir)
    paths = {"results": out / "results.csv", "errors": out / "errors.csv"}
    write_atomic(paths["results"], csv_text(result.results))
    write_atomic(paths["errors"], csv_text(result.errors))
    return paths
