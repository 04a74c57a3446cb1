"""Commands for files and the store itself: init, import, export, backup, restore."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import UserInputError
from .context import AppContext, echo_json, json_option, pass_app


@click.command()
@click.option("--name", default="Your Name", help="Your name, to sign emails.")
@click.option("--email", default="you@example.com", help="Your email address.")
@click.option("--timezone", "tzname", default=None, help="IANA time zone (default: the system's).")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@pass_app
def init(app: AppContext, name, email, tzname, force):
    """Write a commented starter config.

    \b
    Example:
      followup-sync init --name "Alex Rivera" --email alex@example.com --timezone America/New_York
    """
    from ..applications import clean_line
    from ..config import STARTER_CONFIG, system_timezone, zone

    tzname = tzname or system_timezone()
    zone(tzname)
    path = app.config_path
    if path.exists() and not force:
        raise UserInputError(f"{path} exists; use --force to overwrite it")

    def toml_str(value: str, what: str) -> str:
        # The inside of a TOML basic string: a JSON string escapes exactly what
        # TOML needs (\\, \", control characters).
        return json.dumps(clean_line(value, what), ensure_ascii=False)[1:-1]

    text = STARTER_CONFIG.format(
        name=toml_str(name, "name"),
        email=toml_str(email, "email"),
        timezone=toml_str(tzname, "timezone"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path}")


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be imported; change nothing.")
@click.option(
    "--dayfirst/--monthfirst",
    default=None,
    help="How to read 03/04/2026 (default: [import] dayfirst, else an ambiguous date is an error).",
)
@pass_app
def import_(app: AppContext, path, dry_run, dayfirst):
    """Import interviews from a spreadsheet (CSV/TSV), TOML or JSON; safe to repeat.

    Spreadsheet columns may be named as you like them (Company or Employer,
    Position or Title, Interview date, Contact, Email...); other columns are
    ignored with a warning. Importing an edited file again updates what changed.

    \b
    Example:
      followup-sync import applications.csv --dry-run
      followup-sync import examples/applications.toml
    """
    from collections import Counter

    from ..applications import import_interview
    from ..importer import read_rows

    if dayfirst is None:
        dayfirst = app.settings.imports.dayfirst
    read = read_rows(path, app.settings.tz, app.today, dayfirst=dayfirst)
    if read.ignored_columns:
        shown = ", ".join(repr(c) for c in read.ignored_columns)
        click.echo(
            f"Note: ignored column{'s' if len(read.ignored_columns) > 1 else ''} {shown}", err=True
        )
    rows = read.rows
    # A row's round is its place among the file's rows for that company and role,
    # by date; the same interview twice in a file is one round.
    by_date = sorted(range(len(rows)), key=lambda i: rows[i].at)
    seen: dict[tuple[str, str], list] = {}
    numbers = {}
    for i in by_date:
        key = (rows[i].company.casefold(), rows[i].role.casefold())
        instants = seen.setdefault(key, [])
        if not instants or instants[-1] != rows[i].at:
            instants.append(rows[i].at)
        numbers[i] = len(instants)
    done: Counter[str] = Counter()
    what = {
        "added": "new application",
        "round": "new round",
        "updated": "update",
        "unchanged": "unchanged",
    }
    lines = []
    with app.store.write() as tx:
        for i in by_date:
            result = import_interview(tx, rows[i], numbers[i], app.now())
            done[result] += 1
            r = rows[i]
            lines.append(
                f"  {what[result]:<16} {r.company}, {r.role}: round {numbers[i]},"
                f" {r.at:%a %Y-%m-%d %H:%M}"
            )
        if dry_run:
            tx.rollback()
    counts = (
        f"{_count(done['added'], 'new application')}, {_count(done['round'], 'new round')},"
        f" {done['updated']} updated, {done['unchanged']} unchanged"
    )
    if dry_run:
        for line in lines:
            click.echo(line)
        click.echo(f"Dry run, nothing imported from {path.name}: would be {counts}")
    else:
        click.echo(f"Imported {path.name}: {counts}")


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--vtodo", is_flag=True, help="Write follow-ups as tasks (VTODO) instead of events.")
@pass_app
def export(app: AppContext, path, vtodo):
    """Write every live follow-up to an .ics file once (import it into any calendar).

    \b
    Example:
      followup-sync export ~/followups.ics
    """
    from .. import ical
    from ..atomic import write_atomic

    items = app.desired.live_push_items(app.applications())
    cal = ical.build_calendar(
        items.values(), ical.VTODO if vtodo else ical.VEVENT, app.settings.feed.name
    )
    data = cal.to_ical()
    path = path.expanduser()
    try:
        write_atomic(path, data)
    except OSError as e:
        raise UserInputError(f"cannot write {path}: {e.strerror}") from None
    click.echo(f"Wrote {len(items)} follow-ups to {path}")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def backup(app: AppContext, path):
    """Copy the store to PATH (a consistent snapshot, owner-only).

    \b
    Example:
      followup-sync backup ~/followups-backup.sqlite3
    """
    app.store.backup_to(path.expanduser())
    click.echo(f"Backed up to {path}")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, exists=False, path_type=Path))
@pass_app
def restore(app: AppContext, path):
    """Replace the store with a backup made by `backup` (the current one is kept aside).

    Waits for a running push to end first (the same lock as `push`).

    \b
    Example:
      followup-sync restore ~/followups-backup.sqlite3
    """
    from ..lock import data_dir_lock
    from ..store import restore_store

    with data_dir_lock(app.data_dir):
        kept = restore_store(app.data_dir, path.expanduser())
    click.echo(f"Restored from {path}" + (f"; the previous store is at {kept}" if kept else ""))


@click.group("config")
def config_group():
    """Where followup-sync keeps its files.

    \b
    Example:
      followup-sync config path
    """


@config_group.command("path")
@json_option()
@pass_app
def config_path(app: AppContext, as_json):
    """Print where the config, data, store and templates are, and which config is in use.

    \b
    Example:
      followup-sync config path
      followup-sync config path --json
    """
    from ..store import STORE_NAME
    from ..template_files import BUILTIN_TEMPLATES

    exists = app.config_path.exists()
    config = app.config_path.absolute()
    data_dir = app.data_dir.absolute()
    templates = config.parent / "templates"
    overrides = sorted(p.name for p in templates.glob("*.txt")) if templates.is_dir() else []
    data = {
        "config": str(config),
        "config_exists": exists,
        "config_from": "--config / FOLLOWUP_SYNC_CONFIG" if app.config_named else "default",
        "data_dir": str(data_dir),
        "store": str(data_dir / STORE_NAME),
        "templates_dir": str(templates),
        "template_overrides": overrides,
        "builtin_templates": str(BUILTIN_TEMPLATES),
    }
    if as_json:
        echo_json(data)
        return
    state = "in use" if exists else "not found: built-in defaults in use; create it with `init`"
    click.echo(f"config:     {data['config']} ({state}; {data['config_from']})")
    click.echo(f"data dir:   {data['data_dir']}")
    click.echo(f"store:      {data['store']}")
    own = f"{len(overrides)} of yours: {', '.join(overrides)}" if overrides else "none of yours"
    click.echo(f"templates:  {data['templates_dir']} ({own})")
    click.echo(f"built-in:   {data['builtin_templates']}")


COMMANDS = [init, import_, export, backup, restore, config_group]
