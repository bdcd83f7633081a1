"""Reader of the shipped hourly data: grid generation-mix profiles, PPA generation shapes, climates, cooling models.

Files (built by ``scripts/make_hourly_profiles.py``; described in ``pipeline/data/README.md``):

* ``pipeline/data/hourly/index.csv`` and ``<id>.csv``: a grid profile (``kind = grid-mix``) is 8,760 hours
  (UTC, hour start) of generation shares by technology id of ``technologies.csv``; a generation shape
  (``kind = generation-shape``) is each hour's share of a year's solar or wind generation.
* ``pipeline/data/climate/index.csv`` and ``<id>.csv``: 8,760 hours of a typical year in UTC: dry bulb, dew
  point, relative humidity, station pressure, wet bulb.
* ``pipeline/data/climate/cooling_models.csv``: the parameters of each cooling type's hourly WUE model.

A leaf beside :mod:`pipeline.reference`: pandas and numpy only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["CARBON_FREE", "HOURS", "RESOLUTIONS", "climate", "climate_ids", "cooling_parameters", "cooling_types",
           "grid_profile", "profile_ids", "shape", "shape_ids"]

DATA_DIR = Path(__file__).with_name("data")
HOURLY_DIR = DATA_DIR / "hourly"
CLIMATE_DIR = DATA_DIR / "climate"
#: Hours of a profile year (non-leap years only are shipped).
HOURS = 8760
#: Values of the ``resolution`` field.
RESOLUTIONS = ("annual", "hourly")
#: Technologies counted as carbon-free energy (CFE) in hourly matching: Google's definition of CFE
#: ("24/7 by 2030: Realizing a Carbon-free Future", 2020; "24/7 Carbon-Free Energy: Methodologies and Metrics",
#: 2021): generation that emits no carbon dioxide when it generates (wind, solar, hydro, nuclear, geothermal,
#: ocean).  Biomass and unknown fuels are not counted.
CARBON_FREE = ("nuclear", "hydro", "wind", "wind-offshore", "solar", "solar-rooftop", "csp", "geothermal", "ocean")


@cache
def _index() -> pd.DataFrame:
    return pd.read_csv(HOURLY_DIR / "index.csv")


@cache
def profile_ids() -> list[str]:
    """Ids of the grid generation-mix profiles (``supply.hourly``)."""
    idx = _index()
    return idx.loc[idx["kind"] == "grid-mix", "id"].astype(str).tolist()


@cache
def shape_ids() -> list[str]:
    """Ids of the generation shapes a PPA can follow (``supply.ppa.profile``)."""
    idx = _index()
    return idx.loc[idx["kind"] == "generation-shape", "id"].astype(str).tolist()


@cache
def climate_ids() -> list[str]:
    """Ids of the shipped climates (``cooling.climate``)."""
    return pd.read_csv(CLIMATE_DIR / "index.csv")["id"].astype(str).tolist()


@cache
def _cooling() -> pd.DataFrame:
    return pd.read_csv(CLIMATE_DIR / "cooling_models.csv")


@cache
def cooling_types() -> list[str]:
    """Ids of the cooling models (``cooling.type``)."""
    return list(dict.fromkeys(_cooling()["id"].astype(str)))


def cooling_parameters(kind: str) -> dict[str, float]:
    """The parameters of one cooling model, by name (values in the file's units)."""
    c = _cooling()
    rows = c[c["id"] == kind]
    return {str(p): float(v) for p, v in zip(rows["parameter"], rows["value"], strict=True)}


def cooling_source(kind: str) -> str:
    """The sources of one cooling model's parameters, each once."""
    c = _cooling()
    return "; ".join(dict.fromkeys(c.loc[c["id"] == kind, "source"].astype(str)))


def info(pid: str) -> dict[str, str]:
    """The index row of a profile or shape (name, year, source, licence, note)."""
    idx = _index().set_index("id")
    return {k: str(v) for k, v in idx.loc[pid].items()}


def climate_info(cid: str) -> dict[str, str]:
    """The index row of a climate."""
    idx = pd.read_csv(CLIMATE_DIR / "index.csv").set_index("id")
    return {k: str(v) for k, v in idx.loc[cid].items()}


@cache
def grid_profile(pid: str) -> pd.DataFrame:
    """Hourly generation shares of a grid profile: 8,760 rows (UTC hours, in order), a column per technology."""
    df = pd.read_csv(HOURLY_DIR / f"{pid}.csv")
    if len(df) != HOURS:
        raise ValueError(f"{pid}: expected {HOURS} hours, found {len(df)}")
    return df.drop(columns="hour").astype(float)


@cache
def shape(sid: str) -> np.ndarray:
    """Each hour's share of the year's generation of a generation shape (sums to 1)."""
    v = pd.read_csv(HOURLY_DIR / f"{sid}.csv")["share_of_year"].to_numpy(dtype=float)
    return v / v.sum()


@cache
def climate(cid: str) -> pd.DataFrame:
    """Hourly weather of a climate: 8,760 UTC hours of ``dry_bulb_c``, ``dew_point_c``, ``rh_pct``,
    ``pressure_mbar``, ``wet_bulb_c``."""
    return pd.read_csv(CLIMATE_DIR / f"{cid}.csv")


@cache
def year_of(pid: str) -> int:
    """The calendar year of a profile."""
    return int(_index().set_index("id").loc[pid, "year"])


#: Reference "tables" of the id fields this module serves (field.table -> ids), for the JSON Schema.
ID_TABLES: dict[str, Callable[[], list[str]]] = {"resolutions": lambda: list(RESOLUTIONS), "hourly_profiles": profile_ids,
             "generation_shapes": shape_ids, "cooling_types": cooling_types, "climates": climate_ids}
