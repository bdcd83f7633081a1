"""``clusterprint batch``: a dataset of clusters -> results.csv, errors.csv, a summary report and,
optionally, one report per cluster, in a process pool or on a Dask cluster; resumable and atomic.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import fields as fl
from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.api import results_of
from pipeline.batch import BatchResult, read_dataset, run_batch, write_outputs
from pipeline.errors import Problem, ScenarioError
from pipeline.inputs import InputTable
from pipeline.io import folder_names, split_header_units
from pipeline.resolve import resolve

#: Seconds to wait for a ``--scheduler`` to answer before giving up with an error (Dask's own
#: default is 30 s; a scheduler that is up answers in well under a second).
SCHEDULER_CONNECT_TIMEOUT = 10.0
#: Seconds to wait for the first Dask worker when the scheduler has none, before giving up with an
#: error (instead of waiting for ever). Workers that join later are used as they arrive.
WORKER_WAIT_TIMEOUT = 60.0

_ADDRESS = re.compile(r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
                      r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):(?P<port>[0-9]{1,5})/?$")
_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")  # Dask's network protocols; no scheme means tcp
_ADDRESS_FORM = "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"


def _say(message: str) -> None:
    """Report a step of the batch command on standard output."""
    sys.stdout.write(message + "\n")


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


def cluster_tables(result: BatchResult) -> Iterator[tuple[str, InputTable]]:
    """Each computed cluster's inputs as a table of its own (what its report is computed from)."""
    table = result.table
    skip = set(result.phased)  # a report from one phase would misstate a timeline: none is written
    for k, name in enumerate(table.clusters["name"]):
        if str(name) not in skip:
            yield str(name), table.take([k])


def input_hash(table: InputTable) -> str:
    """Hash of a cluster's inputs, the reference data and the clusterprint version (for resuming)."""
    parts = {"clusters": table.clusters.drop(columns=["row"], errors="ignore").to_dict("records"),
             "groups": table.groups.drop(columns=["row"], errors="ignore").to_dict("records"),
             "ranges": table.ranges.to_dict("records")}
    blob = json.dumps({"inputs": parts, "data": ref.data_editions(), "version": __version__},
                      sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class ReportTask:
    name: str
    table: InputTable
    out: str
    source: str
    formats: tuple[str, ...] = ("html", "pdf")
    folder: str = ""  # the cluster's folder under ``out``, unique in the batch (default: its name's slug)


def render_cluster(task: ReportTask) -> tuple[str, str]:
    """Render one cluster's report folder unless it is up to date; returns (name, "written"|"skipped")."""
    from pipeline.io import slug
    from pipeline.report.render import write_report

    digest = input_hash(task.table)
    name = task.folder or slug(task.name)
    folder = Path(task.out) / name
    manifest = folder / "manifest.json"
    if manifest.is_file():
        try:
            old = json.loads(manifest.read_text())
        except (OSError, ValueError):
            old = {}
        if old.get("input_hash") == digest and all((folder / f).is_file() for f in old.get("files", [])):
            return task.name, "skipped"
    result = results_of(resolve(task.table), draws=0, seed=0)
    write_report(result, 0, Path(task.out), task.formats, extra_manifest={"input_hash": digest}, folder=name)
    return task.name, "written"


_STOP: Any = None  # in a report pool worker: the parent's "interrupted" event


def _pool_worker(stop: Any) -> None:
    """Initialise a report pool worker: Ctrl-C is left to the parent, which sets ``stop``."""
    global _STOP
    from pipeline.process import collect_less

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    collect_less()  # this process is ours: see pipeline.process
    _STOP = stop


def _render_in_pool(task: ReportTask) -> tuple[str, str]:
    """:func:`render_cluster` in a pool worker; after an interrupt, tasks already handed to the
    worker are dropped at once ("cancelled") instead of rendered."""
    if _STOP is not None and _STOP.is_set():
        return task.name, "cancelled"
    return render_cluster(task)


def interrupted(counts: dict[str, int], total: int | None) -> KeyboardInterrupt:
    """The interrupt to raise after Ctrl-C during the reports: how many are done and how to resume.

    >>> str(interrupted({"written": 2, "skipped": 1}, 40))
    'interrupted: 3 of 40 reports written (1 of them already up to date); run the same command again to resume'
    """
    done = counts["written"] + counts["skipped"]
    of = f" of {total}" if total is not None else ""
    skipped = f" ({counts['skipped']} of them already up to date)" if counts["skipped"] else ""
    return KeyboardInterrupt(f"interrupted: {done}{of} reports written{skipped}; "
                             "run the same command again to resume")


def render_reports(tasks: Iterable[ReportTask], workers: int, progress: Progress | None = None,
                   total: int | None = None) -> dict[str, int]:
    """Render per-cluster reports in a process pool, streaming: tasks are drawn lazily and at most
    ``4 * workers`` are in flight, so memory does not grow with the number of clusters.

    On Ctrl-C the queued reports are cancelled at once (the at most ``workers`` being rendered finish,
    every file being written atomically) and :func:`interrupted` is raised, with ``total`` (default:
    the progress total) as the number of reports asked for.
    """
    counts = {"written": 0, "skipped": 0}
    if total is None and progress is not None:
        total = progress.total
    if workers <= 1:
        try:
            for t in tasks:
                counts[render_cluster(t)[1]] += 1
                if progress:
                    progress.update()
        except KeyboardInterrupt:
            raise interrupted(counts, total) from None
        return counts
    window = workers * 4
    context = multiprocessing.get_context()
    stop = context.Event()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_pool_worker,
                               initargs=(stop,))
    pending: set[Any] = set()
    try:
        for t in tasks:
            pending.add(pool.submit(_render_in_pool, t))
            if len(pending) >= window:
                done = next(as_completed(pending))
                pending.discard(done)
                counts[done.result()[1]] += 1
                if progress:
                    progress.update()
        for done in as_completed(pending):
            pending.discard(done)
            counts[done.result()[1]] += 1
            if progress:
                progress.update()
    except BaseException as exc:
        stop.set()  # tasks already queued to a worker are dropped, the rest cancelled here
        pool.shutdown(wait=False, cancel_futures=True)
        if not isinstance(exc, KeyboardInterrupt):
            raise
        for f in pending:  # finished but not yet collected: done all the same
            if f.done() and not f.cancelled() and f.exception() is None and f.result()[1] in counts:
                counts[f.result()[1]] += 1
        raise interrupted(counts, total) from None
    pool.shutdown()
    return counts


def render_reports_dask(client: Any, tasks: Iterable[ReportTask], progress: Progress | None = None) -> dict[str, int]:
    """Render per-cluster reports on a Dask cluster, one task each; on Ctrl-C the tasks not yet done
    are cancelled and :func:`interrupted` is raised."""
    from dask.distributed import as_completed as dask_completed

    tasks = list(tasks)
    counts = {"written": 0, "skipped": 0}
    futures = client.map(render_cluster, tasks, pure=False)
    try:
        for fut in dask_completed(futures, loop=client.loop):  # the loop: the client need not be the default
            counts[fut.result()[1]] += 1
            if progress:
                progress.update()
    except KeyboardInterrupt:
        _cancel(client, futures)
        raise interrupted(counts, len(tasks)) from None
    except BaseException:
        _cancel(client, futures)
        raise
    return counts


def _cancel(client: Any, futures: list[Any]) -> None:
    """Cancel Dask futures on the way out of an error or interrupt (best effort: never masks it)."""
    with contextlib.suppress(Exception):  # the scheduler may be gone; the original exception matters more
        client.cancel([f for f in futures if not f.done()])


def check_scheduler_address(address: str) -> str:
    """The ``--scheduler`` address stripped, or a :class:`ScenarioError` naming the expected form.

    >>> check_scheduler_address(" tcp://10.0.0.5:8786 ")
    'tcp://10.0.0.5:8786'
    >>> check_scheduler_address("not-an-address")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    pipeline.errors.ScenarioError: --scheduler: not a Dask scheduler address: no port (got 'not-an-address'); ...
    """
    text = str(address).strip()
    m = _ADDRESS.match(text)
    reason = ""
    if m is None:
        if text.startswith("inproc://"):  # a scheduler in this process (Python API, tests)
            return text
        reason = "no port" if re.fullmatch(r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^\s:/]+/?", text) else "unreadable"
    else:
        scheme, port = (m["scheme"] or "tcp").lower(), int(m["port"])
        if scheme not in _SCHEMES:
            reason = f"unknown protocol {scheme + '://'!r}"
        elif not 0 < port < 65536:
            reason = "port out of range 1-65535"
    if reason:
        raise ScenarioError([Problem("--scheduler", "", f"not a Dask scheduler address: {reason}", text,
                                     _ADDRESS_FORM)])
    return text


def connect(address: str) -> Any:
    """A ``dask.distributed.Client`` of the scheduler at ``address``, or a :class:`ScenarioError`:
    a malformed address, no answer within :data:`SCHEDULER_CONNECT_TIMEOUT` seconds, or no Dask."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise ScenarioError([Problem("--scheduler", "", "needs Dask: pip install 'clusterprint[dask]'")]) from None
    address = check_scheduler_address(address)
    timeout = SCHEDULER_CONNECT_TIMEOUT
    try:
        return Client(address, timeout=f"{timeout}s", set_as_default=False)
    except OSError as exc:  # Dask reports a refused or unanswered connection as "Timed out ... after N s"
        timed_out = isinstance(exc, TimeoutError) or "timed out" in str(exc).lower()
        why = f"timed out after {timeout:g} s" if timed_out else str(exc)
        raise ScenarioError([Problem("--scheduler", "", f"cannot connect to the Dask scheduler at {address} "
                                     f"({why}); is it running, and reachable from here?")]) from None
    except ValueError as exc:
        raise ScenarioError([Problem("--scheduler", "", f"not a Dask scheduler address: {exc}", address,
                                     _ADDRESS_FORM)]) from None


def wait_for_workers(client: Any) -> None:
    """Return once the scheduler has a worker; if it has none, say so and wait at most
    :data:`WORKER_WAIT_TIMEOUT` seconds, then raise a :class:`ScenarioError` (never hang)."""
    if client.scheduler_info().get("workers"):
        return
    address, timeout = client.scheduler.address, WORKER_WAIT_TIMEOUT
    _say(f"waiting for Dask workers at {address} (up to {timeout:g} s)")
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise ScenarioError([Problem("--scheduler", "", f"no Dask workers at {address} after {timeout:g} s; "
                                     f"start some (dask worker {address}) and run the same command again")]) from None


def _partitions(df: pd.DataFrame, k: int) -> list[pd.DataFrame]:
    """Split a dataset into ``k`` parts keeping each cluster's rows together (original index kept)."""
    codes = pd.factorize(df["name"].fillna("").astype(str))[0] if "name" in df else range(len(df))
    parts = [df[(pd.Series(codes, index=df.index) % k) == i] for i in range(k)]
    return [p for p in parts if len(p)]


def run_batch_distributed(df: pd.DataFrame, source: str, scheduler: Any, draws: int | None = None,
                          seed: int = 0) -> BatchResult:
    """``run_batch`` on a Dask cluster: one task per partition of clusters, results gathered in input order.

    ``scheduler`` is an address (``tcp://host:8786``) or a ``dask.distributed.Client``. A bad or
    unreachable address, or a scheduler that has no worker within :data:`WORKER_WAIT_TIMEOUT` seconds,
    raises a :class:`ScenarioError`.
    """
    from dask.distributed import Client

    if not isinstance(scheduler, Client):  # an address, or a cluster object (LocalCluster, ...)
        with connect(getattr(scheduler, "scheduler_address", scheduler)) as client:
            return run_batch_distributed(df, source, client, draws, seed)
    client = scheduler
    df, _ = split_header_units(df)
    wait_for_workers(client)
    n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    parts = _partitions(df, max(n_workers * 2, 1))
    futures = client.map(run_batch, parts, source=source, draws=draws, seed=seed, pure=False)
    try:
        done = client.gather(futures)
    except BaseException:
        _cancel(client, futures)
        raise
    return merge_results(done, source, list(pd.unique(df["name"].dropna())))


def merge_results(parts: list[BatchResult], source: str, order: list[str]) -> BatchResult:
    """Concatenate partial batch results: clusters in input order, errors by input row."""
    results = pd.concat([p.results for p in parts], ignore_index=True)
    rank = {name: i for i, name in enumerate(order)}
    results = results.iloc[results["name"].map(rank).argsort(kind="stable")].reset_index(drop=True)
    errors = pd.concat([p.errors for p in parts], ignore_index=True).sort_values("row", kind="stable")
    return BatchResult(results=results, errors=errors.reset_index(drop=True), source=source)


def _computed_table(df: pd.DataFrame, source: str, names: list[str]) -> InputTable:
    """The input table of the named computed clusters, from the dataset (for their reports)."""
    from pipeline.columns import from_dataset

    table, _, _ = from_dataset(df, source)
    position = {n: k for k, n in enumerate(table.clusters["name"])}
    return table.take([position[n] for n in names])


def run(input_path: str | Path, out: str | Path, reports: bool = False, workers: int | None = None,
        scheduler: Any = None, summary: bool = True, formats: tuple[str, ...] = ("html", "pdf"),
        draws: int | None = None, seed: int = 0) -> int:
    """The batch command: returns the exit code (0 all rows computed, 1 some rows in errors.csv).

    ``scheduler`` is a Dask scheduler address or an open ``dask.distributed.Client``; with it, the compute
    runs as one task per partition of clusters and each per-cluster report is one task. A malformed or
    unreachable address (:data:`SCHEDULER_CONNECT_TIMEOUT`) or a scheduler without workers
    (:data:`WORKER_WAIT_TIMEOUT`) is a :class:`ScenarioError`. Ctrl-C during the reports cancels the
    queued ones and raises ``KeyboardInterrupt("interrupted: 3 of 40 reports written; ...")``.
    """
    options = _Options(reports, workers, summary, formats, draws, seed)
    if scheduler is None:
        return _run(input_path, Path(out), None, options)
    scheduler = getattr(scheduler, "scheduler_address", scheduler)  # a cluster object (LocalCluster, ...)
    if not isinstance(scheduler, str):  # an open dask.distributed.Client
        return _run(input_path, Path(out), scheduler, options)
    with connect(scheduler) as client:
        return _run(input_path, Path(out), client, options)


@dataclass(frozen=True)
class _Options:
    reports: bool
    workers: int | None
    summary: bool
    formats: tuple[str, ...]
    draws: int | None
    seed: int


def _run(input_path: str | Path, out: Path, client: Any, o: _Options) -> int:
    source = str(input_path)
    df = read_dataset(input_path)
    given = {f.path for c in df.columns if (f := fl.by_column(str(c))) is not None}
    missing = [c for c in ("name", "accelerator") if c not in given]
    if missing:
        raise ScenarioError([Problem(source, c, "required column missing", None,
                                     ", ".join(f.path for f in fl.FIELDS)) for c in missing])
    t0 = time.perf_counter()
    result = (run_batch_distributed(df, source, client, o.draws, o.seed) if client is not None
              else run_batch(df, source=source, draws=o.draws, seed=o.seed))
    if result.table is None:  # partitions computed elsewhere: the computed clusters' inputs, for reports
        names = list(result.results["name"])
        result = BatchResult(result.results, result.errors, source, _computed_table(df, source, names))
    paths = write_outputs(result, out)
    n_rows, n_bad = len(df), result.errors["row"].nunique() if len(result.errors) else 0
    _say(f"{len(result.results)} clusters computed from {n_rows} rows in {time.perf_counter() - t0:.2f} s; "
         f"{n_bad} rows in errors.csv")
    _say(f"  {paths['results']}\n  {paths['errors']}")
    if o.summary:
        from pipeline.report.summary import write_summary

        for p in write_summary(result, df, out, o.formats).values():
            _say(f"  {p}")
    if o.reports and result.phased:
        _say(f"  {len(result.phased)} clusters given in dated phases get no per-cluster report (their totals are in "
             f"results.csv; give them as a YAML timeline for a report): {', '.join(result.phased)}")
    if o.reports and len(result.results):
        names = [n for n in result.results["name"] if n not in set(result.phased)]
        folders = folder_names(names)  # names whose slugs collide get distinct folders
        tasks = (ReportTask(n, t, str(out), source, o.formats, folders[n]) for n, t in cluster_tables(result))
        progress = Progress(len(names), "reports")
        try:
            if client is not None:
                counts = render_reports_dask(client, tasks, progress)
            else:
                counts = render_reports(tasks, o.workers or os.cpu_count() or 1, progress, len(names))
        finally:
            progress.close()
        _say(f"  {counts['written']} cluster reports written, {counts['skipped']} up to date (skipped)")
    return 1 if len(result.errors) else 0
