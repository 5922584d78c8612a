"""Noise: outdoor-unit sound power, quiet mode, and the level at neighbours' receivers.

Pure, vectorised functions on plain numbers / numpy arrays. See ``docs/noise.md``.
"""

from designopt.noise.propagation import (
    AIR_ABSORPTION_500HZ_DB_PER_M,
    BARRIER_ATTENUATION_DB,
    DEFAULT_LIMIT_DBA,
    Barrier,
    Method,
    barrier_attenuation,
    combine_levels,
    directivity,
    iso9613_barrier_attenuation,
    point_source_level,
    sound_pressure_level,
)
from designopt.noise.receivers import (
    NoiseAssessment,
    Receiver,
    SoundPowerLimit,
    max_sound_power,
    receiver_levels,
)
from designopt.noise.sound_power import (
    CompressorType,
    compressor_sound_power,
    fan_pressure_rise,
    fan_sound_power,
    fan_tip_speed,
    outdoor_unit_sound_power,
    quiet_mode_speed_ratio,
    typical_outdoor_unit,
)

__all__ = [
    "AIR_ABSORPTION_500HZ_DB_PER_M",
    "BARRIER_ATTENUATION_DB",
    "DEFAULT_LIMIT_DBA",
    "Barrier",
    "CompressorType",
    "Method",
    "NoiseAssessment",
    "Receiver",
    "SoundPowerLimit",
    "barrier_attenuation",
    "combine_levels",
    "compressor_sound_power",
    "directivity",
    "fan_pressure_rise",
    "fan_sound_power",
    "fan_tip_speed",
    "iso9613_barrier_attenuation",
    "max_sound_power",
    "outdoor_unit_sound_power",
    "point_source_level",
    "quiet_mode_speed_ratio",
    "receiver_levels",
    "sound_pressure_level",
    "typical_outdoor_unit",
]
