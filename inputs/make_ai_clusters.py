"""Build inputs/ai-clusters.csv (clusterprint batch input) from the compiled cluster list.

Usage (from the repo root):
    .venv/bin/python inputs/make_ai_clusters.py [SOURCE_CSV]

SOURCE_CSV defaults to ../shared/data/ai-clusters.csv relative to the repo root.
The conversion is deterministic: same source -> same output. Rules are documented in
inputs/ai-clusters.md. Clusters whose accelerator has no id in pipeline/data/accelerators.csv,
or whose accelerator count is not disclosed, are left out (printed with the reason).
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / ".." / "shared" / "data" / "ai-clusters.csv"
OUT = ROOT / "inputs" / "ai-clusters.csv"
#: Site addresses corrected here, so that the dataset and the scenario files tell one story.  Colossus 1 is the
#: former Electrolux plant between Paul R. Lowry Rd and Riverport Rd in Boxtown, Memphis (Protect Our Aquifer;
#: Daily Memphian, Jun 2024); its street address, as inputs/colossus.yaml gives it, is 3231 Paul R. Lowry Rd.
#: Epoch's record files it under Riverport Rd.
CITY_FIX = {"Memphis (3231 Riverport Rd)": "Memphis (3231 Paul R. Lowry Rd)"}
DATA = ROOT / "pipeline" / "data"

COLUMNS = [
    "name", "location", "accelerator", "count", "accelerator_hours", "power", "idle_power",
    "host_power", "utilization", "period", "pue", "wue", "grid", "grid_intensity",
    "grid_water_intensity", "onsite_technology", "onsite_share", "ppa_share",
    # extra columns, passed through to results
    "cluster_id", "operator", "country", "year", "status", "cooling", "reported_power_mw",
    "reported_water_m3_per_day", "assumed_fields", "source_url", "source_title", "attribution",
]
GROUP_FIELDS = {"accelerator", "count", "accelerator_hours", "power", "idle_power", "host_power"}

ATTRIBUTION = ("Epoch AI, Data on GPU Clusters and Frontier AI Data Centers (CC BY 4.0); "
               "eGRID2023 subregions from U.S. EPA Power Profiler; operator and press sources as listed")

# source accelerator name -> (clusterprint id, mapping is an assumption?)
ACCELERATORS = {
    "NVIDIA H100 SXM": ("h100-sxm", False),
    "NVIDIA H200 SXM": ("h200-sxm", False),
    "NVIDIA GB200 (Blackwell GPUs)": ("gb200-b200", False),     # source counts GPUs, not superchips
    "NVIDIA GB200 (Grace Blackwell)": ("gb200-b200", False),    # Mistral: "18,000 Blackwell GPUs"
    "NVIDIA GB300 (Blackwell Ultra GPUs)": ("b300", False),     # source counts GPUs, not superchips
    "NVIDIA Blackwell Ultra (GB300/B300 not specified)": ("b300", False),  # b300 covers both
    "NVIDIA A100 SXM": ("a100-sxm4", False),
    "NVIDIA A100": ("a100-sxm4", True),                         # form factor not stated
    "NVIDIA A100 (64 GB custom SXM)": ("a100-sxm4", True),      # custom 64 GB variant of A100 SXM
    "NVIDIA A100 PCIe 40GB": ("a100-pcie-40gb", False),
    "NVIDIA H100/H200 (split not disclosed)": ("h100-sxm", True),  # H100/H200 SXM: same 700 W TDP
    "AMD Instinct MI300X": ("mi300x", False),
    "AMD Instinct MI250X": ("mi250x", False),
    "Google TPU v4": ("tpu-v4", False),
    "Google TPU v5e": ("tpu-v5e", False),
    "NVIDIA H800": ("h800-sxm", False),                         # export variant of H100 SXM5
    "NVIDIA GH200 (Grace Hopper)": ("gh200", False),            # per superchip (CPU + GPU module)
    "Intel Data Center GPU Max 1550": ("intel-max-1550", False),
}

# non-US countries with a country row in grids.csv (ISO 3166-1 alpha-2, lowercase)
COUNTRY_GRIDS = {"China": "cn", "Germany": "de", "France": "fr", "United Kingdom": "gb",
                 "India": "in", "Ireland": "ie", "Japan": "jp", "Norway": "no", "Sweden": "se"}
US_UNKNOWN_GRID = "us-average"       # eGRID2023 US total (same basis as the subregion rows)
US_WATER = "3.1321 L/kWh"            # US, WRI method via EcoLogits (grids.csv id `us`)
WORLD_WATER = "3.91 L/kWh"           # world, same source (grids.csv id `world`)

# defaults by cooling type (documented in ai-clusters.md)
LIQUID = {"pue": "1.2", "wue": "1.8 L/kWh"}
AIR_OR_UNKNOWN = {"pue": "1.56", "wue": "1.8 L/kWh"}
#: Accelerators that only ship in liquid-cooled racks: a site of them is liquid-cooled even where the source
#: leaves `cooling` blank (NVIDIA GB200 NVL72 is a liquid-cooled, rack-scale system; NVIDIA product page).
LIQUID_BY_DESIGN = {"gb200-b200"}


def fmt_num(x) -> str:
    if pd.isna(x):
        return ""
    f = float(x)
    return str(int(f)) if f.is_integer() else repr(f)


def exclusion_reason(rows: pd.DataFrame) -> str | None:
    reasons = []
    for _, r in rows.iterrows():
        acc = str(r["accelerator"]) if pd.notna(r["accelerator"]) else ""
        if acc not in ACCELERATORS:
            if not acc or acc.startswith("not disclosed") or "not disclosed" in acc:
                reasons.append(f"accelerator not disclosed ({acc or 'blank'})")
            else:
                reasons.append(f"no accelerator id for '{acc}'")
        elif pd.isna(r["count"]):
            reasons.append(f"accelerator count not disclosed ({acc})")
    return "; ".join(dict.fromkeys(reasons)) or None


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    src = pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""])
    acc_ids = set(pd.read_csv(DATA / "accelerators.csv")["id"])
    grids = pd.read_csv(DATA / "grids.csv")
    mixes = pd.read_csv(DATA / "grid_mixes.csv")
    co2_grids = set(grids.loc[grids["parameter"] == "co2e_intensity", "id"])
    water_grids = set(grids.loc[grids["parameter"] == "water_intensity", "id"])
    mix_grids = set(mixes["grid"]) | set(grids.loc[grids["mix"].notna() & grids["mix"].isin(mixes["grid"]), "id"])

    out, left_out = [], []
    for cid, rows in src.groupby("cluster_id", sort=False):
        reason = exclusion_reason(rows)
        first = rows.iloc[0]
        if reason:
            left_out.append((cid, first["name"], reason))
            continue
        assumed = ["utilization", "period", "pue", "wue"]
        if any(ACCELERATORS[a][1] for a in rows["accelerator"]):
            assumed.insert(0, "accelerator")

        country = first["country"] if pd.notna(first["country"]) else ""
        if country == "United States":
            if pd.notna(first["grid_region"]):
                grid = "us-" + first["grid_region"].strip().lower()
            else:
                grid = US_UNKNOWN_GRID
                assumed.append("grid")
        elif country in COUNTRY_GRIDS:
            grid = COUNTRY_GRIDS[country]
        else:
            grid = "world"
            assumed.append("grid")
        if grid not in co2_grids:
            raise SystemExit(f"{cid}: grid {grid!r} has no co2e_intensity row in grids.csv")
        gwi = ""
        if grid not in water_grids and grid not in mix_grids:
            gwi = US_WATER if grid.startswith("us") else WORLD_WATER
            assumed.append("grid_water_intensity")

        cooling = first["cooling"] if pd.notna(first["cooling"]) else ""
        accs = {ACCELERATORS[acc][0] for acc in rows["accelerator"]}
        liquid = cooling == "liquid" or (cooling == "" and accs <= LIQUID_BY_DESIGN)
        defaults = LIQUID if liquid else AIR_OR_UNKNOWN
        parts = []
        city = CITY_FIX.get(first["city"], first["city"]) if pd.notna(first["city"]) else first["city"]
        for p in (city, first["region"], first["country"]):
            if pd.notna(p) and p not in parts:  # e.g. "Abu Dhabi, Abu Dhabi" -> once
                parts.append(p)
        location = ", ".join(parts) if parts else "not disclosed"
        if parts and pd.isna(first["city"]):
            location += " (site not disclosed)"

        # order assumed fields as in COLUMNS
        assumed_str = ";".join(sorted(set(assumed), key=COLUMNS.index))
        for _, r in rows.iterrows():
            acc_id = ACCELERATORS[r["accelerator"]][0]
            if acc_id not in acc_ids:
                raise SystemExit(f"{cid}: accelerator id {acc_id!r} not in accelerators.csv")
            out.append({
                "name": first["name"], "location": location, "accelerator": acc_id,
                "count": fmt_num(r["count"]), "accelerator_hours": "", "power": "",
                "idle_power": "", "host_power": "", "utilization": "0.8", "period": "1 year",
                "pue": defaults["pue"], "wue": defaults["wue"], "grid": grid, "grid_intensity": "",
                "grid_water_intensity": gwi, "onsite_technology": "", "onsite_share": "",
                "ppa_share": "", "cluster_id": cid,
                "operator": first["operator"] if pd.notna(first["operator"]) else "",
                "country": country, "year": fmt_num(first["year"]),
                "status": first["status"] if pd.notna(first["status"]) else "",
                "cooling": cooling,
                "reported_power_mw": fmt_num(first["reported_power_mw"]),
                "reported_water_m3_per_day": fmt_num(first["reported_water_m3_per_day"]),
                "assumed_fields": assumed_str,
                "source_url": first["source_url"] if pd.notna(first["source_url"]) else "",
                "source_title": first["source_title"] if pd.notna(first["source_title"]) else "",
                "attribution": ATTRIBUTION,
            })

    df = pd.DataFrame(out, columns=COLUMNS)
    # cluster-level fields must agree on every row of a cluster
    cluster_fields = [c for c in COLUMNS if c not in GROUP_FIELDS]
    bad = df.groupby("name")[cluster_fields].nunique(dropna=False).gt(1).any(axis=1)
    if bad.any():
        raise SystemExit(f"cluster-level fields differ within: {list(bad[bad].index)}")
    df.to_csv(OUT, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")

    print(f"wrote {OUT.relative_to(ROOT)}: {len(df)} rows, {df['name'].nunique()} clusters "
          f"(source: {src['cluster_id'].nunique()} clusters, {len(src)} rows)")
    print(f"left out {len(left_out)} clusters:")
    for cid, name, reason in left_out:
        print(f"  {cid} ({name}): {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
