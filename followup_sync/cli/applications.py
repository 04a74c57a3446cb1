"""Commands that change applications: add, edit, sent, heard, close, reopen, remove."""

from __future__ import annotations

import sys
from datetime import date

import click

from ..errors import UserInputError
from .context import APPLICATION, DAY, WHEN, AppContext, pass_app


@click.command()
@click.argument("company")
@click.option("--role", required=True, help="The job title.")
@click.option(
    "--date",
    "when",
    type=WHEN,
    required=True,
    help='Interview date/time: "2026-11-20 14:00", "yesterday"...',
)
@click.option(
    "--interviewer",
    "interviewers",
    multiple=True,
    metavar='"NAME <EMAIL>"',
    help="Repeat for each.",
)
@click.option("--reply-by", type=DAY, help="When they said you would hear back.")
@click.option("--stage", default="", help='e.g. "phone screen", "onsite".')
@click.option("--skills", default="", help="Why you fit: skills to mention in the email.")
@click.option("--accomplishment", default="", help="A recent accomplishment worth sharing.")
@click.option("--notes", default="", help="Anything else to remember.")
@pass_app
def add(
    app: AppContext,
    company,
    role,
    when,
    interviewers,
    reply_by,
    stage,
    skills,
    accomplishment,
    notes,
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
    from ..applications import add_interview, parse_interviewers

    with app.store.write() as tx:
        added = add_interview(
            tx,
            company=company,
            role=role,
            at=when,
            interviewers=parse_interviewers(interviewers),
            reply_by=reply_by,
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


def next_item(items):
    """The first item still to do (planned or overdue), or None."""
    for item in items:
        if item.status.value in ("planned", "overdue"):
            return item
    return None


@click.command()
@click.argument("a", metavar="ID", type=APPLICATION)
@click.option("--attempt", type=int, help="Which follow-up (default: the next unsent one).")
@click.option("--on", "on", type=DAY, help="When you sent it (default: today).")
@pass_app
def sent(app: AppContext, a, attempt, on):
    """Mark a follow-up sent; the rest of the series is re-planned from that day.

    \b
    Example:
      followup-sync sent acme --on yesterday
    """
    from ..applications import mark_sent, next_unsent_attempt

    if not a.is_open:
        raise UserInputError(
            f"{a.id} is {a.status.value}; reopen it first (followup-sync reopen {a.id})"
        )
    if attempt is None:
        attempt = next_unsent_attempt(a, app.desired.items(a))
    day = on or app.today
    with app.store.write() as tx:
        mark_sent(tx, a, attempt, day, app.settings.rules.max_nudges, app.now())
        updated = tx.application(a.id)
    click.echo(f"{a.id}: follow-up {attempt} marked sent on {day}")
    nxt = next_item(app.desired.items(updated))
    if nxt:
        step = f"follow-up {nxt.attempt}" if nxt.attempt else "move on"
        click.echo(f"Next: {step} on {nxt.due:%a %Y-%m-%d %H:%M}")


@click.command()
@click.argument("a", metavar="ID", type=APPLICATION)
@click.option(
    "--outcome",
    type=click.Choice(["offer", "rejected", "next-round", "other"]),
    default="other",
    show_default=True,
)
@click.option("--on", "on", type=DAY, help="When you heard (default: today).")
@pass_app
def heard(app: AppContext, a, outcome, on):
    """You heard back: pending follow-ups are withdrawn at the next push.

    For a next round, also add it: followup-sync add COMPANY --role ROLE --date WHEN.

    \b
    Example:
      followup-sync heard acme --outcome next-round
    """
    from ..applications import mark_heard
    from ..models import Outcome

    with app.store.write() as tx:
        mark_heard(tx, a, Outcome(outcome), on or app.today, app.now())
    click.echo(
        f"{a.id}: heard back ({outcome}); pending follow-ups will be removed at the next push"
    )


@click.command("close")
@click.argument("a", metavar="ID", type=APPLICATION)
@pass_app
def close_(app: AppContext, a):
    """Stop following up (you moved on); pending items are withdrawn at the next push.

    \b
    Example:
      followup-sync close acme
    """
    from ..applications import close

    with app.store.write() as tx:
        close(tx, a, app.today, app.now())
    click.echo(f"{a.id}: closed")


@click.command()
@click.argument("a", metavar="ID", type=APPLICATION)
@pass_app
def reopen(app: AppContext, a):
    """Undo `heard` or `close`: the follow-ups come back.

    \b
    Example:
      followup-sync reopen acme
    """
    from ..applications import reopen as do_reopen

    with app.store.write() as tx:
        do_reopen(tx, a, app.now())
    click.echo(f"{a.id}: waiting again")


@click.command()
@click.argument("a", metavar="ID", type=APPLICATION)
@click.option("--company")
@click.option("--role")
@click.option("--date", "when", type=WHEN, help="Move the latest interview.")
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
    app: AppContext,
    a,
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
    from ..applications import edit as do_edit
    from ..applications import parse_interviewers

    reply: date | None | bool = False
    if reply_by is not None:
        reply = None if reply_by.strip().lower() in ("none", "") else app.day(reply_by)
    with app.store.write() as tx:
        do_edit(
            tx,
            a,
            app.now(),
            company=company,
            role=role,
            skills=skills,
            accomplishment=accomplishment,
            notes=notes,
            at=when,
            reply_by=reply,
            interviewers=parse_interviewers(interviewers) if interviewers else None,
            stage=stage,
        )
    click.echo(f"{a.id}: updated")


@click.command()
@click.argument("a", metavar="ID", type=APPLICATION)
@click.option("--yes", is_flag=True, help="Do not ask.")
@pass_app
def remove(app: AppContext, a, yes):
    """Delete an application; its items are deleted from providers at the next push.

    \b
    Example:
      followup-sync remove acme --yes
    """
    if not yes and sys.stdin.isatty():
        click.confirm(f"Remove {a.id} ({a.company}, {a.role})?", abort=True)
    with app.store.write() as tx:
        tx.delete_application(a.id)
    click.echo(f"{a.id}: removed")


COMMANDS = [add, edit, sent, heard, close_, reopen, remove]
