"""Source plug-ins of the evaluation core and their registry.

Each plug-in module builds one :class:`~designopt.evaluate.sources.base.SourceModel` as
``SOURCE``; the registry imports every module named in :data:`designopt.catalogue.SOURCES`
(the one registration of a source type), so a new source type edits nothing here.
:func:`register` adds a model at run time (e.g. in a test or a notebook).
"""

from __future__ import annotations

import importlib

from designopt.catalogue import SOURCES
from designopt.errors import ConfigurationError
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


for _name, _entry in SOURCES.items():
    _model = importlib.import_module(_entry.module).SOURCE
    if _model.name != _name:
        raise ConfigurationError(
            f"catalogue.SOURCES[{_name!r}] names {_entry.module}, whose SOURCE serves "
            f"{_model.name!r}"
        )
    register(_model)
