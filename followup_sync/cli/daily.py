"""The commands of every morning: `today` (what to do now) and `show` (one application)."""

from __future__ import annotations

from datetime import date

import click

from .context import APPLICATION, AppContext, echo_json, json_option, pass_app


def short_ids(ids: list[str]) -> dict[str, str]:
    """The shortest prefix of each id, cut at a "-", that no other id starts with.

    `draft acme` is what a person types; the full id always works too.
    """
    out = {}
    for app_id in ids:
        parts = app_id.split("-")
        for n in range(1, len(parts) + 1):
            prefix = "-".join(parts[:n])
            if not any(o != app_id and o.startswith(prefix) for o in ids):
                out[app_id] = prefix
                break
        else:
            out[app_id] = app_id
    return out


def actions(item, short: str) -> tuple[str, str]:
    """The command to run for an item, and the one for when it is done."""
    from ..models import ItemKind

    if item.kind == ItemKind.THANK_YOU:
        return f"followup-sync draft {short} --thank-you", f"followup-sync sent {short} --thank-you"
    if item.kind == ItemKind.MOVE_ON:
        return f"followup-sync close {short}", f"(or followup-sync heard {short} if they answered)"
    attempt = "" if item.attempt == 1 else f" --attempt {item.attempt}"
    return f"followup-sync draft {short}{attempt}", f"followup-sync sent {short}"


def step_label(item) -> str:
    from ..models import Channel, ItemKind

    if item.kind == ItemKind.THANK_YOU:
        return "thank-you note"
    if item.kind == ItemKind.MOVE_ON:
        return "time to move on"
    verb = "call or email" if item.channel == Channel.PHONE else "follow-up"
    return f"{verb} {item.attempt}"


def _when(day: date, today: date) -> str:
    days = (today - day).days
    if days == 0:
        return "today"
    if days == 1:
        return "1 day overdue"
    return f"{days} days overdue"


@click.command()
@json_option()
@pass_app
def today(app: AppContext, as_json):
    """What to do today, and what is overdue, each with the command to run.

    Run it every morning. An overdue follow-up is still worth sending: the draft is
    written as of today.

    \b
    Example:
      followup-sync today
    """
    from ..report import item_json

    every = app.applications()
    apps = [a for a in every if a.is_open]
    short = short_ids([a.id for a in every])
    due, upcoming = [], []
    for a in apps:
        for item in app.desired.items(a):
            if item.status.value not in ("planned", "overdue"):
                continue
            (due if item.due.date() <= app.today else upcoming).append((a, item))
    due.sort(key=lambda p: (p[1].due, p[0].id))
    if as_json:
        echo_json(
            {
                "today": app.today.isoformat(),
                "items": [
                    {
                        **item_json(a, i),
                        "do": actions(i, short[a.id])[0],
                        "then": actions(i, short[a.id])[1],
                    }
                    for a, i in due
                ],
            }
        )
        return
    out = app.printer()
    if not due:
        nxt = min(upcoming, key=lambda p: p[1].due, default=None)
        if nxt is None:
            out.line(
                "Nothing to do today, and nothing planned: add an interview with"
                " `followup-sync add COMPANY --role ROLE --date WHEN`."
            )
        else:
            a, item = nxt
            out.line(
                f"Nothing to do today. Next: {a.company}, {step_label(item)} on"
                f" {item.due:%a %Y-%m-%d}."
            )
        return
    overdue = sum(1 for _, i in due if i.due.date() < app.today)
    head = f"{app.today:%a %Y-%m-%d}: {len(due)} to do"
    out.line(head + (f" ({overdue} overdue)" if overdue else ""), "header")
    for a, item in due:
        kind = "overdue" if item.due.date() < app.today else "today"
        title = f"{a.company} ({a.role}): {step_label(item)}"
        out.line()
        out.line(f"  {_when(item.due.date(), app.today):<16} {title}", kind)
        do, then = actions(item, short[a.id])
        out.line(f"  {'':<16} {do}")
        out.line(f"  {'':<16} then {then}" if not then.startswith("(") else f"  {'':<16} {then}")


@click.command()
@click.argument("a", metavar="ID", type=APPLICATION)
@json_option()
@pass_app
def show(app: AppContext, a, as_json):
    """Everything about one application: rounds, interviewers, notes, every item.

    \b
    Example:
      followup-sync show acme
    """
    from ..report import application_json, item_json, reply_text

    items = app.desired.items(a)
    if as_json:
        echo_json({**application_json(a), "items": [item_json(a, i) for i in items]})
        return
    out = app.printer()
    tz = app.settings.tz
    out.line(f"{a.company}, {a.role}  ({a.id})", "header")
    status = a.status.value
    if a.outcome:
        status += f" ({a.outcome.value})"
    if a.status_on:
        status += f" since {a.status_on:%a %Y-%m-%d}"
    out.line(f"  status:          {status}")
    if a.reply is not None:  # found in the mailbox (docs/mail.md)
        out.line(f"  reply:           {reply_text(a, subject=True)}")
    for label, value in (
        ("skills", a.skills),
        ("accomplishment", a.accomplishment),
        ("notes", a.notes),
    ):
        if value:
            out.line(f"  {label + ':':<16} {value}")
    for rnd in a.rounds:
        out.line()
        at = rnd.at.astimezone(tz)
        stage = f", {rnd.stage}" if rnd.stage else ""
        out.line(f"Round {rnd.number}: {at:%a %Y-%m-%d %H:%M %Z}{stage}", "header")
        for person in rnd.interviewers:
            out.line(f"  interviewer:     {person}")
        if rnd.reply_by:
            out.line(f"  reply by:        {rnd.reply_by:%a %Y-%m-%d}")
        for line in rnd.notes.splitlines():
            out.line(f"  notes:           {line}")
    out.line()
    out.line("Follow-ups", "header")
    for item in items:
        if item.status.value == "withdrawn" and item.round_number != a.current_round.number:
            continue  # an earlier round's withdrawn steps: history, not news
        extra = f" (sent {item.sent_on:%a %Y-%m-%d})" if item.sent_on else ""
        kind = item.status.value if item.status.value in ("overdue", "sent", "withdrawn") else None
        if kind is None and item.due.date() == app.today:
            kind = "today"
        line = f"  {item.status.value:<10} {item.due:%a %Y-%m-%d %H:%M}  r{item.round_number}"
        out.line(f"{line} {step_label(item)}{extra}", kind)


COMMANDS = [today, show]
