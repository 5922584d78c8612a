"""Hourly (time-step) simulation of a heat pump heating system over a year.

A heat pump described by its performance map (``designopt.cycle.performance_map``, see
``docs/architecture.md``) serves the space-heating load of a building, optionally domestic hot
water, with an electric back-up heater and/or a gas boiler (hybrid).  Each time step is
independent (no storage dynamics), so the year is computed at once with numpy: the map is
interpolated, never re-solved.

Per time step (see ``docs/hourly.md`` for the full statement):

1. load ``Q`` from the building (:mod:`designopt.seasonal.building`), flow temperature from the
   heating curve at the load ratio ``Q/Q_design``;
2. the map is interpolated bilinearly in (source temperature, sink outlet temperature) at every
   speed of its grid; for air units the capacity and power are multiplied by the defrost factors
   (:mod:`designopt.seasonal.defrost`);
3. domestic hot water, if any, is served first at its own flow temperature at maximum speed for
   the time fraction ``τ = Q_dhw / Φ_max,dhw`` (time sharing); space heating gets the rest of
   the step;
4. space heating: the compressor speed follows the load (linear interpolation of output between
   speeds); below the minimum speed the unit cycles on/off with the EN 14825 degradation
   ``COP_cyc = COP · CR / (Cdh · CR + 1 − Cdh)``, ``CR = Q / Φ_min`` (Cdh = 0.9 default);
   above the maximum speed the deficit goes to the auxiliaries;
5. reverse-cycle defrost takes heat from the water loop (EnergyPlus model), charged to the
   auxiliaries as extra demand;
6. auxiliaries: the boiler, where allowed (below the switchover temperature, always for defrost
   heat and whenever the heat pump cannot run), first, then the electric back-up heater, each up
   to its capacity; anything left is reported as unmet load.

Bivalent operation with a boiler and a switchover (bivalent) temperature ``T_sw``:

* ``bivalent-alternative``: below ``T_sw`` the heat pump is off and the boiler serves all;
* ``bivalent-parallel``: below ``T_sw`` the heat pump runs (up to its maximum) and the boiler
  tops up; above ``T_sw`` the boiler is not used for the heating load.

Energy balance per step, exact by construction and checked by the tests::

    heat_hp + heat_backup + heat_boiler + unmet = space_load + dhw_load + defrost_heat
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

import numpy as np
import xarray as xr

from designopt.cycle.operation import CDH_DEFAULT, PreparedMap, follow_load, prepare_map
from designopt.errors import ConfigurationError
from designopt.seasonal.building import (
    DomesticHotWater,
    HeatingCurve,
    HeatLoadLine,
    HourlyHeatLoad,
    OutdoorResetCurve,
)
from designopt.seasonal.defrost import DefrostModel, defrost_performance

__all__ = [
    "CONDENSING_RETURN_K",
    "BivalentMode",
    "Boiler",
    "HourlyResult",
    "HourlySummary",
    "PreparedMap",
    "carnot_fraction_map",
    "prepare_map",
    "simulate",
]

_T0_K = 273.15


class BivalentMode(StrEnum):
    """Operation of a hybrid (heat pump + boiler) below the switchover temperature."""

    ALTERNATIVE = "bivalent-alternative"
    PARALLEL = "bivalent-parallel"


#: Return temperatures of the condensing-efficiency line [K]: the 30 % load test (30 degC
#: return) and the full-load 80/60 test (60 degC return) of Directive 92/42/EEC / EN 15502.
CONDENSING_RETURN_K = (303.15, 333.15)


@dataclass(frozen=True, kw_only=True)
class Boiler:
    """Fuel boiler of a hybrid system.

    Parameters
    ----------
    capacity_W
        Maximum heat output [W]; default unlimited.
    efficiency
        Heat delivered per fuel energy [1], on the calorific basis the fuel is priced on.  A
        non-condensing boiler: constant.  A condensing boiler (``efficiency_30C_return`` given):
        the efficiency with 60 degC water entering, the full-load 80/60 test (eta_4 of an
        811/2013 product fiche, e.g. 0.88 on the gross calorific value).
    efficiency_30C_return
        Condensing boilers: the efficiency with 30 degC water entering, the 30 % part-load test
        (eta_1 of the fiche, e.g. 0.98 gross).  Between 30 and 60 degC the efficiency is linear
        in the temperature of the water entering the boiler; it is held at the end values
        outside (no condensation above the flue-gas dew point of about 55-57 degC; the two test
        points are those of Directive 92/42/EEC and EN 15502-1).  ``None``: not condensing.
    """

    capacity_W: float = float("inf")
    efficiency: float = 0.9
    efficiency_30C_return: float | None = None

    def __post_init__(self) -> None:
        if not self.capacity_W > 0:
            raise ConfigurationError(f"boiler capacity_W={self.capacity_W} must be > 0 W")
        for name in ("efficiency", "efficiency_30C_return"):
            eta = getattr(self, name)
            if eta is not None and not 0.3 <= eta <= 1.11:
                raise ConfigurationError(
                    f"boiler {name}={eta} must lie in [0.3, 1.11] (heat per fuel energy)"
                )

    @property
    def condensing(self) -> bool:
        return self.efficiency_30C_return is not None

    def efficiency_at(self, t_in_K) -> np.ndarray:
        """Efficiency [1] with water entering at ``t_in_K`` [K] (constant if not condensing)."""
        t = np.asarray(t_in_K, dtype=float)
        if not self.condensing:
            return np.full(t.shape, self.efficiency)
        return np.interp(t, CONDENSING_RETURN_K, (self.efficiency_30C_return, self.efficiency))


# --------------------------------------------------------------------------------------------
# performance map
# --------------------------------------------------------------------------------------------


def carnot_fraction_map(
    *,
    heat_nominal_W: float = 8000.0,
    carnot_fraction: float = 0.5,
    t_source_K=None,
    t_sink_K=None,
    speed=(0.3, 0.65, 1.0),
    capacity_slope_per_K: float = 0.025,
    approach_K: float = 5.0,
    source_type: str = "air",
    constant_cop: float | None = None,
) -> xr.Dataset:
    """A simple synthetic performance map (for tests, examples and benchmarks).

    ``COP = η · T_cond / (T_cond − T_evap)`` with ``T_cond = t_sink + approach``,
    ``T_evap = t_source − approach`` (η the Carnot fraction), or a constant COP; heat output
    ``speed · Φ_nom · (1 + slope · (t_source − 7 °C))``, clipped at 5 % of nominal.  Not a
    physical machine model: use ``designopt.cycle.performance_map`` for designs.
    """
    ts = np.asarray(
        t_source_K if t_source_K is not None else np.arange(-25.0, 36.0, 5.0) + _T0_K, dtype=float
    )
    tk = np.asarray(
        t_sink_K if t_sink_K is not None else np.arange(20.0, 71.0, 5.0) + _T0_K, dtype=float
    )
    sp = np.asarray(speed, dtype=float)
    T_src, T_snk, S = np.meshgrid(ts, tk, sp, indexing="ij")
    heat = S * heat_nominal_W * np.maximum(1 + capacity_slope_per_K * (T_src - 280.15), 0.05)
    if constant_cop is not None:
        cop = np.full_like(heat, float(constant_cop))
    else:
        t_cond = T_snk + approach_K
        t_evap = T_src - approach_K
        cop = carnot_fraction * t_cond / np.maximum(t_cond - t_evap, 1.0)
    power = heat / cop

    def _v(a, units, long_name):
        return (("t_source", "t_sink", "speed"), a, {"units": units, "long_name": long_name})

    return xr.Dataset(
        {
            "heat_output": _v(heat, "W", "heat output"),
            "electric_power": _v(power, "W", "electric power (compressor + fan)"),
            "cop": _v(cop, "1", "coefficient of performance"),
        },
        coords={
            "t_source": ("t_source", ts, {"units": "K", "long_name": "source inlet temperature"}),
            "t_sink": ("t_sink", tk, {"units": "K", "long_name": "sink outlet temperature"}),
            "speed": ("speed", sp, {"units": "1", "long_name": "compressor speed fraction"}),
        },
        attrs={
            "source_type": source_type,
            "speed_min": float(sp[0]),
            "speed_max": float(sp[-1]),
            "refrigerant": "none (Carnot-fraction stand-in)",
            "design_hash": "",
        },
    )


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourlySummary:
    """Seasonal totals of an hourly simulation (energies in J, times in h).

    SPF definitions follow the SEPEMO-Build system boundaries (Zottl et al., 2012, "Concept for
    evaluation of heat pump systems: SEPEMO-Build", also used by EN 15316-4-2 reporting):

    * ``spf_h2`` = heat pump heat / heat pump electricity (compressor + source fan, as the map);
    * ``spf_h3`` = (heat pump heat − defrost heat + back-up heat) / (heat pump + back-up
      electricity); for a unit without boiler and without unmet load this is the heat demand
      over all electricity, the seasonal figure comparable to EN 14825 ``SCOP_on``;
    * ``SPF_H4`` (heating-side pumps) is not computed: pumps are not in the map.
    """

    load_J: float
    space_heating_J: float
    dhw_J: float
    defrost_heat_J: float
    heat_hp_J: float
    heat_backup_J: float
    heat_boiler_J: float
    unmet_J: float
    electricity_hp_J: float
    electricity_backup_J: float
    electricity_J: float
    gas_J: float
    spf_h2: float
    spf_h3: float
    hp_share: float
    hours_hp_on: float
    hours_backup: float
    hours_boiler: float
    hours_defrost: float
    hours_unmet: float
    max_unmet_W: float

    def as_dict(self) -> dict:
        """All fields as a plain dict."""
        return asdict(self)

    def energy_kWh(self) -> dict:
        """The ``*_J`` fields converted to kWh (for reports), keys ending in ``_kWh``."""
        return {k[:-2] + "_kWh": v / 3.6e6 for k, v in asdict(self).items() if k.endswith("_J")}


@dataclass(frozen=True)
class HourlyResult:
    """Result of :func:`simulate`: ``data`` (xarray.Dataset over ``time``) and ``summary``."""

    data: xr.Dataset
    summary: HourlySummary


# --------------------------------------------------------------------------------------------
# simulation
# --------------------------------------------------------------------------------------------


def _time_step_h(time) -> float:
    t = np.asarray(time, dtype="datetime64[ns]")
    if t.size < 2:
        return 1.0
    d = np.diff(t).astype("timedelta64[s]").astype(float)
    if np.any(d <= 0) or np.ptp(d) > 0:
        raise ConfigurationError(
            "weather time steps must be uniform and increasing; "
            f"found steps between {d.min()} and {d.max()} s"
        )
    return float(d[0]) / 3600.0


def _boiler_inlet_K(emitter, load, design_load_W, t_flow, heat_hp, heat_boiler) -> np.ndarray:
    """Temperature of the water entering the boiler [K]: the emitter's return, raised by the
    heat pump's share of the heat where it runs in series before the boiler (parallel
    operation).  Needs an emitter with a return temperature (:class:`HeatingCurve`)."""
    if not callable(getattr(emitter, "return_temperature_K", None)):
        raise ConfigurationError(
            "a condensing boiler needs the emitter's return temperature: use a HeatingCurve "
            f"(not {type(emitter).__name__}), or a non-condensing Boiler"
        )
    t_ret = np.asarray(emitter.return_temperature_K(load / design_load_W), dtype=float)
    total = heat_hp + heat_boiler
    with np.errstate(invalid="ignore", divide="ignore"):
        share_hp = np.where(total > 0, heat_hp / total, 0.0)
    return t_ret + np.clip(share_hp, 0.0, 1.0) * np.maximum(t_flow - t_ret, 0.0)


def simulate(
    pmap: xr.Dataset | PreparedMap,
    weather: xr.Dataset,
    building: HeatLoadLine | HourlyHeatLoad,
    emitter: HeatingCurve | OutdoorResetCurve,
    *,
    backup_W: float | None = None,
    boiler: Boiler | None = None,
    switchover_K: float | None = None,
    mode: BivalentMode | str = BivalentMode.ALTERNATIVE,
    dhw: DomesticHotWater | None = None,
    cdh: float = CDH_DEFAULT,
    defrost: DefrostModel | None = None,
    t_source_K=None,
) -> HourlyResult:
    """Simulate a heat pump heating system time step by time step.

    Parameters
    ----------
    pmap
        Performance map (Dataset per the contract in ``docs/architecture.md``) or the result of
        :func:`prepare_map` (faster when the same map is simulated many times).
    weather
        Dataset over ``time`` with ``t_air`` [K] and, for the defrost model, ``rh`` [1]
        (:func:`designopt.io.epw.read_epw`, :func:`designopt.seasonal.weather.en14825_weather`).
    building
        Space-heating load (:class:`~designopt.seasonal.building.HeatLoadLine` or
        :class:`~designopt.seasonal.building.HourlyHeatLoad`).
    emitter
        Gives the flow temperature (map ``t_sink``): a weather-compensated
        :class:`~designopt.seasonal.building.HeatingCurve` (from the load ratio) or an
        :class:`~designopt.seasonal.building.OutdoorResetCurve` (from outdoor temperature).
    backup_W
        Electric back-up heater capacity [W] (efficiency 1).  Default: unlimited without a
        boiler, none (0) with a boiler.
    boiler
        Gas boiler of a hybrid system, or ``None``.
    switchover_K
        Switchover (bivalent) outdoor temperature [K] for the boiler; required with a boiler,
        not allowed without one.
    mode
        ``bivalent-alternative`` or ``bivalent-parallel`` (see the module docstring).
    dhw
        Domestic hot-water demand, served first at its own flow temperature, or ``None``.
    cdh
        Degradation coefficient for on/off cycling below minimum speed [1] (EN 14825; 0.9
        default for water-based units).
    defrost
        Defrost model for air-source maps (default :class:`DefrostModel`); ignored for ground
        and water maps.
    t_source_K
        Source temperature [K] (scalar or per step) for ground/water maps; air maps use
        ``weather.t_air``.

    Returns
    -------
    HourlyResult
        ``data``: Dataset over ``time`` with every flow [W] (mean over the step), temperatures
        [K], speed, COP and defrost state; ``summary``: :class:`HourlySummary`.

    Raises
    ------
    ConfigurationError
        Inconsistent inputs (switchover without boiler or out of range, unknown mode, negative
        back-up capacity, ``cdh`` outside [0, 1], weather without ``t_air``, ...).
    """
    pm = prepare_map(pmap)
    try:
        mode = BivalentMode(mode)
    except ValueError:
        raise ConfigurationError(
            f"mode={mode!r} is not known; valid options: {[m.value for m in BivalentMode]}"
        ) from None
    if not 0.0 <= cdh <= 1.0:
        raise ConfigurationError(f"cdh={cdh} must lie in [0, 1] (EN 14825 default 0.9)")
    if boiler is None and switchover_K is not None:
        raise ConfigurationError(
            f"switchover_K={switchover_K} needs a boiler (boiler=Boiler(...)); without one the "
            "electric back-up covers any deficit at all temperatures"
        )
    if boiler is not None:
        if switchover_K is None:
            raise ConfigurationError("a boiler needs switchover_K, the bivalent temperature [K]")
        if not np.isfinite(switchover_K) or not 233.15 <= switchover_K <= 298.15:
            raise ConfigurationError(
                f"switchover_K={switchover_K} must lie in [233.15, 298.15] K (-40 .. +25 °C); "
                "give kelvin, not °C"
            )
    if backup_W is None:
        backup_W = 0.0 if boiler is not None else float("inf")
    if not backup_W >= 0:
        raise ConfigurationError(f"backup_W={backup_W} must be >= 0 W")
    if not callable(getattr(emitter, "flow_temperature", None)):
        raise ConfigurationError(
            "emitter must be a HeatingCurve or OutdoorResetCurve (any object with "
            f"flow_temperature(t_air_K, load_ratio)); got {type(emitter).__name__}"
        )
    if "t_air" not in weather:
        raise ConfigurationError("weather needs a 't_air' variable [K] over 'time'")

    if "time" not in weather.coords or not np.issubdtype(weather["time"].dtype, np.datetime64):
        raise ConfigurationError(
            "weather needs a datetime64 'time' coordinate (hourly steps), as read_epw and "
            "en14825_weather return"
        )
    time = weather["time"].values
    t_air = np.asarray(weather["t_air"].values, dtype=float)
    n = t_air.size
    if np.any(~np.isfinite(t_air)) or np.any((t_air < 173.15) | (t_air > 343.15)):
        raise ConfigurationError("weather t_air must be finite and in kelvin (173.15 .. 343.15 K)")
    dt_h = _time_step_h(time)
    rh = np.asarray(weather["rh"].values, dtype=float) if "rh" in weather else None

    if pm.source_type == "air":
        if t_source_K is not None:
            raise ConfigurationError(
                "t_source_K is only for ground/water maps; an air map uses weather t_air"
            )
        t_src = t_air
    else:
        if t_source_K is None:
            raise ConfigurationError(
                f"a {pm.source_type}-source map needs t_source_K (brine/water inlet) [K]"
            )
        t_src = np.broadcast_to(np.asarray(t_source_K, dtype=float), (n,)).copy()

    load = np.asarray(building.load_W(t_air, time), dtype=float)
    if load.shape != (n,) or np.any(~np.isfinite(load)) or np.any(load < 0):
        raise ConfigurationError("the building load must be finite and >= 0 W at every step")
    t_flow = np.broadcast_to(
        np.asarray(emitter.flow_temperature(t_air, load / building.design_load_W), dtype=float),
        (n,),
    ).copy()
    dhw_load = dhw.load_W(time) if dhw is not None else np.zeros(n)

    # -- heat pump availability ---------------------------------------------------------------
    below = (t_air < switchover_K) if boiler is not None else np.zeros(n, dtype=bool)
    hp_allowed = ~below if mode is BivalentMode.ALTERNATIVE else np.ones(n, dtype=bool)

    heat_s, power_s, valid_s, spd_low, spd_top = pm.interpolate(t_src, t_flow)
    if pm.source_type == "air":
        p_air = (
            np.asarray(weather["pressure"].values, dtype=float) if "pressure" in weather else None
        )
        dfr = defrost_performance(t_air, rh, model=defrost, pressure_Pa=p_air)
        cap_f, pow_f = dfr.capacity_factor, dfr.power_factor
        dfr_time, dfr_heat_frac = dfr.time_fraction, dfr.defrost_heat_fraction
    else:
        cap_f = pow_f = np.ones(n)
        dfr_time = dfr_heat_frac = np.zeros(n)
    heat_s = heat_s * cap_f[:, None]
    power_s = power_s * pow_f[:, None]

    # -- domestic hot water first (time sharing, maximum speed) -------------------------------
    heat_dhw = np.zeros(n)
    elec_dhw = np.zeros(n)
    tau = np.zeros(n)
    clean_dhw = np.zeros(n)
    if dhw is not None:
        h_d, p_d, valid_d, _, _ = pm.interpolate(t_src, np.full(n, dhw.t_flow_K))
        run_d = valid_d & hp_allowed & (dhw_load > 0)
        hd = np.where(run_d, h_d[:, -1] * cap_f, 1.0)
        tau = np.where(run_d, np.minimum(1.0, dhw_load / hd), 0.0)
        heat_dhw = np.where(run_d, tau * hd, 0.0)
        elec_dhw = np.where(run_d, tau * p_d[:, -1] * pow_f, 0.0)
        clean_dhw = np.where(run_d, tau * h_d[:, -1], 0.0)

    # -- space heating with the rest of the step ----------------------------------------------
    avail = 1.0 - tau
    run_s = valid_s & hp_allowed & (load > 0) & (avail > 1e-12)
    r = np.where(run_s, load / np.where(avail > 1e-12, avail, 1.0), 0.0)
    hs_ok = np.where(run_s[:, None], heat_s, 1.0)
    ps_ok = np.where(run_s[:, None], power_s, 1.0)
    q_rate, p_rate, spd, cr = follow_load(r, hs_ok, ps_ok, pm.speed, cdh=cdh)
    spd = np.clip(spd, spd_low, spd_top)
    heat_sh = np.where(run_s, avail * q_rate, 0.0)
    elec_sh = np.where(run_s, avail * p_rate, 0.0)
    speed_out = np.where(run_s, spd, np.nan)
    # clean-coil heat of the delivered output: the defrost heat scales with it
    clean_sh = np.where(run_s, heat_sh / np.where(cap_f > 0, cap_f, 1.0), 0.0)

    heat_hp = heat_sh + heat_dhw
    elec_hp = elec_sh + elec_dhw
    hp_on = run_s | (tau > 0)
    defrost_frac = np.where(hp_on, dfr_time, 0.0)
    defrost_heat = np.where(hp_on, dfr_heat_frac * (clean_sh + clean_dhw), 0.0)

    # -- auxiliaries ----------------------------------------------------------------------------
    deficit = (load - heat_sh) + (dhw_load - heat_dhw)
    deficit = np.maximum(deficit, 0.0)
    boiler_cap = boiler.capacity_W if boiler is not None else 0.0
    hp_unavailable = ~(valid_s & hp_allowed)
    boiler_for_load = (below | hp_unavailable) if boiler is not None else np.zeros(n, bool)
    q_boiler_load = np.where(boiler_for_load, np.minimum(deficit, boiler_cap), 0.0)
    q_boiler_def = (
        np.minimum(defrost_heat, boiler_cap - q_boiler_load) if boiler is not None else np.zeros(n)
    )
    rest_load = deficit - q_boiler_load
    rest_def = defrost_heat - q_boiler_def
    q_backup_def = np.minimum(rest_def, backup_W)
    q_backup_load = np.minimum(rest_load, backup_W - q_backup_def)
    heat_boiler = q_boiler_load + q_boiler_def
    heat_backup = q_backup_load + q_backup_def
    unmet = (rest_load - q_backup_load) + (rest_def - q_backup_def)
    gas = np.zeros(n)
    eta_boiler = np.full(n, np.nan)
    if boiler is not None:
        eta_boiler = boiler.efficiency_at(
            _boiler_inlet_K(emitter, load, building.design_load_W, t_flow, heat_sh, heat_boiler)
            if boiler.condensing
            else t_flow
        )
        gas = heat_boiler / eta_boiler
    elec_backup = heat_backup
    elec = elec_hp + elec_backup
    with np.errstate(invalid="ignore", divide="ignore"):
        cop = np.where(elec_hp > 0, heat_hp / elec_hp, np.nan)

    # -- assemble -------------------------------------------------------------------------------
    def v(a, units, long_name, **extra):
        return ("time", np.asarray(a), {"units": units, "long_name": long_name, **extra})

    ds = xr.Dataset(
        {
            "t_air": v(t_air, "K", "outdoor dry-bulb temperature"),
            "t_source": v(t_src, "K", "heat pump source inlet temperature"),
            "t_flow": v(t_flow, "K", "space-heating flow (sink outlet) temperature"),
            "space_load": v(load, "W", "space-heating load"),
            "dhw_load": v(dhw_load, "W", "domestic hot-water heat demand"),
            "defrost_heat": v(defrost_heat, "W", "heat drawn from the loop by defrost"),
            "heat_hp": v(heat_hp, "W", "heat delivered by the heat pump (space + DHW)"),
            "heat_hp_dhw": v(heat_dhw, "W", "heat delivered by the heat pump to DHW"),
            "heat_backup": v(heat_backup, "W", "heat delivered by the electric back-up heater"),
            "heat_boiler": v(heat_boiler, "W", "heat delivered by the boiler"),
            "unmet": v(unmet, "W", "unmet heat demand"),
            "electricity_hp": v(elec_hp, "W", "heat pump electric power (compressor + fan)"),
            "electricity_backup": v(elec_backup, "W", "back-up heater electric power"),
            "electricity": v(elec, "W", "total electric power"),
            "gas": v(gas, "W", "boiler fuel power (the calorific basis of the efficiency)"),
            "boiler_efficiency": v(eta_boiler, "1", "boiler efficiency (NaN: no boiler)"),
            "cop": v(cop, "1", "heat pump COP over the step (incl. cycling and defrost)"),
            "speed": v(speed_out, "1", "space-heating compressor speed fraction (NaN: off)"),
            "cycling_ratio": v(
                np.where(run_s, np.minimum(cr, 1.0), 0.0), "1", "on-time fraction below min speed"
            ),
            "dhw_time_fraction": v(tau, "1", "fraction of the step spent on DHW"),
            "defrost_fraction": v(defrost_frac, "1", "defrost time fraction (outdoor fan off)"),
            "defrost": v(
                (defrost_frac > 0).astype(np.int8), "1", "defrost active flag", flag_values="0 1"
            ),
            "hp_on": v(hp_on.astype(np.int8), "1", "heat pump running flag", flag_values="0 1"),
        },
        coords={"time": ("time", time, dict(weather["time"].attrs) or {"long_name": "time"})},
        attrs={
            "time_step_h": dt_h,
            "mode": mode.value,
            "switchover_K": float(switchover_K) if switchover_K is not None else np.nan,
            "backup_W": float(backup_W),
            "cdh": float(cdh),
            "speed_min": float(pm.speed[0]),
            "speed_max": float(pm.speed[-1]),
            "source_type": pm.source_type,
            "design_hash": pm.design_hash,
            "weather_source": str(weather.attrs.get("source", "")),
        },
    )
    ds["time"].attrs.setdefault("long_name", "start of the time step")

    to_J = dt_h * 3600.0
    e_hp = float(elec_hp.sum() * to_J)
    e_bu = float(elec_backup.sum() * to_J)
    q_hp = float(heat_hp.sum() * to_J)
    q_bu = float(heat_backup.sum() * to_J)
    q_bo = float(heat_boiler.sum() * to_J)
    q_def = float(defrost_heat.sum() * to_J)
    q_load = float((load + dhw_load).sum() * to_J)
    q_unmet = float(unmet.sum() * to_J)
    thr = 1e-9
    summary = HourlySummary(
        load_J=q_load,
        space_heating_J=float(load.sum() * to_J),
        dhw_J=float(dhw_load.sum() * to_J),
        defrost_heat_J=q_def,
        heat_hp_J=q_hp,
        heat_backup_J=q_bu,
        heat_boiler_J=q_bo,
        unmet_J=q_unmet,
        electricity_hp_J=e_hp,
        electricity_backup_J=e_bu,
        electricity_J=e_hp + e_bu,
        gas_J=float(gas.sum() * to_J),
        spf_h2=q_hp / e_hp if e_hp > 0 else float("nan"),
        spf_h3=(q_hp - q_def + q_bu) / (e_hp + e_bu) if e_hp + e_bu > 0 else float("nan"),
        hp_share=q_hp / (q_hp + q_bu + q_bo) if q_hp + q_bu + q_bo > 0 else float("nan"),
        hours_hp_on=float(hp_on.sum() * dt_h),
        hours_backup=float((heat_backup > thr).sum() * dt_h),
        hours_boiler=float((heat_boiler > thr).sum() * dt_h),
        hours_defrost=float((defrost_frac > 0).sum() * dt_h),
        hours_unmet=float((unmet > 1e-6).sum() * dt_h),
        max_unmet_W=float(unmet.max()) if n else 0.0,
    )
    return HourlyResult(data=ds, summary=summary)
