"""Comparisons: known orderings, the mix factors, deltas that add up, variant errors, outputs."""

import json
import logging

import pytest

from pipeline import ScenarioError, compute, parse_scenario
from pipeline import reference as ref
from pipeline.cli import main
from pipeline.compare import compare
from pipeline.reference import named_supplies
from pipeline.report.render import write_comparison
from tests.conftest import scenario_dict

SUPPLIES = ["grid", "gas-turbines", "ppa-100", "colossus-hybrid", "tva-system", "california", "france",
            "mix:coal=0.2,gas=0.3,nuclear=0.4,hydro=0.1"]


@pytest.fixture(scope="module")
def colossus(request):
    return compare(request.config.rootpath / "inputs/colossus.yaml", SUPPLIES, draws=0)


def _k(c, name):
    return next(k for k, v in enumerate(c.variants) if v.name == name)


def test_variants_are_exactly_those_given_in_order(colossus):
    assert len(colossus.variants) == len(SUPPLIES)
    assert colossus.variants[0].name == named_supplies()["grid"]["name"]
    assert colossus.to_dict()["variants"][0]["baseline"] is True
    assert [v["baseline"] for v in colossus.to_dict()["variants"][1:]] == [False] * (len(SUPPLIES) - 1)


def test_known_market_based_ordering_at_colossus(colossus):
    mb = [colossus.value("co2e_market_based", k).magnitude for k in range(len(SUPPLIES))]
    gas, grid, ppa = mb[1], mb[0], mb[2]
    assert gas > grid > ppa
    assert ppa == 0


def test_ppa_changes_only_market_based(colossus):
    for metric in ("energy", "water_offsite", "water_onsite", "co2e_location_based"):
        assert colossus.value(metric, 2) == colossus.value(metric, 0)


def test_nuclear_mix_reproduces_the_nuclear_factor():
    r = compute(parse_scenario(scenario_dict(supply={"mix": {"nuclear": 1}})))
    nuclear = ref.factors("technologies", "technology", "nuclear")
    used = {f.name: f.quantity for f in r.assumptions(0)}
    assert used["supply.mix.co2e_intensity"].m_as("g CO2e/kWh") == pytest.approx(
        nuclear["co2e_intensity"].quantity.m_as("g CO2e/kWh"))
    assert used["supply.mix.water_intensity"].m_as("L/kWh") == pytest.approx(
        nuclear["water_consumption"].quantity.m_as("L/kWh"))


def test_mix_is_share_weighted():
    r = compute(parse_scenario(scenario_dict(supply={"mix": {"coal": 0.5, "gas": 0.5}})))
    # IPCC AR5 lifecycle medians: coal 820, gas 490 g CO2e/kWh -> 655
    used = {f.name: f.quantity for f in r.assumptions(0)}
    assert used["supply.mix.co2e_intensity"].m_as("g CO2e/kWh") == pytest.approx(655)
    # and the chain used it: grid CO2e = facility energy x 655 g/kWh
    assert r.metric("co2e_grid").m_as("t CO2e") == pytest.approx(r.metric("energy").m_as("MWh") * 0.655)


def test_deltas_add_up(colossus):
    d = colossus.to_dict()
    base = d["variants"][0]["metrics"]
    for v in d["variants"][1:]:
        for name, m in v["metrics"].items():
            if m["delta"] is not None:
                assert base[name]["value"] + m["delta"] == pytest.approx(m["value"], abs=1e-6)
                if base[name]["value"]:
                    assert m["delta_pct"] == pytest.approx(100 * m["delta"] / base[name]["value"])


def test_frame_has_a_column_per_variant(colossus):
    df = colossus.to_frame()
    assert "Local grid (baseline) value" in df.columns
    assert "Gas turbines (100 %) delta %" in df.columns
    assert set(df["metric"]) >= {"co2e_location_based", "co2e_market_based", "water_onsite", "water_offsite"}


@pytest.mark.parametrize(("supply", "fragment"), [
    ("gas-turbine", "did you mean 'gas-turbines'"),
    ("mix:coal=0.5,gas=0.4", "must sum to 1"),
    ("mix:kryptonite=1", "unknown technology"),
    ("mix:coal", "TECH=SHARE"),
])
def test_bad_supply_ids(root, supply, fragment):
    with pytest.raises(ScenarioError) as exc:
        compare(root / "inputs/colossus.yaml", ["grid", supply], draws=0)
    assert fragment in str(exc.value)


def test_bad_variant_fields_get_scenario_errors(tmp_path):
    data = scenario_dict()
    data["variants"] = [{"name": "a"}, {"name": "b", "pue": 0.5}, {"name": "c", "supplly": {}},
                        {"name": "d", "supply": {"grid": "us-srvt"}}]
    p = tmp_path / "v.yaml"
    import yaml

    p.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as exc:
        compare(p)
    paths = [pr.path for pr in exc.value.problems]
    assert "variants[1].pue" in paths
    assert "variants[2].supplly" in paths
    assert "variants[3].supply.grid" in paths
    assert "did you mean 'supply'" in str(exc.value)


def test_variants_from_file(root):
    c = compare(root / "inputs/colossus-variants.yaml", draws=500, seed=2)
    names = [v.name for v in c.variants]
    assert names[0] == "SRTV grid (as built, phase 1)"
    dry = _k(c, "Dry cooling in California")
    assert c.value("water_onsite", dry).magnitude == 0
    assert c.value("co2e_location_based", dry) < c.value("co2e_location_based", 0)


def test_common_random_numbers_make_identical_inputs_identical(root):
    c = compare(root / "inputs/colossus.yaml", ["grid", "ppa-100"], draws=2000, seed=5)
    for which in ("low", "value", "high"):
        assert c.value("energy", 0, which) == c.value("energy", 1, which)


def test_comparison_outputs_render_without_warnings(root, tmp_path, caplog):
    c = compare(root / "inputs/colossus.yaml", ["grid", "gas-turbines", "ppa-100", "france", "mix:nuclear=1"], draws=1000)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        paths = write_comparison(c, tmp_path)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert {p.name for p in paths.values()} == {"comparison.html", "comparison.pdf", "comparison.json",
                                                "comparison.csv", "manifest.json"}
    data = json.loads(paths["json"].read_text())
    m = data["variants"][1]["metrics"]["co2e_onsite"]
    assert {"value", "unit", "low", "high"} <= set(m)
    html = paths["html"].read_text()
    assert "Assumptions that differ" in html
    assert "France" in html
    from pypdf import PdfReader

    # "What changes" holds its whole table on one landscape page: no rows carried onto a second, mostly empty one
    pages = PdfReader(paths["pdf"]).pages
    assert sum(float(p.mediabox.width) > float(p.mediabox.height) for p in pages) == 1


def test_cli_compare(root, tmp_path, capsys):
    assert main(["compare", str(root / "inputs/colossus.yaml"), "--supply", "grid", "--supply", "ppa-100",
                 "--out", str(tmp_path), "--format", "html", "--draws", "0"]) == 0
    out = capsys.readouterr().out
    assert "market-based 0 t" in out
    assert (tmp_path / "comparison.csv").exists()


def test_cli_compare_unknown_supply_exits_2(root, capsys):
    assert main(["compare", str(root / "inputs/colossus.yaml"), "--supply", "nuclear"]) == 2
    assert "unknown supply scenario" in capsys.readouterr().err
