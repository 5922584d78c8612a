"""The scalar fast path of solve_operating_point agrees with the vectorised solve."""

import numpy as np
import pytest
from test_cycle import C0, _random_design  # noqa: I001  (tests directory is on sys.path)

from designopt.cycle import Status, solve_arrays, solve_operating_point
from designopt.cycle._scalar import solve_scalar
from designopt.cycle.operating_point import LN_PINCH_FLOOR, MAX_ITER, TOL_RESIDUAL, TOL_STALL
from designopt.errors import DesignOptError


def test_scalar_path_matches_vector_path():
    rng = np.random.default_rng(5)
    tol_rel = 1e-6
    n_cmp = 0
    for _ in range(12):
        d = _random_design(rng)
        for _ in range(6):
            ts = float(rng.uniform(C0 - 15, C0 + 15))
            tk = ts + float(rng.uniform(15.0, 45.0))
            sp = float(rng.uniform(0.3, 1.2))
            vec = solve_arrays(d, ts, tk, sp)
            st = int(vec["status"])
            if st == Status.OK:
                op = solve_operating_point(d, t_source_K=ts, t_sink_out_K=tk, speed=sp)
                for key, val in (
                    ("heat_output", op.heat_output_W),
                    ("cop", op.cop),
                    ("t_cond", op.t_cond_K),
                    ("t_evap", op.t_evap_K),
                    ("mass_flow", op.mass_flow_kg_s),
                ):
                    assert val == pytest.approx(float(vec[key]), rel=tol_rel), key
                n_cmp += 1
            else:
                with pytest.raises(DesignOptError):
                    solve_operating_point(d, t_source_K=ts, t_sink_out_K=tk, speed=sp)
    assert n_cmp > 30


def test_scalar_solver_direct_energy_balance(request):
    from designopt.cycle import default_air_water_design

    d = default_air_water_design()
    g = solve_scalar(
        d,
        C0 + 2.0,
        C0 + 45.0,
        True,
        0.6,
        tol=TOL_RESIDUAL,
        tol_stall=TOL_STALL,
        ln_floor=LN_PINCH_FLOOR,
        max_iter=MAX_ITER,
    )
    assert g is not None
    assert g["heat_output"] == pytest.approx(g["evaporator_heat"] + g["compressor_power"], rel=1e-9)
    assert g["t_sink_out"] == pytest.approx(C0 + 45.0, abs=1e-6)
