"""Import interviews from CSV, TOML or JSON (the format of examples/).

One row is one interview: company, role, date, and optionally reply_by,
interviewers (a list; in CSV one cell, people separated by "," or ";"), stage,
skills, accomplishment, notes. Rows for the same company and role become rounds
of one application, numbered by date. Every row is checked before anything is
written; importing the same file again changes nothing, and an edited file
updates what changed (applications.import_interview). Dates must be absolute:
"yesterday" or "friday" in a file would mean another day at each import.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .applications import ImportRow, clean_line, parse_interviewers
from .dates import parse_when
from .errors import UserInputError

KEYS = {
    "company",
    "role",
    "date",
    "reply_by",
    "interviewers",
    "stage",
    "skills",
    "accomplishment",
    "notes",
}
REQUIRED = ("company", "role", "date")
MAX_BYTES = 10 * 1024 * 1024


def read_rows(path: Path, tz: ZoneInfo, today: date) -> list[ImportRow]:
    try:
        # Read at most one byte past the cap instead of trusting stat(): a FIFO, a
        # /proc file or a link to /dev/zero reports size 0 and would be read forever.
        if path.exists() and not path.is_file():  # a FIFO would block open() forever
            raise UserInputError(f"{path.name} is not a regular file")
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise UserInputError(f"{path.name} is larger than 10 MB")
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise UserInputError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise UserInputError(f"{path.name} is not UTF-8 text") from None
    except OSError as e:
        raise UserInputError(f"cannot read {path}: {e.strerror}") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            raw = _csv(text, path.name)
        elif suffix == ".toml":
            raw = _toml(text, path.name)
        elif suffix == ".json":
            raw = _json(text, path.name)
        else:
            raise UserInputError(f"{path.name}: unknown format (use .csv, .toml or .json)")
    except RecursionError:
        # json and tomllib recurse per nesting level: "[[[[..." (well under the
        # 10 MB cap) would otherwise be an unexpected error.
        raise UserInputError(f"{path.name}: nested too deeply to be an applications file") from None
    except ValueError as e:
        # An integer longer than Python's 4300-digit str limit raises a plain
        # ValueError from json/tomllib, not their own decode errors.
        raise UserInputError(f"{path.name}: malformed {suffix[1:].upper()} ({e})") from None
    return [_row(r, f"{path.name} {where}", tz, today) for where, r in raw]


def _csv(text: str, name: str) -> list[tuple[str, dict]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [k.strip() for k in (reader.fieldnames or [])]
        dupes = sorted({k for k in header if header.count(k) > 1})
        if dupes:
            # DictReader would silently keep the last column of the same name.
            raise UserInputError(f"{name}: duplicate column {dupes[0]!r} in the header")
        rows = []
        for n, r in enumerate(reader, start=2):
            if None in r:
                raise UserInputError(f"{name} row {n}: more fields than the header has")
            if not any((v or "").strip() for v in r.values()):
                continue  # blank line
            r = {k.strip(): v for k, v in r.items() if k is not None}
            rows.append((f"row {n}", r))
        return rows
    except csv.Error as e:
        raise UserInputError(f"{name}: malformed CSV ({e})") from None


def _toml(text: str, name: str) -> list[tuple[str, dict]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UserInputError(f"{name}: malformed TOML ({e})") from None
    extra = sorted(set(data) - {"application"})
    if extra:
        raise UserInputError(
            f"{name}: unknown top-level key {extra[0]!r} (use [[application]] tables)"
        )
    apps = data.get("application", [])
    if not isinstance(apps, list):
        raise UserInputError(f"{name}: 'application' must be an array of tables ([[application]])")
    return [(f"application {i}", a) for i, a in enumerate(apps, start=1)]


def _json(text: str, name: str) -> list[tuple[str, dict]]:
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as e:
        raise UserInputError(f"{name}: malformed JSON ({e.msg} at line {e.lineno})") from None
    except UserInputError as e:
        raise UserInputError(f"{name}: {e.message}") from None
    if isinstance(data, dict) and set(data) == {"applications"}:
        data = data["applications"]
    if not isinstance(data, list):
        raise UserInputError(
            f'{name}: expected a list of applications or {{"applications": [...]}}'
        )
    return [(f"item {i}", a) for i, a in enumerate(data, start=1)]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    # json.loads silently keeps the last of two equal keys; TOML refuses them, so do we.
    seen: dict[str, Any] = {}
    for k, v in pairs:
        if k in seen:
            raise UserInputError(f"duplicate key {k!r} in an object")
        seen[k] = v
    return seen


def _absolute(value: Any, tz: ZoneInfo, today: date, column: str) -> datetime:
    """The date-time in a cell; words that depend on the day of the import are refused."""
    if isinstance(value, (date, datetime)):
        value = value.isoformat()
    text = str(value)
    at = parse_when(text, tz, today)
    # The same text read a year and a half later: a different answer means it was
    # relative ("yesterday", "friday", "Nov 20" without a year).
    if parse_when(text, tz, today + timedelta(days=555)) != at:
        raise UserInputError(
            f"column {column}: {text!r} depends on the day you import it;"
            f" write the date itself (e.g. {at:%Y-%m-%d})"
        )
    return at


def _row(r: Any, where: str, tz: ZoneInfo, today: date) -> ImportRow:
    if not isinstance(r, dict):
        raise UserInputError(f"{where}: expected a table/object of fields")
    unknown = sorted(set(r) - KEYS)
    if unknown:
        raise UserInputError(
            f"{where}: unknown field {unknown[0]!r} (known: {', '.join(sorted(KEYS))})"
        )
    for key in REQUIRED:
        if r.get(key) in (None, ""):
            raise UserInputError(f"{where}: missing {key}")

    def text(key: str) -> str:
        v = r.get(key)
        if v is None:
            return ""
        # Booleans are not text either ("True" as a company); no `where` here: the
        # except below adds it once.
        if isinstance(v, (dict, list, bool)) and key != "interviewers":
            raise UserInputError(f"{key} must be text")
        return str(v)

    try:
        at = _absolute(r["date"], tz, today, "date")
        reply_raw = r.get("reply_by")
        reply_by = None
        if reply_raw not in (None, ""):
            reply_by = _absolute(reply_raw, tz, today, "reply_by").date()
        people = r.get("interviewers") or []
        if isinstance(people, str):
            people = [people]
        if not isinstance(people, list) or not all(isinstance(p, str) for p in people):
            # A dict/null/number entry must not become a person named "{'a': 1}" or "None".
            raise UserInputError("interviewers must be a list of text")
        return ImportRow(
            company=clean_line(text("company"), "company"),
            role=clean_line(text("role"), "role"),
            at=at,
            reply_by=reply_by,
            interviewers=parse_interviewers([str(p) for p in people]),
            stage=text("stage"),
            skills=text("skills"),
            accomplishment=text("accomplishment"),
            notes=text("notes"),
        )
    except UserInputError as e:
        raise UserInputError(f"{where}: {e.message}") from None
