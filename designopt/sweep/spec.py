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

__all__ = ["AXES", "Axis", "Reference", "ScenarioDesign", "SweepSpec", "load_sweep"]

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
}

SCHEMA = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Axis(_Model):
    """One scenario axis: ``values`` (grid, list) or ``low``/``high`` (sample)."""

    values: list[float] | None = Field(None, min_length=1, max_length=100_000)
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


class Reference(_Model):
    """The gas condensing boiler every scenario compares with (heats the same building)."""

    boiler_efficiency: float = Field(
        0.90, gt=0.5, le=1.1, description="seasonal efficiency, heat out / gas in (GCV)"
    )
    gas_standing_charge_per_year: float = Field(0.0, ge=0, le=1e6)
    boiler_maintenance_per_year: float = Field(150.0, ge=0, le=1e5, description="[currency/a]")


class SweepSpec(_Model):
    """A validated sweep file (see the module docstring)."""

    schema_: Annotated[int, Field(alias="schema")] = SCHEMA
    name: str = Field(pattern=NAME_PATTERN, max_length=100)
    case: Path
    study: Path
    candidates: Literal["all", "feasible", "pareto"] = "feasible"
    batch_size: int = Field(500, ge=1, le=100_000)
    scenarios: ScenarioDesign = ScenarioDesign()
    axes: dict[str, Axis] = Field(min_length=1)
    reference: Reference = Reference()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        if self.schema_ != SCHEMA:
            raise ValueError(
                f"schema={self.schema_} is not supported; this designopt reads {SCHEMA}"
            )
        bad = sorted(set(self.axes) - set(AXES))
        if bad:
            raise ValueError(f"unknown axis {bad}; valid axes: {sorted(AXES)}")
        mode = self.scenarios.mode
        for name, ax in self.axes.items():
            lo, hi = AXES[name][2], AXES[name][3]
            vals = ax.values if ax.values is not None else [ax.low, ax.high]
            out = [v for v in vals if not lo <= v <= hi]
            if out:
                raise ValueError(
                    f"axis {name}: {out[0]} is outside its range {lo:g} .. {hi:g} {AXES[name][0]}"
                )
            if mode == "sample" and ax.values is not None and len(ax.values) > 1:
                raise ValueError(f"axis {name}: a sample takes low and high, not values")
            if mode != "sample" and ax.values is None:
                raise ValueError(f"axis {name}: mode={mode!r} takes values = [...]")
        if mode == "sample" and self.scenarios.n is None:
            raise ValueError("scenarios.mode='sample' needs scenarios.n")
        if mode == "list":
            sizes = {k: len(a.values) for k, a in self.axes.items()}
            if len(set(sizes.values())) != 1:
                raise ValueError(f"mode='list' needs axes of one length: {sizes}")
        if mode == "grid":
            n = math.prod(len(a.values) for a in self.axes.values())
            if n > 10_000_000:
                raise ValueError(f"the grid has {n} scenarios; at most 10,000,000")
        return self

    def fingerprint(self) -> str:
        """Hash of what the results depend on (not the batch size)."""
        data = self.model_dump(mode="json", exclude={"batch_size"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep TOML file; paths in it become absolute (relative to the file)."""
    path = Path(path)
    data = read_toml(path, kind="sweep file")
    base = path.resolve().parent
    for key in ("case", "study"):
        if isinstance(data.get(key), str):
            data[key] = str((base / data[key]).resolve())
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
