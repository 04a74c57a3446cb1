"""CLI glue for the live ICS feed (`serve`, `feed url`, `feed rotate`); work in progress."""

from __future__ import annotations

import click


@click.command()
def serve():
    """Serve the live ICS feed (not built yet)."""
    raise click.ClickException("the feed server is not built yet")


@click.group()
def feed():
    """The secret feed URL (not built yet)."""
