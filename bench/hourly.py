"""Hourly runs (``resolution: hourly``) vs a raw-numpy floor doing the same arithmetic.

``python -m bench hourly`` measures :func:`pipeline.hourly.run` on 1 and 1,000 scenarios (TVA 2023 hourly mix,
evaporative towers in the Memphis TMY3 climate, one H100 group each, utilization and PUE varied) and the same
arithmetic on bare float arrays, chunked alike: each scenario repeated over 8,760 hours, the hourly intensity as
a matrix product of shares x technology factors, the tower's WUE cubic from the wet bulb, every metric of the
chain (bench/__main__.py's floor), then the sums over hours, the 24/7 CFE sums, monthly sums and the worst day.
Both outputs are checked equal; the section "Hourly runs" of bench/RESULTS.md is replaced (others untouched).
"""

from __future__ import annotations

import gc
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).with_name("RESULTS.md")
H = 8760
MONTH_STARTS = np.concatenate([[0], np.cumsum((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31))[:-1]]) * 24


def _time(fn) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _paired(pipe, floor, reps: int) -> tuple[float, float, float, list[float]]:
    """Run ``pipe`` and ``floor`` in turn ``reps`` times: medians of each, and the median of the per-pair ratios
    (a pair runs within a few seconds, so load from other processes on a shared machine hits both alike)."""
    tp, tn = [], []
    for _ in range(reps):
        tp.append(_time(pipe))
        tn.append(_time(floor))
    ratios = [a / b for a, b in zip(tp, tn, strict=True)]
    return statistics.median(tp), statistics.median(tn), statistics.median(ratios), ratios


def resolved(n: int, seed: int = 0):
    """A resolved table of ``n`` hourly scenarios."""
    from pipeline import columns, resolve
    from pipeline.schema import Scenario

    rng = np.random.default_rng(seed)
    models = [Scenario.model_validate({
        "name": f"s{i}", "fleet": [{"accelerator": "h100-sxm", "count": 100_000}],
        "utilization": float(rng.uniform(0.3, 1.0)), "period": "8760 h", "pue": float(rng.uniform(1.1, 1.5)),
        "wue": "1.8 L/kWh", "resolution": "hourly", "supply": {"grid": "us-srtv", "hourly": "tva-2023"},
        "cooling": {"type": "evaporative-tower", "climate": "memphis-tmy3"}}) for i in range(n)]
    return resolve.resolve(columns.from_scenarios(models, ["<bench>"] * n))


def resolved_ranged():
    """One hourly scenario of :func:`resolved` with ranged inputs: PUE 1.1..1.5 and utilization 0.5..0.9 (uniform)."""
    from pipeline import columns, resolve
    from pipeline.schema import Scenario

    model = Scenario.model_validate({
        "name": "ranged", "fleet": [{"accelerator": "h100-sxm", "count": 100_000}],
        "utilization": {"low": 0.5, "high": 0.9}, "period": "8760 h", "pue": {"low": 1.1, "high": 1.5},
        "wue": "1.8 L/kWh", "resolution": "hourly", "supply": {"grid": "us-srtv", "hourly": "tva-2023"},
        "cooling": {"type": "evaporative-tower", "climate": "memphis-tmy3"}})
    return resolve.resolve(columns.from_scenarios([model], ["<bench>"]))


#: Run in a fresh interpreter per draw count, so that its peak resident set is its own: ``VmHWM`` of
#: /proc/self/status (``ru_maxrss`` would not do: Linux carries the parent's high-water mark across exec).
_DRAWS_RUN = """
import sys, time
import numpy as np
from bench.hourly import resolved_ranged
from pipeline import hourly


def peak_kb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


res = resolved_ranged()
hourly.run(res, np.arange(1))  # warm the caches and the registry
before = peak_kb()
t = time.perf_counter()
(lo, mid, hi), _ = hourly.percentiles(res, np.arange(1), int(sys.argv[1]), 0)
wall = time.perf_counter() - t
print(wall, before, peak_kb(), lo["energy"].m_as("GWh")[0], hi["energy"].m_as("GWh")[0])
"""


def bench_draws(counts=(114, 1000, 3000)) -> list[tuple[int, int, float, float, float, float]]:
    """The Monte Carlo over hours of one ranged scenario (:func:`resolved_ranged`): (draws, chunks, wall s, peak
    RSS growth MB, energy P5 and P95 GWh), one fresh process per draw count."""
    from pipeline.montecarlo import MAX_CELLS, draw_chunks

    out = []
    root = Path(__file__).resolve().parents[1]
    for d in counts:
        done = subprocess.run([sys.executable, "-c", _DRAWS_RUN, str(d)], check=True, capture_output=True, text=True,
                              cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
        wall, before, after, p5, p95 = (float(x) for x in done.stdout.split())
        out.append((d, len(draw_chunks(1, d, H, MAX_CELLS)), wall, (after - before) / 1024, p5, p95))
        print(f"hourly draws={d}: {wall:.1f} s, peak RSS +{(after - before) / 1024:.0f} MB")
    return out


class _M:
    """A bare array posing as a Quantity for the floor (which reads ``.magnitude`` only)."""

    __slots__ = ("magnitude",)

    def __init__(self, a: np.ndarray) -> None:
        self.magnitude = a


class _NS:
    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def floor_inputs(res):
    """Everything the floor needs, as bare numpy (read once, outside the timing, as the engine's caches are)."""
    from pipeline import hourly, profiles
    from pipeline.inputs import ScenarioArrays

    shares = profiles.grid_profile("tva-2023")
    techs = tuple(shares.columns)
    from pipeline import reference as ref

    def factors(param: str, unit: str) -> np.ndarray:
        return np.array([ref.factors("technologies", "technology", t)[param].quantity.m_as(unit) for t in techs])

    tower = profiles.cooling_parameters("evaporative-tower")
    return {
        "shares": shares.to_numpy(), "direct": factors("co2e_intensity_direct", "g CO2e/kWh"),
        "water": factors("water_consumption", "L/kWh"),
        "cfe_cols": np.array([t in profiles.CARBON_FREE for t in techs]),
        "wet_f": profiles.climate("memphis-tmy3")["wet_bulb_c"].to_numpy() * 9 / 5 + 32,
        "coeffs": (tower["wue_a3"], tower["wue_a2"], tower["wue_a1"], tower["wue_a0"], tower["wue_floor"]),
        "sa": {f: np.asarray(getattr(res.sa, f).magnitude, dtype=float) for f in ScenarioArrays.__dataclass_fields__},
        "ga": {f: np.asarray(getattr(res.ga, f).magnitude, dtype=float) for f in res.ga.__dataclass_fields__
               if f != "scenario"},
        "rules": None, "grid_average": res.origin["residual_intensity"] == "grid-average",
        "per": max(1, hourly.MAX_CELLS // H),
    }


def numpy_floor(d: dict, rules: dict[str, str]) -> dict[str, np.ndarray]:
    """The hourly run on bare floats: same inputs, same arithmetic, same chunks; returns the per-scenario totals
    (and the CFE, monthly and worst-day figures, so that nothing the engine computes is skipped)."""
    from bench.__main__ import _numpy_floor

    n = len(d["sa"]["pue"])
    out: dict[str, list[np.ndarray]] = {}
    gi_h = d["shares"] @ d["direct"]
    gw_h = d["shares"] @ d["water"]
    cfe_h = d["shares"][:, d["cfe_cols"]].sum(axis=1)
    a3, a2, a1, a0, lo = d["coeffs"]
    t = d["wet_f"]
    wue_h = np.maximum(((a3 * t + a2) * t + a1) * t + a0, lo)
    for start in range(0, n, d["per"]):
        rows = np.arange(start, min(n, start + d["per"]))
        k = len(rows)
        sa = {f: np.repeat(v[rows], H) for f, v in d["sa"].items()}  # each scenario over its hours
        sa["period"] = sa["period"] / H
        sa["wue"] = np.tile(wue_h, k)
        sa["grid_intensity"] = np.tile(gi_h, k)
        sa["grid_water_intensity"] = np.tile(gw_h, k)
        sa["residual_intensity"] = np.where(np.repeat(d["grid_average"][rows], H), sa["grid_intensity"],
                                            sa["residual_intensity"])
        ga = {f: np.repeat(v[rows], H) for f, v in d["ga"].items()}  # one group per scenario
        ga["accelerator_hours"] = ga["accelerator_hours"] / H
        metrics = _numpy_floor(_NS(**{f: _M(v) for f, v in sa.items()}),
                               _NS(scenario=np.arange(k * H), **{f: _M(v) for f, v in ga.items()}))
        for name, v in metrics.items():
            m = np.asarray(v, dtype=float).reshape(k, H)
            how = rules[name]
            out.setdefault(name, []).append(m.sum(axis=1) if how == "sum" else m.mean(axis=1) if how == "mean"
                                            else m.max(axis=1))
        fac, grid, ppa = (metrics[x].reshape(k, H) for x in ("energy", "grid_energy", "ppa_energy"))
        w_on = metrics["water_onsite"].reshape(k, H)
        matched = np.minimum(ppa, grid)
        clean = matched + cfe_h * (grid - matched)
        out.setdefault("cfe_share", []).append(clean.sum(axis=1) / fac.sum(axis=1))
        for col in (fac, metrics["it_energy"].reshape(k, H), grid, w_on, metrics["water_total"].reshape(k, H),
                    metrics["co2e_location_based"].reshape(k, H), clean):
            np.add.reduceat(col, MONTH_STARTS, axis=1)
        out.setdefault("water_onsite_peak_day", []).append(w_on.reshape(k, 365, 24).sum(axis=2).max(axis=1))
    return {name: np.concatenate(v) for name, v in out.items()}


#: Pairs (clusterprint, floor) per size: a one-scenario pair takes ~20 ms, so many pairs keep its median steady on
#: a shared machine; a 1,000-scenario pair takes ~10 s.
PAIRS_FEW, PAIRS_MANY = 31, 5


def bench(sizes=(1, 1000)) -> list[tuple[int, float, float, float, list[float]]]:
    from pipeline import hourly
    from pipeline.metrics import METRIC_BY_NAME
    from pipeline.timeline import aggregation

    rows_out = []
    for n in sizes:
        res = resolved(n)
        rows = np.arange(n)
        totals, infos = hourly.run(res, rows)  # warm the caches and the registry
        d = floor_inputs(res)
        rules = {name: aggregation(name, q) for name, q in totals.items()}
        floor = numpy_floor(d, rules)
        for name, q in totals.items():  # the floor really does the same arithmetic
            assert np.allclose(q.m_as(METRIC_BY_NAME[name].unit), floor[name], equal_nan=True), name
        assert np.allclose([h.metric("cfe_share").m_as("") for h in infos], floor["cfe_share"])
        assert np.allclose([h.metric("water_onsite_peak_day").m_as("m**3/day") for h in infos],
                           floor["water_onsite_peak_day"])
        reps = PAIRS_FEW if n < 100 else PAIRS_MANY
        t_pipe, t_np, ratio, ratios = _paired(lambda: hourly.run(res, rows), lambda: numpy_floor(d, rules),  # noqa: B023
                                              reps)
        rows_out.append((n, t_pipe, t_np, ratio, ratios))
        print(f"hourly n={n}: clusterprint {t_pipe * 1e3:.1f} ms, numpy floor {t_np * 1e3:.1f} ms, "
              f"ratio {ratio:.2f} (per pair {', '.join(f'{r:.2f}' for r in ratios)})")
    return rows_out


#: This change's "before", measured with this module at commit 30a7898 (the tree of the second record) just before
#: the "after" above it was written, same machine and load.
BEFORE = ("**Before this change** (commit 30a7898, measured with this module, 31 and 5 pairs, 2026-11-30 02:28 UTC, "
          "load average 0.75 before, 1.63 after): one scenario 31.1 ms against 8.6 ms, **3.66×** (per pair "
          "3.29-4.43); 1,000 scenarios 6,265 ms against 3,974 ms, **1.63×** (per pair 1.42-1.68).")
#: What changed since the earlier records, and where the rest of the gap lies (cProfile of 1 and 1,000 scenarios).
NOTES = (
    "First record (2026-11-30 00:14 UTC): 1,000 scenarios 10,748 ms against 4,825 ms, **2.23×**; one "
    "scenario 27.7 ms against 7.4 ms, 3.77×. A cProfile of 1,000 scenarios then showed the scenario and group "
    "inputs repeated per hour by fancy indexing with an 8,760-fold index, a pandas row lookup per scenario and the "
    "profile index re-read per scenario; these were replaced by `np.repeat`, column reads and a cached year "
    "(second record, 00:45 UTC: one scenario 45.7 ms against 11.8 ms, **3.85×**; 1,000 scenarios 1.60×).",
    BEFORE,
    "What the profile of one scenario showed at the second record (cProfile, 50 runs, 2.9 s): 1.1 s in "
    "`ureg.check`'s wrappers (each wraps every argument in a new Quantity: `ureg.Quantity(q)` copies its array, "
    "and the dimension text is parsed again), 0.7 s in pint parsing unit text (`Q_(x, \"MWh\")`, "
    "`.to(\"t CO2e\")`, `.m_as(\"L/kWh\")`: 50-100 us a call, ~130 calls a run; pint's own cache answers only "
    "texts that are a defined name, and neither \"MWh\" nor \"t CO2e\" is), 0.25 s in `timeline.aggregation` "
    "asked per metric per chunk (it builds and checks Quantities), 0.17 s reading the hourly settings through "
    "pandas `astype`/`where` per column. Changed: the stages use `pipeline.units.check`, which compares each "
    "argument's `dimensionality` (cached by pint per unit) with dimensions parsed once and copies nothing (a wrong "
    "dimension still raises `DimensionalityError`, tested for every checked argument of every stage and by "
    "keyword); the one registry keeps the parse of each unit text and each multiplicative conversion factor "
    "(offset units such as degC and impossible conversions take pint's own path); the fold rule is cached per "
    "metric and unit; settings are read once per run as object arrays; `per_day` converts the period to days "
    "instead of building a unit per call, `accelerator_time` picks counts or hours on magnitudes instead of pint's "
    "`np.where`. The same registry and check serve annual runs (`bench_compute`: at 10^3 scenarios the chain's "
    "fixed cost fell from ~9 ms to ~4.5 ms).",
    "Left in the gap (one scenario, best of 300 runs): the stage chain on 8,760 rows ~4.4 ms, of which ~2.0 ms is "
    "pint's fixed cost per operation (62 multiplications and divisions, 29 additions and subtractions, 43 "
    "conversions, each ~10-20 us of unit bookkeeping whatever the array size: the chain on one row takes ~2.0 ms) "
    "and ~2.4 ms the arithmetic the floor also does; repeating the inputs over the hours ~1.4 ms (the floor's "
    "`np.repeat` too; fresh pages for ~55 arrays of 8,760 floats); the rest (settings, chunk arrays, folding 55 "
    "metrics over the hours, CFE, monthly sums) ~1.2 ms. Per-pair ratios spread widely when the machine is loaded "
    "(the other engineers' jobs share the 2 cores): hence 31 pairs and their median.",
)


def section(rows: list[tuple[int, float, float, float, list[float]]],
            draws: list[tuple[int, int, float, float, float, float]] | None = None) -> str:
    lines = ["## Hourly runs: the chain over 8,760 hours vs raw numpy", "",
             f"Written by `python -m bench hourly` on {time.strftime('%Y-%m-%d %H:%M %Z')} "
             f"({platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}). Each scenario: "
             "TVA 2023 hourly mix on the direct basis, evaporative towers in the Memphis TMY3 climate, one H100 group "
             "(utilization and PUE varied). clusterprint: `pipeline.hourly.run` (hours x scenarios through the pint "
             "stage chain in chunks of 114 scenarios, totals, CFE, monthly sums, worst day). Floor: the same "
             "arithmetic on bare float arrays in the same chunks, each scenario's inputs repeated over its hours "
             f"with `np.repeat` (outputs checked equal). The two run in turn ({PAIRS_FEW} pairs for 1 scenario, "
             f"{PAIRS_MANY} for 1,000); times are medians, the ratio is the median of the per-pair ratios (the machine "
             f"is shared: load average {LOAD[0]} before the run, {LOAD[1]} after).", "",
             "| scenarios | rows (hours x scenarios) | clusterprint | raw numpy floor | ratio | goal |",
             "|---|---|---|---|---|---|"]
    for n, tp, tn, ratio, _ in rows:
        lines.append(f"| {n:,} | {n * H:,} | {tp * 1e3:,.1f} ms | {tn * 1e3:,.1f} ms | {ratio:.2f}× | "
                     f"≤ 2×: {'met' if ratio <= 2 else 'missed'} |")
    lines.append("")
    lines += [f"Per-pair ratios, {n:,} scenario{'s' if n > 1 else ''}: {', '.join(f'{r:.2f}' for r in ratios)}."
              for n, *_, ratios in rows]
    for note in NOTES:
        lines += ["", note]
    if draws:
        lines += ["", "**Monte Carlo over hours** (`pipeline.hourly.percentiles`, `bench_draws`): the scenario above with "
                  "PUE 1.1..1.5 and utilization 0.5..0.9, each draw one world held for its 8,760 hours, in chunks of "
                  "at most 10^6 rows of the chain (114 scenario-years); one fresh process per draw count, peak RSS "
                  "growth measured from just before the call (imports and caches warm), one run each.", "",
                  "| draws | rows of the chain | chunks | wall | per draw | peak RSS growth | energy P5 / P95 |",
                  "|---|---|---|---|---|---|---|"]
        for d, chunks, wall, rss, p5, p95 in draws:
            lines.append(f"| {d:,} | {d * H:,} | {chunks} | {wall:.1f} s | {wall / d * 1e3:.1f} ms | {rss:,.0f} MB | "
                         f"{p5:,.0f} / {p95:,.0f} GWh |")
        lines += ["", "Memory follows the chunk, not the draws: the chain's arrays for one chunk (~60 arrays of up "
                  "to 10^6 floats and the 55 metrics' hours) are freed before the next; between chunks only one value "
                  "per metric per draw is kept."]
    return "\n".join(lines) + "\n"


#: The 1-minute load average before and after the paired runs (filled by :func:`main`).
LOAD = ["?", "?"]


def main() -> None:
    LOAD[0] = f"{os.getloadavg()[0]:.2f}"
    rows = bench()
    LOAD[1] = f"{os.getloadavg()[0]:.2f}"
    draws = bench_draws()
    text = section(rows, draws)
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    pattern = re.compile(r"## Hourly runs:.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: text + "\n", old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(new, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
