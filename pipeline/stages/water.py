"""Water stages: consumption on site (cooling, the on-site plant) and off site (grid generation), and the
withdrawal of evaporative cooling towers.

Water is *consumption* (evaporated or otherwise not returned) except where a name says withdrawal.
"""

from __future__ import annotations

import pint

from pipeline.units import check


@check("[energy]", "[length] ** 3 / [energy]")
def water_onsite(it_energy: pint.Quantity, wue: pint.Quantity) -> pint.Quantity:
    """On-site (cooling) water: WUE times **IT** energy [L].

    Notes
    -----
    The Green Grid defines water usage effectiveness as site water / IT energy (WP#35, 2011), so
    WUE multiplies IT energy, not facility energy (CodeCarbon applies it after PUE).

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> water_onsite(Q_(1, "MWh"), Q_(1.8, "L/kWh")).to("L")
    <Quantity(1800.0, 'liter')>
    """
    return (it_energy * wue).to("m ** 3")


@check("[energy]", "[length] ** 3 / [energy]")
def water_generation(energy: pint.Quantity, water_intensity: pint.Quantity) -> pint.Quantity:
    """Water consumed generating ``energy`` at ``water_intensity`` (EWIF) [L]."""
    return (energy * water_intensity).to("m ** 3")


@check("[length] ** 3", "[]")
def water_withdrawal(consumption: pint.Quantity, cycles: pint.Quantity) -> pint.Quantity:
    """Water withdrawn (makeup) by evaporative cooling towers that consume ``consumption`` [m^3].

    ``W_makeup = E + B = E * C / (C - 1)``: blowdown ``B = E / (C - 1)`` at ``C`` cycles of concentration
    (McDonald, "Cooling Tower Blowdown Equation", 2003); drift is neglected.  Public figures such as a
    utility's "gallons a day" are withdrawals; WUE (The Green Grid) is consumption.

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> water_withdrawal(Q_(300, "m ** 3"), Q_(4, "")).m_as("m ** 3")
    400.0
    """
    return (consumption * cycles / (cycles - 1)).to("m ** 3")


def water_total(water_onsite: pint.Quantity, water_onsite_plant: pint.Quantity,
                water_offsite: pint.Quantity) -> pint.Quantity:
    """Water consumed in all: on-site cooling, the on-site power plant, and grid generation [m^3].

    Off-site water follows Li et al. (2023, "Making AI Less Thirsty"): energy x EWIF for the electricity
    physically drawn from the grid; renewable purchases (PPAs) do not change it.  The on-site plant's water
    is on site, where it is drawn.
    """
    return water_onsite + water_onsite_plant + water_offsite
