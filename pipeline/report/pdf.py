"""PDF writing: WeasyPrint with a URL fetcher that refuses the network, in this process or in a second one.

This module imports only the standard library; WeasyPrint is imported when a PDF is written.  That lets
:class:`PdfWorker` start a second process early, which imports WeasyPrint (about 0.7 s) and waits for the report's
HTML while this process imports the engine, computes and draws the charts; the PDF is then laid out there while
this process writes the HTML, JSON and CSV.  The PDF is the same either way: the worker runs :func:`render_pdf`,
which writes a tagged PDF/A-3a that is also PDF/UA-1.

Safety: WeasyPrint gets a URL fetcher that refuses the network and any file outside ``templates/`` (only ``data:``
URIs and template files load).
"""

from __future__ import annotations

import functools
import importlib.resources
import zlib
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

__all__ = ["TEMPLATES_DIR", "PdfWorker", "check_url", "render_pdf", "report_stylesheet", "safe_fetcher", "warm_up"]

T = TypeVar("T")


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


_SERIALIZED_ONCE: dict[type, type] = {}


def _serialized_once(cls: Any) -> type:
    """A subclass of the pydyf object class ``cls`` that serializes itself (``data``) once and keeps the bytes."""
    if cls in _SERIALIZED_ONCE or cls in _SERIALIZED_ONCE.values():
        return _SERIALIZED_ONCE.get(cls, cls)
    serialize = cls.data.fget

    class SerializedOnce(cls):
        @property
        def data(self) -> bytes:
            kept: bytes | None = self.__dict__.get("_serialized")
            if kept is None:
                kept = self.__dict__["_serialized"] = serialize(self)
            return kept

    SerializedOnce.__name__ = SerializedOnce.__qualname__ = cls.__name__
    _SERIALIZED_ONCE[cls] = SerializedOnce
    return SerializedOnce


def _serialize_once(pdf: Any) -> None:
    """Make pydyf serialize each object of ``pdf`` once, not twice, when it writes the file.

    A PDF/A file needs a file identifier, and pydyf computes it as the MD5 of every object's bytes, serializing the
    whole document a second time after writing it, level-9 zlib compression of every stream included: about a
    sixth of ``write_pdf`` for a report.  The objects do not change between the two passes, so each one (those
    pydyf adds while writing too, such as the object stream) keeps its bytes from the first.  Streams are
    compressed once, here, at :data:`ZLIB_LEVEL` (:func:`_deflate`).
    """
    import pydyf

    class WritesOnce(type(pdf)):  # type: ignore[misc]
        def add_object(self, object_: Any) -> None:
            _deflate(object_)
            object_.__class__ = _serialized_once(type(object_))
            super().add_object(object_)

    if not isinstance(pdf, pydyf.PDF):
        raise TypeError(f"expected a pydyf.PDF, got {type(pdf).__name__}")
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Object):
            _deflate(obj)
            obj.__class__ = _serialized_once(type(obj))
    pdf.__class__ = WritesOnce


#: zlib level of the PDF's streams: pydyf uses 9, which took 3.6 times as long as 6 on a report's streams (0.10 vs
#: 0.028 s) for files 2.7 % smaller (192 vs 187 kB with attachments).
ZLIB_LEVEL = 6


def _deflate(obj: Any) -> None:
    """Compress a pydyf stream that pydyf would compress, now and at :data:`ZLIB_LEVEL`, and mark it compressed
    (``/FlateDecode``, ``compress`` off), so that pydyf writes these bytes as they are.

    Uses pydyf's ``_to_bytes`` (what ``Stream.data`` joins the content with); without it the stream is left to
    pydyf's own level-9 compression, so a pydyf change can slow a PDF but not change what it says.
    """
    import pydyf

    to_bytes = getattr(pydyf, "_to_bytes", None)
    if not isinstance(obj, pydyf.Stream) or not obj.compress or to_bytes is None:
        return
    obj.stream = [zlib.compress(b"\n".join(to_bytes(item) for item in obj.stream), ZLIB_LEVEL)]
    obj.extra["Filter"] = "/FlateDecode"
    obj.compress = False


def _finish(document: Any, pdf: Any) -> None:
    """WeasyPrint ``finisher``: what the tagged PDF/A-3a still needs to be PDF/UA-1 too, then each object
    serialized once when the file is written (:func:`_serialize_once`)."""
    _declare_pdfua(pdf)
    _scope_table_headers(pdf)
    _serialize_once(pdf)


def render_pdf(html: str, attachments: tuple[tuple[str, bytes, str], ...] | list[tuple[str, bytes, str]] = ()) -> bytes:
    """The PDF bytes of an HTML report laid out with ``templates/report.css`` (:func:`report_stylesheet`; A4 from
    its ``@page`` rules), with files attached: tagged, PDF/A-3a and PDF/UA-1.

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
    return doc.write_pdf(attachments=atts, pdf_variant="pdf/a-3a", finisher=_finish, stylesheets=[report_stylesheet()])


@functools.cache
def report_stylesheet() -> Any:
    """``templates/report.css`` parsed by WeasyPrint, once per process: every PDF is laid out with it.

    The reports' print HTML carries no styles of its own (``_blocks.html.j2``), so that a process writing several
    PDFs (the PDF worker after its warm-up, a batch's report workers) parses the stylesheet and compiles its
    selectors once: 0.39 billion instructions a document, about a twentieth of a report's layout (callgrind).
    Given to WeasyPrint as a user stylesheet, it takes precedence over the user agent's as the same rules inline
    did (the documents have no author styles to compete with, and presentational hints are off).
    """
    import weasyprint

    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    return weasyprint.CSS(string=css, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=safe_fetcher())


#: A one-page document with every kind of box the reports use (headings, styled inline text, a link, a table with
#: head and row headers, a figure with an SVG image and its caption), laid out by :func:`warm_up` with the reports'
#: stylesheet (:func:`report_stylesheet`, which it parses for the reports that follow).
_WARM_UP_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>clusterprint warm-up</title>
</head><body><header class="title-block"><h1>Warm-up</h1><div class="lede"><p>Text</p></div></header>
<section id="s"><h2>Section</h2><h3>Part</h3><p>Plain, <strong>bold</strong>, <em>italic</em>, <code>code</code>,
CO₂e and a <a href="#t">link</a>.</p><ul><li>Item</li></ul><dl><dt>Term</dt><dd>Definition</dd></dl>
<table id="t"><colgroup><col><col class="num"></colgroup><thead><tr><th scope="col">Head</th>
<th scope="col" class="num">Value</th></tr></thead><tbody><tr><th scope="row">Row</th><td class="num">1,234</td>
</tr></tbody></table><figure class="chart"><img alt="A warm-up chart: one bar" src="data:image/svg+xml;base64,{svg}">
<figcaption>Caption</figcaption></figure></section></body></html>"""

_WARM_UP_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40"><path d="M 0 0 L 60 0 L 60 20 L 0 20 z"'
                b' style="fill: #1f4e79"/><text x="2" y="35" style="font: 8px DejaVu Sans">1 GW</text></svg>')


def warm_up() -> bytes:
    """Lay out and write :data:`_WARM_UP_HTML` as a report PDF is written, and return its bytes (to be thrown away).

    The first document a process lays out pays once for what every later one reuses: Pango's and HarfBuzz's font
    faces and caches, and the first use of WeasyPrint's SVG, tagging and PDF writing code (measured here: a report's
    first layout in a process 2.43 s, after this warm-up 2.09 s; the warm-up itself 0.14 s, CPU time, medians of
    5 processes).  The PDF worker does it while it waits for the report's HTML, off the critical path.
    """
    import base64

    html = _WARM_UP_HTML.replace("{svg}", base64.b64encode(_WARM_UP_SVG).decode())
    return render_pdf(html)


def _warm(prepare: Callable[[], None] | None) -> None:
    """The worker's start: ignore Ctrl-C (the parent handles it and ends the worker), import WeasyPrint, then
    whatever else the worker will be asked to do needs (``prepare``), then lay out a small document
    (:func:`warm_up`) so that the report's layout does not pay for the first one in the process."""
    import signal

    from pipeline.process import collect_less

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    collect_less()  # this process is ours: see pipeline.process
    import weasyprint  # noqa: F401

    if prepare is not None:
        prepare()
    try:
        warm_up()
    except Exception:  # noqa: BLE001,S110 (only a head start: a real problem surfaces in the report's own layout)
        pass


def _ready() -> bool:
    return True


class PdfWorker:
    """A second process that has WeasyPrint imported by the time the report's HTML is ready.

    Started with ``fork`` (the parent has imported almost nothing yet, so the fork is cheap); where ``fork`` is
    not available the worker is not started and :meth:`render` lays the PDF out in this process.  Use as a
    context manager so the process always ends::

        with PdfWorker() as worker:
            ...  # import the engine, compute, build the HTML
            pdf = worker.render(html, attachments).result()
    """

    def __init__(self, prepare: Callable[[], None] | None = None) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool: ProcessPoolExecutor | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_warm, initargs=(prepare,))
            self._pool.submit(_ready)  # starts the process now, not at the first PDF

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """``fn(*args, **kwargs)`` in the worker (a module-level function and plain arguments, which are pickled),
        or here without one; its result or error comes out of the Future, in order with the PDFs asked for."""
        if self._pool is not None:
            return self._pool.submit(fn, *args, **kwargs)
        done: Future[T] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except Exception as exc:
            done.set_exception(exc)
        return done

    def render(self, html: str, attachments: tuple[tuple[str, bytes, str], ...] = ()) -> Future[bytes]:
        """The PDF bytes of ``html`` (:func:`render_pdf`), laid out in the worker; a failure there is raised by
        ``result()``."""
        return self.submit(render_pdf, html, tuple(attachments))

    def close(self) -> None:
        """End the worker process at once, idle or not (a PDF not yet collected is abandoned): after an input
        error the command exits without waiting for WeasyPrint's import to finish."""
        if self._pool is None:
            return
        processes = list(self._pool._processes.values())  # noqa: SLF001 (no public handle on the processes)
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
            process.join()
        self._pool = None

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
