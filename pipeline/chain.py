"""Wire the stages in order for a batch of scenarios.  No arithmetic lives here.

accelerators -> accelerator power (+ host) -> IT power -> facility power -> energy
-> supply split (grid / on-site / PPA) -> water (on-site, off-site) -> CO2e
(location-based, market-based, on-site combustion, embodied).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pint

from pipeline.results import Results
from pipeline.scenario import GroupArrays, Scenario, ScenarioArrays, load_scenario, resolve, to_arrays
from pipeline.stages import carbon, energy, power, water
from pipeline.stages.aggregate import scenario_total
from pipeline.uncertainty import DEFAULT_DRAWS, monte_carlo


def compute(scenarios: Scenario | str | Path | Iterable[Scenario | str | Path], draws: int | None = None,
            seed: int = 0) -> Results:
    """Compute every metric for one or many scenarios as one vectorised batch.

    Parameters
    ----------
    scenarios : Scenario, path, or an iterable of them
        Scenario objects or scenario YAML paths.
    draws : int, optional
        Monte Carlo draws per scenario.  Default: 10,000 when any scenario declares a range, else 0
        (deterministic).  With draws, each metric's value is the P50 and ``low``/``high`` the P5/P95;
        reference factors with published ranges join the draws.
    seed : int
        Seed of the draws (same seed, same numbers).

    Returns
    -------
    Results
        Metrics as pint Quantity arrays (one element per scenario), per-group breakdowns and
        the factors used.

    Examples
    --------
    >>> r = compute("inputs/colossus.yaml", draws=0)  # central values of the ranged inputs
    >>> r.metric("facility_power_peak", 0).to("MW")  # doctest: +ELLIPSIS
    <Quantity(153..., 'megawatt')>
    """
    items = [scenarios] if isinstance(scenarios, (Scenario, str, Path)) else list(scenarios)
    parsed = [s if isinstance(s, Scenario) else load_scenario(s) for s in items]
    resolved = [resolve(s) for s in parsed]
    sa, ga = to_arrays(resolved)
    central, group_metrics = compute_arrays(sa, ga)
    if draws is None:
        draws = DEFAULT_DRAWS if any(r.scenario.uncertain for r in resolved) else 0
    if draws > 0:
        low, metrics, high = monte_carlo(sa, ga, [r.uncertain for r in resolved], draws, seed)
    else:
        low = metrics = high = central
    return Results(resolved=resolved, metrics=metrics, groups=group_metrics, group_scenario=ga.scenario,
                   low=low, high=high, central=central, draws=draws, seed=seed, inputs=(sa, ga))


def compute_arrays(sa: ScenarioArrays, ga: GroupArrays) -> tuple[dict[str, pint.Quantity], dict[str, pint.Quantity]]:
    """Run the stage chain on column arrays; returns (scenario metrics, group metrics)."""
    n = len(sa)
    at = ga.scenario  # scenario index of each group
    u, period = sa.utilization[at], sa.period[at]

    acc_w = power.accelerator_power(ga.full_power, ga.idle_power, u)
    per_acc_w = power.server_power_per_accelerator(acc_w, ga.host_power)
    g_it_power = power.it_power(ga.count, per_acc_w)
    g_peak = power.it_power_peak(ga.count, ga.full_power, ga.host_power)
    g_time = energy.accelerator_time(ga.count, period, ga.accelerator_hours)
    g_it_energy = energy.it_energy(per_acc_w, g_time)
    g_embodied = carbon.co2e_embodied(g_time, ga.embodied, sa.lifetime[at])

    it_w = scenario_total(g_it_power.to("MW"), at, n)
    it_peak = scenario_total(g_peak.to("MW"), at, n)
    it_e = scenario_total(g_it_energy, at, n)
    facility_e = energy.facility_energy(it_e, sa.pue)
    grid_e = energy.grid_energy(facility_e, sa.onsite_share)
    onsite_e = energy.onsite_energy(facility_e, sa.onsite_share)
    ppa_e = energy.ppa_energy(grid_e, sa.ppa_share)

    w_onsite = water.water_onsite(it_e, sa.wue)
    w_grid = water.water_generation(grid_e, sa.grid_water_intensity)
    w_plant = water.water_generation(onsite_e, sa.onsite_water_intensity)
    w_offsite = water.water_offsite(w_grid, w_plant)

    co2_grid = carbon.co2e_from_energy(grid_e, sa.grid_intensity)
    co2_onsite = carbon.co2e_from_energy(onsite_e, sa.onsite_intensity)

    metrics = {
        "it_power": it_w,
        "it_power_peak": it_peak,
        "it_power_accelerators": scenario_total(power.it_power(ga.count, acc_w).to("MW"), at, n),
        "it_power_hosts": scenario_total(power.it_power(ga.count, ga.host_power).to("MW"), at, n),
        "facility_power": power.facility_power(it_w, sa.pue),
        "facility_power_peak": power.facility_power(it_peak, sa.pue),
        "it_energy": it_e,
        "energy": facility_e,
        "grid_energy": grid_e,
        "onsite_energy": onsite_e,
        "ppa_energy": ppa_e,
        "energy_per_day": energy.per_day(facility_e, sa.period),
        "water_onsite": w_onsite,
        "water_offsite": w_offsite,
        "water_offsite_grid": w_grid,
        "water_offsite_onsite_plant": w_plant,
        "water_total": water.water_total(w_onsite, w_offsite),
        "water_onsite_per_day": energy.per_day(w_onsite, sa.period),
        "water_offsite_per_day": energy.per_day(w_offsite, sa.period),
        "co2e_grid": co2_grid,
        "co2e_onsite": co2_onsite,
        "co2e_location_based": carbon.co2e_location_based(co2_grid, co2_onsite),
        "co2e_market_based": carbon.co2e_market_based(grid_e, sa.grid_intensity, ppa_e, sa.ppa_intensity, co2_onsite),
        "co2e_embodied": scenario_total(g_embodied, at, n),
        "nox_onsite": carbon.pollutant_mass(onsite_e, sa.onsite_nox),
    }
    groups = {
        "accelerator_power": acc_w,
        "it_power": g_it_power,
        "it_power_peak": g_peak,
        "accelerator_time": g_time,
        "it_energy": g_it_energy,
        "co2e_embodied": g_embodied,
    }
    return metrics, groups
