"""Real publish targets for tests: moto's S3 API server and a WebDAV server (wsgidav).

A pytest plugin, declared once in tests/conftest.py. Servers are session-scoped
subprocesses on free loopback ports, stopped by PID; every test gets a bucket or
folder of its own. They are set up as a user would set up theirs (docs/feed.md):

- S3 (`s3_server`): a bucket whose policy lets anyone GET objects under `feeds/`
  and nothing else. moto checks object reads against the policy (an object outside
  the prefix is a 403) but, unlike AWS, answers an anonymous listing of the bucket
  and does not model Block Public Access; it checks no credentials either.
- S3 with credentials checked (`s3_iam_server`): moto with IAM authentication on
  (INITIAL_NO_AUTH_ACTION_COUNT), one user holding only the documented policy
  (PutObject, GetObject, DeleteObject under `feeds/`). moto cannot serve anonymous
  reads in this mode (a 500), hence two servers.
- WebDAV (`webdav_server`): wsgidav laid out like Nextcloud: authenticated writes
  under /remote.php/dav/files/alex, and /public, an anonymous read-only mapping of
  the same folders where only a GET or HEAD of a file is allowed (a 403 for a
  folder, a listing or any other method), as a published folder or a share link.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.caldav_servers import free_port, stop_process

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent.parent
WEBDAV_USER = "alex"
WEBDAV_PASSWORD = "app-password-7c1d"
S3_KEY_ID = "AKIAFOLLOWUPTEST0001"
S3_SECRET = "s3-secret-for-tests-9f2e"
PUBLIC_PREFIX = "feeds/"
_numbers = itertools.count(1)


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Until something accepts connections on the port (no request: moto counts them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not listen within {timeout}s")


def anon_get(url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    """(status, headers with lower-case names, body) of an anonymous request, as Google makes."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(
            method, path, headers={"User-Agent": "Google-Calendar-Importer", **(headers or {})}
        )
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


# --- S3 (moto) ----------------------------------------------------------------------------------
@dataclass
class S3Server:
    url: str  # the S3 API endpoint, also where anonymous readers GET objects (path style)
    port: int
    proc: subprocess.Popen
    key_id: str  # the publishing user's keys, given to followup-sync
    secret: str
    admin_key_id: str = "admin"  # the bucket owner's (moto without IAM: any)
    admin_secret: str = "admin"

    def admin(self):
        """A boto3 client with the bucket owner's credentials: the test's own eyes and hands."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=self.admin_key_id,
            aws_secret_access_key=self.admin_secret,
            config=Config(s3={"addressing_style": "path"}),
        )

    def new_bucket(self, public: bool = True) -> str:
        """A fresh bucket; anyone may GET objects under feeds/ (and nothing else)."""
        bucket = f"cal-{next(_numbers)}"
        s3 = self.admin()
        s3.create_bucket(Bucket=bucket)
        if public:
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/{PUBLIC_PREFIX}*",
                    }
                ],
            }
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        return bucket

    def keys(self, bucket: str) -> list[str]:
        listed = self.admin().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def config(
        self, name: str, bucket: str, *, endpoint: str | None = None, extra: str = ""
    ) -> str:
        """A [providers.NAME] table for this bucket, secrets from the environment."""
        return f"""
[providers.{name}]
type = "s3"
bucket = "{bucket}"
endpoint = "{endpoint or self.url}"
region = "us-east-1"
prefix = "{PUBLIC_PREFIX}"
public_url = "{self.url}/{bucket}"
access_key_id_env = "FS_TEST_S3_KEY_ID"
secret_access_key_env = "FS_TEST_S3_SECRET"
{extra}
"""

    def env(self, secret: str | None = None) -> dict[str, str]:
        return {"FS_TEST_S3_KEY_ID": self.key_id, "FS_TEST_S3_SECRET": secret or self.secret}

    def stop(self) -> None:
        stop_process(self.proc)


def _start_moto(tmp: Path, no_auth_actions: int | None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ)
    if no_auth_actions is not None:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(no_auth_actions)
    log = open(tmp / "moto.log", "wb")  # noqa: SIM115 - the server keeps writing to it
    proc = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    log.close()
    try:
        wait_for_port(port, proc)
    except Exception:
        stop_process(proc)
        raise
    return proc, port


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("moto")
    proc, port = _start_moto(tmp, None)
    server = S3Server(f"http://127.0.0.1:{port}", port, proc, S3_KEY_ID, S3_SECRET)
    yield server
    server.stop()


#: The policy docs/feed.md gives the publishing user: the three object calls under the prefix.
PUBLISHER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::{bucket}/feeds/*",
        }
    ],
}


@pytest.fixture(scope="session")
def s3_iam_server(tmp_path_factory):
    """moto checking every signature against IAM; `key_id`/`secret` hold only PUBLISHER_POLICY."""
    import boto3

    tmp = tmp_path_factory.mktemp("moto-iam")
    # The first six actions run unauthenticated: two users, their keys and policies.
    proc, port = _start_moto(tmp, 6)
    url = f"http://127.0.0.1:{port}"
    try:
        iam = boto3.client(
            "iam", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap",
        )  # fmt: skip
        keys = {}
        for user, policy in (
            ("admin", {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ("alex", json.loads(json.dumps(PUBLISHER_POLICY).replace("{bucket}", "cal-iam"))),
        ):  # fmt: skip
            iam.create_user(UserName=user)
            keys[user] = iam.create_access_key(UserName=user)["AccessKey"]
            iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(policy))
        server = S3Server(
            url,
            port,
            proc,
            keys["alex"]["AccessKeyId"],
            keys["alex"]["SecretAccessKey"],
            keys["admin"]["AccessKeyId"],
            keys["admin"]["SecretAccessKey"],
        )
        server.admin().create_bucket(Bucket="cal-iam")
    except Exception:
        stop_process(proc)
        raise
    yield server
    server.stop()


# --- WebDAV (wsgidav) ---------------------------------------------------------------------------
@dataclass
class WebDAVServer:
    url: str  # http://127.0.0.1:PORT
    port: int
    proc: subprocess.Popen
    root: Path  # the folder both mappings serve
    log_path: Path

    dav_prefix = "/remote.php/dav/files/alex"

    def new_folder(self) -> str:
        """A fresh folder; returns its name."""
        name = f"followups-{next(_numbers)}"
        (self.root / name).mkdir()
        return name

    def folder_url(self, folder: str) -> str:
        return f"{self.url}{self.dav_prefix}/{folder}/"

    def public_folder(self, folder: str) -> str:
        return f"{self.url}/public/{folder}/"

    def files(self, folder: str) -> list[str]:
        return sorted(p.name for p in (self.root / folder).iterdir())

    def config(
        self, name: str, folder: str, *, url: str | None = None, public_url: str | None = None,
        extra: str = "",
    ) -> str:  # fmt: skip
        return f"""
[providers.{name}]
type = "webdav"
url = "{url or self.folder_url(folder)}"
username = "{WEBDAV_USER}"
password_env = "FS_TEST_DAV_PASSWORD"
public_url = "{public_url or self.public_folder(folder)}"
{extra}
"""

    @staticmethod
    def env(password: str = WEBDAV_PASSWORD) -> dict[str, str]:
        return {"FS_TEST_DAV_PASSWORD": password}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """An authenticated request straight to the server (another client, the user)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        pair = base64.b64encode(f"{WEBDAV_USER}:{WEBDAV_PASSWORD}".encode()).decode()
        try:
            conn.request(
                method,
                path,
                body=body,
                headers={"Authorization": f"Basic {pair}", **(headers or {})},
            )
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def stop(self) -> None:
        stop_process(self.proc)


def start_wsgidav(tmp: Path) -> WebDAVServer:
    root = tmp / "files"
    root.mkdir(parents=True)
    port = free_port()
    config = {
        "host": "127.0.0.1",
        "port": port,
        "server": "cheroot",
        "provider_mapping": {
            WebDAVServer.dav_prefix: {"root": str(root)},
            "/public": {"root": str(root), "readonly": True},
        },
        "http_authenticator": {
            "domain_controller": None,
            "accept_basic": True,
            "accept_digest": False,
            "default_to_digest": False,
        },
        "simple_dc": {
            "user_mapping": {
                WebDAVServer.dav_prefix: {WEBDAV_USER: {"password": WEBDAV_PASSWORD}},
                "/public": True,
            }
        },
        "dir_browser": {"enable": False},
        "middleware_stack": [
            "tests.support.webdav_public.PublicFilesOnly",
            "wsgidav.error_printer.ErrorPrinter",
            "wsgidav.http_authenticator.HTTPAuthenticator",
            "wsgidav.request_resolver.RequestResolver",
        ],
        "verbose": 1,
        "logging": {"enable_loggers": []},
    }
    conf = tmp / "wsgidav.yaml"
    conf.write_text(json.dumps(config))  # YAML is a superset of JSON
    log_path = tmp / "wsgidav.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(BIN / "wsgidav"), "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT, env=env
        )
    try:
        wait_for_port(port, proc)
    except Exception:
        stop_process(proc)
        raise RuntimeError(f"wsgidav did not start:\n{log_path.read_text()}") from None
    return WebDAVServer(f"http://127.0.0.1:{port}", port, proc, root, log_path)


@pytest.fixture(scope="session")
def webdav_server(tmp_path_factory):
    server = start_wsgidav(tmp_path_factory.mktemp("wsgidav"))
    yield server
    server.stop()
