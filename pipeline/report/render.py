"""Render reports: the one Jinja2 environment, HTML, and PDF through WeasyPrint.

Safety: autoescape is on for every template, and WeasyPrint gets a URL fetcher that refuses the
network and any file outside ``templates/`` (only ``data:`` URIs and template files load).
WeasyPrint is imported only when a PDF is written, as a tagged PDF/A-3a that is also PDF/UA-1 (``render_pdf``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.resources
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2

from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.io import csv_text, folder_names, write_atomic
from pipeline.report.filters import FILTERS, typeset
from pipeline.results import Results


def _templates_dir() -> Path:
    """The report templates' folder as a real directory (Jinja's loader and the URL fetcher need a path).

    A wheel installs them as the package resource ``pipeline/templates/``, beside the imported ``pipeline``.
    In a source checkout or an editable install they are the repository's top-level ``templates/`` (the
    one copy; an editable install cannot import the data-only ``pipeline.templates``).  Both are found
    from the ``pipeline`` actually imported, so code and templates always come from the same copy.
    """
    installed = importlib.resources.files("pipeline") / "templates"
    if isinstance(installed, Path) and installed.is_dir():
        return installed.resolve()
    return Path(__file__).resolve().parents[2] / "templates"


TEMPLATES_DIR = _templates_dir()


def environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The Jinja2 environment: templates/ only, autoescape on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,  # every template, including .j2 files
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
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
    return head + sep + typeset(body) if sep else html


def check_url(url: str, root: Path = TEMPLATES_DIR) -> None:
    """Raise ValueError unless ``url`` is a ``data:`` URI or a file inside ``root`` (templates/)."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return
    if parts.scheme == "file":
        path = Path(unquote(parts.path)).resolve()
        if path.is_relative_to(root.resolve()) and path.is_file():
            return
    raise ValueError(f"clusterprint refuses to fetch {url!r}: only data: URIs and files in templates/")


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class SafeFetcher(URLFetcher):
        """WeasyPrint URL fetcher allowing only ``data:`` URIs and files inside ``templates/``."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            check_url(url)
            return super().fetch(url, headers)

    return SafeFetcher


def safe_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses the network and files outside templates/."""
    return _fetcher_class()(allowed_protocols=("data", "file"), timeout=1)


#: The PDF/UA-1 identification (ISO 14289-1, 5) and, since ``pdfuaid`` is not a schema PDF/A predefines, the PDF/A
#: extension schema that declares it (ISO 19005-3, 6.6.2.3): two rdf:Description elements for the document's XMP.
_PDFUA_XMP = (
    b'<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about=""'
    b' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>'
    b'<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about=""'
    b' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    b' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    b' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b'<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    b'<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>'
    b'<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>'
    b'<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>'
    b'<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    b'<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>'
    b'<pdfaProperty:category>internal</pdfaProperty:category>'
    b'<pdfaProperty:description>Part of ISO 14289 the document conforms to</pdfaProperty:description>'
    b'</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>'
)


def _declare_pdfua(pdf: Any) -> None:
    """Add the PDF/UA-1 identification to the one XMP packet WeasyPrint wrote for PDF/A-3a, and keep that packet
    uncompressed (PDF/A-1 requires it, validators check it for PDF/A-3 too, and tools that scan files for XMP
    find it).

    WeasyPrint's own ``xmp_metadata`` option cannot do this: it appends a second rdf:RDF element after the
    first, which validators do not read.
    """
    ref = pdf.catalog["Metadata"]
    stream = next(o for o in pdf.objects if getattr(o, "reference", None) == ref)
    packet = b"".join(stream.stream)
    if b"pdfuaid" not in packet:
        head, sep, tail = packet.rpartition(b"</rdf:RDF>")
        if not sep:
            raise RuntimeError("WeasyPrint wrote no rdf:RDF metadata: cannot declare PDF/UA-1")
        packet = head + _PDFUA_XMP + sep + tail
    stream.stream = [packet]
    stream.compress = False


def _scope_table_headers(pdf: Any) -> None:
    """Give every TH structure element its ``/Scope``: ``/Column`` in a table head, ``/Row`` elsewhere, as the
    templates write them (``<th scope="col">`` in ``<thead>``, ``<th scope="row">`` opening a body or footer row).

    WeasyPrint ties each TD to its headers (``/Headers``) but ignores ``scope``, so a header no TD points to
    (the head of a column of row headers) would carry no association at all (Matterhorn 15).
    """
    by_ref = {getattr(o, "reference", None): o for o in pdf.objects
              if isinstance(o, dict) and o.get("Type") == "/StructElem"}
    for elem in by_ref.values():
        if elem.get("S") != "/TH":
            continue
        row = by_ref.get(elem.get("P"))
        section = by_ref.get(row.get("P")) if row is not None else None
        scope = "/Column" if section is not None and section.get("S") == "/THead" else "/Row"
        elem.setdefault("A", {"O": "/Table"})["Scope"] = scope


def _finish(document: Any, pdf: Any) -> None:
    """WeasyPrint ``finisher``: what the tagged PDF/A-3a still needs to be PDF/UA-1 too."""
    _declare_pdfua(pdf)
    _scope_table_headers(pdf)


def render_pdf(html: str, attachments: tuple[tuple[str, bytes, str], ...] | list[tuple[str, bytes, str]] = ()) -> bytes:
    """The PDF bytes of an HTML report (A4 from CSS), with files attached: tagged, PDF/A-3a and PDF/UA-1.

    ``attachments`` are (file name, content, description) triples.  Title, subject (description),
    keywords and generator come from the HTML ``<title>`` and ``<meta>`` elements, the language from
    ``<html lang>``.

    Both standards, one file.  WeasyPrint's ``pdf_variant`` takes one variant, so the PDF is written as
    PDF/A-3a, the archival variant that allows embedded files (the scenario and results.json) and, at level
    "a", writes the tag tree: a structure element per heading, paragraph, list, table cell and figure (with
    its ``alt`` text) in reading order, ``/MarkInfo /Marked``, ``/Lang``, the title shown instead of the file
    name (``/DisplayDocTitle``), an sRGB output intent, a file identifier and each attachment's
    ``/AFRelationship``.  That is everything PDF/UA-1 asks of the file itself too, except its identification in
    the metadata, which the finisher ``_finish`` adds (with the ``/Scope`` of every table header, which
    WeasyPrint leaves out).  Both claims are checked by a validator in
    ``tests/test_pdf_accessibility.py``.  (Writing ``pdf/ua-1`` instead would give an accessible file that is
    not archival: no output intent, no file identifier, no attachment relationships.)
    """
    import weasyprint

    atts = [weasyprint.Attachment(string=content, name=name, description=desc) for name, content, desc in attachments]
    doc = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=safe_fetcher())
    return doc.write_pdf(attachments=atts, pdf_variant="pdf/a-3a", finisher=_finish)


def _scenario_bytes(scenario: Any) -> bytes:
    """The scenario file as read, or its inputs as JSON when it came from a dataset."""
    path = Path(scenario.file)
    if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        return path.read_bytes()
    return json.dumps(getattr(scenario, "document", {}), indent=2, default=str).encode()


def _write_outputs(folder: Path, *, stem: str, data_stem: str, ctx: dict[str, Any], template: str, data_json: str,
                   data_csv: str, attachments: list[tuple[str, bytes, str]], scenario: Any,
                   formats: tuple[str, ...], manifest_extra: dict[str, Any]) -> dict[str, Path]:
    """Write ``<stem>.html`` / ``.pdf``, ``<data_stem>.json`` / ``.csv`` and ``manifest.json``, atomically."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    paths: dict[str, Path] = {}
    if "html" in formats:
        paths["html"] = folder / f"{stem}.html"
        write_atomic(paths["html"], render_html(ctx, mode="html", template=template))
    if "pdf" in formats:
        paths["pdf"] = folder / f"{stem}.pdf"
        write_atomic(paths["pdf"], render_pdf(render_html(ctx, mode="pdf", template=template), attachments=attachments))
    paths["json"] = folder / f"{data_stem}.json"
    write_atomic(paths["json"], data_json)
    paths["csv"] = folder / f"{data_stem}.csv"
    write_atomic(paths["csv"], data_csv)
    if stem == "report":  # the scenario beside the report, for its download link
        name = Path(scenario.file).name if Path(scenario.file).suffix.lower() in (".yaml", ".yml") else "scenario.json"
        paths["scenario"] = folder / name
        write_atomic(paths["scenario"], _scenario_bytes(scenario))
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
                 extra_manifest: dict[str, Any] | None = None, folder: str | None = None) -> dict[str, Path]:
    """Write report.html / report.pdf, results.json, results.csv and manifest.json for scenario ``i``
    into ``out_dir/<folder>`` (default: the scenario's unique folder among ``result``'s scenarios).

    Returns the written paths by kind.
    """
    from pipeline.report.model import report_context

    scenario = result.scenarios[i]
    results_json = json.dumps({"scenarios": [result.scenario_dict(i)]}, indent=2, allow_nan=False)
    scenario_name = Path(scenario.file).name if Path(scenario.file).suffix.lower() in (".yaml", ".yml") \
        else "scenario.json"
    return _write_outputs(
        Path(out_dir) / (folder or folder_names(result.names)[scenario.name]), stem="report", data_stem="results", ctx=report_context(result, i),
        template="report.html.j2", data_json=results_json, data_csv=csv_text(_frame_with_ranges(result, i)),
        attachments=[(scenario_name, _scenario_bytes(scenario), "The scenario this report was computed from"),
                     ("results.json", results_json.encode(), "Results in the clusterprint compute --json contract")],
        scenario=scenario, formats=formats, manifest_extra=extra_manifest or {})


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


def write_comparison(comparison: Any, out_dir: Path, formats: tuple[str, ...] = ("html", "pdf")) -> dict[str, Path]:
    """Write comparison.html / .pdf, comparison.csv, comparison.json and manifest.json into ``out_dir``."""
    from pipeline.report.compare_model import comparison_context

    data = json.dumps(comparison.to_dict(), indent=2, default=str, allow_nan=False)
    return _write_outputs(
        Path(out_dir), stem="comparison", data_stem="comparison", ctx=comparison_context(comparison),
        template="compare.html.j2", data_json=data, data_csv=csv_text(comparison.to_frame()),
        attachments=[("comparison.json", data.encode(), "The comparison in the clusterprint compare contract")],
        scenario=comparison.base, formats=formats,
        manifest_extra={"variants": [v.name for v in comparison.variants], "draws": comparison.result.draws,
                        "seed": comparison.result.seed})
