"""Import interviews from CSV, TOML or JSON (the format of examples/).

One row is one interview: company, role, date, and optionally reply_by,
interviewers (a list; in CSV one cell, people separated by "," or ";"), stage,
skills, accomplishment, notes. Spreadsheets (CSV/TSV) may say it their own way:
see spreadsheet.py for the delimiters, header synonyms and date forms read. Rows for the same company and role become rounds
of one application, numbered by date. Every row is checked before anything is
written; importing the same file again changes nothing, and an edited file
updates what changed (applications.import_interview). Dates must be absolute:
"yesterday" or "friday" in a file would mean another day at each import.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .applications import ImportRow, clean_line, parse_interviewers
from .dates import parse_when
from .errors import UserInputError
from .spreadsheet import field_of, parse_cell_date, sniff_delimiter

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
DEFAULT_TIME = time(9, 0)  # as `add` (dates.parse_when)


@dataclass(frozen=True)
class ImportFile:
    rows: list[ImportRow]
    ignored_columns: list[str]  # spreadsheet columns that are not ours, for one warning


def read_rows(path: Path, tz: ZoneInfo, today: date, *, dayfirst: bool | None = None) -> ImportFile:
    """Every row of `path` checked (nothing is written); errors name the row and column."""
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
    ignored: list[str] = []
    try:
        if suffix in (".csv", ".tsv"):
            raw, ignored = _csv(text, path.name, "\t" if suffix == ".tsv" else None)
        elif suffix == ".toml":
            raw = _toml(text, path.name)
        elif suffix == ".json":
            raw = _json(text, path.name)
        else:
            raise UserInputError(f"{path.name}: unknown format (use .csv, .tsv, .toml or .json)")
    except RecursionError:
        # json and tomllib recurse per nesting level: "[[[[..." (well under the
        # 10 MB cap) would otherwise be an unexpected error.
        raise UserInputError(f"{path.name}: nested too deeply to be an applications file") from None
    except ValueError as e:
        # An integer longer than Python's 4300-digit str limit raises a plain
        # ValueError from json/tomllib, not their own decode errors.
        raise UserInputError(f"{path.name}: malformed {suffix[1:].upper()} ({e})") from None
    rows = [_row(r, f"{path.name} {where}", tz, today, dayfirst) for where, r in raw]
    return ImportFile(rows, ignored)


def _csv(text: str, name: str, delimiter: str | None) -> tuple[list[tuple[str, dict]], list[str]]:
    """Rows of a spreadsheet export, keyed by our field names; and the ignored columns."""
    try:
        delimiter = delimiter or sniff_delimiter(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, [])
        fields: list[str | None] = [field_of(h) for h in header]
        ignored = [
            h.strip() for h, f in zip(header, fields, strict=True) if f is None and h.strip()
        ]
        seen: dict[str, str] = {}
        for h, f in zip(header, fields, strict=True):
            if f is not None and f in seen and seen[f].lower() == h.strip().lower():
                raise UserInputError(f"{name}: duplicate column {h.strip()!r} in the header")
            if f is not None and f in seen:
                # Two columns meaning one field: which one to take is a guess.
                raise UserInputError(
                    f"{name}: columns {seen[f]!r} and {h.strip()!r} both mean {f}; keep one"
                )
            if f is not None:
                seen[f] = h.strip()
        if "email" in seen and "interviewers" not in seen:
            fields = ["interviewers" if f == "email" else f for f in fields]
        rows = []
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank line
            if len(cells) > len(header):
                raise UserInputError(f"{name} row {n}: more fields than the header has")
            r = {f: c for f, c in zip(fields, cells, strict=False) if f is not None}
            if "email" in r:
                r["interviewers"] = _with_emails(r.get("interviewers", ""), r.pop("email"))
            rows.append((f"row {n}", r))
        return rows, ignored
    except csv.Error as e:
        raise UserInputError(f"{name}: malformed CSV ({e})") from None


def _with_emails(names: str, emails: str) -> str:
    """A Contact column and an Email column, paired in order ("Jane Doe" + "jane@x")."""
    split = [p.strip() for p in re.split(r"[;,]", names) if p.strip()]
    addresses = [p.strip() for p in re.split(r"[;,\s]+", emails) if p.strip()]
    if not addresses:
        return names
    if len(split) == len(addresses):
        return ", ".join(f"{n} <{a}>" for n, a in zip(split, addresses, strict=True))
    return ", ".join([*split, *addresses])


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


def _absolute(
    value: Any, tz: ZoneInfo, today: date, column: str, dayfirst: bool | None = None
) -> datetime:
    """The date-time in a cell; words that depend on the day of the import are refused.

    A date without a time gets the same default time as `add`.
    """
    if isinstance(value, (date, datetime)):
        value = value.isoformat()
    text = str(value).strip()
    try:
        cell = parse_cell_date(text, tz, DEFAULT_TIME, dayfirst)
    except UserInputError as e:
        raise UserInputError(f"column {column}: {e.message}") from None
    if cell is not None:
        return cell
    try:
        at = parse_when(text, tz, today, DEFAULT_TIME)
    except UserInputError as e:
        raise UserInputError(f"column {column}: {e.message}") from None
    # The same text read a year and a half later: a different answer means it was
    # relative ("yesterday", "friday", "Nov 20" without a year).
    if parse_when(text, tz, today + timedelta(days=555), DEFAULT_TIME) != at:
        raise UserInputError(
            f"column {column}: {text!r} depends on the day you import it;"
            f" write the date itself (e.g. {at:%Y-%m-%d})"
        )
    return at


def _row(r: Any, where: str, tz: ZoneInfo, today: date, dayfirst: bool | None) -> ImportRow:
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
        at = _absolute(r["date"], tz, today, "date", dayfirst)
        reply_raw = r.get("reply_by")
        reply_by = None
        if reply_raw not in (None, ""):
            reply_by = _absolute(reply_raw, tz, today, "reply_by", dayfirst).date()
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
