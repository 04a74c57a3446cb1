"""Bad input through the CLI, the importers and the config file.

The promise (README, "Errors"): never a traceback and never exit 70 (an unexpected
error); either a correct result, or one line `Error: ...` on stderr with a non-zero
exit; and nothing already stored is lost. Every property runs the real CLI (click's
CliRunner, no mocks) on a copy of a seeded store and compares `plan --json` and
`list --json` before and after a refused command.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from followup_sync.applications import clean_line
from followup_sync.cli import cli
from followup_sync.importer import MAX_BYTES
from tests.conftest import BASE_CONFIG, ROOT, Env

pytestmark = [pytest.mark.slow]

TODAY = "2026-11-26"
NY = ZoneInfo("America/New_York")
UID_RE = re.compile(r"^followup-sync\.[A-Za-z0-9_.+-]+$")


def props(n: int = 60):
    """Bounded examples, no deadline (each runs the CLI on files)."""
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- strategies ---------------------------------------------------------------------
SPECIAL = [
    "\r",
    "\n",
    "\r\n",
    "\x00",
    "\x1b[31m",
    "\x07",
    "\x7f",
    "\x85",
    "\x0b",
    "\x0c",
    "\t",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200e",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u0301",  # a lone combining accent
    "é",
    "𝔘𝔫𝔦",
    "👩‍💻",
    "שלום",
    "مرحبا",
    ";",
    ",",
    ":",
    "\\",
    '"',
    "'",
    "<",
    ">",
    "@",
    "%",
    "_",
    "END:VEVENT",
    "BEGIN:VALARM",
    "Bcc: all@corp.example",
    "followup-sync:uid=followup-sync.evil.r1.nudge-1 hash=x",
]
piece = st.one_of(st.text(max_size=25), st.sampled_from(SPECIAL))
short_text = st.lists(piece, max_size=8).map("".join)


def _long(p: str, extra: int) -> str:
    p = p or "x"
    return (p * (10_100 // len(p) + 1))[: 10_000 + extra]


long_text = st.builds(_long, piece, st.integers(0, 3000))  # 10k+ characters
any_text = st.one_of(short_text, short_text, short_text, long_text)

EDGE_DATES = [
    "2028-02-29",  # leap year
    "2027-02-29",  # not one
    "2100-02-29",  # not one either (century)
    "2000-02-29",
    "2024-02-29 23:59",
    "2026-03-08 02:30",  # America/New_York DST gap
    "2026-03-08T02:30",
    "2026-03-08T02:30-05:00",
    "2026-11-01 01:30",  # DST overlap (ambiguous)
    "2026-11-01T01:30-04:00",
    "2026-11-01T01:30-05:00",
    "9999-12-31",
    "9999-12-31 23:59",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01",
    "0001-01-01T00:00+14:00",
    "10000-01-01",
    "1969-12-31",
    "1970-01-01T00:00+14:00",
    "2200-12-31 23:59",
    "2200-12-31T23:59-12:00",
    "2201-01-01",
    "garbage",
    "",
    " ",
    "today",
    "yesterday",
    "tomorrow",
    "next friday",
    "last monday",
    "in 3 days",
    "in 9000 years",
    "99999999999999999999 days ago",
    "2026-13-01",
    "2026-00-10",
    "2026-11-31",
    "2026-11-20T24:00",
    "2026-11-20T23:60",
    "2026-11-20T10:00+25:00",
    "2026-11-20T10:00+23:59",
    "2026-11-20T10:00Z",
    "2026-11-20T10:00:00.123456789",
    "20261120",
    "2026-W47-5",
    "2026-324",
    "31/02/2026",
    "02/29/2027",
    "Feb 29 2027",
    "feb 29 2028",
    "\x00",
    "2026-11-20\x00",
    "\u202e2026-11-20",
    "٢٠٢٦-١١-٢٠",  # Arabic-Indic digits
    "2026-11-20" * 12,
    "9" * 60,
    "-1",
    "1e400",
    "none",
]
any_date = st.one_of(
    st.sampled_from(EDGE_DATES),
    st.sampled_from(EDGE_DATES),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda d: d.isoformat(sep=" ", timespec="minutes")
    ),
    st.dates(min_value=date(1960, 1, 1), max_value=date(2230, 12, 31)).map(str),
    short_text,
)


# --- a seeded store, copied per example ------------------------------------------------
class Seeded:
    """A store seeded from examples/ once; `fresh()` gives a private copy of it."""

    def __init__(self, root: Path):
        self.root = root
        self.template = Env(root / "template")
        self.template.root.mkdir()
        self.template.write_config()
        self.good_config = root / "good.toml"
        self.good_config.write_text(BASE_CONFIG, encoding="utf-8")
        self.template.run("import", str(ROOT / "examples" / "applications.toml"))
        self.template.run("sent", "globex", "--on", "2026-11-18")
        self.template.run("close", "initech")
        self.before = self.snapshot(self.template)
        assert len(self.before["list"]["applications"]) == 3

    def fresh(self) -> Env:
        dest = Path(tempfile.mkdtemp(dir=self.root))
        shutil.copytree(self.template.root, dest, dirs_exist_ok=True)
        return Env(dest)

    def snapshot(self, env: Env) -> dict:
        """plan and list (every application) as JSON, read with a known-good config."""
        out = {}
        for what, extra in (("plan", []), ("list", ["--all"])):
            r = CliRunner().invoke(
                cli,
                [
                    "--data-dir",
                    str(env.data_dir),
                    "--config",
                    str(self.good_config),
                    "--today",
                    TODAY,
                    what,
                    *extra,
                    "--json",
                ],
                catch_exceptions=False,
            )
            assert r.exit_code == 0, r.stderr
            out[what] = json.loads(r.stdout)
        return out

    def done(self, env: Env) -> None:
        shutil.rmtree(env.root, ignore_errors=True)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Seeded:
    return Seeded(tmp_path_factory.mktemp("seeded"))


def run(env: Env, *args: str, today: str | None = TODAY):
    """The CLI; catch_exceptions=False makes any escaping exception fail the test."""
    return env.run(*args, today=today, expect=None)


def assert_clean(r, env: Env, seeded: Seeded) -> bool:
    """True if the command succeeded; otherwise it must be a clean refusal that lost nothing."""
    both = r.stdout + r.stderr
    assert "Traceback" not in both
    assert r.exit_code != 70, f"unexpected error: {r.stderr!r}"
    if r.exit_code == 0:
        return True
    if r.exit_code == 2:
        # click's own usage errors: "Usage: ...", "Try ...", then one "Error: ..." line.
        assert r.stderr.rstrip("\n").splitlines()[-1].startswith("Error: "), r.stderr
    else:
        assert r.stderr.startswith("Error: "), r.stderr
        assert r.stderr.count("\n") == 1 and r.stderr.endswith("\n"), repr(r.stderr)
        assert "\r" not in r.stderr and "\x00" not in r.stderr
    assert seeded.snapshot(env) == seeded.before, "a refused command changed the store"
    return False


def assert_others_kept(env: Env, seeded: Seeded, touched: set[str]) -> dict:
    """After a success: every stored application still there; untouched ones unchanged."""
    now = seeded.snapshot(env)
    before_ids = {a["id"] for a in seeded.before["list"]["applications"]}
    now_ids = {a["id"] for a in now["list"]["applications"]}
    assert before_ids <= now_ids | touched
    keep = before_ids - touched
    assert [i for i in now["plan"]["items"] if i["application"] in keep] == [
        i for i in seeded.before["plan"]["items"] if i["application"] in keep
    ]
    for item in now["plan"]["items"]:
        assert UID_RE.match(item["uid"]), item["uid"]
        datetime.fromisoformat(item["due"])
    return now


# --- add ----------------------------------------------------------------------------------
@props()
@given(
    company=any_text,
    role=any_text,
    interviewers=st.lists(any_text, max_size=3),
    stage=short_text,
    skills=any_text,
    accomplishment=any_text,
    notes=any_text,
)
@example(
    company="Acme\r\nEND:VEVENT\x00",
    role="\u202eDev",
    interviewers=["Eve\nBcc: x@y.z <eve@evil.example>"],
    stage="",
    skills="x" * 10_001,
    accomplishment="",
    notes="",
)
def test_add_any_text(seeded, company, role, interviewers, stage, skills, accomplishment, notes):
    env = seeded.fresh()
    args = ["add", company, "--role", role, "--date", "2026-11-20 14:00"]
    for person in interviewers:
        args += ["--interviewer", person]
    args += ["--stage", stage, "--skills", skills, "--accomplishment", accomplishment]
    args += ["--notes", notes]
    r = run(env, *args)
    if assert_clean(r, env, seeded):
        app_id = r.stdout.strip()
        assert "\n" not in app_id and re.fullmatch(r"[A-Za-z0-9_.+-]+", app_id), app_id
        now = assert_others_kept(env, seeded, {app_id})
        (listed,) = [a for a in now["list"]["applications"] if a["id"] == app_id]
        if r.stderr == "":  # a new application: stored as cleaned, one line each
            assert listed["company"] == clean_line(company, "company")
            assert listed["role"] == clean_line(role, "role")
        ours = [i for i in now["plan"]["items"] if i["application"] == app_id]
        assert ours and all(i["due"] > "2026-11-20" for i in ours)
    seeded.done(env)


# --- dates: add --date/--reply-by, --today, sent --on, heard --on, edit --date ----------------
@props(80)
@given(when=any_date, reply_by=st.one_of(st.none(), any_date))
def test_add_any_date(seeded, when, reply_by):
    env = seeded.fresh()
    args = ["add", "Hooli", "--role", "Engineer", "--date", when]
    if reply_by is not None:
        args += ["--reply-by", reply_by]
    r = run(env, *args)
    if assert_clean(r, env, seeded):
        now = assert_others_kept(env, seeded, {"hooli-engineer"})
        ours = [i for i in now["plan"]["items"] if i["application"] == "hooli-engineer"]
        assert [i["kind"] for i in ours] == ["nudge"] * 3 + ["move_on"]
        dues = [datetime.fromisoformat(i["due"]) for i in ours]
        assert dues == sorted(dues)
        for d in dues:  # always the send time, in the user's zone, on a working day
            local = d.astimezone(NY)
            assert (local.hour, local.minute) == (9, 30) and local.weekday() < 5
            assert d.utcoffset() == local.utcoffset()
    seeded.done(env)


@props()
@given(today=any_date, command=st.sampled_from(["plan", "list", "draft", "sent", "heard", "push"]))
def test_any_today(seeded, today, command):
    env = seeded.fresh()
    args = {
        "plan": ["plan", "--json"],
        "list": ["list", "--json"],
        "draft": ["draft", "acme"],
        "sent": ["sent", "acme"],
        "heard": ["heard", "acme"],
        "push": ["push", "--json"],
    }[command]
    r = run(env, *args, today=today)
    if assert_clean(r, env, seeded) and command in ("plan", "list", "draft", "push"):
        assert seeded.snapshot(env) == seeded.before  # read-only commands
    seeded.done(env)


@props()
@given(
    command=st.sampled_from(["sent", "heard"]),
    on=any_date,
    attempt=st.one_of(
        st.none(),
        st.sampled_from([0, -1, 1, 2, 3, 4, 10, -(10**30), 10**30, 2**63, -(2**63)]),
        st.integers(),
    ),
)
def test_sent_and_heard_with_odd_days_and_attempts(seeded, command, on, attempt):
    env = seeded.fresh()
    args = [command, "acme", "--on", on]
    if command == "sent" and attempt is not None:
        args += ["--attempt", str(attempt)]
    r = run(env, *args)
    if assert_clean(r, env, seeded):
        assert_others_kept(env, seeded, {"acme-backend-engineer"})
        assert command == "heard" or 1 <= (attempt or 1) <= 3
    seeded.done(env)


@props()
@given(
    attempt=st.one_of(st.none(), st.sampled_from([0, -1, 1, 3, 4, 10**30]), st.integers()),
    fmt=st.sampled_from(["text", "mailto", "eml"]),
    app=st.sampled_from(["acme", "globex", "initech"]),
)
def test_draft_any_attempt(seeded, attempt, fmt, app):
    env = seeded.fresh()
    args = ["draft", app, "--format", fmt]
    if attempt is not None:
        args += ["--attempt", str(attempt)]
    r = run(env, *args)
    if assert_clean(r, env, seeded):
        assert r.stdout.strip()
        assert attempt is None or 1 <= attempt <= 3
    else:
        assert r.exit_code == 1 and "between 1 and 3" in r.stderr
    seeded.done(env)


EDIT_FIELDS = ["company", "role", "stage", "skills", "accomplishment", "notes", "interviewer"]


@props()
@given(
    changes=st.lists(
        st.one_of(
            st.tuples(st.sampled_from(EDIT_FIELDS), any_text),
            st.tuples(st.sampled_from(["date", "reply-by"]), any_date),
        ),
        min_size=0,
        max_size=3,
    ),
    app=st.sampled_from(["acme", "globex", "initech"]),
)
def test_edit_any(seeded, changes, app):
    env = seeded.fresh()
    args = ["edit", app]
    for name, value in changes:
        args += [f"--{name}", value]
    r = run(env, *args)
    if assert_clean(r, env, seeded):
        ids = {a["id"] for a in seeded.before["list"]["applications"]}
        (app_id,) = [i for i in ids if i.startswith(app)]
        now = assert_others_kept(env, seeded, {app_id})
        before_uids = [
            i["uid"] for i in seeded.before["plan"]["items"] if i["application"] == app_id
        ]
        now_uids = [i["uid"] for i in now["plan"]["items"] if i["application"] == app_id]
        assert now_uids == before_uids  # edit never changes ids or UIDs
    seeded.done(env)


@props()
@given(
    prefix=st.one_of(
        any_text,
        st.sampled_from(
            ["%", "_", "*", "acme%", "a_me", "..", "../", "acme\x00", " acme ", "ACME"]
        ),
    ),
    command=st.sampled_from(
        ["plan", "draft", "sent", "heard", "close", "reopen", "remove", "edit"]
    ),
)
def test_ids_and_prefixes_with_odd_characters(seeded, prefix, command):
    env = seeded.fresh()
    args = [command, prefix]
    if command == "remove":
        args.append("--yes")
    if command == "edit":
        args += ["--notes", "edited"]
    r = run(env, *args)
    if assert_clean(r, env, seeded):
        # Only an exact or unique prefix of a real id (after trimming spaces) may match.
        ids = [a["id"] for a in seeded.before["list"]["applications"]]
        p = prefix.strip()
        if command == "plan" and prefix == "":
            return  # `plan ""` is `plan` with no ID: everything
        assert p in ids or len([i for i in ids if i.startswith(p)]) == 1, prefix
    seeded.done(env)


# --- importers ------------------------------------------------------------------------------
KEYS = ["company", "role", "date", "reply_by", "interviewers", "stage", "skills"]
KEYS += ["accomplishment", "notes"]
scalar = st.one_of(
    short_text,
    st.sampled_from(EDGE_DATES),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
good_row = st.fixed_dictionaries(
    {
        "company": st.sampled_from(["Hooli", "Acme", "Pied Piper", "Globex"]),
        "role": st.sampled_from(["Engineer", "Backend Engineer", "Data Analyst"]),
        "date": st.sampled_from(
            ["2026-11-20 14:00", "2026-11-24", "2028-02-29", "2026-03-08 02:30"]
        ),
    }
)
row = st.one_of(
    good_row,
    st.builds(
        lambda g, extra: {**g, **extra},
        good_row,
        st.dictionaries(st.sampled_from(KEYS), value, max_size=4),
    ),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), value, max_size=6),
    value,
)


def _toml_key(k: str) -> str:
    return json.dumps(k, ensure_ascii=False)


def _toml_value(v) -> str:
    """A TOML rendering of a JSON-like value (no tomli_w here); may be invalid TOML on purpose."""
    if v is None:
        return '""'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return (
            "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        )
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{_toml_key(str(k))} = {_toml_value(x)}" for k, x in v.items()) + "}"


def write_rows(path: Path, fmt: str, rows: list, wrap: bool) -> None:
    if fmt == "json":
        data = {"applications": rows} if wrap else rows
        path.write_text(json.dumps(data, ensure_ascii=False, allow_nan=True), encoding="utf-8")
    elif fmt == "toml":
        parts = []
        for r in rows:
            if isinstance(r, dict):
                body = "\n".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in r.items())
                parts.append("[[application]]\n" + body)
            else:
                parts.append(f"application = [{_toml_value(r)}]")
        path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    else:
        dicts = [r for r in rows if isinstance(r, dict)]
        header = sorted({str(k) for r in dicts for k in r}) or ["company"]
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(header)
        for r in dicts:
            w.writerow(["" if r.get(k) is None else str(r.get(k)) for k in header])
        path.write_text(buf.getvalue(), encoding="utf-8")


@props(100)
@given(
    rows=st.lists(row, max_size=4),
    fmt=st.sampled_from(["json", "toml", "csv"]),
    wrap=st.booleans(),
)
def test_import_rows_of_any_shape(seeded, rows, fmt, wrap):
    env = seeded.fresh()
    path = env.root / f"in.{fmt}"
    write_rows(path, fmt, rows, wrap)
    r = run(env, "import", str(path))
    if assert_clean(r, env, seeded):
        assert r.stdout.startswith(f"Imported in.{fmt}: ")
        assert_others_kept(env, seeded, {"acme-backend-engineer", "globex-data-analyst"})
        again = run(env, "import", str(path))  # idempotent
        assert again.exit_code == 0 and " 0 new applications, 0 new rounds" in again.stdout
    seeded.done(env)


@props()
@given(
    data=st.binary(max_size=300),
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"]),
    suffix=st.sampled_from([".csv", ".json", ".toml", ".CSV", ".txt", ""]),
)
@example(data=b"company,role,date\nCaf\xe9,X,2026-11-20\n", prefix=b"", suffix=".csv")
@example(data=b"[" * 200_000, prefix=b"", suffix=".json")
@example(data=b"x = " + b"[" * 200_000, prefix=b"", suffix=".toml")
@example(data=b'[{"company": ' + b"9" * 5000 + b"}]", prefix=b"", suffix=".json")
@example(data=b"a = " + b"9" * 5000, prefix=b"", suffix=".toml")
@example(data=b"company,role,date\nA\x00,B,2026-11-20\n", prefix=b"\xef\xbb\xbf", suffix=".csv")
def test_import_any_bytes(seeded, data, prefix, suffix):
    env = seeded.fresh()
    path = env.root / f"in{suffix}"
    path.write_bytes(prefix + data)
    r = run(env, "import", str(path))
    if assert_clean(r, env, seeded):
        assert_others_kept(env, seeded, {"acme-backend-engineer", "globex-data-analyst"})
    seeded.done(env)


@pytest.mark.parametrize(
    "name, content, needle",
    [
        # Each of these escaped as "unexpected ..." (exit 70) before the fixes in importer.py.
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("deep.toml", "x = " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("big.json", '[{"company": ' + "9" * 5000 + "}]", "malformed JSON"),
        ("big.toml", "[[application]]\ncompany = " + "9" * 5000 + "\n", "malformed TOML"),
        # ...and these were silently accepted.
        (
            "dup.json",
            '[{"company": "A", "company": "B", "role": "R", "date": "2026-11-20"}]',
            "duplicate key 'company'",
        ),
        ("dup.csv", "company,company,role,date\nA,B,R,2026-11-20\n", "duplicate column 'company'"),
        ("dup.toml", '[[application]]\ncompany = "A"\ncompany = "B"\n', "malformed TOML"),
        (
            "bool.json",
            '[{"company": true, "role": "R", "date": "2026-11-20"}]',
            "item 1: company must be text",
        ),
        (
            "who.json",
            '[{"company": "A", "role": "R", "date": "2026-11-20", "interviewers": [null]}]',
            "interviewers must be a list of text",
        ),
        (
            "who.toml",
            '[[application]]\ncompany = "A"\nrole = "R"\ndate = 2026-11-20\ninterviewers = [{a = 1}]\n',
            "interviewers must be a list of text",
        ),
        (
            "time.toml",
            '[[application]]\ncompany = "A"\nrole = "R"\ndate = 10:00:00\n',
            "could not understand date",
        ),
        (
            "y9999.toml",
            '[[application]]\ncompany = "A"\nrole = "R"\ndate = 9999-12-31T23:59:59-12:00\n',
            "out of range",
        ),
        # Spreadsheet date forms were read before the range check (review of issue 11).
        ("y0001.csv", "company,role,date\nA,R,0001-01-01\n", "out of range"),
        ("y9999.csv", "company,role,date\nA,R,12/30/9999 10:00\n", "out of range"),
        (
            "y9999-date.toml",
            '[[application]]\ncompany = "A"\nrole = "R"\ndate = 9999-12-30\n',
            "out of range",
        ),
        (
            "latin1.csv",
            "company,role,date\nCafé,R,2026-11-20\n".encode("latin-1"),
            "is not UTF-8 text",
        ),
    ],
)
def test_import_refusals_are_one_clear_line(seeded, name, content, needle):
    env = seeded.fresh()
    path = env.root / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    r = run(env, "import", str(path))
    assert not assert_clean(r, env, seeded)
    assert r.exit_code == 1 and needle in r.stderr, r.stderr
    assert r.stderr.count(name) == 1  # the place is named once, not twice
    seeded.done(env)


def test_import_with_a_bom_and_crlf_is_read(seeded):
    env = seeded.fresh()
    path = env.root / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfcompany,role,date\r\nHooli,Engineer,2028-02-29 10:00\r\n")
    r = run(env, "import", str(path))
    assert assert_clean(r, env, seeded)
    listed = {a["id"]: a for a in seeded.snapshot(env)["list"]["applications"]}
    assert listed["hooli-engineer"]["company"] == "Hooli"
    assert listed["hooli-engineer"]["last_interview"] == "2028-02-29T10:00:00-05:00"
    seeded.done(env)


def test_import_near_and_over_the_10_mb_cap(seeded):
    env = seeded.fresh()
    row = b'[{"company": "Hooli", "role": "Engineer", "date": "2026-11-20"}]'
    at_cap = env.root / "cap.json"
    at_cap.write_bytes(row + b" " * (MAX_BYTES - len(row)))  # exactly 10 MB: accepted
    assert at_cap.stat().st_size == MAX_BYTES
    assert assert_clean(run(env, "import", str(at_cap)), env, seeded)
    over = env.root / "over.json"
    over.write_bytes(row + b" " * (MAX_BYTES + 1 - len(row)))
    env2 = seeded.fresh()
    r = run(env2, "import", str(over))
    assert not assert_clean(r, env2, seeded) and "larger than 10 MB" in r.stderr
    huge_field = env.root / "field.json"  # one 9.9 MB string: refused by the field limit
    huge_field.write_text(
        json.dumps(
            [{"company": "Hooli", "role": "E", "date": "2026-11-20", "notes": "n" * 9_900_000}]
        )
    )
    r = run(env2, "import", str(huge_field))
    assert not assert_clean(r, env2, seeded) and "notes is too long" in r.stderr
    many = env.root / "many.csv"  # many rows, one of them bad at the end: nothing written
    lines = (
        ["company,role,date"] + [f"Co{n},Role,2026-11-20" for n in range(3000)] + ["Bad,R,never"]
    )
    many.write_text("\n".join(lines) + "\n")
    r = run(env2, "import", str(many))
    assert not assert_clean(r, env2, seeded) and "row 3002" in r.stderr
    seeded.done(env)
    seeded.done(env2)


# --- config files ---------------------------------------------------------------------------
RULE_KEYS = [
    "first_nudge_days",
    "after_reply_by_days",
    "repeat_days",
    "max_nudges",
    "move_on_days",
    "send_time",
    "workdays_only",
    "holidays",
    "later_channel",
    "duration_minutes",
    "alarm_minutes",
]
toml_value = st.one_of(
    value.map(_toml_value),
    st.sampled_from(
        [
            "-1",
            "0",
            "366",
            "99999999999999999999",
            "-99999999999999999999",
            "1.5",
            "nan",
            "inf",
            "true",
            '"09:30"',
            '"25:00"',
            '"9:30"',
            "09:30:00",
            "2026-11-20T09:30:00",
            "2026-11-20",
            '"US"',
            '"XX"',
            '"US-CA"',
            '"phone"',
            '"fax"',
            "[]",
            "{}",
            '""',
        ]
    ),
)


@props(80)
@given(
    section=st.sampled_from(["rules", "user", "feed", "top"]),
    key=st.one_of(
        st.sampled_from(RULE_KEYS + ["name", "email", "timezone", "host", "port", "base_url"]),
        st.text(min_size=1, max_size=10),
    ),
    val=toml_value,
    command=st.sampled_from(["plan", "list", "draft", "push", "feed"]),
)
def test_config_with_any_value(seeded, section, key, val, command):
    env = seeded.fresh()
    line = f"{_toml_key(key)} = {val}\n"
    if section == "top":
        env.config.write_text(line + BASE_CONFIG, encoding="utf-8")
    elif section == "user":
        env.config.write_text(BASE_CONFIG + line, encoding="utf-8")
    else:
        env.write_config(f"[{section}]\n{line}")
    args = {
        "plan": ["plan", "--json"],
        "list": ["list"],
        "draft": ["draft", "acme"],
        "push": ["push", "--dry-run"],
        "feed": ["feed", "url"],
    }[command]
    r = run(env, *args)
    if not assert_clean(r, env, seeded):
        assert r.exit_code in (1, 3)
    seeded.done(env)


@props()
@given(
    tz=st.one_of(
        st.sampled_from(
            [
                "Mars/Olympus",
                "america/new_york",
                "America/New_York ",
                "../../../etc/passwd",
                "/etc/localtime",
                "UTC\x00",
                "",
                "Etc/GMT+14",
                "Etc/GMT-15",
                "Pacific/Kiritimati",
                "Asia/Kathmandu",
                "EST5EDT",
                "localtime",
                "posixrules",
                "Factory",
                "A" * 5000,
            ]
        ),
        short_text,
    ),
    as_option=st.booleans(),
)
def test_any_time_zone(seeded, tz, as_option):
    env = seeded.fresh()
    if as_option:
        env.config.unlink()
        r = run(env, "init", "--timezone", tz)
        if r.exit_code == 0:
            r = run(env, "plan", "--json")
    else:
        env.config.write_text(f"[user]\ntimezone = {json.dumps(tz)}\n", encoding="utf-8")
        r = run(env, "plan", "--json")
    if not assert_clean(r, env, seeded):
        assert r.exit_code in (1, 3)
        assert "time zone" in r.stderr or "config" in r.stderr or "[user]" in r.stderr
    seeded.done(env)


@props()
@given(data=st.binary(max_size=200), keep_base=st.booleans())
@example(data=b"[user]\nname = '\xff'\n", keep_base=False)
@example(data=b"[rules\n", keep_base=False)
@example(data=b"a = " + b"[" * 100_000, keep_base=False)
@example(data=b"a = " + b"9" * 5000, keep_base=False)
def test_config_any_bytes(seeded, data, keep_base):
    env = seeded.fresh()
    env.config.write_bytes((BASE_CONFIG.encode() if keep_base else b"") + data)
    r = run(env, "list")
    if not assert_clean(r, env, seeded):
        assert r.exit_code == 3
    seeded.done(env)


@pytest.mark.parametrize(
    "text, needle",
    [
        # Each of these was an unexpected TypeError/AttributeError (exit 70) before config.py's fix.
        ("user = 1\n", "user must be a table"),
        ("rules = [1, 2]\n" + BASE_CONFIG, "rules must be a table"),
        ('rules = "x"\n' + BASE_CONFIG, "rules must be a table"),
        ("providers = 1\n" + BASE_CONFIG, "providers must be a table"),
        ("feed = 1\n" + BASE_CONFIG, "feed must be a table"),
        (BASE_CONFIG + "[feed]\nbase_url = [1]\n", "[feed] base_url must be a string"),
        (BASE_CONFIG + "[feed]\nport = 'x'\n", "[feed] port must be a whole number"),
        (BASE_CONFIG + "[feed]\nport = -1\n", "[feed] port must be between 0 and 65535"),
        (BASE_CONFIG + "[rules]\nmax_nudges = -1\n", "max_nudges must be between 1 and 10"),
        (BASE_CONFIG + "[rules]\nrepeat_days = 1.5\n", "repeat_days must be a whole number"),
        (BASE_CONFIG + "[rules]\nsend_time = 2026-01-01T10:00:00\n", "send_time must be a time"),
    ],
)
def test_config_refusals_are_one_clear_line(seeded, text, needle):
    env = seeded.fresh()
    env.config.write_text(text, encoding="utf-8")
    for args in (["list"], ["feed", "url"], ["push", "--dry-run"]):
        r = run(env, *args)
        assert not assert_clean(r, env, seeded)
        assert r.exit_code == 3 and needle in r.stderr, r.stderr
    seeded.done(env)


@pytest.mark.parametrize(
    "options, needle, code",
    [
        # Option mistakes are config errors (exit 3), named with provider and key.
        ("url = ''", "[providers.dav] url: '' names no server", 3),
        ("url = '/dav/'", "[providers.dav] url: '/dav/' names no server", 3),
        ("url = 'http://exa mple.com/'", "names no server", 3),
        ("timeout = true", "[providers.dav] timeout must be a whole number or a number", 3),
        ("timeout = -1", "[providers.dav] timeout: must be a positive number", 3),
        ("timeout = 0", "timeout: must be a positive number", 3),
        # The password is resolved when connecting (it may come from a command).
        ("password = ''", "no password is configured", 4),
    ],
)
def test_caldav_options_refused_clearly(seeded, options, needle, code):
    env = seeded.fresh()
    base = {"url": "'http://127.0.0.1:9/'", "username": "'alex'", "password": "'pw-123456'"}
    key = options.split(" = ")[0]
    base[key] = options.split(" = ", 1)[1]
    lines = "\n".join(f"{k} = {v}" for k, v in base.items())
    env.write_config(f"[providers.dav]\ntype = 'caldav'\n{lines}\n")
    r = env.run("push", today=TODAY, expect=None, env={"FOLLOWUP_SYNC_NO_KEYRING": "1"})
    assert not assert_clean(r, env, seeded)
    assert r.exit_code == code and needle in r.stderr, r.stderr
    seeded.done(env)


# --- edge dates with exact expectations -------------------------------------------------------
def _dues(env: Env, app_id: str, today: str = TODAY) -> list[datetime]:
    return [
        datetime.fromisoformat(i["due"])
        for i in env.plan(today=today)
        if i["application"] == app_id
    ]


def test_interview_in_the_dst_gap_and_overlap(env):
    # 02:30 on 2026-03-08 does not exist in New York; 01:30 on 2026-11-01 happens twice.
    gap = env.run(
        "add", "Gap", "--role", "R", "--date", "2026-03-08 02:30", today="2026-03-09"
    ).stdout.strip()
    lap = env.run("add", "Lap", "--role", "R", "--date", "2026-11-01 01:30").stdout.strip()
    listed = {a["id"]: a for a in env.json("list", today="2026-03-09")["applications"]}
    # Read as fold=0 (the offset before the change, as RFC 5545 says for a gap): the
    # gap time is the instant 07:30 UTC, shown as the 03:30 EDT that exists.
    assert listed[gap]["last_interview"] == "2026-03-08T03:30:00-04:00"
    assert listed[lap]["last_interview"] == "2026-11-01T01:30:00-04:00"
    # The same interview again is recognised (instants compared in UTC), not a new round.
    for when, app_id in (("2026-03-08 02:30", gap), ("2026-11-01 01:30", lap)):
        r = env.run("add", app_id.split("-")[0].title(), "--role", "R", "--date", when)
        assert r.stdout.strip() == app_id and "already recorded" in r.stderr
    # Monday 2026-03-16 09:30 EDT: a week after, in summer time.
    assert _dues(env, gap, "2026-03-09")[0] == datetime(2026, 3, 16, 9, 30, tzinfo=NY)
    assert _dues(env, gap, "2026-03-09")[0].utcoffset().total_seconds() == -4 * 3600
    assert _dues(env, lap)[0] == datetime(2026, 11, 9, 9, 30, tzinfo=NY)
    assert _dues(env, lap)[0].utcoffset().total_seconds() == -5 * 3600
    # An explicit offset picks one side of the overlap.
    env.run("edit", lap, "--date", "2026-11-01T01:30-05:00")
    listed = {a["id"]: a for a in env.json("list")["applications"]}
    assert listed[lap]["last_interview"] == "2026-11-01T01:30:00-05:00"


def test_feb_29(env):
    env.run("add", "Leap", "--role", "R", "--date", "2028-02-29 10:00", today="2028-03-01")
    assert _dues(env, "leap-r", "2028-03-01")[0] == datetime(2028, 3, 7, 9, 30, tzinfo=NY)
    for bad in ("2027-02-29", "2100-02-29"):
        r = env.run("add", "NoLeap", "--role", "R", "--date", bad, expect=1)
        assert "could not understand date" in r.stderr and r.stderr.count("\n") == 1
    # --today on a leap day; reply-by on one.
    env.run(
        "add",
        "Hooli",
        "--role",
        "R",
        "--date",
        "2028-02-25",
        "--reply-by",
        "2028-02-29",
        today="2028-02-29",
    )
    assert _dues(env, "hooli-r", "2028-02-29")[0] == datetime(2028, 3, 2, 9, 30, tzinfo=NY)
    r = env.run("plan", "--json", today="2027-02-29", expect=1)
    assert r.stderr.startswith("Error: could not understand date")


@pytest.mark.parametrize(
    "day", ["9999-12-31", "0001-01-01", "10000-01-01", "2201-01-01", "1969-12-31"]
)
def test_years_out_of_range_are_refused_everywhere(env, day):
    env.add_acme()
    before = env.plan()
    for args, kw in (
        (("add", "Z", "--role", "R", "--date", day), {}),
        (("add", "Z", "--role", "R", "--date", "2026-11-20", "--reply-by", day), {}),
        (("sent", "acme", "--on", day), {}),
        (("heard", "acme", "--on", day), {}),
        (("edit", "acme", "--date", day), {}),
        (("plan",), {"today": day}),
    ):
        r = env.run(*args, expect=1, **kw)
        assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1, r.stderr
        assert "out of range" in r.stderr or "could not understand" in r.stderr
    assert env.plan() == before


def test_the_last_year_in_range_plans_into_the_next(env):
    # 2200 is the last year accepted; its follow-ups run into 2201 without overflow.
    env.run("add", "Late", "--role", "R", "--date", "2200-12-31 23:59", today="2200-12-31")
    dues = _dues(env, "late-r", "2200-12-31")
    assert len(dues) == 4 and dues[0].date() == date(2201, 1, 7)
    assert all(d.timetz().replace(tzinfo=None) == time(9, 30) for d in dues)


@pytest.mark.parametrize(
    "send_time, interview, today, first",
    [
        # 02:30 does not exist on 2026-03-08 in New York: the item is at 03:30 EDT.
        ("02:30", "2026-03-01 10:00", "2026-03-02", "2026-03-08T03:30:00-04:00"),
        # 01:30 happens twice on 2026-11-01: the first (EDT) one.
        ("01:30", "2026-10-25 10:00", "2026-10-26", "2026-11-01T01:30:00-04:00"),
    ],
)
def test_send_time_in_a_dst_gap_or_overlap_pushes_once(env, send_time, interview, today, first):
    path = env.root / "cal.ics"
    env.write_config(
        f'[rules]\nsend_time = "{send_time}"\nworkdays_only = false\n'
        f'[providers.cal]\ntype = "ics"\npath = "{path}"\n'
    )
    env.run("add", "Dst", "--role", "R", "--date", interview, today=today)
    assert env.plan(today=today)[0]["due"] == first
    env.run("push", today=today)
    again = json.loads(env.run("push", "--json", today=today).stdout)["providers"][0]
    assert again["planned"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 4}


@props(50)
@given(name=any_text, email_=short_text, tz=st.sampled_from(["UTC", "America/New_York", "Mars/X"]))
@example(name="Alex \\ Rivera", email_="a\\u0041@x.com", tz="UTC")  # wrote a broken config
@example(name='Ab "quoted" \\', email_="x\x00@y.z", tz="UTC")
def test_init_with_any_name_writes_a_config_that_loads(seeded, name, email_, tz):
    from followup_sync.config import load_settings

    env = seeded.fresh()
    env.config.unlink()
    r = run(env, "init", "--name", name, "--email", email_, "--timezone", tz)
    if assert_clean(r, env, seeded):
        assert env.config.stat().st_size > 0
        r = run(env, "list")
        assert r.exit_code == 0, r.stderr  # the written config always loads
        user = load_settings(env.config).user
        assert (user.name, user.email) == (clean_line(name, "n"), clean_line(email_, "e"))
        assert user.timezone == tz
    else:
        assert not env.config.exists()
    seeded.done(env)


def test_unwritable_and_special_paths_are_clear_errors(seeded, tmp_path):
    import os

    env = seeded.fresh()
    missing = tmp_path / "no" / "such" / "dir"
    cases = [
        # These were exit 70 (FileNotFoundError) before cli.py's and store.py's fixes.
        (["draft", "acme", "--format", "eml", "-o", str(missing / "d.eml")], "cannot write"),
        (["backup", str(missing / "b.sqlite3")], "cannot write"),
        (["export", str(missing / "x.ics")], "cannot write"),
        (["restore", str(missing / "b.sqlite3")], "no such backup file"),
        (["import", str(missing / "a.csv")], "no such file"),
    ]
    zero = tmp_path / "zero.csv"  # size 0 to stat(), endless to read()
    zero.symlink_to("/dev/zero")
    cases.append((["import", str(zero)], "is not a regular file"))
    fifo = tmp_path / "pipe.json"  # open() would wait forever for a writer
    os.mkfifo(fifo)
    cases.append((["import", str(fifo)], "is not a regular file"))
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    cases.append((["restore", str(garbage)], "is not a followup-sync backup"))
    for args, needle in cases:
        r = run(env, *args)
        assert not assert_clean(r, env, seeded)
        assert r.exit_code == 1 and needle in r.stderr, (args, r.stderr)
    seeded.done(env)


@props(50)
@given(
    text=st.one_of(
        st.lists(
            st.one_of(
                st.text(max_size=20),
                st.sampled_from(
                    [
                        "Subject: ",
                        "\n",
                        "\r\n",
                        "$",
                        "$$",
                        "${",
                        "}",
                        "$company",
                        "$nope",
                        "${role}",
                    ]
                ),
            ),
            max_size=10,
        ).map(lambda parts: "".join(parts).encode("utf-8")),
        st.binary(max_size=60),
    ),
    name=st.sampled_from(["nudge-1", "nudge-again", "nudge-last", "move-on"]),
    command=st.sampled_from(["draft", "push", "export"]),
)
@example(text=b"Subject: x\n\nThat will be $5.", name="nudge-1", command="draft")
@example(text=b"no subject line", name="nudge-1", command="push")
@example(text=b"\xff\xfe", name="move-on", command="export")
@example(text=b"Subject: x\n\n$nope", name="nudge-last", command="draft")
def test_any_template_text(seeded, text, name, command):
    # Templates live next to the config; a broken one is a config error (exit 3) that
    # names the file. Before drafts.TemplateError these were all exit 70.
    env = seeded.fresh()
    (env.root / "templates").mkdir()
    (env.root / "templates" / f"{name}.txt").write_bytes(text)
    args = {
        "draft": ["draft", "acme", "--attempt", "3"],
        "push": ["push", "--json"],
        "export": ["export", str(env.root / "x.ics")],
    }[command]
    r = run(env, *args)
    if not assert_clean(r, env, seeded):
        assert r.exit_code == 3 and f"{name}.txt" in r.stderr, r.stderr
    seeded.done(env)


def test_names_with_newlines_and_escapes_stay_on_one_error_line(seeded, tmp_path):
    # File and provider names go into messages as they are; a newline made the "one
    # line" two, an ESC could recolour the terminal. cli.one_line escapes both.
    env = seeded.fresh()
    bad = tmp_path / "a\nb\x1b[31m.csv"
    bad.write_text("company,role,date\nA,,2026-11-20\n", encoding="utf-8")
    r = run(env, "import", str(bad))
    assert not assert_clean(r, env, seeded) and "\x1b" not in r.stderr
    assert "a\\nb\\x1b[31m.csv row 2: missing role" in r.stderr
    env.write_config('[providers."x\\ny\\u001b"]\npath = "z.ics"\n')
    r = run(env, "push")
    assert not assert_clean(r, env, seeded) and "[providers.x\\ny\\x1b] needs a type" in r.stderr
    seeded.done(env)
