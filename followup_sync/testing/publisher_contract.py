"""The behaviour every publish target must have (publisher.py), ours and third-party ones.

Subclass `PublisherContract` in a pytest module and provide a `publisher` fixture
returning a target that writes to a fresh, empty place, plus `read_back`, which
reads an object without the publisher's code (the server's files, an admin
client), and `change_behind_our_back(publisher, name, body)`, which writes it as
another client would. With `supports_conditional` (the default) a change made
since the publisher looked must be a ConflictError, never overwritten blindly;
a target documented as unconditional must then replace it (last writer wins).
"""

from __future__ import annotations

import secrets

import pytest

from ..errors import ConflictError
from ..publisher import Publisher

FEED_1 = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"
FEED_2 = FEED_1.replace(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nX-WR-CALNAME:Two\r\n")
FEED_3 = FEED_2 + b"\r\n"  # a third, different length (some ETags are mtime + size)


class PublisherContract:
    """Behaviour every publish target must have. Subclasses supply `publisher` and `read_back`."""

    #: False for targets that replace unconditionally by design (S3: see its upload()).
    supports_conditional = True

    @pytest.fixture
    def publisher(self) -> Publisher:  # pragma: no cover - overridden
        raise NotImplementedError("subclass must provide a `publisher` fixture")

    def read_back(self, publisher: Publisher, name: str) -> bytes | None:
        raise NotImplementedError("subclass must read the object without the publisher")

    def change_behind_our_back(self, publisher: Publisher, name: str, body: bytes) -> None:
        raise NotImplementedError("subclass must write the object as another client would")

    @pytest.fixture
    def name(self, publisher: Publisher) -> str:
        return publisher.object_name(secrets.token_urlsafe(32))

    # --- tests ----------------------------------------------------------------------
    def test_nothing_there_is_none(self, publisher, name):
        assert publisher.head(name) is None
        assert self.read_back(publisher, name) is None

    def test_upload_then_head_gives_its_version(self, publisher, name):
        uploaded = publisher.upload(name, FEED_1, None)
        assert uploaded.version
        assert publisher.head(name) == uploaded
        assert self.read_back(publisher, name) == FEED_1

    def test_upload_replaces_and_the_version_changes(self, publisher, name):
        first = publisher.upload(name, FEED_1, None)
        second = publisher.upload(name, FEED_2, first)
        assert second.version != first.version
        assert publisher.head(name) == second
        assert self.read_back(publisher, name) == FEED_2

    def test_remove_deletes_and_removing_again_is_fine(self, publisher, name):
        publisher.upload(name, FEED_1, None)
        publisher.remove(name)
        assert publisher.head(name) is None
        assert self.read_back(publisher, name) is None
        publisher.remove(name)

    def test_describe_never_shows_the_object_name(self, publisher, name):
        token = name.rsplit("/", 1)[-1].removesuffix(".ics")
        assert token not in publisher.describe()
        assert token not in publisher.location()
        assert token not in publisher.fingerprint(token)

    def test_a_new_name_gives_a_new_public_url_and_fingerprint(self, publisher):
        a, b = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        assert publisher.fingerprint(a) != publisher.fingerprint(b)
        if not publisher.link_is_fixed():
            assert a in publisher.public_url(a) and b not in publisher.public_url(a)

    def test_creating_where_an_object_appeared_meanwhile(self, publisher, name):
        publisher.upload(name, FEED_1, None)
        if not self.supports_conditional:
            # Documented as unconditional: the last writer wins.
            publisher.upload(name, FEED_2, None)
            assert self.read_back(publisher, name) == FEED_2
            return
        with pytest.raises(ConflictError):
            publisher.upload(name, FEED_2, None)  # we saw nothing there; now there is
        assert self.read_back(publisher, name) == FEED_1

    def test_a_change_made_since_we_looked(self, publisher, name):
        seen = publisher.upload(name, FEED_1, None)
        self.change_behind_our_back(publisher, name, FEED_3)
        assert publisher.head(name) != seen  # the change shows in the version
        if not self.supports_conditional:
            publisher.upload(name, FEED_2, seen)
            assert self.read_back(publisher, name) == FEED_2
            return
        with pytest.raises(ConflictError):
            publisher.upload(name, FEED_2, seen)  # never overwritten blindly
        assert self.read_back(publisher, name) == FEED_3
        # Knowing the current version, the write goes through.
        current = publisher.head(name)
        publisher.upload(name, FEED_2, current)
        assert self.read_back(publisher, name) == FEED_2
