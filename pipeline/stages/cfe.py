"""Hourly grid stages: intensities from an hourly generation mix, and carbon-free energy matched hour by hour."""

from __future__ import annotations

import numpy as np
import pint

from pipeline.units import Q_, check

__all__ = ["cfe_energy", "hourly_intensity"]


def hourly_intensity(shares: pint.Quantity, factors: pint.Quantity) -> pint.Quantity:
    """Intensity of each hour's generation mix: ``sum_i share_{h,i} * factor_i`` [factor unit].

    ``shares`` is hours x technologies (dimensionless, rows sum to 1); ``factors`` one per technology
    (g CO2e/kWh on a carbon basis, or L/kWh of water consumed).  The hourly form of
    :func:`pipeline.stages.mix.mix_intensity`.

    Examples
    --------
    >>> s = Q_([[0.5, 0.5], [1.0, 0.0]], "")
    >>> hourly_intensity(s, Q_([820.0, 12.0], "g CO2e/kWh")).m_as("g CO2e/kWh").tolist()
    [416.0, 820.0]
    """
    return Q_(np.asarray(shares.m_as(""), dtype=float) @ np.asarray(factors.magnitude, dtype=float), factors.units)


@check("[energy]", "[energy]", "[]")
def cfe_energy(grid_energy: pint.Quantity, ppa_energy: pint.Quantity, grid_cfe_share: pint.Quantity) -> pint.Quantity:
    """Carbon-free energy supplied to the site in each hour [MWh]: contracted carbon-free generation in the same
    hour (at most the hour's grid consumption), plus the grid's carbon-free share of the rest.

    ``min(E_ppa,h, E_grid,h) + CFE_grid,h x (E_grid,h - min(E_ppa,h, E_grid,h))``: Google's hourly CFE score
    ("24/7 Carbon-Free Energy: Methodologies and Metrics", 2021), as formalised by Riepin & Brown (arXiv 2022; "On the
    means, costs, and system-level impacts of 24/7 carbon-free energy procurement", Energy Strategy Reviews
    54, 101488, 2024): contracted generation beyond the hour's load is excess (sold to the grid), not carried to
    other hours.  On-site fossil generation is not carbon-free.  The CFE share is the sum over hours divided by
    the site's consumption.

    Examples
    --------
    >>> cfe_energy(Q_([10.0, 10.0], "MWh"), Q_([15.0, 0.0], "MWh"), Q_([0.4, 0.4], "")).m_as("MWh").tolist()
    [10.0, 4.0]
    """
    matched = np.minimum(ppa_energy.m_as("MWh"), grid_energy.m_as("MWh"))
    rest = grid_energy.m_as("MWh") - matched
    return Q_(matched + grid_cfe_share.m_as("") * rest, "MWh")
