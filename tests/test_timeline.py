"""Dated phases (``timeline:``): the rules, the totals (hand-derived), the one-phase equality and exact sums."""

from __future__ import annotations

import copy
import json

import pytest

from pipeline import ScenarioError, compute, parse_scenario
from pipeline.cli import main
from pipeline.metrics import METRICS
from pipeline.timeline import aggregation

# 1,000 accelerators at 700 W full, 100 W idle, 300 W host, u = 0.5: 100 + 0.5 * 600 + 300 = 700 W each,
# so 0.7 MW of IT power (peak 1.0 MW); explicit grid factors keep the arithmetic by hand.
BASE = {
    "name": "Timeline test",
    "fleet": [{"accelerator": "h100-sxm", "count": 1000, "power": "700 W", "idle_power": "100 W",
               "host_power": "300 W", "embodied": "100 kg CO2e"}],
    "utilization": 0.5, "pue": 1.5, "wue": "2 L/kWh", "lifetime": "4 year",
    "supply": {"grid_intensity": "400 g CO2e/kWh", "grid_water_intensity": "3 L/kWh"},
}
# Phase A: 10 days as the base.  Phase B: 20 days, 2,000 accelerators, PUE 1.2.
TIMELINE = [
    {"name": "A", "start": "2024-01-01", "end": "2024-01-11"},
    {"name": "B", "start": "2024-01-11", "end": "2024-01-31", "pue": 1.2,
     "fleet": [{"accelerator": "h100-sxm", "count": 2000, "power": "700 W", "idle_power": "100 W",
                "host_power": "300 W", "embodied": "100 kg CO2e"}]},
]


def _scenario(**change: object) -> dict:
    data = copy.deepcopy(BASE)
    data["timeline"] = copy.deepcopy(TIMELINE)
    data.update(change)
    return data


def _value(result, name: str, unit: str, i: int = 0) -> float:
    return float(result.metric(name, i).m_as(unit))


def test_totals_are_sums_time_weighted_means_and_peaks():
    r = compute(parse_scenario(_scenario()), draws=0)
    a, b = r.phases_of(0)
    assert (a.name, a.start.isoformat(), a.end.isoformat(), a.days) == ("A", "2024-01-01", "2024-01-11", 10)
    assert (b.name, b.days) == ("B", 20)
    # phase A: 0.7 MW IT x 240 h = 168 MWh, x 1.5 = 252 MWh; phase B: 1.4 MW x 480 h = 672 MWh, x 1.2 = 806.4 MWh
    assert float(a.metric("energy").m_as("MWh")) == pytest.approx(252)
    assert float(b.metric("energy").m_as("MWh")) == pytest.approx(806.4)
    assert _value(r, "it_energy", "MWh") == pytest.approx(168 + 672)
    assert _value(r, "energy", "MWh") == pytest.approx(1058.4)
    # CO2e: 1,058.4 MWh x 0.4 t/MWh; water on site: 2 L/kWh x 840,000 kWh; off site: 3 L/kWh x 1,058,400 kWh
    assert _value(r, "co2e_location_based", "t CO2e") == pytest.approx(423.36)
    assert _value(r, "water_onsite", "m**3") == pytest.approx(1680)
    assert _value(r, "water_offsite", "m**3") == pytest.approx(3175.2)
    # embodied carbon is amortised by accelerator-time: phase B has 2,000 x 20 = 4 x phase A's 1,000 x 10 days
    emb_a, emb_b = (float(p.metric("co2e_embodied").m_as("t CO2e")) for p in (a, b))
    assert emb_b == pytest.approx(4 * emb_a)
    assert _value(r, "co2e_embodied", "t CO2e") == pytest.approx(5 * emb_a)
    # mean facility power, time-weighted: (1.05 MW x 10 + 1.68 MW x 20) / 30 = 1.47 MW = 1,058.4 MWh / 720 h
    assert _value(r, "facility_power", "MW") == pytest.approx(1.47)
    assert _value(r, "it_power", "MW") == pytest.approx((0.7 * 10 + 1.4 * 20) / 30)
    # peaks: the larger phase, 2,000 x 1 kW x 1.2
    assert _value(r, "facility_power_peak", "MW") == pytest.approx(2.4)
    assert _value(r, "it_power_peak", "MW") == pytest.approx(2.0)
    # per day: totals over the 30 days
    assert _value(r, "energy_per_day", "MWh/day") == pytest.approx(1058.4 / 30)
    assert _value(r, "water_onsite_per_day", "m**3/day") == pytest.approx(56)
    # the timeline's own period and inputs as shown in reports
    s = r.scenarios[0]
    assert float(s.period.m_as("day")) == 30
    assert s.pue == pytest.approx(1058.4 / 840)
    assert [g.label.endswith(f" ({p})") for g, p in zip(s.groups, "AB", strict=True)] == [True, True]
    assert [g.count for g in s.groups] == [1000, 2000]


def test_phase_totals_add_up_exactly_to_the_scenario_totals():
    r = compute("inputs/colossus-timeline.yaml", draws=0)
    d = r.to_dict()["scenarios"][0]
    phases = d["phases"]
    assert len(phases) >= 3
    summed = [m.name for m in METRICS if m.name in d["metrics"] and aggregation(m.name, r.metrics[m.name]) == "sum"]
    assert {"energy", "water_total", "co2e_location_based", "co2e_market_based", "nox_onsite", "health_damages",
            "premature_deaths"} <= set(summed)
    for name in summed:
        assert d["metrics"][name]["value"] == sum(p["metrics"][name]["value"] for p in phases), name
    for name in ("facility_power_peak", "it_power_peak"):
        assert d["metrics"][name]["value"] == max(p["metrics"][name]["value"] for p in phases)
    days = [p["days"] for p in phases]
    assert sum(days) == (r.phases_of(0)[-1].end - r.phases_of(0)[0].start).days
    mean = sum(p["metrics"]["facility_power"]["value"] * n for p, n in zip(phases, days, strict=True)) / sum(days)
    assert d["metrics"]["facility_power"]["value"] == pytest.approx(mean, rel=1e-12)
    assert d["metrics"]["energy_per_day"]["value"] == pytest.approx(d["metrics"]["energy"]["value"] / sum(days),
                                                                    rel=1e-12)


@pytest.mark.parametrize("draws", [0, 300])
def test_one_phase_equals_the_same_scenario_over_the_same_period(draws):
    plain = copy.deepcopy(BASE) | {"period": "10 day", "pue": {"low": 1.2, "high": 1.6}}
    timed = copy.deepcopy(BASE) | {"pue": {"low": 1.2, "high": 1.6},
                                   "timeline": [{"name": "only", "start": "2024-03-01", "end": "2024-03-11"}]}
    a = compute(parse_scenario(plain), draws=draws, seed=3).to_dict()["scenarios"][0]
    b = compute(parse_scenario(timed), draws=draws, seed=3).to_dict()["scenarios"][0]
    assert b["metrics"] == a["metrics"]
    assert b["phases"][0]["metrics"] == a["metrics"]
    assert "phases" not in a


def test_draws_are_shared_by_phases_and_totals_are_drawn_draw_by_draw():
    # both phases draw the same 'pue' stream (common random numbers), so every draw of the total energy is
    # (E_A + E_B) x the same quantile: percentiles of the total are the sums of the phases' percentiles
    data = _scenario(pue={"low": 1.2, "high": 1.6})
    data["timeline"][1].pop("pue")
    r = compute(parse_scenario(data), draws=500, seed=1)
    phases = r.phases_of(0)
    for which in ("low", "value", "high"):
        total = float(r.metric("energy", 0, which).m_as("MWh"))
        assert total == pytest.approx(sum(float(p.metric("energy", which).m_as("MWh")) for p in phases), rel=1e-9)
    assert r.metric("energy", 0, "low") < r.metric("energy", 0, "high")


def test_phase_overrides_replace_whole_fields_and_cite_their_sources():
    data = _scenario(sources={"pue": "base pue", "fleet[0].count": "base fleet"})
    data["timeline"][1]["sources"] = {"pue": "phase pue"}
    r = compute(parse_scenario(data), draws=0)
    a, b = r.phases_of(0)
    assert (a.info.pue, b.info.pue) == (1.5, 1.2)
    assert [g.count for g in b.info.groups] == [2000]
    notes = {(f.name, f.source) for f in r.assumptions(0) if f.name == "pue"}
    assert ("pue", "base pue") in notes and ("pue", "phase pue") in notes


def test_compute_json_lists_the_phases(capsys, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(json.dumps(_scenario()))
    assert main(["compute", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["scenarios"][0]
    assert [(p["name"], p["start"], p["end"]) for p in out["phases"]] == [
        ("A", "2024-01-01", "2024-01-11"), ("B", "2024-01-11", "2024-01-31")]
    assert out["phases"][1]["metrics"]["energy"]["unit"] == "MWh"
    assert out["phases"][1]["metrics"]["energy"]["value"] == pytest.approx(806.4)
    assert main(["compute", str(path)]) == 0
    text = capsys.readouterr().out
    assert "2024-01-11" in text and "B" in text


def test_unquoted_yaml_dates_read_as_dates(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(json.dumps(copy.deepcopy(BASE))[:-1] + ', "timeline": []}')
    text = path.read_text().replace('"timeline": []', "timeline: [{name: A, start: 2024-01-01, end: 2024-01-11}]")
    path.write_text(text)
    r = compute(str(path), draws=0)
    assert r.phases_of(0)[0].days == 10
    assert float(r.metric("energy", 0).m_as("MWh")) == pytest.approx(252)


def _problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as e:
        compute(parse_scenario(data), draws=0)
    return [(p.path, str(p)) for p in e.value.problems]


def _phase(i: int, **change: object) -> dict:
    data = _scenario()
    data["timeline"][i].update(change)
    return data


BAD = [
    ("end before start", _phase(0, end="2023-12-01"), "timeline[0].end", "must end after it starts"),
    ("end equals start", _phase(0, end="2024-01-01"), "timeline[0].end", "end is exclusive"),
    ("overlap", _phase(1, start="2024-01-05"), "timeline[1].start", "may not overlap"),
    ("gap", _phase(1, start="2024-01-12"), "timeline[1].start", "gap of 1 day"),
    ("not a date", _phase(0, start="22/07/2024"), "timeline[0].start", "expected a date YYYY-MM-DD"),
    ("no such day", _phase(0, start="2024-02-30"), "timeline[0].start", "not a calendar date"),
    ("duplicate name", _phase(1, name="A"), "timeline[1].name", "phase names must be unique"),
    ("period in a phase", _phase(0, period="10 day"), "timeline[0].period", "comes from its dates"),
    ("period at the top", _scenario(period="1 year"), "period", "takes its period from the phase dates"),
    ("empty timeline", _scenario(timeline=[]), "timeline", "non-empty list of phases"),
    ("unknown key", _phase(0, pue_x=1.2), "timeline[0].pue_x", "unknown field"),
    ("bad override value", _phase(1, pue=0.5), "timeline[1].pue", ""),
    ("unknown grid in a phase", _phase(1, supply={"grid": "us-srtx"}), "timeline[1].supply.grid", "us-srtv"),
    ("missing name", _phase(0, name=None), "timeline[0].name", "missing"),
]


@pytest.mark.parametrize(("data", "path", "fragment"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_timelines_give_one_problem_at_the_field_path(data, path, fragment):
    if data["timeline"] and data["timeline"][0].get("name", "") is None:
        del data["timeline"][0]["name"]
    problems = _problems(data)
    assert len(problems) == 1, problems
    assert problems[0][0] == path
    assert fragment in problems[0][1]


def test_a_default_of_the_top_level_is_reported_once_not_per_phase():
    data = _scenario()
    data["fleet"][0]["accelerator"] = "h100-sxn"
    del data["timeline"][1]["fleet"]  # both phases inherit the bad default
    problems = _problems(data)
    assert [p for p, _ in problems] == ["fleet[0].accelerator"]
    assert "did you mean 'h100-sxm'" in problems[0][1]


def test_every_problem_of_a_timeline_is_reported_at_once():
    data = _scenario()
    data["timeline"].append({"name": "A", "start": "2024-02-01", "end": "2024-02-02"})
    paths = [p for p, _ in _problems(data)]
    assert paths == ["timeline[2].name", "timeline[2].start"]


def test_bad_timeline_exits_2_naming_the_field(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(_phase(1, start="2024-01-05")))
    assert main(["compute", str(path)]) == 2
    assert "timeline[1].start" in capsys.readouterr().err


def test_the_colossus_timeline_is_sourced_and_shaped_as_published():
    r = compute("inputs/colossus-timeline.yaml", draws=0)
    phases = r.phases_of(0)
    assert len(phases) >= 3
    assert phases[0].start.isoformat() == "2024-07-22" and phases[-1].end.isoformat() >= "2026-01-01"
    docs = [p.info.document for p in phases]
    assert docs[0]["supply"]["onsite"]["controls"] == "uncontrolled"
    assert docs[-1]["supply"]["onsite"]["controls"] == "scr"
    assert sum(g["count"] for g in docs[-1]["fleet"]) == 200_000
    # before the permit the turbines emit far more NOx per MWh made on site than after it
    per_mwh = [float(p.metric("nox_onsite").m_as("t")) / float(p.metric("onsite_energy").m_as("MWh")) for p in phases]
    assert per_mwh[0] > 10 * per_mwh[-1]
    assert r.metric("facility_power_peak", 0) == max(p.metric("facility_power_peak") for p in phases)
