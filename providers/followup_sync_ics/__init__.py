"""ICS file provider: all follow-ups in one .ics file, written atomically."""


def register(add):
    add("ics", "followup_sync_ics.provider:IcsFileProvider")
