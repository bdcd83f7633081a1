"""Files in and out: datasets, atomic writes with the usual permissions, manifests of what was written.

Used by the batch, the reports and the validation alike; nothing here computes.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from pipeline import fields as fl
from pipeline.errors import Problem, ScenarioError

__all__ = ["csv_text", "folder_names", "read_dataset", "slug", "split_header_units", "write_atomic"]

_HEADER = re.compile(r"^\s*(?P<name>[^\[\]]*?)\s*\[(?P<unit>[^\[\]]*)\]\s*$")


def split_header_units(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename ``power [W]``-style headers to ``power`` and return ``{column: unit}``.

    Units already recorded in ``df.attrs["units"]`` are kept.
    """
    units = dict(df.attrs.get("units", {}))
    rename = {}
    for col in df.columns:
        m = _HEADER.match(str(col))
        if m:
            rename[col] = m["name"]
            units[m["name"]] = m["unit"].strip()
    names = [rename.get(c, str(c)) for c in df.columns]
    fields = [fl.by_column(c).path if fl.by_column(c) else c for c in names]  # type: ignore[union-attr]
    dup = sorted({c for c, f in zip(names, fields, strict=True) if fields.count(f) > 1})
    if dup:
        raise ScenarioError([Problem("<dataset>", c, "column given more than once (by path and alias, or with and "
                                     "without a header unit)") for c in dup])
    out = df.rename(columns=rename) if rename else df
    out.attrs["units"] = units
    return out, units


def read_dataset(path: str | Path) -> pd.DataFrame:
    """Read a batch table (``.csv``; ``.parquet``/``.pq``; ``.xlsx``/``.xls``) with header units parsed.

    CSV cells are read as text so that ``"700 W"`` and ``"0.8"`` are parsed the same way; header
    units are stripped from the column names and kept in ``df.attrs["units"]``.  The index is the
    row's position in the file (header = row 1 is index -1), so messages name the right row even after
    blank lines.  Rows that cannot be read (a CSV line with the wrong number of fields; a spreadsheet
    formula with no cached value) are listed in ``df.attrs["bad_rows"]`` as (row, column, message):
    they go to ``errors.csv``, never silently to a default.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    bad: list[tuple[int, str, str]] = []
    try:
        if suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        elif suffix in (".xlsx", ".xls", ".xlsm"):
            df = pd.read_excel(p, dtype=str)
            if suffix != ".xls":
                df, bad = _uncached_formulas(p, df)
        else:
            df, bad = _read_csv(p)
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read file: {exc.strerror or exc}")]) from None
    except (ValueError, ImportError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read table: {str(exc).splitlines()[0]}")]) from None
    df, _ = split_header_units(df)
    df.attrs["bad_rows"] = bad
    return df


def _read_csv(p: Path) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    try:
        df = pd.read_csv(p, dtype=str, skipinitialspace=True, skip_blank_lines=False)
        return df[~df.isna().all(axis=1)], []  # blank lines dropped, positions kept
    except pd.errors.ParserError:
        pass
    # a line with the wrong number of fields: read record by record, the bad ones become error rows
    with p.open(encoding="utf-8", newline="") as f:
        records = list(csv.reader(f, skipinitialspace=True))
    if not records:
        raise ValueError("no header row")
    header, width = records[0], len(records[0])
    good, index, bad = [], [], []
    for k, rec in enumerate(records[1:]):
        if not rec or all(not c.strip() for c in rec):
            continue
        if len(rec) != width:
            bad.append((k + 2, "(row)", f"has {len(rec)} fields, the header has {width}; the row is not read"))
            continue
        good.append([c if c != "" else None for c in rec])
        index.append(k)
    return pd.DataFrame(good, columns=header, index=index, dtype=object), bad


def _uncached_formulas(p: Path, df: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Formula cells a spreadsheet never calculated read as empty, and would take a default silently."""
    from openpyxl import load_workbook

    formulas = load_workbook(p, read_only=True).worksheets[0]
    values = load_workbook(p, read_only=True, data_only=True).worksheets[0]
    bad = []
    for r, (frow, vrow) in enumerate(zip(formulas.iter_rows(min_row=2), values.iter_rows(min_row=2),
                                         strict=False)):
        for c, (fc, vc) in enumerate(zip(frow, vrow, strict=False)):
            if isinstance(fc.value, str) and fc.value.startswith("=") and vc.value is None and c < len(df.columns):
                bad.append((r + 2, str(df.columns[c]), f"a formula with no calculated value ({fc.value}); open "
                            "and save the file in a spreadsheet program, or export it as CSV"))
    return df, bad


_FORMULA = re.compile(r"^[=+\-@\t\r]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def csv_text(df: pd.DataFrame) -> str:
    """A frame as CSV text that is safe to open: text cells that a spreadsheet would run as a formula
    (starting with = + - @, tab or carriage return) get a leading apostrophe (OWASP, "CSV injection"),
    and control characters are written escaped.  Numbers are written as they are.

    >>> csv_text(pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "ok"], "x": [-1.5, 2.0]}))
    "name,x\\n'=cmd|' /C calc'!A0,-1.5\\nok,2.0\\n"
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            text = s.astype("string")
            text = text.where(~text.str.contains(_FORMULA, na=False), "'" + text)
            text = text.str.replace(_CONTROL, lambda m: ascii(m.group())[1:-1], regex=True)
            out[col] = text.astype(object).where(s.notna(), s)
    return out.to_csv(index=False)


def slug(text: str) -> str:
    """A file-system-safe name: ``"xAI Colossus, Memphis (phase 1)"`` -> ``"xai-colossus-memphis-phase-1"``.

    Names with no Latin letters or digits, or longer than 60 characters, get a short hash of the exact
    name, so that they stay distinct: ``"東京"`` -> ``"scenario-…"``.

    >>> slug("xAI Colossus, Memphis (phase 1)"), slug("東京") != slug("大阪"), slug("x" * 61) != slug("x" * 62)
    ('xai-colossus-memphis-phase-1', True, True)
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not s or len(s) > 60:
        return f"{s[:60].rstrip('-') or 'scenario'}-{_digest(text)}"
    return s


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def folder_names(names: list[str]) -> dict[str, str]:
    """A folder per distinct name, unique within the run and stable across runs (for resuming).

    Names whose slugs collide (``"a b"``, ``"a/b"``, ``"A-B"``) each get a short hash of the exact name.

    >>> folder_names(["a b", "A-B", "Colossus"])  # doctest: +ELLIPSIS
    {'a b': 'a-b-...', 'A-B': 'a-b-...', 'Colossus': 'colossus'}
    """
    slugs = {n: slug(n) for n in dict.fromkeys(names)}
    taken: dict[str, int] = {}
    for s in slugs.values():
        taken[s] = taken.get(s, 0) + 1
    return {n: (s if taken[s] == 1 else f"{s}-{_digest(n)}") for n, s in slugs.items()}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary name in the same folder, then rename: never a half-written file.

    The file ends with the permissions a plain ``open()`` would give (0666 less the umask), not
    the 0600 of a temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
