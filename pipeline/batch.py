"""Batch runs over a table of accelerator groups: one result row per cluster.

A dataset (CSV, Parquet or Excel) has one row per accelerator group; rows sharing ``name`` form
one cluster.  Columns are the scenario fields flattened (``grid``, ``onsite_technology``,
``onsite_share``, ``ppa_share`` ...) plus free extra columns, which are passed through.  A
quantity carries its unit in the cell (``"700 W"``) or in the header (``power [W]``).

Everything is column-wise: cells are split into number and unit text, each distinct unit is
converted once with pint, ids are merged against the reference tables once per distinct id, and
the stage chain (:func:`pipeline.chain.compute_arrays`) runs once for all valid clusters.  Every
input row ends up either in a result cluster or in the error table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pint

from pipeline import reference as ref
from pipeline.chain import compute_arrays
from pipeline.results import METRICS
from pipeline.scenario import (
    GroupArrays,
    Problem,
    ScenarioArrays,
    ScenarioError,
    mix_water_intensity,
    onsite_factors,
)
from pipeline.units import DIMENSIONS, Q_, ureg

__all__ = ["BatchResult", "read_dataset", "run_batch", "write_outputs"]

GROUP_FIELDS = ("accelerator", "count", "accelerator_hours", "power", "idle_power", "host_power")
CLUSTER_FIELDS = ("location", "utilization", "period", "pue", "wue", "grid", "grid_intensity",
                  "grid_water_intensity", "onsite_technology", "onsite_share", "ppa_share")
FIELDS = ("name",) + GROUP_FIELDS + CLUSTER_FIELDS
TEXT_FIELDS = ("name", "location", "accelerator", "grid", "onsite_technology")
#: quantity field -> (dimension key of pipeline.units.DIMENSIONS, unit the arrays use)
QUANTITY_FIELDS: dict[str, tuple[str, str]] = {
    "count": ("dimensionless", ""),
    "accelerator_hours": ("time", "h"),
    "power": ("power", "W"),
    "idle_power": ("power", "W"),
    "host_power": ("power", "W"),
    "utilization": ("dimensionless", ""),
    "period": ("time", "h"),
    "pue": ("dimensionless", ""),
    "wue": ("water_intensity", "L/kWh"),
    "grid_intensity": ("carbon_intensity", "g CO2e/kWh"),
    "grid_water_intensity": ("water_intensity", "L/kWh"),
    "onsite_share": ("dimensionless", ""),
    "ppa_share": ("dimensionless", ""),
}
ERROR_COLUMNS = ["row", "name", "field", "message"]
#: Columns after the metrics in results.csv: the grid factors each cluster was computed with.
FACTOR_COLUMNS = ["grid_intensity_used [g CO2e / kWh]", "grid_water_intensity_used [L / kWh]"]
GWP_METRIC = "AR5GWP100"

_EXAMPLES = {"dimensionless": "0.8", "time": "1 year", "power": "700 W", "water_intensity": "1.8 L/kWh",
             "carbon_intensity": "429 g CO2e/kWh"}
_HEADER = re.compile(r"^\s*(?P<name>[^\[\]]*?)\s*\[(?P<unit>[^\[\]]*)\]\s*$")
_CELL = r"^\s*([-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf(?:inity)?|nan))\s*(.*?)\s*$"


@dataclass(frozen=True)
class BatchResult:
    """Results of a batch: one row per computed cluster, one row per problem."""

    results: pd.DataFrame
    errors: pd.DataFrame
    source: str = "<dataset>"


# --------------------------------------------------------------------------- reading


def split_header_units(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename ``power [W]``-style headers to ``power`` and return ``{column: unit}``.

    Units already recorded in ``df.attrs["units"]`` (by :func:`read_dataset`) are kept.
    """
    units = dict(df.attrs.get("units", {}))
    rename = {}
    for col in df.columns:
        m = _HEADER.match(str(col))
        if m:
            rename[col] = m["name"]
            units[m["name"]] = m["unit"].strip()
    names = [rename.get(c, str(c)) for c in df.columns]
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise ScenarioError([Problem("<dataset>", c, "column given more than once (with and without a header unit?)")
                             for c in dup])
    out = df.rename(columns=rename) if rename else df
    out.attrs["units"] = units
    return out, units


def read_dataset(path: str | Path) -> pd.DataFrame:
    """Read a batch table (``.csv``; ``.parquet``/``.pq``; ``.xlsx``/``.xls``) with header units parsed.

    CSV cells are read as text so that ``"700 W"`` and ``"0.8"`` are parsed the same way;
    header units are stripped from the column names and kept in ``df.attrs["units"]``.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        elif suffix in (".xlsx", ".xls", ".xlsm"):
            df = pd.read_excel(p, dtype=str)
        else:
            df = pd.read_csv(p, dtype=str, skipinitialspace=True)
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read file: {exc.strerror or exc}")]) from None
    except (ValueError, ImportError, pd.errors.ParserError) as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read table: {exc}")]) from None
    df, _ = split_header_units(df)
    return df


# --------------------------------------------------------------------------- helpers


class _Errors:
    """Collects (row position, field, message) column-wise."""

    def __init__(self, n: int, scope: np.ndarray) -> None:
        self.n = n
        self.scope = scope  # rows where cluster-level fields are reported (first row of a cluster)
        self.parts: list[pd.DataFrame] = []
        self.bad = np.zeros(n, dtype=bool)
        self.by_field: dict[str, np.ndarray] = {}

    def add(self, mask: np.ndarray | pd.Series, field: str, message: Any, everywhere: bool = False) -> None:
        """Record ``message`` for the rows in ``mask``: a string, a full-length array or Series, or a
        callable building the messages of the masked positions only (so 10^6 clean rows cost nothing)."""
        mask = np.asarray(mask, dtype=bool).copy()
        if field in CLUSTER_FIELDS and not everywhere:
            mask &= self.scope
        if not mask.any():
            return
        pos = np.flatnonzero(mask)
        if isinstance(message, str):
            msg = np.full(len(pos), message, dtype=object)
        elif callable(message):
            msg = np.asarray(message(pos), dtype=object)
        else:
            msg = np.asarray(message, dtype=object)[pos]
        self.parts.append(pd.DataFrame({"pos": pos, "field": field, "message": msg}))
        self.bad |= mask
        self.by_field[field] = self.by_field.get(field, np.zeros(self.n, dtype=bool)) | mask

    def field(self, name: str) -> np.ndarray:
        return self.by_field.get(name, np.zeros(self.n, dtype=bool))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({"pos": pd.Series(dtype=int), "field": pd.Series(dtype=object),
                                 "message": pd.Series(dtype=object)})
        return pd.concat(self.parts, ignore_index=True)


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    """A column as stripped text; missing and blank cells are NA."""
    if col not in df:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    s = df[col].astype("string").str.strip()
    return s.mask(s == "")


def _got(text: pd.Series) -> pd.Series:
    return " (got " + text.fillna("").map(repr) + ")"


def _saying(prefix: str, text: pd.Series) -> Any:
    """A message builder: ``prefix`` plus the offending cell, built only for the rows that need it."""
    return lambda pos: (prefix + _got(text.iloc[pos])).to_numpy(dtype=object)


@cache
def _unit_factor(unit: str, dimension: str, target: str) -> float | str:
    """Factor from ``unit`` to ``target``, or an error message (one pint call per distinct unit)."""
    try:
        q = ureg.Quantity(unit)
    except Exception:  # noqa: BLE001 - any pint parse failure is reported as a bad unit
        return f"unknown unit {unit!r}; write it like '{_EXAMPLES[dimension]}'"
    if not isinstance(q, pint.Quantity):
        q = Q_(float(q), "")
    if dimension == "carbon_intensity" and q.dimensionality == (ureg.g / ureg.kWh).dimensionality:
        q = q * ureg.CO2e  # 'g/kWh' is read as g CO2e/kWh, as in scenario files
    if q.dimensionality != DIMENSIONS[dimension]:
        return f"unit {unit!r} is not a {dimension} unit (e.g. '{_EXAMPLES[dimension]}')"
    return float(q.to(target).magnitude)


def _quantity(df: pd.DataFrame, field: str, header_unit: str, errs: _Errors) -> tuple[np.ndarray, np.ndarray]:
    """Parse one quantity column to floats in its target unit; returns (values, given)."""
    dimension, target = QUANTITY_FIELDS[field]
    n = len(df)
    if field not in df:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    s = df[field]
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        num = s.to_numpy(dtype=float, na_value=np.nan)
        unit = pd.Series("", index=df.index, dtype=object)
        text = s.astype("string")
        given = ~np.isnan(num)
    else:
        text = _text(df, field)
        present = text.notna().to_numpy()
        # fast path: plain numbers (units in the header); the regex runs only on the other cells
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        unit = pd.Series("", index=df.index, dtype=object)
        rest = present & np.isnan(num)
        if rest.any():
            parts = text[rest].str.extract(_CELL, flags=re.IGNORECASE)
            num[rest] = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            unit[rest] = parts[1].fillna("").astype(object).to_numpy()
            unreadable = rest.copy()
            unreadable[rest] = parts[0].isna().to_numpy()
        else:
            unreadable = np.zeros(n, dtype=bool)
        errs.add(unreadable, field, _saying(f"cannot read as a number with a unit (e.g. '{_EXAMPLES[dimension]}')", text))
        given = present & ~unreadable
    eff = unit.where(unit != "", header_unit).to_numpy(dtype=object)
    factors = np.full(n, np.nan)
    for u in pd.unique(eff[given]):
        m = given & (eff == u)
        if u == "":
            if dimension == "dimensionless":
                factors[m] = 1.0
            else:
                errs.add(m, field, _saying(f"a bare number has no unit; give a {dimension} with its unit, e.g. "
                         f"'{_EXAMPLES[dimension]}', or put the unit in the header ('{field} [unit]')", text))
            continue
        f = _unit_factor(str(u), dimension, target)
        if isinstance(f, str):
            errs.add(m, field, _saying(f, text))
        else:
            factors[m] = f
    values = np.where(given, num * factors, np.nan)
    ok = given & ~np.isnan(factors)
    with np.errstate(invalid="ignore"):
        errs.add(ok & ~np.isfinite(values), field, _saying("must be a finite number", text))
        errs.add(ok & np.isfinite(values) & (values < 0), field, _saying("must not be negative", text))
    return values, given


def _unknown_ids(text: pd.Series, valid: list[str], kind: str, field: str, errs: _Errors) -> np.ndarray:
    """Flag ids not in ``valid`` (messages built once per distinct bad id); returns the known mask."""
    present = text.notna().to_numpy()
    known = text.isin(valid).to_numpy() & present
    bad = present & ~known
    if bad.any():
        msgs = {}
        for v in pd.unique(text[bad]):
            hint = ref.nearest(str(v), valid)
            msgs[v] = f"unknown {kind} {str(v)!r}" + (f"; did you mean {hint!r}?" if hint else "") + \
                f" (ids in pipeline/data/{ref._FILE_OF.get(kind, kind)}.csv)"
        errs.add(bad, field, text.map(msgs).astype(object).to_numpy())
    return known


def _pivot(name: str, targets: dict[str, str]) -> pd.DataFrame:
    """A keyed reference table as id x parameter, values converted once per distinct unit."""
    t = ref.table(name)
    t = t[t["parameter"].isin(list(targets))]
    pairs = t[["parameter", "unit"]].drop_duplicates()
    fac = {(p, u): float(Q_(1.0, u).to(targets[p]).magnitude) for p, u in pairs.itertuples(index=False)}
    factor = [fac[(p, u)] for p, u in zip(t["parameter"], t["unit"], strict=True)]
    t = t.assign(v=t["value"].astype(float) * np.asarray(factor))
    wide = t.pivot_table(index="id", columns="parameter", values="v", aggfunc="first")
    return wide.reindex(columns=list(targets))


@cache
def _accelerator_table() -> pd.DataFrame:
    return _pivot("accelerators", {"tdp": "W", "idle_power": "W", "host_power": "W", "embodied": "kg CO2e"})


@cache
def _grid_table() -> pd.DataFrame:
    return _pivot("grids", {"co2e_intensity": "g CO2e/kWh", "water_intensity": "L/kWh"})


@cache
def _mix_water(grid: str) -> float:
    if ref.grid_mix(grid).empty:
        return float("nan")
    return float(mix_water_intensity(grid)[0].quantity.m_as("L/kWh"))


@cache
def _onsite(technology: str) -> tuple[float, float, float]:
    oi, ow, onox, _ = onsite_factors(technology, GWP_METRIC)
    return float(oi.m_as("g CO2e/kWh")), float(ow.m_as("L/kWh")), float(onox.m_as("g/kWh"))


def _lookup(table: pd.DataFrame, ids: pd.Series, key: str) -> pd.DataFrame:
    """Merge row ids against a reference table (one row per input row, in input order)."""
    left = pd.DataFrame({key: ids.astype(object).where(ids.notna(), None).to_numpy()})
    return left.merge(table, left_on=key, right_index=True, how="left")


# --------------------------------------------------------------------------- the batch


def run_batch(df: pd.DataFrame, source: str = "<dataset>") -> BatchResult:
    """Validate a table of accelerator groups and compute every metric per cluster.

    Parameters
    ----------
    df : DataFrame
        One row per accelerator group (see the module docstring); header units such as
        ``power [W]`` are accepted here too.
    source : str
        Where the table came from (kept on the result).

    Returns
    -------
    BatchResult
        ``results``: one row per valid cluster, ``name`` then ``metric [unit]`` columns (NaN where a
        metric does not apply) then the input's extra columns from the cluster's first row.
        ``errors``: ``row`` (file row, header = 1), ``name``, ``field``, ``message``; every row of a
        cluster that is not computed has at least one line.
    """
    df, units = split_header_units(df)
    n = len(df)
    # 1-based file row numbers (header = row 1); a partition keeps its original integer index
    rows = (np.asarray(df.index, dtype=np.int64) if pd.api.types.is_integer_dtype(df.index) else np.arange(n)) + 2
    df = df.reset_index(drop=True)

    name = _text(df, "name")
    codes, _ = pd.factorize(name.astype(object).where(name.notna(), None), use_na_sentinel=True)
    has_name = codes >= 0
    first = has_name & ~pd.Series(codes).duplicated().to_numpy()
    errs = _Errors(n, first | ~has_name)
    errs.add(~has_name, "name", "missing required field (rows with the same name form one cluster)")

    text = {f: _text(df, f) for f in TEXT_FIELDS}
    q: dict[str, np.ndarray] = {}
    given: dict[str, np.ndarray] = {}
    for f in QUANTITY_FIELDS:
        q[f], given[f] = _quantity(df, f, units.get(f, ""), errs)

    # ranges
    def out_of_range(mask: np.ndarray, f: str, allowed: str) -> None:
        errs.add(mask & ~errs.field(f), f, _saying(f"out of range; allowed {allowed}", _text(df, f)))

    with np.errstate(invalid="ignore"):
        out_of_range(q["utilization"] > 1, "utilization", "0 to 1")
        out_of_range(q["pue"] < 1, "pue", ">= 1")
        out_of_range(q["onsite_share"] > 1, "onsite_share", "0 to 1")
        out_of_range(q["ppa_share"] > 1, "ppa_share", "0 to 1")
        out_of_range(q["count"] == 0, "count", "> 0")
        out_of_range(q["period"] == 0, "period", "a duration longer than zero")

    # required fields
    for f in ("accelerator", "utilization", "pue", "wue"):
        errs.add(has_name & _text(df, f).isna().to_numpy(), f, "missing required field")
    both = given["count"] & given["accelerator_hours"]
    neither = _text(df, "count").isna().to_numpy() & _text(df, "accelerator_hours").isna().to_numpy()
    errs.add(has_name & (both | neither), "count", "give exactly one of 'count' or 'accelerator_hours'")

    code_s = pd.Series(np.where(has_name, codes, -1))
    any_count = pd.Series(given["count"]).groupby(code_s).transform("any").to_numpy()
    errs.add(has_name & any_count & ~given["period"] & _text(df, "period").isna().to_numpy(), "period",
             "required when a group is given by count (e.g. '1 year')")

    # ids
    acc_known = _unknown_ids(text["accelerator"], ref.ids("accelerators"), "accelerator", "accelerator", errs)
    grid_known = _unknown_ids(text["grid"], ref.ids("grids"), "grid", "grid", errs)
    tech_known = _unknown_ids(text["onsite_technology"], ref.ids("onsite"), "on-site technology",
                              "onsite_technology", errs)

    # supply
    onsite_share = np.nan_to_num(q["onsite_share"], nan=0.0)
    ppa_share = np.nan_to_num(q["ppa_share"], nan=0.0)
    needs_grid = onsite_share < 1.0
    has_tech = text["onsite_technology"].notna().to_numpy()
    errs.add(has_tech & ~given["onsite_share"] & ~errs.field("onsite_share"), "onsite_share",
             "missing required field when onsite_technology is given (a number from 0 to 1)")
    errs.add(~has_tech & (onsite_share > 0), "onsite_technology",
             "missing required field when onsite_share > 0", )
    has_grid = text["grid"].notna().to_numpy()
    no_override = ~(given["grid_intensity"] & given["grid_water_intensity"])
    errs.add(has_name & ~has_grid & needs_grid & no_override, "grid",
             "required unless both grid_intensity and grid_water_intensity are given "
             "(an id from pipeline/data/grids.csv, e.g. us-srtv)")

    # accelerator data, merged once per distinct id
    acc = _lookup(_accelerator_table(), text["accelerator"], "accelerator")
    full = np.where(given["power"], q["power"], acc["tdp"].to_numpy(dtype=float))
    idle = np.where(given["idle_power"], q["idle_power"], acc["idle_power"].to_numpy(dtype=float))
    host = np.where(given["host_power"], q["host_power"], acc["host_power"].to_numpy(dtype=float))
    for f, values, param in (("power", full, "tdp"), ("idle_power", idle, "idle_power"),
                             ("host_power", host, "host_power")):
        errs.add(acc_known & np.isnan(values) & ~errs.field(f), f,
                 f"no {param} for this accelerator in accelerators.csv; give it in the table")
    with np.errstate(invalid="ignore"):
        errs.add(idle > full, "idle_power", "idle power is above full-load power")
    server = ref.default("server_embodied").quantity.m_as("kg CO2e")
    per_server = ref.default("accelerators_per_server").quantity.m_as("")
    embodied = acc["embodied"].to_numpy(dtype=float) + server / per_server

    # grid data, merged once per distinct id; water from the generation mix per distinct grid
    grid = _lookup(_grid_table(), text["grid"], "grid")
    gi_ref = grid["co2e_intensity"].to_numpy(dtype=float)
    gw_ref = grid["water_intensity"].to_numpy(dtype=float)
    lacking = grid_known & np.isnan(gw_ref) & ~given["grid_water_intensity"]
    if lacking.any():
        mix = {g: _mix_water(str(g)) for g in pd.unique(text["grid"][lacking])}
        gw_ref = np.where(lacking, text["grid"].map(mix).astype(float).to_numpy(), gw_ref)
    gi = np.where(given["grid_intensity"], q["grid_intensity"], gi_ref)
    gw = np.where(given["grid_water_intensity"], q["grid_water_intensity"], gw_ref)
    errs.add(needs_grid & grid_known & np.isnan(gi) & ~errs.field("grid_intensity"), "grid_intensity",
             "this grid has no CO2e intensity in grids.csv; give grid_intensity")
    errs.add(needs_grid & grid_known & np.isnan(gw) & ~errs.field("grid_water_intensity"), "grid_water_intensity",
             "this grid has no water intensity or generation mix in the data; give grid_water_intensity "
             "(e.g. '3.14 L/kWh', US average)")
    gi = np.where(needs_grid, gi, 0.0)
    gw = np.where(needs_grid, gw, 0.0)

    # on-site plant, once per distinct technology
    oi = np.zeros(n)
    ow = np.zeros(n)
    onox = np.zeros(n)
    use_tech = tech_known & (onsite_share > 0)
    for t in pd.unique(text["onsite_technology"][use_tech]):
        m = use_tech & (text["onsite_technology"] == t).fillna(False).to_numpy()
        try:
            oi[m], ow[m], onox[m] = _onsite(str(t))
        except ScenarioError as exc:
            errs.add(m, "onsite_technology", str(exc))

    ppa_default = ref.default("ppa_intensity").quantity.m_as("g CO2e/kWh")
    ppa_int = np.where(ppa_share > 0, ppa_default, 0.0)
    lifetime = ref.default("hardware_lifetime").quantity.m_as("h")

    # cluster-level fields must agree within a cluster
    for f in CLUSTER_FIELDS:
        key = pd.Series(text[f].fillna("").to_numpy(dtype=object) if f in TEXT_FIELDS
                        else q[f].astype(str).astype(object))  # numpy spells NaN 'nan': comparable
        firsts = key.groupby(code_s).transform("first")
        mismatch = has_name & (key != firsts).to_numpy() & ~errs.field(f)
        if mismatch.any():
            first_row = pd.Series(rows).groupby(code_s).transform("first").astype(str)
            raw = _text(df, f).fillna("").reset_index(drop=True)
            raw_first = raw.groupby(code_s).transform("first")
            msg = ("differs within the cluster: " + raw.map(repr) + " here, " + raw_first.map(repr)
                   + " in row " + first_row + " (cluster-level fields must agree)")
            errs.add(mismatch, f, msg.to_numpy(), everywhere=True)

    # whole clusters fail when any of their rows fails
    bad_cluster = pd.Series(errs.bad).groupby(code_s).transform("any").to_numpy() & has_name
    err = errs.frame()
    unreported = bad_cluster & ~errs.bad
    if unreported.any():
        bad_rows = err.assign(code=codes[err["pos"].to_numpy()], row=rows[err["pos"].to_numpy()])
        listed = bad_rows[bad_rows["code"] >= 0].groupby("code")["row"].agg(
            lambda r: ", ".join(str(x) for x in sorted(set(r))))
        pos = np.flatnonzero(unreported)
        msgs = "not computed: cluster has errors in row(s) " + pd.Series(codes[pos]).map(listed)
        err = pd.concat([err, pd.DataFrame({"pos": pos, "field": "(cluster)", "message": msgs.to_numpy()})],
                        ignore_index=True)
    err = err.sort_values(["pos"], kind="stable")
    errors = pd.DataFrame({
        "row": rows[err["pos"].to_numpy()],
        "name": name.fillna("").to_numpy(dtype=object)[err["pos"].to_numpy()],
        "field": err["field"].to_numpy(),
        "message": err["message"].to_numpy(),
    }, columns=ERROR_COLUMNS).reset_index(drop=True)

    # compute the good clusters in one call
    good = has_name & ~bad_cluster
    gpos = np.flatnonzero(good)
    scen, _ = pd.factorize(codes[gpos])
    spos = gpos[first[gpos]]  # first row of each good cluster, in cluster order
    extra = [c for c in df.columns if c not in FIELDS]
    metric_cols = [f"{m.name} [{m.unit}]" for m in METRICS]
    if len(spos) == 0:
        results = pd.DataFrame(columns=["name", *metric_cols, *FACTOR_COLUMNS, *extra])
        return BatchResult(results=results, errors=errors, source=source)

    def sq(values: np.ndarray | float, unit: str) -> pint.Quantity:
        arr = np.broadcast_to(np.asarray(values, dtype=float), (n,))[spos] if np.ndim(values) else \
            np.full(len(spos), float(values))
        return Q_(np.array(arr, dtype=float), unit)

    def gq(values: np.ndarray, unit: str) -> pint.Quantity:
        return Q_(np.asarray(values, dtype=float)[gpos], unit)

    sa = ScenarioArrays(
        utilization=sq(q["utilization"], ""), period=sq(q["period"], "h"), pue=sq(q["pue"], ""),
        wue=sq(q["wue"], "L/kWh"), grid_intensity=sq(gi, "g CO2e/kWh"), grid_water_intensity=sq(gw, "L/kWh"),
        onsite_share=sq(onsite_share, ""), onsite_intensity=sq(oi, "g CO2e/kWh"),
        onsite_water_intensity=sq(ow, "L/kWh"), onsite_nox=sq(onox, "g/kWh"), ppa_share=sq(ppa_share, ""),
        ppa_intensity=sq(ppa_int, "g CO2e/kWh"), lifetime=sq(lifetime, "h"),
    )
    ga = GroupArrays(
        scenario=scen.astype(np.intp), count=gq(q["count"], ""), accelerator_hours=gq(q["accelerator_hours"], "h"),
        full_power=gq(full, "W"), idle_power=gq(idle, "W"), host_power=gq(host, "W"),
        embodied=gq(embodied, "kg CO2e"),
    )
    metrics, _ = compute_arrays(sa, ga)
    data: dict[str, object] = {"name": name.to_numpy(dtype=object)[spos]}
    for m in METRICS:
        data[f"{m.name} [{m.unit}]"] = np.asarray(metrics[m.name].m_as(m.unit), dtype=float)
    # the grid factors each cluster was computed with (data or the row's own override)
    data["grid_intensity_used [g CO2e / kWh]"] = sa.grid_intensity.m_as("g CO2e / kWh")
    data["grid_water_intensity_used [L / kWh]"] = sa.grid_water_intensity.m_as("L / kWh")
    results = pd.DataFrame(data)
    for c in extra:
        results[c] = df[c].to_numpy()[spos]
    return BatchResult(results=results, errors=errors, source=source)


def write_outputs(result: BatchResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.csv`` and ``errors.csv`` into ``out_dir`` atomically; returns their paths."""
    from pipeline.report.render import write_atomic

    out = Path(out_dir)
    paths = {"results": out / "results.csv", "errors": out / "errors.csv"}
    write_atomic(paths["results"], result.results.to_csv(index=False))
    write_atomic(paths["errors"], result.errors.to_csv(index=False))
    return paths
