"""Refrigerant charge from internal volumes, and charge limits (IEC 60335-2-40 style).

The charge is the sum over the refrigerant-side volumes of volume × mean density:

- heat exchangers: internal volume = area × volume-per-area of the construction
  (:data:`INTERNAL_VOLUME_PER_AREA`), split into vapour / two-phase / liquid zones by
  area fractions; the two-phase zone's mean density uses Zivi's (1964) void fraction
  α = 1 / (1 + (1−x)/x · (ρ_v/ρ_l)^(2/3)) integrated over a linear quality profile
  (Zivi S.M., J. Heat Transfer 86:247-251, doi:10.1115/1.3687113);
- liquid line (liquid at condensing conditions), suction line (vapour at evaporating
  conditions) and discharge line (vapour at condensing conditions) as tubes of given length and
  inner diameter.

Densities are plain numbers [kg/m³] supplied by the caller (from ``designopt.properties``);
this module never calls CoolProp. Oil-dissolved refrigerant and the compressor shell volume are
not modelled: add them as ``extra_kg``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from designopt._check import real
from designopt.errors import ConfigurationError

#: Refrigerant-side internal volume per heat-transfer area [m³/m²].
#: finned_air_coil: per AIR-SIDE area. Geometry: tubes of 7 mm inner diameter have
#: V/A_inner = d_i/4 = 1.75e-3 m; finned coils have air-side/inner area ratios of about 15-25
#: (1.6-2 mm fin pitch), so V/A_air ≈ 1.75e-3/20 = 8.8e-5 m³/m² [A, derived].
#: brazed_plate: per total heat-transfer area; refrigerant in every second channel of about
#: 2 mm gap, V ≈ A·b/2 = 1.0e-3 m³/m² [A, derived], consistent with manufacturers' data sheets
#: giving about 1 l per side for a 1 m² unit.
INTERNAL_VOLUME_PER_AREA: dict[str, float] = {
    "finned_air_coil": 8.8e-5,
    "brazed_plate": 1.0e-3,
}

#: Lower flammability limits [kg/m³], ISO 817:2014 / ISO 5149-1 Annex values [U: transcribed
#: from secondary tables; check the edition you certify against]. Non-flammable refrigerants
#: (R744, R410A, R134a) have no entry: no flammability charge limit applies.
LFL_KG_M3: dict[str, float] = {
    "R290": 0.038,
    "R600A": 0.043,
    "R1270": 0.046,
    "R32": 0.307,
    "R1234YF": 0.289,
    "R1234ZE(E)": 0.303,
    "R454B": 0.296,
    "R454C": 0.291,
    "R717": 0.116,
}


class InstallationHeight(StrEnum):
    """Release height class of IEC 60335-2-40 Annex GG; h0 in metres."""

    FLOOR = "floor"  # h0 = 0.6 m
    WINDOW = "window"  # h0 = 1.0 m
    WALL = "wall"  # h0 = 1.8 m
    CEILING = "ceiling"  # h0 = 2.2 m


H0_M = {
    InstallationHeight.FLOOR: 0.6,
    InstallationHeight.WINDOW: 1.0,
    InstallationHeight.WALL: 1.8,
    InstallationHeight.CEILING: 2.2,
}


def _arr(name: str, value: Any, *, positive: bool = False) -> Any:
    return real(name, value, lo=0.0, lo_open=positive)


def internal_volume(
    area_m2: Any, hx_type: str, *, volume_per_area_m3_m2: float | None = None
) -> np.ndarray:
    """Refrigerant-side internal volume [m³] of a heat exchanger of ``area_m2`` [m²]."""
    a = _arr("area_m2", area_m2)
    if volume_per_area_m3_m2 is not None:
        return a * float(volume_per_area_m3_m2)
    try:
        return a * INTERNAL_VOLUME_PER_AREA[str(hx_type)]
    except KeyError:
        raise ConfigurationError(
            f"hx_type={hx_type!r} is unknown; valid: {sorted(INTERNAL_VOLUME_PER_AREA)}"
        ) from None


_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)
_GL_T = (_GL_X + 1.0) / 2.0  # nodes mapped to [0, 1]
_GL_W_HALF = _GL_W / 2.0
_X_OUT = np.array([1.0, 0.0])  # zone outlet qualities: evaporator, condenser


def mean_two_phase_density(rho_liquid: Any, rho_vapour: Any, x_in: Any, x_out: Any) -> np.ndarray:
    """Mean density [kg/m³] of a two-phase zone with quality linear from ``x_in`` to ``x_out``.

    Zivi (1964) void fraction, 16-point Gauss-Legendre quadrature along the zone.
    """
    rl = np.asarray(_arr("rho_liquid", rho_liquid, positive=True))[..., None]
    rv = np.asarray(_arr("rho_vapour", rho_vapour, positive=True))[..., None]
    if np.max(rv - rl) >= 0:
        raise ConfigurationError("rho_vapour must be below rho_liquid (two-phase zone below Tcrit)")
    return _zivi_mean_density(rl[..., 0], rv[..., 0], x_in, x_out)[()]


def _zivi_mean_density(rl: Any, rv: Any, x_in: Any, x_out: Any) -> np.ndarray:
    """Unchecked kernel of :func:`mean_two_phase_density`."""
    rl = np.asarray(rl, dtype=float)[..., None]
    rv = np.asarray(rv, dtype=float)[..., None]
    xi = np.asarray(x_in, dtype=float)[..., None]
    xo = np.asarray(x_out, dtype=float)[..., None]
    x = xi + (xo - xi) * _GL_T
    x = np.clip(x, 1e-9, 1.0)
    alpha = 1.0 / (1.0 + (1.0 - x) / x * (rv / rl) ** (2.0 / 3.0))
    rho = alpha * rv + (1.0 - alpha) * rl
    return rho @ _GL_W_HALF


@dataclass(frozen=True)
class ChargeEstimate:
    """Refrigerant charge by part [kg]; ``total`` is the sum."""

    evaporator: np.ndarray
    condenser: np.ndarray
    liquid_line: np.ndarray
    suction_line: np.ndarray
    discharge_line: np.ndarray
    extra: np.ndarray
    total: np.ndarray


def refrigerant_charge(
    *,
    evaporator_area_m2: Any,
    condenser_area_m2: Any,
    rho_liquid_cond_kg_m3: Any,
    rho_vapour_cond_kg_m3: Any,
    rho_liquid_evap_kg_m3: Any,
    rho_vapour_evap_kg_m3: Any,
    evaporator_type: str = "finned_air_coil",
    condenser_type: str = "brazed_plate",
    evaporator_inlet_quality: Any = 0.25,
    evaporator_superheat_area_fraction: Any = 0.1,
    condenser_area_fractions: tuple[float, float, float] = (0.1, 0.8, 0.1),
    liquid_line_length_m: Any = 1.0,
    liquid_line_diameter_m: Any = 0.008,
    suction_line_length_m: Any = 1.0,
    suction_line_diameter_m: Any = 0.014,
    discharge_line_length_m: Any = 1.0,
    discharge_line_diameter_m: Any = 0.010,
    extra_kg: Any = 0.0,
) -> ChargeEstimate:
    """Estimate the refrigerant charge [kg] of a single-stage circuit.

    Parameters
    ----------
    evaporator_area_m2, condenser_area_m2 : heat-transfer areas [m²] (see
        :data:`INTERNAL_VOLUME_PER_AREA` for which side).
    rho_liquid_cond_kg_m3, rho_vapour_cond_kg_m3 : saturated densities at the condensing
        pressure [kg/m³]; rho_*_evap_kg_m3 likewise at the evaporating pressure. The
        discharge-line and condenser-desuperheating vapour density is taken as the saturated
        vapour value (slightly high: conservative for charge).
    evaporator_inlet_quality : vapour quality after expansion [1].
    evaporator_superheat_area_fraction : share of the evaporator volume holding vapour [1].
    condenser_area_fractions : shares (vapour, two-phase, liquid) of the condenser volume [1].
    *_line_length_m, *_line_diameter_m : pipe lengths and INNER diameters [m]. Defaults are a
        compact monobloc [A].
    extra_kg : anything not modelled (oil solubility, receiver, compressor shell) [kg].

    Returns
    -------
    ChargeEstimate
    """
    fv, ftp, fl = (float(f) for f in condenser_area_fractions)
    if min(fv, ftp, fl) < 0 or abs(fv + ftp + fl - 1.0) > 1e-9:
        raise ConfigurationError(
            f"condenser_area_fractions={condenser_area_fractions!r} must be >= 0 and sum to 1"
        )
    sh = real(
        "evaporator_superheat_area_fraction", evaporator_superheat_area_fraction, lo=0.0, hi=1.0
    )
    xin = real("evaporator_inlet_quality", evaporator_inlet_quality, lo=0.0, hi=0.999)
    rlc = _arr("rho_liquid_cond_kg_m3", rho_liquid_cond_kg_m3, positive=True)
    rvc = _arr("rho_vapour_cond_kg_m3", rho_vapour_cond_kg_m3, positive=True)
    rle = _arr("rho_liquid_evap_kg_m3", rho_liquid_evap_kg_m3, positive=True)
    rve = _arr("rho_vapour_evap_kg_m3", rho_vapour_evap_kg_m3, positive=True)
    v_evap = internal_volume(evaporator_area_m2, evaporator_type)
    v_cond = internal_volume(condenser_area_m2, condenser_type)
    for side, rl, rv in (("evap", rle, rve), ("cond", rlc, rvc)):
        if np.max(rv - rl) >= 0:
            raise ConfigurationError(
                f"rho_vapour_{side}_kg_m3={rv!r} must be below rho_liquid_{side}_kg_m3={rl!r}"
            )
    if (
        isinstance(rle, np.ndarray)
        or isinstance(rlc, np.ndarray)
        or isinstance(xin, np.ndarray)
        or (isinstance(rve, np.ndarray) or isinstance(rvc, np.ndarray))
    ):
        rl2 = np.stack(np.broadcast_arrays(rle, rlc), axis=-1)
        rv2 = np.stack(np.broadcast_arrays(rve, rvc), axis=-1)
        xi2 = np.stack(np.broadcast_arrays(xin, 1.0), axis=-1)
    else:  # one design: no broadcasting needed
        rl2, rv2, xi2 = np.array([rle, rlc]), np.array([rve, rvc]), np.array([xin, 1.0])
    both = _zivi_mean_density(rl2, rv2, xi2, _X_OUT)
    rho_tp_e, rho_tp_c = both[..., 0][()], both[..., 1][()]
    m_evap = v_evap * ((1.0 - sh) * rho_tp_e + sh * rve)
    m_cond = v_cond * (fv * rvc + ftp * rho_tp_c + fl * rlc)

    def tube(length: Any, d: Any, name: str) -> Any:
        return np.pi / 4.0 * _arr(f"{name}_diameter_m", d) ** 2 * _arr(f"{name}_length_m", length)

    m_ll = tube(liquid_line_length_m, liquid_line_diameter_m, "liquid_line") * rlc
    m_sl = tube(suction_line_length_m, suction_line_diameter_m, "suction_line") * rve
    m_dl = tube(discharge_line_length_m, discharge_line_diameter_m, "discharge_line") * rvc
    extra = _arr("extra_kg", extra_kg)
    total = m_evap + m_cond + m_ll + m_sl + m_dl + extra
    return ChargeEstimate(m_evap, m_cond, m_ll, m_sl, m_dl, extra + 0.0 * total, total)


_HPLIB_TYPES = {"air": "Outdoor Air/Water", "ground": "Brine/Water", "water": "Water/Water"}


@functools.lru_cache(maxsize=1)
def _hplib_charge_per_kW() -> dict[tuple[str, str], np.ndarray]:
    from hplib import hplib as _hpl  # a designopt dependency (MIT); reads one CSV

    df = _hpl.load_database()
    m = df["Mass of Refrigerant [kg]"].to_numpy(dtype=float)
    q = df["P_th_h_ref [W]"].to_numpy(dtype=float) / 1000.0
    ok = (m > 0) & (q > 0)
    table: dict[tuple[str, str], list[float]] = {}
    for t, r, v in zip(
        df["Type"][ok], df["Refrigerant"][ok], (m / np.where(q > 0, q, 1))[ok], strict=True
    ):
        table.setdefault((str(t), str(r).upper()), []).append(float(v))
    return {k: np.sort(np.array(v)) for k, v in table.items()}


def typical_charge_kg(
    *, refrigerant: str, heat_output_W: Any, source_type: str = "air", quantile: float = 0.5
) -> Any:
    """Refrigerant charge of certified products of the same refrigerant and type [kg].

    Charge per kW of heat output at hplib's reference point (``P_th_h_ref``; -7/52 °C for air
    units [U]) from the Heat Pump Keymark data collected in the ``hplib`` database (FZJ-IEK3-VSA,
    MIT licence; certificates 2016-2021), times ``heat_output_W``. The data include everything
    :func:`refrigerant_charge` does not model (compressor oil and shell, receivers,
    accumulators), so this is the realistic value to check a charge limit against when only the
    capacity is known; :func:`refrigerant_charge` responds to the design's heat-exchanger areas.

    Parameters
    ----------
    refrigerant : e.g. "R290", "R32", "R410A".
    heat_output_W : rated heat output [W].
    source_type : "air", "ground" (brine/water) or "water".
    quantile : quantile of the product distribution (0.5 = median).

    Raises
    ------
    ConfigurationError if fewer than 5 certified products match.
    """
    try:
        t = _HPLIB_TYPES[source_type]
    except KeyError:
        raise ConfigurationError(
            f"source_type={source_type!r} is unknown; valid: {sorted(_HPLIB_TYPES)}"
        ) from None
    if not 0.0 <= quantile <= 1.0:
        raise ConfigurationError(f"quantile={quantile} must lie in [0, 1]")
    table = _hplib_charge_per_kW()
    data = table.get((t, str(refrigerant).upper()))
    if data is None or data.size < 5:
        known = sorted(r for (tt, r), v in table.items() if tt == t and v.size >= 5)
        raise ConfigurationError(
            f"refrigerant={refrigerant!r} has fewer than 5 certified {source_type}-source products "
            f"with a declared charge; known: {known}"
        )
    return float(np.quantile(data, quantile)) * _arr("heat_output_W", heat_output_W) / 1000.0


def lfl_of(refrigerant: str) -> float:
    """Lower flammability limit [kg/m³]; ``inf`` for a non-flammable refrigerant.

    Uses :mod:`designopt.refrigerants` (``lfl_kg_m3``; None = non-flammable) and, for
    refrigerants it does not list, :data:`LFL_KG_M3`.
    """
    from designopt import refrigerants as _ref

    try:
        lfl = _ref.get(refrigerant).lfl_kg_m3
        return float("inf") if lfl is None else float(lfl)
    except ConfigurationError:
        pass
    key = str(refrigerant).upper()
    if key in LFL_KG_M3:
        return LFL_KG_M3[key]
    if key in {"R744", "R410A", "R134A", "R407C", "R513A"}:
        return float("inf")
    raise ConfigurationError(
        f"refrigerant={refrigerant!r} has no LFL here; known flammable: {sorted(LFL_KG_M3)}, "
        "non-flammable: R744, R410A, R134a, R407C, R513A; pass lfl_kg_m3= explicitly"
    )


def charge_limit(
    *,
    lfl_kg_m3: Any,
    room_area_m2: Any = None,
    installation: str = "floor",
    outdoor: bool = False,
) -> np.ndarray:
    """Maximum charge of a flammable refrigerant [kg], IEC 60335-2-40 style.

    Indoor (refrigerant-containing part in an occupied room), IEC 60335-2-40:2013+A1 / ed. 6
    (2018) Annex GG, clause GG.2:

    .. math:: m_\\max = 2.5\\,\\mathrm{LFL}^{5/4}\\,h_0\\,A^{1/2}

    with LFL [kg/m³], h0 [m] the release height (floor 0.6, window 1.0, wall 1.8, ceiling
    2.2), A the room floor area [m²]; the result is kept within [m1, m2] with
    m1 = 4 m³·LFL (below which no room-size limit applies) and m2 = 26 m³·LFL.

    Outdoor (``outdoor=True``: a monobloc whose refrigerant circuit is entirely outdoors),
    the room formula does not apply; the limit returned is m3 = 130 m³·LFL (4.94 kg for R290).
    For comparison, EN 378-1:2016 Annex C Table C.2 allows 5 kg of an A3 refrigerant in location
    class III (open air) with general-occupancy access (category a), 10 kg with category b [S:
    transcribed from a public implementation of Table C.2]; the two agree within 2 % for R290.
    IEC 60335-2-40 edition 7 (2022) revised Annex GG: check the edition that applies.

    Non-flammable refrigerants (``lfl_kg_m3 = inf``) return ``inf``.

    >>> round(float(charge_limit(lfl_kg_m3=0.038, room_area_m2=20.0, installation="wall")), 3)
    0.338
    """
    lfl = np.asarray(lfl_kg_m3, dtype=float)
    if np.any(~(lfl > 0)):
        raise ConfigurationError(f"lfl_kg_m3={lfl_kg_m3!r} must be > 0 (inf if non-flammable)")
    flammable = np.isfinite(lfl)
    lfl_f = np.where(flammable, lfl, 1.0)
    if outdoor:
        lim = 130.0 * lfl_f
    else:
        if room_area_m2 is None:
            raise ConfigurationError("room_area_m2 is required for an indoor charge limit")
        area = _arr("room_area_m2", room_area_m2, positive=True)
        try:
            h0 = H0_M[InstallationHeight(installation)]
        except ValueError:
            raise ConfigurationError(
                f"installation={installation!r} is unknown; valid: "
                f"{[h.value for h in InstallationHeight]}"
            ) from None
        m = 2.5 * lfl_f**1.25 * h0 * np.sqrt(area)
        lim = np.clip(m, 4.0 * lfl_f, 26.0 * lfl_f)
    return np.where(flammable, lim, np.inf)


def charge_constraint(
    charge_kg: Any, limit_kg: Any, *, user_cap_kg: Any = np.inf, scaled: bool = False
) -> np.ndarray:
    """Charge constraint ``m − min(limit, user cap)`` [kg] (≤ 0 passes); scaled by the limit
    if ``scaled``."""
    m = _arr("charge_kg", charge_kg)
    lim = np.minimum(np.asarray(limit_kg, dtype=float), np.asarray(user_cap_kg, dtype=float))
    c = m - lim
    if scaled:
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(np.isfinite(lim), c / lim, -1.0)
    return c
