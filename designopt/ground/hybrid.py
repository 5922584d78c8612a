"""Hybrid (twin-source) air/ground heat pump: air above a switchover outdoor temperature,
ground below it.

The switchover temperature ``T_sw`` is a design variable: a higher ``T_sw`` sends more hours to
the ground (better COP in mild weather is lost, borefield grows); a lower one relieves the
borefield from the long shoulder seasons, which dominate the yearly extraction, while keeping
the cold peaks (where the air COP is worst) on the ground.  :func:`hybrid_length_saving` sizes
the borefield for each candidate ``T_sw`` with the coupled heat-pump/borefield model
(:func:`designopt.ground.coupling.size_length_coupled`) and reports the length saved against
ground-only operation.

Rule: hour ``h`` runs on the ground if ``t_outdoor[h] < T_sw``, else on air (the ground is then
idle).  Cooling, if any, is always served by the ground.
"""

from __future__ import annotations

import math

import numpy as np

from designopt.errors import ConfigurationError, InfeasibleDesignError
from designopt.ground.borehole import BoreholeHeatExchanger
from designopt.ground.coupling import operate, size_length_coupled
from designopt.ground.geometry import Borefield, Ground
from designopt.ground.sizing import FluidLimits

__all__ = ["split_hybrid", "hybrid_length_saving"]


def split_hybrid(heat_demand_W, t_outdoor_K, switchover_K: float) -> tuple[np.ndarray, np.ndarray]:
    """Split an hourly heating demand [W] into (ground, air) parts at ``switchover_K`` [K]."""
    demand = np.asarray(heat_demand_W, float)
    tout = np.asarray(t_outdoor_K, float)
    if demand.shape != tout.shape:
        raise ConfigurationError(
            f"heat_demand_W {demand.shape} and t_outdoor_K {tout.shape} must have the same shape"
        )
    if not math.isfinite(switchover_K) and switchover_K > 0:
        return demand.copy(), np.zeros_like(demand)
    if not 200.0 < switchover_K < 350.0:
        raise ConfigurationError(f"switchover_K={switchover_K!r} must be in kelvin (200-350 K)")
    on_ground = tout < switchover_K
    return np.where(on_ground, demand, 0.0), np.where(on_ground, 0.0, demand)


def hybrid_length_saving(
    *,
    borefield: Borefield,
    ground: Ground,
    resistance: float | BoreholeHeatExchanger,
    limits: FluidLimits,
    pmap_ground,
    heat_demand_W,
    t_outdoor_K,
    t_sink_K,
    switchover_K,
    m_flow: float,
    cp: float,
    years: int = 20,
    pmap_air=None,
    one_pass: bool = False,
    **size_kw,
):
    """Borehole length against the switchover temperature, and the length saved.

    Parameters
    ----------
    borefield, ground, resistance, limits : as for :func:`designopt.ground.size_length`.
    pmap_ground : xarray.Dataset  performance map of the ground (brine) side.
    heat_demand_W, t_outdoor_K : array (8760)  hourly demand [W] and outdoor temperature [K].
    t_sink_K : float or array  supply temperature [K].
    switchover_K : sequence of float  candidate switchover temperatures [K].
    m_flow, cp : total brine flow [kg/s] and its cp [J/(kg K)].
    pmap_air : xarray.Dataset, optional  air-side map (``t_source`` = outdoor air) to report
        the air and system seasonal COP.

    Returns
    -------
    xarray.Dataset
        On ``switchover`` [K]: ``borehole_length`` [m], ``total_length`` [m],
        ``length_saved`` [m] and ``length_saved_fraction`` [1] vs ground-only,
        ``ground_heat_fraction`` [1], ``ground_scop`` [1], ``feasible`` [bool];
        ``air_scop`` and ``system_scop`` [1] with ``pmap_air``.  Attribute
        ``ground_only_length_m``.  An infeasible switchover gets NaN and ``feasible = False``.
    """
    import xarray as xr

    demand = np.asarray(heat_demand_W, float)
    tout = np.asarray(t_outdoor_K, float)
    sw = np.atleast_1d(np.asarray(switchover_K, float))
    common = dict(
        ground=ground,
        resistance=resistance,
        limits=limits,
        pmap=pmap_ground,
        t_sink_K=t_sink_K,
        m_flow=m_flow,
        cp=cp,
        years=years,
        one_pass=one_pass,
        **size_kw,
    )
    res0, coupled0 = size_length_coupled(borefield=borefield, heat_demand_W=demand, **common)
    n = len(sw)
    out = {
        k: np.full(n, np.nan)
        for k in (
            "borehole_length",
            "ground_heat_fraction",
            "ground_scop",
            "air_scop",
            "system_scop",
        )
    }
    feasible = np.zeros(n, bool)
    tk_year = np.broadcast_to(np.asarray(t_sink_K, float), demand.shape)
    for i, t_sw in enumerate(sw):
        g_dem, a_dem = split_hybrid(demand, tout, float(t_sw))
        try:
            res, coupled = size_length_coupled(
                borefield=borefield.with_length(res0.H), heat_demand_W=g_dem, **common
            )
        except InfeasibleDesignError:
            continue
        feasible[i] = True
        out["borehole_length"][i] = res.H
        out["ground_heat_fraction"][i] = g_dem.sum() / max(demand.sum(), 1e-9)
        out["ground_scop"][i] = coupled.seasonal_cop
        if pmap_air is not None:
            air = operate(pmap_air, demand_W=a_dem, t_source_K=tout, t_sink_K=tk_year)
            e_air = air["electric"].sum() * years
            out["air_scop"][i] = air["heat"].sum() / max(air["electric"].sum(), 1e-9)
            out["system_scop"][i] = (coupled.heat.sum() + air["heat"].sum() * years) / max(
                coupled.electric.sum() + e_air, 1e-9
            )
    nb = borefield.n_boreholes

    def v(a, units, name):
        return ("switchover", a, {"units": units, "long_name": name})

    ds = xr.Dataset(
        {
            "borehole_length": v(out["borehole_length"], "m", "required length per borehole"),
            "total_length": v(out["borehole_length"] * nb, "m", "required total length"),
            "length_saved": v(
                (res0.H - out["borehole_length"]) * nb, "m", "total length saved vs ground-only"
            ),
            "length_saved_fraction": v(
                1.0 - out["borehole_length"] / res0.H,
                "1",
                "fraction of the ground-only length saved",
            ),
            "ground_heat_fraction": v(
                out["ground_heat_fraction"], "1", "share of the heating demand met from the ground"
            ),
            "ground_scop": v(out["ground_scop"], "1", "seasonal COP of ground operation"),
            "air_scop": v(out["air_scop"], "1", "seasonal COP of air operation"),
            "system_scop": v(out["system_scop"], "1", "seasonal COP of the hybrid system"),
            "feasible": v(feasible, "1", "a borehole length meets the limits"),
        },
        coords={
            "switchover": (
                "switchover",
                sw,
                {"units": "K", "long_name": "switchover outdoor temperature"},
            )
        },
        attrs={
            "ground_only_length_m": res0.H,
            "ground_only_total_length_m": res0.H * nb,
            "ground_only_scop": coupled0.seasonal_cop,
            "rule": "ground below the switchover outdoor temperature, air above",
        },
    )
    return ds
