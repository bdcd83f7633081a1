"""Distributions of uncertain inputs: value types and vectorised inverse CDFs (a leaf: numpy only).

Any numeric scenario input may be a range (``pue: {low: 1.1, high: 1.4}``, uniform) or a
triangular distribution (``{dist: triangular, low: 1.1, mode: 1.2, high: 1.4}``).  Reference
factors with a published range join as triangular distributions around their central value.
Draws are made by inverse CDF from shared uniform streams, so any number of rows is one numpy call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["DISTRIBUTIONS", "Dist", "UncertainInput", "quantile"]

DISTRIBUTIONS = ("uniform", "triangular")
Kind = Literal["uniform", "triangular"]


def quantile(triangular: np.ndarray | bool, low: np.ndarray | float, mode: np.ndarray | float,
             high: np.ndarray | float, p: np.ndarray | float) -> np.ndarray:
    """Inverse CDF of uniform (``triangular`` False) or triangular distributions, element-wise.

    All arguments broadcast together; ``mode`` is ignored for uniform rows.

    >>> [round(float(x), 6) for x in quantile(np.array([False, True]), 1.0, 2.0, 4.0, 0.5)]
    [2.5, 2.267949]
    """
    lo, mo, hi, p = (np.asarray(x, dtype=float) for x in (low, mode, high, p))
    width = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        uniform = lo + p * width
        f = np.where(width > 0, (mo - lo) / width, 0.0)
        left = lo + np.sqrt(p * width * (mo - lo))
        right = hi - np.sqrt((1 - p) * width * (hi - mo))
        tri = np.where(p < f, left, right)
    return np.where(np.asarray(triangular, dtype=bool), tri, uniform)


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
        return float(self.mode) if self.kind == "triangular" and self.mode is not None else (self.low + self.high) / 2

    def quantile(self, p: float) -> float:
        """The inverse CDF at ``p`` (0..1)."""
        return float(quantile(self.kind == "triangular", self.low, self.central, self.high, p))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws (inverse CDF of uniform numbers)."""
        return quantile(self.kind == "triangular", self.low, self.central, self.high, rng.random(n))


@dataclass(frozen=True)
class UncertainInput:
    """An uncertain input of one scenario as shown in reports and JSON: what was drawn, from where."""

    name: str
    dist: Dist
    source: str = "scenario input"
