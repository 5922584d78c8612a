"""``designopt noise``: sound pressure level at a neighbour, the limit and the margin.

Example::

    designopt noise --lwa-dBA 67 --distance-m 10 --reflecting-surfaces 2 --barrier none \\
        --method mcs020a --json
"""

from __future__ import annotations

import argparse
import json

NAME = "noise"
HELP = "Sound pressure level of an outdoor unit at a receiver (ISO 9613-2, MCS 020(a), MCS 020, US night)."

_METHODS = ("mcs020a", "mcs020", "iso9613", "us-night")
_BARRIERS = (
    "none",
    "solid-no-view",
    "solid-partial-view",
    "solid-full-view",
    "thin-no-view",
    "thin-partial-view",
    "thin-full-view",
)


def register(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument(
        "--lwa-dBA",
        type=float,
        required=True,
        dest="lwa_dBA",
        help="A-weighted sound power of the unit [dB(A)] (MCS: maximum declared)",
    )
    parser.add_argument(
        "--distance-m",
        type=float,
        required=True,
        dest="distance_m",
        help="distance from the unit to the assessment position [m]",
    )
    parser.add_argument(
        "--reflecting-surfaces",
        type=int,
        default=1,
        dest="reflecting_surfaces",
        help="reflecting surfaces within 1 m of the unit, ground included: 1-3 "
        "(0 = free field, iso9613/us-night only); default 1",
    )
    parser.add_argument(
        "--barrier",
        default="none",
        help=f"barrier class, one of {', '.join(_BARRIERS)}; default none",
    )
    parser.add_argument(
        "--barrier-dB",
        type=float,
        default=None,
        dest="barrier_dB",
        help="explicit barrier attenuation [dB] instead of --barrier (iso9613/us-night)",
    )
    parser.add_argument(
        "--path-difference-m",
        type=float,
        default=None,
        dest="path_difference_m",
        help="barrier path difference [m]: ISO 9613-2 D_z at 500 Hz (iso9613/us-night)",
    )
    parser.add_argument(
        "--method",
        default="mcs020a",
        help=f"assessment method, one of {', '.join(_METHODS)}; default mcs020a",
    )
    parser.add_argument(
        "--background-dBA",
        type=float,
        default=None,
        dest="background_dBA",
        help="background level [dB(A)] for --method mcs020 (default 40)",
    )
    parser.add_argument(
        "--limit-dBA",
        type=float,
        default=None,
        dest="limit_dBA",
        help="override the method's limit [dB(A)] (defaults: mcs020a 37, mcs020 42, "
        "us-night 45, iso9613 40 = WHO night guideline)",
    )
    parser.add_argument(
        "--air-absorption",
        action="store_true",
        help="include ISO 9613-2 air absorption at 500 Hz (iso9613/us-night)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args: argparse.Namespace) -> int:
    """Compute and print the level, limit and margin; exit 0 whether or not it passes."""
    from designopt.errors import ConfigurationError
    from designopt.noise.propagation import (
        AIR_ABSORPTION_500HZ_DB_PER_M,
        Method,
        iso9613_barrier_attenuation,
        parse_method,
        sound_pressure_level,
    )

    method = parse_method(args.method)
    if args.distance_m is None or not args.distance_m > 0:
        raise ConfigurationError(f"--distance-m={args.distance_m} must be > 0")
    barrier: object = args.barrier
    mcs = method in (Method.MCS020A, Method.MCS020)
    if args.barrier_dB is not None or args.path_difference_m is not None:
        if mcs:
            raise ConfigurationError(
                f"--barrier-dB/--path-difference-m do not apply to --method {method.value}; "
                f"use --barrier with one of {list(_BARRIERS)}"
            )
        if args.barrier_dB is not None and args.path_difference_m is not None:
            raise ConfigurationError("give either --barrier-dB or --path-difference-m, not both")
        if args.barrier_dB is not None:
            barrier = args.barrier_dB
        else:
            barrier = float(iso9613_barrier_attenuation(args.path_difference_m))
    if args.air_absorption and mcs:
        raise ConfigurationError(f"--air-absorption does not apply to --method {method.value}")
    res = sound_pressure_level(
        lwa_dBA=args.lwa_dBA,
        distance_m=args.distance_m,
        reflecting_surfaces=args.reflecting_surfaces,
        barrier=barrier,
        method=method,
        background_dBA=args.background_dBA,
        air_absorption_dB_per_m=AIR_ABSORPTION_500HZ_DB_PER_M if args.air_absorption else 0.0,
        limit_dBA=args.limit_dBA,
    )
    out = {
        "method": method.value,
        "lwa_dBA": args.lwa_dBA,
        "distance_m": args.distance_m,
        "reflecting_surfaces": args.reflecting_surfaces,
        "directivity_Q": 2**args.reflecting_surfaces,
        "barrier": barrier,
        "level_dBA": round(float(res["level_dBA"]), 2),
        "heat_pump_level_dBA": round(float(res["heat_pump_level_dBA"]), 2),
        "limit_dBA": float(res["limit_dBA"]),
        "margin_dB": round(float(res["margin_dB"]), 2),
        "passes": bool(float(res["margin_dB"]) <= 0),
    }
    if method is Method.MCS020:
        out["background_dBA"] = 40.0 if args.background_dBA is None else args.background_dBA
    if args.json:
        print(json.dumps(out))
    else:
        verdict = "PASS" if out["passes"] else "FAIL"
        print(
            f"{method.value}: level {out['level_dBA']:.1f} dB(A), limit {out['limit_dBA']:.1f} dB(A), "
            f"margin {out['margin_dB']:+.1f} dB -> {verdict}"
        )
    return 0
