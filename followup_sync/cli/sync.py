"""Commands that reach providers: push, publish, check (the mailbox), providers."""

from __future__ import annotations

import sys

import click

from .context import AppContext, echo_json, json_option, pass_app


@click.command()
@click.option(
    "--provider", "names", multiple=True, metavar="NAME", help="Only these [providers.NAME]."
)
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--force", is_flag=True, help="Push even if a target looks emptied.")
@json_option("Machine-readable summary.")
@pass_app
def push(app: AppContext, names, dry_run, force, as_json):
    """Push follow-ups to every configured provider (plan first, then apply).

    With no provider configured, writes an .ics file in the data dir.

    \b
    Example:
      followup-sync push --dry-run
      followup-sync push --provider nextcloud
    """
    from ..push import PushContext, provider_configs, push_all
    from ..report import published_lines, push_json, report_lines

    ctx = PushContext(app.store, app.settings, app.data_dir, app.today, app.now())
    progress = None if as_json else _progress_printer()
    run = push_all(ctx, names, dry_run=dry_run, force=force, progress=progress)
    if progress is not None:
        progress.end()
    if as_json:
        echo_json(push_json(run))
    else:
        for report in run.reports:
            for line in report_lines(report, dry_run):
                click.echo(line)
        for published in run.published:
            for line in published_lines(published, dry_run):
                click.echo(line)
    several = len(names or provider_configs(app.settings, app.data_dir)) > 1
    _finish(run, several)


def _finish(run, several: bool) -> None:
    """One error line per failed provider, then the exit code of the first failure."""
    from ..report import failure_lines

    for line in failure_lines(run, several):
        click.echo(line, err=True)
    if run.failures:
        click.get_current_context().exit(run.failures[0].error.exit_code)
    run.raise_for_status()


@click.command()
@click.option(
    "--provider", "names", multiple=True, metavar="NAME", help="Only these publish targets."
)
@click.option("--dry-run", is_flag=True, help="Say what would be uploaded; upload nothing.")
@json_option("Machine-readable summary.")
@pass_app
def publish(app: AppContext, names, dry_run, as_json):
    """Publish the feed to the S3 and WebDAV targets in the config, and nothing else.

    Uploads the feed only when it changed since the last publish (`push` does
    the same after writing to every provider). `feed url` prints where
    subscribers read it; docs/feed.md says how to set a bucket or folder up.

    \b
    Example:
      followup-sync publish --dry-run
      followup-sync publish --provider cloud --json
    """
    from ..push import PushContext, publish_all
    from ..report import publish_json, published_lines

    ctx = PushContext(app.store, app.settings, app.data_dir, app.today, app.now())
    run = publish_all(ctx, names, dry_run=dry_run)
    if as_json:
        echo_json(publish_json(run))
    else:
        for published in run.published:
            for line in published_lines(published, dry_run):
                click.echo(line)
    _finish(run, len(run.published) + len(run.failures) > 1)


class _Progress:
    """A live counter on stderr for long pushes, only when it is a terminal."""

    def __init__(self) -> None:
        self.count = 0
        self.shown = False

    def __call__(self, name, action) -> None:
        self.count += 1
        if self.count % 10 == 0:
            click.echo(f"\r  {self.count} changes...", err=True, nl=False)
            self.shown = True

    def end(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)  # clear the counter line


def _progress_printer() -> _Progress | None:
    return _Progress() if sys.stderr.isatty() else None


@click.command()
@json_option("Machine-readable output.")
def providers(as_json):
    """List installed provider types and the plugins they come from.

    \b
    Example:
      followup-sync providers
    """
    from ..registry import registry
    from ..report import error_line, providers_json

    reg = registry()
    types = sorted(reg.types.values(), key=lambda t: t.name)
    if as_json:
        echo_json(providers_json(types))
    else:
        for t in types:
            click.echo(f"{t.name:<10} {t.target:<50} from {t.distribution} {t.version}")
    for problem in reg.problems:
        click.echo(f"Warning: {error_line(problem)}", err=True)


@click.command()
@click.option(
    "--provider", "names", multiple=True, metavar="NAME", help="Only these [providers.NAME]."
)
@json_option("Machine-readable report (see README).")
@pass_app
def check(app: AppContext, names, as_json):
    """Read your mailbox and report replies, sent follow-ups and automatic mail; change nothing.

    Needs a provider with type = "imap" (docs/mail.md). It only reads: nothing is
    marked, no draft is written, and the next push still acts on what it finds.

    \b
    Example:
      followup-sync check
      followup-sync check --json
    """
    from ..check import check_all
    from ..push import PushContext
    from ..report import check_json, check_lines, failure_lines

    ctx = PushContext(app.store, app.settings, app.data_dir, app.today, app.now())
    result = check_all(ctx, names)
    if as_json:
        echo_json(check_json(result))
    else:
        for line in check_lines(result):
            click.echo(line)
    for line in failure_lines(result, len(result.failures) + len(result.reports) > 1):
        click.echo(line, err=True)
    if result.failures:
        click.get_current_context().exit(result.failures[0].error.exit_code)


COMMANDS = [push, publish, check, providers]
