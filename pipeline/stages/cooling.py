"""Cooling stages: water usage effectiveness from the weather, hour by hour."""

from __future__ import annotations

import numpy as np
import pint

from pipeline.units import Q_, check

__all__ = ["wue_adiabatic", "wue_evaporative_tower"]


@check("[temperature]", None, "[length] ** 3 / [energy]")
def wue_evaporative_tower(wet_bulb: pint.Quantity, coefficients: tuple[float, float, float, float],
                          floor: pint.Quantity) -> pint.Quantity:
    """On-site WUE of a chiller plant with evaporative cooling towers at a wet-bulb temperature [L/kWh].

    ``max(floor, a3 Tw^3 + a2 Tw^2 + a1 Tw + a0)`` with ``Tw`` in degF (Li, Yang, Islam, Ren 2023, "Making AI
    Less Thirsty", arXiv:2304.03271: a cubic fit to a cooling-tower model; coefficients in
    ``pipeline/data/climate/cooling_models.csv``).  The water evaporated rises with the wet bulb: the
    tower can evaporate less per unit of heat rejected when the air is cold and dry.

    Examples
    --------
    >>> round(float(wue_evaporative_tower(Q_(10.0, "degC"), (6e-5, -0.01, 0.61, -10.4), Q_(0.05, "L/kWh"))
    ...             .m_as("L/kWh")), 3)
    2.6
    >>> float(wue_evaporative_tower(Q_(-10.0, "degC"), (6e-5, -0.01, 0.61, -10.4), Q_(0.05, "L/kWh")).m_as("L/kWh"))
    0.05
    """
    t = np.asarray(wet_bulb.m_as("degF"), dtype=float)
    a3, a2, a1, a0 = coefficients
    wue = ((a3 * t + a2) * t + a1) * t + a0
    return Q_(np.maximum(wue, floor.m_as("L/kWh")), "L/kWh")


@check("[temperature]", "[temperature]", "[temperature]", None, "[length] ** 3 / [energy]",
            "[length] ** 3 / [energy]")
def wue_adiabatic(dry_bulb: pint.Quantity, wet_bulb: pint.Quantity, switch: pint.Quantity,
                  coefficients: tuple[float, float, float, float], floor: pint.Quantity,
                  tower_floor: pint.Quantity) -> pint.Quantity:
    """On-site WUE of dry coolers with adiabatic pre-cooling [L/kWh]: ``floor`` while the dry bulb is below the
    ``switch`` set point (dry operation), the evaporative-tower curve above it (an upper bound).

    Examples
    --------
    >>> w = wue_adiabatic(Q_([10.0, 30.0], "degC"), Q_([5.0, 22.0], "degC"), Q_(24.0, "degC"),
    ...                   (6e-5, -0.01, 0.61, -10.4), Q_(0.0, "L/kWh"), Q_(0.05, "L/kWh"))
    >>> [round(float(x), 2) for x in w.m_as("L/kWh")]
    [0.0, 4.03]
    """
    wet = wue_evaporative_tower(wet_bulb, coefficients, tower_floor).m_as("L/kWh")
    dry = np.asarray(dry_bulb.m_as("degC"), dtype=float) < switch.m_as("degC")
    return Q_(np.where(dry, floor.m_as("L/kWh"), wet), "L/kWh")
