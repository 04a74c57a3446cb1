"""The live ICS feed: `serve`, `feed url`, `feed rotate`.

Kept light: waitress and icalendar are imported only inside `serve`.
"""

from __future__ import annotations

import click

from .context import AppContext, pass_app


def _urls(
    app: AppContext, token: str, host: str | None = None, port: int | None = None
) -> tuple[str, str]:
    from ..feed import feed_url, webcal_url

    f = app.settings.feed
    url = feed_url(
        f.base_url, f.host if host is None else host, f.port if port is None else port, token
    )
    return url, webcal_url(url)


@click.command()
@click.option(
    "--host", metavar="ADDR", help="Address to listen on (default: [feed] host, 127.0.0.1)."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port (default: [feed] port, 8765; 0 picks a free one).",
)
@click.option(
    "--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="Worker threads."
)
@pass_app
def serve(app: AppContext, host, port, threads):
    """Serve the live ICS feed at /feed/<token>.ics until Ctrl-C.

    The feed is re-rendered only when the store, the config or the date changes,
    so a `sent` or `heard` shows at the subscriber's next refresh. Access log on
    stderr (the token is redacted). Plain HTTP: put a TLS reverse proxy or a
    tunnel in front to reach it from Google or Apple (see docs/feed.md).

    \b
    Example:
      followup-sync serve --host 127.0.0.1 --port 8765
      followup-sync feed url        # the URL to subscribe to
    """
    import logging
    import sys

    from .. import feed

    settings = app.settings  # a broken config fails here, before listening
    host = host if host is not None else settings.feed.host
    port = port if port is not None else settings.feed.port
    app.store  # noqa: B018 - creates and migrates the store before the first request
    app.close()  # requests open their own connections; this one is done
    feed.ensure_token(app.data_dir)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(feed.RedactingFormatter("%(message)s"))
    handler.set_name("followup-sync-serve")
    for name in ("followup_sync.feed", "waitress"):
        logger = logging.getLogger(name)
        # Replace, not add: serve may run twice in one process (tests, embedding).
        for old in [h for h in logger.handlers if h.get_name() == handler.get_name()]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    fixed_today = app.today if app.today_given else None
    wsgi_app = feed.make_app(app.data_dir, app.config_path, fixed_today)
    server = feed.create_server(wsgi_app, host, port, threads)
    # Render once before the first subscriber asks: a slow first render or a
    # template error shows here, not as a client's timeout.
    try:
        wsgi_app.source.current()
    except BaseException:
        server.close()
        raise
    shown = feed.feed_url("", *feed.bound_address(server), "[token]")
    click.echo(f"Serving the feed on {shown} (Ctrl-C to stop)", err=True)
    # The address the server really listens on (--host/--port, or a free port for
    # 0), where it differs from the config that `feed url` reads by default.
    bound_host, bound_port = feed.bound_address(server)
    where = (f" --host {bound_host}" if bound_host != settings.feed.host else "") + (
        f" --port {bound_port}" if bound_port != settings.feed.port else ""
    )
    click.echo(f"The full URL: followup-sync feed url{where}", err=True)
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(
            "Warning: listening beyond this machine over plain HTTP; the token travels in clear"
            " text unless a TLS proxy is in front (docs/feed.md).",
            err=True,
        )
    feed.run_server(server, on_stop=lambda: click.echo("Feed server stopped.", err=True))


@click.group()
def feed():
    """The secret feed URL: show it, or replace it.

    \b
    Example:
      followup-sync feed url
      followup-sync feed rotate
    """


@feed.command()
@click.option("-q", "--quiet", is_flag=True, help="Print only the URL.")
@click.option("--host", metavar="ADDR", help="The address `serve --host` listens on.")
@click.option("--port", type=click.IntRange(0, 65535), help="The port `serve --port` listens on.")
@pass_app
def url(app: AppContext, quiet, host, port):
    """Print the feed URL (made on first use), its webcal:// form, and how to subscribe.

    Uses [feed] base_url when set (the public address behind your proxy),
    otherwise http://HOST:PORT from [feed].

    \b
    Example:
      followup-sync feed url
      followup-sync feed url --quiet | xclip -selection clipboard
    """
    from ..feed import ensure_token

    http_url, webcal = _urls(app, ensure_token(app.data_dir), host, port)
    click.echo(http_url)
    if quiet:
        return
    click.echo(webcal)
    _explain(app, http_url)


def _explain(app: AppContext, http_url: str) -> None:
    lines = [
        "",
        "Subscribe:",
        '  Google Calendar: Other calendars > "+" > From URL, paste the first URL.',
        "  Apple Calendar:  File > New Calendar Subscription, paste the webcal:// URL.",
        "Anyone with this URL can read your follow-ups: keep it private;",
        "`followup-sync feed rotate` replaces it.",
    ]
    if not app.settings.feed.base_url:
        lines += [
            "",
            "Google and Apple fetch from the internet, not from this machine: expose the",
            "server (TLS proxy or tunnel, see docs/feed.md) and set [feed] base_url.",
        ]
    click.echo("\n".join(lines), err=True)


@feed.command()
@pass_app
def rotate(app: AppContext):
    """Replace the secret token: the old URL stops working at once, even on a running server.

    Subscribers must then be re-added with the new URL.

    \b
    Example:
      followup-sync feed rotate
    """
    from ..feed import rotate_token

    http_url, webcal = _urls(app, rotate_token(app.data_dir))
    click.echo(http_url)
    click.echo(webcal)
    click.echo(
        "The old URL no longer works: remove the old subscription and subscribe to this one.",
        err=True,
    )


COMMANDS = [serve, feed]
