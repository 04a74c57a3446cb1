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


def _targets(app: AppContext) -> list:
    """The configured publish targets, built (no network); the caller closes them."""
    if not app.settings.providers:
        return []  # only the default ICS file: nothing is published
    from ..push import PushContext, build_publishers

    ctx = PushContext(app.store, app.settings, app.data_dir, app.today, app.now())
    return build_publishers(ctx)[0]


@feed.command()
@click.option("-q", "--quiet", is_flag=True, help="Print only the URL(s).")
@click.option("--host", metavar="ADDR", help="The address `serve --host` listens on.")
@click.option("--port", type=click.IntRange(0, 65535), help="The port `serve --port` listens on.")
@pass_app
def url(app: AppContext, quiet, host, port):
    """Print the feed URL (made on first use), its webcal:// form, and how to subscribe.

    With publish targets (S3, WebDAV) in the config, prints where each one publishes
    the feed. Otherwise the URL of `serve`: [feed] base_url when set (the public
    address behind your proxy), else http://HOST:PORT from [feed].

    \b
    Example:
      followup-sync feed url
      followup-sync feed url --quiet | xclip -selection clipboard
    """
    from ..publish import current_token, is_published

    token = current_token(app.data_dir)
    targets = _targets(app)
    try:
        if not targets:
            http_url, webcal = _urls(app, token, host, port)
            click.echo(http_url)
            if not quiet:
                click.echo(webcal)
                _explain(app, http_url)
            return
        lines = []
        for target in targets:
            public = target.public_url(token)
            if public:
                click.echo(public)
                if not quiet:
                    click.echo(webcal_url(public))
            if not is_published(target, token):
                state = ": not published yet, run `followup-sync publish`"
            elif not public:
                state = (
                    f": no public_url yet: share {target.where_to_share(token)} by link,"
                    " then set public_url to that link"
                )
            else:
                state = ""
            lines.append(f"  {target.name} ({target.describe()}){state}")
        if not quiet:
            click.echo("\n".join(["", "Published by:", *lines]), err=True)
            _explain_published(targets)
    finally:
        for target in targets:
            target.close()


def webcal_url(http_url: str) -> str:
    from ..feed import webcal_url as webcal

    return webcal(http_url)


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
            "server (TLS proxy or tunnel, see docs/feed.md) and set [feed] base_url, or",
            "publish the feed to S3 or WebDAV storage (`followup-sync publish`).",
        ]
    click.echo("\n".join(lines), err=True)


def _explain_published(targets: list) -> None:
    lines = [
        "",
        "Subscribe:",
        '  Google Calendar: Other calendars > "+" > From URL, paste the first URL.',
        "    Google re-reads it every few hours to a day; it cannot be made faster.",
        "  Apple Calendar:  File > New Calendar Subscription, paste the webcal:// URL,",
        "    and choose iCloud as its location to have it on every device.",
        "`push` and `publish` upload the feed when it changes; anyone with the URL can",
        "read your follow-ups: keep it private; `followup-sync feed rotate` replaces it.",
    ]
    click.echo("\n".join(lines), err=True)


@feed.command()
@pass_app
def rotate(app: AppContext):
    """Replace the secret token: the old URL stops working, the new one works at once.

    With publish targets (S3, WebDAV), the feed is first uploaded under the new
    secret name on every target, then the token is switched and the old objects
    are deleted. A running `serve` switches with its next request. Subscribers must
    then be re-added with the new URL.

    \b
    Example:
      followup-sync feed rotate
    """
    from ..publish import rotate as rotate_feed
    from ..push import PushContext
    from ..report import error_line

    targets = _targets(app)
    try:
        ctx = PushContext(app.store, app.settings, app.data_dir, app.today, app.now())
        result = rotate_feed(ctx, targets)
        several = len(targets) > 1
        for name, error in result.failures:
            prefix = f"{name}: " if several else ""
            click.echo(f"Error: {error_line(prefix + error.message)}", err=True)
        if not result.switched:
            click.echo(
                "The feed was not rotated: its URL is unchanged. Run `feed rotate` again.",
                err=True,
            )
            click.get_current_context().exit(result.failures[0][1].exit_code)
        if not targets:
            http_url, webcal = _urls(app, result.token)
            click.echo(http_url)
            click.echo(webcal)
        for target in targets:
            if target not in result.fixed_links:
                public = target.public_url(result.token)
                click.echo(public)
                click.echo(webcal_url(public))
        for target in result.fixed_links:
            click.echo(
                f"{target.name}: the feed is now {target.where_to_share(result.token)}:"
                " share it by link and set public_url to that link (the old link died"
                " with the old file).",
                err=True,
            )
        if result.failures:
            click.echo(
                "The new URL works; the old one still does until a push deletes it:"
                " subscribe to the new one.",
                err=True,
            )
            click.get_current_context().exit(result.failures[0][1].exit_code)
        click.echo(
            "The old URL no longer works: remove the old subscription and subscribe to this one.",
            err=True,
        )
    finally:
        for target in targets:
            target.close()


COMMANDS = [serve, feed]
