"""CalDAV provider: follow-ups as events or tasks on a CalDAV calendar.

Only `register` lives here: caldav is imported when a CalDAV provider is used.
"""


def register(add):
    add("caldav", "followup_sync_caldav.provider:CalDAVProvider")
