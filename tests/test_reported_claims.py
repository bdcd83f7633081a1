"""A dataset's reported_power_mw and reported_water_m3_per_day: published figures its per-cluster reports check."""

import pandas as pd
import pytest

from pipeline.api import results_of
from pipeline.batch import run_batch
from pipeline.resolve import resolve

ROW = {"accelerator": "h100-sxm", "count": 10000, "utilization": 0.8, "period": "1 year", "pue": 1.2,
       "wue": "1.8 L/kWh", "grid": "us-srtv"}


def _claims(result, name):
    k = list(result.results["name"]).index(name)
    return results_of(resolve(result.table.take([k])), draws=0, seed=0).claims(0)


def test_reported_figures_become_claims_with_the_rows_source():
    df = pd.DataFrame([{"name": "a", **ROW, "reported_power_mw": 15.0, "reported_water_m3_per_day": 600.0,
                        "source_title": "Utility filing, 2024"},
                       {"name": "b", **ROW, "reported_power_mw": None, "reported_water_m3_per_day": None,
                        "source_title": "none"}])
    result = run_batch(df, "clusters.csv", draws=0)
    assert result.errors.empty
    by_metric = {c.metric: c for c in _claims(result, "a")}
    power = by_metric["facility_power_peak"]
    assert power.claimed.m_as("MW") == 15.0 and power.source == "Utility filing, 2024"
    assert "reported_power_mw" in power.note
    # modelled peak by hand: 10,000 x (700 W + 575 W host nameplate) x PUE 1.2 = 15.3 MW; 15 / 15.3 = 0.98
    assert power.modelled.m_as("MW") == pytest.approx(10_000 * (700 + 575) * 1.2 / 1e6)
    assert power.verdict == "consistent"
    water = by_metric["water_onsite_withdrawal_per_day"]
    assert water.claimed.m_as("m**3/day") == 600.0
    assert _claims(result, "b") == []  # empty cells: no claim


def test_a_dataset_without_those_columns_has_no_claims():
    result = run_batch(pd.DataFrame([{"name": "a", **ROW}]), "clusters.csv", draws=0)
    assert _claims(result, "a") == []
