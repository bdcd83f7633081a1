"""The walls between layers: stages do no I/O and import no rendering; compute stays light."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
HEAVY = {"jinja2", "weasyprint", "matplotlib"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PIPELINE / "stages").glob("*.py")), ids=lambda p: p.name)
def test_stages_import_no_data_io_or_rendering(path):
    imported = _imports(path)
    assert not {m for m in imported if m.split(".")[0] in HEAVY | {"pandas", "yaml"}}
    assert not {m for m in imported if m in ("pipeline.reference", "pipeline.scenario", "pipeline.report")}


@pytest.mark.parametrize("module", ["units", "reference", "scenario", "chain", "results", "uncertainty", "compare",
                                    "batch", "validate"])
def test_compute_modules_import_no_rendering_at_module_level(module):
    tree = ast.parse((PIPELINE / f"{module}.py").read_text(encoding="utf-8"))
    top = set()
    for node in tree.body:  # module level only: lazy imports inside functions are allowed
        if isinstance(node, ast.Import):
            top |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.add(node.module.split(".")[0] if not node.module.startswith("pipeline.report") else "pipeline.report")
    assert not (top & (HEAVY | {"pipeline.report"}))


def test_compute_command_never_loads_weasyprint_or_matplotlib(root):
    # (jinja2 may load: pint imports dask when it is installed, and dask imports jinja2)
    code = ("import sys; from pipeline.cli import main; main(['compute', 'inputs/colossus.yaml', '--json']);"
            "sys.stderr.write(','.join(sorted(m for m in ('weasyprint', 'matplotlib') if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert proc.stderr.strip() == ""
