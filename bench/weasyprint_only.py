"""WeasyPrint's share of one report: start, ``import weasyprint``, layout and ``write_pdf`` of the report's own
print HTML (tables, charts, links and all), with the report's stylesheet and URL fetcher; no engine, no charts drawn.

Usage: python -m bench.weasyprint_only REPORT.html OUT.pdf   (REPORT.html: the print-mode HTML bench/report.py saves)

Not a floor: it is the part of ``clusterprint report`` that only a lighter document could make faster.
"""

import sys

import weasyprint

from pipeline.report.pdf import TEMPLATES_DIR, safe_fetcher

with open(sys.argv[1], encoding="utf-8") as f:
    html = f.read()
# the print HTML carries no styles: the report's stylesheet is given as clusterprint gives it (parsed here, once)
css = weasyprint.CSS(filename=str(TEMPLATES_DIR / "report.css"), url_fetcher=safe_fetcher())
weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=safe_fetcher()).write_pdf(
    sys.argv[2], stylesheets=[css])
