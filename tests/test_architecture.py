"""The walls between layers, as behaviour: the import contracts themselves are in pyproject.toml
([tool.importlinter], checked by `lint-imports` in `make test`, imports inside functions included)."""

import subprocess
import sys


def _loaded(root, code: str, modules: tuple[str, ...]) -> str:
    probe = f"{code}; sys.stderr.write(','.join(sorted(m for m in {modules!r} if m in sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", "import sys; " + probe], capture_output=True, text=True, cwd=root,
                          check=True)
    return proc.stderr.strip()


def test_compute_command_never_loads_weasyprint_or_matplotlib(root):
    # (jinja2 may load: pint imports dask when it is installed, and dask imports jinja2)
    code = "from pipeline.cli import main; main(['compute', 'inputs/colossus.yaml', '--json'])"
    assert _loaded(root, code, ("weasyprint", "matplotlib")) == ""


def test_report_modules_do_not_load_the_engine(root):
    # importing a report module runs pipeline/__init__.py too: it must stay lazy
    code = "import pipeline.report.model, pipeline.report.summary, pipeline.report.compare_model"
    assert _loaded(root, code, ("pipeline.chain", "pipeline.api", "pipeline.montecarlo", "pipeline.resolve")) == ""


def test_report_forks_its_pdf_worker_before_the_engine_is_imported(root):
    # `report` forks its PDF worker right after parsing the command line, so that WeasyPrint's import there overlaps
    # the engine's here; argparse once listed `data`'s choices while the parser was built, importing pandas and pint
    # first (0.6 s) and leaving the worker nothing to overlap
    code = ("from pipeline.cli import _parser; "
            "_parser().parse_args(['report', 'inputs/colossus.yaml', '--out', 'reports'])")
    assert _loaded(root, code, ("pandas", "pint", "numpy", "pipeline.reference", "pipeline.api")) == ""


def test_a_reports_charts_need_no_matplotlib(root):
    # its bar charts are written as SVG directly (pipeline.report.barchart): the PDF process neither imports
    # matplotlib (0.57 s) nor draws with it; phase 2 has two accelerator groups, so all three kinds of chart
    code = ("from pipeline.api import compute; from pipeline.report.model import report_context; "
            "from pipeline.report.render import render_html; "
            "html = render_html(report_context(compute('inputs/colossus-phase2.yaml'), 0), mode='pdf'); "
            "assert html.count('data:image/svg+xml') >= 5, html.count('data:image/svg+xml')")
    assert _loaded(root, code, ("matplotlib",)) == ""
