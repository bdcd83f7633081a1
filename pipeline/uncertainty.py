"""Uncertain inputs: distributions, seeded Monte Carlo draws, and one-at-a-time sensitivity.

Any numeric scenario input may be a range instead of a value (``pue: {low: 1.1, high: 1.4}``,
uniform) or a distribution (``{dist: triangular, low: 1.1, mode: 1.2, high: 1.4}``).  Reference
factors with a published range (``low``/``high`` in the data files) join the draws as triangular
distributions around their central value.  Draws run through the same vectorised stage functions:
N draws of S scenarios are one batch of S x N rows.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

DISTRIBUTIONS = ("uniform", "triangular")


@dataclass(frozen=True)
class Dist:
    """A distribution of one input, magnitudes in ``unit``.

    >>> Dist("triangular", 1.1, 1.4, "", mode=1.2).central
    1.2
    >>> round(Dist("uniform", 1.0, 3.0, "").quantile(0.25), 6)
    1.5
    """

    kind: str
    low: float
    high: float
    unit: str
    mode: float | None = None

    @property
    def central(self) -> float:
        """The value used for the deterministic run: the mode, or the midpoint of a uniform range."""
        return float(self.mode) if self.kind == "triangular" and self.mode is not None else (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws."""
        if self.high == self.low:
            return np.full(n, self.low)
        if self.kind == "triangular":
            return rng.triangular(self.low, self.central, self.high, n)
        return rng.uniform(self.low, self.high, n)

    def quantile(self, p: float) -> float:
        """The inverse CDF at ``p`` (0..1)."""
        lo, hi = self.low, self.high
        if hi == lo:
            return lo
        if self.kind == "triangular":
            c = self.central
            f = (c - lo) / (hi - lo)
            if p < f:
                return lo + float(np.sqrt(p * (hi - lo) * (c - lo)))
            return hi - float(np.sqrt((1 - p) * (hi - lo) * (hi - c)))
        return lo + p * (hi - lo)


@dataclass(frozen=True)
class Uncertain:
    """An uncertain input of a resolved scenario and the stage-input arrays it moves.

    ``targets`` are (array field, group index or None for scenario fields).  ``how`` is ``"set"``
    (the field takes the drawn value), ``"add"`` (the field moves by ``weight * (draw - central)``)
    or ``"scale"`` (the field is multiplied by ``draw / central``).
    """

    name: str
    dist: Dist
    targets: tuple[tuple[str, int | None], ...]
    how: str = "set"
    weight: float = 1.0
    source: str = "scenario input"


DEFAULT_DRAWS = 10_000
P_LOW, P_HIGH = 5.0, 95.0


def _settings_rows(sa, ga, s: int, values: list[tuple[Uncertain, np.ndarray]], rows: int):  # noqa: ANN001, ANN202
    """Magnitude columns of ``rows`` copies of scenario ``s`` with the given inputs overridden."""
    from dataclasses import fields

    sa_cols = {f.name: (np.full(rows, getattr(sa, f.name).magnitude[s], dtype=float), getattr(sa, f.name).units)
               for f in fields(sa)}
    gsel = np.nonzero(ga.scenario == s)[0]
    n_groups = len(gsel)
    gidx = np.tile(gsel, rows)
    ga_cols = {f.name: (np.asarray(getattr(ga, f.name).magnitude[gidx], dtype=float).copy(), getattr(ga, f.name).units)
               for f in fields(ga) if f.name != "scenario"}
    from pipeline.units import Q_

    for item, draws in values:
        central = item.dist.central
        for field, group in item.targets:
            if group is None:
                col, unit = sa_cols[field]
                pos = slice(None)
            else:
                col, unit = ga_cols[field]
                pos = np.arange(rows) * n_groups + group
            if item.how == "scale":
                col[pos] = col[pos] * (draws / central if central else 1.0)
                continue
            drawn = Q_(draws, item.dist.unit).m_as(unit)
            if item.how == "add":
                col[pos] = col[pos] + item.weight * (drawn - Q_(central, item.dist.unit).m_as(unit))
            else:
                col[pos] = drawn
    return sa_cols, ga_cols, np.repeat(np.arange(rows), n_groups)


def expand(sa, ga, blocks: list[tuple[int, list[tuple[Uncertain, np.ndarray]], int]]):  # noqa: ANN001, ANN201
    """Stage inputs for several blocks of rows; block = (scenario index, overrides, number of rows).

    Returns (ScenarioArrays, GroupArrays) of all blocks stacked, ready for ``compute_arrays``.
    """
    from pipeline.scenario import GroupArrays, ScenarioArrays
    from pipeline.units import Q_

    parts = [_settings_rows(sa, ga, s, values, rows) for s, values, rows in blocks]
    offsets = np.cumsum([0] + [rows for _, _, rows in blocks])[:-1]
    sa_out = {k: Q_(np.concatenate([p[0][k][0] for p in parts]), parts[0][0][k][1]) for k in parts[0][0]}
    ga_out = {k: Q_(np.concatenate([p[1][k][0] for p in parts]), parts[0][1][k][1]) for k in parts[0][1]}
    scenario = np.concatenate([p[2] + off for p, off in zip(parts, offsets, strict=True)]).astype(np.intp)
    return ScenarioArrays(**sa_out), GroupArrays(scenario=scenario, **ga_out)


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def monte_carlo(sa, ga, uncertain: list[tuple[Uncertain, ...]], draws: int, seed: int):  # noqa: ANN001, ANN201
    """P5, P50 and P95 of every metric over ``draws`` seeded draws per scenario.

    Returns three dicts metric -> Quantity array (one element per scenario).  Scenarios with no
    uncertain input get ``draws`` identical rows, so their three values coincide.
    """
    from pipeline.chain import compute_arrays

    blocks = []
    for s, items in enumerate(uncertain):
        # one stream per input name: scenarios that share an input share its draws (common random
        # numbers), so differences between variants are not blurred by sampling noise
        blocks.append((s, [(u, u.dist.sample(_rng(seed, u.name), draws)) for u in items], draws))
    metrics, _ = compute_arrays(*expand(sa, ga, blocks))
    low, mid, high = {}, {}, {}
    for name, q in metrics.items():
        m = np.asarray(q.magnitude, dtype=float).reshape(len(uncertain), draws)
        lo, p50, hi = np.percentile(m, [P_LOW, 50.0, P_HIGH], axis=1)
        low[name], mid[name], high[name] = (type(q)(v, q.units) for v in (lo, p50, hi))
    return low, mid, high


def sensitivity(sa, ga, s: int, items: tuple[Uncertain, ...], metric: str):  # noqa: ANN001, ANN201
    """One-at-a-time swings of ``metric`` for scenario ``s``: each input at its P5 and P95, others central.

    Returns a list of (input name, metric at input P5, metric at input P95) sorted by swing, largest first,
    in the metric's computed unit.
    """
    from pipeline.chain import compute_arrays

    if not items:
        return []
    blocks = []
    for u in items:
        for p in (P_LOW / 100, P_HIGH / 100):
            blocks.append((s, [(u, np.array([u.dist.quantile(p)]))], 1))
    metrics, _ = compute_arrays(*expand(sa, ga, blocks))
    values = metrics[metric]
    rows = [(u.name, values[2 * k], values[2 * k + 1]) for k, u in enumerate(items)]
    return sorted(rows, key=lambda r: -abs(float((r[2] - r[1]).magnitude)))
