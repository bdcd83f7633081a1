"""Sum accelerator-group values into scenario totals, keeping units."""

from __future__ import annotations

import numpy as np
import pint

from pipeline.units import Q_


def scenario_total(group_values: pint.Quantity, scenario_index: np.ndarray, n_scenarios: int) -> pint.Quantity:
    """Sum of per-group values for each scenario, in the groups' unit.

    A NaN in any group of a scenario makes that scenario's total NaN (the metric is absent),
    never a silent zero.
    """
    values = np.broadcast_to(np.asarray(group_values.magnitude, dtype=float), scenario_index.shape)
    totals = np.bincount(scenario_index, weights=values, minlength=n_scenarios)
    return Q_(totals, group_values.units)
