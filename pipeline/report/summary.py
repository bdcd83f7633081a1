"""The batch summary report: totals, rankings, distributions, the largest sites, and modelled vs
reported power, from a batch's results (HTML + PDF)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import reference as ref
from pipeline._version import __version__
from pipeline.io import folder_names
from pipeline.report import charts
from pipeline.report.filters import fmt_q, fmt_ratio, fmt_sig, scale_of, typeset
from pipeline.report.model import GLOSSARY, Chart, assumption_rows, bars_alt, factor_notes, references
from pipeline.results import METRIC_BY_NAME, BatchResult, metric_column
from pipeline.units import Q_

TOTALS = ("facility_power_peak", "facility_power", "energy", "water_onsite", "water_offsite", "co2e_location_based",
          "co2e_market_based", "co2e_embodied")


def _col(name: str) -> str:
    return metric_column(name, METRIC_BY_NAME[name].unit)


def _q(value: float, metric: str) -> str:
    return "–" if value != value else fmt_q(Q_(value, METRIC_BY_NAME[metric].unit), METRIC_BY_NAME[metric].unit)


def _text(x: Any) -> str:
    """A free-text cell of the dataset: ``""`` for an empty one (pandas reads it as NaN, printed "nan")."""
    return "" if x is None or (isinstance(x, float) and x != x) else str(x)


def _count(x: float | None) -> str:
    return "–" if x is None or x != x else f"{x:,.0f}"


def _reported_mw(mw: float) -> str:
    """A reported site power as reported, in the modelled column's scaled unit: ``1 GW``, ``1.2 GW``, ``230 MW``
    (not ``1,000 MW`` beside a modelled ``1.48 GW``).

    >>> _reported_mw(1000.0), _reported_mw(1200.0), _reported_mw(230.0), _reported_mw(float("nan"))
    ('1 GW', '1.2 GW', '230 MW', '–')
    """
    if mw != mw:
        return "–"
    q = Q_(mw, "MW")
    u, mult, label = scale_of(q, "MW")
    return f"{fmt_sig(float(q.m_as(u)) / mult, 3, strip=True)} {label}"


#: The dataset's input columns (``assumed_fields``) as a reader names them.
FIELD_NAMES = {"utilization": "utilization (mean load)", "period": "period of operation", "pue": "PUE",
               "wue": "WUE (cooling water per kWh)", "grid": "grid region", "grid_intensity": "grid carbon intensity",
               "grid_water_intensity": "grid water intensity", "accelerator": "accelerator model",
               "count": "accelerator count", "power": "accelerator power", "host_power": "host server power",
               "idle_power": "idle power", "onsite_share": "on-site generation share",
               "onsite_technology": "on-site generation technology", "ppa_share": "renewable purchases (PPA share)"}


def field_name(column: str) -> str:
    """A dataset column as words: ``pue`` -> ``PUE``, ``grid_water_intensity`` -> ``grid water intensity``."""
    return FIELD_NAMES.get(column, column.replace("_", " "))


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
        totals.append({"label": typeset(METRIC_BY_NAME[m].label), "value": _q(float(v.sum(min_count=1)), m),
                       "n": f"{int(v.notna().sum())} of {n_clusters}"})

    def top(metric: str, k: int = 10) -> list[dict[str, str]]:
        s = res.dropna(subset=[_col(metric)]).nlargest(k, _col(metric))
        return [{"name": r["name"], "value": _q(float(r[_col(metric)]), metric),
                 "where": _text(r.get("country"))} for _, r in s.iterrows()]

    largest = []
    reported = pd.to_numeric(res.get("reported_power_mw"), errors="coerce") if "reported_power_mw" in res else None
    for _, r in res.nlargest(15, _col("facility_power_peak")).iterrows():
        rep = float(reported.loc[r.name]) if reported is not None else float("nan")
        peak = float(r[_col("facility_power_peak")])
        largest.append({"name": r["name"], "operator": _text(r.get("operator")),
                        "country": _text(r.get("country")),
                        "accelerators": _count(counts.get(r["name"])),
                        "peak": _q(peak, "facility_power_peak"),
                        "reported": _reported_mw(rep),
                        "ratio": "–" if rep != rep or not peak else fmt_ratio(rep / peak),
                        "co2e": _q(float(r[_col("co2e_location_based")]), "co2e_location_based"),
                        "water": _q(float(r[_col("water_onsite_per_day")]), "water_onsite_per_day")})
    peaks = list(res[_col("facility_power_peak")].dropna())
    chart_list = [Chart("dist-power", "Peak facility power of the clusters", charts.histogram(
        "dist-power", "Peak facility power of the clusters", peaks, "MW"),
        "How many clusters fall in each range of modelled peak facility power (logarithmic bins).",
        _histogram_alt("peak facility power of the clusters", "MW", peaks))]
    top_names = [t["name"] for t in top("co2e_location_based", 12)]
    top_values = [float(v) / 1e3 for v in res.nlargest(12, _col("co2e_location_based"))[_col("co2e_location_based")]]
    chart_list.append(Chart("top-co2e", "Largest CO2e", charts.bars(
        "top-co2e", "CO₂e, location-based: the 12 largest", top_names, top_values, "kt CO₂e over each cluster's period"),
        "The twelve clusters with the largest location-based CO₂e.",
        bars_alt("CO₂e, location-based: the 12 largest", "kt CO₂e over each cluster's period", top_names, top_values)))
    comparison = []
    if reported is not None:
        both = res.assign(_rep=reported).dropna(subset=["_rep", _col("facility_power_peak")])
        if len(both):
            tol = float(ref.default("claim_tolerance").quantity.m_as(""))
            ratios = both["_rep"] / both[_col("facility_power_peak")]
            comparison = [f"{len(both)} clusters report a site power; reported ÷ modelled peak has median "
                          f"{fmt_ratio(float(ratios.median()))} (range {fmt_ratio(float(ratios.min()))} to "
                          f"{fmt_ratio(float(ratios.max()))}); {int(((ratios - 1).abs() <= tol).sum())} are within ±{tol:.0%}."]
            modelled, reported_mw = list(both[_col("facility_power_peak")]), list(both["_rep"])
            names = [str(x) for x in both["name"]]
            chart_list.append(Chart("reported", "Modelled vs reported power", charts.modelled_vs_reported(
                "reported", "Modelled peak vs reported site power", modelled, reported_mw, "MW", tol, names=names),
                "Each dot is a cluster whose sources report a site power (peak demand, substation or campus "
                "capacity: not always the same quantity).",
                _scatter_alt(modelled, reported_mw, names, tol)))
    assumed = []
    if "assumed_fields" in res:
        fields = res["assumed_fields"].fillna("").astype(str).str.split(";").explode().str.strip()
        fields = fields[fields != ""]
        for f, n in fields.value_counts().items():
            assumed.append({"field": f, "label": field_name(str(f)), "assumed": str(int(n)),
                            "reported": str(n_clusters - int(n))})
    folders = folder_names([str(x) for x in res["name"]])
    every = []
    for _, r in res.sort_values(_col("facility_power_peak"), ascending=False, na_position="last").iterrows():
        peak = float(r[_col("facility_power_peak")])
        every.append({"name": str(r["name"]), "href": f"{folders[str(r['name'])]}/report.html",
                      "operator": _text(r.get("operator")), "country": _text(r.get("country")),
                      "peak": _q(peak, "facility_power_peak"), "peak_sort": "" if peak != peak else f"{peak:.6g}",
                      "energy": _q(float(r[_col("energy")]), "energy"),
                      "energy_sort": f"{float(r[_col('energy')]):.6g}",
                      "co2e": _q(float(r[_col("co2e_location_based")]), "co2e_location_based"),
                      "co2e_sort": f"{float(r[_col('co2e_location_based')]):.6g}",
                      "accelerators": _count(counts.get(r["name"])),
                      "accelerators_sort": f"{float(counts.get(r['name'], float('nan'))):.6g}",
                      "water": _q(float(r[_col("water_onsite_per_day")]), "water_onsite_per_day"),
                      "water_sort": f"{float(r[_col('water_onsite_per_day')]):.6g}"})
    peak_total = Q_(float(res[_col("facility_power_peak")].sum()), "MW")
    energy_total = Q_(float(res[_col("energy")].sum()), METRIC_BY_NAME["energy"].unit)
    co2e_total = Q_(float(res[_col("co2e_location_based")].sum()), "t CO2e")
    headline = (f"{n_clusters} AI clusters: {fmt_q(peak_total, 'MW')} at peak, {fmt_q(energy_total, 'MWh')} and "
                f"{fmt_q(co2e_total, 't CO2e')} (location-based) over their periods")
    assumed_sentence = ""
    if assumed:
        common = [a["label"] for a in assumed if int(a["assumed"]) == n_clusters]
        if common:
            assumed_sentence = (f"Assumed, not reported, for every one of the {n_clusters} clusters: "
                                + ", ".join(common) + ". The totals depend on these assumptions.")
    errors = [{"row": str(r["row"]), "name": str(r["name"]), "field": str(r["field"]), "message": str(r["message"])}
              for _, r in result.errors.head(40).iterrows()]
    factor_rows = assumption_rows(factors_used(result))
    return {
        "title": headline, "headline": headline, "every": every, "assumed_sentence": assumed_sentence,
        "file_name": Path(result.source).name,
        "source": result.source, "date": when.strftime("%Y-%m-%d"), "version": __version__,
        "n_rows": f"{len(df):,}", "n_clusters": f"{n_clusters:,}",
        "n_error_rows": f"{result.errors['row'].nunique() if len(result.errors) else 0:,}",
        "totals": totals, "largest": largest, "top_co2e": top("co2e_location_based"),
        "top_water": top("water_onsite_per_day"), "charts": chart_list, "comparison": comparison,
        "assumed": assumed, "errors": errors, "more_errors": max(len(result.errors) - 40, 0),
        "editions": sorted(ref.data_editions().items()),
        "factors": factor_rows,
        "references": references(factor_rows),
        "factor_notes": factor_notes(factor_rows),
        "glossary": [{"term": typeset(a), "meaning": typeset(b)} for a, b in GLOSSARY],
        "has_reported": bool(reported is not None and np.isfinite(reported).any()),
    }


def _histogram_alt(title: str, unit: str, values: list[float]) -> str:
    """Alt text of the histogram: how many values it bins (the positive ones, as drawn), their range and median.

    >>> _histogram_alt("peak power", "MW", [10.0, 200.0, 31.0, 0.0])
    'Histogram, peak power, in MW on logarithmic bins: 3 clusters from 10 to 200, median 31.'
    """
    v = sorted(x for x in values if x and x > 0)
    if not v:
        return f"Histogram, {title}: no cluster has a value."
    return (f"Histogram, {title}, in {unit} on logarithmic bins: {len(v)} clusters from {fmt_sig(v[0], strip=True)} "
            f"to {fmt_sig(v[-1], strip=True)}, median {fmt_sig(float(np.median(v)), strip=True)}.")


def _scatter_alt(modelled: list[float], reported: list[float], names: list[str], tol: float) -> str:
    """Alt text of the modelled-vs-reported scatter: how many clusters, how many inside the band, and the
    labelled outliers (outside it, as the chart labels them) with both values, the furthest first (ten at most).

    >>> _scatter_alt([100.0, 50.0, 10.0], [110.0, 150.0, 10.0], ["a", "b", "c"], 0.25)
    'Scatter chart on logarithmic axes, modelled peak against reported site power, in MW: 3 clusters, 2 within ±25 % of the 1 : 1 line; outside it: b reported 150, modelled 50.'
    """
    pairs = [(r, m, n) for m, r, n in zip(modelled, reported, names, strict=True) if r > 0 and m > 0]
    outside = sorted((p for p in pairs if abs(p[0] / p[1] - 1) > tol), key=lambda p: -abs(math.log(p[0] / p[1])))
    text = (f"Scatter chart on logarithmic axes, modelled peak against reported site power, in MW: {len(pairs)} "
            f"clusters, {len(pairs) - len(outside)} within ±{tol:.0%} of the 1 : 1 line".replace("%", " %"))
    if outside:
        text += "; outside it: " + "; ".join(f"{n} reported {fmt_sig(r, strip=True)}, modelled {fmt_sig(m, strip=True)}"
                                            for r, m, n in outside[:10])
        text += f"; and {len(outside) - 10} more" if len(outside) > 10 else ""
    return text + "."


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
