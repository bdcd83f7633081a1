"""Monte Carlo and one-at-a-time sensitivity over the stage chain, column-wise.

Each scenario is repeated once per draw and every uncertain :class:`~pipeline.inputs.Component`
is drawn by inverse CDF from a uniform stream seeded by the input's *name*: scenarios that share
an input (variants of one scenario, clusters of a batch with the same range) share its draws
(common random numbers), so their differences are not blurred by sampling noise.  Scenarios are
processed in chunks so that memory stays bounded whatever the number of rows.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pint

from pipeline.chain import compute_arrays
from pipeline.distributions import quantile
from pipeline.inputs import Component, GroupArrays, ScenarioArrays, take_arrays
from pipeline.units import Q_

__all__ = ["DEFAULT_DRAWS", "P_HIGH", "P_LOW", "draw_chunks", "draw_source", "drawn_scenarios", "percentiles",
           "sensitivity"]

DEFAULT_DRAWS = 10_000
P_LOW, P_HIGH = 5.0, 95.0
#: Scenario rows x draws evaluated at once: the chain holds ~60 arrays of this many cells (about 0.9 GB
#: peak at 10^6 cells, measured in bench/RESULTS.md).
MAX_CELLS = 1_000_000

Metrics = dict[str, pint.Quantity]
#: (component, its elements in the chunk, copies per scenario) -> values (elements x copies), NaN = unchanged
Values = Callable[[Component, np.ndarray, int], np.ndarray]


def _stream(seed: int, name: str, draws: int) -> np.ndarray:
    return np.random.default_rng([seed, zlib.crc32(name.encode())]).random(draws)


def draw_source(components: tuple[Component, ...], seed: int, draws: int
                ) -> Callable[[Component, np.ndarray, int], np.ndarray]:
    """The draws of every uncertain input: one seeded uniform stream per input name (common random numbers:
    inputs sharing a name share their draws), mapped through each component's inverse CDF."""
    names = sorted({str(x) for c in components for x in c.name})
    streams = {name: _stream(seed, name, draws) for name in names}

    def drawn(comp: Component, sel: np.ndarray, copies: int) -> np.ndarray:
        codes, uniques = pd.factorize(comp.name[sel])
        u = np.stack([streams[str(x)] for x in uniques])[codes]
        return quantile(comp.kind[sel][:, None], comp.low[sel][:, None], comp.mode[sel][:, None],
                        comp.high[sel][:, None], u)

    return drawn


def draw_chunks(rows: int, draws: int, cells_per_draw: int = 1, max_cells: int = MAX_CELLS
                ) -> list[tuple[np.ndarray, int, int]]:
    """How to evaluate ``rows`` scenarios x ``draws`` draws when one draw of one scenario is ``cells_per_draw``
    rows of the chain (8,760 for an hourly run): chunks ``(row positions, first draw, end draw)`` of at most
    ``max_cells`` cells each (``len(positions) x (end - first) x cells_per_draw``; at least one draw a chunk).

    Whole scenarios with all their draws where they fit, else one scenario's draws in consecutive blocks, so a
    scenario's draws are complete at the chunk whose ``end == draws``.

    >>> [(p.tolist(), a, b) for p, a, b in draw_chunks(3, 4, cells_per_draw=10, max_cells=80)]
    [([0, 1], 0, 4), ([2], 0, 4)]
    >>> [(p.tolist(), a, b) for p, a, b in draw_chunks(2, 5, cells_per_draw=10, max_cells=30)]
    [([0], 0, 3), ([0], 3, 5), ([1], 0, 3), ([1], 3, 5)]
    """
    per = max(1, max_cells // max(cells_per_draw, 1))  # draws a chunk
    if draws <= per:
        k = max(1, per // max(draws, 1))  # whole scenarios a chunk
        return [(np.arange(s, min(rows, s + k)), 0, draws) for s in range(0, rows, k)]
    return [(np.array([r]), d, min(draws, d + per)) for r in range(rows) for d in range(0, draws, per)]


def drawn_scenarios(sa: ScenarioArrays, ga: GroupArrays, rows: np.ndarray, first: int, end: int,
                    components: tuple[Component, ...], drawn: Values) -> tuple[ScenarioArrays, GroupArrays]:
    """Scenarios ``rows``, each repeated for draws ``first`` .. ``end - 1`` of ``drawn`` (a :func:`draw_source`),
    with those draws' values applied: the same worlds as :func:`percentiles` draws, in chunks of draws."""

    def block(comp: Component, sel: np.ndarray, copies: int) -> np.ndarray:
        return drawn(comp, sel, copies)[:, first:end]

    return _apply(sa, ga, rows, end - first, components, block)


def _apply(sa: ScenarioArrays, ga: GroupArrays, rows: np.ndarray, copies: int, components: tuple[Component, ...],
           values: Values) -> tuple[ScenarioArrays, GroupArrays]:
    """Scenarios ``rows``, each repeated ``copies`` times, with the components' values applied."""
    rep_sa, rep_ga = take_arrays(sa, ga, np.repeat(rows, copies))
    slot = np.full(len(sa), -1, dtype=np.intp)
    slot[rows] = np.arange(len(rows))
    # the rank of each original group within its scenario, and where each new scenario's groups start
    rank = np.zeros(len(ga), dtype=np.intp)
    order = np.argsort(ga.scenario, kind="stable")
    starts = np.searchsorted(ga.scenario[order], np.arange(len(sa) + 1))
    rank[order] = np.arange(len(ga)) - np.repeat(starts[:-1], np.diff(starts))
    new_start = np.concatenate([[0], np.cumsum(np.bincount(rep_ga.scenario, minlength=len(rep_sa)))[:-1]])
    arrays: dict[tuple[bool, str], np.ndarray] = {}
    for comp in components:
        owner = ga.scenario[comp.index] if comp.group else comp.index
        sel = np.flatnonzero(slot[owner] >= 0)
        if not len(sel):
            continue
        v = values(comp, sel, copies)
        scen = (slot[owner[sel]] * copies)[:, None] + np.arange(copies)[None, :]
        pos = new_start[scen] + rank[comp.index[sel]][:, None] if comp.group else scen
        key = (comp.group, comp.target)
        if key not in arrays:
            q = getattr(rep_ga if comp.group else rep_sa, comp.target)
            arrays[key] = np.array(q.m_as(comp.unit), dtype=float)
        col = arrays[key]
        keep = ~np.isnan(v)
        if comp.how == "add":
            col[pos[keep]] += (comp.weight[sel][:, None] * (v - comp.mode[sel][:, None]))[keep]
        else:
            col[pos[keep]] = v[keep]
    units = {(c.group, c.target): c.unit for c in components}
    new: dict[bool, dict[str, Any]] = {False: {}, True: {}}
    for (g, t), col in arrays.items():
        new[g][t] = Q_(col, units[(g, t)])
    rep_sa = replace(rep_sa, **new[False])
    rep_ga = replace(rep_ga, **new[True])
    return rep_sa, rep_ga


def percentiles(sa: ScenarioArrays, ga: GroupArrays, components: tuple[Component, ...], draws: int, seed: int,
                max_cells: int = MAX_CELLS) -> tuple[Metrics, Metrics, Metrics]:
    """P5, P50 and P95 of every metric over ``draws`` seeded draws per scenario.

    Scenarios with no uncertain input get identical draws, so their three values coincide.
    """
    drawn = draw_source(components, seed, draws)
    chunk = max(1, max_cells // max(draws, 1))
    parts: list[tuple[Metrics, Metrics, Metrics]] = []
    for start in range(0, len(sa), chunk):
        rows = np.arange(start, min(len(sa), start + chunk))
        metrics, _ = compute_arrays(*_apply(sa, ga, rows, draws, components, drawn))
        lo, mid, hi = {}, {}, {}
        for name, q in metrics.items():
            m = np.asarray(q.magnitude, dtype=float).reshape(len(rows), draws)
            with np.errstate(invalid="ignore"):
                p = np.percentile(m, [P_LOW, 50.0, P_HIGH], axis=1)
            lo[name], mid[name], hi[name] = (type(q)(v, q.units) for v in p)
        parts.append((lo, mid, hi))
    out = [{k: Q_(np.concatenate([p[j][k].magnitude for p in parts]), v.units) for k, v in parts[0][j].items()}
           for j in range(3)]
    return out[0], out[1], out[2]


def sensitivity(sa: ScenarioArrays, ga: GroupArrays, components: tuple[Component, ...], i: int,
                names: list[str]) -> dict[str, list[tuple[str, pint.Quantity, pint.Quantity]]]:
    """One-at-a-time swings for scenario ``i``: each named input at its P5 and P95, the others central.

    Returns metric -> list of (input name, metric at input P5, metric at input P95), widest first, for
    every metric (one chain run of 2 x inputs rows).
    """
    if not names:
        return {}
    p = np.tile([P_LOW / 100, P_HIGH / 100], len(names))
    which = np.repeat(np.arange(len(names)), 2)
    index = {n: k for k, n in enumerate(names)}

    def fixed(comp: Component, sel: np.ndarray, copies: int) -> np.ndarray:
        k = np.array([index.get(str(x), -1) for x in comp.name[sel]])
        q = quantile(comp.kind[sel][:, None], comp.low[sel][:, None], comp.mode[sel][:, None],
                     comp.high[sel][:, None], p[None, :])
        return np.where(which[None, :] == k[:, None], q, np.nan)

    out, _ = compute_arrays(*_apply(sa, ga, np.array([i]), 2 * len(names), components, fixed))
    result = {}
    for metric, v in out.items():
        rows = [(n, v[2 * k], v[2 * k + 1]) for k, n in enumerate(names)]
        result[metric] = sorted(rows, key=lambda r: -abs(float((r[2] - r[1]).magnitude)))
    return result
