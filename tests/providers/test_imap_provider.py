"""The IMAP provider against real servers: Dovecot 2.3 and pymap, started on loopback.

The contract suite every provider runs (our drafts are its items), then what is
particular to a mailbox: our drafts only, read-only everywhere else, TLS
verified, the cost of a check, and drafts found again after a crash or a
renumbered folder. Scenarios through the CLI are in tests/system/test_imap_cli.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup_sync.errors import ConfigError, ProviderAuthError, ProviderError
from followup_sync.mail.model import Watch
from followup_sync.testing import ProviderContract, make_context, make_push_item, redate
from followup_sync_imap.provider import ImapProvider
from tests.support.imap_proxy import ImapProxy
from tests.support.imap_servers import PASSWORD, Mailbox, start_dovecot, start_pymap
from tests.support.mail_messages import message

pytestmark = pytest.mark.network

UTC = ZoneInfo("UTC")


def make_provider(mailbox: Mailbox, tmp_path, *, state=None, **options) -> ImapProvider:
    opts = {
        "type": "imap",
        "host": mailbox.host,
        "port": mailbox.port,
        "security": "none",
        "username": mailbox.username,
        **mailbox.options,
        **options,
    }
    kw = {"state": state} if state is not None else {}
    return ImapProvider("mail", opts, make_context(tmp_path, secrets={"password": PASSWORD}, **kw))


@pytest.fixture
def provider(mailbox, tmp_path):
    p = make_provider(mailbox, tmp_path)
    yield p
    p.close()


class TestImapContract(ProviderContract):
    emails_only = True

    @pytest.fixture
    def provider(self, mailbox, tmp_path):
        self.mailbox = mailbox
        p = make_provider(mailbox, tmp_path)
        yield p
        p.close()

    def add_foreign(self, provider):
        # A draft the user wrote: never listed, never touched.
        when = datetime(2026, 11, 25, 9, tzinfo=UTC)
        raw = message("alex@example.com", "bob@x.example", "My own draft", when, msgid="<u@x>")
        self.mailbox.append("drafts", raw, when, flags=(b"\\Draft",))


def drafts_of(mailbox: Mailbox) -> dict[int, dict]:
    return mailbox.messages("drafts")


def test_a_draft_is_a_clean_rfc_5322_message_flagged_draft(mailbox, provider):
    item = make_push_item()
    with provider.batch():
        provider.create(item)
    (stored,) = drafts_of(mailbox).values()
    headers = stored["headers"]
    assert b"\\Draft" in stored["flags"]
    assert headers["Message-ID"] == item.draft.message_id
    assert headers["To"] == "Jane Doe <jane@acme.example>"
    assert headers["From"] == "Alex Rivera <alex@example.com>"
    assert headers["Subject"] == "Following up: Backend Engineer"
    # Nothing that would reach the interviewer names the tool or marks it unsent.
    names = {k.lower() for k in headers}
    assert not any(n.startswith("x-") for n in names), names
    assert "followup" not in str(headers).lower()


def test_replacing_a_draft_leaves_one_copy_and_keeps_its_message_id(mailbox, provider):
    item = make_push_item()
    with provider.batch():
        first = provider.create(item)
    moved = redate(item, item.item.due + timedelta(days=2))
    with provider.batch():
        provider.update(moved, first)
    stored = drafts_of(mailbox)
    assert len(stored) == 1
    (only,) = stored.values()
    assert only["headers"]["Message-ID"] == item.draft.message_id


def test_only_our_own_draft_is_expunged(mailbox, provider):
    """UID EXPUNGE of our UID: the user's message flagged \\Deleted stays (RFC 4315)."""
    when = datetime(2026, 11, 25, 9, tzinfo=UTC)
    theirs = message("alex@example.com", "bob@x.example", "Half-deleted", when, msgid="<h@x>")
    their_uid = mailbox.append("drafts", theirs, when, flags=(b"\\Draft", b"\\Deleted"))
    with provider.batch():
        remote = provider.create(make_push_item())
    with provider.batch():
        provider.delete(provider.list_items({})[remote.uid])
    assert list(drafts_of(mailbox)) == [their_uid]


def test_a_draft_edited_in_a_mail_client_is_taken_over_not_touched(mailbox, provider):
    item = make_push_item()
    with provider.batch():
        ours = provider.create(item)
    # The user's mail client saves the edit as a new message and removes ours.
    when = datetime(2026, 11, 26, 9, tzinfo=UTC)
    edited = message(
        "alex@example.com", "jane@acme.example", "Edited", when, msgid=item.draft.message_id
    )
    their_uid = mailbox.append("drafts", edited, when, flags=(b"\\Draft",))
    with mailbox.client() as c:
        c.select_folder(mailbox.folders["drafts"])
        our_uid = int(ours.ref.split()[1])
        c.delete_messages([our_uid])
        c.uid_expunge([our_uid])
    listed = provider.list_items({item.uid: ours})
    assert listed[item.uid].taken_over
    changed = redate(item, item.item.due + timedelta(days=1))
    with pytest.raises(ProviderError), provider.batch():  # ConflictError: never overwritten
        provider.update(changed, listed[item.uid])
    assert list(drafts_of(mailbox)) == [their_uid]


def test_a_lost_record_is_adopted_not_duplicated(mailbox, tmp_path):
    """Appended, then the push died before recording it: found by Message-ID."""
    item = make_push_item()
    first = make_provider(mailbox, tmp_path)
    with first.batch():
        first.create(item)
    first.close()
    again = make_provider(mailbox, tmp_path)
    try:
        watch = Watch((), frozenset(), {item.draft.message_id: item.uid})
        again.read_mail(watch)
        listed = again.list_items({})
        assert set(listed) == {item.uid} and listed[item.uid].content_hash is None
        with again.batch():
            again.update(item, listed[item.uid])  # the plan's "adopted" rewrite
    finally:
        again.close()
    assert len(drafts_of(mailbox)) == 1


def test_drafts_are_found_again_after_uidvalidity_changes(mailbox, tmp_path):
    state = {}
    from followup_sync.provider import MemoryState

    state = MemoryState()
    item = make_push_item()
    p = make_provider(mailbox, tmp_path, state=state)
    with p.batch():
        remote = p.create(item)
    p.close()
    # The folder is recreated with its messages (a restore): new UIDVALIDITY.
    folder = mailbox.folders["drafts"]
    with mailbox.client() as c:
        c.rename_folder(folder, folder + "-old")
        c.create_folder(folder)
        c.select_folder(folder + "-old")
        c.copy(c.search("ALL"), folder)
        c.close_folder()
        c.delete_folder(folder + "-old")
    p = make_provider(mailbox, tmp_path, state=state)
    try:
        listed = p.list_items({item.uid: remote})
        assert set(listed) == {item.uid}
        assert listed[item.uid].etag == remote.etag  # the same draft, not a user's edit
        assert listed[item.uid].ref != remote.ref
        with p.batch():
            p.update(redate(item, item.item.due + timedelta(days=1)), listed[item.uid])
    finally:
        p.close()
    assert len(drafts_of(mailbox)) == 1


def test_a_new_account_gets_a_drafts_folder_when_the_first_draft_is_written(tmp_path):
    """pymap starts with INBOX only: Drafts is created (by name) on the first draft."""
    server = start_pymap(tmp_path / "pymap")
    try:
        box = Mailbox("pymap", "127.0.0.1", server.port, "alice", PASSWORD, {}, {})
        p = make_provider(box, tmp_path)
        try:
            assert p.list_items({}) == {}
            with p.batch():
                p.create(make_push_item())
            assert p.folders().drafts == "Drafts"
        finally:
            p.close()
        with box.client() as c:
            assert c.folder_status("Drafts", ["MESSAGES"])[b"MESSAGES"] == 1
    finally:
        server.stop()


# --- connections and credentials -----------------------------------------------------
def test_wrong_password_is_an_auth_error_without_the_password(mailbox, tmp_path):
    opts = {"host": mailbox.host, "port": mailbox.port, "security": "none"}
    opts |= {"username": mailbox.username, "type": "imap", **mailbox.options}
    p = ImapProvider("mail", opts, make_context(tmp_path, secrets={"password": "Wr0ng-pass"}))
    with pytest.raises(ProviderAuthError) as e:
        p.list_items({})
    assert "refused the login" in e.value.message and "Wr0ng-pass" not in e.value.message


def test_server_down_is_one_clear_line(tmp_path):
    from tests.support.imap_servers import free_port

    box = Mailbox("none", "127.0.0.1", free_port(), "u", PASSWORD, {}, {})
    with pytest.raises(ProviderError) as e:
        make_provider(box, tmp_path).list_items({})
    assert "cannot connect" in e.value.message and "\n" not in e.value.message


def test_plain_imap_only_to_this_machine(tmp_path):
    opts = {"type": "imap", "host": "imap.example.com", "username": "u", "security": "none"}
    with pytest.raises(ConfigError, match="only for a server on this machine"):
        ImapProvider("mail", opts, make_context(tmp_path))


@pytest.fixture(scope="module")
def tls_dovecot():
    """Dovecot with TLS on connect (a self-signed certificate) and XOAUTH2."""
    import shutil

    from tests.support.imap_servers import DOVECOT, INSTALL_HINT, NO_DOVECOT, dovecot_root

    if DOVECOT is None:
        pytest.skip(f"{NO_DOVECOT}: {INSTALL_HINT}")
    root = dovecot_root()
    server = start_dovecot(root, tls=True, extra="auth_mechanisms = plain login xoauth2")
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def tls_options(server, **kw):
    user = server.new_user()
    return {
        "type": "imap",
        "host": "localhost",
        "port": server.tls_port,
        "username": user,
        **kw,
    }


def test_tls_certificates_are_verified(tls_dovecot, tmp_path):
    """A self-signed server is refused until its CA is named: never a silent downgrade."""
    ctx = make_context(tmp_path, secrets={"password": PASSWORD})
    with pytest.raises(ProviderError) as e:
        ImapProvider("mail", tls_options(tls_dovecot), ctx).list_items({})
    assert "not trusted" in e.value.message and "ca_file" in e.value.message
    ok = ImapProvider("mail", tls_options(tls_dovecot, ca_file=str(tls_dovecot.cert)), ctx)
    try:
        assert ok.list_items({}) == {}
    finally:
        ok.close()


def test_starttls_with_a_private_ca(tmp_path):
    """pymap offers STARTTLS on 143-style ports; the certificate is verified too."""
    server = start_pymap(tmp_path / "pymap-tls", tls=True)
    try:
        ctx = make_context(tmp_path, secrets={"password": PASSWORD})
        opts = {"type": "imap", "host": "localhost", "port": server.port, "username": "alice"}
        opts |= {"security": "starttls", "drafts_folder": "Drafts"}
        with pytest.raises(ProviderError, match="not trusted"):
            ImapProvider("mail", opts, ctx).list_items({})
        p = ImapProvider("mail", {**opts, "ca_file": str(server.cert)}, ctx)
        try:
            assert p.list_items({}) == {}
        finally:
            p.close()
    finally:
        server.stop()


def test_xoauth2_login_with_a_token_from_a_command(tls_dovecot, tmp_path):
    """The Outlook/Microsoft 365 path: SASL XOAUTH2 with the token a helper prints.

    Dovecot checks the token against its passdb here; a real Microsoft token and
    its OAuth device flow are not tested (see docs/mail.md).
    """
    opts = tls_options(tls_dovecot, ca_file=str(tls_dovecot.cert), auth="xoauth2")
    opts["token_cmd"] = "unused: the test context resolves the secret"
    ctx = make_context(tmp_path, secrets={"token": PASSWORD})
    p = ImapProvider("mail", opts, ctx)
    try:
        assert p.list_items({}) == {}
    finally:
        p.close()
    bad = ImapProvider("mail", opts, make_context(tmp_path, secrets={"token": "expired"}))
    with pytest.raises(ProviderAuthError, match="OAuth2 token"):
        bad.list_items({})


def test_xoauth2_needs_a_token_source(tmp_path):
    opts = {"type": "imap", "host": "outlook.office365.com", "username": "a@b.example"}
    with pytest.raises(ConfigError, match="token_cmd"):
        ImapProvider("mail", {**opts, "auth": "xoauth2"}, make_context(tmp_path))


# --- read-only, and what a check costs ---------------------------------------------------
def seed(mailbox: Mailbox) -> dict[str, dict[int, tuple]]:
    when = datetime(2026, 11, 24, 15, tzinfo=UTC)
    mailbox.append(
        "inbox",
        message("Jane <jane@acme.example>", "alex@example.com", "Re: hi", when, msgid="<r@a>"),
        when,
    )
    mailbox.append(
        "inbox", message("bob@notacme.example", "alex@example.com", "Hi", when, msgid="<n@a>"), when
    )
    mailbox.append(
        "sent",
        message("alex@example.com", "jane@acme.example", "Thanks", when, msgid="<s@a>"),
        when,
    )
    return {role: mailbox.flags(role) for role in ("inbox", "sent")}


def watch_for(apps_emails=("jane@acme.example",)):
    from datetime import date

    from followup_sync.desired import DesiredState
    from followup_sync.mail.watch import build_watch
    from followup_sync.models import Application, Interviewer, Round, Rules, User

    user = User("Alex", "alex@example.com", "America/New_York")
    tz = ZoneInfo("America/New_York")
    apps = [
        Application(
            f"app{i}",
            f"Company {i}",
            "Engineer",
            (Round(1, datetime(2026, 11, 20, 14, tzinfo=tz), (Interviewer("J", e),)),),
        )
        for i, e in enumerate(apps_emails)
    ]
    return build_watch(apps, DesiredState(user, Rules(), tz, date(2026, 11, 30)).items, user)


def test_reading_mail_changes_no_flag_and_fetches_no_body(mailbox, tmp_path):
    before = seed(mailbox)
    proxy = ImapProxy(mailbox.port)
    try:
        p = make_provider(Mailbox(**{**mailbox.__dict__, "port": proxy.port}), tmp_path)
        try:
            found = p.read_mail(watch_for())
        finally:
            p.close()
    finally:
        proxy.close()
    senders = sorted(m.sender for m in found.messages)
    assert senders == ["alex@example.com", "bob@notacme.example", "jane@acme.example"]
    assert {role: mailbox.flags(role) for role in ("inbox", "sent")} == before  # no \Seen
    lines = b"".join(proxy.lines).upper()
    assert b"SELECT" not in lines.replace(b"EXAMINE", b"")  # every folder EXAMINEd
    fetches = [line for line in proxy.lines if b" FETCH " in line.upper()]
    assert fetches and all(b"BODY.PEEK[HEADER.FIELDS (" in f.upper() for f in fetches)
    assert not re.search(rb"RFC822(?!\.SIZE)|BODY\[|BODY\.PEEK\[\]|BODY\.PEEK\[TEXT", lines)


def test_a_check_with_nothing_new_costs_one_status_per_folder(mailbox, tmp_path):
    from followup_sync.provider import MemoryState

    seed(mailbox)
    proxy = ImapProxy(mailbox.port)
    state = MemoryState()
    box = Mailbox(**{**mailbox.__dict__, "port": proxy.port})
    try:
        for _ in range(2):
            proxy.reset()
            p = make_provider(box, tmp_path, state=state)
            try:
                p.read_mail(watch_for())
            finally:
                p.close()
        folders = 2  # the reply folder(s) and Sent
        if mailbox.kind == "dovecot":
            folders = 3  # INBOX, Junk, Sent
        after_login = proxy.log[proxy.log.index("LOGIN") + 1 :]
        assert after_login == ["STATUS"] * folders + ["LOGOUT"]
        # New mail: one search for the new UIDs only.
        when = datetime(2026, 11, 30, 15, tzinfo=UTC)
        mailbox.append(
            "inbox",
            message("jane@acme.example", "alex@example.com", "Re: x", when, msgid="<r2@a>"),
            when,
        )
        proxy.reset()
        p = make_provider(box, tmp_path, state=state)
        try:
            found = p.read_mail(watch_for())
        finally:
            p.close()
        assert [m.message_id for m in found.messages] == ["<r2@a>"]
        searches = [line for line in proxy.lines if b"SEARCH" in line]
        assert len(searches) == 1 and b"UID " in searches[0].split(b"SEARCH")[1][:6]
    finally:
        proxy.close()


def test_condstore_status_is_remembered_on_dovecot(dovecot_only_mailbox, tmp_path):
    """Dovecot has CONDSTORE (RFC 7162): HIGHESTMODSEQ is part of what is remembered."""
    from followup_sync.provider import MemoryState

    state = MemoryState()
    p = make_provider(dovecot_only_mailbox, tmp_path, state=state)
    try:
        p.read_mail(watch_for())
    finally:
        p.close()
    assert "highestmodseq" in state["reply:INBOX"]


def test_on_gmail_a_removed_draft_goes_to_the_trash(tmp_path):
    """Gmail (X-GM-EXT-1): Google's advice is MOVE to \\Trash; EXPUNGE depends on the
    user's settings there. A Dovecot that announces Gmail's extension stands in."""
    import shutil

    from tests.support.imap_servers import (
        DOVECOT,
        INSTALL_HINT,
        NO_DOVECOT,
        dovecot_mailbox,
        dovecot_root,
    )

    if DOVECOT is None:
        pytest.skip(f"{NO_DOVECOT}: {INSTALL_HINT}")
    root = dovecot_root()
    server = start_dovecot(root, extra="imap_capability = +X-GM-EXT-1")
    try:
        box = dovecot_mailbox(server)
        p = make_provider(box, tmp_path)
        try:
            with p.batch():
                remote = p.create(make_push_item())
            with p.batch():
                p.delete(p.list_items({})[remote.uid])
        finally:
            p.close()
        assert box.messages("drafts") == {}
        (trashed,) = box.messages("trash").values()
        assert trashed["headers"]["Message-ID"] == make_push_item().draft.message_id
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
