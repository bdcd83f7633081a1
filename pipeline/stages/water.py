"""Water stages: consumption on site (cooling) and off site (generating the electricity).

Water here is *consumption* (evaporated or otherwise not returned), not withdrawal.
"""

from __future__ import annotations

import pint

from pipeline.units import ureg


@ureg.check("[energy]", "[length] ** 3 / [energy]")
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


@ureg.check("[energy]", "[length] ** 3 / [energy]")
def water_generation(energy: pint.Quantity, water_intensity: pint.Quantity) -> pint.Quantity:
    """Water consumed generating ``energy`` at ``water_intensity`` (EWIF) [L]."""
    return (energy * water_intensity).to("m ** 3")


def water_offsite(water_grid: pint.Quantity, water_onsite_generation: pint.Quantity) -> pint.Quantity:
    """Water consumed to generate the facility's electricity: grid plus on-site plant [m^3].

    Follows Li et al. (2023, "Making AI Less Thirsty"): off-site water = energy x EWIF, for the
    electricity physically drawn; renewable purchases (PPAs) do not change it.
    """
    return water_grid + water_onsite_generation


def water_total(water_onsite: pint.Quantity, water_offsite: pint.Quantity) -> pint.Quantity:
    """On-site cooling water plus water for electricity generation [m^3]."""
    return water_onsite + water_offsite
