"""Money and rules: from the physics of designs to capital cost, lifetime cost, CO2, objectives
and scaled constraints, for one scenario or many at once.

:func:`value_arrays` values a :class:`~designopt.evaluate.performance.PerformanceSet` of ``D``
designs under :class:`Scenarios` of ``S`` economic and regulatory settings in one broadcast
numpy pass (arrays of shape ``(D, S)``), chunked over scenarios to bound memory; no CoolProp,
no pygfunction.  :func:`value` is the one-design, one-scenario case that the design study uses
(``evaluate(design, case) = value(assess(design, case), case)``).

What is a valuation input (changes without re-running physics): prices, standing charge,
escalation, discount rate, lifetime, maintenance, grid and refrigerant CO2 factors, carbon
price, capital grant, GWP cap, charge cap and room area (IEC 60335-2-40 limit), time-of-use
tariffs and grid CO2 factors by month and hour of the day, the cost table and its year, and the noise receivers (propagation from the stored
sound power is a few array operations).  What is physics (needs a new :func:`assess`):
climate, design load, emitter and flow temperature, the design itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from designopt.case import Case
from designopt.catalogue import receiver_slug
from designopt.errors import ConfigurationError
from designopt.evaluate.performance import (
    HOURS_OF_DAY,
    MONTHS,
    PROFILE_SHAPE,
    Performance,
    PerformanceSet,
)
from designopt.search.problem import Evaluation

__all__ = [
    "FLUID_SCALE_K",
    "PROFILE_FIELDS",
    "SCENARIO_FIELDS",
    "Scenarios",
    "UNMET_TOLERANCE",
    "case_receivers",
    "receiver_slug",
    "value",
    "value_arrays",
]

#: Share of the annual heat demand allowed to go unmet before the ``unmet_load`` constraint bites.
UNMET_TOLERANCE = 1e-3
#: Temperature scale of the ``fluid_temperature`` constraint [K]: (limit - extreme) / 10 K.
FLUID_SCALE_K = 10.0

#: Scenario fields: name -> (unit, long name).  NaN means "none" for the caps and room area.
SCENARIO_FIELDS: dict[str, tuple[str, str]] = {
    "lifetime_years": ("a", "economic lifetime"),
    "discount_rate": ("1/a", "real discount rate"),
    "electricity_price_per_kWh": ("currency/kWh", "flat electricity price"),
    "electricity_standing_charge_per_year": ("currency/a", "electricity standing charge"),
    "price_escalation": ("1/a", "real annual energy price escalation"),
    "maintenance_fraction": ("1/a", "annual maintenance as a share of capital"),
    "grid_co2_kg_per_kWh": ("kg/kWh", "grid CO2 intensity"),
    "carbon_price_per_t": ("currency/t", "carbon price"),
    "capital_subsidy": ("currency", "fixed capital grant"),
    "capital_subsidy_fraction": ("1", "capital grant as a share of the gross capital cost"),
    "annual_leakage_rate": ("1/a", "refrigerant leakage per year"),
    "end_of_life_loss": ("1", "share of the charge lost at disposal"),
    "gwp_cap": ("1", "maximum refrigerant GWP (NaN: no cap)"),
    "charge_limit_kg": ("kg", "user cap on the refrigerant charge (NaN: none)"),
    "room_area_m2": ("m2", "room area of the IEC 60335-2-40 charge limit (NaN: outdoor)"),
    "fuel_price_per_kWh": ("currency/kWh", "boiler fuel price of a heat pump + boiler hybrid"),
    "fuel_co2_kg_per_kWh": ("kg/kWh", "boiler fuel CO2 factor of a heat pump + boiler hybrid"),
    "min_heat_pump_coverage": ("1", "share of the design load the heat pump must cover"),
}


#: Scenario profiles by month and hour of the day: name -> (unit, long name).
PROFILE_FIELDS: dict[str, tuple[str, str]] = {
    "tou_price_per_kWh": ("currency/kWh", "electricity price by month and hour of the day"),
    "grid_co2_profile_kg_per_kWh": ("kg/kWh", "grid CO2 intensity by month and hour of the day"),
}


@dataclass(frozen=True, eq=False)
class Scenarios:
    """Economic and regulatory scenarios as arrays over a ``scenario`` axis.

    ``values`` maps every name of :data:`SCENARIO_FIELDS` to an array of shape ``(S,)``.
    Two optional profiles give a scenario prices or grid CO2 factors that vary with the clock:
    ``tou_price_per_kWh`` [currency/kWh] replaces the flat electricity price and
    ``grid_co2_profile_kg_per_kWh`` [kg/kWh] the flat grid factor.  Each is ``(S, 12, 24)``
    (month, January first, x hour of the day) or ``(S, 24)`` (the same day in every month);
    a row of NaN keeps the flat value for that scenario.  An 8760-hour series is reduced to
    ``(12, 24)`` by :func:`designopt.economics.profiles.month_hour_mean`.  Profiles need
    designs simulated hour by hour (their
    :attr:`~designopt.evaluate.performance.Performance.electricity_profile_kWh`).
    """

    values: Mapping[str, np.ndarray]
    tou_price_per_kWh: np.ndarray | None = None
    grid_co2_profile_kg_per_kWh: np.ndarray | None = None

    def __post_init__(self) -> None:
        missing = sorted(set(SCENARIO_FIELDS) - set(self.values))
        extra = sorted(set(self.values) - set(SCENARIO_FIELDS))
        if missing or extra:
            raise ConfigurationError(
                f"scenario fields missing: {missing}, unknown: {extra}; "
                f"valid: {sorted(SCENARIO_FIELDS)}"
            )
        sizes = {k: np.shape(v) for k, v in self.values.items()}
        n = {s for s in sizes.values()}
        if len(n) != 1 or len(next(iter(n))) != 1:
            raise ConfigurationError(f"scenario fields must be 1-D arrays of one length: {sizes}")
        for name in PROFILE_FIELDS:
            object.__setattr__(self, name, self._profile(name, getattr(self, name)))

    def _profile(self, name: str, value: Any) -> np.ndarray | None:
        """``value`` as ``(S, 12, 24)``, checked: rows all NaN (flat) or finite and >= 0."""
        if value is None:
            return None
        a = np.asarray(value, dtype=float)
        if a.shape == (self.size, HOURS_OF_DAY):
            a = np.repeat(a[:, None, :], MONTHS, axis=1)
        if a.shape != (self.size, *PROFILE_SHAPE):
            raise ConfigurationError(
                f"{name} has shape {np.shape(value)}; expected ({self.size}, {MONTHS},"
                f" {HOURS_OF_DAY}) (month x hour of day) or ({self.size}, {HOURS_OF_DAY})"
            )
        rows = a.reshape(self.size, -1)
        nan = np.isnan(rows)
        mixed = nan.any(axis=1) & ~nan.all(axis=1)
        if mixed.any():
            raise ConfigurationError(
                f"{name}: scenario {int(np.argmax(mixed))} mixes NaN and numbers; give a number"
                " for every month and hour, or NaN everywhere for the flat value"
            )
        if np.isinf(rows).any() or (rows[~nan] < 0).any():
            raise ConfigurationError(f"{name} must be finite and >= 0 (NaN rows: flat value)")
        return a

    @property
    def size(self) -> int:
        return int(np.shape(next(iter(self.values.values())))[0])

    @classmethod
    def from_case(cls, case: Case, n: int = 1, **axes: Any) -> Scenarios:
        """``n`` scenarios equal to the case's economics and policy, with ``axes`` (arrays of
        length ``n``, names of :data:`SCENARIO_FIELDS`, or profiles of
        :data:`PROFILE_FIELDS` of shape ``(n, 12, 24)`` or ``(n, 24)``) replacing the case's
        values."""
        econ, pol, boiler = case.economics, case.policy, case.boiler
        fuel_price, fuel_co2 = econ.gas_price_per_kWh, econ.gas_co2_kg_per_kWh
        if boiler is not None and boiler.price_per_kWh is not None:
            fuel_price = boiler.price_per_kWh
        if boiler is not None and boiler.co2_kg_per_kWh is not None:
            fuel_co2 = boiler.co2_kg_per_kWh
        base = {
            "lifetime_years": econ.lifetime_years,
            "discount_rate": econ.discount_rate,
            "electricity_price_per_kWh": econ.electricity_price_per_kWh,
            "electricity_standing_charge_per_year": econ.electricity_standing_charge_per_year,
            "price_escalation": econ.price_escalation,
            "maintenance_fraction": econ.maintenance_fraction,
            "grid_co2_kg_per_kWh": econ.grid_co2_kg_per_kWh,
            "carbon_price_per_t": econ.carbon_price_per_t,
            "capital_subsidy": econ.capital_subsidy,
            "capital_subsidy_fraction": 0.0,
            "annual_leakage_rate": econ.annual_leakage_rate,
            "end_of_life_loss": econ.end_of_life_loss,
            "gwp_cap": math.nan if pol.gwp_cap is None else pol.gwp_cap,
            "charge_limit_kg": math.nan if pol.charge_limit_kg is None else pol.charge_limit_kg,
            "room_area_m2": math.nan if pol.room_area_m2 is None else pol.room_area_m2,
            "fuel_price_per_kWh": fuel_price,
            "fuel_co2_kg_per_kWh": fuel_co2,
            "min_heat_pump_coverage": (
                1.0 if pol.min_heat_pump_coverage is None else pol.min_heat_pump_coverage
            ),
        }
        profiles = {k: axes.pop(k) for k in PROFILE_FIELDS if k in axes}
        bad = sorted(set(axes) - set(base))
        if bad:
            raise ConfigurationError(
                f"unknown scenario axis {bad}; valid: {sorted(base) + sorted(PROFILE_FIELDS)}"
            )
        values = {k: np.full(n, float(v)) for k, v in base.items()}
        for k, v in axes.items():
            a = np.asarray(v, dtype=float)
            if a.shape != (n,):
                raise ConfigurationError(f"scenario axis {k} has shape {a.shape}; expected ({n},)")
            values[k] = a
        return cls(values=values, **profiles)

    def chunk(self, start: int, stop: int) -> Scenarios:
        profiles = {
            k: None if getattr(self, k) is None else getattr(self, k)[start:stop]
            for k in PROFILE_FIELDS
        }
        return Scenarios({k: v[start:stop] for k, v in self.values.items()}, **profiles)

    def profiled(self) -> dict[str, np.ndarray]:
        """``(S,)`` bool per profile field given: which scenarios use it (not the flat value)."""
        return {
            k: ~np.isnan(getattr(self, k).reshape(self.size, -1)).all(axis=1)
            for k in PROFILE_FIELDS
            if getattr(self, k) is not None
        }


def case_receivers(case: Case) -> list:
    """The case's ``[[noise.receivers]]`` as :class:`designopt.noise.Receiver` objects."""
    from designopt import noise

    return [
        noise.Receiver(
            r.name,
            r.distance_m,
            r.reflecting_surfaces,
            r.barrier,
            background_dBA=r.background_dBA,
            method=r.method,
            limit_dBA=r.limit_dBA,
        )
        for r in case.noise.receivers
    ]


# ------------------------------------------------------------------------------ per design
def _capital_items(ps: PerformanceSet, case: Case, subsidy_fixed, subsidy_fraction):
    """Capital cost items (D, 1) and total after grants (D, S), grouped by evaporator type and
    refrigerant (each a single string of the cost model)."""
    from designopt import economics

    a = ps.arrays
    D = ps.size
    year = case.economics.cost_base_year
    S = np.shape(subsidy_fixed)[-1]
    total = np.empty((D, S))
    items: dict[str, np.ndarray] = {}
    keys = np.char.add(np.char.add(ps.labels["evaporator_type"], "|"), ps.labels["refrigerant"])
    for key in dict.fromkeys(keys.tolist()):
        rows = np.flatnonzero(keys == key)
        evap_type, refrigerant = key.split("|", 1)
        sub = {k: x[rows][:, None] for k, x in a.items()}
        col = sub.__getitem__
        cc = economics.capital_cost(
            compressor_displacement_m3_s=col("compressor_displacement_m3_s"),
            evaporator_area_m2=col("evaporator_area_m2"),
            evaporator_type=evap_type,
            condenser_area_m2=col("condenser_area_m2"),
            fan_diameter_m=col("fan_diameter_m"),
            refrigerant_charge_kg=col("charge_kg"),
            refrigerant=refrigerant,
            heat_output_W=col("heat_output_rating_W"),
            backup_heater_W=col("backup_heater_W"),
            borehole_length_m=col("borehole_length_m"),
            n_boreholes=col("n_boreholes"),
            boiler_W=col("boiler_W"),
            subsidy_fixed=subsidy_fixed,
            subsidy_fraction=subsidy_fraction,
            target_year=year,
        )
        # the second (plate) evaporator of a twin-source unit, without installation or grant
        plate = economics.capital_cost(
            evaporator_area_m2=col("plate_evaporator_area_m2"),
            evaporator_type="brazed_plate",
            include_installation=False,
            target_year=year,
        ).items["evaporator"]
        total[rows] = cc.total + plate
        for name, v in cc.items.items():
            items.setdefault(name, np.empty(D))
            x = v + (plate if name == "evaporator" else 0.0)
            items[name][rows] = np.broadcast_to(x, (rows.size, 1))[:, 0]
    return items, total


def _noise(ps: PerformanceSet, case: Case) -> dict[str, np.ndarray]:
    """Receiver levels (D, R), worst margin (D,) and the scaled constraint (D,); night limits
    (``us-night``) are judged in quiet mode where the design has one, MCS 020(a) at full L_WA."""
    from designopt import noise

    receivers = case_receivers(case)
    lwa = ps.arrays["sound_power_dBA"]
    na = noise.receiver_levels(lwa, receivers)
    level = np.array(na.level_dBA, dtype=float).reshape(lwa.size, -1)
    margin = np.array(na.margin_dB, dtype=float).reshape(lwa.size, -1)
    limit = np.array(na.limit_dBA, dtype=float).reshape(lwa.size, -1)
    quiet = ps.arrays["sound_power_quiet_dBA"]
    has_quiet = np.isfinite(quiet)
    if has_quiet.any():
        nq = noise.receiver_levels(np.where(has_quiet, quiet, lwa), receivers)
        night = np.array([r.method == "us-night" for r in case.noise.receivers])
        use = has_quiet[:, None] & night[None, :]
        level = np.where(use, np.array(nq.level_dBA, float).reshape(lwa.size, -1), level)
        margin = np.where(use, np.array(nq.margin_dB, float).reshape(lwa.size, -1), margin)
    return {"level": level, "margin": margin.max(axis=1), "scaled": np.max(margin / limit, axis=1)}


# ------------------------------------------------------------------------------ the valuation
def value_arrays(
    ps: PerformanceSet, scenarios: Scenarios, case: Case, *, chunk: int = 500
) -> dict[str, np.ndarray]:
    """Value ``D`` designs under ``S`` scenarios.

    Returns arrays of shape ``(D, S)`` for ``capital_cost``, ``net_present_cost``,
    ``annualised_cost``, ``lcoh``, ``lifetime_co2``, ``co2_direct``, ``charge_limit_kg`` and
    the scenario-dependent constraints ``charge`` and ``gwp``, and ``(D,)`` arrays for what the
    scenarios do not change (``capex_<item>``, ``level_<receiver>_dBA``, ``noise_margin_dB``
    and the constraints ``noise``, ``capacity``, ``unmet_load``, ``fluid_temperature``).
    Scenarios are valued ``chunk`` at a time (memory ~ 20 arrays of ``D x chunk`` floats).
    """
    from designopt import economics

    D, S = ps.size, scenarios.size
    used = [k for k, rows in scenarios.profiled().items() if rows.any()]
    lacking = ~ps.has_profile
    if used and lacking.any():
        raise ConfigurationError(
            f"{int(lacking.sum())} of {D} designs have no hourly electricity (EN 14825 bin "
            f"season without a weather file): {' and '.join(used)} (a time-of-use tariff or an "
            "hourly grid CO2 factor) needs an hourly simulation (site.weather_file, or a ground "
            "or hybrid source)"
        )
    profile = np.nan_to_num(ps.profile).reshape(D, -1)  # (D, 288) [kWh]
    a = ps.arrays
    out2 = (
        "capital_cost",
        "net_present_cost",
        "annualised_cost",
        "lcoh",
        "lifetime_co2",
        "co2_direct",
        "charge_limit_kg",
        "charge",
        "gwp",
    )
    out: dict[str, np.ndarray] = {k: np.empty((D, S)) for k in out2}
    items: dict[str, np.ndarray] = {}
    d = {k: v[:, None] for k, v in a.items()}
    lfl = d["lfl_kg_m3"]
    outdoor = economics.charge_limit(lfl_kg_m3=lfl, outdoor=True)
    # a hybrid's boiler: fixed maintenance and the fuel connection's standing charge
    has_boiler = d["boiler_W"] > 0
    table = case.boiler
    boiler_maintenance = np.where(
        has_boiler, 0.0 if table is None else table.maintenance_per_year, 0.0
    )
    boiler_standing = np.where(
        has_boiler, 0.0 if table is None else table.standing_charge_per_year, 0.0
    )
    for start in range(0, S, chunk):
        sc = scenarios.chunk(start, min(start + chunk, S))
        v = {k: x[None, :] for k, x in sc.values.items()}
        items, capital = _capital_items(
            ps,
            case,
            subsidy_fixed=v["capital_subsidy"],
            subsidy_fraction=v["capital_subsidy_fraction"],
        )
        profiled = sc.profiled()
        grid_factor = v["grid_co2_kg_per_kWh"]
        if "grid_co2_profile_kg_per_kWh" in profiled:
            # the electricity-weighted factor of each design under each scenario's profile
            f = np.nan_to_num(sc.grid_co2_profile_kg_per_kWh.reshape(sc.size, -1))
            annual = d["annual_electricity_kWh"]
            with np.errstate(invalid="ignore", divide="ignore"):
                weighted = np.where(annual > 0, (profile @ f.T) / annual, 0.0)
            grid_factor = np.where(profiled["grid_co2_profile_kg_per_kWh"], weighted, grid_factor)
        em = economics.tewi(
            charge_kg=d["charge_kg"],
            gwp=d["gwp100"],
            lifetime_years=v["lifetime_years"],
            annual_electricity_kWh=d["annual_electricity_kWh"],
            grid_factor_kg_per_kWh=grid_factor,
            annual_leak_rate=v["annual_leakage_rate"],
            recovery_fraction=1.0 - v["end_of_life_loss"],
            annual_gas_kWh=d["annual_fuel_kWh"],
            gas_factor_kg_per_kWh=v["fuel_co2_kg_per_kWh"],
        )
        elec_cost = None
        if "tou_price_per_kWh" in profiled:
            tou = np.nan_to_num(sc.tou_price_per_kWh.reshape(sc.size, -1))
            by_flat = d["annual_electricity_kWh"] * v["electricity_price_per_kWh"]
            elec_cost = np.where(profiled["tou_price_per_kWh"], profile @ tou.T, by_flat)
        life = economics.lifetime_cost(
            capital=capital,
            discount_rate=v["discount_rate"],
            lifetime_years=v["lifetime_years"],
            annual_electricity_kWh=d["annual_electricity_kWh"],
            electricity_price_per_kWh=v["electricity_price_per_kWh"],
            annual_electricity_cost=elec_cost,
            electricity_standing_charge_per_day=v["electricity_standing_charge_per_year"] / 365.0,
            electricity_escalation=v["price_escalation"],
            maintenance_fraction_of_capital=v["maintenance_fraction"],
            annual_gas_kWh=d["annual_fuel_kWh"],
            gas_price_per_kWh=v["fuel_price_per_kWh"],
            gas_escalation=v["price_escalation"],
            gas_standing_charge_per_day=boiler_standing / 365.0,
            gas_connected=has_boiler,
            maintenance_per_year=boiler_maintenance,
            annual_co2_kg=em.annual,
            carbon_price_per_t=v["carbon_price_per_t"],
            annual_heat_kWh=d["annual_heat_kWh"],
        )
        room = v["room_area_m2"]
        has_room = np.isfinite(room)
        in_room = economics.charge_limit(lfl_kg_m3=lfl, room_area_m2=np.where(has_room, room, 1.0))
        limit = np.where(has_room, in_room, outdoor)
        user_cap = np.where(np.isfinite(v["charge_limit_kg"]), v["charge_limit_kg"], np.inf)
        cap = v["gwp_cap"]
        with np.errstate(invalid="ignore", divide="ignore"):
            gwp_c = np.where(
                np.isfinite(cap),
                economics.gwp_cap_constraint(
                    d["gwp100"], np.where(np.isfinite(cap), cap, 1.0), scaled=True
                ),
                np.nan,
            )
        sl = slice(start, start + sc.size)
        shape = (D, sc.size)
        out["capital_cost"][:, sl] = np.broadcast_to(capital, shape)
        out["net_present_cost"][:, sl] = np.broadcast_to(life.npc, shape)
        out["annualised_cost"][:, sl] = np.broadcast_to(life.annualised, shape)
        out["lcoh"][:, sl] = np.broadcast_to(life.lcoh, shape)
        out["lifetime_co2"][:, sl] = np.broadcast_to(em.total, shape)
        out["co2_direct"][:, sl] = np.broadcast_to(em.direct, shape)
        out["charge_limit_kg"][:, sl] = np.broadcast_to(np.minimum(limit, user_cap), shape)
        out["charge"][:, sl] = np.broadcast_to(
            economics.charge_constraint(d["charge_kg"], limit, user_cap_kg=user_cap, scaled=True),
            shape,
        )
        out["gwp"][:, sl] = np.broadcast_to(gwp_c, shape)
    for name, x in items.items():
        out[f"capex_{name}"] = x
    load = a["design_load_W"]
    out["capacity"] = (
        load - (a["capacity_design_W"] + a["backup_heater_W"] + a["boiler_W"])
    ) / load
    coverage = scenarios.values["min_heat_pump_coverage"][0]
    out["coverage"] = (coverage * load - a["capacity_design_W"]) / load
    out["unmet_load"] = (a["unmet_share"] - UNMET_TOLERANCE) / UNMET_TOLERANCE
    out["fluid_temperature"] = a["fluid_margin_K"] / FLUID_SCALE_K
    if case.noise.receivers:
        nz = _noise(ps, case)
        for i, r in enumerate(case.noise.receivers):
            out[f"level_{receiver_slug(r.name)}_dBA"] = nz["level"][:, i]
        out["noise_margin_dB"] = nz["margin"]
        out["noise"] = nz["scaled"]
    return out


#: Objectives of :data:`designopt.catalogue.OBJECTIVES` -> where value_arrays / Performance hold them.
_OBJECTIVE_SOURCE = {
    "capital_cost": "capital_cost",
    "net_present_cost": "net_present_cost",
    "annualised_cost": "annualised_cost",
    "lcoh": "lcoh",
    "lifetime_co2": "lifetime_co2",
    "scop": "seasonal_cop",
    "spf": "seasonal_cop",
    "sound_power": "sound_power_dBA",
}


def value(performance: Performance, case: Case) -> Evaluation:
    """Objectives, scaled constraints (met when <= 0) and metrics of one design under the
    case's economics, policy and noise receivers."""
    ps = PerformanceSet.from_performances([performance])
    out = value_arrays(ps, Scenarios.from_case(case), case)

    def one(k: str) -> float:
        x = out[k]
        return float(x[0, 0] if x.ndim == 2 else x[0])

    q = performance
    metrics: dict[str, Any] = dict(q.metrics)
    metrics.update(
        {
            "charge_kg": q.charge_kg,
            "charge_limit_kg": one("charge_limit_kg"),
            "gwp": q.gwp100,
            "sound_power_dBA": q.sound_power_dBA,
            "lifetime_co2_kg": one("lifetime_co2"),
            "co2_direct_kg": one("co2_direct"),
            "capital_cost": one("capital_cost"),
            "net_present_cost": one("net_present_cost"),
            "annualised_cost": one("annualised_cost"),
            "lcoh": one("lcoh"),
        }
    )
    for k in out:
        if k.startswith("capex_") or k.startswith("level_") or k == "noise_margin_dB":
            metrics[k] = one(k)
    objectives = {}
    for o in case.optimisation.objectives:
        src = _OBJECTIVE_SOURCE[o]
        objectives[o] = one(src) if src in out else float(getattr(q, src))
    constraints = {c: one(c) for c in case.optimisation.constraints if c in out}
    return Evaluation(objectives=objectives, constraints=constraints, metrics=metrics)
