"""A built wheel, installed outside the repository, renders a report: templates and data are package resources."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import markupsafe
import yaml

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "inputs" / "colossus.yaml"

# Run in the installed copy: where pipeline, the templates and the reference data were loaded from.
PROBE = """
import json, sys
import pipeline.cli
from pipeline import reference
from pipeline.report import render
print(json.dumps({"modules": sorted(m.__file__ for name, m in sys.modules.items()
                                    if name.split(".")[0] == "pipeline" and getattr(m, "__file__", None)),
                  "templates": str(render.TEMPLATES_DIR), "data": str(reference.DATA_DIR)}))
"""


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert proc.returncode == 0, f"{args} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_built_wheel_renders_a_report_outside_the_repository(tmp_path):
    # Build from a copy of the project, so the build's build/ and *.egg-info never land in the checkout
    # (and stale files there never land in the wheel).
    src = tmp_path / "src"
    src.mkdir()
    for path in REPO.iterdir():
        if path.is_file():
            shutil.copy2(path, src / path.name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("pipeline", "templates"):
        shutil.copytree(REPO / folder, src / folder, ignore=ignore)

    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(src), "-w", str(tmp_path / "dist")])
    (wheel,) = (tmp_path / "dist").glob("clusterprint-*.whl")

    # Every file of templates/ (the one copy) is in the wheel as pipeline/templates/<name>, and nothing else there.
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    packed = sorted(n.removeprefix("pipeline/templates/") for n in names if n.startswith("pipeline/templates/"))
    assert packed == sorted(p.name for p in (REPO / "templates").iterdir() if p.is_file())
    assert "pipeline/units.txt" in names
    assert "pipeline/data/accelerators.csv" in names
    assert not [n for n in names if n.startswith("templates/")]

    site = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)])

    # A folder outside the repository, and only the installed copy on PYTHONPATH.  The dev venv may also hold
    # an editable install of the checkout (a finder at the end of sys.meta_path): the installed copy must win.
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = json.loads(_run([sys.executable, "-c", PROBE], cwd=work, env=env).stdout)
    assert probe["modules"]
    assert all(Path(f).resolve().is_relative_to(site.resolve()) for f in probe["modules"]), probe["modules"]
    assert Path(probe["templates"]) == (site / "pipeline" / "templates").resolve()
    assert Path(probe["data"]).resolve() == (site / "pipeline" / "data").resolve()

    out = tmp_path / "out"
    _run([sys.executable, "-m", "pipeline.cli", "report", str(SCENARIO), "--out", str(out), "--format", "html"],
         cwd=work, env=env)
    (report,) = out.glob("*/report.html")
    name = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))["name"]
    assert str(markupsafe.escape(name)) in report.read_text(encoding="utf-8")
