"""Input tables from YAML scenarios and from batch datasets: the two front doors of one engine.

* :func:`from_scenarios`: validated :class:`~pipeline.schema.Scenario` models -> an
  :class:`~pipeline.inputs.InputTable` (one cluster per scenario).
* :func:`from_dataset`: a table of accelerator groups (one row per group, rows sharing ``name``
  form a cluster, a column per scenario field named by its YAML path or an alias) -> an
  InputTable plus the problems of cells that did not read.  Column-wise: each distinct unit is
  converted once with pint, so 10^6 rows cost a few vectorised passes.

Both then go through :func:`pipeline.resolve.resolve`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pint

from pipeline import fields as fl
from pipeline.errors import Problem, nearest
from pipeline.inputs import RANGE_COLUMNS, InputTable, ProblemTable
from pipeline.io import split_header_units
from pipeline.schema import CITATION_LENGTH, Claim, Range, Scenario
from pipeline.units import DIMENSIONS, EXAMPLES, Q_, dimension_name, split_quantity, unit_problem, ureg

__all__ = ["ERROR_COLUMNS", "dataset_errors", "document_of", "from_dataset", "from_scenarios", "problems_for_scenarios"]

ERROR_COLUMNS = ["row", "name", "field", "message"]
# a number; "1." only when no second dot follows, so that "1..2" reads as a range
_NUMBER = r"[-+]?(?:(?:\d+\.\d+|\d+\.(?!\.)|\d+|\.\d+)(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)"
_CELL = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?:\.\.\s*(?P<mid>{_NUMBER})\s*)?(?:\.\.\s*(?P<hi>{_NUMBER})\s*)?"
                   r"(?P<unit>.*?)\s*$", re.IGNORECASE)
_CLUSTER_FIELDS = [f for f in fl.FIELDS if f.level == "cluster"]
_GROUP_FIELDS = [f for f in fl.FIELDS if f.level == "group"]


# --------------------------------------------------------------------------- YAML scenarios


def _value(v: Any, f: fl.Field) -> tuple[Any, tuple[bool, float, float, float] | None]:
    """A field value in canonical units, and its range (triangular, low, mode, high) if ranged."""
    if v is None:
        return (np.nan if f.kind in ("number", "quantity") else None), None
    if isinstance(v, Range):
        lo, hi = (_value(x, f)[0] for x in (v.low, v.high))
        mode = _value(v.mode, f)[0] if v.mode is not None else (lo + hi) / 2
        return mode, (v.kind == "triangular", lo, mode, hi)
    if f.kind == "quantity":
        return float(v.m_as(f.unit)), None
    if f.kind == "number":
        return float(v), None
    return v, None


def _frame(rows: Any) -> pd.DataFrame:
    """A frame whose text, id and mix columns stay Python objects with None for absent (pandas would
    otherwise infer a string dtype with NaN)."""
    df = pd.DataFrame(rows)
    for f in fl.FIELDS:
        if f.kind in ("text", "id", "mix") and f.path in df:
            col = df[f.path]
            df[f.path] = pd.Series(col.astype(object).where(col.notna(), None).to_numpy(dtype=object),
                                   index=df.index, dtype=object)
    return df


def _get(model: Any, path: str) -> Any:
    for part in path.split("."):
        model = getattr(model, part, None) if model is not None else None
    return model


def from_scenarios(scenarios: Sequence[Scenario], files: Sequence[str]) -> InputTable:
    """One input-table cluster per validated scenario."""
    clusters: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    ranges: list[tuple[Any, ...]] = []
    for i, (s, file) in enumerate(zip(scenarios, files, strict=True)):
        row: dict[str, Any] = {"file": file, "claims": tuple(s.claims), "sources": dict(s.sources),
                               "document": s.model_dump(mode="json", exclude_none=True, exclude={"variants"})}
        for f in _CLUSTER_FIELDS:
            row[f.path], rng = _value(_get(s, f.path), f)
            if rng:
                ranges.append(("cluster", i, f.path, *rng))
        row["name"] = row["name"] or ""
        clusters.append(row)
        for j, g in enumerate(s.fleet):
            grow: dict[str, Any] = {"cluster": i, "position": j, "row": j}
            for f in _GROUP_FIELDS:
                grow[f.path], rng = _value(getattr(g, f.path), f)
                if rng:
                    ranges.append(("group", len(groups), f.path, *rng))
            groups.append(grow)
    return InputTable(_frame(clusters), _frame(groups), pd.DataFrame(ranges, columns=RANGE_COLUMNS))


def _shown(f: fl.Field, v: Any) -> Any:
    if f.kind == "quantity":
        return f"{v:g} {f.unit}"
    if f.kind == "mix":
        return {tech: share for tech, share in v}
    return v


def document_of(table: InputTable, i: int) -> dict[str, Any]:
    """Cluster ``i`` of a table as a scenario mapping (what a batch row said, for report attachments)."""
    row = table.clusters.iloc[i]
    if isinstance(row.get("document"), dict):
        return dict(row["document"])
    doc: dict[str, Any] = {}
    for f in _CLUSTER_FIELDS:
        v = row.get(f.path)
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        node = doc
        *parents, leaf = f.path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = _shown(f, v)
    fleet = []
    for _, g in table.groups[table.groups["cluster"] == i].iterrows():
        fleet.append({f.path: _shown(f, g[f.path]) for f in _GROUP_FIELDS
                      if f.path in g and g[f.path] is not None and not (isinstance(g[f.path], float) and np.isnan(g[f.path]))})
    doc["fleet"] = fleet
    r = table.ranges
    for rr in r.itertuples(index=False):
        owner = rr.index if rr.level == "cluster" else int(table.groups["cluster"].iloc[rr.index])
        if owner == i:
            where = rr.path if rr.level == "cluster" else f"fleet[{table.groups['position'].iloc[rr.index]}].{rr.path}"
            doc.setdefault("ranges", {})[where] = {"low": rr.low, "mode": rr.mode, "high": rr.high,
                                                   "unit": fl.field(rr.path).unit,
                                                   "dist": "triangular" if rr.triangular else "uniform"}
    doc["source"] = f"{row.get('file')}, row {row.get('row')}" if "row" in row else str(row.get("file"))
    return doc


def problems_for_scenarios(table: InputTable, problems: ProblemTable) -> list[Problem]:
    """Column-wise problems of YAML scenarios, at their field paths (``fleet[0].power``)."""
    out = []
    files = table.clusters["file"].to_numpy()
    positions, owners = table.groups["position"].to_numpy(), table.groups["cluster"].to_numpy()
    for row in problems.frame().itertuples(index=False):
        if row.group:
            base = f"fleet[{positions[row.index]}]"
            path, file = (f"{base}.{row.path}" if row.path else base), files[owners[row.index]]
        else:
            path, file = row.path, files[row.index]
        out.append(Problem(str(file), path, str(row.message), None, str(row.allowed)))
    return out


# --------------------------------------------------------------------------- datasets


def _text(df: pd.DataFrame, col: str | None) -> pd.Series:
    """A column as stripped text; missing and blank cells are NA."""
    if col is None or col not in df:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    s = df[col].astype("string").str.strip()
    return s.mask(s == "")


@cache
def _unit_factor(unit: str, dimension: str, target: str) -> float | str:
    """Factor from ``unit`` to ``target``, or an error message (one pint call per distinct unit)."""
    problem = unit_problem(unit)
    if problem:
        return f"cannot read the unit {unit!r}: {problem}"
    try:
        q: Any = ureg.Quantity(unit.replace("·", "*").replace("^", "**"))
    except Exception:  # noqa: BLE001 - any pint parse failure is reported as a bad unit
        return f"unknown unit {unit!r}; write it like '{EXAMPLES[dimension]}'"
    if not isinstance(q, pint.Quantity):
        q = Q_(float(q), "")
    if dimension == "carbon_intensity" and q.dimensionality == (ureg.g / ureg.kWh).dimensionality:
        q = q * ureg.CO2e  # 'g/kWh' is read as g CO2e/kWh, as in scenario files
    if q.dimensionality != DIMENSIONS[dimension]:
        return (f"unit {unit!r} is a {dimension_name(q.dimensionality)} unit, expected a "
                f"{dimension.replace('_', ' ')} (e.g. '{EXAMPLES[dimension]}')")
    return float(q.to(target).magnitude)


def _numbers(df: pd.DataFrame, col: str | None, f: fl.Field, header_unit: str, p: ProblemTable,
             where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse one numeric column: values in the field's unit (central of a range) and per-row ranges.

    Returns (values, ranges) where ranges is an (n, 4) array of triangular flag, low, mode, high
    (NaN rows where the cell is a plain value).
    """
    n = len(df)
    group = f.level == "group"
    text = _text(df, col)
    values, rng = np.full(n, np.nan), np.full((n, 4), np.nan)
    if col is None or col not in df:
        return values, rng
    s = df[col]
    dimension = f.dimension or "dimensionless"
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        num, unit = s.to_numpy(dtype=float, na_value=np.nan).copy(), np.full(n, "", dtype=object)
        present, parts = ~np.isnan(num), None
    else:
        present = text.notna().to_numpy().copy()
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan).copy()
        unit = np.full(n, "", dtype=object)
        rest = present & np.isnan(num)
        parts = text[rest].str.extract(_CELL.pattern, flags=re.IGNORECASE) if rest.any() else None
        if parts is not None:
            num[rest] = pd.to_numeric(parts["num"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            unit[rest] = parts["unit"].fillna("").astype(object).to_numpy()
            unreadable = rest.copy()
            unreadable[rest] = parts["num"].isna().to_numpy()
            p.add(unreadable & where, f.path, _unreadable(text, f.example or EXAMPLES[dimension]), group=group)
            present &= ~unreadable
    eff = np.where(unit != "", unit, header_unit)
    factors = np.full(n, np.nan)
    for u in pd.unique(eff[present]):
        m = present & (eff == u)
        if u == "":
            if dimension == "dimensionless":
                factors[m] = 1.0
            else:
                p.add(m & where, f.path, _saying(f"a bare number has no unit; give a {dimension.replace('_', ' ')} "
                      "with its unit, "
                      f"e.g. '{EXAMPLES[dimension]}', or put the unit in the header ('{col} [unit]')", text), group=group)
            continue
        got = _unit_factor(str(u), dimension, f.unit)
        if isinstance(got, str):
            p.add(m & where, f.path, _saying(got, text), group=group)
        else:
            factors[m] = got
    values = np.where(present, num * factors, np.nan)
    if parts is not None and (parts["hi"].notna().any() or parts["mid"].notna().any()):
        values, rng = _ranges(parts, present, factors, values, f, text, p, where)
    _bounds(values, rng, present & ~np.isnan(factors), f, text, p, where)
    return values, rng


def _ranges(parts: pd.DataFrame, present: np.ndarray, factors: np.ndarray, values: np.ndarray, f: fl.Field,
            text: pd.Series, p: ProblemTable, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``low..high`` (uniform) and ``low..mode..high`` (triangular) cells."""
    n = len(values)
    rng = np.full((n, 4), np.nan)
    idx = parts.index.to_numpy()
    pos = np.searchsorted(text.index.to_numpy(), idx)
    mid = pd.to_numeric(parts["mid"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    hi = pd.to_numeric(parts["hi"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lo = pd.to_numeric(parts["num"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    tri = ~np.isnan(hi)
    high = np.where(tri, hi, mid)
    ranged = ~np.isnan(high)
    mode = np.where(tri, mid, (lo + high) / 2)
    fac = factors[pos]
    rows = pos[ranged]
    lo_c, mode_c, hi_c = (x[ranged] * fac[ranged] for x in (lo, mode, high))
    if f.kind not in ("number", "quantity") or not f.rangeable:
        bad = np.zeros(n, dtype=bool)
        bad[rows] = True
        p.add(bad & where, f.path, _saying("a range is not supported for this field", text), group=f.level == "group")
        return values, rng
    order_bad = np.zeros(n, dtype=bool)
    order_bad[rows] = ~((lo_c <= mode_c) & (mode_c <= hi_c))
    p.add(order_bad & where & present, f.path, _saying("a range needs low <= mode <= high", text),
          group=f.level == "group")
    rng[rows] = np.column_stack([tri[ranged], lo_c, mode_c, hi_c])
    values = values.copy()
    values[rows] = mode_c
    return values, rng


def _bounds(values: np.ndarray, rng: np.ndarray, present: np.ndarray, f: fl.Field, text: pd.Series,
            p: ProblemTable, where: np.ndarray) -> None:
    """Values (and range bounds) outside the field's bounds, one message per cell."""
    group = f.level == "group"
    for x in (values, rng[:, 1], rng[:, 3]):
        with np.errstate(invalid="ignore"):
            low_bad = (x <= f.lo) if f.lo_open else (x < f.lo)
            bad = present & where & (~np.isfinite(x) | low_bad | (x > f.hi)) & ~p.has(f.path, group)
        if x is not values:
            bad &= ~np.isnan(x)
        if bad.any():
            def say(pos: np.ndarray, x: np.ndarray = x, allowed: str = fl.bounds_text(f)) -> list[str]:
                out = []
                for k in pos:
                    msg = fl.bounds_message(f, float(x[k])) or "out of range"
                    out.append(msg + ("" if "finite" in msg else f"; allowed {allowed}") + f" (got {text.iloc[k]!r})")
                return out
            p.add(bad, f.path, say, group=group)


def _unreadable(text: pd.Series, example: str) -> Any:
    """Messages for cells that are not a number (with a unit): the strict parser's own reason."""
    def say(pos: np.ndarray) -> list[str]:
        out = []
        for v in text.iloc[pos].fillna("").to_numpy():
            try:
                split_quantity(str(v), example)
                out.append(f"cannot read {v!r} as a number with a unit (e.g. '{example}')")
            except ValueError as exc:
                out.append(str(exc))
        return out
    return say


def _saying(prefix: str, text: pd.Series) -> Any:
    """A message builder: ``prefix`` plus the offending cell, built only for the rows that need it."""
    return lambda pos: [f"{prefix} (got {v!r})" for v in text.iloc[pos].fillna("").to_numpy()]


def _mix_cells(text: pd.Series, f: fl.Field, p: ProblemTable, where: np.ndarray) -> np.ndarray:
    """``nuclear=0.4,gas=0.6`` cells as tuples of (technology, share); one parse per distinct cell."""
    out = np.full(len(text), None, dtype=object)
    present = text.notna().to_numpy()
    for cell in pd.unique(text[present]):
        rows = (text == cell).fillna(False).to_numpy()
        pairs, bad = [], ""
        for part in str(cell).split(","):
            tech, sep, share = part.partition("=")
            try:
                value = float(share)
            except ValueError:
                value = np.nan
            if not sep or not tech.strip() or not np.isfinite(value):
                bad = f"cannot read {part.strip()!r}; write a mix like '{f.example}' (got {cell!r})"
                break
            if not 0 <= value <= 1:
                bad = f"share of {tech.strip()!r} out of range; allowed 0 to 1 (got {cell!r})"
                break
            pairs.append((tech.strip(), value))
        if bad:
            p.add(rows & where, f.path, bad)
        else:
            for k in np.flatnonzero(rows):  # element by element: numpy would read a tuple as a row
                out[k] = tuple(pairs)
    return out


def _parse_column(df: pd.DataFrame, col: str | None, f: fl.Field, units: dict[str, str], p: ProblemTable,
                  where: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    if f.kind in ("number", "quantity"):
        return _numbers(df, col, f, units.get(col or "", ""), p, where)
    text = _text(df, col)
    if f.kind == "mix":
        return _mix_cells(text, f, p, where), None
    if f.kind == "text" and col is not None:
        _check_text(text, f, p, where)
    return text.astype(object).where(text.notna(), None).to_numpy(dtype=object), None


def _check_text(text: pd.Series, f: fl.Field, p: ProblemTable, where: np.ndarray) -> None:
    """Too long, or control characters (terminal escapes, bidi overrides): one message per bad cell."""
    present = text.notna().to_numpy()
    suspicious = present & ((text.str.len().fillna(0).to_numpy() > (f.max_length or np.inf))
                            | text.str.contains(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]",
                                                regex=True).fillna(False).to_numpy(dtype=bool))
    if not suspicious.any():
        return
    verdict = np.full(len(text), None, dtype=object)
    cells = text.to_numpy(dtype=object)
    for k in np.flatnonzero(suspicious):
        verdict[k] = fl.text_problem(str(cells[k]), f.max_length, multiline=f.path == "description")
    bad = np.array([v is not None for v in verdict], dtype=bool) & where
    p.add(bad, f.path, lambda pos: [str(verdict[k]) for k in pos], group=f.level == "group")


def _cluster_columns(df: pd.DataFrame, column_of: dict[str, str], units: dict[str, str], codes: np.ndarray,
                     first: np.ndarray, p: ProblemTable, rows: np.ndarray) -> tuple[dict[str, Any], list[tuple]]:
    """Cluster-level fields: parsed on every row, taken from each cluster's first row; rows that disagree
    with their cluster's first row are problems of their own."""
    g = len(df)
    local = ProblemTable(g, 0)
    values: dict[str, Any] = {}
    ranges: list[tuple] = []
    first_pos = np.flatnonzero(first)
    first_of = first_pos[codes]  # the first row of each row's cluster
    for f in _CLUSTER_FIELDS:
        col = column_of.get(f.path)
        v, rng = _parse_column(df, col, f, units, local, np.ones(g, dtype=bool))
        values[f.path] = v[first_pos]
        if rng is not None:
            for k in np.flatnonzero(~np.isnan(rng[first_pos, 1])):
                ranges.append(("cluster", k, f.path, bool(rng[first_pos[k], 0]), *rng[first_pos[k], 1:]))
        if col is None or first.all():  # one row per cluster: nothing can disagree
            continue
        differs = _differs(v, rng, _text(df, col), local.has(f.path), first_of) & ~first
        if differs.any():
            shown = _text(df, col).fillna("").to_numpy(dtype=object)
            p.add(differs, f.path, lambda pos, s=shown: [
                f"differs within the cluster: {s[k]!r} here, {s[first_of[k]]!r} in row {rows[first_of[k]]} "
                "(cluster-level fields must agree)" for k in pos], group=True)
    for _group, pos, path, msgs, allowed in local.parts:
        keep = first[pos]
        if keep.any():
            mask = np.zeros(len(first_pos), dtype=bool)
            at = codes[pos[keep]]
            mask[at] = True
            by_cluster = dict(zip(at, msgs[keep], strict=True))
            p.add(mask, path, lambda q, m=by_cluster: [m[k] for k in q], allowed=allowed)
    return values, ranges


def _differs(v: np.ndarray, rng: np.ndarray | None, text: pd.Series, unreadable: np.ndarray,
             first_of: np.ndarray) -> np.ndarray:
    """Rows whose value differs from their cluster's first row: parsed values compared (so '1.8 L/kWh'
    equals '1800 mL/kWh'), the text where a cell did not read."""
    if v.dtype == object:
        a, b = pd.Series(v, dtype=object), pd.Series(v[first_of], dtype=object)
        same = ((a == b) | (a.isna() & b.isna())).to_numpy()
    else:
        same = (v == v[first_of]) | (np.isnan(v) & np.isnan(v[first_of]))
        if rng is not None:
            for j in range(1, 4):
                x = rng[:, j]
                same &= (x == x[first_of]) | (np.isnan(x) & np.isnan(x[first_of]))
    raw = text.fillna("").to_numpy(dtype=object)
    bad = unreadable | unreadable[first_of]
    same = np.where(bad, raw == raw[first_of], same)
    return ~same


def from_dataset(df: pd.DataFrame, source: str = "<dataset>") -> tuple[InputTable, ProblemTable, pd.DataFrame]:
    """A batch dataset as an input table, the problems of its cells, and its unnamed rows' errors.

    Returns (table, problems, unnamed) where ``unnamed`` lists rows without a name (they belong to no
    cluster) in the ``errors.csv`` shape.  ``table.groups["row"]`` and ``table.clusters["row"]`` are file
    row numbers (header = 1).
    """
    bad_rows = list(df.attrs.get("bad_rows", []))
    df, units = split_header_units(df)
    rows_all = (np.asarray(df.index, dtype=np.int64) if pd.api.types.is_integer_dtype(df.index)
                else np.arange(len(df))) + 2
    df = df.reset_index(drop=True)
    column_of = {f.path: c for c in df.columns if (f := fl.by_column(str(c))) is not None}
    bad_cells = _blank_bad_cells(df, rows_all, bad_rows)
    name = _text(df, column_of.get("name"))
    named = name.notna().to_numpy()
    unnamed = pd.DataFrame({"row": rows_all[~named], "name": "", "field": "name",
                            "message": "missing required field (rows with the same name form one cluster)"},
                           columns=ERROR_COLUMNS)
    unread = [(r, c, m) for r, c, m in bad_rows if c == "(row)"]
    if unread:
        unnamed = pd.concat([unnamed, pd.DataFrame([(r, "", c, m) for r, c, m in unread], columns=ERROR_COLUMNS)],
                            ignore_index=True)
    df, name, rows = df[named].reset_index(drop=True), name[named].reset_index(drop=True), rows_all[named]
    dates = _phase_dates(df, name, column_of, units)
    key = name.astype(object) if dates is None else pd.Series(
        [(n, s, e) if ok else (n,) for n, s, e, ok in zip(name, dates.start, dates.end, dates.phased, strict=True)],
        dtype=object)
    codes, _ = pd.factorize(key)
    first = ~pd.Series(codes).duplicated().to_numpy()
    uniques = name.to_numpy(dtype=object)[first]
    p = ProblemTable(len(uniques), len(df))
    cluster_values, ranges = _cluster_columns(df, column_of, units, codes, first, p, rows)
    group_values: dict[str, Any] = {}
    for f in _GROUP_FIELDS:
        v, rng = _parse_column(df, column_of.get(f.path), f, units, p, np.ones(len(df), dtype=bool))
        group_values[f.path] = v
        if rng is not None:
            for k in np.flatnonzero(~np.isnan(rng[:, 1])):
                ranges.append(("group", k, f.path, bool(rng[k, 0]), *rng[k, 1:]))
    position = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    extra: dict[str, Any] = {}
    if dates is not None:
        extra = {"start": dates.start[first], "end": dates.end[first]}
    assumed = _assumed_fields(df, codes, first, p)
    if assumed is not None:
        extra["assumed"] = assumed
    claims = _reported_claims(df, first)
    if claims is not None:
        extra["claims"] = claims
    clusters = _frame({**cluster_values, "name": np.asarray(uniques, dtype=object), "file": source,
                       "row": rows[first], **extra})
    groups = _frame({"cluster": codes.astype(np.intp), "position": position, "row": rows, **group_values})
    table = InputTable(clusters, groups, pd.DataFrame(ranges, columns=RANGE_COLUMNS))
    for (row, column), message in bad_cells.items():
        f = fl.by_column(column)
        p.add(groups["row"].to_numpy() == row, f.path if f else column, message, group=True)
    if dates is not None:
        for mask, column, message in dates.problems:
            p.add(mask, column, message, group=True)
        _refuse_phased_ranges(table, p)
    return table, p, unnamed


#: Optional dataset columns with a cluster's published figures: (column, metric, unit, what the figure is).  Each
#: becomes a claim its report checks; the figure's source is the row's ``source_title`` (else ``source_url``).
REPORTED_COLUMNS = (
    ("reported_power_mw", "facility_power_peak", "MW",
     "a site power as reported (peak demand, substation or campus capacity: not always the same quantity)"),
    ("reported_water_m3_per_day", "water_onsite_withdrawal_per_day", "m**3/day",
     "water a day as reported (a supply figure: withdrawal, not consumption)"),
)


def _reported_claims(df: pd.DataFrame, first: np.ndarray) -> np.ndarray | None:
    """Per cluster (its first row), the claims of the :data:`REPORTED_COLUMNS` it fills (a positive number);
    None when the dataset has none of those columns."""
    lower = {str(c).strip().lower(): c for c in df.columns}
    present = [(lower[col], metric, unit, what) for col, metric, unit, what in REPORTED_COLUMNS if col in lower]
    if not present:
        return None
    rows = df.iloc[np.flatnonzero(first)]
    out = np.empty(len(rows), dtype=object)
    for k, (_, row) in enumerate(rows.iterrows()):
        source = next((str(row[lower[c]]).strip() for c in ("source_title", "source_url")
                       if c in lower and pd.notna(row[lower[c]]) and str(row[lower[c]]).strip()), "the dataset")
        if len(source) > CITATION_LENGTH:
            source = source[:CITATION_LENGTH - 1] + "…"
        if (problem := fl.text_problem(source, CITATION_LENGTH, multiline=True)) is not None:
            source = f"the dataset (its source text is not printed: {problem})"
        found = []
        for col, metric, unit, what in present:
            value = pd.to_numeric(pd.Series([row[col]]), errors="coerce").iloc[0]
            if pd.notna(value) and np.isfinite(value) and value > 0:
                found.append(Claim(metric=metric, value=Q_(float(value), unit), source=source,
                                   note=f"dataset column {col}: {what}"))
        out[k] = tuple(found)
    return out


def _assumed_fields(df: pd.DataFrame, codes: np.ndarray, first: np.ndarray, p: ProblemTable) -> np.ndarray | None:
    """The optional ``assumed_fields`` column: per cluster (its first row), the field paths whose values the
    dataset's compiler assumed rather than found reported (``utilization;pue;wue``, dataset column names).
    Reports list those inputs as assumed, not as reported inputs.  A name that is no dataset column is an error
    of its cluster.  None without the column."""
    col = next((c for c in df.columns if str(c).strip().lower() == "assumed_fields"), None)
    if col is None:
        return None
    text = df[col].astype("string").fillna("").to_numpy(dtype=object)[first]
    out = np.empty(len(text), dtype=object)
    allowed = sorted({a for f in fl.FIELDS for a in (f.column, *f.aliases)})
    for k, cell in enumerate(text):
        names = [n.strip() for n in str(cell).replace(",", ";").split(";") if n.strip()]
        paths = []
        for n in names:
            f = fl.by_column(n)
            if f is None:
                mask = np.zeros(len(text), dtype=bool)
                mask[k] = True
                hint = nearest(n, allowed)
                p.add(mask, "assumed_fields", f"names {n!r}, which is not a dataset column"
                      + (f"; did you mean {hint!r}?" if hint else "; allowed: the input columns of `clusterprint "
                         "schema` (utilization, pue, wue, grid, ...)"))
            else:
                paths.append(f.path)
        out[k] = tuple(paths)
    return out


# --------------------------------------------------------------------------- dated phases in datasets

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?$")


@dataclass
class _Dates:
    """Per row: the phase dates (ISO text, None when absent or bad), whether the row is a valid dated phase, and
    the problems found (row mask, column, messages)."""

    start: np.ndarray
    end: np.ndarray
    phased: np.ndarray
    problems: list[tuple[np.ndarray, str, Any]]


def _date_column(df: pd.DataFrame, which: str) -> str | None:
    return next((str(c) for c in df.columns if str(c).strip().lower() == which), None)


def _phase_dates(df: pd.DataFrame, name: pd.Series, column_of: dict[str, str], units: dict[str, str]
                 ) -> _Dates | None:
    """Optional ``start`` / ``end`` columns (YYYY-MM-DD, end exclusive): the rows of one name with the same pair
    form one phase; a name with several pairs is a timeline (contiguous, no overlaps, no gaps, as in YAML).
    A dated row's ``period`` is set here from its dates (``df`` is changed in place).  None without the columns."""
    cols = {w: _date_column(df, w) for w in ("start", "end")}
    if cols["start"] is None and cols["end"] is None:
        return None
    n = len(df)
    problems: list[tuple[np.ndarray, str, Any]] = []
    parsed: dict[str, np.ndarray] = {}
    given: dict[str, np.ndarray] = {}
    broken = np.zeros(n, dtype=bool)
    for w, col in cols.items():
        text = _text(df, col)
        given[w] = text.notna().to_numpy()
        raw = text.fillna("").to_numpy(dtype=object)
        ok = np.array([bool(_DATE.match(str(v))) for v in raw]) & given[w]
        when = pd.to_datetime(pd.Series([str(v)[:10] for v in raw]).where(ok), format="%Y-%m-%d", errors="coerce")
        good = when.notna().to_numpy()
        bad = given[w] & ~good
        if bad.any():
            problems.append((bad, col or w, lambda pos, r=raw: [
                f"cannot read {r[k]!r} as a date; write it as YYYY-MM-DD (e.g. '2024-07-22')" for k in pos]))
        broken |= bad
        parsed[w] = when.dt.date.to_numpy(dtype=object)
    start_col, end_col = cols["start"] or "start", cols["end"] or "end"
    for w, other, col in (("start", "end", end_col), ("end", "start", start_col)):
        alone = given[w] & ~given[other]
        if alone.any():
            problems.append((alone, col, f"missing: {w} is given, so {other} is required too "
                             "(YYYY-MM-DD; end is exclusive, the first day after the phase)"))
        broken |= alone
    both = given["start"] & given["end"] & ~broken
    s_val, e_val = parsed["start"], parsed["end"]
    order_bad = np.zeros(n, dtype=bool)
    order_bad[both] = [e <= s for s, e in zip(s_val[both], e_val[both], strict=True)]
    if order_bad.any():
        problems.append((order_bad, end_col, lambda pos: [
            f"end {e_val[k].isoformat()} is not after start {s_val[k].isoformat()} (end is exclusive: a one-day "
            "phase ends the day after it starts)" for k in pos]))
    phased = both & ~order_bad
    period_col = column_of.get("period")
    if period_col is not None:
        clash = (given["start"] | given["end"]) & _text(df, period_col).notna().to_numpy()
        if clash.any():
            problems.append((clash, period_col, "a dated row takes its period from start/end; remove 'period' "
                             "(or the dates)"))
    names = name.to_numpy(dtype=object)
    dated_name = set(names[given["start"] | given["end"]])
    undated = ~(given["start"] | given["end"]) & np.array([x in dated_name for x in names], dtype=bool)
    if undated.any():
        problems.append((undated, start_col, lambda pos: [
            f"missing: other rows of cluster {names[k]!r} give start/end dates; every row of a dated cluster "
            "needs both (YYYY-MM-DD)" for k in pos]))
    _contiguity(names, s_val, e_val, phased, start_col, problems)
    start = np.array([d.isoformat() if ok else None for d, ok in zip(s_val, phased, strict=True)], dtype=object)
    end = np.array([d.isoformat() if ok else None for d, ok in zip(e_val, phased, strict=True)], dtype=object)
    # the period of a phase is its dates' length, as for a YAML timeline phase; a row whose dates failed gets a
    # placeholder (it is not computed) so that 'period is required' does not repeat the root cause
    placeholder = (given["start"] | given["end"]) & ~phased & ~(_text(df, period_col).notna().to_numpy())
    if phased.any() or placeholder.any():
        col = period_col or "period"
        if col not in df:
            df[col] = pd.Series(None, index=df.index, dtype=object)
        values = df[col].astype(object).to_numpy(dtype=object).copy()
        for k in np.flatnonzero(phased):
            values[k] = f"{(e_val[k] - s_val[k]).days} day"
        values[placeholder] = "1 day"
        df[col] = pd.Series(values, index=df.index, dtype=object)
        column_of["period"] = col
    return _Dates(start, end, phased, problems)


def _contiguity(names: np.ndarray, s_val: np.ndarray, e_val: np.ndarray, phased: np.ndarray, col: str,
                problems: list[tuple[np.ndarray, str, Any]]) -> None:
    """The phases of a name in date order must be contiguous: an overlap or a gap is reported at the first row
    of the later phase."""
    seen: dict[tuple[Any, Any, Any], int] = {}
    for k in np.flatnonzero(phased):
        seen.setdefault((names[k], s_val[k], e_val[k]), int(k))
    by_name: dict[Any, list[tuple[Any, Any, int]]] = {}
    for (nm, s, e), at in seen.items():
        by_name.setdefault(nm, []).append((s, e, at))
    messages: dict[int, str] = {}
    for nm, phases in by_name.items():
        phases.sort(key=lambda t: (t[0], t[1]))
        for (ps, pe, _), (s, e, at) in zip(phases, phases[1:], strict=False):
            if s < pe:
                messages[at] = (f"phase {s.isoformat()}..{e.isoformat()} overlaps the phase {ps.isoformat()}.."
                               f"{pe.isoformat()} of cluster {nm!r}: phases may not overlap (end is exclusive: the "
                               "next phase starts on the previous one's end date)")
            elif s > pe:
                messages[at] = (f"leaves a gap of {(s - pe).days} day(s) after the phase {ps.isoformat()}.."
                               f"{pe.isoformat()} of cluster {nm!r}: phases must be contiguous (end is exclusive, so "
                               "the next phase starts on the previous one's end date)")
    if messages:
        mask = np.zeros(len(names), dtype=bool)
        mask[list(messages)] = True
        problems.append((mask, col, lambda pos: [f"{messages[int(k)]} (got {s_val[k].isoformat()!r})" for k in pos]))


def _refuse_phased_ranges(table: InputTable, p: ProblemTable) -> None:
    """Ranges are refused in a cluster of several dated phases: its totals would need the phases' draws combined
    draw by draw, which the batch path does not do."""
    c = table.clusters
    phases = c.groupby("name", sort=False)["start"].transform(lambda s: s.dropna().nunique()).to_numpy()
    multi = phases > 1
    if not multi.any() or not len(table.ranges):
        return
    owners = table.groups["cluster"].to_numpy()
    msg = ("a range is not supported in a cluster of several dated phases (its totals would need the phases' "
           "draws combined draw by draw); give a single value, or compute the phases as separate clusters")
    for rr in table.ranges.itertuples(index=False):
        group = rr.level == "group"
        if multi[owners[rr.index] if group else rr.index]:
            mask = np.zeros(len(table.groups) if group else len(c), dtype=bool)
            mask[rr.index] = True
            p.add(mask, rr.path, f"{msg} (got {rr.low:g}..{rr.high:g} {fl.field(rr.path).unit})", group=group)


def _blank_bad_cells(df: pd.DataFrame, rows: np.ndarray, bad_rows: list[tuple[int, str, str]]
                     ) -> dict[tuple[int, str], str]:
    """Cells the reader could not trust (uncalculated formulas): emptied here, reported as problems."""
    out = {}
    for row, column, message in bad_rows:
        if column in df.columns:
            at = np.flatnonzero(rows == row)
            if len(at):
                df.loc[at, column] = None
                out[(int(row), str(column))] = message
    return out


def dataset_errors(table: InputTable, problems: ProblemTable, unnamed: pd.DataFrame,
                   column_names: dict[str, str] | None = None) -> pd.DataFrame:
    """``errors.csv``: a line per problem at its file row, plus a line for every other row of a failed cluster."""
    frame = problems.frame()
    names = table.clusters["name"].to_numpy(dtype=object)
    g_cluster, g_row = table.groups["cluster"].to_numpy(), table.groups["row"].to_numpy()
    c_row = table.clusters["row"].to_numpy()
    is_group = frame["group"].to_numpy(dtype=bool)
    idx = frame["index"].to_numpy(dtype=np.intp)
    owner = np.where(is_group, g_cluster[np.where(is_group, idx, 0)], idx)
    row = np.where(is_group, g_row[np.where(is_group, idx, 0)], c_row[np.where(is_group, 0, owner)])
    shown = column_names or {}
    allowed = frame["allowed"].fillna("").astype(str).to_numpy(dtype=object)
    msg = frame["message"].astype(str).to_numpy(dtype=object)
    msg = np.where((allowed != "") & (np.char.str_len(allowed.astype(str)) <= 120), msg + "; allowed: " + allowed, msg)
    errors = pd.DataFrame({"row": row, "name": names[owner] if len(owner) else [],
                           # a rule on the whole group (count or accelerator-hours) is reported on 'count'
                           "field": [shown.get(p, p) or "count" for p in frame["path"]], "message": msg})
    bad = problems.bad_clusters(g_cluster)
    listed = errors.groupby(owner)["row"].agg(lambda r: ", ".join(str(x) for x in sorted(set(r))))
    quiet = bad[g_cluster] & ~np.isin(g_row, row)
    extra = pd.DataFrame({"row": g_row[quiet], "name": names[g_cluster[quiet]], "field": "(cluster)",
                          "message": "not computed: cluster has errors in row(s) "
                          + pd.Series(g_cluster[quiet]).map(listed).astype(str).to_numpy(dtype=object)})
    out = pd.concat([x for x in (errors, extra, unnamed) if len(x)], ignore_index=True) if \
        len(errors) + len(extra) + len(unnamed) else pd.DataFrame(columns=ERROR_COLUMNS)
    return out.sort_values("row", kind="stable").reset_index(drop=True)[ERROR_COLUMNS]
