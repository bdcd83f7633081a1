"""A dataset's ``assumed_fields`` column: the inputs it names are cited as assumed, not as reported inputs."""

import pandas as pd

from pipeline.api import results_of
from pipeline.batch import run_batch
from pipeline.resolve import DATASET_ASSUMED, resolve

ROW = {"accelerator": "h100-sxm", "count": 1000, "utilization": 0.7, "period": "30 day", "pue": 1.3,
       "wue": "1.5 L/kWh", "grid": "us-srtv"}


def _factors(result, name):
    k = list(result.results["name"]).index(name)
    res = results_of(resolve(result.table.take([k])), draws=0, seed=0)
    return {f.name: f for f in res.factors[0]}


def test_named_inputs_are_assumed_and_the_rest_stay_inputs():
    df = pd.DataFrame([{"name": "marked", **ROW, "assumed_fields": "pue; wue;grid"},
                       {"name": "plain", **ROW, "assumed_fields": ""}])
    result = run_batch(df, "clusters.csv", draws=0)
    assert result.errors.empty
    marked = _factors(result, "marked")
    assert marked["pue"].status == "assumed" and marked["pue"].source == DATASET_ASSUMED
    assert marked["wue"].status == "assumed"
    assert marked["utilization"].status == "input"  # not named
    grid = marked["supply.grid"]
    assert grid.status == "assumed" and grid.note == "us-srtv"
    plain = _factors(result, "plain")
    assert plain["pue"].status == "input" and "supply.grid" not in plain
    # the numbers do not change: only how they are cited
    a, b = (result.results.set_index("name").loc[n, "energy [MWh]"] for n in ("marked", "plain"))
    assert a == b


def test_group_field_marked_as_assumed():
    df = pd.DataFrame([{"name": "x", **ROW, "power": "650 W", "assumed_fields": "power;accelerator"}])
    result = run_batch(df, "clusters.csv", draws=0)
    facts = _factors(result, "x")
    assert facts["fleet[0].power"].status == "assumed"
    assert facts["accelerator"].status == "assumed" and facts["accelerator"].note == "h100-sxm"


def test_unknown_name_is_an_error_of_its_cluster_only():
    df = pd.DataFrame([{"name": "typo", **ROW, "assumed_fields": "pue;utilisation_rate"},
                       {"name": "fine", **ROW, "assumed_fields": "pue"}])
    result = run_batch(df, "clusters.csv", draws=0)
    assert list(result.results["name"]) == ["fine"]
    err = result.errors.iloc[0]
    assert err["name"] == "typo" and err["field"] == "assumed_fields" and "'utilisation_rate'" in err["message"]
    assert "not a dataset column" in err["message"] and "utilization" in err["message"]  # what is allowed
