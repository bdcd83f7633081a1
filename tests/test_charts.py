"""Charts draw user text literally: '$' is a dollar sign, never the start of matplotlib mathtext."""

import pytest

from pipeline.report import charts


@pytest.mark.parametrize("label", ["$\\frac{a}{$ GPUs", "Cost $5 and $10", "$\\nosuchcommand$"])
def test_dollar_signs_in_labels_are_literal(label):
    svg = charts.bars("g", "IT energy by group", [label, "plain"], [1.0, 2.0], "GWh")
    assert label.replace("&", "&amp;").replace("<", "&lt;") in svg
