"""Case files: a TOML file validated by pydantic models, one to one.

A case describes the site and climate, the building and emitter, the heat source, the fixed
design parameters, the design space, economics and policy, noise receivers and the optimisation
settings.  See ``docs/case-files.md`` for every field; ``casestudies/*/case.toml`` are examples.

Every invalid file gives one :class:`~designopt.errors.ConfigurationError` whose message names
the field, the value and what is allowed.
"""

from __future__ import annotations

import functools
import math
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from designopt.cache import stable_hash
from designopt.catalogue import (
    CONSTRAINTS,
    OBJECTIVE_SOURCES,
    OBJECTIVES,
    SOURCES,
    VARIABLES,
    receiver_slug,
)
from designopt.enums import Climate, SourceType
from designopt.errors import ConfigurationError

SCHEMA_VERSION = 1
#: A case name: it becomes a folder name (results/<name>), so letters, digits, '.', '_', '-'.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class _Model(BaseModel):
    # inf and NaN are refused everywhere: no field of a case means "infinitely much"
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Emitter(StrEnum):
    RADIATORS = "radiators"
    UNDERFLOOR = "underfloor"


#: Design temperature of the EN 14825 reference seasons [degC].
DESIGN_TEMPERATURE_DEGC = {Climate.AVERAGE: -10.0, Climate.COLDER: -22.0, Climate.WARMER: 2.0}
#: Design flow temperature of the emitter presets [degC] (EN 14825 applications).
EMITTER_FLOW_DEGC = {Emitter.RADIATORS: 55.0, Emitter.UNDERFLOOR: 35.0}


class Site(_Model):
    """Where the heat pump stands."""

    climate: Climate = Field(Climate.AVERAGE, description="EN 14825 reference heating season")
    weather_file: str | None = Field(
        None, description="EPW file for the hourly simulation (path relative to the case file)"
    )


class Building(_Model):
    """The heat demand."""

    design_heat_load_kW: float = Field(
        gt=0, le=1000, description="heat load at the design temperature [kW]"
    )
    design_temperature_degC: float | None = Field(
        None, ge=-40, le=15, description="design outdoor temperature [degC]; default: the climate's"
    )
    emitter: Emitter = Field(
        Emitter.RADIATORS, description="radiators (55 degC design flow) or underfloor (35 degC)"
    )


class Source(_Model):
    type: str = Field(
        SourceType.AIR.value, description="source type of the study: a key of catalogue.SOURCES"
    )

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in SOURCES:
            raise ValueError(f"unknown source type; valid: {sorted(SOURCES)}")
        return v

    water_temperature_degC: float = Field(
        10.0,
        ge=1,
        le=30,
        description="inlet temperature of a water source (well, river, lake) [degC]",
    )


class Receiver(_Model):
    """A noise assessment position."""

    name: str = "receiver"
    distance_m: float = Field(gt=0, le=1000, description="distance from the unit [m]")
    reflecting_surfaces: int = Field(
        1, ge=0, le=3, description="reflecting surfaces within 1 m of the unit (ground counts)"
    )
    barrier: Literal["none", "partial", "full"] = "none"
    method: Literal["mcs020a", "iso9613", "mcs020", "us-night"] = "mcs020a"
    limit_dBA: float | None = Field(
        None, ge=0, le=120, description="limit at the receiver; default: the method's"
    )
    background_dBA: float | None = Field(
        None, ge=0, le=120, description="background level (legacy MCS 020 only)"
    )

    @model_validator(mode="after")
    def _background(self) -> Receiver:
        if self.background_dBA is not None and self.method != "mcs020":
            raise ValueError(
                f"background_dBA is used by method='mcs020' only, not method={self.method!r}; "
                "remove it or use method='mcs020'"
            )
        return self


class Noise(_Model):
    receivers: tuple[Receiver, ...] = ()

    @field_validator("receivers")
    @classmethod
    def _receivers(cls, v: tuple[Receiver, ...]) -> tuple[Receiver, ...]:
        seen: dict[str, str] = {}
        for r in v:
            slug = receiver_slug(r.name)
            if slug in seen:
                raise ValueError(
                    f"receiver names {seen[slug]!r} and {r.name!r} are the same name "
                    f"(level_{slug}_dBA); give every receiver its own name"
                )
            seen[slug] = r.name
        return v

    quiet_mode_dBA: float | None = Field(
        None,
        ge=20,
        le=120,
        description="night (quiet) mode: cap fan and compressor speed so that L_WA <= this [dB(A)]",
    )
    night_fraction: float = Field(
        9.0 / 24.0,
        ge=0,
        le=1,
        description="share of the heating hours in quiet mode (22:00-07:00 = 9/24)",
    )


class Economics(_Model):
    """Prices, finance and carbon (currency of the cost data, default EUR)."""

    lifetime_years: int = Field(20, ge=1, le=60)
    discount_rate: float = Field(0.035, ge=0, le=0.5, description="real discount rate [1/a]")
    electricity_price_per_kWh: float = Field(0.30, ge=0, le=10)
    gas_price_per_kWh: float = Field(0.08, ge=0, le=10)
    electricity_standing_charge_per_year: float = Field(0.0, ge=0, le=1e6)
    price_escalation: float = Field(
        0.0, ge=-0.2, le=0.5, description="real annual energy price escalation [1/a]"
    )
    maintenance_fraction: float = Field(
        0.015, ge=0, le=0.2, description="annual maintenance as a share of capital [1/a]"
    )
    grid_co2_kg_per_kWh: float = Field(0.2, ge=0, le=2)
    gas_co2_kg_per_kWh: float = Field(0.202, ge=0, le=1)
    carbon_price_per_t: float = Field(0.0, ge=0, le=2000)
    capital_subsidy: float = Field(
        0.0, ge=0, le=1e8, description="fixed grant deducted from the capital cost"
    )
    annual_leakage_rate: float = Field(
        0.03, ge=0, le=0.5, description="refrigerant leakage per year [1/a]"
    )
    end_of_life_loss: float = Field(
        0.15, ge=0, le=1, description="share of the charge lost at disposal [1]"
    )
    cost_base_year: int | None = Field(
        None, ge=1990, le=2100, description="move cost data to this year"
    )


class Policy(_Model):
    min_heat_pump_coverage: float | None = Field(
        None,
        gt=0,
        le=1,
        description="share of the design heat load the heat pump alone must cover at the design"
        " temperature (constraint 'coverage'; default 1.0, MCS MIS 3005-D)",
    )
    gwp_cap: float | None = Field(
        None, ge=0, description="maximum refrigerant GWP (F-gas style ban)"
    )
    charge_limit_kg: float | None = Field(
        None, gt=0, description="user cap on refrigerant charge [kg]"
    )
    room_area_m2: float | None = Field(
        None,
        gt=0,
        description="room area for the IEC 60335-2-40 flammable charge limit (indoor parts)",
    )


class BoilerTable(_Model):
    """The ``[boiler]`` table: a fuel boiler next to the heat pump makes the case a heat pump +
    boiler hybrid (see docs/hybrid-boiler.md)."""

    fuel: Literal["gas", "oil", "lpg", "biomass", "other"] = "gas"
    price_per_kWh: float | None = Field(
        None,
        ge=0,
        le=10,
        description="fuel price per kWh of fuel [currency/kWh]; gas: default"
        " economics.gas_price_per_kWh; other fuels: required",
    )
    co2_kg_per_kWh: float | None = Field(
        None,
        ge=0,
        le=1,
        description="fuel CO2 factor [kg/kWh of fuel]; gas: default economics.gas_co2_kg_per_kWh;"
        " other fuels: required",
    )
    condensing: bool = Field(
        True, description="condensing boiler: efficiency by the temperature of the water it heats"
    )
    efficiency: float = Field(
        0.88,
        ge=0.5,
        le=1.11,
        description="heat per fuel energy [1] on the fuel price's calorific basis (gross for gas"
        " as billed); condensing: at 60 degC return (the full-load 80/60 test, eta_4 of an"
        " 811/2013 fiche); otherwise constant",
    )
    efficiency_30C_return: float = Field(
        0.98,
        ge=0.5,
        le=1.11,
        description="condensing: efficiency at 30 degC return (the 30 % load test, eta_1 of an"
        " 811/2013 fiche) [1]",
    )
    operation: Literal["alternative", "parallel"] = Field(
        "parallel",
        description="below the switchover temperature: 'alternative' = boiler only, 'parallel' ="
        " heat pump at full output and the boiler tops up",
    )
    maintenance_per_year: float = Field(150.0, ge=0, le=1e5, description="[currency/a]")
    standing_charge_per_year: float = Field(
        0.0, ge=0, le=1e5, description="fuel connection standing charge [currency/a]"
    )

    @model_validator(mode="after")
    def _fuel_data(self) -> BoilerTable:
        if self.condensing and self.efficiency_30C_return < self.efficiency:
            raise ValueError(
                f"efficiency_30C_return={self.efficiency_30C_return} is below efficiency="
                f"{self.efficiency} (at 60 degC return): a condensing boiler gains at low return"
                " temperature; give condensing = false for a constant efficiency"
            )
        if self.fuel != "gas":
            missing = [f for f in ("price_per_kWh", "co2_kg_per_kWh") if getattr(self, f) is None]
            if missing:
                raise ValueError(
                    f"fuel={self.fuel!r} needs boiler.{' and boiler.'.join(missing)} (only gas"
                    " takes the [economics] gas price and CO2 factor by default)"
                )
        return self


class PipeTable(_Model):
    """U-tube data for the borehole resistance (pygfunction multipole model)."""

    kind: Literal["single_u", "double_u"] = "single_u"
    r_in_m: float = Field(0.0131, gt=0, le=0.1, description="inner pipe radius [m]")
    r_out_m: float = Field(0.016, gt=0, le=0.1, description="outer pipe radius [m]")
    shank_spacing_m: float = Field(0.035, gt=0, le=0.3, description="borehole to pipe centre [m]")
    k_pipe_W_per_mK: float = Field(0.42, gt=0, le=50)
    k_grout_W_per_mK: float = Field(1.5, gt=0, le=10)
    brine_mixer: Literal["MPG", "MEG", "MEA", "MMA"] = "MPG"
    brine_percent: float = Field(25.0, ge=0, le=60, description="antifreeze mass percentage")

    @model_validator(mode="after")
    def _radii(self) -> PipeTable:
        if self.r_in_m >= self.r_out_m:
            raise ValueError(f"r_in_m={self.r_in_m} must be smaller than r_out_m={self.r_out_m}")
        return self


class GroundTable(_Model):
    """The ``[ground]`` table of a ground or hybrid case (see docs/case-files.md)."""

    layout: Literal["line", "rectangle", "compact"] = "line"
    nx: int | None = Field(None, ge=1, le=30, description="rectangle: boreholes along x")
    ny: int | None = Field(None, ge=1, le=30, description="rectangle: boreholes along y")
    n_boreholes: int = Field(
        1, ge=1, le=100, description="line/compact: count unless borehole_count is a variable"
    )
    spacing_m: float = Field(6.0, ge=2.0, le=50.0, description="borehole spacing [m]")
    buried_depth_m: float = Field(1.5, ge=0.0, le=100.0, description="top of the active length")
    borehole_radius_m: float = Field(0.075, ge=0.03, le=0.2)
    conductivity_W_per_mK: float = Field(gt=0, le=10, description="ground conductivity")
    volumetric_heat_capacity_J_per_m3K: float = Field(2.4e6, ge=5e5, le=6e6)
    t_undisturbed_degC: float = Field(ge=-5, le=40, description="undisturbed ground temperature")
    geothermal_gradient_K_per_m: float | None = Field(None, ge=-0.1, le=0.1)
    borehole_resistance_mK_per_W: float | None = Field(None, gt=0, le=1.0)
    pipe: PipeTable | None = None
    brine_cp_J_per_kgK: float = Field(3800.0, ge=2500, le=4300)
    limit_reference: Literal["mean_fluid", "heat_pump_inlet"] = "mean_fluid"
    t_min_degC: float = Field(0.0, ge=-20, le=20, description="lowest allowed fluid temperature")
    t_max_degC: float = Field(30.0, ge=0, le=60, description="highest allowed fluid temperature")
    years: int = Field(20, ge=1, le=50, description="simulated operating years")
    brine_pump_head_kPa: float = Field(40.0, ge=0, le=500)
    brine_pump_efficiency: float = Field(0.25, ge=0.05, le=0.9)
    coupling_tol_K: float = Field(0.05, ge=1e-4, le=1.0)
    coupling_max_iter: int = Field(100, ge=1, le=1000)

    @model_validator(mode="after")
    def _check(self) -> GroundTable:
        if self.layout == "rectangle":
            if self.nx is None or self.ny is None:
                raise ValueError(
                    f"layout='rectangle' needs nx and ny, got nx={self.nx}, ny={self.ny}"
                )
        elif self.nx is not None or self.ny is not None:
            raise ValueError(
                f"nx/ny are for layout='rectangle'; layout={self.layout!r} uses n_boreholes "
                "(or the design variable borehole_count)"
            )
        if (self.borehole_resistance_mK_per_W is None) == (self.pipe is None):
            raise ValueError(
                "give exactly one of borehole_resistance_mK_per_W (e.g. 0.1) or a [ground.pipe] "
                "table"
            )
        if self.t_min_degC >= self.t_max_degC:
            raise ValueError(
                f"t_min_degC={self.t_min_degC} must be below t_max_degC={self.t_max_degC}"
            )
        if self.pipe is not None and self.pipe.shank_spacing_m + self.pipe.r_out_m > (
            self.borehole_radius_m
        ):
            raise ValueError(
                f"pipes do not fit: pipe.shank_spacing_m + pipe.r_out_m = "
                f"{self.pipe.shank_spacing_m + self.pipe.r_out_m:.4f} m exceeds "
                f"borehole_radius_m={self.borehole_radius_m}"
            )
        return self


class VariableSpec(_Model):
    """A design variable's range: numeric (low/high[/log/step]) or categorical (choices)."""

    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[str | float | int, ...] | None = None
    type: Literal["float", "int", "categorical"] | None = None

    @model_validator(mode="after")
    def _check(self) -> VariableSpec:
        if self.choices is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either choices or low/high, not both")
            if self.type in ("float", "int"):
                raise ValueError(f"type={self.type!r} needs low/high, not choices")
            if len(self.choices) == 0:
                raise ValueError("choices must not be empty")
            return self
        if self.type == "categorical":
            raise ValueError("type='categorical' needs choices = [...], not low/high")
        if self.low is None or self.high is None:
            raise ValueError("a numeric variable needs low and high")
        if self.low > self.high:
            raise ValueError(f"low={self.low} must not exceed high={self.high}")
        if self.log and self.low <= 0:
            raise ValueError(f"log scale needs low > 0, got low={self.low}")
        return self


class Optimisation(_Model):
    objectives: tuple[str, ...] = ("capital_cost", "net_present_cost")
    constraints: tuple[str, ...] = ("noise", "capacity", "charge")
    trials: int = Field(2000, ge=1, le=1_000_000)
    sampler: Literal["nsga2", "nsga3", "tpe", "random", "qmc"] = "nsga2"
    seed: int = Field(0, ge=0, le=2**32 - 1, description="sampler seed (numpy's range)")
    population_size: int = Field(50, ge=2, le=10000)
    workers: int = Field(1, ge=1, le=256)

    @field_validator("objectives")
    @classmethod
    def _objectives(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [o for o in v if o not in OBJECTIVES]
        if bad:
            raise ValueError(f"unknown objective(s) {bad}; allowed: {sorted(OBJECTIVES)}")
        if not v:
            raise ValueError(f"at least one objective is needed; allowed: {sorted(OBJECTIVES)}")
        if len(set(v)) != len(v):
            raise ValueError(f"duplicate objectives in {list(v)}")
        return v

    @field_validator("constraints")
    @classmethod
    def _constraints(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in v if c not in CONSTRAINTS]
        if bad:
            raise ValueError(f"unknown constraint(s) {bad}; allowed: {sorted(CONSTRAINTS)}")
        return v


class Case(_Model):
    """A validated case file."""

    schema_: Annotated[int, Field(alias="schema")] = SCHEMA_VERSION
    name: str = Field(
        pattern=NAME_PATTERN,
        description="the case's name; also the default output folder results/<name>",
    )
    description: str = ""
    title: str = Field(
        "",
        max_length=200,
        description="title of the report's figures and summary; empty: the description, else the name",
    )
    site: Site = Site()
    building: Building
    source: Source = Source()
    fixed: dict[str, str | float | int | bool] = Field(default_factory=dict)
    space: dict[str, VariableSpec] = Field(default_factory=dict)
    economics: Economics = Economics()
    policy: Policy = Policy()
    noise: Noise = Noise()
    ground: GroundTable | None = Field(
        None, description="borefield, ground and fluid limits of ground and hybrid cases"
    )
    boiler: BoilerTable | None = Field(
        None, description="a fuel boiler: makes the case a heat pump + boiler hybrid"
    )
    optimisation: Optimisation = Optimisation()
    base_dir: str = Field(
        ".", exclude=True, description="folder of the case file (set by load_case)"
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("schema_")
    @classmethod
    def _schema(cls, v: int) -> int:
        if v != SCHEMA_VERSION:
            raise ValueError(
                f"schema={v} is not supported; this designopt reads schema {SCHEMA_VERSION}"
            )
        return v

    @property
    def design_temperature_degC(self) -> float:
        t = self.building.design_temperature_degC
        return DESIGN_TEMPERATURE_DEGC[self.site.climate] if t is None else t

    @property
    def flow_temperature_degC(self) -> float:
        return EMITTER_FLOW_DEGC[self.building.emitter]

    def fingerprint(self) -> str:
        """Stable hash of everything that changes results (not the optimisation budget)."""
        data = self.model_dump(
            exclude={"optimisation", "description", "title", "base_dir", "ground"}
        )
        # fields added later count only when set (old studies keep their fingerprint)
        if data["boiler"] is None:
            del data["boiler"]
        if data["policy"]["min_heat_pump_coverage"] is None:
            del data["policy"]["min_heat_pump_coverage"]
        # the [ground] table as written (what the case file set), as before it was typed
        data["ground"] = {} if self.ground is None else self.ground.model_dump(exclude_unset=True)
        data["objectives"] = self.optimisation.objectives
        data["constraints"] = self.optimisation.constraints
        if self.site.weather_file is not None:  # the file's contents, not only its name
            import hashlib

            path = self.weather_path
            if path is not None and path.is_file():
                data["weather_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        return stable_hash(data)

    @property
    def weather_path(self) -> Path | None:
        """The case's EPW file (relative paths are relative to the case file), or None."""
        if self.site.weather_file is None:
            return None
        p = Path(self.site.weather_file)
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def report_title(self) -> str:
        """The title of the study's figures and summary: ``title``, else ``description``, else
        ``name``."""
        return self.title or self.description or self.name

    def with_space(self, space: dict[str, VariableSpec]) -> Case:
        return self.model_copy(update={"space": space})


def format_validation_error(exc: ValidationError, source: str, *, kind: str = "case file") -> str:
    """One line naming every bad field of a pydantic error: ``field=value: rule; ...``."""
    lines = []
    for err in exc.errors():
        loc = ""
        for part in err["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        value = err.get("input")
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "is not a known field"
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        lines.append(f"{loc}={shown}: {msg}")
    return f"invalid {kind} {source}: " + "; ".join(lines)


def case_from_mapping(
    data: dict[str, Any], *, source: str = "<mapping>", base_dir: str | Path = "."
) -> Case:
    """Validate a mapping (parsed TOML) as a :class:`Case` and :func:`check_case` it."""
    data = _renamed(dict(data), source)
    ground = data.get("ground")
    if isinstance(ground, dict):
        if not ground:
            data.pop("ground")  # an empty [ground] table is no table (check_case names it)
        else:
            try:  # the [ground] table's own message names its fields as ground.<field>
                GroundTable.model_validate(ground)
            except ValidationError as exc:
                raise ConfigurationError(_format_ground_error(exc)) from None
    try:
        case = Case.model_validate({**data, "base_dir": str(base_dir)})
    except ValidationError as exc:
        raise ConfigurationError(format_validation_error(exc, source)) from None
    check_case(case)
    return case


def _renamed(data: dict[str, Any], source: str) -> dict[str, Any]:
    """An old case file's names in today's words, with a warning that says what to rename:
    ``source.type = "hybrid"`` was the air/ground twin-source unit (``"twin_source"``); in
    designopt, as in the trade, a hybrid is a heat pump + boiler (a ``[boiler]`` table)."""
    src = data.get("source")
    if isinstance(src, dict) and src.get("type") == "hybrid":
        import warnings

        from designopt.errors import DesignOptWarning

        warnings.warn(
            f"{source}: source.type='hybrid' now means a heat pump + boiler (a [boiler] table);"
            " this file's air/ground twin-source unit was read as source.type='twin_source':"
            " rename it in the file",
            DesignOptWarning,
            stacklevel=3,
        )
        data["source"] = {**src, "type": SourceType.TWIN_SOURCE.value}
    return data


def _format_ground_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        where = f"ground.{loc}" if loc else "ground"
        msg = "is not a known field" if err["type"] == "extra_forbidden" else err["msg"]
        if err["type"] == "missing":
            parts.append(f"{where}: missing (required for a ground or hybrid source)")
            continue
        value = err.get("input")
        shown = "{...}" if isinstance(value, dict) else repr(value)
        parts.append(f"{where}={shown}: {msg}" if loc else f"{where}: {msg}")
    return "invalid [ground] table: " + "; ".join(parts)


def _check_cost_data(case: Case) -> None:
    """The cost table must price what the case asks for: its base year and every refrigerant
    the case can choose (else every evaluation would fail with the same message)."""
    from designopt.economics.capital import load_cost_table

    table = load_cost_table()
    year = case.economics.cost_base_year
    if year is not None and year not in table.cost_index:
        raise ConfigurationError(
            f"economics.cost_base_year={year} has no cost index value; valid years: "
            f"{sorted(table.cost_index)}"
        )
    names = list(case.space["refrigerant"].choices or ()) if "refrigerant" in case.space else []
    if "refrigerant" in case.fixed:
        names.append(case.fixed["refrigerant"])
    elif "refrigerant" not in case.space:
        names.append(VARIABLES["refrigerant"].default)
    unpriced = [str(n) for n in names if str(n).upper() not in table.refrigerant_price]
    if unpriced:
        raise ConfigurationError(
            f"refrigerant {unpriced} has no price in the cost data; valid: "
            f"{sorted(table.refrigerant_price)}"
        )


def check_case(case: Case) -> None:
    """Check the case's design space, fixed values, objectives and constraints against the
    variable catalogue (:data:`designopt.catalogue.VARIABLES`) and its source type's rules;
    raise one :class:`ConfigurationError` naming field, value and options."""
    src = case.source.type
    valid = sorted(k for k, v in VARIABLES.items() if src in v.sources)
    for where, names in (("space", case.space), ("fixed", case.fixed)):
        for name in names:
            if name not in VARIABLES:
                raise ConfigurationError(f"{where}.{name} is not a design variable; valid: {valid}")
            if src not in VARIABLES[name].sources:
                raise ConfigurationError(
                    f"{where}.{name} does not apply to source type {src!r}; valid: {valid}"
                )
    both = sorted(set(case.space) & set(case.fixed))
    if both:
        raise ConfigurationError(f"{both} appear in both [space] and [fixed]; give each once")
    for name, spec in case.space.items():
        info = VARIABLES[name]
        if info.kind == "categorical":
            if spec.choices is None:
                raise ConfigurationError(
                    f"space.{name} is categorical: give choices = [...], not low/high"
                )
            for c in spec.choices:
                check_variable_value(name, c, f"space.{name}.choices")
        else:
            if spec.choices is not None:
                raise ConfigurationError(f"space.{name} is numeric: give low/high, not choices")
            for bound in (spec.low, spec.high):
                check_variable_value(name, bound, f"space.{name}")
    for name, value in case.fixed.items():
        check_variable_value(name, value, f"fixed.{name}")
    for name, spec in case.space.items():
        if spec.type == "float" and VARIABLES[name].kind == "int":
            raise ConfigurationError(
                f"space.{name} is an integer variable; type='float' does not apply (give "
                "type='int' or leave it out)"
            )
    if src != SourceType.WATER.value and "water_temperature_degC" in case.source.model_fields_set:
        raise ConfigurationError(
            f"source.water_temperature_degC is for source.type='water', not {src!r}; remove it"
        )
    _check_cost_data(case)
    for name in case.optimisation.objectives:
        fits = OBJECTIVE_SOURCES.get(name, (src,))
        if src not in fits:
            other = {"scop": "spf", "spf": "scop"}.get(name)
            raise ConfigurationError(
                f"objective {name!r} does not apply to source.type={src!r}"
                + (f"; use {other!r}: {OBJECTIVES[other][2]}" if other else "")
            )
    if src in (SourceType.GROUND.value, SourceType.TWIN_SOURCE.value):
        _check_ground_case(case)
    elif src == SourceType.WATER.value:
        if (
            case.noise.receivers
            or "noise" in case.optimisation.constraints
            or case.noise.quiet_mode_dBA
        ):
            raise ConfigurationError(
                "noise receivers, the 'noise' constraint and quiet mode do not apply to"
                " source.type='water' (an indoor unit without outdoor fan); remove them"
            )
        if case.site.weather_file is not None:
            raise ConfigurationError(
                "site.weather_file is not used for source.type='water' (constant water temperature);"
                " remove it"
            )
    _check_boiler(case)
    if "noise" in case.optimisation.constraints and not case.noise.receivers:
        raise ConfigurationError("constraint 'noise' needs at least one [[noise.receivers]] entry")
    if "gwp" in case.optimisation.constraints and case.policy.gwp_cap is None:
        raise ConfigurationError(
            "constraint 'gwp' needs policy.gwp_cap (e.g. 150 for the F-gas ban)"
        )
    if src == SourceType.AIR.value and case.site.weather_file is not None:
        path = case.weather_path
        if not path.is_file():
            raise ConfigurationError(
                f"site.weather_file={case.site.weather_file!r} does not exist (looked for {path})"
            )
        n = _weather_hours(str(path))  # read and check it once (DataFormatError names the problem)
        if n != HOURS_PER_YEAR:
            raise ConfigurationError(
                f"site.weather_file={str(path)!r} has {n} hours; the design study needs a whole"
                " year of 8760 hourly records (annual energy and cost)"
            )
    if src in (SourceType.AIR.value, SourceType.WATER.value):
        hourly_only = {"fluid_temperature"} & set(case.optimisation.constraints)
        if case.site.weather_file is None and "unmet_load" in case.optimisation.constraints:
            hourly_only.add("unmet_load")  # water sources never have a weather file
        if hourly_only:
            raise ConfigurationError(
                f"constraint(s) {sorted(hourly_only)} need an hourly simulation: 'fluid_temperature' a"
                " ground or hybrid source, 'unmet_load' a site.weather_file (air) or a ground or"
                " hybrid source; valid here:"
                f" {sorted(set(CONSTRAINTS) - hourly_only)}"
            )


#: Outdoor temperature above which the load line asks for no heat [degC] (docs/hourly.md).
HEATING_LIMIT_DEGC = 16.0


def _check_boiler(case: Case) -> None:
    """Rules of the hybrid variables: the switchover temperature needs a boiler or a twin-source
    unit and, with a boiler, lies in the climate's heating range; the boiler size needs a
    boiler; a twin-source unit takes no boiler."""
    src = case.source.type
    given = {
        **{k: ("space", v) for k, v in case.space.items()},
        **{k: ("fixed", v) for k, v in case.fixed.items()},
    }
    if case.boiler is not None and src == SourceType.TWIN_SOURCE:
        raise ConfigurationError(
            "a [boiler] with source.type='twin_source' is not modelled; remove the [boiler] table"
            " or use source.type 'air', 'water' or 'ground'"
        )
    if case.boiler is None:
        if "boiler_kW" in given:
            raise ConfigurationError(
                f"{given['boiler_kW'][0]}.boiler_kW needs a [boiler] table (e.g. fuel = 'gas')"
            )
        if "switchover_temperature_degC" in given and src != SourceType.TWIN_SOURCE:
            raise ConfigurationError(
                f"{given['switchover_temperature_degC'][0]}.switchover_temperature_degC needs a"
                " [boiler] table (heat pump + boiler hybrid) or source.type='twin_source'"
            )
        return
    where, spec = given.get("switchover_temperature_degC", (None, None))
    if where is not None:
        values = (spec.low, spec.high) if where == "space" else (spec,)
        check_switchover(case, values, f"{where}.switchover_temperature_degC")


def check_switchover(case: Case, values, where: str) -> None:
    """A boiler hybrid's switchover temperatures ``values`` [degC] lie in the climate's heating
    range: the design temperature to the load line's heating limit."""
    lo, hi = case.design_temperature_degC, HEATING_LIMIT_DEGC
    bad = [v for v in values if not lo <= float(v) <= hi]
    if bad:
        raise ConfigurationError(
            f"{where}={bad[0]!r} lies outside the climate's heating range [{lo:g}, {hi:g}] degC"
            f" (design temperature to the {hi:g} degC heating limit)"
        )


#: Hours of the weather year of the design study (no leap day).
HOURS_PER_YEAR = 8760


@functools.lru_cache(maxsize=8)
def _weather_hours(path: str) -> int:
    from designopt.io.epw import read_epw

    return int(read_epw(path).sizes["time"])


def _check_ground_case(case: Case) -> None:
    """Rules of a ground or hybrid case beyond the variable names."""
    src = case.source.type
    if case.ground is None:
        raise ConfigurationError(
            f"source.type={src!r} needs a [ground] table with at least "
            "conductivity_W_per_mK, t_undisturbed_degC and borehole_resistance_mK_per_W "
            "(or [ground.pipe]); see docs/case-files.md, 'Ground and hybrid sources'"
        )
    table = case.ground
    for where, names in (("space", case.space), ("fixed", case.fixed)):
        if "borehole_count" in names and table.layout == "rectangle":
            raise ConfigurationError(
                f"{where}.borehole_count needs [ground] layout 'line' or 'compact'; "
                f"layout='rectangle' fixes the count to nx*ny={table.nx * table.ny}"
            )
    if case.noise.quiet_mode_dBA is not None:
        raise ConfigurationError(
            f"noise.quiet_mode_dBA={case.noise.quiet_mode_dBA} is not modelled for "
            f"source.type={src!r} (the hourly ground study has no night speed cap); "
            "remove it (quiet mode is available for source.type='air')"
        )
    if src == SourceType.GROUND:
        if case.noise.receivers or "noise" in case.optimisation.constraints:
            raise ConfigurationError(
                "constraint 'noise' and [[noise.receivers]] do not apply to source.type='ground' "
                "(the unit stands indoors, no outdoor fan); remove them, or use 'twin_source'"
            )
    if case.site.weather_file is not None:
        path = case.weather_path
        if not path.is_file():
            raise ConfigurationError(
                f"site.weather_file={case.site.weather_file!r} does not exist (looked for {path})"
            )
        n = _weather_hours(str(path))
        if n != HOURS_PER_YEAR:
            raise ConfigurationError(
                f"site.weather_file={str(path)!r} has {n} hours; the ground study needs "
                "a whole year of 8760 hours (no leap day)"
            )


def check_variable_value(name: str, value: Any, where: str) -> None:
    """``value`` is valid for design variable ``name`` (kind, whole number, bounds, known
    refrigerant or compressor type); ``where`` names it in the error."""
    info = VARIABLES[name]
    if info.kind == "categorical":
        if name == "refrigerant":
            from designopt import refrigerants

            if value not in refrigerants.names():
                raise ConfigurationError(
                    f"{where}={value!r} is not a known refrigerant; valid: {list(refrigerants.names())}"
                )
        if name == "compressor_injection":
            from designopt.cycle.compressor import INJECTION_CHOICES

            if value not in INJECTION_CHOICES:
                raise ConfigurationError(
                    f"{where}={value!r} is not a compressor injection; valid: {list(INJECTION_CHOICES)}"
                )
        if name == "compressor_type":
            from designopt.noise import CompressorType

            valid = [c.value for c in CompressorType]
            if value not in valid:
                raise ConfigurationError(
                    f"{where}={value!r} is not a compressor type; valid: {valid}"
                )
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigurationError(f"{where}={value!r} must be a finite number [{info.unit}]")
    if info.kind == "int" and not float(value).is_integer():
        raise ConfigurationError(f"{where}={value!r} must be a whole number [{info.unit}]")
    if (info.low is not None and value < info.low) or (info.high is not None and value > info.high):
        raise ConfigurationError(
            f"{where}={value!r} lies outside [{info.low}, {info.high}] {info.unit}"
        )


def read_toml(path: str | Path, *, kind: str = "case file") -> dict[str, Any]:
    """The parsed TOML file ``path``; a missing file, bad TOML or non-UTF-8 text raise a one-line
    :class:`~designopt.errors.ConfigurationError` naming the file (``kind``: what it is)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(f"{kind} {str(path)!r} does not exist")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{kind} {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"{kind} {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None


def load_case(path: str | Path) -> Case:
    """Read and validate a case TOML file."""
    path = Path(path)
    data = read_toml(path)
    return case_from_mapping(data, source=str(path), base_dir=path.resolve().parent)
