"""Provider discovery through the entry-point group "followup_sync.providers".

Each entry point names a plugin module with `register(add)`; `add(type, "mod:Class")`
declares a provider type. Classes are imported only when used (caldav and todoist
are slow to import), and built-ins go through exactly this path too.

A plugin that fails to load is reported (`followup-sync providers` lists it) and
the others keep working; a plugin cannot take over a built-in type name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points

from .errors import ConfigError

GROUP = "followup_sync.providers"
#: The distribution whose provider types are built in.
BUILTIN_DISTRIBUTION = "followup-sync"


@dataclass(frozen=True)
class ProviderType:
    name: str
    target: str  # "module:Class"
    plugin: str  # the plugin module
    distribution: str
    version: str

    @property
    def builtin(self) -> bool:
        return self.distribution == BUILTIN_DISTRIBUTION


@dataclass(frozen=True)
class Registry:
    types: dict[str, ProviderType] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # one line per plugin that failed


@cache
def registry() -> Registry:
    found: dict[str, ProviderType] = {}
    problems: list[str] = []
    # Built-ins first, so a plugin registering one of their names is refused
    # whatever order the entry points come in.
    eps = sorted(
        entry_points(group=GROUP),
        key=lambda ep: (ep.dist is None or ep.dist.name != BUILTIN_DISTRIBUTION, ep.name),
    )
    for ep in eps:
        dist = ep.dist.name if ep.dist else "?"
        version = ep.dist.version if ep.dist else "?"

        def add(type_name: str, target: str, _m=ep.value, _d=dist, _v=version) -> None:
            old = found.get(type_name)
            if old is not None and old.builtin and _d != BUILTIN_DISTRIBUTION:
                problems.append(
                    f"plugin {_m!r} ({_d}) tried to replace the built-in provider type"
                    f" {type_name!r}; ignored"
                )
                return
            found[type_name] = ProviderType(type_name, target, _m, _d, _v)

        try:
            ep.load().register(add)
        except Exception as e:  # noqa: BLE001 - one broken plugin must not stop the rest
            text = str(e).splitlines()[0] if str(e) else ""
            problems.append(
                f"plugin {ep.value!r} ({dist}) failed to load: {type(e).__name__}"
                + (f": {text}" if text else "")
            )
    return Registry(found, problems)


def provider_types() -> dict[str, ProviderType]:
    return registry().types


def provider_class(type_name: str):
    types = provider_types()
    if type_name not in types:
        known = ", ".join(sorted(types)) or "none"
        hint = "; " + "; ".join(registry().problems) if registry().problems else ""
        raise ConfigError(f"unknown provider type {type_name!r} (installed: {known}){hint}")
    module_name, _, attr = types[type_name].target.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError) as e:
        raise ConfigError(f"provider type {type_name!r} cannot be imported: {e}") from None
