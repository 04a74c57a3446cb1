"""IMAP provider: reads a mailbox (replies, sent follow-ups) and keeps our drafts in Drafts."""


def register(add):
    add("imap", "followup_sync_imap.provider:ImapProvider")
