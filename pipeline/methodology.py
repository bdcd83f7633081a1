"""docs/methodology.md, generated from the same METHOD list the reports print.

``python -m pipeline.methodology > docs/methodology.md``; a test checks the file is current.
"""

from __future__ import annotations

from pipeline import reference as ref
from pipeline.report.model import METHOD

DEFINITIONS = """\
## Definitions we follow

- **PUE** (The Green Grid, WP#49): total facility energy / IT equipment energy. clusterprint multiplies IT
  power and energy by PUE; the peak facility power assumes the same ratio at peak.
- **WUE** (The Green Grid, WP#35): annual site water *consumed* / IT equipment energy, in L/kWh. clusterprint
  applies WUE to **IT** energy, not to facility energy.
- **Water consumption vs withdrawal**: water figures are consumption (evaporated or otherwise not returned),
  except `water_onsite_withdrawal`: the makeup water an evaporative cooling tower draws, consumption × C / (C − 1)
  at C cycles of concentration (blowdown B = E / (C − 1), McDonald 2003; C = 4, range 3–6, after EPA's "4 or 5
  cycles, or higher" for efficient towers; a scenario may give `cooling_cycles`). A utility's "gallons a day" is a
  withdrawal, so claims such as MLGW's are checked against it. The on-site power plant's water is on site
  (`water_onsite_plant`); off-site water is the grid's. Withdrawal of power plants is out of scope.
- **Off-site water**: energy × the water consumed per kWh generated (EWIF), following Li et al. (2023,
  "Making AI Less Thirsty"), for the grid electricity physically drawn. Hydropower's reservoir evaporation is
  counted by default (Macknick et al. 2012 median 4,491 US gal/MWh), which makes hydro-heavy grids water-intensive
  (41 % of SRTV's off-site water); `supply.hydro_evaporation: excluded` leaves it to the reservoirs' other uses
  (flood control, navigation, supply) and gives the lower bound. Only mix-derived water factors can be split; the
  rule used is printed with the factors.
- **Location-based and market-based CO2e** (GHG Protocol Scope 2 Guidance, 2015): location-based uses the
  average emission factor of the grid where electricity is drawn; market-based uses the factors of contractual
  instruments (PPAs, certificates: 0 g CO2e/kWh for renewables) and, for the rest, a residual factor. No residual
  mix is shipped: unmatched energy uses the grid average, which tends to understate market-based CO2e (printed as
  an assumption whenever a PPA is present). On-site combustion (Scope 1) is added to both.
- **Direct vs lifecycle factors, one basis at a time**: eGRID rates are *direct* (stack CO2, CH4, N2O at
  generation, no upstream, no transmission losses); Ember and IPCC AR5 technology factors are *lifecycle*
  (construction, fuel supply, decommissioning). A scenario's `carbon_basis` (`direct` or `lifecycle`) picks one;
  by default it is the basis its grid publishes (a generation mix defaults to lifecycle). A factor on the other
  basis is derived from the grid's generation mix (eGRID2023 resource mix for every eGRID subregion and the US,
  from EPA's Power Profiler data; Ember countries: 2021 generation from Our World in Data) × IPCC AR5 technology
  factors (lifecycle medians, or direct medians as used by Electricity Maps), printed as derived (`calc`). A grid
  with no mix shipped cannot change basis: that is a clear error. Every output states its basis (`carbon_basis` in `compute --json` and in each `comparison.json`
  variant); a comparison puts every variant on one basis: `--basis`, else the baseline's, else (when a variant
  cannot be put on the baseline's) the other one. Mix-derived lifecycle values use generic medians and can fall
  below a region's measured direct rate (SRTV: 386 lifecycle vs 410 direct g/kWh, because its coal fleet emits
  more than the AR5 median plant). On-site combustion is Scope 1 and always direct; its upstream methane is
  reported beside it (`co2e_upstream_fuel`).
- **CO2e** is a pint dimension of its own: `kg CO2e` cannot be added to plain `kg`. CH4 and N2O from on-site
  combustion are weighted by the GWP metric named in the scenario (`AR5GWP100` by default, as eGRID).
- **Uncertainty**: ranged inputs and reference factors with published ranges are drawn independently (inputs
  uniform or triangular as declared; reference factors two-piece uniform, half the draws on each side of the
  published median, so that a factor's P50 stays its published median however skewed its range: a
  triangular with the median as its mode would put the P50 of IPCC hydro, 1-24-2,200 g CO2e/kWh, near 660)
  in a seeded Monte Carlo,
  by inverse CDF from one uniform stream per input name: scenarios that share an input (compared variants,
  batch rows with the same range) share its draws (common random numbers). Results are P50 with P5–P95.
  Draws are evaluated in chunks of at most 10^6 rows × draws, so a ranged batch of any size runs in bounded
  memory.
- **One engine**: a YAML scenario, a batch row and a comparison variant go through the same code: every
  input field is declared once (`pipeline/fields.py`), each input becomes a row of one column-wise input
  table, and one resolution applies the rules and the reference defaults and records where each value
  came from. The same cluster gives the same numbers whichever way it is written.
"""

TIMELINE = """\
## Dated phases

- A scenario may give `timeline:`, a list of phases `{name, start, end, ...overrides}`. Each phase overrides
  whole top-level fields (`fleet`, `utilization`, `pue`, `wue`, `supply`, `health`, ...) of the scenario, which
  gives the defaults: the rule of `variants:` (one function, `pipeline/timeline.py` `merge`). A phase's
  `sources:` add to the scenario's citations of the fields it does not replace.
- **Dates.** `start` is the first day of a phase and `end` the first day after it (exclusive): a phase lasts
  `end - start` days of 24 h, and the next phase starts on the previous one's `end`. Phases must be in date order
  and contiguous (no overlap, no gap: a pause is a phase of its own), names unique; `period` comes from the
  dates and may not be given. Each problem is reported at its path (`timeline[1].start`); a problem of a
  top-level default shared by several phases is reported once, at its own path.
- **One batch.** Every phase is a row of the same input table, computed by the same chain, then folded into
  the scenario: energies, water, CO2e, pollutants, health damages and premature deaths are sums of the phases
  (without draws, the phase values printed add up exactly to the total); mean powers are time-weighted means
  (weights = days), which equals total energy / total hours; peak powers are the largest phase's; per-day
  figures are totals / total days. A timeline of one phase gives exactly the result of the same scenario with
  `period` = its days.
- **Draws.** With Monte Carlo draws the totals are formed draw by draw: every phase of a draw uses the same
  uniform number for an input of the same name (common random numbers), so an input ranged in several phases
  (say `supply.onsite.share`) is drawn as fully rank-correlated across them, a conservative (wide) choice for
  the totals' range. P5/P50/P95 are then taken of the totals; each phase's percentiles are its own, so the
  phases' P50s do not add up exactly to the total's P50.
- **What a timeline scenario shows as inputs**: the period of its dates, every phase's accelerator groups
  (labelled with the phase), utilization time-weighted, and PUE, WUE and supply shares as ratios of the
  totals (facility / IT energy, water on site / IT energy, on-site / facility energy, PPA / grid energy).
"""

HOURLY = """\
## Hourly runs

- `resolution: hourly` runs the same stage chain over the 8,760 hours of a year (`pipeline/hourly.py`): each
  scenario becomes 8,760 rows of one batch (hours x scenarios, chunked to 10^6 rows), each row standing for
  `period / 8,760` (a `period` of 8,760 h makes it one hour; `1 year` = 8,766 h stretches each by 0.07 %). The
  scenario's metrics are then the sums over hours of energies, water, CO2e, pollutants and damages, the time means
  of powers and per-day rates and the maxima of peaks, so an hourly run whose inputs do not vary equals the
  annual run. Ranged inputs are taken at their central values unless draws are asked for (`--draws N`,
  `compute(..., draws=N)`): then each draw is one possible world, every ranged input held at one value for the
  whole year and run over all 8,760 hours (hours x draws in chunks of at most 10^6 rows, so memory follows the
  chunk: ~1 GB whatever the number of draws), with the annual Monte Carlo's seeded streams, so flat profiles
  give the annual run's P5/P50/P95; the hourly-only metrics (CFE shares, effective PUE and WUE, the worst day's
  water) get their P5/P95 from the same draws, while monthly sums and hours stay at the central values and
  one-at-a-time sensitivities are not computed over the hours. Hourly runs within a timeline are refused for
  now, as are batch rows.
- **Grid by hour** (`supply.hourly: <profile id>`). Intensity in hour h = Σ share(h, i) × factor(i), with the
  technology factors of `technologies.csv` on the scenario's carbon basis (`co2e_intensity_direct`, IPCC AR5
  direct medians, for `direct`; `co2e_intensity`, IPCC AR5 lifecycle medians, for `lifecycle`) and
  `water_consumption` (Macknick et al. 2012) for water. Where no supplier rate is given, the market-based factor
  of uncovered grid energy is the same hourly grid average. The profiles (`pipeline/data/hourly/`) are EIA-930
  hourly net generation of four balancing authorities in 2023 (5 fuel groups, shares) and 2021 (8 fuels, MWh),
  converted by `scripts/make_hourly_profiles.py`: negative shares (storage charging netted into a group) are
  clipped to 0 and the hour renormalised; the 2023 files' "Renewable" group is split in the proportions of the
  subregion's eGRID2023 renewable mix, constant over the year. The profile's annual mean differs from the grid's
  published annual factor (eGRID counts a different footprint and its own plant data); both are reported:
  `co2e_scope2_location_based` (the sum of the hours) and, under `hourly`, `co2e_scope2_location_based_annual`
  (grid energy x the annual factor).
- **Weather-driven cooling** (`cooling: {type, climate}`). The on-site WUE of each hour comes from the site's
  weather through a model per cooling type (`pipeline/data/climate/cooling_models.csv`):
  - `evaporative-tower`: WUE = a3 Tw^3 + a2 Tw^2 + a1 Tw + a0 with Tw the wet-bulb temperature in degF
    (6e-5, -0.01, 0.61, -10.4; Li, Yang, Islam & Ren 2023, "Making AI Less Thirsty", arXiv:2304.03271, and their
    code), at least 0.05 L/kWh: about 0.8 L/kWh at 0 degC wet bulb, 2.6 at 10 degC, 4.0 at 21 degC. Li et al.
    multiply by S/(S-1) for blowdown (S = cycles of concentration); clusterprint counts the evaporation as
    consumption and leaves blowdown to withdrawal. Published annual WUEs of evaporatively cooled data centres
    span about 0.2-2.5 L/kWh (The Green Grid WP#35; Lei & Masanet 2022 give climate-specific ranges); a fit to
    one tower model, so treat hourly values as +-30 % (assumed).
  - `adiabatic`: dry coolers, with pads wetted above a dry-bulb set point of 24 degC (assumed; 18-30 degC): no
    water below it, the tower curve above it (an upper bound).
  - `dry`: closed loop to dry coolers or air-cooled chillers (e.g. direct-to-chip liquid with dry coolers): no
    water on site.
  PUE stays the scenario's (a weather-driven PUE is not modelled yet). The shipped climate `memphis-tmy3` is
  NREL's TMY3 for Memphis International Airport (WMO 723340), rolled from local standard time (UTC-6, hour
  ending) to UTC hour start; wet bulb from dry bulb and relative humidity by Stull 2011 (J. Appl. Meteor.
  Climatol. 50, 2267; +-1 degC), the humidity from the dew point by the Magnus formula (Alduchov & Eskridge 1996).
  A typical year is paired with the profile year's hours by UTC month, day and hour.
- **24/7 carbon-free energy.** `cfe_share` = Σ_h [min(PPA_h, grid_h) + CFE_grid,h × (grid_h - min(PPA_h,
  grid_h))] / Σ_h facility_h: Google's hourly CFE score ("24/7 Carbon-Free Energy: Methodologies and Metrics",
  2021), as in Riepin & Brown (Energy Strategy Reviews 54, 101488, 2024): contracted generation counts only in
  the hour it is generated and up to that hour's grid consumption (excess is not carried over); the grid's
  carbon-free share of the hour (nuclear, hydro, wind, solar, geothermal, ocean; not biomass or unknown fuels)
  covers the rest; on-site fossil generation is not carbon-free. PPA generation follows `supply.ppa.profile` (a
  shipped solar or wind shape, scaled to `supply.ppa.share` x the year's grid energy) or is flat.
  `cfe_share_annual` is the annual-matching view that certificates and market-based CO2e take: (PPA energy + the
  grid's mean carbon-free share x the rest) / facility energy. With a flat load and a flat contract the two are
  equal; a solar contract shows the gap.
- **Outputs.** `compute --json` adds `"hourly"` to each hourly scenario: the profile, climate and cooling ids,
  `cfe_share`, `cfe_share_annual`, `pue_effective`, `wue_effective`, `water_onsite_peak_day` (UTC days),
  the hourly grid intensity's min, mean and max, and 12 monthly sums (UTC months); `--hours` adds the 8,760
  hours. A report of an hourly run adds `hourly.csv` to its folder (one row per hour, UTC start as ISO 8601,
  columns `name [unit]`, 6 significant figures of each column's largest value) and a page of heat maps, hour of
  day x month, of the grid's carbon intensity and the site's cooling water: each cell is the mean of that hour
  over the month's days, on the site's local standard time (the climate file's UTC offset; no daylight saving).
"""

AIR = """\
## Air and health

- **On-site combustion.** Pollutant mass = electricity generated on site × heat rate × emission factor per unit of
  heat input (`combustion.csv`). Factors are US EPA AP-42 5th ed. §3.1 (Stationary Gas Turbines, April 2000):
  NOx 0.32 / 0.13 / 0.099 lb/MMBtu uncontrolled / water-steam injection / lean premix (dry low-NOx), CO 0.082 /
  0.030 / 0.015, VOC 0.0021, PM 0.0066 (all turbine PM counted as PM2.5), SO2 0.0034 (pipeline gas), formaldehyde
  0.00071. These were read in several agreeing transcriptions, not in the AP-42 PDF (status `secondary`).
  **SCR** is not an AP-42 row: it is 2 ppmvd NOx at 15 % O2 (range 2-2.5), converted with 40 CFR 60.4400 / Part 75
  Appendix F (1 ppm = 0.00368 lb/MMBtu for natural gas). SCR does not reduce CO. The control level is
  `supply.onsite.controls`; without it the technology's default (`onsite.csv`) applies and is printed as an
  assumption. Check: SELC's letter says 35 turbines at 2 ppm "would emit about 177 tons of NOx per year"; 35 ×
  15 MW for a year at 10,500 Btu/kWh and our SCR factor gives 178 short tons (`tests/test_air.py`).
- **Grid.** NOx and SO2 = grid energy × the subregion's eGRID2023 annual output emission rate (EPA's Power
  Profiler data file). These are averages over all generation; the plants that respond to a new load (marginal,
  e.g. EPA AVERT) can emit more or less. eGRID has no PM2.5 output rate, so grid PM2.5 is not counted, which
  understates grid damages. Grids given by an intensity or a mix have no pollutant rate: the metrics are absent
  and the gap is printed.
- **Health damages** use damages per tonne emitted (reduced-form models), not dispersion modelling; they are
  population averages of PM2.5-related harm (mostly premature mortality; ozone is not included).
  - Default for US grids (`health.csv` `us-egu`): US EPA benefit-per-ton for electricity generating units,
    emissions year 2016 (2015 dollars, 3 % discount rate, Krewski et al. 2009). EPA publishes these as national
    averages with no range here and no deaths per ton, so with this set `premature_deaths` is absent (printed).
  - At the Colossus site (`easiur-memphis-ground`, `easiur-memphis-stack150`): EASIUR (Heo et al. 2016) at the
    site's 36-km cell, from the grids NREL ships with REopt, at 2024 population and income. The turbines' plume
    is released near the ground in a populated area, so the ground-level value applies; for grid plants we follow
    REopt and use the 150 m stack value at the same cell, a proxy (TVA's plants lie across the valley). The range
    is the lowest and highest of the 3 × 3 cells around the site. Deaths per tonne = damage / EASIUR's value of a
    statistical life (8.6 million 2010 dollars), since EASIUR values PM2.5 mortality only.
  - Money is a pint dimension of its own (`USD`), expressed in one dollar year: every factor is converted with the
    CPI-U (`cpi.csv`) to the latest year listed (2023).
  - Premature deaths are statistical: the expected number across the exposed population over the period.
- **Permit caps** are claims of `kind: limit`, given in the permit's unit (short tons for US permits): the verdict
  is "under the limit" when even the modelled P95 is under the cap, "over the limit" when even the P5 is above,
  and "may exceed the limit" otherwise.
"""

OUT_OF_SCOPE = """\
## Out of scope (for now)

- Hourly or marginal grid intensity, and weather-driven WUE (the shared hourly data are staged for this).
- Batteries (e.g. Colossus's Megapacks) as a supply source: they shift energy in time; over a year they add
  their round-trip losses, which are not modelled.
- Transmission and distribution losses, water withdrawal, ozone and dispersion modelling, grid PM2.5, embodied impacts of
  buildings and network equipment, and the upstream CO2 of on-site natural gas (its upstream methane is
  modelled, as co2e_upstream_fuel).
- Embodied carbon of accelerators with no published figure: the metric is then absent, never zero.
"""

COMPARISON = """\
## How clusterprint differs from other tools

| Tool | What it does differently | clusterprint |
|---|---|---|
| CodeCarbon | Measures a running job; PUE defaults to 1.0, WUE to 0; applies WUE after PUE; falls back silently from API to region to world average | Estimates a whole fleet before or without running it; WUE applied to IT energy; a missing factor is an error or a printed assumption |
| Green Algorithms | n × TDP × usage × PUE for one job, no H100; no water, no market-based | Mixed fleets with idle/host power, water on and off site, location- and market-based CO2e |
| EcoLogits | Per LLM request; applies WUE to IT (server) energy, as clusterprint does (its current methodology, as reported in our accounting review; an older version's code read as applying it after PUE); no withdrawal, no air pollutants | Per cluster; off-site water uses facility energy once; cooling withdrawal from cycles of concentration |
| LLMCarbon | Training energy from FLOPs; embodied from die area × carbon per area, 5-year life | Energy from fleet power; embodied from published product footprints, 4-year life (3–5 as a range) |
| Epoch AI | Peak power = TDP × chips × 1.82 × PUE | Mean and peak power with idle and host power separated; claims checked against the model |
| ML CO2 Impact | TDP × hours × region intensity; no PUE | PUE always applied and printed |

None of these tools reports air pollutants or their health cost; clusterprint reports six on-site pollutants by NOx
control level, grid NOx and SO2, and health damages with their range (Han et al., arXiv:2412.06288, estimate the
public-health cost of US data centres at more than $20 billion a year by 2028 with reduced-form models).
"""


def defaults_markdown() -> str:
    """The shipped defaults (defaults.csv) as a table with their sources."""
    df = ref.table("defaults")
    lines = ["## Defaults and why", "", "| parameter | value | unit | range | status | source |", "|---|---|---|---|---|---|"]
    for _, r in df.iterrows():
        rng = "" if r.isna()["low"] else f"{r['low']:g}–{r['high']:g}"
        unit = "" if str(r["unit"]) == "dimensionless" else r["unit"]
        lines.append(f"| `{r['parameter']}` | {r['value']:g} | {unit} | {rng} | {r['status']} | {r['source']} |")
    lines += ["", "Accelerator power defaults (TDP, idle, host power per accelerator) live in `accelerators.csv`; where "
              "no measured idle figure exists, idle power is assumed to be 10 % of TDP (status `assumed`, printed).", ""]
    return "\n".join(lines)


def methodology_markdown() -> str:
    """The whole methodology document."""
    stages = ["## Stages", "", "The stages run in this order; each is a pure, unit-checked, vectorised function "
              "(`pipeline/stages/`). The report's method section prints the same list.", ""]
    for i, (stage, formula, text) in enumerate(METHOD, 1):
        stages += [f"{i}. **{stage}.** `{formula}`  ", f"   {text}", ""]
    return "\n".join([
        "# clusterprint methodology", "",
        "How clusterprint turns an accelerator fleet into power, energy, water and CO2e. Generated by "
        "`python -m pipeline.methodology` from the code that the reports use.", "",
        *stages, DEFINITIONS, TIMELINE, HOURLY, AIR, defaults_markdown(), OUT_OF_SCOPE, COMPARISON,
    ])


if __name__ == "__main__":
    import sys

    sys.stdout.write(methodology_markdown())
