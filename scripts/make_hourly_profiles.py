"""Convert the staged EIA-930 hourly fuel mixes and the Memphis TMY3 weather into the shipped hourly data.

Run from the repository root (the inputs are described in ``../shared/data/README.md``)::

    python scripts/make_hourly_profiles.py [--shared ../shared/data]

Writes
------
``pipeline/data/hourly/<id>.csv``
    One grid profile per id: 8,760 rows, ``hour`` (start of the hour, UTC, ISO 8601) and one column per
    technology id of ``pipeline/data/technologies.csv``, the share of the hour's net generation (0..1, each
    row sums to 1).
``pipeline/data/hourly/<ba>-<year>-solar.csv`` / ``-wind.csv``
    Generation shapes for PPAs: ``hour`` and ``share_of_year`` (the hour's share of the year's generation of
    that technology in that balancing authority; sums to 1).
``pipeline/data/hourly/index.csv``
    One row per id: kind, name, year, balancing authority, source, licence, notes.
``pipeline/data/climate/memphis-tmy3.csv``
    The Memphis TMY3 year rolled to UTC: ``hour`` (``MM-DDTHH:00Z``, start of the hour), dry-bulb, dew point,
    relative humidity, station pressure and the derived wet-bulb temperature (Stull 2011).

Conversion rules (also in pipeline/data/README.md):

* **Negative shares** (pumped storage or batteries charging, netted into a fuel group by EIA-930) are
  clipped to zero and each hour renormalised to sum to 1.  The 2021 MWh files have none.
* **The 'Renewable' group** of the 2023 share files (hydro incl. pumped storage + solar + wind + other) is
  split into technologies in the proportions of the non-fossil, non-nuclear part of the balancing
  authority's eGRID2023 subregion resource mix (``pipeline/data/grid_mixes.csv``: TVA -> us-srtv, CISO ->
  us-camx, ERCO -> us-erct, PJM -> us-rfce + us-rfcw), constant over the year: a single blended factor per
  profile, as the staged data allow no better.
* **'other'** of the 2021 MWh files maps to technology ``other`` (unknown fuels, counted as fossil).
* **Time**: the grid files are labelled in UTC; the label is read as the start of the hour (the README's
  alignment check: TVA, PJM and CISO look hour-start; ERCO and ISNE may be hour-end, +-1 h).  The TMY3 file
  is in local standard time (UTC-6), hour ending 1..24: hour-ending ``h`` local is the UTC hour starting at
  ``h - 1 + 6``; the last 6 hours of 31 December wrap to the start of the (typical) year.
* **Sweden (SE-2021)** is not shipped: its ENTSO-E licence for this data item is unconfirmed.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "pipeline" / "data" / "hourly"
CLIMATE = ROOT / "pipeline" / "data" / "climate"

EIA = "U.S. Energy Information Administration, Form EIA-930 Hourly Electric Grid Monitor"
SHARE_SOURCE = (f"{EIA}, as cleaned by CarbonCast (Maji et al.), via Ren-Research/Health-Impact-Predictor "
                "data/{ba}_dataset.csv @ fad44b4b7b549c8bd140180e4f92d86e2f5b05dc (Liu, Wu, Li, Ren, 'Predicting "
                "Public Health Impacts of Electricity Usage', NeurIPS 2025 workshop)")
SHARE_LICENCE = ("EIA data: US federal work, public domain (Source: U.S. Energy Information Administration); "
                 "repository MIT (c) 2025 Ren-Research, notice in licenses/MIT-Ren-Research-Health-Impact-Predictor.txt")
MWH_SOURCE = (f"{EIA}, as cleaned by Maji, Sitaraman, Shenoy, 'DACF: Day-ahead Carbon Intensity Forecasting of Power "
              "Grids using Machine Learning', ACM e-Energy 2022: carbonfirst/DACF data/{ba}/{ba}.csv @ "
              "75640250d7c8c2d60512e730a18d63f0bbfed971 (trimmed to 2021; modified: converted to shares)")
MWH_LICENCE = ("EIA data: US federal work, public domain (Source: U.S. Energy Information Administration); "
               "repository Apache-2.0, licenses/Apache-2.0-carbonfirst-DACF.txt (modified files)")

#: Balancing authority -> eGRID2023 subregion(s) whose renewable proportions split the 'Renewable' group.
EGRID_OF = {"TVA": ("us-srtv",), "CISO": ("us-camx",), "ERCO": ("us-erct",), "PJM": ("us-rfce", "us-rfcw")}
#: Technologies that can be in the EIA-930 'Renewable' group (hydro, solar, wind, other incl. biomass, geothermal).
RENEWABLE_PARTS = ("hydro", "wind", "solar", "biomass", "geothermal", "other")
SHARE_COLUMNS = {"Coal_percentage": "coal", "Natural_Gas_percentage": "gas", "Nuclear_percentage": "nuclear",
                 "Oil_percentage": "oil"}
MWH_COLUMNS = {"coal": "coal", "nat_gas": "gas", "nuclear": "nuclear", "oil": "oil", "hydro": "hydro",
               "solar": "solar", "wind": "wind", "other": "other"}
ORDER = ("coal", "gas", "oil", "nuclear", "hydro", "wind", "solar", "biomass", "geothermal", "other")


def _hours(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", periods=8760, freq="h", tz="UTC")


def _normalised(shares: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Negative shares clipped to zero, each row renormalised to sum to 1; also the number clipped."""
    negative = int((shares < 0).to_numpy().sum())
    clipped = shares.clip(lower=0.0)
    return clipped.div(clipped.sum(axis=1), axis=0), negative


def _write(df: pd.DataFrame, hours: pd.DatetimeIndex, path: Path, digits: int = 6) -> None:
    out = df.round(digits)
    out.insert(0, "hour", hours.strftime("%Y-%m-%dT%H:00Z"))
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, lineterminator="\n")


def renewable_split(ba: str) -> dict[str, float]:
    """Proportions of the 'Renewable' group by technology, from the eGRID2023 subregion mix(es)."""
    mixes = pd.read_csv(ROOT / "pipeline" / "data" / "grid_mixes.csv")
    rows = mixes[mixes["grid"].isin(EGRID_OF[ba]) & mixes["technology"].isin(RENEWABLE_PARTS)]
    by_tech = rows.groupby("technology")["share"].sum()
    return (by_tech / by_tech.sum()).to_dict()


def share_profile(src: Path, ba: str) -> tuple[pd.DataFrame, int, dict[str, float]]:
    raw = pd.read_csv(src)
    assert len(raw) == 8760, (src, len(raw))
    pct = raw.drop(columns="period").apply(lambda c: c.str.rstrip("%").astype(float) / 100)
    grouped = pct.rename(columns={**SHARE_COLUMNS, "Renewable_percentage": "renewable"})
    clean, negative = _normalised(grouped)
    split = renewable_split(ba)
    for tech, part in split.items():
        clean[tech] = clean.get(tech, 0.0) + clean["renewable"] * part
    clean = clean.drop(columns="renewable")
    hours = pd.to_datetime(raw["period"], format="%Y-%m-%dT%H", utc=True)
    assert (hours.diff().dropna() == pd.Timedelta(hours=1)).all(), src
    return clean[[t for t in ORDER if t in clean]], negative, split


def mwh_profile(src: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.read_csv(src)
    assert len(raw) == 8760, (src, len(raw))
    mwh = raw.drop(columns="UTC time").rename(columns=MWH_COLUMNS).astype(float)
    assert (mwh >= 0).all().all(), src
    shares, _ = _normalised(mwh)
    return shares[[t for t in ORDER if t in shares]], mwh


# --------------------------------------------------------------------------- weather


def relative_humidity(dry_bulb: np.ndarray, dew_point: np.ndarray) -> np.ndarray:
    """RH [%] from dry-bulb and dew point [degC]: Magnus formula over water, coefficients of Alduchov &
    Eskridge 1996 (J. Appl. Meteor. 35, 601-609): e_s(T) = 6.1094 exp(17.625 T / (T + 243.04))."""
    def es(t: np.ndarray) -> np.ndarray:
        return 6.1094 * np.exp(17.625 * t / (t + 243.04))
    return 100.0 * es(dew_point) / es(dry_bulb)


def wet_bulb_stull(dry_bulb: np.ndarray, rh: np.ndarray) -> np.ndarray:
    """Wet-bulb temperature [degC] from dry-bulb [degC] and RH [%]: Stull 2011, 'Wet-Bulb Temperature from
    Relative Humidity and Air Temperature', J. Appl. Meteor. Climatol. 50, 2267-2269, eq. 1 (valid for RH 5-99 %,
    T -20..50 degC at standard sea-level pressure; error -1..+0.65 degC)."""
    t, r = dry_bulb, rh
    return (t * np.arctan(0.151977 * np.sqrt(r + 8.313659)) + np.arctan(t + r) - np.arctan(r - 1.676331)
            + 0.00391838 * r ** 1.5 * np.arctan(0.023101 * r) - 4.686035)


def climate(src: Path) -> pd.DataFrame:
    meta = src.read_text().splitlines()[0].split(",")
    assert meta[0] == "723340" and int(meta[3]) == -6, meta
    raw = pd.read_csv(src, skiprows=1)
    raw.columns = ["date", "time", "dry_bulb", "dew_point", "rh", "pressure", "wind"]
    assert len(raw) == 8760
    hour_ending = raw["time"].str.split(":").str[0].astype(int)
    md = pd.to_datetime(raw["date"], format="%m/%d/%Y")
    # the local (UTC-6) hour ending h starts at h - 1 local = h + 5 UTC; on a typical non-leap year 2001
    start = pd.to_datetime({"year": 2001, "month": md.dt.month, "day": md.dt.day}) + pd.to_timedelta(
        hour_ending - 1 + 6, unit="h")
    index = ((start - pd.Timestamp("2001-01-01")) // pd.Timedelta(hours=1)) % 8760
    out = pd.DataFrame({"dry_bulb_c": raw["dry_bulb"].astype(float), "dew_point_c": raw["dew_point"].astype(float),
                        "rh_pct": raw["rh"].astype(float), "pressure_mbar": raw["pressure"].astype(float)})
    out.index = index.to_numpy()
    out = out.sort_index()
    assert (out.index == np.arange(8760)).all()
    rh = np.clip(relative_humidity(out["dry_bulb_c"].to_numpy(), out["dew_point_c"].to_numpy()), 5, 99)
    out["wet_bulb_c"] = np.minimum(wet_bulb_stull(out["dry_bulb_c"].to_numpy(), rh), out["dry_bulb_c"].to_numpy())
    hours = pd.date_range("2001-01-01", periods=8760, freq="h")
    out.insert(0, "hour", hours.strftime("%m-%dT%H:00Z"))
    return out.round({"wet_bulb_c": 2})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"), help="folder of the staged data")
    args = ap.parse_args()
    grid = Path(args.shared) / "grid-hourly"
    index = []
    for ba in ("TVA", "CISO", "ERCO", "PJM"):
        shares, negative, split = share_profile(grid / f"{ba}-2023-fuel-share.csv", ba)
        pid = f"{ba.lower()}-2023"
        _write(shares, _hours(2023), OUT / f"{pid}.csv")
        split_text = ", ".join(f"{t} {s:.1%}" for t, s in sorted(split.items(), key=lambda x: -x[1]))
        index.append({"id": pid, "kind": "grid-mix", "name": f"{ba} 2023 hourly generation mix", "year": 2023,
                      "balancing_authority": ba, "source": SHARE_SOURCE.format(ba=ba), "licence": SHARE_LICENCE,
                      "note": f"hourly net-generation shares of 5 EIA-930 fuel groups; {negative} negative shares clipped "
                      f"to 0 and the hour renormalised; the 'Renewable' group split as the eGRID2023 subregion(s) "
                      f"{'+'.join(EGRID_OF[ba])} renewables ({split_text}); hour-start UTC labels"})
        print(f"{pid}: {negative} negative shares clipped; renewable split {split_text}")
    for ba in ("CISO", "ERCO", "PJM", "ISNE"):
        shares, mwh = mwh_profile(grid / f"{ba}-2021.csv")
        pid = f"{ba.lower()}-2021"
        _write(shares, _hours(2021), OUT / f"{pid}.csv")
        total = mwh.to_numpy().sum()
        index.append({"id": pid, "kind": "grid-mix", "name": f"{ba} 2021 hourly generation mix", "year": 2021,
                      "balancing_authority": ba, "source": MWH_SOURCE.format(ba=ba), "licence": MWH_LICENCE,
                      "note": f"hourly net generation by fuel ({total / 1e6:,.0f} TWh in 2021) converted to shares; "
                      "'other' counted as technology other; hour labels UTC (ERCO and ISNE may be hour-end)"})
        for tech in ("solar", "wind"):
            if tech in mwh and mwh[tech].sum() > 0.01 * total:
                shape = (mwh[tech] / mwh[tech].sum()).to_frame("share_of_year")
                sid = f"{ba.lower()}-2021-{tech}"
                _write(shape, _hours(2021), OUT / f"{sid}.csv", digits=9)
                index.append({"id": sid, "kind": "generation-shape", "name": f"{ba} 2021 {tech} generation shape",
                              "year": 2021, "balancing_authority": ba, "source": MWH_SOURCE.format(ba=ba),
                              "licence": MWH_LICENCE, "note": f"the hour's share of {ba}'s 2021 {tech} generation "
                              f"({mwh[tech].sum() / 1e6:,.1f} TWh); a PPA shape (supply.ppa.profile)"})
        print(f"{pid}: {total / 1e6:,.1f} TWh")
    pd.DataFrame(index).to_csv(OUT / "index.csv", index=False, lineterminator="\n")
    weather = climate(Path(args.shared) / "weather" / "memphis-tmy3-723340.csv")
    CLIMATE.mkdir(parents=True, exist_ok=True)
    weather.to_csv(CLIMATE / "memphis-tmy3.csv", index=False, lineterminator="\n")
    pd.DataFrame([{
        "id": "memphis-tmy3", "name": "Memphis International Airport, TN (WMO 723340), typical meteorological year",
        "latitude": 35.067, "longitude": -89.983, "elevation_m": 81, "utc_offset_h": -6,
        "source": "NREL National Solar Radiation Database 1991-2005 update, TMY3 (Wilcox & Marion 2008, Users Manual "
                  "for TMY3 Data Sets, NREL/TP-581-43156), via haisummers/TMY3 723340TYA.CSV @ "
                  "05021298ed2f6c6598f8e366e52266a49505f3b4 (checked against NREL/resstock's EPW)",
        "licence": "NREL/DOE public data, free of charge; credit NREL/DOE",
        "note": "months from different real years (Jan 1996 ... Dec 1978); rolled from local standard time (UTC-6, "
                "hour ending) to UTC hour start; wet bulb derived by Stull 2011 from dry bulb and RH (Magnus, "
                "Alduchov & Eskridge 1996, from the dew point), RH clipped to 5-99 %",
    }]).to_csv(CLIMATE / "index.csv", index=False, lineterminator="\n")
    jan, jul = weather.iloc[:744], weather.iloc[4344:5088]
    print(f"memphis-tmy3: wet bulb Jan mean {jan['wet_bulb_c'].mean():.1f} C, Jul mean {jul['wet_bulb_c'].mean():.1f} C, "
          f"max {weather['wet_bulb_c'].max():.1f} C")
    assert math.isclose(jul["dry_bulb_c"].mean(), 28.3, abs_tol=0.3)


if __name__ == "__main__":
    main()
