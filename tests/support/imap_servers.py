"""Real IMAP servers for tests: Dovecot 2.3 (Debian's dovecot-imapd) and pymap (pip).

Both are subprocesses on free loopback ports, stopped by PID. Dovecot is started
once per session and every test gets its own user (a fresh Maildir): stopping
Dovecot takes about a second, a new line in its passwd-file nothing (the file is
re-read when it changes). pymap has a single user, so each test gets its own
folders there (`t7/INBOX`, `t7/Sent`, `t7/Drafts`), named to the provider through
its folder options.

Dovecot runs as root (CI) and unprivileged: imap-login refuses to run as root,
so as root the login and mail users are Debian's `dovenull` and `nobody` (see
NOTES-mail.md). Without Dovecot installed, the Dovecot variants are skipped with
the reason and listed at the end of the run, with how to install it.
"""

from __future__ import annotations

import grp
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
PASSWORD = "imap-secret-9f3a"
DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
)
NO_DOVECOT = "Dovecot is not installed"
USERS = 500  # users of one Dovecot instance (one per test)
INSTALL_HINT = "apt-get install dovecot-imapd (as root; CI does this in .ci/run)"
_numbers = itertools.count(1)  # pymap folder prefixes
#: Tests whose Dovecot variant could not run, for the terminal summary.
NOT_RUN: list[str] = []

DOVECOT_CONF = """\
base_dir = {d}/run
state_dir = {d}/state
instance_name = dovecot-test-{port}
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
mail_location = maildir:~/Maildir
{extra}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Junk {{
    special_use = \\Junk
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {internal_user}
    mode = 0600
  }}
  unix_listener stats-writer {{
    user = {internal_user}
    mode = 0600
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_greeting(port: int, proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Until the server answers `* OK`; fails at once if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"IMAP server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"IMAP server on port {port} did not greet within {timeout}s")


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate by PID, then kill if it does not go away."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def make_cert(d: Path) -> tuple[Path, Path]:
    """A self-signed certificate for "localhost" (the private CA of the TLS tests)."""
    key, cert = d / "key.pem", d / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class DovecotServer:
    """One Dovecot instance; `new_user()` adds a user with an empty mailbox."""

    root: Path
    port: int
    tls_port: int | None
    proc: subprocess.Popen
    cert: Path | None = None
    users: list[str] = field(default_factory=list)

    def new_user(self) -> str:
        """A user nobody used yet (its Maildir is made at its first login)."""
        n = len(self.users) + 1
        if n > USERS:
            raise RuntimeError(f"this Dovecot has only {USERS} users; start another")
        self.users.append(f"user{n}")
        return self.users[-1]

    def stop(self) -> None:
        stop_process(self.proc)


def _mail_ids() -> tuple[int, int]:
    if os.geteuid() == 0:
        return pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
    return os.getuid(), os.getgid()


def start_dovecot(root: Path, *, tls: bool = False, extra: str = "") -> DovecotServer:
    """Dovecot on a free loopback port (plus an imaps port with a self-signed cert if `tls`)."""
    if DOVECOT is None:
        raise RuntimeError(f"{NO_DOVECOT}: {INSTALL_HINT}")
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(exist_ok=True)
    # As root, Dovecot's auth and mail processes run as other users, who must be
    # able to reach the files: mkdtemp-style 0700 dirs keep them out.
    os.chmod(root, 0o755)
    uid, gid = _mail_ids()
    # Every user up front: Dovecot re-reads a changed passwd-file, but not one
    # changed twice within the same second (it compares modification times).
    (root / "users").write_text(
        "".join(
            f"user{n}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root}/mail/user{n}\n"
            for n in range(1, USERS + 1)
        )
    )
    if os.geteuid() == 0:
        iu, ig, lu = "dovecot", "dovecot", "dovenull"
        os.chown(root / "mail", uid, gid)
    else:
        iu = lu = pwd.getpwuid(os.getuid()).pw_name
        ig = grp.getgrgid(os.getgid()).gr_name
    port = free_port()
    cert = None
    if tls:
        cert, key = make_cert(root)
        tls_port = free_port()
        ssl = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
    else:
        tls_port = None
        ssl = "ssl = no"
    conf = DOVECOT_CONF.format(
        d=root,
        port=port,
        tls_port=tls_port or 0,
        ssl=ssl,
        extra=extra,
        internal_user=iu,
        internal_group=ig,
        login_user=lu,
        mail_uid=uid,
        mail_gid=gid,
    )
    (root / "dovecot.conf").write_text(conf)
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_greeting(port, proc)
    except Exception:
        stop_process(proc)
        log = root / "dovecot.log"
        raise RuntimeError(
            f"Dovecot did not start: {log.read_text()[-2000:] if log.exists() else 'no log'}"
        ) from None
    return DovecotServer(root, port, tls_port, proc, cert)


@dataclass
class PymapServer:
    port: int
    proc: subprocess.Popen
    cert: Path | None = None
    user: str = "alice"

    def stop(self) -> None:
        stop_process(self.proc)


def start_pymap(root: Path, *, tls: bool = False) -> PymapServer:
    """pymap's in-memory backend, one user; with `tls`, STARTTLS with a self-signed cert."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [str(BIN / "pymap"), "--host", "127.0.0.1", "--port", str(port)]
    cert = None
    if tls:
        cert, key = make_cert(root)
        args += ["--cert", str(cert), "--key", str(key)]
    args += ["dict", "--demo-user", "alice", "--demo-password", PASSWORD]
    # FQDN: the greeting otherwise asks the resolver for this host's name.
    env = {**os.environ, "FQDN": "localhost"}
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for_greeting(port, proc)
    except Exception:
        stop_process(proc)
        raise
    return PymapServer(port, proc, cert)


# --- the mailbox a test works with ---------------------------------------------------


@dataclass
class Mailbox:
    """One test's mailbox on one server, and a plain IMAPClient to play the user's mail app.

    `folders` maps a role (inbox, sent, drafts, trash) to the folder name; on pymap
    they are per-test folders, on Dovecot the user's own special-use folders.
    `options` are the provider options that point followup-sync at it.
    """

    kind: str  # "dovecot" or "pymap"
    host: str
    port: int
    username: str
    password: str
    folders: dict[str, str]
    options: dict[str, object]

    def client(self):
        from imapclient import IMAPClient

        c = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        c.login(self.username, self.password)
        return c

    def toml(self, name: str = "mail", **extra: object) -> str:
        """The [providers.NAME] table for this mailbox (password from $IMAP_TEST_PASSWORD)."""
        opts = {
            "type": "imap",
            "host": self.host,
            "port": self.port,
            "security": "none",
            "username": self.username,
            "password_env": "IMAP_TEST_PASSWORD",
            **self.options,
            **extra,
        }
        lines = [f"[providers.{name}]"]
        for key, value in opts.items():
            lines.append(f"{key} = {_toml(value)}")
        return "\n".join(lines) + "\n"

    def append(self, role: str, message: bytes, when: datetime, flags: tuple = ()) -> int:
        """APPEND `message` to the folder of `role`; returns its UID."""
        import re

        with self.client() as c:
            resp = c.append(self.folders[role], message, flags=flags, msg_time=when)
        return int(re.search(rb"APPENDUID \d+ (\d+)", resp).group(1))

    def messages(self, role: str) -> dict[int, dict]:
        """UID -> {"flags", "headers"} of every message in the folder (read-only, PEEK)."""
        from email import message_from_bytes

        with self.client() as c:
            c.select_folder(self.folders[role], readonly=True)
            uids = c.search(["ALL"])
            out = {}
            if uids:
                for uid, data in c.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER]"]).items():
                    raw = next(v for k, v in data.items() if k.startswith(b"BODY[HEADER"))
                    out[uid] = {"flags": data[b"FLAGS"], "headers": message_from_bytes(raw)}
            return out

    def flags(self, role: str) -> dict[int, tuple]:
        return {uid: m["flags"] for uid, m in self.messages(role).items()}


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def dovecot_mailbox(server: DovecotServer) -> Mailbox:
    user = server.new_user()
    folders = {"inbox": "INBOX", "sent": "Sent", "drafts": "Drafts", "trash": "Trash"}
    return Mailbox("dovecot", "127.0.0.1", server.port, user, PASSWORD, folders, {})


def pymap_mailbox(server: PymapServer) -> Mailbox:
    from imapclient import IMAPClient

    prefix = f"t{next(_numbers)}"
    folders = {
        "inbox": f"{prefix}/Inbox",
        "sent": f"{prefix}/Sent",
        "drafts": f"{prefix}/Drafts",
        "trash": f"{prefix}/Trash",
    }
    with IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10) as c:
        c.login(server.user, PASSWORD)
        for name in folders.values():
            c.create_folder(name)
    options = {
        "reply_folders": [folders["inbox"]],
        "sent_folder": folders["sent"],
        "drafts_folder": folders["drafts"],
    }
    return Mailbox("pymap", "127.0.0.1", server.port, server.user, PASSWORD, folders, options)


# --- fixtures ----------------------------------------------------------------------


def dovecot_root() -> Path:
    """A fresh directory Dovecot's own users can reach.

    Not under pytest's temporary directory: pytest keeps /tmp/pytest-of-<user>
    at mode 0700, which locks out Dovecot's auth process when running as root.
    """
    import tempfile

    return Path(tempfile.mkdtemp(prefix="followup-dovecot-"))


@pytest.fixture(scope="session")
def dovecot_server():
    if DOVECOT is None:
        pytest.skip(f"{NO_DOVECOT}: {INSTALL_HINT}")
    root = dovecot_root()
    server = start_dovecot(root)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pymap_server(tmp_path_factory):
    server = start_pymap(tmp_path_factory.mktemp("pymap"))
    yield server
    server.stop()


def _dovecot_param():
    marks = []
    if DOVECOT is None:
        marks = [pytest.mark.skip(reason=f"{NO_DOVECOT}: {INSTALL_HINT}")]
    return pytest.param("dovecot", marks=marks)


#: Parametrize a test over both servers: `@pytest.mark.parametrize("server_kind", BOTH)`.
BOTH = [_dovecot_param(), "pymap"]


@pytest.fixture(params=BOTH)
def mailbox(request) -> Mailbox:
    """A fresh mailbox on each server in turn (a new Dovecot user, new pymap folders)."""
    if request.param == "dovecot":
        return dovecot_mailbox(request.getfixturevalue("dovecot_server"))
    return pymap_mailbox(request.getfixturevalue("pymap_server"))


@pytest.fixture
def dovecot_only_mailbox(request) -> Mailbox:
    """A fresh Dovecot mailbox, for features pymap lacks (SPECIAL-USE, CONDSTORE)."""
    return dovecot_mailbox(request.getfixturevalue("dovecot_server"))


def pytest_runtest_logreport(report):
    if report.skipped and NO_DOVECOT in str(report.longrepr):
        NOT_RUN.append(report.nodeid)


def pytest_terminal_summary(terminalreporter):
    if NOT_RUN:
        terminalreporter.write_sep("-", "IMAP: Dovecot tests that could not run")
        terminalreporter.write_line(
            f"{NO_DOVECOT}: these {len(NOT_RUN)} test(s) did not run (the pymap variants"
            f" of the others did). To run them: {INSTALL_HINT}"
        )
        for nodeid in NOT_RUN:
            terminalreporter.write_line(f"  {nodeid}")
