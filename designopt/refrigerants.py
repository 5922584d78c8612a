"""Catalogue of the refrigerants designopt can use: CoolProp name, GWP, safety class, LFL.

Sources
-------
GWP100, AR4 basis (``gwp100``): IPCC AR4 WG1 (Forster et al. 2007, ch. 2, table 2.14) as listed
in Regulation (EU) No 517/2014 (F-gas), Annex I; blends by mass-weighted sum (Annex IV).
Substances AR4 does not list (hydrocarbons, HFOs, NH3) take the value of Regulation (EU)
No 517/2014 Annex II / IV (R1234yf 4, R1234ze(E) 7, propane 3, isobutane 3, NH3 0).

GWP100, AR5 basis (``gwp100_ar5``): IPCC AR5 WG1 (Myhre et al. 2013, ch. 8, table 8.A.1);
blends by mass-weighted sum; ``None`` where AR5 gives no value (hydrocarbons) and ``<1`` entries
stored as 1.

Safety class: ANSI/ASHRAE Standard 34-2022 (and ISO 817:2014).
Lower flammability limit (LFL) [kg/m3]: ASHRAE 34-2022 / ISO 817:2014 tables, at 23 degC and
101.3 kPa (used by IEC 60335-2-40 charge limits).

Critical and triple point come from CoolProp through :mod:`designopt.properties`.

Blends: CoolProp models R410A and R407C as pseudo-pure fluids (Lemmon 2003, Int. J.
Thermophys. 24(4), 991-1006, doi:10.1023/A:1025048800563) whose bubble and dew lines differ
(glide about 0.1 K for R410A, 5-6 K for R407C); see docs/properties.md for the dew/bubble
convention.
"""

from __future__ import annotations

import dataclasses

from designopt.errors import ConfigurationError

__all__ = ["Refrigerant", "get", "names"]


@dataclasses.dataclass(frozen=True, slots=True)
class Refrigerant:
    """One refrigerant of the catalogue.

    Attributes
    ----------
    name : str
        ASHRAE designation used in designopt (e.g. ``"R290"``).
    coolprop_name : str
        CoolProp fluid name.
    gwp100 : float
        100-year global warming potential, AR4 basis (EU F-gas Regulation 517/2014) [1].
    gwp100_ar5 : float or None
        100-year global warming potential, IPCC AR5 [1]; None where AR5 gives none.
    safety_class : str
        ASHRAE 34 safety group (A1, A2L, A3, B2L ...).
    lfl_kg_m3 : float or None
        Lower flammability limit [kg/m3]; None for non-flammable refrigerants.
    composition : str
        Chemical name or blend composition (mass fractions).
    """

    name: str
    coolprop_name: str
    gwp100: float
    gwp100_ar5: float | None
    safety_class: str
    lfl_kg_m3: float | None
    composition: str

    @property
    def flammable(self) -> bool:
        """True for safety classes 2L, 2 and 3."""
        return self.safety_class[1:] != "1"

    @property
    def limits(self):
        """:class:`designopt.properties.FluidLimits` from CoolProp (imports CoolProp)."""
        from designopt.properties import fluid_limits

        return fluid_limits(self.coolprop_name)

    @property
    def t_crit_K(self) -> float:
        """Critical temperature [K] (CoolProp)."""
        return self.limits.t_crit_K

    @property
    def p_crit_Pa(self) -> float:
        """Critical pressure [Pa] (CoolProp)."""
        return self.limits.p_crit_Pa

    @property
    def t_triple_K(self) -> float:
        """Triple-point temperature (lower limit of the model for blends) [K] (CoolProp)."""
        return self.limits.t_triple_K

    @property
    def p_triple_Pa(self) -> float:
        """Saturation pressure at the triple point [Pa] (CoolProp)."""
        return self.limits.p_triple_Pa


_CATALOGUE: dict[str, Refrigerant] = {
    r.name: r
    for r in (
        Refrigerant("R290", "Propane", 3.0, None, "A3", 0.038, "propane"),
        Refrigerant("R32", "R32", 675.0, 677.0, "A2L", 0.307, "difluoromethane"),
        Refrigerant("R410A", "R410A", 2088.0, 1924.0, "A1", None, "R32/R125 0.50/0.50"),
        Refrigerant("R407C", "R407C", 1774.0, 1624.0, "A1", None, "R32/R125/R134a 0.23/0.25/0.52"),
        Refrigerant("R134a", "R134a", 1430.0, 1300.0, "A1", None, "1,1,1,2-tetrafluoroethane"),
        Refrigerant("R1234yf", "R1234yf", 4.0, 1.0, "A2L", 0.289, "2,3,3,3-tetrafluoropropene"),
        Refrigerant(
            "R1234ze(E)", "R1234ze(E)", 7.0, 1.0, "A2L", 0.303, "trans-1,3,3,3-tetrafluoropropene"
        ),
        Refrigerant("R600a", "IsoButane", 3.0, None, "A3", 0.043, "isobutane"),
        Refrigerant("R717", "Ammonia", 0.0, 0.0, "B2L", 0.116, "ammonia"),
        Refrigerant("R744", "CarbonDioxide", 1.0, 1.0, "A1", None, "carbon dioxide"),
    )
}


def names() -> tuple[str, ...]:
    """Return the designations of all catalogued refrigerants."""
    return tuple(_CATALOGUE)


def get(name: str) -> Refrigerant:
    """Return the catalogue entry of ``name`` (ASHRAE designation, case-insensitive).

    Raises
    ------
    ConfigurationError
        If ``name`` is not in the catalogue; the message lists the valid names.
    """
    if isinstance(name, Refrigerant):
        return name
    key = str(name).strip().upper().replace("-", "")
    for ref in _CATALOGUE.values():
        if key in (ref.name.upper(), ref.coolprop_name.upper()):
            return ref
    raise ConfigurationError(f"refrigerant {name!r} is unknown; valid: {', '.join(names())}")
