"""Case files: a TOML file validated by pydantic models, one to one.

A case describes the site and climate, the building and emitter, the heat source, the fixed
design parameters, the design space, economics and policy, noise receivers and the optimisation
settings.  See ``docs/case-files.md`` for every field; ``casestudies/*/case.toml`` are examples.

Every invalid file gives one :class:`~designopt.errors.ConfigurationError` whose message names
the field, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from designopt.cache import stable_hash
from designopt.errors import ConfigurationError

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Climate(StrEnum):
    AVERAGE = "average"
    COLDER = "colder"
    WARMER = "warmer"


class SourceType(StrEnum):
    AIR = "air"
    GROUND = "ground"
    WATER = "water"
    HYBRID = "hybrid"  # air above a switchover outdoor temperature, ground below


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
    type: SourceType = SourceType.AIR
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


class Noise(_Model):
    receivers: tuple[Receiver, ...] = ()
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
    electricity_standing_charge_per_year: float = Field(0.0, ge=0)
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
        0.0, ge=0, description="fixed grant deducted from the capital cost"
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
            if len(self.choices) == 0:
                raise ValueError("choices must not be empty")
            return self
        if self.low is None or self.high is None:
            raise ValueError("a numeric variable needs low and high")
        if self.low > self.high:
            raise ValueError(f"low={self.low} must not exceed high={self.high}")
        if self.log and self.low <= 0:
            raise ValueError(f"log scale needs low > 0, got low={self.low}")
        return self


OBJECTIVES = {
    # name: (direction, unit, long name)
    "capital_cost": ("minimize", "EUR", "capital cost (equipment and installation, after subsidy)"),
    "net_present_cost": ("minimize", "EUR", "net present cost over the lifetime"),
    "annualised_cost": ("minimize", "EUR/a", "annualised cost (capital recovery + running)"),
    "lcoh": ("minimize", "EUR/kWh", "levelised cost of heat"),
    "lifetime_co2": ("minimize", "kg", "lifetime CO2-equivalent emissions (TEWI)"),
    "scop": ("maximize", "1", "seasonal coefficient of performance (SCOP, EN 14825)"),
    "sound_power": ("minimize", "dB(A)", "outdoor unit sound power L_WA"),
}

CONSTRAINTS = {
    "noise": "sound pressure at the worst receiver minus its limit, over the limit",
    "capacity": "design heat load minus heat pump + back-up capacity at the design temperature, over the load",
    "charge": "refrigerant charge minus the charge limit, over the limit",
    "gwp": "refrigerant GWP minus the GWP cap, over the cap",
    "unmet_load": "share of the annual heat demand not met minus 0.1 %",
    "fluid_temperature": "ground loop: fluid temperature limit minus the lifetime extreme, over 10 K",
}


class Optimisation(_Model):
    objectives: tuple[str, ...] = ("capital_cost", "net_present_cost")
    constraints: tuple[str, ...] = ("noise", "capacity", "charge")
    trials: int = Field(2000, ge=1, le=1_000_000)
    sampler: Literal["nsga2", "nsga3", "tpe", "random", "qmc"] = "nsga2"
    seed: int = 0
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
    name: str
    description: str = ""
    site: Site = Site()
    building: Building
    source: Source = Source()
    fixed: dict[str, str | float | int | bool] = Field(default_factory=dict)
    space: dict[str, VariableSpec] = Field(default_factory=dict)
    economics: Economics = Economics()
    policy: Policy = Policy()
    noise: Noise = Noise()
    ground: dict[str, Any] = Field(
        default_factory=dict,
        description="borefield, ground and fluid limits of ground/hybrid cases (validated by designopt.evaluate_ground)",
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
        data = self.model_dump(exclude={"optimisation", "description", "base_dir"})
        data["objectives"] = self.optimisation.objectives
        data["constraints"] = self.optimisation.constraints
        if self.site.weather_file is not None:  # the file's contents, not only its name
            import hashlib

            path = Path(self.site.weather_file)
            path = path if path.is_absolute() else Path(self.base_dir) / path
            if path.is_file():
                data["weather_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        return stable_hash(data)

    def with_space(self, space: dict[str, VariableSpec]) -> Case:
        return self.model_copy(update={"space": space})


def _format_validation_error(exc: ValidationError, source: str) -> str:
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
    return f"invalid case file {source}: " + "; ".join(lines)


def case_from_mapping(
    data: dict[str, Any], *, source: str = "<mapping>", base_dir: str | Path = "."
) -> Case:
    """Validate a mapping (parsed TOML) as a :class:`Case`."""
    try:
        case = Case.model_validate({**data, "base_dir": str(base_dir)})
    except ValidationError as exc:
        raise ConfigurationError(_format_validation_error(exc, source)) from None
    from designopt.evaluate import check_case  # the design-space names are owned by evaluate

    check_case(case)
    return case


def load_case(path: str | Path) -> Case:
    """Read and validate a case TOML file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(f"case file {str(path)!r} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"case file {path} is not valid TOML: {exc}") from None
    return case_from_mapping(data, source=str(path), base_dir=path.resolve().parent)
