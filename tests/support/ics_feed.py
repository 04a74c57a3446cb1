"""An ICS feed on loopback, the way Google serves a calendar's secret address.

Serves one calendar at `/calendar/ical/<id>/private-<token>/basic.ics`; every
fetch gets a new DTSTAMP (Google's feed changes on every fetch), so nothing can
rely on ETags. `status` and `body` can be changed between requests; requests
are counted by path. Stopped by the fixture that starts it.
"""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support import capture_corpus


def google_feed(paths: list[Path], calname: str = capture_corpus.ALIAS) -> bytes:
    """The corpus files as one Google-style feed: one VCALENDAR with X-WR-* headers
    (X-WR-TIMEZONE on purpose: Windows-zone events must keep their own zone)."""
    body = []
    zones: dict[str, str] = {}
    for path in paths:
        text = path.read_bytes().decode("utf-8")
        inner = text.split("CALSCALE:GREGORIAN\r\n", 1)[1].rsplit("END:VCALENDAR", 1)[0]
        inner = inner.replace("METHOD:REQUEST\r\n", "").replace("METHOD:CANCEL\r\n", "")
        while "BEGIN:VTIMEZONE" in inner:
            start = inner.index("BEGIN:VTIMEZONE")
            end = inner.index("END:VTIMEZONE\r\n", start) + len("END:VTIMEZONE\r\n")
            block = inner[start:end]
            zones[block.split("TZID:", 1)[1].split("\r\n", 1)[0]] = block
            inner = inner[:start] + inner[end:]
        body.append(inner)
    head = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:" + calname + "\r\n"
        "X-WR-TIMEZONE:America/New_York\r\n"
    )
    return (head + "".join(zones.values()) + "".join(body) + "END:VCALENDAR\r\n").encode()


class FeedServer:
    def __init__(self, body: bytes):
        self.body = body
        self.status = 200
        self.token = secrets.token_hex(16)
        self.path = f"/calendar/ical/alex.rivera%40gmail.com/private-{self.token}/basic.ics"
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                server.requests.append(self.path)
                if self.path != server.path:
                    self.send_error(404)
                    return
                if server.status != 200:
                    self.send_error(server.status)
                    return
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                data = server.body.replace(b"DTSTAMP:20261126T120000Z", f"DTSTAMP:{stamp}".encode())
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
