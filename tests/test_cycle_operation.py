"""One map reader and one load follower (designopt.cycle.operation).

References: the bilinear reader must reproduce a map that is exactly bilinear (a physical
bound nobody here chose: bilinear interpolation is exact for f = a + b x + c y + d x y); the
EN 14825 cycling law ``COP_cyc = COP CR / (Cdh CR + 1 - Cdh)`` (EN 14825:2022, 8.5).
"""

import numpy as np
import pytest
import xarray as xr

from designopt.cycle.operation import PreparedMap, at_speeds, bilinear, follow_load, prepare_map

TS = np.array([263.15, 268.15, 273.15, 278.15])
TK = np.array([303.15, 313.15, 323.15])


def _f(x, y):
    return 1000.0 + 20.0 * (x - 263.15) - 7.0 * (y - 303.15) + 0.3 * (x - 263.15) * (y - 303.15)


def test_bilinear_is_exact_for_a_bilinear_field():
    table = _f(TS[:, None], TK[None, :])[:, :, None]
    rng = np.random.default_rng(1)
    x = rng.uniform(TS[0], TS[-1], 200)
    y = rng.uniform(TK[0], TK[-1], 200)
    assert bilinear(TS, TK, table, x, y)[:, 0] == pytest.approx(_f(x, y), rel=1e-12)


def test_outside_the_grid_reads_nan_and_grid_lines_ignore_nan_across():
    table = _f(TS[:, None], TK[None, :])[:, :, None].copy()
    table[0, 2, 0] = np.nan  # coldest source, warmest sink: outside the envelope
    out = bilinear(
        TS,
        TK,
        table,
        [TS[0] - 0.1, TS[-1] + 0.1, TS[1], 265.0, TS[1]],
        [TK[0]] * 2 + [TK[2], 320.0, 318.15],
    )
    assert np.isnan(out[0, 0]) and np.isnan(out[1, 0])  # outside the grid
    assert out[2, 0] == pytest.approx(_f(TS[1], TK[2]))  # on the grid line next to the NaN node
    assert np.isnan(out[3, 0])  # inside the cell with the NaN node
    assert out[4, 0] == pytest.approx(_f(TS[1], 318.15))  # on the source line, between sinks


def test_point_read_and_prepared_map_agree_inside_the_grid():
    speed = np.array([0.3, 0.65, 1.0])
    heat = _f(TS[:, None, None], TK[None, :, None]) * (0.5 + speed)
    power = heat / 3.0
    ds = xr.Dataset(
        {
            "heat_output": (("t_source", "t_sink", "speed"), heat),
            "electric_power": (("t_source", "t_sink", "speed"), power),
        },
        coords={"t_source": TS, "t_sink": TK, "speed": speed},
        attrs={"source_type": "ground"},
    )
    pm = prepare_map(ds)
    assert isinstance(pm, PreparedMap)
    h, p, valid, _, _ = pm.interpolate(np.array([270.0]), np.array([310.0]))
    assert valid[0]
    assert h[0] == pytest.approx(at_speeds(ds, "heat_output", 270.0, 310.0), rel=1e-12)
    # warmer source than the grid: read at the warmest source (conservative)
    h_warm, _, ok, _, _ = pm.interpolate(np.array([290.0]), np.array([310.0]))
    assert ok[0] and h_warm[0] == pytest.approx(at_speeds(ds, "heat_output", TS[-1], 310.0))
    # colder source than the grid: off
    assert not pm.interpolate(np.array([250.0]), np.array([310.0]))[2][0]


def test_follow_load_modulates_cycles_with_the_en14825_loss_and_saturates():
    speed = np.array([0.3, 1.0])
    heat = np.array([[3000.0, 9000.0]] * 3)
    power = np.array([[1000.0, 3600.0]] * 3)
    demand = np.array([1500.0, 6000.0, 12000.0])
    q, p, spd, cr = follow_load(demand, heat, power, speed, cdh=0.9)
    # cycling: CR = 0.5, COP_cyc = 3 * 0.5 / (0.45 + 0.1)
    assert q[0] == 1500.0 and cr[0] == 0.5
    assert q[0] / p[0] == pytest.approx(3.0 * 0.5 / (0.9 * 0.5 + 0.1))
    # modulating: half-way in heat output, half-way in power and speed
    assert (q[1], p[1], cr[1]) == (6000.0, pytest.approx(2300.0), 1.0)
    assert spd[1] == pytest.approx(0.65)
    # above the top speed: the largest output at its power, the shortfall is the caller's
    assert (q[2], p[2], spd[2]) == (9000.0, 3600.0, 1.0)
    # no loss at Cdh = 1
    assert follow_load(demand[:1], heat[:1], power[:1], speed, cdh=1.0)[1][0] == pytest.approx(
        500.0
    )
