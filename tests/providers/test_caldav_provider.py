"""The CalDAV provider against real Radicale and Xandikos servers.

The contract suite runs four times (two servers x VEVENT/VTODO); the rest checks
what only CalDAV has: calendar discovery and creation, auth errors, request
counts of a no-op listing, sync-token fallback and component refusal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urljoin

import pytest
from caldav.calendarobjectresource import Event, Todo

from followup_sync.errors import ConfigError, ConflictError, ProviderAuthError, ProviderError
from followup_sync.provider import Write
from followup_sync.testing import ProviderContract, make_context, make_push_item, redate
from followup_sync_caldav.provider import CalDAVProvider
from tests.support import caldav_servers

pytestmark = [pytest.mark.network]


def make_provider(server, tmp_path, *, url=None, password=None, **options):
    """A provider on `server` writing into a fresh calendar (created on first use)."""
    opts = {
        "url": url or server.url,
        "calendar": options.pop("calendar", None) or server.new_calendar_name(),
        "create": True,
        "features": server.features,
        **options,
    }
    secrets = {}
    if server.username:
        opts["username"] = server.username
        secrets["password"] = password or server.password
    return CalDAVProvider("test", opts, make_context(tmp_path, secrets=secrets))


def other_app(server, provider):
    """The user's calendar app: a plain caldav client on the provider's calendar."""
    client = server.client()
    cal_url = urljoin(server.url, provider.context.state.get("calendar_url"))
    return client, client.calendar(url=cal_url)


FOREIGN = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//someone else//EN
BEGIN:{comp}
UID:dentist-appointment-42
DTSTAMP:20261101T100000Z
{start}:20261208T150000Z
SUMMARY:Dentist
END:{comp}
END:VCALENDAR
"""


class CalDAVContract(ProviderContract):
    server_fixture = ""
    component = "VEVENT"

    @pytest.fixture
    def server(self, request):
        return request.getfixturevalue(self.server_fixture)

    @pytest.fixture
    def provider(self, server, tmp_path):
        p = make_provider(server, tmp_path, component=self.component)
        self._server = server
        yield p
        p.close()

    def _object(self, provider, remote):
        client, cal = other_app(self._server, provider)
        cls = Todo if self.component == "VTODO" else Event
        obj = cls(client=client, url=urljoin(self._server.url, remote.ref), parent=cal)
        obj.load()
        return obj

    def stored_text(self, provider, uid):
        # Read back with the caldav library, not our provider's code.
        _, cal = other_app(self._server, provider)
        objs = cal.get_todos() if self.component == "VTODO" else cal.get_events()
        (comp,) = [o.icalendar_component for o in objs if o.icalendar_component["UID"] == uid]
        return str(comp["SUMMARY"]), str(comp["DESCRIPTION"])

    def add_foreign(self, provider):
        provider.list_items({})  # creates the calendar
        _, cal = other_app(self._server, provider)
        start = "DUE" if self.component == "VTODO" else "DTSTART"
        data = FOREIGN.format(comp=self.component, start=start)
        if self.component == "VTODO":
            cal.add_todo(data)
        else:
            cal.add_event(data)

    def edit_remotely(self, provider, remote):
        obj = self._object(provider, remote)
        obj.icalendar_component["SUMMARY"] = "Edited by the user"
        obj.save(precondition="etag")

    def complete_remotely(self, provider, remote, day):
        if self.component != "VTODO":
            pytest.skip("events cannot be completed")
        obj = self._object(provider, remote)
        obj.complete(completion_timestamp=datetime.combine(day, time(17, 0), tzinfo=UTC))


class TestRadicaleEvents(CalDAVContract):
    server_fixture = "radicale_server"


class TestRadicaleTasks(CalDAVContract):
    server_fixture = "radicale_server"
    component = "VTODO"


class TestXandikosEvents(CalDAVContract):
    server_fixture = "xandikos_server"


class TestXandikosTasks(CalDAVContract):
    server_fixture = "xandikos_server"
    component = "VTODO"


# --- CalDAV-specific behaviour --------------------------------------------------


def test_calendar_created_when_missing(caldav_server, tmp_path):
    name = caldav_server.new_calendar_name("Job follow-ups")
    p = make_provider(caldav_server, tmp_path, calendar=name, component="VTODO")
    p.create(make_push_item())
    client = caldav_server.client()
    cals = {c.get_display_name(): c for c in client.principal().get_calendars()}
    assert name in cals
    assert [t.icalendar_component["UID"] for t in cals[name].get_todos()] == [make_push_item().uid]
    # A second provider (a new process) finds it by name instead of making another.
    again = make_provider(caldav_server, tmp_path / "2", calendar=name, component="VTODO")
    assert set(again.list_items({})) == {make_push_item().uid}
    names = [c.get_display_name() for c in client.principal().get_calendars()]
    assert names.count(name) == 1


def test_calendar_by_url(caldav_server, tmp_path):
    client = caldav_server.client()
    cal = client.principal().make_calendar(name="By URL")
    p = make_provider(caldav_server, tmp_path, calendar=str(cal.url), create=False)
    p.create(make_push_item())
    assert [e.icalendar_component["UID"] for e in cal.get_events()] == [make_push_item().uid]


def test_missing_calendar_without_create_is_a_clear_error(caldav_server, tmp_path):
    p = make_provider(caldav_server, tmp_path, calendar="No such calendar", create=False)
    with pytest.raises(ProviderError) as e:
        p.list_items({})
    msg = e.value.message
    assert "No such calendar" in msg and "create = true" in msg
    assert "\n" not in msg


def test_wrong_password_is_an_auth_error_without_the_password(radicale_server, tmp_path):
    wrong = "hunter2-not-it"
    p = make_provider(radicale_server, tmp_path, password=wrong)
    with pytest.raises(ProviderAuthError) as e:
        p.list_items({})
    msg = e.value.message
    assert "401" in msg and "'alice'" in msg and radicale_server.url.rstrip("/") in msg
    assert wrong not in msg and caldav_servers.PASSWORD not in msg
    assert "\n" not in msg


def test_server_stopped_is_a_provider_error(tmp_path):
    server = caldav_servers.start_radicale(tmp_path / "srv")
    try:
        p = make_provider(server, tmp_path, timeout=2)
        p.create(make_push_item())
    finally:
        server.stop()
    with pytest.raises(ProviderError) as e:
        p.list_items({})
    assert not isinstance(e.value, ProviderAuthError)
    assert "cannot connect" in e.value.message and "\n" not in e.value.message


def test_noop_listing_costs_one_request(caldav_server, counting_proxy_factory, tmp_path):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url)
    with p.batch():
        for attempt in (1, 2, 3, None):
            p.create(make_push_item(attempt=attempt))
    known = p.list_items({})
    # A new provider object (the next push, a new process) with the same state.
    again = CalDAVProvider("test", p.opts, p.context)
    proxy.reset()
    assert again.list_items(known) == known
    assert proxy.writes == 0
    assert proxy.total <= 2, proxy.log
    assert proxy.total == 1, proxy.log


def test_listing_right_after_our_writes_needs_no_fetch(
    caldav_server, counting_proxy_factory, tmp_path
):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url)
    known = p.list_items({})
    with p.batch():
        for attempt in (1, 2):
            r = p.create(make_push_item(attempt=attempt))
            known = {**known, r.uid: r}
    proxy.reset()
    # Our own writes come back in the delta with the ETags we recorded: nothing to fetch.
    assert p.list_items(known) == known
    assert proxy.total == 1, proxy.log


def test_invalid_sync_token_falls_back_to_full_listing(caldav_server, tmp_path):
    p = make_provider(caldav_server, tmp_path)
    a, b = make_push_item(attempt=1), make_push_item(attempt=2)
    p.create(a)
    known = p.list_items({})
    p.create(b)
    p.context.state["sync_token"] = "http://bogus.example/sync/0"
    # Radicale answers 403, Xandikos 412: both must end in an honest full listing.
    assert set(p.list_items(known)) == {a.uid, b.uid}
    assert p.context.state.get("sync_token") != "http://bogus.example/sync/0"


def test_deleted_calendar_is_rediscovered(caldav_server, tmp_path):
    p = make_provider(caldav_server, tmp_path)
    p.create(make_push_item())
    known = p.list_items({})
    client, cal = other_app(caldav_server, p)
    cal.delete()
    fresh = CalDAVProvider("test", p.opts, p.context)
    assert fresh.list_items(known) == {}  # re-created empty (create = true)


def test_component_mismatch_is_a_clear_error(xandikos_server, tmp_path):
    client = xandikos_server.client()
    client.principal().make_calendar(name="Tasks only", supported_calendar_component_set=["VTODO"])
    p = make_provider(xandikos_server, tmp_path, calendar="Tasks only", component="VEVENT")
    with pytest.raises(ProviderError) as e:
        p.create(make_push_item())
    msg = e.value.message
    assert "VEVENT" in msg and "VTODO" in msg and "\n" not in msg


def test_component_refused_on_put_is_a_clear_error(xandikos_server, tmp_path):
    """Xandikos refuses the PUT itself (403) even when discovery was skipped."""
    client = xandikos_server.client()
    cal = client.principal().make_calendar(
        name="Tasks only 2", supported_calendar_component_set=["VTODO"]
    )
    p = make_provider(xandikos_server, tmp_path, calendar="Tasks only 2", component="VEVENT")
    # Pretend a previous run cached the URL (e.g. the calendar was changed since).
    key = f"{xandikos_server.url}|Tasks only 2|VEVENT"
    p.context.state["calendar_url"] = cal.url.path
    p.context.state["calendar_for"] = key
    with pytest.raises(ProviderError) as e:
        p.create(make_push_item())
    assert not isinstance(e.value, ConflictError)
    assert "does not accept VEVENT" in e.value.message


def test_bad_component_option(caldav_server, tmp_path):
    # An option mistake is a config error (exit 3) naming the provider and the key,
    # caught when the provider is built, before any request.
    with pytest.raises(ConfigError) as e:
        make_provider(caldav_server, tmp_path, component="VJOURNAL")
    assert e.value.exit_code == 3
    assert "[providers.test] component" in e.value.message
    assert "'VEVENT', 'VTODO'" in e.value.message and "VJOURNAL" in e.value.message


def test_user_completed_todo_keeps_other_fields(radicale_server, tmp_path):
    p = make_provider(radicale_server, tmp_path, component="VTODO")
    item = make_push_item()
    remote = p.create(item)
    client, cal = other_app(radicale_server, p)
    todo = Todo(client=client, url=urljoin(radicale_server.url, remote.ref), parent=cal)
    todo.load()
    todo.complete(completion_timestamp=datetime(2026, 12, 9, 14, 0, tzinfo=UTC))
    got = p.list_items({remote.uid: remote})[item.uid]
    assert got.completed_on == date(2026, 12, 9)
    assert got.content_hash == item.content_hash
    with pytest.raises(ConflictError):
        p.update(item, remote)  # the user's completion wins


# --- faults: retried with bounded backoff, reported in one line -------------------


def test_5xx_and_dropped_connections_are_retried(caldav_server, counting_proxy_factory, tmp_path):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url)
    p.list_items({})
    proxy.inject("PUT", "500")
    proxy.inject("PUT", "drop")
    remote = p.create(make_push_item())
    assert proxy.counts["PUT"] == 3
    assert p.list_items({}) == {remote.uid: remote}


def test_lost_answer_to_a_create_is_not_a_duplicate_or_conflict(
    caldav_server, counting_proxy_factory, tmp_path
):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url)
    p.list_items({})
    proxy.inject("PUT", "lose-answer")  # the server stores it; we never hear back
    item = make_push_item()
    remote = p.create(item)  # the retry meets If-None-Match: * and finds our own write
    assert remote.etag and remote.content_hash == item.content_hash
    assert p.list_items({}) == {item.uid: remote}


def test_lost_answer_to_an_update_is_not_a_conflict(
    caldav_server, counting_proxy_factory, tmp_path
):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url)
    item = make_push_item()
    first = p.create(item)
    moved = redate(item, item.item.due + timedelta(days=2))
    proxy.inject("PUT", "lose-answer")
    second = p.update(moved, first)
    assert second.content_hash == moved.content_hash and second.etag != first.etag
    assert p.list_items({})[item.uid] == second


def test_timeout_is_retried(caldav_server, counting_proxy_factory, tmp_path):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url, timeout=0.5)
    p.list_items({})
    proxy.inject("PUT", "delay:1.5")
    p.create(make_push_item())
    assert set(p.list_items({})) == {make_push_item().uid}


def test_persistent_5xx_is_one_line_provider_error(caldav_server, counting_proxy_factory, tmp_path):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url)
    p.list_items({})
    for _ in range(10):
        proxy.inject("PUT", "500")
    with pytest.raises(ProviderError) as e:
        p.create(make_push_item())
    assert not isinstance(e.value, ConflictError)
    assert "server error 500" in e.value.message and "\n" not in e.value.message
    assert proxy.counts["PUT"] == 4  # bounded


def test_item_created_and_deleted_since_the_token_is_gone(caldav_server, tmp_path):
    """RFC 6578 lets a server omit such an item from the delta (Xandikos does)."""
    p = make_provider(caldav_server, tmp_path)
    known = p.list_items({})
    remote = p.create(make_push_item())
    client, cal = other_app(caldav_server, p)
    Event(client=client, url=urljoin(caldav_server.url, remote.ref), parent=cal).delete()
    assert p.list_items({**known, remote.uid: remote}) == {}


def test_auth_auto_negotiates_from_the_challenge(radicale_server, tmp_path):
    p = make_provider(radicale_server, tmp_path, auth="auto")
    p.create(make_push_item())
    assert set(p.list_items({})) == {make_push_item().uid}


def test_unknown_features_name_is_a_clear_error(radicale_server, tmp_path):
    p = make_provider(radicale_server, tmp_path, features="no-such-server")
    with pytest.raises(ProviderError, match="no-such-server"):
        p.list_items({})


def test_tls_failure_is_not_retried_and_says_so(radicale_server, tmp_path):
    url = radicale_server.url.replace("http://", "https://")  # Radicale here speaks plain HTTP
    p = make_provider(radicale_server, tmp_path, url=url)
    with pytest.raises(ProviderError, match="TLS failed") as e:
        p.list_items({})
    assert "attempts" not in e.value.message


def test_servers_without_sync_tokens_use_the_ctag(caldav_server, counting_proxy_factory, tmp_path):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url)
    p.list_items({})
    p.context.state["no_sync_collection"] = "1"  # as if sync-collection had been refused
    a, b = make_push_item(attempt=1), make_push_item(attempt=2)
    ra = p.create(a)
    known = p.list_items({ra.uid: ra})
    assert set(known) == {a.uid}
    proxy.reset()
    assert p.list_items(known) == known  # ctag unchanged: one PROPFIND
    assert proxy.total == 1 and proxy.counts["PROPFIND"] == 1
    rb = p.create(b)
    assert p.list_items({**known, b.uid: rb}) == p.list_items({}) == {a.uid: ra, b.uid: rb}


# --- writes on a pool of connections ------------------------------------------------


def _twelve_items():
    return [
        make_push_item(f"app-{n}", attempt=a, company=f"Company {n}")
        for n in range(4)
        for a in (1, 2, 3)
    ]


def _edit_in_other_app(server, provider, remote):
    client, cal = other_app(server, provider)
    obj = Event(client=client, url=urljoin(server.url, remote.ref), parent=cal)
    obj.load()
    obj.icalendar_component["SUMMARY"] = "Edited by the user"
    obj.save(precondition="etag")


def test_concurrent_writes_overlap_and_stay_conditional(
    caldav_server, counting_proxy_factory, tmp_path
):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url, concurrency=4)
    p.list_items({})
    proxy.slow_down(0.05)  # a slow link, so writes overlap
    proxy.reset()
    items = _twelve_items()
    results = list(p.write_many(Write("create", it) for it in items))
    assert [r.error for r in results] == [None] * 12
    assert 2 <= proxy.max_in_flight <= 4
    # Xandikos may answer 423 Locked while another write holds its git index: retried.
    assert [e.upstream for e in proxy.log].count(201) == 12
    listed = p.list_items({})
    assert listed == {r.remote.uid: r.remote for r in results}
    # If-None-Match: * on every create: nothing is overwritten, however many at once.
    again = list(p.write_many(Write("create", it) for it in items))
    assert all(isinstance(r.error, ConflictError) for r in again)
    # If-Match on every update: the one the user edited meanwhile is refused alone.
    _edit_in_other_app(caldav_server, p, listed[items[0].uid])
    moved = [redate(it, it.item.due + timedelta(days=1)) for it in items]
    updates = list(p.write_many(Write("update", m, listed[m.uid]) for m in moved))
    refused = [r.write.uid for r in updates if r.error is not None]
    assert refused == [items[0].uid]
    assert isinstance(next(r.error for r in updates if r.error), ConflictError)
    now = p.list_items({})
    assert {u: r.content_hash for u, r in now.items() if u != items[0].uid} == {
        m.uid: m.content_hash for m in moved[1:]
    }
    # If-Match on every delete: the one edited meanwhile stays.
    _edit_in_other_app(caldav_server, p, now[items[1].uid])
    deletes = list(p.write_many(Write("delete", current=r) for r in now.values()))
    assert [r.write.uid for r in deletes if r.error is not None] == [items[1].uid]
    assert set(p.list_items({})) == {items[1].uid}


def test_a_429_makes_every_connection_wait_and_the_pool_shrink(
    caldav_server, counting_proxy_factory, tmp_path
):
    proxy = counting_proxy_factory(caldav_server.url)  # 429 comes with Retry-After: 1
    p = make_provider(caldav_server, tmp_path, url=proxy.url, concurrency=4)
    p.list_items({})
    proxy.slow_down(0.02)
    proxy.reset()
    proxy.inject("PUT", "429")
    results = list(p.write_many(Write("create", it) for it in _twelve_items()))
    assert [r.error for r in results] == [None] * 12
    assert p.throttle.backoffs >= 1  # (Xandikos may add a 423 Locked or two)
    (refused,) = [e for e in proxy.log if e.fault == "429"]
    # The writes already in flight finish; no new request is sent during Retry-After.
    held = [e for e in proxy.log if refused.at + 0.2 < e.at < refused.at + 0.9]
    assert held == [], held
    assert [e.upstream for e in proxy.log].count(201) == 12
    assert len(p.list_items({})) == 12


def test_a_503_shrinks_the_pool_and_is_retried(caldav_server, counting_proxy_factory, tmp_path):
    proxy = counting_proxy_factory(caldav_server.url)
    p = make_provider(caldav_server, tmp_path, url=proxy.url, concurrency=4)
    p.list_items({})
    proxy.reset()
    proxy.inject("PUT", "503")
    results = list(p.write_many(Write("create", it) for it in _twelve_items()))
    assert [r.error for r in results] == [None] * 12
    assert p.throttle.backoffs >= 1 and [e.status for e in proxy.log].count(503) == 1
    assert [e.upstream for e in proxy.log].count(201) == 12


def test_concurrency_option_is_checked(caldav_server, tmp_path):
    for bad in (0, 33):
        with pytest.raises(ConfigError) as e:
            make_provider(caldav_server, tmp_path, concurrency=bad)
        assert "[providers.test] concurrency" in e.value.message and e.value.exit_code == 3
    with pytest.raises(ConfigError, match="concurrency must be a whole number"):
        make_provider(caldav_server, tmp_path, concurrency="8")
    assert make_provider(caldav_server, tmp_path, concurrency=1).concurrency == 1
