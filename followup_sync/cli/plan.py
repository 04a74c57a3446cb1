"""Commands that read the plan: list, plan, draft."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UserInputError
from .applications import next_item
from .context import APPLICATION, AppContext, echo_json, json_option, pass_app


@click.command("list")
@json_option("Machine-readable output.")
@pass_app
def list_(app: AppContext, as_json):
    """Applications, their status, and the next step with its date.

    \b
    Example:
      followup-sync list --json
    """
    from ..report import list_json, reply_text

    rows = [(a, next_item(app.desired.items(a))) for a in app.applications()]
    if as_json:
        echo_json(list_json(app.today, rows))
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
            nxt = reply_text(a) or "-"
        else:
            step = {"nudge": f"follow-up {n.attempt}", "thank_you": "thank-you note"}.get(
                n.kind.value, "move on"
            )
            late = " OVERDUE" if n.status.value == "overdue" else ""
            nxt = f"{step} {n.due:%a %Y-%m-%d %H:%M}{late}"
        click.echo(f"{a.id:<{width}}  {status:<16} {nxt}")


@click.command()
@click.argument("a", required=False, metavar="[ID]", type=APPLICATION)
@json_option()
@pass_app
def plan(app: AppContext, a, as_json):
    """Every follow-up item: kind, attempt, due date-time, UID and status.

    \b
    Example:
      followup-sync plan acme --json
    """
    from ..report import plan_json

    apps = [a] if a is not None else app.applications()
    pairs = [(x, i) for x in apps for i in app.desired.items(x)]
    if as_json:
        echo_json(plan_json(app.today, app.settings.user.timezone, pairs))
        return
    if not pairs:
        click.echo("Nothing planned.")
        return
    for x, i in pairs:
        step = {"nudge": f"nudge {i.attempt}", "thank_you": "thank-you"}.get(
            i.kind.value, "move on"
        )
        click.echo(
            f"{i.due:%a %Y-%m-%d %H:%M %z}  {i.status.value:<9} {x.id}  r{i.round_number} {step}"
        )


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
