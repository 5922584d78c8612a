"""EN 14825 reference heating seasons (Average, Colder, Warmer).

The data are those of EN 14825:2018/2022, Annex (reference heating seasons, bin hours) and
Commission Regulation (EU) No 813/2013, Annex III, Table 4 (heating season hours per operating
mode, off-mode hours):

* bins ``Tj`` [°C] in 1 K steps from the design temperature ``Tdesignh`` to +15 °C with the
  hours ``hj`` of each bin; ``sum(hj * pl(Tj))`` reproduces the equivalent active-mode hours
  ``H_HE`` = 2066 / 2465 / 1336 h (a test checks it);
* the part-load ratio ``pl(Tj) = (Tj - 16) / (Tdesignh - 16)``;
* the hours of the thermostat-off, standby, crankcase-heater and off modes (``H_TO``, ``H_SB``,
  ``H_CK``, ``H_OFF``) for heating-only units and the reduced set charged to reversible units
  (see :func:`off_mode_hours` and ``docs/seasonal_en14825.md``);
* the variable outlet (flow) water temperatures at the test points for the low-temperature
  (35 °C) and medium-temperature (55 °C) applications; bins in between are interpolated
  linearly in ``Tj`` (EN 14825:2018, 'variable outlet' conditions of the part-load tables).

Temperatures are stored in kelvin (SI inside); the ``*_degC`` helpers are for the edges.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from designopt.enums import Climate
from designopt.errors import ConfigurationError

ZERO_CELSIUS_K = 273.15
#: Temperature where the EN 14825 heating load line reaches zero [°C].
T_ZERO_LOAD_DEGC = 16.0


class Application(enum.IntEnum):
    """EN 14825 application: design flow temperature [°C] of the heating water."""

    LOW_TEMPERATURE = 35
    MEDIUM_TEMPERATURE = 55


def _as_climate(climate: Climate | str) -> Climate:
    try:
        return Climate(str(climate).lower())
    except ValueError:
        raise ConfigurationError(
            f"climate={climate!r} is not an EN 14825 reference season; "
            f"valid options: {[c.value for c in Climate]}"
        ) from None


def _as_application(application_degC: int | float | Application) -> Application:
    try:
        return Application(int(round(float(application_degC))))
    except (ValueError, TypeError):
        raise ConfigurationError(
            f"application_degC={application_degC!r} is not an EN 14825 application; "
            f"valid options: {[a.value for a in Application]}"
        ) from None


@dataclass(frozen=True)
class ReferenceSeason:
    """One EN 14825 reference heating season.

    Attributes
    ----------
    climate : Climate
    t_design_K : float
        Reference design temperature ``Tdesignh`` [K].
    t_bin_K : numpy.ndarray
        Bin temperatures ``Tj`` [K], 1 K apart, from ``Tdesignh`` to +15 °C.
    hours_h : numpy.ndarray
        Bin hours ``hj`` [h].
    h_he_h : float
        Equivalent active-mode hours ``H_HE`` [h] (EN 14825 / Regulation 813/2013).
    off_hours_heating_only_h : dict
        ``{"TO", "SB", "CK", "OFF"}`` hours [h] for heating-only units.
    off_hours_reversible_h : dict
        The same for reversible units.
    test_points_degC : dict
        Named test points [°C] with their fixed temperatures: ``A`` −7 (not Warmer),
        ``B`` +2, ``C`` +7, ``D`` +12, ``G`` −15 (Colder only).
    flow_temperature_degC : dict
        ``{35: {T_degC: flow_degC}, 55: {...}}`` variable-outlet water temperatures at the
        design point and the test points.
    """

    climate: Climate
    t_design_K: float
    t_bin_K: np.ndarray = field(repr=False)
    hours_h: np.ndarray = field(repr=False)
    h_he_h: float
    off_hours_heating_only_h: dict = field(repr=False)
    off_hours_reversible_h: dict = field(repr=False)
    test_points_degC: dict = field(repr=False)
    flow_temperature_degC: dict = field(repr=False)

    @property
    def t_design_degC(self) -> float:
        """``Tdesignh`` [°C]."""
        return self.t_design_K - ZERO_CELSIUS_K

    @property
    def t_bin_degC(self) -> np.ndarray:
        """Bin temperatures [°C]."""
        return self.t_bin_K - ZERO_CELSIUS_K

    def part_load(self, t_K):
        """EN 14825 part-load ratio ``pl = (Tj − 16 °C)/(Tdesignh − 16 °C)`` [1]."""
        t_degC = np.asarray(t_K, dtype=float) - ZERO_CELSIUS_K
        return (t_degC - T_ZERO_LOAD_DEGC) / (self.t_design_degC - T_ZERO_LOAD_DEGC)

    def flow_temperature_K(self, t_K, application_degC: int = 35):
        """Variable-outlet flow water temperature [K] at outdoor temperature ``t_K`` [K].

        Linear interpolation in outdoor temperature between the design point and the
        test points of the application; beyond +12 °C the last segment (C–D) is extrapolated
        and the result is clipped to [20 °C, design flow temperature]; below ``Tdesignh`` the
        design flow temperature is used.
        """
        app = _as_application(application_degC)
        table = self.flow_temperature_degC[int(app)]
        xs = np.array(sorted(table))
        ys = np.array([table[x] for x in xs])
        t_degC = np.asarray(t_K, dtype=float) - ZERO_CELSIUS_K
        flow = np.interp(t_degC, xs, ys)
        above = t_degC > xs[-1]
        slope = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
        flow = np.where(above, ys[-1] + slope * (t_degC - xs[-1]), flow)
        flow = np.clip(flow, 20.0, float(int(app)))
        return flow + ZERO_CELSIUS_K


def off_mode_hours(climate: Climate | str, *, reversible: bool) -> dict:
    """Off-mode hours [h] ``{"TO", "SB", "CK", "OFF"}`` charged to a unit.

    Heating-only units: Regulation (EU) 813/2013, Annex III, Table 4. Reversible units are
    charged only the heating-season thermostat-off hours (``H_TO = H_CK``, ``H_SB = H_OFF = 0``),
    the convention that reproduces Keymark certificates (see ``docs/seasonal_en14825.md``).
    """
    season = reference_season(climate)
    src = season.off_hours_reversible_h if reversible else season.off_hours_heating_only_h
    return dict(src)


def _season(climate, t_design_degC, hours, h_he, off_heat, off_rev, points, flow35, flow55):
    n = len(hours)
    t_bins = t_design_degC + np.arange(n, dtype=float)
    assert t_bins[-1] == 15.0
    hours_arr = np.asarray(hours, dtype=float)
    t_bins_K = t_bins + ZERO_CELSIUS_K
    hours_arr.setflags(write=False)
    t_bins_K.setflags(write=False)
    return ReferenceSeason(
        climate=climate,
        t_design_K=t_design_degC + ZERO_CELSIUS_K,
        t_bin_K=t_bins_K,
        hours_h=hours_arr,
        h_he_h=h_he,
        off_hours_heating_only_h=dict(zip(("TO", "SB", "CK", "OFF"), off_heat, strict=True)),
        off_hours_reversible_h=dict(zip(("TO", "SB", "CK", "OFF"), off_rev, strict=True)),
        test_points_degC=points,
        flow_temperature_degC={35: flow35, 55: flow55},
    )


_SEASONS = {
    Climate.AVERAGE: _season(
        Climate.AVERAGE,
        -10.0,
        # Tj = -10 ... +15 °C
        [
            1,
            25,
            23,
            24,
            27,
            68,
            91,
            89,
            165,
            173,
            240,
            280,
            320,
            357,
            356,
            303,
            330,
            326,
            348,
            335,
            315,
            215,
            169,
            151,
            105,
            74,
        ],
        2066.0,
        (179, 0, 3851, 3672),
        (179, 0, 179, 0),
        {"A": -7.0, "B": 2.0, "C": 7.0, "D": 12.0},
        {-10.0: 35.0, -7.0: 34.0, 2.0: 30.0, 7.0: 27.0, 12.0: 24.0},
        {-10.0: 55.0, -7.0: 52.0, 2.0: 42.0, 7.0: 36.0, 12.0: 30.0},
    ),
    Climate.COLDER: _season(
        Climate.COLDER,
        -22.0,
        # Tj = -22 ... +15 °C
        [
            1,
            6,
            13,
            17,
            19,
            26,
            39,
            41,
            35,
            52,
            37,
            41,
            43,
            54,
            90,
            125,
            169,
            195,
            278,
            306,
            454,
            385,
            490,
            533,
            380,
            228,
            261,
            279,
            229,
            269,
            233,
            230,
            243,
            191,
            146,
            150,
            97,
            61,
        ],
        2465.0,
        (131, 0, 2944, 2189),
        (131, 0, 131, 0),
        {"G": -15.0, "A": -7.0, "B": 2.0, "C": 7.0, "D": 12.0},
        {-22.0: 35.0, -15.0: 32.0, -7.0: 30.0, 2.0: 27.0, 7.0: 25.0, 12.0: 24.0},
        {-22.0: 55.0, -15.0: 49.0, -7.0: 44.0, 2.0: 37.0, 7.0: 32.0, 12.0: 28.0},
    ),
    Climate.WARMER: _season(
        Climate.WARMER,
        2.0,
        # Tj = +2 ... +15 °C
        [3, 22, 63, 63, 175, 162, 259, 360, 428, 430, 503, 444, 384, 294],
        1336.0,
        (755, 0, 4476, 4345),
        (755, 0, 755, 0),
        {"B": 2.0, "C": 7.0, "D": 12.0},
        {2.0: 35.0, 7.0: 31.0, 12.0: 26.0},
        {2.0: 55.0, 7.0: 46.0, 12.0: 34.0},
    ),
}


def reference_season(climate: Climate | str) -> ReferenceSeason:
    """Return the EN 14825 reference season ``climate`` (``average``, ``colder``, ``warmer``)."""
    return _SEASONS[_as_climate(climate)]


#: Union of all bins, −22 … +15 °C, used by the vectorised rating route [°C].
ALL_BINS_DEGC = np.arange(-22.0, 16.0)


def hours_on_all_bins(climate: Climate | str) -> np.ndarray:
    """Bin hours [h] of ``climate`` laid on :data:`ALL_BINS_DEGC` (zero outside its range)."""
    season = reference_season(climate)
    out = np.zeros(ALL_BINS_DEGC.size)
    start = int(season.t_design_degC - ALL_BINS_DEGC[0])
    out[start : start + season.hours_h.size] = season.hours_h
    return out
