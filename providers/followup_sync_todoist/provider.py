"""Todoist provider: each follow-up item is one Todoist task.

A task carries our label (the first of `labels`) and, as the last line of its
description, a marker line `followup-sync:uid=<uid> hash=<hash> at=<HH:MM> eml=<sha>`.
Only tasks with both are ours: a lost store is rebuilt by adoption, and a task
the user wrote is never touched. Only the *last* line counts, and body lines that
look like a marker are defused, so company or role text cannot forge one.

Thin by design: the core plans and diffs; this module renders a PushItem into a
task and reports tasks back as RemoteItems. The SDK (todoist-api-python) has no
base-URL option, no upload call and no retries, so this module adds an httpx
transport that rewrites the base URL, posts uploads itself, and wraps every call
in followup_sync.retry.retry_call.

Why one module of ~800 lines: the marker format, the SDK adapter (transport,
retries, rate-limit budget) and the task CRUD with its crash journal are one
provider's private protocol; the sections below keep them apart within it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from followup_sync.atomic import write_atomic
from followup_sync.errors import (
    ConflictError,
    ProviderAuthError,
    ProviderError,
    RateLimited,
)
from followup_sync.models import UID_RE, ItemKind, ItemRef, ItemStatus, PushItem, RemoteItem
from followup_sync.provider import Option, Provider
from followup_sync.redaction import redact
from followup_sync.retry import RetryAfter, retry_call
from followup_sync.text import task_title

T = TypeVar("T")

DEFAULT_API_URL = "https://api.todoist.com/api/v1"
CONTENT_MAX = 500  # Todoist's limit for task content
DESCRIPTION_MAX = 16383  # the SDK's limit for descriptions
PAGE_LIMIT = 200  # the largest page Todoist serves: fewest listing requests
# Todoist serves completed tasks for windows of at most ~3 months.
COMPLETED_WINDOW = timedelta(days=89)
ATTEMPTS = 5
ANY_TASK = "*"  # journal value: the task's id was never seen

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
        for uid, task_id in self._read_journal().items():
            if uid in result and task_id in (ANY_TASK, result[uid].ref):
                # Written without its draft (a crash mid-create): no hash, so the
                # core updates it and update() attaches the draft.
                result[uid] = replace(result[uid], content_hash=None)
            else:
                self._journal(uid, None)
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

    # --- writes -------------------------------------------------------------------
    def create(self, item: PushItem) -> RemoteItem:
        by_uid = self._by_uid
        if by_uid is None:
            self.list_items({})  # once per run: create must not duplicate a UID
            by_uid = self._by_uid or {}
            self._by_uid = by_uid
        if item.uid in by_uid:
            raise ConflictError(f"{self.describe()}: a task for {item.uid} already exists")
        content, description, eml_hash = self._render(item)
        project_id, section_id = self._target(item)
        api = self._api
        # Upload first: if it fails, no task is left without its draft.
        attachment = self._upload(item) if item.eml else None
        if attachment is not None:
            # From the task until its comment, a crash (or a lost answer) would leave
            # a task that the next push adopts as complete: the journal makes that
            # push repair it instead. Written first: the task id may never arrive.
            self._journal(item.uid, ANY_TASK)
        task = self._call(
            f"adding the task for {item.uid}",
            lambda: api.add_task(
                content,
                description=description,
                project_id=project_id,
                section_id=section_id,
                labels=self.labels,
                priority=priority_for(item),
                due_datetime=item.item.due,
                # Company text like "@home" or "#work" must stay text.
                auto_parse_labels=False,
            ),
            write=True,
        )
        self._by_uid[item.uid] = task.id
        try:
            if attachment is not None:
                self._attach(task.id, attachment)
                self._journal(item.uid, None)
            done = item.item.status == ItemStatus.SENT
            if done:
                self._set_completed(task.id, True)
        except ProviderError as e:
            self._undo_create(task.id, item.uid, e)
            raise
        marker = self._marker_of_our_write(task)
        remote = self._remote(task, marker, completed=done)
        if done:
            self._remember_done(item.uid, task.id, remote.completed_on)
        return remote

    def _marker_of_our_write(self, task: Any) -> Marker:
        marker = parse_marker(task.description)
        if marker is None:
            # Todoist answered with a description other than the one we sent.
            raise ProviderError(
                f"{self.describe()}: Todoist returned task {task.id} without our marker;"
                " push again to check it"
            )
        return marker

    def _undo_create(self, task_id: str, uid: str, error: ProviderError) -> None:
        """Remove a task whose attachment could not be added, so the next push
        writes it whole instead of adopting it without its draft."""
        try:
            self._call(
                "removing a half-written task",
                lambda: self._api.delete_task(task_id),
                write=True,
            )
        except _NotFound:
            pass
        except ProviderError:
            # Left in place; the journal entry makes the next push attach the draft.
            return
        self._by_uid.pop(uid, None)
        self._journal(uid, None)

    # A small local journal (data dir) of tasks written without their comment yet.
    def _journal_path(self) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.name)
        return Path(self.context.data_dir) / f"todoist-{safe}.unattached.json"

    def _read_journal(self) -> dict[str, str]:
        try:
            data = json.loads(self._journal_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _journal(self, uid: str, task_id: str | None) -> None:
        entries = self._read_journal()
        if task_id is None and uid not in entries:
            return
        if task_id is None:
            entries.pop(uid)
        else:
            entries[uid] = task_id
        path = self._journal_path()
        if not entries:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # A crash leaves the old journal or the new one, never a torn file.
        write_atomic(path, json.dumps(entries).encode("utf-8"))

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        task = self._fresh(current, "updating")
        if task is None:
            raise ConflictError(f"{self.describe()}: the task for {item.uid} is gone")
        old = parse_marker(task.description)
        if old is None or old.uid != item.uid or task_etag(task) != current.etag:
            raise ConflictError(f"{self.describe()}: the task for {item.uid} changed in Todoist")
        content, description, eml_hash = self._render(item)
        # Keep labels the user added; make sure ours are there.
        labels = list(task.labels or []) + [x for x in self.labels if x not in (task.labels or [])]
        api = self._api
        new = self._call(
            f"updating the task for {item.uid}",
            lambda: api.update_task(
                task.id,
                content=content,
                description=description,
                labels=labels,
                priority=priority_for(item),
                due_datetime=item.item.due,
            ),
            write=True,
        )
        unattached = self._read_journal().get(item.uid) in (ANY_TASK, task.id)
        if item.eml and (eml_hash != old.eml or unattached):
            # The draft changed (the old comment stays as history), or a crashed
            # push never attached it.
            self._attach(task.id, self._upload(item))
            self._journal(item.uid, None)
        done = task.completed_at is not None
        want_done = item.item.status == ItemStatus.SENT
        if want_done != done:
            self._set_completed(task.id, want_done)
        marker = self._marker_of_our_write(new)
        if want_done and done:
            # Completed before (by the user or us): keep the day Todoist recorded.
            new = replace(new, completed_at=task.completed_at)
        remote = self._remote(new, marker, completed=want_done)
        self._remember_done(item.uid, new.id, remote.completed_on)
        return remote

    def delete(self, current: RemoteItem) -> None:
        task = self._fresh(current, "deleting")
        if task is None:
            self._forget(current.uid)
            return  # already gone: nothing to do
        marker = parse_marker(task.description)
        if marker is None or marker.uid != current.uid:
            raise ConflictError(f"{self.describe()}: the task for {current.uid} changed in Todoist")
        if current.etag is not None and task_etag(task) != current.etag:
            raise ConflictError(f"{self.describe()}: the task for {current.uid} changed in Todoist")
        with contextlib.suppress(_NotFound):  # deleted meanwhile: the goal is reached
            self._call(
                f"deleting the task for {current.uid}",
                lambda: self._api.delete_task(task.id),
                write=True,
            )
        self._forget(current.uid)

    def _forget(self, uid: str) -> None:
        if self._by_uid is not None:
            self._by_uid.pop(uid, None)
        self._remember_done(uid, "", None)

    def _fresh(self, current: RemoteItem, why: str) -> Any | None:
        """Re-read the task (one GET) to compare etags; None if it is gone."""
        try:
            return self._call(
                f"reading the task for {current.uid} before {why}",
                lambda: self._api.get_task(current.ref),
            )
        except _NotFound:
            return None

    def _set_completed(self, task_id: str, done: bool) -> None:
        api = self._api
        fn = api.complete_task if done else api.uncomplete_task
        self._call(
            "closing the task" if done else "reopening the task", lambda: fn(task_id), write=True
        )

    # --- rendering -------------------------------------------------------------
    def _render(self, item: PushItem) -> tuple[str, str, str | None]:
        if not UID_RE.match(item.uid) or ItemRef.parse(item.uid) is None:
            raise ProviderError(f"{self.describe()}: not a followup-sync UID: {item.uid!r}")
        if not re.fullmatch(r"[!-~]{1,128}", item.content_hash):
            raise ProviderError(f"{self.describe()}: content hash is not markable for {item.uid}")
        content = task_title(item.summary, CONTENT_MAX) or item.uid
        eml_hash = hashlib.sha256(item.eml).hexdigest()[:12] if item.eml else None
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

    def _upload(self, item: PushItem):
        """POST /uploads (multipart field `file`): the SDK has no call for it."""
        from todoist_api_python.models import Attachment

        self._api  # noqa: B018 - builds self._http and resolves the token
        slug = re.sub(r"[^A-Za-z0-9]+", "-", item.company).strip("-")[:40] or "draft"
        step = item.item.step
        filename = f"follow-up-{slug}-{step}.eml"
        eml = item.eml or b""

        def post():
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
            return Attachment.from_dict(response.json())

        return self._call(f"uploading the draft for {item.uid}", post, write=True)

    def _attach(self, task_id: str, attachment) -> None:
        api = self._api
        self._call(
            "attaching the draft",
            lambda: api.add_comment(
                "Email draft: open the attached .eml in your mail app, check it, send it.",
                task_id=task_id,
                attachment=attachment,
            ),
            write=True,
        )


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
