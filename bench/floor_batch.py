"""The floor for `clusterprint batch`: read the same CSV with pandas, do the same arithmetic on bare
floats (units handled by hand, reference values as literals), write the same kind of CSV.

The synthetic dataset (``make_dataset`` in bench/__main__.py) has no on-site generation and no PPAs,
so their columns are zeros and the market-based figures equal the location-based ones.

Usage: python -m bench.floor_batch INPUT.csv OUTPUT.csv
"""

import sys

import numpy as np
import pandas as pd

# pipeline/data/accelerators.csv: tdp, idle_power, host_power [W]
TDP = {"h100-sxm": 700.0, "a100-sxm4": 400.0, "b200": 1000.0}
IDLE = {"h100-sxm": 70.0, "a100-sxm4": 50.0, "b200": 100.0}
HOST = {"h100-sxm": 575.0, "a100-sxm4": 412.5, "b200": 787.5}
# embodied [kg CO2e] per accelerator (accelerators.csv; no row for b200 -> NaN) plus its share of the host
# server, defaults.csv server_embodied / accelerators_per_server = 5700 / 8 = 712.5
EMBODIED = {"h100-sxm": 164.0 + 712.5, "a100-sxm4": 150.0 + 712.5}
LIFETIME_H = 4 * 8766.0  # defaults.csv hardware_lifetime, 4 (Julian) years
# grids.csv co2e_intensity [g CO2e/kWh]: us-srtv is 903.3 lb CO2e/MWh
GRID_G_PER_KWH = {"us-srtv": 903.3 * 0.45359237, "fr": 44.2, "de": 342.1}
# grids.csv water_intensity [L/kWh]; us-srtv has none and uses its mix (grid_mixes.csv us-tva: 0.43 nuclear,
# 0.24 coal, 0.23 gas, 0.1 hydro) times technologies.csv water_consumption [gal/MWh] (672, 687, 205, 4491)
GRID_L_PER_KWH = {"us-srtv": 3.5964818818605586, "fr": 3.67, "de": 1.95}


def main(src: str, dst: str) -> None:
    df = pd.read_csv(src)
    acc = df["accelerator"]
    full, idle, host = acc.map(TDP).to_numpy(), acc.map(IDLE).to_numpy(), acc.map(HOST).to_numpy()
    ci, cw = df["grid"].map(GRID_G_PER_KWH).to_numpy(), df["grid"].map(GRID_L_PER_KWH).to_numpy()
    n, u, hours = df["count"].to_numpy(float), df["utilization"].to_numpy(float), df["period [h]"].to_numpy(float)
    pue, wue = df["pue"].to_numpy(float), df["wue [L/kWh]"].to_numpy(float)
    acc_w = idle + u * (full - idle)
    it_w = n * (acc_w + host)
    peak_w = n * (full + host)
    host_w = n * host
    fac_w, fac_peak_w = it_w * pue, peak_w * pue
    it_mwh = it_w * hours / 1e6
    mwh = it_mwh * pue
    days = hours / 24
    zero = np.zeros(len(df))
    w_on, w_off = it_mwh * wue, mwh * cw
    co2 = mwh * ci / 1000  # MWh * g/kWh = kg
    out = pd.DataFrame({  # the same 30 metric columns, in the same order, as clusterprint's results.csv
        "name": df["name"],
        "it_power [MW]": it_w / 1e6, "it_power_peak [MW]": peak_w / 1e6,
        "it_power_accelerators [MW]": n * acc_w / 1e6, "it_power_hosts [MW]": host_w / 1e6,
        "facility_power [MW]": fac_w / 1e6, "facility_power_peak [MW]": fac_peak_w / 1e6,
        "it_energy [MWh]": it_mwh, "energy [MWh]": mwh, "grid_energy [MWh]": mwh, "onsite_energy [MWh]": zero,
        "ppa_energy [MWh]": zero, "energy_per_day [MWh / day]": mwh / days,
        "water_onsite [m ** 3]": w_on, "water_offsite [m ** 3]": w_off, "water_offsite_grid [m ** 3]": w_off,
        "water_offsite_onsite_plant [m ** 3]": zero, "water_total [m ** 3]": w_on + w_off,
        "water_onsite_per_day [m ** 3 / day]": w_on / days, "water_offsite_per_day [m ** 3 / day]": w_off / days,
        "facility_overhead_power [MW]": (fac_w - it_w) / 1e6,
        "facility_overhead_power_peak [MW]": (fac_peak_w - peak_w) / 1e6,
        "it_power_accelerators_peak [MW]": (peak_w - host_w) / 1e6, "grid_energy_unmatched [MWh]": mwh,
        "co2e_location_based [t CO2e]": co2, "co2e_market_based [t CO2e]": co2, "co2e_scope1 [t CO2e]": zero,
        "co2e_upstream_fuel [t CO2e]": zero,
        "co2e_scope2_location_based [t CO2e]": co2, "co2e_scope2_market_based [t CO2e]": co2, "co2e_grid [t CO2e]": co2,
        "co2e_market_based_grid [t CO2e]": co2, "co2e_onsite [t CO2e]": zero,
        "co2e_embodied [t CO2e]": n * hours / LIFETIME_H * acc.map(EMBODIED).to_numpy(dtype=float) / 1000,
        "nox_onsite [t]": zero,
        "grid_intensity_used [g CO2e / kWh]": ci, "grid_water_intensity_used [L / kWh]": cw,
    })
    out.to_csv(dst, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
