"""Reports: numbers in the PDF and HTML match results.json, sources are complete, rendering is safe."""

import io
import json
import re

import pytest
from pypdf import PdfReader

from pipeline import compute, parse_scenario
from pipeline.cli import main
from pipeline.io import slug
from pipeline.report.filters import fmt_q
from pipeline.report.model import report_context
from pipeline.report.render import render_html, render_pdf, safe_fetcher, write_report
from pipeline.results import METRIC_BY_NAME
from tests.conftest import no_weasyprint_warnings, scenario_dict

EXAMPLES = ["inputs/colossus.yaml", "inputs/colossus-phase2.yaml"]


@pytest.fixture(scope="module", params=EXAMPLES)
def rendered(request, tmp_path_factory):
    """Render a shipped example once, failing on any WeasyPrint log record (warnings included)."""
    root = request.config.rootpath
    out = tmp_path_factory.mktemp("reports")
    with no_weasyprint_warnings():
        result = compute(root / request.param)
        paths = write_report(result, 0, out)
    return result, paths


def _squash(text):
    return re.sub(r"\s+", " ", text)


def test_writes_six_files(rendered):
    _, paths = rendered
    assert set(paths) == {"html", "pdf", "json", "csv", "manifest", "scenario"}
    for p in paths.values():
        assert p.stat().st_size > 0
    # 12-15 pages with four vector charts and two attachments are about 190 kB; a dotted border drawn dot by dot
    # once took one to 490 kB
    assert paths["pdf"].stat().st_size < 300_000
    manifest = json.loads(paths["manifest"].read_text())
    assert len(manifest["scenario"]["sha256"]) == 64
    assert "accelerators.csv" in manifest["reference_data"]


def test_pdf_and_html_numbers_match_results_json(rendered):
    result, paths = rendered
    data = json.loads(paths["json"].read_text())["scenarios"][0]
    pdf_text = _squash(" ".join(page.extract_text() for page in PdfReader(paths["pdf"]).pages))
    html = paths["html"].read_text()
    for name, m in data["metrics"].items():
        from pipeline.units import Q_

        shown = fmt_q(Q_(m["value"], m["unit"]), METRIC_BY_NAME[name].unit)
        number = shown.split(" ")[0].lstrip("$")
        assert number in pdf_text, f"{name}: {shown} not in the PDF"
        assert f'data-metric="{name}"' in html
        assert shown.replace("&", "&amp;") in html, f"{name}: {shown} not in the HTML"


def test_every_assumption_appears_in_sources(rendered):
    _, paths = rendered
    data = json.loads(paths["json"].read_text())["scenarios"][0]
    html = paths["html"].read_text()
    section = html[html.index('id="sources"'):]
    pdf_text = _squash(" ".join(p.extract_text() for p in PdfReader(paths["pdf"]).pages)).replace(" ", "")
    for a in data["assumptions"]:
        assert f"<code>{a['name']}</code>" in section
        assert a["name"].replace(" ", "") in pdf_text


def test_pdf_metadata_toc_and_attachments(rendered):
    result, paths = rendered
    reader = PdfReader(paths["pdf"])
    assert reader.metadata.title.startswith(result.scenarios[0].name)
    assert "Power, energy, water and CO2e" in reader.metadata.subject
    assert reader.metadata.creator.startswith("clusterprint")
    first, second = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "In brief" in first and "Contents" not in first  # page 1 is the brief; contents open page 2
    assert "Contents" in second
    # each contents entry has its page number on its own line (same baseline, right of it), and that number is the
    # page its link goes to and where the section's text starts
    lines: dict[float, list[tuple[float, str]]] = {}
    reader.pages[1].extract_text(visitor_text=lambda text, cm, tm, *_: text.strip() and lines.setdefault(
        round(tm[5] * cm[3] + cm[5], 1), []).append((tm[4] * cm[0] + cm[4], text.strip())))
    entries = {sorted(parts)[-2][1]: sorted(parts)[-1][1]  # the entry's name, then its number at the right
               for parts in lines.values() if len(parts) >= 2 and sorted(parts)[-1][1].isdigit()}
    assert int(entries["Assumptions and sources"]) > 2
    page = int(entries["Assumptions and sources"])
    assert "Every factor used for this report" in reader.pages[page - 1].extract_text()
    assert "Every factor used for this report" not in reader.pages[page - 2].extract_text()
    number_of = {p.indirect_reference.idnum: i + 1 for i, p in enumerate(reader.pages)}
    targets = {name: number_of[dest.page.idnum] for name, dest in reader.named_destinations.items()}
    toc_links = [a.get_object() for a in reader.pages[1]["/Annots"] if a.get_object().get("/Dest") in targets]
    assert len(toc_links) >= len(entries) >= 9
    for link in toc_links:
        low, high = sorted((float(link["/Rect"][1]), float(link["/Rect"][3])))
        printed = [n for base, parts in lines.items() if low <= base <= high for _, n in parts if n.isdigit()]
        assert printed == [str(targets[link["/Dest"]])], (link["/Dest"], printed)
    assert f"1 / {len(reader.pages)}" in first
    assert {"results.json"} <= set(reader.attachments)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_safety_user_text_is_escaped_and_no_files_are_read(tmp_path):
    # A readable SVG outside templates/: if it were ever loaded, its text would appear in the PDF.
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20">'
                      '<text x="0" y="15">SECRET-TOKEN-4711</text></svg>')
    evil = '<img src="file:///etc/hostname"><script>alert(1)</script>'
    data = scenario_dict(name=evil, location=f'<img src="file://{secret}">')
    data["claims"] = [{"metric": "energy", "value": "1 MWh", "source": evil}]
    result = compute(parse_scenario(data, file=str(tmp_path / "evil.yaml")))
    ctx = report_context(result, 0)
    html = render_html(ctx)
    assert "<script>" not in html
    assert '<img src="file:///etc/hostname">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    pdf = render_pdf(render_html(ctx, mode="pdf"))
    text = _squash(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "<script>alert(1)</script>" in text  # shown as literal text
    assert "SECRET-TOKEN-4711" not in text


def test_safety_fetcher_blocks_raw_html_too(tmp_path):
    # Even unescaped markup (not what the templates produce) cannot pull in files outside templates/.
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20">'
                      '<text x="0" y="15">SECRET-TOKEN-4712</text></svg>')
    pdf = render_pdf(f'<html><body><p>x</p><img src="file://{secret}"></body></html>')
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "SECRET-TOKEN-4712" not in text


@pytest.mark.parametrize("url", ["https://example.com/x.png", "http://127.0.0.1/", "file:///etc/hostname",
                                 "ftp://example.com/x"])
def test_fetcher_refuses_network_and_outside_files(url):
    with pytest.raises(ValueError, match="refuses"):
        safe_fetcher().fetch(url)


def test_fetcher_allows_data_uris():
    got = safe_fetcher().fetch("data:text/plain;base64,aGk=")
    assert got is not None


def test_accelerator_hours_report_has_no_power_and_says_why(tmp_path):
    data = scenario_dict(fleet=[{"accelerator": "a100-sxm4", "accelerator_hours": "1082990 h"}])
    del data["period"]
    result = compute(parse_scenario(data))
    paths = write_report(result, 0, tmp_path)
    html = paths["html"].read_text()
    assert "power figures (MW) are not defined" in html
    assert 'data-metric="facility_power_peak"' not in html
    assert not re.search(r"\d MW\b", html[: html.index('id="method"')])
    text = " ".join(p.extract_text() for p in PdfReader(paths["pdf"]).pages)
    assert "not defined" in _squash(text)


def test_cli_report_writes_files(root, tmp_path, capsys):
    assert main(["report", str(root / "inputs/colossus.yaml"), "--out", str(tmp_path)]) == 0
    folder = tmp_path / slug("xAI Colossus, Memphis (phase 1)")
    assert sorted(p.name for p in folder.iterdir()) == ["colossus.yaml", "manifest.json", "report.html", "report.pdf",
                                                         "results.csv", "results.json"]
    assert str(folder / "report.pdf") in capsys.readouterr().out


def test_list_numbers_are_text_padded_to_the_widest(rendered):
    """The contents, method, notes and references number their items in the text (a list marker is an absolutely
    positioned box: about a twentieth of a report's layout): each number padded with figure spaces to the width of
    the list's last, counting from 1, and printed in the PDF."""
    _, paths = rendered
    html = paths["html"].read_text(encoding="utf-8")
    lists = re.findall(r'<ol class="([^"]*\bnumbered digits-(\d)[^"]*)">(.*?)</ol>', html, re.S)
    assert {c.split()[0] for c, _, _ in lists} >= {"numbered", "method", "factor-notes", "references"}
    for cls, digits, body in lists:
        numbers = re.findall(r"<li[^>]*>(\u2007*)(\d+)\. ", body)
        assert len(numbers) == body.count("<li") >= 2, cls
        assert [int(n) for _, n in numbers] == list(range(1, len(numbers) + 1)), cls
        assert all(len(pad) + len(n) == int(digits) for pad, n in numbers), cls
        assert len(numbers[-1][1]) == int(digits), cls
    text = "\n".join(page.extract_text() for page in PdfReader(paths["pdf"]).pages)
    assert re.search(r"^\s*1\. In brief", text, re.M) and re.search(r"^\s*10\. References", text, re.M)
