"""Borefield geometry and ground properties.

A :class:`Borefield` is a set of vertical boreholes of equal length ``H`` [m], buried depth ``D``
[m] (depth of the borehole top below the surface) and radius ``r_b`` [m] at plan coordinates
``x``, ``y`` [m].  Constructors build the usual layouts (rectangle, L, U, line) or take custom
coordinates.  :class:`Ground` holds the undisturbed ground: conductivity, volumetric heat
capacity and either a uniform undisturbed temperature or a surface temperature plus a geothermal
gradient (then the effective undisturbed temperature is the mean over the borehole length).

Everything is SI: m, W/(m K), J/(m3 K), K.
"""

from __future__ import annotations

import copy
import enum
import math
from dataclasses import dataclass, field

import numpy as np

from designopt.errors import ConfigurationError

__all__ = ["Layout", "Borefield", "Ground"]


class Layout(enum.Enum):
    """Named borefield layouts (``custom`` = coordinates given)."""

    RECTANGLE = "rectangle"
    L_SHAPE = "L"
    U_SHAPE = "U"
    LINE = "line"
    CUSTOM = "custom"


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0.0:
        raise ConfigurationError(f"{name}={value!r} must be a finite number > 0")
    return value


@dataclass(frozen=True, kw_only=True)
class Borefield:
    """Vertical boreholes of equal length.

    Parameters
    ----------
    x, y : tuple of float
        Plan coordinates of the borehole centres [m].
    H : float
        Active borehole length [m] (> 0).
    D : float
        Buried depth of the borehole top [m] (>= 0).
    r_b : float
        Borehole radius [m] (> 0).
    layout : Layout
        Name of the layout the coordinates came from (informative).
    spacing : float or None
        Nominal spacing [m] of a regular layout, ``None`` for custom coordinates.

    Raises
    ------
    ConfigurationError
        If a length is not positive or two boreholes overlap (centre distance < 2 r_b).
    """

    x: tuple[float, ...]
    y: tuple[float, ...]
    H: float
    D: float = 4.0
    r_b: float = 0.075
    layout: Layout = Layout.CUSTOM
    spacing: float | None = None
    shape: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "H", _positive("H (borehole length, m)", self.H))
        object.__setattr__(self, "r_b", _positive("r_b (borehole radius, m)", self.r_b))
        d = float(self.D)
        if not math.isfinite(d) or d < 0.0:
            raise ConfigurationError(f"D (buried depth, m)={d!r} must be a finite number >= 0")
        object.__setattr__(self, "D", d)
        x = tuple(float(v) for v in np.atleast_1d(self.x))
        y = tuple(float(v) for v in np.atleast_1d(self.y))
        if len(x) == 0 or len(x) != len(y):
            raise ConfigurationError(
                f"borefield coordinates need as many x as y values and at least one borehole, "
                f"got len(x)={len(x)}, len(y)={len(y)}"
            )
        if not all(math.isfinite(v) for v in x + y):
            raise ConfigurationError("borefield coordinates must be finite numbers")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        if len(x) > 1:
            xa, ya = np.asarray(x), np.asarray(y)
            dist = np.hypot(xa[:, None] - xa[None, :], ya[:, None] - ya[None, :])
            np.fill_diagonal(dist, np.inf)
            i, j = np.unravel_index(np.argmin(dist), dist.shape)
            if dist[i, j] < 2.0 * self.r_b:
                raise ConfigurationError(
                    f"boreholes {i} at ({x[i]:.3f}, {y[i]:.3f}) m and {j} at ({x[j]:.3f}, "
                    f"{y[j]:.3f}) m overlap: centre distance {dist[i, j]:.3f} m must be at least "
                    f"2*r_b = {2 * self.r_b:.3f} m"
                )
        if self.spacing is not None:
            object.__setattr__(self, "spacing", _positive("spacing (m)", self.spacing))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def rectangle(
        cls,
        *,
        nx: int,
        ny: int,
        spacing: float,
        H: float,
        D: float = 4.0,
        r_b: float = 0.075,
        spacing_y: float | None = None,
    ) -> Borefield:
        """``nx`` x ``ny`` boreholes on a regular grid (spacing ``spacing`` [m] along x,
        ``spacing_y`` along y, default equal)."""
        nx, ny = _count("nx", nx), _count("ny", ny)
        bx = _positive("spacing (m)", spacing)
        by = bx if spacing_y is None else _positive("spacing_y (m)", spacing_y)
        xx, yy = np.meshgrid(np.arange(nx) * bx, np.arange(ny) * by, indexing="xy")
        return cls(
            x=tuple(xx.ravel()),
            y=tuple(yy.ravel()),
            H=H,
            D=D,
            r_b=r_b,
            layout=Layout.RECTANGLE,
            spacing=bx,
            shape=(nx, ny),
        )

    @classmethod
    def line(cls, *, n: int, spacing: float, H: float, D: float = 4.0, r_b: float = 0.075):
        """``n`` boreholes in a straight line."""
        n = _count("n", n)
        bx = _positive("spacing (m)", spacing)
        return cls(
            x=tuple(np.arange(n) * bx),
            y=(0.0,) * n,
            H=H,
            D=D,
            r_b=r_b,
            layout=Layout.LINE,
            spacing=bx,
            shape=(n,),
        )

    @classmethod
    def l_shape(
        cls, *, nx: int, ny: int, spacing: float, H: float, D: float = 4.0, r_b: float = 0.075
    ) -> Borefield:
        """An L: ``nx`` boreholes along x and ``ny`` along y sharing the corner borehole."""
        nx, ny = _count("nx", nx), _count("ny", ny)
        b = _positive("spacing (m)", spacing)
        pts = {(i * b, 0.0) for i in range(nx)} | {(0.0, j * b) for j in range(ny)}
        pts_sorted = sorted(pts, key=lambda p: (p[1], p[0]))
        return cls(
            x=tuple(p[0] for p in pts_sorted),
            y=tuple(p[1] for p in pts_sorted),
            H=H,
            D=D,
            r_b=r_b,
            layout=Layout.L_SHAPE,
            spacing=b,
            shape=(nx, ny),
        )

    @classmethod
    def u_shape(
        cls, *, nx: int, ny: int, spacing: float, H: float, D: float = 4.0, r_b: float = 0.075
    ) -> Borefield:
        """A U: ``nx`` boreholes along the base (x) and two legs of ``ny`` boreholes (y)."""
        nx, ny = _count("nx", nx), _count("ny", ny)
        if nx < 3:
            raise ConfigurationError(f"a U-shaped field needs nx >= 3, got nx={nx}")
        b = _positive("spacing (m)", spacing)
        pts = (
            {(i * b, 0.0) for i in range(nx)}
            | {(0.0, j * b) for j in range(ny)}
            | {((nx - 1) * b, j * b) for j in range(ny)}
        )
        pts_sorted = sorted(pts, key=lambda p: (p[1], p[0]))
        return cls(
            x=tuple(p[0] for p in pts_sorted),
            y=tuple(p[1] for p in pts_sorted),
            H=H,
            D=D,
            r_b=r_b,
            layout=Layout.U_SHAPE,
            spacing=b,
            shape=(nx, ny),
        )

    @classmethod
    def from_coordinates(
        cls, *, coordinates, H: float, D: float = 4.0, r_b: float = 0.075
    ) -> Borefield:
        """Boreholes at custom plan ``coordinates`` [m], an (n, 2) array-like."""
        xy = np.asarray(coordinates, dtype=float)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ConfigurationError(
                f"coordinates must be an (n, 2) array of x, y in m, got shape {xy.shape}"
            )
        return cls(x=tuple(xy[:, 0]), y=tuple(xy[:, 1]), H=H, D=D, r_b=r_b)

    # ------------------------------------------------------------------ helpers
    @property
    def n_boreholes(self) -> int:
        """Number of boreholes [1]."""
        return len(self.x)

    @property
    def total_length(self) -> float:
        """Total drilled active length ``N * H`` [m]."""
        return self.n_boreholes * self.H

    def with_length(self, H: float) -> Borefield:
        """The same layout with borehole length ``H`` [m] (only ``H`` is re-validated)."""
        H = _positive("H (borehole length, m)", H)
        if H == self.H:
            return self
        new = copy.copy(self)
        object.__setattr__(new, "H", H)
        return new

    def normalised_key(self) -> dict:
        """Geometry that fixes the g-function family apart from ``H``: coordinates, ``D``,
        ``r_b`` (rounded to 0.1 mm so equal fields share a cache entry)."""
        xy = np.round(np.c_[self.x, self.y] - [min(self.x), min(self.y)], 4)
        order = np.lexsort((xy[:, 0], xy[:, 1]))
        return {"xy": xy[order].tolist(), "D": round(self.D, 4), "r_b": round(self.r_b, 5)}


def _count(name: str, n) -> int:
    if int(n) != n or int(n) < 1:
        raise ConfigurationError(f"{name}={n!r} must be an integer >= 1")
    return int(n)


@dataclass(frozen=True, kw_only=True)
class Ground:
    """Undisturbed ground.

    Parameters
    ----------
    conductivity : float
        Thermal conductivity ``k_s`` [W/(m K)].
    volumetric_heat_capacity : float
        ``rho c`` [J/(m3 K)].
    t_undisturbed : float
        Undisturbed ground temperature [K], used when ``geothermal_gradient`` is ``None``;
        with a gradient it is the temperature at the surface (0 m depth).
    geothermal_gradient : float or None
        Temperature increase with depth [K/m] (typically 0.02-0.03).  The effective
        undisturbed temperature of a borehole is then the mean over its active length,
        ``t_undisturbed + gradient * (D + H / 2)``.
    """

    conductivity: float
    volumetric_heat_capacity: float
    t_undisturbed: float
    geothermal_gradient: float | None = None

    def __post_init__(self) -> None:
        _positive("conductivity (W/(m K))", self.conductivity)
        _positive("volumetric_heat_capacity (J/(m3 K))", self.volumetric_heat_capacity)
        t = float(self.t_undisturbed)
        if not (200.0 < t < 400.0):
            raise ConfigurationError(
                f"t_undisturbed={t!r} K is outside 200-400 K; give the temperature in kelvin"
            )
        if self.geothermal_gradient is not None and not (
            -0.2 < float(self.geothermal_gradient) < 0.2
        ):
            raise ConfigurationError(
                f"geothermal_gradient={self.geothermal_gradient!r} K/m must be within "
                f"-0.2..0.2 K/m (typical 0.02-0.03)"
            )

    @property
    def diffusivity(self) -> float:
        """Thermal diffusivity ``k / (rho c)`` [m2/s]."""
        return self.conductivity / self.volumetric_heat_capacity

    def t_ground(self, *, H: float, D: float) -> float:
        """Effective undisturbed temperature [K] of a borehole of length ``H`` buried at ``D``."""
        if self.geothermal_gradient is None:
            return float(self.t_undisturbed)
        return float(self.t_undisturbed + self.geothermal_gradient * (D + 0.5 * H))
