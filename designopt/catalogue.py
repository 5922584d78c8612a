"""What a design study knows: design variables, objectives, constraints and metrics.

One place, the same whatever was imported: the case schema (:mod:`designopt.case`) validates
design spaces against :data:`VARIABLES`, the evaluation core (:mod:`designopt.evaluate`) fills
:data:`OBJECTIVES`, :data:`CONSTRAINTS` and :data:`METRICS`, and results and reports take units
and long names from here.  Pure data; no physics is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "ALL_SOURCES",
    "SOURCES",
    "SourceEntry",
    "receiver_slug",
    "register_source",
    "CONSTRAINTS",
    "METRICS",
    "METRIC_UNITS",
    "OBJECTIVES",
    "OBJECTIVE_SOURCES",
    "VARIABLES",
    "VariableInfo",
    "variables_of",
]


@dataclass(frozen=True)
class VariableInfo:
    """A design variable: kind (``float``, ``int``, ``categorical``), unit, default, long name,
    physical validity bounds (checked at the boundary) and the source types it applies to."""

    kind: str  # float | int | categorical
    unit: str
    default: Any
    long_name: str
    low: float | None = None
    high: float | None = None
    sources: tuple[str, ...] | None = None  # None: every source type


#: Design variables of the study (``[space]`` ranges or ``[fixed]`` values of a case).
VARIABLES: dict[str, VariableInfo] = {
    "refrigerant": VariableInfo("categorical", "1", "R290", "refrigerant"),
    "evaporator_area_m2": VariableInfo(
        "float", "m2", 40.0, "evaporator heat-transfer area (air side for coils)", 0.5, 2000.0
    ),
    "condenser_area_m2": VariableInfo(
        "float", "m2", 1.2, "condenser plate area (one side)", 0.05, 100.0
    ),
    "swept_volume_cm3": VariableInfo(
        "float", "cm3", 60.0, "compressor swept volume per revolution", 1.0, 5000.0
    ),
    "nominal_speed_Hz": VariableInfo("float", "Hz", 50.0, "compressor nominal speed", 10.0, 200.0),
    "speed_max": VariableInfo(
        "float", "1", 1.2, "maximum compressor speed as a fraction of nominal", 1.0, 2.0
    ),
    "speed_min": VariableInfo(
        "float", "1", 0.3, "minimum compressor speed as a fraction of nominal", 0.1, 1.0
    ),
    "fan_diameter_m": VariableInfo("float", "m", 0.55, "outdoor fan diameter", 0.2, 1.5),
    "air_flow_per_area_m3_s_m2": VariableInfo(
        "float",
        "m3/(s m2)",
        0.0275,
        "fan air flow per m2 of coil area (0.0275: 1.1 m3/s on 40 m2)",
        0.005,
        0.1,
        ("air", "twin_source"),
    ),
    "backup_kW": VariableInfo("float", "kW", 0.0, "electric back-up heater size", 0.0, 100.0),
    "superheat_K": VariableInfo("float", "K", 5.0, "evaporator superheat set point", 0.5, 30.0),
    "subcool_K": VariableInfo("float", "K", 3.0, "condenser subcooling set point", 0.0, 30.0),
    "source_flow_kg_s": VariableInfo("float", "kg/s", 0.5, "brine/water source flow", 0.01, 100.0),
    "compressor_type": VariableInfo("categorical", "1", "rotary", "compressor type (noise)"),
    "compressor_injection": VariableInfo(
        "categorical", "1", "none", "compressor vapour injection with an economiser (none, vapour)"
    ),
    "borehole_length_m": VariableInfo(
        "float", "m", 100.0, "active length of each borehole", 10.0, 500.0
    ),
    "borehole_count": VariableInfo(
        "int",
        "1",
        1,
        "number of boreholes (layouts 'line' and 'compact'; default [ground].n_boreholes)",
        1,
        100,
    ),
    "switchover_temperature_degC": VariableInfo(
        "float",
        "degC",
        2.0,
        "switchover outdoor temperature: below it the boiler (a [boiler] case) or the ground (a"
        " twin-source unit) takes over",
        -25.0,
        20.0,
    ),
    "boiler_kW": VariableInfo(
        "float",
        "kW",
        None,
        "boiler rated heat output (a [boiler] case; default: the design heat load)",
        1.0,
        1000.0,
    ),
    "air_coil_area_m2": VariableInfo(
        "float",
        "m2",
        40.0,
        "finned air coil of the twin-source unit's air mode (air side)",
        0.5,
        2000.0,
    ),
}


@dataclass(frozen=True)
class SourceEntry:
    """The registration of a source type of the design study (a value of ``[source] type``).

    ``module`` names its plug-in, a module whose ``SOURCE`` is a
    :class:`designopt.evaluate.sources.base.SourceModel` (imported when the evaluation core
    is); ``uses`` names the source-specific variables of :data:`VARIABLES` it takes beyond the
    common ones; ``adds`` declares variables of its own.  Adding a source type is one new
    plug-in module and one entry here.
    """

    module: str
    description: str
    uses: tuple[str, ...] = ()
    adds: dict[str, VariableInfo] = field(default_factory=dict)


_AIR_UNIT = ("fan_diameter_m", "air_flow_per_area_m3_s_m2")
_BOREFIELD = ("source_flow_kg_s", "borehole_length_m", "borehole_count")

#: The source types of the design study, by ``[source] type``.
SOURCES: dict[str, SourceEntry] = {
    "air": SourceEntry(
        "designopt.evaluate.sources.air",
        "air-to-water unit: finned coil and fan outdoors, EN 14825 season or EPW year",
        uses=_AIR_UNIT,
    ),
    "ground": SourceEntry(
        "designopt.evaluate.sources.ground",
        "brine-to-water unit on a borefield, coupled hourly lifetime simulation",
        uses=_BOREFIELD,
    ),
    "water": SourceEntry(
        "designopt.evaluate.sources.water",
        "water-to-water unit on well, river or lake water at a constant temperature",
        uses=("source_flow_kg_s",),
    ),
    "twin_source": SourceEntry(
        "designopt.evaluate.sources.twin_source",
        "twin-source unit: borefield below a switchover outdoor temperature, air coil above",
        uses=(*_AIR_UNIT, *_BOREFIELD, "air_coil_area_m2"),
    ),
}

#: Source types of the design study (values of ``[source] type``).
ALL_SOURCES: tuple[str, ...] = tuple(SOURCES)


def _finish_variables() -> None:
    """Add the variables sources declare and say, for every variable, which sources take it."""
    for entry in SOURCES.values():
        VARIABLES.update(entry.adds)
    specific = {n for e in SOURCES.values() for n in (*e.uses, *e.adds)}
    for name, info in VARIABLES.items():
        takers = tuple(s for s, e in SOURCES.items() if name in e.uses or name in e.adds)
        VARIABLES[name] = replace(info, sources=takers if name in specific else ALL_SOURCES)


_finish_variables()


def register_source(name: str, entry: SourceEntry) -> None:
    """Add a source type at run time (a notebook, a test, a third-party package); a source
    of the package is an entry of :data:`SOURCES` instead.  Its plug-in is registered with
    :func:`designopt.evaluate.sources.register`."""
    if name in SOURCES and SOURCES[name] != entry:
        raise ValueError(f"source type {name!r} is already registered")
    SOURCES[name] = entry
    global ALL_SOURCES
    ALL_SOURCES = tuple(SOURCES)
    _finish_variables()


def receiver_slug(name: str) -> str:
    """The metric-name form of a receiver name (``level_<slug>_dBA``)."""
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_") or "receiver"


def variables_of(source: str) -> dict[str, VariableInfo]:
    """The design variables that apply to source type ``source``."""
    return {k: v for k, v in VARIABLES.items() if source in v.sources}


#: Objectives: name -> (direction, unit, long name).
OBJECTIVES: dict[str, tuple[str, str, str]] = {
    # name: (direction, unit, long name)
    "capital_cost": ("minimize", "EUR", "capital cost (equipment and installation, after subsidy)"),
    "net_present_cost": ("minimize", "EUR", "net present cost over the lifetime"),
    "annualised_cost": ("minimize", "EUR/a", "annualised cost (capital recovery + running)"),
    "lcoh": ("minimize", "EUR/kWh", "levelised cost of heat"),
    "lifetime_co2": ("minimize", "kg", "lifetime CO2-equivalent emissions (TEWI)"),
    "scop": ("maximize", "1", "seasonal coefficient of performance (SCOP, EN 14825; air, water)"),
    "spf": (
        "maximize",
        "1",
        "seasonal performance factor SPF_H3 of the hourly lifetime simulation (ground, twin source)",
    ),
    "sound_power": (
        "minimize",
        "dB(A)",
        "unit sound power L_WA (outdoor unit: air, twin source; indoor unit: water, ground)",
    ),
}

#: Objectives that apply to some source types only (the others apply to all).
OBJECTIVE_SOURCES: dict[str, tuple[str, ...]] = {
    "scop": ("air", "water"),
    "spf": ("ground", "twin_source"),
}

#: Scaled constraints (met when <= 0): name -> how it is scaled.
CONSTRAINTS: dict[str, str] = {
    "noise": "sound pressure at the worst receiver minus its limit, over the limit",
    "capacity": (
        "design heat load minus heat pump + back-up heater + boiler capacity at the design"
        " temperature, over the load"
    ),
    "charge": "refrigerant charge minus the charge limit, over the limit",
    "gwp": "refrigerant GWP minus the GWP cap, over the cap",
    "coverage": (
        "policy.min_heat_pump_coverage times the design heat load minus the heat pump's capacity"
        " at the design temperature, over the load (MCS MIS 3005-D asks for 100 %)"
    ),
    "unmet_load": "share of the annual heat demand not met minus 0.1 %",
    "fluid_temperature": "ground loop: fluid temperature limit minus the lifetime extreme, over 10 K",
}

#: Metrics of an evaluation: name -> (unit, long name).  Receiver levels add
#: ``level_<receiver>_dBA`` and capital cost items ``capex_<item>`` per case.
METRICS: dict[str, tuple[str, str]] = {
    "scop_35": ("1", "SCOP, EN 14825, 35 degC application, case climate"),
    "scop_55": ("1", "SCOP, EN 14825, 55 degC application, case climate"),
    "scop": ("1", "SCOP, EN 14825, of the case's emitter application (air, water)"),
    "eta_s_pct": ("%", "seasonal space heating efficiency of the case's application"),
    "t_biv_degC": ("degC", "bivalent temperature (unit at maximum speed meets the load)"),
    "capacity_design_kW": (
        "kW",
        "heat pump capacity at the design temperature and flow, maximum speed",
    ),
    "heat_A7W35_kW": ("kW", "heat output at A7/W35, nominal speed (air)"),
    "cop_A7W35": ("1", "COP at A7/W35, nominal speed, no defrost (air)"),
    "heat_W10W35_kW": ("kW", "heat output at W10/W35, nominal speed (water)"),
    "cop_W10W35": ("1", "COP at W10/W35, nominal speed (water)"),
    "annual_heat_kWh": (
        "kWh",
        "annual heat delivered to the building (EN 14825 reference season or the weather year)",
    ),
    "annual_electricity_kWh": ("kWh", "annual electricity incl. back-up and off modes"),
    "annual_backup_kWh": ("kWh", "annual back-up heater electricity"),
    "charge_kg": ("kg", "estimated refrigerant charge"),
    "charge_limit_kg": ("kg", "charge limit (IEC 60335-2-40 style, user cap)"),
    "gwp": ("1", "refrigerant GWP100 (AR4)"),
    "sound_power_dBA": (
        "dB(A)",
        "unit sound power L_WA at maximum speed (outdoor unit: air, twin source; indoor: water, ground)",
    ),
    "noise_margin_dB": ("dB", "worst receiver level minus its limit"),
    "scop_without_quiet_mode": ("1", "SCOP of the case's application if no hour ran in quiet mode"),
    "quiet_mode_speed_max": (
        "1",
        "compressor speed cap in quiet mode (fraction of nominal; NaN: no quiet mode)",
    ),
    "sound_power_quiet_dBA": ("dB(A)", "outdoor unit sound power in quiet mode"),
    "lifetime_co2_kg": ("kg", "TEWI over the lifetime"),
    "co2_direct_kg": ("kg", "refrigerant-related part of TEWI"),
    "spf_h1": ("1", "seasonal performance factor SPF_H1 (heat pump only, SEPEMO)"),
    "spf_h2": ("1", "seasonal performance factor SPF_H2 (heat pump + brine pump, SEPEMO)"),
    "spf_h3": ("1", "seasonal performance factor SPF_H3 (+ back-up heating, SEPEMO)"),
    "annual_hp_heat_kWh": ("kWh", "annual heat delivered by the heat pump (lifetime mean)"),
    "annual_ground_heat_kWh": ("kWh", "annual heat extracted from the ground (lifetime mean)"),
    "annual_hp_electricity_kWh": ("kWh", "annual heat-pump electricity (compressor, fan)"),
    "annual_pump_electricity_kWh": ("kWh", "annual brine-pump electricity"),
    "annual_air_heat_kWh": ("kWh", "annual heat delivered in air mode (twin source)"),
    "ground_heat_share": ("1", "share of the annual heat demand delivered in ground mode"),
    "borehole_total_length_m": ("m", "total drilled active length"),
    "n_boreholes": ("1", "number of boreholes"),
    "t_fluid_min_degC": ("degC", "lowest hourly mean fluid temperature over the lifetime"),
    "t_fluid_max_degC": ("degC", "highest hourly mean fluid temperature over the lifetime"),
    "year_t_fluid_min": ("1", "operating year of the lowest mean fluid temperature"),
    "year_t_fluid_max": ("1", "operating year of the highest mean fluid temperature"),
    "t_inlet_min_degC": ("degC", "lowest hourly heat-pump brine inlet temperature"),
    "fluid_margin_K": ("K", "limit minus extreme of the limited fluid temperature (<= 0: met)"),
    "heat_B0W35_kW": ("kW", "heat output at B0/W35, nominal speed (ground, twin source)"),
    "cop_B0W35": ("1", "COP at B0/W35, nominal speed (ground, twin source)"),
    "r_b_star_mK_per_W": ("m K/W", "effective borehole thermal resistance"),
    "t_ground_degC": ("degC", "undisturbed ground temperature over the active length"),
    "coupling_iterations": ("1", "heat pump / borefield fixed-point iterations"),
    "coupling_residual_K": ("K", "last change of the heat-pump inlet temperature"),
    "hours_ground": ("h", "hours per year on the ground"),
    "annual_fuel_kWh": ("kWh", "annual boiler fuel use (a [boiler] case)"),
    "annual_boiler_heat_kWh": ("kWh", "annual heat delivered by the boiler (a [boiler] case)"),
    "boiler_heat_share": ("1", "share of the annual heat delivered by the boiler"),
    "heat_pump_heat_share": ("1", "share of the annual heat delivered by the heat pump"),
    "boiler_seasonal_efficiency": (
        "1",
        "boiler heat over fuel over the year (condensing: by return temperature and load)",
    ),
    "hours_boiler": ("h", "hours per year with the boiler firing"),
    "heat_pump_coverage": (
        "1",
        "heat pump capacity at the design temperature over the design heat load",
    ),
    "annual_unmet_by_backup_kWh": (
        "kWh",
        "annual shortfall beyond the installed back-up heater (charged as direct electric)",
    ),
}
METRIC_UNITS = METRICS  # the former name
