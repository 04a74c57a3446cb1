"""The feed as one file in a WebDAV folder (Nextcloud, ownCloud, any WebDAV host).

The file is the feed's secret token + ".ics" in the folder `url`; subscribers read
it at `public_url` (a folder the host publishes, or a share link to the file).
Plain http.client with basic auth (an app password): nothing to install.

Two ways to replace the file, chosen by `replace`:

- "move": upload to a temporary name beside it, then MOVE it over the file
  (RFC 4918 9.9). A reader never sees half a feed, even on servers that write a
  PUT straight into the file: wsgidav does (a dropped upload left the first
  100,000 of 200,038 bytes readable), a MOVE is a rename. For a folder
  published under its names, the default.
- "put": a conditional PUT on the file itself. A share link is bound to the
  file, not its name, and a MOVE over a file replaces it with another one, so
  Nextcloud drops the file's shares (nextcloud/server#31595; owncloud/core#25387
  for COPY); Nextcloud writes a PUT to a part file and renames it itself. The
  default when `public_url` is a link to the file, and the fallback when a
  server refuses MOVE (405/501), remembered for later pushes.

Either way a change made to the file while we upload is never overwritten
blindly: PUT carries If-Match (or If-None-Match: * for a new file, RFC 9110
13.1); before a MOVE the file must still have the ETag seen when the publish
began, and the MOVE itself carries it in an If header (RFC 4918 10.4), which
servers following RFC 4918 check; wsgidav ignores it, hence the HEAD before.
"""

from __future__ import annotations

import base64
import http.client
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from followup_sync.errors import ConfigError, ConflictError, ProviderAuthError, ProviderError
from followup_sync.feed.http import CONTENT_TYPE
from followup_sync.provider import Option, ProviderContext
from followup_sync.publisher import PUBLISH_OPTIONS, Publisher, RemoteObject, place_name
from followup_sync.redaction import url_without_credentials

#: Set when the server refused MOVE: later pushes update the file with a PUT.
STATE_NO_MOVE = "move_refused"
TEMP_SUFFIX = ".tmp"
_OK = (200, 201, 204)


def _folder_problem(value: str) -> str | None:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{value!r} is not an http(s):// URL"
    if parts.username or parts.password:
        return "must not contain a user name or password (use username and password_env)"
    if parts.query or parts.fragment:
        return "must be a folder's URL, without ?query or #fragment"
    return None


class WebDAVPublisher(Publisher):
    type = "webdav"
    options = {
        **PUBLISH_OPTIONS,
        "url": Option(
            str,
            required=True,
            help="the folder the file goes in, e.g. .../remote.php/dav/files/USER/followups/",
            check=_folder_problem,
        ),
        "public_url": Option(
            str,
            help="where subscribers read it: a folder URL ending in / (the file name is"
            " appended) or with {name}; or a share link to the file itself (Nextcloud:"
            " share the file once it is published, then set this)",
            check=lambda v: (
                None
                if urlsplit(v.strip()).scheme in ("http", "https")
                else f"{v!r} is not an http(s):// URL"
            ),
        ),
        "username": Option(str, help="login name; omit for servers without auth"),
        "password": Option(
            str, secret=True, help="an app password; better password_env or password_cmd"
        ),
        "replace": Option(
            str,
            "auto",
            help='"move" (upload beside, then MOVE over), "put" (conditional PUT) or "auto"',
            normalize=str.lower,
            choices=("auto", "move", "put"),
        ),
        "timeout": Option(
            (int, float),
            30,
            help="seconds per request",
            check=lambda v: None if v > 0 else "must be a positive number of seconds",
        ),
        "verify_tls": Option(bool, True, help="check the server's TLS certificate"),
    }

    def __init__(self, name: str, options: Mapping[str, Any], context: ProviderContext):
        super().__init__(name, options, context)
        url = self.opts["url"].strip()
        self.folder = url if url.endswith("/") else url + "/"
        parts = urlsplit(self.folder)
        self.scheme, self.netloc, self.base_path = parts.scheme, parts.netloc, parts.path
        self._conn: http.client.HTTPConnection | None = None
        self._auth: dict[str, str] | None = None

    def describe(self) -> str:
        return f"WebDAV folder {url_without_credentials(self.folder)}"

    def location(self) -> str:
        return self.folder

    def link_is_fixed(self) -> bool:
        # No public_url yet means one is coming: a share link made for the file.
        public = (self.opts["public_url"] or "").strip()
        return "{name}" not in public and not public.endswith("/")

    def public_url(self, token: str) -> str:
        public = (self.opts["public_url"] or "").strip()
        if self.link_is_fixed():
            return public
        return place_name(public, "name", quote(self.object_name(token)))

    @property
    def mode(self) -> str:
        """How the file is replaced: "move" or "put" (see the module's docstring)."""
        if self.context.state.get(STATE_NO_MOVE):
            return "put"
        if self.opts["replace"] != "auto":
            return self.opts["replace"]
        return "put" if self.link_is_fixed() else "move"

    # --- HTTP -------------------------------------------------------------------
    def _path(self, name: str) -> str:
        return self.base_path + quote(name)

    def _absolute(self, name: str) -> str:
        return f"{self.scheme}://{self.netloc}{self._path(name)}"

    def _headers(self) -> dict[str, str]:
        if self._auth is None:
            self._auth = {}
            username = self.opts["username"]
            password = self.context.secret("password")
            if username:
                if not password:
                    raise ConfigError(
                        f"[providers.{self.name}] needs a password for {username!r}"
                        " (password_env, password_cmd or the keyring)"
                    )
                pair = f"{username}:{password}".encode()
                self._auth["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return {"User-Agent": "followup-sync", **self._auth}

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            timeout = float(self.opts["timeout"])
            if self.scheme == "https":
                ctx = ssl.create_default_context()
                if not self.opts["verify_tls"]:
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                self._conn = http.client.HTTPSConnection(self.netloc, timeout=timeout, context=ctx)
            else:
                self._conn = http.client.HTTPConnection(self.netloc, timeout=timeout)
        return self._conn

    def _request(
        self, method: str, name: str, body: bytes | None = None, **extra: str
    ) -> tuple[int, http.client.HTTPResponse]:
        headers = {**self._headers(), **extra}
        conn = self._connection()
        try:
            conn.request(method, self._path(name), body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            # Never the URL: the file's name is the feed's secret token.
            raise ProviderError(
                f"{self.describe()}: {method} failed: {self.netloc} unreachable or the"
                f" connection dropped ({e.__class__.__name__})"
            ) from None
        if resp.will_close:
            self.close()
        if resp.status == 401:
            raise ProviderAuthError(
                f"{self.describe()}: the server refused the username or password (401);"
                " on Nextcloud, use an app password (Settings > Security)"
            )
        return resp.status, resp

    def _failed(self, method: str, status: int) -> ProviderError:
        if status == 403:
            return ProviderAuthError(
                f"{self.describe()}: {method} forbidden (403): may this user write the folder?"
            )
        if status in (404, 409):
            # RFC 4918 9.7.1: a PUT whose parent collection is missing is a 409.
            return ProviderError(
                f"{self.describe()}: the folder does not exist ({status}); create it first"
            )
        if status == 507:
            return ProviderError(f"{self.describe()}: the server is out of space (507)")
        return ProviderError(f"{self.describe()}: {method} answered {status}")

    # --- the file ---------------------------------------------------------------
    def head(self, name: str) -> RemoteObject | None:
        status, resp = self._request("HEAD", name)
        if status == 404:
            return None
        if status not in _OK:
            raise self._failed("HEAD", status)
        return _version(resp)

    def upload(self, name: str, body: bytes, current: RemoteObject | None) -> RemoteObject:
        if self.mode == "put":
            return self._put(name, body, current)
        temp = name + TEMP_SUFFIX
        # The temporary name is derived from the file's (so it is as secret as the
        # feed itself), and the same on every push: one left by an interrupted
        # upload is overwritten here, never piled up.
        status, _ = self._request("PUT", temp, body, **{"Content-Type": CONTENT_TYPE})
        if status not in _OK:
            raise self._failed("PUT", status)
        now = self.head(name)
        if _version_of(now) != _version_of(current):
            self._discard(temp)
            raise ConflictError(
                f"{self.describe()}: the published file changed while we uploaded;"
                " nothing was overwritten, push again"
            )
        headers = {"Destination": self._absolute(name)}
        if current is None:
            headers["Overwrite"] = "F"  # RFC 4918 10.6: 412 if the file appeared meanwhile
        else:
            headers["Overwrite"] = "T"
            if _is_etag(current.version):
                headers["If"] = f"<{self._absolute(name)}> ([{current.version}])"
        status, _ = self._request("MOVE", temp, **headers)
        if status in (405, 501):
            self._discard(temp)
            self.context.state[STATE_NO_MOVE] = "1"
            self.context.log(
                "the server does not allow MOVE: the file is replaced with a PUT from now on"
            )
            return self._put(name, body, current)
        if status == 412:
            self._discard(temp)
            raise ConflictError(
                f"{self.describe()}: the published file changed while we uploaded;"
                " nothing was overwritten, push again"
            )
        if status not in _OK:
            self._discard(temp)
            raise self._failed("MOVE", status)
        # A MOVE answer carries no ETag of the file it made.
        after = self.head(name)
        if after is None:
            raise ProviderError(f"{self.describe()}: the file is missing right after the MOVE")
        return after

    def _put(self, name: str, body: bytes, current: RemoteObject | None) -> RemoteObject:
        headers = {"Content-Type": CONTENT_TYPE}
        if current is None:
            headers["If-None-Match"] = "*"
        elif _is_etag(current.version):
            headers["If-Match"] = current.version
        status, resp = self._request("PUT", name, body, **headers)
        if status == 412:
            raise ConflictError(
                f"{self.describe()}: the published file changed meanwhile;"
                " nothing was overwritten, push again"
            )
        if status not in _OK:
            raise self._failed("PUT", status)
        if resp.getheader("ETag"):
            return _version(resp)
        after = self.head(name)  # a server that gives no ETag on PUT
        if after is None:
            raise ProviderError(f"{self.describe()}: the file is missing right after the PUT")
        return after

    def _discard(self, name: str) -> None:
        status, _ = self._request("DELETE", name)
        if status not in (*_OK, 404):
            raise self._failed("DELETE", status)

    def remove(self, name: str) -> None:
        self._discard(name)
        if self.mode == "move":
            self._discard(name + TEMP_SUFFIX)  # one an interrupted upload left behind

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _is_etag(version: str) -> bool:
    return version.startswith(('"', 'W/"'))


def _version(resp: http.client.HTTPResponse) -> RemoteObject:
    etag = resp.getheader("ETag")
    if etag:
        return RemoteObject(etag)
    # No ETag (rare): the modification time and size still change with the file.
    return RemoteObject(
        f"lm:{resp.getheader('Last-Modified', '')}:{resp.getheader('Content-Length', '')}"
    )


def _version_of(remote: RemoteObject | None) -> str | None:
    return None if remote is None else remote.version
