"""The floor for one report: WeasyPrint alone laying out a text-only document (built by bench/report.py).

Usage: python -m bench.floor_report FLOOR.html OUT.pdf
"""

import sys

import weasyprint

weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])
