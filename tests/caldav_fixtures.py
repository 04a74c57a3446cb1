"""Real CalDAV servers for tests: Radicale (htpasswd auth) and Xandikos (no auth).

Use from a test module with ``pytest_plugins = ["tests.caldav_fixtures"]`` or by
importing the fixtures. Servers are session-scoped subprocesses on free loopback
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
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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


class CountingProxy:
    """A loopback reverse proxy that forwards to a server and counts requests by method.

    Counting on the wire (not inside our code) keeps the no-op checks honest.
    `inject(method, action)` makes the next request with that method misbehave:
    "500"/"503" (answer that status without forwarding), "drop" (close the
    connection without forwarding), "lose-answer" (forward, then close without
    answering: the write happened but the client never hears of it) or
    "delay:SECONDS" (wait, then forward), "hang-after:SECONDS" (forward, then wait
    before answering: a client killed meanwhile wrote but never heard back) or
    "pass" (forward normally; lets a fault target the Nth request).
    """

    def __init__(self, target_url: str):
        target = urlsplit(target_url)
        self.target_host, self.target_port = target.hostname, target.port
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str, int]] = []
        self.faults: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy._take_fault(self.command)
                if fault in ("500", "503"):
                    with proxy._lock:
                        proxy.counts[self.command] += 1
                        proxy.log.append((self.command, self.path, int(fault)))
                    self.send_response(int(fault))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if fault == "drop":
                    with proxy._lock:
                        proxy.counts[self.command] += 1
                        proxy.log.append((self.command, self.path, 0))
                    self.close_connection = True
                    return
                if fault and fault.startswith("delay:"):
                    time.sleep(float(fault.split(":", 1)[1]))
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "connection", "keep-alive")
                }
                conn = http.client.HTTPConnection(proxy.target_host, proxy.target_port, timeout=30)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                with proxy._lock:
                    proxy.counts[self.command] += 1
                    proxy.log.append((self.command, self.path, resp.status))
                if fault == "lose-answer":
                    self.close_connection = True
                    return
                if fault and fault.startswith("hang-after:"):
                    time.sleep(float(fault.split(":", 1)[1]))
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in ("connection", "keep-alive", "transfer-encoding"):
                        if k.lower() == "content-length":
                            continue
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = _forward
            do_OPTIONS = do_MKCALENDAR = do_MKCOL = do_PROPPATCH = do_POST = _forward
            do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def inject(self, method: str, action: str) -> None:
        with self._lock:
            self.faults.append((method, action))

    def _take_fault(self, method: str) -> str | None:
        with self._lock:
            for i, (m, action) in enumerate(self.faults):
                if m == method:
                    del self.faults[i]
                    return action
        return None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def writes(self) -> int:
        return sum(self.counts[m] for m in ("PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH"))

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.log.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_proxy_factory():
    proxies: list[CountingProxy] = []

    def make(target_url: str) -> CountingProxy:
        p = CountingProxy(target_url)
        proxies.append(p)
        return p

    yield make
    for p in proxies:
        p.close()
