"""EN 14825 seasonal coefficient of performance (heating), rating route.

Computes SCOP_on, SCOP_net, SCOP and the seasonal space heating energy efficiency ηs from the
*declared* performance of a heat pump (the data of an EN 14825 / Keymark certificate), per
EN 14825:2018 clause 8 (bin method for SCOP) and Commission Regulation (EU) No 813/2013,
Annex III (off-mode hours, ηs).

The calculation is vectorised over records: :class:`DeclaredPerformance` holds arrays with one
entry per record (climates may be mixed), and :func:`rate_declared` evaluates all records at once
on the union of the bins of the three reference seasons.

Method (``docs/seasonal_en14825.md`` gives the derivation and the conventions found to
reproduce certificates):

1. load ``Ph(Tj) = Prated·(Tj − 16)/(Tdesignh − 16)`` for each bin ``Tj`` with hours ``hj``;
2. at each declared point (G −15 °C, A −7, B +2, C +7, D +12 °C, F = Tbiv, E = TOL, the E
   point placed at Tdesignh when TOL is colder) the capacity ratio ``CR = min(1, Ph/Pdh)`` and
   the part-load COP ``COPpl = COPd·CR/(Cdh·CR + 1 − Cdh)``, with ``CR = 1`` at points at or
   below Tbiv (full load there) and no loss for records whose COPd already include it
   (``copd_includes_cycling``);
3. ``Pdh(Tj)`` and ``COPbin(Tj) = COPpl(Tj)`` interpolated linearly between the points,
   extrapolated above +12 °C from C–D (``RatingConventions(cycling="bin")`` interpolates COPd
   and Cdh instead and applies the formula with the bin's own CR);
4. back-up ``elbu = max(0, Ph − Pdh)`` between TOL and Tbiv, ``Ph`` below TOL, 0 at and above
   Tbiv; electric at COP 1;
5. ``SCOP_on = Σ hj·Ph / Σ hj·[(Ph − elbu)/COPbin + elbu]``,
   ``SCOP_net = Σ hj·(Ph − elbu) / Σ hj·(Ph − elbu)/COPbin``;
6. ``SCOP = QH/(QH/SCOP_on + H_TO·P_TO + H_SB·P_SB + H_CK·P_CK + H_OFF·P_OFF)``, ``QH =
   Prated·H_HE``; reversible units are charged the reduced off-mode hours
   (:func:`designopt.seasonal.climates.off_mode_hours`);
7. ``ηs = SCOP/CC − 3 % − 5 %`` (the 5 % for brine/water and water/water units only), ``CC``
   = 2.5 (Regulation 813/2013) or 1.9 (Directive (EU) 2023/1791 default).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

import numpy as np

from designopt.cycle.operation import bilinear
from designopt.enums import SourceType, as_source_type
from designopt.errors import ConfigurationError
from designopt.seasonal.climates import (
    ALL_BINS_DEGC,
    T_ZERO_LOAD_DEGC,
    ZERO_CELSIUS_K,
    Climate,
    _as_climate,
    hours_on_all_bins,
    reference_season,
)

#: Order of the declared points in the ``(n, 7)`` arrays of :class:`DeclaredPerformance`.
POINTS = ("G", "A", "B", "C", "D", "F", "E")
#: Fixed temperatures of the named points [°C]; F = Tbiv and E = TOL are per record.
POINT_T_DEGC = {"G": -15.0, "A": -7.0, "B": 2.0, "C": 7.0, "D": 12.0}
#: Default degradation coefficient of water-based units (EN 14825:2018, 8.x) [1].
CDH_DEFAULT = 0.9
#: Primary energy conversion coefficients [1]: Regulation 813/2013 and Directive 2023/1791.
CC_REGULATION_813 = 2.5
CC_EED_2023 = 1.9

_CLIMATE_CODES = (Climate.AVERAGE, Climate.COLDER, Climate.WARMER)
_T_DESIGN_DEGC = np.array([reference_season(c).t_design_degC for c in _CLIMATE_CODES])
_H_HE = np.array([reference_season(c).h_he_h for c in _CLIMATE_CODES])
_HOURS = np.stack([hours_on_all_bins(c) for c in _CLIMATE_CODES])  # (3, nbins)
_OFF_HEAT = np.array(
    [
        [reference_season(c).off_hours_heating_only_h[k] for k in ("TO", "SB", "CK", "OFF")]
        for c in _CLIMATE_CODES
    ],
    dtype=float,
)
_OFF_REV = np.array(
    [
        [reference_season(c).off_hours_reversible_h[k] for k in ("TO", "SB", "CK", "OFF")]
        for c in _CLIMATE_CODES
    ],
    dtype=float,
)
# points that must be declared per climate (besides E and F)
_REQUIRED = {
    Climate.AVERAGE: ("A", "B", "C", "D"),
    Climate.COLDER: ("A", "B", "C", "D"),
    Climate.WARMER: ("B", "C", "D"),
}


def _arr(x, n=None, name="value"):
    a = np.atleast_1d(np.asarray(x, dtype=float))
    if n is not None and a.shape != (n,):
        if a.size == 1:
            return np.full(n, float(a[0]))
        raise ConfigurationError(f"{name} has shape {a.shape}; expected ({n},) (one per record)")
    return a


@dataclass(frozen=True)
class DeclaredPerformance:
    """Declared EN 14825 heating performance of one or many records (SI units).

    Build single records with :meth:`from_points` (kW/°C at the edge); the Keymark reader
    (:func:`designopt.io.keymark.read_declared`) builds many at once.

    Parameters
    ----------
    climate : array of str, shape (n,)
        ``average``, ``colder`` or ``warmer``.
    prated_W : array, shape (n,)
        Rated heat output = design load ``Pdesignh`` [W].
    t_biv_K, t_ol_K : array, shape (n,)
        Bivalent temperature ``Tbiv`` and operation limit ``TOL`` [K].
    pdh_W, cop, cdh : array, shape (n, 7)
        Declared capacity [W], COP [1] and degradation coefficient [1] at the points
        :data:`POINTS` = G (−15 °C), A (−7), B (+2), C (+7), D (+12), F (Tbiv), E (TOL);
        NaN where not declared (Cdh is never declared at F).
    p_off_W, p_to_W, p_sb_W, p_ck_W : array, shape (n,)
        Off-mode, thermostat-off, standby and crankcase-heater power [W].
    reversible : array of bool, shape (n,)
        Unit also cools (sets the off-mode hours).
    source_type : array of str, shape (n,)
        ``air``, ``ground`` or ``water`` (:class:`designopt.enums.SourceType`; EN 14825's
        ``brine`` and ``air/water``-style names are accepted and stored as these).
    application_degC : array, shape (n,)
        35 or 55 (informative; the rating route does not depend on it).
    copd_includes_cycling : array of bool, shape (n,), optional
        The declared COPd already contain the cycling loss (COP measured in on/off operation
        at the part-load ratio), so no ``Cdh`` degradation is applied to the record (default
        all False). :func:`legacy_water_cycling` gives the selection rule that reproduces
        pre-2018 water-based certificates; see ``docs/seasonal_en14825.md``.
    """

    climate: np.ndarray
    prated_W: np.ndarray
    t_biv_K: np.ndarray
    t_ol_K: np.ndarray
    pdh_W: np.ndarray
    cop: np.ndarray
    cdh: np.ndarray
    p_off_W: np.ndarray
    p_to_W: np.ndarray
    p_sb_W: np.ndarray
    p_ck_W: np.ndarray
    reversible: np.ndarray
    source_type: np.ndarray
    application_degC: np.ndarray = field(default=None)
    copd_includes_cycling: np.ndarray = field(default=None)

    def __post_init__(self):
        clim = np.atleast_1d(np.asarray(self.climate, dtype=object))
        n = clim.size
        codes = np.array([_CLIMATE_CODES.index(_as_climate(c)) for c in clim], dtype=np.int8)
        object.__setattr__(self, "climate", np.array([_CLIMATE_CODES[c].value for c in codes]))
        object.__setattr__(self, "_codes", codes)
        for name in ("prated_W", "t_biv_K", "t_ol_K", "p_off_W", "p_to_W", "p_sb_W", "p_ck_W"):
            object.__setattr__(self, name, _arr(getattr(self, name), n, name))
        for name in ("pdh_W", "cop", "cdh"):
            a = np.asarray(getattr(self, name), dtype=float)
            if a.ndim == 1:
                a = a[None, :]
            if a.shape != (n, len(POINTS)):
                raise ConfigurationError(
                    f"{name} has shape {a.shape}; expected ({n}, {len(POINTS)}) for the points "
                    f"{POINTS}"
                )
            object.__setattr__(self, name, a)
        rev = np.atleast_1d(np.asarray(self.reversible))
        if rev.size == 1 and n > 1:
            rev = np.full(n, rev[0])
        object.__setattr__(self, "reversible", rev.astype(bool))
        src = np.atleast_1d(np.asarray(self.source_type, dtype=object))
        if src.size == 1 and n > 1:
            src = np.full(n, src[0], dtype=object)
        object.__setattr__(self, "source_type", np.array([as_source_type(s).value for s in src]))
        app = self.application_degC
        app = np.full(n, np.nan) if app is None else _arr(app, n, "application_degC")
        object.__setattr__(self, "application_degC", app)
        cyc = self.copd_includes_cycling
        cyc = np.zeros(n, bool) if cyc is None else np.atleast_1d(np.asarray(cyc, dtype=bool))
        if cyc.size == 1 and n > 1:
            cyc = np.full(n, bool(cyc[0]))
        object.__setattr__(self, "copd_includes_cycling", cyc)
        for a in (self.reversible, self.source_type, self.copd_includes_cycling):
            if a.shape != (n,):
                raise ConfigurationError(f"per-record array has shape {a.shape}; expected ({n},)")
        for name in (
            "climate", "prated_W", "t_biv_K", "t_ol_K", "pdh_W", "cop", "cdh", "p_off_W",
            "p_to_W", "p_sb_W", "p_ck_W", "reversible", "source_type", "application_degC",
            "copd_includes_cycling",
        ):  # fmt: skip
            a = getattr(self, name).copy()
            a.setflags(write=False)  # frozen: the arrays are read-only too
            object.__setattr__(self, name, a)

    @property
    def n(self) -> int:
        """Number of records."""
        return self.prated_W.size

    @classmethod
    def from_points(
        cls,
        *,
        climate: Climate | str,
        prated_kW: float,
        t_biv_degC: float,
        t_ol_degC: float,
        points: dict,
        p_off_W: float = 0.0,
        p_to_W: float = 0.0,
        p_sb_W: float = 0.0,
        p_ck_W: float = 0.0,
        reversible: bool = False,
        source_type: SourceType | str = "air",
        application_degC: float = 35,
        copd_includes_cycling: bool = False,
    ) -> DeclaredPerformance:
        """One record from a certificate, kW and °C at the edge.

        ``points`` maps ``"G"``, ``"A"``, ``"B"``, ``"C"``, ``"D"``, ``"E"`` (TOL), ``"F"``
        (Tbiv) to ``(Pdh_kW, COPd)`` or ``(Pdh_kW, COPd, Cdh)``. The record is validated and a
        :class:`~designopt.errors.ConfigurationError` names any problem.
        """
        unknown = set(points) - set(POINTS)
        if unknown:
            raise ConfigurationError(
                f"unknown test point(s) {sorted(unknown)}; valid options: {list(POINTS)}"
            )
        pdh = np.full(len(POINTS), np.nan)
        cop = np.full(len(POINTS), np.nan)
        cdh = np.full(len(POINTS), np.nan)
        for k, v in points.items():
            i = POINTS.index(k)
            v = tuple(v)
            if len(v) not in (2, 3):
                raise ConfigurationError(
                    f"point {k}={v!r} must be (Pdh_kW, COPd) or (Pdh_kW, COPd, Cdh)"
                )
            pdh[i] = 1e3 * float(v[0])
            cop[i] = float(v[1])
            if len(v) == 3 and v[2] is not None:
                cdh[i] = float(v[2])
        dp = cls(
            climate=[climate],
            prated_W=1e3 * prated_kW,
            t_biv_K=t_biv_degC + ZERO_CELSIUS_K,
            t_ol_K=t_ol_degC + ZERO_CELSIUS_K,
            pdh_W=pdh,
            cop=cop,
            cdh=cdh,
            p_off_W=p_off_W,
            p_to_W=p_to_W,
            p_sb_W=p_sb_W,
            p_ck_W=p_ck_W,
            reversible=[reversible],
            source_type=[source_type],
            application_degC=application_degC,
            copd_includes_cycling=[copd_includes_cycling],
        )
        problem = dp.problems()[0]
        if problem:
            raise ConfigurationError(problem)
        return dp

    def problems(self) -> np.ndarray:
        """Per-record validation: an array of messages, ``""`` where the record can be rated.

        Rules: Prated > 0; Tbiv and TOL finite with TOL ≤ Tbiv ≤ +16 °C; Pdh > 0 and
        0 < COPd at the points required by the climate (A, B, C, D; B, C, D for Warmer) and at
        E and F; 0 < Cdh ≤ 1 where declared; off-mode powers finite and ≥ 0.
        """
        n = self.n
        out = np.full(n, "", dtype=object)
        t_biv = self.t_biv_K - ZERO_CELSIUS_K
        t_ol = self.t_ol_K - ZERO_CELSIUS_K

        def flag(mask, msg_fn):
            for i in np.flatnonzero(mask & (out == "")):
                out[i] = msg_fn(i)

        flag(~(self.prated_W > 0), lambda i: f"Prated={self.prated_W[i] / 1e3} kW must be > 0")
        flag(~np.isfinite(t_biv), lambda i: f"Tbiv={t_biv[i]} °C is not declared")
        flag(~np.isfinite(t_ol), lambda i: f"TOL={t_ol[i]} °C is not declared")
        flag(
            t_biv < t_ol,
            lambda i: f"Tbiv={t_biv[i]} °C below TOL={t_ol[i]} °C; EN 14825 requires TOL <= Tbiv",
        )
        flag(t_biv > T_ZERO_LOAD_DEGC, lambda i: f"Tbiv={t_biv[i]} °C above 16 °C (zero load)")
        ok_pt = (self.pdh_W > 0) & (self.cop > 0) & np.isfinite(self.pdh_W) & np.isfinite(self.cop)
        for code, clim in enumerate(_CLIMATE_CODES):
            rows = self._codes == code
            for p in (*_REQUIRED[clim], "F", "E"):
                j = POINTS.index(p)
                flag(
                    rows & ~ok_pt[:, j],
                    lambda i, p=p, j=j, clim=clim: (
                        f"missing declared point {p} ({_point_label(p)}) for the {clim.value} "
                        f"climate: Pdh={self.pdh_W[i, j] / 1e3} kW, COPd={self.cop[i, j]}; "
                        f"required points: {[*_REQUIRED[clim], 'E', 'F']}"
                    ),
                )
        bad_cdh = np.isfinite(self.cdh) & ~((self.cdh > 0) & (self.cdh <= 1))
        flag(
            bad_cdh.any(axis=1),
            lambda i: f"Cdh={self.cdh[i][bad_cdh[i]].tolist()} outside (0, 1]",
        )
        for name in ("p_off_W", "p_to_W", "p_sb_W", "p_ck_W"):
            v = getattr(self, name)
            flag(~(v >= 0), lambda i, name=name, v=v: f"{name}={v[i]} must be finite and >= 0")
        return out


def _point_label(p):
    if p in ("E", "F"):
        return {"E": "TOL", "F": "Tbiv"}[p]
    return f"{POINT_T_DEGC[p]:+g} °C"


class CyclingConvention(enum.StrEnum):
    """How the degradation of cycling enters the bins.

    ``point`` (default): apply the cycling formula at each declared point with the point's own
    capacity ratio (``COPpl``), then interpolate ``COPpl`` to the bins (EN 14825:2013/2016/2018
    read literally: the bin COPs are interpolated from the part-load COPs of the test points).
    Where it changes SCOP by more than 0.2 % (1,123 Keymark rows) it is the closer of the two
    for 66 % of the rows and halves the median deviation (0.34 → 0.16 %).
    ``bin``: interpolate COPd and Cdh to the bin, then apply the cycling formula with the bin's
    capacity ratio (a common implementation; the default before 2026-11).
    """

    BIN = "bin"
    POINT = "point"


@dataclass(frozen=True)
class RatingConventions:
    """Conventions of the rating route that EN 14825 leaves to the implementer.

    The defaults are those that reproduce Keymark certificates best (see
    ``docs/seasonal_en14825.md``, the agreement table and ``benchmarks/bench_seasonal.py``).

    Attributes
    ----------
    cycling : CyclingConvention
        Where the cycling degradation is applied (``point``, default, or ``bin``).
    reversible_off_hours : bool
        Charge reversible units the reduced off-mode hours (default True).
    backup_above_tbiv : bool
        Charge ``max(0, Ph − Pdh)`` as back-up in every bin, also at and above Tbiv (default
        False: certificates do not).
    cdh_default : float
        Cdh used where a record declares none [1].
    cdh_override : float, optional
        Use this Cdh at every point instead of the declared values (ablation).
    prefer_ef_points : bool
        When Tbiv or TOL coincides with a fixed point, use the F/E values instead of the fixed
        point's (default False).
    extrapolate_above_d : bool
        Extrapolate Pdh/COPd/Cdh above +12 °C from C–D (default True) or hold the D values.
    cr_tolerance : float
        Treat a capacity ratio within this fraction of 1 (``Pdh <= (1 + tol)·Ph``) as no
        cycling (default 0; ablation of a test-tolerance reading of EN 14825).
    e_point_at_tdesign : bool
        When TOL lies below Tdesignh, place the E point (declared at TOL) at Tdesignh, the
        coldest bin, instead of extrapolating the E–A segment beyond the declared point
        (default True: the bin range ends at Tdesignh, and the unit's declared performance at
        its limit is the coldest value the season uses).
    full_load_at_tbiv : bool
        ``point`` cycling only: no cycling loss at declared points at or colder than Tbiv
        (default True: by definition of the bivalent point the unit cannot exceed the load
        there, so a declared capacity a little above the load line is test tolerance, not
        cycling).
    """

    cycling: CyclingConvention = CyclingConvention.POINT
    reversible_off_hours: bool = True
    backup_above_tbiv: bool = False
    cdh_default: float = CDH_DEFAULT
    cdh_override: float | None = None
    prefer_ef_points: bool = False
    extrapolate_above_d: bool = True
    cr_tolerance: float = 0.0
    e_point_at_tdesign: bool = True
    full_load_at_tbiv: bool = True

    def __post_init__(self):
        try:
            object.__setattr__(self, "cycling", CyclingConvention(self.cycling))
        except ValueError:
            raise ConfigurationError(
                f"cycling={self.cycling!r} is not known; valid options: "
                f"{[c.value for c in CyclingConvention]}"
            ) from None
        if not 0 <= self.cr_tolerance < 1:
            raise ConfigurationError(f"cr_tolerance={self.cr_tolerance} must be in [0, 1)")
        for name in ("cdh_default", "cdh_override"):
            v = getattr(self, name)
            if v is not None and not 0 < v <= 1:
                raise ConfigurationError(f"{name}={v} must be in (0, 1]")


@dataclass(frozen=True)
class RatingResult:
    """Seasonal figures of each record (arrays of shape (n,)); NaN where ``status != ""``.

    Attributes
    ----------
    scop, scop_on, scop_net : numpy.ndarray
        Seasonal COP including off modes, in active mode, and without back-up [1].
    eta_s_pct : numpy.ndarray
        Seasonal space heating energy efficiency ηs [%].
    q_h_kWh : numpy.ndarray
        Reference annual heating demand ``QH = Prated·H_HE`` [kWh].
    q_he_kWh : numpy.ndarray
        Annual energy consumption ``QH/SCOP`` [kWh].
    status : numpy.ndarray
        ``""`` for rated records, else the reason.
    """

    scop: np.ndarray
    scop_on: np.ndarray
    scop_net: np.ndarray
    eta_s_pct: np.ndarray
    q_h_kWh: np.ndarray
    q_he_kWh: np.ndarray
    status: np.ndarray


def eta_s_pct(scop, source_type="air", *, cc: float = CC_REGULATION_813):
    """Seasonal space heating energy efficiency ηs [%] (Regulation 813/2013, Annex III).

    ``ηs = 100·SCOP/CC − 3 − (5 for brine/water and water/water units)``.
    """
    if not cc > 0:
        raise ConfigurationError(
            f"cc={cc} must be > 0; usual values {CC_REGULATION_813} (Regulation 813/2013) or "
            f"{CC_EED_2023} (Directive 2023/1791)"
        )
    src = np.atleast_1d(np.asarray(source_type, dtype=object))
    water = np.array([as_source_type(s) is not SourceType.AIR for s in src])
    out = 100.0 * np.asarray(scop, dtype=float) / cc - 3.0 - 5.0 * water
    return out if np.ndim(scop) else float(out[0]) if out.size == 1 else out


#: Publication of EN 14825:2018 (CEN, August 2018); certificates dated before it were rated
#: under EN 14825:2013/2016.
EN14825_2018_DATE = "2018-08-01"


def legacy_water_cycling(cert_date, source_type, *, before: str = EN14825_2018_DATE):
    """Selection rule: records whose declared COPd already include the cycling loss.

    Water-based (brine/water, water/water) certificates dated before ``before`` (default the
    publication of EN 14825:2018) or undated: on the Keymark collection every such record
    whose SCOP depends on the cycling convention by more than 2 % is reproduced only without a
    ``Cdh`` degradation (the COPd were declared for on/off operation at the part-load ratio),
    and the others do not depend on it (see ``docs/seasonal_en14825.md``). Pass the result as
    ``DeclaredPerformance(copd_includes_cycling=...)``. Not applied by default: the evidence
    comes from one manufacturer group.

    Parameters
    ----------
    cert_date : array of str or datetime-like, shape (n,)
        Certificate dates (ISO ``YYYY-MM-DD``); blank/NaN for undated records.
    source_type : array of str, shape (n,)
        ``air``, ``brine``, ``water`` (or ``air/water`` ...).
    before : str
        ISO date; records dated strictly before it are selected.

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
    """
    import pandas as pd

    try:
        cut = pd.Timestamp(before)
    except (ValueError, TypeError):
        raise ConfigurationError(f"before={before!r} is not an ISO date (YYYY-MM-DD)") from None
    dates = pd.to_datetime(
        pd.Series(np.atleast_1d(np.asarray(cert_date, dtype=object))), errors="coerce"
    )
    src = np.atleast_1d(np.asarray(source_type, dtype=object))
    water = np.array([as_source_type(s) is not SourceType.AIR for s in src])
    if water.shape != (len(dates),):
        raise ConfigurationError(
            f"cert_date has {len(dates)} entries but source_type {water.size}; one per record"
        )
    early = (dates < cut).to_numpy() | dates.isna().to_numpy()
    return early & water


def interp_rows(knots_x, values, x):
    """Row-wise piecewise-linear interpolation with per-row knots (vectorised).

    Parameters
    ----------
    knots_x : array (n, k)
        Knot abscissae per row, NaN where absent (need not be sorted; duplicates are dropped,
        keeping the first occurrence in column order).
    values : array (n, k)
        Values at the knots, NaN where absent (such knots are ignored).
    x : array (m,) or (n, m)
        Evaluation points, shared by all rows or per row.

    Returns
    -------
    array (n, m)
        Interpolated values; linear extrapolation from the first/last segment outside the
        knots; a row with a single valid knot is constant; NaN for rows without knots.
    """
    kx = np.array(knots_x, dtype=float)
    kv = np.asarray(values, dtype=float)
    valid = np.isfinite(kx) & np.isfinite(kv)
    # drop duplicates: a knot equal to an earlier valid knot in the same row
    for j in range(1, kx.shape[1]):
        dup = (valid[:, :j] & (kx[:, :j] == kx[:, j : j + 1])).any(axis=1)
        valid[:, j] &= ~dup
    kx = np.where(valid, kx, np.inf)
    order = np.argsort(kx, axis=1, kind="stable")
    kx = np.take_along_axis(kx, order, axis=1)
    kv = np.take_along_axis(np.where(valid, kv, np.nan), order, axis=1)
    nv = valid.sum(axis=1)
    x = np.asarray(x, dtype=float)
    x2 = np.broadcast_to(x if x.ndim == 2 else x[None, :], (kx.shape[0], x.shape[-1]))
    idx = (kx[:, :, None] <= x2[:, None, :]).sum(axis=1) - 1  # (n, m)
    hi_max = np.maximum(nv - 2, 0)[:, None]
    idx = np.clip(idx, 0, hi_max)
    i1 = np.minimum(idx + 1, np.maximum(nv - 1, 0)[:, None])
    x0 = np.take_along_axis(kx, idx, axis=1)
    x1 = np.take_along_axis(kx, i1, axis=1)
    y0 = np.take_along_axis(kv, idx, axis=1)
    y1 = np.take_along_axis(kv, i1, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(x1 > x0, (x2 - x0) / (x1 - x0), 0.0)
    out = y0 + w * (y1 - y0)
    out[nv == 0] = np.nan
    return out


def _knot_temperatures(dp: DeclaredPerformance) -> np.ndarray:
    n = dp.n
    t = np.empty((n, len(POINTS)))
    for j, p in enumerate(POINTS):
        if p in POINT_T_DEGC:
            t[:, j] = POINT_T_DEGC[p]
    t[:, POINTS.index("F")] = dp.t_biv_K - ZERO_CELSIUS_K
    t[:, POINTS.index("E")] = dp.t_ol_K - ZERO_CELSIUS_K
    # G is a Colder-climate point only; A is not used in the Warmer climate
    t[dp._codes != 1, POINTS.index("G")] = np.nan
    t[dp._codes == 2, POINTS.index("A")] = np.nan
    return t


def rate_declared(
    dp: DeclaredPerformance,
    *,
    cc: float = CC_REGULATION_813,
    conventions: RatingConventions | None = None,
    strict: bool = False,
) -> RatingResult:
    """Rate declared performance records by the EN 14825 bin method (vectorised).

    Parameters
    ----------
    dp : DeclaredPerformance
        The records.
    cc : float
        Primary energy conversion coefficient for ηs [1]: 2.5 (Regulation 813/2013, default)
        or 1.9 (Directive (EU) 2023/1791).
    conventions : RatingConventions, optional
        Implementation conventions (defaults reproduce certificates).
    strict : bool
        Raise :class:`~designopt.errors.ConfigurationError` on the first invalid record instead
        of returning NaN with a status text.

    Returns
    -------
    RatingResult
    """
    conv = conventions or RatingConventions()
    if not 0 < conv.cdh_default <= 1:
        raise ConfigurationError(f"cdh_default={conv.cdh_default} must be in (0, 1]")
    status = dp.problems()
    if strict and (status != "").any():
        i = int(np.flatnonzero(status != "")[0])
        raise ConfigurationError(f"record {i}: {status[i]}")
    ok = status == ""
    codes = dp._codes
    t_bins = ALL_BINS_DEGC
    hours = _HOURS[codes]  # (n, nb)
    t_des = _T_DESIGN_DEGC[codes][:, None]
    prated = dp.prated_W[:, None] / 1e3  # kW
    ph = prated * (t_bins[None, :] - T_ZERO_LOAD_DEGC) / (t_des - T_ZERO_LOAD_DEGC)
    ph = np.where(hours > 0, ph, 0.0)
    kt = _knot_temperatures(dp)
    if conv.e_point_at_tdesign:
        j_e = POINTS.index("E")
        kt[:, j_e] = np.maximum(kt[:, j_e], t_des[:, 0])
    order = [5, 6, 0, 1, 2, 3, 4] if conv.prefer_ef_points else list(range(7))
    kt = kt[:, order]
    pdh_pts = dp.pdh_W[:, order] / 1e3
    cop_pts = dp.cop[:, order]
    cdh_pts0 = dp.cdh[:, order]
    if conv.cdh_override is not None:
        cdh_pts0 = np.where(np.isfinite(kt), conv.cdh_override, np.nan)
    t_bins_eval = t_bins if conv.extrapolate_above_d else np.minimum(t_bins, 12.0)
    pdh = interp_rows(kt, pdh_pts, t_bins_eval)
    cdh_pts = np.where(np.isfinite(cdh_pts0), cdh_pts0, np.nan)
    none_declared = ~np.isfinite(np.where(np.isfinite(kt), cdh_pts, np.nan)).any(axis=1)
    cdh_pts = np.where(none_declared[:, None], conv.cdh_default, cdh_pts)
    cdh = interp_rows(kt, cdh_pts, t_bins_eval)
    cdh = np.clip(np.nan_to_num(cdh, nan=conv.cdh_default), 1e-6, 1.0)
    no_loss = dp.copd_includes_cycling[:, None]
    cdh = np.where(no_loss, 1.0, cdh)
    cdh_pts = np.where(no_loss & np.isfinite(cdh_pts), 1.0, cdh_pts)
    if conv.cycling is CyclingConvention.POINT:
        # load at each declared point, capacity ratio and COPpl there, then interpolate
        ph_pt = dp.prated_W[:, None] / 1e3 * (kt - T_ZERO_LOAD_DEGC) / (t_des - T_ZERO_LOAD_DEGC)
        cr_pt = np.clip(np.where(pdh_pts > 0, ph_pt / pdh_pts, 1.0), 0.0, 1.0)
        cr_pt = np.where(cr_pt >= 1.0 / (1.0 + conv.cr_tolerance), 1.0, cr_pt)
        if conv.full_load_at_tbiv:
            # at and below the bivalent point the unit runs at its declared capacity
            cr_pt = np.where(kt <= (dp.t_biv_K - ZERO_CELSIUS_K)[:, None], 1.0, cr_pt)
        # Cdh at points without a declaration (F): interpolated along the row
        cdh_fill = interp_rows(kt, cdh_pts, np.nan_to_num(kt))
        cdh_at_pts = np.where(np.isfinite(cdh_pts), cdh_pts, cdh_fill)
        cdh_at_pts = np.clip(np.nan_to_num(cdh_at_pts, nan=conv.cdh_default), 1e-6, 1.0)
        cdh_at_pts = np.where(no_loss, 1.0, cdh_at_pts)
        with np.errstate(invalid="ignore", divide="ignore"):
            coppl = cop_pts * cr_pt / (cdh_at_pts * cr_pt + 1.0 - cdh_at_pts)
        copbin = interp_rows(kt, coppl, t_bins_eval)
        cr = np.clip(np.divide(ph, pdh, out=np.ones_like(ph), where=pdh > 0), 0.0, 1.0)
    else:
        copd = interp_rows(kt, cop_pts, t_bins_eval)
        cr = np.clip(np.divide(ph, pdh, out=np.ones_like(ph), where=pdh > 0), 0.0, 1.0)
        cr = np.where(cr >= 1.0 / (1.0 + conv.cr_tolerance), 1.0, cr)
        with np.errstate(invalid="ignore", divide="ignore"):
            copbin = copd * cr / (cdh * cr + 1.0 - cdh)
    t_biv = (dp.t_biv_K - ZERO_CELSIUS_K)[:, None]
    t_ol = (dp.t_ol_K - ZERO_CELSIUS_K)[:, None]
    running = t_bins[None, :] >= t_ol
    shortfall = np.maximum(ph - np.nan_to_num(pdh, nan=0.0), 0.0)
    if conv.backup_above_tbiv:
        elbu = np.where(running, shortfall, ph)
    else:
        elbu = np.where(running, np.where(t_bins[None, :] < t_biv, shortfall, 0.0), ph)
    hp_heat = ph - elbu
    with np.errstate(invalid="ignore", divide="ignore"):
        hp_elec = np.where(hp_heat > 0, hp_heat / copbin, 0.0)
    q_h = (hours * ph).sum(axis=1)
    e_hp = (hours * hp_elec).sum(axis=1)
    e_bu = (hours * elbu).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scop_on = q_h / (e_hp + e_bu)
        scop_net = (q_h - e_bu) / e_hp
    off = np.where(
        dp.reversible[:, None] & conv.reversible_off_hours, _OFF_REV[codes], _OFF_HEAT[codes]
    )
    p_off = np.stack([dp.p_to_W, dp.p_sb_W, dp.p_ck_W, dp.p_off_W], axis=1) / 1e3
    e_off = (off * p_off).sum(axis=1)
    q_h_ref = dp.prated_W / 1e3 * _H_HE[codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        scop = q_h_ref / (q_h_ref / scop_on + e_off)
    bad_num = ok & ~(np.isfinite(scop) & (scop > 0))
    status = status.copy()
    status[bad_num] = "numerical failure (non-finite SCOP)"
    ok &= ~bad_num
    nan = np.full(dp.n, np.nan)
    scop = np.where(ok, scop, nan)
    return RatingResult(
        scop=scop,
        scop_on=np.where(ok, scop_on, nan),
        scop_net=np.where(ok, scop_net, nan),
        eta_s_pct=np.where(ok, eta_s_pct(np.nan_to_num(scop), dp.source_type, cc=cc), nan),
        q_h_kWh=np.where(ok, q_h_ref, nan),
        q_he_kWh=np.where(ok, q_h_ref / scop, nan),
        status=status.astype(str),
    )


#: Alternative conventions :func:`check_declared` tries, in this order, on a record whose
#: declared SCOP the default conventions do not reproduce: ``(name, description)``. Each is a
#: practice found in Keymark certificates (``docs/seasonal_en14825.md``, "Why the remaining 8 %
#: fail"); none is a default because no column of a record tells which one it follows.
ALTERNATIVE_CONVENTIONS = (
    ("opposite_off_hours", "off-mode hour set opposite to the reversible flag"),
    ("no_cycling_loss", "declared COPd already contain the cycling loss (no Cdh degradation)"),
    ("cdh_0.9", "Cdh = 0.9 at every point instead of the declared values"),
    ("backup_every_bin", "back-up max(0, Ph - Pdh) charged in every bin, also at/above Tbiv"),
    ("cycling_at_bins", "cycling formula applied at the bins instead of the points"),
    ("opposite_off_hours+no_cycling_loss", "both of the first two"),
)


@dataclass(frozen=True)
class DeclaredCheck:
    """Consistency of declared SCOPs with the rating route (arrays of shape (n,)).

    Attributes
    ----------
    scop_calc : numpy.ndarray
        SCOP computed with the conventions passed (default: those that reproduce most
        certificates) [1]; NaN where the record cannot be rated.
    deviation_pct : numpy.ndarray
        ``100·(scop_calc/declared − 1)`` [%].
    consistent : numpy.ndarray of bool
        ``|deviation_pct| <= tolerance_pct``.
    explained_by : numpy.ndarray of str
        ``""`` where consistent; else the name of the first entry of
        :data:`ALTERNATIVE_CONVENTIONS` that reproduces the declared SCOP within the tolerance,
        or ``"unexplained"``; ``"not rated"`` where the record or the declared value is invalid.
    alternatives : dict of str to numpy.ndarray
        SCOP under each alternative convention [1].
    tolerance_pct : float
        Tolerance used [%].
    """

    scop_calc: np.ndarray
    deviation_pct: np.ndarray
    consistent: np.ndarray
    explained_by: np.ndarray
    alternatives: dict
    tolerance_pct: float


def check_declared(
    dp: DeclaredPerformance,
    declared_scop,
    *,
    tolerance_pct: float = 2.0,
    conventions: RatingConventions | None = None,
    rated: RatingResult | None = None,
) -> DeclaredCheck:
    """Check declared SCOPs against the rating route and name the convention behind a mismatch.

    For verification (a tender's certified product, a certificate collection): a record is
    *consistent* when the rating route reproduces its declared SCOP within ``tolerance_pct``;
    otherwise each alternative of :data:`ALTERNATIVE_CONVENTIONS` is tried in order and the
    first that reproduces it is reported. The declared SCOP is used only for this diagnosis,
    never for ``scop_calc``.

    Parameters
    ----------
    dp : DeclaredPerformance
        The records.
    declared_scop : array, shape (n,)
        Declared SCOP of each record [1]; NaN or non-positive values give ``"not rated"``.
    tolerance_pct : float
        Tolerance on the SCOP [%], > 0 (default 2, the agreement criterion of the docs).
    conventions : RatingConventions, optional
        Base conventions (default: :class:`RatingConventions`).
    rated : RatingResult, optional
        ``rate_declared(dp, conventions=conventions)`` if the caller already has it (not
        computed again).

    Returns
    -------
    DeclaredCheck
    """
    if not (np.isfinite(tolerance_pct) and tolerance_pct > 0):
        raise ConfigurationError(f"tolerance_pct={tolerance_pct!r} must be a number > 0")
    declared = np.asarray(declared_scop, dtype=float).reshape(-1)
    if declared.size != dp.n:
        raise ConfigurationError(
            f"declared_scop has {declared.size} values but there are {dp.n} records; one per record"
        )
    base = conventions or RatingConventions()
    flipped = replace(dp, reversible=~dp.reversible)
    no_loss = replace(base, cdh_override=1.0)
    runs = {
        "opposite_off_hours": (flipped, base),
        "no_cycling_loss": (dp, no_loss),
        "cdh_0.9": (dp, replace(base, cdh_override=0.9)),
        "backup_every_bin": (dp, replace(base, backup_above_tbiv=True)),
        "cycling_at_bins": (dp, replace(base, cycling=CyclingConvention.BIN)),
        "opposite_off_hours+no_cycling_loss": (flipped, no_loss),
    }
    assert tuple(runs) == tuple(name for name, _ in ALTERNATIVE_CONVENTIONS)
    scop = (rated or rate_declared(dp, conventions=base)).scop
    if scop.shape != (dp.n,):
        raise ConfigurationError(f"rated has {scop.size} records but there are {dp.n}")
    valid = np.isfinite(scop) & np.isfinite(declared) & (declared > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = np.where(valid, 100.0 * (scop / declared - 1.0), np.nan)
    consistent = valid & (np.abs(np.nan_to_num(dev, nan=np.inf)) <= tolerance_pct)
    explained = np.where(valid, np.where(consistent, "", "unexplained"), "not rated").astype(object)
    alternatives = {}
    for name, (d, conv) in runs.items():
        alt = rate_declared(d, conventions=conv).scop
        alternatives[name] = alt
        with np.errstate(invalid="ignore", divide="ignore"):
            fits = np.abs(np.nan_to_num(100.0 * (alt / declared - 1.0), nan=np.inf))
        hit = valid & (explained == "unexplained") & (fits <= tolerance_pct)
        explained[hit] = name
    return DeclaredCheck(
        scop_calc=scop,
        deviation_pct=dev,
        consistent=consistent,
        explained_by=explained.astype(str),
        alternatives=alternatives,
        tolerance_pct=float(tolerance_pct),
    )


# ---------------------------------------------------------------------------------------------
# Physics route: a performance map along the EN 14825 load line
# ---------------------------------------------------------------------------------------------

#: Relative humidity at the EN 14511 outdoor test conditions (dry/wet bulb −7/−8, +2/+1,
#: +7/+6, +12/+11 °C), computed with CoolProp ``HAPropsSI`` at 101 325 Pa [1]. Used for the
#: defrost factor at the bins (interpolated, constant outside).
EN14511_RH = {-7.0: 0.747, 2.0: 0.839, 7.0: 0.868, 12.0: 0.889}
#: EN 14825 source temperatures of brine/water (B0) and water/water (W10) units [K].
SOURCE_TEMPERATURE_K = {SourceType.GROUND: 273.15, SourceType.WATER: 283.15}


@dataclass(frozen=True)
class SeasonalResult:
    """EN 14825 seasonal figures of a design (physics route).

    Attributes
    ----------
    scop, scop_on, scop_net, eta_s_pct : float
        As in :class:`RatingResult` (``eta_s_pct`` in %).
    pdesignh_W : float
        Design load ``Pdesignh`` [W].
    t_biv_K : float
        Bivalent temperature [K] (where the unit at maximum speed meets the load).
    t_ol_K : float
        Lowest bin where the unit runs [K] (operation limit on the bin grid).
    heat_J, electricity_J, backup_J : float
        Annual heat demand ``QH``, electricity including back-up and off modes, back-up
        electricity [J].
    t_bin_K, hours_h, load_W, hp_heat_W, hp_power_W, backup_W, cop_bin, speed, flow_K : ndarray
        Per-bin values: temperature, hours, load, heat-pump heat and power, back-up heat
        (= power), COP of the heat pump in the bin (with cycling and defrost), compressor speed
        (NaN where off), flow temperature.
    capacity_W, cop_steady : ndarray
        Per bin: the capacity at the running speed (the load when modulating, the minimum-speed
        capacity when cycling, the maximum when short) and the steady COP there (no cycling
        loss): what a certificate declares as Pdh and COPd at a test point.
    cdh : float
        Degradation coefficient used for cycling [1].
    climate : str
    application_degC : int
    """

    scop: float
    scop_on: float
    scop_net: float
    eta_s_pct: float
    pdesignh_W: float
    t_biv_K: float
    t_ol_K: float
    heat_J: float
    electricity_J: float
    backup_J: float
    t_bin_K: np.ndarray = field(repr=False)
    hours_h: np.ndarray = field(repr=False)
    load_W: np.ndarray = field(repr=False)
    hp_heat_W: np.ndarray = field(repr=False)
    hp_power_W: np.ndarray = field(repr=False)
    backup_W: np.ndarray = field(repr=False)
    cop_bin: np.ndarray = field(repr=False)
    capacity_W: np.ndarray = field(repr=False)
    cop_steady: np.ndarray = field(repr=False)
    speed: np.ndarray = field(repr=False)
    flow_K: np.ndarray = field(repr=False)
    climate: str = "average"
    application_degC: int = 35
    cdh: float = CDH_DEFAULT

    def to_declared(self, *, source_type: str = "air") -> DeclaredPerformance:
        """The result as declared EN 14825 data (Pdh, COPd, Cdh at the test points, Tbiv, TOL,
        Prated = Pdesignh; no off-mode power), for :func:`rate_declared` or a data sheet.

        The points are the bins at −15 (Colder), −7, +2, +7, +12 °C, F at ``t_biv_K`` and E at
        the lowest running bin (TOL).
        """
        t_degC = self.t_bin_K - ZERO_CELSIUS_K
        pts = {}
        for name, t in (("G", -15.0), ("A", -7.0), ("B", 2.0), ("C", 7.0), ("D", 12.0)):
            i = np.flatnonzero(np.isclose(t_degC, t))
            if i.size and np.isfinite(self.cop_steady[i[0]]):
                pts[name] = (self.capacity_W[i[0]] / 1e3, self.cop_steady[i[0]], self.cdh)
        t_biv = round(self.t_biv_K - ZERO_CELSIUS_K)
        t_ol = round(self.t_ol_K - ZERO_CELSIUS_K)
        for name, t in (("F", t_biv), ("E", t_ol)):
            i = int(np.argmin(np.abs(t_degC - t)))
            pts[name] = (self.capacity_W[i] / 1e3, self.cop_steady[i], self.cdh)
        return DeclaredPerformance.from_points(
            climate=self.climate,
            prated_kW=self.pdesignh_W / 1e3,
            t_biv_degC=t_biv,
            t_ol_degC=t_ol,
            points=pts,
            source_type=source_type,
            application_degC=self.application_degC,
        )


@dataclass(frozen=True)
class MapArrays:
    """Plain numpy view of a performance map (see ``docs/architecture.md``), for fast lookups.

    Build it once with :meth:`from_dataset` and pass it instead of the Dataset when a map is
    evaluated many times (both applications, several climates).
    """

    t_source_K: np.ndarray
    t_sink_K: np.ndarray
    speed: np.ndarray
    heat_W: np.ndarray  # (n_source, n_sink, n_speed), NaN where status != 0
    power_W: np.ndarray
    source_type: str
    speed_min: float
    speed_max: float

    @classmethod
    def from_dataset(cls, pmap) -> MapArrays:
        """Extract arrays from the ``xarray.Dataset`` performance map, checking the contract."""
        if isinstance(pmap, MapArrays):
            return pmap
        for name in ("t_source", "t_sink", "speed"):
            if name not in pmap.coords:
                raise ConfigurationError(
                    f"performance map lacks coordinate {name!r}; required: "
                    "('t_source', 't_sink', 'speed') (docs/architecture.md)"
                )
        for name in ("heat_output", "electric_power"):
            if name not in pmap.data_vars:
                raise ConfigurationError(
                    f"performance map lacks variable {name!r}; required: heat_output, "
                    "electric_power"
                )
        order = ("t_source", "t_sink", "speed")
        q = pmap["heat_output"].transpose(*order).to_numpy().astype(float)
        p = pmap["electric_power"].transpose(*order).to_numpy().astype(float)
        if "status" in pmap.data_vars:
            bad = pmap["status"].transpose(*order).to_numpy() != 0
            q = np.where(bad, np.nan, q)
            p = np.where(bad, np.nan, p)
        bad = ~(np.isfinite(q) & np.isfinite(p) & (q > 0) & (p > 0))
        q = np.where(bad, np.nan, q)
        p = np.where(bad, np.nan, p)
        speed = pmap["speed"].to_numpy().astype(float)
        src = as_source_type(pmap.attrs.get("source_type", "air")).value
        ts = pmap["t_source"].to_numpy().astype(float)
        tk = pmap["t_sink"].to_numpy().astype(float)
        for name, a in (("t_source", ts), ("t_sink", tk), ("speed", speed)):
            if a.size < 2 or not np.all(np.diff(a) > 0):
                raise ConfigurationError(
                    f"performance map coordinate {name} must be strictly increasing with at "
                    f"least 2 values; got {a.tolist()}"
                )
        return cls(
            t_source_K=ts,
            t_sink_K=tk,
            speed=speed,
            heat_W=q,
            power_W=p,
            source_type=src,
            speed_min=float(pmap.attrs.get("speed_min", speed[0])),
            speed_max=float(pmap.attrs.get("speed_max", speed[-1])),
        )

    def at(self, t_source_K, t_sink_K):
        """Heat output and power [W] at points ``(t_source_K[i], t_sink_K[i])`` for every map
        speed: arrays (n, n_speed), bilinear in the two temperatures, NaN outside the map
        (:func:`designopt.cycle.operation.bilinear`)."""
        ns = self.speed.size
        both = bilinear(
            self.t_source_K,
            self.t_sink_K,
            np.concatenate([self.heat_W, self.power_W], axis=2),
            t_source_K,
            t_sink_K,
        )
        out = (both[:, :ns], both[:, ns:])
        usable = self._usable()
        return out[0][:, usable], out[1][:, usable], self.speed[usable]

    def _usable(self):
        return (self.speed >= self.speed_min - 1e-12) & (self.speed <= self.speed_max + 1e-12)

    @property
    def usable_speed(self) -> np.ndarray:
        """Map speeds within ``[speed_min, speed_max]`` [1]."""
        return self.speed[self._usable()]


def _default_defrost(t_air_K, rh):
    from designopt.seasonal.defrost import defrost_factors

    return defrost_factors(t_air_K, rh)


def _rh_at(t_K):
    xs = np.array(sorted(EN14511_RH))
    return np.interp(np.asarray(t_K) - ZERO_CELSIUS_K, xs, [EN14511_RH[x] for x in xs])


def _capacity_max(m: MapArrays, t_out_K, flow_K, defrost):
    t_src = _source_temperature(m, t_out_K)
    q, p, _ = m.at(t_src, flow_K)
    if defrost is not None and m.source_type == "air":
        fq, fp = defrost(np.atleast_1d(t_out_K), _rh_at(t_out_K))
        q = q * np.asarray(fq)[..., None]
        p = p * np.asarray(fp)[..., None]
    return q, p


def _source_temperature(m: MapArrays, t_out_K):
    t = np.atleast_1d(np.asarray(t_out_K, dtype=float))
    if m.source_type == "air":
        return t
    return np.full_like(t, SOURCE_TEMPERATURE_K[m.source_type])


def seasonal_performance(
    pmap,
    *,
    climate: Climate | str = "average",
    application_degC: int = 35,
    design_load_W: float | None = None,
    t_biv_K: float | None = None,
    cdh: float = CDH_DEFAULT,
    defrost="default",
    p_off_W: float = 0.0,
    p_to_W: float = 0.0,
    p_sb_W: float = 0.0,
    p_ck_W: float = 0.0,
    reversible: bool = False,
    cc: float = CC_REGULATION_813,
) -> SeasonalResult:
    """EN 14825 SCOP of a design from its performance map (physics route).

    For each bin ``Tj`` of the reference season the load ``Ph = Pdesignh·pl(Tj)`` is met at the
    application's variable-outlet flow temperature (interpolated between the EN 14825 test
    points, :meth:`~designopt.seasonal.climates.ReferenceSeason.flow_temperature_K`):

    * the compressor modulates: the speed where ``heat_output = Ph`` is found by linear
      interpolation in speed, and the power is interpolated at that speed;
    * below the minimum-speed capacity the unit cycles at minimum speed with
      ``COP = COP_min·CR/(Cdh·CR + 1 − Cdh)`` (EN 14825:2018 8.x, ``Cdh`` default 0.9);
    * above the maximum-speed capacity it runs at maximum speed and an electric back-up heater
      (COP 1) supplies the rest; where the map has no valid point (below the operating limit)
      the back-up heater covers the whole load;
    * air-source maps are multiplied by the defrost capacity/power factors at the bin's
      temperature and the EN 14511 test humidity (``defrost``: ``"default"`` uses
      :func:`designopt.seasonal.defrost.defrost_factors`; ``None`` for none; or a callable
      ``f(t_air_K, rh) -> (capacity_factor, power_factor)``). Brine/water units are evaluated
      at the EN 14825 source temperatures (B0 / W10).

    Then the bin sums as in :func:`rate_declared`.

    Parameters
    ----------
    pmap : xarray.Dataset or MapArrays
        Performance map (contract in ``docs/architecture.md``).
    climate : {"average", "colder", "warmer"}
    application_degC : {35, 55}
    design_load_W : float, optional
        ``Pdesignh`` [W]. If omitted, the unit is sized so that its maximum-speed capacity
        meets the load at ``t_biv_K`` (default ``Tdesignh``: monovalent).
    t_biv_K : float, optional
        Bivalent temperature [K] used for sizing; with ``design_load_W`` it is computed (the
        warmest bin temperature below which the unit cannot meet the load) and this argument
        must be omitted.
    cdh : float
        Degradation coefficient for on/off cycling below minimum speed [1].
    p_off_W, p_to_W, p_sb_W, p_ck_W : float
        Off-mode powers [W] (default 0: SCOP = SCOP_on).
    reversible : bool
        Use the reversible-unit off-mode hours.
    cc : float
        Conversion coefficient for ηs.

    Returns
    -------
    SeasonalResult
    """
    season = reference_season(climate)
    from designopt.seasonal.climates import _as_application

    app = int(_as_application(application_degC))
    if not 0 < cdh <= 1:
        raise ConfigurationError(f"cdh={cdh} must be in (0, 1]")
    if defrost == "default":
        defrost = _default_defrost
    elif defrost is not None and not callable(defrost):
        raise ConfigurationError(
            f"defrost={defrost!r} must be 'default', None or a callable f(t_air_K, rh)"
        )
    m = MapArrays.from_dataset(pmap)
    tj = season.t_bin_K
    hours = season.hours_h
    flow = season.flow_temperature_K(tj, app)
    q, p = _capacity_max(m, tj, flow, defrost)  # (nb, ns)
    valid = np.isfinite(q) & np.isfinite(p)
    runs = valid.any(axis=1)
    q_max = np.where(runs, np.nanmax(np.where(valid, q, -np.inf), axis=1), np.nan)

    pl = season.part_load(tj)
    if design_load_W is not None:
        if t_biv_K is not None:
            raise ConfigurationError(
                "give either design_load_W (t_biv_K is then computed) or t_biv_K (the unit is "
                f"sized to meet the load there), not both: {design_load_W=}, {t_biv_K=}"
            )
        if not design_load_W > 0:
            raise ConfigurationError(f"design_load_W={design_load_W} must be > 0")
        pdesign = float(design_load_W)
    else:
        tb = season.t_design_K if t_biv_K is None else float(t_biv_K)
        if not season.t_design_K - 1e-9 <= tb < season.t_bin_K[-1] + 1:
            raise ConfigurationError(
                f"t_biv_K={tb} must lie between Tdesignh={season.t_design_K} K and "
                f"{season.t_bin_K[-1] + 1} K for the {season.climate.value} climate"
            )
        qb, _ = _capacity_max(
            m, np.array([tb]), season.flow_temperature_K(np.array([tb]), app), defrost
        )
        qb_max = np.nanmax(qb) if np.isfinite(qb).any() else np.nan
        if not np.isfinite(qb_max):
            raise ConfigurationError(
                f"the performance map has no valid point at t_biv_K={tb} K "
                f"(flow {float(season.flow_temperature_K(tb, app)):.2f} K); cannot size the unit"
            )
        pdesign = float(qb_max / season.part_load(tb))
    load = pdesign * pl

    # modulation: first speed index whose capacity reaches the load
    qv = np.where(valid, q, np.nan)
    pv = np.where(valid, p, np.nan)
    ns = q.shape[1]
    # lowest valid speed per bin
    first = np.argmax(valid, axis=1)
    rows = np.arange(tj.size)
    q_min = qv[rows, first]
    p_min = pv[rows, first]
    reach = valid & (qv >= load[:, None] * (1.0 - 1e-9))
    k = np.argmax(reach, axis=1)
    has = reach.any(axis=1)
    # the nearest valid speed below k (the map may have holes: failed points are NaN)
    idx = np.arange(ns)[None, :]
    below_ok = valid & (idx < k[:, None])
    k0 = np.where(below_ok.any(axis=1), np.where(below_ok, idx, -1).max(axis=1), k)
    qa, qb_ = qv[rows, k0], qv[rows, k]
    pa, pb = pv[rows, k0], pv[rows, k]
    sp = m.usable_speed
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(qb_ > qa, (load - qa) / (qb_ - qa), 1.0)
    w = np.clip(np.nan_to_num(w, nan=1.0), 0.0, 1.0)
    p_mod = pa + w * (pb - pa)
    s_mod = sp[k0] + w * (sp[k] - sp[k0])
    cycling = runs & (load <= q_min)
    modulating = runs & has & ~cycling
    full = runs & ~has
    cr = np.where(cycling, load / q_min, 1.0)
    cop_min = q_min / p_min
    cop_cyc = cop_min * cr / (cdh * cr + 1.0 - cdh)
    hp_heat = np.where(runs, np.where(full, q_max, load), 0.0)
    hp_heat = np.minimum(hp_heat, load)
    p_full = np.where(full, pv[rows, np.nanargmax(np.where(valid, q, -np.inf), axis=1)], 0.0)
    hp_power = np.select([cycling, modulating, full], [load / cop_cyc, p_mod, p_full], 0.0)
    hp_power = np.nan_to_num(hp_power)
    backup = load - hp_heat
    speed = np.select([cycling, modulating, full], [sp[first], s_mod, sp[-1]], np.nan)
    capacity = np.select([cycling, modulating, full], [q_min, load, q_max], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        cop_steady = np.select(
            [cycling, modulating, full], [cop_min, load / p_mod, q_max / p_full], np.nan
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        cop_bin = np.where(hp_power > 0, hp_heat / hp_power, np.nan)

    q_h = float((hours * load).sum())  # W·h
    e_hp = float((hours * hp_power).sum())
    e_bu = float((hours * backup).sum())
    scop_on = q_h / (e_hp + e_bu)
    scop_net = (q_h - e_bu) / e_hp if e_hp > 0 else np.nan
    off = off_mode_hours_for(season.climate, reversible)
    e_off = off["TO"] * p_to_W + off["SB"] * p_sb_W + off["CK"] * p_ck_W + off["OFF"] * p_off_W
    q_ref = pdesign * season.h_he_h
    scop = q_ref / (q_ref / scop_on + e_off)
    src = m.source_type
    # t_biv: warmest bin where the unit cannot meet the load (or Tdesignh)
    if t_biv_K is not None:
        t_biv = float(t_biv_K)
    else:
        short = ~(runs & has)
        t_biv = float(tj[np.flatnonzero(short)[-1]] + 1.0) if short.any() else season.t_design_K
    t_ol = float(tj[np.flatnonzero(runs)[0]]) if runs.any() else np.nan
    j_per_wh = 3600.0
    return SeasonalResult(
        scop=float(scop),
        scop_on=float(scop_on),
        scop_net=float(scop_net),
        eta_s_pct=float(eta_s_pct(scop, src, cc=cc)),
        pdesignh_W=pdesign,
        t_biv_K=t_biv,
        t_ol_K=t_ol,
        heat_J=q_ref * j_per_wh,
        electricity_J=(q_ref / scop_on + e_off) * j_per_wh,
        backup_J=e_bu * j_per_wh,
        t_bin_K=tj,
        hours_h=hours,
        load_W=load,
        hp_heat_W=hp_heat,
        hp_power_W=hp_power,
        backup_W=backup,
        cop_bin=cop_bin,
        capacity_W=capacity,
        cop_steady=cop_steady,
        cdh=float(cdh),
        speed=speed,
        flow_K=flow,
        climate=season.climate.value,
        application_degC=app,
    )


def off_mode_hours_for(climate, reversible):
    """Off-mode hours [h] of ``climate`` for a reversible or heating-only unit."""
    from designopt.seasonal.climates import off_mode_hours

    return off_mode_hours(climate, reversible=reversible)
