"""The live ICS feed: a secret-token URL that calendar apps subscribe to.

Three parts, each small:
- token.py: the random secret in a file in the data dir, replaced atomically by
  `feed rotate`;
- source.py: the rendered feed, keyed by what it is made of (store revision,
  config, templates, today's date) and re-rendered only when that key changes;
- http.py: the WSGI app (GET/HEAD /feed/<token>.ics and nothing else), served by
  waitress.
"""

from .http import (
    CACHE_CONTROL,
    CONTENT_TYPE,
    FeedApp,
    RedactingFormatter,
    accepts_gzip,
    bound_address,
    create_server,
    make_app,
    not_modified,
    run_server,
)
from .source import FeedSource, Rendered
from .token import (
    TokenWatcher,
    ensure_token,
    feed_url,
    read_token,
    rotate_token,
    token_path,
    webcal_url,
)

__all__ = [
    "CACHE_CONTROL",
    "CONTENT_TYPE",
    "FeedApp",
    "FeedSource",
    "RedactingFormatter",
    "Rendered",
    "TokenWatcher",
    "accepts_gzip",
    "bound_address",
    "create_server",
    "ensure_token",
    "feed_url",
    "make_app",
    "not_modified",
    "read_token",
    "rotate_token",
    "run_server",
    "token_path",
    "webcal_url",
]
