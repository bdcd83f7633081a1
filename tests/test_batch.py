"""Batch runs over a table of accelerator groups (pipeline.batch)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.batch import read_dataset, run_batch, write_outputs
from pipeline.results import METRICS, metric_column

HEADER = ["name", "location", "accelerator", "count", "accelerator_hours", "power", "idle_power", "host_power",
          "utilization", "period", "pue", "wue", "grid", "grid_intensity", "grid_water_intensity",
          "onsite_technology", "onsite_share", "ppa_share", "note"]
METRIC_COLS = [metric_column(m.name, m.unit) for m in METRICS]


def _row(name="A", **kw) -> dict:
    base = {"name": name, "location": "Here", "accelerator": "h100-sxm", "count": "1000", "utilization": "0.8",
            "period": "1 year", "pue": "1.2", "wue": "1.8 L/kWh", "grid": "us-srtv", "note": f"note {name}"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def _write(tmp_path, rows, header=HEADER, fname="data.csv"):
    df = pd.DataFrame(rows, columns=header)
    path = tmp_path / fname
    df.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- the real input


def test_real_input_computes_every_cluster_and_passes_extra_columns_through(root):
    path = root / "inputs" / "ai-clusters.csv"
    result = run_batch(read_dataset(path), source=path.name)
    assert result.errors.empty, result.errors.to_string()
    raw = pd.read_csv(path, dtype=str)
    assert list(result.results["name"]) == list(dict.fromkeys(raw["name"]))
    # extra columns pass through from the cluster's first row; metrics come before them
    cols = list(result.results.columns)
    assert cols[0] == "name" and cols[1:1 + len(METRIC_COLS)] == METRIC_COLS
    assert "cluster_id" in cols and "power" not in cols
    multi = raw.groupby("name", sort=False).size().loc[lambda c: c > 1].index[0]
    first = result.results.set_index("name").loc[multi, "cluster_id"]
    assert first == raw.loc[raw["name"] == multi, "cluster_id"].iloc[0]
    # Colossus phase 1 by hand: 100,000 x (0.8 x 700 + 0.2 x 70 + 350) W = 92.4 MW IT (host 350 W: the measured
    # 8.4 kW 8xH100 node peak / 8 - 700 W); x PUE 1.2 = 110.88 MW
    colossus = result.results.set_index("name").loc["xAI Colossus 1 (phase 1)"]
    assert colossus["facility_power [MW]"] == pytest.approx(110.88)


# --------------------------------------------------------------------------- bad values


def test_mixed_good_and_bad_rows(tmp_path):
    rows = [
        _row("good"),                                                            # 2
        _row("bad-acc", accelerator="h100-sxn"),                                 # 3
        _row("bad-grid", grid="us-srtvv"),                                       # 4
        _row("bad-tech", onsite_technology="gas-turbine-simple-cycl", onsite_share="0.5"),  # 5
        _row("bad-dim", power="700 L"),                                          # 6
        _row("bad-neg", count="-5"),                                             # 7
        _row("bad-util", utilization="1.5"),                                     # 8
        _row("bad-pue", pue="0.9"),                                              # 9
        _row("bad-share", onsite_technology="gas-turbine-simple-cycle", onsite_share="1.5"),  # 10
        _row("bad-ppa", ppa_share="-0.1"),                                       # 11
        _row("bad-both", accelerator_hours="1e6 h"),                             # 12
        _row("bad-neither", count=None),                                         # 13
        _row("bad-noacc", accelerator=None),                                     # 14
        _row("bad-noutil", utilization=None),                                    # 15
        _row("bad-nowue", wue=None),                                             # 16
        _row("bad-nogrid", grid=None),                                           # 17
        _row("bad-noperiod", period=None),                                       # 18
        _row(None),                                                              # 19
        _row("multi", power="abc"),                                              # 20
        _row("multi", accelerator="h200-sxm"),                                   # 21
        _row("bad-bare", power="700"),                                           # 22
        _row("hours", count=None, accelerator_hours="1e6 h", period=None),      # 23
        _row("bad-nan", utilization="inf"),                                      # 24
        _row("bad-idle", idle_power="800 W", power="700 W"),                     # 25
        _row("overrides", grid=None, grid_intensity="400 g/kWh", grid_water_intensity="3 L/kWh"),  # 26
        _row("bad-unit", wue="1.8 zorks/kWh"),                                    # 27
    ]
    path = _write(tmp_path, rows)
    result = run_batch(read_dataset(path), source=path.name)
    res, err = result.results, result.errors
    assert list(err.columns) == ["row", "name", "field", "message"]
    assert set(res["name"]) == {"good", "hours", "overrides"}

    # every row is accounted for: in a computed cluster or in the error table
    raw = pd.read_csv(path, dtype=str)
    computed_rows = {i + 2 for i, n in enumerate(raw["name"]) if n in set(res["name"])}
    assert computed_rows | set(err["row"]) == set(range(2, len(rows) + 2))
    assert not computed_rows & set(err["row"])

    def has(row, field, text=""):
        e = err[(err["row"] == row) & (err["field"] == field)]
        assert len(e), f"no error for row {row} field {field}:\n{err.to_string()}"
        assert any(text in m for m in e["message"]), e["message"].tolist()

    has(3, "accelerator", "did you mean 'h100-sxm'")
    has(4, "grid", "did you mean 'us-srtv'")
    has(5, "onsite_technology", "did you mean 'gas-turbine-simple-cycle'")
    has(6, "power", "expected a power")
    has(7, "count", "negative")
    has(8, "utilization", "out of range")
    has(9, "pue", "out of range")
    has(10, "onsite_share", "out of range")
    has(11, "ppa_share", "negative")
    has(12, "count", "exactly one")
    has(13, "count", "exactly one")
    has(14, "accelerator", "missing")
    has(15, "utilization", "missing")
    has(16, "wue", "missing")
    has(17, "grid", "required")
    has(18, "period", "required")
    has(19, "name", "missing")
    has(20, "power", "cannot read")
    has(21, "(cluster)", "20")
    has(22, "power", "bare number")
    has(24, "utilization", "finite")
    has(25, "idle_power", "above")
    has(27, "wue", "unknown unit")
    assert err.loc[err["row"] == 3, "name"].iloc[0] == "bad-acc"

    # the good clusters are unaffected by the bad ones
    alone = run_batch(pd.DataFrame([_row("good")], columns=HEADER))
    np.testing.assert_allclose(res.loc[res["name"] == "good", METRIC_COLS].to_numpy(dtype=float),
                               alone.results[METRIC_COLS].to_numpy(dtype=float), rtol=1e-12, equal_nan=True)
    hours = res.set_index("name").loc["hours"]
    assert math.isnan(hours["it_power [MW]"]) and hours["it_energy [MWh]"] > 0


# --------------------------------------------------------------------------- header units


def test_header_units(tmp_path):
    header = [("power [W]" if c == "power" else "host_power [kW]" if c == "host_power" else c) for c in HEADER]
    rows = [_row("hdr", power="700", host_power="0.2"), _row("cell", power="0.7 kW", host_power="200 W")]
    path = _write(tmp_path, rows, header=[c.split(" [")[0] for c in header])
    # write the header with units by hand
    text = path.read_text().splitlines()
    text[0] = ",".join(header)
    path.write_text("\n".join(text) + "\n")
    df = read_dataset(path)
    assert "power" in df.columns and df.attrs["units"]["power"] == "W"
    result = run_batch(df)
    assert result.errors.empty, result.errors.to_string()
    a, b = result.results[METRIC_COLS].to_numpy(dtype=float)
    np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)
    # the same table passed straight in as a DataFrame with unit headers
    again = run_batch(pd.read_csv(path, dtype=str))
    np.testing.assert_allclose(again.results[METRIC_COLS].to_numpy(dtype=float),
                               result.results[METRIC_COLS].to_numpy(dtype=float), rtol=1e-12, equal_nan=True)


def test_bare_number_without_header_unit_fails(tmp_path):
    path = _write(tmp_path, [_row("x", power="700"), _row("y", wue="1.8")])
    result = run_batch(read_dataset(path))
    assert result.results.empty
    assert set(zip(result.errors["row"], result.errors["field"], strict=True)) == {(2, "power"), (3, "wue")}
    assert result.errors["message"].str.contains("bare number").all()


def test_numeric_columns_from_dataframe():
    df = pd.DataFrame([_row("n")], columns=HEADER)
    df["count"] = 1000
    df["utilization"] = 0.8
    df["pue"] = 1.2
    df = df.rename(columns={"wue": "wue [L/kWh]"})
    df["wue [L/kWh]"] = 1.8
    result = run_batch(df)
    assert result.errors.empty, result.errors.to_string()
    ref = run_batch(pd.DataFrame([_row("n")], columns=HEADER))
    np.testing.assert_allclose(result.results[METRIC_COLS].to_numpy(dtype=float),
                               ref.results[METRIC_COLS].to_numpy(dtype=float), rtol=1e-12, equal_nan=True)


# --------------------------------------------------------------------------- clusters


def test_inconsistent_cluster_fields(tmp_path):
    rows = [_row("c", pue="1.2"), _row("c", accelerator="h200-sxm", pue="1.3"),
            _row("c", accelerator="b200", grid="us-erct"), _row("ok")]
    result = run_batch(read_dataset(_write(tmp_path, rows)))
    assert list(result.results["name"]) == ["ok"]
    err = result.errors
    assert set(err["row"]) == {2, 3, 4}
    assert ((err["row"] == 3) & (err["field"] == "pue")).any()
    assert ((err["row"] == 4) & (err["field"] == "grid")).any()
    assert err.loc[err["field"] == "pue", "message"].str.contains("differs").all()
    # differently spelled but equal quantities agree
    same = [_row("s", wue="1.8 L/kWh"), _row("s", accelerator="h200-sxm", wue="1800 mL/kWh")]
    assert run_batch(pd.DataFrame(same, columns=HEADER)).errors.empty


def test_multi_group_cluster_sums_groups():
    one = run_batch(pd.DataFrame([_row("a", count="1000"), _row("a", count="3000")], columns=HEADER))
    two = run_batch(pd.DataFrame([_row("b", count="4000")], columns=HEADER))
    np.testing.assert_allclose(one.results[METRIC_COLS].to_numpy(dtype=float),
                               two.results[METRIC_COLS].to_numpy(dtype=float), rtol=1e-12, equal_nan=True)


# --------------------------------------------------------------------------- scale and output


def test_ten_thousand_rows(tmp_path):
    rng = np.random.default_rng(0)
    n = 10_000
    accs = np.array(["h100-sxm", "h200-sxm", "a100-sxm4", "b200", "mi300x", "h100-sxn"])
    grids = np.array(["us-srtv", "us-erct", "world", "fr", "de", "us-camx"])
    cluster = np.arange(n) // 2
    df = pd.DataFrame({
        "name": [f"c{i}" for i in cluster],
        "accelerator": accs[rng.integers(0, len(accs), n)],
        "count": rng.integers(1, 100_000, n).astype(str),
        "utilization": "0.7",
        "period": "1 year",
        "pue": np.array(["1.1", "1.3", "1.5"])[cluster % 3],
        "wue": "1.8 L/kWh",
        "grid": grids[cluster % len(grids)],
        "grid_water_intensity": np.where(np.isin(grids[cluster % len(grids)], ["us-erct", "us-camx"]),
                                         "3.14 L/kWh", None),
        "power [W]": rng.uniform(300, 1000, n).round(1).astype(str),
        "tag": cluster,
    })
    result = run_batch(df)
    res, err = result.results, result.errors
    bad = set(df.loc[df["accelerator"] == "h100-sxn", "name"])
    assert set(res["name"]) == set(df["name"]) - bad
    assert set(err["row"]) == {i + 2 for i in np.flatnonzero(df["name"].isin(bad))}
    assert res[METRIC_COLS[0]].notna().all() and "tag" in res.columns
    paths = write_outputs(result, tmp_path / "out")
    back = pd.read_csv(paths["results"])
    assert len(back) == len(res) and list(back.columns) == list(res.columns)
    assert len(pd.read_csv(paths["errors"])) == len(err)


def test_write_outputs_empty_errors(tmp_path):
    result = run_batch(pd.DataFrame([_row("w")], columns=HEADER))
    paths = write_outputs(result, tmp_path)
    assert pd.read_csv(paths["errors"]).empty
    assert list(pd.read_csv(paths["errors"]).columns) == ["row", "name", "field", "message"]
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("suffix", [".parquet"])
def test_read_parquet(tmp_path, suffix):
    df = pd.DataFrame([_row("p")], columns=HEADER)
    path = tmp_path / f"d{suffix}"
    df.to_parquet(path)
    assert run_batch(read_dataset(path)).errors.empty


def test_read_excel_with_header_units(tmp_path):
    df = pd.DataFrame([_row("x")], columns=HEADER)
    path = tmp_path / "d.xlsx"
    df.to_excel(path, index=False)
    got = run_batch(read_dataset(path))
    assert got.errors.empty
    assert list(got.results["name"]) == ["x"]


# --------------------------------------------------------------------------- rows the reader cannot trust


def test_row_numbers_survive_blank_lines_and_a_malformed_line_is_one_error_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("name,accelerator,count,utilization,period,pue,wue,grid\n"
                    "A,h100-sxm,10,0.5,1 day,1.2,1 L/kWh,us-srtv\n"
                    "\n"
                    "B,h100-sxn,10,0.5,1 day,1.2,1 L/kWh,us-srtv\n"            # file row 4
                    "C,h100-sxm,10,0.5,1 day,1.2,1 L/kWh,us-srtv,extra\n"      # file row 5: 9 fields
                    "D,h100-sxm,10,0.5,1 day,1.2,1 L/kWh,us-srtv\n")
    result = run_batch(read_dataset(path))
    assert list(result.results["name"]) == ["A", "D"]
    assert list(zip(result.errors["row"], result.errors["field"], strict=True)) == [(4, "accelerator"), (5, "(row)")]
    assert "has 9 fields" in result.errors["message"].iloc[1]


def test_uncalculated_excel_formula_is_an_error_not_a_default(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["name", "accelerator", "count", "power", "utilization", "period", "pue", "wue", "grid"])
    ws.append(["plain", "h100-sxm", 10, "600 W", 0.5, "1 day", 1.2, "1 L/kWh", "us-srtv"])
    ws.append(["formula", "h100-sxm", 10, '=CONCATENATE(300*2," W")', 0.5, "1 day", 1.2, "1 L/kWh", "us-srtv"])
    path = tmp_path / "f.xlsx"
    wb.save(path)  # openpyxl writes formulas without calculating them
    result = run_batch(read_dataset(path))
    assert list(result.results["name"]) == ["plain"]
    assert list(zip(result.errors["row"], result.errors["field"], strict=True)) == [(3, "power")]
    assert "formula with no calculated value" in result.errors["message"].iloc[0]


def test_output_files_get_the_usual_permissions(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        paths = write_outputs(run_batch(pd.DataFrame([_row("p")], columns=HEADER)), tmp_path)
    finally:
        os.umask(old)
    for p in paths.values():
        assert p.stat().st_mode & 0o777 == 0o644, p  # not mkstemp's 0600


def test_csv_headers_and_json_units_are_readable_and_agree_with_the_report(root):
    """``water_onsite [m³]``, never pint's ``m ** 3``; a batch's results.csv and a report's results.csv name their
    columns alike (P50, then P5 and P95 of each metric), and JSON units are the same strings."""
    from pipeline import compute
    from pipeline.report.render import _frame_with_ranges

    res = run_batch(pd.DataFrame([_row(pue="1.1..1.3")]), draws=200, seed=1).results
    cols = [c for c in res.columns if "[" in c]
    assert "water_onsite [m³]" in cols and "water_onsite_per_day P95 [m³ / day]" in cols
    assert not [c for c in cols if "**" in c]
    report = compute(root / "inputs/colossus.yaml", draws=50)
    frame = _frame_with_ranges(report, 0)
    metric_cols = [c for c in frame.columns if c.split(" ")[0] in {m.name for m in METRICS}]
    batch_cols = [c for c in cols if "_used [" not in c]  # the grid factors a batch row used
    assert [c for c in metric_cols if c in batch_cols] == metric_cols  # same names
    assert [c for c in batch_cols if c in metric_cols] == metric_cols  # in the same order
    units = {m["unit"] for m in report.scenario_dict(0)["metrics"].values()}
    assert "m³" in units and not [u for u in units if "**" in u]
