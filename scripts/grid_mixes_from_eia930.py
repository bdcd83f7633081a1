"""Annual generation mixes of US balancing authorities from hourly EIA-930 data (2021).

Reads ``../shared/data/grid-hourly/{BA}-2021.csv`` (hourly MW by fuel, EIA Form 930 as cleaned by
the DACF authors, carbonfirst/DACF @75640250, Apache-2.0) and writes the annual shares into
``pipeline/data/grid_mixes.csv`` as grids ``ba-<ba>-2021``, replacing earlier rows of those grids.
The ``other`` fuel group has no technology factor: it is left out and the shares renormalised (the
note of each row says how much was left out).

Usage: python scripts/grid_mixes_from_eia930.py [path/to/grid-hourly]
"""

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FUELS = {"coal": "coal", "nat_gas": "gas", "nuclear": "nuclear", "oil": "oil", "hydro": "hydro", "solar": "solar",
         "wind": "wind"}
SOURCE = ("US EIA Form EIA-930 hourly net generation by fuel, 2021, as cleaned in carbonfirst/DACF "
          "(Maji, Sitaraman, Shenoy, ACM e-Energy 2022), data/{ba}/{ba}.csv @75640250")
LICENCE = "EIA data public domain; DACF repository Apache-2.0 (licenses/Apache-2.0-carbonfirst-DACF.txt)"


def main(folder: Path) -> None:
    out = ROOT / "pipeline" / "data" / "grid_mixes.csv"
    mixes = pd.read_csv(out, dtype=str, keep_default_na=False)
    rows = []
    for ba in ("CISO", "ERCO", "PJM", "ISNE"):
        df = pd.read_csv(folder / f"{ba}-2021.csv")
        totals = df.drop(columns=["UTC time"]).sum()
        other = float(totals.get("other", 0.0) / totals.sum())
        kept = totals[[c for c in totals.index if c in FUELS]]
        shares = kept / kept.sum()
        grid = f"ba-{ba.lower()}-2021"
        for fuel, share in shares.items():
            rows.append({"grid": grid, "technology": FUELS[fuel], "share": f"{share:.4f}", "year": "2021",
                         "status": "calc", "source": SOURCE.format(ba=ba), "licence": LICENCE,
                         "note": f"calc: annual MWh share of {ba} net generation 2021 ({totals.sum() / 1e6:,.1f} TWh); "
                                 f"'other' ({other:.1%}) left out and shares renormalised"})
    new = pd.DataFrame(rows)
    # make the rounded shares of each grid sum to exactly 1 by adjusting the largest share
    for _grid, g in new.groupby("grid"):
        gap = 1 - g["share"].astype(float).sum()
        idx = g["share"].astype(float).idxmax()
        new.loc[idx, "share"] = f"{float(new.loc[idx, 'share']) + gap:.4f}"
    mixes = pd.concat([mixes[~mixes["grid"].isin(new["grid"])], new], ignore_index=True)
    mixes.to_csv(out, index=False)
    print(f"wrote {len(new)} rows for {new['grid'].nunique()} grids to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "grid-hourly")
