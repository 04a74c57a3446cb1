"""The live ICS feed: `followup-sync serve` as a real process, spoken to over real HTTP.

The server runs as a subprocess on a free loopback port (it prints the port it
got for --port 0); the store is filled through the CLI, and the changes that the
feed must pick up are made by other processes, as a user would. Independent
clients check what a subscriber sees: vdirsyncer's http storage and ical.js.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import icalendar
import pytest

from followup_sync import feed
from followup_sync.store import STORE_NAME
from tests.conftest import Env
from tests.support import ical_js

pytestmark = [pytest.mark.network]

TODAY = "2026-11-26"
VDIRSYNCER = Path(sys.executable).with_name("vdirsyncer")
IDENTITY = {"Accept-Encoding": "identity"}


# --- fixtures -------------------------------------------------------------------------
def run_cli(env: Env, *args: str) -> subprocess.CompletedProcess:
    """followup-sync in its own process, as when the user runs it in another terminal."""
    argv = [sys.executable, "-m", "followup_sync", "--data-dir", str(env.data_dir)]
    argv += ["--config", str(env.config), "--today", TODAY, *args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc


@dataclass
class FeedServer:
    env: Env
    proc: subprocess.Popen
    base: str  # http://127.0.0.1:PORT
    log_path: Path

    @property
    def token(self) -> str:
        return feed.token_path(self.env.data_dir).read_text().strip()

    def url(self, token: str | None = None) -> str:
        return f"{self.base}/feed/{token if token is not None else self.token}.ics"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, token: str | None = None, **kw) -> httpx.Response:
        headers = {**IDENTITY, **kw.pop("headers", {})}
        return httpx.get(self.url(token), headers=headers, timeout=30, **kw)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def start_server(env: Env) -> FeedServer:
    log_path = env.root / "serve.log"
    argv = [sys.executable, "-m", "followup_sync", "--data-dir", str(env.data_dir)]
    argv += ["--config", str(env.config), "--today", TODAY, "serve", "--port", "0"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        m = re.search(r"Serving the feed on (http://127\.0\.0\.1:\d+)/", log_path.read_text())
        if m:
            return FeedServer(env, proc, m[1], log_path)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait(5)
    raise AssertionError(f"serve did not start:\n{log_path.read_text()}")


@pytest.fixture
def server(env: Env):
    env.add_acme()
    env.add_acme(
        company="Globex", role="Data Analyst", interviewer="Priya Patel <priya@globex.example>"
    )
    srv = start_server(env)
    try:
        yield srv
    finally:
        srv.stop()


def live_items(env: Env) -> list[dict]:
    return [i for i in env.plan(TODAY) if i["status"] in ("planned", "overdue", "sent")]


def events(body: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


# --- serving ----------------------------------------------------------------------------
def test_get_with_token_serves_the_live_calendar(server: FeedServer, env: Env):
    r = server.get()
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{32}"', r.headers["etag"])  # strong: no W/
    assert parsedate_to_datetime(r.headers["last-modified"]) <= datetime.now(UTC)
    assert r.headers["cache-control"] == "private, max-age=300"
    assert "accept-encoding" in r.headers["vary"].lower()
    cal = icalendar.Calendar.from_ical(r.content)
    assert "UID" not in cal  # a calendar-level UID collapses the feed in vdirsyncer
    assert {str(e["UID"]) for e in events(r.content)} == {i["uid"] for i in live_items(env)}
    assert len(events(r.content)) == 8


BAD_PATHS = [
    "/",
    "/feed",
    "/feed/",
    "/feed/.ics",
    "/feed/wrong.ics",
    "/feed/" + "A" * 43 + ".ics",
    "/feed/../feed-token",
    "/feed-token",
    f"/{STORE_NAME}",
    "/feed/%2e%2e/feed-token",
    "/nonexistent",
]


def raw_get(server: FeedServer, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """Send the path byte for byte (httpx would normalise the dot segments away)."""
    host, port = server.base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_wrong_or_missing_token_is_a_404_like_any_unknown_path(server: FeedServer):
    token = server.token
    near_miss = ("B" if token[0] != "B" else "C") + token[1:]
    answers = []
    for path in [*BAD_PATHS, f"/feed/{near_miss}.ics", f"/feed/{token}", f"/{token}.ics"]:
        status, headers, body = raw_get(server, path)
        headers.pop("date")
        answers.append((status, headers, body))
        assert status == 404, path
    # Byte-identical answers: nothing tells a wrong token from a missing feed.
    assert all(a == answers[0] for a in answers)
    assert answers[0][2] == b"Not Found\n"
    assert token.encode() not in answers[0][2]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head_are_allowed(server: FeedServer, method: str):
    for url in (server.url(), server.url("wrong"), server.base + "/elsewhere"):
        r = httpx.request(method, url, content=b"x", timeout=10)
        assert r.status_code == 405, (method, url)
        assert r.headers["allow"] == "GET, HEAD"
        assert r.content == b"Method Not Allowed\n"


def test_repeated_conditional_get_is_a_304(server: FeedServer):
    first = server.get()
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]

    again = server.get(headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert server.get(headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert server.get(headers={"If-None-Match": '"something-else"'}).status_code == 200

    assert server.get(headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = parsedate_to_datetime(last_modified) - timedelta(seconds=1)
    since = format_datetime(earlier, usegmt=True)
    assert server.get(headers={"If-Modified-Since": since}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    both = {"If-None-Match": '"stale"', "If-Modified-Since": last_modified}
    assert server.get(headers=both).status_code == 200
    assert server.get(headers={"If-Modified-Since": "not a date"}).status_code == 200


def test_head_has_the_headers_and_no_body(server: FeedServer):
    got = server.get()
    status, headers, body = raw_get(server, f"/feed/{server.token}.ics", "HEAD")
    assert status == 200
    assert body == b""
    assert int(headers["content-length"]) == len(got.content)
    assert headers["etag"] == got.headers["etag"]
    assert headers["content-type"] == "text/calendar; charset=utf-8"


def test_gzip_when_the_client_accepts_it(server: FeedServer):
    plain = server.get()
    with httpx.stream("GET", server.url(), headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers["vary"] == "Accept-Encoding"
        gz_etag = r.headers["etag"]
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content) / 2
    # A strong ETag names exact bytes, so the gzipped body has its own.
    assert gz_etag != plain.headers["etag"]
    again = server.get(headers={"Accept-Encoding": "gzip", "If-None-Match": gz_etag})
    assert again.status_code == 304
    for refused in ("gzip;q=0", "br", "identity"):
        r = server.get(headers={"Accept-Encoding": refused})
        assert "content-encoding" not in r.headers, refused
        assert r.content == plain.content


def test_rotation_takes_effect_at_once_without_a_restart(server: FeedServer, env: Env):
    old = server.token
    assert server.get(old).status_code == 200
    out = run_cli(env, "feed", "rotate").stdout.split()
    new = server.token
    assert new != old
    assert out[0] == f"http://127.0.0.1:8765/feed/{new}.ics"
    assert server.get(old).status_code == 404
    assert server.get(new).status_code == 200
    assert server.proc.poll() is None  # the same server process
    assert stat.S_IMODE(os.stat(feed.token_path(env.data_dir)).st_mode) == 0o600


def test_changes_by_another_process_show_at_the_next_get(server: FeedServer, env: Env):
    before = server.get()
    run_cli(env, "sent", "acme", "--on", "2026-11-25")
    after_sent = server.get(headers={"If-None-Match": before.headers["etag"]})
    assert after_sent.status_code == 200
    assert after_sent.headers["etag"] != before.headers["etag"]
    by_uid = {str(e["UID"]): e for e in events(after_sent.content)}
    nudge1 = by_uid["followup-sync.acme-backend-engineer.r1.nudge-1"]
    assert str(nudge1["SUMMARY"]).startswith("Sent: ")
    old = {str(e["UID"]): e for e in events(before.content)}
    # SEQUENCE and LAST-MODIFIED move, so Google notices the edit.
    assert nudge1["SEQUENCE"] > old[str(nudge1["UID"])]["SEQUENCE"]

    run_cli(env, "heard", "globex", "--outcome", "rejected")
    after_heard = server.get()
    assert after_heard.headers["etag"] != after_sent.headers["etag"]
    uids = {str(e["UID"]) for e in events(after_heard.content)}
    assert not any(u.startswith("followup-sync.globex") for u in uids)
    assert uids == {i["uid"] for i in live_items(env)}
    # Last-Modified moved too, so If-Modified-Since clients refetch.
    lm_before = parsedate_to_datetime(before.headers["last-modified"])
    assert parsedate_to_datetime(after_heard.headers["last-modified"]) > lm_before
    ims = {"If-Modified-Since": before.headers["last-modified"]}
    assert server.get(headers=ims).status_code == 200


def test_a_restored_store_is_served_at_the_next_get(server: FeedServer, env: Env):
    backup = env.root / "backup.sqlite3"
    run_cli(env, "backup", str(backup))
    run_cli(env, "heard", "globex")
    assert len(events(server.get().content)) == 4
    # restore swaps the store file: requests open a fresh connection, so they
    # follow the new file instead of reading the one moved aside.
    run_cli(env, "restore", str(backup))
    assert len(events(server.get().content)) == 8


def test_config_changes_show_and_a_broken_config_is_a_503(server: FeedServer, env: Env):
    env.write_config('[feed]\nname = "Interview follow-ups"\n')
    r = server.get()
    assert icalendar.Calendar.from_ical(r.content)["X-WR-CALNAME"] == "Interview follow-ups"
    env.config.write_text("[user\nbroken", encoding="utf-8")
    r = server.get()
    assert r.status_code == 503
    assert b"config" not in r.content  # the reason goes to the server log only
    assert "feed unavailable" in server.log()
    env.write_config()
    assert server.get().status_code == 200


def test_concurrent_gets_during_an_import_see_one_state_or_the_other(server: FeedServer, env: Env):
    rows = "company,role,date,interviewers\n" + "".join(
        f"Co{n},Engineer,2026-11-19 10:00,Pat Kim <pat{n}@co.example>\n" for n in range(10)
    )
    (env.root / "more.csv").write_text(rows, encoding="utf-8")
    counts: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def poll():
        with httpx.Client(headers=IDENTITY, timeout=30) as client:
            while not stop.is_set():
                r = client.get(server.url())
                body = r.content
                if r.status_code != 200 or not body.endswith(b"END:VCALENDAR\r\n"):
                    errors.append(f"{r.status_code} {body[-40:]!r}")
                    continue
                if r.headers["etag"] != '"' + hashlib.sha256(body).hexdigest()[:32] + '"':
                    errors.append("ETag does not match the body")
                counts.append(body.count(b"BEGIN:VEVENT"))

    threads = [threading.Thread(target=poll) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.2)
        run_cli(env, "import", str(env.root / "more.csv"))  # one write transaction
        # Keep polling until the new state is served (however long the render takes).
        deadline = time.monotonic() + 60
        while 48 not in counts[-20:] and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors
    # 2 applications before, 12 after, 4 items each: never anything in between.
    assert set(counts) == {8, 48}


def test_the_feed_is_rendered_only_when_its_content_key_changes(env: Env):
    env.add_acme()
    source = feed.FeedSource(env.data_dir, env.config)
    first = source.current()
    assert source.current() is first
    assert source.renders == 1
    env.run("sent", "acme")
    second = source.current()
    assert source.renders == 2
    assert second.etag != first.etag
    # A push only records what it wrote (store.write(content=False)): the feed's
    # content key stays, so nothing is re-rendered and subscribers keep their 304s.
    env.write_config(f'[providers.file]\ntype = "ics"\npath = "{env.root / "out.ics"}"\n')
    third = source.current()  # the config changed: one render
    assert source.renders == 3
    env.run("push")
    fourth = source.current()
    assert source.renders == 3
    assert fourth is third


# --- the token ----------------------------------------------------------------------------
def test_token_is_a_private_file_made_once_and_kept_out_of_the_store(env: Env):
    env.add_acme()
    assert not feed.token_path(env.data_dir).exists()
    url = env.run("feed", "url", "--quiet").stdout.strip()
    token = feed.read_token(env.data_dir)
    assert url == f"http://127.0.0.1:8765/feed/{token}.ics"
    assert len(token) >= 43  # 32 random bytes
    assert stat.S_IMODE(os.stat(feed.token_path(env.data_dir)).st_mode) == 0o600
    assert env.run("feed", "url", "--quiet").stdout.strip() == url  # kept, not remade
    assert token.encode() not in (env.data_dir / STORE_NAME).read_bytes()
    assert token not in env.run("list", "--json").stdout
    new = env.run("feed", "rotate").stdout.split()[0]
    assert new != url
    assert stat.S_IMODE(os.stat(feed.token_path(env.data_dir)).st_mode) == 0o600
    assert not [p for p in env.data_dir.iterdir() if p.name.startswith(".feed-token")]


def test_feed_url_uses_base_url_and_explains_how_to_subscribe(env: Env):
    env.write_config('[feed]\nbase_url = "https://cal.example.com/"\n')
    result = env.run("feed", "url")
    token = feed.read_token(env.data_dir)
    assert result.stdout.split() == [
        f"https://cal.example.com/feed/{token}.ics",
        f"webcal://cal.example.com/feed/{token}.ics",
    ]
    assert "From URL" in result.stderr
    assert "New Calendar Subscription" in result.stderr


def test_a_damaged_token_file_is_reported_not_served(env: Env):
    feed.token_path(env.data_dir).parent.mkdir(parents=True)
    feed.token_path(env.data_dir).write_text("short\n")
    result = env.run("feed", "url", expect=1)
    assert "damaged" in result.stderr
    watcher = feed.TokenWatcher(env.data_dir)
    assert not watcher.matches("short")


def test_feed_commands_have_help_with_an_example(env: Env):
    for args in (["serve"], ["feed"], ["feed", "url"], ["feed", "rotate"]):
        out = env.run(*args, "--help", today=None).stdout
        assert "Example:" in out and "followup-sync " in out, args


def test_the_cli_does_not_import_waitress_or_icalendar_for_feed_commands():
    code = (
        "import sys; from followup_sync import cli, feed; import followup_sync.cli.feed;"
        "print(sorted(m for m in ('waitress', 'icalendar') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- logging and shutdown -----------------------------------------------------------------
def test_access_log_never_contains_the_token(server: FeedServer, env: Env):
    tokens = [server.token]
    server.get()
    server.get("wrong-but-long-enough-to-look-like-a-token")
    raw_get(server, f"/{server.token}.ics")
    raw_get(server, f"/feed/{server.token}.ics?x={server.token}")
    run_cli(env, "feed", "rotate")
    tokens.append(server.token)
    server.get(tokens[0])
    server.get(tokens[1])
    server.stop()
    log = server.log()
    assert log.count('"GET /feed/[token].ics HTTP/1.1"') >= 3
    for token in tokens:
        assert token not in log
    assert "wrong-but-long-enough" not in log


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_stops_the_server_cleanly(server: FeedServer, signum: int):
    assert server.get().status_code == 200
    server.proc.send_signal(signum)
    assert server.proc.wait(15) == 0
    assert "Feed server stopped." in server.log()
    assert "Traceback" not in server.log()
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url(), timeout=2)


def test_serve_refuses_a_port_in_use_with_one_line(server: FeedServer, env: Env):
    port = server.base.rsplit(":", 1)[1]
    argv = [sys.executable, "-m", "followup_sync", "--data-dir", str(env.data_dir)]
    argv += ["--config", str(env.config), "serve", "--port", port]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert (
        proc.stderr.strip().splitlines()[-1].startswith(f"Error: cannot listen on 127.0.0.1:{port}")
    )


# --- real subscribers nobody here wrote -----------------------------------------------------
def test_vdirsyncer_subscribes_and_gets_every_event(server: FeedServer, env: Env, tmp_path: Path):
    vdir = tmp_path / "vdir"
    config = tmp_path / "vdirsyncer.conf"
    config.write_text(
        f"""
[general]
status_path = "{tmp_path / "status"}/"

[pair feed]
a = "feed_remote"
b = "feed_local"
collections = null
conflict_resolution = "a wins"

[storage feed_remote]
type = "http"
url = "{server.url()}"

[storage feed_local]
type = "filesystem"
path = "{vdir}/"
fileext = ".ics"
""",
        encoding="utf-8",
    )

    def sync() -> set[tuple[str, str]]:
        for command in ("discover", "sync"):
            proc = subprocess.run(
                [str(VDIRSYNCER), "-c", str(config), command],
                stdin=subprocess.DEVNULL,  # it must not need to ask anything
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert proc.returncode == 0, proc.stderr
        synced = set()
        for path in vdir.glob("*.ics"):
            for ev in events(path.read_bytes()):
                synced.add((str(ev["SUMMARY"]), ev["DTSTART"].dt.isoformat()))
        return synced

    def served() -> set[tuple[str, str]]:
        body = server.get().content
        return {(str(e["SUMMARY"]), e["DTSTART"].dt.isoformat()) for e in events(body)}

    # vdirsyncer replaces UIDs with content hashes: compare summaries and starts.
    first = sync()
    assert len(first) == 8
    assert first == served()
    run_cli(env, "heard", "globex")
    run_cli(env, "sent", "acme")
    second = sync()
    assert second == served()
    assert len(second) == 4
    assert any(summary.startswith("Sent: ") for summary, _ in second)


def test_serve_names_the_feed_url_command_for_its_own_port(server: FeedServer, env: Env):
    port = server.base.rsplit(":", 1)[1]
    assert f"The full URL: followup-sync feed url --port {port}" in server.log()
    url = env.run("feed", "url", "--port", port, "--quiet", today=None).stdout.strip()
    assert url == server.url()
    assert httpx.get(url, headers=IDENTITY, timeout=30).status_code == 200


@pytest.mark.node
def test_icaljs_parses_the_served_feed_and_every_tzid_resolves(server: FeedServer, env: Env):
    path = env.root / "served.ics"
    path.write_bytes(server.get().content)
    parsed = ical_js.parse(path)
    items = live_items(env)
    assert len(parsed["events"]) == len(items) == 8
    assert parsed["timezones"] == ["America/New_York"]
    for ev in parsed["events"]:
        assert ev["tzid"] == "America/New_York"
        assert ev["tz_resolved"] and not ev["floating"], ev["uid"]
    due = {i["uid"]: datetime.fromisoformat(i["due"]) for i in items}
    for ev in parsed["events"]:
        # ical.js placed each time at the same instant the planner meant.
        start = datetime.fromisoformat(ev["start"].replace("Z", "+00:00"))
        assert start == due[ev["uid"]]


# --- pure helpers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, *", False),
        ("*;q=0", False),
        ("identity", False),
        ("", False),
        ("br, *;q=0.1", True),
    ],
)
def test_accepts_gzip(header: str, expected: bool):
    assert feed.accepts_gzip(header) is expected


def test_redaction():
    from followup_sync.redaction import feed_path, log_text

    token = "k" * 43
    assert feed_path(f"/feed/{token}.ics") == "/feed/[token].ics"
    assert feed_path(f"/feed/x.ics?t={token}") == "/feed/[token].ics?t=[redacted]"
    assert token not in feed_path(f"/{token}")
    assert feed_path("/feed/\x1b[31m.ics") == "/feed/[token].ics"
    assert feed_path("/a\x1b[31m") == "/a?[31m"
    line = f'Exception while serving /feed/{token}.ics\n  File "x.py", in translate_proxy_headers'
    assert token not in log_text(line)
    assert "translate_proxy_headers" in log_text(line)


def test_feed_urls_for_wildcard_and_ipv6_hosts():
    assert feed.feed_url("", "0.0.0.0", 8765, "t") == "http://127.0.0.1:8765/feed/t.ics"
    assert feed.feed_url("", "::1", 80, "t") == "http://[::1]:80/feed/t.ics"
    assert (
        feed.feed_url("https://x.example/cal/", "h", 1, "t") == "https://x.example/cal/feed/t.ics"
    )
    assert feed.webcal_url("https://x.example/feed/t.ics") == "webcal://x.example/feed/t.ics"
