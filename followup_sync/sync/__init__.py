"""The sync engine: desired vs recorded vs remote -> a plan; apply records each success.

Three views of every UID:
- desired: what the rules say should exist now (`desired.Wanted`, rendered only
  when written),
- recorded: what the last push wrote (`models.Record`, kept by the store),
- remote: what the provider reports now (`models.RemoteItem`).

`pull` (pull.py) first turns the user's remote changes into facts the rules
understand (a completed task is a sent nudge, a moved event is a moved item, a
deleted one is dismissed); the caller saves them and recomputes the desired
state; then `make_plan` (plan.py) decides, and `apply` (apply.py) executes,
handing every success to a `Recorder` at once. Nothing here knows SQLite: the
store provides a recorder, and tests use `MemoryRecorder`.
"""

from .apply import ApplyResult, MemoryRecorder, Recorder, apply, stamp
from .plan import DELETING, WRITES, Action, Op, Plan, make_plan
from .pull import Pulled, PullKind, pull

__all__ = [
    "DELETING",
    "WRITES",
    "Action",
    "ApplyResult",
    "MemoryRecorder",
    "Op",
    "Plan",
    "PullKind",
    "Pulled",
    "Recorder",
    "apply",
    "make_plan",
    "pull",
    "stamp",
]
