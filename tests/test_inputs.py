"""One engine: the same input rules, messages and numbers whether a cluster comes from a YAML file or
a batch row.  Each case below is written once and run on both paths."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline import ScenarioError, compute, parse_scenario
from pipeline.batch import run_batch
from pipeline.cli import main
from pipeline.metrics import METRICS
from pipeline.montecarlo import percentiles
from pipeline.resolve import resolve
from pipeline.results import metric_column
from tests.conftest import scenario_dict

#: The base cluster of every case, as field path -> value (YAML and batch alike).
BASE = {"name": "Test cluster", "accelerator": "h100-sxm", "count": "1000", "utilization": "0.5", "period": "1 day",
        "pue": "1.5", "wue": "2 L/kWh", "supply.grid_intensity": "400 g CO2e/kWh",
        "supply.grid_water_intensity": "3 L/kWh"}
GROUP_FIELDS = {"accelerator", "count", "accelerator_hours", "power", "idle_power", "host_power", "embodied", "label"}


def _yaml(fields: dict) -> dict:
    """Field paths -> a scenario mapping (group fields go into fleet[0]; a tuple value is (YAML, cell))."""
    out: dict = {"fleet": [{}]}
    for path, value in fields.items():
        value = value[0] if isinstance(value, tuple) else value
        if value is None:
            continue
        if path in GROUP_FIELDS:
            out["fleet"][0][path] = value
            continue
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if path == "supply.mix" and isinstance(value, str):
            value = {t: float(s) for t, s in (pair.split("=") for pair in value.split(","))}
        node[leaf] = value
    out.setdefault("supply", {})
    return out


def _row(fields: dict) -> pd.DataFrame:
    cells = {k: (v[1] if isinstance(v, tuple) else v) for k, v in fields.items() if v is not None}
    return pd.DataFrame([cells], dtype=object)


def _case(change: dict) -> dict:
    fields = dict(BASE)
    fields.update(change)
    return fields


CASES = [
    # (id, change to BASE, field path, fragment of the one message)
    ("unknown-accelerator", {"accelerator": "h100-sxn"}, "accelerator", "did you mean 'h100-sxm'"),
    ("pue-below-1", {"pue": "0.8"}, "pue", "out of range"),
    ("utilization-above-1", {"utilization": "1.5"}, "utilization", "out of range"),
    ("utilization-nan", {"utilization": "nan"}, "utilization", "finite"),
    ("wue-is-a-volume", {"wue": "150 gal"}, "wue", "expected a water intensity"),
    ("wue-negative", {"wue": "-1 L/kWh"}, "wue", "must not be negative"),
    ("period-is-a-mass", {"period": "3 kg"}, "period", "expected a time"),
    ("power-is-a-volume", {"power": "150 gal"}, "power", "expected a power"),
    ("count-negative", {"count": "-5"}, "count", "must not be negative"),
    ("neither-count-nor-hours", {"count": None}, "", "exactly one of 'count' or 'accelerator_hours'"),
    ("both-count-and-hours", {"accelerator_hours": "1e6 h"}, "", "exactly one of 'count' or 'accelerator_hours'"),
    ("idle-above-full", {"idle_power": "800 W", "power": "700 W"}, "idle_power", "above the full-load power"),
    ("grid-typo", {"supply.grid": "us_srtv", "supply.grid_intensity": None, "supply.grid_water_intensity": None},
     "supply.grid", "did you mean 'us-srtv'"),
    ("onsite-typo", {"supply.onsite.technology": "gas-turbine", "supply.onsite.share": "0.5"},
     "supply.onsite.technology", "did you mean"),
    ("onsite-share-above-1", {"supply.onsite.technology": "gas-turbine-simple-cycle", "supply.onsite.share": "1.2"},
     "supply.onsite.share", "out of range"),
    ("onsite-share-without-technology", {"supply.onsite.share": "0.5"}, "supply.onsite.technology",
     "missing required field when supply.onsite.share > 0"),
    ("ppa-share-negative", {"supply.ppa.share": "-0.1"}, "supply.ppa.share", "must not be negative"),
    ("grid-intensity-is-water", {"supply.grid_intensity": "400 L/kWh"}, "supply.grid_intensity",
     "expected a carbon intensity"),
    ("no-grid-and-one-override", {"supply.grid_water_intensity": None}, "supply.grid",
     "missing grid_water_intensity"),
    ("period-required-with-count", {"period": None}, "period", "required when a fleet group is given by count"),
    ("mix-unknown-technology", {"supply.mix": "nuclear=0.5,gaz=0.5", "supply.grid_intensity": None,
                                "supply.grid_water_intensity": None}, "supply.mix", "did you mean 'gas'"),
    ("mix-does-not-sum-to-1", {"supply.mix": "nuclear=0.5,gas=0.6", "supply.grid_intensity": None,
                               "supply.grid_water_intensity": None}, "supply.mix", "must sum to 1"),
    ("grid-and-mix", {"supply.grid": "us-srtv", "supply.mix": "gas=1"}, "supply.mix", "not both"),
    ("unknown-gwp-metric", {"gwp_metric": "AR7GWP100"}, "gwp_metric", "unknown GWP metric"),
    ("unknown-supplier", {"supply.supplier": "tva"}, "supply.supplier", "did you mean 'us-tva'"),
    ("a-grid-is-not-a-supplier", {"supply.supplier": "us-srtv"}, "supply.supplier", "unknown supplier"),
    ("lifetime-zero", {"lifetime": "0 year"}, "lifetime", "must be more than zero"),
    ("embodied-without-co2e", {"embodied": "150 kg"}, "embodied", "expected a carbon mass"),
    ("range-upside-down", {"pue": ({"low": 1.4, "high": 1.2}, "1.4..1.2")}, "pue", "low <= mode <= high"),
    ("range-below-bound", {"pue": ({"low": 0.9, "high": 1.2}, "0.9..1.2")}, "pue", "out of range"),
    # strict parsing: pint would read '1,2' as 12 and '1 2' as 2, and hang on '10**10**10'
    ("decimal-comma", {"pue": "1,2"}, "pue", "decimal commas"),
    ("space-between-digits", {"pue": "1 2"}, "pue", "spaces between digits"),
    ("thousands-separator-in-count", {"count": "1,500"}, "count", "thousands separators"),
    ("thousands-separator-in-power", {"power": "1,500 W"}, "power", "thousands separators"),
    ("huge-power-expression", {"wue": "10**10**10 L/kWh"}, "wue", "made of names"),
    ("division-by-zero", {"power": "1/0 W"}, "power", "made of names"),
    ("unit-divided-by-zero", {"accelerator_hours": "kWh/0", "count": None}, "accelerator_hours",
     "write one number"),
    ("open-parenthesis", {"power": "(1.8 W"}, "power", "write one number"),
    ("number-too-large", {"power": "1e999 W"}, "power", "finite"),
    # user text is inert: no terminal escapes or bidi overrides, bounded lengths
    ("name-with-escape", {"name": "ansi \x1b[31mRED"}, "name", "control character"),
    ("name-with-bidi-override", {"name": "\u202eevil Cluster"}, "name", "control character"),
    ("name-too-long", {"name": "x" * 201}, "name", "too long"),
    ("label-too-long", {"label": "y" * 101}, "label", "too long"),
    # a result that overflows is the cluster's problem, never 'inf' in the output
    ("result-overflows", {"lifetime": "1e-306 year"}, "(result)", "co2e_embodied is infinite"),
]


@pytest.mark.parametrize(("change", "path", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_yaml_file_one_message_at_the_field_path(change, path, fragment):
    with pytest.raises(ScenarioError) as exc:
        compute(parse_scenario(_yaml(_case(change)), file="bad.yaml"), draws=0)
    problems = exc.value.problems
    assert len(problems) == 1, problems
    expected = f"fleet[0].{path}" if path in GROUP_FIELDS else ("fleet[0]" if path == "" else path)
    assert problems[0].path.startswith(expected), problems
    assert problems[0].file == "bad.yaml"
    assert fragment in str(problems[0])


@pytest.mark.parametrize(("change", "path", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_batch_row_one_message_in_errors_csv(change, path, fragment):
    result = run_batch(_row(_case(change)))
    assert result.results.empty
    errors = result.errors
    assert len(errors) == 1, errors.to_string()
    assert errors["row"].iloc[0] == 2
    assert errors["field"].iloc[0] == (path or "count")
    assert fragment in errors["message"].iloc[0]


def test_aliases_name_the_same_fields_as_paths():
    by_path = run_batch(_row(_case({"supply.onsite.technology": "gas-turbine-simple-cycle",
                                    "supply.onsite.share": "0.25", "supply.ppa.share": "0.5"})))
    aliased = {"name": "Test cluster", "accelerator": "h100-sxm", "count": "1000", "utilization": "0.5",
               "period": "1 day", "pue": "1.5", "wue": "2 L/kWh", "grid_intensity": "400 g CO2e/kWh",
               "grid_water_intensity": "3 L/kWh", "onsite_technology": "gas-turbine-simple-cycle",
               "onsite_share": "0.25", "ppa_share": "0.5"}
    by_alias = run_batch(pd.DataFrame([aliased]))
    assert by_path.errors.empty and by_alias.errors.empty
    pd.testing.assert_frame_equal(by_path.results, by_alias.results)
    # and a column given twice (by path and by alias) is refused
    both = dict(aliased, **{"supply.ppa.share": "0.5"})
    with pytest.raises(ScenarioError, match="more than once"):
        run_batch(pd.DataFrame([both]))


# --------------------------------------------------------------------------- same numbers


def test_24_cluster_dataset_equals_its_yaml_files(root, tmp_path, capsys):
    folder = root / "tests" / "data" / "batch24"
    files = sorted((folder / "yaml").glob("*.yaml"))
    assert len(files) == 24
    assert main(["compute", *map(str, files), "--json", "--draws", "0"]) == 0
    scenarios = json.loads(capsys.readouterr().out)["scenarios"]
    assert main(["batch", str(folder / "clusters.csv"), "--out", str(tmp_path), "--no-summary"]) == 0
    results = pd.read_csv(tmp_path / "results.csv")
    assert list(results["file"]) == [f"yaml/{p.name}" for p in files]
    assert list(results["name"]) == [s["name"] for s in scenarios]
    features = pd.read_csv(folder / "clusters.csv", dtype=str)
    # the dataset really exercises what a batch row could not say before
    for column in ("supply.mix", "supply.ppa.intensity", "supply.onsite.share", "embodied", "lifetime"):
        assert features[column].notna().any(), column
    assert (features["gwp_metric"] == "AR6GWP100").any()
    for s, (_, row) in zip(scenarios, results.iterrows(), strict=True):
        for spec in METRICS:
            got = row[metric_column(spec.name, spec.unit)]
            want = s["metrics"].get(spec.name, {}).get("value", np.nan)
            assert got == pytest.approx(want, rel=1e-12, nan_ok=True), (s["name"], spec.name)


def test_ranged_cells_give_the_yaml_percentiles(tmp_path):
    # the same ranges, the same seed, the same draws: identical P5/P50/P95 from a YAML file and a batch row
    yaml_result = compute(parse_scenario(scenario_dict(
        pue={"low": 1.1, "high": 1.4}, wue={"dist": "triangular", "low": "1 L/kWh", "mode": "1.8 L/kWh",
                                           "high": "2.5 L/kWh"}, period="1 day")), draws=400, seed=3)
    batch = run_batch(_row(_case({"pue": "1.1..1.4", "wue": "1..1.8..2.5 L/kWh"})), draws=400, seed=3).results
    for name in ("energy", "water_onsite", "co2e_location_based"):
        unit = next(m.unit for m in METRICS if m.name == name)
        for which, col in (("value", metric_column(name, unit)), ("low", metric_column(name, unit, "P5")),
                           ("high", metric_column(name, unit, "P95"))):
            assert batch[col].iloc[0] == pytest.approx(yaml_result.metric(name, 0, which).magnitude, rel=1e-12)
    assert batch["energy P5 [MWh]"].iloc[0] < batch["energy [MWh]"].iloc[0] < batch["energy P95 [MWh]"].iloc[0]


def test_monte_carlo_in_chunks_equals_one_pass():
    # memory is bounded by drawing a few scenarios at a time; the numbers must not depend on the chunking
    from pipeline.columns import from_scenarios

    models = [parse_scenario(scenario_dict(pue={"low": 1.1, "high": 1.1 + 0.1 * k})) for k in range(1, 6)]
    res = resolve(from_scenarios(models, ["a.yaml"] * 5))
    one = percentiles(res.sa, res.ga, res.components, draws=200, seed=1)
    chunked = percentiles(res.sa, res.ga, res.components, draws=200, seed=1, max_cells=400)  # 2 scenarios a chunk
    for a, b in zip(one, chunked, strict=True):
        for name in a:
            np.testing.assert_allclose(a[name].magnitude, b[name].magnitude, rtol=0, atol=0, equal_nan=True)


# --------------------------------------------------------------------------- the schema


def test_json_schema_accepts_every_shipped_scenario_and_rejects_unknown_keys(root, capsys):
    import jsonschema
    import yaml

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted((root / "inputs").glob("*.yaml")) + sorted((root / "tests/data/batch24/yaml").glob("*.yaml"))
    docs = [yaml.safe_load(p.read_text()) for p in files]
    docs += [yaml.safe_load(p.read_text())["scenario"] for p in sorted((root / "validation").glob("*.yaml"))]
    assert len(docs) >= 40
    for doc in docs:
        assert not list(validator.iter_errors(doc)), doc["name"]
    bad = dict(docs[0], utilisation=0.8)
    assert any("utilisation" in e.message for e in validator.iter_errors(bad))
    assert list(validator.iter_errors(dict(docs[0], pue=0.9)))  # bounds are in the schema too


# --------------------------------------------------------------------------- YAML-only hazards


@pytest.mark.parametrize(("text", "fragment"), [
    ("name: x\npue: 1.2\npue: 3\n", "duplicate key 'pue'"),
    ("a: &a [lol, lol]\nb: &b [*a, *a]\nname: *b\n", "aliases (*name) are not accepted"),
    ("x: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("name: x\n\x00", "cannot contain the character"),
])
def test_hostile_yaml_files_are_refused_in_one_line(tmp_path, capsys, text, fragment):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["compute", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0] and str(path) in err[0]


def test_non_utf8_file_is_refused(tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Montélimar\n".encode("latin-1"))
    assert main(["compute", str(path)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize(("override", "path", "fragment"), [
    ({"sources": {"puee": "assumed"}}, "sources.puee", "did you mean 'pue'"),
    ({"sources": {"fleet[3].count": "x"}}, "sources.fleet[3].count", "must name a field of this scenario"),
    ({"name": "  "}, "name", "missing required field"),
    ({"pue": {"dist": "uniform", "low": 1.1, "mode": 9, "high": 1.4}}, "pue", "takes low and high only"),
    ({"claims": [{"metric": "nox_onsite", "value": "nan t", "source": "x"}]}, "claims[0].value", "finite"),
    ({"claims": [{"metric": "nox_onsite", "value": "-5 t", "source": "x"}]}, "claims[0].value", "non-negative"),
    ({"claims": [{"metric": "energy", "value": "5 MWh", "source": "s" * 2001}]}, "claims[0].source", "too long"),
])
def test_yaml_only_fields(override, path, fragment):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(scenario_dict(**override), file="bad.yaml")
    assert [p.path for p in exc.value.problems] == [path]
    assert fragment in str(exc.value)


def test_a_claim_against_a_zero_model_has_no_ratio_and_json_stays_valid(capsys, tmp_path):
    import yaml

    data = scenario_dict(claims=[{"metric": "onsite_energy", "value": "0 MWh", "source": "s"},
                                 {"metric": "onsite_energy", "value": "5 MWh", "source": "s"}])
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["compute", str(path), "--json"]) == 0
    claims = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(c))["scenarios"][0]["claims"]
    assert [(c["ratio"], c["verdict"]) for c in claims] == [(None, "consistent"), (None, "above model")]


def test_csv_outputs_neutralise_formulas_and_control_characters(tmp_path):
    from pipeline.batch import write_outputs

    rows = _row(_case({"name": "=cmd|' /C calc'!A0"})).assign(note="@SUM(1)", bad="x")
    rows.loc[0, "accelerator"] = "h100-sxn"  # and an error row with the same name
    good = _row(_case({"name": "+1 site"})).assign(note="-2", bad="y")
    result = run_batch(pd.concat([rows, good], ignore_index=True))
    paths = write_outputs(result, tmp_path)
    results = pd.read_csv(paths["results"], dtype=str)
    errors = pd.read_csv(paths["errors"], dtype=str)
    assert results["name"].tolist() == ["'+1 site"] and results["note"].tolist() == ["'-2"]
    assert errors["name"].tolist() == ["'=cmd|' /C calc'!A0"]
    assert float(results["energy [MWh]"].iloc[0]) > 0  # numbers are written as numbers


def test_combined_cycle_plant_takes_the_gas_technology_water_factor():
    # onsite.csv has no water row for NGCC; its `technology` column points to technologies.csv `gas`:
    # Macknick et al. 2012, 205 US gal/MWh.  1000 H100 x (70 + 0.5 x 630 + 350) W = 735 kW IT; x 1.5 PUE x 24 h
    # = 26.46 MWh on site; x 205 gal/MWh x 3.785411784 L/gal = 20.534 m3
    data = scenario_dict(supply={"onsite": {"technology": "gas-turbine-combined-cycle", "share": 1.0}})
    r = compute(parse_scenario(data))
    assert r.metric("onsite_energy").m_as("MWh") == pytest.approx(26.46)
    assert r.metric("water_onsite_plant").m_as("m**3") == pytest.approx(26.46 * 205 * 3.785411784e-3)
    assert "technology.gas.water_consumption" in [f.name for f in r.assumptions(0)]
    batch = run_batch(_row(_case({"supply.grid_intensity": None, "supply.grid_water_intensity": None,
                                  "supply.onsite.technology": "gas-turbine-combined-cycle",
                                  "supply.onsite.share": "1"}))).results
    assert batch["water_onsite_plant [m³]"].iloc[0] == pytest.approx(26.46 * 205 * 3.785411784e-3)


def test_market_based_follows_the_scope2_hierarchy():
    # grid 400 g/kWh; supplier TVA 624.94 lb/MWh = 283.47 g/kWh; PPA 50 % at 0 g/kWh; 28.8 MWh facility energy
    tva = 624.94 * 0.45359237  # g/kWh
    base = scenario_dict(supply={"grid": "us-srtv"})
    with_supplier = scenario_dict(supply={"grid": "us-srtv", "supplier": "us-tva"})
    with_both = scenario_dict(supply={"grid": "us-srtv", "supplier": "us-tva", "ppa": {"share": 0.5}})
    r = compute([parse_scenario(d) for d in (base, with_supplier, with_both)], draws=0)
    energy = r.metric("grid_energy", 0).m_as("MWh")
    srtv = 903.3 * 0.45359237
    assert r.metric("co2e_scope2_market_based", 0).m_as("t CO2e") == pytest.approx(energy * srtv / 1000)
    assert "market_based.residual_intensity" in [f.name for f in r.assumptions(0)]  # the grid-average warning
    assert r.metric("co2e_scope2_market_based", 1).m_as("t CO2e") == pytest.approx(energy * tva / 1000)
    assert r.metric("co2e_scope2_market_based", 2).m_as("t CO2e") == pytest.approx(energy / 2 * tva / 1000)
    assert "market_based.residual_intensity" not in [f.name for f in r.assumptions(1)]
    # location-based is untouched by contracts and suppliers
    for i in range(3):
        assert r.metric("co2e_scope2_location_based", i).m_as("t CO2e") == pytest.approx(energy * srtv / 1000)
    batch = run_batch(_row(_case({"supply.grid": "us-srtv", "supply.grid_intensity": None,
                                  "supply.grid_water_intensity": None, "supplier": "us-tva"}))).results
    assert batch["co2e_scope2_market_based [t CO2e]"].iloc[0] == pytest.approx(energy * tva / 1000)
