"""The S3 and WebDAV publish targets against real servers: moto (S3 API) and wsgidav.

Both run the publisher contract (followup_sync.testing.PublisherContract); the
WebDAV target runs it once per way of replacing the file. Then what is particular
to each: a WebDAV upload cut short, a server without MOVE, a change made by
another client mid-upload (all through the FaultProxy, which acts on the wire);
S3 credentials checked by moto's IAM with the policy docs/feed.md documents, a
missing boto3, a missing bucket.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import pytest

from followup_sync.errors import ConfigError, ConflictError, ProviderAuthError, ProviderError
from followup_sync.testing import PublisherContract, make_context
from followup_sync.testing.publisher_contract import FEED_1, FEED_2
from followup_sync_s3.publisher import S3Publisher
from followup_sync_webdav.publisher import STATE_NO_MOVE, WebDAVPublisher
from tests.support.fault_proxy import FaultProxy
from tests.support.publish_servers import WEBDAV_PASSWORD, WEBDAV_USER, anon_get

pytestmark = [pytest.mark.network]


def s3_publisher(server, bucket: str, tmp_path: Path, *, endpoint=None, secret=None, **opts):
    options = {
        "type": "s3",
        "bucket": bucket,
        "endpoint": endpoint or server.url,
        "public_url": f"{server.url}/{bucket}",
        **opts,
    }
    context = make_context(
        tmp_path,
        secrets={"access_key_id": server.key_id, "secret_access_key": secret or server.secret},
    )
    return S3Publisher("cloud", options, context)


def webdav_publisher(server, folder: str, tmp_path: Path, *, url=None, password=None, **opts):
    options = {
        "type": "webdav",
        "url": url or server.folder_url(folder),
        "username": WEBDAV_USER,
        "public_url": server.public_folder(folder),
        **opts,
    }
    context = make_context(tmp_path, secrets={"password": password or WEBDAV_PASSWORD})
    return WebDAVPublisher("nc", options, context)


# --- the contract -----------------------------------------------------------------------
class TestS3Contract(PublisherContract):
    # Unconditional by design: S3 replaces atomically and the key is ours alone.
    supports_conditional = False

    @pytest.fixture
    def publisher(self, s3_server, tmp_path):
        self.server = s3_server
        self.bucket = s3_server.new_bucket()
        p = s3_publisher(s3_server, self.bucket, tmp_path)
        yield p
        p.close()

    def read_back(self, publisher, name):
        from botocore.exceptions import ClientError

        try:
            return self.server.admin().get_object(Bucket=self.bucket, Key=name)["Body"].read()
        except ClientError:
            return None

    def change_behind_our_back(self, publisher, name, body):
        self.server.admin().put_object(Bucket=self.bucket, Key=name, Body=body)


class _WebDAVContract(PublisherContract):
    replace = "auto"

    @pytest.fixture
    def publisher(self, webdav_server, tmp_path):
        self.server = webdav_server
        self.folder = webdav_server.new_folder()
        p = webdav_publisher(webdav_server, self.folder, tmp_path, replace=self.replace)
        yield p
        p.close()

    def read_back(self, publisher, name):
        path = self.server.root / self.folder / name
        return path.read_bytes() if path.exists() else None

    def change_behind_our_back(self, publisher, name, body):
        # Another client (the user's file manager, a second machine) writes the file.
        status, _, _ = self.server.request(
            "PUT", self.server.dav_prefix + f"/{self.folder}/{name}", body
        )
        assert status in (201, 204)


class TestWebDAVMoveContract(_WebDAVContract):
    replace = "move"

    def test_the_file_is_replaced_by_a_move_and_no_temporary_file_stays(self, publisher, name):
        proxy = FaultProxy(self.server.url, forwarded_host=True)
        try:
            p = webdav_publisher(
                self.server, self.folder, publisher.context.data_dir,
                url=f"{proxy.url.rstrip('/')}{self.server.dav_prefix}/{self.folder}/",
                replace="move",
            )  # fmt: skip
            first = p.upload(name, FEED_1, None)
            p.upload(name, FEED_2, first)
            p.close()
        finally:
            proxy.close()
        # Each upload: PUT to the temporary name, HEAD, MOVE over the file, HEAD.
        assert proxy.counts["MOVE"] == 2 and proxy.counts["PUT"] == 2
        assert [e.path.rsplit("/", 1)[1] for e in proxy.log if e.method == "PUT"] == [
            name + ".tmp"
        ] * 2
        assert self.server.files(self.folder) == [name]


class TestWebDAVPutContract(_WebDAVContract):
    replace = "put"


# --- WebDAV: what a reader sees when an upload is cut short ---------------------------------
@pytest.fixture
def dav_proxy(webdav_server):
    proxy = FaultProxy(webdav_server.url, forwarded_host=True)
    yield proxy
    proxy.close()


def proxied(server, proxy, folder, tmp_path, **opts) -> WebDAVPublisher:
    url = f"{proxy.url.rstrip('/')}{server.dav_prefix}/{folder}/"
    return webdav_publisher(server, folder, tmp_path, url=url, **opts)


BIG_1 = b"BEGIN:VCALENDAR\r\n" + b"X-ONE:" + b"1" * 200_000 + b"\r\nEND:VCALENDAR\r\n"
BIG_2 = b"BEGIN:VCALENDAR\r\n" + b"X-TWO:" + b"2" * 200_000 + b"\r\nEND:VCALENDAR\r\n"


def test_an_upload_cut_short_never_reaches_readers_with_move(webdav_server, dav_proxy, tmp_path):
    folder = webdav_server.new_folder()
    p = proxied(webdav_server, dav_proxy, folder, tmp_path, replace="move")
    name = p.object_name(secrets.token_urlsafe(32))
    first = p.upload(name, BIG_1, None)
    dav_proxy.reset()
    dav_proxy.inject("PUT", "cut-body")
    with pytest.raises(ProviderError) as e:
        p.upload(name, BIG_2, first)
    assert "\n" not in e.value.message and name not in e.value.message
    status, _, body = anon_get(webdav_server.public_folder(folder) + name)
    assert status == 200 and body == BIG_1  # the previous feed, whole
    assert dav_proxy.counts["MOVE"] == 0
    # The next upload repairs it and leaves no temporary file behind.
    p.upload(name, BIG_2, p.head(name))
    assert anon_get(webdav_server.public_folder(folder) + name)[2] == BIG_2
    assert webdav_server.files(folder) == [name]


def test_why_move_wsgidav_writes_a_put_straight_into_the_file(webdav_server, dav_proxy, tmp_path):
    """The server behaviour `replace = "move"` exists for: a PUT cut short leaves half a file."""
    folder = webdav_server.new_folder()
    p = proxied(webdav_server, dav_proxy, folder, tmp_path, replace="put")
    name = p.object_name(secrets.token_urlsafe(32))
    first = p.upload(name, BIG_1, None)
    dav_proxy.inject("PUT", "cut-body")
    with pytest.raises(ProviderError):
        p.upload(name, BIG_2, first)
    status, _, body = anon_get(webdav_server.public_folder(folder) + name)
    assert status == 200 and body not in (BIG_1, BIG_2) and len(body) < len(BIG_2)


def test_a_server_without_move_gets_a_conditional_put_from_then_on(
    webdav_server, dav_proxy, tmp_path
):
    folder = webdav_server.new_folder()
    p = proxied(webdav_server, dav_proxy, folder, tmp_path)
    notes: list[str] = []
    p.context.log = notes.append
    name = p.object_name(secrets.token_urlsafe(32))
    dav_proxy.inject("MOVE", "405")
    first = p.upload(name, FEED_1, None)
    assert p.context.state.get(STATE_NO_MOVE) and "does not allow MOVE" in notes[0]
    assert anon_get(webdav_server.public_folder(folder) + name)[2] == FEED_1
    assert webdav_server.files(folder) == [name]  # the temporary file was deleted
    dav_proxy.reset()
    p.upload(name, FEED_2, first)
    assert dav_proxy.counts["MOVE"] == 0 and dav_proxy.counts["PUT"] == 1
    assert anon_get(webdav_server.public_folder(folder) + name)[2] == FEED_2


@pytest.mark.parametrize("replace", ["move", "put"])
def test_a_change_by_another_client_mid_upload_is_not_overwritten(
    webdav_server, dav_proxy, tmp_path, replace
):
    folder = webdav_server.new_folder()
    p = proxied(webdav_server, dav_proxy, folder, tmp_path, replace=replace)
    name = p.object_name(secrets.token_urlsafe(32))
    seen = p.upload(name, FEED_1, None)
    theirs = FEED_2 + b"X-THEIRS:1\r\n"

    def other_client_writes():
        path = f"{webdav_server.dav_prefix}/{folder}/{name}"
        assert webdav_server.request("PUT", path, theirs)[0] == 204

    # The other client writes just as our upload goes out (after we looked).
    dav_proxy.before("PUT", other_client_writes)
    with pytest.raises(ConflictError) as e:
        p.upload(name, FEED_2, seen)
    assert "nothing was overwritten" in e.value.message
    assert anon_get(webdav_server.public_folder(folder) + name)[2] == theirs
    assert webdav_server.files(folder) == [name]


def test_a_share_link_to_the_file_is_kept_by_updating_in_place(webdav_server, dav_proxy, tmp_path):
    # A Nextcloud share link is bound to the file: a MOVE over it would drop the share.
    folder = webdav_server.new_folder()
    token = secrets.token_urlsafe(32)
    link = webdav_server.public_folder(folder) + f"{token}.ics"
    p = proxied(webdav_server, dav_proxy, folder, tmp_path, public_url=link)
    assert p.link_is_fixed() and p.mode == "put"
    assert p.public_url(token) == link and p.public_url("other") == link
    first = p.upload(p.object_name(token), FEED_1, None)
    p.upload(p.object_name(token), FEED_2, first)
    assert dav_proxy.counts["MOVE"] == 0
    assert anon_get(link)[2] == FEED_2


def test_public_url_placeholders(webdav_server, s3_server, tmp_path):
    folder = webdav_server.new_folder()
    p = webdav_publisher(
        webdav_server, folder, tmp_path, public_url="https://h.example/x/{name}?dl=1"
    )
    assert p.public_url("T0k") == "https://h.example/x/T0k.ics?dl=1"
    assert not p.link_is_fixed()
    s3 = s3_publisher(s3_server, "cal-x", tmp_path, public_url="https://cdn.example/{key}")
    assert s3.public_url("T0k") == "https://cdn.example/feeds/T0k.ics"
    s3 = s3_publisher(s3_server, "cal-x", tmp_path, public_url="https://pub-1.r2.dev", prefix="")
    assert s3.public_url("T0k") == "https://pub-1.r2.dev/T0k.ics"


def test_webdav_wrong_password_is_an_auth_error_without_the_password(webdav_server, tmp_path):
    folder = webdav_server.new_folder()
    wrong = "Wr0ng-app-password-1234"
    p = webdav_publisher(webdav_server, folder, tmp_path, password=wrong)
    with pytest.raises(ProviderAuthError) as e:
        p.head(p.object_name(secrets.token_urlsafe(32)))
    assert "401" in e.value.message and wrong not in e.value.message
    assert "\n" not in e.value.message


def test_webdav_missing_folder_is_named(webdav_server, tmp_path):
    p = webdav_publisher(
        webdav_server, "nope", tmp_path, url=webdav_server.folder_url("never-made"), replace="put"
    )
    with pytest.raises(ProviderError) as e:
        p.upload(p.object_name(secrets.token_urlsafe(32)), FEED_1, None)
    assert "folder does not exist" in e.value.message


# --- S3 -------------------------------------------------------------------------------------
def test_s3_with_the_documented_policy_publishes_and_deletes(s3_iam_server, tmp_path):
    """moto checks each signature and the user's policy: PutObject/GetObject/DeleteObject only."""
    p = s3_publisher(s3_iam_server, "cal-iam", tmp_path)
    name = p.object_name(secrets.token_urlsafe(32))
    assert p.head(name) is None
    uploaded = p.upload(name, FEED_1, None)
    assert p.head(name) == uploaded and uploaded.md5
    p.remove(name)
    assert p.head(name) is None
    # Outside the prefix the same keys are refused: the policy is what limits them.
    outside = s3_publisher(s3_iam_server, "cal-iam", tmp_path, prefix="elsewhere/")
    with pytest.raises(ProviderAuthError) as e:
        outside.upload(outside.object_name("x" * 43), FEED_1, None)
    assert "AccessDenied" in e.value.message


@pytest.mark.parametrize("which", ["secret", "key id"])
def test_s3_wrong_credentials_are_one_line_without_the_secret(s3_iam_server, tmp_path, which):
    wrong = "wrong-secret-S3-" + secrets.token_hex(8)
    if which == "secret":
        p = s3_publisher(s3_iam_server, "cal-iam", tmp_path, secret=wrong)
    else:
        p = S3Publisher(
            "cloud",
            {"bucket": "cal-iam", "endpoint": s3_iam_server.url, "public_url": "https://x.example"},
            make_context(tmp_path, secrets={"access_key_id": "AKIANOTAKEY0000", "secret_access_key": wrong}),
        )  # fmt: skip
    name = p.object_name(secrets.token_urlsafe(32))
    assert p.head(name) is None  # a HEAD cannot tell (see S3Publisher._call)
    with pytest.raises(ProviderAuthError) as e:
        p.upload(name, FEED_1, None)
    message = e.value.message
    assert ("SignatureDoesNotMatch" if which == "secret" else "InvalidAccessKeyId") in message
    assert wrong not in message and name not in message and "\n" not in message


def test_s3_a_missing_bucket_is_named(s3_server, tmp_path):
    p = s3_publisher(s3_server, "no-such-bucket", tmp_path)
    with pytest.raises(ProviderError) as e:
        p.upload(p.object_name(secrets.token_urlsafe(32)), FEED_1, None)
    assert "no such bucket" in e.value.message


def test_s3_an_unreachable_endpoint_is_one_line_without_the_key(s3_server, tmp_path):
    from tests.support.caldav_servers import free_port

    bucket = s3_server.new_bucket()
    p = s3_publisher(s3_server, bucket, tmp_path, endpoint=f"http://127.0.0.1:{free_port()}")
    name = p.object_name(secrets.token_urlsafe(32))
    with pytest.raises(ProviderError) as e:
        p.upload(name, FEED_1, None)
    assert "unreachable" in e.value.message and name not in e.value.message


def test_s3_upload_sets_the_headers_subscribers_need(s3_server, tmp_path):
    bucket = s3_server.new_bucket()
    p = s3_publisher(s3_server, bucket, tmp_path)
    token = secrets.token_urlsafe(32)
    p.upload(p.object_name(token), FEED_1, None)
    status, headers, body = anon_get(p.public_url(token))
    assert status == 200 and body == FEED_1
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert headers["cache-control"] == "private, max-age=300"
    # Anyone may read the object, nothing else: another key is refused.
    s3_server.admin().put_object(Bucket=bucket, Key="private.txt", Body=b"x")
    assert anon_get(f"{s3_server.url}/{bucket}/private.txt")[0] == 403


def test_s3_without_boto3_is_a_config_error_naming_the_extra(s3_server, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if the extra were not installed
    with pytest.raises(ConfigError) as e:
        s3_publisher(s3_server, "cal-x", tmp_path)
    assert "pip install 'followup-sync[s3]'" in e.value.message
    assert "\n" not in e.value.message


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"bucket": "Bad_Bucket"}, "not a bucket name"),
        ({"public_url": "ftp://x"}, "not an http(s):// URL"),
        ({"prefix": "/feeds/"}, "must not start with"),
        ({"sent_days": -1}, "must be 0 or more"),
        ({"endpoint": "https://user:pw@r2.example"}, "must not contain a user name"),
    ],
)
def test_s3_option_mistakes_are_config_errors(tmp_path, options, needle):
    base = {"type": "s3", "bucket": "cal", "public_url": "https://x.example"}
    with pytest.raises(ConfigError) as e:
        S3Publisher("cloud", {**base, **options}, make_context(tmp_path))
    assert needle in e.value.message and "[providers.cloud]" in e.value.message
