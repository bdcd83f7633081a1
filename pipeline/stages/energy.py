"""Energy stages: power over time, and its split between grid and on-site generation."""

from __future__ import annotations

import numpy as np
import pint

from pipeline.units import ureg


@ureg.check("[]", "[time]", "[time]")
def accelerator_time(count: pint.Quantity, period: pint.Quantity, accelerator_hours: pint.Quantity) -> pint.Quantity:
    """Accelerator-time of a group: ``count * period``, or the given accelerator-hours [h].

    Where ``count`` is NaN (the group was given in accelerator-hours) ``accelerator_hours`` is
    used; elsewhere ``count * period``.
    """
    by_count = (count * period).to("hour")
    hours = accelerator_hours.to("hour")
    return np.where(np.isnan(count.m_as("")), hours, by_count)  # type: ignore[return-value]  # pint wraps np.where


@ureg.check("[power]", "[time]")
def it_energy(server_power_per_accelerator: pint.Quantity, accelerator_time: pint.Quantity) -> pint.Quantity:
    """IT energy: mean server power per accelerator times accelerator-time [Wh]."""
    return (server_power_per_accelerator * accelerator_time).to("MWh")


@ureg.check("[energy]", "[]")
def facility_energy(it_energy: pint.Quantity, pue: pint.Quantity) -> pint.Quantity:
    """Facility energy: IT energy times PUE [Wh] (The Green Grid PUE definition)."""
    return it_energy * pue


@ureg.check("[energy]", "[]")
def onsite_energy(facility_energy: pint.Quantity, onsite_share: pint.Quantity) -> pint.Quantity:
    """Energy generated on site (e.g. gas turbines): facility energy times the on-site share [Wh]."""
    return facility_energy * onsite_share


@ureg.check("[energy]", "[]")
def grid_energy(facility_energy: pint.Quantity, onsite_share: pint.Quantity) -> pint.Quantity:
    """Energy drawn from the grid: the facility energy not generated on site [Wh]."""
    return facility_energy * (1 - onsite_share)


@ureg.check("[energy]", "[]")
def ppa_energy(grid_energy: pint.Quantity, ppa_share: pint.Quantity) -> pint.Quantity:
    """Grid energy matched by renewable purchases (PPAs, certificates) [Wh].

    Contractual only: it changes market-based CO2e, not the electricity physically drawn.
    """
    return grid_energy * ppa_share


@ureg.check("[energy]", "[energy]")
def grid_energy_unmatched(grid_energy: pint.Quantity, ppa_energy: pint.Quantity) -> pint.Quantity:
    """Grid energy not matched by renewable purchases: counted at the residual factor [Wh]."""
    return grid_energy - ppa_energy


def per_day(total: pint.Quantity, period: pint.Quantity) -> pint.Quantity:
    """A total over the period expressed as a mean daily rate [unit / day]."""
    return (total / period).to(total.units / ureg.day)
