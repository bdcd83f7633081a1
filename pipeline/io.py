"""Files in and out: datasets, atomic writes with the usual permissions, manifests of what was written.

Used by the batch, the reports and the validation alike; nothing here computes.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from pipeline import fields as fl
from pipeline.errors import Problem, ScenarioError

__all__ = ["csv_text", "read_dataset", "split_header_units", "write_atomic"]

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
    units are stripped from the column names and kept in ``df.attrs["units"]``.
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
    except (ValueError, ImportError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read table: {exc}")]) from None
    df, _ = split_header_units(df)
    return df


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
