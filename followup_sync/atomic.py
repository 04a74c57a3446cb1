"""Whole-file writes that a reader never sees half done."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temp file in the same folder and a rename.

    A calendar app reading the file sees the old or the new content, never a
    mix; fsync first, so a crash cannot leave an empty file in its place. The
    temp file is created 0600 (mkstemp) and removed if anything fails. The
    folder must exist; OSError is the caller's to turn into a one-line message.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
