"""Refrigerant charge of a design: the saturated (or supercritical) densities the charge model
of :func:`designopt.economics.refrigerant_charge` takes, from the one CoolProp adapter."""

from __future__ import annotations

from designopt.errors import OperatingPointError

__all__ = ["saturated_densities"]


def saturated_densities(
    ref, *, t_evap_K: float, t_cond_K: float, t_discharge_K: float | None = None
) -> dict[str, float]:
    """Saturated liquid and vapour densities [kg/m3] at the evaporating and condensing
    temperatures [K], keyed as :func:`designopt.economics.refrigerant_charge` takes them.

    A transcritical cycle (``t_cond_K``, then the gas-cooler outlet temperature, at or above
    the critical temperature) has no saturation on the high side: its "liquid" and "vapour"
    densities are the supercritical densities at the gas-cooler pressure of the cycle model
    (:func:`designopt.cycle.transcritical.optimal_high_pressure`, Liao et al. 2000) at the
    gas-cooler outlet and at the discharge temperature ``t_discharge_K``."""
    from designopt.properties import fluid_limits, state_pt, state_tq

    name = ref.coolprop_name
    if t_cond_K >= fluid_limits(name).t_crit_K:
        from designopt.cycle.transcritical import optimal_high_pressure

        if t_discharge_K is None or not t_discharge_K > t_cond_K:
            raise OperatingPointError(
                f"{ref.name}: gas-cooler outlet at {t_cond_K:.2f} K needs a discharge temperature"
                f" above it for the charge estimate, got {t_discharge_K!r}"
            )
        p_gc = float(optimal_high_pressure(t_evap_K, t_cond_K))
        high = {
            "rho_liquid_cond_kg_m3": state_pt(name, p=p_gc, T=t_cond_K).rho,
            "rho_vapour_cond_kg_m3": state_pt(name, p=p_gc, T=t_discharge_K).rho,
        }
    else:
        high = {
            "rho_liquid_cond_kg_m3": state_tq(name, T=t_cond_K, q=0.0).rho,
            "rho_vapour_cond_kg_m3": state_tq(name, T=t_cond_K, q=1.0).rho,
        }
    return {
        **high,
        "rho_liquid_evap_kg_m3": state_tq(name, T=t_evap_K, q=0.0).rho,
        "rho_vapour_evap_kg_m3": state_tq(name, T=t_evap_K, q=1.0).rho,
    }
