"""`followup-sync check`: read every mailbox and say what it found; write nothing.

The same reading as a push's pull step (push.mail_facts), without saving the
facts, the provider state (so the next push still sees everything new) or any
draft. Without a provider that reads a mailbox, it is a config error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ConfigError, FollowupError
from .provider import MailReader
from .push import PushContext, build_all, close_all, mail_facts, mail_watch
from .sync import Pulled


@dataclass
class CheckReport:
    name: str
    where: str
    facts: list[Pulled] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class CheckFailure:
    name: str
    error: FollowupError


@dataclass
class CheckResult:
    reports: list[CheckReport] = field(default_factory=list)
    failures: list[CheckFailure] = field(default_factory=list)


def check_all(ctx: PushContext, names: tuple[str, ...] | list[str] = ()) -> CheckResult:
    """Read the mailboxes of the configured mail providers (all, or those in `names`)."""
    # Every provider is built, so an option mistake anywhere is reported first.
    built, selected = build_all(ctx, names)
    try:
        readers = [p for p in selected if isinstance(p, MailReader)]
        if not readers:
            raise ConfigError(
                'no provider reads a mailbox: add one with type = "imap" (see docs/mail.md)'
            )
        result = CheckResult()
        watch = mail_watch(ctx)
        for provider in readers:
            report = CheckReport(provider.name, provider.describe())
            provider.context.log = report.notes.append
            try:
                report.facts = mail_facts(ctx, provider, watch)
            except FollowupError as e:
                result.failures.append(CheckFailure(provider.name, e))
                continue
            result.reports.append(report)
        return result
    finally:
        close_all(built)
