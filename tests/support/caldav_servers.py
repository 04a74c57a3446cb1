"""Real CalDAV servers for tests: Radicale (htpasswd auth) and Xandikos (no auth).

A pytest plugin, declared once in tests/conftest.py. Servers are session-scoped subprocesses on free loopback
ports, stopped by PID; every test gets a fresh calendar name.
"""

from __future__ import annotations

import http.client
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.fault_proxy import FaultProxy

BIN = Path(sys.executable).parent
USERNAME = "alice"
PASSWORD = "secret"
_calendar_numbers = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(port: int, proc: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("OPTIONS", "/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not answer within {timeout}s")


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate by PID, then kill if it does not go away."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@dataclass
class CalDAVServer:
    """A running server: `url` is the DAV root, `principal` the user's home path."""

    kind: str  # "radicale" or "xandikos"
    url: str
    port: int
    username: str | None
    password: str | None
    proc: subprocess.Popen
    storage: Path

    @property
    def features(self) -> str:
        return self.kind

    @property
    def home_url(self) -> str:
        # Radicale: /<user>/ ; Xandikos --defaults: /user/calendars/
        if self.kind == "radicale":
            return f"{self.url}{self.username}/"
        return f"{self.url}user/calendars/"

    def new_calendar_name(self, prefix: str = "cal") -> str:
        return f"{prefix}-{next(_calendar_numbers)}"

    def client(self, url: str | None = None):
        """A plain caldav client (the 'other app' in tests)."""
        from caldav import DAVClient

        kw = {}
        if self.username:
            kw = {"username": self.username, "password": self.password, "auth_type": "basic"}
        return DAVClient(url=url or self.url, features=self.kind, **kw)

    def stop(self) -> None:
        stop_process(self.proc)


def start_radicale(tmp: Path, port: int | None = None) -> CalDAVServer:
    tmp.mkdir(parents=True, exist_ok=True)
    htpasswd = tmp / "htpasswd"
    htpasswd.write_text(f"{USERNAME}:{PASSWORD}\n")
    port = port or free_port()
    cmd = [
        str(BIN / "radicale"),
        "--config",
        "",  # read no system/user config
        "--server-hosts",
        f"127.0.0.1:{port}",
        "--storage-filesystem-folder",
        str(tmp / "storage"),
        "--auth-delay",
        "0",  # Radicale otherwise sleeps ~1 s before every 401
        "--logging-level",
        "warning",
        "--auth-type",
        "htpasswd",
        "--auth-htpasswd-filename",
        str(htpasswd),
        "--auth-htpasswd-encryption",
        "plain",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(port, proc)
    except Exception:
        stop_process(proc)
        raise
    return CalDAVServer(
        "radicale", f"http://127.0.0.1:{port}/", port, USERNAME, PASSWORD, proc, tmp
    )


def start_xandikos(tmp: Path, port: int | None = None) -> CalDAVServer:
    tmp.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    cmd = [
        str(BIN / "xandikos"),
        "serve",
        "-d",
        str(tmp / "data"),
        "--defaults",
        "-l",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(port, proc)
    except Exception:
        stop_process(proc)
        raise
    return CalDAVServer("xandikos", f"http://127.0.0.1:{port}/", port, None, None, proc, tmp)


@pytest.fixture(scope="session")
def radicale_server(tmp_path_factory):
    server = start_radicale(tmp_path_factory.mktemp("radicale"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def xandikos_server(tmp_path_factory):
    server = start_xandikos(tmp_path_factory.mktemp("xandikos"))
    yield server
    server.stop()


@pytest.fixture(params=["radicale", "xandikos"])
def caldav_server(request):
    """Both servers, one after the other."""
    return request.getfixturevalue(f"{request.param}_server")


# --- request counting --------------------------------------------------------


@pytest.fixture
def counting_proxy_factory():
    """Factory: a FaultProxy in front of a server URL, closed after the test."""
    proxies: list[FaultProxy] = []

    def make(target_url: str) -> FaultProxy:
        p = FaultProxy(target_url)
        proxies.append(p)
        return p

    yield make
    for p in proxies:
        p.close()
