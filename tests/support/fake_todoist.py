"""A fake Todoist API v1 server for tests, built from Todoist's documented API.

It speaks real HTTP on a loopback port so the real SDK (todoist-api-python), our
provider and the CLI all talk to it exactly as they would to api.todoist.com
(through the provider's `api_url` option). It covers what followup-sync uses:

- projects, sections, labels (list/add; labels named on a task are created like
  Todoist's personal labels);
- tasks: add, get, update (POST /tasks/{id}), delete, close, reopen, list active
  tasks with cursor pagination (`results` + `next_cursor`, filters project_id,
  section_id, label, ids), completed tasks by completion date (`items`);
- comments (list/add, with an attachment) and uploads (POST /uploads, multipart
  field `file`);
- the batch endpoint POST /sync with `commands` (a JSON list, form-encoded as the
  docs show, or a JSON body): at most 100 per request; each command has a `type`,
  a `uuid` and `args`, and may declare a `temp_id` that later commands use in place
  of the new object's id. The answer has `sync_status` (uuid -> "ok" or an error
  object {error, error_code, error_tag, http_code, error_extra}: a command fails
  alone) and `temp_id_mapping` (temp_id -> id). A command whose uuid was applied
  before is not applied again (Todoist's guarantee for retried commands); it is
  answered "ok" with its mapping. Types: item_add, item_update, item_delete,
  item_complete (item_close), item_uncomplete, note_add.

Every object carries every documented key (null where empty) because the SDK's
models refuse incomplete JSON. Requests need `Authorization: Bearer <token>`.
About 1,000 requests per 15 minutes are allowed (`rate_limit`); beyond that the
answer is 429 with Retry-After, as Todoist documents.

Test knobs: `fail_next(...)` injects 429 (with Retry-After), 5xx, a dropped
connection (before or after the request took effect) or a delay, on any endpoint
(the batch endpoint too); `fail_command(...)` makes single commands of a batch
fail (a partial failure); `log` records every request (method, path,
X-Request-Id, status, commands) and `command_log` every command; writes carrying
an X-Request-Id that was already answered are replayed, not applied twice, as
Todoist does. `user_*` helpers change data the way a user in the app would.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import email.utils
import json
import re
import socketserver
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer
from zoneinfo import ZoneInfo

API_PREFIX = "/api/v1"
FILES_PREFIX = "/fake-files"
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_COMMANDS = 100  # per /sync request
RATE_LIMIT = (1000, 15 * 60.0)  # requests per window of seconds, per user


class DropConnection(Exception):
    """Raised inside the app to close the socket without sending any response."""


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    request_id: str | None
    status: int | None = None  # None: connection dropped before a response
    fault: str | None = None  # the injected fault, if any
    applied: bool = False  # a write that changed the data (not replayed, not refused)
    replayed: bool = False  # answered from the X-Request-Id cache
    commands: int = 0  # commands in a /sync request

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "DELETE")


@dataclass
class LoggedCommand:
    type: str
    uuid: str
    args: dict
    status: str  # "ok", "again" (a uuid applied before: not applied twice) or the error tag


@dataclass
class CommandFault:
    type: str
    http_code: int
    error: str
    match: re.Pattern | None = None  # only commands whose JSON args match


class CommandError(Exception):
    """One command of a batch failed; the others go on."""

    def __init__(self, http_code: int, tag: str, error: str, code: int = 0):
        super().__init__(error)
        self.payload = {
            "error": error,
            "error_code": code,
            "error_extra": {},
            "error_tag": tag,
            "http_code": http_code,
        }


@dataclass
class Fault:
    kind: str  # "429", "status", "drop", "drop_after", "delay", "delay_after"
    retry_after: str | None = None
    status: int = 500
    seconds: float = 0.0
    match: re.Pattern | None = None  # only requests whose "METHOD /path" matches


def _ts(dt: datetime) -> str:
    """Todoist's timestamp format: UTC with microseconds and a Z."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fmt_due_string(local: datetime) -> str:
    return local.strftime("%b %-d %Y %-I:%M %p")


@dataclass
class FakeTodoist:
    """The WSGI app plus its data. One instance per test."""

    token: str = "fake-token-0123456789abcdef"
    user_timezone: str = "America/New_York"  # the Todoist account's time zone
    user_id: str = "4200001"
    clock: object = None  # callable returning an aware datetime; None: real time

    projects: dict[str, dict] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)
    labels: dict[str, dict] = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)  # deleted ones stay, is_deleted=True
    comments: dict[str, dict] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # file_url -> content
    log: list[LoggedRequest] = field(default_factory=list)
    command_log: list[LoggedCommand] = field(default_factory=list)
    rate_limit: tuple[int, float] | None = RATE_LIMIT  # None: unlimited

    def __post_init__(self):
        self._lock = threading.RLock()
        self._ids = 1000
        self._faults: deque[Fault] = deque()
        self._command_faults: deque[CommandFault] = deque()
        self._replies: dict[str, tuple[int, list, bytes]] = {}
        self._applied: dict[str, dict] = {}  # command uuid -> {"temp_id", "id"}
        self._temp_ids: dict[str, str] = {}  # temp_id -> id
        self._accepted: deque[float] = deque()  # when recent requests came (rate limit)
        self.rate_limited = 0  # requests refused for the rate limit
        self.base_url = "http://127.0.0.1"  # set by the server once it has a port
        inbox = self._new_project("Inbox")
        inbox["is_inbox_project"] = True

    # --- knobs ------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock() if callable(self.clock) else datetime.now(UTC)

    def fail_next(
        self,
        kind: str,
        n: int = 1,
        *,
        retry_after: str | int | None = "1",
        status: int = 500,
        seconds: float = 0.0,
        match: str | None = None,
    ) -> None:
        """Make the next `n` matching requests fail.

        kind: "pass" (no fault: lets `n` matching requests through, to aim a later
        fault), "429" (with Retry-After, None to omit it), "status" (any code, default
        500), "drop" (close the connection before the request takes effect),
        "drop_after" (apply the request, then close without answering), "delay"
        (sleep `seconds`, then answer normally), "delay_after" (apply the request,
        then sleep `seconds` before answering). `match` is a regex searched in
        "METHOD /path" (e.g. "POST /api/v1/tasks$").
        """
        pattern = re.compile(match) if match else None
        ra = None if retry_after is None else str(retry_after)
        with self._lock:
            for _ in range(n):
                self._faults.append(Fault(kind, ra, status, seconds, pattern))

    def fail_command(
        self,
        type: str,  # noqa: A002 - the command's "type", as Todoist names it
        n: int = 1,
        *,
        http_code: int = 500,
        error: str = "Internal error",
        match: str | None = None,
    ) -> None:
        """Make the next `n` commands of this type (whose JSON args match `match`)
        fail inside their batch, as Todoist reports one failed command."""
        pattern = re.compile(match) if match else None
        with self._lock:
            for _ in range(n):
                self._command_faults.append(CommandFault(type, http_code, error, pattern))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._command_faults.clear()

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.command_log.clear()

    def requests(self, method: str | None = None, path: str | None = None) -> list[LoggedRequest]:
        """Logged requests, optionally filtered by method and a path regex."""
        with self._lock:
            return [
                r
                for r in self.log
                if (method is None or r.method == method)
                and (path is None or re.search(path, r.path))
            ]

    def writes(self) -> list[LoggedRequest]:
        """Requests that changed data (uploads included)."""
        return [r for r in self.requests() if r.applied]

    # --- what a user does in the Todoist app -----------------------------------
    def user_add_task(self, content: str, **fields) -> dict:
        with self._lock:
            project_id = fields.pop("project_id", None) or self.inbox_id
            task = self._new_task({"content": content, "project_id": project_id, **fields})
            return task

    def user_edit_task(self, task_id: str, **fields) -> dict:
        with self._lock:
            task = self.tasks[task_id]
            task.update(fields)
            task["updated_at"] = _ts(self.now())
            return task

    def user_set_due(self, task_id: str, when: datetime | date) -> dict:
        """Re-date as the app does: a date, a floating time (naive) or a fixed one."""
        return self.user_edit_task(task_id, due=self._due(when))

    def user_complete(self, task_id: str, at: datetime | None = None) -> dict:
        with self._lock:
            task = self.tasks[task_id]
            at = at or self.now()
            task["checked"] = True
            task["completed_at"] = _ts(at)
            task["updated_at"] = _ts(at)
            return task

    def user_delete(self, task_id: str) -> None:
        with self._lock:
            self.tasks[task_id]["is_deleted"] = True

    @property
    def inbox_id(self) -> str:
        return next(p["id"] for p in self.projects.values() if p["is_inbox_project"])

    def active_tasks(self) -> list[dict]:
        with self._lock:
            return [t for t in self.tasks.values() if not t["is_deleted"] and not t["checked"]]

    def live_tasks(self) -> list[dict]:
        """Active and completed tasks (what the user can still see somewhere)."""
        with self._lock:
            return [t for t in self.tasks.values() if not t["is_deleted"]]

    def task_comments(self, task_id: str) -> list[dict]:
        with self._lock:
            return [c for c in self.comments.values() if c["item_id"] == task_id]

    # --- object factories (complete JSON, as documented) ----------------------
    def _next_id(self) -> str:
        self._ids += 1
        # Todoist v1 ids are opaque strings; keep them sortable for stable pages.
        return f"6X{self._ids:08d}"

    def _new_project(self, name: str, **kw) -> dict:
        now = _ts(self.now())
        p = {
            "id": self._next_id(),
            "name": name,
            "description": kw.get("description") or "",
            "parent_id": kw.get("parent_id"),
            "folder_id": None,
            "workspace_id": None,
            "child_order": len(self.projects) + 1,
            "color": kw.get("color") or "charcoal",
            "shared": False,
            "collapsed": False,
            "is_favorite": bool(kw.get("is_favorite", False)),
            "is_inbox_project": False,
            "can_assign_tasks": False,
            "is_archived": False,
            "is_deleted": False,
            "is_frozen": False,
            "view_style": kw.get("view_style") or "list",
            "default_order": 0,
            "creator_uid": self.user_id,
            "created_at": now,
            "updated_at": now,
        }
        self.projects[p["id"]] = p
        return p

    def _new_section(self, name: str, project_id: str) -> dict:
        now = _ts(self.now())
        s = {
            "id": self._next_id(),
            "user_id": self.user_id,
            "project_id": project_id,
            "added_at": now,
            "updated_at": now,
            "archived_at": None,
            "name": name,
            "section_order": sum(1 for x in self.sections.values() if x["project_id"] == project_id)
            + 1,
            "is_archived": False,
            "is_deleted": False,
            "is_collapsed": False,
        }
        self.sections[s["id"]] = s
        return s

    def _ensure_label(self, name: str) -> None:
        if any(lb["name"] == name for lb in self.labels.values()):
            return
        lid = self._next_id()
        self.labels[lid] = {
            "id": lid,
            "name": name,
            "color": "charcoal",
            "order": len(self.labels) + 1,
            "is_favorite": False,
        }

    def _due(self, when: datetime | date | None, zone: str | None = None) -> dict | None:
        if when is None:
            return None
        zone = zone or self.user_timezone
        tz = ZoneInfo(zone)
        if isinstance(when, datetime) and when.tzinfo is not None:
            # Fixed-timezone due: stored in UTC, shown in its zone (the account's by default).
            local = when.astimezone(tz)
            return {
                "date": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "timezone": zone,
                "string": _fmt_due_string(local),
                "lang": "en",
                "is_recurring": False,
            }
        if isinstance(when, datetime):
            # Floating due: the same wall time wherever the user is.
            return {
                "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                "timezone": None,
                "string": _fmt_due_string(when),
                "lang": "en",
                "is_recurring": False,
            }
        return {
            "date": when.isoformat(),
            "timezone": None,
            "string": when.strftime("%b %-d %Y"),
            "lang": "en",
            "is_recurring": False,
        }

    def _new_task(self, body: dict) -> dict:
        now = _ts(self.now())
        labels = list(body.get("labels") or [])
        for name in labels:
            self._ensure_label(name)
        t = {
            "user_id": self.user_id,
            "id": self._next_id(),
            "project_id": body.get("project_id") or self.inbox_id,
            "section_id": body.get("section_id"),
            "parent_id": body.get("parent_id"),
            "added_by_uid": self.user_id,
            "assigned_by_uid": None,
            "responsible_uid": None,
            "labels": labels,
            "deadline": None,
            "duration": None,
            "checked": False,
            "is_deleted": False,
            "added_at": now,
            "completed_at": None,
            "updated_at": now,
            "due": body.get("due"),
            "priority": body.get("priority", 1),
            "child_order": len(self.tasks) + 1,
            "content": body["content"],
            "description": body.get("description", ""),
            "note_count": 0,
            "day_order": -1,
            "is_collapsed": False,
        }
        self.tasks[t["id"]] = t
        return t

    # --- request parsing helpers ----------------------------------------------
    def _parse_due(self, body: dict) -> dict | None | bool:
        """The due object for an add/update body; False when the body sets none."""
        if body.get("due_datetime"):
            text = body["due_datetime"]
            try:
                if text.endswith("Z"):
                    when = datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
                else:
                    when = datetime.fromisoformat(text)
            except ValueError:
                raise HTTPError(400, "Invalid argument value: due_datetime") from None
            return self._due(when)
        if body.get("due_date"):
            try:
                return self._due(date.fromisoformat(body["due_date"]))
            except ValueError:
                raise HTTPError(400, "Invalid argument value: due_date") from None
        if "due_string" in body:
            if body["due_string"] == "no date":
                return None
            raise HTTPError(400, "the fake server only understands due_string='no date'")
        return False

    @staticmethod
    def _check_task_fields(body: dict, *, adding: bool) -> None:
        content = body.get("content")
        if adding and not content:
            raise HTTPError(400, "Required argument is missing: content")
        if content is not None and not 1 <= len(content) <= 500:
            raise HTTPError(400, "Invalid argument value: content (1 to 500 characters)")
        if len(body.get("description") or "") > 16383:
            raise HTTPError(400, "Invalid argument value: description (too long)")
        if "priority" in body and body["priority"] not in (1, 2, 3, 4):
            raise HTTPError(400, "Invalid argument value: priority")
        labels = body.get("labels")
        if labels is not None and (
            not isinstance(labels, list) or any(not isinstance(x, str) or not x for x in labels)
        ):
            raise HTTPError(400, "Invalid argument value: labels")

    @staticmethod
    def _page(items: list[dict], query: dict[str, str], key: str) -> dict:
        try:
            limit = int(query.get("limit", DEFAULT_LIMIT))
        except ValueError:
            raise HTTPError(400, "Invalid argument value: limit") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise HTTPError(400, "Invalid argument value: limit")
        start = 0
        if query.get("cursor"):
            try:
                after = base64.urlsafe_b64decode(query["cursor"].encode()).decode()
            except ValueError:
                raise HTTPError(400, "Invalid argument value: cursor") from None
            start = next((i for i, x in enumerate(items) if x["id"] > after), len(items))
        chunk = items[start : start + limit]
        more = start + limit < len(items)
        cursor = base64.urlsafe_b64encode(chunk[-1]["id"].encode()).decode() if more else None
        return {key: chunk, "next_cursor": cursor}

    def _task_or_404(self, task_id: str) -> dict:
        task = self.tasks.get(task_id)
        if task is None or task["is_deleted"]:
            raise HTTPError(404, "Task not found")
        return task

    # --- routes -------------------------------------------------------------
    def _route(self, method: str, path: str, query: dict[str, str], environ) -> tuple[int, object]:
        p = path[len(API_PREFIX) :]
        if method == "GET" and p == "/projects":
            items = [x for x in self.projects.values() if not x["is_deleted"]]
            return 200, self._page(items, query, "results")
        if method == "POST" and p == "/projects":
            body = self._json(environ)
            if not body.get("name"):
                raise HTTPError(400, "Required argument is missing: name")
            extra = {k: v for k, v in body.items() if k != "name"}
            return 200, self._new_project(body["name"], **extra)
        if m := re.fullmatch(r"/projects/([^/]+)", p):
            proj = self.projects.get(m[1])
            if method == "GET" and proj and not proj["is_deleted"]:
                return 200, proj
            raise HTTPError(404, "Project not found")
        if method == "GET" and p == "/sections":
            items = [
                s
                for s in self.sections.values()
                if not s["is_deleted"]
                and (not query.get("project_id") or s["project_id"] == query["project_id"])
            ]
            return 200, self._page(items, query, "results")
        if method == "POST" and p == "/sections":
            body = self._json(environ)
            if not body.get("name") or not body.get("project_id"):
                raise HTTPError(400, "Required argument is missing: name/project_id")
            if body["project_id"] not in self.projects:
                raise HTTPError(404, "Project not found")
            return 200, self._new_section(body["name"], body["project_id"])
        if method == "GET" and p == "/labels":
            return 200, self._page(list(self.labels.values()), query, "results")
        if method == "POST" and p == "/labels":
            body = self._json(environ)
            if not body.get("name"):
                raise HTTPError(400, "Required argument is missing: name")
            self._ensure_label(body["name"])
            return 200, next(x for x in self.labels.values() if x["name"] == body["name"])
        if method == "GET" and p == "/tasks":
            return 200, self._list_tasks(query)
        if method == "POST" and p == "/tasks":
            return 200, self._add_task(self._json(environ))
        if method == "GET" and p == "/tasks/completed/by_completion_date":
            return 200, self._completed(query)
        if m := re.fullmatch(r"/tasks/([^/]+)", p):
            if method == "GET":
                return 200, self._task_or_404(m[1])
            if method == "POST":
                return 200, self._update_task(m[1], self._json(environ))
            if method == "DELETE":
                self._task_or_404(m[1])["is_deleted"] = True
                return 204, None
        if (m := re.fullmatch(r"/tasks/([^/]+)/(close|reopen)", p)) and method == "POST":
            task = self._task_or_404(m[1])
            now = _ts(self.now())
            if m[2] == "close":
                task["checked"], task["completed_at"] = True, task["completed_at"] or now
            else:
                task["checked"], task["completed_at"] = False, None
            task["updated_at"] = now
            return 204, None
        if method == "GET" and p == "/comments":
            tid = query.get("task_id")
            items = [
                c for c in self.comments.values() if c["item_id"] == tid and not c["is_deleted"]
            ]
            return 200, self._page(items, query, "results")
        if method == "POST" and p == "/comments":
            return 200, self._add_comment(self._json(environ))
        if method == "POST" and p == "/uploads":
            return 200, self._upload(environ)
        if method == "POST" and p == "/sync":
            return 200, self._sync(environ)
        raise HTTPError(404, f"No route for {method} {path}")

    # --- the batch endpoint ---------------------------------------------------
    def _sync_commands(self, environ) -> list:
        ctype = environ.get("CONTENT_TYPE", "")
        if ctype.startswith("application/json"):
            raw = self._json(environ).get("commands", [])
        else:
            form = parse_qs(self._body(environ).decode("utf-8", "replace"))
            text = form.get("commands", ["[]"])[-1]
            try:
                raw = json.loads(text)
            except ValueError:
                raise HTTPError(400, "Invalid argument value: commands") from None
        if not isinstance(raw, list) or not all(
            isinstance(c, dict)
            and isinstance(c.get("type"), str)
            and isinstance(c.get("uuid"), str)
            and isinstance(c.get("args", {}), dict)
            for c in raw
        ):
            raise HTTPError(400, "Invalid argument value: commands")
        if len(raw) > MAX_COMMANDS:
            raise HTTPError(400, f"Too many commands: at most {MAX_COMMANDS} per request")
        return raw

    def _sync(self, environ) -> dict:
        commands = self._sync_commands(environ)
        declared = {c["temp_id"] for c in commands if c.get("temp_id")}
        status: dict[str, object] = {}
        mapping: dict[str, str] = {}
        for cmd in commands:
            uid, temp_id = cmd["uuid"], cmd.get("temp_id")
            args = dict(cmd.get("args") or {})
            if uid in self._applied:
                # Applied before (a retried request): Todoist does not apply it twice.
                done = self._applied[uid]
                status[uid] = "ok"
                if done["temp_id"]:
                    mapping[done["temp_id"]] = done["id"]
                self.command_log.append(LoggedCommand(cmd["type"], uid, args, "again"))
                continue
            try:
                self._take_command_fault(cmd["type"], args)
                new_id = self._command(cmd["type"], self._resolve(dict(args), declared))
            except CommandError as e:
                status[uid] = e.payload
                self.command_log.append(
                    LoggedCommand(cmd["type"], uid, args, e.payload["error_tag"])
                )
                continue
            status[uid] = "ok"
            if temp_id and new_id:
                mapping[temp_id] = self._temp_ids[temp_id] = new_id
            self._applied[uid] = {"temp_id": temp_id if new_id else None, "id": new_id}
            self.command_log.append(LoggedCommand(cmd["type"], uid, args, "ok"))
        return {
            "sync_status": status,
            "temp_id_mapping": mapping,
            "full_sync": False,
            "sync_token": f"fake-{len(self._applied)}",
        }

    def _take_command_fault(self, kind: str, args: dict) -> None:
        for i, f in enumerate(self._command_faults):
            if f.type == kind and (f.match is None or f.match.search(json.dumps(args))):
                del self._command_faults[i]
                raise CommandError(f.http_code, "INJECTED_FAULT", f.error)

    def _resolve(self, args: dict, declared: set[str]) -> dict:
        """Temporary ids (from this batch or an earlier one) replaced by real ids."""
        for key in ("id", "item_id", "project_id", "section_id", "parent_id"):
            value = args.get(key)
            if value in self._temp_ids:
                args[key] = self._temp_ids[value]
            elif value in declared:
                # Its command failed: there is no object to refer to.
                raise CommandError(400, "INVALID_TEMPID", "Invalid temporary id", 15)
        return args

    def _sync_task(self, args: dict) -> dict:
        task = self.tasks.get(str(args.get("id")))
        if task is None or task["is_deleted"]:
            raise CommandError(404, "ITEM_NOT_FOUND", "Item not found", 22)
        return task

    def _sync_due(self, due) -> dict | None:
        """A due object of a command: {date, timezone?} (full day, floating or fixed)."""
        if due is None:
            return None
        if not isinstance(due, dict) or not isinstance(due.get("date"), str):
            raise CommandError(400, "INVALID_ARGUMENT_VALUE", "Invalid argument value: due", 20)
        text, zone = due["date"], due.get("timezone")
        try:
            if len(text) == 10:
                return self._due(date.fromisoformat(text))
            if text.endswith("Z"):
                when = datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
                return self._due(when, zone)
            when = datetime.fromisoformat(text)
            if zone:  # a wall time in that zone: fixed
                return self._due(when.replace(tzinfo=ZoneInfo(zone)), zone)
            return self._due(when)
        except (ValueError, KeyError):
            raise CommandError(
                400, "INVALID_ARGUMENT_VALUE", "Invalid argument value: due", 20
            ) from None

    def _command(self, kind: str, args: dict) -> str | None:
        """Apply one command; the new object's id for the add commands."""
        try:
            if kind == "item_add":
                self._check_task_fields(args, adding=True)
                if args.get("project_id") and args["project_id"] not in self.projects:
                    raise CommandError(404, "PROJECT_NOT_FOUND", "Project not found", 21)
                if args.get("section_id") and args["section_id"] not in self.sections:
                    raise CommandError(404, "SECTION_NOT_FOUND", "Section not found", 21)
                due = self._sync_due(args.get("due"))
                return self._new_task({**args, "due": due})["id"]
            if kind == "item_update":
                task = self._sync_task(args)
                self._check_task_fields(args, adding=False)
                for key in ("content", "description", "labels", "priority"):
                    if key in args:
                        task[key] = args[key]
                for name in args.get("labels") or []:
                    self._ensure_label(name)
                if "due" in args:
                    task["due"] = self._sync_due(args["due"])
                task["updated_at"] = _ts(self.now())
                return None
            if kind == "item_delete":
                self._sync_task(args)["is_deleted"] = True
                return None
            if kind in ("item_complete", "item_close", "item_uncomplete"):
                task = self._sync_task(args)
                now = _ts(self.now())
                if kind == "item_uncomplete":
                    task["checked"], task["completed_at"] = False, None
                else:
                    task["checked"] = True
                    task["completed_at"] = task["completed_at"] or args.get("completed_at") or now
                task["updated_at"] = now
                return None
            if kind == "note_add":
                body = {
                    "task_id": args.get("item_id"),
                    "project_id": args.get("project_id"),
                    "content": args.get("content", ""),
                    "attachment": args.get("file_attachment"),
                }
                return self._add_comment(body)["id"]
        except HTTPError as e:
            tag = "ITEM_NOT_FOUND" if e.status == 404 else "INVALID_ARGUMENT_VALUE"
            raise CommandError(e.status, tag, e.message, 22 if e.status == 404 else 20) from None
        raise CommandError(400, "UNKNOWN_COMMAND", f"Unknown command: {kind}", 1)

    def _list_tasks(self, query: dict[str, str]) -> dict:
        ids = set(query["ids"].split(",")) if query.get("ids") else None
        items = [
            t
            for t in self.active_tasks()
            if (not query.get("project_id") or t["project_id"] == query["project_id"])
            and (not query.get("section_id") or t["section_id"] == query["section_id"])
            and (not query.get("label") or query["label"] in t["labels"])
            and (ids is None or t["id"] in ids)
        ]
        items.sort(key=lambda t: t["id"])
        return self._page(items, query, "results")

    def _completed(self, query: dict[str, str]) -> dict:
        try:
            since = datetime.fromisoformat(query["since"].replace("Z", "+00:00"))
            until = datetime.fromisoformat(query["until"].replace("Z", "+00:00"))
        except (KeyError, ValueError):
            raise HTTPError(400, "Required argument is missing: since/until") from None
        # Todoist refuses windows longer than about 3 months.
        if until - since > timedelta(days=92) or until < since:
            raise HTTPError(400, "Invalid date range: since/until (at most 3 months)")
        labels: list[str] = []
        if fq := query.get("filter_query"):
            for term in fq.split("&"):
                term = term.strip()
                if not term.startswith("@") or len(term) < 2:
                    raise HTTPError(400, "the fake server only understands '@label' filters")
                labels.append(term[1:])
        items = []
        for t in self.tasks.values():
            if t["is_deleted"] or not t["checked"] or not t["completed_at"]:
                continue
            done = datetime.fromisoformat(t["completed_at"].replace("Z", "+00:00"))
            if since <= done <= until and all(lb in t["labels"] for lb in labels):
                items.append(t)
        items.sort(key=lambda t: t["id"])
        return self._page(items, query, "items")

    def _add_task(self, body: dict) -> dict:
        self._check_task_fields(body, adding=True)
        if body.get("project_id") and body["project_id"] not in self.projects:
            raise HTTPError(404, "Project not found")
        if body.get("section_id") and body["section_id"] not in self.sections:
            raise HTTPError(404, "Section not found")
        due = self._parse_due(body)
        return self._new_task({**body, "due": None if due is False else due})

    def _update_task(self, task_id: str, body: dict) -> dict:
        task = self._task_or_404(task_id)
        self._check_task_fields(body, adding=False)
        due = self._parse_due(body)
        for key in ("content", "description", "labels", "priority"):
            if key in body:
                task[key] = body[key]
        for name in body.get("labels") or []:
            self._ensure_label(name)
        if due is not False:
            task["due"] = due
        task["updated_at"] = _ts(self.now())
        return task

    def _add_comment(self, body: dict) -> dict:
        task_id, project_id = body.get("task_id"), body.get("project_id")
        if not task_id and not project_id:
            raise HTTPError(400, "Required argument is missing: task_id or project_id")
        if task_id:
            self._task_or_404(task_id)
        att = body.get("attachment")
        if att is not None and (not isinstance(att, dict) or not att.get("file_url")):
            raise HTTPError(400, "Invalid argument value: attachment")
        c = {
            "id": self._next_id(),
            "posted_uid": self.user_id,
            "content": body.get("content", ""),
            "file_attachment": att,
            "uids_to_notify": body.get("uids_to_notify"),
            "is_deleted": False,
            "posted_at": _ts(self.now()),
            "reactions": None,
            "item_id": task_id,
            "project_id": None if task_id else project_id,
        }
        self.comments[c["id"]] = c
        if task_id:
            self.tasks[task_id]["note_count"] += 1
        return c

    def _upload(self, environ) -> dict:
        ctype = environ.get("CONTENT_TYPE", "")
        if not ctype.startswith("multipart/form-data"):
            raise HTTPError(400, "uploads need multipart/form-data")
        fields = _parse_multipart(ctype, self._body(environ))
        if "file" not in fields:
            raise HTTPError(400, "Required argument is missing: file")
        filename, content, file_type = fields["file"]
        if "file_name" in fields:
            filename = fields["file_name"][1].decode()
        filename = filename or "file"
        n = self._next_id()
        url = f"{self.base_url}{FILES_PREFIX}/{n}/{filename}"
        self.files[url] = content
        return {
            "resource_type": "file",
            "file_name": filename,
            "file_size": len(content),
            "file_type": file_type,
            "file_url": url,
            "file_duration": None,
            "upload_state": "completed",
            "image": None,
            "image_width": None,
            "image_height": None,
            "url": None,
            "title": None,
        }

    # --- WSGI -----------------------------------------------------------------
    @staticmethod
    def _body(environ) -> bytes:
        if "_body" not in environ:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            environ["_body"] = environ["wsgi.input"].read(length) if length else b""
        return environ["_body"]

    def _json(self, environ) -> dict:
        raw = self._body(environ)
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise HTTPError(400, "Invalid JSON") from None
        if not isinstance(body, dict):
            raise HTTPError(400, "Invalid JSON")
        return body

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for i, f in enumerate(self._faults):
                if f.match is None or f.match.search(f"{method} {path}"):
                    del self._faults[i]
                    return f
        return None

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        rid = environ.get("HTTP_X_REQUEST_ID")
        entry = LoggedRequest(method, path, query, rid)
        with self._lock:
            self.log.append(entry)
        self._body(environ)  # read the body even when failing, like a real server

        if path.startswith(FILES_PREFIX):
            url = f"{self.base_url}{path}"
            if url in self.files:
                entry.status = 200
                start_response("200 OK", [("Content-Type", "application/octet-stream")])
                return [self.files[url]]

        fault = self._take_fault(method, path)
        if fault:
            entry.fault = fault.kind
            if fault.kind == "drop":
                raise DropConnection
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            if fault.kind == "429":
                headers = [("Content-Type", "application/json")]
                if fault.retry_after is not None:
                    headers.append(("Retry-After", fault.retry_after))
                return self._reply(
                    start_response, entry, 429, headers, {"error": "Too many requests"}
                )
            if fault.kind == "status":
                return self._reply(
                    start_response,
                    entry,
                    fault.status,
                    [("Content-Type", "text/plain")],
                    "Server error",
                )

        auth = environ.get("HTTP_AUTHORIZATION", "")
        if auth != f"Bearer {self.token}":
            # Todoist answers 401 for a missing or wrong token (never echoing it).
            return self._reply(
                start_response, entry, 401, [("Content-Type", "text/plain")], "Unauthorized"
            )
        if (wait := self._over_the_limit()) is not None:
            entry.fault = "rate-limit"
            headers = [("Content-Type", "application/json"), ("Retry-After", str(wait))]
            return self._reply(start_response, entry, 429, headers, {"error": "Too many requests"})

        is_write = method in ("POST", "DELETE")
        with self._lock:
            if is_write and rid and rid in self._replies:
                # A retried write: Todoist drops the duplicate and we answer as before.
                status, headers, body = self._replies[rid]
                entry.replayed = True
                entry.status = status
                if fault and fault.kind == "drop_after":
                    raise DropConnection
                start_response(_status_line(status), _with_date(headers, self.now()))
                return [body]
            before = len(self._applied)
            try:
                status, payload = self._route(method, path, query, environ)
            except HTTPError as e:
                status, payload = e.status, e.message
            if path == f"{API_PREFIX}/sync" and status == 200:
                entry.commands = len(payload["sync_status"])
                entry.applied = len(self._applied) > before
            elif is_write and 200 <= status < 300:
                entry.applied = True
            headers, body = _encode(status, payload)
            if is_write and rid and status < 500:
                self._replies[rid] = (status, headers, body)
        if fault and fault.kind == "drop_after":
            raise DropConnection
        if fault and fault.kind == "delay_after":
            time.sleep(fault.seconds)  # applied, answer late: a client may die meanwhile
        entry.status = status
        start_response(_status_line(status), _with_date(headers, self.now()))
        return [body]

    def _over_the_limit(self) -> int | None:
        """Seconds to wait when this request is over the rate limit, else None."""
        if self.rate_limit is None:
            return None
        most, window = self.rate_limit
        now = time.monotonic()
        with self._lock:
            while self._accepted and self._accepted[0] <= now - window:
                self._accepted.popleft()
            if len(self._accepted) >= most:
                self.rate_limited += 1
                return max(1, int(self._accepted[0] + window - now) + 1)
            self._accepted.append(now)
        return None

    def _reply(self, start_response, entry, status, headers, payload):
        entry.status = status
        _, body = _encode(status, payload)
        start_response(_status_line(status), _with_date(headers, self.now()))
        return [body]


def _parse_multipart(ctype: str, raw: bytes) -> dict[str, tuple[str | None, bytes, str]]:
    """name -> (filename, content, content type) of a multipart/form-data body.

    Parsed by hand: the email package turns a message/rfc822 part (our .eml) into a
    nested message and loses its bytes.
    """
    head = email.parser.Parser(policy=email.policy.HTTP).parsestr(f"Content-Type: {ctype}\r\n\r\n")
    boundary = head.get_param("boundary")
    if not boundary:
        raise HTTPError(400, "multipart body without a boundary")
    fields = {}
    for chunk in raw.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        headers_raw, _, content = chunk.lstrip(b"\r\n").partition(b"\r\n\r\n")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        part = email.parser.Parser(policy=email.policy.HTTP).parsestr(
            headers_raw.decode("utf-8", "replace") + "\r\n\r\n"
        )
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        fields[name] = (filename, content, part.get_content_type())
    return fields


def _encode(status: int, payload) -> tuple[list, bytes]:
    if payload is None:
        return [], b""
    if isinstance(payload, str):
        return [("Content-Type", "text/plain; charset=utf-8")], payload.encode()
    return [("Content-Type", "application/json")], json.dumps(payload).encode()


def _with_date(headers: list, now: datetime) -> list:
    """The server's clock in the Date header (wsgiref would use the real time)."""
    return [*headers, ("Date", email.utils.format_datetime(now.astimezone(UTC), usegmt=True))]


_REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _status_line(status: int) -> str:
    return f"{status} {_REASONS.get(status, 'Status')}"


# --- the HTTP server ---------------------------------------------------------------
class _Handler(ServerHandler):
    def handle_error(self):
        if isinstance(sys.exc_info()[1], DropConnection):
            # Send nothing: the socket closes after the request and the client sees
            # "server disconnected without sending a response".
            return
        super().handle_error()

    def log_exception(self, exc_info):
        if not isinstance(exc_info[1], DropConnection):
            super().log_exception(exc_info)


class _RequestHandler(WSGIRequestHandler):
    def handle(self):
        # wsgiref's handle(), with our ServerHandler so DropConnection closes silently.
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or not self.parse_request():
            return
        handler = _Handler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.request_handler = self
        handler.run(self.server.get_app())

    def log_message(self, format, *args):  # noqa: A002 - quiet test output
        pass


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that
        # can stall for seconds; loopback needs none of it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = host, port
        self.setup_environ()


class FakeTodoistServer:
    """Serves a FakeTodoist on a free loopback port in a background thread."""

    def __init__(self, app: FakeTodoist | None = None):
        self.app = app or FakeTodoist()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeTodoistServer:
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.set_app(self.app)
        self.app.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeTodoistServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # manual poking: python tests/fake_todoist.py
    with FakeTodoistServer() as srv:
        print(f"fake Todoist at {srv.api_url} token {srv.app.token}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
