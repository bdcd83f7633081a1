"""One report against WeasyPrint laying out the same text as plain paragraphs, and batch report throughput.

Run alone with ``python -m bench report`` (a minute or two); ``python -m bench`` runs it with the rest.

What is measured, all in the same run, as whole processes (``subprocess.run`` wall time, Python's bytecode cache on,
one untimed warm-up run of each command first so both find the same warm OS file cache and compiled modules):

(a) ``python -m pipeline.cli report inputs/colossus.yaml --out TMP`` (HTML + PDF + JSON + CSV + manifest);
(b) the floor, ``python -m bench.floor_report FLOOR.html OUT.pdf``: Python start, ``import weasyprint``, layout
    and ``write_pdf`` of a text-only document built from the report just written (below);
(a) and (b) run in turn, a b a b ..., ``reps`` pairs; the ratio is taken per pair, then the median.
(b') ``python -m bench.weasyprint_only PRINT.html OUT.pdf``, in the same turns (a b b' a b b' ...): WeasyPrint alone
    on the report's own print HTML, saved from an untimed in-process render: the share of (a) that only a lighter
    document could make faster;
(c) ``python -m pipeline.cli batch SUBSET.csv --reports --workers 2 --no-summary --out TMP``: reports per minute.

How the floor document is built (not timed): the report's PDF from (a)'s warm-up run is read back page by page with
poppler's ``pdftotext`` (reading order, no layout); every block of text (pdftotext separates blocks with a blank
line) becomes one ``<p>``, its lines joined with spaces, except that a block shorter than 40 characters (a table
cell, a label) is run into the paragraph before it; each page's paragraphs go in a ``<div>`` that starts a new
page. The stylesheet keeps the report's ``@page`` box (A4, margins 20 mm 16 mm 18 mm) and uses one font, DejaVu Sans
regular, with no headers, footers, tables, images, links or bold. Paragraphs are set at the report's 9.5 pt print
size and line-height 1.45; a page whose text does not fit one page at that size is set smaller (by 0.5 pt steps)
so that the floor has exactly the report's page count, which the bench checks on the floor's own PDF.
"""

from __future__ import annotations

import html
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "inputs/colossus.yaml"
DATASET = "inputs/ai-clusters.csv"
#: Clusters of the batch throughput run: the first BATCH_CLUSTERS distinct names of DATASET (all rows of each).
BATCH_CLUSTERS = 10

#: The environment of the timed processes: this one's, with Python's bytecode cache on (PYTHONDONTWRITEBYTECODE
#: dropped), so that clusterprint's own modules are read compiled, as they are after a user's first run or from an
#: installed wheel; WeasyPrint and the libraries both commands import are compiled in site-packages anyway. With the
#: cache off, every report process compiled clusterprint's 30-odd modules again (about 0.1 s; the floor has none).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

FLOOR_CSS = """
@page { size: A4; margin: 20mm 16mm 18mm; }
html { font-family: "DejaVu Sans"; font-weight: normal; font-style: normal; line-height: 1.45; }
body { margin: 0; }
div.page { break-before: page; }
div.page:first-child { break-before: auto; }
p { margin: 0 0 0.3em; }
"""


def _version(dist: str) -> str:
    return importlib.metadata.version(dist)


def _run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=_ENV, cwd=ROOT)
    return time.perf_counter() - t


#: Blocks shorter than this (table cells, labels, headers) are run into the paragraph before them.
SHORT = 40


def page_texts(pdf: Path) -> list[list[str]]:
    """The text of each page of ``pdf`` as paragraphs: pdftotext's blank-line-separated blocks, lines joined with
    spaces, a block shorter than SHORT characters appended to the paragraph before it."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True).stdout
    pages = out.decode("utf-8").split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    result = []
    for page in pages:
        paras: list[str] = []
        for block in page.split("\n\n"):
            text = " ".join(block.split())
            if not text:
                continue
            if paras and len(text) < SHORT:
                paras[-1] += " " + text
            else:
                paras.append(text)
        result.append(paras)
    return result


def floor_html(pages: list[list[str]], sizes: list[float]) -> str:
    body = "".join(
        f'<div class="page" style="font-size: {size}pt">' + "".join(f"<p>{html.escape(b)}</p>" for b in blocks) + "</div>"
        for blocks, size in zip(pages, sizes, strict=True))
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{FLOOR_CSS}</style></head><body>{body}</body></html>"


def build_floor(pdf: Path, out_html: Path) -> tuple[int, list[float]]:
    """Write the floor document for the report ``pdf`` to ``out_html``; returns (pages, font size per page)."""
    import weasyprint

    pages = page_texts(pdf)
    sizes = [9.5] * len(pages)
    for k, blocks in enumerate(pages):  # shrink only the pages whose text overflows one page
        while sizes[k] > 4 and len(weasyprint.HTML(string=floor_html([blocks], [sizes[k]])).render().pages) > 1:
            sizes[k] -= 0.5
    out_html.write_text(floor_html(pages, sizes), encoding="utf-8")
    n = len(weasyprint.HTML(filename=str(out_html)).render().pages)
    assert n == len(pages), (n, len(pages))
    return len(pages), sizes


def save_print_html(path: Path) -> None:
    """The report's print-mode HTML (what WeasyPrint lays out for the PDF), computed in this process, not timed."""
    from pipeline.api import compute
    from pipeline.report.model import report_context
    from pipeline.report.render import render_html

    path.write_text(render_html(report_context(compute(SCENARIO), 0), mode="pdf"), encoding="utf-8")


def _subset(src: Path, dst: Path, clusters: int) -> int:
    import pandas as pd

    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    names = list(dict.fromkeys(df["name"]))[:clusters]
    df[df["name"].isin(names)].to_csv(dst, index=False)
    return len(names)


def bench_report(reps: int = 11, batch_reps: int = 2, clusters: int = BATCH_CLUSTERS) -> dict:
    """Everything the RESULTS.md section needs (seconds, pages, ratio, reports per minute)."""
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        report = [py, "-m", "pipeline.cli", "report", SCENARIO, "--out", str(tmp / "r")]
        _run(report)  # warm-up, and the PDF the floor is built from
        (pdf,) = (tmp / "r").glob("*/report.pdf")
        pages, sizes = build_floor(pdf, tmp / "floor.html")
        floor = [py, "-m", "bench.floor_report", str(tmp / "floor.html"), str(tmp / "floor.pdf")]
        _run(floor)
        save_print_html(tmp / "print.html")
        weasy = [py, "-m", "bench.weasyprint_only", str(tmp / "print.html"), str(tmp / "weasy.pdf")]
        _run(weasy)
        t_rep, t_floor, t_weasy, ratios = [], [], [], []
        for _ in range(reps):
            a, b, c = _run(report), _run(floor), _run(weasy)
            t_rep.append(a)
            t_floor.append(b)
            t_weasy.append(c)
            ratios.append(a / b)
        sub = tmp / "subset.csv"
        n = _subset(ROOT / DATASET, sub, clusters)
        batch = [py, "-m", "pipeline.cli", "batch", str(sub), "--reports", "--workers", "2", "--no-summary",
                 "--out", str(tmp / "b")]
        t_batch = statistics.median(_run(batch) for _ in range(batch_reps))
        written = len(list((tmp / "b").rglob("report.pdf")))
        assert written == n, (written, n)
    return {"report": statistics.median(t_rep), "floor": statistics.median(t_floor), "ratio": statistics.median(ratios),
            "weasy": statistics.median(t_weasy), "weasy_ratio": statistics.median(c / b for c, b in zip(t_weasy, t_floor,
                                                                                                         strict=True)),
            "ratios": ratios, "pages": pages, "sizes": sizes, "reps": reps, "clusters": n, "batch": t_batch,
            "batch_reps": batch_reps, "per_minute": n / t_batch * 60}


def section(r: dict, before: str = "") -> list[str]:
    """The '## One report ...' section of RESULTS.md."""
    shrunk = sorted({s for s in r["sizes"] if s < 9.5})
    sizes = (f"; pages whose text overflows at 9.5 pt set at {', '.join(f'{s:g}' for s in shrunk)} pt" if shrunk
             else "; every page's text fits at 9.5 pt")
    lines = [
        "## One report vs WeasyPrint laying out the same text as plain paragraphs", "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} by `python -m bench report` on {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.platform()}; Python {platform.python_version()}, "
        f"WeasyPrint {_version('weasyprint')}, matplotlib {_version('matplotlib')}.", "",
        "Whole processes, start to files written, run in turn (report, floor, WeasyPrint alone, report, floor, ...), "
        f"{r['reps']} pairs; ratio per pair, then the median. `python -m bench report` runs this section alone "
        "(bench/report.py documents the floor).", "",
        "| what | median wall | ratio | goal |", "|---|---|---|---|",
        f"| `clusterprint report {SCENARIO} --out TMP` ({r['pages']} A4 pages, HTML + PDF + JSON + CSV + manifest) "
        f"| {r['report']:.2f} s | {r['ratio']:.2f}× | ≤ 3×: {'met' if r['ratio'] <= 3 else 'missed'} |",
        f"| floor: `python -m bench.floor_report` — start, `import weasyprint`, layout and `write_pdf` of the report's "
        f"own text, {r['pages']} pages | {r['floor']:.2f} s | 1× | |",
        f"| not a floor: `python -m bench.weasyprint_only` — start, `import weasyprint`, layout and `write_pdf` of "
        f"the report's own print HTML (tables, charts, links), no engine | {r['weasy']:.2f} s | {r['weasy_ratio']:.2f}× "
        "| |", "",
        f"Per-pair ratios: {', '.join(f'{x:.2f}' for x in r['ratios'])}.",
        "The floor document is the report's PDF read back with `pdftotext`, page by page, each text block one `<p>`, "
        "blocks under 40 characters run into the paragraph before them, each page's blocks starting a new page; same A4 page and margins, one font (DejaVu Sans regular), "
        f"9.5 pt like the report's body{sizes}; its page count is checked equal to the report's.", "",
        f"`clusterprint batch --reports --workers 2 --no-summary` on the first {r['clusters']} clusters of "
        f"`{DATASET}` (a subset so that the section runs in about a minute; all rows of each cluster), "
        f"median of {r['batch_reps']}: {r['batch']:.1f} s, **{r['per_minute']:.1f} reports per minute**.", ""]
    return lines + ([before, ""] if before else [])


#: Measured with this module before the speed-ups (tables laid out automatically, charts through pyplot), on a
#: copy of the tree at commit 8c185a5, same machine, 2026-11-29: the code it measured no longer exists.
BEFORE = (
    "**Before** (commit 8c185a5, measured with this module on the same machine, 2026-11-29, 5 pairs): "
    "`clusterprint report` 8.14 s against a 0.90 s floor, **8.65×** (per pair 7.42-9.49), 11 pages; "
    "`batch --reports --workers 2` on the same 10 clusters 24.8 s (1 run), **24.2 reports per minute**. "
    "A cProfile of the report then had 4.8 s in WeasyPrint's layout, 3.5 s of it in automatic table layout "
    "(`table_cell_min_content_width` for 405 cells, 37,000 `get_first_line` calls: `overflow-wrap: anywhere` "
    "makes the min-content width of a cell a line break at every character). "
    "**Like for like after**: the same 8c185a5 tree with only these changes (fixed table layout with `<col>` "
    "widths, charts without pyplot), measured right after, while the machine was busier (floor 1.28 s): "
    "5.96 s, **4.50×** (per pair 4.44-4.66); 10 cluster reports in 11.4 s, **52.5 reports per minute**.\n\n"
    "**Session 3 (2026-11-29 23:31 UTC, same module)**: 5.67 s against a 1.14 s floor, **4.91×**, 14 pages; "
    "59.6 reports per minute.\n\n"
    "**Since then** (session 4): `clusterprint report` starts a second process at once (`pipeline/report/pdf.py` "
    "`PdfWorker`, forked before the engine is imported) that imports WeasyPrint and matplotlib while this one "
    "imports the engine and computes, draws the charts from their plain arguments (`charts.drawn_by`), then lays "
    "out the PDF while this process writes the HTML, JSON and CSV; the PDF became tagged PDF/A-3a + PDF/UA-1 "
    "(about +0.2 s of `write_pdf` CPU); the overhead hatch is lines, not dots (the dots pattern was 80 kB of SVG "
    "paths per chart). Measuring the charts' tight box without savefig's layout pass saved nothing once made "
    "exact: that pass draws nothing, so the charts were never drawn twice.\n\n"
    "Session 4's figures: 5.79 s against a 1.46 s floor, **3.93×**, 12 pages; 83.7 reports per minute. Its note "
    "that the worker was forked at 0.04 s was wrong: argparse listed `clusterprint data`'s choices while the parser "
    "was built, importing pandas and pint first, so the worker was forked at 0.6-0.9 s and its WeasyPrint import "
    "barely overlapped the engine's.\n\n"
    "**Since then** (session 5, 2026-11-30): (1) the worker is forked at ~0.1 s again (a `metavar`; a test checks "
    "that parsing a `report` command imports neither pandas nor pint); (2) while it waits, the worker lays out a "
    "one-page warm-up document with the report's stylesheet (`pdf.warm_up`: a report's first layout in a process "
    "2.43 s, after the warm-up 2.09 s, medians of 5 processes, CPU time); (3) pydyf serialized, and zlib-compressed "
    "at level 9, every object twice, the second time only to hash the file identifier PDF/A needs: each object now "
    "keeps its bytes (`pdf._serialize_once`; the file is byte-identical; 0.55 of 10.2 billion instructions of the "
    "layout and `write_pdf`, callgrind); (4) the contents' page numbers are floated right over a dashed rule instead "
    "of `leader(\".\")` (0.89 billion instructions for 12 entries); (5) the CLI and its workers run Python's cycle "
    "collector with a gen-0 threshold of 20,000 instead of 700 (`pipeline.process.collect_less`): time in the "
    "collector (`gc.callbacks`) before the PDF's HTML 0.22 -> 0.09 s, during the layout 0.35 -> 0.08 s; (6) the "
    "print HTML carries no styles: `pdf.report_stylesheet()` parses `report.css` once per process (a stylesheet "
    "cost 0.39 billion instructions a document; pages pixel-identical); (7) results.csv (0.1 s of pandas) is built "
    "after the PDF's HTML is handed over, and JSON and CSV are written while the worker lays the PDF out; (8) the "
    "console script freezes the collector before exiting (`cli.run`: CPython's last cycle scan of everything "
    "imported, 0.24 billion instructions); (9) this bench now lets Python keep its bytecode cache: with "
    "PYTHONDONTWRITEBYTECODE every report process compiled clusterprint's modules again (0.39 billion "
    "instructions), which no installed copy does; (10) streams are compressed at zlib level 6, not pydyf's 9 "
    "(0.25 billion instructions; the PDF 192 instead of 187 kB). In all, laying out and writing the report's PDF "
    "(imports included) went from 12.05 to 10.59 billion instructions.\n\n"
    "Where the time goes now (`time.perf_counter` marks in both processes, 3 runs after (7)): the worker is forked "
    "at 0.10-0.14 s; the engine is imported at 1.10-1.54 s (0.78-1.01 s when the other core is idle: the two cores "
    "slow each other by a third, measured with a busy loop beside `import pipeline.api`); computed with 10,000 "
    "draws at 1.34-1.93 s; the context built at 1.39-2.03 s; meanwhile the worker has imported WeasyPrint and "
    "matplotlib and laid out its warm-up by 1.68-2.16 s, so it is now the worker that the charts wait for; the "
    "four charts drawn and the print HTML rendered at 2.12-2.83 s; the worker's layout and `write_pdf` take "
    "1.8-2.7 s and end at 4.54-5.13 s (this run of marks was on a slow stretch: the floor took 1.50 s then). "
    "Callgrind counts of the layout by section (each section alone, minus an empty document): assumptions and "
    "sources 1.81, uncertainty (table and two tornado charts) 1.13, all results 1.01, references 0.96, method 0.60, "
    "the two charts of 'Where it goes' 0.48, brief 0.41, claims 0.43, fleet 0.37, air 0.33, glossary 0.34 billion "
    "instructions; the per-document part (stylesheet, fonts, PDF/A metadata) 0.59; the tags PDF/UA needs about 1.3. "
    "The rest of the gap to 3× is in that document: text in table cells, list markers (laid out as absolutely "
    "positioned shrink-to-fit boxes, about 7 million instructions each), links and tags cost more than the same "
    "text as plain paragraphs, and a lighter document would mean printing less of what makes the report "
    "traceable.\n\n"
    "Session 5's figures: 3.57 s against a 1.09 s floor, **3.33×** (per pair 2.64-4.16; the medians of its last "
    "four runs 3.00-3.33×), 12 pages; 106.0 reports per minute.\n\n"
    "**Since then** (session 6, 2026-11-30): (1) the report's bar charts (stacked, simple, tornado, ranked) are "
    "written as SVG directly (`pipeline/report/barchart.py`, text measured in DejaVu Sans's advance widths, read "
    "with fontTools): the PDF process no longer imports matplotlib (0.57 s of CPU beside the engine's import, on two "
    "cores) nor draws four figures with it once the results are known (60-130 ms each, on the critical path), and "
    "WeasyPrint draws about 60 plain elements a chart instead of 200-260 nested, style-attributed ones (the four "
    "charts' share of the layout and `write_pdf` 0.17 -> 0.03 s CPU); A/B over 8 alternating pairs of whole "
    "reports: 0.878× the time; (2) the contents, method, factor notes and references number their items in the "
    "text, padded with figure spaces and hanging in the padding, instead of with list markers (each an absolutely "
    "positioned shrink-to-fit box): 0.48 of 7.83 billion instructions of the report's layout and `write_pdf` "
    "(callgrind); `code` stays upright in italic notes, one font fewer to subset and embed (178 instead of 192 "
    "kB); (3) compiled templates are cached between processes (Jinja2's bytecode cache in the user's 0700 "
    "temporary folder): the print HTML goes to the PDF process 0.08-0.11 s sooner (0.010 instead of "
    "0.085-0.126 s from context to print HTML); (4) this bench runs 11 pairs instead of 7: one pair's ratio swings "
    "by ±20 % on this VM, and the median of 11 moves less.\n\n"
    "Where the time goes now (`time.perf_counter` marks in both processes, 6 runs, on a quiet and on a slow "
    "stretch): the worker is forked at 0.08-0.17 s and has imported WeasyPrint, read the fonts' widths and laid out "
    "its warm-up by 0.70-1.14 s; the engine is imported at 0.79-1.29 s, computed with 10,000 draws at 0.99-1.63 s "
    "and the print HTML handed over at 1.09-1.74 s, so the two processes are ready at about the same time; the "
    "worker's layout and `write_pdf` then take 1.4-2.3 s, the whole command 2.6-4.0 s. Tried and left: tables "
    "with separate instead of collapsed borders (0.09 billion instructions more), no `overflow-wrap` (0.08 fewer, "
    "but long URLs would run off the page), a warm-up document as rich as a report (it saves 0.12 of 7.8 billion "
    "instructions in the report's layout and costs 2.9 more before it), a faster serializer for pydyf's "
    "dictionaries (all 2,830 of a report serialize in 33 ms). WeasyPrint lays out the contents page three times, "
    "once more than its page numbers need (the 'pages' counter of the footer changes the cached counters of the "
    "anchors on that page: about 0.03 s); fixing that is for WeasyPrint, not for a patch here.")


def main() -> None:
    """Measure and replace the report section of bench/RESULTS.md (the rest of the file is kept)."""
    r = bench_report()
    new = section(r, BEFORE)
    path = ROOT / "bench" / "RESULTS.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("## One report"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("## "))
    path.write_text("\n".join(lines[:start] + new + lines[end:]), encoding="utf-8")
    print("\n".join(new))
