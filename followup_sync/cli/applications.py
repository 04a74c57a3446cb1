"""Commands that change applications: add, edit, sent, heard, close, reopen, remove."""

from __future__ import annotations

import sys
from datetime import date

import click

from ..errors import UserInputError
from .context import APPLICATION, DAY, TEXT_DATE, WHEN, AppContext, pass_app


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
@click.option(
    "--reply-by",
    type=TEXT_DATE,
    help='When they said you would hear back ("friday" = the first Friday after the interview).',
)
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
    """Record an interview; prints the application id and what it understood.

    An interview for the same company and role as an open application (or one you
    heard back from with "next-round" or "other") is its next round: the
    follow-ups restart from it. After an offer, a rejection or `close`, it starts
    a new application. A weekday ("friday") means the coming one; write "last
    friday" for the past one.

    \b
    Example:
      followup-sync add Acme --role "Backend Engineer" --date "2026-11-20 14:00" \\
          --interviewer "Jane Doe <jane@acme.example>" --reply-by "next friday" \\
          --skills "Python, Postgres and on-call leadership"
    """
    from ..applications import add_interview, parse_interviewers

    app.note_missing_config()
    people = parse_interviewers(interviewers)
    reply = app.reply_by(reply_by, when) if reply_by else None
    with app.store.write() as tx:
        added = add_interview(
            tx,
            company=company,
            role=role,
            at=when,
            interviewers=people,
            reply_by=reply,
            stage=stage,
            skills=skills,
            accomplishment=accomplishment,
            notes=notes,
            now=app.now(),
        )
        a = tx.application(added.app_id)
    click.echo(added.app_id)
    if added.unchanged:
        click.echo("This interview was already recorded; nothing changed.", err=True)
    elif added.reopened:
        click.echo(
            f"Round {added.round_number} of {added.app_id}, which you had heard back from:"
            " reopened; follow-ups restart from this interview.",
            err=True,
        )
    elif not added.created:
        click.echo(
            f"Round {added.round_number} of {added.app_id}: follow-ups restart from this interview.",
            err=True,
        )
    else:
        click.echo(f"New application {added.app_id}.", err=True)
    echo_understood(app, a)


def echo_understood(app: AppContext, a) -> None:
    """What was understood: the interview with its zone, the reply-by date, the first step."""
    from ..models import ItemKind

    rnd = a.current_round
    at = rnd.at.astimezone(app.settings.tz)
    lines = [f"  interview:       {at:%a %Y-%m-%d %H:%M %Z} ({app.settings.user.timezone})"]
    if rnd.reply_by:
        lines.append(f"  reply by:        {rnd.reply_by:%a %Y-%m-%d}")
    first = next(
        (
            i
            for i in app.desired.items(a)
            if i.round_number == rnd.number and i.kind == ItemKind.NUDGE
        ),
        None,
    )
    if first is not None and a.is_open:
        lines.append(f"  first follow-up: {first.due:%a %Y-%m-%d %H:%M}")
    for line in lines:
        click.echo(line, err=True)


def next_item(items):
    """The first item still to do (planned or overdue), or None."""
    for item in items:
        if item.status.value in ("planned", "overdue"):
            return item
    return None


def step_name(item) -> str:
    """ "follow-up 2", "the thank-you note", "the move-on marker"."""
    from ..models import ItemKind

    if item.kind == ItemKind.NUDGE:
        return f"follow-up {item.attempt}"
    return "the thank-you note" if item.kind == ItemKind.THANK_YOU else "the move-on marker"


@click.command()
@click.argument("a", metavar="ID", type=APPLICATION)
@click.option("--attempt", type=int, help="Which follow-up (default: the next unsent one).")
@click.option("--thank-you", is_flag=True, help="The thank-you note, not a follow-up.")
@click.option("--on", "on", type=DAY, help="When you sent it (default: today).")
@click.option(
    "--force", is_flag=True, help="Correct a mark: re-mark a sent one, or skip unsent earlier ones."
)
@pass_app
def sent(app: AppContext, a, attempt, thank_you, on, force):
    """Mark a follow-up sent; the rest of the series is re-planned from that day.

    \b
    Example:
      followup-sync sent acme --on yesterday
    """
    from ..applications import mark_sent, next_unsent_attempt
    from ..models import THANK_YOU_ATTEMPT

    if not a.is_open:
        raise UserInputError(
            f"{a.id} is {a.status.value}; reopen it first (followup-sync reopen {a.id})"
        )
    if thank_you and attempt is not None:
        raise UserInputError("give --thank-you or --attempt, not both")
    if thank_you:
        attempt = THANK_YOU_ATTEMPT
    elif attempt is None:
        attempt = next_unsent_attempt(a, app.desired.items(a))
    day = on or app.today
    with app.store.write() as tx:
        mark_sent(
            tx,
            a,
            attempt,
            day,
            app.settings.rules.max_nudges,
            app.now(),
            today=app.today,
            force=force,
        )
        updated = tx.application(a.id)
    what = "the thank-you note" if thank_you else f"follow-up {attempt}"
    click.echo(f"{a.id}: {what} marked sent on {day}")
    nxt = next_item(app.desired.items(updated))
    if nxt:
        click.echo(f"Next: {step_name(nxt)}, {nxt.due:%a %Y-%m-%d %H:%M}")


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
        interview = when or a.current_round.at
        reply = (
            None if reply_by.strip().lower() in ("none", "") else app.reply_by(reply_by, interview)
        )
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
        updated = tx.application(a.id)
    click.echo(f"{a.id}: updated")
    echo_understood(app, updated)


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
    if not yes:
        if not sys.stdin.isatty():
            # No one to ask: a piped "n" (or anything else) must not delete.
            raise UserInputError(f"removing {a.id} needs --yes when not run at a terminal")
        click.confirm(f"Remove {a.id} ({a.company}, {a.role})?", abort=True)
    with app.store.write() as tx:
        tx.delete_application(a.id)
    click.echo(f"{a.id}: removed")


COMMANDS = [add, edit, sent, heard, close_, reopen, remove]
