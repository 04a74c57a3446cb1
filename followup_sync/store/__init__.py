"""The SQLite store: the only package that speaks SQL.

- database.py: opening, migrations, transactions, backup and restore;
- applications.py: applications, rounds, sent and moved marks;
- sync_state.py: what each push wrote per provider (records), the user's
  dismissals, small per-provider state, and the recorder the sync engine writes
  through;
- capture.py: what the user decided about events `capture` proposed (hashes of
  their UIDs; for added ones, the application and round they became).

Every read and write goes through a `Transaction` (`store.read()` /
`store.write()`), so a command's changes land together or not at all and every
read sees one consistent snapshot.
"""

from .database import SCHEMA_VERSION, STORE_NAME, Store, restore_store
from .sync_state import StoreRecorder
from .transaction import Transaction

__all__ = ["SCHEMA_VERSION", "STORE_NAME", "Store", "StoreRecorder", "Transaction", "restore_store"]
