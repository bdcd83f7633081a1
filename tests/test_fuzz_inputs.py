"""Property: any text in any quantity or number field gives a result or the project's error, on both paths,
never another exception, never a hang (hypothesis; the long run is scripts/fuzz.py)."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import ScenarioError, compute, parse_scenario
from pipeline.batch import run_batch
from tests.conftest import scenario_dict

FIELDS = ["utilization", "pue", "wue", "period", "lifetime"]
GROUP = ["count", "power", "idle_power", "host_power", "embodied", "accelerator_hours"]
tokens = st.sampled_from(["1", "1.5", "1e3", "1e308", "-2", ",", ";", " ", "*", "/", "**", "^", "(", ")", "..",
                          "W", "kW", "L", "kWh", "year", "h", "g", "CO2e", "t", "gal", "day", "nan", "inf", "'",
                          "10", "9", "0", "e", "+", "_", "𝟕", "µ"])
cells = st.one_of(st.lists(tokens, max_size=6).map("".join), st.lists(tokens, max_size=6).map(" ".join),
                  st.text(max_size=12))


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIELDS + GROUP), cells)
def test_any_text_in_a_numeric_field_is_a_result_or_scenario_error(field, text):
    data = scenario_dict()
    if field in GROUP:
        data["fleet"][0][field] = text
    else:
        data[field] = text
    try:
        r = compute(parse_scenario(data), draws=0)
        assert all(not math.isinf(x) for q in r.metrics.values() for x in q.magnitude)
    except ScenarioError:
        pass
    row = {"name": "x", "accelerator": "h100-sxm", "count": "1000", "utilization": "0.5", "period": "1 day",
           "pue": "1.5", "wue": "2 L/kWh", "supply.grid_intensity": "400 g CO2e/kWh",
           "supply.grid_water_intensity": "3 L/kWh", field: text}
    out = run_batch(pd.DataFrame([row], dtype=object))
    assert len(out.results) + len(out.errors) >= 1  # the row is accounted for
