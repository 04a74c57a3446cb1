"""A wsgidav middleware (loaded by the test server's config) for its /public mapping.

It makes /public behave like a published folder or a share link: anyone may GET
or HEAD a file, and that is all. A folder, a listing (PROPFIND) or any other
method is a 403, so a reader who does not know a file's secret name finds
nothing. The authenticated mapping is passed through untouched.
"""

from __future__ import annotations

import os

from wsgidav.mw.base_mw import BaseMiddleware

PUBLIC = "/public"


class PublicFilesOnly(BaseMiddleware):
    def __init__(self, wsgidav_app, next_app, config):
        super().__init__(wsgidav_app, next_app, config)
        self.root = config["provider_mapping"][PUBLIC]["root"]

    def is_disabled(self) -> bool:
        return False

    def __call__(self, environ, start_response):
        # wsgidav has split the share off already: /public is in SCRIPT_NAME.
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if path == PUBLIC or path.startswith(PUBLIC + "/"):
            rest = path[len(PUBLIC) :].lstrip("/")
            on_disk = os.path.normpath(os.path.join(self.root, rest))
            inside = on_disk.startswith(os.path.normpath(self.root) + os.sep)
            if (
                environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
                or not inside
                or os.path.isdir(on_disk)
            ):
                body = b"Forbidden\n"
                start_response(
                    "403 Forbidden",
                    [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
                )
                return [body]
        return self.next_app(environ, start_response)
