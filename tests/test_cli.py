"""The CLI: compute output, the --json contract, data browsing and clean errors (exit 2)."""

import json
import subprocess
import sys

import pytest

from pipeline.cli import main

CONTRACT = ["it_power", "it_power_peak", "facility_power", "facility_power_peak", "it_energy", "energy",
            "water_onsite", "water_offsite", "water_total", "co2e_location_based", "co2e_market_based",
            "co2e_onsite", "co2e_embodied", "water_onsite_per_day", "energy_per_day"]


def test_compute_json_follows_contract(root, capsys):
    assert main(["compute", str(root / "inputs/colossus.yaml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    sc = out["scenarios"][0]
    assert sc["name"] == "xAI Colossus, Memphis (phase 1)"
    for name in CONTRACT:
        m = sc["metrics"][name]
        assert isinstance(m["value"], float)
        assert isinstance(m["unit"], str)
    for a in sc["assumptions"]:
        assert {"name", "value", "unit", "source", "file"} <= set(a)
        assert a["source"]
    # the claims are checked against the model
    assert [c["metric"] for c in sc["claims"]][:1] == ["facility_power_peak"]


def test_compute_table(root, capsys):
    assert main(["compute", str(root / "inputs/colossus.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Facility power (peak)" in out
    assert "US gal/day" in out


@pytest.mark.parametrize("table", ["accelerators", "grids"])
def test_data_browse(table, capsys):
    assert main(["data", table]) == 0
    assert "source" in capsys.readouterr().out


def test_data_json(capsys):
    assert main(["data", "accelerators", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["id"] == "h100-sxm" and r["parameter"] == "tdp" and r["value"] == 700 for r in rows)


@pytest.mark.parametrize(("content", "fragment"), [
    ("name: x\nfleet: [\n", "YAML syntax error"),
    ("name: x\nfleet: [{accelerator: h100-sxn, count: 1}]\nutilization: 0.5\nperiod: 1 day\npue: 1.2\n"
     "wue: 1 L/kWh\nsupply: {grid: us-srtv}\n", "did you mean 'h100-sxm'"),
    ("name: x\nfleet: [{accelerator: h100-sxm, count: 1, power: 150 gal}]\nutilization: 0.5\nperiod: 1 day\n"
     "pue: 1.2\nwue: 1 L/kWh\nsupply: {grid: us-srtv}\n", "fleet[0].power"),
])
def test_bad_input_exits_2_without_traceback(tmp_path, content, fragment):
    p = tmp_path / "bad.yaml"
    p.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "compute", str(p)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert fragment in proc.stderr
    assert "bad.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["compute", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read file" in capsys.readouterr().err
