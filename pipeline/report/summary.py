"""The batch summary report: totals, rankings, distributions, the largest sites, and modelled vs
reported power, from a batch's results (HTML + PDF)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.report import charts
from pipeline.report.filters import fmt_number, fmt_quantity, fmt_ratio
from pipeline.report.model import GLOSSARY, Chart, assumption_rows
from pipeline.results import METRIC_BY_NAME, BatchResult
from pipeline.units import Q_

TOTALS = ("facility_power_peak", "facility_power", "energy", "water_onsite", "water_offsite", "co2e_location_based",
          "co2e_market_based", "co2e_embodied")


def _col(name: str) -> str:
    return f"{name} [{METRIC_BY_NAME[name].unit}]"


def _q(value: float, metric: str) -> str:
    return "–" if value != value else fmt_quantity(Q_(value, METRIC_BY_NAME[metric].unit), METRIC_BY_NAME[metric].unit)


def _count(x: float | None) -> str:
    return "–" if x is None or x != x else f"{x:,.0f}"


def summary_context(result: BatchResult, df: pd.DataFrame, generated: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the summary template shows (display strings and charts)."""
    res = result.results
    when = generated or dt.datetime.now(dt.UTC)
    n_clusters = len(res)
    counts = (pd.to_numeric(df.get("count"), errors="coerce").groupby(df["name"]).sum()
              if "count" in df and "name" in df else pd.Series(dtype=float))
    totals = []
    for m in TOTALS:
        v = res[_col(m)]
        totals.append({"label": METRIC_BY_NAME[m].label, "value": _q(float(v.sum(min_count=1)), m),
                       "n": f"{int(v.notna().sum())} of {n_clusters}"})

    def top(metric: str, k: int = 10) -> list[dict[str, str]]:
        s = res.dropna(subset=[_col(metric)]).nlargest(k, _col(metric))
        return [{"name": r["name"], "value": _q(float(r[_col(metric)]), metric),
                 "where": str(r.get("country", "") or "")} for _, r in s.iterrows()]

    largest = []
    reported = pd.to_numeric(res.get("reported_power_mw"), errors="coerce") if "reported_power_mw" in res else None
    for _, r in res.nlargest(15, _col("facility_power_peak")).iterrows():
        rep = float(reported.loc[r.name]) if reported is not None else float("nan")
        peak = float(r[_col("facility_power_peak")])
        largest.append({"name": r["name"], "operator": str(r.get("operator", "") or ""),
                        "country": str(r.get("country", "") or ""),
                        "accelerators": _count(counts.get(r["name"])),
                        "peak": _q(peak, "facility_power_peak"),
                        "reported": "–" if rep != rep else f"{fmt_number(rep)} MW",
                        "ratio": "–" if rep != rep or not peak else fmt_ratio(rep / peak),
                        "co2e": _q(float(r[_col("co2e_location_based")]), "co2e_location_based"),
                        "water": _q(float(r[_col("water_onsite_per_day")]), "water_onsite_per_day")})
    chart_list = [Chart("dist-power", "Peak facility power of the clusters", charts.histogram(
        "dist-power", "Peak facility power of the clusters", list(res[_col("facility_power_peak")].dropna()), "MW"),
        "How many clusters fall in each range of modelled peak facility power (logarithmic bins).")]
    chart_list.append(Chart("top-co2e", "Largest CO2e", charts.bars(
        "top-co2e", "CO2e, location-based: the 12 largest", [t["name"] for t in top("co2e_location_based", 12)],
        [float(v) / 1e3 for v in res.nlargest(12, _col("co2e_location_based"))[_col("co2e_location_based")]],
        "thousand t CO2e over the period"), "The twelve clusters with the largest location-based CO2e."))
    comparison = []
    if reported is not None:
        both = res.assign(_rep=reported).dropna(subset=["_rep", _col("facility_power_peak")])
        if len(both):
            tol = float(ref.default("claim_tolerance").quantity.m_as(""))
            ratios = both["_rep"] / both[_col("facility_power_peak")]
            comparison = [f"{len(both)} clusters report a site power; reported ÷ modelled peak has median "
                          f"{fmt_ratio(float(ratios.median()))} (range {fmt_ratio(float(ratios.min()))} to "
                          f"{fmt_ratio(float(ratios.max()))}); {int(((ratios - 1).abs() <= tol).sum())} are within ±{tol:.0%} (the claim tolerance in defaults.csv)."]
            chart_list.append(Chart("reported", "Modelled vs reported power", charts.modelled_vs_reported(
                "reported", "Modelled peak vs reported site power", list(both[_col("facility_power_peak")]),
                list(both["_rep"]), "MW", tol),
                "Each dot is a cluster whose sources report a site power (peak demand, substation or campus "
                "capacity: not always the same quantity)."))
    assumed = []
    if "assumed_fields" in res:
        fields = res["assumed_fields"].fillna("").astype(str).str.split(";").explode().str.strip()
        fields = fields[fields != ""]
        for f, n in fields.value_counts().items():
            assumed.append({"field": f, "assumed": str(int(n)), "reported": str(n_clusters - int(n))})
    errors = [{"row": str(r["row"]), "name": str(r["name"]), "field": str(r["field"]), "message": str(r["message"])}
              for _, r in result.errors.head(40).iterrows()]
    return {
        "title": f"Batch summary: {Path(result.source).name}",
        "source": result.source, "date": when.strftime("%Y-%m-%d"), "version": __version__,
        "n_rows": f"{len(df):,}", "n_clusters": f"{n_clusters:,}",
        "n_error_rows": f"{result.errors['row'].nunique() if len(result.errors) else 0:,}",
        "totals": totals, "largest": largest, "top_co2e": top("co2e_location_based"),
        "top_water": top("water_onsite_per_day"), "charts": chart_list, "comparison": comparison,
        "assumed": assumed, "errors": errors, "more_errors": max(len(result.errors) - 40, 0),
        "editions": sorted(ref.data_editions().items()),
        "factors": assumption_rows(factors_used(result)),
        "glossary": [{"term": a, "meaning": b} for a, b in GLOSSARY],
        "has_reported": bool(reported is not None and np.isfinite(reported).any()),
    }


def factors_used(result: BatchResult) -> list[ref.Factor]:
    """The reference factors behind the computed clusters: their accelerators, grids and on-site plants."""
    table = result.table
    facts: list[ref.Factor] = []

    def distinct(frame: pd.DataFrame, col: str) -> list[str]:
        return sorted(set(frame[col].dropna().astype(str))) if table is not None and col in frame else []

    for acc in distinct(table.groups if table is not None else pd.DataFrame(), "accelerator"):
        facts += ref.factors("accelerators", "accelerator", acc).values()
    clusters = table.clusters if table is not None else pd.DataFrame()
    for grid in distinct(clusters, "supply.grid"):
        facts += ref.factors("grids", "grid", grid).values()
    for tech in distinct(clusters, "supply.onsite.technology"):
        facts += ref.factors("onsite", "on-site technology", tech).values()
    facts += [ref.default(p) for p in ("hardware_lifetime", "server_embodied", "accelerators_per_server",
                                       "ppa_intensity")]
    return facts


def write_summary(result: BatchResult, df: pd.DataFrame, out: Path, formats: tuple[str, ...] = ("html", "pdf")) -> dict[str, Path]:
    """Write summary.html and summary.pdf into ``out``."""
    from pipeline.io import write_atomic
    from pipeline.report.render import render_html, render_pdf

    ctx = summary_context(result, df)
    paths: dict[str, Path] = {}
    if "html" in formats:
        paths["html"] = Path(out) / "summary.html"
        write_atomic(paths["html"], render_html(ctx, mode="html", template="summary.html.j2"))
    if "pdf" in formats:
        paths["pdf"] = Path(out) / "summary.pdf"
        write_atomic(paths["pdf"], render_pdf(render_html(ctx, mode="pdf", template="summary.html.j2")))
    return paths
