"""One IMAP connection: TLS verified, login, and every failure as one clear line.

IMAPClient, not the standard library's imaplib: imaplib's IMAP4_SSL does not
verify certificates (it uses an unverified context unless given one), IMAPClient
uses ssl.create_default_context(). A server with a private CA is trusted through
`ca_file`, never by turning verification off. Plain IMAP is allowed only to a
loopback address (a local bridge, the tests).

The library's debug log prints the subjects it fetches, so the "imapclient"
logger is pinned at WARNING whatever the application's logging says.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
from collections.abc import Callable
from typing import Any, TypeVar

from followup_sync.errors import ProviderAuthError, ProviderError
from followup_sync.redaction import redact

T = TypeVar("T")

logging.getLogger("imapclient").setLevel(logging.WARNING)

LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Refused(ProviderError):
    """The server answered NO or BAD (a folder that does not exist, say)."""


class Session:
    """A lazily opened, logged-in IMAPClient; `call` runs one step with clean errors.

    A connection that broke (dropped, timed out) is thrown away; the next call
    opens a new one, so one lost connection costs one failed step, not the push.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        username: str,
        secret: Callable[[], str],
        auth: str,
        ca_file: str,
        timeout: float,
        where: str,
    ):
        self.host, self.port, self.security = host, port, security
        self.username = username
        self._secret = secret
        self.auth = auth
        self.ca_file = ca_file
        self.timeout = timeout
        self.where = where
        self._client: Any = None
        self.logins = 0  # connections opened (tests: one per push)

    # --- connection ---------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _context(self) -> Any:
        """Certificates and host names verified; `ca_file` adds a private CA, nothing less."""
        import ssl

        return ssl.create_default_context(cafile=self.ca_file or None)

    def _connect(self) -> Any:
        from imapclient import IMAPClient
        from imapclient.exceptions import LoginError

        def open_() -> Any:
            tls = self.security == "tls"
            kw = {"ssl_context": self._context()} if tls else {}
            client = IMAPClient(self.host, port=self.port, ssl=tls, timeout=self.timeout, **kw)
            try:
                if self.security == "starttls":
                    client.starttls(self._context())
                secret = self._secret()
                try:
                    if self.auth == "xoauth2":
                        client.oauth2_login(self.username, secret)
                    else:
                        client.login(self.username, secret)
                except LoginError:
                    how = "the OAuth2 token" if self.auth == "xoauth2" else "the password"
                    raise ProviderAuthError(
                        f"{self.where}: {self.host} refused the login of {self.username}"
                        f" (check {how}; Gmail, iCloud and Yahoo need an app password)"
                    ) from None
            except BaseException:
                _shutdown(client)
                raise
            return client

        client = self._guard("connecting", open_)
        self.logins += 1
        return client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.logout()
            except Exception:  # noqa: BLE001 - closing: nothing left to report
                _shutdown(client)

    # --- running a step -------------------------------------------------------------
    def call(self, what: str, fn: Callable[[Any], T]) -> T:
        """fn(client) with every failure turned into a one-line ProviderError."""
        return self._guard(what, lambda: fn(self.client))

    def has(self, capability: str) -> bool:
        return self.call("reading capabilities", lambda c: c.has_capability(capability))

    def _guard(self, what: str, step: Callable[[], T]) -> T:
        import imaplib
        import ssl

        from imapclient.exceptions import CapabilityError

        where, target = self.where, f"{self.host}:{self.port}"
        try:
            return step()
        except ProviderError:
            raise
        except ssl.SSLCertVerificationError as e:
            self._drop()
            hint = " (set ca_file for a server with a private CA)"
            raise ProviderError(
                f"{where}: the TLS certificate of {self.host} is not trusted:"
                f" {e.verify_message or e.reason}{hint}"
            ) from None
        except ssl.SSLError as e:
            self._drop()
            raise ProviderError(f"{where}: TLS with {target} failed ({e.reason})") from None
        except TimeoutError:  # socket.timeout is TimeoutError
            self._drop()
            raise ProviderError(
                f"{where}: {target} did not answer within {self.timeout:g} s ({what})"
            ) from None
        except socket.gaierror:
            self._drop()
            raise ProviderError(f"{where}: cannot find the server {self.host}") from None
        except ConnectionRefusedError:
            self._drop()
            raise ProviderError(f"{where}: cannot connect to {target} (refused)") from None
        except CapabilityError as e:
            raise ProviderError(f"{where}: the server cannot do this ({_one_line(e)})") from None
        except (imaplib.IMAP4.abort, OSError, EOFError) as e:
            # IMAPClientAbortError is imaplib's abort: the connection is gone.
            self._drop()
            raise ProviderError(
                f"{where}: the connection to {target} was lost while {what}"
                f" ({_one_line(e) or e.__class__.__name__}); nothing is lost, push again"
            ) from None
        except imaplib.IMAP4.error as e:
            raise Refused(f"{where}: the server refused {what}: {_one_line(e)}") from None

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _shutdown(client)


def _shutdown(client: Any) -> None:
    with contextlib.suppress(Exception):  # the connection is already broken
        client.shutdown()


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return redact(text)[:300]
