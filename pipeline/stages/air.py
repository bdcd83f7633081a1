"""Air stages: pollutants from on-site combustion and from grid generation, and their health cost.

Emission factors are per unit of fuel heat input for on-site plants (US EPA AP-42 Chapter 3.1)
and per unit of electricity generated for the grid (eGRID output emission rates).  Health damages
are population averages per tonne emitted (reduced-form, benefit-per-ton): no dispersion model.
"""

from __future__ import annotations

import pint

from pipeline.units import check

__all__ = ["health_damages", "pollutant_from_fuel", "pollutant_from_grid", "premature_deaths"]


@check("[energy]", "[energy] / [energy]", "[mass] / [energy]")
def pollutant_from_fuel(energy: pint.Quantity, heat_rate: pint.Quantity, per_heat: pint.Quantity) -> pint.Quantity:
    """Mass of a pollutant emitted by a fuel-burning plant generating ``energy`` [t].

    ``E x HR x EF``: electricity generated, times the plant's heat rate (heat input per kWh), times the
    emission factor per unit of heat input (AP-42 gives lb per MMBtu, higher heating value).

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> round(pollutant_from_fuel(Q_(1000, "MWh"), Q_(10500, "Btu/kWh"), Q_(0.32, "lb/MMBtu")).m_as("t"), 4)
    1.5241
    """
    return (energy * heat_rate * per_heat).to("t")


@check("[energy]", "[mass] / [energy]")
def pollutant_from_grid(grid_energy: pint.Quantity, output_rate: pint.Quantity) -> pint.Quantity:
    """Mass of a pollutant emitted by the grid's plants to generate ``grid_energy`` [t].

    ``E_grid x rate``, the rate being the grid's annual output emission rate (eGRID, lb/MWh): an
    average over the generation serving the grid, not the marginal plant.

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> round(pollutant_from_grid(Q_(1000, "MWh"), Q_(1.0, "lb/MWh")).m_as("t"), 5)
    0.45359
    """
    return (grid_energy * output_rate).to("t")


@check("[mass]", "[mass]", "[mass]", "[currency] / [mass]", "[currency] / [mass]", "[currency] / [mass]")
def health_damages(nox: pint.Quantity, so2: pint.Quantity, pm25: pint.Quantity, per_nox: pint.Quantity,
                   per_so2: pint.Quantity, per_pm25: pint.Quantity) -> pint.Quantity:
    """Monetised health damages of emitted PM2.5 and its precursors [USD].

    ``m_NOx x D_NOx + m_SO2 x D_SO2 + m_PM2.5 x D_PM2.5``: the benefit-per-ton method (US EPA,
    sector-based PM2.5 benefit-per-ton estimates): each tonne of a pollutant is valued at the
    population-average damage of a tonne emitted by the sector, premature deaths dominating.

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> health_damages(Q_(2, "t"), Q_(1, "t"), Q_(0.5, "t"), Q_(6000, "USD/t"), Q_(40000, "USD/t"),
    ...                Q_(140000, "USD/t")).m_as("USD")
    122000.0
    """
    return (nox * per_nox + so2 * per_so2 + pm25 * per_pm25).to("USD")


@check("[mass]", "[mass]", "[mass]", "1 / [mass]", "1 / [mass]", "1 / [mass]")
def premature_deaths(nox: pint.Quantity, so2: pint.Quantity, pm25: pint.Quantity, per_nox: pint.Quantity,
                     per_so2: pint.Quantity, per_pm25: pint.Quantity) -> pint.Quantity:
    """Premature deaths attributable to the emitted PM2.5 and its precursors over the period [].

    ``m_NOx x d_NOx + m_SO2 x d_SO2 + m_PM2.5 x d_PM2.5``, with deaths per tonne emitted (an
    incidence per ton from the same benefit-per-ton analysis as the damages).

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> round(premature_deaths(Q_(1000, "t"), Q_(0, "t"), Q_(0, "t"), Q_(0.0005, "1/t"), Q_(0.004, "1/t"),
    ...                        Q_(0.015, "1/t")).m_as(""), 3)
    0.5
    """
    return (nox * per_nox + so2 * per_so2 + pm25 * per_pm25).to("")
