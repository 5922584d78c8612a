"""Physics and contract checks of designopt.ground (geometry, g-functions, simulation, sizing)."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designopt.errors import ConfigurationError, InfeasibleDesignError
from designopt.ground import (
    Borefield,
    BoreholeHeatExchanger,
    Fluid,
    FluidLimits,
    Ground,
    HourlyLoads,
    LimitReference,
    MonthlyLoads,
    PipeKind,
    compute_gfunction,
    family_for,
    fluid_temperatures,
    mean_fluid_limits,
    size_count,
    size_length,
)
from designopt.ground.gfunction import GFunctionFamily, clear_memory_cache

T0 = 273.15


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    old = os.environ.get("DESIGNOPT_CACHE_DIR")
    os.environ["DESIGNOPT_CACHE_DIR"] = str(tmp_path_factory.mktemp("gcache"))
    clear_memory_cache()
    yield
    clear_memory_cache()
    if old is None:
        os.environ.pop("DESIGNOPT_CACHE_DIR", None)
    else:
        os.environ["DESIGNOPT_CACHE_DIR"] = old


GROUND = Ground(conductivity=2.0, volumetric_heat_capacity=2.2e6, t_undisturbed=T0 + 10.0)
FIELD = Borefield.rectangle(nx=2, ny=2, spacing=6.0, H=100.0)


def seasonal_loads(*, net_mean_W: float, amplitude_W: float = 8000.0, years: int = 20):
    month = np.arange(12)
    net = net_mean_W + amplitude_W * np.cos(2 * np.pi * month / 12)
    return MonthlyLoads(
        extraction=np.clip(net, 0, None),
        injection=np.clip(-net, 0, None),
        years=years,
    )


# ----------------------------------------------------------------------------- geometry
def test_layout_counts():
    assert Borefield.rectangle(nx=3, ny=4, spacing=6, H=100).n_boreholes == 12
    assert Borefield.l_shape(nx=4, ny=3, spacing=6, H=100).n_boreholes == 6
    assert Borefield.u_shape(nx=4, ny=3, spacing=6, H=100).n_boreholes == 8
    assert Borefield.line(n=5, spacing=6, H=100).total_length == 500.0


def test_overlapping_boreholes_rejected():
    with pytest.raises(ConfigurationError, match="overlap"):
        Borefield.from_coordinates(coordinates=[[0, 0], [0.1, 0]], H=100, r_b=0.075)


@pytest.mark.parametrize("H", [-10.0, 0.0, float("nan")])
def test_non_positive_length_rejected(H):
    with pytest.raises(ConfigurationError, match="borehole length"):
        Borefield.rectangle(nx=2, ny=2, spacing=6, H=H)


def test_bad_inputs_rejected():
    with pytest.raises(ConfigurationError, match="buried depth"):
        Borefield.line(n=2, spacing=6, H=100, D=-1)
    with pytest.raises(ConfigurationError, match="kelvin"):
        Ground(conductivity=2, volumetric_heat_capacity=2e6, t_undisturbed=10.0)
    with pytest.raises(ConfigurationError, match="t_min"):
        FluidLimits(t_min=T0 + 20, t_max=T0 + 10)
    with pytest.raises(ConfigurationError, match="m_flow"):
        FluidLimits(t_min=T0, t_max=T0 + 30, reference=LimitReference.HEAT_PUMP_INLET)
    with pytest.raises(ConfigurationError, match="extraction"):
        MonthlyLoads(extraction=[-1.0] * 12, injection=[0.0] * 12)
    with pytest.raises(ConfigurationError, match="expected one of"):
        MonthlyLoads(extraction=[1.0] * 11, injection=[0.0] * 11)


def test_geothermal_gradient_uses_mid_depth():
    g = Ground(
        conductivity=2, volumetric_heat_capacity=2e6, t_undisturbed=T0 + 9, geothermal_gradient=0.03
    )
    assert g.t_ground(H=100, D=4) == pytest.approx(T0 + 9 + 0.03 * 54)


# ----------------------------------------------------------------------------- g-functions
def test_gfunction_grows_with_number_of_boreholes():
    lntts = np.array([-2.0, 0.0, 2.0])
    g = [
        family_for(Borefield.rectangle(nx=n, ny=n, spacing=6.0, H=100.0))(100.0, lntts)
        for n in (1, 2, 3)
    ]
    assert np.all(g[1] > g[0]) and np.all(g[2] > g[1])


def test_family_interpolation_matches_direct_pygfunction():
    tol_pct = 0.5  # interpolation in H and ln(t/ts), measured error ~0.15 % (docs/ground.md)
    fam = family_for(FIELD)
    lntts = np.linspace(-9.0, 3.0, 9)
    H = 137.0
    direct = compute_gfunction(FIELD.with_length(H), lntts)
    assert np.max(np.abs(fam(H, lntts) / direct - 1)) * 100 < tol_pct


def test_family_is_read_back_from_disk_without_recomputing():
    fam = family_for(FIELD)
    fam.grid_values(100.0)
    clear_memory_cache()
    fresh = GFunctionFamily(FIELD)
    fresh.grid_values(100.0)
    assert fresh.n_computed == 0


def test_short_times_follow_line_source():
    # before the grid, g is the infinite line source scaled to the first grid value
    fam = family_for(FIELD)
    g = fam(100.0, np.array([-14.0, -12.0, -10.0]))
    assert np.all(np.diff(g) > 0) and g[0] > 0


def test_scalar_time_before_grid_gives_scalar_g():
    # a scalar ln(t/ts) (or time) before the first grid point used to raise IndexError
    fam = family_for(FIELD)
    g_vec = fam(100.0, np.array([-12.0, 0.0]))
    assert float(fam(100.0, -12.0)) == pytest.approx(g_vec[0], rel=1e-12)
    assert np.ndim(fam(100.0, -12.0)) == 0
    alpha = GROUND.diffusivity
    t = 3600.0  # 1 h: far before the grid for H = 100 m
    g_t = fam.at_times(100.0, t, alpha)
    assert float(g_t) == pytest.approx(fam.at_times(100.0, np.array([t]), alpha)[0], rel=1e-12)


# ----------------------------------------------------------------------------- simulation
def test_zero_net_load_gives_no_long_term_drift():
    tol_K = 0.05
    sim = fluid_temperatures(
        borefield=FIELD, ground=GROUND, loads=seasonal_loads(net_mean_W=0.0), resistance=0.1
    )
    yearly_mean = sim.t_fluid.reshape(-1, 12).mean(axis=1)
    assert abs(yearly_mean[-1] - GROUND.t_undisturbed) < tol_K
    yearly_min = sim.t_fluid_min.reshape(-1, 12).min(axis=1)
    assert abs(yearly_min[-1] - yearly_min[4]) < tol_K


def test_heating_dominated_load_accumulates_cold():
    sim = fluid_temperatures(
        borefield=FIELD, ground=GROUND, loads=seasonal_loads(net_mean_W=3000.0), resistance=0.1
    )
    yearly_min = sim.t_fluid_min.reshape(-1, 12).min(axis=1)
    assert np.all(np.diff(yearly_min) < 0)
    assert sim.extremes()["year_min"] == 20


def test_longer_borehole_never_gives_colder_minimum():
    loads = seasonal_loads(net_mean_W=3000.0)
    mins = [
        fluid_temperatures(
            borefield=FIELD.with_length(H), ground=GROUND, loads=loads, resistance=0.1
        ).t_fluid_min.min()
        # lengths on the family's node grid (one pygfunction call each)
        for H in (GFunctionFamily.node_length(k) for k in (-6, -3, 0, 3, 5))
    ]
    assert np.all(np.diff(mins) > 0)


@settings(max_examples=12, deadline=None)
@given(
    net_kW=st.floats(-4.0, 6.0),
    amplitude_kW=st.floats(0.0, 10.0),
    k=st.integers(-4, 3),
)
def test_property_longer_borehole_is_never_colder_nor_hotter(net_kW, amplitude_kW, k):
    """On any seasonal load, one node step longer never moves the extremes away from the
    undisturbed temperature: a minimum below T_g never falls, a maximum above T_g never rises
    (node lengths: no interpolation involved)."""
    tol_K = 1e-9
    loads = seasonal_loads(net_mean_W=net_kW * 1e3, amplitude_W=amplitude_kW * 1e3, years=10)
    sims = [
        fluid_temperatures(
            borefield=FIELD.with_length(GFunctionFamily.node_length(kk)),
            ground=GROUND,
            loads=loads,
            resistance=0.1,
        )
        for kk in (k, k + 1)
    ]
    tg = GROUND.t_undisturbed
    lo = [min(s.t_fluid_min.min(), tg) for s in sims]
    hi = [max(s.t_fluid_max.max(), tg) for s in sims]
    assert lo[1] >= lo[0] - tol_K
    assert hi[1] <= hi[0] + tol_K


def test_hourly_fft_matches_pygfunction_load_aggregation():
    """The exact FFT superposition agrees with Claesson & Javed (2012) load aggregation."""
    import pygfunction as gt

    tol_K = 0.15  # the aggregation itself errs by ~1 % of the 7 K swing
    field = Borefield.rectangle(nx=1, ny=1, spacing=6.0, H=100.0)
    hours = np.arange(8760)
    q = 3000.0 * np.cos(2 * np.pi * hours / 8760) + 1500.0 * np.sin(2 * np.pi * hours / 24)
    loads = HourlyLoads(net=q, years=1)
    sim = fluid_temperatures(borefield=field, ground=GROUND, loads=loads, resistance=0.1)
    agg = gt.load_aggregation.ClaessonJaved(3600.0, 8760 * 3600.0)
    fam = family_for(field)
    t_agg = agg.get_times_for_simulation()
    g = fam.at_times(100.0, t_agg, GROUND.diffusivity)
    agg.initialize(g / (2 * math.pi * GROUND.conductivity))
    t_wall = np.empty(len(q))
    for i, qi in enumerate(q):
        agg.next_time_step((i + 1) * 3600.0)
        agg.set_current_load(np.array([qi / 100.0]))
        t_wall[i] = GROUND.t_undisturbed - float(np.ravel(agg.temporal_superposition())[0])
    assert np.max(np.abs(t_wall - sim.t_wall)) < tol_K


def test_dataset_has_units():
    sim = fluid_temperatures(
        borefield=FIELD,
        ground=GROUND,
        loads=seasonal_loads(net_mean_W=0.0, years=2),
        resistance=0.1,
    )
    ds = sim.to_dataset()
    for name in list(ds.data_vars) + list(ds.coords):
        assert "units" in ds[name].attrs and "long_name" in ds[name].attrs


# ----------------------------------------------------------------------------- resistance
def test_double_u_has_lower_resistance_than_single_u():
    fluid = Fluid(density=1030, cp=3900, viscosity=0.004, conductivity=0.45)
    kw = dict(
        r_in=0.0131,
        r_out=0.016,
        shank_spacing=0.04,
        k_pipe=0.42,
        k_grout=1.5,
        fluid=fluid,
        m_flow_borehole=0.5,
    )
    single = BoreholeHeatExchanger(kind=PipeKind.SINGLE_U, **kw)
    double = BoreholeHeatExchanger(kind=PipeKind.DOUBLE_U, **kw)
    geo = dict(H=100.0, r_b=0.075, D=4.0, k_ground=2.0)
    assert 0.02 < double.resistance(**geo) < single.resistance(**geo) < 0.3


def test_pipes_must_fit_in_borehole():
    fluid = Fluid(density=1030, cp=3900, viscosity=0.004, conductivity=0.45)
    bhe = BoreholeHeatExchanger(
        r_in=0.0131,
        r_out=0.016,
        shank_spacing=0.07,
        k_pipe=0.42,
        k_grout=1.5,
        fluid=fluid,
        m_flow_borehole=0.5,
    )
    with pytest.raises(ConfigurationError, match="do not fit"):
        bhe.resistance(H=100.0, r_b=0.075, D=4.0, k_ground=2.0)


# ----------------------------------------------------------------------------- sizing
LIMITS = FluidLimits(t_min=T0 + 0.0, t_max=T0 + 25.0)


def test_sized_length_meets_limit_exactly():
    tol_K = 0.01
    loads = seasonal_loads(net_mean_W=3000.0)
    res = size_length(borefield=FIELD, ground=GROUND, loads=loads, limits=LIMITS, resistance=0.1)
    assert res.binding_limit == "minimum" and res.binding_year == 20
    assert res.t_fluid_min == pytest.approx(LIMITS.t_min, abs=tol_K)
    sim = fluid_temperatures(
        borefield=FIELD.with_length(res.H), ground=GROUND, loads=loads, resistance=0.1
    )
    assert sim.t_fluid_min.min() >= LIMITS.t_min - tol_K


def test_grid_and_exact_gfunction_modes_agree():
    tol_pct = 0.3
    loads = seasonal_loads(net_mean_W=3000.0)
    kw = dict(borefield=FIELD, ground=GROUND, loads=loads, limits=LIMITS, resistance=0.1)
    a = size_length(gfunction="grid", **kw).H
    b = size_length(gfunction="exact", **kw).H
    assert abs(a / b - 1) * 100 < tol_pct


def test_infeasible_limits_raise_clear_error():
    loads = seasonal_loads(net_mean_W=60000.0, amplitude_W=5000.0)
    with pytest.raises(InfeasibleDesignError, match="no borehole length up to H_max"):
        size_length(
            borefield=FIELD, ground=GROUND, loads=loads, limits=LIMITS, resistance=0.1, H_max=150.0
        )


def test_heat_pump_inlet_limits_convention():
    limits = FluidLimits(
        t_min=T0, t_max=T0 + 30, reference=LimitReference.HEAT_PUMP_INLET, m_flow=2.0, cp=4000.0
    )
    tmin, tmax = mean_fluid_limits(limits, peak_extraction=16000.0, peak_injection=8000.0)
    assert tmin == pytest.approx(T0 - 1.0) and tmax == pytest.approx(T0 + 30.5)


def test_size_count_is_minimal():
    from designopt.ground.sizing import rectangle_candidates

    loads = seasonal_loads(net_mean_W=4000.0)
    kw = dict(ground=GROUND, loads=loads, limits=LIMITS, resistance=0.1)
    field, sim = size_count(H=80.0, spacing=6.0, max_boreholes=16, **kw)
    assert sim.t_fluid_min.min() >= LIMITS.t_min
    cands = rectangle_candidates(16)
    i = cands.index(field.shape)
    assert i > 0, "the load should need more than one borehole"
    nx, ny = cands[i - 1]
    smaller = Borefield.rectangle(nx=nx, ny=ny, spacing=6.0, H=80.0)
    with pytest.raises(InfeasibleDesignError):
        size_length(borefield=smaller, H_max=80.0, **kw)


def _eed_rows():
    import csv
    from pathlib import Path

    path = Path(__file__).parent / "data" / "ground_eed_rb_double_u.csv"
    with open(path) as fh:
        return [
            {k: float(v) for k, v in row.items()}
            for row in csv.DictReader(line for line in fh if not line.startswith("#"))
        ]


@pytest.mark.parametrize("row", _eed_rows(), ids=lambda r: f"m={r['m_flow_borehole_kg_per_s']}")
def test_double_u_resistance_against_eed(row):
    """Multipole Rb* agrees with EED except in fully laminar flow, where EED's laminar Nusselt
    number (and so R_fp) differs: there only the pipe-conduction part is compared."""
    tol_pct = 1.0
    fluid = Fluid(density=998.0, cp=4180.0, viscosity=1e-3, conductivity=0.568)
    bhe = BoreholeHeatExchanger(
        kind=PipeKind.DOUBLE_U,
        r_in=0.015,
        r_out=0.02,
        shank_spacing=0.05,
        k_pipe=0.4,
        k_grout=1.0,
        fluid=fluid,
        m_flow_borehole=row["m_flow_borehole_kg_per_s"],
    )
    rb = bhe.resistance(H=100.0, r_b=0.075, D=1.0, k_ground=3.0)
    if row["m_flow_borehole_kg_per_s"] < 0.1:
        import pygfunction as gt

        r_p = gt.pipes.conduction_thermal_resistance_circular_pipe(0.015, 0.02, 0.4)
        assert abs(r_p / row["R_p_mK_per_W"] - 1) * 100 < tol_pct
        assert rb < row["rb_star_mK_per_W"]  # laminar: EED's R_fp is the larger one
    else:
        assert abs(rb / row["rb_star_mK_per_W"] - 1) * 100 < tol_pct


def test_geothermal_gradient_shortens_a_heating_dominated_field():
    """With a gradient the mean undisturbed temperature over a borehole rises with its length,
    so a heating-dominated field needs less length than with the surface value everywhere."""
    loads = seasonal_loads(net_mean_W=3000.0)
    kw = dict(borefield=FIELD, loads=loads, limits=LIMITS, resistance=0.1)
    flat = size_length(ground=GROUND, **kw)
    graded = Ground(
        conductivity=GROUND.conductivity,
        volumetric_heat_capacity=GROUND.volumetric_heat_capacity,
        t_undisturbed=GROUND.t_undisturbed,
        geothermal_gradient=0.03,
    )
    res = size_length(ground=graded, **kw)
    assert res.H < flat.H
    assert res.t_fluid_min == pytest.approx(LIMITS.t_min, abs=0.01)
