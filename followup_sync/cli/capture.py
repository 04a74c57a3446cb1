"""`capture`: interviews proposed from the user's calendars and invitations."""

from __future__ import annotations

from pathlib import Path

import click

from .context import TEXT_DATE, AppContext, echo_json, json_option, pass_app


@click.command()
@click.option(
    "--source",
    "names",
    multiple=True,
    metavar="NAME",
    help="Only these [capture.sources.NAME] (default: all).",
)
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="An invitation (.ics, or a saved email with one); read whole unless --since/--until.",
)
@click.option("--since", type=TEXT_DATE, help="First day to read (default: 60 days ago).")
@click.option("--until", type=TEXT_DATE, help="Last day to read (default: 30 days ahead).")
@click.option(
    "--add",
    "adds",
    multiple=True,
    metavar="N,M|all",
    help="Record these candidates (numbers from the list, UIDs, or all).",
)
@click.option(
    "--ignore", "ignores", multiple=True, metavar="N,M", help="Never propose these again."
)
@click.option("--edit", "edit_n", metavar="N", help="Correct candidate N before adding it.")
@click.option("--company", help="With --edit: the company.")
@click.option("--role", help="With --edit: the job title.")
@click.option("--stage", help="With --edit: the stage.")
@click.option(
    "--interviewer",
    "interviewers",
    multiple=True,
    metavar='"NAME <EMAIL>"',
    help="With --edit: the interviewers (repeat for each); replaces those found.",
)
@click.option("--all", "show_all", is_flag=True, help="Show ignored events too.")
@json_option("Machine-readable review list (see README).")
@pass_app
def capture(
    app: AppContext,
    names,
    files,
    since,
    until,
    adds,
    ignores,
    edit_n,
    company,
    role,
    stage,
    interviewers,
    show_all,
    as_json,
):
    """Find interviews in your calendars and invitations; add the ones you confirm.

    Reads the [capture.sources] in your config (a CalDAV calendar, an ICS
    address, an .ics file) from 60 days back to 30 days ahead, and lists the
    events that look like your job interviews, numbered, with why. Nothing is
    recorded until you say which: `--add 1,3` adds them like `add` would (a new
    application, or the next round of one), `--ignore 2` never proposes that
    event again. A moved interview you added is offered as an update; a
    cancelled one is reported with the commands to close or remove it.

    \b
    Example:
      followup-sync capture
      followup-sync capture --edit 2 --role "Platform Engineer" --add 1,2 --ignore 3
      followup-sync capture --file ~/Downloads/invite.ics --add all
    """
    from ..capture.decide import accept, edited, ignore, select
    from ..capture.run import CaptureContext, run_capture
    from ..errors import UserInputError
    from ..report import accepted_lines, capture_json, capture_lines, error_line

    edits = {"company": company, "role": role, "stage": stage}
    editing = any(v is not None for v in edits.values()) or bool(interviewers)
    if edit_n is None and editing:
        raise click.UsageError("--company, --role, --stage and --interviewer go with --edit N")
    if edit_n is not None and not editing:
        raise click.UsageError(
            "--edit N needs what to change: --company, --role, --stage or --interviewer"
        )
    if edit_n is not None and not str(edit_n).strip().isdigit():
        raise click.UsageError(f"--edit takes one candidate number, not {edit_n!r}")
    people = None
    if interviewers:
        from ..applications import parse_interviewers

        people = parse_interviewers(interviewers)
    tz = app.settings.tz
    since_day = app.day(since) if since else None
    until_day = app.day(until, weekday="coming") if until else None
    app.note_missing_config()
    ctx = CaptureContext(app.store, app.settings, app.data_dir, app.today, app.now())
    run = run_capture(
        ctx, names=names, files=files, since=since_day, until=until_day, show_ignored=show_all
    )
    review = run.review
    for failure in run.failures:
        click.echo(f"Error: {error_line(failure.error.message)}", err=True)
    deciding = bool(adds or ignores)
    if deciding and run.failures:
        # The numbers the user saw may have counted that source's events: decide nothing.
        click.get_current_context().exit(run.failures[0].error.exit_code)
    chosen = select(review, adds)
    dropped = select(review, ignores)
    both = {c.n for c in chosen} & {c.n for c in dropped}
    if both:
        raise UserInputError(f"candidate {min(both)} is in both --add and --ignore")
    if edit_n is not None:
        target = select(review, [edit_n])[0]
        edited(target, run.applications, **edits, interviewers=people)
    added, ignored_ns = [], []
    if deciding:
        with app.store.write() as tx:
            for c in chosen:
                added.append(accept(tx, c, app.now(), tz))
            for c in dropped:
                ignore(tx, c)
                ignored_ns.append(c.n)
    if as_json:
        echo_json(capture_json(run, tz, added, ignored_ns))
    elif deciding:
        for line in accepted_lines(added, ignored_ns):
            click.echo(line)
    else:
        for line in capture_lines(run, tz):
            click.echo(line)
        if edit_n is not None:
            click.echo(
                f"Nothing recorded: add --add {edit_n} to record candidate {edit_n} as shown."
            )
    if run.failures:
        click.get_current_context().exit(run.failures[0].error.exit_code)


COMMANDS = [capture]
