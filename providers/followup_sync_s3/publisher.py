"""The feed as one object in an S3-compatible bucket, read by anyone who has its URL.

Object key = `prefix` + the feed's secret token + ".ics"; the bucket lets anyone
GET objects under the prefix and nothing else (no listing: docs/feed.md has the
policies). Works with AWS S3, Cloudflare R2, Backblaze B2 and MinIO (`endpoint`).

boto3 is the optional extra `followup-sync[s3]`, imported on the first request:
building the target (which every push does, to check its options) only checks
that it is installed, and a missing boto3 is a one-line ConfigError naming the
extra.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from followup_sync.errors import ConfigError, ProviderAuthError, ProviderError
from followup_sync.feed.http import CACHE_CONTROL, CONTENT_TYPE
from followup_sync.provider import Option, ProviderContext
from followup_sync.publisher import PUBLISH_OPTIONS, Publisher, RemoteObject, place_name

EXTRA = "pip install 'followup-sync[s3]'"
# Codes S3 and its look-alikes give for keys that are wrong, expired or not allowed.
AUTH_CODES = {
    "AccessDenied",
    "AuthorizationHeaderMalformed",
    "ExpiredToken",
    "InvalidAccessKeyId",
    "InvalidToken",
    "SignatureDoesNotMatch",
    "Unauthorized",
}
_MD5_ETAG = re.compile(r'^"?([0-9a-f]{32})"?$')


def _http_url_problem(value: str) -> str | None:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{value!r} is not an http(s):// URL"
    if parts.username or parts.password:
        return "must not contain a user name or password"
    return None


def _bucket_problem(value: str) -> str | None:
    # S3's bucket naming rules (3-63 lowercase letters, digits, dots, hyphens); R2 and
    # B2 are stricter still. A mistake here would otherwise surface as a signature error.
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", value):
        return f"{value!r} is not a bucket name (3-63 lowercase letters, digits, dots, hyphens)"
    return None


def _prefix_problem(value: str) -> str | None:
    if value.startswith("/"):
        return 'must not start with "/" (keys have no leading slash)'
    if any(ord(c) < 32 for c in value):
        return "must not contain control characters"
    return None


class S3Publisher(Publisher):
    type = "s3"
    options = {
        **PUBLISH_OPTIONS,
        "bucket": Option(str, required=True, help="the bucket's name", check=_bucket_problem),
        "public_url": Option(
            str,
            required=True,
            help="where subscribers read the bucket; the key is appended, or put {key} where it goes",
            check=_http_url_problem,
        ),
        "endpoint": Option(
            str, help="the S3 API URL (R2, B2, MinIO); omit for AWS", check=_http_url_problem
        ),
        "region": Option(str, "us-east-1", help='the bucket\'s region ("auto" for R2)'),
        "prefix": Option(str, "feeds/", help="put before the object's name", check=_prefix_problem),
        "access_key_id": Option(
            str, secret=True, help="better access_key_id_env or access_key_id_cmd"
        ),
        "secret_access_key": Option(
            str, secret=True, help="better secret_access_key_env or secret_access_key_cmd"
        ),
        "addressing_style": Option(
            str,
            help='"path" or "virtual"; default: path with an endpoint, virtual on AWS',
            choices=("path", "virtual", "auto"),
        ),
        "timeout": Option(
            (int, float),
            30,
            help="seconds per request",
            check=lambda v: None if v > 0 else "must be a positive number of seconds",
        ),
    }

    def __init__(self, name: str, options: Mapping[str, Any], context: ProviderContext):
        super().__init__(name, options, context)
        if not _installed("boto3"):
            raise ConfigError(
                f'[providers.{name}] type "s3" needs boto3, which is not installed: {EXTRA}'
            )
        self.bucket = self.opts["bucket"]
        self.endpoint = (self.opts["endpoint"] or "").strip().rstrip("/")
        self._s3 = None
        #: HEAD answered 403 (see `head`); the report says why pushes then re-upload.
        self.head_refused = False

    def describe(self) -> str:
        where = f" at {urlsplit(self.endpoint).hostname}" if self.endpoint else ""
        return f"S3 bucket {self.bucket!r}{where}"

    def location(self) -> str:
        return f"{self.endpoint or 'aws'}/{self.bucket}"

    def object_name(self, token: str) -> str:
        return f"{self.opts['prefix']}{token}.ics"

    def public_url(self, token: str) -> str:
        return place_name(self.opts["public_url"].strip(), "key", self.object_name(token))

    # --- the client -------------------------------------------------------------
    def _client(self):
        if self._s3 is not None:
            return self._s3
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise ConfigError(
                f'[providers.{self.name}] type "s3" needs boto3, which cannot be imported: {EXTRA}'
            ) from None
        key_id = self.context.secret("access_key_id")
        secret = self.context.secret("secret_access_key")
        if bool(key_id) != bool(secret):
            raise ConfigError(
                f"[providers.{self.name}] needs both access_key_id and secret_access_key"
                " (or neither, to use AWS's own credential files)"
            )
        style = self.opts["addressing_style"] or ("path" if self.endpoint else "virtual")
        timeout = float(self.opts["timeout"])
        settings: dict[str, Any] = {
            "s3": {"addressing_style": style},
            # Three tries in all (total_max_attempts counts the first), with backoff,
            # for dropped connections, 5xx and throttling.
            "retries": {"mode": "standard", "total_max_attempts": 3},
            "connect_timeout": timeout,
            "read_timeout": timeout,
            "user_agent_extra": "followup-sync",
        }
        if "request_checksum_calculation" in Config.OPTION_DEFAULTS:
            # botocore 1.36 began adding CRC32 checksums (and aws-chunked bodies) to
            # every upload, which several S3-compatible stores reject; Content-MD5,
            # which every one of them checks, is sent instead (see `upload`).
            settings["request_checksum_calculation"] = "when_required"
            settings["response_checksum_validation"] = "when_required"
        # A session of our own: nothing shared with other boto3 users in the process.
        self._s3 = boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint or None,
            region_name=self.opts["region"],
            aws_access_key_id=key_id or None,
            aws_secret_access_key=secret or None,
            config=Config(**settings),
        )
        return self._s3

    def _call(self, doing: str, method: str, **kw) -> dict | None:
        """One API call; errors become one line. A HEAD of no object is None."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        client = self._client()
        try:
            return getattr(client, method)(Bucket=self.bucket, **kw)
        except ClientError as e:
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if method == "head_object" and status in (403, 404):
                # AWS answers 403, not 404, for a missing key when the caller may not
                # list the bucket (which the documented policy never grants), and a
                # HEAD carries no error code that would tell refused credentials
                # apart. The upload that follows says which it was.
                self.head_refused = self.head_refused or status == 403
                return None
            raise self._refused(e, doing) from None
        except NoCredentialsError:
            raise ConfigError(
                f"[providers.{self.name}] has no credentials: set access_key_id_env and"
                " secret_access_key_env (or _cmd, or the keyring)"
            ) from None
        except BotoCoreError as e:
            # Never the exception's text: botocore puts the request URL, and so the
            # object's secret name, into connection errors.
            host = urlsplit(self.endpoint).hostname if self.endpoint else "AWS S3"
            raise ProviderError(
                f"{self.describe()}: could not {doing} the feed: {host} unreachable"
                f" ({e.__class__.__name__})"
            ) from None

    def _refused(self, e, doing: str) -> ProviderError:
        error = e.response.get("Error", {})
        code = str(error.get("Code") or "")
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        reason = code or f"HTTP {status}"
        if code in AUTH_CODES or status in (401, 403):
            return ProviderAuthError(
                f"{self.describe()}: the credentials were refused ({reason}) trying to {doing}"
                " the feed; check access_key_id and secret_access_key, and that they may"
                f" PutObject, GetObject and DeleteObject under {self.opts['prefix'] or '/'}"
            )
        if code == "NoSuchBucket":
            return ProviderError(
                f"{self.describe()}: no such bucket; check bucket, region and endpoint"
            )
        return ProviderError(f"{self.describe()}: could not {doing} the feed ({reason})")

    # --- the object -------------------------------------------------------------
    def head(self, name: str) -> RemoteObject | None:
        answer = self._call("read", "head_object", Key=name)
        return None if answer is None else _remote(answer.get("ETag", ""))

    def upload(self, name: str, body: bytes, current: RemoteObject | None) -> RemoteObject:
        # Unconditional: S3 replaces an object in one step (a reader gets the old or
        # the new one, never a mix), and this key is ours alone: named by a secret,
        # written only by this data dir's pushes, which its lock runs one at a time.
        # Conditional PUTs (If-Match) are not available on every S3-compatible store.
        md5 = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
        answer = self._call(
            "upload",
            "put_object",
            Key=name,
            Body=body,
            ContentType=CONTENT_TYPE,
            CacheControl=CACHE_CONTROL,
            # The store checks the body against it: a body cut short is refused, so
            # a dropped connection can never leave half a feed behind.
            ContentMD5=md5,
        )
        return _remote((answer or {}).get("ETag", ""))

    def remove(self, name: str) -> None:
        # Deleting a key that does not exist succeeds on S3 (204).
        self._call("delete", "delete_object", Key=name)

    def close(self) -> None:
        if self._s3 is not None:
            close = getattr(self._s3, "close", None)
            if close is not None:
                close()
            self._s3 = None


def _remote(etag: str) -> RemoteObject:
    m = _MD5_ETAG.match(etag)
    # A multipart or KMS-encrypted object's ETag is not an MD5: then only versions compare.
    return RemoteObject(etag, m[1] if m else None)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: sys.modules holds None for it
        return False
