"""The PDF worker process: charts and PDFs made there are the ones made here, errors come back, it always ends."""

import pytest
from pypdf import PdfReader

from pipeline.report import barchart, charts
from pipeline.report.pdf import PdfWorker, render_pdf

ARGS = ("power", "Where the power goes", ["Mean", "Peak"],
        [("Accelerators", "accelerators", [55.6, 70.0]), ("Hosts", "hosts", [35.0, 57.5])], "MW")


@pytest.fixture(scope="module")
def worker():
    with PdfWorker(prepare=barchart.warm) as w:
        yield w


def test_a_chart_drawn_by_the_worker_is_the_chart_drawn_here(worker):
    here = charts.stacked_bars(*ARGS)
    with charts.drawn_by(worker.submit):
        there = charts.stacked_bars(*ARGS)
    assert not isinstance(there, str)  # a Future: the worker draws it
    assert there.result(timeout=60) == here
    assert "<dc:date>" not in here  # no timestamp: the same chart gives the same bytes


def test_a_pdf_laid_out_by_the_worker_matches_one_laid_out_here(worker, tmp_path):
    html = "<html lang='en'><head><title>t</title></head><body><h1>Heading</h1><p>CO₂e 12 t</p></body></html>"
    there, here = worker.render(html).result(timeout=120), render_pdf(html)
    for name, data in (("there", there), ("here", here)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
    a, b = (PdfReader(tmp_path / f"{n}.pdf") for n in ("there", "here"))
    assert len(a.pages) == len(b.pages) == 1
    assert a.pages[0].extract_text() == b.pages[0].extract_text()


def _fails() -> str:
    raise ValueError("no such chart")


def test_an_error_in_the_worker_comes_out_of_result(worker):
    with pytest.raises(ValueError, match="no such chart"):
        worker.submit(_fails).result(timeout=60)


def test_close_ends_the_process_even_while_it_is_still_starting():
    w = PdfWorker(prepare=barchart.warm)
    processes = list(w._pool._processes.values()) if w._pool else []
    w.close()
    assert all(not p.is_alive() for p in processes)
    assert w.submit(sum, [1, 2]).result() == 3  # closed: work runs here


def test_the_warm_up_document_is_a_real_one_page_report_pdf(tmp_path):
    # the worker lays it out while it waits, so that the report's layout does not pay for the process's first one;
    # it must exercise the report's stylesheet, text, table and SVG paths, and never grow past a page
    from pipeline.report.pdf import warm_up

    (tmp_path / "warm.pdf").write_bytes(warm_up())
    reader = PdfReader(tmp_path / "warm.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for word in ("Warm-up", "bold", "italic", "code", "Head", "1,234", "Caption"):
        assert word in text
    assert "/XObject" in str(reader.pages[0]["/Resources"])  # the SVG image was drawn


def test_each_pdf_object_is_serialized_once_and_each_stream_compressed_once(monkeypatch, tmp_path):
    # a PDF/A file identifier is the MD5 of every object's bytes: pydyf serialized (and zlib-compressed, at level
    # 9) the whole document twice for it; the finisher compresses each stream once, at level 6, and makes each
    # object keep its bytes from the first pass
    import zlib

    import pydyf
    import weasyprint

    from pipeline.report import pdf as P

    html = ("<html lang='en'><head><title>t</title></head><body><h1>Heading</h1><p>CO₂e 12 t</p>"
            "<table><tr><th scope='col'>a</th></tr><tr><td>1</td></tr></table></body></html>")
    compressed = []

    class CountingZlib:
        def __getattr__(self, name):
            return getattr(zlib, name)

        def compressobj(self, *args, **kwargs):
            compressed.append(1)
            return zlib.compressobj(*args, **kwargs)

    monkeypatch.setattr(pydyf, "zlib", CountingZlib())
    deflated = []
    real_deflate = P._deflate
    monkeypatch.setattr(P, "_deflate", lambda obj: (deflated.append(getattr(obj, "compress", False)),
                                                   real_deflate(obj)))

    def write(finisher):
        compressed.clear()
        deflated.clear()
        data = weasyprint.HTML(string=html, url_fetcher=P.safe_fetcher()).write_pdf(pdf_variant="pdf/a-3a",
                                                                                      finisher=finisher)
        return data, len(compressed), sum(deflated)

    pydyf_way, twice, _ = write(lambda doc, pdf: (P._declare_pdfua(pdf), P._scope_table_headers(pdf)))
    ours, by_pydyf, by_us = write(P._finish)
    # pydyf compressed every stream twice but the cross-reference stream, written after the identifier; now pydyf
    # compresses none and each stream is compressed once
    assert by_pydyf == 0
    assert twice == 2 * by_us - 1 and by_us >= 5
    assert ours.count(b"/FlateDecode") == by_us
    # the same document: same pages and text, every stream readable
    (tmp_path / "a.pdf").write_bytes(pydyf_way)
    (tmp_path / "b.pdf").write_bytes(ours)
    a, b = PdfReader(tmp_path / "a.pdf"), PdfReader(tmp_path / "b.pdf")
    assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    assert a.pages[0].get_contents().get_data() == b.pages[0].get_contents().get_data()


def test_the_worker_collects_less_and_importing_the_library_changes_nothing(root):
    # our own processes (the CLI, the PDF worker, batch report workers) run the cycle collector less often
    # (pipeline.process); a program importing pipeline keeps its own settings
    import gc
    import subprocess
    import sys

    from pipeline.process import GC_THRESHOLD

    with PdfWorker() as w:
        assert w.submit(gc.get_threshold).result(timeout=120)[0] == GC_THRESHOLD
    probe = ("import gc; before = gc.get_threshold(); import pipeline.api, pipeline.report.render; "
             "print(before == gc.get_threshold())")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "True"
