"""Wire the stages in order for a batch of scenarios.  No arithmetic lives here.

accelerators -> accelerator power (+ host) -> IT power -> facility power -> energy
-> supply split (grid / on-site / PPA) -> water (on-site, off-site) -> CO2e
(location-based, market-based, on-site combustion, embodied).
"""

from __future__ import annotations

import numpy as np
import pint

from pipeline.inputs import POLLUTANTS, GroupArrays, ScenarioArrays
from pipeline.stages import air, carbon, energy, power, water
from pipeline.stages.aggregate import scenario_total
from pipeline.units import Q_

__all__ = ["compute_arrays"]


def compute_arrays(sa: ScenarioArrays, ga: GroupArrays) -> tuple[dict[str, pint.Quantity], dict[str, pint.Quantity]]:
    """Run the stage chain on column arrays; returns (scenario metrics, group metrics)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # NaN marks what does not apply;
        return _chain(sa, ga)  # an overflow is reported by the caller (pipeline.api), never written


def _chain(sa: ScenarioArrays, ga: GroupArrays) -> tuple[dict[str, pint.Quantity], dict[str, pint.Quantity]]:
    n = len(sa)
    of = ga.scenario  # scenario index of each group
    utilization, period = sa.utilization[of], sa.period[of]

    board = power.accelerator_power(ga.full_power, ga.idle_power, utilization)
    server = power.server_power_per_accelerator(board, ga.host_power)
    group_it = power.it_power(ga.count, server)
    host_peak = power.host_power_peak(ga.host_power, ga.host_power_nameplate)
    group_peak = power.it_power_peak(ga.count, ga.full_power, host_peak)
    group_time = energy.accelerator_time(ga.count, period, ga.accelerator_hours)
    group_it_energy = energy.it_energy(server, group_time)
    per_accelerator = carbon.embodied_per_accelerator(ga.embodied, sa.server_embodied[of],
                                                      sa.accelerators_per_server[of])
    group_embodied = carbon.co2e_embodied(group_time, per_accelerator, sa.lifetime[of])

    it = scenario_total(group_it.to("MW"), of, n)
    it_peak = scenario_total(group_peak.to("MW"), of, n)
    hosts = scenario_total(power.it_power(ga.count, ga.host_power).to("MW"), of, n)
    hosts_peak = scenario_total(power.it_power(ga.count, host_peak).to("MW"), of, n)
    it_e = scenario_total(group_it_energy, of, n)
    facility = power.facility_power(it, sa.pue)
    facility_peak = power.facility_power(it_peak, sa.pue)
    facility_e = energy.facility_energy(it_e, sa.pue)
    grid_e = energy.grid_energy(facility_e, sa.onsite_share)
    onsite_e = energy.onsite_energy(facility_e, sa.onsite_share)
    ppa_e = energy.ppa_energy(grid_e, sa.ppa_share)

    w_onsite = water.water_onsite(it_e, sa.wue)
    w_grid = water.water_generation(grid_e, sa.grid_water_intensity)
    w_plant = water.water_generation(onsite_e, sa.onsite_water_intensity)
    w_withdrawn = water.water_withdrawal(w_onsite, sa.cooling_cycles)

    onsite_intensity = carbon.combustion_intensity(sa.onsite_heat_rate, sa.onsite_co2_per_heat, sa.onsite_ch4_per_heat,
                                                   sa.onsite_n2o_per_heat, sa.gwp_ch4, sa.gwp_n2o)
    co2_grid = carbon.co2e_from_energy(grid_e, sa.grid_intensity)
    co2_onsite = carbon.co2e_from_energy(onsite_e, onsite_intensity)
    co2_market_grid = carbon.co2e_market_based_grid(grid_e, sa.residual_intensity, ppa_e, sa.ppa_intensity)

    metrics = {
        "it_power": it,
        "it_power_peak": it_peak,
        "it_power_accelerators": scenario_total(power.it_power(ga.count, board).to("MW"), of, n),
        "it_power_accelerators_peak": power.facility_overhead_power(it_peak, hosts_peak),
        "it_power_hosts": hosts,
        "facility_power": facility,
        "facility_power_peak": facility_peak,
        "facility_overhead_power": power.facility_overhead_power(facility, it),
        "facility_overhead_power_peak": power.facility_overhead_power(facility_peak, it_peak),
        "it_energy": it_e,
        "energy": facility_e,
        "grid_energy": grid_e,
        "onsite_energy": onsite_e,
        "ppa_energy": ppa_e,
        "grid_energy_unmatched": energy.grid_energy_unmatched(grid_e, ppa_e),
        "energy_per_day": energy.per_day(facility_e, sa.period),
        "water_onsite": w_onsite,
        "water_offsite": w_grid,
        "water_onsite_plant": w_plant,
        "water_total": water.water_total(w_onsite, w_plant, w_grid),
        "water_onsite_per_day": energy.per_day(w_onsite, sa.period),
        "water_offsite_per_day": energy.per_day(w_grid, sa.period),
        "water_onsite_withdrawal": w_withdrawn,
        "water_onsite_withdrawal_per_day": energy.per_day(w_withdrawn, sa.period),
        "co2e_grid": co2_grid,
        "co2e_market_based_grid": co2_market_grid,
        "co2e_onsite": co2_onsite,
        "co2e_location_based": carbon.co2e_location_based(co2_grid, co2_onsite),
        "co2e_market_based": carbon.co2e_market_based(co2_market_grid, co2_onsite),
        "co2e_scope1": co2_onsite,
        "co2e_upstream_fuel": carbon.co2e_upstream_fuel(onsite_e, sa.onsite_heat_rate, sa.onsite_upstream_ch4_per_heat,
                                                        sa.gwp_ch4),
        "co2e_scope2_location_based": co2_grid,
        "co2e_scope2_market_based": co2_market_grid,
        "co2e_embodied": scenario_total(group_embodied, of, n),
    }
    for k in POLLUTANTS:
        metrics[f"{k}_onsite"] = air.pollutant_from_fuel(onsite_e, sa.onsite_heat_rate, getattr(sa, f"onsite_{k}_per_heat"))
    metrics["nox_grid"] = air.pollutant_from_grid(grid_e, sa.grid_nox_rate)
    metrics["so2_grid"] = air.pollutant_from_grid(grid_e, sa.grid_so2_rate)
    no_pm = Q_(np.zeros(n), "t")  # grid PM2.5: eGRID publishes no PM output rate, so none is counted
    onsite_air = (metrics["nox_onsite"], metrics["so2_onsite"], metrics["pm25_onsite"])
    grid_air = (metrics["nox_grid"], metrics["so2_grid"], no_pm)
    metrics["health_damages_onsite"] = air.health_damages(*onsite_air, sa.damage_nox_onsite, sa.damage_so2_onsite,
                                                          sa.damage_pm25_onsite)
    metrics["health_damages_grid"] = air.health_damages(*grid_air, sa.damage_nox_grid, sa.damage_so2_grid,
                                                        sa.damage_pm25_grid)
    metrics["health_damages"] = metrics["health_damages_onsite"] + metrics["health_damages_grid"]
    metrics["premature_deaths"] = (air.premature_deaths(*onsite_air, sa.deaths_nox_onsite, sa.deaths_so2_onsite,
                                                        sa.deaths_pm25_onsite)
                                   + air.premature_deaths(*grid_air, sa.deaths_nox_grid, sa.deaths_so2_grid,
                                                          sa.deaths_pm25_grid))
    groups = {
        "accelerator_power": board,
        "it_power": group_it,
        "it_power_peak": group_peak,
        "accelerator_time": group_time,
        "it_energy": group_it_energy,
        "co2e_embodied": group_embodied,
    }
    return metrics, groups
