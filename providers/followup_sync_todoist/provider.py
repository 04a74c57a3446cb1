"""Todoist provider: each follow-up item is one Todoist task.

A task carries our label (the first of `labels`) and, as the last line of its
description, a marker line `followup-sync:uid=<uid> hash=<hash> at=<HH:MM> eml=<sha>`.
Only tasks with both are ours: a lost store is rebuilt by adoption, and a task
the user wrote is never touched. Only the *last* line counts, and body lines that
look like a marker are defused, so company or role text cannot forge one.

Thin by design: the core plans and diffs; this module renders a PushItem into a
task and reports tasks back as RemoteItems. The SDK (todoist-api-python) has no
base-URL option, no upload call, no batch endpoint and no retries, so this module
adds an httpx transport that rewrites the base URL, posts uploads and batches
itself, and wraps every call in followup_sync.retry.retry_call.

Writes go in batches through Todoist's command endpoint (POST /sync, at most 100
commands a request): a new nudge is an item_add, a note_add for its draft that
names the new task by a temp_id, and an item_complete if it was already sent;
updates, completions and deletes are commands too. Each command has a uuid that
Todoist applies only once, so a retried batch cannot duplicate anything. Uploads
(one request each) and reads (listing, the current tasks before an update, the
written tasks after a batch, 200 a page) stay on the SDK and the REST endpoints.
A command that fails fails alone; journal.py covers tasks a batch left half-done.

Why one module of ~900 lines: the marker format, the SDK adapter (transport,
retries, rate-limit budget) and the batched task writes are one provider's
private protocol; the sections below keep them apart within it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from followup_sync.errors import (
    ConflictError,
    ProviderAuthError,
    ProviderError,
    RateLimited,
)
from followup_sync.models import UID_RE, ItemKind, ItemRef, ItemStatus, PushItem, RemoteItem
from followup_sync.provider import Option, Provider, Write, WriteResult
from followup_sync.redaction import redact
from followup_sync.retry import RetryAfter, retry_call
from followup_sync.text import task_title

from .journal import ANY_TASK, MISSING, Entry, Journal

T = TypeVar("T")

DEFAULT_API_URL = "https://api.todoist.com/api/v1"
CONTENT_MAX = 500  # Todoist's limit for task content
DESCRIPTION_MAX = 16383  # the SDK's limit for descriptions
PAGE_LIMIT = 200  # the largest page Todoist serves: fewest listing requests
# Todoist serves completed tasks for windows of at most ~3 months.
COMPLETED_WINDOW = timedelta(days=89)
ATTEMPTS = 5
MAX_COMMANDS = 100  # per /sync request: Todoist's documented limit
# Appended to the content hash a listing reports for a task the journal says a
# batch left half-done: it differs from every planned hash, so the core rewrites it.
UNFINISHED = "+unfinished"
DRAFT_NOTE = "Email draft: open the attached .eml in your mail app, check it, send it."
COMMAND_WHAT = {
    "item_add": "adding the task",
    "item_update": "updating the task",
    "item_delete": "deleting the task",
    "item_complete": "closing the task",
    "item_uncomplete": "reopening the task",
    "note_add": "attaching the draft",
}

MARKER_PREFIX = "followup-sync:"
MARKER_RE = re.compile(
    r"followup-sync:uid=(?P<uid>[A-Za-z0-9_.+-]{1,300}) hash=(?P<hash>[!-~]{1,128})"
    r"(?: at=(?P<at>[0-2][0-9]:[0-5][0-9]))?(?: eml=(?P<eml>[0-9a-f]{1,64}))?"
)
# Line breaks a reader (or str.splitlines) may honour; all become "\n" so the
# marker is always the one last line.
_BREAKS_RE = re.compile(r"\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A mailto: URL that cannot break out of a Markdown link (the core percent-encodes).
_SAFE_LINK_RE = re.compile(r"mailto:[^\s()<>\[\]\\]+")


@dataclass(frozen=True)
class Marker:
    uid: str
    content_hash: str
    at: str | None  # planned local send time, to place a date-only re-date
    eml: str | None  # hash of the attached .eml, so updates re-attach only when it changed


def render_marker(uid: str, content_hash: str, at: str, eml: str | None) -> str:
    line = f"{MARKER_PREFIX}uid={uid} hash={content_hash} at={at}"
    return line + (f" eml={eml}" if eml else "")


def parse_marker(description: str | None) -> Marker | None:
    """The marker on the description's last line, or None. Earlier lines never count."""
    if not description:
        return None
    last = description.rstrip("\n").rsplit("\n", 1)[-1]
    m = MARKER_RE.fullmatch(last.strip())
    if not m or ItemRef.parse(m["uid"]) is None:
        return None
    return Marker(m["uid"], m["hash"], m["at"], m["eml"])


def _labels_problem(labels: list) -> str | None:
    if not labels or not all(isinstance(x, str) and x.strip() for x in labels):
        return "give at least one non-empty label"
    return None


def body_text(text: str) -> str:
    """Description body: plain "\\n" line breaks, no control characters, and no line
    that could pass for a marker if the user ever removes ours."""
    text = _CONTROL_RE.sub("", _BREAKS_RE.sub("\n", text).replace("\t", "    "))
    lines = []
    for line in text.split("\n"):
        if line.strip().startswith(MARKER_PREFIX):
            line = "\\" + line.strip()  # visible, and no longer a marker
        lines.append(line.rstrip())
    return "\n".join(lines).strip("\n")


def priority_for(item: PushItem) -> int:
    """Todoist priority 1 (none) .. 4 (urgent), rising with the attempt number.

    The move-on marker is a note to let go, not a chase, so it stays unflagged.
    """
    if item.item.kind == ItemKind.MOVE_ON or not item.item.attempt:
        return 1
    return min(4, 1 + item.item.attempt)


def task_etag(task: Any, completed: bool | None = None) -> str:
    """Changes whenever the user changes what we render (or completes the task).

    Built from the fields instead of `updated_at`: adding our comment may touch
    `updated_at` on the real service, which would make the etag we return from
    create() stale at once.
    """
    due = task.due
    due_key = [due.date.isoformat(), due.timezone, due.is_recurring] if due else None
    done = task.completed_at is not None if completed is None else completed
    raw = json.dumps(
        [task.content, task.description, due_key, task.priority, sorted(task.labels or []), done]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


class _Transient(Exception):
    """A 5xx answer: worth retrying."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


class _RateLimited(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"HTTP 429, retry after {seconds:g}s")
        self.seconds = seconds


class _NotFound(Exception):
    pass


class _Refused(ProviderError):
    """A 4xx other than auth, 404 and 429: the request itself was wrong."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass
class _Pending:
    """One write on its way into a batch: its commands, and what the answer needs."""

    write: Write
    task_id: str  # the task's id, or the temp_id of a new one
    commands: list[dict] = field(default_factory=list)
    new: bool = False  # task_id is a temp_id
    draft: str | None = None  # the note_add's uuid
    eml: str | None = None  # the hash of the draft it attaches

    @property
    def uid(self) -> str:
        return self.write.uid

    def add(self, kind: str, args: dict, *, command_uuid: str | None = None, temp_id=None) -> str:
        cmd = {"type": kind, "uuid": command_uuid or str(uuid.uuid4()), "args": args}
        if temp_id:
            cmd["temp_id"] = temp_id
        self.commands.append(cmd)
        return cmd["uuid"]


class TodoistProvider(Provider):
    type = "todoist"
    options = {
        # Also token_env / token_cmd (a secret option). No default token_env here:
        # the core reads token_env before token_cmd, so a default would hide
        # token_cmd; TODOIST_API_TOKEN is the fallback in _token().
        "token": Option(
            str,
            secret=True,
            help="API token; better token_env (default TODOIST_API_TOKEN) or token_cmd",
        ),
        "project": Option(
            str, "Job search follow-ups", help="project for the tasks (created when missing)"
        ),
        "section_per_application": Option(bool, False, help="one section per application"),
        "labels": Option(
            list,
            ["follow-up"],
            help="labels for our tasks; the first one marks them as ours",
            check=_labels_problem,
        ),
        "api_url": Option(
            str,
            DEFAULT_API_URL,
            help="API base URL (proxies, tests)",
            check=lambda v: None if re.match(r"^https?://[^/\s]+", v) else "not an http(s) URL",
        ),
        "timeout": Option(
            (int, float),
            None,
            help="seconds per request",
            check=lambda v: None if v > 0 else "must be a positive number of seconds",
        ),
        "max_wait": Option(
            (int, float),
            60,
            help="seconds to wait in total for rate limits and retries",
            check=lambda v: None if v >= 0 else "must be zero or more seconds",
        ),
        "attach_eml": Option(
            bool,
            True,
            help="attach each draft as an .eml file (one upload per new nudge)",
        ),
    }

    def __init__(self, name, options, context):
        super().__init__(name, options, context)
        self.labels = [x.strip() for x in self.opts["labels"]]
        self.label = self.labels[0]
        self.project = self.opts["project"] or "Job search follow-ups"
        self.api_url = (self.opts["api_url"] or DEFAULT_API_URL).rstrip("/")
        self.timeout = float(self.opts["timeout"] or context.timeout or 30.0)
        self.max_wait = float(self.opts["max_wait"])
        self.tz = ZoneInfo(context.user.timezone or "UTC")
        self.attach_eml = bool(self.opts["attach_eml"])
        self._journal = Journal(context.data_dir, name)
        self._api_obj = None
        self._http = None
        self._rid: str | None = None  # X-Request-Id of the write being (re)tried
        self._waited = 0.0  # seconds slept on retries by this provider, against max_wait
        self._by_uid: dict[str, str] | None = None  # uid -> task id, from listing + our writes
        self._project_id: str | None = None
        self._sections: dict[str, str] | None = None
        self._server_now: datetime | None = None
        self._secret: str | None = None

    def describe(self) -> str:
        return f"Todoist project {self.project!r}"

    # --- connection ------------------------------------------------------------
    def _token(self) -> str:
        token = self.context.secret("token")
        env = self.opts.get("token_env") or "TODOIST_API_TOKEN"
        if not token:
            # The core resolves token/token_cmd/keyring; the documented default env
            # var applies even when the user did not write token_env.
            token = os.environ.get(env)
        if not token or not token.strip():
            raise ProviderAuthError(
                f"{self.describe()}: no API token; set {env} or token_cmd "
                "(Todoist: Settings > Integrations > Developer)"
            )
        return self.context.register_secret(token.strip())

    @property
    def _api(self):
        if self._api_obj is None:
            import httpx
            from todoist_api_python.api import TodoistAPI

            token = self._token()
            self._secret = token  # for our own upload request; never printed
            self._http = httpx.Client(
                transport=_rewriting_transport(httpx, self.api_url, self.timeout),
                timeout=self.timeout,
                event_hooks={"response": [self._note_server_time]},
            )
            self._api_obj = TodoistAPI(token, request_id_fn=self._request_id, client=self._http)
        return self._api_obj

    def _note_server_time(self, response) -> None:
        # Todoist's clock (the Date header) bounds the completed-tasks window and
        # dates our own completions: the user's "today" is the service's, not ours.
        from email.utils import parsedate_to_datetime

        with contextlib.suppress(KeyError, TypeError, ValueError):
            self._server_now = parsedate_to_datetime(response.headers["Date"])

    def _now(self) -> datetime:
        return self._server_now or datetime.now(UTC)

    def _request_id(self) -> str:
        # A retried write reuses its X-Request-Id so Todoist can drop the duplicate.
        return self._rid or str(uuid.uuid4())

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
        self._http = self._api_obj = None

    # --- one call with retries and clean errors --------------------------------
    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)
        self._waited += seconds

    def _call(self, what: str, fn: Callable[[], T], *, write: bool = False) -> T:
        """Run one API call: retry 5xx/transport errors with backoff, honour 429's
        Retry-After, all within `max_wait` seconds per provider; map failures to
        one-line ProviderErrors. Raises _NotFound for a 404."""
        import httpx

        def attempt() -> T:
            try:
                return fn()
            except httpx.HTTPStatusError as e:
                status = e.response.status_code
                if status == 429:
                    seconds = _retry_after(e.response.headers.get("Retry-After"))
                    raise RetryAfter(seconds, _RateLimited(seconds)) from None
                if status >= 500:
                    raise _Transient(status) from None
                raise

        self._rid = str(uuid.uuid4()) if write else None
        try:
            return retry_call(
                attempt,
                retry_on=(httpx.TransportError, _Transient),
                attempts=ATTEMPTS,
                base_delay=0.5,
                max_delay=8.0,
                max_total_wait=max(0.0, self.max_wait - self._waited),
                sleep=self._sleep,
            )
        except _RateLimited as e:
            # RateLimited: a push stops writing at once instead of item after item.
            raise RateLimited(
                f"Todoist is rate limiting requests (HTTP 429, asked to wait {e.seconds:g}s) "
                f"while {what}; gave up after waiting {self._waited:g}s (max_wait "
                f"{self.max_wait:g}s). Nothing was lost: push again later."
            ) from None
        except _Transient as e:
            raise ProviderError(
                f"Todoist answered HTTP {e.status} while {what}, {ATTEMPTS} tries; push again later"
            ) from None
        except httpx.TimeoutException:
            raise ProviderError(
                f"Todoist did not answer within {self.timeout:g}s while {what}"
            ) from None
        except httpx.TransportError as e:
            raise ProviderError(
                f"cannot reach Todoist at {_host(self.api_url)} while {what}: {type(e).__name__}"
            ) from None
        except httpx.HTTPStatusError as e:
            status = e.response.status_code
            if status in (401, 403):
                env = self.opts.get("token_env") or "TODOIST_API_TOKEN"
                raise ProviderAuthError(
                    f"Todoist refused the API token (HTTP {status}); check {env} or token_cmd"
                ) from None
            if status == 404:
                raise _NotFound(what) from None
            raise _Refused(
                f"Todoist refused {what} (HTTP {status}: {self._excerpt(e.response)})", status
            ) from None
        except (TypeError, ValueError, KeyError) as e:
            # The SDK's models reject answers missing documented keys; their
            # messages embed the whole JSON, so only the type is reported.
            raise ProviderError(
                f"unexpected answer from Todoist while {what} ({type(e).__name__})"
            ) from None
        finally:
            self._rid = None

    def _excerpt(self, response) -> str:
        try:
            text = response.text
        except Exception:  # a body we cannot read is not worth a crash
            text = ""
        return redact(task_title(text, 160) or response.reason_phrase)

    def _pages(self, what: str, paginator: Iterator[list[T]]) -> Iterator[list[T]]:
        # A failed page leaves the paginator's cursor alone, so a retry re-reads it.
        while True:
            try:
                page = self._call(what, lambda: next(paginator))
            except StopIteration:
                return
            except _NotFound:
                raise ProviderError(
                    f"Todoist has no such endpoint ({what}): check api_url"
                ) from None
            yield page

    # --- listing ------------------------------------------------------------------
    def list_items(self, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]:
        """Our tasks: active ones (one request per page of 200), plus completed ones
        when needed to report `completed_on`.

        Completed tasks cost more requests, so they are fetched only for a full
        listing (`known` empty) or when a task in `known` left the active list and
        is not remembered as completed (completed or deleted: only Todoist knows).
        Tasks remembered as completed (provider state "completed", kept up to date
        by every listing and by our own close/reopen/delete) are carried over from
        `known`. Not seen that way: a completed task the user deletes later.
        """
        found: dict[str, tuple[Any, Marker]] = {}
        for page in self._pages(
            "listing tasks", self._api.get_tasks(label=self.label, limit=PAGE_LIMIT)
        ):
            for task in page:
                self._keep(found, task)
        done = self._done_state()

        def known_done(uid: str, r: RemoteItem) -> date | None:
            if r.completed_on is not None:
                return r.completed_on
            ref, day = done.get(uid, (None, None))
            return day if ref == r.ref else None

        fetch_completed = not known or any(
            uid not in found and known_done(uid, r) is None for uid, r in known.items()
        )
        if fetch_completed:
            for task in self._completed_tasks():
                self._keep(found, task)
        result = {uid: self._remote(task, m) for uid, (task, m) in found.items()}
        if fetch_completed:
            done = {u: (r.ref, r.completed_on) for u, r in result.items() if r.completed_on}
        else:
            # Nothing vanished: what we knew as completed is still completed.
            for uid, r in known.items():
                day = known_done(uid, r)
                if uid not in result and day is not None:
                    result[uid] = replace(r, completed_on=day)
            done = {u: v for u, v in done.items() if u not in found or found[u][0].completed_at}
        self._save_done_state(done)
        settled = {}
        for uid, entry in self._journal.read().items():
            if uid in result and entry.task in (ANY_TASK, result[uid].ref):
                # A batch left it half-done (no draft, or not completed): reported
                # with a hash no plan has, so the core rewrites it and the write
                # finishes it.
                result[uid] = replace(
                    result[uid], content_hash=result[uid].content_hash + UNFINISHED
                )
            else:
                settled[uid] = None  # never written, or gone: nothing to finish
        self._journal.update(settled)
        self._by_uid = {uid: r.ref for uid, r in result.items()}
        return result

    def _done_state(self) -> dict[str, tuple[str, date]]:
        """uid -> (task id, completion day) of our completed tasks, from provider state."""
        try:
            raw = json.loads(self.context.state.get("completed") or "{}")
            return {u: (v[0], date.fromisoformat(v[1])) for u, v in raw.items()}
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return {}  # unreadable: the next listing fetches completed tasks again

    def _save_done_state(self, done: dict[str, tuple[str, date]]) -> None:
        raw = {u: [ref, day.isoformat()] for u, (ref, day) in sorted(done.items())}
        self.context.state["completed"] = json.dumps(raw, separators=(",", ":")) if raw else None

    def _remember_done(self, uid: str, ref: str, day: date | None) -> None:
        done = self._done_state()
        if day is None:
            done.pop(uid, None)
        else:
            done[uid] = (ref, day)
        self._save_done_state(done)

    def _completed_tasks(self) -> list[Any]:
        now = self._now()

        def fetch(query: str | None) -> list[Any]:
            paginator = self._api.get_completed_tasks_by_completion_date(
                since=now - COMPLETED_WINDOW,
                until=now + timedelta(hours=1),  # slack for clocks and slow replicas
                filter_query=query,
                limit=PAGE_LIMIT,
            )
            return [t for page in self._pages("listing completed tasks", paginator) for t in page]

        # The label filter saves pages; _keep() checks the label anyway, so if
        # Todoist refuses the filter (odd label names), list without it.
        try:
            return fetch(f"@{self.label}" if re.fullmatch(r"[\w-]+", self.label) else None)
        except _Refused as e:
            if e.status != 400:
                raise
            return fetch(None)

    def _keep(self, found: dict[str, tuple[Any, Marker]], task: Any) -> None:
        if self.label not in (task.labels or []):
            return
        marker = parse_marker(task.description)
        if marker is None:
            return
        seen = found.get(marker.uid)
        # Two tasks with one UID (the user duplicated one): report a single one,
        # the active before the completed, then the oldest.
        if seen is None or _rank(task) < _rank(seen[0]):
            found[marker.uid] = (task, marker)

    def _remote(self, task: Any, marker: Marker, *, completed: bool | None = None) -> RemoteItem:
        done = task.completed_at is not None if completed is None else completed
        completed_on = None
        if done:
            at = task.completed_at or self._now()
            completed_on = at.astimezone(self.tz).date()
        return RemoteItem(
            uid=marker.uid,
            ref=task.id,
            etag=task_etag(task, done),
            due=self._due_of(task, marker),
            completed_on=completed_on,
            content_hash=marker.content_hash,
            extra={"project_id": task.project_id or "", "eml": marker.eml or ""},
        )

    def _due_of(self, task: Any, marker: Marker) -> datetime | None:
        if task.due is None:
            return None
        value = task.due.date
        if isinstance(value, datetime):
            if value.tzinfo is None:  # floating: the user's wall time
                return value.replace(tzinfo=self.tz)
            return value.astimezone(self.tz)
        # A date without time (the user re-dated it so): keep our send time.
        hh, mm = (int(x) for x in (marker.at or "00:00").split(":"))
        return datetime.combine(value, dtime(hh, mm), tzinfo=self.tz)

    # --- writes: batches of /sync commands ----------------------------------------
    def create(self, item: PushItem) -> RemoteItem:
        return self._write_one(Write("create", item))

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        return self._write_one(Write("update", item, current))

    def delete(self, current: RemoteItem) -> None:
        self._write_one(Write("delete", current=current))

    def _write_one(self, write: Write) -> RemoteItem | None:
        (result,) = self.write_many([write])
        if result.error is not None:
            raise result.error
        return result.remote

    def write_many(self, writes: Iterable[Write]) -> Iterator[WriteResult]:
        """Writes in batches of up to MAX_COMMANDS commands; each result as soon as
        its batch is answered (and its task read back)."""
        source = iter(writes)
        while chunk := self._next_chunk(source):
            yield from self._write_chunk(chunk)

    def _next_chunk(self, source: Iterator[Write]) -> list[Write]:
        chunk: list[Write] = []
        commands = 0
        for write in source:
            chunk.append(write)
            commands += self._commands_for(write)
            if commands + 3 > MAX_COMMANDS:
                break  # a next write could need 3 more
        return chunk

    def _commands_for(self, write: Write) -> int:
        """How many commands `write` will take, probably (a batch is split if more)."""
        if write.kind == "delete":
            return 1
        item = write.item
        sent = item.item.status == ItemStatus.SENT
        n = 1 + (1 if item.eml and self.attach_eml else 0)
        if write.kind == "create":
            return n + sent
        changed_draft = (
            item.eml and self.attach_eml and _eml_hash(item) != write.current.extra.get("eml")
        )
        return 1 + bool(changed_draft) + (sent != (write.current.completed_on is not None))

    def _write_chunk(self, chunk: list[Write]) -> Iterator[WriteResult]:
        refs = [w.current.ref for w in chunk if w.kind != "create"]
        tasks: dict[str, Any] = {}
        read_error: ProviderError | None = None
        if refs:
            try:
                # Todoist has no conditional writes: the tasks are read (200 a
                # request) right before the batch, and one the user changed since
                # our listing is left alone.
                tasks = self._read_tasks(refs, "before writing")
            except ProviderError as e:
                read_error = e
        stop = read_error if isinstance(read_error, RateLimited | ProviderAuthError) else None
        batch: list[_Pending] = []
        for write in chunk:
            if stop is not None or (read_error is not None and write.kind != "create"):
                yield WriteResult(write, error=stop or read_error)
                continue
            try:
                step = self._prepare(write, tasks)
            except ProviderError as e:
                if isinstance(e, RateLimited | ProviderAuthError):
                    stop = e  # every further request would be refused too
                yield WriteResult(write, error=e)
                continue
            if isinstance(step, WriteResult):
                yield step
            else:
                batch.append(step)
        if batch and stop is not None:
            # Refused credentials or a rate limit while preparing (an upload): the
            # batch would be refused too. Nothing of it was written.
            for p in batch:
                yield WriteResult(p.write, error=stop)
        elif batch:
            yield from self._send(batch)

    # --- one write's commands -------------------------------------------------------
    def _prepare(self, write: Write, tasks: Mapping[str, Any]) -> _Pending | WriteResult:
        if write.kind == "create":
            return self._prepare_create(write)
        task = tasks.get(write.current.ref)
        if write.kind == "delete":
            return self._prepare_delete(write, task)
        return self._prepare_update(write, task)

    def _prepare_create(self, write: Write) -> _Pending:
        item = write.item
        by_uid = self._by_uid
        if by_uid is None:
            self.list_items({})  # once per run: create must not duplicate a UID
        if item.uid in (self._by_uid or {}):
            raise ConflictError(f"{self.describe()}: a task for {item.uid} already exists")
        content, description, _ = self._render(item)
        project_id, section_id = self._target(item)
        args = {
            "content": content,
            "description": description,
            "project_id": project_id,
            "labels": list(self.labels),
            "priority": priority_for(item),
            "due": self._due_arg(item),
            # Company text like "@home" or "#work" must stay text.
            "auto_parse_labels": False,
        }
        if section_id:
            args["section_id"] = section_id
        temp_id = str(uuid.uuid4())
        pending = _Pending(write, temp_id, new=True)
        pending.add("item_add", args, temp_id=temp_id)
        if item.eml and self.attach_eml:
            # Uploaded first: the batch then writes the task and its draft together.
            attachment = self._upload(item)
            pending.draft = pending.add(
                "note_add",
                {"item_id": temp_id, "content": DRAFT_NOTE, "file_attachment": attachment},
            )
            pending.eml = _eml_hash(item)
        if item.item.status == ItemStatus.SENT:
            pending.add("item_complete", {"id": temp_id})
        return pending

    def _prepare_update(self, write: Write, task: Any) -> _Pending:
        item, current = write.item, write.current
        if task is None:
            raise ConflictError(f"{self.describe()}: the task for {item.uid} is gone")
        old = parse_marker(task.description)
        if old is None or old.uid != item.uid or task_etag(task) != current.etag:
            raise ConflictError(f"{self.describe()}: the task for {item.uid} changed in Todoist")
        content, description, eml_hash = self._render(item)
        # Keep labels the user added; make sure ours are there.
        labels = list(task.labels or []) + [x for x in self.labels if x not in (task.labels or [])]
        pending = _Pending(write, task.id)
        pending.add(
            "item_update",
            {
                "id": task.id,
                "content": content,
                "description": description,
                "labels": labels,
                "priority": priority_for(item),
                "due": self._due_arg(item),
            },
        )
        entry = self._journal.get(item.uid, task.id)
        if item.eml and self.attach_eml:
            attach, again = _draft_to_attach(eml_hash, old.eml, entry)
            if attach:
                pending.draft = pending.add(
                    "note_add",
                    {
                        "item_id": task.id,
                        "content": DRAFT_NOTE,
                        "file_attachment": self._upload(item),
                    },
                    command_uuid=again,
                )
                pending.eml = eml_hash
        done = task.completed_at is not None
        want_done = item.item.status == ItemStatus.SENT
        if want_done != done:
            pending.add("item_complete" if want_done else "item_uncomplete", {"id": task.id})
        return pending

    def _prepare_delete(self, write: Write, task: Any) -> _Pending | WriteResult:
        current = write.current
        if task is None:
            self._forget(current.uid)
            return WriteResult(write)  # already gone: nothing to do
        marker = parse_marker(task.description)
        if marker is None or marker.uid != current.uid:
            raise ConflictError(f"{self.describe()}: the task for {current.uid} changed in Todoist")
        if current.etag is not None and task_etag(task) != current.etag:
            raise ConflictError(f"{self.describe()}: the task for {current.uid} changed in Todoist")
        pending = _Pending(write, task.id)
        pending.add("item_delete", {"id": task.id})
        return pending

    def _due_arg(self, item: PushItem) -> dict:
        # A fixed-timezone due: the instant in UTC plus the zone it shows in, so the
        # task is at the send time wherever the user opens Todoist.
        when = item.item.due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"date": when, "timezone": self.tz.key}

    # --- a batch, its answer, and the tasks it wrote ----------------------------------
    def _send(self, batch: list[_Pending]) -> Iterator[WriteResult]:
        # Tasks a batch could leave half-done are journaled before it is sent; what
        # the journal said before is put back for a write Todoist refuses whole.
        prior = self._journal.read()
        self._journal.update(
            {
                p.uid: Entry(ANY_TASK if p.new else p.task_id, *_draft_state(p, {}, prior))
                for p in batch
                if len(p.commands) > 1
            }
        )
        for group in _groups(batch):
            try:
                answer = self._post_commands(group)
            except ProviderError as e:
                # No answer: what Todoist applied is unknown. The journal keeps its
                # entries, and the next push's listing shows what is there.
                for p in group:
                    yield WriteResult(p.write, error=e)
                continue
            yield from self._settle(group, answer, prior)

    def _post_commands(self, group: list[_Pending]) -> dict:
        commands = [c for p in group for c in p.commands]
        self._api  # noqa: B018 - builds self._http and resolves the token

        def post() -> dict:
            response = self._http.post(
                f"{DEFAULT_API_URL}/sync",  # rewritten to api_url by the transport
                headers={
                    "Authorization": f"Bearer {self._secret}",
                    # A retried batch carries the same X-Request-Id and command
                    # uuids: Todoist applies it once.
                    "X-Request-Id": self._request_id(),
                },
                data={"commands": json.dumps(commands)},
            )
            response.raise_for_status()
            return response.json()

        try:
            answer = self._call(
                f"writing {len(group)} tasks ({len(commands)} commands)", post, write=True
            )
        except _NotFound:
            raise ProviderError("Todoist has no /sync endpoint at api_url: check api_url") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("sync_status"), dict):
            raise ProviderError("unexpected answer from Todoist while writing tasks")
        return answer

    def _settle(
        self, group: list[_Pending], answer: dict, prior: Mapping[str, Entry]
    ) -> Iterator[WriteResult]:
        """Each write's result from the batch's answer: what failed fails alone."""
        status = answer["sync_status"]
        mapping = answer.get("temp_id_mapping") or {}
        journal: dict[str, Entry | None] = {}
        written: list[tuple[_Pending, str]] = []
        for p in group:
            first, rest = p.commands[0], p.commands[1:]
            state = status.get(first["uuid"])
            if state != "ok":
                if p.write.kind == "delete" and _http_code(state) == 404:
                    written.append((p, p.task_id))  # deleted meanwhile: the goal is reached
                    continue
                if state is not None:
                    journal[p.uid] = _after_refusal(p, status, prior)
                yield WriteResult(p.write, error=self._refusal(p, first, state))
                continue
            task_id = mapping.get(p.task_id) if p.new else p.task_id
            if task_id is None:
                yield WriteResult(
                    p.write,
                    error=ProviderError(
                        f"{self.describe()}: Todoist added the task for {p.uid} without saying its"
                        " id; the next push finds it"
                    ),
                )
                continue
            if p.new and self._by_uid is not None:
                self._by_uid[p.uid] = task_id
            failed = [(c, status.get(c["uuid"])) for c in rest if status.get(c["uuid"]) != "ok"]
            if failed:
                cmd, state = failed[0]
                journal[p.uid] = Entry(task_id, *_draft_state(p, status, prior))
                error = self._refusal(p, cmd, state)
                yield WriteResult(
                    p.write,
                    error=type(error)(
                        f"{error.message}; the task is written, the next push finishes it"
                    ),
                )
                continue
            journal[p.uid] = None  # written whole: nothing left to finish
            written.append((p, task_id))
        self._journal.update(journal)
        yield from self._read_back(written)

    def _refusal(self, p: _Pending, cmd: dict, state: Any) -> ProviderError:
        what = f"{COMMAND_WHAT.get(cmd['type'], cmd['type'])} for {p.uid}"
        if not isinstance(state, dict):
            return ProviderError(
                f"{self.describe()}: Todoist did not report on {what}; push again to check it"
            )
        code = _http_code(state)
        text = redact(task_title(str(state.get("error") or state.get("error_tag") or ""), 160))
        if code == 429:
            return RateLimited(
                f"Todoist is rate limiting requests (HTTP 429) while {what}. Nothing was lost:"
                " push again later."
            )
        if code == 404 and cmd["type"] == "item_update":
            return ConflictError(f"{self.describe()}: the task for {p.uid} is gone")
        return ProviderError(f"Todoist refused {what} (HTTP {code}: {text})")

    def _read_back(self, written: list[tuple[_Pending, str]]) -> Iterator[WriteResult]:
        """Results for the written tasks, read back for their etags as a listing sees them."""
        refs = [task_id for p, task_id in written if p.write.kind != "delete"]
        try:
            tasks = self._read_tasks(refs, "after writing") if refs else {}
        except ProviderError as e:
            # Written, but unread: unrecorded, so the next push adopts them.
            tasks, read_error = {}, e
        else:
            read_error = None
        for p, task_id in written:
            if p.write.kind == "delete":
                self._forget(p.uid)
                yield WriteResult(p.write)
                continue
            task = tasks.get(task_id)
            if task is None:
                yield WriteResult(
                    p.write,
                    error=read_error
                    or ProviderError(
                        f"{self.describe()}: the task for {p.uid} was gone right after it was"
                        " written; the next push checks it"
                    ),
                )
                continue
            try:
                marker = self._marker_of_our_write(task)
            except ProviderError as e:
                yield WriteResult(p.write, error=e)
                continue
            remote = self._remote(task, marker)
            self._remember_done(p.uid, task.id, remote.completed_on)
            yield WriteResult(p.write, remote)

    def _read_tasks(self, refs: list[str], why: str) -> dict[str, Any]:
        """id -> task (None if gone): active ones 200 a request, completed ones one each."""
        api = self._api
        found: dict[str, Any] = {}
        for start in range(0, len(refs), PAGE_LIMIT):
            ids = refs[start : start + PAGE_LIMIT]
            paginator = api.get_tasks(ids=ids, limit=PAGE_LIMIT)
            for page in self._pages(f"reading {len(ids)} tasks {why}", paginator):
                for task in page:
                    found[task.id] = task
        for ref in refs:
            if ref in found:
                continue
            try:
                found[ref] = self._call(
                    f"reading task {ref} {why}", lambda ref=ref: api.get_task(ref)
                )
            except _NotFound:
                found[ref] = None
        return found

    def _marker_of_our_write(self, task: Any) -> Marker:
        marker = parse_marker(task.description)
        if marker is None:
            # Todoist answered with a description other than the one we sent.
            raise ProviderError(
                f"{self.describe()}: Todoist returned task {task.id} without our marker;"
                " push again to check it"
            )
        return marker

    def _forget(self, uid: str) -> None:
        if self._by_uid is not None:
            self._by_uid.pop(uid, None)
        self._remember_done(uid, "", None)

    # --- rendering -------------------------------------------------------------
    def _render(self, item: PushItem) -> tuple[str, str, str | None]:
        if not UID_RE.match(item.uid) or ItemRef.parse(item.uid) is None:
            raise ProviderError(f"{self.describe()}: not a followup-sync UID: {item.uid!r}")
        if not re.fullmatch(r"[!-~]{1,128}", item.content_hash):
            raise ProviderError(f"{self.describe()}: content hash is not markable for {item.uid}")
        content = task_title(item.summary, CONTENT_MAX) or item.uid
        eml_hash = _eml_hash(item) if self.attach_eml else None
        at = item.item.due.astimezone(self.tz).strftime("%H:%M")
        marker = render_marker(item.uid, item.content_hash, at, eml_hash)
        body = body_text(item.description)
        if item.mailto and _SAFE_LINK_RE.fullmatch(item.mailto):
            # A Markdown link: a short clickable text instead of a very long URL.
            body = body.replace(item.mailto, f"[Open this draft in your mail app]({item.mailto})")
        room = DESCRIPTION_MAX - len(marker) - 2
        if len(body) > room:
            note = "\n… (cut: the full draft is in the attached .eml)"
            body = body[: room - len(note)].rstrip() + note
        description = f"{body}\n\n{marker}" if body else marker
        return content, description, eml_hash

    def _target(self, item: PushItem) -> tuple[str, str | None]:
        """Project id (found or created once per run) and the application's section."""
        api = self._api
        if self._project_id is None:
            for page in self._pages("listing projects", api.get_projects(limit=PAGE_LIMIT)):
                match = next(
                    (p for p in page if p.name == self.project and not p.is_archived), None
                )
                if match is not None:
                    self._project_id = match.id
                    break
            else:
                self._project_id = self._call(
                    "creating the project", lambda: api.add_project(self.project), write=True
                ).id
        if not self.opts.get("section_per_application"):
            return self._project_id, None
        name = task_title(f"{item.company} — {item.role}", 2048) or item.item.application_id
        if self._sections is None:
            self._sections = {}
            for page in self._pages(
                "listing sections", api.get_sections(self._project_id, limit=PAGE_LIMIT)
            ):
                for s in page:
                    self._sections.setdefault(s.name, s.id)
        if name not in self._sections:
            project_id = self._project_id
            section = self._call(
                "creating a section", lambda: api.add_section(name, project_id), write=True
            )
            self._sections[name] = section.id
        return self._project_id, self._sections[name]

    def _upload(self, item: PushItem) -> dict:
        """POST /uploads (multipart field `file`): the SDK has no call for it.

        Returns the attachment object, as note_add takes it."""
        self._api  # noqa: B018 - builds self._http and resolves the token
        slug = re.sub(r"[^A-Za-z0-9]+", "-", item.company).strip("-")[:40] or "draft"
        step = item.item.step
        filename = f"follow-up-{slug}-{step}.eml"
        eml = item.eml or b""

        def post() -> dict:
            response = self._http.post(
                f"{DEFAULT_API_URL}/uploads",  # rewritten to api_url by the transport
                headers={
                    "Authorization": f"Bearer {self._secret}",
                    "X-Request-Id": self._request_id(),
                },
                files={"file": (filename, eml, "message/rfc822")},
                data={"file_name": filename},
            )
            response.raise_for_status()
            attachment = response.json()
            if not isinstance(attachment, dict) or not attachment.get("file_url"):
                raise ValueError("no file_url")
            return attachment

        return self._call(f"uploading the draft for {item.uid}", post, write=True)


def _groups(batch: list[_Pending]) -> Iterator[list[_Pending]]:
    """Requests of at most MAX_COMMANDS commands; a write's commands stay together
    (later ones name the new task by its temp_id)."""
    group: list[_Pending] = []
    count = 0
    for p in batch:
        if group and count + len(p.commands) > MAX_COMMANDS:
            yield group
            group, count = [], 0
        group.append(p)
        count += len(p.commands)
    if group:
        yield group


def _draft_to_attach(
    eml_hash: str | None, on_task: str | None, entry: Entry | None
) -> tuple[bool, str | None]:
    """Whether an update attaches its draft, and the note_add uuid to send again.

    What the journal knows about this very draft comes first: attached already,
    known missing, or sent in a batch of unknown fate (then its uuid goes again:
    Todoist applies it once at most). Otherwise the draft is attached when it
    changed (the old comment stays as history), or when a batch never attached it.
    """
    if entry is not None and entry.eml is not None and entry.eml == eml_hash:
        if entry.draft is None:
            return False, None
        return True, (None if entry.draft == MISSING else entry.draft)
    if eml_hash != on_task:
        return True, None
    if entry is not None and entry.draft is not None:
        return True, (None if entry.draft == MISSING else entry.draft)
    return False, None


def _draft_state(
    p: _Pending, status: Mapping[str, Any], prior: Mapping[str, Entry]
) -> tuple[str | None, str | None]:
    """(draft, eml) for the journal once `status` is known (empty: before the batch)."""
    if p.draft is None:
        before = prior.get(p.uid)
        return (before.draft, before.eml) if before is not None else (None, None)
    state = status.get(p.draft)
    if state == "ok":
        return None, p.eml  # attached
    if state is None:
        return p.draft, p.eml  # fate unknown: send the same uuid again
    return MISSING, None  # refused: attach a new one


def _after_refusal(
    p: _Pending, status: Mapping[str, Any], prior: Mapping[str, Entry]
) -> Entry | None:
    """The journal entry after Todoist refused a write's first command.

    A new task was not made (its other commands named it, and failed with it). An
    update's other commands may have gone through: a draft it attached is noted,
    so the next attempt does not attach it twice; an entry the task had stays.
    """
    before = prior.get(p.uid)
    if p.new:
        return before
    draft, eml = _draft_state(p, status, prior)
    if before is None and not (p.draft is not None and draft is None):
        return None  # nothing of it was written
    return Entry(p.task_id, draft, eml)


def _http_code(state: Any) -> int | None:
    return state.get("http_code") if isinstance(state, dict) else None


def _eml_hash(item: PushItem) -> str | None:
    return hashlib.sha256(item.eml).hexdigest()[:12] if item.eml else None


def _rank(task: Any) -> tuple[bool, str, str]:
    return (task.completed_at is not None, task.created_at.isoformat(), task.id)


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return 1.0  # no hint: a short pause, bounded by max_wait like any other
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _host(url: str) -> str:
    return re.sub(r"^https?://([^/]+).*$", r"\1", url)


def _rewriting_transport(httpx, api_url: str, timeout: float):
    """An httpx transport that sends the SDK's fixed https://api.todoist.com/api/v1
    URLs to `api_url`, and applies our timeout (the SDK passes its own 60 s)."""
    from todoist_api_python._core.endpoints import API_URL

    class RewritingTransport(httpx.HTTPTransport):
        def handle_request(self, request):
            url = str(request.url)
            if api_url != API_URL and url.startswith(API_URL):
                request.url = httpx.URL(api_url + url[len(API_URL) :])
                request.headers["Host"] = request.url.netloc.decode("ascii")
            request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
            return super().handle_request(request)

    return RewritingTransport()


__all__ = ["TodoistProvider", "parse_marker", "render_marker", "task_etag"]
