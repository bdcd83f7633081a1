"""clusterprint: what an AI compute cluster costs the planet, unit-safe and cited.

Notebook use::

    from pipeline import load_scenario, compute
    result = compute("inputs/colossus.yaml")      # or a list of scenarios: one vectorised batch
    result.metric("facility_power_peak")          # a pint Quantity
    result.to_frame()                             # pandas, a column per metric
"""

from pipeline.chain import compute
from pipeline.results import METRICS, Results
from pipeline.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from pipeline.units import Q_, ureg

__version__ = "0.1.0"
__all__ = ["METRICS", "Q_", "Results", "Scenario", "ScenarioError", "compute", "load_scenario",
           "parse_scenario", "ureg", "__version__"]
