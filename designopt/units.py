"""Unit conversions used at the edges (SI inside, degC / bar / kW at the front ends)."""

from __future__ import annotations

import numpy as np

ZERO_CELSIUS_K = 273.15


def degC_to_K(t_degC):
    """Convert a temperature from degree Celsius to kelvin."""
    return (
        np.asarray(t_degC, dtype=float) + ZERO_CELSIUS_K
        if np.ndim(t_degC)
        else float(t_degC) + ZERO_CELSIUS_K
    )


def K_to_degC(t_K):
    """Convert a temperature from kelvin to degree Celsius."""
    return (
        np.asarray(t_K, dtype=float) - ZERO_CELSIUS_K
        if np.ndim(t_K)
        else float(t_K) - ZERO_CELSIUS_K
    )


def degF_to_K(t_degF):
    """Convert a temperature from degree Fahrenheit to kelvin."""
    return (np.asarray(t_degF, dtype=float) - 32.0) * 5.0 / 9.0 + ZERO_CELSIUS_K
