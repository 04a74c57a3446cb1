"""Commands that read the plan: list, plan, draft."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UserInputError
from .applications import next_item
from .context import APPLICATION, AppContext, echo_json, json_option, pass_app


def _next_label(item) -> str:
    from .daily import step_label

    return f"{step_label(item)}, {item.due:%a %m-%d}"


@click.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["waiting", "heard", "closed"]),
    help="Only these (repeat for several).",
)
@click.option("--all", "show_all", is_flag=True, help="Closed applications too.")
@json_option("Machine-readable output (the same filters).")
@pass_app
def list_(app: AppContext, statuses, show_all, as_json):
    """Applications (not the closed ones, unless --all), their status and next step.

    \b
    Example:
      followup-sync list
      followup-sync list --status heard --json
    """
    from ..report import list_json, reply_text
    from .daily import short_ids

    apps = app.applications()
    short = short_ids([x.id for x in apps])
    wanted = (
        set(statuses)
        if statuses
        else ({"waiting", "heard", "closed"} if show_all else {"waiting", "heard"})
    )
    shown = [a for a in apps if a.status.value in wanted]
    rows = [(a, next_item(app.desired.items(a))) for a in shown]
    if as_json:
        echo_json(list_json(app.today, rows))
        return
    from .output import Column

    out = app.printer()
    if not apps:
        out.line("No applications yet. Add one: followup-sync add COMPANY --role ROLE --date WHEN")
        return
    table, kinds = [], []
    for a, n in rows:
        status = a.status.value + (f" ({a.outcome.value})" if a.outcome else "")
        if n is None:
            nxt, kind = reply_text(a) or "-", None
        else:
            late = n.due.date() < app.today
            nxt = _next_label(n) + (" overdue" if late else "")
            kind = "overdue" if late else ("today" if n.due.date() == app.today else None)
        table.append((short[a.id], a.company, a.role, status, nxt))
        kinds.append(kind)
    columns = [
        Column("ID", 2, 16),
        Column("COMPANY", 7, 28),
        Column("ROLE", 4, 32),
        Column("STATUS", 6, 22, shrink=False),
        Column("NEXT", 10, shrink=False),
    ]
    out.table(columns, table, kinds)
    hidden = len(apps) - len(shown)
    if hidden and not statuses:
        out.line(f"({hidden} closed not shown: --all)", "muted")


@click.command()
@click.argument("a", required=False, metavar="[ID]", type=APPLICATION)
@click.option(
    "--by",
    type=click.Choice(["date", "app"]),
    default="date",
    show_default=True,
    help="Order by due date, or by application (then round and step).",
)
@click.option(
    "--all", "show_all", is_flag=True, help="Withdrawn items (earlier rounds, closed) too."
)
@json_option()
@pass_app
def plan(app: AppContext, a, by, show_all, as_json):
    """Every follow-up item with its due date and status (UIDs in --json).

    \b
    Example:
      followup-sync plan
      followup-sync plan acme --json
    """
    from ..report import plan_json
    from .daily import step_label

    apps = [a] if a is not None else app.applications()
    pairs = [(x, i) for x in apps for i in app.desired.items(x)]
    if as_json:
        echo_json(plan_json(app.today, app.settings.user.timezone, pairs))
        return
    from .output import Column

    if not show_all:
        pairs = [(x, i) for x, i in pairs if i.status.value != "withdrawn"]
    if by == "date":
        pairs.sort(key=lambda p: (p[1].due, p[0].id))
    out = app.printer()
    if not pairs:
        out.line("Nothing planned.")
        return
    rows, kinds = [], []
    for x, i in pairs:
        rows.append(
            (
                f"{i.due:%a %Y-%m-%d %H:%M}",
                i.status.value,
                x.company,
                x.role,
                step_label(i) + (f" (r{i.round_number})" if len(x.rounds) > 1 else ""),
            )
        )
        kind = i.status.value if i.status.value in ("overdue", "sent", "withdrawn") else None
        if kind is None and i.due.date() == app.today:
            kind = "today"
        kinds.append(kind)
    columns = [
        Column("DUE", 20, shrink=False),
        Column("STATUS", 9, shrink=False),
        Column("COMPANY", 7, 24),
        Column("ROLE", 4, 28),
        Column("STEP", 8, 30),
    ]
    out.table(columns, rows, kinds)


@click.command()
@click.argument("a", metavar="ID", type=APPLICATION)
@click.option("--attempt", type=int, help="Which follow-up (default: the next unsent one).")
@click.option("--thank-you", is_flag=True, help="The thank-you note ([rules] thank_you).")
@click.option("--to", "to", metavar="NAME", help="Write to this interviewer only (name or email).")
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
def draft(app: AppContext, a, attempt, thank_you, to, fmt, output):
    """Print the email draft for a follow-up (written as of today when it is overdue).

    Several interviewers are all addressed and greeted; --to picks one.

    \b
    Example:
      followup-sync draft acme --format eml -o followup.eml   # opens as a draft
    """
    from datetime import datetime

    from .. import drafts
    from ..applications import next_unsent_attempt
    from ..models import ItemKind

    app.note_missing_config()
    items = [i for i in app.desired.items(a) if i.round_number == a.current_round.number]
    rules = app.settings.rules
    if thank_you:
        item = next((i for i in items if i.kind == ItemKind.THANK_YOU), None)
        if item is None:
            raise UserInputError("no thank-you note is planned: set thank_you = true under [rules]")
    else:
        if attempt is None:
            try:
                attempt = next_unsent_attempt(a, items)
            except UserInputError:
                attempt = rules.max_nudges
        if not 1 <= attempt <= rules.max_nudges:
            raise UserInputError(f"attempt must be between 1 and {rules.max_nudges}")
        item = next(i for i in items if i.kind == ItemKind.NUDGE and i.attempt == attempt)
    # Written today when it is overdue (or sent late): "last Monday" must be true
    # on the day the email goes out, and so must its Date.
    send_day = max(app.today, item.due.date()) if item.sent_on is None else item.sent_on
    d = drafts.render_draft(
        item,
        a,
        app.settings.user,
        app.settings.templates_dir,
        max_nudges=rules.max_nudges,
        send_day=send_day,
        to=to,
    )
    if fmt == "eml":
        when = datetime.combine(send_day, item.due.timetz())
        data = drafts.as_eml(d, when=when)
    elif fmt == "mailto":
        data = (drafts.as_mailto(d) + "\n").encode()
    else:
        data = (drafts.as_text(d) + "\n").encode()
    if output:
        try:
            output.write_bytes(data)
        except OSError as e:
            raise UserInputError(f"cannot write {output}: {e.strerror}") from None
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


COMMANDS = [list_, plan, draft]
