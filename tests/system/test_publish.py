"""Publishing the feed through the CLI to S3 (moto) and WebDAV (wsgidav), read as a subscriber.

Each test configures both targets as a user would ([providers.cloud] type "s3",
[providers.nc] type "webdav", secrets from the environment), runs `push`,
`publish` and `feed` commands, and checks what anonymous readers get over HTTP
(the way Google's servers fetch a subscribed calendar), what ical.js and
vdirsyncer make of it, and what went over the wire: each target's client talks
through a FaultProxy that counts requests by method and injects faults.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest

from followup_sync import feed, redaction
from followup_sync.store import STORE_NAME
from tests.conftest import Env
from tests.support import ical_js
from tests.support.fault_proxy import FaultProxy
from tests.support.publish_servers import WEBDAV_PASSWORD, anon_get

pytestmark = [pytest.mark.network]

TODAY = "2026-11-26"
VDIRSYNCER = Path(sys.executable).with_name("vdirsyncer")


@dataclass
class Published:
    """One user's followup-sync with an S3 and a WebDAV target, each behind a counting proxy."""

    env: Env
    s3: object
    dav: object
    bucket: str
    folder: str
    s3_proxy: FaultProxy
    dav_proxy: FaultProxy
    os_env: dict[str, str]

    def run(self, *args: str, expect: int | None = 0, today: str = TODAY):
        redaction._KNOWN.clear()  # each command is a fresh process for the user
        return self.env.run(*args, expect=expect, env=self.os_env, today=today)

    @property
    def token(self) -> str:
        return feed.token_path(self.env.data_dir).read_text().strip()

    def s3_url(self, token: str | None = None) -> str:
        return f"{self.s3.url}/{self.bucket}/feeds/{token or self.token}.ics"

    def dav_url(self, token: str | None = None) -> str:
        return f"{self.dav.public_folder(self.folder)}{token or self.token}.ics"

    def urls(self, token: str | None = None) -> dict[str, str]:
        return {"cloud": self.s3_url(token), "nc": self.dav_url(token)}

    def reset_counts(self) -> None:
        self.s3_proxy.reset()
        self.dav_proxy.reset()


def write_config(p: Published, extra: str = "") -> None:
    s3_endpoint = p.s3_proxy.url.rstrip("/")
    dav_url = f"{p.dav_proxy.url.rstrip('/')}{p.dav.dav_prefix}/{p.folder}/"
    p.env.write_config(
        p.s3.config("cloud", p.bucket, endpoint=s3_endpoint, extra=extra)
        + p.dav.config("nc", p.folder, url=dav_url, extra=extra)
    )


@pytest.fixture
def published(env: Env, s3_server, webdav_server):
    s3_proxy = FaultProxy(s3_server.url)
    dav_proxy = FaultProxy(webdav_server.url, forwarded_host=True)
    p = Published(
        env,
        s3_server,
        webdav_server,
        s3_server.new_bucket(),
        webdav_server.new_folder(),
        s3_proxy,
        dav_proxy,
        {**s3_server.env(), **webdav_server.env(), "FOLLOWUP_SYNC_NO_KEYRING": "1"},
    )
    write_config(p)
    env.add_acme()
    env.add_acme(
        company="Globex", role="Data Analyst", interviewer="Priya Patel <priya@globex.example>"
    )
    try:
        yield p
    finally:
        s3_proxy.close()
        dav_proxy.close()


def events(body: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def live_uids(env: Env, today: str = TODAY) -> set[str]:
    return {i["uid"] for i in env.plan(today) if i["status"] in ("planned", "overdue", "sent")}


# --- a subscriber's view ------------------------------------------------------------------------
def test_push_publishes_the_feed_where_anonymous_subscribers_read_it(published: Published):
    out = published.run("push").stdout
    assert "cloud (S3 bucket" in out and "nc (WebDAV folder" in out
    assert out.count("uploaded the feed, 8 events") == 2
    assert published.token not in out
    bodies = []
    for name, url in published.urls().items():
        status, headers, body = anon_get(url)
        assert status == 200, name
        assert headers["content-type"] == "text/calendar; charset=utf-8", name
        assert {str(e["UID"]) for e in events(body)} == live_uids(published.env), name
        assert b"ATTACH" not in body  # Google-safe: no inline .eml by default
        assert b"Subject: " in body and b"mailto:" in body  # the draft stays in DESCRIPTION
        # A conditional GET, as calendar clients send on every refresh.
        again = anon_get(url, {"If-None-Match": headers["etag"]})
        assert again[0] == 304 and again[2] == b"", name
        bodies.append(body)
    assert bodies[0] == bodies[1]  # one rendering for both targets
    # Nothing else is readable: not the folder, no listing, no other object.
    assert anon_get(published.dav.public_folder(published.folder))[0] == 403
    assert anon_get(published.dav.public_folder(published.folder), method="PROPFIND")[0] == 403
    published.s3.admin().put_object(Bucket=published.bucket, Key="notes.txt", Body=b"private")
    assert anon_get(f"{published.s3.url}/{published.bucket}/notes.txt")[0] == 403


def test_a_push_that_changes_nothing_uploads_nothing_and_a_change_is_uploaded_once(
    published: Published, figure
):
    published.run("push")
    published.reset_counts()
    published.run("push")
    s3, dav = published.s3_proxy, published.dav_proxy
    assert s3.writes == 0 and dav.writes == 0
    assert (s3.total, dav.total) == (1, 1)  # one HEAD each: is the object still ours?
    figure(f"publish no-op: S3 {s3.total} request(s), WebDAV {dav.total}, 0 writes")

    published.run("sent", "acme", "--on", "2026-11-25")
    published.reset_counts()
    published.run("push")
    assert s3.counts["PUT"] == 1 and s3.writes == 1
    assert dav.counts["PUT"] == 1 and dav.counts["MOVE"] == 1 and dav.writes == 2
    figure(
        f"publish of a change: S3 {s3.total} requests ({s3.writes} write),"
        f" WebDAV {dav.total} requests ({dav.writes} writes: PUT aside + MOVE)"
    )
    for url in published.urls().values():
        by_uid = {str(e["UID"]): e for e in events(anon_get(url)[2])}
        nudge = by_uid["followup-sync.acme-backend-engineer.r1.nudge-1"]
        assert str(nudge["SUMMARY"]).startswith("Sent: ")
    published.reset_counts()
    published.run("push")
    assert s3.writes == 0 and dav.writes == 0


def test_a_no_op_publish_does_not_even_render_the_feed(published: Published, monkeypatch):
    from followup_sync.config import load_settings
    from followup_sync.push import PushContext, publish_all
    from followup_sync.store import Store

    def publish(today: str = TODAY):
        redaction._KNOWN.clear()
        store = Store.open(published.env.data_dir)
        try:
            ctx = PushContext(
                store,
                load_settings(published.env.config),
                published.env.data_dir,
                date.fromisoformat(today),
                datetime(2026, 11, 26, 12, tzinfo=UTC),
            )
            return {r.name: r for r in publish_all(ctx).published}
        finally:
            store.close()

    for key, value in published.os_env.items():
        monkeypatch.setenv(key, value)
    first = publish()
    assert all(r.status == "uploaded" and r.rendered for r in first.values())
    again = publish()
    assert all(r.status == "unchanged" and not r.rendered for r in again.values())
    assert [(r.size, r.events) for r in again.values()] == [
        (r.size, r.events) for r in first.values()
    ]
    # Another day renders again (items may turn overdue) but uploads only a change.
    next_day = publish("2026-11-27")
    assert all(r.rendered and r.status == "unchanged" for r in next_day.values())
    published.run("sent", "acme", "--on", "2026-11-25")
    changed = publish("2026-11-27")
    assert all(r.rendered and r.status == "uploaded" for r in changed.values())
    # A template edit changes what the feed is made of, so it is rendered again.
    (published.env.root / "templates").mkdir()
    (published.env.root / "templates" / "nudge-1.txt").write_text(
        "Subject: Checking in about $role\n\n$greeting\n\nStill keen.\n\n$your_name\n"
    )
    edited = publish("2026-11-27")
    assert all(r.rendered and r.status == "uploaded" for r in edited.values())
    assert b"Checking in about" in anon_get(published.s3_url())[2]


@pytest.mark.node
def test_icaljs_parses_the_published_feed(published: Published):
    published.run("push")
    for name, url in published.urls().items():
        path = published.env.root / f"{name}.ics"
        path.write_bytes(anon_get(url)[2])
        parsed = ical_js.parse(path)
        assert len(parsed["events"]) == 8, name
        assert parsed["timezones"] == ["America/New_York"]
        assert all(ev["tz_resolved"] and not ev["floating"] for ev in parsed["events"])


@pytest.mark.slow
def test_vdirsyncer_subscribes_to_the_published_feed(published: Published, tmp_path: Path):
    published.run("push")

    def sync(name: str, url: str) -> set[str]:
        vdir = tmp_path / name
        config = tmp_path / f"{name}.conf"
        config.write_text(
            f"""
[general]
status_path = "{tmp_path / (name + "-status")}/"

[pair feed]
a = "remote"
b = "local"
collections = null
conflict_resolution = "a wins"

[storage remote]
type = "http"
url = "{url}"

[storage local]
type = "filesystem"
path = "{vdir}/"
fileext = ".ics"
""",
            encoding="utf-8",
        )
        for command in ("discover", "sync"):
            proc = subprocess.run(
                [str(VDIRSYNCER), "-c", str(config), command],
                stdin=subprocess.DEVNULL,  # it must not need to ask anything
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert proc.returncode == 0, proc.stderr
        return {str(e["SUMMARY"]) for p in vdir.glob("*.ics") for e in events(p.read_bytes())}

    for name, url in published.urls().items():
        assert len(sync(name, url)) == 8, name
    published.run("heard", "globex")
    published.run("sent", "acme", "--on", "2026-11-25")
    published.run("push")
    for name, url in published.urls().items():
        second = sync(name, url)
        assert len(second) == 4, name
        assert not any("Globex" in s for s in second)
        assert any(s.startswith("Sent: ") for s in second)


# --- rotation -----------------------------------------------------------------------------------
def test_feed_rotate_moves_the_feed_to_a_new_secret_url(published: Published):
    published.run("push")
    old_token, old_urls = published.token, published.urls()
    body = anon_get(old_urls["cloud"])[2]
    out = published.run("feed", "rotate")
    new_token = published.token
    assert new_token != old_token
    new_urls = published.urls()
    assert out.stdout.split() == [
        new_urls["cloud"],
        "webcal://" + new_urls["cloud"].split("://")[1],
        new_urls["nc"],
        "webcal://" + new_urls["nc"].split("://")[1],
    ]
    for name in ("cloud", "nc"):
        assert anon_get(old_urls[name])[0] in (403, 404), name
        status, _, new_body = anon_get(new_urls[name])
        assert status == 200 and new_body == body, name
    assert published.s3.keys(published.bucket) == [f"feeds/{new_token}.ics"]
    assert published.dav.files(published.folder) == [f"{new_token}.ics"]
    assert not (published.env.data_dir / feed.token.RETIRED_FILE).exists()
    assert not (published.env.data_dir / feed.token.NEXT_FILE).exists()
    # The state follows the new name: the next push uploads nothing.
    published.reset_counts()
    published.run("push")
    assert published.s3_proxy.writes == 0 and published.dav_proxy.writes == 0
    assert published.run("feed", "url", "--quiet").stdout.split() == [
        new_urls["cloud"],
        new_urls["nc"],
    ]


def test_rotate_switches_nothing_while_a_target_cannot_take_the_new_name(published: Published):
    published.run("push")
    old_token, old_urls = published.token, published.urls()
    for _ in range(3):  # botocore tries three times
        published.s3_proxy.inject("PUT", "503")
    r = published.run("feed", "rotate", expect=4)
    assert "not rotated" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""
    assert published.token == old_token
    for url in old_urls.values():
        assert anon_get(url)[0] == 200
    # WebDAV took the new name; running rotate again reuses that same name,
    # so nothing is left behind under a token nobody knows.
    uploaded = [f for f in published.dav.files(published.folder) if f != f"{old_token}.ics"]
    assert len(uploaded) == 1
    published.run("feed", "rotate")
    assert f"{published.token}.ics" == uploaded[0]
    assert published.dav.files(published.folder) == uploaded
    assert published.s3.keys(published.bucket) == [f"feeds/{published.token}.ics"]


def test_an_old_feed_that_could_not_be_deleted_goes_at_the_next_push(published: Published):
    published.run("push")
    old_urls = published.urls()
    for _ in range(3):
        published.s3_proxy.inject("DELETE", "503")
    r = published.run("feed", "rotate", expect=4)
    assert "old URL, which still works" in r.stderr
    assert "the old one still does until a push deletes it" in r.stderr
    assert r.stderr.count("Error: ") == 1
    assert anon_get(old_urls["cloud"])[0] == 200  # still there, and said so
    assert anon_get(old_urls["nc"])[0] == 404
    assert anon_get(published.urls()["cloud"])[0] == 200  # the new one works already
    published.run("push")
    assert anon_get(old_urls["cloud"])[0] in (403, 404)
    assert not (published.env.data_dir / feed.token.RETIRED_FILE).exists()


# --- failures -----------------------------------------------------------------------------------
def test_a_damaged_token_file_fails_the_targets_and_rotate_repairs_it(published: Published):
    published.run("push")
    old_urls = published.urls()
    feed.token_path(published.env.data_dir).write_text("not a token\n")
    r = published.run("push", expect=1)
    assert r.stderr.count("Error: ") == 2 and "run `followup-sync feed rotate`" in r.stderr
    published.run("feed", "rotate")
    assert set(published.urls().values()).isdisjoint(old_urls.values())
    for url in published.urls().values():
        assert anon_get(url)[0] == 200


def test_wrong_credentials_are_one_line_each_and_the_secrets_appear_nowhere(
    env: Env, s3_iam_server, webdav_server
):
    wrong_s3 = "S3ntinel-wrong-s3-secret-42"
    wrong_dav = "S3ntinel-wrong-dav-password-42"
    folder = webdav_server.new_folder()
    env.write_config(s3_iam_server.config("cloud", "cal-iam") + webdav_server.config("nc", folder))
    env.add_acme()
    os_env = {
        **s3_iam_server.env(secret=wrong_s3),
        **webdav_server.env(wrong_dav),
        "FOLLOWUP_SYNC_NO_KEYRING": "1",
    }
    outputs = []
    for args in (["push"], ["push", "--json"], ["publish"], ["publish", "--json"]):
        redaction._KNOWN.clear()
        r = env.run(*args, expect=4, env=os_env)
        outputs.append(r.stdout + r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 2, r.stderr  # one per target, the other still ran
        assert lines[0].startswith("Error: cloud: ") and "SignatureDoesNotMatch" in lines[0]
        assert lines[1].startswith("Error: nc: ") and "401" in lines[1]
    redaction._KNOWN.clear()
    r = env.run("push", expect=0, env={**os_env, **s3_iam_server.env(), **webdav_server.env()})
    outputs.append(r.stdout + r.stderr)
    secrets = (wrong_s3, wrong_dav, s3_iam_server.secret, WEBDAV_PASSWORD)
    token = feed.token_path(env.data_dir).read_text().strip()
    for out in outputs:
        for secret in (*secrets, token):
            assert secret not in out
    for path in env.data_dir.rglob("*"):
        if path.is_file() and not path.name.startswith("feed-token"):
            data = path.read_bytes()
            for secret in (*secrets, token):
                assert secret.encode() not in data, path


FAULTS = [
    ("cloud", "cut-body"),
    ("cloud", "reset"),
    ("cloud", "lose-answer"),
    ("nc", "cut-body"),
    ("nc", "drop"),
    ("nc", "reset"),
    ("nc", "lose-answer"),
]


def _dropped_upload(published: Published, target: str, fault: str) -> None:
    published.run("push")
    before = {name: anon_get(url)[2] for name, url in published.urls().items()}
    published.run("sent", "acme", "--on", "2026-11-25")
    proxy = published.s3_proxy if target == "cloud" else published.dav_proxy
    # S3 retries an upload three times; WebDAV does not. The WebDAV fault goes to
    # the MOVE for a lost answer (the write happened), else to the upload aside.
    method = "MOVE" if (target, fault) == ("nc", "lose-answer") else "PUT"
    for _ in range(3 if target == "cloud" else 1):
        proxy.inject(method, fault)
    r = published.run("push", expect=4)
    line = r.stderr.strip()
    assert line.count("\n") == 0 and line.startswith(f"Error: {target}: "), r.stderr
    other = "nc" if target == "cloud" else "cloud"
    assert f"{other} (" in r.stdout and "uploaded the feed" in r.stdout  # the other went on
    status, _, body = anon_get(published.urls()[target])
    assert status == 200
    after_sent = anon_get(published.urls()[other])[2]
    # A reader sees the whole previous feed, or the whole new one when the write
    # went through and only its answer was lost: never a mix.
    assert body == (after_sent if fault == "lose-answer" else before[target])
    published.reset_counts()
    published.run("push")
    assert anon_get(published.urls()[target])[2] == after_sent
    if (target, fault) == ("cloud", "lose-answer"):
        assert proxy.writes == 0  # the bucket held these bytes already (MD5): adopted
    if target == "nc":
        assert published.dav.files(published.folder) == [f"{published.token}.ics"]
    published.reset_counts()
    published.run("push")
    assert proxy.writes == 0


def test_an_upload_dropped_midway_leaves_the_previous_feed_and_the_next_push_repairs_it(
    published: Published,
):
    _dropped_upload(published, "nc", "cut-body")


@pytest.mark.slow
@pytest.mark.parametrize(("target", "fault"), FAULTS)
def test_every_dropped_connection_is_repaired_by_the_next_push(published, target, fault):
    _dropped_upload(published, target, fault)


def test_without_boto3_push_stops_before_any_write_and_names_the_extra(
    published: Published, monkeypatch
):
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if the extra were not installed
    r = published.run("push", expect=3)
    assert r.stderr.strip() == (
        'Error: [providers.cloud] type "s3" needs boto3, which is not installed:'
        " pip install 'followup-sync[s3]'"
    )
    assert published.dav_proxy.total == 0 and published.s3_proxy.total == 0


# --- commands and output ------------------------------------------------------------------------
def test_publish_alone_dry_run_and_json(published: Published):
    r = published.run("publish", "--dry-run")
    assert r.stdout.count("dry run: would upload the feed, 8 events") == 2
    assert published.s3.keys(published.bucket) == []
    assert published.dav.files(published.folder) == []
    assert published.s3_proxy.writes == 0 and published.dav_proxy.writes == 0

    data = json.loads(published.run("publish", "--json").stdout)
    assert set(data) == {"dry_run", "published", "failures"}
    assert data["dry_run"] is False and data["failures"] == []
    assert [p["name"] for p in data["published"]] == ["cloud", "nc"]
    for p in data["published"]:
        assert set(p) == {"name", "where", "status", "bytes", "events", "notes"}
        assert p["status"] == "uploaded" and p["events"] == 8 and p["bytes"] > 1000
    again = json.loads(published.run("push", "--json").stdout)
    assert [p["status"] for p in again["published"]] == ["unchanged", "unchanged"]
    assert again["providers"] == []  # only publish targets are configured
    assert published.token not in str(data) + str(again)
    r = published.run("publish", "--provider", "nope", expect=3)
    assert "no provider 'nope'" in r.stderr


def test_publish_without_targets_says_how_to_add_one(env: Env):
    r = env.run("publish", expect=3)
    assert "no publish target" in r.stderr and r.stderr.count("\n") == 1


def test_feed_url_prints_each_target_and_whether_it_was_published(published: Published):
    r = published.run("feed", "url")
    urls = published.urls()
    assert r.stdout.split() == [
        urls["cloud"],
        "webcal://" + urls["cloud"].split("://")[1],
        urls["nc"],
        "webcal://" + urls["nc"].split("://")[1],
    ]
    assert r.stderr.count("not published yet") == 2
    assert "Google Calendar" in r.stderr and "Apple Calendar" in r.stderr
    published.run("publish")
    assert "not published yet" not in published.run("feed", "url").stderr


def test_a_share_link_to_the_file_the_nextcloud_way(env: Env, webdav_server):
    """Publish first, share the file by link, set public_url: updates keep the link."""
    folder = webdav_server.new_folder()
    proxy = FaultProxy(webdav_server.url, forwarded_host=True)
    dav_url = f"{proxy.url.rstrip('/')}{webdav_server.dav_prefix}/{folder}/"
    os_env = {**webdav_server.env(), "FOLLOWUP_SYNC_NO_KEYRING": "1"}
    try:
        config = webdav_server.config("nc", folder, url=dav_url)
        env.write_config(
            config.replace(f'public_url = "{webdav_server.public_folder(folder)}"', "")
        )
        env.add_acme()
        env.run("publish", env=os_env)
        token = feed.token_path(env.data_dir).read_text().strip()
        r = env.run("feed", "url", env=os_env)
        assert r.stdout == ""
        assert f"no public_url yet: share {token}.ics in WebDAV folder" in r.stderr
        # The user shares the file; here /public stands in for the share link.
        link = webdav_server.public_folder(folder) + f"{token}.ics"
        env.write_config(config.replace(webdav_server.public_folder(folder), link))
        assert env.run("feed", "url", "--quiet", env=os_env).stdout.split() == [link]
        env.run("sent", "acme", "--on", "2026-11-25")
        proxy.reset()
        env.run("push", env=os_env)
        assert proxy.counts["MOVE"] == 0 and proxy.counts["PUT"] == 1  # in place: link kept
        assert b"Sent: " in anon_get(link)[2]
        r = env.run("feed", "rotate", env=os_env)
        new = feed.token_path(env.data_dir).read_text().strip()
        assert r.stdout == "" and f"the feed is now {new}.ics in WebDAV folder" in r.stderr
        assert anon_get(link)[0] == 404  # the old link died with the old file
        assert webdav_server.files(folder) == [f"{new}.ics"]
    finally:
        proxy.close()


def test_the_store_keeps_no_token_and_no_object_name(published: Published):
    published.run("push")
    published.run("feed", "rotate")
    published.run("push")
    conn = sqlite3.connect(published.env.data_dir / STORE_NAME)
    try:
        rows = conn.execute("SELECT provider, key, value FROM provider_state").fetchall()
    finally:
        conn.close()
    state = {(p, k) for p, k, _ in rows}
    assert {("cloud", "target"), ("cloud", "sha256"), ("cloud", "version")} <= state
    assert {("nc", "target"), ("nc", "sha256"), ("nc", "version")} <= state
    data = (published.env.data_dir / STORE_NAME).read_bytes()
    wal = published.env.data_dir / (STORE_NAME + "-wal")
    data += wal.read_bytes() if wal.exists() else b""
    assert published.token.encode() not in data


# --- the Google-safe rendering ------------------------------------------------------------------
def test_the_published_feed_keeps_recent_sent_items_and_no_attachments(
    published: Published, figure
):
    published.run("sent", "acme", "--on", "2026-11-20", today="2026-11-20")
    published.run("push", today="2026-11-27")
    safe = anon_get(published.s3_url())[2]
    uids = {str(e["UID"]) for e in events(safe)}
    sent_uid = "followup-sync.acme-backend-engineer.r1.nudge-1"
    assert sent_uid in uids
    # 31 days after it was sent, the sent nudge leaves the published feed (sent_days = 30).
    published.run("push", today="2026-12-21")
    uids = {str(e["UID"]) for e in events(anon_get(published.s3_url())[2])}
    assert sent_uid not in uids and sent_uid in live_uids(published.env, "2026-12-21")
    assert uids == live_uids(published.env, "2026-12-21") - {sent_uid}

    # With attach_eml, the drafts ride along as .eml attachments (Apple shows them).
    write_config(published, "attach_eml = true\nsent_days = 365")
    published.run("push", today="2026-12-21")
    body = anon_get(published.s3_url())[2]
    with_attach = events(body)
    assert sent_uid in {str(e["UID"]) for e in with_attach}
    assert sum(1 for e in with_attach if e.get("ATTACH") is not None) == 6  # the nudges
    figure(
        f"published feed: {len(body) // len(with_attach)} B/event with .eml ATTACH,"
        f" {len(safe) // len(events(safe))} B/event Google-safe"
    )


@pytest.mark.slow
def test_a_feed_near_googles_limit_says_so(published: Published, figure):
    rows = [
        {
            "company": f"Company {n:03d}",
            "role": "Backend Engineer",
            "date": "2026-11-20 14:00",
            "reply_by": "",
            "interviewers": f"Person {n} <p{n}@company{n}.example>",
            "stage": "",
            "skills": "Python, PostgreSQL and on-call leadership " * 3,
            "accomplishment": "cut our API's p99 latency by 40% last quarter",
            "notes": "",
        }
        for n in range(130)
    ]
    path = published.env.root / "many.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    published.run("import", str(path))
    started = time.perf_counter()
    r = published.run("publish", "--provider", "cloud")
    elapsed = time.perf_counter() - started
    body = anon_get(published.s3_url())[2]
    size, count = len(body), len(events(body))
    assert size > 900 * 1024
    assert f"the published feed is {size // 1024} KB" in r.stdout
    assert "Google Calendar ignores a subscribed calendar over about 1 MB" in r.stdout
    figure(
        f"publish of {size // 1024} KB ({size // count} B/event, {count} events) to S3:"
        f" {elapsed:.2f} s (render + HEAD + PUT, loopback)"
    )


def test_loading_the_targets_imports_neither_boto3_nor_icalendar():
    code = (
        "import sys; import followup_sync_webdav.publisher, followup_sync_s3.publisher;"
        "import followup_sync.publish;"
        "print(sorted(m for m in ('boto3', 'botocore', 'icalendar', 'requests') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_head_of_the_published_file_gives_its_length(published: Published):
    # WebDAV only: moto checks an anonymous HEAD against an "s3:HeadObject" action that
    # no policy grants (AWS checks s3:GetObject), so it answers 403.
    published.run("push")
    url = published.dav_url()
    status, headers, body = anon_get(url, method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == len(anon_get(url)[2])
