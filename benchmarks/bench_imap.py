"""Mailbox benchmark on a local Dovecot (pymap without Dovecot): prints figures, asserts nothing.

200 applications and 5,000 messages (replies, auto-replies, follow-ups in Sent,
and a lot of unrelated mail). IMAP commands are counted on the wire by a proxy
(tests/support/imap_proxy.py), so the figures are what a server sees:

1. the first `check`: its time, and IMAP commands per application (every
   application is searched for at once, in OR-ed batches per folder, over one
   connection);
2. a `check` with nothing new after a push: IMAP commands after login (goal:
   one STATUS per watched folder);
3. `capture` from the same mailbox once the capture corpus's invitation emails
   (tests/corpus/capture, in the four shapes the tools send) are in the inbox:
   its time, IMAP commands, and that every interview round is found.

Run: .venv/bin/python benchmarks/bench_imap.py [--apps 200 --messages 5000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _inputs import USER, interviewer, write_applications  # noqa: E402
from _table import add_rows_option, emit  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from followup_sync.cli import cli  # noqa: E402
from tests.support import capture_corpus as cc  # noqa: E402
from tests.support import mail_messages as mm  # noqa: E402
from tests.support.imap_proxy import ImapProxy  # noqa: E402
from tests.support.imap_servers import (  # noqa: E402
    DOVECOT,
    PASSWORD,
    dovecot_mailbox,
    dovecot_root,
    pymap_mailbox,
    start_dovecot,
    start_pymap,
)

TODAY = "2026-11-30"
TZ = ZoneInfo("America/New_York")
PW_ENV = "BENCH_IMAP_PASSWORD"


def write_inputs(root: Path, box, apps: int) -> tuple[Path, Path]:
    apps_file = write_applications(root / "applications.toml", apps)
    config = root / "config.toml"
    config.write_text(USER + "\n" + box.toml("mail", password_env=PW_ENV, drafts=False))
    return apps_file, config


def seed(box, apps: int, total: int) -> dict[str, int]:
    """`total` messages: per application a few with a meaning, the rest unrelated."""
    inbox, sent = [], []
    start = datetime(2026, 11, 1, 8, tzinfo=TZ)
    for n in range(apps):
        when = datetime(2026, 11, 27, 10, tzinfo=TZ) + timedelta(minutes=n)
        if n % 5 == 0:  # a reply
            raw = mm.message(interviewer(n), "alex@example.com", "Re: hi", when, msgid=f"<r{n}@b>")
            inbox.append(raw)
        elif n % 5 == 1:  # an out-of-office
            raw = mm.exchange_automatic_reply(
                interviewer(n), "alex@example.com", when, msgid=f"<o{n}@b>"
            )
            inbox.append(raw)
        elif n % 5 == 2:  # a follow-up the user sent
            raw = mm.message(
                "alex@example.com", interviewer(n), "Following up", when, msgid=f"<s{n}@b>"
            )
            sent.append(raw)
    n = 0
    while len(inbox) + len(sent) < total:
        when = start + timedelta(minutes=7 * n)
        if n % 10 == 0:
            raw = mm.message(
                "alex@example.com", f"friend{n}@other.example", "Lunch?", when, msgid=f"<x{n}@b>"
            )
            sent.append(raw)
        else:
            raw = mm.message(
                f"News {n % 40} <news{n % 40}@shop{n % 40}.example>",
                "alex@example.com",
                f"Offer {n}",
                when,
                msgid=f"<x{n}@b>",
                headers={"List-Id": f"<list{n % 40}.example>"},
            )
            inbox.append(raw)
        n += 1
    with box.client() as c:
        for role, messages in (("inbox", inbox), ("sent", sent)):
            for i in range(0, len(messages), 250):
                c.multiappend(box.folders[role], messages[i : i + 250])
    return {"inbox": len(inbox), "sent": len(sent)}


def run_cli(root: Path, config: Path, *args: str):
    argv = ["--data-dir", str(root / "data"), "--config", str(config), "--today", TODAY, *args]
    result = CliRunner().invoke(cli, argv, env={PW_ENV: PASSWORD}, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"followup-sync {' '.join(args)} failed: {result.stderr}")
    return result


def add_invitations(box) -> set[tuple[str, str]]:
    """The capture corpus as invitation emails in the inbox; the (company, day) rounds expected."""
    with box.client() as c:
        for n, (case_id, e) in enumerate(sorted(cc.expected().items())):
            start = datetime.fromisoformat(e["start"]) if e.get("start") else None
            when = (start or datetime(2026, 10, 1, 9, tzinfo=TZ)) - timedelta(days=7)
            ics = (cc.ROOT / f"{case_id}.ics").read_bytes().decode()
            raw = mm.invitation(ics, mm.SHAPES[n % 4], "Invitation", "cal@x.example", when)
            c.append(box.folders["inbox"], raw, msg_time=when)
    return cc.expected_rounds()


def after_login(proxy: ImapProxy) -> list[str]:
    log = proxy.log
    return log[log.index("LOGIN") + 1 :] if "LOGIN" in log else log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5000)
    add_rows_option(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if DOVECOT:
            server_root = dovecot_root()
            server = start_dovecot(server_root)
            box, kind = dovecot_mailbox(server), "Dovecot"
        else:
            server_root = None
            server = start_pymap(root / "pymap")
            box, kind = pymap_mailbox(server), "pymap (Dovecot not installed)"
        proxy = ImapProxy(box.port)
        try:
            counts = seed(box, args.apps, args.messages)
            box.port = proxy.port
            apps_file, config = write_inputs(root, box, args.apps)
            run_cli(root, config, "import", str(apps_file))

            proxy.reset()
            start = time.perf_counter()
            first = run_cli(root, config, "check", "--json").stdout
            first_time = time.perf_counter() - start
            first_commands = len(after_login(proxy)) - 1  # without LOGOUT
            first_log = dict(proxy.counts)
            facts = first.count('"kind"')

            run_cli(root, config, "push")
            proxy.reset()
            run_cli(root, config, "check")
            noop = after_login(proxy)

            expected_rounds = add_invitations(box)
            config.write_text(
                config.read_text()
                + cc.CAPTURE_CONFIG  # the corpus user's other address and employer
                + '\n[capture.sources.inbox]\nprovider = "mail"\n'
            )
            proxy.reset()
            start = time.perf_counter()
            captured = json.loads(run_cli(root, config, "capture", "--json").stdout)
            capture_time = time.perf_counter() - start
            capture_commands = after_login(proxy)[:-1]
            found = cc.got_rounds(captured)
        finally:
            proxy.close()
            server.stop()
            if server_root is not None:
                shutil.rmtree(server_root, ignore_errors=True)

    folders = noop.count("STATUS")
    others = [c for c in noop if c not in ("STATUS", "LOGOUT")]
    print(f"server: {kind}; messages: {counts} ({args.apps} applications)")
    print(f"first check: {first_time:.2f} s, {facts} facts, commands {first_log}")
    print(f"no-op check after login: {noop}")
    inbox = counts["inbox"] + len(list(cc.ROOT.glob("*.ics")))
    print(
        f"capture from the inbox ({inbox:,} messages): {capture_time:.2f} s,"
        f" {len(found & expected_rounds)} of {len(expected_rounds)} interview rounds"
        f" ({len(found - expected_rounds)} not interviews), commands {capture_commands}"
    )
    rows = args.rows
    n = args.apps
    emit(
        rows,
        "imap",
        f"first check, {n} applications / {args.messages:,} messages",
        f"{first_time:.2f} s",
    )
    emit(
        rows,
        "imap",
        "first check: IMAP commands (per application)",
        f"{first_commands} ({first_commands / n:.2f})",
        "< 1/app",
    )
    emit(
        rows,
        "imap",
        f"no-op check: commands after login ({folders} folders)",
        f"{folders} STATUS" + (f" + {len(others)}" if others else ""),
        "1/folder",
    )
    emit(
        rows,
        "imap",
        f"capture from the inbox ({inbox:,} messages, {len(expected_rounds)} interview rounds)",
        f"{capture_time:.2f} s, {len(capture_commands)} commands,"
        f" {len(found & expected_rounds)}/{len(expected_rounds)} found,"
        f" {len(found - expected_rounds)} wrong",
    )


if __name__ == "__main__":
    main()
