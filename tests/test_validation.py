"""Validation suite: clusterprint against published figures (cases in ``validation/``)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from pipeline.validate import load_cases, run_cases, validation_markdown
from tests.conftest import ROOT

CASES = load_cases(ROOT / "validation")
CHECKS = [(c, i) for c in CASES for i in range(len(c.expected))]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return run_cases(CASES)


def test_enough_cases_from_enough_publications() -> None:
    assert len(CASES) >= 8
    assert len({c.citation for c in CASES}) >= 4


@pytest.mark.parametrize(("case", "i"), CHECKS, ids=[f"{c.case}-{c.expected[i].metric}" for c, i in CHECKS])
def test_published_figure_reproduced(frame: pd.DataFrame, case, i: int) -> None:
    row = frame[frame["case"] == case.case].iloc[i]
    assert row["metric"] == case.expected[i].metric
    assert not math.isnan(row["clusterprint"]), f"{case.case}: {row['metric']} not modelled"
    assert abs(row["relative_error"]) <= row["tolerance"], (
        f"{case.case}: {row['metric']} published {row['published']:g} {row['unit']}, "
        f"clusterprint {row['clusterprint']:g} ({100 * row['relative_error']:+.3f} %, tolerance "
        f"{100 * row['tolerance']:g} %)")


@pytest.mark.parametrize(("case", "i"), CHECKS, ids=[f"{c.case}-{c.expected[i].metric}" for c, i in CHECKS])
def test_loose_tolerance_has_a_reason(case, i: int) -> None:
    e = case.expected[i]
    if e.tolerance > 0.01:
        assert e.reason.strip(), f"{case.case}: tolerance {e.tolerance} on {e.metric} needs a reason"


def test_cases_are_documented() -> None:
    for c in CASES:
        assert c.citation.strip() and c.method_notes.strip(), c.case
        assert c.case == Path(c.file).stem


def test_markdown_lists_every_case(frame: pd.DataFrame) -> None:
    md = validation_markdown(frame)
    for c in CASES:
        assert f"### {c.case}" in md


def test_docs_are_current(frame: pd.DataFrame) -> None:
    assert (ROOT / "docs" / "validation.md").read_text(encoding="utf-8") == validation_markdown(frame)


def test_methodology_document_is_current():
    """docs/methodology.md is generated from the same METHOD list the reports print."""
    from pathlib import Path

    from pipeline.methodology import methodology_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"
    assert doc.read_text(encoding="utf-8") == methodology_markdown(), "run: python -m pipeline.methodology > docs/methodology.md"
