"""Email drafts for nudges, and the move-on note, from plain-text templates.

Nudge 1 follows the seed's four parts: continued interest, why you fit, an
accomplishment (only if given), and a question about next steps. Later nudges
are short: "checking in again", then a gracious last one.

Templates live in `followup_sync/templates/`; a file with the same name in a
user's templates directory overrides the built-in one:

    nudge-1.txt      the first nudge
    nudge-again.txt  nudges after the first and before the last
    nudge-last.txt   the last nudge (attempt == max_nudges)
    move-on.txt      the move-on note (its Subject line is not used)

Each starts with a `Subject: ...` line, then a blank line, then the body, with
`string.Template` variables (`$name` or `${name}`; `$$` for a dollar sign):

    $greeting                 "Dear Jane," or "Dear Acme hiring team,"
    $addressee                "Jane" or "Acme hiring team"
    $interviewer              the interviewer's full name, or ""
    $company                  "Acme"
    $role                     "Staff Engineer"
    $stage                    the round's stage, e.g. "onsite", or ""
    $interview_when           "last Tuesday" (within 7 days), "earlier today" or "on November 12"
    $interview_weekday        "Tuesday"
    $interview_date           "November 12"
    $skills                   the application's skills text, or ""
    $fit_sentence             "I know that my past experience with ... will make me an
                              incredible asset to Acme." (without "with ..." if no skills)
    $accomplishment           the application's accomplishment text, or ""
    $accomplishment_sentence  "I'm also glad to share a recent accomplishment: ...", or ""
    $attempt                  this nudge's number, "1".."N"
    $nudge_count              the number of nudges in the series, "3"
    $follow_ups               "3 follow-ups" ("1 follow-up")
    $your_name                the user's name
    $your_email               the user's email address
    $app_id                   the application id, quoted for the shell if needed

Every value is a single line (control characters and line breaks become
spaces). After filling in, each line's spaces are collapsed and runs of blank
lines become one, so an empty value leaves neither a double space nor a gap.
"""

from __future__ import annotations

import functools
import re
import shlex
from datetime import date, datetime
from email import quoprimime
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.utils import format_datetime
from pathlib import Path
from string import Template
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from .errors import ConfigError
from .models import Application, Draft, FollowUpItem, Interviewer, ItemKind, Round, User
from .text import header_value


class TemplateError(ConfigError, ValueError):
    """A broken template in the user's templates/ folder: a config error (exit 3).

    Also a ValueError, for library callers that catch that.
    """


__all__ = ["as_eml", "as_mailto", "as_text", "render_draft", "render_note"]

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
# Fixed English names: strftime's %A/%B follow the process locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
_MONTHS += ("September", "October", "November", "December")
# "Dear Dr.," is wrong; "Dear Dr. Smith," is what a person would write.
_TITLES = {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor"}
# Deliberately plain: something a mail client will accept in To, not all of RFC 5322.
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def render_draft(
    item: FollowUpItem,
    app: Application,
    user: User,
    templates_dir: Path | None = None,
    *,
    max_nudges: int = 3,
) -> Draft:
    """The email draft for nudge `item` (nudge-1, nudge-again or nudge-last).

    `max_nudges` (the rules' value) tells which nudge is the last one; the item
    does not carry it.
    """
    if item.kind != ItemKind.NUDGE or item.attempt is None:
        raise ValueError(f"{item.uid} is not a nudge; use render_note for the move-on marker")
    if item.attempt == 1:
        name = "nudge-1"
    elif item.attempt >= max_nudges:
        name = "nudge-last"
    else:
        name = "nudge-again"
    values, contact = _values(item, app, user, max_nudges)
    subject, body = _render(name, values, templates_dir)
    return Draft(
        subject=subject,
        body=body,
        to_name=header_value(contact.name) if contact else "",
        to_addr=_address(contact.email) if contact else "",
        from_name=header_value(user.name),
        from_addr=_address(user.email),
    )


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


def as_text(draft: Draft) -> str:
    """The draft as plain text: "Subject: ..." line, blank line, body."""
    return f"Subject: {header_value(draft.subject)}\n\n{draft.body}"


def as_mailto(draft: Draft) -> str:
    """A mailto: URI (RFC 6068) that opens the draft in the user's mail client."""
    # RFC 6068 section 5: line breaks in the body are %0D%0A; spaces are %20 (a
    # "+" is a literal plus in mailto:, unlike in HTML forms).
    query = urlencode(
        {"subject": header_value(draft.subject), "body": _crlf(draft.body)},
        quote_via=quote,
    )
    return f"mailto:{quote(_address(draft.to_addr), safe='@+')}?{query}"


def as_eml(draft: Draft, when: datetime | None = None) -> bytes:
    """The draft as an RFC 5322 message that mail clients open as an unsent draft.

    Deterministic: no Message-ID and a single text/plain part (no boundary), so
    the same draft always gives the same bytes. From and To are left out when
    there is no plausible address (the mail client fills From in).

    Written directly rather than through EmailMessage, which took ~600 µs a
    message (most of a push's rendering); tests/test_drafts.py checks that the
    bytes equal what EmailMessage(policy=SMTP) with set_content() writes.
    """
    headers = []
    # Values are re-sanitised here too: a Draft may come from elsewhere than render_draft.
    if addr := _address(draft.from_addr):
        headers.append(("From", _mailbox("From", draft.from_name, addr)))
    if addr := _address(draft.to_addr):
        headers.append(("To", _mailbox("To", draft.to_name, addr)))
    headers.append(("Subject", _fold("Subject", header_value(draft.subject))))
    if when is not None:
        headers.append(("Date", format_datetime(when)))
    # Outlook opens a message with X-Unsent: 1 as a draft to edit and send.
    headers.append(("X-Unsent", "1"))
    headers.append(("Content-Type", 'text/plain; charset="utf-8"'))
    headers.append(("Content-Transfer-Encoding", "quoted-printable"))
    headers.append(("MIME-Version", "1.0"))
    # Quoted-printable keeps long lines and non-ASCII text readable and valid; a
    # lone CR would be written raw, so every line break becomes one "\n" first.
    lines = _crlf(draft.body).replace("\r\n", "\n").encode("utf-8").splitlines()
    body = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), 78)
    # _fold joins folded lines with "\n" and values hold no other line breaks
    # (_one_line), so every "\n" becomes the CRLF RFC 5322 requires.
    text = "".join(f"{name}: {value}\n" for name, value in headers) + "\n" + body
    return text.replace("\n", "\r\n").encode("ascii")


# --- values ------------------------------------------------------------------------


def _values(
    item: FollowUpItem, app: Application, user: User, max_nudges: int
) -> tuple[dict[str, str], Interviewer | None]:
    tz = ZoneInfo(user.timezone or "UTC")
    rnd = _round(app, item.round_number)
    company = header_value(app.company)
    role = header_value(app.role)
    contact = _contact(rnd.interviewers)
    team = f"{company} hiring team" if company else "hiring team"
    addressee = _addressee(header_value(contact.name)) if contact and contact.name else ""
    addressee = addressee or team
    skills = header_value(app.skills).rstrip(" .")
    accomplishment = header_value(app.accomplishment)
    interviewed = rnd.at.astimezone(tz).date()
    asset_to = company or "your team"
    fit = f"I know that my past experience{f' with {skills}' if skills else ''} will make me "
    fit += f"an incredible asset to {asset_to}."
    values = {
        "greeting": f"Dear {addressee},",
        "addressee": addressee,
        "interviewer": header_value(contact.name) if contact else "",
        "company": company,
        "role": role,
        "stage": header_value(rnd.stage),
        "interview_when": _when(interviewed, item.due.astimezone(tz).date()),
        "interview_weekday": _WEEKDAYS[interviewed.weekday()],
        "interview_date": _month_day(interviewed),
        "skills": skills,
        "fit_sentence": fit,
        "accomplishment": accomplishment,
        "accomplishment_sentence": _accomplishment_sentence(accomplishment),
        "attempt": str(item.attempt or ""),
        "nudge_count": str(max_nudges),
        "follow_ups": f"{max_nudges} follow-up{'' if max_nudges == 1 else 's'}",
        "your_name": header_value(user.name),
        "your_email": _address(user.email),
        "app_id": shlex.quote(header_value(app.id)),
    }
    return values, contact


def _round(app: Application, number: int) -> Round:
    # The item's own round; the current one if the application no longer has it.
    return next((r for r in app.rounds if r.number == number), app.current_round)


def _contact(interviewers: tuple[Interviewer, ...]) -> Interviewer | None:
    """The first interviewer with a name, else the first with a usable address."""
    named = [i for i in interviewers if header_value(i.name)]
    if named:
        return named[0]
    return next((i for i in interviewers if _address(i.email)), None)


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
    if 1 <= days <= 7:
        return f"last {_WEEKDAYS[interviewed.weekday()]}"
    return f"on {_month_day(interviewed)}"


def _month_day(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}"


def _accomplishment_sentence(text: str) -> str:
    if not text:
        return ""
    end = "" if text[-1] in ".!?" else "."
    return f"I'm also glad to share a recent accomplishment: {text}{end}"


# --- templates ---------------------------------------------------------------------


def _render(name: str, values: dict[str, str], templates_dir: Path | None) -> tuple[str, str]:
    """(subject, body) of template `name` filled with `values`."""
    path = BUILTIN_TEMPLATES / f"{name}.txt"
    if templates_dir is not None and (Path(templates_dir) / f"{name}.txt").is_file():
        path = Path(templates_dir) / f"{name}.txt"
    text = _template_text(path)
    first, _, rest = text.partition("\n")
    if not first.startswith("Subject:"):
        raise TemplateError(f"{path}: the first line must be 'Subject: ...', then a blank line")
    subject = header_value(_fill(first.removeprefix("Subject:"), values, path))
    return subject, _tidy(_fill(rest, values, path))


def _template_text(path: Path) -> str:
    """A template's text, read once per file version (a push renders thousands)."""
    st = path.stat()
    return _read_template(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _read_template(path: Path, mtime_ns: int, size: int) -> str:
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise TemplateError(f"cannot read template {path}: {e.strerror}") from None


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


# --- safety ------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _address(email: str) -> str:
    """`email` if it is a plausible address, else "" (so it is left out of To/From).

    Cached: the email package's address parser costs ~70 µs, and a push asks about
    the same few addresses thousands of times.
    """
    email = email.strip()
    if len(email) > 254 or not _EMAIL_RE.fullmatch(email):
        return ""
    try:
        Address(addr_spec=email)
    except (HeaderParseError, ValueError, IndexError):
        return ""
    return email


# RFC 5322 specials: a display name holding one of them must be a quoted string.
_SPECIALS_RE = re.compile(r'[][\\()<>@,:;".]')


def _mailbox(header: str, name: str, addr: str) -> str:
    """`Name <addr>` for `header`, folded; the name quoted or RFC 2047-encoded as needed."""
    name = header_value(name)
    if not name:
        return addr
    if _plain(name) and _SPECIALS_RE.search(name):
        name = '"' + re.sub(r'([\\"])', r"\\\1", name) + '"'
    return f"{_fold(header, name)} <{addr}>"


def _plain(text: str) -> bool:
    # ASCII whose words all fit on a line can be folded at spaces as it is.
    return text.isascii() and all(len(word) <= 60 for word in text.split())


def _fold(header: str, text: str) -> str:
    """`text` folded for `header` (lines joined by "\\n"); RFC 2047 words unless plain.

    Folding only at spaces (not at "," or ";", Header's default) means unfolding
    gives back exactly `text`.
    """
    if "\r" in text or "\n" in text:  # we write headers ourselves: no library check
        raise ValueError(f"{header}: a header value must be one line: {text!r}")
    charset = "us-ascii" if _plain(text) else "utf-8"
    return Header(text, charset, header_name=header).encode(splitchars=" ", linesep="\n")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
