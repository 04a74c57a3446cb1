"""Human output: colour where a terminal is attached, and tables that fit the terminal.

Colour follows the conventions of todoman/khal/gcalcli and https://no-color.org: only
when stdout is a terminal, never with NO_COLOR set (to anything) or `--no-color`,
and never in `--json` (which does not go through here).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import click

#: What each kind of text looks like on a terminal.
STYLES: dict[str, dict] = {
    "overdue": {"fg": "red", "bold": True},
    "today": {"fg": "yellow", "bold": True},
    "sent": {"dim": True},
    "withdrawn": {"dim": True},
    "header": {"bold": True},
    "muted": {"dim": True},
}


def color_wanted(no_color: bool = False) -> bool:
    """Colour only for a terminal, and never when the user opted out."""
    if no_color or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


def terminal_width(default: int = 80) -> int:
    """The terminal's width, capped at 100 so lines stay readable; 80 in a pipe."""
    if not sys.stdout.isatty():
        return default
    return max(40, min(100, shutil.get_terminal_size((default, 24)).columns))


@dataclass(frozen=True)
class Column:
    title: str
    min_width: int = 4
    max_width: int | None = None
    shrink: bool = True  # may be cut (with "…") to make the table fit


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class Printer:
    """Echoes lines and tables, styled only when colour is wanted."""

    def __init__(self, color: bool, width: int):
        self.color = color
        self.width = width

    def style(self, text: str, kind: str | None) -> str:
        if not self.color or not kind or kind not in STYLES:
            return text
        return click.style(text, **STYLES[kind])

    def line(self, text: str = "", kind: str | None = None) -> None:
        click.echo(self.style(text, kind), color=self.color)

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        kinds: Sequence[str | None] | None = None,
        header: bool = True,
    ) -> None:
        """Rows in aligned columns within the printer's width; cells cut with "…" if needed."""
        gap = 2
        widths = []
        for i, col in enumerate(columns):
            natural = max([len(col.title) if header else 0, *(len(r[i]) for r in rows)])
            natural = max(natural, col.min_width)
            widths.append(min(natural, col.max_width) if col.max_width else natural)
        over = sum(widths) + gap * (len(columns) - 1) - self.width
        # Shrink the widest shrinkable columns first, never below their minimum.
        while over > 0:
            candidates = [i for i, c in enumerate(columns) if c.shrink and widths[i] > c.min_width]
            if not candidates:
                break
            i = max(candidates, key=lambda k: widths[k])
            widths[i] -= 1
            over -= 1
        if header:
            cells = [c.title.ljust(w) for c, w in zip(columns, widths, strict=True)]
            self.line((" " * gap).join(cells).rstrip(), "header")
        for n, row in enumerate(rows):
            cells = [_cut(v, w).ljust(w) for v, w in zip(row, widths, strict=True)]
            self.line((" " * gap).join(cells).rstrip(), kinds[n] if kinds else None)
