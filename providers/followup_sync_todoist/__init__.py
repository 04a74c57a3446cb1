"""Todoist provider: follow-ups as Todoist tasks with the draft attached.

Only `register` lives here: todoist-api-python is imported when it is used.
"""


def register(add):
    add("todoist", "followup_sync_todoist.provider:TodoistProvider")
