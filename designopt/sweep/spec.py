"""The sweep file: which study's designs to value under which scenarios (validated, frozen).

A sweep file is TOML::

    schema = 1
    name = "price_carbon"
    case = "../ashp_retrofit/case.toml"       # the base case: economics, policy, noise, costs
    study = "../../results/ashp_retrofit"     # a finished `designopt run` folder (performance.nc)
    candidates = "feasible"                   # all | feasible | pareto (of the study)
    batch_size = 500                          # scenarios per task

    [scenarios]
    mode = "grid"                             # grid | list | sample
    # sample: n = 10000, seed = 1, method = "sobol" | "lhs"

    [axes.electricity_price_per_kWh]
    values = [0.20, 0.30, 0.40]               # grid and list; sample: low = 0.1, high = 0.5

    [reference]                               # the gas condensing boiler every scenario compares to
    boiler_efficiency = 0.90

Paths are relative to the sweep file.  Axes are valuation axes (money and rules: the physics of
the stored designs is not re-run); their names and ranges are in :data:`AXES`.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from designopt.case import NAME_PATTERN, format_validation_error, read_toml
from designopt.errors import ConfigurationError

__all__ = [
    "AXES",
    "NAN_MEANS_OFF",
    "PHYSICS_AXES",
    "Axis",
    "HybridReference",
    "Reference",
    "Report",
    "Rules",
    "ScenarioDesign",
    "SweepSpec",
    "load_sweep",
]

#: Valuation axes: name -> (unit, long name, physical lower bound, upper bound).
AXES: dict[str, tuple[str, str, float, float]] = {
    "electricity_price_per_kWh": ("currency/kWh", "electricity price", 0.0, 10.0),
    "gas_price_per_kWh": ("currency/kWh", "gas price (boiler reference)", 0.0, 10.0),
    "electricity_standing_charge_per_year": ("currency/a", "electricity standing charge", 0.0, 1e6),
    "price_escalation": ("1/a", "real annual energy price escalation", -0.2, 0.5),
    "discount_rate": ("1/a", "real discount rate", 0.0, 0.5),
    "lifetime_years": ("a", "economic lifetime", 1.0, 60.0),
    "maintenance_fraction": ("1/a", "annual maintenance as a share of capital", 0.0, 0.5),
    "grid_co2_kg_per_kWh": ("kg/kWh", "grid CO2 intensity", 0.0, 2.0),
    "gas_co2_kg_per_kWh": ("kg/kWh", "gas CO2 intensity (boiler reference)", 0.0, 1.0),
    "carbon_price_per_t": ("currency/t", "carbon price", 0.0, 2000.0),
    "capital_subsidy": ("currency", "fixed capital grant", 0.0, 1e8),
    "capital_subsidy_fraction": (
        "1",
        "capital grant as a share of the gross capital cost",
        0.0,
        1.0,
    ),
    "gwp_cap": ("1", "maximum refrigerant GWP (NaN: no cap)", 0.0, 30000.0),
    "charge_limit_kg": ("kg", "cap on the refrigerant charge", 0.0, 1000.0),
    "annual_leakage_rate": ("1/a", "refrigerant leakage per year", 0.0, 1.0),
    # rule axes (designopt.sweep.rules; NaN: the rule is off in that scenario)
    "fgas_year": ("a", "installation year under the EU F-gas Regulation 2024/573", 2024.0, 2060.0),
    "noise_below_ecodesign_dB": (
        "dB",
        "outdoor sound power must lie this far below the 813/2013 limit (BEG: 10 from 2026)",
        -20.0,
        30.0,
    ),
    "noise_receiver_distance_m": ("m", "distance of the noise receivers", 0.5, 200.0),
    "min_eta_s_pct": ("%", "minimum seasonal space heating efficiency (813/2013)", 0.0, 400.0),
    "min_scop": ("1", "minimum SCOP (UK Boiler Upgrade Scheme: 2.8)", 0.0, 10.0),
}
#: Valuation axes whose NaN value means "no rule / no cap" in that scenario.
NAN_MEANS_OFF = frozenset(
    {
        "gwp_cap",
        "charge_limit_kg",
        "fgas_year",
        "noise_below_ecodesign_dB",
        "noise_receiver_distance_m",
        "min_eta_s_pct",
        "min_scop",
    }
)
#: Physics axes: name -> (unit, long name, lower bound, upper bound or the valid words).
PHYSICS_AXES: dict[str, tuple[str, str, float | None, float | tuple[str, ...] | None]] = {
    "climate": (
        "1",
        "EN 14825 reference climate (average, colder, warmer) or an EPW weather file",
        None,
        ("average", "colder", "warmer"),
    ),
    "design_heat_load_kW": ("kW", "design heat load of the building", 0.5, 1000.0),
    "emitter": (
        "1",
        "heat emitter: radiators (55 degC design flow) or underfloor (35 degC)",
        None,
        ("radiators", "underfloor"),
    ),
}

SCHEMA = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Axis(_Model):
    """One scenario axis: ``values`` (grid, list) or ``low``/``high`` (sample).  Words (climate,
    emitter) and NaN (a rule axis switched off) are checked by :class:`SweepSpec`."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=True)

    values: list[float | str] | None = Field(None, min_length=1, max_length=100_000)
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Axis:
        if (self.values is None) == (self.low is None and self.high is None):
            raise ValueError("give either values = [...] or low and high")
        if self.values is None and (self.low is None or self.high is None):
            raise ValueError("a sampled axis needs both low and high")
        if self.values is None and not self.low < self.high:
            raise ValueError(f"low={self.low} must be below high={self.high}")
        return self


class ScenarioDesign(_Model):
    """How the axes combine: every combination (grid), row by row (list) or a sample."""

    mode: Literal["grid", "list", "sample"] = "grid"
    n: int | None = Field(None, ge=1, le=10_000_000, description="sample size")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    method: Literal["sobol", "lhs"] = "sobol"


class HybridReference(_Model):
    """The heat pump + gas boiler hybrid every scenario compares with: the ``designs``
    lowest-cost feasible heat-pump candidates (in the base case) each get a condensing gas
    boiler of ``boiler_kW`` and each switchover temperature; they are assessed once per physics
    scenario and the cheapest feasible one is the hybrid reference of a scenario."""

    switchover_temperature_degC: list[float] = Field(
        [0.0], min_length=1, max_length=20, description="switchover outdoor temperatures [degC]"
    )
    boiler_kW: float | None = Field(
        None, gt=0, le=1000, description="boiler rated output [kW]; default the design heat load"
    )
    designs: int = Field(5, ge=1, le=200, description="heat-pump candidates that get a boiler")
    operation: Literal["parallel", "alternative"] = "parallel"


class Reference(_Model):
    """The gas condensing boiler every scenario compares with (heats the same building)."""

    boiler_efficiency: float = Field(
        0.90, gt=0.5, le=1.1, description="seasonal efficiency, heat out / gas in (GCV)"
    )
    gas_standing_charge_per_year: float = Field(0.0, ge=0, le=1e6)
    boiler_maintenance_per_year: float = Field(150.0, ge=0, le=1e5, description="[currency/a]")
    hybrid: HybridReference | None = None


class Rules(_Model):
    """How the rule axes read a design."""

    unit_type: Literal["monobloc", "split"] = Field(
        "monobloc", description="F-gas Annex IV unit type of every candidate"
    )
    rated_output: Literal["design", "rating"] = Field(
        "design",
        description="rated capacity / heat output of the F-gas and 813/2013 bands: the heat"
        " pump's output at the design temperature ('design', Pdesignh; its rating-point output"
        " when it cannot run there) or at its rating point ('rating')",
    )
    reflecting_surfaces: int = Field(
        2, ge=1, le=3, description="noise_receiver_distance_m without case receivers: MCS 020(a)"
    )


class Report(_Model):
    """Figures: the heatmap's two axes (default: the first two axes of the file)."""

    heatmap: list[str] | None = Field(None, min_length=2, max_length=2)
    currency: str = Field("EUR", max_length=8, description="currency of the case's cost data")


class SweepSpec(_Model):
    """A validated sweep file (see the module docstring)."""

    schema_: Annotated[int, Field(alias="schema")] = SCHEMA
    name: str = Field(pattern=NAME_PATTERN, max_length=100)
    case: Path
    study: Path
    candidates: Literal["all", "feasible", "pareto"] = "feasible"
    batch_size: int = Field(500, ge=1, le=100_000)
    carbon_price_on: Literal["all", "fuel"] = Field(
        "all",
        description="'all': the carbon price is paid on every kg of CO2 (grid, leaks, fuel);"
        " 'fuel': on burnt fuel only (BEHG, ETS2: electricity carries its ETS1 price already)",
    )
    scenarios: ScenarioDesign = ScenarioDesign()
    axes: dict[str, Axis] = Field(min_length=1)
    reference: Reference = Reference()
    rules: Rules = Rules()
    report: Report = Report()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        if self.schema_ != SCHEMA:
            raise ValueError(
                f"schema={self.schema_} is not supported; this designopt reads {SCHEMA}"
            )
        bad = sorted(set(self.axes) - set(AXES) - set(PHYSICS_AXES))
        if bad:
            raise ValueError(
                f"unknown axis {bad}; valid axes: {sorted(AXES)} (valuation) and"
                f" {sorted(PHYSICS_AXES)} (physics)"
            )
        mode = self.scenarios.mode
        for name, ax in self.axes.items():
            if name in PHYSICS_AXES:
                _check_physics_axis(name, ax)
                continue
            _check_valuation_axis(name, ax, mode)
        valuation = self.valuation_axes
        if not valuation:
            raise ValueError(
                "give at least one valuation axis (money or rules, e.g. electricity_price_per_kWh);"
                f" physics axes alone ({sorted(self.physics_axes)}) leave nothing to sweep"
            )
        if mode == "sample" and self.scenarios.n is None:
            raise ValueError("scenarios.mode='sample' needs scenarios.n")
        if mode == "list":
            sizes = {k: len(a.values) for k, a in valuation.items()}
            if len(set(sizes.values())) != 1:
                raise ValueError(f"mode='list' needs axes of one length: {sizes}")
        if mode == "grid":
            n = math.prod(len(a.values) for a in valuation.values())
            if n > 10_000_000:
                raise ValueError(f"the grid has {n} scenarios; at most 10,000,000")
        n_physics = math.prod(len(a.values) for a in self.physics_axes.values())
        if n_physics > 1000:
            raise ValueError(f"the physics axes give {n_physics} physics scenarios; at most 1000")
        if self.report.heatmap is not None:
            unknown = [k for k in self.report.heatmap if k not in self.axes]
            if unknown or self.report.heatmap[0] == self.report.heatmap[1]:
                raise ValueError(
                    f"report.heatmap={self.report.heatmap} must name two different axes of this"
                    f" file; axes: {sorted(self.axes)}"
                )
        return self

    @property
    def valuation_axes(self) -> dict[str, Axis]:
        """Axes that change money or rules (no physics re-run), in file order."""
        return {k: v for k, v in self.axes.items() if k in AXES}

    @property
    def physics_axes(self) -> dict[str, Axis]:
        """Axes that change the physics (climate, load, emitter), in file order."""
        return {k: v for k, v in self.axes.items() if k in PHYSICS_AXES}

    def fingerprint(self) -> str:
        """Hash of what the results depend on (not the batch size)."""
        data = self.model_dump(mode="json", exclude={"batch_size"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _check_valuation_axis(name: str, ax: Axis, mode: str) -> None:
    unit, _, lo, hi = AXES[name]
    vals = ax.values if ax.values is not None else [ax.low, ax.high]
    words = [v for v in vals if isinstance(v, str)]
    if words:
        raise ValueError(f"axis {name}: {words[0]!r} is not a number ({unit})")
    for v in vals:
        if math.isinf(v):
            raise ValueError(f"axis {name}: {v} is not finite; range {lo:g} .. {hi:g} {unit}")
        if math.isnan(v):
            if name not in NAN_MEANS_OFF or ax.values is None:
                raise ValueError(
                    f"axis {name}: nan is not allowed (nan switches a rule off, valid for"
                    f" {sorted(NAN_MEANS_OFF)} as values)"
                )
            continue
        if not lo <= v <= hi:
            raise ValueError(f"axis {name}: {v} is outside its range {lo:g} .. {hi:g} {unit}")
    if mode == "sample" and ax.values is not None and len(ax.values) > 1:
        raise ValueError(f"axis {name}: a sample takes low and high, not values")
    if mode != "sample" and ax.values is None:
        raise ValueError(f"axis {name}: mode={mode!r} takes values = [...]")


def _check_physics_axis(name: str, ax: Axis) -> None:
    unit, _, lo, hi = PHYSICS_AXES[name]
    if ax.values is None:
        raise ValueError(
            f"axis {name} is a physics axis: give values = [...] (every value is assessed once;"
            " physics axes form a grid with each other)"
        )
    if len(set(map(str, ax.values))) != len(ax.values):
        raise ValueError(f"axis {name}: values repeat: {ax.values}")
    for v in ax.values:
        if isinstance(hi, tuple):  # words
            if name == "climate" and isinstance(v, str) and v.lower().endswith(".epw"):
                continue  # an EPW file, checked by load_sweep
            if v not in hi:
                raise ValueError(
                    f"axis {name}: {v!r} is not valid; valid: {list(hi)}"
                    + (" or a path to an .epw weather file" if name == "climate" else "")
                )
        elif isinstance(v, str) or not lo <= v <= hi:
            raise ValueError(f"axis {name}: {v!r} is outside its range {lo:g} .. {hi:g} {unit}")


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep TOML file; paths in it become absolute (relative to the file)."""
    path = Path(path)
    data = read_toml(path, kind="sweep file")
    base = path.resolve().parent
    for key in ("case", "study"):
        if isinstance(data.get(key), str):
            data[key] = str((base / data[key]).resolve())
    climate = data.get("axes", {}).get("climate") if isinstance(data.get("axes"), dict) else None
    if isinstance(climate, dict) and isinstance(climate.get("values"), list):
        climate["values"] = [
            str((base / v).resolve()) if isinstance(v, str) and v.lower().endswith(".epw") else v
            for v in climate["values"]
        ]
        for v in climate["values"]:
            if isinstance(v, str) and v.lower().endswith(".epw") and not Path(v).is_file():
                raise ConfigurationError(
                    f"sweep file {path}: axes.climate: weather file {v!r} does not exist"
                )
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(
            format_validation_error(exc, str(path), kind="sweep file")
        ) from None
    if not spec.case.is_file():
        raise ConfigurationError(f"sweep file {path}: case={str(spec.case)!r} does not exist")
    if not (spec.study / "performance.nc").is_file():
        raise ConfigurationError(
            f"sweep file {path}: study={str(spec.study)!r} holds no performance.nc; give the"
            " folder of a finished `designopt run`"
        )
    return spec
