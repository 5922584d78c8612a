"""The numpy property tables of the cycle solve against direct CoolProp HEOS flashes."""

import numpy as np
import pytest

from designopt.cycle.tables import CoolPropProvider, fluid_tables

FLUIDS = ("Propane", "R32", "R134a", "R410A", "Ammonia")


@pytest.mark.parametrize("fluid", FLUIDS)
def test_tables_match_heos(fluid):
    tab = fluid_tables(fluid)
    ref = CoolPropProvider(fluid, "HEOS")
    rng = np.random.default_rng(7)
    t = rng.uniform(243.15, min(343.15, tab.t_max_sat_K - 5.0), 40)
    dsh = rng.uniform(0.0, 60.0, 40)
    dsc = rng.uniform(0.0, 10.0, 40)
    tol_rel = 1e-3  # relative: pressure; enthalpy errors relative to the latent heat
    a, b = tab.saturation(t), ref.saturation(t)
    np.testing.assert_allclose(a["p"], b["p"], rtol=tol_rel)
    latent = b["h_dew"] - b["h_bub"]
    for key in ("h_dew", "h_bub"):
        assert np.max(np.abs(a[key] - b[key]) / latent) < tol_rel
    h, s, rho = tab.superheated(t, dsh)
    hr, sr, rhor = ref.superheated(t, dsh)
    assert np.max(np.abs(h - hr) / latent) < tol_rel
    np.testing.assert_allclose(rho, rhor, rtol=1e-3)
    hs = tab.subcooled_h(t, dsc)
    hsr = ref.subcooled_h(t, dsc)
    assert np.max(np.abs(hs - hsr) / latent) < tol_rel
    # isentropic discharge: superheat at the condensing pressure from the suction entropy
    tc = np.minimum(t + 30.0, tab.t_max_sat_K - 1.0)
    d_tab = tab.superheat_from_s(tc, s)
    d_ref = ref.superheat_from_s(tc, sr)
    ok = np.isfinite(d_ref) & (d_ref > 0)
    assert np.max(np.abs(d_tab[ok] - d_ref[ok])) < 0.05  # K


def test_outside_tables_is_nan():
    tab = fluid_tables("Propane")
    assert np.isnan(tab.saturation(tab.t_max_sat_K + 1.0)["p"])
    assert np.isnan(tab.superheated(tab.t_min_K - 1.0, 5.0)[0])


def test_disk_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("DESIGNOPT_CACHE_DIR", str(tmp_path))
    fluid_tables.cache_clear()
    try:
        a = fluid_tables("R32")
        fluid_tables.cache_clear()
        b = fluid_tables("R32")  # from the .npz file
        assert list(tmp_path.rglob("*.npz"))
        np.testing.assert_array_equal(a.sh, b.sh)
    finally:
        fluid_tables.cache_clear()


def test_two_processes_build_the_same_table_on_a_cold_cache(tmp_path):
    """Study workers start together on a fresh machine: both build the R290 tables at once and
    both must get them (each writes its own temporary file before the atomic rename)."""
    import os
    import subprocess
    import sys

    code = (
        "import functools, designopt.cycle.tables as t; "
        "tab = t.fluid_tables('R290'); print(tab.n_sat)"
    )
    env = {**os.environ, "DESIGNOPT_CACHE_DIR": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-500:] for o in outs]
    assert outs[0][0] == outs[1][0]
    assert not list(tmp_path.rglob("*.tmp.npz"))
