"""A fault at every request of a push, against real Radicale and Xandikos and the fake Todoist.

The scenario, through the CLI with `--today` fixed: two applications, push; then
one nudge sent, one application heard back (its items withdrawn) and a third one
added, push again. A clean run logs the requests N of both pushes on the wire
(tests/fault_proxy.py). Then, for every request k in 0..N-1 of that log, a fresh
calendar (or Todoist account) runs the scenario with one fault at that same
request, followed by a push without faults, and we check:

- each faulted push succeeded, or failed with one clean line and exit 4 or 5;
- the remote holds the plan: every live item once, at its planned due (and done
  exactly when sent, where the provider can show it);
- no duplicate UIDs (or tasks);
- the store's records are exactly the remote items; PRAGMA integrity_check ok;
- and one more push writes nothing.

The providers run as configured by default: CalDAV writes several items at once
(`concurrency`), Todoist sends its writes in batches. Concurrent requests reach
the proxy in an order that varies between runs, so a fault is aimed at request k
by what it is (which push, method, path with the calendar's name masked, and
which occurrence of that in the push), not by its position: every run hits the
same request. Xandikos answers concurrent writes that meet its git index lock
with 423 (or 500 for a DELETE); those retries come and go with timing, so they
are not aimed at (the count is printed).

Fault kinds rotate with k (reset, stall past the client timeout, truncated
answer, 500, 503, 429 + Retry-After), shifted per server so each server sees
every kind at several points. FOLLOWUP_FAULTS_ALL=1 tries every kind at every k
(about 6x the runtime). The counts are printed in the terminal summary.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Env
from tests.support.fake_todoist import FakeTodoistServer
from tests.support.fault_proxy import FAULT_KINDS, FaultProxy
from tests.support.network_checks import (
    TODAY,
    caldav_items,
    check_converged,
    clean_exit,
    todoist_drafts_attached,
    todoist_items,
)

pytestmark = [pytest.mark.slow, pytest.mark.network]

CLIENT_TIMEOUT = 1.0  # seconds per request, for both providers
STALL = CLIENT_TIMEOUT + 0.6  # a stalled answer comes after the client gave up
PW_ENV = "FOLLOWUP_TEST_CALDAV_PASSWORD"
TOKEN_ENV = "FOLLOWUP_TEST_TODOIST_TOKEN"
NY = ZoneInfo("America/New_York")
ALL_KINDS = bool(os.environ.get("FOLLOWUP_FAULTS_ALL"))


def kinds_for(k: int, shift: int) -> tuple[str, ...]:
    if ALL_KINDS:
        return FAULT_KINDS
    return (FAULT_KINDS[(k + shift) % len(FAULT_KINDS)],)


# --- the scenario ------------------------------------------------------------------------
def scenario(env: Env, push) -> list[int]:
    """Two pushes with creates, updates and deletes between them; their exit codes."""
    env.add_acme(company="Acme", date="2026-11-20 14:00")
    env.add_acme(company="Globex", date="2026-11-18 10:00")
    codes = [clean_exit(push(), "push 1")]
    env.run("sent", "acme-backend-engineer", "--attempt", "1", "--on", TODAY)
    env.run("heard", "globex-backend-engineer")
    env.add_acme(company="Initech", date="2026-11-24 11:00")
    codes.append(clean_exit(push(), "push 2"))
    return codes


class CalDAVCase:
    def __init__(self, root: Path, server, proxy: FaultProxy, component: str):
        self.server, self.component = server, component
        root.mkdir(parents=True)
        self.env = Env(root)
        self.calendar = server.new_calendar_name("faults")
        lines = [
            "[providers.cal]",
            'type = "caldav"',
            f'url = "{proxy.url}"',
            f'calendar = "{self.calendar}"',
            "create = true",
            f'component = "{component}"',
            f'features = "{server.features}"',
            f"timeout = {CLIENT_TIMEOUT}",
        ]
        if server.username:
            lines += [f'username = "{server.username}"', f'password_env = "{PW_ENV}"']
        self.env.write_config("\n".join(lines) + "\n")
        self.os_env = {PW_ENV: server.password or ""}

    def push(self):
        return self.env.run("push", "--json", env=self.os_env, expect=None)

    def check(self) -> None:
        final = self.push()
        assert final.exit_code == 0, final.stderr
        items = caldav_items(self.server, self.calendar, self.component)
        check_converged(self.env, "cal", items, completes=self.component == "VTODO")
        result = json.loads(self.push().stdout)["providers"][0]["result"]
        assert result["created"] == result["updated"] == result["deleted"] == 0, result


class TodoistCase:
    def __init__(self, root: Path, proxy: FaultProxy, server: FakeTodoistServer):
        self.fake = server.app
        noon = datetime.combine(date.fromisoformat(TODAY), datetime.min.time(), NY)
        stamp = noon + timedelta(hours=12)
        self.fake.clock = lambda: stamp  # Todoist's "today" is the CLI's
        root.mkdir(parents=True)
        self.env = Env(root)
        self.env.write_config(
            "[providers.todo]\n"
            'type = "todoist"\n'
            f'api_url = "{proxy.url}api/v1"\n'
            f'token_env = "{TOKEN_ENV}"\n'
            f"timeout = {CLIENT_TIMEOUT}\n"
            "max_wait = 10\n"
        )
        self.os_env = {TOKEN_ENV: self.fake.token, "FOLLOWUP_SYNC_NO_KEYRING": "1"}

    def push(self):
        return self.env.run("push", "--json", env=self.os_env, expect=None)

    def check(self) -> None:
        final = self.push()
        assert final.exit_code == 0, final.stderr
        items = todoist_items(self.fake)
        check_converged(self.env, "todo", items, completes=True)
        todoist_drafts_attached(self.fake, items)
        writes = len(self.fake.writes())
        result = json.loads(self.push().stdout)["providers"][0]["result"]
        assert result["created"] == result["updated"] == result["deleted"] == 0, result
        assert len(self.fake.writes()) == writes


# --- the sweep -----------------------------------------------------------------------------
BUSY = (423, 500, 503)  # what Xandikos answers writes that meet its git lock


def targets(clean: list) -> tuple[list, int]:
    """The requests of a clean run that every run makes: all but the retries after a
    busy answer (Xandikos's lock contention comes and goes with timing)."""
    busy, out, skipped = set(), [], 0
    for entry in clean:
        key = (entry.phase, entry.method, entry.path)
        if key in busy:
            skipped += 1
            continue
        out.append(entry)
        if entry.upstream in BUSY:
            busy.add(key)
    return out, skipped


def sweep(name: str, make_case, proxy: FaultProxy, shift: int, figure) -> None:
    """Clean run to log the requests; then one run per (k, kind) with the fault at request k."""
    started = time.monotonic()

    def pushing(case):
        def push():
            proxy.new_phase()  # occurrences count per push
            return case.push()

        return push

    proxy.reset()
    case = make_case("clean")
    assert scenario(case.env, pushing(case)) == [0, 0]
    clean, skipped = targets(list(proxy.log))
    n = len(clean)
    case.check()
    assert n > 0
    exits: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    tried = 0
    for k in range(n):
        for kind in kinds_for(k, shift):
            proxy.reset()
            proxy.arm_same(clean[k], kind)
            case = make_case(f"k{k}-{kind}")
            where = (
                f"{name}: fault {kind!r} at request {k} of {n} "
                f"({clean[k].method} {clean[k].path}, push {clean[k].phase})"
            )
            try:
                codes = scenario(case.env, pushing(case))
                fired = proxy.fired()
                assert len(fired) == 1, f"the fault did not fire: {proxy.log}"
                case.check()
            except AssertionError as e:
                raise AssertionError(f"{where}: {e}") from None
            exits.update(codes)
            kinds[kind] += 1
            tried += 1
    seconds = time.monotonic() - started
    busy = f", {skipped} retries after busy answers not aimed at" if skipped else ""
    figure(
        f"faults {name}: {tried} fault points over {n} requests{busy} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
        f"faulted pushes exited {dict(sorted(exits.items()))}; {seconds:.1f}s"
    )


@pytest.mark.parametrize(
    ("server_name", "component", "shift"),
    [("radicale", "VEVENT", 0), ("xandikos", "VTODO", 3)],
)
def test_fault_at_every_request_caldav(request, tmp_path, figure, server_name, component, shift):
    server = request.getfixturevalue(f"{server_name}_server")
    # Each case's calendar has a fresh name ("faults-12"): masked, so a request of
    # the clean run is found again in every faulted run.
    mask = functools.partial(re.sub, r"/faults-\d+/", "/{calendar}/")
    with FaultProxy(server.url, stall_seconds=STALL, normalize=mask) as proxy:
        sweep(
            f"{server_name} ({component})",
            lambda tag: CalDAVCase(tmp_path / tag, server, proxy, component),
            proxy,
            shift,
            figure,
        )


def test_fault_at_every_request_todoist(tmp_path, figure):
    servers: list[FakeTodoistServer] = []

    def make_case(tag: str) -> TodoistCase:
        # A fresh Todoist account per case (the fake runs in this process: cheap);
        # the proxy is pointed at it.
        if servers:
            servers[-1].stop()
        servers.append(FakeTodoistServer().start())
        proxy.retarget(servers[-1].api_url)
        return TodoistCase(tmp_path / tag, proxy, servers[-1])

    with FaultProxy("http://127.0.0.1:1/", stall_seconds=STALL) as proxy:
        try:
            sweep("fake Todoist", make_case, proxy, 1, figure)
        finally:
            for s in servers:
                s.stop()


def test_todoist_rate_limit_stops_writing_at_once(tmp_path, todoist_server):
    """Past the wait budget a 429 stops the push's writes at once (errors.RateLimited):
    one refused request, not one per remaining item; exit 5; the next push completes."""
    fake = todoist_server.app
    with FaultProxy(todoist_server.api_url) as proxy:
        case = TodoistCase(tmp_path / "case", proxy, todoist_server)
        case.env.add_acme(company="Acme")
        case.env.add_acme(company="Globex")
        # The project and two uploads go through; from the next write on, Todoist asks
        # to wait 15 minutes (max_wait is 10 s): the third upload is refused, and the
        # batch is not sent at all.
        fake.fail_next("pass", 3, match="^POST ")
        fake.fail_next("429", 100, retry_after="900", match="^POST ")
        r = case.push()
        assert clean_exit(r, "rate limited push") == 5
        assert "rate limit" in r.stderr and "900s" in r.stderr
        assert len(fake.requests("POST")) == 4
        assert [q.status for q in fake.requests("POST")][-1] == 429
        assert fake.requests("POST", "/sync$") == [] and todoist_items(fake) == []
        fake.clear_faults()
        case.check()


@pytest.mark.parametrize("server_name", ["radicale", "xandikos"])
@pytest.mark.parametrize("kind", ["stall", "truncate"])
def test_lost_answer_to_mkcalendar_is_success(request, tmp_path, server_name, kind):
    """Regression: the retried MKCALENDAR finds the calendar made (405/409); that
    used to fail the push with "could not create calendar ... create it in your app"."""
    server = request.getfixturevalue(f"{server_name}_server")
    with FaultProxy(server.url, stall_seconds=STALL) as proxy:
        case = CalDAVCase(tmp_path / "case", server, proxy, "VEVENT")
        case.env.add_acme()
        proxy.arm_next("MKCALENDAR", kind)
        r = case.push()
        assert r.exit_code == 0, r.stderr
        assert [e.method for e in proxy.log].count("MKCALENDAR") == 2
        case.check()
