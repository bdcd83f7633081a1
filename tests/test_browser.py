"""The HTML report in a real browser (Debian's headless Chromium driven by Playwright).

Checks that nothing overflows horizontally at phone and desktop widths and that the page makes no
request beyond its own file; saves screenshots to tests/artifacts/ for people to look at.
"""

import shutil
from pathlib import Path

import pytest

from pipeline import compute
from pipeline.report.render import write_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module", params=["report", "comparison", "summary"])
def report_html(request, tmp_path_factory):
    """Each kind of HTML page clusterprint writes."""
    root = request.config.rootpath
    out = tmp_path_factory.mktemp(request.param)
    if request.param == "report":
        return write_report(compute(root / "inputs/colossus-phase2.yaml"), 0, out, ("html",))["html"]
    if request.param == "comparison":
        from pipeline.compare import compare
        from pipeline.report.render import write_comparison

        c = compare(root / "inputs/colossus.yaml", ["grid", "gas-turbines", "ppa-100", "colossus-hybrid", "france",
                                                     "mix:coal=0.2,gas=0.3,nuclear=0.4,hydro=0.1"], draws=1000)
        return write_comparison(c, out, ("html",))["html"]
    from pipeline.batch_run import run

    run(root / "inputs/ai-clusters.csv", out, summary=True, formats=("html",))
    return out / "summary.html"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is installed by .ci/system-deps.sh"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_no_horizontal_overflow_and_no_requests(browser, report_html, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_html.as_uri())
    page.wait_for_load_state("load")
    overflow = page.evaluate("""() => {
        const doc = document.documentElement;
        const wide = [...document.querySelectorAll('body *')].filter(el => {
            const r = el.getBoundingClientRect();
            return r.right > doc.clientWidth + 1 && !el.closest('.table-wrap');
        }).map(el => el.tagName + '.' + el.className);
        return {scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 5)};
    }""")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{report_html.stem}-{width}px.png"), full_page=False)
    page.close()
    assert overflow["scroll"] <= overflow["client"], overflow
    assert overflow["wide"] == [], overflow
    assert requests == [report_html.as_uri()], requests
