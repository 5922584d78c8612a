"""Read a borefield case from TOML (schema in docs/ground.md).

Units are in the key names (``_m``, ``_degC``, ``_kWh``, ``_kW``, ``_W_per_mK`` ...); the loader
converts to SI and builds the validated :mod:`designopt.ground` objects.  A missing section or
key, or an unknown key, raises :class:`~designopt.errors.DataFormatError`; a bad value raises
the :class:`~designopt.errors.ConfigurationError` of the object that rejects it.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from designopt.errors import ConfigurationError, DataFormatError, DesignOptError

__all__ = ["BorefieldCase", "load_borefield_case", "parse_borefield_case"]

T0 = 273.15

_SCHEMA: dict[str, set[str]] = {
    "borefield": {
        "layout",
        "nx",
        "ny",
        "n",
        "spacing_m",
        "length_m",
        "buried_depth_m",
        "borehole_radius_m",
        "coordinates_m",
    },
    "ground": {
        "conductivity_W_per_mK",
        "volumetric_heat_capacity_J_per_m3K",
        "t_undisturbed_degC",
        "geothermal_gradient_K_per_m",
    },
    "borehole": {"resistance_mK_per_W", "pipe", "fluid"},
    "borehole.pipe": {
        "kind",
        "r_in_m",
        "r_out_m",
        "shank_spacing_m",
        "k_pipe_W_per_mK",
        "k_grout_W_per_mK",
        "m_flow_borehole_kg_per_s",
        "roughness_m",
    },
    "borehole.fluid": {
        "density_kg_per_m3",
        "cp_J_per_kgK",
        "viscosity_Pa_s",
        "conductivity_W_per_mK",
        "mixer",
        "percent",
        "t_degC",
    },
    "loads": {
        "years",
        "peak_duration_h",
        "extraction_kWh",
        "injection_kWh",
        "peak_extraction_kW",
        "peak_injection_kW",
        "hourly_csv",
    },
    "limits": {"t_min_degC", "t_max_degC", "reference", "m_flow_kg_per_s", "cp_J_per_kgK"},
    "sizing": {"method", "target", "H_min_m", "H_max_m", "gfunction", "max_boreholes"},
}


@dataclass(frozen=True, kw_only=True, eq=False)
class BorefieldCase:
    """A borefield case read from TOML (SI inside)."""

    borefield: Any
    ground: Any
    resistance: Any
    loads: Any
    limits: Any
    method: str = "monthly"
    target: str = "length"
    H_min: float = 20.0
    H_max: float = 400.0
    gfunction: str = "grid"
    max_boreholes: int = 400
    source: str = ""


def _section(doc: dict, name: str, required: bool = True) -> dict:
    sec = doc
    for part in name.split("."):
        sec = sec.get(part) if isinstance(sec, dict) else None
        if sec is None:
            if required:
                raise DataFormatError(f"borefield case: missing section [{name}]")
            return {}
    if not isinstance(sec, dict):
        raise DataFormatError(f"borefield case: [{name}] must be a table")
    unknown = sorted(set(sec) - _SCHEMA[name])
    if unknown:
        raise DataFormatError(
            f"borefield case: unknown key(s) {unknown} in [{name}]; valid: {sorted(_SCHEMA[name])}"
        )
    return sec


def _get(sec: dict, key: str, where: str, default=...):
    if key in sec:
        return sec[key]
    if default is ...:
        raise DataFormatError(f"borefield case: missing key {key!r} in [{where}]")
    return default


def _borefield(doc):
    from designopt.ground import Borefield

    s = _section(doc, "borefield")
    layout = str(_get(s, "layout", "borefield", "rectangle"))
    common = dict(
        H=_get(s, "length_m", "borefield", 100.0),
        D=_get(s, "buried_depth_m", "borefield", 4.0),
        r_b=_get(s, "borehole_radius_m", "borefield", 0.075),
    )
    if layout == "custom":
        return Borefield.from_coordinates(
            coordinates=_get(s, "coordinates_m", "borefield"), **common
        )
    spacing = _get(s, "spacing_m", "borefield")
    if layout == "line":
        return Borefield.line(n=_get(s, "n", "borefield"), spacing=spacing, **common)
    makers = {"rectangle": Borefield.rectangle, "L": Borefield.l_shape, "U": Borefield.u_shape}
    if layout not in makers:
        raise ConfigurationError(
            f"borefield layout={layout!r} is not one of 'rectangle', 'L', 'U', 'line', 'custom'"
        )
    return makers[layout](
        nx=_get(s, "nx", "borefield"), ny=_get(s, "ny", "borefield"), spacing=spacing, **common
    )


def _ground(doc):
    from designopt.ground import Ground

    s = _section(doc, "ground")
    return Ground(
        conductivity=_get(s, "conductivity_W_per_mK", "ground"),
        volumetric_heat_capacity=_get(s, "volumetric_heat_capacity_J_per_m3K", "ground"),
        t_undisturbed=T0 + float(_get(s, "t_undisturbed_degC", "ground")),
        geothermal_gradient=s.get("geothermal_gradient_K_per_m"),
    )


def _resistance(doc):
    from designopt.ground import BoreholeHeatExchanger, Fluid, PipeKind

    s = _section(doc, "borehole")
    if "resistance_mK_per_W" in s:
        if "pipe" in s:
            raise DataFormatError(
                "borehole case: give either borehole.resistance_mK_per_W or [borehole.pipe], "
                "not both"
            )
        return float(s["resistance_mK_per_W"])
    p = _section(doc, "borehole.pipe")
    f = _section(doc, "borehole.fluid")
    if "mixer" in f:
        fluid = Fluid.water_glycol(
            mixer=f["mixer"],
            percent=float(f.get("percent", 25.0)),
            t_K=T0 + float(f.get("t_degC", 0.0)),
        )
    else:
        fluid = Fluid(
            density=_get(f, "density_kg_per_m3", "borehole.fluid"),
            cp=_get(f, "cp_J_per_kgK", "borehole.fluid"),
            viscosity=_get(f, "viscosity_Pa_s", "borehole.fluid"),
            conductivity=_get(f, "conductivity_W_per_mK", "borehole.fluid"),
        )
    kind = str(p.get("kind", "single_u"))
    try:
        kind_enum = PipeKind(kind)
    except ValueError:
        raise ConfigurationError(
            f"borehole.pipe kind={kind!r} is not one of {[k.value for k in PipeKind]}"
        ) from None
    return BoreholeHeatExchanger(
        kind=kind_enum,
        r_in=_get(p, "r_in_m", "borehole.pipe"),
        r_out=_get(p, "r_out_m", "borehole.pipe"),
        shank_spacing=_get(p, "shank_spacing_m", "borehole.pipe"),
        k_pipe=_get(p, "k_pipe_W_per_mK", "borehole.pipe"),
        k_grout=_get(p, "k_grout_W_per_mK", "borehole.pipe"),
        fluid=fluid,
        m_flow_borehole=_get(p, "m_flow_borehole_kg_per_s", "borehole.pipe"),
        roughness=p.get("roughness_m", 1e-6),
    )


def _read_hourly_csv(path: Path) -> np.ndarray:
    if not path.exists():
        raise DataFormatError(f"hourly load file {str(path)!r} does not exist")
    with open(path, newline="") as fh:
        rows = [r for r in csv.reader(line for line in fh if not line.startswith("#")) if r]
    if not rows or rows[0][0].strip() != "net_load_kW":
        raise DataFormatError(
            f"hourly load file {str(path)!r} needs a first column 'net_load_kW' "
            "(positive = heat extracted from the ground)"
        )
    try:
        return np.array([float(r[0]) for r in rows[1:]]) * 1e3
    except ValueError as exc:
        raise DataFormatError(f"hourly load file {str(path)!r}: {exc}") from exc


def _loads(doc, base: Path, method: str):
    from designopt.ground import HourlyLoads, MonthlyLoads

    s = _section(doc, "loads")
    years = int(_get(s, "years", "loads", 20))
    peak_h = float(_get(s, "peak_duration_h", "loads", 6.0))
    if "hourly_csv" in s:
        hourly = HourlyLoads(net=_read_hourly_csv(base / s["hourly_csv"]), years=years)
        if method == "hourly":
            return hourly
        return MonthlyLoads.from_hourly(hourly, peak_duration=peak_h * 3600.0)
    return MonthlyLoads.from_energy_kWh(
        extraction_kWh=_get(s, "extraction_kWh", "loads"),
        injection_kWh=_get(s, "injection_kWh", "loads", [0.0] * 12),
        peak_extraction_kW=s.get("peak_extraction_kW"),
        peak_injection_kW=s.get("peak_injection_kW"),
        peak_duration_h=peak_h,
        years=years,
    )


def _limits(doc):
    from designopt.ground import FluidLimits, LimitReference

    s = _section(doc, "limits")
    ref = str(s.get("reference", "mean_fluid"))
    try:
        ref_enum = LimitReference(ref)
    except ValueError:
        raise ConfigurationError(
            f"limits reference={ref!r} is not one of {[r.value for r in LimitReference]}"
        ) from None
    return FluidLimits(
        t_min=T0 + float(_get(s, "t_min_degC", "limits")),
        t_max=T0 + float(_get(s, "t_max_degC", "limits")),
        reference=ref_enum,
        m_flow=s.get("m_flow_kg_per_s"),
        cp=s.get("cp_J_per_kgK"),
    )


def parse_borefield_case(
    doc: dict, *, base_dir: Path | str = ".", source: str = ""
) -> BorefieldCase:
    """Build a :class:`BorefieldCase` from a parsed TOML document."""
    unknown = sorted(set(doc) - {k for k in _SCHEMA if "." not in k})
    if unknown:
        raise DataFormatError(
            f"borefield case: unknown section(s) {unknown}; valid: "
            f"{sorted(k for k in _SCHEMA if '.' not in k)}"
        )
    sz = _section(doc, "sizing", required=False)
    method = str(sz.get("method", "monthly"))
    if method not in ("three_pulse", "monthly", "hourly"):
        raise ConfigurationError(
            f"sizing method={method!r} is not one of 'three_pulse', 'monthly', 'hourly'"
        )
    target = str(sz.get("target", "length"))
    if target not in ("length", "count"):
        raise ConfigurationError(f"sizing target={target!r} is not one of 'length', 'count'")
    only = {"length": ("H_min_m", "H_max_m", "gfunction"), "count": ("max_boreholes",)}
    for tgt, keys in only.items():
        given = [k for k in keys if k in sz]
        if target != tgt and given:
            raise ConfigurationError(
                f"[sizing] {', '.join(given)} apply to target='{tgt}' only; this case sizes "
                f"target={target!r} (remove them or change the target)"
            )
    return BorefieldCase(
        borefield=_typed("borefield", _borefield, doc),
        ground=_typed("ground", _ground, doc),
        resistance=_typed("borehole", _resistance, doc),
        loads=_typed("loads", _loads, doc, Path(base_dir), method),
        limits=_typed("limits", _limits, doc),
        method=method,
        target=target,
        H_min=_typed("sizing", float, sz.get("H_min_m", 20.0)),
        H_max=_typed("sizing", float, sz.get("H_max_m", 400.0)),
        gfunction=str(sz.get("gfunction", "grid")),
        max_boreholes=_typed("sizing", int, sz.get("max_boreholes", 400)),
        source=source,
    )


def _typed(section: str, build, *args):
    """Call ``build(*args)``; a wrongly typed value (``float("ten")``, a list for a number)
    becomes a :class:`DataFormatError` naming the section instead of a bare ValueError."""
    try:
        return build(*args)
    except DesignOptError:
        raise
    except (ValueError, TypeError) as exc:
        raise DataFormatError(f"borefield case: bad value in [{section}]: {exc}") from exc


def load_borefield_case(path: str | Path) -> BorefieldCase:
    """Read and validate a borefield case TOML file."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise DataFormatError(f"borefield case file {str(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFormatError(
            f"borefield case file {str(path)!r} is not valid TOML: {exc}"
        ) from exc
    return parse_borefield_case(doc, base_dir=path.parent, source=str(path))
