"""Render reports: the one Jinja2 environment, HTML, and PDF through WeasyPrint.

Safety: autoescape is on for every template, and WeasyPrint gets a URL fetcher that refuses the
network and any file outside ``templates/`` (only ``data:`` URIs and template files load).
WeasyPrint is imported only when a PDF is written, as a tagged PDF/A-3a that is also PDF/UA-1
(:func:`pipeline.report.pdf.render_pdf`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.io import csv_text, folder_names, write_atomic
from pipeline.report.filters import FILTERS, typeset_markup
from pipeline.report.pdf import TEMPLATES_DIR, PdfWorker, render_pdf
from pipeline.report.pdf import check_url as check_url  # re-exported: part of the rendering API
from pipeline.report.pdf import safe_fetcher as safe_fetcher
from pipeline.results import Results


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's cache of compiled templates in the user's own temporary folder (``_jinja2-cache-<uid>``, created
    0700 and checked to be the user's by Jinja2), so that a report process loads the compiled templates (3 ms)
    instead of compiling them again (0.08-0.11 s, before the PDF's HTML can go to the PDF process).  Each entry
    carries its template's checksum, so an edited template is compiled anew; entries are written atomically.  It
    is only a cache: a folder that cannot be written means templates are compiled every time, never an error."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _template_cache() -> jinja2.BytecodeCache | None:
    try:
        return _TemplateCache()
    except (OSError, RuntimeError):  # no usable temporary folder, or one that is not the user's: no cache
        return None


def environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The Jinja2 environment: templates/ only, autoescape on, undefined names are errors; compiled templates
    are cached (:class:`_TemplateCache`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,  # every template, including .j2 files
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_template_cache(),
    )
    env.filters.update(FILTERS)
    return env


_ENV: jinja2.Environment | None = None


def _env() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = environment()
    return _ENV


def render_html(context: dict[str, Any], mode: str = "html", template: str = "report.html.j2") -> str:
    """The report as an HTML string; ``mode`` is ``"html"`` (inline SVG) or ``"pdf"`` (SVG as images).

    CO2e, CO2 and SO2 in the body's text are typeset with subscripts (CO₂e); ids and data attributes are lower
    case and untouched, and the document's metadata (title, description) keeps the plain spelling for search.
    """
    html = _env().get_template(template).render(mode=mode, **context)
    head, sep, body = html.partition("<body")
    return head + sep + typeset_markup(body) if sep else html


def _scenario_bytes(scenario: Any) -> bytes:
    """The scenario file as read, or its inputs as JSON when it came from a dataset."""
    path = Path(scenario.file)
    if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        return path.read_bytes()
    return json.dumps(getattr(scenario, "document", {}), indent=2, default=str).encode()


def _write_outputs(folder: Path, *, stem: str, data_stem: str, ctx: dict[str, Any], template: str, data_json: str,
                   data_csv: Callable[[], str], attachments: list[tuple[str, bytes, str]], scenario: Any,
                   formats: tuple[str, ...], manifest_extra: dict[str, Any],
                   pdf_worker: PdfWorker | None = None, extra_files: tuple[tuple[str, str], ...] = ()
                   ) -> dict[str, Path]:
    """Write ``<stem>.html`` / ``.pdf``, ``<data_stem>.json`` / ``.csv`` (``data_csv()``), ``extra_files``
    ((name, text) pairs, e.g. ``hourly.csv``) and ``manifest.json``, atomically.

    With a ``pdf_worker`` the PDF is laid out in that process while this one builds and writes the other files
    (the CSV is built only then: 0.1 s of pandas for a report).
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    paths: dict[str, Path] = {}
    pdf = None
    if "pdf" in formats:
        pdf_html = render_html(ctx, mode="pdf", template=template)
        pdf = pdf_worker.render(pdf_html, tuple(attachments)) if pdf_worker else None
    if "html" in formats:
        paths["html"] = folder / f"{stem}.html"
        write_atomic(paths["html"], render_html(ctx, mode="html", template=template))
    paths["json"] = folder / f"{data_stem}.json"
    write_atomic(paths["json"], data_json)
    paths["csv"] = folder / f"{data_stem}.csv"
    write_atomic(paths["csv"], data_csv())
    for name, text in extra_files:
        paths[name] = folder / name
        write_atomic(paths[name], text)
    if stem == "report":  # the scenario beside the report, for its download link
        name = Path(scenario.file).name if Path(scenario.file).suffix.lower() in (".yaml", ".yml") else "scenario.json"
        paths["scenario"] = folder / name
        write_atomic(paths["scenario"], _scenario_bytes(scenario))
    if "pdf" in formats:
        paths["pdf"] = folder / f"{stem}.pdf"
        write_atomic(paths["pdf"], pdf.result() if pdf else render_pdf(pdf_html, attachments=attachments))
    manifest = {
        "clusterprint_version": __version__,
        "created": now.isoformat(),
        "scenario": {"name": scenario.name, "file": scenario.file,
                     "sha256": hashlib.sha256(_scenario_bytes(scenario)).hexdigest()},
        "reference_data": ref.data_editions(),
        "files": sorted(p.name for p in paths.values()) + ["manifest.json"],
        **manifest_extra,
    }
    paths["manifest"] = folder / "manifest.json"
    write_atomic(paths["manifest"], json.dumps(manifest, indent=2, allow_nan=False))
    return paths


def write_report(result: Results, i: int, out_dir: Path, formats: tuple[str, ...] = ("html", "pdf"),
                 extra_manifest: dict[str, Any] | None = None, folder: str | None = None,
                 pdf_worker: PdfWorker | None = None) -> dict[str, Path]:
    """Write report.html / report.pdf, results.json, results.csv (hourly.csv for an hourly run) and manifest.json
    for scenario ``i``
    into ``out_dir/<folder>`` (default: the scenario's unique folder among ``result``'s scenarios); the PDF is
    laid out in ``pdf_worker``'s process when one is given.

    Returns the written paths by kind.
    """
    from pipeline.report.hourly_model import HOURLY_CSV, hourly_csv_text
    from pipeline.report.model import report_context

    scenario = result.scenarios[i]
    hourly = hourly_csv_text(result, i)  # None unless an hourly run kept its hours
    results_json = json.dumps({"scenarios": [result.scenario_dict(i)]}, indent=2, allow_nan=False)
    scenario_name = Path(scenario.file).name if Path(scenario.file).suffix.lower() in (".yaml", ".yml") \
        else "scenario.json"
    return _write_outputs(
        Path(out_dir) / (folder or folder_names(result.names)[scenario.name]), stem="report", data_stem="results", ctx=report_context(result, i),
        template="report.html.j2", data_json=results_json, data_csv=lambda: csv_text(_frame_with_ranges(result, i)),
        attachments=[(scenario_name, _scenario_bytes(scenario), "The scenario this report was computed from"),
                     ("results.json", results_json.encode(), "Results in the clusterprint compute --json contract")],
        scenario=scenario, formats=formats, manifest_extra=extra_manifest or {}, pdf_worker=pdf_worker,
        extra_files=((HOURLY_CSV, hourly),) if hourly is not None else ())


def _frame_with_ranges(result: Results, i: int) -> Any:
    """results.csv of one scenario: the metric columns of ``to_frame`` then, with draws, P5 and P95 columns."""
    frame = result.to_frame().iloc[[i]].copy()
    if not result.draws:
        return frame
    from pipeline.results import METRICS, metric_column

    for spec in METRICS:  # headers as in `clusterprint batch`'s results.csv (metric_column)
        lo, hi = result.metric(spec.name, i, "low"), result.metric(spec.name, i, "high")
        if lo is None or hi is None:
            continue
        frame[metric_column(spec.name, spec.unit, "P5")] = float(lo.m_as(spec.unit))
        frame[metric_column(spec.name, spec.unit, "P95")] = float(hi.m_as(spec.unit))
    order = [c for spec in METRICS for w in ("", "P5", "P95") if (c := metric_column(spec.name, spec.unit, w)) in frame]
    return frame[[c for c in frame.columns if c not in order] + order]  # each P50 then its P5 and P95, as in batch


def write_comparison(comparison: Any, out_dir: Path, formats: tuple[str, ...] = ("html", "pdf"),
                     pdf_worker: PdfWorker | None = None) -> dict[str, Path]:
    """Write comparison.html / .pdf, comparison.csv, comparison.json and manifest.json into ``out_dir`` (the PDF
    laid out in ``pdf_worker``'s process when one is given)."""
    from pipeline.report.compare_model import comparison_context

    data = json.dumps(comparison.to_dict(), indent=2, default=str, allow_nan=False)
    return _write_outputs(
        Path(out_dir), stem="comparison", data_stem="comparison", ctx=comparison_context(comparison),
        template="compare.html.j2", data_json=data, data_csv=lambda: csv_text(comparison.to_frame()),
        attachments=[("comparison.json", data.encode(), "The comparison in the clusterprint compare contract")],
        scenario=comparison.base, formats=formats,
        manifest_extra={"variants": [v.name for v in comparison.variants], "draws": comparison.result.draws,
                        "seed": comparison.result.seed}, pdf_worker=pdf_worker)
