"""The CLI on real files: commands, JSON shapes, and clear one-line errors."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import click
import pytest

from followup_sync.cli import cli


def test_add_prints_readable_id_and_plan_follows_the_seed(env):
    app_id = env.add_acme()
    assert app_id == "acme-backend-engineer"
    items = env.plan()
    assert [(i["kind"], i["attempt"]) for i in items] == [
        ("nudge", 1),
        ("nudge", 2),
        ("nudge", 3),
        ("move_on", None),
    ]
    # Interview Fri 2026-11-20: a week later, then weekly, then move on a week after.
    assert [i["due"] for i in items] == [
        "2026-11-27T09:30:00-05:00",
        "2026-12-04T09:30:00-05:00",
        "2026-12-11T09:30:00-05:00",
        "2026-12-18T09:30:00-05:00",
    ]
    assert {i["status"] for i in items} == {"planned"}
    assert items[0]["channel"] == "email"
    assert all(i["uid"].startswith("followup-sync.acme-backend-engineer.r1.") for i in items)


def test_reply_by_date_moves_first_nudge_two_days_after_it(env):
    env.add_acme(reply_by="2026-12-01")
    first = env.plan()[0]
    assert first["due"] == "2026-12-03T09:30:00-05:00"


def test_plan_json_shape_is_the_documented_contract(env):
    env.add_acme()
    data = env.json("plan")
    assert set(data) == {"today", "timezone", "items", "replies"}
    assert data["replies"] == []  # replies found in the mailbox (docs/mail.md)
    assert data["timezone"] == "America/New_York"
    assert set(data["items"][0]) == {
        "application",
        "company",
        "role",
        "round",
        "kind",
        "attempt",
        "channel",
        "due",
        "uid",
        "status",
        "sent_on",
    }


def test_any_unique_prefix_resolves(env):
    env.add_acme()
    env.add_acme(company="Acorn", role="Data Engineer")
    assert env.json("plan", "acm")["items"][0]["application"] == "acme-backend-engineer"
    r = env.run("plan", "ac", expect=1)
    assert "matches several applications" in r.stderr
    r = env.run("plan", "zzz", expect=1)
    assert r.stderr.count("\n") == 1 and "no application matches" in r.stderr


def test_overdue_then_sent_replans_the_rest_with_same_uids(env):
    env.add_acme()
    before = env.plan(today="2026-11-30")
    assert before[0]["status"] == "overdue"
    env.run("sent", "acme", "--on", "2026-11-30", today="2026-11-30")
    after = env.plan(today="2026-11-30")
    assert [i["uid"] for i in after] == [i["uid"] for i in before]
    assert after[0]["status"] == "sent" and after[0]["sent_on"] == "2026-11-30"
    assert after[1]["due"] == "2026-12-07T09:30:00-05:00"  # a week after the actual send
    assert after[3]["due"] == "2026-12-21T09:30:00-05:00"


def test_heard_withdraws_pending_items(env):
    env.add_acme()
    env.run("sent", "acme", "--on", "2026-11-25")
    env.run("heard", "acme", "--outcome", "next-round")
    statuses = [i["status"] for i in env.plan()]
    assert statuses == ["sent", "withdrawn", "withdrawn", "withdrawn"]
    listed = env.json("list")["applications"][0]
    assert (
        listed["status"] == "heard" and listed["outcome"] == "next-round" and listed["next"] is None
    )


def test_new_round_restarts_the_series_and_withdraws_the_old_round(env):
    env.add_acme()
    out = env.run("add", "Acme", "--role", "backend engineer", "--date", "2026-12-02 10:00")
    assert out.stdout.strip() == "acme-backend-engineer"
    items = env.plan()
    old = [i for i in items if i["round"] == 1]
    new = [i for i in items if i["round"] == 2]
    assert {i["status"] for i in old} == {"withdrawn"}
    assert new[0]["due"] == "2026-12-09T09:30:00-05:00"
    assert {i["status"] for i in new} == {"planned"}


def test_close_and_reopen(env):
    env.add_acme()
    env.run("close", "acme")
    assert {i["status"] for i in env.plan()} == {"withdrawn"}
    env.run("reopen", "acme")
    assert {i["status"] for i in env.plan()} == {"planned"}


def test_edit_keeps_id_and_uids(env):
    env.add_acme()
    uids = [i["uid"] for i in env.plan()]
    env.run("edit", "acme", "--company", "Acme Corp", "--reply-by", "2026-12-01")
    items = env.plan()
    assert [i["uid"] for i in items] == uids
    assert items[0]["company"] == "Acme Corp"
    assert items[0]["due"] == "2026-12-03T09:30:00-05:00"
    env.run("edit", "acme", "--reply-by", "none")
    assert env.plan()[0]["due"] == "2026-11-27T09:30:00-05:00"
    r = env.run("edit", "acme", expect=1)
    assert "nothing to change" in r.stderr


def test_remove(env):
    env.add_acme()
    env.run("remove", "acme", "--yes")
    assert env.json("list")["applications"] == []


def test_words_for_dates(env):
    env.run("add", "Initech", "--role", "SRE", "--date", "yesterday", "--reply-by", "next friday")
    items = env.plan()
    # today is Thu 2026-11-26 -> yesterday Wed 25th; reply-by Fri 27th -> +2 days = Sun -> Mon.
    assert items[0]["due"] == "2026-11-30T09:30:00-05:00"


@pytest.mark.parametrize(
    "args, needle",
    [
        (["add", "Acme", "--role", "X", "--date", "not a date"], "could not understand date"),
        (["add", "Acme", "--role", "X", "--date", "31/02/2026"], "could not understand date"),
        (["add", "Acme", "--role", "X", "--date", "9999-12-31"], "out of range"),
        (["add", "Acme", "--role", " ", "--date", "2026-11-20"], "role is empty"),
        (
            ["add", "Acme", "--role", "X", "--date", "2026-11-20", "--reply-by", "2026-11-01"],
            "before the interview",
        ),
        (["sent", "nope"], "no application matches"),
        (["draft", "nope"], "no application matches"),
        (["import", "missing.csv"], "no such file"),
        (["push", "--provider", "nothere"], "no provider 'nothere'"),
    ],
)
def test_bad_input_is_one_clear_line_and_nonzero(env, args, needle):
    r = env.run(*args, expect=None)
    assert r.exit_code != 0
    assert needle in r.stderr
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr + r.stdout


def test_unknown_time_zone_and_config_keys_are_named(env):
    env.write_config(base='[user]\ntimezone = "Mars/Olympus"\n')
    r = env.run("list", expect=3)
    assert "unknown time zone 'Mars/Olympus'" in r.stderr
    env.write_config(base="[rules]\nrepeat_dayz = 3\n[colour]\nx = 1\n")
    r = env.run("list", expect=3)
    assert "colour" in r.stderr
    env.write_config(base="[rules]\nrepeat_dayz = 3\n")
    r = env.run("list", expect=3)
    assert "unknown key in [rules]: repeat_dayz" in r.stderr
    env.write_config(base="[rules\n")
    r = env.run("list", expect=3)
    assert r.stderr.count("\n") == 1


def test_rules_are_configurable(env):
    env.write_config(
        '[rules]\nfirst_nudge_days = 10\nrepeat_days = 5\nmax_nudges = 2\nsend_time = "08:15"\n'
    )
    env.add_acme()
    items = env.plan()
    assert [i["kind"] for i in items] == ["nudge", "nudge", "move_on"]
    assert items[0]["due"] == "2026-11-30T08:15:00-05:00"  # Nov 20 + 10 = Nov 30 (Mon)
    assert items[1]["due"] == "2026-12-07T08:15:00-05:00"  # +5 = Sat Dec 5 -> Mon Dec 7


def test_holidays_are_skipped(env):
    env.write_config('[rules]\nholidays = "US"\n')
    env.run("add", "Acme", "--role", "X", "--date", "2026-11-19 10:00")
    # Nov 19 + 7 = Thanksgiving (Thu Nov 26): moved to Friday.
    assert env.plan()[0]["due"].startswith("2026-11-27")


def test_draft_formats(env):
    env.add_acme()
    text = env.run("draft", "acme").stdout
    assert text.startswith("Subject: ")
    assert "Dear Jane," in text and "Alex Rivera" in text
    mailto = env.run("draft", "acme", "--format", "mailto").stdout.strip()
    parts = urlsplit(mailto)
    assert parts.scheme == "mailto" and parts.path == "jane@acme.example"
    assert "Acme" in parse_qs(parts.query)["subject"][0]
    eml_path = env.root / "d.eml"
    env.run("draft", "acme", "--attempt", "2", "--format", "eml", "-o", str(eml_path))
    msg = email.message_from_bytes(eml_path.read_bytes(), policy=email.policy.default)
    assert msg["X-Unsent"] == "1"
    assert msg["To"].addresses[0].addr_spec == "jane@acme.example"
    r = env.run("draft", "acme", "--attempt", "7", expect=1)
    assert "between 1 and 3" in r.stderr


EXAMPLES = ["applications.toml", "applications.json", "applications.csv"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_import_examples_is_idempotent(env, name):
    from tests.conftest import ROOT

    path = ROOT / "examples" / name
    first = env.run("import", str(path)).stdout
    assert "new applications" in first
    plan1 = env.plan()
    assert plan1
    second = env.run("import", str(path)).stdout
    assert " 0 new applications, 0 new rounds" in second
    assert env.plan() == plan1


def test_examples_agree_with_each_other(tmp_path):
    from tests.conftest import ROOT, Env

    plans = []
    for n, name in enumerate(EXAMPLES):
        e = Env(tmp_path / str(n))
        e.root.mkdir()
        e.write_config()
        e.run("import", str(ROOT / "examples" / name))
        plans.append([(i["application"], i["due"], i["status"]) for i in e.plan()])
    assert plans[0] == plans[1] == plans[2]


@pytest.mark.parametrize(
    "name, content, needle",
    [
        ("a.csv", "company,role,date\nAcme,,2026-11-20\n", "row 2: missing role"),
        # An unknown spreadsheet column is ignored with a note (test_daily.py); two
        # columns that mean the same field cannot be.
        ("a.csv", "company,employer,role,date\nAcme,A,X,2026-11-20\n", "both mean company"),
        ("a.csv", "company,role,date\nAcme,X,2026-11-20,extra\n", "more fields than the header"),
        ("a.csv", "company,role,date\nAcme,X,someday maybe\n", "could not understand date"),
        ("a.toml", "[[application]]\ncompany = 'Acme'\n", "missing role"),
        ("a.toml", "[[application]\n", "malformed TOML"),
        ("a.json", '[{"company": "Acme"', "malformed JSON"),
        ("a.json", '{"x": 1}', "expected a list"),
        ("a.json", "[1, 2]", "expected a table/object"),
        ("a.txt", "hello", "unknown format"),
    ],
)
def test_malformed_import_rows_fail_whole_and_lose_nothing(env, name, content, needle):
    env.add_acme()
    before = env.plan()
    path = env.root / name
    path.write_text(content, encoding="utf-8")
    r = env.run("import", str(path), expect=1)
    assert needle in r.stderr and r.stderr.count("\n") == 1
    assert env.plan() == before


def test_import_csv_with_a_bad_row_writes_no_row(env):
    path = env.root / "a.csv"
    path.write_text("company,role,date\nGood,X,2026-11-20\nBad,Y,nonsense\n", encoding="utf-8")
    env.run("import", str(path), expect=1)
    assert env.json("list")["applications"] == []


def test_init_writes_a_config_that_loads(env):
    env.config.unlink()
    env.run("init", "--name", "Alex", "--email", "a@example.com", "--timezone", "Europe/Berlin")
    text = env.config.read_text()
    assert 'timezone = "Europe/Berlin"' in text and "[rules]" in text
    env.run("list")
    r = env.run("init", expect=1)
    assert "exists" in r.stderr


def test_every_command_has_help_with_an_example():
    def walk(group, prefix):
        for name, cmd in group.commands.items():
            yield f"{prefix} {name}".strip(), cmd
            if isinstance(cmd, click.Group):
                yield from walk(cmd, f"{prefix} {name}")

    for name, cmd in walk(cli, ""):
        assert cmd.help, name
        if not isinstance(cmd, click.Group):
            assert "Example" in cmd.help, f"{name} has no example in its help"


def test_startup_does_not_import_heavy_modules(env):
    env.add_acme()
    code = (
        "import sys\n"
        "from followup_sync.cli import cli\n"
        "args = sys.argv[1:]\n"
        "try:\n"
        "    cli.main(args, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('caldav', 'todoist_api_python', 'icalendar', 'httpx', 'niquests',"
        " 'dateparser', 'waitress', 'boto3', 'botocore', 'http.client', 'imapclient', 'ssl',"
        " 'email', 'followup_sync_imap', 'followup_sync.mail.match') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    base = ["--data-dir", str(env.data_dir), "--config", str(env.config)]
    for args in (["--help"], [*base, "list"], [*base, "plan"], [*base, "plan", "--json"]):
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip().splitlines()[-1] == "HEAVY=", (args, out.stdout[-300:])


def test_today_defaults_to_the_users_zone(env):
    """Kiritimati (UTC+14) and Pago Pago (UTC-11) are always on different days."""
    from zoneinfo import ZoneInfo

    seen = {}
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        env.write_config(f'[user]\nname = "Alex"\ntimezone = "{zone}"\n', base="")
        before = datetime.now(ZoneInfo(zone)).date()
        today = date.fromisoformat(env.json("list", today=None)["today"])
        after = datetime.now(ZoneInfo(zone)).date()
        assert today in (before, after), zone
        seen[zone] = today
    assert seen["Pacific/Kiritimati"] > seen["Pacific/Pago_Pago"]


def test_an_explicit_zone_in_a_typed_date_is_honoured(env):
    env.run("add", "Acme", "--role", "X", "--date", "2026-11-20 14:00 PST")
    assert env.json("list")["applications"][0]["last_interview"] == "2026-11-20T17:00:00-05:00"
