"""Faults and secrets with a mailbox: one clear line, nothing lost, the next push converges.

The connection is broken on the wire by a proxy in front of the real server
(tests/support/imap_proxy.py): before a SEARCH reaches the server, or after an
APPEND was stored but before its answer came back.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from followup_sync.drafts import message_id
from tests.support import mail_messages as mm
from tests.support.imap_proxy import ImapProxy
from tests.support.imap_servers import PASSWORD, Mailbox, free_port

pytestmark = pytest.mark.network

TZ = ZoneInfo("America/New_York")
APP = "acme-backend-engineer"
JANE = "jane@acme.example"
NUDGE_1 = message_id(f"followup-sync.{APP}.r1.nudge-1", "alex@example.com")


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=TZ)


@pytest.fixture
def proxied(mailbox):
    """The mailbox, reached through a proxy that counts and breaks connections."""
    proxy = ImapProxy(mailbox.port)
    yield Mailbox(**{**mailbox.__dict__, "port": proxy.port}), proxy
    proxy.close()


def setup(env, box: Mailbox, password_env: str = "IMAP_TEST_PASSWORD", **options):
    env.write_config(box.toml("mail", password_env=password_env, **options))
    env.add_acme()
    return {"IMAP_TEST_PASSWORD": PASSWORD}


def reply(when: datetime | None = None) -> bytes:
    when = when or at(11, 28)
    return mm.message(
        f"Jane Doe <{JANE}>", "alex@example.com", "Re: Following up", when, msgid="<r@a>"
    )


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_server_down_is_one_line_and_nothing_is_lost(env, mailbox):
    down = Mailbox(**{**mailbox.__dict__, "port": free_port()})
    os_env = setup(env, down)
    result = env.run("push", today="2026-11-27", env=os_env, expect=4)
    assert "cannot connect" in one_line(result.stderr)
    result = env.run("check", today="2026-11-27", env=os_env, expect=4)
    assert "cannot connect" in one_line(result.stderr)
    assert env.json("list")["applications"][0]["status"] == "waiting"


def test_a_wrong_password_is_never_shown(env, mailbox):
    os_env = setup(env, mailbox, password_env="WRONG_PASSWORD")
    wrong = "Hunter2-wrong-pass"
    os_env = {"WRONG_PASSWORD": wrong}
    result = env.run("push", today="2026-11-27", env=os_env, expect=4)
    line = one_line(result.stderr)
    assert "refused the login" in line and "app password" in line
    result = env.run("push", "--json", today="2026-11-27", env=os_env, expect=4)
    assert wrong not in result.stdout + result.stderr
    assert json.loads(result.stdout)["failures"][0]["name"] == "mail"


def test_a_connection_dropped_mid_search_loses_nothing(env, proxied):
    box, proxy = proxied
    os_env = setup(env, box)
    box.append("inbox", reply(), at(11, 28))
    proxy.arm("UID SEARCH", "drop")
    result = env.run("push", today="2026-11-30", env=os_env, expect=4)
    assert "connection" in one_line(result.stderr) and "lost" in result.stderr
    assert env.json("list", today="2026-11-30")["applications"][0]["status"] == "waiting"
    # The next push reads the same mail again and acts on it.
    env.run("push", today="2026-11-30", env=os_env)
    assert env.json("list", today="2026-11-30")["applications"][0]["outcome"] == "replied"


def test_a_connection_dropped_mid_append_leaves_one_draft(env, proxied):
    box, proxy = proxied
    os_env = setup(env, box)
    proxy.arm("APPEND", "lose-answer")  # stored by the server, never confirmed
    result = env.run("push", today="2026-11-27", env=os_env, expect=5)
    assert "1 failed" in result.stdout and "run push again" in one_line(result.stderr)
    assert len(box.messages("drafts")) == 1
    env.run("push", today="2026-11-27", env=os_env)
    env.run("push", today="2026-11-28", env=os_env)
    (draft,) = box.messages("drafts").values()  # found again by its Message-ID, not doubled
    assert draft["headers"]["Message-ID"] == NUDGE_1


def test_a_renumbered_sent_folder_is_searched_again(env, mailbox):
    """UIDVALIDITY changed (the folder was restored): the old UIDs mean nothing."""
    os_env = setup(env, mailbox)
    for n in range(3):  # unrelated mail, so the remembered UIDNEXT is past what follows
        raw = mm.message(
            "alex@example.com", f"x{n}@other.example", "Hi", at(11, 21), msgid=f"<o{n}@a>"
        )
        mailbox.append("sent", raw, at(11, 21))
    env.run("push", today="2026-11-24", env=os_env)
    sent = mailbox.folders["sent"]
    with mailbox.client() as c:
        c.rename_folder(sent, sent + "-old")
        c.create_folder(sent)
    late = mm.message("alex@example.com", JANE, "Following up", at(11, 29), msgid="<late@a>")
    mailbox.append("sent", late, at(11, 29))  # UID 1 in the new folder
    env.run("push", today="2026-11-30", env=os_env)
    items = {i["uid"]: i for i in env.plan(today="2026-11-30")}
    assert items[f"followup-sync.{APP}.r1.nudge-1"]["sent_on"] == "2026-11-29"


def test_secrets_and_mail_text_stay_out_of_the_store_logs_and_output(env, mailbox, caplog):
    os_env = setup(env, mailbox)
    mailbox.append("inbox", reply(), at(11, 28))
    auto = mm.out_of_office(
        JANE, "alex@example.com", at(11, 27, 11), msgid="<o@a>", in_reply_to=NUDGE_1
    )
    mailbox.append("inbox", auto.replace(b"Re: Following up", b"Away: Following up"), at(11, 27))
    caplog.set_level(logging.DEBUG)
    runs = [
        env.run("push", today="2026-11-27", env=os_env),
        env.run("check", "--json", today="2026-11-30", env=os_env),
        env.run("push", "--json", today="2026-11-30", env=os_env),
    ]
    assert logging.getLogger("imapclient").getEffectiveLevel() == logging.WARNING
    shown = "".join(r.stdout + r.stderr for r in runs) + caplog.text
    assert PASSWORD not in shown
    assert "BODY-TEXT" not in shown and "limited access" not in shown  # bodies never read
    assert "Following up" not in caplog.text  # subjects never logged
    store = (env.data_dir / "followup-sync.sqlite3").read_bytes()
    wal = env.data_dir / "followup-sync.sqlite3-wal"
    store += wal.read_bytes() if wal.exists() else b""
    assert PASSWORD.encode() not in store and b"BODY-TEXT" not in store
    # The reply that stopped the series is kept (who, when, subject); the
    # auto-reply, which changed nothing, is not.
    assert b"Re: Following up" in store and b"Away: Following up" not in store
    conn = sqlite3.connect(env.data_dir / "followup-sync.sqlite3")
    try:
        state = " ".join(v for (v,) in conn.execute("SELECT value FROM provider_state"))
    finally:
        conn.close()
    assert JANE not in state and "Following up" not in state  # positions and hashes only


def test_only_the_drafts_folder_is_ever_opened_read_write(env, proxied):
    """A whole push (a reply, a sent follow-up, drafts written and removed): SELECT,
    STORE and EXPUNGE happen only in Drafts, and only as UID EXPUNGE (RFC 4315)."""
    box, proxy = proxied
    os_env = setup(env, box)
    env.run("push", today="2026-11-27", env=os_env)  # writes follow-up 1's draft
    box.append(
        "sent",
        mm.message("alex@example.com", JANE, "Hi", at(11, 27, 11), msgid="<s@a>"),
        at(11, 27),
    )
    box.append("inbox", reply(at(12, 1)), at(12, 1))
    env.run("push", today="2026-12-04", env=os_env)  # sent, then replied: the draft goes
    opened = None
    for line in proxy.lines:
        words = line.decode().split()
        command = " ".join(words[1:3]).upper()
        if words[1].upper() in ("SELECT", "EXAMINE"):
            opened = (words[1].upper(), " ".join(words[2:]).strip('"'))
        if command.startswith(("UID STORE", "UID EXPUNGE", "UID MOVE")) or words[1].upper() in (
            "STORE",
            "EXPUNGE",
        ):
            assert opened == ("SELECT", box.folders["drafts"]), (line, opened)
            assert words[1].upper() == "UID", line  # never a plain EXPUNGE or STORE
        if words[1].upper() == "SELECT":
            assert " ".join(words[2:]).strip('"') == box.folders["drafts"], line
    assert any(b"UID EXPUNGE" in line.upper() for line in proxy.lines)
    assert box.messages("drafts") == {}


def test_after_a_push_that_acted_a_check_with_nothing_new_is_status_only(env, proxied):
    """What a push changes (a follow-up marked sent, a reply) must not make the next
    check search again: one STATUS per watched folder, nothing else."""
    box, proxy = proxied
    os_env = setup(env, box)
    env.add_acme(company="Globex", interviewer="Hank Scorpio <hank@globex.example>")
    box.append(
        "sent",
        mm.message("alex@example.com", JANE, "Hi", at(11, 27, 11), msgid="<s@a>"),
        at(11, 27),
    )
    box.append(
        "inbox",
        mm.message("hank@globex.example", "alex@example.com", "Re", at(11, 28), msgid="<h@g>"),
        at(11, 28),
    )
    env.run("push", today="2026-11-30", env=os_env)
    assert env.json("list", today="2026-11-30")["applications"][1]["outcome"] == "replied"
    proxy.reset()
    env.run("check", today="2026-12-01", env=os_env)
    after = proxy.log[proxy.log.index("LOGIN") + 1 :]
    assert set(after) == {"STATUS", "LOGOUT"}, after
