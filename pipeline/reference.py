"""Sole reader of the packaged reference data in ``pipeline/data/``.

Every constant clusterprint uses lives once, in one of these CSV files, with its value, unit,
year, source, licence and status (see ``pipeline/data/README.md``).  This module turns rows into
:class:`Factor` objects: a pint Quantity plus the provenance the report prints.  Nothing here
falls back silently: an unknown id raises :class:`UnknownIdError` naming the valid ids and the
nearest match.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pint

from pipeline.errors import nearest
from pipeline.units import Q_, unit_text

DATA_DIR = Path(__file__).with_name("data")

#: file name -> column naming the entity (None: the file is keyed by ``parameter`` alone)
TABLES: dict[str, str | None] = {
    "accelerators": "id",
    "grids": "id",
    "grid_mixes": "grid",
    "technologies": "id",
    "onsite": "id",
    "fuels": "id",
    "gwp": "gas",
    "defaults": None,
    "equivalences": "id",
    "cooling": "id",
    "combustion": "id",
    "health": "id",
    "cpi": None,
}


class UnknownIdError(KeyError):
    """An id that is not in a reference table; the message lists the valid ids."""

    def __init__(self, kind: str, value: str, valid: list[str]) -> None:
        self.kind, self.value, self.valid = kind, value, valid
        self.suggestion = nearest(value, valid)
        super().__init__(str(self))

    def __str__(self) -> str:
        hint = f" Did you mean {self.suggestion!r}?" if self.suggestion else ""
        return (
            f"unknown {self.kind} {self.value!r}.{hint} Valid ids (pipeline/data/"
            f"{_FILE_OF.get(self.kind, self.kind)}.csv): {', '.join(self.valid)}"
        )


_FILE_OF = {
    "accelerator": "accelerators",
    "grid": "grids",
    "technology": "technologies",
    "on-site technology": "onsite",
    "fuel": "fuels",
    "cooling type": "cooling",
    "CPI year": "cpi",
    "health-factor set": "health",
    "prime mover": "combustion",
    "prime mover and NOx control": "combustion",
    "equivalence": "equivalences",
    "default": "defaults",
}


#: Prefix of factor names from each keyed table: ``accelerator.h100-sxm.tdp``, ``grid.us-srtv.co2e_intensity``.
_PREFIX = {"accelerators": "accelerator", "grids": "grid", "technologies": "technology", "onsite": "onsite",
           "fuels": "fuel", "cooling": "cooling", "combustion": "combustion", "health": "health",
           "cpi": "cpi"}


@dataclass(frozen=True)
class Factor:
    """A reference value with its provenance.

    Attributes
    ----------
    name : str
        Dotted name, e.g. ``"accelerator.h100-sxm.tdp"``.
    quantity : pint.Quantity
        The value in the unit it was published in.
    low, high : pint.Quantity or None
        Published range, where the source gives one.
    source, licence, status, year, edition, note : str
        Provenance as written in the data file.
    file : str
        Data file it came from (``accelerators.csv``), or ``"scenario"`` for user input.
    """

    name: str
    quantity: pint.Quantity
    source: str
    file: str
    year: str = ""
    licence: str = ""
    status: str = ""
    edition: str = ""
    note: str = ""
    low: pint.Quantity | None = None
    high: pint.Quantity | None = None

    def record(self) -> dict[str, Any]:
        """The factor as a JSON-ready assumption record."""
        rec: dict[str, Any] = {
            "name": self.name,
            "value": _finite_or_none(float(self.quantity.magnitude)),  # JSON has no NaN: absent data is null
            "unit": unit_text(self.quantity.units),
            "source": self.source,
            "file": self.file,
            "year": self.year,
            "edition": self.edition,
            "licence": self.licence,
            "status": self.status,
        }
        if self.note:
            rec["note"] = self.note
        if self.low is not None and self.high is not None:
            rec["low"] = float(self.low.m_as(self.quantity.units))
            rec["high"] = float(self.high.m_as(self.quantity.units))
        return rec


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@cache
def table(name: str) -> pd.DataFrame:
    """One reference table as read from ``pipeline/data/<name>.csv`` (cached, read-only use)."""
    path = DATA_DIR / f"{name}.csv"
    return pd.read_csv(path, dtype={"year": str, "edition": str, "note": str, "dollar_year": str}, keep_default_na=True)


def _factor(row: pd.Series, name: str, file: str) -> Factor:
    unit = _text(row.get("unit")) or "dimensionless"
    q = Q_(float(row["value"]), unit)
    low = high = None
    if "low" in row and not pd.isna(row.get("low")) and not pd.isna(row.get("high")):
        low, high = Q_(float(row["low"]), unit), Q_(float(row["high"]), unit)
    return Factor(
        name=name,
        quantity=q,
        source=_text(row.get("source")),
        file=file,
        year=_text(row.get("year")),
        licence=_text(row.get("licence")),
        status=_text(row.get("status")),
        edition=_text(row.get("edition")),
        note=_text(row.get("note")),
        low=low,
        high=high,
    )


def ids(name: str) -> list[str]:
    """The ids of a keyed table, in file order."""
    key = TABLES[name]
    assert key is not None
    return list(dict.fromkeys(table(name)[key].astype(str)))


def factors(name: str, kind: str, id_: str) -> dict[str, Factor]:
    """All parameters of one entity of a keyed table, as Factors keyed by parameter name.

    Raises :class:`UnknownIdError` when ``id_`` is not in the table.
    """
    key = TABLES[name]
    assert key is not None
    df = table(name)
    rows = df[df[key].astype(str) == str(id_)]
    if rows.empty:
        raise UnknownIdError(kind, id_, ids(name))
    file = f"{name}.csv"
    prefix = _PREFIX.get(name, name)
    return {
        str(r["parameter"]): _factor(r, f"{prefix}.{id_}.{r['parameter']}", file)
        for _, r in rows.iterrows()
    }


def default(parameter: str) -> Factor:
    """A row of ``defaults.csv`` by parameter name."""
    df = table("defaults")
    rows = df[df["parameter"] == parameter]
    if rows.empty:
        raise UnknownIdError("default", parameter, list(df["parameter"]))
    return _factor(rows.iloc[0], f"default.{parameter}", "defaults.csv")


def equivalence(id_: str) -> Factor:
    """A row of ``equivalences.csv`` (plain-language comparisons in reports)."""
    df = table("equivalences")
    rows = df[df["id"] == id_]
    if rows.empty:
        raise UnknownIdError("equivalence", id_, list(df["id"]))
    return _factor(rows.iloc[0], f"equivalence.{id_}", "equivalences.csv")


def gwp(gas: str, metric: str) -> Factor:
    """Global warming potential of ``gas`` under ``metric`` (e.g. ``AR5GWP100``)."""
    df = table("gwp")
    rows = df[(df["gas"] == gas) & (df["metric"] == metric)]
    if rows.empty:
        raise UnknownIdError("GWP metric", metric, sorted(set(df["metric"])))
    return _factor(rows.iloc[0], f"gwp.{metric}.{gas}", "gwp.csv")


def grid_mix(grid: str) -> pd.DataFrame:
    """Generation shares of a grid (columns technology, share, year, source...); may be empty.

    A grid row may name another grid's mix in its ``mix`` column (eGRID SRTV uses TVA's).
    """
    grids = table("grids")
    named = grids.loc[(grids["id"] == grid) & grids["mix"].notna(), "mix"]
    mix_id = str(named.iloc[0]) if len(named) else grid
    df = table("grid_mixes")
    return df[df["grid"] == mix_id]


def supplier_ids() -> list[str]:
    """Grids of kind ``utility-system``: suppliers whose published rate is a market-based factor."""
    grids = table("grids")
    return list(dict.fromkeys(grids.loc[grids["kind"] == "utility-system", "id"].astype(str)))


def cpi(year: str | int) -> Factor:
    """The consumer price index of ``year`` (``cpi.csv``), to express money in one dollar year."""
    df = table("cpi")
    rows = df[df["parameter"] == f"cpi_{year}"]
    if rows.empty:
        raise UnknownIdError("CPI year", str(year), [p.removeprefix("cpi_") for p in df["parameter"]])
    return _factor(rows.iloc[0], f"cpi.{year}", "cpi.csv")


def dollar_year() -> str:
    """The dollar year every money figure is expressed in: the latest year of ``cpi.csv``."""
    return str(max(int(p.removeprefix("cpi_")) for p in table("cpi")["parameter"]))


def control_ids() -> list[str]:
    """The NOx control levels of ``combustion.csv`` (``uncontrolled``, ``dln``, ``scr`` ...), in file order."""
    controls = table("combustion")["controls"].astype(str)
    return list(dict.fromkeys(c for c in controls if c != "any"))


def gwp_metrics() -> list[str]:
    """The GWP metrics of ``gwp.csv`` (``AR5GWP100``, ``AR6GWP100`` ...)."""
    return list(dict.fromkeys(table("gwp")["metric"].astype(str)))


@cache
def wide(name: str, targets: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """A keyed table as id x parameter, values converted to each target unit (NaN where absent).

    ``targets`` are (parameter, unit) pairs.  Columns ``<parameter>``, ``<parameter>.low`` and
    ``<parameter>.high`` (the published range, NaN where none).  One pint conversion per distinct unit.
    """
    key = TABLES[name]
    t = table(name)
    units = dict(targets)
    t = t[t["parameter"].isin(list(units))]
    pairs = t[["parameter", "unit"]].drop_duplicates()
    fac = {(p, u): float(Q_(1.0, u if isinstance(u, str) else "").to(units[p]).magnitude)
           for p, u in pairs.itertuples(index=False)}
    factor = np.asarray([fac[(p, u)] for p, u in zip(t["parameter"], t["unit"], strict=True)])
    cols = {"v": t["value"].astype(float) * factor}
    for bound in ("low", "high"):
        if bound in t:
            cols[bound] = t[bound].astype(float) * factor
    t = t.assign(**cols)
    out = pd.DataFrame(index=pd.Index(ids(name), name=key))
    for p, _ in targets:
        rows = t[t["parameter"] == p].drop_duplicates(key).set_index(key)
        out[p] = rows["v"].reindex(out.index)
        for bound in ("low", "high"):
            out[f"{p}.{bound}"] = rows[bound].reindex(out.index) if bound in rows else np.nan
    return out


def factor_by_name(name: str) -> Factor:
    """A reference factor from its dotted name (``grid.us-srtv.co2e_intensity``, ``default.hardware_lifetime``)."""
    head, _, rest = name.partition(".")
    if head == "default":
        return default(rest)
    if head == "gwp":
        metric, _, gas = rest.partition(".")
        return gwp(gas, metric)
    table_of = {v: k for k, v in _PREFIX.items()}
    entity, _, parameter = rest.rpartition(".")
    return factors(table_of[head], head, entity)[parameter]


def named_supplies() -> dict[str, dict[str, Any]]:
    """The shipped named supply scenarios (``data/supply/*.yaml``), by id (file name without ``.yaml``)."""
    import yaml

    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((DATA_DIR / "supply").glob("*.yaml"))}


@cache
def data_editions() -> dict[str, str]:
    """SHA-256 (first 12 hex digits) of every shipped data file, for manifests and reports."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:12]
        for p in sorted(DATA_DIR.glob("*.csv"))
    }
