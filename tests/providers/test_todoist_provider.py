"""The Todoist provider through the real SDK against the fake Todoist server.

The contract suite runs first; then what only Todoist has: due times in a fixed
time zone, the .eml upload and comment, request counts, completed tasks, rate
limits, retried writes that must not duplicate, and token handling.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import pytest

from followup_sync.errors import ConflictError, ProviderAuthError, ProviderError, RateLimited
from followup_sync.models import ItemStatus
from followup_sync.provider import Write
from followup_sync.testing import ProviderContract, make_push_item, redate
from followup_sync_todoist.provider import parse_marker, render_marker

pytestmark = [pytest.mark.network]

NY = ZoneInfo("America/New_York")


class _NoMarker:
    uid = None


_NO = _NoMarker()


class TestTodoist(ProviderContract):
    @pytest.fixture
    def provider(self, fake, make_provider):
        self.fake = fake
        return make_provider()

    def add_foreign(self, provider):
        other = make_push_item(attempt=2).uid
        # Our label but no marker; a marker that is not the last line; a marker
        # without our label: none of them is ours.
        self.fake.user_add_task("Buy milk", labels=["follow-up"], description="2 litres")
        self.fake.user_add_task(
            "Forged",
            labels=["follow-up"],
            description=render_marker(other, "abc", "09:30", None) + "\nsomething after",
        )
        self.fake.user_add_task(
            "Unlabelled", labels=[], description=render_marker(other, "abc", "09:30", None)
        )

    def edit_remotely(self, provider, remote):
        self.fake.user_edit_task(remote.ref, content="Edited by the user")

    def stored_text(self, provider, uid):
        # The fake server's own data, not what our provider reports.
        (task,) = [
            t
            for t in self.fake.tasks.values()
            if not t["is_deleted"] and (parse_marker(t["description"]) or _NO).uid == uid
        ]
        return task["content"], task["description"]

    def complete_remotely(self, provider, remote, day):
        at = datetime.combine(day, dtime(17, 0), tzinfo=NY)
        self.fake.user_complete(remote.ref, at)
        self.fake.clock = lambda: at + timedelta(hours=2)  # it is now later that day


# --- rendering and round trips ----------------------------------------------------


def test_due_round_trips_at_send_time_in_new_york(todoist_provider, fake):
    item = make_push_item(due=datetime(2026, 12, 7, 9, 30, tzinfo=NY))
    remote = todoist_provider.create(item)
    task = fake.tasks[remote.ref]
    # A fixed-timezone due: the instant in UTC plus the zone it shows in.
    assert task["due"]["date"] == "2026-12-07T14:30:00Z"
    assert task["due"]["timezone"] == "America/New_York"
    assert task["due"]["string"] == "Dec 7 2026 9:30 AM"
    got = todoist_provider.list_items({})[item.uid]
    assert got.due == item.item.due
    assert got.due.astimezone(NY).time() == dtime(9, 30)


def test_due_round_trips_across_dst(todoist_provider, fake):
    item = make_push_item(due=datetime(2026, 7, 6, 9, 30, tzinfo=NY))
    remote = todoist_provider.create(item)
    assert fake.tasks[remote.ref]["due"]["date"] == "2026-07-06T13:30:00Z"
    assert todoist_provider.list_items({})[item.uid].due.astimezone(NY).time() == dtime(9, 30)


def test_task_content_description_labels_priority(todoist_provider, fake):
    items = [make_push_item(attempt=a) for a in (1, 2, 3)] + [make_push_item(attempt=None)]
    remotes = [todoist_provider.create(it) for it in items]
    tasks = [fake.tasks[r.ref] for r in remotes]
    assert [t["priority"] for t in tasks] == [2, 3, 4, 1]  # rising; move-on unflagged
    for it, t in zip(items, tasks, strict=True):
        assert t["content"] == it.summary
        assert t["labels"] == ["follow-up"]
        if it.mailto:
            # The draft, with the mailto: URL as a Markdown link.
            assert t["description"].startswith(it.draft.body)
            assert f"[Open this draft in your mail app]({it.mailto})" in t["description"]
        else:
            assert t["description"].startswith(it.description)
        marker = parse_marker(t["description"])
        assert (marker.uid, marker.content_hash, marker.at) == (it.uid, it.content_hash, "09:30")
        assert t["project_id"] == next(
            p["id"] for p in fake.projects.values() if p["name"] == "Job search follow-ups"
        )


def test_eml_uploaded_and_attached_as_a_comment(todoist_provider, fake):
    item = make_push_item()
    todoist_provider.list_items({})
    fake.reset_log()
    remote = todoist_provider.create(item)
    comments = fake.task_comments(remote.ref)
    assert len(comments) == 1
    att = comments[0]["file_attachment"]
    assert att["file_name"].endswith(".eml") and att["file_type"] == "message/rfc822"
    assert fake.files[att["file_url"]] == item.eml
    writes = [(r.method, r.path) for r in fake.writes()]
    assert writes == [
        ("POST", "/api/v1/projects"),  # "Job search follow-ups" did not exist yet
        ("POST", "/api/v1/uploads"),
        ("POST", "/api/v1/sync"),  # the task and its comment, in one batch
    ]
    add, note = fake.command_log
    assert (add.type, note.type) == ("item_add", "note_add")
    assert note.args["item_id"] != remote.ref  # named by the new task's temp_id
    assert add.status == note.status == "ok"


def test_move_on_marker_is_a_task_without_attachment(todoist_provider, fake):
    item = make_push_item(attempt=None)
    remote = todoist_provider.create(item)
    assert fake.tasks[remote.ref]["content"].startswith("No reply from Acme")
    assert fake.task_comments(remote.ref) == []


def test_sent_item_is_a_closed_task(todoist_provider, fake):
    fake.clock = lambda: datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    item = make_push_item(status=ItemStatus.SENT)
    remote = todoist_provider.create(item)
    assert fake.tasks[remote.ref]["checked"] is True
    assert remote.completed_on == date(2026, 12, 8)
    assert todoist_provider.list_items({}) == {item.uid: remote}


def test_hostile_text_cannot_forge_or_break_the_marker(todoist_provider, fake):
    forged = render_marker("followup-sync.evil.r1.nudge-1", "0" * 16, "09:30", None)
    item = make_push_item(company="Acme\r\n" + forged + "\u2028@home #work")
    item = replace(item, description=item.description + "\n" + forged + "\r" + forged)
    remote = todoist_provider.create(item)
    task = fake.tasks[remote.ref]
    assert "\n" not in task["content"] and "\r" not in task["content"]
    assert task["labels"] == ["follow-up"]  # "@home" stayed text
    assert parse_marker(task["description"]).uid == item.uid
    # Even if the user deletes our marker line, no forged line takes its place.
    body = task["description"].rsplit("\n", 1)[0].rstrip("\n")
    fake.user_edit_task(remote.ref, description=body)
    assert parse_marker(body) is None
    assert todoist_provider.list_items({}) == {}


def test_long_text_is_cut_to_todoist_limits(todoist_provider, fake):
    item = make_push_item(summary="x" * 900)
    item = replace(item, description="y" * 20000)
    remote = todoist_provider.create(item)
    task = fake.tasks[remote.ref]
    assert len(task["content"]) == 500
    assert len(task["description"]) <= 16383
    assert parse_marker(task["description"]).content_hash == item.content_hash


def test_project_created_once_and_reused(make_provider, fake):
    for n in (1, 2):
        make_provider().create(make_push_item(attempt=n))
    names = [p["name"] for p in fake.projects.values()]
    assert names.count("Job search follow-ups") == 1


def test_section_per_application(make_provider, fake):
    p = make_provider(section_per_application=True)
    a1, a2 = make_push_item(attempt=1), make_push_item(attempt=2)
    b1 = make_push_item("globex-sre", attempt=1, company="Globex", role="SRE")
    refs = [p.create(x).ref for x in (a1, a2, b1)]
    sections = {s["id"]: s["name"] for s in fake.sections.values()}
    assert sorted(sections.values()) == ["Acme — Backend Engineer", "Globex — SRE"]
    got = [sections[fake.tasks[r]["section_id"]] for r in refs]
    assert got == ["Acme — Backend Engineer", "Acme — Backend Engineer", "Globex — SRE"]


# --- the user's changes ----------------------------------------------------------


def test_user_redate_to_a_day_keeps_our_send_time(todoist_provider, fake):
    item = make_push_item()
    remote = todoist_provider.create(item)
    fake.user_set_due(remote.ref, date(2026, 12, 10))
    got = todoist_provider.list_items({})[item.uid]
    assert got.due == datetime(2026, 12, 10, 9, 30, tzinfo=NY)
    assert got.etag != remote.etag


def test_user_redate_to_a_floating_time_is_read_in_the_users_zone(todoist_provider, fake):
    item = make_push_item()
    remote = todoist_provider.create(item)
    fake.user_set_due(remote.ref, datetime(2026, 12, 9, 11, 0))
    assert todoist_provider.list_items({})[item.uid].due == datetime(2026, 12, 9, 11, 0, tzinfo=NY)


def test_update_keeps_user_labels_and_reattaches_only_a_changed_draft(todoist_provider, fake):
    item = make_push_item()
    first = todoist_provider.create(item)
    fake.user_edit_task(first.ref, labels=["follow-up", "mine"])
    current = todoist_provider.list_items({})[item.uid]
    moved = redate(item, item.item.due + timedelta(days=1))
    second = todoist_provider.update(moved, current)
    assert fake.tasks[first.ref]["labels"] == ["follow-up", "mine"]
    assert len(fake.task_comments(first.ref)) == 1  # same .eml: no new comment
    redrafted = replace(redate(moved, moved.item.due), eml=b"Subject: new draft\r\n\r\nHi\r\n")
    todoist_provider.update(redrafted, second)
    assert len(fake.task_comments(first.ref)) == 2


def test_update_to_sent_closes_and_back_reopens(todoist_provider, fake):
    item = make_push_item()
    first = todoist_provider.create(item)
    sent = replace(item, item=replace(item.item, status=ItemStatus.SENT), content_hash="s1")
    second = todoist_provider.update(sent, first)
    assert fake.tasks[first.ref]["checked"] is True and second.completed_on is not None
    again = replace(item, content_hash="p2")
    third = todoist_provider.update(again, second)
    assert fake.tasks[first.ref]["checked"] is False and third.completed_on is None


def test_delete_with_a_stale_etag_is_a_conflict(todoist_provider, fake):
    item = make_push_item()
    remote = todoist_provider.create(item)
    fake.user_edit_task(remote.ref, content="mine now")
    with pytest.raises(ConflictError):
        todoist_provider.delete(remote)
    assert fake.tasks[remote.ref]["is_deleted"] is False


def test_update_of_a_task_the_user_deleted_is_a_conflict(todoist_provider, fake):
    item = make_push_item()
    remote = todoist_provider.create(item)
    fake.user_delete(remote.ref)
    with pytest.raises(ConflictError):
        todoist_provider.update(redate(item, item.item.due + timedelta(days=1)), remote)


# --- request counts ----------------------------------------------------------------


def test_requests_per_new_nudge(todoist_provider, fake):
    todoist_provider.list_items({})
    fake.reset_log()
    nudges = [make_push_item(f"app-{n}", attempt=1, company=f"Co{n}") for n in range(6)]
    results = list(todoist_provider.write_many(Write("create", it) for it in nudges))
    assert [r.error for r in results] == [None] * 6
    # Finding (here: creating) the project happens once per run, not per nudge.
    kinds = [f"{r.method} {r.path.split('?')[0]}" for r in fake.requests()]
    assert kinds == [
        "GET /api/v1/projects",
        "POST /api/v1/projects",
        *["POST /api/v1/uploads"] * 6,  # one each
        "POST /api/v1/sync",  # 6 tasks and 6 comments
        "GET /api/v1/tasks",  # read back, for their etags
    ]
    assert len(fake.command_log) == 12


def test_without_attachments_many_nudges_cost_two_requests(make_provider, fake):
    p = make_provider(attach_eml=False)
    p.list_items({})
    fake.reset_log()
    nudges = [
        make_push_item(f"app-{n}", attempt=a, company=f"Co{n}")
        for n in range(20)
        for a in (1, 2, 3)
    ]
    results = list(p.write_many(Write("create", it) for it in nudges))
    assert [r.error for r in results] == [None] * 60
    writes = [(r.method, r.path.split("?")[0]) for r in fake.requests() if "projects" not in r.path]
    assert writes == [("POST", "/api/v1/sync"), ("GET", "/api/v1/tasks")]
    assert fake.comments == {} and fake.files == {}
    for r in results:
        marker = parse_marker(fake.tasks[r.remote.ref]["description"])
        assert marker.eml is None and "mailto:" in fake.tasks[r.remote.ref]["description"]
    assert p.list_items({}) == {r.remote.uid: r.remote for r in results}


def test_batches_stay_within_100_commands(todoist_provider, fake):
    todoist_provider.list_items({})
    fake.reset_log()
    nudges = [make_push_item(f"app-{n}", attempt=1, company=f"Co{n}") for n in range(70)]
    results = list(todoist_provider.write_many(Write("create", it) for it in nudges))
    assert [r.error for r in results] == [None] * 70
    batches = fake.requests("POST", "/sync$")
    assert len(batches) == 2 and all(b.commands <= 100 for b in batches)
    assert sum(b.commands for b in batches) == 140
    assert len(fake.live_tasks()) == 70


def test_a_command_that_fails_fails_alone_and_the_next_run_retries_it(make_provider, fake):
    p = make_provider()
    items = [make_push_item(f"app-{n}", attempt=1, company=f"Co{n}") for n in range(3)]
    p.list_items({})
    fake.fail_command("item_add", http_code=400, error="Invalid argument value", match="Co1")
    results = list(p.write_many(Write("create", it) for it in items))
    errors = {r.write.uid: r.error for r in results}
    assert errors[items[0].uid] is None and errors[items[2].uid] is None
    failed = errors[items[1].uid]
    assert isinstance(failed, ProviderError) and "HTTP 400" in failed.message
    assert "\n" not in failed.message
    assert len(fake.requests("POST", "/sync$")) == 1
    # Its comment named a task that was never made: refused too, nothing half-written.
    assert [c.status for c in fake.command_log if c.type == "note_add"] == [
        "ok",
        "INVALID_TEMPID",
        "ok",
    ]
    assert not p._journal.path.exists()
    again = make_provider()  # the next push
    assert set(again.list_items({})) == {items[0].uid, items[2].uid}
    again.create(items[1])
    assert len(fake.live_tasks()) == 3
    assert all(len(fake.task_comments(t["id"])) == 1 for t in fake.live_tasks())


def test_updates_completions_and_deletes_are_batched(make_provider, fake):
    p = make_provider()
    items = [make_push_item(f"app-{n}", attempt=1, company=f"Co{n}") for n in range(4)]
    listed_before = {
        r.remote.uid: r.remote for r in p.write_many(Write("create", i) for i in items)
    }
    moved = redate(items[0], items[0].item.due + timedelta(days=1))
    moved = replace(moved, eml=b"Subject: a new draft\r\n\r\nHi\r\n")
    sent = replace(items[1], item=replace(items[1].item, status=ItemStatus.SENT), content_hash="s1")
    fake.reset_log()
    writes = [
        Write("update", moved, listed_before[moved.uid]),
        Write("update", sent, listed_before[sent.uid]),
        Write("delete", current=listed_before[items[2].uid]),
        Write("delete", current=listed_before[items[3].uid]),
    ]
    results = list(p.write_many(writes))
    assert [r.error for r in results] == [None] * 4
    assert [c.type for c in fake.command_log] == [
        "item_update",
        "note_add",  # the draft of the moved nudge changed with its date
        "item_update",
        "item_complete",
        "item_delete",
        "item_delete",
    ]
    kinds = [f"{r.method} {r.path.split('?')[0]}" for r in fake.requests()]
    assert kinds.count("POST /api/v1/sync") == 1 and kinds.count("POST /api/v1/uploads") == 1
    assert fake.tasks[listed_before[sent.uid].ref]["checked"] is True
    assert {r.remote.uid for r in results if r.remote} == {moved.uid, sent.uid}
    assert p.list_items({}) == {r.remote.uid: r.remote for r in results if r.remote}


def test_noop_listing_is_one_request_per_page_and_no_writes(todoist_provider, fake):
    items = [make_push_item(f"app-{n}", attempt=1, company=f"Co{n}") for n in range(4)]
    sent = make_push_item("app-sent", attempt=1, status=ItemStatus.SENT)
    for it in [*items, sent]:
        todoist_provider.create(it)
    known = todoist_provider.list_items({})
    fake.reset_log()
    assert todoist_provider.list_items(known) == known
    assert [(r.method, r.path) for r in fake.requests()] == [("GET", "/api/v1/tasks")]
    assert fake.writes() == []


def test_noop_listing_pages(todoist_provider, fake):
    # 450 of our tasks (made directly on the server: it is the listing under test).
    tmpl = make_push_item()
    for n in range(450):
        uid = f"followup-sync.app{n}.r1.nudge-1"
        fake.user_add_task(
            f"Follow up {n}",
            labels=["follow-up"],
            description="Hi\n\n" + render_marker(uid, "h", "09:30", None),
            due=fake._due(tmpl.item.due),
        )
    known = todoist_provider.list_items({})
    assert len(known) == 450
    fake.reset_log()
    assert todoist_provider.list_items(known) == known
    assert len(fake.requests("GET", "/tasks$")) == 3  # pages of 200
    assert len(fake.requests()) == 3


def test_a_vanished_task_costs_one_completed_lookup(todoist_provider, fake):
    a, b = make_push_item(attempt=1), make_push_item(attempt=2)
    ra = todoist_provider.create(a)
    todoist_provider.create(b)
    known = todoist_provider.list_items({})
    fake.user_complete(ra.ref)
    fake.reset_log()
    listed = todoist_provider.list_items(known)
    assert listed[a.uid].completed_on is not None
    assert [r.path for r in fake.requests()] == [
        "/api/v1/tasks",
        "/api/v1/tasks/completed/by_completion_date",
    ]
    fake.reset_log()
    assert todoist_provider.list_items(listed) == listed  # remembered: one request again
    assert len(fake.requests()) == 1


def test_completed_lookup_without_a_filter_when_todoist_refuses_it(make_provider, fake):
    p = make_provider()
    item = make_push_item()
    remote = p.create(item)
    fake.user_complete(remote.ref)
    fake.fail_next("status", 1, status=400, match="GET /api/v1/tasks/completed")
    assert p.list_items({})[item.uid].completed_on is not None
    queries = [r.query.get("filter_query") for r in fake.requests(path="/tasks/completed")]
    assert queries[-2:] == ["@follow-up", None]


# --- faults --------------------------------------------------------------------------


def test_429_storm_honours_retry_after_then_succeeds(todoist_provider, fake):
    todoist_provider.list_items({})
    fake.fail_next("429", 2, retry_after="1", match="POST /api/v1/sync$")
    started = time.monotonic()
    remote = todoist_provider.create(make_push_item())
    assert time.monotonic() - started >= 2.0  # waited as told, twice
    assert len(fake.requests("POST", "/sync$")) == 3
    assert [t["id"] for t in fake.live_tasks()] == [remote.ref]


def test_over_the_rate_limit_todoist_answers_429(make_provider, fake):
    fake.rate_limit = (3, 60.0)
    p = make_provider(max_wait=0)
    p.list_items({})  # active tasks, completed tasks
    with pytest.raises(RateLimited, match=r"rate limit.*asked to wait 6\ds"):
        p.create(make_push_item())  # the projects, then creating the project: refused
    assert fake.rate_limited == 1 and fake.requests()[-1].status == 429


def test_429_beyond_the_bound_is_a_clear_error_and_nothing_is_lost(todoist_provider, fake):
    todoist_provider.list_items({})
    fake.fail_next("429", 1, retry_after="3600", match="POST /api/v1/uploads")
    with pytest.raises(ProviderError, match=r"rate limit.*3600s.*Nothing was lost") as e:
        todoist_provider.create(make_push_item())
    assert "\n" not in e.value.message
    assert fake.live_tasks() == []
    # The batch itself refused: nothing was written.
    fake.fail_next("429", 1, retry_after="3600", match="POST /api/v1/sync")
    with pytest.raises(RateLimited):
        todoist_provider.create(make_push_item())
    assert fake.live_tasks() == []
    todoist_provider.list_items({})  # the next push: nothing to finish
    remote = todoist_provider.create(make_push_item())
    assert len(fake.task_comments(remote.ref)) == 1


def test_a_task_left_without_its_draft_is_repaired_by_the_next_run(make_provider, fake):
    item = make_push_item()
    first = make_provider()
    first.list_items({})
    # The comment fails alone inside the batch: the task is written without its .eml.
    fake.fail_command("note_add", http_code=503, error="Service unavailable")
    with pytest.raises(ProviderError, match="HTTP 503.*the next push finishes it"):
        first.create(item)
    (task,) = fake.live_tasks()
    assert fake.task_comments(task["id"]) == []
    second = make_provider()  # the next push
    listed = second.list_items({})
    assert listed[item.uid].content_hash != item.content_hash  # so the core rewrites it
    second.update(item, listed[item.uid])
    assert len(fake.task_comments(task["id"])) == 1
    assert second.list_items({})[item.uid].content_hash == item.content_hash


def test_a_batch_whose_answer_never_came_is_finished_without_a_second_comment(make_provider, fake):
    """The batch was applied but the push never heard back (it died, or the link did):
    the next push finds the task by its marker and finishes it; the draft's command is
    sent again with its uuid, which Todoist applies once."""
    item = replace(make_push_item(), item=replace(make_push_item().item, status=ItemStatus.SENT))
    first = make_provider(max_wait=1)
    first.list_items({})
    fake.fail_next("drop_after", 10, match="POST /api/v1/sync$")
    with pytest.raises(ProviderError):
        first.create(item)
    fake.clear_faults()
    (task,) = fake.live_tasks()
    assert len(fake.task_comments(task["id"])) == 1 and task["checked"]
    second = make_provider()
    listed = second.list_items({})
    assert listed[item.uid].content_hash != item.content_hash
    second.update(item, listed[item.uid])
    assert len(fake.task_comments(task["id"])) == 1  # not attached twice
    assert [c.status for c in fake.command_log if c.type == "note_add"][-1] == "again"
    assert second.list_items({})[item.uid].content_hash == item.content_hash
    assert len(fake.live_tasks()) == 1


def test_429_storm_longer_than_the_attempts_gives_up(todoist_provider, fake):
    todoist_provider.list_items({})
    fake.fail_next("429", 10, retry_after="0", match="POST /api/v1/uploads")
    with pytest.raises(ProviderError, match="rate limit"):
        todoist_provider.create(make_push_item())
    assert len(fake.requests("POST", "/uploads")) == 5


def test_a_finished_task_leaves_the_journal_even_when_finishing_took_one_command(
    make_provider, fake
):
    """Sent before its first push, without a draft: added and closed in one batch whose
    answer never came. Todoist shows it closed, so the next push's rewrite is a single
    item_update; that must still settle the journal, or the task is rewritten forever."""
    base = make_push_item()
    item = replace(base, item=replace(base.item, status=ItemStatus.SENT))
    first = make_provider(max_wait=1, attach_eml=False)
    first.list_items({})
    fake.fail_next("drop_after", 10, match="POST /api/v1/sync$")
    with pytest.raises(ProviderError):
        first.create(item)
    fake.clear_faults()
    second = make_provider(attach_eml=False)
    listed = second.list_items({})
    assert listed[item.uid].content_hash != item.content_hash
    fake.reset_log()
    second.update(item, listed[item.uid])
    assert [c.type for c in fake.command_log] == ["item_update"]
    again = make_provider(attach_eml=False).list_items({})
    assert again[item.uid].content_hash == item.content_hash
    assert not second._journal.path.exists()


def test_a_refused_rewrite_keeps_the_task_marked_unfinished(make_provider, fake):
    item = make_push_item()
    first = make_provider()
    first.list_items({})
    fake.fail_command("note_add", http_code=503)
    with pytest.raises(ProviderError):
        first.create(item)  # written without its draft
    second = make_provider()
    listed = second.list_items({})
    fake.fail_command("item_update", http_code=500)
    with pytest.raises(ProviderError, match="HTTP 500"):
        second.update(item, listed[item.uid])
    third = make_provider()  # still unfinished: the next push tries again
    listed = third.list_items({})
    assert listed[item.uid].content_hash != item.content_hash
    third.update(item, listed[item.uid])
    (task,) = fake.live_tasks()
    assert len(fake.task_comments(task["id"])) == 1


def test_500_then_success_reuses_the_request_id(todoist_provider, fake):
    todoist_provider.list_items({})
    fake.fail_next("status", 1, status=500, match="POST /api/v1/sync$")
    todoist_provider.create(make_push_item())
    posts = fake.requests("POST", "/sync$")
    assert [r.status for r in posts] == [500, 200]
    assert posts[0].request_id and posts[0].request_id == posts[1].request_id
    assert len(fake.live_tasks()) == 1


def test_dropped_connection_after_the_write_does_not_duplicate(todoist_provider, fake):
    todoist_provider.list_items({})
    fake.fail_next("drop_after", 1, match="POST /api/v1/sync$")
    todoist_provider.create(make_push_item())
    posts = fake.requests("POST", "/sync$")
    # The first one took effect but its answer was lost; the retry is replayed.
    assert [(r.applied, r.replayed, r.fault) for r in posts] == [
        (True, False, "drop_after"),
        (False, True, None),
    ]
    assert posts[0].request_id == posts[1].request_id
    assert len(fake.live_tasks()) == 1 and len(fake.comments) == 1


def test_dropped_connection_and_timeout_on_listing_are_retried(make_provider, fake):
    p = make_provider(timeout=0.5)
    p.create(make_push_item())
    fake.fail_next("drop", 1, match="GET /api/v1/tasks$")
    fake.fail_next("delay", 1, seconds=1.5, match="GET /api/v1/tasks$")
    known = p.list_items({})
    assert set(known) == {make_push_item().uid}
    assert [r.fault for r in fake.requests("GET", "/tasks$")][-3:] == ["drop", "delay", None]


def test_server_down_is_a_one_line_provider_error(make_provider, fake):
    p = make_provider(max_wait=1)
    fake.fail_next("status", 20, status=503)
    with pytest.raises(ProviderError, match="HTTP 503") as e:
        p.list_items({})
    assert "\n" not in e.value.message


def test_bad_token_is_one_auth_line_without_the_token(make_provider, fake):
    secret = "sekrit-token-do-not-print-4242"
    p = make_provider(token=secret)
    with pytest.raises(ProviderAuthError) as e:
        p.list_items({})
    assert "HTTP 401" in e.value.message
    assert secret not in str(e.value) and "sekrit" not in repr(e.value)
    assert "\n" not in e.value.message
    assert len(fake.requests()) == 1  # refused credentials are not retried


def test_token_falls_back_to_todoist_api_token(make_provider, fake, monkeypatch):
    monkeypatch.setenv("TODOIST_API_TOKEN", fake.token)
    assert make_provider(token="").list_items({}) == {}
    monkeypatch.delenv("TODOIST_API_TOKEN")
    with pytest.raises(ProviderAuthError, match="TODOIST_API_TOKEN"):
        make_provider(token="").list_items({})
