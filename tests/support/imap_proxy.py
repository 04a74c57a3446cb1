"""A TCP proxy in front of an IMAP server that counts commands and breaks connections.

Counting on the wire, outside our code, keeps "a check with nothing new costs one
STATUS per folder" honest. Commands are read from the client's stream (a line,
with its literals `{n}`/`{n+}` skipped as data) and counted by name ("LOGIN",
"STATUS", "UID SEARCH", "APPEND"...), per connection and in total. A line that
is not a command (the answer to an AUTHENTICATE challenge) is not counted.

Faults, armed for the next command with a given name (`arm("UID SEARCH", "drop")`):

- "drop": the connection is closed before the command reaches the server;
- "lose-answer": the command is forwarded (an APPEND happens), then the
  connection is closed before the server's answer reaches the client.

Plain IMAP only (STARTTLS would hide the commands); the tests that count or
break connections use `security = "none"` on loopback.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections import Counter

from tests.support.imap_servers import free_port

_LITERAL = re.compile(rb"\{(\d+)\+?\}\r?\n?$")
_COMMAND = re.compile(rb"^[A-Za-z0-9.]+ (UID [A-Za-z]+|[A-Za-z]+)")


class ImapProxy:
    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.target = (host, port)
        self.port = free_port()
        self.counts: Counter[str] = Counter()
        self.log: list[str] = []  # command names, in order
        self.lines: list[bytes] = []  # each command's first line (without literals)
        self.connections = 0
        self._armed: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    # --- control --------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.log.clear()
            self.lines.clear()
            self.connections = 0

    def arm(self, command: str, fault: str) -> None:
        """Break the next `command` ("UID SEARCH", "APPEND"...) with `fault`."""
        assert fault in ("drop", "lose-answer"), fault
        with self._lock:
            self._armed.append((command.upper(), fault))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def close(self) -> None:
        self._stop = True
        self._server.close()

    # --- plumbing -------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            # The answer to a "lose-answer" command must not pass; `answered` says the
            # server has answered it (so the command took effect) before we hang up.
            lost, answered = threading.Event(), threading.Event()
            threading.Thread(
                target=self._down, args=(upstream, client, lost, answered), daemon=True
            ).start()
            threading.Thread(
                target=self._up, args=(client, upstream, lost, answered), daemon=True
            ).start()

    def _down(self, upstream: socket.socket, client: socket.socket, lost, answered) -> None:
        try:
            while data := upstream.recv(65536):
                if lost.is_set():
                    answered.set()
                    break
                client.sendall(data)
        except OSError:
            pass
        _close(client, upstream)

    def _up(self, client: socket.socket, upstream: socket.socket, lost, answered) -> None:
        """Forward the client's stream as it comes (a synchronizing literal waits for
        the server's "+"), counting each command at its first line."""
        reader = _Lines(client)
        try:
            while (line := reader.line()) is not None:
                name = _name(line)
                fault = None
                if name is not None:
                    with self._lock:
                        self.counts[name] += 1
                        self.log.append(name)
                        self.lines.append(line)
                        for i, (armed, kind) in enumerate(self._armed):
                            if armed == name:
                                fault = kind
                                del self._armed[i]
                                break
                if fault == "drop":
                    break
                upstream.sendall(line)
                # The rest of this command: literals, and the lines after them.
                while m := _LITERAL.search(line):
                    for chunk in reader.exactly(int(m.group(1))):
                        upstream.sendall(chunk)
                    line = reader.line() or b""
                    upstream.sendall(line)
                if fault == "lose-answer":
                    lost.set()
                    answered.wait(10)  # the server did it; the client never hears so
                    break
        except OSError:
            pass
        _close(client, upstream)


def _name(line: bytes) -> str | None:
    m = _COMMAND.match(line)
    return m.group(1).decode().upper() if m else None


class _Lines:
    """Lines and exact byte counts from a socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = b""

    def line(self) -> bytes | None:
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"

    def exactly(self, size: int):
        while size > 0:
            if not self.buffer:
                self.buffer = self.sock.recv(65536)
                if not self.buffer:
                    raise OSError("client went away inside a literal")
            chunk, self.buffer = self.buffer[:size], self.buffer[size:]
            size -= len(chunk)
            yield chunk


def _close(*socks: socket.socket) -> None:
    for s in socks:
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()
