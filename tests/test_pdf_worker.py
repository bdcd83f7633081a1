"""The PDF worker process: charts and PDFs made there are the ones made here, errors come back, it always ends."""

import pytest
from pypdf import PdfReader

from pipeline.report import charts
from pipeline.report.pdf import PdfWorker, render_pdf

ARGS = ("power", "Where the power goes", ["Mean", "Peak"],
        [("Accelerators", "accelerators", [55.6, 70.0]), ("Hosts", "hosts", [35.0, 57.5])], "MW")


@pytest.fixture(scope="module")
def worker():
    with PdfWorker(prepare=charts.warm) as w:
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
    w = PdfWorker(prepare=charts.warm)
    processes = list(w._pool._processes.values()) if w._pool else []
    w.close()
    assert all(not p.is_alive() for p in processes)
    assert w.submit(sum, [1, 2]).result() == 3  # closed: work runs here
