"""AHRI 210/240-2023 seasonal ratings: heating HSPF2 and cooling SEER2.

Bin method of ANSI/AHRI Standard 210/240-2023, section 11.2.2 (heating), for air-source heat
pumps:

* six climate regions (Table 14 of the 2023 standard): outdoor design temperature ``T_OD``,
  zero-load temperature ``T_zl`` and fractional bin hours ``n_j/N`` for 5 °F bins from 62 °F
  down to −23 °F. The fractions of the 2023 table do not sum to 1 (region IV: 0.757); as in
  EnergyPlus they are renormalised to 1. Values transcribed from the EnergyPlus source
  ``src/EnergyPlus/StandardRatings.cc`` (NREL/EnergyPlus, constants ``OutdoorDesignTemperature``,
  ``ZoneLoadTemperature``, ``FracBinHoursAtOutdoorBinTempHSPF2``), which cite the standard;
* building load line ``BL(Tj) = (T_zl − Tj)/(T_zl − T_OD) · C · Q_design`` with the slope
  (sizing) factor ``C`` of the region (Table 14: 1.10, 1.06, 1.30, 1.15, 1.16, 1.11 for
  regions I–VI; ``Cvs`` = 1.03, 0.99, 1.21, 1.07, 1.08, 1.03 for variable-speed units;
  EnergyPlus ``SpeedLoadFactor`` / ``VariableSpeedLoadFactor``);
* capacity and power of the unit at bin ``Tj`` from the H1 (47 °F), H2 (35 °F, frost) and H3
  (17 °F) tests: linear between 17 and 47 °F outside the frost band, and between 17 and 35 °F
  inside it (17 °F < Tj < 45 °F), so that the H2 defrost penalty applies to the whole band;
* cycling: ``X = min(1, BL/Q)``, part-load factor ``PLF = 1 − Cd·(1 − X)``, ``Cd`` = 0.25
  default (section 6.1.3.2.1 of the 2023 standard);
* optional low-temperature cut-out (``t_off``/``t_on``, factor δ = 0, ½, 1) and resistive
  back-up ``RH = BL − X·Q·δ``;
* ``HSPF2 = Σ BL·n_j / Σ (e_j + RH_j)`` in Btu/(W·h) (= 3.412 × the W/W ratio).

SEER2 (section 11.2.1), for units that cool (a design's cooling map, see
:func:`designopt.cycle.cooling_map`):

* eight cooling bins 67–102 °F with fractional hours 0.214, 0.231, 0.216, 0.161, 0.104, 0.052,
  0.018, 0.004 (Table 17; the same values in EnergyPlus ``CoolFracBinHoursAtOutdoorBinTemp``);
* building load ``BL(Tj) = (Tj − 65)/(95 − 65) · Q_A,full / 1.1`` (eq. 11.60, sizing factor
  1.1 of eq. 11.61);
* single-stage units: ``SEER2 = PLF(0.5) · EER_B = (1 − 0.5·Cd) · Q_B/P_B`` (eq. 11.55/11.56);
* variable-speed units: full capacity and power linear between B (82 °F) and A (95 °F), minimum
  between F (67 °F) and B (82 °F); below minimum capacity the unit cycles (``CLF = BL/Q_low``,
  ``PLF = 1 − Cd·(1 − CLF)``, eq. 11.66–11.69); between minimum and full capacity its EER is
  linear in capacity between the minimum- and full-speed EERs at the bin (simplification of
  eq. 11.101, which uses the intermediate-speed test E instead of the full-speed EER); above
  full capacity it runs at full capacity and the load is not met (eq. 11.72 ff.);
* ``SEER2 = Σ q_j / Σ e_j`` in Btu/(W·h) (eq. 11.59).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designopt.errors import ConfigurationError

ZERO_CELSIUS_K = 273.15
#: Btu per watt-hour [Btu/(W·h)].
BTU_PER_WH = 3.412141633


def degF_to_K(t_degF):
    """°F to K."""
    return (np.asarray(t_degF, dtype=float) - 32.0) * 5.0 / 9.0 + ZERO_CELSIUS_K


#: Bin temperatures of AHRI 210/240 Table 14 [°F], 62 °F down to −23 °F.
BIN_T_DEGF = np.arange(62.0, -24.0, -5.0)
_RAW_FRACTIONS = {  # AHRI 210/240-2023 Table 14 (as transcribed in EnergyPlus), from 62 °F down
    1: [0.0, 0.239, 0.194, 0.129, 0.081, 0.041, 0.019, 0.005, 0.001],
    2: [0.0, 0.0, 0.163, 0.143, 0.112, 0.088, 0.056, 0.024, 0.008, 0.002],
    3: [0.0, 0.0, 0.138, 0.137, 0.135, 0.118, 0.092, 0.047, 0.021, 0.009, 0.005, 0.002, 0.001],
    4: [0.0, 0.0, 0.103, 0.093, 0.1, 0.109, 0.126, 0.087, 0.055, 0.036, 0.026, 0.013, 0.006,
        0.002, 0.001],
    5: [0.0, 0.0, 0.086, 0.076, 0.078, 0.087, 0.102, 0.094, 0.074, 0.055, 0.047, 0.038, 0.029,
        0.018, 0.01, 0.005, 0.002, 0.001],
    6: [0.0, 0.0, 0.215, 0.204, 0.141, 0.076, 0.034, 0.008, 0.003],
}  # fmt: skip
_T_DESIGN_DEGF = {1: 37.0, 2: 27.0, 3: 17.0, 4: 5.0, 5: -10.0, 6: 30.0}
_T_ZERO_LOAD_DEGF = {1: 58.0, 2: 57.0, 3: 56.0, 4: 55.0, 5: 55.0, 6: 57.0}
#: Test temperatures [°F]: H1 (47), H2 (35, frost), H3 (17); frost band upper limit 45 °F.
T_H1_DEGF, T_H2_DEGF, T_H3_DEGF, T_FROST_MAX_DEGF = 47.0, 35.0, 17.0, 45.0
#: Relative humidity at the H2 test (35 °F dry / 33 °F wet bulb), CoolProp HAPropsSI [1].
RH_H2 = 0.819
CD_DEFAULT = 0.25
#: Heating load line slope factor C by region I–VI (Table 14; EnergyPlus ``SpeedLoadFactor``).
SLOPE_FACTOR_BY_REGION = {1: 1.10, 2: 1.06, 3: 1.30, 4: 1.15, 5: 1.16, 6: 1.11}
#: Variable-speed slope factor Cvs by region (Table 14; EnergyPlus ``VariableSpeedLoadFactor``).
SLOPE_FACTOR_VARIABLE_SPEED_BY_REGION = {1: 1.03, 2: 0.99, 3: 1.21, 4: 1.07, 5: 1.08, 6: 1.03}
#: Region IV values (the rating default).
SLOPE_FACTOR = SLOPE_FACTOR_BY_REGION[4]
SLOPE_FACTOR_VARIABLE_SPEED = SLOPE_FACTOR_VARIABLE_SPEED_BY_REGION[4]


#: Cooling bin temperatures of AHRI 210/240-2023 Table 17 [°F] and their fractional hours.
COOLING_BIN_T_DEGF = np.arange(67.0, 103.0, 5.0)
COOLING_BIN_FRACTION = np.array([0.214, 0.231, 0.216, 0.161, 0.104, 0.052, 0.018, 0.004])
#: Cooling test temperatures [°F]: A (95, full), B (82, full and minimum), F (67, minimum).
T_A_DEGF, T_B_DEGF, T_F_DEGF = 95.0, 82.0, 67.0
#: Cooling load line: zero load at 65 °F, sizing factor 1.1 (eq. 11.60/11.61).
T_COOLING_ZERO_LOAD_DEGF, SIZING_FACTOR_COOLING = 65.0, 1.1


@dataclass(frozen=True)
class Region:
    """An AHRI 210/240-2023 climate region (Table 14).

    Attributes
    ----------
    number : int
        1 … 6 (I … VI).
    t_design_K, t_zero_load_K : float
        Outdoor design and zero-load temperatures [K].
    t_bin_K : numpy.ndarray
        Bin temperatures [K] with non-zero hours.
    fraction : numpy.ndarray
        Fractional bin hours ``n_j/N`` renormalised to sum 1 [1].
    raw_fraction_sum : float
        Sum of the tabulated fractions before renormalisation [1].
    """

    number: int
    t_design_K: float
    t_zero_load_K: float
    t_bin_K: np.ndarray = field(repr=False)
    fraction: np.ndarray = field(repr=False)
    raw_fraction_sum: float = 1.0


def region(number: int = 4) -> Region:
    """AHRI 210/240-2023 heating region ``number`` (1–6; IV is the rating default)."""
    try:
        n = int(number)
    except (TypeError, ValueError):
        n = -1
    if n not in _RAW_FRACTIONS:
        raise ConfigurationError(
            f"AHRI region={number!r} is not known; valid options: 1, 2, 3, 4, 5, 6 (I-VI)"
        )
    raw = np.array(_RAW_FRACTIONS[n])
    t = BIN_T_DEGF[: raw.size]
    keep = raw > 0
    return Region(
        number=n,
        t_design_K=float(degF_to_K(_T_DESIGN_DEGF[n])),
        t_zero_load_K=float(degF_to_K(_T_ZERO_LOAD_DEGF[n])),
        t_bin_K=degF_to_K(t[keep]),
        fraction=raw[keep] / raw.sum(),
        raw_fraction_sum=float(raw.sum()),
    )


@dataclass(frozen=True)
class HSPF2Result:
    """HSPF2 and its bins.

    Attributes
    ----------
    hspf2 : float
        Heating seasonal performance factor [Btu/(W·h)].
    scop_W_per_W : float
        The same as a plain ratio of heat to electricity [1].
    region : int
    design_load_W : float
        Load at the outdoor design temperature ``C·Q_design`` [W].
    t_bin_K, fraction, load_W, capacity_W, power_W, x, plf, backup_W, electricity_W : ndarray
        Per-bin values (``electricity_W`` is the bin-hour-weighted compressor power
        ``X·P·δ/PLF``; ``backup_W`` is the resistive heat ``RH``).
    """

    hspf2: float
    scop_W_per_W: float
    region: int
    design_load_W: float
    t_bin_K: np.ndarray = field(repr=False)
    fraction: np.ndarray = field(repr=False)
    load_W: np.ndarray = field(repr=False)
    capacity_W: np.ndarray = field(repr=False)
    power_W: np.ndarray = field(repr=False)
    x: np.ndarray = field(repr=False)
    plf: np.ndarray = field(repr=False)
    backup_W: np.ndarray = field(repr=False)
    electricity_W: np.ndarray = field(repr=False)


def _three_point(t_K, v47, v35, v17):
    """AHRI 11.2.2: linear 17–47 °F outside the frost band, 17–35 °F inside it."""
    t_degF = (np.asarray(t_K) - ZERO_CELSIUS_K) * 9.0 / 5.0 + 32.0
    outside = v17 + (v47 - v17) * (t_degF - T_H3_DEGF) / (T_H1_DEGF - T_H3_DEGF)
    inside = v17 + (v35 - v17) * (t_degF - T_H3_DEGF) / (T_H2_DEGF - T_H3_DEGF)
    band = (t_degF > T_H3_DEGF) & (t_degF < T_FROST_MAX_DEGF)
    return np.where(band, inside, outside)


def _check_positive(**kw):
    for k, v in kw.items():
        if v is None:
            continue
        if not (np.isfinite(v) and v > 0):
            raise ConfigurationError(f"{k}={v} must be finite and > 0")


def _cutout(t_K, cop, t_off_K, t_on_K):
    delta = np.ones_like(t_K)
    if t_off_K is not None:
        if t_on_K is None or t_on_K < t_off_K:
            raise ConfigurationError(
                f"t_on_K={t_on_K} must be given and >= t_off_K={t_off_K} (low-temperature cut-out)"
            )
        delta = np.where(t_K <= t_off_K, 0.0, np.where(t_K <= t_on_K, 0.5, 1.0))
    return np.where(cop < 1.0, 0.0, delta)


def hspf2(
    *,
    q47_W: float,
    p47_W: float,
    q35_W: float,
    p35_W: float,
    q17_W: float,
    p17_W: float,
    region_number: int = 4,
    cd: float = CD_DEFAULT,
    slope_factor: float | None = None,
    design_capacity_W: float | None = None,
    q47_min_W: float | None = None,
    p47_min_W: float | None = None,
    q35_min_W: float | None = None,
    p35_min_W: float | None = None,
    q17_min_W: float | None = None,
    p17_min_W: float | None = None,
    t_off_K: float | None = None,
    t_on_K: float | None = None,
) -> HSPF2Result:
    """HSPF2 from the heating test points (AHRI 210/240-2023, 11.2.2).

    Parameters
    ----------
    q47_W, p47_W, q35_W, p35_W, q17_W, p17_W : float
        Full-capacity heat output and power input [W] at H1 (47 °F), H2 (35 °F, including the
        defrost penalty) and H3 (17 °F).
    region_number : int
        Climate region 1–6 (default IV).
    cd : float
        Heating degradation coefficient ``C_D^h`` [1] (default 0.25).
    slope_factor : float, optional
        Load-line sizing factor ``C`` [1]; default the region's ``C``
        (:data:`SLOPE_FACTOR_BY_REGION`, 1.15 in region IV).
    design_capacity_W : float, optional
        ``Q_design`` of the load line [W]; default ``q47_W`` (heating-only units; for units
        that also cool the standard uses the cooling capacity at A).
    q47_min_W … p17_min_W : float, optional
        Minimum-speed values: when all six are given the unit is treated as variable speed:
        below the minimum capacity it cycles at minimum speed (PLF), between minimum and full
        capacity its COP is interpolated linearly in capacity between the minimum- and
        full-speed COPs at that bin (simplification of 11.2.2.3, which uses an intermediate
        speed test), above full capacity it runs at full capacity with resistive back-up.
    t_off_K, t_on_K : float, optional
        Low-temperature cut-out and restart temperatures [K] (default: no cut-out).

    Returns
    -------
    HSPF2Result
    """
    reg = region(region_number)
    if slope_factor is None:
        slope_factor = SLOPE_FACTOR_BY_REGION[reg.number]
    _check_positive(
        q47_W=q47_W, p47_W=p47_W, q35_W=q35_W, p35_W=p35_W, q17_W=q17_W, p17_W=p17_W,
        design_capacity_W=design_capacity_W, slope_factor=slope_factor,
        q47_min_W=q47_min_W, p47_min_W=p47_min_W, q35_min_W=q35_min_W, p35_min_W=p35_min_W,
        q17_min_W=q17_min_W, p17_min_W=p17_min_W,
    )  # fmt: skip
    if not 0 <= cd <= 1:
        raise ConfigurationError(f"cd={cd} must be in [0, 1] (AHRI default 0.25)")
    mins = (q47_min_W, p47_min_W, q35_min_W, p35_min_W, q17_min_W, p17_min_W)
    variable = all(v is not None for v in mins)
    if any(v is not None for v in mins) and not variable:
        raise ConfigurationError(
            "give all six minimum-speed values (q47_min_W, p47_min_W, q35_min_W, p35_min_W, "
            "q17_min_W, p17_min_W) for a variable-speed unit, or none"
        )
    t = reg.t_bin_K
    q_design = q47_W if design_capacity_W is None else design_capacity_W
    bl = (reg.t_zero_load_K - t) / (reg.t_zero_load_K - reg.t_design_K) * slope_factor * q_design
    q = _three_point(t, q47_W, q35_W, q17_W)
    p = _three_point(t, p47_W, p35_W, p17_W)
    delta = _cutout(t, q / p, t_off_K, t_on_K)
    x = np.minimum(bl / q, 1.0)
    plf = 1.0 - cd * (1.0 - x)
    elec = x * p * delta / plf
    rh = bl - x * q * delta
    if variable:
        qmin = _three_point(t, q47_min_W, q35_min_W, q17_min_W)
        pmin = _three_point(t, p47_min_W, p35_min_W, p17_min_W)
        cop_min, cop_max = qmin / pmin, q / p
        below = bl <= qmin
        between = (bl > qmin) & (bl < q)
        x_min = np.minimum(bl / qmin, 1.0)
        plf_min = 1.0 - cd * (1.0 - x_min)
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.clip((bl - qmin) / (q - qmin), 0.0, 1.0)
        cop_mid = cop_min + w * (cop_max - cop_min)
        elec = np.where(
            below, x_min * pmin * delta / plf_min, np.where(between, bl / cop_mid * delta, elec)
        )
        rh = np.where(below | between, bl * (1.0 - delta), rh)
        x = np.where(below, x_min, x)
        plf = np.where(below, plf_min, np.where(between, 1.0, plf))
    f = reg.fraction
    ratio = float((bl * f).sum() / ((elec + rh) * f).sum())
    return HSPF2Result(
        hspf2=ratio * BTU_PER_WH,
        scop_W_per_W=ratio,
        region=reg.number,
        design_load_W=float(slope_factor * q_design),
        t_bin_K=t,
        fraction=f,
        load_W=bl,
        capacity_W=q,
        power_W=p,
        x=x,
        plf=plf,
        backup_W=rh,
        electricity_W=elec,
    )


def hspf2_from_map(
    pmap,
    *,
    region_number: int = 4,
    t_sink_K: float = 308.15,
    cd: float = CD_DEFAULT,
    slope_factor: float | None = None,
    variable_speed: bool = True,
    defrost="default",
    design_capacity_W: float | None = None,
) -> HSPF2Result:
    """HSPF2 of an air-source design from its performance map.

    The H1/H2/H3 points are read from the map at maximum speed (and minimum speed when
    ``variable_speed``) and the sink (condenser-side outlet) temperature ``t_sink_K``
    (default 35 °C; AHRI 210/240 rates air-to-air units, so for a water-sink design this is a
    proxy, stated in ``docs/hspf2.md``). The H2 point carries the defrost factors at 35 °F and
    the H2 test humidity (``defrost``: ``"default"`` =
    :func:`designopt.seasonal.defrost.defrost_factors`, ``None`` or a callable
    ``f(t_air_K, rh) -> (capacity_factor, power_factor)``).
    """
    from designopt.seasonal.en14825 import MapArrays

    m = MapArrays.from_dataset(pmap)
    if m.source_type != "air":
        raise ConfigurationError(
            f"HSPF2 (AHRI 210/240) rates air-source units; map source_type={m.source_type!r}"
        )
    if defrost == "default":
        from designopt.seasonal.defrost import defrost_factors as defrost
    elif defrost is not None and not callable(defrost):
        raise ConfigurationError(
            f"defrost={defrost!r} must be 'default', None or a callable f(t_air_K, rh)"
        )
    t = degF_to_K([T_H1_DEGF, T_H2_DEGF, T_H3_DEGF])
    q, p, _ = m.at(t, np.full(3, float(t_sink_K)))
    if defrost is not None:
        fq, fp = defrost(np.array([t[1]]), np.array([RH_H2]))
        q[1] *= float(np.asarray(fq).ravel()[0])
        p[1] *= float(np.asarray(fp).ravel()[0])
    valid = np.isfinite(q) & np.isfinite(p)
    if not valid[:, -1].all() or (variable_speed and not valid[:, 0].all()):
        raise ConfigurationError(
            f"the performance map has no valid point at one of the AHRI test temperatures "
            f"47/35/17 °F with t_sink_K={t_sink_K}; extend the map"
        )
    kw = {}
    if variable_speed:
        kw = dict(
            q47_min_W=q[0, 0], p47_min_W=p[0, 0], q35_min_W=q[1, 0], p35_min_W=p[1, 0],
            q17_min_W=q[2, 0], p17_min_W=p[2, 0],
        )  # fmt: skip
    if slope_factor is None:
        n = region(region_number).number
        table = SLOPE_FACTOR_VARIABLE_SPEED_BY_REGION if variable_speed else SLOPE_FACTOR_BY_REGION
        slope_factor = table[n]
    return hspf2(
        q47_W=q[0, -1], p47_W=p[0, -1], q35_W=q[1, -1], p35_W=p[1, -1], q17_W=q[2, -1],
        p17_W=p[2, -1], region_number=region_number, cd=cd, slope_factor=slope_factor,
        design_capacity_W=design_capacity_W, **kw,
    )  # fmt: skip


@dataclass(frozen=True)
class SEER2Result:
    """SEER2 and its bins.

    Attributes
    ----------
    seer2 : float
        Seasonal energy efficiency ratio [Btu/(W·h)].
    seer_W_per_W : float
        The same as a plain ratio of cooling to electricity [1].
    eer2_a : float
        EER at A (95 °F, full capacity) [Btu/(W·h)].
    variable_speed : bool
    design_load_W : float
        Load at 95 °F, ``Q_A/1.1`` [W].
    t_bin_K, fraction, load_W, capacity_W, power_W, capacity_min_W, power_min_W, plf,
    delivered_W, electricity_W : numpy.ndarray
        Per-bin values (``delivered_W``/``electricity_W``: cooling delivered and electric power
        averaged over the bin's hours; minimum-speed values NaN for single-stage units).
    """

    seer2: float
    seer_W_per_W: float
    eer2_a: float
    variable_speed: bool
    design_load_W: float
    t_bin_K: np.ndarray = field(repr=False)
    fraction: np.ndarray = field(repr=False)
    load_W: np.ndarray = field(repr=False)
    capacity_W: np.ndarray = field(repr=False)
    power_W: np.ndarray = field(repr=False)
    capacity_min_W: np.ndarray = field(repr=False)
    power_min_W: np.ndarray = field(repr=False)
    plf: np.ndarray = field(repr=False)
    delivered_W: np.ndarray = field(repr=False)
    electricity_W: np.ndarray = field(repr=False)


def _two_point(t_degF, t1, v1, t2, v2):
    return v1 + (v2 - v1) * (t_degF - t1) / (t2 - t1)


def seer2(
    *,
    qa_W: float,
    pa_W: float,
    qb_W: float,
    pb_W: float,
    cd: float = CD_DEFAULT,
    qb_min_W: float | None = None,
    pb_min_W: float | None = None,
    qf_min_W: float | None = None,
    pf_min_W: float | None = None,
) -> SEER2Result:
    """SEER2 from the cooling test points (AHRI 210/240-2023, 11.2.1).

    Parameters
    ----------
    qa_W, pa_W, qb_W, pb_W : float
        Full-capacity cooling capacity and power input [W] at A (95 °F) and B (82 °F).
    cd : float
        Cooling degradation coefficient ``C_D^c`` [1] (default 0.25).
    qb_min_W, pb_min_W, qf_min_W, pf_min_W : float, optional
        Minimum-speed capacity and power at B (82 °F) and F (67 °F): when all four are given
        the unit is rated as variable speed (see the module docstring), otherwise as single
        stage.

    Returns
    -------
    SEER2Result
    """
    _check_positive(
        qa_W=qa_W, pa_W=pa_W, qb_W=qb_W, pb_W=pb_W, qb_min_W=qb_min_W, pb_min_W=pb_min_W,
        qf_min_W=qf_min_W, pf_min_W=pf_min_W,
    )  # fmt: skip
    if not 0 <= cd <= 1:
        raise ConfigurationError(f"cd={cd} must be in [0, 1] (AHRI default 0.25)")
    mins = (qb_min_W, pb_min_W, qf_min_W, pf_min_W)
    variable = all(v is not None for v in mins)
    if any(v is not None for v in mins) and not variable:
        raise ConfigurationError(
            "give all four minimum-speed values (qb_min_W, pb_min_W, qf_min_W, pf_min_W) for a "
            "variable-speed unit, or none"
        )
    t = COOLING_BIN_T_DEGF
    f = COOLING_BIN_FRACTION
    bl = (
        (t - T_COOLING_ZERO_LOAD_DEGF)
        / (T_A_DEGF - T_COOLING_ZERO_LOAD_DEGF)
        * qa_W
        / SIZING_FACTOR_COOLING
    )
    q = _two_point(t, T_B_DEGF, qb_W, T_A_DEGF, qa_W)
    p = _two_point(t, T_B_DEGF, pb_W, T_A_DEGF, pa_W)
    nan = np.full(t.shape, np.nan)
    if variable:
        qmin = _two_point(t, T_F_DEGF, qf_min_W, T_B_DEGF, qb_min_W)
        pmin = _two_point(t, T_F_DEGF, pf_min_W, T_B_DEGF, pb_min_W)
        clf = np.minimum(bl / qmin, 1.0)
        plf_min = 1.0 - cd * (1.0 - clf)
        eer_min, eer_max = qmin / pmin, q / p
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.clip((bl - qmin) / (q - qmin), 0.0, 1.0)
        eer_mid = eer_min + w * (eer_max - eer_min)
        below, above = bl <= qmin, bl >= q
        delivered = np.where(above, q, bl)
        elec = np.where(below, clf * pmin / plf_min, np.where(above, p, bl / eer_mid))
        plf = np.where(below, plf_min, 1.0)
        ratio = float((delivered * f).sum() / (elec * f).sum())
    else:
        x = np.minimum(bl / q, 1.0)
        plf = 1.0 - cd * (1.0 - x)
        delivered = x * q
        elec = x * p / plf
        qmin = pmin = nan
        ratio = (1.0 - 0.5 * cd) * qb_W / pb_W  # eq. 11.55/11.56
    return SEER2Result(
        seer2=ratio * BTU_PER_WH,
        seer_W_per_W=ratio,
        eer2_a=qa_W / pa_W * BTU_PER_WH,
        variable_speed=variable,
        design_load_W=float(qa_W / SIZING_FACTOR_COOLING),
        t_bin_K=degF_to_K(t),
        fraction=f.copy(),
        load_W=bl,
        capacity_W=q,
        power_W=p,
        capacity_min_W=qmin,
        power_min_W=pmin,
        plf=plf,
        delivered_W=delivered,
        electricity_W=elec,
    )


def seer2_from_map(
    cmap,
    *,
    t_chilled_K: float = 280.15,
    cd: float = CD_DEFAULT,
    variable_speed: bool = True,
) -> SEER2Result:
    """SEER2 of an air-source design from its cooling map (:func:`designopt.cycle.cooling_map`).

    The A/B points are read at maximum speed (and B/F at minimum speed when ``variable_speed``)
    by bilinear interpolation in outdoor temperature and chilled-water outlet temperature
    ``t_chilled_K`` (default 7 °C). AHRI 210/240 rates air-to-air units with 80 °F indoor air;
    for a water-evaporator design this is a proxy for comparing designs, stated in
    ``docs/hspf2.md``.
    """
    if getattr(cmap, "attrs", {}).get("mode") != "cooling":
        raise ConfigurationError(
            "seer2_from_map needs a cooling map (designopt.cycle.cooling_map); got a Dataset "
            f"with mode={getattr(cmap, 'attrs', {}).get('mode')!r}"
        )
    t_out = degF_to_K([T_A_DEGF, T_B_DEGF, T_F_DEGF])
    lo, hi = float(cmap.t_outdoor.min()), float(cmap.t_outdoor.max())
    wlo, whi = float(cmap.t_chilled.min()), float(cmap.t_chilled.max())
    if t_out.min() < lo or t_out.max() > hi or not wlo <= t_chilled_K <= whi:
        raise ConfigurationError(
            f"the cooling map must cover the AHRI test temperatures 67–95 °F "
            f"({t_out.min():.2f}–{t_out.max():.2f} K) and t_chilled_K={t_chilled_K}; it spans "
            f"t_outdoor {lo:.2f}–{hi:.2f} K, t_chilled {wlo:.2f}–{whi:.2f} K"
        )

    t_o = cmap.t_outdoor.values
    t_w = cmap.t_chilled.values

    def at(speed_index, var):
        """Bilinear in (t_outdoor, t_chilled) at one speed (numpy; NaN-propagating)."""
        grid = np.asarray(cmap[var].transpose("t_outdoor", "t_chilled", "speed").values)
        col = grid[:, :, speed_index]
        j = int(np.clip(np.searchsorted(t_w, t_chilled_K) - 1, 0, max(t_w.size - 2, 0)))
        if t_w.size > 1:
            w = (t_chilled_K - t_w[j]) / (t_w[j + 1] - t_w[j])
            row = col[:, j] * (1.0 - w) + col[:, j + 1] * w
        else:
            row = col[:, 0]
        i = np.clip(np.searchsorted(t_o, t_out) - 1, 0, t_o.size - 2)
        v = (t_out - t_o[i]) / (t_o[i + 1] - t_o[i])
        return row[i] * (1.0 - v) + row[i + 1] * v

    q_max, p_max = at(-1, "cooling_capacity"), at(-1, "electric_power")
    q_min, p_min = at(0, "cooling_capacity"), at(0, "electric_power")
    need = [q_max[:2], p_max[:2]] + ([q_min[1:], p_min[1:]] if variable_speed else [])
    if not all(np.isfinite(v).all() for v in need):
        raise ConfigurationError(
            f"the cooling map has no valid point at one of the AHRI test temperatures 95/82/67 "
            f"°F with t_chilled_K={t_chilled_K} (failed solves); see its status variable"
        )
    kw = {}
    if variable_speed:
        kw = dict(qb_min_W=q_min[1], pb_min_W=p_min[1], qf_min_W=q_min[2], pf_min_W=p_min[2])
    return seer2(qa_W=q_max[0], pa_W=p_max[0], qb_W=q_max[1], pb_W=p_max[1], cd=cd, **kw)
