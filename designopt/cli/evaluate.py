"""``designopt evaluate CASE --set name=value ...``: one design's metrics as JSON."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

NAME = "evaluate"
HELP = (
    "evaluate one design of a case (values from --set, else the middle of the design space) as JSON"
)


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", type=Path, help="case TOML file")
    add_set_argument(p)


def add_set_argument(p: argparse.ArgumentParser) -> None:
    """``--set NAME=VALUE`` (repeatable): design values; the others the middle of the space."""
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a design variable value (repeatable; others: the middle of the design space)",
    )


def parse_sets(sets: list[str]) -> dict[str, str]:
    """``--set name=value`` strings as a dict of strings (one-line error for a bad one)."""
    from designopt.errors import ConfigurationError

    out = {}
    for s in sets:
        if "=" not in s:
            raise ConfigurationError(f"--set {s!r} must look like name=value")
        k, v = s.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def run(args: argparse.Namespace) -> int:
    from designopt.case import load_case
    from designopt.evaluate import build_problem, design_from_strings
    from designopt.search import evaluate_safely

    case = load_case(args.case)
    problem = build_problem(case)
    params = design_from_strings(case, parse_sets(args.sets))
    ev = evaluate_safely(problem, params)

    def clean(d):
        return {
            k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in d.items()
        }

    out = {
        "design": params,
        "feasible": ev.feasible,
        "failure": ev.failure,
        "objectives": clean(dict(ev.objectives)),
        "constraints": clean(dict(ev.constraints)),
        "metrics": clean(dict(ev.metrics)),
    }
    print(json.dumps(out, indent=2))
    return 0 if ev.failure is None else 3
