"""Provider discovery through the entry-point group "followup_sync.providers".

Each entry point names a plugin module with `register(add)`; `add(type, "mod:Class")`
declares a provider type. Classes are imported only when used (caldav and todoist
are slow to import), and built-ins go through exactly this path too.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points

from .errors import ConfigError

GROUP = "followup_sync.providers"


@dataclass(frozen=True)
class ProviderType:
    name: str
    target: str  # "module:Class"
    plugin: str  # the plugin module
    distribution: str
    version: str


@cache
def provider_types() -> dict[str, ProviderType]:
    found: dict[str, ProviderType] = {}
    for ep in entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist else "?"
        version = ep.dist.version if ep.dist else "?"
        try:
            module = ep.load()
        except Exception as e:  # noqa: BLE001 - one broken plugin must not stop the rest
            raise ConfigError(
                f"provider plugin {ep.value!r} ({dist}) failed to load: {e}"
            ) from None

        def add(type_name: str, target: str, _m=ep.value, _d=dist, _v=version) -> None:
            found[type_name] = ProviderType(type_name, target, _m, _d, _v)

        module.register(add)
    return found


def provider_class(type_name: str):
    types = provider_types()
    if type_name not in types:
        known = ", ".join(sorted(types)) or "none"
        raise ConfigError(f"unknown provider type {type_name!r} (installed: {known})")
    module_name, _, attr = types[type_name].target.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except ImportError as e:
        raise ConfigError(f"provider type {type_name!r} cannot be imported: {e}") from None
