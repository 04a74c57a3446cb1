"""The one HTTP reverse proxy of the test suite: counts requests and injects faults.

It sits on a free loopback port in front of a real server (Radicale, Xandikos, the
fake Todoist). Every request that reaches it gets an index (0, 1, 2... since the
last `reset()`) and is counted by method, on the wire, retries included: counting
outside our code keeps the "a no-op push writes nothing" checks honest.
`arm(k, kind)` makes request k misbehave once, `arm_same(entry, kind)` the request
that matches a logged one of an earlier run (by method, path and occurrence, so
concurrent requests arriving in another order do not matter), `inject(method,
kind)` queues a fault for the next requests with that method; every other request
is forwarded unchanged. Fault kinds:

- "reset": the connection is reset (RST) before the request is forwarded: the
  server never sees it.
- "stall": the request is forwarded (it takes effect), then the answer is held
  for `stall_seconds`, past the client's timeout: the client never hears back.
- "truncate": the request is forwarded, then only the first half of the answer's
  bytes (status line, headers, body) is sent and the connection closed.
- "500", "503": that status, without forwarding ("405": a server without that method).
- "429": 429 with `Retry-After: <retry_after>`, without forwarding.
- "delay:SECONDS": wait, then forward normally (slows a push down, for kill tests).
- "drop": close the connection without forwarding (a clean close, not an RST).
- "lose-answer": forward (the write happens), then close without answering.
- "hang-after:SECONDS": forward, then wait before answering (a client killed
  meanwhile wrote but never heard back).
- "cut-body": the request line, headers and half the body reach the server, then
  both connections close: an upload dropped midway, as the server sees it.
- "pass": forward normally (lets a queued fault target the Nth request of a method).

`before(method, fn)` runs `fn()` once, just before the next request with that
method is forwarded (a concurrent change by another client, at a known moment).
With `forwarded_host=True` the proxy says where the client connected
(X-Forwarded-Host), as reverse proxies do, so a WebDAV MOVE's Destination (our
address) is recognised by the server behind it.

Latency mode: `slow_down(seconds)` delays every request by that much before it
is forwarded (a long link: requests in flight at once wait side by side, each on
its own connection). `max_in_flight` tells how many requests were handled at once.

Upstream connections are made per request; the answer is re-sent with a
Content-Length (never chunked), so truncation cuts a known number of bytes.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# The kinds the fault sweeps (tests/system/test_faults.py) inject at every request.
FAULT_KINDS = ("reset", "stall", "truncate", "500", "503", "429")
WRITE_METHODS = ("PUT", "DELETE", "POST", "MKCALENDAR", "MKCOL", "PROPPATCH", "MOVE", "COPY")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Logged:
    index: int
    method: str
    path: str
    status: int | None  # None: no answer reached the client
    fault: str | None
    upstream: int | None = None  # the server's status, once forwarded
    at: float = 0.0  # time.monotonic() when the request arrived
    occurrence: int = 0  # 1 for the first request with this method and (normalised) path
    phase: int = 0  # see FaultProxy.new_phase()


class FaultProxy:
    def __init__(
        self,
        target_url: str,
        *,
        stall_seconds: float = 2.0,
        retry_after: int = 1,
        upstream_timeout: float = 30.0,
        normalize: Callable[[str], str] | None = None,
        forwarded_host: bool = False,
    ):
        target = urlsplit(target_url)
        self.forwarded_host = forwarded_host
        self._before: list[tuple[str, object]] = []
        self.target_host, self.target_port = target.hostname, target.port
        self.stall_seconds = stall_seconds
        self.retry_after = retry_after
        self.upstream_timeout = upstream_timeout
        self.log: list[Logged] = []
        # Masks what differs between otherwise identical runs (a fresh calendar's
        # name) so `arm_same` finds the same request again.
        self.normalize = normalize or (lambda path: path)
        self.phase = 0
        self._seen: Counter[tuple[int, str, str]] = Counter()
        self._by_request: dict[tuple[int, str, str, int], str] = {}
        self._faults: dict[int, str] = {}
        self._by_method: list[tuple[str, str]] = []
        self.counts: Counter[str] = Counter()
        self._every = None  # a fault applied to every request (e.g. "delay:0.05")
        self.in_flight = 0  # requests being handled right now
        self.max_in_flight = 0  # the most at once since the last reset()
        self._next = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet test output
                pass

            def _handle(self):
                proxy._enter()
                try:
                    self._handle_one()
                finally:
                    proxy._leave()

            def _handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                index, fault = proxy._take(self.command, self.path)
                if fault == "drop":
                    proxy._note(index, None)
                    self.close_connection = True
                    return
                if fault == "reset":
                    proxy._note(index, None)
                    # SO_LINGER 0 + close: an RST, as from a crashed middlebox.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    self.close_connection = True
                    return
                if fault == "cut-body":
                    proxy._note(index, None)
                    proxy._forward_half(self.command, self.path, self.headers, body or b"")
                    self.close_connection = True
                    return
                if fault in ("500", "503", "429", "405"):
                    status = int(fault)
                    proxy._note(index, status)
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", str(proxy.retry_after))
                    self.send_header("Content-Type", "text/plain")
                    payload = b"injected fault"
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if fault and fault.startswith("delay:"):
                    time.sleep(float(fault.split(":", 1)[1]))
                proxy._run_before(self.command)
                try:
                    status, reason, headers, data = proxy._forward(
                        self.command, self.path, self.headers, body
                    )
                except OSError:
                    proxy._note(index, None)
                    self.close_connection = True
                    return
                proxy._note(index, None, upstream=status)
                raw = [f"HTTP/1.1 {status} {reason}\r\n".encode("latin-1")]
                for k, v in headers:
                    if k.lower() not in _HOP_BY_HOP:
                        raw.append(f"{k}: {v}\r\n".encode("latin-1"))
                raw.append(f"Content-Length: {len(data)}\r\n\r\n".encode("latin-1"))
                wire = b"".join(raw) + (b"" if self.command == "HEAD" else data)
                if fault == "lose-answer":
                    proxy._note(index, None)
                    self.close_connection = True
                    return
                if fault and fault.startswith("hang-after:"):
                    time.sleep(float(fault.split(":", 1)[1]))
                if fault == "stall":
                    proxy._note(index, None)
                    time.sleep(proxy.stall_seconds)
                    self.close_connection = True
                    return  # the client gave up long ago; it never hears back
                if fault == "truncate":
                    proxy._note(index, None)
                    self.wfile.write(wire[: len(wire) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                proxy._note(index, status)
                self.wfile.write(wire)

            do_GET = do_PUT = do_DELETE = do_POST = do_HEAD = do_OPTIONS = _handle
            do_PROPFIND = do_PROPPATCH = do_REPORT = do_MKCALENDAR = do_MKCOL = _handle
            do_MOVE = do_COPY = _handle

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that hung up mid-answer is expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # --- knobs ----------------------------------------------------------------------
    def arm(self, index: int, kind: str) -> None:
        """Request number `index` (counted from the last reset) gets fault `kind`."""
        with self._lock:
            self._faults[index] = kind

    def new_phase(self) -> None:
        """Occurrences count from 1 again (e.g. per push of a scenario)."""
        with self._lock:
            self.phase += 1

    def arm_same(self, entry: Logged, kind: str) -> None:
        """The request that is `entry` of an earlier run gets fault `kind`: the same
        phase, method and normalised path, the same occurrence of it. Unlike an
        index, this holds when requests in flight side by side reach the proxy in
        another order."""
        key = (entry.phase, entry.method, self.normalize(entry.path), entry.occurrence)
        with self._lock:
            self._by_request[key] = kind

    def inject(self, method: str, kind: str) -> None:
        """Queue fault `kind` for a later request with this method (in the order queued)."""
        with self._lock:
            self._by_method.append((method, kind))

    arm_next = inject

    def before(self, method: str, fn) -> None:
        """Run `fn()` once, right before the next `method` request is forwarded."""
        with self._lock:
            self._before.append((method, fn))

    def slow_down(self, seconds: float | None) -> None:
        """Delay every request by `seconds` (None: stop)."""
        with self._lock:
            self._every = f"delay:{seconds}" if seconds else None

    def retarget(self, target_url: str) -> None:
        """Forward to another server from now on."""
        target = urlsplit(target_url)
        with self._lock:
            self.target_host, self.target_port = target.hostname, target.port

    def reset(self) -> None:
        with self._lock:
            self.log.clear()
            self.phase = 0
            self._seen.clear()
            self._by_request.clear()
            self._faults.clear()
            self._by_method.clear()
            self._before.clear()
            self.counts.clear()
            self._next = 0
            self.max_in_flight = self.in_flight

    @property
    def count(self) -> int:
        with self._lock:
            return self._next

    @property
    def total(self) -> int:
        """Requests since the last reset (the same as `count`)."""
        return self.count

    @property
    def writes(self) -> int:
        """Requests since the last reset whose method writes."""
        with self._lock:
            return sum(self.counts[m] for m in WRITE_METHODS)

    def fired(self) -> list[Logged]:
        with self._lock:
            return [e for e in self.log if e.fault and not e.fault.startswith("delay:")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    # --- internals --------------------------------------------------------------------
    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _take(self, method: str, path: str) -> tuple[int, str | None]:
        with self._lock:
            index = self._next
            self._next += 1
            self.counts[method] += 1
            key = (self.phase, method, self.normalize(path))
            self._seen[key] += 1
            occurrence = self._seen[key]
            fault = (
                self._faults.pop(index, None)
                or self._by_request.pop((*key, occurrence), None)
                or self._take_queued(method)
                or self._every
            )
            self.log.append(
                Logged(
                    index,
                    method,
                    path,
                    None,
                    fault,
                    at=time.monotonic(),
                    occurrence=occurrence,
                    phase=self.phase,
                )
            )
            return index, fault

    def _take_queued(self, method: str) -> str | None:
        for i, (m, kind) in enumerate(self._by_method):
            if m == method:
                del self._by_method[i]
                return None if kind == "pass" else kind
        return None

    def _note(self, index: int, status: int | None, upstream: int | None = None) -> None:
        with self._lock:
            for e in reversed(self.log):
                if e.index == index:
                    e.status = status
                    if upstream is not None:
                        e.upstream = upstream
                    break

    def _run_before(self, method: str) -> None:
        with self._lock:
            found = next((i for i, (m, _) in enumerate(self._before) if m == method), None)
            if found is None:
                return
            _, fn = self._before.pop(found)
        fn()

    def _forward_half(self, method, path, headers, body: bytes) -> None:
        """Send the request with its full Content-Length but half its body, then hang up."""
        with self._lock:
            host, port = self.target_host, self.target_port
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
        for k, v in self._forward_headers(headers).items():
            lines.append(f"{k}: {v}")
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        with socket.create_connection((host, port), timeout=self.upstream_timeout) as sock:
            sock.sendall(head + body[: len(body) // 2])
            # Then the end of the stream, and wait until the server has dealt with
            # the short body and hung up: the client hears of the drop only after
            # the server did whatever it does with half an upload.
            sock.shutdown(socket.SHUT_WR)
            with contextlib.suppress(OSError):
                while sock.recv(65536):
                    pass

    def _forward_headers(self, headers) -> dict[str, str]:
        fwd = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
        if self.forwarded_host and headers.get("Host"):
            fwd["X-Forwarded-Host"] = headers["Host"]
        return fwd

    def _forward(self, method, path, headers, body):
        fwd = self._forward_headers(headers)
        with self._lock:
            host, port = self.target_host, self.target_port
        conn = http.client.HTTPConnection(host, port, timeout=self.upstream_timeout)
        try:
            conn.request(method, path, body=body, headers=fwd)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.reason, resp.getheaders(), data
        finally:
            conn.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
