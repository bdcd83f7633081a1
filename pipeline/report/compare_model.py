"""Comparison -> view-model for the comparison report (display strings, charts, differing factors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.comparison import COMPARED, Comparison
from pipeline.report import charts
from pipeline.report.filters import fmt_money, fmt_quantity
from pipeline.report.model import GLOSSARY, METHOD, Chart, assumption_rows
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
    sign = "+" if d.magnitude > 0 else ""
    pct = "" if rel is None else f"{'+' if rel > 0 else ''}{rel * 100:.1f} %"
    cls = "up" if d.magnitude > 0 else "down" if d.magnitude < 0 else "same"
    return sign + fmt_quantity(d, unit), pct, cls


def comparison_charts(c: Comparison) -> list[Chart]:
    labels = [v.name + (" (baseline)" if k == 0 else "") for k, v in enumerate(c.variants)]
    ks = range(len(c.variants))
    out = []

    def series(metric: str, unit: str, name: str, colour: str, scale: float = 1.0):  # noqa: ANN202
        return (name, colour, [_v(c, metric, k, unit) * scale for k in ks], [_v(c, metric, k, unit, "low") * scale for k in ks],
                [_v(c, metric, k, unit, "high") * scale for k in ks])

    out.append(Chart("cmp-co2e", "CO2e by supply scenario", charts.grouped_bars(
        "cmp-co2e", "CO2e by supply scenario", labels,
        [series("co2e_location_based", "t CO2e", "Location-based", "grid", 1e-3),
         series("co2e_market_based", "t CO2e", "Market-based", "ppa", 1e-3)], "thousand t CO2e"),
        "Location- and market-based CO2e of each variant over the period; error bars span P5 to P95."))
    out.append(Chart("cmp-water", "Water by supply scenario", charts.grouped_bars(
        "cmp-water", "Water consumed by supply scenario", labels,
        [series("water_onsite", "m ** 3", "On site (cooling)", "water_onsite", 1e-3),
         series("water_offsite", "m ** 3", "Off site (generation)", "water_grid", 1e-3)], "thousand m³"),
        "Cooling water on site and water consumed generating the electricity; error bars span P5 to P95."))
    out.append(Chart("cmp-energy", "Energy by source", charts.stacked_bars(
        "cmp-energy", "Facility energy by source", labels,
        [("Grid, unmatched", "grid", [_v(c, "grid_energy", k, "GWh") - _v(c, "ppa_energy", k, "GWh") for k in ks]),
         ("Grid, PPA-matched", "ppa", [_v(c, "ppa_energy", k, "GWh") for k in ks]),
         ("On-site generation", "onsite", [_v(c, "onsite_energy", k, "GWh") for k in ks])], "GWh",
        height=0.9 + 0.45 * len(labels)),
        "Where each variant's facility energy comes from."))
    if any(c.value("health_damages", k) is not None for k in ks):
        out.append(Chart("cmp-health", "Health damages by supply scenario", charts.grouped_bars(
            "cmp-health", "Health damages by supply scenario", labels,
            [series("health_damages_onsite", "USD", "On-site combustion", "onsite", 1e-6),
             series("health_damages_grid", "USD", "Grid power plants", "grid", 1e-6)],
            f"million {ref.dollar_year()} US dollars"),
            "Health damages of the NOx, SO2 and PM2.5 each variant emits, on site and at the grid's plants; error "
            "bars span P5 to P95."))
    return out


def health_ranking(c: Comparison) -> list[dict[str, str]]:
    """The variants from the lowest to the highest health damages (P50), where they are modelled."""
    year = ref.dollar_year()
    ranked = [(q, v.name) for k, v in enumerate(c.variants) if (q := c.value("health_damages", k)) is not None]
    ranked.sort(key=lambda pair: float(pair[0].m_as("USD")))
    return [{"name": name, "value": fmt_money(q, year)} for q, name in ranked]


def comparison_context(c: Comparison, generated: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the comparison template shows."""
    base = c.base
    when = generated or dt.datetime.now(dt.UTC)
    rows = []
    for metric in COMPARED:
        spec = METRIC_BY_NAME[metric]
        cells = []
        for k in range(len(c.variants)):
            q = c.value(metric, k)
            lo, hi = c.value(metric, k, "low"), c.value(metric, k, "high")
            d_abs, d_pct, cls = _delta(c, metric, k)
            cells.append({"value": fmt_quantity(q, spec.unit),
                          "range": (f"{fmt_quantity(lo, spec.unit)} – {fmt_quantity(hi, spec.unit)}"
                                    if c.result.draws and lo is not None and hi is not None and lo != hi else ""),
                          "delta": d_abs, "delta_pct": d_pct, "cls": cls})
        rows.append({"name": metric, "label": spec.label, "cells": cells})
    differing = []
    for d in c.differing_assumptions():
        vals = []
        for f in d["factors"]:
            vals.append("not used" if f is None else f"{f.quantity.magnitude:,.6g} {f.record()['unit']}".strip())
        differing.append({"name": d["name"], "values": vals})
    seen: dict[str, ref.Factor] = {}
    for k in range(len(c.variants)):
        for f in c.result.assumptions(k):
            seen.setdefault(f"{f.name}={f.quantity}", f)
    return {
        "title": f"Supply scenarios compared: {base.name}",
        "scenario": base.name, "location": base.location, "file": base.file,
        "date": when.strftime("%Y-%m-%d"), "version": __version__,
        "draws": f"{c.result.draws:,}" if c.result.draws else "", "seed": c.result.seed,
        "variants": [{"name": v.name, "baseline": k == 0, "description": v.description} for k, v in enumerate(c.variants)],
        "rows": rows, "charts": comparison_charts(c), "differing": differing,
        "assumptions": assumption_rows(list(seen.values())),
        "method": [{"stage": a, "formula": b, "text": x} for a, b, x in METHOD],
        "glossary": [{"term": a, "meaning": b} for a, b in GLOSSARY],
        "editions": sorted(ref.data_editions().items()),
        "n_variants": str(len(c.variants)),
        "health_rank": health_ranking(c),
    }
