"""The scenario fields, declared once.

This table drives the YAML schema (pydantic annotations and the published JSON Schema, see
:mod:`pipeline.schema`), the column-wise parsing of batch datasets (:mod:`pipeline.columns`) and
the resolution against the reference data (:mod:`pipeline.resolve`).  A field's ``path`` is its
YAML path within its level; a batch column is named by that path (``supply.onsite.share``) or by
one of its ``aliases`` (``onsite_share``).  Adding a field is one line here plus its use in the
resolution.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["CARBON_BASES", "FIELDS", "Field", "bounds_message", "bounds_text", "by_column", "field", "text_problem"]

Level = Literal["cluster", "group"]
Kind = Literal["text", "number", "quantity", "id", "mix"]


@dataclass(frozen=True)
class Field:
    """One scenario input field."""

    path: str
    level: Level
    kind: Kind
    description: str
    dimension: str = ""  # a key of pipeline.units.DIMENSIONS, for quantities
    unit: str = ""  # canonical unit of the input table and the stage arrays
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    table: str = ""  # reference table whose ids the field takes
    required: bool = False
    rangeable: bool = False  # may be a range or distribution
    max_length: int = 0  # for text: the most characters (names are repeated in titles and headers)
    aliases: tuple[str, ...] = ()
    example: str = ""

    @property
    def column(self) -> str:
        """The name of this field's column in the input table."""
        return self.path


#: The carbon bases a scenario may ask for (``carbon_basis``).
CARBON_BASES = ("direct", "lifecycle")
#: How hydropower's reservoir evaporation is allocated (``supply.hydro_evaporation``).
HYDRO_RULES = ("allocated", "excluded")

HOURS_PER_YEAR = 8766  # a Julian year (pint's 'year'), for the bounds below

#: The fields.  Upper bounds are plausibility bounds, far above any real cluster (a billion
#: accelerators, 100 years, a PUE of 10, 100 kW per accelerator ...): they turn typos and overflows
#: into an error that names the field instead of an infinite or absurd result.
FIELDS: tuple[Field, ...] = (
    # cluster level ---------------------------------------------------------------------------
    Field("name", "cluster", "text", "Name of the cluster or scenario", required=True, max_length=200,
          example="xAI Colossus, Memphis"),
    Field("location", "cluster", "text", "Where the cluster is (free text)", max_length=300),
    Field("description", "cluster", "text", "A sentence on what is modelled", max_length=5000),
    Field("utilization", "cluster", "number", "Mean accelerator load over the period, 0 to 1", lo=0, hi=1,
          required=True, rangeable=True, example="0.8"),
    Field("period", "cluster", "quantity", "Duration modelled; required when a group is given by count",
          dimension="time", unit="h", lo=0, lo_open=True, hi=100 * HOURS_PER_YEAR, rangeable=True, example="1 year"),
    Field("pue", "cluster", "number", "Power usage effectiveness (facility / IT energy), >= 1", lo=1, hi=10,
          required=True, rangeable=True, example="1.2"),
    Field("wue", "cluster", "quantity", "Water usage effectiveness: site water consumed per kWh of IT energy",
          dimension="water_intensity", unit="L/kWh", lo=0, hi=100, required=True, rangeable=True,
          example="1.8 L/kWh"),
    Field("cooling_cycles", "cluster", "number", "Cycles of concentration of the evaporative cooling towers (makeup / "
          "blowdown): on-site withdrawal = consumption x C / (C - 1); default from defaults.csv", lo=1, lo_open=True,
          hi=100, rangeable=True, example="4"),
    Field("lifetime", "cluster", "quantity", "Hardware lifetime for embodied carbon (default from defaults.csv)",
          dimension="time", unit="h", lo=0, lo_open=True, hi=100 * HOURS_PER_YEAR, rangeable=True, example="4 year"),
    Field("gwp_metric", "cluster", "id", "Global warming potentials for CH4 and N2O (default AR5GWP100)",
          table="gwp", example="AR6GWP100"),
    Field("carbon_basis", "cluster", "id", "Carbon basis of grid factors: direct (stack emissions at generation, as "
          "eGRID) or lifecycle (including construction and fuel supply, as IPCC and Ember); default: the basis the "
          "grid publishes. A factor on the other basis is derived from the grid's generation mix",
          table="bases", example="direct"),
    Field("supply.grid", "cluster", "id", "Grid the electricity is drawn from (an id of grids.csv)",
          table="grids", aliases=("grid",), example="us-srtv"),
    Field("supply.mix", "cluster", "mix", "A grid defined by its generation mix: technology shares summing to 1",
          table="technologies", aliases=("mix",), example="nuclear=0.4,gas=0.6"),
    Field("supply.grid_intensity", "cluster", "quantity", "Grid carbon intensity, overriding the grid's",
          dimension="carbon_intensity", unit="g CO2e/kWh", lo=0, hi=5000, rangeable=True, aliases=("grid_intensity",),
          example="429 g CO2e/kWh"),
    Field("supply.grid_water_intensity", "cluster", "quantity", "Water consumed per kWh of grid electricity",
          dimension="water_intensity", unit="L/kWh", lo=0, hi=1000, rangeable=True, aliases=("grid_water_intensity",),
          example="3.14 L/kWh"),
    Field("supply.hydro_evaporation", "cluster", "id", "Whether hydropower's reservoir evaporation counts as water "
          "consumed generating the grid's electricity: allocated (default, as Macknick et al. 2012 and Li et al. 2023) "
          "or excluded (reservoirs serve other uses too); applies to water factors derived from a generation mix",
          table="hydro_evaporation", aliases=("hydro_evaporation",), example="excluded"),
    Field("supply.supplier", "cluster", "id", "Electricity supplier whose published rate is the market-based factor "
          "of unmatched grid energy (a utility-system id of grids.csv)", table="suppliers", aliases=("supplier",),
          example="us-tva"),
    Field("supply.onsite.technology", "cluster", "id", "On-site generation technology (an id of onsite.csv)",
          table="onsite", aliases=("onsite_technology",), example="gas-turbine-simple-cycle"),
    Field("supply.onsite.share", "cluster", "number", "Share of facility energy generated on site, 0 to 1",
          lo=0, hi=1, rangeable=True, aliases=("onsite_share",), example="0.3"),
    Field("supply.onsite.controls", "cluster", "id", "NOx control of the on-site plant: uncontrolled, "
          "water-steam-injection, dln (dry low-NOx, lean premix) or scr (dry low-NOx plus selective catalytic "
          "reduction); default: the technology's default_controls in onsite.csv", table="controls",
          aliases=("onsite_controls",), example="scr"),
    Field("supply.ppa.share", "cluster", "number", "Share of grid energy matched by renewable purchases, 0 to 1",
          lo=0, hi=1, rangeable=True, aliases=("ppa_share",), example="0.5"),
    Field("supply.ppa.intensity", "cluster", "quantity", "Carbon intensity of the purchased energy (default 0)",
          dimension="carbon_intensity", unit="g CO2e/kWh", lo=0, hi=5000, rangeable=True, aliases=("ppa_intensity",),
          example="11 g CO2e/kWh"),
    Field("health.onsite", "cluster", "id", "Health-damage factors for on-site combustion (an id of health.csv; "
          "default: the national set of the grid's country, where one is shipped)", table="health",
          aliases=("health_onsite",), example="easiur-memphis-ground"),
    Field("health.grid", "cluster", "id", "Health-damage factors for the grid's power plants (an id of health.csv; "
          "default as for health.onsite)", table="health", aliases=("health_grid",), example="us-egu"),
    # group level (fleet[i]) ------------------------------------------------------------------
    Field("accelerator", "group", "id", "Accelerator model (an id of accelerators.csv)", table="accelerators",
          required=True, example="h100-sxm"),
    Field("count", "group", "number", "Number of accelerators (or give accelerator_hours)", lo=0, lo_open=True,
          hi=1e9, rangeable=True, example="100000"),
    Field("accelerator_hours", "group", "quantity", "Accelerator-time used (instead of count and period)",
          dimension="time", unit="h", lo=0, hi=1e13, rangeable=True, example="3.3e6 h"),
    Field("power", "group", "quantity", "Full-load board power per accelerator (default: TDP)", dimension="power",
          unit="W", lo=0, hi=1e5, rangeable=True, example="700 W"),
    Field("idle_power", "group", "quantity", "Idle board power per accelerator", dimension="power", unit="W",
          lo=0, hi=1e5, rangeable=True, example="70 W"),
    Field("host_power", "group", "quantity", "Host server power per accelerator (CPUs, memory, NICs, fans)",
          dimension="power", unit="W", lo=0, hi=1e5, rangeable=True, example="575 W"),
    Field("embodied", "group", "quantity", "Embodied CO2e per accelerator, without its host-server share",
          dimension="carbon_mass", unit="kg CO2e", lo=0, hi=1e5, rangeable=True, example="150 kg CO2e"),
    Field("label", "group", "text", "A label for the group in reports", max_length=100),
    # hourly runs (pipeline/hourly.py) --------------------------------------------------------
    Field("resolution", "cluster", "id", "Time resolution of the run: annual (one flat year, the default) or hourly "
          "(the 8,760 hours of a year: the grid's hourly mix, weather-driven cooling, hour-by-hour CFE matching)",
          table="resolutions", example="hourly"),
    Field("supply.hourly", "cluster", "id", "Hourly generation-mix profile of the grid (an id of "
          "pipeline/data/hourly/index.csv, kind grid-mix): hourly carbon and water intensity and carbon-free share; "
          "hourly runs only", table="hourly_profiles", aliases=("hourly_profile",), example="tva-2023"),
    Field("supply.ppa.profile", "cluster", "id", "Hourly shape of the contracted generation (an id of "
          "pipeline/data/hourly/index.csv, kind generation-shape), for hour-by-hour CFE matching; default flat",
          table="generation_shapes", aliases=("ppa_profile",), example="erco-2021-solar"),
    Field("cooling.type", "cluster", "id", "Cooling model giving the hourly WUE from the weather: evaporative-tower, "
          "adiabatic or dry (pipeline/data/climate/cooling_models.csv); hourly runs only",
          table="cooling_types", aliases=("cooling_type",), example="evaporative-tower"),
    Field("cooling.climate", "cluster", "id", "Hourly weather of the site (an id of pipeline/data/climate/index.csv)",
          table="climates", aliases=("climate",), example="memphis-tmy3"),
)

_BY_PATH = {f.path: f for f in FIELDS}
_BY_COLUMN = {name: f for f in FIELDS for name in (f.path, *f.aliases)}


def field(path: str) -> Field:
    """The field declared at ``path`` (KeyError if none)."""
    return _BY_PATH[path]


def by_column(name: str) -> Field | None:
    """The field a dataset column names, by path or alias; None for a pass-through column."""
    return _BY_COLUMN.get(name)


#: Characters refused in user text: C0/C1 controls (terminal escapes) and bidirectional overrides
#: (text that displays differently from what it says); tab and newline are allowed in descriptions.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def text_problem(text: str, max_length: int = 0, multiline: bool = False) -> str | None:
    """Why a piece of user text is refused, or None.

    >>> text_problem("x" * 5, max_length=3), text_problem("ok")
    ('too long: 5 characters, at most 3', None)
    >>> text_problem("red " + chr(27) + "[31m").startswith("contains a control character")
    True
    """
    if max_length and len(text) > max_length:
        return f"too long: {len(text):,} characters, at most {max_length:,}"
    bad = _CONTROL.search(text) or (None if multiline else re.search(r"[\t\n]", text))
    if bad:
        return f"contains a control character ({ascii(bad.group())[1:-1]}); remove it"
    return None


def bounds_text(f: Field) -> str:
    """The allowed range in words, e.g. ``">= 0 and <= 1"``.

    >>> bounds_text(field("utilization")), bounds_text(field("count")), bounds_text(field("label"))
    ('>= 0 and <= 1', '> 0 and <= 1e+09', '')
    """
    parts = []
    if f.lo > -math.inf:
        parts.append(f"{'>' if f.lo_open else '>='} {f.lo:g}")
    if f.hi < math.inf:
        parts.append(f"<= {f.hi:g}")
    return " and ".join(parts)


def bounds_message(f: Field, value: float) -> str | None:
    """The one message for a value outside ``f``'s bounds (None when inside).

    >>> bounds_message(field("pue"), 0.8), bounds_message(field("supply.ppa.share"), -0.1)
    ('out of range', 'must not be negative')
    >>> bounds_message(field("period"), 0.0), bounds_message(field("pue"), 1.2) is None
    ('must be more than zero', True)
    """
    if not math.isfinite(value):
        return "must be a finite number"
    if value < 0 and f.lo >= 0:
        return "must not be negative"
    if (value <= f.lo if f.lo_open else value < f.lo):
        return "must be more than zero" if f.lo == 0 else "out of range"
    if value > f.hi:
        return "out of range"
    return None
