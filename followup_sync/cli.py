"""The followup-sync command line: a thin click layer over the core.

Errors carry their exit code (errors.py) and become one clean line here, in one
place (FollowupGroup.invoke). Heavy modules (icalendar, caldav, todoist) are
imported inside the commands that need them, so `--help`, `list` and `plan`
start fast.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from . import __version__
from .errors import FollowupError, UserInputError

UTC = ZoneInfo("UTC")
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class App:
    """Per-invocation context: paths, settings and store, opened on first use."""

    def __init__(self, data_dir: Path | None, config: Path | None, today: str | None):
        from .config import default_config_path, default_data_dir

        self.data_dir = Path(data_dir).expanduser() if data_dir else default_data_dir()
        self.config_path = Path(config).expanduser() if config else default_config_path()
        self._today_text = today

    @cached_property
    def settings(self):
        from .config import load_settings

        return load_settings(self.config_path)

    @cached_property
    def store(self):
        from .store import Store

        _ = self.settings  # a broken config is reported before anything is opened
        return Store.open(self.data_dir)

    @cached_property
    def today(self) -> date:
        if self._today_text:
            from .dates import parse_day

            return parse_day(
                self._today_text, self.settings.tz, datetime.now(self.settings.tz).date()
            )
        return datetime.now(self.settings.tz).date()

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    @cached_property
    def planner(self):
        from .payload import Planner

        s = self.settings
        return Planner(s.user, s.rules, s.tz, self.today, s.templates_dir)

    def resolve(self, prefix: str):
        return self.store.application(self.store.resolve(prefix))

    def when(self, text: str) -> datetime:
        from .dates import parse_when

        return parse_when(text, self.settings.tz, self.today)

    def day(self, text: str | None) -> date:
        if text is None:
            return self.today
        from .dates import parse_day

        return parse_day(text, self.settings.tz, self.today)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


pass_app = click.make_pass_decorator(App)


def one_line(text: str) -> str:
    """An error stays one line: a file or provider name may hold a newline or a
    terminal escape (they are shown escaped, as repr() would)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class FollowupGroup(click.Group):
    """Turns our errors into one line on stderr and the error's exit code."""

    def invoke(self, ctx: click.Context):
        from .secrets import redact

        try:
            return super().invoke(ctx)
        except FollowupError as e:
            click.echo(f"Error: {one_line(redact(e.message))}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing already recorded was lost.", err=True)
            ctx.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - the promise: never a traceback
            import os

            if os.environ.get("FOLLOWUP_SYNC_DEBUG"):
                raise
            msg = (
                redact(f"{e.__class__.__name__}: {e}").splitlines()[0]
                if str(e)
                else e.__class__.__name__
            )
            click.echo(f"Error: unexpected {msg} (set FOLLOWUP_SYNC_DEBUG=1 for details)", err=True)
            ctx.exit(70)
        finally:
            app = ctx.find_object(App)
            if app is not None:
                app.close()


@click.group(cls=FollowupGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="followup-sync")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="FOLLOWUP_SYNC_DATA_DIR",
    help="Where the store lives (env FOLLOWUP_SYNC_DATA_DIR).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="FOLLOWUP_SYNC_CONFIG",
    help="Config file (env FOLLOWUP_SYNC_CONFIG).",
)
@click.option("--today", metavar="DATE", help="Act as if today were DATE (preview, tests).")
@click.pass_context
def cli(ctx: click.Context, data_dir, config, today):
    """Plan and push job-interview follow-ups: when to nudge, what to write, when to move on.

    \b
    Example:
      followup-sync add Acme --role "Backend Engineer" --date yesterday \\
          --interviewer "Jane Doe <jane@acme.example>"
      followup-sync push
    """
    ctx.obj = App(data_dir, config, today)


def _echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


# --- init -----------------------------------------------------------------------
@cli.command()
@click.option("--name", default="Your Name", help="Your name, to sign emails.")
@click.option("--email", default="you@example.com", help="Your email address.")
@click.option("--timezone", "tzname", default=None, help="IANA time zone (default: the system's).")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@pass_app
def init(app: App, name, email, tzname, force):
    """Write a commented starter config.

    \b
    Example:
      followup-sync init --name "Alex Rivera" --email alex@example.com --timezone America/New_York
    """
    from .applications import clean_line
    from .config import STARTER_CONFIG, system_timezone, zone

    tzname = tzname or system_timezone()
    zone(tzname)
    path = app.config_path
    if path.exists() and not force:
        raise UserInputError(f"{path} exists; use --force to overwrite it")

    def toml_str(value: str, what: str) -> str:
        # The inside of a TOML basic string: a JSON string escapes exactly what TOML
        # needs (\\, \", control characters). Only '"' was replaced before, so a
        # backslash in a name wrote a config that no command could load.
        return json.dumps(clean_line(value, what), ensure_ascii=False)[1:-1]

    text = STARTER_CONFIG.format(
        name=toml_str(name, "name"),
        email=toml_str(email, "email"),
        timezone=toml_str(tzname, "timezone"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path}")


# --- add ------------------------------------------------------------------------
@cli.command()
@click.argument("company")
@click.option("--role", required=True, help="The job title.")
@click.option(
    "--date",
    "when",
    required=True,
    metavar="WHEN",
    help='Interview date/time: "2026-11-20 14:00", "yesterday"...',
)
@click.option(
    "--interviewer",
    "interviewers",
    multiple=True,
    metavar='"NAME <EMAIL>"',
    help="Repeat for each.",
)
@click.option("--reply-by", metavar="DATE", help="When they said you would hear back.")
@click.option("--stage", default="", help='e.g. "phone screen", "onsite".')
@click.option("--skills", default="", help="Why you fit: skills to mention in the email.")
@click.option("--accomplishment", default="", help="A recent accomplishment worth sharing.")
@click.option("--notes", default="", help="Anything else to remember.")
@pass_app
def add(
    app: App, company, role, when, interviewers, reply_by, stage, skills, accomplishment, notes
):
    """Record an interview; prints the application id.

    Adding an interview for an open application with the same company and role
    adds a round and restarts its follow-ups from that round.

    \b
    Example:
      followup-sync add Acme --role "Backend Engineer" --date "2026-11-20 14:00" \\
          --interviewer "Jane Doe <jane@acme.example>" --reply-by "next friday" \\
          --skills "Python, Postgres and on-call leadership"
    """
    from .applications import add_interview, parse_interviewers

    at = app.when(when)
    reply = app.day(reply_by) if reply_by else None
    with app.store.write() as conn:
        added = add_interview(
            app.store,
            conn,
            company=company,
            role=role,
            at=at,
            interviewers=parse_interviewers(interviewers),
            reply_by=reply,
            stage=stage,
            skills=skills,
            accomplishment=accomplishment,
            notes=notes,
            now=app.now(),
        )
    click.echo(added.app_id)
    if added.unchanged:
        click.echo("(this interview was already recorded)", err=True)
    elif not added.created:
        click.echo(
            f"(round {added.round_number}: follow-ups restart from this interview)", err=True
        )


# --- list / plan ------------------------------------------------------------------
def _item_json(app, item) -> dict:
    return {
        "application": app.id,
        "company": app.company,
        "role": app.role,
        "round": item.round_number,
        "kind": item.kind.value,
        "attempt": item.attempt,
        "channel": item.channel.value if item.channel else None,
        "due": item.due.isoformat(),
        "uid": item.uid,
        "status": item.status.value,
        "sent_on": item.sent_on.isoformat() if item.sent_on else None,
    }


def _next_item(items):
    for item in items:
        if item.status.value in ("planned", "overdue"):
            return item
    return None


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_(app: App, as_json):
    """Applications, their status, and the next step with its date.

    \b
    Example:
      followup-sync list --json
    """
    rows = []
    for a in app.store.applications():
        nxt = _next_item(app.planner.items(a))
        rows.append((a, nxt))
    if as_json:
        _echo_json(
            {
                "today": app.today.isoformat(),
                "applications": [
                    {
                        "id": a.id,
                        "company": a.company,
                        "role": a.role,
                        "status": a.status.value,
                        "outcome": a.outcome.value if a.outcome else None,
                        "rounds": len(a.rounds),
                        "last_interview": a.current_round.at.isoformat(),
                        "next": _item_json(a, n) if n else None,
                    }
                    for a, n in rows
                ],
            }
        )
        return
    if not rows:
        click.echo(
            "No applications yet. Add one: followup-sync add COMPANY --role ROLE --date WHEN"
        )
        return
    width = max(len(a.id) for a, _ in rows)
    for a, n in rows:
        status = a.status.value + (f" ({a.outcome.value})" if a.outcome else "")
        if n is None:
            nxt = "-"
        else:
            step = f"follow-up {n.attempt}" if n.attempt else "move on"
            late = " OVERDUE" if n.status.value == "overdue" else ""
            nxt = f"{step} {n.due:%a %Y-%m-%d %H:%M}{late}"
        click.echo(f"{a.id:<{width}}  {status:<16} {nxt}")


@cli.command()
@click.argument("app_id", required=False, metavar="[ID]")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README).")
@pass_app
def plan(app: App, app_id, as_json):
    """Every follow-up item: kind, attempt, due date-time, UID and status.

    \b
    Example:
      followup-sync plan acme --json
    """
    apps = [app.resolve(app_id)] if app_id else app.store.applications()
    pairs = [(a, i) for a in apps for i in app.planner.items(a)]
    if as_json:
        _echo_json(
            {
                "today": app.today.isoformat(),
                "timezone": app.settings.user.timezone,
                "items": [_item_json(a, i) for a, i in pairs],
            }
        )
        return
    if not pairs:
        click.echo("Nothing planned.")
        return
    for a, i in pairs:
        step = f"nudge {i.attempt}" if i.attempt else "move on"
        click.echo(
            f"{i.due:%a %Y-%m-%d %H:%M %z}  {i.status.value:<9} {a.id}  r{i.round_number} {step}"
        )


# --- draft ----------------------------------------------------------------------
@cli.command()
@click.argument("app_id", metavar="ID")
@click.option("--attempt", type=int, help="Which follow-up (default: the next unsent one).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "mailto", "eml"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file."
)
@pass_app
def draft(app: App, app_id, attempt, fmt, output):
    """Print the email draft for a follow-up.

    \b
    Example:
      followup-sync draft acme --format eml -o followup.eml   # opens as a draft
    """
    from . import drafts
    from .applications import next_unsent_attempt
    from .models import ItemKind

    a = app.resolve(app_id)
    items = app.planner.items(a)
    rules = app.settings.rules
    if attempt is None:
        try:
            attempt = next_unsent_attempt(a, items)
        except UserInputError:
            attempt = rules.max_nudges
    if not 1 <= attempt <= rules.max_nudges:
        raise UserInputError(f"attempt must be between 1 and {rules.max_nudges}")
    item = next(
        i
        for i in items
        if i.round_number == a.current_round.number
        and i.kind == ItemKind.NUDGE
        and i.attempt == attempt
    )
    d = drafts.render_draft(
        item, a, app.settings.user, app.settings.templates_dir, max_nudges=rules.max_nudges
    )
    if fmt == "eml":
        data = drafts.as_eml(d, when=item.due)
    elif fmt == "mailto":
        data = (drafts.as_mailto(d) + "\n").encode()
    else:
        data = (drafts.as_text(d) + "\n").encode()
    if output:
        try:
            output.write_bytes(data)
        except OSError as e:  # a missing directory or no permission was exit 70
            raise UserInputError(f"cannot write {output}: {e.strerror}") from None
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


# --- sent / heard / close / reopen / edit / remove ---------------------------------------
@cli.command()
@click.argument("app_id", metavar="ID")
@click.option("--attempt", type=int, help="Which follow-up (default: the next unsent one).")
@click.option("--on", "on", metavar="DATE", help="When you sent it (default: today).")
@pass_app
def sent(app: App, app_id, attempt, on):
    """Mark a follow-up sent; the rest of the series is re-planned from that day.

    \b
    Example:
      followup-sync sent acme --on yesterday
    """
    from .applications import mark_sent, next_unsent_attempt

    a = app.resolve(app_id)
    if not a.is_open:
        raise UserInputError(
            f"{a.id} is {a.status.value}; reopen it first (followup-sync reopen {a.id})"
        )
    if attempt is None:
        attempt = next_unsent_attempt(a, app.planner.items(a))
    day = app.day(on)
    with app.store.write() as conn:
        mark_sent(app.store, conn, a, attempt, day, app.settings.rules.max_nudges, app.now())
    click.echo(f"{a.id}: follow-up {attempt} marked sent on {day}")
    nxt = _next_item(app.planner.items(app.store.application(a.id)))
    if nxt:
        step = f"follow-up {nxt.attempt}" if nxt.attempt else "move on"
        click.echo(f"Next: {step} on {nxt.due:%a %Y-%m-%d %H:%M}")


@cli.command()
@click.argument("app_id", metavar="ID")
@click.option(
    "--outcome",
    type=click.Choice(["offer", "rejected", "next-round", "other"]),
    default="other",
    show_default=True,
)
@click.option("--on", "on", metavar="DATE", help="When you heard (default: today).")
@pass_app
def heard(app: App, app_id, outcome, on):
    """You heard back: pending follow-ups are withdrawn at the next push.

    For a next round, also add it: followup-sync add COMPANY --role ROLE --date WHEN.

    \b
    Example:
      followup-sync heard acme --outcome next-round
    """
    from .applications import mark_heard
    from .models import Outcome

    a = app.resolve(app_id)
    with app.store.write() as conn:
        mark_heard(app.store, conn, a, Outcome(outcome), app.day(on), app.now())
    click.echo(
        f"{a.id}: heard back ({outcome}); pending follow-ups will be removed at the next push"
    )


@cli.command("close")
@click.argument("app_id", metavar="ID")
@pass_app
def close_(app: App, app_id):
    """Stop following up (you moved on); pending items are withdrawn at the next push.

    \b
    Example:
      followup-sync close acme
    """
    from .applications import close

    a = app.resolve(app_id)
    with app.store.write() as conn:
        close(app.store, conn, a, app.today, app.now())
    click.echo(f"{a.id}: closed")


@cli.command()
@click.argument("app_id", metavar="ID")
@pass_app
def reopen(app: App, app_id):
    """Undo `heard` or `close`: the follow-ups come back.

    \b
    Example:
      followup-sync reopen acme
    """
    from .applications import reopen as do_reopen

    a = app.resolve(app_id)
    with app.store.write() as conn:
        do_reopen(app.store, conn, a, app.now())
    click.echo(f"{a.id}: waiting again")


@cli.command()
@click.argument("app_id", metavar="ID")
@click.option("--company")
@click.option("--role")
@click.option("--date", "when", metavar="WHEN", help="Move the latest interview.")
@click.option("--reply-by", metavar="DATE", help='Reply-by date ("none" clears it).')
@click.option(
    "--interviewer", "interviewers", multiple=True, help="Replace the latest round's interviewers."
)
@click.option("--stage")
@click.option("--skills")
@click.option("--accomplishment")
@click.option("--notes")
@pass_app
def edit(
    app: App,
    app_id,
    company,
    role,
    when,
    reply_by,
    interviewers,
    stage,
    skills,
    accomplishment,
    notes,
):
    """Change an application; its id and item UIDs stay the same.

    \b
    Example:
      followup-sync edit acme --reply-by 2026-12-04 --accomplishment "shipped the new billing API"
    """
    from .applications import edit as do_edit
    from .applications import parse_interviewers

    a = app.resolve(app_id)
    reply: date | None | bool = False
    if reply_by is not None:
        reply = None if reply_by.strip().lower() in ("none", "") else app.day(reply_by)
    with app.store.write() as conn:
        do_edit(
            app.store,
            conn,
            a,
            app.now(),
            company=company,
            role=role,
            skills=skills,
            accomplishment=accomplishment,
            notes=notes,
            at=app.when(when) if when else None,
            reply_by=reply,
            interviewers=parse_interviewers(interviewers) if interviewers else None,
            stage=stage,
        )
    click.echo(f"{a.id}: updated")


@cli.command()
@click.argument("app_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask.")
@pass_app
def remove(app: App, app_id, yes):
    """Delete an application; its items are deleted from providers at the next push.

    \b
    Example:
      followup-sync remove acme --yes
    """
    a = app.resolve(app_id)
    if not yes and sys.stdin.isatty():
        click.confirm(f"Remove {a.id} ({a.company}, {a.role})?", abort=True)
    with app.store.write() as conn:
        app.store.delete_application(conn, a.id)
    click.echo(f"{a.id}: removed")


# --- import / export ------------------------------------------------------------------
@cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_(app: App, path):
    """Import interviews from CSV, TOML or JSON (see examples/); safe to repeat.

    \b
    Example:
      followup-sync import examples/applications.toml
    """
    from .applications import add_interview
    from .importer import read_rows

    rows = read_rows(path, app.settings.tz, app.today)
    added = rounds = same = 0
    with app.store.write() as conn:
        for r in rows:
            res = add_interview(
                app.store,
                conn,
                company=r.company,
                role=r.role,
                at=r.at,
                interviewers=r.interviewers,
                reply_by=r.reply_by,
                stage=r.stage,
                skills=r.skills,
                accomplishment=r.accomplishment,
                notes=r.notes,
                now=app.now(),
            )
            if res.unchanged:
                same += 1
            elif res.created:
                added += 1
            else:
                rounds += 1
    click.echo(
        f"Imported {path.name}: {added} new applications, {rounds} new rounds, {same} unchanged"
    )


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--vtodo", is_flag=True, help="Write follow-ups as tasks (VTODO) instead of events.")
@pass_app
def export(app: App, path, vtodo):
    """Write every live follow-up to an .ics file once (import it into any calendar).

    \b
    Example:
      followup-sync export ~/followups.ics
    """

    from . import ical
    from .atomic import write_atomic

    items = app.planner.live_push_items(app.store.applications())
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


# --- push -----------------------------------------------------------------------
@cli.command()
@click.option(
    "--provider", "names", multiple=True, metavar="NAME", help="Only these [providers.NAME]."
)
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--force", is_flag=True, help="Push even if a target looks emptied.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary.")
@pass_app
def push(app: App, names, dry_run, force, as_json):
    """Push follow-ups to every configured provider (plan first, then apply).

    With no provider configured, writes an .ics file in the data dir.

    \b
    Example:
      followup-sync push --dry-run
      followup-sync push --provider nextcloud
    """
    from .errors import ConfigError, PushIncomplete
    from .push import build_provider, provider_configs, push_lock, push_one
    from .render import pull_line, report_json, summary_line

    configs = provider_configs(app.settings, app.data_dir)
    for n in names:
        if n not in configs:
            raise ConfigError(
                f"no provider {n!r} in the config (have: {', '.join(configs) or 'none'})"
            )
    selected = {n: c for n, c in configs.items() if not names or n in names}
    store = app.store
    reports, failures = [], []
    with push_lock(app.data_dir):
        for name, options in selected.items():
            provider = build_provider(name, options, app.settings, store, app.data_dir)
            try:
                progress = _progress_printer() if not as_json else None
                report = push_one(
                    store,
                    app.settings,
                    provider,
                    today=app.today,
                    now=app.now(),
                    dry_run=dry_run,
                    force=force,
                    progress=progress,
                )
            except FollowupError as e:
                if len(selected) == 1:
                    raise
                failures.append((name, e))
                from .secrets import redact

                # Redacted like every other error line (FollowupGroup.invoke).
                click.echo(f"Error: {one_line(name)}: {one_line(redact(e.message))}", err=True)
                continue
            finally:
                provider.close()
            reports.append(report)
            if not as_json:
                if report.reset:
                    click.echo(f"  {report.where} was missing: writing every follow-up anew")
                for p in report.pulled:
                    click.echo(f"  {pull_line(p)}")
                if dry_run:
                    for a in report.plan.actions:
                        click.echo(f"  {a.line()}")
                click.echo(summary_line(report, dry_run))
    if as_json:
        _echo_json({"dry_run": dry_run, "providers": [report_json(r) for r in reports]})
    failed = sum(r.outcome.failed for r in reports if r.outcome)
    if failures:
        raise failures[0][1]
    if failed:
        errors = [e for r in reports if r.outcome for e in r.outcome.errors]
        raise PushIncomplete(f"{failed} item(s) failed ({errors[0]}); run push again to retry")


def _progress_printer():
    """A progress line on stderr for long pushes, only when it is a terminal."""
    if not sys.stderr.isatty():
        return None
    count = {"n": 0}

    def show(action) -> None:
        count["n"] += 1
        if count["n"] % 10 == 0:
            click.echo(f"\r  {count['n']} changes...", err=True, nl=False)

    return show


# --- providers ------------------------------------------------------------------
@cli.command()
@click.option("--json", "as_json", is_flag=True)
def providers(as_json):
    """List installed provider types and the plugins they come from.

    \b
    Example:
      followup-sync providers
    """
    from .registry import provider_types

    types = provider_types()
    if as_json:
        _echo_json(
            [
                {
                    "type": t.name,
                    "class": t.target,
                    "plugin": t.plugin,
                    "package": t.distribution,
                    "version": t.version,
                }
                for t in types.values()
            ]
        )
        return
    for t in sorted(types.values(), key=lambda t: t.name):
        click.echo(f"{t.name:<10} {t.target:<50} from {t.distribution} {t.version}")


# --- backup / restore -------------------------------------------------------------------
@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def backup(app: App, path):
    """Copy the store to PATH (a consistent snapshot, owner-only).

    \b
    Example:
      followup-sync backup ~/followups-backup.sqlite3
    """
    app.store.backup_to(path.expanduser())
    click.echo(f"Backed up to {path}")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, exists=False, path_type=Path))
@pass_app
def restore(app: App, path):
    """Replace the store with a backup made by `backup` (the current one is kept aside).

    \b
    Example:
      followup-sync restore ~/followups-backup.sqlite3
    """
    from .restore import restore_store

    kept = restore_store(app.data_dir, path.expanduser())
    click.echo(f"Restored from {path}" + (f"; the previous store is at {kept}" if kept else ""))


def main() -> None:
    cli(prog_name="followup-sync")


def _register_feed_commands() -> None:
    # feed_cli stays light: waitress and icalendar load only when serving.
    from .feed_cli import feed, serve

    cli.add_command(serve)
    cli.add_command(feed)


_register_feed_commands()
