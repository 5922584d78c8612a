"""Borehole thermal resistance from pipe data, with pygfunction's pipe models.

The effective borehole thermal resistance ``R_b*`` [m K/W] (the resistance between the mean
fluid temperature and the borehole wall, including the thermal short-circuit between the down-
and up-going pipes) is computed with the multipole method (Claesson & Hellstrom 2011) as
implemented in pygfunction's ``SingleUTube`` / ``MultipleUTube`` classes, with the pipe
conduction resistance and the convective resistance of the Gnielinski / laminar correlation of
``pygfunction.pipes``.  ``R_b*`` depends on the borehole length (short-circuit), so it is a
function of ``H``.

References
----------
Claesson J., Hellstrom G. (2011) Multipole method to calculate borehole thermal resistances in
a borehole heat exchanger. HVAC&R Research 17(6) 895-911.
Cimmino M. (2018) pygfunction, eSim 2018 (see :mod:`designopt.ground.gfunction`).
"""

from __future__ import annotations

import enum
import functools
import math
from dataclasses import dataclass

from designopt.errors import ConfigurationError

__all__ = ["PipeKind", "Fluid", "BoreholeHeatExchanger"]


class PipeKind(enum.Enum):
    """U-tube configuration in the borehole."""

    SINGLE_U = "single_u"
    DOUBLE_U = "double_u"


def _pos(name: str, v: float) -> float:
    v = float(v)
    if not math.isfinite(v) or v <= 0.0:
        raise ConfigurationError(f"{name}={v!r} must be a finite number > 0")
    return v


@dataclass(frozen=True, kw_only=True)
class Fluid:
    """Heat-carrier fluid with constant properties.

    Parameters
    ----------
    density : float  [kg/m3]
    cp : float  specific heat capacity [J/(kg K)]
    viscosity : float  dynamic viscosity [Pa s]
    conductivity : float  [W/(m K)]
    """

    density: float
    cp: float
    viscosity: float
    conductivity: float

    def __post_init__(self) -> None:
        for name in ("density", "cp", "viscosity", "conductivity"):
            _pos(f"fluid {name}", getattr(self, name))

    @classmethod
    def water_glycol(cls, *, mixer: str = "MPG", percent: float = 25.0, t_K: float = 273.15):
        """Properties of a water/antifreeze mixture from pygfunction's ``media.Fluid``
        (CoolProp incompressible mixtures: 'MPG' propylene glycol, 'MEG' ethylene glycol,
        'MMA' methanol, 'MEA' ethanol; ``percent`` by mass; ``t_K`` temperature [K])."""
        import pygfunction as gt

        try:
            f = gt.media.Fluid(mixer, percent, T=t_K - 273.15)
        except Exception as exc:  # CoolProp raises ValueError / RuntimeError
            raise ConfigurationError(
                f"fluid mixer={mixer!r} at {percent}% and {t_K} K is not available: {exc}"
            ) from exc
        return cls(density=f.rho, cp=f.cp, viscosity=f.mu, conductivity=f.k)


@dataclass(frozen=True, kw_only=True)
class BoreholeHeatExchanger:
    """U-tube borehole heat exchanger; :meth:`resistance` gives ``R_b*(H)`` [m K/W].

    Parameters
    ----------
    kind : PipeKind
        Single or double U (double U in parallel).
    r_in, r_out : float
        Inner and outer pipe radius [m].
    shank_spacing : float
        Distance from the borehole centre to each pipe centre [m].
    k_pipe, k_grout : float
        Pipe and grout conductivity [W/(m K)].
    fluid : Fluid
        Heat carrier.
    m_flow_borehole : float
        Mass flow rate per borehole [kg/s].
    roughness : float
        Pipe roughness [m].
    """

    kind: PipeKind = PipeKind.SINGLE_U
    r_in: float
    r_out: float
    shank_spacing: float
    k_pipe: float
    k_grout: float
    fluid: Fluid
    m_flow_borehole: float
    roughness: float = 1.0e-6

    def __post_init__(self) -> None:
        for name in ("r_in", "r_out", "shank_spacing", "k_pipe", "k_grout", "m_flow_borehole"):
            _pos(name, getattr(self, name))
        if self.r_in >= self.r_out:
            raise ConfigurationError(
                f"pipe r_in={self.r_in} m must be smaller than r_out={self.r_out} m"
            )
        if not isinstance(self.kind, PipeKind):
            raise ConfigurationError(
                f"kind={self.kind!r} is not one of {[k.value for k in PipeKind]}"
            )

    def _check_fits(self, r_b: float) -> None:
        if self.shank_spacing + self.r_out > r_b:
            raise ConfigurationError(
                f"pipes do not fit in the borehole: shank_spacing + r_out = "
                f"{self.shank_spacing + self.r_out:.4f} m exceeds r_b = {r_b:.4f} m"
            )
        if self.kind is PipeKind.SINGLE_U and self.shank_spacing < self.r_out:
            raise ConfigurationError(
                f"single U pipes overlap: shank_spacing={self.shank_spacing} m < r_out="
                f"{self.r_out} m"
            )
        if self.kind is PipeKind.DOUBLE_U and self.shank_spacing * math.sqrt(2) < 2 * self.r_out:
            raise ConfigurationError(
                f"double U pipes overlap: shank_spacing*sqrt(2)={self.shank_spacing * 2**0.5:.4f}"
                f" m < 2*r_out={2 * self.r_out} m"
            )

    @property
    def n_pipes(self) -> int:
        """Number of U-tubes in the borehole."""
        return 1 if self.kind is PipeKind.SINGLE_U else 2

    def fluid_resistance(self) -> float:
        """Pipe conduction + inner convection resistance per pipe [m K/W]."""
        import pygfunction as gt

        m_pipe = self.m_flow_borehole / self.n_pipes
        h_f = gt.pipes.convective_heat_transfer_coefficient_circular_pipe(
            m_pipe,
            self.r_in,
            self.fluid.viscosity,
            self.fluid.density,
            self.fluid.conductivity,
            self.fluid.cp,
            self.roughness,
        )
        r_conv = 1.0 / (h_f * 2.0 * math.pi * self.r_in)
        r_cond = gt.pipes.conduction_thermal_resistance_circular_pipe(
            self.r_in, self.r_out, self.k_pipe
        )
        return r_conv + r_cond

    def resistance(self, *, H: float, r_b: float, D: float, k_ground: float) -> float:
        """Effective borehole thermal resistance ``R_b*`` [m K/W] at length ``H`` [m]."""
        return _resistance_cached(self, round(float(H), 3), float(r_b), float(D), float(k_ground))


@functools.lru_cache(maxsize=4096)
def _resistance_cached(bhe: BoreholeHeatExchanger, H: float, r_b: float, D: float, k_s: float):
    import pygfunction as gt

    bhe._check_fits(r_b)
    borehole = gt.boreholes.Borehole(H, D, r_b, 0.0, 0.0)
    s = bhe.shank_spacing
    R_fp = bhe.fluid_resistance()
    if bhe.kind is PipeKind.SINGLE_U:
        pipe = gt.pipes.SingleUTube(
            [(-s, 0.0), (s, 0.0)], bhe.r_in, bhe.r_out, borehole, k_s, bhe.k_grout, R_fp
        )
    else:
        pos = [(-s, 0.0), (0.0, -s), (s, 0.0), (0.0, s)]
        pipe = gt.pipes.MultipleUTube(
            pos, bhe.r_in, bhe.r_out, borehole, k_s, bhe.k_grout, R_fp, nPipes=2, config="parallel"
        )
    return float(pipe.effective_borehole_thermal_resistance(bhe.m_flow_borehole, bhe.fluid.cp))
