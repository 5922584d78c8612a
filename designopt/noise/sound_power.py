"""A-weighted sound power of an air-source outdoor unit: fan + compressor, quiet mode.

Fan
    Specific-sound-power form (Madison/Graham; VDI 3731 Blatt 2; ASHRAE Handbook -- HVAC
    Applications, "Noise and vibration control", fan sound):

    .. math:: L_{WA,fan} = L_{Ws,A} + 10\\lg(\\dot V/1\\,\\mathrm{m^3/s}) + 20\\lg(\\Delta p/1\\,\\mathrm{Pa})

    With the fan laws (V̇ ∝ N D³, Δp ∝ ρ N² D²) this is L_W ∝ 50 lg N + 70 lg D, i.e.
    50 lg(tip speed) + 20 lg D: the classical fan law for sound power (ASHRAE). When only
    the diameter is known, Δp follows from the tip speed u = V̇/(φ π D²/4) with a flow
    coefficient φ and Δp = ψ ρ u²/2 with a pressure coefficient ψ (:func:`fan_pressure_rise`).

Compressor
    L_WA,comp = K_type + 10 lg(P/1 kW) − IL: sound power rising with 10 lg of the power (the
    usual form for machinery noise, e.g. Bies, Hansen & Howard, *Engineering Noise Control*,
    5th ed., chapter 11 [U on the constants]) minus the insertion loss IL of the compressor
    jacket and the casing. The constants are designopt assumptions [A] fitted, together with
    L_Ws,A, to certified outdoor sound power (Heat Pump Keymark, EN 12102-1; see
    ``benchmarks/bench_econ_noise.py`` and ``docs/noise.md``).

Total: energetic sum of fan and compressor.

Quiet mode: both fan and compressor run at most at a speed ratio s (fan laws: V̇ ∝ s,
Δp ∝ s², so L_fan ∝ 50 lg s; compressor power ∝ s at a fixed lift, so L_comp ∝ 10 lg s).
:func:`quiet_mode_speed_ratio` returns the largest s that meets a target L_WA; the seasonal
model applies it as a cap on the compressor speed (capacity loss).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np

from designopt._check import real
from designopt.errors import ConfigurationError

#: Default A-weighted specific sound power level of the fan, L_Ws,A [dB(A)] re 1 m³/s and 1 Pa.
#: Fitted to Keymark medians with the typical designs of :func:`typical_outdoor_unit` [A,
#: calibrated]. The generic relation L_W = 40 + 10 lg V̇ + 20 lg p (unweighted; Buffalo Forge
#: *Fan Engineering*, as given by Engineering ToolBox) A-weighted with an axial-fan spectrum is
#: about 36 dB(A): certified heat-pump fans are about 10 dB quieter (see docs/noise.md).
DEFAULT_FAN_SPECIFIC_SOUND_POWER_DBA = 26.0

#: Compressor constants K_type [dB(A)] at 1 kW, bare shell [A].
COMPRESSOR_K_DBA: dict[str, float] = {"scroll": 70.0, "rotary": 72.0, "reciprocating": 74.0}

#: Insertion loss of compressor jacket + casing [dB] [A].
DEFAULT_CASING_INSERTION_LOSS_DB = 20.0

#: Fan-law exponents on the speed ratio for quiet mode [dB per decade of speed].
FAN_SPEED_EXPONENT = 50.0
COMPRESSOR_SPEED_EXPONENT = 10.0


class CompressorType(StrEnum):
    """Hermetic compressor type."""

    SCROLL = "scroll"
    ROTARY = "rotary"
    RECIPROCATING = "reciprocating"


def _pos(name: str, value: Any, *, allow_zero: bool = False) -> np.ndarray:
    return real(name, value, lo=0.0, lo_open=not allow_zero)


def fan_pressure_rise(
    *,
    volume_flow_m3_s: Any,
    diameter_m: Any,
    flow_coefficient: float = 0.25,
    pressure_coefficient: float = 0.4,
    air_density_kg_m3: float = 1.2,
) -> np.ndarray:
    """Fan total pressure rise [Pa] from flow and diameter via tip speed.

    u = V̇ / (φ π D²/4), Δp = ψ ρ u²/2. Defaults φ = 0.25, ψ = 0.4 are typical of low-pressure
    axial fans (Cordier-diagram range) [A].
    """
    v = _pos("volume_flow_m3_s", volume_flow_m3_s)
    d = _pos("diameter_m", diameter_m)
    u = v / (flow_coefficient * np.pi * d**2 / 4.0)
    return pressure_coefficient * air_density_kg_m3 * u**2 / 2.0


def fan_tip_speed(
    *, volume_flow_m3_s: Any, diameter_m: Any, flow_coefficient: float = 0.25
) -> np.ndarray:
    """Blade tip speed u = V̇/(φ π D²/4) [m/s]."""
    v = _pos("volume_flow_m3_s", volume_flow_m3_s)
    d = _pos("diameter_m", diameter_m)
    return v / (flow_coefficient * np.pi * d**2 / 4.0)


def fan_sound_power(
    *,
    volume_flow_m3_s: Any,
    pressure_rise_Pa: Any = None,
    diameter_m: Any = None,
    n_fans: Any = 1,
    specific_sound_power_dBA: Any = DEFAULT_FAN_SPECIFIC_SOUND_POWER_DBA,
    flow_coefficient: float = 0.25,
    pressure_coefficient: float = 0.4,
    air_density_kg_m3: float = 1.2,
) -> np.ndarray:
    """A-weighted sound power of the fan(s) [dB(A)].

    Parameters
    ----------
    volume_flow_m3_s : total air flow of the unit [m³/s], shared by ``n_fans`` equal fans.
    pressure_rise_Pa : fan total pressure rise [Pa]; if None it is derived from
        ``diameter_m`` (:func:`fan_pressure_rise`).
    specific_sound_power_dBA : L_Ws,A [dB(A)].
    """
    nf = _pos("n_fans", n_fans)
    v = _pos("volume_flow_m3_s", volume_flow_m3_s) / nf
    if pressure_rise_Pa is None:
        if diameter_m is None:
            raise ConfigurationError("fan_sound_power needs pressure_rise_Pa or diameter_m")
        dp = fan_pressure_rise(
            volume_flow_m3_s=v,
            diameter_m=diameter_m,
            flow_coefficient=flow_coefficient,
            pressure_coefficient=pressure_coefficient,
            air_density_kg_m3=air_density_kg_m3,
        )
    else:
        dp = _pos("pressure_rise_Pa", pressure_rise_Pa)
    one = np.asarray(specific_sound_power_dBA, dtype=float) + 10 * np.log10(v) + 20 * np.log10(dp)
    return one + 10.0 * np.log10(nf)


def compressor_sound_power(
    *,
    power_W: Any,
    compressor_type: str = "rotary",
    casing_insertion_loss_dB: Any = DEFAULT_CASING_INSERTION_LOSS_DB,
) -> np.ndarray:
    """A-weighted sound power radiated by the compressor through the casing [dB(A)].

    L = K_type + 10 lg(P/1 kW) − IL; ``power_W`` is the compressor electric power [W].
    """
    p = _pos("power_W", power_W)
    try:
        k = COMPRESSOR_K_DBA[CompressorType(str(compressor_type).lower())]
    except ValueError:
        raise ConfigurationError(
            f"compressor_type={compressor_type!r} is unknown; valid: {[c.value for c in CompressorType]}"
        ) from None
    return k + 10.0 * np.log10(p / 1000.0) - np.asarray(casing_insertion_loss_dB, dtype=float)


def outdoor_unit_sound_power(
    *,
    volume_flow_m3_s: Any,
    compressor_power_W: Any,
    fan_diameter_m: Any = None,
    fan_pressure_rise_Pa: Any = None,
    n_fans: Any = 1,
    compressor_type: str = "rotary",
    specific_sound_power_dBA: Any = DEFAULT_FAN_SPECIFIC_SOUND_POWER_DBA,
    casing_insertion_loss_dB: Any = DEFAULT_CASING_INSERTION_LOSS_DB,
    speed_ratio: Any = 1.0,
) -> dict[str, np.ndarray]:
    """Sound power of an outdoor unit at an operating point [dB(A)].

    Parameters
    ----------
    volume_flow_m3_s : air flow at full fan speed [m³/s].
    compressor_power_W : compressor electric power at full speed [W].
    fan_diameter_m or fan_pressure_rise_Pa : see :func:`fan_sound_power`.
    speed_ratio : common fan/compressor speed ratio s ≤ 1 (quiet mode, part load) [1].

    Returns
    -------
    dict with ``total``, ``fan``, ``compressor`` [dB(A)].

    Examples
    --------
    >>> lw = outdoor_unit_sound_power(volume_flow_m3_s=0.9, compressor_power_W=2700.0,
    ...                               fan_diameter_m=0.6)
    >>> 55 < float(lw["total"]) < 63
    True
    """
    s = real("speed_ratio", speed_ratio, lo=0.0, hi=1.5, lo_open=True)
    lf = fan_sound_power(
        volume_flow_m3_s=volume_flow_m3_s,
        pressure_rise_Pa=fan_pressure_rise_Pa,
        diameter_m=fan_diameter_m,
        n_fans=n_fans,
        specific_sound_power_dBA=specific_sound_power_dBA,
    ) + FAN_SPEED_EXPONENT * np.log10(s)
    lc = compressor_sound_power(
        power_W=compressor_power_W,
        compressor_type=compressor_type,
        casing_insertion_loss_dB=casing_insertion_loss_dB,
    ) + COMPRESSOR_SPEED_EXPONENT * np.log10(s)
    return {"total": 10 * np.log10(10 ** (lf / 10) + 10 ** (lc / 10)), "fan": lf, "compressor": lc}


def quiet_mode_speed_ratio(
    *,
    target_lwa_dBA: Any,
    fan_lwa_dBA: Any,
    compressor_lwa_dBA: Any,
    speed_min: float = 0.2,
) -> dict[str, np.ndarray]:
    """Largest common speed ratio s ≤ 1 at which the unit meets ``target_lwa_dBA``.

    Solves 10 lg(10^((L_f + 50 lg s)/10) + 10^((L_c + 10 lg s)/10)) = target by vectorised
    bisection on lg s (the left side is monotonic in s).

    Parameters
    ----------
    target_lwa_dBA : wanted sound power [dB(A)].
    fan_lwa_dBA, compressor_lwa_dBA : fan and compressor sound power at full speed [dB(A)]
        (from :func:`outdoor_unit_sound_power`).
    speed_min : lowest allowed speed ratio [1].

    Returns
    -------
    dict with ``speed_ratio`` (the cap to feed into the seasonal model as the maximum compressor
    speed), ``lwa_dBA`` at that speed, ``feasible`` (False where even ``speed_min`` is too loud;
    then ``speed_ratio = speed_min``) and ``reduction_dB``.
    """
    tgt = np.asarray(target_lwa_dBA, dtype=float)
    lf = np.asarray(fan_lwa_dBA, dtype=float)
    lc = np.asarray(compressor_lwa_dBA, dtype=float)
    if not 0 < speed_min <= 1:
        raise ConfigurationError(f"speed_min={speed_min} must lie in (0, 1]")
    tgt, lf, lc = np.broadcast_arrays(tgt, lf, lc)

    def level(log_s: np.ndarray) -> np.ndarray:
        return 10 * np.log10(
            10 ** ((lf + FAN_SPEED_EXPONENT * log_s) / 10)
            + 10 ** ((lc + COMPRESSOR_SPEED_EXPONENT * log_s) / 10)
        )

    lo = np.full(tgt.shape, np.log10(speed_min))
    hi = np.zeros(tgt.shape)
    full = level(hi)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        too_loud = level(mid) > tgt
        hi = np.where(too_loud, mid, hi)
        lo = np.where(too_loud, lo, mid)
    log_s = np.where(full <= tgt, 0.0, lo)
    feasible = level(np.full(tgt.shape, np.log10(speed_min))) <= tgt + 1e-9
    s = 10**log_s
    lw = level(log_s)
    return {"speed_ratio": s, "lwa_dBA": lw, "feasible": feasible, "reduction_dB": full - lw}


def typical_outdoor_unit(heat_output_W: Any, *, cop: float = 3.0) -> dict[str, np.ndarray]:
    """A typical air/water outdoor unit of a given rated heat output, for calibration checks.

    Assumptions [A]: compressor power = Q/COP at the rating point (A7/W55, COP 3); evaporator
    heat Q(1 − 1/COP) taken by the air with a 5 K temperature drop (ρ c_p = 1.2·1006 J/(m³K));
    one equivalent fan of diameter D = 0.45 m·(Q/4 kW)^(1/3) (0.45 m at 4 kW, 0.83 m at 25 kW,
    the swept area of two 0.6 m fans). With the fan laws this gives L_fan ∝ 23 lg Q: larger
    units push more air through relatively smaller fans, which is why certified sound power
    rises faster than 10 lg Q.
    """
    q = _pos("heat_output_W", heat_output_W)
    p_comp = q / cop
    v = q * (1 - 1 / cop) / (1.2 * 1006.0 * 5.0)
    d = 0.45 * (q / 4000.0) ** (1.0 / 3.0)
    return {
        "volume_flow_m3_s": v,
        "compressor_power_W": p_comp,
        "fan_diameter_m": d,
        "n_fans": np.ones_like(q),
    }
