"""Performance maps of a design over source temperature, sink outlet temperature and speed.

The Dataset follows the contract of ``docs/architecture.md`` (performance map): coordinates
``t_source`` [K], ``t_sink`` [K] (sink **outlet** water temperature) and ``speed`` [1]; data
variables ``heat_output``, ``electric_power`` (compressor + fan), ``cop``, ``evaporator_heat``,
``compressor_power``, ``fan_power``, ``t_evap``, ``t_cond``, ``t_discharge``, ``mass_flow`` and
``status`` (int8, 0 = converged, codes in ``flag_values`` / ``flag_meanings``); failed points NaN.
A vapour-injection design adds :data:`INJECTION_MAP_VARIABLES` (``mass_flow`` is then the
discharge flow, suction flow plus injected vapour).
Maps are cached in memory by the design hash, the grids and the backend.

:func:`cooling_map` is the cooling-mode counterpart for air-source designs (coordinates
``t_outdoor``, ``t_chilled`` (chilled-water outlet) and ``speed``; variables
``cooling_capacity``, ``heat_rejected``, ``electric_power``, ``eer``, ...).
"""

from __future__ import annotations

import collections

import numpy as np

from designopt.cycle.design import HeatPumpDesign
from designopt.cycle.operating_point import (
    CHILLED_WATER_DELTA_T_K,
    FLAG_MEANINGS,
    Status,
    solve_arrays,
    solve_cooling_arrays,
)
from designopt.errors import ConfigurationError

__all__ = [
    "COOLING_MAP_VARIABLES",
    "MAP_VARIABLES",
    "clear_map_cache",
    "cooling_map",
    "performance_map",
]

MAP_VARIABLES = {
    "heat_output": ("W", "heat output to the sink water (condenser heat)"),
    "electric_power": ("W", "electric power of compressor and fan (pumps not included)"),
    "cop": ("1", "coefficient of performance, heat_output / electric_power"),
    "evaporator_heat": ("W", "heat taken from the source (evaporator heat)"),
    "compressor_power": ("W", "compressor electric power"),
    "fan_power": ("W", "outdoor fan electric power"),
    "t_evap": ("K", "evaporating (dew-point) temperature"),
    "t_cond": ("K", "condensing (dew-point) temperature"),
    "t_discharge": ("K", "compressor discharge temperature"),
    "mass_flow": ("kg/s", "refrigerant mass flow"),
}

INJECTION_MAP_VARIABLES = {
    "injection_mass_flow": ("kg/s", "vapour injected at the intermediate pressure"),
    "p_intermediate": ("Pa", "intermediate (injection) pressure"),
    "economiser_heat": ("W", "heat transferred in the economiser"),
}
"""Extra map variables of a vapour-injection design (see :mod:`designopt.cycle.compressor`)."""

COOLING_MAP_VARIABLES = {
    "cooling_capacity": ("W", "cooling capacity (heat taken from the chilled water)"),
    "heat_rejected": ("W", "heat rejected to the outdoor air (condenser heat)"),
    "electric_power": ("W", "electric power of compressor and fan (pumps not included)"),
    "eer": ("1", "energy efficiency ratio, cooling_capacity / electric_power"),
    "compressor_power": ("W", "compressor electric power"),
    "fan_power": ("W", "outdoor fan electric power"),
    "t_evap": ("K", "evaporating (dew-point) temperature"),
    "t_cond": ("K", "condensing (dew-point) temperature"),
    "t_discharge": ("K", "compressor discharge temperature"),
    "mass_flow": ("kg/s", "refrigerant mass flow"),
}

_CACHE: collections.OrderedDict = collections.OrderedDict()
_CACHE_SIZE = 256


def clear_map_cache() -> None:
    """Empty the in-memory map cache."""
    _CACHE.clear()


def _grid(name: str, values) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ConfigurationError(f"{name} must be a non-empty 1-D sequence, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ConfigurationError(f"{name} must be finite numbers, got {arr.tolist()}")
    if arr.size > 1 and np.any(np.diff(arr) <= 0):
        raise ConfigurationError(f"{name} must be strictly increasing, got {arr.tolist()}")
    return arr


def performance_map(
    design: HeatPumpDesign,
    t_source_K,
    t_sink_K,
    speed,
    *,
    backend: str = "tables",
):
    """Evaluate ``design`` on the grid ``t_source_K x t_sink_K x speed``.

    Parameters
    ----------
    design : HeatPumpDesign
        The heat pump.
    t_source_K : array_like
        Source inlet temperatures [K] (outdoor air dry bulb, brine or water inlet), increasing.
    t_sink_K : array_like
        Sink water **outlet** temperatures [K], increasing.
    speed : array_like
        Compressor speeds as fractions of nominal [1], increasing.
    backend : str
        Property backend: ``"tables"`` (default: numpy tables built from CoolProp HEOS, see
        docs/cycle.md for accuracy), ``"HEOS"`` or ``"BICUBIC&HEOS"`` (direct CoolProp, slow).

    Returns
    -------
    xarray.Dataset
        See module docstring; a copy of the cached Dataset.
    """

    if not isinstance(design, HeatPumpDesign):
        raise ConfigurationError(f"design must be a HeatPumpDesign, got {type(design).__name__}")
    ts = _grid("t_source_K", t_source_K)
    tk = _grid("t_sink_K", t_sink_K)
    sp = _grid("speed", speed)
    key = (design.design_hash, ts.tobytes(), tk.tobytes(), sp.tobytes(), backend)
    if (hit := _cached(key)) is not None:
        return hit
    res = solve_arrays(
        design,
        ts[:, None, None],
        tk[None, :, None],
        sp[None, None, :],
        sink_is_outlet=True,
        backend=backend,
    )
    variables = dict(MAP_VARIABLES)
    if design.transcritical:
        variables["t_cond"] = ("K", "gas-cooler outlet temperature (transcritical R744)")
    if design.compressor.vapour_injection:
        variables["mass_flow"] = ("kg/s", "refrigerant mass flow at the compressor discharge")
        variables.update(INJECTION_MAP_VARIABLES)
    ds = _dataset(
        res,
        design,
        backend,
        variables,
        (
            ("t_source", ts, "K", "source inlet temperature"),
            ("t_sink", tk, "K", "sink outlet (supply) water temperature"),
            ("speed", sp, "1", "compressor speed as a fraction of nominal"),
        ),
    )
    return _store(key, ds)


def _dataset(res: dict, design: HeatPumpDesign, backend: str, variables: dict, axes, **attrs):
    """The map Dataset: ``variables`` of ``res`` and ``status`` on ``axes`` (name, values,
    units, long name), with the design's attrs and ``attrs``."""
    import xarray as xr

    dims = tuple(a[0] for a in axes)
    comp = design.compressor
    return xr.Dataset(
        _data_vars(res, dims, variables),
        coords={n: (n, v, {"units": u, "long_name": ln}) for n, v, u, ln in axes},
        attrs={
            "refrigerant": design.refrigerant,
            "source_type": design.source_type.value,
            "property_backend": "tables(HEOS)" if backend in ("tables", "TABLES") else backend,
            "design_hash": design.design_hash,
            "speed_min": float(comp.speed_min),
            "speed_max": float(comp.speed_max),
            **attrs,
        },
    )


def _data_vars(res: dict, dims: tuple, variables: dict) -> dict:
    out = {
        name: (dims, np.asarray(res[name], dtype=float), {"units": units, "long_name": long_name})
        for name, (units, long_name) in variables.items()
    }
    out["status"] = (
        dims,
        np.asarray(res["status"], dtype=np.int8),
        {
            "units": "1",
            "long_name": "solve status (0 = converged)",
            "flag_values": np.array([int(s) for s in Status], dtype=np.int8),
            "flag_meanings": FLAG_MEANINGS,
        },
    )
    return out


def _cached(key):
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key].copy(deep=True)
    return None


def _store(key, ds):
    _CACHE[key] = ds
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return ds.copy(deep=True)


def cooling_map(
    design: HeatPumpDesign,
    t_outdoor_K,
    t_chilled_K,
    speed,
    *,
    chilled_delta_T_K: float = CHILLED_WATER_DELTA_T_K,
    backend: str = "tables",
):
    """Evaluate an air-source ``design`` in cooling mode on ``t_outdoor_K x t_chilled_K x speed``.

    Parameters
    ----------
    design : HeatPumpDesign
        Air-source, subcritical refrigerant (see
        :func:`designopt.cycle.operating_point.solve_cooling_arrays`).
    t_outdoor_K : array_like
        Outdoor air temperatures [K], increasing.
    t_chilled_K : array_like
        Chilled-water outlet temperatures [K], increasing.
    speed : array_like
        Compressor speeds as fractions of nominal [1], increasing.
    chilled_delta_T_K : float
        Chilled-water temperature drop [K] (default 5).
    backend : str
        Property backend, as in :func:`performance_map`.

    Returns
    -------
    xarray.Dataset
        Variables of :data:`COOLING_MAP_VARIABLES` and ``status`` over
        ``(t_outdoor, t_chilled, speed)``; attrs as :func:`performance_map` plus
        ``mode = "cooling"`` and ``chilled_delta_T_K``.
    """

    if not isinstance(design, HeatPumpDesign):
        raise ConfigurationError(f"design must be a HeatPumpDesign, got {type(design).__name__}")
    to = _grid("t_outdoor_K", t_outdoor_K)
    tw = _grid("t_chilled_K", t_chilled_K)
    sp = _grid("speed", speed)
    key = ("cooling", design.design_hash, to.tobytes(), tw.tobytes(), sp.tobytes(), backend,
           float(chilled_delta_T_K))  # fmt: skip
    if (hit := _cached(key)) is not None:
        return hit
    res = solve_cooling_arrays(
        design,
        to[:, None, None],
        tw[None, :, None],
        sp[None, None, :],
        chilled_delta_T_K=chilled_delta_T_K,
        backend=backend,
    )
    ds = _dataset(
        res,
        design,
        backend,
        COOLING_MAP_VARIABLES,
        (
            ("t_outdoor", to, "K", "outdoor air temperature"),
            ("t_chilled", tw, "K", "chilled-water outlet temperature"),
            ("speed", sp, "1", "compressor speed as a fraction of nominal"),
        ),
        mode="cooling",
        chilled_delta_T_K=float(chilled_delta_T_K),
    )
    return _store(key, ds)
