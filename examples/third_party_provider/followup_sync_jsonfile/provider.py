"""Follow-ups in one JSON file: the smallest complete provider.

It shows the contract: list only our items, refuse to create over an existing
UID, refuse stale updates/deletes (ConflictError), treat deleting a missing item
as done, and embed the content hash so a lost store is rebuilt by adoption.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from followup_sync.atomic import write_atomic
from followup_sync.errors import ConflictError, ProviderError
from followup_sync.models import PushItem, RemoteItem
from followup_sync.provider import Option, Provider


class JsonFileProvider(Provider):
    type = "jsonfile"
    options = {"path": Option(str, required=True, help="the JSON file to write")}

    def __init__(self, name, options, context):
        super().__init__(name, options, context)
        self.path = Path(os.path.expanduser(self.opts["path"]))

    def describe(self) -> str:
        return f"JSON file {self.path}"

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise ProviderError(f"cannot read {self.path}: {e}") from None

    def _write(self, data: dict) -> None:
        # followup_sync.atomic: a reader never sees the file half written.
        write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))

    @staticmethod
    def _remote(uid: str, entry: dict) -> RemoteItem:
        etag = hashlib.sha1(json.dumps(entry, sort_keys=True).encode()).hexdigest()[:12]
        done = entry.get("done_on")
        return RemoteItem(
            uid=uid,
            ref=uid,
            etag=etag,
            due=datetime.fromisoformat(entry["due"]),
            completed_on=datetime.fromisoformat(done).date() if done else None,
            content_hash=entry.get("hash"),
        )

    def list_items(self, known):
        return {
            uid: self._remote(uid, e)
            for uid, e in self._read().items()
            if uid.startswith("followup-sync.")
        }

    def _entry(self, item: PushItem) -> dict:
        return {
            "summary": item.summary,
            "due": item.item.due.isoformat(),
            "description": item.description,
            "hash": item.content_hash,
            "sequence": item.sequence,
        }

    def create(self, item):
        data = self._read()
        if item.uid in data:
            raise ConflictError(f"{item.uid} exists")
        data[item.uid] = self._entry(item)
        self._write(data)
        return self._remote(item.uid, data[item.uid])

    def update(self, item, current):
        data = self._read()
        if item.uid not in data or self._remote(item.uid, data[item.uid]).etag != current.etag:
            raise ConflictError(f"{item.uid} changed meanwhile")
        data[item.uid] = self._entry(item)
        self._write(data)
        return self._remote(item.uid, data[item.uid])

    def delete(self, current):
        data = self._read()
        if current.uid not in data:
            return
        if self._remote(current.uid, data[current.uid]).etag != current.etag:
            raise ConflictError(f"{current.uid} changed meanwhile")
        del data[current.uid]
        self._write(data)
