"""Finding and reading the email templates (the built-in ones or the user's overrides).

Kept apart from drafts.py, which imports the slow email package: the content hash
of an item needs only which variables its template uses, not a rendering.
"""

from __future__ import annotations

import functools
from pathlib import Path
from string import Template

from .errors import ConfigError

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


class TemplateError(ConfigError, ValueError):
    """A broken template in the user's templates/ folder: a config error (exit 3).

    Also a ValueError, for library callers that catch that.
    """


def template_path(name: str, templates_dir: Path | None) -> Path:
    """The user's `name`.txt when their templates folder has one, else the built-in one."""
    if templates_dir is not None:
        own = Path(templates_dir) / f"{name}.txt"
        if own.is_file():
            return own
    return BUILTIN_TEMPLATES / f"{name}.txt"


def template_text(path: Path) -> str:
    """A template's text, read once per file version (a push renders thousands)."""
    try:
        st = path.stat()
    except OSError as e:
        raise TemplateError(f"cannot read template {path}: {e.strerror}") from None
    return _read(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int, size: int) -> str:
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise TemplateError(f"cannot read template {path}: {e.strerror}") from None


def identifiers(
    name: str, templates_dir: Path | None, *, subject_only: bool = False
) -> frozenset[str]:
    """The variables template `name` uses (its subject line and body, or the subject)."""
    text = template_text(template_path(name, templates_dir))
    return _identifiers(text.partition("\n")[0] if subject_only else text)


@functools.lru_cache(maxsize=64)
def _identifiers(text: str) -> frozenset[str]:
    return frozenset(Template(text).get_identifiers())
