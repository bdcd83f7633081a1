"""The scenario file format, declared once as pydantic models built from :mod:`pipeline.fields`.

``Scenario.model_validate(mapping)`` checks the structure of a YAML scenario: known keys only
(``extra="forbid"``), types, quantities with their dimension, bounds, and the shape of ranges.
Rules that involve several fields or the reference data (unknown ids, count or accelerator-hours,
idle <= full power, a grid or its overrides ...) are column-wise and live in
:mod:`pipeline.resolve`, where they serve YAML files and batch datasets alike.

:func:`json_schema` is the published JSON Schema (draft 2020-12) for editors.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pint
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    Tag,
    ValidationError,
    WithJsonSchema,
    create_model,
    field_serializer,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError

from pipeline import fields as fl
from pipeline import profiles
from pipeline import reference as ref
from pipeline.distributions import DISTRIBUTIONS
from pipeline.errors import Problem, did_you_mean
from pipeline.metrics import METRIC_BY_NAME
from pipeline.units import EXAMPLES, dimension_of, parse_quantity, split_quantity

__all__ = ["Claim", "Figure", "FleetGroup", "Phase", "Range", "Scenario", "Supply", "Variant", "json_schema",
           "problems_of"]


class Strict(BaseModel):
    """Unknown keys are errors; validated objects are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("clusterprint", message)


def _number_parser(f: fl.Field) -> Any:
    def parse(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise _fail("expected a plain number")
        if isinstance(v, str):
            try:
                x, unit = split_quantity(v, f.example or "0.8")
            except ValueError as exc:
                raise _fail(str(exc)) from None
            if unit:
                raise _fail(f"expected a plain number, without a unit (got {v!r})")
        else:
            x = float(v)
        msg = fl.bounds_message(f, x)
        if msg:
            raise _fail(f"{msg}; allowed: {fl.bounds_text(f)}" if "finite" not in msg else msg)
        return x
    return parse


def _quantity_parser(f: fl.Field) -> Any:
    def parse(v: Any) -> pint.Quantity:
        if isinstance(v, pint.Quantity):
            q = v
        else:
            try:
                q = parse_quantity(v, f.dimension)
            except ValueError as exc:
                raise _fail(str(exc)) from None
        msg = fl.bounds_message(f, float(q.m_as(f.unit)))
        if msg:
            raise _fail(f"{msg}; allowed: {fl.bounds_text(f)}" if "finite" not in msg else msg)
        return q
    return parse


def quantity_text(q: pint.Quantity) -> str:
    """A quantity as text that parses back to the same quantity (``1.8 l/kWh``)."""
    return f"{q.magnitude!r} {q.units:~C}"


def _scalar(f: fl.Field) -> Any:
    """The annotation of one plain value of field ``f``."""
    schema: dict[str, Any] = {"description": f.description}
    if f.example:
        schema["examples"] = [f.example]
    if f.kind == "number":
        schema["type"] = "number"
        if f.lo > -math.inf:
            schema["exclusiveMinimum" if f.lo_open else "minimum"] = f.lo
        if f.hi < math.inf:
            schema["maximum"] = f.hi
        return Annotated[float, PlainValidator(_number_parser(f)), WithJsonSchema(schema)]
    if f.kind == "quantity":
        schema.update(type="string", description=f"{f.description} [{f.dimension}, e.g. '{EXAMPLES[f.dimension]}']")
        return Annotated[pint.Quantity, PlainValidator(_quantity_parser(f)), PlainSerializer(quantity_text),
                         WithJsonSchema(schema)]
    if f.kind == "id":
        special = {"gwp": ref.gwp_metrics, "suppliers": ref.supplier_ids, "controls": ref.control_ids,
                   "bases": lambda: list(fl.CARBON_BASES), "hydro_evaporation": lambda: list(fl.HYDRO_RULES), **profiles.ID_TABLES}
        ids = special.get(f.table, lambda: ref.ids(f.table))()
        schema.update(type="string", enum=ids)
        return Annotated[str, WithJsonSchema(schema)]
    schema.update(type="string", minLength=1 if f.required else 0, **({"maxLength": f.max_length} if f.max_length
                                                                       else {}))
    return Annotated[str, AfterValidator(_text_checker(f)), WithJsonSchema(schema)]


def _text_checker(f: fl.Field) -> Any:
    def check(text: str) -> str:
        if f.required and not text.strip():
            raise _fail("missing required field (empty text)")
        problem = fl.text_problem(text, f.max_length, multiline=f.path == "description")
        if problem:
            raise _fail(problem)
        return text
    return check


#: Most characters in a citation, claim source or note.
CITATION_LENGTH = 2000


def _citation(text: str) -> str:
    problem = fl.text_problem(text, CITATION_LENGTH, multiline=True)
    if problem:
        raise _fail(problem)
    return text


#: Citations, claim sources and notes: bounded text without control characters.
Citation = Annotated[str, AfterValidator(_citation), WithJsonSchema({"type": "string", "maxLength": CITATION_LENGTH})]


class Range(Strict):
    """A range (uniform) or a triangular distribution of a numeric input."""

    dist: str | None = None
    low: Any
    mode: Any = None
    high: Any

    @property
    def kind(self) -> Literal["uniform", "triangular"]:
        return "triangular" if (self.dist == "triangular" or (self.dist is None and self.mode is not None)) \
            else "uniform"

    @model_validator(mode="after")
    def _shape(self) -> Range:
        if self.dist is not None and self.dist not in DISTRIBUTIONS:
            raise _fail(f"unknown distribution {self.dist!r}; allowed: {', '.join(DISTRIBUTIONS)}")
        if self.dist == "uniform" and self.mode is not None:
            raise _fail("a uniform range takes low and high only; give dist: triangular to use a mode")
        if self.kind == "triangular" and self.mode is None:
            raise _fail("a triangular distribution needs low, mode, high (missing mode)")
        values = [_magnitude(x) for x in (self.low, self.mode, self.high) if x is not None]
        if values != sorted(values):
            raise _fail("needs low <= mode <= high")
        return self


def _magnitude(x: Any) -> float:
    return float(x.to_base_units().magnitude) if isinstance(x, pint.Quantity) else float(x)


def _ranged(path: str) -> Any:
    """A field that may be a plain value or a :class:`Range` of such values."""
    f = fl.field(path)
    one = _scalar(f)
    if not f.rangeable:
        return one
    rng = create_model(f"Range_{path.replace('.', '_')}", __base__=Range, low=(one, ...), mode=(one | None, None),
                       high=(one, ...))
    return Annotated[Annotated[one, Tag("~value")] | Annotated[rng, Tag("~range")],
                     Discriminator(lambda v: "~range" if isinstance(v, (dict, Range)) else "~value")]


@dataclass(frozen=True)
class Spec:
    """Pydantic metadata: validate (and describe in the JSON Schema) as the field declared at ``path``.

    ``Annotated[Any, Spec("pue")]`` is a plain value or a range of values with the field's type and
    bounds, built from :mod:`pipeline.fields`.
    """

    path: str
    optional: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        kind = _ranged(self.path)
        return handler.generate_schema(kind | None if self.optional else kind)


def _group_fields() -> dict[str, Any]:
    """The fields of a fleet group, straight from the field table (a new group field needs no edit here)."""
    return {f.path: (Annotated[Any, Spec(f.path)], ...) if f.required else
            (Annotated[Any, Spec(f.path, optional=True)], None)
            for f in fl.FIELDS if f.level == "group"}


#: One accelerator group (``fleet[i]``): accelerator, count or accelerator_hours, power overrides, label ...
FleetGroup = create_model("FleetGroup", __base__=Strict, __doc__="One accelerator group (``fleet[i]``).",
                          **_group_fields())


class Onsite(Strict):
    """On-site generation (``supply.onsite``)."""

    technology: Annotated[Any, Spec("supply.onsite.technology", optional=True)] = None
    share: Annotated[Any, Spec("supply.onsite.share", optional=True)] = None
    controls: Annotated[Any, Spec("supply.onsite.controls", optional=True)] = None


class Ppa(Strict):
    """Renewable purchases (``supply.ppa``)."""

    share: Annotated[Any, Spec("supply.ppa.share", optional=True)] = None
    intensity: Annotated[Any, Spec("supply.ppa.intensity", optional=True)] = None
    profile: Annotated[Any, Spec("supply.ppa.profile", optional=True)] = None


def _mix(v: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(v, dict) or not v:
        raise _fail("expected a mapping of technology -> share, e.g. {nuclear: 0.4, gas: 0.6}")
    parse = _number_parser(fl.field("supply.onsite.share"))  # a share: 0 to 1
    out = []
    for tech, share in v.items():
        try:
            out.append((str(tech), parse(share)))
        except PydanticCustomError as exc:
            raise _fail(f"share of {tech!r}: {exc.message()}") from None
    return tuple(out)


Mix = Annotated[tuple[tuple[str, float], ...], PlainValidator(_mix),
                PlainSerializer(lambda m: dict(m)),
                WithJsonSchema({"type": "object", "description": fl.field("supply.mix").description,
                                "propertyNames": {"enum": ref.ids("technologies")},
                                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}})]


class Health(Strict):
    """Which health-damage factors to use (``health``)."""

    onsite: Annotated[Any, Spec("health.onsite", optional=True)] = None
    grid: Annotated[Any, Spec("health.grid", optional=True)] = None


class Supply(Strict):
    """Where the electricity comes from (``supply``)."""

    grid: Annotated[Any, Spec("supply.grid", optional=True)] = None
    mix: Mix | None = None
    grid_intensity: Annotated[Any, Spec("supply.grid_intensity", optional=True)] = None
    grid_water_intensity: Annotated[Any, Spec("supply.grid_water_intensity", optional=True)] = None
    supplier: Annotated[Any, Spec("supply.supplier", optional=True)] = None
    hydro_evaporation: Annotated[Any, Spec("supply.hydro_evaporation", optional=True)] = None
    onsite: Onsite | None = None
    ppa: Ppa | None = None
    hourly: Annotated[Any, Spec("supply.hourly", optional=True)] = None


class Cooling(Strict):
    """Weather-driven cooling of an hourly run (``cooling``)."""

    type: Annotated[Any, Spec("cooling.type", optional=True)] = None
    climate: Annotated[Any, Spec("cooling.climate", optional=True)] = None


class Figure(Strict):
    """A published figure of one result metric: its name (with "did you mean") and a value in a unit of
    the metric's dimension.  Claims in scenarios and expected figures of validation cases are figures."""

    metric: str
    value: Any

    @field_serializer("value")
    def _text(self, value: Any) -> Any:
        return quantity_text(value) if isinstance(value, pint.Quantity) else value

    @model_validator(mode="after")
    def _value(self) -> Figure:
        if self.metric not in METRIC_BY_NAME:
            raise PydanticCustomError("clusterprint", "{msg}", {"msg": did_you_mean("metric", self.metric,
                                      list(METRIC_BY_NAME)), "at": "metric", "allowed": ", ".join(METRIC_BY_NAME)})
        if not isinstance(self.value, pint.Quantity):
            try:
                q = parse_quantity(self.value, dimension_of(METRIC_BY_NAME[self.metric].unit))
            except ValueError as exc:
                raise PydanticCustomError("clusterprint", "{msg}", {"msg": str(exc), "at": "value"}) from None
            if not math.isfinite(q.magnitude) or q.magnitude < 0:
                raise PydanticCustomError("clusterprint", "{msg}", {
                    "msg": "a published figure must be a finite, non-negative quantity", "at": "value"})
            object.__setattr__(self, "value", q)
        return self


class Claim(Figure):
    """A published figure to check the model against (``claims[i]``).

    ``kind: estimate`` (the default) is someone's estimate of the same quantity; ``kind: limit`` is a cap
    the quantity must stay under (a permit limit), checked against the modelled range.
    """

    source: Citation
    note: Citation = ""
    kind: Literal["estimate", "limit"] = "estimate"


class Overrides(Strict):
    """The cluster-level fields a variant may override (all optional here)."""

    description: Annotated[Any, Spec("description", optional=True)] = None
    utilization: Annotated[Any, Spec("utilization", optional=True)] = None
    period: Annotated[Any, Spec("period", optional=True)] = None
    pue: Annotated[Any, Spec("pue", optional=True)] = None
    wue: Annotated[Any, Spec("wue", optional=True)] = None
    cooling_cycles: Annotated[Any, Spec("cooling_cycles", optional=True)] = None
    lifetime: Annotated[Any, Spec("lifetime", optional=True)] = None
    gwp_metric: Annotated[Any, Spec("gwp_metric", optional=True)] = None
    carbon_basis: Annotated[Any, Spec("carbon_basis", optional=True)] = None
    supply: Supply | None = None
    health: Health | None = None
    resolution: Annotated[Any, Spec("resolution", optional=True)] = None
    cooling: Cooling | None = None
    fleet: list[FleetGroup] | None = None
    sources: dict[str, Citation] = {}


class Variant(Overrides):
    """A variant (``variants[i]``, used by ``clusterprint compare``): a name and the fields it overrides."""

    name: str


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(v: Any) -> dt.date:
    """A calendar date: YAML's own date (``2024-07-22`` unquoted) or the text ``YYYY-MM-DD``."""
    if isinstance(v, dt.datetime):
        raise _fail("expected a date YYYY-MM-DD, without a time of day")
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and _DATE.match(v.strip()):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError as exc:
            raise _fail(f"not a calendar date ({exc}); expected YYYY-MM-DD, e.g. '2024-07-22'") from None
    raise _fail("expected a date YYYY-MM-DD, e.g. 2024-07-22")


#: A calendar date in a timeline (ISO 8601, ``YYYY-MM-DD``).
Date = Annotated[dt.date, PlainValidator(_date), PlainSerializer(lambda d: d.isoformat()),
                 WithJsonSchema({"type": "string", "format": "date", "description": "a date, YYYY-MM-DD"})]


class Phase(Overrides):
    """A dated phase of a timeline (``timeline[i]``): a name, its dates and the fields it overrides.

    ``start`` is the first day of the phase and ``end`` the first day after it (exclusive), so a
    phase lasts ``end - start`` days and the next phase starts on this one's ``end``.  Its period
    comes from the dates; every other field overrides the scenario's top level as a variant does.
    """

    name: Annotated[Any, Spec("name")]
    start: Date
    end: Date

    @model_validator(mode="after")
    def _dates(self) -> Phase:
        if self.period is not None:
            raise PydanticCustomError("clusterprint", "{msg}", {
                "msg": "a phase's period comes from its dates (end - start); remove 'period'", "at": "period"})
        if self.end <= self.start:
            raise PydanticCustomError("clusterprint", "{msg}", {
                "msg": f"the phase must end after it starts (start {self.start.isoformat()}, end "
                       f"{self.end.isoformat()}; end is exclusive: the first day after the phase)", "at": "end"})
        return self


class Scenario(Overrides):
    """A scenario file: the overridable fields, some of them required here, plus name, claims and variants."""

    name: Annotated[Any, Spec("name")]
    location: Annotated[Any, Spec("location", optional=True)] = None
    fleet: Annotated[list[FleetGroup], Field(min_length=1)]
    utilization: Annotated[Any, Spec("utilization")]
    pue: Annotated[Any, Spec("pue")]
    wue: Annotated[Any, Spec("wue")]
    supply: Supply
    claims: list[Claim] = []
    variants: list[Variant] | None = None
    timeline: list[Phase] | None = None
    _file: str = PrivateAttr("<scenario>")

    @property
    def file(self) -> str:
        """The file the scenario was read from (for messages and reports)."""
        return self._file

    @model_validator(mode="after")
    def _sources(self) -> Scenario:
        """Each citation must name a field of this scenario (else it would silently cite nothing)."""
        valid = _citable(len(self.fleet))
        for key in self.sources:
            if key not in valid:
                raise PydanticCustomError("clusterprint", "{msg}", {
                    "msg": did_you_mean("field path", key, sorted(valid)) + " (a citation must name a field of "
                    "this scenario, e.g. 'pue' or 'fleet[0].count')", "at": f"sources.{key}"})
        return self


def _citable(n_groups: int) -> set[str]:
    """Field paths (and their sections) that ``sources:`` may cite for a fleet of ``n_groups`` groups."""
    paths = {f.path for f in fl.FIELDS if f.level == "cluster"}
    paths |= {".".join(p.split(".")[:k]) for p in paths for k in range(1, p.count(".") + 1)}
    for i in range(n_groups):
        paths |= {f"fleet[{i}]"} | {f"fleet[{i}].{f.path}" for f in fl.FIELDS if f.level == "group"}
    return paths | {"fleet", "claims"}


# --------------------------------------------------------------------------- errors

_RANGE_KEYS = ["dist", "low", "mode", "high"]


def _keys_at(path: list[str | int]) -> list[str]:
    """The keys allowed in the mapping at ``path`` (for 'did you mean')."""
    model: Any = Scenario
    for part in path:
        if isinstance(part, int) or model is None:
            continue
        if part in ("supply",):
            model = Supply
        elif part == "health" and model in (Scenario, Variant, Phase):
            model = Health
        elif part == "cooling" and model in (Scenario, Variant, Phase):
            model = Cooling
        elif part == "onsite" and model is Supply:
            model = Onsite
        elif part == "ppa" and model is Supply:
            model = Ppa
        elif part == "fleet":
            model = FleetGroup
        elif part == "claims":
            model = Claim
        elif part == "variants":
            model = Variant
        elif part == "timeline":
            model = Phase
        else:
            return _RANGE_KEYS
    return sorted(model.model_fields) if model is not None else []


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("~") and not str(part).startswith("Range_"):
            out += f".{part}" if out else str(part)
    return out


def _hint(path: str) -> str:
    leaf = path.rsplit(".", 1)[-1].split("[")[0]
    for f in fl.FIELDS:
        if f.path.rsplit(".", 1)[-1] == leaf or f.path == path:
            return f.description + (f" (e.g. {f.example!r})" if f.example else "")
    return {"fleet": "a list of groups, e.g. [{accelerator: h100-sxm, count: 100000}]",
            "supply": "a mapping with 'grid' (an id from pipeline/data/grids.csv), a 'mix', or both intensity "
            "overrides", "source": "where the figure was published"}.get(leaf, "")


def problems_of(exc: ValidationError, file: str, data: Any) -> list[Problem]:
    """One :class:`Problem` per pydantic error, at the YAML field path, in the project's wording."""
    out: list[Problem] = []
    for e in exc.errors(include_url=False):
        loc = tuple(p for p in e["loc"] if not str(p).startswith(("~", "function-")))
        path = _path(loc)
        kind, ctx = e["type"], e.get("ctx") or {}
        value = e.get("input")
        if kind == "missing":
            out.append(Problem(file, path, "missing required field", None, _hint(path)))
        elif kind == "extra_forbidden":
            valid = _keys_at([p for p in loc[:-1]])
            out.append(Problem(file, path, did_you_mean("field", str(loc[-1]), valid).replace(
                "unknown field", "unknown field"), None, ", ".join(valid)))
        elif kind == "clusterprint":
            at = ctx.get("at")
            where = f"{path}.{at}" if at and path else (at or path)
            shown = getattr(value, at, value) if at and not isinstance(value, dict) else (
                value.get(at) if at and isinstance(value, dict) else value)
            msg = ctx.get("msg", e["msg"])
            quiet = isinstance(shown, (dict, list, BaseModel)) or repr(shown) in msg
            out.append(Problem(file, where, msg, None if quiet else shown, ctx.get("allowed", "")))
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            out.append(Problem(file, path or "(top level)", "expected a mapping of fields", type(value).__name__,
                               ", ".join(_keys_at(list(loc)))))
        elif kind == "too_short":
            out.append(Problem(file, path, "expected a non-empty list of accelerator groups"))
        elif kind == "list_type":
            out.append(Problem(file, path, "expected a list", value))
        elif kind == "string_type":
            out.append(Problem(file, path, "expected text", value))
        else:
            out.append(Problem(file, path, e["msg"], value))
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "clusterprint scenario"
    return schema
