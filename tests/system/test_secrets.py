"""Secrets never leak: every command, with a sentinel CalDAV password and Todoist token.

A real Radicale (started with the fixtures' helper, its htpasswd holding the
sentinel password) and the fake Todoist server (whose token is the sentinel) are
configured through every way a secret can be given: `password_env`, an inline
`password`, `token_env` and `token_cmd`. Every command runs, pushes succeed and
fail (wrong password, server down, bad token, a failing *_cmd that prints the
secret), and the sentinels must appear in no stdout/stderr, no `--json` output, no
file under the data dir (store, -wal, backups, ICS, feed token...), no exported or
drafted file, and nothing the servers stored or logged (the Authorization header
is the only place a server may see them).

Files holding personal data or the feed token are created 0600 whatever the umask.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from followup_sync import redaction
from followup_sync.cli import cli
from tests.conftest import BASE_CONFIG, ROOT, Env
from tests.support import caldav_servers, fake_todoist

pytestmark = [pytest.mark.network]

DAV_PW = "S3ntinel-DAV-pw-7f3a9c"
TODO_TOKEN = "S3ntinel-todoist-token-1b8e4d"
WRONG_PW = "S3ntinel-WRONG-pw-55aa01"
BAD_TOKEN = "S3ntinel-BAD-token-99cc02"
SENTINELS = (DAV_PW, TODO_TOKEN, WRONG_PW, BAD_TOKEN)
PW_ENV = "FOLLOWUP_TEST_SECRET_DAV_PW"
TOKEN_ENV = "FOLLOWUP_TEST_SECRET_TODOIST_TOKEN"


# --- servers ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    """A Radicale of our own whose only account has the sentinel password."""
    server = caldav_servers.start_radicale(tmp_path_factory.mktemp("radicale-secrets"))
    try:
        # Radicale re-reads htpasswd on every login (no cache configured).
        (server.storage / "htpasswd").write_text(f"{server.username}:{DAV_PW}\n")
        server.password = DAV_PW
        yield server
    finally:
        server.stop()


@pytest.fixture
def todoist():
    server = fake_todoist.FakeTodoistServer(fake_todoist.FakeTodoist(token=TODO_TOKEN)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# --- running commands and looking for the sentinels ----------------------------------------------
class Runner:
    """Runs the CLI like separate processes would, and keeps everything it printed."""

    def __init__(self, env: Env, os_env: dict[str, str]):
        self.env, self.os_env = env, {**os_env, "FOLLOWUP_SYNC_NO_KEYRING": "1"}
        self.outputs: list[tuple[tuple[str, ...], str]] = []

    def __call__(self, *args: str, expect: int | None = 0, config: Path | None = None):
        # Each real command is a fresh process: forget secrets learnt by earlier ones, so
        # a leak before resolution is not hidden by redaction from a previous command.
        redaction._KNOWN.clear()
        argv = ["--data-dir", str(self.env.data_dir), "--config", str(config or self.env.config)]
        argv += ["--today", "2026-11-26", *args]
        r = CliRunner().invoke(cli, argv, env=self.os_env, catch_exceptions=False)
        self.outputs.append((args, r.stdout + "\n" + r.stderr))
        if expect is not None:
            assert r.exit_code == expect, (args, r.exit_code, r.stdout, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr and r.exit_code != 70, r.stderr
        if r.exit_code != 0:
            assert r.stderr.count("Error: ") >= 1
        return r

    def assert_no_sentinel_printed(self) -> None:
        for args, out in self.outputs:
            for s in SENTINELS:
                assert s not in out, f"{s} printed by {args}: {out!r}"


def files_under(*roots: Path, skip: tuple[str, ...] = ()) -> list[Path]:
    out = []
    for root in roots:
        if root.is_file():
            out.append(root)
            continue
        for p in root.rglob("*"):
            if p.is_file() and p.name not in skip:
                out.append(p)
    return out


def assert_not_in_files(paths: list[Path]) -> None:
    assert paths
    for p in paths:
        data = p.read_bytes()
        for s in SENTINELS:
            assert s.encode() not in data, f"{s} found in {p}"
            # nor base64-encoded into an attachment
            assert base64.b64encode(s.encode())[:16] not in data, f"{s} (base64) in {p}"


def assert_not_in_fake_todoist(fake) -> None:
    stored = json.dumps(
        {
            "projects": fake.projects,
            "sections": fake.sections,
            "labels": fake.labels,
            "tasks": fake.tasks,
            "comments": fake.comments,
            "log": [(r.method, r.path, r.query, r.request_id) for r in fake.log],
        },
        default=str,
    )
    blobs = [stored.encode(), *fake.files.values(), *fake.files.keys()]
    for s in SENTINELS:
        for blob in blobs:
            assert (s.encode() if isinstance(blob, bytes) else s) not in blob


def write_config(env: Env, *tables: str) -> None:
    env.write_config("\n".join(tables))


def dav_table(server, *, how: str, url: str | None = None, name: str = "dav") -> str:
    lines = [
        f"[providers.{name}]",
        'type = "caldav"',
        f'url = "{url or server.url}"',
        f'calendar = "{server.new_calendar_name("Secrets")}"',
        "create = true",
        'features = "radicale"',
        f'username = "{server.username}"',
        "timeout = 5",
    ]
    if how == "env":
        lines.append(f'password_env = "{PW_ENV}"')
    elif how == "inline":
        lines.append(f'password = "{DAV_PW}"')
    elif how == "url":  # not a documented way, but users do it: still never stored or shown
        lines[2] = (
            f'url = "{(url or server.url).replace("://", f"://{server.username}:{DAV_PW}@")}"'
        )
    elif how == "cmd":
        lines.append(f'password_cmd = "{sys.executable} {_SCRIPT[0]} {PW_ENV}"')
    return "\n".join(lines) + "\n"


def todo_table(server, *, how: str, name: str = "todo", api_url: str | None = None) -> str:
    lines = [
        f"[providers.{name}]",
        'type = "todoist"',
        f'api_url = "{api_url or server.api_url}"',
        "max_wait = 2",
        "timeout = 5",
    ]
    if how == "env":
        lines.append(f'token_env = "{TOKEN_ENV}"')
    else:
        lines.append(f'token_cmd = "{sys.executable} {_SCRIPT[0]} {TOKEN_ENV}"')
    return "\n".join(lines) + "\n"


_SCRIPT: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def print_secret_script(tmp_path_factory):
    """token_cmd/password_cmd: a script that prints the variable it is told to (no secret in argv)."""
    path = tmp_path_factory.mktemp("cmd") / "print_secret.py"
    path.write_text(
        "import os, sys\n"
        "value = os.environ.get(sys.argv[1], '')\n"
        "print(value)\n"
        "print('also on stderr: ' + value, file=sys.stderr)\n"
        "sys.exit(int(os.environ.get('FOLLOWUP_TEST_SECRET_CMD_EXIT', '0')))\n"
    )
    _SCRIPT[:] = [path]
    yield path


# --- every command, secrets configured both ways ----------------------------------------------
@pytest.mark.parametrize(
    "dav_how, todo_how", [("env", "env"), ("inline", "cmd"), ("cmd", "env"), ("url", "env")]
)
def test_every_command_keeps_the_secrets(env, radicale, todoist, umask_022, dav_how, todo_how):
    write_config(env, dav_table(radicale, how=dav_how), todo_table(todoist, how=todo_how))
    run = Runner(env, {PW_ENV: DAV_PW, TOKEN_ENV: TODO_TOKEN})
    init_cfg = env.root / "init.toml"
    run("init", "--name", "Alex", "--email", "a@example.com", "--timezone", "UTC", config=init_cfg)
    run(
        "add",
        "Hooli",
        "--role",
        "Engineer",
        "--date",
        "2026-11-20 14:00",
        "--interviewer",
        "Jane Doe <jane@hooli.example>",
    )
    run("import", str(ROOT / "examples" / "applications.toml"))
    for args in (["list"], ["list", "--json"], ["plan"], ["plan", "--json"], ["providers"]):
        run(*args)
    run("providers", "--json")
    for fmt in ("text", "mailto", "eml"):
        run("draft", "acme", "--format", fmt)
        run("draft", "acme", "--format", fmt, "-o", str(env.root / f"draft.{fmt}"))
    run("push", "--dry-run")
    run("push", "--dry-run", "--json")
    report = json.loads(run("push", "--json").stdout)
    assert {p["name"] for p in report["providers"]} == {"dav", "todo"}
    assert all(p["result"]["failed"] == 0 for p in report["providers"])
    assert all(p["result"]["created"] > 0 for p in report["providers"])
    run("sent", "acme", "--on", "2026-11-25")
    run("heard", "globex", "--outcome", "rejected")
    run("reopen", "globex")
    run("close", "initech")
    run("edit", "acme", "--notes", "edited", "--reply-by", "2026-12-01")
    run("push")
    run("push", "--json")
    run("export", str(env.root / "out.ics"))
    run("export", str(env.root / "out-todo.ics"), "--vtodo")
    backup = env.root / "backup.sqlite3"
    run("backup", str(backup))
    run("restore", str(backup))
    run("feed", "url")
    run("feed", "rotate")
    run("remove", "initech", "--yes")
    run("push", "--json")

    run.assert_no_sentinel_printed()
    assert_not_in_files(
        files_under(env.data_dir)
        + [backup, env.root / "out.ics", env.root / "out-todo.ics", init_cfg]
        + [env.root / f"draft.{f}" for f in ("text", "mailto", "eml")]
    )
    store = env.data_dir / "followup-sync.sqlite3"
    assert store.exists()
    assert_not_in_fake_todoist(todoist.app)
    assert_not_in_files(files_under(radicale.storage, skip=("htpasswd",)))


# --- failing pushes ----------------------------------------------------------------------------
def _closed_port_url() -> str:
    return f"http://127.0.0.1:{caldav_servers.free_port()}/"


NEEDLES = {
    "dav-wrong-password": "refused",
    "dav-wrong-password-inline": "refused",
    "dav-server-down-env": "",
    "dav-server-down-inline": "",
    "dav-server-down-password-in-url": "",
    "todoist-bad-token-env": "refused the API token",
    "todoist-bad-token-cmd": "refused the API token",
    "todoist-server-down": "",
    "todoist-cmd-fails-printing-the-token": "token_cmd exited 1 without a secret",
    "dav-cmd-fails-printing-the-password": "password_cmd exited 3 without a secret",
    "two-providers-one-down": "Error: dav: ",
}


@pytest.mark.parametrize(
    "case",
    [
        "dav-wrong-password",
        "dav-wrong-password-inline",
        "dav-server-down-env",
        "dav-server-down-inline",
        "dav-server-down-password-in-url",
        "todoist-bad-token-env",
        "todoist-bad-token-cmd",
        "todoist-server-down",
        "todoist-cmd-fails-printing-the-token",
        "dav-cmd-fails-printing-the-password",
        "two-providers-one-down",
    ],
)
def test_failing_pushes_keep_the_secrets(env, radicale, todoist, case):
    os_env = {PW_ENV: DAV_PW, TOKEN_ENV: TODO_TOKEN}
    if case == "dav-wrong-password":
        write_config(env, dav_table(radicale, how="env"))
        os_env[PW_ENV] = WRONG_PW
    elif case == "dav-wrong-password-inline":
        write_config(env, dav_table(radicale, how="inline").replace(DAV_PW, WRONG_PW))
    elif case == "dav-server-down-env":
        write_config(env, dav_table(radicale, how="env", url=_closed_port_url()))
    elif case == "dav-server-down-inline":
        write_config(env, dav_table(radicale, how="inline", url=_closed_port_url()))
    elif case == "dav-server-down-password-in-url":
        write_config(env, dav_table(radicale, how="url", url=_closed_port_url()))
    elif case == "todoist-bad-token-env":
        write_config(env, todo_table(todoist, how="env"))
        os_env[TOKEN_ENV] = BAD_TOKEN
    elif case == "todoist-bad-token-cmd":
        write_config(env, todo_table(todoist, how="cmd"))
        os_env[TOKEN_ENV] = BAD_TOKEN
    elif case == "todoist-server-down":
        url = f"http://127.0.0.1:{caldav_servers.free_port()}/api/v1"
        write_config(env, todo_table(todoist, how="env", api_url=url))
    elif case == "todoist-cmd-fails-printing-the-token":
        write_config(env, todo_table(todoist, how="cmd"))
        os_env["FOLLOWUP_TEST_SECRET_CMD_EXIT"] = "1"
    elif case == "dav-cmd-fails-printing-the-password":
        write_config(env, dav_table(radicale, how="cmd"))
        os_env["FOLLOWUP_TEST_SECRET_CMD_EXIT"] = "3"
    elif case == "two-providers-one-down":
        write_config(
            env,
            dav_table(radicale, how="inline", url=_closed_port_url()),
            todo_table(todoist, how="env"),
        )
    run = Runner(env, os_env)
    run("add", "Acme", "--role", "Dev", "--date", "2026-11-20", "--interviewer", "J <j@a.example>")
    pushes = [["push", "--json"], ["push", "--dry-run"]]
    if "down" not in case:  # (a server that is down costs a few retries per push)
        pushes += [["push"], ["push", "--dry-run", "--json"]]
    for args in pushes:
        r = run(*args, expect=None)
        assert r.exit_code in (3, 4, 5), (case, r.exit_code, r.stderr)
        if case != "two-providers-one-down":
            assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1, r.stderr
        assert NEEDLES[case] in r.stderr, (case, r.stderr)
    run.assert_no_sentinel_printed()
    assert_not_in_files(files_under(env.data_dir))
    assert_not_in_fake_todoist(todoist.app)


# --- file modes -----------------------------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_files_with_personal_data_or_the_feed_token_are_0600(env, mask):
    old = os.umask(mask)
    try:
        run = Runner(env, {})
        run("add", "Acme", "--role", "Dev", "--date", "2026-11-20")
        run("push")  # the default ICS file, the push lock, the WAL
        store = env.data_dir / "followup-sync.sqlite3"
        with contextlib.closing(sqlite3.connect(store)) as keep_open:
            # While a connection is open, the -wal/-shm files exist: SQLite gives them
            # the store's mode.
            keep_open.execute("PRAGMA journal_mode").fetchone()
            run("sent", "acme", "--on", "2026-11-25")
            for side in ("-wal", "-shm"):
                p = Path(str(store) + side)
                if p.exists():
                    assert _mode(p) == 0o600, (p, oct(_mode(p)))
        assert _mode(store) == 0o600
        run("feed", "url")
        token = env.data_dir / "feed-token"
        assert _mode(token) == 0o600
        run("feed", "rotate")
        assert _mode(token) == 0o600
        backup = env.root / "b.sqlite3"
        run("backup", str(backup))
        assert _mode(backup) == 0o600
        r = run("restore", str(backup))
        assert _mode(store) == 0o600
        kept = [p for p in env.data_dir.iterdir() if ".before-restore-" in p.name]
        assert kept and all(_mode(p) == 0o600 for p in kept), r.stdout
        assert _mode(env.data_dir / "push.lock") == 0o600
        # Nothing in the data dir is readable by others, whatever it is.
        for p in env.data_dir.iterdir():
            if p.is_file():
                assert _mode(p) & 0o077 == 0, (p, oct(_mode(p)))
    finally:
        os.umask(old)


def test_inline_secret_in_the_config_is_never_echoed_in_config_errors(env):
    # A config error in the same table as an inline password names keys, never values.
    env.write_config(
        BASE_CONFIG.replace("[user]", "[user]")
        + "\n[providers.dav]\ntype = 'caldav'\nurl = 'http://127.0.0.1:9/'\n"
        f"username = 'u'\npassword = '{DAV_PW}'\ncalendar = 5\n",
        base="",
    )
    run = Runner(env, {})
    for args in (["push"], ["push", "--json"], ["push", "--dry-run"]):
        r = run(*args, expect=3)
        assert "calendar" in r.stderr
    env.write_config(
        f"\n[providers.dav]\ntype = 'caldav'\nurl = 'http://127.0.0.1:9/'\npassword = '{DAV_PW}'\n"
        "colour = 'red'\n"
    )
    r = run("push", expect=3)
    assert "colour" in r.stderr
    run.assert_no_sentinel_printed()
