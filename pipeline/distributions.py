"""Distributions of uncertain inputs: value types and vectorised inverse CDFs (a leaf: numpy only).

Any numeric scenario input may be a range (``pue: {low: 1.1, high: 1.4}``, uniform) or a
triangular distribution (``{dist: triangular, low: 1.1, mode: 1.2, high: 1.4}``).  Reference
factors with a published range (minimum, median, maximum) join as two-piece uniform distributions: half
the draws between the minimum and the median, half between the median and the maximum, so the P50 of a
factor drawn alone is its published median however skewed the range (a triangular with the median as
its mode would move it: IPCC hydro, 1-24-2,200 g/kWh, would draw a P50 of about 660).
Draws are made by inverse CDF from shared uniform streams, so any number of rows is one numpy call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["DISTRIBUTIONS", "KINDS", "TRIANGULAR", "TWO_PIECE", "UNIFORM", "Dist", "UncertainInput", "quantile"]

#: Distributions a user may declare, and all kinds by code (the code is what arrays carry).
DISTRIBUTIONS = ("uniform", "triangular")
KINDS = ("uniform", "triangular", "two-piece-uniform")
UNIFORM, TRIANGULAR, TWO_PIECE = 0, 1, 2
Kind = Literal["uniform", "triangular", "two-piece-uniform"]


def quantile(kind: np.ndarray | int, low: np.ndarray | float, mode: np.ndarray | float,
             high: np.ndarray | float, p: np.ndarray | float) -> np.ndarray:
    """Inverse CDF, element-wise, of uniform (kind 0), triangular (1, ``mode`` its peak) or two-piece
    uniform (2, ``mode`` its median) distributions.

    All arguments broadcast together; ``mode`` is ignored for uniform rows.

    >>> [round(float(x), 6) for x in quantile(np.array([0, 1, 2]), 1.0, 2.0, 4.0, 0.5)]
    [2.5, 2.267949, 2.0]
    >>> [float(x) for x in quantile(2, 1.0, 24.0, 2200.0, np.array([0.0, 0.25, 0.75, 1.0]))]
    [1.0, 12.5, 1112.0, 2200.0]
    """
    lo, mo, hi, p = (np.asarray(x, dtype=float) for x in (low, mode, high, p))
    width = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        uniform = lo + p * width
        f = np.where(width > 0, (mo - lo) / width, 0.0)
        left = lo + np.sqrt(p * width * (mo - lo))
        right = hi - np.sqrt((1 - p) * width * (hi - mo))
        tri = np.where(p < f, left, right)
        two_piece = np.where(p < 0.5, lo + 2 * p * (mo - lo), mo + (2 * p - 1) * (hi - mo))
    kind = np.asarray(kind)
    return np.where(kind == TRIANGULAR, tri, np.where(kind == TWO_PIECE, two_piece, uniform))


@dataclass(frozen=True)
class Dist:
    """A distribution of one input, magnitudes in ``unit``.

    >>> Dist("triangular", 1.1, 1.4, "", mode=1.2).central
    1.2
    >>> round(Dist("uniform", 1.0, 3.0, "").quantile(0.25), 6)
    1.5
    """

    kind: Kind
    low: float
    high: float
    unit: str
    mode: float | None = None

    @property
    def central(self) -> float:
        """The value of the deterministic run: the mode, or the midpoint of a uniform range."""
        return float(self.mode) if self.kind != "uniform" and self.mode is not None else (self.low + self.high) / 2

    def quantile(self, p: float) -> float:
        """The inverse CDF at ``p`` (0..1)."""
        return float(quantile(KINDS.index(self.kind), self.low, self.central, self.high, p))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws (inverse CDF of uniform numbers)."""
        return quantile(KINDS.index(self.kind), self.low, self.central, self.high, rng.random(n))


@dataclass(frozen=True)
class UncertainInput:
    """An uncertain input of one scenario as shown in reports and JSON: what was drawn, from where."""

    name: str
    dist: Dist
    source: str = "scenario input"
