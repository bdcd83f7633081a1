"""Uncertain inputs: distributions, seeded Monte Carlo draws, and one-at-a-time sensitivity.

Any numeric scenario input may be a range instead of a value (``pue: {low: 1.1, high: 1.4}``,
uniform) or a distribution (``{dist: triangular, low: 1.1, mode: 1.2, high: 1.4}``).  Reference
factors with a published range (``low``/``high`` in the data files) join the draws as triangular
distributions around their central value.  Draws run through the same vectorised stage functions:
N draws of S scenarios are one batch of S x N rows.
"""

from __future__ import annotations

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
