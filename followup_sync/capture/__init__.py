"""`capture`: the user's job interviews, found in the calendars and invitations they have.

One capture (run.py) reads its sources (sources.py: a CalDAV calendar, an ICS
address, an .ics file or invitation), turns the data into one `CalendarEvent`
per occurrence in the window (events.py), judges each (detect.py, with the
word lists of words.py and the domain lists of domains.py), takes the likely
interviews apart (extract.py, company.py), and builds the numbered review list
against the store and the user's past decisions (review.py). decide.py records
the candidates the user picks, through the use cases of applications.py.

Nothing is recorded without the user's pick, and nothing is kept about events
that were not picked except a hash of an ignored event's UID.
"""
