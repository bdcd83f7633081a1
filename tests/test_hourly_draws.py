"""Monte Carlo over hours (resolution: hourly with draws): one possible world per draw, held for the whole year.

Expected values come from the annual Monte Carlo (another code path: no hours), from the seeded streams rebuilt by
hand from their documented recipe (one uniform stream per input name, seeded by ``[seed, crc32(name)]``), or from
hand arithmetic; never from the hourly function called again the same way.
"""

from __future__ import annotations

import json
import zlib

import numpy as np
import pandas as pd
import pytest

from pipeline import columns, compute, hourly, profiles, resolve
from pipeline.metrics import HOURLY_METRICS, METRICS
from pipeline.montecarlo import MAX_CELLS, draw_chunks
from pipeline.schema import Scenario

H = 8760
BASE = {
    "name": "Hourly draws",
    "fleet": [{"accelerator": "h100-sxm", "count": 1000, "power": "700 W", "idle_power": "70 W", "host_power": "350 W"}],
    "utilization": 0.8, "period": "8760 h", "pue": {"dist": "uniform", "low": 1.2, "high": 1.4}, "wue": "1.8 L/kWh",
    "supply": {"grid": "us-srtv"},
}
#: hand: (70 + 0.8 x 630 + 350) W x 1000 accelerators x 8760 h = 8,094.24 MWh of IT energy
IT_MWH = 8094.24


def scenario(**over: object) -> Scenario:
    return Scenario.model_validate(json.loads(json.dumps(BASE)) | over)


def pue_percentiles(seed: int, draws: int) -> np.ndarray:
    """P5, P50, P95 of the PUE draws, rebuilt by hand: the stream of the input named "pue", uniform on 1.2..1.4."""
    u = np.random.default_rng([seed, zlib.crc32(b"pue")]).random(draws)
    return np.percentile(1.2 + 0.2 * u, [5, 50, 95])


@pytest.fixture
def flat_profile(monkeypatch: pytest.MonkeyPatch) -> str:
    """A grid profile with the same mix every hour: 40 % nuclear, 60 % gas."""
    pid = "flat-draws-nuclear-gas"
    frame = pd.DataFrame({"nuclear": np.full(H, 0.4), "gas": np.full(H, 0.6)})
    real_ids, real_profile = profiles.profile_ids, profiles.grid_profile
    monkeypatch.setattr(profiles, "profile_ids", lambda: [*real_ids(), pid])
    monkeypatch.setattr(profiles, "grid_profile", lambda p: frame if p == pid else real_profile(p))
    return pid


@pytest.mark.parametrize("hourly_mix", [False, True], ids=["no-profile", "flat-profile"])
def test_flat_hourly_percentiles_equal_the_annual_ones(hourly_mix: bool, flat_profile: str) -> None:
    """Same seed, same draws, nothing varying by hour: the hourly P5/P50/P95 are the annual run's, every metric."""
    mix = {"nuclear": 0.4, "gas": 0.6}
    over: dict[str, object] = {"utilization": {"low": 0.6, "high": 0.9}, "supply": {"mix": mix}}
    annual = scenario(**over)
    by_hour = scenario(**over | {"resolution": "hourly",
                                 "supply": {"mix": mix, "hourly": flat_profile} if hourly_mix else {"mix": mix}})
    r = compute([annual, by_hour], draws=300, seed=11)
    assert r.hourly_of(1) is not None
    compared = 0
    for spec in METRICS:
        for which in ("low", "value", "high"):
            a, h = r.metric(spec.name, 0, which), r.metric(spec.name, 1, which)
            assert (a is None) == (h is None), (spec.name, which)
            if a is not None and h is not None:
                assert h.m_as(spec.unit) == pytest.approx(a.m_as(spec.unit), rel=1e-9, abs=1e-12), (spec.name, which)
                compared += 1
    assert compared > 60
    assert r.metric("energy", 1, "low") < r.metric("energy", 1) < r.metric("energy", 1, "high")


def test_a_ranged_pue_gives_p5_p50_p95_of_the_hand_drawn_pue() -> None:
    """Only the PUE is ranged (the other draws do not touch energy): energy = IT energy x PUE, draw by draw."""
    r = compute(scenario(resolution="hourly"), draws=500, seed=4)
    p5, p50, p95 = pue_percentiles(4, 500)
    energy = [r.metric("energy", 0, w).m_as("MWh") for w in ("low", "value", "high")]
    assert energy == pytest.approx([IT_MWH * p5, IT_MWH * p50, IT_MWH * p95], rel=1e-9)
    assert energy[0] < energy[1] < energy[2]
    assert r.metric("energy", 0, "central").m_as("MWh") == pytest.approx(IT_MWH * 1.3, rel=1e-12)
    h = r.hourly_of(0)
    assert h is not None
    # the hourly-only metrics have ranges from the same draws: effective PUE = facility / IT energy = the drawn PUE
    pue = [h.metric("pue_effective", w).m_as("") for w in ("low", "value", "high")]
    assert pue == pytest.approx([p5, p50, p95], rel=1e-9)
    assert any("500 draws" in n for n in h.notes)


def test_a_real_year_has_ordered_percentiles_for_its_metrics_and_hourly_metrics() -> None:
    s = scenario(resolution="hourly", utilization={"low": 0.5, "high": 0.9},
                 supply={"grid": "us-srtv", "hourly": "tva-2023"},
                 cooling={"type": "evaporative-tower", "climate": "memphis-tmy3"})
    r = compute(s, draws=200, seed=2)
    for name in ("energy", "facility_power", "co2e_location_based", "water_onsite", "water_total"):
        lo, mid, hi = (r.metric(name, 0, w).magnitude for w in ("low", "value", "high"))
        assert lo < mid < hi, name
    h = r.hourly_of(0)
    assert h is not None
    for name in ("pue_effective", "water_onsite_peak_day", "co2e_scope2_location_based_annual"):
        lo, mid, hi = (h.metric(name, w).magnitude for w in ("low", "value", "high"))
        assert lo < mid < hi, name
    # the CFE share of a flat load without contracts depends on the grid's hours only: the same in every world
    cfe = [h.metric("cfe_share", w).m_as("") for w in ("low", "value", "high")]
    assert cfe[0] == pytest.approx(cfe[2], rel=1e-12)
    # the JSON record carries the range of every hourly metric that applies
    record = r.scenario_dict(0)["hourly"]["metrics"]
    assert record["pue_effective"]["low"] < record["pue_effective"]["value"] < record["pue_effective"]["high"]
    assert {spec.name for spec in HOURLY_METRICS} >= set(record)


def test_draws_are_seeded_and_reproducible() -> None:
    s = scenario(resolution="hourly", supply={"grid": "us-srtv", "hourly": "tva-2023"})
    a = compute(s, draws=60, seed=5).to_dict()
    b = compute(s, draws=60, seed=5).to_dict()
    c = compute(s, draws=60, seed=6).to_dict()
    assert a == b
    assert a != c


def test_without_draws_or_ranges_the_run_is_central() -> None:
    fixed = scenario(resolution="hourly", pue=1.3)
    r = compute(fixed, draws=0)
    h = r.hourly_of(0)
    assert h is not None and not h.low and not h.high
    assert r.metric("energy", 0, "low") == r.metric("energy", 0) == r.metric("energy", 0, "high")
    assert r.metric("energy", 0).m_as("MWh") == pytest.approx(IT_MWH * 1.3, rel=1e-12)
    assert any("central values" in n for n in h.notes)


def test_chunks_of_hours_x_draws_stay_within_max_cells() -> None:
    """The chunking function: at most MAX_CELLS rows of the chain a chunk, every (scenario, draw) exactly once,
    a scenario's draws in order and complete at the chunk ending at ``draws``."""
    per = MAX_CELLS // H  # scenario-years a chunk: 114
    assert per == 114
    for rows, draws in ((1, 10_000), (3, 114), (1000, 1), (250, 7), (2, 115), (5, 1000)):
        chunks = draw_chunks(rows, draws, H, MAX_CELLS)
        seen = np.zeros((rows, draws), dtype=int)
        for pos, first, end in chunks:
            assert len(pos) * (end - first) * H <= MAX_CELLS, (rows, draws, len(pos), first, end)
            assert 0 <= first < end <= draws
            seen[np.ix_(pos, np.arange(first, end))] += 1
        assert (seen == 1).all(), (rows, draws)
        done = [int(p) for pos, _, end in chunks if end == draws for p in pos]
        assert done == list(range(rows))  # complete in order, each once
    # one scenario's 10,000 draws: 88 chunks of at most 114 years (998,640 rows)
    assert len(draw_chunks(1, 10_000, H, MAX_CELLS)) == 88


def test_percentiles_evaluate_the_chunks_within_max_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Monte Carlo over hours runs the chain on at most ``max_cells`` rows at a time, and how it is chunked
    does not change the result."""
    models = [scenario(resolution="hourly", name=f"s{i}", utilization={"low": 0.4 + 0.1 * i, "high": 0.9})
              for i in range(2)]
    res = resolve.resolve(columns.from_scenarios(models, ["<test>"] * 2))
    rows = np.arange(2)
    sizes: list[int] = []
    real_year = hourly._year

    def spy(sa, ga, settings, *rest):  # type: ignore[no-untyped-def]
        sizes.append(len(settings) * H)  # rows of the chain in this chunk
        assert len(sa) == len(settings)
        return real_year(sa, ga, settings, *rest)

    monkeypatch.setattr(hourly, "_year", spy)
    (lo, mid, hi), (h_lo, _, h_hi) = hourly.percentiles(res, rows, draws=7, seed=3, max_cells=3 * H)
    assert sizes == [3 * H, 3 * H, H] * 2  # draws 0-2, 3-5, 6 of each scenario
    sizes.clear()
    (lo2, mid2, hi2), _ = hourly.percentiles(res, rows, draws=7, seed=3)  # both scenarios' 7 draws at once
    assert sizes == [14 * H]
    for name in ("energy", "co2e_location_based", "water_total"):
        for a, b in ((lo, lo2), (mid, mid2), (hi, hi2)):
            assert a[name].magnitude == pytest.approx(b[name].magnitude, rel=1e-12), name
    assert (h_lo["pue_effective"].magnitude <= h_hi["pue_effective"].magnitude).all()


def test_default_draws_spare_hourly_scenarios_beside_ranged_annual_ones():
    """Without ``draws``, a batch with a ranged annual scenario draws it (10,000 draws) but not the hourly one,
    which stays at its central values and says how to get ranges; asked for, both are drawn."""
    from pipeline import compute

    files = ["inputs/colossus.yaml", "inputs/colossus-hourly.yaml"]
    default = compute(files)
    assert default.draws == 10_000
    assert default.metric("energy", 0, "low") < default.metric("energy", 0, "high")  # annual: drawn
    h = default.hourly_of(1)
    assert default.metric("energy", 1, "low") == default.metric("energy", 1, "high")  # hourly: central
    assert any("--draws N" in note for note in h.notes)
    asked = compute(files, draws=50, seed=1)
    assert asked.metric("energy", 1, "low") < asked.metric("energy", 1, "high")
