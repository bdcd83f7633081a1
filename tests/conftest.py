import contextlib
import logging
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    return ROOT


def scenario_dict(**overrides):
    """A small valid scenario mapping; keyword overrides replace top-level fields."""
    base = {
        "name": "Test cluster",
        "location": "Somewhere",
        "fleet": [{"accelerator": "h100-sxm", "count": 1000}],
        "utilization": 0.5,
        "period": "1 day",
        "pue": 1.5,
        "wue": "2 L/kWh",
        "supply": {"grid_intensity": "400 g CO2e/kWh", "grid_water_intensity": "3 L/kWh"},
    }
    base.update(overrides)
    return base


@contextlib.contextmanager
def no_weasyprint_warnings():
    """Fail if WeasyPrint logs anything at WARNING or above inside the block (a figure without alt text, a
    document without a language, a missing font or image are logged, not raised)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []
