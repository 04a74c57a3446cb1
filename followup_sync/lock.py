"""One writer of a data dir's remote state at a time: `push` and `restore` take this lock.

A second push waits (FOLLOWUP_SYNC_LOCK_WAIT seconds, default 30), then refuses
clearly; a restore must not move the store aside under a running push.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import StoreError

LOCK_FILE = "push.lock"


@contextlib.contextmanager
def data_dir_lock(data_dir: Path, wait: float | None = None) -> Iterator[None]:
    if wait is None:
        wait = float(os.environ.get("FOLLOWUP_SYNC_LOCK_WAIT", "30"))
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(data_dir / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as e:
        raise StoreError(f"cannot lock data dir {data_dir}: {e.strerror}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        "another followup-sync push is running on this data dir;"
                        " try again when it ends"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)
