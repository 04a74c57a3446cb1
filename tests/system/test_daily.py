"""The daily tool: today, show, readable lists, colour, completion, config path,
and the forgiving spreadsheet import, through the CLI as a person uses it."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def add(env, company="Acme", role="Backend Engineer", date="2026-11-20 14:00", **kw):
    args = ["add", company, "--role", role, "--date", date]
    for key, value in kw.items():
        args += [f"--{key.replace('_', '-')}", value]
    return env.run(*args).stdout.strip()


# --- today ---------------------------------------------------------------------------------
def test_today_lists_what_is_due_and_overdue_with_the_command_to_run(env):
    add(env, interviewer="Jane Doe <jane@acme.example>")  # nudge 1 due Fri 11-27
    add(env, "Globex", "Data Analyst", "2026-11-10 10:00")  # nudge 1 due Tue 11-17
    out = env.run("today", today="2026-11-27").stdout
    assert out.splitlines()[0] == "Fri 2026-11-27: 3 to do (2 overdue)"
    blocks = out.split("\n\n")[1:]
    assert "10 days overdue" in blocks[0] and "Globex (Data Analyst): follow-up 1" in blocks[0]
    assert "followup-sync draft globex\n" in blocks[0] + "\n"
    assert "then followup-sync sent globex" in blocks[0]
    assert "followup-sync draft globex --attempt 2" in blocks[1]
    assert (
        blocks[2].lstrip().startswith("today")
        and "Acme (Backend Engineer): follow-up 1" in blocks[2]
    )
    assert env.run("due", today="2026-11-27").stdout == out  # the alias
    data = env.json("today", today="2026-11-27")
    assert [(i["application"], i["attempt"], i["status"]) for i in data["items"]] == [
        ("globex-data-analyst", 1, "overdue"),
        ("globex-data-analyst", 2, "overdue"),
        ("acme-backend-engineer", 1, "planned"),
    ]
    assert data["items"][0]["do"] == "followup-sync draft globex"
    assert data["items"][0]["then"] == "followup-sync sent globex"


def test_today_with_nothing_to_do_says_so_and_what_is_next(env):
    assert "nothing planned" in env.run("today").stdout
    add(env)
    out = env.run("today", today="2026-11-21").stdout
    assert out.strip() == "Nothing to do today. Next: Acme, follow-up 1 on Fri 2026-11-27."
    assert env.json("today", today="2026-11-21")["items"] == []


def test_due_thank_you_and_move_on_get_their_own_actions(env):
    env.write_config("[rules]\nthank_you = true\n")
    add(env, date="2026-11-20 10:00")
    out = env.run("today", today="2026-11-20").stdout
    assert "thank-you note" in out and "followup-sync draft acme --thank-you" in out
    assert "then followup-sync sent acme --thank-you" in out
    env.run("sent", "acme", "--thank-you", "--on", "2026-11-20", today="2026-11-20")
    out = env.run("today", today="2026-12-18").stdout
    assert "time to move on" in out and "followup-sync close acme" in out


# --- show ----------------------------------------------------------------------------------
def test_show_has_everything_including_the_notes_typed_with_add(env):
    add(env, interviewer="Jane Doe <jane@acme.example>", reply_by="2026-11-25",
        stage="onsite", notes="Ask about the on-call rota", skills="Python")  # fmt: skip
    out = env.run("show", "acme").stdout
    assert out.startswith("Acme, Backend Engineer  (acme-backend-engineer)\n")
    for text in (
        "status:          waiting",
        "skills:          Python",
        "Round 1: Fri 2026-11-20 14:00 EST, onsite",
        "interviewer:     Jane Doe <jane@acme.example>",
        "reply by:        Wed 2026-11-25",
        "notes:           Ask about the on-call rota",
        "planned    Fri 2026-11-27 09:30  r1 follow-up 1",
        "r1 time to move on",
    ):
        assert text in out, text
    data = env.json("show", "acme")
    assert data["rounds"][0]["notes"] == "Ask about the on-call rota"
    assert data["rounds"][0]["interviewers"] == ["Jane Doe <jane@acme.example>"]
    assert [i["uid"].rsplit(".", 1)[1] for i in data["items"]] == [
        "nudge-1", "nudge-2", "nudge-3", "move-on",
    ]  # fmt: skip


# --- list and plan -------------------------------------------------------------------------------
def test_list_shows_company_and_role_within_80_columns_and_filters(env):
    add(env, "Acme Robotics International Holdings", "Senior Staff Platform Reliability Engineer")
    add(env, "Globex", "Data Analyst", "2026-11-10 10:00")
    add(env, "Initech", "Designer")
    env.run("close", "initech")
    env.run("heard", "globex", "--outcome", "rejected")
    out = env.run("list").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "COMPANY", "ROLE", "STATUS", "NEXT"]
    assert max(len(line) for line in lines) <= 80
    assert "Acme Robotics" in out and "Senior Staff" in out and "…" in out
    assert "Initech" not in out and lines[-1] == "(1 closed not shown: --all)"
    assert "Initech" in env.run("list", "--all").stdout
    heard = env.json("list", "--status", "heard")["applications"]
    assert [a["id"] for a in heard] == ["globex-data-analyst"]
    assert len(env.json("list", "--all")["applications"]) == 3


def test_plan_is_sorted_by_date_hides_withdrawn_history_and_no_uids(env):
    add(env)  # Acme: 11-27, 12-04, 12-11, 12-18
    add(env, "Globex", "Data Analyst", "2026-11-23 10:00")  # 11-30, 12-07, 12-14, 12-21
    add(env, "Acme", "Backend Engineer", "2026-12-01 10:00")  # round 2 withdraws round 1
    out = env.run("plan").stdout
    assert "followup-sync." not in out  # UIDs only in --json
    dues = [line[:20] for line in out.splitlines()[1:]]
    assert dues == sorted(dues, key=lambda d: d[4:])
    assert "withdrawn" not in out and "withdrawn" in env.run("plan", "--all").stdout
    by_app = [line.split()[4] for line in env.run("plan", "--by", "app").stdout.splitlines()[1:]]
    assert by_app == ["Acme"] * 4 + ["Globex"] * 4
    data = env.json("plan")
    assert len(data["items"]) == 12 and all(i["uid"] for i in data["items"])


# --- colour ----------------------------------------------------------------------------------
def run_in_terminal(env, *args, os_env=None, today="2026-11-26") -> str:
    """Run the CLI in a pseudo-terminal (stdout and stderr are a terminal); return all output."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        env.argv(*args, today=today),
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "COLUMNS": "80", **(os_env or {})},
        close_fds=True,
    )
    os.close(secondary)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.2)
        if ready:
            try:
                data = os.read(primary, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(10)
    os.close(primary)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_at_a_terminal_only_and_never_with_no_color(env):
    add(env, "Globex", "Data Analyst", "2026-11-10 10:00")  # overdue on the 26th
    add(env)  # due on the 27th
    coloured = run_in_terminal(env, "list")
    assert "\x1b[31m" in coloured  # overdue in red
    assert "\x1b[1m" in coloured  # bold header
    assert "\x1b[33m" in run_in_terminal(env, "today", today="2026-11-27")  # due today
    assert ANSI.search(run_in_terminal(env, "list", os_env={"NO_COLOR": "1"})) is None
    assert ANSI.search(run_in_terminal(env, "--no-color", "list")) is None
    piped = subprocess.run(env.argv("list"), capture_output=True, text=True).stdout
    assert ANSI.search(piped) is None and "Globex" in piped
    assert ANSI.search(run_in_terminal(env, "list", "--json")) is None


def test_a_long_push_shows_a_live_counter_that_ends_before_the_summary(env):
    for n in range(5):
        add(env, f"Company{n}", "Dev")
    out = run_in_terminal(env, "push")
    assert "\r  10 changes..." in out and "\r  20 changes..." in out
    # The counter line is cleared before the summary is printed on it.
    assert re.search(r"20 changes\.\.\.\r\x1b\[K[^\r\n]*calendar_file \(ICS file ", out), out


# --- completion, config path, version ----------------------------------------------------------------
def complete(env, words: str) -> list[str]:
    argv = [sys.executable, "-m", "followup_sync"]
    os_env = {
        **os.environ,
        "_FOLLOWUP_SYNC_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    out = subprocess.run(argv, capture_output=True, text=True, env=os_env)
    assert out.returncode == 0, out.stderr
    return [line.split(",", 1)[1] for line in out.stdout.splitlines() if line]


def test_shell_completion_of_commands_options_and_application_ids(env):
    add(env)
    add(env, "Globex", "Data Analyst")
    assert "today" in complete(env, "followup-sync to")
    assert "--attempt" in complete(env, "followup-sync draft --at")
    data = f"followup-sync --data-dir {env.data_dir} draft "
    assert complete(env, data + "ac") == ["acme-backend-engineer"]
    assert sorted(complete(env, data)) == ["acme-backend-engineer", "globex-data-analyst"]
    # No store there: nothing to complete, and no error either.
    assert complete(env, f"followup-sync --data-dir {env.root / 'none'} draft a") == []


def test_config_path_says_what_is_used(env):
    (env.root / "templates").mkdir()
    (env.root / "templates" / "nudge-1.txt").write_text("Subject: x\n\nHi\n")
    out = env.run("config", "path").stdout
    assert f"config:     {env.config} (in use" in out
    assert f"store:      {env.data_dir / 'followup-sync.sqlite3'}" in out
    assert "1 of yours: nudge-1.txt" in out
    data = env.json("config", "path")
    assert data["config_exists"] is True and data["template_overrides"] == ["nudge-1.txt"]
    assert env.run("--version").stdout.startswith("followup-sync, version ")


# --- forgiving import ------------------------------------------------------------------------------
def test_a_spreadsheet_as_people_have_it(env):
    path = env.root / "jobs.csv"
    path.write_text(
        "Employer;Job Title;Interview Date;Contact;E-mail;Salary;Link\n"
        "Acme;Backend Engineer;11/20/2026;Jane Doe;jane@acme.example;120k;https://x\n"
        "Globex;Data Analyst;20.11.2026 14:30;;;;\n"
        "Initech;Designer;Nov 19, 2026 2:00 PM;Raj Patel;raj@initech.example;;\n",
        encoding="utf-8",
    )
    r = env.run("import", str(path))
    assert r.stderr.strip() == "Note: ignored columns 'Salary', 'Link'"
    assert "3 new applications" in r.stdout
    listed = {a["id"]: a["last_interview"] for a in env.json("list")["applications"]}
    assert listed == {
        "acme-backend-engineer": "2026-11-20T09:00:00-05:00",  # no time: add's default
        "globex-data-analyst": "2026-11-20T14:30:00-05:00",
        "initech-designer": "2026-11-19T14:00:00-05:00",
    }
    assert "Dear Jane," in env.run("draft", "acme").stdout
    assert "Dear Raj," in env.run("draft", "initech").stdout


def test_tsv_and_an_ambiguous_day_month_order(env):
    path = env.root / "jobs.tsv"
    path.write_text("company\trole\tdate\nAcme\tDev\t03/04/2027\n", encoding="utf-8")
    r = env.run("import", str(path), expect=1)
    assert "jobs.tsv row 2: column date: '03/04/2027' could be March 4 or April 3" in r.stderr
    assert "--dayfirst" in r.stderr and env.json("list")["applications"] == []
    dry = env.run("import", str(path), "--dayfirst", "--dry-run")
    assert "new application  Acme, Dev: round 1, Sat 2027-04-03 09:00" in dry.stdout
    assert "Dry run, nothing imported" in dry.stdout and env.json("list")["applications"] == []
    env.write_config("[import]\ndayfirst = false\n")
    env.run("import", str(path))
    assert env.json("list")["applications"][0]["last_interview"].startswith("2027-03-04")


def test_import_errors_name_the_row_and_column(env):
    path = env.root / "jobs.csv"
    path.write_text("Company,Role,Date,Reply by\nAcme,Dev,2026-11-20,someday\n")
    r = env.run("import", str(path), expect=1)
    assert r.stderr.startswith("Error: jobs.csv row 2: column reply_by:")
    path.write_text("Company,Employer,Role,Date\nA,B,Dev,2026-11-20\n")
    r = env.run("import", str(path), expect=1)
    assert "columns 'Company' and 'Employer' both mean company" in r.stderr


@pytest.mark.parametrize("pipe_cmd", [["plan"], ["list"]])
def test_a_closed_pipe_is_not_an_error(env, pipe_cmd):
    for n in range(30):
        add(env, f"Company{n}", "Dev")
    proc = subprocess.Popen(env.argv(*pipe_cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    assert proc.wait(30) == 0
    assert proc.stderr.read() == b""
    assert json.loads(env.run("list", "--json").stdout)["applications"]
