"""Fuzz clusterprint's inputs: any value in any field gives results or the project's error, never another
exception, a hang or a non-finite number.

Usage (README, "Development"): ``.venv/bin/python scripts/fuzz.py --seconds 180``

Hypothesis draws scenario mappings from a valid base with 1-3 fields replaced by hostile values (text
that pint would misread or choke on, huge and tiny numbers, NaN, wrong types, nested structures, control
characters), and runs them through the Python API (``parse_scenario`` + ``compute``), the batch engine
(``run_batch`` on the same cluster as a CSV row) and, for a sample, the CLI in-process.  Every case must
end in a result whose metrics are all finite (or absent) or in :class:`pipeline.ScenarioError`; each case
runs under a time limit.  Prints the number of cases and the failures, exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import io
import math
import signal
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline import ScenarioError, compute, parse_scenario  # noqa: E402
from pipeline.batch import run_batch  # noqa: E402
from pipeline.cli import main  # noqa: E402

BASE = {"name": "Fuzz", "fleet": [{"accelerator": "h100-sxm", "count": 1000}], "utilization": 0.8,
        "period": "1 year", "pue": 1.2, "wue": "1.8 L/kWh", "supply": {"grid": "us-srtv"}}
PATHS = ["name", "location", "description", "utilization", "period", "pue", "wue", "lifetime", "gwp_metric",
         "fleet.0.accelerator", "fleet.0.count", "fleet.0.accelerator_hours", "fleet.0.power", "fleet.0.idle_power",
         "fleet.0.host_power", "fleet.0.embodied", "fleet.0.label", "supply.grid", "supply.mix",
         "supply.grid_intensity", "supply.grid_water_intensity", "supply.onsite.technology", "supply.onsite.share",
         "supply.ppa.share", "supply.ppa.intensity", "claims", "sources", "variants"]
NASTY = ["1,2", "1 2", "1,500 W", "10**10**10 L/kWh", "9**9**7 W", "1/0 W", "kWh/0", "()", "(", "1 W +", "'", '"',
         "[ ", "nan", "inf", "-inf", "1e308", "1e-320 year", "1e999 W", "0", "-0", "-5", "1.5", "700", "700 W",
         "1 year + 1 W", "𝟕𝟎𝟎 W", "__import__('os') W", "$\\frac{a}{$", "\x1b[31m", "\u202eevil", "", " ", "x" * 300,
         "nuclear=0.5,gas=0.5", "gas=2", "1..2", "2..1", "1..2..3 W", "1 L/kWh", "400 g/kWh", "1 t", "us-srtv",
         "h100-sxm", "gas-turbine-simple-cycle", "AR6GWP100", "%", "°C", "1 m ** 99", "1 m^2"]
values = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=30), st.none(), st.booleans(),
    st.integers(min_value=-10**30, max_value=10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.sampled_from(["low", "mode", "high", "dist", "x"]),
                                                          st.sampled_from(NASTY + [1, 2, 0.5]), max_size=4),
)


class Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise Timeout


def _set(data: dict, path: str, value: object) -> None:
    node: object = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})  # type: ignore[index,union-attr]
        if not isinstance(node, (dict, list)):
            return
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value  # type: ignore[index]


def _finite(result: object) -> bool:
    for q in result.metrics.values():  # type: ignore[attr-defined]
        for x in q.magnitude:
            if isinstance(x, float) and math.isinf(x):
                return False
    return True


def _row(data: dict) -> pd.DataFrame:
    """The same cluster as a one-row dataset (cells as text), where it can be expressed as one."""
    flat: dict[str, object] = {}
    for k, v in data.items():
        if k == "fleet" and isinstance(v, list) and v and isinstance(v[0], dict):
            flat.update(v[0])
        elif k == "supply" and isinstance(v, dict):
            for sk, sv in v.items():
                if isinstance(sv, dict):
                    flat.update({f"supply.{sk}.{kk}": vv for kk, vv in sv.items()})
                else:
                    flat[f"supply.{sk}"] = sv
        elif k not in ("claims", "sources", "variants"):
            flat[k] = v
    return pd.DataFrame([{k: (None if v is None else str(v)) for k, v in flat.items()}], dtype=object)


FAILURES: list[str] = []
COUNTS = {"cases": 0, "computed": 0, "refused": 0, "batch_rows": 0}


def check(data: dict, cli: bool) -> None:
    COUNTS["cases"] += 1
    signal.alarm(20)
    try:
        try:
            r = compute(parse_scenario(data, file="fuzz.yaml"), draws=0)
            COUNTS["computed"] += 1
            if not _finite(r):
                FAILURES.append(f"non-finite result for {data!r}")
        except ScenarioError:
            COUNTS["refused"] += 1
        try:
            b = run_batch(_row(data))
            COUNTS["batch_rows"] += 1
            if len(b.results) + len(b.errors) == 0:
                FAILURES.append(f"batch row lost: {data!r}")
        except ScenarioError:
            pass
        if cli:
            path = Path("/tmp/clusterprint-fuzz.yaml")
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                code = main(["compute", str(path), "--json"])
            if code not in (0, 2) or "Traceback" in err.getvalue():
                FAILURES.append(f"CLI exit {code} for {data!r}: {err.getvalue()[-300:]}")
    except Timeout:
        FAILURES.append(f"took more than 20 s: {data!r}")
    except Exception:  # noqa: BLE001 - the point: anything else is a failure to report
        FAILURES.append(f"{traceback.format_exc(limit=3)}\n  input: {data!r}")
    finally:
        signal.alarm(0)


def run(seconds: float) -> int:
    signal.signal(signal.SIGALRM, _alarm)
    deadline = time.monotonic() + seconds

    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3), st.booleans())
    def fuzz(changes: list[tuple[str, object]], cli: bool) -> None:
        data = yaml.safe_load(yaml.safe_dump(BASE))
        for path, value in changes:
            _set(data, path, value)
        check(data, cli and COUNTS["cases"] % 10 == 0)

    while time.monotonic() < deadline:  # rounds of 100 examples, each with fresh random draws
        fuzz()
    print(f"{COUNTS['cases']} cases in {seconds:.0f} s: {COUNTS['computed']} computed, {COUNTS['refused']} refused "
          f"with ScenarioError, {COUNTS['batch_rows']} batch rows; {len(FAILURES)} failures")
    for f in FAILURES[:20]:
        print("-", f)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=180)
    sys.exit(run(ap.parse_args().seconds))
