"""``clusterprint batch``: a dataset of clusters -> results.csv, errors.csv, a summary report and,
optionally, one report per cluster, in a process pool or on a Dask cluster; resumable and atomic.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import __version__
from pipeline import reference as ref
from pipeline.batch import CLUSTER_FIELDS, GROUP_FIELDS, BatchResult, read_dataset, run_batch, split_header_units


def _say(message: str) -> None:
    """Report a step of the batch command on standard output."""
    sys.stdout.write(message + "\n")


_DIMENSIONLESS = {"count", "utilization", "pue", "onsite_share", "ppa_share"}


class Progress:
    """A progress bar with counts and ETA on a terminal (tqdm); plain periodic lines otherwise."""

    def __init__(self, total: int, label: str, stream: Any = None, every: float = 5.0) -> None:
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.start = self.last = time.monotonic()
        self.every = every
        self.bar = None
        if getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit="cluster", file=self.stream)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.monotonic()
        if now - self.last >= self.every or self.done == self.total:
            self.last = now
            elapsed = now - self.start
            eta = elapsed / self.done * (self.total - self.done) if self.done else float("nan")
            print(f"{self.label}: {self.done}/{self.total} ({self.done / max(self.total, 1):.0%}), "
                  f"{elapsed:.0f} s elapsed, ETA {eta:.0f} s", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def cluster_mappings(df: pd.DataFrame, source: str, names: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Scenario mappings (as in a YAML file) of the named clusters of a dataset.

    Header units are written into the values (``power [W]`` with 700 -> ``"700 W"``) so the mapping
    parses exactly as the batch does.
    """
    df, units = split_header_units(df)
    wanted = set(names)
    for name, rows in df[df["name"].isin(wanted)].groupby("name", sort=False):
        def cell(row: pd.Series, key: str) -> Any:
            v = row.get(key)
            if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "":
                return None
            text = str(v).strip()
            if key in units and units[key]:
                return f"{text} {units[key]}"
            if key in _DIMENSIONLESS:
                return float(text)
            return text

        first = rows.iloc[0]
        fleet = []
        for _, g in rows.iterrows():
            grp = {k: cell(g, k) for k in GROUP_FIELDS}
            fleet.append({k: v for k, v in grp.items() if v is not None})
        m: dict[str, Any] = {"name": str(name), "fleet": fleet}
        for k in ("location", "utilization", "period", "pue", "wue"):
            if cell(first, k) is not None:
                m[k] = cell(first, k)
        supply: dict[str, Any] = {}
        for k in ("grid", "grid_intensity", "grid_water_intensity"):
            if cell(first, k) is not None:
                supply[k] = cell(first, k)
        if cell(first, "onsite_technology") is not None:
            supply["onsite"] = {"technology": cell(first, "onsite_technology"), "share": cell(first, "onsite_share")}
        if cell(first, "ppa_share") is not None:
            supply["ppa"] = {"share": cell(first, "ppa_share")}
        m["supply"] = supply
        m["description"] = f"Cluster from {Path(source).name}, rows {', '.join(str(i + 2) for i in rows.index)}."
        yield str(name), m


def input_hash(mapping: dict[str, Any]) -> str:
    """Hash of a cluster's inputs, the reference data and the clusterprint version (for resuming)."""
    blob = json.dumps({"scenario": mapping, "data": ref.data_editions(), "version": __version__},
                      sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class ReportTask:
    name: str
    mapping: dict[str, Any]
    out: str
    source: str
    formats: tuple[str, ...] = ("html", "pdf")


def render_cluster(task: ReportTask) -> tuple[str, str]:
    """Render one cluster's report folder unless it is up to date; returns (name, "written"|"skipped")."""
    from pipeline.chain import compute
    from pipeline.report.render import slug, write_report
    from pipeline.scenario import parse_scenario

    digest = input_hash(task.mapping)
    folder = Path(task.out) / slug(task.name)
    manifest = folder / "manifest.json"
    if manifest.is_file():
        try:
            old = json.loads(manifest.read_text())
        except (OSError, ValueError):
            old = {}
        if old.get("input_hash") == digest and all((folder / f).is_file() for f in old.get("files", [])):
            return task.name, "skipped"
    scenario = parse_scenario(task.mapping, file=f"{task.source}#{task.name}")
    write_report(compute(scenario), 0, Path(task.out), task.formats, extra_manifest={"input_hash": digest})
    return task.name, "written"


def render_reports(tasks: Iterable[ReportTask], workers: int, progress: Progress | None = None) -> dict[str, int]:
    """Render per-cluster reports in a process pool, streaming: tasks are drawn lazily and at most
    ``4 * workers`` are in flight, so memory does not grow with the number of clusters."""
    counts = {"written": 0, "skipped": 0}
    if workers <= 1:
        for t in tasks:
            counts[render_cluster(t)[1]] += 1
            if progress:
                progress.update()
        return counts
    window = workers * 4
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: set[Any] = set()
        it = iter(tasks)
        for t in it:
            pending.add(pool.submit(render_cluster, t))
            if len(pending) >= window:
                done = next(as_completed(pending))
                pending.discard(done)
                counts[done.result()[1]] += 1
                if progress:
                    progress.update()
        for done in as_completed(pending):
            counts[done.result()[1]] += 1
            if progress:
                progress.update()
    return counts


def _partitions(df: pd.DataFrame, k: int) -> list[pd.DataFrame]:
    """Split a dataset into ``k`` parts keeping each cluster's rows together (original index kept)."""
    codes = pd.factorize(df["name"].fillna("").astype(str))[0] if "name" in df else range(len(df))
    parts = [df[(pd.Series(codes, index=df.index) % k) == i] for i in range(k)]
    return [p for p in parts if len(p)]


def run_batch_distributed(df: pd.DataFrame, source: str, scheduler: Any) -> BatchResult:
    """``run_batch`` on a Dask cluster: one task per partition of clusters, results gathered in input order.

    ``scheduler`` is an address (``tcp://host:8786``) or a ``dask.distributed.Client``.
    """
    from dask.distributed import Client

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    df, _ = split_header_units(df)
    n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    parts = _partitions(df, max(n_workers * 2, 1))
    futures = client.map(run_batch, parts, source=source, pure=False)
    done = client.gather(futures)
    return merge_results(done, source, list(pd.unique(df["name"].dropna())))


def merge_results(parts: list[BatchResult], source: str, order: list[str]) -> BatchResult:
    """Concatenate partial batch results: clusters in input order, errors by input row."""
    results = pd.concat([p.results for p in parts], ignore_index=True)
    rank = {name: i for i, name in enumerate(order)}
    results = results.iloc[results["name"].map(rank).argsort(kind="stable")].reset_index(drop=True)
    errors = pd.concat([p.errors for p in parts], ignore_index=True).sort_values("row", kind="stable")
    return BatchResult(results=results, errors=errors.reset_index(drop=True), source=source)


def run(input_path: str | Path, out: str | Path, reports: bool = False, workers: int | None = None,
        scheduler: Any = None, summary: bool = True, formats: tuple[str, ...] = ("html", "pdf")) -> int:
    """The batch command: returns the exit code (0 all rows computed, 1 some rows in errors.csv).

    ``scheduler`` is a Dask scheduler address or an open ``dask.distributed.Client``; with it, the compute
    runs as one task per partition of clusters and each per-cluster report is one task.
    """
    if scheduler is None:
        return _run(input_path, Path(out), reports, workers, None, summary, formats)
    from dask.distributed import Client

    if isinstance(scheduler, Client):
        return _run(input_path, Path(out), reports, workers, scheduler, summary, formats)
    with Client(scheduler) as client:
        return _run(input_path, Path(out), reports, workers, client, summary, formats)


def _run(input_path: str | Path, out: Path, reports: bool, workers: int | None, client: Any, summary: bool,
         formats: tuple[str, ...]) -> int:
    from pipeline.batch import write_outputs

    source = str(input_path)
    df = read_dataset(input_path)
    missing = [c for c in ("name", "accelerator") if c not in df.columns]
    if missing:
        from pipeline.scenario import Problem, ScenarioError

        raise ScenarioError([Problem(source, c, "required column missing", None,
                                     ", ".join(["name", *GROUP_FIELDS, *CLUSTER_FIELDS])) for c in missing])
    t0 = time.perf_counter()
    result = run_batch_distributed(df, source, client) if client is not None else run_batch(df, source=source)
    paths = write_outputs(result, out)
    n_rows, n_bad = len(df), result.errors["row"].nunique() if len(result.errors) else 0
    _say(f"{len(result.results)} clusters computed from {n_rows} rows in {time.perf_counter() - t0:.2f} s; "
         f"{n_bad} rows in errors.csv")
    _say(f"  {paths['results']}\n  {paths['errors']}")
    if summary:
        from pipeline.report.summary import write_summary

        for p in write_summary(result, df, out, formats).values():
            _say(f"  {p}")
    if reports and len(result.results):
        names = list(result.results["name"])
        tasks = (ReportTask(n, m, str(out), source, formats) for n, m in cluster_mappings(df, source, names))
        progress = Progress(len(names), "reports")
        if client is not None:
            from dask.distributed import as_completed as dask_completed

            counts = {"written": 0, "skipped": 0}
            for fut in dask_completed(client.map(render_cluster, list(tasks), pure=False)):
                counts[fut.result()[1]] += 1
                progress.update()
        else:
            counts = render_reports(tasks, workers or os.cpu_count() or 1, progress)
        progress.close()
        _say(f"  {counts['written']} cluster reports written, {counts['skipped']} up to date (skipped)")
    return 1 if len(result.errors) else 0
