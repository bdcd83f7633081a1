"""Input problems: one message per root cause, naming the file, field path, bad value and what is allowed.

A leaf module: everything that reads input raises :class:`ScenarioError` with :class:`Problem` lines.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

__all__ = ["Problem", "ScenarioError", "did_you_mean", "nearest"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what was given, and what is allowed."""

    file: str
    path: str
    message: str
    value: Any = None
    allowed: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        got = "" if self.value is None else f" (got {_short(self.value)})"
        allowed = f"; allowed: {self.allowed}" if self.allowed else ""
        return f"{where}: {self.message}{got}{allowed}"


class ScenarioError(ValueError):
    """Raised with every :class:`Problem` found in one input."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters (a message never carries an unbounded input).

    >>> _short("x" * 100, 10)
    "'xxxxxx…"
    """
    text = repr(value) if not isinstance(value, (dict, list)) else f"<{type(value).__name__} of {len(value)}>"
    return text if len(text) <= limit else text[: limit - 3] + "…"


def nearest(value: str, valid: list[str]) -> str | None:
    """The closest valid name to a typo, or None.

    Case and ``_``/``-`` are ignored, a bare eGRID acronym finds its ``us-`` id, and otherwise
    difflib's closest match with a ratio of at least 0.6 is taken.

    >>> nearest("SRTV", ["us-srtv", "us-camx"]), nearest("h100-sxn", ["h100-sxm", "h200-sxm"])
    ('us-srtv', 'h100-sxm')
    """
    key = str(value).strip().lower()
    folded = {v.lower(): v for v in valid}
    for candidate in (key, key.replace("_", "-"), f"us-{key}"):
        if candidate in folded:
            return folded[candidate]
    found = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def did_you_mean(what: str, value: str, valid: list[str]) -> str:
    """``"unknown accelerator; did you mean 'h100-sxm'?"``: the one wording of an unknown name.

    >>> did_you_mean("grid", "SRTV", ["us-srtv"])
    "unknown grid; did you mean 'us-srtv'?"
    """
    hint = nearest(value, valid)
    return f"unknown {what}" + (f"; did you mean {hint!r}?" if hint else "")
