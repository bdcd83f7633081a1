"""Command-line interface: a thin layer over the Python API.

Heavy imports (WeasyPrint, matplotlib) happen only inside the commands that render.
Exit codes: 0 success, 1 some rows failed (batch), 2 bad input (a clear message, no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any, NoReturn


class _DataTables:
    """The reference tables' names for ``clusterprint data``'s choices, read from :mod:`pipeline.reference` only
    when argparse checks or lists them, so that other commands start without importing pandas (the argument has a
    metavar, else argparse lists the choices while the parser is built)."""

    def _names(self) -> tuple[str, ...]:
        from pipeline.reference import TABLES

        return tuple(TABLES)

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Any:
        return iter(self._names())


DATA_TABLES = _DataTables()


#: The examples printed under each command's --help.
_EXAMPLES = {
    "main": """examples:
  clusterprint compute inputs/colossus.yaml            figures in the terminal
  clusterprint report                                  the Colossus report into reports/
  clusterprint compare inputs/colossus-variants.yaml   the file's variants side by side
  clusterprint batch inputs/ai-clusters.csv --out reports/batch
  clusterprint data grids                              a reference table with its sources

Run 'clusterprint COMMAND --help' for a command's options and examples.""",
    "compute": """examples:
  clusterprint compute inputs/colossus.yaml
  clusterprint compute inputs/colossus.yaml --json > colossus.json
  clusterprint compute inputs/colossus-hourly.yaml --json --hours   every hour of the year too
  clusterprint compute inputs/colossus.yaml --draws 100000 --seed 7""",
    "report": """examples:
  clusterprint report                                  inputs/colossus.yaml into reports/
  clusterprint report inputs/colossus-phase2.yaml --out reports/
  clusterprint report inputs/grok-2-training.yaml --format html     no PDF (faster)

Each report folder holds report.pdf, report.html, results.json, results.csv (P5/P50/P95),
the scenario file and manifest.json (versions, reference-data editions, checksums).""",
    "compare": """examples:
  clusterprint compare inputs/colossus-variants.yaml   the variants the file defines
  clusterprint compare inputs/colossus.yaml --supply grid --supply france --basis direct
  clusterprint compare inputs/colossus.yaml --supply grid --supply mix:gas=0.6,solar=0.4

Supply names: the files in pipeline/data/supply/; technology ids: 'clusterprint data technologies'.""",
    "batch": """examples:
  clusterprint batch inputs/ai-clusters.csv --out reports/batch
  clusterprint batch inputs/ai-clusters.csv --out reports/batch --reports --workers 2
  clusterprint batch clusters.parquet --out out/ --draws 0 --no-summary

Every input row ends in results.csv or errors.csv; run the same command again to resume.""",
    "data": """examples:
  clusterprint data accelerators        fits the terminal; sources shortened
  clusterprint data grids --wide        every column, full width
  clusterprint data health --json       every column, machine-readable""",
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="clusterprint",
                                description="Power, energy, water and CO2e of AI compute clusters, cited.",
                                epilog=_EXAMPLES["main"], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command")

    c = sub.add_parser("compute", help="compute a scenario and print its results",
                        epilog=_EXAMPLES["compute"], formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("scenario", nargs="+", help="scenario YAML file(s)")
    c.add_argument("--json", action="store_true", help="machine-readable output (stable names)")
    c.add_argument("--hours", action="store_true",
                   help="with --json: the 8,760 hours of hourly runs (resolution: hourly) too, not only months")
    _draw_args(c)

    r = sub.add_parser("report", help="render the HTML and PDF impact report of a scenario",
                        epilog=_EXAMPLES["report"], formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("scenario", nargs="*", default=["inputs/colossus.yaml"],
                   help="scenario YAML file(s) (default: inputs/colossus.yaml)")
    r.add_argument("--out", default="reports", help="output folder (default: reports/)")
    r.add_argument("--format", choices=("html", "pdf", "both"), default="both", help="what to render (default: both)")
    _draw_args(r)

    cmp_ = sub.add_parser("compare", help="compare supply scenarios side by side (HTML + PDF + CSV + JSON)",
                           epilog=_EXAMPLES["compare"], formatter_class=argparse.RawDescriptionHelpFormatter)
    cmp_.add_argument("scenario", help="scenario YAML file")
    cmp_.add_argument("--supply", action="append", default=[], metavar="ID",
                      help="a supply scenario (repeat; the first is the baseline): a name from "
                           "pipeline/data/supply/ or mix:TECH=SHARE,...; default: the file's variants")
    cmp_.add_argument("--basis", choices=("direct", "lifecycle"), default=None,
                      help="carbon basis of grid factors for every variant (default: the baseline's)")
    cmp_.add_argument("--out", default=None, help="output folder (default: reports/<slug>-compare/)")
    cmp_.add_argument("--format", choices=("html", "pdf", "both"), default="both")
    _draw_args(cmp_)

    b = sub.add_parser("batch", help="compute a dataset of clusters (CSV/Parquet/Excel): results, errors, summary",
                        epilog=_EXAMPLES["batch"], formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("dataset", help="one row per accelerator group; rows sharing 'name' form one cluster")
    b.add_argument("--out", required=True, help="output folder")
    b.add_argument("--reports", action="store_true", help="also write one report folder per cluster")
    b.add_argument("--workers", type=int, default=None, help="processes for --reports (default: number of cores)")
    b.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a dask.distributed scheduler, e.g. tcp://10.0.0.5:8786 (pip install clusterprint[dask])")
    b.add_argument("--no-summary", action="store_true", help="skip summary.html / summary.pdf")
    b.add_argument("--format", choices=("html", "pdf", "both"), default="both")
    _draw_args(b, default="1000")

    s = sub.add_parser("schema", help="print the JSON Schema of scenario files (for editors)")
    s.add_argument("--out", default=None, metavar="FILE", help="write it to FILE instead of printing it")

    v = sub.add_parser("validate", help="reproduce published footprints (validation/) and print the comparison")
    v.add_argument("--cases", default="validation", help="folder of case files (default: validation/)")
    v.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown (e.g. docs/validation.md)")

    d = sub.add_parser("data", help="browse the shipped reference data with its sources",
                        epilog=_EXAMPLES["data"], formatter_class=argparse.RawDescriptionHelpFormatter)
    # metavar: without it argparse lists the choices as soon as the argument is added, importing the reference data
    # (pandas, pint) before `report` forks its PDF worker; %(choices)s is only expanded when help is printed
    d.add_argument("table", choices=DATA_TABLES, metavar="TABLE", help="the table to show: %(choices)s")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument("--wide", action="store_true", help="every column at full width (default: fit the terminal)")
    return p


#: Most draws per scenario: one scenario's draws are evaluated at once (pipeline.montecarlo.MAX_CELLS).
MAX_DRAWS = 1_000_000


def _whole(lo: int, hi: int, what: str) -> Any:
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number (got {text!r})") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"{what} must be from {lo:,} to {hi:,} (got {n:,})")
        return n
    return parse


def _draw_args(p: argparse.ArgumentParser, default: str = "10000") -> None:
    p.add_argument("--draws", type=_whole(0, MAX_DRAWS, "--draws"), default=None, metavar="N",
                   help=f"Monte Carlo draws (default: {default} when an input is a range, else 0; at most "
                        f"{MAX_DRAWS:,}, the draws of one scenario are held in memory at once)")
    p.add_argument("--seed", type=_whole(0, 2**32 - 1, "--seed"), default=0, help="seed of the draws (default: 0)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``clusterprint`` console script."""
    from pipeline.process import collect_less

    collect_less()  # before the engine's imports, and inherited by the PDF worker forked below
    args = _parser().parse_args(argv)
    if args.version:
        from pipeline import __version__

        print(f"clusterprint {__version__}")
        return 0
    if args.command is None:
        _parser().print_help()
        return 2
    args.pdf_worker = _pdf_worker(args)  # before the engine's imports, so the two overlap
    from pipeline.errors import ScenarioError
    from pipeline.reference import UnknownIdError

    try:
        return int(_COMMANDS[args.command](args))
    except ScenarioError as exc:
        for problem in exc.problems:
            print(f"error: {_terminal(str(problem))}", file=sys.stderr)
        return 2
    except UnknownIdError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(str(exc) or "interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # an --out that is a file, read-only, not permitted, or a full disk
        where = f"cannot write {exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; files already written are complete (run the same command "
              "again to finish)", file=sys.stderr)
        return 2
    except RecursionError:
        print("error: the input is nested too deeply to read", file=sys.stderr)
        return 2
    finally:
        if args.pdf_worker is not None:
            args.pdf_worker.close()


def _pdf_worker(args: argparse.Namespace) -> Any:
    """For ``report`` and ``compare`` writing a PDF, a second process that imports WeasyPrint while this one
    imports the engine and computes (:class:`pipeline.report.pdf.PdfWorker`); else None."""
    if args.command not in ("report", "compare") or "pdf" not in _formats(args):
        return None
    from pipeline.report import barchart
    from pipeline.report.pdf import PdfWorker

    return PdfWorker(prepare=barchart.warm)  # it draws the charts too, with their fonts read while it waited


def _charts_drawn_by(args: argparse.Namespace) -> Any:
    """The context in which report charts are drawn: by the PDF worker when there is one (it imported
    matplotlib while this process computed), else here."""
    from pipeline.report import charts

    return charts.drawn_by(args.pdf_worker.submit if args.pdf_worker is not None else None)


def _terminal(text: str) -> str:
    """User text made safe for a terminal: control characters shown escaped, as repr() does."""
    return "".join(ch if ch.isprintable() or ch in " \n" else repr(ch)[1:-1] for ch in text)


def _compute(args: argparse.Namespace) -> int:
    from pipeline.api import compute

    result = compute(args.scenario, draws=args.draws, seed=args.seed, keep_hours=args.hours)
    if args.json:
        print(json.dumps(result.to_dict(with_hours=args.hours), indent=2, allow_nan=False))
        return 0
    for i in range(len(result)):
        print(_terminal(format_result(result, i)))
        if result.phases_of(i):
            print(_terminal(format_phases(result, i)))
        if result.hourly_of(i) is not None:
            print(_terminal(format_hourly(result, i)))
    return 0


#: The monthly table of an hourly run: (heading, column of HourlyResult.monthly, format).
_MONTH_COLUMNS = (("energy MWh", "energy [MWh]", "{:,.0f}"), ("grid g/kWh", "grid_intensity [g CO2e/kWh]", "{:,.0f}"),
                  ("CFE %", "cfe_share", "{:.0%}"), ("WUE L/kWh", "wue [L/kWh]", "{:.2f}"),
                  ("water site m³", "water_onsite [m ** 3]", "{:,.0f}"),
                  ("CO2e loc. t", "co2e_location_based [t CO2e]", "{:,.0f}"))


def format_hourly(result: Any, i: int) -> str:
    """What an hourly run adds: the hourly metrics, then one line per month (UTC)."""
    from pipeline.metrics import HOURLY_METRICS

    h = result.hourly_of(i)
    lines = [f"Hourly run ({h.profile or 'flat grid'}; cooling {h.cooling or 'flat WUE'}"
             f"{' in ' + h.climate if h.climate else ''}):"]
    for spec in HOURLY_METRICS:
        q = h.metric(spec.name)
        if q is not None:
            unit = spec.unit
            lines.append(f"  {spec.label:<52} {float(q.m_as(unit)):>14,.4g} {unit.replace(' ** 3', '³')}")
    lines.append("  " + f"{'month':<6}" + "".join(f"  {head:>13}" for head, *_ in _MONTH_COLUMNS))
    for m in range(12):
        cells = ""
        for _, col, fmt in _MONTH_COLUMNS:
            v = float(h.monthly[col][m])
            cells += f"  {fmt.format(v) if v == v else '-':>13}"
        lines.append(f"  {m + 1:<6}" + cells)
    lines += [f"  note: {n}" for n in h.notes]
    return "\n".join(lines) + "\n"


#: The per-phase table of ``compute``: (heading, metric, unit, format).
_PHASE_COLUMNS = (("facility MW", "facility_power", "MW", "{:,.1f}"), ("energy MWh", "energy", "MWh", "{:,.0f}"),
                  ("on site MWh", "onsite_energy", "MWh", "{:,.0f}"),
                  ("CO2e loc. t", "co2e_location_based", "t CO2e", "{:,.0f}"),
                  ("water m³", "water_total", "m ** 3", "{:,.0f}"), ("NOx site t", "nox_onsite", "t", "{:,.1f}"))


def format_phases(result: Any, i: int) -> str:
    """The dated phases of a timeline scenario, one line each (end dates exclusive), then the totals."""
    phases = result.phases_of(i)
    width = max(len(p.name) for p in phases)
    head = f"  {'phase':<{width}}  {'start':<10}  {'end (excl.)':<11}  {'days':>5}" + "".join(
        f"  {h:>13}" for h, *_ in _PHASE_COLUMNS)
    lines = ["Phases (mean power time-weighted; totals add up):", head]

    def cells(get: Any) -> str:
        out = ""
        for _, name, unit, fmt in _PHASE_COLUMNS:
            q = get(name)
            out += f"  {fmt.format(float(q.m_as(unit))) if q is not None else '-':>13}"
        return out

    for p in phases:
        lines.append(f"  {p.name:<{width}}  {p.start.isoformat():<10}  {p.end.isoformat():<11}  {p.days:>5}"
                     + cells(p.metric))
    days = sum(p.days for p in phases)
    lines.append(f"  {'total':<{width}}  {phases[0].start.isoformat():<10}  {phases[-1].end.isoformat():<11}  "
                 f"{days:>5}" + cells(lambda name: result.metric(name, i)))
    if result.draws:
        lines.append("  (P50 of each phase and of the total, drawn draw by draw: medians do not add up)")
    return "\n".join(lines) + "\n"


def format_result(result: Any, i: int) -> str:
    """A readable plain-text table of one scenario's results."""
    from pipeline.reference import dollar_year
    from pipeline.report.filters import fmt_q, fmt_q_range, fmt_sig
    from pipeline.results import METRIC_BY_NAME, METRICS
    from pipeline.units import unit_text

    s = result.scenarios[i]
    lines = [s.name, "=" * len(s.name)]
    if s.location:
        lines.append(s.location)
    lines.append("")
    width = max(len(m.label) for m in METRICS)
    for spec in METRICS:
        q = result.metric(spec.name, i)
        if q is None:
            continue
        extra = ""
        lo, hi = result.metric(spec.name, i, "low"), result.metric(spec.name, i, "high")
        if result.draws and lo is not None and hi is not None and lo != hi:
            extra += f"  (90 % range {fmt_q_range(lo, hi, q, spec.unit)})"
        if spec.name.startswith("water") and spec.name.endswith("per_day"):
            extra += f"  = {fmt_q(q, 'US_liquid_gallon / day')}"
        if spec.unit == "USD":
            extra += f"  ({dollar_year()} US dollars)"
        lines.append(f"  {spec.label:<{width}}  {fmt_q(q, spec.unit):>18}{extra}")
    if s.by_hours:
        lines.append("  (fleet given in accelerator-hours: power figures are not defined)")
    claims = result.claims(i)
    if claims:
        lines += ["", "Claims vs model:"]
        for c in claims:
            ratio = "n/a" if c.ratio is None else f"{c.ratio:.2f}x"
            unit = unit_text(c.claimed.units)
            claimed = f"{fmt_sig(float(c.claimed.magnitude), 3, strip=True)} {unit}"
            modelled = "not modelled" if c.modelled is None else \
                f"{fmt_sig(float(c.modelled.m_as(c.claimed.units)))} {unit}"
            if c.modelled is not None and c.low is not None and c.high is not None and c.low != c.high:
                modelled += (f" (90 % range {fmt_sig(float(c.low.m_as(c.claimed.units)))}-"
                             f"{fmt_sig(float(c.high.m_as(c.claimed.units)))})")
            what = "limit" if c.kind == "limit" else "claimed"
            lines.append(f"  {METRIC_BY_NAME[c.metric].label}: {what} {claimed}, modelled {modelled} "
                         f"-> {ratio}, {c.verdict}")
    if result.draws:
        lines += ["", f"Values are P50 of {result.draws:,} Monte Carlo draws (seed {result.seed}); "
                  f"{len(result.uncertain[i])} uncertain inputs."]
    lines += ["", f"{len(result.assumptions(i))} factors used; --json lists each with its source.", ""]
    return "\n".join(lines)


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.api import compute
    from pipeline.report.render import write_report

    t0 = time.perf_counter()
    _progress(f"computing {', '.join(map(str, args.scenario))} ...")
    result = compute(args.scenario, draws=args.draws, seed=args.seed, keep_hours=True)  # hourly runs: hourly.csv
    draws = f" with {result.draws:,} draws" if result.draws else ""
    _progress(f"computed {len(result)} scenario{'s' if len(result) > 1 else ''}{draws} ({time.perf_counter() - t0:.1f} s)")
    for i in range(len(result)):
        _progress(f"writing the report of {_terminal(result.scenarios[i].name)} "
                  f"({' and '.join(f.upper() for f in _formats(args))}) ...")
        with _charts_drawn_by(args):
            paths = write_report(result, i, Path(args.out), _formats(args), pdf_worker=args.pdf_worker)
        print(f"{_terminal(result.scenarios[i].name)}:")
        _print_paths(paths)
    _progress(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


def _progress(line: str) -> None:
    """A progress line on stderr when it is a terminal (stdout keeps only the paths written; logs, pipes and CI
    get errors alone on stderr, as ``batch``'s progress does)."""
    if sys.stderr.isatty():
        print(line, file=sys.stderr, flush=True)


def _formats(args: argparse.Namespace) -> tuple[str, ...]:
    return ("html", "pdf") if args.format == "both" else (args.format,)


def _print_paths(paths: dict[str, Any]) -> None:
    order = ("pdf", "html", "json", "csv")
    for kind in (*order, *(k for k in paths if k not in (*order, "scenario", "manifest")), "manifest"):
        if kind in paths:
            print(f"  {paths[kind]}")


def _compare(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.compare import compare
    from pipeline.io import slug
    from pipeline.report.render import write_comparison

    t0 = time.perf_counter()
    _progress(f"computing the variants of {args.scenario} ...")
    comparison = compare(args.scenario, args.supply, draws=args.draws, seed=args.seed, basis=args.basis)
    seconds = time.perf_counter() - t0
    out = Path(args.out) if args.out else Path("reports") / f"{slug(comparison.base.name)}-compare"
    _progress(f"writing the comparison ({' and '.join(f.upper() for f in _formats(args))}) ...")
    with _charts_drawn_by(args):
        paths = write_comparison(comparison, out, _formats(args), pdf_worker=args.pdf_worker)
    draws = f"{comparison.result.draws:,} draws, " if comparison.result.draws else ""
    print(f"{len(comparison.variants)} variants ({draws}computed in {seconds:.2f} s):")
    for k, v in enumerate(comparison.variants):
        lb, mb = comparison.value("co2e_location_based", k), comparison.value("co2e_market_based", k)
        tag = " (baseline)" if k == 0 else ""
        if lb is not None and mb is not None:
            print(f"  {_terminal(v.name)}{tag}: CO2e location-based {lb.magnitude:,.0f} t, market-based {mb.magnitude:,.0f} t")
    _print_paths(paths)
    return 0


def _batch(args: argparse.Namespace) -> int:
    from pipeline.batch_run import run

    return run(args.dataset, args.out, reports=args.reports, workers=args.workers, scheduler=args.scheduler,
               summary=not args.no_summary, formats=_formats(args), draws=args.draws, seed=args.seed)


def _schema(args: argparse.Namespace) -> int:
    from pipeline.schema import json_schema

    text = json.dumps(json_schema(), indent=2)
    if args.out:
        from pathlib import Path

        from pipeline.io import write_atomic

        write_atomic(Path(args.out), text + "\n")
    else:
        print(text)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from pipeline.validate import load_cases, run_cases, validation_markdown

    table = run_cases(load_cases(args.cases))
    cols = ["case", "metric", "published", "clusterprint", "unit", "relative_error", "tolerance", "passed"]
    shown = table[cols].copy()
    shown["relative_error"] = shown["relative_error"].map(lambda x: f"{x:+.2%}")
    shown["tolerance"] = shown["tolerance"].map(lambda x: f"{x:.1%}")
    print(shown.to_string(index=False))
    failed = int((~table["passed"]).sum())
    print(f"\n{len(table) - failed} passed, {failed} failed")
    if args.markdown:
        from pathlib import Path

        from pipeline.io import write_atomic

        write_atomic(Path(args.markdown), validation_markdown(table))
    return 1 if failed else 0


def _data(args: argparse.Namespace) -> int:
    from pipeline import reference as ref

    df = ref.table(args.table)
    if args.json:
        print(df.to_json(orient="records", indent=2))
        return 0
    import shutil

    import pandas as pd

    if args.wide:
        with pd.option_context("display.max_rows", None, "display.max_colwidth", None, "display.width", None):
            print(df.fillna("").to_string(index=False))
    else:
        cols = [c for c in df.columns if c not in ("licence", "note", "low", "high", "edition", "basis")]
        for line in _fit_table(df[cols], shutil.get_terminal_size((100, 24)).columns):
            print(line)
    import textwrap

    print("\n" + textwrap.fill(f"{len(df)} rows from pipeline/data/{args.table}.csv (every column: --wide or --json; "
                               "licences and notes: pipeline/data/README.md)", width=shutil.get_terminal_size((100, 24)).columns))
    return 0


def _fit_table(df: Any, width: int) -> list[str]:
    """A table's lines within ``width`` characters.  Key columns (id, parameter, value, unit, year, status) are
    printed whole; the other text columns (name, source, ...) are shortened with '…', down to 10 characters,
    widest first, then dropped from the right, the source last."""
    import pandas as pd

    keys = {"id", "parameter", "value", "unit", "year", "status", "low", "high"}
    width = max(width, 40)
    cells = {c: ["" if pd.isna(v) else (f"{v:g}" if isinstance(v, float) else str(v)) for v in df[c]] for c in df}
    widths = {c: max([len(str(c)), *map(len, cells[c])]) for c in cells}
    numeric = {c: pd.api.types.is_numeric_dtype(df[c]) for c in cells}
    shown = list(cells)

    def excess() -> int:
        return sum(widths[c] for c in shown) + 2 * (len(shown) - 1) - width

    while excess() > 0:
        soft = [c for c in shown if c not in keys and not numeric[c] and widths[c] > 10]
        if soft:  # shorten the widest together, down to the next widest (water-filling), never below 10
            top = max(widths[c] for c in soft)
            widest = [c for c in soft if widths[c] == top]
            below = max([widths[c] for c in soft if widths[c] < top] + [10])
            target = max(below, top - -(-excess() // len(widest)))
            for c in widest:
                widths[c] = target
            continue
        droppable = ([c for c in shown[1:] if c not in keys and c != "source"] or [c for c in shown[1:] if c not in keys]
                     or shown[1:])  # the source goes last: it is what this command is for
        if not droppable:
            break
        shown.remove(droppable[-1])

    def cell(c: str, text: str) -> str:
        text = text if len(text) <= widths[c] else text[:widths[c] - 1] + "…"
        return text.rjust(widths[c]) if numeric[c] else text.ljust(widths[c])

    rows = [[str(c) for c in shown], *([cells[c][k] for c in shown] for k in range(len(df)))]
    return ["  ".join(cell(c, r[j]) for j, c in enumerate(shown)).rstrip() for r in rows]


_COMMANDS = {"compute": _compute, "report": _report, "compare": _compare, "batch": _batch, "validate": _validate,
             "data": _data, "schema": _schema}


def run() -> NoReturn:
    """The ``clusterprint`` console script (and ``python -m pipeline.cli``): :func:`main`, then exit.

    At exit CPython scans every object still alive for reference cycles (the imported pandas and pint, the
    results: hundreds of thousands of objects) before tearing the modules down; ``gc.freeze()`` first leaves them
    to reference counting, which is all they need: 0.24 billion instructions less at the end of a report
    (callgrind; about 0.06 s).  Calling :func:`main` from Python changes nothing.
    """
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
