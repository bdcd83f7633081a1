"""Intensities of a grid defined by its generation mix."""

from __future__ import annotations

from collections.abc import Sequence

import pint


def mix_intensity(shares: pint.Quantity, factors: Sequence[pint.Quantity]) -> pint.Quantity:
    """Share-weighted mean of per-technology factors: ``sum_i share_i * factor_i``.

    Works for carbon (g CO2e/kWh) and water (L/kWh) factors alike; ``shares`` must sum to 1
    (checked by the caller that builds the mix).

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> float(mix_intensity(Q_([0.5, 0.5], ""), [Q_(820, "g CO2e/kWh"), Q_(12, "g CO2e/kWh")]).m_as("g CO2e/kWh"))
    416.0
    """
    total = shares[0] * factors[0]
    for s, f in zip(shares[1:], factors[1:], strict=True):
        total = total + s * f
    return total
