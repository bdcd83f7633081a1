"""clusterprint: what an AI compute cluster costs the planet, unit-safe and cited.

Notebook use::

    from pipeline import load_scenario, compute
    result = compute("inputs/colossus.yaml")      # or a list of scenarios: one vectorised batch
    result.metric("facility_power_peak")          # a pint Quantity
    result.to_frame()                             # pandas, a column per metric

The names below load on first use (PEP 562), so importing a submodule such as
``pipeline.report.model`` does not load the engine.
"""

from __future__ import annotations

import importlib
from typing import Any

from pipeline._version import __version__ as __version__

_EXPORTS = {
    "compute": "pipeline.api", "load_scenario": "pipeline.api", "parse_scenario": "pipeline.api",
    "ScenarioError": "pipeline.errors", "METRICS": "pipeline.metrics", "Results": "pipeline.results",
    "Scenario": "pipeline.schema", "Q_": "pipeline.units", "ureg": "pipeline.units",
}
__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
