"""The followup-sync command line: thin click commands over the library, by concern.

- context.py: the per-invocation context, parameter types, shared options;
- applications.py: add, edit, sent, heard, close, reopen, remove;
- daily.py: today, show;
- plan.py: list, plan, draft;
- output.py: colour and tables for human output;
- sync.py: push, providers;
- data.py: init, import, export, backup, restore, config path;
- feed.py: serve, feed url, feed rotate;
- capture.py: capture (interviews found in calendars and invitations).

Errors carry their exit code (errors.py) and become one clean line here, in one
place (FollowupGroup.invoke).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import FollowupError
from . import applications, capture, daily, data, feed, plan, sync
from .context import AppContext

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class FollowupGroup(click.Group):
    """Turns our errors into one line on stderr and the error's exit code."""

    def invoke(self, ctx: click.Context):
        from ..report import error_line

        try:
            return super().invoke(ctx)
        except FollowupError as e:
            click.echo(f"Error: {error_line(e.message)}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing already recorded was lost.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (`followup-sync plan | head`): not an error to report.
            # Python would complain again when flushing stdout at exit, so point
            # stdout at /dev/null first.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - the promise: never a traceback
            if os.environ.get("FOLLOWUP_SYNC_DEBUG"):
                raise
            text = f"{e.__class__.__name__}: {e}" if str(e) else e.__class__.__name__
            msg = error_line(text.splitlines()[0])
            click.echo(f"Error: unexpected {msg} (set FOLLOWUP_SYNC_DEBUG=1 for details)", err=True)
            ctx.exit(70)
        finally:
            app = ctx.find_object(AppContext)
            if app is not None:
                app.close()


@click.group(cls=FollowupGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="followup-sync")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="FOLLOWUP_SYNC_DATA_DIR",
    help="Where the store lives (env FOLLOWUP_SYNC_DATA_DIR).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="FOLLOWUP_SYNC_CONFIG",
    help="Config file (env FOLLOWUP_SYNC_CONFIG).",
)
@click.option("--today", metavar="DATE", help="Act as if today were DATE (preview, tests).")
@click.option(
    "--no-color", is_flag=True, help="No colour (also: the NO_COLOR environment variable)."
)
@click.pass_context
def cli(ctx: click.Context, data_dir, config, today, no_color):
    """Plan and push job-interview follow-ups: when to nudge, what to write, when to move on.

    \b
    Example:
      followup-sync add Acme --role "Backend Engineer" --date yesterday \\
          --interviewer "Jane Doe <jane@acme.example>"
      followup-sync push
    """
    ctx.obj = AppContext(data_dir, config, today, no_color)


for module in (data, applications, capture, daily, plan, sync, feed):
    for command in module.COMMANDS:
        cli.add_command(command)
cli.add_command(daily.today, name="due")  # what todoman and khal users type


def main() -> None:
    if not os.environ.get("FOLLOWUP_SYNC_DEBUG"):
        import warnings

        # A library's warning (a deprecation, a data range) is not for the user's
        # terminal: every problem of ours is an error line with an exit code.
        warnings.simplefilter("ignore")
    cli(prog_name="followup-sync")


__all__ = ["cli", "main"]
