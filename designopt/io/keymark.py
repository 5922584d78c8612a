"""Read declared EN 14825 heating performance from Heat Pump Keymark CSV exports.

The column layout is that of the Keymark collection described in ``docs/seasonal_en14825.md``
(one row per model, climate and application): ``climate``, ``hp_type``, ``reversible``,
``application_C``, ``Prated_kW``, ``Tbiv_C``, ``TOL_C``, ``Pdh_<pt>_kW``, ``COPd_<pt>``,
``Cdh_<pt>`` for ``pt`` in ``m15, m7, p2, p7, p12, tbiv, tol`` (no ``Cdh_tbiv``), and
``Poff_W``, ``PTO_W``, ``PSB_W``, ``PCK_W``. Other columns (``SCOP``, ``eta_s_pct``, names ...)
are kept untouched. A blank cell means "not declared".

Placeholder declarations (Pdh < 0.05 kW or COPd < 0.5, e.g. ``0.01``) are read as not declared,
as in the Keymark collection's own cleaning rules.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from designopt.errors import DataFormatError
from designopt.seasonal.en14825 import POINTS, DeclaredPerformance

ZERO_CELSIUS_K = 273.15

#: Keymark column suffix of each point of :data:`designopt.seasonal.en14825.POINTS`.
POINT_SUFFIX = {"G": "m15", "A": "m7", "B": "p2", "C": "p7", "D": "p12", "F": "tbiv", "E": "tol"}
#: Columns that must be present in the file.
REQUIRED_COLUMNS = (
    "climate",
    "hp_type",
    "reversible",
    "Prated_kW",
    "Tbiv_C",
    "TOL_C",
    "Poff_W",
    "PTO_W",
    "PSB_W",
    "PCK_W",
    *(f"Pdh_{POINT_SUFFIX[p]}_kW" for p in ("B", "C", "D", "F", "E")),
    *(f"COPd_{POINT_SUFFIX[p]}" for p in ("B", "C", "D", "F", "E")),
)
#: Declarations below these values are placeholders (read as not declared).
PDH_PLACEHOLDER_KW = 0.05
COP_PLACEHOLDER = 0.5


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a Keymark-layout CSV into a DataFrame, checking the required columns.

    Leading lines starting with ``#`` (a source note) are skipped.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as fh:
            n_comment = 0
            for line in fh:
                if not line.startswith("#"):
                    break
                n_comment += 1
        df = pd.read_csv(path, skiprows=n_comment, dtype={"qc_flags": str}, encoding="utf-8")
    except FileNotFoundError:
        raise DataFormatError(f"declared-performance file {str(path)!r} does not exist") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{str(path)!r} is not a readable CSV file: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise DataFormatError(
            f"{str(path)!r} lacks the Keymark column(s) {missing}; required: {list(REQUIRED_COLUMNS)}"
        )
    return df


#: Largest plausible declared COPd [1] (certified units stay below about 10 at the EN 14825
#: points; a COPd in per cent is 100 times larger).
COP_MAX_PLAUSIBLE = 15.0
#: Largest plausible Prated [kW] (Regulation 813/2013 covers heaters up to 400 kW).
PRATED_MAX_KW = 1000.0
#: Largest plausible ratio of a declared Pdh to Prated, either way [1] (a value in W instead
#: of kW is 1000 times off).
PDH_PRATED_MAX = 20.0


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)


def declared_from_frame(df: pd.DataFrame) -> tuple[DeclaredPerformance, np.ndarray]:
    """Build :class:`DeclaredPerformance` from a Keymark-layout DataFrame.

    Returns
    -------
    (DeclaredPerformance, numpy.ndarray)
        The records, and a per-row status text (``""`` when the row's identity columns could
        be read; otherwise why it cannot be rated; such rows carry placeholder values).
    """
    n = len(df)
    status = np.full(n, "", dtype=object)
    clim = df["climate"].astype(str).str.strip().str.lower().to_numpy(dtype=object)
    bad_clim = ~np.isin(clim, ["average", "colder", "warmer"])
    status[bad_clim] = [
        f"climate={c!r} not one of ['average', 'colder', 'warmer']" for c in clim[bad_clim]
    ]
    clim = np.where(bad_clim, "average", clim)
    src = df["hp_type"].astype(str).str.strip().str.lower().to_numpy(dtype=object)
    src_ok = np.isin(src, ["air/water", "brine/water", "water/water", "air", "brine", "water"])
    for i in np.flatnonzero(~src_ok & (status == "")):
        status[i] = f"hp_type={src[i]!r} not one of ['air/water', 'brine/water', 'water/water']"
    src = np.where(src_ok, src, "air")
    rev_raw = _num(df, "reversible")
    rev = np.nan_to_num(rev_raw, nan=0.0) > 0.5
    pdh = np.full((n, len(POINTS)), np.nan)
    cop = np.full((n, len(POINTS)), np.nan)
    cdh = np.full((n, len(POINTS)), np.nan)
    for j, p in enumerate(POINTS):
        sfx = POINT_SUFFIX[p]
        pdh[:, j] = _num(df, f"Pdh_{sfx}_kW") * 1e3
        cop[:, j] = _num(df, f"COPd_{sfx}")
        cdh[:, j] = _num(df, f"Cdh_{sfx}")
    placeholder = (pdh < PDH_PLACEHOLDER_KW * 1e3) | (cop < COP_PLACEHOLDER)
    pdh[placeholder] = np.nan
    cop[placeholder] = np.nan
    # unit mistakes: a COPd in per cent, a Pdh or Prated in W (rated as such they give SCOPs
    # of 184-524 or 0.04-4.8 that look like results)
    prated = _num(df, "Prated_kW")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = pdh / (prated[:, None] * 1e3)
    for i in np.flatnonzero(status == ""):
        j = np.flatnonzero(cop[i] > COP_MAX_PLAUSIBLE)
        if j.size:
            status[i] = (
                f"COPd_{POINT_SUFFIX[POINTS[j[0]]]}={cop[i, j[0]]:g} exceeds "
                f"{COP_MAX_PLAUSIBLE:g}: COPd is a ratio, not a percentage"
            )
        elif prated[i] > PRATED_MAX_KW:
            status[i] = (
                f"Prated_kW={prated[i]:g} exceeds {PRATED_MAX_KW:g} kW (EN 14825 / Regulation "
                "813/2013 cover units up to 400 kW): is it in W?"
            )
        elif np.any((ratio[i] > PDH_PRATED_MAX) | (ratio[i] < 1.0 / PDH_PRATED_MAX)):
            k = int(np.nanargmax(np.abs(np.log(ratio[i]))))
            status[i] = (
                f"Pdh_{POINT_SUFFIX[POINTS[k]]}_kW={pdh[i, k] / 1e3:g} is {ratio[i, k]:.3g} times "
                f"Prated_kW={prated[i]:g}: are both in kW?"
            )
    dp = DeclaredPerformance(
        climate=clim,
        prated_W=_num(df, "Prated_kW") * 1e3,
        t_biv_K=_num(df, "Tbiv_C") + ZERO_CELSIUS_K,
        t_ol_K=_num(df, "TOL_C") + ZERO_CELSIUS_K,
        pdh_W=pdh,
        cop=cop,
        cdh=cdh,
        p_off_W=_num(df, "Poff_W"),
        p_to_W=_num(df, "PTO_W"),
        p_sb_W=_num(df, "PSB_W"),
        p_ck_W=_num(df, "PCK_W"),
        reversible=rev,
        source_type=src,
        application_degC=_num(df, "application_C"),
    )
    return dp, status.astype(str)


def read_declared(path: str | Path) -> tuple[DeclaredPerformance, pd.DataFrame, np.ndarray]:
    """Read a Keymark-layout CSV.

    Returns
    -------
    (DeclaredPerformance, pandas.DataFrame, numpy.ndarray)
        The records, the file as read (all columns) and a per-row status (``""`` = readable).
    """
    df = read_table(path)
    dp, status = declared_from_frame(df)
    return dp, df, status
