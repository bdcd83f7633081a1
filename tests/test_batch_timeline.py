"""Batch datasets with ``start``/``end`` columns: dated phases per cluster, totalled as YAML timelines are."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.batch import run_batch
from pipeline.results import METRICS, metric_column
from pipeline.timeline import aggregation
from pipeline.units import Q_

METRIC_COLS = [metric_column(m.name, m.unit) for m in METRICS]


def _row(name: str, count: int = 1000, start: str | None = None, end: str | None = None, **kw: str) -> dict:
    """1000 W accelerators, no idle or host power, utilization 1, PUE 1: facility power = count x 1 kW."""
    r = {"name": name, "location": "Here", "accelerator": "h100-sxm", "count": str(count), "power": "1000 W",
         "idle_power": "0 W", "host_power": "0 W", "utilization": "1", "pue": "1", "wue": "1.8 L/kWh",
         "grid_intensity": "400 g/kWh", "grid_water_intensity": "2 L/kWh", "start": start, "end": end,
         "note": f"note {name}"}
    r.update(kw)
    return r


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows).astype(object)


def _by_name(result) -> pd.DataFrame:
    return result.results.set_index("name")


def test_two_phases_total_the_phases_computed_alone():
    # 1000 x 1 kW for 10 days, then 2000 x 1 kW for 20 days: 1 MW x 240 h + 2 MW x 480 h = 1,200 MWh
    phased = run_batch(_frame([_row("T", 1000, "2024-07-01", "2024-07-11"),
                               _row("T", 2000, "2024-07-11", "2024-07-31")]))
    assert phased.errors.empty, phased.errors.to_string()
    t = _by_name(phased).loc["T"]
    assert t["energy [MWh]"] == pytest.approx(1200.0)
    assert t["facility_power [MW]"] == pytest.approx((1 * 10 + 2 * 20) / 30)  # time-weighted mean
    assert t["facility_power_peak [MW]"] == pytest.approx(2.0)  # the maximum
    alone = _by_name(run_batch(_frame([_row("a", 1000, period="10 day"), _row("b", 2000, period="20 day")])))
    a, b = alone.loc["a"], alone.loc["b"]
    assert a["energy [MWh]"] == pytest.approx(240.0) and b["energy [MWh]"] == pytest.approx(960.0)
    checked = 0
    for m in METRICS:  # every metric folds as in a YAML timeline: sums, time-weighted means, maxima
        col, how = metric_column(m.name, m.unit), aggregation(m.name, Q_(1, m.unit))
        if how is None or math.isnan(a[col]):
            continue
        want = {"sum": a[col] + b[col], "mean": (10 * a[col] + 20 * b[col]) / 30, "max": max(a[col], b[col])}[how]
        assert t[col] == pytest.approx(want, rel=1e-12), col
        checked += 1
    assert checked > 10
    assert t["note"] == "note T" and "start" not in phased.results.columns


def test_phase_order_in_the_file_does_not_matter_and_groups_share_a_phase():
    rows = [_row("T", 1000, "2024-07-11", "2024-07-31"), _row("T", 500, "2024-07-01", "2024-07-11"),
            _row("T", 1000, "2024-07-31", "2024-08-10"), _row("T", 500, "2024-07-01", "2024-07-11")]
    t = _by_name(run_batch(_frame(rows))).loc["T"]
    # phase 1: 2 x 500 kW for 10 days; phase 2: 1 MW for 20 days; phase 3: 1 MW for 10 days -> 1 MW x 960 h
    assert t["energy [MWh]"] == pytest.approx(960.0)
    assert t["facility_power_peak [MW]"] == pytest.approx(1.0)


def test_one_phase_equals_the_same_period():
    dated = _by_name(run_batch(_frame([_row("T", 1000, "2024-01-01", "2025-01-01")]))).loc["T"]
    plain = _by_name(run_batch(_frame([_row("T", 1000, period="366 day")]))).loc["T"]
    for col in METRIC_COLS:
        assert (math.isnan(dated[col]) and math.isnan(plain[col])) or dated[col] == pytest.approx(plain[col]), col


def test_clusters_without_dates_are_unchanged():
    rows = [_row("A", 1000, period="1 year"), _row("A", 300, period="1 year"), _row("B", 700, period="30 day")]
    base = run_batch(_frame([{k: v for k, v in r.items() if k not in ("start", "end")} for r in rows]))
    with_cols = run_batch(_frame(rows + [_row("T", 1000, "2024-07-01", "2024-07-11")]))
    assert with_cols.errors.empty
    got = with_cols.results[with_cols.results["name"] != "T"].reset_index(drop=True)
    cols = [c for c in base.results.columns]
    pd.testing.assert_frame_equal(got[cols], base.results[cols])


def _errors(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = run_batch(_frame(rows))
    return result.results, result.errors


def _has(errors: pd.DataFrame, row: int, field: str, text: str) -> None:
    hit = errors[(errors["row"] == row) & (errors["field"] == field)]
    assert len(hit) == 1, errors.to_string()
    assert text in hit["message"].iloc[0], hit["message"].iloc[0]


def test_bad_dates_one_error_per_root_cause():
    rows = [_row("ok", 1000, "2024-01-01", "2024-02-01"),                       # 2
            _row("unreadable", 1000, "2024-13-01", "2024-02-01"),               # 3
            _row("words", 1000, "July 2024", "2024-08-01"),                     # 4
            _row("order", 1000, "2024-02-01", "2024-02-01"),                    # 5
            _row("alone", 1000, "2024-02-01", None),                            # 6
            _row("alone-end", 1000, None, "2024-02-01"),                        # 7
            _row("overlap", 1000, "2024-01-01", "2024-02-01"),                  # 8
            _row("overlap", 1000, "2024-01-15", "2024-03-01"),                  # 9
            _row("gap", 1000, "2024-01-01", "2024-02-01"),                      # 10
            _row("gap", 1000, "2024-02-05", "2024-03-01"),                      # 11
            _row("period", 1000, "2024-01-01", "2024-02-01", period="1 year"),  # 12
            _row("mixed", 1000, "2024-01-01", "2024-02-01"),                    # 13
            _row("mixed", 1000, period="1 year")]                               # 14
    results, errors = _errors(rows)
    assert list(results["name"]) == ["ok"]
    _has(errors, 3, "start", "cannot read '2024-13-01' as a date")
    _has(errors, 4, "start", "cannot read 'July 2024' as a date")
    _has(errors, 5, "end", "end 2024-02-01 is not after start 2024-02-01")
    _has(errors, 6, "end", "missing: start is given, so end is required")
    _has(errors, 7, "start", "missing: end is given, so start is required")
    _has(errors, 9, "start", "overlaps the phase 2024-01-01..2024-02-01")
    _has(errors, 11, "start", "leaves a gap of 4 day(s)")
    _has(errors, 12, "period", "takes its period from start/end")
    _has(errors, 14, "start", "other rows of cluster 'mixed' give start/end")
    # the other phase of a failed cluster is listed, not computed
    _has(errors, 8, "(cluster)", "another phase of the cluster has errors in row(s) 9")
    _has(errors, 10, "(cluster)", "row(s) 11")
    _has(errors, 13, "(cluster)", "row(s) 14")
    # exactly one line per bad row: no second message for the same root cause
    assert sorted(errors["row"]) == list(range(3, 15)), errors.to_string()


def test_ranges_are_refused_in_a_phased_cluster_but_not_in_a_single_phase():
    rows = [_row("T", 1000, "2024-01-01", "2024-01-11", pue="1.1..1.3"), _row("T", 1000, "2024-01-11", "2024-01-21"),
            _row("S", 1000, "2024-01-01", "2024-01-11", pue="1.1..1.3")]
    result = run_batch(_frame(rows), draws=200)
    _has(result.errors, 2, "pue", "a range is not supported in a cluster of several dated phases")
    _has(result.errors, 3, "(cluster)", "row(s) 2")
    s = _by_name(result).loc["S"]
    assert s[metric_column("energy", "MWh", "P5")] < s["energy [MWh]"] < s[metric_column("energy", "MWh", "P95")]


def test_phased_cluster_with_draws_has_exact_percentiles():
    rows = [_row("T", 1000, "2024-07-01", "2024-07-11"), _row("T", 2000, "2024-07-11", "2024-07-31"),
            _row("R", 1000, period="1 year", pue="1.1..1.3")]
    t = _by_name(run_batch(_frame(rows))).loc["T"]
    p5, p95 = metric_column("energy", "MWh", "P5"), metric_column("energy", "MWh", "P95")
    assert np.allclose([t[p5], t["energy [MWh]"], t[p95]], 1200.0)


def test_phased_clusters_get_no_single_phase_report():
    import pandas as pd

    from pipeline.batch import run_batch
    from pipeline.batch_run import cluster_tables

    base = {"accelerator": "h100-sxm", "power": "1000 W", "idle_power": "0 W", "host_power": "0 W",
            "utilization": 1, "pue": 1, "wue [L/kWh]": 0, "grid": "us-srtv"}
    df = pd.DataFrame([
        {**base, "name": "phased", "count": 1000, "start": "2025-01-01", "end": "2025-01-11"},
        {**base, "name": "phased", "count": 2000, "start": "2025-01-11", "end": "2025-01-31"},
        {**base, "name": "plain", "count": 1000, "period [h]": 240},
    ])
    result = run_batch(df)
    assert result.errors.empty, result.errors.to_string()
    assert result.phased == ("phased",)
    assert [name for name, _ in cluster_tables(result)] == ["plain"]
