"""Email drafts for nudges and the thank-you note, and the move-on note, from templates.

Nudge 1 follows the seed's four parts, in its order: continued interest, why you
fit, an accomplishment (only if given), and a question about next steps (citing
the reply-by date the interviewer gave, if any). Later nudges are short replies
in the same thread: "Re: <nudge-1 subject>", with In-Reply-To/References on the
previous nudge's Message-ID (stable per item), so mail clients thread them and a
reply anywhere in the thread belongs to the application. Every interviewer with
an address is a recipient and is greeted, unless the caller picks one.

Templates live in `followup_sync/templates/`; a file with the same name in a
user's templates directory overrides the built-in one:

    nudge-1.txt      the first nudge
    nudge-again.txt  nudges after the first and before the last
    nudge-last.txt   the last nudge (attempt == max_nudges)
    thank-you.txt    the thank-you note after the interview ([rules] thank_you)
    move-on.txt      the move-on note (its Subject line is not used)

Each starts with a `Subject: ...` line, then a blank line, then the body (the
Subject of nudge-again and nudge-last is not used: they reply in nudge 1's
thread), with `string.Template` variables (`$name` or `${name}`; `$$` for a
dollar sign):

    $greeting                 "Dear Jane,", "Dear Jane and Raj," or "Dear Acme hiring team,"
    $addressee                "Jane", "Jane and Raj" or "Acme hiring team"
    $interviewer              the first interviewer's full name, or ""
    $interviewers             every interviewer's full name, "Jane Doe and Raj Patel"
    $company                  "Acme"
    $role                     "Staff Engineer"
    $stage                    the round's stage, e.g. "onsite", or ""
    $interview_when           "earlier today", "yesterday", "last Tuesday" (within 7 days)
                              or "on November 12", seen from the day the email is sent
    $interview_weekday        "Tuesday"
    $interview_date           "November 12"
    $reply_by_date            "Friday, November 27" when they gave a reply-by date, or ""
    $skills                   the application's skills text, or ""
    $fit_sentence             "I believe my experience with ... would make me a strong
                              addition to the team." (without "with ..." if no skills)
    $accomplishment           the application's accomplishment text, or ""
    $accomplishment_sentence  "I also wanted to share a recent result: I ...", or ""
    $next_steps_sentence      "You mentioned you hoped to decide by Friday, November 27,
                              so I wanted to check in on where things stand." or "I wanted
                              to check in on next steps in the process."
    $attempt                  this nudge's number, "1".."N"
    $nudge_count              the number of nudges in the series, "3"
    $follow_ups               "3 follow-ups" ("1 follow-up"): the series as planned
    $follow_ups_sent          "2 follow-ups": those marked sent in this round
    $your_name                the user's name
    $your_email               the user's email address
    $app_id                   the application id, quoted for the shell if needed

Every value is a single line (control characters and line breaks become
spaces). After filling in, each line's spaces are collapsed and runs of blank
lines become one, so an empty value leaves neither a double space nor a gap.
"""

from __future__ import annotations

import hashlib
import shlex
from datetime import date
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

from .draft_formats import address, as_eml, as_mailto, as_text
from .errors import UserInputError
from .models import (
    THANK_YOU_ATTEMPT,
    Application,
    Draft,
    FollowUpItem,
    Interviewer,
    ItemKind,
    Round,
    User,
    item_uid,
)
from .template_files import TemplateError, template_path, template_text
from .text import header_value

__all__ = ["as_eml", "as_mailto", "as_text", "render_draft", "render_note"]

# Fixed English names: strftime's %A/%B follow the process locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
_MONTHS += ("September", "October", "November", "December")
# "Dear Dr.," is wrong; "Dear Dr. Smith," is what a person would write.
_TITLES = {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor"}


def render_draft(
    item: FollowUpItem,
    app: Application,
    user: User,
    templates_dir: Path | None = None,
    *,
    max_nudges: int = 3,
    send_day: date | None = None,
    to: str | None = None,
) -> Draft:
    """The email draft for nudge or thank-you `item`.

    `max_nudges` (the rules' value) tells which nudge is the last one; the item
    does not carry it. `send_day` is the day the email goes out (default: the
    item's own day): "last Monday" is phrased from it. `to` picks one
    interviewer by name or address instead of addressing all of them.
    """
    if item.kind == ItemKind.MOVE_ON:
        raise ValueError(f"{item.uid} is not an email; use render_note for the move-on marker")
    if item.kind == ItemKind.THANK_YOU:
        name = "thank-you"
    elif item.attempt == 1:
        name = "nudge-1"
    elif item.attempt >= max_nudges:
        name = "nudge-last"
    else:
        name = "nudge-again"
    values, people = _values(item, app, user, max_nudges, send_day, to)
    subject, body = _render(name, values, templates_dir)
    in_reply_to, references = "", ()
    if item.kind == ItemKind.NUDGE and item.attempt > 1:
        # Later nudges reply in nudge 1's thread (RFC 5322 3.6.4: References lists
        # the thread's earlier messages, In-Reply-To the one answered).
        subject = "Re: " + _render("nudge-1", values, templates_dir)[0]
        earlier = [
            item_uid(app.id, item.round_number, f"nudge-{n}") for n in range(1, item.attempt)
        ]
        references = tuple(message_id(uid, user.email) for uid in earlier)
        in_reply_to = references[-1]
    return Draft(
        subject=subject,
        body=body,
        to=tuple((header_value(p.name), address(p.email)) for p in people if address(p.email)),
        from_name=header_value(user.name),
        from_addr=address(user.email),
        message_id=message_id(item.uid, user.email),
        in_reply_to=in_reply_to,
        references=references,
    )


def message_id(uid: str, user_email: str) -> str:
    """A stable Message-ID for the item `uid` (the same for every rendering of it).

    Opaque, so nothing in the header tells the recipient which tool wrote the
    draft; on the user's own domain, like the Message-IDs of the mail they send.
    """
    domain = address(user_email).rpartition("@")[2] or "followup.invalid"
    digest = hashlib.sha256(f"{uid}\x1f{user_email.lower()}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def render_note(
    item: FollowUpItem,
    app: Application,
    user: User,
    templates_dir: Path | None = None,
    *,
    max_nudges: int = 3,
) -> str:
    """The move-on note (plain text, not an email) for the move-on marker `item`."""
    values, _ = _values(item, app, user, max_nudges)
    return _render("move-on", values, templates_dir)[1]


# --- values ------------------------------------------------------------------------


def _values(
    item: FollowUpItem,
    app: Application,
    user: User,
    max_nudges: int,
    send_day: date | None = None,
    to: str | None = None,
) -> tuple[dict[str, str], list[Interviewer]]:
    tz = ZoneInfo(user.timezone or "UTC")
    rnd = _round(app, item.round_number)
    company = header_value(app.company)
    role = header_value(app.role)
    people = _recipients(rnd.interviewers, to)
    names = [header_value(p.name) for p in people if header_value(p.name)]
    team = f"{company} hiring team" if company else "hiring team"
    addressee = _join([_addressee(n) for n in names]) or team
    skills = header_value(app.skills).rstrip(" .")
    accomplishment = header_value(app.accomplishment)
    interviewed = rnd.at.astimezone(tz).date()
    day = send_day or item.due.astimezone(tz).date()
    reply_by = rnd.reply_by
    reply_by_date = f"{_WEEKDAYS[reply_by.weekday()]}, {_month_day(reply_by)}" if reply_by else ""
    if reply_by and day > reply_by:
        next_steps = (
            f"You mentioned you hoped to decide by {reply_by_date}, so I wanted to check in"
            " on where things stand."
        )
    elif reply_by:
        next_steps = (
            f"I know you hoped to decide by {reply_by_date}; in the meantime, I wanted to"
            " check in on next steps in the process."
        )
    else:
        next_steps = "I wanted to check in on next steps in the process."
    experience = f"experience with {skills}" if skills else "experience"
    fit = f"I believe my {experience} would help me make a real contribution to the team."
    sent = sum(
        1 for m in app.sent if m.round_number == rnd.number and m.attempt != THANK_YOU_ATTEMPT
    )
    values = {
        "greeting": f"Dear {addressee},",
        "addressee": addressee,
        "interviewer": names[0] if names else "",
        "interviewers": _join(names),
        "company": company,
        "role": role,
        "stage": header_value(rnd.stage),
        "interview_when": _when(interviewed, day),
        "interview_weekday": _WEEKDAYS[interviewed.weekday()],
        "interview_date": _month_day(interviewed),
        "reply_by_date": reply_by_date,
        "skills": skills,
        "fit_sentence": fit,
        "accomplishment": accomplishment,
        "accomplishment_sentence": _accomplishment_sentence(accomplishment),
        "next_steps_sentence": next_steps,
        "attempt": str(item.attempt or ""),
        "nudge_count": str(max_nudges),
        "follow_ups": _follow_ups(max_nudges),
        "follow_ups_sent": _follow_ups(sent),
        "no_reply_sentence": _no_reply(company, role, sent, max_nudges),
        "your_name": header_value(user.name),
        "your_email": address(user.email),
        "app_id": shlex.quote(header_value(app.id)),
    }
    return values, people


def _follow_ups(n: int) -> str:
    return f"{n} follow-up{'' if n == 1 else 's'}"


def _no_reply(company: str, role: str, sent: int, planned: int) -> str:
    """What actually happened, for the move-on note."""
    about = f"No reply from {company} about the {role} position"
    if sent >= planned:
        return f"{about} after {_follow_ups(sent)}."
    if sent:
        return f"{about} after {_follow_ups(sent)} (of {planned} planned)."
    return f"{about}, and none of the {_follow_ups(planned)} was marked sent."


def _recipients(interviewers: tuple[Interviewer, ...], to: str | None) -> list[Interviewer]:
    """Everyone with a name or a usable address, or the one `to` names."""
    people = [i for i in interviewers if header_value(i.name) or address(i.email)]
    if to is None:
        return people
    wanted = " ".join(to.split()).casefold()
    for person in people:
        name = header_value(person.name).casefold()
        if wanted in (name, person.email.casefold()) or (name and wanted == name.split()[0]):
            return [person]
    known = ", ".join(str(p) for p in people) or "none"
    raise UserInputError(f"no interviewer matches {to!r} (interviewers: {known})")


def _join(words: list[str]) -> str:
    """ "Jane", "Jane and Raj", "Jane, Raj and Ana"."""
    if len(words) <= 1:
        return words[0] if words else ""
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _round(app: Application, number: int) -> Round:
    # The item's own round; the current one if the application no longer has it.
    return next((r for r in app.rounds if r.number == number), app.current_round)


def _addressee(name: str) -> str:
    """First name ("Jane Doe" -> "Jane"), or title and surname ("Dr. Jane Smith" -> "Dr. Smith")."""
    words = name.split()
    if len(words) > 1 and words[0].rstrip(".").lower() in _TITLES:
        return f"{words[0]} {words[-1]}"
    return words[0] if words else ""


def _when(interviewed: date, send_day: date) -> str:
    """How the email refers to the interview, seen from the day it is sent."""
    days = (send_day - interviewed).days
    if days == 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    if 2 <= days <= 7:
        return f"last {_WEEKDAYS[interviewed.weekday()]}"
    return f"on {_month_day(interviewed)}"


def _month_day(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}"


# A sentence starts with one of these (lower-cased after the colon); any other
# capitalised word is taken for a name and kept as it is.
_SENTENCE_STARTS = {"we", "our", "my", "the", "this", "a", "an", "last", "in", "at"}


def _accomplishment_sentence(text: str) -> str:
    """A clean sentence whatever the user typed: a clause ("cut our latency by 40%"),
    a sentence about themselves ("I led ...") or about something else."""
    if not text:
        return ""
    end = "" if text[-1] in ".!?" else "."
    first = text.split()[0]
    if first == "I" or first.startswith("I'"):
        clause = text
    elif first[0].islower():
        clause = f"I {text}"  # a clause without its subject: "cut our API's p99 ..."
    elif first.lower() in _SENTENCE_STARTS:
        clause = text[0].lower() + text[1:]
    else:
        clause = text
    return f"I also wanted to share a recent result: {clause}{end}"


# --- templates ---------------------------------------------------------------------


def _render(name: str, values: dict[str, str], templates_dir: Path | None) -> tuple[str, str]:
    """(subject, body) of template `name` filled with `values`."""
    path = template_path(name, templates_dir)
    text = template_text(path)
    first, _, rest = text.partition("\n")
    if not first.startswith("Subject:"):
        raise TemplateError(f"{path}: the first line must be 'Subject: ...', then a blank line")
    subject = header_value(_fill(first.removeprefix("Subject:"), values, path))
    return subject, _tidy(_fill(rest, values, path))


def _fill(text: str, values: dict[str, str], path: Path) -> str:
    template = Template(text)
    # Unknown names first: substitute() on a template that is also malformed would
    # raise KeyError for the name before it reaches the bad "$".
    for name in template.get_identifiers():
        if name not in values:
            raise TemplateError(
                f"{path}: unknown template variable ${name}; "
                f"known: {', '.join('$' + v for v in sorted(values))}"
            )
    try:
        return template.substitute(values)
    except ValueError as exc:  # e.g. "Invalid placeholder in string: line 3, col 5"
        raise TemplateError(f"{path}: {exc} (write $$ for a literal $)") from None


def _tidy(body: str) -> str:
    """Collapse spaces in each line and runs of blank lines, so empty values leave no trace."""
    lines = [" ".join(line.split()) for line in body.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")
