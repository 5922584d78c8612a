"""``designopt cycle``: a fixed-saturation cycle, or a design at one operating point.

Form 1 (fixed saturation temperatures)::

    designopt cycle --fluid R290 --t-evap-degC 2 --t-cond-degC 40 --superheat-K 5 \
        --subcool-K 3 --eta-is 0.7 --json

Form 2 (a design file at an operating point)::

    designopt cycle --design casestudies/designs/air_water_8kW_R290.toml \
        --t-source-degC 7 --t-sink-degC 35 --speed 1.0 --json

``--t-sink-degC`` is the sink water outlet temperature.  Both forms print state points and
``cop_heating`` / ``cop_cooling``; CoolProp is imported only inside :func:`run`.

Form 2 with ``--cooling`` runs an air-source design in cooling mode (reversing valve):
``--t-source-degC`` is then the outdoor air and ``--t-sink-degC`` the chilled-water outlet
temperature (EN 14511: ``--t-source-degC 35 --t-sink-degC 7``); it prints the cooling capacity,
EER and the solved temperatures.
"""

from __future__ import annotations

import argparse
import json
import math

NAME = "cycle"
HELP = "Compute a vapour-compression cycle (fixed saturation temperatures, or a design file at an operating point)."

_ZERO_C = 273.15


def register(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``designopt cycle``."""
    g1 = parser.add_argument_group("fixed saturation temperatures")
    g1.add_argument("--fluid", help="refrigerant, e.g. R290 (see designopt.refrigerants)")
    g1.add_argument("--t-evap-degC", type=float, help="evaporating dew-point temperature [degC]")
    g1.add_argument("--t-cond-degC", type=float, help="condensing dew-point temperature [degC]")
    g1.add_argument(
        "--superheat-K", type=float, default=5.0, help="suction superheat [K] (default 5)"
    )
    g1.add_argument(
        "--subcool-K", type=float, default=3.0, help="condenser subcooling [K] (default 3)"
    )
    g1.add_argument(
        "--eta-is",
        type=float,
        default=0.7,
        help="compressor isentropic efficiency [1] (default 0.7)",
    )
    g2 = parser.add_argument_group("design at an operating point")
    g2.add_argument(
        "--design", metavar="FILE.toml", help="TOML design file (see casestudies/designs/)"
    )
    g2.add_argument("--t-source-degC", type=float, help="source inlet temperature [degC]")
    g2.add_argument("--t-sink-degC", type=float, help="sink water outlet temperature [degC]")
    g2.add_argument(
        "--speed", type=float, default=1.0, help="compressor speed, fraction of nominal (default 1)"
    )
    g2.add_argument(
        "--cooling",
        action="store_true",
        help="cooling mode: --t-source-degC = outdoor air, --t-sink-degC = chilled-water outlet",
    )
    parser.add_argument(
        "--backend",
        default=None,
        help="property backend: HEOS, BICUBIC&HEOS (form 1); tables (form 2)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def _fixed(args) -> dict:
    from designopt.cycle.fixed import fixed_saturation_cycle
    from designopt.errors import ConfigurationError

    if args.t_evap_degC is None or args.t_cond_degC is None:
        raise ConfigurationError("--fluid needs --t-evap-degC and --t-cond-degC")
    res = fixed_saturation_cycle(
        args.fluid,
        t_evap_K=args.t_evap_degC + _ZERO_C,
        t_cond_K=args.t_cond_degC + _ZERO_C,
        superheat_K=args.superheat_K,
        subcool_K=args.subcool_K,
        eta_is=args.eta_is,
        backend=args.backend or "HEOS",
    )
    return {"mode": "fixed_saturation", **res.as_dict()}


def _design(args) -> dict:
    import tomllib

    from designopt.cycle import design_from_mapping, solve_operating_point
    from designopt.errors import ConfigurationError, DataFormatError

    if args.t_source_degC is None or args.t_sink_degC is None:
        raise ConfigurationError("--design needs --t-source-degC and --t-sink-degC")
    try:
        with open(args.design, "rb") as fh:
            mapping = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigurationError(f"design file {args.design!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFormatError(f"design file {args.design!r} is not valid TOML: {exc}") from None
    design = design_from_mapping(mapping.get("design", mapping))
    if args.cooling:
        return _cooling(args, design)
    op = solve_operating_point(
        design,
        t_source_K=args.t_source_degC + _ZERO_C,
        t_sink_out_K=args.t_sink_degC + _ZERO_C,
        speed=args.speed,
        backend=args.backend or "tables",
    )
    out = {
        "mode": "design",
        "refrigerant": design.refrigerant,
        "source_type": design.source_type.value,
        **op.as_dict(),
    }
    out["cop_heating"] = op.cop
    out["cop_cooling"] = op.evaporator_heat_W / op.electric_power_W
    out["specific_work_J_kg"] = op.states[1].h - op.states[0].h
    return out


def _cooling(args, design) -> dict:
    from designopt.cycle import Status, solve_cooling_arrays
    from designopt.errors import OperatingPointError

    r = solve_cooling_arrays(
        design,
        args.t_source_degC + _ZERO_C,
        args.t_sink_degC + _ZERO_C,
        args.speed,
        backend=args.backend or "tables",
    )
    st = Status(int(r["status"]))
    if st is not Status.OK:
        raise OperatingPointError(
            f"{design.refrigerant} in cooling at outdoor {args.t_source_degC} degC, chilled water "
            f"{args.t_sink_degC} degC, speed {args.speed}: no solution ({st.name.lower()})"
        )
    keys = {
        "cooling_capacity": "cooling_capacity_W",
        "heat_rejected": "heat_rejected_W",
        "electric_power": "electric_power_W",
        "compressor_power": "compressor_power_W",
        "fan_power": "fan_power_W",
        "eer": "eer",
        "t_evap": "t_evap_K",
        "t_cond": "t_cond_K",
        "t_discharge": "t_discharge_K",
        "mass_flow": "mass_flow_kg_s",
        "source_flow": "chilled_water_flow_kg_s",
        "t_sink_out": "t_air_out_K",
    }
    out = {"mode": "design_cooling", "refrigerant": design.refrigerant}
    out.update({new: float(r[old]) for old, new in keys.items()})
    return out


def _finite(obj):
    """Replace NaN (e.g. the quality of single-phase states) by None, for strict JSON."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def run(args: argparse.Namespace) -> int:
    """Run ``designopt cycle``; print the result (JSON with ``--json``)."""
    from designopt.errors import ConfigurationError

    if (args.fluid is None) == (args.design is None):
        raise ConfigurationError(
            "give either --fluid (fixed saturation temperatures) or --design FILE.toml"
        )
    out = _fixed(args) if args.fluid is not None else _design(args)
    if args.json:
        print(json.dumps(_finite(out), indent=2))
        return 0
    for key, val in out.items():
        if key == "states":
            for i, st in val.items():
                t = st.get("T_K", math.nan) - _ZERO_C
                print(
                    f"  state {i}: T = {t:8.2f} degC  p = {st['p_Pa'] / 1e5:8.3f} bar  h = {st['h_J_kg'] / 1e3:8.2f} kJ/kg"
                )
        elif isinstance(val, float):
            print(f"{key:>28s} = {val:.6g}")
        else:
            print(f"{key:>28s} = {val}")
    return 0
