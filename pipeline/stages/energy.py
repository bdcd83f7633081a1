"""Energy stages: power over time, and its split between grid and on-site generation."""

from __future__ import annotations

import numpy as np
import pint

from pipeline.units import Q_, check, ureg


@check("[]", "[time]", "[time]")
def accelerator_time(count: pint.Quantity, period: pint.Quantity, accelerator_hours: pint.Quantity) -> pint.Quantity:
    """Accelerator-time of a group: ``count * period``, or the given accelerator-hours [h].

    Where ``count`` is NaN (the group was given in accelerator-hours) ``accelerator_hours`` is
    used; elsewhere ``count * period``.
    """
    by_count = (count * period).m_as("hour")
    hours = accelerator_hours.m_as("hour")
    return Q_(np.where(np.isnan(count.m_as("")), hours, by_count), "hour")


@check("[power]", "[time]")
def it_energy(server_power_per_accelerator: pint.Quantity, accelerator_time: pint.Quantity) -> pint.Quantity:
    """IT energy: mean server power per accelerator times accelerator-time [Wh]."""
    return (server_power_per_accelerator * accelerator_time).to("MWh")


@check("[energy]", "[]")
def facility_energy(it_energy: pint.Quantity, pue: pint.Quantity) -> pint.Quantity:
    """Facility energy: IT energy times PUE [Wh] (The Green Grid PUE definition)."""
    return it_energy * pue


@check("[energy]", "[]")
def onsite_energy(facility_energy: pint.Quantity, onsite_share: pint.Quantity) -> pint.Quantity:
    """Energy generated on site (e.g. gas turbines): facility energy times the on-site share [Wh]."""
    return facility_energy * onsite_share


@check("[energy]", "[]")
def grid_energy(facility_energy: pint.Quantity, onsite_share: pint.Quantity) -> pint.Quantity:
    """Energy drawn from the grid: the facility energy not generated on site [Wh]."""
    return facility_energy * (1 - onsite_share)


@check("[energy]", "[]")
def ppa_energy(grid_energy: pint.Quantity, ppa_share: pint.Quantity) -> pint.Quantity:
    """Grid energy matched by renewable purchases (PPAs, certificates) [Wh].

    Contractual only: it changes market-based CO2e, not the electricity physically drawn.
    """
    return grid_energy * ppa_share


@check("[energy]", "[energy]")
def grid_energy_unmatched(grid_energy: pint.Quantity, ppa_energy: pint.Quantity) -> pint.Quantity:
    """Grid energy not matched by renewable purchases: counted at the residual factor [Wh]."""
    return grid_energy - ppa_energy


@check(None, "[time]")
def per_day(total: pint.Quantity, period: pint.Quantity) -> pint.Quantity:
    """A total over the period expressed as a mean daily rate [unit / day]: ``total / period`` with the period in
    days (one conversion; the quotient is in the total's unit per day as it stands)."""
    return total / period.to(ureg.day)
