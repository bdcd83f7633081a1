"""Comparison -> view-model for the comparison report (display strings, charts, differing factors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.comparison import COMPARED, Comparison
from pipeline.report import charts
from pipeline.report.filters import fmt_delta_pct, fmt_delta_q, fmt_q, fmt_sig, fmt_usd, typeset
from pipeline.report.model import (
    GLOSSARY,
    METHOD,
    Chart,
    assumption_rows,
    factor_notes,
    input_name,
    ranged_alt,
    references,
    stacked_alt,
)
from pipeline.results import METRIC_BY_NAME, Which


def _v(c: Comparison, metric: str, k: int, unit: str, which: Which = "value") -> float:
    q = c.value(metric, k, which)
    return 0.0 if q is None else float(q.m_as(unit))


def _delta(c: Comparison, metric: str, k: int) -> tuple[str, str, str]:
    """Absolute and relative delta against the baseline, and a CSS class for its sign."""
    if k == 0:
        return "baseline", "", "baseline"
    d, rel = c.delta(metric, k)
    if d is None:
        return "–", "", ""
    unit = METRIC_BY_NAME[metric].unit
    cls = "up" if d.magnitude > 0 else "down" if d.magnitude < 0 else "same"
    return fmt_delta_q(d, unit), fmt_delta_pct(rel) if d.magnitude else "", cls


def _ranked(c: Comparison, cid: str, title: str, metric: str, unit: str, scale: float, axis: str,
            caption: str) -> Chart:
    """One bar per variant, from the lowest to the highest P50, with P5-P95 error bars; a variant for which the
    metric is not modelled gets no bar (a 0 would read as "no damage")."""
    ks = sorted((k for k in range(len(c.variants)) if c.value(metric, k) is not None),
                key=lambda k: _v(c, metric, k, unit))
    labels = [_label(c, k) for k in ks]
    values = [_v(c, metric, k, unit) * scale for k in ks]
    lows = [_v(c, metric, k, unit, "low") * scale if c.result.draws else v for k, v in zip(ks, values, strict=True)]
    highs = [_v(c, metric, k, unit, "high") * scale if c.result.draws else v for k, v in zip(ks, values, strict=True)]
    return Chart(cid, title, charts.grouped_bars(cid, title, labels, [(title, "grid", values, lows, highs)], axis),
                 caption, ranged_alt(title, axis, labels, [("", values, lows, highs)]))


def _label(c: Comparison, k: int, word: str = "baseline") -> str:
    """A variant's name for a chart, the baseline's marked: ``Local grid (baseline)``, and for a name that ends in
    a parenthesis, inside it: ``SRTV grid (as built, phase 1; baseline)``, not two parentheses in a row."""
    name = c.variants[k].name
    if k:
        return name
    return f"{name[:-1]}; {word})" if name.endswith(")") else f"{name} ({word})"


def _extremes(c: Comparison, metric: str, what: str) -> str:
    """The lowest and the highest variants of ``metric`` (P50) in a sentence, with their change against the
    baseline: what page 1 says beside the ranked chart.  Variants with the same value are named together."""
    unit = METRIC_BY_NAME[metric].unit
    ks = sorted((k for k in range(len(c.variants)) if c.value(metric, k) is not None), key=lambda k: _v(c, metric, k, unit))
    if len(ks) < 2 or _all_same([_v(c, metric, k, unit) for k in ks]):
        return ""

    def end(k0: int) -> str:
        tied = [k for k in ks if _all_same([_v(c, metric, k, unit), _v(c, metric, k0, unit)])]
        names = [_label(c, k, "the baseline") for k in tied]
        text = (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]) + \
            f", {fmt_q(c.value(metric, k0), unit)}"
        _, rel = c.delta(metric, tied[0])
        if 0 not in tied and rel:
            text += f", {fmt_sig(abs(rel) * 100, 2, strip=True)} % {'below' if rel < 0 else 'above'} the baseline"
        return text

    return f"Lowest {what}: {end(ks[0])}. Highest: {end(ks[-1])}."


def _market_extreme(c: Comparison) -> str:
    """The market-based method in a sentence when its lowest variant is not the location-based lowest (contracts
    such as PPAs lower only the market-based figure)."""
    def lowest(metric: str) -> int | None:
        ks = [k for k in range(len(c.variants)) if c.value(metric, k) is not None]
        return min(ks, key=lambda k: _v(c, metric, k, "t CO2e")) if ks else None

    k, loc = lowest("co2e_market_based"), lowest("co2e_location_based")
    if k is None or k == loc or _v(c, "co2e_market_based", k, "t CO2e") == _v(c, "co2e_market_based", loc or 0, "t CO2e"):
        return ""
    return (f"Counting contracts (market-based CO₂e), the lowest is {c.variants[k].name} at "
            f"{fmt_q(c.value('co2e_market_based', k), 't CO2e')}.")


def _all_same(values: list[float]) -> bool:
    return max(values) - min(values) <= 1e-9 * max(max(abs(v) for v in values), 1e-12) if values else True


def comparison_charts(c: Comparison) -> list[Chart]:
    """Ranked charts first (CO2e, total water, health damages), then the splits where the variants differ."""
    labels = [_label(c, k) for k in range(len(c.variants))]
    ks = range(len(c.variants))
    out = [_ranked(c, "rank-co2e", "CO₂e, Scope 1 + 2 (location-based), lowest first", "co2e_location_based",
                   "t CO2e", 1e-3, "kt CO₂e (thousand tonnes)",
                   "Each variant's location-based CO₂e over the period, ranked; error bars span P5 to P95."),
           _ranked(c, "rank-water", "Water consumed on and off site, lowest first", "water_total", "m ** 3", 1e-6,
                   "million m³", "On-site cooling water plus the water consumed generating the electricity, "
                   "ranked; error bars span P5 to P95.")]
    if sum(c.value("health_damages", k) is not None for k in ks) >= 2:  # one bar is a sentence (the ranking)
        out.append(_ranked(c, "cmp-health", "Health damages, lowest first", "health_damages", "USD", 1e-6,
                           f"million {ref.dollar_year()} US dollars",
                           "Health damages of the NOx, SO₂ and PM2.5 each variant emits, ranked (population "
                           "averages per tonne); error bars span P5 to P95."))

    def series(metric: str, unit: str, name: str, colour: str, scale: float = 1.0):  # noqa: ANN202
        return (name, colour, [_v(c, metric, k, unit) * scale for k in ks], [_v(c, metric, k, unit, "low") * scale for k in ks],
                [_v(c, metric, k, unit, "high") * scale for k in ks])

    loc = [_v(c, "co2e_location_based", k, "t CO2e") for k in ks]
    mkt = [_v(c, "co2e_market_based", k, "t CO2e") for k in ks]
    if loc != mkt:
        both = [series("co2e_location_based", "t CO2e", "Location-based", "grid", 1e-3),
                series("co2e_market_based", "t CO2e", "Market-based", "market", 1e-3)]
        out.append(Chart("cmp-co2e", "CO₂e by accounting method", charts.grouped_bars(
            "cmp-co2e", "CO₂e: location-based and market-based", labels, both, "kt CO₂e (thousand tonnes)"),
            "Location- and market-based CO₂e of each variant over the period; error bars span P5 to P95. A market-based "
            "0 means all grid energy is matched by contracts.",
            ranged_alt("CO₂e: location-based and market-based", "kt CO₂e (thousand tonnes)", labels,
                       [(name, values, lows, highs) for name, _, values, lows, highs in both])))
    water = [("On site (cooling)", "water_onsite", [_v(c, "water_onsite", k, "m ** 3") / 1e6 for k in ks]),
             ("On site (generation)", "water_plant", [_v(c, "water_onsite_plant", k, "m ** 3") / 1e6 for k in ks]),
             ("Off site (grid generation)", "water_grid", [_v(c, "water_offsite", k, "m ** 3") / 1e6 for k in ks])]
    out.append(Chart("cmp-water", "Water on and off site", charts.stacked_bars(
        "cmp-water", "Water consumed: on site and off site", labels, water, "million m³"),
        "Cooling water on site, water of on-site generation and water consumed generating the grid's electricity, "
        "stacked to the total (P50); a part that is zero everywhere is left out.",
        stacked_alt("water consumed: on site and off site", "million m³", labels,
                    [(name, values) for name, _, values in water])))
    grid = [_v(c, "grid_energy", k, "GWh") - _v(c, "ppa_energy", k, "GWh") for k in ks]
    ppa = [_v(c, "ppa_energy", k, "GWh") for k in ks]
    on = [_v(c, "onsite_energy", k, "GWh") for k in ks]
    if not (_all_same(grid) and _all_same(ppa) and _all_same(on)):
        sources = [("Grid, unmatched", "grid", grid), ("Grid, PPA-matched", "ppa", ppa),
                   ("On-site generation", "onsite", on)]
        out.append(Chart("cmp-energy", "Energy by source", charts.stacked_bars(
            "cmp-energy", "Facility energy by source", labels, sources, "GWh"),
            "Where each variant's facility energy comes from.",
            stacked_alt("facility energy by source", "GWh", labels, [(name, values) for name, _, values in sources])))
    return out


def _energy_note(c: Comparison) -> str:
    """The energy chart as a sentence when every variant draws the same energy from the same sources."""
    ks = range(len(c.variants))
    energy = [_v(c, "energy", k, "MWh") for k in ks]
    if _all_same(energy):
        e = c.value("energy", 0)
        return (f"Every variant uses the same {fmt_q(e, 'MWh')} of electricity over the period; "
                "only where it comes from, and what that emits, changes.")
    return ""


def _basis(c: Comparison, k: int) -> str:
    """The carbon basis of a variant's grid factor, for its column header: direct, lifecycle or CO₂ only."""
    s = c.result.scenarios[k]
    if s.onsite_share >= 1:
        return "on-site combustion"
    if s.supplier:
        return "supplier rate (CO₂ only)"
    if s.mix:
        return "lifecycle (IPCC AR5)"
    if not s.grid:
        return "explicit factor"
    published = _published_basis(s.grid)
    words = {"direct-generation": "direct (stack)", "lifecycle": "lifecycle", "system-rate": "system rate (CO₂ only)"}
    used = {"direct": "direct-generation", "lifecycle": "lifecycle"}.get(str(s.carbon_basis or ""), "")
    if used and published and used != published:  # the comparison's basis, derived from the grid's generation mix
        return f"{words[used]}, from its generation mix"
    return words.get(used or published, used or published)


def _published_basis(grid: str | None) -> str:
    """The basis a grid's published CO₂e factor is on (grids.csv ``basis``), or ``""``."""
    if not grid:
        return ""
    t = ref.table("grids")
    rows = t[(t["id"] == grid) & (t["parameter"] == "co2e_intensity")]
    return str(rows.iloc[0]["basis"]) if len(rows) else ""


def _basis_note(c: Comparison) -> str:
    """A sentence when the comparison's basis is not the one the baseline's report uses (so its numbers differ)."""
    s = c.result.scenarios[0]
    published = _published_basis(s.grid)
    used = {"direct": "direct-generation", "lifecycle": "lifecycle"}.get(str(s.carbon_basis or ""), "")
    if not (used and published and used != published) or s.onsite_share >= 1:
        return ""
    basis = str(s.carbon_basis)
    return (f"Every variant is on the {basis} basis (a variant's grid publishes only that basis), so the baseline's "
            f"grid factor is derived from its generation mix and its CO₂e differs from a report of the scenario "
            f"on the grid's published basis.")


def _what_differs(c: Comparison) -> list[str]:
    """Which inputs differ between the variants, from the resolved scenarios (not from the file's wording)."""
    ss = c.result.scenarios
    def sig(s: Any, attr: str) -> Any:  # noqa: E306
        d = s.ranges.get(attr)
        return (getattr(s, attr), None if d is None else (d.low, d.central, d.high))
    out = []
    if len({tuple((g.accelerator, g.count) for g in s.groups) for s in ss}) > 1:
        out.append("fleet")
    for attr, word in (("utilization", "utilization"), ("pue", "PUE"), ("wue", "WUE")):
        if len({str(sig(s, attr)) for s in ss}) > 1:
            out.append(word)
    if len({str(s.period) for s in ss}) > 1:
        out.append("period")
    parts = [word for word, key in (("grid", lambda s: (s.grid, str(s.mix), s.supplier)),
                                    ("on-site generation", lambda s: (s.onsite_share, s.onsite_technology)),
                                    ("renewable purchases", lambda s: s.ppa_share)) if len({str(key(s)) for s in ss}) > 1]
    if parts:  # which part of the supply: a variant in another grid region is not the same site on another contract
        out.append("supply (" + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + ")")
    return out


def _numbers(ks: list[int]) -> str:
    """Variant numbers with runs joined: ``[1, 2, 3, 5]`` -> ``"1–3, 5"``.

    >>> _numbers([1, 2, 3, 5]), _numbers([4]), _numbers([2, 4])
    ('1–3, 5', '4', '2, 4')
    """
    parts: list[str] = []
    start = prev = ks[0]
    for k in [*ks[1:], None]:
        if k is not None and k == prev + 1:
            prev = k
            continue
        parts.append(str(start) if start == prev else f"{start}, {prev}" if prev == start + 1 else f"{start}–{prev}")
        if k is not None:
            start = prev = k
    return ", ".join(parts)


def health_ranking(c: Comparison) -> list[dict[str, str]]:
    """The variants from the lowest to the highest health damages (P50), where they are modelled."""
    year = ref.dollar_year()
    ranked = [(q, v.name) for k, v in enumerate(c.variants) if (q := c.value("health_damages", k)) is not None]
    ranked.sort(key=lambda pair: float(pair[0].m_as("USD")))
    return [{"name": name, "value": fmt_usd(q, dollar_year=year)} for q, name in ranked]


def comparison_context(c: Comparison, generated: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the comparison template shows."""
    base = c.base
    when = generated or dt.datetime.now(dt.UTC)
    rows, same = [], []
    for metric in COMPARED:
        spec = METRIC_BY_NAME[metric]
        values = [c.value(metric, k) for k in range(len(c.variants))]
        if all(q is None for q in values):
            continue
        mags = [0.0 if q is None else float(q.m_as(spec.unit)) for q in values]
        label = typeset(spec.label)
        if _all_same(mags):
            same.append(f"{label} {fmt_q(values[0], spec.unit)}")
            continue
        cells = []
        for k in range(len(c.variants)):
            d_abs, d_pct, cls = _delta(c, metric, k)
            cells.append({"value": fmt_q(values[k], spec.unit), "delta": d_abs, "delta_pct": d_pct, "cls": cls})
        rows.append({"name": metric, "label": label, "cells": cells})
    differing, some = [], 0
    for d in c.differing_assumptions():
        vals = []
        for f in d["factors"]:
            vals.append("–" if f is None else
                        f"{fmt_sig(float(f.quantity.magnitude), 3, strip=True)} {typeset(str(f.record()['unit']))}".strip())
        if len({v for v in vals if v != "–"}) < 2:  # the same value wherever it is used: "used by" in the sources
            some += 1
            continue
        differing.append({"name": d["name"], "label": input_name(d["name"]), "values": vals})
    # every distinct factor (name and value) once, with the variants that use it
    seen: dict[str, ref.Factor] = {}
    users: dict[str, list[int]] = {}
    for k in range(len(c.variants)):
        for f in c.result.assumptions(k):
            key = f"{f.name}={f.quantity}"
            seen.setdefault(key, f)
            if k + 1 not in users.setdefault(key, []):
                users[key].append(k + 1)
    differs = _what_differs(c)
    only_supply = len(differs) == 1 and differs[0].startswith("supply")
    name = base.name.removesuffix(" - variants").removesuffix(" – variants")
    assumptions = assumption_rows(list(seen.values()))
    for row, key in zip(assumptions, seen, strict=True):
        used = users[key]
        row["used_by"] = "" if len(used) == len(c.variants) else f"variant{'s' if len(used) > 1 else ''} {_numbers(used)}"
    refs = references(assumptions)
    notes = factor_notes(assumptions)
    if differs:
        intro = ("The variants differ in " + ", ".join(differs[:-1]) + (" and " if len(differs) > 1 else "")
                 + differs[-1] + "; everything else is the same.")
    else:
        intro = "The variants share every input."
    return {
        "title": f"{'Supply scenarios' if only_supply else 'Scenarios'} compared: {name}",
        "kind": "supply scenarios" if only_supply else "variants",
        "extremes": [x for x in (_extremes(c, "co2e_location_based", "CO₂e (location-based)"),
                                 _market_extreme(c), _extremes(c, "water_total", "water use (on and off site)"))
                     if x],
        "intro": intro, "same": same, "energy_note": _energy_note(c),
        "bases": [_basis(c, k) for k in range(len(c.variants))],
        "references": refs,
        "scenario": base.name, "location": base.location, "file": base.file,
        "date": when.strftime("%Y-%m-%d"), "version": __version__,
        "draws": f"{c.result.draws:,}" if c.result.draws else "", "seed": c.result.seed,
        "variants": [{"name": v.name, "baseline": k == 0, "description": v.description} for k, v in enumerate(c.variants)],
        "rows": rows, "charts": comparison_charts(c), "differing": differing, "used_by_some": some,
        "assumptions": assumptions, "factor_notes": notes,
        "method": [{"stage": typeset(a), "formula": b, "text": typeset(x)} for a, b, x in METHOD],
        "glossary": [{"term": typeset(a), "meaning": typeset(b)} for a, b in GLOSSARY],
        "editions": sorted(ref.data_editions().items()),
        "n_variants": str(len(c.variants)),
        "health_rank": health_ranking(c),
        "health_missing": [v.name for k, v in enumerate(c.variants) if c.value("health_damages", k) is None]
        if any(c.value("health_damages", k) is not None for k in range(len(c.variants))) else [],
        "basis_note": _basis_note(c),
    }
