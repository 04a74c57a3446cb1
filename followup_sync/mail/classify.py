"""What kind of mail a message is, from its headers alone: a person's, or automatic.

Categories (`classify`):

- "bounce": a delivery status notification (RFC 3464 multipart/report with
  report-type=delivery-status), or mail from mailer-daemon/postmaster, or with
  X-Failed-Recipients (Exim, Gmail);
- "auto-reply": an answer a machine sent for a person, chiefly out-of-office:
  RFC 3834 `Auto-Submitted: auto-replied`, the de-facto X-Autoreply /
  X-Autorespond and `Precedence: auto_reply`, or an "Automatic reply" /
  "Out of office" subject in the common languages;
- "automated": other machine-made mail (`Auto-Submitted: auto-generated`, a
  no-reply sender): from an employer's side it is a possible response (an ATS
  status update), never a reply;
- "bulk": list and marketing mail (Precedence bulk/junk/list, List-Id,
  List-Unsubscribe);
- "human": everything else.

X-Auto-Response-Suppress is *not* a sign of an automatic message on its own:
Outlook and Exchange put it on ordinary mail to ask others not to auto-reply
(MS-OXCMAIL 2.1.3.2.20; helpdesks that filtered on it lost real mail). Only its
"All" value alongside Auto-Submitted, as Exchange writes its own automatic
replies, counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: The header fields classify() reads; a provider fetches exactly these (with PEEK).
FIELDS = (
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "precedence",
    "x-precedence",
    "list-id",
    "list-unsubscribe",
    "content-type",
    "x-failed-recipients",
)

AUTO_SUBJECT = re.compile(
    r"^\s*(\[[^\]]*\]\s*)?("
    r"automatic reply|auto(matic)?[- ]?(reply|response|answer)|autoreply|auto:"
    r"|out of (the )?office|ooo\b|away from (the )?office"
    r"|abwesenheit|automatische antwort"  # German
    r"|r[ée]ponse automatique|absence du bureau"  # French
    r"|respuesta autom[áa]tica|fuera de la oficina"  # Spanish
    r"|risposta automatica|fuori (sede|ufficio)"  # Italian
    r"|automatisch antwoord|afwezig"  # Dutch
    r"|resposta autom[áa]tica|fora do escrit[óo]rio"  # Portuguese
    r"|autosvar|automatisk svar|fr[åa]nvaro"  # Swedish, Danish, Norwegian
    r"|automaattinen vastaus"  # Finnish
    r"|odpowied[źz] automatyczna"  # Polish
    r"|автоматический ответ"  # Russian
    r"|自动回复|自動応答|不在"  # Chinese, Japanese
    r")",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_NO_REPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|notify|mailer|bounces?|automated)"
    r"([-+_.][^@]*)?@",
    re.IGNORECASE,
)


def classify(sender: str, subject: str, fields: Mapping[str, str]) -> str:
    """ "bounce", "auto-reply", "automated", "bulk" or "human" (see the module doc)."""

    def get(name: str) -> str:
        return (fields.get(name) or "").strip().lower()

    ctype = get("content-type")
    if (
        ("multipart/report" in ctype and "delivery-status" in ctype)
        or _DAEMON.match(sender)
        or get("x-failed-recipients")
    ):
        return "bounce"
    auto = get("auto-submitted")
    auto = "" if auto.startswith("no") else auto  # RFC 3834: "no" is a person's mail
    if auto.startswith("auto-replied"):
        return "auto-reply"
    for name in ("x-autoreply", "x-autorespond"):
        value = get(name)
        if value and value not in ("no", "false", "0"):
            return "auto-reply"
    precedence = get("precedence") or get("x-precedence")
    if precedence == "auto_reply" or AUTO_SUBJECT.match(subject or ""):
        return "auto-reply"
    if auto and get("x-auto-response-suppress") == "all":
        return "auto-reply"  # Exchange's own automatic replies
    if auto or _NO_REPLY.match(sender):
        return "automated"
    if precedence in ("bulk", "junk", "list") or get("list-id") or get("list-unsubscribe"):
        return "bulk"
    return "human"
