"""The result metrics: stable names (the ``--json`` and ``results.csv`` contract), units and labels.

A leaf table: read by the chain's callers, the schema (claims name a metric) and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["METRICS", "METRIC_BY_NAME", "MetricSpec"]


@dataclass(frozen=True)
class MetricSpec:
    """A result metric: its stable name (JSON contract), output unit and plain label."""

    name: str
    unit: str
    label: str
    description: str


#: Every metric, in report order.  Names and units are the ``--json`` contract.
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("it_power", "MW", "IT power (mean)", "Accelerators at mean load plus host servers"),
    MetricSpec("it_power_peak", "MW", "IT power (peak)", "All accelerators at full load plus host servers"),
    MetricSpec("it_power_accelerators", "MW", "Accelerator power (mean)", "Accelerator boards at mean load"),
    MetricSpec("it_power_hosts", "MW", "Host server power", "CPUs, memory, NICs, fans, PSU losses"),
    MetricSpec("facility_power", "MW", "Facility power (mean)", "IT power x PUE"),
    MetricSpec("facility_power_peak", "MW", "Facility power (peak)", "Peak IT power x PUE"),
    MetricSpec("it_energy", "MWh", "IT energy", "IT power over the period"),
    MetricSpec("energy", "MWh", "Facility energy", "IT energy x PUE"),
    MetricSpec("grid_energy", "MWh", "Energy from the grid", "Facility energy not generated on site"),
    MetricSpec("onsite_energy", "MWh", "Energy generated on site", "e.g. gas turbines"),
    MetricSpec("ppa_energy", "MWh", "Grid energy matched by PPAs", "Contractual renewable purchases"),
    MetricSpec("energy_per_day", "MWh / day", "Facility energy per day", "Mean daily facility energy"),
    MetricSpec("water_onsite", "m ** 3", "Water on site (cooling)", "WUE x IT energy"),
    MetricSpec("water_offsite", "m ** 3", "Water off site (grid electricity)", "Grid energy x water consumed per "
               "kWh generated"),
    MetricSpec("water_onsite_plant", "m ** 3", "Water for on-site generation", "On-site energy x the plant's water "
               "consumption (on site, where it is drawn)"),
    MetricSpec("water_total", "m ** 3", "Water, total", "Cooling plus on-site plant plus grid generation "
               "(consumption)"),
    MetricSpec("water_onsite_withdrawal", "m ** 3", "Cooling water withdrawn", "Cooling consumption x C / "
               "(C - 1), C the cycles of concentration: what a utility supplies"),
    MetricSpec("water_onsite_withdrawal_per_day", "m ** 3 / day", "Cooling water withdrawn a day",
               "Mean daily cooling-tower makeup water"),
    MetricSpec("water_onsite_per_day", "m ** 3 / day", "Water on site per day", "Mean daily cooling water"),
    MetricSpec("water_offsite_per_day", "m ** 3 / day", "Water off site per day", "Mean daily grid generation water"),
    MetricSpec("facility_overhead_power", "MW", "Facility overhead (mean)", "Facility minus IT power: cooling, power "
               "distribution"),
    MetricSpec("facility_overhead_power_peak", "MW", "Facility overhead (peak)", "Peak facility minus peak IT power"),
    MetricSpec("it_power_accelerators_peak", "MW", "Accelerator power (peak)", "Accelerator boards at full load"),
    MetricSpec("grid_energy_unmatched", "MWh", "Grid energy not matched by PPAs", "Grid energy minus PPA energy"),
    MetricSpec("co2e_location_based", "t CO2e", "CO2e, location-based", "Scope 1 + Scope 2 location-based: grid energy "
               "x grid intensity + on-site combustion"),
    MetricSpec("co2e_market_based", "t CO2e", "CO2e, market-based", "Scope 1 + Scope 2 market-based: contracts, then "
               "the supplier's rate, then the grid average + on-site combustion"),
    MetricSpec("co2e_scope1", "t CO2e", "Scope 1: on-site combustion", "Fuel burnt on site (GHG Protocol Scope 1)"),
    MetricSpec("co2e_upstream_fuel", "t CO2e", "Upstream methane of on-site fuel", "Scope 3 category 3: methane "
               "leaked producing and moving the gas burnt on site (not in the Scope 1 + 2 totals)"),
    MetricSpec("co2e_scope2_location_based", "t CO2e", "Scope 2, location-based", "Grid energy x grid-average "
               "intensity (GHG Protocol Scope 2 Guidance)"),
    MetricSpec("co2e_scope2_market_based", "t CO2e", "Scope 2, market-based", "Grid energy by the Scope 2 hierarchy: "
               "contractual instruments, supplier rate, else grid average"),
    MetricSpec("co2e_grid", "t CO2e", "CO2e of grid electricity", "Location-based, grid part only"),
    MetricSpec("co2e_market_based_grid", "t CO2e", "CO2e of grid electricity, market-based",
               "Market-based, grid part only"),
    MetricSpec("co2e_onsite", "t CO2e", "CO2e of on-site combustion", "Heat rate x fuel emission factors"),
    MetricSpec("co2e_embodied", "t CO2e", "CO2e embodied in hardware", "Manufacturing, amortised over lifetime"),
    MetricSpec("nox_onsite", "t", "NOx from on-site combustion", "Fuel heat input x AP-42 factor at the plant's "
               "NOx control level (as NO2)"),
    MetricSpec("co_onsite", "t", "CO from on-site combustion", "Fuel heat input x AP-42 factor at the NOx control "
               "level"),
    MetricSpec("voc_onsite", "t", "VOC from on-site combustion", "Fuel heat input x AP-42 factor"),
    MetricSpec("pm25_onsite", "t", "PM2.5 from on-site combustion", "Fuel heat input x AP-42 factor (filterable + "
               "condensable)"),
    MetricSpec("so2_onsite", "t", "SO2 from on-site combustion", "Fuel heat input x AP-42 factor (pipeline gas)"),
    MetricSpec("hcho_onsite", "t", "Formaldehyde from on-site combustion", "Fuel heat input x AP-42 factor (the "
               "main hazardous air pollutant of gas turbines)"),
    MetricSpec("nox_grid", "t", "NOx from grid generation", "Grid energy x the grid's NOx output emission rate"),
    MetricSpec("so2_grid", "t", "SO2 from grid generation", "Grid energy x the grid's SO2 output emission rate"),
    MetricSpec("health_damages", "USD", "Health damages", "NOx, SO2 and PM2.5 emitted (on site and by the grid) x "
               "damage per tonne; population average, in the damage factors' dollar year"),
    MetricSpec("health_damages_onsite", "USD", "Health damages, on-site combustion", "On-site NOx, SO2, PM2.5 x "
               "damage per tonne"),
    MetricSpec("health_damages_grid", "USD", "Health damages, grid generation", "Grid NOx and SO2 x damage per "
               "tonne (no grid PM2.5 rate shipped)"),
    MetricSpec("premature_deaths", "", "Premature deaths", "NOx, SO2 and PM2.5 emitted x deaths per tonne, over the "
               "period; a population average, not a count of identified people"),
)
METRIC_BY_NAME = {m.name: m for m in METRICS}

#: Metrics of hourly runs only (``resolution: hourly``; pipeline/hourly.py), in ``--json`` under each scenario's
#: ``"hourly"``.  The scenario's own metrics are then the sums (or means, maxima) of its 8,760 hours.
HOURLY_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("cfe_share", "", "Carbon-free energy, hour by hour (24/7 CFE score)", "Share of the site's consumption "
               "matched in the same hour by carbon-free supply: PPA generation in that hour (at most the hour's grid "
               "energy) plus the grid's carbon-free share of the rest (Google 2021; Riepin & Brown)"),
    MetricSpec("cfe_share_annual", "", "Carbon-free energy, annual matching", "The same with the year's PPA energy "
               "matched against the year's consumption and the grid's mean carbon-free share: the view annual "
               "certificates and market-based CO2e give"),
    MetricSpec("pue_effective", "", "PUE, effective over the hours", "Facility energy / IT energy summed over hours"),
    MetricSpec("wue_effective", "L / kWh", "WUE, effective over the hours", "On-site water / IT energy summed over "
               "hours"),
    MetricSpec("water_onsite_peak_day", "m ** 3 / day", "On-site water on the worst day", "Largest daily sum of "
               "on-site water (UTC days)"),
    MetricSpec("co2e_scope2_location_based_annual", "t CO2e", "Scope 2, location-based, at the annual factor",
               "Grid energy x the scenario's annual grid intensity (what an annual run gives), beside the hourly sum"),
    MetricSpec("grid_intensity_min", "g CO2e / kWh", "Grid intensity, lowest hour", "Of the hourly profile, on the "
               "scenario's carbon basis"),
    MetricSpec("grid_intensity_mean", "g CO2e / kWh", "Grid intensity, mean of the hours", "Time average"),
    MetricSpec("grid_intensity_max", "g CO2e / kWh", "Grid intensity, highest hour", "Of the hourly profile"),
    MetricSpec("grid_cfe_share_mean", "", "Grid carbon-free share, mean of the hours", "Nuclear, hydro, wind, solar, "
               "geothermal, ocean (biomass and unknown fuels excluded)"),
)
HOURLY_METRIC_BY_NAME = {m.name: m for m in HOURLY_METRICS}
