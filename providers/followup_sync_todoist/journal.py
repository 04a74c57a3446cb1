"""The crash journal: tasks whose batch may have been applied only in part.

A new nudge is up to three commands in one /sync batch: the task, the comment
with its draft, and (for a nudge already sent) the completion. Todoist applies
commands one by one, so a task can exist without the rest: when a later command
fails alone, or when the push dies before the answer arrives (then we never learn
what was applied). Before such a batch is sent, each of its tasks gets an entry
here; the answer settles it. A listed task that still has an entry is reported
unfinished, so the next push rewrites it, and the rewrite finishes it: the
completion is set from what Todoist shows, and the draft is attached again, with
the command uuid kept here when its fate is unknown (Todoist applies a uuid
once: no second comment).

One JSON file in the data dir, written atomically:
{uid: {"task": id, "draft": d, "eml": h}}. `task` is the task's id, or "*" while
Todoist has not told us (a new task); `draft` is a note_add uuid of unknown fate,
"missing" (attach a new one), or null (attached, or no draft); `eml` is the hash
of the draft that uuid (or that attached comment) carries. Older versions wrote
{uid: task id}: read as "missing".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from followup_sync.atomic import write_atomic

ANY_TASK = "*"  # the task's id was never seen
MISSING = "missing"  # the draft is known not to be attached


@dataclass(frozen=True)
class Entry:
    task: str
    draft: str | None = None
    eml: str | None = None


class Journal:
    def __init__(self, data_dir: Path, provider_name: str):
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", provider_name)
        self.path = Path(data_dir) / f"todoist-{safe}.unattached.json"

    def read(self) -> dict[str, Entry]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        out = {}
        for uid, value in data.items():
            if isinstance(value, str):
                out[str(uid)] = Entry(value, MISSING)
            elif isinstance(value, dict) and isinstance(value.get("task"), str):
                draft, eml = value.get("draft"), value.get("eml")
                out[str(uid)] = Entry(
                    value["task"],
                    draft if isinstance(draft, str) else None,
                    eml if isinstance(eml, str) else None,
                )
        return out

    def get(self, uid: str, task_id: str) -> Entry | None:
        """The entry for `uid` if it is about this task (or a task not yet seen)."""
        entry = self.read().get(uid)
        return entry if entry is not None and entry.task in (ANY_TASK, task_id) else None

    def update(self, changes: Mapping[str, Entry | None]) -> None:
        """Set (or, with None, drop) entries; one atomic write for all of them."""
        entries = self.read()
        before = dict(entries)
        for uid, entry in changes.items():
            if entry is None:
                entries.pop(uid, None)
            else:
                entries[uid] = entry
        if entries == before:
            return
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        raw = {
            u: {"task": e.task, "draft": e.draft, "eml": e.eml} for u, e in sorted(entries.items())
        }
        # A crash leaves the old journal or the new one, never a torn file.
        write_atomic(self.path, json.dumps(raw).encode("utf-8"))
