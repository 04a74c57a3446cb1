"""Restore the store from a backup, keeping the current store aside."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from .errors import StoreError, UserInputError
from .store import SCHEMA_VERSION, STORE_NAME


def restore_store(data_dir: Path, backup: Path) -> Path | None:
    if not backup.is_file():
        raise UserInputError(f"no such backup file: {backup}")
    try:
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute("SELECT count(*) FROM applications").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise UserInputError(f"{backup} is not a followup-sync backup ({e})") from None
    if ok != "ok":
        raise UserInputError(f"{backup} is damaged ({ok}); nothing was changed")
    if not 1 <= version <= SCHEMA_VERSION:
        raise StoreError(
            f"{backup} has schema version {version}; this followup-sync reads up to {SCHEMA_VERSION}"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / STORE_NAME
    kept = None
    if target.exists():
        kept = target.with_name(f"{STORE_NAME}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(target, kept)
        for suffix in ("-wal", "-shm"):
            side = Path(str(target) + suffix)
            if side.exists():
                os.replace(side, Path(str(kept) + suffix))
    tmp = target.with_name(f".{STORE_NAME}.restoring")
    # Owner-only from the first byte, as the store itself (copyfile alone would create
    # the copy with the umask's mode, e.g. 0644, until the chmod below).
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, open(backup, "rb") as src:
        shutil.copyfileobj(src, out)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return kept
