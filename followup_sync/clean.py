"""A push that has nothing to do for a provider need not list it or plan anything.

The desired state is made of the store's content and the settings, not of the day
(overdue items render like planned ones). So after a push that left a provider
exactly as planned, the provider is still in sync as long as the store revision,
the settings fingerprint and the provider's records are the same and the
provider's change token (e.g. the ICS file's inode, mtime and size) has not
moved. That check is a few cheap reads, where listing and planning 40,000 items
takes a second (issue: a near-free no-op at any size). The marker lives in the
provider's state, which the store keeps.
"""

from __future__ import annotations

import json

from .provider import Provider
from .sync import ApplyResult, Plan

CLEAN_STATE = "push.clean"


def key(revision: int, fingerprint: str, record_count: int) -> str:
    """What a push's outcome depends on besides the provider: the store revision it
    planned from, the settings fingerprint, and how many records the provider has."""
    return f"{revision}|{fingerprint}|{record_count}"


def still_clean(provider: Provider, key: str) -> bool:
    """Whether `key` (store revision, settings, record count) and the provider's change
    token are those of its last clean push."""
    state = provider.context.state.get(CLEAN_STATE)
    if not state:
        return False
    token = provider.change_token()
    return token is not None and json.loads(state).get("key") == f"{key}|{token}"


def unchanged_plan(provider: Provider) -> Plan:
    """The plan of a clean provider: what its last push left, all unchanged."""
    counts = json.loads(provider.context.state.get(CLEAN_STATE) or "{}")
    return Plan(
        unchanged=counts.get("unchanged", 0),
        skipped_dismissed=counts.get("skipped_dismissed", 0),
        foreign=counts.get("foreign", 0),
    )


def mark(provider: Provider, key: str, plan: Plan, result: ApplyResult) -> None:
    """Remember a push that left `provider` as planned (or forget the marker)."""
    token = None if (result.failed or result.errors) else provider.change_token()
    if token is None:
        provider.context.state[CLEAN_STATE] = None
        return
    in_sync = plan.unchanged + result.created + result.updated + result.adopted + result.kept
    provider.context.state[CLEAN_STATE] = json.dumps(
        {
            "key": f"{key}|{token}",
            "unchanged": in_sync,
            "skipped_dismissed": plan.skipped_dismissed,
            "foreign": plan.foreign,
        }
    )
