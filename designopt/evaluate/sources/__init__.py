"""Source plug-ins of the evaluation core and their registry.

Each module builds one :class:`~designopt.evaluate.sources.base.SourceModel`; registering it
here makes it available to :func:`designopt.evaluate.assess` by its ``[source] type``.
"""

from __future__ import annotations

from designopt.errors import ConfigurationError
from designopt.evaluate.sources import air, ground, hybrid, water
from designopt.evaluate.sources.base import SourceModel

__all__ = ["REGISTRY", "SourceModel", "get", "register"]

#: Registered sources by name.
REGISTRY: dict[str, SourceModel] = {}


def register(model: SourceModel) -> SourceModel:
    """Register ``model`` under its name (a second model of the same name is refused)."""
    if model.name in REGISTRY and REGISTRY[model.name] is not model:
        raise ConfigurationError(f"a source named {model.name!r} is already registered")
    REGISTRY[model.name] = model
    return model


def get(name: str) -> SourceModel:
    """The registered source ``name``."""
    try:
        return REGISTRY[str(name)]
    except KeyError:
        raise ConfigurationError(
            f"source type {name!r} has no registered model; valid: {sorted(REGISTRY)}"
        ) from None


for _module in (air, water, ground, hybrid):
    register(_module.SOURCE)
