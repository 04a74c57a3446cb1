"""The mailbox as a source of facts: replies stop a series, sent follow-ups are noticed.

A provider that reads a mailbox (the IMAP provider) is given a `Watch` (what to
look for: the open applications, their interviewers, our Message-IDs) and
returns the `Message`s it found, headers only. Everything that decides what a
message means is here, pure and without I/O, so it is tested without a server:

- model.py: Watch, WatchedApp, Message, Found (the data passed back and forth);
- watch.py: applications -> the Watch, with a digest per application so a
  mailbox is searched again only for what changed;
- message.py: header bytes -> a Message (the email package, imported lazily);
- classify.py: human, auto-reply, automated, bulk or bounce (RFC 3834 and the
  de-facto headers);
- domains.py: free-mail and applicant-tracking-system domains;
- match.py: Found + Watch -> sync.Pulled facts (REPLIED, SENT, NOTICED), which
  facts.save_pulled stores in the same transaction as every other pulled fact.
"""
