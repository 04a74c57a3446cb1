"""The one way we replace a whole file: a reader never sees it half written.

Used by the ICS provider, `export`, the feed token, the Todoist journal and
`restore`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO


def write_atomic(
    path: Path, data: bytes | BinaryIO | Iterable[bytes], *, replace: bool = True
) -> bool:
    """Write `data` (bytes, a binary file to copy, or chunks of bytes) to `path` via a
    temp file and a rename.

    A reader sees the old or the new content, never a mix; the data is fsynced
    before the rename and the folder after it, so a crash cannot leave an empty
    file in its place nor lose the rename. The temp file is created 0600
    (mkstemp), so personal data is never readable by others, even briefly, and
    is removed if anything fails.

    With `replace=False` an existing `path` is kept and False is returned: the
    first of two racing writers wins (link() fails if the name exists, unlike
    rename()). The folder must exist; OSError is the caller's to turn into a
    one-line message.
    """
    import shutil
    import tempfile  # both lazily: the store imports this module on every command

    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, bytes | bytearray | memoryview):
                f.write(data)
            elif hasattr(data, "read"):
                shutil.copyfileobj(data, f)
            else:
                f.writelines(data)  # chunks: the whole file is never one object
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            finally:
                os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
    return True


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (the directory entry lives in the directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
