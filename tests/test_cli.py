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


@pytest.mark.parametrize("args", [["--draws", "-5"], ["--seed", "-1"], ["--draws", "10000001"], ["--draws", "1e3"]])
def test_bad_draw_options_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compute", "inputs/colossus.yaml", *args])
    assert exc.value.code == 2
    assert args[0] in capsys.readouterr().err


def test_out_that_is_a_file_is_one_error_line(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["report", "inputs/colossus.yaml", "--out", str(afile), "--format", "html", "--draws", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cannot write") and "afile" in err[0]


def test_validate_on_a_missing_folder_exits_2(tmp_path, capsys):
    assert main(["validate", "--cases", str(tmp_path / "none")]) == 2
    assert "no validation cases" in capsys.readouterr().err


def test_broken_pipe_ends_quietly(root):
    # `clusterprint data accelerators | head -1`: the reader goes away early
    proc = subprocess.run(f"{sys.executable} -m pipeline.cli data accelerators | head -1", shell=True, cwd=root,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_terminal_output_escapes_control_characters(tmp_path, capsys):
    import yaml

    from tests.conftest import scenario_dict

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(name="ansi \x1b[31mRED")))
    assert main(["compute", str(path)]) == 2  # refused, and the message shows the escape, not the colour
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b" in err


def test_report_prints_progress_on_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["report", "inputs/colossus.yaml", "--out", str(tmp_path), "--format", "html", "--draws", "0"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "computing inputs/colossus.yaml ..."
    assert err[1].startswith("computed 1 scenario (") and "draws" not in err[1]
    assert err[2] == "writing the report of xAI Colossus, Memphis (phase 1) (HTML) ..."
    assert err[3].startswith("done in ")


@pytest.mark.parametrize("width", [60, 80, 120])
def test_data_fits_the_terminal(width, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["data", "grids"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= width
    assert lines[0].split()[:1] == ["id"] and "parameter" in lines[0] and "value" in lines[0]


def test_data_wide_keeps_every_column(capsys):
    assert main(["data", "gwp", "--wide"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "licence" in header and "source" in header


def test_help_has_examples(capsys):
    for command in ("compute", "report", "compare", "batch", "data"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        assert "examples:" in out and f"clusterprint {command} " in out


def test_the_console_script_exits_with_main_s_code(root):
    # `clusterprint` and `python -m pipeline.cli` run pipeline.cli.run: main(), then gc.freeze() and exit
    import subprocess
    import sys

    ok = subprocess.run([sys.executable, "-m", "pipeline.cli", "--version"], capture_output=True, text=True, cwd=root)
    assert ok.returncode == 0 and ok.stdout.startswith("clusterprint ")
    bad = subprocess.run([sys.executable, "-m", "pipeline.cli", "data", "nope"], capture_output=True, text=True,
                         cwd=root)
    assert bad.returncode == 2 and "invalid choice: 'nope'" in bad.stderr
