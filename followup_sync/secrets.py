"""Secrets (CalDAV passwords, Todoist tokens): resolved late, never stored, always redacted.

A provider option prefix such as "password" is looked up, in order, as
`password_env` (name of an environment variable), `password_cmd` (a command whose
first output line is the secret, e.g. "pass show dav"), the keyring (service
"followup-sync", user "NAME.password", then just the provider's NAME) when the
keyring package is installed, and last `password` in clear in the config, for
users who insist. "NAME.prefix" tells apart a provider's several secrets (an S3
target's access_key_id and secret_access_key). Every value is
registered with redaction.py the moment it is resolved.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .errors import ConfigError
from .redaction import remember


def resolve(prefix: str, options: Mapping[str, Any], owner: str) -> str | None:
    """The secret named `prefix` for provider `owner`, or None when none is configured."""
    env_name = options.get(f"{prefix}_env")
    if env_name:
        value = os.environ.get(str(env_name))
        if not value:
            raise ConfigError(
                f"{owner}: environment variable {env_name} (from {prefix}_env) is not set"
            )
        return remember(value)
    cmd = options.get(f"{prefix}_cmd")
    if cmd:
        import shlex
        import subprocess

        args = shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ConfigError(
                f"{owner}: {prefix}_cmd could not run: {e.__class__.__name__}"
            ) from None
        if out.returncode != 0 or not out.stdout.strip():
            # Never echo the command's output: it may hold the secret.
            raise ConfigError(f"{owner}: {prefix}_cmd exited {out.returncode} without a secret")
        return remember(out.stdout.splitlines()[0].strip())
    value = _from_keyring(f"{owner}.{prefix}") or _from_keyring(owner)
    if value:
        return remember(value)
    value = options.get(prefix)
    if value:
        return remember(str(value))
    return None


def _from_keyring(owner: str) -> str | None:
    if os.environ.get("FOLLOWUP_SYNC_NO_KEYRING"):
        return None
    try:
        import keyring  # optional extra
    except ImportError:
        return None
    try:
        return keyring.get_password("followup-sync", owner)
    except Exception:  # noqa: BLE001 - a broken keyring backend must not stop a push
        return None
